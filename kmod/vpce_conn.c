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
 *
 * The files: this one is the table (a connection's life: built, looked
 * up, expired, dropped early, deleted); vpce_conn_tcp.c follows a TCP
 * flow's state and windows; vpce_conn_path.c is the packet path that
 * translates and forwards; vpce_conn_walk.c the control plane's walks
 * (ending flows, counting, reading). vpce_conn_int.h is what they share.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_conn_int.h"
#include "vpce_endpoint.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_sg.h"
#include "vpce_stats.h"
#include "vpce_timeout.h"
#include "vpce_vpc.h"
#include "vpce_xmit.h"

#include <linux/module.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack_zones.h>

bool vpce_conntrack;
module_param_named(conntrack, vpce_conntrack, bool, 0444);
MODULE_PARM_DESC(conntrack,
		 "track interface endpoint flows with conntrack (1) or in vpce's own table (0, the default; IPv4)");

/* The idle time a connection has left, by state: conntrack's choices. */
unsigned long vpce_conn_timeout(const struct vpce_conn *c)
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
bool vpce_conn_del(struct vpce_net *vn, struct vpce_conn *c)
{
	struct rhashtable *tbl = &vn->conns.table;

	if (!test_bit(VPCE_CONN_CONFIRMED, &c->flags) ||
	    test_and_set_bit(VPCE_CONN_DYING, &c->flags))
		return false;
	rhashtable_remove_fast(tbl, &c->h[0].node, vpce_conn_params);
	rhashtable_remove_fast(tbl, &c->h[1].node, vpce_conn_params);
	/* Its last record: packets still on their way are in none. */
	if (c->fl) {
		vpce_conn_flowlog(vn, c, true);
		vpce_flowlog_free(c->fl);
	}
	kfree_rcu(c, rcu);
	return true;
}

/* The flow log record of @c's interval (see vpce_flowlog_emit()). */
void vpce_conn_flowlog(struct vpce_net *vn, struct vpce_conn *c, bool final)
{
	const struct vpce_conn_key *k = &c->h[IP_CT_DIR_ORIGINAL].key;
	const struct vpce_conn_key *rk = &c->h[IP_CT_DIR_REPLY].key;
	struct vpce_flowlog_rec r, prov;

	r.family = AF_INET;
	r.proto = k->proto;
	memset(&r.saddr, 0, sizeof(r.saddr));
	memset(&r.daddr, 0, sizeof(r.daddr));
	r.saddr.ip = k->saddr;
	r.daddr.ip = k->daddr;
	r.sport = k->sport;
	r.dport = k->dport;
	/* The target's view: from the NLB address to it. */
	prov = r;
	prov.saddr.ip = rk->daddr;
	prov.daddr.ip = rk->saddr;
	prov.sport = rk->dport;
	prov.dport = rk->sport;
	vpce_flowlog_emit(vn->net, c->fl, c->ep, &r, &prov, final);
}

/* A connection that never was in the table (or whose readers are done). */
static void vpce_conn_kfree(struct vpce_conn *c)
{
	kfree(c->fl);
	kfree(c);
}

/*
 * The live connection whose half in direction @dir has key @key, or NULL.
 * Under RCU.
 */
struct vpce_conn *vpce_conn_lookup_key(struct vpce_net *vn,
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
		vpce_conn_kfree(vpce_conn_of(h));
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
 * The most flows the table takes: the limit "flow set limit" gave, or
 * conntrack's limit capped by our default one (both count flows).
 */
unsigned int vpce_conns_limit(struct vpce_net *vn)
{
	unsigned int max = READ_ONCE(vn->conns.limit);

	if (max)
		return max;
	max = READ_ONCE(nf_conntrack_max);
	return max && max < VPCE_CONNS_DEFAULT_FLOWS ? max :
		VPCE_CONNS_DEFAULT_FLOWS;
}

/* The most a limit may be without the host's administrator. */
unsigned int vpce_conns_default_limit(void)
{
	return VPCE_CONNS_DEFAULT_FLOWS;
}

/* The limit set, 0 for the default; vn->lock held. */
void vpce_conns_set_limit(struct vpce_net *vn, unsigned int limit)
{
	WRITE_ONCE(vn->conns.limit, limit);
}

unsigned int vpce_conns_count(struct vpce_net *vn)
{
	return atomic_read(&vn->conns.table.nelems) / 2;
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
 * The reply key of new flow @c: an address of the zone's pool @nlb (@n of
 * them) and the port on it the target answers to. The nlb address's ports
 * are shared three ways, each owning its part, so that no two flows ever
 * get the same reply (a tenant that could pick its ports to match
 * another's would receive its replies):
 *
 * - the host's own sockets pick theirs in ip_local_port_range;
 * - flows that take conntrack's path get theirs from the NAT core in
 *   VPCE_NAT_CT_PORT_MIN..65535 (vpce_flow_new());
 * - this table the rest from VPCE_NAT_PORT_MIN: the client's own port when
 *   it is one of those, else one of them at random (vpce_conn_random_port()).
 *
 * Within its part each checks the others it may meet: this table against
 * itself (the insert) and against conntrack's (sockets bound to a port
 * explicitly).
 *
 * The pool: a flow starts at an address of its own, at random (which
 * spreads flows evenly over the pool whatever their sources), and tries
 * the next when that one has no free port for its target, so that a
 * target port holds the pool's ports, not one address's. The tries are
 * VPCE_CONN_PORT_TRIES in all (at least VPCE_CONN_PORT_TRIES_MIN per
 * address): what makes a port look taken is how full the pool is, not
 * which address it is on, and a flood against a full pool costs each new
 * flow at most VPCE_NLB_POOL_MAX * VPCE_CONN_PORT_TRIES_MIN lookups.
 *
 * Called before @c is visible. -EADDRNOTAVAIL when no try found a free
 * port: the target's ports on the pool are nearly all taken (or the host's
 * ip_local_port_range leaves this table none), and the flow is refused
 * (vpce_conn_new()); another error when the table cannot take the flow
 * (memory). (Passing it to conntrack's path instead would send
 * its replies through the neighbour table, which a flood from made-up
 * sources could then fill: see vpce_client_send().)
 */
#define VPCE_CONN_PORT_TRIES		32
#define VPCE_CONN_PORT_TRIES_MIN	8

static int vpce_conn_reply_port(struct vpce_net *vn, struct vpce_conn *c,
				const struct vpce_addr *nlb, unsigned int n)
{
	struct rhashtable *tbl = &vn->conns.table;
	struct vpce_conn_key *k = &c->h[IP_CT_DIR_REPLY].key;
	unsigned int a, i, first, tries;
	u16 port = ntohs(k->dport);
	int err;

	tries = max_t(unsigned int, VPCE_CONN_PORT_TRIES / n,
		      VPCE_CONN_PORT_TRIES_MIN);
	first = n > 1 ? get_random_u32_below(n) : 0;
	for (a = 0; a < n; a++) {
		k->daddr = nlb[(first + a) % n].in.ip;
		for (i = 0; i < tries; i++) {
			if (!vpce_conn_port_ours(vn->net, port))
				goto another;
			k->dport = htons(port);
			if (!vpce_conn_ct_free(vn, k))
				goto another;
			err = rhashtable_lookup_insert_fast(tbl,
							    &c->h[IP_CT_DIR_REPLY].node,
							    vpce_conn_params);
			if (err != -EEXIST)
				return err;
another:
			port = vpce_conn_random_port(vn->net);
			if (!port)
				return -EADDRNOTAVAIL;
		}
	}
	return -EADDRNOTAVAIL;
}

/*
 * A new flow (the client's first packet, @key): the checks and choices of
 * vpce_flow_new(). NULL when there is nothing to set up here: not an
 * endpoint's, or refused (the conntrack path refuses it again, with the
 * reset or ICMP error and the count). ERR_PTR(-ENOSPC), counted, when
 * there is no room for it: the packet is dropped, as conntrack drops a new
 * flow when its table is full. ERR_PTR(-EINVAL), counted as invalid, when
 * the client's hardware address @mac is (see vpce_client_mac()).
 * ERR_PTR(-EADDRNOTAVAIL) when the zone's pool has no source port left for
 * the flow's target (vpce_conn_reply_port()): it is refused here, @skb
 * answered with a reset or an ICMP error as the conntrack path refuses,
 * and counted as a port allocation error.
 *
 * The connection is built whole, put in the table under its reply key
 * (which makes that key its own) and then under its original key, and
 * only then confirmed: before that, packets and deleters pass it over
 * (vpce_conn_live(), vpce_conn_del()), so no one sees it half made and no
 * one but this function takes it out again.
 */
struct vpce_conn *vpce_conn_new(struct vpce_net *vn, const struct vpce_dev *d,
				const struct vpce_conn_key *key,
				const struct tcphdr *th, u32 len, const u8 *mac,
				struct sk_buff *skb,
				const struct nf_hook_state *state)
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
	unsigned int nnlbs;
	int err;

	ea = vpce_ep_addr_find(vn, d->vpc, AF_INET, &daddr);
	if (!ea)
		return NULL;
	ep = ea->ep;
	svc = ep->svc;
	/* A dying address is being deleted: its flows are being ended. */
	if (READ_ONCE(ep->state) != VPCE_STATE_AVAILABLE ||
	    READ_ONCE(ea->dying))
		return NULL;
	l = vpce_service_listener(svc, key->proto, ntohs(key->dport));
	if (!l)
		return NULL;
	vpce_conn_tuple(key, &t);
	/* Refused by the SGs: the conntrack path drops it and counts. */
	if (!vpce_sgs_allow(vpce_endpoint_sgs(ep), &t))
		return NULL;
	if (!vpce_endpoint_allows(ep, &t))
		return NULL;
	tgt = vpce_service_pick(svc, ea->zone, ep->vpc->named.name, &t);
	nlb = vpce_service_nlbs(svc, ea->zone, AF_INET, &nnlbs);
	if (!tgt || !nnlbs)
		return NULL;
	if (IS_ERR(mac)) {
		vpce_stats_refused(ep, ea, VPCE_DROP_INVALID, false);
		return ERR_CAST(mac);
	}

	/* conntrack's limit, per namespace here: both count flows. */
	if (atomic_read(&tbl->nelems) >= 2 * vpce_conns_limit(vn) &&
	    !vpce_conns_early_drop(vn, key))
		goto full;
	/*
	 * Not charged to a memory cgroup (no __GFP_ACCOUNT): in softirq the
	 * current task is whichever one the packet interrupted, not the
	 * tenant who sent it, so charging would bill (or fail) a bystander;
	 * conntrack's own entries (nf_conntrack_alloc()) are not charged
	 * either. The namespace's limit, checked above, is the bound: at
	 * most vpce_conns_limit() flows, a limit only the host's
	 * administrator may raise past its default (vpce_nl_flow_set()).
	 */
	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c)
		goto full;
	c->h[0].key = *key;
	c->h[1].dir = IP_CT_DIR_REPLY;
	c->h[1].key.saddr = tgt->addr.in.ip;
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
	/* The setting when the flow starts holds for its life. */
	if (th && READ_ONCE(svc->proxy_protocol)) {
		c->pp.isn = ntohl(th->seq);
		c->pp.len = VPCE_PROXY_LEN4;
	}
	c->fl = vpce_flowlog_new(&vn->flowlog, ep, key, sizeof(*key));
	c->expires = jiffies + vpce_conn_timeout(c);

	err = vpce_conn_reply_port(vn, c, nlb, nnlbs);
	if (err) {
		vpce_conn_kfree(c);
		if (err != -EADDRNOTAVAIL)
			goto full;
		net_warn_ratelimited("no source port left on the load balancer addresses of service %s\n",
				     svc->named.name);
		vpce_refuse(ep, ea, skb, state, key->proto,
			    VPCE_DROP_PORT_ALLOC);
		return ERR_PTR(-EADDRNOTAVAIL);
	}
	err = rhashtable_lookup_insert_fast(tbl, &c->h[0].node,
					    vpce_conn_params);
	if (err) {
		rhashtable_remove_fast(tbl, &c->h[1].node, vpce_conn_params);
		/* Packets may have met the reply half: they passed it by. */
		vpce_flowlog_free(c->fl);
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
	net_warn_ratelimited("flow table full, dropping packet\n");
	return ERR_PTR(-ENOSPC);
}
