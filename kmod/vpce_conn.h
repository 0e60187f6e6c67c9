/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce's own connection table: interface endpoint flows tracked and
 * translated without conntrack (module parameter conntrack=0).
 */

#ifndef _VPCE_CONN_H
#define _VPCE_CONN_H

#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

struct vpce_net;
struct vpce_dev;
struct vpce_ep_addrs;
struct vpce_flow_match;
struct vpce_endpoint;
struct nf_conn;

extern bool vpce_conntrack;

struct vpce_conns {
	struct rhashtable table;
	/* Zone 0 in this namespace, for asking conntrack's table about a
	 * reply (vpce_conn_ct_free()).
	 */
	struct nf_conn *tmpl;
	/* The expiry walk (vpce_conns_gc()): the next bucket, and for the
	 * pass under way, the flows seen, their mean time left and when it
	 * started.
	 */
	struct delayed_work gc;
	unsigned int gc_bucket;
	long gc_seen;
	long gc_mean;
	unsigned long gc_start;
	/* The limit "flow set limit" gave, 0 for none (vpce_conns_limit()). */
	unsigned int limit;
};

int vpce_conns_init(struct vpce_net *vn);
void vpce_conns_destroy(struct vpce_net *vn);
/* Packet path (the zone hook): true when the packet was vpce's. */
bool vpce_conn_in(struct vpce_net *vn, const struct vpce_dev *d,
		  struct sk_buff *skb, const struct nf_hook_state *state,
		  unsigned int *verdict);
/* vn->lock held: end the connections @m matches (see vpce_flows_end()). */
void vpce_conns_end(struct vpce_net *vn, const struct vpce_flow_match *m,
		    struct sk_buff_head *resets);
/* vn->lock held: flows of @from's addresses now count in @to's. */
void vpce_conns_move(struct vpce_net *vn, const struct vpce_ep_addrs *from,
		     unsigned int nfrom, struct vpce_ep_addrs *to,
		     unsigned int nto);
/* The table's limit in force, the limit set (vn->lock held), its flows. */
unsigned int vpce_conns_limit(struct vpce_net *vn);
unsigned int vpce_conns_default_limit(void);
void vpce_conns_set_limit(struct vpce_net *vn, unsigned int limit);
unsigned int vpce_conns_count(struct vpce_net *vn);
/* vn->lock held: add the active connections to the counters. */
bool vpce_conns_count_active(struct vpce_net *vn);

/*
 * A flow as the control plane reads it: the table's entry copied into
 * plain values (addresses and ports in network order), see
 * vpce_conns_read().
 */
struct vpce_flow_info {
	const struct vpce_endpoint *ep;
	u8 zone;		/* the endpoint address's, in its service */
	u8 proto;
	u8 state;		/* enum vpce_flow_state */
	__be32 client;
	__be32 addr;		/* the endpoint address */
	__be32 target;
	__be32 nlb;		/* the source the target sees */
	__be16 client_port;
	__be16 port;
	__be16 target_port;
	__be16 nlb_port;
	u32 expires;		/* seconds left */
	int ifindex;		/* the VPC device */
};

/* A walk of the table that goes on across calls (process context). */
struct vpce_conns_cursor;
struct vpce_conns_cursor *vpce_conns_cursor_new(struct vpce_net *vn);
void vpce_conns_cursor_free(struct vpce_conns_cursor *cur);
int vpce_conns_read(struct vpce_net *vn, struct vpce_conns_cursor *cur,
		    const struct vpce_flow_match *m,
		    int (*fn)(const struct vpce_flow_info *f, void *arg),
		    void *arg);

#endif /* _VPCE_CONN_H */
