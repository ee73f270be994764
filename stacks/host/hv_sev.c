/* The host stack's SEV personalities (see hv.h): launch through the SEV or
 * SNP firmware, the vCPU's state in a VMCB save area (SEV) or an encrypted
 * VMSA (SEV-ES, SNP), nested page tables in host memory, the GHCB exits of
 * SEV-ES / SNP guests, and on SNP the RMP: private pages assigned on first
 * touch, page state changes, and decommission with reclaim. Modelled on
 * Linux KVM's arch/x86/kvm/svm/sev.c. */
#include <string.h>

#include "models/memenc/memenc.h"
#include "models/monitor/sev/sev_abi.h"
#include "models/platform/machine_mon.h"
#include "models/monitor/snp/snp_abi.h"
#include "stacks/host/hv_priv.h"

#define SEV_ES_POLICY (SEV_POLICY_ES | SEV_POLICY_NODBG)
#define SNP_GUEST_POLICY 0x30000ull /* SMT allowed, reserved bit 17 */

/* Hosts give a guest the ASIDs from the top of its range down (a vm actor
 * takes them from the bottom up): SEV guests below memenc.key_slots, SEV-ES
 * and SNP guests below sev.min_sev_asid. */
static uint64_t fw_busy(const struct hv_guest *g);
static void fw_wait(struct hv_guest *g, uint64_t *mark, uint64_t *cyc);

/* One AMD-SP command through the guest's firmware slot (the SNP firmware's,
 * snp_abi.h SNP_CMD_*, or the SEV firmware's, sev_abi.h SEV_CMD_*), with
 * its command buffer if buf: its status, the registers back in regs, the
 * time it took counted in fw_cycles for fw_wait to charge. */
enum snp_status hv_fw_cmd(struct hv_guest *g, uint64_t regs[CCSIM_MONITOR_REGS], void *buf,
			  size_t len)
{
	uint64_t c = 0;
	struct machine_mon *mm = g->sev == CPU_SEV_SNP ? g->m->snp : g->m->sev;
	if (buf)
		machine_mon_command_buf(mm, regs, buf, len, &c);
	else
		machine_mon_command(mm, regs, &c);
	g->fw_cycles += c;
	return (enum snp_status)regs[0];
}

static enum snp_status sev_cmd(struct hv_guest *g, uint64_t cmd, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t out[CCSIM_MONITOR_REGS])
{
	uint64_t regs[CCSIM_MONITOR_REGS] = { cmd, a1, a2, a3 };
	enum snp_status s = hv_fw_cmd(g, regs, NULL, 0);
	if (out)
		memcpy(out, regs, sizeof(regs));
	return s;
}

enum snp_status hv_snp_cmd(struct hv_guest *g, uint64_t cmd, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	uint64_t regs[CCSIM_MONITOR_REGS] = { cmd, a1, a2, a3, a4 };
	return hv_fw_cmd(g, regs, NULL, 0);
}

/* Does a guest the SEV firmware knows hold this ASID? */
static bool sev_asid_held(struct machine *m, uint64_t asid)
{
	uint64_t held[3] = { 0 };
	return machine_mon_query(m->sev, CCSIM_QUERY_ASID_GUESTS, asid, held, sizeof(held)) == 0 &&
	       held[0] > 0;
}
static void note_fw(struct hv_result *res, bool snp, enum snp_status s);

static void asid_range(const struct hv_guest *g, uint64_t *lo, uint64_t *hi)
{
	const struct platform_config *c = &g->m->cfg;
	*lo = g->sev == CPU_SEV ? MAX(c->min_sev_asid, 1) : 1;
	*hi = g->sev == CPU_SEV ? c->key_slots : c->min_sev_asid;
}

static uint32_t guest_asid(const struct hv_guest *g)
{
	uint64_t lo, hi;
	asid_range(g, &lo, &hi);
	if (g->sev == CPU_SEV_SNP) /* the RMP's ASIDs: no taking back, the firmware judges */
		return hi > g->cfg.vmid ? (uint32_t)(hi - g->cfg.vmid) : 0;
	return hi > g->cfg.vmid && hi - g->cfg.vmid >= lo ? (uint32_t)(hi - g->cfg.vmid) : 0;
}

/* ---- more SEV / SEV-ES guests than ASIDs ----
 * A host that runs out of ASIDs can take one back from a guest that is
 * not running: DEACTIVATE it (its VEK leaves the memory controller), then,
 * before another key takes the slot, WBINVD on every core and DF_FLUSH
 * (SEV API 55766 §6.4, §5.6), and ACTIVATE the guest that needs it; the
 * VEK travels with the guest, so the one that lost its ASID takes one back
 * the same way when it next runs. KVM refuses to launch more guests than
 * ASIDs instead; this is the what-if of the key-slot studies. SNP guests
 * cannot: the RMP records each page's ASID. */

/* The other guest of the host's holding ASID a, or NULL. */
static struct hv_guest *asid_holder(const struct hv_guest *g, uint64_t a)
{
	for (size_t i = 0; i < g->cfg.npeers; i++) {
		struct hv_guest *p = g->cfg.peers[i];
		if (p && p != g && p->asid == a && (p->state == HV_CREATED || p->state == HV_OFF))
			return p;
	}
	return NULL;
}

/* An ASID for g: a free one of its range (from the top down, as
 * guest_asid), else the one of the guest that began a run least recently,
 * taken back (*taken). Its old lines go first if they may still be cached.
 * Returns the ASID, or 0 when there is none to take. */
static uint64_t asid_pick(struct hv_guest *g, bool *taken, uint64_t *cyc)
{
	struct machine *m = g->m;
	uint64_t lo, hi, pick = 0;
	asid_range(g, &lo, &hi);
	*taken = false;
	for (uint64_t a = hi; a-- > lo && !pick;)
		if (!asid_holder(g, a) && !sev_asid_held(m, a))
			pick = a;
	if (!pick) {
		struct hv_guest *v = NULL;
		for (size_t i = 0; i < g->cfg.npeers; i++) {
			struct hv_guest *p = g->cfg.peers[i];
			if (p && p != g && p->asid >= lo && p->asid < hi && asid_holder(g, p->asid) == p &&
			    (!v || p->last_run < v->last_run))
				v = p;
		}
		uint64_t mark = fw_busy(g);
		if (!v || sev_cmd(g, SEV_CMD_DEACTIVATE, v->rd, 0, 0, NULL) != SNP_SUCCESS)
			return 0;
		fw_wait(g, &mark, cyc);
		pick = v->asid;
		v->asid = 0;
		v->n.asid_lost++;
		*taken = true;
	}
	if (machine_mon_ask(m->sev, CCSIM_QUERY_ASID_FLUSH_PENDING, pick, 0)) {
		(void)hv_now(g, *cyc);
		(void)machine_wbinvd(m, cyc);
		uint64_t mark = fw_busy(g);
		(void)sev_cmd(g, SEV_CMD_DF_FLUSH, 0, 0, 0, NULL);
		fw_wait(g, &mark, cyc);
	}
	/* another VMCB ran under this ASID: its translations go (KVM's
	 * pre_sev_run sets TLB_CONTROL to flush the ASID) */
	for (unsigned k = 0; k < m->cfg.cores; k++)
		(void)tlb_inval_all(&m->tlb[k]);
	return pick;
}

int hv_sev_asid_regain(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint64_t c0 = *cyc;
	bool taken;
	uint64_t a = asid_pick(g, &taken, cyc), mark = fw_busy(g);
	if (!a)
		return -1;
	enum snp_status s = sev_cmd(g, SEV_CMD_ACTIVATE, g->rd, a, 0, NULL);
	fw_wait(g, &mark, cyc);
	if (s != SNP_SUCCESS) {
		note_fw(res, false, s);
		return -1;
	}
	g->asid = a;
	g->n.asid_taken += taken;
	g->n.asid_cycles += *cyc - c0;
	return 0;
}

/* What the hardware reads and writes on VMRUN / #VMEXIT: the VMSA, in the
 * guest's key through the caches, as the guest (its RMP entry names the
 * VMSA's GPA). The host never sees it in plaintext. */
static int vmsa_access(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, bool write,
		       uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t lat = 0;
	int rc = cpu_access(&g->gcpu, PAS_NS, write, c->vmsa, SNP_VMSA_GPA, true, v, sizeof(*v), &f,
			    &lat);
	*cyc += lat;
	return rc;
}

void hv_sev_state_load(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc)
{
	if (g->sev == CPU_SEV) /* the VMCB save area: plaintext host memory */
		(void)hv_load(g, c->save, v, sizeof(*v), cyc);
	else if (vmsa_access(g, c, v, false, cyc))
		memset(v, 0, sizeof(*v));
	/* the VMCB control area's: GHCB MSR, interrupts to inject */
	if (g->sev >= CPU_SEV_ES)
		v->ghcb = c->ghcb_msr;
}

void hv_sev_state_save(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc)
{
	if (g->sev >= CPU_SEV_ES) /* the host's answer, if it wrote one */
		v->ghcb = c->ghcb_msr;
	if (g->sev == CPU_SEV)
		(void)hv_store(g, c->save, v, sizeof(*v), cyc);
	else
		(void)vmsa_access(g, c, v, true, cyc);
}

/* An RMPUPDATE by the host (APM vol. 3): assigned to the guest at gpa, or
 * back to the hypervisor. */
static int rmp_assign(struct hv_guest *g, uint64_t pa, bool assign, uint64_t gpa, uint64_t *cyc)
{
	struct rmp_io io = machine_rmp_io(g->m);
	uint64_t c0 = g->m->rmp_io_ctx.cycles;
	(void)hv_now(g, *cyc); /* the table accesses start at the host's present */
	struct rmp_entry e = { .assigned = assign, .asid = assign ? g->asid : 0,
			       .gpa = assign ? gpa : 0 };
	struct rmp_op_result r = rmp_update(&g->m->rmp, &io, pa, &e);
	*cyc += g->m->rmp_io_ctx.cycles - c0;
	if (r.fault.fault != RMP_OK || r.status != RMP_SUCCESS)
		return -1;
	/* hardware that keeps cached RMP verdicts: the host's shootdown */
	if (!g->m->cfg.rmp_tlb_coherent)
		machine_tlb_shootdown_page(g->m, pa, cyc);
	return 0;
}

/* CLFLUSH the pages the host wrote before the firmware (which reads DRAM)
 * or the guest (another key) takes them over, as KVM's sev_clflush_pages
 * does: page by page, and not at all where the caches are coherent across
 * keys (X86_FEATURE_SME_COHERENT: cache.key_coherent). `always`: KVM
 * flushes a VMSA whatever the CPU (clflush_cache_range before
 * LAUNCH_UPDATE_VMSA). */
static void flush_pages(struct hv_guest *g, uint64_t pa, uint64_t len, bool always, uint64_t *cyc)
{
	if (always || !g->m->cfg.key_coherent)
		(void)machine_clflush(g->m, pa, len, cyc);
}

/* The host waits for each firmware command it sends: the time the
 * firmware's page accesses took (the PSP reaches DRAM past the caches) is
 * the host's too. fw_wait charges what the firmware spent since *mark. */
static uint64_t fw_busy(const struct hv_guest *g)
{
	return g->fw_cycles;
}

static void fw_wait(struct hv_guest *g, uint64_t *mark, uint64_t *cyc)
{
	uint64_t now = fw_busy(g);
	*cyc += now - *mark;
	*mark = now;
}

/* The CPUID page's table (Linux struct snp_cpuid_table): the count, then
 * one 48-byte entry per leaf (subleaf 0, XCR0 / XSS inputs 0). */
static void cpuid_page(struct hv_guest *g, uint64_t pa, uint64_t *cyc)
{
	const struct hv_cpuid_leaf *t;
	size_t n = hv_cpuid_table(&t);
	uint8_t page[SNP_CPUID_FN + SNP_CPUID_MAX * SNP_CPUID_FN_SIZE] = { 0 };
	sim_le32_store(page + SNP_CPUID_COUNT, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = page + SNP_CPUID_FN + i * SNP_CPUID_FN_SIZE;
		sim_le32_store(e, t[i].leaf);
		sim_le32_store(e + 24, t[i].eax);
		sim_le32_store(e + 28, t[i].ebx);
		sim_le32_store(e + 32, t[i].ecx);
		sim_le32_store(e + 36, t[i].edx);
	}
	hv_zero(g, pa, PAGE, cyc);
	(void)hv_store(g, pa, page, SNP_CPUID_FN + (uint32_t)n * SNP_CPUID_FN_SIZE, cyc);
}

static void note_fw(struct hv_result *res, bool snp, enum snp_status s)
{
	hv_note(res, s == SNP_SUCCESS ? 0 : (snp ? HV_SNP_STATUS : HV_SEV_STATUS) | (uint64_t)s);
}

int hv_sev_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	struct machine *m = g->m;
	bool snp = g->sev == CPU_SEV_SNP;
	uint64_t mark = fw_busy(g);
	g->asid = guest_asid(g);
	if (!snp && (!g->asid || asid_holder(g, g->asid))) { /* out of ASIDs */
		uint64_t c0 = *cyc;
		bool taken;
		g->asid = asid_pick(g, &taken, cyc);
		g->n.asid_taken += taken;
		g->n.asid_cycles += *cyc - c0;
		mark = fw_busy(g);
	}
	g->s2_root = hv_alloc_page(g, PG_RTT, 0);
	if (!g->s2_root)
		return -1;
	hv_zero(g, g->s2_root, PAGE, cyc);
	hv_vm_setup(g);
	/* the launch: firmware context, ASID and key */
	enum snp_status s;
	uint32_t handle = 0;
	if (snp) {
		if (machine_mon_ask(m->snp, CCSIM_QUERY_PLATFORM_STATE, 0, 0) == SNP_PLATFORM_UNINIT &&
		    (s = hv_snp_cmd(g, SNP_CMD_INIT, 0, 0, 0, 0)) != SNP_SUCCESS)
			goto fw_fail;
		g->rd = hv_alloc_page(g, PG_META, 0); /* the guest context page */
		if (!g->rd)
			return -1;
		if ((s = hv_snp_cmd(g, SNP_CMD_LAUNCH_START, g->rd, SNP_GUEST_POLICY, 0, 0)) != SNP_SUCCESS ||
		    (s = hv_snp_cmd(g, SNP_CMD_ACTIVATE, g->rd, g->asid, 0, 0)) != SNP_SUCCESS)
			goto fw_fail;
	} else {
		uint64_t out[CCSIM_MONITOR_REGS];
		if (machine_mon_ask(m->sev, CCSIM_QUERY_PLATFORM_STATE, 0, 0) == SEV_PLATFORM_UNINIT &&
		    (s = sev_cmd(g, SEV_CMD_INIT, 0, 0, 0, NULL)) != SNP_SUCCESS)
			goto fw_fail;
		s = sev_cmd(g, SEV_CMD_LAUNCH_START,
			    g->sev == CPU_SEV_ES ? SEV_ES_POLICY : SEV_POLICY_NODBG, 0, 0, out);
		handle = (uint32_t)out[1];
		if (s != SNP_SUCCESS || (s = sev_cmd(g, SEV_CMD_ACTIVATE, handle, g->asid, 0, NULL)) !=
					    SNP_SUCCESS)
			goto fw_fail;
		g->rd = handle;
	}
	/* the image: copied in plaintext, written back, measured and
	 * encrypted in place by the firmware */
	if (hv_vm_load_image(g, cyc))
		return -1;
	struct hv_seg seg[2];
	for (unsigned k = 0; k < hv_segs(g, seg); k++)
		for (uint64_t off = 0; off < seg[k].len; off += PAGE) {
			uint64_t ipa = seg[k].ipa + off, pa = hv_pool_pa(g, PG_DATA, ipa);
			flush_pages(g, pa, PAGE, false, cyc);
			s = snp ? hv_snp_cmd(g, SNP_CMD_LAUNCH_UPDATE, g->rd, pa, ipa, SNP_PAGE_NORMAL)
				: sev_cmd(g, SEV_CMD_LAUNCH_UPDATE_DATA, handle, pa, PAGE, NULL);
			fw_wait(g, &mark, cyc);
			if (s != SNP_SUCCESS)
				goto fw_fail;
		}
	/* SNP: the CPUID page, the host's CPUID table the guest answers most
	 * CPUIDs from (SNP ABI 8.17.2 LAUNCH_UPDATE, page type CPUID) */
	if (snp) {
		uint64_t pa = hv_alloc_page(g, PG_DATA, GUEST_CPUID);
		if (!pa || hv_vm_map(g, GUEST_CPUID, pa, 0, cyc))
			return -1;
		cpuid_page(g, pa, cyc);
		flush_pages(g, pa, PAGE, false, cyc);
		s = hv_snp_cmd(g, SNP_CMD_LAUNCH_UPDATE, g->rd, pa, GUEST_CPUID, SNP_PAGE_CPUID);
		fw_wait(g, &mark, cyc);
		if (s != SNP_SUCCESS)
			goto fw_fail;
	}
	/* the vCPUs: a VMCB save area the host keeps (SEV), or a VMSA per
	 * vCPU measured at launch (SEV-ES / SNP), X0 = the vCPU's index */
	for (uint64_t i = 0; i < g->nvcpus; i++) {
		struct hv_vcpu *c = &g->vcpu[i];
		struct vcpu_state v = { .daif = ISA_DAIF_I };
		v.x[0] = i;
		if (g->sev == CPU_SEV) {
			if (!(c->save = hv_alloc_page(g, PG_NS, 0)))
				return -1;
			(void)hv_store(g, c->save, &v, sizeof(v), cyc);
			continue;
		}
		if (!(c->vmsa = hv_alloc_page(g, PG_META, SNP_VMSA_GPA)))
			return -1;
		hv_zero(g, c->vmsa, PAGE, cyc);
		(void)hv_store(g, c->vmsa, &v, sizeof(v), cyc);
		flush_pages(g, c->vmsa, PAGE, true, cyc);
		s = snp ? hv_snp_cmd(g, SNP_CMD_LAUNCH_UPDATE, g->rd, c->vmsa, SNP_VMSA_GPA, SNP_PAGE_VMSA)
			: sev_cmd(g, SEV_CMD_LAUNCH_UPDATE_VMSA, handle, c->vmsa, PAGE, NULL);
		fw_wait(g, &mark, cyc);
		if (s != SNP_SUCCESS)
			goto fw_fail;
	}
	if (snp) {
		s = hv_snp_cmd(g, SNP_CMD_LAUNCH_FINISH, g->rd, 0, 0, 0); /* no ID block */
	} else {
		/* MEASURE || MNONCE in X1..X6 */
		uint64_t out[CCSIM_MONITOR_REGS];
		s = sev_cmd(g, SEV_CMD_LAUNCH_MEASURE, handle, 0, 0, out);
		if (s == SNP_SUCCESS) {
			for (unsigned i = 0; i < sizeof(g->launch_measure) / 8; i++)
				sim_le64_store(g->launch_measure + 8 * i, out[1 + i]);
			s = sev_cmd(g, SEV_CMD_LAUNCH_FINISH, handle, 0, 0, NULL);
		}
	}
	if (s != SNP_SUCCESS)
		goto fw_fail;
	/* the device: MMIO, marked with a reserved bit on SEV-ES / SNP so that
	 * an access is a #VC the guest handles (plain SEV: an NPF exit) */
	if (g->sev >= CPU_SEV_ES && hv_vm_map(g, GUEST_DEV_BASE, 0, PT_MAP_RSVD, cyc))
		return -1;
	g->vcpu[0].online = 1;
	fw_wait(g, &mark, cyc);
	hv_note(res, 0);
	res->x1 = g->asid;
	res->x2 = hv_guest_run_page(g);
	return 0;
fw_fail:
	fw_wait(g, &mark, cyc);
	note_fw(res, snp, s);
	return 0;
}

/* A RAM page the guest touched first: private pages of an SNP guest are
 * assigned to it (not validated: the guest PVALIDATEs them); shared ones,
 * and every page of an SEV / SEV-ES guest, are host pages. 0 or -1. */
int hv_sev_populate(struct hv_guest *g, uint64_t gpa, uint64_t *cyc)
{
	bool shared = g->sev == CPU_SEV_SNP && g->shared[gpa / PAGE];
	uint64_t pa = hv_alloc_page(g, shared ? PG_SHARED : PG_DATA, gpa);
	if (!pa)
		return -1;
	hv_zero(g, pa, PAGE, cyc);
	/* the zeros the host wrote under its own key must not be written back
	 * over what the guest writes under its key (no SME_COHERENT: KVM's
	 * sev_clflush_pages before a guest uses the page) */
	if (!shared)
		flush_pages(g, pa, PAGE, false, cyc);
	if (g->sev == CPU_SEV_SNP && !shared && rmp_assign(g, pa, true, gpa, cyc))
		return -1;
	return hv_vm_map(g, gpa, pa, 0, cyc);
}

/* A page state change (GHCB spec 4.1.6): the host's record of the page,
 * and its backing page converted in place: RMPUPDATE to the guest for
 * private, back to the hypervisor for shared. Returns the error code of
 * the response (0: done). */
static uint64_t page_state_change(struct hv_guest *g, uint64_t gpa, uint64_t op, uint64_t *cyc)
{
	if (g->sev != CPU_SEV_SNP || gpa >= g->cfg.k.ram_size || (op != GHCB_PSC_SHARED &&
								 op != GHCB_PSC_PRIVATE))
		return 1;
	bool to_shared = op == GHCB_PSC_SHARED;
	g->shared[gpa / PAGE] = to_shared;
	g->n.ripas_changes++;
	for (uint64_t i = 0; i < g->next; i++) {
		if (g->ipa[i] != gpa || (g->kind[i] != PG_DATA && g->kind[i] != PG_SHARED))
			continue;
		uint64_t pa = g->cfg.pool + i * PAGE;
		if (to_shared == (g->kind[i] == PG_SHARED))
			return 0;
		if (rmp_assign(g, pa, !to_shared, gpa, cyc))
			return 2;
		g->kind[i] = to_shared ? PG_SHARED : PG_DATA;
		return 0;
	}
	return 0;
}

/* The host's copy of a shared GHCB page's quadword. */
static uint64_t ghcb_pa(const struct hv_guest *g, uint64_t gpa)
{
	uint64_t pa = hv_pool_pa(g, PG_SHARED, gpa);
	return pa ? pa : hv_pool_pa(g, PG_DATA, gpa);
}

/* MSG_REPORT_REQ through SNP_GUEST_REQUEST: the request page's REPORT_DATA
 * and VMPL to the firmware, its MSG_REPORT_RSP into the response page. */
static void guest_request(struct hv_guest *g, uint64_t req_gpa, uint64_t rsp_gpa, uint64_t *cyc)
{
	uint64_t req = ghcb_pa(g, req_gpa), rsp = ghcb_pa(g, rsp_gpa);
	/* the response page need not have been touched: back it now, as KVM
	 * resolves the GPA when it writes the response */
	if (!rsp && (rsp_gpa & (PAGE - 1)) == 0 && rsp_gpa < g->cfg.k.ram_size &&
	    g->shared[rsp_gpa / PAGE] && hv_sev_populate(g, rsp_gpa, cyc) == 0)
		rsp = ghcb_pa(g, rsp_gpa);
	if (!req || !rsp || g->sev != CPU_SEV_SNP)
		return;
	uint8_t data[SNP_REPORT_DATA_LEN], out[SNP_MSG_RSP_REPORT + SNP_REPORT_LEN] = { 0 };
	(void)hv_load(g, req, data, sizeof(data), cyc);
	uint32_t vmpl = (uint32_t)hv_load64(g, req + SNP_MSG_REQ_VMPL, cyc);
	uint64_t mark = fw_busy(g), regs[CCSIM_MONITOR_REGS] = { SNP_CMD_GUEST_REQUEST, g->rd, vmpl };
	memcpy(out + SNP_MSG_RSP_REPORT + SNP_RPT_REPORT_DATA, data, sizeof(data));
	enum snp_status s = hv_fw_cmd(g, regs, out + SNP_MSG_RSP_REPORT, SNP_REPORT_LEN);
	fw_wait(g, &mark, cyc);
	sim_le32_store(out + SNP_MSG_RSP_STATUS, s);
	sim_le32_store(out + SNP_MSG_RSP_SIZE, s == SNP_SUCCESS ? SNP_REPORT_LEN : 0);
	(void)hv_store(g, rsp, out, sizeof(out), cyc);
	g->n.host_calls++;
}

/* An intercepted instruction the guest's #VC handler forwards through the
 * GHCB (GHCB spec 4.1: the registers at their save-area offsets): CPUID
 * (RAX, RCX in; RAX..RDX out), MSR (EXIT_INFO1 0 read / 1 write; RCX the
 * number, RAX the value) and IOIO (EXIT_INFO1: port in [31:16], the
 * size's bit SZ8 / SZ16 / SZ32 in [6:4], bit 0 for IN; RAX the value).
 * The guest's x0..x3 stand for RAX..RDX (x1 the MSR number: the ISA's). */
static void ghcb_emulate(struct hv_guest *g, struct hv_vcpu *c, uint64_t gh, uint64_t code,
			 uint64_t info1, uint64_t *cyc)
{
	struct isa_insn in = { 0 };
	struct vcpu_state v = { 0 };
	for (unsigned n = 0; n < 4; n++)
		v.x[n] = hv_load64(g, gh + 8 * n, cyc);
	if (code == SVM_EXIT_CPUID) {
		in.op = ISA_CPUID;
	} else if (code == SVM_EXIT_MSR) {
		in.op = info1 & 1 ? ISA_WRMSR : ISA_RDMSR;
	} else {
		in.op = info1 & GHCB_IOIO_IN ? ISA_IN : ISA_OUT;
		in.imm32 = (int32_t)(info1 >> 16 & 0xffff);
		in.c = info1 & GHCB_IOIO_SZ32 ? 4 : info1 & GHCB_IOIO_SZ16 ? 2 : 1;
		in.a = 0;
	}
	hv_vm_trap(g, c, &v, &in, cyc);
	for (unsigned n = 0; n < 4; n++)
		(void)hv_store64(g, gh + 8 * n, v.x[n], cyc);
	(void)hv_store64(g, gh + GHCB_VALID_BITMAP, 0xf, cyc);
	(void)hv_store64(g, gh + GHCB_SW_EXIT_INFO1, 0, cyc);
}

enum rmi_exit_reason hv_sev_vmgexit(struct hv_guest *g, struct hv_vcpu *c, bool *stop, uint64_t *cyc)
{
	uint64_t msr = c->ghcb_msr;
	if (msr & GHCB_MSR_INFO_MASK) { /* the MSR protocol */
		if ((msr & GHCB_MSR_INFO_MASK) == GHCB_MSR_PSC_REQ) {
			uint64_t err = page_state_change(g, msr & 0xffffffffff000ull, (msr >> 52) & 0xf,
							     cyc);
			c->ghcb_msr = GHCB_MSR_PSC_RESP | err << 32;
			return RMI_EXIT_RIPAS_CHANGE;
		}
		c->ghcb_msr = 0; /* unknown request: no response */
		return RMI_EXIT_SYNC;
	}
	uint64_t gh = ghcb_pa(g, msr);
	if (!gh) {
		*stop = true; /* no GHCB: the guest cannot be served */
		return RMI_EXIT_SYNC;
	}
	uint64_t code = hv_load64(g, gh + GHCB_SW_EXIT_CODE, cyc);
	uint64_t info1 = hv_load64(g, gh + GHCB_SW_EXIT_INFO1, cyc);
	uint64_t valid = hv_load64(g, gh + GHCB_VALID_BITMAP, cyc);
	switch (code) {
	case SVM_VMGEXIT_MMIO_READ:
	case SVM_VMGEXIT_MMIO_WRITE: {
		bool wr = code == SVM_VMGEXIT_MMIO_WRITE;
		uint64_t buf = ghcb_pa(g, hv_load64(g, gh + GHCB_SW_SCRATCH, cyc));
		uint64_t val = wr && buf ? hv_load64(g, buf, cyc) : 0;
		if (info1 >= GUEST_DEV_BASE && info1 < GUEST_DEV_BASE + PAGE) {
			/* shared pages are the host's own on SNP; without an RMP
			 * the host does not tell them apart */
			uint64_t r = hv_dev_access(g, info1 - GUEST_DEV_BASE, wr, val,
						   g->sev == CPU_SEV_SNP ? PG_SHARED : PG_DATA,
						   GUEST_BOUNCE, cyc);
			if (!wr && buf)
				(void)hv_store64(g, buf, r, cyc);
		}
		return RMI_EXIT_SYNC;
	}
	case SVM_VMGEXIT_GUEST_REQUEST:
		guest_request(g, info1, hv_load64(g, gh + GHCB_SW_EXIT_INFO2, cyc), cyc);
		(void)hv_store64(g, gh + GHCB_SW_EXIT_INFO2, 0, cyc);
		return RMI_EXIT_HOST_CALL;
	case SVM_EXIT_VMMCALL: { /* the registers the guest marked valid */
		struct vcpu_state v = { 0 };
		for (unsigned n = 0; n <= GUEST_CALL_MAX_ARGS; n++)
			if (valid >> n & 1)
				v.x[n] = hv_load64(g, gh + 8 * n, cyc);
		enum rmi_exit_reason why = hv_vm_call(g, c, &v, stop, cyc);
		for (unsigned n = 0; n < GUEST_CALL_MAX_RESULTS; n++)
			(void)hv_store64(g, gh + 8 * n, v.x[n], cyc);
		(void)hv_store64(g, gh + GHCB_VALID_BITMAP, (1ull << GUEST_CALL_MAX_RESULTS) - 1, cyc);
		return why;
	}
	case SVM_EXIT_CPUID:
	case SVM_EXIT_MSR:
	case SVM_EXIT_IOIO:
		ghcb_emulate(g, c, gh, code, info1, cyc);
		return RMI_EXIT_SYNC;
	default:
		(void)hv_store64(g, gh + GHCB_SW_EXIT_INFO1, 1, cyc); /* an error for the guest */
		return RMI_EXIT_SYNC;
	}
}

int hv_sev_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	struct machine *m = g->m;
	enum snp_status s;
	bool snp = g->sev == CPU_SEV_SNP;
	uint64_t mark = fw_busy(g);
	if (snp) {
		/* DECOMMISSION releases the context and launch pages; the pages
		 * assigned at run time go back with RMPUPDATE (KVM's reclaim) */
		s = hv_snp_cmd(g, SNP_CMD_DECOMMISSION, g->rd, 0, 0, 0);
		for (uint64_t i = 0; i < g->next && s == SNP_SUCCESS; i++)
			if (g->kind[i] == PG_DATA || g->kind[i] == PG_META) {
				struct rmp_entry e;
				struct rmp_io io = machine_rmp_io(m);
				uint64_t pa = g->cfg.pool + i * PAGE, c0 = m->rmp_io_ctx.cycles;
				(void)hv_now(g, *cyc);
				int unread = rmp_entry_read(&m->rmp, &io, pa, &e);
				*cyc += m->rmp_io_ctx.cycles - c0; /* the host reads the entry */
				if (!unread && e.assigned && !e.immutable && rmp_assign(g, pa, false, 0, cyc))
					s = SNP_HWERROR_PLATFORM;
			}
	} else {
		/* a guest whose ASID another took is inactive already */
		s = g->asid ? sev_cmd(g, SEV_CMD_DEACTIVATE, g->rd, 0, 0, NULL) : SNP_SUCCESS;
		if (s == SNP_SUCCESS)
			s = sev_cmd(g, SEV_CMD_DECOMMISSION, g->rd, 0, 0, NULL);
	}
	fw_wait(g, &mark, cyc);
	note_fw(res, snp, s);
	return 0;
}

int hv_sev_pvalidate(void *ctx, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
		     bool validate, bool *cf, struct cc_fault *fault, uint64_t *cycles)
{
	struct hv_guest *g = ctx;
	struct rmp_io io = machine_rmp_io(g->m);
	uint64_t c0 = g->m->rmp_io_ctx.cycles;
	struct rmp_guest_page pg = { .spa = spa, .gpa = gpa, .asid = asid, .vmpl = vmpl };
	struct rmp_op_result r = rmp_pvalidate(&g->m->rmp, &io, &pg, validate);
	*cycles += g->m->rmp_io_ctx.cycles - c0;
	if (r.fault.fault != RMP_OK) {
		fault->kind = machine_rmp_fault_kind(r.fault.fault);
		fault->code = (uint8_t)r.fault.fault;
		fault->addr = spa;
		return -1;
	}
	*cf = r.cf;
	if (validate && r.status == 0 && !r.cf)
		g->n.pages_accepted++;
	return (int)r.status;
}
