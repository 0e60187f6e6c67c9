// SPDX-License-Identifier: GPL-2.0
/*
 * The attributes the kernel sends, as vpcectl and vpced read them (nl.h):
 * the policies nla_parse*() checks them against, and the parsers of the
 * nests both programs read (addresses, listeners, health checks), so that
 * each is parsed by one piece of code.
 */
#include <arpa/inet.h>
#include <string.h>
#include <netlink/attr.h>

#include "nl.h"

struct nla_policy nl_attr_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME]		= { .type = NLA_STRING },
	[VPCE_A_ACCOUNT]	= { .type = NLA_U64 },
	[VPCE_A_VPC]		= { .type = NLA_STRING },
	[VPCE_A_SERVICE]	= { .type = NLA_STRING },
	[VPCE_A_TYPE]		= { .type = NLA_U8 },
	[VPCE_A_DEVICES]	= { .type = NLA_NESTED },
	[VPCE_A_LISTENERS]	= { .type = NLA_NESTED },
	[VPCE_A_NLBS]		= { .type = NLA_NESTED },
	[VPCE_A_ADDRS]		= { .type = NLA_NESTED },
	[VPCE_A_ADDR]		= { .type = NLA_NESTED },
	[VPCE_A_WEIGHT]		= { .type = NLA_U16 },
	[VPCE_A_HEALTH]		= { .type = NLA_U8 },
	[VPCE_A_STATE]		= { .type = NLA_U8 },
	[VPCE_A_STATS]		= { .type = NLA_NESTED },
	[VPCE_A_TARGET_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_ENDPOINT_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_DEVICE_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_VRF]		= { .type = NLA_NESTED },
	[VPCE_A_ACCEPTANCE_REQUIRED] = { .type = NLA_U8 },
	[VPCE_A_PRINCIPAL]	= { .type = NLA_STRING },
	[VPCE_A_PRINCIPALS]	= { .type = NLA_NESTED },
	[VPCE_A_REQUESTER]	= { .type = NLA_STRING },
	[VPCE_A_PREFIX]		= { .type = NLA_NESTED },
	[VPCE_A_CREATED]	= { .type = NLA_U64 },
	[VPCE_A_OWNER]		= { .type = NLA_U64 },
	[VPCE_A_POLICY_TEXT]	= { .type = NLA_STRING },
	[VPCE_A_EVENT]		= { .type = NLA_U8 },
	[VPCE_A_DECISION]	= { .type = NLA_U8 },
	[VPCE_A_MATCHED]	= { .type = NLA_NESTED },
	[VPCE_A_CROSS_ZONE]	= { .type = NLA_U8 },
	[VPCE_A_PRIVATE_DNS]	= { .type = NLA_STRING },
	[VPCE_A_DEREG_DELAY]	= { .type = NLA_U32 },
	[VPCE_A_IDLE_TIMEOUT]	= { .type = NLA_U32 },
	[VPCE_A_HASH_SEED]	= { .type = NLA_UNSPEC, .minlen = VPCE_HASH_SEED_LEN },
	[VPCE_A_HEALTH_CHECK]	= { .type = NLA_NESTED },
	[VPCE_A_STATS_OF]	= { .type = NLA_U8 },
	[VPCE_A_ZONE_STATS]	= { .type = NLA_NESTED },
	[VPCE_A_FLOW_LIMIT]	= { .type = NLA_U32 },
	[VPCE_A_FLOW_MAX]	= { .type = NLA_U32 },
	[VPCE_A_FLOW_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_ENDPOINT_ID]	= { .type = NLA_STRING },
	[VPCE_A_SG]		= { .type = NLA_STRING },
	[VPCE_A_SGS]		= { .type = NLA_NESTED },
	[VPCE_A_SG_RULES]	= { .type = NLA_NESTED },
	[VPCE_A_SG_MEMBERS]	= { .type = NLA_NESTED },
	[VPCE_A_FLOW_LOG]	= { .type = NLA_U8 },
	[VPCE_A_FLOW_LOG_AGGREGATION] = { .type = NLA_U32 },
	[VPCE_A_FLOW_LOG_SAMPLE] = { .type = NLA_U8 },
	[VPCE_A_FLOW_LOG_RECORD] = { .type = NLA_NESTED },
	[VPCE_A_FLOW_LOG_SKIPPED] = { .type = NLA_U64 },
};

struct nla_policy nl_stats_policy[VPCE_STATS_A_MAX + 1] = {
	[VPCE_STATS_A_NEW_CONNECTIONS]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_NO_LISTENER]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_STATE]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_NO_TARGET]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_PROTO]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_POLICY]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_RESET_STALE]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_FULL]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_INVALID]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_LIMITED]		  = { .type = NLA_U64 },
	[VPCE_STATS_A_PORT_ALLOC_ERRORS]  = { .type = NLA_U64 },
	[VPCE_STATS_A_DROP_SG]		  = { .type = NLA_U64 },
	[VPCE_STATS_A_ACTIVE_CONNECTIONS] = { .type = NLA_U64 },
	[VPCE_STATS_A_BYTES]		  = { .type = NLA_U64 },
	[VPCE_STATS_A_RST_RECEIVED]	  = { .type = NLA_U64 },
	[VPCE_STATS_A_RST_SENT]		  = { .type = NLA_U64 },
	[VPCE_STATS_A_ZONE]		  = { .type = NLA_STRING },
};

static struct nla_policy addr_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4]	= { .type = NLA_UNSPEC, .minlen = 4 },
	[VPCE_ADDR_A_IPV6]	= { .type = NLA_UNSPEC, .minlen = 16 },
	[VPCE_ADDR_A_ZONE]	= { .type = NLA_STRING },
	[VPCE_ADDR_A_PREFIX_LEN] = { .type = NLA_U8 },
};

int nl_parse_addr(const struct nlattr *nest, struct vpce_addr *a, uint8_t *plen)
{
	struct nlattr *tb[VPCE_ADDR_A_MAX + 1];

	memset(a, 0, sizeof(*a));
	if (!nest || nla_parse_nested(tb, VPCE_ADDR_A_MAX, (struct nlattr *)nest,
				      addr_policy) < 0)
		return -1;
	if (tb[VPCE_ADDR_A_IPV4]) {
		a->family = AF_INET;
		memcpy(&a->v4, nla_data(tb[VPCE_ADDR_A_IPV4]), sizeof(a->v4));
	} else if (tb[VPCE_ADDR_A_IPV6]) {
		a->family = AF_INET6;
		memcpy(&a->v6, nla_data(tb[VPCE_ADDR_A_IPV6]), sizeof(a->v6));
	} else {
		return -1;
	}
	if (tb[VPCE_ADDR_A_ZONE])
		nla_strlcpy(a->zone, tb[VPCE_ADDR_A_ZONE], sizeof(a->zone));
	if (plen) {
		if (!tb[VPCE_ADDR_A_PREFIX_LEN])
			return -1;
		*plen = nla_get_u8(tb[VPCE_ADDR_A_PREFIX_LEN]);
	}
	return 0;
}

const char *nl_addr_str(const struct vpce_addr *a, char *buf)
{
	return inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 :
			 (const void *)&a->v6, buf, INET6_ADDRSTRLEN);
}

static struct nla_policy listener_policy[VPCE_LISTENER_A_MAX + 1] = {
	[VPCE_LISTENER_A_PROTO]		= { .type = NLA_U8 },
	[VPCE_LISTENER_A_PORT]		= { .type = NLA_U16 },
	[VPCE_LISTENER_A_TARGET_PORT]	= { .type = NLA_U16 },
};

int nl_parse_listener(const struct nlattr *nest, struct vpce_listener *l)
{
	struct nlattr *tb[VPCE_LISTENER_A_MAX + 1];

	if (nla_parse_nested(tb, VPCE_LISTENER_A_MAX, (struct nlattr *)nest,
			     listener_policy) < 0 ||
	    !tb[VPCE_LISTENER_A_PROTO] || !tb[VPCE_LISTENER_A_PORT])
		return -1;
	l->proto = nla_get_u8(tb[VPCE_LISTENER_A_PROTO]);
	l->port = nla_get_u16(tb[VPCE_LISTENER_A_PORT]);
	l->target_port = tb[VPCE_LISTENER_A_TARGET_PORT] ?
		nla_get_u16(tb[VPCE_LISTENER_A_TARGET_PORT]) : l->port;
	return 0;
}

static struct nla_policy hc_policy[VPCE_HC_A_MAX + 1] = {
	[VPCE_HC_A_PROTO]	= { .type = NLA_U8 },
	[VPCE_HC_A_PATH]	= { .type = NLA_STRING },
	[VPCE_HC_A_INTERVAL]	= { .type = NLA_U32 },
	[VPCE_HC_A_HEALTHY]	= { .type = NLA_U8 },
	[VPCE_HC_A_UNHEALTHY]	= { .type = NLA_U8 },
	[VPCE_HC_A_PORT]	= { .type = NLA_U16 },
	[VPCE_HC_A_TIMEOUT]	= { .type = NLA_U32 },
	[VPCE_HC_A_MATCHER]	= { .type = NLA_STRING },
	[VPCE_HC_A_HOST]	= { .type = NLA_STRING },
};

bool nl_parse_hc(const struct nlattr *nest, struct nlattr **tb)
{
	return nest && nla_parse_nested(tb, VPCE_HC_A_MAX, (struct nlattr *)nest,
					hc_policy) >= 0 &&
	       tb[VPCE_HC_A_PROTO] && nla_get_u8(tb[VPCE_HC_A_PROTO]) != VPCE_HC_NONE;
}

/* Three digits at *S, moved past them: the code, or -1. */
static int hc_code(const char **s)
{
	const char *p = *s;
	int i, code = 0;

	for (i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9')
			return -1;
		code = code * 10 + *p - '0';
	}
	*s = p;
	return code;
}

bool hc_matcher_parse(const char *s, uint64_t codes[HC_CODES_WORDS])
{
	memset(codes, 0, HC_CODES_WORDS * sizeof(*codes));
	for (;;) {
		int lo = hc_code(&s), hi = lo, c;

		if (lo >= 0 && *s == '-') {
			s++;
			hi = hc_code(&s);
		}
		if (lo < VPCE_HC_CODE_MIN || hi < lo || hi > VPCE_HC_CODE_MAX ||
		    (*s && *s != ','))
			return false;
		for (c = lo - VPCE_HC_CODE_MIN; c <= hi - VPCE_HC_CODE_MIN; c++)
			codes[c / 64] |= 1ULL << (c % 64);
		if (!*s++)
			return true;
	}
}

bool hc_matcher_has(const uint64_t codes[HC_CODES_WORDS], unsigned int code)
{
	if (code < VPCE_HC_CODE_MIN || code > VPCE_HC_CODE_MAX)
		return false;
	code -= VPCE_HC_CODE_MIN;
	return codes[code / 64] & (1ULL << (code % 64));
}
