/* Results folder and human report; see output.h. */
#include "harness/run/output.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "harness/trace/trace_decode.h"
#include "sim/json.h"
#include "models/monitor/rmm/rmm_cmds.h"

static FILE *open_out(const char *dir, const char *name, gchar **path, char *err, size_t errlen)
{
	*path = g_build_filename(dir, name, NULL);
	FILE *f = fopen(*path, "w");
	if (!f)
		snprintf(err, errlen, "%s: cannot write: %s", *path, g_strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path, char *err, size_t errlen)
{
	if (ferror(f) | fclose(f)) {
		snprintf(err, errlen, "%s: write error", path);
		return -1;
	}
	return 0;
}

/* Where the bytes of step i go when they are too many for summary.json:
 * captures/steps/I.bin (a folder of their own, so that no capture's name
 * can be the same). */
static gchar *step_blob_name(size_t i)
{
	return g_strdup_printf("captures/steps/%zu.bin", i);
}

/* A step's result as its capture has it: status by name and raw, every
 * register it returned, its bytes (a file past OUTPUT_INLINE_MAX). */
static void write_step_result(FILE *f, size_t i, const struct step_result *r)
{
	fprintf(f, ", \"cycles\": %llu, \"fault\": ", (unsigned long long)r->cycles);
	json_str(f, r->faulted ? cc_fault_name(r->fault) : "none");
	if (r->has_status) {
		fputs(", \"status\": ", f);
		json_str(f, steps_result_status_name(r));
		fprintf(f, ", \"x0\": %llu", (unsigned long long)r->status);
	}
	for (unsigned k = 0; k < r->nregs; k++)
		fprintf(f, ", \"x%u\": %llu", k + 1, (unsigned long long)r->x[k]);
	if (!r->len)
		return;
	if (r->len <= OUTPUT_INLINE_MAX) {
		fputs(", \"data\": ", f);
		json_bytes(f, r->bytes, r->len);
		return;
	}
	gchar *name = step_blob_name(i);
	gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, r->bytes, r->len);
	fputs(", \"data_file\": ", f);
	json_str(f, name);
	fprintf(f, ", \"data_len\": %zu, \"data_sha256\": \"%s\"", r->len, sum);
	g_free(sum);
	g_free(name);
}

static void write_summary(FILE *f, struct run_ctx *rc, const struct expect_result *xr,
			  const struct run_result *res)
{
	const struct scenario *sc = rc->sc;
	fprintf(f, "{\n  \"format\": \"%s\",\n  \"ccsim_version\": \"%s\",\n  \"scenario\": ", SUMMARY_FORMAT,
		CCSIM_VERSION);
	json_str(f, sc->path);
	fputs(",\n  \"title\": ", f);
	json_str(f, sc->title ? sc->title : "");
	fputs(",\n  \"profile\": ", f);
	json_str(f, rc->cfg.name);
	fprintf(f, ",\n  \"seed\": %llu,\n  \"params\": {", (unsigned long long)rc->opt->seed);
	for (size_t i = 0; i < sc->nparams; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, sc->params[i].name);
		fputs(": ", f);
		json_str(f, sc->params[i].value);
	}
	fputs("},\n  \"config\": ", f);
	profile_dump_json(&rc->cfg, f, 1);
	fprintf(f, ",\n  \"restored_from\": ");
	if (rc->opt->restore_path)
		json_str(f, rc->opt->restore_path);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"cycles\": %llu,\n  \"ns\": %llu,\n  \"steps\": [", (unsigned long long)res->cycles,
		(unsigned long long)sim_cycles_to_ns(&rc->sim, res->cycles));
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct scn_step *st = &sc->steps[i];
		const struct step_result *r = &rc->results[i];
		fprintf(f, "%s\n    {\"line\": %d, \"text\": ", i ? "," : "", st->line);
		json_str(f, st->text);
		fprintf(f, ", \"ran\": %s", rc->ran[i] ? "true" : "false");
		if (rc->ran[i])
			write_step_result(f, i, r);
		fputc('}', f);
	}
	fputs("\n  ],\n  \"outcome\": ", f);
	json_str(f, res->outcome);
	fputs(",\n  \"expectations\": [", f);
	for (size_t i = 0; i < sc->nexpects; i++) {
		fprintf(f, "%s\n    {\"line\": %d, \"text\": ", i ? "," : "", xr[i].e->line);
		json_str(f, xr[i].e->text);
		if (!xr[i].applies) {
			fputs(", \"result\": \"skipped\"}", f);
			continue;
		}
		fprintf(f, ", \"result\": \"%s\", \"observed\": ", xr[i].pass ? "pass" : "fail");
		json_str(f, xr[i].observed);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"checked\": %zu,\n  \"pass\": %s,\n  \"digest\": \"%s\"\n}\n",
		res->expects_total, res->pass ? "true" : "false", res->digest);
}

/* Write `len` bytes at dir/name. */
static int write_file(const char *dir, const char *name, const uint8_t *p, size_t len, char *err,
		      size_t errlen)
{
	gchar *path = NULL;
	FILE *f = open_out(dir, name, &path, err, errlen);
	int ret = -1;
	if (f) {
		fwrite(p, 1, len, f);
		ret = close_out(f, path, err, errlen);
	}
	g_free(path);
	return ret;
}

static int make_dir(const char *dir, char *err, size_t errlen)
{
	if (g_mkdir_with_parents(dir, 0755) == 0)
		return 0;
	snprintf(err, errlen, "%s: cannot create: %s", dir, g_strerror(errno));
	return -1;
}

/* DIR/captures/NAME.bin: the bytes of every capture that has some (a
 * token, a report, what a guest sent), for other tools (ccsim attest
 * verify). A capture without bytes has no file. DIR/captures/steps/I.bin:
 * the bytes of step I (from 0) when summary.json names them rather than
 * holds them (more than OUTPUT_INLINE_MAX, a guest's image, say). */
static int write_captures(struct run_ctx *rc, const char *dir, char *err, size_t errlen)
{
	gchar *cdir = g_build_filename(dir, "captures", NULL);
	int ret = make_dir(cdir, err, errlen);
	for (guint i = 0; i < rc->captures->len && ret == 0; i++) {
		const struct capture *c = rc->captures->pdata[i];
		if (!c->r.len)
			continue;
		gchar *name = g_strconcat(c->name, ".bin", NULL);
		ret = write_file(cdir, name, c->r.bytes, c->r.len, err, errlen);
		g_free(name);
	}
	bool made = false;
	for (size_t i = 0; i < rc->sc->nsteps && ret == 0; i++) {
		const struct step_result *r = &rc->results[i];
		if (!rc->ran[i] || r->len <= OUTPUT_INLINE_MAX)
			continue;
		if (!made) {
			gchar *sdir = g_build_filename(dir, "captures", "steps", NULL);
			ret = make_dir(sdir, err, errlen);
			g_free(sdir);
			made = true;
		}
		gchar *name = step_blob_name(i);
		if (ret == 0)
			ret = write_file(dir, name, r->bytes, r->len, err, errlen);
		g_free(name);
	}
	g_free(cdir);
	return ret;
}

/* Remove a results folder: its files and its captures/ folder. */
static void rm_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const gchar *name;
	while (d && (name = g_dir_read_name(d))) {
		gchar *p = g_build_filename(dir, name, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			rm_tree(p);
		else
			(void)g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	(void)g_rmdir(dir);
}

char *output_stage(const char *outdir, char *err, size_t errlen)
{
	gchar *parent = g_path_get_dirname(outdir);
	char *stage = NULL;
	if (g_mkdir_with_parents(parent, 0755) == 0) {
		stage = g_strdup_printf("%s.tmp-XXXXXX", outdir);
		if (!g_mkdtemp(stage)) {
			g_free(stage);
			stage = NULL;
		}
	}
	if (!stage)
		snprintf(err, errlen, "%s: cannot create output folder: %s", outdir, g_strerror(errno));
	g_free(parent);
	return stage;
}

int output_commit(const char *stage, const char *outdir, char *err, size_t errlen)
{
	char *old = NULL;
	if (g_file_test(outdir, G_FILE_TEST_EXISTS)) { /* the older results step aside first */
		old = g_strdup_printf("%s.old-XXXXXX", outdir);
		if (!g_mkdtemp(old) || g_rename(outdir, old)) {
			snprintf(err, errlen, "%s: cannot replace: %s", outdir, g_strerror(errno));
			if (old)
				(void)g_rmdir(old);
			g_free(old);
			output_discard(stage);
			return -1;
		}
	}
	if (g_rename(stage, outdir)) {
		snprintf(err, errlen, "%s: cannot write: %s", outdir, g_strerror(errno));
		if (old)
			(void)g_rename(old, outdir);
		g_free(old);
		output_discard(stage);
		return -1;
	}
	if (old)
		rm_tree(old);
	g_free(old);
	return 0;
}

void output_discard(const char *stage)
{
	if (stage)
		rm_tree(stage);
}

int output_write(struct run_ctx *rc, const char *dir, const struct expect_result *xr,
		 const struct run_result *res, const char *trace_path, char *err, size_t errlen)
{
	gchar *path = NULL;
	int ret = -1;
	FILE *f = open_out(dir, "summary.json", &path, err, errlen);
	if (!f)
		goto out;
	write_summary(f, rc, xr, res);
	if (close_out(f, path, err, errlen))
		goto out;
	g_free(path);
	f = open_out(dir, "stats.json", &path, err, errlen);
	if (!f)
		goto out;
	fprintf(f, "{\n  \"format\": \"%s\",\n  \"profile\": ", STATS_FORMAT);
	json_str(f, rc->cfg.name);
	fprintf(f, ",\n  \"freq_hz\": %llu,\n  \"cycles\": %llu,\n  \"stats\": ",
		(unsigned long long)rc->sim.freq_hz, (unsigned long long)res->cycles);
	sim_stats_dump_json(&rc->sim, f, 1);
	fputs("\n}\n", f);
	if (close_out(f, path, err, errlen))
		goto out;
	g_free(path);
	f = open_out(dir, "trace.txt", &path, err, errlen);
	if (!f)
		goto out;
	FILE *in = fopen(trace_path, "rb");
	if (!in || trace_decode_file(in, trace_path, f, err, errlen)) {
		if (!in)
			snprintf(err, errlen, "%s: cannot read back: %s", trace_path, g_strerror(errno));
		else
			fclose(in);
		fclose(f);
		goto out;
	}
	fclose(in);
	if (close_out(f, path, err, errlen))
		goto out;
	g_free(path);
	path = NULL;
	if (write_captures(rc, dir, err, errlen))
		goto out;
	ret = 0;
out:
	g_free(path);
	return ret;
}

void output_report(FILE *f, struct run_ctx *rc, const struct expect_result *xr,
		   const struct run_result *res)
{
	const struct scenario *sc = rc->sc;
	fprintf(f, "%s on %s%s%s\n", sc->path, rc->cfg.name, sc->title ? ": " : "", sc->title ? sc->title : "");
	for (size_t i = 0; i < sc->nexpects; i++) {
		if (!xr[i].applies)
			continue;
		fprintf(f, "  %s  %s:%d  %s", xr[i].pass ? "pass" : "FAIL", xr[i].e->file, xr[i].e->line,
			xr[i].e->text);
		if (!xr[i].pass)
			fprintf(f, "   (observed: %s)", xr[i].observed);
		fputc('\n', f);
	}
	/* Each guest the host stack ran: exits and cycles per timer tick, the
	 * what-if's figures of merit. */
	for (size_t i = 0; i < sc->nguests; i++) {
		const struct hv_guest *g = rc->guests[i];
		if (!g || !g->n.runs)
			continue;
		fprintf(f, "  guest %s: ", g->name);
		if (g->nvcpus > 1)
			fprintf(f, "%llu vCPUs (%llu secondaries ran), ", (unsigned long long)g->nvcpus,
				(unsigned long long)g->n.cpus_reported);
		fprintf(f, "%llu exits (%llu irq, %llu sync, %llu other), %llu ticks",
			(unsigned long long)g->n.exits,
			(unsigned long long)g->n.exits_by[RMI_EXIT_IRQ],
			(unsigned long long)g->n.exits_by[RMI_EXIT_SYNC],
			(unsigned long long)(g->n.exits - g->n.exits_by[RMI_EXIT_IRQ] -
					     g->n.exits_by[RMI_EXIT_SYNC]),
			(unsigned long long)g->n.reported);
		/* per tick of the workload phase (boot and shutdown are not ticks'
		 * work): its exits and cycles */
		char ph[SIM_PHASE_NAME_MAX + 16], st[64];
		if (sc->nguests > 1)
			snprintf(ph, sizeof(ph), "%s.workload", g->name);
		else
			snprintf(ph, sizeof(ph), "workload");
		snprintf(st, sizeof(st), "hv.%s.exits", g->name);
		uint64_t wcyc = sim_phase_cycles(&rc->sim, ph), wexits = sim_phase_delta(&rc->sim, ph, st);
		if (g->n.reported && wcyc)
			fprintf(f, "; workload: %.2f exits/tick, %llu cycles/tick",
				(double)wexits / (double)g->n.reported,
				(unsigned long long)(wcyc / g->n.reported));
		fputc('\n', f);
	}
	fprintf(f, "  outcome: %s\n  cycles: %llu (%llu ns)\n  digest: %s\n",
		res->outcome, (unsigned long long)res->cycles,
		(unsigned long long)sim_cycles_to_ns(&rc->sim, res->cycles), res->digest);
	if (res->expects_total == 0) /* a run that checked nothing is not a pass */
		fprintf(f, "  result: NOTHING CHECKED (no expectation applies on this profile)\n");
	else
		fprintf(f, "  result: %s (%zu/%zu expectations met)\n", res->pass ? "PASS" : "FAIL",
			res->expects_total - res->expects_failed, res->expects_total);
}
