// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Values in policies and requests: key names, decimal numbers, dates,
 * addresses and CIDRs, booleans. The builder parses a condition's values
 * with these once, into binary form; the evaluator parses a request's
 * values with the same functions, so that both sides agree on what, say,
 * "1.50" or "2026-01-01T00:00Z" is. No netlink here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_policy_int.h"
#include "vpce_arn.h"

#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/string.h>
#include <linux/time.h>

bool vpce_printable(const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Context key names: what AWS's keys are made of, tags included. */
bool vpce_key_valid(const char *s, u32 len)
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
bool vpce_parse_num(const char *s, u32 len, struct vpce_num *out)
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
bool vpce_parse_date(const char *s, u32 len, s64 *ms)
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
bool vpce_parse_cidr(const char *s, u32 len, struct vpce_cidr *c,
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

bool vpce_parse_bool(const char *s, u32 len, bool *b)
{
	if (len == 4 && !strncasecmp(s, "true", 4))
		*b = true;
	else if (len == 5 && !strncasecmp(s, "false", 5))
		*b = false;
	else
		return false;
	return true;
}
