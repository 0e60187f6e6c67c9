/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NAT_H
#define _VPCE_NAT_H

#include "vpce_xmit.h"

#include <linux/netfilter.h>

struct vpce_net;

/*
 * Ports of nlb addresses (the source address targets see): this module's
 * from VPCE_NAT_PORT_MIN, the flows that take conntrack's path (with
 * conntrack=0) from VPCE_NAT_CT_PORT_MIN, own table below that, the host's
 * sockets in ip_local_port_range. See vpce_conn_reply_port().
 */
#define VPCE_NAT_PORT_MIN	1024
#define VPCE_NAT_CT_PORT_MIN	61440

int vpce_nat_register(struct vpce_net *vn);
int vpce_nat_hooks_enable(struct vpce_net *vn);
int vpce_thoff(const struct sk_buff *skb, u8 pf, u8 *proto);
void vpce_nat_unregister(struct vpce_net *vn);

#endif /* _VPCE_NAT_H */
