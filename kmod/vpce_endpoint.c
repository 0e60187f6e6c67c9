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
#include "vpce_flows.h"
#include "vpce_gateway.h"
#include "vpce_mcast.h"
#include "vpce_net.h"
#include "vpce_policy.h"
#include "vpce_principal.h"
#include "vpce_service.h"
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
	return ret;
}

struct vpce_endpoint *vpce_endpoint_find(struct vpce_net *vn, const char *name)
{
	struct vpce_named *n = vpce_names_find(&vn->endpoints, name);

	return n ? container_of(n, struct vpce_endpoint, named) : NULL;
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

static void vpce_endpoint_free_rcu(struct rcu_head *rcu)
{
	struct vpce_endpoint *ep = container_of(rcu, struct vpce_endpoint, rcu);

	/* A grace period has passed: no reader sees the policy either. */
	vpce_policy_free(rcu_dereference_protected(ep->policy, true));
	vpce_counters_free(&ep->stats);
	if (ep->own_requester)
		kfree(ep->requester);
	kfree(ep);
}

static int vpce_endpoint_check(struct vpce_net *vn,
			       const struct vpce_endpoint_config *cfg,
			       u8 *zones, struct netlink_ext_ack *extack)
{
	const struct vpce_zone_addr *a = cfg->addrs;
	unsigned int i, j;
	int z;

	if (vpce_endpoint_find(vn, cfg->name)) {
		NL_SET_ERR_MSG(extack, "an endpoint with this name exists");
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
		z = vpce_service_zone(cfg->svc, a[i].zone, extack);
		if (z < 0)
			return z;
		zones[i] = z;
		/* AWS refuses an IPv6 (or dual stack) endpoint for a service
		 * that cannot serve IPv6; so do we, per zone, up front,
		 * rather than accept an address whose flows must all fail.
		 */
		z = vpce_service_zone_family(cfg->svc, zones[i],
					     a[i].addr.family, extack);
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
	unsigned int i;
	int ret;

	lockdep_assert_held(&vn->lock);

	ret = vpce_endpoint_check(vn, cfg, zones, extack);
	if (ret)
		return ret;

	ep = kzalloc(struct_size(ep, addrs, cfg->naddrs), GFP_KERNEL_ACCOUNT);
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
	ret = vpce_counters_alloc(&ep->stats, cfg->naddrs);
	if (ret)
		goto err_requester;
	strscpy_pad(ep->named.name, cfg->name, sizeof(ep->named.name));
	ep->vpc = cfg->vpc;
	ep->svc = cfg->svc;
	ep->type = cfg->type;
	ep->mark = cfg->mark;
	RCU_INIT_POINTER(ep->policy, cfg->policy);
	ep->created = ktime_get_real_seconds();
	/* With acceptance required, no traffic until the provider accepts. */
	ep->state = cfg->svc->acceptance_required ?
		VPCE_STATE_PENDING_ACCEPTANCE : VPCE_STATE_AVAILABLE;
	ep->naddrs = cfg->naddrs;
	for (i = 0; i < cfg->naddrs; i++) {
		struct vpce_ep_addr *ea = &ep->addrs[i];

		ea->key.owner = cfg->vpc;
		ea->key.addr = cfg->addrs[i].addr;
		ea->zone = zones[i];
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
		ret = rhashtable_insert_fast(&vn->ep_addrs, &ep->addrs[i].node,
					     vpce_ep_addrs_params);
		if (ret)
			goto err_addrs;
	}
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
		rhashtable_remove_fast(&vn->ep_addrs, &ep->addrs[i].node,
				       vpce_ep_addrs_params);
	vpce_names_del(&vn->endpoints, &ep->named);
	/* ... and let a packet that still reads @ep or its policy finish,
	 * so that what follows may free at once, and the caller the policy.
	 */
	synchronize_net();
err_gw:
	vpce_gateway_table_free(gw);
err_counters:
	vpce_counters_free(&ep->stats);
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
	unsigned int i;

	if (ep->type == VPCE_TYPE_GATEWAY)
		vpce_gateway_unpublish(vn, ep);
	for (i = 0; i < ep->naddrs; i++)
		rhashtable_remove_fast(&vn->ep_addrs, &ep->addrs[i].node,
				       vpce_ep_addrs_params);
	vpce_names_del(&vn->endpoints, &ep->named);
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

	vpce_request_init(req, "vpce:Connect", ep->svc->arn, who->text,
			  who->account);
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
	rhashtable_destroy(&vn->ep_addrs);
}
