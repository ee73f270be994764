/* `ccsim trace FILE`: a run's binary trace as text. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>

#include "harness/cli/cli.h"
#include "sim/trace.h"

static const char usage_trace[] =
	"usage: ccsim trace FILE\n\nPrint a binary trace (a run's trace.bin) as text, one record a line.\n";

int cli_trace(int argc, char **argv)
{
	char err[512];
	if (cli_wants_help(argc, argv)) {
		fputs(usage_trace, stdout);
		return 0;
	}
	if (argc != 1)
		return cli_bad_usage("trace", "%s", "expected one trace FILE");
	FILE *f = fopen(argv[0], "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", argv[0], g_strerror(errno));
		return 2;
	}
	int rc = trace_to_text(f, argv[0], stdout, err, sizeof(err));
	fclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	return 0;
}
