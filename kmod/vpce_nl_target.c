// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Targets of services: VPCE_CMD_TARGET_*, and the events of their
 * health.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_drain.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_target.h"

#include <net/genetlink.h>
#include <net/sock.h>

struct vpce_target_ref {
	const struct vpce_service *svc;
	const struct vpce_target *t;
};

/* A draining target whose flows are still to end: the seconds left. */
static int vpce_fill_target_drain(struct sk_buff *skb,
				  const struct vpce_target_ref *ref)
{
	const struct vpce_drain *d;
	long left;

	if (ref->t->health != VPCE_HEALTH_DRAINING)
		return 0;
	d = vpce_drain_find(ref->svc, &ref->t->addr);
	if (!d)
		return 0;
	left = (long)(d->deadline - jiffies);
	return nla_put_u32(skb, VPCE_A_DEREG_DELAY,
			   left > 0 ? DIV_ROUND_UP(left, HZ) : 0);
}

static int vpce_fill_target(struct sk_buff *skb, struct vpce_net *vn,
			    const void *obj)
{
	const struct vpce_target_ref *ref = obj;
	const struct vpce_target *t = ref->t;

	if (nla_put_string(skb, VPCE_A_SERVICE, ref->svc->named.name) ||
	    vpce_put_addr(skb, VPCE_A_ADDR, &t->addr,
			  ref->svc->zones[t->zone].name) ||
	    nla_put_u16(skb, VPCE_A_WEIGHT, t->weight) ||
	    nla_put_u8(skb, VPCE_A_HEALTH, t->health))
		return -EMSGSIZE;
	return vpce_fill_target_drain(skb, ref);
}

int vpce_nl_target_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_target tgt = {
		.health = VPCE_HEALTH_HEALTHY,
		.weight = 1,
	};
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;
	tgt.addr = za.addr;
	if (info->attrs[VPCE_A_WEIGHT])
		tgt.weight = nla_get_u16(info->attrs[VPCE_A_WEIGHT]);

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_SERVICE], info->extack);
	if (svc)
		ret = vpce_service_zone(svc, za.zone, info->extack);
	if (ret >= 0) {
		tgt.zone = ret;
		ret = vpce_service_zone_family(svc, tgt.zone, tgt.addr.family,
					       info->extack);
	}
	if (!ret)
		ret = vpce_target_add(vn, svc, &tgt, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_target_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_SERVICE], info->extack);
	if (svc)
		ret = vpce_target_del(vn, svc, &za.addr, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

static const struct vpce_target *
vpce_nl_target(struct vpce_net *vn, const struct vpce_service *svc,
	       const struct vpce_addr *addr)
{
	const struct vpce_targets *ts = vpce_service_targets(svc, vn);
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		if (vpce_addr_eq(&ts->t[i].addr, addr))
			return &ts->t[i];
	return NULL;
}

static int vpce_nl_target_health(struct vpce_net *vn,
				 const struct vpce_service *svc,
				 const struct vpce_addr *addr)
{
	const struct vpce_target *t = vpce_nl_target(vn, svc, addr);

	return t ? t->health : -1;
}

static void vpce_event_health(struct vpce_net *vn,
			      const struct vpce_service *svc,
			      const struct vpce_addr *addr)
{
	struct vpce_target_ref ref = {
		.svc = svc,
		.t = vpce_nl_target(vn, svc, addr),
	};

	if (ref.t)
		vpce_event_send(vn, vpce_event_build(vn, VPCE_CMD_TARGET_GET,
						     VPCE_EVENT_HEALTH,
						     vpce_fill_target, &ref));
}

int vpce_nl_target_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_target_change chg = { .weight = -1, .health = -1 };
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the target's address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;
	if (info->attrs[VPCE_A_WEIGHT])
		chg.weight = nla_get_u16(info->attrs[VPCE_A_WEIGHT]);
	if (info->attrs[VPCE_A_HEALTH])
		chg.health = nla_get_u8(info->attrs[VPCE_A_HEALTH]);
	if (chg.weight < 0 && chg.health < 0) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give a weight or a health");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_SERVICE], info->extack);
	if (svc) {
		int was = vpce_nl_target_health(vn, svc, &za.addr);

		ret = vpce_target_set(vn, svc, &za.addr, &chg, info->extack);
		if (!ret && chg.health >= 0 && chg.health != was)
			vpce_event_health(vn, svc, &za.addr);
	}
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * Targets of one service (VPCE_A_SERVICE) or of all. The cursor is the
 * position of the service in args[0] and of the target in args[1].
 */
int vpce_nl_target_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct nlattr *filter = info->attrs[VPCE_A_SERVICE];
	struct vpce_target_ref ref;
	const struct vpce_named *n;
	const struct vpce_targets *ts;
	unsigned long sidx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (filter && !vpce_nl_service(vn, filter, cb->extack)) {
		ret = -ENOENT;
		goto out;
	}
	list_for_each_entry(n, &vn->services.list, list) {
		if (sidx++ < cb->args[0])
			continue;
		ref.svc = container_of(n, struct vpce_service, named);
		if (filter && strcmp(n->name, nla_data(filter)))
			goto next;
		ts = vpce_service_targets(ref.svc, vn);
		for (; cb->args[1] < ts->n; cb->args[1]++) {
			ref.t = &ts->t[cb->args[1]];
			ret = vpce_dump_one(skb, cb, VPCE_CMD_TARGET_GET,
					    vpce_fill_target, vn, &ref);
			if (ret)
				goto out;
		}
next:
		cb->args[0] = sidx;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}
