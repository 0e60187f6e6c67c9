// SPDX-License-Identifier: GPL-2.0
/*
 * tcg-prof: a QEMU TCG plugin that counts the guest instructions executed at
 * each address, between a start and a stop the guest asks for.
 *
 * perf cannot profile the test VM: TCG emulates no PMU, and timer samples of
 * a busy vCPU land in the idle loop. The emulator itself knows exactly what
 * it runs, though. Every translation block (TB) gets an inline counter of
 * its executions; executions times the block's instructions, summed by
 * symbol (scripts/tcg-prof-report, with the guest's /proc/kallsyms), is an
 * instruction profile of the whole guest, kernel and user space. Under TCG
 * time is close to proportional to instructions, and unlike time the count
 * does not depend on what else the build machine runs: two builds can be
 * compared to a fraction of a percent in one short run.
 *
 * Control, through the run's writable 9p share (scripts/vm-run, VM_PROF=1):
 * the guest writes "SEQ start" or "SEQ stop NAME" to DIR/tcgprof.ctl; the
 * plugin polls it, takes the snapshot (start) or writes DIR/NAME.tcgprof
 * (stop: "vaddr instructions-per-execution executions tlb-misses e0 e1 e2
 * e3" per block, the last four the executions per vCPU; what is not
 * measured is 0), and then writes SEQ to DIR/tcgprof.ack, which the guest
 * waits for.
 *
 * With tlb=BITS, it also models the emulator's TLB, to show what an
 * instruction count cannot: under TCG every guest memory access goes
 * through a software TLB, and a miss costs a page walk in C, so code that
 * touches many pages costs more per instruction than code that does not.
 * The model is a direct-mapped TLB of 2^BITS 4 KiB pages per vCPU, emptied
 * whenever the guest writes CR3 (QEMU 7.2 flushes its whole TLB then: it
 * keeps no PCIDs); each miss is charged to the block that made the access.
 * Every memory access then calls into the plugin: the guest runs several
 * times slower.
 *
 * With cpus=1, executions are also counted per vCPU (the first three on
 * their own, any others together as the fourth), through a callback rather
 * than an inline add: with the client pinned to one vCPU and the server to
 * the other, that shows which side a mode's work lands on. The packets a
 * process sends are processed by the host's stack on the sender's CPU, in
 * softirq context, so a client-bound workload is bound by the client's
 * vCPU, which also carries the host's work in the client's direction.
 *
 * The counters are plain adds from both vCPUs, not atomic: two vCPUs
 * running one block at the same instant can lose a count. The figures are
 * a profile, not an audit.
 *
 * QEMU (7.2 in Debian 12) ships no development header for plugins; the few
 * declarations below are the stable C API of version 1 that this uses.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- QEMU plugin API, version 1 ----------------------------------------- */

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;

enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
enum qemu_plugin_mem_rw {
	QEMU_PLUGIN_MEM_R = 1,
	QEMU_PLUGIN_MEM_W,
	QEMU_PLUGIN_MEM_RW,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
					  qemu_plugin_meminfo_t info,
					  uint64_t vaddr, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
				      qemu_plugin_vcpu_mem_cb_t cb,
				      enum qemu_plugin_cb_flags flags,
				      enum qemu_plugin_mem_rw rw,
				      void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* --- counters ------------------------------------------------------------ */

/* One per translation: a block translated again gets a new one. */
struct block {
	uint64_t vaddr;
	uint64_t execs;		/* the inline counter */
	uint64_t base;		/* execs at the last start */
	uint64_t misses;	/* of the TLB model */
	uint64_t mbase;
	uint64_t cpu[4];	/* executions per vCPU, with cpus=1 */
	uint64_t cpubase[4];
	uint32_t insns;
};

#define CHUNK 65536
#define MAXCHUNKS 4096

/* Fixed, so that a dump can walk it while a vCPU adds a chunk. */
static struct block *chunks[MAXCHUNKS];
static size_t nchunks, nblocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char dir[4096];

/* The TLB model: per vCPU, the page (+ 1; 0 is empty) each entry holds. */
#define MAXVCPUS 64
static unsigned int tlb_bits;
static bool per_cpu;
static uint64_t *tlb[MAXVCPUS];

static void tlb_access(unsigned int vcpu, qemu_plugin_meminfo_t info,
		       uint64_t vaddr, void *udata)
{
	uint64_t page = (vaddr >> 12) + 1;
	struct block *b = udata;
	uint64_t *e;

	(void)info;
	if (vcpu >= MAXVCPUS || !tlb[vcpu])
		return;
	e = &tlb[vcpu][page & ((1ULL << tlb_bits) - 1)];
	if (*e != page) {
		*e = page;
		b->misses++;
	}
}

static void tlb_flush(unsigned int vcpu, void *udata)
{
	(void)udata;
	if (vcpu < MAXVCPUS && tlb[vcpu])
		memset(tlb[vcpu], 0, sizeof(uint64_t) << tlb_bits);
}

static void cpu_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	b->cpu[vcpu < 3 ? vcpu : 3]++;
}

/* mov %reg, %cr3: 0f 22 /r with reg field 3, after an optional REX. */
static bool writes_cr3(struct qemu_plugin_insn *insn)
{
	const uint8_t *p = qemu_plugin_insn_data(insn);
	size_t n = qemu_plugin_insn_size(insn);

	if (n >= 1 && (p[0] & 0xf0) == 0x40) {
		p++;
		n--;
	}
	return n >= 3 && p[0] == 0x0f && p[1] == 0x22 && ((p[2] >> 3) & 7) == 3;
}

static void tlb_instrument(struct qemu_plugin_tb *tb, struct block *b)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (writes_cr3(insn))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, tlb_flush,
					QEMU_PLUGIN_CB_NO_REGS, NULL);
		qemu_plugin_register_vcpu_mem_cb(insn, tlb_access,
				QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, b);
	}
}

/* Translation runs on the vCPU threads, possibly both at once. */
static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = NULL;

	(void)id;
	pthread_mutex_lock(&lock);
	if (nblocks == nchunks * CHUNK && nchunks < MAXCHUNKS) {
		chunks[nchunks] = calloc(CHUNK, sizeof(struct block));
		if (chunks[nchunks])
			nchunks++;
	}
	if (nblocks < nchunks * CHUNK) {
		b = &chunks[nblocks / CHUNK][nblocks % CHUNK];
		b->vaddr = qemu_plugin_tb_vaddr(tb);
		b->insns = qemu_plugin_tb_n_insns(tb);
		nblocks++;
	}
	pthread_mutex_unlock(&lock);
	/* Out of memory: that block goes uncounted; the guest runs on. */
	if (!b)
		return;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
	if (tlb_bits)
		tlb_instrument(tb, b);
	if (per_cpu)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, cpu_exec,
						     QEMU_PLUGIN_CB_NO_REGS, b);
}

static void each_block(void (*fn)(struct block *b, void *arg), void *arg)
{
	size_t i, n;

	pthread_mutex_lock(&lock);
	n = nblocks;
	pthread_mutex_unlock(&lock);
	/* Blocks below n are complete: they are only ever appended. */
	for (i = 0; i < n; i++)
		fn(&chunks[i / CHUNK][i % CHUNK], arg);
}

static void snap(struct block *b, void *arg)
{
	(void)arg;
	b->base = __atomic_load_n(&b->execs, __ATOMIC_RELAXED);
	b->mbase = __atomic_load_n(&b->misses, __ATOMIC_RELAXED);
	memcpy(b->cpubase, b->cpu, sizeof(b->cpu));
}

static void dump_one(struct block *b, void *arg)
{
	uint64_t d = __atomic_load_n(&b->execs, __ATOMIC_RELAXED) - b->base;
	uint64_t m = __atomic_load_n(&b->misses, __ATOMIC_RELAXED) - b->mbase;
	unsigned long long c[4];
	int i;

	if (!d)
		return;
	for (i = 0; i < 4; i++)
		c[i] = __atomic_load_n(&b->cpu[i], __ATOMIC_RELAXED) - b->cpubase[i];
	fprintf(arg, "%llx %u %llu %llu %llu %llu %llu %llu\n",
		(unsigned long long)b->vaddr, b->insns, (unsigned long long)d,
		(unsigned long long)m, c[0], c[1], c[2], c[3]);
}

static int dump(const char *name)
{
	char path[8192], tmp[8300];
	FILE *f;

	/* A name is one path component: the guest chose it. */
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s.tcgprof", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	each_block(dump_one, f);
	if (fclose(f))
		return -EIO;
	return rename(tmp, path) ? -errno : 0;
}

/* --- control ------------------------------------------------------------- */

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	return 0;
}

static void write_ack(const char *path, unsigned long seq, int err)
{
	char tmp[8300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%lu %d\n", seq, err);
	if (!fclose(f))
		rename(tmp, path);
}

static void *control(void *arg)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	char ctl[8192], ack[8192], buf[512], what[16], name[256];
	unsigned long seq, last = 0;
	int err;

	(void)arg;
	snprintf(ctl, sizeof(ctl), "%s/tcgprof.ctl", dir);
	snprintf(ack, sizeof(ack), "%s/tcgprof.ack", dir);
	for (;;) {
		nanosleep(&ts, NULL);
		if (read_file(ctl, buf, sizeof(buf)))
			continue;
		name[0] = 0;
		if (sscanf(buf, "%lu %15s %255s", &seq, what, name) < 2 ||
		    seq == last)
			continue;
		last = seq;
		if (!strcmp(what, "start")) {
			each_block(snap, NULL);
			err = 0;
		} else if (!strcmp(what, "stop")) {
			err = dump(name);
		} else {
			err = -EINVAL;
		}
		write_ack(ack, seq, err);
	}
	return NULL;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const struct qemu_info_t *info,
			       int argc, char **argv)
{
	pthread_t t;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "dir=", 4))
			snprintf(dir, sizeof(dir), "%s", argv[i] + 4);
		else if (!strncmp(argv[i], "tlb=", 4))
			tlb_bits = atoi(argv[i] + 4);
		else if (!strcmp(argv[i], "cpus=1"))
			per_cpu = true;
	}
	if (!dir[0] || tlb_bits > 20) {
		qemu_plugin_outs("tcg-prof: needs dir=DIR, and tlb=BITS at most 20\n");
		return -1;
	}
	for (i = 0; tlb_bits && i < MAXVCPUS; i++) {
		tlb[i] = calloc(1, sizeof(uint64_t) << tlb_bits);
		if (!tlb[i])
			return -1;
	}
	if (pthread_create(&t, NULL, control, NULL))
		return -1;
	pthread_detach(t);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
}
