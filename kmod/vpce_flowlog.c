// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Flow logs: records of an endpoint's flows, as AWS's VPC Flow Logs has
 * them for the endpoint's network interface (include/uapi/linux/vpce.h,
 * "Flow logs"; Documentation/flow-logs.md).
 *
 * Why here and so: the data path counts and decides, the control layer
 * sends. A flow that is logged gets a small block of counters of its own
 * (struct vpce_flowlog) when it starts; a flow that is not pays a NULL
 * pointer and one test per packet, so that endpoints without flow logs
 * cost what they did. Whether a flow is logged is decided once, at its
 * start, from the endpoint's setting and a hash of the flow (sampling
 * without a random number per packet, and the same flow always the same
 * way). A record is due when the flow ends and when its aggregation
 * interval is over; the latter is noticed on the flow's next packet, not
 * by a timer walking every flow: an interval without packets has no record
 * anyway (AWS's NODATA is not kept), and its packets are reported with the
 * next interval's at the latest.
 *
 * Records are filled here and handed to the sender the control layer
 * registered, in whatever context the flow ends or its packet comes
 * (softirq included): the sender allocates atomically and never sleeps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_flowlog.h"
#include "vpce_endpoint.h"
#include "vpce_epid.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_vpc.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>

static vpce_flowlog_send_t vpce_flowlog_send __ro_after_init;
/* Keys the sampling hash, so that a tenant cannot pick unlogged ports. */
static u32 vpce_flowlog_seed __ro_after_init;

void __init vpce_flowlog_register(vpce_flowlog_send_t send)
{
	vpce_flowlog_send = send;
	vpce_flowlog_seed = get_random_u32();
}

void vpce_flowlog_lost(struct vpce_flowlog_net *fn, u64 n)
{
	atomic64_add(n, &fn->lost);
	atomic64_add(n, &fn->pending);
}

/* Whether the flow hashed from @key is one of the @setting's sample. */
static bool vpce_flowlog_sampled(u8 setting, const void *key, size_t len)
{
	u8 sample = vpce_fl_sample(setting);

	if (sample >= VPCE_FL_SAMPLE_ALL)
		return true;
	return reciprocal_scale(jhash(key, len, vpce_flowlog_seed),
				VPCE_FL_SAMPLE_ALL) < sample;
}

/*
 * Each side samples for itself, from the same hash. A flow both sides log
 * has one interval, the shorter of theirs: its counters are shared.
 */
u8 vpce_flowlog_sides(const struct vpce_endpoint *ep, const void *key,
		      size_t len, u32 *interval)
{
	u8 eps = READ_ONCE(ep->flowlog), svcs = READ_ONCE(ep->svc->flowlog);
	u8 sides = 0;

	*interval = U16_MAX;
	if (likely(!eps && !svcs))
		return 0;
	if (eps && vpce_flowlog_sampled(eps, key, len)) {
		sides |= VPCE_FL_SIDE_EP;
		*interval = vpce_fl_aggregation(eps);
	}
	if (svcs && vpce_flowlog_sampled(svcs, key, len)) {
		sides |= VPCE_FL_SIDE_SVC;
		*interval = min(*interval, vpce_fl_aggregation(svcs));
	}
	return sides;
}

void vpce_flowlog_send_rec(struct net *net, const struct vpce_flowlog_rec *r)
{
	vpce_flowlog_send(net, r);
}

struct vpce_flowlog *vpce_flowlog_new(struct vpce_flowlog_net *fn,
				      const struct vpce_endpoint *ep,
				      const void *key, size_t len)
{
	struct vpce_flowlog *fl;
	u32 interval;
	u8 sides;

	sides = vpce_flowlog_sides(ep, key, len, &interval);
	if (likely(!sides))
		return NULL;
	/* Not charged to a memory cgroup: see vpce_conn_new(). */
	fl = kzalloc(sizeof(*fl), GFP_ATOMIC);
	if (!fl) {
		vpce_flowlog_lost(fn, hweight8(sides));
		return NULL;
	}
	fl->sides = sides;
	fl->interval = interval;
	fl->next = jiffies + interval * HZ;
	return fl;
}

/* The interface's fields of @r: the endpoint's ID and its VPC's owner. */
static void vpce_flowlog_interface(struct vpce_flowlog_rec *r,
				   const struct vpce_endpoint *ep)
{
	struct vpce_epid id = vpce_endpoint_id(ep);

	BUILD_BUG_ON(sizeof(r->interface) < VPCE_EPID_BUF);
	vpce_epid_format(&id, r->interface);
	r->account = ep->vpc->account;
}

void vpce_flowlog_emit(struct net *net, struct vpce_flowlog *fl,
		       const struct vpce_endpoint *ep,
		       struct vpce_flowlog_rec *r, struct vpce_flowlog_rec *prov,
		       bool final)
{
	unsigned long next = READ_ONCE(fl->next);
	int dir;

	/* One of the packets that find the interval over sends its record. */
	if (!final && cmpxchg(&fl->next, next,
			      jiffies + fl->interval * HZ) != next)
		return;
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++) {
		r->packets[dir] = atomic64_xchg(&fl->packets[dir], 0);
		r->bytes[dir] = atomic64_xchg(&fl->bytes[dir], 0);
	}
	r->start = READ_ONCE(fl->start);
	r->end = READ_ONCE(fl->last);
	WRITE_ONCE(fl->start, 0);
	if (!r->packets[IP_CT_DIR_ORIGINAL] && !r->packets[IP_CT_DIR_REPLY])
		return;
	if (r->end < r->start)
		r->end = r->start;
	r->action = VPCE_FLOWLOG_ACCEPT;
	if (fl->sides & VPCE_FL_SIDE_EP) {
		vpce_flowlog_interface(r, ep);
		vpce_flowlog_send(net, r);
	}
	if (fl->sides & VPCE_FL_SIDE_SVC) {
		/* The same packets, as the target sees them. */
		memcpy(prov->packets, r->packets, sizeof(r->packets));
		memcpy(prov->bytes, r->bytes, sizeof(r->bytes));
		prov->start = r->start;
		prov->end = r->end;
		prov->action = VPCE_FLOWLOG_ACCEPT;
		strscpy(prov->interface, ep->svc->named.name,
			sizeof(prov->interface));
		prov->account = ep->svc->account;
		vpce_flowlog_send(net, prov);
	}
}

/* @r's addresses and ports from @skb's headers; false if it has none. */
static bool vpce_flowlog_headers(const struct sk_buff *skb, u8 proto,
				 struct vpce_flowlog_rec *r)
{
	unsigned int thoff;
	__be16 ports[2], *pp;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		r->family = AF_INET;
		r->saddr.ip = iph->saddr;
		r->daddr.ip = iph->daddr;
		thoff = skb_network_offset(skb) + ip_hdrlen(skb);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		u8 nexthdr = ip6h->nexthdr;
		int off;

		r->family = AF_INET6;
		r->saddr.in6 = ip6h->saddr;
		r->daddr.in6 = ip6h->daddr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0)
			return false;
		thoff = off;
	} else {
		return false;
	}
	r->proto = proto;
	pp = skb_header_pointer(skb, thoff, sizeof(ports), ports);
	if (!pp)
		return false;
	r->sport = pp[0];
	r->dport = pp[1];
	return true;
}

/*
 * A tenant makes REJECT records at will, one for each packet it sends where
 * it may not (a SYN flood to a port its security groups close, ACKs of no
 * flow): at most VPCE_FLOWLOG_REJECTS_PER_S of them a second in a
 * namespace, the others counted as lost (the next record says SKIPDATA),
 * so that a flood costs no message per packet and does not crowd the
 * reader's socket out of room for the other records. Racy at the second's
 * turn by a few records, which is harmless.
 */
#define VPCE_FLOWLOG_REJECTS_PER_S	1000

static bool vpce_flowlog_reject_allowed(struct vpce_flowlog_net *fn)
{
	unsigned long now = jiffies, stamp = READ_ONCE(fn->reject_stamp);

	if (!time_in_range(now, stamp, stamp + HZ - 1)) {
		WRITE_ONCE(fn->reject_stamp, now);
		atomic_set(&fn->rejects, 0);
	}
	if (atomic_inc_return(&fn->rejects) <= VPCE_FLOWLOG_REJECTS_PER_S)
		return true;
	vpce_flowlog_lost(fn, 1);
	return false;
}

void vpce_flowlog_reject(struct net *net, const struct vpce_endpoint *ep,
			 const struct sk_buff *skb, u8 proto)
{
	u8 setting = READ_ONCE(ep->flowlog);
	struct vpce_flowlog_rec r = {};
	u32 now;

	if (!setting || !vpce_flowlog_headers(skb, proto, &r) ||
	    !vpce_flowlog_sampled(setting, &r.saddr,
				  offsetof(struct vpce_flowlog_rec, family) -
				  offsetof(struct vpce_flowlog_rec, saddr)) ||
	    !vpce_flowlog_reject_allowed(&vpce_net(net)->flowlog))
		return;
	now = (u32)ktime_get_real_seconds();
	r.packets[IP_CT_DIR_ORIGINAL] = 1;
	r.bytes[IP_CT_DIR_ORIGINAL] = skb->len;
	r.start = now;
	r.end = now;
	r.action = VPCE_FLOWLOG_REJECT;
	vpce_flowlog_interface(&r, ep);
	vpce_flowlog_send(net, &r);
}
