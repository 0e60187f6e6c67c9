#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Service permissions and the acceptance workflow, with real clients:
# a requester no allowed principal covers is refused (EACCES, naming both);
# with acceptance required an endpoint carries no traffic until accepted;
# rejecting an available endpoint ends its live TCP session at once.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
load_vpce
pl_topology

must vpcectl vpc add A account 111111111111 dev va
must vpcectl vpc add B account 222222222222 dev vb
must vpcectl service add svc account 333333333333 listener tcp:80:8080 \
	nlb "$NLB" acceptance-required on
for t in $TARGETS; do
	must vpcectl target add svc "192.168.1.$t"
done

# --- permissions ---
err=$(vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR" 2>&1) &&
	fail "endpoint of a not-allowed account was created"
log "not allowed: $err"
grep -q "arn:aws:iam::111111111111:root" <<<"$err" && grep -qw svc <<<"$err" ||
	fail "the refusal does not name the principal and the service: $err"
grep -q "not permitted\|not allowed" <<<"$err" || fail "unclear refusal: $err"
[ -z "$(vpcectl endpoint show)" ] || fail "a refused endpoint exists"

must vpcectl service allow svc principal 111111111111
must vpcectl service allow svc principal arn:aws:iam::222222222222:role/ops
vpcectl service show svc | grep -q "principal arn:aws:iam::111111111111:root" ||
	fail "service show does not list the allowed account: $(vpcectl service show svc)"
must_fail vpcectl service allow svc principal 111111111111
must vpcectl endpoint add epa vpc A service svc addr "$EP_ADDR"
# VPC B's owner (root) is not covered by a role of its account...
must_fail vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR"
# ...but that role asking is.
must vpcectl endpoint add epb vpc B service svc addr "$EP_ADDR" \
	requester arn:aws:iam::222222222222:role/ops
# Removing a permission leaves existing endpoints alone, as in AWS.
must vpcectl service disallow svc principal arn:aws:iam::222222222222:role/ops
vpcectl endpoint show epb >/dev/null || fail "disallow removed an endpoint"

# --- acceptance ---
vpcectl connection show svc | grep -q "connection epa .*state pendingAcceptance" ||
	fail "epa is not pending acceptance: $(vpcectl connection show svc)"
start=$(_now_ms)
tcp_query vpca "$EP_ADDR" 80 >/dev/null 2>&1 && fail "a pending endpoint carried traffic"
took=$(($(_now_ms) - start))
[ "$took" -lt "$(scaled_ms 2500)" ] || fail "a pending endpoint's refusal took $took ms"
[ "$(ep_stat epa drop-state)" -ge 1 ] || fail "the refused flow was not counted"
log "pending: refused in $took ms and counted"

must_fail vpcectl connection accept svc nosuch
must_fail vpcectl connection reject othersvc epa
must vpcectl connection accept svc epa
must_fail vpcectl connection accept svc epa
vpcectl connection show svc | grep -q "connection epa .*state available" ||
	fail "epa is not available after accept"
out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no traffic after accept"
log "accepted: $out"

tmp=$(mktemp -d)
defer rm -rf "$tmp"
held_start vpca "$tmp/h" "$EP_ADDR" 80 --tag live
[ "$(held_ping "$tmp/h" 1)" = "ok live 1" ] || fail "live session does not work"
# An idle client, blocked reading, must see the end too: vpce resets it.
ip netns exec vpca socat -u "TCP:$EP_ADDR:80" - >"$tmp/idle" 2>&1 &
idle=$!
defer kill $idle
wait_for 10 grep -q "^srv" "$tmp/idle" || fail "idle client not connected"
must vpcectl connection reject svc epa
wait_for 3 sh -c "! kill -0 $idle" || fail "an idle client still hangs after the reject"
log "idle client: $(tail -n 1 "$tmp/idle")"
start=$(_now_ms)
res=$(held_ping "$tmp/h" 2)
took=$(($(_now_ms) - start))
[ "${res%% *}" = ERROR ] || fail "the live session survived the reject: $res"
[ "$took" -lt "$(scaled_ms 2000)" ] || fail "the session took $took ms to die"
log "rejected: live session ended in $took ms ($res)"
vpcectl flow show endpoint epa | grep -q " state established " &&
	fail "an established flow of the rejected endpoint is still there: $(vpcectl flow show endpoint epa)"
tcp_query vpca "$EP_ADDR" 80 >/dev/null 2>&1 && fail "a rejected endpoint carried traffic"
vpcectl -j connection show svc | grep -q '"state": *"rejected"' ||
	fail "connection show -j does not say rejected"
must_fail vpcectl connection accept svc epa
# VPC B's endpoint was never accepted: still pending, refused; a pending
# endpoint can be rejected too.
tcp_query vpcb "$EP_ADDR" 80 >/dev/null 2>&1 && fail "epb carried traffic while pending"
must vpcectl connection reject svc epb
vpcectl connection show svc | grep -q "connection epb .*state rejected" ||
	fail "epb is not rejected: $(vpcectl connection show svc)"
vpcectl connection show | grep -Eq "^connection epb id vpce-[0-9a-f]{17} service svc vpc B owner 222222222222 requester arn:aws:iam::222222222222:role/ops state rejected created [0-9]{4}-[0-9]{2}-[0-9]{2}T" ||
	fail "connection show lacks a field: $(vpcectl connection show)"
exit 0
