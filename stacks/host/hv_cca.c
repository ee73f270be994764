/* The host stack's cca personality: a realm through the RMI (see hv.h). */
#include <errno.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/platform/machine_mon.h"
#include "stacks/host/hv_priv.h"

static uint64_t delegated_page(struct hv_guest *g, enum hv_page kind, uint64_t ipa,
			       struct hv_result *res, uint64_t *cyc)
{
	uint64_t pa = hv_alloc_page(g, kind, ipa);
	if (!pa)
		return 0;
	uint64_t st = hv_rmi(g, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL, cyc);
	hv_note(res, st);
	return st == RMI_SUCCESS ? pa : 0;
}

/* An RMI call that walks the RTT to `ipa`: on ERROR_RTT at level L < 3,
 * create the level L+1 RTT covering ipa (as KVM does) and retry. */
static uint64_t rmi_rtt(struct hv_guest *g, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5, uint64_t ipa, uint64_t out[2],
			struct hv_result *res, uint64_t *cyc)
{
	for (int tries = 0;; tries++) {
		uint64_t st = hv_rmi(g, fid, a1, a2, a3, a4, a5, out, cyc);
		unsigned level = (unsigned)(st >> 8) & 0xff;
		if ((st & 0xff) != RMI_ERROR_RTT || level >= HV_RTT_PAGE_LEVEL || tries > 3)
			return st;
		uint64_t rtt = delegated_page(g, PG_RTT, (ipa & ~(pt_level_size(level) - 1)) |
						       (uint64_t)(level + 1), res, cyc);
		if (!rtt)
			return st;
		uint64_t cst = hv_rmi(g, RMI_RTT_CREATE, g->rd, rtt,
				   ipa & ~(pt_level_size(level) - 1), level + 1, 0, NULL, cyc);
		if (cst != RMI_SUCCESS) {
			hv_note(res, cst);
			return cst;
		}
	}
}

int hv_cca_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	const struct guest_kernel_config *k = &g->cfg.k;
	uint64_t out[2], st;
	g->rd = delegated_page(g, PG_META, 0, res, cyc);
	g->rtt_root = delegated_page(g, PG_META, 0, res, cyc);
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		c->rec = delegated_page(g, PG_META, 0, res, cyc);
		for (int a = 0; a < 2; a++)
			c->aux[a] = delegated_page(g, PG_META, 0, res, cyc);
		if (!c->rec || !c->aux[0] || !c->aux[1])
			return -1;
	}
	uint64_t params = hv_alloc_page(g, PG_NS, 0);
	for (uint64_t i = 0; i < g->nvcpus; i++)
		if (!(g->vcpu[i].run = hv_alloc_page(g, PG_NS, 0)))
			return -1;
	if (!g->rd || !g->rtt_root || !params)
		return -1;
	/* RmiRealmParams (B3.4.12): a 32-bit IPA space starting at level 1. */
	hv_zero(g, params, PAGE, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_S2SZ, HV_IPA_BITS, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_HASH_ALGO, RMI_HASH_SHA_256, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_VMID, g->cfg.vmid, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_RTT_BASE, g->rtt_root, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_RTT_LEVEL_START, 1, cyc);
	hv_store64(g, params + RMI_REALM_PARAM_RTT_NUM_START, 1, cyc);
	/* FEAT_MEC (DEN0137 1.1-alp12 RmiRealmParams.mecid): a private MEC per
	 * realm, numbered like its VMID; RMI_REALM_CREATE refuses one past
	 * MAX_MECID (RMI_FEATURES index 1) or already another realm's */
	if (g->m->cfg.mec)
		hv_store64(g, params + RMI_REALM_PARAM_MECID, g->cfg.vmid, cyc);
	st = hv_rmi(g, RMI_REALM_CREATE, g->rd, params, 0, 0, 0, NULL, cyc);
	hv_note(res, st);
	if (st != RMI_SUCCESS)
		return 0;
	/* the image, measured page by page (RIM), from where it waits */
	struct hv_seg seg[2];
	unsigned nseg = hv_segs(g, seg);
	for (unsigned s = 0; s < nseg; s++)
		for (uint64_t off = 0; off < seg[s].len; off += PAGE) {
			uint64_t ipa = seg[s].ipa + off, data = delegated_page(g, PG_DATA, ipa, res, cyc);
			if (!data)
				return -1;
			st = rmi_rtt(g, RMI_DATA_CREATE, g->rd, data, ipa, seg[s].stage + off,
				     RMI_DATA_FLAG_MEASURE, ipa, NULL, res, cyc);
			hv_note(res, st);
			if (st != RMI_SUCCESS)
				return 0;
		}
	/* the rest of RAM (up to the data segment): RIPAS RAM (measured),
	 * populated on first touch */
	uint64_t base = (g->image_len + PAGE - 1) & ~(PAGE - 1), top = nseg > 1 ? g->data_ipa
									       : k->ram_size;
	while (base < top) {
		st = rmi_rtt(g, RMI_RTT_INIT_RIPAS, g->rd, base, top, 0, 0, base, out, res, cyc);
		hv_note(res, st);
		if (st != RMI_SUCCESS)
			return 0;
		base = out[0];
	}
	/* one REC per vCPU, MPIDR = its index (B3.4.10 RmiRecParams); only the
	 * boot vCPU is runnable, at the image's entry: the others wait for
	 * PSCI CPU_ON. Each REC is measured into the RIM (REC_CREATE). */
	uint64_t rp = hv_alloc_page(g, PG_NS, 0);
	if (!rp)
		return -1;
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		hv_zero(g, rp, PAGE, cyc);
		hv_store64(g, rp + RMI_REC_PARAM_FLAGS, i == 0 ? RMI_REC_FLAG_RUNNABLE : 0, cyc);
		hv_store64(g, rp + RMI_REC_PARAM_MPIDR, i, cyc);
		hv_store64(g, rp + RMI_REC_PARAM_PC, 0, cyc);
		hv_store64(g, rp + RMI_REC_PARAM_NUM_AUX, 2, cyc);
		hv_store64(g, rp + RMI_REC_PARAM_AUX, c->aux[0], cyc);
		hv_store64(g, rp + RMI_REC_PARAM_AUX + 8, c->aux[1], cyc);
		st = hv_rmi(g, RMI_REC_CREATE, g->rd, c->rec, rp, 0, 0, NULL, cyc);
		hv_note(res, st);
		if (st != RMI_SUCCESS)
			return 0;
		c->online = i == 0;
	}
	st = hv_rmi(g, RMI_REALM_ACTIVATE, g->rd, 0, 0, 0, 0, NULL, cyc);
	hv_note(res, st);
	res->x1 = g->rd;
	res->x2 = g->vcpu[0].run;
	return 0;
}

#define SH (1ull << (HV_IPA_BITS - 1)) /* the realm's unprotected IPA bit */

static bool in_range(uint64_t ipa, uint64_t base, uint64_t size)
{
	return (ipa & ~SH) >= base && (ipa & ~SH) < base + size;
}

/* A data or instruction abort: back protected RAM on first touch, back the
 * bounce buffer's unprotected alias with host pages, emulate the device.
 * false: an abort the host cannot serve (the run stops). */
static bool cca_abort(struct hv_guest *g, struct hv_vcpu *c, uint64_t esr, struct hv_result *res,
		      uint64_t *cyc)
{
	uint64_t far = hv_load64(g, c->run + RMI_RUN_EXIT_FAR, cyc);
	uint64_t hpfar = hv_load64(g, c->run + RMI_RUN_EXIT_HPFAR, cyc);
	uint64_t ipa = (hpfar >> 4) << 12 | (far & (PAGE - 1)), page = ipa & ~(PAGE - 1);
	uint64_t st;
	if (!(ipa & SH)) {
		if (hv_pool_pa(g, PG_DATA, page))
			return true; /* another vCPU backed it meanwhile: just retry */
		uint64_t data = delegated_page(g, PG_DATA, page, res, cyc);
		if (!data)
			return false;
		st = rmi_rtt(g, RMI_DATA_CREATE_UNKNOWN, g->rd, data, page, 0, 0, page, NULL, res, cyc);
		g->n.populate++;
	} else if (in_range(ipa, GUEST_BOUNCE, GUEST_BOUNCE_SIZE)) {
		if (hv_pool_pa(g, PG_SHARED, page))
			return true;
		uint64_t pa = hv_alloc_page(g, PG_SHARED, page);
		if (!pa)
			return false;
		hv_zero(g, pa, PAGE, cyc);
		/* Normal WB memory, read / write, inner shareable */
		st = rmi_rtt(g, RMI_RTT_MAP_UNPROTECTED, g->rd, page, HV_RTT_PAGE_LEVEL,
			     pa | 0xfull << 2 | 3ull << 6 | 3ull << 8, 0, page, NULL, res, cyc);
		g->n.shared_maps++;
	} else if ((esr & ESR_ISV) && in_range(ipa, GUEST_DEV_BASE, PAGE)) {
		bool wr = (esr & ESR_WNR) != 0;
		uint64_t val = wr ? hv_load64(g, c->run + RMI_RUN_EXIT_GPRS, cyc) : 0;
		c->mmio_value = hv_dev_access(g, (ipa & ~SH) - GUEST_DEV_BASE, wr, val, PG_SHARED,
					      SH | GUEST_BOUNCE, cyc);
		c->mmio_pending = 1;
		return true;
	} else {
		return false;
	}
	hv_note(res, st);
	return st == RMI_SUCCESS;
}

/* RIPAS_CHANGE: RMI_RTT_SET_RIPAS until the whole range is done; the host
 * accepts (the next entry leaves RIPAS_RESPONSE clear). */
static void cca_ripas(struct hv_guest *g, struct hv_vcpu *c, struct hv_result *res, uint64_t *cyc)
{
	uint64_t base = hv_load64(g, c->run + RMI_RUN_EXIT_RIPAS_BASE, cyc);
	uint64_t top = hv_load64(g, c->run + RMI_RUN_EXIT_RIPAS_TOP, cyc);
	bool ram = hv_load64(g, c->run + RMI_RUN_EXIT_RIPAS_VALUE, cyc) == RIPAS_RAM;
	uint64_t out[2];
	g->n.ripas_changes++;
	while (base < top) {
		uint64_t st = rmi_rtt(g, RMI_RTT_SET_RIPAS, g->rd, c->rec, base, top, 0, base, out,
				      res, cyc);
		if (st != RMI_SUCCESS || out[0] <= base)
			break;
		if (ram)
			g->n.pages_accepted += (out[0] - base) / PAGE;
		base = out[0];
	}
}

/* PSCI the RMM handed over (B5): power state is the host's to track. CPU_ON
 * and AFFINITY_INFO name a vCPU: RMI_PSCI_COMPLETE with its REC tells the
 * RMM to start it (or report it); the host then schedules it. */
static bool cca_psci(struct hv_guest *g, struct hv_vcpu *c, struct hv_result *res, uint64_t *cyc)
{
	uint64_t fid = hv_load64(g, c->run + RMI_RUN_EXIT_GPRS, cyc);
	g->n.psci++;
	g->n.monitor_calls++;
	if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET) {
		g->state = HV_OFF;
		return false;
	}
	if (fid == PSCI_CPU_OFF) {
		c->online = 0;
		for (uint64_t i = 0; i < g->nvcpus; i++)
			if (g->vcpu[i].online)
				return true;
		g->state = HV_OFF; /* the last vCPU went off */
		return false;
	}
	if (fid == PSCI_CPU_ON || fid == PSCI_AFFINITY_INFO) {
		uint64_t mpidr = hv_load64(g, c->run + RMI_RUN_EXIT_GPRS + 8, cyc);
		int t = hv_vcpu_of_mpidr(g, mpidr);
		if (t < 0) /* the RMM answers for MPIDRs with no REC: not reached */
			return true;
		uint64_t st = hv_rmi(g, RMI_PSCI_COMPLETE, c->rec, g->vcpu[t].rec, PSCI_RET_SUCCESS,
				     0, 0, NULL, cyc);
		hv_note(res, st);
		if (fid == PSCI_CPU_ON && st == RMI_SUCCESS && !g->vcpu[t].online) {
			g->vcpu[t].online = 1;
			g->vcpu[t].waiting = 0;
		}
	}
	return true;
}

/* Handle one REC exit of vCPU c; false stops the run. */
static bool cca_exit(struct hv_guest *g, struct hv_vcpu *c, uint8_t reason, uint64_t ctl,
		     uint64_t cval, struct hv_result *res, uint64_t *cyc)
{
	switch (reason) {
	case RMI_EXIT_SYNC: {
		uint64_t esr = hv_load64(g, c->run + RMI_RUN_EXIT_ESR, cyc);
		uint64_t ec = esr & (0x3full << 26);
		if (ec == ESR_EC_WFX) {
			hv_vcpu_wfi(c, ctl, cval);
			hv_blk_wake(g, c);
			return true;
		}
		if (ec == ESR_EC_DABT_LOW || ec == ESR_EC_IABT_LOW)
			return cca_abort(g, c, esr, res, cyc);
		return true;
	}
	case RMI_EXIT_PSCI:
		return cca_psci(g, c, res, cyc);
	case RMI_EXIT_RIPAS_CHANGE:
		cca_ripas(g, c, res, cyc);
		return true;
	case RMI_EXIT_HOST_CALL: {
		uint8_t imm[2] = { 0 };
		(void)hv_load(g, c->run + RMI_RUN_EXIT_IMM, imm, 2, cyc);
		g->n.host_calls++;
		c->hostcall_pending = (uint64_t)(imm[0] | imm[1] << 8) + 1; /* an echo service */
		return true;
	}
	case RMI_EXIT_SERROR:
		return false;
	default: /* IRQ, FIQ: the timer is looked at below */
		return true;
	}
}

/* The exit the last REC_ENTER of vCPU c left in its run structure: its
 * timer state read back and the exit handled; false stops the run. */
static bool cca_handle(struct hv_guest *g, struct hv_vcpu *c, uint8_t reason,
		       struct hv_result *res, uint64_t *cyc)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		c->lrs[i] = hv_load64(g, c->run + RMI_RUN_EXIT_GICV3_LRS + 8 * i, cyc);
	uint64_t ctl = hv_load64(g, c->run + RMI_RUN_EXIT_CNTV_CTL, cyc);
	uint64_t cval = hv_load64(g, c->run + RMI_RUN_EXIT_CNTV_CVAL, cyc);
	if (!cca_exit(g, c, reason, ctl, cval, res, cyc))
		return false;
	hv_timer_check(g, c, ctl, cval, hv_now(g, *cyc));
	return true;
}

int hv_cca_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
	       uint64_t *cyc)
{
	uint64_t exits = 0;
	/* 1 + the interrupt host.guest_inject made pending, until the realm
	 * takes it: its list register, as the REC exit returns it, no longer
	 * pending (acknowledged, or acknowledged and ended) */
	uint64_t hostile = 0;
	const struct hv_vcpu *hostile_on = NULL;
	if (g->deferred) { /* the exit the last run stopped at, unhandled */
		uint8_t reason = (uint8_t)(g->deferred - 1);
		g->deferred = 0;
		if (!cca_handle(g, &g->vcpu[g->cur], reason, res, cyc)) {
			res->x1 = 0;
			return 0;
		}
	}
	while (exits < max && !hv_past_limit(g, *cyc)) {
		struct hv_vcpu *c = hv_next_vcpu(g, cyc);
		if (!c)
			break; /* every vCPU off, or waiting with nothing to wake it */
		hv_blk_poll(g, cyc);
		uint64_t flags = (g->cfg.trap_wfi ? RMI_ENTER_TRAP_WFI : 0) |
				 (c->mmio_pending ? RMI_ENTER_EMUL_MMIO : 0);
		hv_store64(g, c->run + RMI_RUN_ENTER_FLAGS, flags, cyc);
		if (c->mmio_pending || c->hostcall_pending)
			hv_store64(g, c->run + RMI_RUN_ENTER_GPRS,
				   c->mmio_pending ? c->mmio_value : c->hostcall_pending, cyc);
		if (c->inject_irq) {
			hostile = c->inject_irq;
			hostile_on = c;
		}
		hv_inject_pending_irq(c);
		if (hostile_on == c && !hv_lrs_pending(c->lrs, (uint32_t)(hostile - 1)))
			hostile = 0; /* no free list register: it was dropped */
		for (unsigned k = 0; k < VGIC_NR_LRS; k++)
			hv_store64(g, c->run + RMI_RUN_ENTER_GICV3_LRS + 8 * k, c->lrs[k], cyc);
		c->mmio_pending = c->hostcall_pending = 0;
		/* what the realm ran, as the RMM's PE counted it, and the calls
		 * it made to the RMM */
		struct machine_mon *mon = g->m->rmm;
		uint64_t insns = mon->guest_insns, rcyc = mon->guest_cycles, calls = 0, after = 0;
		(void)machine_mon_query(mon, CCSIM_QUERY_GUEST_CALLS, 0, &calls, sizeof(calls));
		uint64_t st = hv_rmi(g, RMI_REC_ENTER, c->rec, c->run, 0, 0, 0, NULL, cyc);
		(void)machine_mon_query(mon, CCSIM_QUERY_GUEST_CALLS, 0, &after, sizeof(after));
		g->n.insns += mon->guest_insns - insns;
		g->n.guest_cycles += mon->guest_cycles - rcyc;
		g->n.monitor_calls += after - calls;
		if (st != RMI_SUCCESS) {
			hv_note(res, st);
			break;
		}
		exits++;
		g->n.exits++;
		*cyc += g->m->cfg.host_exit_cycles;
		uint8_t reason = 0;
		(void)hv_load(g, c->run + RMI_RUN_EXIT_REASON, &reason, 1, cyc);
		if (reason < RMI_EXIT_COUNT)
			g->n.exits_by[reason]++;
		if (reason == until) { /* leave it for the scenario, and the next run */
			g->deferred = reason + 1u;
			break;
		}
		bool go = cca_handle(g, c, reason, res, cyc);
		if (hostile && hostile_on == c && !hv_lrs_pending(c->lrs, (uint32_t)(hostile - 1))) {
			res->hostile_taken++;
			hostile = 0;
		}
		if (!go)
			break;
	}
	res->x1 = exits;
	return 0;
}

int hv_cca_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint64_t st;
	for (uint64_t i = 0; i < g->next; i++) {
		uint64_t pa = g->cfg.pool + i * PAGE;
		if (g->kind[i] == PG_DATA) {
			hv_note(res, hv_rmi(g, RMI_DATA_DESTROY, g->rd, g->ipa[i], 0, 0, 0, NULL, cyc));
			hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL, cyc));
		} else if (g->kind[i] == PG_SHARED) {
			hv_note(res, hv_rmi(g, RMI_RTT_UNMAP_UNPROTECTED, g->rd,
				      g->ipa[i] | SH, HV_RTT_PAGE_LEVEL, 0, 0, NULL, cyc));
		}
	}
	for (uint64_t i = g->next; i-- > 0;) { /* deepest tables were made last */
		if (g->kind[i] != PG_RTT)
			continue;
		uint64_t pa = g->cfg.pool + i * PAGE, lvl = g->ipa[i] & 7;
		hv_note(res, hv_rmi(g, RMI_RTT_DESTROY, g->rd, g->ipa[i] & ~7ull, lvl, 0, 0, NULL, cyc));
		hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL, cyc));
	}
	for (uint64_t v = 0; v < g->nvcpus; v++) {
		const struct hv_vcpu *c = &g->vcpu[v];
		hv_note(res, hv_rmi(g, RMI_REC_DESTROY, c->rec, 0, 0, 0, 0, NULL, cyc));
		for (int i = 0; i < 2; i++)
			hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, c->aux[i], 0, 0, 0, 0, NULL, cyc));
		hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, c->rec, 0, 0, 0, 0, NULL, cyc));
	}
	st = hv_rmi(g, RMI_REALM_DESTROY, g->rd, 0, 0, 0, 0, NULL, cyc);
	hv_note(res, st);
	hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, g->rd, 0, 0, 0, 0, NULL, cyc));
	hv_note(res, hv_rmi(g, RMI_GRANULE_UNDELEGATE, g->rtt_root, 0, 0, 0, 0, NULL, cyc));
	return 0;
}
