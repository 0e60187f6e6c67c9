// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Targets of a service: "target add", "del" and "set", the immutable
 * target sets the packet path reads (struct vpce_targets) with their
 * Maglev tables, and the choice of a target for a new flow.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_target.h"
#include "compat.h"
#include "vpce_drain.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_service.h"

#include <linux/bitmap.h>
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netfilter/nf_conntrack_tuple.h>

/* Targets' counters: see struct vpce_tstats. */

static const struct rhashtable_params vpce_tstats_params =
	VPCE_OWNED_ADDR_PARAMS(struct vpce_tstats, key, node);

int vpce_tstats_init(struct vpce_net *vn)
{
	return rhashtable_init(&vn->tstats, &vpce_tstats_params);
}

/* Every entry is gone by now: services remove their targets' on exit. */
void vpce_tstats_destroy(struct vpce_net *vn)
{
	rhashtable_destroy(&vn->tstats);
}

struct vpce_tstats *vpce_tstats_find(struct vpce_net *vn,
				     const struct vpce_service *svc, u8 family,
				     const union nf_inet_addr *in)
{
	struct vpce_owned_addr key;

	vpce_owned_addr_set(&key, svc, family, in);
	return rhashtable_lookup_fast(&vn->tstats, &key, vpce_tstats_params);
}

static void vpce_tstats_free_rcu(struct rcu_head *rcu)
{
	struct vpce_tstats *ts = container_of(rcu, struct vpce_tstats, rcu);

	vpce_counters_free(&ts->stats);
	kfree(ts);
}

/* "target add", before the target is published; vn->lock held. */
int vpce_tstats_add(struct vpce_net *vn, const struct vpce_service *svc,
		    const struct vpce_addr *addr)
{
	struct vpce_tstats *ts;
	int ret;

	lockdep_assert_held(&vn->lock);

	ts = kzalloc(sizeof(*ts), GFP_KERNEL_ACCOUNT);
	if (!ts)
		return -ENOMEM;
	if (vpce_counters_alloc(&ts->stats, 1)) {
		kfree(ts);
		return -ENOMEM;
	}
	ts->key.owner = svc;
	ts->key.addr = *addr;
	ret = rhashtable_lookup_insert_fast(&vn->tstats, &ts->node,
					    vpce_tstats_params);
	if (ret)
		vpce_tstats_free_rcu(&ts->rcu);
	return ret;
}

/* "target del" once the target's flows have ended, or service removal. */
void vpce_tstats_del(struct vpce_net *vn, const struct vpce_service *svc,
		     const struct vpce_addr *addr)
{
	struct vpce_tstats *ts;

	lockdep_assert_held(&vn->lock);

	ts = vpce_tstats_find(vn, svc, addr->family, &addr->in);
	if (!ts)
		return;
	rhashtable_remove_fast(&vn->tstats, &ts->node, vpce_tstats_params);
	call_rcu(&ts->rcu, vpce_tstats_free_rcu);
}

/* Target sets */

void vpce_targets_free(struct vpce_targets *ts)
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

void vpce_targets_free_rcu(struct rcu_head *rcu)
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
struct vpce_targets *vpce_targets_build(const struct vpce_service *svc,
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

void vpce_targets_replace(struct vpce_net *vn, struct vpce_service *svc,
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

int vpce_target_add(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_target *tgt,
		    struct netlink_ext_ack *extack)
{
	struct vpce_targets *old = vpce_service_targets(svc, vn), *ts;
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
	ret = -ENOMEM;
	t = kmalloc_array(old->n + 1, sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		goto err_tstats;
	memcpy(t, old->t, old->n * sizeof(*t));
	t[old->n] = *tgt;
	ts = vpce_targets_rebuild(svc, old, t, old->n + 1);
	kfree(t);
	if (!ts)
		goto err_tstats;
	/* Published last: the new set is what makes the target seen. */
	vpce_targets_replace(vn, svc, ts);
	vpce_net_changed(vn);
	return 0;

err_tstats:
	vpce_tstats_del(vn, svc, &tgt->addr);
	return ret;
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
	if (!t)
		goto err_drain;
	if (chg->weight >= 0)
		t[i].weight = chg->weight;
	if (chg->health >= 0)
		t[i].health = chg->health;
	ts = vpce_targets_rebuild(svc, old, t, old->n);
	kfree(t);
	if (!ts)
		goto err_drain;
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

err_drain:
	kfree(drain);
	return -ENOMEM;
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

