# SPDX-License-Identifier: GPL-2.0
#
# make          build kmod/vpce.ko and userspace/vpcectl
# make check    install what is missing, build, run selftests/ in the VM
# make demo     install what is missing, build, play the demo in the VM
# make lint     checkpatch --strict on kmod/, cppcheck on userspace/

# The kernel to build for: the running kernel's build tree when it has one,
# else the newest installed one. Never `uname -r` alone: the build machine's
# own kernel is not the one the VM runs.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

TOP := $(CURDIR)
SRCDIR ?= /var/cache/vpce/linux-source-6.1

.PHONY: all module userspace selftests-bin clean check demo lint deps

all: module userspace

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-amd64 (scripts/install-deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

userspace:
	$(MAKE) -C userspace

selftests-bin:
	$(MAKE) -C selftests

deps:
	scripts/install-deps

check: deps
	$(MAKE) all selftests-bin
	scripts/vm-run -- selftests/run

demo: deps
	$(MAKE) all
	scripts/vm-run -- scripts/demo

lint: deps
	scripts/lint

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build
