// SPDX-License-Identifier: GPL-2.0
/* vpcectl endpoint add|del|show */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "vpcectl.h"

/*
 * After "policy" or "policy-json" (KW): the document, read and validated
 * now, so that a bad one sends nothing. PREV is the one already given.
 */
static struct policy *arg_policy(struct args *a, const char *kw,
				 const struct policy *prev)
{
	struct policy *pol;

	if (prev)
		die_usage("%s: \"policy\" may be given only once", cur_cmd);
	pol = kw_is(kw, "policy") ? policy_load(arg_value(a, kw, "FILE|-")) :
				    policy_load_text(arg_value(a, kw, "JSON"));
	if (!pol)
		exit(EXIT_USAGE);
	return pol;
}

/* After "sg": one more SG, at most VPCE_ENDPOINT_SGS_MAX. */
static void arg_sg(struct args *a, const char *kw, const char **sgs, int *n)
{
	const char *sg = arg_value(a, kw, "SG");

	check_name(sg, "security group name", VPCE_NAME_MAX);
	if (*n == VPCE_ENDPOINT_SGS_MAX)
		die_usage("%s: an endpoint has at most %d security groups",
			  cur_cmd, VPCE_ENDPOINT_SGS_MAX);
	sgs[(*n)++] = sg;
}

static void nl_put_sgs(struct nl_msg *m, const char **sgs, int n)
{
	struct nlattr *arr = nl_nest(m, VPCE_A_SGS);
	int i;

	for (i = 0; i < n; i++)
		nl_put_str(m, i, sgs[i]);
	/* Empty for "sg none": kept, as the kernel needs the attribute. */
	if (nla_nest_end_keep_empty(m, arr) < 0)
		nl_fatal("%s: message too long", cur_cmd);
}

static int endpoint_add(struct args *a)
{
	const char *name = arg_name(a, "EP", "endpoint name");
	bool has_vpc = false, has_svc = false, has_type = false, has_req = false;
	bool has_mark = false, has_id = false;
	struct vpce_addr addrs[VPCE_ADDRS_MAX];
	const char *sgs[VPCE_ENDPOINT_SGS_MAX];
	int nsgs = 0;
	uint32_t mark = 0;
	const char *vpc = NULL, *svc = NULL, *requester = NULL, *id = NULL;
	struct policy *pol = NULL;
	int type = VPCE_TYPE_INTERFACE;
	struct nl_msg *m;
	int naddrs = 0;
	const char *w;

	while ((w = arg_next(a))) {
		if (kw_is(w, "vpc")) {
			arg_once(&has_vpc, w);
			vpc = arg_value(a, w, "VPC");
			check_name(vpc, "VPC name", VPCE_NAME_MAX);
		} else if (kw_is(w, "service")) {
			arg_once(&has_svc, w);
			svc = arg_value(a, w, "SVC");
			check_name(svc, "service name", VPCE_NAME_MAX);
		} else if (kw_is(w, "type")) {
			arg_once(&has_type, w);
			type = parse_type(arg_value(a, w, "interface|gateway"));
		} else if (kw_is(w, "addr")) {
			arg_addr_zone(a, w, addrs, &naddrs, VPCE_ADDRS_MAX);
		} else if (kw_is(w, "zone")) {
			die_usage("%s: \"zone\" must follow \"addr ADDR\"", cur_cmd);
		} else if (kw_is(w, "requester")) {
			arg_once(&has_req, w);
			requester = parse_arn(arg_value(a, w, "ARN"), false);
		} else if (kw_is(w, "policy") || kw_is(w, "policy-json")) {
			pol = arg_policy(a, w, pol);
		} else if (kw_is(w, "mark")) {
			arg_once(&has_mark, w);
			mark = parse_mark(arg_value(a, w, "MARK"));
		} else if (kw_is(w, "id")) {
			arg_once(&has_id, w);
			id = check_endpoint_id(arg_value(a, w, "vpce-ID"));
		} else if (kw_is(w, "sg")) {
			arg_sg(a, w, sgs, &nsgs);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_vpc, "vpc");
	arg_required(has_svc, "service");
	if (type == VPCE_TYPE_GATEWAY) {
		if (naddrs)
			die_usage("%s: a gateway endpoint takes no \"addr\" (the VPC reaches the service's prefixes)",
				  cur_cmd);
		if (nsgs)
			die_usage("%s: a gateway endpoint has no security groups",
				  cur_cmd);
	} else {
		if (has_mark)
			die_usage("%s: \"mark\" is for gateway endpoints (type gateway)", cur_cmd);
		arg_required(naddrs, "addr");
	}

	m = nl_new(VPCE_CMD_ENDPOINT_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_str(m, VPCE_A_VPC, vpc);
	nl_put_str(m, VPCE_A_SERVICE, svc);
	if (has_type)
		nl_put_u8(m, VPCE_A_TYPE, type);
	if (naddrs)
		nl_put_addrs(m, VPCE_A_ADDRS, addrs, naddrs);
	if (has_mark)
		nl_put_u32(m, VPCE_A_MARK, mark);
	if (requester)
		nl_put_str(m, VPCE_A_REQUESTER, requester);
	if (id)
		nl_put_str(m, VPCE_A_ENDPOINT_ID, id);
	if (nsgs)
		nl_put_sgs(m, sgs, nsgs);
	if (pol) {
		policy_put(m, pol);
		policy_free(pol);
	}
	return nl_request(m);
}

static int endpoint_del(struct args *a)
{
	const char *name = arg_name(a, "EP", "endpoint name");
	struct nl_msg *m;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(VPCE_CMD_ENDPOINT_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	return nl_request(m);
}

/* The counters, in the order they are printed: attribute, JSON key, text. */
static const struct {
	int attr;
	const char *key;
	const char *text;
} stats[] = {
	{ VPCE_STATS_A_NEW_CONNECTIONS,	"new_connections",  "new-connections" },
	{ VPCE_STATS_A_DROP_NO_LISTENER, "drop_no_listener", "drop-no-listener" },
	{ VPCE_STATS_A_DROP_STATE,	"drop_state",	    "drop-state" },
	{ VPCE_STATS_A_DROP_NO_TARGET,	"drop_no_target",   "drop-no-target" },
	{ VPCE_STATS_A_DROP_PROTO,	"drop_proto",	    "drop-proto" },
	{ VPCE_STATS_A_DROP_POLICY,	"drop_policy",	    "drop-policy" },
	{ VPCE_STATS_A_RESET_STALE,	"reset_stale",	    "reset-stale" },
	{ VPCE_STATS_A_DROP_FULL,	"drop_full",	    "drop-full" },
	{ VPCE_STATS_A_DROP_INVALID,	"drop_invalid",	    "drop-invalid" },
	{ VPCE_STATS_A_LIMITED,		"limited",	    "limited" },
	{ VPCE_STATS_A_PORT_ALLOC_ERRORS, "port_alloc_errors", "port-alloc-errors" },
	{ VPCE_STATS_A_DROP_SG,		"drop_sg",	    "drop-sg" },
};

static json_t *stats_parse(struct nlattr *nest)
{
	struct nlattr *tb[VPCE_STATS_A_MAX + 1] = { NULL };
	json_t *out = json_object();
	size_t i;

	if (nest && nla_parse_nested(tb, VPCE_STATS_A_MAX, nest, nl_stats_policy) < 0) {
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		json_object_set_new(out, stats[i].key,
				    tb[stats[i].attr] ?
				    json_attr_uint(tb[stats[i].attr]) : json_integer(0));
	return out;
}

/*
 * AWS's IpAddressType of an endpoint: "ipv4", "ipv6" or "dualstack", from
 * the families of its addresses (a gateway endpoint has none: null).
 */
static json_t *ip_address_type(const json_t *addrs)
{
	bool v4 = false, v6 = false;
	const json_t *o;
	size_t i;

	for_each_elem(addrs, i, o) {
		if (strchr(jstr(o, "addr"), ':'))
			v6 = true;
		else
			v4 = true;
	}
	if (v4 && v6)
		return json_string("dualstack");
	if (v4 || v6)
		return json_string(v6 ? "ipv6" : "ipv4");
	return json_null();
}

json_t *endpoint_parse(struct nlattr **tb)
{
	json_t *addrs, *st, *e;

	if (!tb[VPCE_A_NAME])
		return NULL;
	addrs = json_addr_array(tb[VPCE_A_ADDRS]);
	st = stats_parse(tb[VPCE_A_STATS]);
	if (!addrs || !st) {
		json_decref(addrs);
		json_decref(st);
		return NULL;
	}
	/* The policy's text comes only to administrators; null otherwise,
	 * and for the default (full access) policy.
	 */
	e = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"name", json_attr_str(tb[VPCE_A_NAME]),
		"id", json_attr_str(tb[VPCE_A_ENDPOINT_ID]),
		"ip_address_type", ip_address_type(addrs),
		"policy", json_attr_str(tb[VPCE_A_POLICY_TEXT]),
		"owner", tb[VPCE_A_OWNER] ?
			json_account(nla_get_u64(tb[VPCE_A_OWNER])) : json_null(),
		"requester", json_attr_str(tb[VPCE_A_REQUESTER]),
		"created", json_time(tb[VPCE_A_CREATED]),
		"type", json_enum(tb[VPCE_A_TYPE], type_names, ARRAY_SIZE(type_names)),
		"vpc", json_attr_str(tb[VPCE_A_VPC]),
		"service", json_attr_str(tb[VPCE_A_SERVICE]),
		"state", json_enum(tb[VPCE_A_STATE], state_names,
				   ARRAY_SIZE(state_names)),
		"addresses", addrs,
		"stats", st);
	if (!e)
		return NULL;
	json_object_set_new(e, "sgs", json_str_array(tb[VPCE_A_SGS]));
	json_object_set_new(e, "flow_log", json_flow_log(tb));
	/* A gateway endpoint's mark; null for none and for interface ones. */
	json_object_set_new(e, "mark", tb[VPCE_A_MARK] &&
			    nla_get_u32(tb[VPCE_A_MARK]) ?
			    json_attr_uint(tb[VPCE_A_MARK]) : json_null());
	return e;
}

/*
 * endpoint e1 id vpce-0a1b2c3d4e5f60718 vpc v1 service s1 type interface
 *     state available addr 10.0.0.100 zone az1 ip-address-type ipv4
 *     requester ARN                                             (one line)
 *     new-connections 0 drop-no-listener 0 drop-state 0 drop-no-target 0 drop-proto 0
 */
static void endpoint_print(const json_t *e)
{
	const json_t *o, *fl, *st = json_object_get(e, "stats");
	size_t i;

	printf("endpoint %s id %s vpc %s service %s type %s state %s",
	       jstr(e, "name"), jstr(e, "id"), jstr(e, "vpc"), jstr(e, "service"),
	       jstr(e, "type"), jstr(e, "state"));
	for_each_elem(json_object_get(e, "addresses"), i, o)
		print_addr("addr", o);
	if (json_string_value(json_object_get(e, "ip_address_type")))
		printf(" ip-address-type %s", jstr(e, "ip_address_type"));
	if (json_is_integer(json_object_get(e, "mark")))
		printf(" mark 0x%llx", (unsigned long long)jint(e, "mark"));
	printf(" requester %s", jstr(e, "requester"));
	fl = json_object_get(e, "flow_log");
	if (json_is_object(fl))
		printf(" flow-log on aggregation %" JSON_INTEGER_FORMAT
		       " sample %" JSON_INTEGER_FORMAT,
		       jint(fl, "aggregation"), jint(fl, "sample"));
	printf("\n   ");
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		printf(" %s %" JSON_INTEGER_FORMAT, stats[i].text, jint(st, stats[i].key));
	printf("\n");
	if (json_array_size(json_object_get(e, "sgs"))) {
		printf("    security-groups");
		for_each_elem(json_object_get(e, "sgs"), i, o)
			printf(" %s", json_string_value(o));
		printf("\n");
	}
	print_text_block("policy", json_string_value(json_object_get(e, "policy")));
}

static int endpoint_show(struct args *a)
{
	const char *name = arg_opt_name(a, "endpoint name");
	json_t *out = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_ENDPOINT_GET, !name);
	if (name)
		nl_put_str(m, VPCE_A_NAME, name);
	ret = nl_query(m, endpoint_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, endpoint_print);
	return 0;
}

/* endpoint set EP addr add ADDR [zone AZ] | addr del ADDR */
static int endpoint_addr(const char *name, struct args *a)
{
	const char *op = arg_value(a, "addr", "add or del");
	struct vpce_addr addr;
	struct nl_msg *m;
	int n = 0;
	bool add;

	if (kw_is(op, "add"))
		add = true;
	else if (kw_is(op, "del") || kw_is(op, "delete"))
		add = false;
	else
		die_usage("%s: \"addr\" needs add or del, not \"%s\"", cur_cmd, op);
	arg_addr_zone(a, op, &addr, &n, 1);
	if (!add && addr.zone[0])
		die_usage("%s: \"addr del\" takes no zone (an address is in one)",
			  cur_cmd);
	if (arg_peek(a))
		die_usage("%s: \"addr %s\" takes one address and nothing else (\"%s\")",
			  cur_cmd, op, arg_peek(a));
	m = nl_new(add ? VPCE_CMD_ENDPOINT_ADDR_ADD : VPCE_CMD_ENDPOINT_ADDR_DEL,
		   false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_addr(m, VPCE_A_ADDR, &addr);
	return nl_request(m);
}

/* endpoint set EP sg SG [sg SG]... | sg none */
static int endpoint_sgs(const char *name, struct args *a)
{
	const char *sgs[VPCE_ENDPOINT_SGS_MAX], *w;
	bool none = false;
	struct nl_msg *m;
	int n = 0;

	while ((w = arg_next(a))) {
		if (!kw_is(w, "sg"))
			die_usage("%s: \"sg\" comes alone: \"%s\" cannot follow it",
				  cur_cmd, w);
		if (kw_is(arg_peek(a), "none")) {
			arg_next(a);
			none = true;
			continue;
		}
		arg_sg(a, w, sgs, &n);
	}
	if (none && n)
		die_usage("%s: \"sg none\" clears the security groups: no other \"sg\"",
			  cur_cmd);
	m = nl_new(VPCE_CMD_ENDPOINT_SG_SET, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_sgs(m, sgs, n);
	return nl_request(m);
}

/* endpoint set EP [policy FILE|-] [flow-log on|off [aggregation 60|600] [sample 1-100]] */
static int endpoint_set(struct args *a)
{
	const char *name = arg_name(a, "EP", "endpoint name");
	unsigned int agg = 0, sample = 0;
	bool has_fl = false, fl = false;
	struct policy *pol = NULL;
	struct nl_msg *m;
	const char *w;

	if (kw_is(arg_peek(a), "addr")) {
		arg_next(a);
		return endpoint_addr(name, a);
	}
	if (kw_is(arg_peek(a), "sg"))
		return endpoint_sgs(name, a);
	while ((w = arg_next(a))) {
		if (kw_is(w, "addr"))
			die_usage("%s: \"addr add|del\" comes alone, first after the endpoint's name",
				  cur_cmd);
		if (kw_is(w, "policy") || kw_is(w, "policy-json")) {
			pol = arg_policy(a, w, pol);
		} else if (kw_is(w, "flow-log")) {
			arg_once(&has_fl, w);
			arg_flow_log(a, w, &fl, &agg, &sample);
		} else {
			arg_unknown(w);
		}
	}
	if (!pol && !has_fl)
		die_usage("%s: \"policy\", \"flow-log\" or \"sg\" is required", cur_cmd);
	m = nl_new(VPCE_CMD_ENDPOINT_SET, false);
	nl_put_str(m, VPCE_A_NAME, name);
	if (pol) {
		policy_put(m, pol);
		policy_free(pol);
	}
	if (has_fl) {
		nl_put_u8(m, VPCE_A_FLOW_LOG, fl);
		if (agg)
			nl_put_u32(m, VPCE_A_FLOW_LOG_AGGREGATION, agg);
		if (sample)
			nl_put_u8(m, VPCE_A_FLOW_LOG_SAMPLE, sample);
	}
	return nl_request(m);
}

static const struct command endpoint_cmds[] = {
	{ "add",  { NULL },		endpoint_add },
	{ "del",  { "delete" },		endpoint_del },
	{ "show", { "list", "ls" },	endpoint_show },
	{ "set",  { NULL },		endpoint_set },
	{ NULL }
};

const struct object endpoint_object = {
	.name = "endpoint",
	.usage =
	"endpoint add EP vpc VPC service SVC [type interface]\n"
	"        addr ADDR [zone AZ] [addr ADDR [zone AZ]]...\n"
	"        [requester ARN] [policy FILE|- | policy-json JSON] [id vpce-ID]\n"
	"        [sg SG]...\n"
	"endpoint add EP vpc VPC service SVC type gateway [mark MARK]\n"
	"        [requester ARN] [policy FILE|- | policy-json JSON] [id vpce-ID]\n"
	"endpoint set EP policy FILE|- | policy-json JSON\n"
	"endpoint set EP flow-log on|off [aggregation 60|600] [sample 1-100]\n"
	"endpoint set EP addr add ADDR [zone AZ]\n"
	"endpoint set EP addr del ADDR\n"
	"endpoint set EP sg SG [sg SG]... | sg none\n"
	"endpoint del EP\n"
	"endpoint show [EP]\n",
	.cmds = endpoint_cmds,
};
