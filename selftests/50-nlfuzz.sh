#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink fuzzer (selftests/nlfuzz.c) against the vpce family: random
# and mutated requests for every command, dumps abandoned mid-way, the state
# checked for consistency along the way and at the end (see nlfuzz.c).  It
# runs in a netns of its own holding 16 dummy devices, so a random ifindex can
# only name those.  Then a second, shorter run leaves its objects behind and
# the netns is deleted with them (the pernet exit path on fuzzed state), and
# vpce must unload.  Kernel oopses, WARNs, KASAN or lockdep reports fail the
# test through selftests/run's dmesg check.
#
# VPCE_NLFUZZ_COUNT messages (default 50000; `make fuzz` runs 1000000),
# VPCE_NLFUZZ_SEED to replay a run (the seed is printed).
#
# timeout: 900

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd ip
[ -x "$SELFTESTS/nlfuzz" ] || fail "selftests/nlfuzz is not built (make selftests-bin)"

count=${VPCE_NLFUZZ_COUNT:-50000}
seed=${VPCE_NLFUZZ_SEED:-$(date +%s)}

load_vpce
mk_ns fuzz
devs=()
for i in $(seq 0 15); do
	ip -n fuzz link add "fz$i" type dummy || fail "adding dummy fz$i"
	ip -n fuzz link set "fz$i" up
	devs+=("fz$i")
done

# Checks every 5000 messages; a 1M run checks every 50000.
every=5000
[ "$count" -le 200000 ] || every=50000
ns_exec fuzz nlfuzz -n "$count" -s "$seed" -c "$every" "${devs[@]}" ||
	fail "nlfuzz found a problem (seed $seed)"

# Leave fuzzed state behind and take the whole netns down with it.
mk_ns fuzz2
for i in $(seq 0 3); do
	ip -n fuzz2 link add "fy$i" type dummy || fail "adding dummy fy$i"
done
# -k: no final clean-up; the objects go with the namespace.
ns_exec fuzz2 nlfuzz -k -n 2000 -s "$((seed + 1))" -c 0 fy0 fy1 fy2 fy3 >/dev/null ||
	fail "nlfuzz (second run, seed $((seed + 1))) found a problem"
ip netns del fuzz2 || fail "deleting netns fuzz2"
ip netns del fuzz || fail "deleting netns fuzz"

# Namespace teardown is asynchronous (cleanup_net runs in a workqueue); the
# module must unload once it has finished.
wait_for 30 rmmod vpce || fail "vpce does not unload after the fuzzing"
log "fuzzed $count messages (seed $seed); vpce unloaded cleanly"
exit 0
