#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Endpoint IDs. Every endpoint has one of AWS's form, "vpce-" and 17
# lowercase hex digits, its own in the namespace, and the same wherever the
# endpoint is shown: endpoint show (text, JSON "id"), connection show,
# stats show, flow show of a live TCP flow (text "endpoint-id", JSON
# "endpoint_id") and the events of vpcectl monitor (text and JSON). An ID
# given to endpoint add is used; one in use is refused (EEXIST, naming the
# endpoint that has it) and changes nothing; a deleted endpoint's ID is
# free again. 200 endpoints have 200 IDs, and after half of them are
# deleted each of the others' is still refused and each deleted one's is
# accepted (the kernel's set of IDs in use keeps up). save writes the IDs:
# save -> flush -> restore, and restore into a fresh namespace, keep them.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd jq python3
T0=$(_now_ms)
# el : the time since the start, for the logs.
el() {
	echo "at $(($(_now_ms) - T0)) ms"
}
load_vpce
pl_topology

tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"

vpcectl -j monitor >"$tmp/json" 2>"$tmp/json.err" &
defer kill $!
vpcectl monitor >"$tmp/text" 2>"$tmp/text.err" &
defer kill $!
wait_for 10 grep -q monitoring "$tmp/json.err" || fail "monitor -j did not start: $(cat "$tmp/json.err")"
wait_for 10 grep -q monitoring "$tmp/text.err" || fail "monitor did not start: $(cat "$tmp/text.err")"

pl_config

RE='^vpce-[0-9a-f]{17}$'
id_of() {
	vpcectl -j endpoint show "$1" | jq -r '.[0].id'
}

# --- the form, and two endpoints differ ---------------------------------------
ida=$(id_of epa)
idb=$(id_of epb)
[[ $ida =~ $RE ]] || fail "epa's ID '$ida' is not vpce- and 17 hex digits"
[[ $idb =~ $RE ]] || fail "epb's ID '$idb' is not vpce- and 17 hex digits"
[ "$ida" != "$idb" ] || fail "epa and epb have the same ID $ida"
log "epa $ida, epb $idb ($(el))"

# --- shown the same everywhere ------------------------------------------------
vpcectl endpoint show epa | grep -q "^endpoint epa id $ida vpc A service svc " ||
	fail "endpoint show: $(vpcectl endpoint show epa)"
vpcectl connection show svc | grep -q "^connection epb id $idb service svc vpc B " ||
	fail "connection show: $(vpcectl connection show svc)"
[ "$(vpcectl -j connection show svc | jq -r '.[] | select(.name == "epa") | .id')" = "$ida" ] ||
	fail "connection show -j: $(vpcectl -j connection show svc)"
vpcectl stats show endpoint epa | grep -q "^endpoint epa id $ida vpc A service svc$" ||
	fail "stats show: $(vpcectl stats show endpoint epa)"
[ "$(vpcectl -j stats show endpoint epa | jq -r '.[] | select(.object == "endpoint") | .id')" = "$ida" ] ||
	fail "stats show -j: $(vpcectl -j stats show endpoint epa)"

# A live TCP flow through each endpoint.
held_start vpca "$tmp/ha" "$EP_ADDR" 80 --sport 41000 --tag a
held_start vpcb "$tmp/hb" "$EP_ADDR" 80 --sport 41000 --tag b
flows_ok() {
	vpcectl -j flow show endpoint "$1" | jq -e --arg id "$2" \
		'[.[] | select(.client_port == 41000 and .state == "established")] |
		 length == 1 and all(.endpoint_id == $id)' >/dev/null
}
flows_ok epa "$ida" || fail "epa's flow: $(vpcectl -j flow show endpoint epa)"
flows_ok epb "$idb" || fail "epb's flow: $(vpcectl -j flow show endpoint epb)"
[ "$(vpcectl -j flow show | jq -r '.[].endpoint_id' | sort -u | wc -l)" -eq 2 ] ||
	fail "flow show lists other IDs: $(vpcectl -j flow show)"
vpcectl flow show endpoint epa | grep -q "^tcp 10.0.0.2:41000 -> $EP_ADDR:80 endpoint epa endpoint-id $ida vpc A service svc " ||
	fail "flow show (text): $(vpcectl flow show endpoint epa)"
log "flow show: $(vpcectl flow show endpoint epa | head -n 1)"

# --- a given ID; one in use; a freed one ----------------------------------------
GIVEN=vpce-0123456789abcdef0
must vpcectl endpoint add epc vpc A service svc addr 10.0.0.101 id "$GIVEN"
[ "$(id_of epc)" = "$GIVEN" ] || fail "epc has $(id_of epc), not the given $GIVEN"
vpcectl endpoint show epc | grep -q "^endpoint epc id $GIVEN " ||
	fail "endpoint show epc: $(vpcectl endpoint show epc)"

vpcectl save >"$tmp/before" || fail "save"
out=$(vpcectl endpoint add epd vpc B service svc addr 10.0.0.102 id "$ida" 2>&1) &&
	fail "an ID in use was accepted"
grep -q "^vpcectl: endpoint epa has the ID $ida already" <<<"$out" ||
	fail "refused with: $out"
out=$(vpcectl endpoint add epd vpc B service svc addr 10.0.0.102 id "$GIVEN" 2>&1) &&
	fail "an ID in use (given) was accepted"
grep -q "endpoint epc has the ID $GIVEN" <<<"$out" || fail "refused with: $out"
vpcectl save | cmp -s - "$tmp/before" || fail "a refused add changed the state"
log "an ID in use: $out ($(el))"

must vpcectl endpoint del epc
must vpcectl endpoint add epd vpc B service svc addr 10.0.0.102 id "$GIVEN"
[ "$(id_of epd)" = "$GIVEN" ] || fail "epd did not get the freed ID $GIVEN"

# --- events -------------------------------------------------------------------
# epc: requested, connected, deleted; epd: requested, connected.
ev_ok() {
	[ "$(jq -r 'select(.endpoint.name == "epa") | .endpoint.id' "$tmp/json" | sort -u)" = "$ida" ] &&
		[ "$(jq -r 'select(.endpoint.name == "epc") | .event' "$tmp/json" | tr '\n' ' ')" = "requested connected deleted " ] &&
		[ "$(jq -r 'select(.endpoint.name == "epc" or .endpoint.name == "epd") | .endpoint.id' "$tmp/json" | sort -u)" = "$GIVEN" ] &&
		grep -q "^deleted endpoint epc id $GIVEN vpc A service svc state " "$tmp/text" &&
		grep -q "^requested endpoint epb id $idb vpc B service svc state available$" "$tmp/text" &&
		grep -q "^connected endpoint epd id $GIVEN vpc B " "$tmp/text"
}
wait_for 10 ev_ok || fail "events: $(cat "$tmp/json") / $(cat "$tmp/text")"
log "events carry the IDs: $(grep -c . "$tmp/text") text events ($(el))"

# --- many: unique, and the set of IDs in use after deletes ----------------------
for i in $(seq 0 199); do
	echo "endpoint add m$i vpc A service svc addr 10.1.$((i / 200)).$((i % 200 + 1))"
done >"$tmp/many"
must vpcectl restore "$tmp/many"
vpcectl -j endpoint show | jq -r '.[].id' >"$tmp/ids"
[ "$(wc -l <"$tmp/ids")" -eq 203 ] || fail "$(wc -l <"$tmp/ids") IDs for 203 endpoints (epa, epb, epd, m0-m199)"
[ "$(grep -Ecv "$RE" "$tmp/ids")" -eq 0 ] || fail "malformed IDs: $(grep -Ev "$RE" "$tmp/ids")"
[ -z "$(sort "$tmp/ids" | uniq -d)" ] || fail "IDs given twice: $(sort "$tmp/ids" | uniq -d)"
declare -A mid
while read -r name id; do
	mid[${name#m}]=$id
done < <(vpcectl -j endpoint show | jq -r '.[] | select(.name | test("^m[0-9]+$")) | "\(.name) \(.id)"')
[ "${#mid[@]}" -eq 200 ] || fail "${#mid[@]} IDs of m0-m199"
for i in $(seq 0 2 199); do
	echo "endpoint del m$i"
done >"$tmp/del"
must vpcectl restore "$tmp/del"
start=$(_now_ms)
for i in $(seq 1 2 199); do
	vpcectl endpoint add x vpc B service svc addr 10.2.0.1 id "${mid[$i]}" >/dev/null 2>&1 &&
		fail "m$i's ID ${mid[$i]} was accepted again"
done
log "100 IDs in use refused in $(($(_now_ms) - start)) ms"
for i in $(seq 0 2 199); do
	echo "endpoint add n$i vpc B service svc addr 10.2.$((i / 200)).$((i % 200 + 1)) id ${mid[$i]}"
done >"$tmp/readd"
must vpcectl restore "$tmp/readd"
vpcectl -j endpoint show | jq -r '.[] | select(.name | test("^n[0-9]+$")) | "\(.name) \(.id)"' >"$tmp/n"
[ "$(wc -l <"$tmp/n")" -eq 100 ] || fail "$(wc -l <"$tmp/n") of n0-n198"
while read -r name id; do
	[ "$id" = "${mid[${name#n}]}" ] || fail "$name has $id, not ${mid[${name#n}]}"
done <"$tmp/n"
log "200 endpoints: 200 IDs; 100 deleted: the others' refused, theirs accepted again ($(el))"

# --- save / restore -------------------------------------------------------------
ids_map() {
	"$@" -j endpoint show | jq -S 'map({(.name): .id}) | add'
}
ids_map vpcectl >"$tmp/map1"
vpcectl save >"$tmp/s1" || fail "save"
[ "$(grep -c "^endpoint add .* id vpce-[0-9a-f]\{17\}\( \|$\)" "$tmp/s1")" -eq 203 ] ||
	fail "save does not write every ID: $(grep '^endpoint add' "$tmp/s1" | head -n 3)"
grep -q "^endpoint add epa .* id $ida\( \|$\)" "$tmp/s1" || fail "save: epa's ID"
must vpcectl flush
must vpcectl restore "$tmp/s1"
ids_map vpcectl >"$tmp/map2"
cmp -s "$tmp/map1" "$tmp/map2" || fail "IDs changed by save -> flush -> restore: $(diff "$tmp/map1" "$tmp/map2" | head)"
vpcectl save | cmp -s - "$tmp/s1" || fail "save -> flush -> restore -> save differs"
log "save -> flush -> restore: the same IDs ($(el))"

# Into a fresh namespace, with devices of the same names.
mk_ns fresh
ip -n fresh link add va type dummy || fail "dummy va"
ip -n fresh link add vb type dummy || fail "dummy vb"
must vpcectl -n fresh restore "$tmp/s1"
ids_map vpcectl -n fresh >"$tmp/map3"
cmp -s "$tmp/map1" "$tmp/map3" || fail "IDs differ in a fresh namespace: $(diff "$tmp/map1" "$tmp/map3" | head)"
# IDs are unique per namespace: the fresh one refuses its own in use ...
must_fail vpcectl -n fresh endpoint add y vpc A service svc addr 10.3.0.1 id "$ida"
# ... and a new endpoint of the fresh namespace gets a new one.
must vpcectl -n fresh endpoint add y vpc A service svc addr 10.3.0.1
idy=$(vpcectl -n fresh -j endpoint show y | jq -r '.[0].id')
[[ $idy =~ $RE ]] || fail "y's ID '$idy'"
grep -q "\"$idy\"" "$tmp/map3" && fail "y got an ID in use: $idy"
must vpcectl -n fresh flush
log "restore into a fresh namespace: the same IDs ($(el))"
exit 0
