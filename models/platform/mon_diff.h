/* The differential mode (--diff-monitor): a second monitor runs every call
 * the first one gets, in lock-step, on its own view of what it owns, and
 * the first divergence is kept. Between the slot (machine_mon.c), which
 * tells it what the first monitor did, and the memory path (machine.c),
 * which tells it what each write overwrote. docs/monitor-api.md. */
#ifndef CCSIM_PLATFORM_MON_DIFF_H
#define CCSIM_PLATFORM_MON_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"

struct machine_mon;
struct mon_diff;
struct sim_buf;
struct sim_reader;

/* The monitor `ops` (from the library `dl`, at `path`) beside mm's. NULL
 * with a message if it cannot be created or the machine cannot be diffed. */
struct mon_diff *mon_diff_new(struct machine_mon *mm, const struct ccsim_monitor_ops *ops,
			      void *dl, const char *path, char *err, size_t errlen);
void mon_diff_free(struct mon_diff *d);
void mon_diff_reset(struct mon_diff *d);
/* Run one call on both monitors (the slot's first: its results are the
 * run's) and compare them, unless a divergence was found already. */
void mon_diff_call(struct mon_diff *d, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles);
const char *mon_diff_divergence(const struct mon_diff *d, uint64_t *fid);

/* What the slot's monitor did during a diffed call (no-ops otherwise):
 * `n` bytes it wrote at pa under key slot `key`; a granule's GPI it had
 * EL3 change; a run of guest code it asked for, with what it gave and got. */
void mon_diff_note_write(struct mon_diff *d, uint64_t pa, unsigned key, const void *buf, uint32_t n);
void mon_diff_note_gpi(struct mon_diff *d, uint64_t pa, uint8_t old_gpi, uint8_t new_gpi);
void mon_diff_note_run(struct mon_diff *d, const struct ccsim_guest_regime *g,
		       const struct ccsim_guest_params *p, const struct ccsim_vcpu *in,
		       const struct ccsim_vcpu *out, const struct ccsim_guest_stop *stop,
		       uint64_t spent);
/* The memory path, before any write during a diffed call: the line's
 * content under `key` as it is now. */
void mon_diff_log_old(struct mon_diff *d, uint64_t pa, unsigned key);

/* From the slot (machine_mon.c), shared with the second monitor: its
 * services table (host: the slot), a trace type by name, a fault's name,
 * and a monitor's state blob in a checkpoint record (name, state version,
 * length, bytes). */
const struct ccsim_monitor_services *machine_mon_services(void);
int machine_mon_trace_type(const char *name);
const char *machine_mon_fault_name(void *host, uint32_t kind);
int machine_mon_blob_put(const struct ccsim_monitor_ops *ops, void *inst, struct sim_buf *out);
int machine_mon_blob_get(const struct ccsim_monitor_ops *ops, void *inst, struct sim_reader *in);

/* The second monitor's state in the slot's checkpoint record. */
int mon_diff_save(const struct mon_diff *d, struct sim_buf *out);
int mon_diff_restore(struct mon_diff *d, struct sim_reader *in);
/* ... or from a blob the first monitor's state was read from. */
int mon_diff_restore_blob(struct mon_diff *d, uint32_t version, const void *blob, size_t len);

#endif
