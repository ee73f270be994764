/* `ccsim trace`: the decoded view of a binary trace with its filters, and
 * the export subcommand. The whole file is checked before anything is
 * printed, so a truncated or corrupt trace gives one error and no half
 * listing. */
#include "harness/trace/trace_cmd.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lang/scenario.h"
#include "harness/trace/trace_decode.h"
#include "harness/trace/trace_perfetto.h"

static const char usage[] =
	"usage: ccsim trace FILE [--actor A[,A]] [--kind K[,K]] [--cycles FROM..TO]\n"
	"                        [--guest NAME|ID] [--json]\n"
	"       ccsim trace export --perfetto OUT.pftrace FILE [--freq-hz N]\n"
	"\n"
	"Print a binary trace (a run's trace.bin) one record a line, its numbers\n"
	"decoded: monitor calls (RMI, RSI, PSCI, SEAMCALL and TDCALL leaves) and their\n"
	"statuses by name, exit reasons, fault kinds, RMP checks, scenario lines in\n"
	"decimal.\n"
	"Columns: cycle, source, kind, then NAME=VALUE per field. docs/outputs.md\n"
	"lists every kind of record and its fields.\n"
	"\n"
	"filters (a record must pass each one given; a list passes any of its items;\n"
	"each may be repeated):\n"
	"  --actor A[,A]      records of these sources: host, phys, scenario, rmm, tdx,\n"
	"                     machine, hv.g0.vcpu, ...; globs work ('hv.*');\n"
	"                     `--kind source` lists a trace's sources\n"
	"  --kind K[,K]       records of these kinds: mon.call, rmp.fault, 'mon.*', ...\n"
	"  --cycles FROM..TO  records from cycle FROM to cycle TO, both included;\n"
	"                     either may be left out (1000.. or ..5000)\n"
	"  --guest NAME|ID    one guest's records: its vCPUs' own (NAME for a vm,\n"
	"                     hv.NAME.vcpu for a guest) and every record within a\n"
	"                     scenario step that names it (NAME.op ..., host.guest_run\n"
	"                     NAME, vm=NAME); ID is the source id of one of its vCPUs\n"
	"output:\n"
	"  --json             one JSON object a line (JSON Lines): cycle, ns, source,\n"
	"                     kind, the raw arguments and their decoded names\n"
	"\n"
	"export:\n"
	"  --perfetto OUT     write FILE as a Perfetto trace (TrackEvent protobuf) to\n"
	"                     open at ui.perfetto.dev: a track per source and per guest\n"
	"                     vCPU, slices for steps, monitor calls, guest runs and\n"
	"                     phases, instants for exits, faults and attacker actions\n"
	"  --freq-hz N        the clock of a version 1 trace, whose header lacks it\n"
	"\n"
	"exit status: 0 success; 2 bad usage, or a file that is not a trace or is cut\n"
	"short or corrupt (the message names the byte offset)\n";

static int bad(const char *fmt, const char *arg)
{
	fputs("ccsim trace: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(ccsim trace --help for usage)\n", stderr);
	return 2;
}

struct filter {
	GPtrArray *actors, *kinds; /* patterns (char *), borrowed from argv or owned by `owned` */
	GPtrArray *owned;
	bool has_from, has_to;
	uint64_t from, to;
	const char *guest;
	bool json;
	const char *file;
	/* the guest, once the scan found it */
	char *guest_name;
	GArray *guest_src;  /* uint16_t source ids of its vCPUs */
	bool in_step;       /* the present step names the guest */
	uint64_t done_line; /* the step that just ended named it: its capture follows */
	bool done_in;
};

static void add_list(struct filter *f, GPtrArray *to, const char *list)
{
	gchar **items = g_strsplit(list, ",", -1);
	for (gchar **p = items; *p; p++) {
		if (!**p)
			continue;
		g_ptr_array_add(to, *p);
		g_ptr_array_add(f->owned, *p);
		*p = NULL;
	}
	for (gchar **p = items; *p; p++)
		g_free(*p);
	g_free(items);
}

static bool matches(const GPtrArray *pats, const char *s)
{
	for (guint i = 0; i < pats->len; i++)
		if (g_pattern_match_simple(pats->pdata[i], s))
			return true;
	return false;
}

/* FROM..TO, FROM.. or ..TO */
static int parse_range(struct filter *f, const char *v)
{
	const char *dots = strstr(v, "..");
	if (!dots)
		return bad("--cycles %s: expected FROM..TO (either may be left out)", v);
	gchar *a = g_strndup(v, (gsize)(dots - v));
	const char *b = dots + 2;
	int rc = 0;
	f->has_from = *a != 0;
	f->has_to = *b != 0;
	if (!f->has_from && !f->has_to)
		rc = bad("--cycles %s: expected FROM..TO with at least one of them", v);
	else if ((f->has_from && scenario_number(a, &f->from)) || (f->has_to && scenario_number(b, &f->to)))
		rc = bad("--cycles %s: FROM and TO must be cycle numbers", v);
	else if (f->has_from && f->has_to && f->from > f->to)
		rc = bad("--cycles %s: FROM is past TO", v);
	g_free(a);
	return rc;
}

static int parse_args(struct filter *f, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(a, "--actor") == 0 || strcmp(a, "--kind") == 0 ||
			     strcmp(a, "--cycles") == 0 || strcmp(a, "--guest") == 0;
		if (takes && (!v || !*v))
			return bad("%s needs a value", a);
		if (strcmp(a, "--actor") == 0) {
			add_list(f, f->actors, argv[++i]);
		} else if (strcmp(a, "--kind") == 0) {
			add_list(f, f->kinds, argv[++i]);
		} else if (strcmp(a, "--cycles") == 0) {
			if (parse_range(f, argv[++i]))
				return 2;
		} else if (strcmp(a, "--guest") == 0) {
			if (f->guest)
				return bad("%s: one guest at a time", a);
			f->guest = argv[++i];
		} else if (strcmp(a, "--json") == 0) {
			f->json = true;
		} else if (a[0] == '-' && a[1]) {
			return bad("unknown option %s", a);
		} else if (!f->file) {
			f->file = a;
		} else {
			return bad("unexpected argument %s (one trace FILE)", a);
		}
	}
	if (!f->file)
		return bad("%s", "expected a trace FILE");
	return 0;
}

/* Every --kind item must name (or match) a kind of record. */
static int check_kinds(const struct filter *f)
{
	for (guint i = 0; i < f->kinds->len; i++) {
		bool any = false;
		for (unsigned t = 0; t < TRACE_TYPE_COUNT && !any; t++)
			any = g_pattern_match_simple(f->kinds->pdata[i], trace_types[t].name);
		if (!any) {
			GString *s = g_string_new(NULL);
			for (unsigned t = 0; t < TRACE_TYPE_COUNT; t++)
				g_string_append_printf(s, "%s%s", t ? ", " : "", trace_types[t].name);
			fprintf(stderr, "ccsim trace: --kind %s: no such kind of record (kinds: %s)\n",
				(const char *)f->kinds->pdata[i], s->str);
			g_string_free(s, TRUE);
			return 2;
		}
	}
	return 0;
}

static int check_actors(const struct filter *f, const struct trace_names *n)
{
	for (guint i = 0; i < f->actors->len; i++) {
		bool any = false;
		for (guint k = 0; k < n->src->len && !any; k++)
			any = n->src->pdata[k] && g_pattern_match_simple(f->actors->pdata[i], n->src->pdata[k]);
		if (!any) {
			GString *s = g_string_new(NULL);
			for (guint k = 0; k < n->src->len; k++)
				if (n->src->pdata[k])
					g_string_append_printf(s, "%s%s", s->len ? ", " : "",
							       (const char *)n->src->pdata[k]);
			fprintf(stderr, "ccsim trace: --actor %s: %s has no such source (sources: %s)\n",
				(const char *)f->actors->pdata[i], f->file, s->str);
			g_string_free(s, TRUE);
			return 2;
		}
	}
	return 0;
}

/* --- --guest --- */

/* The guest a source is a vCPU of: "hv.NAME.vcpu..." -> NAME; NULL otherwise. */
static char *vcpu_guest(const char *src)
{
	if (!g_str_has_prefix(src, "hv."))
		return NULL;
	const char *dot = strstr(src + 3, ".vcpu");
	return dot && dot > src + 3 ? g_strndup(src + 3, (gsize)(dot - src - 3)) : NULL;
}

/* Actors that are not guests: what a step's "ACTOR." may also name. */
static bool infrastructure(const char *actor)
{
	static const char *const not_guests[] = { "host", "phys", "mon", "verifier", "dev", NULL };
	for (const char *const *p = not_guests; *p; p++)
		if (strcmp(actor, *p) == 0)
			return true;
	return false;
}

/* A step names the guest when one of its words is NAME, begins with NAME.,
 * or ends with =NAME (vm=NAME). */
static bool step_names(const uint8_t *text, uint32_t len, const char *name)
{
	gchar *s = g_strndup((const char *)text, len);
	gchar **w = g_strsplit_set(s, " \t", -1);
	size_t nl = strlen(name);
	bool yes = false;
	for (gchar **p = w; *p && !yes; p++) {
		const char *eq = strrchr(*p, '=');
		yes = strcmp(*p, name) == 0 || (strncmp(*p, name, nl) == 0 && (*p)[nl] == '.') ||
		      (eq && strcmp(eq + 1, name) == 0);
	}
	g_strfreev(w);
	g_free(s);
	return yes;
}

/* What the scan gathers for --guest: the guests it can name. */
struct guest_scan {
	GPtrArray *names; /* char *, owned, unique */
};

static void guest_add(struct guest_scan *g, char *name)
{
	for (guint i = 0; i < g->names->len; i++)
		if (strcmp(g->names->pdata[i], name) == 0) {
			g_free(name);
			return;
		}
	g_ptr_array_add(g->names, name);
}

static void guest_scan_rec(void *ctx, const struct trace_rec *rec)
{
	struct guest_scan *g = ctx;
	if (rec->type == TRACE_SOURCE) {
		gchar *s = g_strndup((const char *)rec->payload, rec->len);
		char *v = vcpu_guest(s);
		g_free(s);
		if (v)
			guest_add(g, v);
	} else if (rec->type == TRACE_STEP) {
		const char *p = (const char *)rec->payload, *dot = memchr(p, '.', rec->len);
		const char *sp = memchr(p, ' ', rec->len);
		if (dot && dot > p && (!sp || dot < sp)) {
			char *actor = g_strndup(p, (gsize)(dot - p));
			if (infrastructure(actor))
				g_free(actor);
			else
				guest_add(g, actor);
		}
	}
}

static bool source_of_guest(const char *src, const char *name)
{
	char *v = vcpu_guest(src);
	bool yes = (v && strcmp(v, name) == 0) || strcmp(src, name) == 0;
	g_free(v);
	return yes;
}

/* Resolve --guest against the trace: a name it has, or a source id of a vCPU. */
static int resolve_guest(struct filter *f, const struct trace_names *n, const struct guest_scan *g)
{
	uint64_t id;
	if (scenario_number(f->guest, &id) == 0) {
		const char *src = id < n->src->len ? n->src->pdata[id] : NULL;
		for (guint i = 0; src && i < g->names->len && !f->guest_name; i++)
			if (source_of_guest(src, g->names->pdata[i]))
				f->guest_name = g_strdup(g->names->pdata[i]);
	} else {
		for (guint i = 0; i < g->names->len && !f->guest_name; i++)
			if (strcmp(g->names->pdata[i], f->guest) == 0)
				f->guest_name = g_strdup(f->guest);
	}
	if (!f->guest_name) {
		GString *s = g_string_new(NULL);
		for (guint i = 0; i < g->names->len; i++)
			g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)g->names->pdata[i]);
		fprintf(stderr, "ccsim trace: --guest %s: %s has no such guest (guests: %s; an ID is the "
			"source id of a guest's vCPU)\n", f->guest, f->file, s->len ? s->str : "none");
		g_string_free(s, TRUE);
		return 2;
	}
	for (guint k = 0; k < n->src->len; k++)
		if (n->src->pdata[k] && source_of_guest(n->src->pdata[k], f->guest_name)) {
			uint16_t id16 = (uint16_t)k;
			g_array_append_val(f->guest_src, id16);
		}
	return 0;
}

static bool guest_keeps(struct filter *f, const struct trace_rec *rec)
{
	for (guint i = 0; i < f->guest_src->len; i++)
		if (g_array_index(f->guest_src, uint16_t, i) == rec->src)
			return true;
	switch (rec->type) {
	case TRACE_STEP:
		f->in_step = step_names(rec->payload, rec->len, f->guest_name);
		f->done_in = false;
		return f->in_step;
	case TRACE_STEP_DONE: {
		bool in = f->in_step;
		f->done_in = in;
		f->done_line = rec->a[0];
		f->in_step = false;
		return in;
	}
	case TRACE_CAPTURE:
		return f->done_in && rec->a[0] == f->done_line;
	default:
		return f->in_step;
	}
}

static bool keeps(struct filter *f, const struct trace_names *n, const struct trace_rec *rec)
{
	/* the guest's step state follows every record, whatever else filters it */
	bool guest = !f->guest_name || guest_keeps(f, rec);
	if (f->has_from && rec->cycle < f->from)
		return false;
	if (f->has_to && rec->cycle > f->to)
		return false;
	if (f->kinds->len && !matches(f->kinds, trace_types[rec->type].name))
		return false;
	if (f->actors->len && !matches(f->actors, trace_names_source(n, rec->src)))
		return false;
	return guest;
}

static int print_trace(struct filter *f)
{
	char err[512];
	struct trace_reader r;
	struct trace_names n;
	struct trace_rec rec;
	struct guest_scan g = { g_ptr_array_new_with_free_func(g_free) };
	int rc = 2, k;
	FILE *in = fopen(f->file, "rb");
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", f->file, g_strerror(errno));
		goto out;
	}
	if (trace_scan(in, f->file, &r, &n, f->guest ? guest_scan_rec : NULL, &g, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (check_actors(f, &n) || (f->guest && resolve_guest(f, &n, &g)))
		goto names;
	while ((k = trace_reader_next(&r, &rec, err, sizeof(err))) > 0) {
		if (!keeps(f, &n, &rec))
			continue;
		if (f->json)
			trace_print_json(stdout, &n, &rec);
		else
			trace_print_text(stdout, &n, &rec);
	}
	if (k < 0) { /* the file changed since the scan */
		fprintf(stderr, "%s\n", err);
		goto names;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ccsim trace: cannot write the output: %s\n", g_strerror(errno));
		goto names;
	}
	rc = 0;
names:
	trace_names_fini(&n);
out:
	if (in)
		fclose(in);
	g_ptr_array_free(g.names, TRUE);
	return rc;
}

/* ccsim trace export --perfetto OUT FILE [--freq-hz N] */
static int export_main(int argc, char **argv)
{
	const char *out = NULL, *file = NULL;
	uint64_t freq = 0;
	char err[512];
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if ((strcmp(a, "--perfetto") == 0 || strcmp(a, "--freq-hz") == 0) && (!v || !*v))
			return bad("%s needs a value", a);
		if (strcmp(a, "--perfetto") == 0) {
			out = argv[++i];
		} else if (strcmp(a, "--freq-hz") == 0) {
			if (scenario_number(argv[++i], &freq) || freq == 0)
				return bad("--freq-hz %s: expected a frequency in Hz above 0", argv[i]);
		} else if (a[0] == '-' && a[1]) {
			return bad("export: unknown option %s", a);
		} else if (!file) {
			file = a;
		} else {
			return bad("export: unexpected argument %s (one trace FILE)", a);
		}
	}
	if (!out)
		return bad("%s", "export: expected --perfetto OUT (the one format there is)");
	if (!file)
		return bad("%s", "export: expected a trace FILE");
	FILE *in = fopen(file, "rb");
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", file, g_strerror(errno));
		return 2;
	}
	int rc = trace_perfetto_export(in, file, out, freq, err, sizeof(err));
	fclose(in);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	return 0;
}

int trace_cmd_main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
	if (argc > 0 && strcmp(argv[0], "export") == 0)
		return export_main(argc - 1, argv + 1);
	struct filter f = { .actors = g_ptr_array_new(), .kinds = g_ptr_array_new(),
			    .owned = g_ptr_array_new_with_free_func(g_free),
			    .guest_src = g_array_new(FALSE, FALSE, sizeof(uint16_t)) };
	int rc = parse_args(&f, argc, argv);
	if (!rc)
		rc = check_kinds(&f);
	if (!rc)
		rc = print_trace(&f);
	g_ptr_array_free(f.actors, TRUE);
	g_ptr_array_free(f.kinds, TRUE);
	g_ptr_array_free(f.owned, TRUE);
	g_array_free(f.guest_src, TRUE);
	g_free(f.guest_name);
	return rc;
}
