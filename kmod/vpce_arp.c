// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint addresses answer ARP on their VPC's devices, as an ENI would.
 *
 * Proxy ARP cannot do this: it does not answer for an address whose route
 * leads back out of the asking device, and the host has no route to a VPC's
 * addresses at all. Making the addresses local would expose the host's own
 * services to tenants. So a hook at NF_ARP_IN answers requests for endpoint
 * addresses on bound devices, and nothing else.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_arp.h"
#include "vpce_endpoint.h"
#include "vpce_limit.h"
#include "vpce_stats.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/arp.h>
#include <net/neighbour.h>

unsigned int vpce_arp_in(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct vpce_net *vn = vpce_net(state->net);
	struct net_device *dev = state->in;
	const struct arphdr *arp;
	const unsigned char *sha, *p;
	struct vpce_ep_addr *ea;
	struct neighbour *n;
	struct vpce_dev *d;
	__be32 sip, tip;

	d = vpce_dev_by_ifindex(vn, dev->ifindex);
	if (!d || dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN)
		return NF_ACCEPT;
	if (!pskb_may_pull(skb, arp_hdr_len(dev)))
		return NF_ACCEPT;
	arp = arp_hdr(skb);
	if (arp->ar_op != htons(ARPOP_REQUEST) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != dev->addr_len || arp->ar_pln != 4)
		return NF_ACCEPT;

	p = (const unsigned char *)(arp + 1);
	sha = p;
	memcpy(&sip, p + dev->addr_len, 4);
	memcpy(&tip, p + 2 * dev->addr_len + 4, 4);
	if (ipv4_is_multicast(tip) || ipv4_is_lbcast(tip) || !tip)
		return NF_ACCEPT;
	ea = vpce_ep_addr_find(vn, d->vpc, AF_INET,
			       (const union nf_inet_addr *)&tip);
	if (!ea)
		return NF_ACCEPT;

	/*
	 * A request for an endpoint address: ours from here on. As
	 * arp_process() does, answer no sender that cannot be one: a
	 * multicast, broadcast or loopback address, a hardware address that
	 * is not a station's, or the endpoint address itself (a gratuitous
	 * request: someone claims it). An address probe (sender 0.0.0.0)
	 * is answered, so that the prober knows the address is taken.
	 */
	if (ipv4_is_multicast(sip) || ipv4_is_lbcast(sip) ||
	    ipv4_is_loopback(sip) || (ipv4_is_zeronet(sip) && sip) ||
	    sip == tip || !is_valid_ether_addr(sha))
		return NF_DROP;
	/* A VM asks at any rate it likes; the answers do not follow it. */
	if (!vpce_limit_take(&d->neigh_limit, VPCE_NEIGH_RATE,
			     VPCE_NEIGH_BURST)) {
		vpce_stats_limited(ea->ep, ea);
		return NF_DROP;
	}

	/*
	 * The answer goes straight to the hardware address in the request
	 * (arp_send() needs no neighbour entry). What the host learns from
	 * it is only a fresher address for a client it already knows: an
	 * entry made per sender here would let a VM fill the neighbour
	 * table, which is the whole host's, with made-up senders. The own
	 * flow table sends a client its replies to the hardware address its
	 * packets came from, with no entry either; on conntrack's path a
	 * client gets its entry when the reply path first sends it
	 * something (neigh_xmit() resolves it, as for any neighbour the host
	 * sends to).
	 */
	if (sip) {
		n = neigh_lookup(&arp_tbl, &sip, dev);
		if (n) {
			neigh_update(n, sha, NUD_STALE,
				     NEIGH_UPDATE_F_OVERRIDE, 0);
			neigh_release(n);
		}
	}
	arp_send(ARPOP_REPLY, ETH_P_ARP, sip, dev, tip, sha, dev->dev_addr,
		 sha);
	consume_skb(skb);
	return NF_STOLEN;
}
