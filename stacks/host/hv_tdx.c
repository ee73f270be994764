/* The host stack's TDX personality (see hv.h): a trust domain built, run
 * and torn down through the TDX module's SEAMCALLs in the order Linux KVM
 * uses (arch/x86/kvm/vmx/tdx.c; Intel TDX Module v1.5 ABI Specification,
 * "TD Build", "TD Entry and Exit", "TD Teardown"), the module itself
 * initialised first as the host kernel does (arch/x86/virt/vmx/tdx/tdx.c,
 * init_tdx_module). The host sees only what a TD exit hands it: an EPT
 * violation's GPA (private: TDH.MEM.PAGE.AUG; shared: its own page in the
 * shared EPT) or a TDG.VP.VMCALL's exposed registers (GHCI 1.5: MapGPA,
 * GetQuote, CPUID, HLT, port I/O, MMIO, MSRs; R10 != 0: a KVM hypercall). */
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "models/platform/machine_mon.h"
#include "stacks/host/hv_priv.h"
#include "stacks/host/hv_tdx_priv.h"

/* TD_PARAMS as KVM fills it (tdx_td_init -> setup_tdparams): XFAM x87 +
 * SSE, EPTP_CONTROLS a 4-level walk with write-back memory (0x1e). */
#define HV_TD_XFAM 3ull
#define HV_TD_EPTP_CONTROLS 0x1eull
/* The TD's reset page: TDVF's place below 4 GB, whose last 16 bytes hold
 * the reset vector (ABI "Initial State of a TD VCPU": RIP 0xFFFFFFF0). */
#define HV_TD_RESET_PAGE 0xFFFFF000ull

/* ccsim's own call to the module (tdx_abi.h TDX_SIM_*) through its slot,
 * from LP lp: RAX back. `timed`: the call starts now and its time is added
 * to *cycles; else its accesses fall in the present as the last call
 * left the clock, and take no time the host waits for. */
uint64_t hv_tdx_sim_call(struct machine *m, unsigned lp, uint64_t id, uint64_t rcx, uint64_t rdx,
			 void *buf, size_t len, bool timed, uint64_t *cycles)
{
	uint64_t regs[CCSIM_MONITOR_REGS] = { [TDX_MON_RAX] = id, [TDX_MON_RCX] = rcx,
					      [TDX_MON_RDX] = rdx, [TDX_MON_LP] = lp };
	uint64_t c = 0;
	if (!timed)
		machine_mon_call(m->tdx_mon, regs, &c);
	else if (buf)
		machine_mon_command_buf(m->tdx_mon, regs, buf, len, &c);
	else
		machine_mon_command(m->tdx_mon, regs, &c);
	if (cycles && timed)
		*cycles += c;
	return regs[TDX_MON_RAX];
}

/* pa with KeyID keyid in its top bits (tdx.keyid_bits of mem.pa_bits). */
static uint64_t keyid_pa(const struct hv_guest *g, uint64_t pa, uint64_t keyid)
{
	return pa | keyid << (g->m->cfg.pa_bits - g->m->cfg.tdx_keyid_bits);
}

uint64_t hv_tdx_shared_bit(const struct hv_guest *g)
{
	return 1ull << (g->m->cfg.tdx_gpaw ? 51 : 47);
}


/* One SEAMCALL on logical processor lp; regs in and out: TDH.VP.ENTER,
 * whose TD GPRs take all sixteen registers, through the module's slot
 * with the GPRs beside the call's registers (call_buf). */
static uint64_t seamcall_on(struct hv_guest *g, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cyc)
{
	uint64_t c = 0, r[CCSIM_MONITOR_REGS];
	(void)hv_now(g, *cyc);
	tdx_regs_to_mon(regs, lp, r);
	machine_mon_command_buf(g->m->tdx_mon, r, regs, TDX_NREGS * sizeof(uint64_t), &c);
	*cyc += c;
	return regs[TDX_RAX];
}

/* Any other leaf through the module's slot, from the host's core: its
 * status; out (if not NULL) gets R8. */
static uint64_t seamcall_r8(struct hv_guest *g, uint64_t leaf, uint64_t rcx, uint64_t rdx,
			    uint64_t r8, uint64_t r9, uint64_t *out, uint64_t *cyc)
{
	uint64_t regs[CCSIM_MONITOR_REGS] = { [TDX_MON_RAX] = leaf, [TDX_MON_RCX] = rcx,
					      [TDX_MON_RDX] = rdx, [TDX_MON_R8] = r8,
					      [TDX_MON_R9] = r9, [TDX_MON_LP] = g->host->core };
	uint64_t c = 0;
	(void)hv_now(g, *cyc);
	machine_mon_command(g->m->tdx_mon, regs, &c);
	*cyc += c;
	if (out)
		*out = regs[TDX_MON_R8];
	return regs[TDX_MON_RAX];
}

static uint64_t seamcall(struct hv_guest *g, uint64_t leaf, uint64_t rcx, uint64_t rdx,
			 uint64_t r8, uint64_t r9, uint64_t *cyc)
{
	return seamcall_r8(g, leaf, rcx, rdx, r8, r9, NULL, cyc);
}

static bool failed(uint64_t st) { return (st >> 63) != 0; }

/* A SEAMCALL of the build or teardown: its failure is the step's status. */
static bool step_call(struct hv_guest *g, struct hv_result *res, uint64_t leaf, uint64_t rcx,
		      uint64_t rdx, uint64_t r8, uint64_t r9, uint64_t *cyc)
{
	uint64_t st = seamcall(g, leaf, rcx, rdx, r8, r9, cyc);
	if (failed(st))
		hv_note(res, st);
	return !failed(st);
}

/* `n` control pages for `owner` (a TDR: TDCS pages through MNG.ADDCX; a
 * TDVPR: TDVPX pages through VP.ADDCX), each a fresh pool page: 1 done,
 * 0 the module refused one (noted in res), -1 the pool ran out. */
static int add_cx(struct hv_guest *g, struct hv_result *res, uint64_t leaf, uint64_t owner,
		  unsigned n, uint64_t *cyc)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t pa = hv_alloc_page(g, PG_TD, 0);
		if (!pa)
			return -1;
		if (!step_call(g, res, leaf, pa, owner, 0, 0, cyc))
			return 0;
	}
	return 1;
}

/* ---- the module's initialisation (init_tdx_module), once per machine ---- */

/* Nothing when the module is ready (hv_tdx_bare.c does the work). */
static int module_init(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	if (machine_mon_ask(g->m->tdx_mon, CCSIM_QUERY_PLATFORM_STATE, 0, 0) == TDX_SYS_READY)
		return 0;
	uint64_t page = hv_alloc_page(g, PG_NS, 0);
	if (!page)
		return -1;
	uint64_t st = hv_tdx_module_init(g->m, g->host, page, g->t0, cyc);
	if (failed(st))
		hv_note(res, st);
	return 0;
}

/* ---- Secure EPT and the shared EPT ---- */

/* The Secure EPT table page of `level` covering gpa, if added (its pool
 * entry: the GPA it covers aligned to the level, with the level). */
static uint64_t sept_table(const struct hv_guest *g, uint64_t gpa, unsigned level)
{
	uint64_t key = (gpa & ~((1ull << (12 + 9 * level)) - 1)) | level;
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == PG_SEPT && g->ipa[i] == key)
			return g->cfg.pool + i * PAGE;
	return 0;
}

/* TDH.MEM.SEPT.ADD of the missing tables above gpa's 4 KB leaf, top down
 * (KVM's TDP MMU links a page-table page per level on the fault path;
 * tdx_sept_link_private_spt). */
static int sept_ensure(struct hv_guest *g, uint64_t gpa, struct hv_result *res, uint64_t *cyc)
{
	for (unsigned level = 3; level >= 1; level--) {
		if (sept_table(g, gpa, level))
			continue;
		uint64_t at = gpa & ~((1ull << (12 + 9 * level)) - 1);
		uint64_t pa = hv_alloc_page(g, PG_SEPT, at | level);
		if (!pa)
			return -1;
		if (!step_call(g, res, TDH_MEM_SEPT_ADD, at | level, g->rd, pa, 0, cyc))
			return -1;
	}
	return 0;
}

/* The host's shared EPT (its own tables, EPT format, the TD's physical
 * address width below the KeyID bits). */
static void shared_ept_setup(struct hv_guest *g)
{
	g->gcpu.pt = (struct pt_config){
		.s2 = { .fmt = PT_FMT_EPT, .root = g->s2_root,
			.pa_bits = (uint8_t)(g->m->cfg.pa_bits - g->m->cfg.tdx_keyid_bits) },
	};
}

/* The TD's TLB tag (the module's: TD-tagged entries of its HKID). */
void hv_tdx_tlb_flush(struct hv_guest *g)
{
	tlb_inval_vmid(&g->m->tlb[g->host->core], WORLD_NS, (uint16_t)(0x8000u | g->asid));
}

/* ---- build ---- */

/* A page of the initial image: TDH.MEM.PAGE.ADD from the staged copy, then
 * TDH.MR.EXTEND of each 256-byte chunk (KVM_TDX_MEASURE_MEMORY_REGION:
 * tdx_gmem_post_populate extends the whole page). */
static int add_page(struct hv_guest *g, uint64_t gpa, uint64_t source, struct hv_result *res,
		    uint64_t *cyc)
{
	if (sept_ensure(g, gpa, res, cyc))
		return res->status ? 0 : -1;
	uint64_t pa = hv_alloc_page(g, PG_DATA, gpa);
	if (!pa)
		return -1;
	if (!step_call(g, res, TDH_MEM_PAGE_ADD, gpa, g->rd, pa, source, cyc))
		return 0;
	for (uint64_t off = 0; off < PAGE; off += 256)
		if (!step_call(g, res, TDH_MR_EXTEND, gpa + off, g->rd, 0, 0, cyc))
			return 0;
	return 0;
}

/* The module's KeyIDs: the first private one, how many, the global one
 * (the host chose it: TDH.SYS.CONFIG). */
static void keyids(const struct hv_guest *g, uint64_t k[3])
{
	k[0] = k[1] = k[2] = 0;
	(void)machine_mon_query(g->m->tdx_mon, CCSIM_QUERY_KEYIDS, 0, k, 3 * sizeof(k[0]));
}

static uint64_t global_keyid(const struct hv_guest *g)
{
	uint64_t k[3];
	keyids(g, k);
	return k[2];
}

/* A free HKID: a private KeyID other than the global one that the module's
 * Key Ownership Table has free (KVM's tdx_guest_keyid_alloc over its own
 * IDA of the same range). With none free the last is tried, and
 * TDH.MNG.CREATE's refusal is the step's status. */
static uint64_t hkid_alloc(const struct hv_guest *g)
{
	uint64_t k[3];
	keyids(g, k);
	for (uint64_t id = k[0]; id < k[1]; id++)
		if (id != k[2] && machine_mon_ask(g->m->tdx_mon, CCSIM_QUERY_KEYID_FREE, id, 0))
			return id;
	return k[1] - 1;
}

int hv_tdx_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	if (module_init(g, res, cyc))
		return -1;
	if (res->status)
		return 0;
	g->asid = hkid_alloc(g); /* the TD's HKID, where SEV keeps its ASID */
	/* KVM_TDX_INIT_VM (__tdx_td_init): TDR, HKID, the key on every package
	 * (one here), the TDCS pages, then TD_PARAMS */
	if (!(g->rd = hv_alloc_page(g, PG_TD, 0)))
		return -1;
	if (!step_call(g, res, TDH_MNG_CREATE, g->rd, g->asid, 0, 0, cyc) ||
	    !step_call(g, res, TDH_MNG_KEY_CONFIG, g->rd, 0, 0, 0, cyc))
		return 0;
	int rc = add_cx(g, res, TDH_MNG_ADDCX, g->rd, TDX_TDCS_PAGES, cyc);
	if (rc <= 0)
		return rc;
	uint64_t params = hv_alloc_page(g, PG_NS, 0);
	if (!params)
		return -1;
	hv_zero(g, params, TD_PARAMS_SIZE, cyc);
	(void)hv_store64(g, params + TD_PARAMS_XFAM, HV_TD_XFAM, cyc);
	(void)hv_store64(g, params + TD_PARAMS_MAX_VCPUS, g->nvcpus, cyc);
	(void)hv_store64(g, params + TD_PARAMS_EPTP_CONTROLS, HV_TD_EPTP_CONTROLS, cyc);
	if (!step_call(g, res, TDH_MNG_INIT, g->rd, params, 0, 0, cyc))
		return 0;
	/* the shared EPT the host owns */
	if (!(g->s2_root = hv_alloc_page(g, PG_RTT, 0)))
		return -1;
	hv_zero(g, g->s2_root, PAGE, cyc);
	shared_ept_setup(g);
	/* KVM_TDX_INIT_VCPU (tdx_td_vcpu_init): TDVPR, the TDVPX pages,
	 * VP.INIT; then the VMCS fields the host writes (TDH.VP.WR:
	 * SHARED_EPTP, POSTED_INT_DESC_ADDR) */
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		if (!(c->rec = hv_alloc_page(g, PG_TD, 0)) || !(c->save = hv_alloc_page(g, PG_NS, 0)) ||
		    !(c->run = hv_alloc_page(g, PG_NS, 0)))
			return -1;
		hv_zero(g, c->save, PAGE, cyc);
		hv_zero(g, c->run, 64, cyc);
		if (!step_call(g, res, TDH_VP_CREATE, c->rec, g->rd, 0, 0, cyc))
			return 0;
		if ((rc = add_cx(g, res, TDH_VP_ADDCX, c->rec, TDX_TDVPS_PAGES - 1, cyc)) <= 0)
			return rc;
		if (!step_call(g, res, TDH_VP_INIT, c->rec, 0, i, 0, cyc))
			return 0;
		unsigned lp = g->host->core;
		if (hv_tdx_sim_call(g->m, lp, TDX_SIM_VP_SHARED_EPTP, c->rec, g->s2_root, NULL, 0, false,
				    NULL) ||
		    hv_tdx_sim_call(g->m, lp, TDX_SIM_VP_PID, c->rec, c->run, NULL, 0, false, NULL)) {
			hv_note(res, TDX_OPERAND_INVALID);
			return 0;
		}
	}
	/* KVM_TDX_INIT_MEM_REGION: the image (and its data segment), then the
	 * reset page with a branch to the kernel at the reset vector */
	struct hv_seg seg[2];
	for (unsigned k = 0; k < hv_segs(g, seg); k++)
		for (uint64_t off = 0; off < seg[k].len && !res->status; off += PAGE)
			if (add_page(g, seg[k].ipa + off, seg[k].stage + off, res, cyc))
				return -1;
	uint64_t reset = hv_alloc_page(g, PG_NS, 0);
	if (!reset)
		return -1;
	hv_zero(g, reset, PAGE, cyc);
	uint8_t b[ISA_INSN_BYTES];
	isa_encode(&(struct isa_insn){ .op = ISA_B, .imm64 = 0 }, b);
	(void)hv_store(g, reset + PAGE - ISA_INSN_BYTES, b, sizeof(b), cyc);
	if (res->status || add_page(g, HV_TD_RESET_PAGE, reset, res, cyc) || res->status)
		return res->status ? 0 : -1;
	/* KVM_TDX_FINALIZE_VM: MRTD sealed, the TD runnable */
	if (!step_call(g, res, TDH_MR_FINALIZE, g->rd, 0, 0, 0, cyc))
		return 0;
	/* the device's page in the shared EPT, marked as emulated MMIO */
	if (hv_vm_map(g, GUEST_DEV_BASE | hv_tdx_shared_bit(g), g->s2_root, PT_MAP_RSVD, cyc))
		return -1;
	g->vcpu[0].online = 1;
	hv_note(res, 0);
	res->x1 = g->rd;
	res->x2 = g->vcpu[0].rec;
	return 0;
}

/* ---- run ---- */

/* Post an interrupt in the vCPU's descriptor: its PIR bit, then ON (KVM's
 * __vmx_deliver_posted_interrupt / pi_test_and_set_on). */
static void post_interrupt(struct hv_guest *g, struct hv_vcpu *c, uint32_t vec, uint64_t *cyc)
{
	uint64_t w = c->run + 8 * (vec / 64);
	(void)hv_store64(g, w, hv_load64(g, w, cyc) | 1ull << (vec % 64), cyc);
	(void)hv_store64(g, c->run + TDX_PID_ON_BYTE, 1, cyc);
	g->n.injected++;
}

/* Interrupts the host made pending for the vCPU (the block device's
 * completion, host.guest_inject irq=) go to the descriptor: the host has no
 * other way into a TD's virtual APIC. */
static void post_pending(struct hv_guest *g, struct hv_vcpu *c, uint64_t *cyc)
{
	hv_inject_pending_irq(c);
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(c->lrs[i]) == VGIC_LR_PENDING) {
			post_interrupt(g, c, vgic_lr_intid(c->lrs[i]), cyc);
			g->n.injected--; /* counted where it was made pending */
			c->lrs[i] = 0;
		}
}

/* The guest's TSC deadline timer (emulated by the host, as KVM's LAPIC):
 * when due, the tick is posted and the timer is off until rewritten. */
static uint64_t timer_check(struct hv_guest *g, struct hv_vcpu *c, uint64_t *cyc)
{
	uint64_t deadline = hv_load64(g, c->save + TDH_VCPU_DEADLINE, cyc);
	if (deadline && hv_now(g, *cyc) >= deadline) {
		post_interrupt(g, c, VGIC_INTID_VTIMER, cyc);
		(void)hv_store64(g, c->save + TDH_VCPU_DEADLINE, 0, cyc);
		deadline = 0;
	}
	return deadline;
}

/* The private page pa at gpa leaves the Secure EPT as KVM zaps it
 * (tdx_sept_zap_private_spte, tdx_track, tdx_sept_remove_private_spte):
 * TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK (no vCPU of the TD runs meanwhile:
 * nothing to kick), TDH.MEM.PAGE.REMOVE, TDH.PHYMEM.PAGE.WBINVD of the page
 * under the HKID; then it is cleared and the host's again. false: the
 * module refused a step (noted in res). */
bool hv_tdx_zap_private(struct hv_guest *g, uint64_t gpa, uint64_t pa, struct hv_result *res,
			uint64_t *cyc)
{
	if (!step_call(g, res, TDH_MEM_RANGE_BLOCK, gpa, g->rd, 0, 0, cyc) ||
	    !step_call(g, res, TDH_MEM_TRACK, g->rd, 0, 0, 0, cyc) ||
	    !step_call(g, res, TDH_MEM_PAGE_REMOVE, gpa, g->rd, 0, 0, cyc) ||
	    !step_call(g, res, TDH_PHYMEM_PAGE_WBINVD, keyid_pa(g, pa, g->asid), 0, 0,
		       0, cyc))
		return false;
	hv_zero(g, pa, PAGE, cyc);
	g->kind[(pa - g->cfg.pool) / PAGE] = PG_NS; /* the host's again */
	return true;
}

/* An EPT violation at gpa: a shared page is the host's to back (its own
 * page in its shared EPT), a private one gets TDH.MEM.PAGE.AUG (PENDING
 * until the guest accepts it: tdx_sept_set_private_spte). */
static bool ept_violation(struct hv_guest *g, uint64_t gpa, struct hv_result *res, uint64_t *cyc)
{
	uint64_t sb = hv_tdx_shared_bit(g), page = gpa & ~(PAGE - 1), flat = page & ~sb;
	g->n.npfs++;
	g->n.last_npf = gpa;
	if (hv_trap_take(g, page)) /* a page guest_unmap took away: recorded, given back */
		return page & sb ? hv_vm_map(g, page, hv_pool_pa(g, PG_SHARED, page), 0, cyc) == 0
				 : step_call(g, res, TDH_MEM_RANGE_UNBLOCK, page, g->rd, 0, 0, cyc);
	if (flat >= g->cfg.k.ram_size && flat != HV_TD_RESET_PAGE)
		return false;
	if (page & sb) {
		if (hv_pool_pa(g, PG_SHARED, page))
			return true; /* mapped meanwhile */
		uint64_t pa = hv_alloc_page(g, PG_SHARED, page);
		if (!pa)
			return false;
		hv_zero(g, pa, PAGE, cyc);
		g->n.shared_maps++;
		return hv_vm_map(g, page, pa, 0, cyc) == 0;
	}
	if (hv_pool_pa(g, PG_DATA, page))
		return true; /* AUGed already: the guest must accept it */
	if (sept_ensure(g, page, res, cyc))
		return false;
	uint64_t pa = hv_alloc_page(g, PG_DATA, page);
	if (!pa)
		return false;
	uint64_t st = seamcall(g, TDH_MEM_PAGE_AUG, page, g->rd, pa, 0, cyc);
	if (failed(st)) {
		hv_note(res, st);
		return false;
	}
	g->n.populate++;
	g->n.pages_accepted++;
	return true;
}

int hv_tdx_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
	       uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint64_t exits = 0;
	shared_ept_setup(g);
	hv_note(res, 0);
	/* 1 + the vector host.guest_inject posted, until the TD takes it */
	uint64_t hostile = 0;
	while (exits < max && g->state == HV_CREATED && !hv_past_limit(g, *cyc)) {
		struct hv_vcpu *c = &g->vcpu[0];
		hv_blk_poll(g, cyc);
		uint64_t deadline = timer_check(g, c, cyc);
		if (c->inject_irq)
			hostile = c->inject_irq;
		post_pending(g, c, cyc);
		if (c->waiting) { /* HLT: idle to the timer or the device, whichever first */
			uint64_t wake = MIN(deadline ? deadline : UINT64_MAX,
					    g->blk_pending ? g->blk_done_at : UINT64_MAX);
			uint64_t now = hv_now(g, *cyc);
			bool posted = hv_load64(g, c->run + TDX_PID_ON_BYTE, cyc) & 1;
			if (!posted) {
				if (wake == UINT64_MAX)
					break; /* nothing will wake it */
				if (wake > now) {
					g->n.idle_cycles += wake - now;
					*cyc += wake - now;
				}
				continue;
			}
			c->waiting = 0;
		}
		/* the host's timer: its own tick, the guest's deadline, the device */
		uint64_t now = hv_now(g, *cyc);
		uint64_t stop_at = now + cfg->host_slice_cycles;
		stop_at = MIN(stop_at, deadline ? deadline : UINT64_MAX);
		if (g->blk_pending)
			stop_at = MIN(stop_at, MAX(g->blk_done_at, now));
		unsigned lp = g->host->core;
		(void)hv_tdx_sim_call(g->m, lp, TDX_SIM_LP_TIMER, MAX(stop_at, now + 1), 0, NULL, 0, false,
				      NULL);
		uint64_t r[TDX_NREGS];
		for (unsigned i = 0; i < TDX_NREGS; i++)
			r[i] = hv_load64(g, c->save + TDH_VCPU_REGS + 8 * i, cyc);
		r[TDX_RAX] = TDH_VP_ENTER;
		r[TDX_RCX] = c->rec;
		const struct machine_mon *mm = g->m->tdx_mon;
		uint64_t insns = mm->guest_insns, tdc = mm->guest_cycles;
		machine_core_mark_route(g->m, lp, true, (uint32_t)g->cfg.vmid); /* the TD's phases */
		uint64_t st = seamcall_on(g, lp, r, cyc);
		machine_core_mark_route(g->m, lp, false, 0);
		(void)hv_tdx_sim_call(g->m, lp, TDX_SIM_LP_TIMER, 0, 0, NULL, 0, false, NULL);
		g->n.insns += mm->guest_insns - insns;
		g->n.guest_cycles += mm->guest_cycles - tdc;
		*cyc += cfg->host_exit_cycles;
		exits++;
		g->n.exits++;
		/* no vector above 255 ever waits */
		if (hostile && (hostile > 256 || !machine_mon_ask(g->m->tdx_mon, CCSIM_QUERY_VIRQ_WAITING,
								 c->rec | (hostile - 1), 0))) {
			res->hostile_taken++;
			hostile = 0;
		}
		enum rmi_exit_reason why = RMI_EXIT_SYNC;
		bool stop = false;
		if (st >> 32) { /* not a TD exit: the entry failed, or the TD is dead */
			hv_note(res, st);
			break;
		}
		switch ((unsigned)(st & 0xffff)) {
		case TDX_EXIT_EXTERNAL_INTERRUPT:
			why = RMI_EXIT_IRQ;
			break;
		case TDX_EXIT_EPT_VIOLATION:
			stop = !ept_violation(g, r[TDX_R8], res, cyc);
			break;
		case TDX_EXIT_TDCALL:
			stop = !hv_tdx_vmcall(g, c, r, &why, cyc);
			break;
		default:
			break;
		}
		for (unsigned i = 1; i < TDX_NREGS; i++)
			(void)hv_store64(g, c->save + TDH_VCPU_REGS + 8 * i, r[i], cyc);
		g->n.exits_by[why]++;
		trace_VM_EXIT(g->m->sim, g->host->src, why, (unsigned)(st & 0xffff), 0, 0);
		if (stop || why == until)
			break;
	}
	res->x1 = exits;
	return 0;
}

/* ---- what the host tries on a running TD (host.guest_* steps) ---- */

/* TD VMCS fields (their VMCS encodings) the host asks the module for
 * (td_vmcs_fields_lookup.c): the TD's HKID, the guest's RIP, the VM-entry
 * interruption information; and what event injection would write there
 * for a #VE: vector 20, a hardware exception (type 3), valid (bit 31). */
#define TDVMCS_HKID 0x4026ull
#define TDVMCS_GUEST_RIP 0x681Eull
#define TDVMCS_ENTRY_INTR 0x4016ull
#define TDVMCS_INJECT_VE 0x80000314ull

/* TDH.VP.RD / WR of the vCPU's TD VMCS field: its status; *r8 the value
 * read (or the old one written). */
static uint64_t vp_md(struct hv_guest *g, uint64_t leaf, uint64_t tdvpr, uint64_t field,
		      uint64_t value, uint64_t *r8, uint64_t *cyc)
{
	return seamcall_r8(g, leaf, tdvpr, field, value, ~0ull, r8, cyc);
}

/* host.guest_vmcb on a TD, CrossLine's move: the vCPU's key and the state
 * it runs from are its TD VMCS's, which the host reaches only through
 * TDH.VP.RD / WR. It asks the module to put `hkid` in the vCPU's TD HKID
 * field, and to read the guest RIP of the vCPU at state_tdvpr to run
 * from (then to write it into its own vCPU). The module's field table
 * refuses the first for every TD and the read for a production TD. x1 the
 * HKID the vCPU has after it (the host may read that field), x2 its TDVPR. */
int hv_tdx_vmcb(struct hv_guest *g, int64_t hkid, uint64_t state_tdvpr, struct hv_result *res,
		uint64_t *cyc)
{
	uint64_t tdvpr = g->vcpu[0].rec, v = 0, st;
	hv_note(res, 0);
	if (hkid >= 0 && failed(st = vp_md(g, TDH_VP_WR, tdvpr, TDVMCS_HKID, (uint64_t)hkid, &v, cyc)))
		hv_note(res, st);
	if (state_tdvpr) {
		if (failed(st = vp_md(g, TDH_VP_RD, state_tdvpr, TDVMCS_GUEST_RIP, 0, &v, cyc)) ||
		    failed(st = vp_md(g, TDH_VP_WR, tdvpr, TDVMCS_GUEST_RIP, v, &v, cyc)))
			hv_note(res, st);
	}
	(void)vp_md(g, TDH_VP_RD, tdvpr, TDVMCS_HKID, 0, &res->x1, cyc);
	res->x2 = tdvpr;
	return 0;
}

/* host.guest_map on a TD: the host's only way into a TD's private memory
 * is TDH.MEM.PAGE.AUG. The page mapped at ipa leaves first (zap_private),
 * then AUG offers pa there: the module takes a page only if the PAMT has
 * it free (another TD's page is TDX_PAGE_METADATA_INCORRECT), and the TD
 * sees it only after accepting it, zeroed (TDG.MEM.PAGE.ACCEPT). A page
 * of the guest's own pool becomes its private page; another is not the
 * host stack's to reclaim at teardown. A shared GPA is the host's own
 * shared EPT. x1 the page. -1: a shared GPA cannot be mapped. */
int hv_tdx_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, struct hv_result *res, uint64_t *cyc)
{
	hv_note(res, 0);
	res->x1 = pa;
	if (ipa & hv_tdx_shared_bit(g)) {
		shared_ept_setup(g);
		(void)hv_vm_unmap(g, ipa, cyc);
		hv_tdx_tlb_flush(g);
		return hv_vm_map(g, ipa, pa, 0, cyc) ? -1 : 0;
	}
	uint64_t old = hv_pool_pa(g, PG_DATA, ipa);
	if (old && !hv_tdx_zap_private(g, ipa, old, res, cyc))
		return 0;
	if (sept_ensure(g, ipa, res, cyc))
		return res->status ? 0 : -1;
	uint64_t st = seamcall(g, TDH_MEM_PAGE_AUG, ipa, g->rd, pa, 0, cyc);
	if (failed(st)) {
		hv_note(res, st);
		return 0;
	}
	uint64_t i = (pa - g->cfg.pool) / PAGE;
	if (pa >= g->cfg.pool && i < g->next && g->kind[i] == PG_NS) {
		g->kind[i] = PG_DATA;
		g->ipa[i] = ipa;
	}
	return 0;
}

/* host.guest_unmap on a TD, the page-fault channel in its TDX form
 * (TDXRay's SEPTrace): the private page is blocked with its data kept,
 * TDH.MEM.RANGE.BLOCK, and the TD's translations of it tracked out,
 * TDH.MEM.TRACK (no vCPU runs between steps: nothing to kick). Its next
 * touch is an EPT-violation exit naming the page (bits 11:0 cleared),
 * which the run records and serves with TDH.MEM.RANGE.UNBLOCK
 * (ept_violation). A shared page leaves the host's shared EPT. */
int hv_tdx_unmap(struct hv_guest *g, uint64_t page, struct hv_result *res, uint64_t *cyc)
{
	hv_note(res, 0);
	if (page & hv_tdx_shared_bit(g)) {
		shared_ept_setup(g);
		(void)hv_vm_unmap(g, page, cyc);
		hv_tdx_tlb_flush(g);
		return 0;
	}
	if (step_call(g, res, TDH_MEM_RANGE_BLOCK, page, g->rd, 0, 0, cyc))
		(void)step_call(g, res, TDH_MEM_TRACK, g->rd, 0, 0, 0, cyc);
	return 0;
}

/* host.guest_inject vc= on a TD: the host has no event injection of its
 * own (KVM's vt_inject_exception does nothing for a TD); the VM-entry
 * interruption information is a TD VMCS field, and the module's table
 * lets no host write it (td_vmcs_fields_lookup.c: write mask 0 for
 * production and debug TDs). The host asks with TDH.VP.WR of a #VE; the
 * refusal is the step's status, x1 = 1 and hv.NAME.injections_refused
 * count it. Interrupts are the host's to post (host.guest_inject irq=). */
int hv_tdx_inject_exception(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint64_t old;
	uint64_t st = vp_md(g, TDH_VP_WR, g->vcpu[0].rec, TDVMCS_ENTRY_INTR, TDVMCS_INJECT_VE, &old, cyc);
	hv_note(res, failed(st) ? st : 0);
	if (failed(st)) {
		g->n.injections_refused++;
		res->x1 = 1;
	}
	return 0;
}

/* ---- teardown ---- */

/* KVM's order (tdx_mmu_release_hkid, then tdx_vm_free): TDH.VP.FLUSH of
 * each vCPU on its LP, TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB until it
 * completes, TDH.MNG.KEY.FREEID; then TDH.PHYMEM.PAGE.RECLAIM of every
 * page the TD holds (its memory, Secure EPT tables, vCPU and TDCS pages)
 * each cleared for reuse, and the TDR last with TDH.PHYMEM.PAGE.WBINVD
 * under the global KeyID (tdx_reclaim_td_control_pages). */
int hv_tdx_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	for (uint64_t i = 0; i < g->nvcpus; i++)
		if (!step_call(g, res, TDH_VP_FLUSH, g->vcpu[i].rec, 0, 0, 0, cyc))
			return 0;
	if (!step_call(g, res, TDH_MNG_VPFLUSHDONE, g->rd, 0, 0, 0, cyc))
		return 0;
	uint64_t st, resume = 0;
	while ((st = seamcall(g, TDH_PHYMEM_CACHE_WB, resume, 0, 0, 0, cyc)) ==
	       TDX_INTERRUPTED_RESUMABLE)
		resume = 1;
	if (failed(st)) {
		hv_note(res, st);
		return 0;
	}
	if (!step_call(g, res, TDH_MNG_KEY_FREEID, g->rd, 0, 0, 0, cyc))
		return 0;
	for (uint64_t i = 0; i < g->next; i++) {
		uint64_t pa = g->cfg.pool + i * PAGE;
		if ((g->kind[i] != PG_DATA && g->kind[i] != PG_SEPT && g->kind[i] != PG_TD) ||
		    pa == g->rd)
			continue;
		if (!step_call(g, res, TDH_PHYMEM_PAGE_RECLAIM, pa, 0, 0, 0, cyc))
			return 0;
		/* KVM clears a reclaimed page with MOVDIR64B through the direct
		 * map (tdx_quirk_reset_paddr): past the caches, so no line of it
		 * is left dirty under KeyID 0 to be written back over the page
		 * once the module gives it to another TD */
		hv_zero_direct(g, pa, PAGE, cyc);
		g->kind[i] = PG_NS;
	}
	if (!step_call(g, res, TDH_PHYMEM_PAGE_RECLAIM, g->rd, 0, 0, 0, cyc) ||
	    !step_call(g, res, TDH_PHYMEM_PAGE_WBINVD,
		       keyid_pa(g, g->rd, global_keyid(g)), 0, 0, 0, cyc))
		return 0;
	hv_zero_direct(g, g->rd, PAGE, cyc);
	g->kind[(g->rd - g->cfg.pool) / PAGE] = PG_NS;
	hv_note(res, 0);
	return 0;
}
