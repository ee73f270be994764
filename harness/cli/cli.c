/* What the commands of harness/cli/ share: usage errors, numbers, options
 * that take a value, --help, and --set keys given once. */
#include "harness/cli/cli.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/lang/scenario.h"
#include "harness/sweep/sweep_spec.h"

int cli_bad_usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "ccsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(ccsim %s --help for usage)\n", cmd);
	return 2;
}

int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return cli_bad_usage(cmd, "expected a number after %s", flag);
	if (scenario_number(s, out)) {
		fprintf(stderr, "ccsim %s: %s: bad number \"%s\"\n", cmd, flag, s);
		return 2;
	}
	return 0;
}

bool cli_known_option(const char *a, const char *const *opts)
{
	for (; *opts; opts++)
		if (strcmp(a, *opts) == 0)
			return true;
	return false;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int cli_sets_unique(const char *cmd, int argc, char **argv)
{
	char err[512];
	GPtrArray *sets = g_ptr_array_new();
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], "--set") == 0)
			g_ptr_array_add(sets, argv[++i]);
	int rc = sweep_sets_unique((char **)sets->pdata, sets->len, err, sizeof(err));
	if (rc)
		fprintf(stderr, "ccsim %s: %s\n", cmd, err);
	g_ptr_array_free(sets, TRUE);
	return rc ? 2 : 0;
}
