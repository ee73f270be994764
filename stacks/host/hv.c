/* The host hypervisor stack; see hv.h. */
#include "stacks/host/hv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm.h"

#define PAGE 4096ull
#define RMM_RTT_PAGE_LEVEL_HV 3u

enum hv_page { PG_FREE = 0, PG_NS, PG_META, PG_DATA, PG_RTT, PG_SHARED };

static uint64_t pool_pages(void) { return HV_POOL_SIZE / PAGE; }

/* ---- host primitives: every one a real access or monitor call ---- */

static uint64_t alloc_page(struct hv_guest *g, enum hv_page kind, uint64_t ipa)
{
	if (g->next >= pool_pages())
		return 0;
	uint64_t i = g->next++;
	g->kind[i] = (uint8_t)kind;
	g->ipa[i] = ipa;
	return g->cfg.pool + i * PAGE;
}

static int hstore(struct hv_guest *g, uint64_t pa, const void *buf, uint32_t len, uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t c = 0;
	int rc = cpu_store(g->host, pa, buf, len, &f, &c);
	*cyc += c;
	return rc;
}

static int hload(struct hv_guest *g, uint64_t pa, void *buf, uint32_t len, uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t c = 0;
	int rc = cpu_load(g->host, pa, buf, len, &f, &c);
	*cyc += c;
	return rc;
}

static int hstore64(struct hv_guest *g, uint64_t pa, uint64_t v, uint64_t *cyc)
{
	uint8_t b[8];
	sim_le64_store(b, v);
	return hstore(g, pa, b, 8, cyc);
}

static uint64_t hload64(struct hv_guest *g, uint64_t pa, uint64_t *cyc)
{
	uint8_t b[8] = { 0 };
	(void)hload(g, pa, b, 8, cyc);
	return sim_le64_load(b);
}

static void hzero(struct hv_guest *g, uint64_t pa, uint64_t len, uint64_t *cyc)
{
	static const uint8_t z[64];
	for (uint64_t o = 0; o < len; o += 64)
		(void)hstore(g, pa + o, z, 64, cyc);
}

static uint64_t rmi(struct hv_guest *g, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t out[2], uint64_t *cyc)
{
	uint64_t regs[SMC_REGS] = { fid, a1, a2, a3, a4, a5 }, c = 0;
	g->m->local_now = sim_now(g->m->sim) + *cyc;
	cpu_smc(g->host, regs, &c);
	g->m->local_now = 0;
	*cyc += c;
	if (out) {
		out[0] = regs[1];
		out[1] = regs[2];
	}
	return regs[0];
}

/* Remember the first failure of a step. */
static void note(struct hv_result *res, uint64_t st)
{
	if (!res->has_status || (res->status == 0 && st != 0)) {
		res->has_status = true;
		res->status = st;
	}
}

/* ---- cca: realms through the RMI ---- */

static uint64_t delegated_page(struct hv_guest *g, enum hv_page kind, uint64_t ipa,
			       struct hv_result *res, uint64_t *cyc)
{
	uint64_t pa = alloc_page(g, kind, ipa);
	if (!pa)
		return 0;
	uint64_t st = rmi(g, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL, cyc);
	note(res, st);
	return st == RMI_SUCCESS ? pa : 0;
}

/* An RMI call that walks the RTT to `ipa`: on ERROR_RTT at level L < 3,
 * create the level L+1 RTT covering ipa (as KVM does) and retry. */
static uint64_t rmi_rtt(struct hv_guest *g, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5, uint64_t ipa, uint64_t out[2],
			struct hv_result *res, uint64_t *cyc)
{
	for (int tries = 0;; tries++) {
		uint64_t st = rmi(g, fid, a1, a2, a3, a4, a5, out, cyc);
		unsigned level = (unsigned)(st >> 8) & 0xff;
		if ((st & 0xff) != RMI_ERROR_RTT || level >= RMM_RTT_PAGE_LEVEL_HV || tries > 3)
			return st;
		uint64_t rtt = delegated_page(g, PG_RTT, (ipa & ~(pt_level_size(level) - 1)) |
						       (uint64_t)(level + 1), res, cyc);
		if (!rtt)
			return st;
		uint64_t cst = rmi(g, RMI_RTT_CREATE, g->rd, rtt,
				   ipa & ~(pt_level_size(level) - 1), level + 1, 0, NULL, cyc);
		if (cst != RMI_SUCCESS) {
			note(res, cst);
			return cst;
		}
	}
}

static int cca_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	const struct guest_kernel_config *k = &g->cfg.k;
	uint64_t out[2], st;
	g->rd = delegated_page(g, PG_META, 0, res, cyc);
	g->rtt_root = delegated_page(g, PG_META, 0, res, cyc);
	g->rec = delegated_page(g, PG_META, 0, res, cyc);
	for (int i = 0; i < 2; i++)
		g->aux[i] = delegated_page(g, PG_META, 0, res, cyc);
	uint64_t params = alloc_page(g, PG_NS, 0);
	g->run = alloc_page(g, PG_NS, 0);
	if (!g->rd || !g->rtt_root || !g->rec || !g->aux[0] || !g->aux[1] || !params || !g->run)
		return -1;
	/* RmiRealmParams (B3.4.12): a 32-bit IPA space starting at level 1. */
	hzero(g, params, PAGE, cyc);
	hstore64(g, params + RMI_REALM_PARAM_S2SZ, HV_IPA_BITS, cyc);
	hstore64(g, params + RMI_REALM_PARAM_HASH_ALGO, RMI_HASH_SHA_256, cyc);
	hstore64(g, params + RMI_REALM_PARAM_VMID, g->cfg.vmid, cyc);
	hstore64(g, params + RMI_REALM_PARAM_RTT_BASE, g->rtt_root, cyc);
	hstore64(g, params + RMI_REALM_PARAM_RTT_LEVEL_START, 1, cyc);
	hstore64(g, params + RMI_REALM_PARAM_RTT_NUM_START, 1, cyc);
	st = rmi(g, RMI_REALM_CREATE, g->rd, params, 0, 0, 0, NULL, cyc);
	note(res, st);
	if (st != RMI_SUCCESS)
		return 0;
	/* the image, measured page by page (RIM), from where it waits */
	for (uint64_t off = 0; off < g->image_len; off += PAGE) {
		uint64_t data = delegated_page(g, PG_DATA, off, res, cyc);
		if (!data)
			return -1;
		st = rmi_rtt(g, RMI_DATA_CREATE, g->rd, data, off, g->stage + off,
			     RMI_DATA_FLAG_MEASURE, off, NULL, res, cyc);
		note(res, st);
		if (st != RMI_SUCCESS)
			return 0;
	}
	/* the rest of RAM: RIPAS RAM (measured), populated on first touch */
	uint64_t base = (g->image_len + PAGE - 1) & ~(PAGE - 1);
	while (base < k->ram_size) {
		st = rmi_rtt(g, RMI_RTT_INIT_RIPAS, g->rd, base, k->ram_size, 0, 0, base, out, res, cyc);
		note(res, st);
		if (st != RMI_SUCCESS)
			return 0;
		base = out[0];
	}
	/* one REC at the image's entry */
	uint64_t rp = alloc_page(g, PG_NS, 0);
	if (!rp)
		return -1;
	hzero(g, rp, PAGE, cyc);
	hstore64(g, rp + RMI_REC_PARAM_FLAGS, RMI_REC_FLAG_RUNNABLE, cyc);
	hstore64(g, rp + RMI_REC_PARAM_PC, 0, cyc);
	hstore64(g, rp + RMI_REC_PARAM_NUM_AUX, 2, cyc);
	hstore64(g, rp + RMI_REC_PARAM_AUX, g->aux[0], cyc);
	hstore64(g, rp + RMI_REC_PARAM_AUX + 8, g->aux[1], cyc);
	st = rmi(g, RMI_REC_CREATE, g->rd, g->rec, rp, 0, 0, NULL, cyc);
	note(res, st);
	if (st != RMI_SUCCESS)
		return 0;
	st = rmi(g, RMI_REALM_ACTIVATE, g->rd, 0, 0, 0, 0, NULL, cyc);
	note(res, st);
	res->x1 = g->rd;
	res->x2 = g->run;
	return 0;
}

/* The host page of `kind` backing guest page `ipa` (pool bookkeeping), or 0. */
static uint64_t pool_pa(const struct hv_guest *g, enum hv_page kind, uint64_t ipa)
{
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == kind && g->ipa[i] == (ipa & ~(PAGE - 1)))
			return g->cfg.pool + i * PAGE + (ipa & (PAGE - 1));
	return 0;
}

/* Read `n` bytes the guest shared from `ipa` on, page by page: the host
 * backed each page when it was first touched, so they need not be
 * contiguous. Unbacked pages read as zeros. */
static void shared_read(struct hv_guest *g, enum hv_page kind, uint64_t ipa, uint8_t *buf,
			uint64_t n, uint64_t *cyc)
{
	for (uint64_t o = 0; o < n; o += 64) {
		uint64_t pa = pool_pa(g, kind, ipa + o);
		if (pa)
			(void)hload(g, pa, buf + o, (uint32_t)MIN(64, n - o), cyc);
	}
}

/* The device behind the guest's MMIO window; the bounce buffer is at
 * `bounce_ipa`, backed by host pages of `bounce_kind`. */
static uint64_t dev_access(struct hv_guest *g, uint64_t off, bool write, uint64_t val,
			   enum hv_page bounce_kind, uint64_t bounce_ipa, uint64_t *cyc)
{
	g->n.mmio++;
	if (!write)
		return off == GUEST_DEV_ID ? GUEST_DEV_ID_VALUE : 0;
	switch (off) {
	case GUEST_DEV_CONSOLE: {
		uint8_t c = (uint8_t)val;
		g_byte_array_append(g->out, &c, 1);
		break;
	}
	case GUEST_DEV_SEND:
	case GUEST_DEV_TOKEN: {
		uint64_t n = MIN(val, GUEST_BOUNCE_SIZE);
		uint8_t *b = g_malloc0(n ? n : 1);
		shared_read(g, bounce_kind, bounce_ipa, b, n, cyc);
		if (off == GUEST_DEV_TOKEN)
			g_byte_array_set_size(g->token, 0);
		g_byte_array_append(off == GUEST_DEV_TOKEN ? g->token : g->out, b, (guint)n);
		g_free(b);
		break;
	}
	case GUEST_DEV_REPORT:
		g->n.reported = val;
		break;
	case GUEST_DEV_PANIC:
		g->n.panicked = 1;
		g->n.panic_esr = val;
		break;
	default:
		break;
	}
	return 0;
}

/* Inject the virtual timer if it fired and the guest has not got it yet. */
static void timer_check(struct hv_guest *g, uint64_t ctl, uint64_t cval, uint64_t now)
{
	struct vcpu_state v = { .cntv_ctl = ctl, .cntv_cval = cval };
	memcpy(v.lr, g->lrs, sizeof(v.lr));
	if (vcpu_timer_asserted(&v, now) && !vcpu_lr_holds(&v, VGIC_INTID_VTIMER) &&
	    vcpu_lr_inject(&v, VGIC_INTID_VTIMER) == 0) {
		memcpy(g->lrs, v.lr, sizeof(v.lr));
		g->n.injected++;
	}
}

static int cca_run(struct hv_guest *g, uint64_t max, struct hv_result *res, uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint64_t sh = 1ull << (HV_IPA_BITS - 1), exits = 0;
	while (exits < max) {
		uint64_t flags = (g->cfg.trap_wfi ? RMI_ENTER_TRAP_WFI : 0) |
				 (g->mmio_pending ? RMI_ENTER_EMUL_MMIO : 0);
		hstore64(g, g->run + RMI_RUN_ENTER_FLAGS, flags, cyc);
		if (g->mmio_pending)
			hstore64(g, g->run + RMI_RUN_ENTER_GPRS, g->mmio_value, cyc);
		if (g->hostcall_pending) /* an echo service: gprs[0] = imm + 1 */
			hstore64(g, g->run + RMI_RUN_ENTER_GPRS, g->hostcall_pending, cyc);
		for (unsigned i = 0; i < VGIC_NR_LRS; i++)
			hstore64(g, g->run + RMI_RUN_ENTER_GICV3_LRS + 8 * i, g->lrs[i], cyc);
		g->mmio_pending = g->ripas_pending = g->hostcall_pending = 0;
		uint64_t st = rmi(g, RMI_REC_ENTER, g->rec, g->run, 0, 0, 0, NULL, cyc);
		if (st != RMI_SUCCESS) {
			note(res, st);
			break;
		}
		exits++;
		g->n.exits++;
		*cyc += cfg->host_exit_cycles;
		uint8_t reason = 0;
		(void)hload(g, g->run + RMI_RUN_EXIT_REASON, &reason, 1, cyc);
		if (reason < RMI_EXIT_COUNT)
			g->n.exits_by[reason]++;
		for (unsigned i = 0; i < VGIC_NR_LRS; i++)
			g->lrs[i] = hload64(g, g->run + RMI_RUN_EXIT_GICV3_LRS + 8 * i, cyc);
		uint64_t ctl = hload64(g, g->run + RMI_RUN_EXIT_CNTV_CTL, cyc);
		uint64_t cval = hload64(g, g->run + RMI_RUN_EXIT_CNTV_CVAL, cyc);
		uint64_t now = sim_now(g->m->sim) + *cyc;
		if (reason == RMI_EXIT_SYNC) {
			uint64_t esr = hload64(g, g->run + RMI_RUN_EXIT_ESR, cyc);
			uint64_t ec = esr & (0x3full << 26);
			if (ec == ESR_EC_WFX) {
				/* idle until the guest's timer, then inject it */
				if ((ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE) {
					if (cval > now) {
						g->n.idle_cycles += cval - now;
						*cyc += cval - now;
						now = cval;
					}
				} else {
					break; /* nothing will wake it */
				}
			} else if (ec == ESR_EC_DABT_LOW || ec == ESR_EC_IABT_LOW) {
				uint64_t far = hload64(g, g->run + RMI_RUN_EXIT_FAR, cyc);
				uint64_t hpfar = hload64(g, g->run + RMI_RUN_EXIT_HPFAR, cyc);
				uint64_t ipa = (hpfar >> 4) << 12 | (far & (PAGE - 1));
				uint64_t page = ipa & ~(PAGE - 1);
				if (!(ipa & sh)) {
					/* protected RAM without a granule yet: populate */
					uint64_t data = delegated_page(g, PG_DATA, page, res, cyc);
					if (!data)
						break;
					st = rmi_rtt(g, RMI_DATA_CREATE_UNKNOWN, g->rd, data, page, 0, 0, page,
						     NULL, res, cyc);
					note(res, st);
					g->n.populate++;
					if (st != RMI_SUCCESS)
						break;
				} else if ((ipa & ~sh) >= GUEST_BOUNCE &&
					   (ipa & ~sh) < GUEST_BOUNCE + GUEST_BOUNCE_SIZE) {
					/* the shared bounce buffer: back it with host memory */
					uint64_t pa = alloc_page(g, PG_SHARED, page);
					if (!pa)
						break;
					hzero(g, pa, PAGE, cyc);
					st = rmi_rtt(g, RMI_RTT_MAP_UNPROTECTED, g->rd, page, 3,
						     pa | 0xfull << 2 | 3ull << 6 | 3ull << 8, 0, page, NULL, res,
						     cyc);
					note(res, st);
					g->n.shared_maps++;
					if (st != RMI_SUCCESS)
						break;
				} else if ((esr & ESR_ISV) && (ipa & ~sh) >= GUEST_DEV_BASE &&
					   (ipa & ~sh) < GUEST_DEV_BASE + PAGE) {
					bool wr = (esr & ESR_WNR) != 0;
					uint64_t val = wr ? hload64(g, g->run + RMI_RUN_EXIT_GPRS, cyc) : 0;
					g->mmio_value = dev_access(g, (ipa & ~sh) - GUEST_DEV_BASE, wr, val,
								   PG_SHARED, sh | GUEST_BOUNCE, cyc);
					g->mmio_pending = 1;
				} else {
					break; /* an abort the host cannot serve */
				}
			}
		} else if (reason == RMI_EXIT_PSCI) {
			uint64_t fid = hload64(g, g->run + RMI_RUN_EXIT_GPRS, cyc);
			g->n.psci++;
			if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF) {
				g->state = HV_OFF;
				break;
			}
			if (fid == PSCI_CPU_ON || fid == PSCI_AFFINITY_INFO) {
				/* one REC: the request can only name itself */
				st = rmi(g, RMI_PSCI_COMPLETE, g->rec, g->rec, PSCI_RET_SUCCESS, 0, 0, NULL,
					 cyc);
				note(res, st);
			}
		} else if (reason == RMI_EXIT_RIPAS_CHANGE) {
			uint64_t base = hload64(g, g->run + RMI_RUN_EXIT_RIPAS_BASE, cyc);
			uint64_t top = hload64(g, g->run + RMI_RUN_EXIT_RIPAS_TOP, cyc);
			uint64_t out[2];
			g->n.ripas_changes++;
			while (base < top) {
				st = rmi_rtt(g, RMI_RTT_SET_RIPAS, g->rd, g->rec, base, top, 0, base, out,
					     res, cyc);
				if (st != RMI_SUCCESS || out[0] <= base)
					break;
				base = out[0];
			}
			g->ripas_pending = 1; /* accepted (flag clear) */
		} else if (reason == RMI_EXIT_HOST_CALL) {
			uint8_t imm[2] = { 0 };
			(void)hload(g, g->run + RMI_RUN_EXIT_IMM, imm, 2, cyc);
			g->n.host_calls++;
			g->hostcall_pending = (uint64_t)(imm[0] | imm[1] << 8) + 1;
		} else if (reason == RMI_EXIT_SERROR) {
			break;
		}
		timer_check(g, ctl, cval, now);
	}
	res->x1 = exits;
	return 0;
}

static int cca_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint64_t st;
	for (uint64_t i = 0; i < g->next; i++) {
		uint64_t pa = g->cfg.pool + i * PAGE;
		if (g->kind[i] == PG_DATA) {
			note(res, rmi(g, RMI_DATA_DESTROY, g->rd, g->ipa[i], 0, 0, 0, NULL, cyc));
			note(res, rmi(g, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL, cyc));
		} else if (g->kind[i] == PG_SHARED) {
			note(res, rmi(g, RMI_RTT_UNMAP_UNPROTECTED, g->rd,
				      g->ipa[i] | 1ull << (HV_IPA_BITS - 1), 3, 0, 0, NULL, cyc));
		}
	}
	for (uint64_t i = g->next; i-- > 0;) { /* deepest tables were made last */
		if (g->kind[i] != PG_RTT)
			continue;
		uint64_t pa = g->cfg.pool + i * PAGE, lvl = g->ipa[i] & 7;
		note(res, rmi(g, RMI_RTT_DESTROY, g->rd, g->ipa[i] & ~7ull, lvl, 0, 0, NULL, cyc));
		note(res, rmi(g, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL, cyc));
	}
	note(res, rmi(g, RMI_REC_DESTROY, g->rec, 0, 0, 0, 0, NULL, cyc));
	for (int i = 0; i < 2; i++)
		note(res, rmi(g, RMI_GRANULE_UNDELEGATE, g->aux[i], 0, 0, 0, 0, NULL, cyc));
	note(res, rmi(g, RMI_GRANULE_UNDELEGATE, g->rec, 0, 0, 0, 0, NULL, cyc));
	st = rmi(g, RMI_REALM_DESTROY, g->rd, 0, 0, 0, 0, NULL, cyc);
	note(res, st);
	note(res, rmi(g, RMI_GRANULE_UNDELEGATE, g->rd, 0, 0, 0, 0, NULL, cyc));
	note(res, rmi(g, RMI_GRANULE_UNDELEGATE, g->rtt_root, 0, 0, 0, 0, NULL, cyc));
	return 0;
}

/* ---- plain: an ordinary VM the host runs itself ---- */

struct plain_io {
	struct hv_guest *g;
	uint64_t *cyc;
};

static int pb_read64(void *ctx, uint64_t addr, uint64_t *val)
{
	struct plain_io *io = ctx;
	*val = hload64(io->g, addr, io->cyc);
	return 0;
}

static int pb_write64(void *ctx, uint64_t addr, uint64_t val)
{
	struct plain_io *io = ctx;
	return hstore64(io->g, addr, val, io->cyc) ? -EFAULT : 0;
}

static int pb_alloc(void *ctx, uint64_t *addr)
{
	struct plain_io *io = ctx;
	*addr = alloc_page(io->g, PG_RTT, 0);
	if (!*addr)
		return -ENOMEM;
	hzero(io->g, *addr, PAGE, io->cyc);
	return 0;
}

static int plain_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, uint64_t *cyc)
{
	struct plain_io io = { g, cyc };
	struct pt_builder b = { &g->gcpu.pt.s2, pb_read64, pb_write64, pb_alloc, &io };
	return pt_map(&b, g->s2_root, ipa, pa, PAGE, PT_PROT_R | PT_PROT_W | PT_PROT_X, 0);
}

static void plain_setup(struct hv_guest *g)
{
	struct cpu *c = &g->gcpu;
	c->paging = 1;
	c->pt = (struct pt_config){
		.s1 = { .fmt = PT_FMT_ARM_S1 }, .nested = true, .s1_off = true,
		.s2 = { .fmt = PT_FMT_ARM_S2, .root = g->s2_root, .pa_bits = (uint8_t)g->m->cfg.pa_bits,
			.start_level = 0 },
	};
	c->tlb = &g->m->tlb[0];
	c->tag = (struct tlb_tag){ .world = WORLD_NS, .vmid = (uint16_t)g->cfg.vmid };
	c->s2_pas = PAS_NS;
}

static int plain_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	g->s2_root = alloc_page(g, PG_RTT, 0);
	g->save = alloc_page(g, PG_NS, 0);
	if (!g->s2_root || !g->save)
		return -1;
	hzero(g, g->s2_root, PAGE, cyc);
	plain_setup(g);
	for (uint64_t off = 0; off < g->image_len; off += PAGE) {
		uint64_t pa = alloc_page(g, PG_DATA, off);
		if (!pa || plain_map(g, off, pa, cyc))
			return -1;
		for (uint64_t o = 0; o < PAGE; o += 64) {
			uint8_t b[64];
			(void)hload(g, g->stage + off + o, b, 64, cyc);
			(void)hstore(g, pa + o, b, 64, cyc);
		}
	}
	struct vcpu_state v = { .daif = ISA_DAIF_I };
	hstore(g, g->save, &v, sizeof(v), cyc);
	note(res, 0);
	res->x1 = g->s2_root;
	return 0;
}

static int plain_run(struct hv_guest *g, uint64_t max, struct hv_result *res, uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint64_t exits = 0;
	struct vcpu_state v;
	plain_setup(g);
	note(res, 0);
	while (exits < max && g->state == HV_CREATED) {
		/* the registers come from the host's page: it may have changed them */
		(void)hload(g, g->save, &v, sizeof(v), cyc);
		memcpy(v.lr, g->lrs, sizeof(v.lr));
		*cyc += cfg->vm_switch_cycles;
		struct exec_params p = { .now = sim_now(g->m->sim) + *cyc,
					 .budget = cfg->host_slice_cycles, .trap_wfi = g->cfg.trap_wfi };
		struct exec_stop_info st;
		uint64_t spent = 0;
		if (cpu_exec(&g->gcpu, &v, &p, &st, &spent) < 0)
			break;
		*cyc += spent + cfg->vm_switch_cycles + cfg->host_exit_cycles;
		exits++;
		g->n.exits++;
		enum rmi_exit_reason why = RMI_EXIT_SYNC;
		uint64_t now = sim_now(g->m->sim) + *cyc;
		bool stop = false;
		switch (st.why) {
		case EXEC_BUDGET:
		case EXEC_TIMER:
			why = RMI_EXIT_IRQ;
			break;
		case EXEC_WFI:
			if ((v.cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE) {
				stop = true;
				break;
			}
			if (v.cntv_cval > now) {
				g->n.idle_cycles += v.cntv_cval - now;
				*cyc += v.cntv_cval - now;
				now = v.cntv_cval;
			}
			break;
		case EXEC_CALL: {
			uint64_t fid = v.x[0];
			if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF) {
				why = RMI_EXIT_PSCI;
				g->n.psci++;
				g->state = HV_OFF;
			} else if (fid == PSCI_VERSION) {
				why = RMI_EXIT_PSCI;
				g->n.psci++;
				v.x[0] = PSCI_VERSION_1_1;
			} else if ((fid & ~0xffffull) == 0xC6000000ull) {
				why = RMI_EXIT_HOST_CALL;
				g->n.host_calls++;
				v.x[0] = (fid & 0xffff) + 1;
			} else {
				v.x[0] = PSCI_RET_NOT_SUPPORTED;
			}
			break;
		}
		case EXEC_ABORT: {
			uint64_t ipa = st.addr, page = ipa & ~(PAGE - 1);
			if (st.fault.kind == FAULT_MMU_S2 && ipa < g->cfg.k.ram_size) {
				uint64_t pa = alloc_page(g, PG_DATA, page);
				if (!pa) {
					stop = true;
					break;
				}
				hzero(g, pa, PAGE, cyc);
				if (plain_map(g, page, pa, cyc))
					stop = true;
				g->n.populate++;
			} else if (st.fault.kind == FAULT_MMU_S2 && !st.fetch && ipa >= GUEST_DEV_BASE &&
				   ipa < GUEST_DEV_BASE + PAGE) {
				uint64_t r = dev_access(g, ipa - GUEST_DEV_BASE, st.write, st.value,
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
		memcpy(g->lrs, v.lr, sizeof(v.lr));
		timer_check(g, v.cntv_ctl, v.cntv_cval, now);
		memcpy(v.lr, g->lrs, sizeof(v.lr));
		(void)hstore(g, g->save, &v, sizeof(v), cyc);
		trace_VM_EXIT(g->m->sim, g->host->src, why, st.why, v.pc, spent);
		if (stop)
			break;
	}
	res->x1 = exits;
	return 0;
}

/* ---- the API ---- */

static bool is_cca(const struct hv_guest *g) { return g->m->rmm != NULL; }

int hv_guest_load(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	if (g->state != HV_NONE) {
		snprintf(err, errlen, "guest %s is already loaded", g->name);
		return -1;
	}
	uint64_t pages = (g->image_len + PAGE - 1) / PAGE;
	g->stage = alloc_page(g, PG_NS, 0);
	for (uint64_t i = 1; i < pages; i++)
		(void)alloc_page(g, PG_NS, 0);
	for (uint64_t o = 0; o < pages * PAGE; o += 64) {
		uint8_t b[64] = { 0 };
		if (o < g->image_len)
			memcpy(b, g->image + o, MIN(64, g->image_len - o));
		(void)hstore(g, g->stage + o, b, 64, &cyc);
	}
	g->state = HV_LOADED;
	res->x1 = g->stage;
	res->x2 = g->image_len;
	res->cycles = cyc;
	return 0;
}

int hv_guest_create(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	if (g->state != HV_LOADED) {
		snprintf(err, errlen, "guest %s: host.guest_load first", g->name);
		return -1;
	}
	int rc = is_cca(g) ? cca_create(g, res, &cyc) : plain_create(g, res, &cyc);
	if (rc) {
		snprintf(err, errlen, "guest %s: its 32 MiB of host memory ran out", g->name);
		return -1;
	}
	if (res->status == 0)
		g->state = HV_CREATED;
	res->cycles = cyc;
	return 0;
}

int hv_guest_run(struct hv_guest *g, uint64_t max_exits, struct hv_result *res, char *err,
		 size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	if (g->state != HV_CREATED && g->state != HV_OFF) {
		snprintf(err, errlen, "guest %s: host.guest_create first", g->name);
		return -1;
	}
	uint64_t max = max_exits ? max_exits : g->cfg.max_exits;
	g->n.runs++;
	int rc = is_cca(g) ? cca_run(g, max, res, &cyc) : plain_run(g, max, res, &cyc);
	res->x2 = g->n.reported;
	res->cycles = cyc;
	g->n.run_cycles += cyc;
	(void)err;
	(void)errlen;
	return rc;
}

int hv_guest_destroy(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	if (g->state != HV_CREATED && g->state != HV_OFF) {
		snprintf(err, errlen, "guest %s: nothing to destroy", g->name);
		return -1;
	}
	if (is_cca(g))
		cca_destroy(g, res, &cyc);
	else
		note(res, 0);
	g->state = HV_DESTROYED;
	res->cycles = cyc;
	return 0;
}

uint64_t hv_guest_run_page(const struct hv_guest *g)
{
	return is_cca(g) ? g->run : g->save;
}

/* ---- model plumbing: saved with the simulation ---- */

static const struct sim_field hv_fields[] = {
	SIM_FIELD(struct hv_guest, state), SIM_FIELD(struct hv_guest, next),
	SIM_FIELD(struct hv_guest, stage), SIM_FIELD(struct hv_guest, rd),
	SIM_FIELD(struct hv_guest, rec), SIM_FIELD(struct hv_guest, run),
	SIM_FIELD(struct hv_guest, rtt_root), SIM_FIELD_ARRAY(struct hv_guest, aux, uint64_t),
	SIM_FIELD(struct hv_guest, save), SIM_FIELD(struct hv_guest, s2_root),
	SIM_FIELD(struct hv_guest, mmio_pending), SIM_FIELD(struct hv_guest, mmio_value),
	SIM_FIELD(struct hv_guest, ripas_pending), SIM_FIELD(struct hv_guest, hostcall_pending),
	SIM_FIELD_ARRAY(struct hv_guest, lrs, uint64_t),
	SIM_FIELD(struct hv_guest, n.runs), SIM_FIELD(struct hv_guest, n.exits),
	SIM_FIELD_ARRAY(struct hv_guest, n.exits_by, uint64_t),
	SIM_FIELD(struct hv_guest, n.mmio), SIM_FIELD(struct hv_guest, n.populate),
	SIM_FIELD(struct hv_guest, n.shared_maps), SIM_FIELD(struct hv_guest, n.ripas_changes),
	SIM_FIELD(struct hv_guest, n.host_calls), SIM_FIELD(struct hv_guest, n.psci),
	SIM_FIELD(struct hv_guest, n.injected), SIM_FIELD(struct hv_guest, n.idle_cycles),
	SIM_FIELD(struct hv_guest, n.run_cycles), SIM_FIELD(struct hv_guest, n.reported),
	SIM_FIELD(struct hv_guest, n.panic_esr), SIM_FIELD(struct hv_guest, n.panicked),
};
static const struct sim_vmstate hv_vmstate = { "hv", 1, hv_fields, G_N_ELEMENTS(hv_fields) };

static int hv_save(const struct sim_model *m, struct sim_buf *out)
{
	const struct hv_guest *g = (const struct hv_guest *)m;
	sim_buf_put(out, g->kind, pool_pages());
	sim_buf_put(out, g->ipa, pool_pages() * sizeof(uint64_t));
	sim_buf_put_u64(out, g->out->len);
	sim_buf_put(out, g->out->data, g->out->len);
	sim_buf_put_u64(out, g->token->len);
	sim_buf_put(out, g->token->data, g->token->len);
	return 0;
}

static int hv_restore(struct sim_model *m, struct sim_reader *in)
{
	struct hv_guest *g = (struct hv_guest *)m;
	if (!sim_reader_get(in, g->kind, pool_pages()) ||
	    !sim_reader_get(in, g->ipa, pool_pages() * sizeof(uint64_t)))
		return -EINVAL;
	GByteArray *arrs[2] = { g->out, g->token };
	for (int i = 0; i < 2; i++) {
		uint64_t n = sim_reader_u64(in);
		if (n > GUEST_BOUNCE_SIZE * 1024)
			return -EINVAL;
		g_byte_array_set_size(arrs[i], (guint)n);
		if (!sim_reader_get(in, arrs[i]->data, n))
			return -EINVAL;
	}
	return 0;
}

static void hv_destroy_model(struct sim_model *m)
{
	struct hv_guest *g = (struct hv_guest *)m;
	g_free(g->image);
	g_free(g->kind);
	g_free(g->ipa);
	g_byte_array_free(g->out, TRUE);
	g_byte_array_free(g->token, TRUE);
	g_free((char *)g->name);
	g_free(g->mname);
	g_free(g->vname);
	g_free(g);
}

static const struct sim_model_ops hv_ops = {
	.save_extra = hv_save, .restore_extra = hv_restore, .destroy = hv_destroy_model,
};

struct hv_guest *hv_guest_new(struct sim *s, struct machine *m, struct cpu *host, const char *name,
			      const struct hv_guest_config *cfg, char *err, size_t errlen)
{
	struct hv_guest *g = g_new0(struct hv_guest, 1);
	g->cfg = *cfg;
	g->cfg.k.realm = m->rmm != NULL;
	if (guest_kernel_build(&g->cfg.k, &g->image, &g->image_len, err, errlen)) {
		g_free(g);
		return NULL;
	}
	g->name = g_strdup(name);
	g->m = m;
	g->host = host;
	g->kind = g_malloc0(pool_pages());
	g->ipa = g_malloc0(pool_pages() * sizeof(uint64_t));
	g->out = g_byte_array_new();
	g->token = g_byte_array_new();
	gchar *prefix = g_strdup_printf("hv.%s", name);
	g->mname = prefix;
	g->base.name = prefix;
	g->base.kind = "hv";
	g->base.ops = &hv_ops;
	g->base.vmstate = &hv_vmstate;
	sim_model_register(s, &g->base);
	g->vname = g_strdup_printf("hv.%s.vcpu", name);
	cpu_init(&g->gcpu, s, g->vname, machine_bus(m), WORLD_NS, 1);
#define ST(f, n, k, d) SIM_STAT_DEF(struct hv_guest, f, n, k, d)
	static const struct sim_stat_def stats[] = {
		ST(n.runs, "runs", SIM_STAT_COUNT, "host.guest_run steps"),
		ST(n.exits, "exits", SIM_STAT_COUNT, "guest exits the host handled"),
		ST(n.exits_by[RMI_EXIT_SYNC], "exits_sync", SIM_STAT_COUNT, "exits for an abort, WFI or trap"),
		ST(n.exits_by[RMI_EXIT_IRQ], "exits_irq", SIM_STAT_COUNT, "exits for a physical interrupt (timer, host tick)"),
		ST(n.exits_by[RMI_EXIT_PSCI], "exits_psci", SIM_STAT_COUNT, "exits for PSCI"),
		ST(n.exits_by[RMI_EXIT_RIPAS_CHANGE], "exits_ripas_change", SIM_STAT_COUNT, "exits for a RIPAS change request"),
		ST(n.exits_by[RMI_EXIT_HOST_CALL], "exits_host_call", SIM_STAT_COUNT, "exits for a host call"),
		ST(n.mmio, "mmio", SIM_STAT_COUNT, "device accesses the host emulated"),
		ST(n.populate, "populated_pages", SIM_STAT_COUNT, "RAM pages the host backed on first touch"),
		ST(n.shared_maps, "shared_maps", SIM_STAT_COUNT, "host pages mapped at the unprotected alias"),
		ST(n.ripas_changes, "ripas_changes", SIM_STAT_COUNT, "RIPAS change requests served"),
		ST(n.host_calls, "host_calls", SIM_STAT_COUNT, "host calls answered"),
		ST(n.injected, "virq_injected", SIM_STAT_COUNT, "virtual timer interrupts the host injected"),
		ST(n.idle_cycles, "idle_cycles", SIM_STAT_CYCLES, "cycles the host waited for a guest in WFI"),
		ST(n.run_cycles, "run_cycles", SIM_STAT_CYCLES, "cycles of host.guest_run steps"),
		ST(n.reported, "reported", SIM_STAT_COUNT, "the last value the guest reported (its ticks)"),
	};
#undef ST
	sim_stat_register_table(s, prefix, g, stats, G_N_ELEMENTS(stats));
	return g;
}
