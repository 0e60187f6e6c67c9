/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NETLINK_H
#define _VPCE_NETLINK_H

int vpce_genl_init(void);
void vpce_genl_uninit(void);

#endif /* _VPCE_NETLINK_H */
