#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A gateway endpoint for an IPv6 prefix list (70-gateway for IPv6): the
# VPC reaches the provider's fd01::/120 through the host, its router, with
# no NAT (the server sees the client's own address), TCP and UDP, every
# forwarded packet carrying the endpoint's mark, replies steered back to
# the VPC although the host has no route to it; a flow the policy denies
# is refused at once (TCP reset, ICMPv6 for UDP) and counted; deleting the
# endpoint ends its flows.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd nft python3 socat
load_vpce
pl6_topology

SRV=fd01::10
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mac=$(cat /sys/class/net/va/address)
ip -n vpca -6 neigh add fd00:a::1 lladdr "$mac" dev eth0 nud permanent ||
	fail "neighbour fd00:a::1 in vpca"
ip -n vpca -6 route add default via fd00:a::1 dev eth0 || fail "route in vpca"
ip -n prov -6 route add fd00:a::/64 via "$NLB6" || fail "route in prov"

nft -f - <<EOF2 || fail "nft"
table inet vpcegw6 {
	counter fwd_all {}
	counter fwd_marked {}
	chain forwarded {
		type filter hook forward priority 0; policy accept;
		iifname "va" ip6 daddr $SRV counter name fwd_all
		iifname "va" ip6 daddr $SRV meta mark 0x42 counter name fwd_marked
	}
}
EOF2
defer nft delete table inet vpcegw6
ctr() { nft list counter inet vpcegw6 "$1" | awk '/packets/ { print $2 }'; }

must vpcectl vpc add A account 111111111111 dev va
must vpcectl service add s3 account 333333333333 type gateway prefix fd01::/120
must vpcectl service allow s3 principal 111111111111
vpcectl service show s3 | grep -q "^service s3 account 333333333333 type gateway prefix fd01::/120 " ||
	fail "service show: $(vpcectl service show s3)"
must_fail vpcectl service add bad account 333333333333 type gateway prefix fd01::1/120
cat >"$tmp/policy.json" <<EOF2
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
 {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
  "Condition": {"NumericEquals": {"vpce:DestinationPort": "5353"}}}]}
EOF2
must vpcectl endpoint add gwa vpc A service s3 type gateway mark 0x42 policy "$tmp/policy.json"

out=$(tcp_query vpca "$SRV" 8080) || fail "no TCP answer through the gateway endpoint"
[ "$out" = "srv10 fd00:a::2" ] || fail "expected 'srv10 fd00:a::2' (no NAT), got '$out'"
[ "$(ctr fwd_all)" -gt 0 ] && [ "$(ctr fwd_all)" = "$(ctr fwd_marked)" ] ||
	fail "forwarded packets: $(ctr fwd_all), marked: $(ctr fwd_marked)"
log "TCP without NAT: $out; $(ctr fwd_marked) of $(ctr fwd_all) forwarded packets marked"
[ "$(ep_stat gwa new-connections)" -eq 1 ] || fail "new-connections $(ep_stat gwa new-connections)"

start=$(_now_ms)
err=$(printf 'x\n' | ip netns exec vpca socat -T 3 - "UDP:[$SRV]:5353" 2>&1) &&
	fail "UDP to the denied port got an answer: $err"
took=$(($(_now_ms) - start))
[ "$took" -lt "$(scaled_ms 2500)" ] || fail "denied UDP flow refused only after $took ms: $err"
[ "$(ep_stat gwa drop-policy)" -eq 1 ] || fail "drop-policy $(ep_stat gwa drop-policy)"
log "UDP to port 5353 refused by the policy in $took ms"

held_start vpca "$tmp/h" "$SRV" 8080 --tag gw
[ "$(held_ping "$tmp/h" 1)" = "ok gw 1" ] || fail "held flow"
must vpcectl endpoint del gwa
res=$(held_ping "$tmp/h" 2)
[ "${res%% *}" = ERROR ] || fail "the flow survived the endpoint: $res"
log "deleting the endpoint ended its flow: $res"
exit 0
