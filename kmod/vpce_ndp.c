// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * IPv6 endpoint addresses answer neighbour solicitations on their VPC's
 * devices, as an ENI would: the IPv6 half of vpce_arp.c.
 *
 * Proxy NDP has the same flaw as proxy ARP (no answer for an address whose
 * route leads back out of the asking device, and the host has no route to
 * a VPC's addresses), and making the addresses local would expose the
 * host's services. Linux 6.1 does not export ndisc_send_na(), and
 * ndisc_send_skb() wants a route and the host's own source address, so the
 * advertisement is built here (RFC 4861 section 7.2.4) and sent straight
 * back out of the device, to the asker's link-layer address, the way the
 * refusals in vpce_nat.c are. The hook runs at PRE_ROUTING before the raw
 * priority, so a solicitation for an endpoint address never reaches
 * conntrack or the host's own neighbour discovery, which would ignore it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_ndp.h"
#include "vpce_endpoint.h"
#include "vpce_limit.h"
#include "vpce_stats.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv6.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/neighbour.h>

/* A solicitation's fixed part: the ICMPv6 header and the target. */
#define VPCE_NS_LEN	(sizeof(struct icmp6hdr) + sizeof(struct in6_addr))
/* The link-layer address option of an Ethernet device: 8 bytes. */
#define VPCE_ND_OPT_LEN	(2 + ETH_ALEN)

/*
 * Walk the options of a solicitation at @off..@end and find its source
 * link-layer address. False if the options are malformed (a zero length
 * is, and makes RFC 4861 receivers discard the message).
 */
static bool vpce_ns_options(const struct sk_buff *skb, unsigned int off,
			    unsigned int end, u8 *lladdr, bool *has_lladdr)
{
	u8 _opt[VPCE_ND_OPT_LEN];
	const u8 *opt;
	unsigned int len;

	*has_lladdr = false;
	while (off < end) {
		if (end - off < 2)
			return false;
		opt = skb_header_pointer(skb, off, 2, _opt);
		if (!opt || !opt[1])
			return false;
		len = opt[1] * 8;
		if (len > end - off)
			return false;
		if (opt[0] == ND_OPT_SOURCE_LL_ADDR) {
			/* An Ethernet address fills exactly one unit. */
			if (len != VPCE_ND_OPT_LEN)
				return false;
			opt = skb_header_pointer(skb, off, len, _opt);
			if (!opt)
				return false;
			ether_addr_copy(lladdr, opt + 2);
			*has_lladdr = true;
		}
		off += len;
	}
	return true;
}

/*
 * Send the advertisement: from the endpoint address @target to @daddr at
 * the link-layer address @dst, with @dev's address as the target's
 * link-layer address (the one the ARP responder gives too).
 */
static void vpce_na_send(struct net_device *dev, const struct in6_addr *target,
			 const struct in6_addr *daddr, const u8 *dst,
			 bool solicited)
{
	unsigned int len = VPCE_NS_LEN + VPCE_ND_OPT_LEN;
	struct ipv6hdr *ip6h;
	struct nd_msg *msg;
	struct sk_buff *skb;
	u8 *opt;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + sizeof(*ip6h) + len +
			dev->needed_tailroom, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(len);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	/* Receivers check it: only a neighbour can send 255. */
	ip6h->hop_limit = 255;
	ip6h->saddr = *target;
	ip6h->daddr = *daddr;

	skb_set_transport_header(skb, sizeof(*ip6h));
	msg = skb_put_zero(skb, len);
	msg->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	msg->icmph.icmp6_solicited = solicited;
	msg->icmph.icmp6_override = 1;
	msg->target = *target;
	opt = msg->opt;
	opt[0] = ND_OPT_TARGET_LL_ADDR;
	opt[1] = VPCE_ND_OPT_LEN / 8;
	ether_addr_copy(opt + 2, dev->dev_addr);
	msg->icmph.icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
						 len, IPPROTO_ICMPV6,
						 csum_partial(msg, len, 0));

	skb->protocol = htons(ETH_P_IPV6);
	skb->dev = dev;
	if (dev_hard_header(skb, dev, ETH_P_IPV6, dst, dev->dev_addr,
			    skb->len) < 0) {
		kfree_skb(skb);
		return;
	}
	dev_queue_xmit(skb);
}

/* A VM asks at any rate it likes; the answers do not follow it. */
static bool vpce_ndp_allow(struct vpce_dev *d, const struct vpce_ep_addr *ea)
{
	if (vpce_limit_take(&d->neigh_limit, VPCE_NEIGH_RATE,
			    VPCE_NEIGH_BURST))
		return true;
	vpce_stats_limited(ea->ep, ea);
	return false;
}

unsigned int vpce_ndp_in(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	struct net_device *dev = state->in;
	const struct ipv6hdr *ip6h;
	struct in6_addr saddr, daddr, target, mcast;
	const struct icmp6hdr *icmp;
	struct icmp6hdr _icmp;
	const struct in6_addr *tp;
	struct in6_addr _t;
	u8 lladdr[ETH_ALEN], dst[ETH_ALEN];
	unsigned int end;
	struct vpce_ep_addr *ea;
	struct neighbour *n;
	struct vpce_dev *d;
	bool has_lladdr;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	d = vpce_dev_by_ifindex(vn, dev->ifindex);
	if (!d || dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    !skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return NF_ACCEPT;
	/* ip6_rcv_core() checked the header and trimmed the packet to its
	 * payload length; the extension headers are ours to skip.
	 */
	ip6h = ipv6_hdr(skb);
	if (ip6h->hop_limit != 255)
		return NF_ACCEPT;
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff < 0 || nexthdr != IPPROTO_ICMPV6 || frag_off)
		return NF_ACCEPT;
	icmp = skb_header_pointer(skb, thoff, sizeof(_icmp), &_icmp);
	if (!icmp || icmp->icmp6_type != NDISC_NEIGHBOUR_SOLICITATION)
		return NF_ACCEPT;
	end = skb->len;
	if (end - thoff < VPCE_NS_LEN)
		return NF_ACCEPT;
	tp = skb_header_pointer(skb, thoff + sizeof(_icmp), sizeof(_t), &_t);
	if (!tp || ipv6_addr_is_multicast(tp))
		return NF_ACCEPT;
	target = *tp;
	ea = vpce_ep_addr_find(vn, d->vpc, AF_INET6,
			       (const union nf_inet_addr *)&target);
	if (!ea)
		return NF_ACCEPT;

	/*
	 * A solicitation for an endpoint address: from here on it is ours,
	 * and one that is not valid (RFC 4861 section 7.1.1) is dropped, as
	 * ndisc would drop it.
	 */
	ip6h = ipv6_hdr(skb);
	saddr = ip6h->saddr;
	daddr = ip6h->daddr;
	if (icmp->icmp6_code ||
	    nf_ip6_checksum(skb, state->hook, thoff, IPPROTO_ICMPV6) ||
	    !vpce_ns_options(skb, thoff + VPCE_NS_LEN, end, lladdr,
			     &has_lladdr))
		return NF_DROP;
	/* Addressed to the target itself (unreachability detection) or to
	 * its solicited-node group; anything else is not for us to answer.
	 */
	addrconf_addr_solict_mult(&target, &mcast);
	if (!ipv6_addr_equal(&daddr, &target) &&
	    !ipv6_addr_equal(&daddr, &mcast))
		return NF_DROP;

	if (ipv6_addr_any(&saddr)) {
		/* Duplicate address detection by someone who wants the
		 * address: tell all nodes it is taken, unsolicited, as
		 * ndisc does; there is nobody to learn.
		 */
		if (!ipv6_addr_equal(&daddr, &mcast) || has_lladdr)
			return NF_DROP;
		if (!vpce_ndp_allow(d, ea))
			return NF_DROP;
		ipv6_addr_set(&daddr, htonl(0xff020000), 0, 0, htonl(1));
		ipv6_eth_mc_map(&daddr, dst);
		vpce_na_send(dev, &target, &daddr, dst, false);
		consume_skb(skb);
		return NF_STOLEN;
	}
	/* No sender that cannot be one (ip6_rcv_core() drops most, this
	 * hook runs after it), nor the endpoint address itself (a
	 * solicitation from it claims the address), nor one whose
	 * link-layer address is not a station's: the answer would go to a
	 * group.
	 */
	if (ipv6_addr_is_multicast(&saddr) || ipv6_addr_loopback(&saddr) ||
	    ipv6_addr_v4mapped(&saddr) || ipv6_addr_equal(&saddr, &target))
		return NF_DROP;
	ether_addr_copy(dst, has_lladdr ? lladdr : eth_hdr(skb)->h_source);
	if (!is_valid_ether_addr(dst))
		return NF_DROP;
	if (!vpce_ndp_allow(d, ea))
		return NF_DROP;

	/*
	 * The answer goes straight to the asker's link-layer address. What
	 * the host learns from the option is only a fresher address for a
	 * client it already knows, with ndisc_recv_ns()'s flags: an entry
	 * made per sender here would let a VM fill the neighbour table,
	 * which is the whole host's, with made-up senders. A client gets
	 * its entry when the reply path first sends it something
	 * (neigh_xmit() resolves it, as for any neighbour the host sends
	 * to).
	 */
	if (has_lladdr) {
		n = neigh_lookup(&nd_tbl, &saddr, dev);
		if (n) {
			neigh_update(n, lladdr, NUD_STALE,
				     NEIGH_UPDATE_F_WEAK_OVERRIDE |
				     NEIGH_UPDATE_F_OVERRIDE, 0);
			neigh_release(n);
		}
	}
	vpce_na_send(dev, &target, &saddr, dst, true);
	consume_skb(skb);
	return NF_STOLEN;
}
