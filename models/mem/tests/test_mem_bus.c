/* Unit tests for the bus log (an interposer on the memory bus): records per
 * line in order with the bytes, start/stop, aliasing, the cap, and staying
 * out of snapshots. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/mem/tests/mem_rig.h"

static void rec_expect(const struct mem_bus_rec *rec, uint64_t pa, uint8_t write,
		       const uint8_t *data)
{
	assert_int_equal(rec->pa, pa);
	assert_int_equal(rec->write, write);
	assert_memory_equal(rec->data, data, MEM_LINE_SIZE);
}

/* Writes and reads are logged per line touched, in order, each line as the cells hold it after. */
static void test_log_reads_and_writes_in_order(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	uint8_t line[64], zero[64] = {0}, partial[64] = {0};
	fill(line, sizeof(line), 5);
	uint64_t v = 0x8877665544332211ull;
	memcpy(partial + 0x10, &v, 8);
	uint8_t before[64];
	assert_int_equal(mem_write(&r.m, 0x3000, line, 64), 0); /* before start: not logged */

	mem_bus_log_start(&r.m);
	assert_int_equal(mem_write(&r.m, 0x1000, line, 64), 0);
	assert_int_equal(mem_write(&r.m, 0x2010, &v, 8), 0);        /* partial: whole line logged */
	uint8_t buf[64];
	assert_int_equal(mem_read(&r.m, 0x1020, buf, 64), 0);       /* straddles two lines */
	assert_int_equal(mem_read(&r.m, 0x1000, buf, 0), 0);        /* touches no line */
	assert_int_equal(mem_write(&r.m, 0xffffffc0, line, 128), -ERANGE); /* moves nothing */
	assert_int_equal(mem_write(&r.m, 0x303c, &v, 8), 0);        /* straddles: two lines */
	struct mem_bus_rec *recs;
	size_t n = mem_bus_log_stop(&r.m, &recs);
	assert_int_equal(n, 6);
	rec_expect(&recs[0], 0x1000, 1, line);
	rec_expect(&recs[1], 0x2000, 1, partial);
	rec_expect(&recs[2], 0x1000, 0, line);
	rec_expect(&recs[3], 0x1040, 0, zero);
	memcpy(before, line, 64);
	memcpy(before + 0x3c, &v, 4);
	rec_expect(&recs[4], 0x3000, 1, before);
	memset(before, 0, 64);
	memcpy(before, (const uint8_t *)&v + 4, 4);
	rec_expect(&recs[5], 0x3040, 1, before);
	mem_bus_log_free(recs);

	/* Stopped: nothing more is recorded. */
	assert_int_equal(mem_read(&r.m, 0x1000, buf, 64), 0);
	assert_int_equal(mem_bus_log_stop(&r.m, &recs), 0);
	assert_null(recs);
	sim_fini(&r.s);
}

/* A second start discards the unstopped log; an empty log hands over NULL. */
static void test_restart_discards(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	uint8_t buf[64];
	mem_bus_log_start(&r.m);
	assert_int_equal(mem_read(&r.m, 0x0, buf, 64), 0);
	assert_int_equal(mem_read(&r.m, 0x40, buf, 64), 0);
	mem_bus_log_start(&r.m);
	assert_int_equal(mem_read(&r.m, 0x80, buf, 64), 0);
	struct mem_bus_rec *recs;
	assert_int_equal(mem_bus_log_stop(&r.m, &recs), 1);
	assert_int_equal(recs[0].pa, 0x80);
	mem_bus_log_free(recs);
	mem_bus_log_start(&r.m);
	assert_int_equal(mem_bus_log_stop(&r.m, &recs), 0);
	assert_null(recs);
	mem_bus_log_free(recs);
	sim_fini(&r.s);
}

/* The bus carries the controller's address and the bytes of the cell it reaches. */
static void test_log_shows_aliased_cells(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	uint8_t line[64], buf[64];
	fill(line, sizeof(line), 9);
	assert_int_equal(mem_cell_write(&r.m, 0x40, line, 64), 0);
	assert_int_equal(mem_set_alias_mask(&r.m, 1u << 20), 0);
	mem_bus_log_start(&r.m);
	assert_int_equal(mem_read(&r.m, 0x100040, buf, 64), 0);
	assert_int_equal(mem_cell_write(&r.m, 0x40, buf, 1), 0); /* the attacker's path is not on the bus */
	struct mem_bus_rec *recs;
	assert_int_equal(mem_bus_log_stop(&r.m, &recs), 1);
	rec_expect(&recs[0], 0x100040, 0, line);
	mem_bus_log_free(recs);
	sim_fini(&r.s);
}

/* At MEM_BUS_LOG_MAX records the rest, also the tail of a straddling access, is dropped and counted. */
static void test_log_cap(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 32);
	const size_t mib = (size_t)1 << 20, lines_per_mib = mib / MEM_LINE_SIZE;
	uint8_t *buf = malloc(2 * mib);
	assert_non_null(buf);
	mem_bus_log_start(&r.m);
	for (size_t i = 0; i < 63; i++)
		assert_int_equal(mem_read(&r.m, 0, buf, mib), 0);
	assert_int_equal(mem_read(&r.m, 0, buf, 2 * mib), 0); /* 1 MiB kept, 1 MiB dropped */
	assert_int_equal(mem_read(&r.m, 0, buf, 1), 0);
	struct mem_bus_rec *recs;
	size_t n = mem_bus_log_stop(&r.m, &recs);
	assert_int_equal(n, MEM_BUS_LOG_MAX);
	assert_int_equal(64 * lines_per_mib, MEM_BUS_LOG_MAX);
	assert_int_equal(recs[n - 1].pa, mib - MEM_LINE_SIZE);
	assert_int_equal(sim_stat_get(&r.s, "mem.bus_log_dropped"), lines_per_mib + 1);
	mem_bus_log_free(recs);
	free(buf);
	sim_fini(&r.s);
}

/* The log in flight is part of a snapshot (an interposer started before a
 * checkpoint keeps what it saw): a logging machine's snapshot differs from
 * its twin's, a restore brings the log back as it was, reset keeps it going. */
static void test_log_in_snapshots(void **state)
{
	(void)state;
	struct rig r, twin;
	rig_init(&r, 32);
	rig_init(&twin, 32);
	uint64_t v = 42;
	mem_bus_log_start(&r.m);
	assert_int_equal(mem_write(&r.m, 0x1000, &v, 8), 0);
	assert_int_equal(mem_write(&twin.m, 0x1000, &v, 8), 0);
	struct sim_buf snap, plain;
	snap_take(&r.s, &snap);
	snap_take(&twin.s, &plain);
	assert_false(snap.len == plain.len && memcmp(snap.data, plain.data, snap.len) == 0);
	assert_int_equal(mem_write(&r.m, 0x2000, &v, 8), 0); /* after the snapshot: rolled back */
	snap_restore_ok(&r.s, &snap);
	assert_int_equal(mem_write(&r.m, 0x3000, &v, 8), 0);
	sim_reset(&r.s);
	assert_int_equal(mem_write(&r.m, 0x4000, &v, 8), 0);
	struct mem_bus_rec *recs;
	assert_int_equal(mem_bus_log_stop(&r.m, &recs), 3);
	assert_int_equal(recs[0].pa, 0x1000);
	assert_int_equal(recs[1].pa, 0x3000);
	assert_int_equal(recs[2].pa, 0x4000);
	mem_bus_log_free(recs);
	sim_buf_free(&snap);
	sim_buf_free(&plain);
	sim_fini(&twin.s);
	sim_fini(&r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_reads_and_writes_in_order),
		cmocka_unit_test(test_restart_discards),
		cmocka_unit_test(test_log_shows_aliased_cells),
		cmocka_unit_test(test_log_cap),
		cmocka_unit_test(test_log_in_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
