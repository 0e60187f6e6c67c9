#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpced with 2,000 targets on its one event loop, TCP checks every 5 s
# (400 checks a second):
#  - the 200 targets registered unhealthy are healthy within about an
#    interval plus healthy-threshold intervals, and all 2,000 are healthy
#    then (the other 1,800, registered healthy as new targets are, stayed
#    so: their checks pass);
#  - its CPU time (utime + stime, /proc/PID/stat) over two windows of two
#    intervals each is bounded (under half a CPU) and steady (the second
#    window within twice the first, plus 0.2 s for the clock's ticks), and
#    the checks really ran at their cadence meanwhile (the host's TCP
#    active opens: at least 90% of 2,000 per interval);
#  - a target whose server stops is unhealthy within interval x
#    unhealthy-threshold (plus 4 s of slack for a loaded emulated VM).
#
# The targets: 1,999 addresses of 10.200.0.0/20, local to netns prov
# (ip route add local), where one listener on port 8080 answers them all:
# with TCP_DEFER_ACCEPT the kernel completes each handshake (a TCP check
# asks no more) and nothing reaches the server unless data comes, so the
# server costs nothing and the CPU measured is vpced's. The 2,000th,
# 192.168.1.2 of service "one", has a server of its own (port 8081) that
# the test stops. Services "s0" and "s1" hold 1,000 and 999 targets (a
# service has at most VPCE_TARGETS_MAX, 1,024).

# timeout: 240
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd python3 vpced
# A CPU bound means nothing under KASAN and lockdep, and 2,000 Maglev
# rebuilds take minutes there.
[ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ] && skip "CPU figures and 2,000 targets are for the production kernel"
load_vpce
tmp=$(mktemp -d)
defer rm -rf "$tmp"

mk_ns prov
mk_veth vprov prov eth0 192.168.1.2/24 192.168.1.1/24
ip -n prov route add local 10.200.0.0/20 dev lo || fail "local route in prov"
ip route add 10.200.0.0/20 via 192.168.1.2 || fail "route to 10.200.0.0/20"	# gone with vprov

cat >"$tmp/listen.py" <<'EOF'
import signal, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 30)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4096)
signal.pause()
EOF
ip netns exec prov python3 "$tmp/listen.py" 0.0.0.0 8080 </dev/null &
defer kill $!
ip netns exec prov python3 "$tmp/listen.py" 192.168.1.2 8081 </dev/null &
ONE=$!
defer kill $ONE
listening() { ip netns exec prov ss -Hltn "sport = :$1" | grep -q .; }
wait_for 30 listening 8080 || fail "no listener on 8080"
wait_for 30 listening 8081 || fail "no listener on 8081"

# The configuration as one batch: 3 services, 2,000 targets, 200 of them
# unhealthy. (Not all: each change of health rebuilds the service's Maglev
# tables in the kernel, which the emulated VM takes a while over; 200 show
# the changes at scale, and the test stays within its time.)
{
	for s in s0 s1 one; do
		echo "service add $s account 333333333333 listener tcp:80:8080 nlb 192.168.1.1"
	done
	echo "service set s0 health-check tcp interval 5 healthy-threshold 2 unhealthy-threshold 2"
	echo "service set s1 health-check tcp interval 5 healthy-threshold 2 unhealthy-threshold 2"
	echo "service set one health-check tcp port 8081 interval 5 healthy-threshold 2 unhealthy-threshold 2"
	echo "target add one 192.168.1.2"
	for i in $(seq 1 1999); do
		addr="10.200.$((i / 256)).$((i % 256))"
		s=s$((i < 1000 ? 0 : 1))
		echo "target add $s $addr"
		[ "$i" -le 1799 ] || echo "target set $s $addr health unhealthy"
	done
} >"$tmp/batch"
t0=$EPOCHREALTIME
must vpcectl restore "$tmp/batch"
log "2000 targets registered in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
# healthy : how many targets are healthy. A dump that vpced's changes keep
# interrupting is refused ("the state kept changing"): asked again.
healthy() {
	local i out
	for i in 1 2 3 4 5; do
		out=$(vpcectl target show) && break
		sleep 0.5
	done
	grep -c ' health healthy' <<<"$out"
}
[ "$(healthy)" = 1800 ] || fail "$(healthy) targets healthy before vpced, not 1800 (1799 of s0 and s1, and one)"

vpced >"$tmp/log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
t0=$EPOCHREALTIME
wait_for 10 grep -q 'checking 2000 targets' "$tmp/log" ||
	fail "vpced does not check 2000 targets: $(cat "$tmp/log")"
ups() { grep -c 'unhealthy -> healthy after 2 successful checks' "$tmp/log"; }
wait_for 40 eval '[ "$(ups)" -ge 200 ]' ||
	fail "$(ups) of 200 targets healthy: $(tail -n 5 "$tmp/log")"
log "200 unhealthy targets healthy $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s after vpced started"
grep -q -- '-> unhealthy' "$tmp/log" && fail "vpced failed targets: $(grep -m5 -- '-> unhealthy' "$tmp/log")"
[ "$(healthy)" = 2000 ] || fail "$(healthy) of 2000 targets healthy"

# cpu : vpced's utime + stime, in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$VPCED/stat"; }
# sys : the stime part: the kernel's work in its calls, the TCP of both
# ends of each check included (veth delivers in the sender's context).
sys() { awk '{ print $15 }' "/proc/$VPCED/stat"; }
# opens : the host's TCP active opens (the checks' connects).
opens() { awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ActiveOpens") c = i; h = 1 } else print $c }' /proc/net/snmp; }
hz=$(getconf CLK_TCK)
window=10
declare -a used
for w in 1 2; do
	c0=$(cpu) s0=$(sys) o0=$(opens) t0=$EPOCHREALTIME
	sleep "$window"
	c1=$(cpu) s1=$(sys) o1=$(opens) t1=$EPOCHREALTIME
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	used[w]=$(awk -v c=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }')
	log "window $w: vpced used ${used[w]} s of CPU in $secs s (system $(awk -v c=$((s1 - s0)) -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }') s); $((o1 - o0)) checks"
	awk -v o=$((o1 - o0)) -v s="$secs" 'BEGIN { exit !(o >= 0.9 * 2000 * s / 5) }' ||
		fail "window $w: $((o1 - o0)) checks in $secs s, not 2000 every 5 s"
	awk -v u="${used[w]}" -v s="$secs" 'BEGIN { exit !(u < 0.5 * s) }' ||
		fail "window $w: vpced used ${used[w]} s of CPU in $secs s (half a CPU or more)"
done
awk -v a="${used[1]}" -v b="${used[2]}" 'BEGIN { exit !(b <= 2 * a + 0.2 && a <= 2 * b + 0.2) }' ||
	fail "vpced's CPU is not steady: ${used[1]} s, then ${used[2]} s"
grep -q -- '-> unhealthy' "$tmp/log" && fail "vpced failed targets: $(grep -m5 -- '-> unhealthy' "$tmp/log")"
[ "$(healthy)" = 2000 ] || fail "only $(healthy) of 2000 targets stayed healthy: $(tail -n 5 "$tmp/log")"

# One target's server stops.
kill "$ONE"
stopped=$EPOCHREALTIME
health_one() { vpcectl target show one | grep -q '192.168.1.2 .*health unhealthy'; }
wait_for 14 health_one ||
	fail "192.168.1.2 not unhealthy 14 s after its server stopped: $(vpcectl target show one); $(tail -n 5 "$tmp/log")"
took=$(awk -v a="$stopped" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -q 'service one target 192.168.1.2: healthy -> unhealthy after 2 failed checks (Connection refused)' "$tmp/log" ||
	fail "the change is not logged: $(tail -n 5 "$tmp/log")"
[ "$(healthy)" = 1999 ] || fail "$(healthy) targets healthy, not the other 1999"
log "192.168.1.2's server stopped: unhealthy after ${took}s (interval 5 s x threshold 2)"
kill "$VPCED"
exit 0
