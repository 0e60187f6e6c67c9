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

/* Bytes of req->buf, where vpce_request_addf() formats values. */
#define VPCE_REQ_BUF_SIZE	192

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
 * A request to evaluate: who (principal ARN and account) does what (action)
 * to what (resource), and the context keys with their values. Strings are
 * not copied: they must outlive the request, except values formatted with
 * vpce_request_addf(), which live in buf. Building one allocates nothing;
 * it is about 0.8 KiB, so the packet path may keep it on the stack (or in
 * a per-CPU buffer).
 */
struct vpce_request {
	const char *action;
	const char *resource;
	const char *principal;
	u64 account;
	u32 action_len;
	u32 resource_len;
	u8 nkeys;
	u8 nvals;
	u16 buf_used;
	struct vpce_req_key keys[VPCE_REQUEST_KEYS_MAX];
	struct vpce_req_val vals[VPCE_REQUEST_VALUES_MAX];
	char buf[VPCE_REQ_BUF_SIZE];
};

void vpce_request_init(struct vpce_request *req, const char *action,
		       const char *resource, const char *principal,
		       u64 account);
/* Adds one value to KEY (a new key, or one more value of a known one). */
int vpce_request_add(struct vpce_request *req, const char *key,
		     const char *value);
__printf(3, 4)
int vpce_request_addf(struct vpce_request *req, const char *key,
		      const char *fmt, ...);
bool vpce_request_has(const struct vpce_request *req, const char *key);
/* aws:PrincipalArn and aws:PrincipalAccount, unless present already. */
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
