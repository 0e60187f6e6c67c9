// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Counters: AWS's CloudWatch metrics for PrivateLink, per endpoint (and
 * endpoint zone), per service (and service zone) and per target.
 *
 * Events that happen to a packet (a new flow, a refusal, the bytes of a
 * packet, a reset) are counted where they happen, in per-CPU counters with
 * u64_stats_sync, summed when read, as IPVS does: no lock and no shared
 * cache line on the packet path.
 *
 * What is (how many flows are active) is not counted but looked up when
 * read: the reader walks the namespace's conntrack table. Counting it on
 * the packet path would need to see every flow end, and in 6.1 a module
 * has no way to: it cannot add a conntrack extension of its own, conntrack
 * has one event notifier and ctnetlink owns it, and flows end by timing out
 * in conntrack's garbage collector, which calls nobody. A count kept by
 * increments and decrements would also drift for good on any missed end.
 * The walk is exact by construction, costs nothing while nobody asks, and
 * runs in process context; reading is rare (a scrape every few seconds).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_stats.h"
#include "vpce_endpoint.h"
#include "vpce_gateway.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_vpc.h"

#include <linux/ip.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack_core.h>

/* The packet path */

/*
 * The counters a flow to @ea counts in: its endpoint address's and its
 * service zone's. A gateway endpoint has no address and its service no
 * zones: both count in their one set.
 */
static struct vpce_counters *vpce_ep_counters(const struct vpce_endpoint *ep,
					      const struct vpce_ep_addr *ea)
{
	/* Through @ea's block, which the address is in for as long as a
	 * packet can hold it; a gateway endpoint's never changes.
	 */
	if (ea)
		return vpce_counters_this(&vpce_ep_addr_block(ea)->stats,
					  ea->idx);
	return vpce_counters_this(&ep->addrs0.stats, 0);
}

static struct vpce_counters *vpce_svc_counters(const struct vpce_endpoint *ep,
					       const struct vpce_ep_addr *ea)
{
	return vpce_counters_this(&ep->svc->stats, ea ? ea->zone : 0);
}

static void vpce_count(struct vpce_counters *c, u64_stats_t *v, u64 n)
{
	u64_stats_update_begin(&c->syncp);
	u64_stats_add(v, n);
	u64_stats_update_end(&c->syncp);
}

/*
 * A flow to @ea was sent to the target whose counters are @ts (a gateway
 * endpoint's: let through, no target).
 */
void vpce_stats_flow_new(const struct vpce_endpoint *ep,
			 const struct vpce_ep_addr *ea, struct vpce_tstats *ts)
{
	struct vpce_counters *c;

	c = vpce_ep_counters(ep, ea);
	vpce_count(c, &c->conns, 1);
	c = vpce_svc_counters(ep, ea);
	vpce_count(c, &c->conns, 1);
	if (ts) {
		c = vpce_counters_this(&ts->stats, 0);
		vpce_count(c, &c->conns, 1);
	}
}

/* A flow to @ea was refused; @reset: with a TCP reset. */
void vpce_stats_refused(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea, enum vpce_drop why,
			bool reset)
{
	struct vpce_counters *c = vpce_ep_counters(ep, ea);

	vpce_count(c, &c->drops[why], 1);
	/* The pool is the service zone's: it counts there too. */
	if (why == VPCE_DROP_PORT_ALLOC) {
		c = vpce_svc_counters(ep, ea);
		vpce_count(c, &c->drops[why], 1);
	}
	if (reset)
		vpce_stats_reset_sent(ep, ea);
}

/*
 * vpce did not send a client of @ea an answer (an ARP or NDP answer, a
 * reset or an ICMP error): over the rate limit of its device.
 */
void vpce_stats_limited(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea)
{
	struct vpce_counters *c = vpce_ep_counters(ep, ea);

	vpce_count(c, &c->drops[VPCE_DROP_LIMITED], 1);
}

/* vpce sent a client of @ea a reset on the service's behalf. */
void vpce_stats_reset_sent(const struct vpce_endpoint *ep,
			   const struct vpce_ep_addr *ea)
{
	struct vpce_counters *c = vpce_svc_counters(ep, ea);

	vpce_count(c, &c->rsts, 1);
}

/*
 * A packet of a flow to @ea, either way, after conntrack (and DNAT) have
 * seen it. Bytes are the IP packet's, headers included (skb->len at the
 * network layer), as conntrack accounting counts them; a GRO packet counts
 * as the one packet it has become.
 */
void vpce_stats_packet(struct vpce_net *vn, const struct vpce_endpoint *ep,
		       const struct vpce_ep_addr *ea, const struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, const struct sk_buff *skb)
{
	const struct nf_conntrack_tuple *reply;
	bool rst = false, from_target;
	struct vpce_tstats *ts;

	/* ICMP errors belong to their flow but are not its traffic. */
	if (ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY)
		return;
	from_target = CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY;
	if (nf_ct_protonum(ct) == IPPROTO_TCP) {
		const struct tcphdr *th;
		struct tcphdr _th;
		int thoff;
		u8 proto;

		thoff = vpce_thoff(skb, nf_ct_l3num(ct), &proto);
		th = thoff < 0 || proto != IPPROTO_TCP ? NULL :
			skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		rst = th && th->rst;
	}

	ts = NULL;
	if (ea) {
		reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		ts = vpce_tstats_find(vn, ep->svc, reply->src.l3num,
				      &reply->src.u3);
	}
	vpce_stats_bytes(ep, ea, ts, skb->len, rst, from_target);
}

/*
 * A packet of @len bytes of a flow of @ep (@ea, target counters @ts: NULL
 * for a gateway endpoint's); @rst: a reset, counted for whoever sent it.
 */
void vpce_stats_bytes(const struct vpce_endpoint *ep,
		      const struct vpce_ep_addr *ea, struct vpce_tstats *ts,
		      unsigned int len, bool rst, bool from_target)
{
	struct vpce_counters *c;

	c = vpce_ep_counters(ep, ea);
	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->bytes, len);
	if (rst && !from_target)
		u64_stats_inc(&c->rsts);
	u64_stats_update_end(&c->syncp);

	c = vpce_svc_counters(ep, ea);
	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->bytes, len);
	if (rst && from_target)
		u64_stats_inc(&c->rsts);
	u64_stats_update_end(&c->syncp);

	if (ts) {
		c = vpce_counters_this(&ts->stats, 0);
		vpce_count(c, &c->bytes, len);
	}
}

void vpce_endpoint_counters_sum(const struct vpce_endpoint *ep,
				struct vpce_counters_sum *sum)
{
	const struct vpce_ep_addrs *blk = vpce_endpoint_addrs(ep);
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < blk->stats.n; i++)
		vpce_counters_sum(&blk->stats, i, sum);
}

/* Active connections: a walk of conntrack */

/*
 * A flow is active while TCP is setting it up or it is established
 * (SYN_SENT, SYN_RECV, ESTABLISHED: a flow that is closing or closed is not,
 * although conntrack keeps it for a while), and a UDP flow while its
 * conntrack entry lives, that is until the service's UDP idle timeout after
 * its last packet. UDP has no connection to close; its entry is what keeps
 * sending the flow's packets to the same target.
 */
static bool vpce_flow_active(const struct nf_conn *ct)
{
	if (nf_ct_is_expired(ct) || nf_ct_is_dying(ct))
		return false;
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_TCP:
		switch (READ_ONCE(ct->proto.tcp.state)) {
		case TCP_CONNTRACK_SYN_SENT:
		case TCP_CONNTRACK_SYN_RECV:
		case TCP_CONNTRACK_ESTABLISHED:
			return true;
		}
		return false;
	case IPPROTO_UDP:
		return true;
	}
	return false;
}

/* Called by conntrack for every entry, with a bucket lock held: never 1. */
static int vpce_flow_count(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *orig, *reply;
	struct vpce_net *vn = data;
	struct vpce_endpoint *ep;
	struct vpce_ep_addr *ea;
	struct vpce_dev *d;

	d = vpce_dev_by_ct(vn, ct);
	if (!d)
		return 0;
	/* No DNAT: a gateway endpoint's flow, if any; no zone, no target. */
	if (!(ct->status & IPS_DST_NAT)) {
		ep = vpce_gateway_flow_ep(d->vpc, ct);
		if (ep && vpce_flow_active(ct)) {
			ep->active++;
			ep->svc->active[0]++;
		}
		return 0;
	}
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	ea = vpce_ep_addr_find(vn, d->vpc, orig->src.l3num, &orig->dst.u3);
	if (!ea || !vpce_flow_active(ct))
		return 0;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	vpce_stats_active_add(ea, vpce_tstats_find(vn, ea->ep->svc,
						   reply->src.l3num,
						   &reply->src.u3));
	return 0;
}

/* One more active flow to @ea, on the target with counters @ts (or NULL). */
void vpce_stats_active_add(struct vpce_ep_addr *ea, struct vpce_tstats *ts)
{
	ea->active++;
	ea->ep->svc->active[ea->zone]++;
	if (ts)
		ts->active++;
}

/* Set every @active member that vpce_stats_count_active() counts to 0. */
static void vpce_stats_active_zero(struct vpce_net *vn)
{
	struct rhashtable_iter hti;
	struct vpce_endpoint *ep;
	struct vpce_service *svc;
	const struct vpce_named *n;
	struct vpce_tstats *ts;
	unsigned int i;

	list_for_each_entry(n, &vn->endpoints.list, list) {
		ep = container_of(n, struct vpce_endpoint, named);
		if (ep->type == VPCE_TYPE_GATEWAY)
			ep->active = 0;
		for (i = 0; i < ep->naddrs; i++)
			vpce_endpoint_addrs(ep)->a[i].active = 0;
	}
	list_for_each_entry(n, &vn->services.list, list) {
		svc = container_of(n, struct vpce_service, named);
		memset(svc->active, 0, sizeof(svc->active));
	}
	rhashtable_walk_enter(&vn->tstats, &hti);
	rhashtable_walk_start(&hti);
	while ((ts = rhashtable_walk_next(&hti))) {
		if (!IS_ERR(ts))
			ts->active = 0;
	}
	rhashtable_walk_stop(&hti);
	rhashtable_walk_exit(&hti);
}

/* How often the count starts over after a resize of the own table. */
#define VPCE_STATS_COUNT_TRIES	4

/*
 * Count the active flows of every endpoint address, service zone and
 * target into their @active members, which only this function writes and
 * only readers of the counters read, all under vn->lock. A resize of the
 * own table during its walk may show a flow twice, so the count starts
 * over; the table only grows, and after a few tries a count that may be
 * a little high is better than holding vn->lock through a SYN flood.
 */
void vpce_stats_count_active(struct vpce_net *vn)
{
	struct nf_ct_iter_data iter = { .net = vn->net, .data = vn };
	unsigned int tries = 0;

	lockdep_assert_held(&vn->lock);

	do
		vpce_stats_active_zero(vn);
	while (!vpce_conns_count_active(vn) &&
	       ++tries < VPCE_STATS_COUNT_TRIES);
	if (vn->hooks_registered)
		nf_ct_iterate_cleanup_net(vpce_flow_count, &iter);
}

/* Readers, vn->lock held, after vpce_stats_count_active() */

/*
 * The counters of the zone of @ep's address @i into @z: the sums of its
 * addresses there (a dual stack endpoint has two in a zone). False when an
 * earlier address is in that zone, whose reading gave them already.
 */
bool vpce_stats_endpoint_zone(const struct vpce_endpoint *ep, unsigned int i,
			      struct vpce_counters_sum *z)
{
	const struct vpce_ep_addrs *blk = vpce_endpoint_addrs(ep);
	const struct vpce_ep_addr *a = blk->a;
	unsigned int j;

	for (j = 0; j < i; j++)
		if (a[j].zone == a[i].zone)
			return false;
	memset(z, 0, sizeof(*z));
	for (j = i; j < ep->naddrs; j++) {
		if (a[j].zone != a[i].zone)
			continue;
		vpce_counters_sum(&blk->stats, j, z);
		z->active += a[j].active;
	}
	return true;
}

/*
 * What of @ep's counters is in no zone: all of a gateway endpoint's (its
 * one set), none of an interface endpoint's, whose total is the sum of its
 * zones'.
 */
void vpce_stats_endpoint_unzoned(const struct vpce_endpoint *ep,
				 struct vpce_counters_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (ep->naddrs)
		return;
	vpce_counters_sum(&ep->addrs0.stats, 0, sum);
	sum->active = ep->active;
}

/* Zone @i of @svc; for a gateway service (no zones), @i 0 is its one set. */
void vpce_stats_service_zone(const struct vpce_service *svc, unsigned int i,
			     struct vpce_counters_sum *z)
{
	memset(z, 0, sizeof(*z));
	vpce_counters_sum(&svc->stats, i, z);
	z->active = svc->active[i];
}

/* Target @addr of @svc (zeros if it has no counters). */
void vpce_stats_target(struct vpce_net *vn, const struct vpce_service *svc,
		       const struct vpce_addr *addr,
		       struct vpce_counters_sum *s)
{
	struct vpce_tstats *ts;

	memset(s, 0, sizeof(*s));
	ts = vpce_tstats_find(vn, svc, addr->family, &addr->in);
	if (ts) {
		vpce_counters_sum(&ts->stats, 0, s);
		s->active = ts->active;
	}
}
