/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NET_H
#define _VPCE_NET_H

#include "vpce_conn.h"
#include "vpce_epid.h"
#include "vpce_flowlog.h"
#include "vpce_names.h"

#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct vpce_dev;
struct nf_conn;

/*
 * All of vpce's state in one network namespace.
 *
 * Configuration is serialised by @lock; the packet path never takes it. What
 * the packet path reads is published under RCU: the device and endpoint
 * address tables are rhashtables (safe for concurrent lookups while the
 * control plane inserts and removes), the zone map is an IDR (RCU lookups),
 * and per-service target sets are immutable arrays swapped whole.
 */
struct vpce_net {
	struct net *net;
	struct mutex lock;		/* serialises configuration */
	/* Bumped on every change; dumps use it to detect that they raced. */
	unsigned int gen;

	struct vpce_names vpcs;
	struct vpce_names services;
	struct vpce_names endpoints;
	struct vpce_epid_set epids;	/* the endpoints' IDs */
	/* Security groups (vpce_sg.c), their rules and compiled entries. */
	struct vpce_names sgs;
	u32 sg_rules;
	u64 sg_entries;

	struct rhashtable devs;		/* ifindex -> struct vpce_dev */
	unsigned int ndevs;		/* bound, at most VPCE_NET_DEVICES_MAX */
	/* Solicited-node groups (vpce_mcast.c): the sets of unbound devices
	 * to leave, and the work that joins and leaves, RTNL first.
	 */
	struct list_head mc_leaving;
	struct work_struct mc_work;
	bool mc_closed;			/* vpce_mcast_close() ran */
	struct idr zones;		/* ct zone id -> struct vpce_dev */
	struct rhashtable ep_addrs;	/* (vpc, address) -> vpce_ep_addr */

	/* Keys the flow hash that spreads flows over targets. */
	siphash_key_t flow_key;

	/* Netfilter hooks, registered on first use and kept until exit. */
	bool hooks_registered;

	/*
	 * Devices that went away while bound: unbound at once, their flows
	 * ended later by @gone_work (see vpce_vpc_dev_gone()).
	 */
	struct list_head gone_devs;
	struct work_struct gone_work;
	/* (service, address) -> struct vpce_tstats: targets' counters */
	struct rhashtable tstats;
	/* With conntrack=0: the flows (vpce_conn.c). */
	struct vpce_conns conns;
	/* Flow log records not delivered (vpce_flowlog.c). */
	struct vpce_flowlog_net flowlog;
};

extern unsigned int vpce_net_id;

static inline struct vpce_net *vpce_net(const struct net *net)
{
	return net_generic(net, vpce_net_id);
}

/* Bump the generation: call after every change of configuration. */
static inline void vpce_net_changed(struct vpce_net *vn)
{
	lockdep_assert_held(&vn->lock);
	vn->gen++;
}

int vpce_net_register(void);
void vpce_net_unregister(void);

#endif /* _VPCE_NET_H */
