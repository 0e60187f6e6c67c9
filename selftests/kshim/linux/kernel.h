/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_KERNEL_H
#define KSHIM_KERNEL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/limits.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a)	(((x) + (a) - 1) & ~((typeof(x))(a) - 1))

/* A kernel warning is a bug in the code under test: stop there. */
#define WARN_ON_ONCE(cond) ({						\
	int __c = !!(cond);						\
	if (__c) {							\
		fprintf(stderr, "WARN_ON_ONCE(%s) at %s:%d\n", #cond,	\
			__FILE__, __LINE__);				\
		abort();						\
	}								\
	__c;								\
})

/* As lib/kstrtox.c: the whole string, digits only, no overflow. */
static inline int kstrtou64(const char *s, unsigned int base, u64 *res)
{
	u64 v = 0;

	if (base != 10 || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (u64)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (u64)(*s - '0');
	}
	*res = v;
	return 0;
}

#endif
