// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Gateway endpoints: a VPC reaches a service's prefix list (an S3-like
 * service on its own addresses) without NAT. Each new flow from the VPC to
 * a prefix is evaluated against the endpoint's policy and then either
 * forwarded unchanged, carrying the endpoint's mark so that operators can
 * route it (`ip rule fwmark`), or refused.
 *
 * Which flows are gateway flows is decided per packet from the flow's
 * conntrack zone (its VPC) and its original destination, not remembered in
 * the conntrack entry: ct->mark belongs to the operator, and conntrack has
 * no other field a module may use. The lookup is a binary search in the
 * VPC's table, and a VPC without gateway endpoints has none at all.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_gateway.h"
#include "compat.h"
#include "vpce_endpoint.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_vpc.h"

#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>
#include <linux/netlink.h>
#include <net/netfilter/nf_conntrack.h>

static int vpce_addr_cmp(const struct vpce_addr *a, const struct vpce_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	/* Network byte order compares as the numbers do. */
	return memcmp(&a->in, &b->in, a->family == AF_INET ?
		      sizeof(a->in.ip) : sizeof(a->in.in6));
}

static bool vpce_prefix_holds(const struct vpce_prefix *p,
			      const struct vpce_addr *a)
{
	if (p->addr.family != a->family)
		return false;
	if (a->family == AF_INET)
		return !((p->addr.in.ip ^ a->in.ip) & inet_make_mask(p->plen));
	return ipv6_prefix_equal(&p->addr.in.in6, &a->in.in6, p->plen);
}

/* Two prefixes overlap when the shorter one holds the other's address. */
static bool vpce_prefixes_overlap(const struct vpce_prefix *a,
				  const struct vpce_prefix *b)
{
	if (a->plen <= b->plen)
		return vpce_prefix_holds(a, &b->addr);
	return vpce_prefix_holds(b, &a->addr);
}

/* A gateway service's prefix list (host bits already refused). */
int vpce_service_prefixes_check(const struct vpce_prefix *p, unsigned int n,
				struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (!p[i].plen) {
			NL_SET_ERR_MSG(extack,
				       "a prefix of length 0 would take all of a VPC's traffic");
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (vpce_prefixes_overlap(&p[i], &p[j])) {
				NL_SET_ERR_MSG(extack,
					       "two prefixes of the service overlap");
				return -EINVAL;
			}
	}
	return 0;
}

static bool vpce_is_gateway_of(const struct vpce_endpoint *ep,
			       const struct vpce_vpc *vpc)
{
	return ep->type == VPCE_TYPE_GATEWAY && ep->vpc == vpc;
}

#define vpce_for_each_endpoint(ep, vn)					\
	list_for_each_entry(ep, &(vn)->endpoints.list, named.list)

/*
 * A new gateway endpoint: its prefixes may not overlap those of the VPC's
 * other gateway endpoints. Without route tables, two endpoints for one
 * address would leave no way to say which policy and mark apply.
 */
int vpce_gateway_check(struct vpce_net *vn,
		       const struct vpce_endpoint_config *cfg,
		       struct netlink_ext_ack *extack)
{
	const struct vpce_service *svc = cfg->svc;
	unsigned int total = svc->nprefixes, i, j;
	const struct vpce_endpoint *ep;

	lockdep_assert_held(&vn->lock);

	vpce_for_each_endpoint(ep, vn) {
		if (!vpce_is_gateway_of(ep, cfg->vpc))
			continue;
		total += ep->svc->nprefixes;
		for (i = 0; i < svc->nprefixes; i++)
			for (j = 0; j < ep->svc->nprefixes; j++) {
				if (!vpce_prefixes_overlap(&svc->prefixes[i],
							   &ep->svc->prefixes[j]))
					continue;
				NL_SET_ERR_MSG_FMT(extack,
						   "the prefixes of service %s overlap those of gateway endpoint %s of VPC %s",
						   svc->named.name,
						   ep->named.name,
						   cfg->vpc->named.name);
				return -EEXIST;
			}
	}
	if (total > VPCE_GATEWAY_PREFIXES_MAX) {
		NL_SET_ERR_MSG(extack,
			       "the VPC's gateway endpoints would reach too many prefixes");
		return -ENOSPC;
	}
	return 0;
}

static int vpce_gw_entry_cmp(const void *a, const void *b)
{
	const struct vpce_gw_entry *x = a, *y = b;

	return vpce_addr_cmp(&x->prefix.addr, &y->prefix.addr);
}

static void vpce_gw_add(struct vpce_gw_table *t, struct vpce_endpoint *ep)
{
	unsigned int i;

	for (i = 0; i < ep->svc->nprefixes; i++) {
		t->e[t->n].prefix = ep->svc->prefixes[i];
		t->e[t->n].ep = ep;
		t->n++;
	}
}

/*
 * The table of @vpc's gateway endpoints, with @add and without @skip (either
 * may be NULL). NULL when there is none, an error pointer when out of memory.
 */
static struct vpce_gw_table *vpce_gw_build(struct vpce_net *vn,
					   const struct vpce_vpc *vpc,
					   struct vpce_endpoint *add,
					   const struct vpce_endpoint *skip)
{
	struct vpce_endpoint *ep;
	struct vpce_gw_table *t;
	unsigned int n = add ? add->svc->nprefixes : 0;

	vpce_for_each_endpoint(ep, vn)
		if (ep != skip && vpce_is_gateway_of(ep, vpc))
			n += ep->svc->nprefixes;
	if (!n)
		return NULL;
	t = kzalloc(struct_size(t, e, n), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	vpce_for_each_endpoint(ep, vn)
		if (ep != skip && vpce_is_gateway_of(ep, vpc))
			vpce_gw_add(t, ep);
	if (add)
		vpce_gw_add(t, add);
	sort(t->e, t->n, sizeof(t->e[0]), vpce_gw_entry_cmp, NULL);
	return t;
}

/* The table a new endpoint @ep (not yet published) needs; see vpce_gw_build. */
struct vpce_gw_table *vpce_gateway_build(struct vpce_net *vn,
					 struct vpce_endpoint *ep)
{
	lockdep_assert_held(&vn->lock);
	return vpce_gw_build(vn, ep->vpc, ep, NULL);
}

void vpce_gateway_table_free(struct vpce_gw_table *t)
{
	kfree(t);
}

void vpce_gateway_publish(struct vpce_net *vn, struct vpce_vpc *vpc,
			  struct vpce_gw_table *t)
{
	struct vpce_gw_table *old;

	old = rcu_replace_pointer(vpc->gateways, t, lockdep_is_held(&vn->lock));
	if (old)
		kfree_rcu(old, rcu);
}

/*
 * Take an endpoint that goes out of its VPC's table. Removal cannot fail:
 * without memory for a smaller table its entries are cleared in place
 * (readers see the old endpoint or none, never a torn pointer, and the
 * endpoint itself is freed only after a grace period); the next change
 * rebuilds the table whole.
 */
void vpce_gateway_unpublish(struct vpce_net *vn, struct vpce_endpoint *ep)
{
	struct vpce_gw_table *t;
	unsigned int i;

	lockdep_assert_held(&vn->lock);

	t = vpce_gw_build(vn, ep->vpc, NULL, ep);
	if (!IS_ERR(t)) {
		vpce_gateway_publish(vn, ep->vpc, t);
		return;
	}
	t = rcu_dereference_protected(ep->vpc->gateways,
				      lockdep_is_held(&vn->lock));
	for (i = 0; t && i < t->n; i++)
		if (t->e[i].ep == ep)
			WRITE_ONCE(t->e[i].ep, NULL);
}

/*
 * The endpoint has become available: from now on the VPC's flows to its
 * prefixes are ours. Those that are live already were routed without it,
 * never evaluated: end them (AWS drops connections when it changes a
 * route), so that every flow that carries the mark was allowed first.
 */
void vpce_gateway_connected(struct vpce_net *vn, struct vpce_endpoint *ep)
{
	struct vpce_flow_match m = { .ep = ep };

	lockdep_assert_held(&vn->lock);
	ep->gw_live = true;
	vpce_flows_end(vn, &m);
}

/* The endpoint whose prefix holds @ct's original destination, if any. */
static struct vpce_endpoint *vpce_gw_lookup(const struct vpce_vpc *vpc,
					    const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct vpce_gw_table *tab = rcu_dereference(vpc->gateways);
	const struct vpce_gw_entry *e;
	unsigned int lo = 0, hi, mid;
	struct vpce_addr dst;

	if (!tab)
		return NULL;
	memset(&dst, 0, sizeof(dst));
	dst.family = t->src.l3num;
	dst.in = t->dst.u3;
	/* The last prefix that starts at or before @dst. */
	hi = tab->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (vpce_addr_cmp(&tab->e[mid].prefix.addr, &dst) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &tab->e[lo - 1];
	if (!vpce_prefix_holds(&e->prefix, &dst))
		return NULL;
	return READ_ONCE(e->ep);
}

/*
 * The gateway endpoint that carries @ct, a flow of @vpc: only an available
 * endpoint does. AWS adds an endpoint's routes once it is available, so
 * until then (and once rejected) the VPC's flows to the prefixes are left
 * to the host's routing, as if there were no endpoint. Flows with DNAT are
 * interface endpoints' flows, which come first.
 */
struct vpce_endpoint *vpce_gateway_find(const struct vpce_vpc *vpc,
					const struct nf_conn *ct)
{
	struct vpce_endpoint *ep;

	if (ct->status & IPS_DST_NAT)
		return NULL;
	ep = vpce_gw_lookup(vpc, ct);
	if (!ep || READ_ONCE(ep->state) != VPCE_STATE_AVAILABLE)
		return NULL;
	return ep;
}

/*
 * For flow walks: the gateway endpoint @ct is a flow of, if the endpoint
 * carries the VPC's flows or did until the change that walks (gw_live is
 * only written under vn->lock, which the walker holds).
 */
struct vpce_endpoint *vpce_gateway_flow_ep(const struct vpce_vpc *vpc,
					   const struct nf_conn *ct)
{
	struct vpce_endpoint *ep;

	if (ct->status & IPS_DST_NAT)
		return NULL;
	rcu_read_lock();
	ep = vpce_gw_lookup(vpc, ct);
	rcu_read_unlock();
	return ep && ep->gw_live ? ep : NULL;
}
