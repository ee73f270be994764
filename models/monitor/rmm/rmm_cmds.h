/* The RMM's interfaces as tables: each RMI command (B3.3) and RSI command
 * (B4.3) of Arm DEN0137 1.0-rel0 with its name, arguments, results and
 * cost, what scenarios, the trace decoder and the platform's messages name
 * calls by. The handlers behind them are the RMM's (rmm.h). */
#ifndef CCSIM_RMM_CMDS_H
#define CCSIM_RMM_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/monitor/rmm/rmm_abi.h"

struct rmm;

/* An RMI call's registers: X0..X7 (SMCCC), as the monitor interface carries them. */
#define RMI_REGS CCSIM_MONITOR_REGS

struct rmm_cmd {
	uint64_t fid;
	const char *name;  /* "granule_delegate", as scenarios spell it */
	unsigned arity;    /* input registers after X0 */
	const char *args[6]; /* their names, as the spec's interface tables give them */
	void (*handler)(struct rmm *r, uint64_t regs[RMI_REGS], uint64_t *cycles);
	uint64_t cost;     /* fixed cycles of the handler itself, on top of its memory traffic */
	unsigned results;  /* output registers X0..X(results-1), as its interface table lists */
};

#define RMM_NCMDS 26

/* RSI calls use X0..X10 (RSI_MEASUREMENT_EXTEND: index, size, value_0..7),
 * more than the RMI_REGS an RMI call from the host carries: the REC run
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

bool rmm_owns_fid(uint64_t fid);
/* Command table lookups (for scenarios and --help): NULL if unknown. */
const struct rmm_cmd *rmm_cmd_by_name(const char *name);
const struct rmm_cmd *rmm_cmd_by_fid(uint64_t fid);
/* Every implemented command, in FID order; returns the count. */
size_t rmm_cmds(const struct rmm_cmd **out);
/* RmiRecExitReason (B3.4.x) by name: sync, irq, fiq, psci, ripas_change,
 * host_call, serror ("?" past the last). */
const char *rmi_exit_reason_name(unsigned reason);
const char *rmi_status_name(uint64_t x0);
const struct rsi_cmd *rsi_cmd_by_fid(uint64_t fid);
const struct rsi_cmd *rsi_cmd_by_name(const char *name);
size_t rsi_cmds(const struct rsi_cmd **out);
const char *rsi_status_name(uint64_t x0);

#endif
