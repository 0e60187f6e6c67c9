// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * VPCs: VPCE_CMD_VPC_*.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"
#include "vpce_nl.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

static int vpce_fill_vpc(struct sk_buff *skb, struct vpce_net *vn,
			 const void *obj)
{
	const struct vpce_vpc *vpc = obj;
	struct net_device *dev;
	struct nlattr *vrf;
	int ret = 0;

	if (nla_put_string(skb, VPCE_A_NAME, vpc->named.name) ||
	    nla_put_u64_64bit(skb, VPCE_A_ACCOUNT, vpc->account, VPCE_A_PAD) ||
	    nla_put_u32(skb, VPCE_A_DEVICE_COUNT, vpc->ndevs) ||
	    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, vpc->endpoint_count))
		return -EMSGSIZE;
	if (!vpc->vrf)
		return 0;
	vrf = nla_nest_start(skb, VPCE_A_VRF);
	if (!vrf || nla_put_u32(skb, VPCE_DEV_A_IFINDEX, vpc->vrf))
		return -EMSGSIZE;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(vn->net, vpc->vrf);
	if (dev && nla_put_string(skb, VPCE_DEV_A_NAME, dev->name))
		ret = -EMSGSIZE;
	rcu_read_unlock();
	if (!ret)
		nla_nest_end(skb, vrf);
	return ret;
}

/* One device of a VPC: a VPCE_CMD_DEV_GET message. */
static int vpce_fill_dev(struct sk_buff *skb, struct vpce_net *vn,
			 const void *obj)
{
	const struct vpce_dev *d = obj;
	struct nlattr *devs, *nest;
	struct net_device *dev;
	int ret = -EMSGSIZE;

	if (nla_put_string(skb, VPCE_A_VPC, d->vpc->named.name))
		return -EMSGSIZE;
	devs = nla_nest_start(skb, VPCE_A_DEVICES);
	if (!devs)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, 0);
	if (!nest ||
	    nla_put_u32(skb, VPCE_DEV_A_IFINDEX, d->ifindex) ||
	    nla_put_u16(skb, VPCE_DEV_A_CT_ZONE, d->ct_zone))
		return -EMSGSIZE;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(vn->net, d->ifindex);
	if (!dev || !nla_put_string(skb, VPCE_DEV_A_NAME, dev->name))
		ret = 0;
	rcu_read_unlock();
	if (ret)
		return ret;
	nla_nest_end(skb, nest);
	nla_nest_end(skb, devs);
	return 0;
}

/*
 * The ifindexes of the nested array @array (VPCE_DEV_A_*), at most
 * VPCE_DEVICES_MAX, into a new array at *@out (kvfree() it); how many, or
 * an error.
 */
static int vpce_parse_devs(struct genl_info *info, const struct nlattr *array,
			   int **out)
{
	struct nlattr *tb[VPCE_DEV_A_MAX + 1];
	const struct nlattr *a;
	int rem, ret, n = 0;
	int *ifindex;

	*out = NULL;
	if (!array)
		return 0;
	ifindex = kvmalloc_array(VPCE_DEVICES_MAX, sizeof(*ifindex),
				 GFP_KERNEL);
	if (!ifindex)
		return -ENOMEM;
	nla_for_each_nested(a, array, rem) {
		if (n == VPCE_DEVICES_MAX) {
			NL_SET_BAD_ATTR(info->extack, a);
			NL_SET_ERR_MSG_FMT(info->extack,
					   "a VPC has at most %u devices",
					   VPCE_DEVICES_MAX);
			ret = -E2BIG;
			goto err;
		}
		ret = nla_parse_nested(tb, VPCE_DEV_A_MAX, a, vpce_dev_policy,
				       info->extack);
		if (ret)
			goto err;
		if (!tb[VPCE_DEV_A_IFINDEX]) {
			NL_SET_ERR_ATTR_MISS(info->extack, a,
					     VPCE_DEV_A_IFINDEX);
			NL_SET_ERR_MSG(info->extack,
				       "a device needs its ifindex");
			ret = -EINVAL;
			goto err;
		}
		ifindex[n++] = nla_get_u32(tb[VPCE_DEV_A_IFINDEX]);
	}
	*out = ifindex;
	return n;

err:
	kvfree(ifindex);
	return ret;
}

/* VPCE_A_VRF: a VRF device, instead of a list of devices. */
static int vpce_parse_vrf(struct genl_info *info, int *vrf)
{
	struct nlattr *tb[VPCE_DEV_A_MAX + 1];
	int ret;

	if (info->attrs[VPCE_A_DEVICES]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_VRF],
				    "a VPC has a VRF or a list of devices, not both");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, VPCE_DEV_A_MAX, info->attrs[VPCE_A_VRF],
			       vpce_dev_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[VPCE_DEV_A_IFINDEX]) {
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[VPCE_A_VRF],
				     VPCE_DEV_A_IFINDEX);
		NL_SET_ERR_MSG(info->extack, "the VRF needs its ifindex");
		return -EINVAL;
	}
	*vrf = nla_get_u32(tb[VPCE_DEV_A_IFINDEX]);
	return 0;
}

int vpce_nl_vpc_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_vpc_config cfg = {};
	int *ifindex, n, ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the VPC's name") ||
	    vpce_missing(info, VPCE_A_ACCOUNT, "missing the VPC's account"))
		return -EINVAL;
	cfg.name = nla_data(info->attrs[VPCE_A_NAME]);
	cfg.account = nla_get_u64(info->attrs[VPCE_A_ACCOUNT]);
	if (info->attrs[VPCE_A_VRF]) {
		ret = vpce_parse_vrf(info, &cfg.vrf);
		if (ret)
			return ret;
	}
	n = vpce_parse_devs(info, info->attrs[VPCE_A_DEVICES], &ifindex);
	if (n < 0)
		return n;
	if (!n && info->attrs[VPCE_A_DEVICES]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_DEVICES],
				    "an empty list of devices");
		kvfree(ifindex);
		return -EINVAL;
	}
	cfg.ifindex = ifindex;
	cfg.ndevs = n;

	/* A VRF's devices are read under the RTNL, taken first as in the
	 * netdev notifier, so that none is enslaved or released meanwhile.
	 */
	if (cfg.vrf)
		rtnl_lock();
	mutex_lock(&vn->lock);
	ret = vpce_vpc_add(vn, &cfg, info->extack);
	mutex_unlock(&vn->lock);
	if (cfg.vrf)
		rtnl_unlock();
	kvfree(ifindex);
	return ret;
}

int vpce_nl_vpc_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	int *add, *del, nadd, ndel, ret;
	struct vpce_vpc *vpc;

	if (vpce_missing(info, VPCE_A_NAME, "missing the VPC's name"))
		return -EINVAL;
	if (!info->attrs[VPCE_A_DEVICES] && !info->attrs[VPCE_A_DEVICES_DEL]) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	nadd = vpce_parse_devs(info, info->attrs[VPCE_A_DEVICES], &add);
	if (nadd < 0)
		return nadd;
	ndel = vpce_parse_devs(info, info->attrs[VPCE_A_DEVICES_DEL], &del);
	if (ndel < 0) {
		kvfree(add);
		return ndel;
	}

	mutex_lock(&vn->lock);
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_NAME], info->extack);
	ret = vpc ? vpce_vpc_set_devs(vn, vpc, add, nadd, del, ndel,
				      info->extack) : -ENOENT;
	mutex_unlock(&vn->lock);
	kvfree(add);
	kvfree(del);
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
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_NAME], info->extack);
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
	vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_NAME], info->extack);
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

/*
 * The devices, one message each: a VPC may have thousands, more than one
 * message holds. cb->args[0] is the position of the VPC, cb->args[1] the
 * ifindex to go on from; the generation flags a dump that raced a change.
 */
int vpce_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	const struct nlattr *only = info->attrs[VPCE_A_VPC];
	const struct vpce_named *n;
	struct vpce_vpc *vpc;
	unsigned long pos = 0;
	struct vpce_dev *d;
	unsigned long i;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	list_for_each_entry(n, &vn->vpcs.list, list) {
		if (pos++ < cb->args[0])
			continue;
		vpc = container_of(n, struct vpce_vpc, named);
		if (only && strcmp(vpc->named.name, nla_data(only)))
			goto next;
		xa_for_each_start(&vpc->devs, i, d, cb->args[1]) {
			ret = vpce_dump_one(skb, cb, VPCE_CMD_DEV_GET,
					    vpce_fill_dev, vn, d);
			if (ret)
				goto out;
			cb->args[1] = i + 1;
		}
next:
		cb->args[0] = pos;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}
