// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint services: their listeners, load balancer addresses (zones),
 * settings and allowed principals. Their targets, and the choice of a
 * target for a new flow, are in vpce_target.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_service.h"
#include "compat.h"
#include "vpce_drain.h"
#include "vpce_flows.h"
#include "vpce_gateway.h"
#include "vpce_net.h"
#include "vpce_target.h"

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/netlink.h>

int vpce_services_init(struct vpce_net *vn)
{
	return vpce_names_init(&vn->services);
}

struct vpce_service *vpce_service_find(struct vpce_net *vn, const char *name)
{
	struct vpce_named *n = vpce_names_find(&vn->services, name);

	return n ? container_of(n, struct vpce_service, named) : NULL;
}

/*
 * The index of @zone among the service's zones. A service with one zone
 * takes addresses and targets that name no zone.
 */
int vpce_service_zone(const struct vpce_service *svc, const char *zone,
		      struct netlink_ext_ack *extack)
{
	unsigned int z;

	/* Only gateway services have no zones; they have no targets either. */
	if (!svc->nzones) {
		NL_SET_ERR_MSG(extack,
			       "a gateway service has no zones and no targets");
		return -EINVAL;
	}
	if (!zone[0] && svc->nzones == 1)
		return 0;
	for (z = 0; z < svc->nzones; z++)
		if (!strcmp(svc->zones[z].name, zone))
			return z;
	if (!zone[0])
		NL_SET_ERR_MSG(extack,
			       "the service has several zones: name one");
	else
		NL_SET_ERR_MSG(extack, "the service has no such zone");
	return -EINVAL;
}

/*
 * A zone can serve a family only with a load balancer address of that
 * family: it is the source targets see. Targets and endpoint addresses of
 * a family the zone cannot serve are refused, so that a flow never finds
 * itself without a source address to be translated to.
 */
int vpce_service_zone_family(const struct vpce_service *svc, u8 zone,
			     u8 family, struct netlink_ext_ack *extack)
{
	if (vpce_service_nlb(svc, zone, family))
		return 0;
	if (svc->zones[zone].name[0])
		NL_SET_ERR_MSG_FMT(extack,
				   "the service has no %s load balancer address in zone %s",
				   vpce_fam_name(family), svc->zones[zone].name);
	else
		NL_SET_ERR_MSG_FMT(extack,
				   "the service has no %s load balancer address",
				   vpce_fam_name(family));
	return -EINVAL;
}

static struct vpce_listeners *vpce_listeners_alloc(unsigned int n)
{
	struct vpce_listeners *ls;

	ls = kzalloc(struct_size(ls, l, n), GFP_KERNEL_ACCOUNT);
	if (ls)
		ls->n = n;
	return ls;
}

/*
 * The load balancer addresses of a new service: each once, at most
 * VPCE_NLB_POOL_MAX per zone and family (a zone may be dual stack), and
 * at most VPCE_ZONES_MAX zones.
 */
static int vpce_service_check_nlbs(const struct vpce_service_config *cfg,
				   struct netlink_ext_ack *extack)
{
	const struct vpce_zone_addr *a, *b;
	unsigned int i, j, same, zones = 0;
	bool seen;

	for (i = 0; i < cfg->nnlbs; i++) {
		a = &cfg->nlbs[i];
		seen = false;
		same = 0;
		for (j = 0; j < i; j++) {
			b = &cfg->nlbs[j];
			if (vpce_addr_eq(&a->addr, &b->addr)) {
				NL_SET_ERR_MSG(extack,
					       "a load balancer address given twice");
				return -EINVAL;
			}
			if (strcmp(a->zone, b->zone))
				continue;
			seen = true;
			if (a->addr.family == b->addr.family)
				same++;
		}
		if (same >= VPCE_NLB_POOL_MAX) {
			NL_SET_ERR_MSG_FMT(extack,
					   "more than %u %s load balancer addresses in one zone",
					   VPCE_NLB_POOL_MAX,
					   vpce_fam_name(a->addr.family));
			return -EINVAL;
		}
		if (!seen && ++zones > VPCE_ZONES_MAX) {
			NL_SET_ERR_MSG(extack, "too many zones");
			return -E2BIG;
		}
	}
	return 0;
}

static int vpce_service_check(const struct vpce_service_config *cfg,
			      struct netlink_ext_ack *extack)
{
	unsigned int i, j;
	int ret;

	for (i = 0; i < cfg->nlisteners; i++)
		for (j = 0; j < i; j++)
			if (cfg->listeners[i].proto == cfg->listeners[j].proto &&
			    cfg->listeners[i].port == cfg->listeners[j].port) {
				NL_SET_ERR_MSG(extack,
					       "two listeners on one protocol and port");
				return -EINVAL;
			}
	ret = vpce_service_check_nlbs(cfg, extack);
	if (ret)
		return ret;
	return vpce_service_prefixes_check(cfg->prefixes, cfg->nprefixes,
					   extack);
}

/*
 * The zones of @cfg's load balancer addresses, in order of appearance, and
 * the pool of the addresses.
 */
static struct vpce_nlb_pool *
vpce_service_set_nlbs(struct vpce_service *svc,
		      const struct vpce_service_config *cfg)
{
	const struct vpce_zone_addr *za;
	unsigned int i, z;

	for (i = 0; i < cfg->nnlbs; i++) {
		za = &cfg->nlbs[i];
		for (z = 0; z < svc->nzones; z++)
			if (!strcmp(svc->zones[z].name, za->zone))
				break;
		if (z == svc->nzones) {
			strscpy(svc->zones[z].name, za->zone,
				sizeof(svc->zones[z].name));
			svc->nzones++;
		}
	}
	return vpce_nlb_pool_build(svc, cfg->nlbs, cfg->nnlbs);
}

int vpce_service_add(struct vpce_net *vn, const struct vpce_service_config *cfg,
		     struct netlink_ext_ack *extack)
{
	struct vpce_listeners *ls;
	struct vpce_nlb_pool *pool;
	struct vpce_service *svc;
	struct vpce_targets *ts;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (vpce_service_find(vn, cfg->name)) {
		NL_SET_ERR_MSG(extack, "a service with this name exists");
		return -EEXIST;
	}
	ret = vpce_service_check(cfg, extack);
	if (ret)
		return ret;

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return -ENOMEM;
	ret = -ENOMEM;
	svc->arn = kasprintf(GFP_KERNEL_ACCOUNT,
			     "arn:aws:ec2:%s:%012llu:vpc-endpoint-service/%s",
			     VPCE_REGION, cfg->account, cfg->name);
	if (!svc->arn)
		goto err_svc;
	ret = vpce_timeouts_init(&svc->timeouts, vn->net, VPCE_IDLE_TCP_DEFAULT);
	if (ret)
		goto err_arn;
	/* Flows are hashed with the namespace's secret until hash-seed gives
	 * the service a key of its own (one that several hosts can share).
	 */
	svc->hash_key = vn->flow_key;
	svc->cross_zone = cfg->set.cross_zone;
	strscpy(svc->private_dns, cfg->set.private_dns,
		sizeof(svc->private_dns));
	svc->dereg_delay = VPCE_DEREG_DELAY_DEFAULT;
	svc->hc.interval = VPCE_HC_INTERVAL_DEFAULT;
	svc->hc.healthy = VPCE_HC_HEALTHY_DEFAULT;
	svc->hc.unhealthy = VPCE_HC_UNHEALTHY_DEFAULT;
	svc->hc.timeout = VPCE_HC_TIMEOUT_DEFAULT;
	strscpy(svc->hc.path, "/", sizeof(svc->hc.path));
	strscpy(svc->hc.matcher, VPCE_HC_MATCHER_DEFAULT,
		sizeof(svc->hc.matcher));
	INIT_LIST_HEAD(&svc->drains);
	ret = -ENOMEM;
	pool = vpce_service_set_nlbs(svc, cfg);
	if (!pool)
		goto err_timeouts;
	RCU_INIT_POINTER(svc->nlbs, pool);
	ret = vpce_counters_alloc(&svc->stats, svc->nzones);
	if (ret)
		goto err_pool;
	ret = -ENOMEM;
	ts = vpce_targets_build(svc, NULL, NULL, 0, svc->cross_zone,
				&svc->hash_key);
	if (!ts)
		goto err_counters;
	strscpy_pad(svc->named.name, cfg->name, sizeof(svc->named.name));
	svc->account = cfg->account;
	svc->acceptance_required = cfg->acceptance_required;
	svc->type = cfg->type;
	if (cfg->type != VPCE_TYPE_GATEWAY) {
		ls = vpce_listeners_alloc(cfg->nlisteners);
		if (!ls)
			goto err_targets;
		memcpy(ls->l, cfg->listeners, ls->n * sizeof(*ls->l));
		RCU_INIT_POINTER(svc->listeners, ls);
	}
	svc->nprefixes = cfg->nprefixes;
	memcpy(svc->prefixes, cfg->prefixes,
	       cfg->nprefixes * sizeof(*cfg->prefixes));
	RCU_INIT_POINTER(svc->targets, ts);

	/* Published last: the name makes the service visible. */
	ret = vpce_names_add(&vn->services, &svc->named);
	if (ret)
		goto err_listeners;
	vpce_net_changed(vn);
	return 0;

err_listeners:
	kfree(rcu_dereference_protected(svc->listeners, true));
err_targets:
	vpce_targets_free(ts);
err_counters:
	vpce_counters_free(&svc->stats);
err_pool:
	kfree(pool);
err_timeouts:
	vpce_timeouts_put(&svc->timeouts);
err_arn:
	kfree(svc->arn);
err_svc:
	kfree(svc);
	return ret;
}

/*
 * A grace period after the service was unpublished, and its flows ended
 * (it has no endpoints): what a packet may read through it goes now.
 */
static void vpce_service_free_rcu(struct rcu_head *rcu)
{
	struct vpce_service *svc = container_of(rcu, struct vpce_service, rcu);

	vpce_timeouts_put(&svc->timeouts);
	vpce_counters_free(&svc->stats);
	kfree(rcu_dereference_protected(svc->listeners, true));
	kfree(rcu_dereference_protected(svc->nlbs, true));
	kfree(svc->arn);
	kfree(svc);
}

static void vpce_service_free(struct vpce_net *vn, struct vpce_service *svc)
{
	const struct vpce_targets *ts = vpce_service_targets(svc, vn);
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		vpce_tstats_del(vn, svc, &ts->t[i].addr);
	vpce_drain_stop_all(svc);
	vpce_names_del(&vn->services, &svc->named);
	kfree(svc->principals);
	call_rcu(&vpce_service_targets(svc, vn)->rcu, vpce_targets_free_rcu);
	call_rcu(&svc->rcu, vpce_service_free_rcu);
}

int vpce_service_del(struct vpce_net *vn, struct vpce_service *svc,
		     struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);

	if (svc->endpoint_count) {
		NL_SET_ERR_MSG(extack, "the service has endpoints");
		return -EBUSY;
	}
	/* Without endpoints the service has no flows: nothing to end. */
	vpce_service_free(vn, svc);
	vpce_net_changed(vn);
	return 0;
}

void vpce_services_destroy(struct vpce_net *vn)
{
	struct vpce_named *n, *tmp;

	list_for_each_entry_safe(n, tmp, &vn->services.list, list)
		vpce_service_free(vn, container_of(n, struct vpce_service,
						   named));
	vpce_names_destroy(&vn->services);
}

static int vpce_principal_index(const struct vpce_principals *ps,
				const struct vpce_arn *arn)
{
	unsigned int i;

	for (i = 0; ps && i < ps->n; i++)
		if (vpce_arn_eq(&ps->arn[i], arn))
			return i;
	return -1;
}

int vpce_service_allow(struct vpce_net *vn, struct vpce_service *svc,
		       const struct vpce_arn *arn, struct netlink_ext_ack *extack)
{
	struct vpce_principals *ps = svc->principals;
	unsigned int n = ps ? ps->n : 0;

	lockdep_assert_held(&vn->lock);

	if (vpce_principal_index(ps, arn) >= 0) {
		NL_SET_ERR_MSG(extack, "the principal is allowed already");
		return -EEXIST;
	}
	if (n >= VPCE_PRINCIPALS_MAX) {
		NL_SET_ERR_MSG(extack, "the service has too many allowed principals");
		return -ENOSPC;
	}
	ps = krealloc(svc->principals, struct_size(ps, arn, n + 1), GFP_KERNEL_ACCOUNT);
	if (!ps)
		return -ENOMEM;
	ps->arn[n] = *arn;
	ps->n = n + 1;
	svc->principals = ps;
	vpce_net_changed(vn);
	return 0;
}

/* Existing endpoints keep their connection, as in AWS. */
int vpce_service_disallow(struct vpce_net *vn, struct vpce_service *svc,
			  const struct vpce_arn *arn,
			  struct netlink_ext_ack *extack)
{
	struct vpce_principals *ps = svc->principals;
	int i = vpce_principal_index(ps, arn);

	lockdep_assert_held(&vn->lock);

	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the principal is not allowed");
		return -ENOENT;
	}
	memmove(&ps->arn[i], &ps->arn[i + 1], (ps->n - i - 1) * sizeof(*ps->arn));
	ps->n--;
	vpce_net_changed(vn);
	return 0;
}

/* The owner's own account needs no permission. */
bool vpce_service_permits(const struct vpce_service *svc,
			  const struct vpce_arn *requester)
{
	const struct vpce_principals *ps = svc->principals;
	unsigned int i;

	if (requester->kind != VPCE_ARN_ANY &&
	    requester->account == svc->account)
		return true;
	for (i = 0; ps && i < ps->n; i++)
		if (vpce_arn_covers(&ps->arn[i], requester))
			return true;
	return false;
}

static int vpce_listener_index(const struct vpce_listeners *ls, u8 proto,
			       u16 port)
{
	unsigned int i;

	for (i = 0; ls && i < ls->n; i++)
		if (ls->l[i].port == port && ls->l[i].proto == proto)
			return i;
	return -1;
}

/*
 * The listener on @proto and @port; the caller holds the RCU read lock
 * for as long as it uses it (the set may be replaced meanwhile).
 */
const struct vpce_listener *vpce_service_listener(const struct vpce_service *svc,
						  u8 proto, u16 port)
{
	const struct vpce_listeners *ls = rcu_dereference(svc->listeners);
	int i = vpce_listener_index(ls, proto, port);

	return i < 0 ? NULL : &ls->l[i];
}

/*
 * The current set of a service that has listeners: a gateway service has
 * none to change.
 */
static struct vpce_listeners *
vpce_listeners_of(struct vpce_net *vn, struct vpce_service *svc,
		  struct netlink_ext_ack *extack)
{
	struct vpce_listeners *ls;

	ls = rcu_dereference_protected(svc->listeners,
				       lockdep_is_held(&vn->lock));
	if (!ls)
		NL_SET_ERR_MSG(extack, "a gateway service has no listeners");
	return ls;
}

/*
 * A new listener takes new flows at once; no live flow is to its port (a
 * flow to a port without a listener is refused), so none has to end.
 */
int vpce_service_listener_add(struct vpce_net *vn, struct vpce_service *svc,
			      const struct vpce_listener *l,
			      struct netlink_ext_ack *extack)
{
	struct vpce_listeners *cur, *ls;

	lockdep_assert_held(&vn->lock);

	cur = vpce_listeners_of(vn, svc, extack);
	if (!cur)
		return -EINVAL;
	if (vpce_listener_index(cur, l->proto, l->port) >= 0) {
		NL_SET_ERR_MSG(extack,
			       "the service has a listener on this protocol and port");
		return -EEXIST;
	}
	if (cur->n >= VPCE_LISTENERS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "a service has at most %u listeners",
				   VPCE_LISTENERS_MAX);
		return -ENOSPC;
	}
	ls = vpce_listeners_alloc(cur->n + 1);
	if (!ls)
		return -ENOMEM;
	memcpy(ls->l, cur->l, cur->n * sizeof(*ls->l));
	ls->l[cur->n] = *l;
	/* Complete before it is visible: rcu_assign_pointer() orders it. */
	rcu_assign_pointer(svc->listeners, ls);
	kfree_rcu(cur, rcu);
	vpce_net_changed(vn);
	return 0;
}

/*
 * The listener's live flows end (TCP clients get a reset, as when a
 * target is deregistered without delay); the service's other flows go on.
 * A service keeps at least one listener, as it was created with: to stop
 * it, delete it.
 */
int vpce_service_listener_del(struct vpce_net *vn, struct vpce_service *svc,
			      u8 proto, u16 port,
			      struct netlink_ext_ack *extack)
{
	struct vpce_flow_match m = { .svc = svc };
	struct vpce_listeners *cur, *ls;
	struct vpce_listener gone;
	int i;

	lockdep_assert_held(&vn->lock);

	cur = vpce_listeners_of(vn, svc, extack);
	if (!cur)
		return -EINVAL;
	i = vpce_listener_index(cur, proto, port);
	if (i < 0) {
		NL_SET_ERR_MSG(extack,
			       "the service has no listener on this protocol and port");
		return -ENOENT;
	}
	if (cur->n == 1) {
		NL_SET_ERR_MSG(extack,
			       "the last listener of a service cannot be deleted (delete the service)");
		return -EBUSY;
	}
	ls = vpce_listeners_alloc(cur->n - 1);
	if (!ls)
		return -ENOMEM;
	memcpy(ls->l, cur->l, i * sizeof(*ls->l));
	memcpy(&ls->l[i], &cur->l[i + 1], (cur->n - i - 1) * sizeof(*ls->l));
	gone = cur->l[i];
	rcu_assign_pointer(svc->listeners, ls);
	kfree_rcu(cur, rcu);
	/* New flows to the port are refused from here; vpce_flows_end()
	 * waits for a packet that read the old set before it walks.
	 */
	m.listener = &gone;
	vpce_flows_end(vn, &m);
	vpce_net_changed(vn);
	return 0;
}

/* Service settings: see struct vpce_service_settings. */
int vpce_service_set(struct vpce_net *vn, struct vpce_service *svc,
		     const struct vpce_service_settings *set,
		     struct netlink_ext_ack *extack)
{
	const struct vpce_targets *cur = vpce_service_targets(svc, vn);
	bool cross_zone = svc->cross_zone;
	siphash_key_t key = svc->hash_key;
	struct vpce_targets *ts = NULL;

	lockdep_assert_held(&vn->lock);

	if (!set->mask) {
		NL_SET_ERR_MSG(extack, "nothing to set");
		return -EINVAL;
	}
	if ((set->mask & VPCE_SET_FLOW_LOG) && set->flowlog &&
	    svc->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(extack,
			       "a gateway service has no targets: its flows are logged by its endpoints");
		return -EINVAL;
	}
	if ((set->mask & VPCE_SET_PROXY_PROTOCOL) && set->proxy_protocol &&
	    svc->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(extack,
			       "a gateway service has no targets to send a PROXY header to");
		return -EINVAL;
	}
	if (set->mask & VPCE_SET_CROSS_ZONE)
		cross_zone = set->cross_zone;
	if (set->mask & VPCE_SET_HASH_SEED)
		key = set->hash_key;
	/*
	 * The tables depend on both: build them before changing anything.
	 * Setting the hash seed, even to the one it has, builds every table
	 * from its set of targets alone, forgetting the removals that the
	 * tables were refilled after: that is how hosts that saw different
	 * histories come to agree again.
	 */
	if (cross_zone != svc->cross_zone ||
	    (set->mask & VPCE_SET_HASH_SEED)) {
		ts = vpce_targets_build(svc, set->mask & VPCE_SET_HASH_SEED ?
					NULL : cur, cur->t, cur->n,
					cross_zone, &key);
		if (!ts)
			return -ENOMEM;
	}

	if (set->mask & VPCE_SET_ACCEPTANCE)
		svc->acceptance_required = set->acceptance_required;
	if (set->mask & VPCE_SET_PRIVATE_DNS)
		strscpy(svc->private_dns, set->private_dns,
			sizeof(svc->private_dns));
	/* Targets draining already keep the delay they started with. */
	if (set->mask & VPCE_SET_DEREG_DELAY)
		svc->dereg_delay = set->dereg_delay;
	if (set->mask & VPCE_SET_IDLE_TIMEOUT)
		vpce_timeouts_set_idle(&svc->timeouts, set->idle_timeout);
	if (set->mask & VPCE_SET_HEALTH_CHECK)
		svc->hc = set->hc;
	if (set->mask & VPCE_SET_HASH_SEED)
		svc->hash_seed_set = true;
	/* Read once per new flow: the flows already open keep what they
	 * started with.
	 */
	if (set->mask & VPCE_SET_PROXY_PROTOCOL)
		WRITE_ONCE(svc->proxy_protocol, set->proxy_protocol);
	if (set->mask & VPCE_SET_FLOW_LOG)
		WRITE_ONCE(svc->flowlog, set->flowlog);
	svc->cross_zone = cross_zone;
	svc->hash_key = key;
	if (ts)
		vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);
	return 0;
}

