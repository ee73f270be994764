/* Unit tests for the DIMM address decoder: the alias mask, page remaps and
 * their removal, mem_decode, the attacker's direct cell access, bad
 * parameters, and snapshots holding decoder and bank state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/mem/tests/mem_rig.h"

/* Write a page of pattern `seed` at pa through the controller. */
static void page_put(struct rig *r, uint64_t pa, uint8_t seed)
{
	uint8_t page[MEM_PAGE_SIZE];
	fill(page, sizeof(page), seed);
	assert_int_equal(mem_write(&r->m, pa, page, sizeof(page)), 0);
}

/* Assert the page read through the controller at pa holds pattern `seed`. */
static void page_expect(struct rig *r, uint64_t pa, uint8_t seed)
{
	uint8_t want[MEM_PAGE_SIZE], got[MEM_PAGE_SIZE];
	fill(want, sizeof(want), seed);
	assert_int_equal(mem_read(&r->m, pa, got, sizeof(got)), 0);
	assert_memory_equal(want, got, sizeof(got));
}

/* With bit 20 ignored, pa and pa ^ 1 MiB read each other's data and share one page of cells. */
static void test_alias_mask(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_set_alias_mask(&r.m, 1u << 20), 0);
	uint8_t in[64], out[64];
	fill(in, sizeof(in), 1);
	assert_int_equal(mem_write(&r.m, 0x100040, in, 64), 0);
	assert_int_equal(mem_read(&r.m, 0x40, out, 64), 0);
	assert_memory_equal(in, out, 64);
	uint64_t v = 0x1122334455667788ull, back = 0;
	assert_int_equal(mem_write(&r.m, 0x80, &v, 8), 0);
	assert_int_equal(mem_read(&r.m, 0x100080, &back, 8), 0);
	assert_int_equal(back, v);
	assert_int_equal(mem_pages(&r.m), 1);
	assert_int_equal(mem_decode(&r.m, 0x100040), 0x40);
	assert_int_equal(mem_decode(&r.m, 0x300040), 0x200040); /* bit 21 is decoded */
	/* Mask removed: 0x100040 reaches its own (never written) cells again. */
	assert_int_equal(mem_set_alias_mask(&r.m, 0), 0);
	assert_int_equal(mem_read(&r.m, 0x100040, out, 64), 0);
	memset(in, 0, sizeof(in));
	assert_memory_equal(in, out, 64);
	assert_int_equal(mem_decode(&r.m, 0x100040), 0x100040);
	assert_false(r.m.decoding);
	sim_fini(&r.s);
}

/* A two-page remap redirects reads and writes; remapping one page onto itself restores only it. */
static void test_remap_and_removal(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	page_put(&r, 0x5000, 1);
	page_put(&r, 0x6000, 2);
	page_put(&r, 0x9000, 3);
	page_put(&r, 0xa000, 4);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x9000, 0x2000), 0);
	page_expect(&r, 0x5000, 3);
	page_expect(&r, 0x6000, 4);
	assert_int_equal(mem_decode(&r.m, 0x5123), 0x9123);
	assert_int_equal(mem_decode(&r.m, 0x6fff), 0xafff);
	assert_int_equal(mem_decode(&r.m, 0x7000), 0x7000);
	assert_int_equal(mem_decode(&r.m, 0x4fff), 0x4fff);
	/* A write through the alias lands in the target's cells. */
	uint64_t v = 0xdeadbeefcafef00dull, back = 0;
	assert_int_equal(mem_write(&r.m, 0x5010, &v, 8), 0);
	assert_int_equal(mem_read(&r.m, 0x9010, &back, 8), 0);
	assert_int_equal(back, v);
	assert_int_equal(mem_pages(&r.m), 4);

	assert_int_equal(mem_alias(&r.m, 0x5000, 0x5000, 0x1000), 0);
	page_expect(&r, 0x5000, 1); /* its own cells were never touched */
	page_expect(&r, 0x6000, 4);
	assert_int_equal(mem_decode(&r.m, 0x5123), 0x5123);
	assert_int_equal(r.m.nremaps, 1);
	assert_int_equal(r.m.remaps[0].pfn, 0x6);
	assert_int_equal(r.m.remaps[0].target, 0xa);
	assert_int_equal(r.m.remaps[0].pages, 1);
	/* A later remap of 0x6000 overrides; removing it empties the decoder. */
	assert_int_equal(mem_alias(&r.m, 0x6000, 0x9000, 0x1000), 0);
	assert_int_equal(mem_decode(&r.m, 0x6040), 0x9040);
	assert_int_equal(mem_alias(&r.m, 0x6000, 0x6000, 0x1000), 0);
	page_expect(&r, 0x6000, 2);
	assert_int_equal(r.m.nremaps, 0);
	assert_false(r.m.decoding);
	sim_fini(&r.s);
}

/* A remap inside a larger one splits it in three; undoing it merges the runs back into one. */
static void test_remap_split_and_merge(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_alias(&r.m, 0x10000, 0x40000, 16 * MEM_PAGE_SIZE), 0);
	assert_int_equal(mem_alias(&r.m, 0x14000, 0x80000, 2 * MEM_PAGE_SIZE), 0);
	assert_int_equal(r.m.nremaps, 3);
	const struct mem_remap want[3] = { { 0x10, 0x40, 4 }, { 0x14, 0x80, 2 }, { 0x16, 0x46, 10 } };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.m.remaps[i].pfn, want[i].pfn);
		assert_int_equal(r.m.remaps[i].target, want[i].target);
		assert_int_equal(r.m.remaps[i].pages, want[i].pages);
	}
	assert_int_equal(mem_decode(&r.m, 0x13fff), 0x43fff);
	assert_int_equal(mem_decode(&r.m, 0x14000), 0x80000);
	assert_int_equal(mem_decode(&r.m, 0x15fff), 0x81fff);
	assert_int_equal(mem_decode(&r.m, 0x16000), 0x46000);
	assert_int_equal(mem_decode(&r.m, 0x1ffff), 0x4ffff);
	assert_int_equal(mem_decode(&r.m, 0x20000), 0x20000);
	assert_int_equal(mem_alias(&r.m, 0x14000, 0x44000, 2 * MEM_PAGE_SIZE), 0);
	assert_int_equal(r.m.nremaps, 1);
	assert_int_equal(r.m.remaps[0].pfn, 0x10);
	assert_int_equal(r.m.remaps[0].target, 0x40);
	assert_int_equal(r.m.remaps[0].pages, 16);
	sim_fini(&r.s);
}

/* mem_decode remaps first (keyed on the exact pa), then clears the ignored bits of the result. */
static void test_decode_remap_then_mask(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_decode(&r.m, 0x12345678), 0x12345678);
	assert_int_equal(mem_set_alias_mask(&r.m, 1u << 28), 0);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x10009000, MEM_PAGE_SIZE), 0);
	assert_int_equal(mem_decode(&r.m, 0x5abc), 0x9abc);
	assert_int_equal(mem_decode(&r.m, 0x10005abc), 0x5abc); /* not remapped: only masked */
	assert_int_equal(mem_decode(&r.m, 0x10009abc), 0x9abc);
	sim_fini(&r.s);
}

/* The attacker's cell access ignores the decoder, the stats and the bus log. */
static void test_cell_access_bypasses_decoder(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x9000, MEM_PAGE_SIZE), 0);
	mem_bus_log_start(&r.m);
	uint64_t x = 0x1111111111111111ull, y = 0x2222222222222222ull, back = 7;
	assert_int_equal(mem_cell_write(&r.m, 0x5000, &x, 8), 0);
	assert_int_equal(mem_read(&r.m, 0x5000, &back, 8), 0); /* reaches cell 0x9000 */
	assert_int_equal(back, 0);
	assert_int_equal(mem_cell_read(&r.m, 0x5000, &back, 8), 0);
	assert_int_equal(back, x);
	assert_int_equal(mem_write(&r.m, 0x5000, &y, 8), 0);
	assert_int_equal(mem_cell_read(&r.m, 0x9000, &back, 8), 0);
	assert_int_equal(back, y);
	assert_int_equal(mem_cell_read(&r.m, 0x5000, &back, 8), 0);
	assert_int_equal(back, x);
	assert_int_equal(mem_cell_write(&r.m, 0xfffffffc, &x, 8), -ERANGE);
	assert_int_equal(mem_cell_read(&r.m, 0x100000000ull, &back, 1), -ERANGE);
	assert_int_equal(sim_stat_get(&r.s, "mem.reads"), 1);
	assert_int_equal(sim_stat_get(&r.s, "mem.writes"), 1);
	assert_int_equal(sim_stat_get(&r.s, "mem.bytes_read"), 8);
	assert_int_equal(mem_pages(&r.m), 2); /* cell writes still allocate */
	struct mem_bus_rec *recs;
	size_t n = mem_bus_log_stop(&r.m, &recs);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0].pa, 0x5000);
	assert_int_equal(recs[0].write, 0);
	assert_int_equal(recs[1].pa, 0x5000);
	assert_int_equal(recs[1].write, 1);
	mem_bus_log_free(recs);
	sim_fini(&r.s);
}

/* Misaligned, empty or out-of-space remaps and masks are refused and change nothing. */
static void test_bad_alias_parameters(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	const uint64_t top = 1ull << 32;
	assert_int_equal(mem_alias(&r.m, 0x5001, 0x9000, 0x1000), -EINVAL);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x9800, 0x1000), -EINVAL);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x9000, 0x800), -EINVAL);
	assert_int_equal(mem_alias(&r.m, 0x5000, 0x9000, 0), -EINVAL);
	assert_int_equal(mem_alias(&r.m, top - 0x1000, 0x9000, 0x2000), -ERANGE);
	assert_int_equal(mem_alias(&r.m, 0x5000, top, 0x1000), -ERANGE);
	assert_int_equal(mem_alias(&r.m, 0, 0, 2 * top), -ERANGE);
	assert_int_equal(mem_set_alias_mask(&r.m, 0x800), -EINVAL);
	assert_int_equal(mem_set_alias_mask(&r.m, top), -EINVAL);
	assert_int_equal(mem_set_alias_mask(&r.m, (1u << 20) | 1), -EINVAL);
	assert_false(r.m.decoding);
	assert_int_equal(r.m.nremaps, 0);
	assert_int_equal(r.m.alias_mask, 0);
	assert_int_equal(mem_decode(&r.m, 0x5000), 0x5000);
	/* The last page onto the first is inside. */
	assert_int_equal(mem_alias(&r.m, top - 0x1000, 0, 0x1000), 0);
	assert_int_equal(mem_decode(&r.m, top - 1), 0xfff);
	sim_fini(&r.s);
}

/* Past MEM_REMAPS_MAX separate runs a remap fails with -ENOSPC and the table stays as it was. */
static void test_remap_table_full(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	for (uint64_t i = 0; i < MEM_REMAPS_MAX; i++)
		assert_int_equal(mem_alias(&r.m, (2 * i) << MEM_PAGE_SHIFT,
					   (2 * i + 1) << MEM_PAGE_SHIFT, MEM_PAGE_SIZE), 0);
	assert_int_equal(r.m.nremaps, MEM_REMAPS_MAX);
	const uint64_t next = (uint64_t)(2 * MEM_REMAPS_MAX) << MEM_PAGE_SHIFT;
	assert_int_equal(mem_alias(&r.m, next, 0, MEM_PAGE_SIZE), -ENOSPC);
	assert_int_equal(r.m.nremaps, MEM_REMAPS_MAX);
	assert_int_equal(mem_decode(&r.m, next), next);
	/* Overriding an existing run still fits. */
	assert_int_equal(mem_alias(&r.m, 0, 0x3000, MEM_PAGE_SIZE), 0);
	assert_int_equal(mem_decode(&r.m, 0x10), 0x3010);
	sim_fini(&r.s);
}

/* The alias check: an ignored bit aliases a range holding both its values,
 * a remap one holding its target too; a swap of two pages aliases nothing. */
static void test_aliases_in_range(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_false(mem_decoder_aliases(&r.m, 0, 1ull << 32));
	assert_int_equal(mem_set_alias_mask(&r.m, 1u << 20), 0);
	assert_false(mem_decoder_aliases(&r.m, 0, 1u << 20));
	assert_true(mem_decoder_aliases(&r.m, 0, 2u << 20));
	/* pages 0x80..0xff and 0x100..0x17f: no pair differs in bit 20 alone */
	assert_false(mem_decoder_aliases(&r.m, 0x80000, 0x180000));
	assert_true(mem_decoder_aliases(&r.m, 0x80000, 0x181000));
	assert_int_equal(mem_set_alias_mask(&r.m, 0), 0);
	assert_int_equal(mem_alias(&r.m, 0x40000000, 0x80000000, 0x1000), 0);
	assert_true(mem_decoder_aliases(&r.m, 0, 1ull << 32));
	assert_false(mem_decoder_aliases(&r.m, 0, 0x80000000));  /* the target is outside */
	assert_false(mem_decoder_aliases(&r.m, 0x40001000, 1ull << 32)); /* the alias is */
	assert_true(mem_decoder_aliases(&r.m, 0x40000fff, 0x80000001));
	/* the other way too: a swap permutes the two pages */
	assert_int_equal(mem_alias(&r.m, 0x80000000, 0x40000000, 0x1000), 0);
	assert_false(mem_decoder_aliases(&r.m, 0, 1ull << 32));
	/* a remap whose target the mask folds onto a page of the range */
	assert_int_equal(mem_set_alias_mask(&r.m, 1u << 28), 0);
	assert_int_equal(mem_alias(&r.m, 0x1000, 0x10002000, 0x1000), 0);
	assert_false(mem_decoder_aliases(&r.m, 0, 0x2000));
	assert_true(mem_decoder_aliases(&r.m, 0, 0x3000));
	sim_fini(&r.s);
}

/* Against a page-by-page search, over masks and remaps of a small space. */
static void test_aliases_match_brute_force(void **state)
{
	(void)state;
	const unsigned pages = 64; /* a 256 KiB space */
	uint64_t x = 12345;
	for (unsigned trial = 0; trial < 300; trial++) {
		struct rig r;
		rig_init(&r, 18);
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		/* no ignored bit, one, or two (of the six pfn bits) */
		uint64_t mask = trial % 3 == 0 ? 0 : 1ull << ((x >> 33) % 6);
		if (trial % 7 == 1)
			mask |= 1ull << ((x >> 41) % 6);
		assert_int_equal(mem_set_alias_mask(&r.m, mask << MEM_PAGE_SHIFT), 0);
		for (unsigned k = 0; k < (trial % 4); k++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t n = 1 + (x >> 60), pa = (x >> 20) % (pages - n), t = (x >> 40) % (pages - n);
			assert_int_equal(mem_alias(&r.m, pa << MEM_PAGE_SHIFT, t << MEM_PAGE_SHIFT,
						   n << MEM_PAGE_SHIFT), 0);
		}
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t lo = (x >> 30) % pages, hi = lo + 1 + (x >> 45) % (pages - lo);
		bool want = false;
		for (uint64_t a = lo; a < hi && !want; a++)
			for (uint64_t b = a + 1; b < hi && !want; b++)
				want = mem_decode(&r.m, a << MEM_PAGE_SHIFT) == mem_decode(&r.m, b << MEM_PAGE_SHIFT);
		assert_int_equal(mem_decoder_aliases(&r.m, lo << MEM_PAGE_SHIFT, hi << MEM_PAGE_SHIFT),
				 want);
		sim_fini(&r.s);
	}
}

/* Machine with a mask, remaps, data behind them, open rows and a busy channel. */
static void aliased_machine(struct rig *r)
{
	rig_init(r, 32);
	struct mem_timing t = { .latency = 150, .banks = 8, .row_bytes = 8192, .t_cl = 11,
				.t_rcd = 13, .t_rp = 17, .line_interval = 4 * MEM_CHAN_UNITS, .controller = 5 };
	assert_int_equal(mem_set_timing(&r->m, &t), 0);
	assert_int_equal(mem_set_alias_mask(&r->m, 1u << 24), 0);
	assert_int_equal(mem_alias(&r->m, 0x5000, 0x9000, 0x2000), 0);
	assert_int_equal(mem_alias(&r->m, 0x20000, 0x30000, 0x1000), 0);
	page_put(r, 0x5000, 1);   /* into cells 0x9000 */
	page_put(r, 0x20000, 2);  /* into cells 0x30000 */
	assert_int_equal(mem_access_cycles(&r->m, 0x0, false, 100), 29);      /* bank 0 row 0 */
	/* a posted write: the channel wait and the controller; bank 1 opens row 3 */
	assert_int_equal(mem_access_cycles(&r->m, 0x32000, true, 100), 4 + 5);
}

/* A snapshot carries decoder, bank rows and channel state; the restored machine behaves alike. */
static void test_snapshot_round_trip(void **state)
{
	(void)state;
	struct rig a, b;
	aliased_machine(&a);
	struct sim_buf snap;
	snap_take(&a.s, &snap);

	rig_init(&b, 32);
	snap_restore_ok(&b.s, &snap);
	/* field by field: the struct has padding after `banks` */
	assert_int_equal(a.m.timing.latency, b.m.timing.latency);
	assert_int_equal(a.m.timing.banks, b.m.timing.banks);
	assert_int_equal(a.m.timing.row_bytes, b.m.timing.row_bytes);
	assert_int_equal(a.m.timing.t_cl, b.m.timing.t_cl);
	assert_int_equal(a.m.timing.t_rcd, b.m.timing.t_rcd);
	assert_int_equal(a.m.timing.t_rp, b.m.timing.t_rp);
	assert_int_equal(a.m.timing.line_interval, b.m.timing.line_interval);
	assert_int_equal(a.m.timing.controller, b.m.timing.controller);
	const uint64_t pas[] = { 0x5000, 0x6abc, 0x1005000, 0x20000, 0x1020000, 0x21000, 0x9000 };
	for (size_t i = 0; i < sizeof(pas) / sizeof(pas[0]); i++)
		assert_int_equal(mem_decode(&b.m, pas[i]), mem_decode(&a.m, pas[i]));
	assert_int_equal(mem_decode(&b.m, 0x1005000), 0x5000);
	page_expect(&b, 0x1009000, 1);
	page_expect(&b, 0x20000, 2);
	page_expect(&b, 0x1030000, 2); /* masked onto cells 0x30000 */
	/* Same state: row hit in bank 0 after the channel frees at 108, conflict in bank 1. */
	assert_int_equal(mem_access_cycles(&b.m, 0x40, false, 100), 8 + 16);
	assert_int_equal(mem_access_cycles(&a.m, 0x40, false, 100), 8 + 16);
	assert_int_equal(mem_access_cycles(&b.m, 0x2000, false, 200), 46);
	assert_int_equal(mem_access_cycles(&a.m, 0x2000, false, 200), 46);
	assert_int_equal(sim_stat_get(&b.s, "mem.row_misses"), 2);
	assert_int_equal(sim_stat_get(&b.s, "mem.row_hits"), 1);
	assert_int_equal(sim_stat_get(&b.s, "mem.row_conflicts"), 1);

	/* Saving right after a restore gives back the same bytes. */
	struct rig c;
	rig_init(&c, 32);
	snap_restore_ok(&c.s, &snap);
	snap_assert_bytes(&c.s, &snap);
	sim_buf_free(&snap);
	sim_fini(&c.s);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* Two call histories ending in one mapping save the same bytes. */
static void test_snapshot_independent_of_remap_history(void **state)
{
	(void)state;
	struct rig a, b;
	rig_init(&a, 32);
	rig_init(&b, 32);
	assert_int_equal(mem_alias(&a.m, 0x5000, 0x9000, 0x3000), 0);
	assert_int_equal(mem_alias(&b.m, 0x7000, 0xb000, 0x1000), 0);
	assert_int_equal(mem_alias(&b.m, 0x6000, 0x1000, 0x1000), 0);
	assert_int_equal(mem_alias(&b.m, 0x5000, 0x9000, 0x1000), 0);
	assert_int_equal(mem_alias(&b.m, 0x6000, 0xa000, 0x1000), 0);
	assert_int_equal(mem_alias(&b.m, 0x40000, 0x1000, 0x1000), 0);
	assert_int_equal(mem_alias(&b.m, 0x40000, 0x40000, 0x1000), 0);
	snap_assert_same(&a.s, &b.s);
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* A checkpoint remapping onto cells beyond this machine's space is refused. */
static void test_restore_rejects_remap_outside_space(void **state)
{
	(void)state;
	struct rig big, small;
	rig_init(&big, 40);
	assert_int_equal(mem_alias(&big.m, 0x5000, 0xff00000000ull, 0x1000), 0);
	struct sim_buf snap;
	snap_take(&big.s, &snap);
	rig_init(&small, 32);
	char err[256] = "";
	assert_int_equal(sim_restore(&small.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model mem: bad variable-size state");
	assert_false(small.m.decoding);
	assert_int_equal(mem_decode(&small.m, 0x5000), 0x5000);
	sim_buf_free(&snap);
	sim_fini(&small.s);
	sim_fini(&big.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_mask),
		cmocka_unit_test(test_remap_and_removal),
		cmocka_unit_test(test_remap_split_and_merge),
		cmocka_unit_test(test_decode_remap_then_mask),
		cmocka_unit_test(test_cell_access_bypasses_decoder),
		cmocka_unit_test(test_bad_alias_parameters),
		cmocka_unit_test(test_remap_table_full),
		cmocka_unit_test(test_aliases_in_range),
		cmocka_unit_test(test_aliases_match_brute_force),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_snapshot_independent_of_remap_history),
		cmocka_unit_test(test_restore_rejects_remap_outside_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
