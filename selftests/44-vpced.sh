#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpced, the health check daemon, against real servers:
#  - TCP check (interval 5 s, the NLB's shortest, thresholds 2): a killed
#    target is marked unhealthy within interval x unhealthy-threshold (plus
#    4 s of slack), gets no new flows, and is marked healthy again once it
#    is back and has passed healthy-threshold checks; every change is
#    logged;
#  - HTTP check: a path answering 404 fails every target (the service then
#    fails open); the same path with a matcher that has 404 brings them
#    back;
#  - a draining target is left alone;
#  - SIGTERM ends vpced at once with status 0.

# timeout: 300
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 vpced
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# HTTP servers on every target, port 8081: "/" answers 200, others 404.
for t in $TARGETS; do
	mkdir -p "$tmp/www$t"
	ip netns exec prov python3 -m http.server --bind "192.168.1.$t" \
		--directory "$tmp/www$t" 8081 >"$tmp/http$t.log" 2>&1 </dev/null &
	defer kill $!
done
for t in $TARGETS; do
	wait_for 30 _pl_bound prov -Hltn "192.168.1.$t:8081" ||
		fail "no HTTP server on 192.168.1.$t: $(cat "$tmp/http$t.log")"
done

must vpcectl service set svc health-check tcp interval 5 healthy-threshold 2 \
	unhealthy-threshold 2
vpcectl service show svc | grep -q 'health-check tcp interval 5 timeout 4 healthy-threshold 2 unhealthy-threshold 2' ||
	fail "health check not shown: $(vpcectl service show svc)"

vpced -r 1 >"$tmp/log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 5 grep -q 'checking 3 targets' "$tmp/log" ||
	fail "vpced did not start checking: $(cat "$tmp/log")"
sleep 3
vpcectl target show svc | grep -q unhealthy &&
	fail "vpced marked a live target unhealthy: $(cat "$tmp/log")"

health() {
	vpcectl target show svc | awk -v a="$1" '$3 == a { for (i = 1; i < NF; i++) if ($i == "health") print $(i + 1) }'
}

# Kill srv11's TCP server: the one listening on 192.168.1.11:8080.
pid=$(ip netns exec prov ss -Hltnp src 192.168.1.11:8080 | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)
[ -n "$pid" ] || fail "cannot find srv11's server"
kill "$pid"
killed=$EPOCHREALTIME
wait_for 14 eval '[ "$(health 192.168.1.11)" = unhealthy ]' ||
	fail "srv11 not unhealthy 14 s after it died: $(health 192.168.1.11); log: $(cat "$tmp/log")"
took=$(awk -v a="$killed" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
log "killed srv11: unhealthy after ${took}s (interval 5 s x threshold 2)"
grep -q 'service svc target 192.168.1.11: healthy -> unhealthy after 2 failed checks (Connection refused)' "$tmp/log" ||
	fail "the change is not logged: $(cat "$tmp/log")"
out=$(ns_query vpca "$EP_ADDR" 80 --count 20) || fail "new flows failed: $out"
grep -q '^srv11 ' <<<"$out" && fail "a new flow went to the dead target"

pl_server prov 192.168.1.11 8080 srv11 tcp --hold
back=$EPOCHREALTIME
wait_for 14 eval '[ "$(health 192.168.1.11)" = healthy ]' ||
	fail "srv11 not healthy again: $(cat "$tmp/log")"
took=$(awk -v a="$back" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
log "srv11 back: healthy after ${took}s"
grep -q 'service svc target 192.168.1.11: unhealthy -> healthy after 2 successful checks' "$tmp/log" ||
	fail "the change back is not logged: $(cat "$tmp/log")"

# Draining targets are not vpced's: a dead draining target stays draining.
must vpcectl target set svc 192.168.1.12 health draining
sleep 6		# more than an interval
[ "$(health 192.168.1.12)" = draining ] || fail "vpced touched a draining target"
must vpcectl target set svc 192.168.1.12 health healthy

# HTTP: a missing path fails everyone; with 404 in the matcher it passes.
must vpcectl service set svc health-check http:/missing port 8081 interval 5 \
	healthy-threshold 2 unhealthy-threshold 2
wait_for 15 eval '[ "$(vpcectl target show svc | grep -c unhealthy)" = 3 ]' ||
	fail "HTTP 404 did not fail every target: $(vpcectl target show svc); $(cat "$tmp/log")"
grep -q '(HTTP status 404)' "$tmp/log" || fail "404 not logged"
log "HTTP GET /missing: every target unhealthy"
out=$(ns_query vpca "$EP_ADDR" 80 --count 10) || fail "fail-open flows failed: $out"
must vpcectl service set svc health-check http:/missing port 8081 interval 5 \
	healthy-threshold 2 unhealthy-threshold 2 matcher 200-299,404
vpcectl service show svc | grep -q 'health-check http:/missing port 8081 interval 5 timeout 4 healthy-threshold 2 unhealthy-threshold 2 matcher 200-299,404$' ||
	fail "HTTP health check not shown: $(vpcectl service show svc)"
wait_for 15 eval '[ "$(vpcectl target show svc | grep -c " healthy")" = 3 ]' ||
	fail "matcher 200-299,404 did not bring the targets back: $(cat "$tmp/log")"
log "HTTP GET /missing with matcher 200-299,404: every target healthy again"

kill -TERM "$VPCED"
wait_for 3 eval '! kill -0 $VPCED 2>/dev/null' || fail "vpced ignored SIGTERM"
wait "$VPCED"
rc=$?
[ "$rc" -eq 0 ] || fail "vpced exited $rc on SIGTERM"
grep -q 'Terminated: exiting' "$tmp/log" || fail "no exit message: $(cat "$tmp/log")"
log "vpced log:"
sed 's/^/  /' "$tmp/log"
exit 0
