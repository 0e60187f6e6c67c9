#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink fuzzer (selftests/nlfuzz.c) against the vpce family: random
# and mutated requests for every command, dumps abandoned mid-way, the state
# checked for consistency along the way and at the end (see nlfuzz.c).  It
# runs in a netns of its own holding 16 dummy devices, so a random ifindex can
# only name those.
#
# It does not run alone: the module, its workqueues, its locks and the
# genetlink family are shared by every netns, so at the same time, in the
# VM's initial netns, the privatelink topology (privatelink.sh) carries
# traffic and its configuration churns:
# - short TCP and UDP connections from both VPCs, in loops;
# - bulk TCP (iperf3) from VPC A through a second service's endpoint;
# - a churn loop: flow flush, endpoint del/add, target del/add, principal
#   add/del, save + flush + restore;
# - a second fuzzer (nlfuzz -x) aimed at that netns: it binds only four
#   dummy devices of its own there (never the VPCs' devices), never flushes,
#   and checks only what holds while others change the tables.
# Afterwards the saved configuration is restored and a new TCP, UDP and bulk
# connection through the endpoints must succeed.
#
# Then a second, shorter run leaves its state and the netns is deleted with
# it (the pernet exit path on fuzzed state), and vpce must unload.  Kernel
# oopses, WARNs, KASAN or lockdep reports fail the test through
# selftests/run's dmesg check.  `make fuzz` runs it on VM_SMP=4.
#
# VPCE_NLFUZZ_COUNT messages (default 50000; `make fuzz` runs 1000000),
# VPCE_NLFUZZ_SEED to replay a run (the seed is printed; the traffic and the
# churn are not replayable).  VPCE_NLFUZZ_TRAFFIC=0 fuzzes alone.
#
# timeout: 900

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd ip
[ -x "$SELFTESTS/nlfuzz" ] || fail "selftests/nlfuzz is not built (make selftests-bin)"

count=${VPCE_NLFUZZ_COUNT:-50000}
seed=${VPCE_NLFUZZ_SEED:-$(date +%s)}
traffic=${VPCE_NLFUZZ_TRAFFIC:-1}
[ "$traffic" = 0 ] || need_cmd iperf3 python3

load_vpce
tmp=$(mktemp -d)
defer rm -rf "$tmp"
stop=$tmp/stop

# --- traffic and churn in the initial netns --------------------------------

# loop NAME CMD... : run CMD until the test says stop. NAME.rounds holds
# "ROUNDS OK ANSWERS": the rounds, those CMD succeeded in, and the answers
# of identity servers seen; NAME.log what failed.
loop() {
	local name=$1 n=0 ok=0 got=0
	shift
	while [ -d "$tmp" ] && [ ! -e "$stop" ]; do
		if "$@" >"$tmp/$name.out" 2>&1; then
			ok=$((ok + 1))
		else
			tail -n 4 "$tmp/$name.out" >>"$tmp/$name.log"
		fi
		n=$((n + 1))
		got=$((got + $(grep -c '^srv' "$tmp/$name.out")))
		echo "$n $ok $got" >"$tmp/$name.rounds"
	done
}

# step CMD... : run CMD; if it fails, say which and why.
step() {
	local out
	# Stopping: the test restores the saved state itself.
	[ ! -e "$stop" ] || return 0
	out=$("$@" 2>&1 >/dev/null) || {
		echo "$*: $out"
		return 1
	}
}

# One round of configuration churn; it ends where it began (the saved
# state restored), so a step that fails does not stop the next rounds.
# `save` runs on whatever the second fuzzer has made too.
churn() {
	local rc=0
	step vpcectl flow flush || rc=1
	step vpcectl endpoint del epb || rc=1
	step vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR" || rc=1
	step vpcectl target del svc 192.168.1.12 || rc=1
	step vpcectl target add svc 192.168.1.12 || rc=1
	step vpcectl principal add A prefix 10.0.0.0/25 \
		arn arn:aws:iam::111111111111:user/churn || rc=1
	step vpcectl principal del A prefix 10.0.0.0/25 || rc=1
	step vpcectl save || rc=1
	step vpcectl flush || rc=1
	step vpcectl restore "$tmp/saved" || rc=1
	return $rc
}

# The second fuzzer: runs of 2500 messages, each seeded anew, until stop
# or a fifth of COUNT (the genetlink family serializes all requests:
# more would slow the first fuzzer down as much).
shared_fuzz() {
	local k=0
	while [ -d "$tmp" ] && [ ! -e "$stop" ] && [ $((k * 2500)) -lt $((count / 5)) ]; do
		k=$((k + 1))
		if ! nlfuzz -x -n 2500 -s $((seed + 1000 + k)) -c 500 fx0 fx1 fx2 fx3 \
			>"$tmp/xfuzz.out" 2>&1; then
			echo "seed $((seed + 1000 + k)): $(tail -n 3 "$tmp/xfuzz.out")" >>"$tmp/xfuzz.log"
		fi
		echo "$k" >"$tmp/xfuzz.runs"
	done
}

# bulk SECONDS : an iperf3 run through epbulk, at 20 Mbit/s (more would
# take the CPUs from the fuzzer on an emulated machine).
bulk() {
	ip netns exec vpca timeout -k 1 $(($1 + 10)) iperf3 -c 10.0.0.101 -p 5201 \
		-t "$1" -b 20M --connect-timeout 3000 --snd-timeout 3000
}

# loops_done : every loop has ended.
loops_done() {
	local p
	for p in "${pids[@]}"; do
		! kill -0 "$p" 2>/dev/null || return 1
	done
}

# rounds NAME : "ROUNDS OK ANSWERS" of loop NAME.
rounds() {
	cat "$tmp/$1.rounds" 2>/dev/null || echo 0 0 0
}

pids=()
if [ "$traffic" != 0 ]; then
	pl_topology
	pl_config
	pl_bulk "$tmp/iperf3-s.log"
	vpcectl save >"$tmp/saved" || fail "vpcectl save"
	for i in 0 1 2 3; do
		ip link add "fx$i" type dummy || fail "adding dummy fx$i"
		defer ip link del "fx$i"
		ip link set "fx$i" up
	done
	wait_for 10 ns_query vpca "$EP_ADDR" 80 || fail "no connection before the fuzzing"

	loop tcpa ns_query vpca "$EP_ADDR" 80 --count 3 --timeout 1 &
	pids+=($!)
	loop tcpb ns_query vpcb "$EP_ADDR" 80 --count 3 --timeout 1 &
	pids+=($!)
	loop udpa ns_query vpca "$EP_ADDR" 53 --udp --count 3 --timeout 1 &
	pids+=($!)
	loop udpb ns_query vpcb "$EP_ADDR" 53 --udp --count 3 --timeout 1 &
	pids+=($!)
	# Each churn round ends the bulk flow (flow flush, flush): a new one
	# starts at once.
	loop bulk bulk 2 &
	pids+=($!)
	loop churn churn &
	pids+=($!)
	shared_fuzz &
	pids+=($!)
	defer kill "${pids[@]}"
	defer touch "$stop"
	log "traffic, churn and the second fuzzer running (set up in ${SECONDS}s)"
	t0=$SECONDS
fi

# --- the fuzzer in a netns of its own --------------------------------------

mk_ns fuzz
devs=()
for i in $(seq 0 15); do
	ip -n fuzz link add "fz$i" type dummy || fail "adding dummy fz$i"
	ip -n fuzz link set "fz$i" up
	devs+=("fz$i")
done

# Checks every 5000 messages; a 1M run checks every 50000.
every=5000
[ "$count" -le 200000 ] || every=50000
ns_exec fuzz nlfuzz -n "$count" -s "$seed" -c "$every" "${devs[@]}" ||
	fail "nlfuzz found a problem (seed $seed)"

if [ "$traffic" != 0 ]; then
	t1=$SECONDS
	touch "$stop"
	# Every round of every loop ends within its timeouts.
	wait_for 60 loops_done ||
		fail "loops still running a minute after the fuzzing: $(ps -o pid,etimes,args --ppid "${pids[*]}" 2>&1 | head -n 8)"
	wait "${pids[@]}"
	log "fuzzing done in $((t1 - t0))s; the loops stopped $((SECONDS - t1))s later"
	secs=$((t1 - t0))
	for l in tcpa tcpb udpa udpb bulk churn; do
		read -r n ok got <<<"$(rounds $l)"
		case $l in
		tcp* | udp*) log "$l: $n rounds in ${secs}s, $ok without a failure, $got answers" ;;
		*) log "$l: $n rounds in ${secs}s, $ok without a failure" ;;
		esac
		[ ! -s "$tmp/$l.log" ] ||
			log "  $l, what failed most: $(sort "$tmp/$l.log" | uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
		[ "$n" -ge 1 ] || fail "$l never ran"
	done
	runs=$(cat "$tmp/xfuzz.runs" 2>/dev/null || echo 0)
	log "second fuzzer (nlfuzz -x, initial netns): $runs runs of 2500 messages"
	[ ! -s "$tmp/xfuzz.log" ] ||
		fail "nlfuzz -x found a problem: $(head -n 6 "$tmp/xfuzz.log")"
	# Traffic got through while the fuzzers ran (the churn takes the
	# endpoints away now and then, so not every round succeeds).
	for l in tcpa tcpb udpa udpb; do
		read -r n ok got <<<"$(rounds $l)"
		[ "$got" -gt 0 ] ||
			fail "$l: no connection got through during the fuzzing: $(tail -n 3 "$tmp/$l.log" 2>/dev/null)"
	done
	read -r n ok got <<<"$(rounds churn)"
	[ "$n" -ge 2 ] || fail "the configuration churned fewer than two rounds"
	# Every churn command is valid in its place: none may fail.
	[ "$ok" -eq "$n" ] ||
		fail "churn commands failed: $(sort "$tmp/churn.log" | uniq -c | head -n 5)"

	# Whatever the churn and the second fuzzer left, the saved
	# configuration restores and carries new connections.
	must vpcectl flush
	must vpcectl restore "$tmp/saved"
	wait_for 30 ns_query vpca "$EP_ADDR" 80 --count 3 --timeout 2 ||
		fail "VPC A: no TCP connection through the endpoint after the fuzzing"
	wait_for 30 ns_query vpcb "$EP_ADDR" 80 --count 3 --timeout 2 ||
		fail "VPC B: no TCP connection through the endpoint after the fuzzing"
	wait_for 30 ns_query vpcb "$EP_ADDR" 53 --udp --count 3 --timeout 2 ||
		fail "VPC B: no UDP answer through the endpoint after the fuzzing"
	pl_bulk_server "$tmp/iperf3-s.log"
	wait_for 30 bulk 1 ||
		fail "the bulk endpoint does not answer after the fuzzing: $(bulk 1 2>&1 | tail -n 3)"
	log "the endpoints answer after the fuzzing"
fi

# Leave fuzzed state behind and take the whole netns down with it.
mk_ns fuzz2
for i in $(seq 0 3); do
	ip -n fuzz2 link add "fy$i" type dummy || fail "adding dummy fy$i"
done
# -k: no final clean-up; the objects go with the namespace.
ns_exec fuzz2 nlfuzz -k -n 2000 -s "$((seed + 1))" -c 0 fy0 fy1 fy2 fy3 >/dev/null ||
	fail "nlfuzz (second run, seed $((seed + 1))) found a problem"
ip netns del fuzz2 || fail "deleting netns fuzz2"
ip netns del fuzz || fail "deleting netns fuzz"

# Namespace teardown is asynchronous (cleanup_net runs in a workqueue); the
# module must unload once it has finished (with the traffic topology's
# configuration still in the initial netns).
wait_for 30 rmmod vpce || fail "vpce does not unload after the fuzzing"
log "fuzzed $count messages (seed $seed); vpce unloaded cleanly"
exit 0
