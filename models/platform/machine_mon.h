/* A monitor slot of the machine: the one place the platform meets a trusted
 * monitor, built in or a plug-in, through the monitor interface
 * (include/ccsim/monitor.h). The slot implements the services the monitor
 * calls over the machine, is the monitor's model in the simulation (its
 * checkpoint record, its statistics), owns the PE it runs guest code on,
 * and, in the differential mode, runs a second monitor beside it
 * (mon_diff.c). docs/monitor-api.md describes it for plug-in writers. */
#ifndef CCSIM_PLATFORM_MACHINE_MON_H
#define CCSIM_PLATFORM_MACHINE_MON_H

#include <stdbool.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/cpu/cpu.h"
#include "sim/sim.h"

struct machine;
struct mon_diff;

struct machine_mon {
	struct sim_model base;   /* named as the monitor ("rmm"): its checkpoint record */
	struct machine *m;
	const struct ccsim_monitor_ops *ops;
	void *inst;
	void *dl;                /* a plug-in's library handle; NULL built in */
	char path[256];          /* a plug-in's path; "" built in */
	char name[32], pe_name[40];
	uint16_t src;            /* its trace source */
	uint8_t world, el;       /* the rights its accesses carry (enum cc_world) */
	bool has_pe;
	bool traces;             /* it asked for a trace type: it has a trace source */
	struct cpu pe;           /* the PE it runs guest code on (CCA: "rmm.pe") */
	uint64_t guest_insns;    /* what guest_run ran, for the host stacks' counters */
	uint64_t guest_cycles;
	struct mon_diff *diff;   /* --diff-monitor: the monitor beside it */
	/* a checkpoint of ccsim's checkpoint format 4 or older: its field
	 * values, until restore_extra joins them to the rest of the state */
	uint8_t *old_fields;
	size_t old_len;
	uint32_t old_version;
	bool old_pending;
};

/* Put a monitor of `kind` into *slot: the plug-in at `plugin` if not ""
 * (else `builtin`), and the one at `diff_plugin` beside it if not "". 0, or
 * -1 with a message naming the library and what is wrong with it. */
int machine_mon_attach(struct machine *m, struct machine_mon **slot, uint32_t kind,
		       const struct ccsim_monitor_ops *builtin, const char *plugin,
		       const char *diff_plugin, char *err, size_t errlen);

static inline bool machine_mon_owns(const struct machine_mon *mm, uint64_t fid)
{
	return mm->ops->owns_call(mm->inst, fid) != 0;
}
/* One call from the host (the machine has set call_t0). */
void machine_mon_call(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles);
/* A firmware command the host sends (SEV: regs[0] the command id): issued
 * now, its result in regs, the time the firmware took added to *cycles.
 * Never traced: the firmware's own accesses are. */
void machine_mon_command(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS],
			 uint64_t *cycles);
/* ... with a command buffer (`len` bytes at buf, read and written in
 * place: ops->call_buf; a monitor without it gets the registers alone). */
void machine_mon_command_buf(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS], void *buf,
			     size_t len, uint64_t *cycles);
/* A question for the monitor whose 8-byte answer is all the caller needs:
 * `dflt` if it has none. */
static inline uint64_t machine_mon_ask(const struct machine_mon *mm, uint32_t what, uint64_t arg,
				       uint64_t dflt);
/* The monitor's answer to one of the platform's questions (enum
 * ccsim_monitor_query): 0, or -1 if it has none. */
static inline int machine_mon_query(const struct machine_mon *mm, uint32_t what, uint64_t arg,
				    void *out, size_t len)
{
	return mm->ops->query ? mm->ops->query(mm->inst, what, arg, out, len) : -1;
}
static inline uint64_t machine_mon_ask(const struct machine_mon *mm, uint32_t what, uint64_t arg,
				       uint64_t dflt)
{
	uint64_t v = dflt;
	return mm && machine_mon_query(mm, what, arg, &v, sizeof(v)) == 0 ? v : dflt;
}
/* The PE the monitor runs guest code on, NULL if it has none. */
static inline struct cpu *machine_mon_pe(struct machine_mon *mm)
{
	return mm && mm->has_pe ? &mm->pe : NULL;
}
/* The monitor instance itself, for the built-in monitor's own unit tests. */
static inline void *machine_mon_instance(const struct machine_mon *mm)
{
	return mm->inst;
}
/* The first divergence the differential mode found, NULL while there is
 * none (or no second monitor runs): what differed, in the call with
 * function id *fid. */
const char *machine_mon_divergence(const struct machine_mon *mm, uint64_t *fid);

/* A cpu set up to run in a guest regime (monitor.h) as the monitor's PE
 * does: the regime's translation, TLB, keys, core. 0, or -EINVAL for a
 * regime this machine cannot run. The PE's own (svc guest_run) and the
 * scenario's vm actors that act as a monitor's guest. */
int machine_mon_regime_cpu(struct machine *m, uint8_t world, const struct ccsim_guest_regime *g,
			   struct cpu *c);

/* mon_plugin.c: load a plug-in of `kind` (dlopen, CCSIM_MONITOR_ENTRY, the
 * ABI version and the ops it must have). 0, or -1 with a message. */
int mon_plugin_load(const char *path, uint32_t kind, const struct ccsim_monitor_ops **ops,
		    void **handle, char *err, size_t errlen);
void mon_plugin_unload(void *handle);

#endif
