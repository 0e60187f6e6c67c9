// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_names.h"

#include <linux/string.h>

static const struct rhashtable_params vpce_names_params = {
	.key_len = VPCE_NAME_MAX + 1,
	.key_offset = offsetof(struct vpce_named, name),
	.head_offset = offsetof(struct vpce_named, node),
	.automatic_shrinking = true,
};

int vpce_names_init(struct vpce_names *names)
{
	INIT_LIST_HEAD(&names->list);
	names->count = 0;
	return rhashtable_init(&names->ht, &vpce_names_params);
}

void vpce_names_destroy(struct vpce_names *names)
{
	rhashtable_destroy(&names->ht);
}

struct vpce_named *vpce_names_find(struct vpce_names *names, const char *name)
{
	char key[VPCE_NAME_MAX + 1] = {};

	strscpy(key, name, sizeof(key));
	return rhashtable_lookup_fast(&names->ht, key, vpce_names_params);
}

/* The caller has filled obj->name through strscpy_pad(). */
int vpce_names_add(struct vpce_names *names, struct vpce_named *obj)
{
	int ret;

	ret = rhashtable_lookup_insert_fast(&names->ht, &obj->node,
					    vpce_names_params);
	if (ret)
		return ret;
	list_add_tail(&obj->list, &names->list);
	names->count++;
	return 0;
}

void vpce_names_del(struct vpce_names *names, struct vpce_named *obj)
{
	rhashtable_remove_fast(&names->ht, &obj->node, vpce_names_params);
	list_del(&obj->list);
	names->count--;
}
