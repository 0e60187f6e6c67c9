// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl's side of the netlink client (nl.c): replies become JSON
 * objects, kernel errors become "vpcectl: <extack message>", and while a
 * batch is read requests go to the batch instead of the kernel.
 */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

int (*nl_batch_hook)(struct nl_msg *req);

void nl_report(const struct nl_reply *r)
{
	switch (r->status) {
	case NL_ANSWERED:
		if (r->msg[0])
			fprintf(stderr, "vpcectl: %s%s\n", err_prefix, r->msg);
		else if (r->miss_type >= 0)
			fprintf(stderr, "vpcectl: %s%s: %s (attribute %d missing)\n",
				err_prefix, cur_cmd, strerror(-r->error), r->miss_type);
		else
			fprintf(stderr, "vpcectl: %s%s: %s\n", err_prefix, cur_cmd,
				strerror(-r->error));
		break;
	case NL_NETLINK:
		fprintf(stderr, "vpcectl: %s%s: netlink: %s\n", err_prefix, cur_cmd,
			nl_geterror(r->error));
		break;
	case NL_MALFORMED:
		fprintf(stderr, "vpcectl: %s%s: malformed reply from the kernel\n",
			err_prefix, cur_cmd);
		break;
	case NL_CHANGING:
		fprintf(stderr, "vpcectl: %s%s: the state kept changing during %d dumps; try again\n",
			err_prefix, cur_cmd, NL_DUMP_TRIES);
		break;
	}
}

struct to_json {
	nl_parse_fn parse;
	json_t *out;
};

static int append(struct nlattr **tb, void *arg)
{
	struct to_json *j = arg;
	json_t *obj;

	if (!j->parse)
		return 0;
	obj = j->parse(tb);
	if (!obj)
		return -1;
	json_array_append_new(j->out, obj);
	return 0;
}

static void clear(void *arg)
{
	struct to_json *j = arg;

	if (j->out)
		json_array_clear(j->out);
}

int nl_query(struct nl_msg *req, nl_parse_fn parse, json_t *out)
{
	struct to_json j = { parse, out };
	struct nl_handler h = { append, clear, &j };
	struct nl_reply r;

	if (nl_batch_hook)
		die_usage("%s: only commands that change state can be in a batch",
			  cur_cmd);
	if (!nl_transact(req, &h, &r)) {
		if (r.msg[0])
			fprintf(stderr, "vpcectl: %swarning: %s\n", err_prefix, r.msg);
		return 0;
	}
	nl_report(&r);
	return EXIT_KERNEL;
}

int nl_request(struct nl_msg *req)
{
	if (nl_batch_hook)
		return nl_batch_hook(req);
	return nl_query(req, NULL, NULL);
}

static void on_event(uint8_t cmd, struct nlattr **tb, void *arg)
{
	const nl_event_fn *handle = arg;

	(*handle)(cmd, tb);
}

int nl_monitor(nl_event_fn handle)
{
	const char *step;
	int err;

	step = nl_subscribe(&err);
	if (step)
		die_kernel("cannot %s the %s multicast group: %s", step,
			   VPCE_MCGRP_EVENTS, nl_geterror(err));
	/* Scripts wait for this line before they make the changes to watch. */
	fprintf(stderr, "vpcectl: monitoring %s events\n", VPCE_GENL_NAME);
	err = nl_listen(on_event, &handle);
	die_kernel("monitor: %s", nl_geterror(err));
}
