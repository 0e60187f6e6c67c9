#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed policies are refused, say why, and change nothing.
#
#  - vpcectl refuses every document of policy-bad.cases (and a few made
#    here: too long, a NUL byte, too many statements, no such file) with
#    exit status 1, which means nothing was sent, and a "vpcectl: policy: "
#    message naming the element that is wrong;
#  - nlbad sends malformed compiled policies and requests straight to the
#    kernel (bad nesting, unknown operators and qualifiers, bad values,
#    limits, oversized text), each of which must be refused with an errno
#    and an extended ack;
#  - the netns's state is the same before and after.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl nlbad cmp
load_vpce

NS=policybad
mk_ns "$NS"
tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"
V=(vpcectl -n "$NS")

ip -n "$NS" link add pb0 type dummy || fail "dummy"
ip -n "$NS" link add nlbad1 type dummy || fail "dummy"
ip -n "$NS" link add nlbad2 type dummy || fail "dummy"
must "${V[@]}" vpc add vpc1 account 111122223333 dev pb0
must "${V[@]}" service add svc1 account 444455556666 listener tcp:80 nlb 192.168.10.1
must "${V[@]}" service allow svc1 principal 111122223333
must "${V[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100

snapshot() {
	local o
	for o in vpc service target endpoint; do
		"${V[@]}" -j "$o" show || return 1
	done
}
snapshot >"$tmp/before" || fail "cannot snapshot the state"

REQ=(principal 111122223333 action vpce:Connect
	resource arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc1)
nbad=0 nfailed=0

# refused FILE MESSAGE : the document must be refused with MESSAGE.
refused() {
	local file=$1 msg=$2 rc
	nbad=$((nbad + 1))
	"${V[@]}" policy simulate document "$file" "${REQ[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q '^vpcectl: policy: ' "$tmp/err" ||
	   ! grep -qF -- "$msg" "$tmp/err" || [ -s "$tmp/out" ]; then
		nfailed=$((nfailed + 1))
		log "FAIL: want exit 1 and \"$msg\""
		log "      got exit $rc: $(cat "$tmp/err" "$tmp/out")"
	else
		log "ok $(head -n1 "$tmp/err")"
	fi
}

# --- the table -----------------------------------------------------------------
n=0
while IFS= read -r line; do
	case $line in
	bad\ *)
		n=$((n + 1))
		msg=${line#bad }
		: >"$tmp/doc$n.json"
		while IFS= read -r line && [ "$line" != end ]; do
			printf '%s\n' "$line" >>"$tmp/doc$n.json"
		done
		refused "$tmp/doc$n.json" "$msg"
		;;
	esac
done <"$SELFTESTS/policy-bad.cases"

# --- made here -------------------------------------------------------------------
head='{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}'
# Exactly the limit is fine, one more character is not.
pad() { printf '%s' "$head"; printf "%$(($1 - ${#head}))s" ""; }
pad 20480 >"$tmp/max.json"
[ "$(wc -c <"$tmp/max.json")" -eq 20480 ] || fail "the 20480-character document is $(wc -c <"$tmp/max.json")"
got=$("${V[@]}" policy simulate document "$tmp/max.json" "${REQ[@]}" 2>&1)
[ "$got" = allowed ] || fail "a 20480-character document: $got"
pad 20481 >"$tmp/long.json"
refused "$tmp/long.json" "the document is longer than 20480 characters"

printf '{"Version": "2012-10-17",\0 "Statement": []}' >"$tmp/nul.json"
refused "$tmp/nul.json" "contains a NUL byte"

{
	printf '{"Version": "2012-10-17", "Statement": ['
	for i in $(seq 129); do
		printf '%s{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}' \
			"$([ "$i" -gt 1 ] && echo ,)"
	done
	printf ']}'
} >"$tmp/many.json"
refused "$tmp/many.json" "Statement: too many statements (129, at most 128)"

refused "$tmp/does-not-exist.json" "cannot open"

log "$nbad malformed documents, $nfailed misbehaved"
[ "$nbad" -ge 30 ] || fail "only $nbad malformed documents"

# --- raw compiled policies ---------------------------------------------------------
log "nlbad: malformed compiled policies and requests"
ns_exec "$NS" nlbad -d nlbad1 -D nlbad2 policy_simulate/ >"$tmp/nlbad" 2>&1
nlbad_rc=$?
cat "$tmp/nlbad"
ncases=$(grep -c '^ok ' "$tmp/nlbad")

snapshot >"$tmp/after" || fail "cannot snapshot the state"
cmp -s "$tmp/before" "$tmp/after" ||
	fail "the state changed: $(diff "$tmp/before" "$tmp/after")"
log "state unchanged after $nbad documents and $ncases nlbad cases"

[ "$nfailed" -eq 0 ] || fail "$nfailed of $nbad malformed documents were not refused as expected"
[ "$nlbad_rc" -eq 0 ] || fail "nlbad exited $nlbad_rc: $(grep -c '^FAIL' "$tmp/nlbad") case(s) misbehaved"
exit 0
