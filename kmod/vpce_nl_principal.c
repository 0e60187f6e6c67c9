// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Principal bindings of VPCs (which source prefix acts as which
 * principal): VPCE_CMD_PRINCIPAL_*.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_arn.h"
#include "vpce_net.h"
#include "vpce_principal.h"
#include "vpce_vpc.h"

#include <linux/in.h>
#include <net/genetlink.h>
#include <net/sock.h>

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

int vpce_nl_principal_add(struct sk_buff *skb, struct genl_info *info)
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
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_VPC], info->extack);
	if (vpc)
		ret = vpce_binding_add(vn, vpc, &b, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_principal_del(struct sk_buff *skb, struct genl_info *info)
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
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_VPC], info->extack);
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
int vpce_nl_principal_dump(struct sk_buff *skb,
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
	if (filter && !vpce_nl_vpc(vn, filter, cb->extack)) {
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
