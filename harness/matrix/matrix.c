/* Attack matrix; see matrix.h. */
#include "harness/matrix/matrix.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/json.h"
#include "harness/lang/scenario.h"
#include "harness/matrix/matrix_print.h"
#include "harness/run/runner.h"
#include "harness/sweep/sweep_pool.h"
#include "models/platform/profile.h"

static void collect_dir(const char *dir, GPtrArray *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		gchar *p = g_build_filename(dir, name, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			collect_dir(p, out);
		else if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(out, g_strdup(p));
		g_free(p);
	}
	g_dir_close(d);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **matrix_collect(char **paths, size_t npaths, char *err, size_t errlen)
{
	GPtrArray *out = g_ptr_array_new();
	for (size_t i = 0; i < npaths; i++) {
		if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
			collect_dir(paths[i], out);
		} else if (g_file_test(paths[i], G_FILE_TEST_IS_REGULAR)) {
			g_ptr_array_add(out, g_strdup(paths[i]));
		} else {
			snprintf(err, errlen, "%s: no such file or folder", paths[i]);
			g_ptr_array_add(out, NULL);
			g_strfreev((char **)g_ptr_array_free(out, FALSE));
			return NULL;
		}
	}
	g_ptr_array_sort(out, cmp_str);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static void run_job(struct matrix_cell *j, const struct matrix_options *o)
{
	char ppath[4096];
	struct platform_config cfg;
	char **params = g_new0(char *, o->nsets + 1), **psets = g_new0(char *, o->nsets + 1);
	size_t np = 0, nps = 0;
	for (size_t i = 0; i < o->nsets; i++) {
		const char *eq = strchr(o->sets[i], '='), *dot = strchr(o->sets[i], '.');
		if (dot && eq && dot < eq)
			psets[nps++] = o->sets[i];
		else
			params[np++] = o->sets[i];
	}
	j->status = -1;
	struct scenario *sc = scenario_load_for(j->scenario, j->profile, params, np, j->err,
					       sizeof(j->err));
	if (sc && profile_find(j->profile, ppath, sizeof(ppath), j->err, sizeof(j->err)) == 0 &&
	    profile_load(ppath, &cfg, j->err, sizeof(j->err)) == 0) {
		gchar *outdir = NULL;
		if (o->outdir) {
			gchar *base = g_path_get_basename(j->scenario);
			outdir = g_build_filename(o->outdir, base, j->profile, NULL);
			g_free(base);
		}
		struct run_options ro = { .seed = o->seed, .outdir = outdir, .profile_sets = psets,
					  .nprofile_sets = nps, .quiet = true,
					  .no_invariants = o->no_invariants };
		if (run_scenario(sc, &cfg, &ro, &j->res, j->err, sizeof(j->err)) == 0)
			j->status = 0;
		g_free(outdir);
	}
	scenario_free(sc);
	g_free(params);
	g_free(psets);
}

/* What a worker sends back for a job: its result, fixed-size. */
struct job_result {
	int status;
	struct run_result res;
	char err[512];
};

struct matrix_run {
	struct matrix_cell *jobs;
	const struct matrix_options *o;
};

static void pool_run_job(void *ctx, size_t index, GByteArray *out)
{
	struct matrix_run *m = ctx;
	struct matrix_cell *j = &m->jobs[index];
	run_job(j, m->o);
	struct job_result r = { .status = j->status, .res = j->res };
	memcpy(r.err, j->err, sizeof(r.err));
	g_byte_array_append(out, (const guint8 *)&r, sizeof(r));
}

static void pool_job_done(void *ctx, size_t index, const uint8_t *data, size_t len, const char *why)
{
	struct matrix_run *m = ctx;
	struct matrix_cell *j = &m->jobs[index];
	struct job_result r;
	if (data && len == sizeof(r)) {
		memcpy(&r, data, sizeof(r));
		j->status = r.status;
		j->res = r.res;
		memcpy(j->err, r.err, sizeof(j->err));
	} else {
		j->status = -1;
		snprintf(j->err, sizeof(j->err), "%s on %s: %s", j->scenario, j->profile,
			 why ? why : "malformed result from worker");
	}
}

static bool wanted(const struct matrix_options *o, const char *profile)
{
	if (!o->only_profiles)
		return true;
	for (char **p = o->only_profiles; *p; p++)
		if (strcmp(*p, profile) == 0)
			return true;
	return false;
}

int matrix_main(char **paths, size_t npaths, const struct matrix_options *o)
{
	char err[512];
	char **files = matrix_collect(paths, npaths, err, sizeof(err));
	if (!files) {
		fprintf(stderr, "ccsim matrix: %s\n", err);
		return 2;
	}
	/* A reference that cannot be read, or a report that cannot be
	 * written, is known before anything runs. */
	struct matrix_ref ref = { 0 };
	if (o->reference && matrix_ref_load(o->reference, &ref, err, sizeof(err))) {
		fprintf(stderr, "ccsim matrix: %s\n", err);
		g_strfreev(files);
		return 2;
	}
	FILE *junit = NULL;
	if (o->junit_path && !(junit = fopen(o->junit_path, "w"))) {
		fprintf(stderr, "ccsim matrix: %s: cannot write: %s\n", o->junit_path, g_strerror(errno));
		matrix_ref_free(&ref);
		g_strfreev(files);
		return 2;
	}
	GArray *jobs = g_array_new(FALSE, TRUE, sizeof(struct matrix_cell));
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	int exit_code = 0;
	for (char **f = files; *f; f++) {
		struct scenario *sc = scenario_load(*f, NULL, 0, err, sizeof(err));
		if (!sc) {
			/* --set params are checked per run; parse once without them for the list. */
			struct matrix_cell j = { .scenario = *f, .profile = "-", .status = -1 };
			g_strlcpy(j.err, err, sizeof(j.err));
			g_array_append_val(jobs, j);
			continue;
		}
		for (char **p = sc->profiles; *p; p++) {
			if (!wanted(o, *p))
				continue;
			struct matrix_cell j = { .scenario = *f, .profile = g_strdup(*p) };
			g_array_append_val(jobs, j);
			bool seen = false;
			for (guint c = 0; c < cols->len; c++)
				seen |= strcmp(cols->pdata[c], *p) == 0;
			if (!seen)
				g_ptr_array_add(cols, g_strdup(*p));
		}
		scenario_free(sc);
	}
	struct matrix_cell *J = (struct matrix_cell *)jobs->data;
	size_t n = jobs->len;
	GArray *pending_runs = g_array_new(FALSE, FALSE, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		if (strcmp(J[i].profile, "-") != 0)
			g_array_append_val(pending_runs, i);
	struct matrix_run mr = { J, o };
	static const struct sweep_pool_ops ops = { pool_run_job, pool_job_done };
	sweep_pool_tune_malloc();
	sweep_pool_run((const size_t *)pending_runs->data, pending_runs->len, o->jobs, &ops, &mr);
	g_array_free(pending_runs, TRUE);

	/* Table: one row per scenario, one column per profile. */
	struct matrix_counts k;
	unsigned width = matrix_term_width();
	matrix_count(J, n, &k);
	if (o->wide)
		matrix_print_wide(stdout, J, n, (char **)cols->pdata, cols->len);
	else
		matrix_print_compact(stdout, J, n, width);
	for (size_t i = 0; i < n; i++)
		if (J[i].status)
			fprintf(stderr, "error: %s\n", J[i].err);
	if (o->wide)
		matrix_print_wide_summary(stdout, &k);
	else
		matrix_print_summary(stdout, J, n, width);
	size_t passed = k.passed, failed = k.failed, errors = k.errors;
	if (failed)
		exit_code = 1;
	if (o->reference) {
		struct matrix_compare_run cr = { J, n, o->seed, paths, npaths, o->only_profiles };
		if (matrix_compare(stdout, &ref, &cr, o->compare))
			exit_code = 1;
		matrix_ref_free(&ref);
	}
	if (errors)
		exit_code = 2;
	for (size_t i = 0; i < n; i++)
		if (J[i].status && J[i].res.invariant_broken)
			exit_code = 3;

	if (o->json_path) {
		FILE *f = fopen(o->json_path, "w");
		if (!f) {
			fprintf(stderr, "ccsim matrix: %s: cannot write: %s\n", o->json_path, g_strerror(errno));
			exit_code = 2;
		} else {
			fprintf(f, "{\n  \"format\": \"ccsim.matrix/1\",\n  \"ccsim_version\": \"%s\",\n  \"seed\": %llu,\n  \"profiles\": [",
				CCSIM_VERSION, (unsigned long long)o->seed);
			for (guint c = 0; c < cols->len; c++) {
				fputs(c ? ", " : "", f);
				json_str(f, cols->pdata[c]);
			}
			fputs("],\n  \"runs\": [", f);
			for (size_t i = 0; i < n; i++) {
				fprintf(f, "%s\n    {\"scenario\": ", i ? "," : "");
				json_str(f, J[i].scenario);
				fputs(", \"profile\": ", f);
				json_str(f, J[i].profile);
				if (J[i].status) {
					fputs(", \"error\": ", f);
					json_str(f, J[i].err);
				} else {
					fprintf(f, ", \"pass\": %s, \"outcome\": ", J[i].res.pass ? "true" : "false");
					json_str(f, J[i].res.outcome);
					fprintf(f, ", \"expectations\": %zu, \"failed\": %zu, \"cycles\": %llu, \"digest\": \"%s\"",
						J[i].res.expects_total, J[i].res.expects_failed,
						(unsigned long long)J[i].res.cycles, J[i].res.digest);
				}
				fputc('}', f);
			}
			fprintf(f, "\n  ],\n  \"passed\": %zu,\n  \"failed\": %zu,\n  \"errors\": %zu\n}\n", passed,
				failed, errors);
			if (ferror(f) | fclose(f)) {
				fprintf(stderr, "ccsim matrix: %s: write error\n", o->json_path);
				exit_code = 2;
			}
		}
	}
	if (junit && (matrix_junit_write(junit, J, n, o->seed) | fclose(junit))) {
		fprintf(stderr, "ccsim matrix: %s: write error\n", o->junit_path);
		exit_code = 2;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(J[i].profile, "-") != 0)
			g_free(J[i].profile);
	g_array_free(jobs, TRUE);
	g_ptr_array_free(cols, TRUE);
	g_strfreev(files);
	return exit_code;
}
