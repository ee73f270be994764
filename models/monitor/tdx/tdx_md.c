/* TDH.VP.RD and TDH.VP.WR: the host's access to a vCPU's TD VMCS fields
 * and its guest GPRs
 * (Intel TDX Module v1.5 ABI Specification, "TDH.VP.RD", "TDH.VP.WR" and
 * the TD VMCS field tables; intel/tdx-module TDX_1.5.01
 * api_calls/tdh_vp_rd_wr.c, metadata_handlers/metadata_vp.c and the access
 * masks of include/auto_gen/td_vmcs_fields_lookup.c). Every field has a
 * read and a write mask for a production TD and wider ones for a debug TD
 * (ATTRIBUTES.DEBUG): a production TD's host may point the vCPU at its own
 * shared EPT and posted-interrupt descriptor and read the Secure EPTP and
 * the HKID, and nothing more -- neither the guest's state nor the
 * VM-entry event-injection field, which no host may write for any TD. The
 * guest GPR class of the TDVPS (tdvps_fields_lookup.c) has production
 * masks 0 and debug masks all ones, RSP's placeholder none. The model
 * keeps the fields it has state for; a field it does not keep is
 * TDX_METADATA_FIELD_ID_INCORRECT (docs/models.md). */
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"

/* A TD VMCS field ID (ABI "Metadata Field Identifier"): the VMCS encoding
 * in bits 23:0, class code 0 (TD VMCS) in bits 61:56; size, context and
 * the write-mask-valid bit are ignored, the reserved bits and the
 * sequence counts must be 0 (md_check_as_single_element_id). */
#define MD_FIELD_CODE(id) ((uint32_t)((id) & 0xffffffu))
#define MD_CLASS(id) ((unsigned)((id) >> 56 & 0x3f))
#define MD_MUST_BE_ZERO 0x4083fffcff000000ull /* reserved 31:24, 49:47, 55, 62; counts 46:34 */
#define VMCS_ACCESS_HIGH 1u                   /* bit 0 of an encoding: the high half */

enum vmcs_field_at { AT_PID, AT_EPTP, AT_SHARED_EPTP, AT_ENTRY_INTR, AT_HKID, AT_RIP, AT_GPR };

struct vmcs_field {
	uint32_t code;
	enum vmcs_field_at at;
	uint64_t prod_rd, prod_wr, dbg_rd, dbg_wr;
};

/* The guest GPR class: class code, context and element size as the field
 * ID carries them (bits 61:56 and 33:32 of TDVPS_GUEST_GPR_FIELD). */
#define MD_GPR_CLASS_SIZE_MASK 0x3F00000300000000ull
static const struct vmcs_field gpr_fields[TDX_NREGS] = {
#define GPR(n) { n, AT_GPR, 0, 0, ~0ull, ~0ull }
	GPR(0), GPR(1), GPR(2), GPR(3), { TDVPS_GUEST_GPR_RSP, AT_GPR, 0, 0, 0, 0 }, GPR(5),
	GPR(6), GPR(7), GPR(8), GPR(9), GPR(10), GPR(11), GPR(12), GPR(13), GPR(14), GPR(15),
#undef GPR
};

/* td_vmcs_fields_lookup.c, TDX_1.5.01: the masks as the module gives them. */
static const struct vmcs_field vmcs_fields[] = {
	{ 0x2016, AT_PID, ~0ull, ~0x3full, ~0ull, ~0x3full },         /* posted-interrupt descriptor */
	{ 0x201A, AT_EPTP, ~0ull, 0, ~0ull, 0 },                      /* EPTP (the Secure EPT) */
	{ 0x203C, AT_SHARED_EPTP, 0xffffffffff000ull, 0xffffffffff000ull, ~0ull,
	  0xffffffffff000ull },                                       /* shared EPTP */
	{ 0x4016, AT_ENTRY_INTR, 0, 0, 0xffffffffull, 0 },            /* VM-entry interruption info */
	{ 0x4026, AT_HKID, 0xffffffffull, 0, 0xffffffffull, 0 },      /* TD HKID */
	{ 0x681E, AT_RIP, 0, 0, ~0ull, ~0ull },                       /* guest RIP */
};

static const struct vmcs_field *vmcs_field_find(uint64_t id)
{
	if (id & MD_MUST_BE_ZERO)
		return NULL;
	if ((id & MD_GPR_CLASS_SIZE_MASK) == (TDVPS_GUEST_GPR_FIELD & MD_GPR_CLASS_SIZE_MASK))
		return MD_FIELD_CODE(id) < TDX_NREGS ? &gpr_fields[MD_FIELD_CODE(id)] : NULL;
	if (MD_CLASS(id) != 0 || (MD_FIELD_CODE(id) & VMCS_ACCESS_HIGH))
		return NULL;
	for (size_t i = 0; i < sizeof(vmcs_fields) / sizeof(vmcs_fields[0]); i++)
		if (vmcs_fields[i].code == MD_FIELD_CODE(id))
			return &vmcs_fields[i];
	return NULL;
}

/* What one call needs of the vCPU and its TD. */
struct vp_md {
	struct tdx_tdr d;
	struct tdx_tdcs c;
	struct tdx_tdvps vp;
	struct vcpu_state v;
	uint64_t tdvpr;
	bool debug;
};

static uint64_t field_get(const struct vp_md *x, const struct vmcs_field *f)
{
	switch (f->at) {
	case AT_PID: return x->vp.pid;
	case AT_EPTP: /* the root, the walk length - 1 in bits 5:3, write-back (6) */
		return x->d.tdcx[TDX_TDCS_SEPT_ROOT] | (x->c.ept_levels - 1) << 3 | 6;
	case AT_SHARED_EPTP: return x->vp.shared_eptp;
	case AT_ENTRY_INTR: return 0; /* the module injects nothing the host asked for */
	case AT_HKID: return x->d.hkid;
	case AT_RIP: return x->v.pc;
	case AT_GPR: return x->v.x[f->code];
	}
	return 0;
}

static void field_set(struct vp_md *x, const struct vmcs_field *f, uint64_t v)
{
	switch (f->at) {
	case AT_PID: x->vp.pid = v; break;
	case AT_SHARED_EPTP: x->vp.shared_eptp = v; break;
	case AT_RIP: x->v.pc = v; break;
	case AT_GPR: x->v.x[f->code] = v; break;
	default: break; /* no write mask lets these through */
	}
}

/* The front both leaves share: the TDVPR (RCX), its TD's key configured
 * and TDCS initialised, the vCPU READY and associated with this LP or none
 * (check_and_associate_vcpu: it becomes this LP's), the field ID (RDX). */
static uint64_t vp_md_front(struct tdx *t, unsigned lp, const uint64_t regs[TDX_NREGS],
			    struct vp_md *x, const struct vmcs_field **f, uint64_t *cycles)
{
	x->tdvpr = regs[TDX_RCX];
	uint64_t st = tdx_tdvpr_get(t, lp, x->tdvpr, TDX_OPERAND_ID_RCX, &x->d, &x->vp, cycles);
	if (st)
		return st;
	tdx_tdcs_load(t, lp, &x->d, &x->c, cycles);
	if (x->c.op_state == OP_STATE_UNINITIALIZED)
		return TDX_OP_STATE_INCORRECT;
	if (x->vp.state != VCPU_READY)
		return TDX_VCPU_STATE_INCORRECT;
	if (x->vp.assoc_lp && x->vp.assoc_lp != lp + 1u)
		return TDX_VCPU_ASSOCIATED;
	if (!x->vp.assoc_lp) {
		x->vp.assoc_lp = lp + 1u;
		x->c.num_assoc_vcpus++;
		tdx_tdvps_store(t, lp, &x->d, x->tdvpr, &x->vp, cycles);
		tdx_tdcs_store(t, lp, &x->d, &x->c, cycles);
	}
	tdx_mem_read(t, lp, (unsigned)x->d.hkid, x->tdvpr + TDX_TDVPS_VCPU_OFF, &x->v, sizeof(x->v),
		     cycles);
	x->debug = x->c.attributes & TD_ATTR_DEBUG;
	*f = vmcs_field_find(regs[TDX_RDX]);
	return *f ? TDX_SUCCESS : TDX_METADATA_FIELD_ID_INCORRECT;
}

/* TDH.VP.RD(RCX = TDVPR, RDX = field ID): R8 = the field's value under
 * its read mask; TDX_METADATA_FIELD_NOT_READABLE where the mask is 0. */
TDX_HANDLER(tdh_vp_rd)
{
	struct vp_md x;
	const struct vmcs_field *f = NULL;
	uint64_t st = vp_md_front(t, lp, regs, &x, &f, cycles);
	regs[TDX_R8] = 0;
	uint64_t rd = f ? (x.debug ? f->dbg_rd : f->prod_rd) : 0;
	if (!st && !rd)
		st = TDX_METADATA_FIELD_NOT_READABLE;
	if (!st)
		regs[TDX_R8] = field_get(&x, f) & rd;
	regs[TDX_RAX] = st;
}

/* TDH.VP.WR(RCX = TDVPR, RDX = field ID, R8 = value, R9 = write mask)
 * (md_vp_write_element): the bits both masks allow are written, and R8
 * returns the old value under the read mask. Nothing writable:
 * TDX_METADATA_FIELD_NOT_WRITABLE; a requested bit the field's mask
 * forbids that would change: TDX_METADATA_FIELD_VALUE_NOT_VALID. */
TDX_HANDLER(tdh_vp_wr)
{
	struct vp_md x;
	const struct vmcs_field *f = NULL;
	uint64_t st = vp_md_front(t, lp, regs, &x, &f, cycles), value = regs[TDX_R8],
		 req = regs[TDX_R9];
	regs[TDX_R8] = 0;
	uint64_t wr = f ? (x.debug ? f->dbg_wr : f->prod_wr) : 0;
	uint64_t rd = f ? (x.debug ? f->dbg_rd : f->prod_rd) : 0;
	uint64_t old = f ? field_get(&x, f) : 0;
	if (!st && !(wr & req))
		st = TDX_METADATA_FIELD_NOT_WRITABLE;
	if (!st && ((value ^ old) & req & ~wr))
		st = TDX_METADATA_FIELD_VALUE_NOT_VALID;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	field_set(&x, f, (old & ~(wr & req)) | (value & wr & req));
	tdx_tdvps_store(t, lp, &x.d, x.tdvpr, &x.vp, cycles);
	tdx_mem_write(t, lp, (unsigned)x.d.hkid, x.tdvpr + TDX_TDVPS_VCPU_OFF, &x.v, sizeof(x.v),
		      cycles);
	regs[TDX_R8] = old & rd;
	regs[TDX_RAX] = TDX_SUCCESS;
}
