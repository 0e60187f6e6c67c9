#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dns show: AWS-style endpoint names (regional EP.SVC.local.vpce.local,
# zonal EP-ZONE.SVC.local.vpce.local, and the service's private DNS name),
# as text, JSON and a hosts(5) file that dnsmasq serves inside a VPC; a
# client there resolves the names through its resolv.conf and connects.

# timeout: 300
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd dnsmasq socat getent python3
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

must vpcectl service set svc private-dns shop.example.com
must vpcectl service add zsvc account 333333333333 listener tcp:80:8080 \
	nlb 192.168.1.1 zone az1 nlb 192.168.2.1 zone az2
must vpcectl service allow zsvc principal '*'
must vpcectl target add zsvc 192.168.1.10 zone az1
must vpcectl endpoint add ez vpc A service zsvc addr 10.0.0.150 zone az1 \
	addr 10.0.0.151 zone az2

vpcectl dns show || fail "dns show"
out=$(vpcectl dns show ez) || fail "dns show ez"
grep -q '^ez.zsvc.local.vpce.local 10.0.0.150 ' <<<"$out" || fail "regional az1: $out"
grep -q '^ez.zsvc.local.vpce.local 10.0.0.151 ' <<<"$out" || fail "regional az2: $out"
grep -q '^ez-az1.zsvc.local.vpce.local 10.0.0.150 ' <<<"$out" || fail "zonal az1: $out"
grep -q '^ez-az2.zsvc.local.vpce.local 10.0.0.151 ' <<<"$out" || fail "zonal az2: $out"
[ "$(grep -c . <<<"$out")" = 4 ] || fail "expected 4 names: $out"

vpcectl -j dns show epa | python3 -c '
import json, sys
names = {(o["name"], o["addr"], o["kind"]) for o in json.load(sys.stdin)}
want = {("epa.svc.local.vpce.local", "10.0.0.100", "regional"),
        ("shop.example.com", "10.0.0.100", "private")}
sys.exit(0 if names == want else "dns show -j: %r" % names)' || fail "JSON"
must_fail vpcectl dns show nosuch
must_fail vpcectl dns show epa format nosuch

# A resolver for VPC A: dnsmasq on the client side, serving only VPC A's
# endpoints (the same private DNS name means epb in VPC B).
{ vpcectl dns show epa format hosts; vpcectl dns show ez format hosts; } >"$tmp/hosts" ||
	fail "dns show format hosts"
log "hosts file:"
sed 's/^/  /' "$tmp/hosts"
ip -n vpca addr add 10.0.0.53/24 dev eth0 || fail "resolver address"
ip netns exec vpca dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--addn-hosts="$tmp/hosts" --listen-address=10.0.0.53 --bind-interfaces \
	--user=root --pid-file= --log-facility=- </dev/null 2>"$tmp/dnsmasq.log" &
defer kill $!
mkdir -p /etc/netns/vpca
defer rm -rf /etc/netns/vpca
echo "nameserver 10.0.0.53" >/etc/netns/vpca/resolv.conf
wait_for 10 ip netns exec vpca getent ahostsv4 epa.svc.local.vpce.local ||
	fail "no answer from dnsmasq: $(cat "$tmp/dnsmasq.log")"

for name in epa.svc.local.vpce.local shop.example.com ez-az2.zsvc.local.vpce.local; do
	addr=$(ip netns exec vpca getent ahostsv4 "$name" | awk '{ print $1; exit }')
	log "$name -> $addr"
done
[ "$(ip netns exec vpca getent ahostsv4 shop.example.com | awk '{ print $1; exit }')" = 10.0.0.100 ] ||
	fail "shop.example.com does not resolve to 10.0.0.100"
[ "$(ip netns exec vpca getent ahostsv4 ez-az2.zsvc.local.vpce.local | awk '{ print $1; exit }')" = 10.0.0.151 ] ||
	fail "the zonal name does not resolve to 10.0.0.151"

# Connect by name: socat resolves it through the VPC's resolver.
for name in shop.example.com epa.svc.local.vpce.local; do
	out=$(ip netns exec vpca socat -T 3 - "TCP:$name:80,connect-timeout=3" </dev/null) ||
		fail "cannot connect to $name"
	log "$name:80 -> $out"
	[[ $out == "srv1"[012]" 192.168.1.1"* ]] || fail "unexpected answer: $out"
done
exit 0
