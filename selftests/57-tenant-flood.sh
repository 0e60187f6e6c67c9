#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a hostile tenant's VM can make the host keep and send
# (privatelink6.sh's dual stack topology):
#  - 100,000 ARP requests and 100,000 neighbour solicitations for the
#    endpoint's addresses, each from a random sender (address and MAC;
#    selftests/neighflood), leave the host's neighbour tables on the VPC's
#    device as they were (vpce answers to the request's hardware address
#    and makes no entry per sender); while the ARP flood runs on VPC A's
#    device, a client of VPC B resolves the endpoint address and connects,
#    and after the floods VPC A's client does too, in both families;
#  - a SYN flood at the open port from random source addresses leaves
#    them as they were too: the targets' SYN-ACKs go to the hardware
#    address the SYNs came from (a SYN from a multicast address is
#    dropped and counted as invalid);
#  - a flood of SYNs at a port with no listener (answered with resets) and
#    one of packets with TTL 1 (answered with ICMP time exceeded): the
#    client sees answers, but far fewer than it sent, at most the VPC
#    device's budget (200 a second after a burst of 200, kmod/vpce_limit.h),
#    and the endpoint counts what it did not answer (AnswersLimited in
#    `vpcectl stats show`, "limited" in `vpcectl endpoint show`).
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd hping3 jq
[ -x "$SELFTESTS/neighflood" ] || skip "selftests/neighflood not built (make selftests-bin)"
COUNT=${VPCE_NEIGH_FLOOD:-100000}
FLOOD_SECS=4
# What a device may answer in FLOOD_SECS, with a second of slack each side.
MAX_ANSWERS=$((200 + 200 * (FLOOD_SECS + 2)))

PL6_DUAL=1 pl6_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

limited() {
	vpcectl -j stats show endpoint epa | jq -r '.[0].AnswersLimited // empty'
}

# tcp_ok NS ADDR : a connection to the endpoint's port 80 reaches a target.
tcp_ok() {
	tcp_query "$1" "$2" 80 | grep -q '^srv'
}

# neigh_count FAMILY : the host's neighbour entries on VPC A's device.
neigh_count() {
	ip "-$1" neigh show dev va | wc -l
}

# flood_entries : those of them for the floods' senders (10.128.0.0/9,
# fd00:a::8000:0:0:0/65). Other entries may come and go meanwhile (the
# client's link-local address, learnt from its router solicitations).
flood_entries() {
	ip neigh show dev va |
		grep -cE '^(10\.(12[89]|1[3-9][0-9]|2[0-5][0-9])\.|fd00:a::[89a-f][0-9a-f]{3}:)'
}

# Every client has talked to the endpoint once, in both families: the
# entries the host makes for them to send replies are there before.
tcp_ok vpca "$EP_ADDR" || fail "VPC A: no IPv4 connection before the floods"
tcp_ok vpca "$EP6_ADDR" || fail "VPC A: no IPv6 connection before the floods"
n4=$(neigh_count 4)
n6=$(neigh_count 6)
log "host neighbour entries on va before: IPv4 $n4, IPv6 $n6"

# --- ARP ---------------------------------------------------------------------
ip netns exec vpca "$SELFTESTS/neighflood" arp eth0 "$EP_ADDR" "$COUNT" \
	>"$tmp/arp.out" 2>&1 &
flood=$!
defer kill $flood
# While it runs, another VPC's client resolves the same address afresh.
ip -n vpcb neigh flush dev eth0
wait_for 20 tcp_ok vpcb "$EP_ADDR" || fail "VPC B cannot connect during VPC A's ARP flood"
wait $flood || fail "ARP flood: $(cat "$tmp/arp.out")"

# --- NDP ---------------------------------------------------------------------
ip netns exec vpca "$SELFTESTS/neighflood" ns eth0 "$EP6_ADDR" "$COUNT" \
	>"$tmp/ns.out" 2>&1 &
flood=$!
defer kill $flood
ip -n vpcb neigh flush dev eth0
wait_for 20 tcp_ok vpcb "$EP6_ADDR" || fail "VPC B cannot connect during VPC A's NDP flood"
wait $flood || fail "NDP flood: $(cat "$tmp/ns.out")"

a4=$(neigh_count 4)
a6=$(neigh_count 6)
log "host neighbour entries on va after $COUNT ARP requests and $COUNT solicitations: IPv4 $a4, IPv6 $a6"
log "endpoint epa: $(limited) answers limited"
fe=$(flood_entries)
[ "$fe" -eq 0 ] || fail "the floods added $fe entries to the host's neighbour table: $(ip neigh show dev va | head -n 5)"
[ "$a4" -le "$n4" ] || fail "the ARP flood added $((a4 - n4)) entries to the host's neighbour table"
[ "$a6" -le $((n6 + 1)) ] || fail "the NDP flood added $((a6 - n6)) entries to the host's neighbour table"
[ "$(limited)" -gt 0 ] 2>/dev/null || fail "the floods were answered without limit: AnswersLimited is '$(limited)'"

# VPC A's own client resolves the endpoint addresses again (its budget
# refills within a second of the flood) and connects.
ip -n vpca neigh flush dev eth0
wait_for 20 tcp_ok vpca "$EP_ADDR" || fail "VPC A cannot connect over IPv4 after its flood"
wait_for 20 tcp_ok vpca "$EP6_ADDR" || fail "VPC A cannot connect over IPv6 after its flood"

# --- SYN-ACKs to made-up clients ---------------------------------------------

# A SYN flood at the open port from random source addresses: the targets
# answer every SYN, and the own flow table sends each SYN-ACK to the
# hardware address its SYN came from, so that the host neither solicits
# for nor keeps an entry per made-up client (neigh_xmit() would).
rx() { ip -n vpca -j -s link show dev eth0 | jq '.[0].stats64.rx.packets'; }
# The IPv4 neighbour entries the host has made, ever (the kernel's forced
# garbage collection takes failed ones away within seconds, so a count of
# the entries after the flood would miss them).
arp_allocs() {
	local s=0 _ a

	while read -r _ a _; do
		[[ $a =~ ^[0-9a-f]+$ ]] && s=$((s + 16#$a))
	done </proc/net/stat/arp_cache
	echo "$s"
}
b4=$(neigh_count 4)
m0=$(arp_allocs)
c0=$(ep_stat epa new-connections)
r0=$(rx)
ip netns exec vpca timeout -s INT 3 hping3 --flood -S -p 80 --rand-source \
	"$EP_ADDR" >/dev/null 2>&1
c1=$(ep_stat epa new-connections)
# The answers to the last SYNs are on their way.
wait_for 5 sh -c "[ \$(ip -n vpca -j -s link show dev eth0 | jq '.[0].stats64.rx.packets') -ge $((r0 + 100)) ]" ||
	fail "the SYN flood's flows got $(($(rx) - r0)) answers"
a4=$(neigh_count 4)
m1=$(arp_allocs)
log "a SYN flood from random sources: $((c1 - c0)) flows, $(($(rx) - r0)) answers back; host neighbour entries on va $b4 -> $a4, $((m1 - m0)) made"
[ $((c1 - c0)) -ge 100 ] || fail "the SYN flood made only $((c1 - c0)) flows"
[ $((m1 - m0)) -le 2 ] ||
	fail "the SYN-ACKs to the flood made the host create $((m1 - m0)) neighbour entries: $(ip neigh show dev va | head -n 5)"
must vpcectl flow flush endpoint epa

# A SYN from a multicast source MAC, which no station sends from, is
# dropped and counted: there would be no address to send its replies to
# but the neighbour table's.
inv() { ep_stat epa drop-invalid; }
i0=$(inv)
amac=$(cat /sys/class/net/va/address)
ip netns exec vpca python3 "$SELFTESTS/forge.py" tcp eth0 "$amac" 10.0.0.2 \
	40123 "$EP_ADDR" 80 --flags S --srcmac 01:00:5e:00:00:01 >/dev/null ||
	fail "forge.py failed"
wait_for 5 eval '[ "$(inv)" -gt "$i0" ]' ||
	fail "a SYN from a multicast MAC was not counted as invalid ($i0 -> $(inv))"
# (Only this one: the flood's last SYNs may still come in after the flush.)
[ "$(vpcectl -j flow show endpoint epa |
	jq '[.[] | select(.client == "10.0.0.2" and .client_port == 40123)] | length')" -eq 0 ] ||
	fail "a SYN from a multicast MAC made a flow: $(vpcectl flow show endpoint epa | grep 40123)"

# --- resets and ICMP errors ----------------------------------------------------

# answers WHAT HPING3-ARGS... : flood from VPC A's client's own address
# (the answers come back to it) for FLOOD_SECS; set SENT and GOT.
answers() {
	local what=$1 cpid
	shift
	ip netns exec vpca "$SELFTESTS/neighflood" count eth0 "$what" 60 >"$tmp/count.out" &
	cpid=$!
	defer kill $cpid
	wait_for 10 grep -q listening "$tmp/count.out" || fail "neighflood count did not start"
	ip netns exec vpca timeout -s INT "$FLOOD_SECS" hping3 --flood "$@" \
		>"$tmp/hping.out" 2>&1
	SENT=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/hping.out")
	# It stops a second after the last answer.
	wait $cpid
	GOT=$(tail -n 1 "$tmp/count.out")
	[ -n "$SENT" ] || fail "hping3 $*: $(cat "$tmp/hping.out")"
}

# check WHAT SENT GOT L0 : the answers were limited, and counted.
check() {
	local l1

	l1=$(limited)
	log "$1: $2 sent, $3 answered, $((l1 - $4)) counted as limited"
	# The debug kernel cannot send much faster than the limit answers.
	if [ "$2" -lt $((2 * MAX_ANSWERS)) ] && [ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ]; then
		log "$1: too few sent on this slow kernel to tell the limit; not checked"
		return
	fi
	[ "$2" -ge $((2 * MAX_ANSWERS)) ] || fail "$1: the flood sent only $2 packets, too few to tell"
	[ "$3" -gt 0 ] || fail "$1: no answer at all"
	[ "$3" -le "$MAX_ANSWERS" ] || fail "$1: $3 answers to $2 packets, more than $MAX_ANSWERS"
	[ "$l1" -gt "$4" ] || fail "$1: the limited counter did not move"
}

# SYNs to port 81, which has no listener: each is refused with a reset.
l0=$(limited)
answers rst -S -p 81 "$EP_ADDR"
check "SYNs to a closed port" "$SENT" "$GOT" "$l0"

# TTL 1 on a flow's packets (one source port: one flow): time exceeded.
l0=$(limited)
answers timex -S -p 80 -s 40000 -k -t 1 "$EP_ADDR"
check "TTL 1" "$SENT" "$GOT" "$l0"

# The same in IPv6 would need hping3's IPv6, which it lacks: the IPv6
# refusals take the same function (vpce_refuse(), vpce_icmp_back()).

tcp_ok vpca "$EP_ADDR" || fail "VPC A cannot connect after the floods"
exit 0
