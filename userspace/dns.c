// SPDX-License-Identifier: GPL-2.0
/* vpcectl dns show */
#include "vpcectl.h"

static const struct command dns_cmds[] = {
	{ "show", { "list", "ls" }, NULL },
	{ NULL }
};

const struct object dns_object = {
	.name = "dns",
	.usage = "dns show [EP] [format hosts]\n",
	.cmds = dns_cmds,
};
