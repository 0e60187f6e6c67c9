/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_MINMAX_H
#define KSHIM_MINMAX_H

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))

#endif
