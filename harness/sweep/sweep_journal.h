/* Finished sweep rows and the journal that keeps them. A row is one text
 * line, written with one write() as soon as its configuration finishes, so
 * an interrupted sweep loses at most the runs in flight; the journal's
 * header names the sweep (its fingerprint) so rows never mix across sweeps.
 * Slurm array tasks write the same journals, one per task.
 *
 *   ccsim.sweep-journal/1 TAB fingerprint TAB configurations
 *   index TAB label TAB verdict TAB outcome TAB digest TAB cycles TAB error
 *         [TAB counter=value]...
 *
 * Fields escape backslash, tab and newline as \\ \t \n. A last line without
 * its newline (the process died writing it) is ignored. */
#ifndef CCSIM_HARNESS_SWEEP_JOURNAL_H
#define CCSIM_HARNESS_SWEEP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sweep_verdict { SWEEP_PASS, SWEEP_FAIL, SWEEP_ERROR };

struct sweep_counter {
	char *name;
	uint64_t value;
};

struct sweep_row {
	bool present;
	bool lost;              /* its worker died: an error row kept out of the journal */
	enum sweep_verdict verdict;
	char *label;            /* the configuration, as sweep_config_label */
	char *outcome, *digest, *error;
	uint64_t cycles;
	struct sweep_counter *counters; /* sorted by name */
	size_t ncounters;
};

void sweep_row_clear(struct sweep_row *r);
const char *sweep_verdict_name(enum sweep_verdict v);
/* Add a counter (rows keep them sorted once sweep_row_sort runs). */
void sweep_row_add_counter(struct sweep_row *r, const char *name, uint64_t value);
void sweep_row_sort(struct sweep_row *r);
/* The row's value of counter `name`, or false. */
bool sweep_row_counter(const struct sweep_row *r, const char *name, uint64_t *value);

/* One journal line, newline included (g_free). */
char *sweep_row_encode(size_t index, const struct sweep_row *r);
/* Parse a line (without its newline) into *r (cleared first). */
int sweep_row_decode(const char *line, size_t *index, struct sweep_row *r);

/* Read journal `path` into rows[0..nconfigs): a missing file reads as
 * empty (0); a journal of another sweep, or a row that does not belong to
 * this one, is an error (-1, message). Rows already present are kept;
 * `*added` counts the new ones. */
int sweep_journal_read(const char *path, const char *fingerprint, size_t nconfigs,
		       struct sweep_row *rows, size_t *added, char *err, size_t errlen);
/* Start journal `path` afresh holding the present rows among
 * rows[from..to) (written to a temporary file, then renamed into place), and
 * return a descriptor to append to; -1 with a message on failure. */
int sweep_journal_start(const char *path, const char *fingerprint, size_t nconfigs,
			const struct sweep_row *rows, size_t from, size_t to, char *err,
			size_t errlen);
/* Append one encoded row. */
int sweep_journal_append(int fd, const char *line);

#endif
