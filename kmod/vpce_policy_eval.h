/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The policy evaluator: a compiled policy (vpce_policy_build(), in
 * vpce_policy.h) against a request, what the packet path runs for every
 * new flow and the simulator for VPCE_CMD_POLICY_SIMULATE. It knows
 * nothing of netlink. See Documentation/policy.md.
 */

#ifndef _VPCE_POLICY_EVAL_H
#define _VPCE_POLICY_EVAL_H

#include "vpce_request.h"

#include <linux/types.h>

struct vpce_policy;

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

#endif /* _VPCE_POLICY_EVAL_H */
