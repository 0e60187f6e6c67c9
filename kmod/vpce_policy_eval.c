// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The policy evaluator: a request against a compiled policy (the form of
 * vpce_policy_int.h), with AWS's rules, for the packet path and the
 * simulator. A leaf: no netlink header, no object of ours; it is also
 * compiled in userspace, against selftests/kshim/, by selftests/policyeval.c,
 * which compares it with a naive reference evaluator.
 *
 * Evaluation allocates nothing and never recurses; wildcard matching is the
 * iterative greedy algorithm with one backtracking point, at worst
 * O(pattern x string), and every count it loops over is capped at build
 * time by the limits in the uapi header. Those caps still multiply to
 * billions of steps for a hostile policy and request, so each evaluation
 * also has a budget of VPCE_POLICY_EVAL_STEPS: the packet path runs it in
 * softirq, and the simulator for any caller, and neither may run for long.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_policy_eval.h"
#include "vpce_policy_int.h"
#include "vpce_arn.h"

#include <linux/bitmap.h>
#include <linux/compiler.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/string.h>

static int vpce_num_cmp(const struct vpce_num *a, const struct vpce_num *b)
{
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->f != b->f)
		return a->f < b->f ? -1 : 1;
	return 0;
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

/*
 * Whether the statement's Principal or NotPrincipal lets it apply to the
 * request's caller. Every entry names some layers of the caller (its
 * account, its role, itself: vpce_arn_names()); then, as AWS documents:
 * - Principal in an interface endpoint's policy: any layer named (an
 *   account covers its users and roles, a role its sessions);
 * - Principal in a gateway endpoint's policy: the caller itself named (an
 *   account stands for its root user only there);
 * - NotPrincipal (Deny only): applies unless every layer is named, so that
 *   listing an account does not exempt its users and roles, and a session is
 *   exempt only with its account, role and session all listed.
 */
static bool vpce_principal_applies(struct vpce_eval *e,
				   const struct vpce_stmt *st)
{
	const struct vpce_policy *p = e->p;
	const struct vpce_request *req = e->req;
	const struct vpce_princ *pr = p->princs + st->princ;
	u8 layers = vpce_arn_layers(req->who), named = 0, want;
	u32 i;

	if (st->not_princ)
		want = layers;
	else if (req->gateway)
		want = layers & VPCE_LAYER_SELF ? VPCE_LAYER_SELF :
		       layers & VPCE_LAYER_ROLE ? VPCE_LAYER_ROLE :
		       VPCE_LAYER_ACCOUNT;
	else
		want = layers;
	for (i = 0; i < st->nprinc; i++, pr++) {
		/* At most an ARN's length of characters compared. */
		if (!vpce_step(e, 1 + VPCE_ARN_MAX / 16))
			return false;
		named |= vpce_arn_names(pr->kind, pr->account, p->strs + pr->str,
					pr->len, req->who, req->account);
		if (!st->not_princ && (named & want))
			return true;
	}
	return st->not_princ && (named & want) != want;
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

	if (!vpce_principal_applies(e, st))
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

unsigned int vpce_policy_statements(const struct vpce_policy *p)
{
	return p ? p->nstmts : 0;
}

const char *vpce_policy_sid(const struct vpce_policy *p, unsigned int i)
{
	return i < p->nstmts ? p->strs + p->stmts[i].sid : "";
}
