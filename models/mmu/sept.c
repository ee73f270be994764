/* Secure EPT: the TDX module's leaves that edit a TD's private GPA mapping,
 * and the check of one TD access against it. Leaf behaviour follows the TDX
 * module ABI and the open-source module (tdh_mem_*.c, tdg_mem_page_accept.c,
 * td_ept_violation.c, sept_manager.c); walk and reserved bits follow the
 * Intel SDM vol. 3, 29.3 (EPT). */
#include "models/mmu/sept.h"

#include <assert.h>
#include <stddef.h>

/* Leaf entries always carry WB memory type, IPAT and PS (the MAPPED state
 * bits) and SVE; the state adds TDP / TDB on top. */
#define LEAF_BASE (SEPT_MT_WB << SEPT_MT_SHIFT | SEPT_IPAT | SEPT_PS | SEPT_SVE)
#define ST_MAPPED (SEPT_IPAT | SEPT_PS)
#define ST_BLOCKED (SEPT_IPAT | SEPT_PS | SEPT_TDB)
#define ST_PENDING (SEPT_IPAT | SEPT_PS | SEPT_TDP)
#define ST_PENDING_BLOCKED (SEPT_IPAT | SEPT_PS | SEPT_TDP | SEPT_TDB)
#define ST_NL_MAPPED 0ull
#define ST_NL_BLOCKED SEPT_TDB

bool sept_config_valid(const struct sept_config *cfg)
{
	return (cfg->levels == 4 || cfg->levels == 5) && (!cfg->gpaw || cfg->levels == 5) &&
	       cfg->pa_bits >= 32 && cfg->pa_bits <= 52 && !(cfg->root & ~SEPT_ADDR_MASK);
}

/* The 7-bit state encoding: D | TDEX..TDP << 1 | IPAT, PS << 5 (the
 * module's SEPT_CONVERT_TO_ENCODING), mapped to states as in its
 * sept_state_lookup (1.5). Stored +1 so that 0 means "never written". */
static const uint8_t enc_state[128] = {
	[0x0e] = SEPT_FREE + 1, [0x0c] = SEPT_REMOVED + 1,
	[0x00] = SEPT_NL_MAPPED + 1, [0x08] = SEPT_NL_BLOCKED + 1,
	[0x60] = SEPT_MAPPED + 1, [0x61] = SEPT_MAPPED + 1,
	[0x68] = SEPT_BLOCKED + 1, [0x69] = SEPT_BLOCKED + 1,
	[0x64] = SEPT_BLOCKEDW + 1, [0x65] = SEPT_BLOCKEDW + 1,
	[0x66] = SEPT_EXPORTED_BLOCKEDW + 1, [0x63] = SEPT_EXPORTED_DIRTY + 1,
	[0x67] = SEPT_EXPORTED_DIRTY_BLOCKEDW + 1,
	[0x70] = SEPT_PENDING + 1, [0x78] = SEPT_PENDING_BLOCKED + 1,
	[0x74] = SEPT_PENDING_BLOCKEDW + 1, [0x76] = SEPT_PENDING_EXPORTED_BLOCKEDW + 1,
	[0x73] = SEPT_PENDING_EXPORTED_DIRTY + 1, [0x77] = SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW + 1,
};

enum sept_state sept_entry_state(uint64_t e)
{
	unsigned enc = (unsigned)((e >> 9) & 1) | (unsigned)((e >> 53) & 0xf) << 1 |
		       (unsigned)((e >> 6) & 3) << 5;
	return enc_state[enc] ? (enum sept_state)(enc_state[enc] - 1) : SEPT_STATE_BAD;
}

static bool any_blocked(enum sept_state s)
{
	return s == SEPT_NL_BLOCKED || s == SEPT_BLOCKED || s == SEPT_PENDING_BLOCKED;
}

/* MAPPED, BLOCKEDW and the EXPORTED ones: the TD can read the page. */
static bool guest_accessible_leaf(enum sept_state s)
{
	return s == SEPT_MAPPED || s == SEPT_BLOCKEDW || s == SEPT_EXPORTED_BLOCKEDW ||
	       s == SEPT_EXPORTED_DIRTY || s == SEPT_EXPORTED_DIRTY_BLOCKEDW;
}

/* PENDING pages the TD may still accept: the ones that #VE. */
static bool acceptable(enum sept_state s)
{
	return s == SEPT_PENDING || s == SEPT_PENDING_EXPORTED_DIRTY;
}

static uint64_t with_state(uint64_t e, uint64_t bits) { return (e & ~SEPT_STATE_MASK) | bits; }

static uint64_t io_write(const struct sept_io *io, uint64_t pa, uint64_t v)
{
	return io->write(io->ctx, pa, v) ? TDX_SIM_IO_ERROR : TDX_SUCCESS;
}

uint64_t sept_table_init(const struct sept_io *io, uint64_t hpa)
{
	assert(!(hpa & 0xfff));
	if (io->write_line) {
		uint8_t line[64];
		for (unsigned i = 0; i < 8; i++)
			for (unsigned b = 0; b < 8; b++)
				line[8 * i + b] = (uint8_t)(SEPT_FREE_VALUE >> (8 * b));
		for (unsigned off = 0; off < 4096; off += 64)
			if (io->write_line(io->ctx, hpa + off, line))
				return TDX_SIM_IO_ERROR;
		return TDX_SUCCESS;
	}
	for (unsigned i = 0; i < 512; i++) {
		uint64_t st = io_write(io, hpa + 8ull * i, SEPT_FREE_VALUE);
		if (st)
			return st;
	}
	return TDX_SUCCESS;
}

/* ---- the check of one TD access ---------------------------------------- */

/* SDM 29.3.3.1, for a present entry. Execute-only is taken as supported
 * (X without R is legal), as on every TDX-capable CPU. */
static bool misconfigured(const struct sept_config *cfg, uint64_t e, unsigned level, bool leaf)
{
	if ((e & SEPT_W) && !(e & SEPT_R))
		return true;
	if ((e & SEPT_ADDR_MASK) >> cfg->pa_bits) /* address beyond MAXPHYADDR */
		return true;
	if (!leaf) /* table pointer: bits 7:3 reserved (bit 7 too at PML4E/PML5E) */
		return (e & 0xf8) != 0;
	unsigned mt = (unsigned)(e >> SEPT_MT_SHIFT) & 7;
	if (mt == 2 || mt == 3 || mt == 7)
		return true;
	/* 2M / 1G leaf: address bits below the page size are reserved */
	return (e & SEPT_ADDR_MASK & (sept_level_size(level) - 1)) != 0;
}

static struct sept_result violation(const struct sept_config *cfg, struct sept_result r,
				    bool convertible_entry)
{
	r.state = sept_entry_state(r.entry);
	if (convertible_entry && !(r.entry & SEPT_SVE)) {
		/* SDM 26.5.7.1: a convertible EPT violation is a #VE from the CPU */
		r.fault = SEPT_FAULT_VE;
	} else if (acceptable(r.state)) {
		/* td_ept_violation.c: the module injects #VE(PENDING) unless
		 * SEPT_VE_DISABLE, then reports a pending-page EPT violation */
		r.fault = cfg->pending_ve ? SEPT_FAULT_VE : SEPT_FAULT_VIOLATION;
		r.pending = !cfg->pending_ve;
	} else {
		r.fault = SEPT_FAULT_VIOLATION;
	}
	return r;
}

struct sept_result sept_translate(const struct sept_config *cfg, const struct sept_io *io,
				  uint64_t gpa, bool write, bool exec)
{
	struct sept_result r = { .gpa = gpa, .state = SEPT_STATE_BAD, .rwx = SEPT_RWX };

	assert(sept_config_valid(cfg));
	assert(!sept_is_shared(cfg, gpa));
	assert(!(write && exec));
	if (gpa >> sept_gpa_width(cfg)) { /* td_ept_violation.c: morphed into #PF(RSVD) */
		r.fault = SEPT_FAULT_GPA;
		r.rwx = 0;
		return r;
	}
	uint64_t need = exec ? SEPT_X : write ? SEPT_W : SEPT_R;
	uint64_t table = cfg->root;
	for (int l = cfg->levels - 1; l >= 0; l--) {
		uint64_t e;
		r.level = (uint8_t)l;
		r.reads++;
		if (io->read(io->ctx, table + 8ull * sept_index(gpa, (unsigned)l), &e)) {
			r.fault = SEPT_FAULT_EABT;
			return r;
		}
		r.entry = e;
		r.rwx &= (uint8_t)(e & SEPT_RWX);
		if (!(e & SEPT_RWX)) /* not present: FREE, PENDING, BLOCKED, REMOVED... */
			return violation(cfg, r, true);
		bool leaf = l == 0 || (l <= 2 && (e & SEPT_PS));
		if (misconfigured(cfg, e, (unsigned)l, leaf)) {
			r.fault = SEPT_FAULT_MISCONFIG;
			r.state = sept_entry_state(e);
			return r;
		}
		if (!leaf) {
			table = e & SEPT_ADDR_MASK;
			continue;
		}
		if (!(r.rwx & need)) /* permissions accumulate over the walk */
			return violation(cfg, r, true);
		uint64_t size = sept_level_size((unsigned)l);
		r.state = sept_entry_state(e);
		r.hpa = (e & SEPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
		return r;
	}
	assert(0); /* level 0 is always a leaf */
	return r;
}

/* ---- the module's leaves ----------------------------------------------- */

/* The module's secure_ept_walk: stop at `target`, or earlier at a
 * non-present entry or a leaf (then the leaf fails with EPT_WALK_FAILED). */
static uint64_t walk(const struct sept_env *e, uint64_t gpa, unsigned target, uint64_t *at,
		     struct sept_op *op)
{
	uint64_t table = e->cfg->root;
	for (unsigned l = e->cfg->levels - 1u;; l--) {
		*at = table + 8ull * sept_index(gpa, l);
		if (e->io->read(e->io->ctx, *at, &op->entry))
			return TDX_SIM_IO_ERROR;
		op->level = (uint8_t)l;
		op->state = sept_entry_state(op->entry);
		if (l == target)
			return TDX_SUCCESS;
		if (!(op->entry & SEPT_RWX) || (op->entry & SEPT_PS))
			return TDX_EPT_WALK_FAILED;
		table = op->entry & SEPT_ADDR_MASK;
	}
}

/* check_gpa_validity(PRIVATE_ONLY) and verify_page_info_input. */
static bool gpa_ok(const struct sept_config *cfg, uint64_t gpa, unsigned level, unsigned min,
		   unsigned max)
{
	return level >= min && level <= max && !sept_is_shared(cfg, gpa) &&
	       !(gpa >> sept_gpa_width(cfg)) && !(gpa & (sept_level_size(level) - 1));
}

/* check_lock_and_map_explicit_tdr: the TDR operand must be a PT_TDR page. */
static uint64_t check_tdr(const struct sept_env *e)
{
	struct pamt_entry p;
	uint64_t st = (e->td->tdr & 0xfff) ? TDX_OPERAND_INVALID
					   : pamt_get(e->pamt, e->pamt_io, e->td->tdr, &p);
	if (!st && (p.lock & PAMT_LOCK_EXCLUSIVE))
		st = TDX_OPERAND_BUSY;
	if (!st && p.type != PAMT_PT_TDR)
		st = TDX_PAGE_METADATA_INCORRECT;
	return tdx_status_operand(st, TDX_OPERAND_ID_RDX);
}

/* What every host-side leaf checks before looking at the entry's state:
 * TDR, op state, GPA and level, walk, entry lock. */
static uint64_t host_front(const struct sept_env *e, uint64_t gpa, unsigned level, unsigned min,
			   unsigned max, bool build_only, uint64_t *at, struct sept_op *op)
{
	assert(sept_config_valid(e->cfg) && pamt_config_valid(e->pamt));
	uint64_t st = check_tdr(e);
	if (st)
		return st;
	if (build_only && e->td->op_state != SEPT_TD_BUILD)
		return TDX_OP_STATE_INCORRECT;
	if (!gpa_ok(e->cfg, gpa, level, min, max))
		return TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
	if ((st = walk(e, gpa, level, at, op)))
		return tdx_status_operand(st, TDX_OPERAND_ID_RCX);
	if (op->entry & SEPT_TDEL) /* sept_lock_acquire_host */
		return TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX;
	return TDX_SUCCESS;
}

static uint64_t finish(struct sept_op *out, const struct sept_op *op, uint64_t st)
{
	if (out)
		*out = *op;
	return st;
}

/* Write the new entry and report it. */
static uint64_t commit(const struct sept_env *e, uint64_t at, uint64_t entry, struct sept_op *op)
{
	op->entry = entry;
	op->state = sept_entry_state(entry);
	return io_write(e->io, at, entry);
}

#define STATE_INCORRECT (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX)

uint64_t sept_add_table(const struct sept_env *e, uint64_t gpa, unsigned level, uint64_t table_hpa,
			struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 1, e->cfg->levels - 1u, false, &at, &op);
	if (!st && op.state != SEPT_FREE)
		st = STATE_INCORRECT;
	if (!st)
		st = tdx_status_operand(pamt_assign(e->pamt, e->pamt_io, table_hpa, PAMT_4K,
						    PAMT_PT_EPT, e->td->tdr), TDX_OPERAND_ID_R8);
	if (!st)
		st = sept_table_init(e->io, table_hpa);
	if (!st) {
		op.hpa = table_hpa;
		st = commit(e, at, SEPT_RWX | table_hpa | SEPT_SVE | ST_NL_MAPPED, &op);
	}
	return finish(out, &op, st);
}

uint64_t sept_page_add(const struct sept_env *e, uint64_t gpa, uint64_t hpa, struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, SEPT_LEVEL_4K, 0, 0, true, &at, &op);
	if (!st && op.state != SEPT_FREE)
		st = STATE_INCORRECT;
	if (!st)
		st = tdx_status_operand(pamt_assign(e->pamt, e->pamt_io, hpa, PAMT_4K, PAMT_PT_REG,
						    e->td->tdr), TDX_OPERAND_ID_R8);
	if (!st) {
		op.hpa = hpa;
		st = commit(e, at, LEAF_BASE | SEPT_RWX | hpa, &op);
	}
	return finish(out, &op, st);
}

uint64_t sept_page_aug(const struct sept_env *e, uint64_t gpa, unsigned level, uint64_t hpa,
		       struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 0, SEPT_LEVEL_2M, false, &at, &op);
	if (!st && op.state != SEPT_FREE && op.state != SEPT_REMOVED)
		st = STATE_INCORRECT;
	if (!st)
		st = tdx_status_operand(pamt_assign(e->pamt, e->pamt_io, hpa, (enum pamt_level)level,
						    PAMT_PT_REG, e->td->tdr), TDX_OPERAND_ID_R8);
	if (!st) {
		op.hpa = hpa;
		st = commit(e, at, with_state(LEAF_BASE | hpa, ST_PENDING), &op);
	}
	return finish(out, &op, st);
}

/* TDG.MEM.PAGE.ACCEPT once the walk reached the requested level. */
static uint64_t accept_entry(const struct sept_env *e, uint64_t at, struct sept_op *op)
{
	if (op->entry & SEPT_TDEL) /* sept_lock_acquire_guest */
		return TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX;
	if (op->state != SEPT_FREE && !(op->entry & SEPT_PS)) /* a table where a leaf was asked */
		return TDX_PAGE_SIZE_MISMATCH | op->level;
	if (guest_accessible_leaf(op->state))
		return TDX_PAGE_ALREADY_ACCEPTED | op->level;
	if (!acceptable(op->state))
		return TDX_SIM_TD_EXIT_EPT_VIOLATION;
	/* PENDING differs from MAPPED by TDP alone (and likewise the exported
	 * pair), so accepting clears TDP and grants RWX */
	op->hpa = op->entry & SEPT_ADDR_MASK;
	return commit(e, at, (op->entry & ~SEPT_TDP) | SEPT_RWX, op);
}

uint64_t sept_accept(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st;

	assert(sept_config_valid(e->cfg));
	if (!gpa_ok(e->cfg, gpa, level, 0, SEPT_LEVEL_2M))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
	else if ((st = walk(e, gpa, level, &at, &op)) == TDX_EPT_WALK_FAILED)
		/* stopped above the requested size: a mapped larger page is
		 * already accepted; anything else is the host's to fix */
		st = guest_accessible_leaf(op.state) ? TDX_PAGE_ALREADY_ACCEPTED | op.level
						      : TDX_SIM_TD_EXIT_EPT_VIOLATION;
	else if (st == TDX_SUCCESS)
		st = accept_entry(e, at, &op);
	return finish(out, &op, st);
}

/* The PAMT page behind an entry: the mapped page of a leaf, the child table
 * (4 KB) of a non-leaf. */
static enum pamt_level pamt_level_of(const struct sept_op *op)
{
	return (op->entry & SEPT_PS) ? (enum pamt_level)op->level : PAMT_4K;
}

uint64_t sept_block(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 0, e->cfg->levels - 1u, false, &at, &op), nw = 0;
	if (!st) {
		switch (op.state) {
		case SEPT_NL_MAPPED: nw = with_state(op.entry & ~SEPT_RWX, ST_NL_BLOCKED); break;
		case SEPT_MAPPED: case SEPT_BLOCKEDW: nw = with_state(op.entry & ~SEPT_RWX, ST_BLOCKED); break;
		case SEPT_PENDING: case SEPT_PENDING_BLOCKEDW: nw = with_state(op.entry, ST_PENDING_BLOCKED); break;
		default:
			st = any_blocked(op.state) ? TDX_GPA_RANGE_ALREADY_BLOCKED | TDX_OPERAND_ID_RCX
						   : STATE_INCORRECT;
		}
	}
	if (!st) /* BEPOCH: the epoch TDH.MEM.TRACK must move past before removal */
		st = tdx_status_operand(pamt_set_bepoch(e->pamt, e->pamt_io, op.entry & SEPT_ADDR_MASK,
							pamt_level_of(&op), e->td->td_epoch),
					TDX_OPERAND_ID_RCX);
	if (!st)
		st = commit(e, at, nw, &op);
	return finish(out, &op, st);
}

/* In a RUNNABLE TD, has TLB tracking finished since the page was blocked? */
static uint64_t check_tracked(const struct sept_env *e, const struct sept_op *op)
{
	if (e->td->op_state != SEPT_TD_RUNNABLE)
		return TDX_SUCCESS;
	struct pamt_entry p;
	uint64_t st = pamt_get(e->pamt, e->pamt_io, op->entry & SEPT_ADDR_MASK, &p);
	if (!st && !sept_tlb_tracked(e->td, p.bepoch))
		st = TDX_TLB_TRACKING_NOT_DONE;
	return tdx_status_operand(st, TDX_OPERAND_ID_RCX);
}

uint64_t sept_unblock(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 0, e->cfg->levels - 1u, false, &at, &op), nw = 0;
	if (!st) {
		switch (op.state) {
		case SEPT_NL_BLOCKED: nw = with_state(op.entry, ST_NL_MAPPED) | SEPT_RWX; break;
		case SEPT_BLOCKED: nw = with_state(op.entry, ST_MAPPED) | SEPT_RWX; break;
		case SEPT_PENDING_BLOCKED: nw = with_state(op.entry, ST_PENDING); break;
		default: st = STATE_INCORRECT;
		}
	}
	if (!st)
		st = check_tracked(e, &op);
	if (!st)
		st = commit(e, at, nw, &op);
	return finish(out, &op, st);
}

uint64_t sept_remove(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 0, SEPT_LEVEL_1G, false, &at, &op);
	if (!st && (!(op.entry & SEPT_PS) ||
		    !(op.state == SEPT_MAPPED || op.state == SEPT_BLOCKED || op.state == SEPT_BLOCKEDW ||
		      op.state == SEPT_PENDING || op.state == SEPT_PENDING_BLOCKED ||
		      op.state == SEPT_PENDING_BLOCKEDW)))
		st = STATE_INCORRECT;
	struct pamt_entry p;
	if (!st) { /* the page's PAMT entry is locked exclusively first */
		op.hpa = op.entry & SEPT_ADDR_MASK;
		st = pamt_get(e->pamt, e->pamt_io, op.hpa, &p);
		if (!st && p.lock)
			st = TDX_OPERAND_BUSY;
		st = tdx_status_operand(st, TDX_OPERAND_ID_RCX);
	}
	if (!st && e->td->op_state == SEPT_TD_RUNNABLE && !any_blocked(op.state))
		st = TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX;
	if (!st)
		st = check_tracked(e, &op);
	if (!st)
		st = tdx_status_operand(pamt_free(e->pamt, e->pamt_io, op.hpa, (enum pamt_level)level,
						  PAMT_PT_REG, e->td->tdr), TDX_OPERAND_ID_RCX);
	if (!st)
		st = commit(e, at, SEPT_FREE_VALUE, &op);
	return finish(out, &op, st);
}

uint64_t sept_remove_table(const struct sept_env *e, uint64_t gpa, unsigned level,
			   struct sept_op *out)
{
	struct sept_op op = { .state = SEPT_STATE_BAD };
	uint64_t at, st = host_front(e, gpa, level, 1, e->cfg->levels - 1u, false, &at, &op);
	if (!st && op.state != SEPT_NL_BLOCKED)
		st = STATE_INCORRECT;
	if (!st) {
		op.hpa = op.entry & SEPT_ADDR_MASK;
		st = check_tracked(e, &op);
	}
	for (unsigned i = 0; !st && i < 512; i++) { /* tdh_mem_sept_remove: every child FREE */
		uint64_t ce;
		if (e->io->read(e->io->ctx, op.hpa + 8ull * i, &ce))
			st = TDX_SIM_IO_ERROR;
		else if (sept_entry_state(ce) != SEPT_FREE)
			st = TDX_EPT_PAGE_NOT_FREE | TDX_OPERAND_ID_RCX;
	}
	if (!st)
		st = tdx_status_operand(pamt_free(e->pamt, e->pamt_io, op.hpa, PAMT_4K, PAMT_PT_EPT,
						  e->td->tdr), TDX_OPERAND_ID_RCX);
	if (!st)
		st = commit(e, at, SEPT_FREE_VALUE, &op);
	return finish(out, &op, st);
}

uint8_t sept_state_public(enum sept_state s)
{
	/* public_state of the module's sept_special_flags_lookup */
	static const uint8_t pub[] = {
		[SEPT_FREE] = 0, [SEPT_REMOVED] = 5, [SEPT_NL_MAPPED] = 0x84, [SEPT_NL_BLOCKED] = 0x81,
		[SEPT_MAPPED] = 4, [SEPT_BLOCKED] = 1, [SEPT_BLOCKEDW] = 8,
		[SEPT_EXPORTED_BLOCKEDW] = 9, [SEPT_EXPORTED_DIRTY] = 11,
		[SEPT_EXPORTED_DIRTY_BLOCKEDW] = 12, [SEPT_PENDING] = 2, [SEPT_PENDING_BLOCKED] = 3,
		[SEPT_PENDING_BLOCKEDW] = 16, [SEPT_PENDING_EXPORTED_BLOCKEDW] = 17,
		[SEPT_PENDING_EXPORTED_DIRTY] = 19, [SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW] = 20,
	};
	return (unsigned)s < sizeof(pub) ? pub[s] : 0xff;
}

const char *sept_state_name(enum sept_state s)
{
	static const char *const n[] = {
		[SEPT_FREE] = "free", [SEPT_REMOVED] = "removed", [SEPT_NL_MAPPED] = "nl_mapped",
		[SEPT_NL_BLOCKED] = "nl_blocked", [SEPT_MAPPED] = "mapped", [SEPT_BLOCKED] = "blocked",
		[SEPT_BLOCKEDW] = "blockedw", [SEPT_EXPORTED_BLOCKEDW] = "exported_blockedw",
		[SEPT_EXPORTED_DIRTY] = "exported_dirty",
		[SEPT_EXPORTED_DIRTY_BLOCKEDW] = "exported_dirty_blockedw", [SEPT_PENDING] = "pending",
		[SEPT_PENDING_BLOCKED] = "pending_blocked", [SEPT_PENDING_BLOCKEDW] = "pending_blockedw",
		[SEPT_PENDING_EXPORTED_BLOCKEDW] = "pending_exported_blockedw",
		[SEPT_PENDING_EXPORTED_DIRTY] = "pending_exported_dirty",
		[SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW] = "pending_exported_dirty_blockedw",
		[SEPT_STATE_BAD] = "bad",
	};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *sept_fault_name(enum sept_fault f)
{
	static const char *const n[] = {
		[SEPT_OK] = "none", [SEPT_FAULT_VIOLATION] = "sept.violation", [SEPT_FAULT_VE] = "sept.ve",
		[SEPT_FAULT_MISCONFIG] = "sept.misconfig", [SEPT_FAULT_GPA] = "sept.gpa",
		[SEPT_FAULT_EABT] = "sept.eabt",
	};
	return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}
