#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Gateway endpoints, with real clients and servers (privatelink.sh's
# topology; the VPCs reach the provider's network through the host, their
# router at 10.0.0.1). The gateway service "s3" is the prefix list
# 192.168.1.0/28, where srv10..srv12 serve:
#  - a VPC without an endpoint is untouched: routed as the host's table says
#    (10.0.0.0/24 is routed to VPC B), unmarked, uncounted;
#  - an allowed flow is forwarded without NAT (the server sees 10.0.0.2),
#    TCP and UDP, every packet of it carrying the mark (nft counters), and
#    its replies go back to its own VPC whatever the host's route says;
#  - a flow the policy denies is refused at once and counted;
#  - counters: new connections, refusals, the service's resets, active
#    flows (1 held, then 0) and bytes equal to the client's own nftables
#    counters, on the endpoint and its service; Prometheus output;
#  - VPCs A and B, same CIDR, each with an endpoint, hold flows with the
#    same source port at once, each getting its own answers;
#  - pending endpoints leave the VPC's flows alone; accepting takes them,
#    rejecting, tightening the policy and deleting end live flows;
#  - events; dns show ignores gateway endpoints;
#  - bad input is refused with a clear message and changes nothing;
#  - save, flush, restore gives the same state back, byte for byte.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack nft python3 socat jq
load_vpce
pl_topology

SRV=192.168.1.10
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# The VPCs' router: the host device's MAC as 10.0.0.1, as a VPC router is.
for v in a b; do
	mac=$(cat "/sys/class/net/v$v/address")
	ip -n "vpc$v" neigh add 10.0.0.1 lladdr "$mac" dev eth0 nud permanent ||
		fail "neighbour 10.0.0.1 in vpc$v"
	ip -n "vpc$v" route add default via 10.0.0.1 dev eth0 || fail "route in vpc$v"
done
ip -n prov route add 10.0.0.0/24 via "$NLB" || fail "route in prov"
# The host's own idea of 10.0.0.0/24: VPC B. Only reply steering can take
# VPC A's replies home.
ip route add 10.0.0.0/24 dev vb || fail "host route"
defer ip route del 10.0.0.0/24
# A port the policy below denies, with a server on it: a refusal there is
# the policy's, not a closed port's.
pl_server prov "$SRV" 9000 srv10b tcp

nft -f - <<EOF || fail "nft"
table inet vpcegw {
	counter a_all {}
	counter a_marked {}
	counter b_all {}
	counter b_marked {}
	chain forwarded {
		type filter hook forward priority 0; policy accept;
		iifname "va" ip daddr $SRV counter name a_all
		iifname "va" ip daddr $SRV meta mark 0x42 counter name a_marked
		iifname "vb" ip daddr $SRV counter name b_all
		iifname "vb" ip daddr $SRV meta mark != 0 counter name b_marked
	}
}
EOF
defer nft delete table inet vpcegw
ctr() { nft list counter inet vpcegw "$1" | awk '/packets/ { print $2 }'; }

vpcectl -j monitor >"$tmp/events" 2>"$tmp/events.err" &
defer kill $!
wait_for 10 grep -q monitoring "$tmp/events.err" || fail "monitor did not start"

must vpcectl vpc add A account 111111111111 dev va
must vpcectl vpc add B account 222222222222 dev vb
must vpcectl service add s3 account 333333333333 type gateway prefix 192.168.1.0/28
must vpcectl service allow s3 principal 111111111111
must vpcectl service allow s3 principal 222222222222
vpcectl service show s3 | grep -q "^service s3 account 333333333333 type gateway prefix 192.168.1.0/28 " ||
	fail "service show: $(vpcectl service show s3)"
[ "$(vpcectl -j service show s3 | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]; print(s["type"], s["prefixes"])')" = \
	"gateway ['192.168.1.0/28']" ] || fail "service show -j: $(vpcectl -j service show s3)"

cat >"$tmp/ports.json" <<'EOF'
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "vpce:Connect", "Resource": "*",
 "Condition": {"StringEquals": {"vpce:DestinationPort": ["8080", "5353"]}}}}
EOF
must vpcectl endpoint add ga vpc A service s3 type gateway mark 0x42 policy "$tmp/ports.json"
vpcectl endpoint show ga | grep -Eq "^endpoint ga id vpce-[0-9a-f]{17} vpc A service s3 type gateway state available mark 0x42 requester arn:aws:iam::111111111111:root" ||
	fail "endpoint show: $(vpcectl endpoint show ga)"
[ "$(vpcectl -j endpoint show ga | python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; print(e["type"], e["mark"], e["addresses"])')" = \
	"gateway 66 []" ] || fail "endpoint show -j: $(vpcectl -j endpoint show ga)"
vpcectl dns show | grep -q "ga\." && fail "dns show names a gateway endpoint: $(vpcectl dns show)"

# --- allowed flows: no NAT, TCP and UDP, replies home ---
out=$(tcp_query vpca "$SRV" 8080) || fail "VPC A: no TCP answer through the gateway endpoint"
[ "$out" = "srv10 10.0.0.2" ] || fail "VPC A TCP: the server saw '$out', not the client's own address"
out=$(udp_query vpca "$SRV" 5353 hello) || fail "VPC A: no UDP answer"
[ "$out" = "srv10 10.0.0.2 hello" ] || fail "VPC A UDP: '$out'"
[ "$(ep_stat ga new-connections)" -eq 2 ] || fail "new-connections $(ep_stat ga new-connections), want 2"
log "allowed: TCP and UDP, the server saw 10.0.0.2"

# --- denied: refused at once, counted; VPC B is not A's policy's ---
start=$(_now_ms)
tcp_query vpca "$SRV" 9000 >/dev/null 2>&1 && fail "a flow the policy denies went through"
took=$(($(_now_ms) - start))
[ "$took" -lt "$(scaled_ms 2500)" ] || fail "the refusal took $took ms"
[ "$(ep_stat ga drop-policy)" -eq 1 ] || fail "drop-policy $(ep_stat ga drop-policy), want 1"
log "denied: refused in $took ms and counted"

# --- VPC B has no endpoint: routed as before, unmarked, not counted ---
out=$(tcp_query vpcb "$SRV" 9000) || fail "VPC B (no endpoint) cannot reach $SRV:9000"
[ "$out" = "srv10b 10.0.0.2" ] || fail "VPC B: '$out'"
out=$(udp_query vpcb "$SRV" 5353 b) || fail "VPC B: no UDP answer"
[ "$(ctr b_all)" -gt 0 ] && [ "$(ctr b_marked)" -eq 0 ] ||
	fail "VPC B's packets: $(ctr b_all) forwarded, $(ctr b_marked) marked"
[ "$(ep_stat ga new-connections)" -eq 2 ] && [ "$(ep_stat ga drop-policy)" -eq 1 ] ||
	fail "VPC B's flows were counted on ga"
log "VPC B untouched: $(ctr b_all) packets, none marked"

# --- counters (stats show): the endpoint's and the service's ---
# gst OBJECT NAME JQ : a field of `vpcectl -j stats show OBJECT NAME`.
gst() { vpcectl -j stats show "$1" "$2" | jq -r ".[0] | $3"; }
# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1 is ${2:-nothing}, not $3"
	log "$1 = $2"
}
expect "ga NewConnections" "$(gst endpoint ga .NewConnections)" 2
expect "ga drops.policy" "$(gst endpoint ga .drops.policy)" 1
expect "ga zones (a gateway endpoint has none)" "$(gst endpoint ga '.zones | length')" 0
expect "s3 NewConnections" "$(gst service s3 .NewConnections)" 2
expect "s3 RstPacketsSent (the policy's refusal)" "$(gst service s3 .RstPacketsSent)" 1
expect "s3 EndpointsCount" "$(gst service s3 .EndpointsCount)" 1
# The earlier UDP flow lives on in conntrack (and so is active) for the
# host's UDP timeout; end it so that only the held flow below is.
conntrack -D -p udp --orig-dst "$SRV" >/dev/null 2>&1
wait_for 10 eval '[ "$(gst endpoint ga .ActiveConnections)" = 0 ]' ||
	fail "ga ActiveConnections $(gst endpoint ga .ActiveConnections) with no live flow"
# From here, the bytes VPC A's client exchanges with $SRV, as it counts
# them itself, are those the endpoint and the service count.
ip netns exec vpca nft -f - <<EOF || fail "nft counters in vpca"
table ip count {
	chain out { type filter hook output priority 0; ip daddr $SRV counter; }
	chain in { type filter hook input priority 0; ip saddr $SRV counter; }
}
EOF
client_bytes() {
	ip netns exec vpca nft -j list table ip count |
		jq '[.nftables[].rule? | select(.) | .expr[] | .counter? | select(.) | .bytes] | add'
}
ep_bytes0=$(gst endpoint ga .BytesProcessed)
svc_bytes0=$(gst service s3 .BytesProcessed)

# --- the mark: every packet of A's flows ---
held_start vpca "$tmp/m" "$SRV" 8080 --tag mark
for round in 1 2 3; do
	[ "$(held_ping "$tmp/m" $round)" = "ok mark $round" ] || fail "held flow round $round"
done
all=$(ctr a_all) marked=$(ctr a_marked)
log "VPC A: $all packets forwarded, $marked marked"
[ "$all" -ge 10 ] && [ "$all" -eq "$marked" ] || fail "not every packet of VPC A's flows was marked"
expect "ga ActiveConnections (held)" "$(gst endpoint ga .ActiveConnections)" 1
expect "s3 ActiveConnections (held)" "$(gst service s3 .ActiveConnections)" 1
expect "ga NewConnections" "$(gst endpoint ga .NewConnections)" 3
bytes=$(client_bytes)
[ "$bytes" -gt 0 ] || fail "the client counted no bytes"
expect "ga BytesProcessed since (client's nft: $bytes)" \
	$(($(gst endpoint ga .BytesProcessed) - ep_bytes0)) "$bytes"
expect "s3 BytesProcessed since" $(($(gst service s3 .BytesProcessed) - svc_bytes0)) "$bytes"
vpcectl stats show format prometheus >"$tmp/prom" || fail "format prometheus"
grep -q '^vpce_endpoint_new_connections_total{endpoint="ga",vpc="A",service="s3"} 3$' "$tmp/prom" ||
	fail "prometheus: $(grep ga "$tmp/prom")"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 ||
		fail "promtool: $(cat "$tmp/promtool")"
fi

# --- overlapping VPCs, both with endpoints, same source port at once ---
touch "$tmp/m/stop"
wait_for 10 eval '[ "$(gst endpoint ga .ActiveConnections)" = 0 ]' ||
	fail "ga ActiveConnections $(gst endpoint ga .ActiveConnections) after the flow closed"
wait_for 10 eval '[ $(($(gst endpoint ga .BytesProcessed) - ep_bytes0)) = "$(client_bytes)" ]' ||
	fail "ga BytesProcessed after the close: $(($(gst endpoint ga .BytesProcessed) - ep_bytes0)), the client counted $(client_bytes)"
log "ga's and s3's counters: exact"
must vpcectl endpoint add gb vpc B service s3 type gateway mark 0x43
ip route del 10.0.0.0/24 || fail "host route del"
held_start vpca "$tmp/a" "$SRV" 8080 --sport 40000 --tag from-A
held_start vpcb "$tmp/b" "$SRV" 8080 --sport 40000 --tag from-B
log "A: $(cat "$tmp/a/greeting")  B: $(cat "$tmp/b/greeting")"
for side in a b; do
	grep -q "^srv10 10.0.0.2\$" "$tmp/$side/greeting" ||
		fail "VPC ${side^^}: bad greeting '$(cat "$tmp/$side/greeting")'"
done
ct=$(conntrack -L -p tcp --orig-dst "$SRV" --orig-port-src 40000 2>/dev/null)
log "$ct"
[ "$(grep -o 'zone-orig=[0-9]*' <<<"$ct" | sort -u | wc -l)" -eq 2 ] ||
	fail "expected two flows from 10.0.0.2:40000, in two zones"
for round in 1 2 3; do
	a=$(held_ping "$tmp/a" $round)
	b=$(held_ping "$tmp/b" $round)
	[ "$a" = "ok from-A $round" ] || fail "VPC A round $round got '$a'"
	[ "$b" = "ok from-B $round" ] || fail "VPC B round $round got '$b'"
done
log "overlap: each VPC got its own answers, with no host route to either"

# --- tightening B's policy ends B's flow; deleting ga ends A's ---
cat >"$tmp/none.json" <<'EOF'
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
 "Action": "*", "Resource": "*"}}
EOF
must vpcectl endpoint set gb policy "$tmp/none.json"
res=$(held_ping "$tmp/b" 4)
[ "${res%% *}" = ERROR ] || fail "B's flow survived a policy that denies it: $res"
[ "$(held_ping "$tmp/a" 4)" = "ok from-A 4" ] || fail "A's flow died with B's policy"
must vpcectl endpoint del ga
res=$(held_ping "$tmp/a" 5)
[ "${res%% *}" = ERROR ] || fail "A's flow survived the endpoint's deletion: $res"
conntrack -L -p tcp --orig-dst "$SRV" 2>/dev/null | grep -q "sport=40000 .*ESTABLISHED" &&
	fail "a flow of a deleted or denying endpoint is still established"
must vpcectl endpoint del gb
log "policy and deletion ended the live flows"

# --- pending leaves the VPC alone; accept takes it over; reject ends ---
ip route add 10.0.0.0/24 dev va || fail "host route to A"
must vpcectl service set s3 acceptance-required on
must vpcectl endpoint add gp vpc A service s3 type gateway mark 0x42
before=$(ctr a_marked)
out=$(tcp_query vpca "$SRV" 9000) || fail "VPC A with a pending endpoint cannot reach $SRV as routed"
[ "$(ctr a_marked)" -eq "$before" ] && [ "$(ep_stat gp new-connections)" -eq 0 ] ||
	fail "a pending endpoint took VPC A's flow"
held_start vpca "$tmp/p" "$SRV" 8080 --tag pending
must vpcectl connection accept s3 gp
res=$(held_ping "$tmp/p" 1)
[ "${res%% *}" = ERROR ] || fail "a flow from before the accept survived it: $res"
held_start vpca "$tmp/q" "$SRV" 8080 --tag accepted
[ "$(held_ping "$tmp/q" 1)" = "ok accepted 1" ] || fail "no traffic after accept"
[ "$(ep_stat gp new-connections)" -eq 1 ] || fail "gp new-connections $(ep_stat gp new-connections)"
[ "$(ctr a_marked)" -gt "$before" ] || fail "flows after accept are not marked"
must vpcectl connection reject s3 gp
res=$(held_ping "$tmp/q" 2)
[ "${res%% *}" = ERROR ] || fail "the live flow survived the reject: $res"
out=$(tcp_query vpca "$SRV" 9000) || fail "VPC A with a rejected endpoint cannot reach $SRV as routed"
log "pending/accept/reject: ok"

got=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    o = e.get("endpoint") or {}
    if o.get("name") == "gp":
        print(e["event"], o["state"])
' "$tmp/events")
want="requested pendingAcceptance
accepted available
connected available
rejected rejected"
[ "$got" = "$want" ] || fail "events of gp: $got"
must vpcectl endpoint del gp
must vpcectl service set s3 acceptance-required off

# --- bad input: clear errors, nothing changes ---
must vpcectl service add isvc account 333333333333 listener tcp:80:8080 nlb "$NLB"
must vpcectl service allow isvc principal 111111111111
must vpcectl service add s3b account 333333333333 type gateway prefix 192.168.1.8/29 prefix 10.9.0.0/16
must vpcectl service allow s3b principal '*'
must vpcectl endpoint add ga vpc A service s3 type gateway mark 0x42 policy "$tmp/ports.json"
before=$(vpcectl save) || fail "save"
bad() {
	local want=$1 err
	shift
	err=$(vpcectl "$@" 2>&1) && fail "'vpcectl $*' succeeded"
	log "refused: $err"
	grep -q "^vpcectl: .*$want" <<<"$err" || fail "'vpcectl $*': unclear error '$err'"
}
bad 'gateway service takes no "listener"' service add x account 333333333333 type gateway prefix 10.8.0.0/16 listener tcp:80
bad '"prefix" is for gateway services' service add x account 333333333333 listener tcp:80 nlb "$NLB" prefix 10.8.0.0/16
bad 'host bits set' service add x account 333333333333 type gateway prefix 10.8.0.1/16
bad 'length 0' service add x account 333333333333 type gateway prefix 0.0.0.0/0
bad 'not an address' service add x account 333333333333 type gateway prefix 10.8.0.256/24
bad 'prefixes of the service overlap' service add x account 333333333333 type gateway prefix 10.8.0.0/16 prefix 10.8.1.0/24
bad 'gateway endpoint takes no "addr"' endpoint add x vpc B service s3 type gateway addr 10.0.0.100
bad 'is an interface service' endpoint add x vpc B service isvc type gateway
bad 'is a gateway service' endpoint add x vpc B service s3 addr 10.0.0.100
bad '"mark" is for gateway endpoints' endpoint add x vpc A service isvc addr 10.0.0.100 mark 1
bad 'out of range' endpoint add x vpc B service s3 type gateway mark 0x100000000
bad 'not a number' endpoint add x vpc B service s3 type gateway mark 4x
bad 'overlap those of gateway endpoint ga' endpoint add x vpc A service s3b type gateway
bad 'no targets' target add s3 192.168.1.10
[ "$(vpcectl save)" = "$before" ] || fail "a refused command changed the state"

# --- save, flush, restore: the same, byte for byte ---
must vpcectl endpoint add gb vpc B service s3b type gateway mark 7
must vpcectl connection reject s3b gb
s1=$(vpcectl save) || fail "save"
log "$s1"
grep -qx "service add s3 account 333333333333 type gateway prefix 192.168.1.0/28" <<<"$s1" ||
	fail "save lacks the gateway service"
grep -Eq "^endpoint add ga vpc A service s3 type gateway mark 0x42 id vpce-[0-9a-f]{17} requester arn:aws:iam::111111111111:root policy-json " <<<"$s1" ||
	fail "save lacks the gateway endpoint"
must vpcectl flush
[ -z "$(vpcectl save)" ] || fail "flush left state"
printf '%s\n' "$s1" | vpcectl restore - || fail "restore"
s2=$(vpcectl save)
[ "$s1" = "$s2" ] || fail "round trip differs:
$(diff <(echo "$s1") <(echo "$s2"))"
out=$(tcp_query vpca "$SRV" 8080) || fail "no traffic through the restored endpoint"
[ "$(ep_stat ga new-connections)" -eq 1 ] || fail "the restored endpoint did not count the flow"
log "save/restore round trip: identical"
exit 0
