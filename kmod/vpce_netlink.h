/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NETLINK_H
#define _VPCE_NETLINK_H

#include <linux/compiler.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct netlink_callback;
struct sk_buff;
struct vpce_addr;
struct vpce_net;

int vpce_genl_init(void);
__printf(2, 3)
void vpce_set_err_fmt(struct netlink_ext_ack *extack, const char *fmt, ...);
void vpce_genl_uninit(void);

/* For the files that build messages of their own (vpce_stats.c). */
typedef int (*vpce_fill_t)(struct sk_buff *skb, struct vpce_net *vn,
			   const void *obj);
int vpce_put_addr(struct sk_buff *skb, int type,
		  const struct vpce_addr *addr, const char *zone);
void vpce_dump_begin(struct netlink_callback *cb, struct vpce_net *vn);
int vpce_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		  u8 cmd, vpce_fill_t fill, struct vpce_net *vn,
		  const void *obj);
int vpce_dump_done(struct sk_buff *skb, int err);

#endif /* _VPCE_NETLINK_H */
