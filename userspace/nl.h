/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vpce generic netlink client, shared by vpcectl and vpced: one socket,
 * the family looked up on it, requests built with helpers that cannot fail
 * silently, one function that sends a request and reads its answer (acks,
 * extended-ack messages, dumps retried when a change interrupted them),
 * batches, the events group, and the parsers of the nested attributes both
 * programs read. Nothing here prints: each program words its own messages
 * from the struct nl_reply it gets back. It uses libnl-3 and nothing else
 * (no jansson), so the policy fuzzer can link it too. nl.c talks; nl-attr.c
 * holds the attribute policies and the parsers of nests ("reading replies").
 */
#ifndef VPCE_NL_H
#define VPCE_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <uapi/linux/vpce.h>

/* How many times a dump that a concurrent change interrupted is tried. */
#define NL_DUMP_TRIES	10

/*
 * Each program defines this: print "PROGRAM: <message>" and exit. Called
 * only for what it cannot go on from (no socket, no memory, no family when
 * a request is built).
 */
void __attribute__((format(printf, 1, 2), noreturn)) nl_fatal(const char *fmt, ...);

/*
 * Enter network namespace NETNS (a name in /run/netns, or a path), as
 * "ip -n" does. NULL on success; else what failed ("open" or "enter"),
 * with errno set.
 */
const char *nl_enter_netns(const char *netns);

/* ---- the socket and the family ---- */

/*
 * Open the socket (once) and look the family up (again after
 * nl_forget_family()). 0, or libnl's error: -NLE_OBJ_NOTFOUND when the
 * module is not loaded.
 */
int nl_open_family(void);
/* The module may have gone or come back with another family id. */
void nl_forget_family(void);
void nl_shutdown(void);

/* ---- requests ---- */

struct vpce_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
	char zone[VPCE_ZONE_MAX + 1];	/* "" if none */
};

struct vpce_listener {
	uint8_t proto;
	uint16_t port;
	uint16_t target_port;		/* 0: same as port */
};

/* A request for CMD (a dump if DUMP); connects first if need be. */
struct nl_msg *nl_new(uint8_t cmd, bool dump);
/* Free REQ, or keep it for the next nl_new() (saves clearing 256 KiB). */
void nl_recycle(struct nl_msg *req);
void nl_put_u8(struct nl_msg *m, int type, uint8_t v);
void nl_put_u16(struct nl_msg *m, int type, uint16_t v);
void nl_put_u32(struct nl_msg *m, int type, uint32_t v);
void nl_put_u64(struct nl_msg *m, int type, uint64_t v);
void nl_put_str(struct nl_msg *m, int type, const char *s);
void nl_put_flag(struct nl_msg *m, int type);
void nl_put_data(struct nl_msg *m, int type, const void *data, size_t len);
struct nlattr *nl_nest(struct nl_msg *m, int type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);
/* A VPCE_ADDR_A_* nest: the address and its zone, if any. */
void nl_put_addr(struct nl_msg *m, int type, const struct vpce_addr *a);
/* A nested array of N such nests. */
void nl_put_addrs(struct nl_msg *m, int type, const struct vpce_addr *a, int n);
void nl_put_prefix(struct nl_msg *m, int type, const struct vpce_addr *a,
		   uint8_t plen);
/*
 * A request about one target (VPCE_A_SERVICE and VPCE_A_ADDR): "target
 * add|set|del" of vpcectl, and vpced setting a target's health.
 */
struct nl_msg *nl_new_target(uint8_t cmd, const char *svc,
			     const struct vpce_addr *addr);

/* ---- answers ---- */

enum nl_status {
	NL_ANSWERED,		/* the kernel answered: see error */
	NL_NETLINK,		/* netlink failed: error is libnl's (-NLE_*) */
	NL_MALFORMED,		/* a reply the handler could not understand */
	NL_CHANGING,		/* NL_DUMP_TRIES dumps were all interrupted */
};

struct nl_reply {
	enum nl_status status;
	int error;		/* NL_ANSWERED: 0 or the kernel's -errno */
	char msg[512];		/* the kernel's extack message: why, or a warning */
	int miss_type;		/* an attribute it said is missing, or -1 */
};

/*
 * What to do with the reply messages of a request: MSG gets each one's
 * top-level attributes and returns non-zero for one it cannot understand;
 * RESET, if set, runs before each try of a dump (a retried dump starts
 * again from the beginning).
 */
struct nl_handler {
	int (*msg)(struct nlattr **tb, void *arg);
	void (*reset)(void *arg);
	void *arg;
};

/*
 * Send REQ (a "do" request or a dump), read every reply until the ack or
 * the end of the dump, handing each reply message to H (may be NULL), and
 * fill R. A dump interrupted by a concurrent change is retried. Takes REQ.
 * Returns 0 if the kernel answered without an error, else -1.
 */
int nl_transact(struct nl_msg *req, const struct nl_handler *h,
		struct nl_reply *r);

/*
 * Send N requests (concatenated in BUF, each at OFF[i]) without waiting
 * for each ack, many per sendmsg(). Returns -1 if all succeeded; else the
 * index of the first the kernel refused, its answer in *BAD (later
 * requests of the same window may have been applied); or -2 if netlink
 * failed (BAD->error is then -errno).
 */
long nl_send_batch(char *buf, const size_t *off, size_t n, struct nl_reply *bad);

/*
 * Join the events group, then hand every event (a message with
 * VPCE_A_EVENT) to FN. nl_subscribe() returns NULL, or what failed ("find"
 * or "join") with libnl's error in *ERR; nl_listen() returns only on a
 * netlink error (libnl's).
 */
const char *nl_subscribe(int *err);
int nl_listen(void (*fn)(uint8_t cmd, struct nlattr **tb, void *arg), void *arg);

/* ---- reading replies ---- */

/* The policies of the attributes the kernel sends, for nla_parse*(). */
extern struct nla_policy nl_attr_policy[VPCE_A_MAX + 1];
extern struct nla_policy nl_stats_policy[VPCE_STATS_A_MAX + 1];

/*
 * A VPCE_ADDR_A_* nest into A; with PLEN, its prefix length too (which
 * must then be there). 0, or -1 if NEST is missing or has no address.
 */
int nl_parse_addr(const struct nlattr *nest, struct vpce_addr *a, uint8_t *plen);
/* A's address as text into BUF (INET6_ADDRSTRLEN bytes); returns BUF. */
const char *nl_addr_str(const struct vpce_addr *a, char *buf);
/* A VPCE_LISTENER_A_* nest; target_port is the port when none was set. */
int nl_parse_listener(const struct nlattr *nest, struct vpce_listener *l);
/*
 * A VPCE_HC_A_* nest into TB (VPCE_HC_A_MAX + 1 entries). true if the
 * service has a health check (a protocol other than none).
 */
bool nl_parse_hc(const struct nlattr *nest, struct nlattr **tb);

/*
 * The status codes a health check's matcher ("200-299,302": codes and
 * LOW-HIGH ranges within 200-599, by commas) lets pass, as bits: code C is
 * bit C - VPCE_HC_CODE_MIN of CODES. false (CODES undefined) if S is not a
 * matcher; the kernel checks the same syntax.
 */
#define HC_CODES_WORDS	((VPCE_HC_CODE_MAX - VPCE_HC_CODE_MIN) / 64 + 1)
bool hc_matcher_parse(const char *s, uint64_t codes[HC_CODES_WORDS]);
/* Whether CODE is one of CODES (from hc_matcher_parse()). */
bool hc_matcher_has(const uint64_t codes[HC_CODES_WORDS], unsigned int code);

#endif /* VPCE_NL_H */
