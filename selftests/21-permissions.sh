#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without CAP_NET_ADMIN, every command that changes state is refused with
# EPERM, while every show still works and shows what root sees; nothing
# changes.  Two kinds of caller: the unprivileged user nobody, and root with
# CAP_NET_ADMIN dropped from its capabilities (and bounding set, so exec
# can't get it back).

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl nlbad setpriv cmp
load_vpce

NS=perm
mk_ns "$NS"
tmp=$(mktemp -d) || fail "mktemp"
defer rm -rf "$tmp"
chmod 755 "$tmp"

V=(vpcectl -n "$NS")

ip -n "$NS" link add vb0 type veth peer name vb0p || fail "veth"
ip -n "$NS" link add vb1 type dummy || fail "dummy"
ip -n "$NS" link add vb2 type dummy || fail "dummy"

must "${V[@]}" vpc add vpc1 account 111111111111 dev vb0
must "${V[@]}" vpc add vpc2 account 222222222222 dev vb1
must "${V[@]}" service add svc1 account 333333333333 listener tcp:80:8080 \
	nlb 192.168.10.1 zone az1
must "${V[@]}" service add svc2 account 333333333333 listener udp:53 \
	nlb 192.168.30.1
must "${V[@]}" target add svc1 192.168.10.10 zone az1
must "${V[@]}" service allow svc1 principal '*'
must "${V[@]}" endpoint add ep1 vpc vpc1 service svc1 addr 10.0.0.100 zone az1

snapshot() {
	local o
	for o in vpc service target endpoint; do
		"${V[@]}" -j "$o" show || return 1
	done
}
snapshot >"$tmp/before" || fail "cannot snapshot the state"

# The callers.  setpriv comes with util-linux; `vpcectl -n` would need
# CAP_SYS_ADMIN for setns(), so they are started inside the netns instead.
# shellcheck disable=SC2034 # used through namerefs
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all
	--bounding-set=-all --)
# shellcheck disable=SC2034
NOADMIN=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin --)

CAP_NET_ADMIN=12
# lacks_net_admin CALLER... : the caller's effective capabilities really
# lack CAP_NET_ADMIN.
lacks_net_admin() {
	local eff
	# shellcheck disable=SC2016 # awk's $2
	eff=$(ns_exec "$NS" "$@" awk '/^CapEff:/ { print $2 }' /proc/self/status)
	[ -n "$eff" ] || return 1
	(( (16#$eff >> CAP_NET_ADMIN & 1) == 0 ))
}

nfailed=0

# denied CALLER_VAR ARGS... : `vpcectl ARGS`, run in the netns by the caller,
# must fail with "vpcectl: ...Operation not permitted".
denied() {
	local -n caller=$1
	local who=$1 line rc
	shift
	ns_exec "$NS" "${caller[@]}" vpcectl "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	line=$(grep -m1 '^vpcectl: ' "$tmp/err")
	if [ "$rc" -eq 0 ]; then
		log "FAIL: $who: vpcectl $* succeeded"
	elif ! grep -q 'Operation not permitted' <<<"$line"; then
		log "FAIL: $who: vpcectl $* exited $rc, stderr: $(cat "$tmp/err")"
	else
		log "ok: denied: vpcectl $* -> $line"
		return 0
	fi
	nfailed=$((nfailed + 1))
}

# allowed CALLER_VAR ARGS... : `vpcectl ARGS` works for the caller and prints
# exactly what it prints for root.
allowed() {
	local -n caller=$1
	local who=$1
	shift
	if ! ns_exec "$NS" "${caller[@]}" vpcectl "$@" >"$tmp/out" 2>"$tmp/err"; then
		log "FAIL: $who: vpcectl $* failed: $(cat "$tmp/err")"
		nfailed=$((nfailed + 1))
		return
	fi
	ns_exec "$NS" vpcectl "$@" >"$tmp/root" 2>&1
	if ! cmp -s "$tmp/out" "$tmp/root"; then
		log "FAIL: $who: vpcectl $* prints something else than for root:"
		cat "$tmp/out"
		nfailed=$((nfailed + 1))
		return
	fi
	log "ok: allowed: vpcectl $*"
}

for who in NOBODY NOADMIN; do
	declare -n caller=$who
	lacks_net_admin "${caller[@]}" ||
		fail "$who (${caller[*]}) still has CAP_NET_ADMIN"
	log "--- $who: ${caller[*]}"

	# Well-formed changes that root could make (or that would fail for
	# another reason, which must not be what the caller learns first).
	denied "$who" vpc add vpc9 account 111111111111 dev vb2
	denied "$who" vpc del vpc2
	denied "$who" vpc del vpc1
	denied "$who" service add svc9 account 333333333333 listener tcp:80 \
		nlb 192.168.40.1
	denied "$who" service del svc2
	denied "$who" target add svc1 192.168.10.11 zone az1
	denied "$who" target del svc1 192.168.10.10
	denied "$who" endpoint add ep9 vpc vpc2 service svc1 addr 10.0.0.101 zone az1
	denied "$who" endpoint del ep1

	for o in vpc service target endpoint; do
		allowed "$who" "$o" show
		allowed "$who" -j "$o" show
	done
	allowed "$who" -j vpc show vpc1
	allowed "$who" -j service show svc1
	allowed "$who" -j target show svc1
	allowed "$who" -j endpoint show ep1

	# The same at the netlink level: every state-changing command, valid
	# and malformed, gets EPERM; every GET works.
	ns_exec "$NS" "${caller[@]}" nlbad -d vb2 -v vpc1 -s svc1 -e ep1 \
		-t 192.168.10.10 perm
	rc=$?
	if [ "$rc" -ne 0 ]; then
		log "FAIL: $who: nlbad perm exited $rc"
		nfailed=$((nfailed + 1))
	fi
	unset -n caller
done

snapshot >"$tmp/after" || fail "cannot snapshot the state afterwards"
if ! cmp -s "$tmp/before" "$tmp/after"; then
	log "state before:"
	cat "$tmp/before"
	log "state after:"
	cat "$tmp/after"
	fail "unprivileged callers changed the state"
fi
log "state unchanged"

[ "$nfailed" -eq 0 ] || fail "$nfailed permission checks misbehaved"
exit 0
