/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_MAGLEV_H
#define _VPCE_MAGLEV_H

#include <linux/limits.h>
#include <linux/math.h>
#include <linux/types.h>

/*
 * Maglev lookup tables (Eisenbud et al., NSDI 2016, section 3.4).
 *
 * The size is a prime, so that every member's permutation (an offset and a
 * skip) visits every slot. A member with share s of the weights holds
 * ceil or floor of s * VPCE_MAGLEV_SIZE slots, so the imbalance between
 * equal members is at most one slot in VPCE_MAGLEV_SIZE / N: 1% at 655
 * targets, 1.6% at VPCE_TARGETS_MAX. 16381 (Cilium's default) would be 6%
 * there; 65537 is also Katran's. A table costs 128 KiB (u16 slots), paid
 * per service and zone, never per endpoint, and only by tables that have
 * a choice to make (see struct vpce_maglev).
 *
 * This file is also compiled as a userspace program by selftests/maglev.c,
 * which measures balance and disruption on the very code the kernel runs;
 * keep it free of anything but the few helpers selftests/kshim/ provides.
 */
#define VPCE_MAGLEV_SIZE	65537

/* A member's identity: its address family, then its address (16 bytes). */
#define VPCE_MAGLEV_ID_LEN	17

struct vpce_maglev_member {
	u8 id[VPCE_MAGLEV_ID_LEN];
	u16 weight;		/* 1..VPCE_WEIGHT_MAX */
	u16 index;		/* what the table's slots hold for it */
};

/*
 * A built table. A table of no member has nothing to choose; a table of
 * one member needs no slots, which keeps one-target zones free of 128 KiB.
 */
struct vpce_maglev {
	u16 n;			/* number of members */
	u16 one;		/* the member's index when n == 1 */
	u16 *slots;		/* VPCE_MAGLEV_SIZE indices when n > 1 */
};

/*
 * Fill @t from @n members (sorted in place by identity: the table depends
 * on the set of members, never on the order they were added in, so hosts
 * with the same targets build the same table). Sleeps; 0 or -ENOMEM.
 */
int vpce_maglev_build(struct vpce_maglev *t, struct vpce_maglev_member *m,
		      unsigned int n);

/*
 * Fill @t from @n members that were all members of @prev, with the same
 * weights: each keeps the slots it had in @prev, and only the slots of
 * the members that are gone are handed out again (so removing one of N
 * moves exactly its 1/N). @map turns each index that @prev's slots hold
 * into the member's index in @m, or VPCE_MAGLEV_GONE. The result depends
 * on @prev, that is on the history of removals since the last full build;
 * see Documentation/load-balancing.md. Sleeps; 0 or -ENOMEM.
 */
#define VPCE_MAGLEV_GONE	U16_MAX
int vpce_maglev_refill(struct vpce_maglev *t, struct vpce_maglev_member *m,
		       unsigned int n, const struct vpce_maglev *prev,
		       const u16 *map);
void vpce_maglev_free(struct vpce_maglev *t);

/* The member index for a flow hash; @t must have members. */
static inline u16 vpce_maglev_lookup(const struct vpce_maglev *t, u32 hash)
{
	if (t->n == 1)
		return t->one;
	return t->slots[reciprocal_scale(hash, VPCE_MAGLEV_SIZE)];
}

#endif /* _VPCE_MAGLEV_H */
