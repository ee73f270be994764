/* The sweep's CSV (RFC 4180 quoting, LF line ends): one header line, then one row per
 * configuration in configuration order. Columns: profile, each swept key
 * (values as given), resolved:KEY for each machine key (the value the run
 * used, e.g. 64K -> 65536), verdict, outcome, digest, cycles, error, then
 * the counters: the union of the names the rows report, sorted, a missing
 * value left empty. The file only depends on the rows, so a local run,
 * a resumed one and a merged Slurm array give the same bytes. */
#ifndef CCSIM_HARNESS_SWEEP_CSV_H
#define CCSIM_HARNESS_SWEEP_CSV_H

#include <glib.h>
#include <stddef.h>

#include "harness/sweep/sweep_journal.h"
#include "harness/sweep/sweep_spec.h"

/* Append `s` as one CSV field (quoted when it holds , " CR or LF). */
void sweep_csv_field(GString *g, const char *s);
/* The whole CSV of plan's sweep, every row present. */
GString *sweep_csv_text(const struct sweep_plan *plan, const struct sweep_row *rows);
/* Write it to `path` through a temporary file renamed into place. */
int sweep_csv_write(const struct sweep_plan *plan, const struct sweep_row *rows, const char *path,
		    char *err, size_t errlen);

#endif
