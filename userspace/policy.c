// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoint policy documents (IAM JSON): read, validated and compiled.
 *
 * A document is parsed with jansson and validated the way AWS validates an
 * endpoint policy, element by element, so that every error can name the
 * element it is about ("Statement[1].Condition.IpAddress.aws:VpcSourceIp:
 * invalid CIDR ..."). The same walk then compiles the validated document
 * into the nested attributes of include/uapi/linux/vpce.h: validation runs
 * with no message to fill and stops at the first error, compilation runs
 * on a document known to be valid. The kernel validates the compiled form
 * again; this side exists to give good messages and to send nothing bad.
 * What each value may be is policy-values.c's; "policy simulate" is
 * policy-simulate.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcectl.h"
#include "policy.h"
#include "policy-values.h"

struct policy {
	char *text;
	json_t *root;
	int version;		/* enum vpce_policy_version */
};

static const struct {
	const char *name;
	enum vpce_cond_op op;
	enum vkind kind;
} operators[] = {
	{ "StringEquals",		VPCE_COND_STRING_EQUALS,	V_STR },
	{ "StringNotEquals",		VPCE_COND_STRING_NOT_EQUALS,	V_STR },
	{ "StringEqualsIgnoreCase",	VPCE_COND_STRING_EQUALS_IGNORE_CASE, V_STR },
	{ "StringNotEqualsIgnoreCase",	VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE, V_STR },
	{ "StringLike",			VPCE_COND_STRING_LIKE,		V_LIKE },
	{ "StringNotLike",		VPCE_COND_STRING_NOT_LIKE,	V_LIKE },
	{ "NumericEquals",		VPCE_COND_NUMERIC_EQUALS,	V_NUM },
	{ "NumericNotEquals",		VPCE_COND_NUMERIC_NOT_EQUALS,	V_NUM },
	{ "NumericLessThan",		VPCE_COND_NUMERIC_LESS_THAN,	V_NUM },
	{ "NumericLessThanEquals",	VPCE_COND_NUMERIC_LESS_THAN_EQUALS, V_NUM },
	{ "NumericGreaterThan",		VPCE_COND_NUMERIC_GREATER_THAN,	V_NUM },
	{ "NumericGreaterThanEquals",	VPCE_COND_NUMERIC_GREATER_THAN_EQUALS, V_NUM },
	{ "DateEquals",			VPCE_COND_DATE_EQUALS,		V_DATE },
	{ "DateNotEquals",		VPCE_COND_DATE_NOT_EQUALS,	V_DATE },
	{ "DateLessThan",		VPCE_COND_DATE_LESS_THAN,	V_DATE },
	{ "DateLessThanEquals",		VPCE_COND_DATE_LESS_THAN_EQUALS, V_DATE },
	{ "DateGreaterThan",		VPCE_COND_DATE_GREATER_THAN,	V_DATE },
	{ "DateGreaterThanEquals",	VPCE_COND_DATE_GREATER_THAN_EQUALS, V_DATE },
	{ "Bool",			VPCE_COND_BOOL,			V_BOOL },
	{ "IpAddress",			VPCE_COND_IP_ADDRESS,		V_IP },
	{ "NotIpAddress",		VPCE_COND_NOT_IP_ADDRESS,	V_IP },
	{ "ArnEquals",			VPCE_COND_ARN_EQUALS,		V_ARN },
	{ "ArnNotEquals",		VPCE_COND_ARN_NOT_EQUALS,	V_ARN },
	{ "ArnLike",			VPCE_COND_ARN_LIKE,		V_ARN },
	{ "ArnNotLike",			VPCE_COND_ARN_NOT_LIKE,		V_ARN },
	{ "Null",			VPCE_COND_NULL,			V_NULL },
};

/* The walk's state: MSG is NULL while validating. */
struct walk {
	struct nl_msg *msg;
	int version;
	int nelems;
	const char *sids[VPCE_POLICY_STATEMENTS_MAX];
	int nsids;
};

/* An element path; long keys are cut, which only shortens the message. */
static void __attribute__((format(printf, 2, 3)))
pathf(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_MAX_LEN, fmt, ap);
	va_end(ap);
}

/* --- the walk ------------------------------------------------------------------ */


/* A string element: printable ASCII of bounded length, counted. */
static int check_str(struct walk *w, const char *path, const char *s,
		     bool allow_empty)
{
	size_t len = strlen(s);

	if (!len && !allow_empty)
		return policy_perr(path, "empty string");
	if (len > VPCE_POLICY_STRING_MAX)
		return policy_perr(path, "\"%.32s...\" is too long (%zu characters, at most %d)",
			    s, len, VPCE_POLICY_STRING_MAX);
	if (!policy_printable(s))
		return policy_perr(path, "\"%s\": only printable ASCII characters are supported",
			    s);
	if (++w->nelems > VPCE_POLICY_ELEMENTS_MAX)
		return policy_perr(path, "too many elements (at most %d in a policy)",
			    VPCE_POLICY_ELEMENTS_MAX);
	return 0;
}

/* A list element: a string or a non-empty array of strings. */
static int list_get(const json_t *v, const char *path, size_t *n)
{
	size_t i;
	const json_t *e;

	if (json_is_string(v)) {
		*n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return policy_perr(path, "expected a string or an array of strings");
	if (!json_array_size(v))
		return policy_perr(path, "an empty list");
	for_each_elem(v, i, e)
		if (!json_is_string(e))
			return policy_perr(path, "expected a string or an array of strings");
	*n = json_array_size(v);
	return 0;
}

static const char *list_at(const json_t *v, size_t i)
{
	return json_is_string(v) ? json_string_value(v) :
				   json_string_value(json_array_get(v, i));
}

static void path_at(char *out, const char *path, const json_t *v, size_t i)
{
	if (json_is_array(v))
		pathf(out, "%s[%zu]", path, i);
	else
		pathf(out, "%s", path);
}

static int principals(struct walk *w, const json_t *v, const char *path,
		      int type)
{
	char p[PATH_MAX_LEN], sub[PATH_MAX_LEN];
	struct nlattr *nest = NULL;
	const json_t *aws;
	const char *k;
	size_t i, n;

	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "*"))
			return policy_perr(path, "\"%s\": expected \"*\" or {\"AWS\": ...}",
				    json_string_value(v));
		aws = v;
		pathf(p, "%s", path);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, aws)
			if (strcmp(k, "AWS"))
				return policy_perr(path, "\"%s\": only AWS principals apply to endpoints",
					    k);
		aws = json_object_get(v, "AWS");
		if (!aws)
			return policy_perr(path, "expected {\"AWS\": ...}");
		pathf(p, "%s.AWS", path);
	} else {
		return policy_perr(path, "expected \"*\" or {\"AWS\": ...}");
	}
	if (list_get(aws, p, &n))
		return -1;
	if (w->msg)
		nest = nl_nest(w->msg, type);
	for (i = 0; i < n; i++) {
		const char *s = list_at(aws, i);

		path_at(sub, p, aws, i);
		if (check_str(w, sub, s, false))
			return -1;
		if (strlen(s) > VPCE_ARN_MAX ||
		    (strcmp(s, "*") && !(strlen(s) == 12 && policy_all_digits(s, 12)) &&
		     !policy_iam_arn(s, NULL)))
			return policy_perr(sub, "invalid principal \"%s\" (expected \"*\", an account, an IAM root, user or role ARN, or an STS assumed-role or federated-user ARN)",
				    s);
		if (w->msg)
			nl_put_str(w->msg, i, s);
	}
	if (w->msg)
		nl_nest_end(w->msg, nest);
	return 0;
}


/* Action/NotAction and Resource/NotResource. */
static int patterns(struct walk *w, const json_t *v, const char *path,
		    int type, bool resource)
{
	char sub[PATH_MAX_LEN];
	struct nlattr *nest = NULL;
	size_t i, n;

	if (list_get(v, path, &n))
		return -1;
	if (w->msg)
		nest = nl_nest(w->msg, type);
	for (i = 0; i < n; i++) {
		const char *s = list_at(v, i);

		path_at(sub, path, v, i);
		if (check_str(w, sub, s, false))
			return -1;
		if (!resource && !policy_action_valid(s))
			return policy_perr(sub, "invalid action \"%s\" (expected \"*\" or SERVICE:ACTION)",
				    s);
		if (resource && strcmp(s, "*") &&
		    (strncmp(s, "arn:", 4) || !policy_arn_shaped(w->version, s)))
			return policy_perr(sub, "invalid resource \"%s\" (expected \"*\" or an ARN)",
				    s);
		if (resource && policy_check_vars(w->version, sub, s))
			return -1;
		if (w->msg)
			nl_put_str(w->msg, i, s);
	}
	if (w->msg)
		nl_nest_end(w->msg, nest);
	return 0;
}


/* One "Operator": {"key": values, ...} of a Condition block. */
static int condition_op(struct walk *w, const char *opname, const json_t *keys,
			const char *path, int *nconds)
{
	char p[PATH_MAX_LEN], sub[PATH_MAX_LEN], buf[64];
	int qual = VPCE_COND_QUALIFIER_NONE, idx = -1;
	const char *name = opname, *k, *s;
	bool if_exists = false;
	const json_t *v, *e;
	size_t i, n, len;

	pathf(p, "%s.%s", path, opname);
	if (!strncmp(name, "ForAnyValue:", 12)) {
		qual = VPCE_COND_FOR_ANY_VALUE;
		name += 12;
	} else if (!strncmp(name, "ForAllValues:", 13)) {
		qual = VPCE_COND_FOR_ALL_VALUES;
		name += 13;
	}
	len = strlen(name);
	if (len > 8 && !strcmp(name + len - 8, "IfExists")) {
		if_exists = true;
		len -= 8;
	}
	for (i = 0; i < ARRAY_SIZE(operators); i++)
		if (strlen(operators[i].name) == len &&
		    !strncmp(operators[i].name, name, len))
			idx = i;
	if (idx < 0)
		return policy_perr(p, "unknown condition operator");
	if (operators[idx].kind == V_NULL && (qual || if_exists))
		return policy_perr(p, "Null takes no ForAnyValue/ForAllValues and has no IfExists form");
	if (!json_is_object(keys))
		return policy_perr(p, "expected an object of condition keys and values");
	if (!json_object_size(keys))
		return policy_perr(p, "no condition keys");

	json_object_foreach((json_t *)keys, k, v) {
		pathf(sub, "%s.%s", p, k);
		if (!policy_key_valid(k, strlen(k)) || strlen(k) > VPCE_POLICY_STRING_MAX)
			return policy_perr(sub, "invalid condition key");
		if (++*nconds > VPCE_POLICY_CONDITIONS_MAX)
			return policy_perr(sub, "too many conditions in one statement (at most %d)",
				    VPCE_POLICY_CONDITIONS_MAX);
		if (json_is_array(v)) {
			n = json_array_size(v);
			if (!n)
				return policy_perr(sub, "no values");
		} else {
			n = 1;
		}
		struct nlattr *nest = NULL, *vals = NULL;

		if (w->msg) {
			nest = nl_nest(w->msg, *nconds - 1);
			nl_put_u8(w->msg, VPCE_COND_A_OP,
					     operators[idx].op);
			if (qual)
				nl_put_u8(w->msg, VPCE_COND_A_QUALIFIER,
						     qual);
			if (if_exists)
				nl_put_flag(w->msg, VPCE_COND_A_IF_EXISTS);
			nl_put_str(w->msg, VPCE_COND_A_KEY, k);
			vals = nl_nest(w->msg, VPCE_COND_A_VALUES);
		}
		for (i = 0; i < n; i++) {
			e = json_is_array(v) ? json_array_get(v, i) : v;
			s = policy_value_text(e, buf, sizeof(buf));
			if (!s)
				return policy_perr(sub, "values must be strings, numbers or booleans");
			if (check_str(w, sub, s, true) ||
			    policy_value_check(w->version, operators[idx].kind, sub, s))
				return -1;
			if (w->msg)
				nl_put_str(w->msg, i, s);
		}
		if (w->msg) {
			nl_nest_end(w->msg, vals);
			nl_nest_end(w->msg, nest);
		}
	}
	return 0;
}

static int conditions(struct walk *w, const json_t *v, const char *path)
{
	struct nlattr *nest = NULL;
	const json_t *keys;
	const char *op;
	int n = 0;

	if (!json_is_object(v))
		return policy_perr(path, "expected an object of condition operators");
	if (w->msg)
		nest = nl_nest(w->msg, VPCE_STMT_A_CONDITIONS);
	json_object_foreach((json_t *)v, op, keys)
		if (condition_op(w, op, keys, path, &n))
			return -1;
	if (w->msg)
		nl_nest_end(w->msg, nest);
	return 0;
}

static const char *const stmt_keys[] = {
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
	"Resource", "NotResource", "Condition",
};

/* Exactly one of ELEMENT and NotELEMENT. */
static int one_of(const json_t *st, const char *path, const char *a,
		  const char *b, const json_t **v, bool *not)
{
	const json_t *va = json_object_get(st, a), *vb = json_object_get(st, b);

	if (va && vb)
		return policy_perr(path, "both %s and %s", a, b);
	if (!va && !vb)
		return policy_perr(path, "%s (or %s) is required", a, b);
	*v = va ? va : vb;
	*not = !va;
	return 0;
}

static int statement(struct walk *w, const json_t *st, const char *path,
		     int idx)
{
	const json_t *v, *princ, *act, *res;
	bool not_princ, not_act, not_res;
	char p[PATH_MAX_LEN];
	struct nlattr *nest = NULL;
	const char *k, *sid = NULL;
	int effect;
	size_t j;

	if (!json_is_object(st))
		return policy_perr(path, "a statement must be an object");
	json_object_foreach((json_t *)st, k, v) {
		for (j = 0; j < ARRAY_SIZE(stmt_keys); j++)
			if (!strcmp(k, stmt_keys[j]))
				break;
		if (j == ARRAY_SIZE(stmt_keys)) {
			pathf(p, "%s.%s", path, k);
			return policy_perr(p, "unknown element");
		}
	}
	v = json_object_get(st, "Sid");
	if (v) {
		pathf(p, "%s.Sid", path);
		if (!json_is_string(v))
			return policy_perr(p, "expected a string");
		sid = json_string_value(v);
		if (!*sid || !policy_printable(sid) || strlen(sid) > VPCE_POLICY_STRING_MAX)
			return policy_perr(p, "\"%s\": a Sid is 1-%d printable ASCII characters",
				    sid, VPCE_POLICY_STRING_MAX);
		for (int i = 0; i < w->nsids; i++)
			if (!strcmp(w->sids[i], sid))
				return policy_perr(p, "duplicate Sid \"%s\"", sid);
		w->sids[w->nsids++] = sid;
	}
	v = json_object_get(st, "Effect");
	pathf(p, "%s.Effect", path);
	if (!v)
		return policy_perr(path, "Effect is required");
	if (json_is_string(v) && !strcmp(json_string_value(v), "Allow"))
		effect = VPCE_EFFECT_ALLOW;
	else if (json_is_string(v) && !strcmp(json_string_value(v), "Deny"))
		effect = VPCE_EFFECT_DENY;
	else
		return policy_perr(p, "expected \"Allow\" or \"Deny\"");
	if (one_of(st, path, "Principal", "NotPrincipal", &princ, &not_princ) ||
	    one_of(st, path, "Action", "NotAction", &act, &not_act) ||
	    one_of(st, path, "Resource", "NotResource", &res, &not_res))
		return -1;
	/* AWS: "NotPrincipal must be used with Deny"; Allow is refused. */
	if (not_princ && effect != VPCE_EFFECT_DENY)
		return policy_perr(path, "NotPrincipal is supported only with \"Effect\": \"Deny\"");

	if (w->msg) {
		nest = nl_nest(w->msg, idx);
		if (sid)
			nl_put_str(w->msg, VPCE_STMT_A_SID, sid);
		nl_put_u8(w->msg, VPCE_STMT_A_EFFECT, effect);
		if (not_princ)
			nl_put_flag(w->msg, VPCE_STMT_A_NOT_PRINCIPAL);
		if (not_act)
			nl_put_flag(w->msg, VPCE_STMT_A_NOT_ACTION);
		if (not_res)
			nl_put_flag(w->msg, VPCE_STMT_A_NOT_RESOURCE);
	}
	pathf(p, "%s.%s", path, not_princ ? "NotPrincipal" : "Principal");
	if (principals(w, princ, p, VPCE_STMT_A_PRINCIPALS))
		return -1;
	pathf(p, "%s.%s", path, not_act ? "NotAction" : "Action");
	if (patterns(w, act, p, VPCE_STMT_A_ACTIONS, false))
		return -1;
	pathf(p, "%s.%s", path, not_res ? "NotResource" : "Resource");
	if (patterns(w, res, p, VPCE_STMT_A_RESOURCES, true))
		return -1;
	v = json_object_get(st, "Condition");
	if (v) {
		pathf(p, "%s.Condition", path);
		if (conditions(w, v, p))
			return -1;
	}
	if (w->msg)
		nl_nest_end(w->msg, nest);
	return 0;
}

static int walk_policy(struct walk *w, const json_t *root)
{
	const json_t *v, *stmts;
	struct nlattr *pol = NULL, *nest = NULL;
	char p[PATH_MAX_LEN];
	const char *k;
	size_t i, n;

	if (!json_is_object(root))
		return policy_perr("(document)", "a policy must be a JSON object");
	json_object_foreach((json_t *)root, k, v)
		if (strcmp(k, "Version") && strcmp(k, "Id") && strcmp(k, "Statement"))
			return policy_perr(k, "unknown element");
	v = json_object_get(root, "Version");
	w->version = VPCE_POLICY_VERSION_2008_10_17;
	if (v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "2012-10-17"))
			w->version = VPCE_POLICY_VERSION_2012_10_17;
		else if (!json_is_string(v) || strcmp(json_string_value(v), "2008-10-17"))
			return policy_perr("Version", "expected \"2012-10-17\" or \"2008-10-17\"");
	}
	v = json_object_get(root, "Id");
	if (v && (!json_is_string(v) || !policy_printable(json_string_value(v))))
		return policy_perr("Id", "expected a string");
	stmts = json_object_get(root, "Statement");
	if (!stmts)
		return policy_perr("Statement", "required");
	if (json_is_array(stmts)) {
		n = json_array_size(stmts);
		if (!n)
			return policy_perr("Statement", "no statements");
		if (n > VPCE_POLICY_STATEMENTS_MAX)
			return policy_perr("Statement", "too many statements (%zu, at most %d)",
				    n, VPCE_POLICY_STATEMENTS_MAX);
	} else if (json_is_object(stmts)) {
		n = 1;
	} else {
		return policy_perr("Statement", "expected an object or an array of objects");
	}
	w->nelems = 0;
	w->nsids = 0;
	if (w->msg) {
		pol = nl_nest(w->msg, VPCE_A_POLICY);
		nl_put_u8(w->msg, VPCE_POLICY_A_VERSION, w->version);
		nest = nl_nest(w->msg, VPCE_POLICY_A_STATEMENTS);
	}
	for (i = 0; i < n; i++) {
		path_at(p, "Statement", stmts, i);
		if (statement(w, json_is_array(stmts) ? json_array_get(stmts, i) :
			      stmts, p, i))
			return -1;
	}
	if (w->msg) {
		nl_nest_end(w->msg, nest);
		nl_nest_end(w->msg, pol);
	}
	return 0;
}

/* --- loading ------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = VPCE_POLICY_TEXT_MAX + 2, n = 0, got;
	char *buf;

	if (!f) {
		fprintf(stderr, "vpcectl: %spolicy: cannot open \"%s\": %s\n", err_prefix, path,
			strerror(errno));
		return NULL;
	}
	buf = malloc(cap + 1);
	if (!buf)
		die_usage("out of memory");
	/* One byte past the limit is enough to know the document is too big. */
	while (n < cap && (got = fread(buf + n, 1, cap - n, f)) > 0)
		n += got;
	if (ferror(f)) {
		fprintf(stderr, "vpcectl: %spolicy: cannot read \"%s\": %s\n", err_prefix, path,
			strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* Validate TEXT (LEN bytes, malloc'ed, taken over) named WHAT in messages. */
static struct policy *policy_from_text(char *text, size_t len, const char *path)
{
	struct walk w = { .msg = NULL };
	struct policy *pol;
	json_error_t err;

	if (len > VPCE_POLICY_TEXT_MAX) {
		fprintf(stderr, "vpcectl: %spolicy: %s: the document is longer than %d characters\n", err_prefix,
			path, VPCE_POLICY_TEXT_MAX);
		free(text);
		return NULL;
	}
	if (strlen(text) != len) {
		fprintf(stderr, "vpcectl: %spolicy: %s: the document contains a NUL byte\n", err_prefix,
			path);
		free(text);
		return NULL;
	}
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		die_usage("out of memory");
	pol->text = text;
	pol->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!pol->root) {
		fprintf(stderr, "vpcectl: %spolicy: %s: line %d column %d: %s\n", err_prefix,
			path, err.line, err.column, err.text);
		policy_free(pol);
		return NULL;
	}
	if (walk_policy(&w, pol->root)) {
		policy_free(pol);
		return NULL;
	}
	pol->version = w.version;
	return pol;
}

struct policy *policy_load(const char *path)
{
	size_t len;
	char *text;

	text = read_all(path, &len);
	if (!text)
		return NULL;
	return policy_from_text(text, len, path);
}

struct policy *policy_load_mem(const void *buf, size_t len, const char *name)
{
	char *copy = malloc(len + 1);

	if (!copy)
		die_usage("out of memory");
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return policy_from_text(copy, len, name);
}

struct policy *policy_load_text(const char *text)
{
	return policy_load_mem(text, strlen(text), "policy-json");
}

void policy_put(struct nl_msg *msg, const struct policy *pol)
{
	struct walk w = { .msg = msg };

	if (walk_policy(&w, pol->root))
		die_kernel("policy: the document changed meaning between two reads");
	nl_put_str(msg, VPCE_A_POLICY_TEXT, pol->text);
}

void policy_free(struct policy *pol)
{
	if (!pol)
		return;
	json_decref(pol->root);
	free(pol->text);
	free(pol);
}

int policy_put_file(struct nl_msg *msg, const char *path)
{
	struct policy *pol = policy_load(path);

	if (!pol)
		return EXIT_USAGE;
	policy_put(msg, pol);
	policy_free(pol);
	return 0;
}

