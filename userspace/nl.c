// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing: one socket, opened on the first request (after
 * any setns), requests built with helpers that cannot fail silently, and
 * nl_query(), the one place that waits for replies, retries interrupted
 * dumps and turns kernel errors into "vpcectl: <extack message>".
 *
 * libnl 3.7 neither enables extended acks nor exposes their attributes, so
 * we set NETLINK_EXT_ACK ourselves and parse the TLVs that follow the
 * nlmsgerr (or the NLMSG_DONE error of a dump) in our own callbacks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "vpcectl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DUMP_TRIES 10

/*
 * Requests with a policy carry up to 20 KiB of text and its compiled form,
 * far more than libnl's default message (a page) and socket buffer (32 KiB).
 */
#define REQUEST_MAX	(256 * 1024)

static struct nl_sock *sock;
static int family;

int (*nl_batch_hook)(struct nl_msg *req);

static void nl_open(void)
{
	int one = 1, err;

	sock = nl_socket_alloc();
	if (!sock)
		die_kernel("cannot allocate a netlink socket");
	err = genl_connect(sock);
	if (err < 0)
		die_kernel("cannot open a generic netlink socket: %s", nl_geterror(err));
	/* Replies may be larger than a page (an endpoint with its policy):
	 * peek at each one's size before reading it.
	 */
	nl_socket_enable_msg_peek(sock);
	err = nl_socket_set_buffer_size(sock, REQUEST_MAX, 0);
	if (err < 0)
		die_kernel("cannot size the netlink socket: %s", nl_geterror(err));
	/* Both are best effort: without them we only lose the messages. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	family = genl_ctrl_resolve(sock, VPCE_GENL_NAME);
	if (family == -NLE_OBJ_NOTFOUND)
		die_kernel("the vpce module is not loaded (modprobe vpce)");
	if (family < 0)
		die_kernel("cannot look up the %s netlink family: %s",
			   VPCE_GENL_NAME, nl_geterror(family));
}

/* A request kept for the next nl_new(): a batch builds thousands. */
static struct nl_msg *spare;

void nl_recycle(struct nl_msg *m)
{
	if (spare) {
		nlmsg_free(m);
		return;
	}
	/* Empty again; genlmsg_put() writes the headers anew. */
	nlmsg_hdr(m)->nlmsg_len = NLMSG_HDRLEN;
	spare = m;
}

struct nl_msg *nl_new(uint8_t cmd, bool dump)
{
	struct nl_msg *m;

	if (!sock)
		nl_open();
	m = spare ? spare : nlmsg_alloc_size(REQUEST_MAX);
	spare = NULL;
	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       dump ? NLM_F_DUMP : 0, cmd, VPCE_GENL_VERSION))
		die_kernel("out of memory");
	return m;
}

static void put_check(int err)
{
	if (err < 0)
		die_kernel("cannot build the request: %s", nl_geterror(err));
}

void nl_put_u8(struct nl_msg *m, int type, uint8_t v)
{
	put_check(nla_put_u8(m, type, v));
}

void nl_put_u16(struct nl_msg *m, int type, uint16_t v)
{
	put_check(nla_put_u16(m, type, v));
}

void nl_put_u32(struct nl_msg *m, int type, uint32_t v)
{
	put_check(nla_put_u32(m, type, v));
}

void nl_put_u64(struct nl_msg *m, int type, uint64_t v)
{
	put_check(nla_put_u64(m, type, v));
}

void nl_put_str(struct nl_msg *m, int type, const char *s)
{
	put_check(nla_put_string(m, type, s));
}

struct nlattr *nl_nest(struct nl_msg *m, int type)
{
	struct nlattr *nest = nla_nest_start(m, type);

	if (!nest)
		put_check(-NLE_NOMEM);
	return nest;
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	put_check(nla_nest_end(m, nest));
}

void nl_put_addr(struct nl_msg *m, int type, const struct vpce_addr *a)
{
	struct nlattr *nest = nl_nest(m, type);

	if (a->family == AF_INET)
		put_check(nla_put(m, VPCE_ADDR_A_IPV4, sizeof(a->v4), &a->v4));
	else
		put_check(nla_put(m, VPCE_ADDR_A_IPV6, sizeof(a->v6), &a->v6));
	if (a->zone[0])
		nl_put_str(m, VPCE_ADDR_A_ZONE, a->zone);
	nl_nest_end(m, nest);
}

void nl_put_prefix(struct nl_msg *m, int type, const struct vpce_addr *a,
		   uint8_t plen)
{
	struct nlattr *nest = nl_nest(m, type);

	if (a->family == AF_INET)
		put_check(nla_put(m, VPCE_ADDR_A_IPV4, sizeof(a->v4), &a->v4));
	else
		put_check(nla_put(m, VPCE_ADDR_A_IPV6, sizeof(a->v6), &a->v6));
	nl_put_u8(m, VPCE_ADDR_A_PREFIX_LEN, plen);
	nl_nest_end(m, nest);
}

void nl_put_addrs(struct nl_msg *m, int type, const struct vpce_addr *a, int n)
{
	struct nlattr *arr = nl_nest(m, type);
	int i;

	for (i = 0; i < n; i++)
		nl_put_addr(m, i, &a[i]);
	nl_nest_end(m, arr);
}

/* ---- replies ---- */

static struct nla_policy attr_policy[VPCE_A_MAX + 1] = {
	[VPCE_A_NAME]		= { .type = NLA_STRING },
	[VPCE_A_ACCOUNT]	= { .type = NLA_U64 },
	[VPCE_A_VPC]		= { .type = NLA_STRING },
	[VPCE_A_SERVICE]	= { .type = NLA_STRING },
	[VPCE_A_TYPE]		= { .type = NLA_U8 },
	[VPCE_A_DEVICES]	= { .type = NLA_NESTED },
	[VPCE_A_LISTENERS]	= { .type = NLA_NESTED },
	[VPCE_A_NLBS]		= { .type = NLA_NESTED },
	[VPCE_A_ADDRS]		= { .type = NLA_NESTED },
	[VPCE_A_ADDR]		= { .type = NLA_NESTED },
	[VPCE_A_WEIGHT]		= { .type = NLA_U16 },
	[VPCE_A_HEALTH]		= { .type = NLA_U8 },
	[VPCE_A_STATE]		= { .type = NLA_U8 },
	[VPCE_A_STATS]		= { .type = NLA_NESTED },
	[VPCE_A_TARGET_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_ENDPOINT_COUNT]	= { .type = NLA_U32 },
	[VPCE_A_ACCEPTANCE_REQUIRED] = { .type = NLA_U8 },
	[VPCE_A_PRINCIPAL]	= { .type = NLA_STRING },
	[VPCE_A_PRINCIPALS]	= { .type = NLA_NESTED },
	[VPCE_A_REQUESTER]	= { .type = NLA_STRING },
	[VPCE_A_PREFIX]		= { .type = NLA_NESTED },
	[VPCE_A_CREATED]	= { .type = NLA_U64 },
	[VPCE_A_OWNER]		= { .type = NLA_U64 },
	[VPCE_A_POLICY_TEXT]	= { .type = NLA_STRING },
	[VPCE_A_EVENT]		= { .type = NLA_U8 },
	[VPCE_A_DECISION]	= { .type = NLA_U8 },
	[VPCE_A_MATCHED]	= { .type = NLA_NESTED },
	[VPCE_A_CROSS_ZONE]	= { .type = NLA_U8 },
	[VPCE_A_PRIVATE_DNS]	= { .type = NLA_STRING },
	[VPCE_A_DEREG_DELAY]	= { .type = NLA_U32 },
	[VPCE_A_IDLE_TIMEOUT]	= { .type = NLA_U32 },
	[VPCE_A_HASH_SEED]	= { .type = NLA_UNSPEC, .minlen = VPCE_HASH_SEED_LEN },
	[VPCE_A_HEALTH_CHECK]	= { .type = NLA_NESTED },
};

struct reply {
	nl_parse_fn parse;
	json_t *out;
	int error;		/* the kernel's, negative errno */
	char msg[512];		/* its extack message */
	int miss_type;		/* a missing attribute it named, or -1 */
	bool done;		/* ack, error or end of dump seen */
	bool intr;		/* the dump was interrupted */
	bool bad;		/* a reply we could not parse */
};

/* The extack TLVs start HLEN bytes (aligned) into NLH's payload. */
static void parse_extack(struct reply *r, const struct nlmsghdr *nlh, size_t hlen)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	long len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	len = (long)nlh->nlmsg_len - NLMSG_HDRLEN - (long)NLMSG_ALIGN(hlen);
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + NLMSG_ALIGN(hlen)),
		      len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(r->msg, tb[NLMSGERR_ATTR_MSG], sizeof(r->msg));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/* An error or ack: the TLVs follow the echoed request, unless it was capped. */
static void parse_nlmsgerr(struct reply *r, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	size_t hlen = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	r->error = e->error;
	parse_extack(r, nlh, hlen);
	r->done = true;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	parse_nlmsgerr(arg, (void *)((char *)e - NLMSG_HDRLEN));
	return NL_STOP;
}

/* A successful ack may carry a warning. */
static int on_ack(struct nl_msg *m, void *arg)
{
	parse_nlmsgerr(arg, nlmsg_hdr(m));
	return NL_STOP;
}

static int on_finish(struct nl_msg *m, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct reply *r = arg;
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		r->error = err;
		parse_extack(r, nlh, sizeof(err));
	}
	r->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *m, void *arg)
{
	struct reply *r = arg;

	(void)m;
	r->intr = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[VPCE_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct reply *r = arg;
	json_t *obj;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	if (!r->parse || r->bad)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, VPCE_A_MAX, attr_policy) < 0) {
		r->bad = true;
		return NL_OK;
	}
	obj = r->parse(tb);
	if (!obj)
		r->bad = true;
	else
		json_array_append_new(r->out, obj);
	return NL_OK;
}

static void report(const struct reply *r)
{
	if (r->msg[0])
		fprintf(stderr, "vpcectl: %s%s\n", err_prefix, r->msg);
	else if (r->miss_type >= 0)
		fprintf(stderr, "vpcectl: %s%s: %s (attribute %d missing)\n", err_prefix,
			cur_cmd, strerror(-r->error), r->miss_type);
	else
		fprintf(stderr, "vpcectl: %s%s: %s\n", err_prefix, cur_cmd, strerror(-r->error));
}

static int query_once(struct nl_msg *req, struct reply *r)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		die_kernel("out of memory");
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);

	/* A retried request needs a fresh sequence number. */
	nlh->nlmsg_seq = NL_AUTO_SEQ;
	nlh->nlmsg_pid = NL_AUTO_PORT;
	err = nl_send_auto(sock, req);
	while (err >= 0 && !r->done) {
		err = nl_recvmsgs(sock, cb);
		if (err == -NLE_DUMP_INTR) {
			r->intr = true;
			err = 0;
		}
	}
	nl_cb_put(cb);
	if (r->done)
		return 0;
	fprintf(stderr, "vpcectl: %s%s: netlink: %s\n", err_prefix, cur_cmd, nl_geterror(err));
	return EXIT_KERNEL;
}

int nl_query(struct nl_msg *req, nl_parse_fn parse, json_t *out)
{
	bool dump = nlmsg_hdr(req)->nlmsg_flags & NLM_F_DUMP;
	int tries, ret = 0;

	if (nl_batch_hook)
		die_usage("%s: only commands that change state can be in a batch",
			  cur_cmd);

	for (tries = 1; ; tries++) {
		struct reply r = { .parse = parse, .out = out, .miss_type = -1 };

		if (out)
			json_array_clear(out);
		ret = query_once(req, &r);
		if (ret)
			break;
		if (r.error) {
			report(&r);
			ret = EXIT_KERNEL;
			break;
		}
		if (r.msg[0])
			fprintf(stderr, "vpcectl: %swarning: %s\n", err_prefix, r.msg);
		if (r.bad) {
			fprintf(stderr, "vpcectl: %s%s: malformed reply from the kernel\n", err_prefix,
				cur_cmd);
			ret = EXIT_KERNEL;
			break;
		}
		if (!dump || !r.intr)
			break;
		if (tries == DUMP_TRIES) {
			fprintf(stderr, "vpcectl: %s%s: the state kept changing during %d dumps; try again\n", err_prefix,
				cur_cmd, DUMP_TRIES);
			ret = EXIT_KERNEL;
			break;
		}
	}
	nlmsg_free(req);
	return ret;
}

int nl_request(struct nl_msg *req)
{
	if (nl_batch_hook)
		return nl_batch_hook(req);
	return nl_query(req, NULL, NULL);
}

/* ---- batches ---- */

#define BATCH_WINDOW_BYTES	(128 * 1024)
#define BATCH_WINDOW_MSGS	128	/* acks must fit the receive buffer */

/* Read the acks of requests FIRST..FIRST+N-1 (sequence numbers SEQ0+i). */
static long batch_acks(uint32_t seq0, size_t first, size_t n, const int *lines)
{
	static char buf[256 * 1024];
	struct reply bad = { .miss_type = -1 };
	long bad_idx = -1;
	size_t got = 0;
	int fd = nl_socket_get_fd(sock);

	while (got < n) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			die_kernel("%s: netlink: %s", cur_cmd, strerror(errno));
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct reply r = { .miss_type = -1 };
			size_t idx = nlh->nlmsg_seq - seq0;

			if (nlh->nlmsg_type != NLMSG_ERROR || idx < first ||
			    idx >= first + n)
				continue;
			got++;
			parse_nlmsgerr(&r, nlh);
			if (r.error && (bad_idx < 0 || (long)idx < bad_idx)) {
				bad = r;
				bad_idx = idx;
			}
		}
	}
	if (bad_idx >= 0) {
		char prefix[32];
		const char *saved = err_prefix;

		snprintf(prefix, sizeof(prefix), "line %d: ", lines[bad_idx]);
		err_prefix = prefix;
		report(&bad);
		err_prefix = saved;
	}
	return bad_idx;
}

long nl_send_batch(char *buf, const size_t *off, const int *lines, size_t n)
{
	static uint32_t seq = 0x10000;
	uint32_t seq0;
	size_t i = 0;

	if (!n)
		return -1;
	if (!sock)
		nl_open();
	seq0 = seq;
	seq += n;
	while (i < n) {
		size_t first = i, start = off[i], end = start;
		long bad;

		/* Stamp and collect a window of requests: one sendmsg(). */
		while (i < n && i - first < BATCH_WINDOW_MSGS) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off[i]);

			if (i > first && end - start + nlh->nlmsg_len > BATCH_WINDOW_BYTES)
				break;
			nlh->nlmsg_seq = seq0 + i;
			nlh->nlmsg_pid = 0;
			nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			end = off[i] + NLMSG_ALIGN(nlh->nlmsg_len);
			i++;
		}
		if (send(nl_socket_get_fd(sock), buf + start, end - start, 0) < 0)
			die_kernel("%s: netlink: %s", cur_cmd, strerror(errno));
		bad = batch_acks(seq0, first, i - first, lines);
		if (bad >= 0)
			return bad;
	}
	return -1;
}

/* ---- events ---- */

struct monitor {
	nl_event_fn handle;
};

/* Events are not answers to a request: any sequence number will do. */
static int any_seq(struct nl_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return NL_OK;
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[VPCE_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	const struct monitor *mon = arg;

	if (genlmsg_parse(nlh, 0, tb, VPCE_A_MAX, attr_policy) < 0 ||
	    !tb[VPCE_A_EVENT])
		return NL_SKIP;
	mon->handle(((struct genlmsghdr *)nlmsg_data(nlh))->cmd, tb);
	return NL_OK;
}

int nl_monitor(nl_event_fn handle)
{
	struct monitor mon = { .handle = handle };
	struct nl_cb *cb;
	int grp, err;

	if (!sock)
		nl_open();
	grp = genl_ctrl_resolve_grp(sock, VPCE_GENL_NAME, VPCE_MCGRP_EVENTS);
	if (grp < 0)
		die_kernel("cannot find the %s multicast group: %s",
			   VPCE_MCGRP_EVENTS, nl_geterror(grp));
	err = nl_socket_add_membership(sock, grp);
	if (err < 0)
		die_kernel("cannot join the %s multicast group: %s",
			   VPCE_MCGRP_EVENTS, nl_geterror(err));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		die_kernel("out of memory");
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &mon);
	/* Scripts wait for this line before they make the changes to watch. */
	fprintf(stderr, "vpcectl: monitoring %s events\n", VPCE_GENL_NAME);
	for (;;) {
		err = nl_recvmsgs(sock, cb);
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
			nl_cb_put(cb);
			die_kernel("monitor: %s", nl_geterror(err));
		}
	}
}
