#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NDP responder against hand-made neighbour solicitations (ndp_probe.py
# sends raw frames from the client's side of VPC A's link): a valid one,
# to the solicited-node group or unicast without a source link-layer
# option, or behind a hop-by-hop header, gets a solicited advertisement
# from the endpoint address with the host device's MAC, hop limit 255 and
# a correct checksum; duplicate address detection gets an unsolicited one
# to all nodes; invalid ones (hop limit not 255, bad checksum, zero-length
# option, too short, ICMP code not 0, DAD with a link-layer option, wrong
# destination) and solicitations for other addresses or from another VPC's
# device get none; 2000 random mutations crash nothing (the runner checks
# the kernel log) and the responder still answers after them.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"
. "$(dirname "$0")/privatelink6.sh"

need_cmd python3
pl6_setup
must vpcectl endpoint del epb

va=$(cat /sys/class/net/va/address)
probe() {
	ip netns exec "$1" python3 "$SELFTESTS/ndp_probe.py" eth0 "$2" fd00:a::2 "$3" "${@:4}"
}

out=$(probe vpca "$EP6_ADDR" "$va" valid unicast hopbyhop dad hoplimit64 badcsum \
	zerolenopt short code1 dadlladdr wrongdst) || fail "ndp_probe: $out"
log "$out"
want() {
	grep -qx "$1" <<<"$out" || fail "expected '$1', got: $(grep "^${1%% *} " <<<"$out")"
}
for c in valid unicast hopbyhop; do
	want "$c na src=$EP6_ADDR dst=fd00:a::2 hlim=255 S=1 O=1 R=0 tlla=$va csum=ok"
done
want "dad na src=$EP6_ADDR dst=ff02::1 hlim=255 S=0 O=1 R=0 tlla=$va csum=ok"
for c in hoplimit64 badcsum zerolenopt short code1 dadlladdr wrongdst; do
	want "$c none"
done

# Not an endpoint address; and VPC B's device knows no endpoint any more.
out=$(probe vpca fd00:a::99 "$va" valid) || fail "ndp_probe: $out"
[ "$out" = "valid none" ] || fail "fd00:a::99 answered: $out"
out=$(probe vpcb "$EP6_ADDR" "$(cat /sys/class/net/vb/address)" valid) || fail "ndp_probe: $out"
[ "$out" = "valid none" ] || fail "VPC B's device answered for epa: $out"

probe vpca "$EP6_ADDR" "$va" --fuzz 2000 >/dev/null || fail "fuzz run failed"
out=$(probe vpca "$EP6_ADDR" "$va" valid) || fail "ndp_probe: $out"
grep -q "^valid na " <<<"$out" || fail "no answer after the fuzzing: $out"
tcp_query vpca "$EP6_ADDR" 80 | grep -q "^srv" || fail "no TCP after the fuzzing"
exit 0
