/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_TARGET_H
#define _VPCE_TARGET_H

#include "vpce_addr.h"
#include "vpce_counters.h"
#include "vpce_maglev.h"

#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>

struct netlink_ext_ack;
struct nf_conntrack_tuple;
struct vpce_net;
struct vpce_service;

struct vpce_target {
	struct vpce_addr addr;
	u8 zone;		/* index into the service's zones */
	u8 health;		/* enum vpce_health */
	u16 weight;
};

/*
 * The targets of a service as the packet path sees them. Never changed once
 * published: every change builds a new set and swaps it in under RCU, so a
 * new flow sees either the old set or the new one, whole, with the flow
 * hash key and the Maglev tables that go with it.
 *
 * There are tables per family (indexed by vpce_fam()): a flow goes to a
 * target of its own family, as there is no NAT64. @zone[f][z] chooses
 * among zone z's healthy targets of family f; @all[f] among every zone's
 * healthy targets of family f (cross-zone, or a zone with none left), or,
 * when no target of family f is healthy, among every one that is not
 * draining (the NLB fails open). Tables nobody can use are not built: zone
 * tables when cross-zone is on, @all[f] while every zone serving family f
 * has a healthy target of it.
 */
struct vpce_targets {
	struct rcu_head rcu;
	u16 n;
	u16 healthy[VPCE_FAMILIES];
	siphash_key_t key;		/* the flow hash key */
	struct vpce_maglev zone[VPCE_FAMILIES][VPCE_ZONES_MAX];
	struct vpce_maglev all[VPCE_FAMILIES];
	struct vpce_target t[];
};

/*
 * A target's counters. Target sets are rebuilt whole on every change, so
 * the counters live apart, in vn->tstats, from "target add" to "target
 * del", keyed by service and address: the packet path finds a flow's
 * target from its conntrack reply tuple.
 */
struct vpce_tstats {
	struct rhash_head node;		/* in vn->tstats */
	struct vpce_owned_addr key;	/* owner: the service */
	struct vpce_counters_ref stats;	/* one set */
	u32 active;			/* vn->lock: the last count */
	struct rcu_head rcu;
};

int vpce_tstats_init(struct vpce_net *vn);
void vpce_tstats_destroy(struct vpce_net *vn);
int vpce_tstats_add(struct vpce_net *vn, const struct vpce_service *svc,
		    const struct vpce_addr *addr);
void vpce_tstats_del(struct vpce_net *vn, const struct vpce_service *svc,
		     const struct vpce_addr *addr);

struct vpce_tstats *vpce_tstats_find(struct vpce_net *vn,
				     const struct vpce_service *svc, u8 family,
				     const union nf_inet_addr *in);

/* For the service's own life (vpce_service.c); vn->lock held. */
struct vpce_targets *vpce_targets_build(const struct vpce_service *svc,
					const struct vpce_targets *old,
					const struct vpce_target *t,
					unsigned int n, bool cross_zone,
					const siphash_key_t *key);
void vpce_targets_replace(struct vpce_net *vn, struct vpce_service *svc,
			  struct vpce_targets *ts);
void vpce_targets_free(struct vpce_targets *ts);
void vpce_targets_free_rcu(struct rcu_head *rcu);

int vpce_target_add(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_target *tgt,
		    struct netlink_ext_ack *extack);
int vpce_target_del(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_addr *addr,
		    struct netlink_ext_ack *extack);

/* What "target set" changes; a negative member is left as it is. */
struct vpce_target_change {
	int weight;
	int health;
};

int vpce_target_set(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_addr *addr,
		    const struct vpce_target_change *chg,
		    struct netlink_ext_ack *extack);

/* Packet path, under RCU: the target of a new flow. */
const struct vpce_target *vpce_service_pick(const struct vpce_service *svc,
					    u8 zone, const char *vpc,
					    const struct nf_conntrack_tuple *t);

#endif /* _VPCE_TARGET_H */
