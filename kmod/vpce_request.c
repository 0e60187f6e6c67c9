// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Policy requests: built in place by the packet path (vpce_request_init()
 * and vpce_request_add*(), which allocate nothing), or parsed from
 * VPCE_A_REQUEST for the simulator (vpce_request_parse(), the only part
 * that knows netlink attributes).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_policy.h"
#include "vpce_policy_int.h"
#include "vpce_arn.h"

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time.h>

/* --- netlink policies -------------------------------------------------------- */

static const struct nla_policy vpce_ctx_nl_policy[VPCE_CTX_A_MAX + 1] = {
	[VPCE_CTX_A_KEY] = { .type = NLA_NUL_STRING,
			     .len = VPCE_POLICY_STRING_MAX },
	[VPCE_CTX_A_VALUES] = { .type = NLA_NESTED },
};

static struct netlink_range_validation vpce_req_account_range = {
	.max = VPCE_ACCOUNT_MAX,
};

const struct nla_policy vpce_request_nl_policy[VPCE_REQ_A_MAX + 1] = {
	[VPCE_REQ_A_ACTION] = { .type = NLA_NUL_STRING,
				.len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_RESOURCE] = { .type = NLA_NUL_STRING,
				  .len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_PRINCIPAL] = { .type = NLA_NUL_STRING,
				   .len = VPCE_POLICY_STRING_MAX },
	[VPCE_REQ_A_ACCOUNT] = NLA_POLICY_FULL_RANGE(NLA_U64,
						     &vpce_req_account_range),
	[VPCE_REQ_A_CONTEXT] = NLA_POLICY_NESTED_ARRAY(vpce_ctx_nl_policy),
	[VPCE_REQ_A_ENDPOINT_TYPE] = NLA_POLICY_MAX(NLA_U8, VPCE_TYPE_MAX),
};

/* --- requests ------------------------------------------------------------------- */

void vpce_request_init(struct vpce_request *req, const char *action,
		       const char *resource, const struct vpce_arn *who,
		       u64 account, bool gateway)
{
	req->action = action;
	req->action_len = strlen(action);
	req->resource = resource;
	req->resource_len = strlen(resource);
	req->who = who;
	req->account = account;
	req->gateway = gateway;
	req->nkeys = 0;
	req->nvals = 0;
	req->buf_used = 0;
}

bool vpce_request_has(const struct vpce_request *req, const char *key)
{
	return vpce_req_find(req, key, strlen(key)) >= 0;
}

static int vpce_request_add_len(struct vpce_request *req, const char *key,
				const char *value, u32 vlen)
{
	u32 klen = strlen(key);
	int k;

	if (req->nvals == VPCE_REQUEST_VALUES_MAX || vlen > U16_MAX ||
	    klen > U16_MAX)
		return -ENOSPC;
	k = vpce_req_find(req, key, klen);
	if (k < 0) {
		if (req->nkeys == VPCE_REQUEST_KEYS_MAX)
			return -ENOSPC;
		k = req->nkeys++;
		req->keys[k].name = key;
		req->keys[k].len = klen;
	}
	req->vals[req->nvals].s = value;
	req->vals[req->nvals].len = vlen;
	req->vals[req->nvals].key = k;
	req->nvals++;
	return 0;
}

int vpce_request_add(struct vpce_request *req, const char *key,
		     const char *value)
{
	return vpce_request_add_len(req, key, value, strlen(value));
}

int vpce_request_addf(struct vpce_request *req, const char *key,
		      const char *fmt, ...)
{
	u32 room = sizeof(req->buf) - req->buf_used;
	char *s = req->buf + req->buf_used;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(s, room, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= room)
		return -ENOSPC;
	ret = vpce_request_add_len(req, key, s, n);
	if (!ret)
		req->buf_used += n + 1;
	return ret;
}

static const char *const vpce_principal_types[] = {
	[VPCE_ARN_ROOT] = "Account",
	[VPCE_ARN_USER] = "User",
	/* A bound role stands for its sessions, whose names vpce is not told. */
	[VPCE_ARN_ROLE] = "AssumedRole",
	[VPCE_ARN_SESSION] = "AssumedRole",
	[VPCE_ARN_FEDERATED] = "FederatedUser",
};

/*
 * AWS's table of principal keys: aws:PrincipalArn is a session's role (not
 * the session), aws:username exists for IAM users only, and aws:userid is
 * the account for the root user and ACCOUNT:NAME for a federated user. For
 * users and sessions it is IAM's unique id (AIDA..., AROA...:SESSION),
 * which vpce does not know: absent, so that no condition on it can hold by
 * accident.
 */
int vpce_request_add_principal(struct vpce_request *req)
{
	const struct vpce_arn *who = req->who;
	int ret = 0;

	if (!vpce_request_has(req, "aws:PrincipalArn")) {
		if (who->kind == VPCE_ARN_SESSION)
			ret = vpce_request_addf(req, "aws:PrincipalArn",
						"arn:aws:iam::%012llu:role/%.*s",
						who->account, who->role_len,
						who->text + who->role);
		else
			ret = vpce_request_add(req, "aws:PrincipalArn",
					       who->text);
	}
	if (!ret && !vpce_request_has(req, "aws:PrincipalAccount"))
		ret = vpce_request_addf(req, "aws:PrincipalAccount", "%012llu",
					req->account);
	if (!ret && !vpce_request_has(req, "aws:PrincipalType") &&
	    who->kind < ARRAY_SIZE(vpce_principal_types) &&
	    vpce_principal_types[who->kind])
		ret = vpce_request_add(req, "aws:PrincipalType",
				       vpce_principal_types[who->kind]);
	if (!ret && who->kind == VPCE_ARN_USER &&
	    !vpce_request_has(req, "aws:username"))
		ret = vpce_request_add_len(req, "aws:username",
					   who->text + who->name,
					   who->name_len);
	if (ret || vpce_request_has(req, "aws:userid"))
		return ret;
	if (who->kind == VPCE_ARN_ROOT)
		ret = vpce_request_addf(req, "aws:userid", "%012llu",
					who->account);
	else if (who->kind == VPCE_ARN_FEDERATED)
		ret = vpce_request_addf(req, "aws:userid", "%012llu:%.*s",
					who->account, who->name_len,
					who->text + who->name);
	return ret;
}

int vpce_request_add_time(struct vpce_request *req, time64_t now)
{
	struct tm tm;
	int ret = 0;

	if (!vpce_request_has(req, "aws:CurrentTime")) {
		time64_to_tm(now, 0, &tm);
		ret = vpce_request_addf(req, "aws:CurrentTime",
					"%04ld-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year + 1900, tm.tm_mon + 1,
					tm.tm_mday, tm.tm_hour, tm.tm_min,
					tm.tm_sec);
	}
	if (!ret && !vpce_request_has(req, "aws:EpochTime"))
		ret = vpce_request_addf(req, "aws:EpochTime", "%lld",
					(long long)now);
	return ret;
}

/* A request string attribute: printable, within the request's budget. */
static const char *vpce_req_str(const struct nlattr *a, u32 *budget,
				bool allow_empty,
				struct netlink_ext_ack *extack)
{
	const char *s = nla_data(a);
	int l = nla_len(a);

	if (l < 1 || s[l - 1] || strnlen(s, l) != l - 1 ||
	    l - 1 > VPCE_POLICY_STRING_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, a, "expected a NUL-terminated string");
		return NULL;
	}
	if ((l == 1 && !allow_empty) || !vpce_printable(s, l - 1)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "expected a non-empty printable string");
		return NULL;
	}
	if (l - 1 > *budget) {
		NL_SET_ERR_MSG_ATTR(extack, a, "the request is too long");
		return NULL;
	}
	*budget -= l - 1;
	return s;
}

int vpce_request_parse(struct vpce_request *req, struct vpce_arn *who,
		       const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_REQ_A_MAX + 1];
	const char *action, *resource, *principal;
	u32 budget = VPCE_REQUEST_BYTES_MAX;
	const struct nlattr *e;
	u64 account;
	bool gateway;
	int rem, ret;

	ret = nla_parse_nested(tb, VPCE_REQ_A_MAX, nest, vpce_request_nl_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[VPCE_REQ_A_ACTION] || !tb[VPCE_REQ_A_RESOURCE] ||
	    !tb[VPCE_REQ_A_PRINCIPAL]) {
		NL_SET_ERR_ATTR_MISS(extack, nest,
				     !tb[VPCE_REQ_A_ACTION] ? VPCE_REQ_A_ACTION :
				     !tb[VPCE_REQ_A_RESOURCE] ?
				     VPCE_REQ_A_RESOURCE : VPCE_REQ_A_PRINCIPAL);
		NL_SET_ERR_MSG(extack,
			       "a request needs an action, a resource and a principal");
		return -EINVAL;
	}
	action = vpce_req_str(tb[VPCE_REQ_A_ACTION], &budget, false, extack);
	resource = vpce_req_str(tb[VPCE_REQ_A_RESOURCE], &budget, false, extack);
	principal = vpce_req_str(tb[VPCE_REQ_A_PRINCIPAL], &budget, false,
				 extack);
	if (!action || !resource || !principal)
		return -EINVAL;
	/* Only ARNs, which are canonical already: no "*", no bare account. */
	if (vpce_arn_parse(principal, who) || who->kind == VPCE_ARN_ANY ||
	    strcmp(who->text, principal)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_REQ_A_PRINCIPAL],
				    "the principal must be an IAM root, user or role ARN, or an STS assumed-role or federated-user ARN");
		return -EINVAL;
	}
	account = tb[VPCE_REQ_A_ACCOUNT] ?
		nla_get_u64(tb[VPCE_REQ_A_ACCOUNT]) : who->account;
	gateway = tb[VPCE_REQ_A_ENDPOINT_TYPE] &&
		  nla_get_u8(tb[VPCE_REQ_A_ENDPOINT_TYPE]) == VPCE_TYPE_GATEWAY;
	vpce_request_init(req, action, resource, who, account, gateway);

	if (!tb[VPCE_REQ_A_CONTEXT])
		return 0;
	nla_for_each_nested(e, tb[VPCE_REQ_A_CONTEXT], rem) {
		struct nlattr *ctb[VPCE_CTX_A_MAX + 1];
		const struct nlattr *v;
		const char *key;
		int vrem, n = 0;

		ret = nla_parse_nested(ctb, VPCE_CTX_A_MAX, e,
				       vpce_ctx_nl_policy, extack);
		if (ret)
			return ret;
		if (!ctb[VPCE_CTX_A_KEY] || !ctb[VPCE_CTX_A_VALUES]) {
			NL_SET_ERR_ATTR_MISS(extack, e, ctb[VPCE_CTX_A_KEY] ?
					     VPCE_CTX_A_VALUES :
					     VPCE_CTX_A_KEY);
			NL_SET_ERR_MSG(extack,
				       "a context entry needs a key and values");
			return -EINVAL;
		}
		key = vpce_req_str(ctb[VPCE_CTX_A_KEY], &budget, false, extack);
		if (!key)
			return -EINVAL;
		if (!vpce_key_valid(key, strlen(key))) {
			NL_SET_ERR_MSG_ATTR(extack, ctb[VPCE_CTX_A_KEY],
					    "invalid context key");
			return -EINVAL;
		}
		nla_for_each_nested(v, ctb[VPCE_CTX_A_VALUES], vrem) {
			const char *s = vpce_req_str(v, &budget, true, extack);

			if (!s)
				return -EINVAL;
			if (vpce_request_add(req, key, s)) {
				NL_SET_ERR_MSG_ATTR(extack, v,
						    "too many context keys or values");
				return -E2BIG;
			}
			n++;
		}
		if (vrem > 0 || !n) {
			NL_SET_ERR_MSG_ATTR(extack, ctb[VPCE_CTX_A_VALUES],
					    "a context key needs one or more values");
			return -EINVAL;
		}
	}
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_REQ_A_CONTEXT],
				    "trailing bytes in a nested array");
		return -EINVAL;
	}
	return 0;
}
