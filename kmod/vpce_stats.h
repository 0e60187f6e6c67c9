/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_STATS_H
#define _VPCE_STATS_H

#include "vpce_addr.h"
#include "vpce_counters.h"
#include "vpce_endpoint.h"
#include "vpce_target.h"

#include <net/netfilter/nf_conntrack.h>

struct vpce_net;
struct vpce_service;

/*
 * Packet path, under RCU. @ea is the endpoint address a flow is to, NULL
 * for a gateway endpoint's flow (which has none, and no target).
 */
void vpce_stats_flow_new(const struct vpce_endpoint *ep,
			 const struct vpce_ep_addr *ea, struct vpce_tstats *ts);
void vpce_stats_refused(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea, enum vpce_drop why,
			bool reset);
void vpce_stats_limited(const struct vpce_endpoint *ep,
			const struct vpce_ep_addr *ea);
void vpce_stats_reset_sent(const struct vpce_endpoint *ep,
			   const struct vpce_ep_addr *ea);
void vpce_stats_bytes(const struct vpce_endpoint *ep,
		      const struct vpce_ep_addr *ea, struct vpce_tstats *ts,
		      unsigned int len, bool rst, bool from_target);
void vpce_stats_active_add(struct vpce_ep_addr *ea, struct vpce_tstats *ts);
void vpce_stats_packet(struct vpce_net *vn, const struct vpce_endpoint *ep,
		       const struct vpce_ep_addr *ea, const struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, const struct sk_buff *skb);

/* Readers, vn->lock held (vpce_stats.c says what each reads). */
void vpce_endpoint_counters_sum(const struct vpce_endpoint *ep,
				struct vpce_counters_sum *sum);
/* Count the active flows, for the readers below to give. */
void vpce_stats_count_active(struct vpce_net *vn);
bool vpce_stats_endpoint_zone(const struct vpce_endpoint *ep, unsigned int i,
			      struct vpce_counters_sum *z);
void vpce_stats_endpoint_unzoned(const struct vpce_endpoint *ep,
				 struct vpce_counters_sum *sum);
void vpce_stats_service_zone(const struct vpce_service *svc, unsigned int i,
			     struct vpce_counters_sum *z);
void vpce_stats_target(struct vpce_net *vn, const struct vpce_service *svc,
		       const struct vpce_addr *addr,
		       struct vpce_counters_sum *s);

#endif /* _VPCE_STATS_H */
