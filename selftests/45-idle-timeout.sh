#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idle timeouts: a service's flows carry its idle timeout (TCP: 350 s by
# default, "service set ... idle-timeout"; UDP: 120 s), a change applies to
# live flows from their next packet, and a packet of a TCP flow that is
# gone (forgotten with "vpcectl flow flush", or expired after the idle
# timeout for real) gets a reset, with nf_conntrack_tcp_loose on (the
# default: conntrack makes a new entry that vpce refuses) and off (conntrack
# tracks nothing: vpce checks there is no flow).

# timeout: 400
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd jq python3
pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"

held_start vpca "$tmp/a" "$EP_ADDR" 80 --sport 44001 --tag a
[ "$(held_ping "$tmp/a" 1)" = "ok a 1" ] || fail "held connection a"
between "TCP, default idle timeout (350)" "$(flow_expires tcp 44001)" 340 350

must vpcectl service set svc idle-timeout 60
vpcectl service show svc | grep -q 'idle-timeout 60' || fail "not shown"
[ "$(held_ping "$tmp/a" 2)" = "ok a 2" ] || fail "held connection a"
between "TCP, live flow after idle-timeout 60" "$(flow_expires tcp 44001)" 50 60

out=$(ns_query vpca "$EP_ADDR" 53 --udp --sport 44053) || fail "UDP: $out"
between "UDP (120)" "$(flow_expires udp 44053)" 110 120

# A flow that is gone: a reset on its next packet. (Flows b and c are VPC
# B's, so that forgetting epb's flows leaves a alone.)
stale=$(ep_stat epb reset-stale)
held_start vpcb "$tmp/b" "$EP_ADDR" 80 --sport 44002 --tag b
[ "$(held_ping "$tmp/b" 1)" = "ok b 1" ] || fail "held connection b"
must vpcectl flow flush endpoint epb
res=$(held_ping "$tmp/b" 2)
[[ $res == ERROR*reset* ]] || fail "forgotten flow, loose on: want a reset, got: $res"
log "flow forgotten, nf_conntrack_tcp_loose=1: $res"

loose=$(sysctl -n net.netfilter.nf_conntrack_tcp_loose)
defer sysctl -qw net.netfilter.nf_conntrack_tcp_loose="$loose"
held_start vpcb "$tmp/c" "$EP_ADDR" 80 --sport 44003 --tag c
[ "$(held_ping "$tmp/c" 1)" = "ok c 1" ] || fail "held connection c"
sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
# A live flow is not reset because loose is off.
[ "$(held_ping "$tmp/a" 3)" = "ok a 3" ] || fail "a live flow broke with loose off"
must vpcectl flow flush endpoint epb
res=$(held_ping "$tmp/c" 2)
[[ $res == ERROR*reset* ]] || fail "forgotten flow, loose off: want a reset, got: $res"
log "flow forgotten, nf_conntrack_tcp_loose=0: $res"
sysctl -qw net.netfilter.nf_conntrack_tcp_loose="$loose"
[ "$(ep_stat epb reset-stale)" -ge $((stale + 2)) ] ||
	fail "reset-stale did not count the two resets"

# For real: 60 s without a packet.
held_start vpca "$tmp/d" "$EP_ADDR" 80 --sport 44004 --tag d
[ "$(held_ping "$tmp/d" 1)" = "ok d 1" ] || fail "held connection d"
between "TCP, new flow with idle-timeout 60" "$(flow_expires tcp 44004)" 50 60
log "waiting 62 s for the flow to expire"
sleep 62
[ -z "$(flow_expires tcp 44004)" ] || fail "the flow outlived the idle timeout"
start=$EPOCHREALTIME
res=$(held_ping "$tmp/d" 2)
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $res == ERROR*reset* ]] || fail "expired flow: want a reset, got: $res"
log "expired flow, next packet: $res after ${took}s"
exit 0
