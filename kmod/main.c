// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce: VPC endpoint services (PrivateLink) for Linux hosts.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_drain.h"
#include "vpce_net.h"
#include "vpce_nl.h"
#include "vpce_vpc.h"

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/vpce.h>

static int __init vpce_init(void)
{
	int ret;

	ret = vpce_drain_init();
	if (ret)
		return ret;
	ret = vpce_net_register();
	if (ret)
		goto err_drain;
	ret = vpce_vpc_notifier_register();
	if (ret)
		goto err_net;
	ret = vpce_genl_init();
	if (ret)
		goto err_notifier;
	pr_info("VPC endpoint services loaded\n");
	return 0;

err_notifier:
	vpce_vpc_notifier_unregister();
err_net:
	vpce_net_unregister();
err_drain:
	vpce_drain_uninit();
	return ret;
}

static void __exit vpce_exit(void)
{
	vpce_genl_uninit();
	vpce_vpc_notifier_unregister();
	vpce_net_unregister();
	vpce_drain_uninit();
}

module_init(vpce_init);
module_exit(vpce_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VPC endpoint services (PrivateLink) for Linux hosts");
MODULE_AUTHOR("The vpce authors");
MODULE_VERSION(VPCE_VERSION);
MODULE_ALIAS_GENL_FAMILY(VPCE_GENL_NAME);
