#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A full flow table, in both ways vpce tracks flows.  Established flows
# through the endpoint fill the table (nf_conntrack_max lowered to their
# number), then new flows must be dropped and counted while the established
# ones keep working and the kernel stays well; once the limit is raised, new
# flows go through again.
# - conntrack=1: conntrack's table (established TCP flows are "assured" and
#   cannot be early-dropped); the drops are conntrack's ("conntrack -S").
# - conntrack=0 (the default): vpce's own table, which holds at most
#   nf_conntrack_max flows per namespace; the drops are the endpoints'
#   (drop-full).
#
# timeout: 400

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3 jq
HOLD=24


ct_drops() {
	conntrack -S 2>/dev/null | grep -o ' drop=[0-9]*' | cut -d= -f2 |
		awk '{ s += $1 } END { print s + 0 }'
}
full_drops() { echo $(($(ep_stat epa drop-full) + $(ep_stat epb drop-full))); }

pl_topology
for ct in 1 0; do
	load_vpce conntrack=$ct
	if [ -z "${max:-}" ]; then	# conntrack is loaded with vpce
		max=$(sysctl -n net.netfilter.nf_conntrack_max) || fail "reading nf_conntrack_max"
		defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
	fi
	pl_config
	tmp=$(mktemp -d)
	defer rm -rf "$tmp"

	# Two flows we can ping, and HOLD-2 more held by one process.
	held_start vpca "$tmp/h1" "$EP_ADDR" 80 --tag h1
	held_start vpcb "$tmp/h2" "$EP_ADDR" 80 --tag h2
	ip netns exec vpca python3 - "$EP_ADDR" $((HOLD - 2)) "$tmp/bulk" <<'PY' &
import os, socket, sys, time
addr, n, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = []
for _ in range(n):
    s = socket.create_connection((addr, 80), timeout=5)
    s.recv(100)
    socks.append(s)
open(ready, "w").close()
while True:
    time.sleep(60)
PY
	bulk=$!
	defer kill $bulk
	wait_for 60 test -e "$tmp/bulk" || fail "could not establish $HOLD flows"

	if [ $ct = 1 ]; then
		count=$(conntrack -C)
		drops=ct_drops
	else
		count=$(vpcectl -j flow show | jq length)
		[ "$count" -ge $HOLD ] || fail "flow show lists $count flows, fewer than $HOLD"
		drops=full_drops
	fi
	log "conntrack=$ct: $count flows; nf_conntrack_max $max -> $count"
	sysctl -qw "net.netfilter.nf_conntrack_max=$count" || fail "setting nf_conntrack_max"
	d0=$($drops)

	# New flows: TCP and UDP from both VPCs; none may get through.
	for ns in vpca vpcb; do
		out=$(tcp_query "$ns" "$EP_ADDR" 80) && fail "a new TCP flow from $ns got through a full table: $out"
		out=$(udp_query "$ns" "$EP_ADDR" 53) && fail "a new UDP flow from $ns got through a full table: $out"
	done
	d1=$($drops)
	log "conntrack=$ct: drops $d0 -> $d1"
	[ "$d1" -gt "$d0" ] || fail "conntrack=$ct: the refused flows were not counted as drops"
	test_dmesg | grep -E 'nf_conntrack: table full|vpce: flow table full' | tail -n 1

	# The established ones still work, through the full table.
	for i in 1 2; do
		res=$(held_ping "$tmp/h$i" 1)
		[ "$res" = "ok h$i 1" ] || fail "established flow h$i broke with the table full: $res"
	done
	vpcectl -j endpoint show >/dev/null || fail "vpcectl does not work with the table full"

	sysctl -qw "net.netfilter.nf_conntrack_max=$max"
	out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no new flow after the table has room again"
	log "conntrack=$ct: after raising the limit: $out"

	kill $bulk
	touch "$tmp/h1/stop" "$tmp/h2/stop"
done
exit 0
