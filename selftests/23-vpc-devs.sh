#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VPC membership that follows the VMs: `vpc set VPC dev add|del IFNAME` on a
# live VPC. Binding a device disturbs no flow and lets its VM reach the
# endpoints at once; unbinding one ends the flows that came in through it
# (the client gets a reset, counted) and nothing else. Bad changes change
# nothing. Each device joins the solicited-node groups of the VPC's IPv6
# endpoint addresses and leaves them when it or the address goes. A VPC
# takes 4,096 devices, and not one more.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd jq python3
pl_setup

# A second VM of VPC A, same subnet, on its own tap: not bound yet.
mk_ns vpca2
mk_veth va2 vpca2 eth0 10.0.0.3/24
tcp_query vpca2 "$EP_ADDR" 80 >/dev/null &&
	fail "a VM on an unbound device reached the endpoint"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 42001 --tag a
held_start vpcb "$tmp/b" "$EP_ADDR" 80 --sport 42002 --tag b

must vpcectl vpc set A dev add va2
out=$(tcp_query vpca2 "$EP_ADDR" 80) || fail "the new VM does not reach the endpoint"
log "from va2: $out"
vpcectl -j flow show endpoint epa |
	jq -e '[.[] | select(.client == "10.0.0.3")] | length > 0' >/dev/null ||
	fail "no flow from 10.0.0.3: $(vpcectl flow show endpoint epa)"
res=$(held_ping "$tmp/a" 1)
[ "$res" = "ok a 1" ] || fail "VPC A's flow on va broke when va2 joined: $res"
count=$(vpcectl -j vpc show A | jq '.[0].device_count')
devs=$(vpcectl -j vpc show A | jq -r '[.[0].devices[].name] | join(" ")')
[ "$count" = 2 ] && [ "$devs" = "va va2" ] ||
	fail "vpc show A: $count devices ($devs), not va and va2"
vpcectl save | grep -qx "vpc add A account 111111111111 dev va dev va2" ||
	fail "save does not have both devices: $(vpcectl save | grep '^vpc add A')"

# --- bad changes change nothing ----------------------------------------------
before=$(vpcectl -j vpc show)
must_fail vpcectl vpc set A dev add va
must_fail vpcectl vpc set A dev add vb
must_fail vpcectl vpc set A dev del vb
must_fail vpcectl vpc set A dev add nosuchdev
must_fail vpcectl vpc set A dev frob va2
must_fail vpcectl vpc set A
must_fail vpcectl vpc set nosuch dev del va2
ip link add dmy0 type dummy || fail "adding dmy0"
defer ip link del dmy0
must_fail vpcectl vpc set A dev add dmy0 dev add dmy0
must_fail vpcectl vpc set A dev del va2 dev del va2
# All or nothing: dmy0 would be fine, vb is not.
out=$(vpcectl vpc set A dev add dmy0 dev add vb 2>&1) && fail "adding vb to A succeeded"
log "refused: $out"
grep -q "already bound" <<<"$out" || fail "no reason given: $out"
[ "$(vpcectl -j vpc show)" = "$before" ] ||
	fail "a refused change changed something: $(vpcectl vpc show)"

# --- unbinding ends that device's flows, and only those ----------------------
held_start vpca2 "$tmp/a2" "$EP_ADDR" 80 --sport 42003 --tag a2
vpcectl flow show endpoint epa | grep -q " dev va2 " || fail "no flow through va2"
rst0=$(vpcectl -j stats show service svc | jq '.[0].RstPacketsSent')
must vpcectl vpc set A dev del va2
vpcectl flow show endpoint epa | grep -q " dev va2 " &&
	fail "flows through va2 are left: $(vpcectl flow show endpoint epa)"
res=$(held_ping "$tmp/a2" 1)
[ "${res%% *}" = ERROR ] || fail "the flow through the unbound va2 still works: $res"
# The reset came from the endpoint: the client's socket is gone, not waiting.
ip netns exec vpca2 ss -Htn "( sport = :42003 )" | grep -q ESTAB &&
	fail "the client on va2 got no reset"
rst1=$(vpcectl -j stats show service svc | jq '.[0].RstPacketsSent')
[ "$rst1" -gt "$rst0" ] || fail "no reset counted ($rst0 -> $rst1)"
for f in a:2 b:1; do
	res=$(held_ping "$tmp/${f%:*}" "${f#*:}")
	[ "$res" = "ok ${f%:*} ${f#*:}" ] || fail "flow ${f%:*} broke when va2 left: $res"
done
tcp_query vpca2 "$EP_ADDR" 80 >/dev/null &&
	fail "va2 still reaches the endpoint after it left"
log "va2 left: its flow was reset (rst_sent $rst0 -> $rst1), the others still answer"

# --- IPv6: the devices join the endpoint address's solicited-node group ------
# fd00::1:2345's group is ff02::1:ff01:2345.
group=ff02::1:ff01:2345
joined() { ip -6 maddr show dev "$1" | grep -q "$group"; }
must vpcectl service add s6 account 333333333333 listener tcp:80 nlb fd01::1
must vpcectl service allow s6 principal 111111111111
must vpcectl endpoint add ep6 vpc A service s6 addr fd00::1:2345
wait_for 10 joined va || fail "va did not join $group: $(ip -6 maddr show dev va)"
joined vb && fail "vb (VPC B) joined VPC A's group"
# An MTU below IPv6's minimum takes the device's IPv6 state, groups and all;
# back above it, the group is joined again.
ip link set va mtu 1200 && ip link set va mtu 1500 || fail "changing va's MTU"
wait_for 10 joined va || fail "va did not join $group again after its MTU came back"
must vpcectl vpc set A dev add va2
wait_for 10 joined va2 || fail "va2 did not join $group when it was bound"
must vpcectl vpc set A dev del va2
wait_for 10 sh -c "! ip -6 maddr show dev va2 | grep -q $group" ||
	fail "va2 kept $group after it left"
must vpcectl endpoint del ep6
wait_for 10 sh -c "! ip -6 maddr show dev va | grep -q $group" ||
	fail "va kept $group after the address went"
log "the solicited-node group followed the devices and the address"

# --- 4,096 devices -------------------------------------------------------------
# In a namespace of their own, which takes them all with it.
# The debug kernel makes and unmakes a device so slowly under emulation
# (lockdep, KASAN) that 4,097 of them take longer than the test may, and
# the namespace's exit holds the RTNL for minutes: there, 256 exercise the
# same code, and the limit itself is left to the ordinary kernel.
mk_ns big
n=4096
[ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ] && n=256
for i in $(seq 0 $n); do
	echo "link add d$i type dummy"
done | ip -n big -batch - || fail "creating $((n + 1)) dummy devices"
args=$(for i in $(seq 0 $((n - 1))); do printf ' dev d%d' "$i"; done)
# shellcheck disable=SC2086
must vpcectl -n big vpc add big account 111111111111 $args
count=$(vpcectl -n big -j vpc show big | jq '.[0].device_count, (.[0].devices | length)' | sort -u)
[ "$count" = $n ] || fail "vpc show big: $count devices, not $n"
if [ $n = 4096 ]; then
	out=$(vpcectl -n big vpc set big dev add d$n 2>&1) &&
		fail "a VPC took device $((n + 1))"
	log "device $((n + 1)): $out"
fi
must vpcectl -n big vpc set big dev del d0 dev add d$n
[ "$(vpcectl -n big -j vpc show big | jq '.[0].device_count')" = $n ] ||
	fail "swapping d0 for d$n changed the count"
exit 0
