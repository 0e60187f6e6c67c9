#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tearing everything down under bulk traffic, in both ways vpce tracks flows
# (conntrack=0, its own table; conntrack=1, conntrack's). Bulk TCP
# transfers through both VPCs' endpoints (two at a time in each, started
# again whenever they are cut) and a client opening connection after
# connection keep the CPUs busy in the packet path while a loop, as fast as vpcectl goes, runs
# `flush` + `restore` and deletes the endpoints and the service and adds
# them again. A packet that found its flow just before the flow was ended
# may still be reading the service through it (its idle timeout, on every
# packet of an established flow of vpce's own table) when the service goes:
# everything it reaches must outlive it by a grace period. The kernel log
# must stay clean (selftests/run checks it too), and traffic must resume.
# More CPUs make the race likelier: VM_SMP=4 scripts/vm-run -- selftests/run 58.
#
# timeout: 400

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq
CHURN_SECS=${VPCE_CHURN_SECS:-40}

pl_topology
# One bulk server answers on every target's address.
ip netns exec prov python3 "$SELFTESTS/bulk.py" serve 9000 >/dev/null 2>&1 &
defer kill $!
wait_for 10 ns_listening prov 9000 || fail "no bulk server"
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# The service, its targets and the endpoints: pl_config's, with a listener
# for the bulk server.
svc_add() {
	local t

	vpcectl service add svc account 333333333333 listener tcp:80:8080 \
		listener tcp:9000:9000 nlb "$NLB" &&
		vpcectl service allow svc principal 111111111111 &&
		vpcectl service allow svc principal 222222222222 || return 1
	for t in $TARGETS; do
		vpcectl target add svc "192.168.1.$t" || return 1
	done
	vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR" &&
		vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR"
}

svc_del() {
	vpcectl endpoint del epa && vpcectl endpoint del epb &&
		vpcectl service del svc
}

# bulk NS : 20 MB transfers from NS through the endpoint, one after the
# other.
bulk() {
	while [ ! -e "$tmp/stop" ]; do
		ip netns exec "$1" python3 "$SELFTESTS/bulk.py" get "$EP_ADDR" 9000 \
			--size 20000000 --timeout 2 >/dev/null 2>&1 || sleep 0.2
	done
}

# churn : the teardowns, as fast as they go, for CHURN_SECS (and at least
# three rounds however slow the kernel).
churn() {
	local n=0 end=$((SECONDS + CHURN_SECS))

	while [ $SECONDS -lt $end ] || [ $n -lt 3 ]; do
		vpcectl flush || echo "flush failed"
		vpcectl restore "$tmp/state" || echo "restore failed"
		sleep 0.3
		svc_del || echo "deleting the service failed"
		svc_add || echo "adding the service failed"
		sleep 0.3
		n=$((n + 1))
		echo "$n" >"$tmp/churn.count"
	done
} >"$tmp/churn.log" 2>&1

for ct in 0 1; do
	load_vpce conntrack=$ct
	rm -f "$tmp/stop" "$tmp/churn.count"
	must vpcectl vpc add A account 111111111111 dev va
	must vpcectl vpc add B account 222222222222 dev vb
	svc_add >/dev/null || fail "conntrack=$ct: configuring"
	vpcectl save >"$tmp/state" || fail "conntrack=$ct: vpcectl save"

	pids=()
	for ns in vpca vpca vpcb vpcb; do
		bulk "$ns" &
		pids+=($!)
	done
	ip netns exec vpca python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 \
		--count 1000000 --timeout 1 >"$tmp/q.out" 2>&1 &
	pids+=($!)
	defer kill "${pids[@]}"
	wait_for 20 grep -q '^srv' "$tmp/q.out" ||
		fail "conntrack=$ct: no traffic before the churn"
	# A megabyte: the debug kernel under emulation moves little more in
	# the time allowed.
	wait_for 20 sh -c "vpcectl -j stats show service svc | jq -e '.[0].BytesProcessed > 1000000'" ||
		fail "conntrack=$ct: no bulk traffic before the churn"

	start=$SECONDS
	churn
	touch "$tmp/stop"
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	rounds=$(cat "$tmp/churn.count" 2>/dev/null || echo 0)
	log "conntrack=$ct: $rounds rounds of flush+restore and service del+add in $((SECONDS - start)) s under traffic"
	[ "$rounds" -ge 3 ] || fail "conntrack=$ct: the churn barely ran: $(tail -n 3 "$tmp/churn.log")"
	if grep -q . "$tmp/churn.log"; then
		fail "conntrack=$ct: churn commands failed: $(sort "$tmp/churn.log" | uniq -c | head -n 5)"
	fi
	queries=$(grep -c '^srv' "$tmp/q.out")
	log "conntrack=$ct: $queries connections answered during the churn"

	# Traffic resumes, both kinds, in both VPCs.
	for ns in vpca vpcb; do
		tcp_query "$ns" "$EP_ADDR" 80 | grep -q '^srv' ||
			fail "conntrack=$ct: $ns: no answer after the churn"
		out=$(ip netns exec "$ns" python3 "$SELFTESTS/bulk.py" get "$EP_ADDR" 9000 \
			--size 5000000 2>&1) ||
			fail "conntrack=$ct: $ns: a bulk transfer after the churn got $out bytes"
	done
	bad=$(test_dmesg | grep -E 'Oops|BUG:|WARNING:|general protection|KASAN|refcount_t' | head -n 5)
	[ -z "$bad" ] || fail "conntrack=$ct: the kernel complained: $bad"
done
exit 0
