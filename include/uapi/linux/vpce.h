/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vpce: VPC endpoint services (PrivateLink) for Linux hosts.
 *
 * This header is the one definition of the "vpce" generic netlink family. The
 * kernel module and vpcectl both include it.
 *
 * Objects live per network namespace. Every command, reads, dumps and
 * VPCE_CMD_POLICY_SIMULATE included, and membership of the multicast group
 * VPCE_MCGRP_EVENTS, need CAP_NET_ADMIN in the user namespace that owns the
 * network namespace (GENL_UNS_ADMIN_PERM, GENL_MCAST_CAP_NET_ADMIN), as
 * WireGuard's do; without it they fail with EPERM. So a user namespace
 * manages the network namespaces it owns and no other; what its commands
 * allocate is charged to its memory cgroup. The objects of a namespace name
 * every tenant's accounts, ARNs and addresses: they are for administrators
 * only. Commands of different namespaces run in parallel; those of one
 * namespace one at a time. Every rejected request carries an extended ack
 * message saying why (except EPERM, which genetlink gives before the
 * module sees the request), and a rejected request changes nothing.
 *
 * Names (VPCE_A_NAME, VPCE_A_VPC, VPCE_A_SERVICE) are NUL-terminated strings
 * of 1 to VPCE_NAME_MAX characters from [A-Za-z0-9._-]. Zone names
 * (VPCE_ADDR_A_ZONE) follow the same alphabet with at most VPCE_ZONE_MAX
 * characters. Accounts are AWS account numbers: u64, at most 999999999999.
 *
 * Lists are "nested arrays": a nest whose children are nests of the element's
 * attributes; the children's own types are ignored (use 0, 1, 2, ...).
 *
 * Commands
 * --------
 *
 * VPCE_CMD_VPC_ADD: create a VPC.
 *	VPCE_A_NAME		required
 *	VPCE_A_ACCOUNT		required, the VPC owner
 *	VPCE_A_DEVICES		optional, 1..VPCE_DEVICES_MAX of VPCE_DEV_A_*:
 *		VPCE_DEV_A_IFINDEX	required, a device of this netns not
 *					bound to any other VPC
 *	VPCE_A_VRF		optional, instead of VPCE_A_DEVICES: a VRF
 *				device (VPCE_DEV_A_IFINDEX); every device
 *				enslaved to it belongs to the VPC, joining
 *				and leaving as it is enslaved and released
 *	Each bound device gets a conntrack zone of its own (original
 *	direction only); packets arriving on it belong to the VPC. A VPC
 *	given neither has no devices until VPCE_CMD_VPC_SET binds some.
 *
 * VPCE_CMD_VPC_DEL: delete a VPC. VPCE_A_NAME required. Refused (EBUSY)
 *	while endpoints use the VPC.
 *
 * VPCE_CMD_VPC_SET: change a live VPC's devices. VPCE_A_NAME required;
 *	VPCE_A_DEVICES (devices to bind, as for VPCE_CMD_VPC_ADD) and
 *	VPCE_A_DEVICES_DEL (bound devices to unbind: VPCE_DEV_A_IFINDEX), at
 *	least one of them. All of it or none of it. Refused (EINVAL) for a VPC
 *	bound to a VRF, whose devices are the VRF's. Binding a device touches
 *	no flow; unbinding one ends the flows that came in through it (a
 *	reset to TCP clients, counted in VPCE_STATS_A_RST_SENT), and only
 *	those. A VPC has at most VPCE_DEVICES_MAX devices, a namespace at most
 *	VPCE_NET_DEVICES_MAX bound (E2BIG).
 *
 * VPCE_CMD_VPC_GET: with VPCE_A_NAME, one VPC; as a dump, all of them. A
 *	VPC message carries VPCE_A_NAME, VPCE_A_ACCOUNT, VPCE_A_DEVICE_COUNT,
 *	VPCE_A_VRF (VPCE_DEV_A_IFINDEX and VPCE_DEV_A_NAME) for a VPC bound to
 *	a VRF, and VPCE_A_ENDPOINT_COUNT; its devices, which may be thousands, come
 *	from VPCE_CMD_DEV_GET.
 *
 * VPCE_CMD_DEV_GET: dump only; the bound devices, of the VPC named by
 *	VPCE_A_VPC if given, in order of VPC and ifindex. A message per device:
 *	VPCE_A_VPC and VPCE_A_DEVICES with one element (VPCE_DEV_A_IFINDEX,
 *	VPCE_DEV_A_NAME, VPCE_DEV_A_CT_ZONE).
 *
 * VPCE_CMD_SERVICE_ADD: create an endpoint service.
 *	VPCE_A_NAME		required
 *	VPCE_A_ACCOUNT		required, the service owner
 *	VPCE_A_TYPE		optional, enum vpce_type; default interface
 *	VPCE_A_LISTENERS	required for interface services,
 *				1..VPCE_LISTENERS_MAX of VPCE_LISTENER_A_*:
 *		VPCE_LISTENER_A_PROTO		required, IPPROTO_TCP or
 *						IPPROTO_UDP
 *		VPCE_LISTENER_A_PORT		required, 1..65535
 *		VPCE_LISTENER_A_TARGET_PORT	optional, default PORT
 *	  No two listeners may share protocol and port.
 *	VPCE_A_NLBS		required for interface services,
 *				1..VPCE_NLBS_MAX of VPCE_ADDR_A_*: the load
 *				balancer's addresses in each zone, at most
 *				VPCE_NLB_POOL_MAX per family (IPv4, IPv6)
 *				and zone, each address once. Targets see
 *				flows coming from an address of the zone the
 *				endpoint address belongs to, of the flow's
 *				family: a zone's addresses of a family are a
 *				pool that new flows are spread over (each
 *				address gives a target port about 60,000
 *				source ports). The zones of a service are the
 *				zones of its NLB addresses, in the order they
 *				first appear, at most VPCE_ZONES_MAX (the NLB
 *				addresses of a service with one zone may omit
 *				it: it is then the zone ""). A zone serves
 *				the families it has an NLB address of.
 *	VPCE_A_PREFIXES		required for gateway services, refused for
 *				interface ones: 1..VPCE_PREFIXES_MAX of
 *				VPCE_ADDR_A_* with VPCE_ADDR_A_PREFIX_LEN,
 *				the prefix list the service is reached on
 *				(IPv4 or IPv6; length at least 1, no host
 *				bits set, no two overlapping).
 *	A gateway service (VPCE_TYPE_GATEWAY) stands for a service such as
 *	S3 reached on its own addresses: it takes no VPCE_A_LISTENERS, no
 *	VPCE_A_NLBS and no targets; its endpoints forward flows unchanged.
 *	VPCE_A_ACCEPTANCE_REQUIRED, VPCE_A_CROSS_ZONE, VPCE_A_PRIVATE_DNS
 *				optional, as for VPCE_CMD_SERVICE_SET.
 *	A new service has deregistration delay 300 s, TCP idle timeout 350 s,
 *	no health check, and hashes flows with its namespace's random key.
 *
 * VPCE_CMD_SERVICE_SET: change settings of a service; those given change,
 *	the others stay. At least one is needed.
 *	VPCE_A_NAME		required
 *	VPCE_A_ACCEPTANCE_REQUIRED	u8, 0 or 1: new endpoints wait for
 *				the provider's acceptance.
 *	VPCE_A_CROSS_ZONE	u8, 0 or 1. With 0 (the default) a new flow
 *				to an endpoint address in zone Z goes to a
 *				healthy target of zone Z; if Z has none, to a
 *				healthy target of any zone; if no target is
 *				healthy, to any target that is not draining
 *				(fail open). With 1, to a healthy target of
 *				any zone. Targets see the flow come from the
 *				NLB address of zone Z either way.
 *	VPCE_A_PRIVATE_DNS	string, at most VPCE_DNS_NAME_MAX: labels of
 *				[A-Za-z0-9-], optionally "*." first; ""
 *				removes the name.
 *	VPCE_A_DEREG_DELAY	u32, 0..3600 seconds: how long a draining
 *				target keeps its live flows. Targets that
 *				are draining already keep their delay.
 *	VPCE_A_IDLE_TIMEOUT	u32, 60..6000 seconds: TCP flows of the
 *				service end after this idle time (UDP ones
 *				after 120 s), live flows included from their
 *				next packet. A packet of a TCP flow that has
 *				ended is answered with a reset.
 *	VPCE_A_HASH_SEED	VPCE_HASH_SEED_LEN bytes: the key of the flow
 *				hash (SipHash-2-4, the bytes read as two
 *				little-endian u64). The flow key is the
 *				VPC's name, the source address and port and
 *				the protocol, and Maglev tables depend only
 *				on the targets, so hosts with the same seed
 *				and targets send a flow to the same target.
 *	VPCE_A_PROXY_PROTOCOL	u8, 0 or 1 (interface services): each new
 *				TCP flow's target receives a PROXY protocol
 *				v2 header before the client's first byte:
 *				the client's address and port in its VPC,
 *				the endpoint address and listener port, and
 *				the endpoint ID in a TLV of type 0xEA,
 *				subtype 0x01. UDP flows and flows already
 *				open are not changed.
 *	VPCE_A_FLOW_LOG, VPCE_A_FLOW_LOG_AGGREGATION, VPCE_A_FLOW_LOG_SAMPLE
 *				as for VPCE_CMD_ENDPOINT_SET (interface
 *				services): flow log records of the provider's
 *				side, the flow as its target sees it (from
 *				the NLB address and port to the target's),
 *				the interface the service's name and the
 *				account the service's. Service messages carry
 *				them as endpoint messages do.
 *	VPCE_A_HEALTH_CHECK	nested VPCE_HC_A_*, the check vpced runs:
 *		VPCE_HC_A_PROTO		required, enum vpce_hc_proto;
 *					VPCE_HC_NONE removes the check
 *		VPCE_HC_A_PATH		HTTP and HTTPS only, default "/":
 *					starts with "/", no spaces or
 *					control characters
 *		VPCE_HC_A_PORT		default 0: the target port of the
 *					first TCP listener (else the first)
 *		VPCE_HC_A_INTERVAL	5..300 seconds, default 30
 *		VPCE_HC_A_HEALTHY	2..10, default 5
 *		VPCE_HC_A_UNHEALTHY	2..10, default 2
 *		VPCE_HC_A_TIMEOUT	2..120 seconds, less than the
 *					interval; default the NLB's (10 for
 *					TCP and HTTPS, 6 for HTTP), or the
 *					interval less a second when that is
 *					shorter. The whole check (connect,
 *					TLS, request, status line) must end
 *					within it.
 *		VPCE_HC_A_MATCHER	HTTP and HTTPS only, default
 *					"200-399": the status codes that
 *					pass, comma-separated codes and
 *					ranges (LOW-HIGH) of three digits
 *					within 200..599, at most
 *					VPCE_HC_MATCHER_MAX characters
 *		VPCE_HC_A_HOST		HTTP and HTTPS only, optional: a DNS
 *					name sent as the Host header and,
 *					for HTTPS, as the TLS SNI (without
 *					it the Host header is the target's
 *					address and no SNI is sent)
 *	The kernel stores the health check, filled with its defaults (a
 *	service message gives back every attribute that applies to its
 *	protocol); it does not run it.
 *	VPCE_A_NLB_ADD		nested VPCE_ADDR_A_*: add a load balancer
 *				address to the pool of its zone (which must
 *				be one of the service's; it may be omitted
 *				when the service has one zone) and family.
 *				Live flows are not disturbed. EEXIST if the
 *				service has the address already, ENOSPC past
 *				VPCE_NLB_POOL_MAX or VPCE_NLBS_MAX.
 *	VPCE_A_NLB_DEL		nested VPCE_ADDR_A_* (zone ignored): remove a
 *				load balancer address. The flows that use it
 *				end (TCP clients get a reset). Refused
 *				(EBUSY) for a zone's last address, and for
 *				the last address of a family in a zone while
 *				endpoint addresses or targets of that family
 *				use the zone; ENOENT if the service has no
 *				such address.
 *	VPCE_A_NLB_ADD and VPCE_A_NLB_DEL are each a request of their own:
 *	neither takes other settings.
 *
 * VPCE_CMD_LISTENER_ADD, VPCE_CMD_LISTENER_DEL: add a listener to a live
 *	interface service, or delete one.
 *	VPCE_A_NAME		required, the service
 *	VPCE_A_LISTENER		required, VPCE_LISTENER_A_* as in
 *				VPCE_A_LISTENERS (delete: TARGET_PORT
 *				ignored)
 *	An added listener takes new flows at once (EEXIST if the service has
 *	one on that protocol and port, ENOSPC past VPCE_LISTENERS_MAX). A
 *	deleted one takes no new flow, and its live flows are ended as those
 *	of a deregistered target (a reset for TCP clients); the service's
 *	other flows go on. ENOENT if the service has no such listener, EBUSY
 *	for its last one, EINVAL for a gateway service.
 *
 * VPCE_CMD_SERVICE_DEL: delete a service and its targets. VPCE_A_NAME
 *	required. Refused (EBUSY) while endpoints use the service.
 *
 * VPCE_CMD_SERVICE_GET: with VPCE_A_NAME, one service; as a dump, all. A
 *	service message carries VPCE_A_NAME, VPCE_A_ACCOUNT, VPCE_A_TYPE,
 *	VPCE_A_LISTENERS, VPCE_A_NLBS, VPCE_A_TARGET_COUNT,
 *	VPCE_A_ENDPOINT_COUNT, VPCE_A_ACCEPTANCE_REQUIRED,
 *	VPCE_A_CROSS_ZONE, VPCE_A_PRIVATE_DNS (when set), VPCE_A_DEREG_DELAY,
 *	VPCE_A_IDLE_TIMEOUT, VPCE_A_PROXY_PROTOCOL and VPCE_A_HEALTH_CHECK
 *	(VPCE_HC_A_PROTO only when there is none), and for a gateway service
 *	VPCE_A_PREFIXES.
 *	VPCE_A_HASH_SEED comes only when a seed was set.
 *
 * VPCE_CMD_TARGET_ADD: register a target with a service.
 *	VPCE_A_SERVICE		required
 *	VPCE_A_ADDR		required, VPCE_ADDR_A_*; the zone must be
 *				one of the service's zones and may be
 *				omitted when the service has one zone; the
 *				zone must have an NLB address of the
 *				target's family (EINVAL otherwise)
 *	VPCE_A_WEIGHT		optional, 1..256, default 1
 *	At most VPCE_TARGETS_MAX targets per service; an address appears
 *	once per service. New targets are healthy. Flows are spread over a
 *	service's targets in proportion to their weights, by Maglev
 *	consistent hashing of the flow key.
 *
 * VPCE_CMD_TARGET_SET: change a target's weight or health or both.
 *	VPCE_A_SERVICE		required
 *	VPCE_A_ADDR		required (zone ignored)
 *	VPCE_A_WEIGHT		optional, 1..VPCE_WEIGHT_MAX
 *	VPCE_A_HEALTH		optional, enum vpce_health
 *	At least one of weight and health. An unhealthy target takes no new
 *	flows (unless the service fails open) and its live flows are ended
 *	at once. A draining target takes no new flows; its live flows end
 *	when the service's deregistration delay has passed. Leaving draining
 *	stops the delay.
 *
 * VPCE_CMD_TARGET_DEL: deregister a target. VPCE_A_SERVICE and VPCE_A_ADDR
 *	(zone ignored) required. Its live flows are ended at once: their
 *	conntrack entries are removed.
 *
 * VPCE_CMD_TARGET_GET: targets. With VPCE_A_SERVICE, a dump lists that
 *	service's targets; without, every service's. A target message
 *	carries VPCE_A_SERVICE, VPCE_A_ADDR (with zone), VPCE_A_WEIGHT and
 *	VPCE_A_HEALTH, and for a draining target whose flows are still to
 *	end, VPCE_A_DEREG_DELAY: the seconds left.
 *
 * VPCE_CMD_ENDPOINT_ADD: create an endpoint.
 *	VPCE_A_NAME		required
 *	VPCE_A_VPC		required, an existing VPC
 *	VPCE_A_SERVICE		required, an existing service
 *	VPCE_A_TYPE		optional, enum vpce_type, default interface;
 *				must match the service's type
 *	VPCE_A_ADDRS		required for interface endpoints,
 *				1..VPCE_ADDRS_MAX of VPCE_ADDR_A_*: the
 *				endpoint's addresses in each zone, at most one
 *				per family and zone (an IPv4 one, an IPv6 one,
 *				or both: AWS's ipv4, ipv6 and dualstack); each
 *				zone must be one of the service's and have an
 *				NLB address of the address's family (EINVAL
 *				otherwise: the service cannot serve that
 *				family there); an address is unique within
 *				its VPC.
 *	VPCE_A_ENDPOINT_ID	optional, either type: the endpoint's ID, AWS's
 *				form "vpce-" and 17 lowercase hex digits
 *				(EINVAL otherwise), unique in the namespace
 *				(EEXIST if another endpoint has it). Without
 *				it the kernel picks one at random (68 bits,
 *				never one in use). "save" gives it back, so
 *				that a restored endpoint keeps its ID. The
 *				ID never changes; it names the endpoint as
 *				AWS's does (the data path still gives the
 *				endpoint's name as aws:SourceVpce).
 *	The endpoint's addresses answer ARP (IPv4) and neighbour
 *	solicitations (IPv6) on the VPC's devices. A new flow to an address
 *	and a listener's protocol and port is sent to one of the service's
 *	healthy targets of the flow's family in the address's zone (DNAT to
 *	the target and the listener's target port, SNAT to the zone's NLB
 *	address of that family; there is no NAT64). A flow to a port without
 *	a listener is refused at once: TCP reset, or ICMP (ICMPv6) port
 *	unreachable for UDP.
 *
 *	A gateway endpoint (VPCE_TYPE_GATEWAY, to a gateway service) takes no
 *	VPCE_A_ADDRS; instead:
 *	VPCE_A_MARK		optional, u32 1..0xffffffff: the packet mark
 *				(skb->mark) its flows carry; none by default.
 *	Its prefixes may not overlap those of another gateway endpoint of
 *	the same VPC, and a VPC's gateway endpoints reach at most
 *	VPCE_GATEWAY_PREFIXES_MAX prefixes in all. While it is available,
 *	each new TCP or UDP flow that arrives on a device of its VPC for an
 *	address in the service's prefix list (and not for an interface
 *	endpoint's address, which comes first) is evaluated against the
 *	endpoint's policy, as for an interface endpoint. An allowed flow is
 *	forwarded unchanged by the host's routing, every packet of its
 *	original direction carrying the mark, and its replies go back out of
 *	the device it came in on; a denied one is refused (TCP reset, ICMP
 *	administratively prohibited) and counted; other protocols are
 *	dropped and counted. While the endpoint is not
 *	available (pending acceptance, rejected) the VPC's flows to the
 *	prefixes are not vpce's: the host routes them as if there were no
 *	endpoint. Flows of the VPC to the prefixes that are live when the
 *	endpoint becomes available are ended, so that every flow through
 *	the endpoint was evaluated from its first packet.
 *
 * VPCE_CMD_ENDPOINT_ADDR_ADD, VPCE_CMD_ENDPOINT_ADDR_DEL: add an address
 *	to a live interface endpoint, or delete one.
 *	VPCE_A_NAME		required, the endpoint
 *	VPCE_A_ADDR		required, VPCE_ADDR_A_*; to add, the rules of
 *				VPCE_A_ADDRS in VPCE_CMD_ENDPOINT_ADD (the
 *				zone, which may be omitted when the service
 *				has one, at most one address per family and
 *				zone, unique in the VPC: EADDRINUSE); to
 *				delete, the zone is ignored
 *	An added address answers ARP or neighbour solicitations and takes
 *	new flows at once. A deleted one stops answering, and its live
 *	flows are ended as those of a deleted endpoint (a reset for TCP
 *	clients); the endpoint's other flows go on. ENOENT if the endpoint
 *	has no such address, EBUSY for its last one, EINVAL for a gateway
 *	endpoint. Both send a VPCE_EVENT_ADDRS event.
 *
 * VPCE_CMD_ENDPOINT_DEL: delete an endpoint. VPCE_A_NAME required. Its live
 *	flows are ended.
 *
 * VPCE_CMD_ENDPOINT_SET: change an endpoint's policy or flow log or both.
 *	VPCE_A_NAME		required
 *	VPCE_A_POLICY, VPCE_A_POLICY_TEXT	the new policy, as for
 *				VPCE_CMD_ENDPOINT_ADD
 *	VPCE_A_FLOW_LOG		u8, 0 or 1: flow log records of the
 *				endpoint's flows (see "Flow logs" below)
 *	VPCE_A_FLOW_LOG_AGGREGATION  u32, 60 or 600 (default): the longest
 *				a record covers, in seconds
 *	VPCE_A_FLOW_LOG_SAMPLE	u8, 1..100 (default 100): the percentage of
 *				flows logged, chosen per flow from its hash
 *	AGGREGATION and SAMPLE only with VPCE_A_FLOW_LOG 1; VPCE_A_FLOW_LOG
 *	0 turns the log off. At least one of policy and flow log. A flow
 *	takes the endpoint's flow log setting when it starts, for its life.
 *	Endpoint messages carry VPCE_A_FLOW_LOG, and with 1 the other two.
 *
 * VPCE_CMD_ENDPOINT_GET: with VPCE_A_NAME, one endpoint; as a dump, all, or
 *	with VPCE_A_SERVICE the endpoints connected to that service (the
 *	provider's "connections"). An endpoint message carries VPCE_A_NAME,
 *	VPCE_A_VPC, VPCE_A_SERVICE, VPCE_A_TYPE, VPCE_A_STATE, VPCE_A_ADDRS,
 *	VPCE_A_ENDPOINT_ID, VPCE_A_OWNER (the VPC's account),
 *	VPCE_A_REQUESTER, VPCE_A_CREATED and VPCE_A_STATS, and for a gateway
 *	endpoint VPCE_A_MARK (0: none).
 *
 * Access control
 * --------------
 *
 * Principals (VPCE_A_PRINCIPAL, VPCE_A_REQUESTER) are strings of at most
 * VPCE_ARN_MAX characters: "*", an account ("123456789012", the same as
 * "arn:aws:iam::123456789012:root", which stands for every user and role of
 * the account), "arn:aws:iam::ACCOUNT:user/NAME" or ".../role/NAME" (NAME
 * may have a path; a role stands for every session of it), a role's session
 * "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION" or a federated user
 * "arn:aws:sts::ACCOUNT:federated-user/NAME". Replies carry the canonical
 * form.
 *
 * VPCE_CMD_SERVICE_ADD also takes VPCE_A_ACCEPTANCE_REQUIRED (u8 0 or 1,
 *	default 0), and service messages carry it and VPCE_A_PRINCIPALS (the
 *	allowed principals, a nest of VPCE_A_PRINCIPAL strings).
 *
 * VPCE_CMD_SERVICE_ALLOW, VPCE_CMD_SERVICE_DISALLOW: add or remove an
 *	allowed principal of a service (VPCE_A_NAME, VPCE_A_PRINCIPAL, both
 *	required; at most VPCE_PRINCIPALS_MAX). Removing one does not affect
 *	endpoints that exist.
 *
 * VPCE_CMD_ENDPOINT_ADD also takes VPCE_A_REQUESTER, the principal asking
 *	for the endpoint (default: the VPC owner's root). It is refused with
 *	EACCES unless the requester belongs to the service owner's account or
 *	an allowed principal covers it. With acceptance required the endpoint
 *	starts in VPCE_STATE_PENDING_ACCEPTANCE and carries no traffic (new
 *	flows are refused: TCP reset, ICMP administratively prohibited).
 *
 * VPCE_CMD_CONNECTION_ACCEPT: VPCE_A_SERVICE and VPCE_A_NAME (the endpoint)
 *	required; a pending endpoint of the service becomes available.
 *
 * VPCE_CMD_CONNECTION_REJECT: as accept; a pending or available endpoint
 *	becomes rejected, and its live flows end at once.
 *
 * VPCE_CMD_PRINCIPAL_ADD: VPCE_A_VPC, VPCE_A_PREFIX (an address with
 *	VPCE_ADDR_A_PREFIX_LEN and no host bits) and VPCE_A_PRINCIPAL (not
 *	"*"), all required: sources of the VPC in the prefix act as that
 *	principal (the longest prefix wins); other sources act as the VPC
 *	owner's root. At most VPCE_BINDINGS_MAX per VPC.
 *
 * VPCE_CMD_PRINCIPAL_DEL: VPCE_A_VPC and VPCE_A_PREFIX required.
 *
 * VPCE_CMD_PRINCIPAL_GET: a dump of the bindings of every VPC, or of
 *	VPCE_A_VPC's; each message carries VPCE_A_VPC, VPCE_A_PREFIX and
 *	VPCE_A_PRINCIPAL.
 *
 * VPCE_CMD_POLICY_SIMULATE: evaluate a request against a policy document,
 *	with the evaluator the data path runs for every new flow, and say
 *	what AWS would decide. Changes nothing and takes no lock, but costs
 *	CPU: CAP_NET_ADMIN as every command. E2BIG, "policy too complex to
 *	evaluate", when the evaluation needs more than VPCE_POLICY_EVAL_STEPS
 *	steps (see "Endpoint policies").
 *	VPCE_A_POLICY		required, the compiled policy (VPCE_POLICY_A_*)
 *	VPCE_A_POLICY_TEXT	optional, the document as given; only checked
 *	VPCE_A_REQUEST		required, VPCE_REQ_A_*: the request
 *	The reply carries VPCE_A_DECISION and VPCE_A_MATCHED: the Sids of
 *	the statements that decided, that is every Deny statement that
 *	matched for VPCE_DECISION_EXPLICIT_DENY, every Allow statement that
 *	matched for VPCE_DECISION_ALLOWED, none for an implicit deny. A
 *	statement without a Sid is listed as "". Unless the request's context
 *	has them, aws:PrincipalArn and aws:PrincipalAccount are taken from
 *	the request's principal, and aws:CurrentTime and aws:EpochTime from
 *	the clock, as for a flow.
 *
 * VPCE_CMD_FLUSH: remove everything in the namespace: every endpoint (their
 *	flows end), every service with its targets and permissions, every VPC
 *	with its principal bindings. Takes no attributes. "vpcectl restore"
 *	uses it to undo a batch that failed part way.
 *
 * VPCE_CMD_STATS_GET: counters, as AWS's CloudWatch metrics for PrivateLink
 *	(dump only; counting live flows walks the namespace's whole
 *	conntrack table and vpce's own, once per dump). Request, all
 *	optional:
 *	VPCE_A_STATS_OF		u8, enum vpce_stats_of: only that kind of
 *				object (default: endpoints, then services,
 *				then targets)
 *	VPCE_A_NAME		an endpoint: only its message (with
 *				VPCE_A_STATS_OF, it must be ENDPOINT)
 *	VPCE_A_SERVICE		only the objects of that service: the
 *				endpoints connected to it, the service, its
 *				targets
 *	An unknown endpoint or service is refused with ENOENT.
 *	Each reply message carries VPCE_A_STATS_OF, and:
 *	- an endpoint: VPCE_A_NAME, VPCE_A_ENDPOINT_ID, VPCE_A_VPC,
 *	  VPCE_A_SERVICE, VPCE_A_STATS
 *	  (NEW_CONNECTIONS, ACTIVE_CONNECTIONS, BYTES, RST_RECEIVED and the
 *	  drop counters DROP_*, RESET_STALE and LIMITED) and
 *	  VPCE_A_ZONE_STATS, one
 *	  element per endpoint address, with VPCE_STATS_A_ZONE and the same
 *	  counters for the flows to that address;
 *	- a service: VPCE_A_SERVICE, VPCE_A_ENDPOINT_COUNT, VPCE_A_STATS
 *	  (NEW_CONNECTIONS, ACTIVE_CONNECTIONS, BYTES, RST_SENT,
 *	  PORT_ALLOC_ERRORS) and
 *	  VPCE_A_ZONE_STATS, one element per zone of the service;
 *	- a target: VPCE_A_SERVICE, VPCE_A_ADDR (with zone) and VPCE_A_STATS
 *	  (NEW_CONNECTIONS, ACTIVE_CONNECTIONS, BYTES);
 *	- vpce's own flow table (conntrack=0 only; last, and only in a dump
 *	  of everything or with VPCE_A_STATS_OF FLOWS): VPCE_A_FLOW_COUNT,
 *	  VPCE_A_FLOW_MAX and VPCE_A_FLOW_LIMIT, as VPCE_CMD_FLOW_GET gives
 *	  them, and VPCE_A_FLOW_LOG_SKIPPED, the flow log records of the
 *	  namespace that were not delivered (see "Flow logs").
 *	NEW_CONNECTIONS counts flows sent to a target. ACTIVE_CONNECTIONS is
 *	counted when read, from conntrack and vpce's own table: TCP flows
 *	being set up or established, and UDP flows that have not timed
 *	out. DROP_FULL counts new flows dropped because vpce's flow table
 *	was full (see VPCE_CMD_FLOW_GET). PORT_ALLOC_ERRORS (NLB's
 *	PortAllocationErrorCount) counts new flows refused (TCP reset, ICMP
 *	port unreachable) because no source port was free on any address
 *	of the zone's load balancer pool for their target and port; an
 *	endpoint's and a service's zones carry it. DROP_INVALID counts TCP
 *	segments of a flow in vpce's own table that lie outside the
 *	flow's window (forged resets, FINs and data), dropped. LIMITED
 *	counts the answers vpce
 *	did not send to clients of an endpoint address because its VPC
 *	device's rate limit was reached: ARP replies, neighbour
 *	advertisements, resets and ICMP errors (the refusal itself is still
 *	counted in its DROP_* counter). BYTES counts the IP packets
 *	(headers included, as conntrack accounting and iptables counters
 *	count them) of both directions of the flows. RST_RECEIVED counts
 *	resets from clients; RST_SENT resets from targets to clients plus
 *	those vpce sends itself (refused and ended flows). A service's
 *	counters outlive its endpoints; an object's counters start at zero
 *	when it is created.
 *
 * VPCE_CMD_FLOW_GET: the flows in vpce's own connection table (module
 *	parameter conntrack=0, the default: IPv4 TCP and UDP flows of
 *	interface endpoints; it holds at most nf_conntrack_max flows per
 *	namespace, or the limit VPCE_CMD_FLOW_SET gives). Other flows are
 *	conntrack's ("conntrack -L" lists them); with conntrack=1 all are,
 *	and this is refused with EOPNOTSUPP.
 *	Not as a dump: the table itself, in VPCE_A_FLOW_LIMIT (the limit
 *	set, 0 for none), VPCE_A_FLOW_MAX (the limit in force) and
 *	VPCE_A_FLOW_COUNT (the flows it holds).
 *	Request, all optional, each narrowing the dump:
 *	VPCE_A_NAME		an endpoint: only its flows
 *	VPCE_A_SERVICE		only flows to endpoints of that service
 *	VPCE_A_ADDR		only flows sent to that target address
 *	An unknown endpoint or service is refused with ENOENT. Each reply
 *	message is one flow: VPCE_A_NAME and VPCE_A_ENDPOINT_ID (the
 *	endpoint), VPCE_A_VPC, VPCE_A_SERVICE and VPCE_A_FLOW (VPCE_FLOW_A_*:
 *	the client's address and port, the endpoint address (with its
 *	zone) and port, the target's address and port, the load balancer's
 *	address and port the target sees, the protocol, enum
 *	vpce_flow_state, the seconds left before the flow expires, and the
 *	VPC device's ifindex). A dump of a table
 *	that does not change meanwhile has each flow once. The table is
 *	walked as it changes, as conntrack's is: a flow in the table for the
 *	whole dump is in it at least once, one made or ended during the dump
 *	may or may not be, and a flow may be in it twice when the table's
 *	growing moves it, or when it shares a hash bucket with the flow a
 *	reply message ended with and that flow ends before the next message
 *	(the bucket is read again).
 *
 * VPCE_CMD_FLOW_DEL: forget flows, as "conntrack -D" does: no reset is
 *	sent, and the next packet of a TCP flow gets the reset a packet of no
 *	flow gets (VPCE_STATS_A_RESET_STALE). The filters of VPCE_CMD_FLOW_GET;
 *	none, every flow of the namespace. With conntrack=1, the conntrack
 *	entries of the flows (those of interface and gateway endpoints)
 *	are deleted; with conntrack=0, the flows of vpce's table and the
 *	conntrack entries of the flows it does not hold (IPv6, gateway
 *	endpoints).
 *
 * VPCE_CMD_FLOW_SET: the limit of vpce's own table in this namespace.
 *	VPCE_A_FLOW_LIMIT	required, u32 0..VPCE_FLOWS_MAX: 0 for the
 *				default (nf_conntrack_max, at most 524287),
 *				else the most flows the table holds,
 *				whatever nf_conntrack_max is. Above 524287
 *				only with CAP_NET_ADMIN in the initial user
 *				namespace (EPERM): flows are the host's memory. At the limit a
 *				new flow takes the place of one that is not
 *				set up or has expired (early drop), or is
 *				dropped (DROP_FULL). A limit below the flows
 *				the table holds ends none of them: new flows
 *				are treated as at the limit until enough have
 *				ended. EOPNOTSUPP with conntrack=1.
 *
 * Security groups
 * ---------------
 *
 * A security group (SG) holds inbound rules for the addresses of the
 * interface endpoints that use it, as AWS's on an endpoint's network
 * interface. It belongs to one VPC; an endpoint uses up to
 * VPCE_ENDPOINT_SGS_MAX SGs of its own VPC. A new flow to an endpoint with
 * SGs is let in when any rule of any of its SGs matches its first packet
 * (protocol, the client's source address, the endpoint's listener port it
 * was sent to); else it is dropped silently, as AWS drops, before the
 * policy is asked, and counted in VPCE_STATS_A_DROP_SG. An endpoint with no
 * SG lets every flow in (then only its policy decides). An SG with no rule
 * lets nothing in. Only a flow's first packet is checked: replies and the
 * rest of an allowed flow pass. Deleting a rule or a member, or changing
 * an endpoint's SGs, ends the live flows that are no longer allowed.
 *
 * VPCE_CMD_SG_ADD: create an SG. VPCE_A_NAME and VPCE_A_VPC required.
 *	At most VPCE_NET_SGS_MAX per namespace (E2BIG).
 *
 * VPCE_CMD_SG_DEL: delete an SG. VPCE_A_NAME required. Refused (EBUSY) while
 *	an endpoint uses it or a rule of another SG names it (AWS's
 *	DependencyViolation).
 *
 * VPCE_CMD_SG_GET: with VPCE_A_NAME, one SG; as a dump, all of them. An SG
 *	message carries VPCE_A_NAME, VPCE_A_VPC, VPCE_A_SG_RULES (nested
 *	array of VPCE_SG_RULE_A_*, in the order they were added),
 *	VPCE_A_SG_MEMBERS (nested array of VPCE_ADDR_A_* with
 *	VPCE_ADDR_A_PREFIX_LEN) and VPCE_A_ENDPOINT_COUNT (endpoints using it).
 *
 * VPCE_CMD_SG_RULE_ADD, VPCE_CMD_SG_RULE_DEL: add or delete inbound rules.
 *	VPCE_A_NAME required (the SG); VPCE_A_SG_RULES required, 1..
 *	VPCE_SG_RULES_MAX rules of VPCE_SG_RULE_A_*, all of them or none:
 *		VPCE_SG_RULE_A_PROTO	required, u8: IPPROTO_TCP,
 *					IPPROTO_UDP or 0 for all (AWS's -1)
 *		VPCE_SG_RULE_A_PORT_MIN, VPCE_SG_RULE_A_PORT_MAX
 *					optional, u16 1..65535, both or
 *					neither, MIN <= MAX: the listener
 *					ports (destination ports) the rule
 *					is for; neither: all of them
 *		VPCE_SG_RULE_A_PREFIX	nested VPCE_ADDR_A_* with
 *					VPCE_ADDR_A_PREFIX_LEN: the clients'
 *					source prefix (no host bits set), or
 *		VPCE_SG_RULE_A_SG	string: an SG of the same VPC, whose
 *					members (VPCE_CMD_SG_MEMBER_ADD) are
 *					the clients' prefixes (one of PREFIX
 *					and SG, exactly)
 *	Adding a rule the SG has already is refused (EEXIST), deleting one
 *	it does not have (ENOENT). At most VPCE_SG_RULES_MAX rules per SG and
 *	VPCE_NET_SG_RULES_MAX per namespace (E2BIG); an SG's rules, with
 *	each SG reference counted as the referenced SG's members, make at
 *	most VPCE_SG_ENTRIES_MAX (prefix, protocol) entries, and those of
 *	all SGs of a namespace at most VPCE_NET_SG_ENTRIES_MAX (E2BIG): what
 *	bounds the memory SGs take (about 64 bytes an entry).
 *
 * VPCE_CMD_SG_MEMBER_ADD, VPCE_CMD_SG_MEMBER_DEL: the prefixes that rules
 *	naming this SG (VPCE_SG_RULE_A_SG) match. VPCE_A_NAME and VPCE_A_PREFIX
 *	required. At most VPCE_SG_MEMBERS_MAX per SG (E2BIG); EEXIST, ENOENT
 *	as for rules.
 *
 * VPCE_CMD_ENDPOINT_SG_SET: the SGs of an interface endpoint.
 *	VPCE_A_NAME		required, the endpoint
 *	VPCE_A_SGS		required, nested array of VPCE_A_SG strings:
 *				0..VPCE_ENDPOINT_SGS_MAX SGs of the
 *				endpoint's VPC, each once; empty: none
 *	Sends VPCE_EVENT_SGS. VPCE_CMD_ENDPOINT_ADD takes VPCE_A_SGS too;
 *	endpoint messages carry it (absent: no SG).
 *
 * Dumps are consistent: if state changes while a dump is in progress, the
 * dump's messages carry NLM_F_DUMP_INTR and the reader should start again.
 */

#ifndef _UAPI_LINUX_VPCE_H
#define _UAPI_LINUX_VPCE_H

#define VPCE_GENL_NAME		"vpce"
#define VPCE_GENL_VERSION	1

#define VPCE_NAME_MAX		64	/* characters, without the NUL */
#define VPCE_ZONE_MAX		32	/* characters, without the NUL */
#define VPCE_ENDPOINT_ID_LEN	22	/* "vpce-" + 17 hex digits, no NUL */
#define VPCE_ACCOUNT_MAX	999999999999ULL
#define VPCE_DEVICES_MAX	4096	/* devices per VPC */
#define VPCE_NET_DEVICES_MAX	16384	/* devices bound in a namespace */
#define VPCE_LISTENERS_MAX	50	/* listeners per service, as the NLB */
#define VPCE_ZONES_MAX		16	/* zones per service and endpoint */
#define VPCE_ADDRS_MAX		32	/* addresses: one per zone and family */
#define VPCE_NLB_POOL_MAX	16	/* NLB addresses per zone and family */
#define VPCE_NLBS_MAX		64	/* NLB addresses per service */
#define VPCE_FLOWS_MAX		4194303	/* vpce's own table: 2^22 - 1 flows */
#define VPCE_TARGETS_MAX	1024	/* targets per service */
#define VPCE_WEIGHT_MAX		256
#define VPCE_DNS_NAME_MAX	253	/* characters, without the NUL */
#define VPCE_HC_PATH_MAX	1024	/* characters, without the NUL */
#define VPCE_HASH_SEED_LEN	16	/* bytes */
#define VPCE_ARN_MAX		160	/* characters of a principal ARN */
#define VPCE_PRINCIPALS_MAX	64	/* allowed principals per service */
#define VPCE_BINDINGS_MAX	256	/* principal bindings per VPC */
#define VPCE_PREFIXES_MAX	32	/* prefixes per gateway service */
#define VPCE_GATEWAY_PREFIXES_MAX 256	/* gateway prefixes per VPC */
#define VPCE_ENDPOINT_SGS_MAX	5	/* security groups per endpoint */
#define VPCE_NET_SGS_MAX	2500	/* security groups per namespace */
#define VPCE_SG_RULES_MAX	10000	/* inbound rules per SG */
#define VPCE_NET_SG_RULES_MAX	100000	/* inbound rules per namespace */
#define VPCE_SG_MEMBERS_MAX	1000	/* member prefixes per SG */
#define VPCE_SG_ENTRIES_MAX	65536	/* compiled entries per SG */
#define VPCE_NET_SG_ENTRIES_MAX	262144	/* compiled entries per namespace */

enum vpce_cmd {
	VPCE_CMD_UNSPEC,
	VPCE_CMD_VPC_ADD,
	VPCE_CMD_VPC_DEL,
	VPCE_CMD_VPC_GET,
	VPCE_CMD_SERVICE_ADD,
	VPCE_CMD_SERVICE_DEL,
	VPCE_CMD_SERVICE_GET,
	VPCE_CMD_TARGET_ADD,
	VPCE_CMD_TARGET_DEL,
	VPCE_CMD_TARGET_GET,
	VPCE_CMD_ENDPOINT_ADD,
	VPCE_CMD_ENDPOINT_DEL,
	VPCE_CMD_ENDPOINT_GET,
	/* Reserved for the access-control and load-balancing work; each is
	 * documented above once it is implemented.
	 */
	VPCE_CMD_SERVICE_SET,
	VPCE_CMD_SERVICE_ALLOW,
	VPCE_CMD_SERVICE_DISALLOW,
	VPCE_CMD_TARGET_SET,
	VPCE_CMD_ENDPOINT_SET,
	VPCE_CMD_CONNECTION_ACCEPT,
	VPCE_CMD_CONNECTION_REJECT,
	VPCE_CMD_PRINCIPAL_ADD,
	VPCE_CMD_PRINCIPAL_DEL,
	VPCE_CMD_PRINCIPAL_GET,
	VPCE_CMD_POLICY_SIMULATE,
	VPCE_CMD_FLUSH,
	VPCE_CMD_STATS_GET,
	VPCE_CMD_FLOW_GET,
	VPCE_CMD_FLOW_DEL,
	VPCE_CMD_VPC_SET,
	VPCE_CMD_DEV_GET,
	VPCE_CMD_LISTENER_ADD,
	VPCE_CMD_LISTENER_DEL,
	VPCE_CMD_ENDPOINT_ADDR_ADD,
	VPCE_CMD_ENDPOINT_ADDR_DEL,
	VPCE_CMD_FLOW_SET,
	VPCE_CMD_SG_ADD,
	VPCE_CMD_SG_DEL,
	VPCE_CMD_SG_GET,
	VPCE_CMD_SG_RULE_ADD,
	VPCE_CMD_SG_RULE_DEL,
	VPCE_CMD_SG_MEMBER_ADD,
	VPCE_CMD_SG_MEMBER_DEL,
	VPCE_CMD_ENDPOINT_SG_SET,
	VPCE_CMD_FLOW_LOG,	/* notifications only: VPCE_MCGRP_FLOWLOG */
	__VPCE_CMD_MAX
};

#define VPCE_CMD_MAX (__VPCE_CMD_MAX - 1)

enum vpce_type {
	VPCE_TYPE_INTERFACE,
	VPCE_TYPE_GATEWAY,	/* a prefix list, reached without NAT */
	__VPCE_TYPE_MAX
};

#define VPCE_TYPE_MAX (__VPCE_TYPE_MAX - 1)

/* Endpoint states, AWS's: pendingAcceptance, available, rejected, ... */
enum vpce_state {
	VPCE_STATE_PENDING_ACCEPTANCE,
	VPCE_STATE_AVAILABLE,
	VPCE_STATE_REJECTED,
	VPCE_STATE_DELETING,
	VPCE_STATE_FAILED,
	__VPCE_STATE_MAX
};

#define VPCE_STATE_MAX (__VPCE_STATE_MAX - 1)

enum vpce_health {
	VPCE_HEALTH_HEALTHY,
	VPCE_HEALTH_UNHEALTHY,
	VPCE_HEALTH_DRAINING,
	__VPCE_HEALTH_MAX
};

#define VPCE_HEALTH_MAX (__VPCE_HEALTH_MAX - 1)

enum vpce_attr {
	VPCE_A_UNSPEC,
	VPCE_A_PAD,		/* padding for 64-bit attributes */
	VPCE_A_NAME,		/* string: the object a command is about */
	VPCE_A_ACCOUNT,		/* u64: owner account */
	VPCE_A_VPC,		/* string: a VPC name */
	VPCE_A_SERVICE,		/* string: a service name */
	VPCE_A_TYPE,		/* u8: enum vpce_type */
	VPCE_A_DEVICES,		/* nested array of VPCE_DEV_A_* */
	VPCE_A_LISTENERS,	/* nested array of VPCE_LISTENER_A_* */
	VPCE_A_NLBS,		/* nested array of VPCE_ADDR_A_* */
	VPCE_A_ADDRS,		/* nested array of VPCE_ADDR_A_* */
	VPCE_A_ADDR,		/* nested VPCE_ADDR_A_*: one address */
	VPCE_A_WEIGHT,		/* u16: 1..VPCE_WEIGHT_MAX */
	VPCE_A_HEALTH,		/* u8: enum vpce_health */
	VPCE_A_STATE,		/* u8: enum vpce_state (reply only) */
	VPCE_A_STATS,		/* nested VPCE_STATS_A_* (reply only) */
	VPCE_A_TARGET_COUNT,	/* u32 (reply only) */
	VPCE_A_ENDPOINT_COUNT,	/* u32 (reply only) */
	/* Reserved for the access-control and load-balancing work. */
	VPCE_A_ACCEPTANCE_REQUIRED,	/* u8: 0 or 1 */
	VPCE_A_CROSS_ZONE,	/* u8: 0 or 1 */
	VPCE_A_PRIVATE_DNS,	/* string: the service's private DNS name */
	VPCE_A_DEREG_DELAY,	/* u32: deregistration delay (left), seconds */
	VPCE_A_IDLE_TIMEOUT,	/* u32: TCP idle timeout, seconds */
	VPCE_A_HASH_SEED,	/* binary, 16 bytes: the flow hash key */
	VPCE_A_HEALTH_CHECK,	/* nested VPCE_HC_A_* */
	VPCE_A_PRINCIPAL,	/* string: an ARN (allow, disallow, bindings) */
	VPCE_A_PRINCIPALS,	/* nested array of VPCE_A_PRINCIPAL (reply) */
	VPCE_A_REQUESTER,	/* string: the ARN requesting an endpoint */
	VPCE_A_PREFIX,		/* nested VPCE_ADDR_A_* with PREFIX_LEN */
	VPCE_A_POLICY,		/* nested VPCE_POLICY_A_*: compiled policy */
	VPCE_A_POLICY_TEXT,	/* string: the policy document as given */
	VPCE_A_REQUEST,		/* nested VPCE_REQ_A_*: a request to evaluate */
	VPCE_A_DECISION,	/* u8: enum vpce_decision (reply only) */
	VPCE_A_MATCHED,		/* nested array of Sid strings (reply only) */
	VPCE_A_CREATED,		/* u64: creation time, Unix seconds (reply) */
	VPCE_A_OWNER,		/* u64: the endpoint's VPC owner (reply) */
	VPCE_A_EVENT,		/* u8: enum vpce_event (notifications only) */
	VPCE_A_PREFIXES,	/* nested array of VPCE_ADDR_A_* with PREFIX_LEN */
	VPCE_A_MARK,		/* u32: a gateway endpoint's packet mark */
	VPCE_A_STATS_OF,	/* u8: enum vpce_stats_of (VPCE_CMD_STATS_GET) */
	VPCE_A_ZONE_STATS,	/* nested array of VPCE_STATS_A_* (reply only) */
	VPCE_A_FLOW,		/* nested VPCE_FLOW_A_* (reply only) */
	VPCE_A_DEVICES_DEL,	/* nested array of VPCE_DEV_A_* */
	VPCE_A_DEVICE_COUNT,	/* u32 (reply only) */
	VPCE_A_VRF,		/* nested VPCE_DEV_A_*: a VPC's VRF device */
	VPCE_A_LISTENER,	/* nested VPCE_LISTENER_A_*: one listener */
	VPCE_A_NLB_ADD,		/* nested VPCE_ADDR_A_* (VPCE_CMD_SERVICE_SET) */
	VPCE_A_NLB_DEL,		/* nested VPCE_ADDR_A_* (VPCE_CMD_SERVICE_SET) */
	VPCE_A_FLOW_LIMIT,	/* u32: the own table's limit set, 0: default */
	VPCE_A_FLOW_MAX,	/* u32: the own table's limit in force (reply) */
	VPCE_A_FLOW_COUNT,	/* u32: flows in the own table (reply) */
	/* string: an endpoint's ID, "vpce-" and 17 lowercase hex digits
	 * (VPCE_ENDPOINT_ID_LEN characters): given to VPCE_CMD_ENDPOINT_ADD
	 * (optional), carried by endpoint, flow and stats messages
	 */
	VPCE_A_ENDPOINT_ID,
	VPCE_A_PROXY_PROTOCOL,	/* u8: 0 or 1 (VPCE_CMD_SERVICE_SET) */
	VPCE_A_SG,		/* string: a security group's name */
	VPCE_A_SGS,		/* nested array of VPCE_A_SG strings */
	VPCE_A_SG_RULES,	/* nested array of VPCE_SG_RULE_A_* */
	VPCE_A_SG_MEMBERS,	/* nested array of VPCE_ADDR_A_*, PREFIX_LEN */
	VPCE_A_FLOW_LOG,	/* u8: 0 or 1 (VPCE_CMD_ENDPOINT_SET) */
	VPCE_A_FLOW_LOG_AGGREGATION, /* u32: 60 or 600 seconds */
	VPCE_A_FLOW_LOG_SAMPLE,	/* u8: 1..100, percent of flows logged */
	VPCE_A_FLOW_LOG_RECORD,	/* nested VPCE_FLOWLOG_A_* (VPCE_CMD_FLOW_LOG) */
	VPCE_A_FLOW_LOG_SKIPPED, /* u64: records not delivered (reply only) */
	__VPCE_A_MAX
};

#define VPCE_A_MAX (__VPCE_A_MAX - 1)

enum vpce_dev_attr {
	VPCE_DEV_A_UNSPEC,
	VPCE_DEV_A_IFINDEX,	/* u32 */
	VPCE_DEV_A_NAME,	/* string, reply only: current device name */
	VPCE_DEV_A_CT_ZONE,	/* u16, reply only: the device's ct zone */
	__VPCE_DEV_A_MAX
};

#define VPCE_DEV_A_MAX (__VPCE_DEV_A_MAX - 1)

enum vpce_listener_attr {
	VPCE_LISTENER_A_UNSPEC,
	VPCE_LISTENER_A_PROTO,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	VPCE_LISTENER_A_PORT,		/* u16, host order: 1..65535 */
	VPCE_LISTENER_A_TARGET_PORT,	/* u16, host order: 1..65535 */
	__VPCE_LISTENER_A_MAX
};

#define VPCE_LISTENER_A_MAX (__VPCE_LISTENER_A_MAX - 1)

/*
 * An address: exactly one of IPV4 and IPV6, and optionally its zone. A
 * unicast address: not unspecified, loopback, multicast or broadcast; an
 * IPv6 address is also not link-local nor IPv4-mapped (give the IPv4
 * address). A prefix (VPCE_A_PREFIX) takes any address without host bits.
 */
enum vpce_addr_attr {
	VPCE_ADDR_A_UNSPEC,
	VPCE_ADDR_A_IPV4,	/* 4 bytes, network order */
	VPCE_ADDR_A_IPV6,	/* 16 bytes, network order */
	VPCE_ADDR_A_ZONE,	/* string: zone name */
	VPCE_ADDR_A_PREFIX_LEN,	/* u8: for prefixes (VPCE_A_PREFIX) */
	__VPCE_ADDR_A_MAX
};

#define VPCE_ADDR_A_MAX (__VPCE_ADDR_A_MAX - 1)

/*
 * Counters, u64, summed over CPUs when read; in endpoint messages
 * (VPCE_A_STATS) and in VPCE_CMD_STATS_GET replies (VPCE_A_STATS and each
 * element of VPCE_A_ZONE_STATS). See VPCE_CMD_STATS_GET for what each
 * object carries.
 */
enum vpce_stats_attr {
	VPCE_STATS_A_UNSPEC,
	VPCE_STATS_A_PAD,
	VPCE_STATS_A_NEW_CONNECTIONS,	/* flows sent to a target */
	VPCE_STATS_A_DROP_NO_LISTENER,	/* refused: no listener on the port */
	VPCE_STATS_A_DROP_STATE,	/* refused: endpoint not available */
	VPCE_STATS_A_DROP_NO_TARGET,	/* refused: service has no target */
	VPCE_STATS_A_DROP_PROTO,	/* dropped: neither TCP nor UDP */
	VPCE_STATS_A_DROP_POLICY,	/* refused: the endpoint policy denies */
	VPCE_STATS_A_RESET_STALE,	/* refused: TCP packet of no live flow */
	VPCE_STATS_A_ACTIVE_CONNECTIONS, /* live flows, counted when read */
	VPCE_STATS_A_BYTES,		/* IP bytes of the flows, both ways */
	VPCE_STATS_A_RST_RECEIVED,	/* TCP resets from clients */
	VPCE_STATS_A_RST_SENT,		/* TCP resets to clients */
	VPCE_STATS_A_ZONE,		/* string: the zone of a ZONE_STATS entry */
	VPCE_STATS_A_DROP_FULL,		/* dropped: vpce's flow table is full */
	VPCE_STATS_A_DROP_INVALID,	/* dropped: out of its flow's window */
	VPCE_STATS_A_LIMITED,		/* answers not sent: over the rate limit */
	VPCE_STATS_A_PORT_ALLOC_ERRORS,	/* refused: no source port in the pool */
	VPCE_STATS_A_DROP_SG,		/* dropped: no security group rule */
	__VPCE_STATS_A_MAX
};

#define VPCE_STATS_A_MAX (__VPCE_STATS_A_MAX - 1)

/* What a VPCE_CMD_STATS_GET message is about (VPCE_A_STATS_OF). */
enum vpce_stats_of {
	VPCE_STATS_OF_ENDPOINT,
	VPCE_STATS_OF_SERVICE,
	VPCE_STATS_OF_TARGET,
	VPCE_STATS_OF_FLOWS,	/* vpce's own flow table */
	__VPCE_STATS_OF_MAX
};

#define VPCE_STATS_OF_MAX (__VPCE_STATS_OF_MAX - 1)

/* A flow of vpce's own table (VPCE_CMD_FLOW_GET replies, VPCE_A_FLOW). */
enum vpce_flow_attr {
	VPCE_FLOW_A_UNSPEC,
	VPCE_FLOW_A_PROTO,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	VPCE_FLOW_A_CLIENT,		/* nested VPCE_ADDR_A_*: the source */
	VPCE_FLOW_A_CLIENT_PORT,	/* u16, host order */
	VPCE_FLOW_A_ADDR,		/* nested VPCE_ADDR_A_*: endpoint addr */
	VPCE_FLOW_A_PORT,		/* u16: the listener's port */
	VPCE_FLOW_A_TARGET,		/* nested VPCE_ADDR_A_* */
	VPCE_FLOW_A_TARGET_PORT,	/* u16 */
	/* The address and port the target sees the flow come from. */
	VPCE_FLOW_A_NLB,		/* nested VPCE_ADDR_A_* */
	VPCE_FLOW_A_NLB_PORT,		/* u16 */
	VPCE_FLOW_A_STATE,		/* u8: enum vpce_flow_state */
	VPCE_FLOW_A_EXPIRES,		/* u32: seconds left */
	VPCE_FLOW_A_IFINDEX,		/* u32: the VPC device */
	__VPCE_FLOW_A_MAX
};

#define VPCE_FLOW_A_MAX (__VPCE_FLOW_A_MAX - 1)

/* A flow's state; "closed" by the client or the target, as its side sees. */
enum vpce_flow_state {
	VPCE_FLOW_SYN_SENT,	/* TCP: the target has not answered */
	VPCE_FLOW_SYN_RECV,	/* TCP: it has, the client has not gone on */
	VPCE_FLOW_ESTABLISHED,
	VPCE_FLOW_FIN_WAIT,	/* TCP: the client has closed its side */
	VPCE_FLOW_CLOSE_WAIT,	/* TCP: the target has closed its side */
	VPCE_FLOW_CLOSED,	/* TCP: both have, or a reset */
	VPCE_FLOW_UNREPLIED,	/* UDP: the target has not answered */
	VPCE_FLOW_REPLIED,	/* UDP */
	__VPCE_FLOW_STATE_MAX
};

#define VPCE_FLOW_STATE_MAX (__VPCE_FLOW_STATE_MAX - 1)

/*
 * Events. Members of the multicast group VPCE_MCGRP_EVENTS get a message
 * for each change below, in the order they happen: the object's own message
 * (as VPCE_CMD_ENDPOINT_GET or VPCE_CMD_TARGET_GET would return it, with
 * that command number) plus VPCE_A_EVENT saying what happened. These are
 * AWS's connection notification events, and target health and policy
 * changes. Joining the group needs CAP_NET_ADMIN in the user namespace that
 * owns the network namespace, as every command does.
 */
#define VPCE_MCGRP_EVENTS	"events"

enum vpce_event {
	VPCE_EVENT_REQUESTED,	/* endpoint created (pending or available) */
	VPCE_EVENT_ACCEPTED,	/* the provider accepted a pending endpoint */
	VPCE_EVENT_REJECTED,	/* the provider rejected an endpoint */
	VPCE_EVENT_CONNECTED,	/* the endpoint became available */
	VPCE_EVENT_DELETED,	/* the endpoint was deleted */
	VPCE_EVENT_POLICY,	/* the endpoint's policy changed */
	VPCE_EVENT_HEALTH,	/* a target's health changed (a target message) */
	VPCE_EVENT_ADDRS,	/* an address of the endpoint was added or deleted */
	VPCE_EVENT_SGS,		/* the endpoint's security groups changed */
	__VPCE_EVENT_MAX
};

#define VPCE_EVENT_MAX (__VPCE_EVENT_MAX - 1)

/* The decision of a policy evaluation, AWS's words. */
enum vpce_decision {
	VPCE_DECISION_IMPLICIT_DENY,
	VPCE_DECISION_ALLOWED,
	VPCE_DECISION_EXPLICIT_DENY,
	__VPCE_DECISION_MAX
};

#define VPCE_DECISION_MAX (__VPCE_DECISION_MAX - 1)

/* Health check configuration of a service (VPCE_A_HEALTH_CHECK). */
enum vpce_hc_attr {
	VPCE_HC_A_UNSPEC,
	VPCE_HC_A_PROTO,	/* u8: enum vpce_hc_proto */
	VPCE_HC_A_PATH,		/* string: HTTP path */
	VPCE_HC_A_INTERVAL,	/* u32: seconds */
	VPCE_HC_A_HEALTHY,	/* u8: healthy threshold */
	VPCE_HC_A_UNHEALTHY,	/* u8: unhealthy threshold */
	VPCE_HC_A_PORT,		/* u16: port to check; 0 = the traffic port */
	VPCE_HC_A_TIMEOUT,	/* u32: seconds a check may take */
	VPCE_HC_A_MATCHER,	/* string: status codes, "200-299,302" */
	VPCE_HC_A_HOST,		/* string: Host header and TLS SNI */
	__VPCE_HC_A_MAX
};

#define VPCE_HC_A_MAX (__VPCE_HC_A_MAX - 1)

enum vpce_hc_proto {
	VPCE_HC_NONE,
	VPCE_HC_TCP,
	VPCE_HC_HTTP,
	VPCE_HC_HTTPS,		/* TLS, the certificate not verified */
	__VPCE_HC_MAX
};

#define VPCE_HC_MAX (__VPCE_HC_MAX - 1)

/* Limits of a health check (VPCE_HC_A_*). */
#define VPCE_HC_INTERVAL_MIN	5	/* seconds, as the NLB */
#define VPCE_HC_INTERVAL_MAX	300
#define VPCE_HC_TIMEOUT_MIN	2
#define VPCE_HC_TIMEOUT_MAX	120
#define VPCE_HC_MATCHER_MAX	128	/* characters, without the NUL */
#define VPCE_HC_CODE_MIN	200	/* status codes a matcher may name */
#define VPCE_HC_CODE_MAX	599

/* An inbound rule of a security group (VPCE_A_SG_RULES). */
enum vpce_sg_rule_attr {
	VPCE_SG_RULE_A_UNSPEC,
	VPCE_SG_RULE_A_PROTO,		/* u8: IPPROTO_TCP, IPPROTO_UDP, 0: all */
	VPCE_SG_RULE_A_PORT_MIN,	/* u16, host order: 1..65535 */
	VPCE_SG_RULE_A_PORT_MAX,	/* u16, host order: 1..65535 */
	VPCE_SG_RULE_A_PREFIX,		/* nested VPCE_ADDR_A_* with PREFIX_LEN */
	VPCE_SG_RULE_A_SG,		/* string: an SG of the same VPC */
	__VPCE_SG_RULE_A_MAX
};

#define VPCE_SG_RULE_A_MAX (__VPCE_SG_RULE_A_MAX - 1)

/* Policy attributes (VPCE_POLICY_A_*, VPCE_REQ_A_*) follow. */

/*
 * Endpoint policies
 * -----------------
 *
 * An endpoint policy is an IAM policy document (JSON). vpcectl parses and
 * validates the JSON and sends it compiled into the attributes below, with
 * the text itself in VPCE_A_POLICY_TEXT (at most VPCE_POLICY_TEXT_MAX
 * characters) so that it can be given back exactly as written. The kernel
 * validates the compiled form again, completely: it never trusts that it
 * came from vpcectl.
 *
 * "String arrays" below are nests whose children are NUL-terminated strings
 * (the children's types are ignored). Every string is 1 to
 * VPCE_POLICY_STRING_MAX characters of printable ASCII (0x20-0x7e; JSON
 * escapes are resolved by vpcectl) unless said otherwise.
 *
 * VPCE_A_POLICY, nested VPCE_POLICY_A_*:
 *	VPCE_POLICY_A_VERSION	u8, enum vpce_policy_version; required.
 *				Policy variables (${...}) exist only in
 *				2012-10-17: in 2008-10-17 "${" is literal.
 *	VPCE_POLICY_A_STATEMENTS nested array of VPCE_STMT_A_*, required,
 *				1..VPCE_POLICY_STATEMENTS_MAX
 *
 * A statement, VPCE_STMT_A_*:
 *	VPCE_STMT_A_SID		string, optional; unique in the policy
 *	VPCE_STMT_A_EFFECT	u8, enum vpce_effect; required
 *	VPCE_STMT_A_PRINCIPALS	string array, required, 1 or more of: "*"
 *				(anyone), an account ("123456789012"), an
 *				account root ("arn:aws:iam::123456789012:root",
 *				the same as the account), a user or role ARN
 *				("arn:aws:iam::123456789012:role/NAME", NAME
 *				may have a path), an assumed-role session or
 *				a federated user ARN (as VPCE_A_PRINCIPAL);
 *				each at most VPCE_ARN_MAX characters. A
 *				caller is made of layers: its account, its
 *				role (sessions), itself (users, sessions,
 *				federated users). An account names the
 *				account layer, a role the role layer of its
 *				sessions, others themselves exactly. In an
 *				interface endpoint's policy a Principal
 *				applies when it names any layer of the
 *				caller; in a gateway endpoint's only when it
 *				names the caller itself (an account: its
 *				root user only, as AWS documents)
 *	VPCE_STMT_A_NOT_PRINCIPAL flag: PRINCIPALS is a NotPrincipal, only
 *				with VPCE_EFFECT_DENY: the statement applies
 *				unless the list names every layer of the
 *				caller (a session is exempt only when its
 *				account, role and session are all listed)
 *	VPCE_STMT_A_ACTIONS	string array, required: "service:Action"
 *				patterns or "*", matched case-insensitively
 *				with the wildcards * and ?
 *	VPCE_STMT_A_NOT_ACTION	flag: ACTIONS is a NotAction
 *	VPCE_STMT_A_RESOURCES	string array, required: ARN patterns or "*",
 *				matched case-sensitively with * and ? (which
 *				match any character, ':' included) and
 *				policy variables
 *	VPCE_STMT_A_NOT_RESOURCE flag: RESOURCES is a NotResource
 *	VPCE_STMT_A_CONDITIONS	nested array of VPCE_COND_A_*, optional,
 *				at most VPCE_POLICY_CONDITIONS_MAX: one
 *				entry per operator and key, all must hold
 *
 * A condition, VPCE_COND_A_*:
 *	VPCE_COND_A_OP		u8, enum vpce_cond_op; required
 *	VPCE_COND_A_QUALIFIER	u8, enum vpce_cond_qualifier; optional (none)
 *	VPCE_COND_A_IF_EXISTS	flag: the operator's ...IfExists form
 *	VPCE_COND_A_KEY		string, required: the context key, matched
 *				case-insensitively ([A-Za-z0-9:/_.-])
 *	VPCE_COND_A_VALUES	string array, required, one or more values;
 *				numbers, dates and booleans as their JSON text.
 *				They must suit the operator: decimal numbers
 *				(Numeric*), ISO 8601 dates or epoch seconds
 *				(Date*), "true"/"false" (Bool, Null), IPv4 or
 *				IPv6 addresses or CIDRs (IpAddress), ARNs of
 *				six ':'-separated parts (Arn*). Policy
 *				variables are substituted in String* and Arn*
 *				values and in resources.
 *	Null takes no qualifier and no IfExists.
 *
 * Policy variables: ${KEY} is the value of context key KEY (a key with
 * exactly one value), ${KEY, 'DEFAULT'} the same with a default for a
 * missing key; an element whose variable has no value matches nothing.
 * ${*}, ${?} and ${$} are a literal *, ? and $. At most
 * VPCE_POLICY_VARS_MAX variables per string.
 *
 * Limits over the whole policy: VPCE_POLICY_ELEMENTS_MAX principals,
 * actions, resources and condition values together, and
 * VPCE_POLICY_BYTES_MAX bytes of strings.
 *
 * Evaluation is AWS's: a statement applies when its principal, action,
 * resource and every condition match; any applicable Deny gives
 * VPCE_DECISION_EXPLICIT_DENY, else any applicable Allow gives
 * VPCE_DECISION_ALLOWED, else VPCE_DECISION_IMPLICIT_DENY. Several values of
 * one condition OR (for the negated operators, marked "not" below: NOR);
 * a missing key makes a condition false, true for the negated operators and
 * for ...IfExists; ForAnyValue needs one request value to satisfy the
 * operator (false when the key is missing), ForAllValues every one (true when
 * the key is missing or empty); without a qualifier a multi-valued key is
 * taken as ForAnyValue (negated operators: no value may match). See
 * Documentation/policy.md.
 *
 * Evaluation is bounded: it takes at most VPCE_POLICY_EVAL_STEPS steps (a
 * step is about one character compared by wildcard matching, or one
 * statement, principal, pattern, condition or value tried). The limits
 * above still let a policy and a request ask for billions (many '*' and
 * long variables against long values); such an evaluation stops, and has
 * no decision: VPCE_CMD_POLICY_SIMULATE fails with E2BIG, "policy too
 * complex to evaluate", and the data path denies the flow (fails closed)
 * as a policy refusal, counted in VPCE_STATS_A_DROP_POLICY (and logged,
 * rate limited, with the endpoint's name), or ends it when a policy change
 * re-evaluates a live flow. Policies people write take a few thousand steps.
 *
 * VPCE_A_REQUEST, nested VPCE_REQ_A_* (at most VPCE_REQUEST_BYTES_MAX bytes
 * of strings in all):
 *	VPCE_REQ_A_ACTION	string, required, e.g. "vpce:Connect"
 *	VPCE_REQ_A_RESOURCE	string, required, an ARN
 *	VPCE_REQ_A_PRINCIPAL	string, required: an account root, user,
 *				role, assumed-role session or federated user
 *				ARN (as VPCE_A_PRINCIPAL, but not "*" nor a
 *				bare account)
 *	VPCE_REQ_A_ACCOUNT	u64, optional: the principal's account;
 *				default the account in the ARN
 *	VPCE_REQ_A_ENDPOINT_TYPE u8, enum vpce_type, optional (default
 *				VPCE_TYPE_INTERFACE): whose semantics the
 *				policy's principals have (see below)
 *	VPCE_REQ_A_CONTEXT	nested array of VPCE_CTX_A_*, optional, at
 *				most VPCE_REQUEST_KEYS_MAX keys and
 *				VPCE_REQUEST_VALUES_MAX values in all:
 *		VPCE_CTX_A_KEY		string, required
 *		VPCE_CTX_A_VALUES	string array, required; several values
 *					make a multi-valued key. A key given
 *					twice gets the values of both.
 */

#define VPCE_POLICY_TEXT_MAX		20480	/* characters of JSON */
#define VPCE_POLICY_STATEMENTS_MAX	128	/* statements per policy */
#define VPCE_POLICY_CONDITIONS_MAX	64	/* operator+key per statement */
#define VPCE_POLICY_ELEMENTS_MAX	4096	/* list entries and values */
#define VPCE_POLICY_STRING_MAX		1024	/* characters of one string */
#define VPCE_POLICY_BYTES_MAX		32768	/* string bytes per policy */
#define VPCE_POLICY_VARS_MAX		8	/* ${...} per string */
#define VPCE_REQUEST_KEYS_MAX		16	/* context keys per request */
#define VPCE_REQUEST_VALUES_MAX		32	/* context values per request */
#define VPCE_REQUEST_BYTES_MAX		4096	/* string bytes per request */
#define VPCE_POLICY_EVAL_STEPS		(1U << 20) /* steps per evaluation */

enum vpce_policy_version {
	VPCE_POLICY_VERSION_2008_10_17,
	VPCE_POLICY_VERSION_2012_10_17,
	__VPCE_POLICY_VERSION_MAX
};

#define VPCE_POLICY_VERSION_MAX (__VPCE_POLICY_VERSION_MAX - 1)

enum vpce_effect {
	VPCE_EFFECT_ALLOW,
	VPCE_EFFECT_DENY,
	__VPCE_EFFECT_MAX
};

#define VPCE_EFFECT_MAX (__VPCE_EFFECT_MAX - 1)

/* Condition operators, by their JSON names without IfExists. */
enum vpce_cond_op {
	VPCE_COND_STRING_EQUALS,
	VPCE_COND_STRING_NOT_EQUALS,			/* not */
	VPCE_COND_STRING_EQUALS_IGNORE_CASE,
	VPCE_COND_STRING_NOT_EQUALS_IGNORE_CASE,	/* not */
	VPCE_COND_STRING_LIKE,
	VPCE_COND_STRING_NOT_LIKE,			/* not */
	VPCE_COND_NUMERIC_EQUALS,
	VPCE_COND_NUMERIC_NOT_EQUALS,			/* not */
	VPCE_COND_NUMERIC_LESS_THAN,
	VPCE_COND_NUMERIC_LESS_THAN_EQUALS,
	VPCE_COND_NUMERIC_GREATER_THAN,
	VPCE_COND_NUMERIC_GREATER_THAN_EQUALS,
	VPCE_COND_DATE_EQUALS,
	VPCE_COND_DATE_NOT_EQUALS,			/* not */
	VPCE_COND_DATE_LESS_THAN,
	VPCE_COND_DATE_LESS_THAN_EQUALS,
	VPCE_COND_DATE_GREATER_THAN,
	VPCE_COND_DATE_GREATER_THAN_EQUALS,
	VPCE_COND_BOOL,
	VPCE_COND_IP_ADDRESS,
	VPCE_COND_NOT_IP_ADDRESS,			/* not */
	VPCE_COND_ARN_EQUALS,
	VPCE_COND_ARN_NOT_EQUALS,			/* not */
	VPCE_COND_ARN_LIKE,
	VPCE_COND_ARN_NOT_LIKE,				/* not */
	VPCE_COND_NULL,
	__VPCE_COND_MAX
};

#define VPCE_COND_MAX (__VPCE_COND_MAX - 1)

enum vpce_cond_qualifier {
	VPCE_COND_QUALIFIER_NONE,
	VPCE_COND_FOR_ANY_VALUE,
	VPCE_COND_FOR_ALL_VALUES,
	__VPCE_COND_QUALIFIER_MAX
};

#define VPCE_COND_QUALIFIER_MAX (__VPCE_COND_QUALIFIER_MAX - 1)

enum vpce_policy_attr {
	VPCE_POLICY_A_UNSPEC,
	VPCE_POLICY_A_VERSION,		/* u8: enum vpce_policy_version */
	VPCE_POLICY_A_STATEMENTS,	/* nested array of VPCE_STMT_A_* */
	__VPCE_POLICY_A_MAX
};

#define VPCE_POLICY_A_MAX (__VPCE_POLICY_A_MAX - 1)

enum vpce_stmt_attr {
	VPCE_STMT_A_UNSPEC,
	VPCE_STMT_A_SID,		/* string */
	VPCE_STMT_A_EFFECT,		/* u8: enum vpce_effect */
	VPCE_STMT_A_PRINCIPALS,		/* string array */
	VPCE_STMT_A_NOT_PRINCIPAL,	/* flag */
	VPCE_STMT_A_ACTIONS,		/* string array */
	VPCE_STMT_A_NOT_ACTION,		/* flag */
	VPCE_STMT_A_RESOURCES,		/* string array */
	VPCE_STMT_A_NOT_RESOURCE,	/* flag */
	VPCE_STMT_A_CONDITIONS,		/* nested array of VPCE_COND_A_* */
	__VPCE_STMT_A_MAX
};

#define VPCE_STMT_A_MAX (__VPCE_STMT_A_MAX - 1)

enum vpce_cond_attr {
	VPCE_COND_A_UNSPEC,
	VPCE_COND_A_OP,			/* u8: enum vpce_cond_op */
	VPCE_COND_A_QUALIFIER,		/* u8: enum vpce_cond_qualifier */
	VPCE_COND_A_IF_EXISTS,		/* flag */
	VPCE_COND_A_KEY,		/* string */
	VPCE_COND_A_VALUES,		/* string array */
	__VPCE_COND_A_MAX
};

#define VPCE_COND_A_MAX (__VPCE_COND_A_MAX - 1)

enum vpce_req_attr {
	VPCE_REQ_A_UNSPEC,
	VPCE_REQ_A_ACTION,		/* string */
	VPCE_REQ_A_RESOURCE,		/* string */
	VPCE_REQ_A_PRINCIPAL,		/* string: an ARN */
	VPCE_REQ_A_ACCOUNT,		/* u64 */
	VPCE_REQ_A_CONTEXT,		/* nested array of VPCE_CTX_A_* */
	VPCE_REQ_A_ENDPOINT_TYPE,	/* u8, enum vpce_type */
	__VPCE_REQ_A_MAX
};

#define VPCE_REQ_A_MAX (__VPCE_REQ_A_MAX - 1)

enum vpce_ctx_attr {
	VPCE_CTX_A_UNSPEC,
	VPCE_CTX_A_KEY,			/* string */
	VPCE_CTX_A_VALUES,		/* string array */
	__VPCE_CTX_A_MAX
};

#define VPCE_CTX_A_MAX (__VPCE_CTX_A_MAX - 1)

/*
 * Flow logs
 * ---------
 *
 * An endpoint with VPCE_A_FLOW_LOG 1 has a record sent for its flows to
 * the members of the multicast group VPCE_MCGRP_FLOWLOG (CAP_NET_ADMIN, as
 * for VPCE_MCGRP_EVENTS): a VPCE_CMD_FLOW_LOG message with VPCE_A_FLOW_LOG_RECORD,
 * a nest of VPCE_FLOWLOG_A_*. These are AWS's VPC Flow Logs records of
 * the endpoint's network interface (vpced writes them in AWS's format):
 *
 * - ACCEPT: one per flow and aggregation interval: when the flow ends
 *   (vpce's own table: when it leaves the table: expired, flushed, ended
 *   by a change), and for a flow that lives longer than the interval, on
 *   its first packet after the interval is over. Each carries the packets
 *   and IP bytes of its interval only, each way; an interval without
 *   packets has no record (no NODATA).
 * - REJECT: one per refused flow (policy, endpoint state, no listener, no
 *   target, no source port, a TCP packet of no flow): the refused packet,
 *   START = END = the time it came.
 *
 * A flow is logged, or not, for its whole life: the endpoint's setting
 * when it starts, and VPCE_A_FLOW_LOG_SAMPLE percent of flows, chosen by
 * a hash of the flow's addresses and ports. Records the kernel could not
 * deliver (a member's socket full, no memory) are counted in
 * VPCE_A_FLOW_LOG_SKIPPED of VPCE_CMD_STATS_GET's flows message, and the
 * next record delivered says how many were lost before it
 * (VPCE_FLOWLOG_A_SKIPPED). Records are sent only while a socket is a
 * member of the group.
 */
#define VPCE_MCGRP_FLOWLOG	"flowlog"

enum vpce_flowlog_attr {
	VPCE_FLOWLOG_A_UNSPEC,
	VPCE_FLOWLOG_A_PAD,
	VPCE_FLOWLOG_A_INTERFACE,	/* string: the endpoint's ID */
	VPCE_FLOWLOG_A_ACCOUNT,		/* u64: the interface's owner */
	VPCE_FLOWLOG_A_PROTO,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	VPCE_FLOWLOG_A_SRC,		/* nested VPCE_ADDR_A_*: the client */
	VPCE_FLOWLOG_A_DST,		/* nested VPCE_ADDR_A_*: endpoint addr */
	VPCE_FLOWLOG_A_SRC_PORT,	/* u16, host order */
	VPCE_FLOWLOG_A_DST_PORT,	/* u16, host order */
	VPCE_FLOWLOG_A_PACKETS,		/* u64: SRC to DST */
	VPCE_FLOWLOG_A_BYTES,		/* u64: SRC to DST, IP bytes */
	VPCE_FLOWLOG_A_REPLY_PACKETS,	/* u64: DST to SRC */
	VPCE_FLOWLOG_A_REPLY_BYTES,	/* u64: DST to SRC, IP bytes */
	VPCE_FLOWLOG_A_START,		/* u64: first packet, Unix seconds */
	VPCE_FLOWLOG_A_END,		/* u64: last packet, Unix seconds */
	VPCE_FLOWLOG_A_ACTION,		/* u8: enum vpce_flowlog_action */
	VPCE_FLOWLOG_A_SKIPPED,		/* u64: records lost before this one */
	__VPCE_FLOWLOG_A_MAX
};

#define VPCE_FLOWLOG_A_MAX (__VPCE_FLOWLOG_A_MAX - 1)

enum vpce_flowlog_action {
	VPCE_FLOWLOG_ACCEPT,
	VPCE_FLOWLOG_REJECT,
	__VPCE_FLOWLOG_ACTION_MAX
};

#define VPCE_FLOWLOG_ACTION_MAX (__VPCE_FLOWLOG_ACTION_MAX - 1)

#endif /* _UAPI_LINUX_VPCE_H */
