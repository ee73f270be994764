/* `ccsim sweep` command line; see sweep.h. The usage text is in
 * harness/cli/cli_sweep.c, which calls sweep_main. */
#include "harness/sweep/sweep.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/sweep/sweep_exec.h"
#include "harness/sweep/sweep_file.h"
#include "harness/sweep/sweep_slurm.h"
#include "harness/sweep/sweep_spec.h"

struct cli {
	const char *file;
	const char *csv;
	const char *slurm_dir, *merge_dir, *task_dir;
	long task;
	unsigned jobs, tasks;
	bool quiet;
	enum sweep_resume resume;
	bool study_opts;      /* --profile, --set, --counter or --seed given */
	bool resume_given;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("ccsim sweep: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(ccsim sweep --help for usage)\n", stderr);
	return 2;
}

static bool parse_count(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;
	if (!s || !g_ascii_isdigit(*s))
		return false;
	errno = 0;
	*v = g_ascii_strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static const char *const value_opts[] = { "--profile", "--set", "--counter", "--seed", "-j", "--csv",
					  "--slurm", "--tasks", "--merge", "--slurm-task", "--task", NULL };

static int parse_args(int argc, char **argv, struct cli *c, struct sweep_spec *s)
{
	char err[SWEEP_ERR_MAX];
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long n;
		bool takes = false;
		for (const char *const *o = value_opts; *o; o++)
			takes |= strcmp(a, *o) == 0;
		if (takes && !v)
			return usage_error("%s needs a value", a);
		if (takes)
			i++;
		if (strcmp(a, "--profile") == 0 || strcmp(a, "--set") == 0 || strcmp(a, "--counter") == 0) {
			gchar *where = g_strdup_printf("%s %s", a, v);
			int rc = 0;
			c->study_opts = true;
			if (a[2] == 'p') {
				rc = sweep_spec_add_profiles(s, v, where, err, sizeof(err));
			} else if (a[2] == 's') {
				rc = sweep_spec_add_set(s, v, where, err, sizeof(err));
			} else {
				gchar **pats = g_strsplit(v, ",", -1);
				for (gchar **p = pats; *p && rc == 0; p++)
					rc = sweep_spec_add_counter(s, *p, where, err, sizeof(err));
				g_strfreev(pats);
			}
			g_free(where);
			if (rc) {
				fprintf(stderr, "ccsim sweep: %s\n", err);
				return 2;
			}
		} else if (strcmp(a, "--seed") == 0) {
			if (!parse_count(v, UINT64_MAX, &n))
				return usage_error("--seed: bad number \"%s\"", v);
			s->seed = n;
			c->study_opts = true;
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "--tasks") == 0) {
			bool j = a[1] == 'j';
			if (!parse_count(v, j ? 256 : 100000, &n) || n < 1)
				return usage_error(j ? "-j %s: expected 1..256" : "--tasks %s: expected 1..100000", v);
			*(j ? &c->jobs : &c->tasks) = (unsigned)n;
		} else if (strcmp(a, "--task") == 0) {
			if (!parse_count(v, 1000000, &n))
				return usage_error("--task %s: expected an array task number", v);
			c->task = (long)n;
		} else if (strcmp(a, "--csv") == 0) {
			c->csv = v;
		} else if (strcmp(a, "--slurm") == 0) {
			c->slurm_dir = v;
		} else if (strcmp(a, "--merge") == 0) {
			c->merge_dir = v;
		} else if (strcmp(a, "--slurm-task") == 0) {
			c->task_dir = v;
		} else if (strcmp(a, "--resume") == 0 || strcmp(a, "--fresh") == 0) {
			if (c->resume_given)
				return usage_error("%s: --resume and --fresh exclude each other", a);
			c->resume = a[2] == 'r' ? SWEEP_RESUME_REQUIRE : SWEEP_RESUME_FRESH;
			c->resume_given = true;
		} else if (strcmp(a, "--quiet") == 0) {
			c->quiet = true;
		} else if (a[0] == '-') {
			return usage_error("unknown option %s", a);
		} else if (!c->file) {
			c->file = a;
		} else {
			return usage_error("unexpected argument %s (one scenario or sweep file)", a);
		}
	}
	return 0;
}

/* The modes exclude each other: a local sweep, --slurm, --slurm-task, --merge. */
static int check_mode(const struct cli *c)
{
	if (c->merge_dir || c->task_dir) {
		const char *mode = c->merge_dir ? "--merge" : "--slurm-task";
		if (c->merge_dir && c->task_dir)
			return usage_error("%s: --merge and --slurm-task exclude each other", mode);
		if (c->file || c->study_opts || c->slurm_dir)
			return usage_error("%s DIR reads the sweep from DIR: no scenario, study options or --slurm",
					   mode);
		if (c->merge_dir && !c->csv)
			return usage_error("%s", "--merge DIR needs --csv OUT");
		if (c->task_dir && c->csv)
			return usage_error("%s", "--slurm-task writes its rows into DIR: no --csv");
		if (c->resume_given)
			return usage_error("%s", "--resume / --fresh go with a local sweep");
		return 0;
	}
	if (!c->file)
		return usage_error("%s", "expected a scenario FILE.scn or a sweep FILE.sweep");
	if (c->task >= 0 || (c->tasks && !c->slurm_dir))
		return usage_error("%s", "--task and --tasks go with --slurm-task and --slurm");
	if (c->slurm_dir && (c->csv || c->resume_given))
		return usage_error("%s", "--slurm DIR writes a job array: --csv goes with --merge afterwards");
	return 0;
}

/* results/NAME.csv for FILE NAME.scn or NAME.sweep. */
static char *default_csv(const char *file)
{
	gchar *base = g_path_get_basename(file);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	char *csv = g_strdup_printf("results/%s.csv", base);
	g_free(base);
	return csv;
}

static int run_local(const struct sweep_plan *plan, const struct cli *c, const char *csv)
{
	char err[SWEEP_ERR_MAX];
	struct sweep_row *rows = g_new0(struct sweep_row, plan->nconfigs);
	gchar *journal = g_strdup_printf("%s.journal", csv);
	struct sweep_exec_options o = { .jobs = c->jobs, .quiet = c->quiet, .resume = c->resume,
					.journal = journal,
					.progress = !c->quiet && isatty(STDERR_FILENO) };
	int status = 2;
	if (sweep_exec(plan, rows, 0, plan->nconfigs, &o, err, sizeof(err))) {
		fprintf(stderr, "ccsim sweep: %s\n", err);
	} else {
		bool written;
		status = sweep_finish(plan, rows, csv, c->quiet, &written);
		/* Rows of runs whose worker died are not journaled: keep the
		 * journal so that running the command again redoes just those. */
		bool lost = !written;
		for (size_t i = 0; i < plan->nconfigs; i++)
			lost |= rows[i].lost;
		if (!lost)
			unlink(journal);
	}
	for (size_t i = 0; i < plan->nconfigs; i++)
		sweep_row_clear(&rows[i]);
	g_free(rows);
	g_free(journal);
	return status;
}

int sweep_main(int argc, char **argv)
{
	struct cli c = { .task = -1, .jobs = 1, .resume = SWEEP_RESUME_AUTO };
	struct sweep_spec spec;
	struct sweep_plan plan;
	char err[SWEEP_ERR_MAX] = "";
	char *csv = NULL;
	int status;
	sweep_spec_init(&spec);
	status = parse_args(argc, argv, &c, &spec);
	if (status == 0)
		status = check_mode(&c);
	if (status)
		goto out;
	status = 2;
	if (c.merge_dir || c.task_dir) {
		status = c.merge_dir ? sweep_slurm_merge(c.merge_dir, c.csv, c.quiet, err, sizeof(err))
				     : sweep_slurm_task(c.task_dir, c.task, c.jobs, c.quiet, err, sizeof(err));
		if (err[0])
			fprintf(stderr, "ccsim sweep: %s\n", err);
		goto out;
	}
	if (g_str_has_suffix(c.file, ".sweep")) {
		if (c.study_opts) {
			usage_error("%s holds the study: put --profile, --set, --counter and --seed in it", c.file);
			goto out;
		}
		if (sweep_file_load(c.file, &spec, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	} else {
		spec.scenario = g_strdup(c.file);
	}
	if (sweep_plan_make(&spec, &plan, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (c.slurm_dir) {
		status = sweep_slurm_write(&plan, c.slurm_dir, c.tasks, c.quiet, err, sizeof(err)) ? 2 : 0;
		if (status)
			fprintf(stderr, "ccsim sweep: %s\n", err);
	} else {
		csv = c.csv ? g_strdup(c.csv) : default_csv(c.file);
		gchar *dir = g_path_get_dirname(csv);
		if (!c.csv && g_mkdir_with_parents(dir, 0755))
			fprintf(stderr, "ccsim sweep: %s: cannot create: %s\n", dir, g_strerror(errno));
		else
			status = run_local(&plan, &c, csv);
		g_free(dir);
	}
	sweep_plan_free(&plan);
out:
	g_free(csv);
	sweep_spec_free(&spec);
	return status;
}
