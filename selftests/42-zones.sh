#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Zones. Service "svc" has a load balancer address in two zones, az1
# (192.168.1.1) and az2 (192.168.1.2); targets 192.168.1.10 and .11 are in
# az1, .12 in az2; endpoint "epa" in VPC A has 10.0.0.100 in az1 and
# 10.0.0.101 in az2. Real connections check:
#  - zone affinity: each endpoint address reaches its own zone's targets
#    only, which see the flow come from their zone's nlb address;
#  - cross-zone on: an address spreads over both zones' targets;
#  - zone failover: a zone with no healthy target sends to the others;
#  - fail open: with no healthy target at all, every target takes flows;
#  - with every target draining, no target takes new flows.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
load_vpce
pl_topology
# The host answers for the second zone's nlb address too.
ip addr add 192.168.1.2/32 dev vprov || fail "adding 192.168.1.2"

must vpcectl vpc add A account 111111111111 dev va
must vpcectl service add svc account 333333333333 listener tcp:80:8080 \
	nlb 192.168.1.1 zone az1 nlb 192.168.1.2 zone az2
must vpcectl service allow svc principal 111111111111
must vpcectl target add svc 192.168.1.10 zone az1
must vpcectl target add svc 192.168.1.11 zone az1
must vpcectl target add svc 192.168.1.12 zone az2
must vpcectl endpoint add epa vpc A service svc \
	addr 10.0.0.100 zone az1 addr 10.0.0.101 zone az2

# spread ADDR N : "COUNT NAME PEER" lines for N connections to ADDR.
spread() {
	local out
	out=$(ns_query vpca "$1" 80 --count "$2") || {
		echo "queries to $1 failed: $out"
		return 1
	}
	sort <<<"$out" | uniq -c | sed 's/^ *//'
}

# expect WHAT SPREAD PEER NAME... : every answer came from one of NAMEs,
# each NAME answered at least once, and every flow came from PEER.
expect() {
	local what=$1 sp=$2 peer=$3 n name
	shift 3
	log "$what: $(tr '\n' ' ' <<<"$sp")"
	while read -r n name p; do
		[[ " $* " == *" $name "* ]] || fail "$what: $n flows to $name"
		[ "$p" = "$peer" ] || fail "$what: $name saw flows from $p, not $peer"
	done <<<"$sp"
	for name in "$@"; do
		grep -q " $name " <<<"$sp" || fail "$what: no flow to $name"
	done
}

sp=$(spread 10.0.0.100 40) || fail "$sp"
expect "az1 address, zone affinity" "$sp" 192.168.1.1 srv10 srv11
sp=$(spread 10.0.0.101 20) || fail "$sp"
expect "az2 address, zone affinity" "$sp" 192.168.1.2 srv12

must vpcectl service set svc cross-zone on
vpcectl service show svc | grep -q 'cross-zone on' || fail "cross-zone not shown"
sp=$(spread 10.0.0.101 60) || fail "$sp"
expect "az2 address, cross-zone on" "$sp" 192.168.1.2 srv10 srv11 srv12
sp=$(spread 10.0.0.100 60) || fail "$sp"
expect "az1 address, cross-zone on" "$sp" 192.168.1.1 srv10 srv11 srv12
must vpcectl service set svc cross-zone off

must vpcectl target set svc 192.168.1.12 health unhealthy
sp=$(spread 10.0.0.101 40) || fail "$sp"
expect "az2 without a healthy target, failover" "$sp" 192.168.1.2 srv10 srv11
sp=$(spread 10.0.0.100 20) || fail "$sp"
expect "az1 meanwhile" "$sp" 192.168.1.1 srv10 srv11

must vpcectl target set svc 192.168.1.10 health unhealthy
sp=$(spread 10.0.0.101 20) || fail "$sp"
expect "az2 failover to az1's one healthy target" "$sp" 192.168.1.2 srv11

must vpcectl target set svc 192.168.1.11 health unhealthy
sp=$(spread 10.0.0.100 60) || fail "$sp"
expect "no healthy target, fail open" "$sp" 192.168.1.1 srv10 srv11 srv12

for t in 10 11 12; do
	must vpcectl target set svc "192.168.1.$t" health draining
done
before=$(ep_stat epa drop-no-target)
out=$(ns_query vpca 10.0.0.100 80 --count 5 --timeout 2) &&
	fail "every target draining, yet new flows work: $out"
grep -q '^srv' <<<"$out" && fail "a draining target took a new flow: $out"
after=$(ep_stat epa drop-no-target)
[ "$after" -ge $((before + 5)) ] ||
	fail "drop-no-target went from $before to $after for 5 refused flows"
log "every target draining: new flows refused ($out)"

for t in 10 11 12; do
	must vpcectl target set svc "192.168.1.$t" health healthy
done
sp=$(spread 10.0.0.100 20) || fail "$sp"
expect "all healthy again" "$sp" 192.168.1.1 srv10 srv11
exit 0
