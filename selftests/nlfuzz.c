// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a generic netlink fuzzer for the "vpce" family.
 *
 *   nlfuzz [-n COUNT] [-s SEED] [-c CHECK_EVERY] [-k] [-x] [-v] DEV...
 *
 * Sends COUNT (default 20000) requests for every command of enum vpce_cmd as
 * the header defines it at build time (and a few numbers beyond it): valid
 * templates with random values drawn from small pools, so that objects really
 * get created, referenced and deleted, then mutated - bits flipped, messages
 * and attributes truncated, attribute types and lengths changed, garbage
 * nests (deeply nested too) added, attributes repeated, arrays with huge
 * counts, random genetlink header fields and netlink flags. Nested policies
 * (VPCE_A_POLICY, VPCE_A_REQUEST, VPCE_A_HEALTH_CHECK) are filled with random
 * trees whatever their attributes turn out to be. Dumps are started and
 * abandoned mid-way (the socket closed with the dump unfinished), or left
 * half-read while the fuzzing changes the tables and finished later.
 *
 * DEV... are devices of this netns the fuzzer may bind to VPCs (run it in a
 * netns of its own: a random ifindex can name any device there).
 *
 * Every CHECK_EVERY messages (default 5000) and at the end the state must dump
 * consistently: every dump completes without error (restarted when it says
 * NLM_F_DUMP_INTR), names are unique, every endpoint's VPC and service exist,
 * every principal binding's VPC exists, the VPCs' and services' endpoint and
 * target counts match what the dumps list, and every object answers a GET of
 * its own. At the end everything is deleted and the dumps must be empty
 * (unless -k: keep it, for a test that then deletes the netns).
 *
 * -x (shared): the netns is not the fuzzer's alone - real traffic and its
 * configuration live there too, changed by others while the fuzzer runs. It
 * then never sends VPCE_CMD_FLUSH, binds only DEV... (no random ifindex, so
 * the other tenants' devices are not taken; a mutation may still hit one, and
 * vpce refuses a device bound elsewhere), keeps its objects at the end (-k:
 * whoever owns the netns flushes it), and checks of the state only what holds
 * whatever the others do: every dump completes and lists each name once.
 * Its objects are all named "fz-...": the others' names are never chosen
 * (a garbage name might still hit one, as any misbehaving client could).
 *
 * The kernel must answer every request (a five-second silence is a failure);
 * whether it crashed or warned is for the caller to see in dmesg
 * (selftests/run does).
 *
 * Exit status: 0 if the kernel answered everything and the state stayed
 * consistent, 1 if not, 2 on usage or setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <uapi/linux/vpce.h>

/* Nested attribute spaces the header may not define yet (another branch
 * adds them): random types up to this bound are used then.
 */
#if defined(VPCE_POLICY_A_MAX) && defined(VPCE_STMT_A_MAX) && defined(VPCE_COND_A_MAX)
/* Policy nests hold statements which hold conditions: one bound for all. */
#define FZ_MAX3(a, b, c) ((a) > (b) ? ((a) > (c) ? (a) : (c)) : ((b) > (c) ? (b) : (c)))
#define FZ_POLICY_MAX FZ_MAX3(VPCE_POLICY_A_MAX, VPCE_STMT_A_MAX, VPCE_COND_A_MAX)
#elif defined(VPCE_POLICY_A_MAX)
#define FZ_POLICY_MAX VPCE_POLICY_A_MAX
#else
#define FZ_POLICY_MAX 16
#endif
#ifdef VPCE_REQ_A_MAX
#define FZ_REQ_MAX VPCE_REQ_A_MAX
#else
#define FZ_REQ_MAX 16
#endif

#define MSGMAX		65536
#define MAXOFFS		4096	/* attributes remembered per message */
#define NPENDING	4	/* half-read dumps kept open at once */

static uint16_t family;
static unsigned int seq;
static bool verbose, keep, shared;
static uint32_t *devs;
static int ndevs;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("nlfuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* --- randomness: xorshift64*, reproducible from -s SEED ------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* True with probability pct percent. */
static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

/* --- message building ----------------------------------------------------- */

struct msg {
	char buf[MSGMAX] __attribute__((aligned(8)));
	size_t len;
	size_t nest[64];
	int depth;
	bool full;
	size_t offs[MAXOFFS];	/* every attribute header written */
	unsigned int noffs;
	size_t attrs_at;	/* where the attributes start */
};

static struct nlmsghdr *msg_hdr(struct msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void msg_init(struct msg *m, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh = msg_hdr(m);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = VPCE_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->depth = 0;
	m->full = false;
	m->noffs = 0;
	m->attrs_at = m->len;
}

/* Room for an attribute of `len` payload bytes, leaving space to close
 * every open nest (nests need no extra bytes, but keep a margin).
 */
static bool msg_room(struct msg *m, size_t len)
{
	if (m->full || m->len + NLA_HDRLEN + NLA_ALIGN(len) > MSGMAX - 64) {
		m->full = true;
		return false;
	}
	return true;
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (!msg_room(m, len))
		return;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	if (m->noffs < MAXOFFS)
		m->offs[m->noffs++] = m->len;
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }
static void put_u64(struct msg *m, uint16_t t, uint64_t v) { put(m, t, &v, 8); }

static void put_str(struct msg *m, uint16_t t, const char *s)
{
	put(m, t, s, strlen(s) + 1);
}

static void put_ip4(struct msg *m, uint16_t t, const char *addr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	put(m, t, &a, 4);
}

static void nest_start(struct msg *m, uint16_t type)
{
	if (m->depth >= (int)(sizeof(m->nest) / sizeof(m->nest[0])) ||
	    !msg_room(m, 0)) {
		m->full = true;
		return;
	}
	m->nest[m->depth++] = m->len;
	put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m)
{
	struct nlattr *a;

	if (m->depth == 0)
		return;
	a = (struct nlattr *)(m->buf + m->nest[--m->depth]);
	a->nla_len = (uint16_t)(m->len - m->nest[m->depth]);
}

static void msg_close(struct msg *m)
{
	while (m->depth > 0)
		nest_end(m);
	msg_hdr(m)->nlmsg_len = (uint32_t)m->len;
}

/* --- value pools ------------------------------------------------------------ */

#define NVPCS	12
#define NSVCS	64
#define NEPS	48

static const char *const zones[] = { "az1", "az2", "az3", "" };
static const char *const principals[] = {
	"*", "111111111111", "222222222222", "arn:aws:iam::111111111111:root",
	"arn:aws:iam::111111111111:user/alice",
	"arn:aws:iam::222222222222:role/ops", "arn:aws:iam::333333333333:root",
};
static const char *const policies[] = {
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
	"{\"Statement\":[{\"Sid\":\"d\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"111111111111\"]},\"Action\":\"vpce:Connect\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:VpcSourceIp\":\"10.0.0.0/8\"}}}]}",
	"{\"Statement\":[]}",
	"{", "null", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
};

static void rnd_name(char *out, size_t size, const char *prefix, int pool)
{
	size_t i, n;

	if (chance(96)) {
		snprintf(out, size, "%s%u", prefix, rnd(pool));
		return;
	}
	/* Garbage: any bytes, any length up to well past VPCE_NAME_MAX. */
	n = rnd(size - 1);
	for (i = 0; i < n; i++)
		out[i] = (char)(chance(70) ? 'a' + rnd(26) : rnd(256));
	out[n] = '\0';
}

static void put_name(struct msg *m, uint16_t t, const char *prefix, int pool)
{
	char name[100];

	rnd_name(name, sizeof(name), prefix, pool);
	if (chance(2))	/* no NUL terminator */
		put(m, t, name, strlen(name));
	else
		put_str(m, t, name);
}

static uint64_t rnd_account(void)
{
	static const uint64_t acc[] = {
		111111111111ULL, 222222222222ULL, 333333333333ULL, 0,
		VPCE_ACCOUNT_MAX, VPCE_ACCOUNT_MAX + 1,
	};

	if (chance(90))
		return acc[rnd(3)];
	return chance(50) ? acc[rnd(6)] : rnd64();
}

static uint32_t rnd_ifindex(void)
{
	if (shared)	/* never another tenant's device (0: none) */
		return ndevs ? devs[rnd(ndevs)] : 0;
	if (ndevs && chance(90))
		return devs[rnd(ndevs)];
	return chance(50) ? rnd(64) : (uint32_t)rnd64();
}

static void put_zone(struct msg *m)
{
	if (chance(85))
		put_str(m, VPCE_ADDR_A_ZONE, zones[rnd(chance(90) ? 2 : 4)]);
	else if (chance(50))
		put_name(m, VPCE_ADDR_A_ZONE, "z", 40);
}

/* One VPCE_ADDR_A_* body: an address from `fmt` (a printf format with one
 * %u) or, sometimes, IPv6 or garbage.
 */
static void put_addr_body(struct msg *m, const char *fmt, unsigned int pool,
			  bool zone)
{
	if (chance(94)) {
		char a[64];

		snprintf(a, sizeof(a), fmt, 1 + rnd(pool));
		put_ip4(m, VPCE_ADDR_A_IPV4, a);
	} else if (chance(50)) {
		uint8_t v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, (uint8_t)rnd(4) };
		put(m, VPCE_ADDR_A_IPV6, v6, 16);
	} else {
		put_u32(m, VPCE_ADDR_A_IPV4, (uint32_t)rnd64());
		put_u32(m, VPCE_ADDR_A_IPV4, (uint32_t)rnd64());
	}
	if (zone)
		put_zone(m);
}

/* How many elements an array gets: usually a few, sometimes far more than
 * any limit (until the message is full).
 */
static unsigned int rnd_count(unsigned int usual)
{
	if (chance(4))
		return 500 + rnd(3000);
	if (chance(3))
		return 0;
	return 1 + rnd(usual);
}

/* A random attribute tree: types up to maxtype, any payload, nested up to
 * `depth` levels.
 */
static void put_garbage(struct msg *m, unsigned int maxtype, int depth,
			unsigned int n)
{
	uint8_t junk[64];
	unsigned int i, j, len;

	for (i = 0; i < n && !m->full; i++) {
		uint16_t type = (uint16_t)rnd(maxtype + 3);

		if (depth > 0 && chance(30)) {
			nest_start(m, type);
			put_garbage(m, maxtype, depth - 1, rnd(4));
			nest_end(m);
			continue;
		}
		len = rnd(chance(80) ? 17 : sizeof(junk) + 1);
		for (j = 0; j < len; j++)
			junk[j] = chance(50) ? (uint8_t)rnd(256) : (uint8_t)"az1*{}"[rnd(6)];
		put(m, type | (chance(5) ? NLA_F_NET_BYTEORDER : 0), junk, len);
	}
}

/* A deep chain of nests: stack depth in the parser, if any recursion. */
static void put_deep(struct msg *m, uint16_t type)
{
	int i, d = 8 + (int)rnd(50);

	for (i = 0; i < d && !m->full; i++)
		nest_start(m, chance(50) ? type : (uint16_t)rnd(8));
	put_garbage(m, 8, 0, 1);
	for (i = 0; i < d; i++)
		nest_end(m);
}

static void put_policy(struct msg *m)
{
	if (chance(70))
		put_str(m, VPCE_A_POLICY_TEXT, policies[rnd(sizeof(policies) /
							    sizeof(policies[0]))]);
	if (chance(50)) {
		nest_start(m, VPCE_A_POLICY);
		put_garbage(m, FZ_POLICY_MAX, 4, 1 + rnd(12));
		nest_end(m);
	}
}

/* --- templates: a well-formed request for each command, random values ---- */

static void t_devices(struct msg *m)
{
	unsigned int i, n = rnd_count(2);

	nest_start(m, VPCE_A_DEVICES);
	for (i = 0; i < n && !m->full; i++) {
		nest_start(m, i);
		put_u32(m, VPCE_DEV_A_IFINDEX, rnd_ifindex());
		nest_end(m);
	}
	nest_end(m);
}

static void t_listeners(struct msg *m)
{
	static const uint16_t ports[] = { 80, 443, 53, 8080, 0, 65535 };
	unsigned int i, n = rnd_count(3);

	nest_start(m, VPCE_A_LISTENERS);
	for (i = 0; i < n && !m->full; i++) {
		nest_start(m, i);
		put_u8(m, VPCE_LISTENER_A_PROTO,
		       chance(90) ? (chance(50) ? 6 : 17) : (uint8_t)rnd(256));
		put_u16(m, VPCE_LISTENER_A_PORT,
			chance(90) ? ports[rnd(4)] + i : ports[rnd(6)]);
		if (chance(50))
			put_u16(m, VPCE_LISTENER_A_TARGET_PORT,
				(uint16_t)(chance(90) ? 8080 + i : rnd(65536)));
		nest_end(m);
	}
	nest_end(m);
}

/* One listener (VPCE_CMD_LISTENER_ADD, _DEL). */
static void t_listener(struct msg *m)
{
	static const uint16_t ports[] = { 80, 443, 53, 8080, 0, 65535 };

	nest_start(m, VPCE_A_LISTENER);
	put_u8(m, VPCE_LISTENER_A_PROTO,
	       chance(90) ? (chance(50) ? 6 : 17) : (uint8_t)rnd(256));
	put_u16(m, VPCE_LISTENER_A_PORT,
		chance(90) ? ports[rnd(4)] + rnd(3) : ports[rnd(6)]);
	if (chance(50))
		put_u16(m, VPCE_LISTENER_A_TARGET_PORT,
			(uint16_t)(chance(90) ? 8080 : rnd(65536)));
	nest_end(m);
}

static void t_addrs(struct msg *m, uint16_t type, const char *fmt,
		    unsigned int pool)
{
	unsigned int i, n = rnd_count(2);

	nest_start(m, type);
	for (i = 0; i < n && !m->full; i++) {
		nest_start(m, i);
		put_addr_body(m, fmt, pool, true);
		nest_end(m);
	}
	nest_end(m);
}

static void t_target_addr(struct msg *m)
{
	nest_start(m, VPCE_A_ADDR);
	put_addr_body(m, "198.51.100.%u", 16, chance(80));
	nest_end(m);
}

static void t_prefix(struct msg *m)
{
	nest_start(m, VPCE_A_PREFIX);
	put_addr_body(m, "10.99.%u.0", 4, false);
	put_u8(m, VPCE_ADDR_A_PREFIX_LEN,
	       (uint8_t)(chance(85) ? 24 : rnd(chance(50) ? 33 : 256)));
	nest_end(m);
}

static void t_health_check(struct msg *m)
{
	nest_start(m, VPCE_A_HEALTH_CHECK);
	if (chance(80)) {
		put_u8(m, VPCE_HC_A_PROTO, (uint8_t)rnd(VPCE_HC_MAX + 2));
		if (chance(50))
			put_str(m, VPCE_HC_A_PATH, chance(80) ? "/health" : "");
		put_u32(m, VPCE_HC_A_INTERVAL, chance(80) ? 5 + rnd(30) : (uint32_t)rnd64());
		put_u8(m, VPCE_HC_A_HEALTHY, (uint8_t)rnd(12));
		put_u8(m, VPCE_HC_A_UNHEALTHY, (uint8_t)rnd(12));
		if (chance(30))
			put_u32(m, VPCE_HC_A_TIMEOUT, chance(80) ? 2 + rnd(10) : (uint32_t)rnd64());
		if (chance(30))
			put_str(m, VPCE_HC_A_MATCHER, chance(70) ? "200-299,302" : "2x0");
		if (chance(30))
			put_str(m, VPCE_HC_A_HOST, chance(70) ? "a.example.com" : "a b");
	} else {
		put_garbage(m, VPCE_HC_A_MAX, 2, rnd(8));
	}
	nest_end(m);
}

/* Optional attributes that only make sense for some commands, thrown in
 * anywhere now and then: a command must ignore or refuse what it does not
 * take, never trip over it.
 */
static void t_extras(struct msg *m)
{
	if (chance(20))
		put_u8(m, VPCE_A_TYPE, (uint8_t)(chance(80) ? 0 : rnd(256)));
	if (chance(15))
		put_u8(m, VPCE_A_ACCEPTANCE_REQUIRED, (uint8_t)rnd(chance(90) ? 2 : 256));
	if (chance(10))
		put_u8(m, VPCE_A_CROSS_ZONE, (uint8_t)rnd(3));
	if (chance(8))
		put_name(m, VPCE_A_PRIVATE_DNS, "svc.example.", 4);
	if (chance(8))
		put_u32(m, VPCE_A_DEREG_DELAY, rnd(chance(80) ? 600 : 0xffffffff));
	if (chance(8))
		put_u32(m, VPCE_A_IDLE_TIMEOUT, rnd(chance(80) ? 4000 : 0xffffffff));
	if (chance(8)) {
		uint8_t seed[16];
		unsigned int i;

		for (i = 0; i < sizeof(seed); i++)
			seed[i] = (uint8_t)rnd(256);
		put(m, VPCE_A_HASH_SEED, seed, chance(90) ? 16 : rnd(17));
	}
	if (chance(8))
		t_health_check(m);
	if (chance(10))
		put_u16(m, VPCE_A_WEIGHT, (uint16_t)(chance(80) ? 1 + rnd(VPCE_WEIGHT_MAX) : rnd(65536)));
	if (chance(5))
		put_u8(m, VPCE_A_HEALTH, (uint8_t)rnd(VPCE_HEALTH_MAX + 2));
	if (chance(5))
		put_u8(m, VPCE_A_STATE, (uint8_t)rnd(VPCE_STATE_MAX + 2));
	if (chance(5))
		put_policy(m);
	if (chance(3)) {
		nest_start(m, VPCE_A_REQUEST);
		put_garbage(m, FZ_REQ_MAX, 3, rnd(10));
		nest_end(m);
	}
	if (chance(3))
		put_garbage(m, VPCE_A_MAX, 2, 1 + rnd(6));
}

static const char *pick_principal(void)
{
	return principals[rnd(sizeof(principals) / sizeof(principals[0]))];
}

/* Builds the request for `cmd`. GETs are sometimes dumps (the caller
 * decides); everything else is a plain request with an ACK.
 */
static void build(struct msg *m, uint8_t cmd, uint16_t flags)
{
	msg_init(m, cmd, flags);
	switch (cmd) {
	case VPCE_CMD_VPC_ADD:
		put_name(m, VPCE_A_NAME, "fz-vpc", NVPCS);
		put_u64(m, VPCE_A_ACCOUNT, rnd_account());
		t_devices(m);
		break;
	case VPCE_CMD_VPC_DEL:
	case VPCE_CMD_VPC_GET:
		if (!(flags & NLM_F_DUMP) || chance(20))
			put_name(m, VPCE_A_NAME, "fz-vpc", NVPCS);
		break;
	case VPCE_CMD_SERVICE_ADD:
		put_name(m, VPCE_A_NAME, "fz-svc", NSVCS);
		put_u64(m, VPCE_A_ACCOUNT, rnd_account());
		t_listeners(m);
		t_addrs(m, VPCE_A_NLBS, "192.0.2.%u", 8);
		break;
	case VPCE_CMD_SERVICE_SET:
	case VPCE_CMD_SERVICE_DEL:
	case VPCE_CMD_SERVICE_GET:
		if (!(flags & NLM_F_DUMP) || chance(20))
			put_name(m, VPCE_A_NAME, "fz-svc", NSVCS);
		break;
	case VPCE_CMD_SERVICE_ALLOW:
	case VPCE_CMD_SERVICE_DISALLOW:
		put_name(m, VPCE_A_NAME, "fz-svc", NSVCS);
		if (chance(95))
			put_str(m, VPCE_A_PRINCIPAL, pick_principal());
		else
			put_name(m, VPCE_A_PRINCIPAL, "arn:aws:iam::1:", 3);
		break;
	case VPCE_CMD_TARGET_ADD:
	case VPCE_CMD_TARGET_DEL:
	case VPCE_CMD_TARGET_SET:
		put_name(m, VPCE_A_SERVICE, "fz-svc", NSVCS);
		t_target_addr(m);
		if (chance(50))
			put_u16(m, VPCE_A_WEIGHT, (uint16_t)(1 + rnd(VPCE_WEIGHT_MAX)));
		if (cmd == VPCE_CMD_TARGET_SET && chance(60))
			put_u8(m, VPCE_A_HEALTH, (uint8_t)rnd(VPCE_HEALTH_MAX + 1));
		break;
	case VPCE_CMD_TARGET_GET:
		if (chance(50))
			put_name(m, VPCE_A_SERVICE, "fz-svc", NSVCS);
		break;
	case VPCE_CMD_ENDPOINT_ADD:
		put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		put_name(m, VPCE_A_VPC, "fz-vpc", NVPCS);
		put_name(m, VPCE_A_SERVICE, "fz-svc", NSVCS);
		t_addrs(m, VPCE_A_ADDRS, "10.99.0.%u", 16);
		if (chance(40))
			put_str(m, VPCE_A_REQUESTER, pick_principal());
		if (chance(30))
			put_policy(m);
		/* A few IDs, so that some are in use (EEXIST). */
		if (chance(30))
			put_name(m, VPCE_A_ENDPOINT_ID, "vpce-0000000000000000", 8);
		break;
	case VPCE_CMD_ENDPOINT_SET:
		put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		put_policy(m);
		break;
	case VPCE_CMD_ENDPOINT_DEL:
		put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		break;
	case VPCE_CMD_LISTENER_ADD:
	case VPCE_CMD_LISTENER_DEL:
		put_name(m, VPCE_A_NAME, "fz-svc", NSVCS);
		t_listener(m);
		break;
	case VPCE_CMD_ENDPOINT_ADDR_ADD:
	case VPCE_CMD_ENDPOINT_ADDR_DEL:
		put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		nest_start(m, VPCE_A_ADDR);
		put_addr_body(m, "10.99.0.%u", 16, chance(80));
		nest_end(m);
		break;
	case VPCE_CMD_ENDPOINT_GET:
		if (!(flags & NLM_F_DUMP))
			put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		else if (chance(30))
			put_name(m, VPCE_A_SERVICE, "fz-svc", NSVCS);
		break;
	case VPCE_CMD_CONNECTION_ACCEPT:
	case VPCE_CMD_CONNECTION_REJECT:
		put_name(m, VPCE_A_SERVICE, "fz-svc", NSVCS);
		put_name(m, VPCE_A_NAME, "fz-ep", NEPS);
		break;
	case VPCE_CMD_PRINCIPAL_ADD:
	case VPCE_CMD_PRINCIPAL_DEL:
		put_name(m, VPCE_A_VPC, "fz-vpc", NVPCS);
		t_prefix(m);
		if (cmd == VPCE_CMD_PRINCIPAL_ADD || chance(10))
			put_str(m, VPCE_A_PRINCIPAL, pick_principal());
		break;
	case VPCE_CMD_PRINCIPAL_GET:
		if (chance(40))
			put_name(m, VPCE_A_VPC, "fz-vpc", NVPCS);
		break;
	case VPCE_CMD_POLICY_SIMULATE:
		put_policy(m);
		put_str(m, VPCE_A_PRINCIPAL, pick_principal());
		nest_start(m, VPCE_A_REQUEST);
		put_garbage(m, FZ_REQ_MAX, 3, rnd(10));
		nest_end(m);
		break;
	default:
		/* A command this fuzzer has no template for (added to the
		 * header later, or beyond VPCE_CMD_MAX): attributes of every
		 * type, with random bodies.
		 */
		put_garbage(m, VPCE_A_MAX, 3, rnd(12));
		break;
	}
	if (chance(15))
		t_extras(m);
	msg_close(m);
}

/* --- mutations ------------------------------------------------------------- */

/* VPCE_CMD_FLUSH deletes everything in the namespace. */
static bool is_flush(uint8_t cmd)
{
	return cmd == VPCE_CMD_FLUSH;
}

static void mutate(struct msg *m)
{
	struct nlmsghdr *nlh = msg_hdr(m);
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	unsigned int k, n = 1 + rnd(chance(20) ? 12 : 3);
	size_t body = m->len - m->attrs_at, off;
	struct nlattr *a;

	for (k = 0; k < n; k++) {
		switch (rnd(10)) {
		case 0:	/* flip bits anywhere in the attributes */
		case 1:
			if (body) {
				off = m->attrs_at + rnd(body);
				m->buf[off] ^= (char)(1u << rnd(8));
			}
			break;
		case 2:	/* truncate the message */
			m->len = NLMSG_HDRLEN + rnd(m->len - NLMSG_HDRLEN + 1);
			break;
		case 3:	/* retype an attribute, or flip its flag bits */
			if (m->noffs) {
				off = m->offs[rnd(m->noffs)];
				if (off + NLA_HDRLEN > m->len)
					break;
				a = (struct nlattr *)(m->buf + off);
				if (chance(50))
					a->nla_type = (uint16_t)((a->nla_type & ~NLA_TYPE_MASK) |
						rnd(VPCE_A_MAX + 4));
				else
					a->nla_type ^= chance(50) ? NLA_F_NESTED :
						NLA_F_NET_BYTEORDER;
			}
			break;
		case 4:	/* change an attribute's length */
			if (m->noffs) {
				off = m->offs[rnd(m->noffs)];
				if (off + NLA_HDRLEN > m->len)
					break;
				a = (struct nlattr *)(m->buf + off);
				a->nla_len = chance(50) ? (uint16_t)rnd(a->nla_len + 9) :
					(uint16_t)rnd(65536);
			}
			break;
		case 5:	/* garbage nests at the end, maybe very deep */
			if (chance(30))
				put_deep(m, (uint16_t)rnd(VPCE_A_MAX + 1));
			else
				put_garbage(m, VPCE_A_MAX, 4, 1 + rnd(6));
			break;
		case 6:	/* repeat the attributes */
			if (body && m->len + body < MSGMAX) {
				memmove(m->buf + m->len, m->buf + m->attrs_at, body);
				m->len += body;
			}
			break;
		case 7:	/* genetlink header */
			if (chance(50))
				g->version = (uint8_t)rnd(256);
			else if (chance(50))
				g->reserved = (uint16_t)rnd(65536);
			else
				g->cmd = (uint8_t)rnd(VPCE_CMD_MAX + 4);
			/* Shared (-x): no flush, by mutation either. */
			if (shared && is_flush(g->cmd))
				g->cmd = VPCE_CMD_ENDPOINT_GET;
			break;
		case 8:	/* netlink flags */
			nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST |
				(chance(50) ? NLM_F_ACK : 0) |
				(rnd(65536) & ~(NLM_F_DUMP | NLM_F_ECHO)) |
				(chance(10) ? NLM_F_DUMP : 0));
			break;
		case 9:	/* a stray byte at the end: unaligned messages */
			if (m->len < MSGMAX - 8)
				m->buf[m->len++] = (char)rnd(256);
			break;
		}
	}
	if (m->len < NLMSG_HDRLEN)
		m->len = NLMSG_HDRLEN;
	nlh->nlmsg_len = (uint32_t)m->len;
}

/* --- talking to the kernel ------------------------------------------------- */

static struct mnl_socket *sock_open(void)
{
	struct timeval tv = { .tv_sec = 5 };
	struct mnl_socket *nl;
	int one = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		die("mnl_socket_open: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("mnl_socket_bind: %s", strerror(errno));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) < 0)
		die("SO_RCVTIMEO: %s", strerror(errno));
	return nl;
}

static void send_raw(struct mnl_socket *nl, const void *buf, size_t len)
{
	/* The kernel may refuse a malformed datagram at the socket level
	 * (EINVAL for a bad nlmsg_len...): that is an answer too.
	 */
	if (mnl_socket_sendto(nl, buf, len) < 0 && errno != EINVAL &&
	    errno != ENOBUFS && errno != EMSGSIZE && errno != ERANGE)
		die("sendto: %s", strerror(errno));
}

/* What the answer to one request was. */
struct answer {
	bool done;	/* ACK, error or NLMSG_DONE seen */
	bool intr;	/* NLM_F_DUMP_INTR seen */
	int err;	/* errno, 0 for success */
	unsigned int nmsgs;
};

typedef void (*msg_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Reads answers to `rseq` until the final message, or `max_reads`
 * datagrams (0: no limit). Returns false if the kernel went silent.
 */
static bool read_answer(struct mnl_socket *nl, unsigned int rseq,
			struct answer *ans, msg_cb fn, void *data,
			int max_reads)
{
	static char buf[65536] __attribute__((aligned(8)));
	int reads = 0;

	while (!ans->done && (max_reads <= 0 || reads < max_reads)) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS || errno == EBUSY) {
				ans->err = errno;
				ans->done = true;
				break;
			}
			return false;
		}
		reads++;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != rseq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				ans->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				ans->err = -e->error;
				ans->done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int code = 0;

				if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)))
					memcpy(&code, mnl_nlmsg_get_payload(nlh),
					       sizeof(code));
				ans->err = -code;
				ans->done = true;
				break;
			}
			ans->nmsgs++;
			if (fn)
				fn(nlh, data);
		}
	}
	return true;
}

static void resolve_family(void)
{
	struct mnl_socket *nl = sock_open();
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	bool done = false;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VPCE_GENL_NAME);
	send_raw(nl, nlh, nlh->nlmsg_len);
	while (!done) {
		int len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;

		if (len < 0)
			die("recv: %s", strerror(errno));
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			const struct nlattr *a;

			if (m->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			mnl_attr_for_each(a, m, GENL_HDRLEN)
				if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
					family = mnl_attr_get_u16(a);
		}
	}
	mnl_socket_close(nl);
	if (!family)
		die("generic netlink family \"%s\" not found (is vpce loaded?)",
		    VPCE_GENL_NAME);
}

/* --- statistics ------------------------------------------------------------ */

static unsigned long sent, acked_ok, dumps_abandoned, dumps_resumed;
static unsigned long errs[256];
static unsigned long per_cmd[256];

/* --- the consistency check ------------------------------------------------- */

#define MAXOBJ 4096

struct obj {
	char name[VPCE_NAME_MAX + 1];
	char vpc[VPCE_NAME_MAX + 1];
	char svc[VPCE_NAME_MAX + 1];
	uint32_t ep_count, tgt_count;
	bool has_counts;
};

struct table {
	struct obj o[MAXOBJ];
	unsigned int n;
	bool overflow;
};

static struct table t_vpcs, t_svcs, t_eps, t_tgts, t_princ;

static void copy_str(char *dst, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);

	if (len > VPCE_NAME_MAX)
		len = VPCE_NAME_MAX;
	memcpy(dst, mnl_attr_get_payload(a), len);
	dst[len] = '\0';
}

static void collect(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;
	const struct nlattr *a;
	struct obj *o;

	if (t->n >= MAXOBJ) {
		t->overflow = true;
		return;
	}
	o = &t->o[t->n++];
	memset(o, 0, sizeof(*o));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case VPCE_A_NAME:
			copy_str(o->name, a);
			break;
		case VPCE_A_VPC:
			copy_str(o->vpc, a);
			break;
		case VPCE_A_SERVICE:
			copy_str(o->svc, a);
			break;
		case VPCE_A_ENDPOINT_COUNT:
			o->ep_count = mnl_attr_get_u32(a);
			o->has_counts = true;
			break;
		case VPCE_A_TARGET_COUNT:
			o->tgt_count = mnl_attr_get_u32(a);
			break;
		}
	}
}

static int problems;

static void problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	problems++;
}

/* A complete dump of `cmd` into t; restarted while it reports DUMP_INTR
 * (nothing else changes the tables during a check, so that settles).
 */
static bool full_dump(struct mnl_socket *nl, uint8_t cmd, struct table *t)
{
	int tries;

	for (tries = 0; tries < 10; tries++) {
		static struct msg m;
		struct answer ans = { 0 };

		msg_init(&m, cmd, NLM_F_DUMP);
		msg_close(&m);
		t->n = 0;
		t->overflow = false;
		send_raw(nl, m.buf, m.len);
		if (!read_answer(nl, msg_hdr(&m)->nlmsg_seq, &ans, collect, t, 0)) {
			problem("dump of command %u: no answer (%s)", cmd,
				strerror(errno));
			return false;
		}
		if (ans.err) {
			problem("dump of command %u failed: %s", cmd,
				strerror(ans.err));
			return false;
		}
		if (t->overflow) {
			problem("dump of command %u: more than %d objects", cmd,
				MAXOBJ);
			return false;
		}
		if (!ans.intr)
			return true;
	}
	problem("dump of command %u interrupted 10 times in a row", cmd);
	return false;
}

static const struct obj *find(const struct table *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->o[i].name, name))
			return &t->o[i];
	return NULL;
}

static void check_unique(const struct table *t, const char *what)
{
	unsigned int i, j;

	for (i = 0; i < t->n; i++)
		for (j = i + 1; j < t->n; j++)
			if (!strcmp(t->o[i].name, t->o[j].name))
				problem("%s %s dumped twice", what, t->o[i].name);
}

/* A GET of one object by name must find it. */
static void check_get(struct mnl_socket *nl, uint8_t cmd, const char *name,
		      const char *what)
{
	static struct msg m;
	struct answer ans = { 0 };

	msg_init(&m, cmd, NLM_F_ACK);
	put_str(&m, VPCE_A_NAME, name);
	msg_close(&m);
	send_raw(nl, m.buf, m.len);
	if (!read_answer(nl, msg_hdr(&m)->nlmsg_seq, &ans, NULL, NULL, 0))
		problem("GET %s %s: no answer", what, name);
	else if (ans.err || ans.nmsgs != 1)
		problem("GET %s %s: %s, %u messages", what, name,
			strerror(ans.err), ans.nmsgs);
}

static bool check_state(struct mnl_socket *nl, bool quiet)
{
	int before = problems;
	unsigned int i, n;

	if (!full_dump(nl, VPCE_CMD_VPC_GET, &t_vpcs) ||
	    !full_dump(nl, VPCE_CMD_SERVICE_GET, &t_svcs) ||
	    !full_dump(nl, VPCE_CMD_ENDPOINT_GET, &t_eps) ||
	    !full_dump(nl, VPCE_CMD_TARGET_GET, &t_tgts) ||
	    !full_dump(nl, VPCE_CMD_PRINCIPAL_GET, &t_princ))
		return false;

	check_unique(&t_vpcs, "VPC");
	check_unique(&t_svcs, "service");
	check_unique(&t_eps, "endpoint");
	/* In a shared netns the rest may change between two dumps. */
	if (shared)
		goto out;

	for (i = 0; i < t_eps.n; i++) {
		const struct obj *e = &t_eps.o[i];

		if (!find(&t_vpcs, e->vpc))
			problem("endpoint %s: its VPC %s does not exist",
				e->name, e->vpc);
		if (!find(&t_svcs, e->svc))
			problem("endpoint %s: its service %s does not exist",
				e->name, e->svc);
	}
	for (i = 0; i < t_tgts.n; i++)
		if (!find(&t_svcs, t_tgts.o[i].svc))
			problem("a target of service %s, which does not exist",
				t_tgts.o[i].svc);
	for (i = 0; i < t_princ.n; i++)
		if (!find(&t_vpcs, t_princ.o[i].vpc))
			problem("a principal binding of VPC %s, which does not exist",
				t_princ.o[i].vpc);

	for (i = 0; i < t_vpcs.n; i++) {
		const struct obj *v = &t_vpcs.o[i];
		unsigned int j;

		for (n = 0, j = 0; j < t_eps.n; j++)
			n += !strcmp(t_eps.o[j].vpc, v->name);
		if (v->has_counts && v->ep_count != n)
			problem("VPC %s says %u endpoints, the dump lists %u",
				v->name, v->ep_count, n);
		check_get(nl, VPCE_CMD_VPC_GET, v->name, "VPC");
	}
	for (i = 0; i < t_svcs.n; i++) {
		const struct obj *s = &t_svcs.o[i];
		unsigned int j;

		for (n = 0, j = 0; j < t_eps.n; j++)
			n += !strcmp(t_eps.o[j].svc, s->name);
		if (s->has_counts && s->ep_count != n)
			problem("service %s says %u endpoints, the dump lists %u",
				s->name, s->ep_count, n);
		for (n = 0, j = 0; j < t_tgts.n; j++)
			n += !strcmp(t_tgts.o[j].svc, s->name);
		if (s->tgt_count != n)
			problem("service %s says %u targets, the dump lists %u",
				s->name, s->tgt_count, n);
		check_get(nl, VPCE_CMD_SERVICE_GET, s->name, "service");
	}
	for (i = 0; i < t_eps.n; i++)
		check_get(nl, VPCE_CMD_ENDPOINT_GET, t_eps.o[i].name, "endpoint");

out:
	if (!quiet || verbose)
		printf("state: %u VPCs, %u services, %u targets, %u endpoints, %u principal bindings\n",
		       t_vpcs.n, t_svcs.n, t_tgts.n, t_eps.n, t_princ.n);
	fflush(stdout);
	return problems == before;
}

/* --- set-up and tear-down -------------------------------------------------- */

/* A valid request, built by hand; returns the errno of the answer. */
static int simple(struct mnl_socket *nl, struct msg *m)
{
	struct answer ans = { 0 };

	msg_close(m);
	send_raw(nl, m->buf, m->len);
	if (!read_answer(nl, msg_hdr(m)->nlmsg_seq, &ans, NULL, NULL, 0))
		die("no answer to a set-up request");
	return ans.err;
}

/* A starting population, so that dumps span several datagrams and every
 * command finds objects to act on.
 */
static void populate(struct mnl_socket *nl)
{
	static struct msg m;
	char name[32], a[32];
	int i, j;

	for (i = 0; i < NVPCS && i < ndevs; i++) {
		msg_init(&m, VPCE_CMD_VPC_ADD, NLM_F_ACK);
		snprintf(name, sizeof(name), "fz-vpc%d", i);
		put_str(&m, VPCE_A_NAME, name);
		put_u64(&m, VPCE_A_ACCOUNT, 111111111111ULL);
		nest_start(&m, VPCE_A_DEVICES);
		nest_start(&m, 0);
		put_u32(&m, VPCE_DEV_A_IFINDEX, devs[i]);
		msg_close(&m);
		simple(nl, &m);
	}
	for (i = 0; i < NSVCS / 2; i++) {
		msg_init(&m, VPCE_CMD_SERVICE_ADD, NLM_F_ACK);
		snprintf(name, sizeof(name), "fz-svc%d", i);
		put_str(&m, VPCE_A_NAME, name);
		put_u64(&m, VPCE_A_ACCOUNT, 333333333333ULL);
		nest_start(&m, VPCE_A_LISTENERS);
		nest_start(&m, 0);
		put_u8(&m, VPCE_LISTENER_A_PROTO, 6);
		put_u16(&m, VPCE_LISTENER_A_PORT, 80);
		nest_end(&m);
		nest_end(&m);
		nest_start(&m, VPCE_A_NLBS);
		for (j = 0; j < 2; j++) {
			nest_start(&m, j);
			snprintf(a, sizeof(a), "192.0.2.%d", 1 + j);
			put_ip4(&m, VPCE_ADDR_A_IPV4, a);
			put_str(&m, VPCE_ADDR_A_ZONE, zones[j]);
			nest_end(&m);
		}
		nest_end(&m);
		simple(nl, &m);

		msg_init(&m, VPCE_CMD_SERVICE_ALLOW, NLM_F_ACK);
		put_str(&m, VPCE_A_NAME, name);
		put_str(&m, VPCE_A_PRINCIPAL, "*");
		simple(nl, &m);

		for (j = 0; j < 4; j++) {
			msg_init(&m, VPCE_CMD_TARGET_ADD, NLM_F_ACK);
			put_str(&m, VPCE_A_SERVICE, name);
			nest_start(&m, VPCE_A_ADDR);
			snprintf(a, sizeof(a), "198.51.100.%d", 1 + j);
			put_ip4(&m, VPCE_ADDR_A_IPV4, a);
			put_str(&m, VPCE_ADDR_A_ZONE, zones[j % 2]);
			nest_end(&m);
			simple(nl, &m);
		}
	}
	for (i = 0; i < NEPS / 2; i++) {
		msg_init(&m, VPCE_CMD_ENDPOINT_ADD, NLM_F_ACK);
		snprintf(name, sizeof(name), "fz-ep%d", i);
		put_str(&m, VPCE_A_NAME, name);
		snprintf(name, sizeof(name), "fz-vpc%d", i % NVPCS);
		put_str(&m, VPCE_A_VPC, name);
		snprintf(name, sizeof(name), "fz-svc%d", i % (NSVCS / 2));
		put_str(&m, VPCE_A_SERVICE, name);
		nest_start(&m, VPCE_A_ADDRS);
		nest_start(&m, 0);
		snprintf(a, sizeof(a), "10.99.0.%d", 1 + i / NVPCS);
		put_ip4(&m, VPCE_ADDR_A_IPV4, a);
		put_str(&m, VPCE_ADDR_A_ZONE, "az1");
		nest_end(&m);
		nest_end(&m);
		simple(nl, &m);
	}
}

/* Deletes every object the dumps show; afterwards they must be empty. */
static void clear_all(struct mnl_socket *nl)
{
	static struct msg m;
	unsigned int i;
	int err;

	if (!check_state(nl, true))
		return;
	for (i = 0; i < t_eps.n; i++) {
		msg_init(&m, VPCE_CMD_ENDPOINT_DEL, NLM_F_ACK);
		put_str(&m, VPCE_A_NAME, t_eps.o[i].name);
		err = simple(nl, &m);
		if (err)
			problem("deleting endpoint %s: %s", t_eps.o[i].name,
				strerror(err));
	}
	for (i = 0; i < t_svcs.n; i++) {
		msg_init(&m, VPCE_CMD_SERVICE_DEL, NLM_F_ACK);
		put_str(&m, VPCE_A_NAME, t_svcs.o[i].name);
		err = simple(nl, &m);
		if (err)
			problem("deleting service %s: %s", t_svcs.o[i].name,
				strerror(err));
	}
	for (i = 0; i < t_vpcs.n; i++) {
		msg_init(&m, VPCE_CMD_VPC_DEL, NLM_F_ACK);
		put_str(&m, VPCE_A_NAME, t_vpcs.o[i].name);
		err = simple(nl, &m);
		if (err)
			problem("deleting VPC %s: %s", t_vpcs.o[i].name,
				strerror(err));
	}
	if (!check_state(nl, false))
		return;
	if (t_vpcs.n || t_svcs.n || t_eps.n || t_tgts.n || t_princ.n)
		problem("objects left after deleting everything");
}

/* --- dumps abandoned mid-way ----------------------------------------------- */

struct pending {
	struct mnl_socket *nl;
	unsigned int seq;
};

static struct pending pend[NPENDING];

/* Starts a dump on a socket of its own and reads at most one datagram of it
 * with a small buffer. Then the socket is closed at once (the kernel must
 * release the dump's state), or kept for later.
 */
static void dump_start(uint8_t cmd)
{
	static struct msg m;
	struct mnl_socket *nl = sock_open();
	struct answer ans = { 0 };
	int slot = (int)rnd(NPENDING);
	int rcvbuf = 4096;

	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	build(&m, cmd, NLM_F_DUMP);
	if (chance(30))
		mutate(&m);
	send_raw(nl, m.buf, m.len);
	sent++;
	per_cmd[cmd]++;
	if (chance(60) && !read_answer(nl, msg_hdr(&m)->nlmsg_seq, &ans, NULL,
					NULL, 1)) {
		/* A mutated request may get no answer at all (no ACK flag,
		 * or dropped): fine, the socket is closed below.
		 */
	}
	if (ans.done || chance(50)) {
		mnl_socket_close(nl);
		dumps_abandoned++;
		return;
	}
	if (pend[slot].nl) {
		mnl_socket_close(pend[slot].nl);
		dumps_abandoned++;
	}
	pend[slot].nl = nl;
	pend[slot].seq = msg_hdr(&m)->nlmsg_seq;
}

/* Finishes a kept dump: it may end with DUMP_INTR, or errors for a mutated
 * request, but it must end.
 */
static bool dump_resume(int slot)
{
	struct answer ans = { 0 };
	bool ok;

	if (!pend[slot].nl)
		return true;
	ok = read_answer(pend[slot].nl, pend[slot].seq, &ans, NULL, NULL, 0);
	/* Silence is fine only if nothing was coming: a mutated request
	 * without NLM_F_ACK that the kernel refused gets no answer.
	 */
	if (!ok && errno != EAGAIN && errno != EWOULDBLOCK)
		problem("resumed dump: %s", strerror(errno));
	mnl_socket_close(pend[slot].nl);
	pend[slot].nl = NULL;
	dumps_resumed++;
	return ok;
}

/* --- main loop ------------------------------------------------------------- */

static uint8_t pick_cmd(void)
{
	uint8_t cmd;

	if (chance(2))
		cmd = (uint8_t)rnd(256);
	else if (chance(2))
		cmd = (uint8_t)(VPCE_CMD_MAX + 1 + rnd(3));
	else
		cmd = (uint8_t)(1 + rnd(VPCE_CMD_MAX));
	/* A flush empties the namespace: now and then, not one request in
	 * twenty-five, or most of the run would find nothing to act on.
	 */
	if (is_flush(cmd) && (shared || !chance(5)))
		cmd = VPCE_CMD_ENDPOINT_GET;
	return cmd;
}

static bool is_get(uint8_t cmd)
{
	return cmd == VPCE_CMD_VPC_GET || cmd == VPCE_CMD_SERVICE_GET ||
	       cmd == VPCE_CMD_TARGET_GET || cmd == VPCE_CMD_ENDPOINT_GET ||
	       cmd == VPCE_CMD_PRINCIPAL_GET;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] [-c CHECK_EVERY] [-k] [-x] [-v] DEV...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long count = 20000, check_every = 5000, i, silent = 0;
	uint64_t seedv = (uint64_t)time(NULL);
	static struct msg m;
	struct mnl_socket *nl;
	struct timespec t0, t1;
	int opt, k;

	while ((opt = getopt(argc, argv, "n:s:c:kxv")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seedv = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			check_every = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			keep = true;
			break;
		case 'x':
			shared = true;
			keep = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	ndevs = argc - optind;
	devs = calloc(ndevs + 1, sizeof(*devs));
	if (!devs)
		die("out of memory");
	for (k = 0; k < ndevs; k++) {
		devs[k] = if_nametoindex(argv[optind + k]);
		if (!devs[k])
			die("no device %s", argv[optind + k]);
	}
	rng_state ^= seedv * 0x2545F4914F6CDD1DULL;
	if (!rng_state)
		rng_state = 1;
	printf("nlfuzz: seed %llu, %lu messages, commands 1..%d, attributes 1..%d\n",
	       (unsigned long long)seedv, count, VPCE_CMD_MAX, VPCE_A_MAX);
	fflush(stdout);

	resolve_family();
	nl = sock_open();
	populate(nl);
	if (!check_state(nl, false))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (i = 1; i <= count; i++) {
		uint8_t cmd = pick_cmd();
		struct answer ans = { 0 };
		bool dump = is_get(cmd) && chance(40);

		if (is_get(cmd) && chance(4)) {
			dump_start(cmd);
			continue;
		}
		if (chance(1))
			dump_resume((int)rnd(NPENDING));

		build(&m, cmd, dump ? NLM_F_DUMP : NLM_F_ACK);
		if (chance(50))
			mutate(&m);
		/* Always ask for an answer, so we know the kernel is alive
		 * (a mutation may have cleared the flag: put it back).
		 */
		if (m.len >= NLMSG_HDRLEN)
			msg_hdr(&m)->nlmsg_flags |= NLM_F_ACK | NLM_F_REQUEST;
		send_raw(nl, m.buf, m.len);
		sent++;
		per_cmd[cmd]++;
		if (!read_answer(nl, msg_hdr(&m)->nlmsg_seq, &ans, NULL, NULL, 0)) {
			/* A message the netlink core could not parse as one
			 * (nlmsg_len past the datagram, or below a header)
			 * is dropped without an answer; anything else that
			 * goes unanswered is a hung or dead kernel.
			 */
			if (msg_hdr(&m)->nlmsg_len != m.len ||
			    m.len < NLMSG_HDRLEN + GENL_HDRLEN) {
				silent++;
			} else {
				problem("no answer to message %lu (command %u, %zu bytes): %s",
					i, cmd, m.len, strerror(errno));
				return 1;
			}
		}
		if (ans.err == 0 && ans.done)
			acked_ok++;
		else if (ans.err > 0 && ans.err < 256)
			errs[ans.err]++;

		if (check_every && i % check_every == 0) {
			for (k = 0; k < NPENDING; k++)
				dump_resume(k);
			if (!check_state(nl, true))
				break;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("%lu messages, %.0f/s, %lu succeeded\n", i,
			       i / ((t1.tv_sec - t0.tv_sec) +
				    (t1.tv_nsec - t0.tv_nsec) / 1e9), acked_ok);
			fflush(stdout);
		}
	}
	for (k = 0; k < NPENDING; k++)
		dump_resume(k);

	printf("sent %lu (%lu succeeded, %lu unanswered malformed), %lu dumps abandoned, %lu resumed\n",
	       sent, acked_ok, silent, dumps_abandoned, dumps_resumed);
	printf("per command:");
	for (k = 0; k < 256; k++)
		if (k <= VPCE_CMD_MAX + 1 && per_cmd[k])
			printf(" %d:%lu", k, per_cmd[k]);
	printf("\nerrors:");
	for (k = 1; k < 256; k++)
		if (errs[k])
			printf(" %s:%lu", strerrorname_np(k) ? strerrorname_np(k) : "?",
			       errs[k]);
	printf("\n");

	if (!check_state(nl, false) || problems) {
		printf("nlfuzz: state inconsistent after fuzzing (seed %llu)\n",
		       (unsigned long long)seedv);
		return 1;
	}
	if (!keep)
		clear_all(nl);
	mnl_socket_close(nl);
	if (problems) {
		printf("nlfuzz: %d problem(s) (seed %llu)\n", problems,
		       (unsigned long long)seedv);
		return 1;
	}
	printf("nlfuzz: ok\n");
	return 0;
}
