#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod while the configuration churns and traffic flows, three times over:
# vpcectl commands racing the family's unregistration, flows being NATed,
# targets and endpoints being added and deleted.  rmmod must succeed (or
# say the module is busy for a moment), leave no vpce flow in conntrack, and
# the module must load again and work.  Oopses, WARNs and lockdep reports
# fail the test through selftests/run's dmesg check.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3
tmp=$(mktemp -d)
defer rm -rf "$tmp"

load_vpce
pl_topology

# Changes as fast as vpcectl goes; once the module is gone they fail, which
# is expected: only the kernel's reaction matters here.
churn() {
	while :; do
		vpcectl target add svc 192.168.1.13
		vpcectl endpoint add epc vpc A service svc addr 10.0.0.101
		vpcectl endpoint del epc
		vpcectl target del svc 192.168.1.13
		vpcectl -j endpoint show
	done >/dev/null 2>&1
}

for round in 1 2 3; do
	[ -d /sys/module/vpce ] || modprobe vpce || fail "modprobe vpce (round $round)"
	pl_config >/dev/null
	ip netns exec vpca python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 100000 --timeout 1 >"$tmp/a.out" 2>&1 &
	qa=$!
	ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 53 --udp --count 100000 --timeout 1 >"$tmp/b.out" 2>&1 &
	qb=$!
	churn &
	ch=$!
	wait_for 20 grep -q '^srv' "$tmp/a.out" || fail "no TCP traffic (round $round)"
	wait_for 20 grep -q '^srv' "$tmp/b.out" || fail "no UDP traffic (round $round)"

	# A netlink request in flight holds nothing that makes rmmod fail
	# for long; retry briefly if the module is momentarily busy.
	wait_for 10 rmmod vpce || fail "rmmod vpce during churn and traffic (round $round)"
	kill $qa $qb $ch 2>/dev/null
	wait $qa $qb $ch 2>/dev/null
	left=$(conntrack -L 2>/dev/null | grep -c "dst=$EP_ADDR ")
	[ "$left" -eq 0 ] || fail "$left vpce flows left in conntrack after rmmod (round $round)"
	log "round $round: $(grep -c '^srv' "$tmp/a.out") TCP and $(grep -c '^srv' "$tmp/b.out") UDP answers, then rmmod"
done

modprobe vpce || fail "modprobe vpce after the rounds"
pl_config >/dev/null
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer after reloading"
log "after reload: $out"
exit 0
