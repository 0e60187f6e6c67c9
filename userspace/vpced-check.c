// SPDX-License-Identifier: GPL-2.0
/*
 * vpced's health checks: one per target of every service that has one.
 *
 * A check is a non-blocking TCP connect (and, for HTTP, a GET of the path
 * whose status must be one of the matcher's codes; for HTTPS the same
 * after a TLS handshake, vpced-tls.c) on a socket in the loop's epoll set.
 * The whole check (connect, handshake, request, status line) must end
 * within the timeout, which is less than the interval, so a target has at
 * most one check running. A target turns unhealthy after
 * unhealthy-threshold consecutive failures and healthy again after
 * healthy-threshold consecutive successes ("target set" over netlink,
 * vpced-nl.c); each change is logged.
 *
 * Thousands of targets: a check in progress costs a socket (and, for
 * HTTPS, a TLS session) and otherwise about 4 KB; the next thing to do is
 * found in a heap ordered by time (O(log n) a check), a target in a hash
 * that grows with them (O(1) a lookup when the configuration is read),
 * and the first check of each target comes at a random point of its
 * interval, so that they do not come in bursts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "vpced.h"

#define RESPONSE_MAX	512	/* enough for an HTTP status line */

enum step { IDLE, CONNECTING, HANDSHAKING, SENDING, READING };

/* What a check that timed out was waiting for, by step. */
static const char *const waiting_for[] = {
	[CONNECTING] = "the connection",
	[HANDSHAKING] = "the TLS handshake",
	[SENDING] = "sending the request",
	[READING] = "the status line",
};

/* One target of one service. */
struct check {
	char svc[VPCE_NAME_MAX + 1];
	char addr[INET6_ADDRSTRLEN];	/* as text: the key, and for the log */
	struct vpce_addr ip;		/* as the kernel names the target */
	struct sockaddr_storage sa;
	socklen_t salen;
	int family;
	struct hc hc;
	int health;			/* the kernel's: enum vpce_health */
	unsigned int ok_run, fail_run;	/* consecutive results */
	enum step step;
	int fd;
	uint32_t events;		/* its epoll interest */
	struct ssl_st *tls;		/* HTTPS, from connected to done */
	double when;			/* next start, or this check's deadline */
	double started;
	size_t heap_idx;
	/* GET, path, Host (a name and port), the other headers: 85 bytes
	 * and the version.
	 */
	char req[VPCE_HC_PATH_MAX + VPCE_DNS_NAME_MAX + 256];
	size_t req_len, sent;
	char resp[RESPONSE_MAX];
	size_t resp_len;
	char why[96];			/* the last failure */
	bool seen;			/* in the last configuration read */
	uint32_t hash;			/* of (svc, addr) */
	struct check *hnext;		/* hash chain */
};

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

/* ---- a hash of checks by (service, address), grown with them ---- */

static struct check **table;
static unsigned int table_size;		/* a power of two, or 0 */
static unsigned int nchecks;

static uint32_t hash(const char *svc, const char *addr)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;

	for (p = svc; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static struct check **bucket(uint32_t h)
{
	return &table[h & (table_size - 1)];
}

/* Twice the buckets (at least 1024): chains stay about one check long. */
static void table_grow(void)
{
	unsigned int old = table_size, i;
	struct check **t = table, *c, *next, **b;

	table_size = old ? 2 * old : 1024;
	table = calloc(table_size, sizeof(*table));
	if (!table)
		die("out of memory");
	for (i = 0; i < old; i++)
		for (c = t[i]; c; c = next) {
			next = c->hnext;
			b = bucket(c->hash);
			c->hnext = *b;
			*b = c;
		}
	free(t);
}

static struct check *find(const char *svc, const char *addr, uint32_t h)
{
	struct check *c;

	if (!table_size)
		return NULL;
	for (c = *bucket(h); c; c = c->hnext)
		if (c->hash == h && !strcmp(c->svc, svc) && !strcmp(c->addr, addr))
			return c;
	return NULL;
}

static void check_stop(struct check *c)
{
	if (c->tls) {
		tls_free(c->tls);
		c->tls = NULL;
	}
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
	for (p = bucket(c->hash); *p != c; p = &(*p)->hnext)
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

static bool is_http(int proto)
{
	return proto == VPCE_HC_HTTP || proto == VPCE_HC_HTTPS;
}

/*
 * GET PATH with Host: the check's host, else the target's address; the
 * port follows unless it is the scheme's own (80, 443).
 */
static void build_request(struct check *c)
{
	unsigned int def = c->hc.proto == VPCE_HC_HTTPS ? 443 : 80;
	char host[VPCE_DNS_NAME_MAX + 16];
	int n;

	c->req_len = 0;
	if (!is_http(c->hc.proto))
		return;
	if (c->hc.host[0])
		n = snprintf(host, sizeof(host), "%s", c->hc.host);
	else
		n = snprintf(host, sizeof(host), c->family == AF_INET6 ? "[%s]" : "%s",
			     c->addr);
	if (c->hc.port != def)
		snprintf(host + n, sizeof(host) - n, ":%u", c->hc.port);
	c->req_len = snprintf(c->req, sizeof(c->req),
			      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vpced/%s\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n",
			      c->hc.path, host, VPCECTL_VERSION);
	if (c->req_len >= sizeof(c->req))	/* only with a huge version */
		c->req_len = sizeof(c->req) - 1;
}

static void set_port(struct check *c)
{
	if (c->family == AF_INET)
		((struct sockaddr_in *)&c->sa)->sin_port = htons(c->hc.port);
	else
		((struct sockaddr_in6 *)&c->sa)->sin6_port = htons(c->hc.port);
}

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
		if (why != c->why)
			snprintf(c->why, sizeof(c->why), "%s", why);
		c->ok_run = 0;
		c->fail_run++;
		if (c->health == VPCE_HEALTH_HEALTHY && c->fail_run >= c->hc.unhealthy)
			want = VPCE_HEALTH_UNHEALTHY;
	}
	if (want >= 0) {
		int err = set_health(c->svc, &c->ip, want);

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

	/* A new socket (no interest yet) is added: one call, not two. */
	if (epoll_ctl(epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
	c->events = events;
}

static void start(struct check *c, double t)
{
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };

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
	c->sent = c->resp_len = c->events = 0;
	/* The deadline of the whole check: due() ends it then. */
	heap_move(c, t + c->hc.timeout);
	if (connect(c->fd, (struct sockaddr *)&c->sa, c->salen) && errno != EINPROGRESS) {
		result(c, false, strerror(errno));
		return;
	}
	c->step = CONNECTING;
	watch(c, EPOLLOUT);
}

/* An HTTP status line: healthy if the matcher has its code. */
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
	result(c, hc_matcher_has(c->hc.codes, code), why);
}

/* A TLS call wants R (TLS_WANT_*): wait for it; or it failed. */
static void tls_wait(struct check *c, int r)
{
	if (r == TLS_WANT_READ)
		watch(c, EPOLLIN);
	else if (r == TLS_WANT_WRITE)
		watch(c, EPOLLOUT);
	else
		result(c, false, c->why);
}

/* Connected: TCP is done; HTTP sends; HTTPS shakes hands first. */
static void connected(struct check *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

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
	if (c->hc.proto == VPCE_HC_HTTPS) {
		c->tls = tls_new(c->fd, c->hc.host, c->why, sizeof(c->why));
		if (!c->tls) {
			result(c, false, c->why);
			return;
		}
		c->step = HANDSHAKING;
	} else {
		c->step = SENDING;
	}
}

static void handshake(struct check *c)
{
	int r = tls_handshake(c->tls, c->why, sizeof(c->why));

	if (r) {
		tls_wait(c, r);
		return;
	}
	c->step = SENDING;
}

/* Send what is left of the request; then wait for the answer. */
static void send_request(struct check *c)
{
	ssize_t n;

	if (c->tls) {
		n = tls_write(c->tls, c->req + c->sent, c->req_len - c->sent,
			      c->why, sizeof(c->why));
		if (n < 0) {
			tls_wait(c, n);
			return;
		}
	} else {
		n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			result(c, false, strerror(errno));
			return;
		}
	}
	if (n > 0)
		c->sent += n;
	if (c->sent < c->req_len) {
		watch(c, EPOLLOUT);
		return;
	}
	c->step = READING;
	watch(c, EPOLLIN);
}

/*
 * Read until the status line is complete. TLS may hold decrypted bytes
 * the socket no longer signals, so it reads until it must wait.
 */
static void read_response(struct check *c, uint32_t events)
{
	ssize_t n;

	do {
		if (c->tls) {
			n = tls_read(c->tls, c->resp + c->resp_len,
				     sizeof(c->resp) - 1 - c->resp_len, c->why,
				     sizeof(c->why));
			if (n < 0) {
				tls_wait(c, n);
				return;
			}
		} else {
			n = recv(c->fd, c->resp + c->resp_len,
				 sizeof(c->resp) - 1 - c->resp_len, 0);
			if (n < 0) {
				if (errno != EAGAIN)
					result(c, false, strerror(errno));
				return;
			}
		}
		c->resp_len += n;
		http_status(c, n == 0 ||
			    (!c->tls && (events & (EPOLLHUP | EPOLLERR))));
	} while (c->step == READING && c->tls);
}

static void event(struct check *c, uint32_t events)
{
	if (c->step == CONNECTING)
		connected(c);
	if (c->step == HANDSHAKING) {
		handshake(c);
		if (c->step == HANDSHAKING)
			return;
	}
	if (c->step == SENDING) {
		send_request(c);
		return;
	}
	if (c->step == READING)
		read_response(c, events);
}

/* A check's time has come: start it, or it took too long. */
static void due(struct check *c, double t)
{
	struct pollfd p = { .fd = c->fd, .events = c->events };
	char why[64];

	if (c->step == IDLE) {
		start(c, t);
		return;
	}
	/*
	 * What came before the deadline counts, even if the loop has not
	 * seen it yet (it was busy, for instance setting the health of
	 * many targets, which the kernel can take a while over).
	 */
	if (poll(&p, 1, 0) == 1) {
		event(c, p.revents);
		if (c->step == IDLE)
			return;
	}
	snprintf(why, sizeof(why), "timed out after %u s waiting for %s",
		 c->hc.timeout, waiting_for[c->step]);
	result(c, false, why);
}

void check_update(const char *svc, const struct vpce_addr *ip,
		  const struct hc *hc, int health)
{
	char addr[INET6_ADDRSTRLEN];
	struct check *c;
	uint32_t h;

	nl_addr_str(ip, addr);
	h = hash(svc, addr);
	c = find(svc, addr, h);
	if (!c) {
		struct check **b;

		if (nchecks >= table_size)
			table_grow();
		c = calloc(1, sizeof(*c));
		if (!c)
			die("out of memory");
		snprintf(c->svc, sizeof(c->svc), "%s", svc);
		snprintf(c->addr, sizeof(c->addr), "%s", addr);
		c->ip = *ip;
		c->ip.zone[0] = '\0';
		c->family = ip->family;
		if (ip->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&c->sa;

			sin->sin_family = AF_INET;
			sin->sin_addr = ip->v4;
			c->salen = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&c->sa;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = ip->v6;
			c->salen = sizeof(*sin6);
		}
		c->fd = -1;
		c->hc = *hc;
		c->when = now() + jitter(hc->interval);
		c->hash = h;
		b = bucket(h);
		c->hnext = *b;
		*b = c;
		nchecks++;
		heap_push(c);
	} else if (memcmp(&c->hc, hc, sizeof(c->hc))) {
		/*
		 * A new check: its counts start again, at the next interval
		 * (the new one, when that comes sooner). A check running now
		 * finishes, and its result counts for the new settings.
		 */
		double t = now();

		c->hc = *hc;
		c->ok_run = c->fail_run = 0;
		if (c->step == IDLE && c->when > t + hc->interval)
			heap_move(c, t + jitter(hc->interval));
	}
	/* Somebody may have set the health by hand: the kernel's is the truth. */
	if (c->health != health) {
		c->ok_run = 0;
		c->fail_run = 0;
	}
	c->health = health;
	c->seen = true;
}

void checks_begin(void)
{
	struct check *c;
	unsigned int i;

	for (i = 0; i < table_size; i++)
		for (c = table[i]; c; c = c->hnext)
			c->seen = false;
}

unsigned int checks_end(bool complete)
{
	struct check *c, *next;
	unsigned int i;

	for (i = 0; i < table_size; i++)
		for (c = table[i]; c; c = next) {
			next = c->hnext;
			if (complete && !c->seen)
				check_free(c);
			else
				c->seen = true;
		}
	return nchecks;
}

double checks_run(double t, double until)
{
	while (heap_n && heap[0]->when <= t)
		due(heap[0], t);
	return heap_n && heap[0]->when < until ? heap[0]->when : until;
}

void check_event(void *c, uint32_t events)
{
	event(c, events);
}

void checks_free(void)
{
	unsigned int i;

	for (i = 0; i < table_size; i++)
		while (table[i])
			check_free(table[i]);
	free(table);
	table = NULL;
	table_size = 0;
	free(heap);
	heap = NULL;
	heap_cap = 0;
	tls_cleanup();
}
