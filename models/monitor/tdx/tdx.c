/* TDX module: SEAMCALL dispatch, the module's memory accesses, the KeyID
 * split and the system initialisation leaves (TDH.SYS.*). Intel TDX Module
 * v1.5 ABI Specification; behaviour cross-checked with the open-source
 * module (intel/tdx-module src/vmm_dispatcher/tdx_vmm_dispatcher.c and
 * api_calls/tdh_sys_*.c). */
#include "models/monitor/tdx/tdx.h"

#include <errno.h>
#include <string.h>

#include "models/monitor/mon_param.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "sim/buf.h"

static TDX_HANDLER(tdh_sys_init);
static TDX_HANDLER(tdh_sys_lp_init);
static TDX_HANDLER(tdh_sys_config);
static TDX_HANDLER(tdh_sys_key_config);
static TDX_HANDLER(tdh_sys_tdmr_init);

/* The implemented leaves, in leaf order, those added later at the end (a
 * leaf's stats sit at its index in saved simulations). Costs are the leaf's own work
 * (operand checks, locks, state updates) in cycles; memory traffic, key
 * programming and cache flushes are added by the models they go through.
 * Estimates: a few hundred cycles of checks for simple leaves, more where
 * the leaf loops (TDMR.INIT's PAMT setup is memory traffic). */
static const struct tdx_leaf tdx_leaf_table[] = {
	{ TDH_VP_ENTER, "vp.enter", 1, { "tdvpr" }, tdh_vp_enter, 600 },
	{ TDH_MNG_ADDCX, "mng.addcx", 2, { "tdcx", "tdr" }, tdh_mng_addcx, 300 },
	{ TDH_MEM_PAGE_ADD, "mem.page.add", 4, { "gpa", "tdr", "hpa", "source" },
	  tdh_mem_page_add, 500 },
	{ TDH_MEM_SEPT_ADD, "mem.sept.add", 3, { "gpa", "tdr", "hpa" }, tdh_mem_sept_add, 400 },
	{ TDH_VP_ADDCX, "vp.addcx", 2, { "tdcx", "tdvpr" }, tdh_vp_addcx, 300 },
	{ TDH_MEM_PAGE_AUG, "mem.page.aug", 3, { "gpa", "tdr", "hpa" }, tdh_mem_page_aug, 400 },
	{ TDH_MEM_RANGE_BLOCK, "mem.range.block", 2, { "gpa", "tdr" }, tdh_mem_range_block, 300 },
	{ TDH_MNG_KEY_CONFIG, "mng.key.config", 1, { "tdr" }, tdh_mng_key_config, 300 },
	{ TDH_MNG_CREATE, "mng.create", 2, { "tdr", "hkid" }, tdh_mng_create, 400 },
	{ TDH_VP_CREATE, "vp.create", 2, { "tdvpr", "tdr" }, tdh_vp_create, 400 },
	{ TDH_MR_EXTEND, "mr.extend", 2, { "gpa", "tdr" }, tdh_mr_extend, 300 },
	{ TDH_MR_FINALIZE, "mr.finalize", 1, { "tdr" }, tdh_mr_finalize, 300 },
	{ TDH_VP_FLUSH, "vp.flush", 1, { "tdvpr" }, tdh_vp_flush, 300 },
	{ TDH_MNG_VPFLUSHDONE, "mng.vpflushdone", 1, { "tdr" }, tdh_mng_vpflushdone, 200 },
	{ TDH_MNG_KEY_FREEID, "mng.key.freeid", 1, { "tdr" }, tdh_mng_key_freeid, 200 },
	{ TDH_MNG_INIT, "mng.init", 2, { "tdr", "td_params" }, tdh_mng_init, 800 },
	{ TDH_VP_INIT, "vp.init", 3, { "tdvpr", "rcx", "x2apic_id" }, tdh_vp_init, 500 },
	{ TDH_PHYMEM_PAGE_RDMD, "phymem.page.rdmd", 1, { "page" }, tdh_phymem_page_rdmd, 150 },
	{ TDH_PHYMEM_PAGE_RECLAIM, "phymem.page.reclaim", 1, { "page" }, tdh_phymem_page_reclaim, 300 },
	{ TDH_MEM_PAGE_REMOVE, "mem.page.remove", 2, { "gpa", "tdr" }, tdh_mem_page_remove, 300 },
	{ TDH_MEM_SEPT_REMOVE, "mem.sept.remove", 2, { "gpa", "tdr" }, tdh_mem_sept_remove, 300 },
	{ TDH_SYS_KEY_CONFIG, "sys.key.config", 0, { 0 }, tdh_sys_key_config, 300 },
	{ TDH_SYS_INIT, "sys.init", 1, { "attributes" }, tdh_sys_init, 1000 },
	{ TDH_SYS_LP_INIT, "sys.lp.init", 0, { 0 }, tdh_sys_lp_init, 500 },
	{ TDH_SYS_TDMR_INIT, "sys.tdmr.init", 1, { "tdmr" }, tdh_sys_tdmr_init, 300 },
	{ TDH_MEM_TRACK, "mem.track", 1, { "tdr" }, tdh_mem_track, 200 },
	{ TDH_MEM_RANGE_UNBLOCK, "mem.range.unblock", 2, { "gpa", "tdr" }, tdh_mem_range_unblock, 300 },
	{ TDH_PHYMEM_CACHE_WB, "phymem.cache.wb", 1, { "resume" }, tdh_phymem_cache_wb, 200 },
	{ TDH_PHYMEM_PAGE_WBINVD, "phymem.page.wbinvd", 1, { "page" }, tdh_phymem_page_wbinvd, 200 },
	{ TDH_SYS_CONFIG, "sys.config", 3, { "tdmr_info_array", "num_tdmrs", "global_keyid" },
	  tdh_sys_config, 1000 },
	{ TDH_VP_RD, "vp.rd", 2, { "tdvpr", "field" }, tdh_vp_rd, 300 },
	{ TDH_VP_WR, "vp.wr", 4, { "tdvpr", "field", "value", "mask" }, tdh_vp_wr, 300 },
};
#define NLEAVES (sizeof(tdx_leaf_table) / sizeof(tdx_leaf_table[0]))
G_STATIC_ASSERT(NLEAVES <= TDX_NLEAVES);

size_t tdx_leaves(const struct tdx_leaf **out)
{
	*out = tdx_leaf_table;
	return NLEAVES;
}

const struct tdx_leaf *tdx_leaf_by_number(uint64_t leaf)
{
	for (size_t i = 0; i < NLEAVES; i++)
		if (tdx_leaf_table[i].leaf == leaf)
			return &tdx_leaf_table[i];
	return NULL;
}

const struct tdx_leaf *tdx_leaf_by_name(const char *name)
{
	for (size_t i = 0; i < NLEAVES; i++)
		if (strcmp(tdx_leaf_table[i].name, name) == 0)
			return &tdx_leaf_table[i];
	return NULL;
}

static const struct { uint64_t code; const char *name; } tdx_status_names[] = {
	{ TDX_SUCCESS, "tdx.success" },
	{ TDX_NON_RECOVERABLE_VCPU, "tdx.non_recoverable_vcpu" },
	{ TDX_OPERAND_INVALID, "tdx.operand_invalid" },
	{ TDX_OPERAND_ADDR_RANGE_ERROR, "tdx.operand_addr_range_error" },
	{ TDX_OPERAND_BUSY, "tdx.operand_busy" },
	{ TDX_PAGE_METADATA_INCORRECT, "tdx.page_metadata_incorrect" },
	{ TDX_PAGE_NOT_OWNED_BY_TD, "tdx.page_not_owned_by_td" },
	{ TDX_TD_ASSOCIATED_PAGES_EXIST, "tdx.td_associated_pages_exist" },
	{ TDX_SYS_INIT_NOT_PENDING, "tdx.sys_init_not_pending" },
	{ TDX_SYS_LP_INIT_NOT_DONE, "tdx.sys_lp_init_not_done" },
	{ TDX_SYS_LP_INIT_DONE, "tdx.sys_lp_init_done" },
	{ TDX_SYS_NOT_READY, "tdx.sys_not_ready" },
	{ TDX_SYS_KEY_CONFIG_NOT_PENDING, "tdx.sys_key_config_not_pending" },
	{ TDX_SYS_STATE_INCORRECT, "tdx.sys_state_incorrect" },
	{ TDX_SYS_CONFIG_NOT_PENDING, "tdx.sys_config_not_pending" },
	{ TDX_TD_FATAL, "tdx.td_fatal" },
	{ TDX_TDCS_NOT_ALLOCATED, "tdx.tdcs_not_allocated" },
	{ TDX_LIFECYCLE_STATE_INCORRECT, "tdx.lifecycle_state_incorrect" },
	{ TDX_OP_STATE_INCORRECT, "tdx.op_state_incorrect" },
	{ TDX_TDCX_NUM_INCORRECT, "tdx.tdcx_num_incorrect" },
	{ TDX_VCPU_STATE_INCORRECT, "tdx.vcpu_state_incorrect" },
	{ TDX_VCPU_ASSOCIATED, "tdx.vcpu_associated" },
	{ TDX_VCPU_NOT_ASSOCIATED, "tdx.vcpu_not_associated" },
	{ TDX_NO_VALID_VE_INFO, "tdx.no_valid_ve_info" },
	{ TDX_MAX_VCPUS_EXCEEDED, "tdx.max_vcpus_exceeded" },
	{ TDX_TD_KEYS_NOT_CONFIGURED, "tdx.td_keys_not_configured" },
	{ TDX_KEY_STATE_INCORRECT, "tdx.key_state_incorrect" },
	{ TDX_KEY_CONFIGURED, "tdx.key_configured" },
	{ TDX_WBCACHE_NOT_COMPLETE, "tdx.wbcache_not_complete" },
	{ TDX_HKID_NOT_FREE, "tdx.hkid_not_free" },
	{ TDX_NO_HKID_READY_TO_WBCACHE, "tdx.no_hkid_ready_to_wbcache" },
	{ TDX_FLUSHVP_NOT_DONE, "tdx.flushvp_not_done" },
	{ TDX_INVALID_TDMR, "tdx.invalid_tdmr" },
	{ TDX_TDMR_OUTSIDE_CMRS, "tdx.tdmr_outside_cmrs" },
	{ TDX_TDMR_ALREADY_INITIALIZED, "tdx.tdmr_already_initialized" },
	{ TDX_INVALID_PAMT, "tdx.invalid_pamt" },
	{ TDX_EPT_WALK_FAILED, "tdx.ept_walk_failed" },
	{ TDX_EPT_ENTRY_NOT_FREE, "tdx.ept_entry_not_free" },
	{ TDX_EPT_ENTRY_NOT_PRESENT, "tdx.ept_entry_not_present" },
	{ TDX_GPA_RANGE_NOT_BLOCKED, "tdx.gpa_range_not_blocked" },
	{ TDX_GPA_RANGE_ALREADY_BLOCKED, "tdx.gpa_range_already_blocked" },
	{ TDX_TLB_TRACKING_NOT_DONE, "tdx.tlb_tracking_not_done" },
	{ TDX_PAGE_ALREADY_ACCEPTED, "tdx.page_already_accepted" },
	{ TDX_PAGE_SIZE_MISMATCH, "tdx.page_size_mismatch" },
	{ TDX_EPT_ENTRY_STATE_INCORRECT, "tdx.ept_entry_state_incorrect" },
	{ TDX_EPT_PAGE_NOT_FREE, "tdx.ept_page_not_free" },
	{ TDX_METADATA_FIELD_ID_INCORRECT, "tdx.metadata_field_id_incorrect" },
	{ TDX_METADATA_FIELD_NOT_WRITABLE, "tdx.metadata_field_not_writable" },
	{ TDX_METADATA_FIELD_NOT_READABLE, "tdx.metadata_field_not_readable" },
	{ TDX_METADATA_FIELD_VALUE_NOT_VALID, "tdx.metadata_field_value_not_valid" },
	{ TDX_SIM_IO_ERROR, "tdx.io_error" },
	{ TDX_SEAMCALL_VMFAILINVALID & 0xFFFFFFFF00000000ull, "tdx.vmfailinvalid" }, /* its class */
	{ TDX_SIM_TD_EXIT_EPT_VIOLATION, "tdx.td_exit_ept_violation" },
};
#define NSTATUSES (sizeof(tdx_status_names) / sizeof(tdx_status_names[0]))

const char *tdx_status_name(uint64_t st)
{
	uint64_t cls = tdx_status_class(st);
	for (size_t i = 0; i < NSTATUSES; i++)
		if (tdx_status_names[i].code == cls)
			return tdx_status_names[i].name;
	return "tdx.?";
}

bool tdx_status_known(const char *name)
{
	for (size_t i = 0; i < NSTATUSES; i++)
		if (strcmp(tdx_status_names[i].name, name) == 0)
			return true;
	return false;
}

/* --- KeyIDs --- */

static unsigned keyid_shift(const struct tdx *t)
{
	return (unsigned)(t->cfg.pa_bits - t->cfg.keyid_bits);
}

bool tdx_keyid_is_private(const struct tdx *t, uint64_t keyid)
{
	return keyid >= t->first_private && keyid < t->keyids;
}

uint64_t tdx_pa_keyid(const struct tdx *t, uint64_t hpa)
{
	return (hpa >> keyid_shift(t)) & (t->keyids - 1);
}

uint64_t tdx_pa_strip(const struct tdx *t, uint64_t hpa)
{
	return hpa & ((1ull << keyid_shift(t)) - 1);
}

uint64_t tdx_pa_with_keyid(const struct tdx *t, uint64_t pa, uint64_t keyid)
{
	return tdx_pa_strip(t, pa) | keyid << keyid_shift(t);
}

/* --- the module's memory accesses --- */

/* Through the services' memory path, a line at a time (each at the cycle
 * the module reaches it), on LP lp's caches under `keyid`. */
static int bus_rw(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, void *buf, size_t len,
		  bool write, bool nt, uint64_t *cycles)
{
	uint8_t *p = buf;
	while (len) {
		uint32_t n = (uint32_t)(64 - (pa & 63));
		if (n > len)
			n = (uint32_t)len;
		struct ccsim_mem_req q = { .pa = pa, .len = n, .write = write, .pas = CCSIM_PAS_NS,
					   .key = (int32_t)keyid, .core = (uint16_t)lp,
					   .flags = nt ? CCSIM_MEM_NT : 0 };
		struct ccsim_fault f = { 0 };
		int rc = t->svc->mem(t->host, &q, p, &f, cycles);
		if (rc == 1 && f.kind == CCSIM_FAULT_POISON)
			t->mce = 1; /* the module consumed poison: tdx_machine_check */
		if (rc)
			return rc;
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

static void module_rw(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, void *buf,
		      size_t len, bool write, uint64_t *cycles)
{
	if (bus_rw(t, lp, keyid, pa, buf, len, write, false, cycles)) {
		/* On hardware a machine check in SEAM: the leaf does not
		 * complete (tdx_seamcall turns this into TDX_SIM_IO_ERROR). */
		if (!t->fault) {
			char msg[80];
			int n = snprintf(msg, sizeof(msg), "tdx: access fault at 0x%llx keyid %u",
					 (unsigned long long)pa, keyid);
			t->svc->trace(t->host, t->tr_note, pa, keyid, 0, 0, msg, (uint32_t)n);
		}
		t->fault = 1;
		if (!write)
			memset(buf, 0, len);
	}
}

int tdx_peek(const struct tdx *t, unsigned keyid, uint64_t pa, void *buf, size_t len)
{
	struct ccsim_mem_req q = { .pa = pa, .len = len, .key = (int32_t)keyid, .flags = CCSIM_MEM_PEEK };
	struct ccsim_fault f;
	return t->svc->mem(t->host, &q, buf, &f, NULL);
}

void tdx_mem_read(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, void *buf, size_t len,
		  uint64_t *cycles)
{
	module_rw(t, lp, keyid, pa, buf, len, false, cycles);
}

void tdx_mem_write(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, const void *buf,
		   size_t len, uint64_t *cycles)
{
	module_rw(t, lp, keyid, pa, (void *)buf, len, true, cycles);
}

void tdx_page_write_direct(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa,
			   const uint8_t *src, uint64_t *cycles)
{
	static const uint8_t zero[64];
	for (uint64_t off = 0; off < TDX_PAGE; off += 64)
		if (bus_rw(t, lp, keyid, pa + off, (void *)(src ? src + off : zero), 64, true, true,
			   cycles))
			t->fault = 1;
}

int tdx_host_read(struct tdx *t, unsigned lp, uint64_t pa, void *buf, size_t len, uint64_t *cycles)
{
	return bus_rw(t, lp, 0, pa, buf, len, false, false, cycles) ? 1 : 0;
}

int tdx_host_write(struct tdx *t, unsigned lp, uint64_t pa, const void *buf, size_t len,
		   uint64_t *cycles)
{
	return bus_rw(t, lp, 0, pa, (void *)buf, len, true, false, cycles) ? 1 : 0;
}

static int io_read(void *ctx, uint64_t pa, uint64_t *val)
{
	struct tdx_io *c = ctx;
	uint8_t b[8];
	if (bus_rw(c->t, c->lp, c->keyid, pa, b, 8, false, false, c->cycles))
		return -EIO;
	*val = sim_le64_load(b);
	return 0;
}

static int io_write(void *ctx, uint64_t pa, uint64_t val)
{
	struct tdx_io *c = ctx;
	uint8_t b[8];
	sim_le64_store(b, val);
	return bus_rw(c->t, c->lp, c->keyid, pa, b, 8, true, false, c->cycles) ? -EIO : 0;
}

/* A Secure EPT page is filled whole, with direct writes under the HKID (the
 * module's zero_area_cacheline): a partial write of a line no private KeyID
 * wrote would read it first and, with integrity, poison. */
static int io_write_line(void *ctx, uint64_t pa, const uint8_t line[64])
{
	struct tdx_io *c = ctx;
	return bus_rw(c->t, c->lp, c->keyid, pa, (void *)line, 64, true, true, c->cycles) ? -EIO : 0;
}

struct pamt_io tdx_pamt_io(struct tdx_io *c)
{
	return (struct pamt_io){ io_read, io_write, c };
}

struct sept_io tdx_sept_io(struct tdx_io *c)
{
	return (struct sept_io){ io_read, io_write, c, io_write_line };
}

uint64_t tdx_hpa_check(const struct tdx *t, uint64_t hpa, uint64_t op)
{
	/* shared_hpa_check: aligned, no KeyID bits (the module adds its own) */
	if (hpa & (TDX_PAGE - 1) || tdx_pa_keyid(t, hpa))
		return TDX_OPERAND_INVALID | op;
	if (!pamt_covers(&t->pamt, hpa))
		return TDX_OPERAND_ADDR_RANGE_ERROR | op;
	return TDX_SUCCESS;
}

uint64_t tdx_tdr_get(struct tdx *t, unsigned lp, uint64_t tdr, uint64_t op, struct tdx_tdr *d,
		     uint64_t *cycles)
{
	uint64_t st = tdx_hpa_check(t, tdr, op);
	if (st)
		return st;
	struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
	struct pamt_io io = tdx_pamt_io(&c);
	st = pamt_check_owner(&t->pamt, &io, tdr, PAMT_PT_TDR, tdr);
	if (st)
		return tdx_status_operand(st, op);
	tdx_tdr_load(t, lp, tdr, d, cycles);
	return TDX_SUCCESS;
}

uint64_t tdx_page_take(struct tdx *t, unsigned lp, uint64_t page, uint64_t op,
		       enum pamt_page_type type, uint64_t owner, unsigned keyid, uint64_t *cycles)
{
	uint64_t st = tdx_hpa_check(t, page, op);
	if (!st) {
		struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
		struct pamt_io io = tdx_pamt_io(&c);
		st = tdx_status_operand(pamt_assign(&t->pamt, &io, page, PAMT_4K, type, owner), op);
	}
	if (!st)
		tdx_page_write_direct(t, lp, keyid, page, NULL, cycles);
	return st;
}

void tdx_sept_ctx(struct tdx *t, unsigned lp, uint64_t tdr, const struct tdx_tdr *d,
		  const struct tdx_tdcs *c, uint64_t *cycles, struct tdx_sept_ctx *x)
{
	x->io_ctx = (struct tdx_io){ t, lp, (unsigned)d->hkid, cycles };
	x->pamt_ctx = (struct tdx_io){ t, lp, (unsigned)t->global_keyid, cycles };
	x->cfg = (struct sept_config){
		.root = d->tdcx[TDX_TDCS_SEPT_ROOT], .levels = (uint8_t)c->ept_levels,
		.gpaw = c->gpaw != 0, .pending_ve = !(c->td_ctls & 1),
		.pa_bits = (uint8_t)keyid_shift(t),
	};
	x->io = tdx_sept_io(&x->io_ctx);
	x->pio = tdx_pamt_io(&x->pamt_ctx);
	x->td = (struct sept_td){
		.tdr = tdr,
		.op_state = c->op_state == OP_STATE_RUNNABLE ? SEPT_TD_RUNNABLE : SEPT_TD_BUILD,
		.td_epoch = c->td_epoch, .refcount = { (uint32_t)c->refcount[0], (uint32_t)c->refcount[1] },
	};
	x->env = (struct sept_env){ &x->cfg, &x->io, &t->pamt, &x->pio, &x->td };
}

/* --- dispatch --- */

/* A machine check while the module runs in SEAM root mode forces an
 * unbreakable shutdown of the logical processor and disables TDX for the
 * whole platform: every later SEAMCALL, on any LP, fails with VMfailInvalid
 * (Intel TDX Module Base Architecture Specification, 348549, "Handling
 * Machine Check Events during Intel TDX Module Operation"). The model does
 * not stop the calling LP: its SEAMCALL returns VMfailInvalid as the later
 * ones do. True if the module consumed poison since the last call. */
bool tdx_machine_check(struct tdx *t, uint64_t regs[TDX_NREGS])
{
	if (!t->mce)
		return false;
	static const char msg[] = "tdx: machine check in SEAM root: TDX disabled";
	t->svc->trace(t->host, t->tr_note, regs[TDX_RAX], 0, 0, 0, msg, (uint32_t)sizeof(msg) - 1);
	t->mce = 0;
	t->sys_state = TDX_SYS_DISABLED;
	regs[TDX_RAX] = TDX_SEAMCALL_VMFAILINVALID;
	return true;
}

static bool needs_ready(uint64_t leaf)
{
	return leaf != TDH_SYS_INIT && leaf != TDH_SYS_LP_INIT && leaf != TDH_SYS_CONFIG &&
	       leaf != TDH_SYS_KEY_CONFIG && leaf != TDH_SYS_TDMR_INIT;
}

unsigned tdx_lps(const struct tdx *t)
{
	return (unsigned)MIN(t->cfg.cores, TDX_MAX_LPS);
}

void tdx_seamcall(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cycles)
{
	uint64_t rax = regs[TDX_RAX], before = *cycles;
	g_assert(lp < tdx_lps(t));
	*cycles += t->cfg.seamcall_cycles;
	t->svc->trace(t->host, t->tr_mon_call, rax, regs[TDX_RCX], regs[TDX_RDX], regs[TDX_R8], NULL, 0);
	/* the leaf's version, RAX[23:16], must be one implemented: 0 */
	const struct tdx_leaf *l = rax >> 16 ? NULL : tdx_leaf_by_number(rax);
	if (tdx_disabled(t)) {
		regs[TDX_RAX] = TDX_SEAMCALL_VMFAILINVALID;
	} else if (!l) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | 0 /* RAX */;
	} else if (needs_ready(l->leaf) && t->sys_state != TDX_SYS_READY) {
		regs[TDX_RAX] = TDX_SYS_NOT_READY;
	} else if (needs_ready(l->leaf) && !(t->lp_init >> lp & 1)) {
		regs[TDX_RAX] = TDX_SYS_LP_INIT_NOT_DONE;
	} else {
		size_t i = (size_t)(l - tdx_leaf_table);
		t->fault = 0;
		*cycles += l->cost;
		l->handler(t, lp, regs, cycles);
		if (t->fault)
			regs[TDX_RAX] = TDX_SIM_IO_ERROR;
		t->fault = 0;
		tdx_machine_check(t, regs);
		t->stat_calls[i]++;
		t->stat_errors[i] += tdx_status_is_error(regs[TDX_RAX]) || regs[TDX_RAX] >= TDX_SIM_IO_ERROR;
		t->stat_cycles[i] += *cycles - before;
	}
	t->svc->trace(t->host, t->tr_mon_ret, rax, regs[TDX_RAX], regs[TDX_RCX], *cycles - before, NULL,
		      0);
}

/* --- TDH.SYS.* --- */

/* TDH.SYS.INIT (tdh_sys_init.c): once, first. RCX (attributes) must be 0. */
static TDX_HANDLER(tdh_sys_init)
{
	(void)lp, (void)cycles;
	if (t->sys_state != TDX_SYS_UNINIT)
		regs[TDX_RAX] = TDX_SYS_INIT_NOT_PENDING;
	else if (regs[TDX_RCX])
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
	else {
		t->sys_state = TDX_SYS_INITIALIZED;
		regs[TDX_RAX] = TDX_SUCCESS;
	}
}

/* TDH.SYS.LP.INIT (tdh_sys_lp_init.c): once per LP, after SYS.INIT and
 * before the system is configured further. */
static TDX_HANDLER(tdh_sys_lp_init)
{
	(void)cycles;
	if (t->sys_state == TDX_SYS_UNINIT)
		regs[TDX_RAX] = TDX_SYS_STATE_INCORRECT;
	else if (t->lp_init >> lp & 1)
		regs[TDX_RAX] = TDX_SYS_LP_INIT_DONE;
	else {
		t->lp_init |= 1ull << lp;
		regs[TDX_RAX] = TDX_SUCCESS;
	}
}

/* TDMR_INFO (ABI "TDMR_INFO_ENTRY", 512-aligned, host memory). */
#define TDMR_INFO_BASE 0
#define TDMR_INFO_SIZE 8
#define TDMR_INFO_PAMT_1G 16
#define TDMR_INFO_PAMT_2M 32
#define TDMR_INFO_PAMT_4K 48
#define TDMR_INFO_LEN 64

/* TDH.SYS.CONFIG(RCX = PA of an array of TDMR_INFO PAs, RDX = their
 * number, R8 = the global private KeyID) (tdh_sys_config.c): after
 * LP.INIT on every LP. This module takes one TDMR (RDX = 1), 1 GB aligned,
 * with 1G / 2M / 4K PAMT arrays of at least 16 bytes per page, 4 KB
 * aligned, outside the TDMR and apart. */
static TDX_HANDLER(tdh_sys_config)
{
	uint64_t all = (1ull << t->cfg.cores) - 1, keyid = regs[TDX_R8];
	uint8_t b[TDMR_INFO_LEN];
	uint64_t info_pa;
	if (t->sys_state != TDX_SYS_INITIALIZED) {
		regs[TDX_RAX] = TDX_SYS_CONFIG_NOT_PENDING;
		return;
	}
	if ((t->lp_init & all) != all) {
		regs[TDX_RAX] = TDX_SYS_LP_INIT_NOT_DONE;
		return;
	}
	if (regs[TDX_RCX] & 7 || tdx_host_read(t, lp, regs[TDX_RCX], b, 8, cycles)) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return;
	}
	if (regs[TDX_RDX] != 1) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX;
		return;
	}
	if (!tdx_keyid_is_private(t, keyid)) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8;
		return;
	}
	info_pa = sim_le64_load(b);
	if (info_pa & 511 || tdx_host_read(t, lp, info_pa, b, sizeof(b), cycles)) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return;
	}
	struct pamt_config p = {
		.base = sim_le64_load(b + TDMR_INFO_BASE), .size = sim_le64_load(b + TDMR_INFO_SIZE),
		.pamt_1g = sim_le64_load(b + TDMR_INFO_PAMT_1G),
		.pamt_2m = sim_le64_load(b + TDMR_INFO_PAMT_2M),
		.pamt_4k = sim_le64_load(b + TDMR_INFO_PAMT_4K),
	};
	uint64_t top = 1ull << keyid_shift(t);
	if (!p.size || !pamt_config_valid(&p) || p.base + p.size > top) {
		regs[TDX_RAX] = TDX_INVALID_TDMR;
		return;
	}
	/* The TDMR must lie in convertible memory, the CMRs "configured by BIOS
	 * and verified by MCHECK" (ABI "CMR_INFO"; tdh_sys_config.c). At boot
	 * MCHECK runs Intel's Alias Checking Trusted Module over the memory
	 * the BIOS reports (BadRAM, De Meulemeester et al., IEEE S&P 2025, and
	 * badram.eu: on TDX "a trusted firmware module checks the protected
	 * memory range for aliases" at boot): memory with an alias is no
	 * verified CMR. The CMRs here are all memory below the KeyID bits; the
	 * model runs the check when the module first reads them, so a DIMM
	 * alias made before the module's initialisation is one present at
	 * boot, and one made later escapes it. */
	uint64_t aliased = 0;
	if (t->cfg.alias_check && t->svc->param(t->host, "machine.dram_aliased", &aliased) == 0 &&
	    aliased) {
		regs[TDX_RAX] = TDX_TDMR_OUTSIDE_CMRS;
		return;
	}
	uint64_t sz[3] = { pamt_array_bytes(p.size, PAMT_1G), pamt_array_bytes(p.size, PAMT_2M),
			   pamt_array_bytes(p.size, PAMT_4K) };
	uint64_t at[3] = { p.pamt_1g, p.pamt_2m, p.pamt_4k };
	for (int i = 0; i < 3; i++) {
		bool bad = at[i] + sz[i] > top || (at[i] < p.base + p.size && at[i] + sz[i] > p.base);
		for (int j = 0; j < i; j++)
			bad |= at[i] < at[j] + sz[j] && at[j] < at[i] + sz[i];
		if (bad) {
			regs[TDX_RAX] = TDX_INVALID_PAMT;
			return;
		}
	}
	t->pamt = p;
	t->tdmr_next = p.base;
	t->global_keyid = keyid;
	t->kot[keyid] = KOT_STATE_HKID_RESERVED;
	t->sys_state = TDX_SYS_CONFIGURED;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.SYS.KEY.CONFIG (tdh_sys_key_config.c): program the global private
 * KeyID's ephemeral key on this package (the model has one). */
static TDX_HANDLER(tdh_sys_key_config)
{
	(void)lp, (void)cycles;
	if (t->sys_state != TDX_SYS_CONFIGURED) {
		regs[TDX_RAX] = TDX_SYS_KEY_CONFIG_NOT_PENDING;
		return;
	}
	if (t->svc->key_program(t->host, (uint32_t)t->global_keyid, (uint32_t)t->global_keyid,
				TDX_KEY_FLAGS)) {
		t->fault = 1;
		return;
	}
	t->sys_state = TDX_SYS_KEYS_CONFIGURED;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* The TDMR bytes one TDH.SYS.TDMR.INIT sets the PAMT of (the module's
 * chunk is implementation-defined; the host repeats until done). */
#define TDMR_INIT_CHUNK (256ull << 20)

/* TDH.SYS.TDMR.INIT(RCX = TDMR base) (tdh_sys_tdmr_init.c): set the next
 * chunk's PAMT entries to PT_NDA with direct writes under the global
 * KeyID; RDX = the next byte still to do. The system is ready when the
 * whole TDMR is. */
static TDX_HANDLER(tdh_sys_tdmr_init)
{
	if (t->sys_state != TDX_SYS_KEYS_CONFIGURED && t->sys_state != TDX_SYS_READY) {
		regs[TDX_RAX] = TDX_SYS_NOT_READY;
		return;
	}
	if (regs[TDX_RCX] != t->pamt.base) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return;
	}
	uint64_t end = t->pamt.base + t->pamt.size, key = t->global_keyid;
	if (t->tdmr_next >= end) {
		regs[TDX_RAX] = TDX_TDMR_ALREADY_INITIALIZED;
		regs[TDX_RDX] = end;
		return;
	}
	if (t->tdmr_next == t->pamt.base) { /* the 1G and 2M arrays with the first chunk */
		uint64_t arr[2] = { t->pamt.pamt_1g, t->pamt.pamt_2m };
		uint64_t len[2] = { pamt_array_bytes(t->pamt.size, PAMT_1G),
				    pamt_array_bytes(t->pamt.size, PAMT_2M) };
		for (int i = 0; i < 2; i++)
			for (uint64_t off = 0; off < len[i]; off += TDX_PAGE)
				tdx_page_write_direct(t, lp, (unsigned)key, arr[i] + off, NULL, cycles);
	}
	uint64_t chunk = MIN(TDMR_INIT_CHUNK, end - t->tdmr_next);
	uint64_t at = pamt_entry_addr(&t->pamt, t->tdmr_next, PAMT_4K);
	for (uint64_t off = 0; off < pamt_array_bytes(chunk, PAMT_4K); off += TDX_PAGE)
		tdx_page_write_direct(t, lp, (unsigned)key, at + off, NULL, cycles);
	t->tdmr_next += chunk;
	if (t->tdmr_next >= end)
		t->sys_state = TDX_SYS_READY;
	regs[TDX_RDX] = t->tdmr_next;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* --- the module as its slot sees it (tdx_mon.c) --- */

/* The scalars and counters a checkpoint keeps, in the order ccsim up to
 * checkpoint format 4 saved them as the "tdx" model's field table
 * (version 1): a blob starts with their values, then the KOT. */
static const struct sim_field tdx_fields[] = {
	SIM_FIELD(struct tdx, sys_state),
	SIM_FIELD(struct tdx, lp_init),
	SIM_FIELD(struct tdx, global_keyid),
	SIM_FIELD(struct tdx, tdmr_next),
	SIM_FIELD(struct tdx, pamt.base),
	SIM_FIELD(struct tdx, pamt.size),
	SIM_FIELD(struct tdx, pamt.pamt_1g),
	SIM_FIELD(struct tdx, pamt.pamt_2m),
	SIM_FIELD(struct tdx, pamt.pamt_4k),
	SIM_FIELD_ARRAY(struct tdx, stat_calls, uint64_t),
	SIM_FIELD_ARRAY(struct tdx, stat_errors, uint64_t),
	SIM_FIELD_ARRAY(struct tdx, stat_cycles, uint64_t),
	SIM_FIELD_ARRAY(struct tdx, stat_tdcalls, uint64_t),
	SIM_FIELD_ARRAY(struct tdx, stat_tdcall_errors, uint64_t),
	SIM_FIELD(struct tdx, stat_td_entries),
	SIM_FIELD(struct tdx, stat_td_exits),
	SIM_FIELD(struct tdx, stat_td_cycles),
	SIM_FIELD(struct tdx, stat_td_insns),
	SIM_FIELD(struct tdx, stat_ve),
};

void tdx_reset(struct tdx *t)
{
	memset(t->kot, KOT_STATE_HKID_FREE, t->keyids);
	memset(t->kot_wb, 0, t->keyids);
	tdx_step_reset(t->step);
}

void tdx_save(const struct tdx *t, struct sim_buf *out)
{
	for (size_t i = 0; i < sizeof(tdx_fields) / sizeof(tdx_fields[0]); i++)
		sim_buf_put_field(out, t, &tdx_fields[i]);
	sim_buf_put_u64(out, t->keyids);
	sim_buf_put(out, t->kot, t->keyids);
	sim_buf_put(out, t->kot_wb, t->keyids);
	tdx_step_save(t->step, out);
}

int tdx_restore(struct tdx *t, struct sim_reader *in, bool with_step)
{
	for (size_t i = 0; i < sizeof(tdx_fields) / sizeof(tdx_fields[0]); i++)
		sim_reader_field(in, t, &tdx_fields[i]);
	if (in->failed || sim_reader_u64(in) != t->keyids)
		return -EINVAL;
	if (!sim_reader_get(in, t->kot, t->keyids) || !sim_reader_get(in, t->kot_wb, t->keyids) ||
	    t->sys_state > TDX_SYS_DISABLED)
		return -EINVAL;
	return with_step && tdx_step_restore(t->step, in) ? -EINVAL : 0;
}

void tdx_destroy(struct tdx *t)
{
	g_free(t->step);
	g_free(t->kot);
	g_free(t->kot_wb);
	g_free(t);
}

void tdx_stats(struct tdx *t, ccsim_stat_fn *emit, void *ctx)
{
	for (size_t i = 0; i < NLEAVES; i++) {
		char n[64];
		snprintf(n, sizeof(n), "tdx.%s.calls", tdx_leaf_table[i].name);
		emit(ctx, n, CCSIM_STAT_COUNT, &t->stat_calls[i], "host calls of this SEAMCALL leaf");
		snprintf(n, sizeof(n), "tdx.%s.errors", tdx_leaf_table[i].name);
		emit(ctx, n, CCSIM_STAT_COUNT, &t->stat_errors[i], "calls answered with an error status");
		snprintf(n, sizeof(n), "tdx.%s.cycles", tdx_leaf_table[i].name);
		emit(ctx, n, CCSIM_STAT_CYCLES, &t->stat_cycles[i],
		     "cycles spent in this leaf, the SEAMCALL's own included");
	}
	tdx_vp_stats(t, emit, ctx);
	tdx_step_stats(t->step, emit, ctx);
}

struct tdx *tdx_create(const struct ccsim_monitor_services *svc, void *host, char *err,
		       size_t errlen)
{
	struct tdx *t = g_new0(struct tdx, 1);
	struct tdx_cfg *c = &t->cfg;
	uint64_t arch = 0;
	t->svc = svc;
	t->host = host;
	const struct mon_param keys[] = {
		{ "platform.arch", &arch }, { "mem.pa_bits", &c->pa_bits },
		{ "tdx.keyid_bits", &c->keyid_bits }, { "tdx.private_keyids", &c->private_keyids },
		{ "cache.cores", &c->cores }, { "tdx.seamcall_cycles", &c->seamcall_cycles },
		{ "tdx.tdcall_cycles", &c->tdcall_cycles }, { "tdx.td_entry_cycles", &c->td_entry_cycles },
		{ "tdx.td_exit_cycles", &c->td_exit_cycles }, { "cpu.tlbi_cycles", &c->tlbi_cycles },
		{ "host.slice_cycles", &c->host_slice_cycles }, { "tdx.alias_check", &c->alias_check },
		{ "sim.seed", &c->seed },
	};
	if (!mon_params(svc, host, "tdx", keys, G_N_ELEMENTS(keys), err, errlen)) {
		g_free(t);
		return NULL;
	}
	if (arch != MON_ARCH_TDX) {
		snprintf(err, errlen, "tdx: the TDX module runs on tdx machines");
		g_free(t);
		return NULL;
	}
	t->keyids = 1u << c->keyid_bits;
	t->first_private = t->keyids - (unsigned)c->private_keyids;
	t->kot = g_malloc0(t->keyids);
	t->kot_wb = g_malloc0(t->keyids);
	/* its trace source comes with its first record type, before its LP's */
	t->tr_note = svc->trace_type(host, "note");
	t->tr_mon_call = svc->trace_type(host, "mon.call");
	t->tr_mon_ret = svc->trace_type(host, "mon.ret");
	t->tr_rec_enter = svc->trace_type(host, "rec.enter");
	t->tr_rec_exit = svc->trace_type(host, "rec.exit");
	t->tr_guest_call = svc->trace_type(host, "guest.call");
	t->tr_guest_ret = svc->trace_type(host, "guest.ret");
	if (!(t->step = tdx_step_create(t, err, errlen))) {
		tdx_destroy(t);
		return NULL;
	}
	return t;
}
