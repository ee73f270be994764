/* vCPU address translation on the machine: the TLB, stage-1 walks and full
 * nested walks whose table reads are physical accesses through the caches,
 * with exact cycle counts with and without the table lines cached, and a
 * stale TLB entry surviving a table change until the right invalidation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/platform/machine.h"

/* the unit-test machine (3 GHz): L1 4, LLC 40, DRAM 150; a line from DRAM costs 194. */
#define MISS (4 + 40 + 150)
#define HIT 4
#define TLB_HIT 1

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu cpu;   /* the translating vCPU */
	struct cpu phys;  /* writes tables physically */
	uint64_t next_table;
};

static int wr64(void *ctx, uint64_t addr, uint64_t val)
{
	struct fx *f = ctx;
	struct cc_fault fault;
	uint64_t c;
	return cpu_store(&f->phys, addr, &val, 8, &fault, &c) ? -EIO : 0;
}

static int rd64(void *ctx, uint64_t addr, uint64_t *val)
{
	struct fx *f = ctx;
	struct cc_fault fault;
	uint64_t c;
	return cpu_load(&f->phys, addr, val, 8, &fault, &c) ? -EIO : 0;
}

static int alloc_table(void *ctx, uint64_t *addr)
{
	struct fx *f = ctx;
	*addr = f->next_table;
	f->next_table += 4096; /* never written before: reads as zeros */
	return 0;
}

/* walk_cache: entries of the core's walk caches (0: none). */
static struct fx *build_walk(unsigned walk_cache)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256], set[64];
	memset(f, 0, sizeof(*f));
	assert_int_equal(profile_load("models/platform/tests/profiles/unit.ini", &cfg, err, sizeof(err)), 0);
	snprintf(set, sizeof(set), "cpu.walk_cache=%u", walk_cache);
	assert_int_equal(profile_set(&cfg, set, err, sizeof(err)), 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->cpu, &f->sim, "vcpu", machine_bus(&f->m), WORLD_NS, 1);
	cpu_init(&f->phys, &f->sim, "writer", machine_bus(&f->m), WORLD_NS, 2);
	f->cpu.tlb = &f->m.tlb[0];
	f->next_table = 0x1000000;
	return f;
}

static struct fx *build(void)
{
	return build_walk(0);
}

static void destroy(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static void map(struct fx *f, const struct pt_stage *st, uint64_t root, uint64_t va, uint64_t pa,
		uint64_t size, unsigned prot)
{
	struct pt_builder b = { st, rd64, wr64, alloc_table, f };
	assert_int_equal(pt_map(&b, root, va, pa, size, prot, 0), 0);
}

/* Stage 1 tables for the vCPU: `pages` pages from VA 0x400000 -> PA
 * 0x2000000 on. */
static void stage1_setup(struct fx *f, unsigned pages)
{
	uint64_t root;
	alloc_table(f, &root);
	f->cpu.pt.s1 = (struct pt_stage){ .fmt = PT_FMT_X86, .root = root, .pa_bits = 40, .nxe = true };
	f->cpu.paging = 1;
	for (uint64_t i = 0; i < pages; i++)
		map(f, &f->cpu.pt.s1, root, 0x400000 + i * 4096, 0x2000000 + i * 4096, 4096,
		    PT_PROT_R | PT_PROT_W);
}

/* Stage 1 only (SDM vol. 3A 4.5): a TLB miss walks 4 levels, each entry a
 * line from DRAM after WBINVD; the next access to the page hits the TLB. */
static void test_stage1_walk(void **state)
{
	(void)state;
	struct fx *f = build();
	uint64_t c;
	uint8_t b[8];
	struct cc_fault fault;
	stage1_setup(f, 1);
	assert_int_equal(cpu_store(&f->phys, 0x2000010, "pagedata", 8, &fault, &c), 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);

	assert_int_equal(cpu_load_va(&f->cpu, 0x400010, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "pagedata", 8);
	assert_int_equal(c, 4 * MISS + MISS);
	assert_int_equal(f->cpu.stat_walk_refs, 4);
	/* TLB hit: no walk, the data line is in L1 */
	assert_int_equal(cpu_load_va(&f->cpu, 0x400018, b, 8, &fault, &c), 0);
	assert_int_equal(c, TLB_HIT + HIT);
	/* table lines cached: a walk after a TLB flush costs L1 hits only */
	tlb_inval_all(f->cpu.tlb);
	assert_int_equal(cpu_load_va(&f->cpu, 0x400010, b, 8, &fault, &c), 0);
	assert_int_equal(c, 4 * HIT + HIT);
	assert_int_equal(f->cpu.stat_walks, 2);
	destroy(f);
}

/* Nested tables for the vCPU: guest-physical 0x10000.. holds the guest
 * tables, identity-mapped by the nested tables; `pages` guest data pages
 * from VA 0x7f0000000000 -> GPA 0x20000 -> PA 0x3000000 on. Returns the
 * nested root. */
static uint64_t nested_setup(struct fx *f, unsigned pages)
{
	uint64_t s2root;
	alloc_table(f, &s2root);
	struct pt_stage s2 = { .fmt = PT_FMT_X86, .root = s2root, .pa_bits = 40, .nxe = true };
	for (uint64_t g = 0x10000; g < 0x14000; g += 4096)
		map(f, &s2, s2root, g, g, 4096, PT_PROT_R | PT_PROT_W | PT_PROT_USER);
	for (uint64_t i = 0; i < pages; i++)
		map(f, &s2, s2root, 0x20000 + i * 4096, 0x3000000 + i * 4096, 4096,
		    PT_PROT_R | PT_PROT_W | PT_PROT_USER);
	/* The guest builds its tables in its own GPA space (= PA here). */
	uint64_t saved = f->next_table;
	f->next_table = 0x10000;
	uint64_t groot;
	alloc_table(f, &groot);
	struct pt_stage s1 = { .fmt = PT_FMT_X86, .root = groot, .pa_bits = 40, .nxe = true };
	for (uint64_t i = 0; i < pages; i++)
		map(f, &s1, groot, 0x7f0000000000ull + i * 4096, 0x20000 + i * 4096, 4096,
		    PT_PROT_R | PT_PROT_W);
	assert_int_equal(f->next_table, 0x14000);
	f->next_table = saved;
	f->cpu.pt = (struct pt_config){ .s1 = s1, .nested = true, .s2 = s2 };
	f->cpu.paging = 1;
	return s2root;
}

/* A full 4x4 nested walk (APM 15.25.5): 24 table reads. The five stage-2
 * walks share their first three entries, and the stage-2 PT entries for the
 * four guest tables share one line, so after WBINVD 9 distinct lines come
 * from DRAM and the other 15 reads hit L1. */
static void test_nested_walk(void **state)
{
	(void)state;
	struct fx *f = build();
	uint64_t c;
	uint8_t b[8];
	struct cc_fault fault;
	nested_setup(f, 1);
	assert_int_equal(cpu_store(&f->phys, 0x3000000, "nested!!", 8, &fault, &c), 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);

	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000000000ull, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "nested!!", 8);
	assert_int_equal(f->cpu.stat_walk_refs, 24);
	assert_int_equal(c, 9 * MISS + 15 * HIT + MISS);
	/* every table line cached: 24 L1 hits + the data line */
	tlb_inval_all(f->cpu.tlb);
	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000000000ull, b, 8, &fault, &c), 0);
	assert_int_equal(c, 24 * HIT + HIT);
	/* TLB hit */
	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000000000ull, b, 8, &fault, &c), 0);
	assert_int_equal(c, TLB_HIT + HIT);
	destroy(f);
}

/* A cached translation keeps working after the tables change (SDM vol. 3A
 * 4.10.4.4) until INVLPG / TLBI by VA removes it; a fault then reports the
 * stage and level. */
static void test_stale_tlb_entry(void **state)
{
	(void)state;
	struct fx *f = build();
	uint64_t root, c;
	uint8_t b[8];
	struct cc_fault fault;
	alloc_table(f, &root);
	f->cpu.pt.s1 = (struct pt_stage){ .fmt = PT_FMT_X86, .root = root, .pa_bits = 40, .nxe = true };
	f->cpu.paging = 1;
	struct pt_builder bld = { &f->cpu.pt.s1, rd64, wr64, alloc_table, f };
	map(f, &f->cpu.pt.s1, root, 0x400000, 0x2000000, 4096, PT_PROT_R | PT_PROT_W);
	assert_int_equal(cpu_load_va(&f->cpu, 0x400000, b, 8, &fault, &c), 0);
	assert_int_equal(pt_unmap(&bld, root, 0x400000, 4096), 0);
	/* stale: still translates, no walk */
	assert_int_equal(cpu_load_va(&f->cpu, 0x400000, b, 8, &fault, &c), 0);
	assert_int_equal(f->cpu.stat_walks, 1);
	assert_int_equal(tlb_inval_va(f->cpu.tlb, &f->cpu.tag, 0x400000), 1);
	assert_int_equal(cpu_load_va(&f->cpu, 0x400000, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_MMU_S1);
	assert_int_equal(fault.code, PT_FAULT_NOT_PRESENT);
	assert_int_equal(fault.level, 3);
	assert_string_equal(cc_fault_name(fault.kind), "mmu.s1");
	destroy(f);
}

/* The walk caches (pt.h: struct pt_cache): a second page under the same
 * page table reads only its own PTE, the upper three levels coming from
 * the page directory cache; any TLB invalidation empties them. */
static void test_walk_cache_stage1(void **state)
{
	(void)state;
	struct fx *f = build_walk(16);
	uint64_t c;
	uint8_t b[8];
	struct cc_fault fault;
	stage1_setup(f, 2);
	assert_int_equal(cpu_load_va(&f->cpu, 0x400000, b, 8, &fault, &c), 0);
	assert_int_equal(f->cpu.stat_walk_refs, 4);
	assert_int_equal(f->cpu.tlb->walk.hits, 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	/* the next page: its PTE (a line from DRAM) and the data line */
	assert_int_equal(cpu_load_va(&f->cpu, 0x401000, b, 8, &fault, &c), 0);
	assert_int_equal(f->cpu.stat_walk_refs, 4 + 1);
	assert_int_equal(f->cpu.tlb->walk.hits, 1);
	assert_int_equal(c, MISS + MISS);
	/* invalidation takes the walk caches with the TLB: a full walk again */
	tlb_inval_all(f->cpu.tlb);
	assert_int_equal(cpu_load_va(&f->cpu, 0x401000, b, 8, &fault, &c), 0);
	assert_int_equal(f->cpu.stat_walk_refs, 4 + 1 + 4);
	destroy(f);
}

/* Nested: the page directory caches of both stages and the nested TLB
 * (stage 2 translations of guest table pages) cut a 24-read walk for a
 * neighbouring page to two reads, the guest PTE and the host PTE of the
 * data page. A cached entry does not outlive a stage 2 change that is
 * followed by the invalidation the architecture requires. */
static void test_walk_cache_nested(void **state)
{
	(void)state;
	struct fx *f = build_walk(64);
	uint64_t c;
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t s2root = nested_setup(f, 2);
	struct pt_stage s2 = f->cpu.pt.s2;
	assert_int_equal(cpu_store(&f->phys, 0x3001000, "second!!", 8, &fault, &c), 0);

	/* even the first walk reuses what its own stage 2 walks cached: 4
	 * guest entries, 4 host entries for the guest root, then only the host
	 * PTE for each of the other 3 guest tables and for the data page */
	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000000000ull, b, 8, &fault, &c), 0);
	assert_int_equal(f->cpu.stat_walk_refs, 4 + 4 + 3 + 1);
	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000001000ull, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "second!!", 8);
	assert_int_equal(f->cpu.stat_walk_refs, 12 + 2);
	/* unmapping the data page in stage 2, then invalidating: the walk
	 * cannot use what it cached and faults in stage 2 */
	struct pt_builder bld = { &s2, rd64, wr64, alloc_table, f };
	assert_int_equal(pt_unmap(&bld, s2root, 0x21000, 4096), 0);
	tlb_inval_all(f->cpu.tlb);
	assert_int_equal(cpu_load_va(&f->cpu, 0x7f0000001000ull, b, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_MMU_S2);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage1_walk),
		cmocka_unit_test(test_nested_walk),
		cmocka_unit_test(test_stale_tlb_entry),
		cmocka_unit_test(test_walk_cache_stage1),
		cmocka_unit_test(test_walk_cache_nested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
