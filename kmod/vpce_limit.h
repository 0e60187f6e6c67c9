/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_LIMIT_H
#define _VPCE_LIMIT_H

#include <linux/atomic.h>
#include <linux/types.h>

/*
 * How much vpce answers on one VPC device, per second and in one burst
 * (Documentation/hardening.md, "A tenant's VM"). A tenant's VM can send at
 * any rate from any address; what vpce sends back in its name must not be
 * at that rate. The budget is per device, not per namespace, so that one
 * tenant's flood uses up its own budget, never another VPC's ARP answers.
 *
 * Neighbour answers (ARP replies, neighbour advertisements): a client asks
 * again about every 30 s per address it talks to (reachable time), so 200
 * a second serves thousands of clients on a device, and a burst of 200 the
 * VMs of a VPC booting together.
 *
 * Refusals (TCP resets, ICMP errors about a VPC's packets): the kernel
 * allows 1000 ICMP errors a second per namespace (icmp_msgs_per_sec) and
 * about one a second per destination (icmp_ratelimit). 200 a second per
 * device leaves most of the namespace's budget to the host and to other
 * VPCs, and is still more than a few clients being refused need: a
 * refused client gets one answer per attempt, and retries after seconds.
 */
#define VPCE_NEIGH_RATE		200
#define VPCE_NEIGH_BURST	200
#define VPCE_REJECT_RATE	200
#define VPCE_REJECT_BURST	200

/*
 * A token bucket, lockless as icmp_global_allow() is: any CPU may refill
 * it, the one whose cmpxchg of @stamp wins does. A zeroed one starts full
 * enough: its first use refills it for a whole second.
 */
struct vpce_limit {
	atomic_t credit;
	u32 stamp;		/* jiffies of the last refill */
};

/* Take one token; false when there is none (packet path, any context). */
bool vpce_limit_take(struct vpce_limit *l, int rate, int burst);

#endif /* _VPCE_LIMIT_H */
