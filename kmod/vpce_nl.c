// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The "vpce" generic netlink family: see include/uapi/linux/vpce.h.
 * This file is its core: the family, the commands' policies, the ops table,
 * and the messages every object family's handlers share (dumps, replies,
 * events). Nested attributes' policies and their parsing (addresses,
 * prefixes, ARNs) are in vpce_nl_parse.c, the handlers in
 * vpce_nl_<object>.c.
 *
 * Every command has a policy of its own, validated strictly by genetlink
 * before we see it, so the handlers only check what a policy cannot say
 * (references, uniqueness, which attributes are required). Each handler
 * parses its request into a config struct first and changes state only
 * through one call that either succeeds whole or changes nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_policy.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_vpc.h"

#include <net/genetlink.h>
#include <net/sock.h>

static struct genl_family vpce_family;

static struct netlink_range_validation vpce_account_range = {
	.min = 0,
	.max = VPCE_ACCOUNT_MAX,
};

#define VPCE_POLICY_NAME \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, vpce_validate_name, VPCE_NAME_MAX)
#define VPCE_POLICY_ACCOUNT \
	NLA_POLICY_FULL_RANGE(NLA_U64, &vpce_account_range)

#define VPCE_POLICY_ARN	{ .type = NLA_NUL_STRING, .len = VPCE_ARN_MAX }

/* For the commands that take nothing but the name of their object. */
static const struct nla_policy vpce_name_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_vpc_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCOUNT] = VPCE_POLICY_ACCOUNT,
	[VPCE_A_DEVICES] = NLA_POLICY_NESTED_ARRAY(vpce_dev_policy),
	[VPCE_A_VRF] = NLA_POLICY_NESTED(vpce_dev_policy),
};

static const struct nla_policy vpce_vpc_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_DEVICES] = NLA_POLICY_NESTED_ARRAY(vpce_dev_policy),
	[VPCE_A_DEVICES_DEL] = NLA_POLICY_NESTED_ARRAY(vpce_dev_policy),
};

#define VPCE_POLICY_BOOL	NLA_POLICY_MAX(NLA_U8, 1)
#define VPCE_POLICY_DNS \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, vpce_validate_dns, \
			       VPCE_DNS_NAME_MAX)

static const struct nla_policy vpce_service_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCEPTANCE_REQUIRED] = NLA_POLICY_MAX(NLA_U8, 1),
	[VPCE_A_ACCOUNT] = VPCE_POLICY_ACCOUNT,
	[VPCE_A_TYPE] = NLA_POLICY_MAX(NLA_U8, VPCE_TYPE_MAX),
	[VPCE_A_LISTENERS] = NLA_POLICY_NESTED_ARRAY(vpce_listener_policy),
	[VPCE_A_NLBS] = NLA_POLICY_NESTED_ARRAY(vpce_addr_policy),
	[VPCE_A_CROSS_ZONE] = VPCE_POLICY_BOOL,
	[VPCE_A_PRIVATE_DNS] = VPCE_POLICY_DNS,
	[VPCE_A_PREFIXES] = NLA_POLICY_NESTED_ARRAY(vpce_prefix_policy),
};

static const struct nla_policy vpce_service_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ACCEPTANCE_REQUIRED] = VPCE_POLICY_BOOL,
	[VPCE_A_CROSS_ZONE] = VPCE_POLICY_BOOL,
	[VPCE_A_PRIVATE_DNS] = VPCE_POLICY_DNS,
	[VPCE_A_DEREG_DELAY] = NLA_POLICY_RANGE(NLA_U32, 0, 3600),
	[VPCE_A_IDLE_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, VPCE_IDLE_TCP_MIN,
						 VPCE_IDLE_TCP_MAX),
	[VPCE_A_HASH_SEED] = NLA_POLICY_EXACT_LEN(VPCE_HASH_SEED_LEN),
	[VPCE_A_HEALTH_CHECK] = NLA_POLICY_NESTED(vpce_hc_policy),
	[VPCE_A_PROXY_PROTOCOL] = VPCE_POLICY_BOOL,
	[VPCE_A_FLOW_LOG] = VPCE_POLICY_BOOL,
	[VPCE_A_FLOW_LOG_AGGREGATION] = { .type = NLA_U32 },
	[VPCE_A_FLOW_LOG_SAMPLE] = NLA_POLICY_RANGE(NLA_U8, 1, 100),
	[VPCE_A_NLB_ADD] = NLA_POLICY_NESTED(vpce_addr_policy),
	[VPCE_A_NLB_DEL] = NLA_POLICY_NESTED(vpce_addr_policy),
};

static const struct nla_policy vpce_listener_change_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_LISTENER] = NLA_POLICY_NESTED(vpce_listener_policy),
};

static const struct nla_policy vpce_endpoint_addr_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
};

static const struct nla_policy vpce_target_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
	[VPCE_A_WEIGHT] = NLA_POLICY_RANGE(NLA_U16, 1, VPCE_WEIGHT_MAX),
};

static const struct nla_policy vpce_target_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
	[VPCE_A_WEIGHT] = NLA_POLICY_RANGE(NLA_U16, 1, VPCE_WEIGHT_MAX),
	[VPCE_A_HEALTH] = NLA_POLICY_MAX(NLA_U8, VPCE_HEALTH_MAX),
};

static const struct nla_policy vpce_target_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_service_allow_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_PRINCIPAL] = VPCE_POLICY_ARN,
};

static const struct nla_policy vpce_connection_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_endpoint_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_principal_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
	[VPCE_A_PRINCIPAL] = VPCE_POLICY_ARN,
};

static const struct nla_policy vpce_principal_del_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_PREFIX] = NLA_POLICY_NESTED(vpce_prefix_policy),
};

static const struct nla_policy vpce_principal_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
};

static const struct nla_policy vpce_endpoint_add_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_REQUESTER] = VPCE_POLICY_ARN,
	[VPCE_A_VPC] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_TYPE] = NLA_POLICY_MAX(NLA_U8, VPCE_TYPE_MAX),
	[VPCE_A_ADDRS] = NLA_POLICY_NESTED_ARRAY(vpce_addr_policy),
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
	[VPCE_A_MARK] = NLA_POLICY_MIN(NLA_U32, 1),
	[VPCE_A_ENDPOINT_ID] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						      vpce_validate_endpoint_id,
						      VPCE_ENDPOINT_ID_LEN),
	[VPCE_A_SGS] = { .type = NLA_NESTED },
};

static const struct nla_policy vpce_endpoint_set_nl_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
	[VPCE_A_FLOW_LOG] = VPCE_POLICY_BOOL,
	[VPCE_A_FLOW_LOG_AGGREGATION] = { .type = NLA_U32 },
	[VPCE_A_FLOW_LOG_SAMPLE] = NLA_POLICY_RANGE(NLA_U8, 1, 100),
};

static const struct nla_policy vpce_stats_get_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_STATS_OF] = NLA_POLICY_MAX(NLA_U8, VPCE_STATS_OF_MAX),
};

static const struct nla_policy vpce_flow_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME] = VPCE_POLICY_NAME,
	[VPCE_A_SERVICE] = VPCE_POLICY_NAME,
	[VPCE_A_ADDR] = NLA_POLICY_NESTED(vpce_addr_policy),
};

/* Past what the s16 bounds of NLA_POLICY_MAX() hold. */
static struct netlink_range_validation vpce_flow_limit_range = {
	.max = VPCE_FLOWS_MAX,
};

static const struct nla_policy vpce_flow_set_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_FLOW_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						    &vpce_flow_limit_range),
};

static const struct nla_policy vpce_simulate_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_POLICY] = VPCE_NLA_POLICY,
	[VPCE_A_POLICY_TEXT] = VPCE_NLA_POLICY_TEXT,
	[VPCE_A_REQUEST] = VPCE_NLA_REQUEST,
};

/*
 * @obj, which the name in @attr found (under vn->lock); NULL, the extack
 * then saying @msg ("no such ...", a literal) and pointing at @attr.
 */
static void *vpce_nl_found(void *obj, const struct nlattr *attr,
			   const char *msg, struct netlink_ext_ack *extack)
{
	if (!obj) {
		NL_SET_BAD_ATTR(extack, attr);
		/* What NL_SET_ERR_MSG() does, for a literal of the caller's. */
		if (extack)
			extack->_msg = msg;
	}
	return obj;
}

struct vpce_vpc *vpce_nl_vpc(struct vpce_net *vn, const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	return vpce_nl_found(vpce_vpc_find(vn, nla_data(attr)), attr,
			     "no such VPC", extack);
}

struct vpce_service *vpce_nl_service(struct vpce_net *vn,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	return vpce_nl_found(vpce_service_find(vn, nla_data(attr)), attr,
			     "no such service", extack);
}

struct vpce_endpoint *vpce_nl_endpoint(struct vpce_net *vn,
				       const struct nlattr *attr,
				       struct netlink_ext_ack *extack)
{
	return vpce_nl_found(vpce_endpoint_find(vn, nla_data(attr)), attr,
			     "no such endpoint", extack);
}

int vpce_put_addr(struct sk_buff *skb, int type,
		  const struct vpce_addr *addr, const char *zone)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((addr->family == AF_INET ?
	     nla_put_in_addr(skb, VPCE_ADDR_A_IPV4, addr->in.ip) :
	     nla_put_in6_addr(skb, VPCE_ADDR_A_IPV6, &addr->in.in6)) ||
	    (zone && zone[0] && nla_put_string(skb, VPCE_ADDR_A_ZONE, zone))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The header of a message of a dump, of command @cmd; NULL if full. */
void *vpce_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vpce_family, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* Put one object in a dump; 0 if it fit, else -EMSGSIZE. */
int vpce_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		  u8 cmd, vpce_fill_t fill, struct vpce_net *vn,
		  const void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vpce_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (fill(skb, vn, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * How a dump batch ends: a full batch goes on in the next one, but an object
 * that does not fit even in an empty batch never will, and returning 0 then
 * would end the dump as if it were complete.
 */
int vpce_dump_done(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/*
 * Dumps take the configuration lock for each batch and remember where they
 * stopped by position. Positions shift when objects come and go between
 * batches; the generation in cb->seq makes genetlink flag such a dump
 * NLM_F_DUMP_INTR so that the reader starts again.
 */
void vpce_dump_begin(struct netlink_callback *cb, struct vpce_net *vn)
{
	mutex_lock(&vn->lock);
	cb->seq = vn->gen << 1 | 1;	/* never 0: 0 means "not tracked" */
}

int vpce_dump_names(struct sk_buff *skb, struct netlink_callback *cb,
		    struct vpce_names *names, u8 cmd, vpce_fill_t fill,
		    size_t named_offset)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	const struct vpce_named *n;
	unsigned long idx = 0;
	int ret = 0;

	vpce_dump_begin(cb, vn);
	list_for_each_entry(n, &names->list, list) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		ret = vpce_dump_one(skb, cb, cmd, fill, vn,
				    (const char *)n - named_offset);
		if (ret)
			break;
		cb->args[0] = ++idx;
	}
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* The header of a reply to @info, in @msg; NULL when it does not fit. */
void *vpce_reply_put(struct sk_buff *msg, struct genl_info *info)
{
	return genlmsg_put_reply(msg, info, &vpce_family, 0, info->genlhdr->cmd);
}

int vpce_reply(struct genl_info *info, vpce_fill_t fill,
	       struct vpce_net *vn, const void *obj)
{
	struct sk_buff *msg;
	void *hdr;

	/* Large enough for any one object, an endpoint's policy included. */
	msg = genlmsg_new(VPCE_ENDPOINT_MSG_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = vpce_reply_put(msg, info);
	if (!hdr || fill(msg, vn, obj)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Events: see VPCE_MCGRP_EVENTS in the uapi header. */

/* Events name tenants' endpoints and targets: for administrators only. */
static const struct genl_multicast_group vpce_mcgrps[] = {
	[VPCE_NL_GRP_EVENTS] = { .name = VPCE_MCGRP_EVENTS,
				 .flags = GENL_MCAST_CAP_NET_ADMIN },
	/* Flow log records: who talked to whom, for administrators only. */
	[VPCE_NL_GRP_FLOWLOG] = { .name = VPCE_MCGRP_FLOWLOG,
				  .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/* Notifications of group @group: see vpce_nl_flowlog.c. */
bool vpce_nl_listening(struct net *net, unsigned int group)
{
	return genl_has_listeners(&vpce_family, net, group);
}

void *vpce_nl_notify_put(struct sk_buff *skb, u8 cmd)
{
	return genlmsg_put(skb, 0, 0, &vpce_family, 0, cmd);
}

int vpce_nl_notify(struct net *net, struct sk_buff *skb, unsigned int group,
		   gfp_t gfp)
{
	return genlmsg_multicast_netns(&vpce_family, net, skb, 0, group, gfp);
}

/*
 * Build an event about @obj now (a deletion must describe the object before
 * it goes); vpce_event_send() sends it once the change has happened. NULL
 * when nobody listens or memory is short: events are best effort, like
 * rtnetlink's.
 */
struct sk_buff *vpce_event_build(struct vpce_net *vn, u8 cmd, u8 event,
				 vpce_fill_t fill, const void *obj)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&vpce_family, vn->net, 0))
		return NULL;
	skb = genlmsg_new(VPCE_ENDPOINT_MSG_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &vpce_family, 0, cmd);
	if (!hdr || nla_put_u8(skb, VPCE_A_EVENT, event) || fill(skb, vn, obj)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

void vpce_event_send(struct vpce_net *vn, struct sk_buff *skb)
{
	if (skb)
		genlmsg_multicast_netns(&vpce_family, vn->net, skb, 0, 0,
					GFP_KERNEL);
}

/* Endpoints (with their policy) and services (with their principals) may
 * need more than a page each.
 */
int vpce_nl_big_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = VPCE_ENDPOINT_MSG_SIZE;
	return 0;
}

/*
 * Flush: everything of the namespace goes, endpoints first (their flows end),
 * then services and their targets, then VPCs and their principal bindings.
 */
static int vpce_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_named *n, *tmp;
	int ret = 0;

	mutex_lock(&vn->lock);
	vpce_endpoints_flush(vn);
	vpce_sgs_destroy(vn);
	list_for_each_entry_safe(n, tmp, &vn->services.list, list) {
		ret = vpce_service_del(vn, container_of(n, struct vpce_service,
							named), info->extack);
		if (WARN_ON_ONCE(ret))
			goto out;
	}
	list_for_each_entry_safe(n, tmp, &vn->vpcs.list, list) {
		ret = vpce_vpc_del(vn, container_of(n, struct vpce_vpc, named),
				   info->extack);
		if (WARN_ON_ONCE(ret))
			goto out;
	}
out:
	mutex_unlock(&vn->lock);
	return ret;
}

/*
 * One rule for every command, reads and dumps included: CAP_NET_ADMIN in the
 * user namespace that owns the network namespace, as WireGuard asks. The
 * objects of a namespace name every tenant's accounts, ARNs and addresses,
 * and even the simulator burns CPU, so nothing is open to other users; a
 * user namespace manages the network namespaces it owns, and no other.
 */
#define VPCE_OP(_cmd, _doit, _policy)					\
	{								\
		.cmd = _cmd,						\
		.doit = _doit,						\
		.policy = _policy,					\
		.maxattr = VPCE_A_MAX,					\
		.flags = GENL_UNS_ADMIN_PERM,				\
	}
#define VPCE_GET_OP(_cmd, _doit, _dumpit, _policy)			\
	{								\
		.cmd = _cmd,						\
		.doit = _doit,						\
		.dumpit = _dumpit,					\
		.policy = _policy,					\
		.maxattr = VPCE_A_MAX,					\
		.flags = GENL_UNS_ADMIN_PERM,				\
	}

static const struct genl_ops vpce_genl_ops[] = {
	VPCE_OP(VPCE_CMD_VPC_ADD, vpce_nl_vpc_add, vpce_vpc_add_policy),
	VPCE_OP(VPCE_CMD_VPC_DEL, vpce_nl_vpc_del, vpce_name_policy),
	VPCE_GET_OP(VPCE_CMD_VPC_GET, vpce_nl_vpc_get, vpce_nl_vpc_dump,
		    vpce_name_policy),
	VPCE_OP(VPCE_CMD_VPC_SET, vpce_nl_vpc_set, vpce_vpc_set_policy),
	VPCE_GET_OP(VPCE_CMD_DEV_GET, NULL, vpce_nl_dev_dump,
		    vpce_principal_get_policy),
	VPCE_OP(VPCE_CMD_SERVICE_ADD, vpce_nl_service_add,
		vpce_service_add_policy),
	VPCE_OP(VPCE_CMD_SERVICE_DEL, vpce_nl_service_del, vpce_name_policy),
	VPCE_OP(VPCE_CMD_SERVICE_SET, vpce_nl_service_set,
		vpce_service_set_policy),
	{
		.cmd = VPCE_CMD_SERVICE_GET,
		.doit = vpce_nl_service_get,
		.start = vpce_nl_big_dump_start,
		.dumpit = vpce_nl_service_dump,
		.policy = vpce_name_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_TARGET_ADD, vpce_nl_target_add, vpce_target_policy),
	VPCE_OP(VPCE_CMD_TARGET_DEL, vpce_nl_target_del, vpce_target_policy),
	VPCE_OP(VPCE_CMD_TARGET_SET, vpce_nl_target_set,
		vpce_target_set_policy),
	VPCE_GET_OP(VPCE_CMD_TARGET_GET, NULL, vpce_nl_target_dump,
		    vpce_target_get_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_ADD, vpce_nl_endpoint_add,
		vpce_endpoint_add_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_DEL, vpce_nl_endpoint_del,
		vpce_name_policy),
	{
		.cmd = VPCE_CMD_ENDPOINT_GET,
		.doit = vpce_nl_endpoint_get,
		.start = vpce_nl_big_dump_start,
		.dumpit = vpce_nl_endpoint_dump,
		.policy = vpce_endpoint_get_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_ENDPOINT_SET, vpce_nl_endpoint_set,
		vpce_endpoint_set_nl_policy),
	VPCE_OP(VPCE_CMD_SERVICE_ALLOW, vpce_nl_service_allow,
		vpce_service_allow_policy),
	VPCE_OP(VPCE_CMD_SERVICE_DISALLOW, vpce_nl_service_disallow,
		vpce_service_allow_policy),
	VPCE_OP(VPCE_CMD_CONNECTION_ACCEPT, vpce_nl_connection_accept,
		vpce_connection_policy),
	VPCE_OP(VPCE_CMD_CONNECTION_REJECT, vpce_nl_connection_reject,
		vpce_connection_policy),
	VPCE_OP(VPCE_CMD_PRINCIPAL_ADD, vpce_nl_principal_add,
		vpce_principal_policy),
	VPCE_OP(VPCE_CMD_PRINCIPAL_DEL, vpce_nl_principal_del,
		vpce_principal_del_policy),
	VPCE_GET_OP(VPCE_CMD_PRINCIPAL_GET, NULL, vpce_nl_principal_dump,
		    vpce_principal_get_policy),
	{
		.cmd = VPCE_CMD_FLUSH,
		.doit = vpce_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_POLICY_SIMULATE, vpce_nl_policy_simulate,
		vpce_simulate_policy),
	VPCE_GET_OP(VPCE_CMD_STATS_GET, NULL, vpce_nl_stats_dump,
		    vpce_stats_get_policy),
	{
		.cmd = VPCE_CMD_FLOW_GET,
		.doit = vpce_nl_flow_get,
		.start = vpce_nl_flow_dump_start,
		.dumpit = vpce_nl_flow_dump,
		.done = vpce_nl_flow_dump_done,
		.policy = vpce_flow_policy,
		.maxattr = VPCE_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	VPCE_OP(VPCE_CMD_FLOW_DEL, vpce_nl_flow_del, vpce_flow_policy),
	VPCE_OP(VPCE_CMD_LISTENER_ADD, vpce_nl_listener_add,
		vpce_listener_change_policy),
	VPCE_OP(VPCE_CMD_LISTENER_DEL, vpce_nl_listener_del,
		vpce_listener_change_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_ADDR_ADD, vpce_nl_endpoint_addr_add,
		vpce_endpoint_addr_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_ADDR_DEL, vpce_nl_endpoint_addr_del,
		vpce_endpoint_addr_policy),
	VPCE_OP(VPCE_CMD_FLOW_SET, vpce_nl_flow_set, vpce_flow_set_policy),
	VPCE_OP(VPCE_CMD_SG_ADD, vpce_nl_sg_add, vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_SG_DEL, vpce_nl_sg_del, vpce_sg_nl_policy),
	VPCE_GET_OP(VPCE_CMD_SG_GET, NULL, vpce_nl_sg_dump, vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_SG_RULE_ADD, vpce_nl_sg_rule_add, vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_SG_RULE_DEL, vpce_nl_sg_rule_del, vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_SG_MEMBER_ADD, vpce_nl_sg_member_add,
		vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_SG_MEMBER_DEL, vpce_nl_sg_member_del,
		vpce_sg_nl_policy),
	VPCE_OP(VPCE_CMD_ENDPOINT_SG_SET, vpce_nl_endpoint_sg_set,
		vpce_sg_nl_policy),
};

static struct genl_family vpce_family __ro_after_init = {
	.name = VPCE_GENL_NAME,
	.version = VPCE_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = vpce_genl_ops,
	.n_ops = ARRAY_SIZE(vpce_genl_ops),
	.mcgrps = vpce_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vpce_mcgrps),
	/* Strict: reserved header bits and unknown attributes are refused. */
	.resv_start_op = 0,
	/*
	 * Not under genl_mutex, which every family of the host shares: each
	 * handler, dump batches included, serializes on its namespace's
	 * vn->lock, and the policy simulator needs no lock at all. Nothing
	 * else is shared but the extack ring of compat.c (an atomic index)
	 * and what has locks of its own (counter blocks, conntrack zone ids).
	 * Dump start/done (vpce_nl_flow_dump_start(),
	 * vpce_nl_big_dump_start()) touch only their own netlink_callback.
	 */
	.parallel_ops = true,
};

int __init vpce_genl_init(void)
{
	vpce_nl_flowlog_init();
	return genl_register_family(&vpce_family);
}

void vpce_genl_uninit(void)
{
	vpce_nl_flowlog_uninit();
	genl_unregister_family(&vpce_family);
}
