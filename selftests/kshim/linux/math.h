/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_MATH_H
#define KSHIM_MATH_H

#include <linux/types.h>

/* As include/linux/math.h: [0, 2^32) scaled onto [0, ep_ro). */
static inline u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

#endif
