#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpce's own connection table (modprobe vpce conntrack=0): IPv4 TCP and UDP
# flows to interface endpoints are tracked and translated by vpce, not by
# conntrack. What a user sees must not change: targets see the nlb
# address, two VPCs with one CIDR and one client address:port are two
# flows, flows spread over the targets and are counted, removing a target
# or an endpoint ends its flows at once with a reset and leaves the others
# alone, a port without a listener is refused at once, a VPC device that
# goes takes its flows along, targets may sit behind a VPC's device, and
# vpce unloads with flows live. And
# conntrack holds none of these flows; "vpcectl flow show" lists them (each
# once, in a dump of many messages too) and "flow flush" forgets them. (The counters' exact figures are 63-stats', which
# passes with conntrack=0 too.)

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat conntrack python3 jq nstat nft

# With conntrack=1 the flows are conntrack's, and flow show says so.
load_vpce conntrack=1
err=$(vpcectl flow show 2>&1) && fail "flow show succeeded with conntrack=1"
grep -q "conntrack -L" <<<"$err" || fail "flow show with conntrack=1: $err"
load_vpce conntrack=0
[ "$(cat /sys/module/vpce/parameters/conntrack)" = N ] ||
	fail "the conntrack parameter reads $(cat /sys/module/vpce/parameters/conntrack)"
pl_topology
pl_config
# What earlier tests left in conntrack's table (a host socket's flows from
# the nlb address in TIME_WAIT, 19-reply-ports') is not this test's.
conntrack -F 2>/dev/null

tmp=$(mktemp -d)
defer rm -rf "$tmp"

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer through the endpoint"
case $out in
"srv1"[012]" $NLB") ;;
*) fail "expected 'srvNN $NLB' (a target, seeing the nlb address), got '$out'" ;;
esac
pl_spread vpca 30
[ "$(ep_stat epa new-connections)" -eq 31 ] ||
	fail "epa counts $(ep_stat epa new-connections) new connections, expected 31"
out=$(udp_query vpcb "$EP_ADDR" 53) || fail "no UDP answer through the endpoint"
[[ $out == "srv1"[012]" $NLB "* ]] || fail "UDP: got '$out'"

# The same client address and port in both VPCs at once: two flows, each
# answered, and the targets tell them apart by the nlb port.
held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 41000 --tag a
held_start vpcb "$tmp/b" "$EP_ADDR" 80 --sport 41000 --tag b
# ping DIR : the next round on held connection DIR; the result ("ok TAG N"
# or "ERROR ...") in $res.
declare -A round
ping() {
	round[$1]=$((${round[$1]:-0} + 1))
	res=$(held_ping "$tmp/$1" "${round[$1]}")
}
ping a
[ "$res" = "ok a 1" ] || fail "VPC A's flow from :41000 broke: $res"
ping b
[ "$res" = "ok b 1" ] || fail "VPC B's flow from :41000 broke: $res"
log "VPC A and VPC B, both 10.0.0.2:41000: $(cat "$tmp/a/greeting") / $(cat "$tmp/b/greeting")"

ct=$(conntrack -L -p tcp 2>/dev/null; conntrack -L -p udp 2>/dev/null)
grep -E "dst=$EP_ADDR |src=$NLB " <<<"$ct" &&
	fail "conntrack tracks endpoint flows with conntrack=0"
log "conntrack holds none of the endpoint's flows"

# "vpcectl flow show" lists them: the flow from :41000 of each VPC, to a
# target's port 8080 from the nlb address, established, on its device.
held41000() {
	vpcectl -j flow show endpoint "$1" | jq --arg nlb "$NLB" --arg ep "$EP_ADDR" \
		'[.[] | select(.protocol == "tcp" and .client == "10.0.0.2" and
			.client_port == 41000 and .addr == $ep and .port == 80 and
			.nlb == $nlb and .target_port == 8080 and
			.state == "established" and .expires > 300)] | length'
}
[ "$(held41000 epa)" -eq 1 ] || fail "flow show endpoint epa: $(vpcectl flow show endpoint epa)"
[ "$(held41000 epb)" -eq 1 ] || fail "flow show endpoint epb: $(vpcectl flow show endpoint epb)"
vpcectl flow show endpoint epa | grep -q "^tcp 10.0.0.2:41000 -> $EP_ADDR:80 endpoint epa endpoint-id vpce-[0-9a-f]\{17\} vpc A service svc dev va target 192.168.1.1[012]:8080 from $NLB:[0-9]* state established expires [0-9]*$" ||
	fail "flow show's text: $(vpcectl flow show endpoint epa)"
# The 31 closed TCP flows above are listed for 10 s (fewer on a slow
# kernel); the two held flows and the UDP flow for longer.
n=$(vpcectl -j flow show | jq 'length')
[ "$n" -ge 3 ] || fail "flow show lists $n flows, expected at least 3"
vpcectl -j flow show | jq -e 'all(.state | IN("closed", "fin-wait", "close-wait", "established", "replied"))' >/dev/null ||
	fail "flows in unexpected states: $(vpcectl flow show)"
vpcectl -j flow show | jq -e '[.[] | select(.protocol == "udp" and .state == "replied")] | length == 1' >/dev/null ||
	fail "the UDP flow is not listed as replied: $(vpcectl flow show service svc)"
err=$(vpcectl flow show endpoint nosuch 2>&1) && fail "flow show of an unknown endpoint succeeded"
grep -q "no such endpoint" <<<"$err" || fail "flow show endpoint nosuch: $err"
log "flow show: $n flows, each VPC's :41000 flow established"

# A dump of many messages lists each flow once: 3,000 UDP flows held still
# (unanswered: the service's target port is dropped on the way, and UDP
# flows last 120 s) are some 600 kB of replies, dozens of netlink messages,
# each ending mid-way through the table. Each flow is listed exactly once,
# as many as the table's own count of them (stats' ActiveConnections,
# another walk).
NMANY=3000
must vpcectl service add many account 333333333333 listener udp:55:5355 nlb "$NLB"
must vpcectl service allow many principal 111111111111
must vpcectl target add many 192.168.1.10
must vpcectl endpoint add epmany vpc A service many addr 10.0.0.104
nft -f - <<EOF || fail "nft"
table ip vpce_many {
	chain drop_many {
		type filter hook forward priority 0;
		ip daddr 192.168.1.10 udp dport 5355 drop
	}
}
EOF
defer nft delete table ip vpce_many
ip netns exec vpca python3 -c '
import socket, sys
for port in range(20000, 20000 + int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.0.0.2", port))
    s.sendto(b"x", ("10.0.0.104", 55))
    s.close()' "$NMANY" || fail "the UDP sender failed"
many_active() { vpcectl -j stats show endpoint epmany | jq '.[0].ActiveConnections'; }
wait_for 30 test "$(many_active)" -eq "$NMANY" ||
	fail "epmany has $(many_active) active flows, expected $NMANY"
vpcectl -j flow show endpoint epmany >"$tmp/many" || fail "flow show endpoint epmany"
listed=$(jq 'length' "$tmp/many")
once=$(jq --argjson n "$NMANY" '[.[] | select(.protocol == "udp" and
		.client == "10.0.0.2" and .port == 55 and .client_port >= 20000 and
		.client_port < 20000 + $n) | .client_port] | unique | length' "$tmp/many")
[ "$listed" -eq "$NMANY" ] && [ "$once" -eq "$NMANY" ] ||
	fail "flow show lists $listed flows of epmany, $once of the $NMANY source ports once ($(many_active) active)"
log "flow show: $NMANY flows in many messages, each listed once"
must vpcectl endpoint del epmany

# ICMP errors about a flow's packets are translated, as the NAT core would:
# a target's "port unreachable" reaches the client as from the endpoint
# address (service "dead": nothing listens on its target port), and a
# client's about a reply reaches the target as from the nlb address.
must vpcectl service add dead account 333333333333 listener udp:54:5399 nlb "$NLB"
must vpcectl service allow dead principal 111111111111
must vpcectl target add dead 192.168.1.10
must vpcectl endpoint add epd vpc A service dead addr 10.0.0.102
err=$(ip netns exec vpca python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("10.0.0.102", 54))
s.send(b"anyone?\n")
try:
    s.recv(100)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")') || fail "UDP client failed"
[ "$err" = refused ] || fail "UDP to a target port nobody serves: $err, not refused"
unreach() {
	ip netns exec prov nstat -az IcmpInDestUnreachs | awk '/IcmpInDestUnreachs/ { print $2 }'
}
before=$(unreach)
ip netns exec vpca python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"gone\n", ("10.0.0.100", 53))
s.close()' || fail "UDP client failed"
wait_for 5 test "$(unreach)" -gt "$before" ||
	fail "the client's port unreachable never reached the target"
log "ICMP errors translated both ways"

# No listener on port 81: the conntrack path refuses it, at once.
err=$(ip netns exec vpca socat -T 5 - "TCP:$EP_ADDR:81,connect-timeout=5" </dev/null 2>&1) &&
	fail "connection to port 81 succeeded"
grep -q "Connection refused" <<<"$err" || fail "port 81: expected 'Connection refused', got '$err'"

# Held flows from both VPCs, spread over the targets.
pl_held_both "$tmp" 12 42000
to10=$(grep -l "^srv10 " "$tmp"/*/greeting | wc -l)
[ "$to10" -ge 1 ] && [ "$to10" -le 11 ] ||
	fail "need flows both to and not to 192.168.1.10 (got $to10 of 14 to it)"
# Active: VPC A's 7 held flows and the UDP flow to 10.0.0.100:53 above
# (UDP's stays active for its idle time, 120 s, which the debug kernel may
# take to get here: then it is gone from flow show too).
udp=$(vpcectl -j flow show endpoint epa | jq '[.[] | select(.protocol == "udp")] | length')
[ "$udp" -le 1 ] || fail "epa has $udp UDP flows, expected at most 1"
[ "$udp" -eq 1 ] || [ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ] ||
	fail "epa's UDP flow is gone before its idle time"
active=$(vpcectl -j stats show endpoint epa | jq '.[0].ActiveConnections')
[ "$active" -eq $((7 + udp)) ] ||
	fail "epa has $active active connections, expected $((7 + udp))"

# Removing a target ends its flows at once (the client's next send fails:
# vpce sent it a reset), and only those.
rst0=$(vpcectl -j stats show service svc | jq '.[0].RstPacketsSent')
must vpcectl target del svc 192.168.1.10
for d in a b $(seq 1 12); do
	ping "$d"
	if grep -q "^srv10 " "$tmp/$d/greeting"; then
		[ "${res%% *}" = ERROR ] || fail "flow $d to the removed target still works: $res"
	else
		[[ $res == "ok "* ]] || fail "flow $d to another target broke: $res"
	fi
done
rst1=$(vpcectl -j stats show service svc | jq '.[0].RstPacketsSent')
[ "$rst1" -gt "$rst0" ] || fail "no reset counted for the removed target's flows"
spread=$(ns_query vpca "$EP_ADDR" 80 --count 20) || fail "new flows failed: $spread"
grep -q "^srv10 " <<<"$spread" && fail "a new flow went to the removed target"
log "target removed: its flows reset ($((rst1 - rst0)) resets), the others answer"

# Deleting VPC A's endpoint ends VPC A's flows, not VPC B's.
must vpcectl endpoint del epa
for d in a b $(seq 1 12); do
	grep -q "^srv10 " "$tmp/$d/greeting" && continue
	ping "$d"
	if [ "$d" = a ] || { [ "$d" != b ] && [ $((d % 2)) -eq 1 ]; }; then
		[ "${res%% *}" = ERROR ] || fail "VPC A's flow $d outlived its endpoint: $res"
	else
		[[ $res == "ok "* ]] || fail "VPC B's flow $d broke: $res"
	fi
done
log "endpoint epa deleted: VPC A's flows ended, VPC B's still answer"

# VPC B's device goes away: its flows end with it (no one to tell).
active_b() { vpcectl -j stats show endpoint epb | jq '.[0].ActiveConnections'; }
[ "$(active_b)" -gt 0 ] || fail "epb has no active connections before its device goes"
ip link del vb || fail "deleting vb"
wait_for 10 test "$(active_b)" -eq 0 ||
	fail "epb still has $(active_b) active connections after its device went"
log "VPC B's device deleted: its flows are gone"

must vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR"

# Targets behind a VPC's device (the provider's own VPC): their replies are
# found too. TCP, UDP, and a target's port unreachable.
must vpcectl vpc add P account 333333333333 dev vprov
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer from targets behind a VPC's device"
[[ $out == "srv1"[12]" $NLB" ]] || fail "targets behind a VPC's device: $out"
out=$(udp_query vpca "$EP_ADDR" 53) || fail "no UDP answer from targets behind a VPC's device"
err=$(printf 'x\n' | ip netns exec vpca socat -T 5 - "UDP:10.0.0.102:54" 2>&1) &&
	fail "UDP to a target port nobody serves was answered: $err"
grep -q "Connection refused" <<<"$err" || fail "port unreachable from behind a VPC's device: $err"
log "targets behind VPC P's device: $out"

# "flow flush" forgets flows without a reset, as "conntrack -D": the next
# packet of the flow finds none and is refused (the stale reset).
held_start vpca "$tmp/flushed" "$EP_ADDR" 80 --tag flushed
ping flushed
[ "$res" = "ok flushed 1" ] || fail "a new flow from VPC A: $res"
est() { vpcectl -j flow show endpoint epa | jq '[.[] | select(.state == "established")] | length'; }
[ "$(est)" -eq 1 ] || fail "flow show endpoint epa: $(vpcectl flow show endpoint epa)"
stale0=$(ep_stat epa reset-stale)
must vpcectl flow flush endpoint epa
[ "$(vpcectl -j flow show endpoint epa | jq length)" -eq 0 ] ||
	fail "flows left after flow flush: $(vpcectl flow show endpoint epa)"
ping flushed
[ "${res%% *}" = ERROR ] || fail "a flushed flow still works: $res"
[ "$(ep_stat epa reset-stale)" -gt "$stale0" ] || fail "the flushed flow's next packet was not counted as stale"
log "flow flush: the flow is forgotten, its next packet refused"

# Unloading with live flows frees them (a fresh one from VPC A); the run
# checks the kernel log.
held_start vpca "$tmp/last" "$EP_ADDR" 80 --tag last
rmmod vpce || fail "rmmod vpce with live flows"
exit 0
