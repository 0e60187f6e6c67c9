// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Services: VPCE_CMD_SERVICE_* and who may connect to them
 * (VPCE_CMD_SERVICE_ALLOW, VPCE_CMD_SERVICE_DISALLOW). Their targets are in
 * vpce_nl_target.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_arn.h"
#include "vpce_net.h"
#include "vpce_service.h"

#include <linux/in.h>
#include <asm/unaligned.h>
#include <net/genetlink.h>
#include <net/sock.h>

/* Message building */

static int vpce_put_prefixes(struct sk_buff *skb, const struct vpce_prefix *p,
			     unsigned int n)
{
	struct nlattr *array = nla_nest_start(skb, VPCE_A_PREFIXES), *nest;
	unsigned int i;

	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		const struct vpce_addr *a = &p[i].addr;

		nest = nla_nest_start(skb, i);
		if (!nest ||
		    (a->family == AF_INET ?
		     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, a->in.ip) :
		     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &a->in.in6)) ||
		    nla_put_u8(skb, VPCE_ADDR_A_PREFIX_LEN, p[i].plen))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, array);
	return 0;
}

/* Load balancing and health settings of a service. */
static int vpce_fill_service_lb(struct sk_buff *skb,
				const struct vpce_service *svc)
{
	/* (VPCE_A_ACCEPTANCE_REQUIRED is with the access control ones.) */
	if (nla_put_u8(skb, VPCE_A_CROSS_ZONE, svc->cross_zone) ||
	    (svc->private_dns[0] &&
	     nla_put_string(skb, VPCE_A_PRIVATE_DNS, svc->private_dns)) ||
	    nla_put_u32(skb, VPCE_A_DEREG_DELAY, svc->dereg_delay) ||
	    nla_put_u32(skb, VPCE_A_IDLE_TIMEOUT,
			vpce_timeouts_idle(&svc->timeouts)) ||
	    nla_put_u8(skb, VPCE_A_PROXY_PROTOCOL, svc->proxy_protocol) ||
	    vpce_put_flowlog_setting(skb, READ_ONCE(svc->flowlog)))
		return -EMSGSIZE;
	return vpce_nl_put_hc(skb, &svc->hc);
}

/*
 * Zone by zone, IPv4 first, each pool in its order: given back, the
 * addresses make the same zones and pools.
 */
static int vpce_put_nlbs(struct sk_buff *skb, struct vpce_net *vn,
			 const struct vpce_service *svc)
{
	const struct vpce_nlb_pool *pool = vpce_service_pool(svc, vn);
	unsigned int z, f, i, n = 0;
	struct nlattr *array;

	array = nla_nest_start(skb, VPCE_A_NLBS);
	if (!array)
		return -EMSGSIZE;
	for (z = 0; z < svc->nzones; z++)
		for (f = 0; f < VPCE_FAMILIES; f++)
			for (i = 0; i < pool->cnt[z][f]; i++)
				if (vpce_put_addr(skb, n++,
						  &pool->addr[pool->off[z][f] + i],
						  svc->zones[z].name))
					return -EMSGSIZE;
	nla_nest_end(skb, array);
	return 0;
}

static int vpce_fill_service(struct sk_buff *skb, struct vpce_net *vn,
			     const void *obj)
{
	const struct vpce_service *svc = obj;
	const struct vpce_listeners *ls;
	const struct vpce_listener *l;
	struct nlattr *array, *nest;
	unsigned int i;

	if (nla_put_string(skb, VPCE_A_NAME, svc->named.name) ||
	    nla_put_u64_64bit(skb, VPCE_A_ACCOUNT, svc->account, VPCE_A_PAD) ||
	    nla_put_u8(skb, VPCE_A_TYPE, svc->type) ||
	    nla_put_u32(skb, VPCE_A_TARGET_COUNT,
			vpce_service_targets(svc, vn)->n) ||
	    nla_put_u32(skb, VPCE_A_ENDPOINT_COUNT, svc->endpoint_count) ||
	    nla_put_u8(skb, VPCE_A_ACCEPTANCE_REQUIRED,
		       svc->acceptance_required))
		return -EMSGSIZE;

	array = nla_nest_start(skb, VPCE_A_PRINCIPALS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; svc->principals && i < svc->principals->n; i++)
		if (nla_put_string(skb, VPCE_A_PRINCIPAL,
				   svc->principals->arn[i].text))
			return -EMSGSIZE;
	nla_nest_end(skb, array);

	array = nla_nest_start(skb, VPCE_A_LISTENERS);
	if (!array)
		return -EMSGSIZE;
	ls = vpce_service_listeners(svc, vn);
	for (i = 0; ls && i < ls->n; i++) {
		l = &ls->l[i];
		nest = nla_nest_start(skb, i);
		if (!nest ||
		    nla_put_u8(skb, VPCE_LISTENER_A_PROTO, l->proto) ||
		    nla_put_u16(skb, VPCE_LISTENER_A_PORT, l->port) ||
		    nla_put_u16(skb, VPCE_LISTENER_A_TARGET_PORT,
				l->target_port))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, array);

	if (vpce_put_nlbs(skb, vn, svc))
		return -EMSGSIZE;
	if (svc->type == VPCE_TYPE_GATEWAY &&
	    vpce_put_prefixes(skb, svc->prefixes, svc->nprefixes))
		return -EMSGSIZE;
	return vpce_fill_service_lb(skb, svc);
}

/*
 * A service with its hash seed, when one was given. Only administrators
 * read services at all (every op is GENL_UNS_ADMIN_PERM), but events, which
 * go to a group, never carry it.
 */
static int vpce_fill_service_admin(struct sk_buff *skb, struct vpce_net *vn,
				   const void *obj)
{
	const struct vpce_service *svc = obj;
	u8 seed[VPCE_HASH_SEED_LEN];

	if (vpce_fill_service(skb, vn, obj))
		return -EMSGSIZE;
	if (!svc->hash_seed_set)
		return 0;
	put_unaligned_le64(svc->hash_key.key[0], &seed[0]);
	put_unaligned_le64(svc->hash_key.key[1], &seed[8]);
	return nla_put(skb, VPCE_A_HASH_SEED, sizeof(seed), seed);
}

/* One listener (already validated against vpce_listener_policy's types). */
static int vpce_parse_listener(const struct nlattr *nest,
			       struct vpce_listener *l,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_LISTENER_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, VPCE_LISTENER_A_MAX, nest,
			       vpce_listener_policy, extack);
	if (ret)
		return ret;
	if (!tb[VPCE_LISTENER_A_PROTO] || !tb[VPCE_LISTENER_A_PORT]) {
		NL_SET_ERR_ATTR_MISS(extack, nest,
				     tb[VPCE_LISTENER_A_PROTO] ?
				     VPCE_LISTENER_A_PORT :
				     VPCE_LISTENER_A_PROTO);
		NL_SET_ERR_MSG(extack,
			       "a listener needs a protocol and a port");
		return -EINVAL;
	}
	l->proto = nla_get_u8(tb[VPCE_LISTENER_A_PROTO]);
	if (l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_LISTENER_A_PROTO],
				    "the protocol must be TCP or UDP");
		return -EINVAL;
	}
	l->port = nla_get_u16(tb[VPCE_LISTENER_A_PORT]);
	l->target_port = tb[VPCE_LISTENER_A_TARGET_PORT] ?
		nla_get_u16(tb[VPCE_LISTENER_A_TARGET_PORT]) : l->port;
	return 0;
}

static int vpce_parse_listeners(struct genl_info *info,
				struct vpce_service_config *cfg)
{
	const struct nlattr *a;
	int rem, ret;

	nla_for_each_nested(a, info->attrs[VPCE_A_LISTENERS], rem) {
		if (cfg->nlisteners == VPCE_LISTENERS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "too many listeners");
			return -E2BIG;
		}
		ret = vpce_parse_listener(a, &cfg->listeners[cfg->nlisteners++],
					  info->extack);
		if (ret)
			return ret;
	}
	if (!cfg->nlisteners) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_LISTENERS],
				    "a service needs at least one listener");
		return -EINVAL;
	}
	return 0;
}

/*
 * The settings of "service set" (and the few "service add" takes: its policy
 * lets only those through). Defaults fill what a health check leaves out.
 */
static int vpce_parse_settings(struct genl_info *info,
			       struct vpce_service_settings *set)
{
	struct nlattr **a = info->attrs;
	int ret;

	if (a[VPCE_A_ACCEPTANCE_REQUIRED]) {
		set->mask |= VPCE_SET_ACCEPTANCE;
		set->acceptance_required =
			nla_get_u8(a[VPCE_A_ACCEPTANCE_REQUIRED]);
	}
	if (a[VPCE_A_CROSS_ZONE]) {
		set->mask |= VPCE_SET_CROSS_ZONE;
		set->cross_zone = nla_get_u8(a[VPCE_A_CROSS_ZONE]);
	}
	if (a[VPCE_A_PROXY_PROTOCOL]) {
		set->mask |= VPCE_SET_PROXY_PROTOCOL;
		set->proxy_protocol = nla_get_u8(a[VPCE_A_PROXY_PROTOCOL]);
	}
	ret = vpce_nl_flowlog_setting(info, &set->flowlog);
	if (ret < 0)
		return ret;
	if (!ret)
		set->mask |= VPCE_SET_FLOW_LOG;
	if (a[VPCE_A_PRIVATE_DNS]) {
		set->mask |= VPCE_SET_PRIVATE_DNS;
		nla_strscpy(set->private_dns, a[VPCE_A_PRIVATE_DNS],
			    sizeof(set->private_dns));
	}
	if (a[VPCE_A_DEREG_DELAY]) {
		set->mask |= VPCE_SET_DEREG_DELAY;
		set->dereg_delay = nla_get_u32(a[VPCE_A_DEREG_DELAY]);
	}
	if (a[VPCE_A_IDLE_TIMEOUT]) {
		set->mask |= VPCE_SET_IDLE_TIMEOUT;
		set->idle_timeout = nla_get_u32(a[VPCE_A_IDLE_TIMEOUT]);
	}
	if (a[VPCE_A_HASH_SEED]) {
		const u8 *seed = nla_data(a[VPCE_A_HASH_SEED]);

		set->mask |= VPCE_SET_HASH_SEED;
		/* Little endian on every host, so that they all agree. */
		set->hash_key.key[0] = get_unaligned_le64(&seed[0]);
		set->hash_key.key[1] = get_unaligned_le64(&seed[8]);
	}
	if (a[VPCE_A_HEALTH_CHECK]) {
		set->mask |= VPCE_SET_HEALTH_CHECK;
		return vpce_nl_parse_hc(info, &set->hc);
	}
	return 0;
}

int vpce_nl_service_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service_config *cfg;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_ACCOUNT,
			 "missing the service's account"))
		return -EINVAL;
	if (vpce_parse_type(info) == VPCE_TYPE_GATEWAY) {
		if (vpce_refused(info, VPCE_A_LISTENERS,
				 "a gateway service has no listeners") ||
		    vpce_refused(info, VPCE_A_NLBS,
				 "a gateway service has no load balancer addresses") ||
		    vpce_missing(info, VPCE_A_PREFIXES,
				 "missing the gateway service's prefixes"))
			return -EINVAL;
	} else if (vpce_refused(info, VPCE_A_PREFIXES,
				"prefixes are for gateway services (type gateway)") ||
		   vpce_missing(info, VPCE_A_LISTENERS,
				"missing the service's listeners") ||
		   vpce_missing(info, VPCE_A_NLBS,
				"missing the service's load balancer addresses")) {
		return -EINVAL;
	}

	/* Too big for the stack with all its listeners and zones. */
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	cfg->name = nla_data(info->attrs[VPCE_A_NAME]);
	cfg->account = nla_get_u64(info->attrs[VPCE_A_ACCOUNT]);
	if (info->attrs[VPCE_A_ACCEPTANCE_REQUIRED])
		cfg->acceptance_required =
			nla_get_u8(info->attrs[VPCE_A_ACCEPTANCE_REQUIRED]);
	cfg->type = vpce_parse_type(info);
	if (cfg->type == VPCE_TYPE_GATEWAY) {
		ret = vpce_parse_prefixes(info->attrs[VPCE_A_PREFIXES],
					  cfg->prefixes, &cfg->nprefixes,
					  info->extack);
	} else {
		ret = vpce_parse_listeners(info, cfg);
		if (!ret)
			ret = vpce_parse_addrs(info->attrs[VPCE_A_NLBS],
					       cfg->nlbs, &cfg->nnlbs,
					       VPCE_NLBS_MAX,
					       info->extack);
	}
	if (!ret)
		ret = vpce_parse_settings(info, &cfg->set);
	if (!ret) {
		mutex_lock(&vn->lock);
		ret = vpce_service_add(vn, cfg, info->extack);
		mutex_unlock(&vn->lock);
	}
	kfree(cfg);
	return ret;
}

int vpce_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (svc)
		ret = vpce_service_del(vn, svc, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * "service set SVC nlb add|del ADDR": a request of its own, as "target
 * add" is, rather than a setting among the others (which all apply at
 * once or not at all).
 */
static int vpce_nl_service_nlb(struct genl_info *info, bool add)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct nlattr *a = info->attrs[add ? VPCE_A_NLB_ADD : VPCE_A_NLB_DEL];
	struct vpce_service *svc;
	struct vpce_zone_addr za;
	unsigned int i;
	int ret;

	for (i = 0; i <= VPCE_A_MAX; i++)
		if (info->attrs[i] && i != VPCE_A_NAME && info->attrs[i] != a) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[i],
					    "a load balancer address is added or deleted alone, without other settings");
			return -EINVAL;
		}
	ret = vpce_parse_addr(a, &za, info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (svc && svc->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(info->extack,
			       "a gateway service has no load balancer addresses");
		ret = -EINVAL;
	} else if (svc) {
		ret = add ? vpce_service_nlb_add(vn, svc, &za, info->extack) :
			vpce_service_nlb_del(vn, svc, &za.addr, info->extack);
	}
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service_settings *set;
	struct vpce_service *svc;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	if (info->attrs[VPCE_A_NLB_ADD] || info->attrs[VPCE_A_NLB_DEL])
		return vpce_nl_service_nlb(info, !!info->attrs[VPCE_A_NLB_ADD]);
	/* Too big for the stack with its DNS name and HTTP path. */
	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	ret = vpce_parse_settings(info, set);
	if (!ret) {
		mutex_lock(&vn->lock);
		ret = -ENOENT;
		svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME],
				      info->extack);
		if (svc)
			ret = vpce_service_set(vn, svc, set, info->extack);
		mutex_unlock(&vn->lock);
	}
	kfree(set);
	return ret;
}

int vpce_nl_service_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (svc)
		ret = vpce_reply(info, vpce_fill_service_admin, vn, svc);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_service_dump(struct sk_buff *skb,
			 struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));

	return vpce_dump_names(skb, cb, &vn->services, VPCE_CMD_SERVICE_GET,
			       vpce_fill_service_admin,
			       offsetof(struct vpce_service, named));
}

/* Service permissions */

static int vpce_nl_service_permission(struct genl_info *info, bool allow)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_arn arn;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_PRINCIPAL, "missing the principal"))
		return -EINVAL;
	ret = vpce_parse_arn(info->attrs[VPCE_A_PRINCIPAL], &arn, info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (svc)
		ret = allow ? vpce_service_allow(vn, svc, &arn, info->extack) :
			vpce_service_disallow(vn, svc, &arn, info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_service_allow(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_service_permission(info, true);
}

int vpce_nl_service_disallow(struct sk_buff *skb,
			     struct genl_info *info)
{
	return vpce_nl_service_permission(info, false);
}

/* Listeners of a live service (VPCE_CMD_LISTENER_ADD, _DEL) */

static int vpce_nl_listener_change(struct genl_info *info, bool add)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_listener l;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_LISTENER, "missing the listener"))
		return -EINVAL;
	ret = vpce_parse_listener(info->attrs[VPCE_A_LISTENER], &l,
				  info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (svc)
		ret = add ? vpce_service_listener_add(vn, svc, &l, info->extack) :
			vpce_service_listener_del(vn, svc, l.proto, l.port,
						  info->extack);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_listener_add(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_listener_change(info, true);
}

int vpce_nl_listener_del(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_listener_change(info, false);
}
