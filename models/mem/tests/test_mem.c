/* Unit tests for the sparse physical memory: contents, allocation on write,
 * bounds, stats, reset and snapshots. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/mem/tests/mem_rig.h"

#define TIB_BITS 40

/* A write straddling a page boundary reads back intact and allocates both pages. */
static void test_round_trip_across_pages(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	uint8_t in[100], out[100];
	fill(in, sizeof(in), 3);
	assert_int_equal(mem_write(&r.m, 0x2000 - 50, in, sizeof(in)), 0);
	assert_int_equal(mem_read(&r.m, 0x2000 - 50, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(mem_pages(&r.m), 2);
	/* Each half read alone sees its own page. */
	assert_int_equal(mem_read(&r.m, 0x2000, out, 50), 0);
	assert_memory_equal(in + 50, out, 50);
	assert_int_equal(sim_stat_get(&r.s, "mem.reads"), 2);
	assert_int_equal(sim_stat_get(&r.s, "mem.writes"), 1);
	assert_int_equal(sim_stat_get(&r.s, "mem.bytes_read"), 150);
	assert_int_equal(sim_stat_get(&r.s, "mem.bytes_written"), 100);
	assert_int_equal(sim_stat_get(&r.s, "mem.pages"), 2);
	assert_int_equal(mem_latency(&r.m), 150);
	sim_fini(&r.s);
}

/* Never-written memory reads as zero, also beside a written page, and reading allocates nothing. */
static void test_untouched_reads_zero(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 48);
	uint8_t buf[3 * MEM_PAGE_SIZE];
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(mem_read(&r.m, 0x123456789000ull, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(mem_pages(&r.m), 0);

	uint8_t one = 0x5a;
	assert_int_equal(mem_write(&r.m, 0x5000 + 17, &one, 1), 0);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(mem_read(&r.m, 0x4000, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], i == MEM_PAGE_SIZE + 17 ? 0x5a : 0);
	assert_int_equal(mem_pages(&r.m), 1);
	sim_fini(&r.s);
}

/* The last 8 bytes of a 1 TiB space are writable and cost exactly one page. */
static void test_top_of_tib_space(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, TIB_BITS);
	const uint64_t pa = (1ull << TIB_BITS) - 8;
	uint64_t v = 0x0123456789abcdefull, back = 0;
	assert_int_equal(mem_write(&r.m, pa, &v, 8), 0);
	assert_int_equal(mem_read(&r.m, pa, &back, 8), 0);
	assert_int_equal(back, v);
	assert_int_equal(sim_stat_get(&r.s, "mem.pages"), 1);
	/* A write to the bottom page uses a different radix branch and one more page. */
	assert_int_equal(mem_write(&r.m, 0, &v, 8), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.pages"), 2);
	assert_int_equal(mem_read(&r.m, pa, &back, 8), 0);
	assert_int_equal(back, v);
	sim_fini(&r.s);
}

/* Ranges leaving the space fail with -ERANGE and touch neither memory nor stats. */
static void test_out_of_range(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, TIB_BITS);
	const uint64_t top = 1ull << TIB_BITS;
	uint8_t buf[16] = {0};
	assert_int_equal(mem_write(&r.m, top - 4, buf, 8), -ERANGE);
	assert_int_equal(mem_write(&r.m, top, buf, 1), -ERANGE);
	assert_int_equal(mem_read(&r.m, top - 4, buf, 8), -ERANGE);
	assert_int_equal(mem_read(&r.m, UINT64_MAX - 1, buf, 4), -ERANGE); /* pa + len wraps */
	assert_int_equal(mem_read(&r.m, 0, buf, SIZE_MAX), -ERANGE);
	assert_int_equal(mem_pages(&r.m), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.reads"), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.writes"), 0);
	/* An empty range ending exactly at the top is inside. */
	assert_int_equal(mem_read(&r.m, top, buf, 0), 0);
	sim_fini(&r.s);
}

/* Save, restore into a fresh machine: same contents, stats and snapshot bytes. */
static void test_save_restore(void **state)
{
	(void)state;
	struct rig a, b;
	rig_init(&a, 48);
	uint8_t page[MEM_PAGE_SIZE], out[MEM_PAGE_SIZE];
	const uint64_t pas[] = { 0xfffffffff000ull, 0x1000, 0x40000000ull, 0x1f00 };
	for (size_t i = 0; i < 4; i++) {
		fill(page, sizeof(page), (uint8_t)(i + 1));
		assert_int_equal(mem_write(&a.m, pas[i], page, 64), 0);
	}
	assert_int_equal(mem_read(&a.m, 0x1000, out, 8), 0);
	struct sim_buf snap;
	snap_take(&a.s, &snap);

	rig_init(&b, 48);
	snap_restore_ok(&b.s, &snap);
	for (size_t i = 0; i < 4; i++) {
		fill(page, sizeof(page), (uint8_t)(i + 1));
		assert_int_equal(mem_read(&b.m, pas[i], out, 64), 0);
		assert_memory_equal(page, out, 64);
	}
	assert_int_equal(mem_pages(&b.m), 3); /* 0x1000 and 0x1f00 share a page */
	assert_int_equal(sim_stat_get(&b.s, "mem.writes"), 4);
	assert_int_equal(sim_stat_get(&b.s, "mem.reads"), 5); /* 1 before the save + 4 here */
	assert_int_equal(sim_stat_get(&b.s, "mem.bytes_written"), 256);

	/* A machine saved right after a restore gives back the same bytes. */
	struct rig c;
	rig_init(&c, 48);
	snap_restore_ok(&c.s, &snap);
	snap_assert_bytes(&c.s, &snap);

	sim_buf_free(&snap);
	sim_fini(&c.s);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* Snapshot bytes list pages by ascending PFN, whatever order they were written in. */
static void test_snapshot_independent_of_write_order(void **state)
{
	(void)state;
	struct rig a, b;
	rig_init(&a, 52);
	rig_init(&b, 52);
	const uint64_t pas[] = { 0xabc0000000000ull, 0x3000, 0x7ff000, 0x10000000000ull };
	uint64_t v;
	for (size_t i = 0; i < 4; i++) {
		v = pas[i];
		assert_int_equal(mem_write(&a.m, pas[i], &v, 8), 0);
		v = pas[3 - i];
		assert_int_equal(mem_write(&b.m, pas[3 - i], &v, 8), 0);
	}
	snap_assert_same(&a.s, &b.s);
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* A checkpoint holding a page beyond this machine's space is refused. */
static void test_restore_rejects_page_outside_space(void **state)
{
	(void)state;
	struct rig big, small;
	rig_init(&big, 40);
	uint8_t x = 1;
	assert_int_equal(mem_write(&big.m, 0xfff0000000ull, &x, 1), 0);
	struct sim_buf snap;
	snap_take(&big.s, &snap);
	rig_init(&small, 32);
	char err[256] = "";
	assert_int_equal(sim_restore(&small.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model mem: bad variable-size state");
	sim_buf_free(&snap);
	sim_fini(&small.s);
	sim_fini(&big.s);
}

/* Reset frees every page: memory reads zero again and the page count drops to 0. */
static void test_reset_clears(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 40);
	uint64_t v = 42, back = 7;
	assert_int_equal(mem_write(&r.m, 0x8000, &v, 8), 0);
	assert_int_equal(mem_write(&r.m, 0x80000000ull, &v, 8), 0);
	assert_int_equal(mem_pages(&r.m), 2);
	sim_reset(&r.s);
	assert_int_equal(mem_pages(&r.m), 0);
	assert_int_equal(mem_read(&r.m, 0x8000, &back, 8), 0); /* the last-page cache is gone too */
	assert_int_equal(back, 0);
	assert_int_equal(mem_pages(&r.m), 0);
	assert_int_equal(mem_write(&r.m, 0x8000, &v, 8), 0);
	assert_int_equal(mem_read(&r.m, 0x8000, &back, 8), 0);
	assert_int_equal(back, 42);
	assert_int_equal(mem_pages(&r.m), 1);
	sim_fini(&r.s);
}

/* The smallest space (one page) works at both ends and rejects anything past it. */
static void test_single_page_space(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, MEM_PA_BITS_MIN);
	uint8_t in[MEM_PAGE_SIZE], out[MEM_PAGE_SIZE];
	fill(in, sizeof(in), 9);
	assert_int_equal(mem_write(&r.m, 0, in, sizeof(in)), 0);
	assert_int_equal(mem_read(&r.m, 0, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(mem_write(&r.m, 1, in, sizeof(in)), -ERANGE);
	assert_int_equal(mem_pages(&r.m), 1);
	sim_fini(&r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_across_pages),
		cmocka_unit_test(test_untouched_reads_zero),
		cmocka_unit_test(test_top_of_tib_space),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_snapshot_independent_of_write_order),
		cmocka_unit_test(test_restore_rejects_page_outside_space),
		cmocka_unit_test(test_reset_clears),
		cmocka_unit_test(test_single_page_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
