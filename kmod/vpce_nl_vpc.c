// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * VPCs: VPCE_CMD_VPC_*.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>

/*
 * The VPC named by attribute @type, under vn->lock; NULL, the extack
 * saying why, if there is none. (vpce_nl_service() and vpce_nl_endpoint()
 * are the same for theirs.)
 */
struct vpce_vpc *vpce_nl_vpc(struct vpce_net *vn, struct genl_info *info,
			     int type)
{
	struct vpce_vpc *vpc = vpce_vpc_find(vn, nla_data(info->attrs[type]));

	if (!vpc)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "no such VPC");
	return vpc;
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

int vpce_nl_vpc_add(struct sk_buff *skb, struct genl_info *info)
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

int vpce_nl_vpc_del(struct sk_buff *skb, struct genl_info *info)
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

int vpce_nl_vpc_get(struct sk_buff *skb, struct genl_info *info)
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

int vpce_nl_vpc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));

	return vpce_dump_names(skb, cb, &vn->vpcs, VPCE_CMD_VPC_GET,
			       vpce_fill_vpc, offsetof(struct vpce_vpc, named));
}
