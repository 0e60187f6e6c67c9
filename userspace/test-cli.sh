#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# userspace/test-cli.sh [VPCECTL]
#
# vpcectl's command line: every parse error must name its cause precisely,
# exit 1 and send nothing. Needs no kernel module: each valid command line
# here must get past parsing and fail only for want of the module (exit 2,
# "not loaded"), so run it where vpce is NOT loaded (the build host).
# TAP output; exit 0 when every case passes.

V=${1:-$(dirname "$0")/vpcectl}
n=0
failed=0

# check EXPECTED_RC EXPECTED_STDERR ARGS...
check() {
	want_rc=$1 want_err=$2
	shift 2
	n=$((n + 1))
	err=$("$V" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$err" = "$want_err" ]; then
		echo "ok $n - vpcectl $*"
	else
		echo "not ok $n - vpcectl $*"
		echo "#   want rc $want_rc: $want_err"
		echo "#   got  rc $rc: $err"
		failed=$((failed + 1))
	fi
}

nomod='vpcectl: the vpce module is not loaded (modprobe vpce)'
A=111111111111
long=$(printf 'a%.0s' $(seq 65))
zlong=$(printf 'z%.0s' $(seq 33))

if "$V" vpc show 2>&1 | grep -q 'not loaded'; then :; else
	echo "1..0 # SKIP the vpce module is loaded here"
	exit 0
fi

# global options, objects, commands
check 1 'vpcectl: unknown object "foo" (try "vpcectl --help")' foo
check 1 'vpcectl: unknown option "-x" (try "vpcectl --help")' -x vpc show
check 1 'vpcectl: unknown option "--bogus" (try "vpcectl --help")' --bogus vpc
check 1 'vpcectl: "-n" needs NETNS' -n
check 1 'vpcectl: cannot open network namespace "nonexistent-ns": No such file or directory' -n nonexistent-ns vpc show
check 1 'vpcectl: unknown command "foo" for "vpc" (try "vpcectl vpc help")' vpc foo
check 2 "$nomod" connection show
check 1 'vpcectl: endpoint set: "policy", "flow-log" or "sg" is required' endpoint set e1
# endpoint set EP addr add|del
check 1 'vpcectl: "addr" needs add or del' endpoint set e1 addr
check 1 'vpcectl: endpoint set: "addr" needs add or del, not "move"' endpoint set e1 addr move 10.0.0.5
check 1 'vpcectl: "add" needs ADDR' endpoint set e1 addr add
check 1 'vpcectl: endpoint set: "addr del" takes no zone (an address is in one)' endpoint set e1 addr del 10.0.0.5 zone az1
check 1 'vpcectl: endpoint set: "addr add" takes one address and nothing else ("addr")' endpoint set e1 addr add 10.0.0.5 addr add 10.0.0.6
check 1 'vpcectl: endpoint set: "addr add|del" comes alone, first after the endpoint'"'"'s name' endpoint set e1 policy-json '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}' addr add 10.0.0.5
check 2 "$nomod" endpoint set e1 addr add 10.0.0.5
check 2 "$nomod" endpoint set e1 addr add fd00::5 zone az1
check 2 "$nomod" endpoint set e1 addr del 10.0.0.5
check 0 '' --help
check 0 '' -V
check 0 '' vpc help

# vpc
check 1 'vpcectl: vpc add: VPC is required' vpc add
check 1 'vpcectl: vpc add: "account" is required' vpc add v1 dev lo
check 1 'vpcectl: vpc add: "vrf" or "dev", not both: a VRF'"'"'s devices are the VPC'"'"'s' vpc add v1 account $A vrf lo dev lo
check 1 'vpcectl: vpc set: nothing to change (dev add IFNAME | dev del IFNAME)' vpc set v1
check 1 'vpcectl: vpc set: "dev" takes "add IFNAME" or "del IFNAME", not "lo"' vpc set v1 dev lo
check 1 'vpcectl: unknown argument "foo" for "vpc set"' vpc set v1 foo
check 1 'vpcectl: "dev" needs IFNAME' vpc add v1 account $A dev
check 1 'vpcectl: "account" needs ACCOUNT' vpc add v1 account
check 1 'vpcectl: unknown device "nosuchdev0"' vpc add v1 account $A dev nosuchdev0
check 1 'vpcectl: invalid account "12": an account is exactly 12 digits' vpc add v1 account 12
check 1 'vpcectl: invalid account "1111111111111": an account is exactly 12 digits' vpc add v1 account 1111111111111
check 1 'vpcectl: invalid account "11111111111x": an account is exactly 12 digits' vpc add v1 account 11111111111x
check 1 'vpcectl: vpc add: "account" may be given only once' vpc add v1 account $A account $A dev lo
check 1 'vpcectl: unknown argument "foo" for "vpc add"' vpc add v1 account $A dev lo foo
check 1 "vpcectl: VPC name \"$long\" is too long (65 characters, at most 64)" vpc add "$long"
check 1 "vpcectl: VPC name \"a b\" has an invalid character ' ' (use A-Z a-z 0-9 . _ -)" vpc add 'a b'
check 1 'vpcectl: VPC name is empty' vpc del ''
check 1 'vpcectl: unknown argument "x" for "vpc del"' vpc del v1 x
check 1 'vpcectl: unknown argument "x" for "vpc show"' vpc ls v1 x
check 2 "$nomod" vpc add v1 account $A dev lo
check 2 "$nomod" vpc add "$(printf 'a%.0s' $(seq 64))" account 000000000000 dev lo dev lo
check 2 "$nomod" vpc delete v1
check 2 "$nomod" vpc
check 2 "$nomod" -j vpc list

# service
S="service add s1 account $A"
check 1 'vpcectl: service add: "account" is required' service add s1 listener tcp:80 nlb 1.1.1.1
check 1 'vpcectl: service add: "listener" is required' $S nlb 1.1.1.1
check 1 'vpcectl: service add: "nlb" is required' $S listener tcp:80
check 1 'vpcectl: "listener" needs PROTO:PORT[:TARGETPORT]' $S listener
check 1 'vpcectl: invalid listener "tcp80": expected PROTO:PORT[:TARGETPORT]' $S listener tcp80
check 1 'vpcectl: invalid listener "tcp:1:2:3": expected PROTO:PORT[:TARGETPORT]' $S listener tcp:1:2:3
check 1 'vpcectl: invalid listener "sctp:80": protocol "sctp" is not tcp or udp' $S listener sctp:80
check 1 'vpcectl: invalid listener "tcp:0": port 0 out of range (1-65535)' $S listener tcp:0
check 1 'vpcectl: invalid listener "udp:65536": port 65536 out of range (1-65535)' $S listener udp:65536
check 1 'vpcectl: invalid listener "tcp:80:70000": target port 70000 out of range (1-65535)' $S listener tcp:80:70000
check 1 'vpcectl: invalid listener "tcp:x": port "x" is not a number' $S listener tcp:x
check 1 'vpcectl: invalid listener "tcp:80:": target port "" is not a number' $S listener tcp:80:
check 1 'vpcectl: "nlb" needs ADDR' $S listener tcp:80 nlb
check 1 'vpcectl: invalid address "1.2.3": not an IPv4 or IPv6 address' $S listener tcp:80 nlb 1.2.3
check 1 'vpcectl: "zone" needs AZ' $S listener tcp:80 nlb 1.2.3.4 zone
check 1 'vpcectl: service add: "zone" must follow "nlb ADDR"' $S zone az1
check 1 'vpcectl: service add: "zone" may be given only once per "nlb"' $S nlb 1.2.3.4 zone a zone b
check 1 "vpcectl: zone name \"$zlong\" is too long (33 characters, at most 32)" $S nlb 1.2.3.4 zone "$zlong"
check 1 "vpcectl: zone name \"a\$\" has an invalid character '\$' (use A-Z a-z 0-9 . _ -)" $S nlb 1.2.3.4 zone 'a$'
check 1 'vpcectl: service add: "prefix" is required' $S type gateway
check 1 'vpcectl: service add: a gateway service takes no "listener" (it is reached on its prefixes)' $S type gateway listener tcp:80 prefix 10.1.0.0/16
check 1 'vpcectl: service add: a gateway service takes no "nlb" (its flows are not translated)' $S nlb 1.2.3.4 type gateway prefix 10.1.0.0/16
check 1 'vpcectl: service add: "prefix" is for gateway services (type gateway)' $S listener tcp:80 nlb 1.2.3.4 prefix 10.1.0.0/16
check 1 'vpcectl: invalid prefix "10.1.0.0": use ADDR/LEN' $S type gateway prefix 10.1.0.0
check 1 'vpcectl: invalid prefix "10.1.0.300/16": "10.1.0.300" is not an address' $S type gateway prefix 10.1.0.300/16
check 1 'vpcectl: prefix length "33" out of range (0-32)' $S type gateway prefix 10.1.0.0/33
check 1 'vpcectl: "prefix" needs CIDR' $S type gateway prefix
check 1 "vpcectl: service add: too many \"prefix\" (at most 32)" $S type gateway $(for i in $(seq 33); do echo prefix 10.$i.0.0/16; done)
check 2 "$nomod" $S type gateway prefix 10.1.0.0/16 prefix 10.2.0.0/16 acceptance-required on
# IPv6 and dual stack: parsed, and left to the kernel.
check 2 "$nomod" $S listener tcp:80 nlb 192.168.1.1 zone az1 nlb fd01::1 zone az1
check 2 "$nomod" $S type gateway prefix fd01::/120 prefix 10.2.0.0/16
check 1 'vpcectl: prefix length "129" out of range (0-128)' $S type gateway prefix fd01::/129
check 1 'vpcectl: invalid address "fd01:::1": not an IPv4 or IPv6 address' $S listener tcp:80 nlb fd01:::1
check 2 "$nomod" endpoint add e1 vpc v1 service s1 addr 10.0.0.100 zone az1 addr fd00::100 zone az1
check 2 "$nomod" principal add v1 prefix fd00:a::/64 arn arn:aws:iam::111111111111:role/web
check 2 "$nomod" target add s1 fd01::10 zone az1 weight 2
check 1 'vpcectl: invalid type "foo": use interface or gateway' $S type foo
check 1 'vpcectl: service add: "type" may be given only once' $S type interface type interface
check 1 'vpcectl: service add: "cross-zone" is on or off, not "yes"' $S cross-zone yes
check 1 'vpcectl: "acceptance-required" needs on|off' $S acceptance-required
check 1 'vpcectl: service add: "cross-zone" may be given only once' $S cross-zone on cross-zone off
check 1 'vpcectl: invalid private-dns "a..b": not a DNS name (labels of A-Z a-z 0-9 -, optionally *. first)' $S private-dns a..b
check 1 'vpcectl: unknown argument "idle-timeout" for "service add"' $S idle-timeout 60
check 2 "$nomod" $S listener tcp:80 nlb 1.1.1.1 acceptance-required on cross-zone off private-dns '*.svc.example.com'
check 1 'vpcectl: unknown argument "foo" for "service add"' $S foo
check 2 "$nomod" $S type interface listener tcp:80:8080 listener udp:53 nlb 192.168.1.1 zone az1 nlb ::1 zone az2 nlb 10.0.0.1
# service set
check 1 'vpcectl: service set: SVC is required' service set
check 1 'vpcectl: service set: nothing to set' service set s1
check 1 'vpcectl: unknown argument "foo" for "service set"' service set s1 foo
check 1 'vpcectl: idle-timeout "59" out of range (60-6000)' service set s1 idle-timeout 59
check 1 'vpcectl: idle-timeout "6001" out of range (60-6000)' service set s1 idle-timeout 6001
check 1 'vpcectl: deregistration-delay "3601" out of range (0-3600)' service set s1 deregistration-delay 3601
check 1 'vpcectl: invalid hash-seed "abc": expected 32 hexadecimal digits' service set s1 hash-seed abc
check 1 'vpcectl: invalid hash-seed "0123456789abcdef0123456789abcdeg": expected 32 hexadecimal digits' service set s1 hash-seed 0123456789abcdef0123456789abcdeg
check 1 'vpcectl: invalid health check "udp": use tcp, http[:PATH], https[:PATH] or none' service set s1 health-check udp
check 1 'vpcectl: invalid health check "http:x": the path must start with /' service set s1 health-check http:x
check 1 'vpcectl: service set: "interval" must follow "health-check"' service set s1 interval 5
check 1 'vpcectl: interval "0" out of range (5-300)' service set s1 health-check tcp interval 0
check 1 'vpcectl: healthy-threshold "11" out of range (2-10)' service set s1 health-check tcp healthy-threshold 11
check 1 'vpcectl: unhealthy-threshold "1" out of range (2-10)' service set s1 health-check tcp unhealthy-threshold 1
check 1 'vpcectl: service set: "interval" may be given only once' service set s1 health-check tcp interval 5 interval 6
check 1 'vpcectl: service set: "health-check none" takes no port, interval, timeout, thresholds, matcher or host' service set s1 health-check none interval 5
check 1 'vpcectl: interval "4" out of range (5-300)' service set s1 health-check tcp interval 4
check 1 'vpcectl: timeout "1" out of range (2-120)' service set s1 health-check tcp timeout 1
check 1 'vpcectl: timeout "121" out of range (2-120)' service set s1 health-check tcp timeout 121
check 1 'vpcectl: service set: the health check timeout (10 s) must be less than its interval (10 s)' service set s1 health-check tcp interval 10 timeout 10
check 1 'vpcectl: service set: the health check timeout (60 s) must be less than its interval (30 s)' service set s1 health-check tcp timeout 60
check 1 'vpcectl: invalid health check "https:x": the path must start with /' service set s1 health-check https:x
check 1 'vpcectl: invalid health check "httpx": use tcp, http[:PATH], https[:PATH] or none' service set s1 health-check httpx
check 1 'vpcectl: service set: "matcher" is for HTTP and HTTPS health checks' service set s1 health-check tcp matcher 200
check 1 'vpcectl: service set: "host" is for HTTP and HTTPS health checks' service set s1 health-check tcp host a.example.com
check 1 'vpcectl: invalid matcher "99": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most 128 characters' service set s1 health-check http matcher 99
check 1 'vpcectl: invalid matcher "600": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most 128 characters' service set s1 health-check http matcher 600
check 1 'vpcectl: invalid matcher "2x0": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most 128 characters' service set s1 health-check http matcher 2x0
check 1 'vpcectl: invalid matcher "300-200": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most 128 characters' service set s1 health-check https matcher 300-200
check 1 'vpcectl: invalid matcher "200,": HTTP codes (200-599) and ranges LOW-HIGH, separated by commas, at most 128 characters' service set s1 health-check https matcher 200,
check 1 'vpcectl: invalid host "a b": not a DNS name (labels of A-Z a-z 0-9 -)' service set s1 health-check https host 'a b'
check 1 'vpcectl: invalid host "*.example.com": not a DNS name (labels of A-Z a-z 0-9 -)' service set s1 health-check https host '*.example.com'
check 1 'vpcectl: service set: "matcher" may be given only once' service set s1 health-check http matcher 200 matcher 302
check 1 'vpcectl: service set: "timeout" must follow "health-check"' service set s1 timeout 5
check 2 "$nomod" service set s1 health-check https:/health port 8443 interval 10 timeout 9 healthy-threshold 2 unhealthy-threshold 2 matcher 200-299,302 host www.example.com
check 2 "$nomod" service set s1 health-check http timeout 29
check 2 "$nomod" service set s1 acceptance-required off cross-zone on private-dns svc.example.com deregistration-delay 0 idle-timeout 6000 hash-seed 000102030405060708090A0B0C0D0E0F health-check http:/health port 8080 interval 5 healthy-threshold 3 unhealthy-threshold 2
check 2 "$nomod" service set s1 health-check tcp idle-timeout 60
# service set SVC listener add|del
check 1 'vpcectl: "listener" needs add or del' service set s1 listener
check 1 'vpcectl: service set: "listener" needs add or del, not "put"' service set s1 listener put tcp:80
check 1 'vpcectl: "add" needs PROTO:PORT[:TARGETPORT]' service set s1 listener add
check 1 'vpcectl: "del" needs PROTO:PORT' service set s1 listener del
check 1 'vpcectl: service set: "listener del" takes PROTO:PORT, not a target port ("tcp:80:8080")' service set s1 listener del tcp:80:8080
check 1 'vpcectl: service set: "listener add" takes one listener and nothing else ("cross-zone")' service set s1 listener add tcp:81 cross-zone on
check 1 'vpcectl: service set: "listener add|del" comes alone, first after the service'"'"'s name' service set s1 cross-zone on listener add tcp:81
check 2 "$nomod" service set s1 listener add tcp:81:8081
check 2 "$nomod" service set s1 listener add udp:53
check 2 "$nomod" service set s1 listener del tcp:81
check 2 "$nomod" service set s1 private-dns ''
check 1 'vpcectl: service del: SVC is required' service del
check 2 "$nomod" service del s1
check 2 "$nomod" service show s1

# target
check 1 'vpcectl: target add: SVC is required' target add
check 1 'vpcectl: target add: ADDR is required' target add s1
check 1 'vpcectl: invalid address "x": not an IPv4 or IPv6 address' target add s1 x
check 1 'vpcectl: weight "0" out of range (1-256)' target add s1 1.2.3.4 weight 0
check 1 'vpcectl: weight "257" out of range (1-256)' target add s1 1.2.3.4 weight 257
check 1 'vpcectl: invalid weight "-1": not a number' target add s1 1.2.3.4 weight -1
check 1 'vpcectl: "weight" needs a number (1-256)' target add s1 1.2.3.4 weight
check 1 'vpcectl: target add: "weight" may be given only once' target add s1 1.2.3.4 weight 1 weight 2
check 1 'vpcectl: target add: "zone" may be given only once' target add s1 1.2.3.4 zone a zone b
check 1 'vpcectl: unknown argument "foo" for "target add"' target add s1 1.2.3.4 foo
check 1 'vpcectl: unknown argument "zone" for "target del"' target del s1 1.2.3.4 zone a
check 1 'vpcectl: target set: ADDR is required' target set s1
check 1 'vpcectl: target set: nothing to set (weight or health)' target set s1 1.2.3.4
check 1 'vpcectl: invalid health "sick": use healthy, unhealthy or draining' target set s1 1.2.3.4 health sick
check 1 'vpcectl: weight "0" out of range (1-256)' target set s1 1.2.3.4 weight 0
check 1 'vpcectl: unknown argument "zone" for "target set"' target set s1 1.2.3.4 zone a
check 2 "$nomod" target set s1 1.2.3.4 weight 3 health draining
check 1 "vpcectl: service name \"bad!\" has an invalid character '!' (use A-Z a-z 0-9 . _ -)" target show 'bad!'
check 2 "$nomod" target add s1 1.2.3.4 weight 256 zone az1
check 2 "$nomod" target add s1 2001:db8::1
check 2 "$nomod" target del s1 1.2.3.4
check 2 "$nomod" target show

# endpoint
E="endpoint add e1 vpc v1 service s1"
check 1 'vpcectl: endpoint add: EP is required' endpoint add
check 1 'vpcectl: endpoint add: "vpc" is required' endpoint add e1 service s1 addr 1.1.1.1
check 1 'vpcectl: endpoint add: "service" is required' endpoint add e1 vpc v1 addr 1.1.1.1
check 1 'vpcectl: endpoint add: "addr" is required' $E
check 1 'vpcectl: endpoint add: "vpc" may be given only once' $E vpc v2
check 1 'vpcectl: "service" needs SVC' endpoint add e1 vpc v1 service
check 1 'vpcectl: endpoint add: "zone" must follow "addr ADDR"' $E zone az1
check 1 'vpcectl: policy: cannot open "/nonexistent.json": No such file or directory' $E policy /nonexistent.json
check 1 'vpcectl: endpoint add: the principal must be one principal, not "*"' $E requester '*'
check 1 'vpcectl: endpoint add: a gateway endpoint takes no "addr" (the VPC reaches the service'"'"'s prefixes)' $E type gateway addr 10.0.0.100
check 1 'vpcectl: endpoint add: "mark" is for gateway endpoints (type gateway)' $E addr 10.0.0.100 mark 7
check 1 'vpcectl: mark "0" out of range (1-0xffffffff)' $E type gateway mark 0
check 1 'vpcectl: mark "0x100000000" out of range (1-0xffffffff)' $E type gateway mark 0x100000000
check 1 'vpcectl: invalid mark "0xz": not a number' $E type gateway mark 0xz
check 1 'vpcectl: endpoint ID "vpce-XYZ" is not vpce- and 17 lowercase hex digits' $E addr 10.0.0.100 id vpce-XYZ
check 1 'vpcectl: endpoint ID "vpce-0123456789ABCDEF0" is not vpce- and 17 lowercase hex digits' $E addr 10.0.0.100 id vpce-0123456789ABCDEF0
check 1 'vpcectl: endpoint ID "vpce-0123456789abcdef" is not vpce- and 17 lowercase hex digits' $E addr 10.0.0.100 id vpce-0123456789abcdef
check 1 'vpcectl: "id" needs vpce-ID' $E addr 10.0.0.100 id
check 1 'vpcectl: endpoint add: "id" may be given only once' $E addr 10.0.0.100 id vpce-0123456789abcdef0 id vpce-0123456789abcdef0
check 2 "$nomod" $E addr 10.0.0.100 id vpce-0123456789abcdef0
check 2 "$nomod" $E type gateway id vpce-0123456789abcdef0
check 1 'vpcectl: invalid mark "-1": not a number' $E type gateway mark -1
check 1 'vpcectl: endpoint add: "mark" may be given only once' $E type gateway mark 1 mark 2
check 2 "$nomod" $E type gateway mark 0x42
check 2 "$nomod" $E type gateway mark 66 requester 111111111111
check 1 "vpcectl: VPC name \"v/1\" has an invalid character '/' (use A-Z a-z 0-9 . _ -)" endpoint add e1 vpc v/1
check 1 'vpcectl: endpoint add: too many "addr" (at most 32)' $E $(for i in $(seq 33); do echo addr 10.0.0.$i; done)
check 2 "$nomod" $E type interface addr 10.0.0.100 zone az1 addr 10.0.1.100 zone az2
check 2 "$nomod" endpoint del e1
check 2 "$nomod" endpoint show

# policy simulate: the document is validated before anything is sent
pol=$(mktemp)
trap 'rm -f "$pol"' EXIT
echo '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}' >"$pol"
P="policy simulate document $pol"
R='action vpce:Connect resource arn:aws:ec2:local:222222222222:vpc-endpoint-service/s1'
check 1 'vpcectl: policy simulate: "document" is required' policy simulate
check 1 'vpcectl: policy simulate: "principal" is required' $P $R
check 1 'vpcectl: policy simulate: "action" is required' $P principal $A
check 1 'vpcectl: policy simulate: the principal must be one principal, not "*"' $P principal '*' $R
check 1 'vpcectl: invalid principal "arn:aws:iam::1:root": use *, an account (12 digits), arn:aws:iam::ACCOUNT:root, :user/NAME or :role/NAME, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or :federated-user/NAME' $P principal arn:aws:iam::1:root $R
check 1 'vpcectl: invalid account "12": an account is exactly 12 digits' $P principal $A account 12 $R
check 1 'vpcectl: invalid principal "arn:aws:sts::111122223333:assumed-role/app/*": use *, an account (12 digits), arn:aws:iam::ACCOUNT:root, :user/NAME or :role/NAME, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or :federated-user/NAME' $P principal 'arn:aws:sts::111122223333:assumed-role/app/*' $R
check 1 'vpcectl: invalid type "vpc": use interface or gateway' $P principal $A endpoint-type vpc $R
check 1 'vpcectl: policy simulate: "endpoint-type" may be given only once' $P principal $A endpoint-type gateway endpoint-type gateway $R
check 1 'vpcectl: invalid context "novalue": expected KEY=VALUE with KEY of A-Z a-z 0-9 : / _ . - + = @' $P principal $A $R context novalue
check 1 'vpcectl: invalid context "a b=c": expected KEY=VALUE with KEY of A-Z a-z 0-9 : / _ . - + = @' $P principal $A $R context 'a b=c'
check 1 'vpcectl: policy simulate: "document" may be given only once' $P document $pol
check 1 'vpcectl: unknown argument "bogus" for "policy simulate"' $P bogus
check 1 "vpcectl: policy: cannot open \"/nonexistent\": No such file or directory" policy simulate document /nonexistent principal $A $R
echo '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "x"}}' >"$pol"
check 1 'vpcectl: policy: Statement.Resource: invalid resource "x" (expected "*" or an ARN)' $P principal $A $R
echo '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}' >"$pol"
check 2 "$nomod" $P principal $A $R context aws:SourceVpc=v1 context k=1 context k=2
check 2 "$nomod" $P principal arn:aws:iam::$A:role/path/app account 222222222222 $R

# flow
check 2 "$nomod" flow
check 2 "$nomod" flow show endpoint e1 service s1 target 192.168.1.10
check 2 "$nomod" -j flow list target fd01::10
check 2 "$nomod" flow flush
check 2 "$nomod" flow flush endpoint e1
check 1 'vpcectl: unknown argument "bogus" for "flow show"' flow show bogus
check 1 'vpcectl: flow flush: "endpoint" may be given only once' flow flush endpoint e1 endpoint e2
check 1 'vpcectl: invalid address "10.0.0": not an IPv4 or IPv6 address' flow show target 10.0.0
check 1 'vpcectl: unknown command "del" for "flow" (try "vpcectl flow help")' flow del
check 2 "$nomod" flow show table
check 2 "$nomod" flow set limit 1000000
check 2 "$nomod" flow set limit default
check 1 'vpcectl: flow set: "limit" is required' flow set
check 1 'vpcectl: "limit" needs N|default' flow set limit
check 1 'vpcectl: flow limit "0" out of range (1-4194303)' flow set limit 0
check 1 'vpcectl: flow limit "4194304" out of range (1-4194303)' flow set limit 4194304
check 1 'vpcectl: invalid flow limit "x": not a number' flow set limit x
check 1 'vpcectl: flow set: "limit" may be given only once' flow set limit 5 limit 6
check 1 'vpcectl: unknown argument "frob" for "flow set"' flow set frob
check 1 'vpcectl: unknown argument "extra" for "flow show"' flow show table extra
check 2 "$nomod" service set s1 nlb add 192.168.1.2 zone az1
check 2 "$nomod" service set s1 nlb del fd01::2
check 1 'vpcectl: "nlb" needs add|del' service set s1 nlb
check 1 'vpcectl: service set: "nlb" takes add or del, not "frob"' service set s1 nlb frob 1.2.3.4
check 1 'vpcectl: "nlb add" needs ADDR' service set s1 nlb add
check 1 'vpcectl: service set: "nlb add" and "nlb del" go alone, not with "cross-zone"' service set s1 nlb add 1.2.3.4 cross-zone on
check 1 'vpcectl: service set: "nlb add" and "nlb del" go alone, without other settings' service set s1 cross-zone on nlb add 1.2.3.4
check 1 'vpcectl: service set: "nlb del" takes no zone (an address is in one zone)' service set s1 nlb del 1.2.3.4 zone a
check 1 'vpcectl: invalid address "1.2.3.400": not an IPv4 or IPv6 address' service set s1 nlb add 1.2.3.400

# security groups
check 2 "$nomod" sg add s1 vpc v1
check 2 "$nomod" sg rule add s1 tcp port 80-90 from 10.0.0.0/24
check 2 "$nomod" sg rule del s1 all from sg s2
check 2 "$nomod" sg member add s1 fd00::/64
check 2 "$nomod" endpoint set e1 sg s1 sg s2
check 2 "$nomod" endpoint set e1 sg none
check 1 'vpcectl: sg rule: protocol "icmpx": tcp, udp or all' sg rule add s1 icmpx from 10.0.0.0/8
check 1 'vpcectl: sg rule: port range 5-3: the first port is above the last' sg rule add s1 tcp port 5-3 from 10.0.0.0/8
check 1 'vpcectl: port "0" out of range (1-65535)' sg rule add s1 tcp port 0 from 10.0.0.0/8
check 1 'vpcectl: sg rule: "from" is required' sg rule add s1 tcp port 80
check 1 'vpcectl: sg rule: "rule" needs add or del, not "move"' sg rule move s1
check 1 'vpcectl: endpoint set: an endpoint has at most 5 security groups' endpoint set e1 sg a sg b sg c sg d sg e sg f
check 1 'vpcectl: endpoint set: "sg" comes alone: "policy" cannot follow it' endpoint set e1 sg a policy x
check 1 'vpcectl: endpoint add: a gateway endpoint has no security groups' endpoint add e1 vpc v service s type gateway sg a

echo "1..$n"
[ "$failed" = 0 ]
