/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_EPID_H
#define _VPCE_EPID_H

#include <linux/siphash.h>
#include <linux/types.h>
#include <uapi/linux/vpce.h>

/*
 * An endpoint ID, AWS's "vpce-" and 17 hex digits: 68 bits, @hi the first
 * digit, @lo the other sixteen.
 */
struct vpce_epid {
	u64 lo;
	u8 hi;
};

static inline bool vpce_epid_eq(const struct vpce_epid *a,
				const struct vpce_epid *b)
{
	return a->lo == b->lo && a->hi == b->hi;
}

/* "vpce-..." and its NUL. */
#define VPCE_EPID_BUF	(VPCE_ENDPOINT_ID_LEN + 1)

bool vpce_epid_parse(const char *s, struct vpce_epid *id);
void vpce_epid_format(const struct vpce_epid *id, char buf[VPCE_EPID_BUF]);
void vpce_epid_random(struct vpce_epid *id);

/*
 * The IDs in use in a namespace, for the one question endpoint add asks:
 * may this ID be in use? A set of 32-bit keyed fingerprints, open
 * addressing, no pointer in the endpoint and 4 bytes a slot (kernel memory
 * per endpoint is on a budget: Documentation/performance.md). "Maybe" is
 * settled by the caller against the endpoints themselves; it is "no" but
 * for about one ID in 2^32 per endpoint in use. Under the namespace's
 * configuration mutex only: the packet path never asks.
 */
struct vpce_epid_set {
	u32 *slot;		/* 0: empty */
	u32 size;		/* a power of two, or 0 with no @slot */
	u32 count;
	siphash_key_t key;
};

void vpce_epid_set_init(struct vpce_epid_set *set);
void vpce_epid_set_destroy(struct vpce_epid_set *set);
bool vpce_epid_set_maybe(const struct vpce_epid_set *set,
			 const struct vpce_epid *id);
/* Room for one more, so that the add that follows cannot fail. */
int vpce_epid_set_reserve(struct vpce_epid_set *set);
void vpce_epid_set_add(struct vpce_epid_set *set, const struct vpce_epid *id);
void vpce_epid_set_del(struct vpce_epid_set *set, const struct vpce_epid *id);

#endif /* _VPCE_EPID_H */
