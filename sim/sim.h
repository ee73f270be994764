/* The simulation context: clock, event queue, PRNG, log, stats, trace and the
 * list of models. Everything a run touches hangs off one struct sim, so many
 * simulations can live in one process (no mutable globals). */
#ifndef CCSIM_SIM_SIM_H
#define CCSIM_SIM_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/buf.h"
#include "sim/event.h"
#include "sim/log.h"
#include "sim/model.h"
#include "sim/phase.h"
#include "sim/rng.h"
#include "sim/stats.h"
#include "sim/trace.h"

#define CCSIM_VERSION "0.1.0"

struct sim {
	uint64_t now;          /* cycle of the event being dispatched */
	uint64_t local;        /* the cycle the agent running inside that event has reached
				  (>= now): what models read as the present, and what trace
				  records carry */
	uint64_t freq_hz;      /* nominal core frequency, for cycle <-> ns */
	uint64_t seed;
	struct sim_rng rng;
	struct sim_eventq events;
	struct sim_log log;
	struct sim_stats stats;
	struct sim_trace trace;
	struct sim_phases phases;
	struct sim_model *models;      /* registration order */
	struct sim_model **models_tail;
	/* While sim_restore runs: how the checkpoint's models laid out their
	 * state, when an upgrader reads one an older ccsim wrote (SIM_LAYOUT_*;
	 * 0: the current layout). Models' restore_extra consult it. */
	uint32_t restore_layout;
};

/* Older checkpoint layouts (harness/run/runner_state.c names the formats). */
#define SIM_LAYOUT_NO_BUS_LOG 1u /* mem saved no bus-interposer log (run checkpoint format 1) */
/* the runner saved a step result's status as one tagged code and x1, x2
 * only (run checkpoint formats 1 to 3) */
#define SIM_LAYOUT_RESULT_X1X2 2u

/* Set up an empty simulation. freq_hz must be non-zero. */
void sim_init(struct sim *s, uint64_t seed, uint64_t freq_hz);
/* Destroy every registered model (in reverse order) and free the context. */
void sim_fini(struct sim *s);

/* Register a model; the sim resets, saves, restores and destroys it. */
void sim_model_register(struct sim *s, struct sim_model *m);
struct sim_model *sim_model_find(struct sim *s, const char *name);
/* Reset every model, in registration order. */
void sim_reset(struct sim *s);

static inline uint64_t sim_now(const struct sim *s) { return s->now; }

/* The present inside an event: a step, a guest run, an instruction or a
 * blocking access advances it as it spends cycles, so that what happens
 * 3 M cycles into a step is traced, and queues for shared resources, at
 * that cycle. It never goes back within an event; the dispatch of each
 * event resets it to the event's time. An agent sets it before it uses
 * the memory path, whose latencies (`*cycles`) are offsets from it. */
static inline uint64_t sim_time(const struct sim *s) { return s->local; }
static inline void sim_set_time(struct sim *s, uint64_t t)
{
	if (t > s->local)
		s->local = t;
}

/* Cycles -> nanoseconds at the nominal frequency (rounded down). */
static inline uint64_t sim_cycles_to_ns(const struct sim *s, uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * 1000000000u) / s->freq_hz);
}
/* Nanoseconds -> cycles at the nominal frequency (rounded up: a latency is
 * never shorter than the hardware's). */
static inline uint64_t sim_ns_to_cycles(const struct sim *s, uint64_t ns)
{
	unsigned __int128 c = (unsigned __int128)ns * s->freq_hz;
	return (uint64_t)((c + 999999999u) / 1000000000u);
}

/* Run events until the queue is empty or the next event is after `limit`.
 * Returns the number of events dispatched. */
uint64_t sim_run_until(struct sim *s, uint64_t limit);

/* Snapshots: the whole simulation (clock, RNG, event queue, trace digest
 * state, every model) to a byte buffer and back. Restore requires a sim with
 * the same models registered under the same names (built from the same
 * profile); it fails with -EINVAL and a message in `err` otherwise. */
int sim_save(const struct sim *s, struct sim_buf *out);
int sim_restore(struct sim *s, const uint8_t *data, size_t len, char *err, size_t errlen);

#endif
