/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_SG_TABLE_H
#define _VPCE_SG_TABLE_H

#include "vpce_addr.h"

#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct vpce_sg;
struct vpce_sg_rule;

/* What an entry is found by; all bytes set (it is hashed and memcmp'ed). */
struct vpce_sg_key {
	union nf_inet_addr addr;	/* the prefix, host bits zero */
	u8 family;
	u8 proto;
	u8 plen;
	u8 pad[5];
};

struct vpce_sg_range {
	u16 lo;
	u16 hi;
};

struct vpce_sg_entry {
	struct vpce_sg_key key;
	u32 first;		/* its ranges: ranges[first..first + n) */
	u32 n;			/* 0: an empty slot */
};

/* Protocols by index: TCP, UDP (the only ones vpce forwards). */
#define VPCE_SG_PROTOS	2

struct vpce_sg_table {
	struct rcu_head rcu;
	siphash_key_t hkey;
	u32 mask;		/* slots - 1: open addressing, half full */
	u32 entries;		/* as counted against the limits */
	/* The prefix lengths in use, per family and protocol. */
	u8 nplens[VPCE_FAMILIES][VPCE_SG_PROTOS];
	u8 plens[VPCE_FAMILIES][VPCE_SG_PROTOS][129];
	struct vpce_sg_range *ranges;	/* after the slots */
	struct vpce_sg_entry slots[];
};

/*
 * A change being made: SG @sg's members become @members (@n), which
 * compiling the SGs that name it must use instead of its current ones.
 */
struct vpce_sg_members_change {
	const struct vpce_sg *sg;
	const struct vpce_prefix *members;
	u32 n;
};

/*
 * The table of @rules, with the members of the SGs they name (as @chg
 * changes them, if given). Process context; E2BIG past
 * VPCE_SG_ENTRIES_MAX entries. Freed with kvfree(), or kvfree_rcu(t, rcu)
 * once published.
 */
struct vpce_sg_table *
vpce_sg_compile(const struct vpce_sg_rule *rules, u32 nrules,
		const struct vpce_sg_members_change *chg,
		struct netlink_ext_ack *extack);

/* Packet path, under RCU: whether @t lets in @src to @port of @proto. */
bool vpce_sg_table_allows(const struct vpce_sg_table *t, u8 family,
			  u8 proto, const union nf_inet_addr *src, u16 port);

#endif /* _VPCE_SG_TABLE_H */
