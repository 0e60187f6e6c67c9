#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A principal binding that changes ends the live flows it takes access away
# from, in both ways vpce tracks flows (conntrack=0, its own table;
# conntrack=1, conntrack's), as a policy that tightens does
# (34-policy-flows): epa's policy lets in only role/web and role/ops, and
# held TCP sessions from VPC A's sources bound to role/web are live.
# - `principal del` of .2's binding: .2 acts as the VPC owner's root, which
#   the policy denies; its session is reset, its flow is gone, and counted
#   as a reset sent.
# - `principal add` of role/evil for .5, inside the role/web prefix of .4-.7:
#   the same for .5.
# - `principal add` of role/ops for .7: its principal changes, and the policy
#   still allows it: untouched.
# - .6 (its principal never changes) and VPC B's session: untouched.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat python3 jq conntrack
WEB=arn:aws:iam::111111111111:role/web

pl_topology
for a in 5 6 7; do
	ip -n vpca addr add "10.0.0.$a/24" dev eth0 || fail "adding 10.0.0.$a"
done
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# flow_of SPORT : the flow (own table) or conntrack entry from SPORT, if any.
flow_of() {
	if [ "$ct" = 1 ]; then
		conntrack -L -p tcp --sport "$1" 2>/dev/null | grep .
	else
		vpcectl -j flow show | jq -ce --argjson s "$1" \
			'.[] | select(.protocol == "tcp" and .client_port == $s)'
	fi
}

rsts() { vpcectl -j stats show service svc | jq '.[0].RstPacketsSent'; }

# live ROUND NAME... : each held session NAME answers round ROUND.
live() {
	local round=$1 h res
	shift
	for h in "$@"; do
		res=$(held_ping "$dir/$h" "$round")
		[ "$res" = "ok $h $round" ] ||
			fail "conntrack=$ct: session $h broke in round $round: $res"
	done
}

# revoked ROUND NAME SPORT WHAT : session NAME (from SPORT) was ended by WHAT.
revoked() {
	local res
	flow_of "$3" >/dev/null &&
		fail "conntrack=$ct: $4 left $2's flow: $(flow_of "$3")"
	res=$(held_ping "$dir/$2" "$1")
	[ "${res%% *}" = ERROR ] || fail "conntrack=$ct: $2's session survived $4: $res"
	grep -qi "reset" <<<"$res" || fail "conntrack=$ct: $2 was not reset by $4: $res"
	log "conntrack=$ct: $4 ended $2 ($res)"
}

# refused SRC : a new connection from SRC in VPC A is refused at once.
refused() {
	local out
	out=$(ip netns exec vpca socat -T 3 - \
		"TCP:$EP_ADDR:80,bind=$1,connect-timeout=3" </dev/null 2>&1) &&
		fail "conntrack=$ct: $1 got in: $out"
	grep -q "Connection refused\|reset" <<<"$out" ||
		fail "conntrack=$ct: $1 not refused at once: $out"
}

for ct in 0 1; do
	load_vpce conntrack=$ct
	pl_config
	dir="$tmp/ct$ct"
	must vpcectl principal add A prefix 10.0.0.2/32 arn "$WEB"
	must vpcectl principal add A prefix 10.0.0.4/30 arn "$WEB"
	printf '%s' '{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
 "Principal": {"AWS": ["arn:aws:iam::111111111111:role/web",
                       "arn:aws:iam::111111111111:role/ops"]},
 "Action": "vpce:Connect", "Resource": "*"}}' >"$tmp/policy.json"
	must vpcectl endpoint set epa policy "$tmp/policy.json"

	# Source ports name the sessions' flows (and tell them apart from
	# VPC B's, which uses the same client address); each mode has its
	# own, as the last mode's may still be in TIME_WAIT.
	p=$((43000 + 100 * ct))
	for a in 2 5 6 7; do
		held_start vpca "$dir/h$a" "$EP_ADDR" 80 --bind "10.0.0.$a" \
			--sport $((p + a)) --tag "h$a"
	done
	held_start vpcb "$dir/hb" "$EP_ADDR" 80 --sport $((p + 50)) --tag hb
	live 1 h2 h5 h6 h7 hb
	flow_of $((p + 2)) >/dev/null || fail "conntrack=$ct: no flow of h2 to watch"

	r0=$(rsts)
	must vpcectl principal del A prefix 10.0.0.2/32
	revoked 2 h2 $((p + 2)) "principal del of 10.0.0.2/32"
	live 2 h5 h6 h7 hb
	refused 10.0.0.2
	r1=$(rsts)
	[ "$r1" -gt "$r0" ] || fail "conntrack=$ct: no reset counted for h2 ($r0 -> $r1)"

	must vpcectl principal add A prefix 10.0.0.5/32 arn arn:aws:iam::111111111111:role/evil
	revoked 3 h5 $((p + 5)) "principal add of role/evil for 10.0.0.5/32"
	live 3 h6 h7 hb
	r2=$(rsts)
	[ "$r2" -gt "$r1" ] || fail "conntrack=$ct: no reset counted for h5 ($r1 -> $r2)"

	# A new principal the policy allows as well: nothing ends.
	must vpcectl principal add A prefix 10.0.0.7/32 arn arn:aws:iam::111111111111:role/ops
	live 4 h6 h7 hb
	[ "$(rsts)" = "$r2" ] || fail "conntrack=$ct: resets sent for flows still allowed"
	log "conntrack=$ct: .6, .7 (now role/ops) and VPC B's sessions live on"
	for h in h2 h5 h6 h7 hb; do
		touch "$dir/$h/stop"
	done
done
exit 0
