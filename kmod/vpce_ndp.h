/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NDP_H
#define _VPCE_NDP_H

#include <linux/netfilter.h>

unsigned int vpce_ndp_in(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);

#endif /* _VPCE_NDP_H */
