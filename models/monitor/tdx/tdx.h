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
#include "models/cpu/cpu.h"
#include "models/mmu/pamt.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "sim/sim.h"

struct tdx;
struct sim_buf;
struct sim_reader;

/* General-purpose registers by x86 encoding: what SEAMCALL and TDCALL pass
 * (and what a TD guest's x0..x15 stand for). */
enum tdx_gpr {
	TDX_RAX = 0, TDX_RCX = 1, TDX_RDX = 2, TDX_RBX = 3, TDX_RSP = 4, TDX_RBP = 5,
	TDX_RSI = 6, TDX_RDI = 7, TDX_R8 = 8, TDX_R9 = 9, TDX_R10 = 10, TDX_R11 = 11,
	TDX_R12 = 12, TDX_R13 = 13, TDX_R14 = 14, TDX_R15 = 15, TDX_NREGS = 16,
};

struct tdx_leaf {
	uint64_t leaf;
	const char *name;    /* "mng.create": the ABI name after "TDH.", lower case */
	unsigned arity;      /* input registers after RAX */
	const char *args[5]; /* their names, as the ABI's input tables give them */
	void (*handler)(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cycles);
	uint64_t cost;       /* fixed cycles of the leaf itself, on top of its memory traffic */
};

/* A TDCALL's input registers after RAX, in the order a TD guest's call
 * op passes them (stacks/guest: td_tdcall_op). */
#define TDCALL_ARG_REGS 10   /* RCX, RDX, R8, R9, R10..R15 */

struct tdcall_leaf {
	uint64_t leaf;
	const char *name;    /* "mr.report": the ABI name after "TDG.", lower case */
	uint64_t cost;
	/* the inputs the leaf reads, named as scenarios name them, by
	 * register: RCX, RDX, R8, R9, R10..R15 (NULL: not an input) */
	const char *args[TDCALL_ARG_REGS];
};

#define TDX_NLEAVES 32
#define TDX_NTDCALLS 9

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
/* A SEAMCALL's GPRs as the monitor interface's registers (tdx_abi.h, enum
 * tdx_mon_reg), from logical processor lp, and back. */
static inline void tdx_regs_to_mon(const uint64_t gpr[TDX_NREGS], uint64_t lp,
				   uint64_t out[CCSIM_MONITOR_REGS])
{
	static const uint8_t map[TDX_MON_LP] = { TDX_RAX, TDX_RCX, TDX_RDX, TDX_R8,
						 TDX_R9, TDX_R10, TDX_R11 };
	for (unsigned i = 0; i < TDX_MON_LP; i++)
		out[i] = gpr[map[i]];
	out[TDX_MON_LP] = lp;
}
static inline void tdx_regs_from_mon(const uint64_t in[CCSIM_MONITOR_REGS],
				     uint64_t gpr[TDX_NREGS])
{
	static const uint8_t map[TDX_MON_LP] = { TDX_RAX, TDX_RCX, TDX_RDX, TDX_R8,
						 TDX_R9, TDX_R10, TDX_R11 };
	for (unsigned i = 0; i < TDX_MON_LP; i++)
		gpr[map[i]] = in[i];
}
/* How many logical processors can execute SEAMCALL: the machine's cores. */
unsigned tdx_lps(const struct tdx *t);
const struct tdx_leaf *tdx_leaf_by_name(const char *name);
const struct tdx_leaf *tdx_leaf_by_number(uint64_t leaf);
size_t tdx_leaves(const struct tdx_leaf **out);
const struct tdcall_leaf *tdcall_leaf_by_number(uint64_t leaf);
const struct tdcall_leaf *tdcall_leaf_by_name(const char *name);
size_t tdcall_leaves(const struct tdcall_leaf **out);
/* A TD exit's VMX basic exit reason (RAX[15:0]) by name: "external_interrupt",
 * "cpuid", "hlt", "io", "rdmsr", "wrmsr", "ept_violation", "tdcall"; NULL for
 * the others. */
const char *tdx_exit_reason_name(unsigned basic);
/* "tdx.success", "tdx.operand_invalid", ... (the class, without operand). */
const char *tdx_status_name(uint64_t status);
/* Whether a scenario's status name ("tdx.operand_busy") is one of them. */
bool tdx_status_known(const char *name);

/* A TD's measurements as TDINFO_STRUCT reports them. */
struct tdx_td_measurements {
	uint64_t attributes, xfam;
	uint8_t mrtd[48], mrconfigid[48], mrowner[48], mrownerconfig[48];
	uint8_t rtmr[4][48];
};
/* TDREPORT_STRUCT (tdx_report.c) as TDG.MR.REPORT builds it, MACed with
 * the platform key of `seed`. */
void tdx_tdreport_make(uint64_t seed, const struct tdx_td_measurements *m,
		       const uint8_t reportdata[64], uint8_t out[TDREPORT_SIZE]);
/* What the quoting enclave checks of a TDREPORT before it signs: TYPE
 * 0x81, the MAC under the platform key of `seed` (EVERIFYREPORT2), the
 * TEE_TCB_INFO and TDINFO hashes. 0, or -1 with *why. */
int tdx_tdreport_verify(uint64_t seed, const uint8_t r[TDREPORT_SIZE], const char **why);

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
#define TDX_PID_ON_BYTE 32 /* PID byte holding ON (bit 0), after the 256 PIR bits */

#endif
