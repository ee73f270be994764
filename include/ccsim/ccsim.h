/* libccsim: ccsim embedded in another program. Run a scenario on a profile
 * and read what it observed (verdict, outcome, digest, cycles, failed
 * expectations), its statistics and its trace, decoded. docs/api.md walks
 * through it; include/ccsim/machine.h drives the memory path directly.
 *
 * Plain C, no ccsim internals: results are opaque handles read through
 * functions. Every function that can fail returns 0 or -1 with a message in
 * err (file:line where the fault is in an input). Nothing here keeps global
 * state: any number of runs may live in one process, and a run gives the
 * same digest as `ccsim run` with the same scenario, profile, seed and
 * settings. Link with `pkg-config --cflags --libs ccsim`. */
#ifndef CCSIM_CCSIM_H
#define CCSIM_CCSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface: a program built against one major version
 * runs with any library of that major version. */
#define CCSIM_API_VERSION_MAJOR 1
#define CCSIM_API_VERSION_MINOR 0

/* The library's API version (major << 16 | minor) and its release text. */
unsigned ccsim_api_version(void);
const char *ccsim_version(void);

/* Where a named profile ("cca", "sev-snp") is looked up first (then
 * $CCSIM_PROFILE_DIR, ./models/platform/profiles and the installed copy's
 * share/ccsim/profiles): the folder `pkg-config --variable=profiledir ccsim`
 * names. NULL: the default order. */
struct ccsim_run_options {
	const char *profile;     /* name or .ini path; NULL: the scenario's first */
	const char *profile_dir; /* NULL: see above */
	uint64_t seed;           /* 0: 1, as the CLI */
	const char *outdir;      /* NULL: write nothing; else summary.json, stats.json,
				    trace.bin, trace.txt and captures/ as `ccsim run --out` */
	const char *const *sets; /* "NAME=VALUE" params and "GROUP.KEY=VALUE" profile keys */
	size_t nsets;
};

struct ccsim_run;

/* Load the scenario at path and run it. 0 with *out set (whether or not its
 * expectations held: ccsim_run_passed), or -1 for bad input (the scenario,
 * the profile, a setting) or a broken model invariant, with the message. */
int ccsim_run_scenario(const char *path, const struct ccsim_run_options *opt,
		       struct ccsim_run **out, char *err, size_t errlen);
void ccsim_run_free(struct ccsim_run *r);

bool ccsim_run_passed(const struct ccsim_run *r);
const char *ccsim_run_profile(const struct ccsim_run *r);
/* leaked, inferred, corrupted, detected, dos, hijacked, "blocked: MECH",
 * no-leak or not-attack (docs/scenarios.md, "Outcomes"). */
const char *ccsim_run_outcome(const struct ccsim_run *r);
/* The trace's SHA-256 digest, 64 hex digits. */
const char *ccsim_run_digest(const struct ccsim_run *r);
uint64_t ccsim_run_cycles(const struct ccsim_run *r);
/* Expectations that applied to the profile, and how many of them failed. */
size_t ccsim_run_expectations(const struct ccsim_run *r, size_t *failed);
/* Failed expectation i (the first few, in file order): where (file:line),
 * its text and what the run saw. -1 past the last kept. */
int ccsim_run_failure(const struct ccsim_run *r, size_t i, const char **where,
		      const char **text, const char **observed);

/* Statistics at the end of the run, by name ("llc.misses", "hv.g0.exits"),
 * sorted; a histogram reads as its count. */
size_t ccsim_run_stat_count(const struct ccsim_run *r);
int ccsim_run_stat_at(const struct ccsim_run *r, size_t i, const char **name, uint64_t *value);
/* The value of one statistic: 0, or -1 if the run has none of that name. */
int ccsim_run_stat(const struct ccsim_run *r, const char *name, uint64_t *value);

/* A trace written by a run (its outdir's trace.bin, or `ccsim run --out`),
 * read record by record, decoded as `ccsim trace` prints it. */
struct ccsim_trace;
struct ccsim_trace_event {
	uint64_t cycle;
	const char *kind;   /* "mon.call", "gpc.fault", "step" ... (docs/outputs.md) */
	const char *source; /* the actor or model that emitted it: "host", "rmm" */
	uint64_t arg[4];    /* its raw arguments */
	const char *text;   /* the decoded line `ccsim trace` prints for it */
};
int ccsim_trace_open(const char *path, struct ccsim_trace **out, char *err, size_t errlen);
/* 1 with *ev filled (valid until the next call), 0 at the end, -1 on a
 * damaged file (err names the byte offset). */
int ccsim_trace_next(struct ccsim_trace *t, struct ccsim_trace_event *ev, char *err,
		     size_t errlen);
void ccsim_trace_close(struct ccsim_trace *t);

#ifdef __cplusplus
}
#endif

#endif
