// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint services, their listeners, load balancer addresses and targets,
 * and the choice of a target for a new flow.
 */

#include "vpce_service.h"
#include "vpce_gateway.h"
#include "vpce_drain.h"
#include "vpce_net.h"
#include "vpce_netlink.h"
#include "vpce_stats.h"

#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netfilter/nf_conntrack_tuple.h>
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

	/* Only gateway services have no zones; they have no targets either. */
	if (!svc->nzones) {
		NL_SET_ERR_MSG(extack,
			       "a gateway service has no zones and no targets");
		return -EINVAL;
	}
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
	if (svc->nlbs[zone].zone[0])
		vpce_set_err_fmt(extack,
				 "the service has no %s load balancer address in zone %s",
				 vpce_fam_name(family), svc->nlbs[zone].zone);
	else
		vpce_set_err_fmt(extack,
				 "the service has no %s load balancer address",
				 vpce_fam_name(family));
	return -EINVAL;
}

static int vpce_service_check(const struct vpce_service_config *cfg,
			      struct netlink_ext_ack *extack)
{
	unsigned int i, j, zones = 0;
	bool seen;

	for (i = 0; i < cfg->nlisteners; i++)
		for (j = 0; j < i; j++)
			if (cfg->listeners[i].proto == cfg->listeners[j].proto &&
			    cfg->listeners[i].port == cfg->listeners[j].port) {
				NL_SET_ERR_MSG(extack,
					       "two listeners on one protocol and port");
				return -EINVAL;
			}
	/* One address per family and zone: a zone may be dual stack. */
	for (i = 0; i < cfg->nnlbs; i++) {
		seen = false;
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->nlbs[i].zone, cfg->nlbs[j].zone))
				continue;
			seen = true;
			if (cfg->nlbs[i].addr.family == cfg->nlbs[j].addr.family) {
				vpce_set_err_fmt(extack,
						 "two %s load balancer addresses in one zone",
						 vpce_fam_name(cfg->nlbs[i].addr.family));
				return -EINVAL;
			}
		}
		if (!seen && ++zones > VPCE_ZONES_MAX) {
			NL_SET_ERR_MSG(extack, "too many zones");
			return -E2BIG;
		}
	}
	return vpce_service_prefixes_check(cfg->prefixes, cfg->nprefixes,
					   extack);
}

/* The zones of @cfg's load balancer addresses, in order of appearance. */
static void vpce_service_set_nlbs(struct vpce_service *svc,
				  const struct vpce_service_config *cfg)
{
	const struct vpce_zone_addr *za;
	unsigned int i, z;

	for (i = 0; i < cfg->nnlbs; i++) {
		za = &cfg->nlbs[i];
		for (z = 0; z < svc->nzones; z++)
			if (!strcmp(svc->nlbs[z].zone, za->zone))
				break;
		if (z == svc->nzones) {
			strscpy(svc->nlbs[z].zone, za->zone,
				sizeof(svc->nlbs[z].zone));
			svc->nzones++;
		}
		if (za->addr.family == AF_INET6)
			svc->nlb6[z] = za->addr;
		else
			svc->nlbs[z].addr = za->addr;
	}
}

static void vpce_targets_free(struct vpce_targets *ts)
{
	unsigned int f, z;

	if (!ts)
		return;
	for (f = 0; f < VPCE_FAMILIES; f++) {
		for (z = 0; z < VPCE_ZONES_MAX; z++)
			vpce_maglev_free(&ts->zone[f][z]);
		vpce_maglev_free(&ts->all[f]);
	}
	kfree(ts);
}

static void vpce_targets_free_rcu(struct rcu_head *rcu)
{
	vpce_targets_free(container_of(rcu, struct vpce_targets, rcu));
}

static bool vpce_target_healthy(const struct vpce_target *t)
{
	return t->health == VPCE_HEALTH_HEALTHY;
}

/* Failing open takes unhealthy targets, never draining ones. */
static bool vpce_target_not_draining(const struct vpce_target *t)
{
	return t->health != VPCE_HEALTH_DRAINING;
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

/*
 * Can @tab be refilled from @prev, the same table of the targets @old? Only
 * when each of its @n members @m was a member of @prev with the same
 * weight (targets went, health went bad, nothing came or changed): then
 * @map gets, for each target of @old, its index in the new targets or
 * VPCE_MAGLEV_GONE. A target that comes, or a new weight, rebuilds the
 * table from the set of targets alone.
 */
static bool vpce_targets_shrunk(const struct vpce_targets *old,
				const struct vpce_maglev *prev,
				const struct vpce_targets *ts,
				const struct vpce_maglev_member *m,
				unsigned int n, u16 *map)
{
	unsigned long *had;
	bool ok = false;
	unsigned int j;
	int i;
	u32 c;

	if (prev->n <= 1 || n <= 1 || n > prev->n)
		return false;
	had = bitmap_zalloc(old->n, GFP_KERNEL_ACCOUNT);
	if (!had)
		return false;
	for (c = 0; c < VPCE_MAGLEV_SIZE; c++)
		__set_bit(prev->slots[c], had);
	for (j = 0; j < old->n; j++)
		map[j] = VPCE_MAGLEV_GONE;
	for (j = 0; j < n; j++) {
		const struct vpce_target *t = &ts->t[m[j].index];

		i = vpce_target_index(old, &t->addr);
		if (i < 0 || !test_bit(i, had) ||
		    old->t[i].weight != t->weight)
			goto out;
		map[i] = m[j].index;
	}
	ok = true;
out:
	bitmap_free(had);
	return ok;
}

/*
 * Build the Maglev table of the targets of @ts of family @family in zone
 * @zone (any zone when @zone < 0) for which @want is true; @m is room for
 * ts->n members. With
 * @prev, the same table of the targets @old, a table that only lost
 * members keeps every slot of the members that stay (exactly 1/N of the
 * flows move when one of N targets goes), see vpce_maglev_refill().
 */
static int vpce_targets_table(struct vpce_maglev *tab,
			      const struct vpce_targets *ts,
			      struct vpce_maglev_member *m, u8 family,
			      int zone,
			      bool (*want)(const struct vpce_target *t),
			      const struct vpce_targets *old,
			      const struct vpce_maglev *prev, u16 *map)
{
	unsigned int i, n = 0;

	for (i = 0; i < ts->n; i++) {
		const struct vpce_target *t = &ts->t[i];

		if (t->addr.family != family ||
		    (zone >= 0 && t->zone != zone) || !want(t))
			continue;
		m[n].id[0] = t->addr.family;
		memcpy(&m[n].id[1], &t->addr.in, sizeof(t->addr.in));
		m[n].weight = t->weight;
		m[n].index = i;
		n++;
	}
	if (old && vpce_targets_shrunk(old, prev, ts, m, n, map))
		return vpce_maglev_refill(tab, m, n, prev, map);
	return vpce_maglev_build(tab, m, n);
}

/*
 * Build the packet path's view of @n targets of @svc: the targets
 * themselves, the flow hash key, and the Maglev tables (see struct
 * vpce_targets), refilling those of @old where targets only went. With
 * @old NULL, every table is built from its set of targets alone, as
 * another host with the same targets builds it. Process context: a table
 * takes a millisecond or two to build, which is why the packet path never
 * does it.
 */
static struct vpce_targets *vpce_targets_build(const struct vpce_service *svc,
					       const struct vpce_targets *old,
					       const struct vpce_target *t,
					       unsigned int n, bool cross_zone,
					       const siphash_key_t *key)
{
	static const u8 families[VPCE_FAMILIES] = { AF_INET, AF_INET6 };
	struct vpce_maglev_member *m;
	struct vpce_targets *ts;
	unsigned int i, f, z;
	u16 *map = NULL;
	bool need_all;
	int ret = 0;

	ts = kzalloc(struct_size(ts, t, n), GFP_KERNEL_ACCOUNT);
	m = kmalloc_array(max(n, 1U), sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (old && old->n)
		map = kmalloc_array(old->n, sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!ts || !m || (old && old->n && !map))
		goto err;
	if (!map)
		old = NULL;
	memcpy(ts->t, t, n * sizeof(*t));
	ts->n = n;
	ts->key = *key;
	for (i = 0; i < n; i++)
		ts->healthy[vpce_fam(t[i].addr.family)] +=
			vpce_target_healthy(&t[i]);

	/* The families never mix: a flow goes to a target of its own. */
	for (f = 0; f < VPCE_FAMILIES && !ret; f++) {
		need_all = cross_zone;
		for (z = 0; z < svc->nzones && !cross_zone && !ret; z++) {
			if (!vpce_service_nlb(svc, z, families[f]))
				continue;
			ret = vpce_targets_table(&ts->zone[f][z], ts, m,
						 families[f], z,
						 vpce_target_healthy, old,
						 old ? &old->zone[f][z] : NULL,
						 map);
			/* A zone without a healthy target fails over to the
			 * others.
			 */
			if (!ts->zone[f][z].n)
				need_all = true;
		}
		if (need_all && !ret)
			ret = vpce_targets_table(&ts->all[f], ts, m,
						 families[f], -1,
						 ts->healthy[f] ?
						 vpce_target_healthy :
						 vpce_target_not_draining, old,
						 old ? &old->all[f] : NULL, map);
	}
	if (ret)
		goto err;
	kfree(map);
	kfree(m);
	return ts;
err:
	kfree(map);
	kfree(m);
	vpce_targets_free(ts);
	return NULL;
}

static void vpce_targets_replace(struct vpce_net *vn, struct vpce_service *svc,
				 struct vpce_targets *ts)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn);

	rcu_assign_pointer(svc->targets, ts);
	if (old)
		call_rcu(&old->rcu, vpce_targets_free_rcu);
}

/* A new target set like @old, with targets @t[0..n). */
static struct vpce_targets *vpce_targets_rebuild(struct vpce_service *svc,
						 const struct vpce_targets *old,
						 const struct vpce_target *t,
						 unsigned int n)
{
	return vpce_targets_build(svc, old, t, n, svc->cross_zone,
				  &svc->hash_key);
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

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return -ENOMEM;
	svc->arn = kasprintf(GFP_KERNEL_ACCOUNT,
			     "arn:aws:ec2:%s:%012llu:vpc-endpoint-service/%s",
			     VPCE_REGION, cfg->account, cfg->name);
	if (!svc->arn) {
		kfree(svc);
		return -ENOMEM;
	}
	ret = vpce_timeouts_init(&svc->timeouts, vn->net, VPCE_IDLE_TCP_DEFAULT);
	if (ret) {
		kfree(svc->arn);
		kfree(svc);
		return ret;
	}
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
	strscpy(svc->hc.path, "/", sizeof(svc->hc.path));
	INIT_LIST_HEAD(&svc->drains);
	vpce_service_set_nlbs(svc, cfg);
	ts = vpce_targets_build(svc, NULL, NULL, 0, svc->cross_zone,
				&svc->hash_key);
	ret = vpce_counters_alloc(&svc->stats, svc->nzones);
	if (!ts || ret) {
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
	svc->nprefixes = cfg->nprefixes;
	memcpy(svc->prefixes, cfg->prefixes,
	       cfg->nprefixes * sizeof(*cfg->prefixes));
	RCU_INIT_POINTER(svc->targets, ts);

	ret = vpce_names_add(&vn->services, &svc->named);
	if (ret)
		goto err;
	vpce_net_changed(vn);
	return 0;

err:
	vpce_targets_free(ts);
	vpce_counters_free(&svc->stats);
	vpce_timeouts_put(&svc->timeouts);
	kfree(svc->arn);
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

int vpce_target_add(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_target *tgt,
		    struct netlink_ext_ack *extack)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn), *ts = NULL;
	struct vpce_target *t;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (svc->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(extack,
			       "a gateway service has no targets: it is reached on its prefixes");
		return -EINVAL;
	}
	if (vpce_target_index(old, &tgt->addr) >= 0) {
		NL_SET_ERR_MSG(extack, "the service has this target");
		return -EEXIST;
	}
	if (old->n >= VPCE_TARGETS_MAX) {
		NL_SET_ERR_MSG(extack, "the service has too many targets");
		return -ENOSPC;
	}
	ret = vpce_tstats_add(vn, svc, &tgt->addr);
	if (ret)
		return ret;
	t = kmalloc_array(old->n + 1, sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (t) {
		memcpy(t, old->t, old->n * sizeof(*t));
		t[old->n] = *tgt;
		ts = vpce_targets_rebuild(svc, old, t, old->n + 1);
		kfree(t);
	}
	if (!ts) {
		vpce_tstats_del(vn, svc, &tgt->addr);
		return -ENOMEM;
	}
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
	t = kmemdup(old->t, old->n * sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	memmove(&t[i], &t[i + 1], (old->n - i - 1) * sizeof(*t));
	ts = vpce_targets_rebuild(svc, old, t, old->n - 1);
	kfree(t);
	if (!ts)
		return -ENOMEM;
	vpce_targets_replace(vn, svc, ts);
	vpce_drain_stop(svc, addr);
	vpce_net_changed(vn);
	/* No new flow picks the target any more; end those it has. */
	vpce_flows_end(vn, &m);
	vpce_tstats_del(vn, svc, addr);
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
 * Target set. Weight and health change together or not at all: the new
 * target set and, for a target starting to drain, its delayed work are
 * allocated before anything is published.
 */
int vpce_target_set(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_addr *addr,
		    const struct vpce_target_change *chg,
		    struct netlink_ext_ack *extack)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn), *ts;
	struct vpce_flow_match m = { .svc = svc, .target = addr };
	struct vpce_drain *drain = NULL;
	struct vpce_target *t;
	u8 was;
	int i;

	lockdep_assert_held(&vn->lock);

	i = vpce_target_index(old, addr);
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the service has no such target");
		return -ENOENT;
	}
	was = old->t[i].health;
	if (chg->health == VPCE_HEALTH_DRAINING && was != VPCE_HEALTH_DRAINING) {
		drain = vpce_drain_alloc(vn, svc, addr);
		if (!drain)
			return -ENOMEM;
	}
	t = kmemdup(old->t, old->n * sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t) {
		kfree(drain);
		return -ENOMEM;
	}
	if (chg->weight >= 0)
		t[i].weight = chg->weight;
	if (chg->health >= 0)
		t[i].health = chg->health;
	ts = vpce_targets_rebuild(svc, old, t, old->n);
	kfree(t);
	if (!ts) {
		kfree(drain);
		return -ENOMEM;
	}
	vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);

	if (chg->health < 0 || chg->health == was)
		return 0;
	/* Leaving draining, whichever way, stops the clock. */
	if (was == VPCE_HEALTH_DRAINING)
		vpce_drain_stop(svc, addr);
	if (drain)
		vpce_drain_start(drain, svc->dereg_delay);
	/* An unhealthy target's flows end now (NLB connection termination);
	 * no new flow picks it (unless every target is unhealthy and the
	 * service fails open).
	 */
	if (chg->health == VPCE_HEALTH_UNHEALTHY)
		vpce_flows_end(vn, &m);
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
	svc->cross_zone = cross_zone;
	svc->hash_key = key;
	if (ts)
		vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);
	return 0;
}

/*
 * The flow hash: the same flow key gives the same target on every host
 * with the same targets and hash seed. So it names the VPC by its name, not
 * by anything local to this host such as its conntrack zone.
 */
static u32 vpce_flow_hash(const struct vpce_targets *ts, const char *vpc,
			  const struct nf_conntrack_tuple *t)
{
	struct {
		char vpc[VPCE_NAME_MAX + 1];
		u8 proto;
		u8 family;
		__be16 sport;
		union nf_inet_addr src;
	} key;

	memset(&key, 0, sizeof(key));
	strscpy(key.vpc, vpc, sizeof(key.vpc));
	key.proto = t->dst.protonum;
	key.family = t->src.l3num;
	key.sport = t->src.u.all;
	key.src = t->src.u3;
	return siphash(&key, sizeof(key), &ts->key);
}

/*
 * Choose the target of a new flow from an endpoint address in @zone, among
 * the targets of the flow's family: a healthy target of that zone; failing
 * that (or with cross-zone on), a healthy target of any zone; failing
 * that, any target that is not draining (like the NLB, fail open rather than refuse everything when
 * health checks are wrong). struct vpce_targets has the tables ready.
 */
const struct vpce_target *vpce_service_pick(const struct vpce_service *svc,
					    u8 zone, const char *vpc,
					    const struct nf_conntrack_tuple *t)
{
	const struct vpce_targets *ts = rcu_dereference(svc->targets);
	unsigned int f = vpce_fam(t->src.l3num);
	const struct vpce_maglev *tab = &ts->zone[f][zone];

	if (!tab->n)
		tab = &ts->all[f];
	if (!tab->n)
		return NULL;
	return &ts->t[vpce_maglev_lookup(tab, vpce_flow_hash(ts, vpc, t))];
}
