/* The host hypervisor stack (KVM-like): builds a guest from the guest
 * kernel's image, runs its vCPU, handles its exits and tears it down, with
 * the personality of the profile:
 *   cca   : a realm through the RMI (delegate, REALM_CREATE, DATA_CREATE of
 *           the image with measurement, INIT_RIPAS, REC_CREATE, ACTIVATE;
 *           REC_ENTER and the REC run structure; RTTs created on demand from
 *           ERROR_RTT, DATA_CREATE_UNKNOWN on first touch, RTT_SET_RIPAS on
 *           RIPAS_CHANGE, RTT_MAP_UNPROTECTED for the shared alias, MMIO
 *           emulation, PSCI_COMPLETE, host-call answers, virtual timer
 *           injection through the list registers; teardown through
 *           DATA_DESTROY / RTT_DESTROY / REC_DESTROY / REALM_DESTROY and
 *           UNDELEGATE);
 *   plain : an ordinary VM: stage 2 tables in host memory, the vCPU's
 *           registers in a host page the host reads and writes at will;
 *   sev, sev-es, sev-snp : a guest launched through the SEV or SNP firmware
 *           (image measured and encrypted in place; SEV-ES / SNP: one VMSA
 *           per vCPU measured at launch), its own ASID (from the top of
 *           the range down), AMD nested page tables; its registers in a
 *           plaintext VMCB save area the host reads and writes (sev) or in
 *           the encrypted VMSA (sev-es, sev-snp) where the host only sees
 *           what the guest puts in its GHCB at a VMGEXIT (monitor calls,
 *           MMIO from the #VC handler, page state changes, the SNP report
 *           request); on sev-snp private pages are assigned in the RMP on
 *           first touch, and destroy decommissions the guest and reclaims
 *           its pages;
 *   tdx   : a trust domain through the TDX module's SEAMCALLs (hv_tdx.c):
 *           MNG.CREATE / KEY.CONFIG / ADDCX / INIT, VP.CREATE / ADDCX /
 *           INIT, SEPT.ADD, PAGE.ADD + MR.EXTEND of the image, MR.FINALIZE;
 *           TDH.VP.ENTER with its exits (EPT violations: PAGE.AUG or a
 *           shared page; TDG.VP.VMCALL: MapGPA, GetQuote, CPUID, HLT, I/O,
 *           MMIO, MSRs, hypercalls), interrupts posted through the vCPU's
 *           posted-interrupt descriptor; teardown through VP.FLUSH,
 *           VPFLUSHDONE, CACHE.WB, KEY.FREEID and PAGE.RECLAIM;
 *   s390-se : a protected guest through the ultravisor (hv_s390.c), as KVM
 *           drives it (arch/s390/kvm/pv.c): the UV initialised once, a
 *           secure configuration over the guest's DAT tables (its gmap)
 *           and a secure CPU with its donated storage; the SE image the
 *           owner built for this machine's host key staged, its header
 *           set, each page unpacked and the image verified; SIE through
 *           the state description, a stand-in where the UV puts only what
 *           an intercept needs (a DIAGNOSE's operands, an I/O access); the
 *           host's faults served (a gmap fault by backing the page or
 *           reading it back from swap, PGM 0x3e by importing it), pages
 *           exported when the host swaps them out; teardown through
 *           DESTROY_SEC_CPU, DESTR_SEC_STOR of every page and
 *           DESTROY_SEC_CONF.
 * Every table update, register save and run-structure access is a real
 * host load or store, so it costs what the memory path says. */
#ifndef CCSIM_STACKS_HOST_HV_H
#define CCSIM_STACKS_HOST_HV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/cpu/cpu.h"
#include "models/cpu/exec.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/sev/sev_abi.h"
#include "models/platform/machine.h"
#include "stacks/guest/kernel.h"

#define HV_IPA_BITS 32          /* the realm's IPA width (s2sz) */
#define HV_IPA_SHARED_BIT (1ull << (HV_IPA_BITS - 1)) /* a realm's unprotected IPA alias */
#define HV_TD_SHARED_BITS ((1ull << 47) | (1ull << 51)) /* a TD's GPA.SHARED (GPAW 48 / 52) */
#define HV_POOL_DEFAULT 0x90000000ull
#define HV_POOL_SIZE 0x2000000ull /* host memory per guest: at least 32 MiB */
#define HV_MAX_RAM 0x40000000ull  /* the largest guest RAM: 1 GiB */
/* The host memory a guest with `ram` bytes of RAM draws its pages from:
 * the RAM, its page tables and the host's metadata, in 32 MiB steps. */
static inline uint64_t hv_pool_size(uint64_t ram)
{
	uint64_t need = ram + ram / 4 + 0x1000000ull;
	return need <= HV_POOL_SIZE ? HV_POOL_SIZE : (need + HV_POOL_SIZE - 1) & ~(HV_POOL_SIZE - 1);
}

/* HV_REFUSED: the monitor refused to build it (host.guest_create's status):
 * it cannot be entered, and there is nothing to tear down. */
enum hv_state { HV_NONE, HV_LOADED, HV_CREATED, HV_OFF, HV_DESTROYED, HV_REFUSED };

#define HV_MAX_VCPUS GUEST_MAX_VCPUS
#define HV_MAX_TRAPS 16

/* One vCPU as the host sees it (saved state). The host runs a guest's
 * vCPUs on one physical core, round robin: a vCPU keeps the core through
 * the exits the host serves until its time slice (host.slice_cycles) ends
 * or it blocks (WFI, CPU_OFF); a vCPU in WFI is passed over until its
 * timer fires, and the host idles only when every vCPU waits. */
struct hv_vcpu {
	uint64_t rec, run, aux[2];  /* cca: its REC, run structure, auxiliary granules */
	uint64_t save;              /* plain: its register save page */
	uint64_t online;            /* started and not off: the host schedules it */
	uint64_t waiting, wake_at;  /* in WFI, until its timer's deadline (UINT64_MAX: none) */
	uint64_t mmio_pending;      /* re-enter with EMUL_MMIO (read value below) */
	uint64_t mmio_value;
	uint64_t hostcall_pending;
	uint64_t lrs[VGIC_NR_LRS];  /* the host's copy of the vCPU's list registers */
	uint64_t vmsa;              /* SEV-ES / SNP: its VMSA page (encrypted, the guest's) */
	uint64_t ghcb_msr;          /* SEV-ES / SNP: the GHCB MSR as the VMCB control area holds it */
	uint64_t inject_esr, inject_far; /* an exception the host injects at the next entry (0: none) */
	uint64_t inject_irq;        /* 1 + a virtual interrupt it adds at the next entry (0: none) */
};

struct hv_guest_config {
	struct guest_kernel_config k;
	char **phases;              /* the names of the phases its kernel marks (k.nphases) */
	uint64_t pool;              /* host memory the guest's pages come from */
	uint64_t vmid;
	bool trap_wfi;              /* REC entry flag / trap WFI to the host */
	uint64_t max_exits;         /* a run stops after this many exits */
	struct hv_guest *const *peers; /* the host's guests (this one included), for SEV /
					  SEV-ES ASIDs: when they run out, one is taken back */
	size_t npeers;
	uint8_t se_mkey[64];        /* s390-se: the owner's measurement key its request seals */
};

/* The registers a workload call (GOP_CALL) reported through the device. */
struct hv_call_result {
	uint64_t op;                /* the workload op's index */
	uint64_t n;                 /* registers reported: X0..X(n-1) */
	uint64_t x[GUEST_CALL_MAX_RESULTS];
};

/* Per-guest counters, also the guest's stats (hv.NAME.*). */
struct hv_counts {
	uint64_t runs, exits, exits_by[RMI_EXIT_COUNT];
	uint64_t mmio, populate, shared_maps, ripas_changes, host_calls, psci, injected;
	uint64_t idle_cycles, run_cycles, reported, panic_esr, panicked, cpus_reported;
	uint64_t traps, last_trap, injections, injections_refused;
	uint64_t npfs, last_npf;    /* nested page faults the host took, the last one's GPA (EXITINFO2) */
	uint64_t last_npf_kind;     /* and its kind (enum cc_fault_kind: rmp.npf when the RMP refused) */
	uint64_t cpuids, msrs, pios; /* CPUID, RDMSR / WRMSR, port I/O the host emulated */
	uint64_t insns;             /* guest instructions retired, on every architecture */
	uint64_t guest_cycles;      /* cycles its vCPUs ran guest code (not the host's, not idle) */
	uint64_t blk_reads, blk_writes, blk_bytes; /* block requests completed, their bytes */
	uint64_t net_tx, net_rx, net_bytes;        /* packets sent and received, their bytes */
	/* The common set every architecture counts the same way (docs/outputs.md) */
	uint64_t bounce_bytes;      /* bytes the host moved through the guest's bounce buffer */
	uint64_t pages_accepted;    /* private pages the guest accepted: PVALIDATE, RIPAS RAM */
	uint64_t monitor_calls;     /* calls to its monitor or hypervisor: RSI, HVC, VMGEXIT */
	uint64_t asid_taken;        /* SEV / SEV-ES: ASIDs it took back from another guest */
	uint64_t asid_lost;         /* times another guest took its ASID */
	uint64_t asid_cycles;       /* host cycles spent on that (DEACTIVATE, WBINVD, DF_FLUSH) */
};

/* Firmware statuses in hv_result.status: HV_SEV_STATUS | the SEV API
 * status, HV_SNP_STATUS | the SNP ABI status (the harness's sev.* / snp.*). */
#define HV_SEV_STATUS 0x7900ull
#define HV_SNP_STATUS 0x7a00ull
/* The host stack's own refusal (the harness's swap.*): HV_SWAP_STATUS |
 * HV_SWAP_UNSUPPORTED when the architecture has no way to do it. */
#define HV_SWAP_STATUS 0x7800ull
#define HV_SWAP_UNSUPPORTED 1ull
/* An ultravisor's return code (s390-se): HV_UV_STATUS | the 16-bit RC (uv.*). */
#define HV_UV_STATUS 0x7c0000ull

struct hv_guest {
	struct sim_model base;
	const char *name;
	char *mname, *vname;        /* model names: hv.NAME, hv.NAME.vcpu */
	uint64_t t0;                /* the cycle the step being served started at (set on entry) */
	struct machine *m;
	struct cpu *host;
	struct cpu gcpu;            /* plain: the vCPU the host runs directly */
	struct hv_guest_config cfg;
	uint8_t *image;             /* the guest kernel's image (built once) */
	size_t image_len;
	uint8_t *data;              /* its data segment (replayed traces), or NULL */
	size_t data_len;
	uint64_t data_ipa;          /* where the data segment goes */
	/* saved state */
	uint64_t state;             /* enum hv_state */
	uint64_t next;              /* pool bump allocator */
	uint64_t stage;             /* where the image waits in host memory */
	uint64_t rd, rtt_root, s2_root; /* rd: the RD (cca), SEV handle or SNP context page */
	uint64_t sev, asid;         /* SEV personalities: enum cpu_sev, the guest's ASID (0: none) */
	uint64_t last_run;          /* the cycle its last run began (whose ASID to take back) */
	uint8_t launch_measure[SEV_MEASURE_LEN + SEV_MNONCE_LEN]; /* SEV / SEV-ES: LAUNCH_MEASURE */
	uint64_t fw_cycles;         /* SEV, SNP: the firmware's time in the commands it sent (not saved:
				       charged within the call that sent them) */
	uint8_t *shared;            /* SNP: per RAM page, 1 if the guest made it shared */
	struct exec_hw hw;          /* SNP: PVALIDATE for the vCPU */
	uint64_t trap[HV_MAX_TRAPS]; /* pages host.guest_unmap took away: IPA + 1 (0: free) */
	uint64_t nvcpus, cur;       /* vCPUs, and the one that ran last */
	uint64_t slice_end;         /* when vcpu[cur]'s time slice ends */
	uint64_t deferred;          /* cca: 1 + the exit reason vcpu[cur] stopped at, unhandled */
	struct hv_vcpu vcpu[HV_MAX_VCPUS];
	/* the block device's request in flight (queue depth 1) */
	uint64_t blk_pending;       /* 1: a request waits for blk_done_at */
	uint64_t blk_done_at, blk_sector, blk_buf, blk_len, blk_vcpu;
	uint64_t blk_queue_kind, blk_queue;  /* enum hv_page and IPA of the queue's buffer region */
	struct hv_counts n;
	uint8_t *kind;              /* per pool page: enum hv_page */
	uint64_t *ipa;              /* per pool page: the IPA it backs */
	GByteArray *out;            /* bytes the guest sent out through its device */
	GByteArray *token;          /* the last attestation token it handed over */
	GArray *results;            /* struct hv_call_result, in the order reported */
	uint8_t *se_image;          /* s390-se: the SE image its owner built (not saved: rebuilt) */
	size_t se_image_len;
	uint8_t *se_arcb;           /* s390-se: the owner's attestation request */
	struct hv_s390 *se;         /* s390-se: the personality's counters (a model of its own) */
	/* A hostile device answer, for one run only (never set between
	 * steps, so not saved): the nth MMIO read at register reg (any:
	 * HV_MMIO_ANY) returns value instead of the device's answer. */
	struct hv_mmio_forge {
		bool armed;
		uint64_t reg, nth, seen, value;
	} forge;
};
#define HV_MMIO_ANY UINT64_MAX

/* What a step reports back (the scenario capture). */
struct hv_result {
	bool has_status;
	bool not_built;             /* run: the guest was refused at create, VM entry fails */
	uint64_t status;            /* first failing RMI status, or 0 */
	uint64_t x1, x2;
	/* run: the events host.guest_inject made that the guest took during
	 * this run, its handler entered (an EVENTINJ at VMRUN; a list register
	 * or posted interrupt the guest acknowledged) */
	uint64_t hostile_taken;
	uint64_t cycles;
};

/* Create the stack for one guest (registers its stats as hv.NAME.*).
 * Returns NULL with a message if the image does not build. */
struct hv_guest *hv_guest_new(struct sim *s, struct machine *m, struct cpu *host, const char *name,
			      const struct hv_guest_config *cfg, char *err, size_t errlen);
/* Stage the image in host memory (x1 = its PA, x2 = its size). */
int hv_guest_load(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen);
/* Build the guest (x1 = RD or stage 2 root). */
int hv_guest_create(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen);
/* Run until the guest powers off or `max_exits` (0: the config's) exits
 * (a guest whose create the monitor refused does not run: not_built);
 * x1 = exits this run, x2 = the value the guest last reported (its ticks).
 * On cca, an exit with reason `until` (RMI_EXIT_COUNT: none) stops the run
 * before the host handles it: the host state is as the exit left it (a
 * RIPAS change or PSCI request pending) and the next run handles it first.
 * On a plain VM or an SEV guest the run stops after the host served the
 * first exit of reason `until`, before the vCPU runs again (its saved
 * state as the exit left it). */
int hv_guest_run(struct hv_guest *g, uint64_t max_exits, unsigned until, struct hv_result *res,
		 char *err, size_t errlen);
/* Arm a hostile device answer for the next hv_guest_run only: the guest's
 * nth MMIO read (1: the first) of register reg (HV_MMIO_ANY: any) in that
 * run returns value, whatever the device would answer (the guest-HV
 * interface as attack surface: a malicious or emulated device). Whether it
 * was delivered: hv_guest_forge_done after the run. */
void hv_guest_forge_mmio(struct hv_guest *g, uint64_t reg, uint64_t nth, uint64_t value);
bool hv_guest_forge_done(const struct hv_guest *g);
/* Tear down and give every page back (undelegated); nothing for a guest
 * whose create the monitor refused. */
int hv_guest_destroy(struct hv_guest *g, struct hv_result *res, char *err, size_t errlen);
/* Where the host finds the boot vCPU's registers (x0.. first): its REC
 * (cca: delegated), VMCB save area (plain, sev) or VMSA (sev-es, sev-snp). */
uint64_t hv_guest_regs_pa(const struct hv_guest *g);
/* The page-fault controlled channel: remove the stage 2 / nested mapping of
 * the guest page at ipa (its contents kept); the guest's next touch is a
 * fault the host records (hv.NAME.traps, last_trap) and serves by mapping
 * the page back. Not on cca (the host cannot unmap a realm's data). */
int hv_guest_unmap(struct hv_guest *g, uint64_t ipa, struct hv_result *res, char *err, size_t errlen);
/* Event injection at the boot vCPU's next entry: a synchronous exception
 * with syndrome esr and address far, or (esr = 0) the virtual interrupt
 * intid. With Restricted Injection (sev.restricted_injection, SNP) the
 * hardware refuses both (hv.NAME.injections_refused); a realm takes only
 * interrupts. */
int hv_guest_inject(struct hv_guest *g, uint64_t esr, uint64_t far, uint32_t intid,
		    struct hv_result *res, char *err, size_t errlen);
/* CrossLine (Li et al., 2020): the host rewrites the VMCB control area of
 * g's boot vCPU: the ASID it runs under (asid < 0: kept) and where VMRUN
 * takes its registers from (state_pa: another guest's VMCB save area on
 * plain / sev, its VMSA on sev-es / sev-snp; 0: kept). Nothing in the
 * VMCB is checked against the firmware's record of which guest owns the
 * ASID: the key and the RMP decide what the next run can do. Not on cca
 * (a realm's VMID and REC are the RMM's). */
int hv_guest_vmcb(struct hv_guest *g, int64_t asid, uint64_t state_pa, struct hv_result *res,
		  char *err, size_t errlen);
/* The host maps g's guest page ipa to the system page pa in g's nested /
 * stage 2 table (an existing mapping is replaced) and invalidates g's
 * cached translations. Not on cca (a realm's RTTs are the RMM's). */
int hv_guest_map(struct hv_guest *g, uint64_t ipa, uint64_t pa, struct hv_result *res, char *err,
		 size_t errlen);
/* The host page backing g's guest page ipa (private or shared), or 0. */
uint64_t hv_guest_page_pa(const struct hv_guest *g, uint64_t ipa);
/* The boot vCPU's REC run structure's PA (cca), register save area
 * (plain, sev) or VMSA (sev-es, sev-snp), for scenarios that tamper with
 * them. */
uint64_t hv_guest_run_page(const struct hv_guest *g);

/* Memory pressure (hv_swap.c): the host swaps the guest's private page at
 * ipa out through the architecture's mechanism (plain, sev, sev-es: a copy
 * of its cells; sev-snp: the SNP firmware's SNP_PAGE_SWAP_OUT with a
 * metadata entry) into a swap slot, and takes it out of the nested
 * tables; copy (a page, or NULL) gets the slot's bytes; x1 the slot, x2
 * the frame. The guest's next touch swaps the latest copy back in. Where
 * the architecture has no swap (tdx, cca) nothing happens and the status
 * is HV_SWAP_STATUS | HV_SWAP_UNSUPPORTED (the reason: hv_swap_refusal). */
int hv_guest_swap_out(struct hv_guest *g, uint64_t ipa, uint8_t *copy, struct hv_result *res,
		      char *err, size_t errlen);
/* Swap the page at ipa back in from slot (0: its latest) into its frame:
 * on sev-snp SNP_PAGE_SWAP_IN checks the copy against the slot's metadata
 * entry and a refusal is the status (the page stays out); elsewhere the
 * cells go back as the slot holds them. x1 the frame. */
int hv_guest_swap_in(struct hv_guest *g, uint64_t ipa, uint64_t slot, struct hv_result *res,
		     char *err, size_t errlen);
/* Why the profile has no way to swap a guest's page (naming the ABI), or
 * NULL. */
const char *hv_swap_refusal(const struct hv_guest *g);

/* hv_swap_uv.c. s390-se: a page of a secure configuration the scenario
 * built through host.uvc swapped over the ultravisor's calls: out, the
 * host page pa exported (UVC convert from secure storage) and read into
 * copy (a page); in, copy (a page; NULL: the frame as it is) written back
 * to pa and imported at gaddr of configuration handle (UVC convert to
 * secure storage). The UVC's return code (UVC_RC_*). */
uint16_t hv_uv_swap_out(struct machine *m, struct cpu *host, uint64_t pa, uint8_t *copy,
			uint64_t *cyc);
uint16_t hv_uv_swap_in(struct machine *m, struct cpu *host, uint64_t handle, uint64_t pa,
		       uint64_t gaddr, const uint8_t *copy, uint64_t *cyc);
/* What host.guest_load staged: the guest kernel's image, or on s390-se
 * the SE image built from it. */
const uint8_t *hv_guest_image(const struct hv_guest *g, size_t *len);
/* The host kernel's handler of a fault its own access to pa took: on
 * s390-se a secure storage access (PGM 0x3d) exports the page, after which
 * the access is retried (arch/s390/mm/fault.c do_secure_storage_access).
 * 0 handled, -1 not a fault it handles. */
int hv_guest_host_fault(struct hv_guest *g, uint64_t pa, enum cc_fault_kind kind,
			uint64_t *cycles);

/* ccsim's own call to the TDX module (tdx_abi.h TDX_SIM_*) through its
 * slot, from logical processor lp, with a buffer if buf: RAX back. `timed`:
 * the call starts now and its time is added to *cycles (may be NULL); else
 * its accesses fall in the present as the last call left the clock and
 * take no time the host waits for (the TD VMCS fields, LP settings). */
uint64_t hv_tdx_sim_call(struct machine *m, unsigned lp, uint64_t id, uint64_t rcx, uint64_t rdx,
			 void *buf, size_t len, bool timed, uint64_t *cycles);

/* hv_tdx_bare.c. The TDX module's initialisation (TDH.SYS.INIT, LP.INIT
 * on every LP, CONFIG with the profile's TDMR, KEY.CONFIG, TDMR.INIT),
 * once per machine, with TDMR_INFO in the host page `page`, each call at
 * simulated time t0 + *cyc (the host's present, *cyc growing): the first
 * failing status, or TDX_SUCCESS (also when the module is ready). */
uint64_t hv_tdx_module_init(struct machine *m, struct cpu *host, uint64_t page, uint64_t t0,
			    uint64_t *cyc);
/* A bare TD (no image) for a scenario's vm: its pages come from `region`
 * (HV_TDX_BARE_PAGES pages in the TDMR: two host pages, then TDR, TDCS,
 * TDVPS and Secure EPT tables), its key is `hkid`. */
#define HV_TDX_BARE_PAGES 64u
struct hv_tdx_bare {
	uint64_t region, hkid;
	uint64_t tdr, tdvpr; /* set by hv_tdx_bare_create */
};
/* Initialise the module if need be, then build and finalise the TD with
 * one vCPU: the first failing status, or TDX_SUCCESS. */
uint64_t hv_tdx_bare_create(struct machine *m, struct cpu *host, struct hv_tdx_bare *b,
			    uint64_t *cyc);
/* TDH.MEM.SEPT.ADD of the tables gpa needs, then TDH.MEM.PAGE.AUG of the
 * host page hpa at gpa: the first failing status, or the AUG's. */
uint64_t hv_tdx_bare_aug(struct machine *m, struct cpu *host, struct hv_tdx_bare *b, uint64_t gpa,
			 uint64_t hpa, uint64_t *cyc);

#endif
