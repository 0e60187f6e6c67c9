/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_DRAIN_H
#define _VPCE_DRAIN_H

#include "vpce_addr.h"

#include <linux/list.h>
#include <linux/workqueue.h>

struct vpce_net;
struct vpce_service;

/*
 * A draining target: its live flows go on until the service's
 * deregistration delay has passed since it started draining, then they
 * are ended. One delayed work per draining target, nothing that walks all
 * targets, and nothing at all for the targets that are not draining.
 *
 * Lifetime: the drain is on its service's list, under vn->lock, while its
 * work is pending or about to run. Whoever takes it off the list either
 * cancels the pending work and frees it, or, when the work is already
 * running (waiting for vn->lock), marks it dead and lets the work free it.
 * The lock is never held while waiting for the work, which takes it.
 */
struct vpce_drain {
	struct delayed_work work;
	struct list_head node;		/* in svc->drains */
	struct vpce_net *vn;
	struct vpce_service *svc;
	struct vpce_addr addr;
	unsigned long deadline;		/* jiffies: when its flows end */
	bool dead;
};

int vpce_drain_init(void);
void vpce_drain_uninit(void);

/* Allocate first (a failed command changes nothing), start once committed. */
struct vpce_drain *vpce_drain_alloc(struct vpce_net *vn,
				    struct vpce_service *svc,
				    const struct vpce_addr *addr);
void vpce_drain_start(struct vpce_drain *d, unsigned int delay_secs);
struct vpce_drain *vpce_drain_find(const struct vpce_service *svc,
				   const struct vpce_addr *addr);
void vpce_drain_stop(struct vpce_service *svc, const struct vpce_addr *addr);
void vpce_drain_stop_all(struct vpce_service *svc);
/* Wait for drains that were running when they were stopped: netns exit. */
void vpce_drain_flush(void);

#endif /* _VPCE_DRAIN_H */
