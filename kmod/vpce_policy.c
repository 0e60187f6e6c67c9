// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint policies: compilation from netlink attributes, and evaluation.
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
 * Building takes two passes over the attributes with the same code: the
 * first validates everything and counts, the second, into memory sized by
 * the first, fills in. Only the first pass can fail (on bad input), so a
 * half-built policy never exists.
 *
 * Evaluation allocates nothing and never recurses; wildcard matching is the
 * iterative greedy algorithm with one backtracking point, at worst
 * O(pattern x string), and every count it loops over is capped at build
 * time by the limits in the uapi header. Those caps still multiply to
 * billions of steps for a hostile policy and request, so each evaluation
 * also has a budget of VPCE_POLICY_EVAL_STEPS: the packet path runs it in
 * softirq, and the simulator for any caller, and neither may run for long.
 */

#include "vpce_policy.h"
#include "vpce_arn.h"

#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/inet.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time.h>

/* --- the compiled form ----------------------------------------------------- */

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

enum vpce_princ_kind {
	VPCE_PRINC_ANY,		/* "*" */
	VPCE_PRINC_ACCOUNT,	/* an account, or its root ARN */
	VPCE_PRINC_ARN,		/* a user or role ARN, matched exactly */
};

struct vpce_princ {
	u64 account;
	u32 arn;		/* in p->strs */
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

/* --- netlink policies -------------------------------------------------------- */

static const struct nla_policy vpce_cond_nl_policy[VPCE_COND_A_MAX + 1] = {
	[VPCE_COND_A_OP] = NLA_POLICY_MAX(NLA_U8, VPCE_COND_MAX),
	[VPCE_COND_A_QUALIFIER] = NLA_POLICY_MAX(NLA_U8,
						 VPCE_COND_QUALIFIER_MAX),
	[VPCE_COND_A_IF_EXISTS] = { .type = NLA_FLAG },
	[VPCE_COND_A_KEY] = { .type = NLA_NUL_STRING,
			      .len = VPCE_POLICY_STRING_MAX },
	[VPCE_COND_A_VALUES] = { .type = NLA_NESTED },
};

static const struct nla_policy vpce_stmt_nl_policy[VPCE_STMT_A_MAX + 1] = {
	[VPCE_STMT_A_SID] = { .type = NLA_NUL_STRING,
			      .len = VPCE_POLICY_STRING_MAX },
	[VPCE_STMT_A_EFFECT] = NLA_POLICY_MAX(NLA_U8, VPCE_EFFECT_MAX),
	[VPCE_STMT_A_PRINCIPALS] = { .type = NLA_NESTED },
	[VPCE_STMT_A_NOT_PRINCIPAL] = { .type = NLA_FLAG },
	[VPCE_STMT_A_ACTIONS] = { .type = NLA_NESTED },
	[VPCE_STMT_A_NOT_ACTION] = { .type = NLA_FLAG },
	[VPCE_STMT_A_RESOURCES] = { .type = NLA_NESTED },
	[VPCE_STMT_A_NOT_RESOURCE] = { .type = NLA_FLAG },
	[VPCE_STMT_A_CONDITIONS] = NLA_POLICY_NESTED_ARRAY(vpce_cond_nl_policy),
};

const struct nla_policy vpce_policy_nl_policy[VPCE_POLICY_A_MAX + 1] = {
	[VPCE_POLICY_A_VERSION] = NLA_POLICY_MAX(NLA_U8,
						 VPCE_POLICY_VERSION_MAX),
	[VPCE_POLICY_A_STATEMENTS] = NLA_POLICY_NESTED_ARRAY(vpce_stmt_nl_policy),
};

static const struct nla_policy vpce_ctx_nl_policy[VPCE_CTX_A_MAX + 1] = {
	[VPCE_CTX_A_KEY] = { .type = NLA_NUL_STRING,
			     .len = VPCE_POLICY_STRING_MAX },
	[VPCE_CTX_A_VALUES] = { .type = NLA_NESTED },
};

static struct netlink_range_validation vpce_req_account_range = {
	.max = VPCE_ACCOUNT_MAX,
};

const struct nla_policy vpce_request_nl_policy[VPCE_REQ_A_MAX + 1] = {
	[VPCE_REQ_A_ACTION] = { .type = NLA_NUL_STRING,
				.len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_RESOURCE] = { .type = NLA_NUL_STRING,
				  .len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_PRINCIPAL] = { .type = NLA_NUL_STRING,
				   .len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_ACCOUNT] = NLA_POLICY_FULL_RANGE(NLA_U64,
						     &vpce_req_account_range),
	[VPCE_REQ_A_CONTEXT] = NLA_POLICY_NESTED_ARRAY(vpce_ctx_nl_policy),
};

/* --- small parsers, shared by build and evaluation --------------------------- */

static bool vpce_printable(const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Context key names: what AWS's keys are made of, tags included. */
static bool vpce_key_valid(const char *s, u32 len)
{
	u32 i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!vpce_ascii_alnum(s[i]) && !strchr(":/_.-+=@", s[i]))
			return false;
	return true;
}

static bool vpce_digits(const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (!isdigit(s[i]))
			return false;
	return len > 0;
}

/* Decimal numbers of at most 18 digits before and after the point. */
static bool vpce_parse_num(const char *s, u32 len, struct vpce_num *out)
{
	u64 ip = 0, f = 0, scale = VPCE_FRAC_ONE / 10;
	u32 i = 0, nd = 0, nf = 0;
	bool neg = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && isdigit(s[i]); i++) {
		if (++nd > 18)
			return false;
		ip = ip * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit(s[i]); i++) {
			if (++nf > 18)
				return false;
			f += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (!nf)
			return false;
	}
	if (!nd || i != len)
		return false;
	if (neg && f) {
		out->i = -(s64)ip - 1;
		out->f = VPCE_FRAC_ONE - f;
	} else {
		out->i = neg ? -(s64)ip : (s64)ip;
		out->f = f;
	}
	return true;
}

static int vpce_num_cmp(const struct vpce_num *a, const struct vpce_num *b)
{
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->f != b->f)
		return a->f < b->f ? -1 : 1;
	return 0;
}

/* N decimal digits at S, as a number. */
static bool vpce_fixed(const char *s, u32 len, u32 at, u32 n, u32 *v)
{
	u32 i;

	if (at + n > len)
		return false;
	*v = 0;
	for (i = at; i < at + n; i++) {
		if (!isdigit(s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static u32 vpce_days_in_month(u32 year, u32 mon)
{
	static const u8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				   31 };
	bool leap = (year % 4 == 0 && year % 100) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap);
}

/*
 * Dates as AWS takes them: epoch seconds, or ISO 8601 YYYY-MM-DD with an
 * optional Thh:mm[:ss[.fff]] and time zone (Z or +hh:mm; UTC if none).
 */
static bool vpce_parse_date(const char *s, u32 len, s64 *ms)
{
	u32 y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, tzh, tzm, i, scale;
	s64 tz = 0;

	if (vpce_digits(s, len) && len <= 12) {
		s64 v = 0;

		for (i = 0; i < len; i++)
			v = v * 10 + (s[i] - '0');
		*ms = v * 1000;
		return true;
	}
	if (!vpce_fixed(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
	    !vpce_fixed(s, len, 5, 2, &mo) || s[7] != '-' ||
	    !vpce_fixed(s, len, 8, 2, &d) || y < 1 || mo < 1 || mo > 12 ||
	    d < 1 || d > vpce_days_in_month(y, mo))
		return false;
	i = 10;
	if (i < len) {
		if (s[i] != 'T' || !vpce_fixed(s, len, i + 1, 2, &h) ||
		    i + 3 >= len || s[i + 3] != ':' ||
		    !vpce_fixed(s, len, i + 4, 2, &mi) || h > 23 || mi > 59)
			return false;
		i += 6;
		if (i < len && s[i] == ':') {
			if (!vpce_fixed(s, len, i + 1, 2, &sec) || sec > 59)
				return false;
			i += 3;
			if (i < len && s[i] == '.') {
				/* Milliseconds; finer digits are dropped. */
				for (i++, scale = 100; i < len && isdigit(s[i]);
				     i++, scale /= 10)
					frac += (s[i] - '0') * scale;
				if (!isdigit(s[i - 1]))
					return false;
			}
		}
		if (i < len && s[i] == 'Z') {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			bool west = s[i] == '-';

			if (!vpce_fixed(s, len, i + 1, 2, &tzh))
				return false;
			if (i + 3 < len && s[i + 3] == ':') {
				if (!vpce_fixed(s, len, i + 4, 2, &tzm))
					return false;
				i += 6;
			} else if (vpce_fixed(s, len, i + 3, 2, &tzm)) {
				i += 5;
			} else {
				return false;
			}
			if (tzh > 23 || tzm > 59)
				return false;
			tz = (tzh * 60 + tzm) * 60;
			if (west)
				tz = -tz;
		}
	}
	if (i != len)
		return false;
	*ms = (mktime64(y, mo, d, h, mi, sec) - tz) * 1000 + frac;
	return true;
}

/* An address, or with ALLOW_PREFIX also ADDR/LEN, IPv4 or IPv6. */
static bool vpce_parse_cidr(const char *s, u32 len, struct vpce_cidr *c,
			    bool allow_prefix)
{
	const char *slash = memchr(s, '/', len), *end;
	u32 alen = slash ? slash - s : len, plen, max, i;
	char buf[INET6_ADDRSTRLEN + 8];

	if (!alen || alen >= sizeof(buf) || (slash && !allow_prefix))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(c, 0, sizeof(*c));
	if (memchr(buf, ':', alen)) {
		if (!in6_pton(buf, alen, c->addr, -1, &end))
			return false;
		c->family = AF_INET6;
		max = 128;
	} else {
		if (!in4_pton(buf, alen, c->addr, -1, &end))
			return false;
		c->family = AF_INET;
		max = 32;
	}
	if (end != buf + alen)
		return false;
	plen = max;
	if (slash) {
		u32 n = len - alen - 1;

		if (!vpce_digits(slash + 1, n) || n > 3 ||
		    (n > 1 && slash[1] == '0'))
			return false;
		for (plen = 0, i = 0; i < n; i++)
			plen = plen * 10 + (slash[1 + i] - '0');
		if (plen > max)
			return false;
	}
	c->plen = plen;
	/* Clear the host bits, so that matching compares whole bytes. */
	for (i = 0; i < 16; i++) {
		if (i * 8 >= plen)
			c->addr[i] = 0;
		else if (i * 8 + 8 > plen)
			c->addr[i] &= 0xff << (8 - (plen - i * 8));
	}
	return true;
}

static bool vpce_cidr_contains(const struct vpce_cidr *net,
			       const struct vpce_cidr *a)
{
	u32 full = net->plen / 8, rest = net->plen % 8;

	if (net->family != a->family)
		return false;
	if (memcmp(net->addr, a->addr, full))
		return false;
	return !rest || !((net->addr[full] ^ a->addr[full]) &
			  (0xff << (8 - rest)));
}

static bool vpce_parse_bool(const char *s, u32 len, bool *b)
{
	if (len == 4 && !strncasecmp(s, "true", 4))
		*b = true;
	else if (len == 5 && !strncasecmp(s, "false", 5))
		*b = false;
	else
		return false;
	return true;
}

static bool vpce_op_negated(u8 op)
{
	switch (op) {
	case VPCE_COND_STRING_NOT_EQUALS:
	case VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE:
	case VPCE_COND_STRING_NOT_LIKE:
	case VPCE_COND_NUMERIC_NOT_EQUALS:
	case VPCE_COND_DATE_NOT_EQUALS:
	case VPCE_COND_NOT_IP_ADDRESS:
	case VPCE_COND_ARN_NOT_EQUALS:
	case VPCE_COND_ARN_NOT_LIKE:
		return true;
	}
	return false;
}

/* --- building ------------------------------------------------------------------ */

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
static u32 vpce_str(struct vpce_build *b, const char *s, u32 len, bool lower)
{
	u32 off = b->nstrs, i;

	b->nstrs += len + 1;
	if (b->p) {
		char *d = (char *)b->p->strs + off;

		for (i = 0; i < len; i++)
			d[i] = lower ? tolower(s[i]) : s[i];
		d[len] = '\0';
	}
	return off;
}

static void vpce_piece_add(struct vpce_build *b, struct vpce_pat *pat,
			   u8 kind, u32 off, u32 len, u8 var)
{
	if (b->p) {
		struct vpce_piece *pc = (struct vpce_piece *)&b->p->pieces[b->npieces];

		pc->kind = kind;
		pc->off = off;
		pc->len = len;
		pc->var = var;
	}
	b->npieces++;
	pat->n++;
}

static void vpce_lit_add(struct vpce_build *b, struct vpce_pat *pat,
			 const char *s, u32 len, bool fold)
{
	if (len)
		vpce_piece_add(b, pat, VPCE_PC_LIT, vpce_str(b, s, len, fold),
			       len, 0);
}

/* ${key} or ${key, 'default'}, the text between the braces. */
static int vpce_var_add(struct vpce_build *b, struct vpce_pat *pat,
			const char *s, u32 len)
{
	const char *comma = memchr(s, ',', len), *q, *def;
	u32 klen = comma ? comma - s : len, dlen;

	while (klen && s[klen - 1] == ' ')
		klen--;
	if (!vpce_key_valid(s, klen))
		return VPCE_ERR(b, b->at, "invalid policy variable");
	if (pat->nvars == VPCE_POLICY_VARS_MAX)
		return VPCE_ERR(b, b->at, "too many policy variables in one string");
	vpce_piece_add(b, pat, VPCE_PC_VAR, vpce_str(b, s, klen, true), klen,
		       pat->nvars++);
	if (!comma)
		return 0;
	def = comma + 1;
	while (def < s + len && *def == ' ')
		def++;
	if (def == s + len || *def != '\'')
		return VPCE_ERR(b, b->at,
				"a policy variable's default must be quoted");
	def++;
	q = memchr(def, '\'', s + len - def);
	if (!q)
		return VPCE_ERR(b, b->at,
				"a policy variable's default must be quoted");
	dlen = q - def;
	for (q++; q < s + len; q++)
		if (*q != ' ')
			return VPCE_ERR(b, b->at, "invalid policy variable");
	vpce_piece_add(b, pat, VPCE_PC_DEFAULT, vpce_str(b, def, dlen, false),
		       dlen, 0);
	return 0;
}

/* Compile S into pieces: literal runs, wildcards, variables, escapes. */
static int vpce_pat_compile(struct vpce_build *b, const char *s, u32 len,
			    unsigned int flags, struct vpce_pat *pat)
{
	bool fold = flags & VPCE_PAT_FOLD, last_star = false;
	u32 i = 0, run = 0;
	int ret;

	memset(pat, 0, sizeof(*pat));
	pat->first = b->npieces;
	while (i < len) {
		char c = s[i];

		if ((flags & VPCE_PAT_VARS) && b->vars && c == '$' &&
		    i + 1 < len && s[i + 1] == '{') {
			const char *in = s + i + 2, *end;
			u32 ilen;

			vpce_lit_add(b, pat, s + run, i - run, fold);
			end = memchr(in, '}', s + len - in);
			if (!end)
				return VPCE_ERR(b, b->at,
						"unterminated policy variable");
			ilen = end - in;
			if (ilen == 1 && strchr("*?$", in[0])) {
				/* ${*}, ${?}, ${$}: the character itself. */
				vpce_lit_add(b, pat, in, 1, false);
			} else {
				ret = vpce_var_add(b, pat, in, ilen);
				if (ret)
					return ret;
			}
			i = end - s + 1;
			run = i;
			last_star = false;
			continue;
		}
		if ((flags & VPCE_PAT_WILD) && (c == '*' || c == '?')) {
			vpce_lit_add(b, pat, s + run, i - run, fold);
			/* "**" is "*": fewer backtracking points. */
			if (c == '?' || !last_star || run != i)
				vpce_piece_add(b, pat, c == '*' ? VPCE_PC_STAR :
					       VPCE_PC_QMARK, 0, 0, 0);
			last_star = c == '*';
			run = ++i;
			continue;
		}
		last_star = false;
		i++;
	}
	vpce_lit_add(b, pat, s + run, i - run, fold);
	if (b->p) {
		const struct vpce_piece *pc = &b->p->pieces[pat->first];

		pat->simple = pat->n == 0 ||
			      (pat->n == 1 && pc->kind == VPCE_PC_LIT);
	}
	return 0;
}

/* One pattern appended to p->pats. */
static int vpce_pat_add(struct vpce_build *b, const char *s, u32 len,
			unsigned int flags)
{
	struct vpce_pat pat;
	int ret;

	ret = vpce_pat_compile(b, s, len, flags, &pat);
	if (ret)
		return ret;
	if (b->p)
		((struct vpce_pat *)b->p->pats)[b->npats] = pat;
	b->npats++;
	return 0;
}

/* An ARN pattern: six patterns, split at the first five ':' outside ${}. */
static int vpce_arn_add(struct vpce_build *b, const char *s, u32 len)
{
	u32 i, start = 0, seg = 0;
	bool in_var = false;
	int ret;

	for (i = 0; i < len && seg < 5; i++) {
		if (b->vars && s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			in_var = true;
		} else if (in_var && s[i] == '}') {
			in_var = false;
		} else if (!in_var && s[i] == ':') {
			ret = vpce_pat_add(b, s + start, i - start,
					   VPCE_PAT_WILD | VPCE_PAT_VARS);
			if (ret)
				return ret;
			start = i + 1;
			seg++;
		}
	}
	if (seg < 5)
		return VPCE_ERR(b, b->at, "not an ARN (six ':'-separated parts)");
	return vpce_pat_add(b, s + start, len - start,
			    VPCE_PAT_WILD | VPCE_PAT_VARS);
}

/*
 * Check one member of a string array; *LEN gets its length. Strings carry
 * their NUL, have no other, and are printable.
 */
static int vpce_strarr_elem(struct vpce_build *b, const struct nlattr *a,
			    bool allow_empty, u32 *len)
{
	const char *s = nla_data(a);
	int l = nla_len(a);

	if (l < 1 || s[l - 1] || strnlen(s, l) != l - 1)
		return VPCE_ERR(b, a, "expected a NUL-terminated string");
	*len = l - 1;
	if (*len > VPCE_POLICY_STRING_MAX)
		return VPCE_ERR(b, a, "string too long");
	if (!*len && !allow_empty)
		return VPCE_ERR(b, a, "empty string");
	if (!vpce_printable(s, *len))
		return VPCE_ERR(b, a, "strings must be printable ASCII");
	b->inbytes += *len;
	if (b->inbytes > VPCE_POLICY_BYTES_MAX)
		return VPCE_ERR(b, a, "the policy's strings are too long");
	if (++b->nelems > VPCE_POLICY_ELEMENTS_MAX)
		return VPCE_ERR(b, a, "too many elements in the policy");
	return 0;
}

/* The children of a string array, and a check that nothing trails them. */
#define vpce_for_each_str(pos, nest, rem) nla_for_each_nested(pos, nest, rem)

static int vpce_strarr_end(struct vpce_build *b, const struct nlattr *nest,
			   int rem, u32 n)
{
	if (rem > 0)
		return VPCE_ERR(b, nest, "trailing bytes in a nested array");
	if (!n)
		return VPCE_ERR(b, nest, "an empty list");
	return 0;
}

static int vpce_principals(struct vpce_build *b, const struct nlattr *nest,
			   u16 *count)
{
	const struct nlattr *a;
	struct vpce_arn arn;
	u32 n = 0, len;
	int rem, ret;

	vpce_for_each_str(a, nest, rem) {
		struct vpce_princ pr = {};

		ret = vpce_strarr_elem(b, a, false, &len);
		if (ret)
			return ret;
		/* The forms service permissions take, parsed the same way. */
		if (vpce_arn_parse(nla_data(a), &arn))
			return VPCE_ERR(b, a,
					"not *, an account or an IAM root/user/role ARN");
		pr.account = arn.account;
		switch (arn.kind) {
		case VPCE_ARN_ANY:
			pr.kind = VPCE_PRINC_ANY;
			break;
		case VPCE_ARN_ROOT:
			pr.kind = VPCE_PRINC_ACCOUNT;
			break;
		default:
			pr.kind = VPCE_PRINC_ARN;
			pr.arn = vpce_str(b, arn.text, strlen(arn.text), false);
		}
		if (b->p)
			((struct vpce_princ *)b->p->princs)[b->nprincs] = pr;
		b->nprincs++;
		n++;
	}
	*count = n;
	return vpce_strarr_end(b, nest, rem, n);
}

static int vpce_patterns(struct vpce_build *b, const struct nlattr *nest,
			 unsigned int flags, u16 *count)
{
	const struct nlattr *a;
	int rem, ret;
	u32 n = 0, len;

	vpce_for_each_str(a, nest, rem) {
		ret = vpce_strarr_elem(b, a, false, &len);
		if (ret)
			return ret;
		b->at = a;
		ret = vpce_pat_add(b, nla_data(a), len, flags);
		if (ret)
			return ret;
		n++;
	}
	*count = n;
	return vpce_strarr_end(b, nest, rem, n);
}

/* One condition value, in the form OP compares. */
static int vpce_cond_value(struct vpce_build *b, u8 op, const struct nlattr *a,
			   u32 len)
{
	const char *s = nla_data(a);
	union vpce_val v = {};
	unsigned int flags = VPCE_PAT_VARS;
	int ret;

	b->at = a;
	switch (op) {
	case VPCE_COND_STRING_EQUALS_IGNORE_CASE:
	case VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE:
		flags |= VPCE_PAT_FOLD;
		fallthrough;
	case VPCE_COND_STRING_EQUALS:
	case VPCE_COND_STRING_NOT_EQUALS:
		ret = vpce_pat_compile(b, s, len, flags, &v.pat);
		break;
	case VPCE_COND_STRING_LIKE:
	case VPCE_COND_STRING_NOT_LIKE:
		ret = vpce_pat_compile(b, s, len, flags | VPCE_PAT_WILD,
				       &v.pat);
		break;
	case VPCE_COND_NUMERIC_EQUALS ... VPCE_COND_NUMERIC_GREATER_THAN_EQUALS:
		ret = vpce_parse_num(s, len, &v.num) ? 0 :
			VPCE_ERR(b, a, "invalid number");
		break;
	case VPCE_COND_DATE_EQUALS ... VPCE_COND_DATE_GREATER_THAN_EQUALS:
		ret = vpce_parse_date(s, len, &v.ms) ? 0 :
			VPCE_ERR(b, a, "invalid date (ISO 8601 or epoch seconds)");
		break;
	case VPCE_COND_BOOL:
	case VPCE_COND_NULL:
		ret = vpce_parse_bool(s, len, &v.b) ? 0 :
			VPCE_ERR(b, a, "expected true or false");
		break;
	case VPCE_COND_IP_ADDRESS:
	case VPCE_COND_NOT_IP_ADDRESS:
		ret = vpce_parse_cidr(s, len, &v.cidr, true) ? 0 :
			VPCE_ERR(b, a, "invalid CIDR");
		break;
	default:	/* Arn* */
		v.arn = b->npats;
		ret = vpce_arn_add(b, s, len);
		break;
	}
	if (ret)
		return ret;
	if (b->p)
		((union vpce_val *)b->p->vals)[b->nvals] = v;
	b->nvals++;
	return 0;
}

static int vpce_condition(struct vpce_build *b, const struct nlattr *nest)
{
	struct nlattr *tb[VPCE_COND_A_MAX + 1];
	const struct nlattr *a, *key;
	struct vpce_cond c = {};
	int rem, ret;
	u32 len;

	ret = nla_parse_nested(tb, VPCE_COND_A_MAX, nest, vpce_cond_nl_policy,
			       b->extack);
	if (ret)
		return ret;
	if (!tb[VPCE_COND_A_OP] || !tb[VPCE_COND_A_KEY] ||
	    !tb[VPCE_COND_A_VALUES]) {
		NL_SET_ERR_ATTR_MISS(b->extack, nest,
				     !tb[VPCE_COND_A_OP] ? VPCE_COND_A_OP :
				     !tb[VPCE_COND_A_KEY] ? VPCE_COND_A_KEY :
				     VPCE_COND_A_VALUES);
		NL_SET_ERR_MSG(b->extack,
			       "a condition needs an operator, a key and values");
		return -EINVAL;
	}
	c.op = nla_get_u8(tb[VPCE_COND_A_OP]);
	c.qual = tb[VPCE_COND_A_QUALIFIER] ?
		nla_get_u8(tb[VPCE_COND_A_QUALIFIER]) : 0;
	c.if_exists = !!tb[VPCE_COND_A_IF_EXISTS];
	c.negated = vpce_op_negated(c.op);
	if (c.op == VPCE_COND_NULL && (c.qual || c.if_exists))
		return VPCE_ERR(b, tb[c.qual ? VPCE_COND_A_QUALIFIER :
				      VPCE_COND_A_IF_EXISTS],
				"Null takes no qualifier and no IfExists");
	key = tb[VPCE_COND_A_KEY];
	len = nla_len(key) - 1;
	if (strnlen(nla_data(key), nla_len(key)) != len ||
	    !vpce_key_valid(nla_data(key), len))
		return VPCE_ERR(b, key, "invalid condition key");
	b->inbytes += len;
	c.key = vpce_str(b, nla_data(key), len, true);
	c.key_len = len;
	c.first = b->nvals;
	vpce_for_each_str(a, tb[VPCE_COND_A_VALUES], rem) {
		ret = vpce_strarr_elem(b, a, true, &len);
		if (!ret)
			ret = vpce_cond_value(b, c.op, a, len);
		if (ret)
			return ret;
		c.n++;
	}
	ret = vpce_strarr_end(b, tb[VPCE_COND_A_VALUES], rem, c.n);
	if (ret)
		return ret;
	if (b->p)
		((struct vpce_cond *)b->p->conds)[b->nconds] = c;
	b->nconds++;
	return 0;
}

static int vpce_statement(struct vpce_build *b, const struct nlattr *nest)
{
	struct nlattr *tb[VPCE_STMT_A_MAX + 1];
	struct vpce_stmt st = {};
	const struct nlattr *a;
	int rem, ret, i;

	ret = nla_parse_nested(tb, VPCE_STMT_A_MAX, nest, vpce_stmt_nl_policy,
			       b->extack);
	if (ret)
		return ret;
	for (i = 0; i < 4; i++) {
		static const int req[] = { VPCE_STMT_A_EFFECT,
			VPCE_STMT_A_PRINCIPALS, VPCE_STMT_A_ACTIONS,
			VPCE_STMT_A_RESOURCES };

		if (!tb[req[i]]) {
			NL_SET_ERR_ATTR_MISS(b->extack, nest, req[i]);
			NL_SET_ERR_MSG(b->extack,
				       "a statement needs an effect, principals, actions and resources");
			return -EINVAL;
		}
	}
	st.effect = nla_get_u8(tb[VPCE_STMT_A_EFFECT]);
	st.not_princ = !!tb[VPCE_STMT_A_NOT_PRINCIPAL];
	st.not_act = !!tb[VPCE_STMT_A_NOT_ACTION];
	st.not_res = !!tb[VPCE_STMT_A_NOT_RESOURCE];

	a = tb[VPCE_STMT_A_SID];
	if (a) {
		u32 len = nla_len(a) - 1;

		if (!len || strnlen(nla_data(a), nla_len(a)) != len ||
		    !vpce_printable(nla_data(a), len))
			return VPCE_ERR(b, a, "a Sid is 1 or more printable characters");
		for (i = 0; i < b->nstmts; i++)
			if (b->sids[i] && nla_strcmp(b->sids[i], nla_data(a)) == 0)
				return VPCE_ERR(b, a, "duplicate Sid");
		b->inbytes += len;
		st.sid = vpce_str(b, nla_data(a), len, false);
	}
	b->sids[b->nstmts] = a;

	st.princ = b->nprincs;
	ret = vpce_principals(b, tb[VPCE_STMT_A_PRINCIPALS], &st.nprinc);
	if (ret)
		return ret;
	st.act = b->npats;
	ret = vpce_patterns(b, tb[VPCE_STMT_A_ACTIONS],
			    VPCE_PAT_WILD | VPCE_PAT_FOLD, &st.nact);
	if (ret)
		return ret;
	st.res = b->npats;
	ret = vpce_patterns(b, tb[VPCE_STMT_A_RESOURCES],
			    VPCE_PAT_WILD | VPCE_PAT_VARS, &st.nres);
	if (ret)
		return ret;
	st.cond = b->nconds;
	if (tb[VPCE_STMT_A_CONDITIONS]) {
		nla_for_each_nested(a, tb[VPCE_STMT_A_CONDITIONS], rem) {
			if (st.ncond == VPCE_POLICY_CONDITIONS_MAX)
				return VPCE_ERR(b, a, "too many conditions in one statement");
			ret = vpce_condition(b, a);
			if (ret)
				return ret;
			st.ncond++;
		}
		if (rem > 0)
			return VPCE_ERR(b, tb[VPCE_STMT_A_CONDITIONS],
					"trailing bytes in a nested array");
	}
	if (b->p)
		((struct vpce_stmt *)b->p->stmts)[b->nstmts] = st;
	b->nstmts++;
	return 0;
}

static int vpce_build_pass(struct vpce_build *b, struct nlattr **tb)
{
	const struct nlattr *a;
	int rem, ret;

	b->vars = nla_get_u8(tb[VPCE_POLICY_A_VERSION]) ==
		  VPCE_POLICY_VERSION_2012_10_17;
	b->nstmts = 0;
	b->nprincs = 0;
	b->npats = 0;
	b->npieces = 0;
	b->nconds = 0;
	b->nvals = 0;
	b->nelems = 0;
	b->inbytes = 0;
	b->nstrs = 1;		/* offset 0 is "" */
	nla_for_each_nested(a, tb[VPCE_POLICY_A_STATEMENTS], rem) {
		if (b->nstmts == VPCE_POLICY_STATEMENTS_MAX)
			return VPCE_ERR(b, a, "too many statements");
		ret = vpce_statement(b, a);
		if (ret)
			return ret;
	}
	if (rem > 0)
		return VPCE_ERR(b, tb[VPCE_POLICY_A_STATEMENTS],
				"trailing bytes in a nested array");
	if (!b->nstmts)
		return VPCE_ERR(b, tb[VPCE_POLICY_A_STATEMENTS],
				"a policy needs at least one statement");
	return 0;
}

/* Place N objects of SIZE and ALIGN at *OFF; returns where they start. */
static size_t vpce_carve(size_t *off, size_t align, size_t n, size_t size)
{
	size_t at = ALIGN(*off, align);

	*off = at + n * size;
	return at;
}

/*
 * Carve the arrays out of one allocation, each aligned for its type; with
 * P NULL, only compute the size.
 */
static size_t vpce_layout(struct vpce_policy *p, const struct vpce_build *b,
			  u32 text_len)
{
	size_t off = sizeof(*p), o_stmts, o_princs, o_pats, o_pieces, o_conds,
	       o_vals, o_strs, o_text;
	char *base = (char *)p;

	o_stmts = vpce_carve(&off, __alignof__(struct vpce_stmt), b->nstmts,
			     sizeof(struct vpce_stmt));
	o_princs = vpce_carve(&off, __alignof__(struct vpce_princ), b->nprincs,
			      sizeof(struct vpce_princ));
	o_pats = vpce_carve(&off, __alignof__(struct vpce_pat), b->npats,
			    sizeof(struct vpce_pat));
	o_pieces = vpce_carve(&off, __alignof__(struct vpce_piece), b->npieces,
			      sizeof(struct vpce_piece));
	o_conds = vpce_carve(&off, __alignof__(struct vpce_cond), b->nconds,
			     sizeof(struct vpce_cond));
	o_vals = vpce_carve(&off, __alignof__(union vpce_val), b->nvals,
			    sizeof(union vpce_val));
	o_strs = vpce_carve(&off, 1, b->nstrs, 1);
	o_text = vpce_carve(&off, 1, text_len + 1, 1);
	if (p) {
		p->stmts = (void *)(base + o_stmts);
		p->princs = (void *)(base + o_princs);
		p->pats = (void *)(base + o_pats);
		p->pieces = (void *)(base + o_pieces);
		p->conds = (void *)(base + o_conds);
		p->vals = (void *)(base + o_vals);
		p->strs = base + o_strs;
		p->text = base + o_text;
	}
	return off;
}

struct vpce_policy *vpce_policy_build(const struct nlattr *policy,
				      const struct nlattr *text,
				      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_POLICY_A_MAX + 1];
	struct vpce_policy *p;
	struct vpce_build *b;
	u32 text_len = 0;
	size_t size;
	int ret;

	ret = nla_parse_nested(tb, VPCE_POLICY_A_MAX, policy,
			       vpce_policy_nl_policy, extack);
	if (ret)
		return ERR_PTR(ret);
	if (!tb[VPCE_POLICY_A_VERSION] || !tb[VPCE_POLICY_A_STATEMENTS]) {
		NL_SET_ERR_ATTR_MISS(extack, policy,
				     tb[VPCE_POLICY_A_VERSION] ?
				     VPCE_POLICY_A_STATEMENTS :
				     VPCE_POLICY_A_VERSION);
		NL_SET_ERR_MSG(extack, "a policy needs a version and statements");
		return ERR_PTR(-EINVAL);
	}
	if (text) {
		text_len = strnlen(nla_data(text), nla_len(text));
		if (text_len > VPCE_POLICY_TEXT_MAX || text_len + 1 != nla_len(text)) {
			NL_SET_ERR_MSG_ATTR(extack, text,
					    "the policy text must be a string of at most 20480 characters");
			return ERR_PTR(-EINVAL);
		}
	}

	/* The builder holds the Sid table: too big for the stack. */
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->extack = extack;
	ret = vpce_build_pass(b, tb);
	if (ret) {
		p = ERR_PTR(ret);
		goto out;
	}
	size = vpce_layout(NULL, b, text_len);
	p = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p) {
		p = ERR_PTR(-ENOMEM);
		goto out;
	}
	vpce_layout(p, b, text_len);
	p->size = size;
	p->nstmts = b->nstmts;
	p->text_len = text_len;
	if (text_len)
		memcpy((char *)p->text, nla_data(text), text_len);
	b->p = p;
	/* Cannot fail: the same input passed the first pass. */
	ret = vpce_build_pass(b, tb);
	if (WARN_ON_ONCE(ret)) {
		kvfree(p);
		p = ERR_PTR(ret);
	}
out:
	kfree(b);
	return p;
}

void vpce_policy_free(struct vpce_policy *p)
{
	kvfree(p);
}

void vpce_policy_free_rcu(struct vpce_policy *p)
{
	if (p)
		kvfree_rcu(p, rcu);
}

int vpce_policy_put_text(struct sk_buff *skb, int type,
			 const struct vpce_policy *p)
{
	if (!p || !p->text_len)
		return 0;
	return nla_put(skb, type, p->text_len + 1, p->text);
}

size_t vpce_policy_size(const struct vpce_policy *p)
{
	return p ? p->size : 0;
}

unsigned int vpce_policy_statements(const struct vpce_policy *p)
{
	return p ? p->nstmts : 0;
}

const char *vpce_policy_sid(const struct vpce_policy *p, unsigned int i)
{
	return i < p->nstmts ? p->strs + p->stmts[i].sid : "";
}

/* --- requests ------------------------------------------------------------------- */

void vpce_request_init(struct vpce_request *req, const char *action,
		       const char *resource, const char *principal,
		       u64 account)
{
	req->action = action;
	req->action_len = strlen(action);
	req->resource = resource;
	req->resource_len = strlen(resource);
	req->principal = principal;
	req->account = account;
	req->nkeys = 0;
	req->nvals = 0;
	req->buf_used = 0;
}

static int vpce_req_find(const struct vpce_request *req, const char *key,
			 u32 len)
{
	int i;

	for (i = 0; i < req->nkeys; i++)
		if (req->keys[i].len == len &&
		    !strncasecmp(req->keys[i].name, key, len))
			return i;
	return -1;
}

bool vpce_request_has(const struct vpce_request *req, const char *key)
{
	return vpce_req_find(req, key, strlen(key)) >= 0;
}

static int vpce_request_add_len(struct vpce_request *req, const char *key,
				const char *value, u32 vlen)
{
	u32 klen = strlen(key);
	int k;

	if (req->nvals == VPCE_REQUEST_VALUES_MAX || vlen > U16_MAX ||
	    klen > U16_MAX)
		return -ENOSPC;
	k = vpce_req_find(req, key, klen);
	if (k < 0) {
		if (req->nkeys == VPCE_REQUEST_KEYS_MAX)
			return -ENOSPC;
		k = req->nkeys++;
		req->keys[k].name = key;
		req->keys[k].len = klen;
	}
	req->vals[req->nvals].s = value;
	req->vals[req->nvals].len = vlen;
	req->vals[req->nvals].key = k;
	req->nvals++;
	return 0;
}

int vpce_request_add(struct vpce_request *req, const char *key,
		     const char *value)
{
	return vpce_request_add_len(req, key, value, strlen(value));
}

int vpce_request_addf(struct vpce_request *req, const char *key,
		      const char *fmt, ...)
{
	u32 room = sizeof(req->buf) - req->buf_used;
	char *s = req->buf + req->buf_used;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(s, room, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= room)
		return -ENOSPC;
	ret = vpce_request_add_len(req, key, s, n);
	if (!ret)
		req->buf_used += n + 1;
	return ret;
}

int vpce_request_add_principal(struct vpce_request *req)
{
	int ret = 0;

	if (!vpce_request_has(req, "aws:PrincipalArn"))
		ret = vpce_request_add(req, "aws:PrincipalArn", req->principal);
	if (!ret && !vpce_request_has(req, "aws:PrincipalAccount"))
		ret = vpce_request_addf(req, "aws:PrincipalAccount", "%012llu",
					req->account);
	return ret;
}

int vpce_request_add_time(struct vpce_request *req, time64_t now)
{
	struct tm tm;
	int ret = 0;

	if (!vpce_request_has(req, "aws:CurrentTime")) {
		time64_to_tm(now, 0, &tm);
		ret = vpce_request_addf(req, "aws:CurrentTime",
					"%04ld-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year + 1900, tm.tm_mon + 1,
					tm.tm_mday, tm.tm_hour, tm.tm_min,
					tm.tm_sec);
	}
	if (!ret && !vpce_request_has(req, "aws:EpochTime"))
		ret = vpce_request_addf(req, "aws:EpochTime", "%lld",
					(long long)now);
	return ret;
}

/* A request string attribute: printable, within the request's budget. */
static const char *vpce_req_str(const struct nlattr *a, u32 *budget,
				bool allow_empty,
				struct netlink_ext_ack *extack)
{
	const char *s = nla_data(a);
	int l = nla_len(a);

	if (l < 1 || s[l - 1] || strnlen(s, l) != l - 1 ||
	    l - 1 > VPCE_POLICY_STRING_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, a, "expected a NUL-terminated string");
		return NULL;
	}
	if ((l == 1 && !allow_empty) || !vpce_printable(s, l - 1)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "expected a non-empty printable string");
		return NULL;
	}
	if (l - 1 > *budget) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the request is too long");
		return NULL;
	}
	*budget -= l - 1;
	return s;
}

int vpce_request_parse(struct vpce_request *req, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_REQ_A_MAX + 1];
	const char *action, *resource, *principal;
	u32 budget = VPCE_REQUEST_BYTES_MAX;
	const struct nlattr *e;
	struct vpce_arn arn;
	u64 account;
	int rem, ret;

	ret = nla_parse_nested(tb, VPCE_REQ_A_MAX, nest, vpce_request_nl_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[VPCE_REQ_A_ACTION] || !tb[VPCE_REQ_A_RESOURCE] ||
	    !tb[VPCE_REQ_A_PRINCIPAL]) {
		NL_SET_ERR_ATTR_MISS(extack, nest,
				     !tb[VPCE_REQ_A_ACTION] ? VPCE_REQ_A_ACTION :
				     !tb[VPCE_REQ_A_RESOURCE] ?
				     VPCE_REQ_A_RESOURCE : VPCE_REQ_A_PRINCIPAL);
		NL_SET_ERR_MSG(extack,
			       "a request needs an action, a resource and a principal");
		return -EINVAL;
	}
	action = vpce_req_str(tb[VPCE_REQ_A_ACTION], &budget, false, extack);
	resource = vpce_req_str(tb[VPCE_REQ_A_RESOURCE], &budget, false, extack);
	principal = vpce_req_str(tb[VPCE_REQ_A_PRINCIPAL], &budget, false,
				 extack);
	if (!action || !resource || !principal)
		return -EINVAL;
	/* The ARN itself, not a canonical copy: the request points into the
	 * message, and only IAM ARNs (already canonical) are accepted.
	 */
	if (vpce_arn_parse(principal, &arn) || arn.kind == VPCE_ARN_ANY ||
	    strcmp(arn.text, principal)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_REQ_A_PRINCIPAL],
				    "the principal must be an IAM root, user or role ARN");
		return -EINVAL;
	}
	account = tb[VPCE_REQ_A_ACCOUNT] ?
		nla_get_u64(tb[VPCE_REQ_A_ACCOUNT]) : arn.account;
	vpce_request_init(req, action, resource, principal, account);

	if (!tb[VPCE_REQ_A_CONTEXT])
		return 0;
	nla_for_each_nested(e, tb[VPCE_REQ_A_CONTEXT], rem) {
		struct nlattr *ctb[VPCE_CTX_A_MAX + 1];
		const struct nlattr *v;
		const char *key;
		int vrem, n = 0;

		ret = nla_parse_nested(ctb, VPCE_CTX_A_MAX, e,
				       vpce_ctx_nl_policy, extack);
		if (ret)
			return ret;
		if (!ctb[VPCE_CTX_A_KEY] || !ctb[VPCE_CTX_A_VALUES]) {
			NL_SET_ERR_ATTR_MISS(extack, e, ctb[VPCE_CTX_A_KEY] ?
					     VPCE_CTX_A_VALUES :
					     VPCE_CTX_A_KEY);
			NL_SET_ERR_MSG(extack,
				       "a context entry needs a key and values");
			return -EINVAL;
		}
		key = vpce_req_str(ctb[VPCE_CTX_A_KEY], &budget, false, extack);
		if (!key)
			return -EINVAL;
		if (!vpce_key_valid(key, strlen(key))) {
			NL_SET_ERR_MSG_ATTR(extack, ctb[VPCE_CTX_A_KEY],
					    "invalid context key");
			return -EINVAL;
		}
		nla_for_each_nested(v, ctb[VPCE_CTX_A_VALUES], vrem) {
			const char *s = vpce_req_str(v, &budget, true, extack);

			if (!s)
				return -EINVAL;
			if (vpce_request_add(req, key, s)) {
				NL_SET_ERR_MSG_ATTR(extack, v,
						    "too many context keys or values");
				return -E2BIG;
			}
			n++;
		}
		if (vrem > 0 || !n) {
			NL_SET_ERR_MSG_ATTR(extack, ctb[VPCE_CTX_A_VALUES],
					    "a context key needs one or more values");
			return -EINVAL;
		}
	}
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_REQ_A_CONTEXT],
				    "trailing bytes in a nested array");
		return -EINVAL;
	}
	return 0;
}

/* --- evaluation ------------------------------------------------------------------ */

struct vpce_span {
	const char *s;
	u32 len;
};

/*
 * One evaluation: the policy, the request, and the steps it may still
 * take. Each loop below charges what it does (a character compared, a
 * pattern, value, condition, principal or statement tried) before doing it,
 * so that the whole evaluation does at most VPCE_POLICY_EVAL_STEPS of them,
 * whatever the policy and request within their limits. Once the budget is
 * spent every match fails at once and the caller discards the result.
 */
struct vpce_eval {
	const struct vpce_policy *p;
	const struct vpce_request *req;
	u32 steps;
};

static bool vpce_step(struct vpce_eval *e, u32 n)
{
	if (likely(e->steps > n)) {
		e->steps -= n;
		return true;
	}
	e->steps = 0;
	return false;
}

/* The only value of KEY in REQ; false if it has none or several. */
static bool vpce_req_single(const struct vpce_request *req, const char *key,
			    u32 len, struct vpce_span *out)
{
	int k = vpce_req_find(req, key, len), i, n = 0;

	if (k < 0)
		return false;
	for (i = 0; i < req->nvals; i++) {
		if (req->vals[i].key != k)
			continue;
		out->s = req->vals[i].s;
		out->len = req->vals[i].len;
		n++;
	}
	return n == 1;
}

/* Resolve PAT's variables; false if one has no value (nothing matches). */
static bool vpce_pat_vars(struct vpce_eval *e, const struct vpce_pat *pat,
			  struct vpce_span *vars)
{
	const struct vpce_policy *p = e->p;
	const struct vpce_request *req = e->req;
	const struct vpce_piece *pc = p->pieces + pat->first;
	u32 i;

	if (!pat->nvars)
		return true;
	/* Each variable looks through the request's keys and values. */
	if (!vpce_step(e, pat->nvars * (req->nkeys + req->nvals + 1)))
		return false;
	for (i = 0; i < pat->n; i++) {
		if (pc[i].kind != VPCE_PC_VAR)
			continue;
		if (vpce_req_single(req, p->strs + pc[i].off, pc[i].len,
				    &vars[pc[i].var]))
			continue;
		if (vpce_req_find(req, p->strs + pc[i].off, pc[i].len) >= 0 ||
		    i + 1 == pat->n || pc[i + 1].kind != VPCE_PC_DEFAULT)
			return false;
		vars[pc[i].var].s = p->strs + pc[i + 1].off;
		vars[pc[i].var].len = pc[i + 1].len;
	}
	return true;
}

/* The text a literal or variable piece stands for. */
static void vpce_piece_text(const struct vpce_policy *p,
			    const struct vpce_piece *pc,
			    const struct vpce_span *vars, struct vpce_span *t)
{
	switch (pc->kind) {
	case VPCE_PC_LIT:
		t->s = p->strs + pc->off;
		t->len = pc->len;
		break;
	case VPCE_PC_VAR:
		*t = vars[pc->var];
		break;
	default:	/* DEFAULT: only read by vpce_pat_vars() */
		t->s = "";
		t->len = 0;
	}
}

/*
 * Does S match PAT? Greedy, iterative, with the position after the last
 * '*' as the only backtracking point: when the rest fails to match, that
 * '*' takes one more character and the rest is tried again. That is
 * complete for '*' and '?' (an earlier '*' never needs to take more) and
 * costs at most O(|pattern| x |S|) steps, where a variable's value counts
 * in |pattern|: up to 8 x 1 KiB against 1 KiB, millions, and a policy has
 * thousands of patterns. Hence the budget, charged on every iteration.
 */
static bool vpce_glob(struct vpce_eval *e, const struct vpce_pat *pat,
		      const struct vpce_span *vars, const char *s, u32 n,
		      bool fold)
{
	const struct vpce_policy *p = e->p;
	const struct vpce_piece *pc = p->pieces + pat->first;
	u32 np = pat->n, i = 0, j = 0, si = 0, bi = 0, bsi = 0;
	struct vpce_span t = { "", 0 };
	bool back = false;

	for (;;) {
		if (!vpce_step(e, 1))
			return false;
		/* On to the next piece with something left to match. */
		while (i < np) {
			if (!vpce_step(e, 1))
				return false;
			if (pc[i].kind == VPCE_PC_STAR) {
				/* A final '*' takes whatever is left. */
				if (i + 1 == np)
					return true;
				back = true;
				bi = ++i;
				bsi = si;
				j = 0;
				continue;
			}
			if (pc[i].kind == VPCE_PC_QMARK)
				break;
			vpce_piece_text(p, &pc[i], vars, &t);
			if (j < t.len)
				break;
			i++;
			j = 0;
		}
		if (si == n)
			return i == np;
		if (i < np) {
			if (pc[i].kind == VPCE_PC_QMARK) {
				i++;
				si++;
				continue;
			}
			if (fold ? tolower(t.s[j]) == tolower(s[si]) :
			    t.s[j] == s[si]) {
				j++;
				si++;
				continue;
			}
		}
		if (!back)
			return false;
		si = ++bsi;
		i = bi;
		j = 0;
	}
}

static bool vpce_pat_match(struct vpce_eval *e, const struct vpce_pat *pat,
			   const char *s, u32 n, bool fold)
{
	struct vpce_span vars[VPCE_POLICY_VARS_MAX];
	const struct vpce_piece *pc;

	if (!vpce_step(e, 1))
		return false;
	if (pat->simple) {
		if (!pat->n)
			return !n;
		pc = &e->p->pieces[pat->first];
		if (pc->len != n)
			return false;
		/* A word compares many characters at a time. */
		if (!vpce_step(e, n / 16))
			return false;
		return fold ? !strncasecmp(e->p->strs + pc->off, s, n) :
			      !memcmp(e->p->strs + pc->off, s, n);
	}
	if (!vpce_pat_vars(e, pat, vars))
		return false;
	return vpce_glob(e, pat, vars, s, n, fold);
}

/* Arn*: each of the six parts of S against its pattern. */
static bool vpce_arn_match(struct vpce_eval *e, u32 first, const char *s,
			   u32 n)
{
	u32 seg, start = 0, i = 0;

	/* Finding the colons reads S once. */
	if (!vpce_step(e, 1 + n / 16))
		return false;
	for (seg = 0; seg < 6; seg++) {
		if (seg < 5) {
			while (i < n && s[i] != ':')
				i++;
			if (i == n)
				return false;
		} else {
			i = n;
		}
		if (!vpce_pat_match(e, &e->p->pats[first + seg], s + start,
				    i - start, false))
			return false;
		start = ++i;
	}
	return true;
}

/*
 * Does request value S match any of C's values with C's operator, taken
 * positively (StringNotEquals as StringEquals, and so on)?
 */
static bool vpce_value_match(struct vpce_eval *e, const struct vpce_cond *c,
			     const char *s, u32 n)
{
	const union vpce_val *v = e->p->vals + c->first, *end = v + c->n;
	struct vpce_cidr addr;
	struct vpce_num num;
	bool fold, b;
	s64 ms;
	int r;

	switch (c->op) {
	case VPCE_COND_STRING_EQUALS ... VPCE_COND_STRING_NOT_LIKE:
		fold = c->op == VPCE_COND_STRING_EQUALS_IGNORE_CASE ||
		       c->op == VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE;
		for (; v < end; v++)
			if (vpce_pat_match(e, &v->pat, s, n, fold))
				return true;
		return false;
	case VPCE_COND_ARN_EQUALS ... VPCE_COND_ARN_NOT_LIKE:
		for (; v < end; v++)
			if (vpce_arn_match(e, v->arn, s, n))
				return true;
		return false;
	default:
		break;
	}
	/* The other operators parse S once, then compare it with each value
	 * in constant time.
	 */
	if (!vpce_step(e, 1 + n / 16 + c->n))
		return false;
	switch (c->op) {
	case VPCE_COND_NUMERIC_EQUALS ... VPCE_COND_NUMERIC_GREATER_THAN_EQUALS:
		if (!vpce_parse_num(s, n, &num))
			return false;
		for (; v < end; v++) {
			r = vpce_num_cmp(&num, &v->num);
			switch (c->op) {
			case VPCE_COND_NUMERIC_EQUALS:
			case VPCE_COND_NUMERIC_NOT_EQUALS:
				if (!r)
					return true;
				break;
			case VPCE_COND_NUMERIC_LESS_THAN:
				if (r < 0)
					return true;
				break;
			case VPCE_COND_NUMERIC_LESS_THAN_EQUALS:
				if (r <= 0)
					return true;
				break;
			case VPCE_COND_NUMERIC_GREATER_THAN:
				if (r > 0)
					return true;
				break;
			default:
				if (r >= 0)
					return true;
			}
		}
		return false;
	case VPCE_COND_DATE_EQUALS ... VPCE_COND_DATE_GREATER_THAN_EQUALS:
		if (!vpce_parse_date(s, n, &ms))
			return false;
		for (; v < end; v++) {
			switch (c->op) {
			case VPCE_COND_DATE_EQUALS:
			case VPCE_COND_DATE_NOT_EQUALS:
				if (ms == v->ms)
					return true;
				break;
			case VPCE_COND_DATE_LESS_THAN:
				if (ms < v->ms)
					return true;
				break;
			case VPCE_COND_DATE_LESS_THAN_EQUALS:
				if (ms <= v->ms)
					return true;
				break;
			case VPCE_COND_DATE_GREATER_THAN:
				if (ms > v->ms)
					return true;
				break;
			default:
				if (ms >= v->ms)
					return true;
			}
		}
		return false;
	case VPCE_COND_BOOL:
		if (!vpce_parse_bool(s, n, &b))
			return false;
		for (; v < end; v++)
			if (v->b == b)
				return true;
		return false;
	case VPCE_COND_IP_ADDRESS:
	case VPCE_COND_NOT_IP_ADDRESS:
		if (!vpce_parse_cidr(s, n, &addr, false))
			return false;
		for (; v < end; v++)
			if (vpce_cidr_contains(&v->cidr, &addr))
				return true;
		return false;
	}
	return false;
}

static bool vpce_cond_holds(struct vpce_eval *e, const struct vpce_cond *c)
{
	const struct vpce_policy *p = e->p;
	const struct vpce_request *req = e->req;
	bool present = false, pos, sat;
	const union vpce_val *v;
	int k, i;

	if (!vpce_step(e, 1 + req->nkeys + c->n))
		return false;
	k = vpce_req_find(req, p->strs + c->key, c->key_len);
	if (c->op == VPCE_COND_NULL) {
		bool absent = k < 0;

		/* "true": the key must be absent; "false": present. */
		for (v = p->vals + c->first; v < p->vals + c->first + c->n; v++)
			if (v->b == absent)
				return true;
		return false;
	}
	for (i = 0; k >= 0 && i < req->nvals; i++) {
		if (req->vals[i].key != k)
			continue;
		present = true;
		pos = vpce_value_match(e, c, req->vals[i].s, req->vals[i].len);
		sat = c->negated ? !pos : pos;
		switch (c->qual) {
		case VPCE_COND_FOR_ALL_VALUES:
			if (!sat)
				return false;
			break;
		case VPCE_COND_FOR_ANY_VALUE:
			if (sat)
				return true;
			break;
		default:
			/* One value (or any of several) matching decides. */
			if (pos)
				return !c->negated;
		}
	}
	if (!present) {
		if (c->if_exists)
			return true;
		if (c->qual)
			return c->qual == VPCE_COND_FOR_ALL_VALUES;
		return c->negated;
	}
	switch (c->qual) {
	case VPCE_COND_FOR_ALL_VALUES:
		return true;
	case VPCE_COND_FOR_ANY_VALUE:
		return false;
	default:
		return c->negated;
	}
}

static bool vpce_principal_match(struct vpce_eval *e,
				 const struct vpce_stmt *st)
{
	const struct vpce_policy *p = e->p;
	const struct vpce_request *req = e->req;
	const struct vpce_princ *pr = p->princs + st->princ;
	u32 i;

	for (i = 0; i < st->nprinc; i++, pr++) {
		/* At most an ARN's length of characters compared. */
		if (!vpce_step(e, 1 + VPCE_ARN_MAX / 16))
			return false;
		switch (pr->kind) {
		case VPCE_PRINC_ANY:
			return true;
		case VPCE_PRINC_ACCOUNT:
			if (pr->account == req->account)
				return true;
			break;
		default:
			if (!strcmp(p->strs + pr->arn, req->principal))
				return true;
		}
	}
	return false;
}

static bool vpce_any_pat(struct vpce_eval *e, u32 first, u32 n,
			 const char *s, u32 len, bool fold)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (vpce_pat_match(e, &e->p->pats[first + i], s, len, fold))
			return true;
	return false;
}

static bool vpce_stmt_applies(struct vpce_eval *e, const struct vpce_stmt *st)
{
	const struct vpce_request *req = e->req;
	u32 i;

	if (vpce_principal_match(e, st) == st->not_princ)
		return false;
	if (vpce_any_pat(e, st->act, st->nact, req->action,
			 req->action_len, true) == st->not_act)
		return false;
	if (vpce_any_pat(e, st->res, st->nres, req->resource,
			 req->resource_len, false) == st->not_res)
		return false;
	for (i = 0; i < st->ncond; i++)
		if (!vpce_cond_holds(e, &e->p->conds[st->cond + i]))
			return false;
	return true;
}

/* Every statement of EFFECT that applies, or just whether one does. */
static bool vpce_effect_applies(struct vpce_eval *e, u8 effect,
				unsigned long *matched)
{
	const struct vpce_policy *p = e->p;
	bool any = false;
	u32 i;

	for (i = 0; i < p->nstmts; i++) {
		if (!vpce_step(e, 1))
			return false;
		if (p->stmts[i].effect != effect ||
		    !vpce_stmt_applies(e, &p->stmts[i]))
			continue;
		if (!matched)
			return true;
		__set_bit(i, matched);
		any = true;
	}
	return any;
}

int vpce_policy_eval(const struct vpce_policy *p,
		     const struct vpce_request *req, unsigned long *matched)
{
	struct vpce_eval e = {
		.p = p,
		.req = req,
		.steps = VPCE_POLICY_EVAL_STEPS,
	};
	int decision = VPCE_DECISION_IMPLICIT_DENY;

	if (matched)
		bitmap_zero(matched, VPCE_POLICY_STATEMENTS_MAX);
	if (!p)
		return VPCE_DECISION_ALLOWED;
	if (vpce_effect_applies(&e, VPCE_EFFECT_DENY, matched))
		decision = VPCE_DECISION_EXPLICIT_DENY;
	else if (vpce_effect_applies(&e, VPCE_EFFECT_ALLOW, matched))
		decision = VPCE_DECISION_ALLOWED;
	/* Out of steps, some match failed early: whatever was decided is not
	 * the policy's answer.
	 */
	return e.steps ? decision : -E2BIG;
}
