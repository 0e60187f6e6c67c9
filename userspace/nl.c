// SPDX-License-Identifier: GPL-2.0
/*
 * The vpce generic netlink client of vpcectl and vpced: see nl.h.
 *
 * libnl 3.7 neither enables extended acks nor exposes their attributes, so
 * we set NETLINK_EXT_ACK ourselves and parse the TLVs that follow the
 * nlmsgerr (or the NLMSG_DONE error of a dump) in our own callbacks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Requests with a policy carry up to 20 KiB of text and its compiled form,
 * far more than libnl's default message (a page) and socket buffer (32 KiB).
 */
#define REQUEST_MAX	(256 * 1024)

static struct nl_sock *sock;
static int family = -1;

const char *nl_enter_netns(const char *netns)
{
	char path[4096];
	int fd;

	/* Like "ip -n": a name in /run/netns; a path is taken as it is. */
	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "open";
	if (setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return "enter";
	}
	close(fd);
	return NULL;
}

/* ---- the socket and the family ---- */

static void nl_open(void)
{
	int one = 1, err;

	sock = nl_socket_alloc();
	if (!sock)
		nl_fatal("cannot allocate a netlink socket");
	err = genl_connect(sock);
	if (err < 0)
		nl_fatal("cannot open a generic netlink socket: %s", nl_geterror(err));
	/* Replies may be larger than a page (an endpoint with its policy):
	 * peek at each one's size before reading it.
	 */
	nl_socket_enable_msg_peek(sock);
	/* The send buffer too: a batch window (BATCH_WINDOW_BYTES) goes
	 * in one sendmsg(), which libnl's default 32 KiB would refuse.
	 */
	err = nl_socket_set_buffer_size(sock, REQUEST_MAX, REQUEST_MAX);
	if (err < 0)
		nl_fatal("cannot size the netlink socket: %s", nl_geterror(err));
	/* Both are best effort: without them we only lose the messages. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
}

int nl_open_family(void)
{
	int id;

	if (!sock)
		nl_open();
	if (family >= 0)
		return 0;
	id = genl_ctrl_resolve(sock, VPCE_GENL_NAME);
	if (id < 0)
		return id;
	family = id;
	return 0;
}

void nl_forget_family(void)
{
	family = -1;
}

/* ---- requests ---- */

/* A request kept for the next nl_new(): a batch builds thousands. */
static struct nl_msg *spare;

void nl_shutdown(void)
{
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
	family = -1;
	nlmsg_free(spare);
	spare = NULL;
}

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

/* The family for a request, or the program ends: nothing to talk to. */
static void need_family(void)
{
	int err = nl_open_family();

	if (err == -NLE_OBJ_NOTFOUND)
		nl_fatal("the vpce module is not loaded (modprobe vpce)");
	if (err < 0)
		nl_fatal("cannot look up the %s netlink family: %s",
			 VPCE_GENL_NAME, nl_geterror(err));
}

struct nl_msg *nl_new(uint8_t cmd, bool dump)
{
	struct nl_msg *m;

	need_family();
	m = spare ? spare : nlmsg_alloc_size(REQUEST_MAX);
	spare = NULL;
	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       dump ? NLM_F_DUMP : 0, cmd, VPCE_GENL_VERSION))
		nl_fatal("out of memory");
	return m;
}

static void put_check(int err)
{
	if (err < 0)
		nl_fatal("cannot build the request: %s", nl_geterror(err));
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

void nl_put_flag(struct nl_msg *m, int type)
{
	put_check(nla_put_flag(m, type));
}

void nl_put_data(struct nl_msg *m, int type, const void *data, size_t len)
{
	put_check(nla_put(m, type, len, data));
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

static void put_ip(struct nl_msg *m, const struct vpce_addr *a)
{
	if (a->family == AF_INET)
		nl_put_data(m, VPCE_ADDR_A_IPV4, &a->v4, sizeof(a->v4));
	else
		nl_put_data(m, VPCE_ADDR_A_IPV6, &a->v6, sizeof(a->v6));
}

void nl_put_addr(struct nl_msg *m, int type, const struct vpce_addr *a)
{
	struct nlattr *nest = nl_nest(m, type);

	put_ip(m, a);
	if (a->zone[0])
		nl_put_str(m, VPCE_ADDR_A_ZONE, a->zone);
	nl_nest_end(m, nest);
}

void nl_put_prefix(struct nl_msg *m, int type, const struct vpce_addr *a,
		   uint8_t plen)
{
	struct nlattr *nest = nl_nest(m, type);

	put_ip(m, a);
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

struct nl_msg *nl_new_target(uint8_t cmd, const char *svc,
			     const struct vpce_addr *addr)
{
	struct nl_msg *m = nl_new(cmd, false);

	nl_put_str(m, VPCE_A_SERVICE, svc);
	nl_put_addr(m, VPCE_A_ADDR, addr);
	return m;
}

/* ---- answers ---- */

/* One request's answer, as the callbacks collect it. */
struct answer {
	const struct nl_handler *h;
	struct nl_reply *r;
	bool done;		/* ack, error or end of dump seen */
	bool intr;		/* the dump was interrupted */
	bool bad;		/* a reply the handler could not understand */
};

/* The extack TLVs start HLEN bytes (aligned) into NLH's payload. */
static void parse_extack(struct nl_reply *r, const struct nlmsghdr *nlh, size_t hlen)
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
static void parse_nlmsgerr(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	size_t hlen = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	r->status = NL_ANSWERED;
	r->error = e->error;
	parse_extack(r, nlh, hlen);
}

static void reply_init(struct nl_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->miss_type = -1;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct answer *ans = arg;

	(void)nla;
	parse_nlmsgerr(ans->r, (void *)((char *)e - NLMSG_HDRLEN));
	ans->done = true;
	return NL_STOP;
}

/* A successful ack may carry a warning. */
static int on_ack(struct nl_msg *m, void *arg)
{
	struct answer *ans = arg;

	parse_nlmsgerr(ans->r, nlmsg_hdr(m));
	ans->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *m, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct answer *ans = arg;
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ans->intr = true;
	ans->r->status = NL_ANSWERED;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		ans->r->error = err;
		parse_extack(ans->r, nlh, sizeof(err));
	}
	ans->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *m, void *arg)
{
	struct answer *ans = arg;

	(void)m;
	ans->intr = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[VPCE_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct answer *ans = arg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ans->intr = true;
	if (!ans->h || !ans->h->msg || ans->bad)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, VPCE_A_MAX, nl_attr_policy) < 0 ||
	    ans->h->msg(tb, ans->h->arg))
		ans->bad = true;
	return NL_OK;
}

/* One try: send REQ and read until its ack, error or end of dump. */
static void transact_once(struct nl_msg *req, struct answer *ans)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		nl_fatal("out of memory");
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, ans);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ans);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ans);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, ans);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ans);

	/* A retried request needs a fresh sequence number. */
	nlh->nlmsg_seq = NL_AUTO_SEQ;
	nlh->nlmsg_pid = NL_AUTO_PORT;
	err = nl_send_auto(sock, req);
	while (err >= 0 && !ans->done) {
		err = nl_recvmsgs(sock, cb);
		if (err == -NLE_DUMP_INTR) {
			ans->intr = true;
			err = 0;
		}
	}
	nl_cb_put(cb);
	if (!ans->done) {
		ans->r->status = NL_NETLINK;
		ans->r->error = err;
	}
}

int nl_transact(struct nl_msg *req, const struct nl_handler *h,
		struct nl_reply *r)
{
	bool dump = nlmsg_hdr(req)->nlmsg_flags & NLM_F_DUMP;
	int tries;

	for (tries = 1; ; tries++) {
		struct answer ans = { .h = h, .r = r };

		reply_init(r);
		if (h && h->reset)
			h->reset(h->arg);
		transact_once(req, &ans);
		if (r->status != NL_ANSWERED || r->error)
			break;
		if (ans.bad) {
			r->status = NL_MALFORMED;
			break;
		}
		if (!dump || !ans.intr)
			break;
		if (tries == NL_DUMP_TRIES) {
			r->status = NL_CHANGING;
			break;
		}
	}
	nl_recycle(req);
	return r->status == NL_ANSWERED && !r->error ? 0 : -1;
}

/* ---- batches ---- */

#define BATCH_WINDOW_BYTES	(128 * 1024)
#define BATCH_WINDOW_MSGS	128	/* acks must fit the receive buffer */

/*
 * Read the acks of requests FIRST..FIRST+N-1 (sequence numbers SEQ0+i).
 * The index of the first refused, -1, or -2 if netlink failed.
 */
static long batch_acks(uint32_t seq0, size_t first, size_t n, struct nl_reply *bad)
{
	static char buf[256 * 1024];
	long bad_idx = -1;
	size_t got = 0;
	int fd = nl_socket_get_fd(sock);

	while (got < n) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			reply_init(bad);
			bad->status = NL_NETLINK;
			bad->error = -errno;
			return -2;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct nl_reply r;
			size_t idx = nlh->nlmsg_seq - seq0;

			if (nlh->nlmsg_type != NLMSG_ERROR || idx < first ||
			    idx >= first + n)
				continue;
			got++;
			reply_init(&r);
			parse_nlmsgerr(&r, nlh);
			if (r.error && (bad_idx < 0 || (long)idx < bad_idx)) {
				*bad = r;
				bad_idx = idx;
			}
		}
	}
	return bad_idx;
}

long nl_send_batch(char *buf, const size_t *off, size_t n, struct nl_reply *bad)
{
	static uint32_t seq = 0x10000;
	uint32_t seq0;
	size_t i = 0;

	if (!n)
		return -1;
	need_family();
	seq0 = seq;
	seq += n;
	while (i < n) {
		size_t first = i, start = off[i], end = start;
		long ret;

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
		if (send(nl_socket_get_fd(sock), buf + start, end - start, 0) < 0) {
			reply_init(bad);
			bad->status = NL_NETLINK;
			bad->error = -errno;
			return -2;
		}
		ret = batch_acks(seq0, first, i - first, bad);
		if (ret != -1)
			return ret;
	}
	return -1;
}

/* ---- events ---- */

struct listener {
	void (*fn)(uint8_t cmd, struct nlattr **tb, void *arg);
	void *arg;
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
	const struct listener *l = arg;

	if (genlmsg_parse(nlh, 0, tb, VPCE_A_MAX, nl_attr_policy) < 0 ||
	    !tb[VPCE_A_EVENT])
		return NL_SKIP;
	l->fn(((struct genlmsghdr *)nlmsg_data(nlh))->cmd, tb, l->arg);
	return NL_OK;
}

const char *nl_subscribe(int *err)
{
	int grp;

	need_family();
	grp = genl_ctrl_resolve_grp(sock, VPCE_GENL_NAME, VPCE_MCGRP_EVENTS);
	if (grp < 0) {
		*err = grp;
		return "find";
	}
	*err = nl_socket_add_membership(sock, grp);
	return *err < 0 ? "join" : NULL;
}

int nl_listen(void (*fn)(uint8_t cmd, struct nlattr **tb, void *arg), void *arg)
{
	struct listener l = { fn, arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		nl_fatal("out of memory");
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &l);
	do
		err = nl_recvmsgs(sock, cb);
	while (err >= 0 || err == -NLE_INTR || err == -NLE_AGAIN);
	nl_cb_put(cb);
	return err;
}
