/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * What newer kernels have and 6.1 lacks, so that the rest of the code is
 * written as for a current kernel. Each backport is guarded by the symbol
 * it stands in for, and goes away by itself on a kernel that has it.
 */

#ifndef _VPCE_COMPAT_H
#define _VPCE_COMPAT_H

#include <linux/compiler.h>
#include <linux/netlink.h>

#ifndef NL_SET_ERR_MSG_FMT
/*
 * Linux 6.2 added NL_SET_ERR_MSG_FMT(), which formats into a buffer inside
 * struct netlink_ext_ack. 6.1's struct has no such buffer, and an extack
 * message is a pointer that netlink_ack() reads only once the handler has
 * returned. So the text goes into a ring of slots, each overwritten only
 * after as many newer messages as there are slots: long after its ack has
 * been sent (see compat.c). Messages are cut at VPCE_COMPAT_MSG_LEN bytes;
 * the kernel's own macro cuts them at 80 (NETLINK_MAX_FMTMSG_LEN), shorter
 * than some of ours that name ARNs, which tests on 6.1 see whole.
 */
#define VPCE_COMPAT_MSG_LEN	256

__printf(2, 3)
void vpce_compat_extack_fmt(struct netlink_ext_ack *extack,
			    const char *fmt, ...);

#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) \
	vpce_compat_extack_fmt(extack, fmt, ##args)
#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, args...) \
	NL_SET_ERR_MSG_FMT(extack, KBUILD_MODNAME ": " fmt, ##args)
#endif

#endif /* _VPCE_COMPAT_H */
