# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The IPv6 twin of privatelink.sh (sourced after it), and its dual stack:
#
#   netns vpca  eth0 fd00:a::2/64 --- va \
#                                         host (vpce) --- vprov fd01::1/64 --- netns prov
#   netns vpcb  eth0 fd00:a::2/64 --- vb /                               eth0 fd01::10-12/64
#
# VPCs A and B use the same IPv6 prefix and client address. Service "svc"
# (listeners tcp:80->8080, udp:53->5353, nlb fd01::1) has three targets
# fd01::10, ::11 and ::12, each running the identity servers srv10, srv11,
# srv12. Endpoints "epa" (VPC A) and "epb" (VPC B) both have the address
# fd00:a::100. No neighbour entry is configured anywhere: clients resolve
# the endpoint address by neighbour discovery.
#
# With PL6_DUAL=1 everything of privatelink.sh is there too, on the same
# devices: the addresses and targets of both families, one service with an
# nlb address of each family, and dual stack endpoints.

EP6_ADDR=fd00:a::100
NLB6=fd01::1

pl6_setup() {
	load_vpce
	pl6_topology
	pl6_config
}

pl6_topology() {
	local t v4a=- v4h=-

	if [ "${PL6_DUAL:-0}" = 1 ]; then
		v4a=10.0.0.2/24
		# shellcheck disable=SC2153 # NLB is privatelink.sh's
		v4h="$NLB/24"
	fi
	mk_ns vpca
	mk_ns vpcb
	mk_ns prov
	mk_veth va vpca eth0 fd00:a::2/64
	mk_veth vb vpcb eth0 fd00:a::2/64
	mk_veth vprov prov eth0 - "$NLB6/64"
	if [ "$v4a" != - ]; then
		ip -n vpca addr add "$v4a" dev eth0 || fail "adding $v4a to vpca"
		ip -n vpcb addr add "$v4a" dev eth0 || fail "adding $v4a to vpcb"
		ip addr add "$v4h" dev vprov || fail "adding $v4h to vprov"
	fi
	for t in $TARGETS; do
		_addr_add eth0 "fd01::$t/64" ip -n prov ||
			fail "adding fd01::$t"
		pl_server prov "fd01::$t" 8080 "srv$t" tcp --hold
		pl_server prov "fd01::$t" 5353 "srv$t" udp
		if [ "$v4a" != - ]; then
			ip -n prov addr add "192.168.1.$t/24" dev eth0 ||
				fail "adding 192.168.1.$t"
			pl_server prov "192.168.1.$t" 8080 "srv$t-4" tcp --hold
			pl_server prov "192.168.1.$t" 5353 "srv$t-4" udp
		fi
	done
}

pl6_config() {
	local t nlbs=(nlb "$NLB6") addrs=(addr "$EP6_ADDR")

	if [ "${PL6_DUAL:-0}" = 1 ]; then
		nlbs=(nlb "$NLB" nlb "$NLB6")
		addrs=(addr "$EP_ADDR" addr "$EP6_ADDR")
	fi
	must vpcectl vpc add A account 111111111111 dev va
	must vpcectl vpc add B account 222222222222 dev vb
	must vpcectl service add svc account 333333333333 \
		listener tcp:80:8080 listener udp:53:5353 "${nlbs[@]}"
	must vpcectl service allow svc principal 111111111111
	must vpcectl service allow svc principal 222222222222
	for t in $TARGETS; do
		must vpcectl target add svc "fd01::$t"
		[ "${PL6_DUAL:-0}" = 1 ] && must vpcectl target add svc "192.168.1.$t"
	done
	must vpcectl endpoint add epa vpc A service svc "${addrs[@]}"
	must vpcectl endpoint add epb vpc B service svc "${addrs[@]}"
}
