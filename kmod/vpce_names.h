/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_NAMES_H
#define _VPCE_NAMES_H

#include <linux/rhashtable.h>
#include <linux/list.h>
#include <uapi/linux/vpce.h>

/*
 * A named object: VPCs, services and endpoints each live in a table of their
 * own, found by name in O(1) and listed in creation order. Names are kept
 * NUL-padded to full width so that they can be rhashtable keys as they are.
 * Tables are only touched under the netns configuration mutex.
 */
struct vpce_named {
	struct rhash_head node;
	struct list_head list;
	char name[VPCE_NAME_MAX + 1];
};

struct vpce_names {
	struct rhashtable ht;
	struct list_head list;
	unsigned int count;
};

int vpce_names_init(struct vpce_names *names);
void vpce_names_destroy(struct vpce_names *names);
struct vpce_named *vpce_names_find(struct vpce_names *names, const char *name);
int vpce_names_add(struct vpce_names *names, struct vpce_named *obj);
void vpce_names_del(struct vpce_names *names, struct vpce_named *obj);

#endif /* _VPCE_NAMES_H */
