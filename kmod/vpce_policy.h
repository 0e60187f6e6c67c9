/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint policies: IAM policy documents compiled from netlink attributes
 * into an immutable form that the packet path evaluates under RCU, without
 * allocating, locking or recursing. See Documentation/policy.md.
 *
 * This is the public header, for the files that take policies and requests
 * from netlink. The pieces underneath, which know no netlink:
 *	vpce_request.h		requests (vpce_request.c)
 *	vpce_policy_eval.h	the evaluator (vpce_policy_eval.c)
 *	vpce_policy_int.h	the compiled form, private to the policy files
 * The parsers: vpce_policy_build.c and vpce_policy_pattern.c (attributes
 * to a compiled policy), vpce_request.c (attributes to a request).
 */

#ifndef _VPCE_POLICY_H
#define _VPCE_POLICY_H

#include "vpce_arn.h"
#include "vpce_policy_eval.h"
#include "vpce_request.h"

#include <linux/bitmap.h>
#include <linux/compiler.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/vpce.h>

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
 * Parse VPCE_A_REQUEST into REQ, its principal into WHO. The strings stay
 * in the message, so REQ is valid as long as NEST and WHO are.
 */
int vpce_request_parse(struct vpce_request *req, struct vpce_arn *who,
		       const struct nlattr *nest, struct netlink_ext_ack *extack);

#endif /* _VPCE_POLICY_H */
