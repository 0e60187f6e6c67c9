// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint IDs: AWS's form ("vpce-" and 17 lowercase hex digits), drawn
 * at random, and the set that keeps a namespace's unique.
 */

#include "vpce_epid.h"

#include <linux/bits.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#define VPCE_EPID_PREFIX	"vpce-"
#define VPCE_EPID_PREFIX_LEN	(sizeof(VPCE_EPID_PREFIX) - 1)
#define VPCE_EPID_DIGITS	(VPCE_ENDPOINT_ID_LEN - VPCE_EPID_PREFIX_LEN)

static_assert(VPCE_EPID_DIGITS == 17, "68 bits: the first digit and 64");

/* Lowercase only, as AWS writes them: one ID, one spelling. */
bool vpce_epid_parse(const char *s, struct vpce_epid *id)
{
	unsigned int i;

	if (strncmp(s, VPCE_EPID_PREFIX, VPCE_EPID_PREFIX_LEN))
		return false;
	s += VPCE_EPID_PREFIX_LEN;
	id->hi = 0;
	id->lo = 0;
	for (i = 0; i < VPCE_EPID_DIGITS; i++) {
		if (!isdigit(s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
		if (i)
			id->lo = id->lo << 4 | hex_to_bin(s[i]);
		else
			id->hi = hex_to_bin(s[i]);
	}
	return !s[i];
}

/* By hand, not snprintf(): a PROXY header carries it for every new flow. */
void vpce_epid_format(const struct vpce_epid *id, char buf[VPCE_EPID_BUF])
{
	const unsigned int plen = VPCE_EPID_PREFIX_LEN;
	unsigned int i;

	BUILD_BUG_ON(VPCE_EPID_PREFIX_LEN + 17 != VPCE_ENDPOINT_ID_LEN);

	memcpy(buf, VPCE_EPID_PREFIX, plen);
	buf[plen] = hex_asc_lo(id->hi);
	for (i = 0; i < 16; i++)
		buf[plen + 1 + i] = hex_asc_lo(id->lo >> (60 - 4 * i));
	buf[plen + 17] = '\0';
}

void vpce_epid_random(struct vpce_epid *id)
{
	id->lo = get_random_u64();
	id->hi = get_random_u32() & 0xf;
}

/*
 * The set: linear probing over a power-of-two array, up to 7/8 full. At
 * that load a search reads about 33 slots, two cache lines; the load keeps
 * 100,000 endpoints in 131,072 slots, 5 bytes an endpoint. A fingerprint
 * is a siphash of the ID under a key of the namespace, so that IDs given
 * by "restore" cannot be chosen to collide; its low bits are its home
 * slot, so the set can be rebuilt from the fingerprints alone.
 */
#define VPCE_EPID_SET_MIN	16
#define VPCE_EPID_SET_MAX	BIT(31)

static u32 vpce_epid_fp(const struct vpce_epid_set *set,
			const struct vpce_epid *id)
{
	u32 fp = siphash_2u64(id->lo, id->hi, &set->key);

	return fp ?: 1;		/* 0 marks an empty slot */
}

static void vpce_epid_slot_put(u32 *slot, u32 size, u32 fp)
{
	u32 i = fp & (size - 1);

	while (slot[i])
		i = (i + 1) & (size - 1);
	slot[i] = fp;
}

static int vpce_epid_set_resize(struct vpce_epid_set *set, u32 size)
{
	u32 *slot, i;

	slot = kvcalloc(size, sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < set->size; i++)
		if (set->slot[i])
			vpce_epid_slot_put(slot, size, set->slot[i]);
	kvfree(set->slot);
	set->slot = slot;
	set->size = size;
	return 0;
}

void vpce_epid_set_init(struct vpce_epid_set *set)
{
	memset(set, 0, sizeof(*set));
	get_random_bytes(&set->key, sizeof(set->key));
}

void vpce_epid_set_destroy(struct vpce_epid_set *set)
{
	kvfree(set->slot);
	set->slot = NULL;
	set->size = 0;
	set->count = 0;
}

bool vpce_epid_set_maybe(const struct vpce_epid_set *set,
			 const struct vpce_epid *id)
{
	u32 fp, i;

	if (!set->count)
		return false;
	fp = vpce_epid_fp(set, id);
	/* Never full: an empty slot ends every search. */
	for (i = fp & (set->size - 1); set->slot[i]; i = (i + 1) & (set->size - 1))
		if (set->slot[i] == fp)
			return true;
	return false;
}

int vpce_epid_set_reserve(struct vpce_epid_set *set)
{
	if ((u64)(set->count + 1) * 8 <= (u64)set->size * 7)
		return 0;
	if (set->size >= VPCE_EPID_SET_MAX)
		return -ENOMEM;
	return vpce_epid_set_resize(set, set->size ? set->size * 2 :
				    VPCE_EPID_SET_MIN);
}

void vpce_epid_set_add(struct vpce_epid_set *set, const struct vpce_epid *id)
{
	/* vpce_epid_set_reserve() made the room. */
	if (WARN_ON_ONCE((u64)(set->count + 1) * 8 > (u64)set->size * 7))
		return;
	vpce_epid_slot_put(set->slot, set->size, vpce_epid_fp(set, id));
	set->count++;
}

/*
 * Deleting from linear probing: the entries after the hole that may fill
 * it (those whose home is not cyclically in (hole, their slot]) move back
 * into it, so that every search still meets its entry before an empty
 * slot.
 */
static void vpce_epid_slot_clear(u32 *slot, u32 size, u32 i)
{
	u32 mask = size - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (!slot[j])
			break;
		home = slot[j] & mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		slot[i] = slot[j];
		i = j;
	}
	slot[i] = 0;
}

void vpce_epid_set_del(struct vpce_epid_set *set, const struct vpce_epid *id)
{
	u32 fp, i;

	if (WARN_ON_ONCE(!set->count))
		return;
	fp = vpce_epid_fp(set, id);
	for (i = fp & (set->size - 1); set->slot[i] != fp;
	     i = (i + 1) & (set->size - 1))
		if (WARN_ON_ONCE(!set->slot[i]))
			return;
	vpce_epid_slot_clear(set->slot, set->size, i);
	set->count--;
	/* Give back what a large namespace left: an eighth full, half the
	 * slots (at most a quarter full then). Failing to is harmless.
	 */
	if (!set->count)
		vpce_epid_set_destroy(set);
	else if (set->size > VPCE_EPID_SET_MIN && set->count * 8 < set->size)
		vpce_epid_set_resize(set, set->size / 2);
}
