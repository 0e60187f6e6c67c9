#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Endpoint policies and principal bindings on IPv6 flows (34-policy-flows
# for IPv6): aws:VpcSourceIp with an IPv6 CIDR lets one source in and
# refuses another at once (reset, counted); an IPv4 CIDR matches no IPv6
# source; a principal bound to an IPv6 prefix (longest prefix wins) is the
# flow's principal; tightening the policy ends the live IPv6 flows it now
# denies.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat python3
pl6_setup
_addr_add eth0 fd00:a::3/64 ip -n vpca || fail "adding fd00:a::3"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
RES=arn:aws:ec2:local:333333333333:vpc-endpoint-service/svc

from() {
	ip netns exec vpca socat -T 5 - \
		"TCP:[$EP6_ADDR]:80,bind=[$1],connect-timeout=5" </dev/null 2>&1
}

# allowed SRC WHAT : a connection from SRC reaches a target.
allowed() {
	local out
	out=$(from "$1")
	grep -q "^srv" <<<"$out" || fail "$2: $out"
}

refused() {
	local start took out
	start=$(_now_ms)
	out=$(from "$1") && fail "$1 got in: $out"
	took=$(($(_now_ms) - start))
	grep -q "Connection refused\|reset" <<<"$out" || fail "$1: not refused at once: $out"
	[ "$took" -lt "$(scaled_ms 2500)" ] || fail "$1: refused only after $took ms"
}

policy() {
	cat >"$tmp/$1.json"
	must vpcectl endpoint set epa policy "$tmp/$1.json"
}

srcip() {
	policy "$1" <<EOF2
{"Version": "2012-10-17", "Statement": [{"Sid": "Only", "Effect": "Allow",
 "Principal": "*", "Action": "vpce:Connect", "Resource": "$RES",
 "Condition": {"IpAddress": {"aws:VpcSourceIp": "$2"}}}]}
EOF2
}

allowed fd00:a::2 "default policy: fd00:a::2 refused"
allowed fd00:a::3 "default policy: fd00:a::3 refused"

srcip one fd00:a::2/128
allowed fd00:a::2 "VpcSourceIp fd00:a::2/128: fd00:a::2 refused"
refused fd00:a::3
[ "$(ep_stat epa drop-policy)" -eq 1 ] || fail "drop-policy is $(ep_stat epa drop-policy), not 1"
srcip net fd00:a::/120
allowed fd00:a::3 "VpcSourceIp fd00:a::/120: fd00:a::3 refused"
srcip other fd00:b::/64
refused fd00:a::2
srcip v4 0.0.0.0/0
refused fd00:a::2
log "aws:VpcSourceIp: IPv6 CIDRs match IPv6 sources, 0.0.0.0/0 none of them"

must vpcectl principal add A prefix fd00:a::3/128 arn arn:aws:iam::111111111111:role/web
policy role <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
 "Principal": {"AWS": "arn:aws:iam::111111111111:role/web"},
 "Action": "vpce:*", "Resource": "*"}}
EOF2
allowed fd00:a::3 "the bound role's source was refused"
refused fd00:a::2
vpcectl principal show A | grep -qx "principal A prefix fd00:a::3/128 arn arn:aws:iam::111111111111:role/web" ||
	fail "principal show: $(vpcectl principal show A)"
must vpcectl principal add A prefix fd00:a::/64 arn arn:aws:iam::111111111111:role/net
allowed fd00:a::3 "longest prefix: the /128 binding lost"
refused fd00:a::2
must_fail vpcectl principal add A prefix fd00:a::1/64 arn arn:aws:iam::111111111111:role/x
must vpcectl principal del A prefix fd00:a::3/128
refused fd00:a::3
must vpcectl principal del A prefix fd00:a::/64
log "principal bindings on IPv6 prefixes: longest prefix wins"

policy all <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*"}}
EOF2
for src in 2 3; do
	mkdir -p "$tmp/h$src"
	ip netns exec vpca python3 "$SELFTESTS/held.py" --dir "$tmp/h$src" \
		--bind "fd00:a::$src" --tag "c$src" "$EP6_ADDR" 80 </dev/null &
	defer touch "$tmp/h$src/stop"
	wait_for 10 test -s "$tmp/h$src/greeting" || fail "held session from ::$src"
	[ "$(held_ping "$tmp/h$src" 1)" = "ok c$src 1" ] || fail "session from ::$src"
done
policy tight <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:VpcSourceIp": "fd00:a::2"}}}}
EOF2
res=$(held_ping "$tmp/h2" 2)
[ "${res%% *}" = ERROR ] || fail "the denied session survived the new policy: $res"
[ "$(held_ping "$tmp/h3" 2)" = "ok c3 2" ] || fail "the allowed session broke"
refused fd00:a::2
log "tightening ended the session from ::2 ($res); ::3's lives on"

# UDP is refused by policy with ICMPv6 (administratively prohibited).
out=$(printf 'x\n' | ip netns exec vpca socat -T 3 - "UDP:[$EP6_ADDR]:53,bind=[fd00:a::2]" 2>&1) &&
	fail "UDP from fd00:a::2 answered: $out"
exit 0
