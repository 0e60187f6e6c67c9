// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce's own connection table: the control plane's walks. Ending the flows
 * a change takes away (with resets for those that were set up), counting
 * the live ones, and reading them out for flow show. Walks run in process
 * context under vn->lock and yield as they go, so that half a million
 * flows hold neither the CPU nor an RCU grace period for long.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_conn_int.h"
#include "vpce_endpoint.h"
#include "vpce_flows.h"
#include "vpce_nat.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_stats.h"
#include "vpce_vpc.h"

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
	union nf_inet_addr nlb = {
		.ip = c->h[IP_CT_DIR_REPLY].key.daddr,
	};

	vpce_conn_tuple(&c->h[IP_CT_DIR_ORIGINAL].key, t);
	return vpce_flow_match_ep(m, c->ep, c->ea, AF_INET, &target, &nlb, t);
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

/* Entries a control-plane walk takes before it yields the CPU. */
#define VPCE_CONNS_WALK_BATCH	256
/* Resets a walk that ends flows queues before it sends them. */
#define VPCE_CONNS_RESET_BATCH	64

/*
 * Call @fn for every connection: the control plane's walks, vn->lock held.
 * A resize during the walk may show a connection twice, never not at all;
 * the return value says whether one happened. The table only grows, so a
 * walk starts over at most log2(VPCE_CONNS_MAX_SIZE) times.
 * The table may hold half a million flows, and @fn may evaluate a policy
 * for each: the walk leaves its RCU section and yields every
 * VPCE_CONNS_WALK_BATCH entries, as conntrack's own walks do, so that it
 * neither stalls RCU nor holds the CPU for long.
 */
static bool vpce_conns_walk(struct vpce_net *vn,
			    void (*fn)(struct vpce_net *vn, struct vpce_conn *c,
				       void *arg),
			    void *arg)
{
	struct rhashtable_iter iter;
	struct vpce_conn_half *h;
	bool resized = false;
	unsigned int n = 0;

	lockdep_assert_held(&vn->lock);
	if (vpce_conntrack)
		return false;
	rhashtable_walk_enter(&vn->conns.table, &iter);
	rhashtable_walk_start(&iter);
	while ((h = rhashtable_walk_next(&iter))) {
		if (IS_ERR(h)) {
			resized = true;
			continue;
		}
		if (h->dir == IP_CT_DIR_ORIGINAL)
			fn(vn, vpce_conn_of(h), arg);
		/*
		 * Yield only past the last entry of a bucket. The walker
		 * goes on by position in the bucket when the entry it stopped
		 * at is gone (as @fn's deletion makes it), and would skip
		 * the entry after it; past a bucket's end there is none.
		 * (@h's memory is RCU's until the walk stops.)
		 */
		if (++n >= VPCE_CONNS_WALK_BATCH &&
		    rht_is_a_nulls(rcu_dereference(h->node.next))) {
			n = 0;
			rhashtable_walk_stop(&iter);
			cond_resched();
			/* A resize meanwhile starts the walk over. */
			if (rhashtable_walk_start_check(&iter))
				resized = true;
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return resized;
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
	if (ctx->m->leaving) {
		d = idr_find(&vn->zones, k->zone);
		if (!d || !d->leaving)
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

struct vpce_conns_move_ctx {
	const struct vpce_ep_addrs *from;
	unsigned int nfrom;
	struct vpce_ep_addrs *to;
	unsigned int nto;
};

static void vpce_conn_move(struct vpce_net *vn, struct vpce_conn *c,
			   void *arg)
{
	const struct vpce_conns_move_ctx *ctx = arg;
	const struct vpce_ep_addr *ea = c->ea;
	unsigned int i;

	if (ea < ctx->from->a || ea >= ctx->from->a + ctx->nfrom)
		return;
	for (i = 0; i < ctx->nto; i++)
		if (vpce_addr_eq(&ctx->to->a[i].key.addr, &ea->key.addr)) {
			WRITE_ONCE(c->ea, &ctx->to->a[i]);
			return;
		}
	/* A flow of the deleted address, ended already and on its way out
	 * of the table (whoever marked it dying takes it out): it is gone
	 * when the grace period the caller waits for next is over.
	 */
}

/*
 * An endpoint's addresses moved from @from to @to (one was added or
 * deleted, vpce_endpoint_addr_add() and _del()): the flows that point to
 * an address of @from point to the same address in @to from now. The
 * caller has made sure that no packet is still setting up a flow with an
 * address of @from; packets that read the old pointer may still be using
 * it, until a grace period has passed.
 */
void vpce_conns_move(struct vpce_net *vn, const struct vpce_ep_addrs *from,
		     unsigned int nfrom, struct vpce_ep_addrs *to,
		     unsigned int nto)
{
	struct vpce_conns_move_ctx ctx = {
		.from = from, .nfrom = nfrom, .to = to, .nto = nto,
	};

	vpce_conns_walk(vn, vpce_conn_move, &ctx);
}

static void vpce_conn_count(struct vpce_net *vn, struct vpce_conn *c,
			    void *arg)
{
	if (vpce_conn_active(c))
		vpce_stats_active_add(c->ea, c->ts);
}

/* False when a resize may have counted some flows twice: count again. */
bool vpce_conns_count_active(struct vpce_net *vn)
{
	return !vpce_conns_walk(vn, vpce_conn_count, NULL);
}

/*
 * The reader of the table for the control plane (VPCE_CMD_FLOW_GET). Its
 * walk goes on from one call to the next (the cursor holds the iterator,
 * from vpce_conns_cursor_new() to vpce_conns_cursor_free()), so a reader
 * that takes a full table in several batches makes one pass, not one per
 * batch.
 *
 * A call ends where its callback refused a flow (a full message), which
 * may be anywhere in a bucket, and the next one starts with that flow.
 * What the reader promises, as conntrack's dump does (see the uapi header):
 * if the table does not change between calls, every flow once; if it
 * does, every flow that is in the table from the first call to the last
 * at least once. It may show a flow twice where the table moved it (a
 * resize starts the walk over) or where it reads a bucket again (below);
 * flows made or ended meanwhile may be shown or not.
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
	/*
	 * The flow we stopped at went meanwhile: rhashtable_walk_start()
	 * found it no more in its bucket, and the walker would go on by its
	 * position there, which skips a flow when one before it went too
	 * (as the walks above would, yielding mid-bucket). Read the bucket
	 * from its start instead: a flow shown twice, never one missed.
	 */
	if (cur->pending && !iter->p)
		iter->skip = 0;
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
