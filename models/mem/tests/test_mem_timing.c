/* Unit tests for the DRAM timing: fixed latency, open-row bank model,
 * row:bank:column mapping, channel bandwidth, bad configurations and reset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/mem/tests/mem_rig.h"

/* 8 banks of 8 KiB rows: column = pa[12:0], bank = pa[15:13], row = pa >> 16. */
static const struct mem_timing ddr = {
	.latency = 150, .banks = 8, .row_bytes = 8192,
	.t_cl = 11, .t_rcd = 13, .t_rp = 17, .controller = 5,
};
#define HIT 16       /* controller + t_cl */
#define CLOSED 29    /* controller + t_rcd + t_cl */
#define CONFLICT 46  /* controller + t_rp + t_rcd + t_cl */

static uint64_t acc(struct rig *r, uint64_t pa, uint64_t now)
{
	return mem_access_cycles(&r->m, pa, false, now);
}

/* mem_init's timing costs exactly the fixed latency for every read, whenever
 * issued; a write is posted and costs nothing once the controller has it. */
static void test_fixed_latency_unchanged(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(acc(&r, 0x1000, 0), 150);
	assert_int_equal(mem_access_cycles(&r.m, 0x1000, true, 0), 0);
	assert_int_equal(acc(&r, 0xfff00000, 12345), 150);
	assert_int_equal(acc(&r, 0x1000, 0), 150);
	assert_int_equal(mem_latency(&r.m), 150);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_hits"), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_misses"), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_conflicts"), 0);
	assert_int_equal(sim_stat_get(&r.s, "mem.queue_cycles"), 0);
	/* A new fixed latency, then one with controller overhead on top. */
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 90 }), 0);
	assert_int_equal(acc(&r, 0x1000, 7), 90);
	assert_int_equal(mem_latency(&r.m), 90);
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 90, .controller = 10 }), 0);
	assert_int_equal(acc(&r, 0x1000, 7), 100);
	sim_fini(&r.s);
}

/* Closed bank, then hits anywhere in the open row, then conflicts with other rows. */
static void test_row_hit_closed_conflict(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_set_timing(&r.m, &ddr), 0);
	assert_int_equal(acc(&r, 0x10040, 0), CLOSED);   /* bank 0, row 1 */
	assert_int_equal(acc(&r, 0x10080, 0), HIT);
	/* a posted write to the row: no array time for the writer, the row stays open */
	assert_int_equal(mem_access_cycles(&r.m, 0x11fc0, true, 0), ddr.controller);
	assert_int_equal(acc(&r, 0x20000, 0), CONFLICT); /* bank 0, row 2 */
	assert_int_equal(acc(&r, 0x10000, 0), CONFLICT); /* back to row 1 */
	assert_int_equal(acc(&r, 0x10000, 0), HIT);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_hits"), 3);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_misses"), 1);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_conflicts"), 2);
	assert_int_equal(sim_stat_get(&r.s, "mem.queue_cycles"), 0);
	assert_int_equal(mem_latency(&r.m), 150); /* the fixed latency is not the bank model's */
	sim_fini(&r.s);
}

/* Rows in different banks stay open side by side; two rows of one bank evict each other. */
static void test_bank_interleaving(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_set_timing(&r.m, &ddr), 0);
	const uint64_t a = 0x0, b = 0x2000, b7 = 0x1e000, c = 0x10000;
	assert_int_equal(acc(&r, a, 0), CLOSED);  /* bank 0 row 0 */
	assert_int_equal(acc(&r, b, 0), CLOSED);  /* bank 1 row 0 */
	assert_int_equal(acc(&r, b7, 0), CLOSED); /* bank 7 row 1 */
	assert_int_equal(acc(&r, a, 0), HIT);
	assert_int_equal(acc(&r, b, 0), HIT);
	assert_int_equal(acc(&r, b7, 0), HIT);
	assert_int_equal(acc(&r, c, 0), CONFLICT); /* bank 0 row 1 */
	assert_int_equal(acc(&r, a, 0), CONFLICT);
	assert_int_equal(acc(&r, b, 0), HIT);      /* bank 1 untouched by bank 0's conflicts */
	assert_int_equal(sim_stat_get(&r.s, "mem.row_hits"), 4);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_misses"), 3);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_conflicts"), 2);
	sim_fini(&r.s);
}

/* Back-to-back accesses at one `now` queue by line_interval; a later one waits only for the rest. */
static void test_bandwidth_queueing(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 100, .line_interval = 4 * MEM_CHAN_UNITS }), 0);
	assert_int_equal(acc(&r, 0x0, 1000), 100);
	assert_int_equal(acc(&r, 0x40, 1000), 104);
	assert_int_equal(acc(&r, 0x80, 1000), 108);
	assert_int_equal(acc(&r, 0xc0, 1012), 100); /* the channel is free again at 1012 */
	assert_int_equal(acc(&r, 0xc0, 1013), 103); /* busy until 1016 */
	assert_int_equal(acc(&r, 0xc0, 5000), 100);
	assert_int_equal(sim_stat_get(&r.s, "mem.queue_cycles"), 4 + 8 + 3);

	/* With banks: the channel wait adds to the bank's own cost. */
	struct mem_timing t = ddr;
	t.line_interval = 4 * MEM_CHAN_UNITS;
	assert_int_equal(mem_set_timing(&r.m, &t), 0);
	assert_int_equal(acc(&r, 0x0, 0), CLOSED);
	assert_int_equal(acc(&r, 0x2000, 0), 4 + CLOSED);
	assert_int_equal(acc(&r, 0x0, 0), 8 + HIT);
	assert_int_equal(sim_stat_get(&r.s, "mem.queue_cycles"), 15 + 4 + 8);
	sim_fini(&r.s);
}

/* Requests need not come in time order: one issued at an earlier cycle
 * after a later one takes the gap before it instead of queueing behind it
 * (a demand miss issued before a write-back its own fill posted later). A
 * fraction of a cycle per line packs several lines into one cycle. */
static void test_bandwidth_out_of_order(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 100, .line_interval = 4 * MEM_CHAN_UNITS }), 0);
	assert_int_equal(acc(&r, 0x0, 2000), 100);  /* [2000, 2004) */
	assert_int_equal(acc(&r, 0x40, 1000), 100); /* earlier: free then */
	assert_int_equal(acc(&r, 0x80, 1998), 106); /* 1998 and 1999 are free, but 4 cycles do not fit: after 2004 */
	assert_int_equal(acc(&r, 0xc0, 1996), 100); /* [1996, 2000) fits */
	assert_int_equal(acc(&r, 0x100, 1000), 104); /* behind the one at 1000 */
	/* far older than the calendar's span: no queueing */
	assert_int_equal(acc(&r, 0x140, 1000000), 100);
	assert_int_equal(acc(&r, 0x180, 1000), 100);
	/* 0.375 cycles per line (460.8 GB/s at 2.7 GHz): 8 lines in 3 cycles */
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 100, .line_interval = 6 }), 0);
	uint64_t last = 0;
	for (int i = 0; i < 8; i++)
		last = acc(&r, 0x40 * (uint64_t)i, 5000);
	assert_int_equal(last, 100 + 3); /* the 8th starts at unit 42: cycle 2.625, moving in cycle 3 */
	/* long runs slide the calendar along */
	for (uint64_t i = 0; i < 100000; i++)
		assert_true(acc(&r, 0x40 * (i % 512), 6000 + i) <= 101);
	sim_fini(&r.s);
}

/* Bad bank counts, row sizes, geometries and huge cycle counts are refused and change nothing. */
static void test_bad_timing(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 16);
	struct mem_timing t = ddr;
	t.banks = 3;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t.banks = 2 * MEM_BANKS_MAX;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t = ddr;
	t.row_bytes = 32;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t.row_bytes = 100;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t.row_bytes = 0;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t.row_bytes = 16384; /* 16 KiB x 8 banks = 2^17 > this 2^16 space */
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t = ddr;
	t.t_cl = MEM_TIMING_MAX;
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t = (struct mem_timing){ .latency = MEM_TIMING_MAX };
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t = (struct mem_timing){ .line_interval = MEM_TIMING_MAX };
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	t = (struct mem_timing){ .line_interval = MEM_CHAN_SPAN / 2 + 1 };
	assert_int_equal(mem_set_timing(&r.m, &t), -EINVAL);
	/* Nothing changed: still the fixed 150 cycles. */
	assert_int_equal(acc(&r, 0x40, 0), 150);
	assert_int_equal(mem_latency(&r.m), 150);
	/* Without banks, row_bytes is unused; 8 KiB x 8 banks fills 2^16 exactly. */
	assert_int_equal(mem_set_timing(&r.m, &(struct mem_timing){ .latency = 7, .row_bytes = 3 }), 0);
	assert_int_equal(acc(&r, 0x40, 0), 7);
	assert_int_equal(mem_set_timing(&r.m, &ddr), 0);
	assert_int_equal(acc(&r, 0xe000, 0), CLOSED); /* bank 7, row 0: the only row */
	assert_int_equal(acc(&r, 0xffc0, 0), HIT);
	sim_fini(&r.s);
}

/* Reset precharges every bank and frees the channel but keeps the timing; so does mem_set_timing. */
static void test_reset_closes_banks(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	struct mem_timing t = ddr;
	t.line_interval = 10 * MEM_CHAN_UNITS;
	assert_int_equal(mem_set_timing(&r.m, &t), 0);
	assert_int_equal(acc(&r, 0x0, 0), CLOSED);
	assert_int_equal(acc(&r, 0x0, 0), 10 + HIT);
	sim_reset(&r.s);
	assert_int_equal(acc(&r, 0x0, 0), CLOSED);
	assert_int_equal(acc(&r, 0x0, 0), 10 + HIT);
	assert_int_equal(mem_set_timing(&r.m, &t), 0);
	assert_int_equal(acc(&r, 0x0, 0), CLOSED);
	assert_int_equal(sim_stat_get(&r.s, "mem.row_misses"), 3); /* stats carry on */
	assert_int_equal(sim_stat_get(&r.s, "mem.queue_cycles"), 20);
	sim_fini(&r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_latency_unchanged),
		cmocka_unit_test(test_row_hit_closed_conflict),
		cmocka_unit_test(test_bank_interleaving),
		cmocka_unit_test(test_bandwidth_queueing),
		cmocka_unit_test(test_bandwidth_out_of_order),
		cmocka_unit_test(test_bad_timing),
		cmocka_unit_test(test_reset_closes_banks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
