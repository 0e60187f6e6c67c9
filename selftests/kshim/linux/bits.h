/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel header of the same name. */
#ifndef _KSHIM_LINUX_BITS_H
#define _KSHIM_LINUX_BITS_H

#define BIT(nr)	(1UL << (nr))

#endif
