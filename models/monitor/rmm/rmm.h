/* The Realm Management Monitor: RMI commands dispatched from a table (id ->
 * name, arity, handler, cost), granule state tracking, and the EL3 calls that
 * change the GPT. Behaviour follows Arm DEN0137 1.0-rel0; where the spec
 * leaves an order open, the order chosen is documented at the handler. */
#ifndef CCSIM_RMM_RMM_H
#define CCSIM_RMM_RMM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cpu/cpu.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/platform/port.h"
#include "sim/sim.h"

struct machine;
struct rmm;

struct rmm_cmd {
	uint64_t fid;
	const char *name;  /* "granule_delegate", as scenarios spell it */
	unsigned arity;    /* input registers after X0 */
	const char *args[6]; /* their names, as the spec's interface tables give them */
	void (*handler)(struct rmm *r, uint64_t regs[SMC_REGS], uint64_t *cycles);
	uint64_t cost;     /* fixed cycles of the handler itself, on top of its memory traffic */
	unsigned results;  /* output registers X0..X(results-1), as its interface table lists */
};

#define RMM_NCMDS 26

/* RSI calls use X0..X10 (RSI_MEASUREMENT_EXTEND: index, size, value_0..7),
 * more than the SMC_REGS an RMI call from the host carries: the REC run
 * loop passes its REC's X0..X10. */
#define RSI_REGS 11
#define RSI_NCMDS 10

/* What the REC does after an RSI call (rmm_handle_rsi). */
enum rsi_next {
	RSI_RET_REALM = 0,         /* results are in regs: back to the realm */
	RSI_RET_EXIT_HOST_CALL,    /* REC exit HOST_CALL (A4.5): rmm_rsi_host_call_args */
	RSI_RET_EXIT_RIPAS_CHANGE, /* REC exit RIPAS_CHANGE (A5.4): request in the REC */
	RSI_RET_EXIT_PSCI,         /* a PSCI FID: regs untouched, the run loop owns PSCI */
	/* The call needs a Protected IPA with RIPAS RAM that has no DATA: a
	 * stage 2 data abort REC exit at the IPA in regs[0] (the RTT level in
	 * regs[1]); the realm's registers are untouched and the SMC is
	 * executed again on the next entry, once the host has mapped it. */
	RSI_RET_EXIT_S2_FAULT,
};

struct rsi_ctx;
struct rsi_cmd {
	uint64_t fid;
	const char *name;  /* "measurement_extend" */
	unsigned arity;    /* input registers after X0 */
	const char *args[10];
	unsigned results;  /* output registers X0..X(results-1) */
	enum rsi_next (*handler)(struct rmm *r, struct rsi_ctx *c, uint64_t regs[RSI_REGS],
				 uint64_t *cycles);
	uint64_t cost;     /* fixed cycles of the handler, on top of its memory traffic */
};

struct rmm {
	struct sim_model base;
	struct machine *m;
	uint16_t src;
	uint64_t ngranules;       /* granules in the delegable range */
	uint8_t *state;           /* enum rmm_granule_state per granule */
	uint64_t stat_calls[RMM_NCMDS];
	uint64_t stat_errors[RMM_NCMDS];
	uint64_t stat_cycles[RMM_NCMDS];
	uint64_t stat_scrubbed;   /* granules zeroed */
	uint64_t panicked;        /* the RMM took a fault of its own: it answers nothing more */
	uint8_t vmid_used[65536 / 8]; /* VMIDs of live realms (16-bit VMIDs) */
	uint64_t stat_rsi_calls[RSI_NCMDS];
	uint64_t stat_rsi_errors[RSI_NCMDS];
	uint64_t stat_rsi_cycles[RSI_NCMDS];
	uint64_t stat_rsi_unknown; /* RSI-range or stray FIDs answered SMC_UNKNOWN */
	/* the REC run loop (rmm_rec.c) */
	struct cpu pe;             /* the PE while it executes a REC (Realm EL1) */
	uint64_t stat_rec_entries;
	uint64_t stat_rec_exits[RMI_EXIT_COUNT];
	uint64_t stat_rec_cycles;  /* cycles the PE spent executing realm code */
	uint64_t stat_rec_insns;
	uint64_t stat_timer_injects; /* virtual timer interrupts the RMM injected itself */
	uint64_t stat_emulated;      /* trapped system register accesses it answered */
	uint64_t stat_sea_injects;   /* synchronous external aborts injected into realms */
	uint64_t stat_s2_tlbi;
	/* DEN0137 B1.6 RDDGDW / B1.9 RWZYBV: a command whose failure condition
	 * holds is aborted with no observable effect but X0. `changes` counts
	 * the RMM's state changes (granule states, VMIDs, its writes to memory);
	 * a failing command that moved it is recorded in aborted_fid /
	 * aborted_status for the invariant checks (machine_inv.c). Transient:
	 * not part of a checkpoint, judged within the step that made it. */
	uint64_t changes;
	uint64_t aborted_fid, aborted_status;
};

struct rmm *rmm_create(struct sim *s, struct machine *m);
bool rmm_owns_fid(uint64_t fid);
/* Handle one RMI call: regs[0] is the FID on entry and the return code on exit. */
void rmm_handle_rmi(struct rmm *r, uint64_t regs[SMC_REGS], uint64_t *cycles);
/* Command table lookups (for scenarios and --help): NULL if unknown. */
const struct rmm_cmd *rmm_cmd_by_name(const char *name);
const struct rmm_cmd *rmm_cmd_by_fid(uint64_t fid);
/* Every implemented command, in FID order; returns the count. */
size_t rmm_cmds(const struct rmm_cmd **out);
/* RmiRecExitReason (B3.4.x) by name: sync, irq, fiq, psci, ripas_change,
 * host_call, serror ("?" past the last). */
const char *rmi_exit_reason_name(unsigned reason);
const char *rmi_status_name(uint64_t x0);
/* Granule state of a PA, for tests and invariants; -1 outside the range. */
int rmm_granule_state(const struct rmm *r, uint64_t pa);
/* A realm's state (enum rmm_realm_state) and RIM (64 bytes; SHA-256 fills
 * the first 32), read from its RD: 0, or -EINVAL if rd is not an RD. */
int rmm_realm_info(struct rmm *r, uint64_t rd, int *state, uint8_t rim[64]);
/* Record a REC's pending RIPAS change request [base, top) -> ripas, as a
 * REC exit with RIPAS_CHANGE does (A5.4; RSI_IPA_STATE_SET's flags give
 * change_destroyed); RMI_REC_ENTER, when it lands, calls this. 0, or
 * -EINVAL if rec is not a REC. */
int rmm_rec_ripas_request(struct rmm *r, uint64_t rec, uint64_t base, uint64_t top,
			  unsigned ripas, bool change_destroyed);

/* --- RSI (rmm_rsi.c), DEN0137 1.0-rel0 B4 --- */

/* Handle one RSI call from REC `rec_pa` of realm `rd_pa` (the REC the run
 * loop is running: a REC of that RD, the RD ACTIVE): regs[0] = FID on entry,
 * results on exit. Unknown FIDs get SMC_UNKNOWN (-1) and RSI_RET_REALM. */
enum rsi_next rmm_handle_rsi(struct rmm *r, uint64_t rd_pa, uint64_t rec_pa,
			     uint64_t regs[RSI_REGS], uint64_t *cycles);
/* RSI calls realms have made so far, the unknown ones included (PSCI
 * leaves the RMM as a REC exit and is not among them). */
uint64_t rmm_realm_calls(const struct rmm *r);
const struct rsi_cmd *rsi_cmd_by_fid(uint64_t fid);
const struct rsi_cmd *rsi_cmd_by_name(const char *name);
size_t rsi_cmds(const struct rsi_cmd **out);
const char *rsi_status_name(uint64_t x0);

/* An RsiHostCall (B4.4.3) as the REC exit carries it (A4.5). */
struct rsi_host_call {
	uint16_t imm;
	uint64_t gprs[RSI_HOST_CALL_NR_GPRS];
};
/* After RSI_RET_EXIT_HOST_CALL: the structure the realm passed, read from
 * realm memory, for rec_exit.imm / gprs. 0, or -EINVAL if no host call is
 * pending on the REC (or its page is no longer mapped: *hc zeroed). */
int rmm_rsi_host_call_args(struct rmm *r, uint64_t rec_pa, struct rsi_host_call *hc,
			   uint64_t *cycles);
/* On the next REC entry: rec_entry.gprs[0..30] into the structure, X0 =
 * RSI_SUCCESS in regs (the REC's X0..), the call no longer pending. 0, or
 * -EINVAL if none was pending. */
int rmm_rsi_host_call_complete(struct rmm *r, uint64_t rec_pa,
			       const uint64_t gprs[RSI_HOST_CALL_NR_GPRS], uint64_t regs[RSI_REGS],
			       uint64_t *cycles);
/* After RSI_RET_EXIT_RIPAS_CHANGE, on the next REC entry: RSI_IPA_STATE_SET's
 * results (B4.3.6): X0 SUCCESS, X1 new_base = rec.ripas_addr (how far the
 * host's RMI_RTT_SET_RIPAS got), X2 RSI_REJECT only when the host asked to
 * reject a change to RAM it left unfinished, else RSI_ACCEPT. 0, or -EINVAL
 * if no RIPAS change was pending. */
int rmm_rsi_ripas_change_complete(struct rmm *r, uint64_t rec_pa, unsigned response,
				  uint64_t regs[RSI_REGS], uint64_t *cycles);

#endif
