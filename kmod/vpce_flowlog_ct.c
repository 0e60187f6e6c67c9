// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Flow logs of the flows conntrack tracks (IPv6 flows, and every flow with
 * conntrack=1): their ACCEPT records.
 *
 * Why this way: conntrack counts a flow's packets and bytes itself, in its
 * accounting extension, but only for entries that have it (the
 * nf_conntrack_acct sysctl adds it to all, which costs every flow of the
 * host); and in 6.1 nothing tells a module that an entry died (no destroy
 * callback per extension; the event notifier has a single owner,
 * ctnetlink). So a logged flow's entry gets the extension when vpce sets
 * the flow up (still unconfirmed: the only time an extension may be
 * added), and a reference that this file keeps in a per-namespace list; a
 * delayed work visits the list every VPCE_FLOWLOG_CT_PERIOD, writes the
 * record of each entry whose interval is over, and the last record of
 * each one that died (dying, or the list's reference the only one left:
 * out of the table, or never confirmed), which it then lets go. An entry
 * lives at most a period longer for it. The list is bounded
 * (VPCE_FLOWLOG_CT_MAX per namespace): flows beyond are not logged, and
 * counted as lost records.
 *
 * The first packet was counted by conntrack before the extension was
 * there: it is put in by hand. Times are those of the visits (the
 * extension has no time of the last packet): a record's start is when
 * its interval began, its end when the visit saw it over, within a period.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_flowlog.h"
#include "vpce_endpoint.h"
#include "vpce_epid.h"
#include "vpce_net.h"
#include "vpce_service.h"
#include "vpce_vpc.h"

#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_extend.h>

#define VPCE_FLOWLOG_CT_PERIOD	(2 * HZ)
#define VPCE_FLOWLOG_CT_MAX	65536

/* A logged conntrack entry, with what its records say of its sides. */
struct vpce_flowlog_ct {
	struct list_head node;
	struct nf_conn *ct;		/* a reference */
	unsigned long next;		/* jiffies: the interval is over */
	u64 start;			/* Unix seconds: the interval began */
	u64 packets[IP_CT_DIR_MAX];	/* written in earlier records */
	u64 bytes[IP_CT_DIR_MAX];
	u64 ep_account;
	u64 svc_account;
	u16 interval;
	u8 sides;
	char ep_id[VPCE_EPID_BUF];
	char svc[VPCE_NAME_MAX + 1];
};

static void vpce_flowlog_ct_work(struct work_struct *work);

void vpce_flowlog_ct_init(struct vpce_flowlog_net *fn)
{
	spin_lock_init(&fn->lock);
	INIT_LIST_HEAD(&fn->cts);
	atomic_set(&fn->ncts, 0);
	INIT_DELAYED_WORK(&fn->work, vpce_flowlog_ct_work);
}

static void vpce_flowlog_ct_free(struct vpce_flowlog_net *fn,
				 struct vpce_flowlog_ct *e)
{
	nf_ct_put(e->ct);
	kfree(e);
	atomic_dec(&fn->ncts);
}

void vpce_flowlog_ct_destroy(struct vpce_flowlog_net *fn)
{
	struct vpce_flowlog_ct *e, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&fn->lock);
	fn->closed = true;
	list_splice_init(&fn->cts, &list);
	spin_unlock_bh(&fn->lock);
	cancel_delayed_work_sync(&fn->work);
	/* What the work had taken out is back in the list: again. */
	spin_lock_bh(&fn->lock);
	list_splice_init(&fn->cts, &list);
	spin_unlock_bh(&fn->lock);
	list_for_each_entry_safe(e, tmp, &list, node)
		vpce_flowlog_ct_free(fn, e);
}

void vpce_flowlog_ct_new(struct vpce_flowlog_net *fn, struct nf_conn *ct,
			 const struct vpce_endpoint *ep,
			 const struct sk_buff *skb)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct vpce_flowlog_ct *e;
	struct nf_conn_acct *acct;
	struct vpce_epid id;
	u32 interval;
	u8 sides;

	sides = vpce_flowlog_sides(ep, &t->src, sizeof(t->src) + sizeof(t->dst),
				   &interval);
	if (likely(!sides))
		return;
	if (atomic_inc_return(&fn->ncts) > VPCE_FLOWLOG_CT_MAX)
		goto lost;
	/* Not charged to a memory cgroup: see vpce_conn_new(). */
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		goto lost;
	/* With the nf_conntrack_acct sysctl on, every entry has it from the
	 * start. Else it is added here: not with nf_ct_acct_ext_add(), which
	 * adds nothing unless that sysctl is on; and the first packet, which
	 * conntrack counted before the extension was there, is put in.
	 */
	acct = nf_conn_acct_find(ct);
	if (!acct) {
		acct = nf_ct_ext_add(ct, NF_CT_EXT_ACCT, GFP_ATOMIC);
		if (!acct) {
			kfree(e);
			goto lost;
		}
		atomic64_set(&acct->counter[IP_CT_DIR_ORIGINAL].packets, 1);
		atomic64_set(&acct->counter[IP_CT_DIR_ORIGINAL].bytes, skb->len);
	}
	nf_conntrack_get(&ct->ct_general);
	e->ct = ct;
	e->sides = sides;
	e->interval = interval;
	e->next = jiffies + interval * HZ;
	e->start = ktime_get_real_seconds();
	/* Copies: the endpoint may go before the entry does. */
	id = vpce_endpoint_id(ep);
	vpce_epid_format(&id, e->ep_id);
	e->ep_account = ep->vpc->account;
	strscpy(e->svc, ep->svc->named.name, sizeof(e->svc));
	e->svc_account = ep->svc->account;

	spin_lock_bh(&fn->lock);
	if (fn->closed) {
		spin_unlock_bh(&fn->lock);
		vpce_flowlog_ct_free(fn, e);
		return;
	}
	if (list_empty(&fn->cts))
		mod_delayed_work(system_power_efficient_wq, &fn->work,
				 VPCE_FLOWLOG_CT_PERIOD);
	list_add_tail(&e->node, &fn->cts);
	spin_unlock_bh(&fn->lock);
	return;

lost:
	atomic_dec(&fn->ncts);
	vpce_flowlog_lost(fn, hweight8(sides));
}

/* The records of @e's interval, up to now. */
static void vpce_flowlog_ct_emit(struct net *net, struct vpce_flowlog_ct *e,
				 u64 now)
{
	const struct nf_conntrack_tuple *o = &e->ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct nf_conntrack_tuple *r = &e->ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	struct nf_conn_acct *acct = nf_conn_acct_find(e->ct);
	struct vpce_flowlog_rec rec;
	bool any = false;
	int dir;

	if (!acct)
		return;
	memset(&rec, 0, sizeof(rec));
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++) {
		u64 p = atomic64_read(&acct->counter[dir].packets);
		u64 b = atomic64_read(&acct->counter[dir].bytes);

		rec.packets[dir] = p - e->packets[dir];
		rec.bytes[dir] = b - e->bytes[dir];
		e->packets[dir] = p;
		e->bytes[dir] = b;
		any |= rec.packets[dir] != 0;
	}
	rec.start = e->start;
	rec.end = now;
	e->start = now;
	if (!any)
		return;
	rec.family = nf_ct_l3num(e->ct);
	rec.proto = nf_ct_protonum(e->ct);
	rec.action = VPCE_FLOWLOG_ACCEPT;
	if (e->sides & VPCE_FL_SIDE_EP) {
		rec.saddr = o->src.u3;
		rec.daddr = o->dst.u3;
		rec.sport = o->src.u.all;
		rec.dport = o->dst.u.all;
		strscpy(rec.interface, e->ep_id, sizeof(rec.interface));
		rec.account = e->ep_account;
		vpce_flowlog_send_rec(net, &rec);
	}
	if (e->sides & VPCE_FL_SIDE_SVC) {
		/* As the target sees it: from the NLB address to it. */
		rec.saddr = r->dst.u3;
		rec.daddr = r->src.u3;
		rec.sport = r->dst.u.all;
		rec.dport = r->src.u.all;
		strscpy(rec.interface, e->svc, sizeof(rec.interface));
		rec.account = e->svc_account;
		vpce_flowlog_send_rec(net, &rec);
	}
}

/* Whether @ct is over: dying, or out of the table (or never in it). */
static bool vpce_flowlog_ct_dead(const struct nf_conn *ct)
{
	return nf_ct_is_dying(ct) || refcount_read(&ct->ct_general.use) == 1;
}

static void vpce_flowlog_ct_work(struct work_struct *work)
{
	struct vpce_flowlog_net *fn = container_of(to_delayed_work(work),
						   struct vpce_flowlog_net,
						   work);
	struct net *net = container_of(fn, struct vpce_net, flowlog)->net;
	u64 now = ktime_get_real_seconds();
	struct vpce_flowlog_ct *e, *tmp;
	unsigned int n = 0;
	LIST_HEAD(list);
	bool dead;

	/* Walked without the lock, which packets take to add. */
	spin_lock_bh(&fn->lock);
	list_splice_init(&fn->cts, &list);
	spin_unlock_bh(&fn->lock);
	list_for_each_entry_safe(e, tmp, &list, node) {
		dead = vpce_flowlog_ct_dead(e->ct);
		/* Never confirmed: its first packet was dropped after our
		 * hook (a clash with a twin SYN that won, a later rule): no
		 * flow was, and no record is written.
		 */
		if (dead && !nf_ct_is_confirmed(e->ct)) {
			list_del(&e->node);
			vpce_flowlog_ct_free(fn, e);
			continue;
		}
		if (dead || time_after_eq(jiffies, e->next)) {
			vpce_flowlog_ct_emit(net, e, now);
			e->next = jiffies + e->interval * HZ;
		}
		if (dead) {
			list_del(&e->node);
			vpce_flowlog_ct_free(fn, e);
		}
		if (!(++n % 256))
			cond_resched();
	}
	spin_lock_bh(&fn->lock);
	list_splice(&list, &fn->cts);
	if (!list_empty(&fn->cts) && !fn->closed)
		queue_delayed_work(system_power_efficient_wq, &fn->work,
				   VPCE_FLOWLOG_CT_PERIOD);
	spin_unlock_bh(&fn->lock);
}
