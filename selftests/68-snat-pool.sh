#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SNAT that scales: a zone's pool of load balancer (nlb) addresses.
#
# - nlb add/del on a live service: "svc" gets a second address; a flow
#   held on the first is untouched by the add and by the delete; new flows
#   spread over both; deleting the second ends the flows that use it (the
#   client's next segment finds no flow) and only those. The zone's last
#   address cannot go while endpoints use it; bad changes are refused and
#   change nothing; "save" gives the pool back.
# - A service "pool" with four nlb addresses in one zone and one target
#   port: new flows use all four; a raw-frame UDP flood (selftests/
#   udpflood.c, as 65-big-table) puts more than 200,000 concurrent flows
#   on that one target port (three addresses could hold at most 181,242:
#   60,414 ports each with ip_local_port_range 60999-61000), then runs the
#   pool out of ports: PortAllocationErrorCount rises, in stats show's
#   text, JSON and Prometheus output. The flow table's limit is raised at
#   run time for it (flow set limit), past nf_conntrack_max.
# - With the pool's ports narrowed to 10 per address (ip_local_port_range
#   1034-61439), a burst of TCP connections runs it out: more than one
#   address's worth get in, the rest are refused with a reset at once.
#
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq nft
[ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ] && skip "a quarter of a million flows take too long on the debug kernel"
POOL="192.168.1.2 192.168.1.3 192.168.1.4 192.168.1.5"
PER_ADDR=60414

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
for a in $POOL 192.168.1.6; do
	host_ip addr add "$a/32" dev vprov || fail "adding $a to vprov"
done
range=$(sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ' ')
defer sysctl -qw "net.ipv4.ip_local_port_range=$range"

# --- nlb add/del on a live service --------------------------------------------

held_start vpca "$tmp/h0" "$EP_ADDR" 80 --sport 42000 --tag h0
must vpcectl service set svc nlb add 192.168.1.6
vpcectl service show svc | grep -q "192.168.1.6" || fail "service show: no 192.168.1.6"
[ "$(held_ping "$tmp/h0" 1)" = "ok h0 1" ] || fail "the held flow broke when an address was added"
# held_bg NS DIR ARGS... : held_start without its wait; held_wait DIR... :
# every greeting, in one wait (a dozen python processes starting one by
# one take longer than held_start's 10 s each on a loaded emulated machine).
held_bg() {
	local ns=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	ip netns exec "$ns" python3 "$SELFTESTS/held.py" --dir "$dir" "$@" </dev/null &
	defer touch "$dir/stop"
}
greeted_all() {
	local d
	for d in "$@"; do
		[ -s "$d/greeting" ] || return 1
	done
}
held_wait() {
	local d
	wait_for 60 greeted_all "$@" || fail "held connections without a greeting"
	for d in "$@"; do
		grep -q "^ERROR" "$d/greeting" && fail "$d: $(cat "$d/greeting")"
	done
	return 0
}
for i in $(seq 1 12); do
	held_bg vpca "$tmp/h$i" "$EP_ADDR" 80 --sport $((42000 + i)) --tag "h$i"
done
held_wait "$tmp"/h[1-9] "$tmp"/h1[0-2]
# Which flows use which address.
vpcectl flow show endpoint epa >"$tmp/flows"
on6=$(grep -c " from 192.168.1.6:" "$tmp/flows")
on1=$(grep -c " from 192.168.1.1:" "$tmp/flows")
log "13 held flows: $on1 from 192.168.1.1, $on6 from 192.168.1.6"
[ "$on6" -ge 1 ] && [ "$on1" -ge 2 ] || fail "new flows did not spread over both addresses"
vpcectl flow show endpoint epa | grep " 10.0.0.2:42000 " | grep -q " from 192.168.1.1:" ||
	fail "the first held flow does not come from 192.168.1.1"
# Flows with IP options take conntrack's path: the pool there too.
for i in $(seq 1 10); do
	held_bg vpcb "$tmp/o$i" "$EP_ADDR" 80 --sport $((43000 + i)) --tag "o$i" --ip-options
done
held_wait "$tmp"/o[1-9] "$tmp"/o10
# ctnlb PORT : the nlb address conntrack's flow from client port PORT has.
ctnlb() {
	conntrack -L -p tcp --orig-port-src "$1" 2>/dev/null |
		sed -n 's/.* src=192\.168\.1\.[0-9]* dst=\(192\.168\.1\.[0-9]*\) sport=8080 .*/\1/p' | head -n 1
}
for i in $(seq 1 10); do
	ctnlb $((43000 + i))
done >"$tmp/ct"
ct6=$(grep -c "^192.168.1.6$" "$tmp/ct")
ct1=$(grep -c "^192.168.1.1$" "$tmp/ct")
log "10 held flows with IP options (conntrack): $ct1 from 192.168.1.1, $ct6 from 192.168.1.6"
[ "$ct6" -ge 1 ] && [ "$ct1" -ge 1 ] && [ $((ct1 + ct6)) -eq 10 ] ||
	fail "conntrack's flows did not spread over both addresses: $(tr '\n' ' ' <"$tmp/ct")"

# Bad changes are refused and change nothing.
must_fail vpcectl service set svc nlb add 192.168.1.6
must_fail vpcectl service set svc nlb add 192.168.1.7 zone nosuch
must_fail vpcectl service set svc nlb del 192.168.1.99
must_fail vpcectl service set svc nlb add 192.168.1.7 idle-timeout 100
must_fail vpcectl service set svc nlb frob 192.168.1.7
must_fail vpcectl service set svc nlb del 192.168.1.6 zone x
vpcectl service show svc | grep -q "192.168.1.7" && fail "a refused address was added"

must vpcectl service set svc nlb del 192.168.1.6
vpcectl flow show endpoint epa | grep -q " from 192.168.1.6:" &&
	fail "flows from the deleted address are left: $(vpcectl flow show endpoint epa)"
vpcectl service show svc | grep -q "192.168.1.6" && fail "service show still has 192.168.1.6"
# Each held flow answers unless it came from 192.168.1.6.
# (h0 is at its second round, the others at their first.)
for i in $(seq 0 12); do
	r=1
	[ "$i" -eq 0 ] && r=2
	res=$(held_ping "$tmp/h$i" $r)
	if grep -q " 10.0.0.2:$((42000 + i)) .* from 192.168.1.6:" "$tmp/flows"; then
		[ "${res%% *}" = ERROR ] && [ "$res" != "ERROR no result" ] ||
			fail "flow $i from 192.168.1.6 still works: $res"
	else
		[ "$res" = "ok h$i $r" ] || fail "flow $i from 192.168.1.1 broke: $res ($(grep " 10.0.0.2:$((42000 + i)) " "$tmp/flows"); now: $(vpcectl flow show endpoint epa | grep " 10.0.0.2:$((42000 + i)) "))"
	fi
done
for i in $(seq 1 10); do
	res=$(held_ping "$tmp/o$i" 1)
	if [ "$(sed -n "${i}p" "$tmp/ct")" = 192.168.1.6 ]; then
		[ "${res%% *}" = ERROR ] && [ "$res" != "ERROR no result" ] ||
			fail "conntrack's flow $i from 192.168.1.6 still works: $res"
	else
		[ "$res" = "ok o$i 1" ] || fail "conntrack's flow $i from 192.168.1.1 broke: $res"
	fi
	[ "$(ctnlb $((43000 + i)))" != 192.168.1.6 ] ||
		fail "conntrack still has flow $i from 192.168.1.6"
done
[ "$(held_ping "$tmp/h0" 3)" = "ok h0 3" ] || fail "the flow on 192.168.1.1 broke"
log "deleting 192.168.1.6 ended its $on6 flows; the others still answer"
err=$(vpcectl service set svc nlb del 192.168.1.1 2>&1) && fail "deleted the zone's last address"
grep -q "last" <<<"$err" || fail "deleting the last address: '$err'"

# --- a pool of four -----------------------------------------------------------

nlbs=""
for a in $POOL; do
	nlbs="$nlbs nlb $a"
done
# shellcheck disable=SC2086
must vpcectl service add pool account 333333333333 listener udp:53:5353 \
	listener tcp:80:8080 $nlbs
must vpcectl service allow pool principal 111111111111
must vpcectl target add pool 192.168.1.10
must vpcectl endpoint add eppool vpc A service pool addr 10.0.0.103
vpcectl save >"$tmp/save" || fail "save"
# shellcheck disable=SC2086
grep -q "^service add pool .*nlb ${POOL// / nlb }\( \|$\)" "$tmp/save" ||
	fail "save does not give the pool back: $(grep "service add pool" "$tmp/save")"

# 200 UDP flows, each new: all four addresses are used.
sysctl -qw "net.ipv4.ip_local_port_range=60999 61000"
out=$(ns_query vpca 10.0.0.103 53 --udp --count 200) || fail "UDP queries to the pool failed"
for a in $POOL; do
	n=$(vpcectl flow show endpoint eppool | grep -c " from $a:")
	log "$a: $n of 200 flows"
	[ "$n" -ge 20 ] || fail "$a has $n of 200 flows: not spread"
done

# The flood: its datagrams, translated, are dropped on their way to the
# target (never answered, its flows stay for their 120 s).
nft -f - <<EOF || fail "nft"
table ip vpce_pool {
	chain flood {
		type filter hook forward priority 0;
		ip daddr 192.168.1.10 udp dport 5353 drop
	}
}
EOF
defer nft delete table ip vpce_pool
must vpcectl flow set limit 1000000
vpcectl flow show table | grep -q "limit 1000000 (set)" || fail "flow show table: $(vpcectl flow show table)"
[ "$(vpcectl -j flow show table | jq '.[0].limit_set')" = 1000000 ] || fail "flow show table -j"
must_fail vpcectl flow set limit 4194304
must_fail vpcectl flow set limit 0
vpcectl save | grep -q "^flow set limit 1000000$" || fail "save has no flow limit"
max=$(sysctl -n net.netfilter.nf_conntrack_max)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
sysctl -qw net.netfilter.nf_conntrack_max=262144

active() { vpcectl -j stats show endpoint eppool | jq '.[0].ActiveConnections'; }
perr() { vpcectl -j stats show service pool | jq '.[0].PortAllocationErrorCount'; }
amac=$(cat /sys/class/net/va/address)
t0=$SECONDS
# Four sources: 258,048 flows offered, more than the pool's 241,656 ports.
# Frames the host could not take in time are lost: each pass sends every
# port again, which makes the flows it lost.
for pass in 1 2 3 4; do
	ip netns exec vpca udpflood eth0 "$amac" 10.0.0.21 4 10.0.0.103 53 >/dev/null ||
		fail "udpflood failed"
	log "pass $pass: $(active) flows, $(perr) port allocation errors after $((SECONDS - t0)) s"
	[ "$(perr)" -gt 1000 ] && break
done
n=$(active)
[ "$n" -gt 200000 ] || fail "$n flows on one target port, expected more than 200,000"
[ "$n" -gt $((3 * PER_ADDR)) ] || fail "$n flows: fewer than three addresses hold"
[ "$(perr)" -gt 0 ] || fail "no port allocation errors with the pool full"
vpcectl stats show service pool | grep -q "PortAllocationErrorCount [1-9]" ||
	fail "stats show (text): $(vpcectl stats show service pool)"
vpcectl stats show format prometheus |
	grep -q '^vpce_service_port_allocation_errors_total{service="pool"} [1-9]' ||
	fail "no vpce_service_port_allocation_errors_total in the Prometheus output"
[ "$(vpcectl -j stats show endpoint eppool | jq '.[0].PortAllocationErrorCount')" -gt 0 ] ||
	fail "the endpoint counts no port allocation errors"
[ "$(vpcectl flow show table | awk '{ print $2 }')" -gt 200000 ] ||
	fail "flow show table: $(vpcectl flow show table)"
log "$n concurrent flows to 192.168.1.10:5353 over four addresses, $(perr) refused, in $((SECONDS - t0)) s"
must vpcectl flow flush service pool
must vpcectl flow set limit default
vpcectl save | grep -q "^flow set limit" && fail "save has a flow limit after 'default'"

# --- TCP: a pool of 4 x 10 ports, run out -------------------------------------

sysctl -qw "net.ipv4.ip_local_port_range=1034 61439"
e0=$(perr)
# Each connection ends at once but its flow keeps its port for 10 s, longer
# than the burst takes.
out=$(ns_query vpca 10.0.0.103 80 --count 100 --timeout 3)
ok=$(grep -c "^srv10 " <<<"$out")
refused=$(grep -c "^ERROR.*[Rr]efused" <<<"$out")
log "100 TCP connections on 40 ports: $ok answered, $refused refused"
[ "$ok" -gt 10 ] || fail "only $ok connections got in: the pool was not used"
[ "$refused" -ge 1 ] || fail "no connection was refused: $(grep -v "^srv10 " <<<"$out" | sort | uniq -c)"
[ "$((ok + refused))" -eq 100 ] || fail "connections neither answered nor refused: $(grep -v "^srv10 " <<<"$out" | sort | uniq -c)"
[ "$(perr)" -ge $((e0 + refused)) ] || fail "port allocation errors $e0 -> $(perr), $refused refused"
exit 0
