/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_TIMEOUT_H
#define _VPCE_TIMEOUT_H

#include <linux/types.h>

struct net;
struct nf_conn;
struct nf_ct_timeout;
struct sk_buff;

/* NLB's idle timeouts: TCP settable per service, UDP fixed. */
#define VPCE_IDLE_TCP_MIN	60
#define VPCE_IDLE_TCP_MAX	6000
#define VPCE_IDLE_TCP_DEFAULT	350
#define VPCE_IDLE_UDP		120

/*
 * A service's conntrack timeout policies, one per protocol, attached to
 * each of its new flows (the conntrack timeout extension, as `ct timeout
 * set` and the CT target attach theirs).
 */
struct vpce_timeouts {
	struct nf_ct_timeout *tcp;
	struct nf_ct_timeout *udp;
};

int vpce_timeouts_init(struct vpce_timeouts *to, struct net *net,
		       unsigned int idle_tcp);
void vpce_timeouts_set_idle(struct vpce_timeouts *to, unsigned int idle_tcp);
unsigned int vpce_timeouts_idle(const struct vpce_timeouts *to);
void vpce_timeouts_put(struct vpce_timeouts *to);

/* Packet path: attach to a new, unconfirmed flow. False: out of memory. */
bool vpce_timeouts_attach(const struct vpce_timeouts *to, struct nf_conn *ct,
			  const struct sk_buff *skb);

#endif /* _VPCE_TIMEOUT_H */
