// SPDX-License-Identifier: GPL-2.0
/*
 * Counters as JSON and as Prometheus metrics: see metrics.h. Shared by
 * vpcectl and vpced.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"
#include "nl.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* Refusals by reason: the attribute and the word for it. */
static const struct {
	int attr;
	const char *reason;
} drops[] = {
	{ VPCE_STATS_A_DROP_NO_LISTENER, "no_listener" },
	{ VPCE_STATS_A_DROP_STATE,	 "state" },
	{ VPCE_STATS_A_DROP_NO_TARGET,	 "no_target" },
	{ VPCE_STATS_A_DROP_PROTO,	 "proto" },
	{ VPCE_STATS_A_DROP_POLICY,	 "policy" },
	{ VPCE_STATS_A_RESET_STALE,	 "stale" },
	{ VPCE_STATS_A_DROP_FULL,	 "full" },
	{ VPCE_STATS_A_DROP_INVALID,	 "invalid" },
	{ VPCE_STATS_A_DROP_SG,		 "sg" },
};

static json_t *u64(struct nlattr **tb, int attr)
{
	return json_integer(tb[attr] ? (json_int_t)nla_get_u64(tb[attr]) : 0);
}

static json_t *str(struct nlattr *nla)
{
	return nla ? json_string(nla_get_string(nla)) : json_null();
}

/* The counters of one VPCE_STATS_A_* nest, added to OBJ. */
static bool counters(json_t *obj, struct nlattr *nest, int of)
{
	struct nlattr *tb[VPCE_STATS_A_MAX + 1] = { NULL };
	json_int_t total = 0;
	json_t *by_reason;
	size_t i;

	if (!nest || nla_parse_nested(tb, VPCE_STATS_A_MAX, nest, nl_stats_policy) < 0)
		return false;
	if (tb[VPCE_STATS_A_ZONE])
		json_object_set_new(obj, "zone", str(tb[VPCE_STATS_A_ZONE]));
	json_object_set_new(obj, "ActiveConnections",
			    u64(tb, VPCE_STATS_A_ACTIVE_CONNECTIONS));
	json_object_set_new(obj, "NewConnections",
			    u64(tb, VPCE_STATS_A_NEW_CONNECTIONS));
	json_object_set_new(obj, "BytesProcessed", u64(tb, VPCE_STATS_A_BYTES));
	/* NLB's: new flows refused, no source port left in the zone's pool
	 * (a refusal of its own, not among the drops by reason).
	 */
	if (of != VPCE_STATS_OF_TARGET)
		json_object_set_new(obj, "PortAllocationErrorCount",
				    u64(tb, VPCE_STATS_A_PORT_ALLOC_ERRORS));
	if (of == VPCE_STATS_OF_SERVICE)
		json_object_set_new(obj, "RstPacketsSent",
				    u64(tb, VPCE_STATS_A_RST_SENT));
	if (of != VPCE_STATS_OF_ENDPOINT)
		return true;
	json_object_set_new(obj, "RstPacketsReceived",
			    u64(tb, VPCE_STATS_A_RST_RECEIVED));
	/* Not a refusal: answers to refusals (and ARP/NDP) not sent. */
	json_object_set_new(obj, "AnswersLimited",
			    u64(tb, VPCE_STATS_A_LIMITED));
	by_reason = json_object();
	for (i = 0; i < ARRAY_LEN(drops); i++) {
		json_int_t n = tb[drops[i].attr] ?
			(json_int_t)nla_get_u64(tb[drops[i].attr]) : 0;

		json_object_set_new(by_reason, drops[i].reason, json_integer(n));
		total += n;
	}
	json_object_set_new(obj, "PacketsDropped", json_integer(total));
	json_object_set_new(obj, "drops", by_reason);
	return true;
}

static json_t *zones(struct nlattr *arr, int of)
{
	json_t *out = json_array();
	struct nlattr *nest;
	int rem;

	if (!arr)
		return out;
	nla_for_each_nested(nest, arr, rem) {
		json_t *z = json_object();

		if (!counters(z, nest, of)) {
			json_decref(z);
			continue;
		}
		json_array_append_new(out, z);
	}
	return out;
}

static json_t *addr(struct nlattr *nest, const char *key, json_t *obj)
{
	char buf[INET6_ADDRSTRLEN] = "";
	struct vpce_addr a;

	if (!nl_parse_addr(nest, &a, NULL))
		nl_addr_str(&a, buf);
	json_object_set_new(obj, key, json_string(buf));
	json_object_set_new(obj, "zone", a.zone[0] ? json_string(a.zone) : json_null());
	return obj;
}

json_t *metrics_parse(struct nlattr **tb)
{
	json_t *o;
	int of;

	if (!tb[VPCE_A_STATS_OF])
		return NULL;
	of = nla_get_u8(tb[VPCE_A_STATS_OF]);
	/* vpce's own flow table: how full it is. */
	if (of == VPCE_STATS_OF_FLOWS)
		return json_pack("{s:s, s:I, s:I, s:I}", "object", "flows",
			"Flows", (json_int_t)(tb[VPCE_A_FLOW_COUNT] ?
				nla_get_u32(tb[VPCE_A_FLOW_COUNT]) : 0),
			"FlowLimit", (json_int_t)(tb[VPCE_A_FLOW_MAX] ?
				nla_get_u32(tb[VPCE_A_FLOW_MAX]) : 0),
			"FlowLogSkipped", (json_int_t)(tb[VPCE_A_FLOW_LOG_SKIPPED] ?
				nla_get_u64(tb[VPCE_A_FLOW_LOG_SKIPPED]) : 0));
	if (!tb[VPCE_A_STATS])
		return NULL;
	o = json_object();
	switch (of) {
	case VPCE_STATS_OF_ENDPOINT:
		json_object_set_new(o, "object", json_string("endpoint"));
		json_object_set_new(o, "name", str(tb[VPCE_A_NAME]));
		json_object_set_new(o, "id", str(tb[VPCE_A_ENDPOINT_ID]));
		json_object_set_new(o, "vpc", str(tb[VPCE_A_VPC]));
		json_object_set_new(o, "service", str(tb[VPCE_A_SERVICE]));
		break;
	case VPCE_STATS_OF_SERVICE:
		json_object_set_new(o, "object", json_string("service"));
		json_object_set_new(o, "service", str(tb[VPCE_A_SERVICE]));
		json_object_set_new(o, "EndpointsCount",
				    json_integer(tb[VPCE_A_ENDPOINT_COUNT] ?
						 nla_get_u32(tb[VPCE_A_ENDPOINT_COUNT]) : 0));
		break;
	case VPCE_STATS_OF_TARGET:
		json_object_set_new(o, "object", json_string("target"));
		json_object_set_new(o, "service", str(tb[VPCE_A_SERVICE]));
		addr(tb[VPCE_A_ADDR], "addr", o);
		break;
	default:
		json_decref(o);
		return NULL;
	}
	if (!counters(o, tb[VPCE_A_STATS], of)) {
		json_decref(o);
		return NULL;
	}
	if (of != VPCE_STATS_OF_TARGET)
		json_object_set_new(o, "zones", zones(tb[VPCE_A_ZONE_STATS], of));
	return o;
}

/* ---- Prometheus ---- */

/*
 * A metric family: its name, type and help, the objects it describes
 * ("endpoint", "service", "target"), whether one sample per zone (from
 * "zones") rather than per object, and the JSON key of its value; "drops"
 * gives one sample per reason.
 */
struct family {
	const char *name;
	const char *type;
	const char *help;
	const char *object;
	bool per_zone;
	const char *key;
};

#define EP_FAMILIES(pfx, per, zone)					\
	{ pfx "_active_connections", "gauge",				\
	  "TCP flows being set up or established and live UDP flows to the endpoint" per ".", \
	  "endpoint", zone, "ActiveConnections" },			\
	{ pfx "_new_connections_total", "counter",			\
	  "Flows through the endpoint sent to a target" per ".",	\
	  "endpoint", zone, "NewConnections" },				\
	{ pfx "_bytes_processed_total", "counter",			\
	  "IP bytes of the endpoint's flows, both directions" per ".",	\
	  "endpoint", zone, "BytesProcessed" },				\
	{ pfx "_rst_packets_received_total", "counter",			\
	  "TCP resets received from clients of the endpoint" per ".",	\
	  "endpoint", zone, "RstPacketsReceived" },			\
	{ pfx "_packets_dropped_total", "counter",			\
	  "Packets of new flows refused by the endpoint, by reason" per ".", \
	  "endpoint", zone, "drops" },					\
	{ pfx "_answers_limited_total", "counter",			\
	  "ARP/NDP answers, resets and ICMP errors to the endpoint's clients not sent: rate limit" per ".", \
	  "endpoint", zone, "AnswersLimited" },				\
	{ pfx "_port_allocation_errors_total", "counter",		\
	  "New flows through the endpoint refused: no source port left on the zone's load balancer addresses" per ".", \
	  "endpoint", zone, "PortAllocationErrorCount" }

#define SVC_FAMILIES(pfx, per, zone)					\
	{ pfx "_active_connections", "gauge",				\
	  "TCP flows being set up or established and live UDP flows to the service" per ".", \
	  "service", zone, "ActiveConnections" },			\
	{ pfx "_new_connections_total", "counter",			\
	  "Flows to the service sent to a target" per ".",		\
	  "service", zone, "NewConnections" },				\
	{ pfx "_bytes_processed_total", "counter",			\
	  "IP bytes of the service's flows, both directions" per ".",	\
	  "service", zone, "BytesProcessed" },				\
	{ pfx "_rst_packets_sent_total", "counter",			\
	  "TCP resets sent to clients by targets and by vpce" per ".",	\
	  "service", zone, "RstPacketsSent" },				\
	{ pfx "_port_allocation_errors_total", "counter",		\
	  "New flows to the service refused: no source port left on the zone's load balancer addresses (NLB's PortAllocationErrorCount)" per ".", \
	  "service", zone, "PortAllocationErrorCount" }

static const struct family families[] = {
	EP_FAMILIES("vpce_endpoint", "", false),
	EP_FAMILIES("vpce_endpoint_zone", ", per endpoint address (zone)", true),
	SVC_FAMILIES("vpce_service", "", false),
	{ "vpce_service_endpoints", "gauge",
	  "Endpoints connected to the service.",
	  "service", false, "EndpointsCount" },
	SVC_FAMILIES("vpce_service_zone", ", per zone", true),
	{ "vpce_target_active_connections", "gauge",
	  "TCP flows being set up or established and live UDP flows to the target.",
	  "target", false, "ActiveConnections" },
	{ "vpce_target_new_connections_total", "counter",
	  "Flows sent to the target.",
	  "target", false, "NewConnections" },
	{ "vpce_target_bytes_processed_total", "counter",
	  "IP bytes of the target's flows, both directions.",
	  "target", false, "BytesProcessed" },
	{ "vpce_flows", "gauge",
	  "Flows in vpce's own flow table (conntrack=0).",
	  "flows", false, "Flows" },
	{ "vpce_flows_limit", "gauge",
	  "The most flows vpce's own flow table holds (flow set limit, else nf_conntrack_max, at most 524287).",
	  "flows", false, "FlowLimit" },
	{ "vpce_flow_log_skipped_total", "counter",
	  "Flow log records not delivered: a reader's socket was full, or memory short.",
	  "flows", false, "FlowLogSkipped" },
};

/* A label value, escaped as the exposition format wants. */
static void label(FILE *f, bool *first, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(f, "%s%s=\"", *first ? "{" : ",", name);
	*first = false;
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(f, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
	fputc('"', f);
}

static const char *s(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One sample: the object's labels, the zone's, and REASON's if any. */
static void sample(FILE *f, const struct family *fam, const json_t *obj,
		   const json_t *zone, const char *reason, json_int_t v)
{
	bool first = true;

	fputs(fam->name, f);
	if (!strcmp(fam->object, "endpoint")) {
		label(f, &first, "endpoint", s(obj, "name"));
		label(f, &first, "vpc", s(obj, "vpc"));
		label(f, &first, "service", s(obj, "service"));
	} else if (!strcmp(fam->object, "service")) {
		label(f, &first, "service", s(obj, "service"));
	} else if (!strcmp(fam->object, "target")) {
		label(f, &first, "service", s(obj, "service"));
		label(f, &first, "target", s(obj, "addr"));
		label(f, &first, "zone", s(obj, "zone"));
	}
	if (zone)
		label(f, &first, "zone", s(zone, "zone"));
	label(f, &first, "reason", reason);
	fprintf(f, "%s %" JSON_INTEGER_FORMAT "\n", first ? "" : "}", v);
}

static void samples(FILE *f, const struct family *fam, const json_t *obj,
		    const json_t *zone)
{
	const json_t *src = zone ? zone : obj;
	json_t *v = json_object_get(src, fam->key);
	void *it;

	if (!json_is_object(v)) {
		sample(f, fam, obj, zone, NULL, json_integer_value(v));
		return;
	}
	/* One sample per reason, in the order of the "drops" object. */
	for (it = json_object_iter(v); it; it = json_object_iter_next(v, it))
		sample(f, fam, obj, zone, json_object_iter_key(it),
		       json_integer_value(json_object_iter_value(it)));
}

void metrics_prometheus(FILE *f, const json_t *arr)
{
	const json_t *obj, *zone;
	size_t i, j, k;

	/* All samples of a family together, after its HELP and TYPE. */
	for (i = 0; i < ARRAY_LEN(families); i++) {
		const struct family *fam = &families[i];
		bool any = false;

		for (j = 0; j < json_array_size(arr); j++) {
			obj = json_array_get(arr, j);
			if (strcmp(s(obj, "object") ? s(obj, "object") : "",
				   fam->object))
				continue;
			if (!any) {
				fprintf(f, "# HELP %s %s\n# TYPE %s %s\n",
					fam->name, fam->help, fam->name,
					fam->type);
				any = true;
			}
			if (!fam->per_zone) {
				samples(f, fam, obj, NULL);
				continue;
			}
			for (k = 0; k < json_array_size(json_object_get(obj, "zones")); k++) {
				zone = json_array_get(json_object_get(obj, "zones"), k);
				samples(f, fam, obj, zone);
			}
		}
	}
}
