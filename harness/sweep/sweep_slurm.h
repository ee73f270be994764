/* A sweep as a Slurm job array. `ccsim sweep ... --slurm DIR` checks the
 * sweep and writes DIR/sweep.sweep (the study, absolute paths),
 * DIR/manifest.tsv (fingerprint, configuration count, task count, and one
 * line per configuration with its task) and DIR/sweep.sbatch. Each array
 * task runs `ccsim sweep --slurm-task DIR`: its slice of the
 * configurations, rows journaled to DIR/rows/task-K.journal (a rerun task
 * continues where it stopped). `ccsim sweep --merge DIR --csv OUT` joins the
 * journals into the CSV a local run writes, or names the tasks missing. */
#ifndef CCSIM_HARNESS_SWEEP_SLURM_H
#define CCSIM_HARNESS_SWEEP_SLURM_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/sweep/sweep_spec.h"

/* Default number of array tasks (fewer if there are fewer configurations). */
#define SWEEP_SLURM_TASKS 32u

/* Write the job array for `plan` into `dir`; 0, or -1 with a message. */
int sweep_slurm_write(const struct sweep_plan *plan, const char *dir, unsigned tasks, bool quiet,
		      char *err, size_t errlen);
/* Run array task `task` (-1: $SLURM_ARRAY_TASK_ID) of the sweep in `dir`.
 * Returns the exit status: 0 its rows are written, 2 bad input. */
int sweep_slurm_task(const char *dir, long task, unsigned jobs, bool quiet, char *err,
		     size_t errlen);
/* Merge the rows of `dir` into `csv`. Returns the exit status (as a local
 * sweep: 0, 1 an expectation failed, 2 a run had bad input or tasks are
 * missing). */
int sweep_slurm_merge(const char *dir, const char *csv, bool quiet, char *err, size_t errlen);

#endif
