// SPDX-License-Identifier: GPL-2.0
/* vpcectl vpc add|del|show */
#include <net/if.h>
#include <stdio.h>

#include "vpcectl.h"

static int vpc_add(struct args *a)
{
	const char *name = arg_name(a, "VPC", "VPC name");
	uint32_t ifindex[VPCE_DEVICES_MAX];
	bool has_account = false;
	uint64_t account = 0;
	struct nlattr *arr;
	struct nl_msg *m;
	int ndev = 0, i;
	const char *w;

	while ((w = arg_next(a))) {
		if (kw_is(w, "account")) {
			arg_once(&has_account, w);
			account = parse_account(arg_value(a, w, "ACCOUNT"));
		} else if (kw_is(w, "dev")) {
			const char *dev = arg_value(a, w, "IFNAME");

			if (ndev == VPCE_DEVICES_MAX)
				die_usage("%s: too many \"dev\" (at most %d)",
					  cur_cmd, VPCE_DEVICES_MAX);
			ifindex[ndev] = if_nametoindex(dev);
			if (!ifindex[ndev])
				die_usage("unknown device \"%s\"", dev);
			ndev++;
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_account, "account");
	arg_required(ndev, "dev");

	m = nl_new(VPCE_CMD_VPC_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_u64(m, VPCE_A_ACCOUNT, account);
	arr = nl_nest(m, VPCE_A_DEVICES);
	for (i = 0; i < ndev; i++) {
		struct nlattr *dev = nl_nest(m, i);

		nl_put_u32(m, VPCE_DEV_A_IFINDEX, ifindex[i]);
		nl_nest_end(m, dev);
	}
	nl_nest_end(m, arr);
	return nl_request(m);
}

static int vpc_del(struct args *a)
{
	const char *name = arg_name(a, "VPC", "VPC name");
	struct nl_msg *m;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(VPCE_CMD_VPC_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	return nl_request(m);
}

static struct nla_policy dev_policy[VPCE_DEV_A_MAX + 1] = {
	[VPCE_DEV_A_IFINDEX]	= { .type = NLA_U32 },
	[VPCE_DEV_A_NAME]	= { .type = NLA_STRING },
	[VPCE_DEV_A_CT_ZONE]	= { .type = NLA_U16 },
};

json_t *vpc_parse(struct nlattr **tb)
{
	json_t *devs = json_array();
	struct nlattr *child;
	int rem;

	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_ACCOUNT])
		goto bad;
	if (tb[VPCE_A_DEVICES]) {
		nla_for_each_nested(child, tb[VPCE_A_DEVICES], rem) {
			struct nlattr *d[VPCE_DEV_A_MAX + 1];

			if (nla_parse_nested(d, VPCE_DEV_A_MAX, child, dev_policy) < 0 ||
			    !d[VPCE_DEV_A_IFINDEX])
				goto bad;
			json_array_append_new(devs, json_pack("{s:o, s:o, s:o}",
				"name", json_attr_str(d[VPCE_DEV_A_NAME]),
				"ifindex", json_attr_uint(d[VPCE_DEV_A_IFINDEX]),
				"ct_zone", json_attr_uint(d[VPCE_DEV_A_CT_ZONE])));
		}
	}
	return json_pack("{s:o, s:o, s:o, s:o}",
		"name", json_attr_str(tb[VPCE_A_NAME]),
		"account", json_account(nla_get_u64(tb[VPCE_A_ACCOUNT])),
		"devices", devs,
		"endpoint_count", json_attr_uint(tb[VPCE_A_ENDPOINT_COUNT]));
bad:
	json_decref(devs);
	return NULL;
}

/* vpc v1 account 111111111111 dev veth-a (zone 17) endpoints 1 */
static void vpc_print(const json_t *v)
{
	const json_t *d;
	size_t i;

	printf("vpc %s account %s", jstr(v, "name"), jstr(v, "account"));
	for_each_elem(json_object_get(v, "devices"), i, d) {
		if (json_is_string(json_object_get(d, "name")))
			printf(" dev %s", jstr(d, "name"));
		else
			printf(" dev if%" JSON_INTEGER_FORMAT, jint(d, "ifindex"));
		if (json_is_integer(json_object_get(d, "ct_zone")))
			printf(" (zone %" JSON_INTEGER_FORMAT ")", jint(d, "ct_zone"));
	}
	printf(" endpoints %" JSON_INTEGER_FORMAT "\n", jint(v, "endpoint_count"));
}

static int vpc_show(struct args *a)
{
	const char *name = arg_opt_name(a, "VPC name");
	json_t *out = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_VPC_GET, !name);
	if (name)
		nl_put_str(m, VPCE_A_NAME, name);
	ret = nl_query(m, vpc_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, vpc_print);
	return 0;
}

static const struct command vpc_cmds[] = {
	{ "add",  { NULL },		vpc_add },
	{ "del",  { "delete" },		vpc_del },
	{ "show", { "list", "ls" },	vpc_show },
	{ NULL }
};

const struct object vpc_object = {
	.name = "vpc",
	.usage =
	"vpc add VPC account ACCOUNT dev IFNAME [dev IFNAME]...\n"
	"vpc del VPC\n"
	"vpc show [VPC]\n",
	.cmds = vpc_cmds,
};
