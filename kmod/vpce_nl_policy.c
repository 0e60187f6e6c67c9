// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Endpoint policies: VPCE_CMD_POLICY_SIMULATE. (An endpoint's policy is
 * set with the endpoint, in vpce_nl_endpoint.c.)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_nl.h"
#include "vpce_policy.h"

#include <linux/timekeeping.h>
#include <net/genetlink.h>

static int vpce_simulate_reply(struct genl_info *info,
			       const struct vpce_policy *p,
			       enum vpce_decision decision,
			       const unsigned long *matched)
{
	size_t size = nla_total_size(sizeof(u8)) + nla_total_size(0);
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	for_each_set_bit(i, matched, VPCE_POLICY_STATEMENTS_MAX)
		size += nla_total_size(strlen(vpce_policy_sid(p, i)) + 1);
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = vpce_reply_put(msg, info);
	if (!hdr || nla_put_u8(msg, VPCE_A_DECISION, decision))
		goto nospace;
	nest = nla_nest_start(msg, VPCE_A_MATCHED);
	if (!nest)
		goto nospace;
	for_each_set_bit(i, matched, VPCE_POLICY_STATEMENTS_MAX)
		if (nla_put_string(msg, i, vpce_policy_sid(p, i)))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * Compile the policy and evaluate the request exactly as the data path
 * does for a new flow, including the context keys it fills in itself. It
 * touches nothing of the namespace, so it takes no lock: with parallel_ops
 * one caller's simulation delays nobody else's command, and the step budget
 * bounds what each costs.
 */
int vpce_nl_policy_simulate(struct sk_buff *skb, struct genl_info *info)
{
	DECLARE_BITMAP(matched, VPCE_POLICY_STATEMENTS_MAX);
	struct {
		struct vpce_request req;
		struct vpce_arn who;
	} *sim;
	struct vpce_request *req;
	struct vpce_policy *p;
	int ret;

	if (vpce_missing(info, VPCE_A_POLICY, "missing the policy") ||
	    vpce_missing(info, VPCE_A_REQUEST, "missing the request"))
		return -EINVAL;
	p = vpce_policy_build(info->attrs[VPCE_A_POLICY],
			      info->attrs[VPCE_A_POLICY_TEXT], info->extack);
	if (IS_ERR(p))
		return PTR_ERR(p);
	/* Most of a KiB: not for a process's kernel stack. */
	sim = kmalloc(sizeof(*sim), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!sim)
		goto out;
	req = &sim->req;
	ret = vpce_request_parse(req, &sim->who, info->attrs[VPCE_A_REQUEST],
				 info->extack);
	if (ret)
		goto out;
	ret = vpce_request_add_principal(req);
	if (!ret)
		ret = vpce_request_add_time(req, ktime_get_real_seconds());
	if (ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_REQUEST],
				    "too many context keys or values");
		ret = -E2BIG;
		goto out;
	}
	ret = vpce_policy_eval(p, req, matched);
	if (ret < 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VPCE_A_POLICY],
				    "policy too complex to evaluate");
		goto out;
	}
	ret = vpce_simulate_reply(info, p, ret, matched);
out:
	kfree(sim);
	vpce_policy_free(p);
	return ret;
}
