/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_ENDPOINT_H
#define _VPCE_ENDPOINT_H

#include "vpce_addr.h"
#include "vpce_arn.h"
#include "vpce_counters.h"
#include "vpce_epid.h"
#include "vpce_names.h"

#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>

struct vpce_net;
struct vpce_policy;
struct vpce_ep_sgs;
struct vpce_vpc;
struct nf_conntrack_tuple;
struct vpce_service;
struct vpce_endpoint;
struct netlink_ext_ack;

struct vpce_ep_addr {
	struct rhash_head node;		/* in vn->ep_addrs */
	/* Addresses are unique within a VPC, and VPCs may overlap: the owner
	 * is the endpoint's VPC.
	 */
	struct vpce_owned_addr key;
	u8 zone;			/* index into the service's zones */
	u8 idx;				/* in its vpce_ep_addrs: its counters */
	/* Being deleted (vpce_endpoint_addr_del()): no new flows; READ_ONCE */
	bool dying;
	struct vpce_endpoint *ep;
	u32 active;			/* vpce_stats.c, under vn->lock */
};

/*
 * An endpoint's addresses with their counters, set i for a[i] (a gateway
 * endpoint, which has no address, has one set). Adding or deleting an
 * address builds a new block and replaces the old one: the packet path
 * finds an address in vn->ep_addrs and its counters through it (a[i]
 * knows its i), never through the endpoint, so that an address and its
 * counters always come from the same block.
 */
struct vpce_ep_addrs {
	struct vpce_counters_ref stats;
	struct vpce_ep_addr a[];
};

struct vpce_endpoint {
	struct vpce_named named;
	struct vpce_vpc *vpc;
	struct vpce_service *svc;
	u8 state;			/* enum vpce_state; READ_ONCE */
	u8 naddrs;			/* of @addrs; under vn->lock */
	/* Flow logs (vpce_flowlog_cfg.h): 0 off; READ_ONCE, one byte so
	 * that a flow reads the whole setting at once.
	 */
	u8 flowlog;
	/* Bits, so that the ID fits (an endpoint with one address is one
	 * kmalloc-256 object); written at creation or under vn->lock only.
	 *
	 * The requester is nearly always the VPC's owner: share its ARN
	 * rather than carry 184 bytes per endpoint (@own_requester: a copy
	 * of our own, freed with us).
	 */
	bool own_requester:1;
	/* Gateway endpoints: whether the VPC's flows to the prefixes are the
	 * endpoint's (set when it becomes available, cleared once a reject
	 * has ended them; only under vn->lock).
	 */
	bool gw_live:1;
	u8 id_hi:4;			/* the ID's first digit (vpce_epid.h) */
	/* enum vpce_type, set at creation: a bit, so that @flowlog fits. */
	u8 type:1;
	u32 created;			/* Unix seconds, unsigned: until 2106 */
	/* What only one type has: the pointer costs no room (kmalloc-256). */
	union {
		struct {		/* gateway endpoints */
			u32 active;	/* vpce_stats.c */
			u32 mark;	/* of their packets */
		};
		/* Interface endpoints: the security groups (vpce_sg.h);
		 * NULL: none, every flow passes. Replaced under vn->lock,
		 * read under RCU: vpce_endpoint_sgs().
		 */
		struct vpce_ep_sgs __rcu *sgs;
	};
	const struct vpce_arn *requester;
	struct vpce_policy __rcu *policy;	/* NULL: AWS's default, allow all */
	u64 id;				/* the ID's other 16 digits */
	struct rcu_head rcu;
	/* The addresses and their counters (vpce_stats.c): @addrs0, made
	 * with the endpoint in the same allocation, until an address is
	 * added or deleted, then a block of their own. Replaced under
	 * vn->lock, which its readers hold (vpce_endpoint_addrs()).
	 */
	struct vpce_ep_addrs __rcu *addrs;
	struct vpce_ep_addrs addrs0;
};

static_assert(VPCE_TYPE_MAX <= 1, "vpce_endpoint.type is one bit");

struct vpce_endpoint_config {
	const char *name;
	struct vpce_vpc *vpc;
	struct vpce_service *svc;
	struct vpce_arn requester;	/* kind ANY: the VPC owner's root */
	struct vpce_policy *policy;	/* taken over by the endpoint */
	struct vpce_ep_sgs *sgs;	/* taken over by the endpoint */
	u8 type;
	u8 naddrs;
	struct vpce_zone_addr addrs[VPCE_ADDRS_MAX];
	u32 mark;			/* gateway endpoints */
	bool has_id;			/* @id given, else one is drawn */
	struct vpce_epid id;
};

int vpce_endpoints_init(struct vpce_net *vn);
void vpce_endpoints_destroy(struct vpce_net *vn);
void vpce_endpoints_flush(struct vpce_net *vn);

struct vpce_endpoint *vpce_endpoint_find(struct vpce_net *vn, const char *name);
struct vpce_endpoint *vpce_endpoint_find_id(struct vpce_net *vn,
					    const struct vpce_epid *id);
int vpce_endpoint_add(struct vpce_net *vn,
		      const struct vpce_endpoint_config *cfg,
		      struct netlink_ext_ack *extack);
void vpce_endpoint_del(struct vpce_net *vn, struct vpce_endpoint *ep);
int vpce_endpoint_accept(struct vpce_net *vn, struct vpce_endpoint *ep,
			 struct netlink_ext_ack *extack);
int vpce_endpoint_reject(struct vpce_net *vn, struct vpce_endpoint *ep,
			 struct netlink_ext_ack *extack);
void vpce_endpoint_set_policy(struct vpce_net *vn, struct vpce_endpoint *ep,
			      struct vpce_policy *policy);
void vpce_endpoint_set_sgs(struct vpce_net *vn, struct vpce_endpoint *ep,
			   struct vpce_ep_sgs *sgs);
/* Flow logs from the next flow on (vpce_flowlog_cfg.h); flows live keep theirs. */
void vpce_endpoint_set_flowlog(struct vpce_net *vn, struct vpce_endpoint *ep,
			       u8 setting);

int vpce_endpoint_addr_add(struct vpce_net *vn, struct vpce_endpoint *ep,
			   const struct vpce_zone_addr *za,
			   struct netlink_ext_ack *extack);
int vpce_endpoint_addr_del(struct vpce_net *vn, struct vpce_endpoint *ep,
			   const struct vpce_addr *addr,
			   struct netlink_ext_ack *extack);

/*
 * The endpoint's addresses: for those that hold vn->lock, under which
 * they are replaced (a gateway endpoint's never are).
 */
static inline struct vpce_ep_addrs *
vpce_endpoint_addrs(const struct vpce_endpoint *ep)
{
	return rcu_dereference_protected(ep->addrs, true);
}

static inline struct vpce_epid vpce_endpoint_id(const struct vpce_endpoint *ep)
{
	return (struct vpce_epid){ .lo = ep->id, .hi = ep->id_hi };
}

/* The block @ea is in, whose counters are its. */
static inline struct vpce_ep_addrs *vpce_ep_addr_block(const struct vpce_ep_addr *ea)
{
	return container_of(ea - ea->idx, struct vpce_ep_addrs, a[0]);
}

/* Packet path (and flow walks), under RCU: the SGs, NULL for none. */
static inline const struct vpce_ep_sgs *
vpce_endpoint_sgs(const struct vpce_endpoint *ep)
{
	return ep->type == VPCE_TYPE_GATEWAY ? NULL : rcu_dereference(ep->sgs);
}

/* Packet path (and flow walks), under RCU. */
bool vpce_endpoint_allows(const struct vpce_endpoint *ep,
			  const struct nf_conntrack_tuple *orig);

/* Packet path, under RCU. */
struct vpce_ep_addr *vpce_ep_addr_find(struct vpce_net *vn,
				       const struct vpce_vpc *vpc, u8 family,
				       const union nf_inet_addr *in);

#endif /* _VPCE_ENDPOINT_H */
