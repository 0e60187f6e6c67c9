#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod under traffic, with objects and live flows, is clean; the module
# loads again and works. (The runner fails the test on any oops or WARNING.)

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
held_start vpca "$tmp/held" "$EP_ADDR" 80 --tag held
# Traffic from both VPCs while the module goes away.
ns_query vpca "$EP_ADDR" 80 --count 400 --timeout 1 >"$tmp/a.out" 2>&1 &
qa=$!
ns_query vpcb "$EP_ADDR" 53 --udp --count 400 --timeout 1 >"$tmp/b.out" 2>&1 &
qb=$!
defer kill $qa $qb
wait_for 20 grep -q "^srv" "$tmp/a.out" || fail "no TCP traffic before rmmod"
wait_for 20 grep -q "^srv" "$tmp/b.out" || fail "no UDP traffic before rmmod"

rmmod vpce || fail "rmmod vpce under traffic failed"
log "rmmod under traffic: ok"
# Translated flows (reply from a target) must be gone; the clients' packets
# after rmmod make plain, untranslated entries, which are not vpce's.
conntrack -L 2>/dev/null | grep "dst=$EP_ADDR " | grep -q "src=192\.168\.1\." &&
	fail "vpce flows left in conntrack after rmmod: $(conntrack -L 2>/dev/null | grep "dst=$EP_ADDR " | grep "src=192\.168\.1\." | head -n 3)"
[ "$(held_ping "$tmp/held" 1 | cut -d' ' -f1)" = ERROR ] ||
	fail "a flow through the endpoint still works without the module"
kill $qa $qb 2>/dev/null
wait $qa $qb 2>/dev/null

modprobe vpce || fail "modprobe vpce after rmmod"
pl_config
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer after reloading"
log "after reload: $out"
out=$(udp_query vpcb "$EP_ADDR" 53) || fail "no UDP answer after reloading"
exit 0
