#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A full conntrack table.  Established flows through the endpoint fill the
# table (nf_conntrack_max lowered to their number; established TCP flows are
# "assured" and cannot be early-dropped), then new flows must be dropped -
# and counted in conntrack's drop statistics - while the established ones
# keep working and the kernel stays well; once the limit is raised, new flows
# go through again.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3
HOLD=24

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
max=$(sysctl -n net.netfilter.nf_conntrack_max)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"

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

drops() {
	conntrack -S 2>/dev/null | grep -o ' drop=[0-9]*' | cut -d= -f2 |
		awk '{ s += $1 } END { print s + 0 }'
}

count=$(conntrack -C)
log "$count conntrack entries; nf_conntrack_max $max -> $count"
sysctl -qw "net.netfilter.nf_conntrack_max=$count" || fail "setting nf_conntrack_max"
d0=$(drops)

# New flows: TCP and UDP from both VPCs; none may get through.
for ns in vpca vpcb; do
	out=$(tcp_query "$ns" "$EP_ADDR" 80) && fail "a new TCP flow from $ns got through a full table: $out"
	out=$(udp_query "$ns" "$EP_ADDR" 53) && fail "a new UDP flow from $ns got through a full table: $out"
done
d1=$(drops)
log "conntrack drops: $d0 -> $d1"
[ "$d1" -gt "$d0" ] || fail "the refused flows were not counted as conntrack drops"
dmesg | grep -q 'nf_conntrack: table full' && log "kernel: $(dmesg | grep 'nf_conntrack: table full' | tail -n 1)"

# The established ones still work, through the full table.
for i in 1 2; do
	res=$(held_ping "$tmp/h$i" 1)
	[ "$res" = "ok h$i 1" ] || fail "established flow h$i broke with the table full: $res"
done
vpcectl -j endpoint show >/dev/null || fail "vpcectl does not work with the table full"

sysctl -qw "net.netfilter.nf_conntrack_max=$max"
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no new flow after the table has room again"
log "after raising the limit: $out"
exit 0
