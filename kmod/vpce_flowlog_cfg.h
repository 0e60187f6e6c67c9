/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * An endpoint's flow log setting in one byte (vpce_endpoint.flowlog), so
 * that a flow reads all of it at once when it starts (READ_ONCE) and the
 * endpoint stays in its slab: 0 when off, else the percentage of flows
 * sampled (1..100) and whether records cover 60 s rather than 600 s.
 */

#ifndef _VPCE_FLOWLOG_CFG_H
#define _VPCE_FLOWLOG_CFG_H

#include <linux/bits.h>
#include <linux/types.h>

#define VPCE_FL_SAMPLE_MASK	0x7f
#define VPCE_FL_AGG60		BIT(7)
/* AWS's default aggregation interval, and the other one it offers. */
#define VPCE_FL_AGG_DEFAULT	600
#define VPCE_FL_AGG_SHORT	60
#define VPCE_FL_SAMPLE_ALL	100

static inline u8 vpce_fl_encode(bool on, u32 aggregation, u8 sample)
{
	if (!on)
		return 0;
	return (sample & VPCE_FL_SAMPLE_MASK) |
		(aggregation == VPCE_FL_AGG_SHORT ? VPCE_FL_AGG60 : 0);
}

static inline u8 vpce_fl_sample(u8 fl)
{
	return fl & VPCE_FL_SAMPLE_MASK;
}

static inline u32 vpce_fl_aggregation(u8 fl)
{
	return fl & VPCE_FL_AGG60 ? VPCE_FL_AGG_SHORT : VPCE_FL_AGG_DEFAULT;
}

#endif /* _VPCE_FLOWLOG_CFG_H */
