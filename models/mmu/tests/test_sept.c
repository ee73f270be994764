/* Secure EPT (models/mmu/sept.c) against the TDX module ABI leaves
 * (TDH.MEM.SEPT.ADD, PAGE.ADD/AUG/REMOVE, RANGE.BLOCK/UNBLOCK,
 * TDG.MEM.PAGE.ACCEPT), the module's state encoding, and the SDM EPT walk.
 * Tables and PAMT live in a fake memory; entries are checked bit-exact. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/mmu/tlb.h"
#include "sim/sim.h"
#include <glib.h>

#include "models/mmu/sept.h"
#include "models/mmu/tests/fake_mem.h"

#define GB (1ull << 30)
#define MB2 (2ull << 20)
#define TDR 0x1000ull
#define ROOT 0x2000ull
#define TDR_B 0x3000ull
#define TABLES 0x100000ull  /* SEPT pages handed out in order from here */
#define PG1 0x800000ull
#define PG2 0x801000ull
#define HUGE 0x20000000ull  /* a 2 MB page */
#define G 0x12345000ull     /* a private GPA */
#define G2M 0x40000000ull   /* a 2 MB aligned private GPA */

#define MAPPED_PG1 0x80000000008000f7ull    /* SVE | PG1 | PS IPAT WB RWX */
#define PENDING_PG1 0x81000000008000f0ull   /* + TDP, no RWX */
#define BLOCKED_PG1 0x80800000008000f0ull   /* + TDB, no RWX */
#define PBLOCKED_PG1 0x81800000008000f0ull  /* + TDP TDB */
#define RCX(s) ((s) | TDX_OPERAND_ID_RCX)

struct t {
	struct fake_mem mem;
	uint64_t next; /* next SEPT page */
	struct pamt_config pcfg;
	struct pamt_io pio;
	struct sept_config cfg;
	struct sept_io io;
	struct sept_td td;
	struct sept_env env;
};

static uint64_t peek(struct t *t, uint64_t pa)
{
	return fake_mem_peek(&t->mem, pa);
}

static void poke(struct t *t, uint64_t pa, uint64_t val)
{
	fake_mem_poke(&t->mem, pa, val);
}

static int setup(void **state)
{
	struct t *t = g_new0(struct t, 1);
	fake_mem_init(&t->mem, -EIO);
	t->next = TABLES;
	t->pcfg = (struct pamt_config){ .base = 0, .size = GB, .pamt_1g = 4 * GB,
					.pamt_2m = 4 * GB + 0x1000, .pamt_4k = 4 * GB + 0x100000 };
	t->pio = (struct pamt_io){ fake_mem_read, fake_mem_write, &t->mem };
	t->io = (struct sept_io){ fake_mem_read, fake_mem_write, &t->mem };
	t->cfg = (struct sept_config){ .root = ROOT, .levels = 4, .pending_ve = true, .pa_bits = 52 };
	t->td = (struct sept_td){ .tdr = TDR, .op_state = SEPT_TD_BUILD, .td_epoch = 1 };
	t->env = (struct sept_env){ &t->cfg, &t->io, &t->pcfg, &t->pio, &t->td };
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, TDR, PAMT_4K, PAMT_PT_TDR, TDR), 0);
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, TDR_B, PAMT_4K, PAMT_PT_TDR, TDR_B), 0);
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, ROOT, PAMT_4K, PAMT_PT_TDCX, TDR), 0);
	assert_int_equal(sept_table_init(&t->io, ROOT), 0);
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

/* TDH.MEM.SEPT.ADD from the root down to the entry at `down_to`. */
static void tables(struct t *t, uint64_t gpa, unsigned down_to)
{
	for (unsigned l = t->cfg.levels - 1u; l >= down_to && l > 0; l--) {
		uint64_t st = sept_add_table(&t->env, gpa & ~(sept_level_size(l) - 1), l, t->next, NULL);
		if (st == TDX_SUCCESS)
			t->next += 0x1000;
		else
			assert_int_equal(st, RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	}
}

/* Where the level-`level` entry for gpa lives (the tables must exist). */
static uint64_t entry_pa(struct t *t, uint64_t gpa, unsigned level)
{
	uint64_t table = t->cfg.root;
	for (unsigned l = t->cfg.levels - 1u; l > level; l--)
		table = peek(t, table + 8ull * sept_index(gpa, l)) & SEPT_ADDR_MASK;
	return table + 8ull * sept_index(gpa, level);
}

static struct sept_result tr(struct t *t, uint64_t gpa, bool write)
{
	return sept_translate(&t->cfg, &t->io, gpa, write, false);
}

static uint64_t bepoch(struct t *t, uint64_t pa)
{
	struct pamt_entry e;
	assert_int_equal(pamt_get(&t->pcfg, &t->pio, pa, &e), 0);
	return e.bepoch;
}

/* TDH.MEM.SEPT.ADD x3 + TDH.MEM.PAGE.ADD, then the SDM 29.3.2 walk: a 4 KB
 * page costs exactly 4 table reads and maps GPA offset to HPA offset. */
static void test_build_and_translate_4k(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	assert_int_equal(t->next, TABLES + 0x3000);
	assert_int_equal(peek(t, ROOT), 0x8000000000000007ull | TABLES);
	assert_int_equal(sept_page_add(&t->env, G, PG1, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, MAPPED_PG1);
	assert_int_equal(op.state, SEPT_MAPPED);
	assert_int_equal(op.level, 0);
	struct sept_result r = tr(t, G + 0x123, false);
	assert_int_equal(r.fault, SEPT_OK);
	assert_int_equal(r.hpa, PG1 + 0x123);
	assert_int_equal(r.reads, 4);
	assert_int_equal(r.level, 0);
	assert_int_equal(r.rwx, 7);
	assert_int_equal(r.state, SEPT_MAPPED);
	assert_int_equal(tr(t, G, true).fault, SEPT_OK);
	assert_int_equal(sept_translate(&t->cfg, &t->io, G, false, true).fault, SEPT_OK);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, PG1, PAMT_PT_REG, TDR), 0);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, TABLES, PAMT_PT_EPT, TDR), 0);
	assert_int_equal(peek(t, TABLES + 0x2000 + 8), SEPT_FREE_VALUE); /* new table: all FREE */
}

/* TDH.MEM.SEPT.ADD failures: level and GPA operand, walk, entry state, and
 * the new page's PAMT (operand R8); nothing is consumed on failure. */
static void test_add_table_errors(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	uint64_t pd = G & ~(MB2 - 1);
	assert_int_equal(sept_add_table(&t->env, 0, 0, TABLES, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_add_table(&t->env, 0, 4, TABLES, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_add_table(&t->env, G, 1, TABLES, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_add_table(&t->env, 1ull << 47, 3, TABLES, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_add_table(&t->env, pd, 1, TABLES, &op), RCX(TDX_EPT_WALK_FAILED));
	assert_int_equal(op.level, 3);
	assert_int_equal(op.state, SEPT_FREE);
	assert_int_equal(op.entry, SEPT_FREE_VALUE);
	assert_int_equal(sept_add_table(&t->env, 0, 3, TABLES, NULL), TDX_SUCCESS);
	assert_int_equal(sept_add_table(&t->env, 0, 3, TABLES + 0x1000, &op),
			 RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(op.state, SEPT_NL_MAPPED);
	assert_int_equal(sept_add_table(&t->env, 0, 2, ROOT, NULL), TDX_PAGE_METADATA_INCORRECT | 8);
	assert_int_equal(sept_add_table(&t->env, 0, 2, 2 * GB, NULL), TDX_OPERAND_ADDR_RANGE_ERROR | 8);
	assert_int_equal(sept_add_table(&t->env, 0, 2, TABLES + 0x1800, NULL), TDX_OPERAND_INVALID | 8);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, TABLES + 0x1000, PAMT_PT_NDA, 0), 0);
}

/* TDH.MEM.PAGE.ADD failures: entry state, a page owned by another TD (single
 * owner), entry lock, TDR operand (RDX), and build time only. */
static void test_page_add_errors(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), TDX_SUCCESS);
	assert_int_equal(sept_page_add(&t->env, G, PG2, &op), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(op.state, SEPT_MAPPED);
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, PG2, PAMT_4K, PAMT_PT_REG, TDR_B), 0);
	assert_int_equal(sept_page_add(&t->env, G + 0x1000, PG2, NULL), TDX_PAGE_METADATA_INCORRECT | 8);
	assert_int_equal(sept_page_add(&t->env, G + 0x1000, PG1, NULL), TDX_PAGE_METADATA_INCORRECT | 8);
	assert_int_equal(sept_page_add(&t->env, G + 0x1000, TDR, NULL), TDX_PAGE_METADATA_INCORRECT | 8);
	assert_int_equal(tr(t, G + 0x1000, false).state, SEPT_FREE);
	uint64_t at = entry_pa(t, G + 0x2000, 0);
	poke(t, at, SEPT_FREE_VALUE | SEPT_TDEL);
	assert_int_equal(sept_page_add(&t->env, G + 0x2000, PG1 + 0x2000, NULL), RCX(TDX_OPERAND_BUSY));
	t->td.tdr = PG1 + 0x3000; /* not a TDR page */
	assert_int_equal(sept_page_add(&t->env, G + 0x3000, PG1 + 0x4000, NULL),
			 TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RDX);
	t->td.tdr = TDR;
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_page_add(&t->env, G + 0x3000, PG1 + 0x4000, NULL), TDX_OP_STATE_INCORRECT);
}

/* TDH.MEM.PAGE.AUG -> PENDING; a TD access gives #VE (td_ept_violation.c)
 * or, with SEPT_VE_DISABLE, a pending-page EPT violation; then
 * TDG.MEM.PAGE.ACCEPT -> MAPPED. */
static void test_aug_pending_accept(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_page_aug(&t->env, G, 0, PG1, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, PENDING_PG1);
	assert_int_equal(op.state, SEPT_PENDING);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VE);
	assert_int_equal(r.reads, 4);
	assert_int_equal(r.level, 0);
	assert_int_equal(r.rwx, 0);
	assert_int_equal(r.state, SEPT_PENDING);
	assert_false(r.pending);
	t->cfg.pending_ve = false;
	r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_true(r.pending);
	assert_int_equal(sept_accept(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, MAPPED_PG1);
	assert_int_equal(op.hpa, PG1);
	assert_int_equal(tr(t, G + 8, true).hpa, PG1 + 8);
	assert_int_equal(sept_accept(&t->env, G, 0, NULL), TDX_PAGE_ALREADY_ACCEPTED);
	assert_int_equal(sept_page_aug(&t->env, G, 0, PG2, NULL), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
}

/* TDG.MEM.PAGE.ACCEPT on what cannot be accepted: FREE or missing tables or
 * blocked -> EPT violation TD exit; a table where a 2 MB leaf was asked ->
 * TDX_PAGE_SIZE_MISMATCH | level; bad operand; locked entry. */
static void test_accept_failures(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_accept(&t->env, G, 0, &op), TDX_SIM_TD_EXIT_EPT_VIOLATION);
	assert_int_equal(op.state, SEPT_FREE);
	assert_int_equal(sept_accept(&t->env, G + MB2, 0, &op), TDX_SIM_TD_EXIT_EPT_VIOLATION);
	assert_int_equal(op.level, 1);
	assert_int_equal(sept_accept(&t->env, G & ~(MB2 - 1), 1, NULL), TDX_PAGE_SIZE_MISMATCH | 1);
	assert_int_equal(sept_accept(&t->env, G | 1ull << 47, 0, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_accept(&t->env, 0, 2, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_accept(&t->env, G + 0x800, 0, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(sept_page_aug(&t->env, G, 0, PG1, NULL), 0);
	assert_int_equal(sept_block(&t->env, G, 0, NULL), 0);
	assert_int_equal(sept_accept(&t->env, G, 0, &op), TDX_SIM_TD_EXIT_EPT_VIOLATION);
	assert_int_equal(op.state, SEPT_PENDING_BLOCKED);
	assert_int_equal(sept_page_aug(&t->env, G + 0x1000, 0, PG2, NULL), 0);
	uint64_t at = entry_pa(t, G + 0x1000, 0);
	poke(t, at, peek(t, at) | SEPT_TDEL);
	assert_int_equal(sept_accept(&t->env, G + 0x1000, 0, NULL), RCX(TDX_OPERAND_BUSY));
}

/* TDH.MEM.PAGE.AUG at 2 MB: a PDE leaf, 3 table reads, a 2M PAMT entry;
 * 4 KB accepts inside it fail until the 2 MB accept. */
static void test_2m_mapping(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	struct pamt_entry p;
	tables(t, G2M, 2);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_page_aug(&t->env, G2M, 1, HUGE, NULL), TDX_SUCCESS);
	assert_int_equal(pamt_get(&t->pcfg, &t->pio, HUGE + 0x5000, &p), 0);
	assert_int_equal(p.level, PAMT_2M);
	assert_int_equal(p.owner, TDR);
	struct sept_result r = tr(t, G2M + 0x12345, false);
	assert_int_equal(r.fault, SEPT_FAULT_VE);
	assert_int_equal(r.reads, 3);
	assert_int_equal(r.level, 1);
	assert_int_equal(sept_accept(&t->env, G2M + 0x12000, 0, NULL), TDX_SIM_TD_EXIT_EPT_VIOLATION);
	assert_int_equal(sept_accept(&t->env, G2M, 1, &op), TDX_SUCCESS);
	assert_int_equal(op.hpa, HUGE);
	r = tr(t, G2M + 0x12345, true);
	assert_int_equal(r.fault, SEPT_OK);
	assert_int_equal(r.reads, 3);
	assert_int_equal(r.hpa, HUGE + 0x12345);
	assert_int_equal(sept_accept(&t->env, G2M + 0x12000, 0, NULL), TDX_PAGE_ALREADY_ACCEPTED | 1);
	assert_int_equal(sept_page_aug(&t->env, G2M + MB2, 1, HUGE + MB2 + 0x1000, NULL),
			 TDX_OPERAND_INVALID | 8);
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, HUGE + MB2 + 0x3000, PAMT_4K, PAMT_PT_REG, TDR_B), 0);
	assert_int_equal(sept_page_aug(&t->env, G2M + MB2, 1, HUGE + MB2, NULL), TDX_PAGE_METADATA_INCORRECT | 8);
}

/* TDH.MEM.RANGE.BLOCK / UNBLOCK with TLB tracking: BLOCKED stops the TD,
 * BEPOCH = TD_EPOCH, and unblocking waits until the epoch has moved on and no
 * vCPU is left in it. */
static void test_block_track_unblock(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	t->td.op_state = SEPT_TD_RUNNABLE;
	t->td.td_epoch = 5;
	assert_int_equal(sept_block(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, BLOCKED_PG1);
	assert_int_equal(op.state, SEPT_BLOCKED);
	assert_int_equal(bepoch(t, PG1), 5);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.state, SEPT_BLOCKED);
	assert_int_equal(r.reads, 4);
	assert_false(r.pending);
	assert_int_equal(sept_block(&t->env, G, 0, NULL), RCX(TDX_GPA_RANGE_ALREADY_BLOCKED));
	assert_int_equal(sept_unblock(&t->env, G, 0, NULL), RCX(TDX_TLB_TRACKING_NOT_DONE));
	t->td.td_epoch = 6;
	t->td.refcount[1] = 1; /* a vCPU still runs in epoch 5 */
	assert_int_equal(sept_unblock(&t->env, G, 0, NULL), RCX(TDX_TLB_TRACKING_NOT_DONE));
	t->td.refcount[1] = 0;
	assert_int_equal(sept_unblock(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, MAPPED_PG1);
	assert_int_equal(tr(t, G, true).fault, SEPT_OK);
	t->td.refcount[1] = 1;
	assert_true(sept_tlb_tracked(&t->td, 4)); /* two epochs back: done regardless */
}

/* TDH.MEM.PAGE.REMOVE in a RUNNABLE TD: only BLOCKED + tracked pages; the
 * entry goes FREE and the page PT_NDA, free for another TD. */
static void test_remove_lifecycle(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	t->td.op_state = SEPT_TD_RUNNABLE;
	/* the page's PAMT entry is locked before the blocked check */
	uint64_t q0 = pamt_entry_addr(&t->pcfg, PG1, PAMT_4K), v = peek(t, q0);
	poke(t, q0, v | 1u << 2);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), RCX(TDX_OPERAND_BUSY));
	poke(t, q0, v);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), RCX(TDX_GPA_RANGE_NOT_BLOCKED));
	assert_int_equal(sept_block(&t->env, G, 0, NULL), 0);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), RCX(TDX_TLB_TRACKING_NOT_DONE));
	t->td.td_epoch++; /* TDH.MEM.TRACK, all vCPUs kicked */
	assert_int_equal(sept_remove(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.hpa, PG1);
	assert_int_equal(op.entry, SEPT_FREE_VALUE);
	assert_int_equal(op.state, SEPT_FREE);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, PG1, PAMT_PT_NDA, 0), 0);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.state, SEPT_FREE);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(sept_block(&t->env, G, 0, NULL), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(sept_unblock(&t->env, G, 0, NULL), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(sept_remove(&t->env, G & ~(MB2 - 1), 1, NULL), RCX(TDX_EPT_ENTRY_STATE_INCORRECT));
	assert_int_equal(sept_remove(&t->env, 0, 3, NULL), RCX(TDX_OPERAND_INVALID));
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, PG1, PAMT_4K, PAMT_PT_REG, TDR_B), 0);
}

/* TDH.MEM.PAGE.REMOVE before TDH.MR.FINALIZE: no TLB tracking, a MAPPED
 * page goes straight to FREE. */
static void test_remove_during_build(void **state)
{
	struct t *t = *state;
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), TDX_SUCCESS);
	assert_int_equal(peek(t, entry_pa(t, G, 0)), SEPT_FREE_VALUE);
}

/* TDH.MEM.RANGE.BLOCK of a PENDING page: PENDING_BLOCKED is an EPT
 * violation even with #VE enabled; UNBLOCK brings back PENDING. */
static void test_pending_blocked(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	tables(t, G, 1);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_page_aug(&t->env, G, 0, PG1, NULL), 0);
	assert_int_equal(sept_block(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, PBLOCKED_PG1);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.state, SEPT_PENDING_BLOCKED);
	t->td.td_epoch++;
	assert_int_equal(sept_unblock(&t->env, G, 0, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, PENDING_PG1);
	assert_int_equal(tr(t, G, false).fault, SEPT_FAULT_VE);
	assert_int_equal(sept_block(&t->env, G, 0, NULL), 0);
	t->td.td_epoch++;
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), TDX_SUCCESS);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, PG1, PAMT_PT_NDA, 0), 0);
}

/* TDH.MEM.RANGE.BLOCK at level 1: NL_BLOCKED cuts off the 2 MB below it
 * (violation after 3 reads) and stamps BEPOCH on the child table. */
static void test_nonleaf_block(void **state)
{
	struct t *t = *state;
	struct sept_op op;
	const uint64_t pt = TABLES + 0x2000; /* the PT the PDE points at */
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_block(&t->env, G & ~(MB2 - 1), 1, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, 0x8080000000000000ull | pt);
	assert_int_equal(op.state, SEPT_NL_BLOCKED);
	assert_int_equal(bepoch(t, pt), 1);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.reads, 3);
	assert_int_equal(r.state, SEPT_NL_BLOCKED);
	assert_int_equal(sept_page_aug(&t->env, G + 0x1000, 0, PG2, &op), RCX(TDX_EPT_WALK_FAILED));
	assert_int_equal(op.level, 1);
	assert_int_equal(sept_unblock(&t->env, G & ~(MB2 - 1), 1, NULL), RCX(TDX_TLB_TRACKING_NOT_DONE));
	t->td.td_epoch++;
	assert_int_equal(sept_unblock(&t->env, G & ~(MB2 - 1), 1, &op), TDX_SUCCESS);
	assert_int_equal(op.entry, 0x8000000000000007ull | pt);
	assert_int_equal(tr(t, G, false).reads, 4);
}

/* SEPT state REMOVED (left by TD import): not mapped, and AUG may reuse it. */
static void test_removed_state(void **state)
{
	struct t *t = *state;
	tables(t, G, 1);
	poke(t, entry_pa(t, G, 0), SEPT_TDBW | SEPT_TDB | SEPT_SVE);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.state, SEPT_REMOVED);
	t->td.op_state = SEPT_TD_RUNNABLE;
	assert_int_equal(sept_page_aug(&t->env, G, 0, PG1, NULL), TDX_SUCCESS);
	assert_int_equal(tr(t, G, false).state, SEPT_PENDING);
}

/* SDM 29.3.3.1 misconfigurations (reserved bits, MT, W without R, address
 * beyond MAXPHYADDR) and 26.5.7.1 convertible violations (SVE clear). */
static void test_misconfig_and_convertible(void **state)
{
	struct t *t = *state;
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	uint64_t pde = entry_pa(t, G, 1), pte = entry_pa(t, G, 0), d = peek(t, pde);
	poke(t, pde, d | 0x8);
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_MISCONFIG);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.reads, 3);
	poke(t, pde, HUGE | 0x1000 | 0xf7 | SEPT_SVE); /* 2M leaf with bit 12 set */
	assert_int_equal(tr(t, G, false).fault, SEPT_FAULT_MISCONFIG);
	poke(t, pde, d);
	poke(t, pte, (MAPPED_PG1 & ~0x38ull) | 2 << 3);
	r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_MISCONFIG);
	assert_int_equal(r.reads, 4);
	poke(t, pte, MAPPED_PG1 & ~SEPT_R);
	assert_int_equal(tr(t, G, false).fault, SEPT_FAULT_MISCONFIG);
	t->cfg.pa_bits = 40;
	poke(t, pte, MAPPED_PG1 | 1ull << 45);
	assert_int_equal(tr(t, G, false).fault, SEPT_FAULT_MISCONFIG);
	t->cfg.pa_bits = 52;
	poke(t, pte, (MAPPED_PG1 & ~SEPT_RWX) | SEPT_X); /* execute-only */
	r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(r.rwx, 4);
	assert_int_equal(sept_translate(&t->cfg, &t->io, G, false, true).fault, SEPT_OK);
	poke(t, pte, SEPT_FREE_VALUE & ~SEPT_SVE);
	r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_VE);
	assert_int_equal(r.state, SEPT_FREE);
}

/* TDX base spec GPA.SHARED: bit 47 (GPAW 0) or 51 (GPAW 1); a shared GPA is
 * no Secure EPT operand, and GPA bits above the width fault as #PF(RSVD). */
static void test_shared_bit_and_width(void **state)
{
	struct t *t = *state;
	assert_true(sept_is_shared(&t->cfg, G | 1ull << 47));
	assert_false(sept_is_shared(&t->cfg, 1ull << 51));
	assert_int_equal(sept_shared_bit(&t->cfg), 47);
	struct sept_config wide = t->cfg;
	wide.gpaw = true;
	assert_false(sept_config_valid(&wide)); /* a 52-bit GPA needs 5 levels */
	wide.levels = 5;
	assert_true(sept_config_valid(&wide));
	assert_true(sept_is_shared(&wide, 1ull << 51));
	assert_false(sept_is_shared(&wide, G | 1ull << 47));
	struct sept_result r = tr(t, 1ull << 48, false);
	assert_int_equal(r.fault, SEPT_FAULT_GPA);
	assert_int_equal(r.reads, 0);
	tables(t, G, 1);
	assert_int_equal(sept_page_aug(&t->env, G | 1ull << 47, 0, PG1, NULL), RCX(TDX_OPERAND_INVALID));
}

/* 5-level Secure EPT (GPAW 1): one more table read per access. */
static void test_five_level(void **state)
{
	struct t *t = *state;
	const uint64_t root5 = 0x4000;
	assert_int_equal(pamt_assign(&t->pcfg, &t->pio, root5, PAMT_4K, PAMT_PT_TDCX, TDR), 0);
	assert_int_equal(sept_table_init(&t->io, root5), 0);
	t->cfg = (struct sept_config){ .root = root5, .levels = 5, .gpaw = true, .pa_bits = 52 };
	tables(t, G | 1ull << 50, 1);
	assert_int_equal(sept_page_add(&t->env, G | 1ull << 50, PG1, NULL), 0);
	struct sept_result r = tr(t, G | 1ull << 50, false);
	assert_int_equal(r.fault, SEPT_OK);
	assert_int_equal(r.reads, 5);
	assert_int_equal(r.hpa, PG1);
}

/* The module's SEPT state encoding (sept_state_lookup.h) and the ABI's
 * public state numbers; names used in traces. */
static void test_encodings_and_names(void **state)
{
	(void)state;
	assert_int_equal(sept_entry_state(SEPT_FREE_VALUE), SEPT_FREE);
	assert_int_equal(sept_entry_state(SEPT_TDBW | SEPT_TDB | SEPT_SVE), SEPT_REMOVED);
	assert_int_equal(sept_entry_state(0x8000000000001007ull), SEPT_NL_MAPPED);
	assert_int_equal(sept_entry_state(SEPT_TDB | 0x1000), SEPT_NL_BLOCKED);
	assert_int_equal(sept_entry_state(MAPPED_PG1 | SEPT_D), SEPT_MAPPED);
	assert_int_equal(sept_entry_state(BLOCKED_PG1), SEPT_BLOCKED);
	assert_int_equal(sept_entry_state(PENDING_PG1), SEPT_PENDING);
	assert_int_equal(sept_entry_state(PENDING_PG1 | SEPT_D), SEPT_STATE_BAD);
	assert_int_equal(sept_entry_state(PBLOCKED_PG1), SEPT_PENDING_BLOCKED);
	assert_int_equal(sept_entry_state(SEPT_TDP), SEPT_STATE_BAD);
	assert_int_equal(sept_state_public(SEPT_FREE), 0);
	assert_int_equal(sept_state_public(SEPT_BLOCKED), 1);
	assert_int_equal(sept_state_public(SEPT_PENDING), 2);
	assert_int_equal(sept_state_public(SEPT_PENDING_BLOCKED), 3);
	assert_int_equal(sept_state_public(SEPT_MAPPED), 4);
	assert_int_equal(sept_state_public(SEPT_REMOVED), 5);
	assert_int_equal(sept_state_public(SEPT_STATE_BAD), 0xff);
	assert_string_equal(sept_state_name(SEPT_PENDING_BLOCKED), "pending_blocked");
	assert_string_equal(sept_fault_name(SEPT_FAULT_VIOLATION), "sept.violation");
	assert_string_equal(sept_fault_name(SEPT_FAULT_VE), "sept.ve");
	assert_string_equal(sept_fault_name(SEPT_FAULT_MISCONFIG), "sept.misconfig");
}

/* A failed table read (poison) is a fault value, not a crash. */
static void test_io_error(void **state)
{
	struct t *t = *state;
	tables(t, G, 1);
	t->mem.fail_pa = ROOT;
	struct sept_result r = tr(t, G, false);
	assert_int_equal(r.fault, SEPT_FAULT_EABT);
	assert_int_equal(r.reads, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), TDX_SIM_IO_ERROR);
	assert_int_equal(pamt_check_owner(&t->pcfg, &t->pio, PG1, PAMT_PT_NDA, 0), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* TDH.MEM.RANGE.BLOCK then TDH.MEM.TRACK (TDX module base spec, "TLB
 * tracking"): blocking the Secure EPT entry does not reach a translation a
 * vCPU already cached; it keeps reaching the page until the vCPU leaves the
 * epoch and its TLB is flushed, which is why PAGE.REMOVE waits for tracking. */
static void test_stale_tlb_after_block(void **state)
{
	struct t *t = *state;
	struct sim s;
	struct tlb tlb;
	const struct tlb_config tc = { 16, 4, 1 };
	const struct tlb_tag tag = { .world = 1, .vmid = 7, .asid = 0 };
	sim_init(&s, 1, 1000000000);
	assert_int_equal(tlb_init(&tlb, &s, "tlb", &tc), 0);
	tables(t, G, 1);
	assert_int_equal(sept_page_add(&t->env, G, PG1, NULL), 0);
	t->td.op_state = SEPT_TD_RUNNABLE;
	t->td.td_epoch = 5;
	struct sept_result r = tr(t, G, true);
	assert_int_equal(r.fault, SEPT_OK);
	struct pt_walk_result w = { .va = G, .gpa = G, .pa = r.hpa, .page_shift = 12,
				    .perms = PT_PERM_ALL };
	tlb_fill(&tlb, &tag, &w, 1 /* SEPT verdict: MAPPED */);
	assert_int_equal(sept_block(&t->env, G, 0, NULL), TDX_SUCCESS);
	/* not yet tracked: the cached translation still reaches PG1 */
	const struct tlb_entry *e = tlb_lookup(&tlb, &tag, G, NULL);
	assert_non_null(e);
	assert_int_equal(tlb_entry_pa(e, G), PG1);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), RCX(TDX_TLB_TRACKING_NOT_DONE));
	/* TRACK + the vCPU's exit flush its TLB: the next access walks and faults */
	t->td.td_epoch = 6;
	assert_int_equal(tlb_inval_vmid(&tlb, 1, 7), 1);
	assert_null(tlb_lookup(&tlb, &tag, G, NULL));
	assert_int_equal(tr(t, G, false).fault, SEPT_FAULT_VIOLATION);
	assert_int_equal(sept_remove(&t->env, G, 0, NULL), TDX_SUCCESS);
	sim_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_build_and_translate_4k),
		T(test_add_table_errors),
		T(test_page_add_errors),
		T(test_aug_pending_accept),
		T(test_accept_failures),
		T(test_2m_mapping),
		T(test_block_track_unblock),
		T(test_stale_tlb_after_block),
		T(test_remove_lifecycle),
		T(test_remove_during_build),
		T(test_pending_blocked),
		T(test_nonleaf_block),
		T(test_removed_state),
		T(test_misconfig_and_convertible),
		T(test_shared_bit_and_width),
		T(test_five_level),
		T(test_encodings_and_names),
		T(test_io_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
