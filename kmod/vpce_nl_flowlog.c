// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Flow logs, the control layer's side: the endpoint's setting as requests
 * give it and replies carry it, and the sender of the records the data
 * path fills (vpce_flowlog.c), as VPCE_CMD_FLOW_LOG notifications to the
 * group VPCE_MCGRP_FLOWLOG.
 *
 * Nothing is lost silently: a record that could not be built or that a
 * member's socket had no room for is counted in the namespace's lost
 * records (VPCE_A_FLOW_LOG_SKIPPED of the flows counters) and in the
 * number the next delivered record carries (VPCE_FLOWLOG_A_SKIPPED), which
 * vpced writes as AWS's SKIPDATA; the reader also gets ENOBUFS on its
 * socket. netlink_broadcast() says so in two ways: -ESRCH when no member
 * got the record (each one's socket was full: membership was checked just
 * before), and -ENOBUFS when some did but a member that set
 * NETLINK_BROADCAST_ERROR (vpced does) did not. Both are counted. Records
 * made while nobody is a member are not sent at all (no message is
 * built) and not counted: there is no log they are missing from. (A
 * member leaving between the check and the send makes a record counted
 * lost that nobody would have read: harmless.)
 */

#include "vpce_nl.h"
#include "vpce_addr.h"
#include "vpce_flowlog.h"
#include "vpce_net.h"

#include <net/genetlink.h>

/*
 * A record's attributes, exactly (as vpce_fill_flowlog() puts them): the
 * reader's socket is charged for what is allocated, so a page per record
 * would fill it sixteen times sooner than the records do.
 */
static size_t vpce_flowlog_msg_size(void)
{
	size_t addr = nla_total_size(0) +
		      nla_total_size(sizeof(struct in6_addr));

	return nla_total_size(0) +			/* the record's nest */
	       nla_total_size(VPCE_NAME_MAX + 1) +	/* interface */
	       8 * nla_total_size_64bit(sizeof(u64)) +	/* account .. skipped */
	       2 * nla_total_size(sizeof(u8)) +		/* proto, action */
	       2 * nla_total_size(sizeof(u16)) +	/* ports */
	       2 * addr;				/* src, dst */
}

/*
 * Module exit: the family goes before the namespaces, whose flows then end
 * (endpoints deleted): their records are not sent.
 */
static bool vpce_nl_flowlog_closed;

static int vpce_put_flowlog_addr(struct sk_buff *skb, int type, u8 family,
				 const union nf_inet_addr *in)
{
	struct vpce_addr a = { .in = *in, .family = family };

	return vpce_put_addr(skb, type, &a, NULL);
}

static int vpce_fill_flowlog(struct sk_buff *skb,
			     const struct vpce_flowlog_rec *r, u64 skipped)
{
	struct nlattr *nest = nla_nest_start(skb, VPCE_A_FLOW_LOG_RECORD);

	if (!nest ||
	    nla_put_string(skb, VPCE_FLOWLOG_A_INTERFACE, r->interface) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_ACCOUNT, r->account,
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u8(skb, VPCE_FLOWLOG_A_PROTO, r->proto) ||
	    vpce_put_flowlog_addr(skb, VPCE_FLOWLOG_A_SRC, r->family,
				  &r->saddr) ||
	    vpce_put_flowlog_addr(skb, VPCE_FLOWLOG_A_DST, r->family,
				  &r->daddr) ||
	    nla_put_u16(skb, VPCE_FLOWLOG_A_SRC_PORT, ntohs(r->sport)) ||
	    nla_put_u16(skb, VPCE_FLOWLOG_A_DST_PORT, ntohs(r->dport)) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_PACKETS,
			      r->packets[IP_CT_DIR_ORIGINAL],
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_BYTES,
			      r->bytes[IP_CT_DIR_ORIGINAL],
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_REPLY_PACKETS,
			      r->packets[IP_CT_DIR_REPLY],
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_REPLY_BYTES,
			      r->bytes[IP_CT_DIR_REPLY],
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_START, r->start,
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_END, r->end,
			      VPCE_FLOWLOG_A_PAD) ||
	    nla_put_u8(skb, VPCE_FLOWLOG_A_ACTION, r->action) ||
	    nla_put_u64_64bit(skb, VPCE_FLOWLOG_A_SKIPPED, skipped,
			      VPCE_FLOWLOG_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Under RCU, against vpce_nl_flowlog_uninit(). */
static void __vpce_nl_flowlog_send(struct net *net,
				   const struct vpce_flowlog_rec *r)
{
	struct vpce_flowlog_net *fn = &vpce_net(net)->flowlog;
	struct sk_buff *skb;
	u64 skipped;
	void *hdr;
	int err;

	if (READ_ONCE(vpce_nl_flowlog_closed) ||
	    !vpce_nl_listening(net, VPCE_NL_GRP_FLOWLOG))
		return;
	skb = genlmsg_new(vpce_flowlog_msg_size(), GFP_ATOMIC);
	if (!skb)
		goto lost;
	skipped = atomic64_xchg(&fn->pending, 0);
	hdr = vpce_nl_notify_put(skb, VPCE_CMD_FLOW_LOG);
	if (!hdr || vpce_fill_flowlog(skb, r, skipped)) {
		nlmsg_free(skb);
		atomic64_add(skipped, &fn->pending);
		goto lost;
	}
	genlmsg_end(skb, hdr);
	err = vpce_nl_notify(net, skb, VPCE_NL_GRP_FLOWLOG, GFP_ATOMIC);
	if (!err)
		return;
	/* Its count goes on to the next record that gets through. */
	atomic64_add(skipped, &fn->pending);
lost:
	vpce_flowlog_lost(fn, 1);
}

/* Any context, softirq included: nothing here sleeps. */
static void vpce_nl_flowlog_send(struct net *net,
				 const struct vpce_flowlog_rec *r)
{
	rcu_read_lock();
	__vpce_nl_flowlog_send(net, r);
	rcu_read_unlock();
}

void __init vpce_nl_flowlog_init(void)
{
	vpce_flowlog_register(vpce_nl_flowlog_send);
}

/*
 * Before the family goes: no sender starts after this, and those that had
 * (each under RCU, vpce_nl_flowlog_send()) are done when it returns.
 */
void vpce_nl_flowlog_uninit(void)
{
	WRITE_ONCE(vpce_nl_flowlog_closed, true);
	synchronize_rcu();
}

/*
 * The setting VPCE_CMD_ENDPOINT_SET asks for, in *@setting: 0 when the
 * request does not touch flow logs (then 1 is returned), else 0 or -errno.
 */
int vpce_nl_flowlog_setting(struct genl_info *info, u8 *setting)
{
	struct nlattr *agg = info->attrs[VPCE_A_FLOW_LOG_AGGREGATION];
	struct nlattr *sample = info->attrs[VPCE_A_FLOW_LOG_SAMPLE];
	struct nlattr *on = info->attrs[VPCE_A_FLOW_LOG];
	u32 interval = VPCE_FL_AGG_DEFAULT;

	*setting = 0;
	if (!on) {
		if (agg || sample) {
			NL_SET_ERR_MSG_ATTR(info->extack, agg ?: sample,
					    "aggregation and sample need flow-log on");
			return -EINVAL;
		}
		return 1;
	}
	if (!nla_get_u8(on)) {
		if (agg || sample) {
			NL_SET_ERR_MSG_ATTR(info->extack, agg ?: sample,
					    "aggregation and sample need flow-log on");
			return -EINVAL;
		}
		return 0;
	}
	if (agg) {
		interval = nla_get_u32(agg);
		if (interval != VPCE_FL_AGG_SHORT &&
		    interval != VPCE_FL_AGG_DEFAULT) {
			NL_SET_ERR_MSG_ATTR(info->extack, agg,
					    "aggregation is 60 or 600 seconds");
			return -EINVAL;
		}
	}
	*setting = vpce_fl_encode(true, interval,
				  sample ? nla_get_u8(sample) :
				  VPCE_FL_SAMPLE_ALL);
	return 0;
}

/* An object's flow log setting in its message. */
int vpce_put_flowlog_setting(struct sk_buff *skb, u8 setting)
{
	if (nla_put_u8(skb, VPCE_A_FLOW_LOG, !!setting))
		return -EMSGSIZE;
	if (!setting)
		return 0;
	if (nla_put_u32(skb, VPCE_A_FLOW_LOG_AGGREGATION,
			vpce_fl_aggregation(setting)) ||
	    nla_put_u8(skb, VPCE_A_FLOW_LOG_SAMPLE, vpce_fl_sample(setting)))
		return -EMSGSIZE;
	return 0;
}
