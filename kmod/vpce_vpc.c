// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * VPCs and the devices bound to them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_vpc.h"
#include "compat.h"
#include "vpce_flows.h"
#include "vpce_gateway.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_mcast.h"
#include "vpce_principal.h"

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_zones.h>

/*
 * vpce allocates conntrack zones from the top half of the 16-bit space, so
 * that the small zone numbers people use by hand in nftables rule sets stay
 * theirs.
 */
#define VPCE_CT_ZONE_MIN	0x8000
#define VPCE_CT_ZONE_END	0x10000

static const struct rhashtable_params vpce_devs_params = {
	.key_len = sizeof(int),
	.key_offset = offsetof(struct vpce_dev, ifindex),
	.head_offset = offsetof(struct vpce_dev, node),
	.automatic_shrinking = true,
};

static void vpce_gone_work(struct work_struct *work);
static void vpce_gone_flush(struct vpce_net *vn);

int vpce_vpcs_init(struct vpce_net *vn)
{
	int ret;

	idr_init(&vn->zones);
	vpce_mcast_init(vn);
	INIT_LIST_HEAD(&vn->gone_devs);
	INIT_WORK(&vn->gone_work, vpce_gone_work);
	ret = rhashtable_init(&vn->devs, &vpce_devs_params);
	if (ret)
		return ret;
	ret = vpce_names_init(&vn->vpcs);
	if (ret)
		rhashtable_destroy(&vn->devs);
	return ret;
}

struct vpce_vpc *vpce_vpc_find(struct vpce_net *vn, const char *name)
{
	struct vpce_named *n = vpce_names_find(&vn->vpcs, name);

	return n ? container_of(n, struct vpce_vpc, named) : NULL;
}

struct vpce_dev *vpce_dev_by_ifindex(struct vpce_net *vn, int ifindex)
{
	return rhashtable_lookup_fast(&vn->devs, &ifindex, vpce_devs_params);
}

struct vpce_dev *vpce_dev_by_zone(struct vpce_net *vn, u16 zone)
{
	return idr_find(&vn->zones, zone);
}

struct vpce_dev *vpce_dev_by_ct(struct vpce_net *vn, const struct nf_conn *ct)
{
	const struct nf_conntrack_zone *zone = nf_ct_zone(ct);

	if (zone->dir != NF_CT_ZONE_DIR_ORIG || zone->id < VPCE_CT_ZONE_MIN)
		return NULL;
	return idr_find(&vn->zones, zone->id);
}

static void vpce_dev_free_rcu(struct rcu_head *rcu)
{
	struct vpce_dev *d = container_of(rcu, struct vpce_dev, rcu);

	nf_ct_put(d->tmpl);
	kfree(d);
}

/*
 * Undo vpce_dev_alloc() for a device whose publication failed. The packet
 * path may have seen it, and a packet held between the raw hook and
 * conntrack may hold the template still: drop our reference, never free.
 */
static void vpce_dev_free(struct vpce_net *vn, struct vpce_dev *d)
{
	vpce_mcast_forget(d);
	idr_remove(&vn->zones, d->ct_zone);
	nf_ct_put(d->tmpl);
	kfree(d);
}

static struct vpce_dev *vpce_dev_alloc(struct vpce_net *vn, int ifindex,
				       struct vpce_vpc *vpc,
				       struct netlink_ext_ack *extack)
{
	struct nf_conntrack_zone zone;
	struct vpce_dev *d;
	int id;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	/* Reserve the zone now, publish the device in it later. Devices
	 * that went keep theirs until their flows are gone, so the zones can
	 * run out before VPCE_NET_DEVICES_MAX is reached.
	 */
	id = idr_alloc_cyclic(&vn->zones, NULL, VPCE_CT_ZONE_MIN,
			      VPCE_CT_ZONE_END, GFP_KERNEL);
	if (id < 0) {
		if (id == -ENOSPC)
			NL_SET_ERR_MSG(extack, "no conntrack zone is free");
		kfree(d);
		return ERR_PTR(id);
	}

	nf_ct_zone_init(&zone, id, NF_CT_ZONE_DIR_ORIG, 0);
	d->tmpl = nf_ct_tmpl_alloc(vn->net, &zone, GFP_KERNEL_ACCOUNT);
	if (!d->tmpl) {
		idr_remove(&vn->zones, id);
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	/* Templates are never inserted in the table; like xt_CT's, they
	 * count as confirmed so that conntrack never tries.
	 */
	__set_bit(IPS_CONFIRMED_BIT, &d->tmpl->status);
	d->mc = vpce_mc_set_new(ifindex);
	if (!d->mc) {
		nf_ct_put(d->tmpl);
		idr_remove(&vn->zones, id);
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	d->ifindex = ifindex;
	d->ct_zone = id;
	d->vpc = vpc;
	return d;
}

/*
 * Whether @ifindex may join a VPC: a device of this netns, unbound. Its
 * net_device in *@dev if asked for: it stays valid while vn->lock is held,
 * since its NETDEV_UNREGISTER notifier takes the lock too.
 */
static int vpce_dev_check(struct vpce_net *vn, int ifindex,
			  struct net_device **dev,
			  struct netlink_ext_ack *extack)
{
	struct net_device *found;

	rcu_read_lock();
	found = dev_get_by_index_rcu(vn->net, ifindex);
	rcu_read_unlock();
	if (dev)
		*dev = found;
	if (!found) {
		NL_SET_ERR_MSG_FMT(extack, "no such device (ifindex %d)",
				   ifindex);
		return -ENODEV;
	}
	if (vpce_dev_by_ifindex(vn, ifindex)) {
		NL_SET_ERR_MSG(extack, "device is already bound to a VPC");
		return -EBUSY;
	}
	return 0;
}

/*
 * The devices @ifindex[0..@n) of @vpc, checked, allocated and in
 * vpc->devs, not yet where the packet path looks: all of them or, with
 * the extack saying why, none.
 */
static int vpce_devs_new(struct vpce_net *vn, struct vpce_vpc *vpc,
			 const int *ifindex, unsigned int n,
			 struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct vpce_dev *d;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vpce_dev_check(vn, ifindex[i], &dev, extack);
		if (ret)
			goto err;
		d = vpce_dev_alloc(vn, ifindex[i], vpc, extack);
		if (IS_ERR(d)) {
			ret = PTR_ERR(d);
			goto err;
		}
		d->dev = dev;
		ret = xa_insert(&vpc->devs, ifindex[i], d, GFP_KERNEL_ACCOUNT);
		if (ret) {
			if (ret == -EBUSY)
				NL_SET_ERR_MSG(extack, "device given twice");
			vpce_dev_free(vn, d);
			goto err;
		}
	}
	return 0;

err:
	while (i--) {
		d = xa_erase(&vpc->devs, ifindex[i]);
		vpce_dev_free(vn, d);
	}
	return ret;
}

/* Undo vpce_devs_new() for devices never shown to the packet path. */
static void vpce_devs_forget(struct vpce_net *vn, struct vpce_vpc *vpc,
			     const int *ifindex, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vpce_dev_free(vn, xa_erase(&vpc->devs, ifindex[i]));
}

/*
 * Take @d out of its VPC: no packet finds it any more. Its zone stays
 * reserved, the flows in it still name it, until they are gone.
 */
static void vpce_dev_unbind(struct vpce_net *vn, struct vpce_dev *d)
{
	rhashtable_remove_fast(&vn->devs, &d->node, vpce_devs_params);
	xa_erase(&d->vpc->devs, d->ifindex);
	d->vpc->ndevs--;
	vn->ndevs--;
	if (d->mc)
		vpce_mcast_unbind(vn, d);
}

/* After vpce_dev_unbind() and the end of its flows. */
static void vpce_dev_release(struct vpce_net *vn, struct vpce_dev *d)
{
	idr_remove(&vn->zones, d->ct_zone);
	call_rcu(&d->rcu, vpce_dev_free_rcu);
}

/*
 * @d leaves its VPC under the RTNL, which the whole host's network
 * configuration waits on: its device goes away (@gone) or leaves the VPC's
 * VRF; or it was shown to the packet path by a change that then failed
 * (vpce_devs_publish()). It is unbound at once; its flows end later, in
 * the work, once for all the devices that left meanwhile, with no reset: a
 * device that went has no one to tell.
 */
static void vpce_dev_leave(struct vpce_net *vn, struct vpce_dev *d, bool gone)
{
	/* A device that goes takes its groups along. */
	if (gone)
		vpce_mcast_forget(d);
	vpce_dev_unbind(vn, d);
	WRITE_ONCE(d->gone, true);
	list_add_tail(&d->gone_node, &vn->gone_devs);
	schedule_work(&vn->gone_work);
	vpce_net_changed(vn);
}

/*
 * Everything is allocated; show the devices to the packet path. On failure
 * none of them stays bound: those not shown yet are freed, and those shown
 * leave as a device that goes away does.
 */
static int vpce_devs_publish(struct vpce_net *vn, struct vpce_vpc *vpc,
			     const int *ifindex, unsigned int n)
{
	struct vpce_dev *d;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		d = xa_load(&vpc->devs, ifindex[i]);
		ret = rhashtable_insert_fast(&vn->devs, &d->node,
					     vpce_devs_params);
		if (ret)
			goto err;
		idr_replace(&vn->zones, d, d->ct_zone);
		vpc->ndevs++;
		vn->ndevs++;
	}
	vpce_mcast_changed(vn, vpc);
	return 0;

err:
	vpce_devs_forget(vn, vpc, ifindex + i, n - i);
	/*
	 * A packet may have found a device that was shown, taken its zone and
	 * set up a flow in it, in conntrack or in vpce's own table; flows find
	 * their device by zone. Freeing the device and its zone now would
	 * leave such a flow to whichever device takes the zone next, so it
	 * waits on vn->gone_devs until the work has ended its flows, and an
	 * RCU grace period has passed.
	 */
	while (i--)
		vpce_dev_leave(vn, xa_load(&vpc->devs, ifindex[i]), false);
	return ret;
}

static int vpce_vpc_check_count(struct vpce_net *vn, struct vpce_vpc *vpc,
				unsigned int nadd, unsigned int ndel,
				struct netlink_ext_ack *extack)
{
	unsigned int have = vpc ? vpc->ndevs : 0;

	if (have + nadd - ndel > VPCE_DEVICES_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "a VPC has at most %u devices",
				   VPCE_DEVICES_MAX);
		return -E2BIG;
	}
	if (vn->ndevs + nadd - ndel > VPCE_NET_DEVICES_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "a namespace has at most %u devices in VPCs",
				   VPCE_NET_DEVICES_MAX);
		return -E2BIG;
	}
	return 0;
}

static struct vpce_vpc *vpce_vpc_by_vrf(struct vpce_net *vn, int vrf)
{
	struct vpce_named *n;
	struct vpce_vpc *vpc;

	if (!vrf)
		return NULL;
	list_for_each_entry(n, &vn->vpcs.list, list) {
		vpc = container_of(n, struct vpce_vpc, named);
		if (vpc->vrf == vrf)
			return vpc;
	}
	return NULL;
}

/*
 * The devices enslaved to VRF @vrf, into @out (VPCE_DEVICES_MAX of them at
 * most): how many, or an error. The RTNL held, which keeps them so.
 */
static int vpce_vrf_devs(struct vpce_net *vn, int vrf, int *out,
			 struct netlink_ext_ack *extack)
{
	struct net_device *master, *lower;
	struct list_head *iter;
	int n = 0;

	ASSERT_RTNL();
	master = __dev_get_by_index(vn->net, vrf);
	if (!master) {
		NL_SET_ERR_MSG(extack, "no such VRF device");
		return -ENODEV;
	}
	if (!netif_is_l3_master(master)) {
		NL_SET_ERR_MSG(extack, "the device is not a VRF");
		return -EINVAL;
	}
	if (vpce_vpc_by_vrf(vn, vrf)) {
		NL_SET_ERR_MSG(extack, "the VRF is bound to a VPC already");
		return -EBUSY;
	}
	netdev_for_each_lower_dev(master, lower, iter) {
		if (n == VPCE_DEVICES_MAX) {
			NL_SET_ERR_MSG_FMT(extack, "a VPC has at most %u devices",
					   VPCE_DEVICES_MAX);
			return -E2BIG;
		}
		out[n++] = lower->ifindex;
	}
	return n;
}

/* Undo what vpce_vpc_add() did so far: nothing is published. */
static void vpce_vpc_add_undo(struct vpce_vpc *vpc, int *vrf_devs)
{
	xa_destroy(&vpc->devs);
	kfree(vpc);
	kvfree(vrf_devs);
}

int vpce_vpc_add(struct vpce_net *vn, const struct vpce_vpc_config *cfg,
		 struct netlink_ext_ack *extack)
{
	const int *ifindex = cfg->ifindex;
	unsigned int ndevs = cfg->ndevs;
	int *vrf_devs = NULL;
	struct vpce_vpc *vpc;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (vpce_vpc_find(vn, cfg->name)) {
		NL_SET_ERR_MSG(extack, "a VPC with this name exists");
		return -EEXIST;
	}
	if (cfg->vrf) {
		vrf_devs = kvmalloc_array(VPCE_DEVICES_MAX, sizeof(int),
					  GFP_KERNEL);
		if (!vrf_devs)
			return -ENOMEM;
		ret = vpce_vrf_devs(vn, cfg->vrf, vrf_devs, extack);
		if (ret < 0) {
			kvfree(vrf_devs);
			return ret;
		}
		ifindex = vrf_devs;
		ndevs = ret;
	}
	ret = vpce_vpc_check_count(vn, NULL, ndevs, 0, extack);
	if (!ret) {
		ret = vpce_nat_hooks_enable(vn);
		if (ret)
			NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
	}
	if (ret) {
		kvfree(vrf_devs);
		return ret;
	}

	vpc = kzalloc(sizeof(*vpc), GFP_KERNEL_ACCOUNT);
	if (!vpc) {
		kvfree(vrf_devs);
		return -ENOMEM;
	}
	strscpy_pad(vpc->named.name, cfg->name, sizeof(vpc->named.name));
	vpc->account = cfg->account;
	vpc->vrf = cfg->vrf;
	vpce_arn_root(cfg->account, &vpc->owner);
	xa_init(&vpc->devs);
	ret = vpce_devs_new(vn, vpc, ifindex, ndevs, extack);
	if (ret)
		goto err_free;
	ret = vpce_names_add(&vn->vpcs, &vpc->named);
	if (ret)
		goto err_devs;
	ret = vpce_devs_publish(vn, vpc, ifindex, ndevs);
	if (ret)
		goto err_publish;
	kvfree(vrf_devs);
	vpce_net_changed(vn);
	return 0;

err_publish:
	/*
	 * Devices that were shown wait on vn->gone_devs, and point to the
	 * VPC: end their flows and free them now, then let the packet
	 * readers that found one through its zone finish, before the VPC
	 * goes (a walk of the flows under the RTNL, for a VRF's VPC: when
	 * memory ran out only). Nothing else was published.
	 */
	vpce_gone_flush(vn);
	synchronize_net();
	vpce_names_del(&vn->vpcs, &vpc->named);
	vpce_vpc_add_undo(vpc, vrf_devs);
	return ret;
err_devs:
	vpce_devs_forget(vn, vpc, ifindex, ndevs);
err_free:
	vpce_vpc_add_undo(vpc, vrf_devs);
	return ret;
}

/*
 * Bind the devices @add[0..@nadd) to @vpc and unbind @del[0..@ndel) from
 * it, all or nothing: a live VPC follows its VMs. Binding disturbs no flow.
 * Unbinding ends the flows that came in through the device, with a reset
 * to TCP clients (the device is still there to carry it), and no other.
 */
int vpce_vpc_set_devs(struct vpce_net *vn, struct vpce_vpc *vpc,
		      const int *add, unsigned int nadd,
		      const int *del, unsigned int ndel,
		      struct netlink_ext_ack *extack)
{
	struct vpce_flow_match m = { .leaving = true };
	struct vpce_dev *d, *tmp;
	LIST_HEAD(leaving);
	unsigned int i;
	int ret = 0;

	lockdep_assert_held(&vn->lock);

	if (vpc->vrf) {
		NL_SET_ERR_MSG(extack,
			       "the VPC's devices are its VRF's: enslave or release them");
		return -EINVAL;
	}
	/* The devices to unbind: each bound to this VPC, and only once. */
	for (i = 0; i < ndel; i++) {
		d = xa_load(&vpc->devs, del[i]);
		if (!d || d->leaving) {
			NL_SET_ERR_MSG_FMT(extack, d ?
					   "device given twice (ifindex %d)" :
					   "device %d is not bound to this VPC",
					   del[i]);
			ret = d ? -EINVAL : -ENOENT;
			break;
		}
		d->leaving = true;
	}
	if (!ret)
		ret = vpce_vpc_check_count(vn, vpc, nadd, ndel, extack);
	if (!ret)
		ret = vpce_devs_new(vn, vpc, add, nadd, extack);
	if (!ret)
		ret = vpce_devs_publish(vn, vpc, add, nadd);
	if (ret) {
		while (i--) {
			d = xa_load(&vpc->devs, del[i]);
			d->leaving = false;
		}
		return ret;
	}

	/* One walk of the flows for all of them. */
	for (i = 0; i < ndel; i++) {
		d = xa_load(&vpc->devs, del[i]);
		vpce_dev_unbind(vn, d);
		list_add_tail(&d->gone_node, &leaving);
	}
	if (ndel)
		vpce_flows_end(vn, &m);
	list_for_each_entry_safe(d, tmp, &leaving, gone_node) {
		list_del(&d->gone_node);
		vpce_dev_release(vn, d);
	}
	vpce_net_changed(vn);
	return 0;
}

static void vpce_vpc_free_rcu(struct rcu_head *rcu)
{
	struct vpce_vpc *vpc = container_of(rcu, struct vpce_vpc, rcu);

	vpce_bindings_free(rcu_dereference_protected(vpc->bindings, true));
	/* Left only when memory ran out as its last endpoint went. */
	vpce_gateway_table_free(rcu_dereference_protected(vpc->gateways, true));
	kfree(vpc);
}

/*
 * End the flows of the devices that went away and free them. The zone of
 * each stays reserved until then, so that no new device takes it while
 * flows of the old one are still in conntrack; and the devices' VPCs stay
 * too: freeing a VPC flushes first.
 */
static void vpce_gone_flush(struct vpce_net *vn)
{
	struct vpce_flow_match m = { .gone = true };
	struct vpce_dev *d, *tmp;

	lockdep_assert_held(&vn->lock);
	if (list_empty(&vn->gone_devs))
		return;
	vpce_flows_end(vn, &m);
	list_for_each_entry_safe(d, tmp, &vn->gone_devs, gone_node) {
		list_del(&d->gone_node);
		idr_remove(&vn->zones, d->ct_zone);
		call_rcu(&d->rcu, vpce_dev_free_rcu);
	}
}

static void vpce_gone_work(struct work_struct *work)
{
	struct vpce_net *vn = container_of(work, struct vpce_net, gone_work);

	mutex_lock(&vn->lock);
	vpce_gone_flush(vn);
	mutex_unlock(&vn->lock);
}

/* It has no endpoints, hence no flows. */
static void vpce_vpc_free(struct vpce_net *vn, struct vpce_vpc *vpc)
{
	struct vpce_dev *d;
	unsigned long i;

	vpce_gone_flush(vn);
	vpce_names_del(&vn->vpcs, &vpc->named);
	xa_for_each(&vpc->devs, i, d) {
		vpce_dev_unbind(vn, d);
		vpce_dev_release(vn, d);
	}
	xa_destroy(&vpc->devs);
	call_rcu(&vpc->rcu, vpce_vpc_free_rcu);
}

int vpce_vpc_del(struct vpce_net *vn, struct vpce_vpc *vpc,
		 struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);

	if (vpc->endpoint_count) {
		NL_SET_ERR_MSG(extack, "the VPC has endpoints");
		return -EBUSY;
	}
	if (vpc->sg_count) {
		NL_SET_ERR_MSG(extack, "the VPC has security groups");
		return -EBUSY;
	}
	vpce_vpc_free(vn, vpc);
	vpce_net_changed(vn);
	return 0;
}

/*
 * A bound device is going away (or moving to another namespace). Its
 * binding goes with it: the ifindex could otherwise be given to an unrelated
 * device later, which would silently join the VPC. The flows that came in
 * through it end, as their replies have nowhere to go.
 *
 * This runs under the RTNL, which the whole host's network configuration
 * waits on, and ending flows walks all of conntrack: so the device is only
 * unbound here (no packet finds it any more), and a work item ends its
 * flows later, once for all the devices that went meanwhile (a namespace
 * going away takes all its devices at once).
 */
void vpce_vpc_dev_gone(struct vpce_net *vn, int ifindex)
{
	struct vpce_vpc *vpc;
	struct vpce_dev *d;

	lockdep_assert_held(&vn->lock);

	d = vpce_dev_by_ifindex(vn, ifindex);
	if (d)
		vpce_dev_leave(vn, d, true);
	/* A VRF that goes has released its devices first. */
	vpc = vpce_vpc_by_vrf(vn, ifindex);
	if (vpc) {
		vpc->vrf = 0;
		vpce_net_changed(vn);
	}
}

/*
 * A device is being enslaved to a VRF (@info->linking) or released from
 * one. A VRF's VPC follows: it checks before (NETDEV_PRECHANGEUPPER, which
 * may refuse, the extack saying why) that the device may join, and binds
 * it after (NETDEV_CHANGEUPPER); a released device leaves, its flows
 * ended as a deleted device's are.
 */
static int vpce_vrf_event(struct vpce_net *vn, unsigned long event,
			  const struct netdev_notifier_changeupper_info *info)
{
	struct netlink_ext_ack *extack = info->info.extack;
	struct net_device *dev = info->info.dev;
	int ifindex = dev->ifindex;
	struct vpce_vpc *vpc;
	struct vpce_dev *d;
	int ret;

	if (!netif_is_l3_master(info->upper_dev))
		return 0;
	vpc = vpce_vpc_by_vrf(vn, info->upper_dev->ifindex);
	if (!vpc)
		return 0;
	if (!info->linking) {
		d = vpce_dev_by_ifindex(vn, ifindex);
		if (event == NETDEV_CHANGEUPPER && d && d->vpc == vpc)
			vpce_dev_leave(vn, d, false);
		return 0;
	}
	if (event == NETDEV_PRECHANGEUPPER) {
		ret = vpce_dev_check(vn, ifindex, NULL, extack);
		return ret ?: vpce_vpc_check_count(vn, vpc, 1, 0, extack);
	}
	/*
	 * Checked before, but vn->lock was let go since: a `vpc set` may have
	 * bound the device, or filled the VPC, meanwhile. An error here
	 * undoes the enslaving (__netdev_upper_dev_link()'s rollback).
	 */
	ret = vpce_vpc_check_count(vn, vpc, 1, 0, extack) ?:
	      vpce_devs_new(vn, vpc, &ifindex, 1, extack);
	if (ret)
		return ret;
	ret = vpce_devs_publish(vn, vpc, &ifindex, 1);
	if (ret)
		return ret;
	vpce_net_changed(vn);
	return 0;
}

/*
 * Set, under the RTNL, before the notifier goes away. Unregistering a netdev
 * notifier replays NETDEV_UNREGISTER for every device of every namespace
 * (call_netdevice_unregister_net_notifiers()), although none is going
 * away; taken at face value that would unbind every VPC device while the
 * packet path still runs, and a flow set up between the unbinding's walk
 * and the device's unpublishing would outlive the module in conntrack,
 * NATed to a target nothing tracks any more. The namespaces' exit, which
 * follows, ends every flow with the devices still bound.
 */
bool vpce_notifier_closing;

static int vpce_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpce_dev *bound;
	struct vpce_net *vn;
	int ret = 0;

	ASSERT_RTNL();
	if (vpce_notifier_closing)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_UNREGISTER:
		break;
	case NETDEV_UP:
	case NETDEV_CHANGEMTU:
		/* IPv6 may have made its state anew, without our groups. */
		vn = vpce_net(dev_net(dev));
		rcu_read_lock();
		bound = vpce_dev_by_ifindex(vn, dev->ifindex);
		rcu_read_unlock();
		if (!bound)
			return NOTIFY_DONE;
		break;
	case NETDEV_PRECHANGEUPPER:
	case NETDEV_CHANGEUPPER:
		/* Only a VRF's matter: no lock for bridges and bonds. */
		if (!netif_is_l3_master(((struct netdev_notifier_changeupper_info *)
					 ptr)->upper_dev))
			return NOTIFY_DONE;
		break;
	default:
		return NOTIFY_DONE;
	}
	vn = vpce_net(dev_net(dev));
	mutex_lock(&vn->lock);
	if (event == NETDEV_UNREGISTER) {
		vpce_vpc_dev_gone(vn, dev->ifindex);
	} else if (event == NETDEV_UP || event == NETDEV_CHANGEMTU) {
		bound = vpce_dev_by_ifindex(vn, dev->ifindex);
		if (bound)
			vpce_mcast_changed(vn, bound->vpc);
	} else {
		ret = vpce_vrf_event(vn, event, ptr);
	}
	mutex_unlock(&vn->lock);
	return notifier_from_errno(ret);
}

static struct notifier_block vpce_netdev_notifier = {
	.notifier_call = vpce_netdev_event,
};

/* Before vpce_vpcs_destroy(), without vn->lock (the works take it). */
void vpce_vpcs_stop(struct vpce_net *vn)
{
	cancel_work_sync(&vn->gone_work);
	vpce_mcast_close(vn);
}

int vpce_vpc_notifier_register(void)
{
	vpce_notifier_closing = false;
	return register_netdevice_notifier(&vpce_netdev_notifier);
}

void vpce_vpc_notifier_unregister(void)
{
	rtnl_lock();
	WRITE_ONCE(vpce_notifier_closing, true);
	rtnl_unlock();
	unregister_netdevice_notifier(&vpce_netdev_notifier);
}

/*
 * Namespace exit: endpoints are gone already. The caller has cancelled
 * vn->gone_work (vpce_vpcs_stop()).
 */
void vpce_vpcs_destroy(struct vpce_net *vn)
{
	struct vpce_named *n, *tmp;

	vpce_gone_flush(vn);
	list_for_each_entry_safe(n, tmp, &vn->vpcs.list, list)
		vpce_vpc_free(vn, container_of(n, struct vpce_vpc, named));
	vpce_names_destroy(&vn->vpcs);
	rhashtable_destroy(&vn->devs);
	idr_destroy(&vn->zones);
}
