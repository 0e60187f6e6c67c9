#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real VM on a real virtio NIC (the tenant guest of vm-run VM_TENANT=1,
# its eth0 wired to this VM's tenant0), not a veth in a netns:
#
#   tenant guest eth0 10.0.0.2 fd00:a::2 === tenant0 --- br-x (VPC A) \
#                                                                     host --- vprov --- netns prov
#                                            tenant0 (VPC D, IPv6) /                   192.168.1.10
#                                                                                       fd01::10
#
# First through a Linux bridge: the tenant resolves the endpoint addresses
# 10.0.0.100 and fd00:a::100 by ARP and NDP to br-x's MAC, reaches the
# service (tcp:80, the identity server), and moves 8 MB each way (tcp:5001
# into a sink, tcp:5002 out of a source) whose SHA-256 on arrival is the
# sender's, over both families.  Then VPC D bound to tenant0 itself, no
# bridge: the guest's virtio-net filters multicast by the addresses its
# driver joined (QEMU drops the rest), so the tenant's neighbour
# solicitation to the endpoint address's solicited-node group reaches the
# host only because vpce joins that group on the device.
#
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat python3 sha256sum
need_tenant

SIZE=$((8 << 20))
dir=$(mktemp -d)
defer rm -rf "$dir"

load_vpce

mk_ns prov
mk_veth vprov prov eth0 - "$NLB/24"
_addr_add vprov "$NLB6/64" || fail "adding $NLB6"
ip -n prov addr add 192.168.1.10/24 dev eth0 || fail "adding 192.168.1.10"
_addr_add eth0 fd01::10/64 ip -n prov || fail "adding fd01::10"
pl_server prov :: 8080 srv10 tcp
# The sink writes the SHA-256 of each connection's bytes, a line each; the
# source sends the same random blob to every connection.
head -c "$SIZE" /dev/urandom >"$dir/blob" || fail "making the blob"
blob_sha=$(sha256sum <"$dir/blob" | cut -d' ' -f1)
: >"$dir/sink"
ip netns exec prov socat -u TCP6-LISTEN:5001,ipv6only=0,reuseaddr,fork \
	SYSTEM:"sha256sum >>$dir/sink" </dev/null 2>"$dir/sink.err" &
defer kill $!
ip netns exec prov socat -U TCP6-LISTEN:5002,ipv6only=0,reuseaddr,fork \
	"OPEN:$dir/blob,rdonly" </dev/null 2>"$dir/source.err" &
defer kill $!
wait_for 30 ns_listening prov 5001 || fail "the sink is not listening"
wait_for 30 ns_listening prov 5002 || fail "the source is not listening"

# A MAC of its own, not its port's, so that the answers show whose it is.
ip link add br-x address 02:00:00:00:0b:01 type bridge || fail "ip link add br-x type bridge"
defer ip link del br-x
ip link set br-x up
ip link set tenant0 master br-x || fail "adding tenant0 to br-x"

must vpcectl vpc add A account 111111111111 dev br-x
must vpcectl service add svc account 333333333333 \
	listener tcp:80:8080 listener tcp:5001:5001 listener tcp:5002:5002 \
	nlb "$NLB" nlb "$NLB6"
must vpcectl service allow svc principal '*'
must vpcectl target add svc 192.168.1.10
must vpcectl target add svc fd01::10
must vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR" addr "$EP6_ADDR"

out=$(tenant "ip addr add 10.0.0.2/24 dev eth0 &&
	ip addr add fd00:a::2/64 dev eth0 nodad && ip neigh flush dev eth0") ||
	fail "configuring the tenant's eth0: $out"

# query ADDR NLB MAC : the tenant's TCP to ADDR:80 answers "srv10 NLB",
# and the tenant's neighbour table has ADDR at MAC.
query() {
	local out neigh
	out=$(tenant "socat -T 5 - TCP:$(_hostport "$1" 80),connect-timeout=10 </dev/null") ||
		fail "tenant: no answer from $1 port 80: $out"
	[ "$out" = "srv10 $2" ] || fail "tenant: $1 answered '$out', expected 'srv10 $2'"
	neigh=$(tenant "ip neigh show $1")
	grep -q "lladdr $3" <<<"$neigh" || fail "tenant: $1 not resolved to $3: '$neigh'"
	log "tenant: $1 resolved to $3 answered '$out'"
}

# shellcheck disable=SC2317 # called through wait_for
sink_past() {
	[ "$(wc -l <"$dir/sink")" -gt "$1" ]
}

# transfer ADDR : SIZE random bytes from the tenant into the sink and the
# blob from the source back, each compared by SHA-256.
transfer() {
	local ep=$1 n out sent
	n=$(wc -l <"$dir/sink")
	out=$(tenant -t 300 "head -c $SIZE /dev/urandom >/tmp/up && sha256sum </tmp/up &&
		socat -u OPEN:/tmp/up TCP:$(_hostport "$ep" 5001),connect-timeout=10") ||
		fail "tenant: sending $SIZE bytes to $ep failed: $out"
	sent=${out%% *}
	wait_for 30 sink_past "$n" ||
		fail "the sink saw no end of the tenant's transfer to $ep"
	[ "$(tail -n1 "$dir/sink" | cut -d' ' -f1)" = "$sent" ] ||
		fail "$ep: the sink got other bytes than the tenant sent ($(tail -n1 "$dir/sink") vs $sent)"
	out=$(tenant -t 300 "socat -u TCP:$(_hostport "$ep" 5002),connect-timeout=10 CREATE:/tmp/down &&
		stat -c %s /tmp/down && sha256sum </tmp/down && rm -f /tmp/up /tmp/down") ||
		fail "tenant: fetching the blob from $ep failed: $out"
	[ "$(sed -n 2p <<<"$out" | cut -d' ' -f1)" = "$blob_sha" ] ||
		fail "$ep: the tenant got other bytes than the source sent ($(head -n1 <<<"$out") bytes)"
	log "$ep: $SIZE bytes each way, SHA-256 equal on both ends"
}

brmac=$(cat /sys/class/net/br-x/address)
query "$EP_ADDR" "$NLB" "$brmac"
query "$EP6_ADDR" "$NLB6" "$brmac"
transfer "$EP_ADDR"
transfer "$EP6_ADDR"

# No bridge: VPC D on tenant0 itself, IPv6 only.  Out of the bridge the
# NIC is no longer promiscuous and virtio-net's multicast filter applies.
must ip link set tenant0 nomaster
must vpcectl endpoint del epa
must vpcectl vpc del A
must vpcectl vpc add D account 111111111111 dev tenant0
must vpcectl endpoint add epd vpc D service svc addr "$EP6_ADDR"
promisc=$(ip -d link show tenant0 | grep -o 'promiscuity [0-9]*')
[ "$promisc" = "promiscuity 0" ] || fail "tenant0 is still promiscuous ($promisc)"
must tenant "ip neigh flush dev eth0"
query "$EP6_ADDR" "$NLB6" "$(cat /sys/class/net/tenant0/address)"
transfer "$EP6_ADDR"
exit 0
