/* What `ccsim matrix` prints: the compact table fitted to a terminal width
 * (a one-letter code per cell, profiles grouped by family), the full table
 * (--wide), the closing summary that names every failing cell, and the
 * JUnit XML report (--junit). docs/outputs.md describes each form. */
#ifndef CCSIM_HARNESS_MATRIX_PRINT_H
#define CCSIM_HARNESS_MATRIX_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/run/runner.h"

/* One scenario x profile run. Cells come ordered by scenario path, then by
 * the order of the scenario's profiles line. */
struct matrix_cell {
	char *scenario;
	char *profile;          /* "-": the scenario did not load (status -1) */
	int status;             /* 0 ran (see res), -1 did not: err says why */
	struct run_result res;
	char err[512];
};

/* Cells counted the way the summary line counts them. */
struct matrix_counts {
	size_t runs, passed, failed, errors;
};

/* Most lines the legend's list of blocking mechanisms takes. */
#define MATRIX_LEGEND_LINES 4

/* Narrowest width the compact table lays itself out for. */
#define MATRIX_MIN_WIDTH 20

/* The width to fit: $COLUMNS when it is a positive number, else the
 * terminal's columns (tty_cols > 0), else 80; never below MATRIX_MIN_WIDTH. */
unsigned matrix_width(const char *columns_env, int tty_cols);
/* matrix_width() for this process: $COLUMNS, or stdout's terminal. */
unsigned matrix_term_width(void);

/* A cell's one-letter code: L leaked, B blocked, D detected, C corrupted,
 * - no-leak, E did not run. Its mark: '!' an expectation failed, '?' none
 * applied, ' ' otherwise. */
char matrix_cell_code(const struct matrix_cell *c);
char matrix_cell_mark(const struct matrix_cell *c);

/* `path` shortened to at most `width` characters: whole if it fits, else
 * ".../" and its last components, else "..." and its last characters. */
void matrix_short_path(const char *path, unsigned width, char *out, size_t outlen);

void matrix_count(const struct matrix_cell *cells, size_t n, struct matrix_counts *k);

/* The full table: one column per profile in `cols` order (first seen). */
void matrix_print_wide(FILE *f, const struct matrix_cell *cells, size_t n, char **cols, size_t ncols);
/* The wide form's closing line. */
void matrix_print_wide_summary(FILE *f, const struct matrix_counts *k);

/* The compact table and its legend; every line at most `width` long. */
void matrix_print_compact(FILE *f, const struct matrix_cell *cells, size_t n, unsigned width);
/* Every failing or erroneous cell with its expectations (file:line, text,
 * observed), then the count line; every line at most `width` long. */
void matrix_print_summary(FILE *f, const struct matrix_cell *cells, size_t n, unsigned width);

/* The JUnit XML report: one testcase per cell. Returns 0, or -1 on a write
 * error (errno set). */
int matrix_junit_write(FILE *f, const struct matrix_cell *cells, size_t n, uint64_t seed);

#endif
