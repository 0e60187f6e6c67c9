// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoints, and the table that maps a VPC's destination address to
 * the endpoint that owns it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_endpoint.h"
#include "compat.h"
#include "vpce_conn.h"
#include "vpce_flows.h"
#include "vpce_gateway.h"
#include "vpce_mcast.h"
#include "vpce_net.h"
#include "vpce_policy.h"
#include "vpce_principal.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_vpc.h"

#include <linux/percpu.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <linux/slab.h>
#include <linux/netlink.h>

static const struct rhashtable_params vpce_ep_addrs_params =
	VPCE_OWNED_ADDR_PARAMS(struct vpce_ep_addr, key, node);

/*
 * An endpoint with one address, the usual kind, is one kmalloc-256 object:
 * what keeps kernel memory within 512 bytes per endpoint, with its counters
 * and hash table buckets (Documentation/performance.md, "Memory per
 * endpoint").
 */
static_assert(sizeof(struct vpce_endpoint) +
	      sizeof(struct vpce_ep_addr) <= 256,
	      "an endpoint with one address fits kmalloc-256");

int vpce_endpoints_init(struct vpce_net *vn)
{
	int ret;

	ret = rhashtable_init(&vn->ep_addrs, &vpce_ep_addrs_params);
	if (ret)
		return ret;
	ret = vpce_names_init(&vn->endpoints);
	if (ret)
		rhashtable_destroy(&vn->ep_addrs);
	vpce_epid_set_init(&vn->epids);
	return ret;
}

struct vpce_endpoint *vpce_endpoint_find(struct vpce_net *vn, const char *name)
{
	struct vpce_named *n = vpce_names_find(&vn->endpoints, name);

	return n ? container_of(n, struct vpce_endpoint, named) : NULL;
}

/*
 * The endpoint with ID @id: a walk of them all, but only when the set of
 * IDs says it may be one of theirs, which it does not for a new ID but
 * about once in 2^32 per endpoint. For endpoint add: no ID is looked up
 * anywhere else.
 */
struct vpce_endpoint *vpce_endpoint_find_id(struct vpce_net *vn,
					    const struct vpce_epid *id)
{
	struct vpce_endpoint *ep;
	struct vpce_named *n;
	struct vpce_epid cur;

	lockdep_assert_held(&vn->lock);

	if (!vpce_epid_set_maybe(&vn->epids, id))
		return NULL;
	list_for_each_entry(n, &vn->endpoints.list, list) {
		ep = container_of(n, struct vpce_endpoint, named);
		cur = vpce_endpoint_id(ep);
		if (vpce_epid_eq(&cur, id))
			return ep;
	}
	return NULL;
}

/* A new ID: random, 68 bits, none of the namespace's. */
static void vpce_endpoint_new_id(struct vpce_net *vn, struct vpce_epid *id)
{
	do
		vpce_epid_random(id);
	while (vpce_endpoint_find_id(vn, id));
}

struct vpce_ep_addr *vpce_ep_addr_find(struct vpce_net *vn,
				       const struct vpce_vpc *vpc, u8 family,
				       const union nf_inet_addr *in)
{
	struct vpce_owned_addr key;

	vpce_owned_addr_set(&key, vpc, family, in);
	return rhashtable_lookup_fast(&vn->ep_addrs, &key,
				      vpce_ep_addrs_params);
}

/* Addresses that are not the endpoint's own @addrs0 are freed alone. */
static void vpce_ep_addrs_free(struct vpce_endpoint *ep,
			       struct vpce_ep_addrs *blk)
{
	vpce_counters_free(&blk->stats);
	if (blk != &ep->addrs0)
		kfree(blk);
}

static void vpce_endpoint_free_rcu(struct rcu_head *rcu)
{
	struct vpce_endpoint *ep = container_of(rcu, struct vpce_endpoint, rcu);

	/* A grace period has passed: no reader sees the policy either. */
	vpce_policy_free(rcu_dereference_protected(ep->policy, true));
	vpce_ep_addrs_free(ep, vpce_endpoint_addrs(ep));
	if (ep->own_requester)
		kfree(ep->requester);
	kfree(ep);
}

/*
 * The index of @za's zone among @svc's, into *@zone: one the service has
 * (the one it has when @za names none) and can serve @za's family in.
 */
static int vpce_endpoint_zone(const struct vpce_service *svc,
			      const struct vpce_zone_addr *za, u8 *zone,
			      struct netlink_ext_ack *extack)
{
	int z;

	z = vpce_service_zone(svc, za->zone, extack);
	if (z < 0)
		return z;
	*zone = z;
	/* AWS refuses an IPv6 (or dual stack) endpoint for a service that
	 * cannot serve IPv6; so do we, per zone, up front, rather than
	 * accept an address whose flows must all fail.
	 */
	return vpce_service_zone_family(svc, z, za->addr.family, extack);
}

static int vpce_endpoint_check(struct vpce_net *vn,
			       const struct vpce_endpoint_config *cfg,
			       u8 *zones, struct netlink_ext_ack *extack)
{
	const struct vpce_zone_addr *a = cfg->addrs;
	const struct vpce_endpoint *other;
	char id[VPCE_EPID_BUF];
	unsigned int i, j;
	int z;

	if (vpce_endpoint_find(vn, cfg->name)) {
		NL_SET_ERR_MSG(extack, "an endpoint with this name exists");
		return -EEXIST;
	}
	other = cfg->has_id ? vpce_endpoint_find_id(vn, &cfg->id) : NULL;
	if (other) {
		vpce_epid_format(&cfg->id, id);
		NL_SET_ERR_MSG_FMT(extack, "endpoint %s has the ID %s already",
				   other->named.name, id);
		return -EEXIST;
	}
	if (cfg->type != cfg->svc->type) {
		NL_SET_ERR_MSG_FMT(extack,
				   "service %s is a%s service: the endpoint's type must be %s",
				   cfg->svc->named.name,
				   cfg->svc->type == VPCE_TYPE_GATEWAY ?
				   " gateway" : "n interface",
				   cfg->svc->type == VPCE_TYPE_GATEWAY ?
				   "gateway" : "interface");
		return -EINVAL;
	}
	if (!vpce_service_permits(cfg->svc, &cfg->requester)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "principal %s is not allowed to connect to service %s",
				   cfg->requester.text, cfg->svc->named.name);
		return -EACCES;
	}
	if (cfg->type == VPCE_TYPE_GATEWAY)
		return vpce_gateway_check(vn, cfg, extack);
	for (i = 0; i < cfg->naddrs; i++) {
		z = vpce_endpoint_zone(cfg->svc, &a[i], &zones[i], extack);
		if (z < 0)
			return z;
		for (j = 0; j < i; j++) {
			if (zones[j] == zones[i] &&
			    a[j].addr.family == a[i].addr.family) {
				NL_SET_ERR_MSG_FMT(extack,
						   "two %s endpoint addresses in one zone",
						   vpce_fam_name(a[i].addr.family));
				return -EINVAL;
			}
			if (vpce_addr_eq(&a[j].addr, &a[i].addr)) {
				NL_SET_ERR_MSG(extack, "address given twice");
				return -EINVAL;
			}
		}
		if (vpce_ep_addr_find(vn, cfg->vpc, a[i].addr.family,
				      &a[i].addr.in)) {
			NL_SET_ERR_MSG(extack,
				       "the address belongs to another endpoint of the VPC");
			return -EADDRINUSE;
		}
	}
	return 0;
}

int vpce_endpoint_add(struct vpce_net *vn,
		      const struct vpce_endpoint_config *cfg,
		      struct netlink_ext_ack *extack)
{
	struct vpce_flow_match m = {};
	struct vpce_gw_table *gw = NULL;
	u8 zones[VPCE_ADDRS_MAX];
	struct vpce_endpoint *ep;
	struct vpce_epid id;
	unsigned int i;
	int ret;

	lockdep_assert_held(&vn->lock);

	ret = vpce_endpoint_check(vn, cfg, zones, extack);
	if (ret)
		return ret;
	/* Room for the ID first: after publishing, nothing may fail. */
	ret = vpce_epid_set_reserve(&vn->epids);
	if (ret)
		return ret;

	ep = kzalloc(struct_size(ep, addrs0.a, cfg->naddrs), GFP_KERNEL_ACCOUNT);
	if (!ep)
		return -ENOMEM;
	ret = -ENOMEM;
	ep->requester = &cfg->vpc->owner;
	if (!vpce_arn_eq(&cfg->requester, &cfg->vpc->owner)) {
		ep->requester = kmemdup(&cfg->requester,
					sizeof(cfg->requester), GFP_KERNEL_ACCOUNT);
		if (!ep->requester)
			goto err_ep;
		ep->own_requester = true;
	}
	/* A gateway endpoint, with no address, has one set of counters. */
	ret = vpce_counters_alloc(&ep->addrs0.stats, cfg->naddrs ?: 1);
	if (ret)
		goto err_requester;
	RCU_INIT_POINTER(ep->addrs, &ep->addrs0);
	strscpy_pad(ep->named.name, cfg->name, sizeof(ep->named.name));
	ep->vpc = cfg->vpc;
	ep->svc = cfg->svc;
	ep->type = cfg->type;
	if (ep->type == VPCE_TYPE_GATEWAY)
		ep->mark = cfg->mark;
	else
		RCU_INIT_POINTER(ep->sgs, cfg->sgs);
	RCU_INIT_POINTER(ep->policy, cfg->policy);
	ep->created = (u32)ktime_get_real_seconds();
	if (cfg->has_id)
		id = cfg->id;
	else
		vpce_endpoint_new_id(vn, &id);
	ep->id = id.lo;
	ep->id_hi = id.hi;
	/* With acceptance required, no traffic until the provider accepts. */
	ep->state = cfg->svc->acceptance_required ?
		VPCE_STATE_PENDING_ACCEPTANCE : VPCE_STATE_AVAILABLE;
	ep->naddrs = cfg->naddrs;
	for (i = 0; i < cfg->naddrs; i++) {
		struct vpce_ep_addr *ea = &ep->addrs0.a[i];

		ea->key.owner = cfg->vpc;
		ea->key.addr = cfg->addrs[i].addr;
		ea->zone = zones[i];
		ea->idx = i;
		ea->ep = ep;
	}
	if (ep->type == VPCE_TYPE_GATEWAY) {
		gw = vpce_gateway_build(vn, ep);
		if (IS_ERR(gw)) {
			ret = PTR_ERR(gw);
			goto err_counters;
		}
	}
	/* Published in steps, the name first, then the addresses. */
	ret = vpce_names_add(&vn->endpoints, &ep->named);
	if (ret)
		goto err_gw;
	for (i = 0; i < ep->naddrs; i++) {
		ret = rhashtable_insert_fast(&vn->ep_addrs, &ep->addrs0.a[i].node,
					     vpce_ep_addrs_params);
		if (ret)
			goto err_addrs;
	}
	vpce_epid_set_add(&vn->epids, &id);
	vpce_ep_sgs_hold(cfg->sgs);
	ep->vpc->endpoint_count++;
	ep->svc->endpoint_count++;
	vpce_net_changed(vn);
	if (ep->naddrs)
		vpce_mcast_changed(vn, ep->vpc);
	if (ep->type == VPCE_TYPE_GATEWAY) {
		vpce_gateway_publish(vn, ep->vpc, gw);
		if (ep->state == VPCE_STATE_AVAILABLE)
			vpce_gateway_connected(vn, ep);
	}
	return 0;

err_addrs:
	/* A packet may have found an address published so far and set up a
	 * flow that points at @ep (vpce's own table): end such flows as
	 * endpoint del does, or they would outlive the endpoint.
	 */
	WRITE_ONCE(ep->state, VPCE_STATE_DELETING);
	m.ep = ep;
	vpce_flows_end(vn, &m);
	while (i--)
		rhashtable_remove_fast(&vn->ep_addrs, &ep->addrs0.a[i].node,
				       vpce_ep_addrs_params);
	vpce_names_del(&vn->endpoints, &ep->named);
	/* ... and let a packet that still reads @ep or its policy finish,
	 * so that what follows may free at once, and the caller the policy.
	 */
	synchronize_net();
err_gw:
	vpce_gateway_table_free(gw);
err_counters:
	vpce_counters_free(&ep->addrs0.stats);
err_requester:
	if (ep->own_requester)
		kfree(ep->requester);
err_ep:
	/* On failure the caller keeps the policy it gave us. */
	kfree(ep);
	return ret;
}

static void vpce_endpoint_unpublish(struct vpce_net *vn,
				    struct vpce_endpoint *ep)
{
	struct vpce_ep_addrs *blk = vpce_endpoint_addrs(ep);
	struct vpce_epid id;
	unsigned int i;

	if (ep->type == VPCE_TYPE_GATEWAY)
		vpce_gateway_unpublish(vn, ep);
	for (i = 0; i < ep->naddrs; i++)
		rhashtable_remove_fast(&vn->ep_addrs, &blk->a[i].node,
				       vpce_ep_addrs_params);
	vpce_names_del(&vn->endpoints, &ep->named);
	id = vpce_endpoint_id(ep);
	vpce_epid_set_del(&vn->epids, &id);
	/* Its SGs may be deleted now; the list goes after a grace period. */
	if (ep->type != VPCE_TYPE_GATEWAY)
		vpce_ep_sgs_put(rcu_replace_pointer(ep->sgs, NULL,
						    lockdep_is_held(&vn->lock)));
	ep->vpc->endpoint_count--;
	ep->svc->endpoint_count--;
	vpce_net_changed(vn);
	if (ep->naddrs)
		vpce_mcast_changed(vn, ep->vpc);
	call_rcu(&ep->rcu, vpce_endpoint_free_rcu);
}

void vpce_endpoint_del(struct vpce_net *vn, struct vpce_endpoint *ep)
{
	struct vpce_flow_match m = { .ep = ep };

	lockdep_assert_held(&vn->lock);

	/* Refuse new flows, end the live ones (which still need the address
	 * table to be recognised), then unpublish.
	 */
	WRITE_ONCE(ep->state, VPCE_STATE_DELETING);
	vpce_flows_end(vn, &m);
	vpce_endpoint_unpublish(vn, ep);
}

/*
 * Every endpoint of the namespace at once (VPCE_CMD_FLUSH): one walk of the
 * conntrack table for all of them, not one per endpoint.
 */
void vpce_endpoints_flush(struct vpce_net *vn)
{
	struct vpce_flow_match all = {};
	struct vpce_named *n, *tmp;

	lockdep_assert_held(&vn->lock);

	if (list_empty(&vn->endpoints.list))
		return;
	list_for_each_entry(n, &vn->endpoints.list, list)
		WRITE_ONCE(container_of(n, struct vpce_endpoint, named)->state,
			   VPCE_STATE_DELETING);
	vpce_flows_end(vn, &all);
	list_for_each_entry_safe(n, tmp, &vn->endpoints.list, list)
		vpce_endpoint_unpublish(vn, container_of(n, struct vpce_endpoint,
							 named));
}

int vpce_endpoint_accept(struct vpce_net *vn, struct vpce_endpoint *ep,
			 struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);

	if (ep->state != VPCE_STATE_PENDING_ACCEPTANCE) {
		NL_SET_ERR_MSG(extack, "the endpoint is not pending acceptance");
		return -EINVAL;
	}
	WRITE_ONCE(ep->state, VPCE_STATE_AVAILABLE);
	vpce_net_changed(vn);
	if (ep->type == VPCE_TYPE_GATEWAY)
		vpce_gateway_connected(vn, ep);
	return 0;
}

/* A rejected endpoint carries no traffic: its live flows end at once. */
int vpce_endpoint_reject(struct vpce_net *vn, struct vpce_endpoint *ep,
			 struct netlink_ext_ack *extack)
{
	struct vpce_flow_match m = { .ep = ep };

	lockdep_assert_held(&vn->lock);

	if (ep->state != VPCE_STATE_PENDING_ACCEPTANCE &&
	    ep->state != VPCE_STATE_AVAILABLE) {
		NL_SET_ERR_MSG(extack,
			       "only a pending or available endpoint can be rejected");
		return -EINVAL;
	}
	WRITE_ONCE(ep->state, VPCE_STATE_REJECTED);
	vpce_flows_end(vn, &m);
	/* A gateway endpoint's VPC routes its flows without it from now. */
	ep->gw_live = false;
	vpce_net_changed(vn);
	return 0;
}

/* Changing an endpoint's addresses in place */

/*
 * A new block for @ep's addresses: those of @cur but the one at @skip (-1:
 * none), then @za in zone @zone (NULL: none), with counters of their own.
 */
static struct vpce_ep_addrs *
vpce_ep_addrs_build(struct vpce_endpoint *ep, const struct vpce_ep_addrs *cur,
		    int skip, const struct vpce_zone_addr *za, u8 zone)
{
	unsigned int i, k = 0, n = ep->naddrs - (skip >= 0) + !!za;
	struct vpce_ep_addrs *blk;
	struct vpce_ep_addr *ea;

	blk = kzalloc(struct_size(blk, a, n), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return NULL;
	if (vpce_counters_alloc(&blk->stats, n)) {
		kfree(blk);
		return NULL;
	}
	for (i = 0; i < ep->naddrs; i++) {
		if (i == skip)
			continue;
		ea = &blk->a[k];
		ea->key = cur->a[i].key;
		ea->zone = cur->a[i].zone;
		ea->idx = k++;
		ea->ep = ep;
	}
	if (za) {
		ea = &blk->a[k];
		ea->key.owner = ep->vpc;
		ea->key.addr = za->addr;
		ea->zone = zone;
		ea->idx = k;
		ea->ep = ep;
	}
	return blk;
}

/* The address of @blk's @n that is @ea's, or NULL. */
static struct vpce_ep_addr *vpce_ep_addrs_same(struct vpce_ep_addrs *blk,
					       unsigned int n,
					       const struct vpce_ep_addr *ea)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vpce_addr_eq(&blk->a[i].key.addr, &ea->key.addr))
			return &blk->a[i];
	return NULL;
}

/*
 * @ep's addresses become @blk's @n, which are @cur's but for one: added
 * (in vn->ep_addrs already) or deleted (out of it already, its flows
 * ended). The others go on: each is found in vn->ep_addrs as its old entry
 * or its new one, never neither; their flows point to the new one, and
 * their counters go on in its set. @cur is freed once no packet reads it.
 */
static void vpce_ep_addrs_replace(struct vpce_net *vn, struct vpce_endpoint *ep,
				  struct vpce_ep_addrs *cur, unsigned int ncur,
				  struct vpce_ep_addrs *blk, unsigned int n)
{
	struct vpce_ep_addr *ea;
	unsigned int i;

	for (i = 0; i < ncur; i++) {
		ea = vpce_ep_addrs_same(blk, n, &cur->a[i]);
		/* Same key, so same bucket: it cannot fail. */
		if (ea)
			WARN_ON_ONCE(rhashtable_replace_fast(&vn->ep_addrs,
							     &cur->a[i].node,
							     &ea->node,
							     vpce_ep_addrs_params));
	}
	ep->naddrs = n;
	rcu_assign_pointer(ep->addrs, blk);
	/* A packet that found an old address may be setting up a flow of
	 * vpce's own table with it: let it finish, so that the move sees
	 * the flow; after it, no packet finds an old address any more.
	 */
	synchronize_net();
	vpce_conns_move(vn, cur, ncur, blk, n);
	/* ... and a packet of a moved flow may have read the old pointer. */
	synchronize_net();
	for (i = 0; i < ncur; i++) {
		ea = vpce_ep_addrs_same(blk, n, &cur->a[i]);
		if (ea)
			vpce_counters_carry(&blk->stats, ea->idx, &cur->stats, i);
	}
	vpce_ep_addrs_free(ep, cur);
}

/*
 * A new address answers ARP (neighbour solicitations) and takes new flows
 * as soon as it is in vn->ep_addrs; the endpoint's flows go on.
 */
int vpce_endpoint_addr_add(struct vpce_net *vn, struct vpce_endpoint *ep,
			   const struct vpce_zone_addr *za,
			   struct netlink_ext_ack *extack)
{
	struct vpce_ep_addrs *cur = vpce_endpoint_addrs(ep), *blk;
	struct vpce_ep_addr *ea;
	unsigned int i;
	u8 zone;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (ep->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(extack, "a gateway endpoint has no addresses");
		return -EINVAL;
	}
	ret = vpce_endpoint_zone(ep->svc, za, &zone, extack);
	if (ret < 0)
		return ret;
	ea = vpce_ep_addr_find(vn, ep->vpc, za->addr.family, &za->addr.in);
	if (ea) {
		if (ea->ep == ep)
			NL_SET_ERR_MSG(extack,
				       "the endpoint has this address already");
		else
			NL_SET_ERR_MSG(extack,
				       "the address belongs to another endpoint of the VPC");
		return -EADDRINUSE;
	}
	for (i = 0; i < ep->naddrs; i++)
		if (cur->a[i].zone == zone &&
		    cur->a[i].key.addr.family == za->addr.family) {
			NL_SET_ERR_MSG_FMT(extack,
					   "the endpoint has an %s address in zone %s already",
					   vpce_fam_name(za->addr.family),
					   ep->svc->zones[zone].name);
			return -EINVAL;
		}
	blk = vpce_ep_addrs_build(ep, cur, -1, za, zone);
	if (!blk)
		return -ENOMEM;
	ret = rhashtable_insert_fast(&vn->ep_addrs, &blk->a[ep->naddrs].node,
				     vpce_ep_addrs_params);
	if (ret) {
		vpce_ep_addrs_free(ep, blk);
		return ret;
	}
	vpce_ep_addrs_replace(vn, ep, cur, ep->naddrs, blk, ep->naddrs + 1);
	vpce_net_changed(vn);
	/* VMs solicit an IPv6 address at its solicited-node group. */
	if (za->addr.family == AF_INET6)
		vpce_mcast_changed(vn, ep->vpc);
	return 0;
}

/*
 * A deleted address's live flows end, as those of a deleted endpoint (TCP
 * clients get a reset); it stops answering ARP (neighbour solicitations);
 * the endpoint's other flows go on. Its counters go with it. An endpoint
 * keeps at least one address, as it was created with.
 */
int vpce_endpoint_addr_del(struct vpce_net *vn, struct vpce_endpoint *ep,
			   const struct vpce_addr *addr,
			   struct netlink_ext_ack *extack)
{
	struct vpce_ep_addrs *cur = vpce_endpoint_addrs(ep), *blk;
	struct vpce_flow_match m = { .ep = ep };
	struct vpce_ep_addr *ea;
	u8 family;

	lockdep_assert_held(&vn->lock);

	if (ep->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(extack, "a gateway endpoint has no addresses");
		return -EINVAL;
	}
	ea = vpce_ep_addr_find(vn, ep->vpc, addr->family, &addr->in);
	if (!ea || ea->ep != ep) {
		NL_SET_ERR_MSG(extack, "the endpoint has no such address");
		return -ENOENT;
	}
	if (ep->naddrs == 1) {
		NL_SET_ERR_MSG(extack,
			       "the last address of an endpoint cannot be deleted (delete the endpoint)");
		return -EBUSY;
	}
	blk = vpce_ep_addrs_build(ep, cur, ea->idx, NULL, 0);
	if (!blk)
		return -ENOMEM;
	/* No new flows to the address; the live ones end while the address
	 * is still in the table that recognises them, then it leaves it.
	 */
	WRITE_ONCE(ea->dying, true);
	m.ea = ea;
	vpce_flows_end(vn, &m);
	rhashtable_remove_fast(&vn->ep_addrs, &ea->node, vpce_ep_addrs_params);
	family = ea->key.addr.family;
	/* @ea is freed here, with the rest of the old block. */
	vpce_ep_addrs_replace(vn, ep, cur, ep->naddrs, blk, ep->naddrs - 1);
	vpce_net_changed(vn);
	if (family == AF_INET6)
		vpce_mcast_changed(vn, ep->vpc);
	return 0;
}

/*
 * A new policy applies to new flows at once; the live flows it denies end
 * (AWS re-evaluates a changed policy; a flow, once allowed, is otherwise
 * never evaluated again).
 */
void vpce_endpoint_set_policy(struct vpce_net *vn, struct vpce_endpoint *ep,
			      struct vpce_policy *policy)
{
	struct vpce_flow_match m = { .ep = ep, .denied = true };
	struct vpce_policy *old;

	lockdep_assert_held(&vn->lock);

	old = rcu_replace_pointer(ep->policy, policy, lockdep_is_held(&vn->lock));
	if (old)
		vpce_policy_free_rcu(old);
	vpce_net_changed(vn);
	vpce_flows_end(vn, &m);
}

/*
 * New SGs apply to new flows at once; the live flows they deny end, as a
 * policy change ends those it denies (AWS tracks allowed connections, but
 * vpce ends them: a tightened SG means what it says at once).
 */
void vpce_endpoint_set_sgs(struct vpce_net *vn, struct vpce_endpoint *ep,
			   struct vpce_ep_sgs *sgs)
{
	struct vpce_flow_match m = { .ep = ep, .sg_denied = true };
	struct vpce_ep_sgs *old;

	lockdep_assert_held(&vn->lock);

	vpce_ep_sgs_hold(sgs);
	old = rcu_replace_pointer(ep->sgs, sgs, lockdep_is_held(&vn->lock));
	vpce_ep_sgs_put(old);
	vpce_net_changed(vn);
	if (sgs)
		vpce_flows_end(vn, &m);
}

void vpce_endpoint_set_flowlog(struct vpce_net *vn, struct vpce_endpoint *ep,
			       u8 setting)
{
	lockdep_assert_held(&vn->lock);

	WRITE_ONCE(ep->flowlog, setting);
	vpce_net_changed(vn);
}

/* About 1 KiB: too big for the stack of the receive path. */
static DEFINE_PER_CPU(struct vpce_request, vpce_flow_request);

/*
 * Whether the endpoint's policy lets a flow in. The request is AWS's for a
 * connection through an endpoint: action vpce:Connect on the service's ARN,
 * by the principal bound to the source (else the VPC owner), with the flow's
 * context keys. It is built on the stack and allocates nothing.
 */
bool vpce_endpoint_allows(const struct vpce_endpoint *ep,
			  const struct nf_conntrack_tuple *orig)
{
	const struct vpce_policy *p = rcu_dereference(ep->policy);
	struct vpce_request *req;
	const struct vpce_arn *who;
	struct vpce_addr src;
	int ret;

	if (!p)
		return true;
	/* Both callers (the NAT hook, the conntrack walk) run with bottom
	 * halves off, so this CPU's request cannot be in use by anyone else.
	 */
	lockdep_assert_in_softirq();
	req = this_cpu_ptr(&vpce_flow_request);
	memset(&src, 0, sizeof(src));
	src.family = orig->src.l3num;
	src.in = orig->src.u3;
	who = vpce_principal_of(ep->vpc, &src);

	vpce_request_init(req, "vpce:Connect", ep->svc->arn, who,
			  who->account, ep->type == VPCE_TYPE_GATEWAY);
	vpce_request_add_principal(req);
	vpce_request_add(req, "aws:SourceVpc", ep->vpc->named.name);
	vpce_request_add(req, "aws:SourceVpce", ep->named.name);
	if (src.family == AF_INET)
		vpce_request_addf(req, "aws:VpcSourceIp", "%pI4", &src.in.ip);
	else
		vpce_request_addf(req, "aws:VpcSourceIp", "%pI6c", &src.in.in6);
	vpce_request_add(req, "vpce:Protocol",
			 orig->dst.protonum == IPPROTO_TCP ? "tcp" : "udp");
	vpce_request_addf(req, "vpce:DestinationPort", "%u",
			  ntohs(orig->dst.u.all));
	vpce_request_add_time(req, ktime_get_real_seconds());
	ret = vpce_policy_eval(p, req, NULL);
	if (unlikely(ret < 0)) {
		/* Too complex to decide within the budget: deny, as if the
		 * policy had said so (fail closed; the caller counts a
		 * policy refusal), and say why in the log. Only a
		 * pathological policy gets here. No counter of its own:
		 * a counter set per endpoint and CPU costs memory on every
		 * endpoint for an event that should never happen.
		 */
		net_warn_ratelimited("endpoint %s: policy too complex to evaluate, flow denied\n",
				     ep->named.name);
		return false;
	}
	return ret == VPCE_DECISION_ALLOWED;
}

/* Namespace exit or module unload: the packet path is stopped already. */
void vpce_endpoints_destroy(struct vpce_net *vn)
{
	struct vpce_flow_match all = {};
	struct vpce_named *n, *tmp;

	lockdep_assert_held(&vn->lock);

	vpce_flows_end(vn, &all);
	list_for_each_entry_safe(n, tmp, &vn->endpoints.list, list)
		vpce_endpoint_unpublish(vn, container_of(n, struct vpce_endpoint,
							 named));
	vpce_names_destroy(&vn->endpoints);
	vpce_epid_set_destroy(&vn->epids);
	rhashtable_destroy(&vn->ep_addrs);
}
