#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VPCs with the same CIDR: the same client address and source port talk
# to the same endpoint address at the same time, and each gets its own
# answers. No ip rule, mark or route is configured beyond `vpc add ... dev`.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
# Both connections open before either is used: two live flows with one
# 5-tuple, told apart only by the VPC they came from.
held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 40000 --tag from-A
held_start vpcb "$tmp/b" "$EP_ADDR" 80 --sport 40000 --tag from-B
log "A: $(cat "$tmp/a/greeting")  B: $(cat "$tmp/b/greeting")"
for side in a b; do
	grep -q "^srv1[012] $NLB\$" "$tmp/$side/greeting" ||
		fail "VPC ${side^^}: bad greeting '$(cat "$tmp/$side/greeting")'"
done

fl=$(vpcectl flow show | grep "^tcp 10.0.0.2:40000 -> $EP_ADDR:80 ")
log "$fl"
[ "$(grep -c . <<<"$fl")" -eq 2 ] || fail "expected two flows from 10.0.0.2:40000, one per VPC"
grep -q " vpc A .* dev va " <<<"$fl" && grep -q " vpc B .* dev vb " <<<"$fl" ||
	fail "the two flows are not one in each VPC"
# The targets tell them apart: to one target, they come from two nlb
# ports.
[ "$(grep -o "target [0-9.:]* from $NLB:[0-9]*" <<<"$fl" | sort -u | wc -l)" -eq 2 ] ||
	fail "the two flows reach a target from one address and port"

for round in 1 2 3; do
	a=$(held_ping "$tmp/a" $round)
	b=$(held_ping "$tmp/b" $round)
	[ "$a" = "ok from-A $round" ] || fail "VPC A round $round got '$a'"
	[ "$b" = "ok from-B $round" ] || fail "VPC B round $round got '$b'"
done
log "three rounds each: every answer came back to its own VPC"

# Short flows interleaved from both VPCs with the same source port.
for i in 1 2 3 4 5; do
	ns_query vpca "$EP_ADDR" 80 --sport 40001 >/dev/null || fail "VPC A short flow $i failed"
	ns_query vpcb "$EP_ADDR" 80 --sport 40001 >/dev/null || fail "VPC B short flow $i failed"
done
[ "$(ep_stat epa new-connections)" -ge 6 ] && [ "$(ep_stat epb new-connections)" -ge 6 ] ||
	fail "counters: epa $(ep_stat epa new-connections) epb $(ep_stat epb new-connections)"
exit 0
