/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Policy requests: who asks to do what to what, with which context keys.
 * The packet path builds one per new flow, the simulator parses one from
 * netlink (vpce_request_parse(), declared in vpce_policy.h); the evaluator
 * reads them. See Documentation/policy.md.
 */

#ifndef _VPCE_REQUEST_H
#define _VPCE_REQUEST_H

#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <uapi/linux/vpce.h>

/*
 * Bytes of req->buf, where vpce_request_addf() formats values: the data
 * path's source address, port and times, and a session's role ARN or a
 * federated user's aws:userid, with room to spare.
 */
#define VPCE_REQ_BUF_SIZE	384

struct vpce_arn;

struct vpce_req_key {
	const char *name;
	u16 len;
};

struct vpce_req_val {
	const char *s;
	u16 len;
	u8 key;			/* index into keys[] */
};

/*
 * A request to evaluate: who (a principal, and the account it acts for)
 * does what (action) to what (resource), through which type of endpoint,
 * and the context keys with their values. Strings and WHO are not copied:
 * they must outlive the request, except values formatted with
 * vpce_request_addf(), which live in buf. Building one allocates nothing;
 * it is about 1 KiB, so the packet path keeps it in a per-CPU buffer.
 */
struct vpce_request {
	const char *action;
	const char *resource;
	const struct vpce_arn *who;
	u64 account;
	u32 action_len;
	u32 resource_len;
	bool gateway;		/* a gateway endpoint's policy */
	u8 nkeys;
	u8 nvals;
	u16 buf_used;
	struct vpce_req_key keys[VPCE_REQUEST_KEYS_MAX];
	struct vpce_req_val vals[VPCE_REQUEST_VALUES_MAX];
	char buf[VPCE_REQ_BUF_SIZE];
};

void vpce_request_init(struct vpce_request *req, const char *action,
		       const char *resource, const struct vpce_arn *who,
		       u64 account, bool gateway);
/* Adds one value to KEY (a new key, or one more value of a known one). */
int vpce_request_add(struct vpce_request *req, const char *key,
		     const char *value);
__printf(3, 4)
int vpce_request_addf(struct vpce_request *req, const char *key,
		      const char *fmt, ...);
bool vpce_request_has(const struct vpce_request *req, const char *key);
/*
 * The keys AWS derives from the principal, unless present already:
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, and
 * aws:username and aws:userid where AWS's table has a value vpce knows.
 */
int vpce_request_add_principal(struct vpce_request *req);
/* aws:CurrentTime and aws:EpochTime for NOW, unless present already. */
int vpce_request_add_time(struct vpce_request *req, time64_t now);

/*
 * The index of KEY (LEN characters, any case) among REQ's keys, -1 if REQ
 * has none. Inline: the evaluator looks keys up for every condition and
 * policy variable, on the packet path.
 */
static inline int vpce_req_find(const struct vpce_request *req,
				const char *key, u32 len)
{
	int i;

	for (i = 0; i < req->nkeys; i++)
		if (req->keys[i].len == len &&
		    !strncasecmp(req->keys[i].name, key, len))
			return i;
	return -1;
}

#endif /* _VPCE_REQUEST_H */
