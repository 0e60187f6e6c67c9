/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_COUNTERS_H
#define _VPCE_COUNTERS_H

#include <linux/types.h>

struct vpce_counters_block;

/*
 * An owner's per-CPU counter sets, from the pool in vpce_stats.c: @n sets,
 * consecutive from slot @slot of @blk in every CPU's page. Endpoints and
 * services embed one; it is here rather than in vpce_stats.h because that
 * includes vpce_endpoint.h.
 */
struct vpce_counters_ref {
	struct vpce_counters_block *blk;
	u8 slot;
	u8 n;
};

#endif /* _VPCE_COUNTERS_H */
