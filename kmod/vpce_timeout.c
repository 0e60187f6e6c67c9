// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Idle timeouts of a service's flows.
 *
 * Conntrack times a flow out by the timeout of its TCP or UDP state. A
 * timeout policy attached to a conntrack entry (NF_CT_EXT_TIMEOUT) replaces
 * the namespace's table of those timeouts for that entry, which is how
 * nftables' `ct timeout` objects work, and what lets a service's flows
 * expire after the service's idle time while the host's other flows keep
 * the host's settings.
 *
 * A policy is reference counted: each entry holds a reference and conntrack
 * drops it when the entry goes (nf_ct_timeout_put()), so a policy outlives
 * its service, and this module, as long as entries use it. Changing the
 * idle timeout changes the value in place: live flows then use it from
 * their next packet on, as the NLB's do, and no entry needs to be walked.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_timeout.h"

#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_conntrack_timeout.h>

static struct nf_ct_timeout *vpce_timeout_alloc(u8 proto, const unsigned int *v,
						unsigned int n)
{
	struct nf_ct_timeout *t;

	t = kzalloc(struct_size(t, data, n * sizeof(*v)), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	refcount_set(&t->refcnt, 1);
	t->l3num = NFPROTO_IPV4;
	t->l4proto = nf_ct_l4proto_find(proto);
	memcpy(t->data, v, n * sizeof(*v));
	return t;
}

static unsigned int *vpce_timeout_values(struct nf_ct_timeout *t)
{
	return (unsigned int *)t->data;
}

/*
 * The TCP policy is the namespace's TCP timeouts as they are now, with the
 * service's idle time for established flows; the UDP policy keeps every
 * flow, answered or not, for NLB's 120 s.
 */
int vpce_timeouts_init(struct vpce_timeouts *to, struct net *net,
		       unsigned int idle_tcp)
{
	unsigned int tcp[TCP_CONNTRACK_TIMEOUT_MAX];
	unsigned int udp[UDP_CT_MAX];

	memcpy(tcp, nf_tcp_pernet(net)->timeouts, sizeof(tcp));
	tcp[TCP_CONNTRACK_ESTABLISHED] = idle_tcp * HZ;
	udp[UDP_CT_UNREPLIED] = VPCE_IDLE_UDP * HZ;
	udp[UDP_CT_REPLIED] = VPCE_IDLE_UDP * HZ;

	to->tcp = vpce_timeout_alloc(IPPROTO_TCP, tcp, ARRAY_SIZE(tcp));
	to->udp = vpce_timeout_alloc(IPPROTO_UDP, udp, ARRAY_SIZE(udp));
	if (!to->tcp || !to->udp) {
		kfree(to->tcp);
		kfree(to->udp);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Conntrack reads the value locklessly for each packet; a word store is
 * seen whole, old or new.
 */
void vpce_timeouts_set_idle(struct vpce_timeouts *to, unsigned int idle_tcp)
{
	WRITE_ONCE(vpce_timeout_values(to->tcp)[TCP_CONNTRACK_ESTABLISHED],
		   idle_tcp * HZ);
}

unsigned int vpce_timeouts_idle(const struct vpce_timeouts *to)
{
	return READ_ONCE(vpce_timeout_values(to->tcp)[TCP_CONNTRACK_ESTABLISHED]) / HZ;
}

static void vpce_timeout_put(struct nf_ct_timeout *t)
{
	if (t && refcount_dec_and_test(&t->refcnt))
		kfree_rcu(t, rcu);
}

/*
 * Only once no packet can reach @to any more: from the service's RCU
 * callback, or before it was ever published. A packet that found a flow
 * reads the idle time through the service (vpce_timeouts_idle()) with no
 * reference of its own, so the pointers stay as they are until the
 * service is freed; conntrack entries hold references and keep the
 * policies themselves alive after that.
 */
void vpce_timeouts_put(struct vpce_timeouts *to)
{
	vpce_timeout_put(to->tcp);
	vpce_timeout_put(to->udp);
}

bool vpce_timeouts_attach(const struct vpce_timeouts *to, struct nf_conn *ct,
			  const struct sk_buff *skb)
{
	u8 proto = nf_ct_protonum(ct);
	struct nf_conn_timeout *ext;
	const unsigned int *v;

	/* A timeout the administrator attached by rule (CT target, nft ct
	 * timeout) to this flow's template wins.
	 */
	if (nf_ct_timeout_find(ct))
		return true;
	ext = nf_ct_timeout_ext_add(ct, proto == IPPROTO_TCP ? to->tcp : to->udp,
				    GFP_ATOMIC);
	if (!ext)
		return false;
	/* Conntrack timed the first packet from its own table already; time
	 * it again from ours. The entry is unconfirmed: the timeout is still
	 * relative (what nft_ct_timeout_obj_eval() does too).
	 */
	v = nf_ct_timeout_data(ext);
	if (v)
		nf_ct_refresh(ct, skb, proto == IPPROTO_TCP ?
			      v[ct->proto.tcp.state] : v[UDP_CT_UNREPLIED]);
	return true;
}
