/* REC entry and exit: RMI_REC_ENTER runs a REC's vCPU on this PE until
 * something needs the host, then reports it in the REC run structure the
 * host shares (RmiRecRun, an NS granule); RMI_PSCI_COMPLETE answers the PSCI
 * requests a REC exit hands over. Arm DEN0137 1.0-rel0: A4.3 (REC entry),
 * A4.4 (REC exit), A5.2.x (realm data access behaviour), A6 (interrupts and
 * timers), B3.3.10 (RMI_PSCI_COMPLETE), B3.3.14 (RMI_REC_ENTER), B5 (PSCI).
 *
 * The vCPU's registers live in the REC granule (Realm PAS, at
 * RMM_REC_VCPU_OFF): the host sees only what an exit puts in the run
 * structure. Realm code runs on the platform's PE (the guest_run service)
 * with stage 1 off (IPA = VA) through the realm's RTTs as the hardware
 * stage 2, with the core's TLB tagged by the realm's VMID. */
#include <errno.h>
#include <string.h>

#include "models/cpu/exec.h"
#include "models/monitor/rmm/rmm_internal.h"

static void put64(uint8_t *p, uint64_t v) { sim_le64_store(p, v); }
static uint64_t get64(const uint8_t *p) { return sim_le64_load(p); }

void rmm_rec_stats(const struct rmm *r, const struct rmm_stat_sink *k)
{
	rmm_stat(k, "rmm.rec", "entries", CCSIM_STAT_COUNT, &r->stat_rec_entries,
		 "successful RMI_REC_ENTER calls (realm runs)");
	/* Descriptions are kept by reference: static strings. */
	static const char *const names[RMI_EXIT_COUNT] = {
		"exits_sync", "exits_irq", "exits_fiq", "exits_psci", "exits_ripas_change",
		"exits_host_call", "exits_serror",
	};
	static const char *const docs[RMI_EXIT_COUNT] = {
		"REC exits with reason SYNC", "REC exits with reason IRQ", "REC exits with reason FIQ",
		"REC exits with reason PSCI", "REC exits with reason RIPAS_CHANGE",
		"REC exits with reason HOST_CALL", "REC exits with reason SERROR",
	};
	for (unsigned i = 0; i < RMI_EXIT_COUNT; i++)
		rmm_stat(k, "rmm.rec", names[i], CCSIM_STAT_COUNT, &r->stat_rec_exits[i], docs[i]);
	rmm_stat(k, "rmm.rec", "realm_cycles", CCSIM_STAT_CYCLES, &r->stat_rec_cycles,
		 "cycles the PE spent executing realm code");
	rmm_stat(k, "rmm.rec", "realm_insns", CCSIM_STAT_COUNT, &r->stat_rec_insns,
		 "realm instructions retired");
	rmm_stat(k, "rmm.rec", "timer_injects", CCSIM_STAT_COUNT, &r->stat_timer_injects,
		 "virtual timer interrupts the RMM injected without exiting (rmm.timer = rmm)");
	rmm_stat(k, "rmm.rec", "emulated", CCSIM_STAT_COUNT, &r->stat_emulated,
		 "trapped system register accesses (a realm's CPUID, MSRs) the RMM answered itself");
	rmm_stat(k, "rmm.rec", "sea_injects", CCSIM_STAT_COUNT, &r->stat_sea_injects,
		 "synchronous external aborts injected into realms");
	rmm_stat(k, "rmm.rec", "s2_tlbi", CCSIM_STAT_COUNT, &r->stat_s2_tlbi,
		 "stage 2 TLB invalidations by VMID after RTT changes");
}

void rmm_rec_vcpu_init(struct rmm *r, uint64_t rec, const struct rmm_rec *e, uint64_t *cycles)
{
	/* A1.x: a REC starts at reset state (interrupts masked) but for the PC
	 * and X0..X7 the host gave. */
	struct vcpu_state v = { .pc = e->pc, .daif = ISA_DAIF_I };
	memcpy(v.x, e->gprs, sizeof(e->gprs));
	rmm_realm_write(r, rec + RMM_REC_VCPU_OFF, &v, sizeof(v), cycles);
}

void rmm_s2_tlbi(struct rmm *r, uint64_t vmid, uint64_t *cycles)
{
	r->svc->tlbi_vmid(r->host, (uint32_t)vmid, cycles);
	r->stat_s2_tlbi++;
}

/* The PE's translation regime while it runs a realm: stage 1 off, the RTT
 * as stage 2 (VTTBR = rtt_base, VTCR from s2sz / level_start), Realm PAS,
 * and with FEAT_MEC the realm's MECID in VMECID_P_EL2 (TF-RMM
 * mec_realm_mecid_s2_init before entering the realm). */
static struct ccsim_guest_regime realm_regime(const struct rmm *r, const struct rmm_rd *d)
{
	return (struct ccsim_guest_regime){
		.s2_root = d->rtt_base, .start_level = (uint32_t)d->level_start,
		.in_bits = (uint32_t)d->s2sz, .shared_bit = (uint32_t)(d->s2sz - 1),
		.vmid = (uint32_t)d->vmid, .pas = CCSIM_PAS_REALM, .mecid = rmm_hw_mecid(r, d->mecid),
	};
}

/* Run the realm's vCPU on the platform's PE until it stops. */
static int realm_run(struct rmm *r, const struct ccsim_guest_regime *g, struct vcpu_state *v,
		     bool trap_wfi, struct ccsim_guest_stop *st, uint64_t *cycles)
{
	struct ccsim_guest_params p = { .at = *cycles, .budget = r->host_slice_cycles,
					.trap_wfi = trap_wfi };
	struct ccsim_vcpu cv;
	uint64_t spent = 0, insns = v->insns;
	vcpu_to_ccsim(&cv, v);
	int rc = r->svc->guest_run(r->host, g, &cv, &p, st, &spent);
	vcpu_from_ccsim(v, &cv);
	*cycles += spent;
	r->stat_rec_cycles += spent;
	r->stat_rec_insns += v->insns - insns;
	return rc;
}

/* What a REC exit reports besides the reason (A4.4). */
struct rec_exit {
	enum rmi_exit_reason reason;
	uint64_t esr, far, hpfar;
	uint64_t gprs[RMI_RUN_GPRS];
	uint64_t ripas_base, ripas_top, ripas_value;
	uint16_t imm;
};

static void exit_write(struct rmm *r, uint64_t run, const struct rec_exit *x,
		       const struct vcpu_state *v, uint64_t *cycles)
{
	uint8_t b[0x800] = { 0 };
	b[0] = (uint8_t)x->reason;
	put64(b + (RMI_RUN_EXIT_ESR - RMI_RUN_EXIT), x->esr);
	put64(b + (RMI_RUN_EXIT_FAR - RMI_RUN_EXIT), x->far);
	put64(b + (RMI_RUN_EXIT_HPFAR - RMI_RUN_EXIT), x->hpfar);
	for (unsigned i = 0; i < RMI_RUN_GPRS; i++)
		put64(b + (RMI_RUN_EXIT_GPRS - RMI_RUN_EXIT) + 8 * i, x->gprs[i]);
	/* A6.1: the list registers go back to the host so it can tell which
	 * virtual interrupts the realm has taken. */
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		put64(b + (RMI_RUN_EXIT_GICV3_LRS - RMI_RUN_EXIT) + 8 * i, v->lr[i]);
	/* A6.2: the EL1 virtual timer state, so the host can emulate its
	 * interrupt; ISTATUS as the hardware would read it. */
	put64(b + (RMI_RUN_EXIT_CNTV_CTL - RMI_RUN_EXIT), v->cntv_ctl);
	put64(b + (RMI_RUN_EXIT_CNTV_CVAL - RMI_RUN_EXIT), v->cntv_cval);
	put64(b + (RMI_RUN_EXIT_RIPAS_BASE - RMI_RUN_EXIT), x->ripas_base);
	put64(b + (RMI_RUN_EXIT_RIPAS_TOP - RMI_RUN_EXIT), x->ripas_top);
	put64(b + (RMI_RUN_EXIT_RIPAS_VALUE - RMI_RUN_EXIT), x->ripas_value);
	b[RMI_RUN_EXIT_IMM - RMI_RUN_EXIT] = (uint8_t)x->imm;
	b[RMI_RUN_EXIT_IMM - RMI_RUN_EXIT + 1] = (uint8_t)(x->imm >> 8);
	/* Only the lines holding fields are written (a real RMM stores fields). */
	static const uint16_t lines[] = { 0x000, 0x100, 0x200, 0x240, 0x280, 0x2c0, 0x300,
					  0x340, 0x380, 0x400, 0x500, 0x600 };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		(void)rmm_ns_write(r, run + RMI_RUN_EXIT + lines[i], b + lines[i], 64, cycles);
}

/* A synchronous external abort taken in the realm (A5.2.x), for a data
 * access or, if `fetch`, an instruction fetch at `addr`. */
static void inject_sea(struct rmm *r, struct vcpu_state *v, bool fetch, uint64_t addr)
{
	vcpu_take_sync(v, (fetch ? ESR_EC_IABT_LOW : ESR_EC_DABT_CUR) | ESR_DFSC_EXT_ABORT, addr);
	r->stat_sea_injects++;
	rmm_trace(r, r->tr.guest_sea, addr, v->esr, 0, 0);
}

/* PSCI from a REC (B5, A4.4.x "REC exit due to PSCI"): answered here, or
 * handed to the host (true: exit with RMI_EXIT_PSCI, X0..X3 in the exit). */
static bool rec_psci(struct rmm *r, uint64_t rec, uint64_t rd, struct rmm_rd *d, struct vcpu_state *v,
		     struct rmm_rec_run *rr, uint64_t *cycles)
{
	uint64_t fid = v->x[0], idx;
	switch (fid) {
	case PSCI_VERSION:
		v->x[0] = PSCI_VERSION_1_1;
		return false;
	case PSCI_FEATURES:
		v->x[0] = psci_fid_implemented(v->x[1]) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
		return false;
	case PSCI_CPU_SUSPEND:
		v->x[0] = PSCI_RET_SUCCESS; /* a power-down hint only: the host may schedule */
		return true;
	case PSCI_CPU_OFF: {
		struct rmm_rec e;
		rmm_realm_read(r, rec, &e, sizeof(e), cycles);
		e.runnable = 0;
		rmm_realm_write(r, rec, &e, sizeof(e), cycles);
		v->x[0] = PSCI_RET_SUCCESS;
		return true;
	}
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: {
		/* A2.1.5: the realm leaves ACTIVE for good; REC_ENTER now fails. */
		d->state = REALM_SYSTEM_OFF;
		rmm_rd_store(r, rd, d, cycles);
		return true;
	}
	case PSCI_AFFINITY_INFO:
		if (v->x[2] != 0) { /* lowest affinity level: only 0 is supported */
			v->x[0] = PSCI_RET_INVALID_PARAMS;
			return false;
		}
		/* fall through */
	case PSCI_CPU_ON:
		/* B5.3.3 failure condition "entry": the new REC would start in
		 * memory the host controls (TF-RMM checks it first) */
		if (fid == PSCI_CPU_ON && !rmm_ipa_protected(d, v->x[2])) {
			v->x[0] = PSCI_RET_INVALID_ADDRESS;
			return false;
		}
		if (!mpidr_to_index(v->x[1], &idx) || idx >= d->rec_index) {
			v->x[0] = PSCI_RET_INVALID_PARAMS; /* no such REC: answered here */
			return false;
		}
		rr->psci_pending = fid;
		rr->psci_target = v->x[1];
		rr->psci_entry = v->x[2];
		rr->psci_ctx = v->x[3];
		return true;
	default:
		v->x[0] = PSCI_RET_NOT_SUPPORTED;
		return false;
	}
}

/* B3.3.14 RMI_REC_ENTER(rec, run_ptr). Failure conditions, in this order
 * (the spec orders the granule checks; the rest follow TF-RMM):
 * rec_align < rec_bound < rec_gran_state (ERROR_INPUT) < run_align <
 * run_bound < run_pas (ERROR_INPUT) < realm_new (ERROR_REALM, index 0) <
 * system_off (ERROR_REALM, index 1) < rec_runnable < rec_psci_pending <
 * rec_mmio (emul_mmio set but the last exit was no emulatable data abort)
 * < rec_gic (a list register beyond the implemented ones, or a vINTID
 * >= 1020) (all ERROR_REC). */
RMM_HANDLER(rmi_rec_enter)
{
	uint64_t rec = regs[1], run = regs[2];
	struct rmm_rec e;
	struct rmm_rd d;
	struct rmm_rec_run rr;
	struct vcpu_state v;
	uint8_t enter[RMI_RUN_ENTER_GICV3_LRS + 8 * RMI_RUN_LRS];

	if (!rmm_granule_is(r, rec, GRANULE_REC)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	if (run % GRANULE_SIZE || run >> r->pa_bits ||
	    rmm_ns_read(r, run, enter, sizeof(enter), cycles)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_realm_read(r, rec, &e, sizeof(e), cycles);
	rmm_rd_load(r, e.owner, &d, cycles);
	rmm_realm_read(r, rec + RMM_REC_RUN_OFF, &rr, sizeof(rr), cycles);
	uint64_t flags = get64(enter + RMI_RUN_ENTER_FLAGS);
	if (d.state != REALM_ACTIVE) {
		rmm_fail(regs, RMI_ERROR_REALM, d.state == REALM_NEW ? 0 : 1);
		return;
	}
	bool gic_ok = true;
	for (unsigned i = 0; i < RMI_RUN_LRS; i++) {
		uint64_t lr = get64(enter + RMI_RUN_ENTER_GICV3_LRS + 8 * i);
		if ((i >= VGIC_NR_LRS && lr) || (vgic_lr_state(lr) && vgic_lr_intid(lr) >= 1020))
			gic_ok = false;
	}
	if (!e.runnable || rr.psci_pending || ((flags & RMI_ENTER_EMUL_MMIO) && !rr.emul_abort) ||
	    !gic_ok) {
		rmm_fail(regs, RMI_ERROR_REC, 0);
		return;
	}

	r->stat_rec_entries++;
	*cycles += r->rec_entry_cycles;
	rmm_realm_read(r, rec + RMM_REC_VCPU_OFF, &v, sizeof(v), cycles);
	rmm_trace(r, r->tr.rec_enter, rec, v.pc, flags, 0);

	/* A4.3.x: complete what the last exit left to the host. */
	if (rr.emul_abort && (flags & RMI_ENTER_EMUL_MMIO)) {
		if (!rr.abort_write) {
			uint64_t val = get64(enter + RMI_RUN_ENTER_GPRS);
			if (rr.abort_size < 8)
				val &= (1ull << (8 * rr.abort_size)) - 1;
			if (rr.abort_reg < ISA_NREGS)
				v.x[rr.abort_reg] = val;
		}
		v.pc += ISA_INSN_BYTES; /* the access is done: skip the instruction */
	} else if (rr.abort_unprot && (flags & RMI_ENTER_INJECT_SEA)) {
		/* Only for a data abort at an unprotected IPA may the host make
		 * the access fail (A5.2.x); anything else ignores the flag. */
		inject_sea(r, &v, false, 0);
	}
	rr.emul_abort = rr.abort_unprot = 0;
	uint64_t rsi[RSI_REGS] = { 0 };
	uint64_t gprs[RSI_HOST_CALL_NR_GPRS];
	for (unsigned i = 0; i < RSI_HOST_CALL_NR_GPRS; i++)
		gprs[i] = get64(enter + RMI_RUN_ENTER_GPRS + 8 * i);
	if (rmm_rsi_host_call_complete(r, rec, gprs, rsi, cycles) == 0)
		v.x[0] = rsi[0];
	unsigned resp = (flags & RMI_ENTER_RIPAS_RESPONSE) ? RSI_REJECT : RSI_ACCEPT;
	if (rmm_rsi_ripas_change_complete(r, rec, resp, rsi, cycles) == 0)
		memcpy(v.x, rsi, 3 * sizeof(uint64_t));
	/* A6.1: the host's list registers become the vCPU's (virtual
	 * interrupts it injects); only vINTID and State are kept. */
	for (unsigned i = 0; i < VGIC_NR_LRS; i++) {
		uint64_t lr = get64(enter + RMI_RUN_ENTER_GICV3_LRS + 8 * i);
		v.lr[i] = vgic_lr_make(vgic_lr_intid(lr), vgic_lr_state(lr));
		if (vgic_lr_state(lr) == VGIC_LR_PENDING)
			rmm_trace(r, r->tr.virq_inject, vgic_lr_intid(lr), 0, 0, 0);
	}

	const struct ccsim_guest_regime g = realm_regime(r, &d);
	struct rec_exit x = { .reason = RMI_EXIT_IRQ };
	for (;;) {
		struct ccsim_guest_stop st;
		int rc = realm_run(r, &g, &v, (flags & RMI_ENTER_TRAP_WFI) != 0, &st, cycles);
		if (rc < 0) {
			x.reason = RMI_EXIT_SERROR;
			break;
		}
		if (st.why == CCSIM_STOP_BUDGET) {
			x.reason = RMI_EXIT_IRQ; /* the host's own tick: a physical interrupt */
			break;
		}
		if (st.why == CCSIM_STOP_TIMER) {
			/* A6.2: the realm's timer fired. By default the physical
			 * interrupt exits to the host, which injects it back; with
			 * rmm.timer = rmm the RMM injects it itself. */
			if (r->timer_rmm && vcpu_lr_inject(&v, VGIC_INTID_VTIMER) == 0) {
				*cycles += r->timer_inject_cycles;
				r->stat_timer_injects++;
				rmm_trace(r, r->tr.virq_inject, VGIC_INTID_VTIMER, 1, 0, 0);
				continue;
			}
			x.reason = RMI_EXIT_IRQ;
			break;
		}
		if (st.why == CCSIM_STOP_WFI) {
			x.reason = RMI_EXIT_SYNC;
			x.esr = ESR_EC_WFX;
			break;
		}
		if (st.why == CCSIM_STOP_TRAP) {
			/* A trapped ID / system register read (the realm's CPUID,
			 * RDMSR, WRMSR) the RMM answers itself, without an exit:
			 * the realm sees the values the RMM exposes, none here.
			 * Port I/O does not exist on Arm: UNDEFINED. */
			if (st.trap == CCSIM_TRAP_IN || st.trap == CCSIM_TRAP_OUT) {
				vcpu_take_sync(&v, ESR_EC_UNKNOWN, 0);
				continue;
			}
			if (st.trap != CCSIM_TRAP_WRMSR)
				memset(v.x, 0, (st.trap == CCSIM_TRAP_CPUID ? 4 : 1) * sizeof(v.x[0]));
			v.pc += ISA_INSN_BYTES;
			v.insns++;
			*cycles += r->emulate_cycles;
			r->stat_emulated++;
			continue;
		}
		if (st.why == CCSIM_STOP_CALL) {
			if (st.hvc) { /* A3.x: HVC is UNDEFINED in a realm */
				v.pc -= ISA_INSN_BYTES; /* ELR at the HVC, not retired */
				v.insns--;
				vcpu_take_sync(&v, ESR_EC_UNKNOWN, 0);
				continue;
			}
			memcpy(rsi, v.x, sizeof(rsi));
			enum rsi_next next = rmm_handle_rsi(r, e.owner, rec, rsi, cycles);
			if (next == RSI_RET_REALM) {
				memcpy(v.x, rsi, sizeof(rsi));
				continue;
			}
			if (next == RSI_RET_EXIT_HOST_CALL) {
				struct rsi_host_call hc;
				x.reason = RMI_EXIT_HOST_CALL;
				if (rmm_rsi_host_call_args(r, rec, &hc, cycles) == 0) {
					x.imm = hc.imm;
					memcpy(x.gprs, hc.gprs, sizeof(hc.gprs));
				}
				break;
			}
			if (next == RSI_RET_EXIT_S2_FAULT) {
				/* As TF-RMM does: the call's buffer is RAM the host has
				 * not backed; report a stage 2 data abort on it (the
				 * realm's VA stays private: FAR 0, ISV 0) and run the
				 * SMC again on the next entry. */
				v.pc -= ISA_INSN_BYTES;
				x.reason = RMI_EXIT_SYNC;
				x.esr = ESR_EC_DABT_LOW | ESR_WNR |
					(ESR_DFSC_TRANSLATION + (rsi[1] & 3));
				x.hpfar = (rsi[0] >> 12) << 4;
				break;
			}
			if (next == RSI_RET_EXIT_RIPAS_CHANGE) {
				struct rmm_rec ne;
				rmm_realm_read(r, rec, &ne, sizeof(ne), cycles);
				x.reason = RMI_EXIT_RIPAS_CHANGE;
				x.ripas_base = ne.ripas_addr;
				x.ripas_top = ne.ripas_top;
				x.ripas_value = ne.ripas_value;
				break;
			}
			/* the exit carries the call as made: FID and arguments
			 * (A4.3.x), whatever rec_psci leaves in X0 for the realm */
			uint64_t call[4];
			memcpy(call, v.x, sizeof(call));
			if (rec_psci(r, rec, e.owner, &d, &v, &rr, cycles)) {
				x.reason = RMI_EXIT_PSCI;
				memcpy(x.gprs, call, sizeof(call));
				break;
			}
			continue;
		}
		/* CCSIM_STOP_ABORT */
		if (st.fault.kind != CCSIM_FAULT_MMU_S2) {
			/* Below translation (a GPF, a poisoned line): reported to the
			 * realm as a synchronous external abort. */
			inject_sea(r, &v, st.fetch, st.addr);
			continue;
		}
		uint64_t ipa = st.addr;
		struct rmm_walk w;
		rmm_rtt_walk(r, &d, ipa, RMM_RTT_PAGE_LEVEL, &w, cycles);
		unsigned dfsc = ESR_DFSC_TRANSLATION + (st.fault.level & 3);
		x.hpfar = (ipa >> 12) << 4; /* HPFAR_EL2.FIPA */
		if (!rmm_ipa_protected(&d, ipa)) {
			/* A5.2.x: an unprotected IPA is the host's to back: exit. A
			 * load or store is an emulatable data abort (ISV = 1, the
			 * register and size given); the host sees the page offset in
			 * FAR and, for a store, the value in gprs[0]. */
			x.reason = RMI_EXIT_SYNC;
			x.far = ipa & (GRANULE_SIZE - 1);
			if (st.fetch) {
				x.esr = ESR_EC_IABT_LOW | dfsc;
			} else {
				x.esr = ESR_EC_DABT_LOW | vcpu_dabt_iss(st.size, st.reg, st.write) | dfsc;
				x.gprs[0] = st.write ? st.value : 0;
				rr.emul_abort = 1;
				rr.abort_write = st.write;
				rr.abort_reg = st.reg;
				rr.abort_size = st.size;
				rr.abort_unprot = 1;
			}
			break;
		}
		unsigned ripas = w.e.state == RTTE_ASSIGNED || w.e.state == RTTE_UNASSIGNED
					 ? w.e.ripas : RIPAS_EMPTY;
		if (ripas == RIPAS_EMPTY) {
			/* A5.2.x: a protected IPA the realm has not accepted as RAM:
			 * a synchronous external abort in the realm, no exit. */
			inject_sea(r, &v, st.fetch, ipa);
			continue;
		}
		/* RIPAS RAM without a DATA granule (or DESTROYED): the host must
		 * act; the realm's VA stays private (FAR 0, ISV 0). */
		x.reason = RMI_EXIT_SYNC;
		x.esr = (st.fetch ? ESR_EC_IABT_LOW : ESR_EC_DABT_LOW) | (st.write ? ESR_WNR : 0) | dfsc;
		break;
	}

	*cycles += r->rec_exit_cycles;
	r->stat_rec_exits[x.reason]++;
	rr.last_exit = x.reason + 1u;
	rmm_realm_write(r, rec + RMM_REC_VCPU_OFF, &v, sizeof(v), cycles);
	rmm_realm_write(r, rec + RMM_REC_RUN_OFF, &rr, sizeof(rr), cycles);
	exit_write(r, run, &x, &v, cycles);
	rmm_trace(r, r->tr.rec_exit, x.reason, x.esr, x.hpfar, *cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}

/* B3.3.10 RMI_PSCI_COMPLETE(calling_rec, target_rec, status). Failure
 * conditions, in this order: calling_align < calling_bound < calling_state
 * < target_align < target_bound < target_state < calling_pending (no PSCI
 * request awaits completion) < target_realm (the RECs belong to different
 * realms) < target_mpidr (not the REC the request named) < status (only
 * PSCI_SUCCESS, or PSCI_DENIED for CPU_ON), all ERROR_INPUT. Success:
 * CPU_ON makes the target runnable at the entry point with X0 = context
 * (PSCI_ALREADY_ON if it was); AFFINITY_INFO answers ON or OFF. */
RMM_HANDLER(rmi_psci_complete)
{
	uint64_t calling = regs[1], target = regs[2], status = regs[3];
	struct rmm_rec ce, te;
	struct rmm_rec_run rr;
	struct vcpu_state v;
	if (!rmm_granule_is(r, calling, GRANULE_REC) || !rmm_granule_is(r, target, GRANULE_REC)) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_realm_read(r, calling, &ce, sizeof(ce), cycles);
	rmm_realm_read(r, target, &te, sizeof(te), cycles);
	rmm_realm_read(r, calling + RMM_REC_RUN_OFF, &rr, sizeof(rr), cycles);
	if (!rr.psci_pending || te.owner != ce.owner || te.mpidr != rr.psci_target ||
	    !(status == PSCI_RET_SUCCESS ||
	      (status == PSCI_RET_DENIED && rr.psci_pending == PSCI_CPU_ON))) {
		rmm_fail(regs, RMI_ERROR_INPUT, 0);
		return;
	}
	rmm_realm_read(r, calling + RMM_REC_VCPU_OFF, &v, sizeof(v), cycles);
	if (rr.psci_pending == PSCI_CPU_ON) {
		if (status == PSCI_RET_DENIED) {
			v.x[0] = PSCI_RET_DENIED;
		} else if (te.runnable) {
			v.x[0] = PSCI_RET_ALREADY_ON;
		} else {
			struct vcpu_state t = { .pc = rr.psci_entry, .daif = ISA_DAIF_I };
			t.x[0] = rr.psci_ctx;
			te.runnable = 1;
			rmm_realm_write(r, target, &te, sizeof(te), cycles);
			rmm_realm_write(r, target + RMM_REC_VCPU_OFF, &t, sizeof(t), cycles);
			v.x[0] = PSCI_RET_SUCCESS;
		}
	} else {
		v.x[0] = te.runnable ? PSCI_AFF_ON : PSCI_AFF_OFF;
	}
	rr.psci_pending = 0;
	rmm_realm_write(r, calling + RMM_REC_VCPU_OFF, &v, sizeof(v), cycles);
	rmm_realm_write(r, calling + RMM_REC_RUN_OFF, &rr, sizeof(rr), cycles);
	regs[0] = rmi_return(RMI_SUCCESS, 0);
}
