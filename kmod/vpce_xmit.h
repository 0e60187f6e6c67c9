/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * What the data path transmits itself: see vpce_xmit.c.
 */

#ifndef _VPCE_XMIT_H
#define _VPCE_XMIT_H

#include "vpce_endpoint.h"

#include <linux/netdevice.h>
#include <linux/netfilter.h>

struct vpce_net;
struct vpce_dev;
struct vpce_endpoint;
struct vpce_ep_addr;
struct nf_conn;
struct nf_conntrack_tuple;
struct sk_buff_head;

void vpce_flow_reset(const struct nf_conn *ct, const struct vpce_dev *d,
		     struct sk_buff_head *q);
void vpce_reset_queue(struct net *net, const struct nf_conntrack_tuple *t,
		      u32 seq, u32 ack, int ifindex, const u8 *mac,
		      struct sk_buff_head *q);
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
			      struct net_device *dev, enum vpce_fit fit,
			      const u8 *mac);
const u8 *vpce_client_mac(const struct sk_buff *skb);
/* Refuse a new flow of @ep and count why (packet path). */
/* @ea: the endpoint address the flow was for, NULL for gateway endpoints. */
unsigned int vpce_refuse(struct vpce_endpoint *ep, const struct vpce_ep_addr *ea,
			 struct sk_buff *skb, const struct nf_hook_state *state,
			 u8 proto, enum vpce_drop why);
/* Drop a new flow of @ep without a word to the client, counted and logged. */
unsigned int vpce_refuse_silently(struct vpce_endpoint *ep,
				  const struct vpce_ep_addr *ea,
				  const struct sk_buff *skb, struct net *net,
				  u8 proto, enum vpce_drop why);

/*
 * @skb, a reply on its way out of the VPC device (MTU @mtu): whether it
 * fits, must be fragmented, or was answered with an ICMP error to the
 * target (then dropped by the caller).
 */
enum vpce_fit vpce_reply_fit(struct sk_buff *skb, bool ipv6, unsigned int mtu);
/* ICMP error @e about client packet @skb of flow @ct, back to the client. */
void vpce_client_error(const struct nf_hook_state *state, struct sk_buff *skb,
		       struct nf_conn *ct, const struct vpce_icmp_err *e);

/*
 * The device a client's packet is routed from towards its target: its own,
 * or, for a device of a VRF, the host's loopback, so that the host's table
 * routes it (a VRF's device would route by the VRF's table, the tenant's,
 * which need have no way to the provider side).
 */
static inline struct net_device *vpce_route_dev(struct net_device *dev)
{
	return netif_is_l3_slave(dev) ? dev_net(dev)->loopback_dev : dev;
}

#endif /* _VPCE_XMIT_H */
