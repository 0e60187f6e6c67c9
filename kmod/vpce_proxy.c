// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * PROXY protocol v2 (HAProxy's doc/proxy-protocol.txt) for services that ask
 * for it: a target learns each flow's client (its address and port in its
 * VPC), the endpoint address and listener port it reached, and the endpoint
 * ID (TLV 0xEA, subtype 0x01, as AWS's NLB sends it), from a header at the
 * start of the stream, before any byte of the client's.
 *
 * No segment with client data grows (it may be full size already): the
 * client's first segment after the handshake carries the header when it
 * is the bare last ACK of the handshake, else a segment with the header
 * and the sequence number after the SYN's, built here, goes ahead of it;
 * every later byte of the client's is then the header's length further on
 * for the target, and what the target acknowledges of it that much less
 * for the client. Both flow tables keep
 * that one position (struct vpce_proxy_pos) and translate each segment
 * with the helpers below: sequence numbers one way, acknowledgements and
 * SACK blocks the other, and the segments that ICMP errors quote.
 *
 * Loss: the header segment is sent again whenever the target sends
 * something that does not acknowledge it (a repeated SYN-ACK, a duplicate
 * ACK), until one does. The target always sends such a segment while the
 * header is missing: it repeats its SYN-ACK until the handshake completes,
 * and answers each client segment beyond the hole with a duplicate ACK.
 * Documentation/proxy-protocol.md has the whole argument.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_proxy.h"
#include "vpce_endpoint.h"
#include "vpce_epid.h"
#include "vpce_nat.h"
#include "vpce_tcpopt.h"
#include "vpce_xmit.h"

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

/* The header's first 12 bytes. */
static const u8 vpce_proxy_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define VPCE_PROXY_V2_PROXY	0x21	/* version 2, command PROXY */
#define VPCE_PROXY_INET_STREAM	0x11
#define VPCE_PROXY_INET6_STREAM	0x21
#define VPCE_PROXY_TLV_AWS	0xea
#define VPCE_PROXY_AWS_VPCE_ID	0x01

/*
 * Write the header for a flow whose original tuple is @orig (the client's
 * address and port, the endpoint address and listener port) to @p, which
 * has vpce_proxy_len() bytes.
 */
static void vpce_proxy_header(u8 *p, const struct nf_conntrack_tuple *orig,
			      const struct vpce_endpoint *ep)
{
	bool v6 = orig->src.l3num == AF_INET6;
	unsigned int alen = v6 ? sizeof(struct in6_addr) : sizeof(__be32);
	u8 len = vpce_proxy_len(orig->src.l3num);
	struct vpce_epid id = vpce_endpoint_id(ep);
	char buf[VPCE_EPID_BUF];

	memcpy(p, vpce_proxy_sig, sizeof(vpce_proxy_sig));
	p[12] = VPCE_PROXY_V2_PROXY;
	p[13] = v6 ? VPCE_PROXY_INET6_STREAM : VPCE_PROXY_INET_STREAM;
	put_unaligned_be16(len - 16, p + 14);
	p += 16;
	memcpy(p, &orig->src.u3, alen);
	memcpy(p + alen, &orig->dst.u3, alen);
	p += 2 * alen;
	memcpy(p, &orig->src.u.tcp.port, 2);
	memcpy(p + 2, &orig->dst.u.tcp.port, 2);
	p += 4;
	vpce_epid_format(&id, buf);
	p[0] = VPCE_PROXY_TLV_AWS;
	put_unaligned_be16(VPCE_PROXY_TLV_LEN - 3, p + 1);
	p[3] = VPCE_PROXY_AWS_VPCE_ID;
	memcpy(p + 4, buf, VPCE_ENDPOINT_ID_LEN);
}

/*
 * The timestamps option of @th (its whole header in the linear area), if
 * it has one: RFC 7323's PAWS has the target drop a segment of a flow with
 * timestamps whose TSval is older than the last it saw.
 */
bool vpce_proxy_tsopt(const struct tcphdr *th, __be32 *tsval, __be32 *tsecr)
{
	const u8 *opt = vpce_tcp_option(th, TCPOPT_TIMESTAMP,
					TCPOLEN_TIMESTAMP);

	if (!opt)
		return false;
	memcpy(tsval, opt + 2, 4);
	memcpy(tsecr, opt + 6, 4);
	return true;
}

/* The TCP header and the header as payload, from the NLB's side. */
static void vpce_proxy_tcp(struct sk_buff *skb,
			   const struct nf_conntrack_tuple *orig,
			   const struct nf_conntrack_tuple *reply,
			   const struct vpce_endpoint *ep,
			   const struct vpce_proxy_pos *pos,
			   const struct vpce_proxy_seg *seg)
{
	unsigned int thlen = sizeof(struct tcphdr) +
		(seg->ts ? TCPOLEN_TSTAMP_ALIGNED : 0);
	struct tcphdr *th;
	__be32 *opt;

	skb_set_transport_header(skb, skb->len);
	th = skb_put_zero(skb, thlen);
	th->source = reply->dst.u.tcp.port;
	th->dest = reply->src.u.tcp.port;
	th->seq = htonl(pos->isn + 1);
	th->ack_seq = htonl(seg->ack);
	th->doff = thlen / 4;
	th->ack = 1;
	th->psh = 1;
	th->window = htons(seg->win);
	if (seg->ts) {
		opt = (__be32 *)(th + 1);
		*opt++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*opt++ = seg->tsval;
		*opt = seg->tsecr;
	}
	vpce_proxy_header(skb_put(skb, pos->len), orig, ep);
}

/*
 * Route @skb (from the client's address, still) to the target as the
 * client's own packets are routed (vpce_route_dev()), then give it the
 * NLB address: from there, which is often the host's own, the route input
 * would take it for a martian. False: no way there.
 */
static bool vpce_proxy_route4(struct sk_buff *skb, struct net_device *dev,
			      __be32 nlb)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = tcp_hdr(skb);
	unsigned int len = skb->len - sizeof(*iph);

	skb->dev = dev;
	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, 0,
				 vpce_route_dev(dev)) ||
	    skb_rtable(skb)->rt_type != RTN_UNICAST)
		return false;
	iph->saddr = nlb;
	ip_send_check(iph);
	th->check = tcp_v4_check(len, iph->saddr, iph->daddr,
				 csum_partial(th, len, 0));
	return true;
}

static bool vpce_proxy_route6(struct net *net, struct sk_buff *skb,
			      struct net_device *dev,
			      const struct in6_addr *nlb)
{
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct net_device *rdev = vpce_route_dev(dev);
	unsigned int len = skb->len - sizeof(*ip6h);
	struct tcphdr *th = tcp_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_iif = rdev->ifindex,
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowi6_proto = IPPROTO_TCP,
	};
	struct dst_entry *dst;
	struct rt6_info *rt;

	skb->dev = dev;
	dst = ip6_route_input_lookup(net, rdev, &fl6, skb,
				     RT6_LOOKUP_F_HAS_SADDR);
	skb_dst_set(skb, dst);
	rt = (struct rt6_info *)dst;
	if (dst->error ||
	    (rt->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)))
		return false;
	ip6h->saddr = *nlb;
	th->check = tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr,
				 csum_partial(th, len, 0));
	return true;
}

/*
 * Send the header of the flow with tuples @orig and @reply (of endpoint
 * @ep) to its target, routed and forwarded as the flow's packets are from
 * the VPC device @dev, from the NLB address and port. Under RCU, from the packet path. It
 * is untracked, as the own table's packets are: conntrack must not take it
 * for a flow of its own. Nothing happens when it cannot be made: the
 * target's next segment asks for it again.
 */
void vpce_proxy_send(struct net *net, struct net_device *dev,
		     const struct nf_conntrack_tuple *orig,
		     const struct nf_conntrack_tuple *reply,
		     const struct vpce_endpoint *ep,
		     const struct vpce_proxy_pos *pos,
		     const struct vpce_proxy_seg *seg)
{
	bool v6 = orig->src.l3num == AF_INET6;
	unsigned int nhlen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	unsigned int len = sizeof(struct tcphdr) + TCPOLEN_TSTAMP_ALIGNED +
		pos->len;
	struct sk_buff *skb;
	bool routed;

	skb = alloc_skb(LL_MAX_HEADER + nhlen + len, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	if (v6) {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
		ip6h->saddr = orig->src.u3.in6;
		ip6h->daddr = reply->src.u3.in6;
		vpce_proxy_tcp(skb, orig, reply, ep, pos, seg);
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		skb->protocol = htons(ETH_P_IPV6);
		routed = vpce_proxy_route6(net, skb, dev, &reply->dst.u3.in6);
	} else {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->frag_off = htons(IP_DF);
		iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
		iph->protocol = IPPROTO_TCP;
		iph->saddr = orig->src.u3.ip;
		iph->daddr = reply->src.u3.ip;
		vpce_proxy_tcp(skb, orig, reply, ep, pos, seg);
		iph->tot_len = htons(skb->len);
		skb->protocol = htons(ETH_P_IP);
		routed = vpce_proxy_route4(skb, dev, reply->dst.u3.ip);
	}
	if (!routed) {
		kfree_skb(skb);
		return;
	}
	skb->ip_summed = CHECKSUM_NONE;
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	/* Forwarded as the flow's packets are: IPsec, the forward chain. */
	dst_input(skb);
}

/* Replace the 32 bits at @p, a field of TCP header @th, and its checksum. */
static void vpce_proxy_set32(struct sk_buff *skb, struct tcphdr *th,
			     __be32 *p, u32 val)
{
	__be32 old = get_unaligned(p), new = htonl(val);

	if (old == new)
		return;
	inet_proto_csum_replace4(&th->check, skb, old, new, false);
	put_unaligned(new, p);
}

/*
 * A target's segment on its way to the client (its TCP header at @thoff):
 * what it acknowledges of the client's stream, and the SACK blocks, as the
 * client counts. Returns VPCE_PROXY_* bits: RESEND when it does not
 * acknowledge the header (which is then sent again; not for a reset, which
 * ends the flow), COVERS when it does, BARE when it is nothing but an ACK
 * of exactly the header, which tells the client nothing; or a negative
 * error when it cannot be made writable.
 */
int vpce_proxy_reply(struct sk_buff *skb, unsigned int thoff,
		     const struct vpce_proxy_pos *pos)
{
	unsigned int off, i;
	const u8 *sack;
	struct tcphdr *th;
	__be32 *edge;
	u32 ack, seq;

	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return -ENOMEM;
	th = (struct tcphdr *)(skb->data + thoff);
	if (skb_ensure_writable(skb, thoff + th->doff * 4))
		return -ENOMEM;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->ack)
		return 0;
	ack = ntohl(th->ack_seq);
	vpce_proxy_set32(skb, th, &th->ack_seq, vpce_proxy_to_client(pos, ack));

	sack = vpce_tcp_option(th, TCPOPT_SACK, 0);
	if (sack && !((sack[1] - 2) % TCPOLEN_SACK_PERBLOCK)) {
		/* The option is in @th, which is writable. */
		off = sack - (const u8 *)th;
		for (i = 2; i < sack[1]; i += sizeof(*edge)) {
			edge = (__be32 *)((u8 *)th + off + i);
			seq = get_unaligned_be32(edge);
			vpce_proxy_set32(skb, th, edge,
					 vpce_proxy_to_client(pos, seq));
		}
	}
	if (!vpce_proxy_acked(pos, ack))
		return th->rst ? 0 : VPCE_PROXY_RESEND;
	if (ack == pos->isn + 1 + pos->len && !sack && !th->syn &&
	    !th->fin && !th->rst && !th->urg &&
	    skb->len == thoff + th->doff * 4)
		return VPCE_PROXY_COVERS | VPCE_PROXY_BARE;
	return VPCE_PROXY_COVERS;
}

/*
 * A TCP segment quoted by an ICMP error (@avail bytes of it from @th on,
 * at least 8, writable): a segment of the client's as the target got it,
 * whose sequence number goes back to the client's count (@to_client), or
 * a target's segment as the client got it, whose acknowledgment goes back
 * to the target's. Its checksum, when quoted, stays right; the caller sums
 * the error again.
 */
void vpce_proxy_inner(u8 *th, unsigned int avail,
		      const struct vpce_proxy_pos *pos, bool to_client)
{
	struct tcphdr *t = (struct tcphdr *)th;
	__be32 *p = to_client ? &t->seq : &t->ack_seq;
	__be32 new;

	if (avail < (u8 *)(p + 1) - th)
		return;
	new = htonl(to_client ? vpce_proxy_to_client(pos, ntohl(*p)) :
		    vpce_proxy_to_target(pos, ntohl(*p)));
	if (avail >= offsetof(struct tcphdr, check) + 2)
		csum_replace4(&t->check, *p, new);
	*p = new;
}

/*
 * After @skb's TCP segment (header at @thoff, the rest linear) changed
 * length: the IP header's length, and the whole checksum anew (whatever
 * the checksum state was, it no longer holds).
 */
static void vpce_proxy_resum(struct sk_buff *skb, unsigned int thoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int len = skb->len - thoff;

	th->check = 0;
	if (ip_hdr(skb)->version == 6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		th->check = tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr,
					 csum_partial(th, len, 0));
	} else {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
		th->check = tcp_v4_check(len, iph->saddr, iph->daddr,
					 csum_partial(th, len, 0));
	}
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Take the payload off a SYN (TCP header at @thoff, writable): a target
 * that takes data in a SYN (TCP Fast Open) would have it before the
 * header, and a client could write a header of its own there. The client
 * sends it again after the handshake, behind the header, as it does when
 * a server does not take Fast Open data. False: it could not be done.
 */
static bool vpce_proxy_syn_trim(struct sk_buff *skb, unsigned int thoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int len = th->doff * 4;

	if (skb->len == thoff + len)
		return true;
	if (pskb_trim(skb, thoff + len) || skb_linearize(skb))
		return false;
	/* A VM may hand over a SYN with data as GSO: none left to segment. */
	skb_gso_reset(skb);
	vpce_proxy_resum(skb, thoff);
	return true;
}

/*
 * A client's segment (TCP header at @thoff, writable) of a flow with a
 * header, @sent or not yet: a SYN goes on without payload; every later
 * segment moves on by the header's length (vpce_proxy_shift()), and the
 * first with an ACK (VPCE_PROXY_START) is the caller's to claim and hand
 * to vpce_proxy_start(), or, when another CPU claimed it, to shift. A
 * segment that starts at or before the SYN's sequence number goes on
 * unmoved if nothing of it reaches past the SYN (a keepalive probe), and
 * is dropped if it would put bytes where the header goes.
 */
enum vpce_proxy_verdict vpce_proxy_orig(struct sk_buff *skb,
					unsigned int thoff,
					const struct vpce_proxy_pos *pos,
					bool sent)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	bool data = skb->len > thoff + th->doff * 4;
	u32 seq = ntohl(th->seq);

	if (th->syn)
		return vpce_proxy_syn_trim(skb, thoff) ? VPCE_PROXY_PASS :
			VPCE_PROXY_DROP;
	if (!after(seq, pos->isn)) {
		/* A keepalive probe (the byte before the first, when the
		 * client has sent none) goes on as it is, and the target
		 * answers it; nothing of it may reach into the header's
		 * place, its urgent pointer included.
		 */
		if (after(seq + skb->len - thoff - th->doff * 4 + th->fin,
			  pos->isn + 1) || th->urg)
			return VPCE_PROXY_DROP;
		return VPCE_PROXY_PASS;
	}
	if (!sent) {
		/* A reset before the header lets the target's connection
		 * go as it came; a segment without ACK is no segment, and
		 * its data, ahead of the header, is not passed on.
		 */
		if (th->rst || !th->ack)
			return data && !th->rst ? VPCE_PROXY_DROP :
				VPCE_PROXY_PASS;
		return VPCE_PROXY_START;
	}
	vpce_proxy_shift(skb, thoff, pos);
	return VPCE_PROXY_PASS;
}

/* A client's segment: its sequence number as the target counts. */
void vpce_proxy_shift(struct sk_buff *skb, unsigned int thoff,
		      const struct vpce_proxy_pos *pos)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);

	vpce_proxy_set32(skb, th, &th->seq,
			 vpce_proxy_to_target(pos, ntohl(th->seq)));
}

/*
 * The header as the payload of @skb, the client's pure ACK at the first
 * byte (the handshake's last, usually; TCP header at @thoff, writable),
 * which then stands for the header and is not moved: one segment fewer
 * for the target and the host than a header of its own. False when it is
 * not such a segment, or has no room.
 */
static bool vpce_proxy_fill(struct sk_buff *skb, unsigned int thoff,
			    const struct nf_conntrack_tuple *orig,
			    const struct vpce_endpoint *ep,
			    const struct vpce_proxy_pos *pos)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int len = th->doff * 4;
	int room = skb_tailroom(skb);

	/* An urgent pointer would point into the header. */
	if (skb->len != thoff + len || skb_is_nonlinear(skb) ||
	    skb_is_gso(skb) || ntohl(th->seq) != pos->isn + 1 || th->fin ||
	    th->rst || th->urg)
		return false;
	if (room < pos->len &&
	    pskb_expand_head(skb, 0, pos->len - room, GFP_ATOMIC))
		return false;
	vpce_proxy_header(skb_put(skb, pos->len), orig, ep);
	th = (struct tcphdr *)(skb->data + thoff);
	th->psh = 1;
	vpce_proxy_resum(skb, thoff);
	return true;
}

/*
 * The client's segment @skb that was claimed to start the flow's header:
 * it carries the header itself if it can (vpce_proxy_fill()); else the
 * header goes ahead of it as a segment of its own, with its ACK, window
 * and timestamps, out of the VPC device @dev's way, and it moves on.
 */
void vpce_proxy_start(struct net *net, struct net_device *dev,
		      struct sk_buff *skb, unsigned int thoff,
		      const struct nf_conntrack_tuple *orig,
		      const struct nf_conntrack_tuple *reply,
		      const struct vpce_endpoint *ep,
		      const struct vpce_proxy_pos *pos)
{
	const struct tcphdr *th;
	struct vpce_proxy_seg seg;

	if (vpce_proxy_fill(skb, thoff, orig, ep, pos))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	seg.ack = ntohl(th->ack_seq);
	seg.win = ntohs(th->window);
	seg.ts = vpce_proxy_tsopt(th, &seg.tsval, &seg.tsecr);
	vpce_proxy_send(net, dev, orig, reply, ep, pos, &seg);
	vpce_proxy_shift(skb, thoff, pos);
}

/*
 * conntrack's path keeps a flow's position in the flow's sequence
 * adjustment extension, the one NAT helpers use: conntrack's own window
 * tracking (tcp_in_window()) reads the original direction's offset from
 * it, so that it sees the target's acknowledgements as the client's
 * sequence numbers count. The adjustment itself is vpce's
 * (IPS_SEQ_ADJUST stays off): nf_ct_seq_adjust() knows no position
 * between a SYN and the first byte, and would treat the ICMP errors of
 * the flow as TCP segments too. The reply direction's half is not used by
 * conntrack without IPS_SEQ_ADJUST (its offsets stay zero); its
 * correction_pos says whether the header was sent.
 */
static bool vpce_proxy_ct_pos(const struct nf_conn *ct,
			      struct vpce_proxy_pos *pos)
{
	const struct nf_conn_seqadj *sa = nfct_seqadj(ct);
	const struct nf_ct_seqadj *w;

	if (!sa || nfct_help(ct) || test_bit(IPS_SEQ_ADJUST_BIT, &ct->status))
		return false;
	w = &sa->seq[IP_CT_DIR_ORIGINAL];
	if (w->offset_before ||
	    w->offset_after != vpce_proxy_len(nf_ct_l3num(ct)))
		return false;
	pos->isn = w->correction_pos + 1;
	pos->len = w->offset_after;
	return true;
}

/*
 * The values of the reply half's correction_pos. conntrack reads it too
 * (nf_ct_seq_offset(), without a lock), and whatever it reads there adds
 * the reply half's offsets, which stay zero: the race is harmless.
 */
enum { VPCE_PROXY_CT_SENT = 1, VPCE_PROXY_CT_ACKED = 2 };

static u32 *vpce_proxy_ct_sent(const struct nf_conn *ct)
{
	return &nfct_seqadj(ct)->seq[IP_CT_DIR_REPLY].correction_pos;
}

/*
 * A new TCP flow of a service with the PROXY protocol on, from its SYN
 * (TCP header at @thoff), not yet confirmed. False: no memory for it.
 */
bool vpce_proxy_ct_new(struct nf_conn *ct, const struct sk_buff *skb,
		       unsigned int thoff)
{
	struct nf_conn_seqadj *sa;
	const struct tcphdr *th;
	struct tcphdr _th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return false;
	sa = nfct_seqadj_ext_add(ct);
	if (!sa)
		return false;
	/*
	 * tcp_in_window() takes the offset from ACK - 1 and applies it to
	 * the largest SACK edge as well: from the SYN's sequence number on,
	 * so that a target which has the client's data but not the header
	 * (its ACK still at the first byte, its SACK blocks past the header)
	 * is not taken for one acknowledging data never sent, and its
	 * segment, which asks for the header again, is not refused.
	 */
	sa->seq[IP_CT_DIR_ORIGINAL].correction_pos = ntohl(th->seq) - 1;
	sa->seq[IP_CT_DIR_ORIGINAL].offset_after =
		vpce_proxy_len(nf_ct_l3num(ct));
	return true;
}

static void vpce_proxy_icmp_sum(struct sk_buff *skb, unsigned int off,
				bool v6)
{
	unsigned int len = skb->len - off;

	if (v6) {
		struct icmp6hdr *h = (struct icmp6hdr *)(skb->data + off);

		h->icmp6_cksum = 0;
		h->icmp6_cksum = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
						 &ipv6_hdr(skb)->daddr, len,
						 IPPROTO_ICMPV6,
						 csum_partial(h, len, 0));
	} else {
		struct icmphdr *h = (struct icmphdr *)(skb->data + off);

		h->checksum = 0;
		h->checksum = csum_fold(csum_partial(h, len, 0));
	}
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * An ICMP error of @ct's (the ICMP header at @off, translated already):
 * the segment it quotes, as its receiver counts (vpce_proxy_inner()).
 * False: it could not be made writable.
 */
static bool vpce_proxy_ct_icmp(struct sk_buff *skb, unsigned int off,
			       bool v6, const struct vpce_proxy_pos *pos,
			       bool to_client)
{
	unsigned int ioff = off + sizeof(struct icmphdr), thoff;

	if (skb_ensure_writable(skb, skb->len))
		return false;
	if (v6) {
		const struct ipv6hdr *ip6h = (void *)(skb->data + ioff);

		if (skb->len < ioff + sizeof(*ip6h) ||
		    ip6h->nexthdr != IPPROTO_TCP)
			return true;
		thoff = ioff + sizeof(*ip6h);
	} else {
		const struct iphdr *iph = (void *)(skb->data + ioff);

		if (skb->len < ioff + sizeof(*iph) || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_TCP)
			return true;
		thoff = ioff + iph->ihl * 4;
	}
	if (skb->len < thoff + 8)
		return true;
	vpce_proxy_inner(skb->data + thoff, skb->len - thoff, pos, to_client);
	vpce_proxy_icmp_sum(skb, off, v6);
	return true;
}

/*
 * A client's SYN with a sequence number of its own on @ct: conntrack takes
 * it for the flow's new start (tcp_in_window() reinitialises the client's
 * side) while the target has not answered, a client that connects again
 * from the same port. The header moves with it, so that it lands after the
 * SYN the target answers. Only then: a SYN conntrack did not take would
 * move the header's place away from where the target expects it, and the
 * client's bytes could fill it.
 */
static void vpce_proxy_ct_reinit(struct nf_conn *ct, u32 seq,
				 struct vpce_proxy_pos *pos)
{
	const struct ip_ct_tcp_state *s = &ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL];
	struct nf_ct_seqadj *w = &nfct_seqadj(ct)->seq[IP_CT_DIR_ORIGINAL];

	spin_lock_bh(&ct->lock);
	if (!test_bit(IPS_SEEN_REPLY_BIT, &ct->status) &&
	    !READ_ONCE(*vpce_proxy_ct_sent(ct)) && after(seq, pos->isn) &&
	    after(s->td_end, seq) && !after(s->td_end, seq + 1 + U16_MAX)) {
		w->correction_pos = seq - 1;
		pos->isn = seq;
	}
	spin_unlock_bh(&ct->lock);
}

/*
 * conntrack's path: a packet of flow @ct in the client's direction, after
 * DNAT, at PRE_ROUTING (the one hook all of them pass), from the VPC
 * device @dev: vpce_proxy_orig(), and the header with the first segment
 * after the handshake (vpce_proxy_start()). False: drop it (it could not
 * be made writable, or is one vpce_proxy_orig() refuses).
 */
bool vpce_proxy_ct_orig(struct net *net, struct sk_buff *skb,
			struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			const struct vpce_endpoint *ep, struct net_device *dev)
{
	struct vpce_proxy_pos pos;
	struct tcphdr *th;
	int thoff;
	u8 proto;

	if (!vpce_proxy_ct_pos(ct, &pos))
		return true;
	thoff = vpce_thoff(skb, nf_ct_l3num(ct), &proto);
	if (thoff < 0)
		return true;
	if (ctinfo == IP_CT_RELATED) {
		if ((proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6) ||
		    !READ_ONCE(*vpce_proxy_ct_sent(ct)))
			return true;
		return vpce_proxy_ct_icmp(skb, thoff,
					  nf_ct_l3num(ct) == AF_INET6, &pos,
					  false);
	}
	if (proto != IPPROTO_TCP)
		return true;
	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return false;
	th = (struct tcphdr *)(skb->data + thoff);
	if (skb_ensure_writable(skb, thoff + th->doff * 4))
		return false;
	th = (struct tcphdr *)(skb->data + thoff);
	if (th->syn && !th->ack && ntohl(th->seq) != pos.isn)
		vpce_proxy_ct_reinit(ct, ntohl(th->seq), &pos);
	switch (vpce_proxy_orig(skb, thoff, &pos,
				READ_ONCE(*vpce_proxy_ct_sent(ct)))) {
	case VPCE_PROXY_DROP:
		return false;
	case VPCE_PROXY_START:
		if (cmpxchg(vpce_proxy_ct_sent(ct), 0, VPCE_PROXY_CT_SENT))
			vpce_proxy_shift(skb, thoff, &pos);
		else
			vpce_proxy_start(net, dev, skb, thoff,
					 &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
					 &ct->tuplehash[IP_CT_DIR_REPLY].tuple,
					 ep, &pos);
		break;
	case VPCE_PROXY_PASS:
		break;
	}
	return true;
}

/*
 * The header again, after a segment from the target (@th) that did not
 * acknowledge it: with the latest ACK and the largest window the client
 * has sent, and the timestamps the target's segment echoes.
 */
static void vpce_proxy_ct_resend(struct net *net, struct nf_conn *ct,
				 const struct tcphdr *th,
				 const struct vpce_endpoint *ep,
				 struct net_device *dev,
				 const struct vpce_proxy_pos *pos)
{
	const struct ip_ct_tcp_state *s = &ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL];
	struct vpce_proxy_seg seg;

	/* Swapped: the target's TSecr is the client's latest TSval. */
	seg.ts = vpce_proxy_tsopt(th, &seg.tsecr, &seg.tsval);
	spin_lock_bh(&ct->lock);
	if (!(s->flags & IP_CT_TCP_FLAG_MAXACK_SET)) {
		spin_unlock_bh(&ct->lock);
		return;
	}
	seg.ack = s->td_maxack;
	seg.win = min_t(u32, s->td_maxwin >> s->td_scale, U16_MAX);
	spin_unlock_bh(&ct->lock);
	vpce_proxy_send(net, dev, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
			&ct->tuplehash[IP_CT_DIR_REPLY].tuple, ep, pos, &seg);
}

/*
 * conntrack's path: a packet of @ct from the target, translated for the
 * client (about to leave the VPC device @dev, vpce_reply_xmit()). False:
 * drop it. *@consumed: the target's first bare ACK of the header, which
 * the client has no use for (it acknowledges nothing of the client's).
 */
bool vpce_proxy_ct_reply(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			 const struct vpce_endpoint *ep, struct net_device *dev,
			 bool *consumed)
{
	struct vpce_proxy_pos pos;
	struct tcphdr *th;
	int thoff, ret;
	u8 proto;

	if (!vpce_proxy_ct_pos(ct, &pos) || !READ_ONCE(*vpce_proxy_ct_sent(ct)))
		return true;
	thoff = vpce_thoff(skb, nf_ct_l3num(ct), &proto);
	if (thoff < 0)
		return true;
	if (ctinfo == IP_CT_RELATED_REPLY)
		return vpce_proxy_ct_icmp(skb, thoff,
					  nf_ct_l3num(ct) == AF_INET6, &pos,
					  true);
	if (proto != IPPROTO_TCP)
		return true;
	ret = vpce_proxy_reply(skb, thoff, &pos);
	if (ret < 0)
		return false;
	if (ret & VPCE_PROXY_RESEND) {
		th = (struct tcphdr *)(skb->data + thoff);
		vpce_proxy_ct_resend(net, ct, th, ep, dev, &pos);
	} else if ((ret & VPCE_PROXY_COVERS) &&
		   cmpxchg(vpce_proxy_ct_sent(ct), VPCE_PROXY_CT_SENT,
			   VPCE_PROXY_CT_ACKED) == VPCE_PROXY_CT_SENT) {
		/* The first to acknowledge the header: passed on unless
		 * it is a bare ACK of it.
		 */
		*consumed = ret & VPCE_PROXY_BARE;
	}
	return true;
}
