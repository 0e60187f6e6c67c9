// SPDX-License-Identifier: GPL-2.0
/*
 * A service's health check in vpcectl: "health-check ..." of "service set"
 * read into a VPCE_A_HEALTH_CHECK nest, and that nest back as JSON and as
 * the same words (for "service show" and "save").
 *
 *	health-check tcp|http[:PATH]|https[:PATH]|none [port N] [interval S]
 *		[timeout S] [healthy-threshold N] [unhealthy-threshold N]
 *		[matcher CODES] [host NAME]
 *
 * Only what is given is sent; the kernel fills in the NLB's defaults and
 * checks everything again (it keeps the check for every vpced).
 */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

#define HC_INTERVAL_DEFAULT	30	/* the kernel's, for the timeout check */

/* The numbers after "health-check PROTO": keyword, value, range. */
static const struct {
	const char *kw, *what;
	unsigned long min, max;
} hc_nums[] = {
	{ "port",		 "a port (1-65535)", 1, 65535 },
	{ "interval",		 "SECONDS (5-300)",  VPCE_HC_INTERVAL_MIN, VPCE_HC_INTERVAL_MAX },
	{ "timeout",		 "SECONDS (2-120)",  VPCE_HC_TIMEOUT_MIN, VPCE_HC_TIMEOUT_MAX },
	{ "healthy-threshold",	 "a number (2-10)",  2, 10 },
	{ "unhealthy-threshold", "a number (2-10)",  2, 10 },
};

/* The words after the protocol that take a string. */
static const char *const hc_strs[] = { "matcher", "host" };

bool hc_keyword(const char *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hc_nums); i++)
		if (kw_is(w, hc_nums[i].kw))
			return true;
	for (i = 0; i < ARRAY_SIZE(hc_strs); i++)
		if (kw_is(w, hc_strs[i]))
			return true;
	return false;
}

/* "http[:PATH]" or "https[:PATH]" at V, PLEN the protocol's length. */
static void parse_http(const char *v, size_t plen, struct hc_settings *hc)
{
	const char *p;

	if (!v[plen])
		return;
	p = v + plen + 1;
	hc->path = p;
	if (*p != '/')
		die_usage("invalid health check \"%s\": the path must start with /", v);
	if (strlen(p) > VPCE_HC_PATH_MAX)
		die_usage("invalid health check \"%s\": the path is too long (at most %d characters)",
			  v, VPCE_HC_PATH_MAX);
	for (; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			die_usage("invalid health check \"%s\": the path has a space or control character", v);
}

static void parse_proto(const char *v, struct hc_settings *hc)
{
	if (!strcmp(v, "tcp")) {
		hc->proto = VPCE_HC_TCP;
	} else if (!strcmp(v, "none")) {
		hc->proto = VPCE_HC_NONE;
	} else if (!strncmp(v, "https", 5) && (!v[5] || v[5] == ':')) {
		hc->proto = VPCE_HC_HTTPS;
		parse_http(v, 5, hc);
	} else if (!strncmp(v, "http", 4) && (!v[4] || v[4] == ':')) {
		hc->proto = VPCE_HC_HTTP;
		parse_http(v, 4, hc);
	} else {
		die_usage("invalid health check \"%s\": use tcp, http[:PATH], https[:PATH] or none", v);
	}
}

/* matcher CODES or host NAME, at word W. */
static void parse_str(struct args *a, const char *w, struct hc_settings *hc)
{
	const char *v;

	if (kw_is(w, "matcher")) {
		uint64_t codes[HC_CODES_WORDS];

		v = arg_value(a, w, "CODES (e.g. 200-299,302)");
		if (strlen(v) > VPCE_HC_MATCHER_MAX || !hc_matcher_parse(v, codes))
			die_usage("invalid matcher \"%s\": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most %d characters",
				  v, VPCE_HC_MATCHER_MAX);
		hc->matcher = v;
	} else {
		v = arg_value(a, w, "NAME");
		check_dns_name_kw("host", v, false);
		hc->host = v;
	}
}

void hc_settings_parse(struct args *a, const char *kw, struct hc_settings *hc)
{
	const char *v = arg_value(a, kw, "tcp, http[:PATH], https[:PATH] or none");
	unsigned long *const num[ARRAY_SIZE(hc_nums)] = {
		&hc->port, &hc->interval, &hc->timeout, &hc->healthy, &hc->unhealthy,
	};
	bool seen_num[ARRAY_SIZE(hc_nums)] = { false };
	bool seen_str[ARRAY_SIZE(hc_strs)] = { false };
	bool any = false, http;
	const char *w;
	size_t i;

	parse_proto(v, hc);
	http = hc->proto == VPCE_HC_HTTP || hc->proto == VPCE_HC_HTTPS;
	while ((w = arg_peek(a)) && hc_keyword(w)) {
		arg_next(a);
		any = true;
		for (i = 0; i < ARRAY_SIZE(hc_strs); i++)
			if (kw_is(w, hc_strs[i])) {
				arg_once(&seen_str[i], w);
				if (!http)
					die_usage("%s: \"%s\" is for HTTP and HTTPS health checks",
						  cur_cmd, hc_strs[i]);
				parse_str(a, w, hc);
			}
		for (i = 0; i < ARRAY_SIZE(hc_nums); i++)
			if (kw_is(w, hc_nums[i].kw)) {
				arg_once(&seen_num[i], w);
				*num[i] = parse_ulong(arg_value(a, w, hc_nums[i].what),
						      hc_nums[i].kw, hc_nums[i].min,
						      hc_nums[i].max);
			}
	}
	if (hc->proto == VPCE_HC_NONE && any)
		die_usage("%s: \"health-check none\" takes no port, interval, timeout, thresholds, matcher or host",
			  cur_cmd);
	if (hc->timeout && hc->timeout >= (hc->interval ?: HC_INTERVAL_DEFAULT))
		die_usage("%s: the health check timeout (%lu s) must be less than its interval (%lu s)",
			  cur_cmd, hc->timeout, hc->interval ?: HC_INTERVAL_DEFAULT);
}

void hc_settings_put(struct nl_msg *m, const struct hc_settings *hc)
{
	struct nlattr *nest = nl_nest(m, VPCE_A_HEALTH_CHECK);

	nl_put_u8(m, VPCE_HC_A_PROTO, hc->proto);
	if (hc->path)
		nl_put_str(m, VPCE_HC_A_PATH, hc->path);
	if (hc->port)
		nl_put_u16(m, VPCE_HC_A_PORT, hc->port);
	if (hc->interval)
		nl_put_u32(m, VPCE_HC_A_INTERVAL, hc->interval);
	if (hc->timeout)
		nl_put_u32(m, VPCE_HC_A_TIMEOUT, hc->timeout);
	if (hc->healthy)
		nl_put_u8(m, VPCE_HC_A_HEALTHY, hc->healthy);
	if (hc->unhealthy)
		nl_put_u8(m, VPCE_HC_A_UNHEALTHY, hc->unhealthy);
	if (hc->matcher)
		nl_put_str(m, VPCE_HC_A_MATCHER, hc->matcher);
	if (hc->host)
		nl_put_str(m, VPCE_HC_A_HOST, hc->host);
	nl_nest_end(m, nest);
}

json_t *hc_json(const struct nlattr *nest)
{
	struct nlattr *tb[VPCE_HC_A_MAX + 1];
	static const struct {
		const char *key;
		int type;
	} strs[] = {
		{ "path", VPCE_HC_A_PATH },
		{ "matcher", VPCE_HC_A_MATCHER },
		{ "host", VPCE_HC_A_HOST },
	};
	json_t *o;
	size_t i;

	if (!nl_parse_hc(nest, tb))
		return json_null();
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
		"protocol", json_enum(tb[VPCE_HC_A_PROTO], hc_names, ARRAY_SIZE(hc_names)),
		"port", json_attr_uint(tb[VPCE_HC_A_PORT]),
		"interval", json_attr_uint(tb[VPCE_HC_A_INTERVAL]),
		"timeout", json_attr_uint(tb[VPCE_HC_A_TIMEOUT]),
		"healthy_threshold", json_attr_uint(tb[VPCE_HC_A_HEALTHY]),
		"unhealthy_threshold", json_attr_uint(tb[VPCE_HC_A_UNHEALTHY]));
	for (i = 0; o && i < ARRAY_SIZE(strs); i++)
		if (tb[strs[i].type])
			json_object_set_new(o, strs[i].key, json_attr_str(tb[strs[i].type]));
	return o;
}

/*
 * " health-check https:/health port 8443 interval 10 timeout 5
 * healthy-threshold 3 unhealthy-threshold 2 matcher 200-399 host a.example"
 * (one line): what "service set" takes to make the check again.
 */
void hc_print(FILE *f, const json_t *hc)
{
	fprintf(f, " health-check %s", jstr(hc, "protocol"));
	if (json_is_string(json_object_get(hc, "path")))
		fprintf(f, ":%s", jstr(hc, "path"));
	if (jint(hc, "port"))
		fprintf(f, " port %" JSON_INTEGER_FORMAT, jint(hc, "port"));
	fprintf(f, " interval %" JSON_INTEGER_FORMAT, jint(hc, "interval"));
	if (jint(hc, "timeout"))
		fprintf(f, " timeout %" JSON_INTEGER_FORMAT, jint(hc, "timeout"));
	fprintf(f, " healthy-threshold %" JSON_INTEGER_FORMAT
		" unhealthy-threshold %" JSON_INTEGER_FORMAT,
		jint(hc, "healthy_threshold"), jint(hc, "unhealthy_threshold"));
	if (json_is_string(json_object_get(hc, "matcher")))
		fprintf(f, " matcher %s", jstr(hc, "matcher"));
	if (json_is_string(json_object_get(hc, "host")))
		fprintf(f, " host %s", jstr(hc, "host"));
}
