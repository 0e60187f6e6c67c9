// SPDX-License-Identifier: GPL-2.0
/*
 * vpceload: load many vpce objects fast, for scripts/bench.
 *
 *   vpceload VPC FIRST COUNT TARGET [all|svc|ep]
 *	Creates services bench-svcI (listener tcp:80:8080, NLB 192.168.1.1,
 *	owned by the VPC's account, so no permission is needed), each with
 *	the target TARGET, and endpoints bench-epI in VPC with the address
 *	10.64.0.0 + I, for I = FIRST .. FIRST+COUNT-1. Requests are sent in
 *	windows of 64 (one sendmsg) and every ACK is checked: what a batch
 *	client of the vpce family (`vpcectl restore`) would do. With "svc"
 *	only the services and targets are made, with "ep" only the endpoints
 *	(for measuring their memory apart).
 *
 * Prints the elapsed seconds; exit 1 if any request failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <uapi/linux/vpce.h>

#define WINDOW 64

static uint16_t family;
static unsigned int seq, pending, failed;
static char batch[WINDOW * 3 * 512];
static size_t blen;

static struct nlmsghdr *req(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(batch + blen);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = VPCE_GENL_VERSION;
	return nlh;
}

static void done(struct nlmsghdr *nlh)
{
	blen += NLMSG_ALIGN(nlh->nlmsg_len);
	pending++;
}

static void flush(struct mnl_socket *nl)
{
	char buf[16384];

	if (!pending)
		return;
	if (mnl_socket_sendto(nl, batch, blen) < 0) {
		perror("vpceload: send");
		exit(1);
	}
	while (pending) {
		int len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;

		if (len < 0) {
			perror("vpceload: recv");
			exit(1);
		}
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

			if (e->error && failed++ < 5)
				fprintf(stderr, "vpceload: request %u: %s\n",
					m->nlmsg_seq, strerror(-e->error));
			pending--;
		}
	}
	blen = 0;
}

static void resolve(struct mnl_socket *nl)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int len;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VPCE_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		exit(1);
	len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	const struct nlmsghdr *m = (const struct nlmsghdr *)buf;

	for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct nlattr *a;

		if (m->nlmsg_type == NLMSG_ERROR)
			break;
		mnl_attr_for_each(a, m, GENL_HDRLEN)
			if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
				family = mnl_attr_get_u16(a);
	}
	if (!family) {
		fprintf(stderr, "vpceload: no vpce family\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	struct timespec t0, t1;
	unsigned long first, count, i;
	struct in_addr target, ep;
	char name[64];
	int do_svc, do_ep;

	if (argc < 5 || argc > 6 || inet_pton(AF_INET, argv[4], &target) != 1) {
		fprintf(stderr, "usage: vpceload VPC FIRST COUNT TARGET [all|svc|ep]\n");
		return 1;
	}
	do_svc = argc < 6 || strcmp(argv[5], "ep");
	do_ep = argc < 6 || strcmp(argv[5], "svc");
	first = strtoul(argv[2], NULL, 0);
	count = strtoul(argv[3], NULL, 0);
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("vpceload: socket");
		return 1;
	}
	resolve(nl);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = first; i < first + count; i++) {
		struct nlmsghdr *nlh;
		struct nlattr *n1, *n2;
		struct in_addr nlb;

		snprintf(name, sizeof(name), "bench-svc%lu", i);
		if (!do_svc)
			goto endpoint;
		nlh = req(VPCE_CMD_SERVICE_ADD);
		mnl_attr_put_strz(nlh, VPCE_A_NAME, name);
		mnl_attr_put_u64(nlh, VPCE_A_ACCOUNT, 111111111111ULL);
		n1 = mnl_attr_nest_start(nlh, VPCE_A_LISTENERS);
		n2 = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_u8(nlh, VPCE_LISTENER_A_PROTO, 6);
		mnl_attr_put_u16(nlh, VPCE_LISTENER_A_PORT, 80);
		mnl_attr_put_u16(nlh, VPCE_LISTENER_A_TARGET_PORT, 8080);
		mnl_attr_nest_end(nlh, n2);
		mnl_attr_nest_end(nlh, n1);
		n1 = mnl_attr_nest_start(nlh, VPCE_A_NLBS);
		n2 = mnl_attr_nest_start(nlh, 0);
		inet_pton(AF_INET, "192.168.1.1", &nlb);
		mnl_attr_put(nlh, VPCE_ADDR_A_IPV4, 4, &nlb);
		mnl_attr_nest_end(nlh, n2);
		mnl_attr_nest_end(nlh, n1);
		done(nlh);

		nlh = req(VPCE_CMD_TARGET_ADD);
		mnl_attr_put_strz(nlh, VPCE_A_SERVICE, name);
		n1 = mnl_attr_nest_start(nlh, VPCE_A_ADDR);
		mnl_attr_put(nlh, VPCE_ADDR_A_IPV4, 4, &target);
		mnl_attr_nest_end(nlh, n1);
		done(nlh);
endpoint:
		if (!do_ep)
			goto next;
		nlh = req(VPCE_CMD_ENDPOINT_ADD);
		snprintf(name, sizeof(name), "bench-ep%lu", i);
		mnl_attr_put_strz(nlh, VPCE_A_NAME, name);
		mnl_attr_put_strz(nlh, VPCE_A_VPC, argv[1]);
		snprintf(name, sizeof(name), "bench-svc%lu", i);
		mnl_attr_put_strz(nlh, VPCE_A_SERVICE, name);
		n1 = mnl_attr_nest_start(nlh, VPCE_A_ADDRS);
		n2 = mnl_attr_nest_start(nlh, 0);
		ep.s_addr = htonl(0x0a400000u + (uint32_t)i);
		mnl_attr_put(nlh, VPCE_ADDR_A_IPV4, 4, &ep);
		mnl_attr_nest_end(nlh, n2);
		mnl_attr_nest_end(nlh, n1);
		done(nlh);
next:
		if (pending >= WINDOW * 3)
			flush(nl);
	}
	flush(nl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	mnl_socket_close(nl);
	return failed ? 1 : 0;
}
