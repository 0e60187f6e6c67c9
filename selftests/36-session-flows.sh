#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# AWS's principal types on real flows (privatelink.sh's topology). VPC A's
# clients act, through `principal add`, as two sessions of the role web, a
# session of the role db and a federated user; unbound ones act as the VPC
# owner's root:
# - a Principal naming the role (with its path) lets both of its sessions
#   in and refuses the others at once, counted;
# - a Deny with NotPrincipal listing one session, its role and its account
#   exempts that session (and the account's root) only; without the role's
#   ARN it exempts no session (the strict reading of AWS's "might deny");
# - a policy change ends a held session of a session it now denies;
# - aws:userid of a federated user and aws:PrincipalType in conditions;
# - the same account Principal in a gateway endpoint's policy lets in only
#   the account's root (unbound sources), where the interface endpoint's
#   lets in every session of the account;
# - principal show and save carry the STS ARNs as given.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat python3 jq
pl_setup
for a in 3 4 5 6; do
	ip -n vpca addr add "10.0.0.$a/24" dev eth0 || fail "adding 10.0.0.$a"
done
tmp=$(mktemp -d)
defer rm -rf "$tmp"

ACCT=111111111111
WEB1=arn:aws:sts::$ACCT:assumed-role/web/i-0a1
WEB2=arn:aws:sts::$ACCT:assumed-role/web/i-0b2
DB=arn:aws:sts::$ACCT:assumed-role/db/i-0c3
FED=arn:aws:sts::$ACCT:federated-user/carol
must vpcectl principal add A prefix 10.0.0.2/32 arn "$WEB1"
must vpcectl principal add A prefix 10.0.0.3/32 arn "$WEB2"
must vpcectl principal add A prefix 10.0.0.4/32 arn "$DB"
must vpcectl principal add A prefix 10.0.0.5/32 arn "$FED"
# 10.0.0.6 is unbound: the owner's root.
[ "$(vpcectl principal show A | sort)" = "$(printf '%s\n' \
	"principal A prefix 10.0.0.2/32 arn $WEB1" \
	"principal A prefix 10.0.0.3/32 arn $WEB2" \
	"principal A prefix 10.0.0.4/32 arn $DB" \
	"principal A prefix 10.0.0.5/32 arn $FED" | sort)" ] ||
	fail "principal show: $(vpcectl principal show A)"
vpcectl save | grep -qxF "principal add A prefix 10.0.0.2/32 arn $WEB1" ||
	fail "save has no session binding: $(vpcectl save | grep principal)"
must_fail vpcectl principal add A prefix 10.0.0.7/32 arn "arn:aws:sts::$ACCT:assumed-role/web/*"
must_fail vpcectl principal add A prefix 10.0.0.7/32 arn "arn:aws:sts::$ACCT:federated-user/x"

# from SRC : a TCP connection from VPC A's client address SRC.
from() {
	ip netns exec vpca socat -T 3 - "TCP:$EP_ADDR:80,bind=$1,connect-timeout=3" </dev/null 2>&1
}
# admitted SRC... : each gets an answer from a target.
admitted() {
	local s
	for s in "$@"; do
		from "10.0.0.$s" | grep -q "^srv" || fail "$what: 10.0.0.$s refused"
	done
}
# refused SRC... : each is refused at once and counted as a policy drop.
refused() {
	local s out before
	for s in "$@"; do
		before=$(ep_stat epa drop-policy)
		out=$(from "10.0.0.$s") && fail "$what: 10.0.0.$s got in: $out"
		grep -q "Connection refused\|reset" <<<"$out" ||
			fail "$what: 10.0.0.$s not refused at once: $out"
		[ "$(ep_stat epa drop-policy)" -eq $((before + 1)) ] ||
			fail "$what: 10.0.0.$s's refusal was not counted"
	done
}
policy() {
	what=$1
	cat >"$tmp/$1.json"
	must vpcectl endpoint set epa policy "$tmp/$1.json"
}

# An account Principal: every session and user of it (interface endpoint).
policy account <<EOF
{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
 "Principal": {"AWS": "$ACCT"}, "Action": "vpce:Connect", "Resource": "*"}}
EOF
admitted 2 3 4 5 6
log "account $ACCT: its sessions, federated user and root all in"

# A role ARN (path and all): both of its sessions, nobody else.
policy role <<EOF
{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
 "Principal": {"AWS": "arn:aws:iam::$ACCT:role/app-tier/web"},
 "Action": "vpce:Connect", "Resource": "*"}}
EOF
admitted 2 3
refused 4 5 6
log "role/app-tier/web: its sessions in; db's session, the federated user and root refused"

# Hold a session from web's second session, then exempt only the first.
held_start vpca "$tmp/h3" "$EP_ADDR" 80 --bind 10.0.0.3 --tag web2
held_start vpca "$tmp/h2" "$EP_ADDR" 80 --bind 10.0.0.2 --tag web1
res=$(held_ping "$tmp/h3" 1)
[ "$res" = "ok web2 1" ] || fail "held session from 10.0.0.3: $res"
policy notprincipal <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
 {"Sid": "OnlyWeb1", "Effect": "Deny",
  "NotPrincipal": {"AWS": ["$WEB1", "arn:aws:iam::$ACCT:role/web", "arn:aws:iam::$ACCT:root"]},
  "Action": "*", "Resource": "*"}]}
EOF
res=$(held_ping "$tmp/h3" 2)
[ "${res%% *}" = ERROR ] || fail "the held session of $WEB2 survived NotPrincipal: $res"
res=$(held_ping "$tmp/h2" 1)
[ "$res" = "ok web1 1" ] || fail "the held session of $WEB1 broke: $res"
# The account's root is exempt too: its one layer, the account, is listed.
admitted 2 6
refused 3 4 5
log "NotPrincipal [session, role, account]: $WEB1 (and the root) in, a held session of $WEB2 ended"

policy notprincipal-no-role <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
 {"Sid": "D", "Effect": "Deny",
  "NotPrincipal": {"AWS": ["$WEB1", "arn:aws:iam::$ACCT:root"]},
  "Action": "*", "Resource": "*"}]}
EOF
refused 2 3 4 5
admitted 6
log "NotPrincipal [session, account] without the role: the session refused, root in"

# aws:userid of a federated user, aws:PrincipalType of a session.
policy keys <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Principal": "*", "Action": "vpce:Connect", "Resource": "*",
  "Condition": {"StringEquals": {"aws:userid": "$ACCT:carol"}}},
 {"Effect": "Allow", "Principal": "*", "Action": "vpce:Connect", "Resource": "*",
  "Condition": {"StringEquals": {"aws:PrincipalType": "AssumedRole"},
                "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::$ACCT:role/db"}}}]}
EOF
admitted 4 5
refused 2 3 6
log "aws:userid $ACCT:carol and aws:PrincipalArn role/db (a session's role): in"

# VPC B's endpoint has no policy: untouched throughout.
tcp_query vpcb "$EP_ADDR" 80 | grep -q "^srv" || fail "epb is affected by epa's policy"

# --- the same account Principal on a gateway endpoint: its root user only ---
mac=$(cat /sys/class/net/va/address)
ip -n vpca neigh add 10.0.0.1 lladdr "$mac" dev eth0 nud permanent || fail "neighbour"
ip -n vpca route add default via 10.0.0.1 dev eth0 || fail "route in vpca"
ip -n prov route add 10.0.0.0/24 via "$NLB" || fail "route in prov"
ip route add 10.0.0.0/24 dev va || fail "host route"
defer ip route del 10.0.0.0/24
must vpcectl service add s3 account 333333333333 type gateway prefix 192.168.1.0/28
must vpcectl service allow s3 principal "$ACCT"
cp "$tmp/account.json" "$tmp/gw.json"
must vpcectl endpoint add ga vpc A service s3 type gateway policy "$tmp/gw.json"
gw_from() {
	ip netns exec vpca socat -T 3 - "TCP:192.168.1.10:8080,bind=$1,connect-timeout=3" </dev/null 2>&1
}
out=$(gw_from 10.0.0.6) || fail "gateway: the account's root was refused: $out"
[ "$out" = "srv10 10.0.0.6" ] || fail "gateway: the server saw '$out'"
for s in 2 5; do
	out=$(gw_from "10.0.0.$s") && fail "gateway: 10.0.0.$s (not the root) got in: $out"
	grep -q "Connection refused\|reset" <<<"$out" ||
		fail "gateway: 10.0.0.$s not refused at once: $out"
done
[ "$(ep_stat ga drop-policy)" -eq 2 ] || fail "gateway drop-policy $(ep_stat ga drop-policy), want 2"
log "gateway endpoint, Principal $ACCT: root in, its session and federated user refused"

# The simulator agrees with both.
for t in interface gateway; do
	vpcectl policy simulate document "$tmp/account.json" principal "$WEB1" \
		endpoint-type $t action vpce:Connect resource "*" >"$tmp/sim.$t"
done
[ "$(cat "$tmp/sim.interface") $(cat "$tmp/sim.gateway")" = "allowed implicitDeny" ] ||
	fail "simulate: interface $(cat "$tmp/sim.interface"), gateway $(cat "$tmp/sim.gateway")"
