#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SYN flood (hping3 --flood, random sources) at the endpoint from VPC A
# while a legitimate client in VPC B keeps connecting to the same endpoint
# address: at least 90% of its connections must succeed during the flood
# (vpce's flow table, which holds nf_conntrack_max flows, overflows and
# vpce early-drops the flood's unanswered flows, as conntrack does with its
# unassured entries; the targets answer with syncookies), the flood must
# really have reached vpce (its counter), and afterwards VPC A connects
# normally again, although the flood's flows have not timed out yet.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd hping3 python3
FLOOD_SECS=${VPCE_FLOOD_SECS:-15}
# As fast as hping3 goes; on the debug kernel (KASAN makes every packet
# several times dearer) that would starve the legitimate client of CPU, not
# of conntrack or vpce, so there 1000 SYNs a second.
# There everything is slow: a longer flood, fewer connections required.
MIN_CONNS=5
if [ "${VPCE_TIMEOUT_SCALE:-1}" -gt 1 ]; then
	FLOOD_RATE=${VPCE_FLOOD_RATE:--i u1000}
	FLOOD_SECS=${VPCE_FLOOD_SECS:-30}
	MIN_CONNS=2
else
	FLOOD_RATE=${VPCE_FLOOD_RATE:---flood}
fi

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
ip netns exec prov sysctl -qw net.ipv4.tcp_syncookies=1

# A table the flood overflows within seconds: new legitimate flows then
# only get in because the flood's unanswered flows are dropped early. For
# conntrack (IPv6, conntrack=1), four entries per hash bucket, as on a host
# sized for its table: early drop looks at a few buckets only, and with the
# default buckets and a lowered limit most of them would be empty. (vpce's
# table sizes its buckets itself.)
max=$(sysctl -n net.netfilter.nf_conntrack_max)
buckets=$(sysctl -n net.netfilter.nf_conntrack_buckets)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
defer sysctl -qw "net.netfilter.nf_conntrack_buckets=$buckets"
sysctl -qw net.netfilter.nf_conntrack_buckets=2048
sysctl -qw net.netfilter.nf_conntrack_max=8192

# The legitimate client runs first (its start-up must not eat the flood's
# time); only its connections made while the flood runs count.
ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 100000 \
	--timeout 3 >"$tmp/legit.out" 2>&1 &
legit=$!
defer kill $legit
wait_for 20 grep -q '^srv' "$tmp/legit.out" || fail "the legitimate client does not get through before the flood"

n0=$(ep_stat epa new-connections)
ip netns exec vpca timeout "$FLOOD_SECS" hping3 -q -S -p 80 $FLOOD_RATE --rand-source \
	"$EP_ADDR" >"$tmp/hping.out" 2>&1 &
flood=$!
defer kill $flood
# The flood has started once vpce counts flows it did not get from us.
wait_for 10 eval '[ "$(ep_stat epa new-connections)" -gt $((n0 + 100)) ]' ||
	fail "the flood does not reach the endpoint: $(cat "$tmp/hping.out")"
skip_lines=$(wc -l <"$tmp/legit.out")
wait $flood
kill $legit 2>/dev/null
wait $legit 2>/dev/null
tail -n +"$((skip_lines + 1))" "$tmp/legit.out" | grep -v '^$' >"$tmp/during.out"

n1=$(ep_stat epa new-connections)
log "conntrack: $(conntrack -C) entries; $(conntrack -S | grep -o ' \(drop\|early_drop\|insert_failed\)=[0-9]*' | sort | awk -F= '{ s[$1] += $2 } END { for (k in s) printf "%s=%d ", k, s[k] }')"
log "legitimate client errors: $(grep -v '^srv' "$tmp/during.out" | sort | uniq -c | head -n 3 | tr -s ' \n' ' ')"
total=$(wc -l <"$tmp/during.out")
good=$(grep -c '^srv' "$tmp/during.out")
log "flood: $((n1 - n0)) new flows counted on epa in ${FLOOD_SECS}s; legitimate client: $good of $total connections succeeded"
[ "$total" -ge "$MIN_CONNS" ] || fail "the legitimate client made only $total connections"
[ $((good * 100)) -ge $((total * 90)) ] ||
	fail "only $good of $total legitimate connections succeeded during the flood: $(grep -v '^srv' "$tmp/during.out" | sort | uniq -c | head -n 3)"

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "VPC A cannot connect after the flood"
log "after the flood: $out"
exit 0
