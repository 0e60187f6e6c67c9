// SPDX-License-Identifier: GPL-2.0
/* vpcectl service add|del|show */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

static int service_add(struct args *a)
{
	const char *name = arg_name(a, "SVC", "service name");
	struct vpce_listener listeners[VPCE_LISTENERS_MAX];
	struct vpce_addr nlbs[VPCE_ZONES_MAX];
	bool has_account = false, has_type = false, has_acceptance = false;
	bool acceptance = false;
	int nlisteners = 0, nnlbs = 0, i;
	int type = VPCE_TYPE_INTERFACE;
	uint64_t account = 0;
	struct nlattr *arr;
	struct nl_msg *m;
	const char *w;

	while ((w = arg_next(a))) {
		if (kw_is(w, "account")) {
			arg_once(&has_account, w);
			account = parse_account(arg_value(a, w, "ACCOUNT"));
		} else if (kw_is(w, "type")) {
			arg_once(&has_type, w);
			type = parse_type(arg_value(a, w, "interface"));
		} else if (kw_is(w, "listener")) {
			if (nlisteners == VPCE_LISTENERS_MAX)
				die_usage("%s: too many \"listener\" (at most %d)",
					  cur_cmd, VPCE_LISTENERS_MAX);
			parse_listener(arg_value(a, w, "PROTO:PORT[:TARGETPORT]"),
				       &listeners[nlisteners++]);
		} else if (kw_is(w, "nlb")) {
			arg_addr_zone(a, w, nlbs, &nnlbs, VPCE_ZONES_MAX);
		} else if (kw_is(w, "zone")) {
			die_usage("%s: \"zone\" must follow \"nlb ADDR\"", cur_cmd);
		} else if (kw_is(w, "acceptance-required")) {
			arg_once(&has_acceptance, w);
			acceptance = parse_onoff(w, arg_value(a, w, "on|off"));
		} else if (kw_is(w, "prefix") ||
			   kw_is(w, "cross-zone") || kw_is(w, "private-dns")) {
			not_supported(w);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_account, "account");
	arg_required(nlisteners, "listener");
	arg_required(nnlbs, "nlb");

	m = nl_new(VPCE_CMD_SERVICE_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_u64(m, VPCE_A_ACCOUNT, account);
	if (has_type)
		nl_put_u8(m, VPCE_A_TYPE, type);
	if (has_acceptance)
		nl_put_u8(m, VPCE_A_ACCEPTANCE_REQUIRED, acceptance);
	arr = nl_nest(m, VPCE_A_LISTENERS);
	for (i = 0; i < nlisteners; i++) {
		struct nlattr *l = nl_nest(m, i);

		nl_put_u8(m, VPCE_LISTENER_A_PROTO, listeners[i].proto);
		nl_put_u16(m, VPCE_LISTENER_A_PORT, listeners[i].port);
		if (listeners[i].target_port)
			nl_put_u16(m, VPCE_LISTENER_A_TARGET_PORT,
				   listeners[i].target_port);
		nl_nest_end(m, l);
	}
	nl_nest_end(m, arr);
	nl_put_addrs(m, VPCE_A_NLBS, nlbs, nnlbs);
	return nl_request(m);
}

static int service_del(struct args *a)
{
	const char *name = arg_name(a, "SVC", "service name");
	struct nl_msg *m;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(VPCE_CMD_SERVICE_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	return nl_request(m);
}

static struct nla_policy listener_policy[VPCE_LISTENER_A_MAX + 1] = {
	[VPCE_LISTENER_A_PROTO]		= { .type = NLA_U8 },
	[VPCE_LISTENER_A_PORT]		= { .type = NLA_U16 },
	[VPCE_LISTENER_A_TARGET_PORT]	= { .type = NLA_U16 },
};

static json_t *listeners_parse(struct nlattr *arr)
{
	json_t *out = json_array();
	struct nlattr *child;
	int rem;

	if (!arr)
		return out;
	nla_for_each_nested(child, arr, rem) {
		struct nlattr *l[VPCE_LISTENER_A_MAX + 1];
		const char *proto;
		uint16_t port;
		uint8_t p;

		if (nla_parse_nested(l, VPCE_LISTENER_A_MAX, child, listener_policy) < 0 ||
		    !l[VPCE_LISTENER_A_PROTO] || !l[VPCE_LISTENER_A_PORT]) {
			json_decref(out);
			return NULL;
		}
		p = nla_get_u8(l[VPCE_LISTENER_A_PROTO]);
		proto = p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "unknown";
		port = nla_get_u16(l[VPCE_LISTENER_A_PORT]);
		json_array_append_new(out, json_pack("{s:s, s:i, s:i}",
			"protocol", proto, "port", port,
			"target_port", l[VPCE_LISTENER_A_TARGET_PORT] ?
				nla_get_u16(l[VPCE_LISTENER_A_TARGET_PORT]) : port));
	}
	return out;
}

static json_t *service_parse(struct nlattr **tb)
{
	json_t *listeners, *nlbs;

	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_ACCOUNT])
		return NULL;
	listeners = listeners_parse(tb[VPCE_A_LISTENERS]);
	nlbs = json_addr_array(tb[VPCE_A_NLBS]);
	if (!listeners || !nlbs) {
		json_decref(listeners);
		json_decref(nlbs);
		return NULL;
	}
	/* "targets" is filled in from a target dump by service_show(). */
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:[], s:o, s:o, s:b, s:o}",
		"name", json_attr_str(tb[VPCE_A_NAME]),
		"account", json_account(nla_get_u64(tb[VPCE_A_ACCOUNT])),
		"type", json_enum(tb[VPCE_A_TYPE], type_names, ARRAY_SIZE(type_names)),
		"listeners", listeners,
		"nlbs", nlbs,
		"targets",
		"target_count", json_attr_uint(tb[VPCE_A_TARGET_COUNT]),
		"endpoint_count", json_attr_uint(tb[VPCE_A_ENDPOINT_COUNT]),
		"acceptance_required", tb[VPCE_A_ACCEPTANCE_REQUIRED] &&
			nla_get_u8(tb[VPCE_A_ACCEPTANCE_REQUIRED]),
		"principals", json_str_array(tb[VPCE_A_PRINCIPALS]));
}

/*
 * service s1 account 222222222222 type interface listener tcp:80:8080
 *   nlb 192.168.1.1 zone az1 targets 1 endpoints 1     (one line)
 *     target 192.168.1.10 zone az1 weight 1 health healthy
 */
static void service_print(const json_t *s)
{
	const json_t *o;
	size_t i;

	printf("service %s account %s type %s", jstr(s, "name"),
	       jstr(s, "account"), jstr(s, "type"));
	for_each_elem(json_object_get(s, "listeners"), i, o)
		printf(" listener %s:%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT,
		       jstr(o, "protocol"), jint(o, "port"), jint(o, "target_port"));
	for_each_elem(json_object_get(s, "nlbs"), i, o)
		print_addr("nlb", o);
	printf(" acceptance-required %s",
	       json_is_true(json_object_get(s, "acceptance_required")) ? "on" : "off");
	printf(" targets %" JSON_INTEGER_FORMAT " endpoints %" JSON_INTEGER_FORMAT "\n",
	       jint(s, "target_count"), jint(s, "endpoint_count"));
	for_each_elem(json_object_get(s, "principals"), i, o)
		printf("    principal %s\n", json_string_value(o));
	for_each_elem(json_object_get(s, "targets"), i, o)
		target_print_line(o, true);
}

/* Hang each target of TARGETS under its service in SERVICES. */
static void merge_targets(json_t *services, const json_t *targets)
{
	json_t *by_name = json_object();
	const json_t *t;
	json_t *s;
	size_t i;

	for_each_elem(services, i, s)
		json_object_set(by_name, jstr(s, "name"), s);
	for_each_elem(targets, i, t) {
		s = json_object_get(by_name, jstr(t, "service"));
		if (s)
			json_array_append(json_object_get(s, "targets"), (json_t *)t);
	}
	json_decref(by_name);
}

static int service_show(struct args *a)
{
	const char *name = arg_opt_name(a, "service name");
	json_t *services = json_array(), *targets = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_SERVICE_GET, !name);
	if (name)
		nl_put_str(m, VPCE_A_NAME, name);
	ret = nl_query(m, service_parse, services);
	if (!ret && json_array_size(services)) {
		m = nl_new(VPCE_CMD_TARGET_GET, true);
		if (name)
			nl_put_str(m, VPCE_A_SERVICE, name);
		ret = nl_query(m, target_parse, targets);
	}
	if (!ret) {
		merge_targets(services, targets);
		show(services, service_print);
	} else {
		json_decref(services);
	}
	json_decref(targets);
	return ret;
}

/* service allow|disallow SVC principal ARN */
static int service_permission(struct args *a, uint8_t cmd)
{
	const char *name = arg_name(a, "SVC", "service name");
	const char *arn = NULL, *w;
	bool has_principal = false;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "principal")) {
			arg_once(&has_principal, w);
			arn = parse_arn(arg_value(a, w, "ARN"), true);
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_principal, "principal");
	m = nl_new(cmd, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_str(m, VPCE_A_PRINCIPAL, arn);
	return nl_request(m);
}

static int service_allow(struct args *a)
{
	return service_permission(a, VPCE_CMD_SERVICE_ALLOW);
}

static int service_disallow(struct args *a)
{
	return service_permission(a, VPCE_CMD_SERVICE_DISALLOW);
}

static const struct command service_cmds[] = {
	{ "add",       { NULL },		service_add },
	{ "del",       { "delete" },		service_del },
	{ "show",      { "list", "ls" },	service_show },
	{ "set",       { NULL },		NULL },
	{ "allow",     { NULL },		service_allow },
	{ "disallow",  { NULL },		service_disallow },
	{ NULL }
};

const struct object service_object = {
	.name = "service",
	.usage =
	"service add SVC account ACCOUNT [type interface]\n"
	"        listener PROTO:PORT[:TARGETPORT] [listener ...]\n"
	"        nlb ADDR [zone AZ] [nlb ADDR [zone AZ]]...\n"
	"        [acceptance-required on|off]\n"
	"service allow SVC principal ARN\n"
	"service disallow SVC principal ARN\n"
	"service del SVC\n"
	"service show [SVC]\n",
	.cmds = service_cmds,
};
