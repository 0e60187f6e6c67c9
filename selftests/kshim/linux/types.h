/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/kshim: just enough of the kernel's API to compile kernel files
 * as userspace code: kmod/vpce_maglev.c (selftests/maglev.c) and the policy
 * evaluator and builder (selftests/policyeval.c). Only those programs put
 * this directory on their include path.
 */
#ifndef KSHIM_TYPES_H
#define KSHIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* The uapi types (__u8, __be32, ...): the system's own header. */
#include_next <linux/types.h>

#include <linux/compiler.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as the kernel: %llu */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

/* Nothing is freed after a grace period here: kvfree_rcu() frees at once. */
struct rcu_head {
	void *unused;
};

#endif
