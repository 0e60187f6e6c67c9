/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_SLAB_H
#define KSHIM_SLAB_H

#include <stdlib.h>

#define GFP_KERNEL 0
#define GFP_KERNEL_ACCOUNT 0
#define kmalloc_array(n, size, gfp) malloc((n) * (size))
#define kvmalloc_array(n, size, gfp) malloc((n) * (size))
#define kcalloc(n, size, gfp) calloc(n, size)
#define kzalloc(size, gfp) calloc(1, size)
#define kfree(p) free(p)
#define kvfree(p) free(p)

#endif
