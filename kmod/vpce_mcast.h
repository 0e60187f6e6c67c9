/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_MCAST_H
#define _VPCE_MCAST_H

#include <linux/list.h>
#include <linux/xarray.h>

struct vpce_dev;
struct vpce_net;
struct vpce_vpc;

/* The groups a device joined: keys, the groups' low 24 bits. */
struct vpce_mc_set {
	struct list_head node;		/* in vn->mc_leaving, once unbound */
	int ifindex;
	/* The device's IPv6 state the groups were joined in: it is made
	 * anew (its groups gone) when the MTU drops below IPv6's minimum
	 * and comes back. Compared only, never dereferenced.
	 */
	const void *idev;
	struct xarray keys;
};

int vpce_mcast_init(struct vpce_net *vn);
struct vpce_mc_set *vpce_mc_set_new(int ifindex);

/*
 * Under vn->lock: the groups of @vpc's devices are to be brought up to
 * date (a device or an IPv6 endpoint address came or went); @d's are to be
 * left (it is unbound); @d is gone, and its groups with it.
 */
void vpce_mcast_changed(struct vpce_net *vn, struct vpce_vpc *vpc);
void vpce_mcast_unbind(struct vpce_net *vn, struct vpce_dev *d);
void vpce_mcast_forget(struct vpce_dev *d);

/* Namespace exit, before the objects go: leave every group, join no more. */
void vpce_mcast_close(struct vpce_net *vn);

#endif /* _VPCE_MCAST_H */
