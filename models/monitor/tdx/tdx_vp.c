/* TD vCPUs: TDH.VP.CREATE / ADDCX / INIT / FLUSH, and TDH.VP.ENTER, which
 * runs the vCPU on the calling logical processor until a TD exit. Intel
 * TDX Module v1.5 ABI Specification ("TD Entry and Exit", "TD VCPU
 * Lifecycle"); api_calls/tdh_vp_*.c and td_dispatcher/ of the open-source
 * module.
 *
 * The vCPU's registers live in its TDVPR page under the HKID: the host sees
 * only what an exit hands it. TD code runs with guest paging off (GPA =
 * VA) through the Secure EPT (private GPAs, read under the HKID) and the
 * host's shared EPT (GPA.SHARED), on the LP's TLB tagged by the TD. What
 * the TD cannot do itself becomes a #VE the module injects (HLT, CPUID,
 * MSRs, port I/O: the guest's handler then asks the host with
 * TDG.VP.VMCALL) or a TD exit (EPT violations the host must resolve, the
 * host's timer tick, TDG.VP.VMCALL). A TD whose own memory fails its
 * integrity check is marked fatal (TDX_NON_RECOVERABLE_TD). 5-level Secure
 * EPT (GPAW) is built by the leaves but not run: the CPU walker is
 * 4-level. */
#include <errno.h>
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"

const char *tdx_exit_reason_name(unsigned basic)
{
	switch (basic) {
	case TDX_EXIT_EXTERNAL_INTERRUPT: return "external_interrupt";
	case TDX_EXIT_CPUID: return "cpuid";
	case TDX_EXIT_HLT: return "hlt";
	case TDX_EXIT_IO: return "io";
	case TDX_EXIT_RDMSR: return "rdmsr";
	case TDX_EXIT_WRMSR: return "wrmsr";
	case TDX_EXIT_EPT_VIOLATION: return "ept_violation";
	case TDX_EXIT_TDCALL: return "tdcall";
	default: return NULL;
	}
}

void tdx_vp_stats(struct tdx *t, ccsim_stat_fn *emit, void *ctx)
{
	emit(ctx, "tdx.td.entries", CCSIM_STAT_COUNT, &t->stat_td_entries,
	     "TD entries (TDH.VP.ENTER that ran the vCPU)");
	emit(ctx, "tdx.td.exits", CCSIM_STAT_COUNT, &t->stat_td_exits, "TD exits back to the host");
	emit(ctx, "tdx.td.td_cycles", CCSIM_STAT_CYCLES, &t->stat_td_cycles,
	     "cycles LPs spent executing TD code");
	emit(ctx, "tdx.td.td_insns", CCSIM_STAT_COUNT, &t->stat_td_insns, "TD instructions retired");
	emit(ctx, "tdx.td.ve", CCSIM_STAT_COUNT, &t->stat_ve, "#VE the module injected into TDs");
}

/* The TD's tag in TLBs: the module flushes it on a vCPU's first entry and
 * whenever TD_EPOCH moved (and on TDH.VP.FLUSH), so an HKID's reuse by a
 * later TD meets no stale translation. */
static uint16_t td_vmid(uint64_t hkid) { return (uint16_t)(0x8000u | hkid); }

/* A TDVPR operand: PT_TDVPR in the PAMT; its owner's TDR and the TDVPS
 * loaded. The TD's key must be configured (the TDVPS is under it). */
uint64_t tdx_tdvpr_get(struct tdx *t, unsigned lp, uint64_t tdvpr, uint64_t op, struct tdx_tdr *d,
		       struct tdx_tdvps *vp, uint64_t *cycles)
{
	struct tdx_io c = { t, lp, (unsigned)t->global_keyid, cycles };
	struct pamt_io io = tdx_pamt_io(&c);
	struct pamt_entry p;
	uint64_t st = tdx_hpa_check(t, tdvpr, op);
	if (!st && (st = pamt_get(&t->pamt, &io, tdvpr, &p)) == 0 && p.type != PAMT_PT_TDVPR)
		st = TDX_PAGE_METADATA_INCORRECT;
	if (st)
		return tdx_status_operand(st, op);
	tdx_tdr_load(t, lp, p.owner, d, cycles);
	if (d->lifecycle != TD_KEYS_CONFIGURED)
		return TDX_LIFECYCLE_STATE_INCORRECT;
	tdx_mem_read(t, lp, (unsigned)d->hkid, tdvpr, vp, sizeof(*vp), cycles);
	return TDX_SUCCESS;
}

void tdx_tdvps_store(struct tdx *t, unsigned lp, const struct tdx_tdr *d, uint64_t tdvpr,
		     const struct tdx_tdvps *vp, uint64_t *cycles)
{
	tdx_mem_write(t, lp, (unsigned)d->hkid, tdvpr, vp, sizeof(*vp), cycles);
}

/* TDH.VP.CREATE(RCX = TDVPR page, RDX = TDR) (tdh_vp_create.c): a new
 * vCPU, index in creation order, before TDH.MR.FINALIZE and up to
 * MAX_VCPUS (TDX_MAX_VCPUS_EXCEEDED). */
TDX_HANDLER(tdh_vp_create)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	uint64_t page = regs[TDX_RCX], tdr = regs[TDX_RDX];
	uint64_t st = tdx_tdr_get(t, lp, tdr, TDX_OPERAND_ID_RDX, &d, cycles);
	if (!st && d.lifecycle != TD_KEYS_CONFIGURED)
		st = d.lifecycle == TD_HKID_ASSIGNED ? TDX_TD_KEYS_NOT_CONFIGURED
						     : TDX_LIFECYCLE_STATE_INCORRECT;
	if (!st && d.num_tdcx < TDX_TDCS_PAGES)
		st = TDX_TDCS_NOT_ALLOCATED;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.op_state != OP_STATE_INITIALIZED)
			st = TDX_OP_STATE_INCORRECT;
		else if (c.num_vcpus >= c.max_vcpus)
			st = TDX_MAX_VCPUS_EXCEEDED;
	}
	if (!st)
		st = tdx_page_take(t, lp, page, TDX_OPERAND_ID_RCX, PAMT_PT_TDVPR, tdr, (unsigned)d.hkid,
				   cycles);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	struct tdx_tdvps vp = { .state = VCPU_UNINITIALIZED, .owner = tdr, .index = c.num_vcpus };
	tdx_tdvps_store(t, lp, &d, page, &vp, cycles);
	c.num_vcpus++;
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	d.chldcnt++;
	tdx_tdr_store(t, lp, tdr, &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.VP.ADDCX(RCX = page, RDX = TDVPR) (tdh_vp_addcx.c): the next TDVPS
 * page of a vCPU not yet initialised. */
TDX_HANDLER(tdh_vp_addcx)
{
	struct tdx_tdr d;
	struct tdx_tdvps vp;
	uint64_t page = regs[TDX_RCX], tdvpr = regs[TDX_RDX];
	uint64_t st = tdx_tdvpr_get(t, lp, tdvpr, TDX_OPERAND_ID_RDX, &d, &vp, cycles);
	if (!st && vp.state != VCPU_UNINITIALIZED)
		st = TDX_VCPU_STATE_INCORRECT;
	if (!st && vp.num_tdvpx >= TDX_TDVPS_PAGES - 1)
		st = TDX_TDCX_NUM_INCORRECT | TDX_OPERAND_ID_RCX;
	if (!st)
		st = tdx_page_take(t, lp, page, TDX_OPERAND_ID_RCX, PAMT_PT_TDCX, vp.owner,
				   (unsigned)d.hkid, cycles);
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	vp.tdvpx[vp.num_tdvpx++] = page;
	tdx_tdvps_store(t, lp, &d, tdvpr, &vp, cycles);
	d.chldcnt++;
	tdx_tdr_store(t, lp, vp.owner, &d, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* The reset vector a TD vCPU starts at (ABI "Initial State of a TD VCPU":
 * RIP = 0xFFFFFFF0, as a real-mode x86 reset). */
#define TDX_RESET_RIP 0xFFFFFFF0ull

/* TDH.VP.INIT(RCX = TDVPR, RDX = the vCPU's initial RCX, R8 = x2APIC ID)
 * (tdh_vp_init.c): every TDVPS page present (TDX_TDCX_NUM_INCORRECT), the
 * vCPU set to its initial state and associated with this LP. */
TDX_HANDLER(tdh_vp_init)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	struct tdx_tdvps vp;
	uint64_t tdvpr = regs[TDX_RCX];
	uint64_t st = tdx_tdvpr_get(t, lp, tdvpr, TDX_OPERAND_ID_RCX, &d, &vp, cycles);
	if (!st && vp.state != VCPU_UNINITIALIZED)
		st = TDX_VCPU_STATE_INCORRECT;
	if (!st && vp.num_tdvpx < TDX_TDVPS_PAGES - 1)
		st = TDX_TDCX_NUM_INCORRECT;
	if (st) {
		regs[TDX_RAX] = st;
		return;
	}
	tdx_tdcs_load(t, lp, &d, &c, cycles);
	struct vcpu_state v = { .pc = TDX_RESET_RIP, .daif = ISA_DAIF_I };
	v.x[TDX_RCX] = regs[TDX_RDX];
	v.x[TDX_R8] = regs[TDX_R8];
	tdx_mem_write(t, lp, (unsigned)d.hkid, tdvpr + TDX_TDVPS_VCPU_OFF, &v, sizeof(v), cycles);
	vp.state = VCPU_READY;
	vp.assoc_lp = lp + 1u;
	tdx_tdvps_store(t, lp, &d, tdvpr, &vp, cycles);
	c.num_assoc_vcpus++;
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

/* TDH.VP.FLUSH(RCX = TDVPR) (tdh_vp_flush.c): on the LP the vCPU is
 * associated with (TDX_VCPU_NOT_ASSOCIATED elsewhere), flush its cached
 * state and the TD's translations there, and dissociate it. A vCPU
 * associated with no LP needs nothing. */
TDX_HANDLER(tdh_vp_flush)
{
	struct tdx_tdr d;
	struct tdx_tdvps vp;
	uint64_t tdvpr = regs[TDX_RCX];
	uint64_t st = tdx_tdvpr_get(t, lp, tdvpr, TDX_OPERAND_ID_RCX, &d, &vp, cycles);
	if (!st && vp.assoc_lp && vp.assoc_lp != lp + 1u)
		st = TDX_VCPU_NOT_ASSOCIATED;
	if (st || !vp.assoc_lp) {
		regs[TDX_RAX] = st;
		return;
	}
	struct tdx_tdcs c;
	tdx_tdcs_load(t, lp, &d, &c, cycles);
	t->svc->tlbi_core(t->host, lp, td_vmid(d.hkid), cycles);
	vp.assoc_lp = 0;
	tdx_tdvps_store(t, lp, &d, tdvpr, &vp, cycles);
	c.num_assoc_vcpus--;
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	regs[TDX_RAX] = TDX_SUCCESS;
}

int tdx_vp_set_pid(struct tdx *t, uint64_t tdvpr, uint64_t pid)
{
	struct tdx_tdr d;
	struct tdx_tdvps vp;
	uint64_t c = 0;
	if (t->sys_state != TDX_SYS_READY || tdx_tdvpr_get(t, 0, tdvpr, 0, &d, &vp, &c) || t->fault ||
	    pid & 63) {
		t->fault = 0;
		return -22; /* -EINVAL */
	}
	vp.pid = pid;
	tdx_tdvps_store(t, 0, &d, tdvpr, &vp, &c);
	t->fault = 0;
	return 0;
}

void tdx_lp_set_timer(struct tdx *t, unsigned lp, uint64_t at)
{
	if (lp < TDX_MAX_LPS)
		t->lp_timer[lp] = at;
}

/* Posted-interrupt processing at TD entry (SDM vol. 3C 30.6): with ON set,
 * every PIR bit becomes a pending virtual interrupt of the vCPU (the list
 * registers stand for its virtual APIC), and PIR and ON are cleared. The
 * descriptor is host memory, read and written with KeyID 0. */
static void pid_process(struct tdx *t, unsigned lp, uint64_t pid, struct vcpu_state *v,
			uint64_t *cycles)
{
	uint8_t d[64];
	if (!pid || tdx_host_read(t, lp, pid, d, sizeof(d), cycles) || !(d[TDX_PID_ON_BYTE] & 1))
		return;
	for (uint32_t vec = 0; vec < 256; vec++)
		if (d[vec / 8] >> (vec % 8) & 1 && !vcpu_lr_holds(v, vec))
			(void)vcpu_lr_inject(v, vec);
	memset(d, 0, TDX_PID_ON_BYTE + 1);
	(void)tdx_host_write(t, lp, pid, d, sizeof(d), cycles);
}

int tdx_vp_set_shared_eptp(struct tdx *t, uint64_t tdvpr, uint64_t eptp)
{
	struct tdx_tdr d;
	struct tdx_tdvps vp;
	uint64_t c = 0;
	if (t->sys_state != TDX_SYS_READY || tdx_tdvpr_get(t, 0, tdvpr, 0, &d, &vp, &c) || t->fault) {
		t->fault = 0;
		return -22; /* -EINVAL */
	}
	vp.shared_eptp = eptp & ~0xfffull;
	tdx_tdvps_store(t, 0, &d, tdvpr, &vp, &c);
	t->fault = 0;
	return 0;
}

/* --- TDH.VP.ENTER --- */

/* What a TD exit hands the host, besides RAX's exit reason. */
struct td_exit {
	uint64_t status;          /* TDX_SUCCESS | reason, or a non-recoverable status */
	uint64_t out[TDX_NREGS];  /* host registers the exit sets */
	uint64_t set;             /* which of them (bitmap by GPR number) */
};

static void exit_set(struct td_exit *x, unsigned reg, uint64_t v)
{
	x->out[reg] = v;
	x->set |= 1ull << reg;
}

/* An EPT violation the host must resolve: RCX = exit qualification (bit
 * 0 read, 1 write, 2 fetch), R8 = the GPA with bits 11:0 cleared: the host
 * learns the page, not the offset (td_other_exits.c
 * tdx_ept_violation_exit_to_vmm; ABI TDH.VP.ENTER, EPT-violation exit). */
static void exit_ept(struct td_exit *x, uint64_t gpa, bool write, bool fetch)
{
	x->status = TDX_SUCCESS | TDX_EXIT_EPT_VIOLATION;
	exit_set(x, TDX_RCX, fetch ? 4 : write ? 2 : 1);
	exit_set(x, TDX_R8, gpa & ~(TDX_PAGE - 1));
}

/* #VE into the TD (td_vmexit_to_ve): the exit's information kept for
 * TDG.VP.VEINFO.GET, the exception taken at the TD's vector. */
static void inject_ve(struct tdx *t, struct tdx_tdvps *vp, struct vcpu_state *v, unsigned reason,
		      uint64_t qual, uint64_t gpa)
{
	vp->ve_valid = 1;
	vp->ve_reason = reason;
	vp->ve_qual = qual;
	vp->ve_gla = gpa;
	vp->ve_gpa = gpa;
	vcpu_take_sync(v, ESR_EC_VE | (uint64_t)reason << ESR_VC_CODE_SHIFT, gpa);
	t->stat_ve++;
}

/* The regime a TD vCPU runs in: nested paging with the TD's Secure EPT for
 * private GPAs and the host's shared EPT for GPA.SHARED ones, no guest
 * paging of its own here, its accesses and Secure EPT reads under the
 * HKID, its TLB entries tagged by the TD and the vCPU, on the LP. */
static void vcpu_regime(const struct tdx *t, unsigned lp, const struct tdx_tdr *d,
			const struct tdx_tdcs *c, const struct tdx_tdvps *vp,
			struct ccsim_guest_regime *g)
{
	*g = (struct ccsim_guest_regime){
		.fmt = CCSIM_REGIME_X86_EPT, .core = lp, .s2_root = d->tdcx[TDX_TDCS_SEPT_ROOT],
		.shared_root = vp->shared_eptp, .shared_bit = c->gpaw ? 51 : 47,
		.pa_bits = (uint32_t)(t->cfg.pa_bits - t->cfg.keyid_bits), .key = (int32_t)d->hkid,
		.vmid = td_vmid(d->hkid), .asid = (uint32_t)vp->index, .pas = CCSIM_PAS_NS,
	};
}

int tdx_vp_regime(struct tdx *t, uint64_t tdvpr, unsigned lp, struct ccsim_guest_regime *g)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	struct tdx_tdvps vp;
	uint64_t cycles = 0;
	if (tdx_tdvpr_get(t, lp, tdvpr, TDX_OPERAND_ID_RCX, &d, &vp, &cycles))
		return -EINVAL;
	tdx_tdcs_load(t, lp, &d, &c, &cycles);
	vcpu_regime(t, lp, &d, &c, &vp, g);
	return 0;
}

/* A guest access that faulted in the walk or the memory path: #VE, a TD
 * exit, or (its own memory poisoned) a fatal TD. */
static bool on_abort(struct tdcall_ctx *tc, const struct ccsim_guest_stop *st, struct td_exit *x,
		     uint64_t *cycles)
{
	struct tdx *t = tc->t;
	uint64_t gpa = st->addr;
	if (st->fault.kind == CCSIM_FAULT_POISON || st->fault.kind != CCSIM_FAULT_MMU_S2) {
		/* A machine check on the TD's own memory: the module marks the
		 * TD fatal; no vCPU of it runs again (td_fatal handling). */
		tc->d->fatal = 1;
		tdx_tdr_store(t, tc->lp, tc->tdr, tc->d, cycles);
		x->status = TDX_NON_RECOVERABLE_TD;
		return true;
	}
	unsigned shared_bit = tc->c->gpaw ? 51 : 47;
	if ((gpa >> shared_bit) & 1 && st->fault.code == PT_FAULT_RSVD && !st->fetch) {
		/* a shared-EPT entry the host marked as emulated MMIO: the EPT
		 * violation is a #VE in the TD, whose handler asks the host
		 * with TDG.VP.VMCALL<#VE.RequestMMIO> (KVM marks MMIO in a TD's
		 * shared EPT with suppress-#VE clear, arch/x86/kvm/vmx/tdx.c;
		 * the model spells that entry with a reserved bit) */
		inject_ve(t, tc->vp, tc->v, TDX_EXIT_EPT_VIOLATION, st->write ? 2 : 1, gpa);
		return false;
	}
	if ((gpa >> shared_bit) & 1) { /* the host's shared EPT: its own to fix */
		exit_ept(x, gpa, st->write, st->fetch);
		return true;
	}
	struct tdx_sept_ctx sx;
	tdx_sept_ctx(t, tc->lp, tc->tdr, tc->d, tc->c, cycles, &sx);
	struct sept_result r = sept_translate(&sx.cfg, &sx.io, gpa, st->write, st->fetch);
	if (r.fault == SEPT_FAULT_VE || r.fault == SEPT_FAULT_GPA) {
		inject_ve(t, tc->vp, tc->v, TDX_EXIT_EPT_VIOLATION, st->write ? 2 : 1, gpa);
		return false;
	}
	exit_ept(x, gpa, st->write, st->fetch);
	return true;
}

static unsigned trap_reason(uint32_t trap)
{
	switch (trap) {
	case CCSIM_TRAP_CPUID: return TDX_EXIT_CPUID;
	case CCSIM_TRAP_RDMSR: return TDX_EXIT_RDMSR;
	case CCSIM_TRAP_WRMSR: return TDX_EXIT_WRMSR;
	default: return TDX_EXIT_IO;
	}
}

/* An interruption-type exit (the host's timer or tick): the module's
 * single-step heuristic judges it (tdx_step.c). 0 hands it to the host;
 * else the prevention mode's count of instructions to single-step first. */
static unsigned judge_interrupt(struct tdcall_ctx *tc, uint64_t td_cycles)
{
	return tdx_step_on_interrupt(tc->t->step, tc->lp, tc->v->pc, tc->v->x[TDX_RCX],
				     tc->v->insns, tc->c->attributes >> 63 & 1, td_cycles);
}

/* Run the vCPU until something needs the host. The host's tick comes
 * host_slice_cycles after the entry (or its armed timer earlier), whatever
 * the TD did in between: the TDCALLs and #VEs the module serves without an
 * exit count against it. An interrupt the single-step heuristic suspects
 * puts the module in its prevention mode: it single-steps the TD itself
 * (one instruction per entry, interrupts blocked, each step an exit and
 * entry inside the module), then lets the interrupt exit; a TDCALL or a
 * fault on the way ends the mode early and the interrupt exits at the next
 * boundary (td_exit_stepping.c vmexit_stepping_filter). */
static void run(struct tdcall_ctx *tc, struct td_exit *x, uint64_t *cycles)
{
	struct tdx *t = tc->t;
	struct vcpu_state *v = tc->v;
	const uint64_t entered = *cycles;
	const uint64_t slice = tdx_step_deadline(t->step, tc->lp, t->cfg.host_slice_cycles);
	const uint64_t timer = t->lp_timer[tc->lp]; /* the host personality's, absolute */
	unsigned pm = 0;      /* prevention mode: instructions still to step */
	bool stepping = false, irq = false;
	for (;;) {
		uint64_t now = tdx_now(t) + *cycles;
		if (!stepping && (irq || *cycles - entered >= slice || (timer && now >= timer))) {
			irq = false;
			if (!(pm = judge_interrupt(tc, *cycles - entered))) {
				x->status = TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT;
				return;
			}
			stepping = true;
		}
		if (stepping && !pm) { /* its count stepped: re-entered, the interrupt exits */
			*cycles += t->step->span_cycles;
			x->status = TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT;
			return;
		}
		uint64_t budget = 0;
		if (stepping) { /* the MTF exit and the entry around each step */
			*cycles += t->step->span_cycles;
			pm--;
		} else {
			budget = slice - (*cycles - entered);
			if (timer && timer - now < budget)
				budget = timer - now;
		}
		struct ccsim_guest_params p = { .at = *cycles, .budget = budget,
						.insn_limit = stepping };
		struct ccsim_guest_stop st;
		uint64_t spent = 0, insns = v->insns;
		struct ccsim_vcpu cv;
		vcpu_to_ccsim(&cv, v);
		int rc = t->svc->guest_run(t->host, tc->g, &cv, &p, &st, &spent);
		vcpu_from_ccsim(v, &cv);
		*cycles += spent;
		t->stat_td_cycles += spent;
		t->stat_td_insns += v->insns - insns;
		if (rc < 0) {
			x->status = TDX_NON_RECOVERABLE_VCPU;
			return;
		}
		if (stepping && st.why != CCSIM_STOP_BUDGET) { /* a non-interruption exit ends the mode */
			stepping = false;
			irq = true;
		}
		switch (st.why) {
		case CCSIM_STOP_BUDGET: /* one prevention-mode step done, or the host's tick */
		case CCSIM_STOP_TIMER:  /* a physical interrupt: judged at the loop's top */
			irq = !stepping;
			continue;
		case CCSIM_STOP_WFI: /* HLT: #VE, the guest asks with TDG.VP.VMCALL<HLT> */
			inject_ve(t, tc->vp, v, TDX_EXIT_HLT, 0, 0);
			continue;
		case CCSIM_STOP_TRAP: /* CPUID, MSRs, port I/O: #VE (the pc stays at it) */
			inject_ve(t, tc->vp, v, trap_reason(st.trap), 0, 0);
			continue;
		case CCSIM_STOP_VMGEXIT:
			vcpu_take_sync(v, ESR_EC_UNKNOWN, 0); /* #UD outside SEV-ES */
			continue;
		case CCSIM_STOP_CALL:
			if (st.hvc) { /* VMCALL in a TD: #UD (TDCALL is the way out) */
				v->pc -= ISA_INSN_BYTES;
				v->insns--;
				vcpu_take_sync(v, ESR_EC_UNKNOWN, 0);
				continue;
			}
			switch (tdx_tdcall(tc, cycles)) {
			case TDCALL_RESUME:
				continue;
			case TDCALL_EXIT_VMCALL:
				x->status = TDX_SUCCESS | TDX_EXIT_TDCALL;
				exit_set(x, TDX_RCX, v->x[TDX_RCX]);
				for (unsigned i = 2; i < TDX_NREGS; i++)
					if (v->x[TDX_RCX] >> i & 1)
						exit_set(x, i, v->x[i]);
				return;
			case TDCALL_EXIT_EPT:
				v->pc -= ISA_INSN_BYTES; /* the TDCALL runs again once mapped */
				exit_ept(x, tc->exit_gpa, false, false);
				return;
			}
			return;
		case CCSIM_STOP_ABORT:
			if (on_abort(tc, &st, x, cycles))
				return;
			continue;
		}
	}
}

/* TDH.VP.ENTER(RCX = TDVPR) (tdh_vp_enter.c): enter a READY vCPU of a
 * RUNNABLE TD not marked fatal, on this LP (TDX_VCPU_ASSOCIATED if it is
 * associated with another). A TDG.VP.VMCALL the last exit reported
 * completes first: the registers its bitmap exposed come from the host's.
 * On the way out RAX = TDX_SUCCESS | the VMX exit reason, and the exit's
 * registers. */
TDX_HANDLER(tdh_vp_enter)
{
	struct tdx_tdr d;
	struct tdx_tdcs c;
	struct tdx_tdvps vp;
	struct vcpu_state v;
	uint64_t tdvpr = regs[TDX_RCX];
	uint64_t st = tdx_tdvpr_get(t, lp, tdvpr, TDX_OPERAND_ID_RCX, &d, &vp, cycles);
	if (!st && d.fatal)
		st = TDX_TD_FATAL;
	if (!st) {
		tdx_tdcs_load(t, lp, &d, &c, cycles);
		if (c.op_state != OP_STATE_RUNNABLE)
			st = TDX_OP_STATE_INCORRECT;
		else if (vp.state != VCPU_READY)
			st = TDX_VCPU_STATE_INCORRECT;
		else if (vp.assoc_lp && vp.assoc_lp != lp + 1u)
			st = TDX_VCPU_ASSOCIATED;
		else if (c.ept_levels != 4)
			st = TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX; /* not modelled: see above */
	}
	if (st || t->fault) {
		regs[TDX_RAX] = st;
		return;
	}
	if (!vp.assoc_lp) {
		vp.assoc_lp = lp + 1u;
		c.num_assoc_vcpus++;
	}
	/* TLB tracking: a vCPU entering in a later epoch than its last entry
	 * (or for the first time) drops the TD's translations on this LP */
	if (!vp.launched || vp.last_epoch != c.td_epoch) {
		t->svc->tlbi_core(t->host, lp, td_vmid(d.hkid), cycles);
	}
	vp.launched = 1;
	vp.last_epoch = c.td_epoch;
	tdx_mem_read(t, lp, (unsigned)d.hkid, tdvpr + TDX_TDVPS_VCPU_OFF, &v, sizeof(v), cycles);
	if (vp.vmcall_bitmap & TDX_VMCALL_PENDING) {
		for (unsigned i = 2; i < TDX_NREGS; i++)
			if (vp.vmcall_bitmap >> i & 1)
				v.x[i] = regs[i];
		v.x[TDX_RAX] = TDX_SUCCESS;
		vp.vmcall_bitmap = 0;
	}
	pid_process(t, lp, vp.pid, &v, cycles);
	t->stat_td_entries++;
	*cycles += t->cfg.td_entry_cycles;
	t->svc->trace(t->host, t->tr_rec_enter, tdvpr, v.pc, 0, 0, NULL, 0);
	struct ccsim_guest_regime g;
	vcpu_regime(t, lp, &d, &c, &vp, &g);
	tdx_step_enter(t->step, lp, v.pc, v.x[TDX_RCX], v.insns);
	/* REFCOUNT: this vCPU runs in TD_EPOCH until it exits */
	c.refcount[c.td_epoch & 1]++;
	struct tdcall_ctx tc = { t, lp, vp.owner, tdvpr, &d, &c, &vp, &v, 0, &g };
	struct td_exit x = { 0 };
	run(&tc, &x, cycles);
	c.refcount[c.td_epoch & 1]--;
	*cycles += t->cfg.td_exit_cycles;
	t->stat_td_exits++;
	tdx_mem_write(t, lp, (unsigned)d.hkid, tdvpr + TDX_TDVPS_VCPU_OFF, &v, sizeof(v), cycles);
	tdx_tdvps_store(t, lp, &d, tdvpr, &vp, cycles);
	tdx_tdcs_store(t, lp, &d, &c, cycles);
	t->svc->trace(t->host, t->tr_rec_exit, x.status & 0xffff, x.status, x.out[TDX_R8], *cycles, NULL,
		      0);
	for (unsigned i = 1; i < TDX_NREGS; i++)
		if (x.set >> i & 1)
			regs[i] = x.out[i];
	regs[TDX_RAX] = x.status;
}
