/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_GATEWAY_H
#define _VPCE_GATEWAY_H

#include "vpce_addr.h"

#include <linux/netfilter.h>
#include <linux/rcupdate.h>

struct vpce_net;
struct vpce_vpc;
struct vpce_endpoint;
struct vpce_endpoint_config;
struct nf_conn;
struct netlink_ext_ack;

/*
 * The gateway table of a VPC: every prefix its gateway endpoints reach,
 * whatever their state, sorted by address. Prefixes of one VPC never
 * overlap (vpce_gateway_check() refuses that), so the only entry that can
 * hold an address is the last one that starts at or before it: a binary
 * search, no allocation, on the packet path. The table is immutable once
 * published, except that an endpoint's entries may be cleared (@ep set to
 * NULL) when a smaller table cannot be allocated for its removal.
 */
struct vpce_gw_entry {
	struct vpce_prefix prefix;
	struct vpce_endpoint *ep;	/* READ_ONCE: NULL once removed */
};

struct vpce_gw_table {
	struct rcu_head rcu;
	unsigned int n;
	struct vpce_gw_entry e[];
};

int vpce_service_prefixes_check(const struct vpce_prefix *p, unsigned int n,
				struct netlink_ext_ack *extack);

/* Configuration, under vn->lock. */
int vpce_gateway_check(struct vpce_net *vn,
		       const struct vpce_endpoint_config *cfg,
		       struct netlink_ext_ack *extack);
struct vpce_gw_table *vpce_gateway_build(struct vpce_net *vn,
					 struct vpce_endpoint *ep);
void vpce_gateway_publish(struct vpce_net *vn, struct vpce_vpc *vpc,
			  struct vpce_gw_table *t);
void vpce_gateway_unpublish(struct vpce_net *vn, struct vpce_endpoint *ep);
void vpce_gateway_connected(struct vpce_net *vn, struct vpce_endpoint *ep);
void vpce_gateway_table_free(struct vpce_gw_table *t);

/* Packet path, under RCU. */
struct vpce_endpoint *vpce_gateway_find(const struct vpce_vpc *vpc,
					const struct nf_conn *ct);

/* Flow walks (process context, vn->lock held). */
struct vpce_endpoint *vpce_gateway_flow_ep(const struct vpce_vpc *vpc,
					   const struct nf_conn *ct);

#endif /* _VPCE_GATEWAY_H */
