/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_BITMAP_H
#define KSHIM_BITMAP_H

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#define BITS_PER_LONG (sizeof(long) * CHAR_BIT)
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline unsigned long *bitmap_zalloc(unsigned int nbits, int gfp)
{
	(void)gfp;
	return calloc((nbits + BITS_PER_LONG - 1) / BITS_PER_LONG, sizeof(long));
}

static inline void bitmap_free(unsigned long *map)
{
	free(map);
}

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

#endif
