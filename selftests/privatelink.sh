# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The standard PrivateLink topology of the data-path tests, sourced after
# lib.sh:
#
#   netns vpca  eth0 10.0.0.2/24 --- va (no address) \
#                                                     host (vpce) --- vprov 192.168.1.1/24 --- netns prov
#   netns vpcb  eth0 10.0.0.2/24 --- vb (no address) /                                        eth0 192.168.1.10-12/24
#
# VPCs A (dev va) and B (dev vb) use the same CIDR and the same client
# address. Service "svc" (listeners tcp:80->8080, udp:53->5353, nlb
# 192.168.1.1) has three targets, 192.168.1.10, .11 and .12, each running
# an identity server named srv10, srv11, srv12 on both ports. Endpoints
# "epa" (VPC A) and "epb" (VPC B) both have the address 10.0.0.100.

EP_ADDR=10.0.0.100
NLB=192.168.1.1
TARGETS="10 11 12"

# pl_server NS ADDR PORT NAME [tcp|udp] [id_server.py OPTIONS...] : an
# identity server bound to ADDR, waited for until it listens there.
pl_server() {
	local ns=$1 addr=$2 port=$3 name=$4 proto=${5:-tcp} opts=() ssopt=-Hltn
	shift 4
	[ $# -eq 0 ] || shift
	if [ "$proto" = udp ]; then
		opts=(--udp)
		ssopt=-Hlun
	fi
	ip netns exec "$ns" python3 "$SELFTESTS/id_server.py" "${opts[@]}" \
		--addr "$addr" "$@" "$name" "$port" </dev/null &
	defer kill $!
	wait_for 30 _pl_bound "$ns" "$ssopt" "$(_hostport "$addr" "$port")" ||
		fail "$name: no $proto server on $addr:$port"
}

_pl_bound() {
	ip netns exec "$1" ss "$2" src "$3" | grep -q .
}

# pl_setup : the whole topology above, configured and serving.
pl_setup() {
	local t

	load_vpce
	pl_topology
	pl_config
}

# pl_topology : namespaces, devices and servers; no vpce configuration.
pl_topology() {
	local t

	mk_ns vpca
	mk_ns vpcb
	mk_ns prov
	mk_veth va vpca eth0 10.0.0.2/24
	mk_veth vb vpcb eth0 10.0.0.2/24
	mk_veth vprov prov eth0 - "$NLB/24"
	for t in $TARGETS; do
		ip -n prov addr add "192.168.1.$t/24" dev eth0 ||
			fail "adding 192.168.1.$t"
		pl_server prov "192.168.1.$t" 8080 "srv$t" tcp --hold
		pl_server prov "192.168.1.$t" 5353 "srv$t" udp
	done
}

# pl_bulk_add : a second service, "bulk" (tcp:5201 to 192.168.1.10), with
# its endpoint epbulk in VPC A at 10.0.0.101: for bulk traffic (pl_bulk)
# and for a service to delete and add again under it.
pl_bulk_add() {
	vpcectl service add bulk account 333333333333 listener tcp:5201 \
		nlb "$NLB" >/dev/null &&
		vpcectl service allow bulk principal 111111111111 &&
		vpcectl target add bulk 192.168.1.10 &&
		vpcectl endpoint add epbulk vpc A service bulk addr 10.0.0.101
}

# pl_bulk LOG : an iperf3 server on 192.168.1.10:5201 in prov (its output
# to LOG), and pl_bulk_add. A flushed flow leaves an iperf3 test hanging:
# the server's timeouts end it, and --idle-timeout restarts a server stuck
# in one.
pl_bulk() {
	pl_bulk_server "$1"
	pl_bulk_add || fail "adding the bulk service"
}

# pl_bulk_server LOG : (re)start pl_bulk's iperf3 server. A server whose
# clients were killed while their flows were flushed may wait for them for
# good, busy for everyone else: tests restart it before they rely on it.
pl_bulk_server() {
	if [ -n "${_PL_BULK_PID:-}" ]; then
		kill "$_PL_BULK_PID" 2>/dev/null
		wait "$_PL_BULK_PID" 2>/dev/null
		wait_for 10 sh -c "! ip netns exec prov ss -Hltn src 192.168.1.10:5201 | grep -q ." ||
			fail "iperf3 server does not stop"
	fi
	ip netns exec prov iperf3 -s -B 192.168.1.10 -p 5201 --idle-timeout 5 \
		--rcv-timeout 3000 >>"$1" 2>&1 </dev/null &
	_PL_BULK_PID=$!
	defer kill $!
	wait_for 30 _pl_bound prov -Hltn 192.168.1.10:5201 || fail "iperf3 server not up"
}

# pl_config : the VPCs, service, targets and endpoints above.
pl_config() {
	local t

	must vpcectl vpc add A account 111111111111 dev va
	must vpcectl vpc add B account 222222222222 dev vb
	must vpcectl service add svc account 333333333333 \
		listener tcp:80:8080 listener udp:53:5353 nlb "$NLB"
	must vpcectl service allow svc principal 111111111111
	must vpcectl service allow svc principal 222222222222
	for t in $TARGETS; do
		must vpcectl target add svc "192.168.1.$t"
	done
	must vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR"
	must vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR"
}

# ep_stat EP KEY : one counter of an endpoint (new-connections,
# drop-no-listener, ...), from vpcectl's text output.
ep_stat() {
	vpcectl endpoint show "$1" |
		awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# pl_flow_check EP PROTO PORT TARGET_PORT : EP has flows of PROTO from
# 10.0.0.2 to EP_ADDR:PORT, and each was sent to a target's TARGET_PORT
# from the nlb address (vpcectl flow show).
pl_flow_check() {
	local fl

	fl=$(vpcectl -j flow show endpoint "$1") || fail "vpcectl flow show endpoint $1"
	log "$(vpcectl flow show endpoint "$1" | head -n 2)"
	jq -e --arg p "$2" --arg ep "$EP_ADDR" --arg nlb "$NLB" \
		--argjson port "$3" --argjson tport "$4" \
		'[.[] | select(.protocol == $p)] | length > 0 and
		 all(.client == "10.0.0.2" and .addr == $ep and .port == $port and
		     (.target | test("^192\\.168\\.1\\.1[012]$")) and
		     .target_port == $tport and .nlb == $nlb)' <<<"$fl" >/dev/null ||
		fail "$1's $2 flows are not to a target's $4 from $NLB: $fl"
}

# flow_expires PROTO SPORT : the seconds left on vpce's flow from SPORT.
flow_expires() {
	vpcectl -j flow show | jq -r --arg p "$1" --argjson s "$2" \
		'[.[] | select(.protocol == $p and .client_port == $s)][0].expires // empty'
}

# ct_timeout PROTO SPORT [ipv4|ipv6] : the seconds left on the conntrack
# entry of the flow from SPORT.
ct_timeout() {
	conntrack -L -f "${3:-ipv4}" -p "$1" --sport "$2" 2>/dev/null | awk '{ print $3; exit }'
}

# between WHAT VALUE LO HI : VALUE (seconds) is within LO..HI, or fail.
between() {
	[ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
		fail "$1: ${2:-no entry}, not within $3..$4"
	log "$1: $2 s"
}

# held_start NS DIR ADDR PORT [held.py OPTIONS...] : a held connection from
# NS (see held.py), driven through DIR; waits for the server's greeting.
held_start() {
	local ns=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	ip netns exec "$ns" python3 "$SELFTESTS/held.py" --dir "$dir" "$@" </dev/null &
	defer touch "$dir/stop"
	wait_for 10 test -s "$dir/greeting" ||
		fail "held connection $dir: no greeting"
}

# held_ping DIR N : send round N on a held connection and print the result
# ("ok ECHO" or "ERROR reason"). Up to 20 s: on a loaded emulated machine a
# lost segment's retransmissions (1, 2, 4, 8 s) can take longer than 10.
held_ping() {
	touch "$1/ping.$2"
	wait_for 20 test -s "$1/pong.$2" || {
		echo "ERROR no result"
		return
	}
	cat "$1/pong.$2"
}

# pl_spread NS COUNT : COUNT connections from NS to the endpoint's port 80,
# every one answered and every target seen; their answers ("srvNN PEER")
# in $spread.
pl_spread() {
	local t
	spread=$(ns_query "$1" "$EP_ADDR" 80 --count "$2") ||
		fail "some of $2 connections failed: $spread"
	log "$2 connections: $(cut -d' ' -f1 <<<"$spread" | sort | uniq -c | tr -s ' \n' ' ')"
	for t in $TARGETS; do
		grep -q "^srv$t $NLB\$" <<<"$spread" ||
			fail "target 192.168.1.$t got none of $2 connections"
	done
}

# pl_held_both DIR COUNT SPORT : COUNT held connections to the endpoint's
# port 80 (DIR/1 ... DIR/COUNT, tags c1 ...), the odd ones from VPC A, the
# even ones from VPC B, from source ports SPORT+1 ...
pl_held_both() {
	local i ns
	for i in $(seq 1 "$2"); do
		ns=vpca
		[ $((i % 2)) -eq 0 ] && ns=vpcb
		held_start "$ns" "$1/$i" "$EP_ADDR" 80 --sport $(($3 + i)) --tag "c$i"
	done
}

# The client's own count of what it exchanged with the endpoint: chains out
# and in of vpca's nftables table $COUNT_TABLE ("ip count" or "inet count",
# made by the test). total CHAIN FIELD: the packets or bytes a chain's rules
# counted; counted CHAIN FIELD: the same since reset_counts (rule counters
# are anonymous: nft resets only named ones); settled: nothing moved for a
# second (for wait_for).
declare -A COUNT_BASE
total() {
	# shellcheck disable=SC2086 # "ip count": family and name
	ip netns exec vpca nft -j list chain $COUNT_TABLE "$1" |
		jq "[.nftables[].rule? | select(.) | .expr[] | .counter? | select(.) | .$2] | add"
}
reset_counts() {
	local c f
	for c in out in; do
		for f in packets bytes; do
			COUNT_BASE[$c.$f]=$(total "$c" "$f")
		done
	done
}
counted() {
	echo $(($(total "$1" "$2") - ${COUNT_BASE[$1.$2]:-0}))
}
settled() {
	local a b
	a="$(total out packets) $(total in packets)"
	sleep 1
	b="$(total out packets) $(total in packets)"
	[ "$a" = "$b" ]
}
