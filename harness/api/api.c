/* libccsim's scenario-level API (include/ccsim/ccsim.h) over the runner,
 * the profile loader and the trace decoder: what `ccsim run` does, with the
 * results handed back instead of printed. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lang/scenario.h"
#include "harness/run/runner.h"
#include "harness/trace/trace_decode.h"
#include "include/ccsim/ccsim.h"
#include "models/platform/profile.h"
#include "sim/sim.h"

struct api_stat {
	char *name;
	uint64_t value;
};

struct ccsim_run {
	struct run_result res;
	char profile[128];
	GArray *stats; /* struct api_stat, sorted by name */
};

unsigned ccsim_api_version(void)
{
	return CCSIM_API_VERSION_MAJOR << 16 | CCSIM_API_VERSION_MINOR;
}

const char *ccsim_version(void) { return CCSIM_VERSION; }

static int stat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct api_stat *)a)->name, ((const struct api_stat *)b)->name);
}

/* The run's statistics, copied before the simulation is torn down. */
static void keep_stats(const struct sim *s, void *arg)
{
	struct ccsim_run *r = arg;
	for (size_t i = 0; i < s->stats.len; i++) {
		struct api_stat st = { g_strdup(s->stats.v[i].name),
				       sim_stat_get(s, s->stats.v[i].name) };
		g_array_append_val(r->stats, st);
	}
	g_array_sort(r->stats, stat_cmp);
}

/* A named profile: the caller's folder first, then profile_find's order. */
static int find_profile(const char *name, const char *dir, char *path, size_t len, char *err,
			size_t errlen)
{
	if (dir && !strchr(name, '/') && !g_str_has_suffix(name, ".ini")) {
		gchar *cand = g_strdup_printf("%s/%s.ini", dir, name);
		bool found = g_file_test(cand, G_FILE_TEST_IS_REGULAR);
		if (found)
			g_strlcpy(path, cand, len);
		g_free(cand);
		if (found)
			return 0;
	}
	return profile_find(name, path, len, err, errlen);
}

int ccsim_run_scenario(const char *path, const struct ccsim_run_options *opt,
		       struct ccsim_run **out, char *err, size_t errlen)
{
	static const struct ccsim_run_options none = { 0 };
	const struct ccsim_run_options *o = opt ? opt : &none;
	*out = NULL;
	/* NAME=VALUE sets a scenario param, GROUP.KEY=VALUE a profile key */
	GPtrArray *params = g_ptr_array_new(), *psets = g_ptr_array_new();
	for (size_t i = 0; i < o->nsets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		if (!eq || eq == o->sets[i]) {
			snprintf(err, errlen, "setting \"%s\": expected NAME=VALUE", o->sets[i]);
			g_ptr_array_free(params, TRUE);
			g_ptr_array_free(psets, TRUE);
			return -1;
		}
		bool profile_key = memchr(o->sets[i], '.', (size_t)(eq - o->sets[i])) != NULL;
		g_ptr_array_add(profile_key ? psets : params, (gpointer)o->sets[i]);
	}
	int rc = -1;
	struct platform_config cfg;
	char ppath[4096];
	struct scenario *sc = scenario_load(path, (char **)params->pdata, params->len, err, errlen);
	const char *profile = sc ? (o->profile ? o->profile : sc->profiles[0]) : NULL;
	if (!sc || find_profile(profile, o->profile_dir, ppath, sizeof(ppath), err, errlen) ||
	    profile_load(ppath, &cfg, err, errlen))
		goto done;
	if (sc->read_for && strcmp(sc->read_for, cfg.name) != 0) {
		/* params per profile: read it again for the profile it runs on */
		scenario_free(sc);
		sc = scenario_load_for(path, cfg.name, (char **)params->pdata, params->len, err,
				       errlen);
		if (!sc)
			goto done;
	}
	struct ccsim_run *r = g_new0(struct ccsim_run, 1);
	r->stats = g_array_new(FALSE, FALSE, sizeof(struct api_stat));
	g_strlcpy(r->profile, cfg.name, sizeof(r->profile));
	struct run_options ro = { .seed = o->seed ? o->seed : 1, .outdir = o->outdir,
				  .profile_sets = (char **)psets->pdata,
				  .nprofile_sets = psets->len, .quiet = true,
				  .stats_hook = keep_stats, .stats_arg = r };
	if (run_scenario(sc, &cfg, &ro, &r->res, err, errlen)) {
		ccsim_run_free(r);
		goto done;
	}
	*out = r;
	rc = 0;
done:
	if (sc)
		scenario_free(sc);
	g_ptr_array_free(params, TRUE);
	g_ptr_array_free(psets, TRUE);
	return rc;
}

void ccsim_run_free(struct ccsim_run *r)
{
	if (!r)
		return;
	for (guint i = 0; i < r->stats->len; i++)
		g_free(g_array_index(r->stats, struct api_stat, i).name);
	g_array_free(r->stats, TRUE);
	g_free(r);
}

bool ccsim_run_passed(const struct ccsim_run *r) { return r->res.pass; }
const char *ccsim_run_profile(const struct ccsim_run *r) { return r->profile; }
const char *ccsim_run_outcome(const struct ccsim_run *r) { return r->res.outcome; }
const char *ccsim_run_digest(const struct ccsim_run *r) { return r->res.digest; }
uint64_t ccsim_run_cycles(const struct ccsim_run *r) { return r->res.cycles; }

size_t ccsim_run_expectations(const struct ccsim_run *r, size_t *failed)
{
	if (failed)
		*failed = r->res.expects_failed;
	return r->res.expects_total - r->res.expects_skipped;
}

int ccsim_run_failure(const struct ccsim_run *r, size_t i, const char **where, const char **text,
		      const char **observed)
{
	if (i >= r->res.expects_failed || i >= RUN_FAILURES_KEPT)
		return -1;
	*where = r->res.failures[i].where;
	*text = r->res.failures[i].text;
	*observed = r->res.failures[i].observed;
	return 0;
}

size_t ccsim_run_stat_count(const struct ccsim_run *r) { return r->stats->len; }

int ccsim_run_stat_at(const struct ccsim_run *r, size_t i, const char **name, uint64_t *value)
{
	if (i >= r->stats->len)
		return -1;
	const struct api_stat *st = &g_array_index(r->stats, struct api_stat, i);
	*name = st->name;
	*value = st->value;
	return 0;
}

int ccsim_run_stat(const struct ccsim_run *r, const char *name, uint64_t *value)
{
	struct api_stat key = { (char *)name, 0 };
	const struct api_stat *st = bsearch(&key, r->stats->data, r->stats->len,
					    sizeof(struct api_stat), stat_cmp);
	if (!st)
		return -1;
	*value = st->value;
	return 0;
}

/* --- traces --- */

struct ccsim_trace {
	FILE *f;
	char *path;
	struct trace_reader rd;
	struct trace_names names;
	struct trace_decoded dec;
	char *text;
	size_t text_len;
};

int ccsim_trace_open(const char *path, struct ccsim_trace **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct ccsim_trace *t = g_new0(struct ccsim_trace, 1);
	t->f = f;
	t->path = g_strdup(path);
	if (trace_scan(f, t->path, &t->rd, &t->names, NULL, NULL, err, errlen)) {
		fclose(f);
		g_free(t->path);
		g_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int ccsim_trace_next(struct ccsim_trace *t, struct ccsim_trace_event *ev, char *err, size_t errlen)
{
	struct trace_rec rec;
	int rc = trace_reader_next(&t->rd, &rec, err, errlen);
	if (rc <= 0)
		return rc;
	trace_decode(&t->names, &rec, &t->dec);
	free(t->text);
	t->text = NULL;
	FILE *m = open_memstream(&t->text, &t->text_len);
	if (!m) {
		snprintf(err, errlen, "%s: %s", t->path, strerror(errno));
		return -1;
	}
	trace_print_text(m, &t->names, &rec);
	fclose(m);
	if (t->text_len && t->text[t->text_len - 1] == '\n')
		t->text[--t->text_len] = '\0';
	ev->cycle = rec.cycle;
	ev->kind = t->dec.kind;
	ev->source = t->dec.source;
	memcpy(ev->arg, rec.a, sizeof(ev->arg));
	ev->text = t->text;
	return 1;
}

void ccsim_trace_close(struct ccsim_trace *t)
{
	if (!t)
		return;
	trace_names_fini(&t->names);
	fclose(t->f);
	free(t->text);
	g_free(t->path);
	g_free(t);
}
