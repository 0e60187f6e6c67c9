#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One rule for every command, reads and the events group included:
# CAP_NET_ADMIN in the user namespace that owns the network namespace.
#
#  - Without it, every vpcectl command (shows, connection/flow/stats/dns
#    show, policy simulate, monitor, save, and every change) fails with
#    "Operation not permitted", and so does every netlink request (nlbad
#    perm); nothing changes.  Three kinds of caller: the unprivileged user
#    nobody; root with CAP_NET_ADMIN dropped (and from its bounding set, so
#    exec can't get it back); nobody as root of a user namespace of its
#    own, in the root-owned netns: the capability counts only in the
#    netns's owner.
#  - A user namespace manages a network namespace it owns, as with
#    WireGuard: nobody, after "unshare -U -r -n", adds a VPC there, shows
#    it, simulates a policy and joins the events group.

# timeout: 600

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd vpcectl nlbad setpriv cmp unshare timeout
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
must "${V[@]}" principal add vpc1 prefix 10.0.0.0/28 arn arn:aws:iam::111111111111:role/r1
printf '%s' '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}' \
	>"$tmp/policy.json"
"${V[@]}" save >"$tmp/batch" || fail "save"

snapshot() {
	local o
	for o in vpc service target endpoint principal; do
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
# nobody, root in a user namespace of its own: CAP_NET_ADMIN there, not in
# the user namespace that owns the netns (the initial one).
# shellcheck disable=SC2034
USERNS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --
	unshare --user --map-root-user --)

# Unprivileged user namespaces: Debian's switch, where the kernel has it.
if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
	old=$(cat /proc/sys/kernel/unprivileged_userns_clone)
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone ||
		fail "cannot allow unprivileged user namespaces"
	defer sh -c "echo $old >/proc/sys/kernel/unprivileged_userns_clone"
fi
ns_exec "$NS" "${USERNS[@]}" true ||
	fail "nobody cannot make a user namespace"

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
	# timeout: a monitor that joined the group would wait forever.
	ns_exec "$NS" "${caller[@]}" timeout 20 vpcectl "$@" >"$tmp/out" 2>"$tmp/err"
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

for who in NOBODY NOADMIN USERNS; do
	declare -n caller=$who
	if [ "$who" = USERNS ]; then
		# Root of its own user namespace: every capability, there.
		! lacks_net_admin "${caller[@]}" ||
			fail "$who (${caller[*]}) has no CAP_NET_ADMIN at all"
	else
		lacks_net_admin "${caller[@]}" ||
			fail "$who (${caller[*]}) still has CAP_NET_ADMIN"
	fi
	log "--- $who: ${caller[*]}"

	# Every command class, for nobody; a few for the others (nlbad
	# below sends them every netlink command).
	if [ "$who" = NOBODY ]; then
		# Well-formed changes that root could make (or that would
		# fail for another reason, which must not be what the caller
		# learns first).
		denied "$who" vpc add vpc9 account 111111111111 dev vb2
		denied "$who" vpc del vpc2
		denied "$who" service add svc9 account 333333333333 \
			listener tcp:80 nlb 192.168.40.1
		denied "$who" service set svc1 cross-zone on
		denied "$who" service allow svc1 principal 444444444444
		denied "$who" service disallow svc1 principal '*'
		denied "$who" service del svc2
		denied "$who" target add svc1 192.168.10.11 zone az1
		denied "$who" target set svc1 192.168.10.10 weight 5
		denied "$who" target del svc1 192.168.10.10
		denied "$who" endpoint add ep9 vpc vpc2 service svc1 \
			addr 10.0.0.101 zone az1
		denied "$who" endpoint set ep1 policy "$tmp/policy.json"
		denied "$who" endpoint del ep1
		denied "$who" connection reject svc1 ep1
		denied "$who" connection accept svc1 ep1
		denied "$who" principal add vpc1 prefix 10.0.0.16/28 \
			arn 111111111111
		denied "$who" principal del vpc1 prefix 10.0.0.0/28
		denied "$who" flow flush
		denied "$who" flush
		denied "$who" restore "$tmp/batch"
		# Every read: the objects name every tenant's accounts,
		# ARNs and addresses.
		for o in service target principal connection flow stats dns; do
			denied "$who" "$o" show
		done
		denied "$who" endpoint show ep1
		denied "$who" stats show format prometheus
		denied "$who" save
	else
		denied "$who" vpc del vpc1
		denied "$who" service del svc2
	fi
	denied "$who" -j vpc show
	denied "$who" endpoint show
	denied "$who" policy simulate document "$tmp/policy.json" \
		principal 111111111111 action vpce:Connect resource x
	denied "$who" monitor

	# The same at the netlink level: every command, valid and malformed,
	# gets EPERM from genetlink before the module sees it.
	ns_exec "$NS" "${caller[@]}" nlbad -d vb2 -v vpc1 -s svc1 -e ep1 \
		-t 192.168.10.10 perm
	rc=$?
	if [ "$rc" -ne 0 ]; then
		log "FAIL: $who: nlbad perm exited $rc"
		nfailed=$((nfailed + 1))
	fi
	unset -n caller
done

# --- a user namespace manages the netns it owns -----------------------------

# In nobody's own user and network namespaces: a device, a VPC on it, the
# VPC shown, a simulation, the events group joined (the monitor still runs
# when timeout stops it: exit 124), the VPC deleted.
cat >"$tmp/owned.sh" <<'EOF'
set -e
ip link add od0 type dummy
vpcectl vpc add ovpc account 555555555555 dev od0
vpcectl -j vpc show | grep -q '"ovpc"'
vpcectl policy simulate document "$1" principal 555555555555 \
	action vpce:Connect resource x | grep -qx allowed
set +e
timeout 2 vpcectl monitor
rc=$?
[ "$rc" -eq 124 ] || { echo "monitor exited $rc"; exit 1; }
set -e
vpcectl vpc del ovpc
# Its own table's limit, but not past the default: the flows are the host's
# memory, which the host's administrator gives out.
vpcectl flow set limit 1000
if vpcectl flow set limit 1000000; then echo "limit past the default taken"; exit 1; fi
EOF
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
	unshare --user --map-root-user --net -- \
	bash -x "$tmp/owned.sh" "$tmp/policy.json" 2>&1); then
	log "ok: a user namespace manages the netns it owns"
else
	log "FAIL: nobody could not manage vpce in its own user and network namespaces:"
	log "$out"
	nfailed=$((nfailed + 1))
fi

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
