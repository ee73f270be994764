/* The Intel TDX module: the SEAM-mode monitor that builds, runs and tears
 * down trust domains for the host. SEAMCALL leaves are dispatched from a
 * table (leaf -> name, arity, handler, cost); TDCALL leaves from another,
 * while TDH.VP.ENTER runs a TD vCPU on the module's logical processor.
 *
 * What the module keeps where, as the real one does (intel/tdx-module
 * src/common/data_structures): its global state (system init state, the
 * Key Ownership Table) here, saved with the simulation; the PAMT in memory
 * under its global private KeyID; each TD's TDR page under the global
 * KeyID and its TDCS, TDVPS and Secure EPT pages under the TD's private
 * KeyID (HKID), so a physical attacker sees what hardware would.
 *
 * The platform, the host personality and the scenario steps reach the
 * module only through its slot (tdx_mon.c: SEAMCALLs and ccsim's own calls
 * as registers, tdx_abi.h); what they use of this header is the ABI's
 * vocabulary: the leaf tables (names as scenarios spell them:
 * "mng.create", "mem.page.add", ...), status and exit-reason names, the
 * KeyID split and TDREPORT. The rest is the module's own, for tdx_mon.c
 * and the module's unit tests: tdx_seamcall (one SEAMCALL from a logical
 * processor, regs by GPR number), tdx_td_info (a TD's state and
 * measurements). Intel TDX Module v1.5 ABI Specification; leaf and status
 * numbers in tdx_abi.h. */
#ifndef CCSIM_TDX_TDX_H
#define CCSIM_TDX_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/mmu/pamt.h"
#include "models/monitor/tdx/tdx_abi.h"

struct tdx;
struct sim_buf;
struct sim_reader;


/* What the module reads of the platform when it is created (profile keys,
 * the run's seed). */
struct tdx_cfg {
	uint64_t pa_bits, keyid_bits, private_keyids, cores;
	uint64_t seamcall_cycles, tdcall_cycles, td_entry_cycles, td_exit_cycles, tlbi_cycles;
	uint64_t host_slice_cycles, alias_check, seed;
};

struct tdx {
	/* The machine as the monitor interface's services give it (its slot's
	 * table and host): memory by KeyID and LP, key programming, cache and
	 * TLB maintenance, TD vCPUs run on an LP, time and trace. */
	const struct ccsim_monitor_services *svc;
	void *host;
	struct tdx_cfg cfg;
	int tr_note, tr_mon_call, tr_mon_ret, tr_rec_enter, tr_rec_exit, tr_guest_call, tr_guest_ret;
	uint16_t src;
	struct pamt_config pamt;    /* the TDMR and its PAMT arrays (from the profile) */
	unsigned keyids;            /* 2^keyid_bits */
	unsigned first_private;     /* first TDX private KeyID */
	/* global state (the module's global data, in SEAMRR on hardware) */
	uint64_t sys_state;         /* enum tdx_sys_state */
	uint64_t lp_init;           /* bitmap of LPs that ran TDH.SYS.LP.INIT */
	uint64_t global_keyid;      /* from TDH.SYS.CONFIG */
	uint64_t tdmr_next;         /* next byte of the TDMR whose PAMT TDH.SYS.TDMR.INIT sets */
	uint8_t *kot;               /* enum tdx_kot_state per KeyID */
	uint8_t *kot_wb;            /* TDH.PHYMEM.CACHE.WB still owed for this HKID */
	uint64_t fault;             /* a memory access of the current leaf failed */
	uint64_t mce;               /* ... by consuming poison: a machine check in SEAM */
	struct tdx_step *step;      /* the single-step defence (tdx_step.c), its own model */
	uint64_t stat_calls[TDX_NLEAVES], stat_errors[TDX_NLEAVES], stat_cycles[TDX_NLEAVES];
	uint64_t stat_tdcalls[TDX_NTDCALLS], stat_tdcall_errors[TDX_NTDCALLS];
	uint64_t stat_td_entries, stat_td_exits, stat_td_cycles, stat_td_insns, stat_ve;
	/* The host's timer on each LP (its LAPIC timer, absolute cycle; 0: none),
	 * armed by the host before TDH.VP.ENTER: its interrupt ends the entry
	 * with an external-interrupt exit. The host's, not the module's: not
	 * saved with it, set by the host's TDX_SIM_LP_TIMER call. */
	uint64_t lp_timer[TDX_MAX_LPS];
};

/* Has a machine check in SEAM root mode disabled TDX? Then no SEAMCALL
 * reaches the module and no TD runs. */
static inline bool tdx_disabled(const struct tdx *t) { return t->sys_state == TDX_SYS_DISABLED; }

/* NULL, with a message in err, unless the machine's profile has arch =
 * tdx. The platform reaches the module through its slot (tdx_monitor_ops,
 * models/monitor/builtin.h), which creates it with its services. */
struct tdx *tdx_create(const struct ccsim_monitor_services *svc, void *host, char *err,
		       size_t errlen);
void tdx_destroy(struct tdx *t);
/* Power-on state: every KeyID free. */
void tdx_reset(struct tdx *t);
/* The checkpoint blob: the global state and counters, the KOT, then the
 * single-step defence's LFSRs and counters (not in blobs of state version
 * 1: with_step false). */
void tdx_save(const struct tdx *t, struct sim_buf *out);
int tdx_restore(struct tdx *t, struct sim_reader *in, bool with_step);
/* Each counter by its full name ("tdx.mng.create.calls"). */
void tdx_stats(struct tdx *t, ccsim_stat_fn *emit, void *ctx);
/* One SEAMCALL from logical processor `lp` (a core of the machine):
 * regs[TDX_RAX] holds the leaf on entry and the completion status on exit;
 * the other registers are the leaf's inputs and outputs. An unknown leaf
 * gets TDX_OPERAND_INVALID (operand RAX). *cycles gets the call's cost. */
void tdx_seamcall(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cycles);
/* How many logical processors can execute SEAMCALL: the machine's cores. */
unsigned tdx_lps(const struct tdx *t);


/* KeyID helpers: the profile's split (ABI "Physical Memory"; Linux
 * tdx_get_keyid_range). An HPA operand names its KeyID in the top
 * keyid_bits of mem.pa_bits. */
bool tdx_keyid_is_private(const struct tdx *t, uint64_t keyid);
uint64_t tdx_pa_keyid(const struct tdx *t, uint64_t hpa);
uint64_t tdx_pa_strip(const struct tdx *t, uint64_t hpa);
uint64_t tdx_pa_with_keyid(const struct tdx *t, uint64_t pa, uint64_t keyid);

/* A TD as its control structures say, read without side effects. */
struct tdx_td_info {
	unsigned lifecycle;   /* enum tdx_lifecycle */
	unsigned op_state;    /* enum tdx_op_state (UNINITIALIZED before MNG.INIT) */
	uint64_t hkid;
	uint64_t chldcnt;     /* pages the TD owns besides its TDR */
	uint64_t td_epoch;
	uint64_t num_vcpus;
	uint64_t attributes;
	uint8_t mrtd[48];     /* zeros until TDH.MR.FINALIZE */
	uint8_t rtmr[4][48];
};
/* 0, or -EINVAL if tdr is not a TDR page. */
int tdx_td_info(struct tdx *t, uint64_t tdr, struct tdx_td_info *out);
/* The invariant between steps (tdx_inv.c): the PAMT and every TD's Secure
 * EPT agree -- each page a TD's Secure EPT maps (or uses as a table) is its
 * private page (EPT page) in the PAMT, mapped once, and each private page
 * the PAMT gives a TD is mapped by it. Read by peeking. 0, or 1 with the
 * disagreement in msg. */
int tdx_inv_check(struct tdx *t, char *msg, size_t len);
/* Whether the PAMT holds the page as PT_NDA (the host may hand it to the
 * module), read by peeking: the host's own record of its pages. */
bool tdx_page_free(struct tdx *t, uint64_t pa);
/* Is vector vec still waiting for the TD vCPU at tdvpr: posted in its
 * descriptor and not yet processed, or pending in its virtual APIC? The
 * simulator's view for a run's outcome (tdx_inv.c: peeks, no cycles, no
 * cache effect); no host can ask this. */
bool tdx_vp_virq_waiting(struct tdx *t, uint64_t tdvpr, uint32_t vec);
/* What the module has done so far (leaves, TDCALLs, TD entries): the
 * invariant is checked again only when it moved. */
uint64_t tdx_activity(const struct tdx *t);

#endif
