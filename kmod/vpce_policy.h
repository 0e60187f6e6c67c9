/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint policies: IAM policy documents compiled from netlink attributes
 * into an immutable form that the packet path evaluates under RCU, without
 * allocating, locking or recursing. See Documentation/policy.md.
 */

#ifndef _VPCE_POLICY_H
#define _VPCE_POLICY_H

#include <linux/bitmap.h>
#include <linux/compiler.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/vpce.h>

struct vpce_policy;

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

/* The netlink policies of VPCE_A_POLICY, VPCE_A_POLICY_TEXT, VPCE_A_REQUEST:
 * genetlink checks their structure, vpce_policy_build() the rest.
 */
extern const struct nla_policy vpce_policy_nl_policy[VPCE_POLICY_A_MAX + 1];
extern const struct nla_policy vpce_request_nl_policy[VPCE_REQ_A_MAX + 1];
#define VPCE_NLA_POLICY		NLA_POLICY_NESTED(vpce_policy_nl_policy)
#define VPCE_NLA_POLICY_TEXT	{ .type = NLA_NUL_STRING, \
				  .len = VPCE_POLICY_TEXT_MAX }
#define VPCE_NLA_REQUEST	NLA_POLICY_NESTED(vpce_request_nl_policy)

/*
 * Compile VPCE_A_POLICY (and keep VPCE_A_POLICY_TEXT, which may be NULL).
 * Process context. Every rejection names the attribute in EXTACK. Returns
 * the policy or an ERR_PTR; nothing is left allocated on error.
 */
struct vpce_policy *vpce_policy_build(const struct nlattr *policy,
				      const struct nlattr *text,
				      struct netlink_ext_ack *extack);
/* Free a policy no reader can see (never published). */
void vpce_policy_free(struct vpce_policy *p);
/* Free a published policy after the packet path is done with it. */
void vpce_policy_free_rcu(struct vpce_policy *p);
/* Put the text back as attribute TYPE; nothing if there was none. */
int vpce_policy_put_text(struct sk_buff *skb, int type,
			 const struct vpce_policy *p);
/* Bytes the compiled policy takes, for accounting. */
size_t vpce_policy_size(const struct vpce_policy *p);

/*
 * Parse VPCE_A_REQUEST into REQ. The strings stay in the message, so REQ is
 * valid as long as NEST is.
 */
int vpce_request_parse(struct vpce_request *req, const struct nlattr *nest,
		       struct netlink_ext_ack *extack);

/*
 * Evaluate REQ against P with AWS's rules: an enum vpce_decision. P NULL is
 * AWS's default policy, which allows everything. MATCHED, when not NULL, is
 * a bitmap of VPCE_POLICY_STATEMENTS_MAX bits that gets the statements that
 * decided (see VPCE_CMD_POLICY_SIMULATE); without it evaluation stops at
 * the first statement that decides. -E2BIG when the evaluation needed more
 * than VPCE_POLICY_EVAL_STEPS steps: there is no decision then (MATCHED is
 * meaningless), and whoever asked must deny. Never allocates or sleeps:
 * safe in softirq under rcu_read_lock().
 */
int vpce_policy_eval(const struct vpce_policy *p,
		     const struct vpce_request *req, unsigned long *matched);
unsigned int vpce_policy_statements(const struct vpce_policy *p);
/* Statement I's Sid, "" if it has none. */
const char *vpce_policy_sid(const struct vpce_policy *p, unsigned int i);

#endif /* _VPCE_POLICY_H */
