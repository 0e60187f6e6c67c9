#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PROXY protocol (issue 23) under ICMP errors and path MTU: with the
# header in the target's stream, a client's segment has, for the target,
# a sequence number 54 (IPv4) / 78 (IPv6) bytes on; an ICMP error about it
# must reach the client quoting it as the client sent it, or the client's
# TCP takes it for an error about data it never sent (tcp_v4_err() /
# tcp_v6_err() drop an error whose quoted sequence number is outside
# snd_una..snd_nxt and count it in TcpExtOutOfWindowIcmps).
#
#   netns vpca eth0 10.0.0.2, fd00:a::2 --- va  host (vpce)  vprov 192.168.1.1, fd01::1
#     --- eth0 192.168.1.10, fd01::10 netns prov (target "near"; a router)
#         eth1 192.168.2.1, fd02::1 mtu 1280 --- eth0 192.168.2.10, fd02::10 netns far
#                                                 (target "far")
#
# Services near and far (proxy-protocol on, tcp:82 -> 8082, pp2.py parse:
# takes the header off and echoes the rest); endpoints en (10.0.0.100,
# fd00:a::100) and ef (10.0.0.101, fd00:a::101) in VPC A. The targets'
# routes to the nlb addresses have a smaller MTU for what they send, but
# advertise a full MSS (advmss), so that the client's segments are full
# sized (1500 bytes) and the target's echo fits the way back.
#
# - vpce's own errors: vprov (the host's side of the provider network) has
#   MTU 1300; the client's full-sized segments do not fit and vpce sends
#   "fragmentation needed" / "packet too big" from the endpoint address.
# - a router's errors: prov forwards to far over eth1 (MTU 1280); prov's
#   kernel sends the error to the nlb address about the segment as it left
#   vpce (sequence number moved by the header); vpce translates it for the
#   client.
# Each time, one upload of 300 kB (icmpquote.py) comes back byte for byte;
# every error the client got that quotes the connection quotes a segment
# of its own stream at the right offset: the quoted payload bytes are the
# stream's bytes at quoted seq - ISN - 1 (a quote moved by the header
# fails that); the client got at least one (IcmpInDestUnreachs /
# Icmp6InPktTooBigs up), took none as out of window (TcpExtOutOfWindowIcmps
# stays 0) and learnt the smaller path MTU to the endpoint address. IPv4 in
# vpce's own flow table and again with conntrack=1; IPv6 (conntrack's
# path either way).
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd python3 nstat jq

EP_NEAR=10.0.0.100
EP6_NEAR=fd00:a::100
EP_FAR=10.0.0.101
EP6_FAR=fd00:a::101
NLB=192.168.1.1
NLB6=fd01::1

tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"

# --- topology -----------------------------------------------------------------
load_vpce
mk_ns vpca
mk_ns prov
mk_ns far
mk_veth va vpca eth0 10.0.0.2/24
_addr_add eth0 fd00:a::2/64 ip -n vpca || fail "fd00:a::2 in vpca"
mk_veth vprov prov eth0 192.168.1.10/24 "$NLB/24"
_addr_add eth0 fd01::10/64 ip -n prov || fail "fd01::10 in prov"
_addr_add vprov "$NLB6/64" || fail "$NLB6 on vprov"
# prov -- far: a smaller MTU on the router's side only (far's own link at
# 1500 would take full-sized segments; prov cannot forward them).
ip -n prov link add eth1 type veth peer name eth0 netns far || fail "veth prov/far"
ip -n prov link set eth1 mtu 1280 up || fail "prov eth1 up"
ip -n far link set eth0 up || fail "far eth0 up"
ip -n prov addr add 192.168.2.1/24 dev eth1 || fail "192.168.2.1 in prov"
_addr_add eth1 fd02::1/64 ip -n prov || fail "fd02::1 in prov"
ip -n far addr add 192.168.2.10/24 dev eth0 || fail "192.168.2.10 in far"
_addr_add eth0 fd02::10/64 ip -n far || fail "fd02::10 in far"
# The targets send at most what fits the way back (1280 / 1300) and still
# advertise a full MSS: the client's segments are 1500 bytes.
ip -n far route add default via 192.168.2.1 mtu 1280 advmss 1460 || fail "far's route"
ip -n far -6 route add default via fd02::1 mtu 1280 advmss 1440 || fail "far's IPv6 route"
ip -n prov route add "$NLB/32" dev eth0 mtu 1300 advmss 1460 || fail "prov's route to $NLB"
ip -n prov -6 route add "$NLB6/128" dev eth0 mtu 1300 advmss 1440 ||
	fail "prov's route to $NLB6"
ip route add 192.168.2.0/24 via 192.168.1.10 || fail "host route to far"
defer ip route del 192.168.2.0/24
ip -6 route add fd02::/64 via fd01::10 || fail "host route to far (IPv6)"
defer ip -6 route del fd02::/64

for ns in prov far; do
	ip netns exec "$ns" python3 "$SELFTESTS/pp2.py" parse 8082 \
		--log "$tmp/$ns.log" </dev/null &
	defer kill $!
done
for ns in prov far; do
	wait_for 30 ns_listening "$ns" 8082 || fail "no target in $ns"
done

must vpcectl vpc add A account 111111111111 dev va
for s in "near 192.168.1.10 fd01::10" "far 192.168.2.10 fd02::10"; do
	read -r name t4 t6 <<<"$s"
	must vpcectl service add "$name" account 111111111111 listener tcp:82:8082 \
		nlb "$NLB" nlb "$NLB6"
	must vpcectl service set "$name" proxy-protocol on
	must vpcectl target add "$name" "$t4"
	must vpcectl target add "$name" "$t6"
done
must vpcectl endpoint add en vpc A service near addr "$EP_NEAR" addr "$EP6_NEAR"
must vpcectl endpoint add ef vpc A service far addr "$EP_FAR" addr "$EP6_FAR"
vpcectl save >"$tmp/save" || fail "save"

# vpca_stat COUNTER : a counter of the client's stack (nstat).
vpca_stat() {
	ip netns exec vpca nstat -saz "$1" | awk -v k="$1" '$1 == k { print $2 }'
}

# upload NAME ADDR MTU : icmpquote.py's upload from vpca to ADDR port 82,
# with the client's learnt path MTUs forgotten first; it must get errors,
# quoting its own segments, take none as out of window, and learn MTU.
upload() {
	local name=$1 addr=$2 mtu=$3 ctr=IcmpInDestUnreachs ipv=-4 before out
	case $addr in *:*) ctr=Icmp6InPktTooBigs ipv=-6 ;; esac
	ip -n vpca -4 route flush cache
	ip -n vpca -6 route flush cache
	before=$(vpca_stat "$ctr")
	out=$(ip netns exec vpca python3 "$SELFTESTS/icmpquote.py" "$addr" 82 \
		--want-errors --seed "$name" 2>&1)
	printf '%s\n' "$out" >"$tmp/$name.json"
	jq -e '.echo == "ok" and .bad == 0 and .errors > 0 and .isn != null' \
		"$tmp/$name.json" >/dev/null ||
		fail "$name: $out; client: $(ip netns exec vpca nstat -saz TcpExtOutOfWindowIcmps "$ctr" | tail -n +2 | tr '\n' ' ')"
	[ "$(vpca_stat "$ctr")" -gt "$before" ] || fail "$name: the client counted no $ctr"
	[ "$(vpca_stat TcpExtOutOfWindowIcmps)" = 0 ] ||
		fail "$name: the client took $(vpca_stat TcpExtOutOfWindowIcmps) ICMP errors as out of window"
	ip -n vpca "$ipv" route get "$addr" | grep -q "mtu $mtu" ||
		fail "$name: the client did not learn MTU $mtu for $addr: $(ip -n vpca "$ipv" route get "$addr")"
	log "$name: $(jq -c '{echo, errors, bad, first: [.quotes[:3][] | {type, code, info, from, offset, len}]}' "$tmp/$name.json")"
}

# near NAME ADDR : vpce's own errors (vprov at 1300).
near() {
	ip link set vprov mtu 1300 || fail "vprov mtu"
	upload "$1" "$2" 1300
}

# far NAME ADDR : prov's errors (its eth1 at 1280), as a router sends them.
far() {
	ip link set vprov mtu 1500 || fail "vprov mtu"
	upload "$1" "$2" 1280
}

near near4 "$EP_NEAR"
far far4 "$EP_FAR"
near near6 "$EP6_NEAR"
far far6 "$EP6_FAR"

# IPv4 flows in conntrack's path too.
load_vpce conntrack=1
must vpcectl restore "$tmp/save"
near ctnear4 "$EP_NEAR"
far ctfar4 "$EP_FAR"

for ns in prov far; do
	jq -e 'select(.error != null)' "$tmp/$ns.log" >/dev/null 2>&1 &&
		fail "target in $ns: $(jq -c 'select(.error != null)' "$tmp/$ns.log" | head -n 3)"
	jq -se '[.[] | select(.event == "header" and .header == true)] | length == 3' \
		"$tmp/$ns.log" >/dev/null ||
		fail "target in $ns did not get 3 good headers: $(jq -c 'select(.event == "header")' "$tmp/$ns.log")"
done
exit 0
