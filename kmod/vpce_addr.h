/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_ADDR_H
#define _VPCE_ADDR_H

#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <uapi/linux/vpce.h>

/*
 * An address of either family. Everything that stores or compares addresses
 * goes through this type so that IPv6 only has to be taught to the parsers
 * and the packet builders, not to every object.
 */
struct vpce_addr {
	union nf_inet_addr in;
	u8 family;		/* AF_INET or AF_INET6 */
};

/* An address with the zone it serves; the zone is an index into the zones
 * of the service the address belongs to.
 */
struct vpce_zone_addr {
	struct vpce_addr addr;
	char zone[VPCE_ZONE_MAX + 1];
};

/*
 * Per-family arrays (load balancer addresses, Maglev tables) are indexed by
 * vpce_fam(): IPv4 0, IPv6 1.
 */
#define VPCE_FAMILIES	2

static inline unsigned int vpce_fam(u8 family)
{
	return family == AF_INET6;
}

static inline const char *vpce_fam_name(u8 family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* A prefix: an address with its host bits zero, and its length. */
struct vpce_prefix {
	struct vpce_addr addr;
	u8 plen;
};

static inline bool vpce_addr_eq(const struct vpce_addr *a,
				const struct vpce_addr *b)
{
	return a->family == b->family && nf_inet_addr_cmp(&a->in, &b->in);
}

/*
 * The key of the packet path's address tables: an address and what it
 * belongs to (endpoint addresses by VPC, as VPCs may overlap; target
 * counters by service). Every packet of a flow looks up both, so the key
 * has a hash and a comparison of its own that read only the words its
 * family uses, rather than rhashtable's jhash2() and memcmp() over the whole
 * struct, padding and all, which cost three times as many instructions
 * (Documentation/performance.md, "Where a connection's time goes").
 */
struct vpce_owned_addr {
	const void *owner;
	struct vpce_addr addr;
};

static inline void vpce_owned_addr_set(struct vpce_owned_addr *k,
				       const void *owner, u8 family,
				       const union nf_inet_addr *in)
{
	k->owner = owner;
	k->addr.family = family;
	if (family == AF_INET6)
		k->addr.in.in6 = in->in6;
	else
		k->addr.in.ip = in->ip;
}

static inline u32 vpce_owned_addr_hash(const void *data, u32 len, u32 seed)
{
	const struct vpce_owned_addr *k = data;
	u32 owner = (u32)(unsigned long)k->owner;

	if (k->addr.family == AF_INET6)
		return jhash2(k->addr.in.all, 4, seed ^ owner);
	return jhash_2words(k->addr.in.ip, owner, seed);
}

static inline int vpce_owned_addr_cmp(struct rhashtable_compare_arg *arg,
				      const void *obj)
{
	const struct vpce_owned_addr *a = arg->key;
	const struct vpce_owned_addr *b = obj + arg->ht->p.key_offset;

	if (a->owner != b->owner || a->addr.family != b->addr.family)
		return 1;
	if (a->addr.family == AF_INET6)
		return !ipv6_addr_equal(&a->addr.in.in6, &b->addr.in.in6);
	return a->addr.in.ip != b->addr.in.ip;
}

/* The rhashtable parameters of a table of @type keyed by @key. */
#define VPCE_OWNED_ADDR_PARAMS(type, key, node) {			\
	.key_len = sizeof(struct vpce_owned_addr),			\
	.key_offset = offsetof(type, key),				\
	.head_offset = offsetof(type, node),				\
	.hashfn = vpce_owned_addr_hash,					\
	.obj_cmpfn = vpce_owned_addr_cmp,				\
	.automatic_shrinking = true,					\
}

#endif /* _VPCE_ADDR_H */
