#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# save, restore, flush: a rich state (settings, health check, hash seed,
# permissions, weights and health, principal bindings, requesters, a
# policy, pending, accepted and rejected connections) survives
# save -> flush -> restore -> save byte for byte; a batch that the kernel
# refuses part way, or that does not parse, changes nothing and names its
# line; and 10,000 endpoints restore quickly (the time is printed).

# timeout: 300
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

load_vpce
mk_ns vpca
mk_ns vpcb
mk_veth va vpca eth0 10.0.0.2/24
mk_veth vb vpcb eth0 10.0.0.2/24
mk_veth vc vpcb eth1 10.0.1.2/24
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# A policy with a quote, a backslash and several lines.
cat >"$tmp/policy.json" <<'EOF'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "it's allowed \\ here",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "vpce:Connect",
      "Resource": "*",
      "Condition": { "IpAddress": { "aws:VpcSourceIp": "10.0.0.0/24" } }
    }
  ]
}
EOF

must vpcectl vpc add A account 111111111111 dev va
must vpcectl vpc add B account 222222222222 dev vb dev vc
must vpcectl service add svc account 333333333333 \
	listener tcp:80:8080 listener udp:53:5353 nlb 192.168.1.1 zone az1 \
	nlb 192.168.2.1 zone az2 cross-zone on private-dns shop.example.com
must vpcectl service set svc deregistration-delay 30 idle-timeout 600 \
	hash-seed 00112233445566778899aabbccddeeff \
	health-check https:/health port 8443 interval 10 timeout 3 healthy-threshold 3 \
	unhealthy-threshold 2 matcher 200-299,302 host shop.example.com
must vpcectl service allow svc principal 111111111111
must vpcectl service allow svc principal 'arn:aws:iam::222222222222:role/app'
must vpcectl target add svc 192.168.1.10 zone az1 weight 3
must vpcectl target add svc 192.168.2.10 zone az2
must vpcectl target set svc 192.168.2.10 health unhealthy
must vpcectl service add gated account 444444444444 listener tcp:443 \
	nlb 192.168.3.1 acceptance-required on
must vpcectl service allow gated principal '*'
must vpcectl target add gated 192.168.3.10
must vpcectl principal add A prefix 10.0.0.0/28 arn 'arn:aws:iam::111111111111:role/web'
must vpcectl endpoint add epa vpc A service svc addr 10.0.0.100 zone az1 \
	addr 10.0.0.101 zone az2 policy "$tmp/policy.json"
must vpcectl endpoint add epb vpc B service svc addr 10.0.0.100 zone az2 \
	requester 'arn:aws:iam::222222222222:role/app'
must vpcectl endpoint add g1 vpc A service gated addr 10.0.0.110
must vpcectl endpoint add g2 vpc B service gated addr 10.0.0.110
must vpcectl endpoint add g3 vpc B service gated addr 10.0.0.111
must vpcectl connection accept gated g1
must vpcectl connection reject gated g2
# g3 stays pendingAcceptance; a service that stopped requiring acceptance
# still has it pending.
must vpcectl service add open account 555555555555 listener tcp:22 \
	nlb 192.168.4.1 acceptance-required on
must vpcectl service allow open principal 111111111111
must vpcectl endpoint add o1 vpc A service open addr 10.0.0.120
must vpcectl service set open acceptance-required off

vpcectl save >"$tmp/s1" || fail "save"
log "saved state:"
sed 's/^/  /' "$tmp/s1"
grep -q "policy-json" "$tmp/s1" || fail "no policy in the saved state"
grep -qF " health-check https:/health port 8443 interval 10 timeout 3 healthy-threshold 3 unhealthy-threshold 2 matcher 200-299,302 host shop.example.com" "$tmp/s1" ||
	fail "the health check is not saved whole: $(grep health-check "$tmp/s1")"

must vpcectl flush
vpcectl save >"$tmp/empty" || fail "save after flush"
[ ! -s "$tmp/empty" ] || fail "flush left: $(cat "$tmp/empty")"
[ "$(vpcectl -j endpoint show)" = "[]" ] || fail "endpoints after flush"

must vpcectl restore "$tmp/s1"
vpcectl save >"$tmp/s2" || fail "save after restore"
diff -u "$tmp/s1" "$tmp/s2" || fail "save -> flush -> restore -> save differs"
log "round trip: byte-identical"
vpcectl endpoint show g3 | grep -q pendingAcceptance || fail "g3 not pending"
vpcectl endpoint show g2 | grep -q rejected || fail "g2 not rejected"
vpcectl endpoint show o1 | grep -q pendingAcceptance || fail "o1 not pending"

# Restoring from stdin works too (into an empty namespace).
must vpcectl flush
vpcectl restore - <"$tmp/s1" || fail "restore -"
vpcectl save | cmp -s - "$tmp/s1" || fail "restore - differs"

# The kernel refuses line 4: the lines before it are undone.
cat >"$tmp/bad" <<'EOF'
# a comment, then a blank line

service add new account 666666666666 listener tcp:80 nlb 192.168.9.1
endpoint add e9 vpc A service nosuch addr 10.0.0.200
target add new 192.168.9.10
EOF
out=$(vpcectl restore "$tmp/bad" 2>&1) && fail "a bad batch was applied"
log "refused: $out"
grep -q "^vpcectl: line 4: no such service" <<<"$out" ||
	fail "the error does not name line 4"
vpcectl save | cmp -s - "$tmp/s1" || fail "a refused batch changed the state"

# A batch that refers to objects that exist already fails on its first line.
out=$(vpcectl restore "$tmp/s1" 2>&1) && fail "restored over existing objects"
grep -q "^vpcectl: line 1: " <<<"$out" || fail "no line 1 in: $out"
vpcectl save | cmp -s - "$tmp/s1" || fail "a refused batch changed the state"

# Lines that do not parse: nothing is sent.
printf 'service add x account 1 listener tcp:80 nlb 1.2.3.4\n' >"$tmp/syntax"
out=$(vpcectl restore "$tmp/syntax" 2>&1) && fail "bad account accepted"
grep -q "^vpcectl: line 1: " <<<"$out" || fail "no line number in: $out"
printf 'vpc show\n' >"$tmp/show"
must_fail vpcectl restore "$tmp/show"
printf "endpoint set epa policy-json '{\n" >"$tmp/quote"
must_fail vpcectl restore "$tmp/quote"
vpcectl save | cmp -s - "$tmp/s1" || fail "a bad batch changed the state"

# Flush (VPCE_CMD_FLUSH) needs CAP_NET_ADMIN.
if command -v setpriv >/dev/null; then
	out=$(setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- vpcectl flush 2>&1) &&
		fail "flush without CAP_NET_ADMIN succeeded"
	log "flush without CAP_NET_ADMIN: $out"
	vpcectl save | cmp -s - "$tmp/s1" || fail "a refused flush changed the state"
fi

# A batch may start with "flush" and so replace the state.
{ echo flush; cat "$tmp/s1"; } >"$tmp/replace"
must vpcectl restore "$tmp/replace"
vpcectl save | cmp -s - "$tmp/s1" || fail "flush + restore differs"

# 10,000 endpoints (with the VPCs and services they need).
must vpcectl flush
{
	echo "vpc add A account 111111111111 dev va"
	echo "vpc add B account 222222222222 dev vb"
	for s in 0 1 2 3; do
		echo "service add s$s account 333333333333 listener tcp:80 nlb 192.168.$s.1"
		echo "service allow s$s principal '*'"
		echo "target add s$s 192.168.$s.10"
	done
	awk 'BEGIN { for (i = 0; i < 10000; i++)
		printf "endpoint add e%d vpc %s service s%d addr 10.%d.%d.10\n",
			i, i % 2 ? "B" : "A", i % 4, int(i / 2 / 250), int(i / 2) % 250 }'
} >"$tmp/big"
start=$(_now_ms)
must vpcectl restore "$tmp/big"
end=$(_now_ms)
n=$(vpcectl -j endpoint show | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 10000 ] || fail "$n endpoints after restoring 10000"
log "restore of 10,000 endpoints (+2 VPCs, 4 services): $((end - start)) ms"
vpcectl save >"$tmp/big2" || fail "save of 10,000 endpoints"
start=$(_now_ms)
must vpcectl flush
end=$(_now_ms)
log "flush of 10,000 endpoints: $((end - start)) ms"
start=$(_now_ms)
must vpcectl restore "$tmp/big2"
end=$(_now_ms)
log "restore of the saved 10,000 endpoints: $((end - start)) ms"
vpcectl save | cmp -s - "$tmp/big2" || fail "10k round trip differs"
must vpcectl flush
exit 0
