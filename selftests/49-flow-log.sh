#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow logs (issue 24): "endpoint set EP flow-log on", and vpced
# --flow-log writing the kernel's records in AWS's default format:
#  - a TCP and a UDP flow of vpce's own table: one record each, written
#    when the flow ends (flushed here, so as not to wait for its timeout),
#    every field checked: version 2, the VPC owner's account, the endpoint
#    ID, addresses, ports, protocol, and packets and IP bytes of each
#    direction exactly as the client's own nftables counters saw them;
#  - a flow refused by the endpoint's policy: one REJECT line, its SYN;
#  - a flow a security group drops: one REJECT line per SYN the client
#    sent (it hears nothing and tries again), as many as drop-sg counts;
#  - sampling: sample 1 logs few of 200 flows, sample 100 all of them;
#  - JSON lines (--flow-log-format json);
#  - SIGHUP: the file moved away, vpced writes to a new one;
#  - SKIPDATA: vpced stopped, its (small) socket buffer overflows: the
#    kernel counts the records lost, and the next record says SKIPDATA;
#  - the setting is shown and saved; off stops the records.

# timeout: 240
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd jq nft python3 vpced
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# The client's own count of what it exchanged with the endpoint address.
ip netns exec vpca nft -f - <<'EOT' || fail "nft counters"
table ip count {
	chain out { type filter hook output priority 0; ip daddr 10.0.0.100 counter; }
	chain in { type filter hook input priority 0; ip saddr 10.0.0.100 counter; }
}
EOT
COUNT_TABLE="ip count"

EPID=$(vpcectl -j endpoint show epa | jq -r '.[0].id')
[[ $EPID == vpce-* ]] || fail "endpoint ID: $EPID"

must vpcectl endpoint set epa flow-log on
vpcectl endpoint show epa | grep -q 'flow-log on aggregation 600 sample 100' ||
	fail "setting not shown: $(vpcectl endpoint show epa)"
[ "$(vpcectl -j endpoint show epa | jq -c '.[0].flow_log')" = '{"aggregation":600,"sample":100}' ] ||
	fail "JSON: $(vpcectl -j endpoint show epa | jq -c '.[0].flow_log')"
vpcectl save | grep -qx 'endpoint set epa flow-log on aggregation 600 sample 100' ||
	fail "save: $(vpcectl save | grep epa)"

LOG=$tmp/flow.log
vpced -r 1 --flow-log "$LOG" >"$tmp/vpced.log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 10 grep -q 'writing flow log records' "$tmp/vpced.log" ||
	fail "vpced did not join: $(cat "$tmp/vpced.log")"

# line FILE SPORT [ACTION] : the record lines of the client's port SPORT
# (its direction; the reply direction has it as dstport).
line() {
	awk -v p="$2" -v a="${3:-}" '$6 == p && (a == "" || $13 == a)' "$1"
}
reply_line() {
	awk -v p="$2" '$7 == p' "$1"
}

# flow_done PROTO SPORT : the flow of the client's port is over and its
# last packet has gone both ways: what the client counted stays still.
# expect_line WHAT GOT WANT
expect_line() {
	[ "$2" = "$3" ] || fail "$1: got \"$2\", expected \"$3\"; log: $(cat "$LOG")"
}

# check_flow PROTO SPORT DPORT T0 : the ACCEPT lines of a flow that ended,
# against the client's counters; T0: the time before it started.
check_flow() {
	local proto=$1 sport=$2 dport=$3 t0=$4 l r now f
	wait_for 10 sh -c "[ -n \"\$(awk -v p=$sport '\$6 == p' '$LOG')\" ]" ||
		fail "no record of port $sport: $(cat "$LOG"); vpced: $(cat "$tmp/vpced.log")"
	now=$(date +%s)
	l=$(line "$LOG" "$sport")
	r=$(reply_line "$LOG" "$sport")
	[ "$(wc -l <<<"$l")" = 1 ] || fail "port $sport: not one line: $l"
	[ "$(wc -l <<<"$r")" = 1 ] || fail "port $sport: not one reply line: $r"
	read -ra f <<<"$l"
	expect_line "port $sport forward" "${f[*]:0:10} ${f[*]:12:2}" \
		"2 111111111111 $EPID 10.0.0.2 10.0.0.100 $sport $dport $proto $(counted out packets) $(counted out bytes) ACCEPT OK"
	[ "${f[10]}" -ge "$t0" ] && [ "${f[10]}" -le "${f[11]}" ] && [ "${f[11]}" -le "$now" ] ||
		fail "port $sport: start ${f[10]} end ${f[11]} not within $t0..$now"
	read -ra f <<<"$r"
	expect_line "port $sport reply" "${f[*]:0:10} ${f[*]:12:2}" \
		"2 111111111111 $EPID 10.0.0.100 10.0.0.2 $dport $sport $proto $(counted in packets) $(counted in bytes) ACCEPT OK"
	log "$proto port $sport: $l / $r"
}

# --- one TCP flow ---------------------------------------------------------
reset_counts
t0=$(date +%s)
out=$(ns_query vpca "$EP_ADDR" 80 --sport 41001) || fail "TCP query: $out"
wait_for 10 sh -c "vpcectl flow show endpoint epa | grep -q '^tcp 10.0.0.2:41001 .*state closed'" ||
	fail "TCP flow not closed: $(vpcectl flow show endpoint epa)"
wait_for 10 settled || fail "client's counters do not settle"
# Not written before the flow ends.
[ -z "$(line "$LOG" 41001)" ] || fail "a record before the flow ended: $(cat "$LOG")"
must vpcectl flow flush endpoint epa
check_flow 6 41001 80 "$t0"

# --- one UDP flow: a datagram each way ------------------------------------
reset_counts
t0=$(date +%s)
out=$(ns_query vpca "$EP_ADDR" 53 --udp --sport 41002) || fail "UDP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
must vpcectl flow flush endpoint epa
check_flow 17 41002 53 "$t0"
[ "$(counted out packets)" = 1 ] && [ "$(counted out bytes)" = 33 ] ||
	fail "UDP: client sent $(counted out packets) packets, $(counted out bytes) bytes (20 + 8 + 5 expected)"

# --- a flow refused by the policy -----------------------------------------
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
t0=$(date +%s)
ns_query vpca "$EP_ADDR" 80 --sport 41003 >/dev/null && fail "denied flow connected"
wait_for 10 sh -c "[ -n \"\$(awk '\$6 == 41003' '$LOG')\" ]" ||
	fail "no REJECT record: $(cat "$LOG")"
l=$(line "$LOG" 41003)
[ "$(wc -l <<<"$l")" = 1 ] || fail "REJECT: not one line: $l"
read -ra f <<<"$l"
expect_line "REJECT" "${f[*]:0:10} ${f[*]:12:2}" \
	"2 111111111111 $EPID 10.0.0.2 10.0.0.100 41003 80 6 1 $(counted out bytes) REJECT OK"
[ "${f[10]}" = "${f[11]}" ] && [ "${f[10]}" -ge "$t0" ] || fail "REJECT times: $l"
[ "$(counted out packets)" = 1 ] || fail "client sent $(counted out packets) SYNs"
[ -z "$(reply_line "$LOG" 41003)" ] || fail "a reply line for a refused flow"
log "REJECT: $l"
must vpcectl endpoint set epa policy "$tmp/allow.json"

# --- a flow refused by a security group -------------------------------------
# Dropped silently (no reset): the client sends its SYN again, and every SYN
# is a flow's first packet refused, one REJECT line each.
must vpcectl sg add only-other vpc A
must vpcectl sg rule add only-other tcp port 80 from 10.0.0.99/32
must vpcectl endpoint set epa sg only-other
reset_counts
t0=$(date +%s)
ns_query vpca "$EP_ADDR" 80 --sport 41020 --timeout 1.5 >/dev/null &&
	fail "a flow the SG refuses connected"
wait_for 10 settled || fail "client's counters do not settle"
syns=$(counted out packets)
wait_for 10 sh -c "[ \"\$(awk '\$6 == 41020' '$LOG' | wc -l)\" -ge $syns ]" ||
	fail "not $syns REJECT records for the SG's drops: $(cat "$LOG")"
l=$(line "$LOG" 41020)
[ "$(wc -l <<<"$l")" = "$syns" ] || fail "SG REJECT: $syns SYNs, lines: $l"
while read -ra f; do
	expect_line "SG REJECT" "${f[*]:0:10} ${f[*]:12:2}" \
		"2 111111111111 $EPID 10.0.0.2 10.0.0.100 41020 80 6 1 $(($(counted out bytes) / syns)) REJECT OK"
	[ "${f[10]}" = "${f[11]}" ] && [ "${f[10]}" -ge "$t0" ] || fail "SG REJECT times: ${f[*]}"
done <<<"$l"
[ -z "$(reply_line "$LOG" 41020)" ] || fail "a reply line for a flow the SG refused"
[ "$(ep_stat epa drop-sg)" = "$syns" ] ||
	fail "drop-sg is $(ep_stat epa drop-sg), not $syns"
log "SG REJECT ($syns SYNs): $l"
must vpcectl endpoint set epa sg none
must vpcectl sg del only-other

# --- sampling: 200 flows ---------------------------------------------------
records() { awk -v lo="$1" -v hi="$2" '$6 >= lo && $6 < hi' "$LOG" | wc -l; }
must vpcectl endpoint set epa flow-log on sample 1
vpcectl endpoint show epa | grep -q 'flow-log on aggregation 600 sample 1$' ||
	fail "sample 1 not shown: $(vpcectl endpoint show epa)"
out=$(ns_query vpca "$EP_ADDR" 53 --udp --count 200 --sport-seq 42000) ||
	fail "200 UDP flows: $(grep -c ERROR <<<"$out") failed"
must vpcectl flow flush endpoint epa
must vpcectl endpoint set epa flow-log on aggregation 60
out=$(ns_query vpca "$EP_ADDR" 53 --udp --count 200 --sport-seq 43000) ||
	fail "200 UDP flows: $(grep -c ERROR <<<"$out") failed"
must vpcectl flow flush endpoint epa
wait_for 10 eval '[ "$(records 43000 43200)" = 200 ]' ||
	fail "sample 100: $(records 43000 43200) of 200 flows logged"
n=$(records 42000 42200)
log "sample 1: $n of 200 flows logged; sample 100: 200"
[ "$n" -lt 20 ] || fail "sample 1 logged $n of 200 flows"

# --- the provider's side: the flow as its target sees it ----------------------
must vpcectl service set svc flow-log on aggregation 60
vpcectl service show svc | grep -q 'flow-log on aggregation 60 sample 100' ||
	fail "service setting not shown: $(vpcectl service show svc)"
vpcectl save | grep -q '^service set svc .*flow-log on aggregation 60 sample 100' ||
	fail "service setting not saved: $(vpcectl save | grep 'service set')"
must vpcectl endpoint set epa flow-log off
reset_counts
out=$(ns_query vpca "$EP_ADDR" 53 --udp --sport 41009) || fail "UDP query: $out"
wait_for 10 settled || fail "client's counters do not settle"
flow=$(vpcectl -j flow show endpoint epa | jq -c '.[] | select(.client_port == 41009)')
tgt=$(jq -r .target <<<"$flow")
nlbport=$(jq -r .nlb_port <<<"$flow")
[ -n "$tgt" ] && [ -n "$nlbport" ] || fail "flow not shown: $(vpcectl -j flow show)"
must vpcectl flow flush endpoint epa
wait_for 10 sh -c "[ -n \"\$(awk '\$3 == \"svc\" && \$6 == $nlbport' '$LOG')\" ]" ||
	fail "no provider record: $(tail -5 "$LOG")"
l=$(awk -v p="$nlbport" '$3 == "svc" && $6 == p' "$LOG")
r=$(awk -v p="$nlbport" '$3 == "svc" && $7 == p' "$LOG")
read -ra f <<<"$l"
expect_line "provider forward" "${f[*]:0:10} ${f[*]:12:2}" \
	"2 333333333333 svc $NLB $tgt $nlbport 5353 17 1 33 ACCEPT OK"
read -ra f <<<"$r"
expect_line "provider reply" "${f[*]:0:10} ${f[*]:12:2}" \
	"2 333333333333 svc $tgt $NLB 5353 $nlbport 17 1 $(counted in bytes) ACCEPT OK"
[ -z "$(line "$LOG" 41009)" ] || fail "an endpoint record while the endpoint's log is off"
log "provider: $l / $r"
must vpcectl service set svc flow-log off
vpcectl service show svc | grep -q 'flow-log' && fail "service off still shown"
must vpcectl endpoint set epa flow-log on

# --- off: no more records ---------------------------------------------------
must vpcectl endpoint set epa flow-log off
vpcectl endpoint show epa | grep -q 'flow-log' && fail "off still shown"
vpcectl save | grep -q 'epa flow-log' && fail "off still saved"
ns_query vpca "$EP_ADDR" 53 --udp --sport 41004 >/dev/null || fail "UDP query"
must vpcectl flow flush endpoint epa
must vpcectl endpoint set epa flow-log on
ns_query vpca "$EP_ADDR" 53 --udp --sport 41005 >/dev/null || fail "UDP query"
must vpcectl flow flush endpoint epa
wait_for 10 sh -c "[ -n \"\$(awk '\$6 == 41005' '$LOG')\" ]" || fail "no record after on again"
[ -z "$(line "$LOG" 41004)" ] || fail "a record while off"

# --- SIGHUP: a new file ------------------------------------------------------
mv "$LOG" "$LOG.1"
kill -HUP "$VPCED"
wait_for 10 grep -q 'flow log .* reopened' "$tmp/vpced.log" ||
	fail "no reopen: $(cat "$tmp/vpced.log")"
ns_query vpca "$EP_ADDR" 53 --udp --sport 41006 >/dev/null || fail "UDP query"
must vpcectl flow flush endpoint epa
wait_for 10 sh -c "[ -n \"\$(awk '\$6 == 41006' '$LOG' 2>/dev/null)\" ]" ||
	fail "no record in the new file after SIGHUP"
[ -z "$(line "$LOG.1" 41006)" ] || fail "the record went to the old file"

# --- SKIPDATA: a stopped reader with a small buffer ---------------------------
kill "$VPCED"
wait "$VPCED" 2>/dev/null
VPCED_FLOW_LOG_RCVBUF=4096 vpced -r 1 --flow-log "$tmp/skip.log" >"$tmp/vpced2.log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 10 grep -q 'writing flow log records' "$tmp/vpced2.log" ||
	fail "vpced did not join: $(cat "$tmp/vpced2.log")"
kill -STOP "$VPCED"
out=$(ns_query vpca "$EP_ADDR" 53 --udp --count 100 --sport-seq 44000) ||
	fail "100 UDP flows failed"
must vpcectl flow flush endpoint epa
lost=$(vpcectl -j stats show | jq '.[] | select(.object == "flows") | .FlowLogSkipped')
[ "$lost" -gt 0 ] || fail "no records counted as lost: $lost"
kill -CONT "$VPCED"
ns_query vpca "$EP_ADDR" 53 --udp --sport 41007 >/dev/null || fail "UDP query"
must vpcectl flow flush endpoint epa
wait_for 10 sh -c "[ -n \"\$(awk '\$6 == 41007' '$tmp/skip.log')\" ]" ||
	fail "no record after the overflow: $(tail -3 "$tmp/skip.log")"
line "$tmp/skip.log" 41007 | grep -q ' ACCEPT SKIPDATA$' ||
	fail "the record after the loss does not say SKIPDATA: $(line "$tmp/skip.log" 41007)"
grep -q '^2 - - - - - - - - - [0-9]* [0-9]* - SKIPDATA$' "$tmp/skip.log" ||
	fail "no SKIPDATA line for the socket's overflow"
vpcectl stats show | grep -q "flow-log-skipped $lost" ||
	fail "stats show: $(vpcectl stats show | grep flow-log)"
log "overflow: $lost records lost, $(grep -c . "$tmp/skip.log") lines written"

# --- JSON lines -----------------------------------------------------------------
kill "$VPCED"
wait "$VPCED" 2>/dev/null
vpced -r 1 --flow-log "$tmp/json.log" --flow-log-format json >"$tmp/vpced3.log" 2>&1 &
VPCED=$!
defer kill "$VPCED"
wait_for 10 grep -q 'writing flow log records' "$tmp/vpced3.log" ||
	fail "vpced did not join: $(cat "$tmp/vpced3.log")"
reset_counts
ns_query vpca "$EP_ADDR" 53 --udp --sport 41008 >/dev/null || fail "UDP query"
wait_for 10 settled || fail "client's counters do not settle"
must vpcectl flow flush endpoint epa
wait_for 10 grep -q '"srcport":41008' "$tmp/json.log" || fail "no JSON record"
got=$(grep '"srcport":41008' "$tmp/json.log" |
	jq -c '[.version, ."account-id", ."interface-id", .srcaddr, .dstaddr, .srcport, .dstport, .protocol, .packets, .bytes, ."reply-packets", ."reply-bytes", .action, ."log-status"]')
expect_line JSON "$got" \
	"[2,\"111111111111\",\"$EPID\",\"10.0.0.2\",\"10.0.0.100\",41008,53,17,1,33,$(counted in packets),$(counted in bytes),\"ACCEPT\",\"OK\"]"

# --- bad input changes nothing ---------------------------------------------------
must vpcectl endpoint set epa flow-log on aggregation 60 sample 50
before=$(vpcectl save)
must_fail vpcectl endpoint set epa flow-log on aggregation 30
must_fail vpcectl endpoint set epa flow-log on sample 0
must_fail vpcectl endpoint set epa flow-log on sample 101
must_fail vpcectl endpoint set epa flow-log off sample 5
must_fail vpcectl endpoint set epa flow-log maybe
must_fail vpcectl endpoint set epa flow-log
[ "$(vpcectl save)" = "$before" ] || fail "bad input changed something"
