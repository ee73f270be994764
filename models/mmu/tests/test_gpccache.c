/* The cache of GPT information (Arm ARM D9.5): per-world entries, fills,
 * invalidation by PA range (TLBI RPALOS) and of everything (TLBI PAALL),
 * disabled when sized 0, and snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>

#include "models/mmu/gpc.h"
#include "models/mmu/gpccache.h"
#include "models/mmu/pas.h"
#include "sim/sim.h"

/* A fill is found by the same world only; another world misses. */
static void test_per_world(void **state)
{
	(void)state;
	struct sim s;
	struct gpc_cache c;
	sim_init(&s, 1, 1000000000);
	assert_int_equal(gpc_cache_init(&c, &s, "g", 64, 12), 0);
	assert_null(gpc_cache_lookup(&c, 0x5000, WORLD_NS));
	gpc_cache_fill(&c, 0x5000, WORLD_NS, GPI_NS, 1);
	const struct gpc_cache_entry *e = gpc_cache_lookup(&c, 0x5fff, WORLD_NS);
	assert_non_null(e);
	assert_int_equal(e->gpi, GPI_NS);
	assert_int_equal(e->level, 1);
	assert_null(gpc_cache_lookup(&c, 0x5000, WORLD_REALM));
	assert_null(gpc_cache_lookup(&c, 0x6000, WORLD_NS));
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.misses, 3);
	sim_fini(&s);
}

/* TLBI RPALOS drops every world's entry for the range and nothing else;
 * TLBI PAALL drops everything. */
static void test_invalidate(void **state)
{
	(void)state;
	struct sim s;
	struct gpc_cache c;
	sim_init(&s, 1, 1000000000);
	assert_int_equal(gpc_cache_init(&c, &s, "g", 1024, 12), 0);
	gpc_cache_fill(&c, 0x10000, WORLD_NS, GPI_NS, 1);
	gpc_cache_fill(&c, 0x10000, WORLD_REALM, GPI_NS, 1);
	gpc_cache_fill(&c, 0x11000, WORLD_NS, GPI_NS, 1);
	gpc_cache_inval_range(&c, 0x10000, 0x1000);
	assert_null(gpc_cache_lookup(&c, 0x10000, WORLD_NS));
	assert_null(gpc_cache_lookup(&c, 0x10000, WORLD_REALM));
	assert_non_null(gpc_cache_lookup(&c, 0x11000, WORLD_NS));
	assert_int_equal(c.invalidations, 2);
	/* a large range takes the scan path */
	gpc_cache_fill(&c, 0x10000, WORLD_NS, GPI_NS, 1);
	gpc_cache_inval_range(&c, 0, 1ull << 30);
	assert_null(gpc_cache_lookup(&c, 0x11000, WORLD_NS));
	gpc_cache_fill(&c, 0x20000, WORLD_ROOT, GPI_ROOT, 0);
	gpc_cache_inval_all(&c);
	assert_null(gpc_cache_lookup(&c, 0x20000, WORLD_ROOT));
	assert_int_equal(c.invalidations, 5);
	sim_fini(&s);
}

/* Zero entries: nothing is cached, every lookup misses without counting. */
static void test_disabled_and_bad_size(void **state)
{
	(void)state;
	struct sim s;
	struct gpc_cache c, d;
	sim_init(&s, 1, 1000000000);
	assert_int_equal(gpc_cache_init(&d, &s, "bad", 48, 12), -EINVAL);
	assert_int_equal(gpc_cache_init(&c, &s, "g", 0, 12), 0);
	gpc_cache_fill(&c, 0x5000, WORLD_NS, GPI_NS, 1);
	assert_null(gpc_cache_lookup(&c, 0x5000, WORLD_NS));
	assert_int_equal(c.fills, 0);
	sim_fini(&s);
}

/* Entries survive a snapshot into a fresh cache. */
static void test_snapshot(void **state)
{
	(void)state;
	struct sim a, b;
	struct gpc_cache ca, cb;
	struct sim_buf buf;
	char err[128];
	sim_init(&a, 1, 1000000000);
	sim_init(&b, 1, 1000000000);
	assert_int_equal(gpc_cache_init(&ca, &a, "g", 16, 12), 0);
	assert_int_equal(gpc_cache_init(&cb, &b, "g", 16, 12), 0);
	gpc_cache_fill(&ca, 0x7000, WORLD_REALM, GPI_REALM, 1);
	sim_buf_init(&buf);
	assert_int_equal(sim_save(&a, &buf), 0);
	assert_int_equal(sim_restore(&b, buf.data, buf.len, err, sizeof(err)), 0);
	const struct gpc_cache_entry *e = gpc_cache_lookup(&cb, 0x7000, WORLD_REALM);
	assert_non_null(e);
	assert_int_equal(e->gpi, GPI_REALM);
	assert_int_equal(cb.fills, 1);
	sim_buf_free(&buf);
	sim_fini(&a);
	sim_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_world),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_disabled_and_bad_size),
		cmocka_unit_test(test_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
