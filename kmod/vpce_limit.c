// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Token buckets for what vpce sends on its own (see vpce_limit.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_limit.h"

#include <linux/jiffies.h>
#include <linux/minmax.h>

bool vpce_limit_take(struct vpce_limit *l, int rate, int burst)
{
	u32 now = jiffies, old = READ_ONCE(l->stamp);
	u32 delta = min_t(u32, now - old, HZ);
	int incr, cur, new;

	/*
	 * Refill at most every 20 ms, so that the increment is whole at any
	 * rate that matters, and by at most a second's worth. CPUs that race
	 * here may both see an empty bucket; only one adds to it.
	 */
	if (delta >= HZ / 50) {
		incr = rate * delta / HZ;
		if (incr && cmpxchg(&l->stamp, old, now) == old) {
			cur = atomic_read(&l->credit);
			do {
				new = min(cur + incr, burst);
			} while (!atomic_try_cmpxchg(&l->credit, &cur, new));
		}
	}
	return atomic_dec_if_positive(&l->credit) >= 0;
}
