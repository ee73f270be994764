/* Shared by the TDX module's files (tdx.c dispatch, memory and SYS leaves;
 * tdx_mng.c TD management, measurement and teardown; tdx_mem.c Secure EPT
 * leaves; tdx_vp.c vCPUs and TD entry; tdx_tdcall.c the TD's calls): the
 * control structures' layouts in their pages and the module's own memory
 * accesses. Not for use outside models/monitor/tdx. */
#ifndef CCSIM_TDX_INTERNAL_H
#define CCSIM_TDX_INTERNAL_H

#include <glib.h>

#include "models/cpu/exec.h"
#include "models/mmu/sept.h"
#include "models/monitor/tdx/tdx.h"
#include "models/monitor/tdx/tdx_sha384.h"
#include "models/monitor/tdx/tdx_step.h"

#define TDX_PAGE 4096ull
/* key_program's flags for a TDX private KeyID: encrypt, private */
#define TDX_KEY_FLAGS 3u

/* The simulated clock through the services: the cycle the call being
 * served was issued at, and the present moved to that plus `cycles`. */
static inline uint64_t tdx_now(const struct tdx *t)
{
	return t->svc->call_start(t->host);
}
static inline void tdx_sync(const struct tdx *t, uint64_t cycles)
{
	t->svc->sync(t->host, cycles);
}

/* TDR: one page under the global private KeyID (tdx-module tdr_t: the
 * management and key management fields the host-side leaves need). */
struct tdx_tdr {
	uint64_t lifecycle;    /* enum tdx_lifecycle */
	uint64_t hkid;
	uint64_t pkg_config;   /* packages whose key TDH.MNG.KEY.CONFIG programmed */
	uint64_t num_tdcx;     /* TDCS pages added */
	uint64_t tdcx[TDX_TDCS_PAGES];
	uint64_t chldcnt;      /* pages other than the TDR the TD owns (PAMT owner = this TDR) */
	uint64_t fatal;
};

/* TDCS page 0, under the TD's HKID (tdcs_t's management, execution control
 * and measurement fields). mrtd_ctx is MRTD's running hash until
 * TDH.MR.FINALIZE writes mrtd. */
struct tdx_tdcs {
	uint64_t op_state;     /* enum tdx_op_state */
	uint64_t attributes, xfam;
	uint64_t max_vcpus, num_vcpus, num_assoc_vcpus;
	uint64_t gpaw, ept_levels;
	uint64_t td_epoch, refcount[2];
	uint64_t td_ctls;        /* bit 0 PENDING_VE_DISABLE (from ATTRIBUTES.SEPT_VE_DISABLE) */
	uint64_t notify_enables; /* bit 0: notify the TD of zero-step attacks (TDG.VM.WR) */
	struct tdx_sha384 mrtd_ctx;
	uint8_t mrtd[48], mrconfigid[48], mrowner[48], mrownerconfig[48];
	uint8_t rtmr[4][48];
};
G_STATIC_ASSERT(sizeof(struct tdx_tdcs) <= TDX_PAGE);

/* TDVPS page 0 (the TDVPR), under the TD's HKID; the vCPU's registers at
 * TDX_TDVPS_VCPU_OFF. */
struct tdx_tdvps {
	uint64_t state;        /* enum tdx_vcpu_state */
	uint64_t owner;        /* TDR */
	uint64_t index;        /* VCPU_INDEX, in creation order */
	uint64_t num_tdvpx;
	uint64_t tdvpx[TDX_TDVPS_PAGES - 1];
	uint64_t assoc_lp;     /* LP + 1 the vCPU is associated with; 0: none */
	uint64_t last_epoch;   /* TD_EPOCH at its last TD entry */
	uint64_t launched;
	uint64_t shared_eptp;
	uint64_t vmcall_bitmap;/* a TDG.VP.VMCALL awaiting the host: exposed GPRs | 1 << 63 */
	uint64_t ve_valid, ve_reason, ve_qual, ve_gla, ve_gpa;
	uint64_t pid;          /* posted-interrupt descriptor (host PA; 0: none) */
};
#define TDX_TDVPS_VCPU_OFF 0x400u
#define TDX_VMCALL_PENDING (1ull << 63)
G_STATIC_ASSERT(sizeof(struct tdx_tdvps) <= TDX_TDVPS_VCPU_OFF);
G_STATIC_ASSERT(TDX_TDVPS_VCPU_OFF + sizeof(struct vcpu_state) <= TDX_PAGE);

/* --- the module's memory accesses (tdx.c) --- */
/* The simulator's look at memory under `keyid` (no time, no cache effect):
 * for checks and the platform's questions. 0, or nonzero if unreadable. */
int tdx_peek(const struct tdx *t, unsigned keyid, uint64_t pa, void *buf, size_t len);
/* After a leaf or TDCALL the module served: if it consumed poison, TDX is
 * disabled and regs[TDX_RAX] becomes VMfailInvalid (true). */
bool tdx_machine_check(struct tdx *t, uint64_t regs[TDX_NREGS]);
/* Through the LP's caches under `keyid`; a fault marks the leaf failed
 * (t->fault: it returns TDX_SIM_IO_ERROR) and reads zeros. */
void tdx_mem_read(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, void *buf, size_t len,
		  uint64_t *cycles);
void tdx_mem_write(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa, const void *buf,
		   size_t len, uint64_t *cycles);
/* Whole lines written past the caches (MOVDIR64B): resets owner bit and
 * poison under `keyid`; src NULL writes zeros. */
void tdx_page_write_direct(struct tdx *t, unsigned lp, unsigned keyid, uint64_t pa,
			   const uint8_t *src, uint64_t *cycles);
/* A host-memory read (shared, KeyID 0): 0, or 1 if it faulted. */
int tdx_host_read(struct tdx *t, unsigned lp, uint64_t pa, void *buf, size_t len,
		  uint64_t *cycles);
int tdx_host_write(struct tdx *t, unsigned lp, uint64_t pa, const void *buf, size_t len,
		   uint64_t *cycles);

/* PAMT and Secure EPT accesses of one leaf: their io contexts. */
struct tdx_io {
	struct tdx *t;
	unsigned lp, keyid;
	uint64_t *cycles;
};
struct pamt_io tdx_pamt_io(struct tdx_io *c);
struct sept_io tdx_sept_io(struct tdx_io *c);

static inline void tdx_tdr_load(struct tdx *t, unsigned lp, uint64_t tdr, struct tdx_tdr *d,
				uint64_t *cycles)
{
	tdx_mem_read(t, lp, (unsigned)t->global_keyid, tdr, d, sizeof(*d), cycles);
}
static inline void tdx_tdr_store(struct tdx *t, unsigned lp, uint64_t tdr, const struct tdx_tdr *d,
				 uint64_t *cycles)
{
	tdx_mem_write(t, lp, (unsigned)t->global_keyid, tdr, d, sizeof(*d), cycles);
}
static inline void tdx_tdcs_load(struct tdx *t, unsigned lp, const struct tdx_tdr *d,
				 struct tdx_tdcs *c, uint64_t *cycles)
{
	tdx_mem_read(t, lp, (unsigned)d->hkid, d->tdcx[0], c, sizeof(*c), cycles);
}
static inline void tdx_tdcs_store(struct tdx *t, unsigned lp, const struct tdx_tdr *d,
				  const struct tdx_tdcs *c, uint64_t *cycles)
{
	tdx_mem_write(t, lp, (unsigned)d->hkid, d->tdcx[0], c, sizeof(*c), cycles);
}

/* A TDVPR operand (`op` its operand ID): PT_TDVPR in the PAMT, its owner's
 * TDR loaded (the TD's key configured) and the TDVPS page read under the
 * HKID (tdx_vp.c); tdx_tdvps_store writes it back. */
uint64_t tdx_tdvpr_get(struct tdx *t, unsigned lp, uint64_t tdvpr, uint64_t op, struct tdx_tdr *d,
		       struct tdx_tdvps *vp, uint64_t *cycles);
void tdx_tdvps_store(struct tdx *t, unsigned lp, const struct tdx_tdr *d, uint64_t tdvpr,
		     const struct tdx_tdvps *vp, uint64_t *cycles);
/* check_lock_and_map_explicit_tdr: an HPA with no KeyID bits, 4 KB
 * aligned, in the TDMR, whose PAMT entry is PT_TDR; then the TDR loaded.
 * Returns the status (operand `op` on failure). */
uint64_t tdx_tdr_get(struct tdx *t, unsigned lp, uint64_t tdr, uint64_t op, struct tdx_tdr *d,
		     uint64_t *cycles);
/* The HPA checks of an operand page (shared_hpa_check and the TDMR bound):
 * TDX_OPERAND_INVALID or TDX_OPERAND_ADDR_RANGE_ERROR with `op`, or 0. */
uint64_t tdx_hpa_check(const struct tdx *t, uint64_t hpa, uint64_t op);
/* A control-structure page handed to a TD (TDCX, TDVPR): the HPA checks
 * and PAMT_PT_NDA -> `type` owned by `owner` (status with operand `op`),
 * then zeroed with direct writes under `keyid`. */
uint64_t tdx_page_take(struct tdx *t, unsigned lp, uint64_t page, uint64_t op,
		       enum pamt_page_type type, uint64_t owner, unsigned keyid, uint64_t *cycles);
/* The TD's Secure EPT environment for sept.c's leaves. */
struct tdx_sept_ctx {
	struct tdx_io io_ctx, pamt_ctx;
	struct sept_config cfg;
	struct sept_io io;
	struct pamt_io pio;
	struct sept_td td;
	struct sept_env env;
};
void tdx_sept_ctx(struct tdx *t, unsigned lp, uint64_t tdr, const struct tdx_tdr *d,
		  const struct tdx_tdcs *c, uint64_t *cycles, struct tdx_sept_ctx *x);

/* --- measurement (tdx_mng.c) --- */
/* MRTD += one 128-byte block: the leaf's name and the GPA (the module's
 * sha384_128B_block_t), then `data` blocks if any. */
void tdx_mrtd_extend(struct tdx_tdcs *c, const char *api, uint64_t gpa, const uint8_t *data,
		     size_t nblocks);

/* --- TD entry (tdx_vp.c) and TDCALLs (tdx_tdcall.c) --- */
/* What ccsim's own calls (tdx_abi.h TDX_SIM_*) do. */
/* The shared EPT root a vCPU's GPA.SHARED accesses walk (TD VMCS field
 * SHARED_EPTP, written by the host with TDH.VP.WR): 0, or -EINVAL if tdvpr
 * is not a TDVPR page. */
int tdx_vp_set_shared_eptp(struct tdx *t, uint64_t tdvpr, uint64_t eptp);
/* What the host sets up on logical processor `lp` before its next
 * TDH.VP.ENTER, which consumes it: an APIC timer that interrupts the TD
 * `timer_cycles` into its execution (0: only the host's scheduler tick),
 * as SGX-Step and TDXDown arm it, and the core clock in MHz it has set
 * with cpufreq (0: platform.freq_mhz), which only the TSC ratio the
 * module's single-step heuristic reads depends on (tdx_step.h). */
void tdx_lp_arm(struct tdx *t, unsigned lp, uint64_t timer_cycles, uint64_t mhz);
/* The vCPU's posted-interrupt descriptor (TD VMCS POSTED_INT_DESC_ADDR,
 * written by the host with TDH.VP.WR; SDM vol. 3C 30.6): a 64-byte host
 * page whose PIR bits the host sets, with ON, to post interrupts; the
 * processor moves them into the vCPU's virtual interrupt state at its
 * next TD entry. 0, or -EINVAL if tdvpr is not a TDVPR page. */
int tdx_vp_set_pid(struct tdx *t, uint64_t tdvpr, uint64_t pid);
/* Arm (at > 0) or disarm (0) the host's timer on logical processor lp. */
void tdx_lp_set_timer(struct tdx *t, unsigned lp, uint64_t at);
/* A scenario's vm actor as a vCPU of a TD (the TDVPR of TDH.VP.CREATE,
 * initialised): the regime TDH.VP.ENTER runs it in on LP lp, so its
 * accesses are the TD's own (GPA through the Secure EPT or, with
 * GPA.SHARED, the shared EPT; the HKID). 0, or -EINVAL if tdvpr is not a
 * TDVPR page of a TD with its key configured. */
int tdx_vp_regime(struct tdx *t, uint64_t tdvpr, unsigned lp, struct ccsim_guest_regime *g);
/* TDG.MEM.PAGE.ACCEPT of the 4 KB page at gpa by a vCPU of the TD whose
 * TDR is tdr, for a vm actor that runs outside TDH.VP.ENTER: the
 * TDCALL's status, TDX_SIM_TD_EXIT_EPT_VIOLATION if nothing is pending
 * there (the host has not AUGed it). */
uint64_t tdx_td_accept(struct tdx *t, unsigned lp, uint64_t tdr, uint64_t gpa, uint64_t *cycles);
/* The TD entry and exit counters, through the monitor interface's emit. */
void tdx_vp_stats(struct tdx *t, ccsim_stat_fn *emit, void *ctx);
/* What a TDCALL leaves the vCPU loop to do. */
enum tdcall_next { TDCALL_RESUME, TDCALL_EXIT_VMCALL, TDCALL_EXIT_EPT };
struct tdcall_ctx {
	struct tdx *t;
	unsigned lp;
	uint64_t tdr, tdvpr;
	struct tdx_tdr *d;
	struct tdx_tdcs *c;
	struct tdx_tdvps *vp;
	struct vcpu_state *v;
	uint64_t exit_gpa;        /* TDCALL_EXIT_EPT: the GPA the host must map */
	const struct ccsim_guest_regime *g; /* how the vCPU runs (guest_run) */
};
enum tdcall_next tdx_tdcall(struct tdcall_ctx *x, uint64_t *cycles);
/* A GPA of the TD's private memory read or written by the module for a
 * TDCALL (its Secure EPT walked, under the HKID): 0, or the SEPT fault. */
enum sept_fault tdx_td_private_rw(struct tdcall_ctx *x, uint64_t gpa, void *buf, size_t len,
				  bool write, uint64_t *cycles);
/* TDG.MEM.PAGE.ACCEPT's work (tdg_mem_page_accept.c): the PENDING page at
 * gpa / level mapped and zeroed under the HKID; its status, or
 * TDX_SIM_TD_EXIT_EPT_VIOLATION when the host must map it first. */
uint64_t tdx_accept(struct tdx *t, unsigned lp, uint64_t tdr, const struct tdx_tdr *d,
		    const struct tdx_tdcs *c, uint64_t gpa, unsigned level, uint64_t *cycles);
/* TDREPORT_STRUCT for the TD (tdx_mng.c). */
void tdx_report_build(struct tdx *t, const struct tdx_tdcs *c, const uint8_t reportdata[64],
		      uint8_t out[TDREPORT_SIZE]);

/* --- handlers --- */
#define TDX_HANDLER(name) \
	void name(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cycles)
TDX_HANDLER(tdh_mng_create);
TDX_HANDLER(tdh_mng_key_config);
TDX_HANDLER(tdh_mng_addcx);
TDX_HANDLER(tdh_mng_init);
TDX_HANDLER(tdh_mr_extend);
TDX_HANDLER(tdh_mr_finalize);
TDX_HANDLER(tdh_mng_vpflushdone);
TDX_HANDLER(tdh_mng_key_freeid);
TDX_HANDLER(tdh_phymem_cache_wb);
TDX_HANDLER(tdh_phymem_page_reclaim);
TDX_HANDLER(tdh_phymem_page_wbinvd);
TDX_HANDLER(tdh_phymem_page_rdmd);
TDX_HANDLER(tdh_mem_sept_add);
TDX_HANDLER(tdh_mem_page_add);
TDX_HANDLER(tdh_mem_page_aug);
TDX_HANDLER(tdh_mem_range_block);
TDX_HANDLER(tdh_mem_range_unblock);
TDX_HANDLER(tdh_mem_track);
TDX_HANDLER(tdh_mem_page_remove);
TDX_HANDLER(tdh_mem_sept_remove);
TDX_HANDLER(tdh_vp_create);
TDX_HANDLER(tdh_vp_addcx);
TDX_HANDLER(tdh_vp_init);
TDX_HANDLER(tdh_vp_flush);
TDX_HANDLER(tdh_vp_enter);
TDX_HANDLER(tdh_vp_rd);
TDX_HANDLER(tdh_vp_wr);

#endif
