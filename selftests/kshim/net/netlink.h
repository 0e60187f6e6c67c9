/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the kernel's <net/netlink.h> the policy builder and the
 * request parser use: attribute access, policies, strict parsing of a nest
 * (nla_parse_nested(), as lib/nlattr.c validates it for the types and
 * validations vpce's policies use), extended acks, and nla_put() into a
 * flat buffer standing for an skb.
 */
#ifndef KSHIM_NET_NETLINK_H
#define KSHIM_NET_NETLINK_H

#include <errno.h>
#include <string.h>
#include <linux/kernel.h>
#include <linux/netlink.h>	/* the system's: struct nlattr, NLA_F_* */
#include <linux/types.h>

enum {
	NLA_UNSPEC,
	NLA_U8,
	NLA_U16,
	NLA_U32,
	NLA_U64,
	NLA_STRING,
	NLA_FLAG,
	NLA_MSECS,
	NLA_NESTED,
	NLA_NESTED_ARRAY,
	NLA_NUL_STRING,
};

enum nla_policy_validation {
	NLA_VALIDATE_NONE,
	NLA_VALIDATE_MAX,
	NLA_VALIDATE_RANGE_PTR,
};

struct netlink_range_validation {
	u64 min, max;
};

/* Not a union, unlike the kernel's: the initializers below stay simple. */
struct nla_policy {
	u8 type;
	u8 validation_type;
	u16 len;
	const struct nla_policy *nested_policy;
	struct netlink_range_validation *range;
	s64 max;
};

#define NLA_POLICY_MAX(tp, _max) \
	{ .type = (tp), .validation_type = NLA_VALIDATE_MAX, .max = (_max) }
#define NLA_POLICY_FULL_RANGE(tp, _range) \
	{ .type = (tp), .validation_type = NLA_VALIDATE_RANGE_PTR, \
	  .range = (_range) }
#define NLA_POLICY_NESTED(policy) \
	{ .type = NLA_NESTED, .nested_policy = (policy), \
	  .len = ARRAY_SIZE(policy) - 1 }
#define NLA_POLICY_NESTED_ARRAY(policy) \
	{ .type = NLA_NESTED_ARRAY, .nested_policy = (policy), \
	  .len = ARRAY_SIZE(policy) - 1 }

struct netlink_ext_ack {
	const char *_msg;
	const struct nlattr *bad_attr;
	const struct nlattr *miss_nest;
	u16 miss_type;
};

#define NL_SET_ERR_MSG(extack, msg) do {				\
	struct netlink_ext_ack *__e = (extack);				\
	if (__e)							\
		__e->_msg = (msg);					\
} while (0)
#define NL_SET_ERR_MSG_ATTR(extack, attr, msg) do {			\
	struct netlink_ext_ack *__e = (extack);				\
	if (__e) {							\
		__e->_msg = (msg);					\
		__e->bad_attr = (attr);					\
	}								\
} while (0)
#define NL_SET_ERR_ATTR_MISS(extack, nest, type) do {			\
	struct netlink_ext_ack *__e = (extack);				\
	if (__e) {							\
		__e->miss_nest = (nest);				\
		__e->miss_type = (type);				\
	}								\
} while (0)

static inline void *nla_data(const struct nlattr *nla)
{
	return (char *)nla + NLA_HDRLEN;
}

static inline int nla_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

static inline int nla_type(const struct nlattr *nla)
{
	return nla->nla_type & NLA_TYPE_MASK;
}

static inline int nla_ok(const struct nlattr *nla, int remaining)
{
	return remaining >= (int)sizeof(*nla) &&
	       nla->nla_len >= sizeof(*nla) &&
	       nla->nla_len <= remaining;
}

static inline struct nlattr *nla_next(const struct nlattr *nla, int *remaining)
{
	unsigned int totlen = NLA_ALIGN(nla->nla_len);

	*remaining -= totlen;
	return (struct nlattr *)((char *)nla + totlen);
}

#define nla_for_each_attr(pos, head, len, rem)				\
	for (pos = head, rem = len; nla_ok(pos, rem);			\
	     pos = nla_next(pos, &(rem)))
#define nla_for_each_nested(pos, nla, rem)				\
	nla_for_each_attr(pos, nla_data(nla), nla_len(nla), rem)

static inline u8 nla_get_u8(const struct nlattr *nla)
{
	return *(u8 *)nla_data(nla);
}

static inline u64 nla_get_u64(const struct nlattr *nla)
{
	u64 v;

	memcpy(&v, nla_data(nla), sizeof(v));
	return v;
}

static inline int nla_strcmp(const struct nlattr *nla, const char *str)
{
	int len = strlen(str), attrlen = nla_len(nla), d;
	const char *buf = nla_data(nla);

	while (attrlen > 0 && buf[attrlen - 1] == '\0')
		attrlen--;
	d = attrlen - len;
	if (d == 0)
		d = memcmp(buf, str, len);
	return d;
}

static inline int kshim_nla_validate_parse(struct nlattr **tb, int maxtype,
					   const struct nlattr *head, int len,
					   const struct nla_policy *policy,
					   struct netlink_ext_ack *extack);

/* One attribute against its policy entry, as lib/nlattr.c's validate_nla()
 * in strict mode, for the types above.
 */
static inline int kshim_nla_validate_one(const struct nlattr *nla,
					 const struct nla_policy *pt,
					 struct netlink_ext_ack *extack)
{
	static const u8 fixed[] = { [NLA_U8] = 1, [NLA_U16] = 2, [NLA_U32] = 4,
				    [NLA_U64] = 8, [NLA_FLAG] = 0 };
	bool nested = pt->type == NLA_NESTED || pt->type == NLA_NESTED_ARRAY;
	int len = nla_len(nla), rem;
	const struct nlattr *e;
	u64 v = 0;

	if (nested != !!(nla->nla_type & NLA_F_NESTED))
		goto bad;
	switch (pt->type) {
	case NLA_U8:
	case NLA_U16:
	case NLA_U32:
	case NLA_U64:
	case NLA_FLAG:
		if (len != fixed[pt->type])
			goto bad;
		memcpy(&v, nla_data(nla), len);	/* little-endian host */
		break;
	case NLA_NUL_STRING:
		if (!len || !memchr(nla_data(nla), '\0',
				    pt->len && pt->len + 1 < len ? pt->len + 1 : len))
			goto bad;
		break;
	case NLA_NESTED:
		if (len && len < NLA_HDRLEN)
			goto bad;
		if (pt->nested_policy && len)
			return kshim_nla_validate_parse(NULL, pt->len,
							nla_data(nla), len,
							pt->nested_policy,
							extack);
		break;
	case NLA_NESTED_ARRAY:
		if (len && len < NLA_HDRLEN)
			goto bad;
		nla_for_each_nested(e, nla, rem) {
			int ret;

			if (nla_len(e) < NLA_HDRLEN && nla_len(e))
				goto bad;
			ret = kshim_nla_validate_parse(NULL, pt->len,
						       nla_data(e), nla_len(e),
						       pt->nested_policy,
						       extack);
			if (ret)
				return ret;
		}
		if (rem > 0)
			goto bad;
		break;
	}
	if (pt->validation_type == NLA_VALIDATE_MAX && (s64)v > pt->max)
		goto bad;
	if (pt->validation_type == NLA_VALIDATE_RANGE_PTR &&
	    (v < pt->range->min || v > pt->range->max))
		goto bad;
	return 0;
bad:
	NL_SET_ERR_MSG_ATTR(extack, nla, "invalid attribute (kshim)");
	return -EINVAL;
}

/* Every attribute of the stream known, valid, and nothing trailing. */
static inline int kshim_nla_validate_parse(struct nlattr **tb, int maxtype,
					   const struct nlattr *head, int len,
					   const struct nla_policy *policy,
					   struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int rem, ret;

	if (tb)
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	nla_for_each_attr(nla, head, len, rem) {
		int type = nla_type(nla);

		if (type == 0 || type > maxtype) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "Unknown attribute type");
			return -EINVAL;
		}
		ret = kshim_nla_validate_one(nla, &policy[type], extack);
		if (ret)
			return ret;
		if (tb)
			tb[type] = (struct nlattr *)nla;
	}
	if (rem > 0) {
		NL_SET_ERR_MSG(extack, "trailing bytes (kshim)");
		return -EINVAL;
	}
	return 0;
}

static inline int nla_parse_nested(struct nlattr **tb, int maxtype,
				   const struct nlattr *nla,
				   const struct nla_policy *policy,
				   struct netlink_ext_ack *extack)
{
	if (!(nla->nla_type & NLA_F_NESTED)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "NLA_F_NESTED is missing");
		return -EINVAL;
	}
	return kshim_nla_validate_parse(tb, maxtype, nla_data(nla),
					nla_len(nla), policy, extack);
}

/* An skb is a flat buffer here: what nla_put() appends to. */
struct sk_buff {
	unsigned char *data;
	unsigned int len, size;
};

static inline int nla_put(struct sk_buff *skb, int attrtype, int attrlen,
			  const void *data)
{
	unsigned int total = NLA_ALIGN(NLA_HDRLEN + attrlen);
	struct nlattr *nla;

	if (skb->size - skb->len < total)
		return -EMSGSIZE;
	nla = (struct nlattr *)(skb->data + skb->len);
	nla->nla_type = attrtype;
	nla->nla_len = NLA_HDRLEN + attrlen;
	memcpy(nla_data(nla), data, attrlen);
	memset((char *)nla_data(nla) + attrlen, 0, total - nla->nla_len);
	skb->len += total;
	return 0;
}

#endif
