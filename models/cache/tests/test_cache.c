/* Unit tests of the (PA, key)-tagged cache: exact cycles, LRU, key
 * incoherence, maintenance, a two-level hierarchy and snapshots, over a fake
 * backing memory with a fixed 100-cycle line latency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/cache/cache.h"
#include "sim/sim.h"
#include "sim/tests/snap_check.h"

#define HIT 4
#define MEM_LAT 100
#define FAKE_LINES 256
#define FAKE_LOG 16

/* Plain memory under the cache: counts and logs every line transfer. */
struct fake_op {
	bool write;
	unsigned key;
	uint64_t pa;
};
struct fake_mem {
	uint8_t line[FAKE_LINES][CACHE_LINE];
	unsigned reads, writes;
	struct fake_op log[FAKE_LOG];
	unsigned nlog;
	int fail_read, fail_write; /* -errno to return instead, or 0 */
};

static void fake_log(struct fake_mem *m, bool write, unsigned key, uint64_t pa)
{
	if (m->nlog < FAKE_LOG)
		m->log[m->nlog++] = (struct fake_op){ write, key, pa };
}

static int fake_read(void *ctx, unsigned key, uint64_t pa, uint8_t out[CACHE_LINE],
		     uint64_t *cycles)
{
	struct fake_mem *m = ctx;
	if (m->fail_read)
		return m->fail_read;
	assert_int_equal(pa % CACHE_LINE, 0);
	assert_true(pa / CACHE_LINE < FAKE_LINES);
	memcpy(out, m->line[pa / CACHE_LINE], CACHE_LINE);
	*cycles += MEM_LAT;
	m->reads++;
	fake_log(m, false, key, pa);
	return 0;
}

static int fake_write(void *ctx, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
		      uint64_t *cycles)
{
	struct fake_mem *m = ctx;
	if (m->fail_write)
		return m->fail_write;
	assert_int_equal(pa % CACHE_LINE, 0);
	assert_true(pa / CACHE_LINE < FAKE_LINES);
	memcpy(m->line[pa / CACHE_LINE], in, CACHE_LINE);
	*cycles += MEM_LAT;
	m->writes++;
	fake_log(m, true, key, pa);
	return 0;
}

static const struct cache_port_ops fake_ops = { fake_read, fake_write };

/* Memory byte i of line n reads as (n + i) & 0xff, so a fill is recognisable. */
static void fake_fill_pattern(struct fake_mem *m)
{
	for (unsigned n = 0; n < FAKE_LINES; n++)
		for (unsigned i = 0; i < CACHE_LINE; i++)
			m->line[n][i] = (uint8_t)(n + i);
}

struct rig {
	struct sim s;
	struct fake_mem mem;
	struct cache c;
};

/* A sim with one cache "l1" of `size` bytes and `ways` ways, hit 4 cycles,
 * `mshrs` misses in flight at once (0: any number). */
static struct rig *rig_new_mshrs(uint64_t size, unsigned ways, unsigned mshrs)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	sim_init(&r->s, 1, 3000000000u);
	fake_fill_pattern(&r->mem);
	struct cache_config cfg = { .size = size, .ways = ways, .hit_latency = HIT, .mshrs = mshrs };
	assert_int_equal(cache_init(&r->c, &r->s, "l1", &cfg,
				    (struct cache_port){ &fake_ops, &r->mem }), 0);
	return r;
}

static struct rig *rig_new(uint64_t size, unsigned ways)
{
	return rig_new_mshrs(size, ways, 0);
}

static void rig_free(struct rig *r)
{
	sim_fini(&r->s);
	free(r);
}

/* The helpers below are a blocking requester: each access completes
 * before the next starts (the clock moves past it). */
static void after(struct cache *c, uint64_t cyc)
{
	sim_set_time(c->base.sim, sim_time(c->base.sim) + cyc);
}

/* Read `len` bytes and return the cycles it cost; the access must succeed. */
static uint64_t rd(struct rig *r, unsigned key, uint64_t pa, void *buf, size_t len)
{
	uint64_t cyc = 0;
	assert_int_equal(cache_read(&r->c, key, pa, buf, len, &cyc), 0);
	after(&r->c, cyc);
	return cyc;
}

/* Read one byte through any cache and return the cycles it cost. */
static uint64_t cache_rd1(struct cache *c, unsigned key, uint64_t pa)
{
	uint64_t cyc = 0;
	uint8_t b;
	assert_int_equal(cache_read(c, key, pa, &b, 1, &cyc), 0);
	after(c, cyc);
	return cyc;
}

static uint64_t rd1(struct rig *r, unsigned key, uint64_t pa)
{
	return cache_rd1(&r->c, key, pa);
}

static uint64_t wr(struct rig *r, unsigned key, uint64_t pa, const void *buf, size_t len)
{
	uint64_t cyc = 0;
	assert_int_equal(cache_write(&r->c, key, pa, buf, len, &cyc), 0);
	after(&r->c, cyc);
	return cyc;
}

/* A read miss costs lookup + one fill (4 + 100) and returns memory's bytes; the repeat hits in 4. */
static void test_hit_and_miss_cycles(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint8_t buf[8];
	assert_int_equal(rd(r, 1, 0x48, buf, 8), HIT + MEM_LAT);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(buf[i], (uint8_t)(1 + 8 + i));
	assert_int_equal(rd(r, 1, 0x40, buf, 8), HIT);
	assert_int_equal(buf[0], 1);
	assert_int_equal(r->mem.reads, 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.hits"), 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.misses"), 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.fills"), 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.evictions"), 0);
	rig_free(r);
}

/* The inline MRU hit is cache_read's hit exactly: the same bytes, cycles,
 * hit count and LRU update; anything but the line hit last (another line,
 * the same PA under another key, an empty cache) is left to cache_read
 * with nothing done. */
static void test_read_mru_matches_read(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint8_t a[8], b[8];
	uint64_t cyc = 0;
	assert_false(cache_read_mru(&r->c, 1, 0x40, a, 8, &cyc)); /* empty: no line hit yet */
	assert_int_equal(cyc, 0);
	assert_int_equal(rd(r, 1, 0x40, a, 8), HIT + MEM_LAT);
	assert_int_equal(rd(r, 1, 0x140, a, 8), HIT + MEM_LAT); /* the other way of set 1 */
	/* 0x140 is the MRU line: a hit there, as cache_read's */
	assert_true(cache_read_mru(&r->c, 1, 0x148, a, 8, &cyc));
	assert_int_equal(cyc, HIT);
	assert_int_equal(rd(r, 1, 0x148, b, 8), HIT);
	assert_memory_equal(a, b, 8);
	assert_int_equal(sim_stat_get(&r->s, "l1.hits"), 2);
	cyc = 0;
	assert_true(cache_read_mru(&r->c, 1, 0x17f, a, 1, &cyc)); /* last byte of the line */
	assert_int_equal(a[0], (uint8_t)(5 + 63));
	/* a line that hits, but is not the MRU one, and the MRU line's PA
	 * under another key: cache_read's business */
	cyc = 0;
	assert_false(cache_read_mru(&r->c, 1, 0x40, a, 8, &cyc));
	assert_false(cache_read_mru(&r->c, 2, 0x140, a, 8, &cyc));
	assert_int_equal(cyc, 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.hits"), 3);
	/* LRU as cache_read leaves it: 0x40, used before, is the victim */
	assert_int_equal(rd(r, 1, 0x240, a, 8), HIT + MEM_LAT);
	assert_int_equal(rd(r, 1, 0x140, a, 8), HIT);
	assert_int_equal(rd(r, 1, 0x40, a, 8), HIT + MEM_LAT);
	rig_free(r);
}

/* A partial write miss fills then merges (4 + 100); a whole-line write allocates with no fill (4). */
static void test_write_allocate(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint8_t line[CACHE_LINE];
	bool dirty = false;
	assert_int_equal(wr(r, 1, 0x82, "AB", 2), HIT + MEM_LAT);
	assert_int_equal(rd(r, 1, 0x80, line, CACHE_LINE), HIT);
	assert_int_equal(line[0], 2);
	assert_memory_equal(line + 2, "AB", 2);
	assert_int_equal(line[4], 2 + 4);
	assert_true(cache_probe(&r->c, 1, 0x80, &dirty));
	assert_true(dirty);

	memset(line, 0xee, sizeof(line));
	assert_int_equal(wr(r, 1, 0xc0, line, CACHE_LINE), HIT);
	assert_int_equal(r->mem.reads, 1);
	assert_int_equal(r->mem.writes, 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.misses"), 2);
	assert_int_equal(sim_stat_get(&r->s, "l1.fills"), 1);
	rig_free(r);
}

/* Evicting a dirty line writes it back under its own key; the write-back
 * is posted (a write-back buffer): the miss costs its fill alone. */
static void test_dirty_eviction_uses_victim_key(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2); /* 4 sets: set stride 256 */
	assert_int_equal(wr(r, 7, 0x000, "dirty", 5), HIT + MEM_LAT);
	assert_int_equal(rd1(r, 3, 0x100), HIT + MEM_LAT);
	assert_int_equal(rd1(r, 3, 0x200), HIT + MEM_LAT);
	assert_int_equal(r->mem.writes, 1);
	assert_true(r->mem.log[r->mem.nlog - 1].write);
	assert_int_equal(r->mem.log[r->mem.nlog - 1].key, 7);
	assert_int_equal(r->mem.log[r->mem.nlog - 1].pa, 0);
	assert_memory_equal(r->mem.line[0], "dirty", 5);
	assert_false(cache_probe(&r->c, 7, 0, NULL));

	/* A clean victim costs nothing extra. */
	assert_int_equal(rd1(r, 3, 0x300), HIT + MEM_LAT);
	assert_int_equal(r->mem.writes, 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.evictions"), 2);
	assert_int_equal(sim_stat_get(&r->s, "l1.writebacks"), 1);
	rig_free(r);
}

/* In a full 4-way set the least recently used line is the one replaced. */
static void test_lru_order(void **state)
{
	(void)state;
	struct rig *r = rig_new(1024, 4); /* 4 sets: set stride 256 */
	const uint64_t a = 0x000, b = 0x100, c = 0x200, d = 0x300, e = 0x400, f = 0x500;
	rd1(r, 1, a);
	rd1(r, 1, b);
	rd1(r, 1, c);
	rd1(r, 1, d);
	assert_int_equal(rd1(r, 1, a), HIT);
	assert_int_equal(rd1(r, 1, c), HIT);
	rd1(r, 1, e);
	assert_false(cache_probe(&r->c, 1, b, NULL));
	rd1(r, 1, f);
	assert_false(cache_probe(&r->c, 1, d, NULL));
	assert_true(cache_probe(&r->c, 1, a, NULL));
	assert_true(cache_probe(&r->c, 1, c, NULL));
	assert_true(cache_probe(&r->c, 1, e, NULL));
	assert_true(cache_probe(&r->c, 1, f, NULL));
	rig_free(r);
}

/* One PA under two keys is two lines: neither sees the other's writes, and write-back order decides memory. */
static void test_same_pa_two_keys_incoherent(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	char buf[6];
	assert_int_equal(wr(r, 1, 0x100, "secret", 6), HIT + MEM_LAT);
	assert_int_equal(rd(r, 2, 0x100, buf, 6), HIT + MEM_LAT);
	assert_int_equal((uint8_t)buf[0], 4); /* memory's bytes, not key 1's */
	assert_int_equal(cache_lines_of_key(&r->c, 1), 1);
	assert_int_equal(cache_lines_of_key(&r->c, 2), 1);

	assert_int_equal(wr(r, 2, 0x100, "other!", 6), HIT);
	assert_int_equal(rd(r, 1, 0x100, buf, 6), HIT);
	assert_memory_equal(buf, "secret", 6);

	/* Both dirty copies reach memory, way order: key 1's line first, key 2's survives. */
	assert_int_equal(cache_wbinvd(&r->c, NULL), 0);
	assert_int_equal(r->mem.writes, 2);
	assert_int_equal(r->mem.log[r->mem.nlog - 2].key, 1);
	assert_int_equal(r->mem.log[r->mem.nlog - 1].key, 2);
	assert_memory_equal(r->mem.line[4], "other!", 6);
	rig_free(r);
}

/* INVD drops every line; dirty data never reaches memory and is counted. */
static void test_invd_drops_dirty(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2); /* 8 line slots */
	uint64_t cyc = 0;
	uint8_t b;
	wr(r, 1, 0x000, "lost", 4);
	rd1(r, 1, 0x040);
	assert_int_equal(cache_invd(&r->c, &cyc), 0);
	assert_int_equal(cyc, 8 * HIT);
	assert_int_equal(r->mem.writes, 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.invd_dropped_dirty"), 1);
	assert_int_equal(sim_stat_get(&r->s, "l1.flushes"), 1);
	assert_false(cache_probe(&r->c, 1, 0x000, NULL));
	assert_false(cache_probe(&r->c, 1, 0x040, NULL));
	assert_int_equal(rd(r, 1, 0x000, &b, 1), HIT + MEM_LAT);
	assert_int_equal(b, 0); /* memory's old byte */
	rig_free(r);
}

/* WBINVD writes every dirty line back (one 100-cycle write each) and empties the cache. */
static void test_wbinvd_writes_back(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint64_t cyc = 0;
	char buf[4];
	wr(r, 1, 0x000, "kept", 4);
	rd1(r, 1, 0x040);
	assert_int_equal(cache_wbinvd(&r->c, &cyc), 0);
	assert_int_equal(cyc, 8 * HIT + MEM_LAT);
	assert_int_equal(r->mem.writes, 1);
	assert_memory_equal(r->mem.line[0], "kept", 4);
	assert_int_equal(cache_lines_of_key(&r->c, 1), 0);
	assert_int_equal(rd(r, 1, 0x000, buf, 4), HIT + MEM_LAT);
	assert_memory_equal(buf, "kept", 4);
	assert_int_equal(sim_stat_get(&r->s, "l1.invd_dropped_dirty"), 0);
	rig_free(r);
}

/* clean_inval_pa drops every key's copy of the line, writing back the dirty ones; other lines stay. */
static void test_clean_inval_pa_all_keys(void **state)
{
	(void)state;
	struct rig *r = rig_new(1024, 4);
	const uint64_t x = 0x040, y = 0x140; /* same set */
	uint64_t cyc = 0;
	bool dirty = false;
	wr(r, 1, x, "k1", 2);
	rd1(r, 2, x);
	wr(r, 3, x, "k3", 2);
	wr(r, 1, y, "y1", 2);
	assert_int_equal(cache_clean_inval_pa(&r->c, x + 5, &cyc), 0);
	assert_int_equal(cyc, HIT + 2 * MEM_LAT);
	assert_int_equal(r->mem.writes, 2);
	assert_int_equal(r->mem.log[r->mem.nlog - 2].key, 1);
	assert_int_equal(r->mem.log[r->mem.nlog - 1].key, 3);
	assert_memory_equal(r->mem.line[1], "k3", 2);
	for (unsigned k = 1; k <= 3; k++)
		assert_false(cache_probe(&r->c, k, x, NULL));
	assert_true(cache_probe(&r->c, 1, y, &dirty));
	assert_true(dirty);
	rig_free(r);
}

/* flush_key writes back and drops only that key's lines; another key's copy of the same PA stays dirty. */
static void test_flush_key_only_that_key(void **state)
{
	(void)state;
	struct rig *r = rig_new(1024, 4); /* 16 line slots */
	uint64_t cyc = 0;
	bool dirty = false;
	wr(r, 1, 0x000, "a1", 2);
	rd1(r, 1, 0x040);
	wr(r, 2, 0x000, "a2", 2);
	assert_int_equal(cache_flush_key(&r->c, 1, &cyc), 0);
	assert_int_equal(cyc, 16 * HIT + MEM_LAT);
	assert_int_equal(r->mem.writes, 1);
	assert_int_equal(r->mem.log[r->mem.nlog - 1].key, 1);
	assert_int_equal(cache_lines_of_key(&r->c, 1), 0);
	assert_int_equal(cache_lines_of_key(&r->c, 2), 1);
	assert_true(cache_probe(&r->c, 2, 0x000, &dirty));
	assert_true(dirty);
	rig_free(r);
}

/* clean_inval_line writes back and drops one (pa, key) line; a miss costs just the lookup. */
static void test_clean_inval_line(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint64_t cyc = 0;
	wr(r, 1, 0x000, "a1", 2);
	wr(r, 2, 0x000, "a2", 2);
	assert_int_equal(cache_clean_inval_line(&r->c, 1, 0x010, &cyc), 0);
	assert_int_equal(cyc, HIT + MEM_LAT);
	assert_memory_equal(r->mem.line[0], "a1", 2);
	assert_false(cache_probe(&r->c, 1, 0x000, NULL));
	assert_true(cache_probe(&r->c, 2, 0x000, NULL));
	cyc = 0;
	assert_int_equal(cache_clean_inval_line(&r->c, 1, 0x000, &cyc), 0);
	assert_int_equal(cyc, HIT);
	assert_int_equal(r->mem.writes, 1);
	rig_free(r);
}

/* L1 (4 cycles) over L2 (12) over memory (100): L1 hit 4, L1 miss/L2 hit 16, both miss 116. */
static void test_two_level_hierarchy(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);        /* r->c is L2's backing rig; build L1 + L2 by hand */
	struct cache l2, l1;
	struct cache_config c2 = { .size = 2048, .ways = 4, .hit_latency = 12 };
	struct cache_config c1 = { .size = 512, .ways = 2, .hit_latency = HIT };
	assert_int_equal(cache_init(&l2, &r->s, "l2", &c2, (struct cache_port){ &fake_ops, &r->mem }), 0);
	assert_int_equal(cache_init(&l1, &r->s, "l1d", &c1, cache_as_port(&l2)), 0);
	uint64_t cyc;
	bool dirty = false;

	assert_int_equal(cache_rd1(&l1, 1, 0x000), HIT + 12 + MEM_LAT);
	assert_int_equal(cache_rd1(&l1, 1, 0x000), HIT);
	cache_rd1(&l1, 1, 0x100);
	cache_rd1(&l1, 1, 0x200); /* L1 set 0 now holds 0x100 and 0x200: 0x000 evicted (clean) */
	assert_false(cache_probe(&l1, 1, 0x000, NULL));
	assert_int_equal(cache_rd1(&l1, 1, 0x000), HIT + 12);

	/* A dirty L1 victim is written into L2 (a hit there), not to memory. */
	cyc = 0;
	assert_int_equal(cache_write(&l1, 1, 0x000, "up", 2, &cyc), 0);
	assert_int_equal(cyc, HIT);
	cache_rd1(&l1, 1, 0x100); /* evicts 0x200 (LRU, clean) */
	assert_int_equal(cache_rd1(&l1, 1, 0x200), HIT + 12); /* evicts dirty 0x000 into L2, posted */
	assert_int_equal(r->mem.writes, 0);
	assert_true(cache_probe(&l2, 1, 0x000, &dirty));
	assert_true(dirty);

	/* Maintenance is per level: L2's WBINVD leaves a dirty L1 line alone. */
	assert_int_equal(cache_write(&l1, 1, 0x100, "l1", 2, NULL), 0);
	cyc = 0;
	assert_int_equal(cache_wbinvd(&l2, &cyc), 0);
	assert_int_equal(cyc, 32 * 12 + MEM_LAT);
	assert_memory_equal(r->mem.line[0], "up", 2);
	assert_true(cache_probe(&l1, 1, 0x100, &dirty));
	assert_true(dirty);
	/* Top-down, L1 then L2, gets it to memory. */
	assert_int_equal(cache_wbinvd(&l1, NULL), 0);
	assert_int_equal(cache_wbinvd(&l2, NULL), 0);
	assert_memory_equal(r->mem.line[4], "l1", 2);
	assert_int_equal(sim_stat_get(&r->s, "l2.writebacks"), 2);
	assert_int_equal(sim_stat_get(&r->s, "l1d.writebacks"), 2);
	rig_free(r);
}

/* Touch lines under three keys so the cache holds dirty and clean lines and has evicted some. */
static void mix_workload(struct rig *r)
{
	static const uint64_t pas[] = { 0x000, 0x100, 0x200, 0x040, 0x140, 0x000, 0x300, 0x0c0, 0x400 };
	for (unsigned i = 0; i < sizeof(pas) / sizeof(pas[0]); i++) {
		unsigned key = 1 + i % 3;
		uint8_t v = (uint8_t)(0xa0 + i);
		if (i % 2)
			rd1(r, key, pas[i]);
		else
			wr(r, key, pas[i] + i, &v, 1);
	}
}

/* A snapshot restored into a fresh cache gives the same probes, data, stats, LRU choices and bytes. */
static void test_save_restore_roundtrip(void **state)
{
	(void)state;
	struct rig *a = rig_new(1024, 4), *b = rig_new(1024, 4);
	struct sim_buf sa;
	mix_workload(a);
	snap_take(&a->s, &sa);
	snap_restore_ok(&b->s, &sa);
	/* Memory is another model; here the test carries it over by hand. */
	memcpy(b->mem.line, a->mem.line, sizeof(a->mem.line));

	static const char *const names[] = { "hits", "misses", "fills", "evictions",
					     "writebacks", "flushes", "invd_dropped_dirty" };
	for (unsigned i = 0; i < 7; i++) {
		char n[64];
		snprintf(n, sizeof(n), "l1.%s", names[i]);
		assert_int_equal(sim_stat_get(&a->s, n), sim_stat_get(&b->s, n));
	}
	unsigned present = 0;
	for (unsigned key = 0; key <= 4; key++) {
		assert_int_equal(cache_lines_of_key(&a->c, key), cache_lines_of_key(&b->c, key));
		for (uint64_t pa = 0; pa < 0x800; pa += CACHE_LINE) {
			bool da = false, db = false;
			bool pa_in = cache_probe(&a->c, key, pa, &da);
			assert_int_equal(pa_in, cache_probe(&b->c, key, pa, &db));
			assert_int_equal(da, db);
			if (!pa_in)
				continue;
			uint8_t la[CACHE_LINE], lb[CACHE_LINE];
			assert_int_equal(rd(a, key, pa, la, CACHE_LINE), HIT);
			assert_int_equal(rd(b, key, pa, lb, CACHE_LINE), HIT);
			assert_memory_equal(la, lb, CACHE_LINE);
			present++;
		}
	}
	assert_int_equal(present, 7); /* nine lines, six of them in one 4-way set */
	assert_int_equal(b->mem.reads, 0);

	/* Same next victims, and byte-identical snapshots afterwards. */
	mix_workload(a);
	mix_workload(b);
	sim_buf_free(&sa);
	snap_assert_same(&a->s, &b->s);
	rig_free(a);
	rig_free(b);
}

/* A snapshot of a 4-way cache does not restore into a 2-way one of the same name. */
static void test_restore_rejects_other_geometry(void **state)
{
	(void)state;
	struct rig *a = rig_new(1024, 4), *b = rig_new(1024, 2);
	struct sim_buf sa;
	char err[256] = "";
	mix_workload(a);
	snap_take(&a->s, &sa);
	assert_int_equal(sim_restore(&b->s, sa.data, sa.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "l1"));
	sim_buf_free(&sa);
	rig_free(a);
	rig_free(b);
}

/* Byte offsets in the cache's saved line array (see cache_save_extra). */
#define REC_HDR 12
#define REC_LEN (1 + 1 + 4 + 8 + 8 + 8 + CACHE_LINE)
#define REC_TAIL 4 /* the miss slots: their count (none here) */
#define REC_VALID 0
#define REC_DIRTY 1
#define REC_PA 6
#define REC_LRU 14

/* Restore the line array from `bytes` with one change applied; the result code. */
static int restore_patched(struct cache *c, const struct sim_buf *saved, size_t at,
			   const void *patch, size_t plen, size_t len)
{
	uint8_t *bytes = malloc(saved->len + 1);
	assert_non_null(bytes);
	memcpy(bytes, saved->data, saved->len);
	bytes[saved->len] = 0;
	if (plen)
		memcpy(bytes + at, patch, plen);
	struct sim_reader in;
	sim_reader_init(&in, bytes, len);
	int rc = c->base.ops->restore_extra(&c->base, &in);
	free(bytes);
	return rc;
}

/* A corrupt line array (bad flags, line in the wrong set, duplicate, future LRU, bad length) is refused and the cache keeps its lines. */
static void test_restore_rejects_corrupt_lines(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	struct sim_buf saved;
	uint8_t two = 2, one = 1, rec[REC_LEN], le[8];
	wr(r, 5, 0x000, "x", 1); /* set 0 way 0; set 0 way 1 and set 1 stay empty */
	sim_buf_init(&saved);
	assert_int_equal(r->c.base.ops->save_extra(&r->c.base, &saved), 0);
	assert_int_equal(saved.len, REC_HDR + 8 * REC_LEN + REC_TAIL);
	const size_t l0 = REC_HDR, l1 = REC_HDR + REC_LEN;
	memcpy(rec, saved.data + l0, REC_LEN);

	uint8_t version = 0x7f;
	assert_int_equal(restore_patched(&r->c, &saved, 0, &version, 1, saved.len), -EINVAL);
	assert_int_equal(restore_patched(&r->c, &saved, l0 + REC_VALID, &two, 1, saved.len), -EINVAL);
	assert_int_equal(restore_patched(&r->c, &saved, l1 + REC_DIRTY, &one, 1, saved.len), -EINVAL);
	sim_le64_store(le, 0x040); /* belongs to set 1 */
	assert_int_equal(restore_patched(&r->c, &saved, l0 + REC_PA, le, 8, saved.len), -EINVAL);
	sim_le64_store(le, 0x001); /* not a line address */
	assert_int_equal(restore_patched(&r->c, &saved, l0 + REC_PA, le, 8, saved.len), -EINVAL);
	sim_le64_store(le, r->c.lru_clock + 1);
	assert_int_equal(restore_patched(&r->c, &saved, l0 + REC_LRU, le, 8, saved.len), -EINVAL);
	sim_le64_store(le, 0);
	assert_int_equal(restore_patched(&r->c, &saved, l0 + REC_LRU, le, 8, saved.len), -EINVAL);
	assert_int_equal(restore_patched(&r->c, &saved, l1, rec, REC_LEN, saved.len), -EINVAL);
	assert_int_equal(restore_patched(&r->c, &saved, 0, NULL, 0, saved.len - 1), -EINVAL);
	assert_int_equal(restore_patched(&r->c, &saved, 0, NULL, 0, saved.len + 1), -EINVAL);
	assert_true(cache_probe(&r->c, 5, 0x000, NULL));
	assert_int_equal(cache_lines_of_key(&r->c, 5), 1);

	/* The unpatched bytes restore, and the restored line is the saved one. */
	assert_int_equal(cache_invd(&r->c, NULL), 0);
	assert_int_equal(restore_patched(&r->c, &saved, 0, NULL, 0, saved.len), 0);
	uint8_t b = 0;
	assert_int_equal(rd(r, 5, 0x000, &b, 1), HIT);
	assert_int_equal(b, 'x');
	sim_buf_free(&saved);
	rig_free(r);
}

/* Geometry that is not a power-of-two number of sets, or an incomplete backing, is refused. */
static void test_bad_geometry(void **state)
{
	(void)state;
	struct sim s;
	struct fake_mem m = { 0 };
	struct cache c;
	struct cache_port port = { &fake_ops, &m };
	static const struct cache_port_ops half = { fake_read, NULL };
	static const struct cache_config bad[] = {
		{ .size = 0, .ways = 2, .hit_latency = 1 },
		{ .size = 512, .ways = 0, .hit_latency = 1 },
		{ .size = 3 * 64 * 2, .ways = 2, .hit_latency = 1 },    /* 3 sets */
		{ .size = 500, .ways = 2, .hit_latency = 1 },           /* not whole sets */
		{ .size = 128, .ways = 4, .hit_latency = 1 },           /* less than one set */
		{ .size = CACHE_SIZE_MAX * 2, .ways = 2, .hit_latency = 1 },
	};
	sim_init(&s, 1, 1000);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cache_init(&c, &s, "bad", &bad[i], port), -EINVAL);
	struct cache_config ok = { .size = 3 * 64 * 4, .ways = 3, .hit_latency = 1 }; /* 4 sets */
	assert_int_equal(cache_init(&c, &s, "bad", &ok, (struct cache_port){ &half, &m }), -EINVAL);
	assert_int_equal(cache_init(&c, &s, "bad", &ok, (struct cache_port){ NULL, &m }), -EINVAL);
	assert_null(sim_model_find(&s, "bad"));
	assert_int_equal(cache_init(&c, &s, "ok", &ok, port), 0);
	assert_int_equal(cache_sets(&c), 4);
	sim_fini(&s);
}

/* An access that is empty or crosses a line boundary is refused without touching the cache. */
static void test_access_must_stay_in_line(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint8_t buf[CACHE_LINE + 1] = { 0 };
	uint64_t cyc = 0;
	assert_int_equal(cache_read(&r->c, 1, 0x3c, buf, 8, &cyc), -EINVAL);
	assert_int_equal(cache_write(&r->c, 1, 0x3c, buf, 8, &cyc), -EINVAL);
	assert_int_equal(cache_read(&r->c, 1, 0x40, buf, 0, &cyc), -EINVAL);
	assert_int_equal(cache_write(&r->c, 1, 0x40, buf, CACHE_LINE + 1, &cyc), -EINVAL);
	assert_int_equal(cyc, 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.misses"), 0);
	assert_int_equal(rd(r, 1, 0x3f, buf, 1), HIT + MEM_LAT);
	assert_int_equal(rd(r, 1, 0x40, buf, CACHE_LINE), HIT + MEM_LAT);
	rig_free(r);
}

/* A failing fill or write-back returns the backing's error and leaves no half-filled line. */
static void test_backing_error_leaves_cache_unchanged(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	bool dirty = false;
	uint8_t b = 0;
	r->mem.fail_read = -EIO;
	assert_int_equal(cache_read(&r->c, 1, 0x000, &b, 1, NULL), -EIO);
	assert_int_equal(cache_write(&r->c, 1, 0x000, &b, 1, NULL), -EIO);
	assert_int_equal(cache_lines_of_key(&r->c, 1), 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.fills"), 0);
	r->mem.fail_read = 0;

	wr(r, 1, 0x000, "A", 1);
	rd1(r, 1, 0x100);
	r->mem.fail_write = -EIO;
	assert_int_equal(cache_read(&r->c, 1, 0x200, &b, 1, NULL), -EIO);
	assert_true(cache_probe(&r->c, 1, 0x000, &dirty));
	assert_true(dirty);
	assert_true(cache_probe(&r->c, 1, 0x100, NULL));
	assert_false(cache_probe(&r->c, 1, 0x200, NULL));
	assert_int_equal(cache_wbinvd(&r->c, NULL), -EIO);
	assert_int_equal(cache_flush_key(&r->c, 1, NULL), -EIO);
	assert_int_equal(cache_clean_inval_pa(&r->c, 0x000, NULL), -EIO);
	assert_int_equal(cache_clean_inval_line(&r->c, 1, 0x000, NULL), -EIO);
	assert_true(cache_probe(&r->c, 1, 0x000, &dirty));
	assert_true(dirty);

	r->mem.fail_write = 0;
	assert_int_equal(rd1(r, 1, 0x200), HIT + MEM_LAT); /* now 0x000 goes back, posted */
	assert_memory_equal(r->mem.line[0], "A", 1);
	rig_free(r);
}

/* A sim reset empties the cache without writing anything back; counters are kept. */
static void test_reset_invalidates_without_writeback(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	wr(r, 1, 0x000, "gone", 4);
	sim_reset(&r->s);
	assert_false(cache_probe(&r->c, 1, 0x000, NULL));
	assert_int_equal(r->mem.writes, 0);
	assert_int_equal(sim_stat_get(&r->s, "l1.misses"), 1);
	assert_int_equal(rd1(r, 1, 0x000), HIT + MEM_LAT);
	rig_free(r);
}

/* A hit on a line whose fill is still in flight waits for the fill (it
 * merges into the miss); once the line has arrived a hit costs the lookup. */
static void test_hit_waits_for_fill(void **state)
{
	(void)state;
	struct rig *r = rig_new(512, 2);
	uint8_t b;
	uint64_t cyc = 0;
	assert_int_equal(cache_read(&r->c, 1, 0x40, &b, 1, &cyc), 0); /* at cycle 0 */
	assert_int_equal(cyc, HIT + MEM_LAT);
	sim_set_time(&r->s, 10); /* an overlapping requester, 10 cycles later */
	cyc = 0;
	assert_int_equal(cache_read(&r->c, 1, 0x48, &b, 1, &cyc), 0);
	assert_int_equal(cyc, HIT + MEM_LAT - 10);
	cyc = 0;
	assert_true(cache_read_mru(&r->c, 1, 0x50, &b, 1, &cyc)); /* the inline hit waits too */
	assert_int_equal(cyc, HIT + MEM_LAT - 10);
	assert_int_equal(sim_stat_get(&r->s, "l1.pending_hits"), 2);
	sim_set_time(&r->s, 1000);
	assert_int_equal(rd1(r, 1, 0x58), HIT);
	assert_int_equal(r->mem.reads, 1);
	rig_free(r);
}

/* With two miss slots, a third miss issued while both fills are in flight
 * waits for the first to complete, then takes its own fill. */
static void test_mshr_limit(void **state)
{
	(void)state;
	struct rig *r = rig_new_mshrs(1024, 4, 2);
	uint8_t b;
	uint64_t cyc[3] = { 0 };
	for (int i = 0; i < 3; i++) /* three misses at cycle 0 */
		assert_int_equal(cache_read(&r->c, 1, 0x40 * (uint64_t)(i + 1), &b, 1, &cyc[i]), 0);
	assert_int_equal(cyc[0], HIT + MEM_LAT);
	assert_int_equal(cyc[1], HIT + MEM_LAT);
	assert_int_equal(cyc[2], HIT + MEM_LAT + MEM_LAT); /* the slot frees at HIT + MEM_LAT */
	assert_int_equal(sim_stat_get(&r->s, "l1.mshr_wait"), MEM_LAT);
	rig_free(r);
}

/* A table walker's miss (cache.walker set around it) takes no miss slot:
 * with both slots held by data misses, it goes straight below, and the
 * data miss after it still finds the slots as they were. */
static void test_walker_miss_takes_no_slot(void **state)
{
	(void)state;
	struct rig *r = rig_new_mshrs(1024, 4, 2);
	uint8_t b;
	uint64_t cyc[4] = { 0 };
	for (int i = 0; i < 2; i++)
		assert_int_equal(cache_read(&r->c, 1, 0x40 * (uint64_t)(i + 1), &b, 1, &cyc[i]), 0);
	r->c.walker = true;
	assert_int_equal(cache_read(&r->c, 1, 0xc0, &b, 1, &cyc[2]), 0);
	r->c.walker = false;
	assert_int_equal(cyc[2], HIT + MEM_LAT);
	assert_int_equal(sim_stat_get(&r->s, "l1.mshr_wait"), 0);
	assert_int_equal(cache_read(&r->c, 1, 0x100, &b, 1, &cyc[3]), 0);
	assert_int_equal(cyc[3], HIT + MEM_LAT + MEM_LAT);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_waits_for_fill),
		cmocka_unit_test(test_mshr_limit),
		cmocka_unit_test(test_walker_miss_takes_no_slot),
		cmocka_unit_test(test_hit_and_miss_cycles),
		cmocka_unit_test(test_read_mru_matches_read),
		cmocka_unit_test(test_write_allocate),
		cmocka_unit_test(test_dirty_eviction_uses_victim_key),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_same_pa_two_keys_incoherent),
		cmocka_unit_test(test_invd_drops_dirty),
		cmocka_unit_test(test_wbinvd_writes_back),
		cmocka_unit_test(test_clean_inval_pa_all_keys),
		cmocka_unit_test(test_flush_key_only_that_key),
		cmocka_unit_test(test_clean_inval_line),
		cmocka_unit_test(test_two_level_hierarchy),
		cmocka_unit_test(test_save_restore_roundtrip),
		cmocka_unit_test(test_restore_rejects_other_geometry),
		cmocka_unit_test(test_restore_rejects_corrupt_lines),
		cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_access_must_stay_in_line),
		cmocka_unit_test(test_backing_error_leaves_cache_unchanged),
		cmocka_unit_test(test_reset_invalidates_without_writeback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
