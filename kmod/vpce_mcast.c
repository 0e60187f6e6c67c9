// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Solicited-node groups for IPv6 endpoint addresses. A VM resolves an
 * endpoint address with a neighbour solicitation sent to the address's
 * solicited-node group (ff02::1:ffXX:XXXX, RFC 4291), and only stations
 * that joined the group get it: virtio and physical NICs filter multicast,
 * and a bridge with MLD snooping forwards a group only where it was
 * joined. An endpoint address is on no interface, so nothing joins its
 * group unless vpce does: it joins, on every device of the VPC, the group
 * of each IPv6 endpoint address of the VPC, as the kernel does for an
 * address of its own (ipv6_dev_mc_inc(), which reports the group with MLD
 * too), and leaves it when the address or the device goes.
 *
 * The IPv6 stack counts the users of a group, which the device's own
 * addresses may share (a group is named by 24 bits of an address): each
 * device keeps the groups vpce joined (struct vpce_mc_set), so that vpce
 * leaves exactly those. Leaving wants the RTNL, which comes before
 * vn->lock; the changes happen under vn->lock alone, so they only mark
 * what is to be done, and a work item does it, RTNL first. The groups
 * follow a change within moments: nothing waits for them but VMs that
 * solicit.
 *
 * The RTNL is the whole host's: every `ip` command and every device's
 * coming and going waits while it is held, and a VPC may have 4,096
 * devices, each with a group per IPv6 endpoint address. So the work joins
 * and leaves at most VPCE_MCAST_BATCH groups under one hold, then lets
 * the RTNL go and queues itself again for the rest. Between runs the
 * configuration may change: a VPC keeps where its work stopped
 * (vpc->mc_next, an ifindex), which a change of the VPC resets, and a
 * device that went is no longer in vpc->devs (its groups are left from
 * vn->mc_leaving). Every join or leave moves a device's groups toward what
 * is wanted, so each run gets further, however the work is cut.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_mcast.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>

#define VPCE_MCAST_KEY_MASK	0xffffff
/* Joins and leaves under one hold of the RTNL. */
#define VPCE_MCAST_BATCH	256

static void vpce_mcast_work(struct work_struct *work);

int vpce_mcast_init(struct vpce_net *vn)
{
	INIT_LIST_HEAD(&vn->mc_leaving);
	INIT_WORK(&vn->mc_work, vpce_mcast_work);
	return 0;
}

/* Allocated with its device, so that unbinding it never fails. */
struct vpce_mc_set *vpce_mc_set_new(int ifindex)
{
	struct vpce_mc_set *set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);

	if (!set)
		return NULL;
	INIT_LIST_HEAD(&set->node);
	set->ifindex = ifindex;
	xa_init(&set->keys);
	return set;
}

static void vpce_mc_set_free(struct vpce_mc_set *set)
{
	xa_destroy(&set->keys);
	kfree(set);
}

static void vpce_mcast_group(unsigned long key, struct in6_addr *group)
{
	ipv6_addr_set(group, htonl(0xff020000), 0, htonl(1),
		      htonl(0xff000000 | key));
}

/*
 * The groups @vpc's endpoint addresses want, as keys in @want. False when
 * memory ran out: @want is then short, and nothing may be left for want
 * of it.
 */
static bool vpce_mcast_wanted(struct vpce_net *vn, const struct vpce_vpc *vpc,
			      struct xarray *want)
{
	const struct vpce_endpoint *ep;
	const struct vpce_named *n;
	const struct vpce_addr *a;
	unsigned long key;
	unsigned int i;

	list_for_each_entry(n, &vn->endpoints.list, list) {
		ep = container_of(n, struct vpce_endpoint, named);
		if (ep->vpc != vpc)
			continue;
		for (i = 0; i < ep->naddrs; i++) {
			a = &vpce_endpoint_addrs(ep)->a[i].key.addr;
			if (a->family != AF_INET6)
				continue;
			key = ntohl(a->in.ip6[3]) & VPCE_MCAST_KEY_MASK;
			if (xa_err(xa_store(want, key, xa_mk_value(1),
					    GFP_KERNEL)))
				return false;
		}
	}
	return true;
}

/*
 * Bring @set's groups to @want (NULL: none); @whole: @want is complete, so
 * what it lacks may be left. Each join and leave takes one of *@budget:
 * false when it ran out before @set was done. A join that fails takes
 * none, so that a device without IPv6 never holds the work up.
 */
static bool vpce_mcast_apply(struct vpce_net *vn, struct vpce_mc_set *set,
			     struct xarray *want, bool whole,
			     unsigned int *budget)
{
	struct net_device *dev;
	struct in6_addr group;
	unsigned long key;
	void *v;

	ASSERT_RTNL();
	if (!want && xa_empty(&set->keys))
		return true;
	dev = __dev_get_by_index(vn->net, set->ifindex);
	/* Its IPv6 state was made anew: what was joined went with the old. */
	if (dev && set->idev != __in6_dev_get(dev)) {
		xa_destroy(&set->keys);
		set->idev = __in6_dev_get(dev);
	}
	xa_for_each(&set->keys, key, v) {
		if (!whole || (want && xa_load(want, key)))
			continue;
		/* Without its device, its groups went with it. */
		if (dev && !*budget)
			return false;
		xa_erase(&set->keys, key);
		vpce_mcast_group(key, &group);
		if (dev) {
			ipv6_dev_mc_dec(dev, &group);
			(*budget)--;
		}
	}
	if (!want || !dev)
		return true;
	xa_for_each(want, key, v) {
		if (xa_load(&set->keys, key))
			continue;
		if (!*budget)
			return false;
		vpce_mcast_group(key, &group);
		/* A device without IPv6 has no groups, and no VM to answer. */
		if (ipv6_dev_mc_inc(dev, &group))
			continue;
		(*budget)--;
		if (xa_insert(&set->keys, key, xa_mk_value(1),
			      GFP_KERNEL_ACCOUNT))
			ipv6_dev_mc_dec(dev, &group);
	}
	return true;
}

/*
 * Bring @vpc's devices to the groups its endpoint addresses want, from the
 * device the last run stopped at on, within *@budget: false when it ran
 * out, vpc->mc_next then the device to go on with.
 */
static bool vpce_mcast_sync(struct vpce_net *vn, struct vpce_vpc *vpc,
			    unsigned int *budget)
{
	struct xarray want;
	struct vpce_dev *d;
	unsigned long i;
	bool whole, done = true;

	xa_init(&want);
	whole = vpce_mcast_wanted(vn, vpc, &want);
	xa_for_each_start(&vpc->devs, i, d, vpc->mc_next) {
		if (!vpce_mcast_apply(vn, d->mc, &want, whole, budget)) {
			vpc->mc_next = i;
			done = false;
			break;
		}
	}
	xa_destroy(&want);
	return done;
}

/* Leave the groups of the devices that were unbound, within *@budget. */
static bool vpce_mcast_leave_unbound(struct vpce_net *vn,
				     unsigned int *budget)
{
	struct vpce_mc_set *set, *tmp;

	list_for_each_entry_safe(set, tmp, &vn->mc_leaving, node) {
		if (!vpce_mcast_apply(vn, set, NULL, true, budget))
			return false;
		list_del(&set->node);
		vpce_mc_set_free(set);
	}
	return true;
}

/* What is to be done, within *@budget: false when some is left. */
static bool vpce_mcast_run(struct vpce_net *vn, unsigned int *budget)
{
	const struct vpce_named *n;
	struct vpce_vpc *vpc;

	if (!vpce_mcast_leave_unbound(vn, budget))
		return false;
	list_for_each_entry(n, &vn->vpcs.list, list) {
		vpc = container_of(n, struct vpce_vpc, named);
		if (!vpc->mc_dirty)
			continue;
		if (!vpce_mcast_sync(vn, vpc, budget))
			return false;
		vpc->mc_dirty = false;
		vpc->mc_next = 0;
	}
	return true;
}

static void vpce_mcast_work(struct work_struct *work)
{
	struct vpce_net *vn = container_of(work, struct vpce_net, mc_work);
	unsigned int budget = VPCE_MCAST_BATCH;

	rtnl_lock();
	mutex_lock(&vn->lock);
	/* Not done: let the RTNL go, and come back for the rest. */
	if (!vpce_mcast_run(vn, &budget) && !vn->mc_closed)
		schedule_work(&vn->mc_work);
	mutex_unlock(&vn->lock);
	rtnl_unlock();
}

void vpce_mcast_changed(struct vpce_net *vn, struct vpce_vpc *vpc)
{
	lockdep_assert_held(&vn->lock);
	if (vn->mc_closed)
		return;
	/* From its first device again: the change may concern those done. */
	vpc->mc_dirty = true;
	vpc->mc_next = 0;
	schedule_work(&vn->mc_work);
}

void vpce_mcast_unbind(struct vpce_net *vn, struct vpce_dev *d)
{
	lockdep_assert_held(&vn->lock);
	if (xa_empty(&d->mc->keys)) {
		vpce_mc_set_free(d->mc);
	} else {
		list_add_tail(&d->mc->node, &vn->mc_leaving);
		if (!vn->mc_closed)
			schedule_work(&vn->mc_work);
	}
	d->mc = NULL;
}

void vpce_mcast_forget(struct vpce_dev *d)
{
	vpce_mc_set_free(d->mc);
	d->mc = NULL;
}

/* Leave every group, within *@budget: false when some are left. */
static bool vpce_mcast_leave_all(struct vpce_net *vn, unsigned int *budget)
{
	const struct vpce_named *n;
	struct vpce_vpc *vpc;
	struct vpce_dev *d;
	unsigned long i;

	if (!vpce_mcast_leave_unbound(vn, budget))
		return false;
	list_for_each_entry(n, &vn->vpcs.list, list) {
		vpc = container_of(n, struct vpce_vpc, named);
		xa_for_each(&vpc->devs, i, d)
			if (!vpce_mcast_apply(vn, d->mc, NULL, true, budget))
				return false;
	}
	return true;
}

/*
 * When the namespace itself goes, its devices are gone already and there
 * is nothing to leave; when the module goes, the namespace and its devices
 * stay, and so would the groups. Once closed, nothing queues the work; the
 * groups are left in batches as the work's, from the first device each
 * time (those left already have nothing to do).
 */
void vpce_mcast_close(struct vpce_net *vn)
{
	unsigned int budget;
	bool done;

	mutex_lock(&vn->lock);
	vn->mc_closed = true;
	mutex_unlock(&vn->lock);
	cancel_work_sync(&vn->mc_work);
	do {
		budget = VPCE_MCAST_BATCH;
		rtnl_lock();
		mutex_lock(&vn->lock);
		done = vpce_mcast_leave_all(vn, &budget);
		mutex_unlock(&vn->lock);
		rtnl_unlock();
		cond_resched();
	} while (!done);
}
