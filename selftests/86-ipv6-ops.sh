#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 with what operators run beside the packet path, on
# privatelink6.sh's topology (targets fd01::10-12, endpoint fd00:a::100):
#  - idle timeouts: an IPv6 flow's conntrack entry carries the service's
#    TCP and UDP idle timeouts, a change applies to live flows from their
#    next packet, and a packet of a TCP flow that is gone gets a reset,
#    counted as reset-stale;
#  - vpced's TCP health checks reach IPv6 targets: a killed target is
#    marked unhealthy and gets no new flows, and healthy again when it is
#    back, both logged with its address;
#  - the counters' Prometheus output labels IPv6 targets, promtool accepts
#    it, and the figures are those of the JSON output.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd conntrack python3 jq ss
pl6_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# --- idle timeouts -------------------------------------------------------------
held_start vpca "$tmp/a" "$EP6_ADDR" 80 --sport 44001 --tag a
[ "$(held_ping "$tmp/a" 1)" = "ok a 1" ] || fail "held connection a"
between "TCP, default idle timeout (350)" "$(ct_timeout tcp 44001 ipv6)" 340 350
must vpcectl service set svc idle-timeout 60
[ "$(held_ping "$tmp/a" 2)" = "ok a 2" ] || fail "held connection a, round 2"
between "TCP, live flow after idle-timeout 60" "$(ct_timeout tcp 44001 ipv6)" 50 60
out=$(ns_query vpca "$EP6_ADDR" 53 --udp --sport 44053) || fail "UDP: $out"
between "UDP (120)" "$(ct_timeout udp 44053 ipv6)" 110 120
touch "$tmp/a/stop"

# A flow whose entry is gone: a reset on its next packet.
stale=$(ep_stat epa reset-stale)
held_start vpca "$tmp/b" "$EP6_ADDR" 80 --sport 44002 --tag b
[ "$(held_ping "$tmp/b" 1)" = "ok b 1" ] || fail "held connection b"
conntrack -D -f ipv6 -p tcp --sport 44002 >/dev/null 2>&1 || fail "conntrack -D"
res=$(held_ping "$tmp/b" 2)
[[ $res == ERROR*reset* ]] || fail "deleted entry: want a reset, got: $res"
[ "$(ep_stat epa reset-stale)" -eq $((stale + 1)) ] ||
	fail "reset-stale is $(ep_stat epa reset-stale), not $((stale + 1))"
log "IPv6 flow without an entry: $res, counted"

# --- vpced: health checks of IPv6 targets ------------------------------------
health() {
	vpcectl target show svc | awk -v a="$1" '$3 == a { for (i = 1; i < NF; i++) if ($i == "health") print $(i + 1) }'
}
must vpcectl service set svc health-check tcp interval 5 healthy-threshold 2 \
	unhealthy-threshold 2
vpced -r 1 >"$tmp/log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 5 grep -q 'checking 3 targets' "$tmp/log" ||
	fail "vpced did not start checking: $(cat "$tmp/log")"
[ "$(health fd01::11)" = healthy ] || fail "fd01::11 is $(health fd01::11): $(vpcectl target show svc)"

pid=$(ip netns exec prov ss -Hltnp src "[fd01::11]:8080" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)
[ -n "$pid" ] || fail "cannot find srv11's server on fd01::11"
kill "$pid"
wait_for 14 eval '[ "$(health fd01::11)" = unhealthy ]' ||
	fail "fd01::11 not unhealthy after it died: $(health fd01::11); log: $(cat "$tmp/log")"
grep -q 'service svc target fd01::11: healthy -> unhealthy after 2 failed checks (Connection refused)' "$tmp/log" ||
	fail "the change is not logged: $(cat "$tmp/log")"
out=$(ns_query vpca "$EP6_ADDR" 80 --count 20) || fail "new flows failed: $out"
grep -q '^srv11 ' <<<"$out" && fail "a new flow went to the dead target"
log "fd01::11 killed: unhealthy, no new flows"

pl_server prov fd01::11 8080 srv11 tcp --hold
wait_for 14 eval '[ "$(health fd01::11)" = healthy ]' ||
	fail "fd01::11 not healthy again: $(cat "$tmp/log")"
grep -q 'service svc target fd01::11: unhealthy -> healthy after 2 successful checks' "$tmp/log" ||
	fail "the change back is not logged: $(cat "$tmp/log")"
log "fd01::11 back: healthy"
kill "$VPCED"

# --- Prometheus output with IPv6 labels ----------------------------------------
PROMTOOL=$(command -v promtool || echo /usr/bin/promtool)
[ -x "$PROMTOOL" ] || skip "promtool (Debian package prometheus) is not installed"
vpcectl stats show format prometheus >"$tmp/prom" || fail "format prometheus"
"$PROMTOOL" check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 ||
	fail "promtool refuses the metrics: $(cat "$tmp/promtool")"
for t in 10 11 12; do
	want=$(vpcectl -j stats show target svc |
		jq -r ".[] | select(.addr == \"fd01::$t\") | .NewConnections")
	[ -n "$want" ] || fail "no JSON counters for target fd01::$t"
	got=$(awk -v a="target=\"fd01::$t\"" \
		'/^vpce_target_new_connections_total\{/ && index($0, a) { print $NF }' "$tmp/prom")
	[ "$got" = "$want" ] || fail "fd01::$t: prometheus says '$got', JSON $want"
done
total=$(vpcectl -j stats show endpoint epa | jq -r '.[0].NewConnections')
[ "$total" -ge 22 ] || fail "epa NewConnections $total, want at least 22"
grep -q "^vpce_endpoint_new_connections_total{endpoint=\"epa\",vpc=\"A\",service=\"svc\"} $total\$" "$tmp/prom" ||
	fail "epa in prometheus: $(grep 'endpoint="epa"' "$tmp/prom" | head -3)"
log "prometheus: IPv6 targets labelled, the same figures as JSON"
exit 0
