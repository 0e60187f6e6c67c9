#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# service set SVC listener add|del on a live service. An added listener
# takes new flows at once; a deleted one refuses new flows and its live
# flows end with a reset to the client (counted in RstPacketsSent), both
# those of vpce's own table and those conntrack carries (IPv4 options); the
# service's flows on other listeners, and those of other endpoints, carry
# data across every change. save reproduces the listeners. Bad changes
# (a listener that exists, one too many, one that does not exist, the last
# one, a gateway service) are refused with a reason and change nothing.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat jq python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"

# svcstat KEY : a counter of service svc (vpcectl -j stats show).
svcstat() {
	vpcectl -j stats show |
		jq -r ".[] | select(.object == \"service\" and .service == \"svc\") | .$1"
}
# alive DIR N : the held connection DIR still carries data (round N).
alive() {
	local res
	res=$(held_ping "$1" "$2")
	[ "$res" = "ok $(basename "$1") $2" ] || fail "flow $1 broke (round $2): $res"
}
# reset DIR N : the held connection DIR was reset.
was_reset() {
	local res
	res=$(held_ping "$1" "$2")
	grep -qi "reset" <<<"$res" || fail "flow $1 was not reset (round $2): $res"
}
listeners() {
	vpcectl -j service show svc | jq -c '[.[0].listeners[] | "\(.protocol):\(.port):\(.target_port)"]'
}

# Flows that no change concerns: port 80 from both VPCs, one through
# conntrack (IP options) as well.
held_start vpca "$tmp/keep-a" "$EP_ADDR" 80 --tag keep-a
held_start vpcb "$tmp/keep-b" "$EP_ADDR" 80 --tag keep-b
held_start vpca "$tmp/keep-ct" "$EP_ADDR" 80 --tag keep-ct --ip-options
round=1
keep_alive() {
	local d
	for d in keep-a keep-b keep-ct; do
		alive "$tmp/$d" "$round"
	done
	round=$((round + 1))
}
keep_alive

# --- add -------------------------------------------------------------------
tcp_query vpca "$EP_ADDR" 81 >/dev/null && fail "port 81 answers before it has a listener"
must vpcectl service set svc listener add tcp:81:8080
[ "$(listeners)" = '["tcp:80:8080","udp:53:5353","tcp:81:8080"]' ] ||
	fail "listeners after add: $(listeners)"
out=$(tcp_query vpca "$EP_ADDR" 81) || fail "no answer on the added listener"
grep -Eq "^srv1[012] $NLB\$" <<<"$out" || fail "port 81 answered '$out'"
keep_alive
log "listener tcp:81 added: $out; the port 80 flows go on"

# --- del -------------------------------------------------------------------
# Flows on the listener to go: own table and conntrack.
held_start vpca "$tmp/go-a" "$EP_ADDR" 81 --tag go-a
held_start vpcb "$tmp/go-b" "$EP_ADDR" 81 --tag go-b
held_start vpca "$tmp/go-ct" "$EP_ADDR" 81 --tag go-ct --ip-options
for d in go-a go-b go-ct; do
	alive "$tmp/$d" 1
done
rst0=$(svcstat RstPacketsSent)
nol0=$(ep_stat epa drop-no-listener)
must vpcectl service set svc listener del tcp:81
[ "$(listeners)" = '["tcp:80:8080","udp:53:5353"]' ] || fail "listeners after del: $(listeners)"
vpcectl flow show | grep -q ":81 " && fail "flows to port 81 are left: $(vpcectl flow show)"
for d in go-a go-b go-ct; do
	was_reset "$tmp/$d" 2
done
rst1=$(svcstat RstPacketsSent)
[ "$rst1" -eq $((rst0 + 3)) ] || fail "RstPacketsSent went from $rst0 to $rst1, not by 3"
keep_alive
tcp_query vpca "$EP_ADDR" 81 >/dev/null && fail "port 81 still answers"
nol1=$(ep_stat epa drop-no-listener)
[ "$nol1" -gt "$nol0" ] || fail "a refused flow to port 81 is not counted ($nol0 -> $nol1)"
log "listener tcp:81 deleted: 3 flows reset (RstPacketsSent $rst0 -> $rst1), new ones refused"

# UDP listener: deleted and added back; UDP answers before and after.
udp_query vpca "$EP_ADDR" 53 u1 | grep -q "^srv" || fail "UDP before"
must vpcectl service set svc listener del udp:53
udp_query vpca "$EP_ADDR" 53 u2 >/dev/null && fail "UDP answered without its listener"
must vpcectl service set svc listener add udp:53:5353
udp_query vpca "$EP_ADDR" 53 u3 | grep -q "^srv" || fail "UDP after it came back"
keep_alive

# --- save --------------------------------------------------------------------
must vpcectl service set svc listener add tcp:8443:8080
vpcectl save >"$tmp/save" || fail "save"
grep "^service add svc " "$tmp/save" >"$tmp/svcline" || fail "no svc in save: $(cat "$tmp/save")"
for l in tcp:80:8080 udp:53:5353 tcp:8443:8080; do
	grep -q "listener $l\b" "$tmp/svcline" || fail "save lacks listener $l: $(cat "$tmp/svcline")"
done
grep -q "listener tcp:81" "$tmp/svcline" && fail "save has the deleted listener: $(cat "$tmp/svcline")"
log "save: $(cat "$tmp/svcline")"

# --- bad changes -----------------------------------------------------------------
must vpcectl service add gw account 333333333333 type gateway prefix 198.51.100.0/24
vpcectl save >"$tmp/before" || fail "save"
# bad WANT-IN-ERROR ARGS... : refused, with a reason, nothing changed.
bad() {
	local want=$1 err
	shift
	err=$(vpcectl "$@" 2>&1) && fail "vpcectl $* was accepted"
	grep -q "^vpcectl: .*$want" <<<"$err" || fail "vpcectl $*: '$err', not '$want'"
	vpcectl save >"$tmp/after" || fail "save"
	cmp -s "$tmp/before" "$tmp/after" || fail "vpcectl $* changed the state: $(diff "$tmp/before" "$tmp/after")"
}
bad "has a listener on this protocol and port" service set svc listener add tcp:80:9999
bad "no listener on this protocol and port" service set svc listener del tcp:81
bad "no listener on this protocol and port" service set svc listener del udp:80
bad "gateway service has no listeners" service set gw listener add tcp:80
bad "gateway service has no listeners" service set gw listener del tcp:80
bad "no such service" service set nosuch listener add tcp:80
bad "needs add or del" service set svc listener swap tcp:80
bad "not tcp or udp" service set svc listener add sctp:80
bad "takes PROTO:PORT" service set svc listener del tcp:80:8080
bad "comes alone" service set svc cross-zone on listener add tcp:82
# The last listener stays.
must vpcectl service set svc listener del tcp:8443
must vpcectl service set svc listener del udp:53
vpcectl save >"$tmp/before" || fail "save"
bad "last listener" service set svc listener del tcp:80
# At most 50: 49 more fit, the 51st does not.
for p in $(seq 1001 1049); do
	must vpcectl service set svc listener add "tcp:$p:8080"
done
[ "$(vpcectl -j service show svc | jq '.[0].listeners | length')" = 50 ] || fail "not 50 listeners"
vpcectl save >"$tmp/before" || fail "save"
bad "at most 50 listeners" service set svc listener add tcp:2000
keep_alive
# A listener added by the loop answers as well.
out=$(tcp_query vpca "$EP_ADDR" 1049) || fail "no answer on tcp:1049"
log "bad changes refused; 50 listeners; the held flows still carry data"
test_dmesg
exit 0
