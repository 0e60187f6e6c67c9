#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The policy evaluator against a table of cases (policy-eval.cases):
# each case is a document, a request and the decision and Sids AWS gives,
# checked through `vpcectl -j policy simulate`, which runs the kernel's own
# evaluator, the code the data path runs for every new flow. The cases
# cover every operator family and its IfExists form, both qualifiers,
# missing keys, multi-valued keys, wildcards, Not* elements, case rules,
# IPv4 and IPv6 CIDRs, policy variables and deny-overrides-allow.
#
# All cases run from this one shell (one vpcectl process per case), and the
# simulator is checked to be open to unprivileged users and to change no
# state.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl
load_vpce

CASES=$SELFTESTS/policy-eval.cases
tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"

P_DEF=arn:aws:iam::111122223333:role/app
A_DEF=vpce:Connect
R_DEF=arn:aws:ec2:local:444455556666:vpc-endpoint-service/svc1

n=0 bad=0 doc= lineno=0

# expect_json DECISION SIDS : the -j output the case wants.
expect_json() {
	local sids=$2 out= s
	local -a list
	if [ "$sids" != - ]; then
		IFS=, read -r -a list <<<"$sids"
		for s in "${list[@]}"; do
			[ "$s" = "''" ] && s=
			out+="${out:+,}\"$s\""
		done
	fi
	printf '{"decision":"%s","matched":[%s]}' "$1" "$out"
}

# run_case LINE... : one case line, split into words.
run_case() {
	local want=$1 sids=$2 p=$P_DEF a=$A_DEF r=$R_DEF got exp
	local -a extra=()
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		p) p=$2 ;;
		a) a=$2 ;;
		r) r=$2 ;;
		acct) extra+=(account "$2") ;;
		t) extra+=(endpoint-type "$2") ;;
		c) extra+=(context "$2") ;;
		*) fail "$CASES:$lineno: unknown word \"$1\"" ;;
		esac
		shift 2
	done
	n=$((n + 1))
	got=$(vpcectl -j policy simulate document "$tmp/$doc.json" principal "$p" \
		action "$a" resource "$r" "${extra[@]}" 2>&1)
	exp=$(expect_json "$want" "$sids")
	if [ "$got" != "$exp" ]; then
		bad=$((bad + 1))
		log "FAIL $CASES:$lineno ($doc): want $exp"
		log "     got  $got"
	fi
}

while IFS= read -r line; do
	lineno=$((lineno + 1))
	case $line in
	'' | '#'*) continue ;;
	doc\ *)
		doc=${line#doc }
		: >"$tmp/$doc.json"
		while IFS= read -r line && [ "$line" != end ]; do
			lineno=$((lineno + 1))
			printf '%s\n' "$line" >>"$tmp/$doc.json"
		done
		lineno=$((lineno + 1))
		;;
	*)
		[ -n "$doc" ] || fail "$CASES:$lineno: a case before any document"
		read -r -a words <<<"$line"
		run_case "${words[@]}"
		;;
	esac
done <"$CASES"

log "$n cases, $bad failed"
[ "$n" -ge 150 ] || fail "only $n cases"
[ "$bad" -eq 0 ] || fail "$bad of $n cases failed"

# The simulator changes nothing but costs CPU: CAP_NET_ADMIN, as every
# command (21-permissions checks them all).
if command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	chmod 644 "$tmp/allow-all.json"
	got=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		vpcectl policy simulate document "$tmp/allow-all.json" \
		principal "$P_DEF" action "$A_DEF" resource "$R_DEF" 2>&1) &&
		fail "unprivileged policy simulate worked: $got"
	grep -q 'Operation not permitted' <<<"$got" ||
		fail "unprivileged policy simulate: $got"
	log "unprivileged simulate: $got"
fi

# Text output is the bare decision.
got=$(vpcectl policy simulate document "$tmp/deny-overrides.json" principal "$P_DEF" \
	action "$A_DEF" resource "$R_DEF" context vpce:DestinationPort=22)
[ "$got" = explicitDeny ] || fail "text output \"$got\", expected explicitDeny"

# The document may come from stdin.
got=$(vpcectl policy simulate document - principal 111122223333 action "$A_DEF" \
	resource "$R_DEF" <"$tmp/principals.json")
[ "$got" = allowed ] || fail "document from stdin: \"$got\""
exit 0
