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
};

/* --- requests ------------------------------------------------------------------- */

void vpce_request_init(struct vpce_request *req, const char *action,
		       const char *resource, const char *principal,
		       u64 account)
{
	req->action = action;
	req->action_len = strlen(action);
	req->resource = resource;
	req->resource_len = strlen(resource);
	req->principal = principal;
	req->account = account;
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

int vpce_request_add_principal(struct vpce_request *req)
{
	int ret = 0;

	if (!vpce_request_has(req, "aws:PrincipalArn"))
		ret = vpce_request_add(req, "aws:PrincipalArn", req->principal);
	if (!ret && !vpce_request_has(req, "aws:PrincipalAccount"))
		ret = vpce_request_addf(req, "aws:PrincipalAccount", "%012llu",
					req->account);
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

int vpce_request_parse(struct vpce_request *req, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPCE_REQ_A_MAX + 1];
	const char *action, *resource, *principal;
	u32 budget = VPCE_REQUEST_BYTES_MAX;
	const struct nlattr *e;
	struct vpce_arn arn;
	u64 account;
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
	/* The ARN itself, not a canonical copy: the request points into the
	 * message, and only IAM ARNs (already canonical) are accepted.
	 */
	if (vpce_arn_parse(principal, &arn) || arn.kind == VPCE_ARN_ANY ||
	    strcmp(arn.text, principal)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPCE_REQ_A_PRINCIPAL],
				    "the principal must be an IAM root, user or role ARN");
		return -EINVAL;
	}
	account = tb[VPCE_REQ_A_ACCOUNT] ?
		nla_get_u64(tb[VPCE_REQ_A_ACCOUNT]) : arn.account;
	vpce_request_init(req, action, resource, principal, account);

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
