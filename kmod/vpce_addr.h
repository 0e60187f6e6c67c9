/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_ADDR_H
#define _VPCE_ADDR_H

#include <linux/netfilter.h>
#include <linux/socket.h>
#include <uapi/linux/vpce.h>

/*
 * An address of either family. Everything that stores or compares addresses
 * goes through this type so that IPv6 only has to be taught to the parsers
 * and the packet builders, not to every object.
 */
struct vpce_addr {
	union nf_inet_addr in;
	u8 family;		/* AF_INET or AF_INET6 */
};

/* An address with the zone it serves; the zone is an index into the zones
 * of the service the address belongs to.
 */
struct vpce_zone_addr {
	struct vpce_addr addr;
	char zone[VPCE_ZONE_MAX + 1];
};

/*
 * Per-family arrays (load balancer addresses, Maglev tables) are indexed by
 * vpce_fam(): IPv4 0, IPv6 1.
 */
#define VPCE_FAMILIES	2

static inline unsigned int vpce_fam(u8 family)
{
	return family == AF_INET6;
}

static inline const char *vpce_fam_name(u8 family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* A prefix: an address with its host bits zero, and its length. */
struct vpce_prefix {
	struct vpce_addr addr;
	u8 plen;
};

static inline bool vpce_addr_eq(const struct vpce_addr *a,
				const struct vpce_addr *b)
{
	return a->family == b->family && nf_inet_addr_cmp(&a->in, &b->in);
}

#endif /* _VPCE_ADDR_H */
