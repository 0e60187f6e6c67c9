// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * Security groups: inbound rules on endpoint addresses, as AWS's on an
 * endpoint's network interface (Documentation/security-groups.md). The
 * objects, their rules and members, and the endpoints' SG lists; every
 * change compiles the SGs it touches (vpce_sg_table.c) and publishes the
 * new tables whole.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_sg.h"
#include "vpce_sg_table.h"
#include "compat.h"
#include "vpce_flows.h"
#include "vpce_net.h"
#include "vpce_vpc.h"

#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack_tuple.h>

bool vpce_sgs_allow(const struct vpce_ep_sgs *sgs,
		    const struct nf_conntrack_tuple *t)
{
	u8 proto = t->dst.protonum;
	unsigned int i;

	if (!sgs)
		return true;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return false;
	for (i = 0; i < sgs->n; i++)
		if (vpce_sg_table_allows(rcu_dereference(sgs->sg[i]->table),
					 t->src.l3num, proto, &t->src.u3,
					 ntohs(t->dst.u.all)))
			return true;
	return false;
}

static struct vpce_sg_table *vpce_sg_table(const struct vpce_sg *sg)
{
	return rcu_dereference_protected(sg->table, true);
}

/* Whether the namespace's SGs may hold @more entries and @less fewer. */
static int vpce_sg_room(struct vpce_net *vn, u64 more, u64 less,
			struct netlink_ext_ack *extack)
{
	if (vn->sg_entries - less + more > VPCE_NET_SG_ENTRIES_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the namespace's security groups would hold more than %u entries",
				   VPCE_NET_SG_ENTRIES_MAX);
		return -E2BIG;
	}
	return 0;
}

/* @sg's table becomes @t; the old one goes once no packet reads it. */
static void vpce_sg_publish(struct vpce_net *vn, struct vpce_sg *sg,
			    struct vpce_sg_table *t)
{
	struct vpce_sg_table *old = vpce_sg_table(sg);

	vn->sg_entries += t->entries;
	vn->sg_entries -= old ? old->entries : 0;
	rcu_assign_pointer(sg->table, t);
	if (old)
		kvfree_rcu(old, rcu);
}

/*
 * End the live flows that the SGs no longer let in: those of endpoints
 * that use an SG, of all endpoints (a member change reaches every SG that
 * names it). Nothing to do when no endpoint uses an SG that changed.
 */
static void vpce_sg_end_flows(struct vpce_net *vn, bool used)
{
	struct vpce_flow_match m = { .sg_denied = true };

	if (used)
		vpce_flows_end(vn, &m);
}

/* Objects */

int vpce_sgs_init(struct vpce_net *vn)
{
	vn->sg_rules = 0;
	vn->sg_entries = 0;
	return vpce_names_init(&vn->sgs);
}

struct vpce_sg *vpce_sg_find(struct vpce_net *vn, const char *name)
{
	struct vpce_named *n = vpce_names_find(&vn->sgs, name);

	return n ? container_of(n, struct vpce_sg, named) : NULL;
}

int vpce_sg_add(struct vpce_net *vn, const char *name, struct vpce_vpc *vpc,
		struct netlink_ext_ack *extack)
{
	struct vpce_sg_table *t;
	struct vpce_sg *sg;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (vpce_sg_find(vn, name)) {
		NL_SET_ERR_MSG(extack, "a security group with this name exists");
		return -EEXIST;
	}
	if (vn->sgs.count >= VPCE_NET_SGS_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "a namespace has at most %u security groups",
				   VPCE_NET_SGS_MAX);
		return -E2BIG;
	}
	sg = kzalloc(sizeof(*sg), GFP_KERNEL_ACCOUNT);
	if (!sg)
		return -ENOMEM;
	/* No rule: an SG that lets nothing in, as AWS's with no inbound rule. */
	t = vpce_sg_compile(NULL, 0, NULL, extack);
	if (IS_ERR(t)) {
		kfree(sg);
		return PTR_ERR(t);
	}
	strscpy_pad(sg->named.name, name, sizeof(sg->named.name));
	sg->vpc = vpc;
	RCU_INIT_POINTER(sg->table, t);
	ret = vpce_names_add(&vn->sgs, &sg->named);
	if (ret) {
		kvfree(t);
		kfree(sg);
		return ret;
	}
	vpc->sg_count++;
	vpce_net_changed(vn);
	return 0;
}

static void vpce_sg_free(struct vpce_net *vn, struct vpce_sg *sg)
{
	u32 i;

	for (i = 0; i < sg->nrules; i++)
		if (sg->rules[i].ref && sg->rules[i].ref != sg)
			sg->rules[i].ref->refs--;
	vn->sg_rules -= sg->nrules;
	vn->sg_entries -= vpce_sg_table(sg)->entries;
	vpce_names_del(&vn->sgs, &sg->named);
	sg->vpc->sg_count--;
	kvfree(sg->rules);
	kvfree(sg->members);
	/* An endpoint's SG list unpublished a moment ago may still be read
	 * by a packet: the table and the SG go after a grace period.
	 */
	kvfree_rcu(vpce_sg_table(sg), rcu);
	kfree_rcu(sg, rcu);
}

int vpce_sg_del(struct vpce_net *vn, struct vpce_sg *sg,
		struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);

	if (sg->users) {
		NL_SET_ERR_MSG_FMT(extack,
				   "security group %s is used by %u endpoint(s)",
				   sg->named.name, sg->users);
		return -EBUSY;
	}
	if (sg->refs) {
		NL_SET_ERR_MSG_FMT(extack,
				   "security group %s is named by %u rule(s) of other security groups",
				   sg->named.name, sg->refs);
		return -EBUSY;
	}
	vpce_sg_free(vn, sg);
	vpce_net_changed(vn);
	return 0;
}

/*
 * Namespace exit, module unload, flush: the endpoints are gone already, so
 * no SG is in use. SGs may name each other in a cycle, which the user
 * would break rule by rule: here their references are simply forgotten
 * first.
 */
void vpce_sgs_destroy(struct vpce_net *vn)
{
	struct vpce_named *n, *tmp;
	struct vpce_sg *sg;
	u32 i;

	lockdep_assert_held(&vn->lock);

	list_for_each_entry(n, &vn->sgs.list, list) {
		sg = container_of(n, struct vpce_sg, named);
		WARN_ON_ONCE(sg->users);
		for (i = 0; i < sg->nrules; i++)
			sg->rules[i].ref = NULL;
	}
	list_for_each_entry_safe(n, tmp, &vn->sgs.list, list)
		vpce_sg_free(vn, container_of(n, struct vpce_sg, named));
}

/* Rules */

static bool vpce_sg_rule_eq(const struct vpce_sg_rule *a,
			    const struct vpce_sg_rule *b)
{
	if (a->proto != b->proto || a->port_min != b->port_min ||
	    a->port_max != b->port_max || a->ref != b->ref)
		return false;
	return a->ref || (a->src.plen == b->src.plen &&
			  vpce_addr_eq(&a->src.addr, &b->src.addr));
}

static s64 vpce_sg_rule_index(const struct vpce_sg_rule *rules, u32 n,
			      const struct vpce_sg_rule *r)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (vpce_sg_rule_eq(&rules[i], r))
			return i;
	return -1;
}

static int vpce_sg_rules_check(struct vpce_sg *sg,
			       const struct vpce_sg_rule *rules, u32 n,
			       struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (rules[i].ref && rules[i].ref->vpc != sg->vpc) {
			NL_SET_ERR_MSG_FMT(extack,
					   "security group %s is of VPC %s, not of %s's VPC %s",
					   rules[i].ref->named.name,
					   rules[i].ref->vpc->named.name,
					   sg->named.name, sg->vpc->named.name);
			return -EINVAL;
		}
		if (vpce_sg_rule_index(sg->rules, sg->nrules, &rules[i]) >= 0 ||
		    vpce_sg_rule_index(rules, i, &rules[i]) >= 0) {
			NL_SET_ERR_MSG(extack,
				       "the security group has this rule already");
			return -EEXIST;
		}
		/* Each search is linear: 10,000 rules added to 10,000
		 * take a while, under vn->lock (a mutex): let others run.
		 */
		cond_resched();
	}
	return 0;
}

int vpce_sg_rules_add(struct vpce_net *vn, struct vpce_sg *sg,
		      const struct vpce_sg_rule *rules, u32 n,
		      struct netlink_ext_ack *extack)
{
	struct vpce_sg_rule *arr = sg->rules;
	struct vpce_sg_table *t;
	u32 i, cap = sg->cap;
	int ret;

	lockdep_assert_held(&vn->lock);

	if (sg->nrules + n > VPCE_SG_RULES_MAX ||
	    vn->sg_rules + n > VPCE_NET_SG_RULES_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "at most %u rules per security group and %u per namespace",
				   VPCE_SG_RULES_MAX, VPCE_NET_SG_RULES_MAX);
		return -E2BIG;
	}
	ret = vpce_sg_rules_check(sg, rules, n, extack);
	if (ret)
		return ret;
	/* Room first, in a new array if need be; only the count says which
	 * rules there are, so the tail is free to fill.
	 */
	if (sg->nrules + n > cap) {
		cap = min_t(u32, max_t(u32, 16, 2 * (sg->nrules + n)),
			    VPCE_SG_RULES_MAX);
		arr = kvmalloc_array(cap, sizeof(*arr), GFP_KERNEL_ACCOUNT);
		if (!arr)
			return -ENOMEM;
		if (sg->nrules)
			memcpy(arr, sg->rules, sg->nrules * sizeof(*arr));
	}
	memcpy(&arr[sg->nrules], rules, n * sizeof(*arr));
	t = vpce_sg_compile(arr, sg->nrules + n, NULL, extack);
	ret = IS_ERR(t) ? PTR_ERR(t) :
		vpce_sg_room(vn, t->entries, vpce_sg_table(sg)->entries, extack);
	if (ret) {
		if (!IS_ERR(t))
			kvfree(t);
		if (arr != sg->rules)
			kvfree(arr);
		return ret;
	}
	if (arr != sg->rules) {
		kvfree(sg->rules);
		sg->rules = arr;
		sg->cap = cap;
	}
	for (i = 0; i < n; i++)
		if (rules[i].ref && rules[i].ref != sg)
			rules[i].ref->refs++;
	sg->nrules += n;
	vn->sg_rules += n;
	vpce_sg_publish(vn, sg, t);
	vpce_net_changed(vn);
	/* More rules let more in: no live flow can be denied now. */
	return 0;
}

int vpce_sg_rules_del(struct vpce_net *vn, struct vpce_sg *sg,
		      const struct vpce_sg_rule *rules, u32 n,
		      struct netlink_ext_ack *extack)
{
	struct vpce_sg_rule *arr;
	struct vpce_sg_table *t;
	u32 i, k = 0;
	bool *gone;
	s64 idx;
	int ret = -ENOMEM;

	lockdep_assert_held(&vn->lock);

	gone = kvcalloc(sg->nrules ?: 1, sizeof(*gone), GFP_KERNEL_ACCOUNT);
	arr = kvmalloc_array(max_t(u32, sg->cap, 1), sizeof(*arr),
			     GFP_KERNEL_ACCOUNT);
	if (!gone || !arr)
		goto out;
	for (i = 0; i < n; i++) {
		idx = vpce_sg_rule_index(sg->rules, sg->nrules, &rules[i]);
		if (idx < 0 || gone[idx]) {
			NL_SET_ERR_MSG(extack, "the security group has no such rule");
			ret = -ENOENT;
			goto out;
		}
		gone[idx] = true;
		cond_resched();
	}
	for (i = 0; i < sg->nrules; i++)
		if (!gone[i])
			arr[k++] = sg->rules[i];
	t = vpce_sg_compile(arr, k, NULL, extack);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	for (i = 0; i < sg->nrules; i++)
		if (gone[i] && sg->rules[i].ref && sg->rules[i].ref != sg)
			sg->rules[i].ref->refs--;
	swap(arr, sg->rules);
	sg->nrules = k;
	vn->sg_rules -= n;
	vpce_sg_publish(vn, sg, t);
	vpce_net_changed(vn);
	vpce_sg_end_flows(vn, sg->users);
	ret = 0;
out:
	kvfree(arr);
	kvfree(gone);
	return ret;
}

/* Members */

static s64 vpce_sg_member_index(const struct vpce_sg *sg,
				const struct vpce_prefix *p)
{
	u32 i;

	for (i = 0; i < sg->nmembers; i++)
		if (sg->members[i].plen == p->plen &&
		    vpce_addr_eq(&sg->members[i].addr, &p->addr))
			return i;
	return -1;
}

/* Whether a rule of @sg names @ref. */
static bool vpce_sg_names(const struct vpce_sg *sg, const struct vpce_sg *ref)
{
	u32 i;

	if (!ref->refs && sg != ref)
		return false;
	for (i = 0; i < sg->nrules; i++)
		if (sg->rules[i].ref == ref)
			return true;
	return false;
}

/*
 * @sg's members become @chg's: every SG whose rules name it is compiled
 * again first, and all are published only if all could be.
 */
static int vpce_sg_members_set(struct vpce_net *vn, struct vpce_sg *sg,
			       struct vpce_prefix *members, u32 n, bool less,
			       struct netlink_ext_ack *extack)
{
	struct vpce_sg_members_change chg = { sg, members, n };
	struct vpce_sg_table **tables;
	struct vpce_named *nd;
	u64 more = 0, fewer = 0;
	bool used = false;
	u32 i = 0, k;
	int ret = 0;

	tables = kvcalloc(vn->sgs.count, sizeof(*tables), GFP_KERNEL_ACCOUNT);
	if (!tables)
		return -ENOMEM;
	list_for_each_entry(nd, &vn->sgs.list, list) {
		struct vpce_sg *s = container_of(nd, struct vpce_sg, named);

		if (vpce_sg_names(s, sg)) {
			tables[i] = vpce_sg_compile(s->rules, s->nrules, &chg,
						    extack);
			if (IS_ERR(tables[i])) {
				ret = PTR_ERR(tables[i]);
				tables[i] = NULL;
				break;
			}
			more += tables[i]->entries;
			fewer += vpce_sg_table(s)->entries;
		}
		i++;
	}
	if (!ret)
		ret = vpce_sg_room(vn, more, fewer, extack);
	if (ret) {
		for (k = 0; k < vn->sgs.count; k++)
			kvfree(tables[k]);
		kvfree(tables);
		kvfree(members);
		return ret;
	}
	swap(sg->members, members);
	sg->nmembers = n;
	i = 0;
	list_for_each_entry(nd, &vn->sgs.list, list) {
		struct vpce_sg *s = container_of(nd, struct vpce_sg, named);

		if (tables[i]) {
			vpce_sg_publish(vn, s, tables[i]);
			used |= s->users;
		}
		i++;
	}
	kvfree(tables);
	kvfree(members);
	vpce_net_changed(vn);
	if (less)
		vpce_sg_end_flows(vn, used);
	return 0;
}

int vpce_sg_member_add(struct vpce_net *vn, struct vpce_sg *sg,
		       const struct vpce_prefix *p,
		       struct netlink_ext_ack *extack)
{
	struct vpce_prefix *m;

	lockdep_assert_held(&vn->lock);

	if (vpce_sg_member_index(sg, p) >= 0) {
		NL_SET_ERR_MSG(extack, "the security group has this member already");
		return -EEXIST;
	}
	if (sg->nmembers >= VPCE_SG_MEMBERS_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "a security group has at most %u members",
				   VPCE_SG_MEMBERS_MAX);
		return -E2BIG;
	}
	m = kvmalloc_array(sg->nmembers + 1, sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	if (sg->nmembers)
		memcpy(m, sg->members, sg->nmembers * sizeof(*m));
	m[sg->nmembers] = *p;
	return vpce_sg_members_set(vn, sg, m, sg->nmembers + 1, false, extack);
}

int vpce_sg_member_del(struct vpce_net *vn, struct vpce_sg *sg,
		       const struct vpce_prefix *p,
		       struct netlink_ext_ack *extack)
{
	struct vpce_prefix *m;
	s64 idx;
	u32 i, k = 0;

	lockdep_assert_held(&vn->lock);

	idx = vpce_sg_member_index(sg, p);
	if (idx < 0) {
		NL_SET_ERR_MSG(extack, "the security group has no such member");
		return -ENOENT;
	}
	m = kvmalloc_array(max_t(u32, sg->nmembers - 1, 1), sizeof(*m),
			   GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	for (i = 0; i < sg->nmembers; i++)
		if (i != idx)
			m[k++] = sg->members[i];
	return vpce_sg_members_set(vn, sg, m, k, true, extack);
}

/* Endpoints' lists */

int vpce_ep_sgs_build(struct vpce_sg *const *sgs, unsigned int n,
		      const struct vpce_vpc *vpc, struct vpce_ep_sgs **out,
		      struct netlink_ext_ack *extack)
{
	struct vpce_ep_sgs *l;
	unsigned int i, j;

	*out = NULL;
	if (n > VPCE_ENDPOINT_SGS_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "an endpoint has at most %u security groups",
				   VPCE_ENDPOINT_SGS_MAX);
		return -E2BIG;
	}
	for (i = 0; i < n; i++) {
		if (sgs[i]->vpc != vpc) {
			NL_SET_ERR_MSG_FMT(extack,
					   "security group %s is of VPC %s, not of the endpoint's VPC %s",
					   sgs[i]->named.name,
					   sgs[i]->vpc->named.name,
					   vpc->named.name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (sgs[j] == sgs[i]) {
				NL_SET_ERR_MSG_FMT(extack,
						   "security group %s given twice",
						   sgs[i]->named.name);
				return -EINVAL;
			}
	}
	if (!n)
		return 0;
	l = kzalloc(struct_size(l, sg, n), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->n = n;
	memcpy(l->sg, sgs, n * sizeof(*sgs));
	*out = l;
	return 0;
}

void vpce_ep_sgs_hold(struct vpce_ep_sgs *sgs)
{
	unsigned int i;

	for (i = 0; sgs && i < sgs->n; i++)
		sgs->sg[i]->users++;
}

void vpce_ep_sgs_put(struct vpce_ep_sgs *sgs)
{
	unsigned int i;

	if (!sgs)
		return;
	for (i = 0; i < sgs->n; i++)
		sgs->sg[i]->users--;
	kfree_rcu(sgs, rcu);
}
