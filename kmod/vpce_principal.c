// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Principal bindings of a VPC.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_principal.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <linux/netlink.h>

static bool vpce_prefix_contains(const struct vpce_addr *prefix, u8 plen,
				 const struct vpce_addr *a)
{
	if (prefix->family != a->family)
		return false;
	if (a->family == AF_INET)
		return !((prefix->in.ip ^ a->in.ip) & inet_make_mask(plen));
	return ipv6_prefix_equal(&prefix->in.in6, &a->in.in6, plen);
}

/* Clear the host bits, refusing a prefix that has any (like `ip route`). */
int vpce_prefix_normalize(struct vpce_addr *prefix, u8 plen,
			  struct netlink_ext_ack *extack)
{
	struct vpce_addr net = *prefix;

	if (plen > (prefix->family == AF_INET ? 32 : 128)) {
		NL_SET_ERR_MSG(extack, "prefix length out of range");
		return -EINVAL;
	}
	if (prefix->family == AF_INET)
		net.in.ip &= inet_make_mask(plen);
	else
		ipv6_addr_prefix(&net.in.in6, &prefix->in.in6, plen);
	if (!vpce_addr_eq(&net, prefix)) {
		NL_SET_ERR_MSG(extack, "the prefix has host bits set");
		return -EINVAL;
	}
	return 0;
}

static struct vpce_bindings *vpce_bindings_alloc(unsigned int n)
{
	struct vpce_bindings *bs;

	bs = kzalloc(struct_size(bs, b, n), GFP_KERNEL_ACCOUNT);
	if (bs)
		bs->n = n;
	return bs;
}

void vpce_bindings_free(struct vpce_bindings *bs)
{
	kfree(bs);
}

/*
 * A flow's principal is decided once, when the flow is new; a binding that
 * changes it may take away access the flow was given. So, as a policy
 * change does (vpce_endpoint_set_policy()), the flows of the VPC whose
 * source now acts as another principal are evaluated again against their
 * endpoint's policy, and those it denies end; the rest are left alone.
 * The old bindings are what tells which flows changed: they are freed only
 * after the walk (and a grace period, for the packets reading them).
 */
static void vpce_bindings_publish(struct vpce_net *vn, struct vpce_vpc *vpc,
				  struct vpce_bindings *bs)
{
	struct vpce_flow_match m = { .denied = true, .rebound = vpc };
	struct vpce_bindings *old;

	old = rcu_replace_pointer(vpc->bindings, bs, lockdep_is_held(&vn->lock));
	vpce_net_changed(vn);
	m.was = old;
	vpce_flows_end(vn, &m);
	if (old)
		kfree_rcu(old, rcu);
}

static struct vpce_bindings *vpce_bindings_get(struct vpce_net *vn,
					       struct vpce_vpc *vpc)
{
	return rcu_dereference_protected(vpc->bindings,
					 lockdep_is_held(&vn->lock));
}

static int vpce_binding_index(const struct vpce_bindings *bs,
			      const struct vpce_addr *prefix, u8 plen)
{
	unsigned int i;

	for (i = 0; bs && i < bs->n; i++)
		if (bs->b[i].plen == plen && vpce_addr_eq(&bs->b[i].prefix, prefix))
			return i;
	return -1;
}

int vpce_binding_add(struct vpce_net *vn, struct vpce_vpc *vpc,
		     const struct vpce_binding *b,
		     struct netlink_ext_ack *extack)
{
	struct vpce_bindings *old = vpce_bindings_get(vn, vpc), *bs;
	unsigned int n = old ? old->n : 0, i, j = 0;

	lockdep_assert_held(&vn->lock);

	if (b->arn.kind == VPCE_ARN_ANY) {
		NL_SET_ERR_MSG(extack, "a binding needs one principal, not \"*\"");
		return -EINVAL;
	}
	if (vpce_binding_index(old, &b->prefix, b->plen) >= 0) {
		NL_SET_ERR_MSG(extack, "the VPC has a binding for this prefix");
		return -EEXIST;
	}
	if (n >= VPCE_BINDINGS_MAX) {
		NL_SET_ERR_MSG(extack, "the VPC has too many principal bindings");
		return -ENOSPC;
	}
	bs = vpce_bindings_alloc(n + 1);
	if (!bs)
		return -ENOMEM;
	/* Keep longest prefixes first: the first match is the best. */
	for (i = 0; i < n; i++) {
		if (j == i && old->b[i].plen < b->plen)
			bs->b[j++] = *b;
		bs->b[j++] = old->b[i];
	}
	if (j == n)
		bs->b[j] = *b;
	vpce_bindings_publish(vn, vpc, bs);
	return 0;
}

int vpce_binding_del(struct vpce_net *vn, struct vpce_vpc *vpc,
		     const struct vpce_addr *prefix, u8 plen,
		     struct netlink_ext_ack *extack)
{
	struct vpce_bindings *old = vpce_bindings_get(vn, vpc), *bs = NULL;
	int i = vpce_binding_index(old, prefix, plen);

	lockdep_assert_held(&vn->lock);

	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the VPC has no binding for this prefix");
		return -ENOENT;
	}
	if (old->n > 1) {
		bs = vpce_bindings_alloc(old->n - 1);
		if (!bs)
			return -ENOMEM;
		memcpy(bs->b, old->b, i * sizeof(*bs->b));
		memcpy(&bs->b[i], &old->b[i + 1],
		       (old->n - i - 1) * sizeof(*bs->b));
	}
	vpce_bindings_publish(vn, vpc, bs);
	return 0;
}

/* The principal @src acts as in @vpc with bindings @bs (NULL: none). */
static const struct vpce_arn *vpce_bindings_lookup(const struct vpce_vpc *vpc,
						   const struct vpce_bindings *bs,
						   const struct vpce_addr *src)
{
	unsigned int i;

	for (i = 0; bs && i < bs->n; i++)
		if (vpce_prefix_contains(&bs->b[i].prefix, bs->b[i].plen, src))
			return &bs->b[i].arn;
	return &vpc->owner;
}

const struct vpce_arn *vpce_principal_of(const struct vpce_vpc *vpc,
					 const struct vpce_addr *src)
{
	return vpce_bindings_lookup(vpc, rcu_dereference(vpc->bindings), src);
}

bool vpce_principal_changed(const struct vpce_vpc *vpc,
			    const struct vpce_bindings *was,
			    const struct vpce_addr *src)
{
	return !vpce_arn_eq(vpce_bindings_lookup(vpc, was, src),
			    vpce_principal_of(vpc, src));
}
