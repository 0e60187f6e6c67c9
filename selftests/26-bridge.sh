#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VPCs bound to Linux bridges, the way a hypervisor plugs its VMs' taps
# into one bridge per tenant network:
#
#   netns a1 eth0 10.0.0.2  fd00:a::2 --- a1h \
#   netns a2 eth0 10.0.0.3  fd00:a::3 --- a2h  br-a (VPC A) \
#   netns a3 (plugged in later)       --- a3h /              host --- vprov --- netns prov
#   netns b1 eth0 10.0.0.2  fd00:a::2 --- b1h    br-b (VPC B) /                 .10 srv10
#                                                                               .11 srv11
#
# VPC A's endpoint (service sa, target 192.168.1.10 / fd01::10) and VPC B's
# (service sb, target .11 / ::11) have the same addresses, 10.0.0.100 and
# fd00:a::100.  Clients on any port of a bridge resolve them by ARP and NDP
# to the bridge's MAC and reach their own VPC's service over TCP and UDP,
# both families; a client plugged into br-a after the endpoint exists needs
# no vpce command; the same client address on both bridges reaches each
# its own service; a closed port is refused through the bridge.  With multicast snooping and a querier on br-a, the
# bridge no longer floods neighbour solicitations to the host unless the
# host joined the solicited-node group: NDP for the endpoint address must
# still be answered.  A service with the PROXY protocol on gives its target
# the bridged client's own address and its endpoint's ID.  Last, all of it
# again with br_netfilter calling the IP hooks for bridged frames.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat python3 bridge jq

load_vpce

mk_bridge() {
	ip link add "$1" type bridge || fail "ip link add $1 type bridge"
	defer ip link del "$1"
	ip link set "$1" up
}

# plug BRIDGE NS HOSTIF V4 V6 : a client NS on a new port HOSTIF of BRIDGE.
plug() {
	mk_ns "$2"
	mk_veth "$3" "$2" eth0 "$4/24"
	_addr_add eth0 "$5/64" ip -n "$2" || fail "adding $5 to $2"
	ip link set "$3" master "$1" || fail "adding $3 to $1"
}

mk_bridge br-a
mk_bridge br-b
plug br-a a1 a1h 10.0.0.2 fd00:a::2
plug br-a a2 a2h 10.0.0.3 fd00:a::3
plug br-b b1 b1h 10.0.0.2 fd00:a::2

mk_ns prov
mk_veth vprov prov eth0 - "$NLB/24"
_addr_add vprov "$NLB6/64" || fail "adding $NLB6"
for t in 10 11; do
	ip -n prov addr add "192.168.1.$t/24" dev eth0 || fail "adding 192.168.1.$t"
	_addr_add eth0 "fd01::$t/64" ip -n prov || fail "adding fd01::$t"
	for a in "192.168.1.$t" "fd01::$t"; do
		pl_server prov "$a" 8080 "srv$t" tcp
		pl_server prov "$a" 5353 "srv$t" udp
	done
done

must vpcectl vpc add A account 111111111111 dev br-a
must vpcectl vpc add B account 222222222222 dev br-b
for s in a:10 b:11; do
	must vpcectl service add "s${s%:*}" account 333333333333 \
		listener tcp:80:8080 listener udp:53:5353 nlb "$NLB" nlb "$NLB6"
	must vpcectl service allow "s${s%:*}" principal '*'
	must vpcectl target add "s${s%:*}" "192.168.1.${s#*:}"
	must vpcectl target add "s${s%:*}" "fd01::${s#*:}"
done
must vpcectl endpoint add epa vpc A service sa addr "$EP_ADDR" addr "$EP6_ADDR"
must vpcectl endpoint add epb vpc B service sb addr "$EP_ADDR" addr "$EP6_ADDR"

# check NS TARGET NLB_V4 NLB_V6 : NS reaches TARGET's servers through the
# endpoint, TCP and UDP, both families, seen from the nlb addresses, and
# resolved the endpoint addresses to its bridge's MAC.
check() {
	local ns=$1 srv=srv$2 br=$3 ep nlb out mac
	for ep in "$EP_ADDR" "$EP6_ADDR"; do
		nlb=$NLB
		[ "$ep" = "$EP_ADDR" ] || nlb=$NLB6
		out=$(tcp_query "$ns" "$ep" 80) || fail "$ns: no TCP answer from $ep"
		[ "$out" = "$srv $nlb" ] || fail "$ns: TCP to $ep answered '$out', expected '$srv $nlb'"
		out=$(udp_query "$ns" "$ep" 53 hello) || fail "$ns: no UDP answer from $ep"
		[ "$out" = "$srv $nlb hello" ] || fail "$ns: UDP to $ep answered '$out'"
	done
	mac=$(cat "/sys/class/net/$br/address")
	for ep in "$EP_ADDR" "$EP6_ADDR"; do
		ip -n "$ns" neigh show "$ep" | grep -q "lladdr $mac" ||
			fail "$ns: $ep not resolved to $br's MAC $mac: $(ip -n "$ns" neigh)"
	done
	log "$ns: TCP and UDP to both endpoint addresses reach $srv; ARP and NDP gave $br's MAC"
}

check a1 10 br-a
check a2 10 br-a
check b1 11 br-b

# vpce's own answers go out by the bridge too: a port with no listener is
# refused at once (a reset, not a timeout).
for ep in "$EP_ADDR" "$EP6_ADDR"; do
	err=$(ip netns exec a2 socat -T 5 - "TCP:$(_hostport "$ep" 81),connect-timeout=5" </dev/null 2>&1) &&
		fail "a2: a connection to $ep port 81 succeeded"
	grep -q "Connection refused" <<<"$err" || fail "a2: $ep port 81: expected 'Connection refused', got '$err'"
done
log "a2: port 81 refused on both endpoint addresses"

# Both clients at once, the same 5-tuples from both bridges.
out_a=$(mktemp)
defer rm -f "$out_a"
ns_query a1 "$EP_ADDR" 80 --count 20 >"$out_a" 2>&1 &
pa=$!
out_b=$(ns_query b1 "$EP_ADDR" 80 --count 20) || fail "b1: 20 connections failed"
wait "$pa" || fail "a1: 20 connections failed: $(cat "$out_a")"
[ "$(sort -u <<<"$out_b")" = "srv11 $NLB" ] || fail "b1 reached: $(sort -u <<<"$out_b")"
[ "$(sort -u "$out_a")" = "srv10 $NLB" ] || fail "a1 reached: $(sort -u "$out_a")"
log "a1 and b1 at once, 20 connections each: each reached its own VPC's service"

# A VM plugged into the bridge after the endpoint exists: no vpce command.
plug br-a a3 a3h 10.0.0.4 fd00:a::4
check a3 10 br-a

# Multicast snooping with a querier: br-a now delivers a solicitation for
# the endpoint address's solicited-node group to the host only when the
# host is a member of it.
ip link set br-a type bridge mcast_snooping 1 mcast_querier 1 ||
	fail "enabling multicast snooping with a querier on br-a"
grp=ff02::1:ff00:100
wait_for 10 sh -c "bridge mdb show dev br-a | grep -q 'port br-a grp $grp'" &&
	log "br-a's mdb: $(bridge mdb show dev br-a | grep "port br-a grp $grp")"
for ns in a1 a2; do
	ip -n "$ns" neigh flush dev eth0
	wait_for 15 tcp_query "$ns" "$EP6_ADDR" 80 ||
		fail "$ns: no TCP to $EP6_ADDR with multicast snooping on br-a"
	ip -n "$ns" neigh show "$EP6_ADDR" | grep -q "lladdr $(cat /sys/class/net/br-a/address)" ||
		fail "$ns: $EP6_ADDR not resolved with multicast snooping"
done
log "NDP answered through br-a with multicast snooping and a querier"

# PROXY protocol through a bridge: a1's header carries its own address and
# epa's ID, both families (IPv4 on vpce's own table here; with
# br_netfilter below, on conntrack's path).
tmp=$(mktemp -d)
defer rm -rf "$tmp"
ip netns exec prov python3 "$SELFTESTS/pp2.py" parse 8082 --log "$tmp/pp.log" </dev/null &
defer kill $!
wait_for 30 ns_listening prov 8082 || fail "no PROXY protocol target"
must vpcectl service set sa listener add tcp:82:8082
must vpcectl service set sa proxy-protocol on
ida=$(vpcectl -j endpoint show epa | jq -r '.[0].id')
# pp_check BASE : from a1 to both endpoint addresses, 2 connections each,
# each with a header from a1's address and port and epa's ID.
pp_check() {
	local addr src base=$1 out
	for addr in "$EP_ADDR" "$EP6_ADDR"; do
		src=10.0.0.2
		[ "$addr" = "$EP6_ADDR" ] && src=fd00:a::2
		out=$(ip netns exec a1 python3 "$SELFTESTS/pp2.py" client "$addr" 82 \
			--count 2 --max-size 64K --sport-base "$base" 2>&1) ||
			fail "PROXY protocol from a1 to $addr: $out"
		# shellcheck disable=SC2016 # jq's variables
		jq -se --argjson b "$base" --arg id "$ida" --arg src "$src" --arg dst "$addr" \
			'[.[] | select(.event == "header" and .sport >= $b and .sport < $b + 2 and
			   .src == $src and .dst == $dst and .dport == 82 and
			   .endpoint_id == $id)] | length == 2' "$tmp/pp.log" >/dev/null ||
			fail "PROXY protocol from a1 to $addr: headers $(jq -c 'select(.event == "header")' "$tmp/pp.log" | tail -n 4)"
		base=$((base + 10))
	done
}
pp_check 42000
# Off again: the header would go to the identity servers of port 80 too.
must vpcectl service set sa proxy-protocol off
log "PROXY protocol through br-a: a1's own addresses and epa's ID"

# br_netfilter (loaded by Docker, libvirt's firewall, Kubernetes' CNIs) runs
# the IP hooks in the bridge's own path, before it decides to deliver a
# frame to the host: vpce's hooks then see the client's packets there, once.
if [ ! -d /sys/module/br_netfilter ] && modprobe br_netfilter 2>/dev/null; then
	defer rmmod br_netfilter
	sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 ||
		fail "enabling br_netfilter"
	ip link set br-a type bridge mcast_snooping 0
	for ns in a1 a3; do
		ip -n "$ns" neigh flush dev eth0
		check "$ns" 10 br-a
	done
	check b1 11 br-b
	must vpcectl service set sa proxy-protocol on
	pp_check 42100
	log "the same with br_netfilter calling the IP hooks, PROXY protocol too"
fi
exit 0
