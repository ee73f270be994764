/* The attack matrix: every scenario under the given paths on every profile it
 * declares, optionally in parallel worker processes; results are ordered by
 * (scenario, profile) so the table and JSON are identical for any -j. */
#ifndef CCSIM_HARNESS_MATRIX_H
#define CCSIM_HARNESS_MATRIX_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/matrix/matrix_compare.h"

struct matrix_options {
	uint64_t seed;
	unsigned jobs;
	const char *json_path;
	const char *junit_path;    /* JUnit XML report, or NULL */
	bool wide;                 /* the full table instead of the compact one */
	const char *outdir;        /* per-run results under outdir/<scenario>/<profile> */
	char **only_profiles;      /* NULL-terminated, or NULL for all */
	char **sets;               /* --set overrides, passed to every run */
	size_t nsets;
	bool no_invariants;
	const char *reference;     /* compare with this matrix JSON, or NULL */
	enum matrix_compare_mode compare;
};

/* Returns the exit status: 0 all pass, 1 an expectation failed or the runs
 * differ from the reference, 2 bad input (the reference included), 3 a run
 * broke one of the machine's invariants. */
int matrix_main(char **paths, size_t npaths, const struct matrix_options *o);
/* Collect *.scn files under paths (files taken as given), sorted. */
char **matrix_collect(char **paths, size_t npaths, char *err, size_t errlen);

#endif
