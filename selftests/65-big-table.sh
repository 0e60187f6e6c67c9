#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpce's own flow table at its default limit (2^19 - 1 flows), with conntrack's
# limit above it: a UDP flood from nine addresses fills it (unanswered UDP
# flows last 120 s and are never set up, so that early drop may take them,
# as it takes a SYN flood's; a SYN flood's 30 s would not be long enough
# to fill the table under emulation); a legitimate client still gets in
# (early drop runs at the table's own limit, not only at 2 x
# nf_conntrack_max, which the table never reaches); and with half a
# million flows, a stats dump, a flush and a policy change that revokes
# most of them finish without an RCU stall or soft lockup (the runner fails
# the test on either report), and the VM answers in the meantime.
#
# The flood goes to a service of its own, "flood", with 20 targets: one
# nlb address has about 32,000 reply ports per target for this table
# (ports 1024-61439 outside ip_local_port_range), so that three targets
# could never hold more than about 96,000 flows.
#
# timeout: 1200

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq nft
[ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ] && skip "half a million flows take too long on the debug kernel"
CAP=524287
NSRC=9

pl_setup
# The flood's service: 20 targets that never see a datagram (below).
must vpcectl service add flood account 333333333333 listener udp:53:5353 \
	nlb "$NLB"
must vpcectl service allow flood principal 111111111111
for t in $(seq 20 39); do
	must vpcectl target add flood "192.168.1.$t"
done
must vpcectl endpoint add epflood vpc A service flood addr 10.0.0.102
tmp=$(mktemp -d)
defer rm -rf "$tmp"
max=$(sysctl -n net.netfilter.nf_conntrack_max)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
sysctl -qw net.netfilter.nf_conntrack_max=1048576
# The flood goes no further than the host: its datagrams, translated,
# are dropped on their way to the targets, so that the targets do not
# answer them (unanswered, the flows stay unassured) and cost nothing.
nft -f - <<EOF || fail "nft"
table ip vpce_flood {
	chain flood {
		type filter hook forward priority 0;
		ip daddr 192.168.1.0/24 udp dport 5353 drop
	}
}
EOF
defer nft delete table ip vpce_flood

active() { vpcectl -j stats show endpoint epflood | jq '.[0].ActiveConnections'; }
full() { [ "$(active)" -ge $((CAP - 1000)) ]; }
# fill: one new flow from each port of each of NSRC addresses.
fill() {
	local t0=$SECONDS amac
	amac=$(cat /sys/class/net/va/address)
	# Frames the host could not take in time are lost (the backlog is
	# full): each pass sends every port again, which refreshes the flows
	# it made before and makes those it lost.
	for pass in 1 2 3 4 5 6; do
		ip netns exec vpca udpflood eth0 "$amac" 10.0.0.11 $NSRC 10.0.0.102 53 >/dev/null ||
			fail "udpflood failed"
		log "pass $pass: $(active) flows after $((SECONDS - t0)) s"
		full && break
	done
	wait_for 30 full || fail "the table holds $(active) flows after the flood, not about $CAP"
	log "flood: $(active) flows in $((SECONDS - t0)) s"
}
# timed NAME CMD...: run CMD, log how long it took.
timed() {
	local t0=$EPOCHREALTIME name=$1
	shift
	"$@" >/dev/null || fail "$name failed"
	log "$name: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
}

fill
# The table is at its limit: a new client gets in all the same.
full0=$(ep_stat epflood drop-full)
must ns_query vpca "$EP_ADDR" 80 --count 5 --timeout 3
log "a client got in at the limit (the flood's drop-full $full0 -> $(ep_stat epflood drop-full))"

# Meanwhile the VM stays responsive: a read every half second, timed.
( while :; do
	t0=$EPOCHREALTIME
	vpcectl vpc show >/dev/null
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
	sleep 0.5
done ) >"$tmp/lat" 2>&1 &
defer kill $!

timed "stats dump of $(active) flows" vpcectl -j stats show
# Frames of the flood that a loaded host still had queued make new flows
# after the flush: those are not left over.
made0=$(ep_stat epflood new-connections)
timed "flush of $(active) flows" vpcectl flow flush
left=$(active)
made=$(($(ep_stat epflood new-connections) - made0))
[ $((left - made)) -lt 100 ] ||
	fail "$left flows left after the flush ($made made since it began)"
[ "$made" -eq 0 ] || log "$made flows made by queued frames during the flush, $left live"

fill
cat >"$tmp/policy" <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": "*",
    "Action": "vpce:Connect",
    "Resource": "*",
    "Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.2/32"}}
  }]
}
EOF
timed "a policy that revokes $(active) flows" vpcectl endpoint set epflood policy "$tmp/policy"
[ "$(active)" -lt 100 ] || fail "$(active) flows left after the policy revoked them"
must ns_query vpca "$EP_ADDR" 80 --count 2 --timeout 3
log "vpc show took at most $(sort -n "$tmp/lat" | tail -n 1) ms during all this"
exit 0
