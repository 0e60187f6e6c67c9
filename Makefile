# SPDX-License-Identifier: GPL-2.0
#
# make          build kmod/vpce.ko and userspace/vpcectl
# make check    install what is missing, build, check-install (below), the
#               policy evaluator against its reference (selftests/policyeval,
#               on this machine), fuzz the policy parser briefly
#               (scripts/fuzz-policy), run selftests/ in the VM
# make demo     install what is missing, build, play the demo in the VM
# make lint     checkpatch --strict on kmod/, cppcheck on userspace/, the
#               include check of kmod/ and its lengths (below)
# make layers   the include check: no file of kmod/ includes a header of a
#               higher layer, layers 1-3 no netlink header (kmod/LAYERS)
# make funclen  function lengths of kmod/ (p90 <= 60 lines) and file
#               lengths (<= 900 lines); userspace/ for information
# make W=1      the module with the kernel's extra warnings (clean today)
# make VPCE_WERROR=1
#               the module with warnings as errors (make check sets it)
# make check KERNEL=debug
#               the suite on a KASAN/UBSAN/lockdep/kmemleak kernel built
#               once from linux-source-6.1 (scripts/debug-kernel; cached)
# make soak     long runs kept out of make check (half an hour of the
#               concurrency stress, VPCE_STRESS_SECS; the full proxy
#               protocol loss run, 1000 connections per family)
# make fuzz     the policy parser under libFuzzer for POLICY_FUZZ_SECONDS on
#               the build machine, then the long netlink fuzzer run
#               (NLFUZZ_COUNT messages) in the VM (VM_SMP=4), with traffic
#               and configuration churn alongside
# make bench    benchmarks vs plain/conntrack/nft/ipvs/iptables in the VM;
#               JSON to $(BENCH_JSON)
# make install  install the module, vpcectl, vpced, man pages, bash
#               completion and systemd units (DESTDIR= for a staging tree)
# make modules_install  the module only, by the kernel's modules_install:
#               /lib/modules/KVER/extra/vpce.ko, then depmod (INSTALL_MOD_PATH=
#               for a staging tree, INSTALL_MOD_DIR= for another directory)
# make install-dkms     the module's sources in /usr/src for dkms(8)
# make check-install    test install, modules_install and `dkms build` on
#               the build machine, and that every part has the VERSION

# The kernel to build for: the running kernel's build tree when it has one,
# else the newest installed one. Never `uname -r` alone: the build machine's
# own kernel is not the one the VM runs.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

TOP := $(CURDIR)
SRCDIR ?= /var/cache/vpce/linux-source-6.1

# One version for everything (kmod/Kbuild, userspace/Makefile and dkms.conf
# read it); not named VERSION, which is the kernel's own in Kbuild.
VPCE_VERSION := $(shell cat $(TOP)/VERSION)
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DESTDIR ?=
SBINDIR ?= /usr/sbin
MANDIR ?= /usr/share/man
UNITDIR ?= /lib/systemd/system
COMPLETIONDIR ?= /usr/share/bash-completion/completions
INSTALL ?= install

.PHONY: all module userspace selftests-bin clean check check-debug demo lint deps soak \
	install install-dkms check-install fuzz bench layers funclen modules_install

all: module userspace

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-amd64 (scripts/install-deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# The kernel's own modules_install: vpce.ko in
# $(INSTALL_MOD_PATH)/lib/modules/KVER/$(INSTALL_MOD_DIR) (extra/ unless
# told; INSTALL_MOD_STRIP= too), then depmod on that tree.
# - It runs on M=kmod, whose modules.order names vpce.ko, so the module
#   lands in extra/vpce.ko as with make install and dkms (on M=$(TOP), the
#   directory of the build, it would be extra/kmod/vpce.ko).
# - Debian's config signs modules at install (CONFIG_MODULE_SIG_ALL) but its
#   headers have no signing key; kbuild ignores sign-file's failure for
#   external modules, so signing is turned off here when there is no key,
#   rather than printing its SSL errors.
# - Kbuild skips depmod where there is no System.map (headers have none),
#   so depmod runs here, with -b on a staging tree.
DEPMOD ?= /sbin/depmod
MODINST_FLAGS = $(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(abspath $(INSTALL_MOD_PATH))) \
	$(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)
modules_install: module
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR); set KVER=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod $(MODINST_FLAGS) modules_install
	$(DEPMOD) -b "$(or $(abspath $(INSTALL_MOD_PATH)),/)" $(KVER)

userspace:
	$(MAKE) -C userspace

selftests-bin:
	$(MAKE) -C selftests

deps:
	scripts/install-deps

# The policy parser's fuzzer runs this long in make check (its own build
# comes on top), and POLICY_FUZZ_SECONDS in make fuzz.
CHECK_FUZZ_SECONDS ?= 25
POLICY_FUZZ_SECONDS ?= 600

# make check (CI) builds the module with warnings as errors: exported, so
# that check-install's builds, dkms's among them, use the same flags (a
# change of flags makes kbuild rebuild every object).
check: export VPCE_WERROR = 1
# The suite's tests of a real guest NIC (90-guest-nic) need a tenant guest
# beside the test VM (scripts/vm-run): one, idle but for those tests.
ifeq ($(KERNEL),debug)
check: deps
	$(MAKE) check-debug
else
check: deps
	$(MAKE) all selftests-bin
	scripts/layers
	scripts/check-install
	$(MAKE) -C userspace check
	selftests/policyeval
	scripts/fuzz-policy $(CHECK_FUZZ_SECONDS)
	VM_TENANT=$${VM_TENANT:-1} scripts/vm-run -- selftests/run $(TESTS)
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
	selftests/policyeval && \
	VM_APPEND="panic_on_warn=1" VM_MEM=$${VM_MEM:-3G} VM_TIMEOUT=$${VM_TIMEOUT:-14400} \
	VPCE_TIMEOUT_SCALE=$(DEBUG_TIMEOUT_SCALE) \
		scripts/vm-run --kernel "$$dir/install/vmlinuz-$$kver" -- selftests/run $(TESTS)

# Long runs that are not in `make check`: the concurrency stress for half
# an hour (VPCE_STRESS_SECS) on 4 vCPUs, and the flow table at its hard
# limit after it; before them the proxy protocol loss run in full
# (38-proxy-protocol: 1000 connections of up to 4 MiB per family, which
# VPCE_SOAK=1 turns on).
VPCE_STRESS_SECS ?= 1800
soak: deps
	$(MAKE) all selftests-bin
	VPCE_SOAK=1 VPCE_STRESS_SECS=$(VPCE_STRESS_SECS) VM_SMP=$${VM_SMP:-4} \
	VM_MEM=$${VM_MEM:-3G} VM_TIMEOUT=$${VM_TIMEOUT:-10800} \
		scripts/vm-run -- selftests/run 38-proxy-protocol 59-stress 65-big-table 69-many-devs

NLFUZZ_COUNT ?= 1000000
fuzz: deps
	$(MAKE) all selftests-bin
	scripts/fuzz-policy $(POLICY_FUZZ_SECONDS)
	VPCE_NLFUZZ_COUNT=$(NLFUZZ_COUNT) VM_TIMEOUT=$${VM_TIMEOUT:-14400} \
	VM_SMP=$${VM_SMP:-4} \
		scripts/vm-run -- selftests/run 50-nlfuzz

# The instruction profiler plugin for qemu (VPCE_BENCH_PERF=1 make bench;
# VPCE_BENCH_TLB=BITS adds its TLB model).
build/tcg-prof.so: scripts/tcg-prof.c
	@mkdir -p build
	$(CC) -Wall -Wextra -O2 -shared -fPIC -o $@ $< -lpthread

comma := ,
# With VPCE_BENCH_PERF=1 the instruction profile is reported before the JSON
# is copied: its ratios with a KEY= go into bench.json too (proxy_protocol:
# instructions per connection with PROXY protocol on, vpce-pp, and off;
# sg_rules: with an SG of 10,000 rules, vpce-sg10k, and of one, vpce-sg1;
# flow_log: with flow logs on, vpce-fl, and off).
BENCH_JSON ?= $(TOP)/build/bench.json
bench: deps build/tcg-prof.so
	$(MAKE) all selftests-bin
	rm -rf build/bench-out
	VM_OUTDIR=$(TOP)/build/bench-out \
	VM_PROF=$(if $(filter 1,$(VPCE_BENCH_PERF)),build/tcg-prof.so) \
	VM_PROF_ARGS=cpus=1$(if $(VPCE_BENCH_TLB),$(comma)tlb=$(VPCE_BENCH_TLB)) \
		scripts/vm-run -- scripts/bench
	@if [ "$(VPCE_BENCH_PERF)" = 1 ]; then \
		cd build/bench-out && $(TOP)/scripts/tcg-prof-report \
			--per $${VPCE_BENCH_PROF_CONNS:-2000} --ratio 'vpce-4kdev/vpce<=1.02' \
			--ratio 'proxy_protocol=vpce-pp/vpce<=1.05' \
			--ratio 'sg_rules=vpce-sg10k/vpce-sg1<=1.05' \
			--ratio 'flow_log=vpce-fl/vpce<=1.1' --json bench.json \
			$$(for f in *.tcgprof; do echo "$${f%.tcgprof}=$$f"; done) >profile.txt && \
		echo "bench: instruction profile in build/bench-out/profile.txt"; fi
	mkdir -p $(dir $(BENCH_JSON))
	cp build/bench-out/bench.json $(BENCH_JSON)
	@echo "bench: JSON in $(BENCH_JSON)"

demo: deps
	$(MAKE) all
	scripts/vm-run -- scripts/demo

lint: deps
	scripts/lint

layers:
	scripts/layers

funclen:
	scripts/funclen --userspace

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

# dkms.conf is written from dkms.conf.in with the version of VERSION.
dkms.conf: dkms.conf.in VERSION
	sed 's/@VERSION@/$(VPCE_VERSION)/g' $< >$@.tmp && mv $@.tmp $@

# The sources dkms builds from: /usr/src/vpce-VERSION (not the generated
# kmod/vpce.mod.c, which a previous build may have left).
DKMS_SRC = $(DESTDIR)/usr/src/vpce-$(VPCE_VERSION)
install-dkms: dkms.conf
	$(INSTALL) -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	$(INSTALL) -m 644 dkms.conf Kbuild VERSION $(DKMS_SRC)/
	$(INSTALL) -m 644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h $(DKMS_SRC)/kmod/
	$(INSTALL) -m 644 include/uapi/linux/vpce.h $(DKMS_SRC)/include/uapi/linux/

check-install:
	scripts/check-install

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build dkms.conf
