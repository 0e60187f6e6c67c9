// SPDX-License-Identifier: GPL-2.0
/*
 * Output. Reply attributes become JSON values here; -j prints them as they
 * are, and the text printers of each object read the very same JSON, so a
 * field cannot exist in one format and not in the other.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <netlink/attr.h>

#include "vpcectl.h"

const char *const type_names[__VPCE_TYPE_MAX] = {
	[VPCE_TYPE_INTERFACE]	= "interface",
	[VPCE_TYPE_GATEWAY]	= "gateway",
};

const char *const state_names[__VPCE_STATE_MAX] = {
	[VPCE_STATE_PENDING_ACCEPTANCE]	= "pendingAcceptance",
	[VPCE_STATE_AVAILABLE]		= "available",
	[VPCE_STATE_REJECTED]		= "rejected",
	[VPCE_STATE_DELETING]		= "deleting",
	[VPCE_STATE_FAILED]		= "failed",
};

const char *const health_names[__VPCE_HEALTH_MAX] = {
	[VPCE_HEALTH_HEALTHY]	= "healthy",
	[VPCE_HEALTH_UNHEALTHY]	= "unhealthy",
	[VPCE_HEALTH_DRAINING]	= "draining",
};

const char *const hc_names[__VPCE_HC_MAX] = {
	[VPCE_HC_NONE]	= "none",
	[VPCE_HC_TCP]	= "tcp",
	[VPCE_HC_HTTP]	= "http",
	[VPCE_HC_HTTPS]	= "https",
};

const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
		"unknown";
}

const char *enum_name(const char *const *names, size_t n, unsigned int v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

json_t *json_account(uint64_t account)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%012" PRIu64, account);
	return json_string(buf);
}

json_t *json_attr_str(const struct nlattr *nla)
{
	return nla ? json_string(nla_get_string((struct nlattr *)nla)) : json_null();
}

/* Any unsigned integer attribute, by its length. */
json_t *json_attr_uint(const struct nlattr *nla)
{
	if (!nla)
		return json_null();
	switch (nla_len(nla)) {
	case 1:
		return json_integer(nla_get_u8((struct nlattr *)nla));
	case 2:
		return json_integer(nla_get_u16((struct nlattr *)nla));
	case 4:
		return json_integer(nla_get_u32((struct nlattr *)nla));
	case 8:
		return json_integer((json_int_t)nla_get_u64((struct nlattr *)nla));
	}
	return json_null();
}

/* An endpoint's or a service's flow log setting: null when off. */
json_t *json_flow_log(struct nlattr **tb)
{
	if (!tb[VPCE_A_FLOW_LOG] || !nla_get_u8(tb[VPCE_A_FLOW_LOG]))
		return json_null();
	return json_pack("{s:o, s:o}",
			 "aggregation", json_attr_uint(tb[VPCE_A_FLOW_LOG_AGGREGATION]),
			 "sample", json_attr_uint(tb[VPCE_A_FLOW_LOG_SAMPLE]));
}

json_t *json_enum(const struct nlattr *nla, const char *const *names, size_t n)
{
	if (!nla)
		return json_null();
	return json_string(enum_name(names, n, nla_get_u8((struct nlattr *)nla)));
}

json_t *json_addr(const struct nlattr *nest)
{
	char buf[INET6_ADDRSTRLEN];
	struct vpce_addr a;

	if (nl_parse_addr(nest, &a, NULL))
		return NULL;
	return json_pack("{s:s, s:s?}", "addr", nl_addr_str(&a, buf),
			 "zone", a.zone[0] ? a.zone : NULL);
}

json_t *json_prefix(const struct nlattr *nest)
{
	char buf[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 8];
	struct vpce_addr a;
	uint8_t plen;

	if (nl_parse_addr(nest, &a, &plen))
		return NULL;
	snprintf(out, sizeof(out), "%s/%u", nl_addr_str(&a, buf), plen);
	return json_string(out);
}

json_t *json_str_array(const struct nlattr *arr)
{
	json_t *out = json_array();
	struct nlattr *child;
	int rem;

	if (!arr)
		return out;
	nla_for_each_nested(child, (struct nlattr *)arr, rem) {
		json_array_append_new(out, json_string(nla_get_string(child)));
	}
	return out;
}

json_t *json_time(const struct nlattr *nla)
{
	char buf[32];
	struct tm tm;
	time_t t;

	if (!nla)
		return json_null();
	t = (time_t)nla_get_u64((struct nlattr *)nla);
	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

json_t *json_nested_array(const struct nlattr *arr,
			  json_t *(*conv)(const struct nlattr *nest))
{
	json_t *out = json_array();
	struct nlattr *child;
	int rem;

	if (!arr)
		return out;
	nla_for_each_nested(child, (struct nlattr *)arr, rem) {
		json_t *o = conv(child);

		if (!o) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, o);
	}
	return out;
}

json_t *json_addr_array(const struct nlattr *arr)
{
	return json_nested_array(arr, json_addr);
}

const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

void print_addr(const char *kw, const json_t *addr)
{
	const char *zone = json_string_value(json_object_get(addr, "zone"));

	if (kw)
		printf(" %s", kw);
	printf(" %s", jstr(addr, "addr"));
	if (zone)
		printf(" zone %s", zone);
}

void show(json_t *arr, void (*print)(const json_t *obj))
{
	if (opt_json) {
		json_dumpf(arr, stdout, opt_pretty ? JSON_INDENT(2) : JSON_COMPACT);
		putchar('\n');
	} else {
		const json_t *o;
		size_t i;

		for_each_elem(arr, i, o)
			print(o);
	}
	json_decref(arr);
	fflush(stdout);
}

void print_text_block(const char *title, const char *text)
{
	if (!text)
		return;
	printf("    %s\n", title);
	while (*text) {
		const char *nl = strchr(text, '\n');

		if (!nl)
			nl = text + strlen(text);
		printf("        %.*s\n", (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}
