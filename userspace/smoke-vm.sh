#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A smoke run of vpcectl against the real module, printing every command and
# its output for a human to read (the selftests are the real tests):
#
#	scripts/vm-run -- userspace/smoke-vm.sh
#
# Runs in a fresh network namespace "vpcectl-smoke".

set -u
NS=vpcectl-smoke
run() {
	echo "\$ vpcectl $*"
	vpcectl -n $NS "$@"
	echo "[exit $?]"
}

modprobe vpce || exit 1
ip netns add $NS || exit 1
trap 'ip netns del $NS' EXIT
ip -n $NS link add veth-a type veth peer name veth-a-p
ip -n $NS link add veth-b type veth peer name veth-b-p

run vpc show
run -j vpc show
run vpc add v1 account 000000000111 dev veth-a
run vpc add v2 account 222222222222 dev veth-b
run vpc add v3 account 222222222222 dev veth-b
run vpc add v1 account 111111111111 dev veth-b
run vpc show
run -j vpc show v1
run vpc show nosuch
run service add s1 account 333333333333 listener tcp:80:8080 listener udp:53 \
	nlb 192.168.1.1 zone az1 nlb 192.168.2.1 zone az2
run service add s2 account 333333333333 listener tcp:443 nlb 192.168.3.1
run service add s3 account 333333333333 listener tcp:80 nlb 2001:db8::1
run service add s1 account 333333333333 listener tcp:80 nlb 192.168.1.1
run target add s1 192.168.1.10 zone az1
run target add s1 192.168.2.10 zone az2 weight 200
run target add s1 192.168.2.11 zone az9
run target add s2 192.168.3.10
run target add s1 192.168.1.10 zone az1
run target show
run target show s1
run -j target show s2
run target show nosuch
run endpoint add e1 vpc v1 service s1 addr 10.0.0.100 zone az1 addr 10.0.1.100 zone az2
run endpoint add e2 vpc v2 service s2 type interface addr 10.0.0.100
run endpoint add e3 vpc v1 service s1 addr 10.0.0.100 zone az1
run endpoint add e4 vpc nosuch service s1 addr 10.0.0.5 zone az1
run endpoint show
run -j -p endpoint show e1
run endpoint show nosuch
run service show
run -j -p service show s1
run service del s1
run vpc del v1
run target del s1 192.168.2.10
run target del s1 192.168.2.10
run endpoint del e1
run endpoint del e1
run service del s1
run vpc del v1
run -j service show
run vpc show
