#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpcectl monitor shows the events of an endpoint's life in order, as they
# happen: requested (pending acceptance), accepted, connected, policy
# changed, a target's health, rejected, deleted - as JSON lines (-j) and as
# text.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
load_vpce
pl_topology

tmp=$(mktemp -d)
defer rm -rf "$tmp"
vpcectl -j monitor >"$tmp/json" 2>"$tmp/json.err" &
defer kill $!
vpcectl monitor >"$tmp/text" 2>"$tmp/text.err" &
defer kill $!
wait_for 10 grep -q monitoring "$tmp/json.err" || fail "monitor -j did not start: $(cat "$tmp/json.err")"
wait_for 10 grep -q monitoring "$tmp/text.err" || fail "monitor did not start: $(cat "$tmp/text.err")"

printf '%s\n' '{"Version": "2012-10-17", "Statement": {"Effect": "Allow",' \
	'"Principal": "*", "Action": "*", "Resource": "*"}}' >"$tmp/all.json"
must vpcectl vpc add A account 111111111111 dev va
must vpcectl service add svc account 333333333333 listener tcp:80:8080 \
	nlb "$NLB" acceptance-required on
must vpcectl service allow svc principal 111111111111
must vpcectl target add svc 192.168.1.10
must vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR"
must vpcectl connection accept svc epa
must vpcectl endpoint set epa policy "$tmp/all.json"
must vpcectl target set svc 192.168.1.10 health unhealthy
must vpcectl target set svc 192.168.1.10 weight 2	# no health change: no event
must vpcectl connection reject svc epa
must vpcectl endpoint del epa

lines() { [ "$(wc -l <"$1")" -ge 7 ]; }
wait_for 10 lines "$tmp/json" || fail "only $(wc -l <"$tmp/json") events: $(cat "$tmp/json")"
wait_for 10 lines "$tmp/text" || fail "only $(wc -l <"$tmp/text") text events"
got=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    o = e.get("endpoint") or e.get("target")
    print(e["event"], o.get("name") or o.get("addr"), o.get("state") or o.get("health"))
' "$tmp/json")
want="requested epa pendingAcceptance
accepted epa available
connected epa available
policy epa available
health 192.168.1.10 unhealthy
rejected epa rejected
deleted epa rejected"
log "$got"
[ "$got" = "$want" ] || fail "events out of order or missing; want:
$want"
head -n 1 "$tmp/text" | grep -Eqx "requested endpoint epa id vpce-[0-9a-f]{17} vpc A service svc state pendingAcceptance" ||
	fail "text event: $(head -n 1 "$tmp/text")"
grep -qx "health target svc 192.168.1.10 weight 1 health unhealthy" "$tmp/text" ||
	fail "text health event: $(cat "$tmp/text")"
exit 0
