// SPDX-License-Identifier: GPL-2.0
/* vpcectl sg add|del|rule|member|show: security groups */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcectl.h"

static int sg_add(struct args *a)
{
	const char *name = arg_name(a, "SG", "security group name");
	const char *vpc = NULL, *w;
	bool has_vpc = false;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "vpc")) {
			arg_once(&has_vpc, w);
			vpc = arg_value(a, w, "VPC");
			check_name(vpc, "VPC name", VPCE_NAME_MAX);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_vpc, "vpc");
	m = nl_new(VPCE_CMD_SG_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_str(m, VPCE_A_VPC, vpc);
	return nl_request(m);
}

static int sg_del(struct args *a)
{
	const char *name = arg_name(a, "SG", "security group name");
	struct nl_msg *m;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(VPCE_CMD_SG_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	return nl_request(m);
}

/* "add" or "del" after "rule" or "member": whether it is add. */
static bool sg_op(struct args *a, const char *kw)
{
	const char *op = arg_value(a, kw, "add or del");

	if (kw_is(op, "add"))
		return true;
	if (kw_is(op, "del") || kw_is(op, "delete"))
		return false;
	die_usage("%s: \"%s\" needs add or del, not \"%s\"", cur_cmd, kw, op);
}

/* "P" or "P-Q", 1 <= P <= Q <= 65535. */
static void parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char buf[16];

	if (!dash) {
		*lo = *hi = parse_ulong(s, "port", 1, 65535);
		return;
	}
	if ((size_t)(dash - s) >= sizeof(buf) || dash == s)
		die_usage("%s: \"%s\" is not a port range P-Q", cur_cmd, s);
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	*lo = parse_ulong(buf, "port", 1, 65535);
	*hi = parse_ulong(dash + 1, "port", 1, 65535);
	if (*lo > *hi)
		die_usage("%s: port range %s: the first port is above the last",
			  cur_cmd, s);
}

/* sg rule add|del SG PROTO [port P[-Q]] from CIDR | from sg SG2 */
static int sg_rule(struct args *a)
{
	bool add = sg_op(a, "rule"), has_port = false, has_from = false;
	const char *name = arg_name(a, "SG", "security group name");
	const char *proto_s = arg_value(a, "rule", "tcp|udp|all");
	const char *ref = NULL, *w, *v;
	uint16_t lo = 0, hi = 0;
	struct vpce_addr prefix;
	struct nlattr *arr, *r;
	uint8_t proto, plen = 0;
	struct nl_msg *m;

	if (kw_is(proto_s, "tcp"))
		proto = IPPROTO_TCP;
	else if (kw_is(proto_s, "udp"))
		proto = IPPROTO_UDP;
	else if (kw_is(proto_s, "all") || !strcmp(proto_s, "-1"))
		proto = 0;
	else
		die_usage("%s: protocol \"%s\": tcp, udp or all", cur_cmd, proto_s);
	while ((w = arg_next(a))) {
		if (kw_is(w, "port")) {
			arg_once(&has_port, w);
			parse_port_range(arg_value(a, w, "P[-Q]"), &lo, &hi);
		} else if (kw_is(w, "from")) {
			arg_once(&has_from, w);
			v = arg_value(a, w, "CIDR or sg SG");
			if (kw_is(v, "sg")) {
				ref = arg_value(a, "from sg", "SG");
				check_name(ref, "security group name", VPCE_NAME_MAX);
			} else {
				parse_prefix(v, &prefix, &plen);
			}
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_from, "from");
	m = nl_new(add ? VPCE_CMD_SG_RULE_ADD : VPCE_CMD_SG_RULE_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	arr = nl_nest(m, VPCE_A_SG_RULES);
	r = nl_nest(m, 0);
	nl_put_u8(m, VPCE_SG_RULE_A_PROTO, proto);
	if (has_port) {
		nl_put_u16(m, VPCE_SG_RULE_A_PORT_MIN, lo);
		nl_put_u16(m, VPCE_SG_RULE_A_PORT_MAX, hi);
	}
	if (ref)
		nl_put_str(m, VPCE_SG_RULE_A_SG, ref);
	else
		nl_put_prefix(m, VPCE_SG_RULE_A_PREFIX, &prefix, plen);
	nl_nest_end(m, r);
	nl_nest_end(m, arr);
	return nl_request(m);
}

/* sg member add|del SG CIDR */
static int sg_member(struct args *a)
{
	bool add = sg_op(a, "member");
	const char *name = arg_name(a, "SG", "security group name");
	struct vpce_addr prefix;
	struct nl_msg *m;
	uint8_t plen;

	parse_prefix(arg_value(a, "member", "CIDR"), &prefix, &plen);
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(add ? VPCE_CMD_SG_MEMBER_ADD : VPCE_CMD_SG_MEMBER_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_prefix(m, VPCE_A_PREFIX, &prefix, plen);
	return nl_request(m);
}

static struct nla_policy rule_policy[VPCE_SG_RULE_A_MAX + 1] = {
	[VPCE_SG_RULE_A_PROTO]		= { .type = NLA_U8 },
	[VPCE_SG_RULE_A_PORT_MIN]	= { .type = NLA_U16 },
	[VPCE_SG_RULE_A_PORT_MAX]	= { .type = NLA_U16 },
	[VPCE_SG_RULE_A_PREFIX]		= { .type = NLA_NESTED },
	[VPCE_SG_RULE_A_SG]		= { .type = NLA_STRING },
};

/*
 * {"proto": "tcp"|"udp"|"all", "port_min": P, "port_max": Q, "cidr": ... |
 * "sg": ...}; all ports are 0-65535.
 */
static json_t *rule_parse(const struct nlattr *nest)
{
	struct nlattr *tb[VPCE_SG_RULE_A_MAX + 1];
	uint8_t proto;
	json_t *r;

	if (nla_parse_nested(tb, VPCE_SG_RULE_A_MAX, (struct nlattr *)nest,
			     rule_policy) < 0 || !tb[VPCE_SG_RULE_A_PROTO])
		return NULL;
	proto = nla_get_u8(tb[VPCE_SG_RULE_A_PROTO]);
	r = json_pack("{s:s, s:I, s:I}",
		      "proto", proto ? proto_name(proto) : "all",
		      "port_min", (json_int_t)(tb[VPCE_SG_RULE_A_PORT_MIN] ?
				nla_get_u16(tb[VPCE_SG_RULE_A_PORT_MIN]) : 0),
		      "port_max", (json_int_t)(tb[VPCE_SG_RULE_A_PORT_MAX] ?
				nla_get_u16(tb[VPCE_SG_RULE_A_PORT_MAX]) : 65535));
	if (!r)
		return NULL;
	if (tb[VPCE_SG_RULE_A_SG]) {
		json_object_set_new(r, "sg", json_attr_str(tb[VPCE_SG_RULE_A_SG]));
	} else {
		json_t *p = json_prefix(tb[VPCE_SG_RULE_A_PREFIX]);

		if (!p) {
			json_decref(r);
			return NULL;
		}
		json_object_set_new(r, "cidr", p);
	}
	return r;
}

static json_t *member_parse(const struct nlattr *nest)
{
	return json_prefix(nest);
}

/* One message: an SG, or a part of its rules and members. */
static json_t *sg_parse(struct nlattr **tb)
{
	json_t *rules, *members;

	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_VPC])
		return NULL;
	rules = json_nested_array(tb[VPCE_A_SG_RULES], rule_parse);
	members = json_nested_array(tb[VPCE_A_SG_MEMBERS], member_parse);
	if (!rules || !members) {
		json_decref(rules);
		json_decref(members);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o}",
			 "name", json_attr_str(tb[VPCE_A_NAME]),
			 "vpc", json_attr_str(tb[VPCE_A_VPC]),
			 "endpoints", json_attr_uint(tb[VPCE_A_ENDPOINT_COUNT]),
			 "rules", rules,
			 "members", members);
}

/* The SGs (one: NAME), their messages joined; NULL when the kernel refused. */
json_t *sg_dump(const char *name)
{
	json_t *parts = json_array(), *out = json_array(), *o, *last = NULL;
	struct nl_msg *m;
	size_t i;

	m = nl_new(VPCE_CMD_SG_GET, true);
	if (name)
		nl_put_str(m, VPCE_A_NAME, name);
	if (nl_query(m, sg_parse, parts)) {
		json_decref(parts);
		json_decref(out);
		return NULL;
	}
	for_each_elem(parts, i, o) {
		if (last && !strcmp(jstr(last, "name"), jstr(o, "name"))) {
			json_array_extend(json_object_get(last, "rules"),
					  json_object_get(o, "rules"));
			json_array_extend(json_object_get(last, "members"),
					  json_object_get(o, "members"));
			continue;
		}
		json_array_append(out, o);
		last = o;
	}
	json_decref(parts);
	return out;
}

/* " tcp port 80-90 from 10.0.0.0/24", as "sg rule add SG" takes it. */
void sg_rule_words(FILE *f, const json_t *r)
{
	json_int_t lo = jint(r, "port_min"), hi = jint(r, "port_max");

	fprintf(f, " %s", jstr(r, "proto"));
	if (lo == hi)
		fprintf(f, " port %" JSON_INTEGER_FORMAT, lo);
	else if (lo > 0)
		fprintf(f, " port %" JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT,
			lo, hi);
	if (json_object_get(r, "sg"))
		fprintf(f, " from sg %s", jstr(r, "sg"));
	else
		fprintf(f, " from %s", jstr(r, "cidr"));
}

/*
 * sg web vpc v1 endpoints 1
 *     rule tcp port 443 from 10.0.0.0/24
 *     member 10.0.1.0/24
 */
static void sg_print(const json_t *s)
{
	const json_t *o;
	size_t i;

	printf("sg %s vpc %s endpoints %" JSON_INTEGER_FORMAT "\n",
	       jstr(s, "name"), jstr(s, "vpc"), jint(s, "endpoints"));
	for_each_elem(json_object_get(s, "rules"), i, o) {
		fputs("    rule", stdout);
		sg_rule_words(stdout, o);
		putchar('\n');
	}
	for_each_elem(json_object_get(s, "members"), i, o)
		printf("    member %s\n", json_string_value(o));
}

static int sg_show(struct args *a)
{
	const char *name = arg_opt_name(a, "security group name");
	json_t *out = sg_dump(name);

	if (!out)
		return EXIT_KERNEL;
	show(out, sg_print);
	return 0;
}

static const struct command sg_cmds[] = {
	{ "add",    { NULL },		sg_add },
	{ "del",    { "delete" },	sg_del },
	{ "rule",   { NULL },		sg_rule },
	{ "member", { NULL },		sg_member },
	{ "show",   { "list", "ls" },	sg_show },
	{ NULL }
};

const struct object sg_object = {
	.name = "sg",
	.usage =
	"sg add SG vpc VPC\n"
	"sg del SG\n"
	"sg rule add|del SG tcp|udp|all [port P[-Q]] from CIDR|sg SG2\n"
	"sg member add|del SG CIDR\n"
	"sg show [SG]\n",
	.cmds = sg_cmds,
};
