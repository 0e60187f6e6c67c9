#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A device bound to a VPC goes away: its binding goes too, so a new device
# that happens to get the same ifindex is not silently part of the VPC; the
# endpoint's flows through the device end.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd conntrack python3
pl_setup

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer through the endpoint"
idx=$(cat /sys/class/net/va/ifindex)
zone=$(vpcectl -j vpc show A |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["devices"][0]["ct_zone"])')
conntrack -L 2>/dev/null | grep -q "zone-orig=$zone " || fail "no flow in va's zone $zone"
ip link del va || fail "deleting va"
vpcectl vpc show A | grep -qw va && fail "VPC A still lists va: $(vpcectl vpc show A)"
# The device is unbound at once; its flows end just after, off the RTNL.
zone_empty() { ! conntrack -L 2>/dev/null | grep -q "zone-orig=$1 "; }
wait_for 10 zone_empty "$zone" ||
	fail "flows through the deleted device are still in conntrack"

ip link add newdev index "$idx" type dummy || fail "creating a dummy with ifindex $idx"
defer ip link del newdev
vpcectl vpc show A | grep -qw newdev && fail "newdev (ifindex $idx) joined VPC A"
must vpcectl vpc add C account 444444444444 dev newdev
log "va's binding went with it; ifindex $idx was free for VPC C"

# VPC B is untouched.
out=$(tcp_query vpcb "$EP_ADDR" 80) || fail "VPC B lost its endpoint"
exit 0
