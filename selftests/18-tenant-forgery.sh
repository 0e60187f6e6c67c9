#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile tenant attacks another tenant's flow in vpce's own table. VPC A
# holds a connection; VPC B, on the same CIDR, knows the target's address
# and port and the nlb address, and tries every nlb port: resets, FINs and
# data "from the target", and ICMP errors ("fragmentation needed", "port
# unreachable") quoting A's flow. None of it reaches A's flow: the flow
# stays established, carries data, and A's client gets no ICMP error. Then
# segments that come in where the flow's packets do (the provider's
# network; A's own link, source spoofed) but lie outside the flow's TCP
# window are dropped and counted (drop-invalid), and change nothing either.
#
# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3 jq nstat
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 40000 --tag from-A
flow() {
	vpcectl -j flow show endpoint epa |
		jq -c '[.[] | select(.protocol == "tcp" and .client_port == 40000)][0] // empty'
}
fl=$(flow)
[ -n "$fl" ] || fail "no flow for A's held connection"
target=$(jq -r .target <<<"$fl")
nport=$(jq -r .nlb_port <<<"$fl")
log "A's flow: target $target:8080 from $NLB:$nport, $(jq -r .state <<<"$fl")"

round=0
# intact WHAT: A's flow is still established and carries data both ways.
intact() {
	local st pong
	st=$(flow | jq -r '.state // "gone"')
	[ "$st" = established ] || fail "after $1, A's flow is $st"
	round=$((round + 1))
	pong=$(held_ping "$tmp/a" $round)
	[ "$pong" = "ok from-A $round" ] || fail "after $1, A's connection answered '$pong'"
}
icmp_in() {
	ip netns exec vpca nstat -saz IcmpInDestUnreachs | awk '$1 == "IcmpInDestUnreachs" { print $2 }'
}
intact "nothing"
icmp0=$(icmp_in)

# From VPC B: the frames go to the host's end of B's link.
bmac=$(cat /sys/class/net/vb/address)
n=$(ip netns exec vpcb python3 "$SELFTESTS/forge.py" tcp eth0 "$bmac" \
	"$target" 8080 "$NLB" 1024-65535 --flags R) || fail "forge.py failed"
log "VPC B sent $n resets from $target:8080 to $NLB:1024-65535"
intact "B's resets"
for f in F PA; do
	n=$(ip netns exec vpcb python3 "$SELFTESTS/forge.py" tcp eth0 "$bmac" \
		"$target" 8080 "$NLB" $((nport - 200))-$((nport + 200)) --flags "$f" \
		--data "$([ "$f" = PA ] && echo injected)") || fail "forge.py failed"
	log "VPC B sent $n segments ($f) around the flow's port"
	intact "B's $f segments"
done
# ICMP errors about A's packets as they left for the target: "fragmentation
# needed" (which would shrink A's path MTU) and "port unreachable".
for tc in 3/4 3/3; do
	n=$(ip netns exec vpcb python3 "$SELFTESTS/forge.py" icmp eth0 "$bmac" \
		10.0.0.1 "$NLB" --type "${tc%/*}" --code "${tc#*/}" --mtu 552 \
		--inner "$NLB:$((nport - 500))-$((nport + 500)),$target:8080") ||
		fail "forge.py failed"
	log "VPC B sent $n ICMP errors type $tc about $NLB:ports -> $target:8080"
done
intact "B's ICMP errors"
[ "$(icmp_in)" = "$icmp0" ] || fail "A's client received ICMP errors that B forged ($icmp0 -> $(icmp_in))"
ip -n vpca route get "$EP_ADDR" | grep -q "mtu 552" && fail "B's forged error changed A's path MTU"
log "A's client got none of B's ICMP errors"

# From where the replies come in (the provider's network), resets with
# sequence numbers out of the flow's window: dropped and counted.
inv0=$(ep_stat epa drop-invalid)
pmac=$(cat /sys/class/net/vprov/address)
ip netns exec prov python3 "$SELFTESTS/forge.py" tcp eth0 "$pmac" \
	"$target" 8080 "$NLB" "$nport" --flags R --repeat 10 >/dev/null || fail "forge.py failed"
intact "resets out of the window from the provider's side"
# And from A's own link, spoofing A's client (another VM on a shared
# link could): a FIN and data out of the window.
amac=$(cat /sys/class/net/va/address)
ip netns exec vpca python3 "$SELFTESTS/forge.py" tcp eth0 "$amac" \
	10.0.0.2 40000 "$EP_ADDR" 80 --flags FA --repeat 5 >/dev/null || fail "forge.py failed"
ip netns exec vpca python3 "$SELFTESTS/forge.py" tcp eth0 "$amac" \
	10.0.0.2 40000 "$EP_ADDR" 80 --flags PA --data injected --repeat 5 >/dev/null ||
	fail "forge.py failed"
intact "segments out of the window from A's link"
inv=$(ep_stat epa drop-invalid)
log "drop-invalid: $inv0 -> $inv"
[ "$((inv - inv0))" -ge 18 ] || fail "expected 20 segments dropped as out of window, counted $((inv - inv0))"
exit 0
