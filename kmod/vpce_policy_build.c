// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The policy builder: VPCE_A_POLICY's nested attributes into the compiled
 * form of vpce_policy_int.h, which vpce_policy_eval.c evaluates.
 *
 * Building takes two passes over the attributes with the same code: the
 * first validates everything and counts, the second, into memory sized by
 * the first, fills in. Only the first pass can fail (on bad input), so a
 * half-built policy never exists. Strings become patterns in
 * vpce_policy_pattern.c; numbers, dates, CIDRs and booleans are parsed by
 * vpce_policy_value.c, as the evaluator parses a request's values.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_policy.h"
#include "vpce_policy_build.h"
#include "vpce_arn.h"

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

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
					"not *, an account, an IAM root/user/role ARN or an STS assumed-role/federated-user ARN");
		pr.account = arn.account;
		pr.kind = arn.kind;
		if (arn.kind == VPCE_ARN_ROLE) {
			pr.len = arn.role_len;
			pr.str = vpce_str(b, arn.text + arn.role, pr.len, false);
		} else if (arn.kind != VPCE_ARN_ANY && arn.kind != VPCE_ARN_ROOT) {
			pr.len = strlen(arn.text);
			pr.str = vpce_str(b, arn.text, pr.len, false);
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
	/* As AWS has it now: "NotPrincipal must be used with Deny". */
	if (st.not_princ && st.effect != VPCE_EFFECT_DENY)
		return VPCE_ERR(b, tb[VPCE_STMT_A_NOT_PRINCIPAL],
				"NotPrincipal is supported only with the Deny effect");
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
