#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every reply tuple vpce hands out is unique, whichever path a flow takes.
# With one target, a tenant picks its client port to match another flow's
# reply port (target:8080 <- nlb:PORT), which vpce's own table used to keep
# from the client:
#
# - VPC A's flow in vpce's own table, VPC B's with the same client port
#   but IP options on every packet (conntrack's path, NATed by the NAT
#   core);
# - a host socket on the nlb address (as vpced's health checks are), from
#   an ephemeral port and from one it bound explicitly, and VPC B's flow
#   from the same port.
#
# Each flow answers its own client, and none gets another's replies.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq ss
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
# One target: every flow meets every other at its address and port.
must vpcectl target del svc 192.168.1.11
must vpcectl target del svc 192.168.1.12

# works DIR TAG: the held connection in DIR answers, as itself.
works() {
	local pong n
	n=$(($(cat "$1/rounds" 2>/dev/null || echo 0) + 1))
	echo $n >"$1/rounds"
	pong=$(held_ping "$1" $n)
	[ "$pong" = "ok $2 $n" ] || fail "$2: expected 'ok $2 $n', got '$pong'"
}
greeted() {
	grep -q "^srv10 $NLB\$" "$1/greeting" ||
		fail "$2: greeting '$(cat "$1/greeting")', expected srv10 from $NLB"
}
nlb_port() {
	vpcectl -j flow show endpoint "$1" |
		jq -r --argjson p "$2" '[.[] | select(.client_port == $p)][0].nlb_port // empty'
}

# 1. Own table and conntrack's path, one client port.
held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 40000 --tag A
held_start vpcb "$tmp/b" "$EP_ADDR" 80 --sport 40000 --tag B --ip-options
greeted "$tmp/a" A
greeted "$tmp/b" B
pa=$(nlb_port epa 40000)
[ -n "$pa" ] || fail "A's flow is not in vpce's table"
[ -z "$(nlb_port epb 40000)" ] || fail "B's flow with IP options is in vpce's table"
pb=$(conntrack -L -p tcp --orig-port-src 40000 --reply-src 192.168.1.10 2>/dev/null |
	sed -n 's/.*dst=192.168.1.1 sport=8080 dport=\([0-9]*\).*/\1/p' | head -n 1)
log "A: own table, nlb port $pa; B: conntrack, nlb port ${pb:-?}"
[ -n "$pb" ] || fail "B's flow is not in conntrack's table"
[ "$pa" != "$pb" ] || fail "both flows have reply port $pa"
for i in 1 2; do
	works "$tmp/a" A
	works "$tmp/b" B
done

# 2. A host socket on the nlb address, and a tenant that takes its port.
hosted() {
	mkdir -p "$1"
	python3 "$SELFTESTS/held.py" --dir "$1" --bind "$NLB" --sport "$2" \
		--tag "$3" 192.168.1.10 8080 </dev/null &
	defer touch "$1/stop"
	wait_for 10 test -s "$1/greeting" || fail "host socket $3: no greeting"
}
hosted "$tmp/h1" 0 H1
hp=$(ss -Htn state established src "$NLB" dst 192.168.1.10:8080 |
	awk '{ split($3, a, ":"); print a[2] }' | head -n 1)
[ -n "$hp" ] || fail "no host socket from $NLB"
hosted "$tmp/h2" 20000 H2
for sp in "$hp" 20000; do
	held_start vpcb "$tmp/b$sp" "$EP_ADDR" 80 --sport "$sp" --tag "B$sp"
	greeted "$tmp/b$sp" "B$sp"
	p=$(nlb_port epb "$sp")
	log "host socket from $NLB:$sp; B's flow from client port $sp: nlb port $p"
	[ -n "$p" ] && [ "$p" != "$sp" ] || fail "B's flow took the host socket's port $sp"
done
for i in 1 2; do
	works "$tmp/h1" H1
	works "$tmp/h2" H2
	works "$tmp/b$hp" "B$hp"
	works "$tmp/b20000" B20000
	works "$tmp/a" A
done
exit 0
