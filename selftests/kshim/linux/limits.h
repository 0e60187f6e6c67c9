/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LIMITS_H
#define KSHIM_LIMITS_H

#define U16_MAX	((unsigned short)~0U)

#endif
