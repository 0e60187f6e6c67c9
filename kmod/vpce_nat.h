/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NAT_H
#define _VPCE_NAT_H

struct vpce_net;
struct vpce_dev;
struct nf_conn;

int vpce_nat_register(struct vpce_net *vn);
void vpce_nat_unregister(struct vpce_net *vn);
void vpce_flow_reset(struct vpce_net *vn, const struct nf_conn *ct,
		     const struct vpce_dev *d);

#endif /* _VPCE_NAT_H */
