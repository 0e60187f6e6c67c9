// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * IAM principal ARNs: parsing, canonical text, and "covers".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_arn.h"

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>

#define VPCE_ARN_IAM "arn:aws:iam::"

/* Twelve digits, as AWS account ids are written. */
static int vpce_account_parse(const char *s, u64 *account)
{
	unsigned int i;

	for (i = 0; i < 12; i++)
		if (!isdigit(s[i]))
			return -EINVAL;
	return kstrtou64(s, 10, account) ? -EINVAL : 0;
}

/*
 * IAM user and role names, with an optional path: letters, digits and
 * +=,.@_- plus '/' between path elements.
 */
static bool vpce_iam_name_ok(const char *s)
{
	if (!*s || *s == '/' || s[strlen(s) - 1] == '/')
		return false;
	for (; *s; s++)
		if (!vpce_ascii_alnum(*s) && !strchr("+=,.@_-/", *s))
			return false;
	return true;
}

void vpce_arn_root(u64 account, struct vpce_arn *arn)
{
	arn->kind = VPCE_ARN_ROOT;
	arn->account = account;
	snprintf(arn->text, sizeof(arn->text), VPCE_ARN_IAM "%012llu:root",
		 account);
}

int vpce_arn_parse(const char *s, struct vpce_arn *arn)
{
	char digits[13];
	const char *rest;

	memset(arn, 0, sizeof(*arn));
	if (!strcmp(s, "*")) {
		arn->kind = VPCE_ARN_ANY;
		strscpy(arn->text, "*", sizeof(arn->text));
		return 0;
	}
	if (strlen(s) == 12) {
		strscpy(digits, s, sizeof(digits));
	} else {
		if (strncmp(s, VPCE_ARN_IAM, strlen(VPCE_ARN_IAM)))
			return -EINVAL;
		s += strlen(VPCE_ARN_IAM);
		if (strlen(s) < 13 || s[12] != ':')
			return -EINVAL;
		strscpy(digits, s, sizeof(digits));
		rest = s + 13;
		if (!strcmp(rest, "root"))
			arn->kind = VPCE_ARN_ROOT;
		else if (!strncmp(rest, "user/", 5) && vpce_iam_name_ok(rest + 5))
			arn->kind = VPCE_ARN_USER;
		else if (!strncmp(rest, "role/", 5) && vpce_iam_name_ok(rest + 5))
			arn->kind = VPCE_ARN_ROLE;
		else
			return -EINVAL;
	}
	if (vpce_account_parse(digits, &arn->account))
		return -EINVAL;
	if (arn->kind == VPCE_ARN_ANY) {	/* a bare account */
		vpce_arn_root(arn->account, arn);
		return 0;
	}
	if (strscpy(arn->text, VPCE_ARN_IAM, sizeof(arn->text)) < 0 ||
	    strlcat(arn->text, s, sizeof(arn->text)) >= sizeof(arn->text))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Whether a permission for @allowed lets @who in: "*" lets everyone in, an
 * account's root every principal of that account, a user or role only
 * itself.
 */
bool vpce_arn_covers(const struct vpce_arn *allowed, const struct vpce_arn *who)
{
	switch (allowed->kind) {
	case VPCE_ARN_ANY:
		return true;
	case VPCE_ARN_ROOT:
		return who->kind != VPCE_ARN_ANY && who->account == allowed->account;
	default:
		return vpce_arn_eq(allowed, who);
	}
}
