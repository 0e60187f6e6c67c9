#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Target health and deregistration delay, with held connections:
#  - "unhealthy" ends the target's live flows at once (their clients get a
#    reset), takes no new flows, and leaves the flows of other targets
#    alone;
#  - "draining" takes no new flows but keeps live ones for the service's
#    deregistration delay (here 20 s), then ends them;
#  - back to "healthy" during the delay cancels the ending.

# timeout: 400
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
pl_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"
declare -A rounds	# held.py counts its rounds per connection

# hold N PREFIX BASE : N held connections from VPC A, from source ports
# BASE+1..BASE+N. Which target each gets depends on the namespace's random
# hash key: with 20 over three targets, one target gets none of them once
# in 3000 runs (10 made that one in 60).
hold() {
	local i
	for i in $(seq 1 "$1"); do
		held_start vpca "$tmp/$2$i" "$EP_ADDR" 80 \
			--sport $(($3 + i)) --tag "$2$i"
	done
}

# ping_all PREFIX N TARGET : ping every held connection; the ones to TARGET
# must have ended with a reset ("reset" when WANT is "reset") or must
# still answer ("ok"), the others must answer.
ping_all() {
	local prefix=$1 n=$2 target=$3 want=$4 i res to_t=0 round
	round=$((${rounds[$prefix]:-0} + 1))
	rounds[$prefix]=$round
	for i in $(seq 1 "$n"); do
		res=$(held_ping "$tmp/$prefix$i" "$round")
		if grep -q "^$target " "$tmp/$prefix$i/greeting"; then
			to_t=$((to_t + 1))
			if [ "$want" = reset ]; then
				[[ $res == ERROR*"reset"* ]] ||
					fail "$prefix$i to $target: want a reset, got: $res"
			else
				[ "$res" = "ok $prefix$i $round" ] ||
					fail "$prefix$i to $target still live, got: $res"
			fi
		else
			[ "$res" = "ok $prefix$i $round" ] ||
				fail "$prefix$i to another target broke: $res"
		fi
	done
	[ "$to_t" -ge 1 ] || fail "no held flow went to $target"
	log "$prefix round $round: $to_t held flows to $target: $want; the $((n - to_t)) others answer"
}

# release PREFIX : stop the held connections of PREFIX (each held.py polls
# for its files: idle ones left running slow the emulated VM down).
release() {
	local d
	for d in "$tmp/$1"*; do
		touch "$d/stop"
	done
}

# no_new_flows TARGET : 30 new connections, none to TARGET.
no_new_flows() {
	local out
	out=$(ns_query vpca "$EP_ADDR" 80 --count 30) || fail "new flows failed: $out"
	grep -q "^$1 " <<<"$out" && fail "a new flow went to $1"
	log "30 new flows: $(cut -d' ' -f1 <<<"$out" | sort | uniq -c | tr -s ' \n' ' ')"
}

# has_flows ADDR : vpce has flows to target ADDR.
has_flows() { [ -n "$(vpcectl flow show target "$1")" ]; }

# --- unhealthy ---------------------------------------------------------------
hold 20 u 41000
ping_all u 20 srv10 ok
must vpcectl target set svc 192.168.1.10 health unhealthy
vpcectl target show svc | grep -q '192.168.1.10 weight 1 health unhealthy' ||
	fail "health not shown: $(vpcectl target show svc)"
has_flows 192.168.1.10 && fail "the unhealthy target still has flows: $(vpcectl flow show target 192.168.1.10)"
ping_all u 20 srv10 reset
no_new_flows srv10
release u
must vpcectl target set svc 192.168.1.10 health healthy

# --- draining ------------------------------------------------------------------
# 20 s, longer on a slow (debug) kernel, where checking the new flows
# below alone can take that long.
delay=$((20 * ${VPCE_TIMEOUT_SCALE:-1}))
must vpcectl service set svc deregistration-delay "$delay"
vpcectl service show svc | grep -q "deregistration-delay $delay" ||
	fail "delay not shown: $(vpcectl service show svc)"
hold 20 d 42000
must vpcectl target set svc 192.168.1.11 health draining
start=$EPOCHREALTIME
left=$(vpcectl target show svc | sed -n 's/^.*192.168.1.11 weight 1 health draining deregistration-left \([0-9]*\)$/\1/p')
[ -n "$left" ] && [ "$left" -ge $((delay - 5)) ] && [ "$left" -le "$delay" ] ||
	fail "draining not shown: $(vpcectl target show svc)"
no_new_flows srv11
ping_all d 20 srv11 ok
has_flows 192.168.1.11 || fail "the draining target's flows are gone already"
# Wait for the delay, and then for its work to end the flows.
wait_for 30 eval '! has_flows 192.168.1.11' ||
	fail "the draining target's flows outlived the delay"
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
awk -v t="$took" -v d="$delay" 'BEGIN { exit !(t >= d - 0.5) }' ||
	fail "the draining target's flows ended after ${took}s, before the $delay s delay"
log "draining: flows ended ${took}s after draining began (delay $delay s)"
ping_all d 20 srv11 reset
vpcectl target show svc | grep -q '192.168.1.11 weight 1 health draining$' ||
	fail "after the delay: $(vpcectl target show svc)"
no_new_flows srv11
release d

# --- draining cancelled ----------------------------------------------------------
must vpcectl target set svc 192.168.1.11 health healthy
hold 20 c 43000
must vpcectl target set svc 192.168.1.12 health draining
sleep 2
must vpcectl target set svc 192.168.1.12 health healthy
sleep "$delay"
ping_all c 20 srv12 ok
log "healthy again within the delay: its flows live on"

# Deleting a draining target ends its flows at once and stops the clock.
must vpcectl target set svc 192.168.1.12 health draining
must vpcectl target del svc 192.168.1.12
has_flows 192.168.1.12 &&
	fail "a deleted draining target kept its flows"
sleep 21
exit 0
