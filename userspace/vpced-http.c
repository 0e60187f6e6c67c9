// SPDX-License-Identifier: GPL-2.0
/*
 * vpced --metrics ADDR:PORT: the namespace's counters in Prometheus's text
 * format at http://ADDR:PORT/metrics, from libmicrohttpd run in vpced's
 * epoll loop, formatted by the code "vpcectl stats show format prometheus"
 * uses (metrics.c). Each GET is a fresh dump of the counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "metrics.h"
#include "vpced.h"

static struct MHD_Daemon *mhd;
static char mhd_tag;		/* epoll's mark for the daemon's descriptor */

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
	if (!arr || read_stats(arr)) {
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
void metrics_start(const char *spec)
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

bool metrics_tag(const void *tag)
{
	return tag == &mhd_tag;
}

bool metrics_serving(void)
{
	return mhd;
}

void metrics_run(void)
{
	if (mhd)
		MHD_run(mhd);
}

void metrics_stop(void)
{
	if (mhd)
		MHD_stop_daemon(mhd);
	mhd = NULL;
}
