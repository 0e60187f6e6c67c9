// SPDX-License-Identifier: GPL-2.0
/*
 * nlbad: send deliberately malformed requests to the "vpce" generic netlink
 * family and check that each one is refused with an errno and an extended
 * ack message, that well-formed requests still work, that unprivileged
 * callers are refused, and that dumps notice concurrent changes.
 *
 *   nlbad -d DEV1 -D DEV2 [all] [PATTERN]
 *	Creates a small fixture (objects named nlbad-*), runs every case of
 *	the table below whose name contains PATTERN, deletes the fixture.
 *	DEV1 and DEV2 are devices of this netns not bound to any VPC.
 *   nlbad [-d DEV] [-v VPC] [-s SVC] [-e EP] [-t ADDR] perm
 *	Run without CAP_NET_ADMIN in the netns's user namespace: every
 *	command, GETs, dumps and the simulator included, must fail with
 *	EPERM. The names are existing objects to aim the DEL and GET
 *	requests at (defaults: names that don't exist).
 *   nlbad dumpintr DEV...
 *	Creates one VPC per device, reads a VPC dump one datagram at a time
 *	and changes the table in the middle: the rest of the dump must carry
 *	NLM_F_DUMP_INTR, or the dump must be a consistent snapshot.
 *   nlbad list
 *	Prints the names of the table's cases.
 *
 * Output: one line per case, "ok CASE ..." or "FAIL CASE ...". Exit status 0
 * if every case behaved, 1 if any did not, 2 on usage or setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <uapi/linux/vpce.h>

#ifndef NLMSGERR_ATTR_MISS_TYPE
#define NLMSGERR_ATTR_MISS_TYPE 5
#define NLMSGERR_ATTR_MISS_NEST 6
#endif

/* --- request description ------------------------------------------------ */

enum kind {
	K_NONE,		/* terminates a list */
	K_U8, K_U16, K_U32, K_U64,
	K_STR,		/* NUL-terminated string */
	K_BIN,		/* raw bytes: s, len */
	K_IP4,		/* 4 bytes, network order, from v */
	K_NEST,		/* open a nest with NLA_F_NESTED */
	K_RNEST,	/* open a nest without NLA_F_NESTED */
	K_END,		/* close the innermost nest */
	K_DEV1, K_DEV2,	/* u32: ifindex of -d / -D */
	K_REP,		/* repeat up to K_ENDREP v times */
	K_ENDREP,
	K_CTR16,	/* u16: v + repetition index */
	K_CTRIP,	/* IPv4: v + repetition index */
	K_CTRZONE,	/* string "zN", N the repetition index */
	K_FAMILY,	/* u16: the vpce family's id */
	K_LONGSTR,	/* string of v 'x' characters */
	K_MARK,		/* the next attribute is the one the request is
			 * wrong about: the kernel may point at it */
};

struct at {
	unsigned char kind;
	uint16_t type;
	uint64_t v;
	const char *s;
	unsigned int len;
};

#define U8(t, x)	{ .kind = K_U8, .type = (t), .v = (x) }
#define U16(t, x)	{ .kind = K_U16, .type = (t), .v = (x) }
#define U32(t, x)	{ .kind = K_U32, .type = (t), .v = (x) }
#define U64(t, x)	{ .kind = K_U64, .type = (t), .v = (x) }
#define STR(t, x)	{ .kind = K_STR, .type = (t), .s = (x) }
#define BIN(t, x, l)	{ .kind = K_BIN, .type = (t), .s = (x), .len = (l) }
#define IP4(t, a, b, c, d) { .kind = K_IP4, .type = (t), \
	.v = ((uint64_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d) }
#define NEST(t)		{ .kind = K_NEST, .type = (t) }
#define RNEST(t)	{ .kind = K_RNEST, .type = (t) }
#define END		{ .kind = K_END }
#define DEV1(t)		{ .kind = K_DEV1, .type = (t) }
#define DEV2(t)		{ .kind = K_DEV2, .type = (t) }
#define REP(n)		{ .kind = K_REP, .v = (n) }
#define ENDREP		{ .kind = K_ENDREP }
#define CTR16(t, x)	{ .kind = K_CTR16, .type = (t), .v = (x) }
#define CTRIP(t, a, b, c, d) { .kind = K_CTRIP, .type = (t), \
	.v = ((uint64_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d) }
#define CTRZONE(t)	{ .kind = K_CTRZONE, .type = (t) }
#define FAMILY(t)	{ .kind = K_FAMILY, .type = (t) }
#define FLAG(t)		{ .kind = K_BIN, .type = (t), .s = "", .len = 0 }
#define LONGSTR(t, n)	{ .kind = K_LONGSTR, .type = (t), .v = (n) }
/* Marks the attribute(s) the request is wrong about. */
#define BAD(...)	{ .kind = K_MARK }, __VA_ARGS__

#define ATTRS(...)	((const struct at[]){ __VA_ARGS__, { .kind = K_NONE } })
#define NOATTRS		((const struct at[]){ { .kind = K_NONE } })

/* Expected outcome: success, any error, or one errno. */
#define WANT_OK	(-1)
#define WANT_ERR	0

/* Case options. */
#define O_NOMSG	0x01	/* the refusal comes from genetlink itself: no msg */
#define O_RESV	0x02	/* set genlmsghdr.reserved */
#define O_VER	0x04	/* genlmsghdr.version = 99 */
#define O_SHORT	0x08	/* cut the message inside the genl header */
#define O_INFO	0x10	/* only record the outcome */
#define O_QUIET	0x20	/* best-effort cleanup: no output, never fails */
#define O_CTRL	0x40	/* a request to nlctrl (about vpce), not to vpce */

struct tcase {
	const char *name;
	uint8_t cmd;
	uint16_t nlflags;	/* NLM_F_DUMP, or garbage */
	int want;		/* WANT_OK, WANT_ERR or an errno */
	unsigned int opt;
	uint16_t miss;		/* NLMSGERR_ATTR_MISS_TYPE, if reported */
	const struct at *attrs;
};

/* --- values -------------------------------------------------------------- */

#define ACC_VPC		111122223333ULL
#define ACC_SVC		444455556666ULL
#define VPC		"nlbad-vpc"
#define SVC		"nlbad-svc"
#define EP		"nlbad-ep"
#define AZ1		"nlbad-az1"
#define AZ2		"nlbad-az2"
#define AZ_NONE		"nlbad-az9"
#define NEWVPC		"nlbad-new"
#define NEWSVC		"nlbad-new-svc"
#define NEWEP		"nlbad-new-ep"
#define EP_ID		"vpce-0123456789abcdef0"	/* the fixture endpoint's */
#define MISSING		"nlbad-missing"

#define N32 "abcdefghij-ABCDEFGHIJ.0123456789"
#define N64 N32 N32				/* longest valid name */
#define N65 N64 "x"
#define N200 N64 N64 N64 "abcdefgh"

/* Well-formed pieces. */
#define A_NAME(x)	STR(VPCE_A_NAME, x)
#define A_ACC(x)	U64(VPCE_A_ACCOUNT, x)
#define DEVS_2		NEST(VPCE_A_DEVICES), NEST(0), DEV2(VPCE_DEV_A_IFINDEX), \
			END, END
#define LISTENER(p, n)	NEST(0), U8(VPCE_LISTENER_A_PROTO, p), \
			U16(VPCE_LISTENER_A_PORT, n), END
#define LIS_OK		NEST(VPCE_A_LISTENERS), LISTENER(6, 80), END
#define ONE_LIS(p, n)	NEST(VPCE_A_LISTENER), U8(VPCE_LISTENER_A_PROTO, p), \
			U16(VPCE_LISTENER_A_PORT, n), END
#define ADDR_EL(a, b, c, d, z) NEST(0), IP4(VPCE_ADDR_A_IPV4, a, b, c, d), \
			STR(VPCE_ADDR_A_ZONE, z), END
#define NLBS_OK		NEST(VPCE_A_NLBS), ADDR_EL(192, 0, 2, 11, AZ1), END
#define T_ADDR(a, b, c, d, z) NEST(VPCE_A_ADDR), \
			IP4(VPCE_ADDR_A_IPV4, a, b, c, d), \
			STR(VPCE_ADDR_A_ZONE, z), END
#define T_ADDR_OK	T_ADDR(198, 51, 100, 2, AZ1)
#define EP_ADDRS_OK	NEST(VPCE_A_ADDRS), ADDR_EL(10, 99, 0, 11, AZ1), END
#define PFX_EL(a, b, c, d, l) NEST(0), IP4(VPCE_ADDR_A_IPV4, a, b, c, d), \
			U8(VPCE_ADDR_A_PREFIX_LEN, l), END
#define GW		U8(VPCE_A_TYPE, VPCE_TYPE_GATEWAY)
#define PFXS_OK		NEST(VPCE_A_PREFIXES), PFX_EL(203, 0, 113, 0, 24), END

/* Policies and requests (VPCE_CMD_POLICY_SIMULATE). */
#define STRARR(t, x)	NEST(t), STR(0, x), END
#define STMT_BODY	U8(VPCE_STMT_A_EFFECT, VPCE_EFFECT_ALLOW), \
			STRARR(VPCE_STMT_A_PRINCIPALS, "*"), \
			STRARR(VPCE_STMT_A_ACTIONS, "*"), \
			STRARR(VPCE_STMT_A_RESOURCES, "*")
#define STMT(...)	NEST(0), __VA_ARGS__, END
#define POL_V(v, ...)	NEST(VPCE_A_POLICY), U8(VPCE_POLICY_A_VERSION, v), \
			NEST(VPCE_POLICY_A_STATEMENTS), __VA_ARGS__, END, END
#define POL(...)	POL_V(VPCE_POLICY_VERSION_2012_10_17, __VA_ARGS__)
#define POL_OK		POL(STMT(STMT_BODY))
#define COND(op, key, val) NEST(0), U8(VPCE_COND_A_OP, op), \
			STR(VPCE_COND_A_KEY, key), \
			STRARR(VPCE_COND_A_VALUES, val), END
#define STMT_COND(...)	STMT(STMT_BODY, NEST(VPCE_STMT_A_CONDITIONS), \
			     __VA_ARGS__, END)
#define REQ_HEAD	STR(VPCE_REQ_A_ACTION, "vpce:Connect"), \
			STR(VPCE_REQ_A_RESOURCE, "arn:aws:ec2:local:1:x")
#define REQ_PRINC	STR(VPCE_REQ_A_PRINCIPAL, "arn:aws:iam::111122223333:root")
#define REQ(...)	NEST(VPCE_A_REQUEST), __VA_ARGS__, END
#define REQ_OK		REQ(REQ_HEAD, REQ_PRINC)

/* Bodies that are valid except where a case says otherwise. */
#define VPC_ADD(...)	ATTRS(__VA_ARGS__)
#define SVC_HEAD	A_NAME(NEWSVC), A_ACC(ACC_SVC)
#define EP_HEAD		A_NAME(NEWEP), STR(VPCE_A_VPC, VPC), \
			STR(VPCE_A_SERVICE, SVC)

/* --- the fixture ----------------------------------------------------------- */

static const struct tcase setup[] = {
	{ "setup/vpc_add", VPCE_CMD_VPC_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(VPC), A_ACC(ACC_VPC),
		NEST(VPCE_A_DEVICES), NEST(0), DEV1(VPCE_DEV_A_IFINDEX), END,
		END) },
	{ "setup/vpc_add_dev2", VPCE_CMD_VPC_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME("nlbad-tmp"), A_ACC(ACC_VPC), DEVS_2) },
	{ "setup/vpc_del_dev2", VPCE_CMD_VPC_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME("nlbad-tmp")) },
	{ "setup/service_add", VPCE_CMD_SERVICE_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), A_ACC(ACC_SVC), U8(VPCE_A_TYPE, VPCE_TYPE_INTERFACE),
		NEST(VPCE_A_LISTENERS),
		  NEST(0), U8(VPCE_LISTENER_A_PROTO, 6),
		    U16(VPCE_LISTENER_A_PORT, 80),
		    U16(VPCE_LISTENER_A_TARGET_PORT, 8080), END,
		  LISTENER(17, 53),
		END,
		NEST(VPCE_A_NLBS),
		  ADDR_EL(192, 0, 2, 1, AZ1), ADDR_EL(192, 0, 2, 2, AZ2),
		END) },
	{ "setup/target_add", VPCE_CMD_TARGET_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		U16(VPCE_A_WEIGHT, 5)) },
	{ "setup/service_allow", VPCE_CMD_SERVICE_ALLOW, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), STR(VPCE_A_PRINCIPAL, "*")) },
	{ "setup/endpoint_add", VPCE_CMD_ENDPOINT_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(EP), STR(VPCE_A_VPC, VPC), STR(VPCE_A_SERVICE, SVC),
		U8(VPCE_A_TYPE, VPCE_TYPE_INTERFACE), STR(VPCE_A_ENDPOINT_ID, EP_ID),
		NEST(VPCE_A_ADDRS),
		  ADDR_EL(10, 99, 0, 10, AZ1), ADDR_EL(10, 99, 0, 20, AZ2),
		END) },
	{ "setup/vpc_get", VPCE_CMD_VPC_GET, 0, WANT_OK, 0, 0, ATTRS(A_NAME(VPC)) },
	{ "setup/service_get", VPCE_CMD_SERVICE_GET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC)) },
	{ "setup/endpoint_get", VPCE_CMD_ENDPOINT_GET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(EP)) },
	{ "setup/vpc_dump", VPCE_CMD_VPC_GET, NLM_F_DUMP, WANT_OK, 0, 0, NOATTRS },
	{ "setup/service_dump", VPCE_CMD_SERVICE_GET, NLM_F_DUMP, WANT_OK, 0, 0,
	  NOATTRS },
	{ "setup/target_dump", VPCE_CMD_TARGET_GET, NLM_F_DUMP, WANT_OK, 0, 0,
	  NOATTRS },
	{ "setup/target_dump_svc", VPCE_CMD_TARGET_GET, NLM_F_DUMP, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC)) },
	{ "setup/endpoint_dump", VPCE_CMD_ENDPOINT_GET, NLM_F_DUMP, WANT_OK, 0, 0,
	  NOATTRS },
	/* Anyone may read the family's policies (`genl policy`, ynl): the
	 * same code reports a rejected attribute's policy in extacks. */
	{ "setup/ctrl_getpolicy", CTRL_CMD_GETPOLICY, NLM_F_DUMP, WANT_OK, O_CTRL,
	  0, ATTRS(FAMILY(CTRL_ATTR_FAMILY_ID)) },
};

static const struct tcase teardown[] = {
	/* Whatever a wrongly accepted case may have created. */
	{ "cleanup/ep", VPCE_CMD_ENDPOINT_DEL, 0, WANT_OK, O_QUIET, 0,
	  ATTRS(A_NAME(NEWEP)) },
	{ "cleanup/ep64", VPCE_CMD_ENDPOINT_DEL, 0, WANT_OK, O_QUIET, 0,
	  ATTRS(A_NAME(N64)) },
	{ "teardown/endpoint_del", VPCE_CMD_ENDPOINT_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(EP)) },
	{ "teardown/target_del", VPCE_CMD_TARGET_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1)) },
	{ "teardown/service_del", VPCE_CMD_SERVICE_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC)) },
	{ "teardown/vpc_del", VPCE_CMD_VPC_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(VPC)) },
	{ "teardown/vpc_gone", VPCE_CMD_VPC_GET, 0, ENOENT, 0, 0,
	  ATTRS(A_NAME(VPC)) },
	{ "cleanup/vpc", VPCE_CMD_VPC_DEL, 0, WANT_OK, O_QUIET, 0,
	  ATTRS(A_NAME(NEWVPC)) },
	{ "cleanup/vpc64", VPCE_CMD_VPC_DEL, 0, WANT_OK, O_QUIET, 0,
	  ATTRS(A_NAME(N64)) },
	{ "cleanup/svc", VPCE_CMD_SERVICE_DEL, 0, WANT_OK, O_QUIET, 0,
	  ATTRS(A_NAME(NEWSVC)) },
};

/* --- the cases ------------------------------------------------------------- */

static const struct tcase cases[] = {
	/* genetlink header */
	{ "hdr/reserved_nonzero", VPCE_CMD_VPC_GET, NLM_F_DUMP, WANT_ERR, O_RESV, 0,
	  NOATTRS },
	{ "hdr/reserved_nonzero_do", VPCE_CMD_VPC_ADD, 0, WANT_ERR, O_RESV, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2) },
	/* NLM_F_CREATE and NLM_F_ROOT (half of NLM_F_DUMP) mean nothing here. */
	{ "hdr/nlmsg_flags_create", VPCE_CMD_VPC_ADD, NLM_F_CREATE, EINVAL, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2) },
	{ "hdr/nlmsg_flags_root", VPCE_CMD_VPC_GET, NLM_F_ROOT, EINVAL, 0, 0,
	  ATTRS(A_NAME(VPC)) },
	{ "hdr/cmd_unspec", VPCE_CMD_UNSPEC, 0, EOPNOTSUPP, O_NOMSG, 0, NOATTRS },
	{ "hdr/cmd_unknown", VPCE_CMD_MAX + 1, 0, EOPNOTSUPP, O_NOMSG, 0,
	  NOATTRS },
	{ "hdr/cmd_255", 255, 0, EOPNOTSUPP, O_NOMSG, 0, NOATTRS },
	{ "hdr/truncated_genlhdr", VPCE_CMD_VPC_GET, NLM_F_DUMP, EINVAL,
	  O_SHORT | O_NOMSG, 0, NOATTRS },
	{ "hdr/dump_of_add", VPCE_CMD_VPC_ADD, NLM_F_DUMP, WANT_ERR, O_NOMSG, 0,
	  NOATTRS },
	{ "hdr/version_99", VPCE_CMD_VPC_GET, NLM_F_DUMP, WANT_OK, O_VER | O_INFO, 0,
	  NOATTRS },

	/* VPC_ADD */
	{ "vpc_add/name_no_nul", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(BIN(VPCE_A_NAME, NEWVPC, sizeof(NEWVPC) - 1)),
		  A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_65", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME(N65)), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_200", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME(N200)), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_slash", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("nlbad/new")), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_space", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("nlbad new")), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_newline", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("nlbad\nnew")), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_8bit", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("nlbad\xc3\xa9")), A_ACC(ACC_VPC), DEVS_2) },
	/* Latin-1 letters: the kernel's isalnum() takes them. */
	{ "vpc_add/name_latin1", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("nlbad\xe9")), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_empty", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(A_NAME("")), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/name_nested", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(NEST(VPCE_A_NAME)), A_NAME(NEWVPC), END, A_ACC(ACC_VPC),
		  DEVS_2) },
	{ "vpc_add/name_u32", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(BAD(U32(VPCE_A_NAME, 0x41414141)), A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/account_u8", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), BAD(U8(VPCE_A_ACCOUNT, 1)), DEVS_2) },
	{ "vpc_add/account_u32", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), BAD(U32(VPCE_A_ACCOUNT, 1)), DEVS_2) },
	{ "vpc_add/account_string", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), BAD(STR(VPCE_A_ACCOUNT, "1111222233")),
		  DEVS_2) },
	{ "vpc_add/account_13_digits", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), BAD(A_ACC(VPCE_ACCOUNT_MAX + 1)), DEVS_2) },
	{ "vpc_add/account_u64_max", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), BAD(A_ACC(UINT64_MAX)), DEVS_2) },
	{ "vpc_add/name_64_account_max_ok", VPCE_CMD_VPC_ADD, 0, WANT_OK, 0, 0,
	  VPC_ADD(A_NAME(N64), A_ACC(VPCE_ACCOUNT_MAX), DEVS_2) },
	{ "vpc_del/name_64_ok", VPCE_CMD_VPC_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(N64)) },
	{ "vpc_add/missing_name", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, VPCE_A_NAME,
	  VPC_ADD(A_ACC(ACC_VPC), DEVS_2) },
	{ "vpc_add/missing_account", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0,
	  VPCE_A_ACCOUNT, VPC_ADD(A_NAME(NEWVPC), DEVS_2) },
	{ "vpc_add/vrf_and_devices", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2,
		  BAD(NEST(VPCE_A_VRF)), DEV2(VPCE_DEV_A_IFINDEX), END) },
	{ "vpc_add/no_attributes", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0, NOATTRS },
	{ "vpc_add/unknown_attr", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2,
		  BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "vpc_add/unknown_attr_high", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2,
		  BAD(U32(0x3fff, 0))) },
	{ "vpc_add/attr_type_0", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC), DEVS_2,
		  BAD(U32(VPCE_A_UNSPEC, 0))) },
	{ "vpc_add/devices_flat", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  BAD(DEV2(VPCE_A_DEVICES))) },
	{ "vpc_add/devices_no_nested_flag", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  BAD(RNEST(VPCE_A_DEVICES)), NEST(0),
		  DEV2(VPCE_DEV_A_IFINDEX), END, END) },
	{ "vpc_add/devices_not_array", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), BAD(DEV2(VPCE_DEV_A_IFINDEX)), END) },
	{ "vpc_add/devices_element_u64", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), BAD(U64(0, 1)), END) },
	{ "vpc_add/devices_empty", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  BAD(NEST(VPCE_A_DEVICES)), END) },
	{ "vpc_add/devices_17", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  BAD(NEST(VPCE_A_DEVICES)),
		    REP(VPCE_DEVICES_MAX + 1), NEST(0),
		      DEV2(VPCE_DEV_A_IFINDEX), END, ENDREP,
		  END) },
	{ "vpc_add/device_twice", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  BAD(NEST(VPCE_A_DEVICES)),
		    NEST(0), DEV2(VPCE_DEV_A_IFINDEX), END,
		    NEST(0), DEV2(VPCE_DEV_A_IFINDEX), END,
		  END) },
	{ "vpc_add/device_missing_ifindex", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0,
	  VPCE_DEV_A_IFINDEX,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), BAD(NEST(0)), END, END) },
	{ "vpc_add/device_ifindex_0", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0),
		  BAD(U32(VPCE_DEV_A_IFINDEX, 0)), END, END) },
	{ "vpc_add/device_no_such_ifindex", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0),
		  BAD(U32(VPCE_DEV_A_IFINDEX, 0x7ffffff0)), END, END) },
	{ "vpc_add/device_ifindex_u8", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0),
		  BAD(U8(VPCE_DEV_A_IFINDEX, 1)), END, END) },
	{ "vpc_add/device_ifindex_nested", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0),
		  BAD(NEST(VPCE_DEV_A_IFINDEX)), DEV2(1), END, END, END) },
	{ "vpc_add/device_unknown_attr", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0), DEV2(VPCE_DEV_A_IFINDEX),
		  BAD(U32(VPCE_DEV_A_MAX + 1, 0)), END, END) },
	{ "vpc_add/device_bound_to_other_vpc", VPCE_CMD_VPC_ADD, 0, WANT_ERR, 0, 0,
	  VPC_ADD(A_NAME(NEWVPC), A_ACC(ACC_VPC),
		  NEST(VPCE_A_DEVICES), NEST(0),
		  BAD(DEV1(VPCE_DEV_A_IFINDEX)), END, END) },
	{ "vpc_add/duplicate_name", VPCE_CMD_VPC_ADD, 0, EEXIST, 0, 0,
	  VPC_ADD(BAD(A_NAME(VPC)), A_ACC(ACC_VPC), DEVS_2) },

	/* VPC_DEL */
	{ "vpc_del/missing_name", VPCE_CMD_VPC_DEL, 0, WANT_ERR, 0, VPCE_A_NAME,
	  NOATTRS },
	{ "vpc_del/no_such_vpc", VPCE_CMD_VPC_DEL, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "vpc_del/has_endpoints", VPCE_CMD_VPC_DEL, 0, EBUSY, 0, 0,
	  ATTRS(A_NAME(VPC)) },
	{ "vpc_del/name_65", VPCE_CMD_VPC_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65))) },
	{ "vpc_del/name_no_nul", VPCE_CMD_VPC_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_NAME, VPC, sizeof(VPC) - 1))) },
	{ "vpc_del/name_u64", VPCE_CMD_VPC_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(U64(VPCE_A_NAME, 0))) },
	{ "vpc_del/unknown_attr", VPCE_CMD_VPC_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(MISSING), BAD(U32(VPCE_A_MAX + 1, 0))) },

	/* VPC_GET */
	{ "vpc_get/no_such_vpc", VPCE_CMD_VPC_GET, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "vpc_get/do_without_name", VPCE_CMD_VPC_GET, 0, WANT_ERR, 0, VPCE_A_NAME,
	  NOATTRS },
	{ "vpc_get/name_65", VPCE_CMD_VPC_GET, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65))) },
	{ "vpc_get/unknown_attr", VPCE_CMD_VPC_GET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(VPC), BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "vpc_dump/unknown_attr", VPCE_CMD_VPC_GET, NLM_F_DUMP, WANT_ERR, 0, 0,
	  ATTRS(BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "vpc_dump/name_not_string", VPCE_CMD_VPC_GET, NLM_F_DUMP, WANT_ERR, 0, 0,
	  ATTRS(BAD(NEST(VPCE_A_NAME)), END) },

	/* SERVICE_ADD */
	{ "service_add/name_no_nul", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_NAME, NEWSVC, sizeof(NEWSVC) - 1)),
		A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },
	{ "service_add/name_65", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65)), A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },
	{ "service_add/name_bad_char", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME("nlbad*svc")), A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },
	{ "service_add/name_empty", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME("")), A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },
	{ "service_add/missing_name", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_A_NAME, ATTRS(A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },
	{ "service_add/missing_account", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_A_ACCOUNT, ATTRS(A_NAME(NEWSVC), LIS_OK, NLBS_OK) },
	{ "service_add/missing_listeners", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_A_LISTENERS, ATTRS(SVC_HEAD, NLBS_OK) },
	{ "service_add/missing_nlbs", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_A_NLBS, ATTRS(SVC_HEAD, LIS_OK) },
	{ "service_add/account_u8", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(NEWSVC), BAD(U8(VPCE_A_ACCOUNT, 4)), LIS_OK, NLBS_OK) },
	{ "service_add/account_13_digits", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(NEWSVC), BAD(A_ACC(1000000000000ULL)), LIS_OK,
		NLBS_OK) },
	{ "service_add/type_out_of_range", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(U8(VPCE_A_TYPE, VPCE_TYPE_MAX + 1)), LIS_OK,
		NLBS_OK) },
	{ "service_add/type_u32", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(U32(VPCE_A_TYPE, 0)), LIS_OK, NLBS_OK) },
	{ "service_add/gateway_listeners", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0, 0,
	  ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_LISTENERS)), LISTENER(6, 80), END,
		PFXS_OK) },
	{ "service_add/gateway_nlbs", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0, 0,
	  ATTRS(SVC_HEAD, GW, PFXS_OK, BAD(NEST(VPCE_A_NLBS)),
		ADDR_EL(192, 0, 2, 11, AZ1), END) },
	{ "service_add/gateway_no_prefixes", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0,
	  VPCE_A_PREFIXES, ATTRS(SVC_HEAD, GW) },
	{ "service_add/interface_prefixes", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NLBS_OK, BAD(NEST(VPCE_A_PREFIXES)),
		PFX_EL(203, 0, 113, 0, 24), END) },
	{ "service_add/gateway_prefixes_empty", VPCE_CMD_SERVICE_ADD, 0, EINVAL,
	  0, 0, ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_PREFIXES)), END) },
	{ "service_add/gateway_prefix_flat", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(SVC_HEAD, GW, BAD(IP4(VPCE_A_PREFIXES, 203, 0, 113, 0))) },
	{ "service_add/gateway_prefix_host_bits", VPCE_CMD_SERVICE_ADD, 0, EINVAL,
	  0, 0, ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_PREFIXES)),
		      PFX_EL(203, 0, 113, 1, 24), END) },
	{ "service_add/gateway_prefix_len_0", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0,
	  0, ATTRS(SVC_HEAD, GW, NEST(VPCE_A_PREFIXES), PFX_EL(0, 0, 0, 0, 0),
		   END) },
	{ "service_add/gateway_prefix_len_33", VPCE_CMD_SERVICE_ADD, 0, EINVAL, 0,
	  0, ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_PREFIXES)),
		   PFX_EL(203, 0, 113, 0, 33), END) },
	{ "service_add/gateway_prefix_len_u16", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR,
	  0, 0, ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_PREFIXES)), NEST(0),
		      IP4(VPCE_ADDR_A_IPV4, 203, 0, 113, 0),
		      U16(VPCE_ADDR_A_PREFIX_LEN, 24), END, END) },
	{ "service_add/gateway_prefixes_overlap", VPCE_CMD_SERVICE_ADD, 0, EINVAL,
	  0, 0, ATTRS(SVC_HEAD, GW, NEST(VPCE_A_PREFIXES),
		      PFX_EL(203, 0, 113, 0, 24), PFX_EL(203, 0, 113, 128, 25),
		      END) },
	{ "service_add/gateway_too_many_prefixes", VPCE_CMD_SERVICE_ADD, 0, E2BIG,
	  0, 0, ATTRS(SVC_HEAD, GW, BAD(NEST(VPCE_A_PREFIXES)),
		      REP(VPCE_PREFIXES_MAX + 1), NEST(0),
		      CTRIP(VPCE_ADDR_A_IPV4, 10, 0, 0, 0),
		      U8(VPCE_ADDR_A_PREFIX_LEN, 32), END, ENDREP, END) },
	{ "service_add/unknown_attr", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NLBS_OK, BAD(U8(VPCE_A_MAX + 1, 0))) },
	{ "service_add/listeners_flat", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(U16(VPCE_A_LISTENERS, 80)), NLBS_OK) },
	{ "service_add/listeners_empty", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(NEST(VPCE_A_LISTENERS)), END, NLBS_OK) },
	{ "service_add/listeners_not_array", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS),
		BAD(U8(VPCE_LISTENER_A_PROTO, 6)),
		U16(VPCE_LISTENER_A_PORT, 80), END, NLBS_OK) },
	{ "service_add/listener_element_u32", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), LISTENER(6, 80),
		   BAD(U32(1, 81)), END, NLBS_OK) },
	{ "service_add/listener_missing_proto", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_LISTENER_A_PROTO,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), BAD(NEST(0)),
		U16(VPCE_LISTENER_A_PORT, 80), END, END, NLBS_OK) },
	{ "service_add/listener_missing_port", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  VPCE_LISTENER_A_PORT,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), BAD(NEST(0)),
		U8(VPCE_LISTENER_A_PROTO, 6), END, END, NLBS_OK) },
	{ "service_add/listener_proto_icmp", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		BAD(U8(VPCE_LISTENER_A_PROTO, 1)),
		U16(VPCE_LISTENER_A_PORT, 80), END, END, NLBS_OK) },
	{ "service_add/listener_proto_sctp", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		BAD(U8(VPCE_LISTENER_A_PROTO, 132)),
		U16(VPCE_LISTENER_A_PORT, 80), END, END, NLBS_OK) },
	{ "service_add/listener_proto_0", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		BAD(U8(VPCE_LISTENER_A_PROTO, 0)),
		U16(VPCE_LISTENER_A_PORT, 80), END, END, NLBS_OK) },
	{ "service_add/listener_proto_u32", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		BAD(U32(VPCE_LISTENER_A_PROTO, 6)),
		U16(VPCE_LISTENER_A_PORT, 80), END, END, NLBS_OK) },
	{ "service_add/listener_port_0", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		U8(VPCE_LISTENER_A_PROTO, 6),
		BAD(U16(VPCE_LISTENER_A_PORT, 0)), END, END, NLBS_OK) },
	{ "service_add/listener_port_u8", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		U8(VPCE_LISTENER_A_PROTO, 6),
		BAD(U8(VPCE_LISTENER_A_PORT, 80)), END, END, NLBS_OK) },
	{ "service_add/listener_port_u32_65536", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR,
	  0, 0, ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		      U8(VPCE_LISTENER_A_PROTO, 6),
		      BAD(U32(VPCE_LISTENER_A_PORT, 65536)), END, END, NLBS_OK) },
	{ "service_add/listener_port_nested", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		   U8(VPCE_LISTENER_A_PROTO, 6),
		   BAD(NEST(VPCE_LISTENER_A_PORT)), U16(1, 80), END,
		   END, END, NLBS_OK) },
	{ "service_add/listener_target_port_0", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		   U8(VPCE_LISTENER_A_PROTO, 6), U16(VPCE_LISTENER_A_PORT, 80),
		   BAD(U16(VPCE_LISTENER_A_TARGET_PORT, 0)), END, END,
		   NLBS_OK) },
	{ "service_add/listener_unknown_attr", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS), NEST(0),
		   U8(VPCE_LISTENER_A_PROTO, 6), U16(VPCE_LISTENER_A_PORT, 80),
		   BAD(U16(VPCE_LISTENER_A_MAX + 1, 0)), END, END, NLBS_OK) },
	{ "service_add/listener_duplicate", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(NEST(VPCE_A_LISTENERS)), LISTENER(6, 80),
		LISTENER(6, 80), END, NLBS_OK) },
	{ "service_add/listeners_51", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, BAD(NEST(VPCE_A_LISTENERS)),
		REP(VPCE_LISTENERS_MAX + 1), NEST(0),
		  U8(VPCE_LISTENER_A_PROTO, 6), CTR16(VPCE_LISTENER_A_PORT, 1000),
		END, ENDREP, END, NLBS_OK) },
	{ "service_add/listeners_50_ok", VPCE_CMD_SERVICE_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(SVC_HEAD, NEST(VPCE_A_LISTENERS),
		REP(VPCE_LISTENERS_MAX), NEST(0),
		  U8(VPCE_LISTENER_A_PROTO, 17),
		  CTR16(VPCE_LISTENER_A_PORT, 1000),
		END, ENDREP, END, NLBS_OK) },
	{ "service_del/listeners_50_ok", VPCE_CMD_SERVICE_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(NEWSVC)) },
	{ "service_add/nlbs_flat", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, BAD(IP4(VPCE_A_NLBS, 192, 0, 2, 11))) },
	{ "service_add/nlbs_empty", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, BAD(NEST(VPCE_A_NLBS)), END) },
	{ "service_add/nlbs_not_array", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS),
		BAD(IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "service_add/nlb_ipv4_3_bytes", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		BAD(BIN(VPCE_ADDR_A_IPV4, "\xc0\x00\x02", 3)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "service_add/nlb_ipv4_8_bytes", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		BAD(U64(VPCE_ADDR_A_IPV4, 0xc000020b)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "service_add/nlb_ipv6_15_bytes", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		BAD(BIN(VPCE_ADDR_A_IPV6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0",
			15)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "service_add/nlb_no_address", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), BAD(NEST(0)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "service_add/nlb_ipv4_and_ipv6", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), BAD(NEST(0)),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		BIN(VPCE_ADDR_A_IPV6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "service_add/nlb_zone_33", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		BAD(STR(VPCE_ADDR_A_ZONE, N32 "x")), END, END) },
	{ "service_add/nlb_zone_bad_char", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		BAD(STR(VPCE_ADDR_A_ZONE, "az#1")), END, END) },
	{ "service_add/nlb_zone_no_nul", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		BAD(BIN(VPCE_ADDR_A_ZONE, "az1", 3)), END, END) },
	{ "service_add/nlb_unknown_attr", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, NEST(VPCE_A_NLBS), NEST(0),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		STR(VPCE_ADDR_A_ZONE, AZ1),
		BAD(U32(VPCE_ADDR_A_MAX + 1, 0)), END, END) },
	{ "service_add/nlb_twice", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, BAD(NEST(VPCE_A_NLBS)),
		ADDR_EL(192, 0, 2, 11, AZ1), ADDR_EL(192, 0, 2, 11, AZ2), END) },
	{ "service_add/nlbs_17", VPCE_CMD_SERVICE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(SVC_HEAD, LIS_OK, BAD(NEST(VPCE_A_NLBS)),
		REP(VPCE_ZONES_MAX + 1), NEST(0),
		  CTRIP(VPCE_ADDR_A_IPV4, 192, 0, 2, 100),
		  CTRZONE(VPCE_ADDR_A_ZONE),
		END, ENDREP, END) },
	{ "service_add/duplicate_name", VPCE_CMD_SERVICE_ADD, 0, EEXIST, 0, 0,
	  ATTRS(BAD(A_NAME(SVC)), A_ACC(ACC_SVC), LIS_OK, NLBS_OK) },

	/* SERVICE_DEL / SERVICE_GET */
	{ "service_del/missing_name", VPCE_CMD_SERVICE_DEL, 0, WANT_ERR, 0,
	  VPCE_A_NAME, NOATTRS },
	{ "service_del/no_such_service", VPCE_CMD_SERVICE_DEL, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "service_del/has_endpoints", VPCE_CMD_SERVICE_DEL, 0, EBUSY, 0, 0,
	  ATTRS(A_NAME(SVC)) },
	{ "service_del/name_65", VPCE_CMD_SERVICE_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65))) },
	{ "service_del/unknown_attr", VPCE_CMD_SERVICE_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(MISSING), BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "service_get/no_such_service", VPCE_CMD_SERVICE_GET, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "service_get/do_without_name", VPCE_CMD_SERVICE_GET, 0, WANT_ERR, 0,
	  VPCE_A_NAME, NOATTRS },
	{ "service_get/name_no_nul", VPCE_CMD_SERVICE_GET, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_NAME, SVC, sizeof(SVC) - 1))) },
	{ "service_dump/unknown_attr", VPCE_CMD_SERVICE_GET, NLM_F_DUMP, WANT_ERR, 0,
	  0, ATTRS(BAD(U32(VPCE_A_MAX + 1, 0))) },

	/* TARGET_ADD */
	{ "target_add/missing_service", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  VPCE_A_SERVICE, ATTRS(T_ADDR_OK) },
	{ "target_add/missing_addr", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  VPCE_A_ADDR, ATTRS(STR(VPCE_A_SERVICE, SVC)) },
	{ "target_add/no_such_service", VPCE_CMD_TARGET_ADD, 0, ENOENT, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, MISSING)), T_ADDR_OK) },
	{ "target_add/service_65", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, N65)), T_ADDR_OK) },
	{ "target_add/service_no_nul", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_SERVICE, SVC, sizeof(SVC) - 1)), T_ADDR_OK) },
	{ "target_add/service_bad_char", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, "nlbad svc")), T_ADDR_OK) },
	{ "target_add/addr_flat", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC),
		BAD(IP4(VPCE_A_ADDR, 198, 51, 100, 2))) },
	{ "target_add/addr_no_nested_flag", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(RNEST(VPCE_A_ADDR)),
		IP4(VPCE_ADDR_A_IPV4, 198, 51, 100, 2),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_is_array", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		BAD(NEST(0)), IP4(VPCE_ADDR_A_IPV4, 198, 51, 100, 2),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "target_add/addr_ipv4_nested", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		BAD(NEST(VPCE_ADDR_A_IPV4)), IP4(1, 198, 51, 100, 2), END,
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_ipv4_3_bytes", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		BAD(BIN(VPCE_ADDR_A_IPV4, "\xc6\x33\x64", 3)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_empty", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(NEST(VPCE_A_ADDR)), END) },
	{ "target_add/addr_zone_only", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(NEST(VPCE_A_ADDR)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	/* The service has no IPv6 nlb address in AZ1. */
	{ "target_add/addr_ipv6_no_ipv6_nlb", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		   BAD(BIN(VPCE_ADDR_A_IPV6,
			   "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2", 16)),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_ipv6_unspecified", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		   BAD(BIN(VPCE_ADDR_A_IPV6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
			   16)),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_ipv6_link_local", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		   BAD(BIN(VPCE_ADDR_A_IPV6,
			   "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_ipv6_mapped", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		   BAD(BIN(VPCE_ADDR_A_IPV6,
			   "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc6\x33\x64\x02", 16)),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_ipv6_multicast", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		   BAD(BIN(VPCE_ADDR_A_IPV6,
			   "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "target_add/addr_unknown_attr", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		IP4(VPCE_ADDR_A_IPV4, 198, 51, 100, 2),
		BAD(U8(VPCE_ADDR_A_MAX + 1, 0)), END) },
	{ "target_add/zone_not_in_service", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		IP4(VPCE_ADDR_A_IPV4, 198, 51, 100, 2),
		BAD(STR(VPCE_ADDR_A_ZONE, AZ_NONE)), END) },
	{ "target_add/zone_omitted_two_zones", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(NEST(VPCE_A_ADDR)),
		   IP4(VPCE_ADDR_A_IPV4, 198, 51, 100, 2), END) },
	{ "target_add/weight_0", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U16(VPCE_A_WEIGHT, 0))) },
	{ "target_add/weight_257", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U16(VPCE_A_WEIGHT, VPCE_WEIGHT_MAX + 1))) },
	{ "target_add/weight_65535", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U16(VPCE_A_WEIGHT, 65535))) },
	{ "target_add/weight_u8", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U8(VPCE_A_WEIGHT, 5))) },
	{ "target_add/weight_u32", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U32(VPCE_A_WEIGHT, 5))) },
	{ "target_add/unknown_attr", VPCE_CMD_TARGET_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR_OK,
		BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "target_add/duplicate_addr", VPCE_CMD_TARGET_ADD, 0, EEXIST, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(T_ADDR(198, 51, 100, 1, AZ1))) },
	{ "target_add/duplicate_addr_other_zone", VPCE_CMD_TARGET_ADD, 0, EEXIST,
	  0, 0, ATTRS(STR(VPCE_A_SERVICE, SVC),
		      BAD(T_ADDR(198, 51, 100, 1, AZ2))) },
	{ "target_add/weight_256_ok", VPCE_CMD_TARGET_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 3, AZ2),
		U16(VPCE_A_WEIGHT, VPCE_WEIGHT_MAX)) },
	{ "target_del/weight_256_ok", VPCE_CMD_TARGET_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 3, AZ2)) },

	/* SERVICE_SET */
	{ "service_set/missing_name", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  VPCE_A_NAME, ATTRS(U8(VPCE_A_CROSS_ZONE, 1)) },
	{ "service_set/no_such_service", VPCE_CMD_SERVICE_SET, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING)), U8(VPCE_A_CROSS_ZONE, 1)) },
	{ "service_set/nothing", VPCE_CMD_SERVICE_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(SVC)) },
	{ "service_set/cross_zone_2", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U8(VPCE_A_CROSS_ZONE, 2))) },
	{ "service_set/acceptance_2", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U8(VPCE_A_ACCEPTANCE_REQUIRED, 2))) },
	{ "service_set/idle_59", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U32(VPCE_A_IDLE_TIMEOUT, 59))) },
	{ "service_set/idle_6001", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U32(VPCE_A_IDLE_TIMEOUT, 6001))) },
	{ "service_set/idle_u8", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U8(VPCE_A_IDLE_TIMEOUT, 100))) },
	{ "service_set/dereg_3601", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U32(VPCE_A_DEREG_DELAY, 3601))) },
	{ "service_set/seed_15", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(BIN(VPCE_A_HASH_SEED, "0123456789abcde", 15))) },
	{ "service_set/seed_17", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC),
		BAD(BIN(VPCE_A_HASH_SEED, "0123456789abcdefg", 17))) },
	{ "service_set/dns_empty_label", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(STR(VPCE_A_PRIVATE_DNS, "a..example.com"))) },
	{ "service_set/dns_dash_first", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(STR(VPCE_A_PRIVATE_DNS, "-a.example.com"))) },
	{ "service_set/dns_bad_char", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(STR(VPCE_A_PRIVATE_DNS, "a_b.example.com"))) },
	{ "service_set/dns_latin1", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(STR(VPCE_A_PRIVATE_DNS, "caf\xe9.example.com"))) },
	{ "service_allow/arn_latin1", VPCE_CMD_SERVICE_ALLOW, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC),
		BAD(STR(VPCE_A_PRINCIPAL, "arn:aws:iam::111111111111:user/caf\xe9"))) },
	{ "service_set/dns_too_long", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(STR(VPCE_A_PRIVATE_DNS, N200 N64))) },
	{ "service_set/hc_flat", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U8(VPCE_A_HEALTH_CHECK, VPCE_HC_TCP))) },
	{ "service_set/hc_no_proto", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  VPCE_HC_A_PROTO, ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
				 U32(VPCE_HC_A_INTERVAL, 5), END) },
	{ "service_set/hc_proto_3", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		BAD(U8(VPCE_HC_A_PROTO, VPCE_HC_MAX + 1)), END) },
	{ "service_set/hc_interval_0", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_INTERVAL, 0)), END) },
	{ "service_set/hc_interval_301", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_INTERVAL, 301)), END) },
	{ "service_set/hc_healthy_1", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U8(VPCE_HC_A_HEALTHY, 1)), END) },
	{ "service_set/hc_unhealthy_11", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		   U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		   BAD(U8(VPCE_HC_A_UNHEALTHY, 11)), END) },
	{ "service_set/hc_path_for_tcp", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		   U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		   BAD(STR(VPCE_HC_A_PATH, "/health")), END) },
	{ "service_set/hc_path_no_slash", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		   U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		   BAD(STR(VPCE_HC_A_PATH, "health")), END) },
	{ "service_set/hc_path_space", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_PATH, "/a b")), END) },
	{ "service_set/hc_unknown_attr", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		   U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		   BAD(U8(VPCE_HC_A_MAX + 1, 0)), END) },
	/* Health checks as the NLB has them: HTTPS, timeout, matcher, host. */
	{ "service_set/hc_interval_4", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_INTERVAL, 4)), END) },
	{ "service_set/hc_timeout_1", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_TIMEOUT, 1)), END) },
	{ "service_set/hc_timeout_121", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		U32(VPCE_HC_A_INTERVAL, 300),
		BAD(U32(VPCE_HC_A_TIMEOUT, 121)), END) },
	{ "service_set/hc_timeout_is_interval", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		U32(VPCE_HC_A_INTERVAL, 10),
		BAD(U32(VPCE_HC_A_TIMEOUT, 10)), END) },
	{ "service_set/hc_timeout_over_default_interval", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_TIMEOUT, 60)), END) },
	{ "service_set/hc_timeout_u8", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U8(VPCE_HC_A_TIMEOUT, 5)), END) },
	{ "service_set/hc_matcher_99", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "99")), END) },
	{ "service_set/hc_matcher_600", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		BAD(STR(VPCE_HC_A_MATCHER, "200,600")), END) },
	{ "service_set/hc_matcher_2x0", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "2x0")), END) },
	{ "service_set/hc_matcher_range_down", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "399-200")), END) },
	{ "service_set/hc_matcher_open_range", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "200-")), END) },
	{ "service_set/hc_matcher_trailing_comma", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "200,")), END) },
	{ "service_set/hc_matcher_empty", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "")), END) },
	{ "service_set/hc_matcher_4_digits", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(STR(VPCE_HC_A_MATCHER, "2000")), END) },
	{ "service_set/hc_matcher_too_long", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		BAD(LONGSTR(VPCE_HC_A_MATCHER, VPCE_HC_MATCHER_MAX + 1)), END) },
	{ "service_set/hc_matcher_for_tcp", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(STR(VPCE_HC_A_MATCHER, "200")), END) },
	{ "service_set/hc_host_for_tcp", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(STR(VPCE_HC_A_HOST, "a.example.com")), END) },
	{ "service_set/hc_host_space", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		BAD(STR(VPCE_HC_A_HOST, "a b")), END) },
	{ "service_set/hc_host_wildcard", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		BAD(STR(VPCE_HC_A_HOST, "*.example.com")), END) },
	{ "service_set/hc_host_empty", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		BAD(STR(VPCE_HC_A_HOST, "")), END) },
	{ "service_set/hc_https_path_no_slash", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS),
		BAD(STR(VPCE_HC_A_PATH, "health")), END) },
	/* Valid, then undone. */
	{ "service_set/hc_https_ok", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_HTTPS), STR(VPCE_HC_A_PATH, "/h"),
		U32(VPCE_HC_A_INTERVAL, 5), U32(VPCE_HC_A_TIMEOUT, 4),
		STR(VPCE_HC_A_MATCHER, "200-299,302,500-599"),
		STR(VPCE_HC_A_HOST, "a.example.com"), END) },
	{ "service_set/hc_https_ok_undo", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_NONE), END) },
	{ "service_set/weight_not_here", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U16(VPCE_A_WEIGHT, 3))) },
	/* A bad health check after good settings: nothing changes. */
	{ "service_set/good_then_bad", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), U8(VPCE_A_CROSS_ZONE, 1),
		U32(VPCE_A_IDLE_TIMEOUT, 100), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_TCP),
		BAD(U32(VPCE_HC_A_INTERVAL, 0)), END) },
	/* Valid, then undone, so that the state is as it was. */
	{ "service_set/ok", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), U8(VPCE_A_CROSS_ZONE, 1),
		U32(VPCE_A_IDLE_TIMEOUT, 6000), U32(VPCE_A_DEREG_DELAY, 0),
		STR(VPCE_A_PRIVATE_DNS, "*.svc.example.com"),
		NEST(VPCE_A_HEALTH_CHECK), U8(VPCE_HC_A_PROTO, VPCE_HC_HTTP),
		STR(VPCE_HC_A_PATH, "/health"), U32(VPCE_HC_A_INTERVAL, 300),
		U8(VPCE_HC_A_HEALTHY, 10), U8(VPCE_HC_A_UNHEALTHY, 2), END) },
	{ "service_set/ok_undo", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), U8(VPCE_A_CROSS_ZONE, 0),
		U32(VPCE_A_IDLE_TIMEOUT, 350), U32(VPCE_A_DEREG_DELAY, 300),
		STR(VPCE_A_PRIVATE_DNS, ""), NEST(VPCE_A_HEALTH_CHECK),
		U8(VPCE_HC_A_PROTO, VPCE_HC_NONE), END) },
	/* Load balancer addresses: added or deleted alone. */
	{ "service_set/nlb_add_and_setting", VPCE_CMD_SERVICE_SET, 0, EINVAL,
	  0, 0, ATTRS(A_NAME(SVC), BAD(U8(VPCE_A_CROSS_ZONE, 1)),
		      NEST(VPCE_A_NLB_ADD), IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 12),
		      STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "service_set/nlb_add_no_zone", VPCE_CMD_SERVICE_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_ADD),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 12),
		STR(VPCE_ADDR_A_ZONE, AZ_NONE), END) },
	{ "service_set/nlb_add_exists", VPCE_CMD_SERVICE_SET, 0, EEXIST, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_ADD),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 1),
		STR(VPCE_ADDR_A_ZONE, AZ2), END) },
	{ "service_set/nlb_del_last", VPCE_CMD_SERVICE_SET, 0, EBUSY, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_DEL),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 1), END) },
	/* Valid, then undone. */
	{ "service_set/nlb_add_ok", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_ADD),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 12),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "service_set/nlb_del_ok", VPCE_CMD_SERVICE_SET, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_DEL),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 12), END) },
	{ "service_set/nlb_add_no_addr", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_ADD),
		   STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "service_set/nlb_del_none", VPCE_CMD_SERVICE_SET, 0, ENOENT, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_DEL),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 99), END) },
	{ "service_set/nlb_add_nlb_del", VPCE_CMD_SERVICE_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_NLB_ADD),
		IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 12), END,
		BAD(NEST(VPCE_A_NLB_DEL)), IP4(VPCE_ADDR_A_IPV4, 192, 0, 2, 11),
		END) },

	/* FLOW_SET */
	{ "flow_set/missing_limit", VPCE_CMD_FLOW_SET, 0, WANT_ERR, 0,
	  VPCE_A_FLOW_LIMIT, NOATTRS },
	{ "flow_set/limit_too_big", VPCE_CMD_FLOW_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(U32(VPCE_A_FLOW_LIMIT, VPCE_FLOWS_MAX + 1))) },

	/* LISTENER_ADD, LISTENER_DEL: the fixture's service has tcp:80 and
	 * udp:53.
	 */
	{ "listener_add/missing_name", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR, 0,
	  VPCE_A_NAME, ATTRS(ONE_LIS(6, 81)) },
	{ "listener_add/missing_listener", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR,
	  0, VPCE_A_LISTENER, ATTRS(A_NAME(SVC)) },
	{ "listener_add/no_such_service", VPCE_CMD_LISTENER_ADD, 0, ENOENT, 0,
	  0, ATTRS(BAD(A_NAME(MISSING)), ONE_LIS(6, 81)) },
	{ "listener_add/flat", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), BAD(U16(VPCE_A_LISTENER, 81))) },
	{ "listener_add/no_port", VPCE_CMD_LISTENER_ADD, 0, EINVAL, 0,
	  VPCE_LISTENER_A_PORT, ATTRS(A_NAME(SVC), NEST(VPCE_A_LISTENER),
				      U8(VPCE_LISTENER_A_PROTO, 6), END) },
	{ "listener_add/proto_icmp", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_LISTENER),
		BAD(U8(VPCE_LISTENER_A_PROTO, 1)),
		U16(VPCE_LISTENER_A_PORT, 81), END) },
	{ "listener_add/port_0", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), NEST(VPCE_A_LISTENER),
		U8(VPCE_LISTENER_A_PROTO, 6),
		BAD(U16(VPCE_LISTENER_A_PORT, 0)), END) },
	{ "listener_add/exists", VPCE_CMD_LISTENER_ADD, 0, EEXIST, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(6, 80)) },
	{ "listener_add/listeners_array", VPCE_CMD_LISTENER_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(SVC), BAD(LIS_OK)) },
	{ "listener_del/no_such_listener", VPCE_CMD_LISTENER_DEL, 0, ENOENT, 0,
	  0, ATTRS(A_NAME(SVC), ONE_LIS(17, 80)) },
	{ "listener_del/no_such_service", VPCE_CMD_LISTENER_DEL, 0, ENOENT, 0,
	  0, ATTRS(BAD(A_NAME(MISSING)), ONE_LIS(6, 80)) },
	/* Valid, then undone; then the last one stays. */
	{ "listener_add/ok", VPCE_CMD_LISTENER_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(6, 81)) },
	{ "listener_del/ok", VPCE_CMD_LISTENER_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(6, 81)) },
	{ "listener_del/udp_ok", VPCE_CMD_LISTENER_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(17, 53)) },
	{ "listener_del/last", VPCE_CMD_LISTENER_DEL, 0, EBUSY, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(6, 80)) },
	{ "listener_add/udp_back", VPCE_CMD_LISTENER_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(SVC), ONE_LIS(17, 53)) },

	/* ENDPOINT_ADDR_ADD, _DEL: the fixture's endpoint has 10.99.0.10 in
	 * AZ1 and 10.99.0.20 in AZ2, its service two zones.
	 */
	{ "endpoint_addr_add/missing_name", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  WANT_ERR, 0, VPCE_A_NAME, ATTRS(T_ADDR(10, 99, 0, 30, AZ1)) },
	{ "endpoint_addr_add/missing_addr", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  WANT_ERR, 0, VPCE_A_ADDR, ATTRS(A_NAME(EP)) },
	{ "endpoint_addr_add/no_such_endpoint", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  ENOENT, 0, 0, ATTRS(BAD(A_NAME(MISSING)), T_ADDR(10, 99, 0, 30, AZ1)) },
	{ "endpoint_addr_add/flat", VPCE_CMD_ENDPOINT_ADDR_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(EP), BAD(U32(VPCE_A_ADDR, 1))) },
	{ "endpoint_addr_add/no_such_zone", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  EINVAL, 0, 0, ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 30, AZ_NONE)) },
	{ "endpoint_addr_add/no_zone", VPCE_CMD_ENDPOINT_ADDR_ADD, 0, EINVAL, 0,
	  0, ATTRS(A_NAME(EP), NEST(VPCE_A_ADDR),
		   IP4(VPCE_ADDR_A_IPV4, 10, 99, 0, 30), END) },
	{ "endpoint_addr_add/zone_has_ipv4", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  EINVAL, 0, 0, ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 30, AZ1)) },
	{ "endpoint_addr_add/in_use", VPCE_CMD_ENDPOINT_ADDR_ADD, 0, EADDRINUSE,
	  0, 0, ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 10, AZ1)) },
	{ "endpoint_addr_add/broadcast", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
	  WANT_ERR, 0, 0, ATTRS(A_NAME(EP), T_ADDR(255, 255, 255, 255, AZ1)) },
	{ "endpoint_addr_del/no_such_addr", VPCE_CMD_ENDPOINT_ADDR_DEL, 0,
	  ENOENT, 0, 0, ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 30, AZ1)) },
	{ "endpoint_addr_del/missing_addr", VPCE_CMD_ENDPOINT_ADDR_DEL, 0,
	  WANT_ERR, 0, VPCE_A_ADDR, ATTRS(A_NAME(EP)) },
	/* Valid, then undone; the last one stays. */
	{ "endpoint_addr_del/ok", VPCE_CMD_ENDPOINT_ADDR_DEL, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 20, AZ2)) },
	{ "endpoint_addr_del/last", VPCE_CMD_ENDPOINT_ADDR_DEL, 0, EBUSY, 0, 0,
	  ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 10, AZ1)) },
	{ "endpoint_addr_add/ok", VPCE_CMD_ENDPOINT_ADDR_ADD, 0, WANT_OK, 0, 0,
	  ATTRS(A_NAME(EP), T_ADDR(10, 99, 0, 20, AZ2)) },

	/* TARGET_SET */
	{ "target_set/missing_service", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0,
	  VPCE_A_SERVICE, ATTRS(T_ADDR(198, 51, 100, 1, AZ1),
				U16(VPCE_A_WEIGHT, 2)) },
	{ "target_set/missing_addr", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0,
	  VPCE_A_ADDR, ATTRS(STR(VPCE_A_SERVICE, SVC), U16(VPCE_A_WEIGHT, 2)) },
	{ "target_set/no_such_service", VPCE_CMD_TARGET_SET, 0, ENOENT, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, MISSING)),
		T_ADDR(198, 51, 100, 1, AZ1), U16(VPCE_A_WEIGHT, 2)) },
	{ "target_set/no_such_target", VPCE_CMD_TARGET_SET, 0, ENOENT, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(T_ADDR(198, 51, 100, 99, AZ1)),
		U16(VPCE_A_WEIGHT, 2)) },
	{ "target_set/nothing", VPCE_CMD_TARGET_SET, 0, EINVAL, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1)) },
	{ "target_set/weight_0", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		BAD(U16(VPCE_A_WEIGHT, 0))) },
	{ "target_set/weight_257", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		BAD(U16(VPCE_A_WEIGHT, VPCE_WEIGHT_MAX + 1))) },
	{ "target_set/health_3", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		BAD(U8(VPCE_A_HEALTH, VPCE_HEALTH_MAX + 1))) },
	{ "target_set/health_u32", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		BAD(U32(VPCE_A_HEALTH, 1))) },
	{ "target_set/unknown_attr", VPCE_CMD_TARGET_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		U16(VPCE_A_WEIGHT, 2), BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "target_set/draining_ok", VPCE_CMD_TARGET_SET, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		U16(VPCE_A_WEIGHT, 256),
		U8(VPCE_A_HEALTH, VPCE_HEALTH_DRAINING)) },
	{ "target_set/unhealthy_ok", VPCE_CMD_TARGET_SET, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		U8(VPCE_A_HEALTH, VPCE_HEALTH_UNHEALTHY)) },
	{ "target_set/undo_ok", VPCE_CMD_TARGET_SET, 0, WANT_OK, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 1, AZ1),
		U16(VPCE_A_WEIGHT, 5), U8(VPCE_A_HEALTH, VPCE_HEALTH_HEALTHY)) },

	/* TARGET_DEL / TARGET_GET */
	{ "target_del/missing_service", VPCE_CMD_TARGET_DEL, 0, WANT_ERR, 0,
	  VPCE_A_SERVICE, ATTRS(T_ADDR(198, 51, 100, 1, AZ1)) },
	{ "target_del/missing_addr", VPCE_CMD_TARGET_DEL, 0, WANT_ERR, 0,
	  VPCE_A_ADDR, ATTRS(STR(VPCE_A_SERVICE, SVC)) },
	{ "target_del/no_such_service", VPCE_CMD_TARGET_DEL, 0, ENOENT, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, MISSING)),
		T_ADDR(198, 51, 100, 1, AZ1)) },
	{ "target_del/no_such_target", VPCE_CMD_TARGET_DEL, 0, ENOENT, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), BAD(T_ADDR(198, 51, 100, 99, AZ1))) },
	{ "target_del/addr_ipv4_3_bytes", VPCE_CMD_TARGET_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), NEST(VPCE_A_ADDR),
		BAD(BIN(VPCE_ADDR_A_IPV4, "\xc6\x33\x64", 3)), END) },
	{ "target_del/addr_flat", VPCE_CMD_TARGET_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC),
		BAD(IP4(VPCE_A_ADDR, 198, 51, 100, 1))) },
	{ "target_del/unknown_attr", VPCE_CMD_TARGET_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(STR(VPCE_A_SERVICE, SVC), T_ADDR(198, 51, 100, 99, AZ1),
		BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "target_dump/no_such_service", VPCE_CMD_TARGET_GET, NLM_F_DUMP, ENOENT,
	  0, 0, ATTRS(BAD(STR(VPCE_A_SERVICE, MISSING))) },
	{ "target_dump/service_65", VPCE_CMD_TARGET_GET, NLM_F_DUMP, WANT_ERR, 0, 0,
	  ATTRS(BAD(STR(VPCE_A_SERVICE, N65))) },
	{ "target_dump/unknown_attr", VPCE_CMD_TARGET_GET, NLM_F_DUMP, WANT_ERR, 0,
	  0, ATTRS(BAD(U32(VPCE_A_MAX + 1, 0))) },

	/* ENDPOINT_ADD */
	{ "endpoint_add/name_no_nul", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_NAME, NEWEP, sizeof(NEWEP) - 1)),
		STR(VPCE_A_VPC, VPC), STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/name_65", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65)), STR(VPCE_A_VPC, VPC),
		STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/name_bad_char", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME("nlbad:ep")), STR(VPCE_A_VPC, VPC),
		STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/name_empty", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME("")), STR(VPCE_A_VPC, VPC),
		STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/missing_name", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  VPCE_A_NAME, ATTRS(STR(VPCE_A_VPC, VPC), STR(VPCE_A_SERVICE, SVC),
			     EP_ADDRS_OK) },
	{ "endpoint_add/missing_vpc", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  VPCE_A_VPC, ATTRS(A_NAME(NEWEP), STR(VPCE_A_SERVICE, SVC),
			    EP_ADDRS_OK) },
	{ "endpoint_add/missing_service", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  VPCE_A_SERVICE, ATTRS(A_NAME(NEWEP), STR(VPCE_A_VPC, VPC),
				EP_ADDRS_OK) },
	{ "endpoint_add/missing_addrs", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  VPCE_A_ADDRS, ATTRS(EP_HEAD) },
	{ "endpoint_add/no_such_vpc", VPCE_CMD_ENDPOINT_ADD, 0, ENOENT, 0, 0,
	  ATTRS(A_NAME(NEWEP), BAD(STR(VPCE_A_VPC, MISSING)),
		STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/no_such_service", VPCE_CMD_ENDPOINT_ADD, 0, ENOENT, 0, 0,
	  ATTRS(A_NAME(NEWEP), STR(VPCE_A_VPC, VPC),
		BAD(STR(VPCE_A_SERVICE, MISSING)), EP_ADDRS_OK) },
	{ "endpoint_add/vpc_65", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(NEWEP), BAD(STR(VPCE_A_VPC, N65)),
		STR(VPCE_A_SERVICE, SVC), EP_ADDRS_OK) },
	{ "endpoint_add/service_u32", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(NEWEP), STR(VPCE_A_VPC, VPC),
		BAD(U32(VPCE_A_SERVICE, 0x00637673)), EP_ADDRS_OK) },
	{ "endpoint_add/type_gateway_mismatch", VPCE_CMD_ENDPOINT_ADD, 0, EINVAL,
	  0, 0, ATTRS(EP_HEAD, BAD(U8(VPCE_A_TYPE, VPCE_TYPE_GATEWAY))) },
	{ "endpoint_add/gateway_addrs", VPCE_CMD_ENDPOINT_ADD, 0, EINVAL, 0, 0,
	  ATTRS(EP_HEAD, GW, BAD(NEST(VPCE_A_ADDRS)),
		ADDR_EL(10, 99, 0, 11, AZ1), END) },
	{ "endpoint_add/interface_mark", VPCE_CMD_ENDPOINT_ADD, 0, EINVAL, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK, BAD(U32(VPCE_A_MARK, 7))) },
	{ "endpoint_add/gateway_mark_0", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, GW, BAD(U32(VPCE_A_MARK, 0))) },
	{ "endpoint_add/gateway_mark_u8", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, GW, BAD(U8(VPCE_A_MARK, 7))) },
	{ "endpoint_add/type_out_of_range", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, BAD(U8(VPCE_A_TYPE, 200)), EP_ADDRS_OK) },
	{ "endpoint_add/unknown_attr", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK, BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "endpoint_add/addrs_flat", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, BAD(IP4(VPCE_A_ADDRS, 10, 99, 0, 11))) },
	{ "endpoint_add/addrs_empty", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, BAD(NEST(VPCE_A_ADDRS)), END) },
	{ "endpoint_add/addrs_not_array", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS),
		BAD(IP4(VPCE_ADDR_A_IPV4, 10, 99, 0, 11)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END) },
	{ "endpoint_add/addrs_element_string", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS), ADDR_EL(10, 99, 0, 11, AZ1),
		   BAD(STR(1, "10.99.0.21")), END) },
	{ "endpoint_add/addr_ipv4_3_bytes", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS), NEST(0),
		BAD(BIN(VPCE_ADDR_A_IPV4, "\x0a\x63\x00", 3)),
		STR(VPCE_ADDR_A_ZONE, AZ1), END, END) },
	{ "endpoint_add/addr_unknown_attr", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS), NEST(0),
		IP4(VPCE_ADDR_A_IPV4, 10, 99, 0, 11),
		STR(VPCE_ADDR_A_ZONE, AZ1), BAD(U32(VPCE_ADDR_A_MAX + 1, 0)),
		END, END) },
	{ "endpoint_add/zone_not_in_service", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0,
	  0, ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS), NEST(0),
		   IP4(VPCE_ADDR_A_IPV4, 10, 99, 0, 11),
		   BAD(STR(VPCE_ADDR_A_ZONE, AZ_NONE)), END, END) },
	{ "endpoint_add/zone_omitted", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS), BAD(NEST(0)),
		IP4(VPCE_ADDR_A_IPV4, 10, 99, 0, 11), END, END) },
	{ "endpoint_add/zone_twice", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, BAD(NEST(VPCE_A_ADDRS)), ADDR_EL(10, 99, 0, 11, AZ1),
		ADDR_EL(10, 99, 0, 12, AZ1), END) },
	{ "endpoint_add/addr_used_in_vpc", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, NEST(VPCE_A_ADDRS),
		BAD(ADDR_EL(10, 99, 0, 10, AZ1)), END) },
	{ "endpoint_add/addrs_17", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, BAD(NEST(VPCE_A_ADDRS)),
		REP(VPCE_ZONES_MAX + 1), NEST(0),
		  CTRIP(VPCE_ADDR_A_IPV4, 10, 99, 1, 1),
		  CTRZONE(VPCE_ADDR_A_ZONE),
		END, ENDREP, END) },
	/* VPCE_A_ENDPOINT_ID: "vpce-" and 17 lowercase hex digits, unique. */
	{ "endpoint_add/id_uppercase", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(STR(VPCE_A_ENDPOINT_ID, "vpce-0123456789ABCDEF0"))) },
	{ "endpoint_add/id_16_digits", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(STR(VPCE_A_ENDPOINT_ID, "vpce-0123456789abcdef"))) },
	{ "endpoint_add/id_18_digits", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(STR(VPCE_A_ENDPOINT_ID, "vpce-0123456789abcdef01"))) },
	{ "endpoint_add/id_prefix", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(STR(VPCE_A_ENDPOINT_ID, "vpcx-0123456789abcdef0"))) },
	{ "endpoint_add/id_not_hex", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(STR(VPCE_A_ENDPOINT_ID, "vpce-0123456789abcdeg0"))) },
	{ "endpoint_add/id_empty", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK, BAD(STR(VPCE_A_ENDPOINT_ID, ""))) },
	{ "endpoint_add/id_u32", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK, BAD(U32(VPCE_A_ENDPOINT_ID, 0))) },
	{ "endpoint_add/id_no_nul", VPCE_CMD_ENDPOINT_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK,
		BAD(BIN(VPCE_A_ENDPOINT_ID, EP_ID, sizeof(EP_ID) - 1))) },
	{ "endpoint_add/id_in_use", VPCE_CMD_ENDPOINT_ADD, 0, EEXIST, 0, 0,
	  ATTRS(EP_HEAD, EP_ADDRS_OK, BAD(STR(VPCE_A_ENDPOINT_ID, EP_ID))) },
	{ "endpoint_add/duplicate_name", VPCE_CMD_ENDPOINT_ADD, 0, EEXIST, 0, 0,
	  ATTRS(BAD(A_NAME(EP)), STR(VPCE_A_VPC, VPC), STR(VPCE_A_SERVICE, SVC),
		NEST(VPCE_A_ADDRS), ADDR_EL(10, 99, 0, 30, AZ1), END) },

	/* ENDPOINT_DEL / ENDPOINT_GET */
	{ "endpoint_del/missing_name", VPCE_CMD_ENDPOINT_DEL, 0, WANT_ERR, 0,
	  VPCE_A_NAME, NOATTRS },
	{ "endpoint_del/no_such_endpoint", VPCE_CMD_ENDPOINT_DEL, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "endpoint_del/name_65", VPCE_CMD_ENDPOINT_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME(N65))) },
	{ "endpoint_del/name_no_nul", VPCE_CMD_ENDPOINT_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(BIN(VPCE_A_NAME, EP, sizeof(EP) - 1))) },
	{ "endpoint_del/unknown_attr", VPCE_CMD_ENDPOINT_DEL, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(MISSING), BAD(U32(VPCE_A_MAX + 1, 0))) },
	{ "endpoint_get/no_such_endpoint", VPCE_CMD_ENDPOINT_GET, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "endpoint_get/do_without_name", VPCE_CMD_ENDPOINT_GET, 0, WANT_ERR, 0,
	  VPCE_A_NAME, NOATTRS },
	{ "endpoint_get/name_nested", VPCE_CMD_ENDPOINT_GET, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(NEST(VPCE_A_NAME)), A_NAME(EP), END) },
	{ "endpoint_dump/unknown_attr", VPCE_CMD_ENDPOINT_GET, NLM_F_DUMP, WANT_ERR,
	  0, 0, ATTRS(BAD(U32(VPCE_A_MAX + 1, 0))) },

	/* POLICY_SIMULATE: compiled policies and requests */
	{ "policy_simulate/ok", VPCE_CMD_POLICY_SIMULATE, 0, WANT_OK, 0, 0,
	  ATTRS(POL_OK, REQ_OK) },
	{ "policy_simulate/ok_text", VPCE_CMD_POLICY_SIMULATE, 0, WANT_OK, 0, 0,
	  ATTRS(POL_OK, LONGSTR(VPCE_A_POLICY_TEXT, VPCE_POLICY_TEXT_MAX),
		REQ_OK) },
	{ "policy_simulate/missing_policy", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, VPCE_A_POLICY, ATTRS(REQ_OK) },
	{ "policy_simulate/missing_request", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, VPCE_A_REQUEST, ATTRS(POL_OK) },
	{ "policy_simulate/text_oversized", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR,
	  0, 0, ATTRS(POL_OK, BAD(LONGSTR(VPCE_A_POLICY_TEXT,
					  VPCE_POLICY_TEXT_MAX + 1)), REQ_OK) },
	{ "policy_simulate/text_no_nul", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR,
	  0, 0, ATTRS(POL_OK, BAD(BIN(VPCE_A_POLICY_TEXT, "{}", 2)), REQ_OK) },
	{ "policy_simulate/policy_not_nested", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(RNEST(VPCE_A_POLICY)), U8(VPCE_POLICY_A_VERSION, 1), END,
		REQ_OK) },
	{ "policy_simulate/policy_u32", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR,
	  0, 0, ATTRS(BAD(U32(VPCE_A_POLICY, 1)), REQ_OK) },
	{ "policy_simulate/version_unknown", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL_V(VPCE_POLICY_VERSION_MAX + 1, STMT(STMT_BODY))),
		REQ_OK) },
	{ "policy_simulate/no_version", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL, 0,
	  VPCE_POLICY_A_VERSION,
	  ATTRS(BAD(NEST(VPCE_A_POLICY)), NEST(VPCE_POLICY_A_STATEMENTS),
		STMT(STMT_BODY), END, END, REQ_OK) },
	{ "policy_simulate/no_statements", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(NEST(VPCE_A_POLICY)), U8(VPCE_POLICY_A_VERSION, 1),
		NEST(VPCE_POLICY_A_STATEMENTS), END, END, REQ_OK) },
	{ "policy_simulate/statement_not_nest", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(U8(0, VPCE_EFFECT_ALLOW))), REQ_OK) },
	{ "policy_simulate/statement_unknown_attr", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT(STMT_BODY, U8(VPCE_STMT_A_MAX + 1, 0)))),
		REQ_OK) },
	{ "policy_simulate/no_effect", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL, 0,
	  VPCE_STMT_A_EFFECT,
	  ATTRS(BAD(POL(STMT(STRARR(VPCE_STMT_A_PRINCIPALS, "*"),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/effect_2", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 2),
			     STRARR(VPCE_STMT_A_PRINCIPALS, "*"),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/no_principals", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, VPCE_STMT_A_PRINCIPALS,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/principals_empty", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     NEST(VPCE_STMT_A_PRINCIPALS), END,
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/principal_invalid", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     STRARR(VPCE_STMT_A_PRINCIPALS, "bob"),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/principal_u32", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     NEST(VPCE_STMT_A_PRINCIPALS), U32(0, 0x2a), END,
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/principal_nested", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     NEST(VPCE_STMT_A_PRINCIPALS), NEST(0), END, END,
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/action_empty", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     STRARR(VPCE_STMT_A_PRINCIPALS, "*"),
			     STRARR(VPCE_STMT_A_ACTIONS, ""),
			     STRARR(VPCE_STMT_A_RESOURCES, "*")))), REQ_OK) },
	{ "policy_simulate/resource_nonprintable", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     STRARR(VPCE_STMT_A_PRINCIPALS, "*"),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "arn:\t")))), REQ_OK) },
	{ "policy_simulate/var_unterminated", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT(U8(VPCE_STMT_A_EFFECT, 0),
			     STRARR(VPCE_STMT_A_PRINCIPALS, "*"),
			     STRARR(VPCE_STMT_A_ACTIONS, "*"),
			     STRARR(VPCE_STMT_A_RESOURCES, "arn:aws:s3:::${x")))),
		REQ_OK) },
	{ "policy_simulate/sid_duplicate", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT(STR(VPCE_STMT_A_SID, "A"), STMT_BODY),
			STMT(STR(VPCE_STMT_A_SID, "A"), STMT_BODY))), REQ_OK) },
	{ "policy_simulate/statements_129", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR,
	  0, 0,
	  ATTRS(BAD(POL(REP(VPCE_POLICY_STATEMENTS_MAX + 1), STMT(STMT_BODY),
			ENDREP)), REQ_OK) },
	{ "policy_simulate/conditions_65", VPCE_CMD_POLICY_SIMULATE, 0, WANT_ERR,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(REP(VPCE_POLICY_CONDITIONS_MAX + 1),
				  COND(VPCE_COND_STRING_EQUALS, "k", "v"),
				  ENDREP))), REQ_OK) },
	{ "policy_simulate/cond_op_unknown", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_MAX + 1, "k", "v")))), REQ_OK) },
	{ "policy_simulate/cond_qualifier_unknown", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT_COND(NEST(0),
				  U8(VPCE_COND_A_OP, VPCE_COND_STRING_EQUALS),
				  U8(VPCE_COND_A_QUALIFIER,
				     VPCE_COND_QUALIFIER_MAX + 1),
				  STR(VPCE_COND_A_KEY, "k"),
				  STRARR(VPCE_COND_A_VALUES, "v"), END))),
		REQ_OK) },
	{ "policy_simulate/cond_no_key", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL, 0,
	  VPCE_COND_A_KEY,
	  ATTRS(BAD(POL(STMT_COND(NEST(0),
				  U8(VPCE_COND_A_OP, VPCE_COND_STRING_EQUALS),
				  STRARR(VPCE_COND_A_VALUES, "v"), END))),
		REQ_OK) },
	{ "policy_simulate/cond_values_not_nested", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT_COND(NEST(0),
				  U8(VPCE_COND_A_OP, VPCE_COND_STRING_EQUALS),
				  STR(VPCE_COND_A_KEY, "k"),
				  STR(VPCE_COND_A_VALUES, "v"), END))),
		REQ_OK) },
	{ "policy_simulate/cond_bad_key", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_STRING_EQUALS, "a key", "v")))),
		REQ_OK) },
	{ "policy_simulate/cond_bad_cidr", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_IP_ADDRESS, "aws:VpcSourceIp",
				       "10.0.0/33")))), REQ_OK) },
	{ "policy_simulate/cond_bad_number", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_NUMERIC_LESS_THAN, "n",
				       "1e3")))), REQ_OK) },
	{ "policy_simulate/cond_bad_date", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_DATE_LESS_THAN, "t",
				       "2023-02-29")))), REQ_OK) },
	{ "policy_simulate/cond_bad_bool", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_BOOL, "b", "yes")))), REQ_OK) },
	{ "policy_simulate/cond_arn_not_arn", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(BAD(POL(STMT_COND(COND(VPCE_COND_ARN_LIKE, "a", "arn:aws:x")))),
		REQ_OK) },
	{ "policy_simulate/null_if_exists", VPCE_CMD_POLICY_SIMULATE, 0, EINVAL,
	  0, 0,
	  ATTRS(BAD(POL(STMT_COND(NEST(0), U8(VPCE_COND_A_OP, VPCE_COND_NULL),
				  FLAG(VPCE_COND_A_IF_EXISTS),
				  STR(VPCE_COND_A_KEY, "k"),
				  STRARR(VPCE_COND_A_VALUES, "true"), END))),
		REQ_OK) },
	{ "policy_simulate/flag_with_payload", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(BAD(POL(STMT(STMT_BODY, U8(VPCE_STMT_A_NOT_ACTION, 1)))),
		REQ_OK) },
	{ "policy_simulate/request_no_principal", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, VPCE_REQ_A_PRINCIPAL,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD))) },
	{ "policy_simulate/request_principal_star", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD, STR(VPCE_REQ_A_PRINCIPAL, "*")))) },
	{ "policy_simulate/request_account_big", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD, REQ_PRINC,
				U64(VPCE_REQ_A_ACCOUNT, 1000000000000ULL)))) },
	{ "policy_simulate/request_ctx_no_values", VPCE_CMD_POLICY_SIMULATE, 0,
	  EINVAL, 0, 0,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD, REQ_PRINC, NEST(VPCE_REQ_A_CONTEXT),
				NEST(0), STR(VPCE_CTX_A_KEY, "k"),
				NEST(VPCE_CTX_A_VALUES), END, END, END))) },
	{ "policy_simulate/request_ctx_keys_17", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD, REQ_PRINC, NEST(VPCE_REQ_A_CONTEXT),
				REP(VPCE_REQUEST_KEYS_MAX + 1), NEST(0),
				CTRZONE(VPCE_CTX_A_KEY),
				STRARR(VPCE_CTX_A_VALUES, "v"), END, ENDREP,
				END))) },
	{ "policy_simulate/request_too_long", VPCE_CMD_POLICY_SIMULATE, 0,
	  WANT_ERR, 0, 0,
	  ATTRS(POL_OK, BAD(REQ(REQ_HEAD, REQ_PRINC, NEST(VPCE_REQ_A_CONTEXT),
				REP(5), NEST(0), CTRZONE(VPCE_CTX_A_KEY),
				NEST(VPCE_CTX_A_VALUES),
				LONGSTR(0, VPCE_POLICY_STRING_MAX), END, END,
				ENDREP, END))) },

	/* SG_*, ENDPOINT_SG_SET: the fixture has no security group. */
	{ "sg_add/missing_vpc", VPCE_CMD_SG_ADD, 0, WANT_ERR, 0, VPCE_A_VPC,
	  ATTRS(A_NAME(MISSING)) },
	{ "sg_add/no_such_vpc", VPCE_CMD_SG_ADD, 0, ENOENT, 0, 0,
	  ATTRS(A_NAME(MISSING), BAD(STR(VPCE_A_VPC, MISSING))) },
	{ "sg_add/bad_name", VPCE_CMD_SG_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(BAD(A_NAME("a b")), STR(VPCE_A_VPC, VPC)) },
	{ "sg_del/no_such_sg", VPCE_CMD_SG_DEL, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING))) },
	{ "sg_rule_add/missing_rules", VPCE_CMD_SG_RULE_ADD, 0, WANT_ERR, 0,
	  VPCE_A_SG_RULES, ATTRS(A_NAME(MISSING)) },
	{ "sg_rule_add/flat", VPCE_CMD_SG_RULE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(MISSING), BAD(U32(VPCE_A_SG_RULES, 1))) },
	{ "sg_rule_add/no_such_sg", VPCE_CMD_SG_RULE_ADD, 0, ENOENT, 0, 0,
	  ATTRS(BAD(A_NAME(MISSING)), NEST(VPCE_A_SG_RULES), NEST(0),
		U8(VPCE_SG_RULE_A_PROTO, 6), NEST(VPCE_SG_RULE_A_PREFIX),
		IP4(VPCE_ADDR_A_IPV4, 10, 0, 0, 0),
		U8(VPCE_ADDR_A_PREFIX_LEN, 8), END, END, END) },
	{ "sg_rule_add/port_0", VPCE_CMD_SG_RULE_ADD, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(MISSING), NEST(VPCE_A_SG_RULES), NEST(0),
		U8(VPCE_SG_RULE_A_PROTO, 6),
		BAD(U16(VPCE_SG_RULE_A_PORT_MIN, 0)),
		U16(VPCE_SG_RULE_A_PORT_MAX, 5), END, END) },
	{ "sg_member_add/missing_prefix", VPCE_CMD_SG_MEMBER_ADD, 0, WANT_ERR,
	  0, VPCE_A_PREFIX, ATTRS(A_NAME(MISSING)) },
	{ "endpoint_sg_set/missing_sgs", VPCE_CMD_ENDPOINT_SG_SET, 0, WANT_ERR,
	  0, VPCE_A_SGS, ATTRS(A_NAME(EP)) },
	{ "endpoint_sg_set/no_such_sg", VPCE_CMD_ENDPOINT_SG_SET, 0, ENOENT, 0,
	  0, ATTRS(A_NAME(EP), STRARR(VPCE_A_SGS, MISSING)) },
	{ "endpoint_sg_set/bad_name", VPCE_CMD_ENDPOINT_SG_SET, 0, WANT_ERR, 0,
	  0, ATTRS(A_NAME(EP), STRARR(VPCE_A_SGS, "a b")) },
	/* Flow logs (issue 24): the setting of an endpoint and a service. */
	{ "endpoint_set/nothing", VPCE_CMD_ENDPOINT_SET, 0, WANT_ERR, 0,
	  VPCE_A_POLICY, ATTRS(A_NAME(EP)) },
	{ "endpoint_set/flow_log_2", VPCE_CMD_ENDPOINT_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(EP), BAD(U8(VPCE_A_FLOW_LOG, 2))) },
	{ "endpoint_set/aggregation_30", VPCE_CMD_ENDPOINT_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(EP), U8(VPCE_A_FLOW_LOG, 1),
		BAD(U32(VPCE_A_FLOW_LOG_AGGREGATION, 30))) },
	{ "endpoint_set/sample_0", VPCE_CMD_ENDPOINT_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(EP), U8(VPCE_A_FLOW_LOG, 1),
		BAD(U8(VPCE_A_FLOW_LOG_SAMPLE, 0))) },
	{ "endpoint_set/sample_101", VPCE_CMD_ENDPOINT_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(EP), U8(VPCE_A_FLOW_LOG, 1),
		BAD(U8(VPCE_A_FLOW_LOG_SAMPLE, 101))) },
	{ "endpoint_set/sample_without_flow_log", VPCE_CMD_ENDPOINT_SET, 0,
	  EINVAL, 0, 0, ATTRS(A_NAME(EP), BAD(U8(VPCE_A_FLOW_LOG_SAMPLE, 5))) },
	{ "endpoint_set/sample_with_off", VPCE_CMD_ENDPOINT_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(EP), U8(VPCE_A_FLOW_LOG, 0),
		BAD(U8(VPCE_A_FLOW_LOG_SAMPLE, 5))) },
	{ "endpoint_set/flow_log_no_such_endpoint", VPCE_CMD_ENDPOINT_SET, 0,
	  ENOENT, 0, 0, ATTRS(BAD(A_NAME(MISSING)), U8(VPCE_A_FLOW_LOG, 1)) },
	{ "service_set/aggregation_3600", VPCE_CMD_SERVICE_SET, 0, EINVAL, 0, 0,
	  ATTRS(A_NAME(SVC), U8(VPCE_A_FLOW_LOG, 1),
		BAD(U32(VPCE_A_FLOW_LOG_AGGREGATION, 3600))) },
	{ "service_set/sample_u32", VPCE_CMD_SERVICE_SET, 0, WANT_ERR, 0, 0,
	  ATTRS(A_NAME(SVC), U8(VPCE_A_FLOW_LOG, 1),
		BAD(U32(VPCE_A_FLOW_LOG_SAMPLE, 50))) },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- netlink plumbing --------------------------------------------------- */

static uint16_t family;
static uint32_t dev1, dev2;
static unsigned int seq;
static int failures;

struct result {
	int err;		/* 0, or a positive errno */
	char msg[256];
	bool has_msg;
	int offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	bool intr;		/* NLM_F_DUMP_INTR seen */
	bool done;		/* a final ACK, error or NLMSG_DONE arrived */
	bool lost;		/* the answer could not be read */
	unsigned int nmsgs;	/* data messages */
};

/* Called for each data message of a reply; may be NULL. */
typedef void (*msg_fn)(const struct nlmsghdr *nlh, void *data);

static struct mnl_socket *sock_open(void)
{
	struct timeval tv = { .tv_sec = 5 };
	struct mnl_socket *nl;
	int one = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl) {
		perror("nlbad: mnl_socket_open");
		exit(2);
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlbad: mnl_socket_bind");
		exit(2);
	}
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		perror("nlbad: setsockopt NETLINK_EXT_ACK");
		exit(2);
	}
	/* Never hang on a missing answer. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) < 0) {
		perror("nlbad: SO_RCVTIMEO");
		exit(2);
	}
	return nl;
}

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct result *r = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(r->msg, sizeof(r->msg), "%s",
				 mnl_attr_get_str(attr));
			r->has_msg = r->msg[0] != '\0';
		}
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->offs = (int)mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->miss_type = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* Fills r from an NLMSG_ERROR or an NLMSG_DONE carrying an error. */
static void parse_error(const struct nlmsghdr *nlh, struct result *r)
{
	unsigned int off;
	int code;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
			r->err = EBADMSG;
			return;
		}
		code = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int))) {
			r->err = 0;
			return;
		}
		memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
		off = sizeof(int);
	}
	r->err = code < 0 ? -code : code;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, ext_attr_cb, r);
}

/*
 * Reads the answer to request `rseq` until its final message: the ACK or
 * error of a request, or the NLMSG_DONE of a dump. With `max_reads`, stops
 * after that many datagrams even if the answer isn't complete. Returns
 * false on a socket error (timeout included).
 */
static bool read_answer(struct mnl_socket *nl, unsigned int rseq,
			struct result *r, msg_fn fn, void *data,
			size_t bufsize, int max_reads)
{
	char *buf = malloc(bufsize);
	int reads = 0;

	if (!buf) {
		perror("nlbad: malloc");
		exit(2);
	}
	while (!r->done && (max_reads <= 0 || reads < max_reads)) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, bufsize);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			fprintf(stderr, "nlbad: recv: %s\n", strerror(errno));
			free(buf);
			r->lost = true;
			return false;
		}
		reads++;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != rseq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_error(nlh, r);
				r->done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			r->nmsgs++;
			if (fn)
				fn(nlh, data);
		}
	}
	free(buf);
	return true;
}

static void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->offs = -1;
	r->miss_type = -1;
}

struct build {
	struct nlmsghdr *nlh;
	unsigned int rep;	/* current repetition index */
	bool mark;		/* K_MARK seen, next attribute not yet */
	int mark_at;		/* offset of the marked attribute, or -1 */
	/* The top-level attribute holding the marked one: where an extack
	 * offset may point. -1 when nothing is marked. */
	int bad_lo, bad_hi;
};

static void put(struct build *b, const struct at *a)
{
	struct nlmsghdr *nlh = b->nlh;
	uint8_t ip[4];
	uint64_t v = a->v;
	char zone[16];

	switch (a->kind) {
	case K_U8:
		mnl_attr_put_u8(nlh, a->type, (uint8_t)v);
		break;
	case K_U16:
		mnl_attr_put_u16(nlh, a->type, (uint16_t)v);
		break;
	case K_CTR16:
		mnl_attr_put_u16(nlh, a->type, (uint16_t)(v + b->rep));
		break;
	case K_U32:
		mnl_attr_put_u32(nlh, a->type, (uint32_t)v);
		break;
	case K_DEV1:
		mnl_attr_put_u32(nlh, a->type, dev1);
		break;
	case K_DEV2:
		mnl_attr_put_u32(nlh, a->type, dev2);
		break;
	case K_FAMILY:
		mnl_attr_put_u16(nlh, a->type, family);
		break;
	case K_LONGSTR: {
		static char longstr[32768];

		if (v >= sizeof(longstr))
			v = sizeof(longstr) - 1;
		memset(longstr, 'x', v);
		longstr[v] = '\0';
		mnl_attr_put_strz(nlh, a->type, longstr);
		break;
	}
	case K_U64:
		mnl_attr_put_u64(nlh, a->type, v);
		break;
	case K_STR:
		mnl_attr_put_strz(nlh, a->type, a->s);
		break;
	case K_CTRZONE:
		snprintf(zone, sizeof(zone), "z%u", b->rep);
		mnl_attr_put_strz(nlh, a->type, zone);
		break;
	case K_BIN:
		mnl_attr_put(nlh, a->type, a->len, a->s);
		break;
	case K_CTRIP:
		v += b->rep;
		/* fall through */
	case K_IP4:
		ip[0] = (uint8_t)(v >> 24);
		ip[1] = (uint8_t)(v >> 16);
		ip[2] = (uint8_t)(v >> 8);
		ip[3] = (uint8_t)v;
		mnl_attr_put(nlh, a->type, sizeof(ip), ip);
		break;
	}
}

/*
 * Appends attrs[i...] up to the end of the list, the end of the enclosing
 * nest or the end of a repetition; returns the index where it stopped.
 */
static size_t build_attrs(struct build *b, const struct at *attrs, size_t i,
			  int depth)
{
	while (attrs[i].kind != K_NONE) {
		const struct at *a = &attrs[i];
		int start = (int)b->nlh->nlmsg_len;

		if (a->kind == K_END || a->kind == K_ENDREP)
			return i;
		if (a->kind == K_MARK) {
			b->mark = true;
			i++;
			continue;
		}
		if (b->mark) {
			b->mark = false;
			b->mark_at = start;
		}
		if (a->kind == K_NEST || a->kind == K_RNEST) {
			struct nlattr *nest = mnl_attr_nest_start(b->nlh, a->type);

			if (a->kind == K_RNEST)
				nest->nla_type &= (uint16_t)~NLA_F_NESTED;
			i = build_attrs(b, attrs, i + 1, depth + 1);
			if (attrs[i].kind != K_END) {
				fprintf(stderr, "nlbad: unbalanced nest\n");
				exit(2);
			}
			mnl_attr_nest_end(b->nlh, nest);
		} else if (a->kind == K_REP) {
			size_t body = i + 1;
			unsigned int n;

			for (n = 0; n < a->v; n++) {
				b->rep = n;
				i = build_attrs(b, attrs, body, depth);
			}
			if (attrs[i].kind != K_ENDREP) {
				fprintf(stderr, "nlbad: unbalanced repetition\n");
				exit(2);
			}
			/* A repetition is never a top-level attribute here. */
			i++;
			continue;
		} else {
			put(b, a);
		}
		if (depth == 0 && b->mark_at >= start) {
			b->bad_lo = start;
			b->bad_hi = (int)b->nlh->nlmsg_len;
		}
		i++;
	}
	return i;
}

static struct nlmsghdr *genl_hdr(char *buf, uint16_t type, uint16_t flags,
				 uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static void send_or_die(struct mnl_socket *nl, const struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nlbad: sendto");
		exit(2);
	}
}

static void resolve_family(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct result r;
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	int len;

	nlh = genl_hdr(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VPCE_GENL_NAME);
	send_or_die(nl, nlh);

	result_init(&r);
	while (!r.done) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)rbuf;

		len = (int)mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (len < 0) {
			perror("nlbad: recv");
			exit(2);
		}
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			const struct nlattr *attr;

			if (m->nlmsg_type == NLMSG_ERROR) {
				parse_error(m, &r);
				r.done = true;
				break;
			}
			mnl_attr_for_each(attr, m, GENL_HDRLEN) {
				if (mnl_attr_get_type(attr) ==
				    CTRL_ATTR_FAMILY_ID &&
				    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
					family = mnl_attr_get_u16(attr);
			}
		}
	}
	if (r.err || !family) {
		fprintf(stderr, "nlbad: generic netlink family \"%s\" not found: %s (is vpce loaded?)\n",
			VPCE_GENL_NAME, strerror(r.err ? r.err : ENOENT));
		exit(2);
	}
}

/* Sends one case's request and collects its answer. */
static void run_request(struct mnl_socket *nl, const struct tcase *c,
			struct result *r, struct build *b, msg_fn fn,
			void *data)
{
	static char buf[65536];
	uint16_t flags = c->nlflags;
	uint8_t version = c->opt & O_VER ? 99 : VPCE_GENL_VERSION;
	struct nlmsghdr *nlh;

	/* Dumps end in NLMSG_DONE; everything else asks for an ACK. */
	if ((flags & NLM_F_DUMP) != NLM_F_DUMP)
		flags |= NLM_F_ACK;
	memset(buf, 0, sizeof(buf));
	if (c->opt & O_CTRL)
		nlh = genl_hdr(buf, GENL_ID_CTRL, flags, c->cmd, 2);
	else
		nlh = genl_hdr(buf, family, flags, c->cmd, version);
	if (c->opt & O_RESV)
		((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->reserved = 1;

	b->nlh = nlh;
	b->rep = 0;
	b->mark = false;
	b->mark_at = -1;
	b->bad_lo = -1;
	b->bad_hi = -1;
	build_attrs(b, c->attrs, 0, 0);
	if (c->opt & O_SHORT)
		nlh->nlmsg_len = sizeof(*nlh) + 2;

	send_or_die(nl, nlh);
	result_init(r);
	if (!read_answer(nl, nlh->nlmsg_seq, r, fn, data, 32768, 0))
		r->lost = true;
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "?";
}

/* Runs one case and prints its verdict; returns true if it behaved. */
static bool run_case(struct mnl_socket *nl, const struct tcase *c)
{
	char why[160] = "";
	struct build b;
	struct result r;
	bool good = true;

	run_request(nl, c, &r, &b, NULL, NULL);

	if (c->opt & O_QUIET)
		return true;

	if (r.lost) {
		good = false;
		snprintf(why, sizeof(why), "no answer from the kernel");
	} else if (c->want == WANT_OK) {
		if (r.err) {
			good = false;
			snprintf(why, sizeof(why), "expected success");
		}
	} else if (!r.err) {
		good = false;
		snprintf(why, sizeof(why), "accepted");
	} else if (c->want > 0 && r.err != c->want) {
		good = false;
		snprintf(why, sizeof(why), "expected %s", errname(c->want));
	} else if (!r.has_msg && !(c->opt & O_NOMSG)) {
		good = false;
		snprintf(why, sizeof(why), "no extack message");
	} else if (b.bad_lo >= 0 && r.offs >= 0 &&
		   (r.offs < b.bad_lo || r.offs >= b.bad_hi)) {
		good = false;
		snprintf(why, sizeof(why),
			 "extack points at offset %d, outside the bad attribute [%d,%d)",
			 r.offs, b.bad_lo, b.bad_hi);
	} else if (c->miss && r.miss_type >= 0 && r.miss_type != c->miss) {
		good = false;
		snprintf(why, sizeof(why), "reports missing attribute %d, not %u",
			 r.miss_type, c->miss);
	}
	if (c->opt & O_INFO) {
		good = true;
		why[0] = '\0';
	}

	printf("%s %s", good ? "ok" : "FAIL", c->name);
	if (c->opt & O_INFO)
		printf(" (recorded only)");
	if (r.err)
		printf(" errno=%d (%s) msg=\"%s\"", r.err, errname(r.err),
		       r.msg);
	else
		printf(" accepted");
	if (r.offs >= 0)
		printf(" offs=%d", r.offs);
	if (r.miss_type >= 0)
		printf(" missing=%d", r.miss_type);
	if (why[0])
		printf(": %s", why);
	putchar('\n');
	fflush(stdout);
	if (!good)
		failures++;
	return good;
}

static void run_table(struct mnl_socket *nl, const struct tcase *t, size_t n,
		      const char *pattern)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!pattern || strstr(t[i].name, pattern))
			run_case(nl, &t[i]);
}

static uint32_t ifindex_or_die(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx) {
		fprintf(stderr, "nlbad: no device %s: %s\n", name,
			strerror(errno));
		exit(2);
	}
	return idx;
}

/* --- perm mode -------------------------------------------------------- */

static uint8_t perm_ip[4] = { 203, 0, 113, 78 };

static int mode_perm(struct mnl_socket *nl, const char *vpc, const char *svc,
		     const char *ep)
{
	/* The requests are well formed and would change state if allowed. */
	const struct at vpc_add[] = {
		A_NAME("nlbad-perm-vpc"), A_ACC(ACC_VPC),
		NEST(VPCE_A_DEVICES), NEST(0), DEV1(VPCE_DEV_A_IFINDEX), END, END,
		{ .kind = K_NONE } };
	const struct at vpc_name[] = { A_NAME(vpc), { .kind = K_NONE } };
	const struct at svc_add[] = {
		A_NAME("nlbad-perm-svc"), A_ACC(ACC_SVC), LIS_OK, NLBS_OK,
		{ .kind = K_NONE } };
	const struct at svc_name[] = { A_NAME(svc), { .kind = K_NONE } };
	const struct at tgt_add[] = {
		STR(VPCE_A_SERVICE, svc),
		NEST(VPCE_A_ADDR), IP4(VPCE_ADDR_A_IPV4, 203, 0, 113, 77), END,
		{ .kind = K_NONE } };
	const struct at tgt_del[] = {
		STR(VPCE_A_SERVICE, svc),
		NEST(VPCE_A_ADDR), BIN(VPCE_ADDR_A_IPV4, (const char *)perm_ip, 4),
		END,
		{ .kind = K_NONE } };
	const struct at svc_filter[] = {
		STR(VPCE_A_SERVICE, svc), { .kind = K_NONE } };
	const struct at ep_add[] = {
		A_NAME("nlbad-perm-ep"), STR(VPCE_A_VPC, vpc),
		STR(VPCE_A_SERVICE, svc),
		NEST(VPCE_A_ADDRS), NEST(0),
		  IP4(VPCE_ADDR_A_IPV4, 10, 250, 250, 250), END, END,
		{ .kind = K_NONE } };
	const struct at ep_name[] = { A_NAME(ep), { .kind = K_NONE } };
	const struct tcase perm[] = {
		{ "perm/vpc_add", VPCE_CMD_VPC_ADD, 0, EPERM, O_NOMSG, 0, vpc_add },
		{ "perm/vpc_del", VPCE_CMD_VPC_DEL, 0, EPERM, O_NOMSG, 0,
		  vpc_name },
		{ "perm/service_add", VPCE_CMD_SERVICE_ADD, 0, EPERM, O_NOMSG, 0,
		  svc_add },
		{ "perm/service_del", VPCE_CMD_SERVICE_DEL, 0, EPERM, O_NOMSG, 0,
		  svc_name },
		{ "perm/target_add", VPCE_CMD_TARGET_ADD, 0, EPERM, O_NOMSG, 0,
		  tgt_add },
		{ "perm/target_del", VPCE_CMD_TARGET_DEL, 0, EPERM, O_NOMSG, 0,
		  tgt_del },
		{ "perm/endpoint_add", VPCE_CMD_ENDPOINT_ADD, 0, EPERM, O_NOMSG, 0,
		  ep_add },
		{ "perm/endpoint_del", VPCE_CMD_ENDPOINT_DEL, 0, EPERM, O_NOMSG, 0,
		  ep_name },
		/* The same, malformed: the permission check comes first. */
		{ "perm/vpc_add_empty", VPCE_CMD_VPC_ADD, 0, EPERM, O_NOMSG, 0,
		  NOATTRS },
		{ "perm/endpoint_del_empty", VPCE_CMD_ENDPOINT_DEL, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/service_allow_empty", VPCE_CMD_SERVICE_ALLOW, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/service_disallow_empty", VPCE_CMD_SERVICE_DISALLOW, 0,
		  EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/connection_accept_empty", VPCE_CMD_CONNECTION_ACCEPT, 0,
		  EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/connection_reject_empty", VPCE_CMD_CONNECTION_REJECT, 0,
		  EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/service_set_empty", VPCE_CMD_SERVICE_SET, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/target_set_empty", VPCE_CMD_TARGET_SET, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/principal_add_empty", VPCE_CMD_PRINCIPAL_ADD, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/principal_del_empty", VPCE_CMD_PRINCIPAL_DEL, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		/* Reads too, and the simulator, which costs CPU. */
		{ "perm/principal_dump", VPCE_CMD_PRINCIPAL_GET, NLM_F_DUMP,
		  EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/policy_simulate", VPCE_CMD_POLICY_SIMULATE, 0, EPERM,
		  O_NOMSG, 0, ATTRS(POL_OK, REQ_OK) },
		{ "perm/vpc_dump", VPCE_CMD_VPC_GET, NLM_F_DUMP, EPERM, O_NOMSG, 0,
		  NOATTRS },
		{ "perm/service_dump", VPCE_CMD_SERVICE_GET, NLM_F_DUMP, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/target_dump", VPCE_CMD_TARGET_GET, NLM_F_DUMP, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/endpoint_dump", VPCE_CMD_ENDPOINT_GET, NLM_F_DUMP, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/stats_dump", VPCE_CMD_STATS_GET, NLM_F_DUMP, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/flow_dump", VPCE_CMD_FLOW_GET, NLM_F_DUMP, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/flow_del", VPCE_CMD_FLOW_DEL, 0, EPERM, O_NOMSG, 0,
		  NOATTRS },
		{ "perm/flush", VPCE_CMD_FLUSH, 0, EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/listener_add_empty", VPCE_CMD_LISTENER_ADD, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/listener_del_empty", VPCE_CMD_LISTENER_DEL, 0, EPERM,
		  O_NOMSG, 0, NOATTRS },
		{ "perm/endpoint_addr_add_empty", VPCE_CMD_ENDPOINT_ADDR_ADD, 0,
		  EPERM, O_NOMSG, 0, NOATTRS },
		{ "perm/endpoint_addr_del_empty", VPCE_CMD_ENDPOINT_ADDR_DEL, 0,
		  EPERM, O_NOMSG, 0, NOATTRS },
	};
	const struct tcase perm_named[] = {
		{ "perm/vpc_get", VPCE_CMD_VPC_GET, 0, EPERM, O_NOMSG, 0,
		  vpc_name },
		{ "perm/service_get", VPCE_CMD_SERVICE_GET, 0, EPERM, O_NOMSG, 0,
		  svc_name },
		{ "perm/target_dump_service", VPCE_CMD_TARGET_GET, NLM_F_DUMP,
		  EPERM, O_NOMSG, 0, svc_filter },
		{ "perm/endpoint_get", VPCE_CMD_ENDPOINT_GET, 0, EPERM, O_NOMSG, 0,
		  ep_name },
	};

	if (!dev1)
		dev1 = 1;	/* lo: fine, the request must not get that far */

	run_table(nl, perm, ARRAY_SIZE(perm), NULL);
	/* GET by name only makes sense for objects that exist. */
	if (strcmp(vpc, MISSING))
		run_case(nl, &perm_named[0]);
	if (strcmp(svc, MISSING)) {
		run_case(nl, &perm_named[1]);
		run_case(nl, &perm_named[2]);
	}
	if (strcmp(ep, MISSING))
		run_case(nl, &perm_named[3]);
	return failures ? 1 : 0;
}

/* --- dumpintr mode --------------------------------------------------------- */

#define DUMP_MAX 1024

struct names {
	char name[DUMP_MAX][VPCE_NAME_MAX + 1];
	unsigned int n;
	unsigned int dups;
};

static void collect_name(const struct nlmsghdr *nlh, void *data)
{
	struct names *ns = data;
	const struct nlattr *attr;
	unsigned int i;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != VPCE_A_NAME ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			continue;
		for (i = 0; i < ns->n; i++)
			if (!strcmp(ns->name[i], mnl_attr_get_str(attr)))
				ns->dups++;
		if (ns->n < DUMP_MAX)
			snprintf(ns->name[ns->n++], VPCE_NAME_MAX + 1, "%s",
				 mnl_attr_get_str(attr));
	}
}

static bool names_has(const struct names *ns, const char *name)
{
	unsigned int i;

	for (i = 0; i < ns->n; i++)
		if (!strcmp(ns->name[i], name))
			return true;
	return false;
}

static bool names_equal(const struct names *a, const struct names *b)
{
	unsigned int i;

	if (a->n != b->n || a->dups || b->dups)
		return false;
	for (i = 0; i < a->n; i++)
		if (!names_has(b, a->name[i]))
			return false;
	return true;
}

#define DUMP_PREFIX "nlbad-dump-"

static void dump_name(char *out, unsigned int i)
{
	/* Long names make big messages, so the dump spans several reads. */
	snprintf(out, VPCE_NAME_MAX + 1, DUMP_PREFIX "%04u-%.*s", i % 10000,
		 VPCE_NAME_MAX - 16, N64);
}

static int vpc_simple(struct mnl_socket *nl, uint8_t cmd, const char *name,
		      uint32_t ifindex)
{
	const struct at add[] = {
		A_NAME(name), A_ACC(ACC_VPC), NEST(VPCE_A_DEVICES), NEST(0),
		DEV1(VPCE_DEV_A_IFINDEX), END, END, { .kind = K_NONE } };
	const struct at del[] = { A_NAME(name), { .kind = K_NONE } };
	const struct tcase c = { "dumpintr/vpc", cmd, 0, WANT_OK, 0, 0,
				 cmd == VPCE_CMD_VPC_ADD ? add : del };
	struct build b;
	struct result r;

	dev1 = ifindex;
	run_request(nl, &c, &r, &b, NULL, NULL);
	if (r.err)
		fprintf(stderr, "nlbad: %s %s: %s (%s)\n",
			cmd == VPCE_CMD_VPC_ADD ? "vpc add" : "vpc del", name,
			strerror(r.err), r.msg);
	return r.err;
}

static bool full_dump(struct mnl_socket *nl, struct names *ns)
{
	const struct tcase c = { "dumpintr/dump", VPCE_CMD_VPC_GET, NLM_F_DUMP,
				 WANT_OK, 0, 0, NOATTRS };
	struct build b;
	struct result r;

	memset(ns, 0, sizeof(*ns));
	run_request(nl, &c, &r, &b, collect_name, ns);
	if (r.err) {
		fprintf(stderr, "nlbad: vpc dump: %s (%s)\n", strerror(r.err),
			r.msg);
		return false;
	}
	return true;
}

/*
 * Starts a VPC dump on its own socket and reads its first datagram. The
 * socket's receive buffer and our read size are small, so the kernel
 * produces the dump one datagram per read.
 */
static struct mnl_socket *start_paced_dump(struct names *seen,
					   struct result *r, unsigned int *rseq)
{
	struct mnl_socket *nl = sock_open();
	int small = 4096;
	char buf[256];
	struct nlmsghdr *nlh;

	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &small,
		       sizeof(small)) < 0) {
		perror("nlbad: SO_RCVBUF");
		exit(2);
	}
	nlh = genl_hdr(buf, family, NLM_F_DUMP, VPCE_CMD_VPC_GET,
		       VPCE_GENL_VERSION);
	*rseq = nlh->nlmsg_seq;
	send_or_die(nl, nlh);
	memset(seen, 0, sizeof(*seen));
	result_init(r);
	if (!read_answer(nl, *rseq, r, collect_name, seen, 4096, 1)) {
		fprintf(stderr, "nlbad: dump: first read failed\n");
		exit(2);
	}
	return nl;
}

static int mode_dumpintr(struct mnl_socket *nl, int ndev, char **devs)
{
	static struct names before, after, seen, quiet;
	struct mnl_socket *dnl;
	unsigned int rseq, i;
	bool fit_in_one;
	char name[VPCE_NAME_MAX + 1], gone1[VPCE_NAME_MAX + 1] = "";
	char gone2[VPCE_NAME_MAX + 1] = "";
	struct result r;
	int ret = 0;

	if (ndev < 2) {
		fprintf(stderr, "nlbad: dumpintr needs devices (about 40 or more)\n");
		return 2;
	}
	for (i = 0; i < (unsigned int)ndev; i++) {
		dump_name(name, i);
		if (vpc_simple(nl, VPCE_CMD_VPC_ADD, name, ifindex_or_die(devs[i]))) {
			ret = 2;
			ndev = (int)i;
			goto out;
		}
	}

	/* Without changes, a paced dump is whole and not interrupted. */
	dnl = start_paced_dump(&quiet, &r, &rseq);
	fit_in_one = r.done;
	if (!read_answer(dnl, rseq, &r, collect_name, &quiet, 4096, 0) ||
	    !r.done || r.err) {
		printf("FAIL dumpintr/unchanged could not read the dump: %s\n",
		       strerror(r.err ? r.err : ETIMEDOUT));
		failures++;
	} else if (!full_dump(nl, &before)) {
		ret = 2;
		mnl_socket_close(dnl);
		goto out;
	} else if (r.intr || !names_equal(&quiet, &before)) {
		printf("FAIL dumpintr/unchanged %s (%u names, %u duplicates, want %u)\n",
		       r.intr ? "NLM_F_DUMP_INTR set without a change" :
		       "dump differs from the table", quiet.n, quiet.dups,
		       before.n);
		failures++;
	} else {
		printf("ok dumpintr/unchanged %u VPCs, no NLM_F_DUMP_INTR\n",
		       quiet.n);
	}
	mnl_socket_close(dnl);
	if (fit_in_one) {
		printf("FAIL dumpintr/interrupted the whole dump fit in one read: give more devices\n");
		failures++;
		goto out;
	}

	/* Read one datagram, delete a VPC already seen and one not yet. */
	dnl = start_paced_dump(&seen, &r, &rseq);
	if (r.done || seen.n == 0) {
		printf("FAIL dumpintr/interrupted first read held %u VPCs and %s\n",
		       seen.n, r.done ? "the end of the dump" : "nothing");
		failures++;
		mnl_socket_close(dnl);
		goto out;
	}
	if (r.intr) {
		printf("FAIL dumpintr/interrupted NLM_F_DUMP_INTR before any change\n");
		failures++;
	}
	/* Only VPCs of ours: the netns may hold others. */
	for (i = 0; i < seen.n; i++)
		if (!strncmp(seen.name[i], DUMP_PREFIX, strlen(DUMP_PREFIX))) {
			snprintf(gone1, sizeof(gone1), "%s", seen.name[i]);
			break;
		}
	for (i = before.n; i-- > 0;)
		if (!strncmp(before.name[i], DUMP_PREFIX, strlen(DUMP_PREFIX)) &&
		    !names_has(&seen, before.name[i])) {
			snprintf(gone2, sizeof(gone2), "%s", before.name[i]);
			break;
		}
	if (!gone1[0] || !gone2[0] || vpc_simple(nl, VPCE_CMD_VPC_DEL, gone1, 0) ||
	    vpc_simple(nl, VPCE_CMD_VPC_DEL, gone2, 0)) {
		printf("FAIL dumpintr/interrupted could not change the table mid-dump\n");
		failures++;
		mnl_socket_close(dnl);
		goto out;
	}
	r.intr = false;
	if (!read_answer(dnl, rseq, &r, collect_name, &seen, 4096, 0) ||
	    !r.done || r.err) {
		printf("FAIL dumpintr/interrupted dump ended with %s\n",
		       strerror(r.err ? r.err : ETIMEDOUT));
		failures++;
	} else if (!full_dump(nl, &after)) {
		ret = 2;
	} else if (r.intr) {
		printf("ok dumpintr/interrupted NLM_F_DUMP_INTR after the change (%u names read)\n",
		       seen.n);
	} else if (names_equal(&seen, &before) || names_equal(&seen, &after)) {
		printf("ok dumpintr/interrupted no NLM_F_DUMP_INTR, but the dump is a consistent snapshot (%s the change)\n",
		       names_equal(&seen, &before) ? "before" : "after");
	} else {
		printf("FAIL dumpintr/interrupted inconsistent dump without NLM_F_DUMP_INTR: %u names, %u duplicates, %s %s, %s %s (table had %u, has %u)\n",
		       seen.n, seen.dups, gone1,
		       names_has(&seen, gone1) ? "listed" : "missing", gone2,
		       names_has(&seen, gone2) ? "listed" : "missing",
		       before.n, after.n);
		failures++;
	}
	mnl_socket_close(dnl);
out:
	/* Whatever of ours is left, including what a failed change kept. */
	if (!full_dump(nl, &after))
		ret = 2;
	for (i = 0; i < (unsigned int)ndev; i++) {
		dump_name(name, i);
		if (names_has(&after, name) &&
		    vpc_simple(nl, VPCE_CMD_VPC_DEL, name, 0))
			ret = 2;
	}
	if (ret)
		return ret;
	return failures ? 1 : 0;
}

/* --- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: nlbad -d DEV1 -D DEV2 [all] [PATTERN]\n"
		"       nlbad [-d DEV] [-v VPC] [-s SVC] [-e EP] [-t ADDR] perm\n"
		"       nlbad dumpintr DEV...\n"
		"       nlbad list\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *vpc = MISSING, *svc = MISSING, *ep = MISSING, *taddr = NULL;
	const char *mode = "all", *pattern = NULL;
	struct mnl_socket *nl;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "d:D:v:s:e:t:h")) != -1) {
		switch (opt) {
		case 'd':
			dev1 = ifindex_or_die(optarg);
			break;
		case 'D':
			dev2 = ifindex_or_die(optarg);
			break;
		case 'v':
			vpc = optarg;
			break;
		case 's':
			svc = optarg;
			break;
		case 'e':
			ep = optarg;
			break;
		case 't':
			taddr = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		mode = argv[optind++];

	if (!strcmp(mode, "list")) {
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			puts(cases[i].name);
		return 0;
	}

	nl = sock_open();
	resolve_family(nl);

	if (!strcmp(mode, "perm")) {
		if (optind != argc)
			usage();
		if (taddr && sscanf(taddr, "%hhu.%hhu.%hhu.%hhu", &perm_ip[0],
				    &perm_ip[1], &perm_ip[2], &perm_ip[3]) != 4) {
			fprintf(stderr, "nlbad: bad IPv4 address %s\n", taddr);
			return 2;
		}
		return mode_perm(nl, vpc, svc, ep);
	}
	if (!strcmp(mode, "dumpintr"))
		return mode_dumpintr(nl, argc - optind, argv + optind);
	if (strcmp(mode, "all"))
		pattern = mode;		/* nlbad -d X -D Y PATTERN */
	else if (optind < argc)
		pattern = argv[optind++];
	if (optind != argc || !dev1 || !dev2 || dev1 == dev2)
		usage();

	for (i = 0; i < ARRAY_SIZE(setup); i++) {
		if (!run_case(nl, &setup[i])) {
			fprintf(stderr, "nlbad: cannot build the fixture\n");
			run_table(nl, teardown, ARRAY_SIZE(teardown), NULL);
			return 2;
		}
	}
	run_table(nl, cases, ARRAY_SIZE(cases), pattern);
	run_table(nl, teardown, ARRAY_SIZE(teardown), NULL);
	mnl_socket_close(nl);
	printf("# nlbad: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
