/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_SORT_H
#define KSHIM_SORT_H

#include <stdlib.h>

/* The kernel's sort() takes a swap function too; NULL means memory swap. */
#define sort(base, num, size, cmp, swap) qsort(base, num, size, cmp)

#endif
