// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl policy simulate: a document (validated and compiled by policy.c)
 * and a request, evaluated by the kernel's own evaluator.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vpcectl.h"
#include "policy.h"
#include "policy-values.h"

static const char *const decision_names[__VPCE_DECISION_MAX] = {
	[VPCE_DECISION_IMPLICIT_DENY] = "implicitDeny",
	[VPCE_DECISION_ALLOWED] = "allowed",
	[VPCE_DECISION_EXPLICIT_DENY] = "explicitDeny",
};

static json_t *simulate_parse(struct nlattr **tb)
{
	json_t *matched;

	if (!tb[VPCE_A_DECISION] || nla_get_u8(tb[VPCE_A_DECISION]) > VPCE_DECISION_MAX)
		return NULL;
	matched = json_nested_array(tb[VPCE_A_MATCHED], json_attr_str);
	if (!matched)
		return NULL;
	return json_pack("{s:s, s:o}", "decision",
			 decision_names[nla_get_u8(tb[VPCE_A_DECISION])],
			 "matched", matched);
}

struct ctx_entry {
	const char *key;
	size_t klen;
	const char *values[VPCE_REQUEST_VALUES_MAX];
	int n;
};

static int policy_simulate(struct args *a)
{
	bool has_doc = false, has_princ = false, has_acct = false,
	     has_act = false, has_res = false, has_type = false;
	struct ctx_entry ctx[VPCE_REQUEST_KEYS_MAX];
	const char *doc = NULL, *action = NULL, *resource = NULL, *w;
	char arn[VPCE_POLICY_STRING_MAX + 1] = "";
	uint64_t account = 0, arn_account = 0;
	int nkeys = 0, nvals = 0, type = VPCE_TYPE_INTERFACE, i, ret;
	struct nlattr *req;
	struct policy *pol;
	json_t *out, *res;
	struct nl_msg *m;

	while ((w = arg_next(a))) {
		if (kw_is(w, "document")) {
			arg_once(&has_doc, w);
			doc = arg_value(a, w, "FILE");
		} else if (kw_is(w, "principal")) {
			const char *p;

			arg_once(&has_princ, w);
			p = parse_arn(arg_value(a, w, "ARN"), false);
			if (!policy_principal_arn(p, arn, sizeof(arn), &arn_account))
				die_usage("invalid principal \"%s\"", p);
		} else if (kw_is(w, "account")) {
			arg_once(&has_acct, w);
			account = parse_account(arg_value(a, w, "ACCOUNT"));
		} else if (kw_is(w, "endpoint-type")) {
			arg_once(&has_type, w);
			type = parse_type(arg_value(a, w, "interface|gateway"));
		} else if (kw_is(w, "action")) {
			arg_once(&has_act, w);
			action = arg_value(a, w, "ACTION");
		} else if (kw_is(w, "resource")) {
			arg_once(&has_res, w);
			resource = arg_value(a, w, "RESOURCE");
		} else if (kw_is(w, "context")) {
			const char *kv = arg_value(a, w, "KEY=VALUE"), *eq;

			eq = strchr(kv, '=');
			if (!eq || !policy_key_valid(kv, eq - kv))
				die_usage("invalid context \"%s\": expected KEY=VALUE with KEY of A-Z a-z 0-9 : / _ . - + = @",
					  kv);
			if (!policy_printable(eq + 1))
				die_usage("invalid context \"%s\": the value must be printable ASCII",
					  kv);
			if (eq - kv > VPCE_POLICY_STRING_MAX ||
			    strlen(eq + 1) > VPCE_POLICY_STRING_MAX)
				die_usage("invalid context \"%.32s...\": longer than %d characters",
					  kv, VPCE_POLICY_STRING_MAX);
			for (i = 0; i < nkeys; i++)
				if (ctx[i].klen == (size_t)(eq - kv) &&
				    !strncasecmp(ctx[i].key, kv, eq - kv))
					break;
			if (i == nkeys) {
				if (nkeys == VPCE_REQUEST_KEYS_MAX)
					die_usage("too many context keys (at most %d)",
						  VPCE_REQUEST_KEYS_MAX);
				ctx[nkeys].key = kv;
				ctx[nkeys].klen = eq - kv;
				ctx[nkeys++].n = 0;
			}
			if (++nvals > VPCE_REQUEST_VALUES_MAX)
				die_usage("too many context values (at most %d)",
					  VPCE_REQUEST_VALUES_MAX);
			ctx[i].values[ctx[i].n++] = eq + 1;
		} else {
			arg_unknown(w);
		}
	}
	arg_required(has_doc, "document");
	arg_required(has_princ, "principal");
	arg_required(has_act, "action");
	arg_required(has_res, "resource");
	if (!has_acct)
		account = arn_account;
	if (!action || !resource || !doc)
		return EXIT_USAGE;	/* arg_required() has said why */
	if (!*action || !policy_printable(action) || !*resource || !policy_printable(resource) ||
	    strlen(action) > VPCE_POLICY_STRING_MAX ||
	    strlen(resource) > VPCE_POLICY_STRING_MAX)
		die_usage("%s: the action and the resource must be 1-%d printable ASCII characters",
			  cur_cmd, VPCE_POLICY_STRING_MAX);

	pol = policy_load(doc);
	if (!pol)
		return EXIT_USAGE;
	m = nl_new(VPCE_CMD_POLICY_SIMULATE, false);
	policy_put(m, pol);
	policy_free(pol);
	req = nl_nest(m, VPCE_A_REQUEST);
	nl_put_str(m, VPCE_REQ_A_ACTION, action);
	nl_put_str(m, VPCE_REQ_A_RESOURCE, resource);
	nl_put_str(m, VPCE_REQ_A_PRINCIPAL, arn);
	nl_put_u64(m, VPCE_REQ_A_ACCOUNT, account);
	nl_put_u8(m, VPCE_REQ_A_ENDPOINT_TYPE, type);
	if (nkeys) {
		char key[VPCE_POLICY_STRING_MAX + 1];
		struct nlattr *cnest = nl_nest(m, VPCE_REQ_A_CONTEXT);

		for (i = 0; i < nkeys; i++) {
			struct nlattr *e = nl_nest(m, i), *vals;
			int j;

			memcpy(key, ctx[i].key, ctx[i].klen);
			key[ctx[i].klen] = '\0';
			nl_put_str(m, VPCE_CTX_A_KEY, key);
			vals = nl_nest(m, VPCE_CTX_A_VALUES);
			for (j = 0; j < ctx[i].n; j++)
				nl_put_str(m, j, ctx[i].values[j]);
			nl_nest_end(m, vals);
			nl_nest_end(m, e);
		}
		nl_nest_end(m, cnest);
	}
	nl_nest_end(m, req);

	out = json_array();
	ret = nl_query(m, simulate_parse, out);
	if (ret) {
		json_decref(out);
		return ret;
	}
	res = json_array_get(out, 0);
	if (!res) {
		json_decref(out);
		die_kernel("%s: no answer from the kernel", cur_cmd);
	}
	if (opt_json)
		json_dumpf(res, stdout, opt_pretty ? JSON_INDENT(2) : JSON_COMPACT);
	else
		fputs(jstr(res, "decision"), stdout);
	putchar('\n');
	json_decref(out);
	fflush(stdout);
	return 0;
}

static const struct command policy_cmds[] = {
	{ "simulate", { "sim" }, policy_simulate },
	{ NULL }
};

const struct object policy_object = {
	.name = "policy",
	.usage =
	"policy simulate document FILE|- principal ARN [account ACCOUNT]\n"
	"        [endpoint-type interface|gateway] action ACTION\n"
	"        resource RESOURCE [context KEY=VALUE]...\n",
	.cmds = policy_cmds,
};
