// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint services, their listeners, load balancer addresses and targets,
 * and the choice of a target for a new flow.
 */

#include "vpce_service.h"
#include "vpce_net.h"

#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

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

	if (!zone[0] && svc->nzones == 1)
		return 0;
	for (z = 0; z < svc->nzones; z++)
		if (!strcmp(svc->nlbs[z].zone, zone))
			return z;
	if (!zone[0])
		NL_SET_ERR_MSG(extack,
			       "the service has several zones: name one");
	else
		NL_SET_ERR_MSG(extack, "the service has no such zone");
	return -EINVAL;
}

static int vpce_service_check(const struct vpce_service_config *cfg,
			      struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	for (i = 0; i < cfg->nlisteners; i++)
		for (j = 0; j < i; j++)
			if (cfg->listeners[i].proto == cfg->listeners[j].proto &&
			    cfg->listeners[i].port == cfg->listeners[j].port) {
				NL_SET_ERR_MSG(extack,
					       "two listeners on one protocol and port");
				return -EINVAL;
			}
	for (i = 0; i < cfg->nzones; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->nlbs[i].zone, cfg->nlbs[j].zone)) {
				NL_SET_ERR_MSG(extack,
					       "two load balancer addresses in one zone");
				return -EINVAL;
			}
	return 0;
}

/*
 * Build the packet path's view of @n targets: the targets themselves and the
 * healthy ones grouped by zone.
 */
static struct vpce_targets *vpce_targets_build(const struct vpce_target *t,
					       unsigned int n,
					       unsigned int nzones)
{
	struct vpce_targets *ts;
	unsigned int i, z, k = 0;

	ts = kzalloc(struct_size(ts, t, n), GFP_KERNEL);
	if (!ts)
		return NULL;
	ts->pick = kcalloc(max(n, 1U), sizeof(*ts->pick), GFP_KERNEL);
	if (!ts->pick) {
		kfree(ts);
		return NULL;
	}
	memcpy(ts->t, t, n * sizeof(*t));
	ts->n = n;
	for (z = 0; z < nzones; z++) {
		ts->zone_off[z] = k;
		for (i = 0; i < n; i++)
			if (t[i].zone == z && t[i].health == VPCE_HEALTH_HEALTHY)
				ts->pick[k++] = i;
		ts->zone_n[z] = k - ts->zone_off[z];
	}
	ts->healthy = k;
	return ts;
}

static void vpce_targets_free(struct vpce_targets *ts)
{
	if (ts) {
		kfree(ts->pick);
		kfree(ts);
	}
}

static void vpce_targets_free_rcu(struct rcu_head *rcu)
{
	vpce_targets_free(container_of(rcu, struct vpce_targets, rcu));
}

static void vpce_targets_replace(struct vpce_net *vn, struct vpce_service *svc,
				 struct vpce_targets *ts)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn);

	rcu_assign_pointer(svc->targets, ts);
	if (old)
		call_rcu(&old->rcu, vpce_targets_free_rcu);
}

int vpce_service_add(struct vpce_net *vn, const struct vpce_service_config *cfg,
		     struct netlink_ext_ack *extack)
{
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

	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	ts = vpce_targets_build(NULL, 0, 0);
	if (svc)
		svc->arn = kasprintf(GFP_KERNEL, "arn:aws:ec2:%s:%012llu:vpc-endpoint-service/%s",
				     VPCE_REGION, cfg->account, cfg->name);
	if (!svc || !ts || !svc->arn) {
		ret = -ENOMEM;
		goto err;
	}
	strscpy_pad(svc->named.name, cfg->name, sizeof(svc->named.name));
	svc->account = cfg->account;
	svc->acceptance_required = cfg->acceptance_required;
	svc->type = cfg->type;
	svc->nlisteners = cfg->nlisteners;
	memcpy(svc->listeners, cfg->listeners,
	       cfg->nlisteners * sizeof(*cfg->listeners));
	svc->nzones = cfg->nzones;
	memcpy(svc->nlbs, cfg->nlbs, cfg->nzones * sizeof(*cfg->nlbs));
	RCU_INIT_POINTER(svc->targets, ts);

	ret = vpce_names_add(&vn->services, &svc->named);
	if (ret)
		goto err;
	vpce_net_changed(vn);
	return 0;

err:
	vpce_targets_free(ts);
	if (svc)
		kfree(svc->arn);
	kfree(svc);
	return ret;
}

static void vpce_service_free_rcu(struct rcu_head *rcu)
{
	struct vpce_service *svc = container_of(rcu, struct vpce_service, rcu);

	kfree(svc->arn);
	kfree(svc);
}

static void vpce_service_free(struct vpce_net *vn, struct vpce_service *svc)
{
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
	ps = krealloc(svc->principals, struct_size(ps, arn, n + 1), GFP_KERNEL);
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

static int vpce_target_index(const struct vpce_targets *ts,
			     const struct vpce_addr *addr)
{
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		if (vpce_addr_eq(&ts->t[i].addr, addr))
			return i;
	return -1;
}

int vpce_target_add(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_target *tgt,
		    struct netlink_ext_ack *extack)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn), *ts;
	struct vpce_target *t;

	lockdep_assert_held(&vn->lock);

	if (vpce_target_index(old, &tgt->addr) >= 0) {
		NL_SET_ERR_MSG(extack, "the service has this target");
		return -EEXIST;
	}
	if (old->n >= VPCE_TARGETS_MAX) {
		NL_SET_ERR_MSG(extack, "the service has too many targets");
		return -ENOSPC;
	}
	t = kmalloc_array(old->n + 1, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	memcpy(t, old->t, old->n * sizeof(*t));
	t[old->n] = *tgt;
	ts = vpce_targets_build(t, old->n + 1, svc->nzones);
	kfree(t);
	if (!ts)
		return -ENOMEM;
	vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);
	return 0;
}

int vpce_target_del(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_addr *addr,
		    struct netlink_ext_ack *extack)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn), *ts;
	struct vpce_flow_match m = { .svc = svc, .target = addr };
	struct vpce_target *t;
	int i;

	lockdep_assert_held(&vn->lock);

	i = vpce_target_index(old, addr);
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the service has no such target");
		return -ENOENT;
	}
	t = kmemdup(old->t, old->n * sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	memmove(&t[i], &t[i + 1], (old->n - i - 1) * sizeof(*t));
	ts = vpce_targets_build(t, old->n - 1, svc->nzones);
	kfree(t);
	if (!ts)
		return -ENOMEM;
	vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);
	/* No new flow picks the target any more; end those it has. */
	vpce_flows_end(vn, &m);
	return 0;
}

const struct vpce_listener *vpce_service_listener(const struct vpce_service *svc,
						  u8 proto, u16 port)
{
	unsigned int i;

	for (i = 0; i < svc->nlisteners; i++)
		if (svc->listeners[i].port == port &&
		    svc->listeners[i].proto == proto)
			return &svc->listeners[i];
	return NULL;
}

/*
 * Choose the target of a new flow from an endpoint address in @zone: a
 * healthy target of that zone; failing that, a healthy target of any zone;
 * failing that, any target at all (like the NLB, fail open rather than
 * refuse everything when health checks are wrong).
 */
const struct vpce_target *vpce_service_pick(const struct vpce_service *svc,
					    u8 zone, u32 hash)
{
	const struct vpce_targets *ts = rcu_dereference(svc->targets);

	if (ts->zone_n[zone])
		return &ts->t[ts->pick[ts->zone_off[zone] +
				       reciprocal_scale(hash, ts->zone_n[zone])]];
	if (ts->healthy)
		return &ts->t[ts->pick[reciprocal_scale(hash, ts->healthy)]];
	if (ts->n)
		return &ts->t[reciprocal_scale(hash, ts->n)];
	return NULL;
}
