// SPDX-License-Identifier: GPL-2.0
/* vpcectl vpc add|del|show */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

/* "dev IFNAME" as an ifindex; the device must exist here and now. */
static uint32_t dev_index(struct args *a, const char *w)
{
	const char *dev = arg_value(a, w, "IFNAME");
	uint32_t ifindex = if_nametoindex(dev);

	if (!ifindex)
		die_usage("unknown device \"%s\"", dev);
	return ifindex;
}

/* A nested array of devices, as VPCE_A_DEVICES and VPCE_A_DEVICES_DEL. */
static void put_devs(struct nl_msg *m, int type, const uint32_t *ifindex,
		     int n)
{
	struct nlattr *arr;
	int i;

	if (!n)
		return;
	arr = nl_nest(m, type);
	for (i = 0; i < n; i++) {
		struct nlattr *dev = nl_nest(m, i);

		nl_put_u32(m, VPCE_DEV_A_IFINDEX, ifindex[i]);
		nl_nest_end(m, dev);
	}
	nl_nest_end(m, arr);
}

static void too_many_devs(void)
{
	die_usage("%s: too many \"dev\" (a VPC has at most %d)", cur_cmd,
		  VPCE_DEVICES_MAX);
}

static int vpc_add(struct args *a)
{
	const char *name = arg_name(a, "VPC", "VPC name");
	static uint32_t ifindex[VPCE_DEVICES_MAX];
	bool has_account = false, has_vrf = false;
	uint32_t vrf = 0;
	uint64_t account = 0;
	struct nl_msg *m;
	const char *w;
	int ndev = 0;

	while ((w = arg_next(a))) {
		if (kw_is(w, "account")) {
			arg_once(&has_account, w);
			account = parse_account(arg_value(a, w, "ACCOUNT"));
		} else if (kw_is(w, "vrf")) {
			arg_once(&has_vrf, w);
			vrf = dev_index(a, w);
		} else if (kw_is(w, "dev")) {
			if (ndev == VPCE_DEVICES_MAX)
				too_many_devs();
			ifindex[ndev++] = dev_index(a, w);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_account, "account");
	if (has_vrf && ndev)
		die_usage("%s: \"vrf\" or \"dev\", not both: a VRF's devices are the VPC's",
			  cur_cmd);

	m = nl_new(VPCE_CMD_VPC_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_u64(m, VPCE_A_ACCOUNT, account);
	put_devs(m, VPCE_A_DEVICES, ifindex, ndev);
	if (has_vrf) {
		struct nlattr *nest = nl_nest(m, VPCE_A_VRF);

		nl_put_u32(m, VPCE_DEV_A_IFINDEX, vrf);
		nl_nest_end(m, nest);
	}
	return nl_request(m);
}

/* vpc set VPC dev add IFNAME | dev del IFNAME, as many as wanted. */
static int vpc_set(struct args *a)
{
	const char *name = arg_name(a, "VPC", "VPC name");
	static uint32_t add[VPCE_DEVICES_MAX], del[VPCE_DEVICES_MAX];
	int nadd = 0, ndel = 0;
	struct nl_msg *m;
	const char *w;

	while ((w = arg_next(a))) {
		const char *op;

		if (!kw_is(w, "dev"))
			arg_unknown(w);
		op = arg_value(a, w, "add|del");
		if (kw_is(op, "add")) {
			if (nadd == VPCE_DEVICES_MAX)
				too_many_devs();
			add[nadd++] = dev_index(a, "dev add");
		} else if (kw_is(op, "del") || kw_is(op, "delete")) {
			if (ndel == VPCE_DEVICES_MAX)
				too_many_devs();
			del[ndel++] = dev_index(a, "dev del");
		} else {
			die_usage("%s: \"dev\" takes \"add IFNAME\" or \"del IFNAME\", not \"%s\"",
				  cur_cmd, op);
		}
	}
	if (!nadd && !ndel)
		die_usage("%s: nothing to change (dev add IFNAME | dev del IFNAME)",
			  cur_cmd);

	m = nl_new(VPCE_CMD_VPC_SET, false);
	nl_put_str(m, VPCE_A_NAME, name);
	put_devs(m, VPCE_A_DEVICES, add, nadd);
	put_devs(m, VPCE_A_DEVICES_DEL, del, ndel);
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
	struct nlattr *d[VPCE_DEV_A_MAX + 1];
	json_t *v;

	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_ACCOUNT])
		return NULL;
	v = json_pack("{s:o, s:o, s:o, s:o, s:o}",
		"name", json_attr_str(tb[VPCE_A_NAME]),
		"account", json_account(nla_get_u64(tb[VPCE_A_ACCOUNT])),
		"devices", json_array(),
		"device_count", json_attr_uint(tb[VPCE_A_DEVICE_COUNT]),
		"endpoint_count", json_attr_uint(tb[VPCE_A_ENDPOINT_COUNT]));
	/* Which form: "vrf" for a VPC bound to a VRF, else its devices. */
	if (tb[VPCE_A_VRF]) {
		if (nla_parse_nested(d, VPCE_DEV_A_MAX, tb[VPCE_A_VRF], dev_policy) < 0 ||
		    !d[VPCE_DEV_A_IFINDEX]) {
			json_decref(v);
			return NULL;
		}
		json_object_set_new(v, "vrf", json_pack("{s:o, s:o}",
			"name", json_attr_str(d[VPCE_DEV_A_NAME]),
			"ifindex", json_attr_uint(d[VPCE_DEV_A_IFINDEX])));
	}
	return v;
}

/* A VPCE_CMD_DEV_GET message: {"vpc", "name", "ifindex", "ct_zone"}. */
static json_t *dev_parse(struct nlattr **tb)
{
	struct nlattr *d[VPCE_DEV_A_MAX + 1];
	struct nlattr *child;
	int rem;

	if (!tb[VPCE_A_VPC] || !tb[VPCE_A_DEVICES])
		return NULL;
	nla_for_each_nested(child, tb[VPCE_A_DEVICES], rem) {
		if (nla_parse_nested(d, VPCE_DEV_A_MAX, child, dev_policy) < 0 ||
		    !d[VPCE_DEV_A_IFINDEX])
			return NULL;
		return json_pack("{s:o, s:o, s:o, s:o}",
			"vpc", json_attr_str(tb[VPCE_A_VPC]),
			"name", json_attr_str(d[VPCE_DEV_A_NAME]),
			"ifindex", json_attr_uint(d[VPCE_DEV_A_IFINDEX]),
			"ct_zone", json_attr_uint(d[VPCE_DEV_A_CT_ZONE]));
	}
	return NULL;
}

/*
 * The VPCs (all, or @name), each with its "devices": a VPC's devices come
 * in messages of their own, as there may be thousands. NULL when the
 * kernel refused (it said why).
 */
json_t *vpc_dump(const char *name)
{
	json_t *vpcs = json_array(), *devs = json_array();
	json_t *by_name, *v, *d;
	struct nl_msg *m;
	size_t i;

	m = nl_new(VPCE_CMD_VPC_GET, !name);
	if (name)
		nl_put_str(m, VPCE_A_NAME, name);
	if (nl_query(m, vpc_parse, vpcs))
		goto err;
	m = nl_new(VPCE_CMD_DEV_GET, true);
	if (name)
		nl_put_str(m, VPCE_A_VPC, name);
	if (nl_query(m, dev_parse, devs))
		goto err;
	/* The two dumps are two moments: a device of a VPC that came
	 * between them is left out, as the VPC is.
	 */
	by_name = json_object();
	for_each_elem(vpcs, i, v)
		json_object_set(by_name, jstr(v, "name"), v);
	for_each_elem(devs, i, d) {
		v = json_object_get(by_name, jstr(d, "vpc"));
		if (!v)
			continue;
		json_object_del(d, "vpc");
		json_array_append(json_object_get(v, "devices"), d);
	}
	json_decref(by_name);
	json_decref(devs);
	return vpcs;
err:
	json_decref(devs);
	json_decref(vpcs);
	return NULL;
}

/* vpc v1 account 111111111111 dev veth-a (zone 17) endpoints 1 */
static void vpc_print(const json_t *v)
{
	const json_t *vrf = json_object_get(v, "vrf");
	const json_t *d;
	size_t i;

	printf("vpc %s account %s", jstr(v, "name"), jstr(v, "account"));
	if (vrf && json_is_string(json_object_get(vrf, "name")))
		printf(" vrf %s", jstr(vrf, "name"));
	else if (vrf)
		printf(" vrf if%" JSON_INTEGER_FORMAT, jint(vrf, "ifindex"));
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
	json_t *out = vpc_dump(name);

	if (!out)
		return EXIT_KERNEL;
	show(out, vpc_print);
	return 0;
}

static const struct command vpc_cmds[] = {
	{ "add",  { NULL },		vpc_add },
	{ "set",  { NULL },		vpc_set },
	{ "del",  { "delete" },		vpc_del },
	{ "show", { "list", "ls" },	vpc_show },
	{ NULL }
};

const struct object vpc_object = {
	.name = "vpc",
	.usage =
	"vpc add VPC account ACCOUNT [dev IFNAME]... | [vrf VRFDEV]\n"
	"vpc set VPC dev add IFNAME | dev del IFNAME [dev ...]...\n"
	"vpc del VPC\n"
	"vpc show [VPC]\n",
	.cmds = vpc_cmds,
};
