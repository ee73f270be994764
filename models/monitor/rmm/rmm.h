/* The Realm Management Monitor: RMI commands dispatched from a table (id ->
 * name, arity, handler, cost), granule state tracking, and the EL3 calls that
 * change the GPT. Behaviour follows Arm DEN0137 1.0-rel0, and on a machine
 * with FEAT_MEC (mec.enabled) 1.1-alp12's memory encryption contexts
 * (rmm_mec.c); where the spec leaves an order open, the order chosen is
 * documented at the handler.
 *
 * It reaches the machine only through the monitor interface's services
 * (include/ccsim/monitor.h), and the platform reaches it only through its
 * ops table (rmm_monitor_ops, rmm_mon.c): the same sources build the
 * built-in RMM and the example plug-in (models/monitor/rmm/plugin/). */
#ifndef CCSIM_RMM_RMM_H
#define CCSIM_RMM_RMM_H

#include <stdbool.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/mmu/pas.h"

struct rmm;

/* The trace record types it emits (ccsim_monitor_services.trace_type). */
struct rmm_trace_types {
	int note, rec_enter, rec_exit, virq_inject, guest_sea, guest_call, guest_ret;
};

struct rmm {
	const struct ccsim_monitor_services *svc;
	void *host;
	/* the profile keys it reads when created */
	uint64_t deleg_base, deleg_size; /* gpc.delegable_base / size: granules it may track */
	uint64_t pa_bits;
	uint64_t seed;                   /* sim.seed: its attestation keys derive from it */
	uint64_t rec_entry_cycles, rec_exit_cycles, host_slice_cycles;
	uint64_t timer_inject_cycles, emulate_cycles;
	bool timer_rmm;                  /* rmm.timer = rmm */
	struct rmm_trace_types tr;
	uint64_t ngranules;       /* granules in the delegable range */
	uint8_t *state;           /* enum rmm_granule_state per granule */
	uint64_t stat_calls[RMM_NCMDS];
	uint64_t stat_errors[RMM_NCMDS];
	uint64_t stat_cycles[RMM_NCMDS];
	uint64_t stat_scrubbed;   /* granules zeroed */
	uint64_t panicked;        /* the RMM took a fault of its own: it answers nothing more */
	uint8_t vmid_used[65536 / 8]; /* VMIDs of live realms (16-bit VMIDs) */
	/* Memory encryption contexts (FEAT_MEC, DEN0137 1.1-alp12): on a
	 * profile with mec.enabled. The host names MECIDs 0..max_mecid; the
	 * PE carries host MECID + 1, MECID 0 being the RMM's own (TF-RMM
	 * RESERVED_MECID_SYSTEM, INTERNAL_MECID). */
	bool mec;
	uint64_t max_mecid;       /* RmiFeatureRegister1.MAX_MECID */
	uint8_t *mec_state;       /* enum rmm_mec_state per host MECID */
	uint64_t mec_members;     /* realms in the shared MEC */
	/* MECID_A1_EL2: the MECID of the RMM's mappings of the realm it works
	 * on (its RTTs and data), set when it loads that realm's RD (TF-RMM
	 * mec_realm_mecid_s1_init); 0 between calls. RD, REC and auxiliary
	 * granules are the RMM's own: the default MECID. */
	uint32_t alt_mecid;
	uint64_t stat_mec_refreshes; /* MECID keys EL3 refreshed at the RMM's request */
	uint64_t stat_rsi_calls[RSI_NCMDS];
	uint64_t stat_rsi_errors[RSI_NCMDS];
	uint64_t stat_rsi_cycles[RSI_NCMDS];
	uint64_t stat_rsi_unknown; /* RSI-range or stray FIDs answered SMC_UNKNOWN */
	/* the REC run loop (rmm_rec.c); the PE itself is the platform's */
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
	 * aborted_status for the invariant checks (CCSIM_QUERY_ABORTED).
	 * Transient: not part of a checkpoint, judged within the step that
	 * made it. */
	uint64_t changes;
	uint64_t aborted_fid, aborted_status;
};

/* A new RMM on the machine the services reach; NULL with a message if the
 * machine cannot host one (its granules are not 4 KB). */
struct rmm *rmm_create(const struct ccsim_monitor_services *svc, void *host, char *err,
		       size_t errlen);
void rmm_destroy(struct rmm *r);
void rmm_reset(struct rmm *r);
/* Its statistics through `emit` (ccsim_monitor_ops.stats). */
void rmm_stats(struct rmm *r, ccsim_stat_fn *emit, void *ctx);
/* Its state as one blob (ccsim_monitor_ops.save / restore): the counters
 * in the order of its field table, then the granule states and VMIDs, then
 * (version 6) the MEC states and the shared MEC's members; a version-5
 * blob restores with every MEC unassigned. */
#define RMM_STATE_VERSION 6
int rmm_save(const struct rmm *r, ccsim_write_fn *write, void *ctx);
int rmm_restore(struct rmm *r, uint32_t version, const void *blob, size_t len);
/* Handle one RMI call: regs[0] is the FID on entry and the return code on exit. */
void rmm_handle_rmi(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles);
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
