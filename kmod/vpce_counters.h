/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_COUNTERS_H
#define _VPCE_COUNTERS_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/smp.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

/* Why the packet path refused a flow; each reason has a counter. */
enum vpce_drop {
	VPCE_DROP_NO_LISTENER,
	VPCE_DROP_STATE,
	VPCE_DROP_NO_TARGET,
	VPCE_DROP_PROTO,
	VPCE_DROP_POLICY,
	VPCE_DROP_STALE,	/* TCP packet of no live flow: reset */
	VPCE_DROP_FULL,		/* vpce's flow table is full: dropped */
	VPCE_DROP_INVALID,	/* out of its flow's TCP window: dropped */
	VPCE_DROP_LIMITED,	/* an answer of vpce's not sent: rate limit */
	VPCE_DROP_PORT_ALLOC,	/* no source port free in the zone's pool */
	VPCE_DROP_SG,		/* no rule of the endpoint's SGs: dropped */
	VPCE_DROP_MAX
};

struct vpce_counters_block;

/*
 * An owner's per-CPU counter sets, from the pool in vpce_counters.c: @n
 * sets, consecutive from slot @slot of @blk in every CPU's page. Endpoints,
 * services and targets hold one.
 */
struct vpce_counters_ref {
	struct vpce_counters_block *blk;
	u8 slot;
	u8 n;
};

/*
 * The counters of one endpoint address (an endpoint's zone), one zone of a
 * service, or one target, on one CPU. @rsts are the resets an endpoint
 * received from its clients, or those a service sent to them; targets use
 * only @conns and @bytes, services only VPCE_DROP_PORT_ALLOC of @drops.
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

void vpce_counters_carry(const struct vpce_counters_ref *to, unsigned int ti,
			 const struct vpce_counters_ref *from, unsigned int fi);
void vpce_counters_sum_add(struct vpce_counters_sum *sum,
			   const struct vpce_counters_sum *s);

#endif /* _VPCE_COUNTERS_H */
