# SPDX-License-Identifier: GPL-2.0
#
# make          build kmod/vpce.ko and userspace/vpcectl
# make check    install what is missing, build, check-install (below), run
#               selftests/ in the VM
# make demo     install what is missing, build, play the demo in the VM
# make lint     checkpatch --strict on kmod/, cppcheck on userspace/
# make check KERNEL=debug
#               the suite on a KASAN/UBSAN/lockdep/kmemleak kernel built
#               once from linux-source-6.1 (scripts/debug-kernel; cached)
# make soak     long runs kept out of make check (half an hour of the
#               concurrency stress, VPCE_STRESS_SECS)
# make fuzz     the long netlink fuzzer run (NLFUZZ_COUNT messages) in the VM
#               (VM_SMP=4), with traffic and configuration churn alongside
# make bench    benchmarks vs plain/conntrack/nft/ipvs/iptables in the VM;
#               JSON to $(BENCH_JSON)
# make install  install the module, vpcectl, vpced, man pages, bash
#               completion and systemd units (DESTDIR= for a staging tree)
# make install-dkms     the module's sources in /usr/src for dkms(8)
# make check-install    test both (and `dkms build`) on the build machine

# The kernel to build for: the running kernel's build tree when it has one,
# else the newest installed one. Never `uname -r` alone: the build machine's
# own kernel is not the one the VM runs.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

TOP := $(CURDIR)
SRCDIR ?= /var/cache/vpce/linux-source-6.1

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DESTDIR ?=
SBINDIR ?= /usr/sbin
MANDIR ?= /usr/share/man
UNITDIR ?= /lib/systemd/system
COMPLETIONDIR ?= /usr/share/bash-completion/completions
INSTALL ?= install

.PHONY: all module userspace selftests-bin clean check check-debug demo lint deps soak \
	install install-dkms check-install fuzz bench

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

ifeq ($(KERNEL),debug)
check: deps
	$(MAKE) check-debug
else
check: deps
	$(MAKE) all selftests-bin
	scripts/check-install
	scripts/vm-run -- selftests/run $(TESTS)
endif

# The debug kernel: built (or found in the cache) by scripts/debug-kernel,
# vpce.ko built against it, the suite run on it with panic_on_warn, ending
# with 99-kmemleak.  KASAN and lockdep make everything several times slower
# under emulation, hence the longer timeouts.
DEBUG_TIMEOUT_SCALE ?= 4
check-debug:
	@dir=$$(scripts/debug-kernel) && \
	kver=$$(cat "$$dir/include/config/kernel.release") && \
	$(MAKE) KDIR="$$dir" all selftests-bin && \
	VM_APPEND="panic_on_warn=1" VM_MEM=$${VM_MEM:-3G} VM_TIMEOUT=$${VM_TIMEOUT:-14400} \
	VPCE_TIMEOUT_SCALE=$(DEBUG_TIMEOUT_SCALE) \
		scripts/vm-run --kernel "$$dir/install/vmlinuz-$$kver" -- selftests/run $(TESTS)

# Long runs that are not in `make check`: the concurrency stress for half
# an hour (VPCE_STRESS_SECS) on 4 vCPUs, and the flow table at its hard
# limit after it.
VPCE_STRESS_SECS ?= 1800
soak: deps
	$(MAKE) all selftests-bin
	VPCE_SOAK=1 VPCE_STRESS_SECS=$(VPCE_STRESS_SECS) VM_SMP=$${VM_SMP:-4} \
	VM_MEM=$${VM_MEM:-3G} VM_TIMEOUT=$${VM_TIMEOUT:-7200} \
		scripts/vm-run -- selftests/run 59-stress 65-big-table

NLFUZZ_COUNT ?= 1000000
fuzz: deps
	$(MAKE) all selftests-bin
	VPCE_NLFUZZ_COUNT=$(NLFUZZ_COUNT) VM_TIMEOUT=$${VM_TIMEOUT:-14400} \
	VM_SMP=$${VM_SMP:-4} \
		scripts/vm-run -- selftests/run 50-nlfuzz

# The instruction profiler plugin for qemu (VPCE_BENCH_PERF=1 make bench;
# VPCE_BENCH_TLB=BITS adds its TLB model).
build/tcg-prof.so: scripts/tcg-prof.c
	@mkdir -p build
	$(CC) -Wall -Wextra -O2 -shared -fPIC -o $@ $< -lpthread

comma := ,
BENCH_JSON ?= $(TOP)/build/bench.json
bench: deps build/tcg-prof.so
	$(MAKE) all selftests-bin
	rm -rf build/bench-out
	VM_OUTDIR=$(TOP)/build/bench-out \
	VM_PROF=$(if $(filter 1,$(VPCE_BENCH_PERF)),build/tcg-prof.so) \
	VM_PROF_ARGS=cpus=1$(if $(VPCE_BENCH_TLB),$(comma)tlb=$(VPCE_BENCH_TLB)) \
		scripts/vm-run -- scripts/bench
	mkdir -p $(dir $(BENCH_JSON))
	cp build/bench-out/bench.json $(BENCH_JSON)
	@echo "bench: JSON in $(BENCH_JSON)"
	@if [ "$(VPCE_BENCH_PERF)" = 1 ]; then \
		cd build/bench-out && $(TOP)/scripts/tcg-prof-report \
			--per $${VPCE_BENCH_PROF_CONNS:-2000} \
			$$(for f in *.tcgprof; do echo "$${f%.tcgprof}=$$f"; done) >profile.txt && \
		echo "bench: instruction profile in build/bench-out/profile.txt"; fi

demo: deps
	$(MAKE) all
	scripts/vm-run -- scripts/demo

lint: deps
	scripts/lint

install: all
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR); set KVER=" >&2; exit 1; }
	$(INSTALL) -D -m 644 kmod/vpce.ko $(DESTDIR)/lib/modules/$(KVER)/extra/vpce.ko
	$(INSTALL) -D -m 755 userspace/vpcectl $(DESTDIR)$(SBINDIR)/vpcectl
	$(INSTALL) -D -m 755 userspace/vpced $(DESTDIR)$(SBINDIR)/vpced
	$(INSTALL) -D -m 644 Documentation/vpcectl.8 $(DESTDIR)$(MANDIR)/man8/vpcectl.8
	$(INSTALL) -D -m 644 Documentation/vpced.8 $(DESTDIR)$(MANDIR)/man8/vpced.8
	$(INSTALL) -D -m 644 scripts/vpcectl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/vpcectl
	$(INSTALL) -D -m 644 userspace/vpced.service $(DESTDIR)$(UNITDIR)/vpced.service
	$(INSTALL) -D -m 644 userspace/vpced@.service $(DESTDIR)$(UNITDIR)/vpced@.service
	$(INSTALL) -D -m 644 userspace/vpce-restore.service $(DESTDIR)$(UNITDIR)/vpce-restore.service
	$(INSTALL) -d -m 755 $(DESTDIR)/etc/vpce
	test -n "$(DESTDIR)" || depmod -a $(KVER)

# The sources dkms builds from: /usr/src/vpce-VERSION.
install-dkms:
	$(INSTALL) -d $(DESTDIR)/usr/src/vpce-$(VERSION)/kmod $(DESTDIR)/usr/src/vpce-$(VERSION)/include/uapi/linux
	$(INSTALL) -m 644 dkms.conf Kbuild $(DESTDIR)/usr/src/vpce-$(VERSION)/
	$(INSTALL) -m 644 kmod/Kbuild kmod/*.c kmod/*.h $(DESTDIR)/usr/src/vpce-$(VERSION)/kmod/
	$(INSTALL) -m 644 include/uapi/linux/vpce.h $(DESTDIR)/usr/src/vpce-$(VERSION)/include/uapi/linux/

check-install:
	scripts/check-install

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build
