#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP through an interface endpoint with three targets: a real client
# reaches a real server, the server sees the service's nlb address as the
# source, 30 connections reach all three targets, "vpcectl flow show" shows both
# translations, the endpoint address answers ARP with the host's device, and
# a port without a listener is refused at once and counted.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat jq python3
pl_setup

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer through the endpoint"
log "one connection: $out"
case $out in
"srv1"[012]" $NLB") ;;
*) fail "expected 'srvNN $NLB' (a target, seeing the nlb address), got '$out'" ;;
esac

# ARP: the client learned the endpoint address as the host's device.
mac=$(cat /sys/class/net/va/address)
ip -n vpca neigh show "$EP_ADDR" | grep -q "lladdr $mac" ||
	fail "10.0.0.100 not resolved to va's MAC $mac: $(ip -n vpca neigh)"

pl_spread vpca 30
[ "$(grep -vc " $NLB\$" <<<"$spread")" -eq 0 ] || fail "a target saw a source other than $NLB"
[ "$(ep_stat epa new-connections)" -eq 31 ] ||
	fail "epa counts $(ep_stat epa new-connections) new connections, expected 31"

# vpce's flows: 10.0.0.2 -> 10.0.0.100:80 in VPC A, sent to a target's
# 8080 from the nlb address. (Closed flows stay listed for 10 s.)
pl_flow_check epa tcp 80 8080

# No listener on port 81: refused at once (RST), not a timeout; counted.
start=$(_now_ms)
err=$(ip netns exec vpca socat -T 5 - "TCP:$EP_ADDR:81,connect-timeout=5" </dev/null 2>&1) &&
	fail "connection to port 81 succeeded"
took=$(($(_now_ms) - start))
grep -q "Connection refused" <<<"$err" || fail "port 81: expected 'Connection refused', got '$err'"
[ "$took" -lt "$(scaled_ms 4000)" ] || fail "port 81 took $took ms to be refused"
[ "$(ep_stat epa drop-no-listener)" -eq 1 ] || fail "drop_no_listener is not 1"
[ "$(ep_stat epb new-connections)" -eq 0 ] || fail "epb counted flows of VPC A"
log "port 81 refused in $took ms and counted"
exit 0
