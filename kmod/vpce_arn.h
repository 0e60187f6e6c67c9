/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 */

#ifndef _VPCE_ARN_H
#define _VPCE_ARN_H

#include <linux/bits.h>
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
 * An IAM principal as service permissions, requesters, principal bindings
 * and policies name it: everyone ("*"), an account (its root ARN), an IAM
 * user, an IAM role, a session of a role (an assumed-role ARN of STS), or an
 * STS federated user. The text form is kept too, canonical (a bare account
 * becomes its root ARN), because it is what messages and policy requests
 * carry; the offsets say where the names are in it.
 */
enum vpce_arn_kind {
	VPCE_ARN_ANY,
	VPCE_ARN_ROOT,
	VPCE_ARN_USER,		/* arn:aws:iam::ACCOUNT:user/PATH/NAME */
	VPCE_ARN_ROLE,		/* arn:aws:iam::ACCOUNT:role/PATH/NAME */
	VPCE_ARN_SESSION,	/* arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME */
	VPCE_ARN_FEDERATED,	/* arn:aws:sts::ACCOUNT:federated-user/NAME */
};

/*
 * What a caller is made of, outermost first: every caller belongs to an
 * account; a role's session also to its role; a user, a session and a
 * federated user are themselves (SELF). A root caller is just its account.
 * Policies match principals against these layers (vpce_arn_names()).
 */
#define VPCE_LAYER_ACCOUNT	BIT(0)
#define VPCE_LAYER_ROLE		BIT(1)
#define VPCE_LAYER_SELF		BIT(2)

struct vpce_arn {
	u8 kind;
	u8 role, role_len;	/* ROLE, SESSION: the role's name in text */
	u8 name, name_len;	/* USER, SESSION, FEDERATED: the last name */
	u64 account;
	char text[VPCE_ARN_MAX + 1];
};

int vpce_arn_parse(const char *s, struct vpce_arn *arn);
void vpce_arn_root(u64 account, struct vpce_arn *arn);
bool vpce_arn_covers(const struct vpce_arn *allowed,
		     const struct vpce_arn *who);
u8 vpce_arn_layers(const struct vpce_arn *who);
u8 vpce_arn_names(u8 kind, u64 account, const char *s, u32 len,
		  const struct vpce_arn *who, u64 who_account);

static inline bool vpce_arn_eq(const struct vpce_arn *a,
			       const struct vpce_arn *b)
{
	return !strcmp(a->text, b->text);
}

#endif /* _VPCE_ARN_H */
