// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Deregistration delay: ending a draining target's flows when it is over.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_drain.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_service.h"

#include <linux/slab.h>

/*
 * Our own queue, so that a namespace going away can wait for the drains it
 * stopped (vpce_drain_flush()) without flushing the system's queues.
 */
static struct workqueue_struct *vpce_wq;

int __init vpce_drain_init(void)
{
	vpce_wq = alloc_workqueue("vpce", 0, 0);
	return vpce_wq ? 0 : -ENOMEM;
}

void vpce_drain_uninit(void)
{
	destroy_workqueue(vpce_wq);
}

static void vpce_drain_work(struct work_struct *work)
{
	struct vpce_drain *d = container_of(to_delayed_work(work),
					    struct vpce_drain, work);
	struct vpce_net *vn = d->vn;

	mutex_lock(&vn->lock);
	if (!d->dead) {
		struct vpce_flow_match m = { .svc = d->svc, .target = &d->addr };

		list_del(&d->node);
		/* The target stays, draining, with no flows: as after the
		 * NLB's deregistration delay, it takes no new ones.
		 */
		vpce_flows_end(vn, &m);
	}
	mutex_unlock(&vn->lock);
	kfree(d);
}

struct vpce_drain *vpce_drain_alloc(struct vpce_net *vn,
				    struct vpce_service *svc,
				    const struct vpce_addr *addr)
{
	struct vpce_drain *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);

	if (!d)
		return NULL;
	INIT_DELAYED_WORK(&d->work, vpce_drain_work);
	INIT_LIST_HEAD(&d->node);
	d->vn = vn;
	d->svc = svc;
	d->addr = *addr;
	return d;
}

void vpce_drain_start(struct vpce_drain *d, unsigned int delay_secs)
{
	lockdep_assert_held(&d->vn->lock);
	d->deadline = jiffies + (unsigned long)delay_secs * HZ;
	list_add_tail(&d->node, &d->svc->drains);
	queue_delayed_work(vpce_wq, &d->work, (unsigned long)delay_secs * HZ);
}

struct vpce_drain *vpce_drain_find(const struct vpce_service *svc,
				   const struct vpce_addr *addr)
{
	struct vpce_drain *d;

	list_for_each_entry(d, &svc->drains, node)
		if (vpce_addr_eq(&d->addr, addr))
			return d;
	return NULL;
}

static void vpce_drain_kill(struct vpce_drain *d)
{
	lockdep_assert_held(&d->vn->lock);
	list_del(&d->node);
	if (cancel_delayed_work(&d->work))
		kfree(d);
	else
		d->dead = true;	/* running: it frees itself */
}

void vpce_drain_stop(struct vpce_service *svc, const struct vpce_addr *addr)
{
	struct vpce_drain *d = vpce_drain_find(svc, addr);

	if (d)
		vpce_drain_kill(d);
}

void vpce_drain_stop_all(struct vpce_service *svc)
{
	struct vpce_drain *d, *tmp;

	list_for_each_entry_safe(d, tmp, &svc->drains, node)
		vpce_drain_kill(d);
}

void vpce_drain_flush(void)
{
	flush_workqueue(vpce_wq);
}
