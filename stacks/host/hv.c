/* The host hypervisor stack; see hv.h. */
#include "stacks/host/hv_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/mmu/pt.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/uv/uv.h"

uint64_t hv_pool_pages(const struct hv_guest *g) { return hv_pool_size(g->cfg.k.ram_size) / PAGE; }

/* ---- host primitives: every one a real access or monitor call ---- */

uint64_t hv_alloc_page(struct hv_guest *g, enum hv_page kind, uint64_t ipa)
{
	if (g->next >= hv_pool_pages(g))
		return 0;
	uint64_t i = g->next++;
	g->kind[i] = (uint8_t)kind;
	g->ipa[i] = ipa;
	return g->cfg.pool + i * PAGE;
}

int hv_store(struct hv_guest *g, uint64_t pa, const void *buf, uint32_t len, uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t c = 0;
	(void)hv_now(g, *cyc);
	int rc = cpu_store(g->host, pa, buf, len, &f, &c);
	*cyc += c;
	return rc;
}

int hv_load(struct hv_guest *g, uint64_t pa, void *buf, uint32_t len, uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t c = 0;
	(void)hv_now(g, *cyc);
	int rc = cpu_load(g->host, pa, buf, len, &f, &c);
	*cyc += c;
	return rc;
}

int hv_store64(struct hv_guest *g, uint64_t pa, uint64_t v, uint64_t *cyc)
{
	uint8_t b[8];
	sim_le64_store(b, v);
	return hv_store(g, pa, b, 8, cyc);
}

uint64_t hv_load64(struct hv_guest *g, uint64_t pa, uint64_t *cyc)
{
	uint8_t b[8] = { 0 };
	(void)hv_load(g, pa, b, 8, cyc);
	return sim_le64_load(b);
}

void hv_zero(struct hv_guest *g, uint64_t pa, uint64_t len, uint64_t *cyc)
{
	static const uint8_t z[64];
	for (uint64_t o = 0; o < len; o += 64)
		(void)hv_store(g, pa + o, z, 64, cyc);
}

void hv_zero_direct(struct hv_guest *g, uint64_t pa, uint64_t len, uint64_t *cyc)
{
	static const uint8_t z[64];
	for (uint64_t o = 0; o < len; o += 64) {
		struct cc_fault f;
		uint64_t c = 0;
		(void)hv_now(g, *cyc);
		(void)cpu_store_nt_va(g->host, pa + o, z, &f, &c);
		*cyc += c;
	}
}

uint64_t hv_rmi(struct hv_guest *g, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t out[2], uint64_t *cyc)
{
	uint64_t regs[SMC_REGS] = { fid, a1, a2, a3, a4, a5 }, c = 0;
	(void)hv_now(g, *cyc);
	cpu_smc(g->host, regs, &c);
	*cyc += c;
	if (out) {
		out[0] = regs[1];
		out[1] = regs[2];
	}
	return regs[0];
}

/* Remember the first failure of a step. */
void hv_note(struct hv_result *res, uint64_t st)
{
	if (!res->has_status || (res->status == 0 && st != 0)) {
		res->has_status = true;
		res->status = st;
	}
}

/* The host page of `kind` backing guest page `ipa` (pool bookkeeping), or 0. */
uint64_t hv_pool_pa(const struct hv_guest *g, enum hv_page kind, uint64_t ipa)
{
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == kind && g->ipa[i] == (ipa & ~(PAGE - 1)))
			return g->cfg.pool + i * PAGE + (ipa & (PAGE - 1));
	return 0;
}

/* A vCPU stopped in WFI: it waits for its timer (UINT64_MAX: nothing will
 * wake it). */
void hv_vcpu_wfi(struct hv_vcpu *c, uint64_t ctl, uint64_t cval)
{
	c->waiting = 1;
	c->wake_at = (ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE ? cval : UINT64_MAX;
}

struct hv_vcpu *hv_next_vcpu(struct hv_guest *g, uint64_t *cyc)
{
	uint64_t now = hv_now(g, *cyc);
	struct hv_vcpu *c = &g->vcpu[g->cur];
	if (c->online && !c->waiting && now < g->slice_end)
		return c; /* its time slice is not over */
	int best = -1;
	for (uint64_t k = 1; k <= g->nvcpus; k++) {
		uint64_t i = (g->cur + k) % g->nvcpus;
		c = &g->vcpu[i];
		if (!c->online)
			continue;
		if (!c->waiting || c->wake_at <= now) {
			best = (int)i;
			break;
		}
		if (c->wake_at != UINT64_MAX && (best < 0 || c->wake_at < g->vcpu[best].wake_at))
			best = (int)i;
	}
	if (best < 0)
		return NULL;
	c = &g->vcpu[best];
	if (c->waiting && c->wake_at > now) { /* every vCPU waits: idle to the first timer */
		g->n.idle_cycles += c->wake_at - now;
		*cyc += c->wake_at - now;
		now = c->wake_at;
	}
	if (c->waiting && c->wake_at != UINT64_MAX) /* the WFI it waited out: its timer fired */
		hv_timer_check(g, c, CNTV_ENABLE, c->wake_at, now);
	c->waiting = 0;
	c->wake_at = 0;
	g->cur = (uint64_t)best;
	g->slice_end = now + g->m->cfg.host_slice_cycles;
	return c;
}

/* Inject the virtual timer if it fired and the vCPU does not hold it yet. */
void hv_timer_check(struct hv_guest *g, struct hv_vcpu *c, uint64_t ctl, uint64_t cval, uint64_t now)
{
	struct vcpu_state v = { .cntv_ctl = ctl, .cntv_cval = cval };
	memcpy(v.lr, c->lrs, sizeof(v.lr));
	if (vcpu_timer_asserted(&v, now) && !vcpu_lr_holds(&v, VGIC_INTID_VTIMER) &&
	    vcpu_lr_inject(&v, VGIC_INTID_VTIMER) == 0) {
		memcpy(c->lrs, v.lr, sizeof(v.lr));
		g->n.injected++;
	}
}

/* MPIDR (Aff0) of a guest's vCPU: its index. */
int hv_vcpu_of_mpidr(const struct hv_guest *g, uint64_t mpidr)
{
	return mpidr < g->nvcpus ? (int)mpidr : -1;
}

/* ---- the API ---- */


int hv_guest_load(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (g->state != HV_NONE) {
		snprintf(err, errlen, "guest %s is already loaded", g->name);
		return -1;
	}
	if (hv_is_s390(g)) { /* the SE image its owner built */
		if (hv_s390_load(g, res, &cyc)) {
			snprintf(err, errlen, "guest %s: no room in its pool to stage its SE image",
				 g->name);
			return -1;
		}
		g->state = HV_LOADED;
		res->cycles = cyc;
		return 0;
	}
	uint64_t pages = (g->image_len + PAGE - 1) / PAGE + (g->data_len + PAGE - 1) / PAGE;
	g->stage = hv_alloc_page(g, PG_NS, 0);
	for (uint64_t i = 1; i < pages; i++)
		if (!hv_alloc_page(g, PG_NS, 0)) {
			snprintf(err, errlen, "guest %s: no room in its pool to stage a %llu-byte image",
				 g->name, (unsigned long long)(pages * PAGE));
			return -1;
		}
	struct hv_seg seg[2];
	for (unsigned k = 0; k < hv_segs(g, seg); k++) {
		const uint8_t *src = k ? g->data : g->image;
		for (uint64_t o = 0; o < seg[k].len; o += 64) {
			uint8_t b[64] = { 0 };
			memcpy(b, src + o, MIN(64, seg[k].len - o));
			(void)hv_store(g, seg[k].stage + o, b, 64, &cyc);
		}
		for (uint64_t o = (seg[k].len + 63) & ~63ull; o % PAGE; o += 64) /* the page's tail */
			(void)hv_store(g, seg[k].stage + o, (const uint8_t[64]){ 0 }, 64, &cyc);
	}
	g->state = HV_LOADED;
	res->x1 = g->stage;
	res->x2 = g->image_len + g->data_len;
	res->cycles = cyc;
	return 0;
}

int hv_guest_create(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (g->state != HV_LOADED && g->state != HV_REFUSED) {
		snprintf(err, errlen, "guest %s: host.guest_load first", g->name);
		return -1;
	}
	machine_mark(g->m, (uint32_t)g->cfg.vmid, GUEST_PHASE_LAUNCH, g->t0);
	int rc = hv_is_cca(g) ? hv_cca_create(g, res, &cyc)
		 : hv_is_tdx(g) ? hv_tdx_create(g, res, &cyc)
		 : hv_is_s390(g) ? hv_s390_create(g, res, &cyc)
		 : g->sev  ? hv_sev_create(g, res, &cyc)
			   : hv_plain_create(g, res, &cyc);
	machine_mark(g->m, (uint32_t)g->cfg.vmid, GUEST_PHASE_NONE, g->t0 + cyc);
	if (rc) {
		snprintf(err, errlen, "guest %s: its %llu MiB of host memory ran out", g->name,
			 (unsigned long long)(hv_pool_size(g->cfg.k.ram_size) >> 20));
		return -1;
	}
	g->state = res->status == 0 ? HV_CREATED : HV_REFUSED;
	res->cycles = cyc;
	return 0;
}

void hv_guest_forge_mmio(struct hv_guest *g, uint64_t reg, uint64_t nth, uint64_t value)
{
	g->forge = (struct hv_mmio_forge){ .armed = true, .reg = reg, .nth = nth ? nth : 1,
					   .value = value };
}

bool hv_guest_forge_done(const struct hv_guest *g)
{
	return g->forge.nth && !g->forge.armed;
}

int hv_guest_run(struct hv_guest *g, uint64_t max_exits, unsigned until, struct hv_result *res,
		 char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (g->state == HV_REFUSED) {
		res->not_built = true;
		return 0;
	}
	if (g->state != HV_CREATED && g->state != HV_OFF) {
		snprintf(err, errlen, "guest %s: host.guest_create first", g->name);
		return -1;
	}
	uint64_t max = max_exits ? max_exits : g->cfg.max_exits, insns0 = g->n.insns;
	g->n.runs++;
	g->last_run = g->t0;
	if (!hv_is_cca(g) && g->sev && !g->asid && g->state == HV_CREATED &&
	    hv_sev_asid_regain(g, res, &cyc)) {
		snprintf(err, errlen, "guest %s: no ASID to run it under (every other guest's "
			 "is in use)", g->name);
		return -1;
	}
	int rc = hv_is_cca(g)   ? hv_cca_run(g, max, until, res, &cyc)
		 : hv_is_tdx(g) ? hv_tdx_run(g, max, until, res, &cyc)
		 : hv_is_s390(g) ? hv_s390_run(g, max, until, res, &cyc)
			     : hv_plain_run(g, max, until, res, &cyc);
	if (g->state == HV_OFF) /* its last phase ends with it */
		machine_mark(g->m, (uint32_t)g->cfg.vmid, GUEST_PHASE_NONE, g->t0 + cyc);
	res->x2 = g->n.reported;
	res->cycles = cyc;
	g->n.run_cycles += cyc;
	/* the run's own cap, not one the scenario asked for: a guest that
	 * never powers off, or never gets anywhere, is not a result */
	if (rc == 0 && !max_exits && until >= RMI_EXIT_COUNT && g->state == HV_CREATED &&
	    res->x1 >= max) {
		if (g->n.insns == insns0)
			snprintf(err, errlen, "guest %s: no progress: %llu exits and not one guest "
				 "instruction retired (a timer tick shorter than what an exit costs?)",
				 g->name, (unsigned long long)res->x1);
		else
			snprintf(err, errlen, "guest %s: still running after %llu exits, the cap of one "
				 "host.guest_run (give exits=N to run it in parts)", g->name,
				 (unsigned long long)res->x1);
		return -1;
	}
	if (rc == 0 && g->state == HV_CREATED && hv_past_limit(g, cyc)) {
		snprintf(err, errlen,
			 "guest %s: still running at cycle %llu, past limits.max_cycles = %llu "
			 "(a guest that never stops? raise it with --set limits.max_cycles=N)",
			 g->name, (unsigned long long)hv_now(g, cyc),
			 (unsigned long long)g->m->cfg.max_cycles);
		return -1;
	}
	return rc;
}

int hv_guest_destroy(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (g->state == HV_REFUSED)
		return 0;
	if (g->state != HV_CREATED && g->state != HV_OFF) {
		snprintf(err, errlen, "guest %s: nothing to destroy", g->name);
		return -1;
	}
	machine_mark(g->m, (uint32_t)g->cfg.vmid, GUEST_PHASE_TEARDOWN, g->t0);
	if (hv_is_cca(g))
		hv_cca_destroy(g, res, &cyc);
	else if (hv_is_tdx(g))
		hv_tdx_destroy(g, res, &cyc);
	else if (hv_is_s390(g))
		hv_s390_destroy(g, res, &cyc);
	else if (g->sev)
		hv_sev_destroy(g, res, &cyc);
	else
		hv_note(res, 0);
	machine_mark(g->m, (uint32_t)g->cfg.vmid, GUEST_PHASE_NONE, g->t0 + cyc);
	g->state = HV_DESTROYED;
	res->cycles = cyc;
	return 0;
}

static bool ready(const struct hv_guest *g, char *err, size_t errlen)
{
	if (g->state == HV_CREATED || g->state == HV_OFF)
		return true;
	snprintf(err, errlen, "guest %s: host.guest_create first", g->name);
	return false;
}

uint64_t hv_guest_regs_pa(const struct hv_guest *g)
{
	if (hv_is_s390(g)) /* what the host keeps: the stand-in's GR save area */
		return g->vcpu[0].save + UV_SD_GRREGS;
	return hv_is_cca(g) || hv_is_tdx(g) ? g->vcpu[0].rec /* the REC granule, delegated; the TDVPR */
	     : g->sev >= CPU_SEV_ES ? g->vcpu[0].vmsa : g->vcpu[0].save;
}

uint64_t hv_guest_page_pa(const struct hv_guest *g, uint64_t ipa)
{
	uint64_t page = ipa & ~(PAGE - 1), pa = hv_pool_pa(g, PG_DATA, page);
	return pa ? pa : hv_pool_pa(g, PG_SHARED, page);
}

int hv_guest_vmcb(struct hv_guest *g, int64_t asid, uint64_t state_pa, struct hv_result *res,
		  char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (!ready(g, err, errlen))
		return -1;
	if (hv_is_cca(g)) {
		snprintf(err, errlen, "guest %s: a realm's VMID and REC are the RMM's; the host has no "
			 "control block to rewrite", g->name);
		return -1;
	}
	if (hv_is_s390(g)) {
		snprintf(err, errlen, "guest %s: a secure CPU's state is the ultravisor's; the host's "
			 "state description names it only by its handles", g->name);
		return -1;
	}
	if (hv_is_tdx(g)) { /* the TD VMCS is the module's: the host can only ask it */
		uint64_t cyc = 0;
		int rc = hv_tdx_vmcb(g, asid, state_pa, res, &cyc);
		res->cycles = cyc;
		return rc;
	}
	if (asid >= 0)
		g->asid = (uint64_t)asid;
	if (state_pa) {
		if (g->sev >= CPU_SEV_ES)
			g->vcpu[0].vmsa = state_pa;
		else
			g->vcpu[0].save = state_pa;
	}
	hv_note(res, 0);
	res->x1 = g->asid;
	res->x2 = hv_guest_regs_pa(g);
	return 0;
}

int hv_guest_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, struct hv_result *res, char *err,
		 size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (!ready(g, err, errlen))
		return -1;
	if (hv_is_cca(g)) {
		snprintf(err, errlen, "guest %s: a realm's RTTs are the RMM's (RMI_DATA_CREATE and "
			 "RMI_RTT_MAP_UNPROTECTED are the host's only ways in)", g->name);
		return -1;
	}
	if ((ipa | pa) & (PAGE - 1)) {
		snprintf(err, errlen, "guest %s: ipa 0x%llx and pa 0x%llx must be page-aligned", g->name,
			 (unsigned long long)ipa, (unsigned long long)pa);
		return -1;
	}
	int rc;
	if (hv_is_tdx(g)) { /* the Secure EPT is the module's: TDH.MEM.PAGE.AUG is the way in */
		rc = hv_tdx_map(g, ipa, pa, res, &cyc);
	} else {
		hv_vm_setup(g); /* the nested tables' format and root: not in a checkpoint */
		(void)hv_vm_unmap(g, ipa, &cyc); /* replace what was there */
		rc = hv_vm_map(g, ipa, pa, 0, &cyc);
	}
	if (rc) {
		snprintf(err, errlen, "guest %s: IPA 0x%llx cannot be mapped (beyond the nested table's "
			 "reach, or its pool is used up)", g->name, (unsigned long long)ipa);
		return -1;
	}
	hv_note(res, 0);
	res->x1 = pa;
	res->cycles = cyc;
	return 0;
}

/* The page's next touch is a fault the host records (hv_trap_take). */
static void trap_set(struct hv_guest *g, uint64_t page)
{
	for (unsigned i = 0; i < HV_MAX_TRAPS; i++)
		if (!g->trap[i]) {
			g->trap[i] = page + 1;
			return;
		}
}

static bool injection_restricted(const struct hv_guest *g)
{
	return g->sev == CPU_SEV_SNP && g->m->cfg.restricted_injection;
}

int hv_guest_unmap(struct hv_guest *g, uint64_t ipa, struct hv_result *res, char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (!ready(g, err, errlen))
		return -1;
	if (hv_is_cca(g)) {
		snprintf(err, errlen, "guest %s: a realm's protected pages cannot be unmapped with their "
			 "data kept (only RMI_DATA_DESTROY removes them)", g->name);
		return -1;
	}
	uint64_t page = ipa & ~(PAGE - 1);
	if (!hv_pool_pa(g, PG_DATA, page) && !hv_pool_pa(g, PG_SHARED, page)) {
		snprintf(err, errlen, "guest %s: IPA 0x%llx is not backed yet", g->name,
			 (unsigned long long)ipa);
		return -1;
	}
	if (hv_is_tdx(g)) { /* the TD's page is blocked (TDH.MEM.RANGE.BLOCK), not unmapped */
		int rc = hv_tdx_unmap(g, page, res, &cyc);
		if (!rc && !res->status)
			trap_set(g, page);
		res->cycles = cyc;
		return rc;
	}
	hv_vm_setup(g); /* the nested tables' format and root: not in a checkpoint */
	if (hv_vm_unmap(g, page, &cyc)) {
		snprintf(err, errlen, "guest %s: IPA 0x%llx is not mapped", g->name, (unsigned long long)ipa);
		return -1;
	}
	trap_set(g, page);
	hv_note(res, 0);
	res->cycles = cyc;
	return 0;
}

bool hv_trap_take(struct hv_guest *g, uint64_t page)
{
	for (unsigned i = 0; i < HV_MAX_TRAPS; i++)
		if (g->trap[i] == page + 1) {
			g->trap[i] = 0;
			g->n.traps++;
			g->n.last_trap = page;
			return true;
		}
	return false;
}

int hv_guest_inject(struct hv_guest *g, uint64_t esr, uint64_t far, uint32_t intid,
		    struct hv_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (!ready(g, err, errlen))
		return -1;
	if (hv_is_cca(g) && esr) {
		snprintf(err, errlen, "guest %s: the host has no way to raise an exception in a realm "
			 "(only virtual interrupts, through the REC run structure)", g->name);
		return -1;
	}
	if (hv_is_s390(g) && esr) {
		snprintf(err, errlen, "guest %s: on s390 the host injects a program exception only as "
			 "the outcome of an instruction it emulates (Linux Documentation/virt/kvm/s390/"
			 "s390-pv.rst, \"Interrupt injection\")", g->name);
		return -1;
	}
	if (hv_is_tdx(g) && esr) { /* event injection is the TD VMCS's: the host can only ask */
		uint64_t cyc = 0;
		int rc = hv_tdx_inject_exception(g, res, &cyc);
		res->cycles = cyc;
		return rc;
	}
	struct hv_vcpu *c = &g->vcpu[0];
	hv_note(res, 0);
	if (injection_restricted(g)) {
		g->n.injections_refused++;
		res->x1 = 1;
		return 0;
	}
	g->n.injections++;
	if (esr) {
		c->inject_esr = esr;
		c->inject_far = far;
		return 0;
	}
	c->inject_irq = (uint64_t)intid + 1;
	return 0;
}

void hv_inject_pending_irq(struct hv_vcpu *c)
{
	struct vcpu_state v = { 0 };
	if (!c->inject_irq)
		return;
	memcpy(v.lr, c->lrs, sizeof(v.lr));
	if (vcpu_lr_inject(&v, (uint32_t)(c->inject_irq - 1)) == 0)
		memcpy(c->lrs, v.lr, sizeof(v.lr));
	c->inject_irq = 0;
}

bool hv_lrs_pending(const uint64_t lrs[VGIC_NR_LRS], uint32_t intid)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(lrs[i]) & VGIC_LR_PENDING && vgic_lr_intid(lrs[i]) == intid)
			return true;
	return false;
}

const uint8_t *hv_guest_image(const struct hv_guest *g, size_t *len)
{
	*len = g->se_image ? g->se_image_len : g->image_len;
	return g->se_image ? g->se_image : g->image;
}

int hv_s390_guest_swap_out(struct hv_guest *g, uint64_t ipa, uint8_t *copy, struct hv_result *res,
			   char *err, size_t errlen)
{
	uint64_t cyc = 0;
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (!ready(g, err, errlen))
		return -1;
	if (!hv_pool_pa(g, PG_DATA, ipa & ~(PAGE - 1))) {
		snprintf(err, errlen, "guest %s: IPA 0x%llx is not backed now", g->name,
			 (unsigned long long)ipa);
		return -1;
	}
	uint32_t conf;
	uint64_t gaddr;
	if (uv_page_state(g->m->uv, hv_pool_pa(g, PG_DATA, ipa & ~(PAGE - 1)), &conf, &gaddr) ==
	    UV_PAGE_SHARED) {
		snprintf(err, errlen, "guest %s: IPA 0x%llx is shared with the host (an I/O buffer): "
			 "not swapped out here", g->name, (unsigned long long)ipa);
		return -1;
	}
	int rc = hv_s390_swap_out(g, ipa & ~(PAGE - 1), copy, res, &cyc);
	if (rc)
		snprintf(err, errlen, "guest %s: its pool has no room for a swap slot", g->name);
	res->cycles = cyc;
	return rc;
}

int hv_guest_host_fault(struct hv_guest *g, uint64_t pa, enum cc_fault_kind kind,
			uint64_t *cycles)
{
	if (!hv_is_s390(g) || kind != FAULT_PGM_SECURE_ACCESS)
		return -1;
	uint64_t cyc = 0;
	g->t0 = sim_time(g->m->sim);
	int rc = hv_s390_make_accessible(g, pa, &cyc);
	*cycles += cyc;
	return rc;
}

uint64_t hv_guest_run_page(const struct hv_guest *g)
{
	if (hv_is_s390(g)) /* the state description, a stand-in */
		return g->vcpu[0].save;
	return hv_is_cca(g) || hv_is_tdx(g) ? g->vcpu[0].run : g->sev >= CPU_SEV_ES ? g->vcpu[0].vmsa : g->vcpu[0].save;
}
