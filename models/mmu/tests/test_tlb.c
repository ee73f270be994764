/* The TLB: tagged hits and misses, LRU, page sizes, each invalidation kind,
 * stale entries that outlive table changes until the right invalidation, and
 * snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/pas.h"
#include "models/mmu/pt.h"
#include "models/mmu/tlb.h"
#include "sim/sim.h"

#define K4 0x1000ull
#define M2 0x200000ull

static const struct tlb_config cfg_small = { .sets = 16, .ways = 4, .hit_cycles = 3 };

/* A successful walk result for a page of 2^shift at va -> pa. */
static struct pt_walk_result walk_of(uint64_t va, uint64_t pa, unsigned shift)
{
	return (struct pt_walk_result){ .va = va, .gpa = pa, .pa = pa, .page_shift = (uint8_t)shift,
					.perms = PT_PERM_SR | PT_PERM_SW, .attrs = PT_ATTR_CBIT };
}

static void fill(struct tlb *t, struct tlb_tag tag, uint64_t va, uint64_t pa, unsigned shift)
{
	struct pt_walk_result r = walk_of(va, pa, shift);
	tlb_fill(t, &tag, &r, 0);
}

static bool hit(struct tlb *t, struct tlb_tag tag, uint64_t va)
{
	return tlb_lookup(t, &tag, va, NULL) != NULL;
}

/* Arm ARM D8 (TLB entries are tagged by VMID and ASID; FEAT_RME adds the
 * security state): only the same context hits, at hit_cycles. */
static void test_hit_miss(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&t, &s, "tlb", &cfg_small), 0);
	struct tlb_tag a = { WORLD_REALM, 7, 3 };
	uint64_t cycles = 10;
	assert_null(tlb_lookup(&t, &a, 0x5000, &cycles));
	assert_int_equal(cycles, 10);
	struct pt_walk_result r = walk_of(0x5000, 0x9000, 12);
	r.gpa = 0x3000;
	tlb_fill(&t, &a, &r, 0xabcd);
	const struct tlb_entry *e = tlb_lookup(&t, &a, 0x5fff, &cycles);
	assert_non_null(e);
	assert_int_equal(cycles, 13);
	assert_int_equal(tlb_entry_pa(e, 0x5fff), 0x9fff);
	assert_int_equal(e->gpa, 0x3000);
	assert_int_equal(e->acl, 0xabcd);
	assert_int_equal(e->perms, PT_PERM_SR | PT_PERM_SW);
	assert_int_equal(e->attrs, PT_ATTR_CBIT);
	assert_false(hit(&t, (struct tlb_tag){ WORLD_REALM, 7, 4 }, 0x5000));
	assert_false(hit(&t, (struct tlb_tag){ WORLD_REALM, 8, 3 }, 0x5000));
	assert_false(hit(&t, (struct tlb_tag){ WORLD_NS, 7, 3 }, 0x5000));
	assert_false(hit(&t, a, 0x6000));
	assert_int_equal(sim_stat_get(&s, "tlb.hits"), 1);
	assert_int_equal(sim_stat_get(&s, "tlb.misses"), 5);
	assert_int_equal(sim_stat_get(&s, "tlb.fills"), 1);
	sim_fini(&s);
}

/* Replacement: the least recently used way of the set goes; a refill of the
 * same page reuses its way. */
static void test_lru(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	const struct tlb_config one_set = { .sets = 1, .ways = 2, .hit_cycles = 1 };
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&t, &s, "tlb", &one_set), 0);
	struct tlb_tag a = { WORLD_NS, 0, 1 };
	fill(&t, a, 0x1000, 0x11000, 12);
	fill(&t, a, 0x2000, 0x12000, 12);
	assert_true(hit(&t, a, 0x1000)); /* 0x2000 is now the oldest */
	fill(&t, a, 0x3000, 0x13000, 12);
	assert_true(hit(&t, a, 0x1000));
	assert_false(hit(&t, a, 0x2000));
	assert_true(hit(&t, a, 0x3000));
	fill(&t, a, 0x3000, 0x23000, 12); /* same page: no eviction */
	assert_true(hit(&t, a, 0x1000));
	assert_int_equal(tlb_entry_pa(tlb_lookup(&t, &a, 0x3000, NULL), 0x3000), 0x23000);
	sim_fini(&s);
}

/* 2 MB entries cover their whole page; a 4 KB entry for the same VA wins. */
static void test_page_sizes(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&t, &s, "tlb", &cfg_small), 0);
	struct tlb_tag a = { WORLD_NS, 0, 1 };
	fill(&t, a, 0x40000000, 0x80000000, 21);
	const struct tlb_entry *e = tlb_lookup(&t, &a, 0x401fffff, NULL);
	assert_non_null(e);
	assert_int_equal(tlb_entry_pa(e, 0x401fffff), 0x801fffff);
	assert_false(hit(&t, a, 0x40200000));
	fill(&t, a, 0x40001000, 0x7000, 12);
	assert_int_equal(tlb_entry_pa(tlb_lookup(&t, &a, 0x40001008, NULL), 0x40001008), 0x7008);
	assert_int_equal(tlb_entry_pa(tlb_lookup(&t, &a, 0x40002008, NULL), 0x40002008), 0x80002008);
	sim_fini(&s);
}

/* Each invalidation (INVLPG / TLBI VAE1, ASID flush / TLBI ASIDE1, TLBI
 * VMALLS12E1, TLBI ALLE1, TLBI RPALOS per Arm ARM D8 / D9.5) removes exactly
 * its entries. */
static void test_invalidations(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	const struct tlb_config wide = { .sets = 16, .ways = 8, .hit_cycles = 3 }; /* no evictions */
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&t, &s, "tlb", &wide), 0);
	struct tlb_tag a = { WORLD_REALM, 1, 1 }, b = { WORLD_REALM, 1, 2 },
		       c = { WORLD_REALM, 2, 1 }, n = { WORLD_NS, 1, 1 };
	fill(&t, a, 0x1000, 0x11000, 12);
	fill(&t, a, 0x200000, 0x400000, 21);
	fill(&t, b, 0x1000, 0x21000, 12);
	fill(&t, c, 0x1000, 0x31000, 12);
	fill(&t, n, 0x1000, 0x41000, 12);

	assert_int_equal(tlb_inval_va(&t, &a, 0x3ff000), 1); /* the 2 MB page holding it */
	assert_false(hit(&t, a, 0x200000));
	assert_true(hit(&t, a, 0x1000));
	assert_int_equal(tlb_inval_va(&t, &a, 0x1000), 1);
	assert_true(hit(&t, b, 0x1000));
	assert_true(hit(&t, n, 0x1000));

	fill(&t, a, 0x1000, 0x11000, 12);
	assert_int_equal(tlb_inval_asid(&t, WORLD_REALM, 1, 2), 1);
	assert_false(hit(&t, b, 0x1000));
	assert_true(hit(&t, a, 0x1000));

	fill(&t, b, 0x1000, 0x21000, 12);
	assert_int_equal(tlb_inval_vmid(&t, WORLD_REALM, 1), 2); /* a and b, not c nor NS */
	assert_true(hit(&t, c, 0x1000));
	assert_true(hit(&t, n, 0x1000));

	fill(&t, a, 0x200000, 0x400000, 21);
	/* a range that touches only the last byte of the 2 MB output page */
	assert_int_equal(tlb_inval_pa(&t, 0x5fffff, 0x2000), 1);
	assert_int_equal(tlb_inval_pa(&t, 0x30000, 0x11000), 1); /* [0x30000, 0x41000): c only */
	assert_true(hit(&t, n, 0x1000));
	assert_int_equal(tlb_inval_pa(&t, 0x41000, 0), 0);

	fill(&t, a, 0x1000, 0x11000, 12);
	assert_int_equal(tlb_inval_all(&t), 2);
	assert_false(hit(&t, n, 0x1000));
	assert_int_equal(sim_stat_get(&s, "tlb.invalidations"), 9);
	sim_fini(&s);
}

/* The fake memory of test_pt.c, reduced to what one x86 walk needs. */
struct mem {
	GHashTable *m;
	uint64_t next;
};
static uint64_t mem_get(struct mem *f, uint64_t pa)
{
	uint64_t *v = g_hash_table_lookup(f->m, &pa);
	return v ? *v : 0;
}
static int io_read(void *ctx, uint64_t pa, uint64_t ipa, bool s2, uint64_t *val, uint64_t *cycles)
{
	(void)ipa;
	(void)s2;
	*cycles += 100;
	*val = mem_get(ctx, pa);
	return 0;
}
static int b_read(void *ctx, uint64_t a, uint64_t *v)
{
	*v = mem_get(ctx, a);
	return 0;
}
static int b_write(void *ctx, uint64_t a, uint64_t v)
{
	struct mem *f = ctx;
	g_hash_table_replace(f->m, g_memdup2(&a, 8), g_memdup2(&v, 8));
	return 0;
}
static int b_alloc(void *ctx, uint64_t *a)
{
	struct mem *f = ctx;
	*a = f->next;
	f->next += K4;
	return 0;
}

/* SDM vol. 3A 4.10.4 and Arm ARM D8 (TLB maintenance): after the tables
 * change, the cached translation and its cached access-control verdict keep
 * working until the matching invalidation; another context's does not help. */
static void test_stale_entry(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	struct mem f = { g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free), 0x100000 };
	struct pt_config cfg = { .s1 = { .fmt = PT_FMT_X86, .pa_bits = 48, .nxe = true, .wp = true } };
	struct pt_builder b = { &cfg.s1, b_read, b_write, b_alloc, &f };
	struct pt_io io = { io_read, &f };
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&t, &s, "tlb", &cfg_small), 0);
	assert_int_equal(b_alloc(&f, &cfg.s1.root), 0);
	assert_int_equal(pt_map(&b, cfg.s1.root, 0x7000, 0x9000, K4, PT_PROT_R | PT_PROT_W, 0), 0);

	struct tlb_tag me = { WORLD_NS, 0, 5 }, other = { WORLD_NS, 0, 6 };
	uint64_t va = 0x7010;
	struct pt_walk_result r = pt_translate(&cfg, &io, va, PT_ACC_WRITE);
	assert_int_equal(r.fault, PT_OK);
	assert_int_equal(r.cycles, 400);
	tlb_fill(&t, &me, &r, 1); /* acl bit 0: "the GPC allowed it" */

	/* Make the page read-only, then remap it elsewhere: the walk sees both. */
	assert_int_equal(pt_map(&b, cfg.s1.root, 0x7000, 0x9000, K4, PT_PROT_R, 0), 0);
	assert_int_equal(pt_translate(&cfg, &io, va, PT_ACC_WRITE).fault, PT_FAULT_PERM);
	assert_int_equal(pt_map(&b, cfg.s1.root, 0x7000, 0xa000, K4, PT_PROT_R, 0), 0);
	assert_int_equal(pt_translate(&cfg, &io, va, PT_ACC_READ).pa, 0xa010);

	uint64_t cycles = 0;
	const struct tlb_entry *e = tlb_lookup(&t, &me, va, &cycles);
	assert_non_null(e); /* stale: old PA, still writable, old verdict, no walk */
	assert_int_equal(tlb_entry_pa(e, va), 0x9010);
	assert_true(pt_perm_allows(e->perms, PT_ACC_WRITE));
	assert_int_equal(e->acl, 1);
	assert_int_equal(cycles, 3);

	assert_int_equal(tlb_inval_va(&t, &other, va), 0); /* wrong ASID */
	assert_int_equal(tlb_inval_pa(&t, 0xa000, K4), 0);  /* the new PA, not the cached one */
	assert_non_null(tlb_lookup(&t, &me, va, NULL));
	assert_int_equal(tlb_inval_pa(&t, 0x9000, K4), 1); /* RPALOS on the old PA */
	assert_null(tlb_lookup(&t, &me, va, NULL));

	r = pt_translate(&cfg, &io, va, PT_ACC_READ);
	tlb_fill(&t, &me, &r, 1);
	assert_int_equal(pt_unmap(&b, cfg.s1.root, 0x7000, K4), 0);
	assert_non_null(tlb_lookup(&t, &me, va, NULL)); /* unmapped, still translating */
	assert_int_equal(tlb_inval_va(&t, &me, va), 1);
	assert_null(tlb_lookup(&t, &me, va, NULL));
	assert_int_equal(pt_translate(&cfg, &io, va, PT_ACC_READ).fault, PT_FAULT_NOT_PRESENT);
	g_hash_table_destroy(f.m);
	sim_fini(&s);
}

/* Entries, their set / way positions and LRU ages survive a snapshot, so the
 * restored TLB evicts the same way the original does; reset empties it. */
static void test_snapshot_and_reset(void **state)
{
	(void)state;
	struct sim a, b;
	struct tlb ta, tb;
	struct sim_buf buf;
	char err[128];
	const struct tlb_config cfg = { .sets = 2, .ways = 2, .hit_cycles = 1 };
	sim_init(&a, 1, 1000000000);
	sim_init(&b, 1, 1000000000);
	assert_int_equal(tlb_init(&ta, &a, "tlb", &cfg), 0);
	assert_int_equal(tlb_init(&tb, &b, "tlb", &cfg), 0);
	struct tlb_tag x = { WORLD_REALM, 9, 4 };
	fill(&ta, x, 0x2000, 0x12000, 12);             /* set 0 */
	fill(&ta, x, 0x4000, 0x14000, 12);             /* set 0 */
	fill(&ta, x, 0x200000, 0x600000, 21);          /* set 1 */
	assert_true(hit(&ta, x, 0x2000));              /* 0x4000 is now the oldest in set 0 */
	sim_buf_init(&buf);
	assert_int_equal(sim_save(&a, &buf), 0);
	assert_int_equal(sim_restore(&b, buf.data, buf.len, err, sizeof(err)), 0);
	assert_memory_equal(ta.e, tb.e, sizeof(*ta.e) * 4);
	assert_int_equal(tb.tick, ta.tick);
	assert_int_equal(tb.fills, 3);
	fill(&ta, x, 0x6000, 0x16000, 12);
	fill(&tb, x, 0x6000, 0x16000, 12);
	assert_memory_equal(ta.e, tb.e, sizeof(*ta.e) * 4);
	assert_false(hit(&tb, x, 0x4000));
	assert_true(hit(&tb, x, 0x2000));

	/* a checkpoint from another geometry is refused */
	struct sim c;
	struct tlb tc;
	const struct tlb_config other = { .sets = 4, .ways = 1, .hit_cycles = 1 };
	sim_init(&c, 1, 1000000000);
	assert_int_equal(tlb_init(&tc, &c, "tlb", &other), 0);
	assert_int_equal(sim_restore(&c, buf.data, buf.len, err, sizeof(err)), -EINVAL);

	/* an entry moved out of the set its VA indexes is refused */
	struct sim_buf moved;
	sim_buf_init(&moved);
	ta.e[3] = ta.e[0]; /* set 0's entry into set 1 */
	ta.e[0].valid = 0;
	assert_int_equal(sim_save(&a, &moved), 0);
	assert_int_equal(sim_restore(&b, moved.data, moved.len, err, sizeof(err)), -EINVAL);
	sim_buf_free(&moved);

	sim_reset(&b);
	assert_false(hit(&tb, x, 0x2000));
	assert_int_equal(tb.tick, 0);
	sim_buf_free(&buf);
	sim_fini(&a);
	sim_fini(&b);
	sim_fini(&c);
}

/* Geometry checks. */
static void test_bad_config(void **state)
{
	(void)state;
	struct sim s;
	struct tlb t;
	sim_init(&s, 1, 1000000000);
	const struct tlb_config bad[] = {
		{ .sets = 0, .ways = 4 }, { .sets = 12, .ways = 4 }, { .sets = 16, .ways = 0 },
		{ .sets = 1u << 16, .ways = 32 },
	};
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(tlb_init(&t, &s, "tlb", &bad[i]), -EINVAL);
	sim_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_invalidations),
		cmocka_unit_test(test_stale_entry),
		cmocka_unit_test(test_snapshot_and_reset),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
