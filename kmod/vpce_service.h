/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_SERVICE_H
#define _VPCE_SERVICE_H

#include "vpce_addr.h"
#include "vpce_arn.h"
#include "vpce_names.h"
#include "vpce_net.h"

#include <linux/rcupdate.h>

struct netlink_ext_ack;

/* The region in the ARNs vpce makes. */
#define VPCE_REGION	"local"

struct vpce_listener {
	u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	u16 port;		/* host order */
	u16 target_port;	/* host order */
};

struct vpce_target {
	struct vpce_addr addr;
	u8 zone;		/* index into the service's zones */
	u8 health;		/* enum vpce_health */
	u16 weight;
};

/*
 * The targets of a service as the packet path sees them. Never changed once
 * published: every change builds a new set and swaps it in under RCU, so a
 * new flow sees either the old set or the new one, whole.
 *
 * @pick holds indices into @t: first the healthy targets, grouped by zone
 * (zone z's are pick[zone_off[z]] .. pick[zone_off[z] + zone_n[z] - 1]).
 * Building it here keeps zone affinity and failover to two array lookups on
 * the packet path.
 */
struct vpce_targets {
	struct rcu_head rcu;
	u16 n;
	u16 healthy;
	u16 zone_off[VPCE_ZONES_MAX];
	u16 zone_n[VPCE_ZONES_MAX];
	u16 *pick;
	struct vpce_target t[];
};

/* Principals allowed to connect endpoints; configuration only. */
struct vpce_principals {
	unsigned int n;
	struct vpce_arn arn[];
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
	u8 nlisteners;
	u8 nzones;
	u32 endpoint_count;
	struct vpce_listener listeners[VPCE_LISTENERS_MAX];
	/* The service's zones are the zones of its load balancer addresses. */
	struct vpce_zone_addr nlbs[VPCE_ZONES_MAX];
	struct vpce_targets __rcu *targets;
	struct rcu_head rcu;
};

struct vpce_service_config {
	const char *name;
	u64 account;
	bool acceptance_required;
	u8 type;
	u8 nlisteners;
	u8 nzones;
	struct vpce_listener listeners[VPCE_LISTENERS_MAX];
	struct vpce_zone_addr nlbs[VPCE_ZONES_MAX];
};

int vpce_services_init(struct vpce_net *vn);
void vpce_services_destroy(struct vpce_net *vn);

struct vpce_service *vpce_service_find(struct vpce_net *vn, const char *name);
int vpce_service_add(struct vpce_net *vn, const struct vpce_service_config *cfg,
		     struct netlink_ext_ack *extack);
int vpce_service_del(struct vpce_net *vn, struct vpce_service *svc,
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

static inline struct vpce_targets *
vpce_service_targets(const struct vpce_service *svc, struct vpce_net *vn)
{
	return rcu_dereference_protected(svc->targets,
					 lockdep_is_held(&vn->lock));
}

int vpce_target_add(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_target *tgt,
		    struct netlink_ext_ack *extack);
int vpce_target_del(struct vpce_net *vn, struct vpce_service *svc,
		    const struct vpce_addr *addr,
		    struct netlink_ext_ack *extack);

/* Packet path, under RCU. */
const struct vpce_listener *vpce_service_listener(const struct vpce_service *svc,
						  u8 proto, u16 port);
const struct vpce_target *vpce_service_pick(const struct vpce_service *svc,
					    u8 zone, u32 hash);

#endif /* _VPCE_SERVICE_H */
