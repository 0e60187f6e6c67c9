// SPDX-License-Identifier: GPL-2.0
/*
 * maglev: the kernel's Maglev code (kmod/vpce_maglev.c, compiled in here
 * as it is, against selftests/kshim/) measured in userspace.
 *
 *	maglev [-q]
 *
 * Prints, for several target counts and weights, the balance of the table
 * (slots per target against the target's weight share) and its disruption
 * when one target goes (share of slots that change owner, split into the
 * removed target's own slots and slots that move between survivors) or
 * comes, and checks them against these limits:
 *
 *  - equal weights: slots per target differ by at most one;
 *  - weights: every target's slots within one slot of its weight's share;
 *  - a target going (the kernel refills the table it had: see
 *    vpce_maglev_refill): all its slots move and no other slot does, and
 *    the survivors stay balanced (within one slot of their new share,
 *    two after several removals); a full rebuild of the survivors'
 *    table, which is what another host that only knows the survivors
 *    builds, is printed for comparison and moves at most 1% between
 *    survivors (Maglev is not perfectly minimal: where the removed
 *    target took a slot first, a survivor now takes it and leaves another
 *    for someone else);
 *  - a target coming: it takes its share, at most 1% of the table moves
 *    between the others.
 *
 * TAP output; exit 0 when every check passes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../kmod/vpce_maglev.c"

#define M VPCE_MAGLEV_SIZE
#define MAX_N 1024

static int tests, failures;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	printf("%s %d - ", ok ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

/* Target i is 10.(i >> 8).(i & 255).1, as an IPv4 vpce_addr identity. */
static void member(struct vpce_maglev_member *m, unsigned int i, u16 weight)
{
	memset(m, 0, sizeof(*m));
	m->id[0] = 2;	/* AF_INET */
	m->id[1] = 10;
	m->id[2] = i >> 8;
	m->id[3] = i & 255;
	m->id[4] = 1;
	m->weight = weight;
	m->index = i;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Build a table of targets ids[0..n) with weights w (NULL: all 1). */
static double build(struct vpce_maglev *t, const unsigned int *ids,
		    unsigned int n, const u16 *w)
{
	struct vpce_maglev_member m[MAX_N];
	unsigned int i;
	double start;

	for (i = 0; i < n; i++)
		member(&m[i], ids[i], w ? w[ids[i]] : 1);
	start = now_ms();
	if (vpce_maglev_build(t, m, n)) {
		fprintf(stderr, "maglev: out of memory\n");
		exit(2);
	}
	return now_ms() - start;
}

static void count(const struct vpce_maglev *t, unsigned int *per)
{
	unsigned int s;

	memset(per, 0, MAX_N * sizeof(*per));
	for (s = 0; s < M; s++)
		per[t->slots[s]]++;
}

/* Equal weights: every target holds floor or ceil of M / n slots. */
static void balance(unsigned int n)
{
	static unsigned int ids[MAX_N], per[MAX_N];
	unsigned int i, lo = M, hi = 0;
	struct vpce_maglev t;
	double ms;

	for (i = 0; i < n; i++)
		ids[i] = i;
	ms = build(&t, ids, n, NULL);
	count(&t, per);
	for (i = 0; i < n; i++) {
		lo = per[i] < lo ? per[i] : lo;
		hi = per[i] > hi ? per[i] : hi;
	}
	check(hi - lo <= 1,
	      "balance n=%u: slots per target %u..%u (ideal %.1f), imbalance %.2f%%, built in %.1f ms",
	      n, lo, hi, (double)M / n, 100.0 * (hi - lo) / ((double)M / n), ms);
	vpce_maglev_free(&t);
}

/* Weighted: each target's share against its weight's share. */
static void weights(const char *what, unsigned int n, const u16 *w)
{
	static unsigned int ids[MAX_N], per[MAX_N];
	double total = 0, worst = 0;
	struct vpce_maglev t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ids[i] = i;
		total += w[i];
	}
	build(&t, ids, n, w);
	count(&t, per);
	for (i = 0; i < n; i++) {
		double err = per[i] - M * w[i] / total;

		err = err < 0 ? -err : err;
		worst = err > worst ? err : worst;
	}
	check(worst <= 1.0, "weights %s: every share within %.2f slot of its weight's share (%u slots for weight %u, %u for weight %u)",
	      what, worst, per[0], w[0], per[n - 1], w[n - 1]);
	vpce_maglev_free(&t);
}

/* Slots that differ between @a and @b, and how many of them @a gave @x. */
static unsigned int diff(const struct vpce_maglev *a,
			 const struct vpce_maglev *b, unsigned int x,
			 unsigned int *from_x)
{
	unsigned int i, moved = 0;

	*from_x = 0;
	for (i = 0; i < M; i++) {
		if (a->slots[i] == b->slots[i])
			continue;
		moved++;
		*from_x += a->slots[i] == x;
	}
	return moved;
}

/* The worst distance, in slots, of a target's slots from its share. */
static double worst_share(const struct vpce_maglev *t, const unsigned int *ids,
			  unsigned int n, const u16 *w)
{
	static unsigned int per[MAX_N];
	double total = 0, worst = 0;
	unsigned int i;

	count(t, per);
	for (i = 0; i < n; i++)
		total += w ? w[ids[i]] : 1;
	for (i = 0; i < n; i++) {
		double err = per[ids[i]] - M * (w ? w[ids[i]] : 1) / total;

		err = err < 0 ? -err : err;
		worst = err > worst ? err : worst;
	}
	return worst;
}

/* Refill @a without target @gone (ids[] then lists the survivors). */
static void shrink(struct vpce_maglev *b, const struct vpce_maglev *a,
		   unsigned int *ids, unsigned int n, unsigned int gone,
		   const u16 *w)
{
	static u16 map[MAX_N + 1];
	struct vpce_maglev_member m[MAX_N];
	unsigned int i, j = 0;

	for (i = 0; i < n; i++) {
		map[ids[i]] = ids[i] == gone ? VPCE_MAGLEV_GONE : ids[i];
		if (ids[i] != gone)
			ids[j++] = ids[i];
	}
	for (i = 0; i < n - 1; i++)
		member(&m[i], ids[i], w ? w[ids[i]] : 1);
	if (vpce_maglev_refill(b, m, n - 1, a, map)) {
		fprintf(stderr, "maglev: out of memory\n");
		exit(2);
	}
}

/*
 * Remove target @gone of n and count the slots that change owner: in the
 * table the kernel makes (a refill), and in a full rebuild.
 */
static void disruption(unsigned int n, unsigned int gone, const u16 *w)
{
	static unsigned int ids[MAX_N];
	unsigned int i, moved, own, fmoved, fown;
	struct vpce_maglev a, b, full;
	double share, total = 0, worst;

	for (i = 0; i < n; i++) {
		ids[i] = i;
		total += w ? w[i] : 1;
	}
	build(&a, ids, n, w);
	shrink(&b, &a, ids, n, gone, w);
	build(&full, ids, n - 1, w);
	moved = diff(&a, &b, gone, &own);
	fmoved = diff(&a, &full, gone, &fown);
	worst = worst_share(&b, ids, n - 1, w);
	/* The removed target's weight share: 1/N with equal weights. */
	share = (w ? w[gone] : 1) / total;
	check(own == moved && own >= share * M - 1 && own <= share * M + 1 &&
	      worst <= 1.0,
	      "disruption n=%u%s, remove one: %.3f%% of slots move (its share %.3f%%), %u between survivors; survivors within %.2f slot of their share",
	      n, w ? " weighted" : "", 100.0 * moved / M, 100 * share,
	      moved - own, worst);
	check(fown == own && fmoved - fown <= M / 100,
	      "disruption n=%u%s, full rebuild without one: %.2f%% move, %.3f%% between survivors",
	      n, w ? " weighted" : "", 100.0 * fmoved / M,
	      100.0 * (fmoved - fown) / M);
	vpce_maglev_free(&a);
	vpce_maglev_free(&b);
	vpce_maglev_free(&full);
}

/* Add target n of n + 1: it takes its share, the others move little. */
static void growth(unsigned int n)
{
	static unsigned int ids[MAX_N + 1];
	unsigned int i, moved, own;
	struct vpce_maglev a, b;
	double share = 1.0 / (n + 1);

	for (i = 0; i <= n; i++)
		ids[i] = i;
	build(&a, ids, n, NULL);
	build(&b, ids, n + 1, NULL);
	moved = diff(&b, &a, n, &own);
	check(own >= share * M - 1 && own <= share * M + 1 &&
	      moved - own <= M / 100,
	      "disruption n=%u, add one: %.2f%% of slots move (1/(N+1) = %.2f%%): %.2f%% to the new target, %.3f%% between the others",
	      n, 100.0 * moved / M, 100 * share, 100.0 * own / M,
	      100.0 * (moved - own) / M);
	vpce_maglev_free(&a);
	vpce_maglev_free(&b);
}

/*
 * Remove targets one after another (every seventh of 100, ten in all):
 * each removal moves only the removed target's slots, and the survivors
 * stay balanced. Refilling with nobody gone changes nothing.
 */
static void removals(void)
{
	static unsigned int ids[MAX_N];
	static u16 map[MAX_N];
	struct vpce_maglev_member m[MAX_N];
	unsigned int i, n = 100, own, bad = 0;
	struct vpce_maglev a, b;
	double worst = 0;

	for (i = 0; i < n; i++) {
		ids[i] = i;
		map[i] = i;
		member(&m[i], i, 1);
	}
	build(&a, ids, n, NULL);
	vpce_maglev_refill(&b, m, n, &a, map);
	check(!memcmp(a.slots, b.slots, M * sizeof(*a.slots)),
	      "refill with no target gone keeps the table as it is");
	vpce_maglev_free(&b);
	for (i = 0; i < 10; i++, n--) {
		unsigned int gone = ids[(i * 7) % n], moved;
		double x;

		shrink(&b, &a, ids, n, gone, NULL);
		moved = diff(&a, &b, gone, &own);
		bad += moved - own;
		x = worst_share(&b, ids, n - 1, NULL);
		worst = x > worst ? x : worst;
		vpce_maglev_free(&a);
		a = b;
	}
	check(!bad && worst <= 2.0,
	      "ten removals in a row: %u slots moved between survivors, survivors within %.2f slots of their share",
	      bad, worst);
	vpce_maglev_free(&a);
}

/* The table depends on the set of targets, not on the order of adding. */
static void order(void)
{
	struct vpce_maglev_member m[64];
	struct vpce_maglev a, b;
	unsigned int i;

	for (i = 0; i < 64; i++)
		member(&m[i], i, 1 + i % 5);
	vpce_maglev_build(&a, m, 64);
	for (i = 0; i < 64; i++)
		member(&m[i], 63 - i, 1 + (63 - i) % 5);
	vpce_maglev_build(&b, m, 64);
	check(!memcmp(a.slots, b.slots, M * sizeof(*a.slots)),
	      "order: the same 64 targets added in reverse build the same table");
	vpce_maglev_free(&a);
	vpce_maglev_free(&b);
}

/* A flow keeps its target when its target stays: sampled with flow hashes. */
static void flows(unsigned int n)
{
	static unsigned int ids[MAX_N];
	unsigned int i, moved = 0, wrong = 0, k = 200000;
	struct vpce_maglev a, b;
	u16 x, y;

	for (i = 0; i < n; i++)
		ids[i] = i;
	build(&a, ids, n, NULL);
	shrink(&b, &a, ids, n, n / 2, NULL);
	srand(1);
	for (i = 0; i < k; i++) {
		u32 h = (u32)rand() << 16 ^ (u32)rand();

		x = vpce_maglev_lookup(&a, h);
		y = vpce_maglev_lookup(&b, h);
		if (x != y) {
			moved++;
			if (x != n / 2)
				wrong++;
		}
	}
	check((double)moved / k <= 1.0 / n + 0.005 && !wrong,
	      "flows n=%u: of %u new flows, %.2f%% change target when one target goes (1/N = %.2f%%), %.3f%% of them not from that target",
	      n, k, 100.0 * moved / k, 100.0 / n, 100.0 * wrong / k);
	vpce_maglev_free(&a);
	vpce_maglev_free(&b);
}

int main(void)
{
	static const unsigned int sizes[] = { 2, 3, 10, 100, 655, 1024 };
	static u16 w[MAX_N + 1];
	unsigned int i;

	printf("TAP version 13\n# table size %u slots, %zu bytes\n",
	       (unsigned int)M, M * sizeof(u16));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		balance(sizes[i]);

	w[0] = 1;
	w[1] = 3;
	weights("1:3", 2, w);
	for (i = 0; i < 10; i++)
		w[i] = 1 + i * 28;
	weights("1..253 over 10 targets", 10, w);
	for (i = 0; i < 100; i++)
		w[i] = 1 + (i * 37) % 256;
	weights("1..256 over 100 targets", 100, w);

	disruption(3, 1, NULL);
	disruption(10, 4, NULL);
	disruption(100, 50, NULL);
	disruption(1000, 500, NULL);
	growth(10);
	growth(100);
	for (i = 0; i <= 10; i++)
		w[i] = 1 + (i * 37) % 256;
	disruption(10, 4, w);
	removals();
	flows(10);
	flows(100);
	order();

	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
