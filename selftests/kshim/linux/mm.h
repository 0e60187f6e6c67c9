/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_MM_H
#define KSHIM_MM_H

#include <linux/slab.h>

#define kvzalloc(size, gfp) calloc(1, size)
/* No readers run concurrently here: no grace period to wait for. */
#define kvfree_rcu(p, field) free(p)

#endif
