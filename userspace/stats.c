// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl stats show [endpoint EP | service SVC | target SVC]
 *		      [format text|json|prometheus]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "vpcectl.h"

static void print_counters(const json_t *o)
{
	static const char *const keys[] = {
		"ActiveConnections", "NewConnections", "BytesProcessed",
		"RstPacketsReceived", "RstPacketsSent", "PacketsDropped",
		"AnswersLimited", "PortAllocationErrorCount",
	};
	json_t *drops = json_object_get(o, "drops");
	void *it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(o, keys[i]))
			printf(" %s %" JSON_INTEGER_FORMAT, keys[i], jint(o, keys[i]));
	for (it = json_object_iter(drops); it;
	     it = json_object_iter_next(drops, it))
		printf(" drop-%s %" JSON_INTEGER_FORMAT, json_object_iter_key(it),
		       json_integer_value(json_object_iter_value(it)));
	putchar('\n');
}

/*
 * endpoint epa id vpce-0a1b2c3d4e5f60718 vpc A service svc
 *     ActiveConnections 1 NewConnections 26 BytesProcessed 5460 ...
 *     zone az1 ActiveConnections 1 ...
 */
static void stats_print(const json_t *o)
{
	const char *what = jstr(o, "object");
	const json_t *z;
	size_t i;

	if (!strcmp(what, "flows")) {
		printf("flows %" JSON_INTEGER_FORMAT " limit %" JSON_INTEGER_FORMAT
		       " flow-log-skipped %" JSON_INTEGER_FORMAT "\n",
		       jint(o, "Flows"), jint(o, "FlowLimit"),
		       jint(o, "FlowLogSkipped"));
		return;
	}
	if (!strcmp(what, "endpoint"))
		printf("endpoint %s id %s vpc %s service %s\n", jstr(o, "name"),
		       jstr(o, "id"), jstr(o, "vpc"), jstr(o, "service"));
	else if (!strcmp(what, "service"))
		printf("service %s endpoints %" JSON_INTEGER_FORMAT "\n",
		       jstr(o, "service"), jint(o, "EndpointsCount"));
	else
		printf("target %s %s%s%s\n", jstr(o, "service"), jstr(o, "addr"),
		       json_is_string(json_object_get(o, "zone")) ? " zone " : "",
		       json_is_string(json_object_get(o, "zone")) ?
		       jstr(o, "zone") : "");
	printf("   ");
	print_counters(o);
	for_each_elem(json_object_get(o, "zones"), i, z) {
		printf("    zone %s", jstr(z, "zone"));
		print_counters(z);
	}
}

static int stats_show(struct args *a)
{
	const char *w, *name = NULL, *format = "text";
	bool has_format = false;
	json_t *out = json_array();
	int of = -1, ret;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "endpoint") || kw_is(w, "service") ||
		    kw_is(w, "target")) {
			if (of >= 0)
				die_usage("%s: only one of \"endpoint\", \"service\" and \"target\"",
					  cur_cmd);
			of = kw_is(w, "endpoint") ? VPCE_STATS_OF_ENDPOINT :
			     kw_is(w, "service") ? VPCE_STATS_OF_SERVICE :
			     VPCE_STATS_OF_TARGET;
			name = arg_value(a, w, of == VPCE_STATS_OF_ENDPOINT ?
					 "EP" : "SVC");
			check_name(name, of == VPCE_STATS_OF_ENDPOINT ?
				   "endpoint name" : "service name",
				   VPCE_NAME_MAX);
		} else if (kw_is(w, "format")) {
			arg_once(&has_format, w);
			format = arg_value(a, w, "text|json|prometheus");
			if (strcmp(format, "text") && strcmp(format, "json") &&
			    strcmp(format, "prometheus"))
				die_usage("%s: format is text, json or prometheus, not \"%s\"",
					  cur_cmd, format);
		} else {
			arg_unknown(w);
		}
	}

	m = nl_new(VPCE_CMD_STATS_GET, true);
	if (of >= 0)
		nl_put_u8(m, VPCE_A_STATS_OF, of);
	if (of == VPCE_STATS_OF_ENDPOINT)
		nl_put_str(m, VPCE_A_NAME, name);
	else if (name)
		nl_put_str(m, VPCE_A_SERVICE, name);
	ret = nl_query(m, metrics_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	if (!strcmp(format, "prometheus")) {
		metrics_prometheus(stdout, out);
		json_decref(out);
		fflush(stdout);
		return 0;
	}
	if (!strcmp(format, "json"))
		opt_json = true;
	show(out, stats_print);
	return 0;
}

static const struct command stats_cmds[] = {
	{ "show", { "list", "ls" },	stats_show },
	{ NULL }
};

const struct object stats_object = {
	.name = "stats",
	.usage =
	"stats show [endpoint EP | service SVC | target SVC]\n"
	"        [format text|json|prometheus]\n",
	.cmds = stats_cmds,
};
