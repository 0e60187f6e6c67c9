// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * VPCs and the devices bound to them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_vpc.h"
#include "vpce_flows.h"
#include "vpce_gateway.h"
#include "vpce_nat.h"
#include "vpce_net.h"
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

int vpce_vpcs_init(struct vpce_net *vn)
{
	int ret;

	idr_init(&vn->zones);
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
	idr_remove(&vn->zones, d->ct_zone);
	nf_ct_put(d->tmpl);
	kfree(d);
}

static struct vpce_dev *vpce_dev_alloc(struct vpce_net *vn, int ifindex,
				       struct vpce_vpc *vpc)
{
	struct nf_conntrack_zone zone;
	struct vpce_dev *d;
	int id;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return NULL;
	/* Reserve the zone now, publish the device in it later. */
	id = idr_alloc_cyclic(&vn->zones, NULL, VPCE_CT_ZONE_MIN,
			      VPCE_CT_ZONE_END, GFP_KERNEL);
	if (id < 0)
		goto err_free;

	nf_ct_zone_init(&zone, id, NF_CT_ZONE_DIR_ORIG, 0);
	d->tmpl = nf_ct_tmpl_alloc(vn->net, &zone, GFP_KERNEL_ACCOUNT);
	if (!d->tmpl)
		goto err_zone;
	/* Templates are never inserted in the table; like xt_CT's, they
	 * count as confirmed so that conntrack never tries.
	 */
	__set_bit(IPS_CONFIRMED_BIT, &d->tmpl->status);
	d->ifindex = ifindex;
	d->ct_zone = id;
	d->vpc = vpc;
	return d;

err_zone:
	idr_remove(&vn->zones, id);
err_free:
	kfree(d);
	return NULL;
}

static void vpce_dev_unpublish(struct vpce_net *vn, struct vpce_dev *d)
{
	rhashtable_remove_fast(&vn->devs, &d->node, vpce_devs_params);
	idr_remove(&vn->zones, d->ct_zone);
	call_rcu(&d->rcu, vpce_dev_free_rcu);
}

static int vpce_vpc_check_devs(struct vpce_net *vn,
			       const struct vpce_vpc_config *cfg,
			       struct netlink_ext_ack *extack)
{
	unsigned int i, j;
	bool found;

	for (i = 0; i < cfg->ndevs; i++) {
		rcu_read_lock();
		found = dev_get_by_index_rcu(vn->net, cfg->ifindex[i]);
		rcu_read_unlock();
		if (!found) {
			NL_SET_ERR_MSG(extack, "no such device");
			return -ENODEV;
		}
		if (vpce_dev_by_ifindex(vn, cfg->ifindex[i])) {
			NL_SET_ERR_MSG(extack,
				       "device is already bound to a VPC");
			return -EBUSY;
		}
		for (j = 0; j < i; j++) {
			if (cfg->ifindex[j] == cfg->ifindex[i]) {
				NL_SET_ERR_MSG(extack, "device given twice");
				return -EINVAL;
			}
		}
	}
	return 0;
}

int vpce_vpc_add(struct vpce_net *vn, const struct vpce_vpc_config *cfg,
		 struct netlink_ext_ack *extack)
{
	struct vpce_vpc *vpc;
	unsigned int i;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (vpce_vpc_find(vn, cfg->name)) {
		NL_SET_ERR_MSG(extack, "a VPC with this name exists");
		return -EEXIST;
	}
	ret = vpce_vpc_check_devs(vn, cfg, extack);
	if (ret)
		return ret;
	ret = vpce_nat_hooks_enable(vn);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
		return ret;
	}

	vpc = kzalloc(sizeof(*vpc), GFP_KERNEL_ACCOUNT);
	if (!vpc)
		return -ENOMEM;
	strscpy_pad(vpc->named.name, cfg->name, sizeof(vpc->named.name));
	vpc->account = cfg->account;
	vpce_arn_root(cfg->account, &vpc->owner);
	for (i = 0; i < cfg->ndevs; i++) {
		vpc->devs[i] = vpce_dev_alloc(vn, cfg->ifindex[i], vpc);
		if (!vpc->devs[i]) {
			ret = -ENOMEM;
			goto err_devs;
		}
		vpc->ndevs++;
	}
	ret = vpce_names_add(&vn->vpcs, &vpc->named);
	if (ret)
		goto err_devs;

	/* Everything is allocated; publish the devices to the packet path. */
	for (i = 0; i < vpc->ndevs; i++) {
		ret = rhashtable_insert_fast(&vn->devs, &vpc->devs[i]->node,
					     vpce_devs_params);
		if (ret)
			goto err_publish;
		idr_replace(&vn->zones, vpc->devs[i], vpc->devs[i]->ct_zone);
	}
	vpce_net_changed(vn);
	return 0;

err_publish:
	while (i--) {
		rhashtable_remove_fast(&vn->devs, &vpc->devs[i]->node,
				       vpce_devs_params);
		idr_replace(&vn->zones, NULL, vpc->devs[i]->ct_zone);
	}
	vpce_names_del(&vn->vpcs, &vpc->named);
	/* The packet path may have seen a device: wait it out. */
	synchronize_net();
err_devs:
	for (i = 0; i < vpc->ndevs; i++)
		vpce_dev_free(vn, vpc->devs[i]);
	kfree(vpc);
	return ret;
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

static void vpce_vpc_free(struct vpce_net *vn, struct vpce_vpc *vpc)
{
	unsigned int i;

	vpce_gone_flush(vn);
	vpce_names_del(&vn->vpcs, &vpc->named);
	for (i = 0; i < vpc->ndevs; i++)
		vpce_dev_unpublish(vn, vpc->devs[i]);
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
	unsigned int i;

	lockdep_assert_held(&vn->lock);

	d = vpce_dev_by_ifindex(vn, ifindex);
	if (!d)
		return;
	vpc = d->vpc;
	for (i = 0; i < vpc->ndevs; i++)
		if (vpc->devs[i] == d)
			break;
	vpc->ndevs--;
	memmove(&vpc->devs[i], &vpc->devs[i + 1],
		(vpc->ndevs - i) * sizeof(vpc->devs[0]));
	rhashtable_remove_fast(&vn->devs, &d->node, vpce_devs_params);
	d->gone = true;
	list_add_tail(&d->gone_node, &vn->gone_devs);
	schedule_work(&vn->gone_work);
	vpce_net_changed(vn);
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
static bool vpce_notifier_closing;

static int vpce_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpce_net *vn;

	ASSERT_RTNL();
	if (event != NETDEV_UNREGISTER || vpce_notifier_closing)
		return NOTIFY_DONE;
	vn = vpce_net(dev_net(dev));
	mutex_lock(&vn->lock);
	vpce_vpc_dev_gone(vn, dev->ifindex);
	mutex_unlock(&vn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block vpce_netdev_notifier = {
	.notifier_call = vpce_netdev_event,
};

/* Before vpce_vpcs_destroy(), without vn->lock (the work takes it). */
void vpce_vpcs_stop(struct vpce_net *vn)
{
	cancel_work_sync(&vn->gone_work);
}

int vpce_vpc_notifier_register(void)
{
	vpce_notifier_closing = false;
	return register_netdevice_notifier(&vpce_netdev_notifier);
}

void vpce_vpc_notifier_unregister(void)
{
	rtnl_lock();
	vpce_notifier_closing = true;
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
