/* A sweep: one scenario run over the cross product of profiles, machine
 * keys (group.key=V1,V2,...) and scenario params (name=V1,V2,...), with the
 * counters to report. Configurations are numbered profile-major, then by
 * each swept key in the order given, the last varying fastest; that order
 * is the CSV's row order. docs/sweeps.md describes the format and output. */
#ifndef CCSIM_HARNESS_SWEEP_SPEC_H
#define CCSIM_HARNESS_SWEEP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/platform/profile.h"

#define SWEEP_ERR_MAX 8192
/* More configurations than this is a typo rather than a study. */
#define SWEEP_MAX_CONFIGS 10000000u

/* One swept key: a machine key (group.key) or a scenario param (name). */
struct sweep_axis {
	char *key;
	bool machine;
	char **values;      /* NULL-terminated, in the order given */
	size_t nvalues;
	char **where;       /* per value: where it was given ("--set ...", "file:line:col") */
};

struct sweep_spec {
	char *scenario;     /* path as opened (relative to the current folder) */
	char **profiles;    /* names or .ini paths, in the order given */
	size_t nprofiles;
	struct sweep_axis *axes;
	size_t naxes;
	char **counters;    /* names or globs (* and ?) of run statistics */
	size_t ncounters;
	uint64_t seed;
};

/* What validating a spec learnt, needed to run it and to write its CSV. */
struct sweep_plan {
	const struct sweep_spec *spec;
	size_t nconfigs;
	char **profile_paths;   /* per profile: the .ini file found */
	char **profile_names;   /* per profile: its resolved name (the CSV's profile column) */
	/* Resolved value of each machine axis, per machine combination:
	 * resolved[m * naxes + a] (NULL for param axes); see sweep_machine_combo. */
	char **resolved;
	size_t nmachine_combos;
	char fingerprint[65];   /* SHA-256 over what decides the results (docs/sweeps.md) */
};

void sweep_spec_init(struct sweep_spec *s);
void sweep_spec_free(struct sweep_spec *s);
/* Add "KEY=V1,V2,..." as an axis. `where` prefixes messages ("--set",
 * "file:line:col"). A key given twice, an empty or repeated value is an
 * error. */
int sweep_spec_add_set(struct sweep_spec *s, const char *assignment, const char *where, char *err,
		       size_t errlen);
/* Add "A,B,..." to the profiles; a profile given twice is an error. */
int sweep_spec_add_profiles(struct sweep_spec *s, const char *list, const char *where, char *err,
			    size_t errlen);
int sweep_spec_add_counter(struct sweep_spec *s, const char *pattern, const char *where, char *err,
			   size_t errlen);

/* The --set overrides of `ccsim run` / `ccsim matrix`: the same key twice
 * is an error ("--set KEY given twice"). Returns 0 or -1 with a message. */
int sweep_sets_unique(char *const *sets, size_t n, char *err, size_t errlen);

/* Configuration `index`: its profile and the value index of each axis. */
void sweep_config_decode(const struct sweep_spec *s, size_t index, size_t *profile, size_t *vidx);
/* Index of the machine combination (profile and machine-axis values). */
size_t sweep_machine_combo(const struct sweep_spec *s, size_t profile, const size_t *vidx);
/* "profile key=value ..." naming configuration `index`, for messages and
 * the journal. Free with g_free. */
char *sweep_config_label(const struct sweep_spec *s, size_t index);

/* Check every configuration before anything runs: the scenario parses with
 * every param combination, every profile loads and takes every machine
 * combination. Fills `plan` (free with sweep_plan_free) or returns -1 with
 * every distinct error in err. A spec with no profiles takes the scenario's. */
int sweep_plan_make(struct sweep_spec *s, struct sweep_plan *plan, char *err, size_t errlen);
void sweep_plan_free(struct sweep_plan *plan);

/* The overrides of configuration `index`: params (NAME=VALUE) and machine
 * keys (group.key=VALUE), as arrays of strings owned by the caller (free
 * each array with g_strfreev). */
void sweep_config_sets(const struct sweep_spec *s, size_t index, char ***params, size_t *nparams,
		       char ***machine, size_t *nmachine);

#endif
