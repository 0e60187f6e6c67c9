/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpcectl: the command line front end of the vpce generic netlink family.
 *
 * Every command first parses its whole command line into plain C values
 * (args.c), then builds one netlink request (nl.c), so nothing reaches the
 * kernel unless the command line was valid. Replies are turned into jansson
 * objects, which are either printed as JSON (-j) or as text (output.c), so
 * the two formats cannot drift apart.
 */
#ifndef VPCECTL_H
#define VPCECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <jansson.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <uapi/linux/vpce.h>

#include "nl.h"

#ifndef VPCECTL_VERSION
#define VPCECTL_VERSION "unknown"
#endif

/* Exit statuses; documented in vpcectl(8). */
#define EXIT_USAGE	1	/* bad command line or local setup: nothing sent */
#define EXIT_KERNEL	2	/* the kernel refused, or netlink failed */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* jansson's json_array_foreach, spelled out where static analysis sees it. */
#define for_each_elem(arr, i, v)					\
	for ((i) = 0; (i) < json_array_size(arr) &&			\
		      ((v) = json_array_get((arr), (i))); (i)++)

/* Global options. */
extern bool opt_json;
extern bool opt_pretty;

/* "service add" while a command runs: names it in error messages. */
extern const char *cur_cmd;
/* "line 12: " while "restore" reads a batch; "" otherwise. */
extern const char *err_prefix;

void __attribute__((format(printf, 1, 2), noreturn)) die_usage(const char *fmt, ...);
void __attribute__((format(printf, 1, 2), noreturn)) die_kernel(const char *fmt, ...);

/* ---- args.c: the command line cursor and value parsers ---- */

struct args {
	int argc;
	char **argv;
};

const char *arg_peek(const struct args *a);
const char *arg_next(struct args *a);
/* The value after keyword KW; "KW" needs WHAT when there is none. */
const char *arg_value(struct args *a, const char *kw, const char *what);
/* A positional, required object name (METAVAR names it: "VPC", "SVC"). */
const char *arg_name(struct args *a, const char *metavar, const char *kind);
/* An optional trailing object name for "show"; NULL if absent. */
const char *arg_opt_name(struct args *a, const char *kind);
void __attribute__((noreturn)) arg_unknown(const char *word);
void arg_once(bool *seen, const char *kw);
void arg_required(bool seen, const char *kw);
void __attribute__((noreturn)) not_supported(const char *what);
bool kw_is(const char *word, const char *kw);

void check_name(const char *s, const char *kind, size_t max);
const char *check_endpoint_id(const char *s);
uint64_t parse_account(const char *s);
void parse_addr(const char *s, struct vpce_addr *addr);
void parse_listener(const char *s, struct vpce_listener *l);
unsigned long parse_ulong(const char *s, const char *what,
			  unsigned long min, unsigned long max);
int parse_type(const char *s);
uint32_t parse_mark(const char *s);
bool parse_onoff(const char *kw, const char *s);
/* A principal ARN (or "*" when ANY_OK); exits with a message if invalid. */
const char *parse_arn(const char *s, bool any_ok);
void parse_prefix(const char *s, struct vpce_addr *prefix, uint8_t *plen);
void parse_hash_seed(const char *s, uint8_t seed[VPCE_HASH_SEED_LEN]);
void check_dns_name(const char *s);
/* A DNS name given to KW (which names it in errors); "*." first if WILDCARD. */
void check_dns_name_kw(const char *kw, const char *s, bool wildcard);
/*
 * After keyword KW: ADDR [zone AZ], appended to ADDRS (at most MAX).
 * Used by "service add ... nlb" and "endpoint add ... addr".
 */
void arg_addr_zone(struct args *a, const char *kw, struct vpce_addr *addrs,
		   int *n, int max);
/*
 * After keyword KW ("flow-log"): on|off [aggregation 60|600] [sample
 * 1-100], into *ON, *AGG and *SAMPLE (0 when not given). "endpoint set"
 * and "service set".
 */
void arg_flow_log(struct args *a, const char *kw, bool *on, unsigned int *agg,
		  unsigned int *sample);

/* ---- query.c: vpcectl's side of the netlink client (nl.h) ---- */

/* Turns one reply message's top-level attributes into a JSON object. */
typedef json_t *(*nl_parse_fn)(struct nlattr **tb);

/*
 * Send REQ (a "do" request or a dump) with nl_transact(); each reply
 * message goes through PARSE into the array OUT. Reports the kernel's
 * error (its extack message when there is one). Takes REQ. Returns 0 or
 * EXIT_KERNEL.
 */
int nl_query(struct nl_msg *req, nl_parse_fn parse, json_t *out);
/* A request whose only answer is an ack. */
int nl_request(struct nl_msg *req);
/* "vpcectl: [line N: ]<why>" for an answer that is not a success. */
void nl_report(const struct nl_reply *r);
/* Events: each VPCE_MCGRP_EVENTS message's command and attributes. */
typedef void (*nl_event_fn)(uint8_t cmd, struct nlattr **tb);
/* Join the events group and hand every event to HANDLE; never returns. */
int nl_monitor(nl_event_fn handle) __attribute__((noreturn));

/* ---- output.c: JSON and text ---- */

const char *enum_name(const char *const *names, size_t n, unsigned int v);
/* "tcp", "udp" or "unknown". */
const char *proto_name(uint8_t proto);
extern const char *const type_names[__VPCE_TYPE_MAX];
extern const char *const state_names[__VPCE_STATE_MAX];
extern const char *const health_names[__VPCE_HEALTH_MAX];
extern const char *const hc_names[__VPCE_HC_MAX];

json_t *json_account(uint64_t account);
json_t *json_attr_str(const struct nlattr *nla);
json_t *json_attr_uint(const struct nlattr *nla);
/* tb's VPCE_A_FLOW_LOG*: {"aggregation", "sample"}, or null when off. */
json_t *json_flow_log(struct nlattr **tb);
json_t *json_enum(const struct nlattr *nla, const char *const *names, size_t n);
/* A VPCE_A_PREFIX nest as "ADDR/LEN". */
json_t *json_prefix(const struct nlattr *nest);
/* A nest of strings (e.g. VPCE_A_PRINCIPALS) as an array. */
json_t *json_str_array(const struct nlattr *arr);
/* Unix seconds as ISO 8601 UTC. */
json_t *json_time(const struct nlattr *nla);
/* One VPCE_ADDR_A_* nest as {"addr": "...", "zone": "..." | null}. */
json_t *json_addr(const struct nlattr *nest);
/*
 * A nested array as a JSON array of CONV() of each element; [] if ARR is
 * NULL, NULL if CONV() fails on one.
 */
json_t *json_nested_array(const struct nlattr *arr,
			  json_t *(*conv)(const struct nlattr *nest));
/* A nested array of VPCE_ADDR_A_* as an array of json_addr(). */
json_t *json_addr_array(const struct nlattr *arr);

const char *jstr(const json_t *o, const char *key);
json_int_t jint(const json_t *o, const char *key);
/* " KW ADDR[ zone AZ]" (no " KW" when KW is NULL). */
void print_addr(const char *kw, const json_t *addr);
/* TITLE, then TEXT's lines indented, under an object; nothing if NULL. */
void print_text_block(const char *title, const char *text);
/* Print ARR as JSON, or each element with PRINT. Takes ARR. */
void show(json_t *arr, void (*print)(const json_t *obj));

/* ---- one file per object ---- */

struct command {
	const char *name;
	const char *alias[3];
	int (*run)(struct args *a);	/* NULL: not supported yet */
};

struct object {
	const char *name;
	const char *usage;
	const struct command *cmds;
};

extern const struct object vpc_object;
extern const struct object service_object;
extern const struct object target_object;
extern const struct object endpoint_object;
extern const struct object connection_object;
extern const struct object principal_object;
extern const struct object monitor_object;
extern const struct object policy_object;

extern const struct object dns_object;
extern const struct object stats_object;
extern const struct object flow_object;
extern const struct object sg_object;

/* One command line of a batch, or of vpcectl's own command line. */
int dispatch(struct args *a);

/* ---- batch.c: save, restore, flush ---- */

extern const char batch_usage[];
int batch_save(struct args *a);
int batch_restore(struct args *a);
int batch_flush(struct args *a);
int monitor_run(struct args *a) __attribute__((noreturn));

/*
 * While a batch is read, nl_request() hands each request to the batch
 * instead of sending it, and nl_query() refuses (no "show" in a batch).
 */
extern int (*nl_batch_hook)(struct nl_msg *req);

json_t *vpc_parse(struct nlattr **tb);
json_t *vpc_dump(const char *name);
json_t *service_parse(struct nlattr **tb);
json_t *principal_parse(struct nlattr **tb);

/* endpoint.c's parser, shared with "connection show". */
json_t *endpoint_parse(struct nlattr **tb);
json_t *flow_table_parse(struct nlattr **tb);

/* service.c uses target.c's parser to merge targets into services. */
json_t *target_parse(struct nlattr **tb);
void target_print_line(const json_t *t, bool indented);

/* "health-check ..." of "service set" (health-check.c). */
struct hc_settings {
	int proto;			/* enum vpce_hc_proto */
	const char *path, *matcher, *host;	/* NULL: not given */
	unsigned long port, interval, timeout, healthy, unhealthy; /* 0: not given */
};
/* Whether W is one of the words that follow "health-check PROTO". */
bool hc_keyword(const char *w);
/* "health-check" (word KW) and what follows it, into HC. */
void hc_settings_parse(struct args *a, const char *kw, struct hc_settings *hc);
/* HC as a VPCE_A_HEALTH_CHECK nest. */
void hc_settings_put(struct nl_msg *m, const struct hc_settings *hc);
/* A VPCE_A_HEALTH_CHECK nest as an object; null when there is no check. */
json_t *hc_json(const struct nlattr *nest);
/* That object as " health-check ..." (service set's words) into F. */
void hc_print(FILE *f, const json_t *hc);
/* sg.c: the SGs (one: NAME), for "save"; a rule as "sg rule add" takes it. */
json_t *sg_dump(const char *name);
void sg_rule_words(FILE *f, const json_t *r);

#endif /* VPCECTL_H */
