/* ccsim's entry point: the list of commands (ccsim --help) and the dispatch
 * to each; a command's options and usage are its own (cli.h says where).
 * Exit status: 0 success, 1 an expectation failed, 2 bad input or usage,
 * 3 a broken invariant. */
#include <stdio.h>
#include <string.h>

#include "harness/attest/attest_cmd.h"
#include "harness/cli/cli.h"
#include "harness/fuzz/fuzz.h"
#include "harness/trace/trace_cmd.h"
#include "sim/sim.h"

static const char usage_main[] =
	"usage: ccsim COMMAND [ARGS]   (ccsim COMMAND --help for each)\n"
	"\n"
	"commands:\n"
	"  run FILE       run one scenario on one profile, write a results folder\n"
	"  matrix PATH..  run every scenario on every profile it declares, print the table\n"
	"  sweep FILE     run a scenario over profiles x machine keys x params, write a CSV\n"
	"  steps          list the actors and the steps each accepts\n"
	"  trace FILE     print a binary trace (trace.bin) decoded, filtered, as text\n"
	"                 or JSON Lines; trace export --perfetto: a Perfetto timeline\n"
	"  memtrace convert|info  convert or summarise a memory trace a guest replays\n"
	"  profile NAME   print a profile's fully resolved configuration as JSON\n"
	"  fuzz ABI       fuzz a monitor's ABI (cca, snp, sev) under the invariants\n"
	"  shrink FILE    reduce a failing scenario to the fewest steps that fail alike\n"
	"  attest make|verify  build or verify an Arm CCA attestation token\n"
	"  se-image       build an IBM Secure Execution image for host keys (genprotimg's\n"
	"                 role), or write a simulated machine's host key\n"
	"  version        print the ccsim version\n"
	"\n"
	"exit status: 0 success, 1 an expectation failed, 2 bad input or usage,\n"
	"3 the model broke one of its invariants (a ccsim or monitor defect)\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cli_run(argc - 2, argv + 2);
	if (strcmp(cmd, "matrix") == 0)
		return cli_matrix(argc - 2, argv + 2);
	if (strcmp(cmd, "sweep") == 0)
		return cli_sweep(argc - 2, argv + 2);
	if (strcmp(cmd, "trace") == 0)
		return trace_cmd_main(argc - 2, argv + 2);
	if (strcmp(cmd, "memtrace") == 0)
		return cli_memtrace(argc - 2, argv + 2);
	if (strcmp(cmd, "fuzz") == 0)
		return fuzz_main(argc - 2, argv + 2);
	if (strcmp(cmd, "shrink") == 0)
		return shrink_main(argc - 2, argv + 2);
	if (strcmp(cmd, "profile") == 0)
		return cli_profile(argc - 2, argv + 2);
	if (strcmp(cmd, "attest") == 0)
		return attest_main(argc - 2, argv + 2);
	if (strcmp(cmd, "steps") == 0)
		return cli_steps(argc - 2, argv + 2);
	if (strcmp(cmd, "se-image") == 0)
		return cli_se_image(argc - 2, argv + 2);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("ccsim %s\n", CCSIM_VERSION);
		return 0;
	}
	fprintf(stderr, "ccsim: unknown command \"%s\"\n\n%s", cmd, usage_main);
	return 2;
}
