#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VPCs bound to VRFs (`vpc add VPC account ACCOUNT vrf VRFDEV`), with routed
# tenant subnets. Each tenant has a router on the host's VRF device and a
# client subnet behind it, reached by a route in the VRF's own table; the
# endpoint address is on no link, the router routes it to the host. Two
# tenants in two VRFs use the same addresses everywhere and stay apart. A
# device enslaved to the VRF later joins the VPC; a released one leaves it,
# its flows ended. Flows on vpce's own table and on conntrack's path (IP
# options) both get their replies back through the router. A service with
# the PROXY protocol on gives its targets the routed client's own address
# and its endpoint's ID in the header, on both flow paths.
#
#   client (10.1.0.2) -- router (10.1.0.1 | 10.0.0.1) -- host rt-X (10.0.0.254,
#   in VRF vrf-X, table T) ; endpoint 172.16.0.100 routed by the router to
#   10.0.0.254 ; the VRF's table: 10.1.0.0/24 via 10.0.0.1

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq
load_vpce
ip link add vrf-probe type vrf table 99 2>/dev/null || skip "no VRF support"
ip link del vrf-probe

mk_ns prov
mk_veth vprov prov eth0 - "$NLB/24"
for t in $TARGETS; do
	ip -n prov addr add "192.168.1.$t/24" dev eth0 || fail "adding 192.168.1.$t"
	pl_server prov "192.168.1.$t" 8080 "srv$t" tcp --hold
done

EP=172.16.0.100
# tenant NAME TABLE ACCOUNT
tenant() {
	local x=$1 table=$2
	ip link add "vrf-$x" type vrf table "$table" || fail "adding vrf-$x"
	defer ip link del "vrf-$x"
	ip link set "vrf-$x" up
	mk_ns "rtr-$x"
	mk_ns "cl-$x"
	mk_veth "rt-$x" "rtr-$x" eth0 10.0.0.1/24
	ip link set "rt-$x" master "vrf-$x" || fail "enslaving rt-$x"
	ip addr add 10.0.0.254/24 dev "rt-$x"
	ip -n "rtr-$x" route add default via 10.0.0.254
	ip -n "cl-$x" link add eth0 type veth peer name lan netns "rtr-$x"
	ip -n "cl-$x" link set eth0 up
	ip -n "rtr-$x" link set dev lan up
	ip -n "cl-$x" addr add 10.1.0.2/24 dev eth0
	ip -n "rtr-$x" addr add 10.1.0.1/24 dev lan
	ip -n "cl-$x" route add default via 10.1.0.1
	ip route add vrf "vrf-$x" 10.1.0.0/24 via 10.0.0.1 || fail "route in vrf-$x"
	must vpcectl vpc add "$x" account "$3" vrf "vrf-$x"
}
tenant red 10 111111111111
tenant blue 20 222222222222

must vpcectl service add svc account 333333333333 listener tcp:80:8080 nlb "$NLB"
must vpcectl service allow svc principal 111111111111
must vpcectl service allow svc principal 222222222222
for t in $TARGETS; do
	must vpcectl target add svc "192.168.1.$t"
done
must vpcectl endpoint add ep-red vpc red service svc addr "$EP"
must vpcectl endpoint add ep-blue vpc blue service svc addr "$EP"

vpcectl vpc show red | grep -q "vrf vrf-red.* dev rt-red" ||
	fail "vpc show red does not say vrf vrf-red and dev rt-red: $(vpcectl vpc show red)"
[ "$(vpcectl -j vpc show red | jq -r '.[0].vrf.name')" = vrf-red ] ||
	fail "no vrf in vpc show -j: $(vpcectl -j vpc show red)"
vpcectl save | grep -qx "vpc add red account 111111111111 vrf vrf-red" ||
	fail "save: $(vpcectl save | grep '^vpc add')"

# Both routed clients, same addresses, each through its own VRF.
for x in red blue; do
	out=$(tcp_query "cl-$x" "$EP" 80) || fail "no answer for the client behind $x's router"
	log "$x: $out"
	vpcectl -j flow show endpoint "ep-$x" |
		jq -e '[.[] | select(.client == "10.1.0.2")] | length > 0' >/dev/null ||
		fail "no flow from 10.1.0.2 on ep-$x: $(vpcectl flow show endpoint "ep-$x")"
done
# ... and on conntrack's path, whose replies the VRF's table routes.
tmp=$(mktemp -d)
defer rm -rf "$tmp"
for x in red blue; do
	held_start "cl-$x" "$tmp/$x" "$EP" 80 --tag "$x" --ip-options
	res=$(held_ping "$tmp/$x" 1)
	[ "$res" = "ok $x 1" ] || fail "$x, IP options (conntrack's path): $res"
done
# Two conntrack entries, one per VRF's zone, for the same addresses.
zones=$(conntrack -L -p tcp --orig-src 10.1.0.2 --orig-dst "$EP" 2>/dev/null |
	grep ESTABLISHED | grep -o 'zone-orig=[0-9]*' | sort -u | wc -l)
[ "$zones" = 2 ] || fail "conntrack-path flows in $zones zones, not 2: $(conntrack -L 2>/dev/null | grep 10.1.0.2)"
held_start cl-red "$tmp/own" "$EP" 80 --tag own --sport 43001
vpcectl flow show endpoint ep-red | grep -q "10.1.0.2:43001 .* dev rt-red" ||
	fail "no own-table flow on rt-red: $(vpcectl flow show endpoint ep-red)"

# Bad: a device of a VRF's VPC is the VRF's to give; a VRF taken; not a VRF.
must_fail vpcectl vpc set red dev add vprov
must_fail vpcectl vpc add red2 account 111111111111 vrf vrf-red
must_fail vpcectl vpc add red2 account 111111111111 vrf vprov
must_fail vpcectl vpc add red2 account 111111111111 vrf vrf-red dev vprov

# A device enslaved later joins; enslaving a device bound elsewhere is refused.
mk_ns late
mk_veth lt-red late eth0 10.0.0.7/24
ip -n late route add default via 10.0.0.254
tcp_query late "$EP" 80 >/dev/null && fail "a device outside the VRF reached ep-red"
ip link set lt-red master vrf-red || fail "enslaving lt-red"
wait_for 5 sh -c "vpcectl vpc show red | grep -qw lt-red" ||
	fail "lt-red did not join VPC red: $(vpcectl vpc show red)"
out=$(tcp_query late "$EP" 80) || fail "the device enslaved later does not reach ep-red"
log "late: $out"
ip link add bnd type dummy && defer ip link del bnd
must vpcectl vpc add other account 444444444444 dev bnd
out=$(ip link set bnd master vrf-blue 2>&1) && fail "a device of VPC other was enslaved to vrf-blue"
log "refused: $out"
vpcectl vpc show blue | grep -qw bnd && fail "bnd joined blue"

# A released device leaves, its flows with it; the rest go on.
held_start late "$tmp/late" "$EP" 80 --tag late
ip link set lt-red nomaster || fail "releasing lt-red"
vpcectl vpc show red | grep -qw lt-red && fail "lt-red is still in VPC red"
no_late() { ! vpcectl flow show endpoint ep-red | grep -q 10.0.0.7; }
wait_for 10 no_late || fail "lt-red's flows are left: $(vpcectl flow show endpoint ep-red)"
res=$(held_ping "$tmp/own" 1)
[ "$res" = "ok own 1" ] || fail "red's flow broke when lt-red left: $res"
for x in red blue; do
	res=$(held_ping "$tmp/$x" 2)
	[ "$res" = "ok $x 2" ] || fail "$x's conntrack-path flow broke: $res"
done
log "lt-red joined and left VPC red with the VRF"

# PROXY protocol through a VRF: the header carries the routed client's own
# address (behind the tenant's router) and its endpoint's ID, on vpce's own
# table and on conntrack's path (the module again with conntrack=1).
ip netns exec prov python3 "$SELFTESTS/pp2.py" parse 8082 --log "$tmp/pp.log" </dev/null &
defer kill $!
wait_for 30 ns_listening prov 8082 || fail "no PROXY protocol target"
must vpcectl service set svc listener add tcp:82:8082
must vpcectl service set svc proxy-protocol on
vpcectl save >"$tmp/save" || fail "save"
# pp_check PASS : from each tenant's client, 3 connections, each with a
# header from 10.1.0.2 and its own port, and its endpoint's ID.
pp_check() {
	local x base id out
	for x in red blue; do
		base=$((42000 + $1 * 100))
		[ "$x" = blue ] && base=$((base + 10))
		id=$(vpcectl -j endpoint show "ep-$x" | jq -r '.[0].id')
		out=$(ip netns exec "cl-$x" python3 "$SELFTESTS/pp2.py" client "$EP" 82 \
			--count 3 --max-size 64K --sport-base "$base" 2>&1) ||
			fail "PROXY protocol from $x (pass $1): $out"
		# shellcheck disable=SC2016 # jq's variables
		jq -se --argjson b "$base" --arg id "$id" \
			'[.[] | select(.event == "header" and .sport >= $b and .sport < $b + 3 and
			   .src == "10.1.0.2" and .dst == "172.16.0.100" and .dport == 82 and
			   .endpoint_id == $id)] | length == 3' "$tmp/pp.log" >/dev/null ||
			fail "PROXY protocol from $x (pass $1): headers $(jq -c 'select(.event == "header")' "$tmp/pp.log" | tail -n 6)"
	done
}
pp_check 1
load_vpce conntrack=1
must vpcectl restore "$tmp/save"
pp_check 2
log "PROXY protocol: routed clients' own addresses and their endpoints' IDs, both flow paths"
exit 0
