/* Run outputs: the results folder (summary.json, stats.json, trace.bin,
 * trace.txt; formats in docs/outputs.md) and the human report. */
#ifndef CCSIM_HARNESS_RUN_OUTPUT_H
#define CCSIM_HARNESS_RUN_OUTPUT_H

#include <stdio.h>

#include "harness/run/runner.h"

#define SUMMARY_FORMAT "ccsim.summary/2"
/* A step's bytes up to this many go into summary.json; more go to a file
 * it names (captures/steps/I.bin) with their length and SHA-256. */
#define OUTPUT_INLINE_MAX 256
#define STATS_FORMAT "ccsim.stats/1"

/* Write the results into `dir` (the run's staging folder). */
int output_write(struct run_ctx *rc, const char *dir, const struct expect_result *xr,
		 const struct run_result *res, const char *trace_path, char *err, size_t errlen);
/* --out DIR is replaced whole, and only by a run that succeeded: the run
 * writes into a fresh folder beside it (output_stage), which then takes
 * DIR's place (output_commit) or goes (output_discard). */
char *output_stage(const char *outdir, char *err, size_t errlen);
int output_commit(const char *stage, const char *outdir, char *err, size_t errlen);
void output_discard(const char *stage);
void output_report(FILE *f, struct run_ctx *rc, const struct expect_result *xr,
		   const struct run_result *res);

#endif
