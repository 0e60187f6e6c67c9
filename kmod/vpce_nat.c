// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The data path. Three hooks and a NAT lookup function, for IPv4 and IPv6
 * alike:
 *
 *  - raw (before conntrack): a packet arriving on a VPC's device gets the
 *    device's conntrack template, so its flow lives in the device's zone;
 *  - NAT lookup (called by the NAT core for new flows only): a flow to an
 *    endpoint address and listener gets DNAT to a target and SNAT to the
 *    zone's load balancer address; established and reply packets are then
 *    translated by the NAT core, not by us;
 *  - reply steering (just after the NAT core un-DNATs): a reply of a vpce
 *    flow is sent out of the device its flow came in on, because the host's
 *    routing table cannot tell two VPCs with the same CIDR apart;
 *  - and an ARP hook (vpce_arp.c) and a neighbour solicitation hook
 *    (vpce_ndp.c) that answer for endpoint addresses.
 *
 * Gateway endpoints (vpce_gateway.c) use the same hooks: the NAT lookup
 * function evaluates their new flows (without NAT), reply steering returns
 * their replies, and one more hook marks their packets.
 *
 * The hooks decide; what they send themselves (refusals, ICMP errors,
 * replies on their last hop, resets) is built and sent in vpce_xmit.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nat.h"
#include "vpce_arp.h"
#include "vpce_ndp.h"
#include "vpce_endpoint.h"
#include "vpce_gateway.h"
#include "vpce_net.h"
#include "vpce_proxy.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dst_metadata.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>

static unsigned int vpce_zone_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	unsigned int verdict;
	struct vpce_dev *d;

	/* Somebody (a notrack or CT rule) has decided for this packet; or
	 * this is its second pass, through the VRF its device is enslaved to
	 * (vrf_ip_rcv()): it was ours, or not, on the first.
	 */
	if (skb->_nfct || netif_is_l3_master(state->in))
		return NF_ACCEPT;
	d = vpce_dev_by_ifindex(vn, state->in->ifindex);
	/* With conntrack=0, vpce's own table takes what it can. */
	if (!vpce_conntrack && vpce_conn_in(vn, d, skb, state, &verdict))
		return verdict;
	if (!d)
		return NF_ACCEPT;
	nf_conntrack_get(&d->tmpl->ct_general);
	nf_ct_set(skb, d->tmpl, IP_CT_NEW);
	return NF_ACCEPT;
}

/*
 * Where the transport header of an IPv4 or IPv6 packet starts (past any
 * IPv6 extension headers), and its protocol; -1 for a packet that has none
 * to look at: malformed, or a fragment other than the first.
 */
int vpce_thoff(const struct sk_buff *skb, u8 pf, u8 *proto)
{
	const struct iphdr *iph;
	__be16 frag_off;
	int thoff;

	if (pf == NFPROTO_IPV4) {
		iph = ip_hdr(skb);
		if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
			return -1;
		*proto = iph->protocol;
		return ip_hdrlen(skb);
	}
	*proto = ipv6_hdr(skb)->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				 sizeof(struct ipv6hdr), proto, &frag_off);
	if (thoff < 0 || (frag_off & htons(~0x7)))
		return -1;
	return thoff;
}

/*
 * A TCP flow starts with a SYN. A new conntrack entry for anything else
 * (conntrack picks up mid-stream packets with nf_conntrack_tcp_loose) is a
 * packet of a flow that is gone: timed out after the service's idle time,
 * or ended by target removal, health or draining. It gets a reset, as from
 * the NLB, so that the client learns at once instead of retransmitting
 * into silence, and it must not be load balanced: another target would
 * only reset it less helpfully, and the same one would see a flow it may
 * have given up.
 */
static bool vpce_tcp_stale(const struct sk_buff *skb, u8 pf)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int thoff;
	u8 proto;

	thoff = vpce_thoff(skb, pf, &proto);
	if (thoff < 0 || proto != IPPROTO_TCP)
		return false;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && !(th->syn && !th->ack);
}

/*
 * The source port range of the conntrack path's flows on an nlb address:
 * with vpce's own table beside it, a part of their own, so that the two
 * never hand out the same reply (vpce_conn_reply_port()); else any port
 * from VPCE_NAT_PORT_MIN, as the NAT core would pick.
 */
static void vpce_nat_ports(u8 family, u16 *lo, u16 *hi)
{
	*lo = !vpce_conntrack && family == AF_INET ? VPCE_NAT_CT_PORT_MIN :
		VPCE_NAT_PORT_MIN;
	*hi = U16_MAX;
}

/*
 * Whether @port of @nlb is free for @ct's reply (whose source is already
 * the target, after DNAT): no conntrack entry has that reply.
 */
static bool vpce_nat_port_free(const struct nf_conn *ct,
			       const struct vpce_addr *nlb, u16 port)
{
	struct nf_conntrack_tuple t = ct->tuplehash[IP_CT_DIR_REPLY].tuple;

	t.dst.u3 = nlb->in;
	t.dst.u.all = htons(port);
	return !nf_conntrack_tuple_taken(&t, ct);
}

/*
 * The address of the zone's pool @nlb (@n of them) and the port @ct's
 * replies come to: as vpce_conn_reply_port() picks them for the own table,
 * from an address of the flow's own at random, the client's port first,
 * then random ones, the next address when VPCE_NAT_PORT_TRIES found none
 * free (the NAT core, given an address that is full, would make a reply
 * that conntrack then refuses to confirm). NULL when no address had one.
 * Another CPU may take the port between this look and the confirmation:
 * conntrack then drops the packet, and the client's retransmission tries
 * again.
 */
#define VPCE_NAT_PORT_TRIES	8

static const struct vpce_addr *vpce_nat_pick(const struct nf_conn *ct,
					     const struct vpce_addr *nlb,
					     unsigned int n, u16 *port)
{
	u16 sport = ntohs(ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u.all);
	unsigned int a, i, first;
	u16 lo, hi;

	vpce_nat_ports(nlb->family, &lo, &hi);
	first = n > 1 ? get_random_u32_below(n) : 0;
	for (a = 0; a < n; a++) {
		const struct vpce_addr *cand = &nlb[(first + a) % n];

		*port = sport;
		for (i = 0; i < VPCE_NAT_PORT_TRIES; i++) {
			if (*port >= lo && vpce_nat_port_free(ct, cand, *port))
				return cand;
			*port = lo + get_random_u32_below(hi - lo + 1);
		}
	}
	return NULL;
}

/* Source NAT of @ct to a port of the zone's pool, or the refusal. */
static unsigned int vpce_flow_snat(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   struct nf_conn *ct, const struct vpce_ep_addr *ea)
{
	struct vpce_endpoint *ep = ea->ep;
	const struct vpce_addr *nlb;
	struct nf_nat_range2 range;
	unsigned int n;
	u16 port;

	nlb = vpce_service_nlbs(ep->svc, ea->zone, ea->key.addr.family, &n);
	if (!n)		/* cannot happen: endpoint add checks */
		return NF_DROP;
	nlb = vpce_nat_pick(ct, nlb, n, &port);
	if (!nlb)
		return vpce_refuse(ep, ea, skb, state, nf_ct_protonum(ct),
				   VPCE_DROP_PORT_ALLOC);
	memset(&range, 0, sizeof(range));
	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = nlb->in;
	range.max_addr = range.min_addr;
	range.min_proto.all = htons(port);
	range.max_proto.all = range.min_proto.all;
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
}

static unsigned int vpce_flow_new(struct vpce_net *vn, struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  struct nf_conn *ct, const struct vpce_ep_addr *ea)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct vpce_endpoint *ep = ea->ep;
	const struct vpce_service *svc = ep->svc;
	const struct vpce_listener *l;
	const struct vpce_target *tgt;
	struct nf_nat_range2 range;
	u8 proto = t->dst.protonum;
	unsigned int verdict;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		vpce_stats_refused(ep, ea, VPCE_DROP_PROTO, false);
		return NF_DROP;
	}
	/* The endpoint's security groups, first, as at AWS's network
	 * interface: what they do not let in is dropped silently (no reset,
	 * no ICMP error), before the listeners, the state and the policy.
	 */
	if (!vpce_sgs_allow(vpce_endpoint_sgs(ep), t))
		return vpce_refuse_silently(ep, ea, skb, state->net, proto,
					    VPCE_DROP_SG);
	/* A dying address is being deleted: its flows are being ended. */
	if (READ_ONCE(ep->state) != VPCE_STATE_AVAILABLE ||
	    READ_ONCE(ea->dying))
		return vpce_refuse(ea->ep, ea, skb, state, proto, VPCE_DROP_STATE);
	l = vpce_service_listener(svc, proto, ntohs(t->dst.u.all));
	if (!l)
		return vpce_refuse(ea->ep, ea, skb, state, proto, VPCE_DROP_NO_LISTENER);
	if (proto == IPPROTO_TCP && vpce_tcp_stale(skb, state->pf))
		return vpce_refuse(ea->ep, ea, skb, state, proto, VPCE_DROP_STALE);
	if (!vpce_endpoint_allows(ep, t))
		return vpce_refuse(ea->ep, ea, skb, state, proto, VPCE_DROP_POLICY);
	tgt = vpce_service_pick(svc, ea->zone, ep->vpc->named.name, t);
	if (!tgt)
		return vpce_refuse(ea->ep, ea, skb, state, proto, VPCE_DROP_NO_TARGET);
	/* The service's idle timeouts, or no flow: one with the host's
	 * (five days for established TCP) would outlive the service's.
	 */
	if (!vpce_timeouts_attach(&svc->timeouts, ct, skb))
		return NF_DROP;
	/* The PROXY header's place, kept with the flow: the setting when
	 * the flow starts holds for its life.
	 */
	if (proto == IPPROTO_TCP && READ_ONCE(svc->proxy_protocol)) {
		u8 l4proto;
		int thoff = vpce_thoff(skb, state->pf, &l4proto);

		/* A helper's own sequence adjustment (FTP's NAT) would move
		 * the stream without the header: not for such a service.
		 */
		if (nfct_help(ct))
			return vpce_refuse(ep, ea, skb, state, proto,
					   VPCE_DROP_PROTO);
		if (thoff < 0 || !vpce_proxy_ct_new(ct, skb, thoff))
			return NF_DROP;
	}

	memset(&range, 0, sizeof(range));
	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = tgt->addr.in;
	range.max_addr = tgt->addr.in;
	range.min_proto.all = htons(l->target_port);
	range.max_proto.all = range.min_proto.all;
	verdict = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	if (verdict != NF_ACCEPT)
		return verdict;

	/* Source NAT now too, rather than in a POSTROUTING lookup: the NAT
	 * core applies it on the way out. The flow keeps its source port
	 * unless another flow (say from a VPC with the same CIDR) holds the
	 * tuple, or the port is not this path's.
	 */
	verdict = vpce_flow_snat(skb, state, ct, ea);
	if (verdict == NF_ACCEPT) {
		vpce_stats_flow_new(ep, ea,
				    vpce_tstats_find(vn, svc, tgt->addr.family,
						     &tgt->addr.in));
		vpce_flowlog_ct_new(&vn->flowlog, ct, ep, skb);
	}
	return verdict;
}

/*
 * A new flow from a VPC device to no interface endpoint address (called by
 * the NAT lookup function, for new conntrack entries only). It is left
 * untranslated: the NAT core gives it a null binding, which keeps its
 * reply tuple unique even when two VPCs with the same CIDR send the same
 * tuple (it may change the source port of the second).
 */
static unsigned int vpce_gateway_flow_new(struct vpce_net *vn,
					  struct sk_buff *skb,
					  const struct nf_hook_state *state,
					  struct nf_conn *ct,
					  const struct vpce_dev *d)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	u8 proto = t->dst.protonum;
	struct vpce_endpoint *ep;

	ep = vpce_gateway_find(d->vpc, ct);
	if (!ep)
		return NF_ACCEPT;
	/* The policy speaks of TCP and UDP ports; nothing else passes. */
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		vpce_stats_refused(ep, NULL, VPCE_DROP_PROTO, false);
		return NF_DROP;
	}
	if (!vpce_endpoint_allows(ep, t))
		return vpce_refuse(ep, NULL, skb, state, proto, VPCE_DROP_POLICY);
	vpce_stats_flow_new(ep, NULL, NULL);
	vpce_flowlog_ct_new(&vn->flowlog, ct, ep, skb);
	return NF_ACCEPT;
}

/* Called by the NAT core at PRE_ROUTING for each new conntrack entry. */
static unsigned int vpce_nat_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	struct vpce_ep_addr *ea;
	struct vpce_dev *d;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	/* A confirmed entry without a binding (say, made by ctnetlink) is not
	 * a new flow of ours: only unconfirmed ones may get NAT and timeouts.
	 */
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	d = vpce_dev_by_ct(vn, ct);
	if (!d)
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	ea = vpce_ep_addr_find(vn, d->vpc, t->src.l3num, &t->dst.u3);
	if (!ea)
		return vpce_gateway_flow_new(vn, skb, state, ct, d);
	return vpce_flow_new(vn, skb, state, ct, ea);
}

/*
 * A packet conntrack refused to track, to an endpoint address from a VPC.
 * With nf_conntrack_tcp_loose off, that is what a packet of a flow that is
 * gone is (see vpce_tcp_stale()): reset it too, rather than let the host
 * route it somewhere. But conntrack also refuses packets of live flows that
 * fall outside the TCP window; those must be left alone, so only a packet
 * with no flow at all is reset. A reset itself is never answered.
 */
static unsigned int vpce_untracked_in(struct vpce_net *vn, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	union nf_inet_addr daddr = {};
	const struct tcphdr *th;
	struct vpce_ep_addr *ea;
	struct tcphdr _th;
	struct vpce_dev *d;
	int thoff;
	u8 proto;

	thoff = vpce_thoff(skb, state->pf, &proto);
	if (thoff < 0 || proto != IPPROTO_TCP)
		return NF_ACCEPT;
	/* IPv6 fragments were reassembled before conntrack (nf_defrag_ipv6);
	 * vpce_thoff() refuses any part but the first.
	 */
	if (state->pf == NFPROTO_IPV6) {
		daddr.in6 = ipv6_hdr(skb)->daddr;
	} else {
		if (ip_is_fragment(ip_hdr(skb)))
			return NF_ACCEPT;
		daddr.ip = ip_hdr(skb)->daddr;
	}
	d = vpce_dev_by_ifindex(vn, state->in->ifindex);
	if (!d)
		return NF_ACCEPT;
	ea = vpce_ep_addr_find(vn, d->vpc, state->pf, &daddr);
	if (!ea)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->rst ||
	    !nf_ct_get_tuplepr(skb, skb_network_offset(skb), state->pf,
			       state->net, &tuple))
		return NF_ACCEPT;
	h = nf_conntrack_find_get(state->net, nf_ct_zone(d->tmpl), &tuple);
	if (h) {
		nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
		return NF_ACCEPT;
	}
	return vpce_refuse(ea->ep, ea, skb, state, IPPROTO_TCP, VPCE_DROP_STALE);
}

/*
 * Transmit a reply straight out of the VPC's device, the way the flow table
 * fast path does: finish the translation the NAT core would have done on the
 * way out, then forward by hand (TTL, MTU, fragments, ICMP errors, as above)
 * to the client's neighbour entry.
 */
static unsigned int vpce_reply_xmit(struct net *net, struct sk_buff *skb,
				    struct nf_conn *ct,
				    enum ip_conntrack_info ctinfo,
				    const struct vpce_dev *d,
				    const struct vpce_endpoint *ep)
{
	bool ipv6 = nf_ct_l3num(ct) == NFPROTO_IPV6;
	bool consumed = false;
	struct net_device *dev;
	enum vpce_fit fit;
	int thoff;
	u8 proto;

	dev = vpce_dev_netdev(net, d);
	if (!dev || !(dev->flags & IFF_UP))
		return NF_DROP;
	fit = vpce_reply_fit(skb, ipv6, dev->mtu);
	if (fit == VPCE_ERROR)
		return NF_DROP;

	if (ctinfo == IP_CT_RELATED_REPLY) {
		thoff = vpce_thoff(skb, nf_ct_l3num(ct), &proto);
		if (thoff < 0)
			return NF_DROP;
		if (ipv6 ?
		    proto != IPPROTO_ICMPV6 ||
		    !nf_nat_icmpv6_reply_translation(skb, ct, ctinfo,
						     NF_INET_POST_ROUTING,
						     thoff) :
		    proto != IPPROTO_ICMP ||
		    !nf_nat_icmp_reply_translation(skb, ct, ctinfo,
						   NF_INET_POST_ROUTING))
			return NF_DROP;
	} else if (nf_nat_packet(ct, ctinfo, NF_INET_POST_ROUTING, skb) !=
		   NF_ACCEPT) {
		return NF_DROP;
	}
	if (ep && !vpce_proxy_ct_reply(net, skb, ct, ctinfo, ep, dev,
				       &consumed))
		return NF_DROP;
	if (consumed) {
		consume_skb(skb);
		return NF_STOLEN;
	}

	return vpce_client_send(net, skb, dev, fit, NULL);
}

/*
 * IPsec may want a forwarded packet (a policy to check, or to encrypt it,
 * which changes its MTU): the stack's forward path knows how.
 */
static bool vpce_xfrm_forward(const struct net *net, const struct sk_buff *skb)
{
#ifdef CONFIG_XFRM
	return READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_FWD]) ||
		READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]) ||
		secpath_exists(skb);
#else
	return false;
#endif
}

/*
 * Route @skb as ip_rcv_finish() / ip6_rcv_finish() would next, and leave
 * the route on it (they do not look again); the MTU ip_forward() /
 * ip6_forward() would check it against, or 0 when it is not forwarded.
 */
static unsigned int vpce_orig_route4(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct rtable *rt;

	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 vpce_route_dev(skb->dev)))
		return 0;
	rt = skb_rtable(skb);
	if (rt->rt_type != RTN_UNICAST)
		return 0;
	return ip_dst_mtu_maybe_forward(&rt->dst, true);
}

/*
 * A VRF's client packet to its target, routed by the host's own table as
 * from the host itself (vpce_route_dev()): the way to the provider side is
 * the host's, not the tenant's.
 */
static void vpce_route6_host(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_iif = LOOPBACK_IFINDEX,
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6h->nexthdr,
	};

	skb_dst_drop(skb);
	skb_dst_set(skb, ip6_route_input_lookup(net, net->loopback_dev, &fl6,
						skb, RT6_LOOKUP_F_HAS_SADDR));
}

static unsigned int vpce_orig_route6(struct net *net, struct sk_buff *skb)
{
	struct rt6_info *rt;

	if (!READ_ONCE(net->ipv6.devconf_all->forwarding))
		return 0;
	/* It always leaves a route, maybe an error's. */
	if (netif_is_l3_slave(skb->dev))
		vpce_route6_host(net, skb);
	else
		ipv6_stub->ipv6_route_input(skb);
	rt = (struct rt6_info *)skb_dst(skb);
	if (!rt || rt->dst.error ||
	    (rt->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)))
		return 0;
	return max_t(unsigned int, ip6_dst_mtu_maybe_forward(&rt->dst, true),
		     IPV6_MIN_MTU);
}

/*
 * A client's packet that cannot go on to the provider side: too big for
 * the route to its target (with DF, or IPv6), or out of hops. ip_forward()
 * and ip6_forward() would send the client an ICMP error routed by the
 * host's table, which has no route to VPC addresses (and could not choose
 * between two VPCs with one CIDR): a provider network with a smaller MTU
 * than a VPC's would be a path MTU black hole for uploads. So such a packet
 * of a vpce flow is routed here, in the reply hook that every packet of the
 * flow passes anyway, as the stack would route it next, and when that route
 * forwards it and it does not fit, the error goes back out of the device it
 * came in on, the way the reply path's do. (A hook of its own, last in
 * PRE_ROUTING, cost 4% of bulk throughput for its call on every packet.)
 *
 * Only a packet that may not fit is routed early: one over IPv6's minimum
 * MTU (no provider network has less) that may not be fragmented, or one
 * out of hops. The route stays on it; the stack does not look again. Hooks
 * later in PRE_ROUTING than the NAT core (a mark set at filter priority)
 * therefore do not change how such a packet is routed.
 */
static unsigned int vpce_orig_fit(const struct nf_hook_state *state,
				  struct sk_buff *skb, struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo)
{
	bool ipv6 = state->pf == NFPROTO_IPV6;
	struct vpce_icmp_err e;
	const struct iphdr *iph;
	unsigned int mtu;
	enum vpce_fit fit;

	if (ctinfo != IP_CT_NEW && ctinfo != IP_CT_ESTABLISHED)
		return NF_ACCEPT;
	/* A VRF's packets are routed here, every one: the stack would route
	 * them by the VRF's table, which need have no way to the targets.
	 */
	if (netif_is_l3_slave(skb->dev))
		goto route;
	if (ipv6) {
		if (ipv6_hdr(skb)->hop_limit > 1 && skb->len <= IPV6_MIN_MTU)
			return NF_ACCEPT;
	} else {
		iph = ip_hdr(skb);
		if (iph->ttl > 1 && (skb->len <= IPV6_MIN_MTU ||
				     !(iph->frag_off & htons(IP_DF))))
			return NF_ACCEPT;
		if (iph->ihl != 5)	/* options: the stack's */
			return NF_ACCEPT;
	}
route:
	if (skb->pkt_type != PACKET_HOST || skb->sk || skb_valid_dst(skb) ||
	    vpce_xfrm_forward(state->net, skb))
		return NF_ACCEPT;

	mtu = ipv6 ? vpce_orig_route6(state->net, skb) :
		vpce_orig_route4(skb);
	if (!mtu)
		return NF_ACCEPT;
	fit = ipv6 ? vpce_fit6(skb, mtu, &e) : vpce_fit4(skb, mtu, &e);
	if (fit != VPCE_ERROR)
		return NF_ACCEPT;
	/* Counted as the stack counts what it refuses to forward. */
	if (ipv6)
		IP6_INC_STATS(state->net, __in6_dev_get_safely(skb->dev),
			      e.type == ICMPV6_PKT_TOOBIG ?
			      IPSTATS_MIB_INTOOBIGERRORS :
			      IPSTATS_MIB_INHDRERRORS);
	else
		IP_INC_STATS(state->net, e.type == ICMP_DEST_UNREACH ?
			     IPSTATS_MIB_FRAGFAILS : IPSTATS_MIB_INHDRERRORS);
	vpce_client_error(state, skb, ct, &e);
	return NF_DROP;
}

static unsigned int vpce_reply_in(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	const struct nf_conntrack_tuple *t;
	struct vpce_ep_addr *ea = NULL;
	enum ip_conntrack_info ctinfo;
	struct vpce_dev *d;
	struct nf_conn *ct;
	bool reply;

	/* A VRF's second pass: done on the first (vpce_zone_in()). */
	if (netif_is_l3_master(state->in))
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct && !skb->_nfct)
		return vpce_untracked_in(vn, skb, state);
	if (!ct)
		return NF_ACCEPT;
	d = vpce_dev_by_ct(vn, ct);
	if (!d)
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = ctinfo == IP_CT_ESTABLISHED_REPLY ||
		ctinfo == IP_CT_RELATED_REPLY;
	/* An interface endpoint's flow has DNAT; a gateway endpoint's none. */
	if (ct->status & IPS_DST_NAT) {
		ea = vpce_ep_addr_find(vn, d->vpc, t->src.l3num, &t->dst.u3);
		if (!ea)
			return NF_ACCEPT;
		/* Both directions of every such flow pass here: count them. */
		vpce_stats_packet(vn, ea->ep, ea, ct, ctinfo, skb);
	} else {
		struct vpce_endpoint *ep = vpce_gateway_find(d->vpc, ct);

		if (!ep)
			return NF_ACCEPT;
		vpce_stats_packet(vn, ep, NULL, ct, ctinfo, skb);
		/* Every packet of a gateway flow's original direction gets
		 * the endpoint's mark, before routing: an operator's `ip rule
		 * fwmark` then routes the whole flow, not its first packet.
		 */
		if (!reply && ep->mark)
			skb->mark = ep->mark;
	}
	if (!reply) {
		/* Refused as the client sent it: an ICMP error quotes the
		 * segment as the client counts, not as the target would.
		 */
		if (vpce_orig_fit(state, skb, ct, ctinfo) != NF_ACCEPT)
			return NF_DROP;
		if (ea && !vpce_proxy_ct_orig(state->net, skb, ct, ctinfo,
					      ea->ep, state->in)) {
			vpce_stats_refused(ea->ep, ea, VPCE_DROP_INVALID,
					   false);
			return NF_DROP;
		}
		return NF_ACCEPT;
	}
	/* A flow with a helper or sequence adjustment needs conntrack's
	 * confirm hook on every packet, which a stolen packet skips (the flow
	 * table refuses such flows for the same reason): leave it to routing.
	 * (A PROXY protocol flow's adjustment is vpce's: vpce_proxy.c.)
	 */
	if (nfct_help(ct) || test_bit(IPS_SEQ_ADJUST_BIT, &ct->status))
		return NF_ACCEPT;
	return vpce_reply_xmit(state->net, skb, ct, ctinfo, d,
			       ea ? ea->ep : NULL);
}

static const struct nf_hook_ops vpce_hook_ops[] = {
	{
		.hook = vpce_zone_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_RAW,
	},
	{
		.hook = vpce_reply_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook = vpce_arp_in,
		.pf = NFPROTO_ARP,
		.hooknum = NF_ARP_IN,
		.priority = 0,
	},
	/* Neighbour solicitations for endpoint addresses are answered and
	 * consumed before anything else sees them, conntrack included.
	 */
	{
		.hook = vpce_ndp_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_RAW - 1,
	},
	{
		.hook = vpce_zone_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_RAW,
	},
	{
		.hook = vpce_reply_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST + 1,
	},
};

/*
 * One NAT lookup function per family, registered the way nftables
 * registers a nat chain of each family. (nf_nat_inet_register_fn() would
 * do both at once, but exists only with nf_tables' inet family built in.)
 */
static const struct nf_hook_ops vpce_nat_ops = {
	.hook = vpce_nat_in,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP_PRI_NAT_DST,
};

static const struct nf_hook_ops vpce_nat6_ops = {
	.hook = vpce_nat_in,
	.pf = NFPROTO_IPV6,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP6_PRI_NAT_DST,
};

int vpce_nat_register(struct vpce_net *vn)
{
	struct net *net = vn->net;
	int ret;

	/* Registering a NAT function does not turn conntrack on; INET is
	 * both families (and their defragmentation).
	 */
	ret = nf_ct_netns_get(net, NFPROTO_INET);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, vpce_hook_ops,
				    ARRAY_SIZE(vpce_hook_ops));
	if (ret)
		goto err_ct;
	ret = nf_nat_ipv4_register_fn(net, &vpce_nat_ops);
	if (ret)
		goto err_hooks;
	ret = nf_nat_ipv6_register_fn(net, &vpce_nat6_ops);
	if (ret)
		goto err_nat4;
	return 0;

err_nat4:
	nf_nat_ipv4_unregister_fn(net, &vpce_nat_ops);
err_hooks:
	nf_unregister_net_hooks(net, vpce_hook_ops, ARRAY_SIZE(vpce_hook_ops));
err_ct:
	nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

void vpce_nat_unregister(struct vpce_net *vn)
{
	struct net *net = vn->net;

	nf_nat_ipv6_unregister_fn(net, &vpce_nat6_ops);
	nf_nat_ipv4_unregister_fn(net, &vpce_nat_ops);
	nf_unregister_net_hooks(net, vpce_hook_ops, ARRAY_SIZE(vpce_hook_ops));
	nf_ct_netns_put(net, NFPROTO_INET);
}

/*
 * Hooks cost every packet of the namespace something, so they are only
 * registered once the namespace has a VPC, the way IPVS waits for its first
 * service. They then stay until the namespace or the module goes.
 */
int vpce_nat_hooks_enable(struct vpce_net *vn)
{
	int ret;

	lockdep_assert_held(&vn->lock);
	if (vn->hooks_registered)
		return 0;
	ret = vpce_nat_register(vn);
	if (ret)
		return ret;
	vn->hooks_registered = true;
	return 0;
}
