// SPDX-License-Identifier: GPL-2.0
/* vpcectl principal add|del|show: who the sources of a VPC prefix are */
#include <stdio.h>

#include "vpcectl.h"

/* principal VPC prefix CIDR [arn ARN]: the add and del command lines. */
static int principal_change(struct args *a, uint8_t cmd)
{
	const char *vpc = arg_name(a, "VPC", "VPC name");
	bool has_prefix = false, has_arn = false;
	bool add = cmd == VPCE_CMD_PRINCIPAL_ADD;
	struct vpce_addr prefix;
	const char *arn = NULL, *w;
	struct nl_msg *m;
	uint8_t plen = 0;

	while ((w = arg_next(a))) {
		if (kw_is(w, "prefix")) {
			arg_once(&has_prefix, w);
			parse_prefix(arg_value(a, w, "CIDR"), &prefix, &plen);
		} else if (add && kw_is(w, "arn")) {
			arg_once(&has_arn, w);
			arn = parse_arn(arg_value(a, w, "ARN"), false);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_prefix, "prefix");
	if (add)
		arg_required(has_arn, "arn");
	m = nl_new(cmd, false);
	nl_put_str(m, VPCE_A_VPC, vpc);
	nl_put_prefix(m, VPCE_A_PREFIX, &prefix, plen);
	if (arn)
		nl_put_str(m, VPCE_A_PRINCIPAL, arn);
	return nl_request(m);
}

static int principal_add(struct args *a)
{
	return principal_change(a, VPCE_CMD_PRINCIPAL_ADD);
}

static int principal_del(struct args *a)
{
	return principal_change(a, VPCE_CMD_PRINCIPAL_DEL);
}

json_t *principal_parse(struct nlattr **tb)
{
	json_t *prefix;

	if (!tb[VPCE_A_VPC] || !tb[VPCE_A_PRINCIPAL])
		return NULL;
	prefix = json_prefix(tb[VPCE_A_PREFIX]);
	if (!prefix)
		return NULL;
	return json_pack("{s:o, s:o, s:o}",
		"vpc", json_attr_str(tb[VPCE_A_VPC]),
		"prefix", prefix,
		"arn", json_attr_str(tb[VPCE_A_PRINCIPAL]));
}

/* principal v1 prefix 10.0.0.0/28 arn arn:aws:iam::111111111111:role/web */
static void principal_print(const json_t *p)
{
	printf("principal %s prefix %s arn %s\n", jstr(p, "vpc"),
	       jstr(p, "prefix"), jstr(p, "arn"));
}

static int principal_show(struct args *a)
{
	const char *vpc = arg_opt_name(a, "VPC name");
	json_t *out = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_PRINCIPAL_GET, true);
	if (vpc)
		nl_put_str(m, VPCE_A_VPC, vpc);
	ret = nl_query(m, principal_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, principal_print);
	return 0;
}

static const struct command principal_cmds[] = {
	{ "add",  { NULL },		principal_add },
	{ "del",  { "delete" },		principal_del },
	{ "show", { "list", "ls" },	principal_show },
	{ NULL }
};

const struct object principal_object = {
	.name = "principal",
	.usage =
	"principal add VPC prefix CIDR arn ARN\n"
	"principal del VPC prefix CIDR\n"
	"principal show [VPC]\n",
	.cmds = principal_cmds,
};
