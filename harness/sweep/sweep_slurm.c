/* Sweeps as Slurm job arrays; see sweep_slurm.h. */
#include "harness/sweep/sweep_slurm.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/sweep/sweep_exec.h"
#include "harness/sweep/sweep_file.h"
#include "harness/sweep/sweep_journal.h"

#define MANIFEST_FORMAT "ccsim.sweep-manifest/1"

struct manifest {
	char fingerprint[65];
	size_t configs;
	unsigned tasks;
};

/* Task k runs configurations [k*n/T, (k+1)*n/T). */
static size_t slice_start(size_t n, unsigned tasks, unsigned k)
{
	return (size_t)((uint64_t)n * k / tasks); /* n <= SWEEP_MAX_CONFIGS: no overflow */
}

static char *in_dir(const char *dir, const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static char *task_journal(const char *dir, unsigned k)
{
	gchar *name = g_strdup_printf("task-%u.journal", k);
	char *p = g_build_filename(dir, "rows", name, NULL);
	g_free(name);
	return p;
}

/* A word for /bin/sh, single-quoted. */
static void sh_quote(GString *g, const char *s)
{
	g_string_append_c(g, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			g_string_append(g, "'\\''");
		else
			g_string_append_c(g, *s);
	}
	g_string_append_c(g, '\'');
}

static int manifest_read(const char *dir, struct manifest *m, char *err, size_t errlen)
{
	char *path = in_dir(dir, "manifest.tsv");
	gchar *text = NULL;
	GError *ge = NULL;
	int rc = -1;
	memset(m, 0, sizeof(*m));
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		snprintf(err, errlen, "%s: cannot read: %s (written by ccsim sweep ... --slurm DIR)", path,
			 ge->message);
		g_error_free(ge);
		g_free(path);
		return -1;
	}
	gchar **lines = g_strsplit(text, "\n", -1);
	bool format = false;
	int lineno = 0;
	for (gchar **l = lines; *l; l++) {
		lineno++;
		gchar **f = g_strsplit(*l, "\t", 3);
		if (!f[0] || f[0][0] == '#' || !f[1]) {
			g_strfreev(f);
			continue;
		}
		if (strcmp(f[0], "format") == 0)
			format = strcmp(f[1], MANIFEST_FORMAT) == 0;
		else if (strcmp(f[0], "fingerprint") == 0)
			g_strlcpy(m->fingerprint, f[1], sizeof(m->fingerprint));
		else if (strcmp(f[0], "configurations") == 0)
			m->configs = (size_t)g_ascii_strtoull(f[1], NULL, 10);
		else if (strcmp(f[0], "tasks") == 0)
			m->tasks = (unsigned)g_ascii_strtoull(f[1], NULL, 10);
		bool header_end = strcmp(f[0], "index") == 0;
		g_strfreev(f);
		if (header_end)
			break;
	}
	if (!format)
		snprintf(err, errlen, "%s:1: not a ccsim sweep manifest (%s)", path, MANIFEST_FORMAT);
	else if (strlen(m->fingerprint) != 64 || !m->configs || !m->tasks || m->tasks > m->configs)
		snprintf(err, errlen, "%s:%d: expected fingerprint, configurations and tasks lines", path,
			 lineno);
	else
		rc = 0;
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return rc;
}

/* The sweep of `dir`, checked again: the scenario and profiles must be
 * what they were when the manifest was written. */
static int dir_plan(const char *dir, struct manifest *m, struct sweep_spec *spec,
		    struct sweep_plan *plan, char *err, size_t errlen)
{
	if (manifest_read(dir, m, err, errlen))
		return -1;
	char *path = in_dir(dir, "sweep.sweep");
	int rc = -1;
	sweep_spec_init(spec);
	if (sweep_file_load(path, spec, err, errlen) == 0 && sweep_plan_make(spec, plan, err, errlen) == 0) {
		if (strcmp(plan->fingerprint, m->fingerprint) != 0 || plan->nconfigs != m->configs) {
			snprintf(err, errlen, "%s: the scenario, a profile or ccsim changed since this job array "
				 "was written (its fingerprint differs from manifest.tsv); write it again", path);
			sweep_plan_free(plan);
		} else {
			rc = 0;
		}
	}
	if (rc)
		sweep_spec_free(spec);
	g_free(path);
	return rc;
}

static int write_text(const char *path, const char *text, bool exec, char *err, size_t errlen)
{
	GError *ge = NULL;
	if (!g_file_set_contents(path, text, -1, &ge) || (exec && g_chmod(path, 0755))) {
		snprintf(err, errlen, "%s: cannot write: %s", path, ge ? ge->message : g_strerror(errno));
		if (ge)
			g_error_free(ge);
		return -1;
	}
	return 0;
}

static char *manifest_text(const struct sweep_plan *plan, unsigned tasks)
{
	const struct sweep_spec *s = plan->spec;
	GString *g = g_string_new(NULL);
	g_string_append_printf(g, "# ccsim sweep manifest: the configurations of sweep.sweep and the array\n"
			       "# task that runs each; rows land in rows/task-K.journal.\n"
			       "format\t%s\nfingerprint\t%s\nconfigurations\t%zu\ntasks\t%u\nindex\ttask\tprofile",
			       MANIFEST_FORMAT, plan->fingerprint, plan->nconfigs, tasks);
	for (size_t a = 0; a < s->naxes; a++)
		g_string_append_printf(g, "\t%s", s->axes[a].key);
	g_string_append_c(g, '\n');
	size_t *vidx = g_new0(size_t, s->naxes + 1);
	unsigned k = 0;
	for (size_t i = 0; i < plan->nconfigs; i++) {
		size_t p;
		while (i >= slice_start(plan->nconfigs, tasks, k + 1))
			k++;
		sweep_config_decode(s, i, &p, vidx);
		g_string_append_printf(g, "%zu\t%u\t%s", i, k, plan->profile_names[p]);
		for (size_t a = 0; a < s->naxes; a++)
			g_string_append_printf(g, "\t%s", s->axes[a].values[vidx[a]]);
		g_string_append_c(g, '\n');
	}
	g_free(vidx);
	return g_string_free(g, FALSE);
}

static char *script_text(const struct sweep_plan *plan, const char *dir, unsigned tasks)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	gchar *cwd = g_get_current_dir();
	GString *g = g_string_new(NULL);
	g_string_append_printf(g, "#!/bin/sh\n"
			       "# ccsim sweep as a Slurm job array: %zu configurations in %u tasks.\n"
			       "# Submit with: sbatch %s/sweep.sbatch\n"
			       "# then merge:  ccsim sweep --merge %s --csv OUT.csv\n"
			       "#SBATCH --job-name=ccsim-sweep\n"
			       "#SBATCH --array=0-%u\n"
			       "#SBATCH --output=%s/logs/task-%%a.out\n"
			       "#SBATCH --cpus-per-task=1\n"
			       "cd ",
			       plan->nconfigs, tasks, dir, dir, tasks - 1, dir);
	sh_quote(g, cwd);
	g_string_append(g, " || exit 2\nexec ");
	sh_quote(g, exe);
	g_string_append(g, " sweep --slurm-task ");
	sh_quote(g, dir);
	g_string_append(g, " -j \"${SLURM_CPUS_PER_TASK:-1}\" --quiet\n");
	g_free(cwd);
	return g_string_free(g, FALSE);
}

int sweep_slurm_write(const struct sweep_plan *plan, const char *dir_arg, unsigned tasks, bool quiet,
		      char *err, size_t errlen)
{
	const struct sweep_spec *s = plan->spec;
	if (!tasks)
		tasks = SWEEP_SLURM_TASKS;
	if (tasks > plan->nconfigs)
		tasks = (unsigned)plan->nconfigs;
	char *dir = g_canonicalize_filename(dir_arg, NULL);
	char *rows = in_dir(dir, "rows"), *logs = in_dir(dir, "logs");
	char *path = NULL, *text = NULL;
	int rc = -1;
	struct manifest old;
	char ignored[SWEEP_ERR_MAX];
	/* Never mix two sweeps' rows in one folder. */
	if (manifest_read(dir, &old, ignored, sizeof(ignored)) == 0 &&
	    (strcmp(old.fingerprint, plan->fingerprint) != 0 || old.tasks != tasks)) {
		snprintf(err, errlen, "%s holds another job array (manifest.tsv: other %s); choose another "
			 "folder or remove it", dir, old.tasks != tasks ? "task count" : "sweep");
		goto out;
	}
	if (g_mkdir_with_parents(rows, 0755) || g_mkdir_with_parents(logs, 0755)) {
		snprintf(err, errlen, "%s: cannot create: %s", dir, g_strerror(errno));
		goto out;
	}
	/* The study with absolute paths: tasks may start in any folder. */
	struct sweep_spec abs = *s;
	abs.scenario = g_canonicalize_filename(s->scenario, NULL);
	abs.profiles = g_new0(char *, s->nprofiles + 1);
	for (size_t i = 0; i < s->nprofiles; i++)
		abs.profiles[i] = strchr(s->profiles[i], '/') || g_str_has_suffix(s->profiles[i], ".ini")
					  ? g_canonicalize_filename(s->profiles[i], NULL)
					  : g_strdup(s->profiles[i]);
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	sweep_file_write(f, &abs, "the study of this job array (ccsim sweep --slurm)");
	fclose(f);
	g_free(abs.scenario);
	for (size_t i = 0; i < s->nprofiles; i++)
		g_free(abs.profiles[i]);
	g_free(abs.profiles);
	path = in_dir(dir, "sweep.sweep");
	if (write_text(path, text, false, err, errlen))
		goto out;
	free(text);
	g_free(path);
	text = manifest_text(plan, tasks);
	path = in_dir(dir, "manifest.tsv");
	if (write_text(path, text, false, err, errlen))
		goto out;
	g_free(text);
	g_free(path);
	text = script_text(plan, dir, tasks);
	path = in_dir(dir, "sweep.sbatch");
	if (write_text(path, text, true, err, errlen))
		goto out;
	if (!quiet)
		printf("%zu configurations in %u array tasks: submit with\n  sbatch %s\nthen merge with\n"
		       "  ccsim sweep --merge %s --csv OUT.csv\n", plan->nconfigs, tasks, path, dir);
	rc = 0;
out:
	g_free(text);
	g_free(path);
	g_free(rows);
	g_free(logs);
	g_free(dir);
	return rc;
}

int sweep_slurm_task(const char *dir, long task, unsigned jobs, bool quiet, char *err, size_t errlen)
{
	struct manifest m;
	struct sweep_spec spec;
	struct sweep_plan plan;
	if (task < 0) {
		const char *env = getenv("SLURM_ARRAY_TASK_ID");
		char *end = NULL;
		task = env && *env ? strtol(env, &end, 10) : -1;
		if (!env || !*env || *end) {
			snprintf(err, errlen, "--slurm-task: no --task K and no SLURM_ARRAY_TASK_ID");
			return 2;
		}
	}
	if (dir_plan(dir, &m, &spec, &plan, err, errlen))
		return 2;
	int status = 2;
	if ((unsigned long)task >= m.tasks) {
		snprintf(err, errlen, "--slurm-task: task %ld, but the array has tasks 0..%u", task, m.tasks - 1);
		goto out;
	}
	unsigned k = (unsigned)task;
	size_t from = slice_start(plan.nconfigs, m.tasks, k), to = slice_start(plan.nconfigs, m.tasks, k + 1);
	struct sweep_row *rows = g_new0(struct sweep_row, plan.nconfigs);
	char *journal = task_journal(dir, k);
	struct sweep_exec_options o = { .jobs = jobs, .quiet = quiet, .journal = journal };
	if (sweep_exec(&plan, rows, from, to, &o, err, errlen) == 0) {
		size_t np, nf, ne;
		sweep_rows_status(rows, from, to, &np, &nf, &ne);
		if (!quiet)
			printf("task %u: configurations %zu..%zu: %zu pass, %zu fail, %zu errors; rows in %s\n", k,
			       from, to - 1, np, nf, ne, journal);
		status = 0;
	}
	for (size_t i = 0; i < plan.nconfigs; i++)
		sweep_row_clear(&rows[i]);
	g_free(rows);
	g_free(journal);
out:
	sweep_plan_free(&plan);
	sweep_spec_free(&spec);
	return status;
}

int sweep_slurm_merge(const char *dir, const char *csv, bool quiet, char *err, size_t errlen)
{
	struct manifest m;
	struct sweep_spec spec;
	struct sweep_plan plan;
	if (dir_plan(dir, &m, &spec, &plan, err, errlen))
		return 2;
	struct sweep_row *rows = g_new0(struct sweep_row, plan.nconfigs);
	GString *missing = g_string_new(NULL), *rerun = g_string_new(NULL);
	unsigned nmissing = 0;
	int status = 2;
	for (unsigned k = 0; k < m.tasks; k++) {
		char *journal = task_journal(dir, k);
		size_t added = 0, from = slice_start(plan.nconfigs, m.tasks, k),
		       to = slice_start(plan.nconfigs, m.tasks, k + 1), have = 0;
		bool exists = access(journal, F_OK) == 0;
		if (sweep_journal_read(journal, plan.fingerprint, plan.nconfigs, rows, &added, err, errlen) ||
		    sweep_rows_check(&spec, rows, 0, plan.nconfigs, journal, err, errlen)) {
			g_free(journal);
			goto out;
		}
		for (size_t i = from; i < to; i++)
			have += rows[i].present;
		if (have < to - from) {
			nmissing++;
			g_string_append_printf(missing, "\n  task %u (configurations %zu..%zu): ", k, from, to - 1);
			if (exists)
				g_string_append_printf(missing, "%zu of %zu rows missing", to - from - have, to - from);
			else
				g_string_append_printf(missing, "no rows (%s missing)", journal);
			g_string_append_printf(rerun, "%s%u", rerun->len ? "," : "", k);
		}
		g_free(journal);
	}
	if (nmissing) {
		snprintf(err, errlen, "%s: %u of %u tasks incomplete:%s\nrerun them with: sbatch --array=%s %s/sweep.sbatch",
			 dir, nmissing, m.tasks, missing->str, rerun->str, dir);
		goto out;
	}
	bool written;
	status = sweep_finish(&plan, rows, csv, quiet, &written);
	err[0] = '\0';
out:
	for (size_t i = 0; i < plan.nconfigs; i++)
		sweep_row_clear(&rows[i]);
	g_free(rows);
	g_string_free(missing, TRUE);
	g_string_free(rerun, TRUE);
	sweep_plan_free(&plan);
	sweep_spec_free(&spec);
	return status;
}
