/* Page-table formats and the two-stage walker over a fake memory whose every
 * table read costs exactly LAT cycles: walks, nested walk costs, faults,
 * C-bit / shared bit, builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/pt.h"

#define LAT 100
#define GOFF 0x40000000ull /* guest memory: HPA = GPA + GOFF */
#define GTAB 0x100000ull   /* guest tables are allocated from this GPA */
#define HTAB 0x10000000ull /* stage 2 tables are allocated from this HPA */
#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

struct fake {
	GHashTable *m; /* PA -> 64-bit word; absent = 0 */
	unsigned reads, s2_reads;
	unsigned s1_remapped; /* stage 1 table reads whose GPA differs from their PA */
	uint64_t last_ipa;
	uint64_t fail_pa;
};

static uint64_t mem_get(struct fake *f, uint64_t pa)
{
	uint64_t *v = g_hash_table_lookup(f->m, &pa);
	return v ? *v : 0;
}
static void mem_set(struct fake *f, uint64_t pa, uint64_t v)
{
	g_hash_table_replace(f->m, g_memdup2(&pa, 8), g_memdup2(&v, 8));
}

static int fake_read(void *ctx, uint64_t pa, uint64_t ipa, bool stage2_table, uint64_t *val,
		     uint64_t *cycles)
{
	struct fake *f = ctx;
	*cycles += LAT;
	f->reads++;
	if (!stage2_table && ipa != pa)
		f->s1_remapped++;
	f->last_ipa = ipa;
	f->s2_reads += stage2_table;
	if (f->fail_pa && pa == f->fail_pa)
		return -EIO;
	*val = mem_get(f, pa);
	return 0;
}

/* An address space over the fake memory, as a builder sees it. */
struct space {
	struct fake *f;
	uint64_t off, next;
};
static int sp_read(void *ctx, uint64_t a, uint64_t *v)
{
	struct space *s = ctx;
	*v = mem_get(s->f, a + s->off);
	return 0;
}
static int sp_write(void *ctx, uint64_t a, uint64_t v)
{
	struct space *s = ctx;
	mem_set(s->f, a + s->off, v);
	return 0;
}
static int sp_alloc(void *ctx, uint64_t *a)
{
	struct space *s = ctx;
	*a = s->next;
	s->next += K4;
	return 0;
}

struct rig {
	struct fake f;
	struct space gs, hs;
	struct pt_builder gb, hb; /* guest (stage 1) and host (stage 2) tables */
	struct pt_config cfg;
	struct pt_io io;
};

static unsigned s2_prot(void)
{
	return PT_PROT_R | PT_PROT_W | PT_PROT_X | PT_PROT_USER;
}

/* Map GPA [gpa, gpa+size) to HPA gpa + GOFF in stage 2. */
static void map_gpa(struct rig *r, uint64_t gpa, uint64_t size)
{
	assert_int_equal(pt_map(&r->hb, r->cfg.s2.root, gpa, gpa + GOFF, size, s2_prot(), 0), 0);
}

/* Stage 1 only when s2 < 0; otherwise the guest's table pages are backed in
 * stage 2 by pages of tab_size. */
static void rig_init(struct rig *r, enum pt_format s1, int s2, uint64_t tab_size)
{
	memset(r, 0, sizeof(*r));
	r->f.m = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	r->io = (struct pt_io){ fake_read, &r->f };
	r->cfg.s1 = (struct pt_stage){ .fmt = s1, .pa_bits = 48, .nxe = true, .wp = true };
	r->gs = (struct space){ &r->f, s2 < 0 ? 0 : GOFF, GTAB };
	r->gb = (struct pt_builder){ &r->cfg.s1, sp_read, sp_write, sp_alloc, &r->gs };
	assert_int_equal(sp_alloc(&r->gs, &r->cfg.s1.root), 0);
	if (s2 < 0)
		return;
	r->cfg.nested = true;
	r->cfg.s2 = (struct pt_stage){ .fmt = (enum pt_format)s2, .pa_bits = 48, .nxe = true };
	r->hs = (struct space){ &r->f, 0, HTAB };
	r->hb = (struct pt_builder){ &r->cfg.s2, sp_read, sp_write, sp_alloc, &r->hs };
	assert_int_equal(sp_alloc(&r->hs, &r->cfg.s2.root), 0);
	for (uint64_t g = GTAB & ~(tab_size - 1); g < GTAB + 32 * K4; g += tab_size)
		map_gpa(r, g, tab_size);
}

static void rig_fini(struct rig *r)
{
	g_hash_table_destroy(r->f.m);
}

static void gmap(struct rig *r, uint64_t va, uint64_t gpa, uint64_t size, unsigned prot,
		 unsigned flags)
{
	assert_int_equal(pt_map(&r->gb, r->cfg.s1.root, va, gpa, size, prot, flags), 0);
}

/* Host address of va's entry at `level` in the guest tables (via the builder). */
static uint64_t slot_of(struct rig *r, uint64_t va, unsigned level)
{
	uint64_t table = r->cfg.s1.root, e;
	for (unsigned l = 0; l < level; l++) {
		assert_int_equal(sp_read(&r->gs, table + 8 * pt_index(l, va), &e), 0);
		table = pt_format_ops(r->cfg.s1.fmt)->decode(&r->cfg.s1, l, e).addr;
	}
	return table + 8 * pt_index(level, va) + r->gs.off;
}

static struct pt_walk_result xlate(struct rig *r, uint64_t va, unsigned acc)
{
	r->f.reads = r->f.s2_reads = r->f.s1_remapped = 0;
	struct pt_walk_result w = pt_translate(&r->cfg, &r->io, va, acc);
	assert_int_equal(w.refs, r->f.reads);
	assert_int_equal(w.cycles, (uint64_t)LAT * w.refs);
	return w;
}

static void assert_fault(const struct pt_walk_result *w, enum pt_fault f, unsigned stage,
			 unsigned level, uint64_t addr, unsigned refs)
{
	assert_string_equal(pt_fault_name(w->fault), pt_fault_name(f));
	assert_int_equal(w->stage, stage);
	assert_int_equal(w->level, level);
	assert_int_equal(w->fault_addr, addr);
	assert_int_equal(w->refs, refs);
}

/* SDM vol. 3A 4.5 (4-level paging, Figure 4-8): a 4 KB page costs 4 reads. */
static void test_x86_4k(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	gmap(&r, 0x7f1234567000, 0x2345000, K4, PT_PROT_R | PT_PROT_W | PT_PROT_USER, 0);
	struct pt_walk_result w = xlate(&r, 0x7f1234567abc, PT_ACC_READ | PT_ACC_USER);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.pa, 0x2345abc);
	assert_int_equal(w.gpa, 0x2345abc);
	assert_int_equal(w.refs, 4);
	assert_int_equal(w.cycles, 400);
	assert_int_equal(r.f.s2_reads, 0);
	assert_int_equal(r.f.s1_remapped, 0); /* not nested: a table's address is its PA */
	assert_int_equal(w.page_shift, 12);
	assert_int_equal(w.level, 3);
	assert_int_equal(w.perms, PT_PERM_UR | PT_PERM_UW | PT_PERM_SR | PT_PERM_SW);
	assert_int_equal(w.attrs, 0);
	rig_fini(&r);
}

/* SDM vol. 3A 4.5, Tables 4-17 / 4-18: PS = 1 in a PDE (2 MB, 3 reads) or a
 * PDPTE (1 GB, 2 reads). */
static void test_x86_large(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	gmap(&r, 0x40000000, 0x80000000, M2, PT_PROT_R | PT_PROT_X, 0);
	gmap(&r, 0x8000000000, 0x100000000, G1, PT_PROT_R, 0);
	struct pt_walk_result w = xlate(&r, 0x40012345, PT_ACC_EXEC);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.pa, 0x80012345);
	assert_int_equal(w.refs, 3);
	assert_int_equal(w.cycles, 300);
	assert_int_equal(w.page_shift, 21);
	w = xlate(&r, 0x8012345678, PT_ACC_READ);
	assert_int_equal(w.pa, 0x112345678);
	assert_int_equal(w.refs, 2);
	assert_int_equal(w.page_shift, 30);
	rig_fini(&r);
}

/* APM vol. 2 15.25.5, SDM vol. 3C 29.3.2, Arm ARM D8 (stage 2 of stage 1
 * walks): 4 guest entries x (4 nested + 1) + 4 for the final GPA = 24 reads. */
static void test_nested_24(void **state)
{
	(void)state;
	static const int pairs[][2] = {
		{ PT_FMT_X86, PT_FMT_X86 }, { PT_FMT_X86, PT_FMT_EPT }, { PT_FMT_ARM_S1, PT_FMT_ARM_S2 },
	};
	for (unsigned i = 0; i < 3; i++) {
		struct rig r;
		rig_init(&r, (enum pt_format)pairs[i][0], pairs[i][1], K4);
		gmap(&r, 0x7f0000001000, 0x300000, K4, PT_PROT_R | PT_PROT_W, 0);
		map_gpa(&r, 0x300000, K4);
		struct pt_walk_result w = xlate(&r, 0x7f0000001234, PT_ACC_WRITE);
		assert_int_equal(w.fault, PT_OK);
		assert_int_equal(w.gpa, 0x300234);
		assert_int_equal(w.pa, 0x300234 + GOFF);
		assert_int_equal(w.refs, 24);
		assert_int_equal(w.cycles, 2400);
		assert_int_equal(r.f.s2_reads, 20);
		/* each guest table read names the GPA it came from (what an
		 * RMP check compares, APM 15.36.10) */
		assert_int_equal(r.f.s1_remapped, 4);
		assert_int_equal(w.page_shift, 12);
		assert_true(pt_perm_allows(w.perms, PT_ACC_WRITE));
		rig_fini(&r);
	}
}

/* APM vol. 2 15.25.5 / SDM vol. 3C 29.3.2: 2 MB pages shorten the nested
 * walks: s2 2M = 4x(3+1)+3 = 19; s1 2M + s2 4K = 3x(4+1)+4 = 19; both = 15. */
static void test_nested_2m(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, PT_FMT_EPT, M2); /* tables in a 2 MB stage 2 page */
	gmap(&r, 0x7f0000001000, 0x400000, K4, PT_PROT_R, 0);
	gmap(&r, 0x7f0000200000, 0x600000, M2, PT_PROT_R, 0);
	map_gpa(&r, 0x400000, M2);
	struct pt_walk_result w = xlate(&r, 0x7f0000001008, PT_ACC_READ);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.pa, 0x400008 + GOFF);
	assert_int_equal(w.refs, 19);
	assert_int_equal(w.cycles, 1900);
	assert_int_equal(w.page_shift, 12);
	map_gpa(&r, 0x600000, M2);
	w = xlate(&r, 0x7f0000212345, PT_ACC_READ);
	assert_int_equal(w.pa, 0x612345 + GOFF);
	assert_int_equal(w.refs, 15);
	assert_int_equal(w.cycles, 1500);
	assert_int_equal(w.page_shift, 21);
	rig_fini(&r);

	rig_init(&r, PT_FMT_ARM_S1, PT_FMT_ARM_S2, K4);
	gmap(&r, 0x7f0000200000, 0x600000, M2, PT_PROT_R, 0);
	map_gpa(&r, 0x612000, K4);
	w = xlate(&r, 0x7f0000212345, PT_ACC_READ);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.pa, 0x612345 + GOFF);
	assert_int_equal(w.refs, 19);
	assert_int_equal(w.page_shift, 12); /* the smaller of the two pages */
	rig_fini(&r);
}

/* SDM vol. 3A 4.7 (P = 0) and Arm ARM D8 (Translation fault, level n): an
 * invalid entry at level n stops the walk after n+1 reads. */
static void test_not_present_levels(void **state)
{
	(void)state;
	static const enum pt_format fmts[] = { PT_FMT_X86, PT_FMT_ARM_S1 };
	const uint64_t m = (1ull << 39) + (1ull << 30) + (1ull << 21) + (1ull << 12);
	for (unsigned i = 0; i < 2; i++) {
		struct rig r;
		rig_init(&r, fmts[i], -1, 0);
		gmap(&r, m, 0x5000, K4, PT_PROT_R, 0);
		for (unsigned level = 0; level < 4; level++) {
			uint64_t va = m + (1ull << pt_level_shift(level));
			struct pt_walk_result w = xlate(&r, va, PT_ACC_READ);
			assert_fault(&w, PT_FAULT_NOT_PRESENT, 1, level, va, level + 1);
		}
		rig_fini(&r);
	}
}

/* APM vol. 2 15.25.6 / SDM vol. 3C 29.3.3 / Arm ARM D8 (S1PTW): stage 2 faults
 * on a guest table fetch and on the final GPA, with the GPA and level. */
static void test_nested_not_present(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_ARM_S1, PT_FMT_ARM_S2, K4);
	gmap(&r, 0x1000, 0x180000, K4, PT_PROT_R, 0); /* its stage 2 table exists, the entry not */
	struct pt_walk_result w = xlate(&r, 0x1010, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_NOT_PRESENT, 2, 3, 0x180010, 24);
	assert_false(w.s1ptw);
	assert_int_equal(w.gpa, 0x180010);
	r.cfg.s1.root = 0x900000; /* a guest root stage 2 does not map (PD index 4) */
	w = xlate(&r, 0x1010, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_NOT_PRESENT, 2, 2, 0x900000, 3);
	assert_true(w.s1ptw);
	rig_fini(&r);
}

/* SDM vol. 3A 4.6.1 (R/W, U/S, CR0.WP, XD) and 4.7: permission faults. */
static void test_x86_perm(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	gmap(&r, 0x1000, 0x11000, K4, PT_PROT_R | PT_PROT_USER | PT_PROT_X, 0); /* user RO */
	gmap(&r, 0x2000, 0x12000, K4, PT_PROT_R | PT_PROT_W, 0);                /* supervisor */
	struct pt_walk_result w = xlate(&r, 0x1000, PT_ACC_WRITE | PT_ACC_USER);
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x1000, 4);
	w = xlate(&r, 0x1000, PT_ACC_WRITE); /* supervisor, CR0.WP = 1 */
	assert_int_equal(w.fault, PT_FAULT_PERM);
	assert_int_equal(xlate(&r, 0x1000, PT_ACC_EXEC | PT_ACC_USER).fault, PT_OK);
	r.cfg.s1.wp = false;
	assert_int_equal(xlate(&r, 0x1000, PT_ACC_WRITE).fault, PT_OK);
	w = xlate(&r, 0x2008, PT_ACC_READ | PT_ACC_USER);
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x2008, 4);
	w = xlate(&r, 0x2000, PT_ACC_EXEC); /* XD = 1 */
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x2000, 4);
	r.cfg.s1.nxe = false; /* now XD is a reserved bit */
	w = xlate(&r, 0x2000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_RSVD, 1, 3, 0x2000, 4);
	rig_fini(&r);
}

/* Arm ARM D8 stage 1 permissions: AP[2:1], UXN / PXN, implicit PXN for
 * EL0-writable, APTable / XNTable limits. */
static void test_arm_perm(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_ARM_S1, -1, 0);
	gmap(&r, 0x1000, 0x11000, K4, PT_PROT_R | PT_PROT_USER | PT_PROT_X, 0);
	gmap(&r, 0x2000, 0x12000, K4, PT_PROT_R | PT_PROT_W, 0);
	assert_int_equal(xlate(&r, 0x1000, PT_ACC_EXEC | PT_ACC_USER).fault, PT_OK);
	struct pt_walk_result w = xlate(&r, 0x1000, PT_ACC_EXEC); /* PXN */
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x1000, 4);
	w = xlate(&r, 0x1000, PT_ACC_WRITE | PT_ACC_USER); /* AP[2] = 1 */
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x1000, 4);
	w = xlate(&r, 0x2000, PT_ACC_READ | PT_ACC_USER); /* AP[1] = 0 */
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x2000, 4);
	assert_int_equal(xlate(&r, 0x2000, PT_ACC_WRITE).fault, PT_OK);

	const struct pt_stage *st = &r.cfg.s1;
	/* valid page, AF, AP = 01 (EL0 RW), UXN = PXN = 0: still not EL1-executable */
	struct pt_desc d = pt_arm_s1_ops.decode(st, 3, 0x5000 | 0x3 | 1 << 10 | 1 << 6);
	assert_int_equal(d.perms, PT_PERM_ALL & ~PT_PERM_SX);
	/* table with APTable = 0b11, UXNTable, PXNTable: only EL1 read is left */
	d = pt_arm_s1_ops.decode(st, 1, 0x6000 | 0x3 | 0xfull << 59);
	assert_int_equal(d.kind, PT_DESC_TABLE);
	assert_int_equal(d.perms, PT_PERM_SR);
	rig_fini(&r);
}

/* Stage 2 rights: Arm S2AP (D8), EPT R/W/X (SDM vol. 3C 29.3.3.2), and NPT
 * accesses as user accesses, guest-table fetches as writes (APM vol. 2 15.25). */
static void test_stage2_perm(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_ARM_S1, PT_FMT_ARM_S2, K4);
	gmap(&r, 0x1000, 0x300000, K4, PT_PROT_R | PT_PROT_W, 0);
	assert_int_equal(pt_map(&r.hb, r.cfg.s2.root, 0x300000, 0x300000 + GOFF, K4, PT_PROT_R, 0), 0);
	struct pt_walk_result w = xlate(&r, 0x1004, PT_ACC_WRITE);
	assert_fault(&w, PT_FAULT_PERM, 2, 3, 0x300004, 24);
	assert_false(w.s1ptw);
	w = xlate(&r, 0x1004, PT_ACC_EXEC); /* stage 1 PXN decides first */
	assert_fault(&w, PT_FAULT_PERM, 1, 3, 0x1004, 20);
	rig_fini(&r);

	for (int s2 = PT_FMT_X86; s2 <= PT_FMT_EPT; s2++) {
		rig_init(&r, PT_FMT_X86, s2, K4);
		gmap(&r, 0x1000, 0x300000, K4, PT_PROT_R, 0);
		map_gpa(&r, 0x300000, K4);
		/* the guest root page, read-only (and executable) in stage 2 */
		assert_int_equal(pt_map(&r.hb, r.cfg.s2.root, GTAB, GTAB + GOFF, K4,
					PT_PROT_R | PT_PROT_X | PT_PROT_USER, 0), 0);
		w = xlate(&r, 0x1000, PT_ACC_READ);
		if (s2 == PT_FMT_X86) {
			assert_fault(&w, PT_FAULT_PERM, 2, 3, GTAB, 4);
			assert_true(w.s1ptw);
		} else {
			assert_int_equal(w.fault, PT_OK);
			assert_int_equal(w.refs, 24);
		}
		/* an NPT leaf without U/S stops even a guest supervisor access */
		map_gpa(&r, GTAB, K4);
		assert_int_equal(pt_map(&r.hb, r.cfg.s2.root, 0x300000, 0x300000 + GOFF, K4,
					PT_PROT_R | PT_PROT_W | PT_PROT_X, 0), 0);
		w = xlate(&r, 0x1000, PT_ACC_READ);
		if (s2 == PT_FMT_X86)
			assert_fault(&w, PT_FAULT_PERM, 2, 3, 0x300000, 24);
		else
			assert_int_equal(w.fault, PT_OK);
		rig_fini(&r);
	}
}

/* APM vol. 2 15.34.6 (C-bit in guest PTEs, stripped from the GPA) and 5.4
 * (bits above MAXPHYADDR reserved); guest tables are read as stage 1. */
static void test_sev_cbit(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, PT_FMT_X86, K4);
	r.cfg.s1.cbit = 51;
	gmap(&r, 0x1000, 0x300000, K4, PT_PROT_R | PT_PROT_W, PT_MAP_CBIT);
	gmap(&r, 0x2000, 0x301000, K4, PT_PROT_R | PT_PROT_W, 0);
	map_gpa(&r, 0x300000, K4);
	map_gpa(&r, 0x301000, K4);
	assert_int_equal((mem_get(&r.f, slot_of(&r, 0x1000, 3)) >> 51) & 1, 1);
	struct pt_walk_result w = xlate(&r, 0x1abc, PT_ACC_READ);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.gpa, 0x300abc);
	assert_int_equal(w.pa, 0x300abc + GOFF);
	assert_int_equal(w.attrs, PT_ATTR_CBIT);
	assert_true(pt_result_private(&r.cfg, &w));
	w = xlate(&r, 0x2abc, PT_ACC_READ);
	assert_int_equal(w.attrs, 0);
	assert_false(pt_result_private(&r.cfg, &w));
	uint64_t slot = slot_of(&r, 0x1000, 3);
	mem_set(&r.f, slot, mem_get(&r.f, slot) | 1ull << 49); /* above MAXPHYADDR 48 */
	w = xlate(&r, 0x1abc, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_RSVD, 1, 3, 0x1abc, 20);
	rig_fini(&r);
}

/* TDX GPA.SHARED selects the shared EPT (Intel TDX module spec, private vs
 * shared GPA); CCA's top IPA bit uses the same RTT, whose NS bit sends the
 * access to the NS PAS (Arm ARM D8 with FEAT_RME; RMM spec DEN0137). */
static void test_shared_bit(void **state)
{
	(void)state;
	const uint64_t sh = 1ull << 47;
	struct rig r;
	rig_init(&r, PT_FMT_X86, PT_FMT_EPT, K4);
	r.cfg.shared_bit = 47;
	assert_int_equal(sp_alloc(&r.hs, &r.cfg.s2_shared_root), 0);
	gmap(&r, 0x1000, 0x300000, K4, PT_PROT_R, 0);
	gmap(&r, 0x2000, sh | 0x300000, K4, PT_PROT_R, 0);
	map_gpa(&r, 0x300000, K4);
	assert_int_equal(pt_map(&r.hb, r.cfg.s2_shared_root, sh | 0x300000, 0x7000000, K4,
				PT_PROT_R | PT_PROT_W, 0), 0);
	struct pt_walk_result w = xlate(&r, 0x1008, PT_ACC_READ);
	assert_int_equal(w.pa, 0x300008 + GOFF);
	assert_true(pt_result_private(&r.cfg, &w));
	w = xlate(&r, 0x2008, PT_ACC_READ);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.gpa, sh | 0x300008);
	assert_int_equal(w.pa, 0x7000008);
	assert_int_equal(w.attrs, PT_ATTR_SHARED);
	assert_false(pt_result_private(&r.cfg, &w));
	assert_int_equal(w.refs, 24);
	rig_fini(&r);

	rig_init(&r, PT_FMT_ARM_S1, PT_FMT_ARM_S2, K4);
	r.cfg.shared_bit = 47;
	r.cfg.s2.realm = true;
	gmap(&r, 0x2000, sh | 0x300000, K4, PT_PROT_R, 0);
	assert_int_equal(pt_map(&r.hb, r.cfg.s2.root, sh | 0x300000, 0x7000000, K4, PT_PROT_R,
				PT_MAP_NS), 0);
	w = xlate(&r, 0x2008, PT_ACC_READ);
	assert_int_equal(w.pa, 0x7000008);
	assert_int_equal(w.attrs, PT_ATTR_SHARED | PT_ATTR_NS);
	assert_false(pt_result_private(&r.cfg, &w));
	rig_fini(&r);
}

/* SDM vol. 3A 4.5 Tables 4-15 / 4-17 and 4.7 (RSVD); SDM vol. 3C 29.3.3.1 (EPT
 * misconfiguration); Arm ARM D8 (Address size fault; Access flag fault). */
static void test_reserved(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	gmap(&r, 0x40000000, 0x80000000, M2, PT_PROT_R, 0);
	uint64_t pde = slot_of(&r, 0x40000000, 2), pml4e = slot_of(&r, 0x40000000, 0);
	mem_set(&r.f, pde, mem_get(&r.f, pde) | 1ull << 13); /* 2 MB PDE bits 20:13 */
	struct pt_walk_result w = xlate(&r, 0x40000000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_RSVD, 1, 2, 0x40000000, 3);
	mem_set(&r.f, pml4e, mem_get(&r.f, pml4e) | 1ull << 7); /* PS in a PML4E */
	w = xlate(&r, 0x40000000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_RSVD, 1, 0, 0x40000000, 1);
	rig_fini(&r);

	const struct pt_stage ept = { .fmt = PT_FMT_EPT, .pa_bits = 46 };
	assert_int_equal(pt_ept_ops.decode(&ept, 3, 0x5000 | 0x2).fault, PT_FAULT_RSVD); /* W only */
	assert_int_equal(pt_ept_ops.decode(&ept, 3, 0x5000 | 0x4).fault, PT_OK); /* X only */
	assert_int_equal(pt_ept_ops.decode(&ept, 0, 0x5000 | 0x7 | 1 << 3).fault, PT_FAULT_RSVD);
	assert_int_equal(pt_ept_ops.decode(&ept, 3, 1ull << 46 | 0x7).fault, PT_FAULT_RSVD);
	assert_int_equal(pt_ept_ops.decode(&ept, 3, 0x5000).kind, PT_DESC_INVALID);

	rig_init(&r, PT_FMT_ARM_S1, -1, 0);
	r.cfg.s1.pa_bits = 40;
	gmap(&r, 0x1000, 0x11000, K4, PT_PROT_R, 0);
	gmap(&r, 0x2000, 0x12000, K4, PT_PROT_R, PT_MAP_NO_AF);
	uint64_t pte = slot_of(&r, 0x1000, 3);
	mem_set(&r.f, pte, mem_get(&r.f, pte) | 1ull << 44);
	w = xlate(&r, 0x1000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_ADDR_SIZE, 1, 3, 0x1000, 4);
	w = xlate(&r, 0x2000, PT_ACC_WRITE); /* AF outranks the permission fault */
	assert_fault(&w, PT_FAULT_ACCESS_FLAG, 1, 3, 0x2000, 4);
	rig_fini(&r);
}

/* SDM vol. 1 3.3.7.1 (canonical addresses) and a failed table fetch
 * (external abort on the walk, Arm ARM D8 / SDM machine check path). */
static void test_canonical_and_abort(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	gmap(&r, 0x1000, 0x11000, K4, PT_PROT_R, 0);
	struct pt_walk_result w = xlate(&r, 0x0000800000000000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_CANONICAL, 1, 0, 0x0000800000000000, 0);
	r.f.fail_pa = slot_of(&r, 0x1000, 2);
	w = xlate(&r, 0x1000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_EXT_ABORT, 1, 2, 0x1000, 3);
	assert_int_equal(w.err, -EIO);
	rig_fini(&r);

	rig_init(&r, PT_FMT_ARM_S1, -1, 0);
	uint64_t hi;
	assert_int_equal(sp_alloc(&r.gs, &hi), 0);
	r.cfg.s1.root_hi = hi; /* TTBR1 */
	assert_int_equal(pt_map(&r.gb, hi, 0xffffff8000001000 & ((1ull << 48) - 1), 0x22000, K4,
				PT_PROT_R, 0), 0);
	w = xlate(&r, 0xffffff8000001010, PT_ACC_READ);
	assert_int_equal(w.fault, PT_OK);
	assert_int_equal(w.pa, 0x22010);
	w = xlate(&r, 0x00ff000000001000, PT_ACC_READ); /* neither TTBR0 nor TTBR1 */
	assert_fault(&w, PT_FAULT_NOT_PRESENT, 1, 0, 0x00ff000000001000, 0);
	rig_fini(&r);
}

/* The builders: alignment, sizes, blocks in the way, unrepresentable rights,
 * unmap. */
static void test_builders(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, PT_FMT_X86, -1, 0);
	uint64_t root = r.cfg.s1.root;
	gmap(&r, 0x200000, 0x400000, M2, PT_PROT_R, 0);
	assert_int_equal(pt_map(&r.gb, root, 0x201000, 0x5000, K4, PT_PROT_R, 0), -EEXIST);
	assert_int_equal(pt_map(&r.gb, root, 0x1000, 0x5800, K4, PT_PROT_R, 0), -EINVAL);
	assert_int_equal(pt_map(&r.gb, root, 0x2000, 0x6000, 0x2000, PT_PROT_R, 0), -EINVAL);
	assert_int_equal(pt_map(&r.gb, root, 0x2000, 0x6000, K4, PT_PROT_W, 0), -EINVAL);
	assert_int_equal(pt_map(&r.gb, root, 0x2000, 0x6000, K4, PT_PROT_R, PT_MAP_CBIT), -EINVAL);
	gmap(&r, 0x1000, 0x5000, K4, PT_PROT_R, 0);
	assert_int_equal(pt_map(&r.gb, root, 0, 0x600000, M2, PT_PROT_R, 0), -EEXIST);
	gmap(&r, 0x1000, 0x7000, K4, PT_PROT_R, 0); /* replace */
	assert_int_equal(xlate(&r, 0x1000, PT_ACC_READ).pa, 0x7000);
	assert_int_equal(pt_unmap(&r.gb, root, 0x201000, K4), -EEXIST);
	assert_int_equal(pt_unmap(&r.gb, root, 0x1000, K4), 0);
	struct pt_walk_result w = xlate(&r, 0x1000, PT_ACC_READ);
	assert_fault(&w, PT_FAULT_NOT_PRESENT, 1, 3, 0x1000, 4);
	assert_int_equal(pt_unmap(&r.gb, root, 0x1000, K4), -ENOENT);
	assert_int_equal(pt_unmap(&r.gb, root, 0x8000000000, K4), -ENOENT);
	rig_fini(&r);

	const struct pt_stage ept = { .fmt = PT_FMT_EPT, .pa_bits = 48 };
	const struct pt_stage s2 = { .fmt = PT_FMT_ARM_S2, .pa_bits = 48 };
	uint64_t e;
	assert_int_equal(pt_ept_ops.encode_leaf(&ept, 3, 0x5000, PT_PROT_W, 0, &e), -EINVAL);
	assert_int_equal(pt_ept_ops.encode_leaf(&ept, 3, 0x5000, 0, 0, &e), -EINVAL);
	assert_int_equal(pt_arm_s2_ops.encode_leaf(&s2, 3, 0x5000, PT_PROT_R, PT_MAP_NS, &e), -EINVAL);
	assert_int_equal(pt_ept_ops.encode_leaf(&ept, 2, 0x200000, PT_PROT_R | PT_PROT_X, 0, &e), 0);
	assert_int_equal(e, 0x200000 | 0x80 | 0x30 | 0x5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_4k),
		cmocka_unit_test(test_x86_large),
		cmocka_unit_test(test_nested_24),
		cmocka_unit_test(test_nested_2m),
		cmocka_unit_test(test_not_present_levels),
		cmocka_unit_test(test_nested_not_present),
		cmocka_unit_test(test_x86_perm),
		cmocka_unit_test(test_arm_perm),
		cmocka_unit_test(test_stage2_perm),
		cmocka_unit_test(test_sev_cbit),
		cmocka_unit_test(test_shared_bit),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_canonical_and_abort),
		cmocka_unit_test(test_builders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
