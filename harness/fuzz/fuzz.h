/* Monitor-ABI fuzzing and failure shrinking.
 *
 * fuzz_scenario turns any bytes into a valid scenario of monitor calls (RMI
 * and RSI on cca; SNP firmware commands and RMP instructions on sev-snp;
 * SEV firmware commands on sev-es) with valid, boundary and hostile
 * arguments. `ccsim fuzz` runs such scenarios from a seeded generator under
 * the invariants, each in a child process (a crash is a finding, not the
 * end), and `ccsim shrink` reduces a failing scenario to the fewest steps
 * that fail the same way (delta debugging over its step lines). */
#ifndef CCSIM_HARNESS_FUZZ_H
#define CCSIM_HARNESS_FUZZ_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fuzz_abi { FUZZ_CCA, FUZZ_SNP, FUZZ_SEV, FUZZ_ABIS };
#define FUZZ_MAX_CALLS 64

const char *fuzz_abi_name(enum fuzz_abi abi);        /* "cca", "snp", "sev" */
int fuzz_abi_parse(const char *name, enum fuzz_abi *abi); /* 0 or -1 */
/* The scenario the bytes choose (replaces out's contents). */
void fuzz_scenario(enum fuzz_abi abi, const uint8_t *d, size_t n, GString *out);
/* A mutant of `seed` (a scenario's text, includes inlined) the bytes
 * choose: its expectations dropped, its profile the ABI's,
 * then one to six mutations of its monitor calls -- an argument takes a
 * pool value for its name, a call is deleted, doubled or swapped with the
 * next, or a fresh generated call is inserted. Conformance scenarios as seeds put the
 * calls in the deep states they set up. */
void fuzz_mutate(enum fuzz_abi abi, const char *seed, const uint8_t *d, size_t n, GString *out);
/* The profile settings a generated scenario runs with: its leading
 * comment lines `#set KEY=VALUE` (the platform a run is fuzzed on, e.g. an
 * RMP SNP_INIT must refuse), as `--set` values, at most `max`, each
 * g_strdup'ed for the caller to g_free. */
size_t fuzz_sets(const char *text, char **sets, size_t max);
/* A line every step may need: a declaration, a comment or blank. */
bool fuzz_declaration(const char *line);

/* How one run of a scenario file ended, in a child process: the exit
 * status as `ccsim run` gives it (0..3), or a signal; `kind` names the
 * failure class shrinking must keep ("invariant: GPT and RMM disagree",
 * "signal 11", "error: ...", "pass"). Returns the exit status, or 128 +
 * the signal, or -1 if no child could be made. */
struct fuzz_outcome {
	int status;
	char kind[160];
	char message[768];
};
int fuzz_run_child(const char *path, const char *profile, char **sets, size_t nsets,
		   unsigned timeout_s, struct fuzz_outcome *o);
/* Does this outcome count as a finding (a crash, a hang, a broken
 * invariant or a run error on a generated scenario)? */
int fuzz_is_failure(const struct fuzz_outcome *o);

int fuzz_main(int argc, char **argv);   /* ccsim fuzz */
int shrink_main(int argc, char **argv); /* ccsim shrink */

#endif
