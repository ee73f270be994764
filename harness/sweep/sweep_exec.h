/* Running a sweep's configurations: each in a worker of the pool, its row
 * appended to the journal the moment it comes back, a progress bar on a
 * terminal. Shared by a local sweep (every configuration, then the CSV)
 * and a Slurm array task (its slice). */
#ifndef CCSIM_HARNESS_SWEEP_EXEC_H
#define CCSIM_HARNESS_SWEEP_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/sweep/sweep_journal.h"
#include "harness/sweep/sweep_spec.h"

enum sweep_resume {
	SWEEP_RESUME_AUTO,     /* continue a journal of this sweep, start one otherwise */
	SWEEP_RESUME_REQUIRE,  /* --resume: there must be a journal to continue */
	SWEEP_RESUME_FRESH,    /* --fresh: discard any journal */
};

struct sweep_exec_options {
	unsigned jobs;
	bool progress;            /* draw a progress bar on stderr */
	bool quiet;               /* no note on stderr when resuming */
	enum sweep_resume resume;
	const char *journal;      /* the journal's path */
};

/* Run the configurations [from, to) of `plan` that the journal does not
 * already hold; rows[0..nconfigs) receives every row of the slice. Returns
 * 0, or -1 with a message (bad journal, cannot write). */
int sweep_exec(const struct sweep_plan *plan, struct sweep_row *rows, size_t from, size_t to,
	       const struct sweep_exec_options *o, char *err, size_t errlen);

/* Rows read back from `journal` must be the configurations this sweep
 * numbers so (their labels); -1 with a message if one is not. */
int sweep_rows_check(const struct sweep_spec *s, const struct sweep_row *rows, size_t from,
		     size_t to, const char *journal, char *err, size_t errlen);
/* Exit status for rows [from, to): 0 all pass, 1 an expectation failed, 2 a
 * run had bad input; counts in *npass, *nfail, *nerror. */
int sweep_rows_status(const struct sweep_row *rows, size_t from, size_t to, size_t *npass,
		      size_t *nfail, size_t *nerror);

/* Report the rows (errors on stderr, a summary on stdout unless quiet) and
 * write the CSV (*written says whether it was). Returns the exit status, as
 * sweep_rows_status, or 2 if the CSV cannot be written. */
int sweep_finish(const struct sweep_plan *plan, const struct sweep_row *rows, const char *csv,
		 bool quiet, bool *written);

#endif
