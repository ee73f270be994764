/* GPT management (models/mmu/gpt.c): layout by gpt_build and runtime GPI
 * edits, checked descriptor by descriptor in a fake Root-PAS memory and
 * through gpc_check (Arm ARM DDI 0487 K.a D9.5). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "models/mmu/gpt.h"
#include "models/mmu/tests/fake_mem.h"

#define L0_BASE 0xF0000000ull
#define L1_BASE 0xF0100000ull
#define L1_BYTES 0x20000ull /* 1GB / 64KB per descriptor * 8 */
#define GB (1ull << 30)

struct t {
	struct fake_mem mem;
	struct gpc_config cfg;
	struct gpc_reader rd;
	struct gpc_writer wr;
};

static uint64_t peek(struct t *t, uint64_t pa)
{
	return fake_mem_peek(&t->mem, pa);
}

/* 4GB PPS, 4KB granules, 1GB L0 regions, 40-bit PA. */
static const struct gpc_config base_cfg = {
	.enabled = true, .pps = 0, .pgs = 0, .l0gptsz = 0, .pa_bits = 40,
	.gptbr = L0_BASE >> 12,
};

static int setup(void **state)
{
	struct t *t = g_new0(struct t, 1);
	fake_mem_init(&t->mem, -EFAULT);
	t->cfg = base_cfg;
	t->rd = (struct gpc_reader){ fake_mem_read, &t->mem };
	t->wr = (struct gpc_writer){ fake_mem_write, &t->mem };
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

static uint64_t fill(uint8_t gpi)
{
	uint64_t d = 0;
	for (int i = 0; i < 16; i++)
		d |= (uint64_t)gpi << (4 * i);
	return d;
}

static uint8_t gpi_at(struct t *t, uint64_t pa)
{
	uint8_t gpi = 0xff;
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, pa, &gpi), 0);
	return gpi;
}

static enum gpc_fault check(struct t *t, uint64_t pa, enum cc_pas pas)
{
	return gpc_check(&t->cfg, &t->rd, pa, pas, WORLD_ROOT).fault;
}

/* Table sizes follow PPS, PGS (0b01 = 64KB, 0b10 = 16KB) and L0GPTSZ. */
static void test_table_sizes(void **state)
{
	struct t *t = *state;
	assert_int_equal(gpt_l0_table_size(&t->cfg), 32);
	assert_int_equal(gpt_l1_table_size(&t->cfg), 128 * 1024);
	t->cfg.pgs = 2;
	assert_int_equal(gpt_l1_table_size(&t->cfg), 32 * 1024);
	t->cfg.pgs = 1;
	assert_int_equal(gpt_l1_table_size(&t->cfg), 8 * 1024);
	t->cfg.pps = 5;
	t->cfg.pa_bits = 48;
	t->cfg.l0gptsz = 9;
	assert_int_equal(gpt_l0_table_size(&t->cfg), 8 * 512);
	assert_int_equal(gpt_l1_table_size(&t->cfg), 4 * 1024 * 1024);
	t->cfg.pgs = 3;
	assert_int_equal(gpt_l0_table_size(&t->cfg), 0);
	assert_int_equal(gpt_l1_table_size(&t->cfg), 0);
}

/* One L0-aligned L1 region: exact L0 descriptors, a full L1 table, and the
 * check sees the PAS layout. */
static void test_build_layout(void **state)
{
	struct t *t = *state;
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, GB, 2 * GB, GPI_REALM), 0);
	assert_int_equal(t->mem.writes, 4 + L1_BYTES / 8);
	assert_int_equal(peek(t, L0_BASE), 0x91);
	assert_int_equal(peek(t, L0_BASE + 8), 0x3 | L1_BASE);
	assert_int_equal(peek(t, L0_BASE + 16), 0x91);
	assert_int_equal(peek(t, L0_BASE + 24), 0x91);
	assert_int_equal(peek(t, L1_BASE), fill(GPI_REALM));
	assert_int_equal(peek(t, L1_BASE + L1_BYTES - 8), fill(GPI_REALM));
	assert_int_equal(check(t, GB - 0x1000, PAS_NS), GPC_OK);
	assert_int_equal(check(t, GB, PAS_NS), GPC_FAULT_GPF);
	assert_int_equal(check(t, 2 * GB - 1, PAS_REALM), GPC_OK);
	assert_int_equal(check(t, 2 * GB, PAS_REALM), GPC_FAULT_GPF);
}

/* An unaligned range: its L0 regions get L1 tables, but only the granules
 * inside the range take l1_gpi; the rest keep default_gpi. */
static void test_build_partial_range(void **state)
{
	struct t *t = *state;
	uint64_t lo = 2 * GB - 0x2000, hi = 2 * GB + 0x1000; /* spans regions 1 and 2 */
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_SECURE, L1_BASE, lo, hi, GPI_ROOT), 0);
	assert_int_equal(peek(t, L0_BASE + 8), 0x3 | L1_BASE);
	assert_int_equal(peek(t, L0_BASE + 16), 0x3 | (L1_BASE + L1_BYTES));
	assert_int_equal(peek(t, L0_BASE + 24), 0x81);
	assert_int_equal(gpi_at(t, lo - 0x1000), GPI_SECURE);
	assert_int_equal(gpi_at(t, lo), GPI_ROOT);
	assert_int_equal(gpi_at(t, lo + 0x1000), GPI_ROOT);
	assert_int_equal(gpi_at(t, 2 * GB), GPI_ROOT);
	assert_int_equal(gpi_at(t, hi), GPI_SECURE);
	assert_int_equal(gpi_at(t, GB), GPI_SECURE);
}

/* gpt_build rejects bad arguments with -EINVAL before writing anything. */
static void test_build_rejects(void **state)
{
	struct t *t = *state;
	const struct gpc_config *c = &t->cfg;
	const struct gpc_writer *w = &t->wr;
	assert_int_equal(gpt_build(c, w, 0x3, L1_BASE, GB, 2 * GB, GPI_NS), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, GB, 2 * GB, GPI_NSO), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE + 0x1000, GB, 2 * GB, GPI_NS), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, GB + 0x800, 2 * GB, GPI_NS), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, 2 * GB, GB, GPI_NS), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, GB, 5 * GB, GPI_NS), -EINVAL);
	assert_int_equal(t->mem.writes, 0);
	assert_int_equal(gpt_build(c, w, GPI_NS, 0xFFFE0000ull, 3 * GB, 4 * GB, GPI_NS), 0);
	assert_int_equal(gpt_build(c, w, GPI_NS, 0xFFFE0000ull, 2 * GB, 4 * GB, GPI_NS), -EINVAL);
	assert_int_equal(gpt_build(c, w, GPI_NS, L0_BASE, GB, 2 * GB, GPI_NS), -EINVAL);
	t->mem.writes = 0;
	t->cfg.gptbr = 0x100000000ull >> 12; /* L0 table beyond PPS */
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, 0, 0, GPI_NS), -EINVAL);
	t->cfg.pps = 5;
	t->cfg.pa_bits = 48;
	t->cfg.gptbr = (L0_BASE + 0x1000) >> 12; /* 2MB L0 table, BADDR misaligned */
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, 0, 0, GPI_NS), -EINVAL);
	t->cfg.pgs = 3;
	t->cfg.gptbr = L0_BASE >> 12;
	assert_int_equal(gpt_build(c, w, GPI_NS, L1_BASE, 0, 0, GPI_NS), -EINVAL);
	assert_int_equal(t->mem.writes, 0);
}

/* gpt_set_gpi changes exactly one nibble of one descriptor. */
static void test_set_gpi_one_granule(void **state)
{
	struct t *t = *state;
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, GB, 2 * GB, GPI_NS), 0);
	GHashTable *before = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, t->mem.cells);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(before, g_memdup2(k, 8), g_memdup2(v, 8));
	t->mem.writes = 0;

	uint8_t old = 0;
	uint64_t pa = GB + 0x123000; /* descriptor 0x12, granule 3 */
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, pa, GPI_REALM, &old), 0);
	assert_int_equal(old, GPI_NS);
	assert_int_equal(t->mem.writes, 1);
	unsigned changed = 0;
	g_hash_table_iter_init(&it, t->mem.cells);
	while (g_hash_table_iter_next(&it, &k, &v))
		changed += *(uint64_t *)g_hash_table_lookup(before, k) != *(uint64_t *)v;
	assert_int_equal(changed, 1);
	assert_int_equal(peek(t, L1_BASE + 8 * 0x12), (fill(GPI_NS) & ~0xf000ull) | 0xb000);
	assert_int_equal(check(t, pa, PAS_REALM), GPC_OK);
	assert_int_equal(check(t, pa - 0x1000, PAS_REALM), GPC_FAULT_GPF);
	assert_int_equal(check(t, pa + 0x1000, PAS_NS), GPC_OK);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, pa, GPI_NS, &old), 0);
	assert_int_equal(old, GPI_REALM);
	assert_int_equal(peek(t, L1_BASE + 8 * 0x12), fill(GPI_NS));
	g_hash_table_destroy(before);
}

/* Only L1-mapped memory changes PAS at runtime; reserved GPIs are refused. */
static void test_set_gpi_rejects(void **state)
{
	struct t *t = *state;
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, GB, 2 * GB, GPI_NS), 0);
	t->mem.writes = 0;
	uint8_t old = 0x42;
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, 0x5000, GPI_REALM, &old), -EINVAL);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, GB, 0xC, &old), -EINVAL);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, GB, GPI_NSO, &old), -EINVAL);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, 4 * GB, GPI_NS, &old), -ERANGE);
	assert_int_equal(old, 0x42);
	assert_int_equal(t->mem.writes, 0);
	assert_int_equal(gpi_at(t, 0x5000), GPI_NS);
	t->cfg.nso = true;
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, GB, GPI_NSO, NULL), 0);
	assert_int_equal(gpi_at(t, GB), GPI_NSO);
}

/* Changing one granule of a 2MB Contiguous descriptor first splits the
 * whole block (32 descriptors at 4KB granules) into Granules descriptors. */
static void test_set_gpi_splits_contiguous(void **state)
{
	struct t *t = *state;
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, GB, 2 * GB, GPI_NS), 0);
	uint64_t contig = 0x1 | GPI_REALM << 4 | 1 << 8;
	for (unsigned i = 32; i < 64; i++) /* the block [GB + 2MB, GB + 4MB) */
		assert_int_equal(fake_mem_write(&t->mem, L1_BASE + 8 * i, contig), 0);
	t->mem.writes = 0;
	uint64_t pa = GB + 0x200000 + 0x45000;
	uint8_t old = 0;
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, pa, GPI_NS, &old), 0);
	assert_int_equal(old, GPI_REALM);
	assert_int_equal(t->mem.writes, 33);
	assert_int_equal(peek(t, L1_BASE + 8 * 32), fill(GPI_REALM));
	assert_int_equal(peek(t, L1_BASE + 8 * 63), fill(GPI_REALM));
	assert_int_equal(peek(t, L1_BASE + 8 * 31), fill(GPI_NS));
	assert_int_equal(peek(t, L1_BASE + 8 * 64), fill(GPI_NS));
	assert_int_equal(gpi_at(t, pa), GPI_NS);
	assert_int_equal(gpi_at(t, pa + 0x1000), GPI_REALM);
	assert_int_equal(gpi_at(t, GB + 0x3FF000), GPI_REALM);
}

/* gpt_get_gpi/gpt_set_gpi errors: PA beyond PPS, an aborted fetch (the
 * reader's errno), a malformed table and an invalid configuration. */
static void test_lookup_errors(void **state)
{
	struct t *t = *state;
	uint8_t gpi = 0;
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, 0x1000, &gpi), -EIO); /* L0 entry 0 */
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, GB, 2 * GB, GPI_NS), 0);
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, 4 * GB, &gpi), -ERANGE);
	t->mem.fail_pa = L1_BASE + 8;
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, GB + 0x10000, &gpi), -EFAULT);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, GB + 0x10000, GPI_ROOT, NULL),
			 -EFAULT);
	t->mem.fail_pa = FAKE_NO_FAIL;
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, GB + 0x10000, &gpi), 0);
	assert_int_equal(gpi, GPI_NS);
	t->cfg.l0gptsz = 2;
	assert_int_equal(gpt_get_gpi(&t->cfg, &t->rd, GB, &gpi), -EINVAL);
	assert_int_equal(gpt_set_gpi(&t->cfg, &t->rd, &t->wr, GB, GPI_NS, NULL), -EINVAL);
}

/* A failing write is passed back to the caller. */
static void test_write_error_propagates(void **state)
{
	struct t *t = *state;
	t->mem.fail_pa = L0_BASE + 16;
	assert_int_equal(gpt_build(&t->cfg, &t->wr, GPI_NS, L1_BASE, 0, 0, GPI_NS), -EFAULT);
	assert_int_equal(t->mem.writes, 3); /* entries 0 and 1, then the failing 2; none after */
	assert_int_equal(fake_mem_peek(&t->mem, L0_BASE + 16), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_table_sizes),
		T(test_build_layout),
		T(test_build_partial_range),
		T(test_build_rejects),
		T(test_set_gpi_one_granule),
		T(test_set_gpi_rejects),
		T(test_set_gpi_splits_contiguous),
		T(test_lookup_errors),
		T(test_write_error_propagates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
