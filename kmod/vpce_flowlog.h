/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Flow logs (AWS's VPC Flow Logs of an endpoint's interface): the data
 * path's side. It counts a logged flow's packets and fills plain records;
 * the control layer, which alone builds netlink messages, sends them
 * (vpce_nl_flowlog.c registers its sender with vpce_flowlog_register()).
 */

#ifndef _VPCE_FLOWLOG_H
#define _VPCE_FLOWLOG_H

#include "vpce_flowlog_cfg.h"

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <uapi/linux/vpce.h>

struct net;
struct nf_conn;
struct sk_buff;
struct vpce_endpoint;

/* One record, as the control layer sends it (VPCE_FLOWLOG_A_*). */
struct vpce_flowlog_rec {
	char interface[VPCE_NAME_MAX + 1];
	u64 account;
	union nf_inet_addr saddr, daddr;
	__be16 sport, dport;
	u8 family;
	u8 proto;
	u8 action;			/* enum vpce_flowlog_action */
	u64 packets[IP_CT_DIR_MAX];
	u64 bytes[IP_CT_DIR_MAX];
	u64 start, end;			/* Unix seconds */
};

/*
 * A logged flow's counters for the interval in progress, hung off the flow
 * only when it is logged (a flow of an endpoint without flow logs pays one
 * pointer). The packets of both directions may count on different CPUs at
 * once: atomics, as conntrack's accounting extension has.
 */
struct vpce_flowlog {
	atomic64_t packets[IP_CT_DIR_MAX];
	atomic64_t bytes[IP_CT_DIR_MAX];
	unsigned long next;		/* jiffies: the interval is over */
	u32 start;			/* Unix seconds: its first packet */
	u32 last;			/* and its last */
	u16 interval;			/* seconds */
	u8 sides;			/* VPCE_FL_SIDE_*: whose logs */
	struct rcu_head rcu;
};

/* The sides of a flow that log it: the consumer's endpoint, the provider. */
#define VPCE_FL_SIDE_EP		BIT(0)
#define VPCE_FL_SIDE_SVC	BIT(1)

/*
 * Per namespace: records not delivered, in all and since the last one; and
 * the logged flows of conntrack's path (vpce_flowlog_ct.c): each holds a
 * reference on its entry, and @work visits them.
 */
struct vpce_flowlog_net {
	atomic64_t lost;
	atomic64_t pending;
	/* REJECT records in the second that began at @reject_stamp. */
	unsigned long reject_stamp;	/* jiffies */
	atomic_t rejects;
	spinlock_t lock;		/* @cts, @closed */
	struct list_head cts;
	atomic_t ncts;
	bool closed;
	struct delayed_work work;
};

typedef void (*vpce_flowlog_send_t)(struct net *net,
				    const struct vpce_flowlog_rec *r);

/* Module init, before any hook: the control layer's sender. */
void vpce_flowlog_register(vpce_flowlog_send_t send);

/* A record that could not be made or delivered: counted, and said. */
void vpce_flowlog_lost(struct vpce_flowlog_net *fn, u64 n);

/*
 * A new flow of endpoint @ep and key @key of @len bytes (hashed for
 * sampling): its counters, or NULL when neither the endpoint's flow log
 * nor its service's logs it. Softirq: GFP_ATOMIC; a failure is a lost
 * record.
 */
struct vpce_flowlog *vpce_flowlog_new(struct vpce_flowlog_net *fn,
				      const struct vpce_endpoint *ep,
				      const void *key, size_t len);

/* A packet of @len IP bytes of a logged flow in direction @dir. */
static inline void vpce_flowlog_count(struct vpce_flowlog *fl,
				      enum ip_conntrack_dir dir,
				      unsigned int len)
{
	u32 now = (u32)ktime_get_real_seconds();

	atomic64_inc(&fl->packets[dir]);
	atomic64_add(len, &fl->bytes[dir]);
	if (!READ_ONCE(fl->start))
		WRITE_ONCE(fl->start, now);
	if (READ_ONCE(fl->last) != now)
		WRITE_ONCE(fl->last, now);
}

/* Whether the flow's interval is over: its record is due. */
static inline bool vpce_flowlog_due(const struct vpce_flowlog *fl)
{
	return time_after_eq(jiffies, READ_ONCE(fl->next));
}

/*
 * The ACCEPT records of @fl's interval for endpoint @ep: @r has the flow's
 * addresses and ports as the endpoint sees them (client to endpoint
 * address), @prov as the target sees them (NLB address to target), both
 * with the family and protocol; on the flow's end (@final), or when its
 * interval is over (one caller sends them, the next interval starts).
 * Nothing when the interval had no packet.
 */
void vpce_flowlog_emit(struct net *net, struct vpce_flowlog *fl,
		       const struct vpce_endpoint *ep,
		       struct vpce_flowlog_rec *r, struct vpce_flowlog_rec *prov,
		       bool final);

/*
 * Which sides of a new flow of @ep with key @key (@len bytes) log it
 * (VPCE_FL_SIDE_*), and the interval in seconds of the flow's records.
 */
u8 vpce_flowlog_sides(const struct vpce_endpoint *ep, const void *key,
		      size_t len, u32 *interval);
/* Hand @r to the control layer's sender. */
void vpce_flowlog_send_rec(struct net *net, const struct vpce_flowlog_rec *r);

/* Conntrack's path (vpce_flowlog_ct.c). */
void vpce_flowlog_ct_init(struct vpce_flowlog_net *fn);
/* Namespace exit: the logged entries are let go, without records. */
void vpce_flowlog_ct_destroy(struct vpce_flowlog_net *fn);
/*
 * New conntrack entry @ct (unconfirmed, its NAT set up) of endpoint @ep,
 * its first packet @skb: logged from now on if @ep or its service logs it.
 */
void vpce_flowlog_ct_new(struct vpce_flowlog_net *fn, struct nf_conn *ct,
			 const struct vpce_endpoint *ep,
			 const struct sk_buff *skb);

/* A refused flow's packet @skb (vpce_refuse()): its REJECT record. */
void vpce_flowlog_reject(struct net *net, const struct vpce_endpoint *ep,
			 const struct sk_buff *skb, u8 proto);

static inline void vpce_flowlog_free(struct vpce_flowlog *fl)
{
	if (fl)
		kfree_rcu(fl, rcu);
}

#endif /* _VPCE_FLOWLOG_H */
