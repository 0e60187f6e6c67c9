#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VPCs with the same IPv6 prefix and client address (fd00:a::2 in
# both) and endpoints with the same address: identical 5-tuples become two
# flows in two conntrack zones, and each VPC gets its own replies (12-overlap
# for IPv6). Then deleting a target ends exactly its flows, from both VPCs,
# and new flows avoid it (13-target-del for IPv6).

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd conntrack python3
pl6_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
held_start vpca "$tmp/a" "$EP6_ADDR" 80 --sport 40000 --tag from-A
held_start vpcb "$tmp/b" "$EP6_ADDR" 80 --sport 40000 --tag from-B
log "A: $(cat "$tmp/a/greeting")  B: $(cat "$tmp/b/greeting")"
for side in a b; do
	grep -q "^srv1[012] $NLB6\$" "$tmp/$side/greeting" ||
		fail "VPC ${side^^}: bad greeting '$(cat "$tmp/$side/greeting")'"
done

ct=$(conntrack -L -f ipv6 -p tcp --orig-dst "$EP6_ADDR" --orig-port-src 40000 2>/dev/null)
log "$ct"
[ "$(grep -c "src=fd00:a::2 dst=$EP6_ADDR sport=40000 dport=80" <<<"$ct")" -eq 2 ] ||
	fail "expected two flows from [fd00:a::2]:40000, one per VPC"
[ "$(grep -o 'zone-orig=[0-9]*' <<<"$ct" | sort -u | wc -l)" -eq 2 ] ||
	fail "the two flows are not in two conntrack zones"

for round in 1 2 3; do
	a=$(held_ping "$tmp/a" $round)
	b=$(held_ping "$tmp/b" $round)
	[ "$a" = "ok from-A $round" ] || fail "VPC A round $round got '$a'"
	[ "$b" = "ok from-B $round" ] || fail "VPC B round $round got '$b'"
done
log "three rounds each: every answer came back to its own VPC"
# Both clients resolved the same address to their own host device.
ip -n vpca -6 neigh show "$EP6_ADDR" | grep -q "lladdr $(cat /sys/class/net/va/address)" ||
	fail "vpca: $(ip -n vpca -6 neigh show "$EP6_ADDR")"
ip -n vpcb -6 neigh show "$EP6_ADDR" | grep -q "lladdr $(cat /sys/class/net/vb/address)" ||
	fail "vpcb: $(ip -n vpcb -6 neigh show "$EP6_ADDR")"

# Target removal: 12 held flows from both VPCs, some to fd01::10.
for i in $(seq 1 12); do
	ns=vpca
	[ $((i % 2)) -eq 0 ] && ns=vpcb
	held_start "$ns" "$tmp/$i" "$EP6_ADDR" 80 --sport $((41000 + i)) --tag "c$i"
done
to10=$(grep -l "^srv10 " "$tmp"/[0-9]*/greeting | wc -l)
log "flows per target: $(cat "$tmp"/[0-9]*/greeting | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')"
[ "$to10" -ge 1 ] && [ "$to10" -le 11 ] ||
	fail "need flows both to and not to fd01::10 (got $to10 of 12 to it)"

must vpcectl target del svc fd01::10
conntrack -L -f ipv6 2>/dev/null | grep -q "src=fd01::10 " &&
	fail "conntrack still has flows from fd01::10: $(conntrack -L -f ipv6 2>/dev/null | grep 'src=fd01::10 ')"
vpcectl target show svc | grep -q "fd01::10 " && fail "target still listed"
for i in $(seq 1 12); do
	res=$(held_ping "$tmp/$i" 1)
	if grep -q "^srv10 " "$tmp/$i/greeting"; then
		[ "${res%% *}" = ERROR ] || fail "flow $i to the removed target still works: $res"
	else
		[ "$res" = "ok c$i 1" ] || fail "flow $i to another target broke: $res"
	fi
done
log "flows to fd01::10 ended, the $((12 - to10)) others still answer"
spread=$(ns_query vpcb "$EP6_ADDR" 80 --count 30) || fail "new flows failed: $spread"
grep -q "^srv10 " <<<"$spread" && fail "a new flow went to the removed target"
log "30 new flows: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"
exit 0
