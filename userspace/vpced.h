/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpced, the health-check and metrics daemon of vpce: what its files share.
 *
 *	vpced.c		options, logging and the epoll loop
 *	vpced-nl.c	its side of the netlink client (nl.h): reading services
 *			and targets into checks, setting health, reading counters
 *	vpced-check.c	the checks: a heap by time, a hash by target, and the
 *			non-blocking TCP/HTTP/HTTPS probes
 *	vpced-tls.c	TLS for HTTPS checks (OpenSSL), non-blocking
 *	vpced-http.c	the Prometheus metrics page (libmicrohttpd)
 *	vpced-flowlog.c	the flow log records, written as AWS writes them
 *
 * One thread: everything runs from the loop in vpced.c.
 */
#ifndef VPCED_H
#define VPCED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uapi/linux/vpce.h>

#include "nl.h"

#ifndef VPCECTL_VERSION
#define VPCECTL_VERSION "unknown"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- vpced.c ---- */

/* The loop's epoll set: checks' sockets and the metrics server join it. */
extern int epfd;

/* A line of the log: "[TIME ]vpced: ..." (no time under systemd). */
void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...);
void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...);
/* Monotonic seconds. */
double now(void);

/* ---- vpced-nl.c ---- */

/* Connected and the family known; false (and a log line, once) if not. */
bool nl_ready(void);
/* Read services and targets; start, update and stop checks to match. */
void reload(void);
/* "target set SVC ADDR health HEALTH": 0 or -errno. */
int set_health(const char *svc, const struct vpce_addr *addr, int health);
/* The counters, as metrics_parse() objects appended to ARR: 0 or -errno. */
int read_stats(json_t *arr);
/* What reload() keeps between reads. */
void nl_side_free(void);

/* ---- vpced-check.c ---- */

/* A service's health check, as the kernel keeps it. */
struct hc {
	int proto;			/* enum vpce_hc_proto */
	uint16_t port;			/* resolved: never 0 */
	unsigned int interval, timeout, healthy, unhealthy;	/* seconds, counts */
	uint64_t codes[HC_CODES_WORDS];	/* the matcher's (HTTP, HTTPS) */
	char path[VPCE_HC_PATH_MAX + 1];
	char host[VPCE_DNS_NAME_MAX + 1];	/* "": the target's address */
};

/* A configuration read begins: every check is unseen until updated. */
void checks_begin(void);
/*
 * Target ADDR of service SVC, whose health the kernel says is HEALTH, is
 * checked with HC: start its check, or update it.
 */
void check_update(const char *svc, const struct vpce_addr *addr,
		  const struct hc *hc, int health);
/*
 * The read is over: stop the checks of the targets it did not see, or,
 * when it failed (!COMPLETE), keep them all. Returns how many run.
 */
unsigned int checks_end(bool complete);
/* Start the checks due at T, time out those overdue; the next time due. */
double checks_run(double t, double until);
/* Epoll said EVENTS for check C (the data.ptr of its socket). */
void check_event(void *c, uint32_t events);
void checks_free(void);

/* ---- vpced-tls.c ---- */

struct ssl_st;

/* What a TLS call waits for, or that it failed (its reason in WHY). */
#define TLS_WANT_READ	(-1)
#define TLS_WANT_WRITE	(-2)
#define TLS_FAILED	(-3)

/* A client session on connected socket FD, SNI HOST unless ""; NULL: WHY. */
struct ssl_st *tls_new(int fd, const char *host, char *why, size_t len);
void tls_free(struct ssl_st *ssl);
/* 0 when the handshake is done, else TLS_*. */
int tls_handshake(struct ssl_st *ssl, char *why, size_t len);
/* Bytes written or read (0: the peer closed), else TLS_*. */
int tls_write(struct ssl_st *ssl, const void *buf, size_t n, char *why, size_t len);
int tls_read(struct ssl_st *ssl, void *buf, size_t n, char *why, size_t len);
void tls_cleanup(void);

/* ---- vpced-flowlog.c ---- */

/* --flow-log FILE|- (NULL: off) and --flow-log-format aws|json (NULL: aws). */
void flowlog_setup(const char *file, const char *format);
/* Join the records' group if not yet (the module may come later). */
bool flowlog_join(void);
/* The epoll tag of its socket, and what to do when it is readable. */
extern void *const flowlog_tag;
void flowlog_event(void);
/* SIGHUP: open the file again (logrotate moved it). */
void flowlog_reopen(void);
void flowlog_stop(void);

/* ---- vpced-http.c ---- */

/* Serve /metrics at SPEC (ADDR:PORT or [ADDR]:PORT); exits if it cannot. */
void metrics_start(const char *spec);
/* Whether TAG (an epoll data.ptr) is the metrics server's. */
bool metrics_tag(const void *tag);
/* Whether it serves: the loop then wakes at least every second. */
bool metrics_serving(void);
/* Let the server work (after epoll_wait). */
void metrics_run(void);
void metrics_stop(void);

#endif /* VPCED_H */
