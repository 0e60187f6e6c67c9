#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# endpoint set EP addr add|del on a live endpoint, IPv4 and IPv6 (dual
# stack topology). A deleted address stops answering ARP / neighbour
# solicitations and its live flows end with a reset to the client (counted
# in RstPacketsSent), those of vpce's own table and those conntrack carries
# alike; an added one answers and takes flows at once. The endpoint's flows
# to its other addresses, and those of another endpoint at the same address
# in another VPC, carry data across every change. endpoint show, dns show,
# save and monitor follow. Bad changes are refused with a reason and change
# nothing.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat jq python3
PL6_DUAL=1 pl6_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"

vpcectl monitor >"$tmp/events" 2>"$tmp/events.err" &
defer kill $!
wait_for 10 grep -q monitoring "$tmp/events.err" || fail "monitor did not start: $(cat "$tmp/events.err")"

svcstat() {
	vpcectl -j stats show |
		jq -r ".[] | select(.object == \"service\" and .service == \"svc\") | .$1"
}
alive() {
	local res
	res=$(held_ping "$1" "$2")
	[ "$res" = "ok $(basename "$1") $2" ] || fail "flow $1 broke (round $2): $res"
}
was_reset() {
	local res
	res=$(held_ping "$1" "$2")
	grep -qi "reset" <<<"$res" || fail "flow $1 was not reset (round $2): $res"
}
addrs() {
	vpcectl -j endpoint show "$1" | jq -c '[.[0].addresses[].addr]'
}
mac=$(cat /sys/class/net/va/address)
# answers FAMILY ADDR : VPC A's client resolves ADDR to the device's address.
answers() {
	ip -n vpca "$1" neigh flush dev eth0
	ip netns exec vpca ping "-$2" -c 1 -W 1 "$3" >/dev/null 2>&1
	ip -n vpca "$1" neigh show "$3" | grep -q "lladdr $mac"
}
answers4() { answers -4 4 "$1"; }
answers6() { answers -6 6 "$1"; }

# Flows of epa's IPv4 address (own table and conntrack), its IPv6 address,
# and epb's (VPC B, the same addresses).
held_start vpca "$tmp/a4" "$EP_ADDR" 80 --tag a4
held_start vpca "$tmp/a4ct" "$EP_ADDR" 80 --tag a4ct --ip-options
held_start vpca "$tmp/a6" "$EP6_ADDR" 80 --tag a6
held_start vpcb "$tmp/b4" "$EP_ADDR" 80 --tag b4
held_start vpcb "$tmp/b6" "$EP6_ADDR" 80 --tag b6
for d in a4 a4ct a6 b4 b6; do
	alive "$tmp/$d" 1
done
answers6 "$EP6_ADDR" || fail "no NDP answer for $EP6_ADDR before the change"

# --- IPv6: del, then add another ------------------------------------------------
rst0=$(svcstat RstPacketsSent)
must vpcectl endpoint set epa addr del "$EP6_ADDR"
rst1=$(svcstat RstPacketsSent)
[ "$rst1" -eq $((rst0 + 1)) ] || fail "RstPacketsSent went from $rst0 to $rst1, not by 1"
[ "$(addrs epa)" = "[\"$EP_ADDR\"]" ] || fail "epa's addresses after del: $(addrs epa)"
vpcectl endpoint show epa | grep -q "ip-address-type ipv4 " ||
	fail "epa is not ipv4 now: $(vpcectl endpoint show epa)"
was_reset "$tmp/a6" 2
for d in a4 a4ct b4 b6; do
	alive "$tmp/$d" 2
done
answers6 "$EP6_ADDR" && fail "$EP6_ADDR still answers NDP after its delete"
tcp_query vpca "$EP6_ADDR" 80 >/dev/null && fail "$EP6_ADDR still takes flows"
vpcectl dns show epa | grep -q "$EP6_ADDR" && fail "dns show still has $EP6_ADDR: $(vpcectl dns show epa)"
log "IPv6 address deleted: its flow reset, the four others carry data, no NDP answer"

must vpcectl endpoint set epa addr add fd00:a::101
[ "$(addrs epa)" = "[\"$EP_ADDR\",\"fd00:a::101\"]" ] || fail "epa's addresses after add: $(addrs epa)"
answers6 fd00:a::101 || fail "no NDP answer for the added fd00:a::101: $(ip -n vpca -6 neigh)"
out=$(tcp_query vpca fd00:a::101 80) || fail "no flow to the added fd00:a::101"
grep -Eq "^srv1[012] $NLB6\$" <<<"$out" || fail "fd00:a::101 answered '$out'"
vpcectl dns show epa | grep -q "fd00:a::101" || fail "dns show lacks fd00:a::101: $(vpcectl dns show epa)"
for d in a4 a4ct b4 b6; do
	alive "$tmp/$d" 3
done
held_start vpca "$tmp/a6n" fd00:a::101 80 --tag a6n
alive "$tmp/a6n" 1
log "IPv6 address fd00:a::101 added: $out"

# --- IPv4: del, then add another ------------------------------------------------
rst0=$(svcstat RstPacketsSent)
must vpcectl endpoint set epa addr del "$EP_ADDR"
rst1=$(svcstat RstPacketsSent)
[ "$rst1" -eq $((rst0 + 2)) ] || fail "RstPacketsSent went from $rst0 to $rst1, not by 2"
was_reset "$tmp/a4" 4
was_reset "$tmp/a4ct" 4
for d in b4 b6; do
	alive "$tmp/$d" 4
done
alive "$tmp/a6n" 2
answers4 "$EP_ADDR" && fail "$EP_ADDR still answers ARP in VPC A after its delete"
tcp_query vpca "$EP_ADDR" 80 >/dev/null && fail "$EP_ADDR still takes flows in VPC A"
tcp_query vpcb "$EP_ADDR" 80 >/dev/null || fail "epb's $EP_ADDR (VPC B) stopped"
must vpcectl endpoint set epa addr add 10.0.0.102
answers4 10.0.0.102 || fail "no ARP answer for the added 10.0.0.102: $(ip -n vpca neigh)"
out=$(tcp_query vpca 10.0.0.102 80) || fail "no flow to the added 10.0.0.102"
grep -Eq "^srv1[012]-4 $NLB\$" <<<"$out" || fail "10.0.0.102 answered '$out'"
held_start vpca "$tmp/a4n" 10.0.0.102 80 --tag a4n
for d in b4 b6; do
	alive "$tmp/$d" 5
done
alive "$tmp/a6n" 3
alive "$tmp/a4n" 1
log "IPv4 address 10.0.0.102 added: $out; epb's and the new flows carry data"

# The counters of a kept address go on: fd00:a::101's flows are counted.
n=$(vpcectl -j stats show | jq -r '.[] | select(.object == "endpoint" and .name == "epa") | .NewConnections')
[ "$n" -ge 4 ] || fail "epa's NewConnections is $n after at least 4 flows to its current addresses"

# --- endpoint show, dns show, save, monitor ---------------------------------------
[ "$(addrs epa)" = '["fd00:a::101","10.0.0.102"]' ] || fail "epa's addresses: $(addrs epa)"
vpcectl endpoint show epa | grep -q "ip-address-type dualstack " ||
	fail "epa is not dual stack again: $(vpcectl endpoint show epa)"
vpcectl save >"$tmp/save" || fail "save"
grep -q "^endpoint add epa .*addr fd00:a::101.* addr 10.0.0.102" "$tmp/save" ||
	fail "save does not have epa's addresses: $(grep epa "$tmp/save")"
wait_for 10 sh -c "[ \$(grep -c '^addrs endpoint epa ' '$tmp/events') -ge 4 ]" ||
	fail "monitor: $(cat "$tmp/events")"
log "monitor: $(grep -c '^addrs ' "$tmp/events") address events"

# --- zones --------------------------------------------------------------------------
# A service with two zones: an address names one, and gets it.
must vpcectl service add zs account 333333333333 listener tcp:80:8080 \
	nlb "$NLB" zone az1 nlb 192.168.2.1 zone az2
must vpcectl service allow zs principal '*'
must vpcectl target add zs 192.168.1.10 zone az1
must vpcectl endpoint add ez vpc A service zs addr 10.0.0.150 zone az1
must vpcectl endpoint set ez addr add 10.0.0.151 zone az2
vpcectl -j endpoint show ez | jq -e '.[0].addresses | map("\(.addr) \(.zone)") == ["10.0.0.150 az1", "10.0.0.151 az2"]' >/dev/null ||
	fail "ez's addresses: $(vpcectl endpoint show ez)"
vpcectl dns show ez | grep -q '^ez-az2.zs.local.vpce.local 10.0.0.151 ' ||
	fail "no zonal name for az2: $(vpcectl dns show ez)"
answers4 10.0.0.151 || fail "no ARP answer for az2's 10.0.0.151"
log "two zones: ez has 10.0.0.151 in az2"

# --- churn: ez's kept address moves to a new block 40 times under traffic ------------
held_start vpca "$tmp/z" 10.0.0.150 80 --tag z
ns_query vpca 10.0.0.150 80 --count 300 >"$tmp/churn" 2>&1 &
qpid=$!
for i in $(seq 1 20); do
	must vpcectl endpoint set ez addr del 10.0.0.151
	must vpcectl endpoint set ez addr add 10.0.0.151 zone az2
done
alive "$tmp/z" 1
wait "$qpid" || fail "connections to ez's kept address failed during the churn: $(tail -n 3 "$tmp/churn")"
[ "$(grep -c '^srv10-4 ' "$tmp/churn")" = 300 ] || fail "not 300 answers: $(sort "$tmp/churn" | uniq -c)"
n=$(vpcectl -j stats show | jq -r '.[] | select(.object == "endpoint" and .name == "ez") | .zones[] | select(.zone == "az1") | .NewConnections')
[ "$n" = 301 ] || fail "ez's az1 NewConnections is $n, not 301 (300 and the held flow)"
log "40 address changes under 300 connections to the kept address: all answered, all counted"

# --- bad changes ----------------------------------------------------------------------
must vpcectl service add gw account 333333333333 type gateway prefix 198.51.100.0/24
must vpcectl service allow gw principal '*'
must vpcectl endpoint add gwe vpc A service gw type gateway
vpcectl save >"$tmp/before" || fail "save"
bad() {
	local want=$1 err
	shift
	err=$(vpcectl "$@" 2>&1) && fail "vpcectl $* was accepted"
	grep -q "^vpcectl: .*$want" <<<"$err" || fail "vpcectl $*: '$err', not '$want'"
	vpcectl save >"$tmp/after" || fail "save"
	cmp -s "$tmp/before" "$tmp/after" || fail "vpcectl $* changed the state: $(diff "$tmp/before" "$tmp/after")"
}
bad "endpoint has this address" endpoint set epa addr add 10.0.0.102
bad "belongs to another endpoint" endpoint set ez addr add 10.0.0.102 zone az1
bad "IPv4 address in zone az1" endpoint set ez addr add 10.0.0.152 zone az1
bad "no such zone" endpoint set ez addr add 10.0.0.152 zone az3
bad "several zones" endpoint set ez addr add fd00:a::152
bad "no IPv6 load balancer address" endpoint set ez addr add fd00:a::152 zone az1
bad "no such address" endpoint set epa addr del "$EP_ADDR"
bad "no such address" endpoint set epa addr del 10.0.0.150
bad "gateway endpoint has no addresses" endpoint set gwe addr add 10.0.0.160
bad "gateway endpoint has no addresses" endpoint set gwe addr del 10.0.0.160
bad "no such endpoint" endpoint set nosuch addr add 10.0.0.160
must vpcectl endpoint set ez addr del 10.0.0.151
vpcectl save >"$tmp/before" || fail "save"
bad "last address" endpoint set ez addr del 10.0.0.150
for d in b4 b6; do
	alive "$tmp/$d" 6
done
alive "$tmp/a6n" 4
alive "$tmp/a4n" 2
alive "$tmp/z" 2
log "bad changes refused; the live flows still carry data"
test_dmesg
exit 0
