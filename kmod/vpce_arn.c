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
#define VPCE_ARN_STS "arn:aws:sts::"

/* Twelve digits, as AWS account ids are written, at the start of S. */
static int vpce_account_parse(const char *s, u64 *account)
{
	char digits[13];
	unsigned int i;

	for (i = 0; i < 12; i++)
		if (!isdigit(s[i]))
			return -EINVAL;
	memcpy(digits, s, 12);
	digits[12] = '\0';
	return kstrtou64(digits, 10, account) ? -EINVAL : 0;
}

/* A character of IAM and STS names: letters, digits and +=,.@_- */
static bool vpce_iam_char(char c)
{
	return vpce_ascii_alnum(c) || (c && strchr("+=,.@_-", c));
}

/*
 * IAM user and role names, with an optional path: names as above, '/'
 * between path elements.
 */
static bool vpce_iam_name_ok(const char *s)
{
	if (!*s || *s == '/' || s[strlen(s) - 1] == '/')
		return false;
	for (; *s; s++)
		if (!vpce_iam_char(*s) && *s != '/')
			return false;
	return true;
}

/* The length of the STS name at S (up to END or '\0'), 0 if malformed. */
static size_t vpce_sts_name(const char *s, char end, size_t min, size_t max)
{
	size_t n = 0;

	while (s[n] && s[n] != end) {
		if (!vpce_iam_char(s[n]))
			return 0;
		n++;
	}
	return n >= min && n <= max ? n : 0;
}

void vpce_arn_root(u64 account, struct vpce_arn *arn)
{
	memset(arn, 0, sizeof(*arn));
	arn->kind = VPCE_ARN_ROOT;
	arn->account = account;
	snprintf(arn->text, sizeof(arn->text), VPCE_ARN_IAM "%012llu:root",
		 account);
}

/* What follows "arn:aws:iam::ACCOUNT:". */
static int vpce_arn_iam(const char *rest, struct vpce_arn *arn)
{
	if (!strcmp(rest, "root"))
		arn->kind = VPCE_ARN_ROOT;
	else if (!strncmp(rest, "user/", 5) && vpce_iam_name_ok(rest + 5))
		arn->kind = VPCE_ARN_USER;
	else if (!strncmp(rest, "role/", 5) && vpce_iam_name_ok(rest + 5))
		arn->kind = VPCE_ARN_ROLE;
	else
		return -EINVAL;
	return 0;
}

/*
 * What follows "arn:aws:sts::ACCOUNT:": "assumed-role/ROLE/SESSION" (a
 * role name of 1-64 and a session name of 2-64 characters, as STS allows)
 * or "federated-user/NAME" (2-32). No paths, no wildcards: a principal
 * always names one session (AWS refuses a wildcard session too).
 */
static int vpce_arn_sts(const char *rest, struct vpce_arn *arn)
{
	size_t r, n;

	if (!strncmp(rest, "assumed-role/", 13)) {
		r = vpce_sts_name(rest + 13, '/', 1, 64);
		if (!r || rest[13 + r] != '/')
			return -EINVAL;
		n = vpce_sts_name(rest + 14 + r, '\0', 2, 64);
		if (!n || rest[14 + r + n])
			return -EINVAL;
		arn->kind = VPCE_ARN_SESSION;
		return 0;
	}
	if (!strncmp(rest, "federated-user/", 15)) {
		n = vpce_sts_name(rest + 15, '\0', 2, 32);
		if (!n || rest[15 + n])
			return -EINVAL;
		arn->kind = VPCE_ARN_FEDERATED;
		return 0;
	}
	return -EINVAL;
}

/* Where the names are in the canonical text, for the kinds that have them. */
static void vpce_arn_offsets(struct vpce_arn *arn)
{
	const char *t = arn->text, *rest = t + strlen(VPCE_ARN_IAM) + 13;
	const char *slash = strrchr(t, '/');

	switch (arn->kind) {
	case VPCE_ARN_USER:
	case VPCE_ARN_FEDERATED:
		arn->name = slash + 1 - t;
		arn->name_len = strlen(slash + 1);
		break;
	case VPCE_ARN_ROLE:
		arn->role = slash + 1 - t;
		arn->role_len = strlen(slash + 1);
		break;
	case VPCE_ARN_SESSION:
		arn->role = rest + 13 - t;
		arn->role_len = slash - (rest + 13);
		arn->name = slash + 1 - t;
		arn->name_len = strlen(slash + 1);
		break;
	}
}

int vpce_arn_parse(const char *s, struct vpce_arn *arn)
{
	const char *rest;
	int ret;

	memset(arn, 0, sizeof(*arn));
	if (!strcmp(s, "*")) {
		arn->kind = VPCE_ARN_ANY;
		strscpy(arn->text, "*", sizeof(arn->text));
		return 0;
	}
	if (strlen(s) == 12) {
		if (vpce_account_parse(s, &arn->account))
			return -EINVAL;
		vpce_arn_root(arn->account, arn);
		return 0;
	}
	if (strlen(s) > VPCE_ARN_MAX)
		return -ENAMETOOLONG;
	/* Both prefixes have the same length. */
	if (strncmp(s, VPCE_ARN_IAM, strlen(VPCE_ARN_IAM)) &&
	    strncmp(s, VPCE_ARN_STS, strlen(VPCE_ARN_STS)))
		return -EINVAL;
	rest = s + strlen(VPCE_ARN_IAM);
	if (strlen(rest) < 13 || rest[12] != ':' ||
	    vpce_account_parse(rest, &arn->account))
		return -EINVAL;
	if (s[8] == 'i')
		ret = vpce_arn_iam(rest + 13, arn);
	else
		ret = vpce_arn_sts(rest + 13, arn);
	if (ret)
		return ret;
	strscpy(arn->text, s, sizeof(arn->text));
	vpce_arn_offsets(arn);
	return 0;
}

u8 vpce_arn_layers(const struct vpce_arn *who)
{
	switch (who->kind) {
	case VPCE_ARN_ROOT:
		return VPCE_LAYER_ACCOUNT;
	case VPCE_ARN_ROLE:
		return VPCE_LAYER_ACCOUNT | VPCE_LAYER_ROLE;
	case VPCE_ARN_SESSION:
		return VPCE_LAYER_ACCOUNT | VPCE_LAYER_ROLE | VPCE_LAYER_SELF;
	case VPCE_ARN_USER:
	case VPCE_ARN_FEDERATED:
		return VPCE_LAYER_ACCOUNT | VPCE_LAYER_SELF;
	default:
		return 0;
	}
}

/*
 * The layers of @who (whose account, for the account layer, is
 * @who_account) that a principal entry names. The entry is of KIND in
 * ACCOUNT; S (LEN characters) is its role's name for a role, its whole
 * canonical ARN for a user, session or federated user. "*" names every
 * layer; an account its account layer; a role the role layer of its
 * sessions (and of itself): role names are unique in an account and session
 * ARNs carry no path, so the name is compared, not the path; users,
 * sessions and federated users only themselves, exactly.
 */
u8 vpce_arn_names(u8 kind, u64 account, const char *s, u32 len,
		  const struct vpce_arn *who, u64 who_account)
{
	switch (kind) {
	case VPCE_ARN_ANY:
		return vpce_arn_layers(who);
	case VPCE_ARN_ROOT:
		return account == who_account ? VPCE_LAYER_ACCOUNT : 0;
	case VPCE_ARN_ROLE:
		if ((who->kind != VPCE_ARN_ROLE && who->kind != VPCE_ARN_SESSION) ||
		    who->account != account || who->role_len != len ||
		    memcmp(who->text + who->role, s, len))
			return 0;
		return VPCE_LAYER_ROLE;
	default:
		if (who->kind != kind || strlen(who->text) != len ||
		    memcmp(who->text, s, len))
			return 0;
		return VPCE_LAYER_SELF;
	}
}

/*
 * Whether a permission for @allowed lets @who in: as a Principal of an
 * interface endpoint's policy, it names any layer of @who. So "*" lets
 * everyone in, an account every principal of that account, a role every
 * session of it, a user, session or federated user only itself.
 */
bool vpce_arn_covers(const struct vpce_arn *allowed, const struct vpce_arn *who)
{
	const char *s = allowed->text;
	u32 len = strlen(s);

	if (allowed->kind == VPCE_ARN_ANY)
		return true;
	if (who->kind == VPCE_ARN_ANY)
		return false;
	if (allowed->kind == VPCE_ARN_ROLE) {
		s += allowed->role;
		len = allowed->role_len;
	}
	return vpce_arn_names(allowed->kind, allowed->account, s, len, who,
			      who->account) != 0;
}
