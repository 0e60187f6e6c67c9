// SPDX-License-Identifier: GPL-2.0
/* vpcectl service add|set|del|show */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

/*
 * The settings "service set" takes, "service add" some of them; each is
 * given at most once, and only what is given is sent (and changed).
 */
struct settings {
	bool has_acceptance, acceptance;
	bool has_cross_zone, cross_zone;
	bool has_proxy, proxy;
	bool has_fl, fl;
	unsigned int fl_agg, fl_sample;
	const char *private_dns;
	bool has_dereg;
	unsigned long dereg;
	bool has_idle;
	unsigned long idle;
	bool has_seed;
	uint8_t seed[VPCE_HASH_SEED_LEN];
	bool has_hc;
	struct hc_settings hc;
};

/* One setting at word W; false if W is not one. @all: "service set". */
static bool parse_setting(struct args *a, const char *w, struct settings *st, bool all)
{
	if (kw_is(w, "acceptance-required")) {
		arg_once(&st->has_acceptance, w);
		st->acceptance = parse_onoff(w, arg_value(a, w, "on|off"));
	} else if (kw_is(w, "cross-zone")) {
		arg_once(&st->has_cross_zone, w);
		st->cross_zone = parse_onoff(w, arg_value(a, w, "on|off"));
	} else if (kw_is(w, "private-dns")) {
		bool seen = st->private_dns;

		arg_once(&seen, w);
		st->private_dns = arg_value(a, w, "NAME");
		check_dns_name(st->private_dns);
	} else if (!all) {
		return false;
	} else if (kw_is(w, "deregistration-delay")) {
		arg_once(&st->has_dereg, w);
		st->dereg = parse_ulong(arg_value(a, w, "SECONDS (0-3600)"),
					"deregistration-delay", 0, 3600);
	} else if (kw_is(w, "idle-timeout")) {
		arg_once(&st->has_idle, w);
		st->idle = parse_ulong(arg_value(a, w, "SECONDS (60-6000)"),
				       "idle-timeout", 60, 6000);
	} else if (kw_is(w, "proxy-protocol")) {
		arg_once(&st->has_proxy, w);
		st->proxy = parse_onoff(w, arg_value(a, w, "on|off"));
	} else if (kw_is(w, "flow-log")) {
		arg_once(&st->has_fl, w);
		arg_flow_log(a, w, &st->fl, &st->fl_agg, &st->fl_sample);
	} else if (kw_is(w, "hash-seed")) {
		arg_once(&st->has_seed, w);
		parse_hash_seed(arg_value(a, w, "HEX"), st->seed);
	} else if (kw_is(w, "health-check")) {
		arg_once(&st->has_hc, w);
		hc_settings_parse(a, w, &st->hc);
	} else if (hc_keyword(w)) {
		die_usage("%s: \"%s\" must follow \"health-check\"", cur_cmd, w);
	} else {
		return false;
	}
	return true;
}

static void put_settings(struct nl_msg *m, const struct settings *st)
{
	if (st->has_acceptance)
		nl_put_u8(m, VPCE_A_ACCEPTANCE_REQUIRED, st->acceptance);
	if (st->has_cross_zone)
		nl_put_u8(m, VPCE_A_CROSS_ZONE, st->cross_zone);
	if (st->has_proxy)
		nl_put_u8(m, VPCE_A_PROXY_PROTOCOL, st->proxy);
	if (st->has_fl) {
		nl_put_u8(m, VPCE_A_FLOW_LOG, st->fl);
		if (st->fl_agg)
			nl_put_u32(m, VPCE_A_FLOW_LOG_AGGREGATION, st->fl_agg);
		if (st->fl_sample)
			nl_put_u8(m, VPCE_A_FLOW_LOG_SAMPLE, st->fl_sample);
	}
	if (st->private_dns)
		nl_put_str(m, VPCE_A_PRIVATE_DNS, st->private_dns);
	if (st->has_dereg)
		nl_put_u32(m, VPCE_A_DEREG_DELAY, st->dereg);
	if (st->has_idle)
		nl_put_u32(m, VPCE_A_IDLE_TIMEOUT, st->idle);
	if (st->has_seed)
		nl_put_data(m, VPCE_A_HASH_SEED, st->seed, VPCE_HASH_SEED_LEN);
	if (st->has_hc)
		hc_settings_put(m, &st->hc);
}

static int service_add(struct args *a)
{
	const char *name = arg_name(a, "SVC", "service name");
	struct vpce_listener listeners[VPCE_LISTENERS_MAX];
	struct vpce_addr nlbs[VPCE_NLBS_MAX], prefixes[VPCE_PREFIXES_MAX];
	uint8_t plens[VPCE_PREFIXES_MAX];
	bool has_account = false, has_type = false;
	struct settings st = { 0 };
	int nlisteners = 0, nnlbs = 0, nprefixes = 0, i;
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
			type = parse_type(arg_value(a, w, "interface|gateway"));
		} else if (kw_is(w, "listener")) {
			if (nlisteners == VPCE_LISTENERS_MAX)
				die_usage("%s: too many \"listener\" (at most %d)",
					  cur_cmd, VPCE_LISTENERS_MAX);
			parse_listener(arg_value(a, w, "PROTO:PORT[:TARGETPORT]"),
				       &listeners[nlisteners++]);
		} else if (kw_is(w, "nlb")) {
			arg_addr_zone(a, w, nlbs, &nnlbs, VPCE_NLBS_MAX);
		} else if (kw_is(w, "zone")) {
			die_usage("%s: \"zone\" must follow \"nlb ADDR\"", cur_cmd);
		} else if (kw_is(w, "prefix")) {
			if (nprefixes == VPCE_PREFIXES_MAX)
				die_usage("%s: too many \"prefix\" (at most %d)",
					  cur_cmd, VPCE_PREFIXES_MAX);
			parse_prefix(arg_value(a, w, "CIDR"), &prefixes[nprefixes],
				     &plens[nprefixes]);
			nprefixes++;
		} else if (!parse_setting(a, w, &st, false)) {
			arg_unknown(w);
		}
	}
	arg_required(has_account, "account");
	if (type == VPCE_TYPE_GATEWAY) {
		if (nlisteners)
			die_usage("%s: a gateway service takes no \"listener\" (it is reached on its prefixes)",
				  cur_cmd);
		if (nnlbs)
			die_usage("%s: a gateway service takes no \"nlb\" (its flows are not translated)",
				  cur_cmd);
		arg_required(nprefixes, "prefix");
	} else {
		if (nprefixes)
			die_usage("%s: \"prefix\" is for gateway services (type gateway)",
				  cur_cmd);
		arg_required(nlisteners, "listener");
		arg_required(nnlbs, "nlb");
	}

	m = nl_new(VPCE_CMD_SERVICE_ADD, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_u64(m, VPCE_A_ACCOUNT, account);
	if (has_type)
		nl_put_u8(m, VPCE_A_TYPE, type);
	if (type == VPCE_TYPE_GATEWAY) {
		arr = nl_nest(m, VPCE_A_PREFIXES);
		for (i = 0; i < nprefixes; i++)
			nl_put_prefix(m, i, &prefixes[i], plens[i]);
		nl_nest_end(m, arr);
		put_settings(m, &st);
		return nl_request(m);
	}
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
	put_settings(m, &st);
	return nl_request(m);
}

/* service set SVC listener add PROTO:PORT[:TARGETPORT] | del PROTO:PORT */
static int service_listener(const char *name, struct args *a)
{
	const char *op = arg_value(a, "listener", "add or del");
	struct vpce_listener l;
	struct nlattr *nest;
	struct nl_msg *m;
	const char *v;
	bool add;

	if (kw_is(op, "add"))
		add = true;
	else if (kw_is(op, "del") || kw_is(op, "delete"))
		add = false;
	else
		die_usage("%s: \"listener\" needs add or del, not \"%s\"", cur_cmd, op);
	v = arg_value(a, op, add ? "PROTO:PORT[:TARGETPORT]" : "PROTO:PORT");
	parse_listener(v, &l);
	if (!add && l.target_port)
		die_usage("%s: \"listener del\" takes PROTO:PORT, not a target port (\"%s\")",
			  cur_cmd, v);
	if (arg_peek(a))
		die_usage("%s: \"listener %s\" takes one listener and nothing else (\"%s\")",
			  cur_cmd, op, arg_peek(a));
	m = nl_new(add ? VPCE_CMD_LISTENER_ADD : VPCE_CMD_LISTENER_DEL, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nest = nl_nest(m, VPCE_A_LISTENER);
	nl_put_u8(m, VPCE_LISTENER_A_PROTO, l.proto);
	nl_put_u16(m, VPCE_LISTENER_A_PORT, l.port);
	if (l.target_port)
		nl_put_u16(m, VPCE_LISTENER_A_TARGET_PORT, l.target_port);
	nl_nest_end(m, nest);
	return nl_request(m);
}

/*
 * service set SVC nlb add ADDR [zone AZ] | nlb del ADDR: a change of its
 * own, as the kernel takes it (no other settings with it).
 */
static int service_set_nlb(struct args *a, const char *name)
{
	const char *op = arg_value(a, "nlb", "add|del");
	struct vpce_addr addr = { 0 };
	struct nl_msg *m;
	bool add;
	int n = 0;

	if (!strcmp(op, "add"))
		add = true;
	else if (!strcmp(op, "del") || !strcmp(op, "delete"))
		add = false;
	else
		die_usage("%s: \"nlb\" takes add or del, not \"%s\"", cur_cmd, op);
	arg_addr_zone(a, add ? "nlb add" : "nlb del", &addr, &n, 1);
	if (!add && addr.zone[0])
		die_usage("%s: \"nlb del\" takes no zone (an address is in one zone)",
			  cur_cmd);
	if (arg_peek(a))
		die_usage("%s: \"nlb add\" and \"nlb del\" go alone, not with \"%s\"",
			  cur_cmd, arg_peek(a));
	m = nl_new(VPCE_CMD_SERVICE_SET, false);
	nl_put_str(m, VPCE_A_NAME, name);
	nl_put_addr(m, add ? VPCE_A_NLB_ADD : VPCE_A_NLB_DEL, &addr);
	return nl_request(m);
}

static int service_set(struct args *a)
{
	const char *name = arg_name(a, "SVC", "service name");
	struct settings st = { 0 };
	struct nl_msg *m;
	const char *w;
	int n = 0;

	if (kw_is(arg_peek(a), "listener")) {
		arg_next(a);
		return service_listener(name, a);
	}
	if (kw_is(arg_peek(a), "nlb")) {
		arg_next(a);
		return service_set_nlb(a, name);
	}
	while ((w = arg_next(a))) {
		if (kw_is(w, "listener"))
			die_usage("%s: \"listener add|del\" comes alone, first after the service's name",
				  cur_cmd);
		if (kw_is(w, "nlb"))
			die_usage("%s: \"nlb add\" and \"nlb del\" go alone, without other settings",
				  cur_cmd);
		if (!parse_setting(a, w, &st, true))
			arg_unknown(w);
		n++;
	}
	if (!n)
		die_usage("%s: nothing to set", cur_cmd);
	m = nl_new(VPCE_CMD_SERVICE_SET, false);
	nl_put_str(m, VPCE_A_NAME, name);
	put_settings(m, &st);
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

static json_t *listeners_parse(struct nlattr *arr)
{
	json_t *out = json_array();
	struct nlattr *child;
	int rem;

	if (!arr)
		return out;
	nla_for_each_nested(child, arr, rem) {
		struct vpce_listener l;

		if (nl_parse_listener(child, &l)) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, json_pack("{s:s, s:i, s:i}",
			"protocol", proto_name(l.proto), "port", l.port,
			"target_port", l.target_port));
	}
	return out;
}

static json_t *json_bool_attr(const struct nlattr *nla)
{
	return nla ? json_boolean(nla_get_u8((struct nlattr *)nla)) : json_null();
}

/* The load balancing settings, added to the service object S. */
static void service_parse_lb(json_t *s, struct nlattr **tb)
{
	json_object_set_new(s, "cross_zone", json_bool_attr(tb[VPCE_A_CROSS_ZONE]));
	json_object_set_new(s, "private_dns", json_attr_str(tb[VPCE_A_PRIVATE_DNS]));
	json_object_set_new(s, "deregistration_delay",
			    json_attr_uint(tb[VPCE_A_DEREG_DELAY]));
	json_object_set_new(s, "idle_timeout", json_attr_uint(tb[VPCE_A_IDLE_TIMEOUT]));
	json_object_set_new(s, "proxy_protocol", json_bool_attr(tb[VPCE_A_PROXY_PROTOCOL]));
	json_object_set_new(s, "flow_log", json_flow_log(tb));
	json_object_set_new(s, "health_check", hc_json(tb[VPCE_A_HEALTH_CHECK]));
	/* Only administrators see a seed, and only one that was set. */
	if (tb[VPCE_A_HASH_SEED]) {
		const uint8_t *p = nla_data(tb[VPCE_A_HASH_SEED]);
		char hex[2 * VPCE_HASH_SEED_LEN + 1];
		int i;

		for (i = 0; i < VPCE_HASH_SEED_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", p[i]);
		json_object_set_new(s, "hash_seed", json_string(hex));
	}
}

json_t *service_parse(struct nlattr **tb)
{
	json_t *listeners, *nlbs, *prefixes, *s;

	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_ACCOUNT])
		return NULL;
	listeners = listeners_parse(tb[VPCE_A_LISTENERS]);
	nlbs = json_addr_array(tb[VPCE_A_NLBS]);
	prefixes = json_nested_array(tb[VPCE_A_PREFIXES], json_prefix);
	if (!listeners || !nlbs || !prefixes) {
		json_decref(listeners);
		json_decref(nlbs);
		json_decref(prefixes);
		return NULL;
	}
	/* "targets" is filled in from a target dump by service_show(). */
	s = json_pack("{s:o, s:o, s:o, s:o, s:o, s:[], s:o, s:o, s:b, s:o}",
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
	if (s) {
		json_object_set_new(s, "prefixes", prefixes);
		service_parse_lb(s, tb);
	} else {
		json_decref(prefixes);
	}
	return s;
}

static const char *onoff(const json_t *s, const char *key)
{
	return json_is_true(json_object_get(s, key)) ? "on" : "off";
}

/*
 *     cross-zone off deregistration-delay 300 idle-timeout 350 proxy-protocol off
 *     [private-dns NAME] [hash-seed HEX]
 *     [health-check http:/ interval 30 timeout 6 healthy-threshold 5 ...]
 * (one line, in "service set"'s words)
 */
static void service_print_lb(const json_t *s)
{
	const json_t *hc = json_object_get(s, "health_check");

	printf("    cross-zone %s deregistration-delay %"
	       JSON_INTEGER_FORMAT " idle-timeout %" JSON_INTEGER_FORMAT
	       " proxy-protocol %s",
	       onoff(s, "cross_zone"),
	       jint(s, "deregistration_delay"), jint(s, "idle_timeout"),
	       onoff(s, "proxy_protocol"));
	if (json_is_object(json_object_get(s, "flow_log")))
		printf(" flow-log on aggregation %" JSON_INTEGER_FORMAT
		       " sample %" JSON_INTEGER_FORMAT,
		       jint(json_object_get(s, "flow_log"), "aggregation"),
		       jint(json_object_get(s, "flow_log"), "sample"));
	if (json_is_string(json_object_get(s, "private_dns")))
		printf(" private-dns %s", jstr(s, "private_dns"));
	if (json_object_get(s, "hash_seed"))
		printf(" hash-seed %s", jstr(s, "hash_seed"));
	if (json_is_object(hc))
		hc_print(stdout, hc);
	printf("\n");
}

/*
 * service s1 account 222222222222 type interface listener tcp:80:8080
 *   nlb 192.168.1.1 zone az1 targets 1 endpoints 1     (one line)
 *     cross-zone off deregistration-delay 300 ...         (service_print_lb)
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
	for_each_elem(json_object_get(s, "prefixes"), i, o)
		printf(" prefix %s", json_string_value(o));
	printf(" acceptance-required %s",
	       json_is_true(json_object_get(s, "acceptance_required")) ? "on" : "off");
	printf(" targets %" JSON_INTEGER_FORMAT " endpoints %" JSON_INTEGER_FORMAT "\n",
	       jint(s, "target_count"), jint(s, "endpoint_count"));
	service_print_lb(s);
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
	{ "set",       { NULL },		service_set },
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
	"        [acceptance-required on|off] [cross-zone on|off] [private-dns NAME]\n"
	"service add SVC account ACCOUNT type gateway prefix CIDR [prefix CIDR]...\n"
	"        [acceptance-required on|off] [cross-zone on|off] [private-dns NAME]\n"
	"service set SVC [acceptance-required on|off] [cross-zone on|off] [private-dns NAME]\n"
	"        [deregistration-delay SECONDS] [idle-timeout SECONDS] [hash-seed HEX]\n"
	"        [proxy-protocol on|off]\n"
	"        [flow-log on|off [aggregation 60|600] [sample 1-100]]\n"
	"        [health-check tcp|http[:PATH]|https[:PATH]|none [port PORT]\n"
	"                      [interval SECONDS] [timeout SECONDS]\n"
	"                      [healthy-threshold N] [unhealthy-threshold N]\n"
	"                      [matcher CODES] [host NAME]]\n"
	"service set SVC listener add PROTO:PORT[:TARGETPORT]\n"
	"service set SVC listener del PROTO:PORT\n"
	"service set SVC nlb add ADDR [zone AZ]\n"
	"service set SVC nlb del ADDR\n"
	"service allow SVC principal ARN\n"
	"service disallow SVC principal ARN\n"
	"service del SVC\n"
	"service show [SVC]\n",
	.cmds = service_cmds,
};
