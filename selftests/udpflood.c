// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's flood of new UDP flows, as raw frames from its side of a VPC
 * link, faster than hping3 goes under emulation:
 *
 *   udpflood IFNAME DSTMAC SRC NSRC DST DPORT
 *	One datagram (no payload, no checksum) from each source port
 *	1024-65535 of each of the NSRC addresses from SRC on, to DST:DPORT,
 *	sent to DSTMAC from IFNAME's own address (vpce drops a flow's first
 *	frame from no unicast address). Prints the number of frames sent.
 *
 * Each datagram is a new flow for vpce: 64,512 per address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define FRAME (14 + sizeof(struct iphdr) + sizeof(struct udphdr))

static uint16_t csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t s = 0;

	for (; len > 1; len -= 2)
		s += *p++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = { 0 };
	unsigned int mac[6], nsrc, i, n = 0, a;
	struct in_addr src, dst;
	unsigned long sent = 0;
	int fd, port, dport;

	if (argc != 7 || sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
				&mac[2], &mac[3], &mac[4], &mac[5]) != 6 ||
	    !inet_aton(argv[3], &src) || !inet_aton(argv[5], &dst)) {
		fprintf(stderr, "usage: udpflood IFNAME DSTMAC SRC NSRC DST DPORT\n");
		return 2;
	}
	nsrc = atoi(argv[4]);
	dport = atoi(argv[6]);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (fd < 0 || !sll.sll_ifindex) {
		perror("udpflood: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("udpflood: SIOCGIFHWADDR");
		close(fd);
		return 1;
	}
	sll.sll_halen = 6;
	for (i = 0; i < 6; i++)
		sll.sll_addr[i] = mac[i];
	for (i = 0; i < BATCH; i++) {
		uint8_t *f = frames[i];
		struct iphdr *iph = (struct iphdr *)(f + 14);
		struct udphdr *uh = (struct udphdr *)(iph + 1);

		memcpy(f, sll.sll_addr, 6);			/* to DSTMAC */
		memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);	/* from IFNAME */
		f[12] = 0x08;
		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->tot_len = htons(sizeof(*iph) + sizeof(*uh));
		iph->daddr = dst.s_addr;
		uh->dest = htons(dport);
		uh->len = htons(sizeof(*uh));
		iov[i].iov_base = f;
		iov[i].iov_len = FRAME;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
	}
	for (a = 0; a < nsrc; a++) {
		for (port = 1024; port <= 65535; port++) {
			struct iphdr *iph = (struct iphdr *)(frames[n] + 14);
			struct udphdr *uh = (struct udphdr *)(iph + 1);

			iph->saddr = htonl(ntohl(src.s_addr) + a);
			iph->id = htons(port);
			iph->check = 0;
			iph->check = csum(iph, sizeof(*iph));
			uh->source = htons(port);
			if (++n < BATCH && !(a == nsrc - 1 && port == 65535))
				continue;
			for (i = 0; i < n;) {
				int r = sendmmsg(fd, msgs + i, n - i, 0);

				if (r < 0) {
					perror("udpflood: sendmmsg");
					return 1;
				}
				i += r;
			}
			sent += n;
			n = 0;
		}
	}
	printf("%lu\n", sent);
	return 0;
}
