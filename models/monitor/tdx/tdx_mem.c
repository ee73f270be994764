/* The host's Secure EPT leaves: TDH.MEM.SEPT.ADD / REMOVE, PAGE.ADD (with
 * MRTD), PAGE.AUG, RANGE.BLOCK / UNBLOCK, TRACK and PAGE.REMOVE. The entry
 * state machine and PAMT transitions are models/mmu/sept.c's; this file
 * checks the TD operand, moves page contents and keeps the TDR's child
 * count and the TD epoch. Intel TDX Module v1.5 ABI Specification;
 * api_calls/tdh_mem_*.c of the open-source module. */
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"

/* The front every leaf here shares: RCX = page info (GPA in bits 51:12,
 * level in bits 2:0, bits 11:3 reserved), RDX = TDR whose key is
 * configured and whose TDCS is initialised. */
struct mem_call {
	struct tdx_tdr d;
	struct tdx_tdcs c;
	struct tdx_sept_ctx x;
	uint64_t tdr, gpa;
	unsigned level;
};

static uint64_t mem_front(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], bool page_info,
			  struct mem_call *mc, uint64_t *cycles)
{
	uint64_t tdr = page_info ? regs[TDX_RDX] : regs[TDX_RCX];
	uint64_t op = page_info ? TDX_OPERAND_ID_RDX : TDX_OPERAND_ID_RCX;
	uint64_t st = tdx_tdr_get(t, lp, tdr, op, &mc->d, cycles);
	if (st)
		return st;
	if (mc->d.lifecycle != TD_KEYS_CONFIGURED)
		return mc->d.lifecycle == TD_HKID_ASSIGNED ? TDX_TD_KEYS_NOT_CONFIGURED
							   : TDX_LIFECYCLE_STATE_INCORRECT;
	if (mc->d.num_tdcx < TDX_TDCS_PAGES)
		return TDX_TDCS_NOT_ALLOCATED;
	tdx_tdcs_load(t, lp, &mc->d, &mc->c, cycles);
	if (mc->c.op_state == OP_STATE_UNINITIALIZED)
		return TDX_OP_STATE_INCORRECT;
	mc->tdr = tdr;
	if (page_info) {
		if (regs[TDX_RCX] & 0xff8ull)
			return TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		mc->gpa = regs[TDX_RCX] & ~0xfffull;
		mc->level = (unsigned)(regs[TDX_RCX] & 7);
	}
	tdx_sept_ctx(t, lp, tdr, &mc->d, &mc->c, cycles, &mc->x);
	return TDX_SUCCESS;
}

/* A SEPT leaf's result: on failure with the entry, RCX = the SEPT entry
 * and RDX its level (set_arch_septe_details_in_vmm_regs). */
static void sept_done(uint64_t regs[TDX_NREGS], uint64_t st, const struct sept_op *op)
{
	regs[TDX_RAX] = st;
	if (st && (tdx_status_class(st) == TDX_EPT_WALK_FAILED ||
		   tdx_status_class(st) == TDX_EPT_ENTRY_STATE_INCORRECT ||
		   tdx_status_class(st) == TDX_GPA_RANGE_ALREADY_BLOCKED)) {
		regs[TDX_RCX] = op->entry;
		regs[TDX_RDX] = op->level;
	}
}

static void child_count(struct tdx *t, unsigned lp, struct mem_call *mc, int delta,
			uint64_t *cycles)
{
	mc->d.chldcnt += (uint64_t)(int64_t)delta;
	tdx_tdr_store(t, lp, mc->tdr, &mc->d, cycles);
}

/* TDH.MEM.SEPT.ADD(RCX = GPA | level, RDX = TDR, R8 = new table page)
 * (tdh_mem_sept_add.c): a FREE entry at level 1.. becomes a table. */
TDX_HANDLER(tdh_mem_sept_add)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st)
		st = tdx_hpa_check(t, regs[TDX_R8], TDX_OPERAND_ID_R8);
	if (!st)
		st = sept_add_table(&mc.x.env, mc.gpa, mc.level, regs[TDX_R8], &op);
	if (!st && !t->fault)
		child_count(t, lp, &mc, 1, cycles);
	sept_done(regs, st, &op);
}

/* TDH.MEM.PAGE.ADD(RCX = GPA | 0, RDX = TDR, R8 = page, R9 = source)
 * (tdh_mem_page_add.c): while the TD is built, copy a host page (shared,
 * 4 KB aligned) into a new private page with direct writes under the HKID,
 * map it, and extend MRTD with "MEM.PAGE.ADD" and the GPA (not the
 * content: TDH.MR.EXTEND measures that). The page info's level must be 0
 * (verify_page_info_input(LVL_PT, LVL_PT)): a 4 KB page. */
TDX_HANDLER(tdh_mem_page_add)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint8_t src[TDX_PAGE];
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st && mc.c.op_state != OP_STATE_INITIALIZED)
		st = TDX_OP_STATE_INCORRECT;
	if (!st && mc.level != SEPT_LEVEL_4K)
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
	if (!st && (regs[TDX_R9] & (TDX_PAGE - 1) || tdx_keyid_is_private(t, tdx_pa_keyid(t, regs[TDX_R9])) ||
		    tdx_host_read(t, lp, tdx_pa_strip(t, regs[TDX_R9]), src, sizeof(src), cycles)))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9;
	if (!st)
		st = tdx_hpa_check(t, regs[TDX_R8], TDX_OPERAND_ID_R8);
	if (!st)
		st = sept_page_add(&mc.x.env, mc.gpa, regs[TDX_R8], &op);
	if (!st && !t->fault) {
		tdx_page_write_direct(t, lp, (unsigned)mc.d.hkid, regs[TDX_R8], src, cycles);
		tdx_mrtd_extend(&mc.c, "MEM.PAGE.ADD", mc.gpa, NULL, 0);
		tdx_tdcs_store(t, lp, &mc.d, &mc.c, cycles);
		child_count(t, lp, &mc, 1, cycles);
	}
	sept_done(regs, st, &op);
}

/* TDH.MEM.PAGE.AUG(RCX = GPA | level, RDX = TDR, R8 = page)
 * (tdh_mem_page_aug.c): a page added to a running TD, PENDING until the TD
 * accepts it (TDG.MEM.PAGE.ACCEPT zeroes it then). */
TDX_HANDLER(tdh_mem_page_aug)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st && mc.c.op_state != OP_STATE_RUNNABLE)
		st = TDX_OP_STATE_INCORRECT;
	if (!st)
		st = tdx_hpa_check(t, regs[TDX_R8], TDX_OPERAND_ID_R8);
	if (!st)
		st = sept_page_aug(&mc.x.env, mc.gpa, mc.level, regs[TDX_R8], &op);
	if (!st && !t->fault)
		child_count(t, lp, &mc, 1, cycles);
	sept_done(regs, st, &op);
}

/* TDH.MEM.RANGE.BLOCK(RCX = GPA | level, RDX = TDR) (tdh_mem_range_block.c):
 * no new translation of the range; the page's BEPOCH is the current
 * TD_EPOCH, which TDH.MEM.TRACK must move past before removal. */
TDX_HANDLER(tdh_mem_range_block)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st)
		st = sept_block(&mc.x.env, mc.gpa, mc.level, &op);
	sept_done(regs, st, &op);
}

/* TDH.MEM.RANGE.UNBLOCK(RCX = GPA | level, RDX = TDR)
 * (tdh_mem_range_unblock.c): back to mapped, once tracked. */
TDX_HANDLER(tdh_mem_range_unblock)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st && mc.c.op_state != OP_STATE_RUNNABLE)
		st = TDX_OP_STATE_INCORRECT;
	if (!st)
		st = sept_unblock(&mc.x.env, mc.gpa, mc.level, &op);
	sept_done(regs, st, &op);
}

/* TDH.MEM.TRACK(RCX = TDR) (tdh_mem_track.c): TD_EPOCH + 1. A vCPU still
 * running in the epoch before is counted in REFCOUNT; each vCPU's next TD
 * entry flushes the TD's translations from its LP. The model's vCPUs run
 * only inside TDH.VP.ENTER, so none is left counted between SEAMCALLs and
 * TDX_PREVIOUS_TLB_EPOCH_BUSY cannot happen. */
TDX_HANDLER(tdh_mem_track)
{
	struct mem_call mc;
	uint64_t st = mem_front(t, lp, regs, false, &mc, cycles);
	if (!st && mc.c.op_state != OP_STATE_RUNNABLE)
		st = TDX_OP_STATE_INCORRECT;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	mc.c.td_epoch++;
	tdx_tdcs_store(t, lp, &mc.d, &mc.c, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MEM.PAGE.REMOVE(RCX = GPA | level, RDX = TDR)
 * (tdh_mem_page_remove.c): in a running TD only a blocked and tracked
 * page (TDX_GPA_RANGE_NOT_BLOCKED, TDX_TLB_TRACKING_NOT_DONE); it returns
 * to PT_NDA with its content still in memory and caches under the HKID
 * (the host calls TDH.PHYMEM.PAGE.WBINVD before reuse). */
TDX_HANDLER(tdh_mem_page_remove)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st)
		st = sept_remove(&mc.x.env, mc.gpa, mc.level, &op);
	if (!st && !t->fault)
		child_count(t, lp, &mc, -1, cycles);
	sept_done(regs, st, &op);
}

/* TDH.MEM.SEPT.REMOVE(RCX = GPA | level, RDX = TDR)
 * (tdh_mem_sept_remove.c): a blocked, tracked, empty Secure EPT table page
 * back to PT_NDA. */
TDX_HANDLER(tdh_mem_sept_remove)
{
	struct mem_call mc;
	struct sept_op op = { 0 };
	uint64_t st = mem_front(t, lp, regs, true, &mc, cycles);
	if (!st)
		st = sept_remove_table(&mc.x.env, mc.gpa, mc.level, &op);
	if (!st && !t->fault)
		child_count(t, lp, &mc, -1, cycles);
	sept_done(regs, st, &op);
}
