/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * The control layer: the "vpce" generic netlink family. vpce_nl.c has the
 * family, its commands' policies and ops table and the messages the
 * handlers share (replies, dumps, events); vpce_nl_parse.c the nested
 * attributes' policies and the parsing the handlers share; each
 * vpce_nl_<object>.c has the handlers of one object family. Only the
 * control layer (and main.c, which registers the family) includes this
 * header: objects and the data path know nothing of netlink messages.
 */

#ifndef _VPCE_NL_H
#define _VPCE_NL_H

#include "vpce_policy.h"

#include <linux/types.h>
#include <net/genetlink.h>
#include <uapi/linux/vpce.h>

struct vpce_addr;
struct vpce_arn;
struct vpce_endpoint;
struct vpce_ep_sgs;
struct vpce_names;
struct vpce_net;
struct vpce_prefix;
struct vpce_service;
struct vpce_vpc;
struct vpce_zone_addr;

/* An endpoint with its policy text needs more than a page. */
#define VPCE_ENDPOINT_MSG_SIZE	(NLMSG_GOODSIZE + VPCE_POLICY_TEXT_MAX)

int vpce_genl_init(void);
void vpce_genl_uninit(void);

/* Validators of the commands' policies (vpce_nl_parse.c). */
int vpce_validate_name(const struct nlattr *attr,
		       struct netlink_ext_ack *extack);
int vpce_validate_dns(const struct nlattr *attr,
		      struct netlink_ext_ack *extack);
int vpce_validate_endpoint_id(const struct nlattr *attr,
			      struct netlink_ext_ack *extack);
/* An endpoint's VPCE_A_ENDPOINT_ID (vpce_nl_endpoint.c). */
int vpce_put_endpoint_id(struct sk_buff *skb, const struct vpce_endpoint *ep);

/* Nested policies that commands and handlers parse with (vpce_nl_parse.c). */
extern const struct nla_policy vpce_dev_policy[VPCE_DEV_A_MAX + 1];
extern const struct nla_policy vpce_listener_policy[VPCE_LISTENER_A_MAX + 1];
extern const struct nla_policy vpce_addr_policy[VPCE_ADDR_A_MAX + 1];
extern const struct nla_policy vpce_prefix_policy[VPCE_ADDR_A_MAX + 1];
extern const struct nla_policy vpce_hc_policy[VPCE_HC_A_MAX + 1];

/* A service's health check, VPCE_A_HEALTH_CHECK (vpce_nl_hc.c). */
struct vpce_hc;
int vpce_nl_parse_hc(struct genl_info *info, struct vpce_hc *hc);
int vpce_nl_put_hc(struct sk_buff *skb, const struct vpce_hc *hc);

/* Parsing shared by the handlers (vpce_nl_parse.c). */
bool vpce_missing(struct genl_info *info, int type, const char *msg);
bool vpce_refused(struct genl_info *info, int type, const char *msg);
u8 vpce_parse_type(struct genl_info *info);
int vpce_parse_addr(const struct nlattr *nest, struct vpce_zone_addr *za,
		    struct netlink_ext_ack *extack);
int vpce_parse_addrs(const struct nlattr *array,
		     struct vpce_zone_addr *out, u8 *n, unsigned int max,
		     struct netlink_ext_ack *extack);
int vpce_parse_arn(const struct nlattr *attr, struct vpce_arn *arn,
		   struct netlink_ext_ack *extack);
int vpce_parse_prefix(const struct nlattr *nest, struct vpce_addr *a,
		      u8 *plen, struct netlink_ext_ack *extack);
int vpce_parse_prefixes(const struct nlattr *array,
			struct vpce_prefix *out, u8 *n,
			struct netlink_ext_ack *extack);

/*
 * The object named by attribute @attr, under vn->lock; NULL if there is
 * none, the extack saying so ("no such VPC") and pointing at @attr. For
 * request handlers (info->attrs[...], info->extack) and dump filters
 * (cb->extack) alike (vpce_nl.c).
 */
struct vpce_vpc *vpce_nl_vpc(struct vpce_net *vn, const struct nlattr *attr,
			     struct netlink_ext_ack *extack);
struct vpce_service *vpce_nl_service(struct vpce_net *vn,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack);
struct vpce_endpoint *vpce_nl_endpoint(struct vpce_net *vn,
				       const struct nlattr *attr,
				       struct netlink_ext_ack *extack);

/* Messages: replies, dumps, events (vpce_nl.c). */
typedef int (*vpce_fill_t)(struct sk_buff *skb, struct vpce_net *vn,
			   const void *obj);
int vpce_put_addr(struct sk_buff *skb, int type,
		  const struct vpce_addr *addr, const char *zone);
int vpce_put_drops(struct sk_buff *skb, const u64 *drops);
void *vpce_reply_put(struct sk_buff *msg, struct genl_info *info);
int vpce_reply(struct genl_info *info, vpce_fill_t fill,
	       struct vpce_net *vn, const void *obj);
void vpce_dump_begin(struct netlink_callback *cb, struct vpce_net *vn);
void *vpce_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);
int vpce_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		  u8 cmd, vpce_fill_t fill, struct vpce_net *vn,
		  const void *obj);
int vpce_dump_done(struct sk_buff *skb, int err);
int vpce_dump_names(struct sk_buff *skb, struct netlink_callback *cb,
		    struct vpce_names *names, u8 cmd, vpce_fill_t fill,
		    size_t named_offset);
int vpce_nl_big_dump_start(struct netlink_callback *cb);
/* The multicast groups, by index in the family's. */
enum {
	VPCE_NL_GRP_EVENTS,
	VPCE_NL_GRP_FLOWLOG,
};

bool vpce_nl_listening(struct net *net, unsigned int group);
void *vpce_nl_notify_put(struct sk_buff *skb, u8 cmd);
int vpce_nl_notify(struct net *net, struct sk_buff *skb, unsigned int group,
		   gfp_t gfp);
/* Flow log records: the sender the data path calls (vpce_nl_flowlog.c). */
void vpce_nl_flowlog_init(void);
void vpce_nl_flowlog_uninit(void);
int vpce_nl_flowlog_setting(struct genl_info *info, u8 *setting);
int vpce_put_flowlog_setting(struct sk_buff *skb, u8 setting);

struct sk_buff *vpce_event_build(struct vpce_net *vn, u8 cmd, u8 event,
				 vpce_fill_t fill, const void *obj);
void vpce_event_send(struct vpce_net *vn, struct sk_buff *skb);

/* The handlers, for the ops table: one file per object family. */
int vpce_nl_vpc_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_vpc_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_vpc_get(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_vpc_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vpce_nl_vpc_set(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb);

int vpce_nl_service_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_service_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_service_set(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_service_get(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_service_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vpce_nl_service_allow(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_service_disallow(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_listener_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_listener_del(struct sk_buff *skb, struct genl_info *info);

int vpce_nl_target_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_target_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_target_set(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_target_dump(struct sk_buff *skb, struct netlink_callback *cb);

int vpce_nl_endpoint_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_set(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_addr_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_addr_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_get(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vpce_nl_connection_accept(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_connection_reject(struct sk_buff *skb, struct genl_info *info);

int vpce_nl_principal_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_principal_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_principal_dump(struct sk_buff *skb, struct netlink_callback *cb);

int vpce_nl_policy_simulate(struct sk_buff *skb, struct genl_info *info);

int vpce_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb);

int vpce_nl_flow_dump_start(struct netlink_callback *cb);
int vpce_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vpce_nl_flow_dump_done(struct netlink_callback *cb);
int vpce_nl_flow_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_flow_get(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_flow_set(struct sk_buff *skb, struct genl_info *info);

/* Security groups (vpce_nl_sg.c). */
extern const struct nla_policy vpce_sg_nl_policy[VPCE_A_MAX + 1];
int vpce_nl_sg_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_sg_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_sg_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vpce_nl_sg_rule_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_sg_rule_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_sg_member_add(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_sg_member_del(struct sk_buff *skb, struct genl_info *info);
int vpce_nl_endpoint_sg_set(struct sk_buff *skb, struct genl_info *info);
/* An endpoint's SGs: VPCE_A_SGS parsed (none: NULL), and put. */
int vpce_nl_ep_sgs(struct vpce_net *vn, const struct nlattr *array,
		   const struct vpce_vpc *vpc, struct vpce_ep_sgs **out,
		   struct netlink_ext_ack *extack);
int vpce_put_ep_sgs(struct sk_buff *skb, const struct vpce_endpoint *ep);
/* An endpoint event (VPCE_EVENT_*) about @ep (vpce_nl_endpoint.c). */
void vpce_event_endpoint(struct vpce_net *vn, u8 event,
			 const struct vpce_endpoint *ep);

#endif /* _VPCE_NL_H */
