/* `ccsim sweep`: run a scenario over the cross product of profiles, machine
 * keys and scenario params, in parallel, one CSV row per configuration;
 * resumable, or as a Slurm job array. docs/sweeps.md is the reference. */
#ifndef CCSIM_HARNESS_SWEEP_H
#define CCSIM_HARNESS_SWEEP_H

/* The command line after "sweep"; returns the exit status (0 every
 * configuration passed, 1 an expectation failed, 2 bad input). */
int sweep_main(int argc, char **argv);

#endif
