/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the values of an endpoint policy may be: strings, policy variables,
 * ARNs, numbers, dates, CIDRs, principals and actions, checked the way the
 * kernel parses them (policy-values.c). The walk over a document
 * (policy.c) and "policy simulate" (policy-simulate.c) use them.
 */
#ifndef VPCECTL_POLICY_VALUES_H
#define VPCECTL_POLICY_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* How long an element's path in a message may grow. */
#define PATH_MAX_LEN	(2 * VPCE_POLICY_STRING_MAX + 128)

/* What a condition operator's values are. */
enum vkind { V_STR, V_LIKE, V_NUM, V_DATE, V_BOOL, V_IP, V_ARN, V_NULL };

/* "vpcectl: [line N: ]policy: PATH: <message>"; returns -1. */
int __attribute__((format(printf, 2, 3)))
policy_perr(const char *path, const char *fmt, ...);

/* Printable ASCII only. */
bool policy_printable(const char *s);
/* A condition or context key: LEN characters of A-Z a-z 0-9 : / _ . - + = @. */
bool policy_key_valid(const char *s, size_t len);
/* N digits and no other character (and N > 0). */
bool policy_all_digits(const char *s, size_t n);
/* S's policy variables, in a document of VERSION: 0, or -1 after saying why. */
int policy_check_vars(int version, const char *path, const char *s);
/* Six ':'-separated parts, policy variables taken whole. */
bool policy_arn_shaped(int version, const char *s);
bool policy_number_valid(const char *s);
bool policy_date_valid(const char *s);
bool policy_cidr_valid(const char *s);
/* "*" or SERVICE:ACTION (with * and ? wildcards in the action). */
bool policy_action_valid(const char *s);
/* A condition value of operator kind KIND: 0, or -1 after saying why. */
int policy_value_check(int version, enum vkind kind, const char *path,
		       const char *s);
/* A condition value (a JSON scalar) as the text the kernel gets; NULL if none. */
const char *policy_value_text(const json_t *v, char *buf, size_t len);
/*
 * 1: an account root ARN, 2: an IAM user or role ARN, 3: an STS
 * assumed-role session or federated user ARN, 0: none of those (the forms
 * the kernel takes, kmod/vpce_arn.c).
 */
int policy_iam_arn(const char *s, uint64_t *account);

#endif /* VPCECTL_POLICY_VALUES_H */
