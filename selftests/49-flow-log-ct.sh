#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow logs of the flows conntrack tracks (module loaded with conntrack=1,
# on a dual stack topology: IPv4 and IPv6 flows both take conntrack's
# path): vpced --flow-log gets a record for each flow when it ends (its
# conntrack entry flushed here), with the packets and IP bytes of each
# direction exactly as the client's own nftables counters saw them; a
# REJECT for an IPv6 flow the policy refuses; and the provider's record of
# an IPv6 flow (NLB address to target); and a logged flow live at rmmod.

# timeout: 180
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd jq nft python3 vpced
PL6_DUAL=1
load_vpce conntrack=1
pl6_topology
pl6_config
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# The client's own count of its flows' packets (not neighbour discovery's).
ip netns exec vpca nft -f - <<'EOT' || fail "nft counters"
table inet count {
	chain out { type filter hook output priority 0; meta l4proto { tcp, udp } ip daddr 10.0.0.100 counter; meta l4proto { tcp, udp } ip6 daddr fd00:a::100 counter; }
	chain in { type filter hook input priority 0; meta l4proto { tcp, udp } ip saddr 10.0.0.100 counter; meta l4proto { tcp, udp } ip6 saddr fd00:a::100 counter; }
}
EOT
COUNT_TABLE="inet count"

EPID=$(vpcectl -j endpoint show epa | jq -r '.[0].id')
LOG=$tmp/flow.log
must vpcectl endpoint set epa flow-log on
vpced -r 1 --flow-log "$LOG" >"$tmp/vpced.log" 2>&1 &
defer kill $!
wait_for 10 grep -q 'writing flow log records' "$tmp/vpced.log" ||
	fail "vpced did not join: $(cat "$tmp/vpced.log")"

has_line() {
	awk -v p="$1" '$6 == p' "$LOG" | grep -q .
}

# check_flow PROTO SRC DST SPORT DPORT : the flow's two lines.
check_flow() {
	local proto=$1 src=$2 dst=$3 sport=$4 dport=$5 l r f
	wait_for 15 has_line "$sport" ||
		fail "no record of port $sport: $(cat "$LOG"); vpced: $(cat "$tmp/vpced.log")"
	l=$(awk -v p="$sport" '$6 == p' "$LOG")
	r=$(awk -v p="$sport" '$7 == p' "$LOG")
	read -ra f <<<"$l"
	[ "${f[*]:0:10} ${f[*]:12:2}" = "2 111111111111 $EPID $src $dst $sport $dport $proto $(counted out packets) $(counted out bytes) ACCEPT OK" ] ||
		fail "port $sport forward: $l; client sent $(counted out packets) packets, $(counted out bytes) bytes"
	[ "${f[10]}" -le "${f[11]}" ] || fail "port $sport: start after end: $l"
	read -ra f <<<"$r"
	[ "${f[*]:0:10} ${f[*]:12:2}" = "2 111111111111 $EPID $dst $src $dport $sport $proto $(counted in packets) $(counted in bytes) ACCEPT OK" ] ||
		fail "port $sport reply: $r; client got $(counted in packets) packets, $(counted in bytes) bytes"
	log "$l / $r"
}

# --- IPv6 TCP, IPv6 UDP, IPv4 UDP (conntrack=1) ----------------------------
reset_counts
out=$(ns_query vpca "$EP6_ADDR" 80 --sport 45001) || fail "TCP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
has_line 45001 && fail "a record before the flow ended: $(cat "$LOG")"
must vpcectl flow flush endpoint epa
check_flow 6 fd00:a::2 "$EP6_ADDR" 45001 80

reset_counts
out=$(ns_query vpca "$EP6_ADDR" 53 --udp --sport 45002) || fail "UDP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
must vpcectl flow flush endpoint epa
check_flow 17 fd00:a::2 "$EP6_ADDR" 45002 53

reset_counts
out=$(ns_query vpca "$EP_ADDR" 53 --udp --sport 45003) || fail "UDP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
must vpcectl flow flush endpoint epa
check_flow 17 10.0.0.2 "$EP_ADDR" 45003 53

# --- an IPv6 flow the policy refuses -----------------------------------------
cat >"$tmp/deny.json" <<'EOT'
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
 "Action": "*", "Resource": "*"}]}
EOT
cat >"$tmp/allow.json" <<'EOT'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
 "Action": "*", "Resource": "*"}]}
EOT
must vpcectl endpoint set epa policy "$tmp/deny.json"
reset_counts
ns_query vpca "$EP6_ADDR" 80 --sport 45004 >/dev/null && fail "denied flow connected"
wait_for 10 has_line 45004 || fail "no REJECT record: $(cat "$LOG")"
l=$(awk '$6 == 45004' "$LOG")
read -ra f <<<"$l"
[ "${f[*]:0:10} ${f[*]:12:2}" = "2 111111111111 $EPID fd00:a::2 $EP6_ADDR 45004 80 6 1 $(counted out bytes) REJECT OK" ] ||
	fail "REJECT: $l"
log "REJECT: $l"
must vpcectl endpoint set epa policy "$tmp/allow.json"

# --- the provider's side, IPv6 ------------------------------------------------
must vpcectl endpoint set epa flow-log off
must vpcectl service set svc flow-log on
reset_counts
out=$(ns_query vpca "$EP6_ADDR" 53 --udp --sport 45005) || fail "UDP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
tgt=$(awk '{ print $1 }' <<<"$out")
tgt=fd01::${tgt#srv}
must vpcectl flow flush endpoint epa
wait_for 15 sh -c "awk '\$3 == \"svc\" && \$7 == 5353' '$LOG' | grep -q ." ||
	fail "no provider record: $(cat "$LOG")"
l=$(awk '$3 == "svc" && $7 == 5353' "$LOG")
read -ra f <<<"$l"
[ "${f[*]:0:5} ${f[*]:6:4} ${f[*]:12:2}" = "2 333333333333 svc $NLB6 $tgt 5353 17 1 $(counted out bytes) ACCEPT OK" ] ||
	fail "provider: $l (target $tgt)"
log "provider: $l"

# A logged flow still live when the module goes (the deferred rmmod): its
# entry's reference is let go (the kernel log stays clean, rmmod works).
must vpcectl endpoint set epa flow-log on
out=$(ns_query vpca "$EP6_ADDR" 53 --udp --sport 45006) || fail "UDP query: $out"
