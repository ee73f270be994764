/* ccsim command line: run, matrix, sweep, steps, trace, profile, version. Exit
 * status: 0 success, 1 an expectation failed, 2 bad input or usage. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/attest_cmd.h"
#include "harness/fuzz.h"
#include "harness/matrix.h"
#include "harness/memtrace.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "harness/steps.h"
#include "harness/sweep/sweep.h"
#include "harness/sweep/sweep_spec.h"
#include "harness/trace/trace_cmd.h"
#include "models/cpu/cpu.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
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
	"  version        print the ccsim version\n"
	"\n"
	"exit status: 0 success, 1 an expectation failed, 2 bad input or usage,\n"
	"3 the model broke one of its invariants (a ccsim or monitor defect)\n";

static const char usage_run[] =
	"usage: ccsim run FILE [options]\n"
	"\n"
	"Run scenario FILE on one profile and report each expectation, the observed\n"
	"outcome (leaked / blocked: MECHANISM / detected / corrupted / no-leak), the\n"
	"cycle count and the trace digest; for each guest the host stack ran, its exits\n"
	"by cause and its exits and cycles per timer tick.\n"
	"\n"
	"options:\n"
	"  --profile P          profile name or .ini path (default: the scenario's first)\n"
	"  --seed N             PRNG seed (default 1); keys derive from it\n"
	"  --out DIR            write DIR/summary.json, stats.json, trace.bin, trace.txt and\n"
	"                       captures/NAME.bin (each capture's bytes: a token, a report);\n"
	"                       DIR is replaced whole once the run has finished (a failed\n"
	"                       run leaves it as it was)\n"
	"  --set NAME=VALUE     override a scenario param (repeatable)\n"
	"  --set GROUP.KEY=V    override a profile key, e.g. mem.dram_latency_ns=80\n"
	"  --checkpoint-after N save a checkpoint after N steps (needs --checkpoint)\n"
	"  --checkpoint FILE    where to save it\n"
	"  --checkpoint-every DIR  save DIR/step-N.ckpt after every step N (DIR must\n"
	"                       exist); each restores as a --checkpoint file does\n"
	"  --restore FILE       resume from a checkpoint of the same scenario, params,\n"
	"                       profile and seed (its checksum is checked first)\n"
	"  --no-invariants      skip the machine's invariants after each step (a little\n"
	"                       faster; docs/scenarios.md lists them; a broken one ends\n"
	"                       the run with exit status 3)\n"
	"  --quiet              print nothing but errors\n";

static const char usage_matrix[] =
	"usage: ccsim matrix PATH... [options]\n"
	"\n"
	"Run every *.scn under PATH (files or folders, recursively) on every profile\n"
	"it declares; print scenario x profile with pass/FAIL and the observed outcome.\n"
	"Exits 1 if any expectation fails, 2 if any scenario has bad input, 3 if a run\n"
	"broke one of the machine's invariants.\n"
	"\n"
	"options:\n"
	"  --json FILE      also write the matrix as JSON (format ccsim.matrix/1)\n"
	"  --profile P      only this profile (repeatable)\n"
	"  --seed N         PRNG seed for every run (default 1)\n"
	"  --set K=V        param or profile override for every run (repeatable)\n"
	"  --out DIR        write each run's results under DIR/<scenario>/<profile>/\n"
	"  -j N             run N scenarios at a time in worker processes (default 1);\n"
	"                   the table and JSON are identical for any N\n"
	"  --no-invariants  skip the machine's invariants after each step\n";

static const char usage_sweep[] =
	"usage: ccsim sweep FILE.scn [--profile P,...] [--set KEY=V1,V2,...]... [options]\n"
	"       ccsim sweep FILE.sweep [options]\n"
	"       ccsim sweep ... --slurm DIR [--tasks N]\n"
	"       ccsim sweep --merge DIR --csv OUT\n"
	"\n"
	"Run scenario FILE on every configuration of the cross product of the profiles,\n"
	"the machine keys (GROUP.KEY=V1,V2,...) and the scenario params (NAME=V1,V2,...),\n"
	"in parallel, and write one CSV row per configuration: the configuration, the\n"
	"resolved values of the machine keys, verdict (pass / fail / error), outcome,\n"
	"digest, cycles, error and every requested counter. Rows are in configuration\n"
	"order (profile, then each --set in the order given, the last varying fastest),\n"
	"so the CSV is the same for any -j. Every configuration is checked before any\n"
	"runs. A FILE.sweep holds the same study in a file (docs/sweeps.md).\n"
	"\n"
	"study (with FILE.scn; a FILE.sweep holds them itself):\n"
	"  --profile P,...     profiles (repeatable; default: those the scenario declares)\n"
	"  --set KEY=V1,V2,... sweep a machine key (GROUP.KEY) or a scenario param (NAME)\n"
	"                      over the values given (repeatable; each key once)\n"
	"  --counter PATTERN   a statistic to report, by name or glob (hv.g0.*, phase.*);\n"
	"                      repeatable; `ccsim profile NAME --stats` lists them\n"
	"  --seed N            PRNG seed of every run (default 1)\n"
	"options:\n"
	"  -j N                run N configurations at a time in worker processes (default 1)\n"
	"  --csv OUT           the CSV (default results/NAME.csv for FILE NAME.scn / NAME.sweep)\n"
	"  --resume            continue an interrupted sweep (OUT.journal); without it an\n"
	"                      interrupted sweep of the same study is also continued\n"
	"  --fresh             discard OUT.journal and run every configuration\n"
	"  --quiet             no progress bar, no summary\n"
	"Slurm:\n"
	"  --slurm DIR         write DIR/sweep.sbatch (a job array), DIR/manifest.tsv and\n"
	"                      DIR/sweep.sweep instead of running; submit with sbatch\n"
	"  --tasks N           array tasks (default 32, at most one per configuration)\n"
	"  --merge DIR         join the array's rows into the CSV --csv OUT, or name the\n"
	"                      tasks still missing\n"
	"  --slurm-task DIR    run one array task's slice (what sweep.sbatch runs); its\n"
	"                      number from --task K or $SLURM_ARRAY_TASK_ID\n"
	"\n"
	"exit status: 0 every configuration passed, 1 an expectation failed,\n"
	"2 bad input (nothing runs), a run with bad input, or tasks missing at --merge\n";

static const char usage_profile[] =
	"usage: ccsim profile NAME [--set GROUP.KEY=VALUE]... [--stats]\n"
	"       ccsim profile --keys\n\n"
	"Print the fully resolved configuration of a profile (defaults included) as JSON.\n\n"
	"  --stats   instead, list every statistic a run on this profile reports in\n"
	"            stats.json: name, kind (count, cycles, hist) and what it counts.\n"
	"            Each scenario VM adds <vm>.* counters like host.*.\n"
	"  --keys    list every key a profile may set: GROUP.KEY, its default and\n"
	"            what it means, tab-separated (docs/profiles.md explains them).\n";
static const char usage_steps[] =
	"usage: ccsim steps\n\nList every actor and the steps it accepts, with arguments and an example.\n";

static int bad_usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "ccsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(ccsim %s --help for usage)\n", cmd);
	return 2;
}

static int parse_u64_arg(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return bad_usage(cmd, "expected a number after %s", flag);
	if (scenario_number(s, out)) {
		fprintf(stderr, "ccsim %s: %s: bad number \"%s\"\n", cmd, flag, s);
		return 2;
	}
	return 0;
}

static const char *const run_value_opts[] = { "--profile", "--seed", "--out", "--set",
					       "--checkpoint-after", "--checkpoint", "--checkpoint-every",
					       "--restore", NULL };
static const char *const matrix_value_opts[] = { "--json", "--out", "--profile", "--set", "--seed",
						  "-j", NULL };

static bool known_option(const char *a, const char *const *opts)
{
	for (; *opts; opts++)
		if (strcmp(a, *opts) == 0)
			return true;
	return false;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* The same key in two --set options is an error, not "the last one wins". */
static int sets_unique(const char *cmd, int argc, char **argv)
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

static int cmd_run(int argc, char **argv)
{
	const char *file = NULL, *profile = NULL;
	struct run_options o = { .seed = 1 };
	GPtrArray *params = g_ptr_array_new(), *psets = g_ptr_array_new();
	int rc = 2;
	char err[1024], ppath[4096];
	if (wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		rc = 0;
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--profile") == 0 && v) {
			profile = v;
			i++;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_u64_arg("run", a, v, &o.seed))
				goto out;
			i++;
		} else if (strcmp(a, "--out") == 0 && v) {
			o.outdir = v;
			i++;
		} else if (strcmp(a, "--set") == 0 && v) {
			const char *eq = strchr(v, '='), *dot = strchr(v, '.');
			if (!eq) {
				bad_usage("run", "--set %s: expected NAME=VALUE or GROUP.KEY=VALUE", v);
				goto out;
			}
			g_ptr_array_add(dot && dot < eq ? psets : params, (gpointer)v);
			i++;
		} else if (strcmp(a, "--checkpoint-after") == 0) {
			if (parse_u64_arg("run", a, v, &o.checkpoint_after))
				goto out;
			i++;
		} else if (strcmp(a, "--checkpoint") == 0 && v) {
			o.checkpoint_path = v;
			i++;
		} else if (strcmp(a, "--checkpoint-every") == 0 && v) {
			o.checkpoint_dir = v;
			i++;
		} else if (strcmp(a, "--restore") == 0 && v) {
			o.restore_path = v;
			i++;
		} else if (strcmp(a, "--quiet") == 0) {
			o.quiet = true;
		} else if (strcmp(a, "--no-invariants") == 0) {
			o.no_invariants = true;
		} else if (a[0] == '-') {
			bad_usage("run", known_option(a, run_value_opts) ? "%s needs a value" : "unknown option %s", a);
			goto out;
		} else if (!file) {
			file = a;
		} else {
			bad_usage("run", "unexpected argument %s (one scenario file per run)", a);
			goto out;
		}
	}
	if (!file) {
		bad_usage("run", "%s", "expected a scenario FILE");
		goto out;
	}
	if ((o.checkpoint_after != 0) != (o.checkpoint_path != NULL)) {
		bad_usage("run", "%s", "--checkpoint-after N and --checkpoint FILE go together");
		goto out;
	}
	if (sets_unique("run", argc, argv))
		goto out;
	struct scenario *sc = scenario_load(file, (char **)params->pdata, params->len, err, sizeof(err));
	if (!sc) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (!profile)
		profile = sc->profiles[0];
	else if (!strchr(profile, '/') && !g_str_has_suffix(profile, ".ini") &&
		 !scenario_has_profile(sc, profile))
		fprintf(stderr, "warning: %s does not declare profile %s; running it anyway\n", file, profile);
	struct platform_config cfg;
	if (profile_find(profile, ppath, sizeof(ppath), err, sizeof(err)) ||
	    profile_load(ppath, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		scenario_free(sc);
		goto out;
	}
	o.profile_sets = (char **)psets->pdata;
	o.nprofile_sets = psets->len;
	struct run_result res;
	if (run_scenario(sc, &cfg, &o, &res, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		rc = res.invariant_broken ? 3 : 2;
	} else {
		rc = res.pass ? 0 : 1;
	}
	scenario_free(sc);
out:
	g_ptr_array_free(params, TRUE);
	g_ptr_array_free(psets, TRUE);
	return rc;
}

static int cmd_matrix(int argc, char **argv)
{
	struct matrix_options o = { .seed = 1, .jobs = 1 };
	GPtrArray *paths = g_ptr_array_new(), *only = g_ptr_array_new(), *sets = g_ptr_array_new();
	int rc = 2;
	if (wants_help(argc, argv)) {
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
			if (parse_u64_arg("matrix", a, v, &o.seed))
				goto out;
			i++;
		} else if (strcmp(a, "--no-invariants") == 0) {
			o.no_invariants = true;
		} else if (strcmp(a, "-j") == 0) {
			if (parse_u64_arg("matrix", a, v, &n))
				goto out;
			if (n < 1 || n > 256) {
				bad_usage("matrix", "-j %s: expected 1..256", v);
				goto out;
			}
			o.jobs = (unsigned)n;
			i++;
		} else if (a[0] == '-') {
			bad_usage("matrix", known_option(a, matrix_value_opts) ? "%s needs a value" : "unknown option %s", a);
			goto out;
		} else {
			g_ptr_array_add(paths, (gpointer)a);
		}
	}
	if (!paths->len) {
		bad_usage("matrix", "%s", "expected at least one scenario file or folder");
		goto out;
	}
	if (sets_unique("matrix", argc, argv))
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

/* Build the machine of `cfg` with a host CPU, as a run does: a profile a
 * run would refuse is refused here too. With `stats`, list its stats. */
static int build_machine(const struct platform_config *cfg, bool stats)
{
	char err[1024];
	struct sim s;
	struct machine m;
	struct cpu host;
	sim_init(&s, 1, cfg->freq_mhz * 1000000ull);
	int rc = machine_init(&m, &s, cfg, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	else if (stats) {
		cpu_init(&host, &s, "host", machine_bus(&m), WORLD_NS, 2);
		sim_stats_list(&s, stdout);
	}
	sim_fini(&s);
	return rc ? 2 : 0;
}

static int cmd_profile(int argc, char **argv)
{
	char err[1024], path[4096];
	struct platform_config cfg;
	const char *name = NULL;
	bool stats = false;
	if (wants_help(argc, argv)) {
		fputs(usage_profile, stdout);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			i++;
		else if (strcmp(argv[i], "--stats") == 0)
			stats = true;
		else if (strcmp(argv[i], "--keys") == 0 && argc == 1) {
			profile_keys_list(stdout);
			return 0;
		} else if (argv[i][0] == '-')
			return bad_usage("profile", "unknown option %s", argv[i]);
		else if (!name)
			name = argv[i];
		else
			return bad_usage("profile", "unexpected argument %s", argv[i]);
	}
	if (!name)
		return bad_usage("profile", "%s", "expected a profile NAME");
	if (sets_unique("profile", argc, argv))
		return 2;
	if (profile_find(name, path, sizeof(path), err, sizeof(err)) ||
	    profile_load(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--set") == 0 && profile_set(&cfg, argv[++i], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	int built = build_machine(&cfg, stats);
	if (built || stats)
		return built;
	profile_dump_json(&cfg, stdout, 0);
	putchar('\n');
	return 0;
}

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
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "matrix") == 0)
		return cmd_matrix(argc - 2, argv + 2);
	if (strcmp(cmd, "sweep") == 0) {
		if (wants_help(argc - 2, argv + 2)) {
			fputs(usage_sweep, stdout);
			return 0;
		}
		return sweep_main(argc - 2, argv + 2);
	}
	if (strcmp(cmd, "trace") == 0)
		return trace_cmd_main(argc - 2, argv + 2);
	if (strcmp(cmd, "memtrace") == 0)
		return memtrace_main(argc - 2, argv + 2);
	if (strcmp(cmd, "fuzz") == 0)
		return fuzz_main(argc - 2, argv + 2);
	if (strcmp(cmd, "shrink") == 0)
		return shrink_main(argc - 2, argv + 2);
	if (strcmp(cmd, "profile") == 0)
		return cmd_profile(argc - 2, argv + 2);
	if (strcmp(cmd, "attest") == 0)
		return attest_main(argc - 2, argv + 2);
	if (strcmp(cmd, "steps") == 0) {
		if (wants_help(argc - 2, argv + 2)) {
			fputs(usage_steps, stdout);
			return 0;
		}
		steps_print(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("ccsim %s\n", CCSIM_VERSION);
		return 0;
	}
	fprintf(stderr, "ccsim: unknown command \"%s\"\n\n%s", cmd, usage_main);
	return 2;
}
