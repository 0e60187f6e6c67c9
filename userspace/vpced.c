// SPDX-License-Identifier: GPL-2.0
/*
 * vpced: health checks for vpce targets.
 *
 *	vpced [-n NETNS] [-r SECONDS] [-m ADDR:PORT] [--flow-log FILE|-]
 *	      [--flow-log-format aws|json]
 *
 * Reads the services of the namespace and their targets from the kernel,
 * checks every target of every service that has a health check (TCP
 * connect, or HTTP or HTTPS GET PATH expecting one of the matcher's codes,
 * within the check's timeout) every interval seconds, and
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
 * With --flow-log it writes the kernel's flow log records to FILE (or
 * stdout), reopening FILE on SIGHUP (vpced-flowlog.c).
 *
 * One thread, non-blocking sockets and epoll. This file holds the options,
 * the log and the loop; the checks are vpced-check.c's (TLS vpced-tls.c's),
 * the netlink side vpced-nl.c's, the metrics page vpced-http.c's (see
 * vpced.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "vpced.h"

int epfd;

/* ---- logging ---- */

/*
 * Under systemd (JOURNAL_STREAM set) the journal stamps each line; on a
 * terminal or in a file, we do.
 */
static bool stamp;

void say(const char *fmt, ...)
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

static void verr(const char *fmt, va_list ap)
{
	fputs("vpced: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(1);
}

/* The netlink client's way out (nl.h). */
void nl_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(1);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vpced [-n NETNS] [-r SECONDS] [-m ADDR:PORT] [--flow-log FILE|-]\n"
		"             [--flow-log-format aws|json]\n"
		"\n"
		"Runs the health checks of vpce services and sets their targets'\n"
		"health. See vpced(8).\n"
		"\n"
		"  -n, --netns NETNS     run in network namespace NETNS\n"
		"  -r, --reload SECONDS  read the configuration every SECONDS (default 10)\n"
		"  -m, --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"  -f, --flow-log FILE|-  write flow log records to FILE (- for stdout)\n"
		"  -F, --flow-log-format aws|json  AWS's default format (default), or JSON lines\n"
		"  -h, --help            print this help\n"
		"  -V, --version         print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns",   required_argument, NULL, 'n' },
		{ "reload",  required_argument, NULL, 'r' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "flow-log", required_argument, NULL, 'f' },
		{ "flow-log-format", required_argument, NULL, 'F' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct epoll_event ev, evs[64];
	const char *netns = NULL, *metrics = NULL, *flowlog = NULL, *format = NULL;
	double every = 10, next_reload;
	struct rlimit rl;
	sigset_t sigs;
	int c, sfd, n, i;
	char *end;

	while ((c = getopt_long(argc, argv, "n:r:m:f:F:hV", longopts, NULL)) != -1) {
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
		case 'f':
			flowlog = optarg;
			break;
		case 'F':
			format = optarg;
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
	if (format && !flowlog)
		die("--flow-log-format needs --flow-log");
	stamp = !getenv("JOURNAL_STREAM");
	setvbuf(stderr, NULL, _IOLBF, 0);
	srand(getpid() ^ time(NULL));
	if (netns) {
		const char *failed = nl_enter_netns(netns);

		if (failed)
			die("cannot %s network namespace \"%s\": %s", failed, netns,
			    strerror(errno));
	}

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
	flowlog_setup(flowlog, format);
	flowlog_join();
	reload();
	next_reload = now() + every;
	for (;;) {
		double t = now(), wake;
		int ms;

		wake = checks_run(t, next_reload);
		if (t >= next_reload) {
			flowlog_join();
			reload();
			next_reload = t + every;
			continue;
		}
		ms = (int)((wake - t) * 1000) + 1;
		/* libmicrohttpd's idle connections time out too. */
		if (metrics_serving() && ms > 1000)
			ms = 1000;
		n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), ms);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (metrics_tag(evs[i].data.ptr))
				continue;	/* metrics_run() below */
			if (evs[i].data.ptr == flowlog_tag) {
				flowlog_event();
				continue;
			}
			if (evs[i].data.ptr) {
				check_event(evs[i].data.ptr, evs[i].events);
				continue;
			}
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					say("SIGHUP: reading the configuration");
					flowlog_reopen();
					next_reload = 0;
					continue;
				}
				say("%s: exiting", strsignal(si.ssi_signo));
				checks_free();
				nl_side_free();
				metrics_stop();
				flowlog_stop();
				nl_shutdown();
				close(epfd);
				close(sfd);
				return 0;
			}
		}
		metrics_run();
	}
}
