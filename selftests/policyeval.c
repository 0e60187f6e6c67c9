// SPDX-License-Identifier: GPL-2.0
/*
 * policyeval: the kernel's policy evaluator against a naive reference.
 *
 *	policyeval [-s SEED] [-n DOCS] [-v] [CASES]
 *
 * The kernel's code is compiled in as it is, against selftests/kshim/:
 * the builder (kmod/vpce_policy_build.c, vpce_policy_pattern.c), the
 * values (vpce_policy_value.c), requests (vpce_request.c, parsing
 * included), ARNs (vpce_arn.c) and the evaluator (vpce_policy_eval.c).
 * Each document is written here as the nested attributes vpcectl sends
 * (libmnl), compiled by vpce_policy_build(); each request is written as
 * VPCE_A_REQUEST, parsed by vpce_request_parse() and completed as the
 * simulator does; vpce_policy_eval() decides, with and without the matched
 * statements.
 *
 * The reference evaluator below is deliberately naive and shares nothing
 * with the kernel's: it reads the document as written (strings, not a
 * compiled form), substitutes policy variables into a token list, matches
 * wildcards by plain recursion, parses numbers, dates and addresses with
 * regular expressions, timegm() and inet_pton(), and applies the condition
 * rules of Documentation/policy.md one by one. The two must give the same
 * decision and the same matched statements on
 *
 *  1. DOCS random documents (default 3000), each with several random
 *     requests, from a seeded PRNG (the seed is printed; -s repeats a run):
 *     Allow and Deny, Principal/NotPrincipal, Action/NotAction,
 *     Resource/NotResource, '*' and '?', policy variables, every condition
 *     operator with and without IfExists and the qualifiers, several
 *     values, several values of one key, missing keys;
 *  2. the held-in cases of selftests/policy-eval.cases (the file
 *     30-policy-eval runs through vpcectl in the VM; CASES, default next
 *     to this program), where both must also give the decision and the
 *     Sids the file expects.
 *
 * Any disagreement prints the document and the request and fails. TAP
 * output; exit 0 when everything agrees.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <libmnl/libmnl.h>

#include "vpce_policy.h"
#include <linux/err.h>

#define MAX_STMTS	16
#define MAX_LIST	16
#define MAX_CONDS	16
#define MAX_VALS	16
#define MAX_TOKENS	(8 * VPCE_POLICY_STRING_MAX)

#define STAR	(-1)
#define QMARK	(-2)

/* --- documents and requests, as written ----------------------------------- */

struct rcond {
	int op;			/* enum vpce_cond_op */
	int qual;		/* enum vpce_cond_qualifier */
	bool if_exists;
	char *key;
	int nvals;
	char *vals[MAX_VALS];
};

struct rstmt {
	char *sid;		/* NULL: none */
	int effect;
	bool not_princ, not_act, not_res;
	int nprinc, nact, nres, ncond;
	char *princ[MAX_LIST], *act[MAX_LIST], *res[MAX_LIST];
	struct rcond cond[MAX_CONDS];
};

struct rdoc {
	int version;
	int nstmts;
	struct rstmt st[MAX_STMTS];
};

struct rkey {
	char *name;
	int n;
	char *vals[VPCE_REQUEST_VALUES_MAX];
};

struct rreq {
	char *principal;	/* an IAM or STS ARN */
	unsigned long long account;
	bool gateway;		/* a gateway endpoint's policy */
	char *action, *resource;
	int nkeys;
	struct rkey keys[VPCE_REQUEST_KEYS_MAX];
};

struct verdict {
	int decision;		/* enum vpce_decision, or -errno */
	bool matched[MAX_STMTS];
};

static const struct {
	const char *name;
	int op;
} operators[] = {
	{ "StringEquals", VPCE_COND_STRING_EQUALS },
	{ "StringNotEquals", VPCE_COND_STRING_NOT_EQUALS },
	{ "StringEqualsIgnoreCase", VPCE_COND_STRING_EQUALS_IGNORE_CASE },
	{ "StringNotEqualsIgnoreCase", VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE },
	{ "StringLike", VPCE_COND_STRING_LIKE },
	{ "StringNotLike", VPCE_COND_STRING_NOT_LIKE },
	{ "NumericEquals", VPCE_COND_NUMERIC_EQUALS },
	{ "NumericNotEquals", VPCE_COND_NUMERIC_NOT_EQUALS },
	{ "NumericLessThan", VPCE_COND_NUMERIC_LESS_THAN },
	{ "NumericLessThanEquals", VPCE_COND_NUMERIC_LESS_THAN_EQUALS },
	{ "NumericGreaterThan", VPCE_COND_NUMERIC_GREATER_THAN },
	{ "NumericGreaterThanEquals", VPCE_COND_NUMERIC_GREATER_THAN_EQUALS },
	{ "DateEquals", VPCE_COND_DATE_EQUALS },
	{ "DateNotEquals", VPCE_COND_DATE_NOT_EQUALS },
	{ "DateLessThan", VPCE_COND_DATE_LESS_THAN },
	{ "DateLessThanEquals", VPCE_COND_DATE_LESS_THAN_EQUALS },
	{ "DateGreaterThan", VPCE_COND_DATE_GREATER_THAN },
	{ "DateGreaterThanEquals", VPCE_COND_DATE_GREATER_THAN_EQUALS },
	{ "Bool", VPCE_COND_BOOL },
	{ "IpAddress", VPCE_COND_IP_ADDRESS },
	{ "NotIpAddress", VPCE_COND_NOT_IP_ADDRESS },
	{ "ArnEquals", VPCE_COND_ARN_EQUALS },
	{ "ArnNotEquals", VPCE_COND_ARN_NOT_EQUALS },
	{ "ArnLike", VPCE_COND_ARN_LIKE },
	{ "ArnNotLike", VPCE_COND_ARN_NOT_LIKE },
	{ "Null", VPCE_COND_NULL },
};

#define NOPS ((int)(sizeof(operators) / sizeof(operators[0])))

static const char *op_name(int op)
{
	int i;

	for (i = 0; i < NOPS; i++)
		if (operators[i].op == op)
			return operators[i].name;
	return "?";
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p) {
		perror("policyeval");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = xmalloc(strlen(s) + 1);

	return strcpy(d, s);
}

static void free_doc(struct rdoc *d)
{
	int i, j, k;

	for (i = 0; i < d->nstmts; i++) {
		struct rstmt *st = &d->st[i];

		free(st->sid);
		for (j = 0; j < st->nprinc; j++)
			free(st->princ[j]);
		for (j = 0; j < st->nact; j++)
			free(st->act[j]);
		for (j = 0; j < st->nres; j++)
			free(st->res[j]);
		for (j = 0; j < st->ncond; j++) {
			free(st->cond[j].key);
			for (k = 0; k < st->cond[j].nvals; k++)
				free(st->cond[j].vals[k]);
		}
	}
	memset(d, 0, sizeof(*d));
}

static void free_req(struct rreq *r)
{
	int i, j;

	free(r->principal);
	free(r->action);
	free(r->resource);
	for (i = 0; i < r->nkeys; i++) {
		free(r->keys[i].name);
		for (j = 0; j < r->keys[i].n; j++)
			free(r->keys[i].vals[j]);
	}
	memset(r, 0, sizeof(*r));
}

/* KEY=VALUE added as the simulator does: keys are one whatever their case. */
static void req_add(struct rreq *r, const char *key, const char *val)
{
	int i;

	for (i = 0; i < r->nkeys; i++)
		if (!strcasecmp(r->keys[i].name, key))
			break;
	if (i == r->nkeys) {
		r->keys[i].name = xstrdup(key);
		r->nkeys++;
	}
	r->keys[i].vals[r->keys[i].n++] = xstrdup(val);
}

static const struct rkey *req_key(const struct rreq *r, const char *key)
{
	int i;

	for (i = 0; i < r->nkeys; i++)
		if (!strcasecmp(r->keys[i].name, key))
			return &r->keys[i];
	return NULL;
}

/*
 * What the simulator adds before evaluating (and the data path has
 * anyway): the principal and the time, unless the request gives them.
 */
static void req_complete(struct rreq *r, time_t now)
{
	char buf[256], acct[13], kind[32], name[200], *slash;
	const char *type = "Account";
	struct tm tm;

	/* arn:aws:SVC::ACCOUNT:KIND/NAME..., or :root */
	memset(kind, 0, sizeof(kind));
	memset(name, 0, sizeof(name));
	sscanf(r->principal, "arn:aws:%*3s::%12[0-9]:%31[a-z-]/%199s", acct,
	       kind, name);
	if (!strcmp(kind, "root"))
		*kind = '\0';
	if (!strcmp(kind, "user"))
		type = "User";
	else if (!strcmp(kind, "federated-user"))
		type = "FederatedUser";
	else if (*kind)
		type = "AssumedRole";	/* role, assumed-role */
	if (!req_key(r, "aws:PrincipalArn")) {
		if (!strcmp(kind, "assumed-role")) {
			*strchr(name, '/') = '\0';
			snprintf(buf, sizeof(buf), "arn:aws:iam::%s:role/%s",
				 acct, name);
			req_add(r, "aws:PrincipalArn", buf);
		} else {
			req_add(r, "aws:PrincipalArn", r->principal);
		}
	}
	if (!req_key(r, "aws:PrincipalAccount")) {
		snprintf(buf, sizeof(buf), "%012llu", r->account);
		req_add(r, "aws:PrincipalAccount", buf);
	}
	if (!req_key(r, "aws:PrincipalType"))
		req_add(r, "aws:PrincipalType", type);
	slash = strrchr(name, '/');
	if (!strcmp(kind, "user") && !req_key(r, "aws:username"))
		req_add(r, "aws:username", slash ? slash + 1 : name);
	if (!req_key(r, "aws:userid") && !*kind) {
		req_add(r, "aws:userid", acct);
	} else if (!req_key(r, "aws:userid") &&
		   !strcmp(kind, "federated-user")) {
		snprintf(buf, sizeof(buf), "%s:%s", acct, name);
		req_add(r, "aws:userid", buf);
	}
	if (!req_key(r, "aws:CurrentTime")) {
		gmtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		req_add(r, "aws:CurrentTime", buf);
	}
	if (!req_key(r, "aws:EpochTime")) {
		snprintf(buf, sizeof(buf), "%lld", (long long)now);
		req_add(r, "aws:EpochTime", buf);
	}
}

/* --- printing a case -------------------------------------------------------- */

static void put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_json_list(FILE *f, char *const *v, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		put_json_str(f, v[i]);
	}
	fputc(']', f);
}

static void print_doc(FILE *f, const struct rdoc *d)
{
	int i, j;

	fprintf(f, "#   {\"Version\": \"%s\", \"Statement\": [\n",
		d->version == VPCE_POLICY_VERSION_2012_10_17 ? "2012-10-17" :
		"2008-10-17");
	for (i = 0; i < d->nstmts; i++) {
		const struct rstmt *st = &d->st[i];

		fputs("#     {", f);
		if (st->sid) {
			fputs("\"Sid\": ", f);
			put_json_str(f, st->sid);
			fputs(", ", f);
		}
		fprintf(f, "\"Effect\": \"%s\", \"%sPrincipal\": {\"AWS\": ",
			st->effect == VPCE_EFFECT_ALLOW ? "Allow" : "Deny",
			st->not_princ ? "Not" : "");
		put_json_list(f, st->princ, st->nprinc);
		fprintf(f, "},\n#      \"%sAction\": ", st->not_act ? "Not" : "");
		put_json_list(f, st->act, st->nact);
		fprintf(f, ", \"%sResource\": ", st->not_res ? "Not" : "");
		put_json_list(f, st->res, st->nres);
		for (j = 0; j < st->ncond; j++) {
			const struct rcond *c = &st->cond[j];

			fprintf(f, "%s\n#        \"%s%s%s\": {", j ? "," :
				",\n#      \"Condition\": [",
				c->qual == VPCE_COND_FOR_ANY_VALUE ? "ForAnyValue:" :
				c->qual == VPCE_COND_FOR_ALL_VALUES ? "ForAllValues:" : "",
				op_name(c->op), c->if_exists ? "IfExists" : "");
			put_json_str(f, c->key);
			fputs(": ", f);
			put_json_list(f, c->vals, c->nvals);
			fputc('}', f);
		}
		fprintf(f, "%s}%s\n", st->ncond ? "]" : "",
			i + 1 < d->nstmts ? "," : "");
	}
	fputs("#   ]}\n", f);
}

static void print_req(FILE *f, const struct rreq *r)
{
	int i, j;

	fprintf(f, "#   principal %s account %012llu%s action %s resource %s\n",
		r->principal, r->account, r->gateway ? " endpoint-type gateway" : "",
		r->action, r->resource);
	for (i = 0; i < r->nkeys; i++)
		for (j = 0; j < r->keys[i].n; j++)
			fprintf(f, "#     context %s=%s\n", r->keys[i].name,
				r->keys[i].vals[j]);
}

static const char *decision_name(int d)
{
	switch (d) {
	case VPCE_DECISION_ALLOWED:
		return "allowed";
	case VPCE_DECISION_EXPLICIT_DENY:
		return "explicitDeny";
	case VPCE_DECISION_IMPLICIT_DENY:
		return "implicitDeny";
	}
	return d == -E2BIG ? "E2BIG" : "error";
}

static void print_verdict(FILE *f, const char *who, const struct verdict *v,
			  const struct rdoc *d)
{
	int i;

	fprintf(f, "#   %-10s %s [", who, decision_name(v->decision));
	for (i = 0; i < d->nstmts; i++)
		if (v->matched[i])
			fprintf(f, " %d(%s)", i, d->st[i].sid ? d->st[i].sid : "");
	fputs(" ]\n", f);
}

/* --- the reference evaluator ------------------------------------------------ */

static bool ref_eqc(int a, char b, bool fold)
{
	return fold ? tolower(a) == tolower((unsigned char)b) :
		      a == (unsigned char)b;
}

/* Tokens T against S: the definition of '*' and '?', recursively. */
static bool ref_glob(const int *t, int nt, const char *s, bool fold)
{
	if (!nt)
		return !*s;
	if (t[0] == STAR)
		return ref_glob(t + 1, nt - 1, s, fold) ||
		       (*s && ref_glob(t, nt, s + 1, fold));
	if (!*s)
		return false;
	if (t[0] == QMARK)
		return ref_glob(t + 1, nt - 1, s + 1, fold);
	return ref_eqc(t[0], *s, fold) && ref_glob(t + 1, nt - 1, s + 1, fold);
}

/*
 * Pattern text S as tokens: characters, and with WILD '*' and '?' as
 * wildcards; with VARS, ${key} and ${key, 'default'} replaced by the
 * request's value (literal characters), ${*} ${?} ${$} by the character.
 * False when a variable has no value: then nothing matches.
 */
static bool ref_tokens(const char *s, size_t len, bool wild, bool vars,
		       const struct rreq *r, int *t, int *nt)
{
	size_t i = 0;

	*nt = 0;
	while (i < len) {
		if (vars && s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			const char *in = s + i + 2, *end = memchr(in, '}', s + len - in);
			char key[VPCE_POLICY_STRING_MAX + 1];
			const char *val = NULL, *comma;
			const struct rkey *k;
			size_t klen, ilen;

			if (!end)
				return false;
			ilen = end - in;
			i = end - s + 1;
			if (ilen == 1 && strchr("*?$", in[0])) {
				t[(*nt)++] = (unsigned char)in[0];
				continue;
			}
			comma = memchr(in, ',', ilen);
			klen = comma ? (size_t)(comma - in) : ilen;
			while (klen && in[klen - 1] == ' ')
				klen--;
			memcpy(key, in, klen);
			key[klen] = '\0';
			k = req_key(r, key);
			if (k && k->n == 1) {
				val = k->vals[0];
			} else if (!k && comma) {
				const char *q1 = memchr(comma, '\'', end - comma);
				const char *q2 = q1 ? memchr(q1 + 1, '\'', end - q1 - 1) : NULL;

				if (!q2)
					return false;
				for (; ++q1 < q2;)
					t[(*nt)++] = (unsigned char)*q1;
				continue;
			}
			if (!val)
				return false;
			for (; *val; val++)
				t[(*nt)++] = (unsigned char)*val;
			continue;
		}
		if (wild && s[i] == '*')
			t[(*nt)++] = STAR;
		else if (wild && s[i] == '?')
			t[(*nt)++] = QMARK;
		else
			t[(*nt)++] = (unsigned char)s[i];
		i++;
	}
	return true;
}

static bool ref_like(const char *pat, size_t plen, const char *s, bool wild,
		     bool vars, bool fold, const struct rreq *r)
{
	static int t[MAX_TOKENS];
	int nt;

	if (!ref_tokens(pat, plen, wild, vars, r, t, &nt))
		return false;
	return ref_glob(t, nt, s, fold);
}

/* ARN patterns: the six parts, each on its own (split outside ${}). */
static bool ref_arn(const char *pat, const char *s, bool vars,
		    const struct rreq *r)
{
	const char *pp[6], *sp[6];
	size_t pl[6], sl[6], i;
	int np = 0, ns = 0;
	bool in_var = false;
	const char *start = pat;

	for (i = 0; pat[i] && np < 5; i++) {
		if (vars && pat[i] == '$' && pat[i + 1] == '{')
			in_var = true;
		else if (in_var && pat[i] == '}')
			in_var = false;
		else if (!in_var && pat[i] == ':') {
			pp[np] = start;
			pl[np++] = pat + i - start;
			start = pat + i + 1;
		}
	}
	pp[np] = start;
	pl[np++] = strlen(start);
	start = s;
	for (i = 0; s[i] && ns < 5; i++) {
		if (s[i] == ':') {
			sp[ns] = start;
			sl[ns++] = s + i - start;
			start = s + i + 1;
		}
	}
	if (ns < 5)
		return false;
	sp[ns] = start;
	sl[ns++] = strlen(start);
	for (i = 0; i < 6; i++) {
		char part[VPCE_POLICY_STRING_MAX + 1];

		memcpy(part, sp[i], sl[i]);
		part[sl[i]] = '\0';
		if (!ref_like(pp[i], pl[i], part, true, vars, false, r))
			return false;
	}
	return true;
}

static regex_t re_num, re_epoch, re_date;

static void ref_init(void)
{
	if (regcomp(&re_num, "^([+-]?)([0-9]{1,18})(\\.([0-9]{1,18}))?$",
		    REG_EXTENDED) ||
	    regcomp(&re_epoch, "^[0-9]{1,12}$", REG_EXTENDED | REG_NOSUB) ||
	    regcomp(&re_date, "^([0-9]{4})-([0-9]{2})-([0-9]{2})"
		    "(T([0-9]{2}):([0-9]{2})(:([0-9]{2})(\\.([0-9]+))?)?"
		    "(Z|([+-])([0-9]{2}):?([0-9]{2}))?)?$", REG_EXTENDED)) {
		fprintf(stderr, "policyeval: regcomp failed\n");
		exit(2);
	}
}

static long long sub_num(const char *s, const regmatch_t *m, int i)
{
	long long v = 0;
	regoff_t k;

	for (k = m[i].rm_so; k < m[i].rm_eo; k++)
		v = v * 10 + (s[k] - '0');
	return v;
}

/* A decimal number as an exact integer count of 10^-18. */
static bool ref_num(const char *s, __int128 *v)
{
	regmatch_t m[5];
	__int128 f = 0;
	regoff_t k, n = 0;

	if (regexec(&re_num, s, 5, m, 0))
		return false;
	if (m[4].rm_so >= 0)
		for (k = m[4].rm_so; k < m[4].rm_eo; k++, n++)
			f = f * 10 + (s[k] - '0');
	for (; n < 18; n++)
		f *= 10;
	*v = (__int128)sub_num(s, m, 2) * 1000000000000000000LL + f;
	if (s[m[1].rm_so] == '-' && m[1].rm_eo > m[1].rm_so)
		*v = -*v;
	return true;
}

/* Dates: epoch seconds, or ISO 8601; milliseconds. */
static bool ref_date(const char *s, long long *ms)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	long long y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, tz = 0;
	regmatch_t m[15];
	struct tm tm = { 0 };
	bool leap;

	if (!regexec(&re_epoch, s, 0, NULL, 0)) {
		*ms = atoll(s) * 1000;
		return true;
	}
	if (regexec(&re_date, s, 15, m, 0))
		return false;
	y = sub_num(s, m, 1);
	mo = sub_num(s, m, 2);
	d = sub_num(s, m, 3);
	leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap))
		return false;
	if (m[4].rm_so >= 0) {
		h = sub_num(s, m, 5);
		mi = sub_num(s, m, 6);
		if (m[7].rm_so >= 0)
			sec = sub_num(s, m, 8);
		if (m[9].rm_so >= 0) {	/* milliseconds: three digits */
			int k;

			for (k = 0; k < 3; k++) {
				frac *= 10;
				if (m[10].rm_so + k < m[10].rm_eo)
					frac += s[m[10].rm_so + k] - '0';
			}
		}
		if (m[12].rm_so >= 0) {
			long long th = sub_num(s, m, 13), tm_ = sub_num(s, m, 14);

			if (th > 23 || tm_ > 59)
				return false;
			tz = (th * 60 + tm_) * 60 * (s[m[12].rm_so] == '-' ? -1 : 1);
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = ((long long)timegm(&tm) - tz) * 1000 + frac;
	return true;
}

struct ref_cidr {
	int family;
	unsigned char a[16];
	int plen;
};

/* An address, or with PREFIX also ADDR/LEN. */
static bool ref_cidr(const char *s, bool prefix, struct ref_cidr *c)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (alen >= sizeof(buf) || (slash && !prefix))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	c->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	max = c->family == AF_INET ? 32 : 128;
	if (inet_pton(c->family, buf, c->a) != 1)
		return false;
	c->plen = max;
	if (slash) {
		const char *p = slash + 1;
		size_t n = strlen(p);

		if (!n || n > 3 || strspn(p, "0123456789") != n ||
		    (n > 1 && p[0] == '0') || atoi(p) > max)
			return false;
		c->plen = atoi(p);
	}
	return true;
}

static bool ref_in(const struct ref_cidr *net, const struct ref_cidr *a)
{
	int i;

	if (net->family != a->family)
		return false;
	for (i = 0; i < net->plen; i++)
		if ((net->a[i / 8] ^ a->a[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

static bool ref_bool(const char *s, bool *b)
{
	if (!strcasecmp(s, "true"))
		*b = true;
	else if (!strcasecmp(s, "false"))
		*b = false;
	else
		return false;
	return true;
}

static bool ref_negated(int op)
{
	return op == VPCE_COND_STRING_NOT_EQUALS ||
	       op == VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE ||
	       op == VPCE_COND_STRING_NOT_LIKE ||
	       op == VPCE_COND_NUMERIC_NOT_EQUALS ||
	       op == VPCE_COND_DATE_NOT_EQUALS ||
	       op == VPCE_COND_NOT_IP_ADDRESS ||
	       op == VPCE_COND_ARN_NOT_EQUALS || op == VPCE_COND_ARN_NOT_LIKE;
}

/* Ordering operators: does the comparison CMP (of request to policy) hold? */
static bool ref_order(int op, int cmp)
{
	switch (op) {
	case VPCE_COND_NUMERIC_LESS_THAN:
	case VPCE_COND_DATE_LESS_THAN:
		return cmp < 0;
	case VPCE_COND_NUMERIC_LESS_THAN_EQUALS:
	case VPCE_COND_DATE_LESS_THAN_EQUALS:
		return cmp <= 0;
	case VPCE_COND_NUMERIC_GREATER_THAN:
	case VPCE_COND_DATE_GREATER_THAN:
		return cmp > 0;
	case VPCE_COND_NUMERIC_GREATER_THAN_EQUALS:
	case VPCE_COND_DATE_GREATER_THAN_EQUALS:
		return cmp >= 0;
	default:	/* Equals, NotEquals (taken positively) */
		return cmp == 0;
	}
}

/* Does request value S match policy value V, the operator taken positively? */
static bool ref_value(const struct rcond *c, const char *v, const char *s,
		      bool vars, const struct rreq *r)
{
	struct ref_cidr net, a;
	__int128 nx, ny;
	long long dx, dy;
	bool bx, by;

	switch (c->op) {
	case VPCE_COND_STRING_EQUALS:
	case VPCE_COND_STRING_NOT_EQUALS:
		return ref_like(v, strlen(v), s, false, vars, false, r);
	case VPCE_COND_STRING_EQUALS_IGNORE_CASE:
	case VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE:
		return ref_like(v, strlen(v), s, false, vars, true, r);
	case VPCE_COND_STRING_LIKE:
	case VPCE_COND_STRING_NOT_LIKE:
		return ref_like(v, strlen(v), s, true, vars, false, r);
	case VPCE_COND_NUMERIC_EQUALS ... VPCE_COND_NUMERIC_GREATER_THAN_EQUALS:
		if (!ref_num(s, &nx) || !ref_num(v, &ny))
			return false;
		return ref_order(c->op, (nx > ny) - (nx < ny));
	case VPCE_COND_DATE_EQUALS ... VPCE_COND_DATE_GREATER_THAN_EQUALS:
		if (!ref_date(s, &dx) || !ref_date(v, &dy))
			return false;
		return ref_order(c->op, (dx > dy) - (dx < dy));
	case VPCE_COND_BOOL:
		return ref_bool(s, &bx) && ref_bool(v, &by) && bx == by;
	case VPCE_COND_IP_ADDRESS:
	case VPCE_COND_NOT_IP_ADDRESS:
		return ref_cidr(s, false, &a) && ref_cidr(v, true, &net) &&
		       ref_in(&net, &a);
	default:	/* Arn* */
		return ref_arn(v, s, vars, r);
	}
}

static bool ref_cond(const struct rcond *c, bool vars, const struct rreq *r)
{
	const struct rkey *k = req_key(r, c->key);
	bool neg = ref_negated(c->op), any = false, all = true;
	int i, j;

	if (c->op == VPCE_COND_NULL) {
		bool b;

		for (j = 0; j < c->nvals; j++)
			if (ref_bool(c->vals[j], &b) && b == !k)
				return true;
		return false;
	}
	if (!k) {
		if (c->if_exists)
			return true;
		if (c->qual == VPCE_COND_FOR_ANY_VALUE)
			return false;
		if (c->qual == VPCE_COND_FOR_ALL_VALUES)
			return true;
		return neg;
	}
	for (i = 0; i < k->n; i++) {
		bool m = false, sat;

		for (j = 0; j < c->nvals; j++)
			m = m || ref_value(c, c->vals[j], k->vals[i], vars, r);
		sat = neg ? !m : m;
		any = any || sat;
		all = all && sat;
		if (c->qual == VPCE_COND_QUALIFIER_NONE && m)
			return !neg;
	}
	if (c->qual == VPCE_COND_FOR_ANY_VALUE)
		return any;
	if (c->qual == VPCE_COND_FOR_ALL_VALUES)
		return all;
	return neg;
}

/*
 * Principals as layers, written as strings: "acct:ACCOUNT" (every caller),
 * "role:ACCOUNT:NAME" (a role, and its sessions), and the ARN itself (users,
 * sessions, federated users). ids_of() lists the caller's, innermost last;
 * id_of() gives the one a policy entry names ("*" for everyone).
 */
static void id_of(const char *p, unsigned long long account, char *out,
		  size_t len)
{
	char acct[13] = "", kind[32] = "", name[200] = "";
	const char *last;

	if (!strcmp(p, "*")) {
		snprintf(out, len, "*");
		return;
	}
	if (strlen(p) == 12) {
		snprintf(out, len, "acct:%s", p);
		return;
	}
	sscanf(p, "arn:aws:%*3s::%12[0-9]:%31[a-z-]/%199s", acct, kind, name);
	if (!strcmp(kind, "root"))
		*kind = '\0';
	if (!*kind) {				/* root */
		snprintf(out, len, "acct:%s", acct);
	} else if (!strcmp(kind, "role")) {
		last = strrchr(name, '/');
		snprintf(out, len, "role:%s:%s", acct, last ? last + 1 : name);
	} else {
		snprintf(out, len, "%s", p);
	}
	(void)account;
}

static int ids_of(const struct rreq *r, char ids[3][256])
{
	char acct[13] = "", kind[32] = "", name[200] = "";
	int n = 0;

	snprintf(ids[n++], 256, "acct:%012llu", r->account);
	sscanf(r->principal, "arn:aws:%*3s::%12[0-9]:%31[a-z-]/%199s", acct,
	       kind, name);
	if (!strcmp(kind, "root"))
		*kind = '\0';
	if (!strcmp(kind, "role") || !strcmp(kind, "assumed-role")) {
		char *cut = !strcmp(kind, "role") ? strrchr(name, '/') : NULL;
		char *end = strchr(cut ? cut + 1 : name, '/');

		if (end && !strcmp(kind, "assumed-role"))
			*end = '\0';
		snprintf(ids[n++], 256, "role:%s:%s", acct, cut ? cut + 1 : name);
	}
	if (*kind && strcmp(kind, "role"))
		snprintf(ids[n++], 256, "%s", r->principal);
	return n;
}

static bool ref_principal(const struct rstmt *st, const struct rreq *r)
{
	char ids[3][256], id[256];
	bool named[3] = { false };
	int n = ids_of(r, ids), i, j;

	for (i = 0; i < st->nprinc; i++) {
		id_of(st->princ[i], r->account, id, sizeof(id));
		for (j = 0; j < n; j++)
			named[j] |= !strcmp(id, "*") || !strcmp(id, ids[j]);
	}
	if (st->not_princ) {		/* every layer listed: exempt */
		bool all = true;

		for (j = 0; j < n; j++)
			all = all && named[j];
		return !all;
	}
	if (r->gateway)			/* the caller itself, only */
		return named[n - 1];
	for (j = 0; j < n; j++)
		if (named[j])
			return true;
	return false;
}

static bool ref_applies(const struct rstmt *st, bool vars,
			const struct rreq *r)
{
	bool m = false;
	int i;

	if (!ref_principal(st, r))
		return false;
	for (i = 0; i < st->nact; i++)
		m = m || ref_like(st->act[i], strlen(st->act[i]), r->action,
				  true, false, true, r);
	if (m == st->not_act)
		return false;
	m = false;
	for (i = 0; i < st->nres; i++)
		m = m || ref_like(st->res[i], strlen(st->res[i]), r->resource,
				  true, vars, false, r);
	if (m == st->not_res)
		return false;
	for (i = 0; i < st->ncond; i++)
		if (!ref_cond(&st->cond[i], vars, r))
			return false;
	return true;
}

static void ref_eval(const struct rdoc *d, const struct rreq *r,
		     struct verdict *v)
{
	bool vars = d->version == VPCE_POLICY_VERSION_2012_10_17;
	bool applies[MAX_STMTS];
	int i, effect;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < d->nstmts; i++)
		applies[i] = ref_applies(&d->st[i], vars, r);
	for (effect = VPCE_EFFECT_DENY; effect >= VPCE_EFFECT_ALLOW; effect--) {
		for (i = 0; i < d->nstmts; i++)
			if (applies[i] && d->st[i].effect == effect)
				v->matched[i] = true;
		for (i = 0; i < d->nstmts; i++)
			if (v->matched[i]) {
				v->decision = effect == VPCE_EFFECT_DENY ?
					VPCE_DECISION_EXPLICIT_DENY :
					VPCE_DECISION_ALLOWED;
				return;
			}
	}
	v->decision = VPCE_DECISION_IMPLICIT_DENY;
}

/* --- the kernel's code -------------------------------------------------------- */

static char msgbuf[1 << 20];

static void put_list(struct nlmsghdr *nlh, int type, char *const *v, int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	int i;

	for (i = 0; i < n; i++)
		mnl_attr_put_strz(nlh, i, v[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* VPCE_A_POLICY, as vpcectl writes it. */
static struct nlattr *put_doc(struct nlmsghdr *nlh, const struct rdoc *d)
{
	struct nlattr *pol = mnl_attr_nest_start(nlh, VPCE_A_POLICY), *stmts;
	int i, j;

	mnl_attr_put_u8(nlh, VPCE_POLICY_A_VERSION, d->version);
	stmts = mnl_attr_nest_start(nlh, VPCE_POLICY_A_STATEMENTS);
	for (i = 0; i < d->nstmts; i++) {
		const struct rstmt *st = &d->st[i];
		struct nlattr *sn = mnl_attr_nest_start(nlh, i);

		if (st->sid)
			mnl_attr_put_strz(nlh, VPCE_STMT_A_SID, st->sid);
		mnl_attr_put_u8(nlh, VPCE_STMT_A_EFFECT, st->effect);
		if (st->not_princ)
			mnl_attr_put(nlh, VPCE_STMT_A_NOT_PRINCIPAL, 0, NULL);
		if (st->not_act)
			mnl_attr_put(nlh, VPCE_STMT_A_NOT_ACTION, 0, NULL);
		if (st->not_res)
			mnl_attr_put(nlh, VPCE_STMT_A_NOT_RESOURCE, 0, NULL);
		put_list(nlh, VPCE_STMT_A_PRINCIPALS, st->princ, st->nprinc);
		put_list(nlh, VPCE_STMT_A_ACTIONS, st->act, st->nact);
		put_list(nlh, VPCE_STMT_A_RESOURCES, st->res, st->nres);
		if (st->ncond) {
			struct nlattr *cn = mnl_attr_nest_start(nlh,
							       VPCE_STMT_A_CONDITIONS);

			for (j = 0; j < st->ncond; j++) {
				const struct rcond *c = &st->cond[j];
				struct nlattr *e = mnl_attr_nest_start(nlh, j);

				mnl_attr_put_u8(nlh, VPCE_COND_A_OP, c->op);
				if (c->qual)
					mnl_attr_put_u8(nlh, VPCE_COND_A_QUALIFIER,
							c->qual);
				if (c->if_exists)
					mnl_attr_put(nlh, VPCE_COND_A_IF_EXISTS, 0,
						     NULL);
				mnl_attr_put_strz(nlh, VPCE_COND_A_KEY, c->key);
				put_list(nlh, VPCE_COND_A_VALUES, c->vals, c->nvals);
				mnl_attr_nest_end(nlh, e);
			}
			mnl_attr_nest_end(nlh, cn);
		}
		mnl_attr_nest_end(nlh, sn);
	}
	mnl_attr_nest_end(nlh, stmts);
	mnl_attr_nest_end(nlh, pol);
	return pol;
}

/* VPCE_A_REQUEST, as vpcectl writes it (before the simulator completes it). */
static struct nlattr *put_req(struct nlmsghdr *nlh, const struct rreq *r)
{
	struct nlattr *req = mnl_attr_nest_start(nlh, VPCE_A_REQUEST);

	mnl_attr_put_strz(nlh, VPCE_REQ_A_ACTION, r->action);
	mnl_attr_put_strz(nlh, VPCE_REQ_A_RESOURCE, r->resource);
	mnl_attr_put_strz(nlh, VPCE_REQ_A_PRINCIPAL, r->principal);
	mnl_attr_put_u64(nlh, VPCE_REQ_A_ACCOUNT, r->account);
	if (r->gateway)
		mnl_attr_put_u8(nlh, VPCE_REQ_A_ENDPOINT_TYPE, VPCE_TYPE_GATEWAY);
	if (r->nkeys) {
		struct nlattr *ctx = mnl_attr_nest_start(nlh, VPCE_REQ_A_CONTEXT);
		int i;

		for (i = 0; i < r->nkeys; i++) {
			struct nlattr *e = mnl_attr_nest_start(nlh, i);

			mnl_attr_put_strz(nlh, VPCE_CTX_A_KEY, r->keys[i].name);
			put_list(nlh, VPCE_CTX_A_VALUES, r->keys[i].vals,
				 r->keys[i].n);
			mnl_attr_nest_end(nlh, e);
		}
		mnl_attr_nest_end(nlh, ctx);
	}
	mnl_attr_nest_end(nlh, req);
	return req;
}

static struct vpce_policy *kernel_build(const struct rdoc *d, const char **err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct netlink_ext_ack ext = { 0 };
	struct vpce_policy *p;
	struct nlattr *pol;

	pol = put_doc(nlh, d);
	p = vpce_policy_build(pol, NULL, &ext);
	if (IS_ERR(p)) {
		*err = ext._msg ? ext._msg : strerror(-PTR_ERR(p));
		return NULL;
	}
	return p;
}

/*
 * The simulator's path: parse, complete with the principal and NOW, then
 * evaluate, with the matched statements (the simulator) and without (the
 * data path, which stops at the first statement that decides): both must
 * give the same decision.
 */
static int kernel_eval(const struct vpce_policy *p, unsigned int nstmts,
		       const struct rreq *r, time_t now, struct verdict *v,
		       const char **err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct netlink_ext_ack ext = { 0 };
	DECLARE_BITMAP(matched, VPCE_POLICY_STATEMENTS_MAX);
	static struct vpce_request req;
	static struct vpce_arn who;
	struct nlattr *nest;
	unsigned int i;
	int ret, fast;

	memset(v, 0, sizeof(*v));
	nest = put_req(nlh, r);
	ret = vpce_request_parse(&req, &who, nest, &ext);
	if (!ret)
		ret = vpce_request_add_principal(&req);
	if (!ret)
		ret = vpce_request_add_time(&req, now);
	if (ret) {
		*err = ext._msg ? ext._msg : "cannot complete the request";
		return ret;
	}
	v->decision = vpce_policy_eval(p, &req, matched);
	fast = vpce_policy_eval(p, &req, NULL);
	if (fast != v->decision) {
		*err = "the decision without MATCHED differs";
		return -EPROTO;
	}
	for (i = 0; v->decision >= 0 && i < nstmts && i < MAX_STMTS; i++)
		v->matched[i] = test_bit(i, matched);
	return 0;
}

/* --- one case ------------------------------------------------------------------ */

static bool verbose;
static unsigned long ncases, nfailed, decisions[VPCE_DECISION_MAX + 1];

static bool same(const struct verdict *a, const struct verdict *b, int n)
{
	return a->decision == b->decision &&
	       !memcmp(a->matched, b->matched, n * sizeof(a->matched[0]));
}

/*
 * Evaluate R against D (built into P) both ways, and against WANT when
 * given; print the case on any difference. R is completed here.
 */
static bool check_case(const char *what, const struct rdoc *d,
		       const struct vpce_policy *p, struct rreq *r, time_t now,
		       const struct verdict *want)
{
	struct verdict kv, rv;
	const char *err = NULL;
	int ret;

	ncases++;
	ret = kernel_eval(p, d->nstmts, r, now, &kv, &err);
	req_complete(r, now);
	ref_eval(d, r, &rv);
	if (!ret && same(&kv, &rv, d->nstmts) &&
	    (!want || same(&kv, want, d->nstmts))) {
		if (kv.decision >= 0 && kv.decision <= VPCE_DECISION_MAX)
			decisions[kv.decision]++;
		if (verbose)
			printf("# %s: %s\n", what, decision_name(kv.decision));
		return true;
	}
	nfailed++;
	printf("# DISAGREE %s\n", what);
	print_doc(stdout, d);
	print_req(stdout, r);
	if (ret)
		printf("#   kernel     failed: %s (%d)\n", err, ret);
	else
		print_verdict(stdout, "kernel", &kv, d);
	print_verdict(stdout, "reference", &rv, d);
	if (want)
		print_verdict(stdout, "expected", want, d);
	return false;
}

/* --- random documents and requests ----------------------------------------- */

static uint64_t rng;

/* splitmix64: small, and the same sequence everywhere for one seed. */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int rn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static bool chance(int percent)
{
	return rn(100) < percent;
}

#define PICK(a) ((a)[rn((int)(sizeof(a) / sizeof((a)[0])))])

static const char *const req_principals[] = {
	"arn:aws:iam::111122223333:role/app",
	"arn:aws:iam::111122223333:user/bob",
	"arn:aws:iam::111122223333:user/dev/bob",
	"arn:aws:iam::111122223333:root",
	"arn:aws:iam::444455556666:role/app",
	"arn:aws:iam::444455556666:role/ops/admin",
	"arn:aws:sts::111122223333:assumed-role/app/s1",
	"arn:aws:sts::111122223333:assumed-role/app/s2",
	"arn:aws:sts::444455556666:assumed-role/app/s1",
	"arn:aws:sts::444455556666:assumed-role/admin/audit",
	"arn:aws:sts::111122223333:federated-user/carol",
};

static const char *const pol_principals[] = {
	"*", "111122223333", "444455556666", "999988887777",
	"arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root",
	"arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/bob",
	"arn:aws:iam::111122223333:user/dev/bob",
	"arn:aws:iam::444455556666:role/app", "arn:aws:iam::444455556666:role/ops/admin",
	"arn:aws:iam::444455556666:role/admin", "arn:aws:iam::111122223333:role/team/app",
	"arn:aws:sts::111122223333:assumed-role/app/s1",
	"arn:aws:sts::444455556666:assumed-role/admin/audit",
	"arn:aws:sts::111122223333:federated-user/carol",
};

static const char *const actions[] = {
	"vpce:Connect", "s3:GetObject", "s3:Get", "ec2:DescribeInstances",
	"vpce:Conn", "vpce:ConnectX",
};

static const char *const resources[] = {
	"arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc1",
	"arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc2",
	"arn:aws:ec2:local:111122223333:vpc-endpoint-service/web-a",
	"arn:aws:s3:::bucket/key",
	"arn:aws:ec2:local:444455556666:vpc-endpoint-service/a*b",
};

/* Short strings over a small alphabet: where wildcards are interesting. */
static void rnd_str(char *out, const char *alphabet, int maxlen)
{
	int i, n = rn(maxlen + 1), na = strlen(alphabet);

	for (i = 0; i < n; i++)
		out[i] = alphabet[rn(na)];
	out[n] = '\0';
}

static void flip_case(char *s)
{
	for (; *s; s++)
		if (chance(15))
			*s = isupper((unsigned char)*s) ? tolower((unsigned char)*s) :
							  toupper((unsigned char)*s);
}

/*
 * A pattern from a subject: case changes, characters turned into '?',
 * runs turned into '*', or something else; then with VARS variables and
 * escapes between the characters (never inside one another: the document
 * must stay valid).
 */
static char *rnd_pattern(const char *subject, bool vars, bool fold)
{
	static const char *const var_text[] = {
		"${k1}", "${K2}", "${k1, 'a'}", "${nokey, 'svc1'}", "${nokey}",
		"${aws:PrincipalAccount}", "${tags}", "${*}", "${?}", "${$}",
		"${k1 , 'b' }", "${nokey, ''}",
	};
	char buf[VPCE_POLICY_STRING_MAX], out[2 * VPCE_POLICY_STRING_MAX];
	int len, i, n, at, stars = 0, pos[2], o = 0, last = 0;

	snprintf(buf, sizeof(buf), "%s", subject);
	if (chance(25))
		rnd_str(buf, "ab:*?", 6);
	if (fold)
		flip_case(buf);
	n = rn(4);
	for (i = 0; i < n; i++) {
		len = strlen(buf);
		at = len ? rn(len) : 0;
		switch (rn(3)) {
		case 0:		/* one character becomes '?' */
			if (len)
				buf[at] = '?';
			break;
		case 1:		/* a run becomes '*' */
			if (stars++ < 3 && len) {
				int run = rn(len - at + 1);

				memmove(buf + at + 1, buf + at + run, len - at - run + 1);
				buf[at] = '*';
			}
			break;
		default:	/* a character changes */
			if (len)
				buf[at] = "ab:x"[rn(4)];
		}
	}
	len = strlen(buf);
	n = vars ? rn(3) : 0;
	for (i = 0; i < n; i++)
		pos[i] = rn(len + 1);
	if (n == 2 && pos[0] > pos[1]) {
		at = pos[0];
		pos[0] = pos[1];
		pos[1] = at;
	}
	for (i = 0; i < n; i++) {
		o += sprintf(out + o, "%.*s%s", pos[i] - last, buf + last,
			     PICK(var_text));
		last = pos[i];
	}
	sprintf(out + o, "%s", buf + last);
	if (!*out)
		strcpy(out, "*");
	return xstrdup(out);
}

static char *rnd_number(void)
{
	static const char *const pool[] = {
		"0", "1", "1.5", "-1", "-0.5", "10", "2.50", "+3", "000001",
		"999999999999999999.999999999999999999", "-1.000", "-0",
		"1.000000000000000001", "100", "-999999999999999999",
	};
	char buf[64];
	int n;

	if (chance(60))
		return xstrdup(PICK(pool));
	n = snprintf(buf, sizeof(buf), "%s%d", chance(30) ? "-" : "", rn(20));
	if (chance(40))
		snprintf(buf + n, sizeof(buf) - n, ".%d", rn(100));
	return xstrdup(buf);
}

static char *rnd_date(void)
{
	static const char *const pool[] = {
		"2020-01-01", "2020-01-01T00:00:00Z", "2020-01-01T01:00+01:00",
		"1577836800", "2030-06-15T12:30:45.250Z",
		"2030-06-15T12:30:45.2509-0230", "2024-02-29", "1999-12-31T23:59:59Z",
		"0", "2026-12-07", "2026-12-07T00:00", "1796000000",
	};
	char buf[64];
	int y = 1999 + rn(40), mo = 1 + rn(12), d = 1 + rn(28), h = rn(24),
	    mi = rn(60), s = rn(60);

	if (chance(40))
		return xstrdup(PICK(pool));
	switch (rn(5)) {
	case 0:
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
		break;
	case 1:
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
		break;
	case 2:
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo,
			 d, h, mi, s);
		break;
	case 3:
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%d%c%02d:%02d",
			 y, mo, d, h, mi, s, rn(10000), chance(50) ? '+' : '-',
			 rn(15), rn(2) * 30);
		break;
	default:
		snprintf(buf, sizeof(buf), "%d", 900000000 + rn(1000000000));
	}
	return xstrdup(buf);
}

static const char *const cidrs[] = {
	"10.0.0.0/8", "10.1.2.3", "10.1.2.0/24", "0.0.0.0/0", "192.168.1.128/25",
	"2001:db8::/32", "2001:db8::1", "::/0", "fe80::/10", "10.1.2.3/32",
	"10.1.2.2/31", "10.1.2.3/0", "2001:db8:0:1::/64",
};

static const char *const addrs[] = {
	"10.1.2.3", "10.2.0.1", "192.168.1.200", "192.168.1.1", "2001:db8::5",
	"2001:db9::1", "fe80::1", "::1", "10.1.2.3/32", "garbage", "",
	"2001:db8:0:1::9", "10.1.2.2",
};

static const char *const arn_patterns[] = {
	"arn:aws:iam::111122223333:role/*", "arn:aws:iam::*:role/app",
	"arn:aws:iam::${aws:PrincipalAccount}:role/app", "arn:*:*:*:*:*",
	"arn:aws:s3:::bucket/*", "arn:aws:iam::111122223333:r?le/app",
	"arn:aws:iam::111122223333:role/app:extra", "arn:aws:iam::*:*",
	"arn:aws:ec2:local:${k1}:vpc-endpoint-service/*", "*:*:*:*:*:*",
	"arn:aws:iam::111122223333:*", "arn:aws:iam::${nokey, '111122223333'}:root",
};

static const char *const arn_values[] = {
	"arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:role/app",
	"arn:aws:s3:::bucket/key", "arn:aws:iam::111122223333:role/app:extra",
	"notanarn", "a:b:c:d:e", "a:b:c:d:e:f:g", "arn:aws:iam::111122223333:root",
	"arn:aws:ec2:local:a:vpc-endpoint-service/x",
};

/* Condition keys, and which kind of value suits them. */
enum kind { K_STR, K_NUM, K_DATE, K_BOOL, K_IP, K_ARN };

static const struct {
	const char *name;
	enum kind kind;
} cond_keys[] = {
	{ "k1", K_STR }, { "K1", K_STR }, { "K2", K_STR }, { "tags", K_STR },
	{ "missing", K_STR }, { "num", K_NUM }, { "date", K_DATE },
	{ "aws:CurrentTime", K_DATE }, { "aws:EpochTime", K_DATE },
	{ "flag", K_BOOL }, { "ip", K_IP }, { "arn", K_ARN },
	{ "aws:PrincipalArn", K_ARN }, { "aws:principalaccount", K_STR },
};

#define NKEYS ((int)(sizeof(cond_keys) / sizeof(cond_keys[0])))

static char *rnd_value(enum kind kind, bool request)
{
	static const char *const bools[] = { "true", "false", "TRUE", "False" };
	static const char *const rbools[] = { "true", "false", "True", "yes", "" };
	char buf[64];

	switch (kind) {
	case K_STR:
		rnd_str(buf, request ? "aAb*?$" : "aAb", 3);
		return xstrdup(buf);
	case K_NUM:
		if (request && chance(15))
			return xstrdup(PICK(((const char *const[]){ "abc", "", "1.",
				".5", "1e3", "0x10", "1.0000000000000000001" })));
		return rnd_number();
	case K_DATE:
		if (request && chance(15))
			return xstrdup(PICK(((const char *const[]){ "2023-02-29",
				"2020-1-1", "abc", "2020-01-01T24:00", "2020-01-01Z",
				"1234567890123", "2020-01-01T00:00:00.", "" })));
		return rnd_date();
	case K_BOOL:
		return xstrdup(request ? PICK(rbools) : PICK(bools));
	case K_IP:
		if (!request)
			return xstrdup(PICK(cidrs));
		if (chance(30)) {
			snprintf(buf, sizeof(buf), "10.1.2.%d", rn(256));
			return xstrdup(buf);
		}
		return xstrdup(PICK(addrs));
	default:
		return xstrdup(request ? PICK(arn_values) : PICK(arn_patterns));
	}
}

static enum kind op_kind(int op)
{
	switch (op) {
	case VPCE_COND_NUMERIC_EQUALS ... VPCE_COND_NUMERIC_GREATER_THAN_EQUALS:
		return K_NUM;
	case VPCE_COND_DATE_EQUALS ... VPCE_COND_DATE_GREATER_THAN_EQUALS:
		return K_DATE;
	case VPCE_COND_BOOL:
	case VPCE_COND_NULL:
		return K_BOOL;
	case VPCE_COND_IP_ADDRESS:
	case VPCE_COND_NOT_IP_ADDRESS:
		return K_IP;
	case VPCE_COND_ARN_EQUALS ... VPCE_COND_ARN_NOT_LIKE:
		return K_ARN;
	default:
		return K_STR;
	}
}

static void rnd_cond(struct rcond *c)
{
	int i, k;

	c->op = operators[rn(NOPS)].op;
	/* Mostly a key of the operator's kind, sometimes any. */
	do
		k = rn(NKEYS);
	while (cond_keys[k].kind != op_kind(c->op) && c->op != VPCE_COND_NULL &&
	       !chance(10));
	c->key = xstrdup(cond_keys[k].name);
	if (c->op != VPCE_COND_NULL) {
		c->qual = chance(60) ? VPCE_COND_QUALIFIER_NONE :
			  chance(50) ? VPCE_COND_FOR_ANY_VALUE :
				       VPCE_COND_FOR_ALL_VALUES;
		c->if_exists = chance(25);
	}
	c->nvals = 1 + rn(3);
	for (i = 0; i < c->nvals; i++) {
		if (c->op == VPCE_COND_NULL)
			c->vals[i] = xstrdup(chance(50) ? "true" : "false");
		else if (op_kind(c->op) == K_STR && chance(40))
			c->vals[i] = rnd_pattern("aAb", true, false);
		else
			c->vals[i] = rnd_value(op_kind(c->op), false);
	}
}

/*
 * A document. Principal, action and resource each match a request about
 * half the time (a statement whose head never matches tests nothing of its
 * conditions), and a third of the documents are one statement that applies
 * to everything but for its conditions, which then decide alone.
 */
static void rnd_doc(struct rdoc *d)
{
	bool cond_only = chance(33);
	int i, j;

	memset(d, 0, sizeof(*d));
	d->version = chance(80) ? VPCE_POLICY_VERSION_2012_10_17 :
		     VPCE_POLICY_VERSION_2008_10_17;
	d->nstmts = cond_only ? 1 : 1 + rn(4);
	for (i = 0; i < d->nstmts; i++) {
		struct rstmt *st = &d->st[i];

		if (chance(80)) {
			char sid[16];

			snprintf(sid, sizeof(sid), "S%d", i);
			st->sid = xstrdup(sid);
		}
		st->effect = chance(65) ? VPCE_EFFECT_ALLOW : VPCE_EFFECT_DENY;
		st->nprinc = 1 + rn(2);
		st->nact = 1 + rn(2);
		st->nres = 1 + rn(2);
		if (cond_only) {
			st->princ[0] = xstrdup("*");
			st->act[0] = xstrdup("*");
			st->res[0] = xstrdup("*");
			st->nprinc = st->nact = st->nres = 1;
			st->ncond = 1 + rn(3);
		} else {
			/* NotPrincipal only with Deny, as AWS requires. */
			st->not_princ = st->effect == VPCE_EFFECT_DENY &&
					chance(30);
			st->not_act = chance(15);
			st->not_res = chance(15);
			st->ncond = rn(4);
		}
		for (j = cond_only; j < st->nprinc; j++)
			st->princ[j] = xstrdup(chance(30) ? "*" : PICK(pol_principals));
		for (j = cond_only; j < st->nact; j++)
			st->act[j] = chance(30) ? xstrdup("*") :
				     rnd_pattern(PICK(actions), false, true);
		/* ${...} also in 2008-10-17 documents, as plain text there. */
		for (j = cond_only; j < st->nres; j++)
			st->res[j] = chance(25) ? xstrdup("*") :
				     rnd_pattern(PICK(resources), true, false);
		for (j = 0; j < st->ncond; j++)
			rnd_cond(&st->cond[j]);
	}
}

/* A value some condition of D has for KEY, or NULL. */
static const char *doc_value(const struct rdoc *d, const char *key)
{
	int i, j, n = 0;
	const char *pick = NULL;

	for (i = 0; i < d->nstmts; i++)
		for (j = 0; j < d->st[i].ncond; j++) {
			const struct rcond *c = &d->st[i].cond[j];

			if (strcasecmp(c->key, key) || c->op == VPCE_COND_NULL)
				continue;
			/* Reservoir sampling: every value equally likely. */
			if (!rn(++n))
				pick = c->vals[rn(c->nvals)];
		}
	return pick;
}

/*
 * A request: about half the keys present, some with several values, and
 * values often taken from the document itself, so that equality and
 * ordering operators meet their own values.
 */
static void rnd_req(struct rreq *r, const struct rdoc *d)
{
	char buf[64], *v;
	int k, m;

	memset(r, 0, sizeof(*r));
	r->principal = xstrdup(PICK(req_principals));
	r->account = strtoull(r->principal + 13, NULL, 10);
	if (chance(10))
		r->account = chance(50) ? 111122223333ULL : 999988887777ULL;
	r->gateway = chance(25);
	snprintf(buf, sizeof(buf), "%s", PICK(actions));
	flip_case(buf);
	r->action = xstrdup(buf);
	if (chance(25)) {
		rnd_str(buf, "ab:*?", 8);
		if (!*buf)
			strcpy(buf, "a");
		r->resource = xstrdup(buf);
	} else {
		r->resource = xstrdup(PICK(resources));
	}
	/* At most 11 keys: the simulator adds up to 4 of the 16. */
	for (k = 0; k < NKEYS && r->nkeys < 11; k++) {
		if (chance(50))
			continue;
		m = chance(20) ? 2 + rn(2) : 1;
		while (m--) {
			const char *dv = doc_value(d, cond_keys[k].name);

			v = dv && chance(40) ? xstrdup(dv) :
				rnd_value(cond_keys[k].kind, true);
			req_add(r, cond_keys[k].name, v);
			free(v);
		}
	}
}

static void run_random(uint64_t seed, int ndocs)
{
	unsigned long before = nfailed, n0 = ncases;
	const char *err = NULL;
	struct rdoc d;
	struct rreq r;
	char what[64];
	int i, j;

	rng = seed;
	for (i = 0; i < ndocs; i++) {
		/* Now, as the requests see it: fixed by the seed too. */
		time_t now = 1500000000 + rn(900000000);
		struct vpce_policy *p;

		rnd_doc(&d);
		p = kernel_build(&d, &err);
		if (!p) {
			nfailed++;
			printf("# DISAGREE random document %d: the kernel refused it: %s\n",
			       i, err);
			print_doc(stdout, &d);
			free_doc(&d);
			continue;
		}
		for (j = 0; j < 4; j++) {
			rnd_req(&r, &d);
			snprintf(what, sizeof(what), "random document %d request %d",
				 i, j);
			check_case(what, &d, p, &r, now, NULL);
			free_req(&r);
		}
		vpce_policy_free(p);
		free_doc(&d);
	}
	/* A run that only ever denies would prove little: show the mix. */
	printf("# random decisions: %lu allowed, %lu explicitDeny, %lu implicitDeny\n",
	       decisions[VPCE_DECISION_ALLOWED],
	       decisions[VPCE_DECISION_EXPLICIT_DENY],
	       decisions[VPCE_DECISION_IMPLICIT_DENY]);
	printf("%s 1 - random: %lu requests against %d documents (seed %" PRIu64
	       ")%s\n", nfailed == before ? "ok" : "not ok", ncases - n0, ndocs,
	       seed, nfailed == before ? "" : ": see DISAGREE above");
}

/* --- the held-in cases ---------------------------------------------------------- */

static int list_of(const json_t *v, char **out, int max)
{
	size_t i;
	int n = 0;

	if (json_is_string(v)) {
		out[0] = xstrdup(json_string_value(v));
		return 1;
	}
	for (i = 0; i < json_array_size(v) && n < max; i++)
		out[n++] = xstrdup(json_string_value(json_array_get(v, i)));
	return n;
}

/* A condition value as vpcectl sends it: numbers and booleans as text. */
static char *value_text(const json_t *v)
{
	char buf[64];
	size_t n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return xstrdup(buf);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.6f", json_real_value(v));
		n = strlen(buf);
		while (n > 1 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 1 && buf[n - 1] == '.')
			buf[--n] = '\0';
		return xstrdup(buf);
	case JSON_TRUE:
		return xstrdup("true");
	default:
		return xstrdup("false");
	}
}

static int json_conds(struct rstmt *st, const json_t *cond)
{
	const char *opname, *key;
	json_t *keys, *vals;

	json_object_foreach((json_t *)cond, opname, keys) {
		const char *name = opname;
		int qual = VPCE_COND_QUALIFIER_NONE, op = -1, i;
		bool ie = false;
		size_t len;

		if (!strncmp(name, "ForAnyValue:", 12)) {
			qual = VPCE_COND_FOR_ANY_VALUE;
			name += 12;
		} else if (!strncmp(name, "ForAllValues:", 13)) {
			qual = VPCE_COND_FOR_ALL_VALUES;
			name += 13;
		}
		len = strlen(name);
		if (len > 8 && !strcmp(name + len - 8, "IfExists")) {
			ie = true;
			len -= 8;
		}
		for (i = 0; i < NOPS; i++)
			if (strlen(operators[i].name) == len &&
			    !strncmp(operators[i].name, name, len))
				op = operators[i].op;
		if (op < 0)
			return -1;
		json_object_foreach(keys, key, vals) {
			struct rcond *c = &st->cond[st->ncond++];
			size_t j;

			if (st->ncond > MAX_CONDS)
				return -1;
			c->op = op;
			c->qual = qual;
			c->if_exists = ie;
			c->key = xstrdup(key);
			if (!json_is_array(vals)) {
				c->vals[c->nvals++] = value_text(vals);
				continue;
			}
			for (j = 0; j < json_array_size(vals) && j < MAX_VALS; j++)
				c->vals[c->nvals++] = value_text(json_array_get(vals, j));
		}
	}
	return 0;
}

/* A document of the cases file: valid (vpcectl takes it), read as written. */
static int json_doc(const char *text, struct rdoc *d)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr), *stmts, *v;
	size_t i, n;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (!root) {
		printf("# JSON: %s (line %d)\n", jerr.text, jerr.line);
		return -1;
	}
	v = json_object_get(root, "Version");
	d->version = v && !strcmp(json_string_value(v), "2012-10-17") ?
		     VPCE_POLICY_VERSION_2012_10_17 : VPCE_POLICY_VERSION_2008_10_17;
	stmts = json_object_get(root, "Statement");
	n = json_is_array(stmts) ? json_array_size(stmts) : 1;
	for (i = 0; i < n && !ret; i++) {
		const json_t *s = json_is_array(stmts) ? json_array_get(stmts, i) :
							 stmts;
		struct rstmt *st = &d->st[d->nstmts++];

		if (d->nstmts > MAX_STMTS) {
			ret = -1;
			break;
		}
		v = json_object_get(s, "Sid");
		if (v)
			st->sid = xstrdup(json_string_value(v));
		st->effect = !strcmp(json_string_value(json_object_get(s, "Effect")),
				     "Allow") ? VPCE_EFFECT_ALLOW : VPCE_EFFECT_DENY;
		v = json_object_get(s, "Principal");
		st->not_princ = !v;
		if (!v)
			v = json_object_get(s, "NotPrincipal");
		if (json_is_object(v))
			v = json_object_get(v, "AWS");
		st->nprinc = list_of(v, st->princ, MAX_LIST);
		v = json_object_get(s, "Action");
		st->not_act = !v;
		st->nact = list_of(v ? v : json_object_get(s, "NotAction"), st->act,
				   MAX_LIST);
		v = json_object_get(s, "Resource");
		st->not_res = !v;
		st->nres = list_of(v ? v : json_object_get(s, "NotResource"), st->res,
				   MAX_LIST);
		v = json_object_get(s, "Condition");
		if (v && json_conds(st, v))
			ret = -1;
	}
	json_decref(root);
	return ret;
}

/* EXPECT SIDS [ARGS]: the decision and Sids the file wants. */
static int case_line(char *line, const struct rdoc *d, struct rreq *r,
		     struct verdict *want)
{
	char *w[64], *save = NULL, *tok;
	int nw = 0, i;
	bool acct = false;

	for (tok = strtok_r(line, " \t", &save); tok && nw < 64;
	     tok = strtok_r(NULL, " \t", &save))
		w[nw++] = tok;
	if (nw < 2 || nw % 2)
		return -1;
	memset(want, 0, sizeof(*want));
	if (!strcmp(w[0], "allowed"))
		want->decision = VPCE_DECISION_ALLOWED;
	else if (!strcmp(w[0], "explicitDeny"))
		want->decision = VPCE_DECISION_EXPLICIT_DENY;
	else if (!strcmp(w[0], "implicitDeny"))
		want->decision = VPCE_DECISION_IMPLICIT_DENY;
	else
		return -1;
	if (strcmp(w[1], "-")) {
		char *sids = w[1], *s;

		for (s = strtok_r(sids, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			const char *sid = strcmp(s, "''") ? s : "";
			int j;

			for (j = 0; j < d->nstmts; j++)
				if (!strcmp(d->st[j].sid ? d->st[j].sid : "", sid))
					want->matched[j] = true;
		}
	}
	memset(r, 0, sizeof(*r));
	r->principal = xstrdup("arn:aws:iam::111122223333:role/app");
	r->action = xstrdup("vpce:Connect");
	r->resource = xstrdup("arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc1");
	r->account = 0;
	for (i = 2; i < nw; i += 2) {
		const char *a = w[i], *v = w[i + 1];

		if (!strcmp(a, "p")) {
			free(r->principal);
			if (strlen(v) == 12) {
				char arn[64];

				snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", v);
				r->principal = xstrdup(arn);
			} else {
				r->principal = xstrdup(v);
			}
		} else if (!strcmp(a, "acct")) {
			r->account = strtoull(v, NULL, 10);
			acct = true;
		} else if (!strcmp(a, "t")) {
			r->gateway = !strcmp(v, "gateway");
		} else if (!strcmp(a, "a")) {
			free(r->action);
			r->action = xstrdup(v);
		} else if (!strcmp(a, "r")) {
			free(r->resource);
			r->resource = xstrdup(v);
		} else if (!strcmp(a, "c")) {
			char *eq = strchr(v, '=');

			if (!eq)
				return -1;
			*eq = '\0';
			req_add(r, v, eq + 1);
		} else {
			return -1;
		}
	}
	if (!acct)
		r->account = strtoull(r->principal + 13, NULL, 10);
	return 0;
}

static void run_cases(const char *path)
{
	unsigned long before = nfailed, n0 = ncases;
	char line[4096], doc[VPCE_POLICY_TEXT_MAX + 1], name[256] = "";
	char what[512];
	struct vpce_policy *p = NULL;
	const char *err = NULL;
	time_t now = time(NULL);
	struct verdict want;
	struct rdoc d = { 0 };
	struct rreq r;
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("not ok 2 - held-in cases: %s: %s\n", path, strerror(errno));
		nfailed++;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (!strncmp(line, "doc ", 4)) {
			snprintf(name, sizeof(name), "%.200s", line + 4);
			*doc = '\0';
			while (fgets(line, sizeof(line), f) && strcmp(line, "end\n")) {
				lineno++;
				strncat(doc, line, sizeof(doc) - strlen(doc) - 1);
			}
			lineno++;
			if (p)
				vpce_policy_free(p);
			free_doc(&d);
			p = NULL;
			if (json_doc(doc, &d)) {
				printf("# %s:%d: cannot read document %s\n", path,
				       lineno, name);
				nfailed++;
				continue;
			}
			p = kernel_build(&d, &err);
			if (!p) {
				printf("# DISAGREE %s:%d: the kernel refused %s: %s\n",
				       path, lineno, name, err);
				print_doc(stdout, &d);
				nfailed++;
			}
			continue;
		}
		if (!p)
			continue;	/* said above */
		if (case_line(line, &d, &r, &want)) {
			printf("# %s:%d: cannot read the case\n", path, lineno);
			nfailed++;
			continue;
		}
		snprintf(what, sizeof(what), "%s:%d (%s)", path, lineno, name);
		check_case(what, &d, p, &r, now, &want);
		free_req(&r);
	}
	fclose(f);
	if (p)
		vpce_policy_free(p);
	free_doc(&d);
	/* 30-policy-eval wants at least 150; fewer here means a reading bug. */
	if (ncases - n0 < 150) {
		printf("# only %lu cases in %s\n", ncases - n0, path);
		nfailed++;
	}
	printf("%s 2 - held-in: %lu cases of %s%s\n",
	       nfailed == before ? "ok" : "not ok", ncases - n0, path,
	       nfailed == before ? "" : ": see DISAGREE above");
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	char cases[4096];
	int ndocs = 3000, c;

	while ((c = getopt(argc, argv, "s:n:v")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			ndocs = atoi(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n DOCS] [-v] [CASES]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		snprintf(cases, sizeof(cases), "%s", argv[optind]);
	} else {
		/* policy-eval.cases next to this program. */
		const char *slash = strrchr(argv[0], '/');

		snprintf(cases, sizeof(cases), "%.*spolicy-eval.cases",
			 slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
	}
	ref_init();
	printf("TAP version 13\n1..2\n# seed %" PRIu64 " (policyeval -s %" PRIu64
	       " repeats this run)\n", seed, seed);
	fflush(stdout);
	run_random(seed, ndocs);
	run_cases(cases);
	printf("# %lu cases, %lu disagreements\n", ncases, nfailed);
	return nfailed ? 1 : 0;
}
