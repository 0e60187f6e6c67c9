// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The "vpce" generic netlink family: see include/uapi/linux/vpce.h.
 *
 * Every command has a policy of its own, validated strictly by genetlink
 * before we see it, so the handlers only check what a policy cannot say
 * (references, uniqueness, which attributes are required). Each handler
 * parses its request into a config struct first and changes state only
 * through one call that either succeeds whole or changes nothing.
 */

#include "vpce_netlink.h"
#include "vpce_arn.h"
#include "vpce_conn.h"
#include "vpce_drain.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_policy.h"
#include "vpce_principal.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/ctype.h>
#include <linux/in.h>
#include <linux/netdevice.h>
#include <asm/unaligned.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

static struct genl_family vpce_family;

/* An endpoint with its policy text needs more than a page. */
#define VPCE_ENDPOINT_MSG_SIZE	(NLMSG_GOODSIZE + VPCE_POLICY_TEXT_MAX)

/*
 * Extended ack messages that name things ("principal X may not connect to
 * service Y"). Linux 6.1 has no NL_SET_ERR_MSG_FMT: an extack message is a
 * pointer that netlink_ack() reads once the handler has returned. So the
 * text goes into a ring of slots, each overwritten only after as many newer
 * messages as there are slots - long after its ack has been sent.
 */
#define VPCE_MSG_SLOTS	64
#define VPCE_MSG_LEN	256

static char vpce_msgs[VPCE_MSG_SLOTS][VPCE_MSG_LEN];
static atomic_t vpce_msg_next = ATOMIC_INIT(0);

void vpce_set_err_fmt(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	unsigned int i;
	va_list args;

	if (!extack)
		return;
	i = (unsigned int)atomic_inc_return(&vpce_msg_next) % VPCE_MSG_SLOTS;
	va_start(args, fmt);
	vsnprintf(vpce_msgs[i], VPCE_MSG_LEN, fmt, args);
	va_end(args);
	extack->_msg = vpce_msgs[i];
}

static bool vpce_valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!vpce_ascii_alnum(*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int vpce_validate_name(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (vpce_valid_name(nla_data(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "names are 1-64 characters of A-Z a-z 0-9 . _ -");
	return -EINVAL;
}

static int vpce_validate_zone(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (vpce_valid_name(nla_data(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "zone names are 1-32 characters of A-Z a-z 0-9 . _ -");
	return -EINVAL;
}

static struct netlink_range_validation vpce_account_range = {
	.min = 0,
	.max = VPCE_ACCOUNT_MAX,
};

#define VPCE_POLICY_NAME \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, vpce_validate_name, VPCE_NAME_MAX)
#define VPCE_POLICY_ACCOUNT \
	NLA_POLICY_FULL_RANGE(NLA_U64, &vpce_account_range)

static const struct nla_policy vpce_dev_policy[VPCE_DEV_A_MAX + 1] = {
	[VPCE_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vpce_listener_policy[VPCE_LISTENER_A_MAX + 1] = {
	/* A range, not a validation function: the policy dump reads integer
	 * policies as ranges.
	 */
	[VPCE_LISTENER_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP,
						   IPPROTO_UDP),
	[VPCE_LISTENER_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[VPCE_LISTENER_A_TARGET_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy vpce_addr_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VPCE_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VPCE_ADDR_A_ZONE] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						    vpce_validate_zone,
						    VPCE_ZONE_MAX),
};

static const struct nla_policy vpce_prefix_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VPCE_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VPCE_ADDR_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

#define VPCE_POLICY_ARN	{ .type = NLA_NUL_STRING, .len = VPCE_ARN_MAX }

/* For the commands that take nothing but the name of their object. */
static const struct nla_policy vpce_name_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_vpc_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCOUNT] = VPCE_POLICY_ACCOUNT,
	[VPCE_A_DEVICES] = NLA_POLICY_NESTED_ARRAY(vpce_dev_policy),
};

/*
 * A DNS name as a service's private DNS name may be: labels of letters,
 * digits and '-' (not first or last), 1-63 characters each, 253 in all,
 * optionally "*." first; "" removes the name.
 */
static bool vpce_valid_dns(const char *s)
{
	unsigned int len = 0;

	if (!*s)
		return true;
	if (s[0] == '*' && s[1] == '.')
		s += 2;
	for (; *s; s++) {
		if (*s == '.') {
			if (!len || s[-1] == '-' || !s[1])
				return false;
			len = 0;
		} else if (vpce_ascii_alnum(*s) || (*s == '-' && len)) {
			if (++len > 63)
				return false;
		} else {
			return false;
		}
	}
	return len && s[-1] != '-';
}

static int vpce_validate_dns(const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	if (vpce_valid_dns(nla_data(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "not a DNS name (labels of A-Z a-z 0-9 -, optionally *. first)");
	return -EINVAL;
}

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

#define VPCE_POLICY_BOOL	NLA_POLICY_MAX(NLA_U8, 1)
#define VPCE_POLICY_DNS \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, vpce_validate_dns, \
			       VPCE_DNS_NAME_MAX)

static const struct nla_policy vpce_hc_policy[VPCE_HC_A_MAX + 1] = {
	[VPCE_HC_A_PROTO] = NLA_POLICY_MAX(NLA_U8, VPCE_HC_MAX),
	[VPCE_HC_A_PATH] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						  vpce_validate_hc_path,
						  VPCE_HC_PATH_MAX),
	[VPCE_HC_A_INTERVAL] = NLA_POLICY_RANGE(NLA_U32, 1, 300),
	[VPCE_HC_A_HEALTHY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[VPCE_HC_A_UNHEALTHY] = NLA_POLICY_RANGE(NLA_U8, 2, 10),
	[VPCE_HC_A_PORT] = { .type = NLA_U16 },
};

static const struct nla_policy vpce_service_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCEPTANCE_REQUIRED] = NLA_POLICY_MAX(NLA_U8, 1),
	[VPCE_A_ACCOUNT] = VPCE_POLICY_ACCOUNT,
	[VPCE_A_TYPE] = NLA_POLICY_MAX(NLA_U8, VPCE_TYPE_MAX),
	[VPCE_A_LISTENERS] = NLA_POLICY_NESTED_ARRAY(vpce_listener_policy),
	[VPCE_A_NLBS] = NLA_POLICY_NESTED_ARRAY(vpce_addr_policy),
	[VPCE_A_CROSS_ZONE] = VPCE_POLICY_BOOL,
	[VPCE_A_PRIVATE_DNS] = VPCE_POLICY_DNS,
	[VPCE_A_PREFIXES] = NLA_POLICY_NESTED_ARRAY(vpce_prefix_policy),
};

static const struct nla_policy vpce_service_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCEPTANCE_REQUIRED] = VPCE_POLICY_BOOL,
	[VPCE_A_CROSS_ZONE] = VPCE_POLICY_BOOL,
	[VPCE_A_PRIVATE_DNS] = VPCE_POLICY_DNS,
	[VPCE_A_DEREG_DELAY] = NLA_POLICY_RANGE(NLA_U32, 0, 3600),
	[VPCE_A_IDLE_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, VPCE_IDLE_TCP_MIN,
						 VPCE_IDLE_TCP_MAX),
	[VPCE_A_HASH_SEED] = NLA_POLICY_EXACT_LEN(VPCE_HASH_SEED_LEN),
	[VPCE_A_HEALTH_CHECK] = NLA_POLICY_NESTED(vpce_hc_policy),
};

static const struct nla_policy vpce_target_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
	[VPCE_A_WEIGHT] = NLA_POLICY_RANGE(NLA_U16, 1, VPCE_WEIGHT_MAX),
};

static const struct nla_policy vpce_target_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
	[VPCE_A_WEIGHT] = NLA_POLICY_RANGE(NLA_U16, 1, VPCE_WEIGHT_MAX),
	[VPCE_A_HEALTH] = NLA_POLICY_MAX(NLA_U8, VPCE_HEALTH_MAX),
};

static const struct nla_policy vpce_target_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_service_allow_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_PRINCIPAL] = VPCE_POLICY_ARN,
};

static const struct nla_policy vpce_connection_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_endpoint_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_principal_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
	[VPCE_A_PRINCIPAL] = VPCE_POLICY_ARN,
};

static const struct nla_policy vpce_principal_del_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
};

static const struct nla_policy vpce_principal_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_endpoint_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_REQUESTER] = VPCE_POLICY_ARN,
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_TYPE] = NLA_POLICY_MAX(NLA_U8, VPCE_TYPE_MAX),
	[VPCE_A_ADDRS] = NLA_POLICY_NESTED_ARRAY(vpce_addr_policy),
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
	[VPCE_A_MARK] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vpce_endpoint_set_nl_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
};

static const struct nla_policy vpce_stats_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_STATS_OF] = NLA_POLICY_MAX(NLA_U8, VPCE_STATS_OF_MAX),
};

static const struct nla_policy vpce_flow_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
};

static const struct nla_policy vpce_simulate_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
	[VPCE_A_REQUEST] = VPCE_NLA_REQUEST,
};

/*
 * A required attribute is missing: say which, both as a message for people
 * and as NLMSGERR_ATTR_MISS_TYPE for programs.
 */
static bool vpce_missing(struct genl_info *info, int type, const char *msg)
{
	if (info->attrs[type])
		return false;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	/* What NL_SET_ERR_MSG() does, for a literal passed by the caller. */
	info->extack->_msg = msg;
	return true;
}

/* Parse one address (already validated against vpce_addr_policy). */
static int vpce_parse_addr(const struct nlattr *nest, struct vpce_zone_addr *za,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_ADDR_A_MAX + 1];
	struct in6_addr ip6;
	__be32 ip;
	int ret;

	ret = nla_parse_nested(tb, VPCE_ADDR_A_MAX, nest, vpce_addr_policy,
			       extack);
	if (ret)
		return ret;
	memset(za, 0, sizeof(*za));
	if (tb[VPCE_ADDR_A_ZONE])
		nla_strscpy(za->zone, tb[VPCE_ADDR_A_ZONE], sizeof(za->zone));
	if (tb[VPCE_ADDR_A_IPV4] && tb[VPCE_ADDR_A_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_ADDR_A_IPV6],
				    "an address is IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if (tb[VPCE_ADDR_A_IPV6]) {
		ip6 = nla_get_in6_addr(tb[VPCE_ADDR_A_IPV6]);
		if (ipv6_addr_any(&ip6) || ipv6_addr_loopback(&ip6) ||
		    ipv6_addr_is_multicast(&ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_ADDR_A_IPV6],
					    "not a unicast address");
			return -EINVAL;
		}
		/* A link-local address names no interface here, and a
		 * mapped one is an IPv4 address in disguise.
		 */
		if (ipv6_addr_type(&ip6) & IPV6_ADDR_LINKLOCAL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_ADDR_A_IPV6],
					    "link-local addresses are not supported");
			return -EINVAL;
		}
		if (ipv6_addr_v4mapped(&ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_ADDR_A_IPV6],
					    "an IPv4-mapped address: give the IPv4 address");
			return -EINVAL;
		}
		za->addr.family = AF_INET6;
		za->addr.in.in6 = ip6;
		return 0;
	}
	if (!tb[VPCE_ADDR_A_IPV4]) {
		NL_SET_ERR_ATTR_MISS(extack, nest, VPCE_ADDR_A_IPV4);
		NL_SET_ERR_MSG(extack, "an address needs an IPv4 or IPv6 address");
		return -EINVAL;
	}
	ip = nla_get_in_addr(tb[VPCE_ADDR_A_IPV4]);
	if (ipv4_is_zeronet(ip) || ipv4_is_loopback(ip) ||
	    ipv4_is_multicast(ip) || ipv4_is_lbcast(ip)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_ADDR_A_IPV4],
				    "not a unicast address");
		return -EINVAL;
	}
	za->addr.family = AF_INET;
	za->addr.in.ip = ip;
	return 0;
}

/*
 * Parse a nested array of addresses into @out; at least one, at most
 * VPCE_ADDRS_MAX (one per zone and family).
 */
static int vpce_parse_addrs(const struct nlattr *array,
			    struct vpce_zone_addr *out, u8 *n,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, ret;

	*n = 0;
	nla_for_each_nested(a, array, rem) {
		if (*n == VPCE_ADDRS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many addresses");
			return -E2BIG;
		}
		ret = vpce_parse_addr(a, &out[(*n)++], extack);
		if (ret)
			return ret;
	}
	if (!*n) {
		NL_SET_ERR_MSG_ATTR(extack, array, "no address given");
		return -EINVAL;
	}
	return 0;
}

static u8 vpce_parse_type(struct genl_info *info)
{
	if (info->attrs[VPCE_A_TYPE])
		return nla_get_u8(info->attrs[VPCE_A_TYPE]);
	return VPCE_TYPE_INTERFACE;
}

/*
 * An attribute that the object's type does not take: say so, naming the
 * attribute, rather than ignore it.
 */
static bool vpce_refused(struct genl_info *info, int type, const char *msg)
{
	if (!info->attrs[type])
		return false;
	NL_SET_BAD_ATTR(info->extack, info->attrs[type]);
	info->extack->_msg = msg;
	return true;
}

static int vpce_parse_arn(const struct nlattr *attr, struct vpce_arn *arn,
			  struct netlink_ext_ack *extack)
{
	if (!vpce_arn_parse(nla_data(attr), arn))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "a principal is *, an account, or an IAM root, user or role ARN");
	return -EINVAL;
}

static int vpce_parse_prefix(const struct nlattr *nest, struct vpce_addr *a,
			     u8 *plen, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_ADDR_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, VPCE_ADDR_A_MAX, nest, vpce_prefix_policy,
			       extack);
	if (ret)
		return ret;
	memset(a, 0, sizeof(*a));
	if (!!tb[VPCE_ADDR_A_IPV4] == !!tb[VPCE_ADDR_A_IPV6] ||
	    !tb[VPCE_ADDR_A_PREFIX_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a prefix needs one address and a length");
		return -EINVAL;
	}
	if (tb[VPCE_ADDR_A_IPV4]) {
		a->family = AF_INET;
		a->in.ip = nla_get_in_addr(tb[VPCE_ADDR_A_IPV4]);
	} else {
		a->family = AF_INET6;
		a->in.in6 = nla_get_in6_addr(tb[VPCE_ADDR_A_IPV6]);
	}
	*plen = nla_get_u8(tb[VPCE_ADDR_A_PREFIX_LEN]);
	return vpce_prefix_normalize(a, *plen, extack);
}

/* A gateway service's prefix list: 1..VPCE_PREFIXES_MAX prefixes. */
static int vpce_parse_prefixes(const struct nlattr *array,
			       struct vpce_prefix *out, u8 *n,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, ret;

	*n = 0;
	nla_for_each_nested(a, array, rem) {
		if (*n == VPCE_PREFIXES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many prefixes");
			return -E2BIG;
		}
		ret = vpce_parse_prefix(a, &out[*n].addr, &out[*n].plen,
					extack);
		if (ret)
			return ret;
		(*n)++;
	}
	if (!*n) {
		NL_SET_ERR_MSG_ATTR(extack, array, "no prefix given");
		return -EINVAL;
	}
	return 0;
}

static int vpce_put_prefix(struct sk_buff *skb, const struct vpce_addr *a,
			   u8 plen)
{
	struct nlattr *nest = nla_nest_start(skb, VPCE_A_PREFIX);

	if (!nest ||
	    (a->family == AF_INET ?
	     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, a->in.ip) :
	     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &a->in.in6)) ||
	    nla_put_u8(skb, VPCE_ADDR_A_PREFIX_LEN, plen))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Message building */

static int vpce_put_prefixes(struct sk_buff *skb, const struct vpce_prefix *p,
			     unsigned int n)
{
	struct nlattr *array = nla_nest_start(skb, VPCE_A_PREFIXES), *nest;
	unsigned int i;

	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		const struct vpce_addr *a = &p[i].addr;

		nest = nla_nest_start(skb, i);
		if (!nest ||
		    (a->family == AF_INET ?
		     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, a->in.ip) :
		     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &a->in.in6)) ||
		    nla_put_u8(skb, VPCE_ADDR_A_PREFIX_LEN, p[i].plen))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, array);
	return 0;
}

int vpce_put_addr(struct sk_buff *skb, int type,
		  const struct vpce_addr *addr, const char *zone)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((addr->family == AF_INET ?
	     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, addr->in.ip) :
	     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &addr->in.in6)) ||
	    (zone && zone[0] && nla_put_string(skb, VPCE_ADDR_A_ZONE, zone))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vpce_fill_vpc(struct sk_buff *skb, struct vpce_net *vn,
			 const void *obj)
{
	const struct vpce_vpc *vpc = obj;
	struct nlattr *devs, *nest;
	struct net_device *dev;
	unsigned int i;

	if (nla_put_string(skb, VPCE_A_NAME, vpc->named.name) ||
	    nla_put_u64_64bit(skb, VPCE_A_ACCOUNT, vpc->account, VPCE_A_PAD) ||
	    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, vpc->endpoint_count))
		return -EMSGSIZE;
	devs = nla_nest_start(skb, VPCE_A_DEVICES);
	if (!devs)
		return -EMSGSIZE;
	for (i = 0; i < vpc->ndevs; i++) {
		const struct vpce_dev *d = vpc->devs[i];

		nest = nla_nest_start(skb, i);
		if (!nest ||
		    nla_put_u32(skb, VPCE_DEV_A_IFINDEX, d->ifindex) ||
		    nla_put_u16(skb, VPCE_DEV_A_CT_ZONE, d->ct_zone))
			return -EMSGSIZE;
		rcu_read_lock();
		dev = dev_get_by_index_rcu(vn->net, d->ifindex);
		if (dev && nla_put_string(skb, VPCE_DEV_A_NAME, dev->name)) {
			rcu_read_unlock();
			return -EMSGSIZE;
		}
		rcu_read_unlock();
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, devs);
	return 0;
}

/* Load balancing and health settings of a service. */
static int vpce_fill_service_lb(struct sk_buff *skb,
				const struct vpce_service *svc)
{
	const struct vpce_hc *hc = &svc->hc;
	struct nlattr *nest;

	/* (VPCE_A_ACCEPTANCE_REQUIRED is with the access control ones.) */
	if (nla_put_u8(skb, VPCE_A_CROSS_ZONE, svc->cross_zone) ||
	    (svc->private_dns[0] &&
	     nla_put_string(skb, VPCE_A_PRIVATE_DNS, svc->private_dns)) ||
	    nla_put_u32(skb, VPCE_A_DEREG_DELAY, svc->dereg_delay) ||
	    nla_put_u32(skb, VPCE_A_IDLE_TIMEOUT,
			vpce_timeouts_idle(&svc->timeouts)))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, VPCE_A_HEALTH_CHECK);
	if (!nest || nla_put_u8(skb, VPCE_HC_A_PROTO, hc->proto))
		return -EMSGSIZE;
	if (hc->proto != VPCE_HC_NONE &&
	    (nla_put_u32(skb, VPCE_HC_A_INTERVAL, hc->interval) ||
	     nla_put_u8(skb, VPCE_HC_A_HEALTHY, hc->healthy) ||
	     nla_put_u8(skb, VPCE_HC_A_UNHEALTHY, hc->unhealthy) ||
	     nla_put_u16(skb, VPCE_HC_A_PORT, hc->port) ||
	     (hc->proto == VPCE_HC_HTTP &&
	      nla_put_string(skb, VPCE_HC_A_PATH, hc->path))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int vpce_fill_service(struct sk_buff *skb, struct vpce_net *vn,
			     const void *obj)
{
	const struct vpce_service *svc = obj;
	const struct vpce_listener *l;
	struct nlattr *array, *nest;
	unsigned int i, n;

	if (nla_put_string(skb, VPCE_A_NAME, svc->named.name) ||
	    nla_put_u64_64bit(skb, VPCE_A_ACCOUNT, svc->account, VPCE_A_PAD) ||
	    nla_put_u8(skb, VPCE_A_TYPE, svc->type) ||
	    nla_put_u32(skb, VPCE_A_TARGET_COUNT,
			vpce_service_targets(svc, vn)->n) ||
	    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, svc->endpoint_count) ||
	    nla_put_u8(skb, VPCE_A_ACCEPTANCE_REQUIRED,
		       svc->acceptance_required))
		return -EMSGSIZE;

	array = nla_nest_start(skb, VPCE_A_PRINCIPALS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; svc->principals && i < svc->principals->n; i++)
		if (nla_put_string(skb, VPCE_A_PRINCIPAL,
				   svc->principals->arn[i].text))
			return -EMSGSIZE;
	nla_nest_end(skb, array);

	array = nla_nest_start(skb, VPCE_A_LISTENERS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < svc->nlisteners; i++) {
		l = &svc->listeners[i];
		nest = nla_nest_start(skb, i);
		if (!nest ||
		    nla_put_u8(skb, VPCE_LISTENER_A_PROTO, l->proto) ||
		    nla_put_u16(skb, VPCE_LISTENER_A_PORT, l->port) ||
		    nla_put_u16(skb, VPCE_LISTENER_A_TARGET_PORT,
				l->target_port))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, array);

	array = nla_nest_start(skb, VPCE_A_NLBS);
	if (!array)
		return -EMSGSIZE;
	/* Zone by zone, IPv4 first: given back, they make the same zones. */
	for (i = 0, n = 0; i < svc->nzones; i++) {
		const struct vpce_addr *a;

		a = vpce_service_nlb(svc, i, AF_INET);
		if (a && vpce_put_addr(skb, n++, a, svc->nlbs[i].zone))
			return -EMSGSIZE;
		a = vpce_service_nlb(svc, i, AF_INET6);
		if (a && vpce_put_addr(skb, n++, a, svc->nlbs[i].zone))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, array);
	if (svc->type == VPCE_TYPE_GATEWAY &&
	    vpce_put_prefixes(skb, svc->prefixes, svc->nprefixes))
		return -EMSGSIZE;
	return vpce_fill_service_lb(skb, svc);
}

/*
 * A service with its hash seed, when one was given. Only administrators
 * read services at all (every op is GENL_UNS_ADMIN_PERM), but events, which
 * go to a group, never carry it.
 */
static int vpce_fill_service_admin(struct sk_buff *skb, struct vpce_net *vn,
				   const void *obj)
{
	const struct vpce_service *svc = obj;
	u8 seed[VPCE_HASH_SEED_LEN];

	if (vpce_fill_service(skb, vn, obj))
		return -EMSGSIZE;
	if (!svc->hash_seed_set)
		return 0;
	put_unaligned_le64(svc->hash_key.key[0], &seed[0]);
	put_unaligned_le64(svc->hash_key.key[1], &seed[8]);
	return nla_put(skb, VPCE_A_HASH_SEED, sizeof(seed), seed);
}

static int vpce_fill_endpoint(struct sk_buff *skb, struct vpce_net *vn,
			      const void *obj)
{
	const struct vpce_endpoint *ep = obj;
	struct vpce_counters_sum sum;
	struct nlattr *array;
	unsigned int i;

	if (nla_put_string(skb, VPCE_A_NAME, ep->named.name) ||
	    nla_put_string(skb, VPCE_A_VPC, ep->vpc->named.name) ||
	    nla_put_string(skb, VPCE_A_SERVICE, ep->svc->named.name) ||
	    nla_put_u8(skb, VPCE_A_TYPE, ep->type) ||
	    nla_put_u8(skb, VPCE_A_STATE, READ_ONCE(ep->state)) ||
	    nla_put_u64_64bit(skb, VPCE_A_OWNER, ep->vpc->account, VPCE_A_PAD) ||
	    nla_put_string(skb, VPCE_A_REQUESTER, ep->requester->text) ||
	    nla_put_u64_64bit(skb, VPCE_A_CREATED, ep->created, VPCE_A_PAD) ||
	    (ep->type == VPCE_TYPE_GATEWAY &&
	     nla_put_u32(skb, VPCE_A_MARK, ep->mark)))
		return -EMSGSIZE;

	array = nla_nest_start(skb, VPCE_A_ADDRS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < ep->naddrs; i++) {
		const struct vpce_ep_addr *ea = &ep->addrs[i];

		if (vpce_put_addr(skb, i, &ea->key.addr,
				  ep->svc->nlbs[ea->zone].zone))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, array);

	vpce_endpoint_counters_sum(ep, &sum);
	array = nla_nest_start(skb, VPCE_A_STATS);
	if (!array ||
	    nla_put_u64_64bit(skb, VPCE_STATS_A_NEW_CONNECTIONS,
			      sum.conns, VPCE_STATS_A_PAD) ||
	    vpce_put_drops(skb, sum.drops))
		return -EMSGSIZE;
	nla_nest_end(skb, array);
	return 0;
}

/* An endpoint with its policy text, which events leave out. */
static int vpce_fill_endpoint_admin(struct sk_buff *skb, struct vpce_net *vn,
				    const void *obj)
{
	const struct vpce_endpoint *ep = obj;

	if (vpce_fill_endpoint(skb, vn, obj))
		return -EMSGSIZE;
	return vpce_policy_put_text(skb, VPCE_A_POLICY_TEXT,
				    rcu_dereference_protected(ep->policy,
							      lockdep_is_held(&vn->lock)));
}

struct vpce_target_ref {
	const struct vpce_service *svc;
	const struct vpce_target *t;
};

/* A draining target whose flows are still to end: the seconds left. */
static int vpce_fill_target_drain(struct sk_buff *skb,
				  const struct vpce_target_ref *ref)
{
	const struct vpce_drain *d;
	long left;

	if (ref->t->health != VPCE_HEALTH_DRAINING)
		return 0;
	d = vpce_drain_find(ref->svc, &ref->t->addr);
	if (!d)
		return 0;
	left = (long)(d->deadline - jiffies);
	return nla_put_u32(skb, VPCE_A_DEREG_DELAY,
			   left > 0 ? DIV_ROUND_UP(left, HZ) : 0);
}

static int vpce_fill_target(struct sk_buff *skb, struct vpce_net *vn,
			    const void *obj)
{
	const struct vpce_target_ref *ref = obj;
	const struct vpce_target *t = ref->t;

	if (nla_put_string(skb, VPCE_A_SERVICE, ref->svc->named.name) ||
	    vpce_put_addr(skb, VPCE_A_ADDR, &t->addr,
			  ref->svc->nlbs[t->zone].zone) ||
	    nla_put_u16(skb, VPCE_A_WEIGHT, t->weight) ||
	    nla_put_u8(skb, VPCE_A_HEALTH, t->health))
		return -EMSGSIZE;
	return vpce_fill_target_drain(skb, ref);
}

/* Put one object in a dump; 0 if it fit, else -EMSGSIZE. */
int vpce_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		  u8 cmd, vpce_fill_t fill, struct vpce_net *vn,
		  const void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vpce_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (fill(skb, vn, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * How a dump batch ends: a full batch goes on in the next one, but an object
 * that does not fit even in an empty batch never will, and returning 0 then
 * would end the dump as if it were complete.
 */
int vpce_dump_done(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/*
 * Dumps take the configuration lock for each batch and remember where they
 * stopped by position. Positions shift when objects come and go between
 * batches; the generation in cb->seq makes genetlink flag such a dump
 * NLM_F_DUMP_INTR so that the reader starts again.
 */
void vpce_dump_begin(struct netlink_callback *cb, struct vpce_net *vn)
{
	mutex_lock(&vn->lock);
	cb->seq = vn->gen << 1 | 1;	/* never 0: 0 means "not tracked" */
}

static int vpce_dump_names(struct sk_buff *skb, struct netlink_callback *cb,
			   struct vpce_names *names, u8 cmd, vpce_fill_t fill,
			   size_t named_offset)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	list_for_each_entry(n, &names->list, list) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		ret = vpce_dump_one(skb, cb, cmd, fill, vn,
				    (const char *)n - named_offset);
		if (ret)
			break;
		cb->args[0] = ++idx;
	}
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

static int vpce_reply(struct genl_info *info, vpce_fill_t fill,
		      struct vpce_net *vn, const void *obj)
{
	struct sk_buff *msg;
	void *hdr;

	/* Large enough for any one object, an endpoint's policy included. */
	msg = genlmsg_new(VPCE_ENDPOINT_MSG_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vpce_family, 0, info->genlhdr->cmd);
	if (!hdr || fill(msg, vn, obj)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Events: see VPCE_MCGRP_EVENTS in the uapi header. */

/* Events name tenants' endpoints and targets: for administrators only. */
static const struct genl_multicast_group vpce_mcgrps[] = {
	{ .name = VPCE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * Build an event about @obj now (a deletion must describe the object before
 * it goes); vpce_event_send() sends it once the change has happened. NULL
 * when nobody listens or memory is short: events are best effort, like
 * rtnetlink's.
 */
static struct sk_buff *vpce_event_build(struct vpce_net *vn, u8 cmd, u8 event,
					vpce_fill_t fill, const void *obj)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&vpce_family, vn->net, 0))
		return NULL;
	skb = genlmsg_new(VPCE_ENDPOINT_MSG_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &vpce_family, 0, cmd);
	if (!hdr || nla_put_u8(skb, VPCE_A_EVENT, event) || fill(skb, vn, obj)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

static void vpce_event_send(struct vpce_net *vn, struct sk_buff *skb)
{
	if (skb)
		genlmsg_multicast_netns(&vpce_family, vn->net, skb, 0, 0,
					GFP_KERNEL);
}

static int vpce_fill_endpoint(struct sk_buff *skb, struct vpce_net *vn,
			      const void *obj);

static void vpce_event_endpoint(struct vpce_net *vn, u8 event,
				const struct vpce_endpoint *ep)
{
	vpce_event_send(vn, vpce_event_build(vn, VPCE_CMD_ENDPOINT_GET, event,
					     vpce_fill_endpoint, ep));
}

/* VPCs */

static int vpce_nl_vpc_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_vpc_config cfg = {};
	const struct nlattr *a;
	int rem, ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the VPC's name") ||
	    vpce_missing(info, VPCE_A_ACCOUNT, "missing the VPC's account") ||
	    vpce_missing(info, VPCE_A_DEVICES, "missing the VPC's devices"))
		return -EINVAL;
	cfg.name = nla_data(info->attrs[VPCE_A_NAME]);
	cfg.account = nla_get_u64(info->attrs[VPCE_A_ACCOUNT]);
	nla_for_each_nested(a, info->attrs[VPCE_A_DEVICES], rem) {
		struct nlattr *tb[VPCE_DEV_A_MAX + 1];

		if (cfg.ndevs == VPCE_DEVICES_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "too many devices");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, VPCE_DEV_A_MAX, a, vpce_dev_policy,
				       info->extack);
		if (ret)
			return ret;
		if (!tb[VPCE_DEV_A_IFINDEX]) {
			NL_SET_ERR_ATTR_MISS(info->extack, a,
					     VPCE_DEV_A_IFINDEX);
			NL_SET_ERR_MSG(info->extack,
				       "a device needs its ifindex");
			return -EINVAL;
		}
		cfg.ifindex[cfg.ndevs++] = nla_get_u32(tb[VPCE_DEV_A_IFINDEX]);
	}
	if (!cfg.ndevs) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_DEVICES],
				    "a VPC needs at least one device");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	ret = vpce_vpc_add(vn, &cfg, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * Find the object named by attribute @type under vn->lock, or say that it
 * does not exist.
 */
static struct vpce_vpc *vpce_nl_vpc(struct vpce_net *vn, struct genl_info *info,
				    int type)
{
	struct vpce_vpc *vpc = vpce_vpc_find(vn, nla_data(info->attrs[type]));

	if (!vpc)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "no such VPC");
	return vpc;
}

static struct vpce_service *vpce_nl_service(struct vpce_net *vn,
					    struct genl_info *info, int type)
{
	struct vpce_service *svc;

	svc = vpce_service_find(vn, nla_data(info->attrs[type]));
	if (!svc)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "no such service");
	return svc;
}

static struct vpce_endpoint *vpce_nl_endpoint(struct vpce_net *vn,
					      struct genl_info *info)
{
	struct vpce_endpoint *ep;

	ep = vpce_endpoint_find(vn, nla_data(info->attrs[VPCE_A_NAME]));
	if (!ep)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_NAME],
				    "no such endpoint");
	return ep;
}

static int vpce_nl_vpc_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_vpc *vpc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the VPC's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	vpc = vpce_nl_vpc(vn, info, VPCE_A_NAME);
	if (vpc)
		ret = vpce_vpc_del(vn, vpc, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_vpc_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_vpc *vpc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the VPC's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	vpc = vpce_nl_vpc(vn, info, VPCE_A_NAME);
	if (vpc)
		ret = vpce_reply(info, vpce_fill_vpc, vn, vpc);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_vpc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));

	return vpce_dump_names(skb, cb, &vn->vpcs, VPCE_CMD_VPC_GET,
			       vpce_fill_vpc, offsetof(struct vpce_vpc, named));
}

/* Services */

static int vpce_parse_listeners(struct genl_info *info,
				struct vpce_service_config *cfg)
{
	const struct nlattr *a;
	int rem, ret;

	nla_for_each_nested(a, info->attrs[VPCE_A_LISTENERS], rem) {
		struct nlattr *tb[VPCE_LISTENER_A_MAX + 1];
		struct vpce_listener *l;

		if (cfg->nlisteners == VPCE_LISTENERS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "too many listeners");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, VPCE_LISTENER_A_MAX, a,
				       vpce_listener_policy, info->extack);
		if (ret)
			return ret;
		if (!tb[VPCE_LISTENER_A_PROTO] || !tb[VPCE_LISTENER_A_PORT]) {
			NL_SET_ERR_ATTR_MISS(info->extack, a,
					     tb[VPCE_LISTENER_A_PROTO] ?
					     VPCE_LISTENER_A_PORT :
					     VPCE_LISTENER_A_PROTO);
			NL_SET_ERR_MSG(info->extack,
				       "a listener needs a protocol and a port");
			return -EINVAL;
		}
		l = &cfg->listeners[cfg->nlisteners++];
		l->proto = nla_get_u8(tb[VPCE_LISTENER_A_PROTO]);
		if (l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[VPCE_LISTENER_A_PROTO],
					    "the protocol must be TCP or UDP");
			return -EINVAL;
		}
		l->port = nla_get_u16(tb[VPCE_LISTENER_A_PORT]);
		l->target_port = tb[VPCE_LISTENER_A_TARGET_PORT] ?
			nla_get_u16(tb[VPCE_LISTENER_A_TARGET_PORT]) : l->port;
	}
	if (!cfg->nlisteners) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_LISTENERS],
				    "a service needs at least one listener");
		return -EINVAL;
	}
	return 0;
}

static int vpce_parse_hc(struct genl_info *info, struct vpce_hc *hc, u32 *mask)
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
	if (tb[VPCE_HC_A_PATH] && hc->proto != VPCE_HC_HTTP) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VPCE_HC_A_PATH],
				    "only HTTP health checks have a path");
		return -EINVAL;
	}
	hc->interval = tb[VPCE_HC_A_INTERVAL] ?
		nla_get_u32(tb[VPCE_HC_A_INTERVAL]) : VPCE_HC_INTERVAL_DEFAULT;
	hc->healthy = tb[VPCE_HC_A_HEALTHY] ?
		nla_get_u8(tb[VPCE_HC_A_HEALTHY]) : VPCE_HC_HEALTHY_DEFAULT;
	hc->unhealthy = tb[VPCE_HC_A_UNHEALTHY] ?
		nla_get_u8(tb[VPCE_HC_A_UNHEALTHY]) : VPCE_HC_UNHEALTHY_DEFAULT;
	hc->port = tb[VPCE_HC_A_PORT] ? nla_get_u16(tb[VPCE_HC_A_PORT]) : 0;
	strscpy(hc->path, "/", sizeof(hc->path));
	if (tb[VPCE_HC_A_PATH])
		nla_strscpy(hc->path, tb[VPCE_HC_A_PATH], sizeof(hc->path));
	*mask |= VPCE_SET_HEALTH_CHECK;
	return 0;
}

/*
 * The settings of "service set" (and the few "service add" takes: its policy
 * lets only those through). Defaults fill what a health check leaves out.
 */
static int vpce_parse_settings(struct genl_info *info,
			       struct vpce_service_settings *set)
{
	struct nlattr **a = info->attrs;

	if (a[VPCE_A_ACCEPTANCE_REQUIRED]) {
		set->mask |= VPCE_SET_ACCEPTANCE;
		set->acceptance_required =
			nla_get_u8(a[VPCE_A_ACCEPTANCE_REQUIRED]);
	}
	if (a[VPCE_A_CROSS_ZONE]) {
		set->mask |= VPCE_SET_CROSS_ZONE;
		set->cross_zone = nla_get_u8(a[VPCE_A_CROSS_ZONE]);
	}
	if (a[VPCE_A_PRIVATE_DNS]) {
		set->mask |= VPCE_SET_PRIVATE_DNS;
		nla_strscpy(set->private_dns, a[VPCE_A_PRIVATE_DNS],
			    sizeof(set->private_dns));
	}
	if (a[VPCE_A_DEREG_DELAY]) {
		set->mask |= VPCE_SET_DEREG_DELAY;
		set->dereg_delay = nla_get_u32(a[VPCE_A_DEREG_DELAY]);
	}
	if (a[VPCE_A_IDLE_TIMEOUT]) {
		set->mask |= VPCE_SET_IDLE_TIMEOUT;
		set->idle_timeout = nla_get_u32(a[VPCE_A_IDLE_TIMEOUT]);
	}
	if (a[VPCE_A_HASH_SEED]) {
		const u8 *seed = nla_data(a[VPCE_A_HASH_SEED]);

		set->mask |= VPCE_SET_HASH_SEED;
		/* Little endian on every host, so that they all agree. */
		set->hash_key.key[0] = get_unaligned_le64(&seed[0]);
		set->hash_key.key[1] = get_unaligned_le64(&seed[8]);
	}
	if (a[VPCE_A_HEALTH_CHECK])
		return vpce_parse_hc(info, &set->hc, &set->mask);
	return 0;
}

static int vpce_nl_service_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service_config *cfg;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ACCOUNT,
			 "missing the service's account"))
		return -EINVAL;
	if (vpce_parse_type(info) == VPCE_TYPE_GATEWAY) {
		if (vpce_refused(info, VPCE_A_LISTENERS,
				 "a gateway service has no listeners") ||
		    vpce_refused(info, VPCE_A_NLBS,
				 "a gateway service has no load balancer addresses") ||
		    vpce_missing(info, VPCE_A_PREFIXES,
				 "missing the gateway service's prefixes"))
			return -EINVAL;
	} else if (vpce_refused(info, VPCE_A_PREFIXES,
				"prefixes are for gateway services (type gateway)") ||
		   vpce_missing(info, VPCE_A_LISTENERS,
				"missing the service's listeners") ||
		   vpce_missing(info, VPCE_A_NLBS,
				"missing the service's load balancer addresses")) {
		return -EINVAL;
	}

	/* Too big for the stack with all its listeners and zones. */
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	cfg->name = nla_data(info->attrs[VPCE_A_NAME]);
	cfg->account = nla_get_u64(info->attrs[VPCE_A_ACCOUNT]);
	if (info->attrs[VPCE_A_ACCEPTANCE_REQUIRED])
		cfg->acceptance_required =
			nla_get_u8(info->attrs[VPCE_A_ACCEPTANCE_REQUIRED]);
	cfg->type = vpce_parse_type(info);
	if (cfg->type == VPCE_TYPE_GATEWAY) {
		ret = vpce_parse_prefixes(info->attrs[VPCE_A_PREFIXES],
					  cfg->prefixes, &cfg->nprefixes,
					  info->extack);
	} else {
		ret = vpce_parse_listeners(info, cfg);
		if (!ret)
			ret = vpce_parse_addrs(info->attrs[VPCE_A_NLBS],
					       cfg->nlbs, &cfg->nnlbs,
					       info->extack);
	}
	if (!ret)
		ret = vpce_parse_settings(info, &cfg->set);
	if (!ret) {
		mutex_lock(&vn->lock);
		ret = vpce_service_add(vn, cfg, info->extack);
		mutex_unlock(&vn->lock);
	}
	kfree(cfg);
	return ret;
}

static int vpce_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info, VPCE_A_NAME);
	if (svc)
		ret = vpce_service_del(vn, svc, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service_settings *set;
	struct vpce_service *svc;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	/* Too big for the stack with its DNS name and HTTP path. */
	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	ret = vpce_parse_settings(info, set);
	if (!ret) {
		mutex_lock(&vn->lock);
		ret = -ENOENT;
		svc = vpce_nl_service(vn, info, VPCE_A_NAME);
		if (svc)
			ret = vpce_service_set(vn, svc, set, info->extack);
		mutex_unlock(&vn->lock);
	}
	kfree(set);
	return ret;
}

static int vpce_nl_service_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info, VPCE_A_NAME);
	if (svc)
		ret = vpce_reply(info, vpce_fill_service_admin, vn, svc);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_service_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));

	return vpce_dump_names(skb, cb, &vn->services, VPCE_CMD_SERVICE_GET,
			       vpce_fill_service_admin,
			       offsetof(struct vpce_service, named));
}

/* Targets */

static int vpce_nl_target_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_target tgt = {
		.health = VPCE_HEALTH_HEALTHY,
		.weight = 1,
	};
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;
	tgt.addr = za.addr;
	if (info->attrs[VPCE_A_WEIGHT])
		tgt.weight = nla_get_u16(info->attrs[VPCE_A_WEIGHT]);

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info, VPCE_A_SERVICE);
	if (svc)
		ret = vpce_service_zone(svc, za.zone, info->extack);
	if (ret >= 0) {
		tgt.zone = ret;
		ret = vpce_service_zone_family(svc, tgt.zone, tgt.addr.family,
					       info->extack);
	}
	if (!ret)
		ret = vpce_target_add(vn, svc, &tgt, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_target_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info, VPCE_A_SERVICE);
	if (svc)
		ret = vpce_target_del(vn, svc, &za.addr, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static const struct vpce_target *
vpce_nl_target(struct vpce_net *vn, const struct vpce_service *svc,
	       const struct vpce_addr *addr)
{
	const struct vpce_targets *ts = vpce_service_targets(svc, vn);
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		if (vpce_addr_eq(&ts->t[i].addr, addr))
			return &ts->t[i];
	return NULL;
}

static int vpce_nl_target_health(struct vpce_net *vn,
				 const struct vpce_service *svc,
				 const struct vpce_addr *addr)
{
	const struct vpce_target *t = vpce_nl_target(vn, svc, addr);

	return t ? t->health : -1;
}

static void vpce_event_health(struct vpce_net *vn,
			      const struct vpce_service *svc,
			      const struct vpce_addr *addr)
{
	struct vpce_target_ref ref = {
		.svc = svc,
		.t = vpce_nl_target(vn, svc, addr),
	};

	if (ref.t)
		vpce_event_send(vn, vpce_event_build(vn, VPCE_CMD_TARGET_GET,
						     VPCE_EVENT_HEALTH,
						     vpce_fill_target, &ref));
}

static int vpce_nl_target_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_target_change chg = { .weight = -1, .health = -1 };
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;
	if (info->attrs[VPCE_A_WEIGHT])
		chg.weight = nla_get_u16(info->attrs[VPCE_A_WEIGHT]);
	if (info->attrs[VPCE_A_HEALTH])
		chg.health = nla_get_u8(info->attrs[VPCE_A_HEALTH]);
	if (chg.weight < 0 && chg.health < 0) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give a weight or a health");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info, VPCE_A_SERVICE);
	if (svc) {
		int was = vpce_nl_target_health(vn, svc, &za.addr);

		ret = vpce_target_set(vn, svc, &za.addr, &chg, info->extack);
		if (!ret && chg.health >= 0 && chg.health != was)
			vpce_event_health(vn, svc, &za.addr);
	}
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * Targets of one service (VPCE_A_SERVICE) or of all. The cursor is the
 * position of the service in args[0] and of the target in args[1].
 */
static int vpce_nl_target_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct nlattr *filter = info->attrs[VPCE_A_SERVICE];
	struct vpce_target_ref ref;
	const struct vpce_named *n;
	const struct vpce_targets *ts;
	unsigned long sidx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (filter && !vpce_service_find(vn, nla_data(filter))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, filter, "no such service");
		ret = -ENOENT;
		goto out;
	}
	list_for_each_entry(n, &vn->services.list, list) {
		if (sidx++ < cb->args[0])
			continue;
		ref.svc = container_of(n, struct vpce_service, named);
		if (filter && strcmp(n->name, nla_data(filter)))
			goto next;
		ts = vpce_service_targets(ref.svc, vn);
		for (; cb->args[1] < ts->n; cb->args[1]++) {
			ref.t = &ts->t[cb->args[1]];
			ret = vpce_dump_one(skb, cb, VPCE_CMD_TARGET_GET,
					    vpce_fill_target, vn, &ref);
			if (ret)
				goto out;
		}
next:
		cb->args[0] = sidx;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* Endpoints */

static int vpce_nl_endpoint_add_cfg(struct genl_info *info,
				    struct vpce_endpoint_config *cfg)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name") ||
	    vpce_missing(info, VPCE_A_VPC, "missing the endpoint's VPC") ||
	    vpce_missing(info, VPCE_A_SERVICE,
			 "missing the endpoint's service"))
		return -EINVAL;
	cfg->name = nla_data(info->attrs[VPCE_A_NAME]);
	cfg->type = vpce_parse_type(info);
	if (cfg->type == VPCE_TYPE_GATEWAY) {
		if (vpce_refused(info, VPCE_A_ADDRS,
				 "a gateway endpoint has no addresses"))
			return -EINVAL;
		if (info->attrs[VPCE_A_MARK])
			cfg->mark = nla_get_u32(info->attrs[VPCE_A_MARK]);
	} else if (vpce_refused(info, VPCE_A_MARK,
				"a mark is for gateway endpoints (type gateway)") ||
		   vpce_missing(info, VPCE_A_ADDRS,
				"missing the endpoint's addresses")) {
		return -EINVAL;
	}
	if (info->attrs[VPCE_A_REQUESTER]) {
		ret = vpce_parse_arn(info->attrs[VPCE_A_REQUESTER],
				     &cfg->requester, info->extack);
		if (ret)
			return ret;
		if (cfg->requester.kind == VPCE_ARN_ANY) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VPCE_A_REQUESTER],
					    "the requester is one principal, not \"*\"");
			return -EINVAL;
		}
	}
	if (cfg->type == VPCE_TYPE_INTERFACE) {
		ret = vpce_parse_addrs(info->attrs[VPCE_A_ADDRS], cfg->addrs,
				       &cfg->naddrs, info->extack);
		if (ret)
			return ret;
	}
	if (info->attrs[VPCE_A_POLICY]) {
		cfg->policy = vpce_policy_build(info->attrs[VPCE_A_POLICY],
						info->attrs[VPCE_A_POLICY_TEXT],
						info->extack);
		if (IS_ERR(cfg->policy))
			return PTR_ERR(cfg->policy);
	}

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	cfg->vpc = vpce_nl_vpc(vn, info, VPCE_A_VPC);
	if (cfg->vpc)
		cfg->svc = vpce_nl_service(vn, info, VPCE_A_SERVICE);
	/* By default the VPC's owner asks for the endpoint. */
	if (cfg->vpc && !info->attrs[VPCE_A_REQUESTER])
		cfg->requester = cfg->vpc->owner;
	if (cfg->svc)
		ret = vpce_endpoint_add(vn, cfg, info->extack);
	if (!ret) {
		struct vpce_endpoint *ep = vpce_endpoint_find(vn, cfg->name);

		vpce_event_endpoint(vn, VPCE_EVENT_REQUESTED, ep);
		if (ep->state == VPCE_STATE_AVAILABLE)
			vpce_event_endpoint(vn, VPCE_EVENT_CONNECTED, ep);
	}
	mutex_unlock(&vn->lock);
	/* On success the endpoint owns the policy. */
	if (ret)
		vpce_policy_free(cfg->policy);
	return ret;
}

static int vpce_nl_endpoint_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_endpoint_config *cfg;
	int ret;

	/* Too big for the stack with an address per zone and family. */
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	ret = vpce_nl_endpoint_add_cfg(info, cfg);
	kfree(cfg);
	return ret;
}

static int vpce_nl_endpoint_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_policy *policy;
	struct vpce_endpoint *ep;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name") ||
	    vpce_missing(info, VPCE_A_POLICY, "missing the policy"))
		return -EINVAL;
	policy = vpce_policy_build(info->attrs[VPCE_A_POLICY],
				   info->attrs[VPCE_A_POLICY_TEXT], info->extack);
	if (IS_ERR(policy))
		return PTR_ERR(policy);
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info);
	if (ep) {
		vpce_endpoint_set_policy(vn, ep, policy);
		vpce_event_endpoint(vn, VPCE_EVENT_POLICY, ep);
		ret = 0;
	}
	mutex_unlock(&vn->lock);
	if (ret)
		vpce_policy_free(policy);
	return ret;
}

static int vpce_nl_endpoint_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info);
	if (ep) {
		struct sk_buff *ev;

		ev = vpce_event_build(vn, VPCE_CMD_ENDPOINT_GET,
				      VPCE_EVENT_DELETED, vpce_fill_endpoint, ep);
		vpce_endpoint_del(vn, ep);
		vpce_event_send(vn, ev);
		ret = 0;
	}
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_endpoint_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info);
	if (ep)
		ret = vpce_reply(info, vpce_fill_endpoint_admin, vn, ep);
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * Endpoints, or with VPCE_A_SERVICE the endpoints connected to one service
 * (the provider's view: `connection show`).
 */
/* Endpoints (with their policy) and services (with their principals) may
 * need more than a page each.
 */
static int vpce_nl_big_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = VPCE_ENDPOINT_MSG_SIZE;
	return 0;
}

static int vpce_nl_endpoint_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	const struct nlattr *filter = genl_dumpit_info(cb)->attrs[VPCE_A_SERVICE];
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct vpce_service *svc = NULL;
	const struct vpce_endpoint *ep;
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (filter) {
		svc = vpce_service_find(vn, nla_data(filter));
		if (!svc) {
			NL_SET_ERR_MSG_ATTR(cb->extack, filter, "no such service");
			ret = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry(n, &vn->endpoints.list, list) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		ep = container_of(n, struct vpce_endpoint, named);
		if (!svc || ep->svc == svc)
			ret = vpce_dump_one(skb, cb, VPCE_CMD_ENDPOINT_GET,
					    vpce_fill_endpoint_admin, vn, ep);
		if (ret)
			break;
		cb->args[0] = ++idx;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* Service permissions */

static int vpce_nl_service_permission(struct genl_info *info, bool allow)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_arn arn;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_PRINCIPAL, "missing the principal"))
		return -EINVAL;
	ret = vpce_parse_arn(info->attrs[VPCE_A_PRINCIPAL], &arn, info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info, VPCE_A_NAME);
	if (svc)
		ret = allow ? vpce_service_allow(vn, svc, &arn, info->extack) :
			vpce_service_disallow(vn, svc, &arn, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_service_allow(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_service_permission(info, true);
}

static int vpce_nl_service_disallow(struct sk_buff *skb,
				    struct genl_info *info)
{
	return vpce_nl_service_permission(info, false);
}

/* Connections: the provider accepts or rejects endpoints of its service. */

static int vpce_nl_connection(struct genl_info *info, bool accept)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_endpoint *ep = NULL;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info, VPCE_A_SERVICE);
	if (svc)
		ep = vpce_nl_endpoint(vn, info);
	if (ep && ep->svc != svc) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_NAME],
				    "the endpoint is not connected to this service");
		ep = NULL;
	}
	if (ep)
		ret = accept ? vpce_endpoint_accept(vn, ep, info->extack) :
			vpce_endpoint_reject(vn, ep, info->extack);
	if (!ret) {
		vpce_event_endpoint(vn, accept ? VPCE_EVENT_ACCEPTED :
				    VPCE_EVENT_REJECTED, ep);
		if (accept)
			vpce_event_endpoint(vn, VPCE_EVENT_CONNECTED, ep);
	}
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_connection_accept(struct sk_buff *skb,
				     struct genl_info *info)
{
	return vpce_nl_connection(info, true);
}

static int vpce_nl_connection_reject(struct sk_buff *skb,
				     struct genl_info *info)
{
	return vpce_nl_connection(info, false);
}

/* Principal bindings */

static int vpce_nl_principal_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_binding b;
	struct vpce_vpc *vpc;
	int ret;

	if (vpce_missing(info, VPCE_A_VPC, "missing the VPC's name") ||
	    vpce_missing(info, VPCE_A_PREFIX, "missing the prefix") ||
	    vpce_missing(info, VPCE_A_PRINCIPAL, "missing the principal"))
		return -EINVAL;
	ret = vpce_parse_prefix(info->attrs[VPCE_A_PREFIX], &b.prefix, &b.plen,
				info->extack);
	if (!ret)
		ret = vpce_parse_arn(info->attrs[VPCE_A_PRINCIPAL], &b.arn,
				     info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	vpc = vpce_nl_vpc(vn, info, VPCE_A_VPC);
	if (vpc)
		ret = vpce_binding_add(vn, vpc, &b, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static int vpce_nl_principal_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_addr prefix;
	struct vpce_vpc *vpc;
	u8 plen;
	int ret;

	if (vpce_missing(info, VPCE_A_VPC, "missing the VPC's name") ||
	    vpce_missing(info, VPCE_A_PREFIX, "missing the prefix"))
		return -EINVAL;
	ret = vpce_parse_prefix(info->attrs[VPCE_A_PREFIX], &prefix, &plen,
				info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	vpc = vpce_nl_vpc(vn, info, VPCE_A_VPC);
	if (vpc)
		ret = vpce_binding_del(vn, vpc, &prefix, plen, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

struct vpce_binding_ref {
	const struct vpce_vpc *vpc;
	const struct vpce_binding *b;
};

static int vpce_fill_binding(struct sk_buff *skb, struct vpce_net *vn,
			     const void *obj)
{
	const struct vpce_binding_ref *ref = obj;

	if (nla_put_string(skb, VPCE_A_VPC, ref->vpc->named.name) ||
	    vpce_put_prefix(skb, &ref->b->prefix, ref->b->plen) ||
	    nla_put_string(skb, VPCE_A_PRINCIPAL, ref->b->arn.text))
		return -EMSGSIZE;
	return 0;
}

/* Bindings of one VPC (VPCE_A_VPC) or of all; cursor as for targets. */
static int vpce_nl_principal_dump(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	const struct nlattr *filter = genl_dumpit_info(cb)->attrs[VPCE_A_VPC];
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct vpce_bindings *bs;
	struct vpce_binding_ref ref;
	const struct vpce_named *n;
	unsigned long vidx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (filter && !vpce_vpc_find(vn, nla_data(filter))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, filter, "no such VPC");
		ret = -ENOENT;
		goto out;
	}
	list_for_each_entry(n, &vn->vpcs.list, list) {
		if (vidx++ < cb->args[0])
			continue;
		ref.vpc = container_of(n, struct vpce_vpc, named);
		if (filter && strcmp(n->name, nla_data(filter)))
			goto next;
		bs = rcu_dereference_protected(ref.vpc->bindings,
					       lockdep_is_held(&vn->lock));
		for (; bs && cb->args[1] < bs->n; cb->args[1]++) {
			ref.b = &bs->b[cb->args[1]];
			ret = vpce_dump_one(skb, cb, VPCE_CMD_PRINCIPAL_GET,
					    vpce_fill_binding, vn, &ref);
			if (ret)
				goto out;
		}
next:
		cb->args[0] = vidx;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* Policies */

static int vpce_simulate_reply(struct genl_info *info,
			       const struct vpce_policy *p,
			       enum vpce_decision decision,
			       const unsigned long *matched)
{
	size_t size = nla_total_size(sizeof(u8)) + nla_total_size(0);
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	for_each_set_bit(i, matched, VPCE_POLICY_STATEMENTS_MAX)
		size += nla_total_size(strlen(vpce_policy_sid(p, i)) + 1);
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vpce_family, 0, info->genlhdr->cmd);
	if (!hdr || nla_put_u8(msg, VPCE_A_DECISION, decision))
		goto nospace;
	nest = nla_nest_start(msg, VPCE_A_MATCHED);
	if (!nest)
		goto nospace;
	for_each_set_bit(i, matched, VPCE_POLICY_STATEMENTS_MAX)
		if (nla_put_string(msg, i, vpce_policy_sid(p, i)))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * Compile the policy and evaluate the request exactly as the data path
 * does for a new flow, including the context keys it fills in itself. It
 * touches nothing of the namespace, so it takes no lock: with parallel_ops
 * one caller's simulation delays nobody else's command, and the step budget
 * bounds what each costs.
 */
static int vpce_nl_policy_simulate(struct sk_buff *skb, struct genl_info *info)
{
	DECLARE_BITMAP(matched, VPCE_POLICY_STATEMENTS_MAX);
	struct vpce_request *req;
	struct vpce_policy *p;
	int ret;

	if (vpce_missing(info, VPCE_A_POLICY, "missing the policy") ||
	    vpce_missing(info, VPCE_A_REQUEST, "missing the request"))
		return -EINVAL;
	p = vpce_policy_build(info->attrs[VPCE_A_POLICY],
			      info->attrs[VPCE_A_POLICY_TEXT], info->extack);
	if (IS_ERR(p))
		return PTR_ERR(p);
	/* Most of a KiB: not for a process's kernel stack. */
	req = kmalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!req)
		goto out;
	ret = vpce_request_parse(req, info->attrs[VPCE_A_REQUEST],
				 info->extack);
	if (ret)
		goto out;
	ret = vpce_request_add_principal(req);
	if (!ret)
		ret = vpce_request_add_time(req, ktime_get_real_seconds());
	if (ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_REQUEST],
				    "too many context keys or values");
		ret = -E2BIG;
		goto out;
	}
	ret = vpce_policy_eval(p, req, matched);
	if (ret < 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_POLICY],
				    "policy too complex to evaluate");
		goto out;
	}
	ret = vpce_simulate_reply(info, p, ret, matched);
out:
	kfree(req);
	vpce_policy_free(p);
	return ret;
}

/*
 * Flush: everything of the namespace goes, endpoints first (their flows end),
 * then services and their targets, then VPCs and their principal bindings.
 */
static int vpce_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_named *n, *tmp;
	int ret = 0;

	mutex_lock(&vn->lock);
	vpce_endpoints_flush(vn);
	list_for_each_entry_safe(n, tmp, &vn->services.list, list) {
		ret = vpce_service_del(vn, container_of(n, struct vpce_service,
							named), info->extack);
		if (WARN_ON_ONCE(ret))
			goto out;
	}
	list_for_each_entry_safe(n, tmp, &vn->vpcs.list, list) {
		ret = vpce_vpc_del(vn, container_of(n, struct vpce_vpc, named),
				   info->extack);
		if (WARN_ON_ONCE(ret))
			goto out;
	}
out:
	mutex_unlock(&vn->lock);
	return ret;
}

/* Flows */

/* The filters of VPCE_CMD_FLOW_GET and VPCE_CMD_FLOW_DEL; vn->lock held. */
static int vpce_flow_filter(struct vpce_net *vn, struct nlattr **attrs,
			    struct vpce_flow_match *m, struct vpce_zone_addr *za,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int ret;

	a = attrs[VPCE_A_NAME];
	if (a) {
		m->ep = vpce_endpoint_find(vn, nla_data(a));
		if (!m->ep) {
			NL_SET_ERR_MSG_ATTR(extack, a, "no such endpoint");
			return -ENOENT;
		}
	}
	a = attrs[VPCE_A_SERVICE];
	if (a) {
		m->svc = vpce_service_find(vn, nla_data(a));
		if (!m->svc) {
			NL_SET_ERR_MSG_ATTR(extack, a, "no such service");
			return -ENOENT;
		}
	}
	a = attrs[VPCE_A_ADDR];
	if (a) {
		ret = vpce_parse_addr(a, za, extack);
		if (ret)
			return ret;
		m->target = &za->addr;
	}
	return 0;
}

static int vpce_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	struct vpce_flow_match m = {};
	struct vpce_zone_addr za;
	int ret;

	if (vpce_conntrack) {
		NL_SET_ERR_MSG(cb->extack,
			       "flows are in conntrack (module parameter conntrack=1): see conntrack -L");
		return -EOPNOTSUPP;
	}
	vpce_dump_begin(cb, vn);
	ret = vpce_flow_filter(vn, genl_dumpit_info(cb)->attrs, &m, &za,
			       cb->extack);
	if (!ret)
		ret = vpce_conns_dump(skb, cb, vn, &m);
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

static int vpce_nl_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_flow_match m = { .quiet = true };
	struct vpce_zone_addr za;
	int ret;

	mutex_lock(&vn->lock);
	ret = vpce_flow_filter(vn, info->attrs, &m, &za, info->extack);
	if (!ret)
		vpce_flows_end(vn, &m);
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * One rule for every command, reads and dumps included: CAP_NET_ADMIN in the
 * user namespace that owns the network namespace, as WireGuard asks. The
 * objects of a namespace name every tenant's accounts, ARNs and addresses,
 * and even the simulator burns CPU, so nothing is open to other users; a
 * user namespace manages the network namespaces it owns, and no other.
 */
#define VPCE_OP(_cmd, _doit, _policy)					\
	{								\
		.cmd = _cmd,						\
		.doit = _doit,						\
		.policy = _policy,					\
		.maxattr = VPCE_A_MAX,					\
		.flags = GENL_UNS_ADMIN_PERM,				\
	}
#define VPCE_GET_OP(_cmd, _doit, _dumpit, _policy)			\
	{								\
		.cmd = _cmd,						\
		.doit = _doit,						\
		.dumpit = _dumpit,					\
		.policy = _policy,					\
		.maxattr = VPCE_A_MAX,					\
		.flags = GENL_UNS_ADMIN_PERM,				\
	}

static const struct genl_ops vpce_genl_ops[] = {
	VPCE_OP(VPCE_CMD_VPC_ADD, vpce_nl_vpc_add, vpce_vpc_add_policy),
	VPCE_OP(VPCE_CMD_VPC_DEL, vpce_nl_vpc_del, vpce_name_policy),
	VPCE_GET_OP(VPCE_CMD_VPC_GET, vpce_nl_vpc_get, vpce_nl_vpc_dump,
		    vpce_name_policy),
	VPCE_OP(VPCE_CMD_SERVICE_ADD, vpce_nl_service_add,
		vpce_service_add_policy),
	VPCE_OP(VPCE_CMD_SERVICE_DEL, vpce_nl_service_del, vpce_name_policy),
	VPCE_OP(VPCE_CMD_SERVICE_SET, vpce_nl_service_set,
		vpce_service_set_policy),
	{
		.cmd = VPCE_CMD_SERVICE_GET,
		.doit = vpce_nl_service_get,
		.start = vpce_nl_big_dump_start,
		.dumpit = vpce_nl_service_dump,
		.policy = vpce_name_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_TARGET_ADD, vpce_nl_target_add, vpce_target_policy),
	VPCE_OP(VPCE_CMD_TARGET_DEL, vpce_nl_target_del, vpce_target_policy),
	VPCE_OP(VPCE_CMD_TARGET_SET, vpce_nl_target_set,
		vpce_target_set_policy),
	VPCE_GET_OP(VPCE_CMD_TARGET_GET, NULL, vpce_nl_target_dump,
		    vpce_target_get_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_ADD, vpce_nl_endpoint_add,
		vpce_endpoint_add_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_DEL, vpce_nl_endpoint_del,
		vpce_name_policy),
	{
		.cmd = VPCE_CMD_ENDPOINT_GET,
		.doit = vpce_nl_endpoint_get,
		.start = vpce_nl_big_dump_start,
		.dumpit = vpce_nl_endpoint_dump,
		.policy = vpce_endpoint_get_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_ENDPOINT_SET, vpce_nl_endpoint_set,
		vpce_endpoint_set_nl_policy),
	VPCE_OP(VPCE_CMD_SERVICE_ALLOW, vpce_nl_service_allow,
		vpce_service_allow_policy),
	VPCE_OP(VPCE_CMD_SERVICE_DISALLOW, vpce_nl_service_disallow,
		vpce_service_allow_policy),
	VPCE_OP(VPCE_CMD_CONNECTION_ACCEPT, vpce_nl_connection_accept,
		vpce_connection_policy),
	VPCE_OP(VPCE_CMD_CONNECTION_REJECT, vpce_nl_connection_reject,
		vpce_connection_policy),
	VPCE_OP(VPCE_CMD_PRINCIPAL_ADD, vpce_nl_principal_add,
		vpce_principal_policy),
	VPCE_OP(VPCE_CMD_PRINCIPAL_DEL, vpce_nl_principal_del,
		vpce_principal_del_policy),
	VPCE_GET_OP(VPCE_CMD_PRINCIPAL_GET, NULL, vpce_nl_principal_dump,
		    vpce_principal_get_policy),
	{
		.cmd = VPCE_CMD_FLUSH,
		.doit = vpce_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_POLICY_SIMULATE, vpce_nl_policy_simulate,
		vpce_simulate_policy),
	VPCE_GET_OP(VPCE_CMD_STATS_GET, NULL, vpce_nl_stats_dump,
		    vpce_stats_get_policy),
	{
		.cmd = VPCE_CMD_FLOW_GET,
		.start = vpce_conns_dump_start,
		.dumpit = vpce_nl_flow_dump,
		.done = vpce_conns_dump_done,
		.policy = vpce_flow_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_FLOW_DEL, vpce_nl_flow_del, vpce_flow_policy),
};

static struct genl_family vpce_family __ro_after_init = {
	.name = VPCE_GENL_NAME,
	.version = VPCE_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = vpce_genl_ops,
	.n_ops = ARRAY_SIZE(vpce_genl_ops),
	.mcgrps = vpce_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vpce_mcgrps),
	/* Strict: reserved header bits and unknown attributes are refused. */
	.resv_start_op = 0,
	/*
	 * Not under genl_mutex, which every family of the host shares: each
	 * handler, dump batches included, serializes on its namespace's
	 * vn->lock, and the policy simulator needs no lock at all. Nothing
	 * else is shared but the extack ring (an atomic index) and what has
	 * locks of its own (counter blocks, conntrack zone ids). Dump
	 * start/done (vpce_conns_dump_start(), vpce_nl_big_dump_start())
	 * touch only their own netlink_callback.
	 */
	.parallel_ops = true,
};

int __init vpce_genl_init(void)
{
	return genl_register_family(&vpce_family);
}

void vpce_genl_uninit(void)
{
	genl_unregister_family(&vpce_family);
}
