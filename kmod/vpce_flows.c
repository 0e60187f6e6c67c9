// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Ending flows: those that conntrack tracks and those of vpce's own table
 * (vpce_conn.c), by what they are to (endpoint, service, target), where
 * they come from (a device gone, a rebound principal) or what the policy
 * now says. Objects end their flows here when they change or go: the one
 * call from the objects down into the data path (Documentation/
 * architecture.md, "Layers").
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_flows.h"
#include "vpce_conn.h"
#include "vpce_endpoint.h"
#include "vpce_gateway.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_principal.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

struct vpce_flows_end_ctx {
	struct vpce_net *vn;
	const struct vpce_flow_match *m;
	/* Resets for the clients, sent once the walk is over. The walk runs
	 * in the caller's task, one entry at a time: no lock needed.
	 */
	struct sk_buff_head resets;
};

/*
 * Whether a flow of @ep matches @m, all but m->gone (which is about the
 * flow's device): @ea is its endpoint address (NULL for a gateway
 * endpoint's), @target its target's address, @nlb the load balancer
 * address its target sees, @orig its original tuple.
 * Under RCU with bottom halves off (the policy's evaluation).
 */
bool vpce_flow_match_ep(const struct vpce_flow_match *m,
			const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea, u8 family,
			const union nf_inet_addr *target,
			const union nf_inet_addr *nlb,
			const struct nf_conntrack_tuple *orig)
{
	if (m->ep && ep != m->ep)
		return false;
	if (m->svc && ep->svc != m->svc)
		return false;
	if (m->ea && ea != m->ea)
		return false;
	if (m->listener && (orig->dst.protonum != m->listener->proto ||
			    ntohs(orig->dst.u.all) != m->listener->port))
		return false;
	/* Gateway services have no targets. */
	if (m->target && (!ea || family != m->target->family ||
			  !nf_inet_addr_cmp(target, &m->target->in)))
		return false;
	if (m->nlb && (!ea || family != m->nlb->family ||
		       !nf_inet_addr_cmp(nlb, &m->nlb->in)))
		return false;
	if (m->rebound) {
		struct vpce_addr src = { .family = orig->src.l3num };

		if (ep->vpc != m->rebound)
			return false;
		src.in = orig->src.u3;
		if (!vpce_principal_changed(ep->vpc, m->was, &src))
			return false;
	}
	if (m->sg_denied && vpce_sgs_allow(vpce_endpoint_sgs(ep), orig))
		return false;
	return !m->denied || !vpce_endpoint_allows(ep, orig);
}

/* Called by conntrack for every entry of the namespace, with its locks held. */
static int vpce_flow_matches(struct nf_conn *ct, void *data)
{
	struct vpce_flows_end_ctx *ctx = data;
	const struct vpce_flow_match *m = ctx->m;
	const struct nf_conntrack_tuple *orig, *reply;
	struct vpce_endpoint *ep;
	struct vpce_ep_addr *ea;
	struct vpce_dev *d;
	u32 queued;
	bool match;

	d = vpce_dev_by_ct(ctx->vn, ct);
	if (!d)
		return 0;
	/* Every flow of a device that is gone ends, with no one to tell. */
	if (m->gone)
		return d->gone;
	if (m->leaving && !d->leaving)
		return 0;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	ea = vpce_ep_addr_find(ctx->vn, d->vpc, orig->src.l3num, &orig->dst.u3);
	ep = ea ? ea->ep : vpce_gateway_flow_ep(d->vpc, ct);
	if (!ep)
		return 0;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	rcu_read_lock();
	match = vpce_flow_match_ep(m, ep, ea, reply->src.l3num,
				   &reply->src.u3, &reply->dst.u3, orig);
	rcu_read_unlock();
	if (!match)
		return 0;
	if (m->quiet)
		return 1;
	queued = skb_queue_len(&ctx->resets);
	vpce_flow_reset(ct, d, &ctx->resets);
	if (skb_queue_len(&ctx->resets) != queued)
		vpce_stats_reset_sent(ep, ea);
	return 1;
}

void vpce_flows_end(struct vpce_net *vn, const struct vpce_flow_match *m)
{
	struct vpce_flows_end_ctx ctx = { .vn = vn, .m = m };
	struct nf_ct_iter_data iter = { .net = vn->net, .data = &ctx };

	lockdep_assert_held(&vn->lock);
	if (!vn->hooks_registered)
		return;
	/* A packet that read the old configuration may still be setting up
	 * a flow that matches; let it finish so that the walk sees it.
	 */
	synchronize_net();
	__skb_queue_head_init(&ctx.resets);
	nf_ct_iterate_cleanup_net(vpce_flow_matches, &iter);
	vpce_conns_end(vn, m, &ctx.resets);
	vpce_flow_resets_send(vn, &ctx.resets);
}
