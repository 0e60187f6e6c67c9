// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: the load generator and server of scripts/bench.
 *
 *   connrate serve PORT
 *	Accepts TCP connections on PORT (all addresses) and echoes what it
 *	reads until the peer closes, except that a lone "?" is answered with a
 *	greeting line: the local address it was reached at (after any DNAT:
 *	which target got the flow). Nothing is sent unasked: data the client
 *	has not read when it closes would turn its FIN into a reset, and the
 *	closing sequence would then depend on which side was quicker, so
 *	differently for every mode of a benchmark.
 *	A PROXY protocol v2 header at the start of a connection (a service
 *	with proxy-protocol on) is dropped, not echoed, for the same reason:
 *	the rest of that first read is echoed (or greeted) as usual. It is
 *	recognized only whole in the connection's first read: vpce sends it as
 *	a segment of its own (54 bytes for IPv4, far below any MSS), so a
 *	first read never holds part of one; a first read that is too short
 *	for the header it starts (a prefix of the signature, or fewer than
 *	16 + L bytes) is data like any other, echoed as it is.
 *
 *   connrate conn ADDR PORT [-t SECS | -c COUNT] [-P PARALLEL]
 *		   [-S FIRST_SRC -N NSRC] [-p SPORT_BASE] [-r] [-g]
 *	Opens and closes connections as fast as it can, PARALLEL at a time
 *	(default 1), from NSRC source addresses starting at FIRST_SRC (each
 *	must be local), for SECS seconds or COUNT connections. Connect latency
 *	is connect() until the socket is writable: the SYN/SYN-ACK round trip,
 *	which is where a load balancer does its per-flow work. Sockets close
 *	normally (the client keeps TIME_WAIT: run with net.ipv4.tcp_tw_reuse=1)
 *	or with -r by reset. With -p, connection i uses source port
 *	SPORT_BASE + i / NSRC (deterministic 5-tuples); with -g it asks for
 *	the greeting and prints "SRC SPORT TARGET" per connection.
 *
 *   connrate rr ADDR PORT [-t SECS] [-C CONNS]
 *	Request/response on CONNS (default 1) established connections: one
 *	byte out, its echo back, as fast as possible; latency per transaction.
 *
 * Prints one line of JSON: {"mode", "n", "errors", "secs", "rate", "p50_us",
 * "p90_us", "p99_us"}. Exit status 0, or 1 on setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Latency samples, in nanoseconds. */
static uint64_t *lat;
static size_t nlat, caplat;

static void sample(uint64_t ns)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 65536;
		lat = realloc(lat, caplat * sizeof(*lat));
		if (!lat)
			die("realloc");
	}
	lat[nlat++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t i;

	if (!nlat)
		return 0;
	i = (size_t)(p / 100.0 * (double)(nlat - 1) + 0.5);
	return (double)lat[i] / 1000.0;
}

static void report(const char *mode, unsigned long n, unsigned long errors,
		   double secs)
{
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("{\"mode\": \"%s\", \"n\": %lu, \"errors\": %lu, \"secs\": %.3f, \"rate\": %.1f, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f}\n",
	       mode, n, errors, secs, secs > 0 ? (double)n / secs : 0,
	       pct(50), pct(90), pct(99));
}

static struct sockaddr_in parse_addr(const char *addr, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "connrate: bad address %s\n", addr);
		exit(1);
	}
	sa.sin_port = htons((uint16_t)atoi(port));
	return sa;
}

/* --- serve ------------------------------------------------------------------- */

/* Connections (by fd) whose first read is still to come. */
static bool *fresh;
static size_t nfresh;

static void set_fresh(int fd, bool v)
{
	size_t n = nfresh;

	if ((size_t)fd >= n) {
		if (!v)
			return;
		while ((size_t)fd >= n)
			n = n ? n * 2 : 1024;
		fresh = realloc(fresh, n * sizeof(*fresh));
		if (!fresh)
			die("realloc");
		memset(fresh + nfresh, 0, (n - nfresh) * sizeof(*fresh));
		nfresh = n;
	}
	fresh[fd] = v;
}

/* take_fresh FD : whether FD's first read is the one now made (once). */
static bool take_fresh(int fd)
{
	bool v = (size_t)fd < nfresh && fresh[fd];

	set_fresh(fd, false);
	return v;
}

/*
 * The length of the PROXY protocol v2 header BUF starts with (the 12-byte
 * signature, version 2 in the high nibble of byte 12, the big-endian length
 * L of what follows the 16 fixed bytes), or 0: none, or not all of it in the
 * N bytes read.
 */
static size_t pp2_len(const char *buf, size_t n)
{
	static const char sig[] = "\r\n\r\n\0\r\nQUIT\n";
	size_t len;

	if (n < 16 || memcmp(buf, sig, sizeof(sig) - 1) ||
	    ((unsigned char)buf[12] & 0xf0) != 0x20)
		return 0;
	len = 16 + ((size_t)(unsigned char)buf[14] << 8 | (unsigned char)buf[15]);
	return len <= n ? len : 0;
}

static int serve(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	struct epoll_event ev, evs[256];
	int one = 1, lfd, ep;
	char buf[65536];

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, 4096) < 0)
		die("listen");
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int i, n = epoll_wait(ep, evs, 256, -1);

		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
					set_fresh(c, true);
				}
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			char *p = buf;

			if (r <= 0) {
				set_fresh(fd, false);
				close(fd);
				continue;
			}
			if (take_fresh(fd)) {
				size_t h = pp2_len(buf, (size_t)r);

				p += h;
				r -= (ssize_t)h;
				if (!r)
					continue;
			}
			if (r == 1 && p[0] == '?') {
				struct sockaddr_in la;
				socklen_t ll = sizeof(la);

				if (getsockname(fd, (struct sockaddr *)&la, &ll) < 0) {
					close(fd);
					continue;
				}
				p = buf;
				r = snprintf(buf, sizeof(buf), "%s\n", inet_ntoa(la.sin_addr));
			}
			if (write(fd, p, (size_t)r) < 0)
				close(fd);
		}
	}
	return 0;
}

/* --- conn -------------------------------------------------------------------- */

struct slot {
	int fd;
	uint64_t start;
	uint32_t src;
	uint16_t sport;
};

static int conn(struct sockaddr_in dst, double secs, unsigned long count,
		int parallel, uint32_t src0, int nsrc, int sport_base,
		bool rst, bool greet)
{
	struct slot *slots = calloc((size_t)parallel, sizeof(*slots));
	struct epoll_event ev, evs[1024];
	unsigned long started = 0, done = 0, errors = 0;
	uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(secs * 1e9);
	int ep = epoll_create1(0), i, active = 0;

	if (!slots || ep < 0)
		die("setup");

	for (;;) {
		/* Keep `parallel` connections in flight. */
		while (active < parallel &&
		       (count ? started < count : now_ns() < deadline)) {
			struct slot *s = NULL;
			struct sockaddr_in sa = { .sin_family = AF_INET };
			int one = 1, fd;

			for (i = 0; i < parallel; i++)
				if (!slots[i].fd) {
					s = &slots[i];
					break;
				}
			fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (fd < 0)
				die("socket");
			s->src = src0 ? src0 + (uint32_t)(started % (unsigned long)nsrc) : 0;
			s->sport = sport_base ? (uint16_t)(sport_base + started / (unsigned long)nsrc) : 0;
			if (s->src || s->sport) {
				sa.sin_addr.s_addr = htonl(s->src);
				sa.sin_port = htons(s->sport);
				if (!s->sport)
					setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
						   &one, sizeof(one));
				else
					setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
						   sizeof(one));
				if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
					die("bind source");
			}
			s->fd = fd;
			s->start = now_ns();
			started++;
			if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
			    errno != EINPROGRESS) {
				errors++;
				close(fd);
				s->fd = 0;
				continue;
			}
			ev.events = EPOLLOUT;
			ev.data.ptr = s;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			active++;
		}
		if (!active)
			break;
		int n = epoll_wait(ep, evs, 1024, 1000);

		for (i = 0; i < n; i++) {
			struct slot *s = evs[i].data.ptr;
			int err = 0;
			socklen_t el = sizeof(err);
			uint64_t t = now_ns();

			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (err) {
				errors++;
			} else {
				sample(t - s->start);
				done++;
				if (greet) {
					char line[64] = "";
					struct in_addr a = { htonl(s->src) };
					ssize_t r;
					int fl = fcntl(s->fd, F_GETFL);

					fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
					r = write(s->fd, "?", 1) == 1 ?
						read(s->fd, line, sizeof(line) - 1) : -1;
					line[r > 0 ? r : 0] = '\0';
					line[strcspn(line, "\n")] = '\0';
					printf("%s %u %s\n", inet_ntoa(a), s->sport,
					       r > 0 ? line : "ERROR");
				}
			}
			if (rst) {
				struct linger lg = { 1, 0 };

				setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			}
			close(s->fd);
			s->fd = 0;
			active--;
		}
		/* A connection whose SYN was dropped would wait out the
		 * kernel's retries (minutes): give up on it after 3 s.
		 */
		uint64_t t = now_ns();

		for (i = 0; i < parallel; i++) {
			if (!slots[i].fd || t - slots[i].start < 3000000000ULL)
				continue;
			errors++;
			close(slots[i].fd);
			slots[i].fd = 0;
			active--;
		}
	}
	report("conn", done, errors, (double)(now_ns() - t0) / 1e9);
	return 0;
}

/* --- rr ---------------------------------------------------------------------- */

static int rr(struct sockaddr_in dst, double secs, int nconn)
{
	uint64_t t0, deadline;
	unsigned long n = 0, errors = 0;
	int *fds = calloc((size_t)nconn, sizeof(int)), i, one = 1;
	char c = 'x';

	if (!fds)
		die("calloc");
	for (i = 0; i < nconn; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("connect");
		setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	t0 = now_ns();
	deadline = t0 + (uint64_t)(secs * 1e9);
	while (now_ns() < deadline) {
		for (i = 0; i < nconn; i++) {
			uint64_t t = now_ns();

			if (write(fds[i], &c, 1) != 1 || read(fds[i], &c, 1) != 1) {
				errors++;
				continue;
			}
			sample(now_ns() - t);
			n++;
		}
	}
	report("rr", n, errors, (double)(now_ns() - t0) / 1e9);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: connrate serve PORT\n"
		"       connrate conn ADDR PORT [-t SECS|-c COUNT] [-P PAR] [-S SRC -N NSRC] [-p SPORT] [-r] [-g]\n"
		"       connrate rr ADDR PORT [-t SECS] [-C CONNS]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	double secs = 5;
	unsigned long count = 0;
	int parallel = 1, nsrc = 1, sport = 0, conns = 1, opt;
	uint32_t src = 0;
	bool rst = false, greet = false;
	struct sockaddr_in dst;
	struct in_addr a;

	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc < 4)
		usage();
	dst = parse_addr(argv[2], argv[3]);
	optind = 4;
	while ((opt = getopt(argc, argv, "t:c:P:S:N:p:rgC:")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'P': parallel = atoi(optarg); break;
		case 'S':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			src = ntohl(a.s_addr);
			break;
		case 'N': nsrc = atoi(optarg); break;
		case 'p': sport = atoi(optarg); break;
		case 'r': rst = true; break;
		case 'g': greet = true; break;
		case 'C': conns = atoi(optarg); break;
		default: usage();
		}
	}
	if (parallel < 1 || nsrc < 1 || conns < 1)
		usage();
	if (!strcmp(argv[1], "conn"))
		return conn(dst, secs, count, parallel, src, nsrc, sport, rst, greet);
	if (!strcmp(argv[1], "rr"))
		return rr(dst, secs, conns);
	usage();
	return 1;
}
