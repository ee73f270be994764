/* The host stack's s390 Secure Execution personality (see hv.h): a
 * protected guest built, run and torn down through the ultravisor in the
 * order Linux KVM and QEMU use (arch/s390/kvm/pv.c, kvm-s390.c; QEMU
 * hw/s390x/ipl.c, target/s390x/kvm/pv.c), from the SE image its owner
 * built for this machine's host key (the role of genprotimg / pvimg). The
 * guest's DAT tables (its gmap) are the host's, here the nested table;
 * the UV translates guest addresses through them. The host never reads a
 * secure page: its access would be a secure storage access (PGM 0x3d) and
 * its fault handler would export the page first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv.h"
#include "sim/buf.h"
#include "stacks/host/hv_priv.h"

#define MB (1ull << 20)
#define HV_2G (1ull << 31)

/* The personality's counters: a model of its own, so only s390-se runs
 * carry it (hv.NAME.se.*). */
struct hv_s390 {
	struct sim_model base;
	char *name;
	uint64_t imports, exports, swap_outs, swap_ins, host_faults, io, validity;
};

static struct uv *uv_of(const struct hv_guest *g) { return g->m->uv; }

/* ---- ultravisor calls ---- */

/* A control block for cmd, of the command's size (uv.h's). */
static uint8_t *cb_init(uint8_t cb[UVCB_MAX_LEN], uint16_t cmd)
{
	memset(cb, 0, UVCB_MAX_LEN);
	uv_put16(cb, uv_cmd_by_code(cmd)->len);
	uv_put16(cb + 2, cmd);
	return cb;
}

/* One UVC from the host at its present: the RC. */
static uint16_t uvc(struct hv_guest *g, uint8_t cb[UVCB_MAX_LEN], uint64_t *cyc)
{
	struct uv_caller host = { false, 0 };
	uint64_t c = 0;
	(void)hv_now(g, *cyc);
	uv_call(uv_of(g), &host, cb, UVCB_MAX_LEN, &c);
	*cyc += c;
	return uvcb_rc(cb);
}

/* A UVC of the build or teardown: its refusal is the step's status. */
static bool step_uvc(struct hv_guest *g, struct hv_result *res, uint8_t cb[UVCB_MAX_LEN],
		     uint64_t *cyc)
{
	uint16_t rc = uvc(g, cb, cyc);
	if (rc != UVC_RC_EXECUTED)
		hv_note(res, HV_UV_STATUS | rc);
	return rc == UVC_RC_EXECUTED;
}

/* ---- the guest's memory ---- */

/* A table read of the UV's walk: coherent, with no effect on the run (the
 * UV's time for it is in its call's cost). */
static int gmap_read64(void *ctx, uint64_t pa, uint64_t ipa, bool stage2, uint64_t *val,
		       uint64_t *cycles)
{
	(void)ipa;
	(void)stage2;
	(void)cycles;
	uint8_t b[8];
	if (machine_peek(ctx, 0, pa, b, sizeof(b)))
		return -EFAULT;
	*val = sim_le64_load(b);
	return 0;
}

/* The gmap as the UV walks it: guest absolute -> the host frame the
 * host's DAT tables (the nested table) map there, below the
 * configuration's storage length. */
static int gmap_translate(void *ctx, uint64_t gaddr, uint64_t *hpa)
{
	const struct hv_guest *g = ctx;
	struct pt_io io = { gmap_read64, g->m, NULL };
	if (gaddr >= g->cfg.k.ram_size)
		return -1;
	struct pt_walk_result r = pt_translate(&g->gcpu.pt, &io, gaddr, PT_ACC_READ);
	if (r.fault != PT_OK)
		return -1;
	*hpa = r.pa;
	return 0;
}

/* The UV's view of the gmap is not saved with the simulation: every entry
 * into the personality gives it again (the tables' format and root too). */
static void gmap_bind(struct hv_guest *g)
{
	hv_vm_setup(g);
	if (g->asid)
		uv_set_gmap(uv_of(g), (uint32_t)g->asid, gmap_translate, g);
}

/* `len` bytes of pool pages in a row, the first aligned to `align` (the
 * pool hands pages out in order; those skipped stay the host's): donated
 * storage, whose pages the UV owns from the call on. 0: the pool ran out. */
static uint64_t alloc_range(struct hv_guest *g, uint64_t len, uint64_t align)
{
	while ((g->cfg.pool + g->next * PAGE) % align)
		if (!hv_alloc_page(g, PG_NS, 0))
			return 0;
	uint64_t first = 0;
	for (uint64_t o = 0; o < len; o += PAGE) {
		uint64_t pa = hv_alloc_page(g, PG_META, 0);
		if (!pa)
			return 0;
		first = first ? first : pa;
	}
	return first;
}

/* Copy a page between host frames, 64 bytes at a time. */
static void copy_page(struct hv_guest *g, uint64_t from, uint64_t to, uint64_t *cyc)
{
	for (uint64_t o = 0; o < PAGE; o += 64) {
		uint8_t b[64];
		(void)hv_load(g, from + o, b, 64, cyc);
		(void)hv_store(g, to + o, b, 64, cyc);
	}
}

int hv_s390_make_accessible(struct hv_guest *g, uint64_t pa, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	cb_init(cb, UVC_CMD_CONV_FROM_SEC_STOR);
	uv_put64(cb + CFS_PADDR, pa & ~(PAGE - 1));
	gmap_bind(g);
	if (uvc(g, cb, cyc) != UVC_RC_EXECUTED)
		return -1;
	g->se->exports++;
	g->se->host_faults++;
	return 0;
}

/* The host's load of a guest frame, through its fault handler: a secure
 * page is exported first (arch/s390/mm/fault.c do_secure_storage_access
 * -> arch_make_folio_accessible -> uv_convert_from_secure), then read. */
static int host_read(struct hv_guest *g, uint64_t pa, uint8_t *buf, uint32_t len, uint64_t *cyc)
{
	for (int tries = 0;; tries++) {
		struct cc_fault f;
		uint64_t c = 0;
		(void)hv_now(g, *cyc);
		int r = cpu_load(g->host, pa, buf, len, &f, &c);
		*cyc += c;
		if (r != 1 || f.kind != FAULT_PGM_SECURE_ACCESS || tries)
			return r;
		if (hv_s390_make_accessible(g, pa, cyc))
			return r;
	}
}

/* ---- build ---- */

int hv_s390_load(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	struct se_image_view v;
	char why[128];
	if (se_image_parse(g->se_image, g->se_image_len, &v, why, sizeof(why)))
		return -1;
	/* what QEMU's IPL finds: the header, then each component's encrypted
	 * pages, in host memory the host may alter */
	uint64_t pages = (v.hdr_len + PAGE - 1) / PAGE;
	for (size_t i = 0; i < v.ncomp; i++)
		pages += (v.comp[i].size + PAGE - 1) / PAGE;
	g->stage = hv_alloc_page(g, PG_NS, 0);
	for (uint64_t i = 1; i < pages; i++)
		if (!hv_alloc_page(g, PG_NS, 0))
			return -1;
	uint64_t at = g->stage;
	for (size_t i = 0; i <= v.ncomp; i++) {
		const uint8_t *src = i ? v.comp[i - 1].data : v.hdr;
		uint64_t n = i ? v.comp[i - 1].size : v.hdr_len, span = (n + PAGE - 1) & ~(PAGE - 1);
		for (uint64_t o = 0; o < span; o += 64) {
			uint8_t b[64] = { 0 };
			if (o < n)
				memcpy(b, src + o, MIN(64, n - o));
			(void)hv_store(g, at + o, b, 64, cyc);
		}
		at += span;
	}
	res->x1 = g->stage;
	res->x2 = g->se_image_len;
	return 0;
}

/* The UV's sizes (QUI, arch/s390/kernel/uv.c uv_query_info). */
struct qui {
	uint64_t base, conf_base, conf_virt, conf_var, cpu;
};

static bool query(struct hv_guest *g, struct hv_result *res, struct qui *q, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	if (!step_uvc(g, res, cb_init(cb, UVC_CMD_QUI), cyc))
		return false;
	*q = (struct qui){ uv_be64(cb + QUI_UV_BASE_STOR_LEN), uv_be64(cb + QUI_CONF_BASE_PHYS_LEN),
			   uv_be64(cb + QUI_CONF_BASE_VIRT_LEN), uv_be64(cb + QUI_CONF_VIRT_VAR_LEN),
			   uv_be64(cb + QUI_CPU_STOR_LEN) };
	return true;
}

/* The configuration and its CPU (kvm_s390_pv_init_vm after
 * kvm_s390_pv_alloc_vm, kvm_s390_pv_create_cpu): 1 done, 0 refused (res),
 * -1 the pool ran out. */
static int create_conf(struct hv_guest *g, struct hv_result *res, const struct qui *q,
		       uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	uint64_t ram = g->cfg.k.ram_size;
	/* variable storage: uv_info.guest_virt_var_stor_len per MB of guest
	 * storage, plus its base (kvm_s390_pv_alloc_vm) */
	uint64_t vlen = ((q->conf_var * (ram / MB) + PAGE - 1) & ~(PAGE - 1)) + q->conf_virt;
	uint64_t base = alloc_range(g, q->conf_base, PAGE), var = vlen ? alloc_range(g, vlen, PAGE) : 0;
	uint64_t sca = hv_alloc_page(g, PG_NS, 0);
	if (!base || (vlen && !var) || !sca || !(g->s2_root = hv_alloc_page(g, PG_RTT, 0)))
		return -1;
	hv_zero(g, sca, PAGE, cyc);
	hv_zero(g, g->s2_root, PAGE, cyc);
	hv_vm_setup(g);
	cb_init(cb, UVC_CMD_CREATE_SEC_CONF);
	uv_put64(cb + CGC_STOR_ORIGIN, 0); /* "MSO is 0 for KVM" */
	uv_put64(cb + CGC_STOR_LEN, ram);
	/* the gmap's ASCE, with the private-space control the UV asks for
	 * (kvm-unit-tests s390x/uv-host.c test_config_create) */
	uv_put64(cb + CGC_ASCE, g->s2_root | UV_ASCE_P);
	uv_put64(cb + CGC_SCA, sca);
	uv_put64(cb + CGC_BASE_ORIGIN, base);
	uv_put64(cb + CGC_VIRT_ORIGIN, var);
	if (!step_uvc(g, res, cb, cyc))
		return 0;
	g->rd = uv_be64(cb + CGC_GUEST_HANDLE);
	g->asid = uv_conf_id(uv_of(g), g->rd);
	gmap_bind(g);
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		/* the state description KVM allocates per vCPU (its sie_block),
		 * given to the UV as the CPU's state origin */
		if (!(c->save = hv_alloc_page(g, PG_NS, 0)) || !(c->aux[0] = alloc_range(g, q->cpu, PAGE)))
			return -1;
		hv_zero(g, c->save, PAGE, cyc);
		cb_init(cb, UVC_CMD_CREATE_SEC_CPU);
		uv_put64(cb + CSC_GUEST_HANDLE, g->rd);
		uv_put16(cb + CSC_NUM, (uint16_t)i);
		uv_put64(cb + CSC_STATE_ORIGIN, c->save);
		uv_put64(cb + CSC_STOR_ORIGIN, c->aux[0]);
		if (!step_uvc(g, res, cb, cyc))
			return 0;
		c->rec = uv_be64(cb + CSC_CPU_HANDLE);
		/* "sie_block->pv_handle_cpu = uvcb.cpu_handle; ...
		 * pv_handle_config = kvm_s390_pv_get_handle(vcpu->kvm)" */
		uint8_t h[16];
		uv_put64(h, c->rec);
		uv_put64(h + 8, g->rd);
		(void)hv_store(g, c->save + UV_SD_PV_HANDLE_CPU, h, sizeof(h), cyc);
	}
	return 1;
}

/* The image into guest memory and through the UV (QEMU
 * s390_ipl_prepare_pv_header, s390_ipl_pv_unpack, s390_pv_verify; KVM
 * kvm_s390_pv_set_sec_parms, kvm_s390_pv_unpack -> unpack_one): each
 * component's pages copied from where they were staged into frames the
 * gmap maps at their addresses, the header set, every page unpacked, the
 * image verified. 1 done, 0 refused, -1 out of pool. */
static int unpack_image(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	struct se_image_view v;
	char why[128];
	uint8_t cb[UVCB_MAX_LEN];
	if (se_image_parse(g->se_image, g->se_image_len, &v, why, sizeof(why)))
		return -1;
	uint64_t at = g->stage + ((v.hdr_len + PAGE - 1) & ~(PAGE - 1));
	for (size_t i = 0; i < v.ncomp; i++)
		for (uint64_t o = 0; o < v.comp[i].size; o += PAGE, at += PAGE) {
			uint64_t pa = hv_alloc_page(g, PG_DATA, v.comp[i].addr + o);
			if (!pa || hv_vm_map(g, v.comp[i].addr + o, pa, 0, cyc))
				return -1;
			copy_page(g, at, pa, cyc);
		}
	cb_init(cb, UVC_CMD_SET_SEC_CONF_PARAMS);
	uv_put64(cb + CB_HANDLE, g->rd);
	uv_put64(cb + SSC_HDR_ORIGIN, g->stage);
	uv_put32(cb + SSC_HDR_LEN, (uint32_t)v.hdr_len);
	if (!step_uvc(g, res, cb, cyc))
		return 0;
	for (size_t i = 0; i < v.ncomp; i++)
		for (uint64_t o = 0; o < v.comp[i].size; o += PAGE) {
			cb_init(cb, UVC_CMD_UNPACK_IMG);
			uv_put64(cb + CB_HANDLE, g->rd);
			uv_put64(cb + UNP_GADDR, v.comp[i].addr + o);
			uv_put64(cb + UNP_TWEAK0, v.comp[i].tweak);
			uv_put64(cb + UNP_TWEAK1, o);
			if (!step_uvc(g, res, cb, cyc))
				return 0;
		}
	cb_init(cb, UVC_CMD_VERIFY_IMG);
	uv_put64(cb + CB_HANDLE, g->rd);
	return step_uvc(g, res, cb, cyc) ? 1 : 0;
}

int hv_s390_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	struct qui q;
	if (!query(g, res, &q, cyc))
		return 0;
	/* the host kernel initialises the UV once, with the base storage QUI
	 * asks for, 1 MB aligned above 2 GB (arch/s390/kernel/uv.c setup_uv,
	 * uv_init) */
	if (!uv_initialized(uv_of(g))) {
		uint64_t base = alloc_range(g, q.base, MB);
		if (!base)
			return -1;
		cb_init(cb, UVC_CMD_INIT_UV);
		uv_put64(cb + INIT_STOR_ORIGIN, base);
		uv_put64(cb + INIT_STOR_LEN, q.base);
		if (!step_uvc(g, res, cb, cyc))
			return 0;
	}
	int rc = create_conf(g, res, &q, cyc);
	if (rc <= 0 || (rc = unpack_image(g, res, cyc)) <= 0)
		return rc;
	/* the boot CPU loads the header's PSW: KVM_MP_STATE_LOAD ->
	 * kvm_s390_pv_set_cpu_state(vcpu, PV_CPU_STATE_OPR_LOAD) */
	cb_init(cb, UVC_CMD_CPU_SET_STATE);
	uv_put64(cb + CB_HANDLE, g->vcpu[0].rec);
	cb[SET_STATE_STATE] = PV_CPU_STATE_OPR_LOAD;
	if (!step_uvc(g, res, cb, cyc))
		return 0;
	g->vcpu[0].online = 1;
	hv_note(res, 0);
	res->x1 = g->rd;
	res->x2 = g->vcpu[0].rec;
	return 0;
}

/* ---- run ---- */

/* What the host reads of the stand-in after SIE: its intercept fields. */
struct sd_view {
	uint8_t icpt;
	uint16_t ipa, pgm;
	uint64_t gr[4], teid, io_addr, io_flags, io_data, irq[VGIC_NR_LRS], ckc_ctl, ckc;
};

static void sd_read(struct hv_guest *g, uint64_t sd, struct sd_view *w, uint64_t *cyc)
{
	uint8_t a[8], b[UV_SD_LEN - UV_SD_GRREGS];
	(void)hv_load(g, sd + UV_SD_ICPTCODE, a, sizeof(a), cyc);
	(void)hv_load(g, sd + UV_SD_GRREGS, b, sizeof(b), cyc);
#define SD(off) (b + ((off) - UV_SD_GRREGS))
	w->icpt = a[0];
	w->ipa = uv_be16(a + (UV_SD_IPA - UV_SD_ICPTCODE));
	for (unsigned i = 0; i < 4; i++)
		w->gr[i] = uv_be64(SD(UV_SD_GRREGS + 8 * i));
	w->pgm = uv_be16(SD(UV_SD_PGM_CODE));
	w->teid = uv_be64(SD(UV_SD_TEID));
	w->io_addr = uv_be64(SD(UV_SD_IO_ADDR));
	w->io_flags = uv_be64(SD(UV_SD_IO_FLAGS));
	w->io_data = uv_be64(SD(UV_SD_IO_DATA));
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		w->irq[i] = uv_be64(SD(UV_SD_IRQ + 8 * i));
	w->ckc_ctl = uv_be64(SD(UV_SD_CKC_CTL));
	w->ckc = uv_be64(SD(UV_SD_CKC));
#undef SD
}

/* Before SIE: the interrupts the host makes pending, and whether it
 * injects one at entry (the interruption injection control). */
static void sd_inject(struct hv_guest *g, const struct hv_vcpu *c, bool now, uint64_t *cyc)
{
	uint8_t b[8 * VGIC_NR_LRS], ii = now ? 1 : 0;
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		uv_put64(b + 8 * i, c->lrs[i]);
	(void)hv_store(g, c->save + UV_SD_IRQ, b, sizeof(b), cyc);
	(void)hv_store(g, c->save + UV_SD_IICTL, &ii, 1, cyc);
}

/* The host's answer to an intercepted instruction (its emulation's
 * output, into the GR save area). */
static void sd_answer(struct hv_guest *g, const struct hv_vcpu *c, uint64_t v, uint64_t *cyc)
{
	uint8_t b[8];
	uv_put64(b, v);
	(void)hv_store(g, c->save + UV_SD_GRREGS, b, sizeof(b), cyc);
}

/* A gmap fault (the host's DAT tables lack the page): a page host.guest_unmap
 * took away goes back; one the host swapped out is read back from its slot
 * into a fresh frame (its export, which the guest's next touch imports);
 * else a fresh frame. false: out of pool. */
static bool gmap_fault(struct hv_guest *g, uint64_t page, uint64_t *cyc)
{
	if (hv_trap_take(g, page))
		return hv_vm_map(g, page, hv_pool_pa(g, PG_DATA, page), 0, cyc) == 0;
	if (hv_pool_pa(g, PG_DATA, page))
		return true;
	uint64_t slot = hv_pool_pa(g, PG_SWAP, page), pa = hv_alloc_page(g, PG_DATA, page);
	if (!pa)
		return false;
	if (slot) {
		copy_page(g, slot, pa, cyc);
		g->kind[(slot - g->cfg.pool) / PAGE] = PG_NS;
		g->se->swap_ins++;
	} else {
		hv_zero(g, pa, PAGE, cyc);
		g->n.populate++;
	}
	return hv_vm_map(g, page, pa, 0, cyc) == 0;
}

/* PGM 0x3e: "a page belonging to a protected guest has not been imported
 * yet. Try to import the page" (kvm-s390.c vcpu_post_run_handle_fault ->
 * gmap_convert_to_secure). A refusal (the integrity check of a page that
 * is not its last export) kills the guest (send_sig(SIGSEGV)). */
static bool import(struct hv_guest *g, uint64_t page, struct hv_result *res, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	cb_init(cb, UVC_CMD_CONV_TO_SEC_STOR);
	uv_put64(cb + CB_HANDLE, g->rd);
	uv_put64(cb + CTS_GADDR, page);
	if (!step_uvc(g, res, cb, cyc))
		return false;
	g->se->imports++;
	return true;
}

/* The guest is killed (QEMU's SIGSEGV): off, as if it had panicked. */
static void kill_guest(struct hv_guest *g)
{
	g->n.panicked = 1;
	g->state = HV_OFF;
}

/* A host program interruption during SIE (pgm, on the page teid). false:
 * the run stops. */
static bool host_pgm(struct hv_guest *g, const struct sd_view *w, struct hv_result *res,
		     uint64_t *cyc)
{
	g->n.npfs++;
	g->n.last_npf = w->teid;
	switch (w->pgm) {
	case UV_PGM_PAGE_TRANSLATION:
		return gmap_fault(g, w->teid, cyc);
	case UV_PGM_NON_SECURE_ACCESS:
		if (import(g, w->teid, res, cyc))
			return true;
		break;
	default:
		/* PGM 0x3f: "Either KVM messed up the secure guest mapping or the
		 * same page is mapped into multiple secure guests"
		 * (arch/s390/mm/fault.c do_secure_storage_violation) */
		break;
	}
	kill_guest(g);
	return false;
}

int hv_s390_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
		uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint64_t exits = 0;
	gmap_bind(g);
	hv_note(res, 0);
	while (exits < max && g->state == HV_CREATED && !hv_past_limit(g, *cyc)) {
		struct hv_vcpu *c = hv_next_vcpu(g, cyc);
		if (!c)
			break; /* waiting with nothing to wake it */
		hv_blk_poll(g, cyc);
		bool inject = c->inject_irq != 0;
		uint32_t intid = inject ? (uint32_t)(c->inject_irq - 1) : 0;
		hv_inject_pending_irq(c);
		sd_inject(g, c, inject, cyc);
		*cyc += cfg->vm_switch_cycles;
		uint64_t horizon = hv_blk_horizon(g, hv_now(g, *cyc));
		struct exec_params p = { .now = hv_now(g, *cyc),
					 .budget = MAX(1, MIN(cfg->host_slice_cycles, horizon)),
					 .trap_wfi = g->cfg.trap_wfi, .mark = hv_vm_mark, .mark_ctx = g };
		struct uv_sie_cost o;
		int rc = uv_sie(uv_of(g), c->save, &g->gcpu, &p, &o);
		g->n.insns += o.insns;
		g->n.guest_cycles += o.guest_cycles;
		*cyc += o.cycles + cfg->vm_switch_cycles + cfg->host_exit_cycles;
		exits++;
		g->n.exits++;
		struct sd_view w;
		sd_read(g, c->save, &w, cyc);
		memcpy(c->lrs, w.irq, sizeof(c->lrs));
		enum rmi_exit_reason why = RMI_EXIT_SYNC;
		bool stop = false;
		if (rc || w.icpt == UV_ICPT_VALIDITY) {
			g->se->validity++;
			/* KVM's handle_validity fails the run: nothing the host can fix,
			 * unless what the UV refused was its own injection, which a
			 * host then drops (as a hostile one would, to carry on) */
			if (!inject) {
				kill_guest(g);
				break;
			}
			/* the guest was not enabled for the interrupt the host
			 * injected: it is dropped */
			g->n.injections_refused++;
			for (unsigned i = 0; i < VGIC_NR_LRS; i++)
				if (vgic_lr_state(c->lrs[i]) == VGIC_LR_PENDING &&
				    vgic_lr_intid(c->lrs[i]) == intid)
					c->lrs[i] = 0;
			continue;
		}
		if (inject)
			res->hostile_taken++;
		uint64_t now = hv_now(g, *cyc);
		if (w.icpt == UV_ICPT_NONE && !w.pgm) {
			why = RMI_EXIT_IRQ;
		} else if (w.icpt == UV_ICPT_NONE) {
			stop = !host_pgm(g, &w, res, cyc);
		} else if (w.icpt == UV_ICPT_WAIT) {
			hv_vcpu_wfi(c, w.ckc_ctl, w.ckc);
			hv_blk_wake(g, c);
		} else if (w.ipa == UV_IPA_DIAG) {
			/* the hypercall, from the operands the UV exposed */
			struct vcpu_state v = { 0 };
			memcpy(v.x, w.gr, sizeof(w.gr));
			g->n.monitor_calls++;
			why = hv_vm_call(g, c, &v, &stop, cyc);
			sd_answer(g, c, v.x[0], cyc);
		} else if (w.ipa == UV_IPA_IO) {
			uint64_t off = w.io_addr - GUEST_DEV_BASE, val = 0;
			bool write = (w.io_flags & 0x100) != 0;
			g->se->io++;
			if (w.io_addr >= GUEST_DEV_BASE && off < PAGE)
				val = hv_dev_access(g, off, write, w.io_data, PG_DATA, GUEST_BOUNCE, cyc);
			if (!write)
				sd_answer(g, c, val, cyc);
		}
		hv_timer_check(g, c, w.ckc_ctl, w.ckc, now);
		g->n.exits_by[why]++;
		trace_VM_EXIT(g->m->sim, g->host->src, why, w.icpt, w.ipa, o.guest_cycles);
		if (stop || why == until)
			break;
	}
	res->x1 = exits;
	return 0;
}

/* ---- memory pressure ---- */

int hv_s390_swap_out(struct hv_guest *g, uint64_t page, uint8_t *copy, struct hv_result *res,
		     uint64_t *cyc)
{
	uint64_t pa = hv_pool_pa(g, PG_DATA, page), slot = hv_alloc_page(g, PG_SWAP, page);
	if (!slot)
		return -1;
	gmap_bind(g);
	hv_note(res, 0);
	/* the kernel writes the page out: reading it faults, its handler
	 * exports it, and what it reads is the export */
	uint8_t b[PAGE];
	for (uint64_t o = 0; o < PAGE; o += 64) {
		if (host_read(g, pa + o, b + o, 64, cyc)) {
			hv_note(res, HV_UV_STATUS | UVC_RC_INV_STATE);
			return 0;
		}
		(void)hv_store(g, slot + o, b + o, 64, cyc);
	}
	/* the frame leaves the gmap and is free */
	hv_vm_setup(g);
	(void)hv_vm_unmap(g, page, cyc);
	g->kind[(pa - g->cfg.pool) / PAGE] = PG_NS;
	g->se->swap_outs++;
	if (copy)
		memcpy(copy, b, PAGE);
	res->x1 = slot; /* as on every architecture (hv_guest_swap_out) */
	res->x2 = pa;
	return 0;
}

/* ---- teardown ---- */

/* kvm_s390_pv_destroy_cpu of every vCPU (its handles out of the state
 * description), then kvm_s390_pv_deinit_vm: "make all pages accessible
 * before destroying the guest" (s390_reset_acc: each secure page
 * destroyed, UVC_CMD_DESTR_SEC_STOR), and UVC_CMD_DESTROY_SEC_CONF, after
 * which the UV has cleared its donated storage. */
int hv_s390_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN];
	gmap_bind(g);
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		if (!c->rec)
			continue;
		cb_init(cb, UVC_CMD_DESTROY_SEC_CPU);
		uv_put64(cb + CB_HANDLE, c->rec);
		if (!step_uvc(g, res, cb, cyc))
			return 0;
		hv_zero(g, c->save, 64, cyc);
		c->rec = 0;
	}
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == PG_DATA) {
			cb_init(cb, UVC_CMD_DESTR_SEC_STOR);
			uv_put64(cb + CFS_PADDR, g->cfg.pool + i * PAGE);
			if (!step_uvc(g, res, cb, cyc))
				return 0;
			g->kind[i] = PG_NS;
		}
	cb_init(cb, UVC_CMD_DESTROY_SEC_CONF);
	uv_put64(cb + CB_HANDLE, g->rd);
	if (!step_uvc(g, res, cb, cyc))
		return 0;
	uv_set_gmap(uv_of(g), (uint32_t)g->asid, NULL, NULL);
	g->asid = 0;
	hv_note(res, 0);
	return 0;
}

/* ---- the personality's own model ---- */

static const struct sim_field se_fields[] = {
	SIM_FIELD(struct hv_s390, imports), SIM_FIELD(struct hv_s390, exports),
	SIM_FIELD(struct hv_s390, swap_outs), SIM_FIELD(struct hv_s390, swap_ins),
	SIM_FIELD(struct hv_s390, host_faults), SIM_FIELD(struct hv_s390, io),
	SIM_FIELD(struct hv_s390, validity),
};
static const struct sim_vmstate se_vmstate = { "hv.se", 1, se_fields, G_N_ELEMENTS(se_fields) };

static void se_destroy(struct sim_model *m)
{
	struct hv_s390 *se = (struct hv_s390 *)m;
	g_free(se->name);
	g_free(se);
}

static const struct sim_model_ops se_ops = { .destroy = se_destroy };

/* The owner's attestation request (pvattest create's role, as
 * verifier.se_arcb makes it): its measurement key sealed for the host key
 * this run's machine has. It travels in the guest's image (ccsim's way of
 * handing it over; a request holds nothing the host could open). Before
 * the kernel is built. */
int hv_s390_new(struct hv_guest *g, char *err, size_t errlen)
{
	struct se_key host;
	size_t n = 0;
	if (!g->cfg.k.attest)
		return 0;
	se_host_key(g->m->sim->seed, 0, &host);
	if (se_arcb_build(host.coord, 1, g->cfg.se_mkey, NULL, 0, 1, &g->se_arcb, &n)) {
		snprintf(err, errlen, "its attestation request cannot be sealed");
		return -1;
	}
	g->cfg.k.se_arcb = g->se_arcb;
	g->cfg.k.se_arcb_len = n;
	return 0;
}

/* The SE image the owner builds from the kernel for this machine
 * (genprotimg's role, as ccsim se-image does): the code from address 0,
 * the data segment a second component, the entry at 0; and the
 * personality's counters. After the kernel is built. */
int hv_s390_seal(struct hv_guest *g, char *err, size_t errlen)
{
	struct se_key host;
	struct se_comp_in comp[2] = {
		{ g->image, g->image_len, 0, SE_COMP_KERNEL },
		{ g->data, g->data_len, g->data_ipa, SE_COMP_RAMDISK },
	};
	struct se_image_opts o = { .seed = 1 };
	char why[256];
	se_host_key(g->m->sim->seed, 0, &host);
	if (se_image_build(comp, g->data_len ? 2 : 1, host.coord, 1, &o, &g->se_image,
			   &g->se_image_len, why, sizeof(why))) {
		snprintf(err, errlen, "its SE image: %s", why);
		return -1;
	}
	struct hv_s390 *se = g_new0(struct hv_s390, 1);
	se->name = g_strdup_printf("%s.se", g->mname);
	se->base.name = se->name;
	se->base.kind = "hv.se";
	se->base.ops = &se_ops;
	se->base.vmstate = &se_vmstate;
	sim_model_register(g->m->sim, &se->base);
	g->se = se;
#define ST(f, n, d) SIM_STAT_DEF(struct hv_s390, f, n, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(imports, "imports", "guest pages the host imported at a PGM 0x3e (UVC convert to secure storage)"),
		ST(exports, "exports", "guest pages the host's fault handler exported at a PGM 0x3d of its own access"),
		ST(swap_outs, "swap_outs", "guest pages the host swapped out (exported, copied to a swap slot, the frame freed)"),
		ST(swap_ins, "swap_ins", "swapped-out pages the host read back at the guest's gmap fault"),
		ST(host_faults, "host_faults", "secure storage accesses (PGM 0x3d) by the host itself that its fault handler served"),
		ST(io, "io", "I/O intercepts: the guest's device accesses the host emulated from what the UV exposed"),
		ST(validity, "validity", "validity intercepts (an injection into a guest not enabled for it, or no runnable CPU)"),
	};
#undef ST
	sim_stat_register_table(g->m->sim, se->name, se, stats, G_N_ELEMENTS(stats));
	return 0;
}
