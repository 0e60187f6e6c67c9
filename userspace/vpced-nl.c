// SPDX-License-Identifier: GPL-2.0
/*
 * vpced's side of the netlink client (nl.h): the services and targets it
 * reads into checks, the health it sets, the counters it serves. Requests
 * are synchronous; they are local and short. When a request fails the
 * module may have gone (or come back under another family id), so the
 * family is looked up again before the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "metrics.h"
#include "vpced.h"

bool nl_ready(void)
{
	static bool told;

	if (nl_open_family() < 0) {
		if (!told)
			say("the vpce module is not loaded; waiting for it");
		told = true;
		return false;
	}
	told = false;
	return true;
}

/* Dump CMD through H (retried when a change interrupted it). 0 or -errno. */
static int dump(uint8_t cmd, const struct nl_handler *h)
{
	struct nl_reply r;

	if (nl_transact(nl_new(cmd, true), h, &r)) {
		nl_forget_family();
		return -EIO;
	}
	return 0;
}

/* ---- reading the configuration ---- */

struct svc_conf {
	char name[VPCE_NAME_MAX + 1];
	struct hc hc;
	struct svc_conf *next;
};

static struct svc_conf *services;
/* The same, sorted by name for on_target()'s lookups: O(log n) each. */
static struct svc_conf **by_name;
static size_t nservices;

static void free_services(void *unused)
{
	(void)unused;
	while (services) {
		struct svc_conf *s = services;

		services = s->next;
		free(s);
	}
	free(by_name);
	by_name = NULL;
	nservices = 0;
}

void nl_side_free(void)
{
	free_services(NULL);
}

/* The traffic port: the first TCP listener's target port, else the first. */
static uint16_t traffic_port(struct nlattr *arr)
{
	uint16_t first = 0;
	struct nlattr *nest;
	int rem;

	if (!arr)
		return 0;
	nla_for_each_nested(nest, arr, rem) {
		struct vpce_listener l;

		if (nl_parse_listener(nest, &l))
			continue;
		if (l.proto == IPPROTO_TCP)
			return l.target_port;
		if (!first)
			first = l.target_port;
	}
	return first;
}

/*
 * The check's strings: path, matcher, host (HTTP and HTTPS). false if the
 * matcher is not one (a kernel checks it; this is not trusting one).
 */
static bool hc_strings(struct nlattr **hc, struct hc *out)
{
	snprintf(out->path, sizeof(out->path), "%s",
		 hc[VPCE_HC_A_PATH] ? nla_get_string(hc[VPCE_HC_A_PATH]) : "/");
	snprintf(out->host, sizeof(out->host), "%s",
		 hc[VPCE_HC_A_HOST] ? nla_get_string(hc[VPCE_HC_A_HOST]) : "");
	return hc_matcher_parse(hc[VPCE_HC_A_MATCHER] ?
				nla_get_string(hc[VPCE_HC_A_MATCHER]) : "200-399",
				out->codes);
}

static int on_service(struct nlattr **tb, void *arg)
{
	struct nlattr *hc[VPCE_HC_A_MAX + 1];
	struct svc_conf *s;

	(void)arg;
	if (!tb[VPCE_A_NAME] || !nl_parse_hc(tb[VPCE_A_HEALTH_CHECK], hc) ||
	    !hc[VPCE_HC_A_INTERVAL] || !hc[VPCE_HC_A_HEALTHY] ||
	    !hc[VPCE_HC_A_UNHEALTHY] || !hc[VPCE_HC_A_TIMEOUT])
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		die("out of memory");
	nla_strlcpy(s->name, tb[VPCE_A_NAME], sizeof(s->name));
	s->hc.proto = nla_get_u8(hc[VPCE_HC_A_PROTO]);
	s->hc.interval = nla_get_u32(hc[VPCE_HC_A_INTERVAL]);
	s->hc.timeout = nla_get_u32(hc[VPCE_HC_A_TIMEOUT]);
	s->hc.healthy = nla_get_u8(hc[VPCE_HC_A_HEALTHY]);
	s->hc.unhealthy = nla_get_u8(hc[VPCE_HC_A_UNHEALTHY]);
	s->hc.port = hc[VPCE_HC_A_PORT] ? nla_get_u16(hc[VPCE_HC_A_PORT]) : 0;
	if (!s->hc.port)
		s->hc.port = traffic_port(tb[VPCE_A_LISTENERS]);
	if (!s->hc.interval || !s->hc.port || !s->hc.timeout ||
	    s->hc.timeout >= s->hc.interval || s->hc.proto > VPCE_HC_MAX ||
	    !hc_strings(hc, &s->hc)) {
		free(s);
		return 0;
	}
	s->next = services;
	services = s;
	nservices++;
	return 0;
}

static int by_name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct svc_conf *const *)a)->name,
		      (*(struct svc_conf *const *)b)->name);
}

/* Index the services read by name. */
static void index_services(void)
{
	struct svc_conf *s;
	size_t i = 0;

	free(by_name);
	by_name = calloc(nservices ?: 1, sizeof(*by_name));
	if (!by_name)
		die("out of memory");
	for (s = services; s; s = s->next)
		by_name[i++] = s;
	qsort(by_name, nservices, sizeof(*by_name), by_name_cmp);
}

static const struct svc_conf *service(const char *name)
{
	struct svc_conf key, *k = &key, **found;

	snprintf(key.name, sizeof(key.name), "%s", name);
	found = bsearch(&k, by_name, nservices, sizeof(*by_name), by_name_cmp);
	return found ? *found : NULL;
}

static int on_target(struct nlattr **tb, void *arg)
{
	const struct svc_conf *s;
	struct vpce_addr addr;
	int health;

	(void)arg;
	if (!tb[VPCE_A_SERVICE] || !tb[VPCE_A_HEALTH] ||
	    nl_parse_addr(tb[VPCE_A_ADDR], &addr, NULL))
		return 0;
	s = service(nla_get_string(tb[VPCE_A_SERVICE]));
	health = nla_get_u8(tb[VPCE_A_HEALTH]);
	/* Draining targets are being deregistered: not ours to judge. */
	if (!s || health == VPCE_HEALTH_DRAINING)
		return 0;
	check_update(s->name, &addr, &s->hc, health);
	return 0;
}

void reload(void)
{
	static const struct nl_handler services_h = { on_service, free_services, NULL };
	static const struct nl_handler targets_h = { on_target, NULL, NULL };
	static unsigned int last_n = ~0u;
	unsigned int n;

	if (!nl_ready())
		return;
	if (dump(VPCE_CMD_SERVICE_GET, &services_h)) {
		say("cannot read the services; keeping the checks as they are");
		return;
	}
	index_services();
	checks_begin();
	if (dump(VPCE_CMD_TARGET_GET, &targets_h)) {
		say("cannot read the targets; keeping the checks as they are");
		checks_end(false);
		return;
	}
	n = checks_end(true);
	if (n != last_n)
		say("checking %u targets", n);
	last_n = n;
}

/* ---- setting health ---- */

int set_health(const char *svc, const struct vpce_addr *addr, int health)
{
	struct nl_msg *m;
	struct nl_reply r;

	if (!nl_ready())
		return -ENOENT;
	m = nl_new_target(VPCE_CMD_TARGET_SET, svc, addr);
	nl_put_u8(m, VPCE_A_HEALTH, health);
	nl_transact(m, NULL, &r);
	if (r.status != NL_ANSWERED) {
		nl_forget_family();
		return -EIO;
	}
	return r.error;
}

/* ---- reading counters ---- */

static void stats_reset(void *arg)
{
	json_array_clear(arg);
}

static int on_stats(struct nlattr **tb, void *arg)
{
	json_t *o = metrics_parse(tb);

	if (o)
		json_array_append_new(arg, o);
	return 0;
}

int read_stats(json_t *arr)
{
	struct nl_handler h = { on_stats, stats_reset, arr };

	return dump(VPCE_CMD_STATS_GET, &h);
}
