/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_FLOWS_H
#define _VPCE_FLOWS_H

#include <linux/netfilter.h>
#include <linux/types.h>

struct nf_conntrack_tuple;
struct vpce_addr;
struct vpce_bindings;
struct vpce_endpoint;
struct vpce_ep_addr;
struct vpce_listener;
struct vpce_net;
struct vpce_service;
struct vpce_vpc;

/*
 * Ending flows: remove the conntrack entries of vpce flows that match. NULL
 * members match anything. Process context, with vn->lock held; it waits for
 * the packet path to stop creating matching flows first.
 */
struct vpce_flow_match {
	bool gone;		/* only (and all) flows of devices gone */
	bool leaving;		/* only flows of devices being unbound */
	const struct vpce_endpoint *ep;
	const struct vpce_service *svc;
	const struct vpce_addr *target;
	/* Only flows to this listener's protocol and port (with @svc). */
	const struct vpce_listener *listener;
	/* Only flows to this endpoint address. */
	const struct vpce_ep_addr *ea;
	const struct vpce_addr *nlb;	/* the load balancer address */
	bool denied;		/* only flows the endpoint's policy denies */
	bool sg_denied;		/* only flows the endpoint's SGs deny */
	/* Only flows from this VPC whose source acts as another principal
	 * now than with the bindings @was (NULL: none): a binding changed.
	 */
	const struct vpce_vpc *rebound;
	const struct vpce_bindings *was;
	bool quiet;		/* forget them, no reset (as conntrack -D) */
};

void vpce_flows_end(struct vpce_net *vn, const struct vpce_flow_match *m);

bool vpce_flow_match_ep(const struct vpce_flow_match *m,
			const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea, u8 family,
			const union nf_inet_addr *target,
			const union nf_inet_addr *nlb,
			const struct nf_conntrack_tuple *orig);

#endif /* _VPCE_FLOWS_H */
