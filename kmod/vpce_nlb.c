// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * A service's load balancer (nlb) addresses: the source addresses targets
 * see. A zone has, per family, a pool of up to VPCE_NLB_POOL_MAX of them,
 * and new flows are spread over the pool (vpce_conn.c, vpce_nat.c), so
 * that one target port holds about 60,000 flows per address rather than
 * per zone, as NLB's SNAT does.
 *
 * The pool is one allocation, addresses grouped by zone and family, built
 * whole and published with rcu_assign_pointer(): an address added or
 * deleted never shows a packet a half-changed pool. Deleting an address
 * ends the flows that use it (their replies would come to an address that
 * is no longer the service's) after the new pool is published, so that no
 * new flow takes it meanwhile (vpce_flows_end() waits for the packet path).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_service.h"
#include "compat.h"
#include "vpce_endpoint.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_target.h"

#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/string.h>

/*
 * The pool of @n addresses @za, whose zones are all among @svc's zones
 * (the caller checked). Grouped by zone, then family, in the order given
 * within a group, so that a dump gives back the order of the command.
 */
struct vpce_nlb_pool *vpce_nlb_pool_build(struct vpce_service *svc,
					  const struct vpce_zone_addr *za,
					  unsigned int n)
{
	struct vpce_nlb_pool *p;
	unsigned int z, f, i;

	p = kzalloc(struct_size(p, addr, n), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	for (z = 0; z < svc->nzones; z++) {
		for (f = 0; f < VPCE_FAMILIES; f++) {
			p->off[z][f] = p->n;
			for (i = 0; i < n; i++) {
				if (vpce_fam(za[i].addr.family) != f ||
				    strcmp(za[i].zone, svc->zones[z].name))
					continue;
				p->addr[p->n++] = za[i].addr;
				p->cnt[z][f]++;
			}
		}
	}
	return p;
}

bool vpce_service_nlb(const struct vpce_service *svc, u8 z, u8 family)
{
	/* The control plane's, with vn->lock held: the pool's only writer. */
	const struct vpce_nlb_pool *p = rcu_dereference_protected(svc->nlbs,
								  true);

	return p && p->cnt[z][vpce_fam(family)];
}

/* The pool's addresses as a list of zone addresses, room for one more. */
static struct vpce_zone_addr *vpce_nlb_list(const struct vpce_service *svc,
					    const struct vpce_nlb_pool *p)
{
	struct vpce_zone_addr *za;
	unsigned int z, f, i, n = 0;

	za = kcalloc(p->n + 1, sizeof(*za), GFP_KERNEL);
	if (!za)
		return NULL;
	for (z = 0; z < svc->nzones; z++)
		for (f = 0; f < VPCE_FAMILIES; f++)
			for (i = 0; i < p->cnt[z][f]; i++, n++) {
				za[n].addr = p->addr[p->off[z][f] + i];
				strscpy(za[n].zone, svc->zones[z].name,
					sizeof(za[n].zone));
			}
	return za;
}

static int vpce_nlb_find(const struct vpce_nlb_pool *p,
			 const struct vpce_addr *addr)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (vpce_addr_eq(&p->addr[i], addr))
			return i;
	return -1;
}

static void vpce_nlb_replace(struct vpce_net *vn, struct vpce_service *svc,
			     struct vpce_nlb_pool *p)
{
	struct vpce_nlb_pool *old = vpce_service_pool(svc, vn);

	rcu_assign_pointer(svc->nlbs, p);
	kfree_rcu(old, rcu);
	vpce_net_changed(vn);
}

int vpce_service_nlb_add(struct vpce_net *vn, struct vpce_service *svc,
			 const struct vpce_zone_addr *za,
			 struct netlink_ext_ack *extack)
{
	const struct vpce_nlb_pool *cur = vpce_service_pool(svc, vn);
	struct vpce_targets *ts;
	struct vpce_zone_addr *list;
	struct vpce_nlb_pool *p;
	bool fresh;
	int z;

	lockdep_assert_held(&vn->lock);

	z = vpce_service_zone(svc, za->zone, extack);
	if (z < 0)
		return z;
	if (vpce_nlb_find(cur, &za->addr) >= 0) {
		NL_SET_ERR_MSG(extack,
			       "the service has this load balancer address already");
		return -EEXIST;
	}
	if (cur->cnt[z][vpce_fam(za->addr.family)] >= VPCE_NLB_POOL_MAX ||
	    cur->n >= VPCE_NLBS_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "at most %u load balancer addresses per zone and family, %u per service",
				   VPCE_NLB_POOL_MAX, VPCE_NLBS_MAX);
		return -ENOSPC;
	}
	fresh = !cur->cnt[z][vpce_fam(za->addr.family)];
	list = vpce_nlb_list(svc, cur);
	if (!list)
		return -ENOMEM;
	list[cur->n].addr = za->addr;
	strscpy(list[cur->n].zone, svc->zones[z].name, sizeof(list->zone));
	p = vpce_nlb_pool_build(svc, list, cur->n + 1);
	kfree(list);
	if (!p)
		return -ENOMEM;
	/* Live flows keep their addresses. */
	vpce_nlb_replace(vn, svc, p);
	/*
	 * The zone's first address of the family: the target set was built
	 * with no table for the zone and family (vpce_targets_build() skips
	 * a zone that cannot serve it), which its flows now need.
	 */
	if (fresh) {
		ts = vpce_service_targets(svc, vn);
		ts = vpce_targets_build(svc, ts, ts->t, ts->n, svc->cross_zone,
					&svc->hash_key);
		if (ts)
			vpce_targets_replace(vn, svc, ts);
		else
			pr_warn_ratelimited("service %s: no memory for the target tables of a new load balancer address: the next target change builds them\n",
					    svc->named.name);
	}
	return 0;
}

/*
 * Whether an endpoint address or a target of @svc is of @family in zone
 * @z: such a flow needs a load balancer address of the family there.
 */
static bool vpce_nlb_needed(struct vpce_net *vn,
			    const struct vpce_service *svc, u8 z, u8 family)
{
	const struct vpce_targets *ts = vpce_service_targets(svc, vn);
	const struct vpce_endpoint *ep;
	const struct vpce_named *n;
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].zone == z && ts->t[i].addr.family == family)
			return true;
	if (!svc->endpoint_count)
		return false;
	list_for_each_entry(n, &vn->endpoints.list, list) {
		ep = container_of(n, struct vpce_endpoint, named);
		if (ep->svc != svc)
			continue;
		for (i = 0; i < ep->naddrs; i++)
			if (vpce_endpoint_addrs(ep)->a[i].zone == z &&
			    vpce_endpoint_addrs(ep)->a[i].key.addr.family ==
			    family)
				return true;
	}
	return false;
}

/* Zone and family of the address at index @i of pool @p. */
static void vpce_nlb_where(const struct vpce_service *svc,
			   const struct vpce_nlb_pool *p, unsigned int i,
			   u8 *zone, unsigned int *fam)
{
	unsigned int z, f;

	for (z = 0; z < svc->nzones; z++)
		for (f = 0; f < VPCE_FAMILIES; f++)
			if (i >= p->off[z][f] && i < p->off[z][f] + p->cnt[z][f]) {
				*zone = z;
				*fam = f;
				return;
			}
}

int vpce_service_nlb_del(struct vpce_net *vn, struct vpce_service *svc,
			 const struct vpce_addr *addr,
			 struct netlink_ext_ack *extack)
{
	const struct vpce_nlb_pool *cur = vpce_service_pool(svc, vn);
	struct vpce_flow_match m = { .svc = svc, .nlb = addr };
	struct vpce_zone_addr *list;
	struct vpce_nlb_pool *p;
	unsigned int f = 0;
	int i;
	u8 z = 0;

	lockdep_assert_held(&vn->lock);

	i = vpce_nlb_find(cur, addr);
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the service has no such load balancer address");
		return -ENOENT;
	}
	vpce_nlb_where(svc, cur, i, &z, &f);
	if (cur->cnt[z][0] + cur->cnt[z][1] == 1) {
		NL_SET_ERR_MSG(extack,
			       "the zone's last load balancer address: the zone would be gone");
		return -EBUSY;
	}
	if (cur->cnt[z][f] == 1 && vpce_nlb_needed(vn, svc, z, addr->family)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the zone's last %s load balancer address, and endpoint addresses or targets of the zone use it",
				   vpce_fam_name(addr->family));
		return -EBUSY;
	}
	list = vpce_nlb_list(svc, cur);
	if (!list)
		return -ENOMEM;
	memmove(&list[i], &list[i + 1], (cur->n - i - 1) * sizeof(*list));
	p = vpce_nlb_pool_build(svc, list, cur->n - 1);
	kfree(list);
	if (!p)
		return -ENOMEM;
	vpce_nlb_replace(vn, svc, p);
	/* The address is no longer the service's: its flows end. */
	vpce_flows_end(vn, &m);
	return 0;
}
