#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy evaluation is bounded, and never stalls other netlink users.
#
#  - The worst policy vpcectl lets through (20 KiB of JSON: over a thousand
#    StringLike patterns "*${k}bN", each a '*' and a 512-character literal
#    once ${k} is a 511-character context value, against 1024 a's: the
#    literal fails at its end from each of 512 starts, 2.6e5 comparisons
#    per pattern, 3.3e8 in all) is refused at once by "policy simulate",
#    with "policy too complex to evaluate", instead of being evaluated for
#    seconds (minutes under emulation).
#  - While a loop of such simulations runs, "vpc show" answers about as
#    fast as it does alone (3x, plus a second for a loaded host), far below
#    what one unbounded simulation took (25 s under emulation, 1 s
#    natively), and each simulation held genl_mutex, every family's lock,
#    throughout: now the budget bounds each, and they hold no lock another
#    command needs (the family is parallel_ops).
#
# The data path fails closed on such a policy (vpce_endpoint_allows(): the
# evaluation's -E2BIG is not "allowed"); the names and addresses a flow's
# request carries are too short to build an over-budget policy within
# 20 KiB, so that is not exercised here.

# Without the budget this takes minutes under emulation: room to fail.
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl python3 timeout
load_vpce

NS=polbound
mk_ns "$NS"
tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"
V=(vpcectl -n "$NS")

ip -n "$NS" link add pw0 type dummy || fail "dummy"
must "${V[@]}" vpc add vpc1 account 111122223333 dev pw0

# worst_policy N FILE : N patterns, as many as fit in VPCE_POLICY_TEXT_MAX
# (20480 characters of JSON) when N is 0.
worst_policy() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
def doc(k):
    pats = ["*${k}b%d" % i for i in range(k)]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*",
        "Resource": "*", "Condition": {"StringLike": {"x": pats}}}]},
        separators=(",", ":"))
if n == 0:
    n = 1
    while len(doc(n + 1)) <= 20480:
        n += 1
open(path, "w").write(doc(n))
print(n)
EOF
}

nworst=$(worst_policy 0 "$tmp/worst.json") || fail "cannot write the policy"
log "worst policy: $nworst patterns, $(wc -c <"$tmp/worst.json") bytes"
K=$(printf 'a%.0s' {1..511})
X=$(printf 'a%.0s' {1..1024})
REQ=(principal 111122223333 action vpce:Connect
	resource arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc1
	context "k=$K" context "x=$X")

# simulate FILE : one simulation; its wall time in ms goes to $ms, its
# status to $rc, its stderr to $tmp/err.  Guarded: an unbounded evaluation
# must fail the test, not hang it.
simulate() {
	local t0
	t0=$(_now_ms)
	timeout "$(scaled_ms 60)" "${V[@]}" policy simulate document "$1" \
		"${REQ[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ms=$(($(_now_ms) - t0))
}

nbad=0
bad() {
	log "FAIL: $*"
	nbad=$((nbad + 1))
}

# --- a storm of simulations does not delay others ----------------------------

# show_ms : the wall time of one "vpc show", in ms.
show_ms() {
	local t0
	t0=$(_now_ms)
	timeout "$(scaled_ms 60)" "${V[@]}" vpc show >/dev/null 2>&1 ||
		log "vpc show failed or timed out"
	echo $(($(_now_ms) - t0))
}

maxof() {
	local m=0 v
	for v in "$@"; do
		[ "$v" -gt "$m" ] && m=$v
	done
	echo "$m"
}

alone=()
for _ in 1 2 3 4 5; do
	alone+=("$(show_ms)")
done
log "vpc show alone: ${alone[*]} ms"

touch "$tmp/storm"
(
	while [ -e "$tmp/storm" ]; do
		"${V[@]}" policy simulate document "$tmp/worst.json" \
			"${REQ[@]}" >/dev/null 2>&1
		echo >>"$tmp/sims"
	done
) &
storm=$!
defer kill "$storm"
# Under way: the loop has started a simulation once it has finished one.
wait_for 120 test -s "$tmp/sims" || fail "no simulation finished in 120 s"

during=()
for _ in $(seq 6); do
	during+=("$(show_ms)")
done
rm -f "$tmp/storm"
wait "$storm"
log "vpc show during $(wc -l <"$tmp/sims") simulations: ${during[*]} ms"

# Bounded: alone, "vpc show" takes a few ms natively and tens under
# emulation; unbounded simulations held genl_mutex for seconds each (over
# a minute under emulation).  Allow scheduling noise on a busy host.
limit=$(($(maxof "${alone[@]}") * 3 + $(scaled_ms 1000)))
worst=$(maxof "${during[@]}")
if [ "$worst" -le "$limit" ]; then
	log "ok: vpc show at most $worst ms during the storm (limit $limit)"
else
	bad "vpc show took up to $worst ms during the simulations (limit $limit)"
fi

# --- one simulation: bounded, with the clear message ------------------------

simulate "$tmp/worst.json"
log "worst policy: exit $rc after $ms ms: $(cat "$tmp/err" "$tmp/out")"
if [ "$rc" -eq 124 ]; then
	bad "the worst policy was still being evaluated after 60 s"
elif [ "$rc" -eq 0 ] || ! grep -q 'policy too complex to evaluate' "$tmp/err"; then
	bad "the worst policy: want \"policy too complex to evaluate\""
fi
limit=$(scaled_ms 5000)
[ "$ms" -le "$limit" ] || bad "refusing it took $ms ms (limit $limit)"

# A policy within the budget still gets its answer.
# shellcheck disable=SC2016 # ${k} is the policy's, not the shell's
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringLike":{"x":["*${k}*"]}}}]}' \
	>"$tmp/fine.json"
simulate "$tmp/fine.json"
if [ "$rc" -ne 0 ] || ! grep -qx allowed "$tmp/out"; then
	bad "a simple policy: exit $rc: $(cat "$tmp/err" "$tmp/out")"
fi

[ "$nbad" -eq 0 ] || fail "$nbad checks failed"
exit 0
