// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * A security group's rules compiled for the packet path.
 *
 * A tenant chooses the source address and the port of every packet it
 * sends, and an SG may have 10,000 rules: the packet path must not walk
 * them. So every change compiles an SG's rules, in process context, into
 * an immutable table: one hash table entry per (family, protocol, prefix
 * length, masked prefix), each with its port ranges merged and sorted. A
 * lookup masks the source once per prefix length in use, finds the entry
 * in O(1) and binary-searches its ranges: O(prefix lengths x log ranges),
 * whatever the number of rules. The hash is SipHash with a key of the
 * table's own, and the table is at most half full, so sources cannot be
 * chosen to collide.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_sg_table.h"
#include "compat.h"
#include "vpce_sg.h"

#include <linux/netlink.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>

/* A rule expanded to one prefix and protocol, before merging. */
struct vpce_sg_raw {
	struct vpce_sg_key key;
	u16 lo;
	u16 hi;
};

static unsigned int vpce_sg_proto_idx(u8 proto)
{
	return proto == IPPROTO_UDP;
}

static void vpce_sg_key_set(struct vpce_sg_key *k, u8 family, u8 proto,
			    const union nf_inet_addr *addr, u8 plen)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = proto;
	k->plen = plen;
	if (family == AF_INET)
		k->addr.ip = plen ? addr->ip & htonl(~0U << (32 - plen)) : 0;
	else
		ipv6_addr_prefix(&k->addr.in6, &addr->in6, plen);
}

static u32 vpce_sg_hash(const struct vpce_sg_table *t,
			const struct vpce_sg_key *k)
{
	return (u32)siphash(k, sizeof(*k), &t->hkey) & t->mask;
}

static const struct vpce_sg_entry *
vpce_sg_table_find(const struct vpce_sg_table *t, const struct vpce_sg_key *k)
{
	u32 h = vpce_sg_hash(t, k);

	/* At most half full, with a key the tenant does not know. */
	for (;; h = (h + 1) & t->mask) {
		const struct vpce_sg_entry *e = &t->slots[h];

		if (!e->n)
			return NULL;
		if (!memcmp(&e->key, k, sizeof(*k)))
			return e;
	}
}

/* Whether the sorted, disjoint @r[0..n) hold @port: a binary search. */
static bool vpce_sg_ranges_have(const struct vpce_sg_range *r, u32 n, u16 port)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (port < r[mid].lo)
			hi = mid;
		else if (port > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool vpce_sg_table_allows(const struct vpce_sg_table *t, u8 family,
			  u8 proto, const union nf_inet_addr *src, u16 port)
{
	unsigned int f = vpce_fam(family), p = vpce_sg_proto_idx(proto), i;
	const struct vpce_sg_entry *e;
	struct vpce_sg_key k;

	for (i = 0; i < t->nplens[f][p]; i++) {
		vpce_sg_key_set(&k, family, proto, src, t->plens[f][p][i]);
		e = vpce_sg_table_find(t, &k);
		if (e && vpce_sg_ranges_have(&t->ranges[e->first], e->n, port))
			return true;
	}
	return false;
}

static void vpce_sg_ref_members(const struct vpce_sg_rule *r,
				const struct vpce_sg_members_change *chg,
				const struct vpce_prefix **m, u32 *n)
{
	if (!r->ref) {
		*m = &r->src;
		*n = 1;
	} else if (chg && r->ref == chg->sg) {
		*m = chg->members;
		*n = chg->n;
	} else {
		*m = r->ref->members;
		*n = r->ref->nmembers;
	}
}

/* The entries @rules expand to, before merging: what the limits count. */
static u64 vpce_sg_count(const struct vpce_sg_rule *rules, u32 nrules,
			 const struct vpce_sg_members_change *chg)
{
	const struct vpce_prefix *m;
	u64 total = 0;
	u32 i, n;

	for (i = 0; i < nrules; i++) {
		vpce_sg_ref_members(&rules[i], chg, &m, &n);
		total += (u64)n * (rules[i].proto ? 1 : VPCE_SG_PROTOS);
	}
	return total;
}

static int vpce_sg_raw_cmp(const void *a, const void *b)
{
	const struct vpce_sg_raw *x = a, *y = b;
	int ret = memcmp(&x->key, &y->key, sizeof(x->key));

	return ret ? ret : (int)x->lo - (int)y->lo;
}

static u32 vpce_sg_expand(struct vpce_sg_raw *raw,
			  const struct vpce_sg_rule *rules, u32 nrules,
			  const struct vpce_sg_members_change *chg)
{
	static const u8 protos[VPCE_SG_PROTOS] = { IPPROTO_TCP, IPPROTO_UDP };
	const struct vpce_prefix *m;
	u32 i, j, n, k = 0;
	unsigned int p;

	for (i = 0; i < nrules; i++) {
		const struct vpce_sg_rule *r = &rules[i];

		vpce_sg_ref_members(r, chg, &m, &n);
		for (j = 0; j < n; j++)
			for (p = 0; p < VPCE_SG_PROTOS; p++) {
				if (r->proto && r->proto != protos[p])
					continue;
				vpce_sg_key_set(&raw[k].key, m[j].addr.family,
						protos[p], &m[j].addr.in,
						m[j].plen);
				raw[k].lo = r->port_min;
				raw[k].hi = r->port_max;
				k++;
			}
	}
	return k;
}

static void vpce_sg_table_insert(struct vpce_sg_table *t,
				 const struct vpce_sg_key *k, u32 first, u32 n,
				 unsigned long (*plens)[VPCE_SG_PROTOS][BITS_TO_LONGS(129)])
{
	u32 h = vpce_sg_hash(t, k);

	while (t->slots[h].n)
		h = (h + 1) & t->mask;
	t->slots[h].key = *k;
	t->slots[h].first = first;
	t->slots[h].n = n;
	__set_bit(k->plen, plens[vpce_fam(k->family)][vpce_sg_proto_idx(k->proto)]);
}

/*
 * Walk the sorted @raw: one entry per key, its ranges merged. Into @t if
 * given, else only counted (entries into *@nent, ranges into *@nrng).
 */
static void vpce_sg_fold(const struct vpce_sg_raw *raw, u32 n,
			 struct vpce_sg_table *t, u32 *nent, u32 *nrng,
			 unsigned long (*plens)[VPCE_SG_PROTOS][BITS_TO_LONGS(129)])
{
	u32 i = 0, e = 0, r = 0, first, lo, hi;
	const struct vpce_sg_key *k;

	while (i < n) {
		k = &raw[i].key;
		first = r;
		lo = raw[i].lo;
		hi = raw[i].hi;
		for (i++; i < n && !memcmp(&raw[i].key, k, sizeof(*k)); i++) {
			if (raw[i].lo <= hi + 1) {
				hi = max_t(u32, hi, raw[i].hi);
				continue;
			}
			if (t)
				t->ranges[r] = (struct vpce_sg_range){ lo, hi };
			r++;
			lo = raw[i].lo;
			hi = raw[i].hi;
		}
		if (t) {
			t->ranges[r] = (struct vpce_sg_range){ lo, hi };
			vpce_sg_table_insert(t, k, first, r + 1 - first, plens);
		}
		r++;
		e++;
	}
	*nent = e;
	*nrng = r;
}

static void vpce_sg_table_plens(struct vpce_sg_table *t,
				unsigned long (*plens)[VPCE_SG_PROTOS][BITS_TO_LONGS(129)])
{
	unsigned int f, p, b;

	for (f = 0; f < VPCE_FAMILIES; f++)
		for (p = 0; p < VPCE_SG_PROTOS; p++)
			for_each_set_bit(b, plens[f][p], 129)
				t->plens[f][p][t->nplens[f][p]++] = b;
}

/*
 * The table of @rules, the members of the SGs they name as @chg changes
 * them. E2BIG past VPCE_SG_ENTRIES_MAX entries.
 */
struct vpce_sg_table *
vpce_sg_compile(const struct vpce_sg_rule *rules, u32 nrules,
		const struct vpce_sg_members_change *chg,
		struct netlink_ext_ack *extack)
{
	unsigned long plens[VPCE_FAMILIES][VPCE_SG_PROTOS][BITS_TO_LONGS(129)] = {};
	u64 total = vpce_sg_count(rules, nrules, chg);
	struct vpce_sg_table *t = NULL;
	struct vpce_sg_raw *raw;
	u32 nraw, nent, nrng, slots;

	if (total > VPCE_SG_ENTRIES_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "a security group's rules would make %llu entries (a rule per prefix and protocol, SG references counted as their members), more than %u",
				   total, VPCE_SG_ENTRIES_MAX);
		return ERR_PTR(-E2BIG);
	}
	raw = kvmalloc_array(total ?: 1, sizeof(*raw), GFP_KERNEL_ACCOUNT);
	if (!raw)
		return ERR_PTR(-ENOMEM);
	nraw = vpce_sg_expand(raw, rules, nrules, chg);
	sort(raw, nraw, sizeof(*raw), vpce_sg_raw_cmp, NULL);
	vpce_sg_fold(raw, nraw, NULL, &nent, &nrng, NULL);
	slots = roundup_pow_of_two(max_t(u32, 2 * nent, 2));
	t = kvzalloc(struct_size(t, slots, slots) +
		     (size_t)nrng * sizeof(struct vpce_sg_range),
		     GFP_KERNEL_ACCOUNT);
	if (t) {
		get_random_bytes(&t->hkey, sizeof(t->hkey));
		t->mask = slots - 1;
		t->entries = nraw;
		t->ranges = (struct vpce_sg_range *)&t->slots[slots];
		vpce_sg_fold(raw, nraw, t, &nent, &nrng, plens);
		vpce_sg_table_plens(t, plens);
	}
	kvfree(raw);
	return t ?: ERR_PTR(-ENOMEM);
}
