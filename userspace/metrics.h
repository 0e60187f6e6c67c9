/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of VPCE_CMD_STATS_GET as JSON, and as Prometheus's text
 * exposition format: one piece of code that both vpcectl ("stats show")
 * and vpced (its /metrics page) use, so the two cannot differ. It needs
 * only libnl and jansson.
 */
#ifndef VPCE_METRICS_H
#define VPCE_METRICS_H

#include <stdio.h>
#include <jansson.h>
#include <netlink/attr.h>
#include <uapi/linux/vpce.h>

/*
 * One reply message's top-level attributes as a JSON object:
 *   {"object": "endpoint", "name", "vpc", "service", <counters>,
 *    "zones": [{"zone", <counters>}...]}
 *   {"object": "service", "service", "EndpointsCount", <counters>,
 *    "zones": [...]}
 *   {"object": "target", "service", "addr", "zone", <counters>}
 * where <counters> are AWS's CloudWatch names: ActiveConnections,
 * NewConnections, BytesProcessed, and RstPacketsReceived, PacketsDropped and
 * "drops" (by reason) for endpoints, RstPacketsSent for services.
 * NULL if the message is not one of these.
 */
json_t *metrics_parse(struct nlattr **tb);

/* ARR (an array of metrics_parse() objects) in the text exposition format. */
void metrics_prometheus(FILE *f, const json_t *arr);

#endif /* VPCE_METRICS_H */
