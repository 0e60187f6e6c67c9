// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce's own connection table: the packet path. From the zone hook, every
 * IPv4 packet: a client's packet of a known or new flow is translated both
 * ways at once and routed to the target; a target's reply is translated
 * and sent out of the VPC device; an ICMP error about a flow is translated
 * as the packet it quotes was. Anything else is the conntrack path's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_conn_int.h"
#include "vpce_endpoint.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter_bridge.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <linux/netfilter_ipv4.h>

/* Set @iph's addresses (and its checksum), and @ports if any. */
/*
 * The VPC device a flow's replies leave by, under RCU: found by the flow's
 * zone, whose device stays in the zone map until the flow is gone; NULL
 * once the device went.
 */
static struct net_device *vpce_conn_dev(struct vpce_net *vn,
					const struct vpce_conn *c)
{
	const struct vpce_dev *d;

	d = vpce_dev_by_zone(vn, c->h[IP_CT_DIR_ORIGINAL].key.zone);
	return d && d->ifindex == c->ifindex ? vpce_dev_netdev(vn->net, d) :
		NULL;
}

static void vpce_conn_set(struct iphdr *iph, __be16 *ports, __be32 saddr,
			  __be32 daddr, __be16 sport, __be16 dport)
{
	csum_replace4(&iph->check, iph->saddr, saddr);
	csum_replace4(&iph->check, iph->daddr, daddr);
	iph->saddr = saddr;
	iph->daddr = daddr;
	if (ports) {
		ports[0] = sport;
		ports[1] = dport;
	}
}

/*
 * Give @skb (IPv4 with a TCP or UDP header, writable) the addresses and
 * ports of the packet that key @k is the key of, reversed.
 */
static void vpce_conn_nat(struct sk_buff *skb, const struct vpce_conn_key *k)
{
	struct iphdr *iph = ip_hdr(skb);
	__be16 *ports = (__be16 *)(iph + 1);
	__sum16 *check;

	if (iph->protocol == IPPROTO_TCP)
		check = &((struct tcphdr *)ports)->check;
	else
		check = &((struct udphdr *)ports)->check;
	/* A UDP datagram without a checksum keeps none. */
	if (*check || iph->protocol == IPPROTO_TCP ||
	    skb->ip_summed == CHECKSUM_PARTIAL) {
		inet_proto_csum_replace4(check, skb, iph->saddr, k->daddr, true);
		inet_proto_csum_replace4(check, skb, iph->daddr, k->saddr, true);
		inet_proto_csum_replace2(check, skb, ports[0], k->dport, false);
		inet_proto_csum_replace2(check, skb, ports[1], k->sport, false);
		if (iph->protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	vpce_conn_set(iph, ports, k->daddr, k->saddr, k->dport, k->sport);
}

/*
 * A packet of @c going on in direction @dir: its state and time, its count,
 * and the other direction's addresses and ports (reversed: a client's
 * packet gets the reply key's, a reply the original key's). False: it
 * is out of the flow's window (counted), or could not be made writable.
 */
static bool vpce_conn_pass(struct vpce_net *vn, struct vpce_conn *c,
			   struct sk_buff *skb,
			   const struct tcphdr *th, unsigned int hlen,
			   enum ip_conntrack_dir dir)
{
	/* Read before the header may move (skb_ensure_writable()). */
	bool rst = th && th->rst;

	if (!vpce_conn_seen(c, skb, th, dir)) {
		vpce_stats_refused(c->ep, READ_ONCE(c->ea), VPCE_DROP_INVALID, false);
		return false;
	}
	if (skb_ensure_writable(skb, hlen))
		return false;
	vpce_stats_bytes(c->ep, READ_ONCE(c->ea), c->ts, skb->len, rst,
			 dir == IP_CT_DIR_REPLY);
	if (c->fl) {
		/* The interval before this packet is over: its record. */
		if (vpce_flowlog_due(c->fl))
			vpce_conn_flowlog(vn, c, false);
		vpce_flowlog_count(c->fl, dir, skb->len);
	}
	vpce_conn_nat(skb, &c->h[!dir].key);
	return true;
}

/* The flow's tuples as conntrack would have them (vpce_proxy_send()). */
static void vpce_conn_proxy_send(struct net *net, struct net_device *dev,
				 const struct vpce_conn *c,
				 const struct vpce_proxy_seg *seg)
{
	struct nf_conntrack_tuple orig, reply;

	vpce_conn_tuple(&c->h[IP_CT_DIR_ORIGINAL].key, &orig);
	vpce_conn_tuple(&c->h[IP_CT_DIR_REPLY].key, &reply);
	vpce_proxy_send(net, dev, &orig, &reply, c->ep, &c->pp, seg);
}

/*
 * A client's segment of a flow with a PROXY header, translated (its whole
 * TCP header writable): vpce_proxy_orig(), and the header ahead of it
 * when it is the first after the handshake, out of the way it takes.
 * False: drop it.
 */
static bool vpce_conn_proxy_orig(struct net *net, struct vpce_conn *c,
				 struct sk_buff *skb)
{
	struct nf_conntrack_tuple orig, reply;
	unsigned int thoff = ip_hdrlen(skb);

	switch (vpce_proxy_orig(skb, thoff, &c->pp,
				test_bit(VPCE_CONN_PROXY_SENT, &c->flags))) {
	case VPCE_PROXY_DROP:
		vpce_stats_refused(c->ep, READ_ONCE(c->ea), VPCE_DROP_INVALID,
				   false);
		return false;
	case VPCE_PROXY_START:
		if (test_and_set_bit(VPCE_CONN_PROXY_SENT, &c->flags)) {
			vpce_proxy_shift(skb, thoff, &c->pp);
			break;
		}
		vpce_conn_tuple(&c->h[IP_CT_DIR_ORIGINAL].key, &orig);
		vpce_conn_tuple(&c->h[IP_CT_DIR_REPLY].key, &reply);
		vpce_proxy_start(net, skb->dev, skb, thoff, &orig, &reply,
				 c->ep, &c->pp);
		break;
	case VPCE_PROXY_PASS:
		break;
	}
	return true;
}

/*
 * A target's segment of such a flow, translated, on its way to the client
 * out of @dev: what it acknowledges, as the client counts; and the header
 * again when it does not acknowledge that, with the client's latest ACK,
 * its largest window and the timestamps the target echoes. Negative: drop
 * it; 1: it was the target's first bare ACK of the header, of no use to
 * the client: consume it.
 */
static int vpce_conn_proxy_reply(struct net *net, struct vpce_conn *c,
				 struct sk_buff *skb, struct net_device *dev)
{
	struct vpce_proxy_seg seg;
	struct tcphdr *th;
	u8 scale;
	int ret;

	if (!test_bit(VPCE_CONN_PROXY_SENT, &c->flags))
		return 0;
	ret = vpce_proxy_reply(skb, ip_hdrlen(skb), &c->pp);
	if (ret < 0)
		return ret;
	/* The first to acknowledge the header is passed on unless it is a
	 * bare ACK of it.
	 */
	if (ret & VPCE_PROXY_COVERS)
		return !test_and_set_bit(VPCE_CONN_PROXY_ACKED, &c->flags) &&
			(ret & VPCE_PROXY_BARE);
	if (!(ret & VPCE_PROXY_RESEND))
		return 0;
	th = (struct tcphdr *)(ip_hdr(skb) + 1);
	seg.ts = vpce_proxy_tsopt(th, &seg.tsecr, &seg.tsval);
	seg.ack = READ_ONCE(c->pp_ack);
	scale = c->wscale[0] != VPCE_CONN_NO_WSCALE &&
		c->wscale[1] != VPCE_CONN_NO_WSCALE ? c->wscale[0] : 0;
	seg.win = min_t(u32, READ_ONCE(c->maxwin[IP_CT_DIR_ORIGINAL]) >> scale,
			U16_MAX);
	vpce_conn_proxy_send(net, dev, c, &seg);
	return 0;
}

/*
 * A client's packet: routed as ip_rcv_finish() would route it next, to the
 * target and still from the client (from the nlb address, often the
 * host's own, it would be a martian), and refused here with the ICMP error
 * ip_forward() would send when it does not fit the way on: the host's
 * routing table has no way back to a VPC (see vpce_orig_fit()). The route
 * stays on the packet; the stack does not look again.
 */
static unsigned int vpce_conn_orig(struct vpce_net *vn, struct vpce_conn *c,
				   struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   const struct tcphdr *th, unsigned int hlen)
{
	const struct vpce_conn_key *k = &c->h[IP_CT_DIR_REPLY].key;
	const struct iphdr *iph = ip_hdr(skb);
	struct vpce_icmp_err e;
	struct rtable *rt;

	if (ip_route_input_noref(skb, k->saddr, iph->saddr, iph->tos,
				 vpce_route_dev(skb->dev)))
		return NF_DROP;
	rt = skb_rtable(skb);
	if (rt->rt_type == RTN_UNICAST &&
	    vpce_fit4(skb, ip_dst_mtu_maybe_forward(&rt->dst, true), &e) ==
	    VPCE_ERROR) {
		IP_INC_STATS(state->net, e.type == ICMP_DEST_UNREACH ?
			     IPSTATS_MIB_FRAGFAILS : IPSTATS_MIB_INHDRERRORS);
		vpce_icmp_back(state, skb, &e);
		return NF_DROP;
	}
	/* Where the target's replies will come in (vpce_conn_find()). */
	if (READ_ONCE(c->reply_ifindex) != rt->dst.dev->ifindex)
		WRITE_ONCE(c->reply_ifindex, rt->dst.dev->ifindex);
	if (!vpce_conn_pass(vn, c, skb, th, hlen, IP_CT_DIR_ORIGINAL))
		return NF_DROP;
	if (th && c->pp.len && !vpce_conn_proxy_orig(state->net, c, skb))
		return NF_DROP;
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

/*
 * A reply: out of the VPC device, or, when it does not fit or is out of
 * hops, an ICMP error back to the target from the nlb address it sent to
 * (see vpce_reply_fit()).
 */
static unsigned int vpce_conn_reply(struct vpce_net *vn, struct vpce_conn *c,
				    struct sk_buff *skb,
				    const struct nf_hook_state *state,
				    const struct tcphdr *th, unsigned int hlen)
{
	struct vpce_icmp_err e;
	struct net_device *dev;
	enum vpce_fit fit;

	dev = vpce_conn_dev(vn, c);
	if (!dev || !(dev->flags & IFF_UP))
		return NF_DROP;
	fit = vpce_fit4(skb, dev->mtu, &e);
	if (fit == VPCE_ERROR) {
		vpce_icmp_back(state, skb, &e);
		return NF_DROP;
	}
	if (!vpce_conn_pass(vn, c, skb, th, hlen, IP_CT_DIR_REPLY))
		return NF_DROP;
	if (th && c->pp.len) {
		int ret = vpce_conn_proxy_reply(state->net, c, skb, dev);

		if (ret < 0)
			return NF_DROP;
		if (ret) {
			consume_skb(skb);
			return NF_STOLEN;
		}
	}
	return vpce_client_send(state->net, skb, dev, fit, vpce_conn_mac(c));
}

/*
 * The connection of a packet with IPv4 header @iph and ports @ports, in
 * the direction of its device @d (NULL: not a VPC's); @reversed: the
 * header is that of a packet that went the other way (inside an ICMP
 * error). @key is left as looked up.
 */
static struct vpce_conn *vpce_conn_lookup(struct vpce_net *vn,
					  const struct vpce_dev *d,
					  const struct iphdr *iph,
					  const __be16 *ports, bool reversed,
					  struct vpce_conn_key *key)
{
	key->saddr = reversed ? iph->daddr : iph->saddr;
	key->daddr = reversed ? iph->saddr : iph->daddr;
	key->sport = ports[reversed];
	key->dport = ports[!reversed];
	key->zone = d ? d->ct_zone : 0;
	key->proto = iph->protocol;
	key->pad = 0;
	return vpce_conn_lookup_key(vn, key, d ? IP_CT_DIR_ORIGINAL :
				    IP_CT_DIR_REPLY);
}

/*
 * vpce_conn_lookup() for a packet from device *@dp (@ifindex). Targets may
 * sit behind a VPC's device too (the provider's own VPC): a packet from a
 * VPC device that is no client's is looked up as a reply as well, and *@dp
 * is NULL when it is one. @key is the first lookup's: a new flow's
 * original key.
 *
 * A client's packets are found in the zone of the device they came in on;
 * a reply only when it comes in where the flow's replies come from (the
 * device its packets to the target leave by): from anywhere else, say
 * another VPC on the same CIDR, a "reply" is someone trying the flow's
 * ports, and not the flow's.
 */
static struct vpce_conn *vpce_conn_find(struct vpce_net *vn,
					const struct vpce_dev **dp,
					int ifindex, const struct iphdr *iph,
					const __be16 *ports, bool reversed,
					struct vpce_conn_key *key)
{
	struct vpce_conn_key rkey;
	struct vpce_conn *c;

	if (*dp) {
		c = vpce_conn_lookup(vn, *dp, iph, ports, reversed, key);
		if (c)
			return c;
	}
	c = vpce_conn_lookup(vn, NULL, iph, ports, reversed,
			     *dp ? &rkey : key);
	if (!c || READ_ONCE(c->reply_ifindex) != ifindex)
		return NULL;
	*dp = NULL;
	return c;
}

/*
 * The transport checksum @check of a packet inside an ICMP error, for its
 * addresses and ports (@inner, @ports) becoming those of key @k. Inside an
 * error the packet has no checksum state of its own to mind.
 */
static void vpce_conn_inner_csum(__sum16 *check, const struct iphdr *inner,
				 const __be16 *ports,
				 const struct vpce_conn_key *k)
{
	csum_replace4(check, inner->saddr, k->saddr);
	csum_replace4(check, inner->daddr, k->daddr);
	csum_replace2(check, ports[0], k->sport);
	csum_replace2(check, ports[1], k->dport);
}

/*
 * An ICMP error about a packet of a connection, which conntrack's NAT core
 * would translate as related to the flow: from the provider side (a
 * target's "port unreachable", a router's "fragmentation needed") about a
 * client's packet as it left, to the nlb address; or from the client about
 * a reply as it arrived, to the endpoint address. The packet inside gets
 * the addresses and ports of the other side, and so does the error itself:
 * from the endpoint address to the client, or from the nlb address to the
 * target, whoever sent it (as the NAT core does). Not counted: errors
 * belong to their flow but are not its traffic.
 */
static bool vpce_conn_icmp(struct vpce_net *vn, const struct vpce_dev *d,
			   struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   unsigned int *verdict)
{
	enum ip_conntrack_dir dir;
	const unsigned int inoff = sizeof(struct iphdr) + sizeof(struct icmphdr);
	const struct vpce_conn_key *k;
	struct vpce_conn_key key;
	struct iphdr *iph, *inner;
	struct icmphdr *icmph;
	struct net_device *dev;
	struct vpce_conn *c;
	__be16 *ports;
	__be32 client;

	if (!pskb_may_pull(skb, inoff + sizeof(*inner) + 8))
		return false;
	icmph = (struct icmphdr *)(ip_hdr(skb) + 1);
	switch (icmph->type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		break;
	default:
		return false;
	}
	inner = (struct iphdr *)(icmph + 1);
	if (inner->ihl != 5 || ip_is_fragment(inner) ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP))
		return false;
	c = vpce_conn_find(vn, &d, state->in->ifindex, inner,
			   (__be16 *)(inner + 1), true, &key);
	if (!c)
		return false;
	dir = d ? IP_CT_DIR_ORIGINAL : IP_CT_DIR_REPLY;
	/* As conntrack's ICMP handling checks (nf_conntrack_inet_error()):
	 * the flow is live, and the error goes to whoever sent the packet
	 * inside, the one address of the flow's on this side. Anything else
	 * is someone else's, or forged, and not translated.
	 */
	if (vpce_conn_expired(c) || ip_hdr(skb)->daddr != inner->saddr)
		return false;

	/* A corrupt error goes no further, as conntrack would have it. */
	if (nf_ip_checksum(skb, state->hook, ip_hdrlen(skb), IPPROTO_ICMP) ||
	    skb_ensure_writable(skb, skb->len)) {
		*verdict = NF_DROP;
		return true;
	}
	iph = ip_hdr(skb);
	icmph = (struct icmphdr *)(iph + 1);
	inner = (struct iphdr *)(icmph + 1);
	ports = (__be16 *)(inner + 1);
	/* The packet inside as the other side sent or got it, with its
	 * transport checksum when that is there at all.
	 */
	k = &c->h[!dir].key;
	if (inner->protocol == IPPROTO_TCP &&
	    skb->len >= inoff + sizeof(*inner) + sizeof(struct tcphdr)) {
		vpce_conn_inner_csum(&((struct tcphdr *)ports)->check, inner,
				     ports, k);
	} else if (inner->protocol == IPPROTO_UDP &&
		   skb->len >= inoff + sizeof(*inner) + sizeof(struct udphdr) &&
		   ((struct udphdr *)ports)->check) {
		struct udphdr *uh = (struct udphdr *)ports;

		vpce_conn_inner_csum(&uh->check, inner, ports, k);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	/* A quoted segment of a flow with a PROXY header: as the error's
	 * receiver counts (vpce_proxy_inner()).
	 */
	if (inner->protocol == IPPROTO_TCP && c->pp.len &&
	    test_bit(VPCE_CONN_PROXY_SENT, &c->flags))
		vpce_proxy_inner((u8 *)ports, skb->len - inoff - sizeof(*inner),
				 &c->pp, dir == IP_CT_DIR_REPLY);
	vpce_conn_set(inner, ports, k->saddr, k->daddr, k->sport, k->dport);
	/* The error itself: to whom the packet inside is now from. */
	client = iph->saddr;
	vpce_conn_set(iph, NULL, k->daddr, k->saddr, 0, 0);
	icmph->checksum = 0;
	icmph->checksum = csum_fold(csum_partial(icmph,
						 skb->len - sizeof(*iph), 0));
	skb->ip_summed = CHECKSUM_NONE;

	if (dir == IP_CT_DIR_ORIGINAL) {
		/* Routed from the client's address, as its packets are. */
		*verdict = ip_route_input_noref(skb, iph->daddr, client,
						iph->tos,
						vpce_route_dev(skb->dev)) ?
			NF_DROP : NF_ACCEPT;
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
		return true;
	}
	dev = vpce_conn_dev(vn, c);
	if (!dev || !(dev->flags & IFF_UP) || iph->ttl <= 1) {
		*verdict = NF_DROP;
		return true;
	}
	*verdict = vpce_client_send(state->net, skb, dev, VPCE_FITS,
				    vpce_conn_mac(c));
	return true;
}

/*
 * br_netfilter (loaded by Docker, libvirt's firewall, Kubernetes' CNIs)
 * runs the IPv4 hooks for a bridge's frames in the bridge's own path, with
 * the bridge as the input device, and then routes a packet whose
 * destination changed once more by its header, dropping the route
 * vpce_conn_orig() left on it: from the nlb address, often the host's own,
 * that is a martian source, and the packet is lost.  Such packets take
 * conntrack's path instead, as IPv6 does, whose source translation waits
 * for POST_ROUTING.  Their replies come from targets, never through a
 * bridge, and find no flow of the own table either.
 */
static bool vpce_conn_bridged(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	return nf_bridge_info_exists(skb);
#else
	return false;
#endif
}

/*
 * From the zone hook, for every IPv4 packet: @d is the VPC device it came
 * in on, or NULL (then it may be a reply from a target).
 */
bool vpce_conn_in(struct vpce_net *vn, const struct vpce_dev *d,
		  struct sk_buff *skb, const struct nf_hook_state *state,
		  unsigned int *verdict)
{
	unsigned int hlen = sizeof(struct iphdr);
	const struct tcphdr *th = NULL;
	struct vpce_conn_key key;
	const struct iphdr *iph;
	struct vpce_conn *c;

	if (state->pf != NFPROTO_IPV4 || vpce_conn_bridged(skb))
		return false;
	iph = ip_hdr(skb);
	/* Options and fragments (conntrack's defragmentation has run: these
	 * are what it could not put together) are the stack's business.
	 */
	if (iph->ihl != 5 || ip_is_fragment(iph))
		return false;
	if (iph->protocol == IPPROTO_TCP)
		hlen += sizeof(struct tcphdr);
	else if (iph->protocol == IPPROTO_UDP)
		hlen += sizeof(struct udphdr);
	else if (iph->protocol == IPPROTO_ICMP)
		return vpce_conn_icmp(vn, d, skb, state, verdict);
	else
		return false;
	if (!pskb_may_pull(skb, hlen))
		return false;
	iph = ip_hdr(skb);
	if (iph->protocol == IPPROTO_TCP) {
		/* The whole header, options too (the window scale), and
		 * none that claims more than the packet has: those the
		 * stack drops.
		 */
		th = (const struct tcphdr *)(iph + 1);
		hlen = sizeof(*iph) + th->doff * 4;
		if (th->doff < 5 || skb->len < hlen || !pskb_may_pull(skb, hlen))
			return false;
		iph = ip_hdr(skb);
		th = (const struct tcphdr *)(iph + 1);
	}
	c = vpce_conn_find(vn, &d, state->in->ifindex, iph,
			   (__be16 *)(iph + 1), false, &key);
	/* An expired connection is gone; a SYN on one that is over (a port
	 * used again, tcp_tw_reuse) starts a new one.
	 */
	if (c && (vpce_conn_expired(c) ||
		  (d && th && th->syn && !th->ack && vpce_conn_over(c)))) {
		vpce_conn_del(vn, c);
		c = NULL;
	}
	if (!c) {
		if (!d || (th && (!th->syn || th->ack)))
			return false;
		c = vpce_conn_new(vn, d, &key, th, skb->len - hlen,
				  vpce_client_mac(skb), skb, state);
		if (!c)
			return false;
		if (IS_ERR(c)) {
			*verdict = NF_DROP;
			return true;
		}
	}
	*verdict = d ? vpce_conn_orig(vn, c, skb, state, th, hlen) :
		vpce_conn_reply(vn, c, skb, state, th, hlen);
	return true;
}
