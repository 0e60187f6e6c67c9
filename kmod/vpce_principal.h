/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_PRINCIPAL_H
#define _VPCE_PRINCIPAL_H

#include "vpce_addr.h"
#include "vpce_arn.h"

#include <linux/rcupdate.h>

struct vpce_net;
struct vpce_vpc;
struct netlink_ext_ack;

/*
 * Principal bindings: sources in a prefix of a VPC act as an IAM principal,
 * which is what gives a policy's Principal a meaning at layer 4. A VPC's
 * bindings are an immutable array, longest prefix first, swapped whole under
 * RCU; the first one that contains a flow's source is the longest match.
 */
struct vpce_binding {
	struct vpce_addr prefix;	/* host bits zero */
	u8 plen;
	struct vpce_arn arn;
};

struct vpce_bindings {
	struct rcu_head rcu;
	unsigned int n;
	struct vpce_binding b[];
};

int vpce_binding_add(struct vpce_net *vn, struct vpce_vpc *vpc,
		     const struct vpce_binding *b,
		     struct netlink_ext_ack *extack);
int vpce_binding_del(struct vpce_net *vn, struct vpce_vpc *vpc,
		     const struct vpce_addr *prefix, u8 plen,
		     struct netlink_ext_ack *extack);
void vpce_bindings_free(struct vpce_bindings *bs);
int vpce_prefix_normalize(struct vpce_addr *prefix, u8 plen,
			  struct netlink_ext_ack *extack);

/* Packet path, under RCU: the principal a source acts as. */
const struct vpce_arn *vpce_principal_of(const struct vpce_vpc *vpc,
					 const struct vpce_addr *src);
/*
 * Flow walks, under RCU: whether @src acts as another principal in @vpc
 * now than it did with the bindings @was (NULL: none).
 */
bool vpce_principal_changed(const struct vpce_vpc *vpc,
			    const struct vpce_bindings *was,
			    const struct vpce_addr *src);

#endif /* _VPCE_PRINCIPAL_H */
