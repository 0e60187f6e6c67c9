#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A network namespace binds 16,384 devices to its VPCs (four of 4,096), and
# not one more; the other namespace's VPCs go on as before. Creating 16k devices under emulation
# takes minutes, so this runs in `make soak` (VPCE_SOAK=1) only; 23-vpc-devs
# checks the 4,096 of one VPC in `make check`.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

[ "${VPCE_SOAK:-0}" = 1 ] || skip "make soak only (VPCE_SOAK=1)"
need_cmd python3 jq
pl_setup

per=4096
n=$((4 * per))
mk_ns big
t0=$EPOCHREALTIME
for i in $(seq 1 $n); do
	echo "link add d$i type dummy"
done | ip -n big -batch - || fail "creating $n dummy devices"
log "$n dummies in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
for v in 0 1 2 3; do
	# shellcheck disable=SC2046
	must vpcectl -n big vpc add "v$v" account 111111111111 \
		$(for i in $(seq $((v * per + 1)) $((v * per + per))); do echo dev "d$i"; done)
done
total=$(vpcectl -n big -j vpc show | jq '[.[].device_count] | add')
[ "$total" = $n ] || fail "$total devices bound, not $n"
ip -n big link add extra type dummy || fail "one more dummy"
out=$(vpcectl -n big vpc add v4 account 111111111111 dev extra 2>&1) &&
	fail "the namespace took device $((n + 1))"
log "device $((n + 1)): $out"
grep -q "at most $n" <<<"$out" || fail "not the namespace's limit: $out"

# The limit is the namespace's: the test topology's VPC A, in another one,
# still works.
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "VPC A's client gets no answer"
log "VPC A: $out"
exit 0
