/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * What the files of vpce's own connection table share (vpce_conn.c,
 * vpce_conn_tcp.c, vpce_conn_path.c, vpce_conn_walk.c): a connection and
 * its keys, and the calls between them. Nothing outside them includes it.
 */

#ifndef _VPCE_CONN_INT_H
#define _VPCE_CONN_INT_H

#include "vpce_conn.h"
#include "vpce_flowlog.h"
#include "vpce_proxy.h"

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <uapi/linux/vpce.h>

struct vpce_net;
struct vpce_dev;

/*
 * Buckets at most. rhashtable refuses an insert once it holds twice as
 * many entries (halves) as that; the flows the table takes stop one short
 * (VPCE_FLOWS_MAX, the most "flow set limit" takes), so that early drop
 * (which runs at the limit) always runs before an insert could fail. The
 * table grows only as flows come: a high limit costs nothing until used.
 * Without a limit set, the table takes at most nf_conntrack_max flows and
 * at most VPCE_CONNS_DEFAULT_FLOWS.
 */
#define VPCE_CONNS_MAX_SIZE	BIT(22)
#define VPCE_CONNS_DEFAULT_FLOWS	(BIT(19) - 1)
static_assert(VPCE_CONNS_MAX_SIZE - 1 == VPCE_FLOWS_MAX);
/* Buckets a new flow looks at for one to drop when the table is full. */
#define VPCE_CONNS_EARLY_DROP	8
/*
 * The expiry walk's pace (vpce_conns_gc()), conntrack's gc_worker's: buckets
 * per run; the time between passes; the most a flow's time left counts
 * for; and the flows at VPCE_CONNS_GC_MAX a pass starts its mean with.
 */
#define VPCE_CONNS_GC_BUCKETS	256
#define VPCE_CONNS_GC_MIN	(1 * HZ)
#define VPCE_CONNS_GC_MAX	(60 * HZ)
#define VPCE_CONNS_GC_CLAMP	(300 * HZ)
#define VPCE_CONNS_GC_BIAS	100
/* A TCP flow not set up yet (see VPCE_CONN_ASSURED), and one that is over. */
#define VPCE_CONN_UNASSURED	(30 * HZ)
#define VPCE_CONN_CLOSED	(10 * HZ)

struct vpce_conn_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u16 zone;
	u8 proto;
	u8 pad;		/* zero: the whole key is hashed */
};

struct vpce_conn_half {
	struct rhash_head node;
	struct vpce_conn_key key;
	u8 dir;		/* enum ip_conntrack_dir */
};

/* Bits of vpce_conn.flags. */
enum {
	VPCE_CONN_REPLIED,	/* the target has answered */
	VPCE_CONN_ASSURED,	/* and the client has gone on (TCP: the
				 * handshake's last ACK), as conntrack's
				 * IPS_ASSURED
				 */
	VPCE_CONN_FIN_ORIG,
	VPCE_CONN_FIN_REPLY,
	VPCE_CONN_RST,
	/*
	 * Both halves are in the table: the connection is complete, and
	 * packets and deleters may act on it (conntrack's IPS_CONFIRMED).
	 * Until then only its builder, vpce_conn_new(), may touch it.
	 */
	VPCE_CONN_CONFIRMED,
	/* Taken out of the table by whoever set this first (IPS_DYING). */
	VPCE_CONN_DYING,
	/* The PROXY header went to the target (vpce_conn_proxy_orig()). */
	VPCE_CONN_PROXY_SENT,
	/* and its first bare ACK came back (vpce_conn_proxy_reply()). */
	VPCE_CONN_PROXY_ACKED,
};

/* TCP window scale not offered (vpce_conn.wscale). */
#define VPCE_CONN_NO_WSCALE	0xff

struct vpce_conn {
	struct vpce_conn_half h[IP_CT_DIR_MAX];
	int ifindex;			/* the VPC device */
	/* The device packets to the target leave by, which is where its
	 * replies must come in (0 until the first packet is routed).
	 */
	int reply_ifindex;
	struct vpce_endpoint *ep;
	struct vpce_ep_addr *ea;
	struct vpce_tstats *ts;		/* the target's counters, or NULL */
	/* Flow log counters when the flow is logged, else NULL; set before
	 * the flow is in the table, freed with it. A separate block (72
	 * bytes) so that flows not logged pay 8 bytes (176, kmalloc-192).
	 */
	struct vpce_flowlog *fl;
	unsigned long expires;		/* jiffies */
	unsigned long flags;
	/* TCP, per direction: the sequence number after the last one sent,
	 * the largest window advertised (scaled), and the window scale the
	 * SYN offered. See vpce_conn_in_window().
	 */
	u32 end[IP_CT_DIR_MAX];
	u32 maxwin[IP_CT_DIR_MAX];
	u8 wscale[IP_CT_DIR_MAX];
	/* A service with the PROXY protocol: where the header sits in the
	 * target's view (length 0: none), and the latest ACK the client sent,
	 * for the header sent again (vpce_proxy.c).
	 */
	struct vpce_proxy_pos pp;
	u32 pp_ack;
	/* The client's hardware address, from the flow's first packet, or
	 * zero: where what is for the client goes (vpce_conn_mac()).
	 */
	u8 mac[ETH_ALEN];
	struct rcu_head rcu;
};

static const struct rhashtable_params vpce_conn_params = {
	.key_len = sizeof(struct vpce_conn_key),
	.key_offset = offsetof(struct vpce_conn_half, key),
	.head_offset = offsetof(struct vpce_conn_half, node),
	.max_size = VPCE_CONNS_MAX_SIZE,
	/*
	 * No automatic shrinking, as conntrack's hash never shrinks: every
	 * resize sends the control plane's walks (vpce_conns_walk()) back to
	 * the start, and a SYN flood against a flush loop would otherwise
	 * grow and shrink the table for as long as it lasts, keeping a walk
	 * (and everyone waiting for vn->lock) going. Growth alone resizes at
	 * most log2(VPCE_CONNS_MAX_SIZE) times.
	 */
};

static inline struct vpce_conn *vpce_conn_of(struct vpce_conn_half *h)
{
	return container_of(h - h->dir, struct vpce_conn, h[0]);
}

/* The original direction as conntrack would have it: the policy's input. */
static inline void vpce_conn_tuple(const struct vpce_conn_key *k,
				   struct nf_conntrack_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src.l3num = AF_INET;
	t->src.u3.ip = k->saddr;
	t->src.u.all = k->sport;
	t->dst.u3.ip = k->daddr;
	t->dst.u.all = k->dport;
	t->dst.protonum = k->proto;
}

static inline bool vpce_conn_over(const struct vpce_conn *c)
{
	return test_bit(VPCE_CONN_RST, &c->flags) ||
		(test_bit(VPCE_CONN_FIN_ORIG, &c->flags) &&
		 test_bit(VPCE_CONN_FIN_REPLY, &c->flags));
}

/* Complete and not on its way out: packets may use it. */
static inline bool vpce_conn_live(const struct vpce_conn *c)
{
	return test_bit(VPCE_CONN_CONFIRMED, &c->flags) &&
		!test_bit(VPCE_CONN_DYING, &c->flags);
}

/* Passed over by packets and listings, freed by the expiry walk. */
static inline bool vpce_conn_expired(const struct vpce_conn *c)
{
	return time_after(jiffies, READ_ONCE(c->expires));
}

/* Where @c's packets for its client go: see vpce_client_send(). */
static inline const u8 *vpce_conn_mac(const struct vpce_conn *c)
{
	return is_zero_ether_addr(c->mac) ? NULL : c->mac;
}

/* As vpce_flow_reset(): established or half closed. */
static inline bool vpce_conn_resettable(const struct vpce_conn *c)
{
	return c->h[0].key.proto == IPPROTO_TCP &&
		test_bit(VPCE_CONN_REPLIED, &c->flags) && !vpce_conn_over(c);
}

unsigned long vpce_conn_timeout(const struct vpce_conn *c);
void vpce_conn_flowlog(struct vpce_net *vn, struct vpce_conn *c, bool final);
bool vpce_conn_del(struct vpce_net *vn, struct vpce_conn *c);
struct vpce_conn *vpce_conn_lookup_key(struct vpce_net *vn,
				       const struct vpce_conn_key *key,
				       enum ip_conntrack_dir dir);
struct vpce_conn *vpce_conn_new(struct vpce_net *vn, const struct vpce_dev *d,
				const struct vpce_conn_key *key,
				const struct tcphdr *th, u32 len, const u8 *mac,
				struct sk_buff *skb,
				const struct nf_hook_state *state);
void vpce_conn_syn(struct vpce_conn *c, const struct tcphdr *th, u32 len,
		   enum ip_conntrack_dir dir);
bool vpce_conn_seen(struct vpce_conn *c, const struct sk_buff *skb,
		    const struct tcphdr *th, enum ip_conntrack_dir dir);

#endif /* _VPCE_CONN_INT_H */
