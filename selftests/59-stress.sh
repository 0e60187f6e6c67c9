#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Concurrency stress of vpce's own flow table and of what it points at:
# everything that creates, uses and frees flows, services and endpoints, at
# once, on every CPU of the VM.
#
# - SYN floods from several sources at once, each pinned to its own CPU,
#   into a table held small (nf_conntrack_max) so that early drop runs all
#   the time;
# - bulk traffic (iperf3) and short connections throughout;
# - in a loop: `flow flush`, an endpoint deleted and added again, a second
#   service deleted and added again, and `flush` + `restore` of the whole
#   state (every service's timeouts, every endpoint's policy freed while
#   packets may still hold them).
#
# The runner fails the test on any oops, WARN, KASAN, lockdep or RCU stall
# report; afterwards the endpoint answers a new connection. Run it with
# VM_SMP=4 and on the debug kernel (make check KERNEL=debug): see
# Documentation/hardening.md.
#
# timeout: 900
# soak-timeout: 2400

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd hping3 iperf3 python3 taskset
SECS=${VPCE_STRESS_SECS:-40}
FLOOD=--flood
if [ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ]; then
	SECS=${VPCE_STRESS_SECS:-120}
	FLOOD="-i u200"
fi
ncpu=$(nproc)
log "$ncpu CPUs, $SECS s"

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
ip netns exec prov sysctl -qw net.ipv4.tcp_syncookies=1
max=$(sysctl -n net.netfilter.nf_conntrack_max)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
sysctl -qw net.netfilter.nf_conntrack_max=2048

# A second service with its own endpoint in VPC A, for bulk traffic and to
# be deleted under it.
pl_bulk "$tmp/iperf3-s.log"
vpcectl save >"$tmp/saved" || fail "vpcectl save"

stop=$tmp/stop
# loop NAME CMD... : run CMD again and again until the test says stop,
# counting the rounds. A round that hangs (iperf3 has no timeout of its own
# when its flow is ended under it) is cut short.
loop() {
	local name=$1 n=0
	shift
	while [ ! -e "$stop" ]; do
		timeout 30 "$@" >/dev/null 2>&1
		n=$((n + 1))
	done
	echo "$n" >"$tmp/$name.rounds"
}

pids=()
# Floods: one per CPU but one, from its own source address.
for i in $(seq 1 $((ncpu > 1 ? ncpu - 1 : 1))); do
	ip -n vpca addr add "10.0.0.$((10 + i))/24" dev eth0
	ip netns exec vpca taskset -c $((i % ncpu)) hping3 -q -S -p 80 $FLOOD \
		-a "10.0.0.$((10 + i))" -s $((1024 * i)) "$EP_ADDR" >/dev/null 2>&1 &
	pids+=($!)
done
loop bulk ip netns exec vpca iperf3 -c 10.0.0.101 -p 5201 -t 5 &
pids+=($!)
loop short ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 5 --timeout 2 &
pids+=($!)
loop udp ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 53 --udp --count 5 --timeout 2 &
pids+=($!)
loop flush vpcectl flow flush &
pids+=($!)
churn() {
	vpcectl endpoint del epb
	vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR"
	vpcectl endpoint del epbulk
	vpcectl service del bulk
	pl_bulk_add
	vpcectl flush
	vpcectl restore "$tmp/saved"
}
export -f churn pl_bulk_add
export EP_ADDR NLB tmp
loop churn bash -c churn &
pids+=($!)

end=$((SECONDS + SECS))
while [ $SECONDS -lt $end ]; do
	# The VM must stay responsive: a control-plane read in the midst.
	vpcectl flow show >/dev/null 2>&1 || true
	sleep 1
done
touch "$stop"
kill "${pids[@]:0:$((ncpu > 1 ? ncpu - 1 : 1))}" 2>/dev/null
for p in "${pids[@]}"; do
	wait "$p" 2>/dev/null
done
for l in bulk short udp flush churn; do
	log "$l: $(cat "$tmp/$l.rounds" 2>/dev/null || echo 0) rounds"
done
[ "$(cat "$tmp/churn.rounds" 2>/dev/null || echo 0)" -ge 2 ] || fail "the configuration churned fewer than two rounds"

# Whatever state the churn left, restore the saved one and check it works.
vpcectl flush >/dev/null 2>&1
must vpcectl restore "$tmp/saved"
sysctl -qw "net.netfilter.nf_conntrack_max=$max"
wait_for 30 ns_query vpca "$EP_ADDR" 80 --count 3 --timeout 2 ||
	fail "the endpoint does not answer after the stress"
# Its clients were killed mid-test while their flows were flushed: a new
# server, as 50-nlfuzz does (pl_bulk_server).
pl_bulk_server "$tmp/iperf3-s.log"
bulk1() {
	ip netns exec vpca timeout -k 1 15 iperf3 -c 10.0.0.101 -p 5201 -t 1 \
		--connect-timeout 3000 >"$tmp/bulk1.out" 2>&1
}
wait_for 30 bulk1 ||
	fail "the bulk endpoint does not answer after the stress: $(tail -n 3 "$tmp/bulk1.out")"
log "both endpoints answer after the stress"
exit 0
