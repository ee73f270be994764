/* `ccsim run --record`: what a run observed written into its scenario as
 * expectations, so a regression test is written in one run and reviewed as
 * a diff (docs/scenarios.md, "Recording expectations"). The edit works on
 * the scenario's own text: every other line, comment and ${param} stays
 * byte for byte as written. */
#ifndef CCSIM_HARNESS_RUN_RECORD_H
#define CCSIM_HARNESS_RUN_RECORD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/lang/scenario.h"
#include "harness/run/runner.h"

/* Bytes longer than this are not written as a value (a line stays
 * readable); such a capture gets its other fields. */
#define RECORD_MAX_BYTES 1024

/* What record needs of a run, kept past its end (record_observe). */
struct record_obs {
	GPtrArray *captures;   /* struct capture *, in first-capture order */
	bool *applies, *pass;  /* per expectation of the scenario, in its order */
	char outcome[128];
	bool done;             /* the run reached its expectations */
};

struct record_options {
	const char *profile;   /* the run's: one of the scenario's profiles */
	bool cycles;           /* also NAME.cycles, exact (--record-cycles) */
};

/* What an edit did. */
struct record_report {
	size_t rewritten;      /* failed expectations given the observed value */
	size_t added;          /* expect lines added for captures nothing checked */
	size_t kept;           /* failed expectations left as written; notes say why */
	GString *notes;        /* "FILE:LINE: not rewritten: WHY (observed: ...)\n" each */
};

void record_obs_init(struct record_obs *o, const struct scenario *sc);
void record_obs_free(struct record_obs *o);
/* A run_options end_hook; arg: the struct record_obs to fill. */
void record_observe(struct run_ctx *rc, const struct expect_result *xr, void *arg);

/* The scenario's text (`len` bytes at `text`, the text `sc` was loaded
 * from) with the observations of one run on o->profile written in, into
 * `out`: each failed `==` expectation of that profile with a literal value
 * gets the observed one (split off its other profiles when it also holds
 * for them), and each capture no expectation of the profile checks gets
 * new lines in a block at the end, as does the outcome. rep->notes names
 * the failed expectations left as written. 0, or -1 with a message. */
int record_edit(const struct scenario *sc, const char *text, size_t len,
		const struct record_obs *obs, const struct record_options *o, GString *out,
		struct record_report *rep, char *err, size_t errlen);

/* Before a run: can `path` be written in place (its folder exists and is
 * writable, it is not a folder)? 0, or -1 with a message. */
int record_target_check(const char *path, char *err, size_t errlen);
/* Replace `path` with `len` bytes of `text` in one step: a temporary file
 * beside it, synced, with the permissions of `mode_from` (0644 if that
 * does not exist), renamed over it. On an error `path` is as it was.
 * 0, or -1 with a message. */
int record_write(const char *path, const char *mode_from, const char *text, size_t len, char *err,
		 size_t errlen);

#endif
