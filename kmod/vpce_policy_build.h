/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The policy builder's state, shared by the attribute walk
 * (vpce_policy_build.c) and the pattern compiler (vpce_policy_pattern.c).
 * Private to those two; the evaluator never sees it.
 */

#ifndef _VPCE_POLICY_BUILD_H
#define _VPCE_POLICY_BUILD_H

#include "vpce_policy_int.h"

#include <linux/errno.h>
#include <linux/types.h>
#include <net/netlink.h>

/* Pattern flags. */
#define VPCE_PAT_WILD	0x01	/* '*' and '?' are wildcards */
#define VPCE_PAT_VARS	0x02	/* ${...} are policy variables */
#define VPCE_PAT_FOLD	0x04	/* stored lower-case, matched ignoring case */

struct vpce_build {
	struct vpce_policy *p;		/* NULL while counting */
	struct netlink_ext_ack *extack;
	const struct nlattr *at;	/* the string being compiled */
	bool vars;			/* 2012-10-17: policy variables */
	/* Counts in the first pass, fill cursors in the second. */
	u32 nstmts, nprincs, npats, npieces, nconds, nvals, nstrs;
	u32 nelems, inbytes;
	const struct nlattr *sids[VPCE_POLICY_STATEMENTS_MAX];
};

#define VPCE_ERR(b, attr, msg) ({					\
	NL_SET_ERR_MSG_ATTR((b)->extack, (attr), msg);			\
	-EINVAL;							\
})

/* Copy a string into p->strs; returns its offset. */
u32 vpce_str(struct vpce_build *b, const char *s, u32 len, bool lower);
/* Compile S into PAT's pieces; FLAGS are VPCE_PAT_*. */
int vpce_pat_compile(struct vpce_build *b, const char *s, u32 len,
		     unsigned int flags, struct vpce_pat *pat);
/* One pattern appended to p->pats. */
int vpce_pat_add(struct vpce_build *b, const char *s, u32 len,
		 unsigned int flags);
/* An ARN pattern: six patterns appended to p->pats. */
int vpce_arn_add(struct vpce_build *b, const char *s, u32 len);

#endif /* _VPCE_POLICY_BUILD_H */
