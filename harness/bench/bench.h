/* The benchmark (make bench): bench.c measures the memory system, the MMU
 * and the event queue in process; bench_runs.c times whole ccsim runs. */
#ifndef CCSIM_HARNESS_BENCH_H
#define CCSIM_HARNESS_BENCH_H

#include <stddef.h>

/* Seconds on the host's monotonic clock. */
double bench_now_s(void);

/* `ccsim matrix scenarios` and a 200-configuration sweep, -j 1 and -j 2:
 * runs and configurations per second (outputs checked identical across
 * -j); how many of each. 0 or -1. */
int bench_runs(const char *ccsim, double *matrix1, double *matrix2, double *sweep1,
	       double *sweep2, size_t *nmatrix, size_t *nsweep);

#define COPY_SCENARIO "scenarios/perf/memory.scn"

/* One run of COPY_SCENARIO on `profile`: the memcpy phase's
 * simulated GB/s, simulated cycles and guest instructions per host
 * second. 0 or -1. */
int bench_copy(const char *ccsim, const char *profile, double *gbs, double *cycles_per_s,
	       double *insns_per_s);

/* A generated scenario of 60,000 steps run by the CLI: steps per second. */
int bench_steps(const char *ccsim, double *steps_per_s);

/* The SystemC adapter (sysc/bench_sysc.cpp, built beside this bench in
 * `dir`/sysc): b_transport transactions per second through a bare SystemC
 * LT memory target, ccsim's target on plain and on cca (a realm's reads),
 * then the simulated cycles of one such read on each profile, in
 * bench_sysc_name's order. 0 or -1. */
#define BENCH_SYSC_FIGURES 5
int bench_sysc(const char *dir, double fig[BENCH_SYSC_FIGURES]);
const char *bench_sysc_name(size_t i);

#endif
