/* `ccsim matrix … --reference REF.json [--compare outcomes|exact]`: a
 * matrix held against a committed one (format ccsim.matrix/1, as --json
 * writes it), row by (scenario, profile). `outcomes` compares what a
 * regression test states (the verdict, the outcome, the expectation
 * counts), so a timing change passes; `exact` also the cycles and the
 * trace digest. docs/outputs.md, "Comparing with a reference". */
#ifndef CCSIM_HARNESS_MATRIX_COMPARE_H
#define CCSIM_HARNESS_MATRIX_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/matrix/matrix_print.h"

enum matrix_compare_mode { MATRIX_COMPARE_EXACT, MATRIX_COMPARE_OUTCOMES };

/* One run of a reference matrix. */
struct matrix_ref_row {
	char *scenario, *profile;
	char *error;               /* not NULL: the run did not happen, and why */
	bool pass;
	char *outcome;
	uint64_t expectations, failed, cycles;
	char *digest;
};

struct matrix_ref {
	char *path;
	uint64_t seed;
	struct matrix_ref_row *rows;
	size_t nrows;
};

/* Read a matrix JSON file: 0, or -1 with "FILE:LINE:COL: message" (a file
 * that is not one, a field missing or of the wrong type, a row twice). */
int matrix_ref_load(const char *path, struct matrix_ref *ref, char *err, size_t errlen);
/* The same for `len` bytes of text, named `path` in messages. */
int matrix_ref_parse(const char *path, const char *text, size_t len, struct matrix_ref *ref,
		     char *err, size_t errlen);
void matrix_ref_free(struct matrix_ref *ref);

/* What a comparison covers: the run's cells and seed, and which reference
 * rows it should have produced (a scenario under one of `paths`, a
 * profile `only` lets through; `only` NULL: any). */
struct matrix_compare_run {
	const struct matrix_cell *cells;
	size_t ncells;
	uint64_t seed;
	char **paths;
	size_t npaths;
	char **only;
};

/* Print to `f` each difference between the run and the reference, one line
 * each ("SCENARIO on PROFILE: FIELD: reference X, now Y", or the row
 * missing on one side), after a heading line; returns how many. */
size_t matrix_compare(FILE *f, const struct matrix_ref *ref, const struct matrix_compare_run *run,
		      enum matrix_compare_mode mode);

#endif
