/* `ccsim run FILE`: one scenario on one profile, its results folder. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/lang/scenario.h"
#include "harness/run/record.h"
#include "harness/run/runner.h"
#include "models/platform/profile.h"

static const char usage_run[] =
	"usage: ccsim run FILE [options]\n"
	"\n"
	"Run scenario FILE on one profile and report each expectation, the observed\n"
	"outcome (leaked / inferred / corrupted / detected / dos / hijacked /\n"
	"blocked: MECHANISM / no-leak; not-attack for a conformance or workload\n"
	"scenario), the cycle count and the trace digest; for each guest the host\n"
	"stack ran, its exits by cause and its exits and cycles per timer tick.\n"
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
	"  --monitor KIND=PATH  run the monitor plug-in PATH (a shared library exporting\n"
	"                       ccsim_monitor_entry, include/ccsim/monitor.h) in the place\n"
	"                       of the RMM (rmm=), the SEV-SNP firmware (snp=), the SEV\n"
	"                       firmware (sev=) or the TDX module (tdx=); one built for\n"
	"                       another monitor ABI version is refused (exit status 2).\n"
	"                       docs/monitor-api.md\n"
	"  --diff-monitor rmm=PATH  run the plug-in PATH beside the RMM in lock-step, on\n"
	"                       its own view of what it owns; the first call whose result\n"
	"                       registers, memory writes, GPT changes or granule states\n"
	"                       differ ends the run, naming the step (exit status 4)\n"
	"  --quiet              print nothing but errors\n"
	"\n"
	"recording a regression test (docs/scenarios.md, \"Recording expectations\"):\n"
	"  --record             write what the run observed on its profile into FILE:\n"
	"                       each failed `expect ... == VALUE` of the profile gets the\n"
	"                       observed value; each capture no expectation checks, and\n"
	"                       the outcome, get expect lines in a block at the end\n"
	"                       (`on PROFILE` when FILE names several profiles). Other\n"
	"                       lines stay byte for byte; FILE is replaced in one step,\n"
	"                       and a run that fails leaves it as it was. A failed\n"
	"                       expectation that is not `==`, compares with $NAME or\n"
	"                       ${PARAM}, or sits in an included file is kept as\n"
	"                       written and named on stderr (exit status 1). No --set:\n"
	"                       a test records the scenario as written\n"
	"  --record-to NEW      the same, written to NEW instead (FILE is untouched)\n"
	"  --record-cycles      also record each capture's cycles, exact (timing\n"
	"                       changes with the model: off by default)\n";

static const char *const run_value_opts[] = { "--profile", "--seed", "--out", "--set",
					       "--checkpoint-after", "--checkpoint", "--checkpoint-every",
					       "--restore", "--record-to", "--monitor", "--diff-monitor",
					       NULL };

/* What --record asks for; path NULL: not recording. */
struct run_record {
	const char *path;  /* where the recorded scenario goes: FILE or --record-to */
	bool cycles;
	char *text;        /* FILE as read */
	gsize len;
};

/* After a run that reached its expectations: the recorded scenario
 * written, a line saying what changed (unless quiet), the expectations
 * left as written on stderr. 0, 1 (some left as written) or 2. */
static int record_finish(const struct scenario *sc, const char *file, const char *profile,
			 const struct run_record *rr, const struct record_obs *obs, bool quiet)
{
	struct record_options ro = { .profile = profile, .cycles = rr->cycles };
	struct record_report rep = { .notes = g_string_new(NULL) };
	GString *out = g_string_new(NULL);
	char err[1024];
	int rc = 2;
	if (record_edit(sc, rr->text, rr->len, obs, &ro, out, &rep, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	/* what is written must load: includes are found from its own folder */
	struct scenario *check = scenario_load_buf(rr->path, out->str, out->len, NULL, 0, err,
						   sizeof(err));
	if (!check) {
		fprintf(stderr, "ccsim run --record: %s: the recorded scenario would not load: %s\n",
			rr->path, err);
		goto out;
	}
	scenario_free(check);
	bool same = out->len == rr->len && memcmp(out->str, rr->text, rr->len) == 0;
	if ((!same || strcmp(rr->path, file) != 0) &&
	    record_write(rr->path, file, out->str, out->len, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	fputs(rep.notes->str, stderr);
	if (!quiet && same)
		printf("recorded on %s: nothing to change%s%s\n", profile,
		       strcmp(rr->path, file) ? ", copied to " : "",
		       strcmp(rr->path, file) ? rr->path : "");
	else if (!quiet)
		printf("recorded on %s into %s: %zu expectation%s rewritten, %zu added\n", profile,
		       rr->path, rep.rewritten, rep.rewritten == 1 ? "" : "s", rep.added);
	if (rep.kept)
		fprintf(stderr, "%zu failed expectation%s kept as written: the recorded scenario "
			"still fails on %s\n", rep.kept, rep.kept == 1 ? "" : "s", profile);
	rc = rep.kept ? 1 : 0;
out:
	g_string_free(out, TRUE);
	g_string_free(rep.notes, TRUE);
	return rc;
}

int cli_run(int argc, char **argv)
{
	const char *file = NULL, *profile = NULL;
	struct run_options o = { .seed = 1 };
	struct run_record rr = { 0 };
	bool record = false;
	GPtrArray *params = g_ptr_array_new(), *psets = g_ptr_array_new();
	GPtrArray *owned = g_ptr_array_new_with_free_func(g_free); /* --monitor's sets */
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
		} else if (strcmp(a, "--record") == 0) {
			record = true;
		} else if (strcmp(a, "--record-to") == 0 && v) {
			record = true;
			rr.path = v;
			i++;
		} else if (strcmp(a, "--record-cycles") == 0) {
			rr.cycles = true;
		} else if ((strcmp(a, "--monitor") == 0 || strcmp(a, "--diff-monitor") == 0) && v) {
			/* sugar for --set KIND.plugin=PATH / rmm.diff_plugin=PATH */
			bool diff = a[2] == 'd';
			const char *kinds[] = { "rmm", "snp", "sev", "tdx", NULL };
			const char *eq = strchr(v, '=');
			size_t k = 0;
			while (kinds[k] && (!eq || strncmp(v, kinds[k], (size_t)(eq - v)) != 0 ||
					    kinds[k][eq - v] != '\0'))
				k++;
			if (!eq || !kinds[k] || !eq[1] || (diff && k != 0)) {
				gchar *what = g_strdup_printf("%s %s", a, v);
				cli_bad_usage("run", diff ? "%s: expected rmm=PATH (the differential mode "
							    "runs beside the RMM)"
							  : "%s: expected rmm=PATH, snp=PATH, sev=PATH or "
							    "tdx=PATH (the monitors with a plug-in slot)",
					      what);
				g_free(what);
				goto out;
			}
			g_ptr_array_add(psets, g_strdup_printf("%s.%s=%s", kinds[k],
							       diff ? "diff_plugin" : "plugin",
							       eq + 1));
			g_ptr_array_add(owned, psets->pdata[psets->len - 1]);
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
	if (rr.cycles && !record) {
		cli_bad_usage("run", "%s", "--record-cycles goes with --record or --record-to");
		goto out;
	}
	/* a recorded test holds for the scenario as written, which is how
	 * ccsim matrix runs it */
	if (record && (params->len || psets->len)) {
		cli_bad_usage("run", "%s", "--record records the scenario as written: no --set");
		goto out;
	}
	if (cli_sets_unique("run", argc, argv))
		goto out;
	struct scenario *sc;
	if (record) {
		GError *gerr = NULL;
		if (!rr.path)
			rr.path = file;
		if (!g_file_get_contents(file, &rr.text, &rr.len, &gerr)) {
			fprintf(stderr, "%s:0:0: cannot read scenario: %s\n", file, gerr->message);
			g_error_free(gerr);
			goto out;
		}
		sc = scenario_load_buf(file, rr.text, rr.len, NULL, 0, err, sizeof(err));
	} else {
		sc = scenario_load(file, (char **)params->pdata, params->len, err, sizeof(err));
	}
	if (!sc) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (!profile)
		profile = sc->profiles[0];
	else if (!strchr(profile, '/') && !g_str_has_suffix(profile, ".ini") &&
		 !scenario_has_profile(sc, profile))
		fprintf(stderr, "warning: %s does not declare profile %s; running it anyway\n", file, profile);
	if (record && !scenario_has_profile(sc, profile)) {
		fprintf(stderr, "ccsim run --record: %s is not one of the profiles %s declares (its "
			"profiles line): a recorded expectation must name it\n", profile, file);
		scenario_free(sc);
		goto out;
	}
	/* what cannot be written is known before anything runs */
	if (record && record_target_check(rr.path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		scenario_free(sc);
		goto out;
	}
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
		sc = record ? scenario_load_buf_for(file, cfg.name, rr.text, rr.len, err, sizeof(err))
			    : scenario_load_for(file, cfg.name, (char **)params->pdata, params->len, err,
						sizeof(err));
		if (!sc) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	}
	o.profile_sets = (char **)psets->pdata;
	o.nprofile_sets = psets->len;
	struct record_obs obs;
	if (record) {
		record_obs_init(&obs, sc);
		o.end_hook = record_observe;
		o.end_arg = &obs;
	}
	struct run_result res;
	if (run_scenario(sc, &cfg, &o, &res, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		rc = res.invariant_broken ? 3 : res.monitor_diverged ? 4 : 2;
	} else if (record) {
		rc = record_finish(sc, file, profile, &rr, &obs, o.quiet);
	} else {
		rc = res.pass ? 0 : 1;
	}
	if (record)
		record_obs_free(&obs);
	scenario_free(sc);
out:
	g_free(rr.text);
	g_ptr_array_free(params, TRUE);
	g_ptr_array_free(psets, TRUE);
	g_ptr_array_free(owned, TRUE);
	return rc;
}
