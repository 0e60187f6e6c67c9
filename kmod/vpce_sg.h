/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_SG_H
#define _VPCE_SG_H

#include "vpce_addr.h"
#include "vpce_names.h"

#include <linux/rcupdate.h>
#include <linux/types.h>

struct nf_conntrack_tuple;
struct netlink_ext_ack;
struct vpce_net;
struct vpce_sg_table;
struct vpce_vpc;

/*
 * An inbound rule: from @src (or from the members of @ref), protocol
 * @proto (0: TCP and UDP), listener ports @port_min..@port_max.
 */
struct vpce_sg_rule {
	struct vpce_prefix src;		/* unused with @ref */
	struct vpce_sg *ref;		/* `from sg SG2`, else NULL */
	u8 proto;
	u16 port_min;
	u16 port_max;
};

/*
 * A security group. Its rules and members are the control plane's, under
 * vn->lock; the packet path reads only @table, the rules compiled (with
 * the members of the SGs they name folded in), replaced whole on every
 * change and freed after a grace period.
 */
struct vpce_sg {
	struct vpce_named named;
	struct vpce_vpc *vpc;
	struct vpce_sg_rule *rules;	/* kvmalloc'ed, @nrules of @cap */
	u32 nrules;
	u32 cap;
	struct vpce_prefix *members;	/* kvmalloc'ed, @nmembers */
	u32 nmembers;
	u32 users;			/* endpoints that use it */
	u32 refs;			/* rules of other SGs that name it */
	struct vpce_sg_table __rcu *table;
	struct rcu_head rcu;
};

/*
 * The SGs of an endpoint: an immutable list, replaced whole under
 * vn->lock and freed after a grace period. An SG in use cannot be
 * deleted, so every SG of a published list lives at least as long as it.
 */
struct vpce_ep_sgs {
	struct rcu_head rcu;
	u8 n;
	struct vpce_sg *sg[];
};

int vpce_sgs_init(struct vpce_net *vn);
void vpce_sgs_destroy(struct vpce_net *vn);

struct vpce_sg *vpce_sg_find(struct vpce_net *vn, const char *name);
int vpce_sg_add(struct vpce_net *vn, const char *name, struct vpce_vpc *vpc,
		struct netlink_ext_ack *extack);
int vpce_sg_del(struct vpce_net *vn, struct vpce_sg *sg,
		struct netlink_ext_ack *extack);
/* @rules: @n rules to add or delete, all of them or none. */
int vpce_sg_rules_add(struct vpce_net *vn, struct vpce_sg *sg,
		      const struct vpce_sg_rule *rules, u32 n,
		      struct netlink_ext_ack *extack);
int vpce_sg_rules_del(struct vpce_net *vn, struct vpce_sg *sg,
		      const struct vpce_sg_rule *rules, u32 n,
		      struct netlink_ext_ack *extack);
int vpce_sg_member_add(struct vpce_net *vn, struct vpce_sg *sg,
		       const struct vpce_prefix *p,
		       struct netlink_ext_ack *extack);
int vpce_sg_member_del(struct vpce_net *vn, struct vpce_sg *sg,
		       const struct vpce_prefix *p,
		       struct netlink_ext_ack *extack);

/*
 * An endpoint's SG list from @n SGs of @vpc (none: NULL, and 0 returned
 * into *@out), not yet counted as used: vpce_ep_sgs_hold() does that when
 * the list is published, vpce_ep_sgs_put() when it is unpublished (which
 * frees it after a grace period).
 */
int vpce_ep_sgs_build(struct vpce_sg *const *sgs, unsigned int n,
		      const struct vpce_vpc *vpc, struct vpce_ep_sgs **out,
		      struct netlink_ext_ack *extack);
void vpce_ep_sgs_hold(struct vpce_ep_sgs *sgs);
void vpce_ep_sgs_put(struct vpce_ep_sgs *sgs);

/*
 * Packet path and flow walks, under RCU: whether @sgs (NULL: no SG, every
 * flow) let in a flow whose first packet has the original tuple @t. The
 * cost does not depend on the number of rules (vpce_sg.c).
 */
bool vpce_sgs_allow(const struct vpce_ep_sgs *sgs,
		    const struct nf_conntrack_tuple *t);

#endif /* _VPCE_SG_H */
