// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * A service's health check in messages (VPCE_A_HEALTH_CHECK, nested
 * VPCE_HC_A_*): its policy and validators, the parser "service set" uses
 * and the filler of service messages. The kernel does not run the check
 * (vpced does), but it is the store of record: every vpced and "service
 * show" read it from here, so what is stored is checked completely, the
 * ranges and the matcher's syntax included, and filled with the NLB's
 * defaults so that a reader never has to guess them.
 */

#include "vpce_nl.h"
#include "vpce_service.h"

#include <net/genetlink.h>

/* An HTTP path: "/" then printable characters without spaces. */
static int vpce_validate_hc_path(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);

	if (*s == '/') {
		while (*++s && *s > ' ' && *s < 0x7f)
			;
		if (!*s)
			return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "a health check path starts with / and has no spaces or control characters");
	return -EINVAL;
}

/* Three digits at *@s, moved past them: the code, or -1. */
static int vpce_hc_code(const char **s)
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

/* "200-299,302": codes and ranges of codes within 200-599, by commas. */
static int vpce_validate_hc_matcher(const struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	int lo, hi;

	for (;;) {
		lo = vpce_hc_code(&s);
		hi = lo;
		if (lo >= 0 && *s == '-') {
			s++;
			hi = vpce_hc_code(&s);
		}
		if (lo < VPCE_HC_CODE_MIN || hi < lo || hi > VPCE_HC_CODE_MAX ||
		    (*s && *s != ','))
			break;
		if (!*s++)
			return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "a health check matcher is HTTP codes (200-599) and ranges of them (LOW-HIGH) separated by commas");
	return -EINVAL;
}

/* The name a check sends as Host and SNI: a DNS name, not a wildcard. */
static int vpce_validate_hc_host(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);

	/* "" and "*." are private-dns's, not a host's. */
	if (!*s || *s == '*' || vpce_validate_dns(attr, NULL)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a health check host is a DNS name (labels of A-Z a-z 0-9 -), without a wildcard");
		return -EINVAL;
	}
	return 0;
}

const struct nla_policy vpce_hc_policy[VPCE_HC_A_MAX + 1] = {
	[VPCE_HC_A_PROTO] = NLA_POLICY_MAX(NLA_U8, VPCE_HC_MAX),
	[VPCE_HC_A_PATH] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						  vpce_validate_hc_path,
						  VPCE_HC_PATH_MAX),
	[VPCE_HC_A_INTERVAL] = NLA_POLICY_RANGE(NLA_U32, VPCE_HC_INTERVAL_MIN,
						VPCE_HC_INTERVAL_MAX),
	[VPCE_HC_A_HEALTHY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[VPCE_HC_A_UNHEALTHY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[VPCE_HC_A_PORT] = { .type = NLA_U16 },
	[VPCE_HC_A_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, VPCE_HC_TIMEOUT_MIN,
					       VPCE_HC_TIMEOUT_MAX),
	[VPCE_HC_A_MATCHER] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						     vpce_validate_hc_matcher,
						     VPCE_HC_MATCHER_MAX),
	[VPCE_HC_A_HOST] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						  vpce_validate_hc_host,
						  VPCE_DNS_NAME_MAX),
};

static bool vpce_hc_is_http(u8 proto)
{
	return proto == VPCE_HC_HTTP || proto == VPCE_HC_HTTPS;
}

/* Path, matcher and host are HTTP's and HTTPS's: refused for the others. */
static int vpce_parse_hc_http(struct nlattr **tb, struct vpce_hc *hc,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *bad = tb[VPCE_HC_A_PATH] ?: tb[VPCE_HC_A_MATCHER] ?:
				   tb[VPCE_HC_A_HOST];

	if (bad && !vpce_hc_is_http(hc->proto)) {
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "only HTTP and HTTPS health checks have a path, a matcher or a host");
		return -EINVAL;
	}
	strscpy(hc->path, "/", sizeof(hc->path));
	if (tb[VPCE_HC_A_PATH])
		nla_strscpy(hc->path, tb[VPCE_HC_A_PATH], sizeof(hc->path));
	strscpy(hc->matcher, VPCE_HC_MATCHER_DEFAULT, sizeof(hc->matcher));
	if (tb[VPCE_HC_A_MATCHER])
		nla_strscpy(hc->matcher, tb[VPCE_HC_A_MATCHER],
			    sizeof(hc->matcher));
	hc->host[0] = '\0';
	if (tb[VPCE_HC_A_HOST])
		nla_strscpy(hc->host, tb[VPCE_HC_A_HOST], sizeof(hc->host));
	return 0;
}

/*
 * The timeout: the NLB's default for the protocol, cut to a second less
 * than the interval when that is shorter (so that "interval 5" alone is a
 * valid check); one that is given must be less than the interval, as on
 * the NLB, or a check would still run when the next one is due.
 */
static int vpce_parse_hc_timeout(struct nlattr **tb, struct vpce_hc *hc,
				 struct netlink_ext_ack *extack)
{
	if (!tb[VPCE_HC_A_TIMEOUT]) {
		hc->timeout = hc->proto == VPCE_HC_HTTP ?
			VPCE_HC_TIMEOUT_HTTP_DEFAULT :
			VPCE_HC_TIMEOUT_DEFAULT;
		if (hc->timeout >= hc->interval)
			hc->timeout = hc->interval - 1;
		return 0;
	}
	hc->timeout = nla_get_u32(tb[VPCE_HC_A_TIMEOUT]);
	if (hc->timeout >= hc->interval) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_HC_A_TIMEOUT],
				    "a health check's timeout must be less than its interval");
		return -EINVAL;
	}
	return 0;
}

int vpce_nl_parse_hc(struct genl_info *info, struct vpce_hc *hc)
{
	const struct nlattr *nest = info->attrs[VPCE_A_HEALTH_CHECK];
	struct nlattr *tb[VPCE_HC_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, VPCE_HC_A_MAX, nest, vpce_hc_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[VPCE_HC_A_PROTO]) {
		NL_SET_ERR_ATTR_MISS(info->extack, nest, VPCE_HC_A_PROTO);
		NL_SET_ERR_MSG(info->extack,
			       "a health check needs its protocol");
		return -EINVAL;
	}
	hc->proto = nla_get_u8(tb[VPCE_HC_A_PROTO]);
	ret = vpce_parse_hc_http(tb, hc, info->extack);
	if (ret)
		return ret;
	hc->interval = tb[VPCE_HC_A_INTERVAL] ?
		nla_get_u32(tb[VPCE_HC_A_INTERVAL]) : VPCE_HC_INTERVAL_DEFAULT;
	hc->healthy = tb[VPCE_HC_A_HEALTHY] ?
		nla_get_u8(tb[VPCE_HC_A_HEALTHY]) : VPCE_HC_HEALTHY_DEFAULT;
	hc->unhealthy = tb[VPCE_HC_A_UNHEALTHY] ?
		nla_get_u8(tb[VPCE_HC_A_UNHEALTHY]) : VPCE_HC_UNHEALTHY_DEFAULT;
	hc->port = tb[VPCE_HC_A_PORT] ? nla_get_u16(tb[VPCE_HC_A_PORT]) : 0;
	return vpce_parse_hc_timeout(tb, hc, info->extack);
}

int vpce_nl_put_hc(struct sk_buff *skb, const struct vpce_hc *hc)
{
	struct nlattr *nest = nla_nest_start(skb, VPCE_A_HEALTH_CHECK);

	if (!nest || nla_put_u8(skb, VPCE_HC_A_PROTO, hc->proto))
		return -EMSGSIZE;
	if (hc->proto != VPCE_HC_NONE &&
	    (nla_put_u32(skb, VPCE_HC_A_INTERVAL, hc->interval) ||
	     nla_put_u8(skb, VPCE_HC_A_HEALTHY, hc->healthy) ||
	     nla_put_u8(skb, VPCE_HC_A_UNHEALTHY, hc->unhealthy) ||
	     nla_put_u16(skb, VPCE_HC_A_PORT, hc->port) ||
	     nla_put_u32(skb, VPCE_HC_A_TIMEOUT, hc->timeout)))
		return -EMSGSIZE;
	if (vpce_hc_is_http(hc->proto) &&
	    (nla_put_string(skb, VPCE_HC_A_PATH, hc->path) ||
	     nla_put_string(skb, VPCE_HC_A_MATCHER, hc->matcher) ||
	     (hc->host[0] && nla_put_string(skb, VPCE_HC_A_HOST, hc->host))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}
