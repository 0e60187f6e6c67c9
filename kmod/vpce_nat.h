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
struct sk_buff_head;

int vpce_nat_register(struct vpce_net *vn);
int vpce_thoff(const struct sk_buff *skb, u8 pf, u8 *proto);
void vpce_nat_unregister(struct vpce_net *vn);
void vpce_flow_reset(const struct nf_conn *ct, const struct vpce_dev *d,
		     struct sk_buff_head *q);
void vpce_flow_resets_send(struct vpce_net *vn, struct sk_buff_head *q);
/* Refuse a new flow of @ep and count why (packet path). */
struct vpce_ep_addr;
/* @ea: the endpoint address the flow was for, NULL for gateway endpoints. */
unsigned int vpce_refuse(struct vpce_endpoint *ep, const struct vpce_ep_addr *ea,
			 struct sk_buff *skb, const struct nf_hook_state *state,
			 u8 proto, enum vpce_drop why);

#endif /* _VPCE_NAT_H */
