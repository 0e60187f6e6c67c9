// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoint policy documents (IAM JSON), and "vpcectl policy simulate".
 *
 * A document is parsed with jansson and validated the way AWS validates an
 * endpoint policy, element by element, so that every error can name the
 * element it is about ("Statement[1].Condition.IpAddress.aws:VpcSourceIp:
 * invalid CIDR ..."). The same walk then compiles the validated document
 * into the nested attributes of include/uapi/linux/vpce.h: validation runs
 * with no message to fill and stops at the first error, compilation runs
 * on a document known to be valid. The kernel validates the compiled form
 * again; this side exists to give good messages and to send nothing bad.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcectl.h"
#include "policy.h"

struct policy {
	char *text;
	json_t *root;
	int version;		/* enum vpce_policy_version */
};

/* What a condition operator's values are. */
enum vkind { V_STR, V_LIKE, V_NUM, V_DATE, V_BOOL, V_IP, V_ARN, V_NULL };

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

#define PATH_MAX_LEN	(2 * VPCE_POLICY_STRING_MAX + 128)

static int __attribute__((format(printf, 2, 3)))
perr(const char *path, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vpcectl: %spolicy: %s: ", err_prefix, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* An element path; long keys are cut, which only shortens the message. */
static void __attribute__((format(printf, 2, 3)))
pathf(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_MAX_LEN, fmt, ap);
	va_end(ap);
}

/* --- strings ----------------------------------------------------------------- */

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static bool key_char(char c)
{
	return isascii((unsigned char)c) &&
	       (isalnum((unsigned char)c) || strchr(":/_.-+=@", c));
}

static bool key_valid(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!key_char(s[i]))
			return false;
	return true;
}

/* A string element: printable ASCII of bounded length, counted. */
static int check_str(struct walk *w, const char *path, const char *s,
		     bool allow_empty)
{
	size_t len = strlen(s);

	if (!len && !allow_empty)
		return perr(path, "empty string");
	if (len > VPCE_POLICY_STRING_MAX)
		return perr(path, "\"%.32s...\" is too long (%zu characters, at most %d)",
			    s, len, VPCE_POLICY_STRING_MAX);
	if (!printable(s))
		return perr(path, "\"%s\": only printable ASCII characters are supported",
			    s);
	if (++w->nelems > VPCE_POLICY_ELEMENTS_MAX)
		return perr(path, "too many elements (at most %d in a policy)",
			    VPCE_POLICY_ELEMENTS_MAX);
	return 0;
}

/*
 * Policy variables (2012-10-17 only): ${key}, ${key, 'default'}, and the
 * escapes ${*} ${?} ${$}. As the kernel parses them.
 */
static int check_vars(const struct walk *w, const char *path, const char *s)
{
	const char *p = s, *end, *comma, *q;
	int nvars = 0;
	size_t klen;

	if (w->version != VPCE_POLICY_VERSION_2012_10_17)
		return 0;
	while ((p = strstr(p, "${"))) {
		p += 2;
		end = strchr(p, '}');
		if (!end)
			return perr(path, "\"%s\": unterminated policy variable", s);
		if (end - p == 1 && strchr("*?$", *p)) {
			p = end + 1;
			continue;
		}
		comma = memchr(p, ',', end - p);
		klen = (comma ? comma : end) - p;
		while (klen && p[klen - 1] == ' ')
			klen--;
		if (!key_valid(p, klen))
			return perr(path, "\"%s\": invalid policy variable \"${%.*s}\"",
				    s, (int)(end - p), p);
		if (comma) {
			q = comma + 1;
			while (q < end && *q == ' ')
				q++;
			if (q == end || *q != '\'' ||
			    !(q = memchr(q + 1, '\'', end - q - 1)))
				return perr(path, "\"%s\": a policy variable's default must be in single quotes",
					    s);
			for (q++; q < end; q++)
				if (*q != ' ')
					return perr(path, "\"%s\": invalid policy variable \"${%.*s}\"",
						    s, (int)(end - p), p);
		}
		if (++nvars > VPCE_POLICY_VARS_MAX)
			return perr(path, "\"%s\": too many policy variables (at most %d)",
				    s, VPCE_POLICY_VARS_MAX);
		p = end + 1;
	}
	return 0;
}

/* ARNs have six ':'-separated parts (the last may hold more colons). */
static bool arn_shaped(const struct walk *w, const char *s)
{
	bool vars = w->version == VPCE_POLICY_VERSION_2012_10_17, in = false;
	int colons = 0;

	for (; *s && colons < 5; s++) {
		if (vars && s[0] == '$' && s[1] == '{')
			in = true;
		else if (in && *s == '}')
			in = false;
		else if (!in && *s == ':')
			colons++;
	}
	return colons == 5;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* At most 18 digits before and after the point, as the kernel stores them. */
static bool number_valid(const char *s)
{
	size_t nd, nf = 0;

	if (*s == '-' || *s == '+')
		s++;
	nd = strspn(s, "0123456789");
	s += nd;
	if (*s == '.') {
		nf = strspn(++s, "0123456789");
		if (!nf)
			return false;
		s += nf;
	}
	return nd && nd <= 18 && nf <= 18 && !*s;
}

static bool two(const char *s, int *v)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/* Epoch seconds, or ISO 8601 YYYY-MM-DD[Thh:mm[:ss[.fff]][Z|+hh:mm]]. */
static bool date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	size_t len = strlen(s);
	int y, mo, d, h, mi, sec, tzh, tzm;
	bool leap;

	if (all_digits(s, len))
		return len <= 12;
	if (len < 10 || !all_digits(s, 4) || s[4] != '-' || !two(s + 5, &mo) ||
	    s[7] != '-' || !two(s + 8, &d))
		return false;
	y = atoi(s);
	leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap))
		return false;
	s += 10;
	if (!*s)
		return true;
	if (*s != 'T' || !two(s + 1, &h) || s[3] != ':' || !two(s + 4, &mi) ||
	    h > 23 || mi > 59)
		return false;
	s += 6;
	if (*s == ':') {
		if (!two(s + 1, &sec) || sec > 59)
			return false;
		s += 3;
		if (*s == '.') {
			size_t n = strspn(++s, "0123456789");

			if (!n)
				return false;
			s += n;
		}
	}
	if (*s == 'Z')
		return !s[1];
	if (*s == '+' || *s == '-') {
		if (!two(s + 1, &tzh))
			return false;
		if (s[3] == ':' ? !two(s + 4, &tzm) || s[6] : !two(s + 3, &tzm) || s[5])
			return false;
		return tzh <= 23 && tzm <= 59;
	}
	return !*s;
}

/* ADDR or ADDR/LEN, IPv4 or IPv6, as the kernel takes them. */
static bool cidr_valid(const char *s)
{
	char addr[INET6_ADDRSTRLEN + 8];
	unsigned char buf[16];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (!alen || alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (strchr(addr, ':'))
		max = inet_pton(AF_INET6, addr, buf) == 1 ? 128 : -1;
	else
		max = inet_pton(AF_INET, addr, buf) == 1 ? 32 : -1;
	if (max < 0)
		return false;
	if (slash) {
		size_t n = strlen(slash + 1);

		if (!all_digits(slash + 1, n) || n > 3 ||
		    (n > 1 && slash[1] == '0') || atoi(slash + 1) > max)
			return false;
	}
	return true;
}

/* Values of a condition: JSON scalars, as the text the kernel gets. */
static const char *value_text(const json_t *v, char *buf, size_t len)
{
	size_t n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		/* Plain decimal, no exponent: what the numeric parser takes. */
		snprintf(buf, len, "%.6f", json_real_value(v));
		n = strlen(buf);
		while (n > 1 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 1 && buf[n - 1] == '.')
			buf[--n] = '\0';
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

/* --- principals --------------------------------------------------------------- */

#define IAM_PREFIX "arn:aws:iam::"

/* 1: an account root ARN, 2: a user or role ARN, 0: neither. */
static int iam_arn(const char *s, uint64_t *account)
{
	const size_t pl = sizeof(IAM_PREFIX) - 1;
	const char *rest;
	size_t i, len;

	if (strncmp(s, IAM_PREFIX, pl) || !all_digits(s + pl, 12) ||
	    s[pl + 12] != ':')
		return 0;
	if (account)
		*account = strtoull(s + pl, NULL, 10);
	rest = s + pl + 13;
	if (!strcmp(rest, "root"))
		return 1;
	if (strncmp(rest, "user/", 5) && strncmp(rest, "role/", 5))
		return 0;
	len = strlen(rest);
	if (len <= 5 || rest[len - 1] == '/')
		return 0;
	for (i = 5; i < len; i++)
		if (!isascii((unsigned char)rest[i]) ||
		    (!isalnum((unsigned char)rest[i]) && !strchr("+=,.@_/-", rest[i])))
			return 0;
	return 2;
}

bool policy_principal_arn(const char *s, char *out, size_t outlen,
			  uint64_t *account)
{
	if (strlen(s) == 12 && all_digits(s, 12)) {
		*account = strtoull(s, NULL, 10);
		snprintf(out, outlen, IAM_PREFIX "%s:root", s);
		return true;
	}
	if (!iam_arn(s, account) || strlen(s) >= outlen)
		return false;
	snprintf(out, outlen, "%s", s);
	return true;
}

/* --- the walk ------------------------------------------------------------------ */

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
		return perr(path, "expected a string or an array of strings");
	if (!json_array_size(v))
		return perr(path, "an empty list");
	for_each_elem(v, i, e)
		if (!json_is_string(e))
			return perr(path, "expected a string or an array of strings");
	*n = json_array_size(v);
	return 0;
}

static const char *list_at(const json_t *v, size_t i)
{
	return json_is_string(v) ? json_string_value(v) :
				   json_string_value(json_array_get(v, i));
}

static void put_check(int err)
{
	if (err < 0)
		die_kernel("cannot build the request: %s", nl_geterror(err));
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
			return perr(path, "\"%s\": expected \"*\" or {\"AWS\": ...}",
				    json_string_value(v));
		aws = v;
		pathf(p, "%s", path);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, aws)
			if (strcmp(k, "AWS"))
				return perr(path, "\"%s\": only AWS principals apply to endpoints",
					    k);
		aws = json_object_get(v, "AWS");
		if (!aws)
			return perr(path, "expected {\"AWS\": ...}");
		pathf(p, "%s.AWS", path);
	} else {
		return perr(path, "expected \"*\" or {\"AWS\": ...}");
	}
	if (list_get(aws, p, &n))
		return -1;
	if (w->msg)
		nest = nla_nest_start(w->msg, type);
	for (i = 0; i < n; i++) {
		const char *s = list_at(aws, i);

		path_at(sub, p, aws, i);
		if (check_str(w, sub, s, false))
			return -1;
		if (strlen(s) > VPCE_ARN_MAX ||
		    (strcmp(s, "*") && !(strlen(s) == 12 && all_digits(s, 12)) &&
		     !iam_arn(s, NULL)))
			return perr(sub, "invalid principal \"%s\" (expected \"*\", an account, or an IAM root, user or role ARN)",
				    s);
		if (w->msg)
			put_check(nla_put_string(w->msg, i, s));
	}
	if (w->msg)
		put_check(nla_nest_end(w->msg, nest));
	return 0;
}

static bool action_valid(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t i;

	if (!strcmp(s, "*"))
		return true;
	if (!colon || colon == s || !colon[1])
		return false;
	for (i = 0; s + i < colon; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	for (s = colon + 1; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("*?", *s))
			return false;
	return true;
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
		nest = nla_nest_start(w->msg, type);
	for (i = 0; i < n; i++) {
		const char *s = list_at(v, i);

		path_at(sub, path, v, i);
		if (check_str(w, sub, s, false))
			return -1;
		if (!resource && !action_valid(s))
			return perr(sub, "invalid action \"%s\" (expected \"*\" or SERVICE:ACTION)",
				    s);
		if (resource && strcmp(s, "*") &&
		    (strncmp(s, "arn:", 4) || !arn_shaped(w, s)))
			return perr(sub, "invalid resource \"%s\" (expected \"*\" or an ARN)",
				    s);
		if (resource && check_vars(w, sub, s))
			return -1;
		if (w->msg)
			put_check(nla_put_string(w->msg, i, s));
	}
	if (w->msg)
		put_check(nla_nest_end(w->msg, nest));
	return 0;
}

static int value_check(struct walk *w, enum vkind kind, const char *path,
		       const char *s)
{
	bool bad;

	if (check_str(w, path, s, true))
		return -1;
	switch (kind) {
	case V_STR:
	case V_LIKE:
		return check_vars(w, path, s);
	case V_ARN:
		if (!arn_shaped(w, s))
			return perr(path, "\"%s\" is not an ARN (six ':'-separated parts)",
				    s);
		return check_vars(w, path, s);
	case V_NUM:
		bad = !number_valid(s);
		if (bad)
			return perr(path, "invalid number \"%s\"", s);
		return 0;
	case V_DATE:
		if (!date_valid(s))
			return perr(path, "invalid date \"%s\" (ISO 8601 or epoch seconds)",
				    s);
		return 0;
	case V_IP:
		if (!cidr_valid(s))
			return perr(path, "invalid CIDR \"%s\"", s);
		return 0;
	default:	/* Bool, Null */
		if (strcasecmp(s, "true") && strcasecmp(s, "false"))
			return perr(path, "\"%s\": expected true or false", s);
		return 0;
	}
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
		return perr(p, "unknown condition operator");
	if (operators[idx].kind == V_NULL && (qual || if_exists))
		return perr(p, "Null takes no ForAnyValue/ForAllValues and has no IfExists form");
	if (!json_is_object(keys))
		return perr(p, "expected an object of condition keys and values");
	if (!json_object_size(keys))
		return perr(p, "no condition keys");

	json_object_foreach((json_t *)keys, k, v) {
		pathf(sub, "%s.%s", p, k);
		if (!key_valid(k, strlen(k)) || strlen(k) > VPCE_POLICY_STRING_MAX)
			return perr(sub, "invalid condition key");
		if (++*nconds > VPCE_POLICY_CONDITIONS_MAX)
			return perr(sub, "too many conditions in one statement (at most %d)",
				    VPCE_POLICY_CONDITIONS_MAX);
		if (json_is_array(v)) {
			n = json_array_size(v);
			if (!n)
				return perr(sub, "no values");
		} else {
			n = 1;
		}
		struct nlattr *nest = NULL, *vals = NULL;

		if (w->msg) {
			nest = nla_nest_start(w->msg, *nconds - 1);
			put_check(nla_put_u8(w->msg, VPCE_COND_A_OP,
					     operators[idx].op));
			if (qual)
				put_check(nla_put_u8(w->msg, VPCE_COND_A_QUALIFIER,
						     qual));
			if (if_exists)
				put_check(nla_put_flag(w->msg, VPCE_COND_A_IF_EXISTS));
			put_check(nla_put_string(w->msg, VPCE_COND_A_KEY, k));
			vals = nla_nest_start(w->msg, VPCE_COND_A_VALUES);
		}
		for (i = 0; i < n; i++) {
			e = json_is_array(v) ? json_array_get(v, i) : v;
			s = value_text(e, buf, sizeof(buf));
			if (!s)
				return perr(sub, "values must be strings, numbers or booleans");
			if (value_check(w, operators[idx].kind, sub, s))
				return -1;
			if (w->msg)
				put_check(nla_put_string(w->msg, i, s));
		}
		if (w->msg) {
			put_check(nla_nest_end(w->msg, vals));
			put_check(nla_nest_end(w->msg, nest));
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
		return perr(path, "expected an object of condition operators");
	if (w->msg)
		nest = nla_nest_start(w->msg, VPCE_STMT_A_CONDITIONS);
	json_object_foreach((json_t *)v, op, keys)
		if (condition_op(w, op, keys, path, &n))
			return -1;
	if (w->msg)
		put_check(nla_nest_end(w->msg, nest));
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
		return perr(path, "both %s and %s", a, b);
	if (!va && !vb)
		return perr(path, "%s (or %s) is required", a, b);
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
		return perr(path, "a statement must be an object");
	json_object_foreach((json_t *)st, k, v) {
		for (j = 0; j < ARRAY_SIZE(stmt_keys); j++)
			if (!strcmp(k, stmt_keys[j]))
				break;
		if (j == ARRAY_SIZE(stmt_keys)) {
			pathf(p, "%s.%s", path, k);
			return perr(p, "unknown element");
		}
	}
	v = json_object_get(st, "Sid");
	if (v) {
		pathf(p, "%s.Sid", path);
		if (!json_is_string(v))
			return perr(p, "expected a string");
		sid = json_string_value(v);
		if (!*sid || !printable(sid) || strlen(sid) > VPCE_POLICY_STRING_MAX)
			return perr(p, "\"%s\": a Sid is 1-%d printable ASCII characters",
				    sid, VPCE_POLICY_STRING_MAX);
		for (int i = 0; i < w->nsids; i++)
			if (!strcmp(w->sids[i], sid))
				return perr(p, "duplicate Sid \"%s\"", sid);
		w->sids[w->nsids++] = sid;
	}
	v = json_object_get(st, "Effect");
	pathf(p, "%s.Effect", path);
	if (!v)
		return perr(path, "Effect is required");
	if (json_is_string(v) && !strcmp(json_string_value(v), "Allow"))
		effect = VPCE_EFFECT_ALLOW;
	else if (json_is_string(v) && !strcmp(json_string_value(v), "Deny"))
		effect = VPCE_EFFECT_DENY;
	else
		return perr(p, "expected \"Allow\" or \"Deny\"");
	if (one_of(st, path, "Principal", "NotPrincipal", &princ, &not_princ) ||
	    one_of(st, path, "Action", "NotAction", &act, &not_act) ||
	    one_of(st, path, "Resource", "NotResource", &res, &not_res))
		return -1;

	if (w->msg) {
		nest = nla_nest_start(w->msg, idx);
		if (sid)
			put_check(nla_put_string(w->msg, VPCE_STMT_A_SID, sid));
		put_check(nla_put_u8(w->msg, VPCE_STMT_A_EFFECT, effect));
		if (not_princ)
			put_check(nla_put_flag(w->msg, VPCE_STMT_A_NOT_PRINCIPAL));
		if (not_act)
			put_check(nla_put_flag(w->msg, VPCE_STMT_A_NOT_ACTION));
		if (not_res)
			put_check(nla_put_flag(w->msg, VPCE_STMT_A_NOT_RESOURCE));
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
		put_check(nla_nest_end(w->msg, nest));
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
		return perr("(document)", "a policy must be a JSON object");
	json_object_foreach((json_t *)root, k, v)
		if (strcmp(k, "Version") && strcmp(k, "Id") && strcmp(k, "Statement"))
			return perr(k, "unknown element");
	v = json_object_get(root, "Version");
	w->version = VPCE_POLICY_VERSION_2008_10_17;
	if (v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "2012-10-17"))
			w->version = VPCE_POLICY_VERSION_2012_10_17;
		else if (!json_is_string(v) || strcmp(json_string_value(v), "2008-10-17"))
			return perr("Version", "expected \"2012-10-17\" or \"2008-10-17\"");
	}
	v = json_object_get(root, "Id");
	if (v && (!json_is_string(v) || !printable(json_string_value(v))))
		return perr("Id", "expected a string");
	stmts = json_object_get(root, "Statement");
	if (!stmts)
		return perr("Statement", "required");
	if (json_is_array(stmts)) {
		n = json_array_size(stmts);
		if (!n)
			return perr("Statement", "no statements");
		if (n > VPCE_POLICY_STATEMENTS_MAX)
			return perr("Statement", "too many statements (%zu, at most %d)",
				    n, VPCE_POLICY_STATEMENTS_MAX);
	} else if (json_is_object(stmts)) {
		n = 1;
	} else {
		return perr("Statement", "expected an object or an array of objects");
	}
	w->nelems = 0;
	w->nsids = 0;
	if (w->msg) {
		pol = nla_nest_start(w->msg, VPCE_A_POLICY);
		put_check(nla_put_u8(w->msg, VPCE_POLICY_A_VERSION, w->version));
		nest = nla_nest_start(w->msg, VPCE_POLICY_A_STATEMENTS);
	}
	for (i = 0; i < n; i++) {
		path_at(p, "Statement", stmts, i);
		if (statement(w, json_is_array(stmts) ? json_array_get(stmts, i) :
			      stmts, p, i))
			return -1;
	}
	if (w->msg) {
		put_check(nla_nest_end(w->msg, nest));
		put_check(nla_nest_end(w->msg, pol));
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

struct policy *policy_load_text(const char *text)
{
	char *copy = strdup(text);

	if (!copy)
		die_usage("out of memory");
	return policy_from_text(copy, strlen(copy), "policy-json");
}

void policy_put(struct nl_msg *msg, const struct policy *pol)
{
	struct walk w = { .msg = msg };

	if (walk_policy(&w, pol->root))
		die_kernel("policy: the document changed meaning between two reads");
	put_check(nla_put_string(msg, VPCE_A_POLICY_TEXT, pol->text));
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

/* --- policy simulate -------------------------------------------------------------- */

static const char *const decision_names[__VPCE_DECISION_MAX] = {
	[VPCE_DECISION_IMPLICIT_DENY] = "implicitDeny",
	[VPCE_DECISION_ALLOWED] = "allowed",
	[VPCE_DECISION_EXPLICIT_DENY] = "explicitDeny",
};

static json_t *simulate_parse(struct nlattr **tb)
{
	json_t *matched = json_array();

	if (!tb[VPCE_A_DECISION] || nla_get_u8(tb[VPCE_A_DECISION]) > VPCE_DECISION_MAX) {
		json_decref(matched);
		return NULL;
	}
	if (tb[VPCE_A_MATCHED]) {
		struct nlattr *a;
		int rem;

		nla_for_each_nested(a, tb[VPCE_A_MATCHED], rem) {
			json_t *s = json_attr_str(a);

			if (!s) {
				json_decref(matched);
				return NULL;
			}
			json_array_append_new(matched, s);
		}
	}
	return json_pack("{s:s, s:o}", "decision",
			 decision_names[nla_get_u8(tb[VPCE_A_DECISION])],
			 "matched", matched);
}

struct ctx_entry {
	const char *key;
	size_t klen;
	const char *values[VPCE_REQUEST_VALUES_MAX];
	int n;
};

static int policy_simulate(struct args *a)
{
	bool has_doc = false, has_princ = false, has_acct = false,
	     has_act = false, has_res = false;
	struct ctx_entry ctx[VPCE_REQUEST_KEYS_MAX];
	const char *doc = NULL, *action = NULL, *resource = NULL, *w;
	char arn[VPCE_POLICY_STRING_MAX + 1] = "";
	uint64_t account = 0, arn_account = 0;
	int nkeys = 0, nvals = 0, i, ret;
	struct nlattr *req;
	struct policy *pol;
	json_t *out, *res;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "document")) {
			arg_once(&has_doc, w);
			doc = arg_value(a, w, "FILE");
		} else if (kw_is(w, "principal")) {
			const char *p;

			arg_once(&has_princ, w);
			p = parse_arn(arg_value(a, w, "ARN"), false);
			if (!policy_principal_arn(p, arn, sizeof(arn), &arn_account))
				die_usage("invalid principal \"%s\"", p);
		} else if (kw_is(w, "account")) {
			arg_once(&has_acct, w);
			account = parse_account(arg_value(a, w, "ACCOUNT"));
		} else if (kw_is(w, "action")) {
			arg_once(&has_act, w);
			action = arg_value(a, w, "ACTION");
		} else if (kw_is(w, "resource")) {
			arg_once(&has_res, w);
			resource = arg_value(a, w, "RESOURCE");
		} else if (kw_is(w, "context")) {
			const char *kv = arg_value(a, w, "KEY=VALUE"), *eq;

			eq = strchr(kv, '=');
			if (!eq || !key_valid(kv, eq - kv))
				die_usage("invalid context \"%s\": expected KEY=VALUE with KEY of A-Z a-z 0-9 : / _ . - + = @",
					  kv);
			if (!printable(eq + 1))
				die_usage("invalid context \"%s\": the value must be printable ASCII",
					  kv);
			if (eq - kv > VPCE_POLICY_STRING_MAX ||
			    strlen(eq + 1) > VPCE_POLICY_STRING_MAX)
				die_usage("invalid context \"%.32s...\": longer than %d characters",
					  kv, VPCE_POLICY_STRING_MAX);
			for (i = 0; i < nkeys; i++)
				if (ctx[i].klen == (size_t)(eq - kv) &&
				    !strncasecmp(ctx[i].key, kv, eq - kv))
					break;
			if (i == nkeys) {
				if (nkeys == VPCE_REQUEST_KEYS_MAX)
					die_usage("too many context keys (at most %d)",
						  VPCE_REQUEST_KEYS_MAX);
				ctx[nkeys].key = kv;
				ctx[nkeys].klen = eq - kv;
				ctx[nkeys++].n = 0;
			}
			if (++nvals > VPCE_REQUEST_VALUES_MAX)
				die_usage("too many context values (at most %d)",
					  VPCE_REQUEST_VALUES_MAX);
			ctx[i].values[ctx[i].n++] = eq + 1;
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_doc, "document");
	arg_required(has_princ, "principal");
	arg_required(has_act, "action");
	arg_required(has_res, "resource");
	if (!has_acct)
		account = arn_account;
	if (!action || !resource || !doc)
		return EXIT_USAGE;	/* arg_required() has said why */
	if (!*action || !printable(action) || !*resource || !printable(resource) ||
	    strlen(action) > VPCE_POLICY_STRING_MAX ||
	    strlen(resource) > VPCE_POLICY_STRING_MAX)
		die_usage("%s: the action and the resource must be 1-%d printable ASCII characters",
			  cur_cmd, VPCE_POLICY_STRING_MAX);

	pol = policy_load(doc);
	if (!pol)
		return EXIT_USAGE;
	m = nl_new(VPCE_CMD_POLICY_SIMULATE, false);
	policy_put(m, pol);
	policy_free(pol);
	req = nl_nest(m, VPCE_A_REQUEST);
	nl_put_str(m, VPCE_REQ_A_ACTION, action);
	nl_put_str(m, VPCE_REQ_A_RESOURCE, resource);
	nl_put_str(m, VPCE_REQ_A_PRINCIPAL, arn);
	nl_put_u64(m, VPCE_REQ_A_ACCOUNT, account);
	if (nkeys) {
		char key[VPCE_POLICY_STRING_MAX + 1];
		struct nlattr *cnest = nl_nest(m, VPCE_REQ_A_CONTEXT);

		for (i = 0; i < nkeys; i++) {
			struct nlattr *e = nl_nest(m, i), *vals;
			int j;

			memcpy(key, ctx[i].key, ctx[i].klen);
			key[ctx[i].klen] = '\0';
			nl_put_str(m, VPCE_CTX_A_KEY, key);
			vals = nl_nest(m, VPCE_CTX_A_VALUES);
			for (j = 0; j < ctx[i].n; j++)
				nl_put_str(m, j, ctx[i].values[j]);
			nl_nest_end(m, vals);
			nl_nest_end(m, e);
		}
		nl_nest_end(m, cnest);
	}
	nl_nest_end(m, req);

	out = json_array();
	ret = nl_query(m, simulate_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	res = json_array_get(out, 0);
	if (!res) {
		json_decref(out);
		die_kernel("%s: no answer from the kernel", cur_cmd);
	}
	if (opt_json)
		json_dumpf(res, stdout, opt_pretty ? JSON_INDENT(2) : JSON_COMPACT);
	else
		fputs(jstr(res, "decision"), stdout);
	putchar('\n');
	json_decref(out);
	fflush(stdout);
	return 0;
}

static const struct command policy_cmds[] = {
	{ "simulate", { "sim" }, policy_simulate },
	{ NULL }
};

const struct object policy_object = {
	.name = "policy",
	.usage =
	"policy simulate document FILE|- principal ARN [account ACCOUNT]\n"
	"        action ACTION resource RESOURCE [context KEY=VALUE]...\n",
	.cmds = policy_cmds,
};
