#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The target selection code itself: kmod/vpce_maglev.c built as a userspace
# program (selftests/maglev) prints its balance and disruption figures and
# checks them (see maglev.c): slots per target within one of the weight's
# share, all of a removed target's slots and at most 1% of the table moving
# when one target goes or comes, the same table whatever the order targets
# were added in.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_cmd maglev
maglev || fail "Maglev figures out of bounds (see above)"
exit 0
