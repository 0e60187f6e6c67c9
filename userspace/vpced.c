// SPDX-License-Identifier: GPL-2.0
/*
 * vpced: health checks for vpce targets.
 *
 *	vpced [-n NETNS] [-r SECONDS] [-m ADDR:PORT]
 *
 * Reads the services of the namespace and their targets from the kernel,
 * checks every target of every service that has a health check (TCP
 * connect, or HTTP GET PATH expecting 200-399) every interval seconds, and
 * sets a target unhealthy after unhealthy-threshold consecutive failures,
 * healthy again after healthy-threshold consecutive successes ("target
 * set" over netlink), logging each change. Draining targets are left
 * alone: somebody is deregistering them. The configuration is read again
 * every -r seconds (default 10) and on SIGHUP; SIGTERM and SIGINT end it.
 *
 * With -m (--metrics ADDR:PORT) it also serves the namespace's counters in
 * Prometheus's text format at http://ADDR:PORT/metrics (libmicrohttpd, run
 * from the same epoll loop), formatted by the code "vpcectl stats show
 * format prometheus" uses (metrics.c).
 *
 * One thread, non-blocking sockets and epoll: a check in progress costs a
 * socket and a few hundred bytes, and the next thing to do is found in a
 * heap ordered by time, so thousands of targets cost little. Netlink
 * requests are synchronous; they are local and short.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <microhttpd.h>
#include <uapi/linux/vpce.h>

#include "metrics.h"

#ifndef VPCECTL_VERSION
#define VPCECTL_VERSION "unknown"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define HC_TIMEOUT_MAX	10.0	/* seconds a check may take, as the NLB's */
#define RESPONSE_MAX	512	/* enough for an HTTP status line */

/* ---- logging ---- */

/*
 * Under systemd (JOURNAL_STREAM set) the journal stamps each line; on a
 * terminal or in a file, we do.
 */
static bool stamp;

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	if (stamp) {
		char buf[32];
		time_t t = time(NULL);
		struct tm tm;

		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&t, &tm));
		fprintf(stderr, "%s ", buf);
	}
	fputs("vpced: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fputs("vpced: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- checks ---- */

/* A service's health check, as the kernel keeps it. */
struct hc {
	int proto;			/* enum vpce_hc_proto */
	uint16_t port;			/* resolved: never 0 */
	unsigned int interval, healthy, unhealthy;
	char path[VPCE_HC_PATH_MAX + 1];
};

enum step { IDLE, CONNECTING, SENDING, READING };

/* One target of one service. */
struct check {
	char svc[VPCE_NAME_MAX + 1];
	char addr[INET6_ADDRSTRLEN];
	struct sockaddr_storage sa;
	socklen_t salen;
	int family;
	struct hc hc;
	int health;			/* the kernel's: enum vpce_health */
	unsigned int ok_run, fail_run;	/* consecutive results */
	enum step step;
	int fd;
	double when;			/* next start, or this check's deadline */
	double started;
	size_t heap_idx;
	char req[VPCE_HC_PATH_MAX + 128];
	size_t req_len, sent;
	char resp[RESPONSE_MAX];
	size_t resp_len;
	char why[64];			/* the last failure */
	bool seen;			/* in the last configuration read */
	struct check *hnext;		/* hash chain */
};

static int epfd;

/* ---- a min-heap of checks by time ---- */

static struct check **heap;
static size_t heap_n, heap_cap;

static void heap_swap(size_t a, size_t b)
{
	struct check *t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->heap_idx = a;
	heap[b]->heap_idx = b;
}

static void heap_up(size_t i)
{
	while (i && heap[(i - 1) / 2]->when > heap[i]->when) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < heap_n && heap[l]->when < heap[m]->when)
			m = l;
		if (r < heap_n && heap[r]->when < heap[m]->when)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static void heap_push(struct check *c)
{
	if (heap_n == heap_cap) {
		struct check **h;

		heap_cap = heap_cap ? 2 * heap_cap : 64;
		h = realloc(heap, heap_cap * sizeof(*heap));
		if (!h)
			die("out of memory");
		heap = h;
	}
	heap[heap_n] = c;
	c->heap_idx = heap_n++;
	heap_up(c->heap_idx);
}

static void heap_remove(struct check *c)
{
	size_t i = c->heap_idx;

	heap_n--;
	if (i != heap_n) {
		heap_swap(i, heap_n);
		heap_down(i);
		heap_up(i);
	}
}

/* Reschedule C, which is in the heap, for time WHEN. */
static void heap_move(struct check *c, double when)
{
	c->when = when;
	heap_down(c->heap_idx);
	heap_up(c->heap_idx);
}

/* ---- a hash of checks by (service, address) ---- */

#define HASH_SIZE 4096
static struct check *table[HASH_SIZE];
static unsigned int nchecks;

static unsigned int hash(const char *svc, const char *addr)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;

	for (p = svc; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % HASH_SIZE;
}

static struct check *find(const char *svc, const char *addr)
{
	struct check *c;

	for (c = table[hash(svc, addr)]; c; c = c->hnext)
		if (!strcmp(c->svc, svc) && !strcmp(c->addr, addr))
			return c;
	return NULL;
}

/* ---- netlink ---- */

static struct nl_sock *nl;
static int family = -1;

static struct nla_policy attr_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME]		= { .type = NLA_STRING },
	[VPCE_A_SERVICE]	= { .type = NLA_STRING },
	[VPCE_A_LISTENERS]	= { .type = NLA_NESTED },
	[VPCE_A_ADDR]		= { .type = NLA_NESTED },
	[VPCE_A_HEALTH]		= { .type = NLA_U8 },
	[VPCE_A_HEALTH_CHECK]	= { .type = NLA_NESTED },
	[VPCE_A_STATS_OF]	= { .type = NLA_U8 },
	[VPCE_A_STATS]		= { .type = NLA_NESTED },
	[VPCE_A_ZONE_STATS]	= { .type = NLA_NESTED },
};

static struct nla_policy hc_policy[VPCE_HC_A_MAX + 1] = {
	[VPCE_HC_A_PROTO]	= { .type = NLA_U8 },
	[VPCE_HC_A_PATH]	= { .type = NLA_STRING },
	[VPCE_HC_A_INTERVAL]	= { .type = NLA_U32 },
	[VPCE_HC_A_HEALTHY]	= { .type = NLA_U8 },
	[VPCE_HC_A_UNHEALTHY]	= { .type = NLA_U8 },
	[VPCE_HC_A_PORT]	= { .type = NLA_U16 },
};

static struct nla_policy listener_policy[VPCE_LISTENER_A_MAX + 1] = {
	[VPCE_LISTENER_A_PROTO]		= { .type = NLA_U8 },
	[VPCE_LISTENER_A_PORT]		= { .type = NLA_U16 },
	[VPCE_LISTENER_A_TARGET_PORT]	= { .type = NLA_U16 },
};

static struct nla_policy addr_policy[VPCE_ADDR_A_MAX + 1] = {
	[VPCE_ADDR_A_IPV4]	= { .type = NLA_UNSPEC, .minlen = 4 },
	[VPCE_ADDR_A_IPV6]	= { .type = NLA_UNSPEC, .minlen = 16 },
};

/* Connect and find the family; false (and a log line, once) if we cannot. */
static bool nl_ready(void)
{
	static bool told;

	if (!nl) {
		nl = nl_socket_alloc();
		if (!nl || genl_connect(nl) < 0)
			die("cannot open a generic netlink socket");
	}
	if (family < 0)
		family = genl_ctrl_resolve(nl, VPCE_GENL_NAME);
	if (family < 0) {
		if (!told)
			say("the vpce module is not loaded; waiting for it");
		told = true;
		return false;
	}
	told = false;
	return true;
}

typedef int (*msg_fn)(struct nlattr **tb, void *arg);

struct dump_ctx {
	msg_fn fn;
	void *arg;
};

static int on_dump_msg(struct nl_msg *m, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nlattr *tb[VPCE_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, VPCE_A_MAX, attr_policy) < 0)
		return NL_SKIP;
	return ctx->fn(tb, ctx->arg) ? NL_STOP : NL_OK;
}

/* Dump CMD through FN; retried when a change interrupted it. 0 or -errno. */
static int vpce_dump(uint8_t cmd, msg_fn fn, void (*reset)(void *), void *arg)
{
	struct dump_ctx ctx = { fn, arg };
	int tries, err = 0;

	for (tries = 0; tries < 5; tries++) {
		struct nl_msg *m = nlmsg_alloc();

		if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				       NLM_F_DUMP, cmd, VPCE_GENL_VERSION))
			die("out of memory");
		if (reset)
			reset(arg);
		err = nl_send_auto(nl, m);
		nlmsg_free(m);
		if (err < 0)
			break;
		nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, on_dump_msg, &ctx);
		err = nl_recvmsgs_default(nl);
		if (err != -NLE_DUMP_INTR)
			break;
	}
	if (err < 0) {
		/* The module may have gone: find the family again next time. */
		family = -1;
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

static void free_services(void *unused)
{
	(void)unused;
	while (services) {
		struct svc_conf *s = services;

		services = s->next;
		free(s);
	}
}

/* The traffic port: the first TCP listener's target port, else the first. */
static uint16_t traffic_port(struct nlattr *arr)
{
	uint16_t first = 0;
	struct nlattr *l;
	int rem;

	if (!arr)
		return 0;
	nla_for_each_nested(l, arr, rem) {
		struct nlattr *tb[VPCE_LISTENER_A_MAX + 1];
		uint16_t port;

		if (nla_parse_nested(tb, VPCE_LISTENER_A_MAX, l, listener_policy) < 0 ||
		    !tb[VPCE_LISTENER_A_PROTO] || !tb[VPCE_LISTENER_A_PORT])
			continue;
		port = tb[VPCE_LISTENER_A_TARGET_PORT] ?
			nla_get_u16(tb[VPCE_LISTENER_A_TARGET_PORT]) :
			nla_get_u16(tb[VPCE_LISTENER_A_PORT]);
		if (nla_get_u8(tb[VPCE_LISTENER_A_PROTO]) == IPPROTO_TCP)
			return port;
		if (!first)
			first = port;
	}
	return first;
}

static int on_service(struct nlattr **tb, void *arg)
{
	struct nlattr *hc[VPCE_HC_A_MAX + 1];
	struct svc_conf *s;

	(void)arg;
	if (!tb[VPCE_A_NAME] || !tb[VPCE_A_HEALTH_CHECK] ||
	    nla_parse_nested(hc, VPCE_HC_A_MAX, tb[VPCE_A_HEALTH_CHECK], hc_policy) < 0 ||
	    !hc[VPCE_HC_A_PROTO] || nla_get_u8(hc[VPCE_HC_A_PROTO]) == VPCE_HC_NONE ||
	    !hc[VPCE_HC_A_INTERVAL] || !hc[VPCE_HC_A_HEALTHY] || !hc[VPCE_HC_A_UNHEALTHY])
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		die("out of memory");
	nla_strlcpy(s->name, tb[VPCE_A_NAME], sizeof(s->name));
	s->hc.proto = nla_get_u8(hc[VPCE_HC_A_PROTO]);
	s->hc.interval = nla_get_u32(hc[VPCE_HC_A_INTERVAL]);
	s->hc.healthy = nla_get_u8(hc[VPCE_HC_A_HEALTHY]);
	s->hc.unhealthy = nla_get_u8(hc[VPCE_HC_A_UNHEALTHY]);
	s->hc.port = hc[VPCE_HC_A_PORT] ? nla_get_u16(hc[VPCE_HC_A_PORT]) : 0;
	if (!s->hc.port)
		s->hc.port = traffic_port(tb[VPCE_A_LISTENERS]);
	snprintf(s->hc.path, sizeof(s->hc.path), "%s",
		 hc[VPCE_HC_A_PATH] ? nla_get_string(hc[VPCE_HC_A_PATH]) : "/");
	if (!s->hc.interval || !s->hc.port) {
		free(s);
		return 0;
	}
	s->next = services;
	services = s;
	return 0;
}

static const struct svc_conf *service(const char *name)
{
	const struct svc_conf *s;

	for (s = services; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static void check_stop(struct check *c)
{
	if (c->fd >= 0) {
		close(c->fd);	/* also leaves the epoll set */
		c->fd = -1;
	}
	c->step = IDLE;
}

static void check_free(struct check *c)
{
	struct check **p;

	check_stop(c);
	heap_remove(c);
	for (p = &table[hash(c->svc, c->addr)]; *p != c; p = &(*p)->hnext)
		;
	*p = c->hnext;
	nchecks--;
	free(c);
}

/* The first check of a target comes at a random point of its interval. */
static double jitter(unsigned int interval)
{
	return (double)rand() / RAND_MAX * interval;
}

static void build_request(struct check *c)
{
	char host[INET6_ADDRSTRLEN + 8];

	c->req_len = 0;
	if (c->hc.proto != VPCE_HC_HTTP)
		return;
	snprintf(host, sizeof(host), c->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 c->addr, c->hc.port);
	c->req_len = snprintf(c->req, sizeof(c->req),
			      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vpced/%s\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n",
			      c->hc.path, host, VPCECTL_VERSION);
}

static void set_port(struct check *c)
{
	if (c->family == AF_INET)
		((struct sockaddr_in *)&c->sa)->sin_port = htons(c->hc.port);
	else
		((struct sockaddr_in6 *)&c->sa)->sin6_port = htons(c->hc.port);
}

static int on_target(struct nlattr **tb, void *arg)
{
	struct nlattr *a[VPCE_ADDR_A_MAX + 1];
	const struct svc_conf *s;
	char addr[INET6_ADDRSTRLEN];
	struct check *c;
	int health, fam;

	(void)arg;
	if (!tb[VPCE_A_SERVICE] || !tb[VPCE_A_ADDR] || !tb[VPCE_A_HEALTH] ||
	    nla_parse_nested(a, VPCE_ADDR_A_MAX, tb[VPCE_A_ADDR], addr_policy) < 0)
		return 0;
	s = service(nla_get_string(tb[VPCE_A_SERVICE]));
	health = nla_get_u8(tb[VPCE_A_HEALTH]);
	/* Draining targets are being deregistered: not ours to judge. */
	if (!s || health == VPCE_HEALTH_DRAINING)
		return 0;
	if (a[VPCE_ADDR_A_IPV4])
		fam = AF_INET;
	else if (a[VPCE_ADDR_A_IPV6])
		fam = AF_INET6;
	else
		return 0;
	inet_ntop(fam, nla_data(a[fam == AF_INET ? VPCE_ADDR_A_IPV4 : VPCE_ADDR_A_IPV6]),
		  addr, sizeof(addr));

	c = find(s->name, addr);
	if (!c) {
		unsigned int h = hash(s->name, addr);

		c = calloc(1, sizeof(*c));
		if (!c)
			die("out of memory");
		snprintf(c->svc, sizeof(c->svc), "%s", s->name);
		snprintf(c->addr, sizeof(c->addr), "%s", addr);
		c->family = fam;
		if (fam == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&c->sa;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, nla_data(a[VPCE_ADDR_A_IPV4]), 4);
			c->salen = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&c->sa;

			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, nla_data(a[VPCE_ADDR_A_IPV6]), 16);
			c->salen = sizeof(*sin6);
		}
		c->fd = -1;
		c->hc = s->hc;
		c->when = now() + jitter(s->hc.interval);
		c->hnext = table[h];
		table[h] = c;
		nchecks++;
		heap_push(c);
	} else if (memcmp(&c->hc, &s->hc, sizeof(c->hc))) {
		/* A new check: its counts start again, at the next interval. */
		c->hc = s->hc;
		c->ok_run = c->fail_run = 0;
	}
	/* Somebody may have set the health by hand: the kernel's is the truth. */
	if (c->health != health) {
		c->ok_run = 0;
		c->fail_run = 0;
	}
	c->health = health;
	c->seen = true;
	return 0;
}

/* Read services and targets; start, update and stop checks to match. */
static void reload(void)
{
	static unsigned int last_n = ~0u;
	unsigned int i;
	struct check *c, *next;

	if (!nl_ready())
		return;
	if (vpce_dump(VPCE_CMD_SERVICE_GET, on_service, free_services, NULL)) {
		say("cannot read the services; keeping the checks as they are");
		return;
	}
	for (i = 0; i < HASH_SIZE; i++)
		for (c = table[i]; c; c = c->hnext)
			c->seen = false;
	if (vpce_dump(VPCE_CMD_TARGET_GET, on_target, NULL, NULL)) {
		say("cannot read the targets; keeping the checks as they are");
		for (i = 0; i < HASH_SIZE; i++)
			for (c = table[i]; c; c = c->hnext)
				c->seen = true;
		return;
	}
	for (i = 0; i < HASH_SIZE; i++)
		for (c = table[i]; c; c = next) {
			next = c->hnext;
			if (!c->seen)
				check_free(c);
		}
	if (nchecks != last_n)
		say("checking %u targets", nchecks);
	last_n = nchecks;
}

/* ---- setting health ---- */

static int on_ack_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	*(int *)arg = e->error;
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	(void)m;
	*(int *)arg = 0;
	return NL_STOP;
}

static int set_health(const struct check *c, int health)
{
	struct nl_msg *m;
	struct nlattr *nest;
	struct nl_cb *cb;
	unsigned char ip[16];
	int err = 1, ret;

	if (!nl_ready())
		return -ENOENT;
	m = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!m || !cb ||
	    !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK,
			 VPCE_CMD_TARGET_SET, VPCE_GENL_VERSION))
		die("out of memory");
	inet_pton(c->family, c->addr, ip);
	if (nla_put_string(m, VPCE_A_SERVICE, c->svc) < 0 ||
	    !(nest = nla_nest_start(m, VPCE_A_ADDR)) ||
	    nla_put(m, c->family == AF_INET ? VPCE_ADDR_A_IPV4 : VPCE_ADDR_A_IPV6,
		    c->family == AF_INET ? 4 : 16, ip) < 0 ||
	    nla_nest_end(m, nest) < 0 ||
	    nla_put_u8(m, VPCE_A_HEALTH, health) < 0)
		die("cannot build a request");
	nl_cb_err(cb, NL_CB_CUSTOM, on_ack_err, &err);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &err);
	ret = nl_send_auto(nl, m);
	while (ret >= 0 && err > 0)
		ret = nl_recvmsgs(nl, cb);
	nlmsg_free(m);
	nl_cb_put(cb);
	if (ret < 0 && err > 0) {
		family = -1;
		return -EIO;
	}
	return err;
}

/* ---- running checks ---- */

static const char *health_word(int h)
{
	return h == VPCE_HEALTH_HEALTHY ? "healthy" :
	       h == VPCE_HEALTH_UNHEALTHY ? "unhealthy" : "draining";
}

static void result(struct check *c, bool ok, const char *why)
{
	int want = -1;

	check_stop(c);
	if (ok) {
		c->fail_run = 0;
		c->ok_run++;
		if (c->health == VPCE_HEALTH_UNHEALTHY && c->ok_run >= c->hc.healthy)
			want = VPCE_HEALTH_HEALTHY;
	} else {
		snprintf(c->why, sizeof(c->why), "%s", why);
		c->ok_run = 0;
		c->fail_run++;
		if (c->health == VPCE_HEALTH_HEALTHY && c->fail_run >= c->hc.unhealthy)
			want = VPCE_HEALTH_UNHEALTHY;
	}
	if (want >= 0) {
		int err = set_health(c, want);

		if (err)
			say("service %s target %s: cannot set %s: %s", c->svc, c->addr,
			    health_word(want), strerror(-err));
		else if (ok)
			say("service %s target %s: %s -> %s after %u successful checks",
			    c->svc, c->addr, health_word(c->health),
			    health_word(want), c->ok_run);
		else
			say("service %s target %s: %s -> %s after %u failed checks (%s)",
			    c->svc, c->addr, health_word(c->health),
			    health_word(want), c->fail_run, c->why);
		if (!err)
			c->health = want;
	}
	/* Keep the cadence: the next check an interval after this one began. */
	heap_move(c, c->started + c->hc.interval);
}

static void watch(struct check *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) &&
	    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static void start(struct check *c, double t)
{
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	double timeout = c->hc.interval < HC_TIMEOUT_MAX ? c->hc.interval : HC_TIMEOUT_MAX;

	c->started = t;
	set_port(c);
	build_request(c);
	c->fd = socket(c->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		/* Out of descriptors is our problem, not the target's. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			heap_move(c, t + 0.1);
			return;
		}
		result(c, false, strerror(errno));
		return;
	}
	/* Close with a reset: no TIME_WAIT left behind per check. */
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	c->sent = c->resp_len = 0;
	heap_move(c, t + timeout);
	if (connect(c->fd, (struct sockaddr *)&c->sa, c->salen) && errno != EINPROGRESS) {
		result(c, false, strerror(errno));
		return;
	}
	c->step = CONNECTING;
	watch(c, EPOLLOUT);
}

/* An HTTP status line: 200-399 is healthy. */
static void http_status(struct check *c, bool eof)
{
	char *eol = memchr(c->resp, '\n', c->resp_len);
	unsigned int code;
	char why[48];

	if (!eol && !eof && c->resp_len < sizeof(c->resp) - 1)
		return;		/* more to come */
	c->resp[c->resp_len] = '\0';
	if (sscanf(c->resp, "HTTP/%*u.%*u %3u", &code) != 1) {
		result(c, false, eof && !c->resp_len ? "closed without a response" :
		       "not an HTTP response");
		return;
	}
	snprintf(why, sizeof(why), "HTTP status %u", code);
	result(c, code >= 200 && code <= 399, why);
}

static void event(struct check *c, uint32_t events)
{
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	switch (c->step) {
	case CONNECTING:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			result(c, false, strerror(err));
			return;
		}
		if (c->hc.proto == VPCE_HC_TCP) {
			result(c, true, "connected");
			return;
		}
		c->step = SENDING;
		/* fall through */
	case SENDING:
		n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			result(c, false, strerror(errno));
			return;
		}
		if (n > 0)
			c->sent += n;
		if (c->sent < c->req_len) {
			watch(c, EPOLLOUT);
			return;
		}
		c->step = READING;
		watch(c, EPOLLIN);
		return;
	case READING:
		n = recv(c->fd, c->resp + c->resp_len, sizeof(c->resp) - 1 - c->resp_len, 0);
		if (n < 0) {
			if (errno != EAGAIN)
				result(c, false, strerror(errno));
			return;
		}
		c->resp_len += n;
		http_status(c, n == 0 || (events & (EPOLLHUP | EPOLLERR)));
		return;
	case IDLE:
		return;
	}
}

/* A check's time has come: start it, or it took too long. */
static void due(struct check *c, double t)
{
	if (c->step == IDLE)
		start(c, t);
	else
		result(c, false, "timed out");
}

/* ---- metrics ---- */

static struct MHD_Daemon *mhd;
static char mhd_tag;		/* epoll's mark for the daemon's descriptor */

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

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int status,
			      const char *type, char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned int status,
			    const char *msg)
{
	char *body = strdup(msg);

	return body ? answer(conn, status, "text/plain", body, strlen(body)) :
		MHD_NO;
}

/* GET /metrics: a fresh dump of the counters each time. */
static enum MHD_Result on_http(void *cls, struct MHD_Connection *conn,
			       const char *url, const char *method,
			       const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	json_t *arr;
	size_t len;
	char *body;
	FILE *f;

	(void)cls, (void)version, (void)upload_data, (void)con_cls;
	if (*upload_data_size)
		return MHD_NO;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (strcmp(url, "/metrics"))
		return text(conn, MHD_HTTP_NOT_FOUND, "try /metrics\n");
	if (!nl_ready())
		return text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "the vpce module is not loaded\n");
	arr = json_array();
	if (!arr || vpce_dump(VPCE_CMD_STATS_GET, on_stats, stats_reset, arr)) {
		json_decref(arr);
		return text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "cannot read the counters\n");
	}
	f = open_memstream(&body, &len);
	if (!f) {
		json_decref(arr);
		return MHD_NO;
	}
	metrics_prometheus(f, arr);
	json_decref(arr);
	if (fclose(f))
		return MHD_NO;
	return answer(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
		      body, len);
}

/* --metrics ADDR:PORT ("[ADDR]:PORT" for IPv6): serve /metrics there. */
static void metrics_start(const char *spec)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	const union MHD_DaemonInfo *info;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(spec, ':');
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct epoll_event ev;
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		die("invalid metrics address \"%s\" (ADDR:PORT)", spec);
	memcpy(host, spec, colon - spec);
	host[colon - spec] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		die("invalid metrics port in \"%s\" (1-65535)", spec);
	memset(&ss, 0, sizeof(ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = 0;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			die("invalid metrics address \"%s\"", spec);
		flags |= MHD_USE_IPv6;
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			die("invalid metrics address \"%s\" (ADDR:PORT)", spec);
	}
	mhd = MHD_start_daemon(flags, port, NULL, NULL, on_http, NULL,
			       MHD_OPTION_SOCK_ADDR, &ss,
			       MHD_OPTION_CONNECTION_TIMEOUT, 10U,
			       MHD_OPTION_END);
	if (!mhd)
		die("cannot serve metrics on %s", spec);
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		die("libmicrohttpd has no epoll descriptor");
	ev.events = EPOLLIN;
	ev.data.ptr = &mhd_tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
	say("serving metrics at http://%s/metrics", spec);
}

/* ---- main ---- */

static void enter_netns(const char *netns)
{
	char path[4096];
	int fd;

	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open network namespace \"%s\": %s", netns, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		die("cannot enter network namespace \"%s\": %s", netns, strerror(errno));
	close(fd);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vpced [-n NETNS] [-r SECONDS] [-m ADDR:PORT]\n"
		"\n"
		"Runs the health checks of vpce services and sets their targets'\n"
		"health. See vpced(8).\n"
		"\n"
		"  -n, --netns NETNS     run in network namespace NETNS\n"
		"  -r, --reload SECONDS  read the configuration every SECONDS (default 10)\n"
		"  -m, --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"  -h, --help            print this help\n"
		"  -V, --version         print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns",   required_argument, NULL, 'n' },
		{ "reload",  required_argument, NULL, 'r' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct epoll_event ev, evs[64];
	const char *netns = NULL, *metrics = NULL;
	double every = 10, next_reload;
	struct rlimit rl;
	sigset_t sigs;
	int c, sfd, n, i;
	char *end;

	while ((c = getopt_long(argc, argv, "n:r:m:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			netns = optarg;
			break;
		case 'r':
			every = strtod(optarg, &end);
			if (*end || !(every >= 0.1 && every <= 3600))
				die("invalid reload interval \"%s\" (0.1-3600 seconds)", optarg);
			break;
		case 'm':
			metrics = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vpced %s\n", VPCECTL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	stamp = !getenv("JOURNAL_STREAM");
	setvbuf(stderr, NULL, _IOLBF, 0);
	srand(getpid() ^ time(NULL));
	if (netns)
		enter_netns(netns);

	/* A check in progress holds a descriptor: allow as many as we may. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || epfd < 0)
		die("cannot set up: %s", strerror(errno));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;	/* the signalfd */
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev))
		die("epoll_ctl: %s", strerror(errno));

	say("starting%s%s", netns ? " in network namespace " : "", netns ? netns : "");
	if (metrics)
		metrics_start(metrics);
	reload();
	next_reload = now() + every;
	for (;;) {
		double t = now(), wake = next_reload;
		int ms;

		while (heap_n && heap[0]->when <= t)
			due(heap[0], t);
		if (t >= next_reload) {
			reload();
			next_reload = t + every;
			continue;
		}
		if (heap_n && heap[0]->when < wake)
			wake = heap[0]->when;
		ms = (int)((wake - t) * 1000) + 1;
		/* libmicrohttpd's idle connections time out too. */
		if (mhd && ms > 1000)
			ms = 1000;
		n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), ms);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (evs[i].data.ptr == &mhd_tag)
				continue;	/* MHD_run() below */
			if (evs[i].data.ptr) {
				event(evs[i].data.ptr, evs[i].events);
				continue;
			}
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					say("SIGHUP: reading the configuration");
					next_reload = 0;
					continue;
				}
				say("%s: exiting", strsignal(si.ssi_signo));
				for (c = 0; c < HASH_SIZE; c++)
					while (table[c])
						check_free(table[c]);
				free(heap);
				free_services(NULL);
				if (mhd)
					MHD_stop_daemon(mhd);
				if (nl)
					nl_socket_free(nl);
				close(epfd);
				close(sfd);
				return 0;
			}
		}
		if (mhd)
			MHD_run(mhd);
	}
}
