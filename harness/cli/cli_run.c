/* `ccsim run FILE`: one scenario on one profile, its results folder. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/lang/scenario.h"
#include "harness/run/runner.h"
#include "models/platform/profile.h"

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

static const char *const run_value_opts[] = { "--profile", "--seed", "--out", "--set",
					       "--checkpoint-after", "--checkpoint", "--checkpoint-every",
					       "--restore", NULL };

int cli_run(int argc, char **argv)
{
	const char *file = NULL, *profile = NULL;
	struct run_options o = { .seed = 1 };
	GPtrArray *params = g_ptr_array_new(), *psets = g_ptr_array_new();
	int rc = 2;
	char err[1024], ppath[4096];
	if (cli_wants_help(argc, argv)) {
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
			if (cli_parse_u64("run", a, v, &o.seed))
				goto out;
			i++;
		} else if (strcmp(a, "--out") == 0 && v) {
			o.outdir = v;
			i++;
		} else if (strcmp(a, "--set") == 0 && v) {
			const char *eq = strchr(v, '='), *dot = strchr(v, '.');
			if (!eq) {
				cli_bad_usage("run", "--set %s: expected NAME=VALUE or GROUP.KEY=VALUE", v);
				goto out;
			}
			g_ptr_array_add(dot && dot < eq ? psets : params, (gpointer)v);
			i++;
		} else if (strcmp(a, "--checkpoint-after") == 0) {
			if (cli_parse_u64("run", a, v, &o.checkpoint_after))
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
			cli_bad_usage("run", cli_known_option(a, run_value_opts) ? "%s needs a value" : "unknown option %s", a);
			goto out;
		} else if (!file) {
			file = a;
		} else {
			cli_bad_usage("run", "unexpected argument %s (one scenario file per run)", a);
			goto out;
		}
	}
	if (!file) {
		cli_bad_usage("run", "%s", "expected a scenario FILE");
		goto out;
	}
	if ((o.checkpoint_after != 0) != (o.checkpoint_path != NULL)) {
		cli_bad_usage("run", "%s", "--checkpoint-after N and --checkpoint FILE go together");
		goto out;
	}
	if (cli_sets_unique("run", argc, argv))
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
	if (sc->read_for && strcmp(sc->read_for, cfg.name) != 0) {
		/* params per profile: read it again for the profile it runs on */
		scenario_free(sc);
		sc = scenario_load_for(file, cfg.name, (char **)params->pdata, params->len, err,
				       sizeof(err));
		if (!sc) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
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
