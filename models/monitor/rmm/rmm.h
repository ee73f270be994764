/* The Realm Management Monitor: RMI commands dispatched from a table (id ->
 * name, arity, handler, cost), granule state tracking, and the EL3 calls that
 * change the GPT. Behaviour follows Arm DEN0137 1.0-rel0; where the spec
 * leaves an order open, the order chosen is documented at the handler. */
#ifndef CCSIM_RMM_RMM_H
#define CCSIM_RMM_RMM_H

#include <stdbool.h>
#include <stdint.h>

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
};

#define RMM_NCMDS 24

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

#endif
