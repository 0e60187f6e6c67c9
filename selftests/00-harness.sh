#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test VM itself: the kernel's module autoloading works, the freshly
# built vpce loads with its netfilter dependencies, registers the "vpce"
# generic netlink family with one op per command in the uapi header (state
# changing ones admin-only), and unloads and loads again cleanly.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd modprobe modinfo genl-ctrl-list

# request_module() must reach modprobe and our modules.dep: everything the
# tests do with ip/nft/ipvsadm relies on it.
mk_ns harness
ip -n harness link add d0 type dummy || fail "request_module: dummy did not autoload"
[ -d /sys/module/dummy ] || fail "dummy module not loaded"

ko=$REPO/kmod/vpce.ko
[ -f "$ko" ] || fail "kmod/vpce.ko is not built"

load_vpce
log "loaded $(modinfo -n vpce)"

# The module the VM loads must be the one just built, not a stale copy.
[ "$(cat /sys/module/vpce/srcversion 2>/dev/null)" = "$(modinfo -F srcversion "$ko")" ] ||
	fail "loaded vpce is not $ko"

for dep in nf_conntrack nf_nat; do
	[ -e "/sys/module/$dep/holders/vpce" ] ||
		fail "$dep is not loaded as a dependency of vpce"
done

# Commands the uapi header declares: "ID NAME" per line; not those the
# kernel only sends ("notifications only", e.g. VPCE_CMD_FLOW_LOG), which
# are no op of the family.
header_cmds() {
	awk '
		/^enum vpce_cmd \{/ { on = 1; n = -1; next }
		on && /^\}/ { exit }
		on && match($0, /^[ \t]*VPCE_CMD_[A-Z0-9_]+/) {
			name = substr($0, RSTART, RLENGTH)
			sub(/^[ \t]*VPCE_CMD_/, "", name)
			if (match($0, /= *[0-9]+/))
				n = substr($0, RSTART + 1) + 0 - 1
			n++
			if (name != "UNSPEC" && $0 !~ /notifications only/)
				print n, name
		}' "$REPO/include/uapi/linux/vpce.h"
}

# The family's ops as genl-ctrl-list -d shows them: "ID FLAGS" per line,
# e.g. "4 admin_perm,has_doit,has_policy".
family_ops() {
	local hex flags
	genl-ctrl-list -d | awk '
		/^0x/ { on = ($2 == "vpce"); next }
		on && $1 == "op" && match($0, /\(0x[0-9a-f]+\)/) {
			id = substr($0, RSTART + 1, RLENGTH - 2)
			flags = $0; sub(/.*</, "", flags); sub(/>.*/, "", flags)
			print id, flags
		}' | while read -r hex flags; do
		echo "$((hex)) $flags"
	done
}

check_family() {
	local ops cmds id name flags
	cmds=$(header_cmds)
	[ -n "$cmds" ] || fail "no commands found in enum vpce_cmd"
	genl-ctrl-list | grep -qw vpce || fail "genl family vpce not registered"
	ops=$(family_ops)
	[ -n "$ops" ] || fail "family vpce has no ops"
	while read -r id name; do
		flags=$(awk -v i="$id" '$1 == i { print $2 }' <<<"$ops")
		[ -n "$flags" ] || fail "VPCE_CMD_$name ($id) is not an op of the family"
		# Every op is GENL_UNS_ADMIN_PERM (CAP_NET_ADMIN in the netns's
		# owner), which libnl does not print; GENL_ADMIN_PERM (the
		# initial user namespace) would lock containers out.
		# 21-permissions checks that each is refused without it.
		[[ $flags != *admin_perm* ]] ||
			fail "VPCE_CMD_$name is GENL_ADMIN_PERM, not GENL_UNS_ADMIN_PERM"
	done <<<"$cmds"
	log "family vpce: $(wc -l <<<"$ops") ops"
}

check_family

rmmod vpce || fail "rmmod vpce"
[ ! -d /sys/module/vpce ] || fail "vpce still loaded after rmmod"
! genl-ctrl-list | grep -qw vpce || fail "family vpce still registered after rmmod"

modprobe vpce || fail "modprobe vpce after rmmod"
check_family
exit 0
