#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpce state is per network namespace.  Objects made in ns1 are invisible in
# ns2 and in the initial netns; ns2 can use the same names independently, and
# changing them there leaves ns1 alone.  Deleting a netns that still holds
# objects (including a VPC bound to one end of a veth pair whose other end
# is bound in the other netns) is clean: the runner fails the test on any
# oops or warning, the surviving netns keeps working, and the module still
# unloads afterwards.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl jq
load_vpce

tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"

mk_ns vpce-ns1
mk_ns vpce-ns2
V1=(vpcectl -n vpce-ns1)
V2=(vpcectl -n vpce-ns2)

# Same device names in both; x1 in ns1 and x2 in ns2 are the two ends of
# one veth pair.
for ns in vpce-ns1 vpce-ns2; do
	ip -n "$ns" link add d1 type dummy || fail "dummy in $ns"
	ip -n "$ns" link add d2 type dummy || fail "dummy in $ns"
done
ip -n vpce-ns1 link add x1 type veth peer name x2 netns vpce-ns2 ||
	fail "veth across the namespaces"

# state V... : every object type as JSON.
# The creation time of an endpoint is left out: re-creating one is meant to
# give the same state, not the same second.
state() {
	local o out
	out=$(for o in vpc service target endpoint; do
		"$@" -j "$o" show || exit 1
	done) || return 1
	sed 's/"created": *"[^"]*"//g' <<<"$out"
}

# empty V... : no objects at all.
empty() {
	local o out
	for o in vpc service target endpoint; do
		out=$("$@" -j "$o" show) || { log "'$* -j $o show' failed"; return 1; }
		[ "$out" = "[]" ] || { log "'$* -j $o show': $out"; return 1; }
	done
}

# invisible V... : none of ns1's objects can be named.
invisible() {
	local args
	for args in "vpc show vpc1" "service show svc1" "target show svc1" \
		    "endpoint show ep1" "endpoint del ep1" "vpc del vpc1" \
		    "target del svc1 192.168.10.10"; do
		# shellcheck disable=SC2086 # word splitting wanted
		if "$@" $args >/dev/null 2>"$tmp/err"; then
			log "'$* $args' succeeded"
			return 1
		fi
		grep -q '^vpcectl: no such' "$tmp/err" ||
			{ log "'$* $args': $(cat "$tmp/err")"; return 1; }
	done
}

# --- objects in ns1 ----------------------------------------------------------

must "${V1[@]}" vpc add vpc1 account 111111111111 dev d1 dev x1
must "${V1[@]}" service add svc1 account 333333333333 listener tcp:80:8080 \
	nlb 192.168.10.1 zone az1 nlb 192.168.20.1 zone az2
must "${V1[@]}" target add svc1 192.168.10.10 zone az1
must "${V1[@]}" service allow svc1 principal 111111111111
must "${V1[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100 zone az1
state "${V1[@]}" >"$tmp/ns1" || fail "cannot read ns1's state"
grep -q '"ep1"' "$tmp/ns1" || fail "ns1 state lacks ep1: $(cat "$tmp/ns1")"

empty "${V2[@]}" || fail "ns1's objects show in ns2"
empty vpcectl || fail "ns1's objects show in the initial netns"
invisible "${V2[@]}" || fail "ns1's objects can be named from ns2"
invisible vpcectl || fail "ns1's objects can be named from the initial netns"
log "ok: ns1's objects are invisible in ns2 and the initial netns"

# --- the same names in ns2 ---------------------------------------------------

must "${V2[@]}" vpc add vpc1 account 444444444444 dev d1 dev x2
must "${V2[@]}" service add svc1 account 555555555555 listener udp:53 \
	nlb 192.168.30.1 zone az3
must "${V2[@]}" target add svc1 192.168.10.10 zone az3 weight 7
must "${V2[@]}" service allow svc1 principal 444444444444
must "${V2[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100 zone az3
state "${V2[@]}" >"$tmp/ns2" || fail "cannot read ns2's state"
grep -q '444444444444' "$tmp/ns2" || fail "ns2's vpc1 is not its own: $(cat "$tmp/ns2")"
grep -q '111111111111' "$tmp/ns2" && fail "ns2 shows ns1's vpc1: $(cat "$tmp/ns2")"

state "${V1[@]}" >"$tmp/ns1.b" || fail "cannot read ns1's state"
cmp -s "$tmp/ns1" "$tmp/ns1.b" || fail "creating objects in ns2 changed ns1"
empty vpcectl || fail "ns2's objects show in the initial netns"
log "ok: the same names work independently in ns1 and ns2"

# Deleting in ns2 leaves ns1 alone, and the other way round.
id=$("${V2[@]}" -j endpoint show ep1 | jq -r '.[0].id') || fail "no ID for ns2's ep1"
must "${V2[@]}" endpoint del ep1
must "${V2[@]}" target del svc1 192.168.10.10
state "${V1[@]}" >"$tmp/ns1.c" || fail "cannot read ns1's state"
cmp -s "$tmp/ns1" "$tmp/ns1.c" || fail "deleting objects in ns2 changed ns1"
must "${V2[@]}" target add svc1 192.168.10.10 zone az3 weight 7
# With its ID again, as "restore" adds it: a new endpoint would get a new one.
must "${V2[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100 zone az3 id "$id"
state "${V2[@]}" >"$tmp/ns2.b" || fail "cannot read ns2's state"
cmp -s "$tmp/ns2" "$tmp/ns2.b" || fail "ns2's state did not come back the same"
log "ok: deleting in one netns leaves the other alone"

# --- deleting a netns that holds objects -----------------------------------

# ns1 goes with its VPC, service, target and endpoint; its end of the veth
# pair goes too, which takes x2 out of ns2's vpc1.
ip netns del vpce-ns1 || fail "ip netns del vpce-ns1"
# Its cleanup runs asynchronously; wait for x2, which dies with it.
wait_for 10 sh -c '! ip -n vpce-ns2 link show x2' ||
	fail "ns1's cleanup did not finish (x2 still exists)"

# ns2 still works, and only x2 left its VPC.
"${V2[@]}" -j vpc show >"$tmp/vpc2" || fail "vpc show in ns2 after deleting ns1"
log "ns2 after ns1 went: $(cat "$tmp/vpc2")"
grep -q '"vpc1"' "$tmp/vpc2" || fail "ns2's vpc1 is gone"
grep -q '"d1"' "$tmp/vpc2" || fail "ns2's vpc1 lost d1"
grep -q '"x2"' "$tmp/vpc2" && fail "ns2's vpc1 still lists the deleted x2"
must "${V2[@]}" endpoint show ep1
must "${V2[@]}" vpc add vpc2 account 444444444444 dev d2
empty vpcectl || fail "objects show in the initial netns"

# ns2 goes too, with everything in it; then the module must unload.
ip netns del vpce-ns2 || fail "ip netns del vpce-ns2"
wait_for 20 rmmod vpce || fail "vpce does not unload after its netns are gone (refcnt $(cat /sys/module/vpce/refcnt 2>/dev/null))"
log "ok: deleting namespaces holding objects is clean; vpce unloaded"

# And it loads again and works.
modprobe vpce || fail "modprobe vpce after rmmod"
empty vpcectl || fail "a fresh vpce is not empty"
exit 0
