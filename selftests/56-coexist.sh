#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Coexistence: with vpce loaded and configured (the privatelink topology,
# flows from both VPCs), the host's own load balancing on other addresses
# keeps working - an nftables DNAT, an iptables DNAT and an IPVS NAT-mode
# virtual service, reached from an ordinary routed client netns - and
# vpce's endpoints keep working beside them.  vpce must not count their
# flows, and unloading vpce must not disturb them.
#
#   netns other  eth0 172.16.0.2/24 --- vo 172.16.0.1/24 (host)
#   VIPs: 10.96.0.1 nft -> .10, 10.96.0.2 iptables -> .11, 10.96.0.3 ipvs -> .12
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd nft iptables ipvsadm python3
pl_setup

mk_ns other
mk_veth vo other eth0 172.16.0.2/24 172.16.0.1/24
ip -n other route add default via 172.16.0.1
# The targets answer the routed client directly (no SNAT in these modes).
ip -n prov route add 172.16.0.0/24 via "$NLB"

must nft -f - <<'NFT'
table ip coexist {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.96.0.1 tcp dport 80 dnat to 192.168.1.10:8080
	}
}
NFT
defer nft delete table ip coexist
must iptables -t nat -A PREROUTING -d 10.96.0.2 -p tcp --dport 80 \
	-j DNAT --to-destination 192.168.1.11:8080
defer iptables -t nat -D PREROUTING -d 10.96.0.2 -p tcp --dport 80 \
	-j DNAT --to-destination 192.168.1.11:8080
# IPVS NAT mode needs the VIP local on the director (kube-ipvs0 style).
ip link add kipvs0 type dummy || fail "dummy"
defer ip link del kipvs0
ip addr add 10.96.0.3/32 dev kipvs0
must ipvsadm -A -t 10.96.0.3:80 -s rr
defer ipvsadm -C
must ipvsadm -a -t 10.96.0.3:80 -r 192.168.1.12:8080 -m

check_all() {
	local vip srv out
	for pair in 10.96.0.1:srv10 10.96.0.2:srv11 10.96.0.3:srv12; do
		vip=${pair%%:*} srv=${pair#*:}
		out=$(tcp_query other "$vip" 80) || fail "$1: no answer from $vip"
		[ "$out" = "$srv 172.16.0.2" ] || fail "$1: $vip answered '$out', expected '$srv 172.16.0.2'"
	done
}

a0=$(ep_stat epa new-connections)
check_all "with vpce"
# vpce's own flows beside them: targets see the NLB address.
for ns in vpca vpcb; do
	out=$(tcp_query $ns "$EP_ADDR" 80) || fail "endpoint from $ns: no answer"
	[ "${out#* }" = "$NLB" ] || fail "endpoint from $ns: peer '${out#* }', expected $NLB"
	out=$(udp_query $ns "$EP_ADDR" 53) || fail "endpoint from $ns: no UDP answer"
done
# Repeat, interleaved, a few times.
for i in 1 2 3; do
	check_all "round $i"
	tcp_query vpca "$EP_ADDR" 80 >/dev/null || fail "endpoint, round $i"
done
a1=$(ep_stat epa new-connections)
[ $((a1 - a0)) -eq 5 ] || fail "epa counted $((a1 - a0)) new flows, expected the 5 sent to it"
log "nft, iptables and IPVS NAT work beside vpce; vpce counted only its own flows"

rmmod vpce || fail "rmmod vpce"
check_all "after rmmod vpce"
modprobe vpce || fail "modprobe vpce"
log "still working after vpce was unloaded"
exit 0
