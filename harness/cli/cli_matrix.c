/* `ccsim matrix PATH...`: every scenario on every profile it declares. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/matrix/matrix.h"

static const char usage_matrix[] =
	"usage: ccsim matrix PATH... [options]\n"
	"\n"
	"Run every *.scn under PATH (files or folders, recursively) on every profile\n"
	"it declares and print a table: a row per scenario, a column per profile,\n"
	"profiles grouped by family (plain, cca*, sev*, tdx*) and lettered, each\n"
	"cell a code for the outcome observed: L leaked, I inferred, C corrupted,\n"
	"D detected, X dos, H hijacked, B blocked, - no-leak, ~ not an attack (a conformance\n"
	"or workload scenario), . not one of the scenario's profiles, E did not\n"
	"run; '!' after a code: an expectation failed, '?': nothing was checked.\n"
	"A legend follows (the column letters, the codes used, the mechanisms that\n"
	"blocked), then every failing cell with its expectations (file:line, text,\n"
	"observed), then the count line. Every line fits $COLUMNS, else stdout's\n"
	"terminal, else 80 columns: long paths lose their leading folders, and\n"
	"columns that do not fit go to further blocks of the table.\n"
	"Exits 1 if any expectation fails (or the runs differ from --reference), 2 if\n"
	"any scenario has bad input, 3 if a run broke one of the machine's invariants.\n"
	"\n"
	"options:\n"
	"  --wide           the full table instead: pass/FAIL/unchecked and the whole\n"
	"                   outcome in every cell, whatever the width\n"
	"  --json FILE      also write the matrix as JSON (format ccsim.matrix/1)\n"
	"  --junit FILE     also write a JUnit XML report: a testcase per scenario x\n"
	"                   profile, times in simulated seconds\n"
	"  --profile P      only this profile (repeatable)\n"
	"  --seed N         PRNG seed for every run (default 1)\n"
	"  --set K=V        param or profile override for every run (repeatable)\n"
	"  --out DIR        write each run's results under DIR/<scenario>/<profile>/\n"
	"  -j N             run N scenarios at a time in worker processes (default 1);\n"
	"                   the table, JSON and JUnit are identical for any N\n"
	"  --no-invariants  skip the machine's invariants after each step\n"
	"  --reference REF  compare the runs with the matrix in REF (a --json file,\n"
	"                   e.g. results/reference/matrix.json) by (scenario, profile):\n"
	"                   after the table, each difference (field, reference value,\n"
	"                   new value) and each row on one side only; exit status 1\n"
	"                   if any. Rows of REF outside PATH or --profile are not\n"
	"                   missing. REF is read before anything runs\n"
	"  --compare MODE   what --reference compares: exact (default) the verdict,\n"
	"                   outcome, expectation counts, cycles and digest; outcomes\n"
	"                   the verdict, outcome and expectation counts only (a\n"
	"                   timing change passes)\n";

static const char *const matrix_value_opts[] = { "--json", "--junit", "--out", "--profile", "--set",
						  "--seed", "-j", "--reference", "--compare", NULL };

int cli_matrix(int argc, char **argv)
{
	struct matrix_options o = { .seed = 1, .jobs = 1 };
	GPtrArray *paths = g_ptr_array_new(), *only = g_ptr_array_new(), *sets = g_ptr_array_new();
	bool compare = false;
	int rc = 2;
	if (cli_wants_help(argc, argv)) {
		fputs(usage_matrix, stdout);
		rc = 0;
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		if (strcmp(a, "--json") == 0 && v) {
			o.json_path = v;
			i++;
		} else if (strcmp(a, "--junit") == 0 && v) {
			o.junit_path = v;
			i++;
		} else if (strcmp(a, "--wide") == 0) {
			o.wide = true;
		} else if (strcmp(a, "--out") == 0 && v) {
			o.outdir = v;
			i++;
		} else if (strcmp(a, "--profile") == 0 && v) {
			g_ptr_array_add(only, (gpointer)v);
			i++;
		} else if (strcmp(a, "--set") == 0 && v) {
			g_ptr_array_add(sets, (gpointer)v);
			i++;
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64("matrix", a, v, &o.seed))
				goto out;
			i++;
		} else if (strcmp(a, "--reference") == 0 && v) {
			o.reference = v;
			i++;
		} else if (strcmp(a, "--compare") == 0 && v) {
			if (strcmp(v, "exact") && strcmp(v, "outcomes")) {
				cli_bad_usage("matrix", "--compare %s: expected outcomes or exact", v);
				goto out;
			}
			o.compare = strcmp(v, "exact") ? MATRIX_COMPARE_OUTCOMES : MATRIX_COMPARE_EXACT;
			compare = true;
			i++;
		} else if (strcmp(a, "--no-invariants") == 0) {
			o.no_invariants = true;
		} else if (strcmp(a, "-j") == 0) {
			if (cli_parse_u64("matrix", a, v, &n))
				goto out;
			if (n < 1 || n > 256) {
				cli_bad_usage("matrix", "-j %s: expected 1..256", v);
				goto out;
			}
			o.jobs = (unsigned)n;
			i++;
		} else if (a[0] == '-') {
			cli_bad_usage("matrix", cli_known_option(a, matrix_value_opts) ? "%s needs a value" : "unknown option %s", a);
			goto out;
		} else {
			g_ptr_array_add(paths, (gpointer)a);
		}
	}
	if (!paths->len) {
		cli_bad_usage("matrix", "%s", "expected at least one scenario file or folder");
		goto out;
	}
	if (compare && !o.reference) {
		cli_bad_usage("matrix", "%s", "--compare goes with --reference REF");
		goto out;
	}
	if (cli_sets_unique("matrix", argc, argv))
		goto out;
	if (only->len) {
		g_ptr_array_add(only, NULL);
		o.only_profiles = (char **)only->pdata;
	}
	o.sets = (char **)sets->pdata;
	o.nsets = sets->len;
	rc = matrix_main((char **)paths->pdata, paths->len, &o);
out:
	g_ptr_array_free(paths, TRUE);
	g_ptr_array_free(only, TRUE);
	g_ptr_array_free(sets, TRUE);
	return rc;
}
