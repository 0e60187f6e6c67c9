/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Endpoint policy documents: read, validated as AWS validates them, and
 * compiled into VPCE_A_POLICY (+ VPCE_A_POLICY_TEXT). See policy.c.
 */
#ifndef VPCECTL_POLICY_H
#define VPCECTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netlink/msg.h>

struct policy;

/*
 * Read the document in PATH ("-" for stdin) and validate it completely.
 * On any problem, prints "vpcectl: policy: ELEMENT: reason" and returns
 * NULL. Call it before opening the netlink socket, so that a bad document
 * sends nothing.
 */
struct policy *policy_load(const char *path);
/* The same for a document given inline ("policy-json TEXT"). */
struct policy *policy_load_text(const char *text);
/* The same for LEN bytes at BUF (NUL bytes refused), named NAME in messages. */
struct policy *policy_load_mem(const void *buf, size_t len, const char *name);
/* Put VPCE_A_POLICY and VPCE_A_POLICY_TEXT into MSG. Cannot fail. */
void policy_put(struct nl_msg *msg, const struct policy *pol);
void policy_free(struct policy *pol);

/*
 * policy_load() + policy_put(): 0, or EXIT_USAGE after printing why (and
 * then MSG should be freed, not sent).
 */
int policy_put_file(struct nl_msg *msg, const char *path);

/*
 * A principal as requests name it: an account (12 digits) or an IAM root,
 * user or role ARN. Writes the ARN form ("arn:aws:iam::ACCOUNT:root" for
 * an account) into OUT and the account into *ACCOUNT; false if S is none.
 */
bool policy_principal_arn(const char *s, char *out, size_t outlen,
			  uint64_t *account);

#endif /* VPCECTL_POLICY_H */
