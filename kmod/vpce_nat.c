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
 */

#include "vpce_nat.h"
#include "vpce_arp.h"
#include "vpce_ndp.h"
#include "vpce_endpoint.h"
#include "vpce_gateway.h"
#include "vpce_limit.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dst_metadata.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/neighbour.h>
#include <net/xfrm.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>

static unsigned int vpce_zone_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	unsigned int verdict;
	struct vpce_dev *d;

	/* Somebody (a notrack or CT rule) has decided for this packet. */
	if (skb->_nfct)
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
 * Send @nskb, made in answer to @skb, back to @skb's sender's MAC address on
 * the device @skb came in on: the host may have no route to the VPC at all.
 */
static void vpce_send_back(const struct nf_hook_state *state,
			   const struct sk_buff *skb, struct sk_buff *nskb)
{
	u16 ethertype = state->pf == NFPROTO_IPV6 ? ETH_P_IPV6 : ETH_P_IP;
	struct net_device *dev = state->in;

	if (dev->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb) ||
	    skb_mac_header_len(skb) < ETH_HLEN)
		goto drop;
	nskb->protocol = htons(ethertype);
	if (dev_hard_header(nskb, dev, ethertype, eth_hdr(skb)->h_source,
			    dev->dev_addr, nskb->len) < 0)
		goto drop;
	dev_queue_xmit(nskb);
	return;
drop:
	kfree_skb(nskb);
}

/*
 * May an ICMP error of @type and @code go out, by the kernel's rules for
 * its own (icmpv4_global_allow(), icmpv6_global_allow())? The types in
 * net.ipv4.icmp_ratemask / net.ipv6.icmp.ratemask, but for IPv4's
 * "fragmentation needed", share the namespace's budget of
 * net.ipv4.icmp_msgs_per_sec and icmp_msgs_burst (both families use it).
 * @consume: the caller must icmp_global_consume() once it has sent it.
 *
 * icmp_send()'s second limit, one per destination (icmp_ratelimit,
 * icmpv6 ratelimit), keeps an inet_peer per destination: state per
 * sender, host-wide, and blind to VPCs that share a CIDR. The VPC device's
 * own bucket stands in for it (vpce_limit.h).
 */
static bool vpce_icmp_global_allow(struct net *net, bool ipv6, u8 type,
				   u8 code, bool *consume)
{
	*consume = false;
	if (ipv6) {
		if (type > ICMPV6_MSG_MAX ||
		    !test_bit(type, net->ipv6.sysctl.icmpv6_ratemask))
			return true;
	} else if (type > NR_ICMP_TYPES ||
		   (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) ||
		   !((1 << type) & READ_ONCE(net->ipv4.sysctl_icmp_ratemask))) {
		return true;
	}
	if (icmp_global_allow(net)) {
		*consume = true;
		return true;
	}
	__ICMP_INC_STATS(net, ICMP_MIB_RATELIMITGLOBAL);
	return false;
}

/*
 * May vpce send one more refusal out of the device @dev: a reset (@e NULL)
 * or the ICMP error @e? On a VPC's device the device's budget applies
 * first, so that a tenant's flood spends its own budget before the
 * namespace's; anywhere else (an error to a target) only the kernel's.
 */
static bool vpce_may_refuse(struct net *net, const struct net_device *dev,
			    bool ipv6, const struct vpce_icmp_err *e,
			    bool *consume)
{
	struct vpce_dev *d = vpce_dev_by_ifindex(vpce_net(net), dev->ifindex);

	*consume = false;
	if (d && !vpce_limit_take(&d->reject_limit, VPCE_REJECT_RATE,
				  VPCE_REJECT_BURST))
		return false;
	return !e || vpce_icmp_global_allow(net, ipv6, e->type, e->code,
					    consume);
}

/*
 * Count an answer not sent to a client on the VPC device @dev whose packet
 * was for the endpoint address @daddr.
 */
static void vpce_count_limited(struct net *net, const struct net_device *dev,
			       u8 family, const union nf_inet_addr *daddr)
{
	struct vpce_net *vn = vpce_net(net);
	struct vpce_ep_addr *ea;
	struct vpce_dev *d;

	d = vpce_dev_by_ifindex(vn, dev->ifindex);
	if (!d)
		return;
	ea = vpce_ep_addr_find(vn, d->vpc, family, daddr);
	if (ea)
		vpce_stats_limited(ea->ep, ea);
}

/*
 * Refuse a flow where it stands, with a reset or an ICMP error; true if
 * one was made and sent.
 */
static bool vpce_reject(const struct nf_hook_state *state, struct sk_buff *skb,
			u8 proto, u8 icmp_code)
{
	struct net_device *dev = state->in;
	struct sk_buff *nskb;

	if (state->pf == NFPROTO_IPV6) {
		if (proto == IPPROTO_TCP)
			nskb = nf_reject_skb_v6_tcp_reset(state->net, skb, dev,
							  state->hook);
		else
			nskb = nf_reject_skb_v6_unreach(state->net, skb, dev,
							state->hook, icmp_code);
	} else {
		if (proto == IPPROTO_TCP)
			nskb = nf_reject_skb_v4_tcp_reset(state->net, skb, dev,
							  state->hook);
		else
			nskb = nf_reject_skb_v4_unreach(state->net, skb, dev,
							state->hook, icmp_code);
	}
	if (!nskb)
		return false;
	vpce_send_back(state, skb, nskb);
	return true;
}

unsigned int vpce_refuse(struct vpce_endpoint *ep, const struct vpce_ep_addr *ea,
			 struct sk_buff *skb, const struct nf_hook_state *state,
			 u8 proto, enum vpce_drop why)
{
	static const u8 icmp_code[VPCE_DROP_MAX] = {
		[VPCE_DROP_NO_LISTENER] = ICMP_PORT_UNREACH,
		[VPCE_DROP_STATE] = ICMP_PKT_FILTERED,
		[VPCE_DROP_NO_TARGET] = ICMP_HOST_UNREACH,
		[VPCE_DROP_POLICY] = ICMP_PKT_FILTERED,
		[VPCE_DROP_STALE] = 0,	/* TCP only: always a reset */
	};
	static const u8 icmp6_code[VPCE_DROP_MAX] = {
		[VPCE_DROP_NO_LISTENER] = ICMPV6_PORT_UNREACH,
		[VPCE_DROP_STATE] = ICMPV6_ADM_PROHIBITED,
		[VPCE_DROP_NO_TARGET] = ICMPV6_ADDR_UNREACH,
		[VPCE_DROP_POLICY] = ICMPV6_ADM_PROHIBITED,
		[VPCE_DROP_STALE] = 0,
	};
	bool ipv6 = state->pf == NFPROTO_IPV6;
	struct vpce_icmp_err e = {
		.type = ipv6 ? ICMPV6_DEST_UNREACH : ICMP_DEST_UNREACH,
		.code = ipv6 ? icmp6_code[why] : icmp_code[why],
	};
	bool consume;

	vpce_stats_refused(ep, ea, why, false);
	if (!vpce_may_refuse(state->net, state->in, ipv6,
			     proto == IPPROTO_TCP ? NULL : &e, &consume)) {
		vpce_stats_limited(ep, ea);
		return NF_DROP;
	}
	if (vpce_reject(state, skb, proto, e.code)) {
		if (proto == IPPROTO_TCP)
			vpce_stats_reset_sent(ep, ea);
		if (consume)
			icmp_global_consume(state->net);
	}
	return NF_DROP;
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

static unsigned int vpce_flow_new(struct vpce_net *vn, struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  struct nf_conn *ct, const struct vpce_ep_addr *ea)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct vpce_endpoint *ep = ea->ep;
	const struct vpce_service *svc = ep->svc;
	const struct vpce_addr *nlb;
	const struct vpce_listener *l;
	const struct vpce_target *tgt;
	struct nf_nat_range2 range;
	u8 proto = t->dst.protonum;
	unsigned int verdict;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		vpce_stats_refused(ep, ea, VPCE_DROP_PROTO, false);
		return NF_DROP;
	}
	if (READ_ONCE(ep->state) != VPCE_STATE_AVAILABLE)
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
	 * core applies it on the way out, and keeps the source port unless
	 * another flow (say from a VPC with the same CIDR) holds the tuple.
	 */
	nlb = vpce_service_nlb(svc, ea->zone, ea->key.addr.family);
	if (!nlb)	/* cannot happen: endpoint add checks */
		return NF_DROP;
	memset(&range, 0, sizeof(range));
	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = nlb->in;
	range.max_addr = range.min_addr;
	/* With vpce's own table beside it, this path has its own ports, so
	 * that the two never hand out the same reply (vpce_conn_reply_port()).
	 */
	if (!vpce_conntrack && nlb->family == AF_INET) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_proto.all = htons(VPCE_NAT_CT_PORT_MIN);
		range.max_proto.all = htons(U16_MAX);
	}
	verdict = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
	if (verdict == NF_ACCEPT)
		vpce_stats_flow_new(ep, ea,
				    vpce_tstats_find(vn, svc, tgt->addr.family,
						     &tgt->addr.in));
	return verdict;
}

/*
 * A new flow from a VPC device to no interface endpoint address (called by
 * the NAT lookup function, for new conntrack entries only). It is left
 * untranslated: the NAT core gives it a null binding, which keeps its
 * reply tuple unique even when two VPCs with the same CIDR send the same
 * tuple (it may change the source port of the second).
 */
static unsigned int vpce_gateway_flow_new(struct sk_buff *skb,
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
		return vpce_gateway_flow_new(skb, state, ct, d);
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
 * A stand-in route, as net/sched/sch_frag.c uses: icmp_send() and the
 * fragmenters want the packet's route, which a steered reply does not have
 * (it is never routed). They read its device, its MTU (the device's) and
 * its flags (none: a unicast route that is not local), nothing else. It
 * lives on the stack, is set without a reference, and is dropped before
 * anything leaves.
 */
union vpce_fake_rt {
	struct rtable rt4;
	struct rt6_info rt6;
};

static unsigned int vpce_fake_rt_mtu(const struct dst_entry *dst)
{
	return READ_ONCE(dst->dev->mtu);
}

static struct dst_ops vpce_fake_rt_ops = {
	.family = AF_UNSPEC,
	.mtu = vpce_fake_rt_mtu,
};

static void vpce_fake_rt_set(struct sk_buff *skb, union vpce_fake_rt *rt,
			     struct net_device *dev)
{
	memset(rt, 0, sizeof(*rt));
	/* dst_init() would hold @dev: set it after, as sch_frag.c does. */
	dst_init(&rt->rt4.dst, &vpce_fake_rt_ops, NULL, 1, DST_OBSOLETE_NONE,
		 DST_NOCOUNT);
	rt->rt4.dst.dev = dev;
	skb_dst_drop(skb);
	skb_dst_set_noref(skb, &rt->rt4.dst);
}

/* See enum vpce_fit; only who sends the error differs (see the callers). */
enum vpce_fit vpce_fit4(const struct sk_buff *skb, unsigned int mtu,
			struct vpce_icmp_err *e)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (iph->ttl <= 1) {
		*e = (struct vpce_icmp_err){ ICMP_TIME_EXCEEDED, ICMP_EXC_TTL };
		return VPCE_ERROR;
	}
	if (skb->len <= mtu ||
	    (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu)))
		return VPCE_FITS;
	/* Fragments may be made: the sender allowed it, or conntrack
	 * reassembled fragments that were all small enough.
	 */
	if (!skb_is_gso(skb) &&
	    (!(iph->frag_off & htons(IP_DF)) ||
	     (skb->ignore_df && IPCB(skb)->frag_max_size <= mtu)))
		return VPCE_FRAGMENT;
	*e = (struct vpce_icmp_err){ ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu };
	return VPCE_ERROR;
}

enum vpce_fit vpce_fit6(const struct sk_buff *skb, unsigned int mtu,
			struct vpce_icmp_err *e)
{
	if (ipv6_hdr(skb)->hop_limit <= 1) {
		*e = (struct vpce_icmp_err){ ICMPV6_TIME_EXCEED,
					     ICMPV6_EXC_HOPLIMIT };
		return VPCE_ERROR;
	}
	if (skb->len <= mtu ||
	    (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu)))
		return VPCE_FITS;
	/* IPv6 routers never fragment; conntrack's reassembly is undone. */
	if (!skb_is_gso(skb) && IP6CB(skb)->frag_max_size &&
	    IP6CB(skb)->frag_max_size <= mtu)
		return VPCE_FRAGMENT;
	*e = (struct vpce_icmp_err){ ICMPV6_PKT_TOOBIG, 0, mtu };
	return VPCE_ERROR;
}

/*
 * A reply too big for the VPC device or out of hops is decided on after
 * the translation at PRE_ROUTING (the reply is to the client now), before
 * the one on the way out (it is still from the target). An ICMP error sent
 * then goes to the target, about the packet the target sent: icmp_send()
 * attaches the flow to the error, and the NAT core translates it on its
 * way out (nf_nat_icmp_reply_translation()), so the target hears from the
 * nlb address about a packet to the nlb address, and lowers its path MTU
 * as it should. Without it, a target whose VPC has a smaller MTU than its
 * own link would resend into a black hole forever.
 */
static enum vpce_fit vpce_reply_fit(struct sk_buff *skb, bool ipv6,
				    unsigned int mtu)
{
	struct vpce_icmp_err e;
	union vpce_fake_rt rt;
	enum vpce_fit fit;

	fit = ipv6 ? vpce_fit6(skb, mtu, &e) : vpce_fit4(skb, mtu, &e);
	if (fit != VPCE_ERROR)
		return fit;
	if (ipv6) {
		icmpv6_send(skb, e.type, e.code, e.info);
	} else {
		vpce_fake_rt_set(skb, &rt, skb->dev);
		icmp_send(skb, e.type, e.code, htonl(e.info));
		skb_dst_drop(skb);
	}
	return VPCE_ERROR;
}

static int vpce_client_xmit(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	struct in6_addr nexthop6;
	__be32 nexthop;

	skb_dst_drop(skb);	/* the stand-in route stays here */
	if (skb->protocol == htons(ETH_P_IPV6)) {
		nexthop6 = ipv6_hdr(skb)->daddr;
		return neigh_xmit(NEIGH_ND_TABLE, skb->dev, &nexthop6, skb);
	}
	nexthop = ip_hdr(skb)->daddr;
	return neigh_xmit(NEIGH_ARP_TABLE, skb->dev, &nexthop, skb);
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
				    const struct vpce_dev *d)
{
	bool ipv6 = nf_ct_l3num(ct) == NFPROTO_IPV6;
	struct net_device *dev;
	enum vpce_fit fit;
	int thoff;
	u8 proto;

	dev = dev_get_by_index_rcu(net, d->ifindex);
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

	return vpce_client_send(net, skb, dev, fit);
}

/*
 * The end of a reply's way, translated already: forward it by hand out of
 * the VPC device @dev to the client's neighbour entry, as ip_forward() and
 * ip6_forward() would (hop limit, fragments when @fit says so).
 */
unsigned int vpce_client_send(struct net *net, struct sk_buff *skb,
			      struct net_device *dev, enum vpce_fit fit)
{
	union vpce_fake_rt rt;

	if (skb->protocol == htons(ETH_P_IPV6)) {
		if (skb_ensure_writable(skb, sizeof(struct ipv6hdr)))
			return NF_DROP;
		ipv6_hdr(skb)->hop_limit--;
	} else {
		if (skb_ensure_writable(skb, sizeof(struct iphdr)))
			return NF_DROP;
		ip_decrease_ttl(ip_hdr(skb));
	}
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	skb->dev = dev;
	if (fit == VPCE_FRAGMENT) {
		vpce_fake_rt_set(skb, &rt, dev);
		if (skb->protocol == htons(ETH_P_IPV6))
			ipv6_stub->ipv6_fragment(net, NULL, skb,
						 vpce_client_xmit);
		else
			ip_do_fragment(net, NULL, skb, vpce_client_xmit);
		return NF_STOLEN;
	}
	skb_dst_drop(skb);
	vpce_client_xmit(net, NULL, skb);
	return NF_STOLEN;
}

/*
 * A flow is being ended (its target or endpoint is gone, rejected or no
 * longer allowed): tell the client at once with a reset, as the NLB's
 * connection termination does, rather than leave it to find out when it
 * next sends. The reset comes from the endpoint address, with the sequence
 * number the client expects next, which conntrack has been tracking.
 *
 * A half-closed flow is as alive for the client as an established one:
 * after the target's FIN its socket waits in CLOSE_WAIT for as long as the
 * application keeps it, after its own FIN it still reads. Only flows whose
 * both ends have closed (TIME_WAIT, CLOSE) or that have not been set up
 * get none.
 *
 * Called from the conntrack walk, with a table lock held: it only builds
 * the packet (remembering the device in skb_iif) and queues it on @q.
 * Transmitting there could reenter conntrack on the egress path (tc ct,
 * OVS) and take the same lock; vpce_flow_resets_send() sends them after.
 */
void vpce_flow_reset(const struct nf_conn *ct, const struct vpce_dev *d,
		     struct sk_buff_head *q)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	if ((t->src.l3num != AF_INET && t->src.l3num != AF_INET6) ||
	    t->dst.protonum != IPPROTO_TCP)
		return;
	switch (READ_ONCE(ct->proto.tcp.state)) {
	case TCP_CONNTRACK_ESTABLISHED:
	case TCP_CONNTRACK_FIN_WAIT:
	case TCP_CONNTRACK_CLOSE_WAIT:
	case TCP_CONNTRACK_LAST_ACK:
		break;
	default:
		return;
	}
	vpce_reset_queue(nf_ct_net(ct), t,
			 ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_end,
			 ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].td_end,
			 d->ifindex, q);
}

/*
 * The reset itself, for a TCP flow with original tuple @t (client to
 * endpoint address): from the endpoint address, with sequence number @seq
 * (the next the client expects) and acknowledging @ack, to be sent out of
 * device @ifindex.
 */
void vpce_reset_queue(struct net *net, const struct nf_conntrack_tuple *t,
		      u32 seq, u32 ack, int ifindex, struct sk_buff_head *q)
{
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	struct sk_buff *skb;
	struct tcphdr *th;
	unsigned int nhlen;

	nhlen = t->src.l3num == AF_INET6 ? sizeof(*ip6h) : sizeof(*iph);
	skb = alloc_skb(LL_MAX_HEADER + nhlen + sizeof(*th), GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	if (t->src.l3num == AF_INET6) {
		ip6h = skb_put_zero(skb, sizeof(*ip6h));
		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(sizeof(*th));
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
		ip6h->saddr = t->dst.u3.in6;
		ip6h->daddr = t->src.u3.in6;
		goto tcp;
	}
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tot_len = htons(sizeof(*iph) + sizeof(*th));
	iph->frag_off = htons(IP_DF);
	iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = t->dst.u3.ip;
	iph->daddr = t->src.u3.ip;
	ip_send_check(iph);

tcp:
	skb_set_transport_header(skb, nhlen);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = t->dst.u.tcp.port;
	th->dest = t->src.u.tcp.port;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	th->ack = 1;
	if (ip6h) {
		th->check = tcp_v6_check(sizeof(*th), &ip6h->saddr,
					 &ip6h->daddr,
					 csum_partial(th, sizeof(*th), 0));
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
					 csum_partial(th, sizeof(*th), 0));
		skb->protocol = htons(ETH_P_IP);
	}
	skb->skb_iif = ifindex;
	__skb_queue_tail(q, skb);
}

/* Send what vpce_flow_reset() queued, out of each flow's own device. */
void vpce_flow_resets_send(struct vpce_net *vn, struct sk_buff_head *q)
{
	struct in6_addr client6;
	struct net_device *dev;
	struct sk_buff *skb;
	__be32 client;

	while ((skb = __skb_dequeue(q))) {
		rcu_read_lock();
		dev = dev_get_by_index_rcu(vn->net, skb->skb_iif);
		if (!dev || !(dev->flags & IFF_UP)) {
			kfree_skb(skb);
		} else if (skb->protocol == htons(ETH_P_IPV6)) {
			client6 = ipv6_hdr(skb)->daddr;
			skb->dev = dev;
			local_bh_disable();
			neigh_xmit(NEIGH_ND_TABLE, dev, &client6, skb);
			local_bh_enable();
		} else {
			client = ip_hdr(skb)->daddr;
			skb->dev = dev;
			local_bh_disable();
			neigh_xmit(NEIGH_ARP_TABLE, dev, &client, skb);
			local_bh_enable();
		}
		rcu_read_unlock();
	}
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
				 skb->dev))
		return 0;
	rt = skb_rtable(skb);
	if (rt->rt_type != RTN_UNICAST)
		return 0;
	return ip_dst_mtu_maybe_forward(&rt->dst, true);
}

static unsigned int vpce_orig_route6(struct net *net, struct sk_buff *skb)
{
	struct rt6_info *rt;

	if (!READ_ONCE(net->ipv6.devconf_all->forwarding))
		return 0;
	/* It always leaves a route, maybe an error's. */
	ipv6_stub->ipv6_route_input(skb);
	rt = (struct rt6_info *)skb_dst(skb);
	if (!rt || rt->dst.error ||
	    (rt->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)))
		return 0;
	return max_t(unsigned int, ip6_dst_mtu_maybe_forward(&rt->dst, true),
		     IPV6_MIN_MTU);
}

/*
 * An ICMP error @e about @skb, from the address @skb was sent to, to its
 * sender: built as the reject targets build theirs. (The builders leave the
 * transport header where the network header is: the ICMP header is found
 * from the IP header's length.)
 */
static struct sk_buff *vpce_icmp_build(const struct nf_hook_state *state,
				       struct sk_buff *skb,
				       const struct vpce_icmp_err *e)
{
	struct sk_buff *nskb;
	unsigned int len;

	if (state->pf == NFPROTO_IPV6) {
		struct icmp6hdr *h;

		nskb = nf_reject_skb_v6_unreach(state->net, skb, state->in,
						state->hook, e->code);
		if (!nskb)
			return NULL;
		len = nskb->len - sizeof(struct ipv6hdr);
		h = (struct icmp6hdr *)(skb_network_header(nskb) +
					sizeof(struct ipv6hdr));
		h->icmp6_type = e->type;
		h->icmp6_mtu = htonl(e->info);
		h->icmp6_cksum = 0;
		h->icmp6_cksum = csum_ipv6_magic(&ipv6_hdr(nskb)->saddr,
						 &ipv6_hdr(nskb)->daddr, len,
						 IPPROTO_ICMPV6,
						 csum_partial(h, len, 0));
	} else {
		struct icmphdr *h;

		nskb = nf_reject_skb_v4_unreach(state->net, skb, state->in,
						state->hook, e->code);
		if (!nskb)
			return NULL;
		len = nskb->len - ip_hdrlen(nskb);
		h = (struct icmphdr *)(skb_network_header(nskb) +
				       ip_hdrlen(nskb));
		h->type = e->type;
		h->un.gateway = htonl(e->info);
		h->checksum = 0;
		h->checksum = csum_fold(csum_partial(h, len, 0));
	}
	return nskb;
}

void vpce_icmp_back(const struct nf_hook_state *state, struct sk_buff *skb,
		    const struct vpce_icmp_err *e)
{
	bool ipv6 = state->pf == NFPROTO_IPV6;
	union nf_inet_addr daddr = {};
	struct sk_buff *nskb;
	bool consume;

	if (!vpce_may_refuse(state->net, state->in, ipv6, e, &consume)) {
		/* From a client (a target's device is no VPC's): its packet
		 * is still to the endpoint address.
		 */
		if (ipv6)
			daddr.in6 = ipv6_hdr(skb)->daddr;
		else
			daddr.ip = ip_hdr(skb)->daddr;
		vpce_count_limited(state->net, state->in, state->pf, &daddr);
		return;
	}
	nskb = vpce_icmp_build(state, skb, e);
	if (!nskb)
		return;
	vpce_send_back(state, skb, nskb);
	if (consume)
		icmp_global_consume(state->net);
}

/*
 * An ICMP error @e about @skb, a client's packet of flow @ct (translated to
 * the target at PRE_ROUTING, not yet from the nlb address), to the client,
 * translated by the NAT core as an error in the flow's reply direction is
 * on its way out, so that it comes from the endpoint address and tells of
 * the packet the client sent.
 */
static void vpce_client_error(const struct nf_hook_state *state,
			      struct sk_buff *skb, struct nf_conn *ct,
			      const struct vpce_icmp_err *e)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct sk_buff *nskb;
	bool consume;

	if (!vpce_may_refuse(state->net, state->in,
			     state->pf == NFPROTO_IPV6, e, &consume)) {
		vpce_count_limited(state->net, state->in, t->src.l3num,
				   &t->dst.u3);
		return;
	}
	nskb = vpce_icmp_build(state, skb, e);
	if (!nskb)
		return;
	if (state->pf == NFPROTO_IPV6 ?
	    !nf_nat_icmpv6_reply_translation(nskb, ct, IP_CT_RELATED_REPLY,
					     NF_INET_POST_ROUTING,
					     sizeof(struct ipv6hdr)) :
	    !nf_nat_icmp_reply_translation(nskb, ct, IP_CT_RELATED_REPLY,
					   NF_INET_POST_ROUTING)) {
		kfree_skb(nskb);
		return;
	}
	vpce_send_back(state, skb, nskb);
	if (consume)
		icmp_global_consume(state->net);
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
	enum ip_conntrack_info ctinfo;
	struct vpce_ep_addr *ea;
	struct vpce_dev *d;
	struct nf_conn *ct;
	bool reply;

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
	if (!reply)
		return vpce_orig_fit(state, skb, ct, ctinfo);
	/* A flow with a helper or sequence adjustment needs conntrack's
	 * confirm hook on every packet, which a stolen packet skips (the flow
	 * table refuses such flows for the same reason): leave it to routing.
	 */
	if (nfct_help(ct) || nfct_seqadj(ct))
		return NF_ACCEPT;
	return vpce_reply_xmit(state->net, skb, ct, ctinfo, d);
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
