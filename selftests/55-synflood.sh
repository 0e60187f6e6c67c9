#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SYN flood (hping3 --flood, random sources) at the endpoint from VPC A
# while a legitimate client in VPC B keeps connecting to the same endpoint
# address: at least 90% of its connections must succeed during the flood
# (the table overflows; conntrack early-drops the flood's unassured entries
# and the targets answer with syncookies), the flood must really have reached vpce (its counter),
# and afterwards VPC A connects normally again.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd hping3 python3
FLOOD_SECS=${VPCE_FLOOD_SECS:-15}
FLOOD_RATE=${VPCE_FLOOD_RATE:---flood}

pl_setup
tmp=$(mktemp -d)
defer rm -rf "$tmp"
ip netns exec prov sysctl -qw net.ipv4.tcp_syncookies=1

# A table the flood overflows within seconds: new legitimate flows then
# only get in because conntrack early-drops the flood's unassured entries.
# Four entries per hash bucket, as on a host sized for its table: early
# drop looks at a few buckets only, and with the default buckets and a
# lowered limit most of them would be empty.
max=$(sysctl -n net.netfilter.nf_conntrack_max)
buckets=$(sysctl -n net.netfilter.nf_conntrack_buckets)
defer sysctl -qw "net.netfilter.nf_conntrack_max=$max"
defer sysctl -qw "net.netfilter.nf_conntrack_buckets=$buckets"
sysctl -qw net.netfilter.nf_conntrack_buckets=2048
sysctl -qw net.netfilter.nf_conntrack_max=8192

n0=$(ep_stat epa new-connections)
ip netns exec vpca timeout "$FLOOD_SECS" hping3 -q -S -p 80 $FLOOD_RATE --rand-source \
	"$EP_ADDR" >"$tmp/hping.out" 2>&1 &
flood=$!
defer kill $flood
# The flood has started once vpce counts flows it did not get from us.
wait_for 10 eval '[ "$(ep_stat epa new-connections)" -gt $((n0 + 100)) ]' ||
	fail "the flood does not reach the endpoint: $(cat "$tmp/hping.out")"

ip netns exec vpcb python3 "$SELFTESTS/id_client.py" "$EP_ADDR" 80 --count 100000 \
	--timeout 3 >"$tmp/legit.out" 2>&1 &
legit=$!
defer kill $legit
wait $flood
kill $legit 2>/dev/null
wait $legit 2>/dev/null

n1=$(ep_stat epa new-connections)
log "conntrack: $(conntrack -C) entries; $(conntrack -S | grep -o ' \(drop\|early_drop\|insert_failed\)=[0-9]*' | sort | awk -F= '{ s[$1] += $2 } END { for (k in s) printf "%s=%d ", k, s[k] }')"
log "legitimate client errors: $(grep -v '^srv' "$tmp/legit.out" | sort | uniq -c | head -n 3 | tr -s ' \n' ' ')"
total=$(wc -l <"$tmp/legit.out")
good=$(grep -c '^srv' "$tmp/legit.out")
log "flood: $((n1 - n0)) new flows counted on epa in ${FLOOD_SECS}s; legitimate client: $good of $total connections succeeded"
[ "$total" -ge 5 ] || fail "the legitimate client made only $total connections"
[ $((good * 100)) -ge $((total * 90)) ] ||
	fail "only $good of $total legitimate connections succeeded during the flood: $(grep -v '^srv' "$tmp/legit.out" | sort | uniq -c | head -n 3)"

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "VPC A cannot connect after the flood"
log "after the flood: $out"
exit 0
