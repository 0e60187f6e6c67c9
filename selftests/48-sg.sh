#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Security groups on endpoint addresses (issue 24), on real flows, IPv4 (in
# vpce's own table, then with conntrack=1) and IPv6 (conntrack): with no SG
# every client gets in; an SG allowing one /32 lets that client in and
# drops the other silently (no reset, no ICMP), counted in drop-sg, before
# the policy is asked (drop-policy stays 0 although the policy would refuse
# the client); a rule for one listener port leaves the other port closed;
# port ranges; "from sg SG2" matches SG2's members; deleting a rule or a
# member ends the live flows it allowed and no other; replies pass (the
# flows work both ways); "sg none" opens the endpoint again; up to five
# SGs; bad input changes nothing; save and restore round trip.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat python3 jq
PL6_DUAL=1
pl6_setup
ip -n vpca addr add 10.0.0.3/24 dev eth0 || fail "adding 10.0.0.3"
_addr_add eth0 fd00:a::3/64 ip -n vpca || fail "adding fd00:a::3"

tmp=$(mktemp -d)
defer rm -rf "$tmp"

# tcp SRC [PORT] : a TCP connection from VPC A's SRC to the endpoint.
tcp() {
	local dst=$EP_ADDR
	case $1 in *:*) dst="[$EP6_ADDR]" ;; esac
	ip netns exec vpca socat -T 3 - \
		"TCP:$dst:${2:-80},bind=$(_b "$1"),connect-timeout=3" </dev/null 2>&1
}
_b() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

# udp SRC : a UDP query from SRC to the endpoint's port 53.
udp() {
	local dst=$EP_ADDR
	case $1 in *:*) dst="[$EP6_ADDR]" ;; esac
	printf 'x\n' | ip netns exec vpca socat -T 3 - "UDP:$dst:53,bind=$(_b "$1")" 2>&1
}

allowed() { "$@" | grep -q "^srv" || fail "$* was not let in: $("$@")"; }

# dropped CMD... : no answer at all (dropped silently), not a refusal.
dropped() {
	local out
	out=$("$@")
	grep -q "^srv" <<<"$out" && fail "$* got in: $out"
	grep -qi "refused\|reset\|unreachable" <<<"$out" &&
		fail "$*: refused (an SG drops silently): $out"
	true
}

state() { vpcectl save | grep -v "^flow set"; }

sg_flows() {
	log "--- $1"
	# No SG: everyone.
	allowed tcp 10.0.0.2
	allowed tcp 10.0.0.3
	allowed tcp fd00:a::3

	must vpcectl sg add web vpc A
	must vpcectl sg rule add web tcp port 80 from 10.0.0.2/32
	must vpcectl sg rule add web tcp port 80 from fd00:a::2/128
	vpcectl monitor >"$tmp/$1.mon" 2>"$tmp/$1.mon.err" &
	defer kill $!
	wait_for 10 grep -q monitoring "$tmp/$1.mon.err" ||
		fail "monitor did not start: $(cat "$tmp/$1.mon.err")"
	# A policy that would refuse .3 and ::3: the SG must drop them first.
	cat >"$tmp/pol.json" <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
 {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
  "Condition": {"IpAddress": {"aws:VpcSourceIp": ["10.0.0.3/32", "fd00:a::3/128"]}}}]}
EOF
	must vpcectl endpoint set epa policy "$tmp/pol.json"
	must vpcectl endpoint set epa sg web
	wait_for 10 grep -q "^sgs endpoint epa " "$tmp/$1.mon" ||
		fail "no sgs event: $(cat "$tmp/$1.mon")"
	allowed tcp 10.0.0.2
	allowed tcp fd00:a::2
	dropped tcp 10.0.0.3
	dropped tcp fd00:a::3
	[ "$(ep_stat epa drop-sg)" -ge 2 ] || fail "drop-sg is $(ep_stat epa drop-sg)"
	[ "$(ep_stat epa drop-policy)" -eq 0 ] ||
		fail "drop-policy is $(ep_stat epa drop-policy): the policy was asked before the SG"
	# VPC B's endpoint has no SG.
	tcp_query vpcb "$EP_ADDR" 80 | grep -q "^srv" || fail "epb is affected by epa's SG"
	log "one /32 in, the other dropped silently before the policy ($(ep_stat epa drop-sg) drops)"
	cat >"$tmp/all.json" <<EOF
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*"}}
EOF
	must vpcectl endpoint set epa policy "$tmp/all.json"

	# A rule for port 80 only: UDP 53 stays closed, until a range opens it.
	dropped udp 10.0.0.2
	must vpcectl sg rule add web udp port 50-60 from 10.0.0.0/24
	allowed udp 10.0.0.2
	allowed udp 10.0.0.3
	dropped tcp 10.0.0.3
	log "port ranges: udp 50-60 opens 53, tcp 80 stays closed to .3"

	# from sg: the members of another SG.
	must vpcectl sg add clients vpc A
	must vpcectl sg rule add web all from sg clients
	dropped tcp 10.0.0.3
	must vpcectl sg member add clients 10.0.0.3/32
	must vpcectl sg member add clients fd00:a::3/128
	allowed tcp 10.0.0.3
	allowed tcp fd00:a::3
	must_fail vpcectl sg del clients
	log "from sg clients: its members get in"

	# Live flows: deleting a member ends those it let in, only those.
	held_start vpca "$tmp/$1.h3" "$EP_ADDR" 80 --bind 10.0.0.3 --tag c3
	held_start vpca "$tmp/$1.h2" "$EP_ADDR" 80 --bind 10.0.0.2 --tag c2
	held_start vpca "$tmp/$1.h6" "$EP6_ADDR" 80 --bind fd00:a::3 --tag c6
	[ "$(held_ping "$tmp/$1.h3" 1)" = "ok c3 1" ] || fail "held flow from .3"
	[ "$(held_ping "$tmp/$1.h2" 1)" = "ok c2 1" ] || fail "held flow from .2"
	[ "$(held_ping "$tmp/$1.h6" 1)" = "ok c6 1" ] || fail "held flow from ::3"
	must vpcectl sg member del clients 10.0.0.3/32
	res=$(held_ping "$tmp/$1.h3" 2)
	[ "${res%% *}" = ERROR ] || fail "the flow from .3 survived its member's deletion: $res"
	[ "$(held_ping "$tmp/$1.h2" 2)" = "ok c2 2" ] || fail "the flow from .2 broke"
	[ "$(held_ping "$tmp/$1.h6" 2)" = "ok c6 2" ] || fail "the flow from ::3 broke"
	# ... and deleting a rule those it let in.
	must vpcectl sg rule del web all from sg clients
	res=$(held_ping "$tmp/$1.h6" 3)
	[ "${res%% *}" = ERROR ] || fail "the flow from ::3 survived its rule's deletion: $res"
	must vpcectl sg rule del web tcp port 80 from 10.0.0.2/32
	res=$(held_ping "$tmp/$1.h2" 3)
	[ "${res%% *}" = ERROR ] || fail "the flow from .2 survived its rule's deletion: $res"
	dropped tcp 10.0.0.2
	log "member and rule deletions end the flows they let in, only those"

	# sg none: everyone again.
	must vpcectl endpoint set epa sg none
	allowed tcp 10.0.0.2
	allowed tcp 10.0.0.3
	vpcectl -j endpoint show epa | jq -e '.[0].sgs == []' >/dev/null ||
		fail "sgs after sg none: $(vpcectl -j endpoint show epa)"
	must vpcectl sg del web
	must vpcectl sg del clients
}

sg_flows own

# Show, JSON, five SGs at most, bad input, save and restore.
must vpcectl sg add s1 vpc A
must vpcectl sg add s2 vpc A
must vpcectl sg add s3 vpc A
must vpcectl sg add s4 vpc A
must vpcectl sg add s5 vpc A
must vpcectl sg add s6 vpc A
must vpcectl sg add sb vpc B
must vpcectl sg rule add s1 tcp port 80-90 from 10.0.0.0/24
must vpcectl sg rule add s1 all from sg s2
must vpcectl sg rule add s1 udp from fd00:a::/64
must vpcectl sg member add s2 10.0.1.0/24
must vpcectl endpoint set epa sg s1 sg s2 sg s3 sg s4 sg s5
out=$(vpcectl sg show s1)
log "$out"
grep -qx "sg s1 vpc A endpoints 1" <<<"$out" || fail "sg show: $out"
grep -qx "    rule tcp port 80-90 from 10.0.0.0/24" <<<"$out" || fail "sg show: $out"
grep -qx "    rule all from sg s2" <<<"$out" || fail "sg show: $out"
vpcectl -j sg show s1 | jq -e '.[0] | .name == "s1" and .vpc == "A" and
	(.rules | length == 3) and .rules[0].proto == "tcp" and
	.rules[0].port_min == 80 and .rules[0].port_max == 90 and
	.rules[0].cidr == "10.0.0.0/24" and .rules[1].sg == "s2" and
	.rules[1].port_min == 0 and .rules[1].port_max == 65535 and
	.members == []' >/dev/null || fail "sg show -j: $(vpcectl -j sg show s1)"
vpcectl -j sg show s2 | jq -e '.[0].members == ["10.0.1.0/24"]' >/dev/null ||
	fail "sg show -j s2: $(vpcectl -j sg show s2)"
vpcectl -j endpoint show epa | jq -e '.[0].sgs == ["s1","s2","s3","s4","s5"]' >/dev/null ||
	fail "endpoint show -j sgs: $(vpcectl -j endpoint show epa)"
vpcectl endpoint show epa | grep -qx "    security-groups s1 s2 s3 s4 s5" ||
	fail "endpoint show: $(vpcectl endpoint show epa)"

before=$(state)
bad() {
	must_fail "$@"
	[ "$(state)" = "$before" ] || fail "$* changed the state"
}
bad vpcectl endpoint set epa sg s1 sg s2 sg s3 sg s4 sg s5 sg s6
bad vpcectl endpoint set epa sg nosuch
bad vpcectl endpoint set epa sg sb
bad vpcectl endpoint set epa sg s1 sg s1
bad vpcectl endpoint add epx vpc A service svc addr 10.0.0.110 sg sb
bad vpcectl sg add s1 vpc A
bad vpcectl sg add sx vpc nosuch
bad vpcectl sg rule add s1 tcp port 80-90 from 10.0.0.0/24
bad vpcectl sg rule add s1 tcp from 10.0.0.300/24
bad vpcectl sg rule add s1 tcp from 10.0.0.1/24
bad vpcectl sg rule add s1 tcp port 0 from 10.0.0.0/24
bad vpcectl sg rule add s1 tcp port 5-3 from 10.0.0.0/24
bad vpcectl sg rule add s1 icmpx from 10.0.0.0/24
bad vpcectl sg rule add s1 tcp from sg sb
bad vpcectl sg rule add s1 tcp from sg nosuch
bad vpcectl sg rule del s1 udp port 80 from 10.0.0.0/24
bad vpcectl sg member del s2 10.9.0.0/24
bad vpcectl sg member add s2 10.0.1.0/24
bad vpcectl sg del s1
bad vpcectl sg del s2
bad vpcectl vpc del A
log "bad input refused, nothing changed"

must vpcectl save >"$tmp/saved"
grep -q "^endpoint add epa .* sg s1 sg s2 sg s3 sg s4 sg s5" "$tmp/saved" ||
	fail "save: $(grep '^endpoint add epa' "$tmp/saved")"
must vpcectl flush
must vpcectl restore "$tmp/saved"
[ "$(state)" = "$before" ] || fail "restore: $(diff <(echo "$before") <(state))"
log "save | restore round trip"
must vpcectl flush

# The same flows with conntrack tracking IPv4 too.
load_vpce conntrack=1
pl6_config
sg_flows ct

# rmmod with SGs in use, naming each other, and a live flow.
must vpcectl sg add a vpc A
must vpcectl sg add b vpc A
must vpcectl sg rule add a all from sg b
must vpcectl sg rule add b all from sg a
must vpcectl sg member add a 10.0.0.0/24
must vpcectl endpoint set epa sg a sg b
held_start vpca "$tmp/last" "$EP_ADDR" 80 --bind 10.0.0.3 --tag last
[ "$(held_ping "$tmp/last" 1)" = "ok last 1" ] || fail "held flow before rmmod"
rmmod vpce || fail "rmmod vpce with security groups"
test_dmesg | grep -q "WARNING\|BUG\|leak" && fail "kernel: $(test_dmesg | tail -20)"
log "rmmod with SGs in use and a live flow: clean"
exit 0
