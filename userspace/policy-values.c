// SPDX-License-Identifier: GPL-2.0
/*
 * What the values of an endpoint policy may be (policy-values.h): each
 * check is the kernel's parser's, so that a value this side accepts is one
 * the kernel takes, and each refusal says what was expected.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcectl.h"
#include "policy.h"
#include "policy-values.h"

int __attribute__((format(printf, 2, 3)))
policy_perr(const char *path, const char *fmt, ...)
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


/* --- strings ----------------------------------------------------------------- */

bool policy_printable(const char *s)
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

bool policy_key_valid(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!key_char(s[i]))
			return false;
	return true;
}

/*
 * Policy variables (2012-10-17 only): ${key}, ${key, 'default'}, and the
 * escapes ${*} ${?} ${$}. As the kernel parses them.
 */
int policy_check_vars(int version, const char *path, const char *s)
{
	const char *p = s, *end, *comma, *q;
	int nvars = 0;
	size_t klen;

	if (version != VPCE_POLICY_VERSION_2012_10_17)
		return 0;
	while ((p = strstr(p, "${"))) {
		p += 2;
		end = strchr(p, '}');
		if (!end)
			return policy_perr(path, "\"%s\": unterminated policy variable", s);
		if (end - p == 1 && strchr("*?$", *p)) {
			p = end + 1;
			continue;
		}
		comma = memchr(p, ',', end - p);
		klen = (comma ? comma : end) - p;
		while (klen && p[klen - 1] == ' ')
			klen--;
		if (!policy_key_valid(p, klen))
			return policy_perr(path, "\"%s\": invalid policy variable \"${%.*s}\"",
				    s, (int)(end - p), p);
		if (comma) {
			q = comma + 1;
			while (q < end && *q == ' ')
				q++;
			if (q == end || *q != '\'' ||
			    !(q = memchr(q + 1, '\'', end - q - 1)))
				return policy_perr(path, "\"%s\": a policy variable's default must be in single quotes",
					    s);
			for (q++; q < end; q++)
				if (*q != ' ')
					return policy_perr(path, "\"%s\": invalid policy variable \"${%.*s}\"",
						    s, (int)(end - p), p);
		}
		if (++nvars > VPCE_POLICY_VARS_MAX)
			return policy_perr(path, "\"%s\": too many policy variables (at most %d)",
				    s, VPCE_POLICY_VARS_MAX);
		p = end + 1;
	}
	return 0;
}

/* ARNs have six ':'-separated parts (the last may hold more colons). */
bool policy_arn_shaped(int version, const char *s)
{
	bool vars = version == VPCE_POLICY_VERSION_2012_10_17, in = false;
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

bool policy_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* At most 18 digits before and after the point, as the kernel stores them. */
bool policy_number_valid(const char *s)
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
bool policy_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	size_t len = strlen(s);
	int y, mo, d, h, mi, sec, tzh, tzm;
	bool leap;

	if (policy_all_digits(s, len))
		return len <= 12;
	if (len < 10 || !policy_all_digits(s, 4) || s[4] != '-' || !two(s + 5, &mo) ||
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
bool policy_cidr_valid(const char *s)
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

		if (!policy_all_digits(slash + 1, n) || n > 3 ||
		    (n > 1 && slash[1] == '0') || atoi(slash + 1) > max)
			return false;
	}
	return true;
}

/* Values of a condition: JSON scalars, as the text the kernel gets. */
const char *policy_value_text(const json_t *v, char *buf, size_t len)
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

/* A character of IAM and STS names: A-Z a-z 0-9 +=,.@_- */
static bool iam_char(char c)
{
	return isascii((unsigned char)c) &&
	       (isalnum((unsigned char)c) || (c && strchr("+=,.@_-", c)));
}

/* User and role names with an optional path: names, '/' between them. */
static bool iam_path_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || s[0] == '/' || s[len - 1] == '/')
		return false;
	for (; *s; s++)
		if (!iam_char(*s) && *s != '/')
			return false;
	return true;
}

/* The length of the STS name at S, up to END: MIN-MAX characters, or 0. */
static size_t sts_name(const char *s, char end, size_t min, size_t max)
{
	size_t n = 0;

	while (s[n] && s[n] != end)
		if (!iam_char(s[n++]))
			return 0;
	return n >= min && n <= max ? n : 0;
}

int policy_iam_arn(const char *s, uint64_t *account)
{
	const size_t pl = sizeof(IAM_PREFIX) - 1;
	bool sts = !strncmp(s, "arn:aws:sts::", pl);
	const char *rest;
	size_t n;

	if ((strncmp(s, IAM_PREFIX, pl) && !sts) ||
	    !policy_all_digits(s + pl, 12) || s[pl + 12] != ':')
		return 0;
	if (account)
		*account = strtoull(s + pl, NULL, 10);
	rest = s + pl + 13;
	if (!sts) {
		if (!strcmp(rest, "root"))
			return 1;
		if ((!strncmp(rest, "user/", 5) || !strncmp(rest, "role/", 5)) &&
		    iam_path_name_ok(rest + 5))
			return 2;
		return 0;
	}
	if (!strncmp(rest, "assumed-role/", 13)) {
		size_t r = sts_name(rest + 13, '/', 1, 64);

		n = r && rest[13 + r] == '/' ?
		    sts_name(rest + 14 + r, '\0', 2, 64) : 0;
		return n && !rest[14 + r + n] ? 3 : 0;
	}
	if (!strncmp(rest, "federated-user/", 15)) {
		n = sts_name(rest + 15, '\0', 2, 32);
		return n && !rest[15 + n] ? 3 : 0;
	}
	return 0;
}

bool policy_principal_arn(const char *s, char *out, size_t outlen,
			  uint64_t *account)
{
	if (strlen(s) == 12 && policy_all_digits(s, 12)) {
		*account = strtoull(s, NULL, 10);
		snprintf(out, outlen, IAM_PREFIX "%s:root", s);
		return true;
	}
	if (!policy_iam_arn(s, account) || strlen(s) >= outlen)
		return false;
	snprintf(out, outlen, "%s", s);
	return true;
}

bool policy_action_valid(const char *s)
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

int policy_value_check(int version, enum vkind kind, const char *path,
		       const char *s)
{
	bool bad;

	switch (kind) {
	case V_STR:
	case V_LIKE:
		return policy_check_vars(version, path, s);
	case V_ARN:
		if (!policy_arn_shaped(version, s))
			return policy_perr(path, "\"%s\" is not an ARN (six ':'-separated parts)",
				    s);
		return policy_check_vars(version, path, s);
	case V_NUM:
		bad = !policy_number_valid(s);
		if (bad)
			return policy_perr(path, "invalid number \"%s\"", s);
		return 0;
	case V_DATE:
		if (!policy_date_valid(s))
			return policy_perr(path, "invalid date \"%s\" (ISO 8601 or epoch seconds)",
				    s);
		return 0;
	case V_IP:
		if (!policy_cidr_valid(s))
			return policy_perr(path, "invalid CIDR \"%s\"", s);
		return 0;
	default:	/* Bool, Null */
		if (strcasecmp(s, "true") && strcasecmp(s, "false"))
			return policy_perr(path, "\"%s\": expected true or false", s);
		return 0;
	}
}
