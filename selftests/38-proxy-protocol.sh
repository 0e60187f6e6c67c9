#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PROXY protocol v2 (service set SVC proxy-protocol on|off, off by default).
# With it on, each new TCP flow's target gets, before any byte of the
# client's stream, a v2 header: PROXY, INET/INET6, STREAM; source the
# client's own address and port in its VPC, destination the endpoint
# address and listener port; one TLV 0xEA/0x01 with the endpoint ID.
#
# - service show (text, JSON) and save show the option; a bad value or
#   service is refused and changes nothing; save -> flush -> restore keeps it.
# - HAProxy (bind ... accept-proxy) and nginx (listen ... proxy_protocol) as
#   targets answer curl with the client's VPC address and port and the
#   endpoint address and listener port, IPv4 and IPv6, for two consumer
#   VPCs with the same CIDR (and a second client address in one of them).
# - pp2.py parse: every byte of the header (IPv4 and IPv6), the 0xEA/0x01
#   TLV equal to `endpoint show`'s ID, each endpoint its own.
# - A server-first target (pp2.py banner) writes its banner before it
#   reads: the first bytes it reads are still the header, and the client
#   reads the banner and gets its data echoed.
# - UDP listeners of the service: datagrams arrive unchanged.
# - A plain echo target (socat) gets the header while it is on (the
#   client's echo check fails) and only the data once it is off; a flow
#   opened while off and still open after it is turned on gets none.
# - Under tc netem loss 5%, 5 ms delay, 25% reordering and 1% duplication
#   on every veth, both ends, SACK on: many connections of random sizes
#   (pp2.py client) come back byte for byte, each with a good header whose
#   source port is the client's, IPv4 and IPv6, and again with a first
#   write of exactly one MSS; IPv4 in vpce's own flow table, then again
#   with conntrack=1 (IPv6 flows are conntrack's either way). `make
#   check` runs a short version (100 connections up to 256 KiB per run, 50
#   for the one-MSS runs); VPCE_PP_FULL=1 the full one (`make soak` sets
#   VPCE_SOAK=1, which implies it): 1000 connections up to 4 MiB each.
#   VPCE_PP_COUNT and VPCE_PP_MAX set the count and the largest size of
#   every run. A kernel without sch_netem (the debug kernel) runs them
#   without loss.
# - A client that sends its own header (another address, another
#   endpoint's ID) gets it to the target as data, after vpce's; also when
#   it sends it in its SYN (TCP Fast Open) to a target that takes SYN data:
#   vpce takes the data off the SYN (the target's Fast Open counter stays),
#   the client sends it again after the handshake, behind the header.
# - Keepalive probes of a client that has written nothing (at the SYN's
#   sequence number) are answered: the idle flow lives.
#
# timeout: 900
# soak-timeout: 3600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd socat curl jq python3 haproxy nginx tc nstat

FULL=${VPCE_PP_FULL:-${VPCE_SOAK:-0}}
if [ "$FULL" = 1 ]; then
	N=1000 MAX=4M MSSN=1000 CONC=16
else
	N=100 MAX=256K MSSN=50 CONC=8
fi
N=${VPCE_PP_COUNT:-$N} MSSN=${VPCE_PP_COUNT:-$MSSN} MAX=${VPCE_PP_MAX:-$MAX}
EP6_ADDR=fd00:a::100
NLB6=fd01::1
T4=192.168.1.10
T6=fd01::10
SIG=0d0a0d0a000d0a515549540a
T0=$(_now_ms)
el() {
	echo "at $(($(_now_ms) - T0)) ms"
}

modprobe sch_netem 2>/dev/null
# Without netem (the debug kernel has none) the streams run without loss.
have_netem=0
[ -d /sys/module/sch_netem ] && have_netem=1

tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"
chmod 755 "$tmp"

# --- topology: two VPCs with one CIDR (dual stack), one target ---------------
load_vpce
mk_ns vpca
mk_ns vpcb
mk_ns prov
mk_veth va vpca eth0 10.0.0.2/24
mk_veth vb vpcb eth0 10.0.0.2/24
mk_veth vprov prov eth0 "$T4/24" "$NLB/24"
_addr_add eth0 fd00:a::2/64 ip -n vpca || fail "fd00:a::2 in vpca"
_addr_add eth0 fd00:a::2/64 ip -n vpcb || fail "fd00:a::2 in vpcb"
ip -n vpcb addr add 10.0.0.3/24 dev eth0 || fail "10.0.0.3 in vpcb"
_addr_add eth0 "$T6/64" ip -n prov || fail "$T6 in prov"
_addr_add vprov "$NLB6/64" || fail "$NLB6 on vprov"

# The targets, one port each (listener tcp:8X -> 808X):
#   8080 HAProxy, 8081 nginx, 8082 pp2.py parse, 8083 pp2.py banner,
#   8084 socat echo, 8085 pp2.py banner --allow-none (flows that must not
#   get a header), 8086 pp2.py parse for the loss runs; 5353/udp id_server.
mkdir -p "$tmp/haproxy" "$tmp/nginx"
cat >"$tmp/haproxy/haproxy.cfg" <<EOF
global
	maxconn 256
	pidfile $tmp/haproxy/haproxy.pid
defaults
	mode http
	timeout connect 10s
	timeout client 60s
	timeout server 60s
frontend pp
	bind $T4:8080 accept-proxy
	bind [$T6]:8080 accept-proxy
	http-request return status 200 content-type text/plain lf-string "%[src]:%[src_port] %[dst]:%[dst_port]\n"
EOF
ip netns exec prov haproxy -db -f "$tmp/haproxy/haproxy.cfg" \
	>"$tmp/haproxy/log" 2>&1 </dev/null &
defer kill $!
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
user www-data;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen $T4:8081 proxy_protocol;
		listen [$T6]:8081 proxy_protocol;
		default_type text/plain;
		return 200 "\$proxy_protocol_addr:\$proxy_protocol_port \$proxy_protocol_server_addr:\$proxy_protocol_server_port\n";
	}
}
EOF
ip netns exec prov nginx -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" \
	-e "$tmp/nginx/error.log" >"$tmp/nginx/log" 2>&1 </dev/null &
defer kill $!
pp2() {
	ip netns exec prov python3 "$SELFTESTS/pp2.py" "$@" </dev/null &
	defer kill $!
}
pp2 parse 8082 --log "$tmp/parse.log"
pp2 banner 8083 --log "$tmp/banner.log"
pp2 banner 8085 --allow-none --log "$tmp/none.log"
pp2 parse 8086 --log "$tmp/stress.log"
# A target that takes data in a SYN (TCP Fast Open, no cookie needed).
ip netns exec prov sysctl -qw net.ipv4.tcp_fastopen=0x202 || fail "tcp_fastopen in prov"
pp2 parse 8087 --fastopen --allow-none --log "$tmp/tfo.log"
ip netns exec prov socat TCP6-LISTEN:8084,ipv6only=0,reuseaddr,fork PIPE </dev/null &
defer kill $!
ip netns exec prov python3 "$SELFTESTS/id_server.py" --udp u10 5353 </dev/null &
defer kill $!
for p in 8080 8081 8082 8083 8084 8085 8086 8087; do
	wait_for 30 ns_listening prov $p ||
		fail "no target on port $p: $(cat "$tmp/haproxy/log" "$tmp/nginx/log" "$tmp/nginx/error.log" 2>&1)"
done
wait_for 30 ns_listening prov 5353 udp || fail "no UDP target on port 5353"
log "targets up ($(el))"

must vpcectl vpc add A account 111111111111 dev va
must vpcectl vpc add B account 222222222222 dev vb
listeners=()
for p in 0 1 2 3 4 5 6 7; do
	listeners+=(listener "tcp:8$p:808$p")
done
must vpcectl service add pp account 333333333333 "${listeners[@]}" \
	listener udp:53:5353 nlb "$NLB" nlb "$NLB6"
must vpcectl service allow pp principal 111111111111
must vpcectl service allow pp principal 222222222222
must vpcectl target add pp "$T4"
must vpcectl target add pp "$T6"
must vpcectl endpoint add epa vpc A service pp addr "$EP_ADDR" addr "$EP6_ADDR"
must vpcectl endpoint add epb vpc B service pp addr "$EP_ADDR" addr "$EP6_ADDR"
ida=$(vpcectl -j endpoint show epa | jq -r '.[0].id')
idb=$(vpcectl -j endpoint show epb | jq -r '.[0].id')
[[ $ida =~ ^vpce-[0-9a-f]{17}$ && $idb =~ ^vpce-[0-9a-f]{17}$ && $ida != "$idb" ]] ||
	fail "endpoint IDs '$ida' '$idb'"
log "epa $ida, epb $idb"

# pp_state on|off : service show (text and JSON) and save say so.
pp_state() {
	local want=$1 json=false
	[ "$want" = on ] && json=true
	vpcectl service show pp | grep -Eq "(^| )proxy-protocol $want( |$)" ||
		fail "service show does not say proxy-protocol $want: $(vpcectl service show pp)"
	vpcectl -j service show pp | jq -e --argjson v "$json" \
		'.[] | select(.name == "pp") | .proxy_protocol == $v' >/dev/null ||
		fail "service show -j: proxy_protocol is not $json: $(vpcectl -j service show pp)"
	if [ "$want" = on ]; then
		vpcectl save | grep -Eq "^service (add|set) pp .*proxy-protocol on( |$)" ||
			fail "save does not write proxy-protocol on: $(vpcectl save | grep '^service')"
	else
		vpcectl save | grep -q "proxy-protocol on" &&
			fail "save writes proxy-protocol on while it is off: $(vpcectl save | grep '^service')"
	fi
}

# hdr_ok LOG SPORT FAMILY SRC DST DPORT ID PEER : LOG has exactly one
# header from SPORT, with these fields and nothing else, its first bytes
# the signature, version/command, family and length.
hdr_ok() {
	local fam_byte=11 len=0026
	[ "$3" = 6 ] && fam_byte=21 len=003e
	jq -se --argjson sp "$2" --argjson fam "$3" --arg src "$4" --arg dst "$5" \
		--argjson dp "$6" --arg id "$7" --arg peer "$8" \
		--arg first "${SIG}21$fam_byte$len" --argjson len $((16#$len)) \
		'[.[] | select(.event == "header" and .sport == $sp)] |
		 length == 1 and (.[0] | .header == true and .error == null and
		   .family == $fam and .src == $src and .dst == $dst and
		   .dport == $dp and .endpoint_id == $id and .peer == $peer and
		   .length == $len and .first == $first)' "$1" >/dev/null
}

# no_errors LOG : no event in LOG has an error.
no_errors() {
	! jq -e 'select(.error != null)' "$1" >/dev/null 2>&1
}

# --- off by default; bad input --------------------------------------------------
pp_state off
vpcectl save >"$tmp/save.off" || fail "save"
must_fail vpcectl service set pp proxy-protocol maybe
must_fail vpcectl service set pp proxy-protocol
must_fail vpcectl service set nosuch proxy-protocol on
vpcectl save | cmp -s - "$tmp/save.off" || fail "a refused service set changed the state"

# While off: a new flow gets no header, and one stays open (held) across
# turning it on.
held_start vpca "$tmp/held" "$EP_ADDR" 85 --sport 40850 --tag held
[ "$(cat "$tmp/held/greeting")" = HELLO ] || fail "held: greeting '$(cat "$tmp/held/greeting")'"
[ "$(held_ping "$tmp/held" 1)" = "ok held 1" ] || fail "held flow does not echo while off"
wait_for 10 jq -se '[.[] | select(.event == "header" and .header == false)] | length == 1' \
	"$tmp/none.log" || fail "the flow opened while off: $(cat "$tmp/none.log")"
out=$(ip netns exec vpca python3 "$SELFTESTS/pp2.py" client "$EP_ADDR" 84 --count 3 --max-size 64K 2>&1) ||
	fail "plain echo target while off: $out"
log "off: $out"

# --- on ---------------------------------------------------------------------------
must vpcectl service set pp proxy-protocol on
pp_state on
log "proxy-protocol on ($(el))"

# The held flow opened while off: still no header, its stream unchanged.
[ "$(held_ping "$tmp/held" 2)" = "ok held 2" ] || fail "held flow after turning it on: $(cat "$tmp/held/pong.2")"
jq -se '[.[] | select(.event == "header")] | length == 1 and .[0].header == false' \
	"$tmp/none.log" >/dev/null || fail "the held flow got a header: $(cat "$tmp/none.log")"
# A new flow to the same target gets one ...
printf 'after\n' | ip netns exec vpca socat -t 5 -T 10 - "TCP:$EP_ADDR:85,sourceport=40851,connect-timeout=5" \
	>"$tmp/after" 2>&1 || fail "new flow to 85: $(cat "$tmp/after")"
grep -qx after "$tmp/after" || fail "new flow to 85 got '$(cat "$tmp/after")'"
wait_for 10 hdr_ok "$tmp/none.log" 40851 4 10.0.0.2 "$EP_ADDR" 85 "$ida" "$NLB" ||
	fail "new flow after turning it on: $(cat "$tmp/none.log")"
# ... and a plain echo target sees it: the client's stream comes back
# longer than it sent, starting with the signature.
out=$(ip netns exec vpca python3 "$SELFTESTS/pp2.py" client "$EP_ADDR" 84 --count 1 --max-size 1K 2>&1) &&
	fail "a plain echo target got no header: $out"
grep -q "got $SIG" <<<"$out" || fail "plain echo target, on: $out"
log "plain echo target, on: $(grep -o 'byte.*' <<<"$out" | head -n 1)"

# HAProxy and nginx: the client's VPC address and port, the endpoint
# address and listener port; two VPCs, one CIDR.
# curl_pp NS PORT SPORT URLADDR [curl OPTIONS...] : the answer's body.
curl_pp() {
	local ns=$1 port=$2 sport=$3 addr=$4
	shift 4
	ip netns exec "$ns" curl -sS -m 20 -g --local-port "$sport" "$@" "http://$addr:$port/"
}
for srv in 80:HAProxy 81:nginx; do
	port=${srv%%:*} name=${srv#*:}
	for c in "vpca 0 10.0.0.2 $EP_ADDR" "vpcb 1 10.0.0.2 $EP_ADDR" \
		"vpcb 2 10.0.0.3 $EP_ADDR --interface 10.0.0.3" \
		"vpca 3 fd00:a::2 [$EP6_ADDR]" "vpcb 4 fd00:a::2 [$EP6_ADDR]"; do
		read -r ns k src addr opts <<<"$c"
		sport=$((41000 + port * 10 + k))
		# shellcheck disable=SC2086 # opts: words
		out=$(curl_pp "$ns" "$port" "$sport" "$addr" $opts 2>&1) || fail "$name from $ns ($src): $out"
		want="$src:$sport ${addr//[][]/}:$port"
		[ "$out" = "$want" ] || fail "$name from $ns ($src:$sport): '$out', expected '$want'"
	done
	log "$name: $out ... (5 clients, each its own address and port)"
done

# pp2.py parse: every byte, IPv4 and IPv6, each endpoint's own ID.
for c in "vpca 42000 4 10.0.0.2 $EP_ADDR $ida" "vpcb 42010 4 10.0.0.2 $EP_ADDR $idb" \
	"vpca 42020 6 fd00:a::2 $EP6_ADDR $ida" "vpcb 42030 6 fd00:a::2 $EP6_ADDR $idb"; do
	read -r ns base fam src addr id <<<"$c"
	peer=$NLB
	[ "$fam" = 6 ] && peer=$NLB6
	out=$(ip netns exec "$ns" python3 "$SELFTESTS/pp2.py" client "$addr" 82 \
		--count 3 --max-size 300K --sport-base "$base" 2>&1) || fail "parse target from $ns to $addr: $out"
	for i in 0 1 2; do
		wait_for 10 hdr_ok "$tmp/parse.log" $((base + i)) "$fam" "$src" "$addr" 82 "$id" "$peer" ||
			fail "header from $ns $src:$((base + i)): $(grep "\"sport\": $((base + i))" "$tmp/parse.log")"
	done
done
# A client's own header (another address, another endpoint's ID) is data:
# the target reads vpce's header first, and gets the client's back in the
# echo as the client sent it.
out=$(ip netns exec vpcb python3 "$SELFTESTS/pp2.py" client "$EP_ADDR" 82 \
	--count 2 --max-size 1K --sport-base 42100 --forge 2>&1) || fail "a forged header: $out"
for sport in 42100 42101; do
	wait_for 10 hdr_ok "$tmp/parse.log" $sport 4 10.0.0.2 "$EP_ADDR" 82 "$idb" "$NLB" ||
		fail "a client's own header was taken: $(grep "\"sport\": $sport" "$tmp/parse.log")"
done
grep -q 00000000000000bad "$tmp/parse.log" && fail "the forged ID reached the parser as a header"

# TCP Fast Open: a client's forged header in its SYN's data. The target
# takes SYN data (TcpExtTCPFastOpenPassive counts it: shown with the
# header off first, so that this part can fail); with the header on vpce
# takes the data off the SYN, and the header comes first.
tfo_passive() {
	ip netns exec prov nstat -az TcpExtTCPFastOpenPassive | awk '/TcpExt/ { print $2 }'
}
ip netns exec vpcb sysctl -qw net.ipv4.tcp_fastopen=5 || fail "tcp_fastopen in vpcb"
must vpcectl service set pp proxy-protocol off
p0=$(tfo_passive)
out=$(ip netns exec vpcb python3 "$SELFTESTS/pp2.py" client "$EP_ADDR" 87 \
	--count 1 --max-size 1K --sport-base 42200 --fastopen 2>&1) || fail "Fast Open, header off: $out"
p1=$(tfo_passive)
[ "$p1" -gt "$p0" ] || fail "the target took no Fast Open data with the header off ($p0 -> $p1): the check below could not fail"
must vpcectl service set pp proxy-protocol on
for fam in 4 6; do
	addr=$EP_ADDR peer=$NLB base=42210
	[ "$fam" = 6 ] && addr=$EP6_ADDR peer=$NLB6 base=42220
	out=$(ip netns exec vpcb python3 "$SELFTESTS/pp2.py" client "$addr" 87 \
		--count 2 --max-size 1K --sport-base $base --fastopen --forge 2>&1) ||
		fail "Fast Open with a forged header to $addr: $out"
	src=10.0.0.2
	[ "$fam" = 6 ] && src=fd00:a::2
	for sport in $base $((base + 1)); do
		wait_for 10 hdr_ok "$tmp/tfo.log" $sport "$fam" "$src" "$addr" 87 "$idb" "$peer" ||
			fail "Fast Open: no header first from $sport: $(cat "$tmp/tfo.log")"
	done
done
[ "$(tfo_passive)" = "$p1" ] || fail "the target took SYN data with the header on"
grep -q 00000000000000bad "$tmp/tfo.log" && fail "a forged ID in a SYN reached the parser as a header"
log "Fast Open: SYN data taken off, the header first ($(el))"

# Keepalive on a flow whose client has written nothing: Linux probes with
# the byte before the first (the SYN's sequence number), which must reach
# the target unmoved and be answered (a probe dropped as reaching into the
# header's place would have the client's kernel end the flow after 1 s
# idle and 3 unanswered probes); then the flow still carries data.
out=$(ip netns exec vpca python3 - "$EP_ADDR" 82 <<'PY' 2>&1
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
time.sleep(8)    # idle: at least 4 probes' worth, each answered
s.sendall(b'still here')
print(s.recv(100).decode())
PY
) || fail "keepalive: the idle flow did not survive its probes: $out"
[ "$out" = "still here" ] || fail "keepalive: echo '$out'"
log "keepalive: probes answered, the idle flow lives ($(el))"
no_errors "$tmp/parse.log" || fail "parse target errors: $(jq -c 'select(.error != null)' "$tmp/parse.log")"
log "parse: $(jq -c 'select(.event == "header")' "$tmp/parse.log" | tail -n 1)"

# Server-first: the banner reaches the client, and the first bytes the
# target reads are the header.
held_start vpca "$tmp/b4" "$EP_ADDR" 83 --sport 43000 --tag b4
held_start vpcb "$tmp/b6" "$EP6_ADDR" 83 --sport 43001 --tag b6
for b in b4 b6; do
	[ "$(cat "$tmp/$b/greeting")" = HELLO ] || fail "$b: greeting '$(cat "$tmp/$b/greeting")'"
	[ "$(held_ping "$tmp/$b" 1)" = "ok $b 1" ] || fail "$b: $(cat "$tmp/$b/pong.1")"
done
hdr_ok "$tmp/banner.log" 43000 4 10.0.0.2 "$EP_ADDR" 83 "$ida" "$NLB" ||
	fail "banner target, IPv4: $(cat "$tmp/banner.log")"
hdr_ok "$tmp/banner.log" 43001 6 fd00:a::2 "$EP6_ADDR" 83 "$idb" "$NLB6" ||
	fail "banner target, IPv6: $(cat "$tmp/banner.log")"
touch "$tmp/b4/stop" "$tmp/b6/stop"
log "banner: $(jq -c 'select(.event == "header")' "$tmp/banner.log" | tail -n 1)"

# UDP listeners: no header, the datagram as sent.
for c in "vpca $EP_ADDR $NLB" "vpcb $EP6_ADDR $NLB6"; do
	read -r ns addr peer <<<"$c"
	out=$(udp_query "$ns" "$addr" 53 "udp-$ns") || fail "UDP from $ns to $addr: no answer"
	[ "$out" = "u10 $peer udp-$ns" ] || fail "UDP from $ns to $addr: '$out'"
done
log "UDP: $out"

# --- off again --------------------------------------------------------------------
must vpcectl service set pp proxy-protocol off
pp_state off
out=$(ip netns exec vpcb python3 "$SELFTESTS/pp2.py" client "$EP6_ADDR" 84 --count 3 --max-size 64K 2>&1) ||
	fail "plain echo target after turning it off: $out"
printf 'off\n' | ip netns exec vpca socat -t 5 -T 10 - "TCP:$EP_ADDR:85,sourceport=40852,connect-timeout=5" \
	>"$tmp/off" 2>&1 || fail "new flow to 85 after off: $(cat "$tmp/off")"
wait_for 10 jq -se '[.[] | select(.event == "header" and .header == false)] | length == 2' \
	"$tmp/none.log" || fail "a new flow after turning it off got a header: $(cat "$tmp/none.log")"
no_errors "$tmp/none.log" || fail "errors: $(cat "$tmp/none.log")"
touch "$tmp/held/stop"
log "off: new flows get no header ($(el))"

# --- save -> flush -> restore keeps it ----------------------------------------------
must vpcectl service set pp proxy-protocol on
vpcectl save >"$tmp/save.on" || fail "save"
must vpcectl flush
must vpcectl restore "$tmp/save.on"
pp_state on
vpcectl save | cmp -s - "$tmp/save.on" || fail "save -> flush -> restore -> save differs"
[ "$(vpcectl -j endpoint show epa | jq -r '.[0].id')" = "$ida" ] || fail "epa's ID changed by restore"

# --- under loss -------------------------------------------------------------------
for ns in vpca prov; do
	[ "$(ip netns exec "$ns" sysctl -n net.ipv4.tcp_sack)" = 1 ] || fail "SACK off in $ns"
done
NETEM="loss 5% delay 5ms reorder 25% 50% duplicate 1%"
[ "$have_netem" = 1 ] || log "no sch_netem in this kernel: the streams run without loss"
for dev in va vprov "vpca eth0" "prov eth0"; do
	[ "$have_netem" = 1 ] || break
	read -r a b <<<"$dev"
	if [ -n "$b" ]; then
		# shellcheck disable=SC2086 # NETEM: words
		ip netns exec "$a" tc qdisc add dev "$b" root netem $NETEM || fail "netem on $a:$b"
	else
		# shellcheck disable=SC2086
		tc qdisc add dev "$a" root netem $NETEM || fail "netem on $a"
	fi
done
[ "$have_netem" = 0 ] || log "netem $NETEM on va, vprov, vpca:eth0, prov:eth0"

# closed NAME BEFORE COUNT : the stress target's log from line BEFORE + 1
# on (in NAME.server) has COUNT ends of connections.
closed() {
	tail -n +$(($2 + 1)) "$tmp/stress.log" >"$tmp/$1.server"
	[ "$(grep -c '"event": "close"' "$tmp/$1.server")" -eq "$3" ]
}

# stress NAME ADDR FAMILY SRC COUNT [pp2.py client OPTIONS...] : COUNT
# connections from vpca through epa; every one whole, every one with one
# good header from its own source port.
stress() {
	local name=$1 addr=$2 fam=$3 src=$4 count=$5 before out peer=$NLB
	shift 5
	[ "$fam" = 6 ] && peer=$NLB6
	before=$(wc -l <"$tmp/stress.log")
	out=$(ip netns exec vpca python3 "$SELFTESTS/pp2.py" client "$addr" 86 \
		--count "$count" --max-size "$MAX" --concurrency "$CONC" --seed "$name" \
		--log "$tmp/$name.client" "$@" 2>&1) || {
		tail -n +$((before + 1)) "$tmp/stress.log" >"$tmp/$name.server"
		log "clients that failed: $(jq -c 'select(.result != "ok")' "$tmp/$name.client" | head -n 5)"
		log "the target's errors: $(jq -c 'select(.error != null)' "$tmp/$name.server" | head -n 5)"
		for sp in $(jq -r 'select(.result != "ok") | .sport' "$tmp/$name.client" | head -n 5); do
			log "the target on port $sp: $(jq -c --argjson sp "$sp" 'select(.sport == $sp)' "$tmp/$name.server")"
		done
		log "$(vpcectl endpoint show epa)"
		log "$(vpcectl stats show service pp 2>&1 | head -n 20)"
		# Who sent the resets: the client's kernel, the target's, or vpce.
		log "TcpOutRsts: vpca $(ip netns exec vpca nstat -asz TcpOutRsts | awk 'NR > 1 { print $2 }')," \
			"prov $(ip netns exec prov nstat -asz TcpOutRsts | awk 'NR > 1 { print $2 }');" \
			"conntrack: $(conntrack -S 2>/dev/null | grep -o 'invalid=[0-9]*' | paste -sd+ | sed 's/invalid=//g' | bc) invalid"
		fail "$name: $out"
	}
	log "$name: $out ($(el))"
	# The target logs a connection's end after the client has read it.
	wait_for 30 closed "$name" "$before" "$count" ||
		fail "$name: the target logged the end of $(grep -c '"close"' "$tmp/$name.server") of $count connections"
	no_errors "$tmp/$name.server" ||
		fail "$name: target errors: $(jq -c 'select(.error != null)' "$tmp/$name.server" | head -n 5)"
	jq -se --arg src "$src" --arg dst "$addr" --argjson fam "$fam" --arg id "$ida" \
		--arg peer "$peer" \
		'[.[] | select(.event == "header")] | length > 0 and
		 all(.header == true and .family == $fam and .src == $src and
		     .dst == $dst and .dport == 86 and .endpoint_id == $id and
		     .peer == $peer)' "$tmp/$name.server" >/dev/null ||
		fail "$name: a header with other fields: $(jq -c 'select(.event == "header")' "$tmp/$name.server" | head -n 3)"
	cmp -s <(jq -r 'select(.event == "header") | .sport' "$tmp/$name.server" | sort -n) \
		<(jq -r '.sport' "$tmp/$name.client" | sort -n) ||
		fail "$name: the headers' source ports are not the clients'"
	# The target echoed exactly what the clients sent.
	[ "$(jq -s 'map(select(.event == "close") | .bytes) | add' "$tmp/$name.server")" = \
		"$(jq -s 'map(.size) | add' "$tmp/$name.client")" ] ||
		fail "$name: the target echoed another number of bytes than the clients sent"
}
stress loss4 "$EP_ADDR" 4 10.0.0.2 "$N"
stress loss6 "$EP6_ADDR" 6 fd00:a::2 "$N"
stress mss4 "$EP_ADDR" 4 10.0.0.2 "$MSSN" --mss-first
stress mss6 "$EP6_ADDR" 6 fd00:a::2 "$MSSN" --mss-first
mss=$(jq -r '.mss' "$tmp/mss4.client" | sort -u | tr '\n' ' ')
log "first writes of one MSS: $mss(IPv4), $(jq -r '.mss' "$tmp/mss6.client" | sort -u | tr '\n' ' ')(IPv6)"

# IPv4 flows in conntrack's path too (IPv6 flows always are): the module
# again with conntrack=1, the same configuration restored.
load_vpce conntrack=1
must vpcectl restore "$tmp/save.on"
pp_state on
stress ct4 "$EP_ADDR" 4 10.0.0.2 "$N"
stress ctmss4 "$EP_ADDR" 4 10.0.0.2 "$MSSN" --mss-first
exit 0
