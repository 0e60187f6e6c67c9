// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Security groups: VPCE_CMD_SG_*, and the SGs of endpoints
 * (VPCE_CMD_ENDPOINT_SG_SET, VPCE_A_SGS).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "compat.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_sg.h"
#include "vpce_vpc.h"

#include <net/genetlink.h>
#include <net/sock.h>

#define VPCE_SG_POLICY_NAME \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, vpce_validate_name, VPCE_NAME_MAX)

static const struct nla_policy vpce_sg_rule_policy[VPCE_SG_RULE_A_MAX + 1] = {
	[VPCE_SG_RULE_A_PROTO] = { .type = NLA_U8 },
	[VPCE_SG_RULE_A_PORT_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[VPCE_SG_RULE_A_PORT_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
	[VPCE_SG_RULE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
	[VPCE_SG_RULE_A_SG] = VPCE_SG_POLICY_NAME,
};

const struct nla_policy vpce_sg_nl_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_SG_POLICY_NAME,
	[VPCE_A_VPC] = VPCE_SG_POLICY_NAME,
	[VPCE_A_SG_RULES] = NLA_POLICY_NESTED_ARRAY(vpce_sg_rule_policy),
	[VPCE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
	[VPCE_A_SGS] = { .type = NLA_NESTED },
};

static struct vpce_sg *vpce_nl_sg(struct vpce_net *vn,
				  const struct nlattr *attr,
				  struct netlink_ext_ack *extack)
{
	struct vpce_sg *sg = vpce_sg_find(vn, nla_data(attr));

	if (!sg)
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such security group");
	return sg;
}

/*
 * The SGs named by the array @array (strings), under vn->lock: at most
 * VPCE_ENDPOINT_SGS_MAX, into @sgs, their number into *@n.
 */
static int vpce_nl_sg_names(struct vpce_net *vn, const struct nlattr *array,
			    struct vpce_sg **sgs, unsigned int *n,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, array, rem) {
		if (*n == VPCE_ENDPOINT_SGS_MAX) {
			NL_SET_BAD_ATTR(extack, a);
			NL_SET_ERR_MSG_FMT(extack,
					   "an endpoint has at most %u security groups",
					   VPCE_ENDPOINT_SGS_MAX);
			return -E2BIG;
		}
		if (nla_len(a) < 2 || nla_len(a) > VPCE_NAME_MAX + 1 ||
		    strnlen(nla_data(a), nla_len(a)) != nla_len(a) - 1 ||
		    vpce_validate_name(a, extack))
			return -EINVAL;
		sgs[*n] = vpce_nl_sg(vn, a, extack);
		if (!sgs[*n])
			return -ENOENT;
		(*n)++;
	}
	return 0;
}

int vpce_nl_ep_sgs(struct vpce_net *vn, const struct nlattr *array,
		   const struct vpce_vpc *vpc, struct vpce_ep_sgs **out,
		   struct netlink_ext_ack *extack)
{
	struct vpce_sg *sgs[VPCE_ENDPOINT_SGS_MAX];
	unsigned int n;
	int ret;

	*out = NULL;
	if (!array)
		return 0;
	ret = vpce_nl_sg_names(vn, array, sgs, &n, extack);
	if (ret)
		return ret;
	return vpce_ep_sgs_build(sgs, n, vpc, out, extack);
}

int vpce_put_ep_sgs(struct sk_buff *skb, const struct vpce_endpoint *ep)
{
	const struct vpce_ep_sgs *sgs;
	struct nlattr *nest;
	unsigned int i;

	if (ep->type == VPCE_TYPE_GATEWAY)
		return 0;
	sgs = rcu_dereference_protected(ep->sgs, true);
	if (!sgs)
		return 0;
	nest = nla_nest_start(skb, VPCE_A_SGS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < sgs->n; i++)
		if (nla_put_string(skb, i, sgs->sg[i]->named.name))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int vpce_nl_sg_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_vpc *vpc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the security group's name") ||
	    vpce_missing(info, VPCE_A_VPC, "missing the security group's VPC"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_VPC], info->extack);
	if (vpc)
		ret = vpce_sg_add(vn, nla_data(info->attrs[VPCE_A_NAME]), vpc,
				  info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_sg_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_sg *sg;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the security group's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	sg = vpce_nl_sg(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (sg)
		ret = vpce_sg_del(vn, sg, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

/* Rules */

static int vpce_nl_sg_rule(struct vpce_net *vn, const struct nlattr *nest,
			   struct vpce_sg_rule *r, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_SG_RULE_A_MAX + 1];
	struct nlattr *lo, *hi;
	int ret;

	ret = nla_parse_nested(tb, VPCE_SG_RULE_A_MAX, nest,
			       vpce_sg_rule_policy, extack);
	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	if (!tb[VPCE_SG_RULE_A_PROTO]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a rule needs a protocol");
		return -EINVAL;
	}
	r->proto = nla_get_u8(tb[VPCE_SG_RULE_A_PROTO]);
	if (r->proto && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_SG_RULE_A_PROTO],
				    "a rule's protocol is tcp, udp or all");
		return -EINVAL;
	}
	lo = tb[VPCE_SG_RULE_A_PORT_MIN];
	hi = tb[VPCE_SG_RULE_A_PORT_MAX];
	r->port_max = 65535;
	if (!!lo != !!hi ||
	    (lo && nla_get_u16(lo) > nla_get_u16(hi))) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a rule's port range is MIN-MAX, 1 <= MIN <= MAX <= 65535");
		return -EINVAL;
	}
	if (lo) {
		r->port_min = nla_get_u16(lo);
		r->port_max = nla_get_u16(hi);
	}
	if (!!tb[VPCE_SG_RULE_A_PREFIX] == !!tb[VPCE_SG_RULE_A_SG]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a rule is from a prefix or from a security group");
		return -EINVAL;
	}
	if (tb[VPCE_SG_RULE_A_SG]) {
		r->ref = vpce_nl_sg(vn, tb[VPCE_SG_RULE_A_SG], extack);
		return r->ref ? 0 : -ENOENT;
	}
	return vpce_parse_prefix(tb[VPCE_SG_RULE_A_PREFIX], &r->src.addr,
				 &r->src.plen, extack);
}

static int vpce_nl_sg_rules(struct genl_info *info, bool add)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	const struct nlattr *array, *a;
	struct vpce_sg_rule *rules;
	struct vpce_sg *sg;
	u32 n = 0, i = 0;
	int rem, ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the security group's name") ||
	    vpce_missing(info, VPCE_A_SG_RULES, "missing the rules"))
		return -EINVAL;
	array = info->attrs[VPCE_A_SG_RULES];
	nla_for_each_nested(a, array, rem)
		n++;
	if (!n || n > VPCE_SG_RULES_MAX) {
		NL_SET_BAD_ATTR(info->extack, array);
		NL_SET_ERR_MSG_FMT(info->extack, "1 to %u rules at a time",
				   VPCE_SG_RULES_MAX);
		return -EINVAL;
	}
	rules = kvmalloc_array(n, sizeof(*rules), GFP_KERNEL_ACCOUNT);
	if (!rules)
		return -ENOMEM;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	sg = vpce_nl_sg(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (!sg)
		goto out;
	nla_for_each_nested(a, array, rem) {
		ret = vpce_nl_sg_rule(vn, a, &rules[i++], info->extack);
		if (ret)
			goto out;
	}
	if (add)
		ret = vpce_sg_rules_add(vn, sg, rules, n, info->extack);
	else
		ret = vpce_sg_rules_del(vn, sg, rules, n, info->extack);
out:
	mutex_unlock(&vn->lock);
	kvfree(rules);
	return ret;
}

int vpce_nl_sg_rule_add(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_sg_rules(info, true);
}

int vpce_nl_sg_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_sg_rules(info, false);
}

/* Members */

static int vpce_nl_sg_member(struct genl_info *info, bool add)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_prefix p;
	struct vpce_sg *sg;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the security group's name") ||
	    vpce_missing(info, VPCE_A_PREFIX, "missing the member's prefix"))
		return -EINVAL;
	ret = vpce_parse_prefix(info->attrs[VPCE_A_PREFIX], &p.addr, &p.plen,
				info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	sg = vpce_nl_sg(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (sg && add)
		ret = vpce_sg_member_add(vn, sg, &p, info->extack);
	else if (sg)
		ret = vpce_sg_member_del(vn, sg, &p, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_sg_member_add(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_sg_member(info, true);
}

int vpce_nl_sg_member_del(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_sg_member(info, false);
}

/* An endpoint's SGs */

int vpce_nl_endpoint_sg_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	struct vpce_ep_sgs *sgs;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name") ||
	    vpce_missing(info, VPCE_A_SGS, "missing the security groups"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (!ep)
		goto out;
	ret = -EINVAL;
	if (ep->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(info->extack,
			       "a gateway endpoint has no security groups");
		goto out;
	}
	ret = vpce_nl_ep_sgs(vn, info->attrs[VPCE_A_SGS], ep->vpc, &sgs,
			     info->extack);
	if (!ret) {
		vpce_endpoint_set_sgs(vn, ep, sgs);
		vpce_event_endpoint(vn, VPCE_EVENT_SGS, ep);
	}
out:
	mutex_unlock(&vn->lock);
	return ret;
}

/* Dumps: an SG's rules and members may take many messages */

static int vpce_put_sg_prefix(struct sk_buff *skb, int type,
			      const struct vpce_prefix *p)
{
	const struct vpce_addr *a = &p->addr;
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((a->family == AF_INET ?
	     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, a->in.ip) :
	     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &a->in.in6)) ||
	    nla_put_u8(skb, VPCE_ADDR_A_PREFIX_LEN, p->plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vpce_put_sg_rule(struct sk_buff *skb, int type,
			    const struct vpce_sg_rule *r)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, VPCE_SG_RULE_A_PROTO, r->proto) ||
	    (r->port_min &&
	     (nla_put_u16(skb, VPCE_SG_RULE_A_PORT_MIN, r->port_min) ||
	      nla_put_u16(skb, VPCE_SG_RULE_A_PORT_MAX, r->port_max))) ||
	    (r->ref ?
	     nla_put_string(skb, VPCE_SG_RULE_A_SG, r->ref->named.name) :
	     vpce_put_sg_prefix(skb, VPCE_SG_RULE_A_PREFIX, &r->src))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * From *@pos on, as many of @n items as fit, in the array @type (left out
 * when none fit); *@pos moves past them. Their number.
 */
static u32 vpce_put_sg_items(struct sk_buff *skb, int type, u32 *pos, u32 n,
			     const struct vpce_sg *sg, bool rules)
{
	struct nlattr *nest;
	u32 i;

	if (*pos >= n)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return 0;
	for (i = *pos; i < n; i++)
		if (rules ? vpce_put_sg_rule(skb, i & 0x7fff, &sg->rules[i]) :
		    vpce_put_sg_prefix(skb, i & 0x7fff, &sg->members[i]))
			break;
	if (i == *pos) {
		nla_nest_cancel(skb, nest);
		return 0;
	}
	nla_nest_end(skb, nest);
	n = i - *pos;
	*pos = i;
	return n;
}

/*
 * One SG's messages: 0 once all of it is in @skb, -EMSGSIZE when @skb is
 * full first (cb->args[1] and [2], the next rule and member, say where
 * the next batch goes on). Every message names its SG; the reader joins
 * the rules and members of consecutive ones.
 */
static int vpce_sg_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			    const struct vpce_sg *sg)
{
	u32 rpos = cb->args[1], mpos = cb->args[2], put;
	void *hdr;

	do {
		hdr = vpce_dump_put(skb, cb, VPCE_CMD_SG_GET);
		if (!hdr)
			return -EMSGSIZE;
		if (nla_put_string(skb, VPCE_A_NAME, sg->named.name) ||
		    nla_put_string(skb, VPCE_A_VPC, sg->vpc->named.name) ||
		    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, sg->users)) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		put = vpce_put_sg_items(skb, VPCE_A_SG_RULES, &rpos,
					sg->nrules, sg, true);
		if (rpos == sg->nrules)
			put += vpce_put_sg_items(skb, VPCE_A_SG_MEMBERS, &mpos,
						 sg->nmembers, sg, false);
		/* The first message says the SG exists even when empty. */
		if (!put && (rpos < sg->nrules || mpos < sg->nmembers ||
			     cb->args[1] || cb->args[2])) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
		cb->args[1] = rpos;
		cb->args[2] = mpos;
	} while (rpos < sg->nrules || mpos < sg->nmembers);
	return 0;
}

/* All SGs, or with VPCE_A_NAME one. */
int vpce_nl_sg_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	const struct nlattr *only = info->attrs[VPCE_A_NAME];
	const struct vpce_named *n;
	unsigned long pos = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (only && !cb->args[0] && !vpce_nl_sg(vn, only, cb->extack)) {
		ret = -ENOENT;
		goto out;
	}
	list_for_each_entry(n, &vn->sgs.list, list) {
		if (pos++ < cb->args[0])
			continue;
		if (!only || !strcmp(n->name, nla_data(only))) {
			ret = vpce_sg_dump_one(skb, cb,
					       container_of(n, struct vpce_sg,
							    named));
			if (ret)
				goto out;
		}
		cb->args[0] = pos;
		cb->args[1] = 0;
		cb->args[2] = 0;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}
