/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_TIME64_H
#define KSHIM_TIME64_H

#include <linux/types.h>

typedef s64 time64_t;

#endif
