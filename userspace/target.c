// SPDX-License-Identifier: GPL-2.0
/* vpcectl target add|set|del|show */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

/* The ADDR after SVC. */
static void arg_target_addr(struct args *a, struct vpce_addr *addr)
{
	const char *w = arg_next(a);

	if (!w)
		die_usage("%s: ADDR is required", cur_cmd);
	parse_addr(w, addr);
}

static int target_add(struct args *a)
{
	const char *svc = arg_name(a, "SVC", "service name");
	bool has_zone = false, has_weight = false;
	struct vpce_addr addr;
	unsigned long weight = 0;
	struct nl_msg *m;
	const char *w;

	arg_target_addr(a, &addr);
	while ((w = arg_next(a))) {
		if (kw_is(w, "zone")) {
			const char *zone = arg_value(a, w, "AZ");

			arg_once(&has_zone, w);
			check_name(zone, "zone name", VPCE_ZONE_MAX);
			strcpy(addr.zone, zone);
		} else if (kw_is(w, "weight")) {
			arg_once(&has_weight, w);
			weight = parse_ulong(arg_value(a, w, "a number (1-256)"),
					     "weight", 1, VPCE_WEIGHT_MAX);
		} else {
			arg_unknown(w);
		}
	}

	m = nl_new_target(VPCE_CMD_TARGET_ADD, svc, &addr);
	if (has_weight)
		nl_put_u16(m, VPCE_A_WEIGHT, weight);
	return nl_request(m);
}

static int target_del(struct args *a)
{
	const char *svc = arg_name(a, "SVC", "service name");
	struct vpce_addr addr;
	struct nl_msg *m;

	arg_target_addr(a, &addr);
	if (arg_peek(a))
		arg_unknown(arg_peek(a));

	m = nl_new_target(VPCE_CMD_TARGET_DEL, svc, &addr);
	return nl_request(m);
}

static int parse_health(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(health_names); i++)
		if (!strcmp(s, health_names[i]))
			return i;
	die_usage("invalid health \"%s\": use healthy, unhealthy or draining", s);
}

static int target_set(struct args *a)
{
	const char *svc = arg_name(a, "SVC", "service name");
	bool has_weight = false, has_health = false;
	unsigned long weight = 0;
	struct vpce_addr addr;
	struct nl_msg *m;
	int health = 0;
	const char *w;

	arg_target_addr(a, &addr);
	while ((w = arg_next(a))) {
		if (kw_is(w, "weight")) {
			arg_once(&has_weight, w);
			weight = parse_ulong(arg_value(a, w, "a number (1-256)"),
					     "weight", 1, VPCE_WEIGHT_MAX);
		} else if (kw_is(w, "health")) {
			arg_once(&has_health, w);
			health = parse_health(arg_value(a, w,
					"healthy, unhealthy or draining"));
		} else {
			arg_unknown(w);
		}
	}
	if (!has_weight && !has_health)
		die_usage("%s: nothing to set (weight or health)", cur_cmd);

	m = nl_new_target(VPCE_CMD_TARGET_SET, svc, &addr);
	if (has_weight)
		nl_put_u16(m, VPCE_A_WEIGHT, weight);
	if (has_health)
		nl_put_u8(m, VPCE_A_HEALTH, health);
	return nl_request(m);
}

json_t *target_parse(struct nlattr **tb)
{
	json_t *addr, *t;

	if (!tb[VPCE_A_SERVICE])
		return NULL;
	addr = json_addr(tb[VPCE_A_ADDR]);
	if (!addr)
		return NULL;
	/* Flatten the address: a target's addr and zone are its own fields. */
	t = json_pack("{s:o, s:O, s:O, s:o, s:o}",
		"service", json_attr_str(tb[VPCE_A_SERVICE]),
		"addr", json_object_get(addr, "addr"),
		"zone", json_object_get(addr, "zone"),
		"weight", json_attr_uint(tb[VPCE_A_WEIGHT]),
		"health", json_enum(tb[VPCE_A_HEALTH], health_names,
				    ARRAY_SIZE(health_names)));
	json_decref(addr);
	/* A draining target: seconds until its flows are ended. */
	if (t && tb[VPCE_A_DEREG_DELAY])
		json_object_set_new(t, "deregistration_left",
				    json_attr_uint(tb[VPCE_A_DEREG_DELAY]));
	return t;
}

/*
 * target s1 192.168.1.10 zone az1 weight 1 health healthy
 * or, under its service in "service show":
 *     target 192.168.1.10 zone az1 weight 1 health healthy
 */
void target_print_line(const json_t *t, bool indented)
{
	if (indented)
		printf("    target");
	else
		printf("target %s", jstr(t, "service"));
	print_addr(NULL, t);
	printf(" weight %" JSON_INTEGER_FORMAT " health %s",
	       jint(t, "weight"), jstr(t, "health"));
	if (json_object_get(t, "deregistration_left"))
		printf(" deregistration-left %" JSON_INTEGER_FORMAT,
		       jint(t, "deregistration_left"));
	printf("\n");
}

static void target_print(const json_t *t)
{
	target_print_line(t, false);
}

static int target_show(struct args *a)
{
	const char *svc = arg_opt_name(a, "service name");
	json_t *out = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_TARGET_GET, true);
	if (svc)
		nl_put_str(m, VPCE_A_SERVICE, svc);
	ret = nl_query(m, target_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, target_print);
	return 0;
}

static const struct command target_cmds[] = {
	{ "add",  { NULL },		target_add },
	{ "del",  { "delete" },		target_del },
	{ "show", { "list", "ls" },	target_show },
	{ "set",  { NULL },		target_set },
	{ NULL }
};

const struct object target_object = {
	.name = "target",
	.usage =
	"target add SVC ADDR [zone AZ] [weight 1-256]\n"
	"target set SVC ADDR [weight 1-256] [health healthy|unhealthy|draining]\n"
	"target del SVC ADDR\n"
	"target show [SVC]\n",
	.cmds = target_cmds,
};
