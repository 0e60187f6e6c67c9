#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Target selection. First the selection code itself: kmod/vpce_maglev.c
# built as a userspace program (selftests/maglev) prints its balance and
# disruption figures and checks them (see maglev.c): slots per target within
# one of the weight's share, exactly the removed target's slots moving when
# one target goes, at most 1% of the table moving when one comes, the same
# table whatever the order targets were added in.
#
# Then the same promise through the data path: 20 targets, 600 connections
# from fixed source addresses and ports record their target; one target is
# deleted, another goes unhealthy, and after each the same connections must
# find their old target unless it was the one that went.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd maglev connrate
maglev || fail "Maglev figures out of bounds (see above)"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
load_vpce
mk_ns mcli
mk_ns msrv
mk_veth mc mcli eth0 10.0.0.2/24
mk_veth ms msrv eth0 192.168.1.100/24 192.168.1.1/24
for i in $(seq 3 9); do echo "addr add 10.0.0.$i/24 dev eth0"; done |
	ip -n mcli -batch - || fail "client addresses"
for i in $(seq 101 119); do echo "addr add 192.168.1.$i/24 dev eth0"; done |
	ip -n msrv -batch - || fail "target addresses"
ip -n msrv route add default via 192.168.1.1
ip -n mcli route add default dev eth0
ip netns exec mcli sysctl -qw net.ipv4.tcp_tw_reuse=1
ip netns exec msrv connrate serve 8080 &
defer kill $!
wait_for 10 ns_listening msrv 8080 || fail "no server"

must vpcectl vpc add mvpc account 111111111111 dev mc
must vpcectl service add mag account 111111111111 listener tcp:80:8080 nlb 192.168.1.1
for i in $(seq 100 119); do echo "target add mag 192.168.1.$i"; done |
	vpcectl restore - || fail "target add"
must vpcectl endpoint add mep vpc mvpc service mag addr 10.0.0.100

# map FILE : 600 connections (8 sources x ports 40000..40074), each line
# "SRC SPORT TARGET", closed by reset so that the next round can reuse them.
map() {
	ip netns exec mcli connrate conn 10.0.0.100 80 -c 600 -P 4 -S 10.0.0.2 \
		-N 8 -p 40000 -g -r | grep -v '^{' | sort >"$1"
	[ "$(wc -l <"$1")" -eq 600 ] || fail "$1: $(wc -l <"$1") of 600 connections"
}

# moved BEFORE AFTER GONE : how many flows changed target, and how many of
# them were not on GONE (must be none).
moved() {
	join -j1 <(awk '{ print $1 ":" $2, $3 }' "$1") \
		<(awk '{ print $1 ":" $2, $3 }' "$2") |
		awk -v gone="$3" '$2 != $3 { n++; if ($2 != gone) bad++ }
			END { printf "%d %d\n", n, bad }'
}

map "$tmp/m0"
targets=$(cut -d' ' -f3 "$tmp/m0" | sort -u | wc -l)
[ "$targets" -ge 18 ] || fail "600 flows reached only $targets of 20 targets"

must vpcectl target del mag 192.168.1.105
conntrack -F >/dev/null 2>&1
map "$tmp/m1"
read -r n bad <<<"$(moved "$tmp/m0" "$tmp/m1" 192.168.1.105)"
on=$(awk '$3 == "192.168.1.105"' "$tmp/m0" | wc -l)
log "target del 1 of 20: $n of 600 flows moved, $on were on it, $bad others moved"
[ "$bad" -eq 0 ] && [ "$n" -eq "$on" ] || fail "flows moved between surviving targets"

must vpcectl target set mag 192.168.1.110 health unhealthy
conntrack -F >/dev/null 2>&1
map "$tmp/m2"
read -r n bad <<<"$(moved "$tmp/m1" "$tmp/m2" 192.168.1.110)"
on=$(awk '$3 == "192.168.1.110"' "$tmp/m1" | wc -l)
log "1 of 19 unhealthy: $n of 600 flows moved, $on were on it, $bad others moved"
[ "$bad" -eq 0 ] && [ "$n" -eq "$on" ] || fail "flows moved between healthy targets"

exit 0
