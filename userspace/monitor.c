// SPDX-License-Identifier: GPL-2.0
/* vpcectl monitor: events as they happen, like "ip monitor" */
#include <stdio.h>

#include "vpcectl.h"

static const char *const event_names[__VPCE_EVENT_MAX] = {
	[VPCE_EVENT_REQUESTED]	= "requested",
	[VPCE_EVENT_ACCEPTED]	= "accepted",
	[VPCE_EVENT_REJECTED]	= "rejected",
	[VPCE_EVENT_CONNECTED]	= "connected",
	[VPCE_EVENT_DELETED]	= "deleted",
	[VPCE_EVENT_POLICY]	= "policy",
	[VPCE_EVENT_HEALTH]	= "health",
	[VPCE_EVENT_ADDRS]	= "addrs",
	[VPCE_EVENT_SGS]	= "sgs",
};

/*
 * requested endpoint e1 id vpce-0a1b2c3d4e5f60718 vpc v1 service s1
 *     state pendingAcceptance                              (one line)
 * health target s1 192.168.1.10 weight 1 health unhealthy
 * With -j, one object per line: {"event": ..., "endpoint"|"target": {...}}.
 */
static void print_event(uint8_t cmd, struct nlattr **tb)
{
	const char *event = enum_name(event_names, ARRAY_SIZE(event_names),
				      nla_get_u8(tb[VPCE_A_EVENT]));
	bool target = cmd == VPCE_CMD_TARGET_GET;
	json_t *obj = target ? target_parse(tb) : endpoint_parse(tb);

	if (!obj)
		return;
	if (opt_json) {
		json_t *o = json_pack("{s:s, s:o}", "event", event,
				      target ? "target" : "endpoint", obj);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%s ", event);
		if (target)
			target_print_line(obj, false);
		else
			printf("endpoint %s id %s vpc %s service %s state %s\n",
			       jstr(obj, "name"), jstr(obj, "id"), jstr(obj, "vpc"),
			       jstr(obj, "service"), jstr(obj, "state"));
		json_decref(obj);
	}
	fflush(stdout);
}

int monitor_run(struct args *a)
{
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	nl_monitor(print_event);
}
