#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters (vpcectl stats show, vpced /metrics), checked exactly against
# real flows: service "svc" has zones az1 (nlb 192.168.1.1, targets .10 and
# .11) and az2 (nlb 192.168.1.2, target .12); endpoint "epa" (VPC A) has
# 10.0.0.100 in az1 and 10.0.0.101 in az2, "epb" (VPC B) 10.0.0.100 in az1.
#  - 26 TCP connections: NewConnections 26 on the endpoint, its zone, the
#    service, its zone and summed over the targets; ActiveConnections back
#    to 0 once they have closed; BytesProcessed equal to what the client's
#    own nftables counters saw, both ways;
#  - UDP datagrams of a known size: exact bytes, computed from the payload;
#    live UDP flows are active;
#  - held TCP flows are active while held, not after;
#  - a client's reset (SO_LINGER 0) is RstPacketsReceived; a target's reset
#    and vpce's own are RstPacketsSent; refusals are counted by reason;
#  - EndpointsCount; JSON keys; promtool accepts both the vpcectl and the
#    vpced output, with the same values; bad input is refused.
#
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
need_cmd jq
need_cmd nft
need_cmd curl
PROMTOOL=$(command -v promtool || echo /usr/bin/promtool)
[ -x "$PROMTOOL" ] || skip "promtool (Debian package prometheus) is not installed"

load_vpce
pl_topology
ip addr add 192.168.1.2/32 dev vprov || fail "adding 192.168.1.2"

must vpcectl vpc add A account 111111111111 dev va
must vpcectl vpc add B account 222222222222 dev vb
# Port 81 goes to a port no target listens on: the target resets.
must vpcectl service add svc account 333333333333 listener tcp:80:8080 \
	listener tcp:81:9999 listener udp:53:5353 \
	nlb 192.168.1.1 zone az1 nlb 192.168.1.2 zone az2
must vpcectl service allow svc principal 111111111111
must vpcectl service allow svc principal 222222222222
must vpcectl target add svc 192.168.1.10 zone az1
must vpcectl target add svc 192.168.1.11 zone az1
must vpcectl target add svc 192.168.1.12 zone az2
must vpcectl endpoint add epa vpc A service svc \
	addr 10.0.0.100 zone az1 addr 10.0.0.101 zone az2
must vpcectl endpoint add epb vpc B service svc addr 10.0.0.100 zone az1

tmp=$(mktemp -d)
defer rm -rf "$tmp"

# The client's own count of the IP bytes it exchanged with 10.0.0.100.
ip netns exec vpca nft -f - <<'EOF' || fail "nft counters"
table ip count {
	chain out { type filter hook output priority 0; ip daddr 10.0.0.100 counter; }
	chain in { type filter hook input priority 0; ip saddr 10.0.0.100 counter; }
}
EOF
client_bytes() {
	ip netns exec vpca nft -j list table ip count |
		jq '[.nftables[].rule? | select(.) | .expr[] | .counter? | select(.) | .bytes] | add'
}

# st FILTER : a jq FILTER over `vpcectl -j stats show`, e.g.
# st '.[] | select(.name == "epa") | .NewConnections'
st() {
	vpcectl -j stats show | jq -r "$1"
}
ep() { st ".[] | select(.object == \"endpoint\" and .name == \"$1\") | $2"; }
epz() { st ".[] | select(.object == \"endpoint\" and .name == \"$1\") | .zones[] | select(.zone == \"$2\") | $3"; }
svc() { st ".[] | select(.object == \"service\" and .service == \"svc\") | $1"; }
svcz() { st ".[] | select(.object == \"service\" and .service == \"svc\") | .zones[] | select(.zone == \"$1\") | $2"; }
tsum() { st "[.[] | select(.object == \"target\") | $1] | add"; }
tgt() { st ".[] | select(.object == \"target\" and .addr == \"$1\") | $2"; }

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1 is ${2:-nothing}, not $3"
	log "$1 = $2"
}
# is CMD... VALUE : the command prints VALUE (for wait_for)
is() {
	local want=${*: -1}
	[ "$("${@:1:$#-1}")" = "$want" ]
}

# --- bad input ---------------------------------------------------------------
out=$(vpcectl stats show endpoint nosuch 2>&1) && fail "stats of a missing endpoint succeeded"
grep -q "^vpcectl: .*no such endpoint" <<<"$out" || fail "unclear error: $out"
out=$(vpcectl stats show target nosuch 2>&1) && fail "stats of a missing service succeeded"
grep -q "^vpcectl: .*no such service" <<<"$out" || fail "unclear error: $out"
must_fail vpcectl stats show endpoint
must_fail vpcectl stats show format xml
must_fail vpcectl stats show endpoint epa service svc
must_fail vpcectl stats show bogus

# --- nothing yet ---------------------------------------------------------------
expect "epa NewConnections (fresh)" "$(ep epa .NewConnections)" 0
expect "svc EndpointsCount" "$(svc .EndpointsCount)" 2
expect "zones of epa" "$(ep epa '[.zones[].zone] | join(",")')" "az1,az2"
expect "targets" "$(st '[.[] | select(.object == "target") | .addr] | join(",")')" \
	"192.168.1.10,192.168.1.11,192.168.1.12"

# --- 26 TCP connections ------------------------------------------------------
out=$(ns_query vpca 10.0.0.100 80 --count 26) || fail "connections failed: $out"
expect "epa NewConnections" "$(ep epa .NewConnections)" 26
expect "epa az1 NewConnections" "$(epz epa az1 .NewConnections)" 26
expect "epa az2 NewConnections" "$(epz epa az2 .NewConnections)" 0
expect "svc NewConnections" "$(svc .NewConnections)" 26
expect "svc az1 NewConnections" "$(svcz az1 .NewConnections)" 26
expect "targets' NewConnections" "$(tsum .NewConnections)" 26
expect "target .12 NewConnections (az2)" "$(tgt 192.168.1.12 .NewConnections)" 0
wait_for 10 is ep epa .ActiveConnections 0 ||
	fail "epa ActiveConnections stays $(ep epa .ActiveConnections) after the flows closed"
bytes=$(client_bytes)
[ "$bytes" -gt 0 ] || fail "the client counted no bytes"
expect "epa BytesProcessed (client's nft: $bytes)" "$(ep epa .BytesProcessed)" "$bytes"
expect "epa az1 BytesProcessed" "$(epz epa az1 .BytesProcessed)" "$bytes"
expect "svc BytesProcessed" "$(svc .BytesProcessed)" "$bytes"
expect "targets' BytesProcessed" "$(tsum .BytesProcessed)" "$bytes"

# --- UDP: bytes from the payload ---------------------------------------------
# 5 datagrams of 100 bytes, each from a new socket (a new flow), to az2;
# each reply's size is what the client received. IP + UDP headers: 28.
udp=$(ip netns exec vpca python3 -c '
import socket
total = 0
for i in range(5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(b"x" * 99 + b"\n", ("10.0.0.101", 53))
        total += 28 + 100 + 28 + len(s.recv(65536))
print(total)') || fail "UDP queries failed"
expect "epa az2 BytesProcessed (UDP, computed)" "$(epz epa az2 .BytesProcessed)" "$udp"
expect "epa BytesProcessed" "$(ep epa .BytesProcessed)" $((bytes + udp))
expect "epa az2 NewConnections" "$(epz epa az2 .NewConnections)" 5
expect "target .12 NewConnections" "$(tgt 192.168.1.12 .NewConnections)" 5
expect "target .12 BytesProcessed" "$(tgt 192.168.1.12 .BytesProcessed)" "$udp"
expect "svc az2 BytesProcessed" "$(svcz az2 .BytesProcessed)" "$udp"
# Live UDP flows are active until their idle timeout.
expect "epa az2 ActiveConnections (UDP)" "$(epz epa az2 .ActiveConnections)" 5
expect "target .12 ActiveConnections (UDP)" "$(tgt 192.168.1.12 .ActiveConnections)" 5

# --- held flows ----------------------------------------------------------------
for i in 1 2 3; do
	held_start vpca "$tmp/held$i" 10.0.0.100 80
done
expect "epa az1 ActiveConnections (3 held)" "$(epz epa az1 .ActiveConnections)" 3
expect "epa ActiveConnections" "$(ep epa .ActiveConnections)" 8
expect "svc ActiveConnections" "$(svc .ActiveConnections)" 8
expect "svc az1 ActiveConnections" "$(svcz az1 .ActiveConnections)" 3
expect "targets' ActiveConnections" "$(tsum .ActiveConnections)" 8
res=$(held_ping "$tmp/held1" 1)
[[ $res == ok* ]] || fail "held flow: $res"
touch "$tmp/held1/stop" "$tmp/held2/stop" "$tmp/held3/stop"
wait_for 10 is epz epa az1 .ActiveConnections 0 ||
	fail "epa az1 ActiveConnections stays $(epz epa az1 .ActiveConnections) after the held flows closed"
log "held flows closed: epa az1 ActiveConnections 0"
expect "epa az1 NewConnections" "$(epz epa az1 .NewConnections)" 29
expect "epa BytesProcessed (client's nft)" "$(ep epa .BytesProcessed)" $(($(client_bytes) + udp))

# --- resets ----------------------------------------------------------------------
ip netns exec vpca python3 -c '
import socket, struct
s = socket.create_connection(("10.0.0.100", 80), timeout=3)
s.recv(100)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' || fail "the resetting client failed"
expect "epa RstPacketsReceived" "$(ep epa .RstPacketsReceived)" 1
expect "epa az1 RstPacketsReceived" "$(epz epa az1 .RstPacketsReceived)" 1
# Resets sent so far: none are expected, but under a slow emulator a late
# segment can draw one (logged with the stale drops to tell whose); the
# checks below count from here.
rst0=$(svc .RstPacketsSent)
stale0=$(ep epa .drops.stale)
log "svc RstPacketsSent before the reset checks: $rst0 (epa stale drops: $stale0)"
# A target with nothing on the port resets: sent to the client.
tcp_query vpca 10.0.0.100 81 >/dev/null 2>&1 && fail "port 81 answered"
expect "svc RstPacketsSent (target's reset)" "$(svc .RstPacketsSent)" $((rst0 + 1))
# vpce refuses a port without a listener with a reset of its own.
tcp_query vpca 10.0.0.100 82 >/dev/null 2>&1 && fail "port 82 answered"
expect "svc RstPacketsSent (+ vpce's)" "$(svc .RstPacketsSent)" $((rst0 + 2))
expect "svc az1 RstPacketsSent" "$(svcz az1 .RstPacketsSent)" $((rst0 + 2))
expect "epa drops no_listener" "$(ep epa .drops.no_listener)" 1
# ... and UDP with an ICMP error, not a reset.
udp_query vpca 10.0.0.101 54 >/dev/null 2>&1 && fail "udp port 54 answered"
expect "epa az2 drops no_listener" "$(epz epa az2 .drops.no_listener)" 1
expect "epa PacketsDropped" "$(ep epa .PacketsDropped)" $((stale0 + 2))
expect "svc RstPacketsSent (no reset for UDP)" "$(svc .RstPacketsSent)" $((rst0 + 2))

# A policy that denies everything: epb refuses, counted under "policy".
printf '%s\n' '{"Version": "2012-10-17", "Statement": {"Effect": "Deny",' \
	'"Principal": "*", "Action": "*", "Resource": "*"}}' >"$tmp/deny.json"
must vpcectl endpoint set epb policy "$tmp/deny.json"
tcp_query vpcb 10.0.0.100 80 >/dev/null 2>&1 && fail "a denied flow got through"
expect "epb drops policy" "$(ep epb .drops.policy)" 1
expect "epb az1 drops policy" "$(epz epb az1 .drops.policy)" 1
expect "epb NewConnections" "$(ep epb .NewConnections)" 0
expect "svc RstPacketsSent" "$(svc .RstPacketsSent)" $((rst0 + 3))

# --- JSON --------------------------------------------------------------------
vpcectl -j stats show >"$tmp/all.json" || fail "stats show -j"
python3 -m json.tool "$tmp/all.json" >/dev/null || fail "stats show -j is not JSON"
for k in ActiveConnections NewConnections BytesProcessed PacketsDropped \
	RstPacketsReceived drops zones vpc service name; do
	jq -e ".[] | select(.name == \"epa\") | has(\"$k\")" "$tmp/all.json" >/dev/null ||
		fail "endpoint JSON has no \"$k\""
done
for k in ActiveConnections NewConnections BytesProcessed EndpointsCount RstPacketsSent zones; do
	jq -e ".[] | select(.object == \"service\") | has(\"$k\")" "$tmp/all.json" >/dev/null ||
		fail "service JSON has no \"$k\""
done
expect "stats show endpoint epa" "$(vpcectl -j stats show endpoint epa | jq -r '[.[].name] | join(",")')" epa
expect "stats show service svc" "$(vpcectl -j stats show service svc | jq -r '[.[].object] | join(",")')" service
expect "stats show target svc" "$(vpcectl -j stats show target svc | jq length)" 3
vpcectl stats show >"$tmp/text" || fail "stats show (text)"
grep -Eq "^endpoint epa id vpce-[0-9a-f]{17} vpc A service svc" "$tmp/text" || fail "text output: $(cat "$tmp/text")"

# --- Prometheus ------------------------------------------------------------------
vpcectl stats show format prometheus >"$tmp/prom" || fail "format prometheus"
"$PROMTOOL" check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 ||
	fail "promtool refuses vpcectl's metrics: $(cat "$tmp/promtool")"
log "promtool accepts vpcectl's $(grep -vc '^#' "$tmp/prom") samples"
metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }
expect "vpce_endpoint_new_connections_total{epa}" \
	"$(metric "$tmp/prom" 'vpce_endpoint_new_connections_total{endpoint="epa",vpc="A",service="svc"}')" \
	"$(ep epa .NewConnections)"
expect "vpce_endpoint_zone_bytes_processed_total{epa,az2}" \
	"$(metric "$tmp/prom" 'vpce_endpoint_zone_bytes_processed_total{endpoint="epa",vpc="A",service="svc",zone="az2"}')" \
	"$udp"
expect "vpce_endpoint_packets_dropped_total{epb,policy}" \
	"$(metric "$tmp/prom" 'vpce_endpoint_packets_dropped_total{endpoint="epb",vpc="B",service="svc",reason="policy"}')" 1
expect "vpce_service_rst_packets_sent_total" \
	"$(metric "$tmp/prom" 'vpce_service_rst_packets_sent_total{service="svc"}')" $((rst0 + 3))
expect "vpce_service_endpoints" "$(metric "$tmp/prom" 'vpce_service_endpoints{service="svc"}')" 2
expect "vpce_target_new_connections_total{.12}" \
	"$(metric "$tmp/prom" 'vpce_target_new_connections_total{service="svc",target="192.168.1.12",zone="az2"}')" 5
grep -q '^# TYPE vpce_endpoint_active_connections gauge$' "$tmp/prom" ||
	fail "no gauge TYPE line for vpce_endpoint_active_connections"

# vpced serves the same at /metrics.
vpced -r 3600 --metrics 127.0.0.1:9464 2>"$tmp/vpced.log" &
defer kill $!
wait_for 10 curl -sf -o /dev/null http://127.0.0.1:9464/metrics ||
	fail "vpced serves no /metrics: $(cat "$tmp/vpced.log")"
curl -sf http://127.0.0.1:9464/metrics >"$tmp/http" || fail "curl /metrics"
"$PROMTOOL" check metrics <"$tmp/http" >"$tmp/promtool" 2>&1 ||
	fail "promtool refuses vpced's metrics: $(cat "$tmp/promtool")"
vpcectl stats show format prometheus >"$tmp/prom" || fail "format prometheus"
diff -u "$tmp/prom" "$tmp/http" >"$tmp/diff" || fail "vpced and vpcectl differ: $(cat "$tmp/diff")"
log "vpced /metrics: promtool accepts it; the same as vpcectl's"
code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9464/nothing)
expect "HTTP status of /nothing" "$code" 404

# --- counters go with their objects ------------------------------------------
must vpcectl target del svc 192.168.1.12
expect "targets after del" "$(vpcectl -j stats show target svc | jq length)" 2
must vpcectl endpoint del epb
expect "svc EndpointsCount after del" "$(svc .EndpointsCount)" 1
exit 0
