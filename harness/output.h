/* Run outputs: the results folder (summary.json, stats.json, trace.bin,
 * trace.txt; formats in docs/outputs.md) and the human report. */
#ifndef CCSIM_HARNESS_OUTPUT_H
#define CCSIM_HARNESS_OUTPUT_H

#include <stdio.h>

#include "harness/runner.h"

#define SUMMARY_FORMAT "ccsim.summary/1"
#define STATS_FORMAT "ccsim.stats/1"

int output_write(struct run_ctx *rc, const struct expect_result *xr, const struct run_result *res,
		 const char *trace_path, char *err, size_t errlen);
void output_report(FILE *f, struct run_ctx *rc, const struct expect_result *xr,
		   const struct run_result *res);

#endif
