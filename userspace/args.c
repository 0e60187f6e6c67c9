// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: a cursor over the words, and parsers for names,
 * accounts, addresses, listeners and numbers. Every parser either returns a
 * valid value or exits with EXIT_USAGE and a message naming the offending
 * word, before anything has been sent to the kernel.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy-values.h"
#include "vpcectl.h"

const char *arg_peek(const struct args *a)
{
	return a->argc > 0 ? a->argv[0] : NULL;
}

const char *arg_next(struct args *a)
{
	if (a->argc <= 0)
		return NULL;
	a->argc--;
	return *a->argv++;
}

const char *arg_value(struct args *a, const char *kw, const char *what)
{
	const char *v = arg_next(a);

	if (!v)
		die_usage("\"%s\" needs %s", kw, what);
	return v;
}

const char *arg_name(struct args *a, const char *metavar, const char *kind)
{
	const char *v = arg_next(a);

	if (!v)
		die_usage("%s: %s is required", cur_cmd, metavar);
	check_name(v, kind, VPCE_NAME_MAX);
	return v;
}

const char *arg_opt_name(struct args *a, const char *kind)
{
	const char *v = arg_next(a);

	if (!v)
		return NULL;
	check_name(v, kind, VPCE_NAME_MAX);
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	return v;
}

void arg_unknown(const char *word)
{
	die_usage("unknown argument \"%s\" for \"%s\"", word, cur_cmd);
}

void arg_once(bool *seen, const char *kw)
{
	if (*seen)
		die_usage("%s: \"%s\" may be given only once", cur_cmd, kw);
	*seen = true;
}

void arg_required(bool seen, const char *kw)
{
	if (!seen)
		die_usage("%s: \"%s\" is required", cur_cmd, kw);
}

void not_supported(const char *what)
{
	die_usage("\"%s\" is not supported yet", what);
}

bool kw_is(const char *word, const char *kw)
{
	return word && !strcmp(word, kw);
}

static bool name_char(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '.' || c == '_' || c == '-');
}

void check_name(const char *s, const char *kind, size_t max)
{
	size_t len = strlen(s);
	const char *p;

	if (!len)
		die_usage("%s is empty", kind);
	for (p = s; *p; p++) {
		unsigned char c = *p;

		if (name_char(c))
			continue;
		if (isascii(c) && isprint(c))
			die_usage("%s \"%s\" has an invalid character '%c' (use A-Z a-z 0-9 . _ -)",
				  kind, s, c);
		die_usage("%s \"%s\" has an invalid character 0x%02x (use A-Z a-z 0-9 . _ -)",
			  kind, s, c);
	}
	if (len > max)
		die_usage("%s \"%s\" is too long (%zu characters, at most %zu)",
			  kind, s, len, max);
}

/* An endpoint ID: "vpce-" and 17 lowercase hex digits, as the kernel wants. */
const char *check_endpoint_id(const char *s)
{
	size_t i, n = strlen("vpce-");

	if (strncmp(s, "vpce-", n) || strlen(s) != VPCE_ENDPOINT_ID_LEN)
		die_usage("endpoint ID \"%s\" is not vpce- and 17 lowercase hex digits",
			  s);
	for (i = n; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			die_usage("endpoint ID \"%s\" is not vpce- and 17 lowercase hex digits",
				  s);
	return s;
}

uint64_t parse_account(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			break;
	if (i != 12 || s[i])
		die_usage("invalid account \"%s\": an account is exactly 12 digits", s);
	return strtoull(s, NULL, 10);
}

void parse_addr(const char *s, struct vpce_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &addr->v4) == 1)
		addr->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &addr->v6) == 1)
		addr->family = AF_INET6;
	else
		die_usage("invalid address \"%s\": not an IPv4 or IPv6 address", s);
}

unsigned long parse_ulong(const char *s, const char *what,
			  unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		die_usage("invalid %s \"%s\": not a number", what, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		die_usage("invalid %s \"%s\": not a number", what, s);
	if (errno == ERANGE || v < min || v > max)
		die_usage("%s \"%s\" out of range (%lu-%lu)", what, s, min, max);
	return v;
}

/* A packet mark as `ip rule fwmark` takes it: decimal or 0x hex, not 0. */
uint32_t parse_mark(const char *s)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	unsigned long long v;
	char *end;

	if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
		die_usage("invalid mark \"%s\": not a number", s);
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end)
		die_usage("invalid mark \"%s\": not a number", s);
	if (errno == ERANGE || v < 1 || v > 0xffffffffULL)
		die_usage("mark \"%s\" out of range (1-0xffffffff)", s);
	return (uint32_t)v;
}

static uint16_t listener_port(const char *listener, const char *s, const char *what)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		goto nan;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		goto nan;
	if (errno == ERANGE || v < 1 || v > 65535)
		die_usage("invalid listener \"%s\": %s %s out of range (1-65535)",
			  listener, what, s);
	return v;
nan:
	die_usage("invalid listener \"%s\": %s \"%s\" is not a number",
		  listener, what, s);
}

void parse_listener(const char *s, struct vpce_listener *l)
{
	char buf[64], *port, *target;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	port = strchr(buf, ':');
	if (!port)
		goto bad;
	*port++ = '\0';
	target = strchr(port, ':');
	if (target) {
		*target++ = '\0';
		if (strchr(target, ':'))
			goto bad;
	}

	memset(l, 0, sizeof(*l));
	if (!strcmp(buf, "tcp"))
		l->proto = IPPROTO_TCP;
	else if (!strcmp(buf, "udp"))
		l->proto = IPPROTO_UDP;
	else
		die_usage("invalid listener \"%s\": protocol \"%s\" is not tcp or udp",
			  s, buf);
	l->port = listener_port(s, port, "port");
	if (target)
		l->target_port = listener_port(s, target, "target port");
	return;
bad:
	die_usage("invalid listener \"%s\": expected PROTO:PORT[:TARGETPORT]", s);
}

int parse_type(const char *s)
{
	if (!strcmp(s, "interface"))
		return VPCE_TYPE_INTERFACE;
	if (!strcmp(s, "gateway"))
		return VPCE_TYPE_GATEWAY;
	die_usage("invalid type \"%s\": use interface or gateway", s);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void parse_hash_seed(const char *s, uint8_t seed[VPCE_HASH_SEED_LEN])
{
	size_t i;

	if (strlen(s) != 2 * VPCE_HASH_SEED_LEN)
		die_usage("invalid hash-seed \"%s\": expected %d hexadecimal digits",
			  s, 2 * VPCE_HASH_SEED_LEN);
	for (i = 0; i < VPCE_HASH_SEED_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			die_usage("invalid hash-seed \"%s\": expected %d hexadecimal digits",
				  s, 2 * VPCE_HASH_SEED_LEN);
		seed[i] = hi << 4 | lo;
	}
}

/* As the kernel checks it: labels of A-Z a-z 0-9 -, optionally "*." first. */
void check_dns_name(const char *s)
{
	if (*s)		/* "" removes the name */
		check_dns_name_kw("private-dns", s, true);
}

void check_dns_name_kw(const char *kw, const char *s, bool wildcard)
{
	const char *p = s;
	size_t len = 0;

	if (strlen(s) > VPCE_DNS_NAME_MAX)
		die_usage("%s \"%s\" is too long (at most %d characters)",
			  kw, s, VPCE_DNS_NAME_MAX);
	if (wildcard && p[0] == '*' && p[1] == '.')
		p += 2;
	for (; *p; p++) {
		if (*p == '.') {
			if (!len || p[-1] == '-' || !p[1])
				goto bad;
			len = 0;
		} else if (isalnum((unsigned char)*p) || (*p == '-' && len)) {
			if (++len > 63)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (len && p[-1] != '-')
		return;
bad:
	die_usage("invalid %s \"%s\": not a DNS name (labels of A-Z a-z 0-9 -%s)",
		  kw, s, wildcard ? ", optionally *. first" : "");
}

void arg_addr_zone(struct args *a, const char *kw, struct vpce_addr *addrs,
		   int *n, int max)
{
	const char *s = arg_value(a, kw, "ADDR");
	struct vpce_addr *addr;

	if (*n >= max)
		die_usage("%s: too many \"%s\" (at most %d)", cur_cmd, kw, max);
	addr = &addrs[(*n)++];
	parse_addr(s, addr);
	if (kw_is(arg_peek(a), "zone")) {
		arg_next(a);
		s = arg_value(a, "zone", "AZ");
		check_name(s, "zone name", VPCE_ZONE_MAX);
		strcpy(addr->zone, s);
		if (kw_is(arg_peek(a), "zone"))
			die_usage("%s: \"zone\" may be given only once per \"%s\"",
				  cur_cmd, kw);
	}
}

bool parse_onoff(const char *kw, const char *s)
{
	if (!strcmp(s, "on"))
		return true;
	if (!strcmp(s, "off"))
		return false;
	die_usage("%s: \"%s\" is on or off, not \"%s\"", cur_cmd, kw, s);
}

/*
 * The same principal forms the kernel takes; checked here so that a typo
 * gets a message that says what a principal looks like.
 */
const char *parse_arn(const char *s, bool any_ok)
{
	if (!strcmp(s, "*")) {
		if (!any_ok)
			die_usage("%s: the principal must be one principal, not \"*\"",
				  cur_cmd);
		return s;
	}
	if (strlen(s) > VPCE_ARN_MAX)
		die_usage("invalid principal \"%.40s...\": longer than %d characters",
			  s, VPCE_ARN_MAX);
	if ((strlen(s) == 12 && policy_all_digits(s, 12)) ||
	    policy_iam_arn(s, NULL))
		return s;
	die_usage("invalid principal \"%s\": use *, an account (12 digits), "
		  "arn:aws:iam::ACCOUNT:root, :user/NAME or :role/NAME, or "
		  "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or "
		  ":federated-user/NAME", s);
}

void parse_prefix(const char *s, struct vpce_addr *prefix, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned long max;

	if (!slash || (size_t)(slash - s) >= INET6_ADDRSTRLEN)
		die_usage("invalid prefix \"%s\": use ADDR/LEN", s);
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	memset(prefix, 0, sizeof(*prefix));
	if (inet_pton(AF_INET, buf, &prefix->v4) == 1)
		prefix->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &prefix->v6) == 1)
		prefix->family = AF_INET6;
	else
		die_usage("invalid prefix \"%s\": \"%s\" is not an address", s, buf);
	max = prefix->family == AF_INET ? 32 : 128;
	*plen = parse_ulong(slash + 1, "prefix length", 0, max);
}

/*
 * flow-log on|off [aggregation 60|600] [sample 1-100], after "flow-log"
 * (W): *ON, and *AGG and *SAMPLE (0: not given).
 */
void arg_flow_log(struct args *a, const char *w, bool *on,
			 unsigned int *agg, unsigned int *sample)
{
	*on = parse_onoff(w, arg_value(a, w, "on|off"));
	for (;;) {
		const char *v = arg_peek(a);

		if (kw_is(v, "aggregation")) {
			arg_next(a);
			if (*agg)
				die_usage("%s: \"aggregation\" may be given only once", cur_cmd);
			v = arg_value(a, "aggregation", "60|600");
			if (strcmp(v, "60") && strcmp(v, "600"))
				die_usage("%s: aggregation is 60 or 600 seconds, not \"%s\"",
					  cur_cmd, v);
			*agg = atoi(v);
		} else if (kw_is(v, "sample")) {
			arg_next(a);
			if (*sample)
				die_usage("%s: \"sample\" may be given only once", cur_cmd);
			*sample = parse_ulong(arg_value(a, "sample", "1-100"),
					      "sample", 1, 100);
		} else {
			break;
		}
	}
	if (!*on && (*agg || *sample))
		die_usage("%s: aggregation and sample need flow-log on", cur_cmd);
}
