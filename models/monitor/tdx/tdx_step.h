/* The TDX module's single-step defence: on every interruption-type TD exit
 * (an external interrupt, NMI, SMI, INIT, MTF) the module judges whether
 * the TD made progress since TDH.VP.ENTER; if not, it suspects an
 * APIC-timer single-stepping host and enters a prevention mode that
 * single-steps a random 1..32 instructions itself (monitor trap flag,
 * interrupts blocked by TPR = 15) before the host sees the exit.
 *
 * Sources: intel/tdx-module src/td_transitions/td_exit_stepping.c
 * vmexit_stepping_filter, in two versions the profile key
 * tdx.step_heuristic selects:
 *   v1.5   TDX module 1.5.01 (tag TDX_1.5.01): progress is RIP more than
 *          INTEL64_MAX_INST_LEN * 2 = 32 bytes from the entry's, or more
 *          than STEPPING_TSC_THRESHOLD = 4096 TSC ticks between the TSC
 *          read before the entry (tdh_vp_enter.c) and the one after the
 *          exit (tdx_td_dispatcher.c). The TSC runs at a constant rate
 *          whatever the core's clock, which TDXDown (Wilke, Sieck,
 *          Eisenbarth, CCS 2024, §4.1) exploits: a core clocked down to
 *          800 MHz spends over 4096 ticks entering, running one
 *          instruction and exiting, so the host single-steps unhindered.
 *   fixed  module 1.5.06 and later (Intel's fix for CVE-2024-27457,
 *          security announcement 2024-10-08-001): unless the TD uses
 *          PERFMON (ATTRIBUTES bit 63), progress is IA32_FIXED_CTR0
 *          (instructions retired since the entry) above 1, or none
 *          retired but RCX down by more than 1 (a REP string instruction
 *          advancing); time no longer counts. With PERFMON the v1.5 test
 *          stays.
 * The prevention mode is the same in both (num_inst_step =
 * (lfsr_get_random() & 0x1F) + 1, helpers.c's 32-bit Galois LFSR with
 * POLY_MASK_32 0xB4BCD35C). It ends early on a non-interruption exit (a
 * TDCALL, an EPT violation); once it has stepped its count the module
 * re-enters the TD to deliver the blocked interrupt, which exits at once
 * and is not judged again (last_entry_tsc = 0, or FIXED_CTR0 = 2). So the
 * host sees one exit after 2..33 instructions instead of after one.
 *
 * Not modelled: the zero-step (EPT violation) filter of the same file, and
 * the timing of the cache traces StumbleStepping (TDXDown §5) reads. */
#ifndef CCSIM_TDX_STEP_H
#define CCSIM_TDX_STEP_H

#include <stdbool.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"

struct tdx;
struct sim_buf;
struct sim_reader;

/* tdx.step_heuristic, in the profile's name order */
enum tdx_step_mode { TDX_STEP_OFF = 0, TDX_STEP_V15, TDX_STEP_FIXED };

struct tdx_step_cfg {
	enum tdx_step_mode mode;
	uint64_t rip_bytes;     /* v1.5: INTEL64_MAX_INST_LEN * 2 */
	uint64_t tsc_threshold; /* STEPPING_TSC_THRESHOLD */
	uint64_t insns;         /* fixed: retired instructions that prove progress */
	uint64_t pm_max;        /* prevention steps: (LFSR & (pm_max - 1)) + 1 */
};

/* What the module sees at an interruption-type exit. */
struct tdx_step_obs {
	uint64_t rip_delta;  /* |RIP now - RIP at the entry| (vcpu_rip_delta) */
	uint64_t tsc_delta;  /* TSC ticks since the entry's read (vcpu_tsc_delta) */
	uint64_t insns;      /* instructions retired since the entry (FIXED_CTR0) */
	uint64_t rcx_delta;  /* RCX at the entry - RCX now, modulo 2^64 */
	bool perfmon;        /* the TD uses PERFMON: the fixed module keeps the v1.5 test */
};

/* The heuristic itself, a pure function: true if the exit shows progress
 * (FILTER_OK_CONTINUE: the host sees it), false if the module suspects
 * single-stepping and enters the prevention mode. Always true when off. */
bool tdx_step_progress(const struct tdx_step_cfg *cfg, const struct tdx_step_obs *o);

/* The module's LFSR step (helpers.c lfsr_get_random); never returns 0 for
 * a non-zero state. */
uint32_t tdx_step_lfsr_next(uint32_t v);

/* The module's per-LP stepping state (tdx_module_local_t.single_step_def_state,
 * saved with the module's state) and what the host set for
 * the LP's next TD entry. */
struct tdx_step_lp {
	uint32_t lfsr;          /* seeded per LP (RDRAND on hardware; the run's seed here) */
	/* transient, set by tdx_lp_arm and consumed by the next TDH.VP.ENTER */
	uint64_t armed_timer;   /* cycles into the TD at which the host's timer fires; 0 none */
	uint64_t armed_mhz;     /* the core clock the host set; 0: platform.freq_mhz */
	/* the current entry (rip, rcx and instructions at TDH.VP.ENTER) */
	uint64_t entry_rip, entry_rcx, entry_insns, timer, mhz;
};

#define TDX_STEP_MAX_LPS 16u

struct tdx_step {
	struct tdx_step_cfg cfg;
	uint64_t tsc_mhz, span_cycles, freq_mhz;
	uint64_t seed;
	/* the module's trace (its services: monitor.h) */
	const struct ccsim_monitor_services *svc;
	void *host;
	int tr_step;
	struct tdx_step_lp lp[TDX_STEP_MAX_LPS];
	uint64_t stat_judged, stat_prevented, stat_pm_insns;
};

/* The module's defence, from its profile keys (NULL with a message if one
 * is missing);
 * its power-on state; its state in the module's checkpoint blob (the LFSRs
 * and counters); its counters. */
struct tdx_step *tdx_step_create(struct tdx *t, char *err, size_t errlen);
void tdx_step_reset(struct tdx_step *st);
void tdx_step_save(const struct tdx_step *st, struct sim_buf *out);
int tdx_step_restore(struct tdx_step *st, struct sim_reader *in);
void tdx_step_stats(struct tdx_step *st, ccsim_stat_fn *emit, void *ctx);

/* TDH.VP.ENTER on `lp`: note the vCPU's RIP, RCX and retired count, and
 * take the timer and clock the host armed (td_entry_stepping_filter). */
void tdx_step_enter(struct tdx_step *st, unsigned lp, uint64_t rip, uint64_t rcx, uint64_t insns);
/* Cycles into the TD after which an interrupt exits it: the host's armed
 * timer, or its scheduler tick `slice`, whichever comes first. */
uint64_t tdx_step_deadline(const struct tdx_step *st, unsigned lp, uint64_t slice);
/* An interruption-type exit `td_cycles` after the TD started: 0 to hand it
 * to the host, else how many instructions the prevention mode single-steps
 * first (vmexit_stepping_filter). Traced and counted. */
unsigned tdx_step_on_interrupt(struct tdx_step *st, unsigned lp, uint64_t rip, uint64_t rcx,
			       uint64_t insns, bool perfmon, uint64_t td_cycles);

#endif
