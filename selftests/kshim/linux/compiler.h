/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_COMPILER_H
#define KSHIM_COMPILER_H

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define fallthrough	__attribute__((__fallthrough__))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#endif
