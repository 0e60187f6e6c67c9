# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for selftests/[0-9]*.sh.  Source it first thing:
#
#	. "$(dirname "$0")/lib.sh"
#
# Tests run as root inside the test VM (scripts/vm-run), one at a time, under
# selftests/run, which prefixes their output with "# ", enforces a timeout
# and fails a test whose run left an oops/WARNING/... in the kernel log.
# Exit 0 = pass, 1 = fail, 4 = skip (kselftest's KSFT_SKIP).
#
# Every test builds its own topology and registers how to take it down with
# `defer`; the EXIT trap undoes everything in reverse order, whether the test
# passed, failed or was killed by the runner's timeout (SIGTERM).
#
# `fail` and `skip` exit the shell they run in: call them from the test's
# main shell, not from inside $(...) or a pipeline.

set -u

KSFT_FAIL=1
KSFT_SKIP=4

SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SELFTESTS")
TEST_NAME=$(basename "$0" .sh)
export PATH="$REPO/userspace:$SELFTESTS:$PATH"

log() { printf '%s\n' "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*"
	exit "$KSFT_FAIL"
}
skip() {
	printf 'SKIP: %s\n' "$*"
	exit "$KSFT_SKIP"
}

# need_cmd CMD... : skip the test when a tool is missing.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# must CMD... : run CMD, fail the test (showing CMD and its output) if it
# fails.  Its output is passed through otherwise.
must() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	[ "$rc" -eq 0 ] || fail "'$*' exited $rc"
}

# must_fail CMD... : the opposite; for commands that must be refused.
must_fail() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	[ "$rc" -ne 0 ] || fail "'$*' succeeded, expected a failure"
}

# --- cleanup -----------------------------------------------------------------

_DEFERRED=()

# defer CMD [ARGS...] : run CMD when the test exits (last deferred, first run).
defer() {
	_DEFERRED+=("$(printf '%q ' "$@")")
}

_run_deferred() {
	local rc=$? i
	trap - EXIT INT TERM
	set +e
	for ((i = ${#_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${_DEFERRED[i]}" >/dev/null 2>&1
	done
	exit "$rc"
}
trap _run_deferred EXIT
# A signal must still run the cleanups: exit turns it into the EXIT trap.
trap 'exit 143' TERM
trap 'exit 130' INT

# --- waiting -----------------------------------------------------------------

# wait_for TIMEOUT CMD... : poll CMD (every 0.1 s) until it succeeds; return 1
# if it still fails after TIMEOUT seconds (fractions allowed).  Use it instead
# of sleeping: `wait_for 5 ns_listening srv 80 || fail "server not up"`.
wait_for() {
	local timeout=$1 deadline
	shift
	# A slow kernel (make check KERNEL=debug) stretches every limit.
	deadline=$(awk -v t="$EPOCHREALTIME" -v d="$timeout" -v s="${VPCE_TIMEOUT_SCALE:-1}" \
		'BEGIN { printf "%.0f", (t + d * s) * 1000 }')
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# scaled_ms MS : a time limit in ms, for checks like "refused at once",
# multiplied by VPCE_TIMEOUT_SCALE: on the debug kernel starting a client
# process alone can take seconds.
scaled_ms() {
	echo $(($1 * ${VPCE_TIMEOUT_SCALE:-1}))
}

_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t:0:-3}"
}

# --- network namespaces ------------------------------------------------------

# HOST_NS: when set, the "host" side of mk_veth (the vpce host, which
# binds VPC devices) is that netns instead of the VM's initial one.
HOST_NS=${HOST_NS:-}

# host_ip ARGS... : `ip` in the host netns.
host_ip() {
	if [ -n "$HOST_NS" ]; then
		ip -n "$HOST_NS" "$@"
	else
		ip "$@"
	fi
}

# mk_ns NAME : a new netns with loopback up and forwarding on, deleted at exit.
mk_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	defer ip netns del "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 >/dev/null
}

# ns_exec NS CMD... : run CMD in NS.
ns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# _addr_add DEV ADDR/PFX [ip ARGS...] : IPv6 without duplicate address
# detection, which would otherwise keep the address unusable for ~1 s.
_addr_add() {
	local cmd=(ip) dev=$1 addr=$2
	shift 2
	[ $# -eq 0 ] || cmd=("$@")
	case $addr in
	*:*) "${cmd[@]}" addr add "$addr" dev "$dev" nodad ;;
	*) "${cmd[@]}" addr add "$addr" dev "$dev" ;;
	esac
}

# mk_veth HOSTIF NS NSIF [NSADDR/PFX [HOSTADDR/PFX]]
#	A veth pair: HOSTIF in the host netns, NSIF in NS, both up.  NSADDR
#	goes on NSIF.  HOSTIF gets an address only when HOSTADDR is given:
#	VPC-facing host devices in vpce have none.  Either address may be "-".
mk_veth() {
	local hif=$1 ns=$2 nif=$3 nsaddr=${4:--} haddr=${5:--}
	host_ip link add "$hif" type veth peer name "$nif" netns "$ns" ||
		fail "creating veth $hif/$ns:$nif"
	defer host_ip link del "$hif"
	host_ip link set "$hif" up
	ip -n "$ns" link set "$nif" up
	[ "$nsaddr" = - ] || _addr_add "$nif" "$nsaddr" ip -n "$ns" ||
		fail "adding $nsaddr to $ns:$nif"
	if [ "$haddr" != - ]; then
		if [ -n "$HOST_NS" ]; then
			_addr_add "$hif" "$haddr" ip -n "$HOST_NS"
		else
			_addr_add "$hif" "$haddr"
		fi || fail "adding $haddr to $hif"
	fi
}

# --- servers and clients -----------------------------------------------------

# ns_listening NS PORT [tcp|udp] : true once something listens on PORT in NS.
ns_listening() {
	local opt=-Hltn
	[ "${3:-tcp}" = udp ] && opt=-Hlun
	[ -n "$(ip netns exec "$1" ss "$opt" "sport = :$2")" ]
}

# start_server NS PORT NAME [tcp|udp] [id_server.py OPTIONS...]
#	Start an identity server in NS (see id_server.py: each TCP connection
#	gets "NAME PEER", each UDP datagram "NAME PEER DATA"), wait until it
#	listens, and stop it at exit.  Sets SERVER_PID.
start_server() {
	local ns=$1 port=$2 name=$3 proto=${4:-tcp} opts=()
	shift 3
	[ $# -eq 0 ] || shift
	[ "$proto" = udp ] && opts=(--udp)
	ip netns exec "$ns" python3 "$SELFTESTS/id_server.py" "${opts[@]}" \
		"$@" "$name" "$port" </dev/null &
	SERVER_PID=$!
	defer kill "$SERVER_PID"
	wait_for 10 ns_listening "$ns" "$port" "$proto" ||
		fail "$name: no $proto server on $ns port $port"
}

# _hostport ADDR PORT : socat's ADDR:PORT, with brackets for IPv6.
_hostport() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# tcp_query NS ADDR PORT : connect from NS, print what the server said
# ("NAME PEER"); non-zero when the connection fails or times out (3 s).
tcp_query() {
	ip netns exec "$1" socat -T 3 - \
		"TCP:$(_hostport "$2" "$3"),connect-timeout=3" </dev/null
}

# udp_query NS ADDR PORT [MSG] : send one datagram from NS, print the reply
# ("NAME PEER MSG"); non-zero when no reply comes within 3 s.
udp_query() {
	local out
	out=$(printf '%s\n' "${4:-ping}" |
		ip netns exec "$1" socat -T 3 - "UDP:$(_hostport "$2" "$3")") || return 1
	[ -n "$out" ] || return 1
	printf '%s\n' "$out"
}

# ns_query NS ADDR PORT [id_client.py OPTIONS...] : many queries from one
# process (e.g. --count 200, --udp), one answer line each; for checking how
# flows spread over targets: `ns_query vpc 10.0.0.100 80 --count 200 |
# cut -d' ' -f1 | sort | uniq -c`.
ns_query() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$SELFTESTS/id_client.py" "$@"
}

# --- tenant guests -----------------------------------------------------------

# A tenant guest is a VM of its own (vm-run VM_TENANT=N; make check boots
# one) whose eth0 is wired to the test VM's NIC tenantI: a real virtio NIC
# on both sides, not a veth.  One tenant serves the whole suite, so a test
# leaves it as it found it.

# need_tenant : skip the test unless tenant guest 0 is there; at exit, give
# its eth0 and the test VM's tenant0 back with no addresses or neighbours.
need_tenant() {
	if [ "${VPCE_TENANTS:-0}" -lt 1 ] || [ ! -e /sys/class/net/tenant0 ]; then
		skip "no tenant guest (boot the test VM with VM_TENANT=1 scripts/vm-run)"
	fi
	tenant true >/dev/null || fail "tenant guest 0 does not answer"
	defer tenant "ip link set eth0 down; ip addr flush dev eth0; ip neigh flush dev eth0; ip link set eth0 up"
	defer ip link set tenant0 nomaster
	defer ip addr flush dev tenant0 scope global
}

# tenant SCRIPT... : run SCRIPT in tenant guest 0 (scripts/tenant-exec:
# output and status come back); -t SECONDS first for a longer limit than 60.
tenant() {
	"$REPO/scripts/tenant-exec" -n 0 "$@"
}

# --- the module --------------------------------------------------------------

# load_vpce [PARAM=VALUE...] : a freshly loaded vpce (unloaded first if it
# was loaded), with those module parameters.
load_vpce() {
	if [ -d /sys/module/vpce ]; then
		rmmod vpce || fail "rmmod vpce"
	fi
	modprobe vpce "$@" || fail "modprobe vpce $*"
	defer rmmod vpce
}

# Everything the kernel logged since this test started, and the module's
# own lines among it.  The marker makes "since" exact even when dmesg holds
# earlier tests' output.
_KMSG_MARK="vpce-selftest: $TEST_NAME pid $$ start"
echo "$_KMSG_MARK" >/dev/kmsg 2>/dev/null || true

test_dmesg() {
	dmesg | awk -v m="$_KMSG_MARK" 'found { print } index($0, m) { found = 1 }'
}

vpce_dmesg() {
	test_dmesg | grep -E '(^|[] ])vpce[:_ ]'
}
