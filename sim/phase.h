/* Phases: named stretches of simulated time (a guest's launch, its boot,
 * its workload, ...), each with how much every counter changed over it,
 * as gem5's resetstats / dumpstats pairs give. A phase begins at a cycle
 * and lasts until the next begins or sim_phase_end; one entered again
 * accumulates. The change of each counter is reported as the stat
 * "phase.NAME.COUNTER" (only those that changed), with "phase.NAME.cycles"
 * the cycles spent in it and "phase.NAME.entered" how often it began. */
#ifndef CCSIM_SIM_PHASE_H
#define CCSIM_SIM_PHASE_H

#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_buf;
struct sim_reader;

#define SIM_PHASES_MAX 64
#define SIM_PHASE_NAME_MAX 48

struct sim_phase {
	char name[SIM_PHASE_NAME_MAX];
	uint64_t cycles, entered;
	uint64_t *delta;     /* per tracked counter: its change so far */
};

struct sim_phases {
	struct sim_phase v[SIM_PHASES_MAX];
	size_t n;
	size_t ntracked;     /* counters tracked: those registered when the first phase began */
	uint64_t *start;     /* their values when the current phase began */
	int cur;             /* the current phase, -1: none */
	uint64_t t0;         /* when it began */
	int registered;      /* the phase.* stats exist (sim_phases_publish) */
};

void sim_phases_init(struct sim_phases *ph);
void sim_phases_free(struct sim_phases *ph);
/* End the current phase (if any) at cycle `at` and begin `name` there.
 * Returns 0, or -1 if there is no room for another phase (it is not
 * begun: the time goes to no phase). */
int sim_phase_enter(struct sim *s, const char *name, uint64_t at);
/* End the current phase at `at` (nothing if none). */
void sim_phase_end(struct sim *s, uint64_t at);
/* The cycles spent in phase `name` so far (0 if never entered). */
uint64_t sim_phase_cycles(const struct sim *s, const char *name);
/* The change of counter `stat` over phase `name` (0 if either is unknown). */
uint64_t sim_phase_delta(const struct sim *s, const char *name, const char *stat);
/* Register the phase.* stats: call once, after the last sim_phase_end,
 * before the stats are dumped. */
void sim_phases_publish(struct sim *s);

/* Part of the simulation's snapshot (sim_save / sim_restore). */
void sim_phases_save(const struct sim *s, struct sim_buf *out);
int sim_phases_restore(struct sim *s, struct sim_reader *in);

#endif
