/* Running sweep configurations; see sweep_exec.h. Wall-clock time is read
 * here only for the progress bar's ETA, never by a run. */
#include "harness/sweep/sweep_exec.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/run/runner.h"
#include "harness/lang/scenario.h"
#include "harness/sweep/sweep_csv.h"
#include "harness/sweep/sweep_pool.h"
#include "sim/sim.h"

struct progress {
	bool on;
	size_t total, done, resumed;
	int64_t t0, last;       /* monotonic, us */
};

struct exec {
	const struct sweep_plan *plan;
	struct sweep_row *rows;
	GPatternSpec **patterns;   /* the counters */
	int journal;
	int write_errno;           /* 0, or why a journal write failed */
	struct progress bar;
};

static void clock_text(char *buf, size_t len, int64_t us)
{
	int64_t s = us / 1000000;
	if (s >= 3600)
		snprintf(buf, len, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
			 (long long)(s % 60));
	else
		snprintf(buf, len, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* One line, redrawn in place: done/total, a bar, elapsed and the ETA from
 * this session's rate (rows resumed from the journal took no time). */
static void progress_draw(struct progress *p, bool last)
{
	if (!p->on)
		return;
	int64_t now = g_get_monotonic_time();
	if (!last && now - p->last < 100000)
		return;
	p->last = now;
	enum { WIDTH = 30 };
	size_t fill = p->total ? p->done * WIDTH / p->total : WIDTH;
	char bar[WIDTH + 1], elapsed[32], eta[32] = "-";
	memset(bar, '#', fill);
	memset(bar + fill, '.', WIDTH - fill);
	bar[WIDTH] = '\0';
	clock_text(elapsed, sizeof(elapsed), now - p->t0);
	size_t ran = p->done - p->resumed;
	if (ran)
		clock_text(eta, sizeof(eta), (now - p->t0) / (int64_t)ran * (int64_t)(p->total - p->done));
	fprintf(stderr, "\rsweep %zu/%zu [%s] %3zu%%  elapsed %s  ETA %s\033[K", p->done, p->total, bar,
		p->total ? p->done * 100 / p->total : 100, elapsed, eta);
	if (last)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static bool counter_wanted(const struct exec *x, const char *name)
{
	for (size_t i = 0; i < x->plan->spec->ncounters; i++)
		if (g_pattern_spec_match_string(x->patterns[i], name))
			return true;
	return false;
}

struct collect {
	const struct exec *x;
	struct sweep_row *row;
};

/* The run's statistics, straight from its registry; a histogram gives
 * NAME.count, NAME.sum and NAME.max. */
static void collect_stats(const struct sim *s, void *arg)
{
	struct collect *c = arg;
	for (size_t i = 0; i < s->stats.len; i++) {
		const struct sim_stat *st = &s->stats.v[i];
		if (st->kind != SIM_STAT_HIST) {
			if (counter_wanted(c->x, st->name))
				sweep_row_add_counter(c->row, st->name, *(const uint64_t *)st->ptr);
			continue;
		}
		const struct sim_hist *h = st->ptr;
		const struct { const char *sub; uint64_t v; } parts[] = {
			{ "count", h->count }, { "sum", h->sum }, { "max", h->max },
		};
		bool all = counter_wanted(c->x, st->name);
		for (size_t k = 0; k < G_N_ELEMENTS(parts); k++) {
			gchar *name = g_strdup_printf("%s.%s", st->name, parts[k].sub);
			if (all || counter_wanted(c->x, name))
				sweep_row_add_counter(c->row, name, parts[k].v);
			g_free(name);
		}
	}
	sweep_row_sort(c->row);
}

/* In a worker: run configuration `index`, answer with its journal line. */
static void config_run(void *ctx, size_t index, GByteArray *out)
{
	struct exec *x = ctx;
	const struct sweep_spec *s = x->plan->spec;
	char err[SWEEP_ERR_MAX] = "";
	char **params, **machine;
	size_t np, nm, p, *vidx = g_new0(size_t, s->naxes + 1);
	struct sweep_row row = { .label = sweep_config_label(s, index), .verdict = SWEEP_ERROR };
	sweep_config_decode(s, index, &p, vidx);
	sweep_config_sets(s, index, &params, &np, &machine, &nm);
	struct platform_config cfg;
	/* the profile first: a scenario with params per profile is read for it */
	struct scenario *sc = NULL;
	if (profile_load(x->plan->profile_paths[p], &cfg, err, sizeof(err)) == 0)
		sc = scenario_load_for(s->scenario, cfg.name, params, np, err, sizeof(err));
	if (sc) {
		struct collect c = { x, &row };
		struct run_options ro = { .seed = s->seed, .profile_sets = machine, .nprofile_sets = nm,
					  .quiet = true, .stats_hook = collect_stats, .stats_arg = &c };
		struct run_result res;
		if (run_scenario(sc, &cfg, &ro, &res, err, sizeof(err)) == 0) {
			row.verdict = res.pass ? SWEEP_PASS : SWEEP_FAIL;
			row.outcome = g_strdup(res.outcome);
			row.digest = g_strdup(res.digest);
			row.cycles = res.cycles;
			err[0] = '\0';
		}
	}
	if (row.verdict == SWEEP_ERROR) {
		for (size_t i = 0; i < row.ncounters; i++)
			g_free(row.counters[i].name);
		row.ncounters = 0;
		row.error = g_strdup(err);
	}
	char *line = sweep_row_encode(index, &row);
	g_byte_array_append(out, (const guint8 *)line, (guint)strlen(line));
	g_free(line);
	sweep_row_clear(&row);
	scenario_free(sc);
	g_strfreev(params);
	g_strfreev(machine);
	g_free(vidx);
}

/* In the parent: keep the row, journal it, move the bar. A worker that
 * died leaves an error row that is not journaled: a resumed sweep runs the
 * configuration again. */
static void config_done(void *ctx, size_t index, const uint8_t *data, size_t len, const char *why)
{
	struct exec *x = ctx;
	struct sweep_row *r = &x->rows[index];
	gchar *line = data ? g_strndup((const char *)data, len) : NULL;
	size_t idx = 0;
	bool ok = line && len && line[len - 1] == '\n';
	if (ok) {
		line[len - 1] = '\0';
		ok = sweep_row_decode(line, &idx, r) == 0 && idx == index;
		line[len - 1] = '\n';
	}
	if (!ok) {
		sweep_row_clear(r);
		r->present = true;
		r->lost = true;
		r->verdict = SWEEP_ERROR;
		r->label = sweep_config_label(x->plan->spec, index);
		r->error = g_strdup_printf("%s: %s", r->label, why ? why : "malformed result from a worker");
	} else if (x->journal >= 0 && !x->write_errno && sweep_journal_append(x->journal, line)) {
		x->write_errno = errno ? errno : EIO;
	}
	g_free(line);
	x->bar.done++;
	progress_draw(&x->bar, false);
}

int sweep_rows_status(const struct sweep_row *rows, size_t from, size_t to, size_t *npass,
		      size_t *nfail, size_t *nerror)
{
	size_t n[3] = { 0 };
	for (size_t i = from; i < to; i++)
		n[rows[i].verdict]++;
	*npass = n[SWEEP_PASS];
	*nfail = n[SWEEP_FAIL];
	*nerror = n[SWEEP_ERROR];
	return *nerror ? 2 : *nfail ? 1 : 0;
}

int sweep_rows_check(const struct sweep_spec *s, const struct sweep_row *rows, size_t from,
		     size_t to, const char *journal, char *err, size_t errlen)
{
	for (size_t i = from; i < to; i++) {
		if (!rows[i].present)
			continue;
		char *want = sweep_config_label(s, i);
		bool same = strcmp(want, rows[i].label) == 0;
		if (!same)
			snprintf(err, errlen, "%s: row %zu is \"%s\", expected \"%s\"", journal, i,
				 rows[i].label, want);
		g_free(want);
		if (!same)
			return -1;
	}
	return 0;
}

int sweep_exec(const struct sweep_plan *plan, struct sweep_row *rows, size_t from, size_t to,
	       const struct sweep_exec_options *o, char *err, size_t errlen)
{
	const struct sweep_spec *s = plan->spec;
	size_t resumed = 0;
	if (o->resume == SWEEP_RESUME_FRESH) {
		unlink(o->journal);
	} else {
		if (o->resume == SWEEP_RESUME_REQUIRE && access(o->journal, F_OK) != 0) {
			snprintf(err, errlen, "--resume: no journal %s to resume from", o->journal);
			return -1;
		}
		if (sweep_journal_read(o->journal, plan->fingerprint, plan->nconfigs, rows, &resumed, err,
				       errlen) ||
		    sweep_rows_check(s, rows, 0, plan->nconfigs, o->journal, err, errlen)) {
			if (o->resume == SWEEP_RESUME_AUTO)
				g_strlcat(err, " (--fresh discards it)", errlen);
			return -1;
		}
	}
	/* Rewrite the journal with what it held: a torn last line goes. */
	int fd = sweep_journal_start(o->journal, plan->fingerprint, plan->nconfigs, rows, 0,
				     plan->nconfigs, err, errlen);
	if (fd < 0)
		return -1;
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(size_t));
	size_t have = 0;
	for (size_t i = from; i < to; i++) {
		if (rows[i].present)
			have++;
		else
			g_array_append_val(todo, i);
	}
	struct exec x = { .plan = plan, .rows = rows, .journal = fd };
	x.patterns = g_new0(GPatternSpec *, s->ncounters + 1);
	for (size_t i = 0; i < s->ncounters; i++)
		x.patterns[i] = g_pattern_spec_new(s->counters[i]);
	x.bar = (struct progress){ .on = o->progress, .total = to - from, .done = have, .resumed = have,
				   .t0 = g_get_monotonic_time() };
	if (have && todo->len && !o->quiet)
		fprintf(stderr, "sweep: resuming, %zu of %zu configurations already done\n", have, to - from);
	progress_draw(&x.bar, false);
	static const struct sweep_pool_ops ops = { config_run, config_done };
	sweep_pool_tune_malloc();
	sweep_pool_run((const size_t *)todo->data, todo->len, o->jobs, &ops, &x);
	progress_draw(&x.bar, true);
	int rc = 0;
	if (close(fd) || x.write_errno) {
		snprintf(err, errlen, "%s: cannot write: %s", o->journal,
			 g_strerror(x.write_errno ? x.write_errno : errno));
		rc = -1;
	}
	for (size_t i = 0; i < s->ncounters; i++)
		g_pattern_spec_free(x.patterns[i]);
	g_free(x.patterns);
	g_array_free(todo, TRUE);
	return rc;
}

/* Counters no run reported are most likely a typo: say so. */
static void warn_unmatched(const struct sweep_plan *plan, const struct sweep_row *rows)
{
	const struct sweep_spec *s = plan->spec;
	for (size_t i = 0; i < s->ncounters; i++) {
		GPatternSpec *ps = g_pattern_spec_new(s->counters[i]);
		bool hit = false;
		for (size_t r = 0; r < plan->nconfigs && !hit; r++)
			for (size_t c = 0; c < rows[r].ncounters && !hit; c++)
				hit = g_pattern_spec_match_string(ps, rows[r].counters[c].name);
		g_pattern_spec_free(ps);
		if (!hit)
			fprintf(stderr, "warning: --counter %s matched no statistic of any run "
				"(ccsim profile NAME --stats lists them)\n", s->counters[i]);
	}
}

int sweep_finish(const struct sweep_plan *plan, const struct sweep_row *rows, const char *csv,
		 bool quiet, bool *written)
{
	*written = false;
	char err[SWEEP_ERR_MAX];
	size_t npass, nfail, nerror, shown = 0;
	int status = sweep_rows_status(rows, 0, plan->nconfigs, &npass, &nfail, &nerror);
	for (size_t i = 0; i < plan->nconfigs; i++)
		if (rows[i].verdict == SWEEP_ERROR && shown++ < 10)
			fprintf(stderr, "error: %s: %s\n", rows[i].label, rows[i].error);
	if (shown > 10)
		fprintf(stderr, "error: ... and %zu more configurations with errors\n", shown - 10);
	if (npass + nfail)
		warn_unmatched(plan, rows);
	if (sweep_csv_write(plan, rows, csv, err, sizeof(err))) {
		fprintf(stderr, "ccsim sweep: %s\n", err);
		return 2;
	}
	*written = true;
	if (!quiet)
		printf("%zu configurations: %zu pass, %zu fail, %zu errors; wrote %s\n", plan->nconfigs,
		       npass, nfail, nerror, csv);
	return status;
}
