// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Backports for 6.1: see compat.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#include <linux/atomic.h>
#include <linux/kernel.h>

#ifdef VPCE_COMPAT_MSG_LEN
/*
 * Extended ack messages that name things ("principal X may not connect to
 * service Y"), for NL_SET_ERR_MSG_FMT(). 64 slots: a slot is reused only
 * after 63 newer messages, by which time the ack that pointed at it has
 * long been sent. The index is atomic because the family runs its handlers
 * in parallel (parallel_ops).
 */
#define VPCE_COMPAT_MSG_SLOTS	64

static char vpce_compat_msgs[VPCE_COMPAT_MSG_SLOTS][VPCE_COMPAT_MSG_LEN];
static atomic_t vpce_compat_msg_next = ATOMIC_INIT(0);

void vpce_compat_extack_fmt(struct netlink_ext_ack *extack,
			    const char *fmt, ...)
{
	unsigned int i;
	va_list args;

	if (!extack)
		return;
	i = (unsigned int)atomic_inc_return(&vpce_compat_msg_next) %
	    VPCE_COMPAT_MSG_SLOTS;
	va_start(args, fmt);
	vsnprintf(vpce_compat_msgs[i], VPCE_COMPAT_MSG_LEN, fmt, args);
	va_end(args);
	extack->_msg = vpce_compat_msgs[i];
}
#endif
