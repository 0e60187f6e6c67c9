/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The compiled form of an endpoint policy, private to the files that build
 * it (vpce_policy_build.c, vpce_policy_pattern.c) and the one that reads it
 * (vpce_policy_eval.c), and the small value parsers both sides share
 * (vpce_policy_value.c).
 *
 * A compiled policy is one allocation, immutable from the moment it is
 * built, freed whole after a grace period: the packet path reads it under
 * RCU with no lock and no reference count. Everything that can be decided
 * without a request is decided at build time: actions are lower-cased,
 * numbers, dates and CIDRs are binary, ARN patterns are pre-split into
 * their six parts, and every pattern is a short list of pieces (literal
 * text, '*', '?', policy variable) so that matching never copies or
 * substitutes anything.
 *
 * Nothing here knows netlink: the evaluator includes this header, and the
 * evaluator is a leaf (it is also compiled in userspace by
 * selftests/policyeval.c).
 */

#ifndef _VPCE_POLICY_INT_H
#define _VPCE_POLICY_INT_H

#include <linux/types.h>
#include <uapi/linux/vpce.h>

enum vpce_piece_kind {
	VPCE_PC_LIT,		/* literal text */
	VPCE_PC_STAR,		/* '*': any run of characters */
	VPCE_PC_QMARK,		/* '?': any one character */
	VPCE_PC_VAR,		/* ${key}: the key's value, matched literally */
	VPCE_PC_DEFAULT,	/* the default of the VAR before it */
};

struct vpce_piece {
	u32 off;		/* LIT, DEFAULT: text; VAR: key; in p->strs */
	u16 len;
	u8 kind;
	u8 var;			/* VAR: index among its pattern's variables */
};

struct vpce_pat {
	u32 first;		/* in p->pieces */
	u16 n;
	u8 nvars;
	u8 simple;		/* at most one LIT piece: compared directly */
};

/* A decimal number: i + f / 10^18, 0 <= f < 10^18 (so -1.5 is -2 + .5). */
struct vpce_num {
	s64 i;
	u64 f;
};

#define VPCE_FRAC_ONE	1000000000000000000ULL

struct vpce_cidr {
	u8 addr[16];		/* host bits cleared */
	u8 family;		/* AF_INET, AF_INET6 */
	u8 plen;
};

/* One condition value, in the form its operator compares. */
union vpce_val {
	struct vpce_pat pat;	/* String* */
	u32 arn;		/* Arn*: the first of six patterns in p->pats */
	struct vpce_num num;	/* Numeric* */
	s64 ms;			/* Date*: milliseconds since the epoch */
	struct vpce_cidr cidr;	/* IpAddress, NotIpAddress */
	bool b;			/* Bool, Null */
};

struct vpce_cond {
	u32 first;		/* in p->vals */
	u32 key;		/* in p->strs, lower case */
	u16 key_len;
	u16 n;
	u8 op;			/* enum vpce_cond_op */
	u8 qual;		/* enum vpce_cond_qualifier */
	bool if_exists;
	bool negated;
};

/*
 * A principal entry: KIND is an enum vpce_arn_kind; STR (LEN characters,
 * in p->strs) the role's name for a role, the whole ARN for a user, a
 * session or a federated user (see vpce_arn_names()).
 */
struct vpce_princ {
	u64 account;
	u32 str;
	u8 len;
	u8 kind;
};

struct vpce_stmt {
	u32 sid;		/* in p->strs; 0 is "" */
	u32 princ, act, res, cond;	/* first of each, in their arrays */
	u16 nprinc, nact, nres, ncond;
	u8 effect;
	bool not_princ, not_act, not_res;
};

struct vpce_policy {
	struct rcu_head rcu;	/* first: kvfree_rcu() needs a small offset */
	size_t size;
	u16 nstmts;
	u32 text_len;
	const struct vpce_stmt *stmts;
	const struct vpce_princ *princs;
	const struct vpce_pat *pats;
	const struct vpce_piece *pieces;
	const struct vpce_cond *conds;
	const union vpce_val *vals;
	const char *strs;
	const char *text;
	/* the arrays follow */
};

/*
 * Values in the form conditions compare them, parsed the same way from the
 * policy (at build time) and from the request (at evaluation time), so
 * that both sides agree on what a number, date, address or boolean is.
 */
/* Printable ASCII, what every string of a policy or request is made of. */
bool vpce_printable(const char *s, u32 len);
/* Context key names: what AWS's keys are made of, tags included. */
bool vpce_key_valid(const char *s, u32 len);
/* Decimal numbers of at most 18 digits before and after the point. */
bool vpce_parse_num(const char *s, u32 len, struct vpce_num *out);
/* Epoch seconds, or ISO 8601; milliseconds since the epoch. */
bool vpce_parse_date(const char *s, u32 len, s64 *ms);
/* An address, or with ALLOW_PREFIX also ADDR/LEN, IPv4 or IPv6. */
bool vpce_parse_cidr(const char *s, u32 len, struct vpce_cidr *c,
		     bool allow_prefix);
/* "true" or "false", in any case. */
bool vpce_parse_bool(const char *s, u32 len, bool *b);

#endif /* _VPCE_POLICY_INT_H */
