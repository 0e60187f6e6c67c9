#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Removing a target: its flows end at once (conntrack entries gone), new
# flows avoid it, and established flows to the other targets survive.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
# Twelve established flows from both VPCs; the flow hash spreads them.
for i in $(seq 1 12); do
	ns=vpca
	[ $((i % 2)) -eq 0 ] && ns=vpcb
	held_start "$ns" "$tmp/$i" "$EP_ADDR" 80 --sport $((41000 + i)) --tag c$i
done
to10=$(grep -l "^srv10 " "$tmp"/*/greeting | wc -l)
log "flows per target: $(cat "$tmp"/*/greeting | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')"
[ "$to10" -ge 1 ] && [ "$to10" -le 11 ] ||
	fail "need flows both to and not to 192.168.1.10 (got $to10 of 12 to it)"

must vpcectl target del svc 192.168.1.10
conntrack -L 2>/dev/null | grep -q "src=192.168.1.10 " &&
	fail "conntrack still has flows from 192.168.1.10: $(conntrack -L 2>/dev/null | grep 'src=192.168.1.10 ')"
vpcectl target show svc | grep -q 192.168.1.10 && fail "target still listed"

for i in $(seq 1 12); do
	res=$(held_ping "$tmp/$i" 1)
	if grep -q "^srv10 " "$tmp/$i/greeting"; then
		[ "${res%% *}" = ERROR ] || fail "flow $i to the removed target still works: $res"
	else
		[ "$res" = "ok c$i 1" ] || fail "flow $i to another target broke: $res"
	fi
done
log "flows to 192.168.1.10 ended, the $((12 - to10)) others still answer"

spread=$(ns_query vpca "$EP_ADDR" 80 --count 30) || fail "new flows failed: $spread"
grep -q "^srv10 " <<<"$spread" && fail "a new flow went to the removed target"
log "30 new flows: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"
exit 0
