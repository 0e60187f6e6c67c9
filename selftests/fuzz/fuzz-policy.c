// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vpcectl's policy parser (userspace/policy.c and
 * policy-values.c), built with ASan and UBSan by "make -C userspace
 * fuzz-policy" and run by scripts/fuzz-policy (briefly in "make check",
 * longer in "make fuzz").
 *
 * Each input is a candidate policy document, given to the parser as
 * "endpoint add ... policy FILE" would. Besides crashes, undefined
 * behaviour and leaks (the sanitizers'), it fails when a document the
 * parser accepts:
 *  - cannot be compiled into attributes (policy_put() ends the program,
 *    which libFuzzer reports),
 *  - is not stored as VPCE_A_POLICY_TEXT exactly as given ("show" and
 *    "save" must return the very text),
 *  - does not round-trip: written out again by jansson and parsed anew,
 *    it must be accepted and compile to the same VPCE_A_POLICY bytes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "vpcectl.h"
#include "policy.h"

/* What policy.c expects of vpcectl (vpcectl.c defines them there). */
const char *err_prefix = "";
const char *cur_cmd = "fuzz-policy";

/* libFuzzer silences the target's stderr (-close_fd_mask=2); not ours. */
static FILE *report;

static void __attribute__((format(printf, 1, 2), noreturn)) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz-policy: ", report);
	vfprintf(report, fmt, ap);
	fputc('\n', report);
	va_end(ap);
	fflush(report);
	abort();
}

/* vpcectl's ways out, never expected while fuzzing: each is a finding. */
#define FINDING(name)							\
void name(const char *fmt, ...)						\
{									\
	char buf[512];							\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vsnprintf(buf, sizeof(buf), fmt, ap);				\
	va_end(ap);							\
	fail(#name ": %s", buf);					\
}

FINDING(die_usage)
FINDING(die_kernel)
FINDING(nl_fatal)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = dup(2);

	(void)argc;
	(void)argv;
	report = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!report)
		report = stderr;
	return 0;
}

/* POL compiled into a message of its own (a request without a family). */
static struct nl_msg *compile(const struct policy *pol)
{
	struct nl_msg *m = nlmsg_alloc_size(256 * 1024);

	if (!m || !nlmsg_put(m, 0, 0, NLMSG_MIN_TYPE, 0, 0))
		fail("out of memory");
	policy_put(m, pol);
	return m;
}

/* LEN bytes at HEAD are whole attributes, nothing left over. */
static void check_stream(struct nlattr *head, int len, const char *what)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_attr(pos, head, len, rem)
		;
	if (rem)
		fail("%s is not a valid attribute stream", what);
}

/* M's top-level attribute TYPE, once M is known to be well formed. */
static struct nlattr *attr(struct nl_msg *m, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct nlattr *a;

	check_stream(nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0), "the request");
	a = nla_find(nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0), type);
	if (a && type == VPCE_A_POLICY)
		check_stream(nla_data(a), nla_len(a), "VPCE_A_POLICY");
	return a;
}

/* DATA (accepted, compiled into M) written out by jansson and read again. */
static void round_trip(const uint8_t *data, size_t size, struct nl_msg *m)
{
	struct nlattr *a = attr(m, VPCE_A_POLICY), *b;
	struct policy *again;
	struct nl_msg *m2;
	json_error_t err;
	json_t *root;
	char *text;

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		fail("accepted, but jansson cannot read it: %s", err.text);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		fail("out of memory");
	/* Written out again it may be longer (1e3 is 1000.0): not a finding. */
	if (strlen(text) > VPCE_POLICY_TEXT_MAX) {
		free(text);
		return;
	}
	again = policy_load_mem(text, strlen(text), "round-trip");
	if (!again)
		fail("accepted, but not once written out again: %s", text);
	m2 = compile(again);
	b = attr(m2, VPCE_A_POLICY);
	if (!a || !b || nla_len(a) != nla_len(b) || memcmp(nla_data(a), nla_data(b), nla_len(a)))
		fail("written out again, it compiles differently: %s", text);
	nlmsg_free(m2);
	policy_free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *pol = policy_load_mem(data, size, "fuzz");
	struct nlattr *text;
	struct nl_msg *m;

	if (!pol)
		return 0;
	m = compile(pol);
	text = attr(m, VPCE_A_POLICY_TEXT);
	if (!attr(m, VPCE_A_POLICY) || !text)
		fail("accepted, but compiled without VPCE_A_POLICY or its text");
	if ((size_t)nla_len(text) != size + 1 || memcmp(nla_data(text), data, size) ||
	    ((const char *)nla_data(text))[size])
		fail("the stored text is not the document as given");
	round_trip(data, size, m);
	nlmsg_free(m);
	policy_free(pol);
	return 0;
}
