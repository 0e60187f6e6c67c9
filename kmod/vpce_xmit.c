// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * What the data path transmits itself, rather than letting the stack route
 * it: a VPC may share its CIDR with others and the host has no route to any
 * of them, so everything for a client leaves by the device its flow came in
 * on. That is:
 *
 *  - refusals (a reset or ICMP error for a flow vpce will not set up) and
 *    ICMP errors for a client's packets, sent back to the sender's MAC and
 *    limited per device and by the kernel's ICMP limits;
 *  - replies on their last hop, forwarded by hand as ip_forward() and
 *    ip6_forward() would (hop limit, MTU, fragments, the ICMP errors they
 *    send), to the client's MAC when the flow kept it;
 *  - resets of flows that vpce ends (a target removed, a policy revoked),
 *    built under a table's lock and sent after it.
 *
 * The hooks that decide (vpce_nat.c) and the own flow table (vpce_conn.c)
 * call in here; nothing here decides about flows.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_xmit.h"
#include "vpce_endpoint.h"
#include "vpce_flowlog.h"
#include "vpce_limit.h"
#include "vpce_net.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/l3mdev.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/neighbour.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

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

/*
 * As a security group drops at AWS's network interface: the client learns
 * nothing (no reset, no ICMP error), the endpoint's counters and flow log
 * do, as for every refusal.
 */
unsigned int vpce_refuse_silently(struct vpce_endpoint *ep,
				  const struct vpce_ep_addr *ea,
				  const struct sk_buff *skb, struct net *net,
				  u8 proto, enum vpce_drop why)
{
	vpce_stats_refused(ep, ea, why, false);
	if (READ_ONCE(ep->flowlog))
		vpce_flowlog_reject(net, ep, skb, proto);
	return NF_DROP;
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
		[VPCE_DROP_PORT_ALLOC] = ICMP_PORT_UNREACH,
	};
	static const u8 icmp6_code[VPCE_DROP_MAX] = {
		[VPCE_DROP_NO_LISTENER] = ICMPV6_PORT_UNREACH,
		[VPCE_DROP_STATE] = ICMPV6_ADM_PROHIBITED,
		[VPCE_DROP_NO_TARGET] = ICMPV6_ADDR_UNREACH,
		[VPCE_DROP_POLICY] = ICMPV6_ADM_PROHIBITED,
		[VPCE_DROP_STALE] = 0,
		[VPCE_DROP_PORT_ALLOC] = ICMPV6_PORT_UNREACH,
	};
	bool ipv6 = state->pf == NFPROTO_IPV6;
	struct vpce_icmp_err e = {
		.type = ipv6 ? ICMPV6_DEST_UNREACH : ICMP_DEST_UNREACH,
		.code = ipv6 ? icmp6_code[why] : icmp_code[why],
	};
	bool consume;

	vpce_stats_refused(ep, ea, why, false);
	/* Every refused flow passes here: its REJECT record, if logged. */
	if (READ_ONCE(ep->flowlog))
		vpce_flowlog_reject(state->net, ep, skb, proto);
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
enum vpce_fit vpce_reply_fit(struct sk_buff *skb, bool ipv6, unsigned int mtu)
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

/*
 * The next hop of a VRF's device @dev towards @daddr, from the VRF's table:
 * a client on a subnet behind a tenant's router is reached through the
 * router (vpc add ... vrf). False when the table has no way there out of
 * @dev. Under RCU.
 */
static bool vpce_vrf_nexthop4(struct net *net, struct net_device *dev,
			      __be32 *daddr)
{
	struct flowi4 fl4 = {
		.daddr = *daddr,
		.flowi4_oif = l3mdev_master_ifindex_rcu(dev),
	};
	struct rtable *rt;
	bool ok;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return false;
	ok = rt->dst.dev == dev && rt->rt_type == RTN_UNICAST;
	*daddr = rt_nexthop(rt, *daddr);
	ip_rt_put(rt);
	return ok;
}

static bool vpce_vrf_nexthop6(struct net *net, struct net_device *dev,
			      struct in6_addr *daddr)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.flowi6_oif = l3mdev_master_ifindex_rcu(dev),
	};
	struct dst_entry *dst;
	bool ok;

	dst = ip6_route_output(net, NULL, &fl6);
	ok = !dst->error && dst->dev == dev;
	if (ok)
		*daddr = *rt6_nexthop(container_of(dst, struct rt6_info, dst),
				      daddr);
	dst_release(dst);
	return ok;
}

/*
 * Out of skb->dev through the neighbour table, to the client or, on a VRF's
 * device, to the next hop the VRF's table gives. Under RCU.
 */
static int vpce_client_neigh_xmit(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct in6_addr nexthop6;
	__be32 nexthop;

	if (skb->protocol == htons(ETH_P_IPV6)) {
		nexthop6 = ipv6_hdr(skb)->daddr;
		if (netif_is_l3_slave(dev) &&
		    !vpce_vrf_nexthop6(net, dev, &nexthop6))
			goto drop;
		return neigh_xmit(NEIGH_ND_TABLE, dev, &nexthop6, skb);
	}
	nexthop = ip_hdr(skb)->daddr;
	if (netif_is_l3_slave(dev) && !vpce_vrf_nexthop4(net, dev, &nexthop))
		goto drop;
	return neigh_xmit(NEIGH_ARP_TABLE, dev, &nexthop, skb);

drop:
	kfree_skb(skb);
	return -EHOSTUNREACH;
}

static int vpce_client_xmit(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	skb_dst_drop(skb);	/* the stand-in route stays here */
	return vpce_client_neigh_xmit(net, skb);
}

/*
 * Out of @dev to hardware address @mac, with no neighbour entry: where the
 * own flow table sends a client what is for it. It keeps the client's
 * address from the flow's first packet (vpce_client_mac()), so that a
 * SYN flood from made-up source addresses makes the host neither keep an
 * entry nor solicit for each of them (as neigh_xmit() would when the
 * target's SYN-ACKs go back), and no reply waits for resolution. The
 * replies go where the flow's packets came from, which is no more than a
 * neighbour entry gives: on a shared link a VM can claim any address with
 * ARP as well, and anti-spoofing on its port is the defence there.
 */
static int vpce_client_hw_xmit(struct sk_buff *skb, struct net_device *dev,
			       const u8 *mac)
{
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)) ||
	    dev_hard_header(skb, dev, ntohs(skb->protocol), mac, NULL,
			    skb->len) < 0) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	return dev_queue_xmit(skb);
}

/*
 * The hardware address @skb (a client's packet, in from a VPC device) came
 * from, for the own flow table to send the client's replies to: an
 * Ethernet frame's source. NULL from a device without hardware addresses
 * (the flow's packets then go through the neighbour table);
 * ERR_PTR(-EINVAL) when the source is no unicast address, which no
 * Ethernet station sends from: such a frame is dropped rather than let a
 * VM choose the neighbour table's way after all.
 */
const u8 *vpce_client_mac(const struct sk_buff *skb)
{
	const struct ethhdr *eth;

	if (skb->dev->type != ARPHRD_ETHER)
		return NULL;
	if (!skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return ERR_PTR(-EINVAL);
	eth = eth_hdr(skb);
	return is_valid_ether_addr(eth->h_source) ? eth->h_source :
		ERR_PTR(-EINVAL);
}

/*
 * The end of a reply's way, translated already: forward it by hand out of
 * the VPC device @dev, as ip_forward() and ip6_forward() would (hop limit,
 * fragments when @fit says so), to the client's hardware address @mac when
 * the flow keeps it (vpce_client_hw_xmit()), else to its neighbour entry
 * (fragments too: they are rare, and the callback has nowhere to carry
 * @mac).
 */
unsigned int vpce_client_send(struct net *net, struct sk_buff *skb,
			      struct net_device *dev, enum vpce_fit fit,
			      const u8 *mac)
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
	if (mac)
		vpce_client_hw_xmit(skb, dev, mac);
	else
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
			 d->ifindex, NULL, q);
}

/* A queued reset's client hardware address, when its flow kept one. */
struct vpce_reset_cb {
	u8 mac[ETH_ALEN];
	bool known;
};

#define VPCE_RESET_CB(skb)	((struct vpce_reset_cb *)(skb)->cb)

/*
 * The reset itself, for a TCP flow with original tuple @t (client to
 * endpoint address): from the endpoint address, with sequence number @seq
 * (the next the client expects) and acknowledging @ack, to be sent out of
 * device @ifindex.
 */
void vpce_reset_queue(struct net *net, const struct nf_conntrack_tuple *t,
		      u32 seq, u32 ack, int ifindex, const u8 *mac,
		      struct sk_buff_head *q)
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
	if (mac) {
		VPCE_RESET_CB(skb)->known = true;
		ether_addr_copy(VPCE_RESET_CB(skb)->mac, mac);
	}
	__skb_queue_tail(q, skb);
}

/* Send what vpce_flow_reset() queued, out of each flow's own device. */
void vpce_flow_resets_send(struct vpce_net *vn, struct sk_buff_head *q)
{
	struct net_device *dev;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q))) {
		rcu_read_lock();
		dev = dev_get_by_index_rcu(vn->net, skb->skb_iif);
		if (!dev || !(dev->flags & IFF_UP)) {
			kfree_skb(skb);
		} else if (VPCE_RESET_CB(skb)->known) {
			skb->dev = dev;
			local_bh_disable();
			vpce_client_hw_xmit(skb, dev, VPCE_RESET_CB(skb)->mac);
			local_bh_enable();
		} else {
			skb->dev = dev;
			local_bh_disable();
			vpce_client_neigh_xmit(vn->net, skb);
			local_bh_enable();
		}
		rcu_read_unlock();
	}
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
void vpce_client_error(const struct nf_hook_state *state, struct sk_buff *skb,
		       struct nf_conn *ct, const struct vpce_icmp_err *e)
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
