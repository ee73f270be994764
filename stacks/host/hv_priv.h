/* Internals shared by the host stack's files: hv.c (host primitives, the
 * guest's device, the API, saved state), hv_cca.c (realms through the
 * RMI) and hv_plain.c (ordinary VMs). Not for use outside stacks/host. */
#ifndef CCSIM_STACKS_HOST_HV_PRIV_H
#define CCSIM_STACKS_HOST_HV_PRIV_H

#include "include/ccsim/monitor.h"
#include "models/monitor/snp/snp_abi.h"
#include "stacks/host/hv.h"

#define PAGE 4096ull
#define HV_RTT_PAGE_LEVEL 3u

/* What a pool page holds. Its ipa[] entry: the guest page it backs (DATA,
 * SHARED: with the unprotected bit), or for an RTT the IPA it covers with
 * the RTT's level in the low bits (the IPA is level-aligned). */
enum hv_page { PG_FREE = 0, PG_NS, PG_META, PG_DATA, PG_RTT, PG_SHARED,
	       PG_TD,   /* TDX: a control page the module owns (TDR, TDCS, TDVPR, TDVPX) */
	       PG_SEPT, /* TDX: a Secure EPT table; ipa[]: the GPA it covers | its level */
	       PG_SWAP  /* a swap slot holding a guest page's swapped-out copy (on s390-se its
			   export); ipa[]: the page */
};

uint64_t hv_pool_pages(const struct hv_guest *g);
/* The next pool page (0: the pool is used up). */
uint64_t hv_alloc_page(struct hv_guest *g, enum hv_page kind, uint64_t ipa);
/* The host page of `kind` backing guest page `ipa`, or 0. */
uint64_t hv_pool_pa(const struct hv_guest *g, enum hv_page kind, uint64_t ipa);
/* The host's present: `cyc` cycles into the step it serves. Also makes it
 * the simulation's (sim_time), so what the host does next is traced and
 * queued at that cycle. */
/* Which architecture the guest's machine is: the monitor it has. */
static inline bool hv_is_cca(const struct hv_guest *g) { return g->m->rmm != NULL; }
static inline bool hv_is_tdx(const struct hv_guest *g) { return g->m->tdx_mon != NULL; }
static inline bool hv_is_s390(const struct hv_guest *g) { return g->m->uv != NULL; }

static inline uint64_t hv_now(struct hv_guest *g, uint64_t cyc)
{
	sim_set_time(g->m->sim, g->t0 + cyc);
	return g->t0 + cyc;
}

/* The run has reached the simulated-time limit (limits.max_cycles): the run
 * loops stop and hv_guest_run reports it. */
static inline bool hv_past_limit(struct hv_guest *g, uint64_t cyc)
{
	return hv_now(g, cyc) >= g->m->cfg.max_cycles;
}

/* Host loads and stores: real accesses whose latency adds to *cyc. */
int hv_store(struct hv_guest *g, uint64_t pa, const void *buf, uint32_t len, uint64_t *cyc);
int hv_load(struct hv_guest *g, uint64_t pa, void *buf, uint32_t len, uint64_t *cyc);
int hv_store64(struct hv_guest *g, uint64_t pa, uint64_t v, uint64_t *cyc);
uint64_t hv_load64(struct hv_guest *g, uint64_t pa, uint64_t *cyc);
void hv_zero(struct hv_guest *g, uint64_t pa, uint64_t len, uint64_t *cyc);
/* Zero whole lines past the caches, as MOVDIR64B does (a cached copy of a
 * line is dropped): len a multiple of 64. */
void hv_zero_direct(struct hv_guest *g, uint64_t pa, uint64_t len, uint64_t *cyc);
/* An RMI call at the host's current time; X0 returned, X1 / X2 in out. */
uint64_t hv_rmi(struct hv_guest *g, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5, uint64_t out[2], uint64_t *cyc);
/* Remember the first failure of a step. */
void hv_note(struct hv_result *res, uint64_t st);
/* The guest's device; its bounce buffer at `bounce_ipa`, backed by pool
 * pages of `bounce_kind`. Returns a read's value. */
uint64_t hv_dev_access(struct hv_guest *g, uint64_t off, bool write, uint64_t val,
		       enum hv_page bounce_kind, uint64_t bounce_ipa, uint64_t *cyc);
/* The block device: a notify starts the request whose descriptor is in
 * the queue page; hv_blk_poll completes it when due (data, used count,
 * the completion interrupt); a halting vCPU wakes then (hv_blk_wake); a
 * running one is stopped then (hv_blk_horizon: cycles from `now`). */
void hv_blk_kick(struct hv_guest *g, enum hv_page queue_kind, uint64_t bounce_ipa, uint64_t *cyc);
void hv_blk_poll(struct hv_guest *g, uint64_t *cyc);
void hv_blk_wake(struct hv_guest *g, struct hv_vcpu *c);
uint64_t hv_blk_horizon(struct hv_guest *g, uint64_t now);
/* A vCPU stopped in WFI waits for its timer (see struct hv_vcpu). */
void hv_vcpu_wfi(struct hv_vcpu *c, uint64_t ctl, uint64_t cval);
/* The vCPU to run: g->cur while its slice lasts and it does not block;
 * else round robin after it, one online and not waiting (or whose timer
 * has fired, which is then injected); if all wait, the host idles to the
 * first deadline (*cyc moves on). NULL: none online, or every one waits
 * with no timer armed, so nothing will wake them. */
struct hv_vcpu *hv_next_vcpu(struct hv_guest *g, uint64_t *cyc);
/* Inject the virtual timer if it fired and the vCPU does not hold it yet. */
void hv_timer_check(struct hv_guest *g, struct hv_vcpu *c, uint64_t ctl, uint64_t cval,
		    uint64_t now);
/* Put an interrupt host.guest_inject queued into the vCPU's list registers
 * (at its next entry). */
void hv_inject_pending_irq(struct hv_vcpu *c);
/* Does a list register hold INTID pending? */
bool hv_lrs_pending(const uint64_t lrs[VGIC_NR_LRS], uint32_t intid);
/* A fault on a page host.guest_unmap took away: true if it was one (its
 * trap is used up, counted in hv.NAME.traps and last_trap); the caller
 * maps the page back. */
bool hv_trap_take(struct hv_guest *g, uint64_t page);
/* hv_swap.c: a nested page fault on a page the host swapped out: its
 * latest copy swapped in. 1 done, 0 not such a page, -1 it failed. */
int hv_swap_fault(struct hv_guest *g, uint64_t page, uint64_t *cyc);
/* The vCPU with this MPIDR (its index), or -1. */
int hv_vcpu_of_mpidr(const struct hv_guest *g, uint64_t mpidr);

/* Ordinary VMs and SEV guests (hv_plain.c): their nested tables and vCPU
 * set-up, a stage 2 mapping (flags: PT_MAP_*), and a monitor call the
 * host answers (PSCI, host calls) with v's registers, which take the
 * result; *stop when the guest is off. */
void hv_vm_setup(struct hv_guest *g);
/* The image's pieces, staged one after the other from g->stage: the code
 * from IPA 0 and the data segment (if any) at its IPA. Returns how many. */
struct hv_seg {
	uint64_t ipa, stage, len;
};
static inline unsigned hv_segs(const struct hv_guest *g, struct hv_seg s[2])
{
	s[0] = (struct hv_seg){ 0, g->stage, g->image_len };
	s[1] = (struct hv_seg){ g->data_ipa, g->stage + ((g->image_len + PAGE - 1) & ~(PAGE - 1)),
				g->data_len };
	return g->data_len ? 2 : 1;
}

/* Copy the staged image into guest pages (PG_DATA) mapped at their IPAs. */
int hv_vm_load_image(struct hv_guest *g, uint64_t *cyc);
int hv_vm_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, unsigned flags, uint64_t *cyc);
/* Remove the mapping of one page (and the vCPU's cached translations). */
int hv_vm_unmap(struct hv_guest *g, uint64_t ipa, uint64_t *cyc);
enum rmi_exit_reason hv_vm_call(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v,
				bool *stop, uint64_t *cyc);

/* What the host emulates (hv_emul.c): CPUID from the table it gives its
 * VMs, MSRs, port I/O. */
struct hv_cpuid_leaf {
	uint32_t leaf, eax, ebx, ecx, edx;
};
bool hv_cpuid_per_vcpu(uint32_t leaf);
size_t hv_cpuid_table(const struct hv_cpuid_leaf **t);
void hv_cpuid(uint32_t vcpu, uint32_t leaf, uint64_t out[4]);
uint64_t hv_rdmsr(uint32_t vcpu, uint32_t msr, uint64_t now);
uint64_t hv_pio(uint16_t port, unsigned size, bool in, uint64_t val, uint64_t now);
/* An intercepted instruction of vCPU c (EXEC_TRAP): emulated into v, pc
 * moved past it, its handling charged to *cyc. */
void hv_vm_trap(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v,
		const struct isa_insn *in, uint64_t *cyc);

/* The personalities. */
int hv_cca_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_cca_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
	       uint64_t *cyc);
int hv_cca_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_plain_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_plain_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
		 uint64_t *cyc);
/* hv_tdx.c: a TD through the TDX module's SEAMCALLs */
int hv_tdx_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_tdx_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
	       uint64_t *cyc);
int hv_tdx_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
/* The host's attempts on a TD through the module (see hv.h: the guest_*
 * calls they serve); the module's refusal is the step's status. */
int hv_tdx_vmcb(struct hv_guest *g, int64_t hkid, uint64_t state_tdvpr, struct hv_result *res,
		uint64_t *cyc);
int hv_tdx_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, struct hv_result *res, uint64_t *cyc);
int hv_tdx_unmap(struct hv_guest *g, uint64_t page, struct hv_result *res, uint64_t *cyc);
int hv_tdx_inject_exception(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
/* hv_s390.c: a protected guest through the ultravisor */
int hv_s390_new(struct hv_guest *g, char *err, size_t errlen);  /* before the kernel is built */
int hv_s390_seal(struct hv_guest *g, char *err, size_t errlen); /* after */
int hv_s390_load(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_s390_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_s390_run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *res,
		uint64_t *cyc);
int hv_s390_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
/* host.guest_swap_out of an s390-se guest (hv.c): hv_s390_swap_out after
 * the checks, the page's export in copy, x1 the slot, x2 the frame. */
int hv_s390_guest_swap_out(struct hv_guest *g, uint64_t ipa, uint8_t *copy, struct hv_result *res,
			   char *err, size_t errlen);
int hv_s390_swap_out(struct hv_guest *g, uint64_t page, uint8_t *copy, struct hv_result *res,
		     uint64_t *cyc);
/* Export the secure page at pa (the host's fault handler): 0, or -1. */
int hv_s390_make_accessible(struct hv_guest *g, uint64_t pa, uint64_t *cyc);
/* An ordinary VM's markers (its scenario phases), under its VMID. */
void hv_vm_mark(void *ctx, uint32_t what, uint64_t at);

/* hv_sev.c */
/* One AMD-SP command through the guest's firmware slot (SNP or SEV), with
 * its command buffer if buf: its status (the same codes for both APIs),
 * the registers back in regs, the time it took counted in g->fw_cycles
 * (the host charges what it waited for). */
enum snp_status hv_fw_cmd(struct hv_guest *g, uint64_t regs[CCSIM_MONITOR_REGS], void *buf,
			  size_t len);
/* An SNP firmware command whose fields are x1..x4 (snp_abi.h). */
enum snp_status hv_snp_cmd(struct hv_guest *g, uint64_t cmd, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4);
int hv_sev_create(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
/* An SEV / SEV-ES guest whose ASID another took gets one back before it
 * runs (hv_sev.c: the host out of ASIDs). 0, or -1 when none can be had. */
int hv_sev_asid_regain(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_sev_destroy(struct hv_guest *g, struct hv_result *res, uint64_t *cyc);
int hv_sev_populate(struct hv_guest *g, uint64_t gpa, uint64_t *cyc);
/* VMRUN's load and #VMEXIT's save of a vCPU's state: the VMCB save area
 * (sev) or the VMSA (sev-es, sev-snp), and the control area's part. */
void hv_sev_state_load(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc);
void hv_sev_state_save(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v, uint64_t *cyc);
/* Serve a VMGEXIT from what the guest put in its GHCB (or the GHCB MSR). */
enum rmi_exit_reason hv_sev_vmgexit(struct hv_guest *g, struct hv_vcpu *c, bool *stop, uint64_t *cyc);
/* The processor's side of PVALIDATE (struct exec_hw). */
int hv_sev_pvalidate(void *ctx, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
		     bool validate, bool *cf, struct cc_fault *fault, uint64_t *cycles);

#endif
