#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn under load.  While clients in both VPCs keep opening connections to
# the endpoint, a loop adds and deletes targets (two extra ones, with servers
# of their own), a second endpoint of a second service, principal bindings
# and, where the module takes them, endpoint policies, as fast as vpcectl
# goes (several changes per second).  Throughout, flows established to the
# targets that stay must keep working, the clients' connections must succeed
# (a flow caught on a target the very moment it is deleted may fail: at most
# 5% do), and at the end the configuration must be what it was before.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
CHURN_SECS=${VPCE_CHURN_SECS:-15}

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# Flows established before the churn starts can only be on .10-.12, the
# targets that stay.
for i in 1 2 3 4 5 6; do
	ns=vpca
	[ $((i % 2)) -eq 0 ] && ns=vpcb
	held_start "$ns" "$tmp/h$i" "$EP_ADDR" 80 --sport $((42000 + i)) --tag h$i
done

# The churned targets, with servers, and a second service for the churned
# endpoint (it reuses the same target servers).
for t in 13 14; do
	ip -n prov addr add "192.168.1.$t/24" dev eth0 || fail "adding 192.168.1.$t"
	pl_server prov "192.168.1.$t" 8080 "srv$t" tcp --hold
done
must vpcectl service add svc2 account 333333333333 listener tcp:81:8080 nlb "$NLB"
must vpcectl service allow svc2 principal 111111111111
must vpcectl target add svc2 192.168.1.10

# Does this build take endpoint policies yet (another branch adds them)?
policy='{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
with_policy=0
if printf '%s' "$policy" | vpcectl endpoint set epa policy - >/dev/null 2>&1; then
	with_policy=1
	log "endpoint policies supported: churning them too"
fi
# The loop ends where it began (epa keeps the allow-all policy it sets).
before=$(vpcectl -j endpoint show; vpcectl -j target show; vpcectl -j service show)

churn() {
	local n=0 end=$((SECONDS + CHURN_SECS))
	# At least three rounds, however slow the kernel (debug: KASAN).
	while [ $SECONDS -lt $end ] || [ $n -lt 3 ]; do
		vpcectl target add svc 192.168.1.13
		vpcectl endpoint add epc vpc A service svc2 addr 10.0.0.101
		vpcectl target add svc 192.168.1.14
		vpcectl principal add A prefix 10.0.0.0/25 arn arn:aws:iam::111111111111:user/churn
		if [ $with_policy = 1 ]; then
			printf '%s' "$policy" | vpcectl endpoint set epc policy -
			printf '%s' "$policy" | vpcectl endpoint set epa policy -
		fi
		vpcectl target del svc 192.168.1.13
		vpcectl principal del A prefix 10.0.0.0/25
		vpcectl endpoint del epc
		vpcectl target del svc 192.168.1.14
		n=$((n + 1))
		echo "$n" >"$tmp/churn.count"
	done
} >"$tmp/churn.log" 2>&1

ip netns exec vpca python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 100000 --timeout 2 >"$tmp/qa.out" 2>&1 &
qa=$!
ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 100000 --timeout 2 >"$tmp/qb.out" 2>&1 &
qb=$!
defer kill $qa $qb
wait_for 20 grep -q '^srv' "$tmp/qa.out" || fail "client A never got through"

churn_start=$SECONDS
churn &
churner=$!
defer kill $churner

# Ping the established flows now and then while the churn goes on.
round=0
while kill -0 $churner 2>/dev/null; do
	round=$((round + 1))
	for i in 1 2 3 4 5 6; do
		res=$(held_ping "$tmp/h$i" $round)
		[ "$res" = "ok h$i $round" ] ||
			fail "established flow h$i broke during churn (round $round): $res"
	done
	sleep 1
done
wait $churner
kill $qa $qb 2>/dev/null
wait $qa $qb 2>/dev/null

iters=$(cat "$tmp/churn.count" 2>/dev/null || echo 0)
changes=$((iters * (8 + 2 * with_policy)))
log "churn: $iters rounds, $changes changes in $((SECONDS - churn_start))s; $round pings of 6 established flows, all answered"
[ "$iters" -ge 3 ] || fail "the churn loop barely ran ($iters rounds): $(tail -n 5 "$tmp/churn.log")"
# Every vpcectl command of the loop must have succeeded: the loop's order
# makes each one valid.
if grep -q . "$tmp/churn.log"; then
	fail "churn commands failed: $(sort "$tmp/churn.log" | uniq -c | head -n 5)"
fi

total=$(cat "$tmp/qa.out" "$tmp/qb.out" | wc -l)
errors=$(cat "$tmp/qa.out" "$tmp/qb.out" | grep -c '^ERROR')
log "clients: $total connections during churn, $errors failed"
[ "$total" -ge 20 ] || fail "clients made only $total connections"
[ $((errors * 100)) -le $((total * 5)) ] ||
	fail "$errors of $total client connections failed: $(grep '^ERROR' "$tmp/qa.out" "$tmp/qb.out" | sort | uniq -c | head -n 3)"

after=$(vpcectl -j endpoint show; vpcectl -j target show; vpcectl -j service show)
# Counters moved; compare the objects without them.  Each vpcectl -j
# prints one JSON array; an empty parse fails rather than compares equal.
strip() { python3 -c '
import json, sys
text, dec, pos, n = sys.stdin.read(), json.JSONDecoder(), 0, 0
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    doc, pos = dec.raw_decode(text, pos)
    n += 1
    for o in doc:
        o.pop("stats", None)
        print(json.dumps(o, sort_keys=True))
sys.exit(0 if n == 3 else 1)'; }
b=$(strip <<<"$before") || fail "cannot parse vpcectl -j output: $before"
a=$(strip <<<"$after") || fail "cannot parse vpcectl -j output: $after"
[ -n "$b" ] && [ "$b" = "$a" ] ||
	fail "configuration differs after the churn: $(diff <(echo "$b") <(echo "$a") | head -n 10)"
exit 0
