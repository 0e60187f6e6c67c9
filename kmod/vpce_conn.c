// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce's own connection table, used instead of conntrack when the module is
 * loaded with conntrack=0, the way IPVS can run without conntrack.
 *
 * Why: a flow through conntrack's NAT core pays for a conntrack entry (its
 * allocation, confirmation, TCP window tracking on every packet, and its
 * destruction), for two translations of every client packet (DNAT at
 * PRE_ROUTING, SNAT at POST_ROUTING with an IPsec re-lookup), and for the
 * lookups that find its device, endpoint and target again on every packet,
 * since conntrack keeps no pointer of ours. A connection here is one
 * allocation, found by one lookup, that holds what its packets need
 * (Documentation/performance.md has the figures).
 *
 * Scope: IPv4 TCP and UDP flows to interface endpoint addresses. The rest
 * (IPv6, gateway endpoints, flows that are refused, mid-stream packets with
 * no connection, which get their reset there) takes the conntrack path as
 * before, and so does a new flow when this table is full.
 *
 * A connection is in the table twice: under its original key (client to
 * endpoint address, in the zone of the device it came in on) and under its
 * reply key (target to nlb address, zone 0). A client's packet is
 * translated both ways at once in the zone hook, routed there as the stack
 * would route it next, and left to the forward path; a reply is translated
 * and sent out of the VPC device, as with conntrack (vpce_client_send()).
 *
 * Lifetime: a connection points at its endpoint, endpoint address and
 * target counters. Whatever frees those ends their flows first
 * (vpce_flows_end(), which walks this table too) and frees them after an
 * RCU grace period, so a packet that found a connection may use them.
 */

#include "vpce_conn.h"
#include "vpce_endpoint.h"
#include "vpce_flows.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_timeout.h"
#include "vpce_vpc.h"

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_zones.h>

bool vpce_conntrack;
module_param_named(conntrack, vpce_conntrack, bool, 0444);
MODULE_PARM_DESC(conntrack,
		 "track interface endpoint flows with conntrack (1) or in vpce's own table (0, the default; IPv4)");

/*
 * Buckets at most. rhashtable refuses an insert once it holds twice as
 * many entries (halves) as that; the flows the table takes stop one short,
 * so that early drop (which runs at the limit) always runs before an insert
 * could fail.
 */
#define VPCE_CONNS_MAX_SIZE	BIT(19)
#define VPCE_CONNS_MAX_FLOWS	(VPCE_CONNS_MAX_SIZE - 1)
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
	unsigned long expires;		/* jiffies */
	unsigned long flags;
	/* TCP, per direction: the sequence number after the last one sent,
	 * the largest window advertised (scaled), and the window scale the
	 * SYN offered. See vpce_conn_in_window().
	 */
	u32 end[IP_CT_DIR_MAX];
	u32 maxwin[IP_CT_DIR_MAX];
	u8 wscale[IP_CT_DIR_MAX];
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
	.automatic_shrinking = true,
};

static struct vpce_conn *vpce_conn_of(struct vpce_conn_half *h)
{
	return container_of(h - h->dir, struct vpce_conn, h[0]);
}

/* The original direction as conntrack would have it: the policy's input. */
static void vpce_conn_tuple(const struct vpce_conn_key *k,
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

/*
 * Whether @m matches @c, as vpce_flow_match_ep() matches a conntrack entry;
 * @t is left as @c's original direction.
 */
static bool vpce_conn_match(const struct vpce_flow_match *m,
			    const struct vpce_conn *c,
			    struct nf_conntrack_tuple *t)
{
	union nf_inet_addr target = {
		.ip = c->h[IP_CT_DIR_REPLY].key.saddr,
	};

	vpce_conn_tuple(&c->h[IP_CT_DIR_ORIGINAL].key, t);
	return vpce_flow_match_ep(m, c->ep, c->ea, AF_INET, &target, t);
}

static bool vpce_conn_over(const struct vpce_conn *c)
{
	return test_bit(VPCE_CONN_RST, &c->flags) ||
		(test_bit(VPCE_CONN_FIN_ORIG, &c->flags) &&
		 test_bit(VPCE_CONN_FIN_REPLY, &c->flags));
}

/* Complete and not on its way out: packets may use it. */
static bool vpce_conn_live(const struct vpce_conn *c)
{
	return test_bit(VPCE_CONN_CONFIRMED, &c->flags) &&
		!test_bit(VPCE_CONN_DYING, &c->flags);
}

/* Passed over by packets and listings, freed by the expiry walk. */
static bool vpce_conn_expired(const struct vpce_conn *c)
{
	return time_after(jiffies, READ_ONCE(c->expires));
}

/* As vpce_flow_active(): set up or established, or a UDP flow's time. */
static bool vpce_conn_active(const struct vpce_conn *c)
{
	if (!vpce_conn_live(c) || vpce_conn_expired(c))
		return false;
	return c->h[0].key.proto == IPPROTO_UDP ||
		!(test_bit(VPCE_CONN_RST, &c->flags) ||
		  test_bit(VPCE_CONN_FIN_ORIG, &c->flags) ||
		  test_bit(VPCE_CONN_FIN_REPLY, &c->flags));
}

/* Where @c's packets for its client go: see vpce_client_send(). */
static const u8 *vpce_conn_mac(const struct vpce_conn *c)
{
	return is_zero_ether_addr(c->mac) ? NULL : c->mac;
}

/* As vpce_flow_reset(): established or half closed. */
static bool vpce_conn_resettable(const struct vpce_conn *c)
{
	return c->h[0].key.proto == IPPROTO_TCP &&
		test_bit(VPCE_CONN_REPLIED, &c->flags) && !vpce_conn_over(c);
}

/* The idle time a connection has left, by state: conntrack's choices. */
static unsigned long vpce_conn_timeout(const struct vpce_conn *c)
{
	if (c->h[0].key.proto == IPPROTO_UDP)
		return VPCE_IDLE_UDP * HZ;
	if (vpce_conn_over(c))
		return VPCE_CONN_CLOSED;
	if (!test_bit(VPCE_CONN_ASSURED, &c->flags))
		return VPCE_CONN_UNASSURED;
	return vpce_timeouts_idle(&c->ep->svc->timeouts) * HZ;
}

/*
 * Unlink @c and free it after a grace period; true for the one caller that
 * did. A connection still being built is its builder's alone: the packet
 * path, early drop, the expiry walk and the control plane's walks may all
 * meet it in the table, and none of them may take it out from under
 * vpce_conn_new(), which would then insert (or free) it a second time.
 */
static bool vpce_conn_del(struct vpce_net *vn, struct vpce_conn *c)
{
	struct rhashtable *tbl = &vn->conns.table;

	if (!test_bit(VPCE_CONN_CONFIRMED, &c->flags) ||
	    test_and_set_bit(VPCE_CONN_DYING, &c->flags))
		return false;
	rhashtable_remove_fast(tbl, &c->h[0].node, vpce_conn_params);
	rhashtable_remove_fast(tbl, &c->h[1].node, vpce_conn_params);
	kfree_rcu(c, rcu);
	return true;
}

/*
 * The live connection whose half in direction @dir has key @key, or NULL.
 * Under RCU.
 */
static struct vpce_conn *vpce_conn_lookup_key(struct vpce_net *vn,
					      const struct vpce_conn_key *key,
					      enum ip_conntrack_dir dir)
{
	struct vpce_conn_half *half;
	struct vpce_conn *c;

	half = rhashtable_lookup(&vn->conns.table, key, vpce_conn_params);
	if (!half || half->dir != dir)
		return NULL;
	c = vpce_conn_of(half);
	return vpce_conn_live(c) ? c : NULL;
}

/*
 * Expired connections are passed over by the packet path; this walk frees
 * them, paced as conntrack's gc_worker paces its own (and for the same
 * reason: a walk is work taken from the packets of whoever shares the
 * CPU, and a worker that has slept is not preempted by them):
 *
 * - a run looks at VPCE_CONNS_GC_BUCKETS buckets, yielding between them,
 *   and the next run is a tick later;
 * - a pass over the table starts again after the mean time its flows had
 *   left (at least VPCE_CONNS_GC_MIN, at most VPCE_CONNS_GC_MAX), biased
 *   as if VPCE_CONNS_GC_BIAS flows had VPCE_CONNS_GC_MAX left, so that a
 *   few short-lived flows do not make it walk every second.
 *
 * A walk a second over the whole table, in batches of a thousand entries
 * that did not yield, cost established flows their latency tail
 * (Documentation/performance.md, "Request/response tail").
 *
 * The buckets are the current table's; a resize meanwhile may make the
 * pass miss some, which the next pass finds, as conntrack's does.
 */
static void vpce_conns_gc(struct work_struct *work)
{
	struct vpce_conns *cs = container_of(to_delayed_work(work),
					     struct vpce_conns, gc);
	struct vpce_net *vn = container_of(cs, struct vpce_net, conns);
	unsigned int i, end = cs->gc_bucket + VPCE_CONNS_GC_BUCKETS;
	struct rhashtable *ht = &cs->table;
	struct bucket_table *tbl;
	struct vpce_conn_half *h;
	struct rhash_head *pos;
	unsigned long next;
	struct vpce_conn *c;
	long left;

	if (!cs->gc_bucket) {
		cs->gc_start = jiffies;
		cs->gc_mean = VPCE_CONNS_GC_MAX;
		cs->gc_seen = VPCE_CONNS_GC_BIAS;
	}
	for (i = cs->gc_bucket; i < end; i++) {
		rcu_read_lock();
		tbl = rht_dereference_rcu(ht->tbl, ht);
		if (i >= tbl->size) {
			rcu_read_unlock();
			break;
		}
		rht_for_each_entry_rcu(h, pos, tbl, i, node) {
			if (h->dir != IP_CT_DIR_ORIGINAL)
				continue;
			c = vpce_conn_of(h);
			left = READ_ONCE(c->expires) - jiffies;
			if (left < 0) {
				vpce_conn_del(vn, c);
				continue;
			}
			left = clamp_t(long, left, VPCE_CONNS_GC_MIN,
				       VPCE_CONNS_GC_CLAMP);
			cs->gc_mean += (left - cs->gc_mean) / ++cs->gc_seen;
		}
		rcu_read_unlock();
		cond_resched();
	}
	if (i == end) {
		cs->gc_bucket = i;
		next = 1;
	} else {
		/* Through: the next pass, counted from this one's start. */
		cs->gc_bucket = 0;
		next = clamp_t(long, cs->gc_mean, VPCE_CONNS_GC_MIN,
			       VPCE_CONNS_GC_MAX);
		next -= min(next - 1, jiffies - cs->gc_start);
	}
	queue_delayed_work(system_power_efficient_wq, &cs->gc, next);
}

int vpce_conns_init(struct vpce_net *vn)
{
	struct vpce_conns *cs = &vn->conns;
	int ret;

	if (vpce_conntrack)
		return 0;
	cs->tmpl = nf_ct_tmpl_alloc(vn->net, &nf_ct_zone_dflt, GFP_KERNEL);
	if (!cs->tmpl)
		return -ENOMEM;
	ret = rhashtable_init(&cs->table, &vpce_conn_params);
	if (ret) {
		nf_ct_tmpl_free(cs->tmpl);
		return ret;
	}
	INIT_DELAYED_WORK(&cs->gc, vpce_conns_gc);
	queue_delayed_work(system_power_efficient_wq, &cs->gc,
			   VPCE_CONNS_GC_MIN);
	return 0;
}

static void vpce_conn_free(void *ptr, void *arg)
{
	struct vpce_conn_half *h = ptr;

	if (h->dir == IP_CT_DIR_ORIGINAL)
		kfree(vpce_conn_of(h));
}

/* Namespace exit: the hooks are gone, and their readers done. */
void vpce_conns_destroy(struct vpce_net *vn)
{
	struct vpce_conns *cs = &vn->conns;

	if (vpce_conntrack)
		return;
	cancel_delayed_work_sync(&cs->gc);
	rhashtable_free_and_destroy(&cs->table, vpce_conn_free, NULL);
	nf_ct_tmpl_free(cs->tmpl);
}

/*
 * The table is full: make room as conntrack does (early_drop()), by
 * dropping a flow that is not set up (not assured: a SYN flood's, whose
 * SYN-ACKs no one answers) or that has expired, from the buckets at the
 * new flow's key and after it. Flows set up are never dropped for a new
 * one.
 */
static bool vpce_conns_early_drop(struct vpce_net *vn,
				  const struct vpce_conn_key *key)
{
	struct rhashtable *ht = &vn->conns.table;
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	struct vpce_conn_half *h;
	struct rhash_head *pos;
	unsigned int hash, i;
	struct vpce_conn *c;

	hash = rht_key_hashfn(ht, tbl, key, vpce_conn_params);
	for (i = 0; i < VPCE_CONNS_EARLY_DROP; i++, hash++) {
		hash &= tbl->size - 1;
		rht_for_each_entry_rcu(h, pos, tbl, hash, node) {
			c = vpce_conn_of(h);
			if ((!test_bit(VPCE_CONN_ASSURED, &c->flags) ||
			     vpce_conn_expired(c)) &&
			    vpce_conn_del(vn, c))
				return true;
		}
	}
	return false;
}

/*
 * The window scale a SYN offers (RFC 7323), from its options; @th's whole
 * header is in the linear area.
 */
static u8 vpce_tcp_wscale(const struct tcphdr *th)
{
	const u8 *opt = (const u8 *)(th + 1);
	int left = th->doff * 4 - sizeof(*th);
	u8 size;

	while (left > 0) {
		switch (opt[0]) {
		case TCPOPT_EOL:
			return VPCE_CONN_NO_WSCALE;
		case TCPOPT_NOP:
			opt++;
			left--;
			continue;
		}
		if (left < 2)
			break;
		size = opt[1];
		if (size < 2 || size > left)
			break;
		if (opt[0] == TCPOPT_WINDOW && size == TCPOLEN_WINDOW)
			return min_t(u8, opt[2], TCP_MAX_WSCALE);
		opt += size;
		left -= size;
	}
	return VPCE_CONN_NO_WSCALE;
}

/*
 * A SYN (or SYN-ACK) of @c going in direction @dir, with @len bytes of
 * payload: where that direction's sequence numbers start, its first
 * window (never scaled, RFC 7323 2.2) and the scale it offers.
 */
static void vpce_conn_syn(struct vpce_conn *c, const struct tcphdr *th,
			  u32 len, enum ip_conntrack_dir dir)
{
	WRITE_ONCE(c->end[dir], ntohl(th->seq) + 1 + len + th->fin);
	WRITE_ONCE(c->maxwin[dir], max_t(u32, ntohs(th->window), 1));
	c->wscale[dir] = vpce_tcp_wscale(th);
}

/* The most flows the table takes: conntrack's limit, and our own. */
static unsigned int vpce_conns_limit(void)
{
	unsigned int max = READ_ONCE(nf_conntrack_max);

	return max && max < VPCE_CONNS_MAX_FLOWS ? max : VPCE_CONNS_MAX_FLOWS;
}

/*
 * Whether port @port of an nlb address may be a reply port of this table's:
 * see vpce_conn_reply_port().
 */
static bool vpce_conn_port_ours(struct net *net, u16 port)
{
	int lo, hi;

	if (port < VPCE_NAT_PORT_MIN || port >= VPCE_NAT_CT_PORT_MIN)
		return false;
	inet_get_local_port_range(net, &lo, &hi);
	return port < lo || port > hi;
}

/*
 * A port of an nlb address that vpce_conn_port_ours() accepts, at random:
 * from the ports below ip_local_port_range and those above it (up to
 * conntrack's part), as one range, so that no try is wasted on a port of
 * the host's sockets. 0 when the local range leaves this table none.
 */
static u16 vpce_conn_random_port(struct net *net)
{
	int lo, hi;
	u32 below, above, r;

	inet_get_local_port_range(net, &lo, &hi);
	lo = clamp(lo, VPCE_NAT_PORT_MIN, VPCE_NAT_CT_PORT_MIN);
	hi = clamp(hi + 1, lo, VPCE_NAT_CT_PORT_MIN);
	below = lo - VPCE_NAT_PORT_MIN;
	above = VPCE_NAT_CT_PORT_MIN - hi;
	if (!below && !above)
		return 0;
	r = get_random_u32_below(below + above);
	return r < below ? VPCE_NAT_PORT_MIN + r : hi + (r - below);
}

/*
 * Whether reply key @k (target to nlb address) is free in conntrack's
 * table, which holds the flows that took the conntrack path and the host's
 * own connections (vpced's health checks from an nlb address).
 */
static bool vpce_conn_ct_free(struct vpce_net *vn,
			      const struct vpce_conn_key *k)
{
	struct nf_conntrack_tuple t;

	vpce_conn_tuple(k, &t);
	return !nf_conntrack_tuple_taken(&t, vn->conns.tmpl);
}

/*
 * The reply key of new flow @c: the port on the nlb address the target
 * answers to. The nlb address's ports are shared three ways, each owning
 * its part, so that no two flows ever get the same reply (a tenant that
 * could pick its ports to match another's would receive its replies):
 *
 * - the host's own sockets pick theirs in ip_local_port_range;
 * - flows that take conntrack's path get theirs from the NAT core in
 *   VPCE_NAT_CT_PORT_MIN..65535 (vpce_flow_new());
 * - this table the rest from VPCE_NAT_PORT_MIN: the client's own port when
 *   it is one of those, else one of them at random (vpce_conn_random_port()).
 *
 * Within its part each checks the others it may meet: this table against
 * itself (the insert) and against conntrack's (sockets bound to a port
 * explicitly). Called before @c is visible; false when VPCE_CONN_PORT_TRIES
 * tries found no free port: the target's ports on this nlb address are
 * nearly all taken, and the flow is dropped as conntrack's NAT drops a flow
 * it finds no unique tuple for. (Passing it to conntrack's path instead
 * would send its replies through the neighbour table, which a flood from
 * made-up sources could then fill: see vpce_client_send().)
 */
#define VPCE_CONN_PORT_TRIES	32

static bool vpce_conn_reply_port(struct vpce_net *vn, struct vpce_conn *c)
{
	struct rhashtable *tbl = &vn->conns.table;
	struct vpce_conn_key *k = &c->h[IP_CT_DIR_REPLY].key;
	u16 port = ntohs(k->dport);
	int i, err;

	for (i = 0; i < VPCE_CONN_PORT_TRIES; i++) {
		if (!vpce_conn_port_ours(vn->net, port))
			goto another;
		k->dport = htons(port);
		if (!vpce_conn_ct_free(vn, k))
			goto another;
		err = rhashtable_lookup_insert_fast(tbl, &c->h[IP_CT_DIR_REPLY].node,
						    vpce_conn_params);
		if (!err)
			return true;
		if (err != -EEXIST)
			return false;
another:
		port = vpce_conn_random_port(vn->net);
		if (!port)
			return false;
	}
	return false;
}

/*
 * A new flow (the client's first packet, @key): the checks and choices of
 * vpce_flow_new(). NULL when there is nothing to set up here: not an
 * endpoint's, or refused (the conntrack path refuses it again, with the
 * reset or ICMP error and the count). ERR_PTR(-ENOSPC), counted, when
 * there is no room for it: the packet is dropped, as conntrack drops a new
 * flow when its table is full. ERR_PTR(-EINVAL), counted as invalid, when
 * the client's hardware address @mac is (see vpce_client_mac()).
 *
 * The connection is built whole, put in the table under its reply key
 * (which makes that key its own) and then under its original key, and
 * only then confirmed: before that, packets and deleters pass it over
 * (vpce_conn_live(), vpce_conn_del()), so no one sees it half made and no
 * one but this function takes it out again.
 */
static struct vpce_conn *vpce_conn_new(struct vpce_net *vn,
				       const struct vpce_dev *d,
				       const struct vpce_conn_key *key,
				       const struct tcphdr *th, u32 len,
				       const u8 *mac)
{
	union nf_inet_addr daddr = { .ip = key->daddr };
	struct rhashtable *tbl = &vn->conns.table;
	const struct vpce_listener *l;
	const struct vpce_target *tgt;
	struct nf_conntrack_tuple t;
	const struct vpce_addr *nlb;
	struct vpce_service *svc;
	struct vpce_endpoint *ep;
	struct vpce_ep_addr *ea;
	struct vpce_conn *c;
	int err;

	ea = vpce_ep_addr_find(vn, d->vpc, AF_INET, &daddr);
	if (!ea)
		return NULL;
	ep = ea->ep;
	svc = ep->svc;
	if (READ_ONCE(ep->state) != VPCE_STATE_AVAILABLE)
		return NULL;
	l = vpce_service_listener(svc, key->proto, ntohs(key->dport));
	if (!l)
		return NULL;
	vpce_conn_tuple(key, &t);
	if (!vpce_endpoint_allows(ep, &t))
		return NULL;
	tgt = vpce_service_pick(svc, ea->zone, ep->vpc->named.name, &t);
	nlb = vpce_service_nlb(svc, ea->zone, AF_INET);
	if (!tgt || !nlb)
		return NULL;
	if (IS_ERR(mac)) {
		vpce_stats_refused(ep, ea, VPCE_DROP_INVALID, false);
		return ERR_CAST(mac);
	}

	/* conntrack's limit, per namespace here: both count flows. */
	if (atomic_read(&tbl->nelems) >= 2 * vpce_conns_limit() &&
	    !vpce_conns_early_drop(vn, key))
		goto full;
	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c)
		goto full;
	c->h[0].key = *key;
	c->h[1].dir = IP_CT_DIR_REPLY;
	c->h[1].key.saddr = tgt->addr.in.ip;
	c->h[1].key.daddr = nlb->in.ip;
	c->h[1].key.sport = htons(l->target_port);
	c->h[1].key.dport = key->sport;
	c->h[1].key.proto = key->proto;
	c->ifindex = d->ifindex;
	c->ep = ep;
	c->ea = ea;
	c->ts = vpce_tstats_find(vn, svc, AF_INET, &tgt->addr.in);
	c->wscale[0] = VPCE_CONN_NO_WSCALE;
	c->wscale[1] = VPCE_CONN_NO_WSCALE;
	if (mac)
		ether_addr_copy(c->mac, mac);
	if (th)
		vpce_conn_syn(c, th, len, IP_CT_DIR_ORIGINAL);
	c->expires = jiffies + vpce_conn_timeout(c);

	if (!vpce_conn_reply_port(vn, c)) {
		kfree(c);
		goto full;
	}
	err = rhashtable_lookup_insert_fast(tbl, &c->h[0].node,
					    vpce_conn_params);
	if (err) {
		rhashtable_remove_fast(tbl, &c->h[1].node, vpce_conn_params);
		/* Packets may have met the reply half: they passed it by. */
		kfree_rcu(c, rcu);
		if (err != -EEXIST)
			goto full;
		/* Another CPU set the flow up first: its connection. */
		c = vpce_conn_lookup_key(vn, key, IP_CT_DIR_ORIGINAL);
		return c ?: NULL;
	}
	set_bit(VPCE_CONN_CONFIRMED, &c->flags);
	vpce_stats_flow_new(ep, ea, c->ts);
	return c;

full:
	vpce_stats_refused(ep, ea, VPCE_DROP_FULL, false);
	net_warn_ratelimited("vpce: flow table full, dropping packet\n");
	return ERR_PTR(-ENOSPC);
}

/* At least the most a TCP peer may acknowledge at once (conntrack's). */
#define VPCE_CONN_MAXACKWINDOW	66000

/*
 * Whether TCP segment @th (@len bytes of payload) of @c, going in direction
 * @dir, is one its peers can have sent: conntrack's tcp_in_window(), in
 * brief. Its sequence numbers must lie within the largest window the
 * receiver has advertised around what the sender has sent, and what it
 * acknowledges must have been sent and not be older than a window. A
 * tenant that forges a reset, a FIN or data for another's flow (the ports
 * are easy to try, the sequence numbers are not) changes nothing: the
 * segment is dropped and counted. The end host checks more closely still
 * (RFC 5961); this is what keeps a forged segment from ending the flow
 * here, where no end host would see it.
 */
static bool vpce_conn_in_window(struct vpce_conn *c, const struct tcphdr *th,
				u32 len, enum ip_conntrack_dir dir)
{
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	u32 end = seq + len + th->syn + th->fin;
	u32 sent = READ_ONCE(c->end[dir]);
	u32 rwin, awin;

	if (!test_bit(VPCE_CONN_REPLIED, &c->flags)) {
		/* Before the target has answered: the client repeats its SYN;
		 * the target's first word (SYN-ACK, or a reset) acknowledges
		 * that SYN: all of it, or (a Fast Open SYN whose data the
		 * target did not take) part of it.
		 */
		if (dir == IP_CT_DIR_ORIGINAL)
			return th->syn && !th->ack && end == sent;
		sent = READ_ONCE(c->end[IP_CT_DIR_ORIGINAL]);
		return th->ack && !after(ack, sent) &&
			after(ack, sent - VPCE_CONN_MAXACKWINDOW);
	}
	if (th->syn)	/* a SYN or SYN-ACK again: the same one */
		return end == sent;
	/* Windows are scaled when both sides offered to (RFC 7323 2.2). */
	rwin = READ_ONCE(c->maxwin[!dir]);
	awin = max3(READ_ONCE(c->maxwin[dir]), rwin,
		    (u32)VPCE_CONN_MAXACKWINDOW);
	if (after(seq, sent + rwin) || before(end, sent - rwin))
		return false;
	if (th->ack) {
		sent = READ_ONCE(c->end[!dir]);
		if (after(ack, sent) || before(ack, sent - awin))
			return false;
	}
	return true;
}

/*
 * A packet of @c in direction @dir: its TCP state and its time. False when
 * it is a TCP segment out of the flow's window (vpce_conn_in_window()),
 * which changes nothing.
 */
static bool vpce_conn_seen(struct vpce_conn *c, const struct sk_buff *skb,
			   const struct tcphdr *th, enum ip_conntrack_dir dir)
{
	unsigned long expires;
	u32 end, win, len;
	u8 scale;

	if (th) {
		len = skb->len - ip_hdrlen(skb) - th->doff * 4;
		if (!vpce_conn_in_window(c, th, len, dir))
			/* A client's new SYN on a flow it has lost (it
			 * restarted): on to the target and nothing changes
			 * here; the target's challenge ACK has the client
			 * reset the old flow (RFC 5961 4), which then ends
			 * here too, as conntrack lets such a SYN by.
			 */
			return th->syn && !th->ack &&
				dir == IP_CT_DIR_ORIGINAL;
		if (th->syn) {
			if (dir == IP_CT_DIR_REPLY &&
			    !test_bit(VPCE_CONN_REPLIED, &c->flags))
				vpce_conn_syn(c, th, len, dir);
		} else {
			end = ntohl(th->seq) + len + th->fin;
			if (after(end, READ_ONCE(c->end[dir])))
				WRITE_ONCE(c->end[dir], end);
			scale = c->wscale[0] != VPCE_CONN_NO_WSCALE &&
				c->wscale[1] != VPCE_CONN_NO_WSCALE ?
				c->wscale[dir] : 0;
			win = (u32)ntohs(th->window) << scale;
			if (win > READ_ONCE(c->maxwin[dir]))
				WRITE_ONCE(c->maxwin[dir], win);
		}
		if (th->rst && !test_bit(VPCE_CONN_RST, &c->flags))
			set_bit(VPCE_CONN_RST, &c->flags);
		if (th->fin && !test_bit(VPCE_CONN_FIN_ORIG + dir, &c->flags))
			set_bit(VPCE_CONN_FIN_ORIG + dir, &c->flags);
	}
	if (dir == IP_CT_DIR_REPLY) {
		if (!test_bit(VPCE_CONN_REPLIED, &c->flags))
			set_bit(VPCE_CONN_REPLIED, &c->flags);
	} else if (!test_bit(VPCE_CONN_ASSURED, &c->flags) &&
		   test_bit(VPCE_CONN_REPLIED, &c->flags) && !(th && th->syn)) {
		set_bit(VPCE_CONN_ASSURED, &c->flags);
	}
	expires = jiffies + vpce_conn_timeout(c);
	if (READ_ONCE(c->expires) != expires)
		WRITE_ONCE(c->expires, expires);
	return true;
}

/* Set @iph's addresses (and its checksum), and @ports if any. */
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
static bool vpce_conn_pass(struct vpce_conn *c, struct sk_buff *skb,
			   const struct tcphdr *th, unsigned int hlen,
			   enum ip_conntrack_dir dir)
{
	/* Read before the header may move (skb_ensure_writable()). */
	bool rst = th && th->rst;

	if (!vpce_conn_seen(c, skb, th, dir)) {
		vpce_stats_refused(c->ep, c->ea, VPCE_DROP_INVALID, false);
		return false;
	}
	if (skb_ensure_writable(skb, hlen))
		return false;
	vpce_stats_bytes(c->ep, c->ea, c->ts, skb->len, rst,
			 dir == IP_CT_DIR_REPLY);
	vpce_conn_nat(skb, &c->h[!dir].key);
	return true;
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
				 skb->dev))
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
	if (!vpce_conn_pass(c, skb, th, hlen, IP_CT_DIR_ORIGINAL))
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

	dev = dev_get_by_index_rcu(state->net, c->ifindex);
	if (!dev || !(dev->flags & IFF_UP))
		return NF_DROP;
	fit = vpce_fit4(skb, dev->mtu, &e);
	if (fit == VPCE_ERROR) {
		vpce_icmp_back(state, skb, &e);
		return NF_DROP;
	}
	if (!vpce_conn_pass(c, skb, th, hlen, IP_CT_DIR_REPLY))
		return NF_DROP;
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
						iph->tos, skb->dev) ?
			NF_DROP : NF_ACCEPT;
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
		return true;
	}
	dev = dev_get_by_index_rcu(state->net, c->ifindex);
	if (!dev || !(dev->flags & IFF_UP) || iph->ttl <= 1) {
		*verdict = NF_DROP;
		return true;
	}
	*verdict = vpce_client_send(state->net, skb, dev, VPCE_FITS,
				    vpce_conn_mac(c));
	return true;
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

	if (state->pf != NFPROTO_IPV4)
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
				  vpce_client_mac(skb));
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

/* Entries a control-plane walk takes before it yields the CPU. */
#define VPCE_CONNS_WALK_BATCH	256
/* Resets a walk that ends flows queues before it sends them. */
#define VPCE_CONNS_RESET_BATCH	64

/*
 * Call @fn for every connection: the control plane's walks, vn->lock held.
 * A resize during the walk may show a connection twice, never not at all.
 * The table may hold half a million flows, and @fn may evaluate a policy
 * for each: the walk leaves its RCU section and yields every
 * VPCE_CONNS_WALK_BATCH entries, as conntrack's own walks do, so that it
 * neither stalls RCU nor holds the CPU for long.
 */
static void vpce_conns_walk(struct vpce_net *vn,
			    void (*fn)(struct vpce_net *vn, struct vpce_conn *c,
				       void *arg),
			    void *arg)
{
	struct rhashtable_iter iter;
	struct vpce_conn_half *h;
	unsigned int n = 0;

	lockdep_assert_held(&vn->lock);
	if (vpce_conntrack)
		return;
	rhashtable_walk_enter(&vn->conns.table, &iter);
	rhashtable_walk_start(&iter);
	while ((h = rhashtable_walk_next(&iter))) {
		if (!IS_ERR(h) && h->dir == IP_CT_DIR_ORIGINAL)
			fn(vn, vpce_conn_of(h), arg);
		if (++n % VPCE_CONNS_WALK_BATCH == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

struct vpce_conns_end_ctx {
	const struct vpce_flow_match *m;
	struct sk_buff_head *resets;
};

static void vpce_conn_end(struct vpce_net *vn, struct vpce_conn *c,
			  void *arg)
{
	const struct vpce_conns_end_ctx *ctx = arg;
	const struct vpce_conn_key *k = &c->h[IP_CT_DIR_ORIGINAL].key;
	struct nf_conntrack_tuple t;
	unsigned int queued;
	struct vpce_dev *d;
	bool match;

	if (ctx->m->gone) {
		/* Every flow of a device that is gone ends, with no one to
		 * tell.
		 */
		d = idr_find(&vn->zones, k->zone);
		if (!d || d->gone)
			vpce_conn_del(vn, c);
		return;
	}
	local_bh_disable();
	match = vpce_conn_match(ctx->m, c, &t);
	if (match && vpce_conn_del(vn, c) && !ctx->m->quiet &&
	    vpce_conn_resettable(c)) {
		queued = skb_queue_len(ctx->resets);
		vpce_reset_queue(vn->net, &t, READ_ONCE(c->end[IP_CT_DIR_REPLY]),
				 READ_ONCE(c->end[IP_CT_DIR_ORIGINAL]),
				 c->ifindex, vpce_conn_mac(c), ctx->resets);
		if (skb_queue_len(ctx->resets) != queued)
			vpce_stats_reset_sent(c->ep, c->ea);
	}
	local_bh_enable();
	/* Sent as the walk goes, not all at the end: a queue of half a
	 * million resets would be memory held for nothing.
	 */
	if (skb_queue_len(ctx->resets) >= VPCE_CONNS_RESET_BATCH)
		vpce_flow_resets_send(vn, ctx->resets);
}

/* vpce_flows_end() for this table: the same matches, the same resets. */
void vpce_conns_end(struct vpce_net *vn, const struct vpce_flow_match *m,
		    struct sk_buff_head *resets)
{
	struct vpce_conns_end_ctx ctx = { .m = m, .resets = resets };

	vpce_conns_walk(vn, vpce_conn_end, &ctx);
}

static void vpce_conn_count(struct vpce_net *vn, struct vpce_conn *c,
			    void *arg)
{
	if (vpce_conn_active(c))
		vpce_stats_active_add(c->ea, c->ts);
}

void vpce_conns_count_active(struct vpce_net *vn)
{
	vpce_conns_walk(vn, vpce_conn_count, NULL);
}

/*
 * The reader of the table for the control plane (VPCE_CMD_FLOW_GET). Its
 * walk goes on from one call to the next (the cursor holds the iterator,
 * from vpce_conns_cursor_new() to vpce_conns_cursor_free()), so a reader
 * that takes a full table in several batches makes one pass, not one per
 * batch. Between calls the walker is told about resizes; after one it
 * starts over, which may show a flow twice (see the uapi header).
 */
struct vpce_conns_cursor {
	struct rhashtable_iter iter;
	/* The flow the last call stopped at, refused by its callback, is
	 * the first of the next call.
	 */
	bool pending;
};

struct vpce_conns_cursor *vpce_conns_cursor_new(struct vpce_net *vn)
{
	struct vpce_conns_cursor *cur;

	cur = kzalloc(sizeof(*cur), GFP_KERNEL);
	if (!cur)
		return NULL;
	rhashtable_walk_enter(&vn->conns.table, &cur->iter);
	return cur;
}

void vpce_conns_cursor_free(struct vpce_conns_cursor *cur)
{
	if (!cur)
		return;
	rhashtable_walk_exit(&cur->iter);
	kfree(cur);
}

static u8 vpce_conn_state(const struct vpce_conn *c)
{
	bool replied = test_bit(VPCE_CONN_REPLIED, &c->flags);
	bool fin_orig = test_bit(VPCE_CONN_FIN_ORIG, &c->flags);
	bool fin_reply = test_bit(VPCE_CONN_FIN_REPLY, &c->flags);

	if (c->h[0].key.proto == IPPROTO_UDP)
		return replied ? VPCE_FLOW_REPLIED : VPCE_FLOW_UNREPLIED;
	if (vpce_conn_over(c))
		return VPCE_FLOW_CLOSED;
	if (fin_orig)
		return VPCE_FLOW_FIN_WAIT;
	if (fin_reply)
		return VPCE_FLOW_CLOSE_WAIT;
	if (test_bit(VPCE_CONN_ASSURED, &c->flags))
		return VPCE_FLOW_ESTABLISHED;
	return replied ? VPCE_FLOW_SYN_RECV : VPCE_FLOW_SYN_SENT;
}

static void vpce_conn_info(const struct vpce_conn *c, struct vpce_flow_info *f)
{
	const struct vpce_conn_key *o = &c->h[IP_CT_DIR_ORIGINAL].key;
	const struct vpce_conn_key *r = &c->h[IP_CT_DIR_REPLY].key;
	long left = READ_ONCE(c->expires) - jiffies;

	f->ep = c->ep;
	f->zone = c->ea->zone;
	f->proto = o->proto;
	f->state = vpce_conn_state(c);
	f->client = o->saddr;
	f->client_port = o->sport;
	f->addr = o->daddr;
	f->port = o->dport;
	f->target = r->saddr;
	f->target_port = r->sport;
	f->nlb = r->daddr;
	f->nlb_port = r->dport;
	f->expires = left > 0 ? DIV_ROUND_UP(left, HZ) : 0;
	f->ifindex = c->ifindex;
}

/*
 * vn->lock held: call @fn for each live flow @m matches, from where the
 * last call with @cur stopped, until the table ends (0) or @fn returns
 * non-zero (that value), when the flow @fn refused comes first next time.
 * @fn runs under RCU and must not sleep.
 */
int vpce_conns_read(struct vpce_net *vn, struct vpce_conns_cursor *cur,
		    const struct vpce_flow_match *m,
		    int (*fn)(const struct vpce_flow_info *f, void *arg),
		    void *arg)
{
	struct rhashtable_iter *iter = &cur->iter;
	struct nf_conntrack_tuple t;
	struct vpce_flow_info f;
	struct vpce_conn_half *h;
	struct vpce_conn *c;
	int ret = 0;

	lockdep_assert_held(&vn->lock);

	rhashtable_walk_start(iter);
	h = cur->pending ? rhashtable_walk_peek(iter) :
		rhashtable_walk_next(iter);
	cur->pending = false;
	for (; h; h = rhashtable_walk_next(iter)) {
		if (IS_ERR(h) || h->dir != IP_CT_DIR_ORIGINAL)
			continue;
		c = vpce_conn_of(h);
		if (!vpce_conn_live(c) || vpce_conn_expired(c))
			continue;
		if (!vpce_conn_match(m, c, &t))
			continue;
		vpce_conn_info(c, &f);
		ret = fn(&f, arg);
		if (ret) {
			cur->pending = true;
			break;
		}
	}
	rhashtable_walk_stop(iter);
	return ret;
}
