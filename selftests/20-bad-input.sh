#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input is refused with a reason and changes nothing.
#
# Builds a known state (two VPCs, a two-zone and a one-zone service, a
# target, an endpoint) in a netns and snapshots it (`vpcectl -j ... show`
# for every object type).  Then:
#  - malformed vpcectl commands (unknown words, missing or bad arguments,
#    bad names, addresses, ports, accounts and weights, unknown and duplicate
#    objects, references the kernel refuses) must each exit non-zero with a
#    "vpcectl: " line on stderr naming what was wrong;
#  - nlbad sends malformed generic netlink messages straight to the kernel
#    (every command, every attribute: wrong types, lengths, nesting, missing
#    and unknown attributes, out-of-range values, bad genl headers), each of
#    which must be refused with an errno and an extended ack message;
#  - nlbad dumpintr changes the VPC table in the middle of a dump, which must
#    then be flagged NLM_F_DUMP_INTR (or be a consistent snapshot);
# and finally the state must be byte-for-byte what it was.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl nlbad cmp jq
load_vpce

NS=badinput
mk_ns "$NS"
tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"

V=(vpcectl -n "$NS")

ip -n "$NS" link add vb0 type veth peer name vb0p || fail "veth"
ip -n "$NS" link add vb1 type dummy || fail "dummy"
ip -n "$NS" link add vb2 type dummy || fail "dummy"	# bound to nothing
ip -n "$NS" link add nlbad1 type dummy || fail "dummy"	# for nlbad
ip -n "$NS" link add nlbad2 type dummy || fail "dummy"

# --- the known state ---------------------------------------------------------

must "${V[@]}" vpc add vpc1 account 111111111111 dev vb0
must "${V[@]}" vpc add vpc2 account 222222222222 dev vb1
must "${V[@]}" service add svc1 account 333333333333 \
	listener tcp:80:8080 listener udp:53 \
	nlb 192.168.10.1 zone az1 nlb 192.168.20.1 zone az2
must "${V[@]}" service add svc2 account 333333333333 listener tcp:443 \
	nlb 192.168.30.1
must "${V[@]}" service allow svc1 principal '*'
must "${V[@]}" target add svc1 192.168.10.10 zone az1 weight 10
must "${V[@]}" target add svc1 192.168.20.10 zone az2
must "${V[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100 zone az1
must "${V[@]}" sg add sg1 vpc vpc1
must "${V[@]}" sg add sg2 vpc vpc2
must "${V[@]}" sg rule add sg1 tcp port 80 from 10.0.0.0/8
must "${V[@]}" endpoint set ep1 sg sg1

snapshot() {
	local o
	for o in vpc service target endpoint sg; do
		"${V[@]}" -j "$o" show || return 1
	done
}
snapshot >"$tmp/before" || fail "cannot snapshot the state"
grep -q '"ep1"' "$tmp/before" || fail "the snapshot lacks ep1: $(cat "$tmp/before")"

# --- malformed vpcectl commands ---------------------------------------------

nbad=0
nfailed=0

# bad KEY ARGS... : `vpcectl -n NS ARGS` must exit non-zero and print a
# "vpcectl: " line on stderr that matches KEY (an extended regex, case
# insensitive): the thing that was wrong.
bad() {
	local key=$1
	shift
	_bad "$key" "${V[@]}" "$@"
}

# bad_raw KEY vpcectl ARGS... : the same, with the whole command given.
bad_raw() {
	local key=$1
	shift
	_bad "$key" "$@"
}

_bad() {
	local key=$1 rc line
	shift
	nbad=$((nbad + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	line=$(grep -m1 '^vpcectl: ' "$tmp/err")
	if [ "$rc" -eq 0 ]; then
		log "FAIL: '$*' succeeded; stdout: $(cat "$tmp/out")"
	elif [ -z "$line" ]; then
		log "FAIL: '$*' exited $rc without a 'vpcectl: ' line; stderr: $(cat "$tmp/err")"
	elif ! grep -Eqi -- "$key" <<<"$line"; then
		log "FAIL: '$*' exited $rc with '$line', which does not mention /$key/"
	else
		log "ok: $* -> $rc: $line"
		return 0
	fi
	nfailed=$((nfailed + 1))
	return 1
}

long65=$(printf 'n%.0s' {1..65})
zone33=$(printf 'z%.0s' {1..33})

# Command line: objects, commands, options.
bad_raw 'frob' vpcectl -n "$NS" frob show
bad 'frobnicate' vpc frobnicate
bad 'frobnicate' endpoint frobnicate ep1
bad_raw '-x' vpcectl -x -n "$NS" vpc show
bad_raw 'nosuchns' vpcectl -n nosuchns vpc show
bad 'extra|unknown' vpc show vpc1 vpc2

# vpc add
bad 'VPC|name' vpc add
bad 'account' vpc add vpc9 dev vb2
bad 'account' vpc add vpc9 account
bad 'account' vpc add vpc9 account 11111111111 dev vb2
bad 'account' vpc add vpc9 account 1111111111111 dev vb2
bad 'account' vpc add vpc9 account 11111111111x dev vb2
bad 'vrf.*dev|dev.*vrf' vpc add vpc9 account 111111111111 vrf vb2 dev vb2
bad 'not a VRF' vpc add vpc9 account 111111111111 vrf vb2
bad 'nothing to change' vpc set vpc1
bad 'nosuchdev0' vpc add vpc9 account 111111111111 dev nosuchdev0
bad 'color' vpc add vpc9 account 111111111111 dev vb2 color red
bad 'long' vpc add "$long65" account 111111111111 dev vb2
bad 'character' vpc add 'vpc/9' account 111111111111 dev vb2
bad 'character' vpc add 'vpc 9' account 111111111111 dev vb2
bad 'empty' vpc add '' account 111111111111 dev vb2
bad 'exists' vpc add vpc1 account 111111111111 dev vb2
bad 'device.*bound|bound' vpc add vpc9 account 111111111111 dev vb0
bad 'twice' vpc add vpc9 account 111111111111 dev vb2 dev vb2

# vpc del / show
bad 'VPC|name' vpc del
bad 'no such VPC' vpc del vpc9
bad 'no such VPC' vpc show vpc9
bad 'endpoints' vpc del vpc1

# service add
svc=(service add svc9 account 333333333333)
bad 'port' "${svc[@]}" listener tcp:0 nlb 192.168.50.1
bad 'port' "${svc[@]}" listener tcp:65536 nlb 192.168.50.1
bad 'port' "${svc[@]}" listener tcp:80:0 nlb 192.168.50.1
bad 'protocol|icmp' "${svc[@]}" listener icmp:80 nlb 192.168.50.1
bad 'listener' "${svc[@]}" listener tcp nlb 192.168.50.1
bad 'listener' "${svc[@]}" nlb 192.168.50.1
bad 'listener' "${svc[@]}" listener tcp:80 listener tcp:80 nlb 192.168.50.1
bad 'nlb|load balancer' "${svc[@]}" listener tcp:80
bad 'address' "${svc[@]}" listener tcp:80 nlb 192.168.50
bad 'address' "${svc[@]}" listener tcp:80 nlb 192.168.50.256
bad 'zone' "${svc[@]}" listener tcp:80 nlb 192.168.50.1 zone 'az#1'
bad 'zone|long' "${svc[@]}" listener tcp:80 nlb 192.168.50.1 zone "$zone33"
bad 'twice' "${svc[@]}" listener tcp:80 nlb 192.168.50.1 zone a \
	nlb 192.168.50.1 zone b
bad 'more than 16' "${svc[@]}" listener tcp:80 \
	$(for i in $(seq 1 17); do echo "nlb 192.168.50.$i zone a"; done)
bad 'type|bogus' "${svc[@]}" type bogus listener tcp:80 nlb 192.168.50.1
bad 'account' service add svc9 account 99999999999 listener tcp:80 \
	nlb 192.168.50.1
bad 'exists' service add svc1 account 333333333333 listener tcp:80 \
	nlb 192.168.50.1

# service del / show
bad 'no such service' service del svc9
bad 'no such service' service show svc9
bad 'endpoints' service del svc1

# service set SVC listener add / del (a live service's listeners)
bad 'listener.*(exists|has a listener)|protocol and port' service set svc1 listener add tcp:80:9090
bad 'no listener' service set svc1 listener del tcp:81
bad 'no listener' service set svc1 listener del udp:80
bad 'last listener' service set svc2 listener del tcp:443
bad 'no such service' service set svc9 listener add tcp:81
bad 'add or del' service set svc1 listener
bad 'add or del' service set svc1 listener swap tcp:81
bad 'PROTO:PORT' service set svc1 listener add
bad 'protocol|icmp' service set svc1 listener add icmp:81
bad 'port' service set svc1 listener add tcp:0
bad 'target port' service set svc1 listener del tcp:80:8080
bad 'one listener|nothing else' service set svc1 listener add tcp:81 listener add tcp:82
bad 'alone' service set svc1 cross-zone on listener add tcp:81
# service set nlb add / del
bad 'add|del' service set svc1 nlb
bad 'add|del' service set svc1 nlb frob 192.168.10.2
bad 'address' service set svc1 nlb add 192.168.10.300 zone az1
bad 'zone' service set svc1 nlb add 192.168.10.2 zone az9
bad 'zone' service set svc1 nlb add 192.168.10.2
bad 'already' service set svc1 nlb add 192.168.20.1 zone az1
bad 'alone' service set svc1 nlb add 192.168.10.2 zone az1 cross-zone on
bad 'alone' service set svc1 cross-zone on nlb add 192.168.10.2 zone az1
bad 'no such load balancer address' service set svc1 nlb del 192.168.10.2
bad 'zone' service set svc1 nlb del 192.168.10.1 zone az1
bad 'last' service set svc1 nlb del 192.168.10.1
bad 'no such service' service set svc9 nlb add 192.168.10.2
bad 'gateway|load balancer' service set svc2 nlb del 192.168.30.1

# flow set
bad 'limit' flow set
bad 'limit' flow set limit
bad 'range' flow set limit 0
bad 'range' flow set limit 4194304
bad 'number' flow set limit many
bad 'unknown|frob' flow set frob 3

# target add / del / show
bad 'weight' target add svc1 192.168.10.20 zone az1 weight 0
bad 'weight' target add svc1 192.168.10.20 zone az1 weight 257
bad 'weight' target add svc1 192.168.10.20 zone az1 weight heavy
bad 'weight' target add svc1 192.168.10.20 zone az1 weight
bad 'address' target add svc1 192.168.10.300 zone az1
bad 'address' target add svc1 zone az1
bad 'zone' target add svc1 192.168.10.20 zone az9
bad 'zone' target add svc1 192.168.10.20
bad 'no such service' target add svc9 192.168.10.20
bad 'target' target add svc1 192.168.10.10 zone az1
bad 'target' target del svc1 192.168.10.99
bad 'no such service' target del svc9 192.168.10.10
bad 'no such service' target show svc9

# endpoint add / del / show
ep=(endpoint add ep9)
bad 'no such VPC' "${ep[@]}" vpc vpc9 service svc1 addr 10.0.0.101 zone az1
bad 'no such service' "${ep[@]}" vpc vpc1 service svc9 addr 10.0.0.101 zone az1
bad 'vpc' "${ep[@]}" service svc1 addr 10.0.0.101 zone az1
bad 'service' "${ep[@]}" vpc vpc1 addr 10.0.0.101 zone az1
bad 'addr' "${ep[@]}" vpc vpc1 service svc1
bad 'address' "${ep[@]}" vpc vpc1 service svc1 addr 10.0.0.300 zone az1
bad 'zone' "${ep[@]}" vpc vpc1 service svc1 addr 10.0.0.101 zone az9
bad 'zone' "${ep[@]}" vpc vpc1 service svc1 addr 10.0.0.101 zone az1 \
	addr 10.0.0.102 zone az1
bad 'address|endpoint' "${ep[@]}" vpc vpc1 service svc1 addr 10.0.0.100 zone az1
bad 'exists' endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.101 zone az1
# id vpce-ID: refused by vpcectl before anything is sent, and a used one by
# the kernel (EEXIST, naming the endpoint that has it).
epok=(vpc vpc1 service svc1 addr 10.0.0.101 zone az1)
bad 'vpce- and 17 lowercase hex digits' "${ep[@]}" "${epok[@]}" id vpce-XYZ
bad 'vpce- and 17 lowercase hex digits' "${ep[@]}" "${epok[@]}" id vpce-0123456789ABCDEF0
bad 'vpce- and 17 lowercase hex digits' "${ep[@]}" "${epok[@]}" id vpce-0123456789abcdef
bad 'vpce- and 17 lowercase hex digits' "${ep[@]}" "${epok[@]}" id vpce-0123456789abcdef01
bad 'vpce- and 17 lowercase hex digits' "${ep[@]}" "${epok[@]}" id 0123456789abcdef0
bad 'vpce-ID' "${ep[@]}" "${epok[@]}" id
bad 'only once' "${ep[@]}" "${epok[@]}" id vpce-0123456789abcdef0 id vpce-0123456789abcdef1
ep1_id=$("${V[@]}" -j endpoint show ep1 | jq -r '.[0].id')
[[ $ep1_id =~ ^vpce-[0-9a-f]{17}$ ]] || fail "ep1's ID: $ep1_id"
bad "endpoint ep1 has the ID $ep1_id" "${ep[@]}" "${epok[@]}" id "$ep1_id"
bad 'long' endpoint add "$long65" vpc vpc1 service svc1 addr 10.0.0.101 zone az1
# endpoint set EP addr add / del (a live endpoint's addresses)
bad 'endpoint has this address' endpoint set ep1 addr add 10.0.0.100 zone az1
bad 'IPv4 address in zone az1' endpoint set ep1 addr add 10.0.0.101 zone az1
bad 'no such zone' endpoint set ep1 addr add 10.0.0.101 zone az9
bad 'several zones' endpoint set ep1 addr add 10.0.0.101
bad 'no such address' endpoint set ep1 addr del 10.0.0.101
bad 'last address' endpoint set ep1 addr del 10.0.0.100
bad 'no such endpoint' endpoint set ep9 addr add 10.0.0.101 zone az2
bad 'address' endpoint set ep1 addr add 10.0.0.300 zone az2
bad 'add or del' endpoint set ep1 addr
bad 'add or del' endpoint set ep1 addr move 10.0.0.101
bad 'ADDR' endpoint set ep1 addr add
bad 'no zone' endpoint set ep1 addr del 10.0.0.100 zone az1
bad 'one address|nothing else' endpoint set ep1 addr add 10.0.0.101 zone az2 addr add 10.0.0.102
bad 'one address|nothing else' endpoint set ep1 addr add 10.0.0.101 zone az2 policy-json '{}'
bad 'no such endpoint' endpoint del ep9
bad 'no such endpoint' endpoint show ep9
# Dumps filtered by a name that names nothing.
bad 'no such VPC' principal show vpc9
bad 'no such service' connection show svc9
bad 'no such endpoint' stats show endpoint ep9
bad 'no such service' stats show service svc9
bad 'no such endpoint' flow show endpoint ep9
bad 'no such service' flow show service svc9
bad 'no such service' flow flush service svc9
bad '60 or 600' endpoint set ep1 flow-log on aggregation 30
bad 'out of range' endpoint set ep1 flow-log on sample 0
bad 'out of range' endpoint set ep1 flow-log on sample 101
bad 'need flow-log on' endpoint set ep1 flow-log off sample 5
bad 'on or off' endpoint set ep1 flow-log maybe
bad 'on|off' endpoint set ep1 flow-log
bad 'only once' endpoint set ep1 flow-log on sample 5 sample 6
bad 'no such endpoint' endpoint set ep9 flow-log on
bad '60 or 600' service set svc1 flow-log on aggregation 3600
bad 'out of range' service set svc1 flow-log on sample 200

# Health checks as the NLB has them.
bad 'interval.*out of range \(5-300\)' service set svc1 health-check tcp interval 4
bad 'timeout.*out of range \(2-120\)' service set svc1 health-check tcp interval 300 timeout 121
bad 'timeout.*must be less than its interval' service set svc1 health-check https interval 10 timeout 10
bad 'timeout.*must be less than its interval' service set svc1 cross-zone on health-check tcp timeout 60
bad 'matcher "99"' service set svc1 health-check http matcher 99
bad 'matcher "600"' service set svc1 health-check https matcher 600
bad 'matcher "2x0"' service set svc1 health-check http matcher 2x0
bad 'matcher.*HTTP and HTTPS' service set svc1 health-check tcp matcher 200
bad 'path must start with /' service set svc1 health-check https:health
bad 'host "a b".*not a DNS name' service set svc1 health-check https host 'a b'
bad 'host.*HTTP and HTTPS' service set svc1 health-check tcp host a.example.com
bad 'use tcp, http\[:PATH\], https\[:PATH\] or none' service set svc1 health-check tls
bad 'must follow "health-check"' service set svc1 matcher 200
bad 'no such service' service set svc9 health-check https:/ matcher 200-299,302 host a.example.com

# Security groups
bad 'SG|name' sg add
bad 'vpc' sg add sg9
bad 'no such VPC' sg add sg9 vpc vpc9
bad 'exists' sg add sg1 vpc vpc1
bad 'no such security group' sg del sg9
bad 'used by' sg del sg1
bad 'security groups' vpc del vpc2
bad 'protocol|icmpx' sg rule add sg1 icmpx from 10.0.0.0/8
bad 'port' sg rule add sg1 tcp port 0 from 10.0.0.0/8
bad 'range|above' sg rule add sg1 tcp port 5-3 from 10.0.0.0/8
bad 'address|prefix' sg rule add sg1 tcp from 10.0.0.300/8
bad 'host bits' sg rule add sg1 tcp from 10.0.0.1/8
bad 'from' sg rule add sg1 tcp port 80
bad 'already' sg rule add sg1 tcp port 80 from 10.0.0.0/8
bad 'no such rule' sg rule del sg1 udp from 10.0.0.0/8
bad 'no such security group' sg rule add sg1 tcp from sg sg9
bad 'VPC' sg rule add sg1 tcp from sg sg2
bad 'add or del' sg member move sg1 10.0.0.0/8
bad 'no such member' sg member del sg1 10.0.0.0/8
bad 'no such security group' sg show sg9
bad 'no such security group' endpoint set ep1 sg sg9
bad 'VPC' endpoint set ep1 sg sg2
bad 'twice' endpoint set ep1 sg sg1 sg sg1
bad 'at most 5' endpoint set ep1 sg a sg b sg c sg d sg e sg f
bad 'none' endpoint set ep1 sg none sg sg1
bad 'VPC' endpoint add ep9 vpc vpc1 service svc1 addr 10.0.0.109 zone az1 sg sg2

log "$nbad malformed vpcectl commands, $nfailed misbehaved"

# --- raw netlink ----------------------------------------------------------------

log "nlbad: malformed generic netlink requests"
ns_exec "$NS" nlbad -d nlbad1 -D nlbad2 >"$tmp/nlbad" 2>&1
nlbad_rc=$?
cat "$tmp/nlbad"
nlbad_cases=$(grep -c '^ok ' "$tmp/nlbad")

log "nlbad dumpintr: a VPC dump interrupted by a change"
devs=()
for i in $(seq 0 59); do
	devs+=("dd$i")
done
printf 'link add %s type dummy\n' "${devs[@]}" | ip -n "$NS" -batch - ||
	fail "creating dummy devices"
ns_exec "$NS" nlbad dumpintr "${devs[@]}"
dumpintr_rc=$?

# --- nothing changed --------------------------------------------------------------

snapshot >"$tmp/after" || fail "cannot snapshot the state afterwards"
if ! cmp -s "$tmp/before" "$tmp/after"; then
	log "state before:"
	cat "$tmp/before"
	log "state after:"
	cat "$tmp/after"
	fail "the refused commands changed the state"
fi
log "state unchanged after $nbad vpcectl commands and $nlbad_cases nlbad cases"

[ "$nfailed" -eq 0 ] || fail "$nfailed of $nbad malformed vpcectl commands misbehaved"
[ "$nlbad_rc" -eq 0 ] || fail "nlbad exited $nlbad_rc: $(grep -c '^FAIL' "$tmp/nlbad") case(s) misbehaved"
[ "$dumpintr_rc" -eq 0 ] || fail "nlbad dumpintr exited $dumpintr_rc"
exit 0
