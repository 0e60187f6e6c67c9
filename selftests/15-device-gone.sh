#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A device bound to a VPC goes away: its binding goes too, so a new device
# that happens to get the same ifindex is not silently part of the VPC; the
# endpoint's flows through the device end.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privatelink.sh"

need_cmd python3
pl_setup

out=$(tcp_query vpca "$EP_ADDR" 80) || fail "no answer through the endpoint"
idx=$(cat /sys/class/net/va/ifindex)
vpcectl flow show endpoint epa | grep -q " dev va " || fail "no flow through va"
ip link del va || fail "deleting va"
vpcectl vpc show A | grep -qw va && fail "VPC A still lists va: $(vpcectl vpc show A)"
# The device is unbound at once; its flows end just after, off the RTNL.
no_flows() { [ -z "$(vpcectl flow show endpoint "$1")" ]; }
wait_for 10 no_flows epa ||
	fail "flows through the deleted device are still there: $(vpcectl flow show endpoint epa)"

ip link add newdev index "$idx" type dummy || fail "creating a dummy with ifindex $idx"
defer ip link del newdev
vpcectl vpc show A | grep -qw newdev && fail "newdev (ifindex $idx) joined VPC A"
must vpcectl vpc add C account 444444444444 dev newdev
log "va's binding went with it; ifindex $idx was free for VPC C"

# VPC B is untouched.
out=$(tcp_query vpcb "$EP_ADDR" 80) || fail "VPC B lost its endpoint"
exit 0
