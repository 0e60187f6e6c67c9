// SPDX-License-Identifier: GPL-2.0
/*
 * vpced's flow log writer (--flow-log FILE|-): the kernel's flow log
 * records (VPCE_MCGRP_FLOWLOG, include/uapi/linux/vpce.h "Flow logs"), one
 * line each, in AWS's default format
 *
 *	version account-id interface-id srcaddr dstaddr srcport dstport
 *	protocol packets bytes start end action log-status
 *
 * (AWS writes one record per direction: a kernel record is a line for the
 * client's direction and, when the flow had replies, a line for the
 * replies with addresses and ports swapped), or as JSON lines
 * (--flow-log-format json: one object per kernel record, both
 * directions' counts in it).
 *
 * A socket of its own joins the group, so that records never mix with the
 * replies of vpced's requests; it is in the loop's epoll set and read
 * without blocking. Its receive buffer is large (SO_RCVBUFFORCE as root)
 * so that bursts fit; when it overflows anyway the kernel counts what was
 * lost and the next record carries the count (log-status SKIPDATA), and
 * recv() says ENOBUFS here, which is written at once as a SKIPDATA line of
 * its own. Lines are written whole (line-buffered); SIGHUP reopens the
 * file, for logrotate.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "vpced.h"

/*
 * The receive buffer asked for: tens of thousands of records. The
 * environment's VPCED_FLOW_LOG_RCVBUF (bytes) replaces it: the selftest
 * makes it small to overflow it.
 */
#define FLOWLOG_RCVBUF	(32 << 20)

static const char *path;		/* NULL: off; "-": stdout */
static bool json;
static FILE *out;
static struct nl_sock *fsock;
static int family = -1;
static bool told;

/* The epoll tag of the socket. */
static char flowlog_tag_;
void *const flowlog_tag = &flowlog_tag_;

static struct nla_policy rec_policy[VPCE_FLOWLOG_A_MAX + 1] = {
	[VPCE_FLOWLOG_A_INTERFACE]	= { .type = NLA_STRING },
	[VPCE_FLOWLOG_A_ACCOUNT]	= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_PROTO]		= { .type = NLA_U8 },
	[VPCE_FLOWLOG_A_SRC]		= { .type = NLA_NESTED },
	[VPCE_FLOWLOG_A_DST]		= { .type = NLA_NESTED },
	[VPCE_FLOWLOG_A_SRC_PORT]	= { .type = NLA_U16 },
	[VPCE_FLOWLOG_A_DST_PORT]	= { .type = NLA_U16 },
	[VPCE_FLOWLOG_A_PACKETS]	= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_BYTES]		= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_REPLY_PACKETS]	= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_REPLY_BYTES]	= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_START]		= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_END]		= { .type = NLA_U64 },
	[VPCE_FLOWLOG_A_ACTION]		= { .type = NLA_U8 },
	[VPCE_FLOWLOG_A_SKIPPED]	= { .type = NLA_U64 },
};

static void open_out(void)
{
	FILE *f;

	if (!strcmp(path, "-")) {
		out = stdout;
	} else {
		f = fopen(path, "a");
		if (!f) {
			say("cannot open the flow log \"%s\": %s", path, strerror(errno));
			if (!out)
				exit(1);
			return;		/* keep writing to the old one */
		}
		if (out)
			fclose(out);
		out = f;
	}
	setvbuf(out, NULL, _IOLBF, 0);
}

void flowlog_setup(const char *file, const char *format)
{
	if (format && strcmp(format, "aws") && strcmp(format, "json"))
		die("invalid flow log format \"%s\" (aws or json)", format);
	json = format && !strcmp(format, "json");
	path = file;
	if (path)
		open_out();
}

void flowlog_reopen(void)
{
	if (path && strcmp(path, "-")) {
		open_out();
		say("SIGHUP: flow log \"%s\" reopened", path);
	}
}

/* Join the group once the module is there; true when joined. */
bool flowlog_join(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = flowlog_tag };
	const char *env = getenv("VPCED_FLOW_LOG_RCVBUF");
	int grp, fd, one = 1, size = env ? atoi(env) : FLOWLOG_RCVBUF;

	if (!path || fsock)
		return fsock != NULL;
	fsock = nl_socket_alloc();
	if (!fsock)
		die("out of memory");
	nl_socket_disable_seq_check(fsock);
	if (genl_connect(fsock) < 0)
		die("cannot open a netlink socket for the flow log");
	family = genl_ctrl_resolve(fsock, VPCE_GENL_NAME);
	grp = family < 0 ? family :
		genl_ctrl_resolve_grp(fsock, VPCE_GENL_NAME, VPCE_MCGRP_FLOWLOG);
	if (family < 0 || grp < 0 || nl_socket_add_membership(fsock, grp) < 0) {
		if (!told)
			say("cannot join the flow log group (is the vpce module loaded?); trying again later");
		told = true;
		nl_socket_free(fsock);
		fsock = NULL;
		return false;
	}
	told = false;
	fd = nl_socket_get_fd(fsock);
	/* The kernel then counts a record lost for us even when another
	 * member of the group (vpcectl monitor, say) got it.
	 */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one)))
		say("NETLINK_BROADCAST_ERROR: %s", strerror(errno));
	/* As root the limit net.core.rmem_max does not apply. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		nl_socket_set_buffer_size(fsock, size, 0);
	nl_socket_set_nonblocking(fsock);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
	say("writing flow log records to %s", !strcmp(path, "-") ? "stdout" : path);
	return true;
}

static void addr_str(struct nlattr *nest, char *buf, size_t len)
{
	struct vpce_addr a;

	if (!nest || nl_parse_addr(nest, &a, NULL) ||
	    !inet_ntop(a.family, &a.v4, buf, len))
		snprintf(buf, len, "-");
}

static uint64_t u64(struct nlattr **rec, int type)
{
	return rec[type] ? nla_get_u64(rec[type]) : 0;
}

static uint16_t u16(struct nlattr **rec, int type)
{
	return rec[type] ? nla_get_u16(rec[type]) : 0;
}

static void write_aws(struct nlattr **rec, const char *src, const char *dst,
		      const char *status)
{
	const char *action = rec[VPCE_FLOWLOG_A_ACTION] &&
		nla_get_u8(rec[VPCE_FLOWLOG_A_ACTION]) == VPCE_FLOWLOG_REJECT ?
		"REJECT" : "ACCEPT";
	const char *iface = rec[VPCE_FLOWLOG_A_INTERFACE] ?
		nla_get_string(rec[VPCE_FLOWLOG_A_INTERFACE]) : "-";
	unsigned int proto = rec[VPCE_FLOWLOG_A_PROTO] ?
		nla_get_u8(rec[VPCE_FLOWLOG_A_PROTO]) : 0;

	fprintf(out, "2 %012" PRIu64 " %s %s %s %u %u %u %" PRIu64 " %" PRIu64
		" %" PRIu64 " %" PRIu64 " %s %s\n",
		u64(rec, VPCE_FLOWLOG_A_ACCOUNT), iface, src, dst,
		u16(rec, VPCE_FLOWLOG_A_SRC_PORT), u16(rec, VPCE_FLOWLOG_A_DST_PORT),
		proto, u64(rec, VPCE_FLOWLOG_A_PACKETS), u64(rec, VPCE_FLOWLOG_A_BYTES),
		u64(rec, VPCE_FLOWLOG_A_START), u64(rec, VPCE_FLOWLOG_A_END),
		action, status);
	if (!u64(rec, VPCE_FLOWLOG_A_REPLY_PACKETS))
		return;
	fprintf(out, "2 %012" PRIu64 " %s %s %s %u %u %u %" PRIu64 " %" PRIu64
		" %" PRIu64 " %" PRIu64 " %s %s\n",
		u64(rec, VPCE_FLOWLOG_A_ACCOUNT), iface, dst, src,
		u16(rec, VPCE_FLOWLOG_A_DST_PORT), u16(rec, VPCE_FLOWLOG_A_SRC_PORT),
		proto, u64(rec, VPCE_FLOWLOG_A_REPLY_PACKETS),
		u64(rec, VPCE_FLOWLOG_A_REPLY_BYTES),
		u64(rec, VPCE_FLOWLOG_A_START), u64(rec, VPCE_FLOWLOG_A_END),
		action, status);
}

static void write_json(struct nlattr **rec, const char *src, const char *dst,
		       const char *status)
{
	char account[16];
	json_t *o;
	char *s;

	snprintf(account, sizeof(account), "%012" PRIu64,
		 u64(rec, VPCE_FLOWLOG_A_ACCOUNT));
	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I}",
		"version", 2, "account-id", account,
		"interface-id", rec[VPCE_FLOWLOG_A_INTERFACE] ?
			nla_get_string(rec[VPCE_FLOWLOG_A_INTERFACE]) : "-",
		"srcaddr", src, "dstaddr", dst,
		"srcport", (int)u16(rec, VPCE_FLOWLOG_A_SRC_PORT),
		"dstport", (int)u16(rec, VPCE_FLOWLOG_A_DST_PORT),
		"protocol", rec[VPCE_FLOWLOG_A_PROTO] ?
			(int)nla_get_u8(rec[VPCE_FLOWLOG_A_PROTO]) : 0,
		"packets", (json_int_t)u64(rec, VPCE_FLOWLOG_A_PACKETS),
		"bytes", (json_int_t)u64(rec, VPCE_FLOWLOG_A_BYTES),
		"reply-packets", (json_int_t)u64(rec, VPCE_FLOWLOG_A_REPLY_PACKETS),
		"reply-bytes", (json_int_t)u64(rec, VPCE_FLOWLOG_A_REPLY_BYTES),
		"start", (json_int_t)u64(rec, VPCE_FLOWLOG_A_START),
		"end", (json_int_t)u64(rec, VPCE_FLOWLOG_A_END),
		"action", rec[VPCE_FLOWLOG_A_ACTION] &&
			nla_get_u8(rec[VPCE_FLOWLOG_A_ACTION]) == VPCE_FLOWLOG_REJECT ?
			"REJECT" : "ACCEPT",
		"log-status", status,
		"skipped", (json_int_t)u64(rec, VPCE_FLOWLOG_A_SKIPPED));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!s)
		die("out of memory");
	fprintf(out, "%s\n", s);
	free(s);
	json_decref(o);
}

/* A loss the socket reported: AWS's SKIPDATA record, without a flow. */
static void write_skip(void)
{
	long long t = (long long)time(NULL);

	if (json)
		fprintf(out, "{\"version\":2,\"start\":%lld,\"end\":%lld,\"log-status\":\"SKIPDATA\"}\n",
			t, t);
	else
		fprintf(out, "2 - - - - - - - - - %lld %lld - SKIPDATA\n", t, t);
}

static void on_record(struct nlmsghdr *nlh)
{
	struct nlattr *tb[VPCE_A_MAX + 1], *rec[VPCE_FLOWLOG_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlh);
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *status;

	if (nlh->nlmsg_type != family || gh->cmd != VPCE_CMD_FLOW_LOG ||
	    genlmsg_parse(nlh, 0, tb, VPCE_A_MAX, NULL) < 0 ||
	    !tb[VPCE_A_FLOW_LOG_RECORD] ||
	    nla_parse_nested(rec, VPCE_FLOWLOG_A_MAX, tb[VPCE_A_FLOW_LOG_RECORD],
			     rec_policy) < 0)
		return;
	addr_str(rec[VPCE_FLOWLOG_A_SRC], src, sizeof(src));
	addr_str(rec[VPCE_FLOWLOG_A_DST], dst, sizeof(dst));
	status = u64(rec, VPCE_FLOWLOG_A_SKIPPED) ? "SKIPDATA" : "OK";
	if (json)
		write_json(rec, src, dst, status);
	else
		write_aws(rec, src, dst, status);
}

/* The socket is readable: every record waiting. */
void flowlog_event(void)
{
	static char buf[1 << 16];
	struct nlmsghdr *nlh;
	int fd, len;

	if (!fsock)
		return;
	fd = nl_socket_get_fd(fsock);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == ENOBUFS) {
				write_skip();
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				say("flow log socket: %s", strerror(errno));
			return;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len))
			on_record(nlh);
	}
}

void flowlog_stop(void)
{
	if (fsock)
		nl_socket_free(fsock);
	fsock = NULL;
	if (out && out != stdout)
		fclose(out);
	out = NULL;
}
