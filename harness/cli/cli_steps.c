/* `ccsim steps`: the step table (harness/lang/steps.c) as text. */
#include <stdio.h>

#include "harness/cli/cli.h"
#include "harness/lang/steps.h"

static const char usage_steps[] =
	"usage: ccsim steps\n\nList every actor and the steps it accepts, with arguments and an example.\n";

int cli_steps(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_steps, stdout);
		return 0;
	}
	steps_print(stdout);
	return 0;
}
