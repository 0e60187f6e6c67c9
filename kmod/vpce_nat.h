/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NAT_H
#define _VPCE_NAT_H

#include "vpce_endpoint.h"

#include <linux/netfilter.h>

struct vpce_net;
struct vpce_dev;
struct nf_conn;
struct nf_conntrack_tuple;
struct sk_buff_head;

/*
 * Ports of nlb addresses (the source address targets see): this module's
 * from VPCE_NAT_PORT_MIN, the flows that take conntrack's path (with
 * conntrack=0) from VPCE_NAT_CT_PORT_MIN, own table below that, the host's
 * sockets in ip_local_port_range. See vpce_conn_reply_port().
 */
#define VPCE_NAT_PORT_MIN	1024
#define VPCE_NAT_CT_PORT_MIN	61440

int vpce_nat_register(struct vpce_net *vn);
int vpce_nat_hooks_enable(struct vpce_net *vn);
int vpce_thoff(const struct sk_buff *skb, u8 pf, u8 *proto);
void vpce_nat_unregister(struct vpce_net *vn);
void vpce_flow_reset(const struct nf_conn *ct, const struct vpce_dev *d,
		     struct sk_buff_head *q);
void vpce_reset_queue(struct net *net, const struct nf_conntrack_tuple *t,
		      u32 seq, u32 ack, int ifindex, struct sk_buff_head *q);
void vpce_flow_resets_send(struct vpce_net *vn, struct sk_buff_head *q);

/*
 * What a packet too big for its way on or out of hops becomes. The choice
 * is ip_forward()'s and ip6_forward()'s, and so is the ICMP error.
 */
enum vpce_fit { VPCE_FITS, VPCE_FRAGMENT, VPCE_ERROR };

struct vpce_icmp_err {
	u8 type;
	u8 code;
	u32 info;	/* the MTU, for "too big" */
};

enum vpce_fit vpce_fit4(const struct sk_buff *skb, unsigned int mtu,
			struct vpce_icmp_err *e);
enum vpce_fit vpce_fit6(const struct sk_buff *skb, unsigned int mtu,
			struct vpce_icmp_err *e);
/* Send @e about @skb back to its sender, from the address it was sent to. */
void vpce_icmp_back(const struct nf_hook_state *state, struct sk_buff *skb,
		    const struct vpce_icmp_err *e);
unsigned int vpce_client_send(struct net *net, struct sk_buff *skb,
			      struct net_device *dev, enum vpce_fit fit);
/* Refuse a new flow of @ep and count why (packet path). */
struct vpce_ep_addr;
/* @ea: the endpoint address the flow was for, NULL for gateway endpoints. */
unsigned int vpce_refuse(struct vpce_endpoint *ep, const struct vpce_ep_addr *ea,
			 struct sk_buff *skb, const struct nf_hook_state *state,
			 u8 proto, enum vpce_drop why);

#endif /* _VPCE_NAT_H */
