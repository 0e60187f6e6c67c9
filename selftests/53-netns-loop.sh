#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Network namespaces holding vpce objects and flows, created and destroyed
# in a loop: each round builds a host netns with a VPC, a service, a target
# and an endpoint, sends a flow through it (a NATed conntrack entry), and
# deletes the host netns first, with everything in it, while the client and
# provider namespaces still hold the other ends of its devices.  Every
# round's state must be independent of the others', and vpce must unload at
# the end (nothing of a dead netns may pin it). All of it twice: with
# conntrack tracking the flows, and with vpce's own table (conntrack=0).  Leaks are for kmemleak in
# the debug kernel run to find.
#
# timeout: 300

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd conntrack jq
ROUNDS=${VPCE_NETNS_ROUNDS:-8}

# Both ways of tracking flows: conntrack's, and vpce's own table
# (conntrack=0), whose flows the namespace's exit must free too.
for ct in 1 0; do
	load_vpce conntrack=$ct
	for i in $(seq 1 "$ROUNDS"); do
		h=nl-h$i c=nl-c$i p=nl-p$i
		for ns in $h $c $p; do
			ip netns add $ns || fail "ip netns add $ns"
			defer ip netns del $ns
			ip -n $ns link set lo up
		done
		ip netns exec $h sysctl -qw net.ipv4.ip_forward=1
		ip -n $h link add va type veth peer name eth0 netns $c || fail "veth"
		ip -n $h link add vp type veth peer name eth0 netns $p || fail "veth"
		ip -n $h link set va up
		ip -n $h link set vp up
		ip -n $h addr add 192.168.1.1/24 dev vp
		ip -n $c link set eth0 up
		ip -n $c addr add 10.0.0.2/24 dev eth0
		ip -n $p link set eth0 up
		ip -n $p addr add 192.168.1.10/24 dev eth0

		must vpcectl -n $h vpc add A account 111111111111 dev va
		must vpcectl -n $h service add svc account 111111111111 \
			listener udp:53:5353 listener tcp:80:8080 nlb 192.168.1.1
		must vpcectl -n $h target add svc 192.168.1.10
		must vpcectl -n $h endpoint add ep vpc A service svc addr 10.0.0.100
		# One object of a previous round would show here.
		n=$(vpcectl -n $h -j endpoint show | grep -o '"name"' | wc -l)
		[ "$n" -eq 1 ] || fail "round $i: the new netns has $n endpoints"

		# A UDP flow and a TCP SYN (nobody listens: the target resets it);
		# both leave NATed flows in the host netns: in conntrack, or in
		# vpce's table, whose UDP flow stays active.
		ip netns exec $c bash -c 'echo x >/dev/udp/10.0.0.100/53; (echo >/dev/tcp/10.0.0.100/80) 2>/dev/null' || true
		if [ $ct = 1 ]; then
			wait_for 5 eval "ip netns exec $h conntrack -L 2>/dev/null | grep -q 'dst=192.168.1.1 '" ||
				fail "round $i: no NATed flow in the host netns"
		else
			wait_for 5 eval "[ \"\$(vpcectl -n $h -j stats show endpoint ep | jq '.[0].ActiveConnections')\" -ge 1 ]" ||
				fail "round $i: no flow in vpce's table in the host netns"
		fi

		# The host netns goes first, with its VPC devices' peers still alive.
		ip netns del $h || fail "round $i: deleting $h"
		ip netns del $c
		ip netns del $p
	done
	log "conntrack=$ct: $ROUNDS namespaces with objects and flows created and destroyed"

	# cleanup_net runs asynchronously; once it is done nothing pins vpce.
	wait_for 30 rmmod vpce || fail "vpce does not unload after the namespaces are gone"
done
exit 0
