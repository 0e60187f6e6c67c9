/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NETLINK_H
#define _VPCE_NETLINK_H

#include <linux/compiler.h>

struct netlink_ext_ack;

int vpce_genl_init(void);
__printf(2, 3)
void vpce_set_err_fmt(struct netlink_ext_ack *extack, const char *fmt, ...);
void vpce_genl_uninit(void);

#endif /* _VPCE_NETLINK_H */
