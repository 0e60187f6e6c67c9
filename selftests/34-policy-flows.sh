#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Endpoint policies on real flows: the default policy allows all; a policy
# conditioned on aws:VpcSourceIp lets one client in and refuses another at
# once (counted); a Principal that is a bound role admits only its prefix; an
# explicit deny on vpce:DestinationPort beats a broad allow; tightening a
# policy ends a live session it now denies and leaves the others alone; the
# original text comes back as it was given.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat python3
pl_setup
ip -n vpca addr add 10.0.0.3/24 dev eth0 || fail "adding 10.0.0.3"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
RES=arn:aws:ec2:local:333333333333:vpc-endpoint-service/svc

# from SRC : a TCP connection from VPC A's client address SRC.
from() {
	ip netns exec vpca socat -T 3 - "TCP:$EP_ADDR:80,bind=$1,connect-timeout=3" </dev/null 2>&1
}

# refused SRC : the connection is refused at once, not left to time out.
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

# The default policy allows everything.
from 10.0.0.2 | grep -q "^srv" || fail "default policy: 10.0.0.2 refused"
from 10.0.0.3 | grep -q "^srv" || fail "default policy: 10.0.0.3 refused"

# aws:VpcSourceIp: one client in, the other refused and counted.
policy srcip <<EOF2
{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "OnlyDotTwo",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "vpce:Connect",
    "Resource": "$RES",
    "Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.2/32"}}
  }]
}
EOF2
from 10.0.0.2 | grep -q "^srv" || fail "VpcSourceIp policy: 10.0.0.2 refused"
refused 10.0.0.3
[ "$(ep_stat epa drop-policy)" -eq 1 ] || fail "drop-policy is $(ep_stat epa drop-policy), not 1"
# The text comes back exactly as given (administrators only).
vpcectl -j endpoint show epa |
	python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)[0]["policy"])' >"$tmp/back.json"
cmp -s "$tmp/srcip.json" "$tmp/back.json" || fail "endpoint show does not return the policy as given"
# VPC B's endpoint still has the default policy.
tcp_query vpcb "$EP_ADDR" 80 | grep -q "^srv" || fail "epb is affected by epa's policy"
log "aws:VpcSourceIp: 10.0.0.2 in, 10.0.0.3 refused and counted"

# A bound role as Principal: only its prefix acts as the role.
must vpcectl principal add A prefix 10.0.0.3/32 arn arn:aws:iam::111111111111:role/web
policy role <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
 "Principal": {"AWS": "arn:aws:iam::111111111111:role/web"},
 "Action": "vpce:*", "Resource": "*"}}
EOF2
from 10.0.0.3 | grep -q "^srv" || fail "the bound role's source was refused"
refused 10.0.0.2
log "Principal role/web: its prefix in, the rest (the account root) refused"
vpcectl principal show A | grep -qx "principal A prefix 10.0.0.3/32 arn arn:aws:iam::111111111111:role/web" ||
	fail "principal show: $(vpcectl principal show A)"
must vpcectl principal add A prefix 10.0.0.0/24 arn arn:aws:iam::111111111111:role/net
# The longest prefix wins: .3 is still role/web, .2 is now role/net.
from 10.0.0.3 | grep -q "^srv" || fail "longest prefix: the /32 binding lost"
refused 10.0.0.2
must vpcectl principal del A prefix 10.0.0.3/32
must_fail vpcectl principal del A prefix 10.0.0.3/32
refused 10.0.0.3
must vpcectl principal del A prefix 10.0.0.0/24
[ -z "$(vpcectl principal show A)" ] || fail "bindings left: $(vpcectl principal show A)"

# Explicit deny on a port beats a broad allow.
policy deny53 <<EOF2
{"Version": "2012-10-17", "Statement": [
 {"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
 {"Sid": "NoDns", "Effect": "Deny", "Principal": "*", "Action": "vpce:Connect",
  "Resource": "*", "Condition": {"NumericEquals": {"vpce:DestinationPort": "53"}}}]}
EOF2
from 10.0.0.2 | grep -q "^srv" || fail "deny53: TCP 80 refused"
start=$(_now_ms)
out=$(printf 'x\n' | ip netns exec vpca socat -T 3 - "UDP:$EP_ADDR:53" 2>&1) &&
	fail "deny53: UDP 53 answered: $out"
took=$(($(_now_ms) - start))
[ "$took" -lt "$(scaled_ms 2500)" ] || fail "deny53: UDP refused only after $took ms ($out)"
log "explicit deny on port 53 beats allow-all (UDP refused in $took ms: ${out##*: })"

# A policy given when the endpoint is created applies from the first flow.
policy_file() { cat >"$tmp/$1.json"; }
policy_file denyall <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
 "Action": "*", "Resource": "*"}}
EOF2
must vpcectl endpoint add epb2 vpc B service svc addr 10.0.0.101 policy "$tmp/denyall.json"
out=$(ip netns exec vpcb socat -T 3 - TCP:10.0.0.101:80,connect-timeout=3 </dev/null 2>&1) &&
	fail "endpoint added with a deny-all policy let a flow in: $out"
grep -q "Connection refused" <<<"$out" || fail "epb2: not refused at once: $out"
[ "$(ep_stat epb2 drop-policy)" -eq 1 ] || fail "epb2's drop-policy is not 1"

# Tightening a policy ends the live sessions it now denies, only those.
policy all <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*"}}
EOF2
for src in 2 3; do
	mkdir -p "$tmp/h$src"
	ip netns exec vpca python3 "$SELFTESTS/held.py" --dir "$tmp/h$src" \
		--bind "10.0.0.$src" --tag "c$src" "$EP_ADDR" 80 </dev/null &
	defer touch "$tmp/h$src/stop"
	wait_for 10 test -s "$tmp/h$src/greeting" || fail "held session from .$src"
	[ "$(held_ping "$tmp/h$src" 1)" = "ok c$src 1" ] || fail "session from .$src"
done
policy tight <<EOF2
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:VpcSourceIp": "10.0.0.2/32"}}}}
EOF2
res=$(held_ping "$tmp/h2" 2)
[ "${res%% *}" = ERROR ] || fail "the denied session survived the new policy: $res"
[ "$(held_ping "$tmp/h3" 2)" = "ok c3 2" ] || fail "the allowed session broke"
refused 10.0.0.2
log "tightening ended the session from .2 ($res); .3's lives on"
exit 0
