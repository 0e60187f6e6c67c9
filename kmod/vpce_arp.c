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

#include "vpce_arp.h"
#include "vpce_endpoint.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

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
	struct neighbour *n;
	struct vpce_dev *d;
	__be32 sip, tip;

	d = vpce_dev_by_ifindex(vn, dev->ifindex);
	if (!d || dev->type != ARPHRD_ETHER)
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
	if (ipv4_is_multicast(tip) || ipv4_is_loopback(sip) ||
	    ipv4_is_multicast(sip))
		return NF_ACCEPT;
	if (!vpce_ep_addr_find(vn, d->vpc, AF_INET,
			       (const union nf_inet_addr *)&tip))
		return NF_ACCEPT;

	/*
	 * Remember who asked, as arp_process() does for its own addresses:
	 * replies to this client leave through this device by its neighbour
	 * entry. An address probe (sender 0.0.0.0) gets an answer, so the
	 * prober knows the address is taken, but teaches nothing.
	 */
	if (sip) {
		n = neigh_event_ns(&arp_tbl, (u8 *)sha, &sip, dev);
		if (n)
			neigh_release(n);
	}
	arp_send(ARPOP_REPLY, ETH_P_ARP, sip, dev, tip, sha, dev->dev_addr,
		 sha);
	consume_skb(skb);
	return NF_STOLEN;
}
