#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dual stack: a service with an nlb address and targets of each family and
# endpoints with an IPv4 and an IPv6 address in one zone. An IPv4 client
# and an IPv6 client of one VPC each reach a target of their own family
# (never the other: no NAT64), answering ARP and NDP alike; the endpoint is
# "dualstack"; DNS names have both addresses (A and AAAA through dnsmasq);
# save -> flush -> restore -> save round trips. Family mismatches are
# refused with a clear error and change nothing: an IPv6 target or
# endpoint address where the zone has no IPv6 nlb address, two nlb or
# endpoint addresses of one family in a zone, unusable IPv6 addresses.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd socat python3 dnsmasq jq
PL6_DUAL=1 pl6_setup

tmp=$(mktemp -d)
defer rm -rf "$tmp"

out4=$(tcp_query vpca "$EP_ADDR" 80) || fail "IPv4 client: no answer"
out6=$(tcp_query vpca "$EP6_ADDR" 80) || fail "IPv6 client: no answer"
log "IPv4: $out4  IPv6: $out6"
grep -Eq "^srv1[012]-4 $NLB\$" <<<"$out4" || fail "IPv4 client got '$out4'"
grep -Eq "^srv1[012] $NLB6\$" <<<"$out6" || fail "IPv6 client got '$out6'"
out4=$(udp_query vpcb "$EP_ADDR" 53 u4) || fail "IPv4 UDP: no answer"
out6=$(udp_query vpcb "$EP6_ADDR" 53 u6) || fail "IPv6 UDP: no answer"
grep -Eq "^srv1[012]-4 $NLB u4\$" <<<"$out4" || fail "IPv4 UDP got '$out4'"
grep -Eq "^srv1[012] $NLB6 u6\$" <<<"$out6" || fail "IPv6 UDP got '$out6'"

# Per-family Maglev tables: each family's flows spread over its targets.
s4=$(ns_query vpca "$EP_ADDR" 80 --count 20) || fail "IPv4 flows failed: $s4"
s6=$(ns_query vpca "$EP6_ADDR" 80 --count 20) || fail "IPv6 flows failed: $s6"
grep -vq -- "-4 $NLB\$" <<<"$s4" && fail "an IPv4 flow reached a non-IPv4 target: $s4"
grep -vq " $NLB6\$" <<<"$s6" && fail "an IPv6 flow reached a non-IPv6 target: $s6"
[ "$(cut -d' ' -f1 <<<"$s6" | sort -u | wc -l)" -ge 2 ] || fail "IPv6 flows all went to one target"
log "20+20 flows: $(printf '%s\n%s\n' "$s4" "$s6" | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')"

# Counters: epa's two addresses share a zone, which counts both families'
# 42 connections once; the targets of each family got 22 (epb's UDP too).
st() { vpcectl -j stats show | jq -r "$1"; }
n=$(st '[.[] | select(.object == "endpoint" and .name == "epa")][0] | "\(.NewConnections) \(.zones | length)"')
[ "$n" = "42 1" ] || fail "epa: NewConnections and zones are '$n', not '42 1'"
n=$(st '[.[] | select(.object == "target" and (.addr | contains(":"))) | .NewConnections] | add')
[ "$n" = 22 ] || fail "IPv6 targets' NewConnections: $n, not 22"
n=$(st '[.[] | select(.object == "target" and (.addr | contains(":") | not)) | .NewConnections] | add')
[ "$n" = 22 ] || fail "IPv4 targets' NewConnections: $n, not 22"

mac=$(cat /sys/class/net/va/address)
ip -n vpca neigh show "$EP_ADDR" | grep -q "lladdr $mac" || fail "ARP: $(ip -n vpca neigh)"
ip -n vpca -6 neigh show "$EP6_ADDR" | grep -q "lladdr $mac" || fail "NDP: $(ip -n vpca -6 neigh)"

typ=$(vpcectl -j endpoint show epa | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ip_address_type"])')
[ "$typ" = dualstack ] || fail "ip_address_type is '$typ'"
vpcectl endpoint show epa | grep -q "addr $EP_ADDR addr $EP6_ADDR ip-address-type dualstack " ||
	fail "endpoint show: $(vpcectl endpoint show epa)"
vpcectl service show svc | grep -q "nlb $NLB nlb $NLB6" || fail "service show: $(vpcectl service show svc)"

# DNS: both addresses under each name, and a resolver gives A and AAAA.
out=$(vpcectl dns show epa format hosts) || fail "dns show"
grep -q "^$EP_ADDR epa.svc.local.vpce.local" <<<"$out" || fail "dns: no A: $out"
grep -q "^$EP6_ADDR epa.svc.local.vpce.local" <<<"$out" || fail "dns: no AAAA: $out"
printf '%s\n' "$out" >"$tmp/hosts"
ip netns exec vpca dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--addn-hosts="$tmp/hosts" --listen-address=10.0.0.2 --bind-interfaces \
	--user=root --pid-file= --log-facility=- </dev/null 2>"$tmp/dnsmasq.log" &
defer kill $!
mkdir -p /etc/netns/vpca
defer rm -rf /etc/netns/vpca
echo "nameserver 10.0.0.2" >/etc/netns/vpca/resolv.conf
wait_for 10 ip netns exec vpca getent ahostsv6 epa.svc.local.vpce.local ||
	fail "no AAAA answer from dnsmasq: $(cat "$tmp/dnsmasq.log")"
ip netns exec vpca getent ahostsv6 epa.svc.local.vpce.local | grep -q "^$EP6_ADDR " ||
	fail "AAAA: $(ip netns exec vpca getent ahostsv6 epa.svc.local.vpce.local)"
ip netns exec vpca getent ahostsv4 epa.svc.local.vpce.local | grep -q "^$EP_ADDR " ||
	fail "A: $(ip netns exec vpca getent ahostsv4 epa.svc.local.vpce.local)"

# Family mismatches: clear errors, nothing changes.
must vpcectl service add s4 account 333333333333 listener tcp:80 nlb 192.168.2.1
must vpcectl service add sz account 333333333333 listener tcp:80 \
	nlb 192.168.3.1 zone az1 nlb fd03::1 zone az2 nlb 192.168.4.1 zone az2
must vpcectl service allow s4 principal '*'
must vpcectl service allow sz principal '*'
vpcectl save >"$tmp/before" || fail "save"
expect_err() {
	local want=$1 err
	shift
	err=$("$@" 2>&1) && fail "'$*' succeeded"
	[ "$err" = "vpcectl: $want" ] || fail "'$*': expected 'vpcectl: $want', got '$err'"
}
expect_err "the service has no IPv6 load balancer address" \
	vpcectl target add s4 fd01::20
expect_err "the service has no IPv6 load balancer address in zone az1" \
	vpcectl target add sz fd03::5 zone az1
expect_err "the service has no IPv6 load balancer address" \
	vpcectl endpoint add e6 vpc A service s4 addr fd00:a::200
expect_err "the service has no IPv6 load balancer address in zone az1" \
	vpcectl endpoint add e6 vpc A service sz addr 10.0.0.200 zone az1 addr fd00:a::200 zone az1
expect_err "a load balancer address given twice" \
	vpcectl service add bad account 333333333333 listener tcp:80 nlb 192.168.5.1 nlb 192.168.5.1
expect_err "more than 16 IPv6 load balancer addresses in one zone" \
	vpcectl service add bad account 333333333333 listener tcp:80 \
	$(for i in $(seq 1 17); do echo "nlb fd05::$i zone a"; done)
expect_err "two IPv6 endpoint addresses in one zone" \
	vpcectl endpoint add e6 vpc A service svc addr fd00:a::201 addr fd00:a::202
expect_err "link-local addresses are not supported" vpcectl target add svc fe80::1
expect_err "an IPv4-mapped address: give the IPv4 address" vpcectl target add svc ::ffff:192.168.1.20
expect_err "not a unicast address" vpcectl target add svc ff02::1
expect_err "not a unicast address" vpcectl endpoint add e6 vpc A service svc addr ::
vpcectl save >"$tmp/after" || fail "save"
diff -u "$tmp/before" "$tmp/after" || fail "a refused command changed the state"
log "family mismatches refused, state unchanged"

# An IPv6-only endpoint of a dual stack service, and an IPv6 target in
# the zone that has an IPv6 nlb address.
must vpcectl endpoint add e6 vpc A service svc addr fd00:a::202
vpcectl endpoint show e6 | grep -q "ip-address-type ipv6 " || fail "e6: $(vpcectl endpoint show e6)"
must vpcectl target add sz fd03::5 zone az2
must vpcectl endpoint add ez vpc B service sz addr fd00:a::203 zone az2 addr 10.0.0.203 zone az1

# save -> flush -> restore -> save, and the data path works again.
vpcectl save >"$tmp/s1" || fail "save"
grep -q "nlb $NLB nlb $NLB6" "$tmp/s1" || fail "save lost an nlb: $(grep 'service add svc' "$tmp/s1")"
must vpcectl flush
must vpcectl restore "$tmp/s1"
vpcectl save >"$tmp/s2" || fail "save after restore"
diff -u "$tmp/s1" "$tmp/s2" || fail "save -> flush -> restore -> save differs"
tcp_query vpca "$EP6_ADDR" 80 | grep -Eq "^srv1[012] $NLB6\$" || fail "IPv6 after restore"
tcp_query vpca "$EP_ADDR" 80 | grep -Eq "^srv1[012]-4 $NLB\$" || fail "IPv4 after restore"
log "save/restore round trip with both families"

# No NAT64: without IPv4 targets, IPv4 flows are refused (no target) and
# IPv6 ones still work.
for t in $TARGETS; do
	must vpcectl target del svc "192.168.1.$t"
done
out=$(ip netns exec vpca socat -T 3 - "TCP:$EP_ADDR:80,connect-timeout=3" </dev/null 2>&1) &&
	fail "an IPv4 flow got through without IPv4 targets: $out"
[ "$(ep_stat epa drop-no-target)" -ge 1 ] || fail "drop-no-target not counted"
tcp_query vpca "$EP6_ADDR" 80 | grep -Eq "^srv1[012] $NLB6\$" || fail "IPv6 without IPv4 targets"
log "no IPv4 target: IPv4 refused ($out), IPv6 served"

# A zone's first IPv6 nlb address, added to a live service, serves IPv6
# flows in that zone: the target set gets the zone's table then (its IPv6
# targets are all in az1, so az2's flows fail over to them).
for a in fd01::3/64 fd01::4/64; do
	ip addr add "$a" dev vprov nodad || fail "adding $a to vprov"
done
ip addr add 192.168.1.5/24 dev vprov || fail "adding 192.168.1.5 to vprov"
must vpcectl service add s2z account 333333333333 listener tcp:80:8080 \
	nlb fd01::3 zone az1 nlb 192.168.1.5 zone az2
must vpcectl service allow s2z principal 111111111111
must vpcectl target add s2z fd01::10 zone az1
must_fail vpcectl endpoint add ep2z vpc A service s2z addr fd00:a::102 zone az2
must vpcectl service set s2z nlb add fd01::4 zone az2
must vpcectl endpoint add ep2z vpc A service s2z addr fd00:a::102 zone az2
out=$(tcp_query vpca fd00:a::102 80) || fail "no answer in az2 after its IPv6 nlb address came"
[ "$out" = "srv10 fd01::4" ] || fail "az2's IPv6 flow got '$out', not srv10 from fd01::4"
log "a zone's first IPv6 nlb address, added live: $out"
exit 0
