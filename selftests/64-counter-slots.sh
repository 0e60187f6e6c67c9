#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counter sets of many objects stay apart. Counter sets come from blocks of
# 56 per CPU page (kmod/vpce_stats.c), an endpoint's sets consecutive in
# one block. 80 endpoints of one to three addresses (159 sets, three
# blocks) and a service of three zones; then:
#  - connections to some endpoints count on exactly those addresses, and on
#    nothing else: no set is shared, none is read at the wrong slot;
#  - endpoints that had counts are deleted, and new ones of other sizes
#    created, reusing their slots: they start at zero;
#  - counts are right again afterwards, and deleting everything then
#    unloading the module leaves nothing behind (99-kmemleak, debug kernel).
#
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
need_cmd jq

load_vpce
pl_topology
ip addr add 192.168.1.2/32 dev vprov || fail "adding 192.168.1.2"
ip addr add 192.168.1.3/32 dev vprov || fail "adding 192.168.1.3"

tmp=$(mktemp -d)
defer rm -rf "$tmp"

NEP=80
# addr I : the endpoint address of index I (10.0.0.10 on).
addr() { echo "10.0.0.$((10 + $1))"; }

# ep_line I OFF : the restore line adding endpoint e$I, with ((I + OFF) % 3)
# + 1 addresses: 10.0.0.(10 + 2I) in az1, 10.0.0.(11 + 2I) in az2,
# 10.0.1.(100 + I) in az3.
ep_line() {
	local i=$1 off=$2 n line z
	n=$(((i + off) % 3 + 1))
	line="endpoint add e$i vpc A service svc"
	for ((z = 1; z <= n; z++)); do
		case $z in
		1) line+=" addr $(addr $((2 * i))) zone az1" ;;
		2) line+=" addr $(addr $((2 * i + 1))) zone az2" ;;
		3) line+=" addr 10.0.1.$((100 + i)) zone az3" ;;
		esac
	done
	echo "$line"
}

{
	echo "vpc add A account 111111111111 dev va"
	echo "service add svc account 333333333333 listener tcp:80:8080 nlb 192.168.1.1 zone az1 nlb 192.168.1.2 zone az2 nlb 192.168.1.3 zone az3"
	echo "service allow svc principal 111111111111"
	echo "target add svc 192.168.1.10 zone az1"
	echo "target add svc 192.168.1.11 zone az2"
	echo "target add svc 192.168.1.12 zone az3"
	for ((i = 0; i < NEP; i++)); do
		ep_line "$i" 0
	done
} >"$tmp/config"
must vpcectl restore "$tmp/config"
ip -n vpca addr add 10.0.1.2/24 dev eth0 || fail "client address in 10.0.1.0/24"

# connect I ZONE COUNT : COUNT connections to endpoint I's address in ZONE.
connect() {
	local a
	case $2 in
	az1) a=$(addr $((2 * $1))) ;;
	az2) a=$(addr $((2 * $1 + 1))) ;;
	az3) a=10.0.1.$((100 + $1)) ;;
	esac
	ns_query vpca "$a" 80 --count "$3" >/dev/null ||
		fail "connections to e$1 $2 ($a) failed"
	echo "e$1 $2 $3" >>"$tmp/want"
}

# check WHAT : every endpoint zone's NewConnections is what $tmp/want says
# (0 if it says nothing), and the service's zones hold their sums.
check() {
	vpcectl -j stats show >"$tmp/stats.json" || fail "stats show"
	jq -r '.[] | select(.object == "endpoint") | .name as $n |
		.zones[] | "\($n) \(.zone) \(.NewConnections)"' "$tmp/stats.json" |
		sort >"$tmp/got"
	jq -r '.[] | select(.object == "service") |
		.zones[] | "svc \(.zone) \(.NewConnections)"' "$tmp/stats.json" |
		sort >>"$tmp/got"
	python3 - "$tmp/got" "$tmp/want" "$1" <<'PY' || fail "$1: counters are wrong"
import collections, sys
got = {}
for line in open(sys.argv[1]):
    name, zone, n = line.split()
    got[(name, zone)] = int(n)
want = collections.Counter()
for line in open(sys.argv[2]):
    name, zone, n = line.split()
    want[(name, zone)] += int(n)
    want[("svc", zone)] += int(n)
bad = [f"{k[0]} {k[1]}: {v}, want {want[k]}" for k, v in sorted(got.items()) if v != want[k]]
bad += [f"{k[0]} {k[1]}: missing" for k in want if k not in got]
for b in bad[:10]:
    print(b)
if bad:
    sys.exit(1)
print(f"{sys.argv[3]}: {len(got)} zone counters right, {sum(1 for v in got.values() if v)} of them counting")
PY
}

: >"$tmp/want"
nsets=$(jq '[.[] | select(.object == "endpoint") | .zones | length] | add' \
	<(vpcectl -j stats show)) || fail "stats show"
[ "$nsets" -eq 159 ] || fail "$nsets endpoint zones, not 159"
check "fresh"

# Neighbours in the set order: the last set of one endpoint and the first
# of the next, across block boundaries (56, 112).
for i in 0 1 17 18 19 36 37 38 55 56 57 79; do
	case $((i % 3)) in
	0) connect "$i" az1 $((i % 4 + 1)) ;;
	1) connect "$i" az2 $((i % 4 + 1)) ;;
	2) connect "$i" az3 $((i % 4 + 1)) ;;
	esac
done
check "after connections"

# Endpoints with counts go, and come back with another number of addresses
# (so other slots and blocks): their new sets start at zero.
del=(0 1 17 18 19 36 37 38 55 56 57 79)
for i in "${del[@]}"; do
	echo "endpoint del e$i"
done >"$tmp/del"
must vpcectl restore "$tmp/del"
: >"$tmp/want"
for i in "${del[@]}"; do
	ep_line "$i" 1
done >"$tmp/add"
must vpcectl restore "$tmp/add"
vpcectl -j stats show | jq -r '.[] | select(.object == "endpoint") | .name as $n |
	.zones[] | select(.NewConnections != 0) | "\($n) \(.zone) \(.NewConnections)"' >"$tmp/nonzero"
[ ! -s "$tmp/nonzero" ] || fail "recreated endpoints do not start at zero: $(head -3 "$tmp/nonzero")"
log "12 endpoints deleted and recreated with other sizes: every endpoint counter is 0"

for i in 0 18 37 56 79 40; do
	connect "$i" az1 2
done
vpcectl -j stats show | jq -r '.[] | select(.object == "endpoint") | .name as $n |
	.zones[] | select(.NewConnections != 0) | "\($n) \(.zone) \(.NewConnections)"' |
	sort >"$tmp/nonzero"
sort "$tmp/want" | diff -u - "$tmp/nonzero" >&2 ||
	fail "counts after recreation differ from what was sent"
log "counts after recreation: $(wc -l <"$tmp/nonzero") endpoint zones, as sent"

for ((i = 0; i < NEP; i++)); do
	echo "endpoint del e$i"
done >"$tmp/delall"
must vpcectl restore "$tmp/delall"
must vpcectl service del svc
exit 0
