// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Flows of vpce's own connection table (conntrack=0): VPCE_CMD_FLOW_GET
 * lists them, VPCE_CMD_FLOW_DEL ends them. The table's reader
 * (vpce_conns_read()) gives plain values; the messages are built here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"
#include "vpce_nl.h"
#include "vpce_conn.h"
#include "vpce_endpoint.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_vpc.h"

#include <linux/in.h>
#include <net/genetlink.h>
#include <net/sock.h>

/* The filters of VPCE_CMD_FLOW_GET and VPCE_CMD_FLOW_DEL; vn->lock held. */
static int vpce_flow_filter(struct vpce_net *vn, struct nlattr **attrs,
			    struct vpce_flow_match *m, struct vpce_zone_addr *za,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int ret;

	a = attrs[VPCE_A_NAME];
	if (a) {
		m->ep = vpce_nl_endpoint(vn, a, extack);
		if (!m->ep)
			return -ENOENT;
	}
	a = attrs[VPCE_A_SERVICE];
	if (a) {
		m->svc = vpce_nl_service(vn, a, extack);
		if (!m->svc)
			return -ENOENT;
	}
	a = attrs[VPCE_A_ADDR];
	if (a) {
		ret = vpce_parse_addr(a, za, extack);
		if (ret)
			return ret;
		m->target = &za->addr;
	}
	return 0;
}

/*
 * The dump's cursor into the table lives in cb->args[0] from .start to
 * .done, so that each batch goes on where the last one stopped.
 */
enum { VPCE_FLOW_CUR };

int vpce_nl_flow_dump_start(struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(cb->skb->sk));
	struct vpce_conns_cursor *cur;

	if (vpce_conntrack)
		return 0;	/* the dump itself says why not */
	cur = vpce_conns_cursor_new(vn);
	if (!cur)
		return -ENOMEM;
	cb->args[VPCE_FLOW_CUR] = (long)cur;
	return 0;
}

int vpce_nl_flow_dump_done(struct netlink_callback *cb)
{
	vpce_conns_cursor_free((void *)cb->args[VPCE_FLOW_CUR]);
	return 0;
}

static int vpce_put_addr4(struct sk_buff *skb, int type, __be32 ip,
			  const char *zone)
{
	struct vpce_addr a = { .in.ip = ip, .family = AF_INET };

	return vpce_put_addr(skb, type, &a, zone);
}

static int vpce_fill_flow(struct sk_buff *skb, struct vpce_net *vn,
			  const void *obj)
{
	const struct vpce_flow_info *f = obj;
	const struct vpce_endpoint *ep = f->ep;
	struct nlattr *nest;

	if (nla_put_string(skb, VPCE_A_NAME, ep->named.name) ||
	    vpce_put_endpoint_id(skb, ep) ||
	    nla_put_string(skb, VPCE_A_VPC, ep->vpc->named.name) ||
	    nla_put_string(skb, VPCE_A_SERVICE, ep->svc->named.name))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, VPCE_A_FLOW);
	if (!nest ||
	    nla_put_u8(skb, VPCE_FLOW_A_PROTO, f->proto) ||
	    vpce_put_addr4(skb, VPCE_FLOW_A_CLIENT, f->client, NULL) ||
	    nla_put_u16(skb, VPCE_FLOW_A_CLIENT_PORT, ntohs(f->client_port)) ||
	    vpce_put_addr4(skb, VPCE_FLOW_A_ADDR, f->addr,
			   ep->svc->zones[f->zone].name) ||
	    nla_put_u16(skb, VPCE_FLOW_A_PORT, ntohs(f->port)) ||
	    vpce_put_addr4(skb, VPCE_FLOW_A_TARGET, f->target, NULL) ||
	    nla_put_u16(skb, VPCE_FLOW_A_TARGET_PORT, ntohs(f->target_port)) ||
	    vpce_put_addr4(skb, VPCE_FLOW_A_NLB, f->nlb, NULL) ||
	    nla_put_u16(skb, VPCE_FLOW_A_NLB_PORT, ntohs(f->nlb_port)) ||
	    nla_put_u8(skb, VPCE_FLOW_A_STATE, f->state) ||
	    nla_put_u32(skb, VPCE_FLOW_A_EXPIRES, f->expires) ||
	    nla_put_u32(skb, VPCE_FLOW_A_IFINDEX, f->ifindex))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

struct vpce_flow_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct vpce_net *vn;
};

/* One flow of the table's reader into the batch: non-zero when full. */
static int vpce_flow_dump_one(const struct vpce_flow_info *f, void *arg)
{
	struct vpce_flow_dump_ctx *ctx = arg;

	return vpce_dump_one(ctx->skb, ctx->cb, VPCE_CMD_FLOW_GET,
			     vpce_fill_flow, ctx->vn, f);
}

int vpce_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpce_net *vn = vpce_net(sock_net(skb->sk));
	struct vpce_flow_dump_ctx ctx = { .skb = skb, .cb = cb, .vn = vn };
	struct vpce_flow_match m = {};
	struct vpce_zone_addr za;
	int ret;

	if (vpce_conntrack) {
		NL_SET_ERR_MSG(cb->extack,
			       "flows are in conntrack (module parameter conntrack=1): see conntrack -L");
		return -EOPNOTSUPP;
	}
	vpce_dump_begin(cb, vn);
	ret = vpce_flow_filter(vn, genl_dumpit_info(cb)->attrs, &m, &za,
			       cb->extack);
	if (!ret)
		ret = vpce_conns_read(vn, (void *)cb->args[VPCE_FLOW_CUR], &m,
				      vpce_flow_dump_one, &ctx);
	mutex_unlock(&vn->lock);
	return vpce_dump_done(skb, ret);
}

/* The table itself: its limit (set and in force) and its flows. */
static int vpce_fill_flow_table(struct sk_buff *skb, struct vpce_net *vn,
				const void *obj)
{
	if (nla_put_u32(skb, VPCE_A_FLOW_LIMIT, vn->conns.limit) ||
	    nla_put_u32(skb, VPCE_A_FLOW_MAX, vpce_conns_limit(vn)) ||
	    nla_put_u32(skb, VPCE_A_FLOW_COUNT, vpce_conns_count(vn)))
		return -EMSGSIZE;
	return 0;
}

static bool vpce_nl_flow_refused(struct genl_info *info)
{
	if (!vpce_conntrack)
		return false;
	NL_SET_ERR_MSG(info->extack,
		       "flows are in conntrack (module parameter conntrack=1): see conntrack -L");
	return true;
}

int vpce_nl_flow_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	int ret;

	/* With conntrack=1 too (the table is empty): "save" asks. */
	if (vpce_refused(info, VPCE_A_NAME, "the table itself: no filters") ||
	    vpce_refused(info, VPCE_A_SERVICE, "the table itself: no filters") ||
	    vpce_refused(info, VPCE_A_ADDR, "the table itself: no filters"))
		return -EINVAL;
	mutex_lock(&vn->lock);
	ret = vpce_reply(info, vpce_fill_flow_table, vn, NULL);
	mutex_unlock(&vn->lock);
	return ret;
}

int vpce_nl_flow_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	u32 limit;

	if (vpce_nl_flow_refused(info))
		return -EOPNOTSUPP;
	if (vpce_missing(info, VPCE_A_FLOW_LIMIT, "missing the limit"))
		return -EINVAL;
	limit = nla_get_u32(info->attrs[VPCE_A_FLOW_LIMIT]);
	/* Flows are the host's memory: past the default, as past a netns's
	 * nf_conntrack_max, only the host's administrator decides.
	 */
	if (limit > vpce_conns_default_limit() &&
	    !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "a limit above %u needs CAP_NET_ADMIN in the initial user namespace",
				   vpce_conns_default_limit());
		return -EPERM;
	}
	mutex_lock(&vn->lock);
	vpce_conns_set_limit(vn, limit);
	vpce_net_changed(vn);
	mutex_unlock(&vn->lock);
	return 0;
}

int vpce_nl_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vpce_net *vn = vpce_net(genl_info_net(info));
	struct vpce_flow_match m = { .quiet = true };
	struct vpce_zone_addr za;
	int ret;

	mutex_lock(&vn->lock);
	ret = vpce_flow_filter(vn, info->attrs, &m, &za, info->extack);
	if (!ret)
		vpce_flows_end(vn, &m);
	mutex_unlock(&vn->lock);
	return ret;
}
