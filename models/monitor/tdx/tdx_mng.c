/* TD management leaves: creation and keys (TDH.MNG.CREATE, KEY.CONFIG,
 * ADDCX, INIT), the build-time measurement (TDH.MR.EXTEND, MR.FINALIZE),
 * and teardown in its ordering (TDH.MNG.VPFLUSHDONE -> TDH.PHYMEM.CACHE.WB
 * -> TDH.MNG.KEY.FREEID -> TDH.PHYMEM.PAGE.RECLAIM), with the PAMT reads
 * TDH.PHYMEM.PAGE.RDMD gives and TDH.PHYMEM.PAGE.WBINVD. Intel TDX Module
 * v1.5 ABI Specification; checks and their order follow the open-source
 * module's api_calls/tdh_mng_*.c, tdh_mr_*.c and tdh_phymem_*.c. */
#include <errno.h>
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"

/* The TDR operand in `reg`, checked and loaded; its lifecycle must be
 * `want` (TDX_LIFECYCLE_STATE_INCORRECT otherwise). */
static uint64_t tdr_in(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], unsigned reg,
		       enum tdx_lifecycle want, struct tdx_tdr *d, uint64_t *cycles)
{
	uint64_t st = tdx_tdr_get(t, lp, regs[reg], reg, d, cycles);
	if (!st && d->lifecycle != want)
		st = d->lifecycle == TD_HKID_ASSIGNED && want == TD_KEYS_CONFIGURED
			     ? TDX_TD_KEYS_NOT_CONFIGURED : TDX_LIFECYCLE_STATE_INCORRECT;
	return st;
}

/* TDH.MNG.CREATE(RCX = TDR page, RDX = HKID) (tdh_mng_create.c): the page
 * becomes the TD's TDR (PT_NDA -> PT_TDR, owned by itself), zeroed under
 * the global KeyID; the HKID, a free private KeyID, is assigned to it. */
TDX_HANDLER(tdh_mng_create)
{
	uint64_t tdr = regs[TDX_RCX], hkid = regs[TDX_RDX];
	struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
	struct pamt_io io = tdx_pamt_io(&c);
	uint64_t st = tdx_hpa_check(t, tdr, TDX_OPERAND_ID_RCX);
	struct pamt_entry p;
	if (!st && (st = pamt_get(&t->pamt, &io, tdr, &p)) == 0 && p.type != PAMT_PT_NDA)
		st = TDX_PAGE_METADATA_INCORRECT;
	st = tdx_status_operand(st, TDX_OPERAND_ID_RCX);
	if (!st && (!tdx_keyid_is_private(t, hkid) || hkid == t->global_keyid))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX;
	if (!st && t->kot[hkid] != KOT_STATE_HKID_FREE)
		st = TDX_HKID_NOT_FREE;
	if (!st)
		st = tdx_status_operand(pamt_assign(&t->pamt, &io, tdr, PAMT_4K, PAMT_PT_TDR, tdr),
					TDX_OPERAND_ID_RCX);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	tdx_page_write_direct(t, lp, (unsigned)t->global_keyid, tdr, NULL, cycles);
	struct tdx_tdr d = { .lifecycle = TD_HKID_ASSIGNED, .hkid = hkid };
	tdx_tdr_store(t, lp, tdr, &d, cycles);
	t->kot[hkid] = KOT_STATE_HKID_ASSIGNED;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MNG.KEY.CONFIG(RCX = TDR) (tdh_mng_key_config.c): program the TD's
 * ephemeral key into the HKID's slot on this package (the model has one):
 * TDX_KEY_CONFIGURED if it already is. */
TDX_HANDLER(tdh_mng_key_config)
{
	struct tdx_tdr d;
	uint64_t st = tdr_in(t, lp, regs, TDX_RCX, TD_HKID_ASSIGNED, &d, cycles);
	if (st == TDX_LIFECYCLE_STATE_INCORRECT && d.pkg_config)
		st = TDX_KEY_CONFIGURED;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	if (t->svc->key_program(t->host, (uint32_t)d.hkid, (uint32_t)d.hkid,
				TDX_KEY_FLAGS)) {
		t->fault = 1;
		return;
	}
	d.pkg_config = 1;
	d.lifecycle = TD_KEYS_CONFIGURED;
	tdx_tdr_store(t, lp, regs[TDX_RCX], &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MNG.ADDCX(RCX = page, RDX = TDR) (tdh_mng_add_cx.c): the next TDCS
 * page, zeroed under the HKID, once the key is configured and before
 * TDH.MNG.INIT. */
TDX_HANDLER(tdh_mng_addcx)
{
	struct tdx_tdr d;
	uint64_t page = regs[TDX_RCX], tdr = regs[TDX_RDX];
	uint64_t st = tdr_in(t, lp, regs, TDX_RDX, TD_KEYS_CONFIGURED, &d, cycles);
	if (!st && d.num_tdcx >= TDX_TDCS_PAGES)
		st = TDX_TDCX_NUM_INCORRECT | TDX_OPERAND_ID_RCX;
	if (!st)
		st = tdx_page_take(t, lp, page, TDX_OPERAND_ID_RCX, PAMT_PT_TDCX, tdr, (unsigned)d.hkid,
				   cycles);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	d.tdcx[d.num_tdcx++] = page;
	d.chldcnt++;
	tdx_tdr_store(t, lp, tdr, &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MNG.INIT(RCX = TDR, RDX = TD_PARAMS) (tdh_mng_init.c): with every
 * TDCS page added, read TD_PARAMS from host memory and set the TD's
 * execution controls and measurement registers; the Secure EPT root (a TDCS
 * page) is filled with FREE entries; MRTD starts. */
TDX_HANDLER(tdh_mng_init)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	uint8_t p[TD_PARAMS_MROWNERCONFIG + 48];
	uint64_t tdr = regs[TDX_RCX];
	uint64_t st = tdr_in(t, lp, regs, TDX_RCX, TD_KEYS_CONFIGURED, &d, cycles);
	if (!st && d.num_tdcx < TDX_TDCS_PAGES)
		st = TDX_TDCS_NOT_ALLOCATED;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.op_state != OP_STATE_UNINITIALIZED)
			st = TDX_OP_STATE_INCORRECT;
	}
	if (!st && (regs[TDX_RDX] % TD_PARAMS_SIZE || tdx_host_read(t, lp, regs[TDX_RDX], p, sizeof(p), cycles)))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX;
	uint64_t attr = sim_le64_load(p + TD_PARAMS_ATTRIBUTES);
	uint64_t vcpus = p[TD_PARAMS_MAX_VCPUS] | (uint64_t)p[TD_PARAMS_MAX_VCPUS + 1] << 8;
	uint64_t eptp = sim_le64_load(p + TD_PARAMS_EPTP_CONTROLS);
	uint64_t exec = sim_le64_load(p + TD_PARAMS_EXEC_CONTROLS);
	unsigned levels = (unsigned)((eptp >> 3) & 7) + 1;
	if (!st && (attr & ~TD_ATTR_SUPPORTED))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_ATTRIBUTES;
	else if (!st && !vcpus)
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_MAX_VCPUS;
	/* EPTP controls: WB memory type, a 4- or 5-level walk; GPAW (52-bit
	 * GPAs) needs 5 levels. Other bits reserved. */
	else if (!st && ((eptp & 7) != SEPT_MT_WB || (eptp & ~0x3full) || (levels != 4 && levels != 5)))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_EPTP_CONTROLS;
	else if (!st && ((exec & ~1ull) || ((exec & 1) && levels != 5)))
		st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_EXEC_CONTROLS;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	struct tdx_io io_ctx = { t, lp, (unsigned)d.hkid, cycles };
	struct sept_io io = tdx_sept_io(&io_ctx);
	if (sept_table_init(&io, d.tdcx[TDX_TDCS_SEPT_ROOT])) {
		t->fault = 1;
		return;
	}
	memset(&c, 0, sizeof(c));
	c.op_state = OP_STATE_INITIALIZED;
	c.attributes = attr;
	c.xfam = sim_le64_load(p + TD_PARAMS_XFAM);
	c.max_vcpus = vcpus;
	c.gpaw = exec & 1;
	c.ept_levels = levels;
	c.td_epoch = 1;
	c.td_ctls = (attr & TD_ATTR_SEPT_VE_DISABLE) ? 1 : 0;
	tdx_sha384_init(&c.mrtd_ctx);
	memcpy(c.mrconfigid, p + TD_PARAMS_MRCONFIGID, 48);
	memcpy(c.mrowner, p + TD_PARAMS_MROWNER, 48);
	memcpy(c.mrownerconfig, p + TD_PARAMS_MROWNERCONFIG, 48);
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	(void)tdr;
	regs[TDX_RAX] = TDX_SUCCESS;
}

void tdx_mrtd_extend(struct tdx_tdcs *c, const char *api, uint64_t gpa, const uint8_t *data,
		     size_t nblocks)
{
	/* sha384_128B_block_t: the leaf's name in bytes 0..15, the GPA at 16 */
	uint8_t b[TDX_SHA384_BLOCK] = { 0 };
	memcpy(b, api, strlen(api));
	sim_le64_store(b + 16, gpa);
	tdx_sha384_update(&c->mrtd_ctx, b, 1);
	if (nblocks)
		tdx_sha384_update(&c->mrtd_ctx, data, nblocks);
}

/* TDH.MR.EXTEND(RCX = GPA, RDX = TDR) (tdh_mr_extend.c): MRTD += the
 * 256-byte chunk at GPA (256-aligned) of a page TDH.MEM.PAGE.ADD mapped,
 * read under the HKID: one block of "MR.EXTEND" + GPA, two of content.
 * Only before TDH.MR.FINALIZE. A GPA whose walk stops above its 4K entry
 * is TDX_EPT_ENTRY_NOT_PRESENT with operand RCX and that entry in RCX /
 * RDX; a 4K entry that is not MAPPED (FREE included), the same status
 * without an operand. */
TDX_HANDLER(tdh_mr_extend)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	uint64_t gpa = regs[TDX_RCX];
	uint64_t st = tdr_in(t, lp, regs, TDX_RDX, TD_KEYS_CONFIGURED, &d, cycles);
	if (!st && d.num_tdcx < TDX_TDCS_PAGES)
		st = TDX_TDCS_NOT_ALLOCATED;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.op_state != OP_STATE_INITIALIZED)
			st = TDX_OP_STATE_INCORRECT;
	}
	struct tdx_sept_ctx x;
	if (!st) {
		tdx_sept_ctx(t, lp, regs[TDX_RDX], &d, &c, cycles, &x);
		if (gpa & 255 || sept_is_shared(&x.cfg, gpa) || gpa >> sept_gpa_width(&x.cfg))
			st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
	}
	struct sept_result r = { 0 };
	if (!st) {
		r = sept_translate(&x.cfg, &x.io, gpa, false, false);
		if (r.fault == SEPT_FAULT_EABT)
			t->fault = 1;
		else if (r.level != SEPT_LEVEL_4K) /* the walk stopped above the 4K entry */
			st = TDX_EPT_ENTRY_NOT_PRESENT | TDX_OPERAND_ID_RCX;
		else if (r.fault != SEPT_OK || r.state != SEPT_MAPPED)
			st = TDX_EPT_ENTRY_NOT_PRESENT;
		if (st == (TDX_EPT_ENTRY_NOT_PRESENT | TDX_OPERAND_ID_RCX)) {
			regs[TDX_RCX] = r.entry;
			regs[TDX_RDX] = r.level;
		}
	}
	if (st || t->fault) {
		regs[TDX_RAX] = st;
		return;
	}
	uint8_t chunk[256];
	tdx_mem_read(t, lp, (unsigned)d.hkid, r.hpa, chunk, sizeof(chunk), cycles);
	tdx_mrtd_extend(&c, "MR.EXTEND", gpa, chunk, 2);
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MR.FINALIZE(RCX = TDR) (tdh_mr_finalize.c): MRTD is sealed and the
 * TD becomes RUNNABLE: no more PAGE.ADD or MR.EXTEND, VP.ENTER allowed. */
TDX_HANDLER(tdh_mr_finalize)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	uint64_t st = tdr_in(t, lp, regs, TDX_RCX, TD_KEYS_CONFIGURED, &d, cycles);
	if (!st && d.num_tdcx < TDX_TDCS_PAGES)
		st = TDX_TDCS_NOT_ALLOCATED;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.op_state != OP_STATE_INITIALIZED)
			st = TDX_OP_STATE_INCORRECT;
	}
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	tdx_sha384_final(&c.mrtd_ctx, c.mrtd);
	c.op_state = OP_STATE_RUNNABLE;
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MNG.VPFLUSHDONE(RCX = TDR) (tdh_mng_vpflushdone.c): every vCPU must
 * have been flushed off its LP (TDH.VP.FLUSH): TDX_FLUSHVP_NOT_DONE
 * otherwise. The TD is BLOCKED for good; its HKID is FLUSHED and owes a
 * TDH.PHYMEM.CACHE.WB before it can be freed (none if no key was ever
 * programmed). */
TDX_HANDLER(tdh_mng_vpflushdone)
{
	struct tdx_tdr d;
	uint64_t st = tdx_tdr_get(t, lp, regs[TDX_RCX], TDX_OPERAND_ID_RCX, &d, cycles);
	if (!st && d.lifecycle != TD_HKID_ASSIGNED && d.lifecycle != TD_KEYS_CONFIGURED)
		st = TDX_LIFECYCLE_STATE_INCORRECT;
	if (!st && d.num_tdcx == TDX_TDCS_PAGES) {
		struct tdx_tdcs c;
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.num_assoc_vcpus)
			st = TDX_FLUSHVP_NOT_DONE;
	}
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	t->kot[d.hkid] = KOT_STATE_HKID_FLUSHED;
	t->kot_wb[d.hkid] = d.pkg_config != 0;
	d.lifecycle = TD_BLOCKED;
	tdx_tdr_store(t, lp, regs[TDX_RCX], &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.PHYMEM.CACHE.WB(RCX = resume) (tdh_phymem_cache_wb.c): write back and
 * invalidate this package's caches (WBINVD), so no line of a flushed HKID
 * outlives it; TDX_NO_HKID_READY_TO_WBCACHE (a success) if none waits.
 * The model's WBINVD is not interrupted, so RCX's resume is not needed. */
TDX_HANDLER(tdh_phymem_cache_wb)
{
	(void)lp;
	bool pending = false;
	if (regs[TDX_RCX] > 1) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return;
	}
	for (unsigned k = 0; k < t->keyids; k++)
		pending |= t->kot[k] == KOT_STATE_HKID_FLUSHED && t->kot_wb[k];
	if (!pending) {
		regs[TDX_RAX] = TDX_NO_HKID_READY_TO_WBCACHE;
		return;
	}
	tdx_sync(t, *cycles);
	if (t->svc->wbinvd(t->host, cycles)) {
		t->fault = 1;
		return;
	}
	for (unsigned k = 0; k < t->keyids; k++)
		if (t->kot[k] == KOT_STATE_HKID_FLUSHED)
			t->kot_wb[k] = 0;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.MNG.KEY.FREEID(RCX = TDR) (tdh_mng_key_freeid.c): a BLOCKED TD whose
 * HKID's caches were written back on every package gives it up: KOT
 * entry FREE, TD in TEARDOWN. */
TDX_HANDLER(tdh_mng_key_freeid)
{
	struct tdx_tdr d;
	uint64_t st = tdr_in(t, lp, regs, TDX_RCX, TD_BLOCKED, &d, cycles);
	if (!st && t->kot_wb[d.hkid])
		st = TDX_WBCACHE_NOT_COMPLETE;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	t->kot[d.hkid] = KOT_STATE_HKID_FREE;
	d.lifecycle = TD_TEARDOWN;
	tdx_tdr_store(t, lp, regs[TDX_RCX], &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.PHYMEM.PAGE.RECLAIM(RCX = page) (tdh_phymem_page_reclaim.c): a page
 * of a TD in TEARDOWN goes back to PT_NDA; the TDR itself last, when no
 * page names it as owner (TDX_TD_ASSOCIATED_PAGES_EXIST). Out: RCX = the
 * page type, RDX = the owner TDR, R8 = the page size. The content is left
 * as it is: the host resets it (MOVDIR64B) before reuse. */
TDX_HANDLER(tdh_phymem_page_reclaim)
{
	uint64_t page = regs[TDX_RCX];
	struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
	struct pamt_io io = tdx_pamt_io(&c);
	struct pamt_entry p = { 0 };
	struct tdx_tdr d;
	uint64_t st = tdx_hpa_check(t, page, TDX_OPERAND_ID_RCX);
	if (!st && (st = pamt_get(&t->pamt, &io, page, &p)) == 0 &&
	    (p.type == PAMT_PT_NDA || p.type == PAMT_PT_RSVD || page & (pamt_level_size(p.level) - 1)))
		st = TDX_PAGE_METADATA_INCORRECT;
	st = tdx_status_operand(st, TDX_OPERAND_ID_RCX);
	if (!st) {
		tdx_tdr_load(t, lp, p.owner, &d, cycles);
		if (d.lifecycle != TD_TEARDOWN)
			st = TDX_LIFECYCLE_STATE_INCORRECT;
		else if (p.type == PAMT_PT_TDR && d.chldcnt)
			st = TDX_TD_ASSOCIATED_PAGES_EXIST;
	}
	if (!st)
		st = tdx_status_operand(pamt_free(&t->pamt, &io, page, (enum pamt_level)p.level,
						  (enum pamt_page_type)p.type, p.owner),
					TDX_OPERAND_ID_RCX);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	if (p.type != PAMT_PT_TDR) {
		d.chldcnt--;
		tdx_tdr_store(t, lp, p.owner, &d, cycles);
	}
	regs[TDX_RCX] = p.type;
	regs[TDX_RDX] = p.owner;
	regs[TDX_R8] = p.level;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.PHYMEM.PAGE.WBINVD(RCX = page with its private KeyID in the KeyID
 * bits) (tdh_phymem_page_wbinvd.c): write back and invalidate the page's
 * cache lines, so that the host can reuse a page removed from a running
 * TD without a whole-cache flush. */
TDX_HANDLER(tdh_phymem_page_wbinvd)
{
	(void)lp;
	uint64_t hpa = regs[TDX_RCX], pa = tdx_pa_strip(t, hpa);
	if (pa & (TDX_PAGE - 1) || !tdx_keyid_is_private(t, tdx_pa_keyid(t, hpa))) {
		regs[TDX_RAX] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return;
	}
	if (!pamt_covers(&t->pamt, pa)) {
		regs[TDX_RAX] = TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX;
		return;
	}
	tdx_sync(t, *cycles);
	if (t->svc->cache_flush(t->host, pa, TDX_PAGE, cycles))
		t->fault = 1;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.PHYMEM.PAGE.RDMD(RCX = page) (tdh_phymem_page_rdmd.c): the page's
 * PAMT entry. Out: RCX = type, RDX = owner, R8 = size, R9 = BEPOCH. */
TDX_HANDLER(tdh_phymem_page_rdmd)
{
	struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
	struct pamt_io io = tdx_pamt_io(&c);
	struct pamt_entry p = { 0 };
	uint64_t st = tdx_hpa_check(t, regs[TDX_RCX], TDX_OPERAND_ID_RCX);
	if (!st)
		st = tdx_status_operand(pamt_get(&t->pamt, &io, regs[TDX_RCX], &p), TDX_OPERAND_ID_RCX);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	regs[TDX_RCX] = p.type;
	regs[TDX_RDX] = p.owner;
	regs[TDX_R8] = p.level;
	regs[TDX_R9] = p.bepoch;
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* --- reading a TD without side effects --- */

static int peek(struct tdx *t, unsigned key, uint64_t pa, void *buf, size_t len)
{
	return tdx_peek(t, key, pa, buf, len);
}

int tdx_td_info(struct tdx *t, uint64_t tdr, struct tdx_td_info *out)
{
	uint64_t q0;
	struct tdx_tdr d;
	memset(out, 0, sizeof(*out));
	if (t->sys_state != TDX_SYS_READY || tdx_hpa_check(t, tdr, 0) ||
	    peek(t, (unsigned)t->global_keyid, pamt_entry_addr(&t->pamt, tdr, PAMT_4K), &q0, 8) ||
	    ((q0 >> PAMT_TYPE_SHIFT) & PAMT_TYPE_MASK) != PAMT_PT_TDR ||
	    peek(t, (unsigned)t->global_keyid, tdr, &d, sizeof(d)))
		return -EINVAL;
	out->lifecycle = (unsigned)d.lifecycle;
	out->hkid = d.hkid;
	out->chldcnt = d.chldcnt;
	if (d.num_tdcx == TDX_TDCS_PAGES && d.lifecycle == TD_KEYS_CONFIGURED) {
		struct tdx_tdcs c;
		if (peek(t, (unsigned)d.hkid, d.tdcx[0], &c, sizeof(c)))
			return -EINVAL;
		out->op_state = (unsigned)c.op_state;
		out->td_epoch = c.td_epoch;
		out->num_vcpus = c.num_vcpus;
		out->attributes = c.attributes;
		memcpy(out->mrtd, c.mrtd, 48);
		memcpy(out->rtmr, c.rtmr, sizeof(c.rtmr));
	}
	return 0;
}
