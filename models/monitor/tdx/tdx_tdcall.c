/* TDCALL: the leaves a TD calls the module with (TDG.*), from inside
 * TDH.VP.ENTER's run loop. The TD's registers are x0..x15 by x86 GPR
 * number (x0 = RAX = leaf in, status out). Intel TDX Module v1.5 ABI
 * Specification, "TDCALL Leaf Functions"; td_dispatcher/vm_exits and
 * api_calls/tdg_*.c of the open-source module; TDG.VP.VMCALL's
 * sub-functions per the Guest-Hypervisor Communication Interface (GHCI). */
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"

/* Inputs per the ABI's leaf tables: VP.VMCALL's RCX is the bitmap of the
 * registers exposed to the host, R10 the GHCI's leaf type (0: standard),
 * R11 its sub-function, R12..R15 its operands (GHCI 1.5 2.4.1);
 * MR.RTMR.EXTEND the extend data's GPA (64-byte aligned, 48 bytes) and
 * the RTMR index; MR.REPORT the TDREPORT's GPA, REPORTDATA's GPA and the
 * subtype; MEM.PAGE.ACCEPT the EPT mapping information (GPA | level);
 * VM.RD / WR the field identifier in RDX, WR's value in R8 and its write
 * mask in R9. */
static const struct tdcall_leaf tdcall_table[] = {
	{ TDG_VP_VMCALL, "vp.vmcall", 100,
	  { "expose", NULL, NULL, NULL, "type", "fn", "r12", "r13", "r14", "r15" } },
	{ TDG_VP_INFO, "vp.info", 100, { NULL } },
	{ TDG_MR_RTMR_EXTEND, "mr.rtmr.extend", 300, { "gpa", "index" } },
	{ TDG_VP_VEINFO_GET, "vp.veinfo.get", 100, { NULL } },
	{ TDG_MR_REPORT, "mr.report", 2000, { "report", "reportdata", "subtype" } },
	{ TDG_MEM_PAGE_ACCEPT, "mem.page.accept", 300, { "gpa" } },
	{ TDG_VM_RD, "vm.rd", 100, { NULL, "field" } },
	{ TDG_VM_WR, "vm.wr", 100, { NULL, "field", "value", "mask" } },
};
#define NTDCALLS (sizeof(tdcall_table) / sizeof(tdcall_table[0]))

const struct tdcall_leaf *tdcall_leaf_by_number(uint64_t leaf)
{
	for (size_t i = 0; i < NTDCALLS; i++)
		if (tdcall_table[i].leaf == leaf)
			return &tdcall_table[i];
	return NULL;
}

const struct tdcall_leaf *tdcall_leaf_by_name(const char *name)
{
	for (size_t i = 0; i < NTDCALLS; i++)
		if (strcmp(tdcall_table[i].name, name) == 0)
			return &tdcall_table[i];
	return NULL;
}

size_t tdcall_leaves(const struct tdcall_leaf **out)
{
	*out = tdcall_table;
	return NTDCALLS;
}

enum sept_fault tdx_td_private_rw(struct tdcall_ctx *x, uint64_t gpa, void *buf, size_t len,
				  bool write, uint64_t *cycles)
{
	struct tdx_sept_ctx sx;
	uint8_t *p = buf;
	tdx_sept_ctx(x->t, x->lp, x->tdr, x->d, x->c, cycles, &sx);
	while (len) {
		size_t n = MIN(len, TDX_PAGE - (gpa & (TDX_PAGE - 1)));
		if (sept_is_shared(&sx.cfg, gpa))
			return SEPT_FAULT_VIOLATION;
		struct sept_result r = sept_translate(&sx.cfg, &sx.io, gpa, write, false);
		if (r.fault)
			return r.fault;
		if (write)
			tdx_mem_write(x->t, x->lp, (unsigned)x->d->hkid, r.hpa, p, n, cycles);
		else
			tdx_mem_read(x->t, x->lp, (unsigned)x->d->hkid, r.hpa, p, n, cycles);
		gpa += n;
		p += n;
		len -= n;
	}
	return SEPT_OK;
}

/* A TD memory operand the module cannot reach: a pending page #VEs as the
 * TD's own access would; otherwise the host must map it (TD exit, the
 * TDCALL runs again). */
static enum tdcall_next mem_fault(struct tdcall_ctx *x, enum sept_fault f, uint64_t gpa)
{
	if (f == SEPT_FAULT_EABT) {
		x->t->fault = 1;
		return TDCALL_RESUME;
	}
	x->exit_gpa = gpa;
	return TDCALL_EXIT_EPT;
}

#define R(i) (x->v->x[i])

/* TDG.VP.VMCALL (tdg_vp_vmcall.c): RCX = the GPRs to expose to the host
 * (RAX, RCX and RSP never: TDX_OPERAND_INVALID), R10 = 0 for the GHCI's
 * standard calls, R11 = the sub-function (GetQuote, MapGPA, an
 * instruction's exit reason: CPUID, HLT, I/O, MMIO...). A TD exit; the
 * host's answer comes back on the next TDH.VP.ENTER. */
static enum tdcall_next tdg_vp_vmcall(struct tdcall_ctx *x)
{
	uint64_t bitmap = R(TDX_RCX);
	if (bitmap & ((1ull << TDX_RAX) | (1ull << TDX_RCX) | (1ull << TDX_RSP) | ~0xffffull)) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return TDCALL_RESUME;
	}
	x->vp->vmcall_bitmap = bitmap | TDX_VMCALL_PENDING;
	return TDCALL_EXIT_VMCALL;
}

/* TDG.VP.INFO (tdg_vp_info.c): RCX = GPAW (bits 5:0: 48 or 52), RDX =
 * ATTRIBUTES, R8 = NUM_VCPUS [31:0] | MAX_VCPUS [63:32], R9 = VCPU_INDEX. */
static enum tdcall_next tdg_vp_info(struct tdcall_ctx *x)
{
	R(TDX_RCX) = x->c->gpaw ? 52 : 48;
	R(TDX_RDX) = x->c->attributes;
	R(TDX_R8) = x->c->num_vcpus | x->c->max_vcpus << 32;
	R(TDX_R9) = x->vp->index;
	R(TDX_R10) = R(TDX_R11) = 0;
	R(TDX_RAX) = TDX_SUCCESS;
	return TDCALL_RESUME;
}

/* TDG.MR.RTMR.EXTEND (tdg_mr_rtmr_extend.c): RCX = GPA of 48 bytes
 * (64-aligned, private), RDX = RTMR index 0..3; RTMR = SHA-384(RTMR ||
 * data). */
static enum tdcall_next tdg_mr_rtmr_extend(struct tdcall_ctx *x, uint64_t *cycles)
{
	uint64_t gpa = R(TDX_RCX), idx = R(TDX_RDX);
	uint8_t buf[96];
	if (gpa & 63) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return TDCALL_RESUME;
	}
	if (idx > 3) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX;
		return TDCALL_RESUME;
	}
	enum sept_fault f = tdx_td_private_rw(x, gpa, buf + 48, 48, false, cycles);
	if (f)
		return mem_fault(x, f, gpa);
	memcpy(buf, x->c->rtmr[idx], 48);
	tdx_sha384(buf, sizeof(buf), x->c->rtmr[idx]);
	tdx_tdcs_store(x->t, x->lp, x->d, x->c, cycles);
	R(TDX_RAX) = TDX_SUCCESS;
	return TDCALL_RESUME;
}

/* TDG.VP.VEINFO.GET (tdg_vp_veinfo_get.c): the last #VE's exit reason
 * (RCX), qualification (RDX), GLA (R8), GPA (R9); once. */
static enum tdcall_next tdg_vp_veinfo_get(struct tdcall_ctx *x)
{
	struct tdx_tdvps *vp = x->vp;
	if (!vp->ve_valid) {
		R(TDX_RAX) = TDX_NO_VALID_VE_INFO;
		return TDCALL_RESUME;
	}
	R(TDX_RCX) = vp->ve_reason;
	R(TDX_RDX) = vp->ve_qual;
	R(TDX_R8) = vp->ve_gla;
	R(TDX_R9) = vp->ve_gpa;
	R(TDX_R10) = 0;
	vp->ve_valid = 0;
	R(TDX_RAX) = TDX_SUCCESS;
	return TDCALL_RESUME;
}

/* TDG.MR.REPORT (tdg_mr_report.c): RCX = GPA for the 1024-byte TDREPORT
 * (1024-aligned), RDX = GPA of the 64-byte REPORTDATA (64-aligned), R8 =
 * report subtype, 0. */
static enum tdcall_next tdg_mr_report(struct tdcall_ctx *x, uint64_t *cycles)
{
	uint64_t out = R(TDX_RCX), in = R(TDX_RDX);
	uint8_t data[64], report[TDREPORT_SIZE];
	if (out % TDREPORT_SIZE) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return TDCALL_RESUME;
	}
	if (in & 63) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX;
		return TDCALL_RESUME;
	}
	if (R(TDX_R8)) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8;
		return TDCALL_RESUME;
	}
	enum sept_fault f = tdx_td_private_rw(x, in, data, sizeof(data), false, cycles);
	if (f)
		return mem_fault(x, f, in);
	tdx_report_build(x->t, x->c, data, report);
	if ((f = tdx_td_private_rw(x, out, report, sizeof(report), true, cycles)))
		return mem_fault(x, f, out);
	R(TDX_RAX) = TDX_SUCCESS;
	return TDCALL_RESUME;
}

/* TDG.MEM.PAGE.ACCEPT (tdg_mem_page_accept.c): RCX = GPA | level (4 KB or
 * 2 MB) of a PENDING page, which is zeroed under the HKID and mapped. */
static enum tdcall_next tdg_mem_page_accept(struct tdcall_ctx *x, uint64_t *cycles)
{
	uint64_t gpa = R(TDX_RCX) & ~0xfffull;
	unsigned level = (unsigned)(R(TDX_RCX) & 7);
	if (R(TDX_RCX) & 0xff8ull) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX;
		return TDCALL_RESUME;
	}
	uint64_t st = tdx_accept(x->t, x->lp, x->tdr, x->d, x->c, gpa, level, cycles);
	if (st == TDX_SIM_TD_EXIT_EPT_VIOLATION) {
		x->exit_gpa = gpa;
		return TDCALL_EXIT_EPT;
	}
	R(TDX_RAX) = st;
	return TDCALL_RESUME;
}

uint64_t tdx_accept(struct tdx *t, unsigned lp, uint64_t tdr, const struct tdx_tdr *d,
		    const struct tdx_tdcs *c, uint64_t gpa, unsigned level, uint64_t *cycles)
{
	struct tdx_sept_ctx sx;
	struct sept_op op;
	tdx_sept_ctx(t, lp, tdr, d, c, cycles, &sx);
	uint64_t st = sept_accept(&sx.env, gpa, level, &op);
	if (st == TDX_SUCCESS)
		for (uint64_t off = 0; off < sept_level_size(level); off += TDX_PAGE)
			tdx_page_write_direct(t, lp, (unsigned)d->hkid, op.hpa + off, NULL, cycles);
	return st;
}

uint64_t tdx_td_accept(struct tdx *t, unsigned lp, uint64_t tdr, uint64_t gpa, uint64_t *cycles)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	uint64_t spent = 0; /* the module's accesses are timed from the call's start */
	if (tdx_disabled(t))
		return TDX_SEAMCALL_VMFAILINVALID; /* no TD runs */
	uint64_t st = tdx_tdr_get(t, lp, tdr, TDX_OPERAND_ID_RCX, &d, &spent);
	if (!st && (d.lifecycle != TD_KEYS_CONFIGURED || d.fatal))
		st = TDX_LIFECYCLE_STATE_INCORRECT;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, &spent);
		st = tdx_accept(t, lp, tdr, &d, &c, gpa & ~0xfffull, SEPT_LEVEL_4K, &spent);
	}
	uint64_t regs[TDX_NREGS] = { [TDX_RAX] = st };
	if (tdx_machine_check(t, regs))
		st = regs[TDX_RAX];
	*cycles += spent;
	return st;
}

/* TDG.VM.RD / WR (tdg_vm_rd_wr.c): RDX = field ID; WR: R8 = value, R9 =
 * write mask; out R8 = the value read, for WR the field's previous value
 * (md_write_element's old_value), and 0 on an error. The TD-scope fields
 * modelled: CONFIG_FLAGS (read only), TD_CTLS, NOTIFY_ENABLES. */
static enum tdcall_next tdg_vm_rdwr(struct tdcall_ctx *x, bool write, uint64_t *cycles)
{
	uint64_t id = R(TDX_RDX), wr = R(TDX_R8), mask = R(TDX_R9), *field;
	uint64_t flags = x->c->gpaw;
	R(TDX_R8) = 0;
	switch (id) {
	case TDCS_CONFIG_FLAGS: field = &flags; break;
	case TDCS_TD_CTLS: field = &x->c->td_ctls; break;
	case TDCS_NOTIFY_ENABLES: field = &x->c->notify_enables; break;
	default:
		R(TDX_RAX) = TDX_METADATA_FIELD_ID_INCORRECT | TDX_OPERAND_ID_RDX;
		return TDCALL_RESUME;
	}
	uint64_t value = *field;
	if (write) {
		if (field == &flags || (mask & ~1ull)) {
			R(TDX_RAX) = TDX_METADATA_FIELD_NOT_WRITABLE | TDX_OPERAND_ID_RDX;
			return TDCALL_RESUME;
		}
		*field = (*field & ~mask) | (wr & mask);
		tdx_tdcs_store(x->t, x->lp, x->d, x->c, cycles);
	}
	R(TDX_R8) = value;
	R(TDX_RAX) = TDX_SUCCESS;
	return TDCALL_RESUME;
}

static enum tdcall_next tdcall_dispatch(struct tdcall_ctx *x, uint64_t *cycles)
{
	uint64_t leaf = R(TDX_RAX);
	const struct tdcall_leaf *l = tdcall_leaf_by_number(leaf);
	enum tdcall_next next = TDCALL_RESUME;
	*cycles += x->t->cfg.tdcall_cycles;
	if (!l) {
		R(TDX_RAX) = TDX_OPERAND_INVALID | 0 /* RAX */;
		return TDCALL_RESUME;
	}
	*cycles += l->cost;
	switch (l->leaf) {
	case TDG_VP_VMCALL: next = tdg_vp_vmcall(x); break;
	case TDG_VP_INFO: next = tdg_vp_info(x); break;
	case TDG_MR_RTMR_EXTEND: next = tdg_mr_rtmr_extend(x, cycles); break;
	case TDG_VP_VEINFO_GET: next = tdg_vp_veinfo_get(x); break;
	case TDG_MR_REPORT: next = tdg_mr_report(x, cycles); break;
	case TDG_MEM_PAGE_ACCEPT: next = tdg_mem_page_accept(x, cycles); break;
	case TDG_VM_RD: next = tdg_vm_rdwr(x, false, cycles); break;
	case TDG_VM_WR: next = tdg_vm_rdwr(x, true, cycles); break;
	}
	size_t i = (size_t)(l - tdcall_table);
	x->t->stat_tdcalls[i]++;
	if (next == TDCALL_RESUME && tdx_status_is_error(R(TDX_RAX)))
		x->t->stat_tdcall_errors[i]++;
	return next;
}

/* The call and its return are traced at the cycles they happen. */
enum tdcall_next tdx_tdcall(struct tdcall_ctx *x, uint64_t *cycles)
{
	struct tdx *t = x->t;
	uint64_t leaf = R(TDX_RAX), before = *cycles;
	tdx_sync(t, *cycles);
	t->svc->trace(t->host, t->tr_guest_call, leaf, R(TDX_RCX), R(TDX_RDX), R(TDX_R8), NULL, 0);
	enum tdcall_next next = tdcall_dispatch(x, cycles);
	tdx_sync(t, *cycles);
	t->svc->trace(t->host, t->tr_guest_ret, leaf, R(TDX_RAX), R(TDX_RCX), *cycles - before, NULL, 0);
	return next;
}
