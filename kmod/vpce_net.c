// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Per network namespace state: creation and teardown.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_net.h"
#include "vpce_drain.h"
#include "vpce_endpoint.h"
#include "vpce_gateway.h"
#include "vpce_nat.h"
#include "vpce_principal.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_stats.h"
#include "vpce_target.h"
#include "vpce_vpc.h"

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

unsigned int vpce_net_id __read_mostly;

static int __net_init vpce_net_init(struct net *net)
{
	struct vpce_net *vn = vpce_net(net);
	int ret;

	vn->net = net;
	mutex_init(&vn->lock);
	get_random_bytes(&vn->flow_key, sizeof(vn->flow_key));
	vpce_flowlog_ct_init(&vn->flowlog);

	ret = vpce_conns_init(vn);
	if (ret)
		return ret;
	ret = vpce_tstats_init(vn);
	if (ret)
		goto err_conns;
	ret = vpce_vpcs_init(vn);
	if (ret)
		goto err_tstats;
	ret = vpce_services_init(vn);
	if (ret)
		goto err_vpcs;
	ret = vpce_sgs_init(vn);
	if (ret)
		goto err_services;
	ret = vpce_endpoints_init(vn);
	if (ret)
		goto err_sgs;
	return 0;

err_sgs:
	vpce_names_destroy(&vn->sgs);
err_services:
	vpce_services_destroy(vn);
err_vpcs:
	vpce_vpcs_destroy(vn);
err_tstats:
	vpce_tstats_destroy(vn);
err_conns:
	vpce_conns_destroy(vn);
	return ret;
}

/* Stop the packet path first; the netns core then waits for RCU readers. */
static void __net_exit vpce_net_pre_exit(struct net *net)
{
	struct vpce_net *vn = vpce_net(net);

	mutex_lock(&vn->lock);
	if (vn->hooks_registered)
		vpce_nat_unregister(vn);
	mutex_unlock(&vn->lock);
}

static void __net_exit vpce_net_exit(struct net *net)
{
	struct vpce_net *vn = vpce_net(net);

	vpce_vpcs_stop(vn);
	mutex_lock(&vn->lock);
	/* Endpoints go first: they end their flows (the module may be
	 * unloading while the namespace lives on), and VPCs and services
	 * cannot go while endpoints use them.
	 */
	vpce_endpoints_destroy(vn);
	vpce_sgs_destroy(vn);
	vpce_names_destroy(&vn->sgs);
	vpce_services_destroy(vn);
	vpce_vpcs_destroy(vn);
	vpce_tstats_destroy(vn);
	vpce_conns_destroy(vn);
	vn->hooks_registered = false;
	mutex_unlock(&vn->lock);
	/* The logged conntrack entries' references: before conntrack's own
	 * exit, which waits for every entry of the namespace to be freed.
	 */
	vpce_flowlog_ct_destroy(&vn->flowlog);
	/* Drains that were running when their services went still hold
	 * vn->lock's address: let them finish before the namespace is freed.
	 */
	vpce_drain_flush();
}

static struct pernet_operations vpce_net_ops = {
	.init = vpce_net_init,
	.pre_exit = vpce_net_pre_exit,
	.exit = vpce_net_exit,
	.id = &vpce_net_id,
	.size = sizeof(struct vpce_net),
};

int vpce_net_register(void)
{
	return register_pernet_subsys(&vpce_net_ops);
}

void vpce_net_unregister(void)
{
	unregister_pernet_subsys(&vpce_net_ops);
	/* Let the RCU callbacks that free our objects run before the code
	 * that frees them goes away.
	 */
	rcu_barrier();
	vpce_counters_exit();
}
