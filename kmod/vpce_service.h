/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_SERVICE_H
#define _VPCE_SERVICE_H

#include "vpce_addr.h"
#include "vpce_arn.h"
#include "vpce_counters.h"
#include "vpce_maglev.h"
#include "vpce_names.h"
#include "vpce_net.h"
#include "vpce_target.h"
#include "vpce_timeout.h"

#include <linux/bits.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>

struct netlink_ext_ack;
struct nf_conntrack_tuple;

/* The region in the ARNs vpce makes. */
#define VPCE_REGION	"local"

struct vpce_listener {
	u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	u16 port;		/* host order */
	u16 target_port;	/* host order */
};

/*
 * A service's listeners. The packet path reads them under RCU while
 * "service set ... listener add/del" changes them, so a change builds a
 * new set and replaces the old one whole, which is freed after a grace
 * period: a reader sees the old set or the new one, never a set half
 * changed.
 */
struct vpce_listeners {
	struct rcu_head rcu;
	u8 n;
	struct vpce_listener l[];
};

/* A service's health check, run by vpced (the kernel only keeps it). */
struct vpce_hc {
	u8 proto;		/* enum vpce_hc_proto */
	u8 healthy;		/* consecutive successes to become healthy */
	u8 unhealthy;		/* consecutive failures to become unhealthy */
	u16 port;		/* 0: the traffic port */
	u32 interval;		/* seconds */
	u32 timeout;		/* seconds, less than the interval */
	char path[VPCE_HC_PATH_MAX + 1];	/* HTTP and HTTPS */
	char matcher[VPCE_HC_MATCHER_MAX + 1];	/* HTTP and HTTPS */
	char host[VPCE_DNS_NAME_MAX + 1];	/* HTTP and HTTPS; "": none */
};

/*
 * The settings of a service that "service set" changes; "service add" takes
 * some of them too. @mask says which are given (VPCE_SET_*).
 */
enum {
	VPCE_SET_ACCEPTANCE	= BIT(0),
	VPCE_SET_CROSS_ZONE	= BIT(1),
	VPCE_SET_PRIVATE_DNS	= BIT(2),
	VPCE_SET_DEREG_DELAY	= BIT(3),
	VPCE_SET_IDLE_TIMEOUT	= BIT(4),
	VPCE_SET_HASH_SEED	= BIT(5),
	VPCE_SET_HEALTH_CHECK	= BIT(6),
	VPCE_SET_PROXY_PROTOCOL	= BIT(7),
	VPCE_SET_FLOW_LOG	= BIT(8),
};

/* NLB's defaults. */
#define VPCE_DEREG_DELAY_DEFAULT	300
#define VPCE_HC_INTERVAL_DEFAULT	30
#define VPCE_HC_HEALTHY_DEFAULT		5
#define VPCE_HC_UNHEALTHY_DEFAULT	2
#define VPCE_HC_TIMEOUT_DEFAULT		10	/* TCP and HTTPS */
#define VPCE_HC_TIMEOUT_HTTP_DEFAULT	6
#define VPCE_HC_MATCHER_DEFAULT		"200-399"

struct vpce_service_settings {
	u32 mask;
	bool acceptance_required;
	bool cross_zone;
	bool proxy_protocol;
	u8 flowlog;			/* vpce_flowlog_cfg.h */
	u32 dereg_delay;		/* seconds */
	u32 idle_timeout;		/* seconds, TCP */
	siphash_key_t hash_key;
	char private_dns[VPCE_DNS_NAME_MAX + 1];
	struct vpce_hc hc;
};

/* Principals allowed to connect endpoints; configuration only. */
struct vpce_principals {
	unsigned int n;
	struct vpce_arn arn[];
};

/* A zone of a service: its name. */
struct vpce_svc_zone {
	char name[VPCE_ZONE_MAX + 1];
};

/*
 * A service's load balancer addresses (vpce_nlb.c): per zone and family a
 * pool of addresses that new flows are spread over, cnt[z][f] of them from
 * addr[off[z][f]] on. Built whole and replaced (RCU) by an add or delete,
 * so that the packet path reads a consistent one.
 */
struct vpce_nlb_pool {
	u8 n;
	u8 off[VPCE_ZONES_MAX][VPCE_FAMILIES];
	u8 cnt[VPCE_ZONES_MAX][VPCE_FAMILIES];
	struct rcu_head rcu;
	struct vpce_addr addr[];
};

struct vpce_service {
	struct vpce_named named;
	u64 account;
	/* arn:aws:ec2:local:ACCOUNT:vpc-endpoint-service/NAME, the resource
	 * of every policy request for the service.
	 */
	char *arn;
	bool acceptance_required;
	struct vpce_principals *principals;
	u8 type;
	u8 nzones;
	u32 endpoint_count;
	/* NULL for a gateway service, which has none. */
	struct vpce_listeners __rcu *listeners;
	/* The service's zones are the zones of its load balancer addresses,
	 * in the order they first appeared; their addresses are in @nlbs.
	 */
	struct vpce_svc_zone zones[VPCE_ZONES_MAX];
	struct vpce_nlb_pool __rcu *nlbs;
	struct vpce_targets __rcu *targets;
	/* Load balancing and health (vpce_service_set()). */
	bool cross_zone;
	/* New TCP flows start with a PROXY v2 header (vpce_proxy.c); read
	 * by the packet path when a flow is set up.
	 */
	bool proxy_protocol;
	/* Flow logs of the provider's side (vpce_flowlog_cfg.h), read by
	 * the packet path when a flow is set up.
	 */
	u8 flowlog;
	bool hash_seed_set;		/* hash_key given, not the netns's */
	u32 dereg_delay;
	siphash_key_t hash_key;
	struct vpce_timeouts timeouts;	/* idle timeouts of its flows */
	struct list_head drains;	/* draining targets' delayed work */
	struct vpce_hc hc;
	char private_dns[VPCE_DNS_NAME_MAX + 1];
	/* A gateway service's prefix list (vpce_gateway.c). */
	u8 nprefixes;
	struct vpce_prefix prefixes[VPCE_PREFIXES_MAX];
	/* Counters per zone, and the last count of active flows per zone
	 * (under vn->lock): vpce_stats.c.
	 */
	struct vpce_counters_ref stats;
	u32 active[VPCE_ZONES_MAX];
	struct rcu_head rcu;
};

struct vpce_service_config {
	const char *name;
	u64 account;
	bool acceptance_required;
	u8 type;
	u8 nlisteners;
	u8 nnlbs;
	struct vpce_listener listeners[VPCE_LISTENERS_MAX];
	/* As given: at most VPCE_NLB_POOL_MAX per zone and family. */
	struct vpce_zone_addr nlbs[VPCE_NLBS_MAX];
	struct vpce_service_settings set;	/* optional settings */
	u8 nprefixes;				/* gateway services */
	struct vpce_prefix prefixes[VPCE_PREFIXES_MAX];
};

int vpce_services_init(struct vpce_net *vn);
void vpce_services_destroy(struct vpce_net *vn);

struct vpce_service *vpce_service_find(struct vpce_net *vn, const char *name);
int vpce_service_add(struct vpce_net *vn, const struct vpce_service_config *cfg,
		     struct netlink_ext_ack *extack);
int vpce_service_del(struct vpce_net *vn, struct vpce_service *svc,
		     struct netlink_ext_ack *extack);
int vpce_service_set(struct vpce_net *vn, struct vpce_service *svc,
		     const struct vpce_service_settings *set,
		     struct netlink_ext_ack *extack);
int vpce_service_listener_add(struct vpce_net *vn, struct vpce_service *svc,
			      const struct vpce_listener *l,
			      struct netlink_ext_ack *extack);
int vpce_service_listener_del(struct vpce_net *vn, struct vpce_service *svc,
			      u8 proto, u16 port,
			      struct netlink_ext_ack *extack);
int vpce_service_allow(struct vpce_net *vn, struct vpce_service *svc,
		       const struct vpce_arn *arn, struct netlink_ext_ack *extack);
int vpce_service_disallow(struct vpce_net *vn, struct vpce_service *svc,
			  const struct vpce_arn *arn,
			  struct netlink_ext_ack *extack);
bool vpce_service_permits(const struct vpce_service *svc,
			  const struct vpce_arn *requester);
int vpce_service_zone(const struct vpce_service *svc, const char *zone,
		      struct netlink_ext_ack *extack);
int vpce_service_zone_family(const struct vpce_service *svc, u8 zone,
			     u8 family, struct netlink_ext_ack *extack);

/*
 * Zone @z's pool of load balancer addresses of @family: *@n of them (0
 * where the zone has none). The packet path, under RCU.
 */
static inline const struct vpce_addr *
vpce_service_nlbs(const struct vpce_service *svc, u8 z, u8 family,
		  unsigned int *n)
{
	const struct vpce_nlb_pool *p = rcu_dereference(svc->nlbs);
	unsigned int f = vpce_fam(family);

	*n = p->cnt[z][f];
	return &p->addr[p->off[z][f]];
}

/* Configuration (and dumps): under vn->lock. */
static inline const struct vpce_listeners *
vpce_service_listeners(const struct vpce_service *svc, struct vpce_net *vn)
{
	return rcu_dereference_protected(svc->listeners,
					 lockdep_is_held(&vn->lock));
}

/* The pool, for the control plane (vn->lock held). */
static inline struct vpce_nlb_pool *
vpce_service_pool(const struct vpce_service *svc, struct vpce_net *vn)
{
	return rcu_dereference_protected(svc->nlbs, lockdep_is_held(&vn->lock));
}

/* Whether zone @z has a load balancer address of @family (vn->lock held). */
bool vpce_service_nlb(const struct vpce_service *svc, u8 z, u8 family);

/* vpce_nlb.c: building the pool, and adding or deleting an address. */
struct vpce_nlb_pool *vpce_nlb_pool_build(struct vpce_service *svc,
					  const struct vpce_zone_addr *za,
					  unsigned int n);
int vpce_service_nlb_add(struct vpce_net *vn, struct vpce_service *svc,
			 const struct vpce_zone_addr *za,
			 struct netlink_ext_ack *extack);
int vpce_service_nlb_del(struct vpce_net *vn, struct vpce_service *svc,
			 const struct vpce_addr *addr,
			 struct netlink_ext_ack *extack);

static inline struct vpce_targets *
vpce_service_targets(const struct vpce_service *svc, struct vpce_net *vn)
{
	return rcu_dereference_protected(svc->targets,
					 lockdep_is_held(&vn->lock));
}

/* Packet path, under RCU. */
const struct vpce_listener *vpce_service_listener(const struct vpce_service *svc,
						  u8 proto, u16 port);

#endif /* _VPCE_SERVICE_H */
