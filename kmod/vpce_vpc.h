/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_VPC_H
#define _VPCE_VPC_H

#include "vpce_arn.h"
#include "vpce_limit.h"
#include "vpce_names.h"

#include <linux/netdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/rcupdate.h>
#include <linux/xarray.h>

struct vpce_net;
struct vpce_vpc;
struct nf_conn;
struct netlink_ext_ack;

/*
 * A device bound to a VPC. Each has a conntrack zone of its own, applied to
 * the original direction of flows that arrive on it (the way `ct original
 * zone set` does): identical tuples from two VPCs become two flows, while the
 * replies from targets, which arrive in zone 0, still find theirs. A zone per
 * device rather than per VPC also tells the reply path which device a flow
 * came in on.
 */
struct vpce_dev {
	struct rhash_head node;		/* in vn->devs, keyed by ifindex */
	int ifindex;
	/* The device itself, for the packet path (vpce_dev_netdev()): the
	 * namespace's ifindex hash grows with its devices, this does not.
	 */
	struct net_device *dev;
	u16 ct_zone;
	struct vpce_vpc *vpc;
	struct nf_conn *tmpl;		/* conntrack template with the zone */
	/* What vpce sends out of this device on its own: ARP and NDP
	 * answers, and refusals (resets, ICMP errors). Packet path only.
	 */
	struct vpce_limit neigh_limit;
	struct vpce_limit reject_limit;
	/* Unbound, its zone kept until its flows are gone: vn->gone_devs.
	 * Set before its device can be freed (READ_ONCE on the packet path).
	 */
	bool gone;
	/* To be unbound by the VPC change under way (vpce_vpc_set_devs()). */
	bool leaving;
	struct list_head gone_node;
	/* The solicited-node groups it joined for the VPC's IPv6 endpoint
	 * addresses (vpce_mcast.c). Under vn->lock; NULL once unbound.
	 */
	struct vpce_mc_set *mc;
	struct rcu_head rcu;
};

struct vpce_vpc {
	struct vpce_named named;
	u64 account;
	/* Sources without a binding act as the owner account's root. */
	struct vpce_arn owner;
	struct vpce_bindings __rcu *bindings;
	/* Its gateway endpoints' prefixes (vpce_gateway.c); NULL: none. */
	struct vpce_gw_table __rcu *gateways;
	u32 endpoint_count;
	u32 sg_count;			/* its security groups (vpce_sg.c) */
	/* Its devices by ifindex (control plane only: the packet path finds
	 * a device in vn->devs), at most VPCE_DEVICES_MAX.
	 */
	struct xarray devs;
	unsigned int ndevs;
	/* Bound to a VRF (its ifindex; 0: the devices given): its devices
	 * are the VRF's, following it (vpce_netdev_event()).
	 */
	int vrf;
	/* Its devices' groups are to be brought up to date, from the
	 * device of this ifindex on (vpce_mcast.c).
	 */
	bool mc_dirty;
	unsigned long mc_next;
	struct rcu_head rcu;
};

struct vpce_vpc_config {
	const char *name;
	u64 account;
	unsigned int ndevs;
	const int *ifindex;
	int vrf;			/* or a VRF's ifindex, with the RTNL */
};

int vpce_vpcs_init(struct vpce_net *vn);
void vpce_vpcs_stop(struct vpce_net *vn);
void vpce_vpcs_destroy(struct vpce_net *vn);

struct vpce_vpc *vpce_vpc_find(struct vpce_net *vn, const char *name);
int vpce_vpc_add(struct vpce_net *vn, const struct vpce_vpc_config *cfg,
		 struct netlink_ext_ack *extack);
int vpce_vpc_del(struct vpce_net *vn, struct vpce_vpc *vpc,
		 struct netlink_ext_ack *extack);
int vpce_vpc_set_devs(struct vpce_net *vn, struct vpce_vpc *vpc,
		      const int *add, unsigned int nadd,
		      const int *del, unsigned int ndel,
		      struct netlink_ext_ack *extack);

void vpce_vpc_dev_gone(struct vpce_net *vn, int ifindex);
int vpce_vpc_notifier_register(void);
void vpce_vpc_notifier_unregister(void);

/* Packet path, under RCU. */
struct vpce_dev *vpce_dev_by_ifindex(struct vpce_net *vn, int ifindex);
struct vpce_dev *vpce_dev_by_zone(struct vpce_net *vn, u16 zone);

extern bool vpce_notifier_closing;

/*
 * @d's device in @net, under RCU; NULL once it went. A device that is
 * unregistered is marked gone in the NETDEV_UNREGISTER notifier, and the
 * netdev core waits for RCU readers after the notifiers (synchronize_net()
 * in unregister_netdevice_many_notify()) before it lets the device go: a
 * reader that saw it not gone may use it until its RCU section ends. From
 * the moment the module's notifier starts going away until the hooks are,
 * nothing marks a device gone: the ifindex is looked up then.
 */
static inline struct net_device *vpce_dev_netdev(struct net *net,
						 const struct vpce_dev *d)
{
	if (unlikely(READ_ONCE(vpce_notifier_closing)))
		return dev_get_by_index_rcu(net, d->ifindex);
	return READ_ONCE(d->gone) ? NULL : d->dev;
}

struct vpce_dev *vpce_dev_by_ct(struct vpce_net *vn, const struct nf_conn *ct);

#endif /* _VPCE_VPC_H */
