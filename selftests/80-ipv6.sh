#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 through an interface endpoint (NAT66), as 10-tcp and 11-udp do for
# IPv4: the client resolves the endpoint address by neighbour discovery
# (no static entry) and learns the host device's MAC; TCP and UDP reach
# real servers, which see the service's IPv6 nlb address; 30 connections
# reach all three targets; conntrack shows both translations; a port
# without a listener is refused at once (TCP reset, ICMPv6 port
# unreachable) and counted; the endpoint is "ipv6".

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat conntrack python3
pl6_setup

ip -n vpca -6 neigh show "$EP6_ADDR" | grep -q lladdr &&
	fail "vpca knows $EP6_ADDR before asking: $(ip -n vpca -6 neigh)"
out=$(tcp_query vpca "$EP6_ADDR" 80) || fail "no answer through the endpoint"
log "one connection: $out"
case $out in
"srv1"[012]" $NLB6") ;;
*) fail "expected 'srvNN $NLB6' (a target, seeing the nlb address), got '$out'" ;;
esac

# NDP: the client learned the endpoint address as the host's device.
mac=$(cat /sys/class/net/va/address)
neigh=$(ip -n vpca -6 neigh show "$EP6_ADDR")
log "vpca: $neigh"
grep -Eq "lladdr $mac .*(REACHABLE|STALE|DELAY|PROBE)" <<<"$neigh" ||
	fail "$EP6_ADDR not resolved to va's MAC $mac: $(ip -n vpca -6 neigh)"
# And the host learned the client from its solicitation.
ip -6 neigh show dev va | grep -q "^fd00:a::2 lladdr" ||
	fail "the host did not learn the client: $(ip -6 neigh show dev va)"

spread=$(ns_query vpca "$EP6_ADDR" 80 --count 30) ||
	fail "some of 30 connections failed: $spread"
log "30 connections: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"
for t in $TARGETS; do
	grep -q "^srv$t $NLB6\$" <<<"$spread" || fail "target fd01::$t got none of 30 connections"
done
[ "$(grep -vc " $NLB6\$" <<<"$spread")" -eq 0 ] || fail "a target saw a source other than $NLB6"
[ "$(ep_stat epa new-connections)" -eq 31 ] ||
	fail "epa counts $(ep_stat epa new-connections) new connections, expected 31"

ct=$(conntrack -L -f ipv6 -p tcp --orig-dst "$EP6_ADDR" 2>/dev/null)
log "$(head -n 2 <<<"$ct")"
grep -Eq "src=fd00:a::2 dst=$EP6_ADDR sport=[0-9]+ dport=80 zone-orig=[0-9]+ src=fd01::1[012] dst=$NLB6 sport=8080" <<<"$ct" ||
	fail "conntrack does not show DNAT to a target:8080 and SNAT to $NLB6"

# UDP: one datagram, then 30 flows over the three targets.
out=$(udp_query vpca "$EP6_ADDR" 53 hello) || fail "no UDP answer"
grep -Eq "^srv1[012] $NLB6 hello\$" <<<"$out" || fail "UDP answer '$out'"
spread=$(ns_query vpca "$EP6_ADDR" 53 --udp --count 30) || fail "UDP queries failed: $spread"
for t in $TARGETS; do
	grep -q "^srv$t " <<<"$spread" || fail "target fd01::$t got none of 30 UDP flows"
done

# No listener on port 81: a reset at once, not a timeout; counted.
start=$(_now_ms)
err=$(ip netns exec vpca socat -T 5 - "TCP:[$EP6_ADDR]:81,connect-timeout=5" </dev/null 2>&1) &&
	fail "connection to port 81 succeeded"
took=$(($(_now_ms) - start))
grep -q "Connection refused" <<<"$err" || fail "port 81: expected 'Connection refused', got '$err'"
[ "$took" -lt "$(scaled_ms 4000)" ] || fail "port 81 took $took ms to be refused"
# UDP port 54: ICMPv6 port unreachable, which the client's socket reports.
err=$(printf 'x\n' | ip netns exec vpca socat -T 3 - "UDP:[$EP6_ADDR]:54" 2>&1) &&
	fail "UDP to port 54 got an answer: $err"
grep -q "Connection refused" <<<"$err" || fail "UDP port 54: expected 'Connection refused', got '$err'"
[ "$(ep_stat epa drop-no-listener)" -eq 2 ] ||
	fail "drop-no-listener is $(ep_stat epa drop-no-listener), not 2"
[ "$(ep_stat epb new-connections)" -eq 0 ] || fail "epb counted flows of VPC A"
log "ports 81/tcp and 54/udp refused at once and counted"

# The reset of an ended flow: a held connection whose endpoint goes.
tmp=$(mktemp -d)
defer rm -rf "$tmp"
held_start vpca "$tmp/h" "$EP6_ADDR" 80 --tag held
[ "$(held_ping "$tmp/h" 1)" = "ok held 1" ] || fail "held connection does not echo"

typ=$(vpcectl -j endpoint show epa | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ip_address_type"])')
[ "$typ" = ipv6 ] || fail "ip_address_type is '$typ', not ipv6"
vpcectl endpoint show epa | grep -q "addr $EP6_ADDR ip-address-type ipv6 " ||
	fail "endpoint show: $(vpcectl endpoint show epa)"

must vpcectl endpoint del epa
res=$(held_ping "$tmp/h" 2)
[ "${res%% *}" = ERROR ] || fail "the held flow still works after endpoint del: $res"
log "held flow ended with the endpoint: $res"
conntrack -L -f ipv6 2>/dev/null | grep -q "dst=$EP6_ADDR .*zone-orig" &&
	fail "flows of epa left in conntrack"
exit 0
