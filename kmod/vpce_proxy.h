/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The PROXY protocol v2 header at the start of a flow's stream to its
 * target: see vpce_proxy.c and Documentation/proxy-protocol.md.
 */

#ifndef _VPCE_PROXY_H
#define _VPCE_PROXY_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <net/tcp.h>
#include <uapi/linux/vpce.h>

struct vpce_endpoint;

/*
 * The header's length: 16 bytes of signature, version, family and length,
 * the addresses and ports, and one TLV (type 0xEA, subtype 0x01) with the
 * endpoint ID.
 */
#define VPCE_PROXY_TLV_LEN	(3 + 1 + VPCE_ENDPOINT_ID_LEN)
#define VPCE_PROXY_LEN4		(16 + 12 + VPCE_PROXY_TLV_LEN)
#define VPCE_PROXY_LEN6		(16 + 36 + VPCE_PROXY_TLV_LEN)

static inline u8 vpce_proxy_len(u8 family)
{
	return family == AF_INET6 ? VPCE_PROXY_LEN6 : VPCE_PROXY_LEN4;
}

/*
 * Where the header sits in the target's view of the client's stream: at
 * the first sequence number after the client's SYN (@isn is the SYN's), so
 * that every later byte is @len further on. The client never learns of it.
 */
struct vpce_proxy_pos {
	u32 isn;
	u8 len;
};

/* A sequence number of the client's stream, as the target sees it. */
static inline u32 vpce_proxy_to_target(const struct vpce_proxy_pos *p, u32 seq)
{
	return after(seq, p->isn) ? seq + p->len : seq;
}

/*
 * A position in the target's view of the client's stream (an ACK, a SACK
 * edge, a quoted sequence number), as the client sees it: the header's
 * own bytes are none of the client's, so a position inside it is the
 * client's first byte.
 */
static inline u32 vpce_proxy_to_client(const struct vpce_proxy_pos *p, u32 seq)
{
	if (!after(seq, p->isn + 1))
		return seq;
	return after(seq, p->isn + p->len) ? seq - p->len : p->isn + 1;
}

/* Has the target acknowledged all of the header (@ack its ACK)? */
static inline bool vpce_proxy_acked(const struct vpce_proxy_pos *p, u32 ack)
{
	return after(ack, p->isn + p->len);
}

/*
 * What the segment carrying the header says besides: the ACK and window of
 * the client's, and its timestamps (RFC 7323) when the flow has them.
 */
struct vpce_proxy_seg {
	u32 ack;
	u16 win;
	bool ts;
	__be32 tsval;
	__be32 tsecr;
};

bool vpce_proxy_tsopt(const struct tcphdr *th, __be32 *tsval, __be32 *tsecr);
void vpce_proxy_send(struct net *net, struct net_device *dev,
		     const struct nf_conntrack_tuple *orig,
		     const struct nf_conntrack_tuple *reply,
		     const struct vpce_endpoint *ep,
		     const struct vpce_proxy_pos *pos,
		     const struct vpce_proxy_seg *seg);
int vpce_proxy_reply(struct sk_buff *skb, unsigned int thoff,
		     const struct vpce_proxy_pos *pos);
void vpce_proxy_inner(u8 *th, unsigned int avail,
		      const struct vpce_proxy_pos *pos, bool to_client);

enum vpce_proxy_verdict {
	VPCE_PROXY_DROP,
	VPCE_PROXY_PASS,
	VPCE_PROXY_START,	/* pass, after the header (if yours to send) */
};

enum vpce_proxy_verdict vpce_proxy_orig(struct sk_buff *skb,
					unsigned int thoff,
					const struct vpce_proxy_pos *pos,
					bool sent);
void vpce_proxy_shift(struct sk_buff *skb, unsigned int thoff,
		      const struct vpce_proxy_pos *pos);
void vpce_proxy_start(struct net *net, struct net_device *dev,
		      struct sk_buff *skb, unsigned int thoff,
		      const struct nf_conntrack_tuple *orig,
		      const struct nf_conntrack_tuple *reply,
		      const struct vpce_endpoint *ep,
		      const struct vpce_proxy_pos *pos);

/* What vpce_proxy_reply() found. */
enum {
	VPCE_PROXY_RESEND	= BIT(0),	/* the header is not acknowledged */
	VPCE_PROXY_COVERS	= BIT(1),	/* the header is acknowledged */
	VPCE_PROXY_BARE		= BIT(2),	/* and that is all it says */
};

/* conntrack's path (vpce_nat.c). */
bool vpce_proxy_ct_new(struct nf_conn *ct, const struct sk_buff *skb,
		       unsigned int thoff);
bool vpce_proxy_ct_orig(struct net *net, struct sk_buff *skb,
			struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			const struct vpce_endpoint *ep, struct net_device *dev);
bool vpce_proxy_ct_reply(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			 const struct vpce_endpoint *ep, struct net_device *dev,
			 bool *consumed);

#endif /* _VPCE_PROXY_H */
