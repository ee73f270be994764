/* Granule protection check (models/mmu/gpc.c) against Arm ARM DDI 0487 K.a
 * chapter D9: descriptors are written by hand into a fake Root-PAS memory so
 * every expectation is independent of gpt.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "models/mmu/gpc.h"
#include "models/mmu/tests/fake_mem.h"

#define L0_BASE 0xF0000000ull  /* GPTBR_EL3 = L0_BASE >> 12 */
#define L1_BASE 0xF0100000ull  /* L1 table of region r at L1_BASE + r * l1 bytes */
#define GB (1ull << 30)

struct t {
	struct fake_mem mem;
	struct gpc_config cfg;
	struct gpc_reader rd;
};

static void poke(struct t *t, uint64_t pa, uint64_t val)
{
	fake_mem_poke(&t->mem, pa, val);
}

/* 4GB PPS, 4KB granules, 1GB L0 regions, 40-bit PA. */
static const struct gpc_config base_cfg = {
	.enabled = true, .pps = 0, .pgs = 0, .l0gptsz = 0, .nso = true, .pa_bits = 40,
	.gptbr = L0_BASE >> 12,
};

static int setup(void **state)
{
	struct t *t = g_new0(struct t, 1);
	fake_mem_init(&t->mem, -EFAULT);
	t->cfg = base_cfg;
	t->rd = (struct gpc_reader){ fake_mem_read, &t->mem };
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	fake_mem_free(&t->mem);
	g_free(t);
	return 0;
}

static uint64_t block(uint8_t gpi) { return 0x1 | (uint64_t)gpi << 4; }

static uint64_t fill(uint8_t gpi)
{
	uint64_t d = 0;
	for (int i = 0; i < 16; i++)
		d |= (uint64_t)gpi << (4 * i);
	return d;
}

static uint64_t with_nibble(uint64_t d, unsigned i, uint8_t gpi)
{
	return (d & ~(0xfull << (4 * i))) | (uint64_t)gpi << (4 * i);
}

/* Point L0 region r (of 2^l0_bits bytes) at its L1 table. */
static uint64_t map_l1(struct t *t, unsigned r, uint64_t l1_bytes)
{
	uint64_t table = L1_BASE + r * l1_bytes;
	poke(t, L0_BASE + 8 * r, 0x3 | table);
	return table;
}

static struct gpc_result check(struct t *t, uint64_t pa, enum cc_pas pas, enum cc_world world)
{
	return gpc_check(&t->cfg, &t->rd, pa, pas, world);
}

static void assert_result(struct gpc_result r, enum gpc_fault f, unsigned level, unsigned reads)
{
	assert_string_equal(gpc_fault_name(r.fault), gpc_fault_name(f));
	assert_int_equal(r.level, level);
	assert_int_equal(r.reads, reads);
}

/* GPCCR_EL3.GPC == 0: every access passes and no descriptor is fetched. */
static void test_disabled_allows_without_reads(void **state)
{
	struct t *t = *state;
	t->cfg.enabled = false;
	t->mem.fail_pa = L0_BASE;
	struct gpc_result r = check(t, 0x1000, PAS_REALM, WORLD_REALM);
	assert_result(r, GPC_OK, 0, 0);
	assert_int_equal(r.gpi, GPI_ANY);
	assert_int_equal(t->mem.reads, 0);
}

/* D9.5.3 GPI encodings: which world/PAS pairs each GPI admits; NULL = reserved. */
static const char *const gpi_admits[16] = {
	[0x0] = "",
	[0x8] = " root/secure secure/secure ",
	[0x9] = " root/ns realm/ns secure/ns ns/ns ",
	[0xA] = " root/root ",
	[0xB] = " root/realm realm/realm ",
	[0xD] = " root/ns ns/ns ", /* FEAT_RME_GPC2 NSO, with GPCCR_EL3.NSO = 1 */
	[0xF] = " root/secure root/ns root/root root/realm secure/secure secure/ns"
		" realm/ns realm/realm ns/ns ",
};

/* Every GPI x PAS x world, found in an L0 Block (level 0) and in an L1
 * Granules descriptor (level 1): OK, GPF or a walk fault for reserved GPIs. */
static void test_gpi_pas_world_matrix(void **state)
{
	struct t *t = *state;
	for (unsigned level = 0; level <= 1; level++) {
		unsigned ok = 0;
		uint64_t pa = level ? GB + 0x3000 : 0x12345000; /* level 1: granule 3 */
		map_l1(t, 1, 0x20000);
		for (unsigned gpi = 0; gpi < 16; gpi++) {
			if (level)
				poke(t, L1_BASE + 0x20000, with_nibble(fill(GPI_ANY), 3, (uint8_t)gpi));
			else
				poke(t, L0_BASE, block((uint8_t)gpi));
			for (unsigned w = 0; w < 4; w++) {
				for (unsigned p = 0; p < 4; p++) {
					if (!cc_world_may_use_pas(w, p))
						continue;
					char pair[32];
					snprintf(pair, sizeof(pair), " %s/%s ", cc_world_name(w),
						 cc_pas_name(p));
					struct gpc_result r = check(t, pa, p, w);
					enum gpc_fault want = !gpi_admits[gpi] ? GPC_FAULT_WALK
							      : strstr(gpi_admits[gpi], pair) ? GPC_OK
							      : GPC_FAULT_GPF;
					assert_result(r, want, level, level + 1);
					assert_int_equal(r.gpi, gpi);
					assert_int_equal(r.pas, p);
					assert_int_equal(r.pa, pa);
					ok += r.fault == GPC_OK;
				}
			}
		}
		assert_int_equal(ok, 0 + 2 + 4 + 1 + 2 + 2 + 9);
	}
}

/* Without GPCCR_EL3.NSO, GPI 0b1101 is reserved: walk fault where found. */
static void test_nso_reserved_without_enable(void **state)
{
	struct t *t = *state;
	t->cfg.nso = false;
	poke(t, L0_BASE, block(GPI_NSO));
	assert_result(check(t, 0x5000, PAS_NS, WORLD_NS), GPC_FAULT_WALK, 0, 1);
	map_l1(t, 1, 0x20000);
	poke(t, L1_BASE + 0x20000, fill(GPI_NSO));
	assert_result(check(t, GB, PAS_NS, WORLD_ROOT), GPC_FAULT_WALK, 1, 2);
}

/* GPCCR_EL3.PGS 0b00/0b10/0b01 = 4KB/16KB/64KB (note the swap): the GPI is
 * nibble PA[pgs+3:pgs] of descriptor PA[l0-1:pgs+4]. */
static void test_pgs_selects_nibble(void **state)
{
	struct t *t = *state;
	static const struct { uint8_t pgs; unsigned bits; } cases[] = {
		{ 0, 12 }, { 2, 14 }, { 1, 16 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t->cfg.pgs = cases[i].pgs;
		uint64_t l1_bytes = 8ull << (30 - cases[i].bits - 4);
		uint64_t table = map_l1(t, 1, l1_bytes);
		uint64_t g = 1ull << cases[i].bits;
		poke(t, table, with_nibble(fill(GPI_NS), 5, GPI_REALM));
		poke(t, table + 8, with_nibble(fill(GPI_REALM), 5, GPI_NS));
		assert_result(check(t, GB + 5 * g, PAS_REALM, WORLD_REALM), GPC_OK, 1, 2);
		assert_result(check(t, GB + 5 * g + g - 1, PAS_NS, WORLD_NS), GPC_FAULT_GPF, 1, 2);
		assert_result(check(t, GB + 4 * g, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
		assert_result(check(t, GB + 6 * g, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
		assert_result(check(t, GB + 21 * g, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
		assert_result(check(t, GB + 20 * g, PAS_REALM, WORLD_REALM), GPC_OK, 1, 2);
	}
}

/* D9.5.1: an L0 Block decides with one read, a Table leads to L1 (two reads). */
static void test_l0_block_vs_table(void **state)
{
	struct t *t = *state;
	poke(t, L0_BASE, block(GPI_REALM));
	map_l1(t, 1, 0x20000);
	poke(t, L1_BASE + 0x20000 + 8 * 3, fill(GPI_NS)); /* PA GB + 3 * 64KB */
	struct gpc_result r = check(t, 0xFFFF000, PAS_REALM, WORLD_REALM);
	assert_result(r, GPC_OK, 0, 1);
	assert_int_equal(r.gpi, GPI_REALM);
	r = check(t, GB + 0x30000, PAS_NS, WORLD_NS);
	assert_result(r, GPC_OK, 1, 2);
	assert_int_equal(r.gpi, GPI_NS);
	assert_int_equal(t->mem.reads, 3);
}

/* L0 index is PA[pps-1:30+L0GPTSZ]: 64GB PPS with 1GB and 16GB regions. */
static void test_l0_index_bits(void **state)
{
	struct t *t = *state;
	t->cfg.pps = 1; /* 36 bits */
	poke(t, L0_BASE + 8 * 37, block(GPI_NS));
	assert_result(check(t, 0x940000000ull, PAS_NS, WORLD_NS), GPC_OK, 0, 1);
	assert_result(check(t, 0x93FFFF000ull, PAS_NS, WORLD_NS), GPC_FAULT_WALK, 0, 1);
	t->cfg.l0gptsz = 4; /* 16GB: PA 0x9_4000_0000 is region 2 */
	poke(t, L0_BASE + 8 * 2, block(GPI_ROOT));
	assert_result(check(t, 0x940000000ull, PAS_ROOT, WORLD_ROOT), GPC_OK, 0, 1);
}

/* An L0 region larger than the PPS leaves a one-entry L0 table. */
static void test_l0_region_larger_than_pps(void **state)
{
	struct t *t = *state;
	t->cfg.l0gptsz = 9; /* 512GB regions, 4GB PPS */
	poke(t, L0_BASE, block(GPI_NS));
	poke(t, L0_BASE + 8, block(GPI_REALM));
	assert_result(check(t, 0xC0000000ull, PAS_NS, WORLD_NS), GPC_OK, 0, 1);
	struct gpc_geom g;
	assert_int_equal(gpc_geom_decode(&t->cfg, &g), 0);
	assert_int_equal(gpc_l0_table_bytes(&g), 8);
	assert_int_equal(gpc_l1_table_bytes(&g), 8ull << 23);
}

/* D9.5.2 Contiguous descriptor ([3:0]=0b0001, GPI [7:4], Contig [9:8]): its
 * GPI covers every granule; Contig 0b00 or RES0 bits set are walk faults. */
static void test_contiguous_descriptor(void **state)
{
	struct t *t = *state;
	uint64_t table = map_l1(t, 1, 0x20000);
	poke(t, table, 0x1 | GPI_REALM << 4 | 1 << 8);
	struct gpc_result r = check(t, GB + 0xF000, PAS_REALM, WORLD_REALM);
	assert_result(r, GPC_OK, 1, 2);
	assert_int_equal(r.gpi, GPI_REALM);
	assert_result(check(t, GB, PAS_NS, WORLD_NS), GPC_FAULT_GPF, 1, 2);
	poke(t, table, 0x1 | GPI_REALM << 4);
	assert_result(check(t, GB, PAS_REALM, WORLD_REALM), GPC_FAULT_WALK, 1, 2);
	poke(t, table, 0x1 | GPI_REALM << 4 | 3 << 8 | 1 << 10);
	assert_result(check(t, GB, PAS_REALM, WORLD_REALM), GPC_FAULT_WALK, 1, 2);
	poke(t, table, 0x1 | GPI_REALM << 4 | 2ull << 8 | 1ull << 63);
	assert_result(check(t, GB, PAS_REALM, WORLD_REALM), GPC_FAULT_WALK, 1, 2);
	poke(t, table, 0x1 | GPI_REALM << 4 | 2ull << 8);
	assert_result(check(t, GB + 0x1000, PAS_REALM, WORLD_REALM), GPC_OK, 1, 2);
}

/* A reserved GPI in a Granules descriptor faults only its own granule. */
static void test_reserved_gpi_faults_its_granule(void **state)
{
	struct t *t = *state;
	uint64_t table = map_l1(t, 1, 0x20000);
	poke(t, table, with_nibble(fill(GPI_NS), 7, 0xE));
	struct gpc_result r = check(t, GB + 0x7000, PAS_NS, WORLD_NS);
	assert_result(r, GPC_FAULT_WALK, 1, 2);
	assert_int_equal(r.gpi, 0xE);
	assert_result(check(t, GB + 0x8000, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
}

/* R_XNKFZ: RES0 bits, bad types and bad L1 addresses in L0 descriptors are
 * walk faults at level 0. */
static void test_l0_bad_descriptors(void **state)
{
	struct t *t = *state;
	static const uint64_t bad[] = {
		0x0, 0x5, 0x7, 0xF,                 /* not Block (0b0001) or Table (0b0011) */
		0x91 | 1ull << 8, 0x91 | 1ull << 63, /* Block RES0 */
		0x3 | L1_BASE | 0x10,               /* Table [11:4] */
		0x3 | (L1_BASE + 0x1000),           /* L1 table (128KB) misaligned */
		0x3 | 0x100000000ull,               /* L1 table beyond PPS */
		0x3 | L1_BASE | 1ull << 52,         /* Table [63:52] */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		poke(t, L0_BASE, bad[i]);
		assert_result(check(t, 0x2000, PAS_NS, WORLD_NS), GPC_FAULT_WALK, 0, 1);
	}
	poke(t, L1_BASE, fill(GPI_NS));
	poke(t, L0_BASE, 0x3 | L1_BASE);
	assert_result(check(t, 0x2000, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
}

/* R_CPDSB: an NS PA beyond PPS is not checked; Secure/Realm/Root ones are
 * address size faults (R_GMGRR priority 2), with no fetch either way. */
static void test_pa_beyond_pps(void **state)
{
	struct t *t = *state;
	uint64_t pa = 0x100000000ull;
	struct gpc_result r = check(t, pa, PAS_NS, WORLD_REALM);
	assert_result(r, GPC_OK, 0, 0);
	assert_int_equal(r.gpi, GPI_ANY);
	assert_result(check(t, pa, PAS_REALM, WORLD_REALM), GPC_FAULT_ADDR_SIZE, 0, 0);
	assert_result(check(t, pa, PAS_SECURE, WORLD_SECURE), GPC_FAULT_ADDR_SIZE, 0, 0);
	assert_result(check(t, pa, PAS_ROOT, WORLD_ROOT), GPC_FAULT_ADDR_SIZE, 0, 0);
	assert_int_equal(t->mem.reads, 0);
}

/* R_GMGRR priority 3: GPTBR_EL3 beyond PPS is an address size fault, but
 * only after an NS PA beyond PPS has been let through. */
static void test_gptbr_beyond_pps(void **state)
{
	struct t *t = *state;
	t->cfg.gptbr = 0x100000000ull >> 12;
	assert_result(check(t, 0x1000, PAS_NS, WORLD_NS), GPC_FAULT_ADDR_SIZE, 0, 0);
	assert_result(check(t, 0x1000, PAS_REALM, WORLD_REALM), GPC_FAULT_ADDR_SIZE, 0, 0);
	assert_result(check(t, 0x200000000ull, PAS_NS, WORLD_NS), GPC_OK, 0, 0);
}

/* GPTBR_EL3.BADDR bits below the L0 table's size are RES0 and ignored. */
static void test_gptbr_low_bits_ignored(void **state)
{
	struct t *t = *state;
	t->cfg.pps = 5; /* 48 bits: 2^18 L0 entries, a 2MB table */
	t->cfg.pa_bits = 48;
	t->cfg.gptbr = (L0_BASE + 0x1000) >> 12;
	poke(t, L0_BASE + 8 * 3, block(GPI_ROOT));
	assert_result(check(t, 3 * GB, PAS_ROOT, WORLD_ROOT), GPC_OK, 0, 1);
}

/* R_JWCSM + R_GMGRR priority 1: an invalid GPCCR_EL3 is a walk fault at
 * level 0 that beats every other fault, even the NS beyond-PPS pass. */
static void test_bad_config_wins(void **state)
{
	struct t *t = *state;
	static const struct gpc_config bad[] = {
		{ .pgs = 3, .pps = 0, .l0gptsz = 0, .pa_bits = 40 },   /* reserved PGS */
		{ .pgs = 0, .pps = 7, .l0gptsz = 0, .pa_bits = 52 },   /* reserved PPS */
		{ .pgs = 0, .pps = 5, .l0gptsz = 0, .pa_bits = 40 },   /* 48-bit PPS > 40-bit PA */
		{ .pgs = 0, .pps = 0, .l0gptsz = 1, .pa_bits = 40 },   /* reserved L0GPTSZ */
		{ .pgs = 0, .pps = 0, .l0gptsz = 10, .pa_bits = 40 },  /* reserved L0GPTSZ */
	};
	t->mem.fail_pa = L0_BASE;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t->cfg = bad[i];
		t->cfg.enabled = true;
		t->cfg.gptbr = 1ull << 40; /* beyond any PPS */
		uint64_t far = 1ull << 53;
		assert_result(check(t, far, PAS_REALM, WORLD_REALM), GPC_FAULT_WALK, 0, 0);
		assert_result(check(t, far, PAS_NS, WORLD_NS), GPC_FAULT_WALK, 0, 0);
		assert_result(check(t, 0x1000, PAS_ROOT, WORLD_ROOT), GPC_FAULT_WALK, 0, 0);
	}
	assert_int_equal(t->mem.reads, 0);
}

/* An aborted descriptor fetch is a GPT EABT at the level fetched. */
static void test_eabt_on_fetch(void **state)
{
	struct t *t = *state;
	uint64_t table = map_l1(t, 1, 0x20000);
	poke(t, table + 8 * 2, fill(GPI_NS));
	t->mem.fail_pa = L0_BASE + 8;
	assert_result(check(t, GB + 0x20000, PAS_NS, WORLD_NS), GPC_FAULT_EABT, 0, 1);
	t->mem.fail_pa = table + 8 * 2;
	assert_result(check(t, GB + 0x20000, PAS_NS, WORLD_NS), GPC_FAULT_EABT, 1, 2);
	struct gpc_walk w = gpc_walk(&t->cfg, &t->rd, GB + 0x20000);
	assert_int_equal(w.err, -EFAULT);
	assert_int_equal(w.desc_pa, table + 16);
	t->mem.fail_pa = FAKE_NO_FAIL;
	assert_result(check(t, GB + 0x20000, PAS_NS, WORLD_NS), GPC_OK, 1, 2);
}

/* gpc_route per D9.4 / D1: which faults are GPC exceptions, where aborts go,
 * and the xFSC, GPCSC and MFAR_EL3 values reported. */
static void test_route(void **state)
{
	(void)state;
	static const struct {
		enum gpc_fault f; uint8_t level; unsigned el; bool scr, hcr, walk; int wl;
		bool to_el3; uint8_t target, fsc, gpcsc;
	} c[] = {
		{ GPC_FAULT_GPF, 1, 0, 0, 0, 0, 0, false, 1, 0x28, 0x0D },
		{ GPC_FAULT_GPF, 1, 1, 0, 0, 0, 0, false, 1, 0x28, 0x0D },
		{ GPC_FAULT_GPF, 0, 0, 0, 1, 0, 0, false, 2, 0x28, 0x0C }, /* HCR_EL2.GPF */
		{ GPC_FAULT_GPF, 0, 1, 0, 1, 0, 0, false, 2, 0x28, 0x0C },
		{ GPC_FAULT_GPF, 0, 2, 0, 0, 0, 0, false, 2, 0x28, 0x0C },
		{ GPC_FAULT_GPF, 1, 3, 1, 1, 0, 0, false, 3, 0x28, 0x0D }, /* R_BLYPM */
		{ GPC_FAULT_GPF, 1, 1, 1, 1, 0, 0, true, 3, 0x28, 0x0D },  /* R_VBZMW */
		{ GPC_FAULT_GPF, 1, 2, 1, 0, 0, 0, true, 3, 0x28, 0x0D },
		{ GPC_FAULT_GPF, 1, 1, 0, 0, 1, 2, false, 1, 0x26, 0x0D }, /* on a level 2 walk */
		{ GPC_FAULT_GPF, 1, 1, 0, 0, 1, 0, false, 1, 0x24, 0x0D },
		{ GPC_FAULT_GPF, 1, 1, 0, 0, 1, -1, false, 1, 0x23, 0x0D },
		{ GPC_FAULT_WALK, 1, 1, 0, 0, 0, 0, true, 3, 0x28, 0x05 }, /* R_PYTGX */
		{ GPC_FAULT_WALK, 0, 3, 0, 0, 0, 0, true, 3, 0x28, 0x04 },
		{ GPC_FAULT_ADDR_SIZE, 0, 0, 0, 1, 0, 0, true, 3, 0x28, 0x00 },
		{ GPC_FAULT_EABT, 1, 2, 0, 0, 1, 3, true, 3, 0x27, 0x15 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct gpc_result r = { .fault = c[i].f, .level = c[i].level, .pa = 0x1000,
					.pas = PAS_NS };
		struct gpc_report rep = gpc_route(&r, c[i].el, c[i].scr, c[i].hcr, c[i].walk, c[i].wl);
		assert_int_equal(rep.to_el3, c[i].to_el3);
		assert_int_equal(rep.target_el, c[i].target);
		assert_int_equal(rep.fsc, c[i].fsc);
		assert_int_equal(rep.gpcsc, c[i].gpcsc);
	}
	static const struct { enum cc_pas pas; uint64_t mfar; } m[] = {
		{ PAS_SECURE, 0x812345000ull },
		{ PAS_NS, 0x8000000812345000ull },
		{ PAS_ROOT, 0x4000000812345000ull },
		{ PAS_REALM, 0xC000000812345000ull },
	};
	for (size_t i = 0; i < 4; i++) {
		struct gpc_result r = { .fault = GPC_FAULT_GPF, .pa = 0x812345678ull, .pas = m[i].pas };
		assert_int_equal(gpc_route(&r, 1, true, false, false, 0).mfar, m[i].mfar);
	}
}

/* The names used in traces and reports. */
static void test_names(void **state)
{
	(void)state;
	assert_string_equal(gpc_fault_name(GPC_OK), "ok");
	assert_string_equal(gpc_fault_name(GPC_FAULT_GPF), "gpf");
	assert_string_equal(gpc_fault_name(GPC_FAULT_WALK), "walk");
	assert_string_equal(gpc_fault_name(GPC_FAULT_ADDR_SIZE), "addr_size");
	assert_string_equal(gpc_fault_name(GPC_FAULT_EABT), "eabt");
	assert_string_equal(gpi_name(GPI_NO_ACCESS), "no_access");
	assert_string_equal(gpi_name(GPI_REALM), "realm");
	assert_string_equal(gpi_name(GPI_NSO), "nso");
	assert_string_equal(gpi_name(GPI_ANY), "any");
	assert_string_equal(gpi_name(0x1), "reserved");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_disabled_allows_without_reads),
		T(test_gpi_pas_world_matrix),
		T(test_nso_reserved_without_enable),
		T(test_pgs_selects_nibble),
		T(test_l0_block_vs_table),
		T(test_l0_index_bits),
		T(test_l0_region_larger_than_pps),
		T(test_contiguous_descriptor),
		T(test_reserved_gpi_faults_its_granule),
		T(test_l0_bad_descriptors),
		T(test_pa_beyond_pps),
		T(test_gptbr_beyond_pps),
		T(test_gptbr_low_bits_ignored),
		T(test_bad_config_wins),
		T(test_eabt_on_fetch),
		T(test_route),
		T(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
