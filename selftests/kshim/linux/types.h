/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/kshim: just enough of the kernel's API to compile
 * kmod/vpce_maglev.c as a userspace program (selftests/maglev.c). Only
 * selftests/maglev.c puts this directory on its include path.
 */
#ifndef KSHIM_TYPES_H
#define KSHIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
