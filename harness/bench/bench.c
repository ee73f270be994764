/* Host-throughput benchmark of the simulator: memory accesses per second on
 * the L1-hit and the DRAM + AES-XTS paths, the host's raw AES-XTS rate, the
 * event queue, and whole runs per second through `ccsim matrix` and `ccsim
 * sweep` with one and two workers. Wall-clock time is read here only;
 * docs/bench.md. */
#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/cpu/cpu.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
#include "sim/sim.h"
#include "harness/bench/bench.h"

#define BENCH_REPEATS 3
#define BENCH_SEED 1

/* Operations per repeat, sized for ~0.3-1 s each on a small host. */
#define HIT_OPS (4u << 20)
#define HIT_PLAIN_OPS (16u << 20)
#define MISS_OPS (1u << 20)
#define AES_OPS (4u << 20)
#define EVENT_OPS (8u << 20)

/* Working sets. HIT_BASE / MISS_BASE lie in cca's delegable range
 * (0x80000000 + 1 GiB) and below its GPT (0xbffc0000). */
#define HIT_BASE 0x80100000ull
#define HIT_SET 4096u           /* one granule: stays in the 32 KiB L1 */
#define MISS_BASE 0x80200000ull
#define MISS_SET (256u << 10)   /* 4x the shrunken LLC, 8x the L1 */
#define MISS_LLC "cache.llc_size=64K"
#define GRANULE 4096u
#define LINE 64u

#define EVENT_CHAINS 64         /* events pending at any time */


#define METRICS_MAX 48

struct metric {
	const char *name;
	double value;
	int decimals;
};

struct metrics {
	struct metric m[METRICS_MAX];
	size_t n;
};

/* A machine built from a profile plus one vCPU on it. */
struct rig {
	struct sim sim;
	struct machine m;
	struct cpu cpu;
	bool live;
};

static void metric_add(struct metrics *ms, const char *name, double value, int decimals)
{
	assert(ms->n < METRICS_MAX); /* a metric past the table is a bench bug, not a drop */
	ms->m[ms->n++] = (struct metric){ name, value, decimals };
}

double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The value stored at `pa`: distinct per word, so a wrong line or key shows. */
static uint64_t pattern(uint64_t pa)
{
	return (pa * 0x9e3779b97f4a7c15ull) ^ 0x5a5a5a5a00000000ull;
}

static int rig_build(struct rig *r, const char *profile, const char *const *sets, size_t nsets,
		     enum cc_world world, unsigned el)
{
	char path[4096], err[PROFILE_ERR_MAX];
	struct platform_config cfg;

	memset(r, 0, sizeof(*r));
	if (profile_find(profile, path, sizeof(path), err, sizeof(err)) ||
	    profile_load(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < nsets; i++)
		if (profile_set(&cfg, sets[i], err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
	sim_init(&r->sim, BENCH_SEED, cfg.freq_mhz * 1000000ull);
	r->live = true;
	if (machine_init(&r->m, &r->sim, &cfg, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	cpu_init(&r->cpu, &r->sim, "cpu0", machine_bus(&r->m), world, el);
	return 0;
}

static void rig_free(struct rig *r)
{
	if (r->live)
		sim_fini(&r->sim);
	r->live = false;
}

/* Delegate [base, base+len) to the Realm PAS through the EL3 service. */
/* Delegate through the RMM, as a host does: RMI_GRANULE_DELEGATE also
 * zeroes the granule with the Realm key, which an integrity-checking engine
 * needs before any partial store. */
static int rig_delegate(struct rig *r, uint64_t base, uint64_t len)
{
	struct bus_port bus = machine_bus(&r->m);
	for (uint64_t pa = base; pa < base + len; pa += GRANULE) {
		uint64_t cycles = 0, regs[SMC_REGS] = { RMI_GRANULE_DELEGATE, pa };
		bus_smc(&bus, WORLD_NS, 2, regs, &cycles);
		if (regs[0] != RMI_SUCCESS) {
			fprintf(stderr, "bench: RMI_GRANULE_DELEGATE 0x%llx: %s\n",
				(unsigned long long)pa, rmi_status_name(regs[0]));
			return -1;
		}
	}
	return 0;
}

/* Store pattern() into every word of [base, base+len) in the CPU's PAS. */
static int rig_fill(struct rig *r, uint64_t base, uint64_t len)
{
	for (uint64_t pa = base; pa < base + len; pa += 8) {
		uint64_t v = pattern(pa), cycles;
		struct cc_fault f;
		int rc = cpu_store(&r->cpu, pa, &v, 8, &f, &cycles);
		if (rc) {
			fprintf(stderr, "bench: store at 0x%llx: rc %d fault %s\n",
				(unsigned long long)pa, rc, cc_fault_name(f.kind));
			return -1;
		}
	}
	return 0;
}

/* One 8-byte load that must succeed and return pattern(pa). */
static int rig_load_check(struct rig *r, uint64_t pa, uint64_t *cycles)
{
	uint64_t v = 0;
	struct cc_fault f;
	int rc = cpu_load(&r->cpu, pa, &v, 8, &f, cycles);
	if (rc || v != pattern(pa)) {
		fprintf(stderr, "bench: load at 0x%llx: rc %d fault %s, got 0x%llx want 0x%llx\n",
			(unsigned long long)pa, rc, cc_fault_name(f.kind), (unsigned long long)v,
			(unsigned long long)pattern(pa));
		return -1;
	}
	return 0;
}

/* BENCH_REPEATS repeats of `n` 8-byte loads walking [base, base+set) (`set` a
 * power of two) by `stride`, from base+start on. Every load must return its pattern and cost exactly `lat` cycles (so every
 * one took the path being measured). Best rate in *rate. */
static int run_loads(struct rig *r, uint64_t base, uint64_t set, uint64_t start,
		     uint64_t stride, uint64_t n, uint64_t lat, double *rate)
{
	uint64_t off = start;
	*rate = 0;
	for (int rep = 0; rep < BENCH_REPEATS; rep++) {
		uint64_t bad = 0, off_lat = 0, faults = 0;
		double t0 = bench_now_s();
		for (uint64_t i = 0; i < n; i++) {
			uint64_t v = 0, cycles = 0, pa = base + off;
			struct cc_fault f;
			faults += cpu_load(&r->cpu, pa, &v, 8, &f, &cycles) != 0;
			bad += v != pattern(pa);
			off_lat += cycles != lat;
			off = (off + stride) & (set - 1);
		}
		double t = bench_now_s() - t0;
		volatile uint64_t sink = bad + off_lat + faults;
		if (sink) {
			fprintf(stderr, "bench: %llu loads faulted, %llu returned wrong data, "
				"%llu did not cost %llu cycles\n", (unsigned long long)faults,
				(unsigned long long)bad, (unsigned long long)off_lat,
				(unsigned long long)lat);
			return -1;
		}
		if ((double)n / t > *rate)
			*rate = (double)n / t;
	}
	return 0;
}

/* L1 hits on `profile`: one granule, written then read back 8 bytes at a
 * time. On cca the granule is delegated and read by a Realm EL1 CPU. */
static int bench_hits(const char *profile, uint64_t n, double *rate, uint64_t *lat)
{
	struct rig *r = calloc(1, sizeof(*r));
	bool cca = strcmp(profile, "cca") == 0;
	int rc = -1;
	if (!r)
		return -1;
	if (rig_build(r, profile, NULL, 0, cca ? WORLD_REALM : WORLD_NS, 1) ||
	    (cca && rig_delegate(r, HIT_BASE, HIT_SET)) || rig_fill(r, HIT_BASE, HIT_SET) ||
	    rig_load_check(r, HIT_BASE, lat))
		goto out;
	uint64_t l1_misses = r->m.l1[0].misses;
	if (run_loads(r, HIT_BASE, HIT_SET, 0, 8, n, *lat, rate))
		goto out;
	if (r->m.l1[0].misses != l1_misses) {
		fprintf(stderr, "bench: %s: %llu L1 misses on the hit path\n", profile,
			(unsigned long long)(r->m.l1[0].misses - l1_misses));
		goto out;
	}
	rc = 0;
out:
	rig_free(r);
	free(r);
	return rc;
}

/* Realm loads that miss L1 and the (shrunken) LLC every time: each one is a
 * DRAM read and an AES-XTS decrypt through key slot 3. Lines stay clean. */
static int bench_misses(const char *profile, uint64_t n, double *rate, uint64_t *lat)
{
	/* no prefetcher: every load pays the whole miss path being measured */
	static const char *const sets[] = { MISS_LLC, "cache.prefetch_distance=0" };
	struct rig *r = calloc(1, sizeof(*r));
	uint64_t cycles = 0;
	int rc = -1;
	if (!r)
		return -1;
	if (rig_build(r, profile, sets, 2, WORLD_REALM, 1) || rig_delegate(r, MISS_BASE, MISS_SET) ||
	    rig_fill(r, MISS_BASE, MISS_SET) || machine_wbinvd(&r->m, &cycles))
		goto out;
	if (!memenc_key_encrypts(&r->m.enc, machine_key_slot(&r->m, PAS_REALM))) {
		fprintf(stderr, "bench: %s: the Realm key slot does not encrypt\n", profile);
		goto out;
	}
	/* One sweep to reach the steady state, then the latency of the next load. */
	for (uint64_t off = 0; off < MISS_SET; off += LINE)
		if (rig_load_check(r, MISS_BASE + off, &cycles))
			goto out;
	if (rig_load_check(r, MISS_BASE, lat))
		goto out;
	uint64_t decrypts = r->m.enc.stat_decrypts, llc_misses = r->m.llc.misses;
	if (run_loads(r, MISS_BASE, MISS_SET, LINE, LINE, n, *lat, rate))
		goto out;
	uint64_t want = (uint64_t)BENCH_REPEATS * n;
	if (r->m.enc.stat_decrypts - decrypts != want || r->m.llc.misses - llc_misses != want) {
		fprintf(stderr, "bench: %s miss path: %llu loads, %llu LLC misses, %llu decrypts\n",
			profile, (unsigned long long)want,
			(unsigned long long)(r->m.llc.misses - llc_misses),
			(unsigned long long)(r->m.enc.stat_decrypts - decrypts));
		goto out;
	}
	rc = 0;
out:
	rig_free(r);
	free(r);
	return rc;
}

/* The engine's per-line operation on the host: AES-128-XTS over 64 bytes with
 * the line's PA as tweak, the context keyed once and re-IV'd per line. */
static int xts_line(EVP_CIPHER_CTX *ctx, bool enc, uint64_t pa, const uint8_t *in, uint8_t *out)
{
	uint8_t iv[16] = { 0 };
	int len = 0;
	sim_le64_store(iv, pa);
	if (enc)
		return EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) == 1 &&
		       EVP_EncryptUpdate(ctx, out, &len, in, LINE) == 1 && len == LINE ? 0 : -1;
	return EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) == 1 &&
	       EVP_DecryptUpdate(ctx, out, &len, in, LINE) == 1 && len == LINE ? 0 : -1;
}

/* The same XTS data unit composed from AES-ECB (IEEE 1619: T = E_K2(tweak),
 * P = D_K1(C ^ T) ^ T, T times x per block), the way the engine computes it
 * without re-initialising a cipher per line. */
static int xts_line_ecb(EVP_CIPHER_CTX *tweak, EVP_CIPHER_CTX *dec, uint64_t pa, const uint8_t *in,
			uint8_t *out)
{
	uint8_t iv[16] = { 0 }, t[LINE], buf[LINE];
	int len = 0;
	sim_le64_store(iv, pa);
	if (EVP_EncryptUpdate(tweak, t, &len, iv, 16) != 1 || len != 16)
		return -1;
	for (unsigned j = 16; j < LINE; j += 16) {
		uint8_t carry = 0;
		for (unsigned i = 0; i < 16; i++) {
			uint8_t next = t[j - 16 + i] >> 7;
			t[j + i] = (uint8_t)(t[j - 16 + i] << 1 | carry);
			carry = next;
		}
		if (carry)
			t[j] ^= 0x87;
	}
	for (unsigned i = 0; i < LINE; i++)
		buf[i] = in[i] ^ t[i];
	if (EVP_DecryptUpdate(dec, out, &len, buf, LINE) != 1 || len != LINE)
		return -1;
	for (unsigned i = 0; i < LINE; i++)
		out[i] ^= t[i];
	return 0;
}

/* Raw rate: decrypt (the miss path's direction) 64 lines of ciphertext round
 * and round; the sum of each plaintext's first word checks every result. */
static int bench_aes_raw(uint64_t n, double *rate)
{
	enum { LINES = 64 };
	uint8_t ct[LINES][LINE], key[32], pt[LINE], out[LINE];
	uint64_t want_sum = 0;
	int rc = -1;
	EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new(), *dec = EVP_CIPHER_CTX_new();
	EVP_CIPHER_CTX *ecb_t = EVP_CIPHER_CTX_new(), *ecb_d = EVP_CIPHER_CTX_new();

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 37 + 11);
	if (!enc || !dec || !ecb_t || !ecb_d ||
	    EVP_EncryptInit_ex(enc, EVP_aes_128_xts(), NULL, key, NULL) != 1 ||
	    EVP_DecryptInit_ex(dec, EVP_aes_128_xts(), NULL, key, NULL) != 1 ||
	    EVP_EncryptInit_ex(ecb_t, EVP_aes_128_ecb(), NULL, key + 16, NULL) != 1 ||
	    EVP_DecryptInit_ex(ecb_d, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ecb_t, 0) != 1 || EVP_CIPHER_CTX_set_padding(ecb_d, 0) != 1)
		goto fail;
	for (unsigned l = 0; l < LINES; l++) {
		uint64_t pa = MISS_BASE + (uint64_t)l * LINE;
		for (unsigned w = 0; w < LINE / 8; w++) {
			uint64_t v = pattern(pa + 8 * w);
			memcpy(pt + 8 * w, &v, 8);
		}
		if (xts_line(enc, true, pa, pt, ct[l]) || xts_line(dec, false, pa, ct[l], out) ||
		    memcmp(pt, out, LINE) != 0)
			goto fail;
		if (xts_line_ecb(ecb_t, ecb_d, pa, ct[l], out) || memcmp(pt, out, LINE) != 0)
			goto fail;
		want_sum += pattern(pa) * (n / LINES);
	}
	/* The host's best: OpenSSL's XTS per line, or XTS composed from ECB. */
	*rate = 0;
	for (int rep = 0; rep < 2 * BENCH_REPEATS; rep++) {
		uint64_t sum = 0;
		int errs = 0;
		double t0 = bench_now_s();
		for (uint64_t i = 0; i < n; i++) {
			unsigned l = (unsigned)(i % LINES);
			uint64_t pa = MISS_BASE + (uint64_t)l * LINE, v;
			errs |= rep & 1 ? xts_line_ecb(ecb_t, ecb_d, pa, ct[l], out)
					: xts_line(dec, false, pa, ct[l], out);
			memcpy(&v, out, 8);
			sum += v;
		}
		double t = bench_now_s() - t0;
		volatile uint64_t sink = sum;
		if (errs || sink != want_sum)
			goto fail;
		if ((double)n / t > *rate)
			*rate = (double)n / t;
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench: OpenSSL AES-128-XTS failed or decrypted wrongly\n");
out:
	EVP_CIPHER_CTX_free(enc);
	EVP_CIPHER_CTX_free(dec);
	EVP_CIPHER_CTX_free(ecb_t);
	EVP_CIPHER_CTX_free(ecb_d);
	return rc;
}

/* --- address translation --- */

struct mmu_rig {
	struct rig r;
	struct cpu guest;
	uint64_t next_table;
};

static int mmu_wr64(void *ctx, uint64_t addr, uint64_t val)
{
	struct mmu_rig *m = ctx;
	struct cc_fault f;
	uint64_t c;
	return cpu_store(&m->r.cpu, addr, &val, 8, &f, &c) ? -EIO : 0;
}

static int mmu_rd64(void *ctx, uint64_t addr, uint64_t *val)
{
	struct mmu_rig *m = ctx;
	struct cc_fault f;
	uint64_t c;
	return cpu_load(&m->r.cpu, addr, val, 8, &f, &c) ? -EIO : 0;
}

static int mmu_alloc(void *ctx, uint64_t *addr)
{
	struct mmu_rig *m = ctx;
	*addr = m->next_table;
	m->next_table += 4096;
	return 0;
}

#define MMU_VA 0x7f0000000000ull
#define MMU_DATA 0x3000000ull

/* A guest with x86 4-level tables under 4-level nested tables (plain
 * profile): guest tables at GPA 0x10000.. identity-mapped, one data page. */
static int mmu_setup(struct mmu_rig *m)
{
	uint64_t s2root, groot, c;
	struct cc_fault f;
	if (rig_build(&m->r, "plain", NULL, 0, WORLD_NS, 2))
		return -1;
	cpu_init(&m->guest, &m->r.sim, "guest", machine_bus(&m->r.m), WORLD_NS, 1);
	m->next_table = 0x1000000;
	mmu_alloc(m, &s2root);
	struct pt_stage s2 = { .fmt = PT_FMT_X86, .root = s2root, .pa_bits = 40, .nxe = true };
	struct pt_builder b2 = { &s2, mmu_rd64, mmu_wr64, mmu_alloc, m };
	for (uint64_t g = 0x10000; g < 0x14000; g += 4096)
		if (pt_map(&b2, s2root, g, g, 4096, PT_PROT_R | PT_PROT_W | PT_PROT_USER, 0))
			return -1;
	if (pt_map(&b2, s2root, 0x20000, MMU_DATA, 4096, PT_PROT_R | PT_PROT_W | PT_PROT_USER, 0))
		return -1;
	m->next_table = 0x10000;
	mmu_alloc(m, &groot);
	struct pt_stage s1 = { .fmt = PT_FMT_X86, .root = groot, .pa_bits = 40, .nxe = true };
	struct pt_builder b1 = { &s1, mmu_rd64, mmu_wr64, mmu_alloc, m };
	if (pt_map(&b1, groot, MMU_VA, 0x20000, 4096, PT_PROT_R | PT_PROT_W, 0))
		return -1;
	m->guest.pt = (struct pt_config){ .s1 = s1, .nested = true, .s2 = s2 };
	m->guest.paging = 1;
	m->guest.tlb = &m->r.m.tlb[0];
	uint64_t v = pattern(MMU_DATA);
	return cpu_store(&m->r.cpu, MMU_DATA, &v, 8, &f, &c) ? -1 : 0;
}

/* Translated 8-byte loads of one page: with the TLB (hits), or without one
 * (a full 24-reference nested walk each time, table lines in L1). */
static int bench_mmu(bool walk, uint64_t n, double *rate, uint64_t *lat)
{
	struct mmu_rig *m = calloc(1, sizeof(*m));
	int rc = -1;
	if (!m || mmu_setup(m))
		goto out;
	if (walk)
		m->guest.tlb = NULL;
	uint64_t v = 0, c;
	struct cc_fault f;
	/* warm up, then the steady-state latency */
	if (cpu_load_va(&m->guest, MMU_VA, &v, 8, &f, &c) || cpu_load_va(&m->guest, MMU_VA, &v, 8, &f, lat) ||
	    v != pattern(MMU_DATA))
		goto out;
	*rate = 0;
	for (int rep = 0; rep < BENCH_REPEATS; rep++) {
		uint64_t bad = 0, refs0 = m->guest.stat_walk_refs;
		double t0 = bench_now_s();
		for (uint64_t i = 0; i < n; i++) {
			v = 0;
			bad += cpu_load_va(&m->guest, MMU_VA + (i & 511) * 8 % 8, &v, 8, &f, &c) != 0;
			bad += c != *lat;
		}
		double t = bench_now_s() - t0;
		uint64_t refs = m->guest.stat_walk_refs - refs0;
		if (bad || refs != (walk ? 24 * n : 0)) {
			fprintf(stderr, "bench: translated loads: %llu bad, %llu table reads\n",
				(unsigned long long)bad, (unsigned long long)refs);
			goto out;
		}
		if ((double)n / t > *rate)
			*rate = (double)n / t;
	}
	rc = 0;
out:
	if (m)
		rig_free(&m->r);
	free(m);
	return rc;
}

/* --- event queue --- */

struct ev_chain {
	struct sim_model base;
	uint64_t fired, scheduled, limit, last_now, disorder;
};

static void ev_fire(struct sim *s, struct sim_model *t, uint64_t arg);

static const struct sim_event_type ev_type = { "bench.tick", ev_fire };

/* Each event reschedules its chain 1..16 cycles later (an LCG in `arg` picks
 * the gap), until `limit` events have been scheduled in all. */
static void ev_fire(struct sim *s, struct sim_model *t, uint64_t arg)
{
	struct ev_chain *c = (struct ev_chain *)t;
	c->disorder += s->now < c->last_now;
	c->last_now = s->now;
	c->fired++;
	if (c->scheduled < c->limit) {
		c->scheduled++;
		arg = arg * 6364136223846793005ull + 1442695040888963407ull;
		sim_event_schedule(s, s->now + 1 + (arg >> 60), &ev_type, t, arg);
	}
}

static int bench_events(uint64_t n, double *rate)
{
	*rate = 0;
	for (int rep = 0; rep < BENCH_REPEATS; rep++) {
		struct sim s;
		struct ev_chain c = { .base = { .name = "bench", .kind = "bench" }, .limit = n };
		sim_init(&s, BENCH_SEED, 1000000000ull);
		for (uint64_t i = 0; i < EVENT_CHAINS; i++) {
			c.scheduled++;
			sim_event_schedule(&s, i % 4, &ev_type, &c.base, i);
		}
		double t0 = bench_now_s();
		/* Below UINT64_MAX: the limit is "no later than", not "until empty". */
		uint64_t ran = sim_run_until(&s, UINT64_MAX - 1);
		double t = bench_now_s() - t0;
		sim_fini(&s);
		if (ran != n || c.fired != n || c.disorder) {
			fprintf(stderr, "bench: event queue: %llu of %llu events ran, %llu out of order\n",
				(unsigned long long)ran, (unsigned long long)n,
				(unsigned long long)c.disorder);
			return -1;
		}
		if ((double)n / t > *rate)
			*rate = (double)n / t;
	}
	return 0;
}

/* --- output --- */

static int metric_cmp(const void *a, const void *b)
{
	return strcmp(((const struct metric *)a)->name, ((const struct metric *)b)->name);
}

static int write_json(const char *path, struct metrics *ms)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	qsort(ms->m, ms->n, sizeof(ms->m[0]), metric_cmp);
	fprintf(f, "{\n");
	for (size_t i = 0; i < ms->n; i++)
		fprintf(f, "  \"%s\": %.*f%s\n", ms->m[i].name, ms->m[i].decimals, ms->m[i].value,
			i + 1 < ms->n ? "," : "");
	fprintf(f, "}\n");
	if (fclose(f)) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void row(const char *name, double rate, const char *unit, const char *sim)
{
	printf("%-22s %10.2f M %-13s %s\n", name, rate / 1e6, unit, sim);
	fflush(stdout);
}

/* A rate in units, not millions (whole runs). */
static void row_units(const char *name, double rate, const char *unit, const char *what)
{
	printf("%-22s %10.1f   %-13s %s\n", name, rate, unit, what);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct metrics ms = { .n = 0 };
	double hit, hit_plain, miss, miss_mac, miss_tree, raw, events, tlb_hit, walk;
	double matrix1, matrix2, sweep1, sweep2;
	static const char *const copy_profiles[] = { "plain", "sev-snp", "cca" };
	static const char *const copy_gbs_names[] = { "copy.memcpy_gbs_plain", "copy.memcpy_gbs_sev_snp",
						      "copy.memcpy_gbs_cca" };
	static const char *const copy_insn_names[] = { "guest.insns_per_s_plain",
						       "guest.insns_per_s_sev_snp",
						       "guest.insns_per_s_cca" };
	static const char *const copy_rate_names[] = { "copy.cycles_per_s_plain",
						       "copy.cycles_per_s_sev_snp",
						       "copy.cycles_per_s_cca" };
	double copy_gbs[3], copy_rate[3], copy_insns[3];
	uint64_t hit_lat, plain_lat, miss_lat, mac_lat, tree_lat, tlb_lat, walk_lat;
	size_t nmatrix, nsweep;
	char note[96], ccsim[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT.json\n", argv[0]);
		return 2;
	}
	printf("%-22s %10s   %-13s %s\n", "metric", "best of 3", "unit", "simulated cost");
	fflush(stdout);
	/* Warm the host core up (frequency scaling) before the first measurement. */
	volatile uint64_t spin = 0;
	for (double t0 = bench_now_s(); bench_now_s() - t0 < 0.3;)
		for (int i = 0; i < 100000; i++)
			spin += (uint64_t)i;
	if (bench_hits("cca", HIT_OPS, &hit, &hit_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: cached GPC + L1 hit (cca, realm EL1)",
		 (unsigned long long)hit_lat);
	row("mem.hit_per_s", hit, "accesses/s", note);
	if (bench_hits("plain", HIT_PLAIN_OPS, &hit_plain, &plain_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: L1 hit (plain, ns EL1)",
		 (unsigned long long)plain_lat);
	row("mem.hit_plain_per_s", hit_plain, "accesses/s", note);
	if (bench_misses("cca", MISS_OPS, &miss, &miss_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: L1, LLC miss + DRAM + XTS (cca)",
		 (unsigned long long)miss_lat);
	row("mem.miss_xts_per_s", miss, "accesses/s", note);
	if (bench_misses("cca-mac", MISS_OPS / 2, &miss_mac, &mac_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: ... + DRAM + XTS + MAC check (cca-mac)",
		 (unsigned long long)mac_lat);
	row("mem.miss_mac_per_s", miss_mac, "accesses/s", note);
	if (bench_misses("cca-ctr-tree", MISS_OPS / 4, &miss_tree, &tree_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: ... + counters + tree (cca-ctr-tree)",
		 (unsigned long long)tree_lat);
	row("mem.miss_ctr_tree_per_s", miss_tree, "accesses/s", note);
	if (bench_aes_raw(AES_OPS, &raw))
		goto fail;
	row("aes_xts_raw_per_s", raw, "lines/s", "host OpenSSL XTS, 64-byte lines (best of EVP XTS, ECB-composed)");
	if (bench_mmu(false, HIT_OPS, &tlb_hit, &tlb_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: TLB hit + L1 hit (guest VA, nested paging)",
		 (unsigned long long)tlb_lat);
	row("mmu.tlb_hit_per_s", tlb_hit, "accesses/s", note);
	if (bench_mmu(true, MISS_OPS / 2, &walk, &walk_lat))
		goto fail;
	snprintf(note, sizeof(note), "%llu cycles: 24-reference nested walk (lines in L1) + L1 hit",
		 (unsigned long long)walk_lat);
	row("mmu.nested_walk_per_s", walk, "accesses/s", note);
	if (bench_events(EVENT_OPS, &events))
		goto fail;
	row("sim.events_per_s", events, "events/s", "schedule + dispatch");
	/* the CLI beside this binary: build/bench -> build/ccsim */
	char self[4096];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(ccsim, sizeof(ccsim), "%s/ccsim", dirname(self));
	if (bench_runs(ccsim, &matrix1, &matrix2, &sweep1, &sweep2, &nmatrix, &nsweep))
		goto fail;
	snprintf(note, sizeof(note), "ccsim matrix scenarios -j 1: %zu runs", nmatrix);
	row_units("matrix.runs_per_s_j1", matrix1, "runs/s", note);
	row_units("matrix.runs_per_s_j2", matrix2, "runs/s", "the same, -j 2 (output identical)");
	snprintf(note, sizeof(note), "ccsim sweep, %zu configurations, -j 1", nsweep);
	row_units("sweep.configs_per_s_j1", sweep1, "configs/s", note);
	row_units("sweep.configs_per_s_j2", sweep2, "configs/s", "the same, -j 2 (CSV identical)");
	double steps;
	if (bench_steps(ccsim, &steps))
		goto fail;
	row_units("scenario.steps_per_s", steps, "steps/s", "a 60,000-step scenario, parse to verdict (linear in steps)");
	for (int i = 0; i < 3; i++) {
		if (bench_copy(ccsim, copy_profiles[i], &copy_gbs[i], &copy_rate[i], &copy_insns[i]))
			goto fail;
		snprintf(note, sizeof(note), "simulated: the 64 MiB memcpy phase of %s",
			 COPY_SCENARIO);
		row_units(copy_gbs_names[i], copy_gbs[i], "GB/s", note);
		row(copy_rate_names[i], copy_rate[i], "cycles/s", "simulated cycles per host second, whole run");
		row(copy_insn_names[i], copy_insns[i], "insns/s", "guest instructions executed per host second, whole run");
	}
	double sysc[BENCH_SYSC_FIGURES];
	snprintf(self, sizeof(self), "%s", argv[0]); /* dirname took it apart */
	if (bench_sysc(dirname(self), sysc))
		goto fail;
	row("sysc.bare_lt_per_s", sysc[0], "trans/s", "bare SystemC LT memory target, 8-byte b_transport reads");
	snprintf(note, sizeof(note), "%.0f cycles: ccsim's TLM target, plain, L1 hits", sysc[3]);
	row("sysc.ccsim_plain_per_s", sysc[1], "trans/s", note);
	snprintf(note, sizeof(note), "%.0f cycles: the same on cca, a realm's reads", sysc[4]);
	row("sysc.ccsim_cca_realm_per_s", sysc[2], "trans/s", note);
	printf("%-22s %10.4f\n", "mem.miss_xts_vs_raw", miss / raw);
	printf("%-22s %10.4f\n", "mem.hit_vs_plain", hit / hit_plain);
	printf("%-22s %10.4f\n", "matrix.j2_vs_j1", matrix2 / matrix1);
	printf("%-22s %10.4f\n", "sweep.j2_vs_j1", sweep2 / sweep1);

	metric_add(&ms, "mem.hit_per_s", hit, 0);
	metric_add(&ms, "mem.hit_cycles", (double)hit_lat, 0);
	metric_add(&ms, "mem.hit_plain_per_s", hit_plain, 0);
	metric_add(&ms, "mem.hit_plain_cycles", (double)plain_lat, 0);
	metric_add(&ms, "mem.miss_xts_per_s", miss, 0);
	metric_add(&ms, "mem.miss_xts_cycles", (double)miss_lat, 0);
	metric_add(&ms, "mem.miss_mac_per_s", miss_mac, 0);
	metric_add(&ms, "mem.miss_mac_cycles", (double)mac_lat, 0);
	metric_add(&ms, "mem.miss_ctr_tree_per_s", miss_tree, 0);
	metric_add(&ms, "mem.miss_ctr_tree_cycles", (double)tree_lat, 0);
	metric_add(&ms, "aes_xts_raw_per_s", raw, 0);
	metric_add(&ms, "mem.miss_xts_vs_raw", miss / raw, 6);
	metric_add(&ms, "mem.hit_vs_plain", hit / hit_plain, 6);
	metric_add(&ms, "sim.events_per_s", events, 0);
	metric_add(&ms, "mmu.tlb_hit_per_s", tlb_hit, 0);
	metric_add(&ms, "mmu.tlb_hit_cycles", (double)tlb_lat, 0);
	metric_add(&ms, "mmu.nested_walk_per_s", walk, 0);
	metric_add(&ms, "mmu.nested_walk_cycles", (double)walk_lat, 0);
	metric_add(&ms, "matrix.runs_per_s_j1", matrix1, 1);
	metric_add(&ms, "matrix.runs_per_s_j2", matrix2, 1);
	metric_add(&ms, "matrix.j2_vs_j1", matrix2 / matrix1, 6);
	metric_add(&ms, "sweep.configs_per_s_j1", sweep1, 1);
	metric_add(&ms, "sweep.configs_per_s_j2", sweep2, 1);
	metric_add(&ms, "sweep.j2_vs_j1", sweep2 / sweep1, 6);
	metric_add(&ms, "scenario.steps_per_s", steps, 1);
	for (int i = 0; i < 3; i++) {
		metric_add(&ms, copy_gbs_names[i], copy_gbs[i], 3);
		metric_add(&ms, copy_rate_names[i], copy_rate[i], 0);
		metric_add(&ms, copy_insn_names[i], copy_insns[i], 0);
	}
	metric_add(&ms, "copy.memcpy_sev_snp_vs_plain", copy_gbs[1] / copy_gbs[0], 6);
	for (size_t i = 0; i < BENCH_SYSC_FIGURES; i++)
		metric_add(&ms, bench_sysc_name(i), sysc[i], 0);
	metric_add(&ms, "sysc.ccsim_plain_vs_bare", sysc[1] / sysc[0], 6);
	if (write_json(argv[1], &ms))
		return 1;
	printf("wrote %s\n", argv[1]);
	return 0;
fail:
	fprintf(stderr, "bench: FAILED\n");
	return 1;
}
