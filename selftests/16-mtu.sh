#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replies bigger than the VPC device's MTU, and replies out of hops, in
# both families (privatelink6.sh's dual stack topology; service "big" has
# one target, 192.168.1.10 and fd01::10, running bulk.py; the host side of
# VPC A's device, va, has MTU 1300 while the client's side has 1500, as
# when the VPC is an overlay):
#  - TCP: the target's full-sized segments do not fit; it gets ICMP
#    "fragmentation needed" / "packet too big" from the nlb address about
#    its own packet, lowers its path MTU to 1300, and a 300 kB download
#    completes (without the ICMP it would stall: a path MTU black hole);
#  - UDP: a 3000-byte answer, which the target sends in fragments and the
#    host's conntrack reassembles, reaches the client fragmented again to
#    fit (IPv6, where routers do not fragment, after one "packet too big"
#    that makes the target fragment smaller);
#  - a reply with TTL / hop limit 1 is not forwarded; the target gets
#    "time exceeded";
#  - the other way, a provider network with a smaller MTU (1300, the host
#    side of the provider's device) than the VPC's: the client's full-sized segments do not fit, and the host has no
#    route to the VPC to tell it so by; vpce sends "fragmentation needed" /
#    "packet too big" back out of the VPC's device, from the endpoint
#    address, and a 300 kB upload completes; a client's packet with TTL /
#    hop limit 1 gets "time exceeded" the same way.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd python3 nstat
load_vpce
PL6_DUAL=1 pl6_topology

must vpcectl vpc add A account 111111111111 dev va
must vpcectl service add big account 111111111111 listener tcp:90:9090 \
	listener udp:91:9090 nlb "$NLB" nlb "$NLB6"
must vpcectl target add big 192.168.1.10
must vpcectl target add big fd01::10
must vpcectl endpoint add e vpc A service big addr "$EP_ADDR" addr "$EP6_ADDR"

ip netns exec prov python3 "$SELFTESTS/bulk.py" serve 9090 \
	--bind 192.168.1.10 --bind fd01::10 </dev/null &
defer kill $!
wait_for 10 ns_listening prov 9090 || fail "no bulk server"
ip link set va mtu 1300 || fail "va mtu"

# ns_stat NS COUNTER : a counter of NS's stack (nstat), e.g. the ICMP
# errors of a kind it received.
ns_stat() {
	ip netns exec "$1" nstat -saz "$2" | awk -v k="$2" '$1 == k { print $2 }'
}
prov_icmp() { ns_stat prov "$1"; }
vpca_stat() { ns_stat vpca "$1"; }

# out_of_hops NS WHOSE : with TTL and hop limit 1 in NS (the target's side
# or the client's), no connection passes the endpoint and NS gets "time
# exceeded" in both families; with them back, one does.
out_of_hops() {
	local ns=$1 whose=$2 ttl hops exc exc6 out
	ttl=$(ip netns exec "$ns" sysctl -n net.ipv4.ip_default_ttl)
	hops=$(ip netns exec "$ns" sysctl -n net.ipv6.conf.eth0.hop_limit)
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_default_ttl=1 net.ipv6.conf.eth0.hop_limit=1
	exc=$(ns_stat "$ns" IcmpInTimeExcds)
	exc6=$(ns_stat "$ns" Icmp6InTimeExcds)
	get "$EP_ADDR" 90 --size 10 --timeout 2 >/dev/null && fail "$whose packet with TTL 1 was forwarded"
	get "$EP6_ADDR" 90 --size 10 --timeout 2 >/dev/null && fail "$whose packet with hop limit 1 was forwarded"
	[ "$(ns_stat "$ns" IcmpInTimeExcds)" -gt "$exc" ] || fail "$ns got no ICMP time exceeded for TTL 1"
	[ "$(ns_stat "$ns" Icmp6InTimeExcds)" -gt "$exc6" ] || fail "$ns got no ICMPv6 time exceeded for hop limit 1"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_default_ttl="$ttl" net.ipv6.conf.eth0.hop_limit="$hops"
	out=$(get "$EP_ADDR" 90 --size 10) || fail "no answer with $whose TTL back: $out"
}
# get ADDR [bulk.py OPTIONS...] : what the client received
get() {
	local addr=$1
	shift
	ip netns exec vpca python3 "$SELFTESTS/bulk.py" get "$addr" "$@"
}

# --- TCP: path MTU discovery through the endpoint ----------------------------
unreach=$(prov_icmp IcmpInDestUnreachs)
out=$(get "$EP_ADDR" 90) || fail "IPv4 TCP: got $out of 300000 bytes (path MTU black hole?)"
[ "$(prov_icmp IcmpInDestUnreachs)" -gt "$unreach" ] ||
	fail "the target got no ICMP fragmentation needed"
ip -n prov route get "$NLB" from 192.168.1.10 | grep -q 'mtu 1300' ||
	fail "the target did not learn MTU 1300 for $NLB: $(ip -n prov route get "$NLB" from 192.168.1.10)"
log "IPv4 TCP: 300000 bytes; the target learnt mtu 1300 for $NLB"

toobig=$(prov_icmp Icmp6InPktTooBigs)
out=$(get "$EP6_ADDR" 90) || fail "IPv6 TCP: got $out of 300000 bytes (path MTU black hole?)"
[ "$(prov_icmp Icmp6InPktTooBigs)" -gt "$toobig" ] ||
	fail "the target got no ICMPv6 packet too big"
ip -n prov -6 route get "$NLB6" from fd01::10 | grep -q 'mtu 1300' ||
	fail "the target did not learn MTU 1300 for $NLB6: $(ip -n prov -6 route get "$NLB6" from fd01::10)"
log "IPv6 TCP: 300000 bytes; the target learnt mtu 1300 for $NLB6"

# --- UDP: fragmented answers, fragmented again to fit --------------------------
# Forget the learnt MTUs: the target fragments at 1500 again.
ip -n prov route flush cache
ip -n prov -6 route flush cache
reasm=$(vpca_stat IpReasmOKs)
out=$(get "$EP_ADDR" 91 --udp --timeout 2) || fail "IPv4 UDP: got $out of 3000 bytes"
[ "$(vpca_stat IpReasmOKs)" -gt "$reasm" ] || fail "the client reassembled nothing"
log "IPv4 UDP: 3000 bytes, in fragments that fit"

reasm=$(vpca_stat Ip6ReasmOKs)
toobig=$(prov_icmp Icmp6InPktTooBigs)
out=$(get "$EP6_ADDR" 91 --udp --timeout 2) ||
	fail "IPv6 UDP: got $out of 3000 bytes; the target got $(($(prov_icmp Icmp6InPktTooBigs) - toobig)) packet too big; its route: $(ip -n prov -6 route get "$NLB6" from fd01::10); host: $(nstat -saz Ip6FragCreates Ip6FragFails Ip6FragOKs Ip6ReasmOKs Icmp6OutPktTooBigs | tail -n +2 | tr '\n' ' ')"
[ "$(vpca_stat Ip6ReasmOKs)" -gt "$reasm" ] || fail "the client reassembled nothing"
log "IPv6 UDP: 3000 bytes, in fragments that fit ($(($(prov_icmp Icmp6InPktTooBigs) - toobig)) packet too big first)"

# --- out of hops ---------------------------------------------------------------
out_of_hops prov "the target's"
log "TTL / hop limit 1: time exceeded, both families"

# --- client to target: the provider network's MTU is smaller ---------------
ip link set va mtu 1500 || fail "va mtu"
# The host's side only: the target's own link stays at 1500, so its MSS
# does not keep the client's segments small (as with a target on a jumbo
# frame link behind a smaller hop).
ip link set vprov mtu 1300 || fail "vprov mtu"
# The target's MSS follows what it learnt above (mtu 1300 for the nlb
# address): forget it, or the client's segments are small already.
ip -n prov route flush cache
ip -n prov -6 route flush cache
# put ADDR : upload 300 kB to the target through the endpoint
put() {
	ip netns exec vpca python3 "$SELFTESTS/bulk.py" put "$1" 90
}
unreach=$(vpca_stat IcmpInDestUnreachs)
fragfails=$(nstat -saz IpFragFails | awk '$1 == "IpFragFails" { print $2 }')
out=$(put "$EP_ADDR") ||
	fail "IPv4 TCP upload: the target got $out of 300000 bytes (path MTU black hole?); host IpFragFails +$(($(nstat -saz IpFragFails | awk '$1 == "IpFragFails" { print $2 }') - fragfails)), client IcmpInDestUnreachs +$(($(vpca_stat IcmpInDestUnreachs) - unreach))"
[ "$(vpca_stat IcmpInDestUnreachs)" -gt "$unreach" ] ||
	fail "the client got no ICMP fragmentation needed"
ip -n vpca route get "$EP_ADDR" | grep -q 'mtu 1300' ||
	fail "the client did not learn MTU 1300 for $EP_ADDR: $(ip -n vpca route get "$EP_ADDR")"
[ "$(nstat -saz IpFragFails | awk '$1 == "IpFragFails" { print $2 }')" -gt "$fragfails" ] ||
	fail "the host did not count the packets it could not forward (IpFragFails)"
log "IPv4 TCP upload: 300000 bytes; the client learnt mtu 1300 for $EP_ADDR"

toobig=$(vpca_stat Icmp6InPktTooBigs)
out=$(put "$EP6_ADDR") || fail "IPv6 TCP upload: the target got $out of 300000 bytes (path MTU black hole?)"
[ "$(vpca_stat Icmp6InPktTooBigs)" -gt "$toobig" ] ||
	fail "the client got no ICMPv6 packet too big; client: $(ip netns exec vpca nstat -saz Icmp6InErrors Icmp6InCsumErrors Icmp6InPktTooBigs | tail -n +2 | tr '\n' ' '); host: $(nstat -saz Ip6InTooBigErrors Ip6InHdrErrors Ip6OutForwDatagrams | tail -n +2 | tr '\n' ' '); $(ip -n vpca -6 route get "$EP6_ADDR")"
ip -n vpca -6 route get "$EP6_ADDR" | grep -q 'mtu 1300' ||
	fail "the client did not learn MTU 1300 for $EP6_ADDR: $(ip -n vpca -6 route get "$EP6_ADDR")"
log "IPv6 TCP upload: 300000 bytes; the client learnt mtu 1300 for $EP6_ADDR"

out_of_hops vpca "the client's"
log "a client's TTL / hop limit 1: time exceeded from the endpoint, both families"
exit 0
