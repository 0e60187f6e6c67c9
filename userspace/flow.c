// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl flow show|flush [endpoint EP] [service SVC] [target ADDR]
 * vpcectl flow show table
 * vpcectl flow set limit N|default
 *
 * The flows of vpce's own connection table (the module's default,
 * conntrack=0), as "ipvsadm -L -c" lists IPVS's; "flush" forgets flows the
 * way "conntrack -D" does.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "vpcectl.h"

static const char *const flow_state_names[__VPCE_FLOW_STATE_MAX] = {
	[VPCE_FLOW_SYN_SENT]	= "syn-sent",
	[VPCE_FLOW_SYN_RECV]	= "syn-recv",
	[VPCE_FLOW_ESTABLISHED]	= "established",
	[VPCE_FLOW_FIN_WAIT]	= "fin-wait",
	[VPCE_FLOW_CLOSE_WAIT]	= "close-wait",
	[VPCE_FLOW_CLOSED]	= "closed",
	[VPCE_FLOW_UNREPLIED]	= "unreplied",
	[VPCE_FLOW_REPLIED]	= "replied",
};

/*
 * [endpoint EP] [service SVC] [target ADDR]: the request for CMD, built
 * once the whole command line has parsed.
 */
static struct nl_msg *flow_request(struct args *a, uint8_t cmd, bool dump)
{
	bool has_ep = false, has_svc = false, has_target = false;
	const char *w, *ep = NULL, *svc = NULL;
	struct vpce_addr addr;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "endpoint")) {
			arg_once(&has_ep, w);
			ep = arg_value(a, w, "EP");
			check_name(ep, "endpoint name", VPCE_NAME_MAX);
		} else if (kw_is(w, "service")) {
			arg_once(&has_svc, w);
			svc = arg_value(a, w, "SVC");
			check_name(svc, "service name", VPCE_NAME_MAX);
		} else if (kw_is(w, "target")) {
			arg_once(&has_target, w);
			parse_addr(arg_value(a, w, "ADDR"), &addr);
		} else {
			arg_unknown(w);
		}
	}
	m = nl_new(cmd, dump);
	if (ep)
		nl_put_str(m, VPCE_A_NAME, ep);
	if (svc)
		nl_put_str(m, VPCE_A_SERVICE, svc);
	if (has_target)
		nl_put_addr(m, VPCE_A_ADDR, &addr);
	return m;
}

static json_t *flow_addr(const struct nlattr *nest)
{
	json_t *a = json_addr(nest), *addr;

	if (!a)
		return NULL;
	addr = json_incref(json_object_get(a, "addr"));
	json_decref(a);
	return addr;
}

static json_t *flow_parse(struct nlattr **tb)
{
	static struct nla_policy policy[VPCE_FLOW_A_MAX + 1] = {
		[VPCE_FLOW_A_PROTO]	= { .type = NLA_U8 },
		[VPCE_FLOW_A_CLIENT]	= { .type = NLA_NESTED },
		[VPCE_FLOW_A_ADDR]	= { .type = NLA_NESTED },
		[VPCE_FLOW_A_TARGET]	= { .type = NLA_NESTED },
		[VPCE_FLOW_A_NLB]	= { .type = NLA_NESTED },
		[VPCE_FLOW_A_STATE]	= { .type = NLA_U8 },
		[VPCE_FLOW_A_EXPIRES]	= { .type = NLA_U32 },
		[VPCE_FLOW_A_IFINDEX]	= { .type = NLA_U32 },
	};
	struct nlattr *f[VPCE_FLOW_A_MAX + 1];
	char dev[IF_NAMESIZE];
	json_t *ep_addr;
	json_t *o;

	if (!tb[VPCE_A_FLOW] ||
	    nla_parse_nested(f, VPCE_FLOW_A_MAX, tb[VPCE_A_FLOW], policy) < 0 ||
	    !f[VPCE_FLOW_A_PROTO] || !f[VPCE_FLOW_A_IFINDEX])
		return NULL;
	ep_addr = json_addr(f[VPCE_FLOW_A_ADDR]);
	if (!ep_addr)
		return NULL;
	o = json_pack("{s:s, s:o, s:o, s:O, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s?}",
		"protocol", proto_name(nla_get_u8(f[VPCE_FLOW_A_PROTO])),
		"client", flow_addr(f[VPCE_FLOW_A_CLIENT]),
		"client_port", json_attr_uint(f[VPCE_FLOW_A_CLIENT_PORT]),
		"addr", json_object_get(ep_addr, "addr"),
		"zone", json_object_get(ep_addr, "zone"),
		"port", json_attr_uint(f[VPCE_FLOW_A_PORT]),
		"endpoint", json_attr_str(tb[VPCE_A_NAME]),
		"endpoint_id", json_attr_str(tb[VPCE_A_ENDPOINT_ID]),
		"vpc", json_attr_str(tb[VPCE_A_VPC]),
		"service", json_attr_str(tb[VPCE_A_SERVICE]),
		"target", flow_addr(f[VPCE_FLOW_A_TARGET]),
		"target_port", json_attr_uint(f[VPCE_FLOW_A_TARGET_PORT]),
		"nlb", flow_addr(f[VPCE_FLOW_A_NLB]),
		"nlb_port", json_attr_uint(f[VPCE_FLOW_A_NLB_PORT]),
		"state", json_enum(f[VPCE_FLOW_A_STATE], flow_state_names,
				   ARRAY_SIZE(flow_state_names)),
		"expires", json_attr_uint(f[VPCE_FLOW_A_EXPIRES]),
		"device", if_indextoname(nla_get_u32(f[VPCE_FLOW_A_IFINDEX]), dev));
	json_decref(ep_addr);
	return o;
}

/*
 * tcp 10.0.0.2:40000 -> 10.0.0.100:80 zone az1 endpoint epa
 *     endpoint-id vpce-0a1b2c3d4e5f60718 vpc A service svc dev va0
 *     target 192.168.1.10:8080 from 192.168.1.1:40000
 *     state established expires 349
 * (one line)
 */
static void flow_print(const json_t *o)
{
	const char *zone = json_string_value(json_object_get(o, "zone"));
	const char *dev = json_string_value(json_object_get(o, "device"));

	printf("%s %s:%" JSON_INTEGER_FORMAT " -> %s:%" JSON_INTEGER_FORMAT,
	       jstr(o, "protocol"), jstr(o, "client"), jint(o, "client_port"),
	       jstr(o, "addr"), jint(o, "port"));
	if (zone)
		printf(" zone %s", zone);
	printf(" endpoint %s endpoint-id %s vpc %s service %s",
	       jstr(o, "endpoint"), jstr(o, "endpoint_id"), jstr(o, "vpc"),
	       jstr(o, "service"));
	if (dev)
		printf(" dev %s", dev);
	printf(" target %s:%" JSON_INTEGER_FORMAT " from %s:%" JSON_INTEGER_FORMAT
	       " state %s expires %" JSON_INTEGER_FORMAT "\n",
	       jstr(o, "target"), jint(o, "target_port"), jstr(o, "nlb"),
	       jint(o, "nlb_port"), jstr(o, "state"), jint(o, "expires"));
}

/* The table itself (VPCE_CMD_FLOW_GET, not a dump). */
json_t *flow_table_parse(struct nlattr **tb)
{
	if (!tb[VPCE_A_FLOW_MAX])
		return NULL;
	return json_pack("{s:o, s:o, s:o}",
		"flows", json_attr_uint(tb[VPCE_A_FLOW_COUNT]),
		"limit", json_attr_uint(tb[VPCE_A_FLOW_MAX]),
		"limit_set", tb[VPCE_A_FLOW_LIMIT] &&
			nla_get_u32(tb[VPCE_A_FLOW_LIMIT]) ?
			json_attr_uint(tb[VPCE_A_FLOW_LIMIT]) : json_null());
}

/* flows 1234 limit 524287 (default)  or  ... limit 1000000 (set) */
static void table_print(const json_t *o)
{
	printf("flows %" JSON_INTEGER_FORMAT " limit %" JSON_INTEGER_FORMAT " (%s)\n",
	       jint(o, "flows"), jint(o, "limit"),
	       json_is_null(json_object_get(o, "limit_set")) ?
	       "default: nf_conntrack_max, at most 524287" : "set");
}

static int flow_show_table(struct args *a)
{
	json_t *out = json_array();
	int ret;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	ret = nl_query(nl_new(VPCE_CMD_FLOW_GET, false), flow_table_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, table_print);
	return 0;
}

static int flow_show(struct args *a)
{
	struct nl_msg *m;
	json_t *out;
	int ret;

	if (kw_is(arg_peek(a), "table")) {
		arg_next(a);
		return flow_show_table(a);
	}
	m = flow_request(a, VPCE_CMD_FLOW_GET, true);
	out = json_array();

	ret = nl_query(m, flow_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, flow_print);
	return 0;
}

static int flow_flush(struct args *a)
{
	return nl_request(flow_request(a, VPCE_CMD_FLOW_DEL, false));
}

/* flow set limit N|default: the own table's limit in this namespace. */
static int flow_set(struct args *a)
{
	bool has_limit = false;
	unsigned long limit = 0;
	struct nl_msg *m;
	const char *w;

	while ((w = arg_next(a))) {
		const char *v;

		if (!kw_is(w, "limit"))
			arg_unknown(w);
		arg_once(&has_limit, w);
		v = arg_value(a, w, "N|default");
		limit = strcmp(v, "default") ?
			parse_ulong(v, "flow limit", 1, VPCE_FLOWS_MAX) : 0;
	}
	arg_required(has_limit, "limit");
	m = nl_new(VPCE_CMD_FLOW_SET, false);
	nl_put_u32(m, VPCE_A_FLOW_LIMIT, limit);
	return nl_request(m);
}

static const struct command flow_cmds[] = {
	{ "show",  { "list", "ls" },	flow_show },
	{ "flush", { NULL },		flow_flush },
	{ "set",   { NULL },		flow_set },
	{ NULL }
};

const struct object flow_object = {
	.name = "flow",
	.usage =
	"flow show [endpoint EP] [service SVC] [target ADDR]\n"
	"flow show table\n"
	"flow flush [endpoint EP] [service SVC] [target ADDR]\n"
	"flow set limit N|default\n",
	.cmds = flow_cmds,
};
