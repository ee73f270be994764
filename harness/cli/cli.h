/* The ccsim command line: one function per command (main.c dispatches on
 * the command's name; argv holds the arguments after it) and the
 * conventions they share. Exit status: 0 success, 1 an expectation failed,
 * 2 bad input or usage, 3 the model broke one of its invariants. Commands
 * with a folder of their own keep their command line there: sweep
 * (harness/sweep/sweep_cli.c), fuzz and shrink (harness/fuzz/fuzz_cmd.c),
 * attest (harness/attest/attest_cmd.c), trace (harness/trace/trace_cmd.c). */
#ifndef CCSIM_HARNESS_CLI_H
#define CCSIM_HARNESS_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* "ccsim CMD: " + fmt with arg + a pointer to --help, on stderr; returns 2. */
int cli_bad_usage(const char *cmd, const char *fmt, const char *arg);
/* The number after option `flag` (s, NULL if none): 0, or 2 with a message. */
int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out);
/* Is `a` one of the NULL-terminated `opts`? */
bool cli_known_option(const char *a, const char *const *opts);
/* Does any argument ask for help (--help, -h)? */
bool cli_wants_help(int argc, char **argv);
/* The same key in two --set options is an error, not "the last one wins":
 * 0, or 2 with a message. */
int cli_sets_unique(const char *cmd, int argc, char **argv);

int cli_run(int argc, char **argv);      /* cli_run.c */
int cli_matrix(int argc, char **argv);   /* cli_matrix.c */
int cli_sweep(int argc, char **argv);    /* cli_sweep.c: its usage, then sweep_main */
/* ccsim trace: trace_cmd_main, harness/trace/trace_cmd.c */
int cli_profile(int argc, char **argv);  /* cli_profile.c */
int cli_steps(int argc, char **argv);    /* cli_steps.c */
int cli_memtrace(int argc, char **argv); /* cli_memtrace.c: exit status 0, or 2 */
int cli_se_image(int argc, char **argv); /* cli_se_image.c */

#endif
