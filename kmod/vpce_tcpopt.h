/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Finding a TCP option, for the few the data path reads: the window scale
 * of a SYN (vpce_conn_tcp.c), and the timestamps and SACK blocks of a
 * PROXY protocol flow's segments (vpce_proxy.c).
 */

#ifndef _VPCE_TCPOPT_H
#define _VPCE_TCPOPT_H

#include <net/tcp.h>

/*
 * The first option @kind of @th (its whole header in the linear area) of
 * @size bytes, or of any size when @size is 0; NULL when there is none, or
 * the options are malformed before it (as the stack reads them: an option
 * that claims more than is left ends the list).
 */
static inline const u8 *vpce_tcp_option(const struct tcphdr *th, u8 kind,
					u8 size)
{
	const u8 *opt = (const u8 *)(th + 1);
	int left = th->doff * 4 - sizeof(*th);

	while (left > 0) {
		if (opt[0] == TCPOPT_EOL)
			return NULL;
		if (opt[0] == TCPOPT_NOP) {
			opt++;
			left--;
			continue;
		}
		if (left < 2 || opt[1] < 2 || opt[1] > left)
			return NULL;
		if (opt[0] == kind && (!size || opt[1] == size))
			return opt;
		left -= opt[1];
		opt += opt[1];
	}
	return NULL;
}

#endif /* _VPCE_TCPOPT_H */
