// SPDX-License-Identifier: GPL-2.0
/* vpcectl connection show|accept|reject: the provider's view of endpoints */
#include <stdio.h>

#include "vpcectl.h"

/*
 * connection e1 id vpce-0a1b2c3d4e5f60718 service s1 vpc v1
 *     owner 111111111111 requester arn:aws:iam::111111111111:root
 *     state pendingAcceptance created 2026-11-29T05:40:00Z   (one line)
 */
static void connection_print(const json_t *e)
{
	printf("connection %s id %s service %s vpc %s owner %s requester %s state %s created %s\n",
	       jstr(e, "name"), jstr(e, "id"), jstr(e, "service"), jstr(e, "vpc"),
	       jstr(e, "owner"), jstr(e, "requester"), jstr(e, "state"),
	       jstr(e, "created"));
}

static int connection_show(struct args *a)
{
	const char *svc = arg_opt_name(a, "service name");
	json_t *out = json_array();
	struct nl_msg *m;
	int ret;

	m = nl_new(VPCE_CMD_ENDPOINT_GET, true);
	if (svc)
		nl_put_str(m, VPCE_A_SERVICE, svc);
	ret = nl_query(m, endpoint_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	show(out, connection_print);
	return 0;
}

/* connection accept|reject SVC EP */
static int connection_decide(struct args *a, uint8_t cmd)
{
	const char *svc = arg_name(a, "SVC", "service name");
	const char *ep = arg_name(a, "EP", "endpoint name");
	struct nl_msg *m;

	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	m = nl_new(cmd, false);
	nl_put_str(m, VPCE_A_SERVICE, svc);
	nl_put_str(m, VPCE_A_NAME, ep);
	return nl_request(m);
}

static int connection_accept(struct args *a)
{
	return connection_decide(a, VPCE_CMD_CONNECTION_ACCEPT);
}

static int connection_reject(struct args *a)
{
	return connection_decide(a, VPCE_CMD_CONNECTION_REJECT);
}

static const struct command connection_cmds[] = {
	{ "show",   { "list", "ls" },	connection_show },
	{ "accept", { NULL },		connection_accept },
	{ "reject", { NULL },		connection_reject },
	{ NULL }
};

const struct object connection_object = {
	.name = "connection",
	.usage =
	"connection show [SVC]\n"
	"connection accept SVC EP\n"
	"connection reject SVC EP\n",
	.cmds = connection_cmds,
};
