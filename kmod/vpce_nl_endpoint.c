// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoints: VPCE_CMD_ENDPOINT_*, their acceptance by the service's
 * owner (VPCE_CMD_CONNECTION_ACCEPT, VPCE_CMD_CONNECTION_REJECT), and the
 * events of their lives.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_arn.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_policy.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <net/genetlink.h>
#include <net/sock.h>

int vpce_put_endpoint_id(struct sk_buff *skb, const struct vpce_endpoint *ep)
{
	struct vpce_epid id = vpce_endpoint_id(ep);
	char buf[VPCE_EPID_BUF];

	vpce_epid_format(&id, buf);
	return nla_put_string(skb, VPCE_A_ENDPOINT_ID, buf);
}

static int vpce_fill_endpoint(struct sk_buff *skb, struct vpce_net *vn,
			      const void *obj)
{
	const struct vpce_endpoint *ep = obj;
	struct vpce_counters_sum sum;
	struct nlattr *array;
	unsigned int i;

	if (nla_put_string(skb, VPCE_A_NAME, ep->named.name) ||
	    vpce_put_endpoint_id(skb, ep) ||
	    nla_put_string(skb, VPCE_A_VPC, ep->vpc->named.name) ||
	    nla_put_string(skb, VPCE_A_SERVICE, ep->svc->named.name) ||
	    nla_put_u8(skb, VPCE_A_TYPE, ep->type) ||
	    nla_put_u8(skb, VPCE_A_STATE, READ_ONCE(ep->state)) ||
	    nla_put_u64_64bit(skb, VPCE_A_OWNER, ep->vpc->account, VPCE_A_PAD) ||
	    nla_put_string(skb, VPCE_A_REQUESTER, ep->requester->text) ||
	    nla_put_u64_64bit(skb, VPCE_A_CREATED, ep->created, VPCE_A_PAD) ||
	    (ep->type == VPCE_TYPE_GATEWAY &&
	     nla_put_u32(skb, VPCE_A_MARK, ep->mark)) ||
	    vpce_put_ep_sgs(skb, ep) ||
	    vpce_put_flowlog_setting(skb, READ_ONCE(ep->flowlog)))
		return -EMSGSIZE;

	array = nla_nest_start(skb, VPCE_A_ADDRS);
	if (!array)
		return -EMSGSIZE;
	for (i = 0; i < ep->naddrs; i++) {
		const struct vpce_ep_addr *ea = &vpce_endpoint_addrs(ep)->a[i];

		if (vpce_put_addr(skb, i, &ea->key.addr,
				  ep->svc->zones[ea->zone].name))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, array);

	vpce_endpoint_counters_sum(ep, &sum);
	array = nla_nest_start(skb, VPCE_A_STATS);
	if (!array ||
	    nla_put_u64_64bit(skb, VPCE_STATS_A_NEW_CONNECTIONS,
			      sum.conns, VPCE_STATS_A_PAD) ||
	    vpce_put_drops(skb, sum.drops))
		return -EMSGSIZE;
	nla_nest_end(skb, array);
	return 0;
}

/* An endpoint with its policy text, which events leave out. */
static int vpce_fill_endpoint_admin(struct sk_buff *skb, struct vpce_net *vn,
				    const void *obj)
{
	const struct vpce_endpoint *ep = obj;

	if (vpce_fill_endpoint(skb, vn, obj))
		return -EMSGSIZE;
	return vpce_policy_put_text(skb, VPCE_A_POLICY_TEXT,
				    rcu_dereference_protected(ep->policy,
							      lockdep_is_held(&vn->lock)));
}

void vpce_event_endpoint(struct vpce_net *vn, u8 event,
			 const struct vpce_endpoint *ep)
{
	vpce_event_send(vn, vpce_event_build(vn, VPCE_CMD_ENDPOINT_GET, event,
					     vpce_fill_endpoint, ep));
}

static int vpce_nl_endpoint_add_cfg(struct genl_info *info,
				    struct vpce_endpoint_config *cfg)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name") ||
	    vpce_missing(info, VPCE_A_VPC, "missing the endpoint's VPC") ||
	    vpce_missing(info, VPCE_A_SERVICE,
			 "missing the endpoint's service"))
		return -EINVAL;
	cfg->name = nla_data(info->attrs[VPCE_A_NAME]);
	/* Its form was checked with the policy. */
	if (info->attrs[VPCE_A_ENDPOINT_ID])
		cfg->has_id = vpce_epid_parse(nla_data(info->attrs[VPCE_A_ENDPOINT_ID]),
					      &cfg->id);
	cfg->type = vpce_parse_type(info);
	if (cfg->type == VPCE_TYPE_GATEWAY) {
		if (vpce_refused(info, VPCE_A_ADDRS,
				 "a gateway endpoint has no addresses"))
			return -EINVAL;
		if (info->attrs[VPCE_A_MARK])
			cfg->mark = nla_get_u32(info->attrs[VPCE_A_MARK]);
	} else if (vpce_refused(info, VPCE_A_MARK,
				"a mark is for gateway endpoints (type gateway)") ||
		   vpce_missing(info, VPCE_A_ADDRS,
				"missing the endpoint's addresses")) {
		return -EINVAL;
	}
	if (info->attrs[VPCE_A_REQUESTER]) {
		ret = vpce_parse_arn(info->attrs[VPCE_A_REQUESTER],
				     &cfg->requester, info->extack);
		if (ret)
			return ret;
		if (cfg->requester.kind == VPCE_ARN_ANY) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VPCE_A_REQUESTER],
					    "the requester is one principal, not \"*\"");
			return -EINVAL;
		}
	}
	if (cfg->type == VPCE_TYPE_INTERFACE) {
		ret = vpce_parse_addrs(info->attrs[VPCE_A_ADDRS], cfg->addrs,
				       &cfg->naddrs, VPCE_ADDRS_MAX, info->extack);
		if (ret)
			return ret;
	}
	if (info->attrs[VPCE_A_POLICY]) {
		cfg->policy = vpce_policy_build(info->attrs[VPCE_A_POLICY],
						info->attrs[VPCE_A_POLICY_TEXT],
						info->extack);
		if (IS_ERR(cfg->policy))
			return PTR_ERR(cfg->policy);
	}

	mutex_lock(&vn->lock);
	ret = -ENOENT;
	cfg->vpc = vpce_nl_vpc(vn, info->attrs[VPCE_A_VPC], info->extack);
	if (cfg->vpc)
		cfg->svc = vpce_nl_service(vn, info->attrs[VPCE_A_SERVICE],
					   info->extack);
	/* By default the VPC's owner asks for the endpoint. */
	if (cfg->vpc && !info->attrs[VPCE_A_REQUESTER])
		cfg->requester = cfg->vpc->owner;
	if (cfg->svc && info->attrs[VPCE_A_SGS] &&
	    cfg->type == VPCE_TYPE_GATEWAY) {
		NL_SET_ERR_MSG(info->extack,
			       "a gateway endpoint has no security groups");
		cfg->svc = NULL;
		ret = -EINVAL;
	}
	if (cfg->svc)
		ret = vpce_nl_ep_sgs(vn, info->attrs[VPCE_A_SGS], cfg->vpc,
				     &cfg->sgs, info->extack);
	if (cfg->svc && !ret)
		ret = vpce_endpoint_add(vn, cfg, info->extack);
	if (!ret) {
		struct vpce_endpoint *ep = vpce_endpoint_find(vn, cfg->name);

		vpce_event_endpoint(vn, VPCE_EVENT_REQUESTED, ep);
		if (ep->state == VPCE_STATE_AVAILABLE)
			vpce_event_endpoint(vn, VPCE_EVENT_CONNECTED, ep);
	}
	mutex_unlock(&vn->lock);
	/* On success the endpoint owns the policy and the SG list. */
	if (ret) {
		vpce_policy_free(cfg->policy);
		kfree(cfg->sgs);
	}
	return ret;
}

int vpce_nl_endpoint_add(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_endpoint_config *cfg;
	int ret;

	/* Too big for the stack with an address per zone and family. */
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	ret = vpce_nl_endpoint_add_cfg(info, cfg);
	kfree(cfg);
	return ret;
}

/*
 * The policy, the flow log or both: everything is checked before anything
 * changes, so that a refused request changes nothing.
 */
int vpce_nl_endpoint_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_policy *policy = NULL;
	struct vpce_endpoint *ep;
	int ret = -ENOENT, fl;
	u8 setting;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	fl = vpce_nl_flowlog_setting(info, &setting);
	if (fl < 0)
		return fl;
	if (fl && vpce_missing(info, VPCE_A_POLICY, "missing the policy"))
		return -EINVAL;
	if (info->attrs[VPCE_A_POLICY]) {
		policy = vpce_policy_build(info->attrs[VPCE_A_POLICY],
					   info->attrs[VPCE_A_POLICY_TEXT],
					   info->extack);
		if (IS_ERR(policy))
			return PTR_ERR(policy);
	}
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (ep) {
		if (!fl)
			vpce_endpoint_set_flowlog(vn, ep, setting);
		if (policy) {
			vpce_endpoint_set_policy(vn, ep, policy);
			vpce_event_endpoint(vn, VPCE_EVENT_POLICY, ep);
		}
		ret = 0;
	}
	mutex_unlock(&vn->lock);
	if (ret && policy)
		vpce_policy_free(policy);
	return ret;
}

int vpce_nl_endpoint_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (ep) {
		struct sk_buff *ev;

		ev = vpce_event_build(vn, VPCE_CMD_ENDPOINT_GET,
				      VPCE_EVENT_DELETED, vpce_fill_endpoint, ep);
		vpce_endpoint_del(vn, ep);
		vpce_event_send(vn, ev);
		ret = 0;
	}
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_endpoint_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (ep)
		ret = vpce_reply(info, vpce_fill_endpoint_admin, vn, ep);
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * Endpoints, or with VPCE_A_SERVICE the endpoints connected to one service
 * (the provider's view: `connection show`).
 */
int vpce_nl_endpoint_dump(struct sk_buff *skb,
			  struct netlink_callback *cb)
{
	const struct nlattr *filter = genl_dumpit_info(cb)->attrs[VPCE_A_SERVICE];
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct vpce_service *svc = NULL;
	const struct vpce_endpoint *ep;
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	if (filter) {
		svc = vpce_nl_service(vn, filter, cb->extack);
		if (!svc) {
			ret = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry(n, &vn->endpoints.list, list) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		ep = container_of(n, struct vpce_endpoint, named);
		if (!svc || ep->svc == svc)
			ret = vpce_dump_one(skb, cb, VPCE_CMD_ENDPOINT_GET,
					    vpce_fill_endpoint_admin, vn, ep);
		if (ret)
			break;
		cb->args[0] = ++idx;
	}
out:
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* Connections: the provider accepts or rejects endpoints of its service. */

static int vpce_nl_connection(struct genl_info *info, bool accept)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_service *svc;
	struct vpce_endpoint *ep = NULL;
	int ret = -ENOENT;

	if (vpce_missing(info, VPCE_A_SERVICE, "missing the service's name") ||
	    vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	svc = vpce_nl_service(vn, info->attrs[VPCE_A_SERVICE], info->extack);
	if (svc)
		ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME],
				      info->extack);
	if (ep && ep->svc != svc) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_NAME],
				    "the endpoint is not connected to this service");
		ep = NULL;
	}
	if (ep)
		ret = accept ? vpce_endpoint_accept(vn, ep, info->extack) :
			vpce_endpoint_reject(vn, ep, info->extack);
	if (!ret) {
		vpce_event_endpoint(vn, accept ? VPCE_EVENT_ACCEPTED :
				    VPCE_EVENT_REJECTED, ep);
		if (accept)
			vpce_event_endpoint(vn, VPCE_EVENT_CONNECTED, ep);
	}
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_connection_accept(struct sk_buff *skb,
			      struct genl_info *info)
{
	return vpce_nl_connection(info, true);
}

int vpce_nl_connection_reject(struct sk_buff *skb,
			      struct genl_info *info)
{
	return vpce_nl_connection(info, false);
}

/* Addresses of a live endpoint (VPCE_CMD_ENDPOINT_ADDR_ADD, _DEL) */

static int vpce_nl_endpoint_addr(struct genl_info *info, bool add)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_endpoint *ep;
	struct vpce_zone_addr za;
	int ret;

	if (vpce_missing(info, VPCE_A_NAME, "missing the endpoint's name") ||
	    vpce_missing(info, VPCE_A_ADDR, "missing the address"))
		return -EINVAL;
	ret = vpce_parse_addr(info->attrs[VPCE_A_ADDR], &za, info->extack);
	if (ret)
		return ret;
	mutex_lock(&vn->lock);
	ret = -ENOENT;
	ep = vpce_nl_endpoint(vn, info->attrs[VPCE_A_NAME], info->extack);
	if (ep)
		ret = add ? vpce_endpoint_addr_add(vn, ep, &za, info->extack) :
			vpce_endpoint_addr_del(vn, ep, &za.addr, info->extack);
	if (!ret)
		vpce_event_endpoint(vn, VPCE_EVENT_ADDRS, ep);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_endpoint_addr_add(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_endpoint_addr(info, true);
}

int vpce_nl_endpoint_addr_del(struct sk_buff *skb, struct genl_info *info)
{
	return vpce_nl_endpoint_addr(info, false);
}
