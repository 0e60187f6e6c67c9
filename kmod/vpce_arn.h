/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_ARN_H
#define _VPCE_ARN_H

#include <linux/ctype.h>
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/vpce.h>

/*
 * [A-Za-z0-9], what names, IAM names and key names are made of. The
 * kernel's isalnum() is Latin-1: it also takes 0xc0-0xff (but 0xd7 and
 * 0xf7), which would let bytes that are not even UTF-8 into names that
 * users, save files and JSON output must be able to show.
 */
static inline bool vpce_ascii_alnum(char c)
{
	return isascii(c) && isalnum(c);
}

/*
 * An IAM principal as service permissions, requesters and principal
 * bindings name it: everyone ("*"), an account (its root ARN, which stands
 * for every user and role of the account), or one user or role. The text
 * form is kept too, canonical (a bare account becomes its root ARN), because
 * it is what messages and policy requests carry.
 */
enum vpce_arn_kind {
	VPCE_ARN_ANY,
	VPCE_ARN_ROOT,
	VPCE_ARN_USER,
	VPCE_ARN_ROLE,
};

struct vpce_arn {
	u8 kind;
	u64 account;
	char text[VPCE_ARN_MAX + 1];
};

int vpce_arn_parse(const char *s, struct vpce_arn *arn);
void vpce_arn_root(u64 account, struct vpce_arn *arn);
bool vpce_arn_covers(const struct vpce_arn *allowed,
		     const struct vpce_arn *who);

static inline bool vpce_arn_eq(const struct vpce_arn *a,
			       const struct vpce_arn *b)
{
	return !strcmp(a->text, b->text);
}

#endif /* _VPCE_ARN_H */
