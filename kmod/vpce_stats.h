/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_STATS_H
#define _VPCE_STATS_H

#include "vpce_addr.h"
#include "vpce_counters.h"
#include "vpce_endpoint.h"

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/smp.h>
#include <linux/u64_stats_sync.h>
#include <net/netfilter/nf_conntrack.h>

struct vpce_net;
struct vpce_service;

/*
 * The counters of one endpoint address (an endpoint's zone), one zone of a
 * service, or one target, on one CPU. @rsts are the resets an endpoint
 * received from its clients, or those a service sent to them; targets use
 * only @conns and @bytes, services no @drops.
 */
struct vpce_counters {
	u64_stats_t conns;
	u64_stats_t bytes;
	u64_stats_t rsts;
	u64_stats_t drops[VPCE_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct vpce_counters_sum {
	u64 conns;
	u64 bytes;
	u64 rsts;
	u64 drops[VPCE_DROP_MAX];
	u64 active;
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

/*
 * Per-CPU counters come from a pool of our own rather than the percpu
 * allocator. Every chunk that allocator adds keeps, next to the memory it
 * hands out, metadata of 2 bytes per byte of a CPU's unit (chiefly an
 * obj_cgroup pointer per 4 bytes, allocated for every chunk in 6.1 unless
 * kmem accounting is off): with 72 bytes of counters per endpoint address,
 * 152 bytes of vmalloc'ed metadata per endpoint once the first chunks are
 * full, more than the counters themselves on 2 CPUs. Here a block holds a
 * 4 KiB page of counter sets per possible CPU (from kmalloc, allocated on
 * the CPU's node) and a bitmap of its slots; a user holds a
 * struct vpce_counters_ref: the block, its first slot and its number of
 * sets, which are consecutive in every CPU's page.
 */
#define VPCE_COUNTERS_PAGE	4096
#define VPCE_COUNTERS_PER_BLOCK	(VPCE_COUNTERS_PAGE / sizeof(struct vpce_counters))

struct vpce_counters_block {
	struct list_head list;		/* the pool's blocks with a free slot */
	unsigned int used;
	DECLARE_BITMAP(map, VPCE_COUNTERS_PER_BLOCK);
	struct vpce_counters *cpu[];	/* nr_cpu_ids pages */
};

int vpce_counters_alloc(struct vpce_counters_ref *ref, unsigned int n);
void vpce_counters_free(struct vpce_counters_ref *ref);
void vpce_counters_exit(void);
void vpce_counters_sum(const struct vpce_counters_ref *ref, unsigned int i,
		       struct vpce_counters_sum *sum);

/* Packet path: this CPU's counter set @i (below @ref->n) of @ref's. */
static inline struct vpce_counters *
vpce_counters_this(const struct vpce_counters_ref *ref, unsigned int i)
{
	return ref->blk->cpu[smp_processor_id()] + (ref->slot + i);
}

int vpce_tstats_init(struct vpce_net *vn);
void vpce_tstats_destroy(struct vpce_net *vn);
int vpce_tstats_add(struct vpce_net *vn, const struct vpce_service *svc,
		    const struct vpce_addr *addr);
void vpce_tstats_del(struct vpce_net *vn, const struct vpce_service *svc,
		     const struct vpce_addr *addr);

/*
 * Packet path, under RCU. @ea is the endpoint address a flow is to, NULL
 * for a gateway endpoint's flow (which has none, and no target).
 */
void vpce_stats_flow_new(const struct vpce_endpoint *ep,
			 const struct vpce_ep_addr *ea, struct vpce_tstats *ts);
void vpce_stats_refused(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea, enum vpce_drop why,
			bool reset);
void vpce_stats_limited(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea);
void vpce_stats_reset_sent(const struct vpce_endpoint *ep,
			   const struct vpce_ep_addr *ea);
struct vpce_tstats *vpce_tstats_find(struct vpce_net *vn,
				     const struct vpce_service *svc, u8 family,
				     const union nf_inet_addr *in);
void vpce_stats_bytes(const struct vpce_endpoint *ep,
		      const struct vpce_ep_addr *ea, struct vpce_tstats *ts,
		      unsigned int len, bool rst, bool from_target);
void vpce_stats_active_add(struct vpce_ep_addr *ea, struct vpce_tstats *ts);
void vpce_stats_packet(struct vpce_net *vn, const struct vpce_endpoint *ep,
		       const struct vpce_ep_addr *ea, const struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, const struct sk_buff *skb);

/* Readers, vn->lock held (vpce_stats.c says what each reads). */
void vpce_counters_sum_add(struct vpce_counters_sum *sum,
			   const struct vpce_counters_sum *s);
void vpce_endpoint_counters_sum(const struct vpce_endpoint *ep,
				struct vpce_counters_sum *sum);
/* Count the active flows, for the readers below to give. */
void vpce_stats_count_active(struct vpce_net *vn);
bool vpce_stats_endpoint_zone(const struct vpce_endpoint *ep, unsigned int i,
			      struct vpce_counters_sum *z);
void vpce_stats_endpoint_gateway(const struct vpce_endpoint *ep,
				 struct vpce_counters_sum *total);
void vpce_stats_service_zone(const struct vpce_service *svc, unsigned int i,
			     struct vpce_counters_sum *z);
void vpce_stats_target(struct vpce_net *vn, const struct vpce_service *svc,
		       const struct vpce_addr *addr,
		       struct vpce_counters_sum *s);

#endif /* _VPCE_STATS_H */
