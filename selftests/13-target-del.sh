#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Removing a target: its flows end at once (gone from "vpcectl flow show"), new
# flows avoid it, and established flows to the other targets survive.
# Half-closed flows (the target has closed its side, the client has not:
# CLOSE_WAIT) to the removed target get a reset at once as well, so the
# client's socket goes; those to other targets stay.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd jq python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
# Twelve established flows from both VPCs; the flow hash spreads them.
# Fixed source ports and hash seed: the same spread in every run (below).
must vpcectl service set svc hash-seed 0f1e2d3c4b5a69788796a5b4c3d2e1f0
pl_held_both "$tmp" 12 41000
to10=$(grep -l "^srv10 " "$tmp"/*/greeting | wc -l)
log "flows per target: $(cat "$tmp"/*/greeting | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')"
[ "$to10" -ge 1 ] && [ "$to10" -le 11 ] ||
	fail "need flows both to and not to 192.168.1.10 (got $to10 of 12 to it)"

must vpcectl target del svc 192.168.1.10
[ -z "$(vpcectl flow show target 192.168.1.10)" ] ||
	fail "flows to 192.168.1.10 are left: $(vpcectl flow show target 192.168.1.10)"
vpcectl target show svc | grep -q 192.168.1.10 && fail "target still listed"

for i in $(seq 1 12); do
	res=$(held_ping "$tmp/$i" 1)
	if grep -q "^srv10 " "$tmp/$i/greeting"; then
		[ "${res%% *}" = ERROR ] || fail "flow $i to the removed target still works: $res"
	else
		[ "$res" = "ok c$i 1" ] || fail "flow $i to another target broke: $res"
	fi
done
log "flows to 192.168.1.10 ended, the $((12 - to10)) others still answer"

spread=$(ns_query vpca "$EP_ADDR" 80 --count 30) || fail "new flows failed: $spread"
grep -q "^srv10 " <<<"$spread" && fail "a new flow went to the removed target"
log "30 new flows: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"

# --- half-closed flows ---------------------------------------------------------
# Service "once" (port 81) answers with the server's name and closes; the
# clients keep their side open: CLOSE_WAIT until they close, which they do
# only when told to.
for t in $TARGETS; do
	pl_server prov "192.168.1.$t" 8081 "srv$t"
done
must vpcectl service add once account 333333333333 listener tcp:81:8081 nlb "$NLB"
must vpcectl service allow once principal 111111111111
for t in $TARGETS; do
	must vpcectl target add once "192.168.1.$t"
done
# A fixed hash seed and fixed source ports make the spread over the targets
# the same in every run: 12 ephemeral ports all missed 192.168.1.10 (or all
# hit it) in about one run of 130, and the test needs both kinds.
must vpcectl service set once hash-seed 0f1e2d3c4b5a69788796a5b4c3d2e1f0
must vpcectl endpoint add epo vpc A service once addr 10.0.0.101
cat >"$tmp/halfopen.py" <<'PY'
import os, socket, sys, time
d = sys.argv[1]
s = socket.create_connection(("10.0.0.101", 81), timeout=10,
                             source_address=("", int(sys.argv[2])))
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
# The server has closed; this side stays open (CLOSE_WAIT) until told.
with open(os.path.join(d, "greeting.tmp"), "w") as f:
    f.write("%s %d\n" % (data.decode().split()[0], s.getsockname()[1]))
os.rename(os.path.join(d, "greeting.tmp"), os.path.join(d, "greeting"))
while not os.path.exists(os.path.join(d, "stop")):
    time.sleep(0.1)
PY
for i in $(seq 1 12); do
	mkdir -p "$tmp/o$i"
	ip netns exec vpca python3 "$tmp/halfopen.py" "$tmp/o$i" $((43000 + i)) </dev/null &
	defer touch "$tmp/o$i/stop"
done
for i in $(seq 1 12); do
	wait_for 20 test -s "$tmp/o$i/greeting" || fail "half-closed client $i: no answer"
done
# close_wait PORT : the client's socket from PORT is in CLOSE_WAIT
close_wait() {
	ip netns exec vpca ss -Htn state close-wait "( sport = :$1 )" | grep -q .
}
gone() { ! close_wait "$1"; }
half10=0
for i in $(seq 1 12); do
	read -r name port <"$tmp/o$i/greeting"
	close_wait "$port" || fail "client $i ($name, port $port) is not in CLOSE_WAIT"
	[ "$name" != srv10 ] || half10=$((half10 + 1))
done
[[ $half10 -ge 1 && $half10 -le 11 ]] ||
	fail "need half-closed flows both to and not to 192.168.1.10 (got $half10 of 12 to it)"
ncw=$(vpcectl -j flow show endpoint epo | jq '[.[] | select(.state == "close-wait")] | length')
[ "$ncw" -eq 12 ] || fail "$ncw of the 12 half-closed flows are close-wait: $(vpcectl flow show endpoint epo)"
must vpcectl target del once 192.168.1.10
for i in $(seq 1 12); do
	read -r name port <"$tmp/o$i/greeting"
	if [ "$name" = srv10 ]; then
		wait_for 10 gone "$port" ||
			fail "half-closed client $i of the removed target got no reset: still CLOSE_WAIT"
	else
		close_wait "$port" || fail "half-closed client $i of $name lost its socket"
	fi
done
log "$half10 half-closed flows to the removed target reset at once, $((12 - half10)) others left alone"
exit 0
