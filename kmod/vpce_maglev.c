// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Maglev consistent hashing with weights.
 *
 * Each member walks its own permutation of the slots (start at offset, step
 * by skip, both from a hash of its identity) and, in turns, takes the next
 * slot of its permutation that is still free. Maglev proper lets every
 * member take turns until the table is full, which gives equal shares. For
 * weights, each member first gets a quota of slots in proportion to its
 * weight (largest remainders, so the quotas add up to the table exactly),
 * and leaves the turns once its quota is met. A member's share is then its
 * weight's share to within one slot, and removing a member mostly hands
 * its own slots to the others: the survivors walk the same permutations in
 * the same order, and only where the removed member got in first do they
 * now find a free slot.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_maglev.h"

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/gcd.h>
#include <linux/minmax.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

/*
 * Permutations must be the same on every host, so their key is a constant,
 * not a secret: knowing it tells nothing about which target a flow gets,
 * because flows are hashed with the service's own key.
 */
static const siphash_key_t vpce_maglev_key = {
	{ 0x7670636520202020ULL, 0x6d61676c65762121ULL }
};

struct vpce_maglev_setup {
	u32 next;		/* next slot of the permutation to try */
	u32 skip;
	u32 quota;		/* slots still to take */
	u32 turns;		/* slots per round */
	u16 index;
};

struct vpce_maglev_rank {
	u32 rem;
	u32 i;
};

static int vpce_maglev_cmp_id(const void *a, const void *b)
{
	const struct vpce_maglev_member *x = a, *y = b;

	return memcmp(x->id, y->id, sizeof(x->id));
}

/* Largest remainder first; among equals, the first member. */
static int vpce_maglev_cmp_rank(const void *a, const void *b)
{
	const struct vpce_maglev_rank *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem < y->rem ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Quotas in proportion to the weights, adding up to VPCE_MAGLEV_SIZE. Every
 * member gets at least one slot: a target with a tiny share of a big
 * service still takes a few flows rather than silently none.
 */
static int vpce_maglev_quotas(struct vpce_maglev_setup *s,
			      const struct vpce_maglev_member *m,
			      unsigned int n)
{
	struct vpce_maglev_rank *rank;
	u32 total = 0, given = 0, x;
	unsigned int i, big;

	rank = kmalloc_array(n, sizeof(*rank), GFP_KERNEL_ACCOUNT);
	if (!rank)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		total += m[i].weight;
	/* 65537 * 256 fits in 32 bits, and total is at most 1024 * 256. */
	for (i = 0; i < n; i++) {
		x = VPCE_MAGLEV_SIZE * (u32)m[i].weight;
		s[i].quota = x / total;
		rank[i].rem = x % total;
		rank[i].i = i;
		given += s[i].quota;
	}
	sort(rank, n, sizeof(*rank), vpce_maglev_cmp_rank, NULL);
	for (i = 0; given < VPCE_MAGLEV_SIZE; i++, given++)
		s[rank[i].i].quota++;
	kfree(rank);

	for (i = 0; i < n; i++) {
		if (s[i].quota)
			continue;
		big = 0;
		for (x = 1; x < n; x++)
			if (s[x].quota > s[big].quota)
				big = x;
		s[big].quota--;
		s[i].quota = 1;
	}
	return 0;
}

/*
 * Each member's quota and permutation, in identity order (@m is sorted in
 * place): the table depends on the set of members, never on the order
 * they came in.
 */
static int vpce_maglev_setup(struct vpce_maglev_setup *s,
			     struct vpce_maglev_member *m, unsigned int n)
{
	unsigned int i, g = 0;
	int ret;
	u64 h;

	sort(m, n, sizeof(*m), vpce_maglev_cmp_id, NULL);
	ret = vpce_maglev_quotas(s, m, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		g = gcd(g, m[i].weight);
	for (i = 0; i < n; i++) {
		s[i].turns = m[i].weight / g;
		h = siphash(m[i].id, sizeof(m[i].id), &vpce_maglev_key);
		s[i].next = (h >> 32) % VPCE_MAGLEV_SIZE;
		s[i].skip = (u32)h % (VPCE_MAGLEV_SIZE - 1) + 1;
		s[i].index = m[i].index;
	}
	return 0;
}

/*
 * Give the @left slots not yet @taken to the @n members of @s.
 *
 * Rounds in identity order among the members with quota left, kept
 * compacted at the front of s[]; in each round a member takes as many
 * slots as its weight (over the weights' gcd). Taking by weight per round
 * rather than one slot each keeps the schedule of rounds the same when a
 * member goes (the others' turns do not change, only their quotas, which
 * end the last round), so the survivors find the slots they had before.
 * The quotas add up to at least @left, so a member with quota left finds
 * a free slot until none is left, and its permutation (the size is prime)
 * reaches every slot.
 */
static void vpce_maglev_fill(struct vpce_maglev *t,
			     struct vpce_maglev_setup *s, unsigned int n,
			     unsigned long *taken, u32 left)
{
	unsigned int i, j, k, live;
	u32 c;

	for (live = n; live && left; live = j) {
		for (i = 0, j = 0; i < live; i++) {
			struct vpce_maglev_setup *p = &s[i];

			for (k = min(p->turns, p->quota); k && left; k--) {
				for (c = p->next; test_bit(c, taken);) {
					c += p->skip;
					if (c >= VPCE_MAGLEV_SIZE)
						c -= VPCE_MAGLEV_SIZE;
				}
				__set_bit(c, taken);
				t->slots[c] = p->index;
				c += p->skip;
				if (c >= VPCE_MAGLEV_SIZE)
					c -= VPCE_MAGLEV_SIZE;
				p->next = c;
				p->quota--;
				left--;
			}
			if (p->quota)
				s[j++] = *p;
		}
	}
}

/*
 * Build @t from @n members, or, with @prev, refill @prev: a member of
 * @prev whose index @map (indexed by @prev's slot values) turns into one
 * of @m's keeps every slot it had, and only the slots of the others are
 * handed out again, by the same rounds, to the members short of their new
 * quota. Removing one of N members then moves exactly its own 1/N of the
 * slots, where a full rebuild also moves about half a percent of the
 * table between survivors (Maglev is only nearly minimal).
 */
static int vpce_maglev_make(struct vpce_maglev *t, struct vpce_maglev_member *m,
			    unsigned int n, const struct vpce_maglev *prev,
			    const u16 *map)
{
	struct vpce_maglev_setup *s;
	unsigned long *taken;
	u32 c, left = VPCE_MAGLEV_SIZE;
	unsigned int i, top = 0;
	u32 *kept = NULL;
	int ret = -ENOMEM;

	memset(t, 0, sizeof(*t));
	t->n = n;
	if (n == 1)
		t->one = m[0].index;
	if (n <= 1)
		return 0;

	s = kcalloc(n, sizeof(*s), GFP_KERNEL_ACCOUNT);
	taken = bitmap_zalloc(VPCE_MAGLEV_SIZE, GFP_KERNEL_ACCOUNT);
	t->slots = kvmalloc_array(VPCE_MAGLEV_SIZE, sizeof(*t->slots),
				  GFP_KERNEL_ACCOUNT);
	if (!s || !taken || !t->slots)
		goto out;
	ret = vpce_maglev_setup(s, m, n);
	if (ret)
		goto out;
	if (prev) {
		for (i = 0; i < n; i++)
			top = max_t(unsigned int, top, s[i].index);
		ret = -ENOMEM;
		kept = kcalloc(top + 1, sizeof(*kept), GFP_KERNEL_ACCOUNT);
		if (!kept)
			goto out;
		for (c = 0; c < VPCE_MAGLEV_SIZE; c++) {
			u16 x = map[prev->slots[c]];

			if (x == VPCE_MAGLEV_GONE)
				continue;
			t->slots[c] = x;
			__set_bit(c, taken);
			kept[x]++;
			left--;
		}
		/*
		 * A survivor's new quota is at least its old one, but for
		 * the rounding of the largest remainders: one slot more
		 * than its quota stays where it is rather than moving.
		 */
		for (i = 0; i < n; i++)
			s[i].quota -= min(s[i].quota, kept[s[i].index]);
	}
	vpce_maglev_fill(t, s, n, taken, left);
	ret = 0;
out:
	kfree(kept);
	bitmap_free(taken);
	kfree(s);
	if (ret) {
		kvfree(t->slots);
		memset(t, 0, sizeof(*t));
	}
	return ret;
}

int vpce_maglev_build(struct vpce_maglev *t, struct vpce_maglev_member *m,
		      unsigned int n)
{
	return vpce_maglev_make(t, m, n, NULL, NULL);
}

int vpce_maglev_refill(struct vpce_maglev *t, struct vpce_maglev_member *m,
		       unsigned int n, const struct vpce_maglev *prev,
		       const u16 *map)
{
	if (prev->n <= 1)
		return vpce_maglev_build(t, m, n);
	return vpce_maglev_make(t, m, n, prev, map);
}

void vpce_maglev_free(struct vpce_maglev *t)
{
	kvfree(t->slots);
	t->slots = NULL;
}
