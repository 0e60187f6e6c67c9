// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Per-CPU counter sets from a pool of our own (see struct
 * vpce_counters_block): what endpoints, services and targets count in.
 * What is counted, and when, is vpce_stats.c's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_counters.h"

#include <linux/bitmap.h>
#include <linux/bottom_half.h>
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/topology.h>
#include <uapi/linux/vpce.h>

/* Counter sets: see vpce_counters_block in vpce_counters.h. */

static_assert(VPCE_COUNTERS_PER_BLOCK <= U8_MAX,
	      "a slot and a count are u8s");
static_assert(VPCE_COUNTERS_PER_BLOCK >= VPCE_ADDRS_MAX,
	      "an endpoint's sets fit in a block");
static_assert(VPCE_COUNTERS_PER_BLOCK >= VPCE_ZONES_MAX,
	      "a service's sets fit in a block");

/*
 * The pool is the module's, shared by all namespaces. Sets are freed by RCU
 * callbacks (softirq), hence the _bh lock. A block that becomes empty is
 * freed, except one, which stays on the partial list: churn at a block's
 * boundary (a set freed, a set allocated, again and again) would otherwise
 * free and allocate a page per CPU every time.
 */
static DEFINE_SPINLOCK(vpce_counters_lock);
static LIST_HEAD(vpce_counters_partial);
static bool vpce_counters_empty;	/* an empty block is on the list */
/* Sets in use: a block that is full is on no list, so only this count
 * shows, at unload, a set that was never given back.
 */
static unsigned long vpce_counters_used;

static void vpce_counters_block_free(struct vpce_counters_block *blk)
{
	int cpu;

	for_each_possible_cpu(cpu)
		kfree(blk->cpu[cpu]);
	kfree(blk);
}

static struct vpce_counters_block *vpce_counters_block_new(void)
{
	struct vpce_counters_block *blk;
	int cpu;

	blk = kzalloc(struct_size(blk, cpu, nr_cpu_ids), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return NULL;
	INIT_LIST_HEAD(&blk->list);
	for_each_possible_cpu(cpu) {
		blk->cpu[cpu] = kmalloc_node(VPCE_COUNTERS_PAGE, GFP_KERNEL_ACCOUNT,
					     cpu_to_node(cpu));
		if (!blk->cpu[cpu]) {
			vpce_counters_block_free(blk);
			return NULL;
		}
	}
	return blk;
}

/*
 * @n (at least 1) zeroed counter sets into @ref; -ENOMEM when memory is
 * short, @ref's block NULL. Process context.
 */
int vpce_counters_alloc(struct vpce_counters_ref *ref, unsigned int n)
{
	struct vpce_counters_block *blk, *empty, *spare = NULL;
	unsigned long i;
	int cpu;

	ref->blk = NULL;
	n = max(n, 1U);
	if (WARN_ON_ONCE(n > VPCE_COUNTERS_PER_BLOCK))
		return -ENOMEM;
	for (;;) {
		spin_lock_bh(&vpce_counters_lock);
		/* Blocks in use first: the empty one is the last resort. */
		empty = NULL;
		list_for_each_entry(blk, &vpce_counters_partial, list) {
			if (!blk->used) {
				empty = blk;
				continue;
			}
			i = bitmap_find_next_zero_area(blk->map,
						       VPCE_COUNTERS_PER_BLOCK,
						       0, n, 0);
			if (i < VPCE_COUNTERS_PER_BLOCK)
				goto found;
		}
		if (empty) {
			blk = empty;
			i = 0;
			goto found;
		}
		if (spare) {
			blk = spare;
			spare = NULL;
			list_add(&blk->list, &vpce_counters_partial);
			i = 0;
			goto found;
		}
		spin_unlock_bh(&vpce_counters_lock);
		spare = vpce_counters_block_new();
		if (!spare)
			return -ENOMEM;
	}
found:
	if (!blk->used)
		vpce_counters_empty = false;
	bitmap_set(blk->map, i, n);
	blk->used += n;
	vpce_counters_used += n;
	if (blk->used == VPCE_COUNTERS_PER_BLOCK)
		list_del_init(&blk->list);
	spin_unlock_bh(&vpce_counters_lock);
	/* Someone freed sets while we allocated a block. */
	if (spare)
		vpce_counters_block_free(spare);
	/* The sets are ours: nobody else reads or writes them yet. */
	for_each_possible_cpu(cpu) {
		struct vpce_counters *c = blk->cpu[cpu] + i;
		unsigned int k;

		memset(c, 0, n * sizeof(*c));
		for (k = 0; k < n; k++)
			u64_stats_init(&c[k].syncp);
	}
	ref->blk = blk;
	ref->slot = i;
	ref->n = n;
	return 0;
}

/*
 * Once no reader is left (an RCU callback, or never published). @ref's
 * block may be NULL: its allocation failed, or it was freed.
 */
void vpce_counters_free(struct vpce_counters_ref *ref)
{
	struct vpce_counters_block *blk = ref->blk;

	if (!blk)
		return;
	ref->blk = NULL;
	spin_lock_bh(&vpce_counters_lock);
	if (blk->used == VPCE_COUNTERS_PER_BLOCK)
		list_add(&blk->list, &vpce_counters_partial);
	bitmap_clear(blk->map, ref->slot, ref->n);
	blk->used -= ref->n;
	vpce_counters_used -= ref->n;
	if (blk->used) {
		blk = NULL;
	} else if (!vpce_counters_empty) {
		vpce_counters_empty = true;
		blk = NULL;
	} else {
		list_del(&blk->list);
	}
	spin_unlock_bh(&vpce_counters_lock);
	if (blk)
		vpce_counters_block_free(blk);
}

/*
 * At unload, once every object is freed: free the empty block kept, and
 * warn of a set still in use, a leak (a full block is on no list, so only
 * the count shows it).
 */
void vpce_counters_exit(void)
{
	struct vpce_counters_block *blk, *tmp;

	WARN(vpce_counters_used, "vpce: %lu counter sets never freed\n",
	     vpce_counters_used);
	list_for_each_entry_safe(blk, tmp, &vpce_counters_partial, list) {
		if (blk->used)
			continue;
		list_del(&blk->list);
		vpce_counters_block_free(blk);
	}
	vpce_counters_empty = false;
}

/* Add counter set @i of @ref's, over every CPU, to @sum. */
void vpce_counters_sum(const struct vpce_counters_ref *ref, unsigned int i,
		       struct vpce_counters_sum *sum)
{
	unsigned int start, d;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct vpce_counters *s = ref->blk->cpu[cpu] +
						(ref->slot + i);
		struct vpce_counters_sum one;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.conns = u64_stats_read(&s->conns);
			one.bytes = u64_stats_read(&s->bytes);
			one.rsts = u64_stats_read(&s->rsts);
			for (d = 0; d < VPCE_DROP_MAX; d++)
				one.drops[d] = u64_stats_read(&s->drops[d]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->conns += one.conns;
		sum->bytes += one.bytes;
		sum->rsts += one.rsts;
		for (d = 0; d < VPCE_DROP_MAX; d++)
			sum->drops[d] += one.drops[d];
	}
}

/*
 * A counter set moves to another allocation (an endpoint's addresses were
 * replaced): add what set @fi of @from counted to this CPU's set @ti of
 * @to, so that the totals go on. Process context; nobody counts in @from
 * any more (a grace period passed since it was last reachable), while the
 * packet path may count in @to on this CPU: bottom halves are off.
 */
void vpce_counters_carry(const struct vpce_counters_ref *to, unsigned int ti,
			 const struct vpce_counters_ref *from, unsigned int fi)
{
	struct vpce_counters_sum s = {};
	struct vpce_counters *c;
	unsigned int d;

	vpce_counters_sum(from, fi, &s);
	local_bh_disable();
	c = vpce_counters_this(to, ti);
	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->conns, s.conns);
	u64_stats_add(&c->bytes, s.bytes);
	u64_stats_add(&c->rsts, s.rsts);
	for (d = 0; d < VPCE_DROP_MAX; d++)
		u64_stats_add(&c->drops[d], s.drops[d]);
	u64_stats_update_end(&c->syncp);
	local_bh_enable();
}

void vpce_counters_sum_add(struct vpce_counters_sum *sum,
			   const struct vpce_counters_sum *s)
{
	unsigned int d;

	sum->conns += s->conns;
	sum->bytes += s->bytes;
	sum->rsts += s->rsts;
	sum->active += s->active;
	for (d = 0; d < VPCE_DROP_MAX; d++)
		sum->drops[d] += s->drops[d];
}
