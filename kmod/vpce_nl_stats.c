// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Counters: VPCE_CMD_STATS_GET, per endpoint (and endpoint zone), service
 * (and service zone) and target, from the readers of vpce_stats.c. The
 * active flows are counted once per dump, at its start, so that every
 * message of a dump is of one walk.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_conn.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <net/genetlink.h>
#include <net/sock.h>

static int vpce_put_counters(struct sk_buff *skb,
			     const struct vpce_counters_sum *s, u8 of)
{
	if (nla_put_u64_64bit(skb, VPCE_STATS_A_NEW_CONNECTIONS, s->conns,
			      VPCE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_STATS_A_ACTIVE_CONNECTIONS, s->active,
			      VPCE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_STATS_A_BYTES, s->bytes,
			      VPCE_STATS_A_PAD))
		return -EMSGSIZE;
	if (of == VPCE_STATS_OF_SERVICE)
		return nla_put_u64_64bit(skb, VPCE_STATS_A_RST_SENT, s->rsts,
					 VPCE_STATS_A_PAD) ||
			nla_put_u64_64bit(skb, VPCE_STATS_A_PORT_ALLOC_ERRORS,
					  s->drops[VPCE_DROP_PORT_ALLOC],
					  VPCE_STATS_A_PAD) ? -EMSGSIZE : 0;
	if (of != VPCE_STATS_OF_ENDPOINT)
		return 0;
	if (nla_put_u64_64bit(skb, VPCE_STATS_A_RST_RECEIVED, s->rsts,
			      VPCE_STATS_A_PAD))
		return -EMSGSIZE;
	return vpce_put_drops(skb, s->drops);
}

/* An endpoint's refusal counters (enum vpce_drop) as their attributes. */
int vpce_put_drops(struct sk_buff *skb, const u64 *drops)
{
	static const u16 attr[VPCE_DROP_MAX] = {
		[VPCE_DROP_NO_LISTENER] = VPCE_STATS_A_DROP_NO_LISTENER,
		[VPCE_DROP_STATE] = VPCE_STATS_A_DROP_STATE,
		[VPCE_DROP_NO_TARGET] = VPCE_STATS_A_DROP_NO_TARGET,
		[VPCE_DROP_PROTO] = VPCE_STATS_A_DROP_PROTO,
		[VPCE_DROP_POLICY] = VPCE_STATS_A_DROP_POLICY,
		[VPCE_DROP_STALE] = VPCE_STATS_A_RESET_STALE,
		[VPCE_DROP_FULL] = VPCE_STATS_A_DROP_FULL,
		[VPCE_DROP_INVALID] = VPCE_STATS_A_DROP_INVALID,
		[VPCE_DROP_LIMITED] = VPCE_STATS_A_LIMITED,
		[VPCE_DROP_PORT_ALLOC] = VPCE_STATS_A_PORT_ALLOC_ERRORS,
		[VPCE_DROP_SG] = VPCE_STATS_A_DROP_SG,
	};
	int i;

	for (i = 0; i < VPCE_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, attr[i], drops[i], VPCE_STATS_A_PAD))
			return -EMSGSIZE;
	return 0;
}

static int vpce_put_stats(struct sk_buff *skb, int type,
			  const struct vpce_counters_sum *s, u8 of)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || vpce_put_counters(skb, s, of))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int vpce_put_zone_stats(struct sk_buff *skb, int i, const char *zone,
			       const struct vpce_counters_sum *s, u8 of)
{
	struct nlattr *nest = nla_nest_start(skb, i);

	if (!nest || nla_put_string(skb, VPCE_STATS_A_ZONE, zone) ||
	    vpce_put_counters(skb, s, of))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int vpce_fill_endpoint_stats(struct sk_buff *skb, struct vpce_net *vn,
				    const void *obj)
{
	const struct vpce_endpoint *ep = obj;
	struct vpce_counters_sum total, z;
	struct nlattr *array;
	unsigned int i, n;

	if (nla_put_u8(skb, VPCE_A_STATS_OF, VPCE_STATS_OF_ENDPOINT) ||
	    nla_put_string(skb, VPCE_A_NAME, ep->named.name) ||
	    vpce_put_endpoint_id(skb, ep) ||
	    nla_put_string(skb, VPCE_A_VPC, ep->vpc->named.name) ||
	    nla_put_string(skb, VPCE_A_SERVICE, ep->svc->named.name))
		return -EMSGSIZE;
	/* A gateway endpoint has no zones: its one set is its total. */
	vpce_stats_endpoint_unzoned(ep, &total);
	array = nla_nest_start(skb, VPCE_A_ZONE_STATS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0, n = 0; i < ep->naddrs; i++) {
		/* A dual stack endpoint has two addresses in a zone: the
		 * zone's counters are their sums, reported once.
		 */
		if (!vpce_stats_endpoint_zone(ep, i, &z))
			continue;
		if (vpce_put_zone_stats(skb, n++,
					ep->svc->zones[vpce_endpoint_addrs(ep)->a[i].zone].name,
					&z, VPCE_STATS_OF_ENDPOINT))
			return -EMSGSIZE;
		vpce_counters_sum_add(&total, &z);
	}
	nla_nest_end(skb, array);
	return vpce_put_stats(skb, VPCE_A_STATS, &total,
			      VPCE_STATS_OF_ENDPOINT);
}

static int vpce_fill_service_stats(struct sk_buff *skb, struct vpce_net *vn,
				   const void *obj)
{
	const struct vpce_service *svc = obj;
	struct vpce_counters_sum total = {}, z;
	struct nlattr *array;
	unsigned int i;

	if (nla_put_u8(skb, VPCE_A_STATS_OF, VPCE_STATS_OF_SERVICE) ||
	    nla_put_string(skb, VPCE_A_SERVICE, svc->named.name) ||
	    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, svc->endpoint_count))
		return -EMSGSIZE;
	/* A gateway service has no zones: its one set is its total. */
	if (!svc->nzones)
		vpce_stats_service_zone(svc, 0, &total);
	array = nla_nest_start(skb, VPCE_A_ZONE_STATS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < svc->nzones; i++) {
		vpce_stats_service_zone(svc, i, &z);
		if (vpce_put_zone_stats(skb, i, svc->zones[i].name, &z,
					VPCE_STATS_OF_SERVICE))
			return -EMSGSIZE;
		vpce_counters_sum_add(&total, &z);
	}
	nla_nest_end(skb, array);
	return vpce_put_stats(skb, VPCE_A_STATS, &total, VPCE_STATS_OF_SERVICE);
}

struct vpce_target_stats_ref {
	const struct vpce_service *svc;
	const struct vpce_target *t;
};

static int vpce_fill_target_stats(struct sk_buff *skb, struct vpce_net *vn,
				  const void *obj)
{
	const struct vpce_target_stats_ref *ref = obj;
	const struct vpce_target *t = ref->t;
	struct vpce_counters_sum s;

	vpce_stats_target(vn, ref->svc, &t->addr, &s);
	if (nla_put_u8(skb, VPCE_A_STATS_OF, VPCE_STATS_OF_TARGET) ||
	    nla_put_string(skb, VPCE_A_SERVICE, ref->svc->named.name) ||
	    vpce_put_addr(skb, VPCE_A_ADDR, &t->addr,
			  ref->svc->zones[t->zone].name))
		return -EMSGSIZE;
	return vpce_put_stats(skb, VPCE_A_STATS, &s, VPCE_STATS_OF_TARGET);
}

/*
 * The cursor: args[0] the kind of object being dumped, args[1] the position
 * in its list (services for targets), args[2] the target's position,
 * args[3] whether the active flows have been counted. They are counted once
 * per dump, at its start, so that every message of a dump is of one walk.
 */
enum { VPCE_CUR_KIND, VPCE_CUR_POS, VPCE_CUR_TARGET, VPCE_CUR_COUNTED };

static int vpce_stats_dump_endpoints(struct sk_buff *skb,
				     struct netlink_callback *cb,
				     struct vpce_net *vn,
				     const struct vpce_endpoint *only,
				     const struct vpce_service *svc)
{
	const struct vpce_endpoint *ep;
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret;

	list_for_each_entry(n, &vn->endpoints.list, list) {
		if (idx++ < cb->args[VPCE_CUR_POS])
			continue;
		ep = container_of(n, struct vpce_endpoint, named);
		if ((!only || ep == only) && (!svc || ep->svc == svc)) {
			ret = vpce_dump_one(skb, cb, VPCE_CMD_STATS_GET,
					    vpce_fill_endpoint_stats, vn, ep);
			if (ret)
				return ret;
		}
		cb->args[VPCE_CUR_POS] = idx;
	}
	return 0;
}

static int vpce_stats_dump_services(struct sk_buff *skb,
				    struct netlink_callback *cb,
				    struct vpce_net *vn,
				    const struct vpce_service *only,
				    bool targets)
{
	struct vpce_target_stats_ref ref;
	const struct vpce_targets *tset;
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret;

	list_for_each_entry(n, &vn->services.list, list) {
		if (idx++ < cb->args[VPCE_CUR_POS])
			continue;
		ref.svc = container_of(n, struct vpce_service, named);
		if (only && ref.svc != only)
			goto next;
		if (!targets) {
			ret = vpce_dump_one(skb, cb, VPCE_CMD_STATS_GET,
					    vpce_fill_service_stats, vn,
					    ref.svc);
			if (ret)
				return ret;
			goto next;
		}
		tset = vpce_service_targets(ref.svc, vn);
		for (; cb->args[VPCE_CUR_TARGET] < tset->n;
		     cb->args[VPCE_CUR_TARGET]++) {
			ref.t = &tset->t[cb->args[VPCE_CUR_TARGET]];
			ret = vpce_dump_one(skb, cb, VPCE_CMD_STATS_GET,
					    vpce_fill_target_stats, vn, &ref);
			if (ret)
				return ret;
		}
next:
		cb->args[VPCE_CUR_POS] = idx;
		cb->args[VPCE_CUR_TARGET] = 0;
	}
	return 0;
}

/* vpce's own flow table, as "flow show table" gives it. */
static int vpce_fill_flows_stats(struct sk_buff *skb, struct vpce_net *vn,
				 const void *obj)
{
	if (nla_put_u8(skb, VPCE_A_STATS_OF, VPCE_STATS_OF_FLOWS) ||
	    nla_put_u32(skb, VPCE_A_FLOW_LIMIT, vn->conns.limit) ||
	    nla_put_u32(skb, VPCE_A_FLOW_MAX, vpce_conns_limit(vn)) ||
	    nla_put_u32(skb, VPCE_A_FLOW_COUNT, vpce_conns_count(vn)) ||
	    nla_put_u64_64bit(skb, VPCE_A_FLOW_LOG_SKIPPED,
			      atomic64_read(&vn->flowlog.lost), VPCE_A_PAD))
		return -EMSGSIZE;
	return 0;
}

int vpce_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct nlattr *of_attr = attrs[VPCE_A_STATS_OF];
	const struct nlattr *ep_attr = attrs[VPCE_A_NAME];
	const struct nlattr *svc_attr = attrs[VPCE_A_SERVICE];
	const struct vpce_endpoint *ep = NULL;
	const struct vpce_service *svc = NULL;
	int of = of_attr ? nla_get_u8(of_attr) : -1;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (ep_attr) {
		if (of >= 0 && of != VPCE_STATS_OF_ENDPOINT) {
			NL_SET_ERR_MSG_ATTR(cb->extack, ep_attr,
					    "a name selects an endpoint's counters");
			ret = -EINVAL;
			goto out;
		}
		ep = vpce_nl_endpoint(vn, ep_attr, cb->extack);
		if (!ep) {
			ret = -ENOENT;
			goto out;
		}
		of = VPCE_STATS_OF_ENDPOINT;
	}
	if (svc_attr) {
		svc = vpce_nl_service(vn, svc_attr, cb->extack);
		if (!svc) {
			ret = -ENOENT;
			goto out;
		}
	}
	if (!cb->args[VPCE_CUR_COUNTED]) {
		vpce_stats_count_active(vn);
		cb->args[VPCE_CUR_COUNTED] = 1;
		if (of >= 0)
			cb->args[VPCE_CUR_KIND] = of;
	}
	/* Endpoints, services, targets; one kind only if asked. */
	for (; cb->args[VPCE_CUR_KIND] <= VPCE_STATS_OF_MAX;
	     cb->args[VPCE_CUR_KIND]++) {
		switch (cb->args[VPCE_CUR_KIND]) {
		case VPCE_STATS_OF_ENDPOINT:
			ret = vpce_stats_dump_endpoints(skb, cb, vn, ep, svc);
			break;
		case VPCE_STATS_OF_SERVICE:
			ret = vpce_stats_dump_services(skb, cb, vn, svc, false);
			break;
		case VPCE_STATS_OF_FLOWS:
			/* Not an endpoint's or a service's. */
			if (!ep && !svc && !vpce_conntrack)
				ret = vpce_dump_one(skb, cb, VPCE_CMD_STATS_GET,
						    vpce_fill_flows_stats, vn,
						    NULL);
			break;
		default:
			ret = vpce_stats_dump_services(skb, cb, vn, svc, true);
			break;
		}
		if (ret || of >= 0)
			break;
		cb->args[VPCE_CUR_POS] = 0;
		cb->args[VPCE_CUR_TARGET] = 0;
	}
	if (!ret && of >= 0)
		cb->args[VPCE_CUR_KIND] = VPCE_STATS_OF_MAX + 1;
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}
