#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UDP through an interface endpoint: a datagram to the endpoint's listener
# reaches a target (which sees the nlb address) and its answer comes back;
# a port without a listener gets ICMP port unreachable at once, counted.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat jq python3
pl_setup

out=$(udp_query vpca "$EP_ADDR" 53 hello) || fail "no UDP answer through the endpoint"
log "answer: $out"
case $out in
"srv1"[012]" $NLB hello") ;;
*) fail "expected 'srvNN $NLB hello', got '$out'" ;;
esac

spread=$(ns_query vpcb "$EP_ADDR" 53 --udp --count 30) ||
	fail "some of 30 datagrams got no answer: $spread"
log "30 flows from VPC B: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"
for t in $TARGETS; do
	grep -q "^srv$t " <<<"$spread" || fail "target 192.168.1.$t got none of 30 UDP flows"
done
pl_flow_check epb udp 53 5353

# No listener: ICMP port unreachable makes the client's read fail at once.
start=$(_now_ms)
err=$(printf 'x\n' | ip netns exec vpca socat -T 5 - "UDP:$EP_ADDR:54" 2>&1) &&
	fail "datagram to port 54 was answered: $err"
took=$(($(_now_ms) - start))
grep -q "Connection refused" <<<"$err" || fail "port 54: expected 'Connection refused', got '$err'"
[ "$took" -lt "$(scaled_ms 4000)" ] || fail "port 54 took $took ms to be refused"
[ "$(ep_stat epa drop-no-listener)" -eq 1 ] || fail "drop_no_listener is not 1"
exit 0
