/* The host stack's VMs it runs itself (see hv.h): an ordinary VM, and the
 * run loop, nested tables and PSCI it shares with the SEV personalities
 * (hv_sev.c: launch, VMCB / VMSA, GHCB exits, RMP). */
#include <errno.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "stacks/host/hv_priv.h"

/* ---- plain: an ordinary VM the host runs itself ---- */

struct plain_io {
	struct hv_guest *g;
	uint64_t *cyc;
};

static int pb_read64(void *ctx, uint64_t addr, uint64_t *val)
{
	struct plain_io *io = ctx;
	*val = hv_load64(io->g, addr, io->cyc);
	return 0;
}

static int pb_write64(void *ctx, uint64_t addr, uint64_t val)
{
	struct plain_io *io = ctx;
	return hv_store64(io->g, addr, val, io->cyc) ? -EFAULT : 0;
}

static int pb_alloc(void *ctx, uint64_t *addr)
{
	struct plain_io *io = ctx;
	*addr = hv_alloc_page(io->g, PG_RTT, 0);
	if (!*addr)
		return -ENOMEM;
	hv_zero(io->g, *addr, PAGE, io->cyc);
	return 0;
}

int hv_vm_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, unsigned flags, uint64_t *cyc)
{
	struct plain_io io = { g, cyc };
	struct pt_builder b = { &g->gcpu.pt.s2, pb_read64, pb_write64, pb_alloc, &io };
	/* AMD nested tables: guest accesses are user accesses (APM 15.25.5) */
	unsigned user = g->gcpu.pt.s2.fmt == PT_FMT_X86 ? PT_PROT_USER : 0;
	return pt_map(&b, g->s2_root, ipa, pa, PAGE, PT_PROT_R | PT_PROT_W | PT_PROT_X | user, flags);
}

int hv_vm_unmap(struct hv_guest *g, uint64_t ipa, uint64_t *cyc)
{
	struct plain_io io = { g, cyc };
	struct pt_builder b = { &g->gcpu.pt.s2, pb_read64, pb_write64, pb_alloc, &io };
	int rc = pt_unmap(&b, g->s2_root, ipa, PAGE);
	/* INVLPGA / TLBI IPAS2E1: every cached translation of the guest goes */
	tlb_inval_vmid(&g->m->tlb[0], WORLD_NS, (uint16_t)g->cfg.vmid);
	return rc;
}

/* A fault on a page host.guest_unmap took away: recorded, mapped back. */
static bool trap_fault(struct hv_guest *g, uint64_t page, uint64_t *cyc)
{
	if (!hv_trap_take(g, page))
		return false;
	uint64_t pa = hv_pool_pa(g, PG_DATA, page);
	if (!pa)
		pa = hv_pool_pa(g, PG_SHARED, page);
	return hv_vm_map(g, page, pa, 0, cyc) == 0;
}

/* The vCPU the host runs: an ordinary VM's has Arm stage 2 only; an SEV
 * guest's has its own x86-64 tables (TTBR, the C-bit at GUEST_SEV_CBIT)
 * over AMD nested tables, its ASID's key and the RMP identity (ASID). */
void hv_vm_setup(struct hv_guest *g)
{
	struct cpu *c = &g->gcpu;
	c->paging = 1;
	if (g->sev) {
		c->pt = (struct pt_config){
			.s1 = { .fmt = PT_FMT_X86, .cbit = GUEST_SEV_CBIT, .pa_bits = 52 },
			.nested = true, .s1_off = true,
			.s2 = { .fmt = PT_FMT_X86, .root = g->s2_root, .pa_bits = (uint8_t)g->m->cfg.pa_bits },
		};
		c->guest = 1;
		c->asid = (uint32_t)g->asid;
		c->key = (int32_t)g->asid;
		c->sev = (uint32_t)g->sev;
	} else {
		c->pt = (struct pt_config){
			.s1 = { .fmt = PT_FMT_ARM_S1 }, .nested = true, .s1_off = true,
			.s2 = { .fmt = PT_FMT_ARM_S2, .root = g->s2_root, .pa_bits = (uint8_t)g->m->cfg.pa_bits,
				.start_level = 0 },
		};
	}
	c->tlb = &g->m->tlb[0];
	/* Tagged by the host's VM, not the ASID: two VMCBs running under one
	 * ASID never share entries, as KVM's pre_sev_run ensures by flushing
	 * the ASID when another VMCB last ran with it (TLB_CONTROL). */
	c->tag = (struct tlb_tag){ .world = WORLD_NS, .vmid = (uint16_t)g->cfg.vmid };
	c->s2_pas = PAS_NS;
}

int hv_vm_load_image(struct hv_guest *g, uint64_t *cyc)
{
	struct hv_seg seg[2];
	for (unsigned k = 0; k < hv_segs(g, seg); k++)
		for (uint64_t off = 0; off < seg[k].len; off += PAGE) {
			uint64_t pa = hv_alloc_page(g, PG_DATA, seg[k].ipa + off);
			if (!pa || hv_vm_map(g, seg[k].ipa + off, pa, 0, cyc))
				return -1;
			for (uint64_t o = 0; o < PAGE; o += 64) {
				uint8_t b[64];
				(void)hv_load(g, seg[k].stage + off + o, b, 64, cyc);
				(void)hv_store(g, pa + o, b, 64, cyc);
			}
		}
	return 0;
}

int hv_plain_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	g->s2_root = hv_alloc_page(g, PG_RTT, 0);
	for (uint64_t i = 0; i < g->nvcpus; i++)
		if (!(g->vcpu[i].save = hv_alloc_page(g, PG_NS, 0)))
			return -1;
	if (!g->s2_root)
		return -1;
	hv_zero(g, g->s2_root, PAGE, cyc);
	hv_vm_setup(g);
	if (hv_vm_load_image(g, cyc))
		return -1;
	struct vcpu_state v = { .daif = ISA_DAIF_I };
	for (uint64_t i = 0; i < g->nvcpus; i++)
		hv_store(g, g->vcpu[i].save, &v, sizeof(v), cyc);
	g->vcpu[0].online = 1;
	hv_note(res, 0);
	res->x1 = g->s2_root;
	res->x2 = g->vcpu[0].save;
	return 0;
}

/* PSCI 1.1 (DEN0022) as the hypervisor implements it for its VM, as KVM
 * does: v's registers carry the call and take the result. false: the guest
 * is off (SYSTEM_OFF, or its last vCPU's CPU_OFF). */
static bool plain_psci(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc);

enum rmi_exit_reason hv_vm_call(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v,
				bool *stop, uint64_t *cyc)
{
	uint64_t fid = v->x[0];
	if ((fid & ~0xffffull) == 0xC6000000ull) {
		g->n.host_calls++;
		*cyc += g->m->cfg.host_hypercall_cycles;
		v->x[0] = (fid & 0xffff) + 1;
		return RMI_EXIT_HOST_CALL;
	}
	*stop = !plain_psci(g, c, v, cyc);
	return RMI_EXIT_PSCI;
}

static bool plain_psci(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc)
{
	uint64_t fid = v->x[0];
	int t;
	g->n.psci++;
	switch (fid) {
	case PSCI_VERSION:
		v->x[0] = PSCI_VERSION_1_1;
		return true;
	case PSCI_FEATURES:
		v->x[0] = psci_fid_implemented(v->x[1]) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
		return true;
	case PSCI_CPU_SUSPEND:
		v->x[0] = PSCI_RET_SUCCESS;
		return true;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		g->state = HV_OFF;
		return false;
	case PSCI_CPU_OFF:
		c->online = 0;
		for (uint64_t i = 0; i < g->nvcpus; i++)
			if (g->vcpu[i].online)
				return true;
		g->state = HV_OFF;
		return false;
	case PSCI_AFFINITY_INFO:
		t = hv_vcpu_of_mpidr(g, v->x[1]);
		v->x[0] = t < 0 || v->x[2] != 0 ? PSCI_RET_INVALID_PARAMS
		       : g->vcpu[t].online ? PSCI_AFF_ON : PSCI_AFF_OFF;
		return true;
	case PSCI_CPU_ON: {
		t = hv_vcpu_of_mpidr(g, v->x[1]);
		if (t < 0) {
			v->x[0] = PSCI_RET_INVALID_PARAMS;
			return true;
		}
		if (g->vcpu[t].online) {
			v->x[0] = PSCI_RET_ALREADY_ON;
			return true;
		}
		/* the host writes the new vCPU's entry into its save area; an
		 * SEV-ES / SNP vCPU starts from its launch VMSA instead */
		struct vcpu_state tv = { .pc = v->x[2], .daif = ISA_DAIF_I };
		tv.x[0] = v->x[3];
		if (g->vcpu[t].save)
			(void)hv_store(g, g->vcpu[t].save, &tv, sizeof(tv), cyc);
		memset(g->vcpu[t].lrs, 0, sizeof(g->vcpu[t].lrs));
		g->vcpu[t].online = 1;
		g->vcpu[t].waiting = 0;
		v->x[0] = PSCI_RET_SUCCESS;
		return true;
	}
	default:
		v->x[0] = PSCI_RET_NOT_SUPPORTED;
		return true;
	}
}

void hv_vm_mark(void *ctx, uint32_t what, uint64_t at)
{
	struct hv_guest *g = ctx;
	machine_mark(g->m, (uint32_t)g->cfg.vmid, what, at);
}

int hv_plain_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
		 uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint64_t exits = 0;
	struct vcpu_state v;
	hv_vm_setup(g);
	hv_note(res, 0);
	while (exits < max && g->state == HV_CREATED && !hv_past_limit(g, *cyc)) {
		struct hv_vcpu *c = hv_next_vcpu(g, cyc);
		if (!c)
			break; /* every vCPU off, or waiting with nothing to wake it */
		hv_blk_poll(g, cyc);
		/* the registers come from the host's page, which it may have changed
		 * (plain, sev), or from the VMSA (sev-es, sev-snp) */
		if (g->sev)
			hv_sev_state_load(g, c, &v, cyc);
		else
			(void)hv_load(g, c->save, &v, sizeof(v), cyc);
		/* host.guest_inject irq= is EVENTINJ (APM vol. 2 15.20): taken at
		 * VMRUN whatever the guest's RFLAGS.IF, the hypervisor being
		 * trusted to have checked it; the virtual timer's tick goes
		 * through the list registers, as V_IRQ, and waits for the mask */
		bool eventinj = c->inject_irq != 0;
		hv_inject_pending_irq(c);
		memcpy(v.lr, c->lrs, sizeof(v.lr));
		if (eventinj) {
			vcpu_take_irq(&v);
			res->hostile_taken++;
		}
		if (c->inject_esr) { /* event injection at VMRUN (VMCB EVENTINJ) */
			vcpu_take_sync(&v, c->inject_esr, c->inject_far);
			res->hostile_taken++;
			c->inject_esr = c->inject_far = 0;
		}
		*cyc += cfg->vm_switch_cycles;
		uint64_t horizon = hv_blk_horizon(g, hv_now(g, *cyc));
		struct exec_params p = { .now = hv_now(g, *cyc),
					 .budget = MAX(1, MIN(cfg->host_slice_cycles, horizon)),
					 .trap_wfi = g->cfg.trap_wfi,
					 .hw = g->sev == CPU_SEV_SNP ? &g->hw : NULL,
					 .mark = hv_vm_mark, .mark_ctx = g };
		struct exec_stop_info st;
		uint64_t spent = 0, insns = v.insns;
		if (cpu_exec(&g->gcpu, &v, &p, &st, &spent) < 0)
			break;
		g->n.insns += v.insns - insns;
		g->n.guest_cycles += spent;
		*cyc += spent + cfg->vm_switch_cycles + cfg->host_exit_cycles;
		if (g->sev >= CPU_SEV_ES)
			*cyc += cfg->es_exit_cycles;
		if (g->sev >= CPU_SEV_ES) /* #VMEXIT saves the GHCB MSR in the control area */
			c->ghcb_msr = v.ghcb;
		exits++;
		g->n.exits++;
		enum rmi_exit_reason why = RMI_EXIT_SYNC;
		uint64_t now = hv_now(g, *cyc);
		bool stop = false;
		switch (st.why) {
		case EXEC_BUDGET:
		case EXEC_TIMER:
			why = RMI_EXIT_IRQ;
			break;
		case EXEC_WFI:
			hv_vcpu_wfi(c, v.cntv_ctl, v.cntv_cval);
			hv_blk_wake(g, c);
			break;
		case EXEC_CALL:
			g->n.monitor_calls++;
			why = hv_vm_call(g, c, &v, &stop, cyc);
			break;
		case EXEC_VMGEXIT:
			g->n.monitor_calls++;
			why = hv_sev_vmgexit(g, c, &stop, cyc);
			break;
		case EXEC_TRAP:
			hv_vm_trap(g, c, &v, &st.insn, cyc);
			break;
		case EXEC_ABORT: {
			/* a nested page fault names its GPA (EXITINFO2 / HPFAR):
			 * for a fault on a guest table read, the table's */
			bool npf = st.fault.kind == FAULT_MMU_S2 || st.fault.kind == FAULT_RMP_NPF;
			uint64_t ipa = npf ? st.fault.addr : st.addr, page = ipa & ~(PAGE - 1);
			if (npf) {
				g->n.npfs++;
				g->n.last_npf = ipa;
				g->n.last_npf_kind = st.fault.kind;
			}
			if (st.fault.kind == FAULT_MMU_S2 && ipa < g->cfg.k.ram_size) {
				if (trap_fault(g, page, cyc))
					break; /* the page-fault channel: seen, mapped back */
				int swapped = hv_swap_fault(g, page, cyc);
				if (swapped) { /* swapped out: its latest copy back in */
					stop = swapped < 0;
					break;
				}
				if (hv_pool_pa(g, PG_DATA, page) || hv_pool_pa(g, PG_SHARED, page))
					break; /* another vCPU backed it meanwhile: retry */
				if (g->sev) {
					stop = hv_sev_populate(g, page, cyc) != 0;
					g->n.populate++;
					break;
				}
				uint64_t pa = hv_alloc_page(g, PG_DATA, page);
				if (!pa) {
					stop = true;
					break;
				}
				hv_zero(g, pa, PAGE, cyc);
				if (hv_vm_map(g, page, pa, 0, cyc))
					stop = true;
				g->n.populate++;
			} else if (st.fault.kind == FAULT_MMU_S2 && !st.fetch && ipa >= GUEST_DEV_BASE &&
				   ipa < GUEST_DEV_BASE + PAGE) {
				uint64_t r = hv_dev_access(g, ipa - GUEST_DEV_BASE, st.write, st.value,
							PG_DATA, GUEST_BOUNCE, cyc);
				if (!st.write && st.reg < ISA_NREGS)
					v.x[st.reg] = r;
				v.pc += ISA_INSN_BYTES;
			} else {
				vcpu_take_sync(&v, ESR_EC_DABT_CUR | ESR_DFSC_EXT_ABORT, ipa);
			}
			break;
		}
		}
		g->n.exits_by[why]++;
		memcpy(c->lrs, v.lr, sizeof(v.lr));
		hv_timer_check(g, c, v.cntv_ctl, v.cntv_cval, now);
		memcpy(v.lr, c->lrs, sizeof(v.lr));
		if (g->sev)
			hv_sev_state_save(g, c, &v, cyc);
		else
			(void)hv_store(g, c->save, &v, sizeof(v), cyc);
		trace_VM_EXIT(g->m->sim, g->host->src, why, st.why, v.pc, spent);
		if (stop || why == until)
			break; /* until: after serving it, before the vCPU runs again */
	}
	res->x1 = exits;
	return 0;
}
