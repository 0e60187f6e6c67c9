// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The pattern compiler: a policy string (an action, a resource, a
 * condition value, one part of an ARN) into the pieces the evaluator
 * matches: literal runs, '*', '?' and policy variables with their
 * defaults, escapes resolved. Part of the builder: it runs in both of its
 * passes, counting in the first and filling in the second.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_policy_build.h"

#include <linux/ctype.h>
#include <linux/string.h>

/* Copy a string into p->strs; returns its offset. */
u32 vpce_str(struct vpce_build *b, const char *s, u32 len, bool lower)
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
int vpce_pat_compile(struct vpce_build *b, const char *s, u32 len,
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
int vpce_pat_add(struct vpce_build *b, const char *s, u32 len,
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
int vpce_arn_add(struct vpce_build *b, const char *s, u32 len)
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
