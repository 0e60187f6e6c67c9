#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Last test of the suite: on a kernel with kmemleak (the debug kernel of
# `make check KERNEL=debug`), nothing the suite did may have leaked.
# selftests/run cleared boot-time suspects before the first test; here vpce
# is unloaded (so its module-exit frees have happened), then kmemleak scans
# twice and its report must be empty.  Skipped on kernels without kmemleak.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e "$KMEMLEAK" ] || skip "kernel without kmemleak (CONFIG_DEBUG_KMEMLEAK)"
[ -w "$KMEMLEAK" ] || skip "kmemleak is disabled (see dmesg)"

if [ -d /sys/module/vpce ]; then
	rmmod vpce || fail "rmmod vpce"
fi

# kmemleak only reports objects older than 5 s and, as its documentation
# says, a first scan can see transient false positives (pointers in flight
# in registers, RCU callbacks not yet run): scan, let the minimum age pass,
# scan again, and report what is left.  The sleeps wait on kmemleak's own
# clock; there is no event to wait for instead.
echo scan >"$KMEMLEAK" || fail "kmemleak scan"
sleep 6
echo scan >"$KMEMLEAK" || fail "kmemleak scan"
report=$(cat "$KMEMLEAK")
if [ -n "$report" ]; then
	log "kmemleak found $(grep -c '^unreferenced object' <<<"$report") unreferenced object(s):"
	head -n 80 <<<"$report"
	fail "memory leaked during the suite"
fi
log "kmemleak: no leaks"
exit 0
