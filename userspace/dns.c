// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl dns show [EP] [format hosts]
 *
 * The names AWS gives interface endpoints, for REGION "local":
 *	EP.SVC.local.vpce.local		every address of the endpoint (regional)
 *	EP-ZONE.SVC.local.vpce.local	its address in ZONE (zonal)
 *	the service's private DNS name	every address of the endpoint
 * Each VPC resolves its own endpoints' names, so a hosts file for one VPC
 * should list only that VPC's endpoints ("dns show EP ...").
 */
#include <stdio.h>
#include <string.h>

#include "vpcectl.h"

#define DNS_REGION	"local"
#define DNS_SUFFIX	"vpce.local"

static void add(json_t *out, const char *name, const json_t *ep, const char *addr,
		const char *kind)
{
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"name", name, "addr", addr, "kind", kind,
		"endpoint", jstr(ep, "name"), "vpc", jstr(ep, "vpc")));
}

static void dns_print(const json_t *o)
{
	printf("%s %s endpoint %s vpc %s (%s)\n", jstr(o, "name"), jstr(o, "addr"),
	       jstr(o, "endpoint"), jstr(o, "vpc"), jstr(o, "kind"));
}

static int dns_show(struct args *a)
{
	json_t *eps = json_array(), *svcs = json_array(), *out = json_array();
	const char *ep_name = NULL, *w;
	const json_t *ep, *ad, *s;
	bool hosts = false;
	struct nl_msg *m;
	size_t i, j, k;
	char name[512];
	int ret;

	while ((w = arg_next(a))) {
		if (kw_is(w, "format")) {
			const char *f = arg_value(a, w, "hosts");

			if (strcmp(f, "hosts"))
				die_usage("%s: unknown format \"%s\" (use hosts)", cur_cmd, f);
			hosts = true;
		} else if (!ep_name) {
			ep_name = w;
			check_name(ep_name, "endpoint name", VPCE_NAME_MAX);
		} else {
			arg_unknown(w);
		}
	}
	m = nl_new(VPCE_CMD_ENDPOINT_GET, !ep_name);
	if (ep_name)
		nl_put_str(m, VPCE_A_NAME, ep_name);
	ret = nl_query(m, endpoint_parse, eps);
	if (!ret)
		ret = nl_query(nl_new(VPCE_CMD_SERVICE_GET, true), service_parse, svcs);
	if (ret)
		goto out;

	for_each_elem(eps, i, ep) {
		const char *svc = jstr(ep, "service"), *dns = NULL;

		/* A gateway endpoint has no address to name. */
		if (!strcmp(jstr(ep, "type"), "gateway"))
			continue;

		for_each_elem(svcs, k, s)
			if (!strcmp(jstr(s, "name"), svc))
				dns = json_string_value(json_object_get(s, "private_dns"));
		snprintf(name, sizeof(name), "%s.%s.%s.%s", jstr(ep, "name"), svc,
			 DNS_REGION, DNS_SUFFIX);
		for_each_elem(json_object_get(ep, "addresses"), j, ad)
			add(out, name, ep, jstr(ad, "addr"), "regional");
		for_each_elem(json_object_get(ep, "addresses"), j, ad) {
			const char *zone = json_string_value(json_object_get(ad, "zone"));

			if (!zone || !*zone)
				continue;
			snprintf(name, sizeof(name), "%s-%s.%s.%s.%s", jstr(ep, "name"),
				 zone, svc, DNS_REGION, DNS_SUFFIX);
			add(out, name, ep, jstr(ad, "addr"), "zonal");
		}
		if (dns && *dns)
			for_each_elem(json_object_get(ep, "addresses"), j, ad)
				add(out, dns, ep, jstr(ad, "addr"), "private");
	}

	if (hosts) {
		printf("# vpce endpoint names (vpcectl dns show format hosts)\n");
		for_each_elem(out, i, s) {
			/* hosts(5) has no wildcards. */
			if (jstr(s, "name")[0] == '*')
				printf("# %s %s\n", jstr(s, "addr"), jstr(s, "name"));
			else
				printf("%s %s\n", jstr(s, "addr"), jstr(s, "name"));
		}
		json_decref(out);
	} else {
		show(out, dns_print);
	}
	out = NULL;
out:
	json_decref(out);
	json_decref(eps);
	json_decref(svcs);
	return ret;
}

static const struct command dns_cmds[] = {
	{ "show", { "list", "ls" }, dns_show },
	{ NULL }
};

const struct object dns_object = {
	.name = "dns",
	.usage = "dns show [EP] [format hosts]\n",
	.cmds = dns_cmds,
};
