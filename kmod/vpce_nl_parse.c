// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * What the requests of the "vpce" family hold, below the level of a
 * command: the validators of names, zones and DNS names that policies run,
 * the policies of nested attributes (devices, listeners, addresses,
 * prefixes; a health check's are vpce_nl_hc.c's), and the parsers every handler
 * shares, from a nested attribute to the struct an object takes. The
 * commands' own policies, the ops table and the family are in vpce_nl.c.
 *
 * Genetlink validates a message against its command's policy before a
 * handler runs; what is parsed here has passed that, so a parser checks
 * only what a policy cannot say (one address or the other, unicast, which
 * nested attributes are required together) and names it in the extack.
 */

#include "vpce_nl.h"
#include "vpce_addr.h"
#include "vpce_arn.h"
#include "vpce_epid.h"
#include "vpce_principal.h"

#include <linux/in.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

static bool vpce_valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!vpce_ascii_alnum(*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

int vpce_validate_name(const struct nlattr *attr,
		       struct netlink_ext_ack *extack)
{
	if (vpce_valid_name(nla_data(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "names are 1-64 characters of A-Z a-z 0-9 . _ -");
	return -EINVAL;
}

int vpce_validate_endpoint_id(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	struct vpce_epid id;

	if (vpce_epid_parse(nla_data(attr), &id))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "an endpoint ID is vpce- and 17 lowercase hex digits");
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

const struct nla_policy vpce_dev_policy[VPCE_DEV_A_MAX + 1] = {
	[VPCE_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy vpce_listener_policy[VPCE_LISTENER_A_MAX + 1] = {
	/* A range, not a validation function: the policy dump reads integer
	 * policies as ranges.
	 */
	[VPCE_LISTENER_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP,
						   IPPROTO_UDP),
	[VPCE_LISTENER_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[VPCE_LISTENER_A_TARGET_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy vpce_addr_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VPCE_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VPCE_ADDR_A_ZONE] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						    vpce_validate_zone,
						    VPCE_ZONE_MAX),
};

const struct nla_policy vpce_prefix_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VPCE_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VPCE_ADDR_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
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

int vpce_validate_dns(const struct nlattr *attr,
		      struct netlink_ext_ack *extack)
{
	if (vpce_valid_dns(nla_data(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "not a DNS name (labels of A-Z a-z 0-9 -, optionally *. first)");
	return -EINVAL;
}

/*
 * A required attribute is missing: say which, both as a message for people
 * and as NLMSGERR_ATTR_MISS_TYPE for programs.
 */
bool vpce_missing(struct genl_info *info, int type, const char *msg)
{
	if (info->attrs[type])
		return false;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	/* What NL_SET_ERR_MSG() does, for a literal passed by the caller. */
	info->extack->_msg = msg;
	return true;
}

/* Parse one address (already validated against vpce_addr_policy). */
int vpce_parse_addr(const struct nlattr *nest, struct vpce_zone_addr *za,
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
 * Parse a nested array of addresses into @out; at least one, at most @max
 * (VPCE_ADDRS_MAX, one per zone and family, or VPCE_NLBS_MAX).
 */
int vpce_parse_addrs(const struct nlattr *array,
		     struct vpce_zone_addr *out, u8 *n, unsigned int max,
		     struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, ret;

	*n = 0;
	nla_for_each_nested(a, array, rem) {
		if (*n == max) {
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

u8 vpce_parse_type(struct genl_info *info)
{
	if (info->attrs[VPCE_A_TYPE])
		return nla_get_u8(info->attrs[VPCE_A_TYPE]);
	return VPCE_TYPE_INTERFACE;
}

/*
 * An attribute that the object's type does not take: say so, naming the
 * attribute, rather than ignore it.
 */
bool vpce_refused(struct genl_info *info, int type, const char *msg)
{
	if (!info->attrs[type])
		return false;
	NL_SET_BAD_ATTR(info->extack, info->attrs[type]);
	info->extack->_msg = msg;
	return true;
}

int vpce_parse_arn(const struct nlattr *attr, struct vpce_arn *arn,
		   struct netlink_ext_ack *extack)
{
	if (!vpce_arn_parse(nla_data(attr), arn))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "a principal is *, an account, an IAM root, user or role ARN, or an STS assumed-role or federated-user ARN");
	return -EINVAL;
}

int vpce_parse_prefix(const struct nlattr *nest, struct vpce_addr *a,
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
int vpce_parse_prefixes(const struct nlattr *array,
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
