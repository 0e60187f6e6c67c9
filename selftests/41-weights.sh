#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Weights and the flow hash seed, with real connections through an
# interface endpoint (privatelink topology):
#  - targets of weights 1 and 3 get between 1:2 and 1:5 of 200 connections;
#  - "target set ... weight" changes the split for new flows;
#  - with "service set ... hash-seed", a flow key (VPC, source address and
#    port, protocol) always gets the same target: again after its flow is
#    gone, after the targets are registered again in another order, and
#    back after another seed was tried in between.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
pl_setup

# count OUTPUT NAME : how many of OUTPUT's answers came from NAME.
count() { grep -c "^$2 " <<<"$1"; }

# A fixed seed and fixed source ports make the split reproducible: a
# statistical check that passes once passes every time.
must vpcectl service set svc hash-seed 0f1e2d3c4b5a69788796a5b4c3d2e1f0
must vpcectl target del svc 192.168.1.12
must vpcectl target set svc 192.168.1.11 weight 3
vpcectl target show svc | grep -q '192.168.1.11 weight 3 health healthy' ||
	fail "weight 3 not shown: $(vpcectl target show svc)"

out=$(ns_query vpca "$EP_ADDR" 80 --count 200 --sport-seq 43001) || fail "queries failed: $out"
a=$(count "$out" srv10)
b=$(count "$out" srv11)
log "weights 1:3 -> 200 connections: srv10 $a, srv11 $b"
[ $((a + b)) -eq 200 ] || fail "answers from elsewhere: $(cut -d' ' -f1 <<<"$out" | sort | uniq -c)"
# b/a in [2, 5]
[ $((b)) -ge $((2 * a)) ] && [ $((b)) -le $((5 * a)) ] ||
	fail "srv10:srv11 is $a:$b, not between 1:2 and 1:5"

must vpcectl target set svc 192.168.1.10 weight 3
out=$(ns_query vpca "$EP_ADDR" 80 --count 200 --sport-seq 44001) || fail "queries failed: $out"
a=$(count "$out" srv10)
b=$(count "$out" srv11)
log "weights 3:3 -> 200 connections: srv10 $a, srv11 $b"
[ "$a" -ge 70 ] && [ "$b" -ge 70 ] || fail "equal weights split $a:$b"

# --- the hash seed -------------------------------------------------------------
must vpcectl target add svc 192.168.1.12
must vpcectl target set svc 192.168.1.10 weight 1
must vpcectl target set svc 192.168.1.11 weight 1
SEED=00112233445566778899aabbccddeeff
must vpcectl service set svc hash-seed $SEED
vpcectl -j service show svc | grep -q "\"hash_seed\": *\"$SEED\"" ||
	fail "the seed is not shown to root: $(vpcectl -j service show svc)"
if command -v setpriv >/dev/null; then
	out=$(setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- \
		vpcectl -j service show svc 2>&1) &&
		fail "service show worked without CAP_NET_ADMIN: $out"
	grep -q hash_seed <<<"$out" && fail "the seed is shown without CAP_NET_ADMIN"
	log "the seed is shown to administrators only (and services too)"
fi

# mapping : "SPORT TARGET" for 24 UDP flows from fixed source ports, each
# flow gone (forgotten: vpcectl flow flush) before the next mapping is taken.
mapping() {
	local out
	out=$(ns_query vpca "$EP_ADDR" 53 --udp --count 24 --sport-seq 42001) ||
		return 1
	paste <(seq 42001 42024) <(cut -d' ' -f1 <<<"$out")
	vpcectl flow flush
}
m1=$(mapping) || fail "UDP queries failed: $m1"
log "seed $SEED: $(cut -f2 <<<"$m1" | sort | uniq -c | tr -s ' \n' ' ')"
[ "$(cut -f2 <<<"$m1" | sort -u | wc -l)" -eq 3 ] ||
	fail "24 flows did not reach all three targets: $m1"
m2=$(mapping) || fail "UDP queries failed: $m2"
[ "$m1" = "$m2" ] || fail "the same flows changed targets with the same seed"

# Another host: the same targets, registered in another order.
for t in 12 10 11; do
	must vpcectl target del svc "192.168.1.$t"
done
for t in 12 11 10; do
	must vpcectl target add svc "192.168.1.$t"
done
m3=$(mapping) || fail "UDP queries failed: $m3"
[ "$m1" = "$m3" ] || fail "targets added in another order changed the mapping:
$(diff <(echo "$m1") <(echo "$m3"))"
log "same seed, targets registered in another order: the same 24 assignments"

must vpcectl service set svc hash-seed ffeeddccbbaa99887766554433221100
m4=$(mapping) || fail "UDP queries failed: $m4"
moved=$(diff <(echo "$m1") <(echo "$m4") | grep -c '^<')
log "another seed: $moved of 24 flows change target"
[ "$moved" -ge 4 ] || fail "another seed moved only $moved of 24 flows"
must vpcectl service set svc hash-seed $SEED
m5=$(mapping) || fail "UDP queries failed: $m5"
[ "$m1" = "$m5" ] || fail "the first seed did not bring the first mapping back"
log "the first seed again: the first mapping again"
exit 0
