// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant VM's floods, from its side of a VPC link, as raw frames:
 *
 *   neighflood arp IFNAME TARGET COUNT
 *	COUNT ARP requests for the IPv4 address TARGET, each from a random
 *	sender in 10.128.0.0/9 with a random (unicast, locally
 *	administered) hardware address, as fast as they go.
 *   neighflood ns IFNAME TARGET COUNT
 *	COUNT neighbour solicitations for the IPv6 address TARGET, to its
 *	solicited-node group, each from a random address in fd00:a::/64
 *	(below fd00:a::8000:0:0:0, random above) with a source link-layer
 *	option of a random hardware address.
 *   neighflood count IFNAME WHAT SECONDS
 *	Count the frames IFNAME receives for SECONDS: WHAT is "rst" (TCP
 *	resets, IPv4 or IPv6), "timex" (ICMP time exceeded, or ICMPv6 hop
 *	limit exceeded), "unreach" (ICMP/ICMPv6 destination unreachable).
 *	Prints the count. Stops early after a second without one once it
 *	has seen some (the flood is over).
 *
 * hping3 would do the floods, but not with random sender hardware
 * addresses, and tcpdump is not installed in the test VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and good enough for made-up addresses */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void rnd_mac(uint8_t *mac)
{
	uint64_t r = rnd();

	memcpy(mac, &r, 6);
	mac[0] = (mac[0] & 0xfe) | 0x02;	/* unicast, locally administered */
}

static int packet_socket(const char *ifname, int proto, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));

	if (fd < 0)
		die("socket");
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(proto);
	sll->sll_ifindex = if_nametoindex(ifname);
	if (!sll->sll_ifindex)
		die(ifname);
	sll->sll_halen = ETH_ALEN;
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll)))
		die("bind");
	return fd;
}

static void send_frame(int fd, const struct sockaddr_ll *sll, const void *buf,
		       size_t len)
{
	while (sendto(fd, buf, len, 0, (const struct sockaddr *)sll,
		      sizeof(*sll)) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	}
}

static void arp_flood(const char *ifname, const char *target, long count)
{
	struct {
		struct ether_header eth;
		struct ether_arp arp;
	} __attribute__((packed)) f;
	struct sockaddr_ll sll;
	uint32_t tip, sip;
	int fd;
	long i;

	if (inet_pton(AF_INET, target, &tip) != 1)
		die(target);
	fd = packet_socket(ifname, ETH_P_ARP, &sll);
	memset(&f, 0, sizeof(f));
	memset(f.eth.ether_dhost, 0xff, ETH_ALEN);
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	f.eth.ether_type = htons(ETH_P_ARP);
	f.arp.arp_hrd = htons(ARPHRD_ETHER);
	f.arp.arp_pro = htons(ETH_P_IP);
	f.arp.arp_hln = ETH_ALEN;
	f.arp.arp_pln = 4;
	f.arp.arp_op = htons(ARPOP_REQUEST);
	memcpy(f.arp.arp_tpa, &tip, 4);
	for (i = 0; i < count; i++) {
		rnd_mac(f.eth.ether_shost);
		memcpy(f.arp.arp_sha, f.eth.ether_shost, ETH_ALEN);
		sip = htonl(0x0a800000 | (rnd() & 0x7fffff));
		memcpy(f.arp.arp_spa, &sip, 4);
		send_frame(fd, &sll, &f, sizeof(f));
	}
	close(fd);
}

static uint16_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void ns_flood(const char *ifname, const char *target, long count)
{
	struct {
		struct ether_header eth;
		struct ip6_hdr ip6;
		struct nd_neighbor_solicit ns;
		uint8_t opt[8];
	} __attribute__((packed)) f;
	struct sockaddr_ll sll;
	struct in6_addr tgt;
	uint64_t r;
	int fd;
	long i;

	if (inet_pton(AF_INET6, target, &tgt) != 1)
		die(target);
	fd = packet_socket(ifname, ETH_P_IPV6, &sll);
	memset(&f, 0, sizeof(f));
	/* ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX */
	f.ip6.ip6_dst.s6_addr[0] = 0xff;
	f.ip6.ip6_dst.s6_addr[1] = 0x02;
	f.ip6.ip6_dst.s6_addr[11] = 0x01;
	f.ip6.ip6_dst.s6_addr[12] = 0xff;
	memcpy(&f.ip6.ip6_dst.s6_addr[13], &tgt.s6_addr[13], 3);
	f.eth.ether_dhost[0] = 0x33;
	f.eth.ether_dhost[1] = 0x33;
	memcpy(&f.eth.ether_dhost[2], &f.ip6.ip6_dst.s6_addr[12], 4);
	memcpy(sll.sll_addr, f.eth.ether_dhost, ETH_ALEN);
	f.eth.ether_type = htons(ETH_P_IPV6);
	f.ip6.ip6_flow = htonl(6 << 28);
	f.ip6.ip6_plen = htons(sizeof(f.ns) + sizeof(f.opt));
	f.ip6.ip6_nxt = IPPROTO_ICMPV6;
	f.ip6.ip6_hlim = 255;
	inet_pton(AF_INET6, "fd00:a::", &f.ip6.ip6_src);
	f.ns.nd_ns_type = ND_NEIGHBOR_SOLICIT;
	f.ns.nd_ns_target = tgt;
	f.opt[0] = ND_OPT_SOURCE_LINKADDR;
	f.opt[1] = 1;
	for (i = 0; i < count; i++) {
		rnd_mac(f.eth.ether_shost);
		memcpy(&f.opt[2], f.eth.ether_shost, ETH_ALEN);
		r = rnd() | (1ULL << 63);
		memcpy(&f.ip6.ip6_src.s6_addr[8], &r, 8);
		f.ip6.ip6_src.s6_addr[8] |= 0x80;
		f.ns.nd_ns_cksum = 0;
		/* pseudo-header: addresses, length, next header */
		uint32_t sum = csum_add(0, &f.ip6.ip6_src, 32);


		sum += sizeof(f.ns) + sizeof(f.opt) + IPPROTO_ICMPV6;
		sum = csum_add(sum, &f.ns, sizeof(f.ns) + sizeof(f.opt));
		f.ns.nd_ns_cksum = htons(~sum & 0xffff);
		send_frame(fd, &sll, &f, sizeof(f));
	}
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Does the frame @p (@len bytes, from the Ethernet header) match @what? */
static int match(const uint8_t *p, ssize_t len, const char *what)
{
	const struct ether_header *eth = (const void *)p;
	uint8_t proto, type = 0, flags = 0;
	int v6;
	size_t off;

	if (len < (ssize_t)sizeof(*eth))
		return 0;
	if (eth->ether_type == htons(ETH_P_IP)) {
		const struct ip *ip = (const void *)(p + sizeof(*eth));

		if (len < (ssize_t)(sizeof(*eth) + sizeof(*ip)))
			return 0;
		v6 = 0;
		proto = ip->ip_p;
		off = sizeof(*eth) + ip->ip_hl * 4;
	} else if (eth->ether_type == htons(ETH_P_IPV6)) {
		const struct ip6_hdr *ip6 = (const void *)(p + sizeof(*eth));

		if (len < (ssize_t)(sizeof(*eth) + sizeof(*ip6)))
			return 0;
		v6 = 1;
		proto = ip6->ip6_nxt;
		off = sizeof(*eth) + sizeof(*ip6);
	} else {
		return 0;
	}
	if ((ssize_t)off + 14 > len)
		return 0;
	if (proto == IPPROTO_TCP)
		flags = p[off + 13];
	else if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
		type = p[off];
	else
		return 0;
	if (!strcmp(what, "rst"))
		return proto == IPPROTO_TCP && (flags & TH_RST);
	if (!strcmp(what, "timex"))
		return proto != IPPROTO_TCP &&
			type == (v6 ? ICMP6_TIME_EXCEEDED : ICMP_TIMXCEED);
	if (!strcmp(what, "unreach"))
		return proto != IPPROTO_TCP &&
			type == (v6 ? ICMP6_DST_UNREACH : ICMP_UNREACH);
	return 0;
}

static void count(const char *ifname, const char *what, double secs)
{
	struct sockaddr_ll sll;
	double end, last = 0;
	struct pollfd pfd;
	uint8_t buf[2048];
	long n = 0;
	ssize_t len;
	int fd;

	fd = packet_socket(ifname, ETH_P_ALL, &sll);
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* Ready: the caller waits for this line before it floods. */
	printf("listening\n");
	fflush(stdout);
	end = now() + secs;
	while (now() < end) {
		if (n && now() - last > 1)
			break;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len <= 0)
			continue;
		if (match(buf, len, what)) {
			n++;
			last = now();
		}
	}
	printf("%ld\n", n);
	close(fd);
}

int main(int argc, char **argv)
{
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
		die("getrandom");
	rng_state |= 1;
	if (argc == 5 && !strcmp(argv[1], "arp")) {
		arp_flood(argv[2], argv[3], atol(argv[4]));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "ns")) {
		ns_flood(argv[2], argv[3], atol(argv[4]));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "count")) {
		count(argv[2], argv[3], atof(argv[4]));
		return 0;
	}
	fprintf(stderr, "usage: neighflood arp|ns IFNAME TARGET COUNT\n"
		"       neighflood count IFNAME rst|timex|unreach SECONDS\n");
	return 2;
}
