/* Stats registry and JSON dump; see stats.h. */
#include "sim/stats.h"

#include <assert.h>
#include <glib.h>
#include <string.h>

#include "sim/sim.h"

void sim_hist_add(struct sim_hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->bucket[v ? 64 - __builtin_clzll(v) : 0]++;
}

void sim_stats_init(struct sim_stats *st)
{
	*st = (struct sim_stats){0};
}

void sim_stats_free(struct sim_stats *st)
{
	for (size_t i = 0; i < st->len; i++)
		g_free(st->v[i].name);
	g_free(st->v);
	*st = (struct sim_stats){0};
}

void sim_stat_register(struct sim *s, const char *prefix, const char *name,
		       enum sim_stat_kind kind, const void *ptr, const char *desc)
{
	struct sim_stats *st = &s->stats;
	if (st->len == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 64;
		st->v = g_realloc_n(st->v, st->cap, sizeof(*st->v));
	}
	char *full = prefix ? g_strdup_printf("%s.%s", prefix, name) : g_strdup(name);
	for (size_t i = 0; i < st->len; i++)
		assert(strcmp(st->v[i].name, full) != 0); /* a name is registered once */
	st->v[st->len++] = (struct sim_stat){ .name = full, .desc = desc, .kind = kind, .ptr = ptr };
}

void sim_stat_register_table(struct sim *s, const char *prefix, const void *base,
			     const struct sim_stat_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sim_stat_register(s, prefix, defs[i].name, defs[i].kind,
				  (const uint8_t *)base + defs[i].offset, defs[i].desc);
}

uint64_t sim_stat_get(const struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->stats.len; i++) {
		const struct sim_stat *e = &s->stats.v[i];
		if (strcmp(e->name, name) == 0)
			return e->kind == SIM_STAT_HIST ? ((const struct sim_hist *)e->ptr)->count
							: *(const uint64_t *)e->ptr;
	}
	return UINT64_MAX;
}

static int cmp_stat(const void *a, const void *b)
{
	const struct sim_stat *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

static void pad(FILE *f, int n)
{
	for (int i = 0; i < n; i++)
		fputs("  ", f);
}

/* Number of leading dot-separated components two names share. */
static int common_depth(char **a, char **b)
{
	int d = 0;
	while (a && b && a[d] && b[d] && a[d + 1] && b[d + 1] && strcmp(a[d], b[d]) == 0)
		d++;
	return d;
}

static void dump_value(const struct sim *s, const struct sim_stat *e, const char *leaf, FILE *f,
		       int ind)
{
	pad(f, ind);
	if (e->kind == SIM_STAT_HIST) {
		const struct sim_hist *h = e->ptr;
		fprintf(f, "\"%s\": {\"count\": %llu, \"sum\": %llu, \"max\": %llu, \"log2_buckets\": [",
			leaf, (unsigned long long)h->count, (unsigned long long)h->sum,
			(unsigned long long)h->max);
		int last = 0;
		for (int i = 0; i < SIM_HIST_BUCKETS; i++)
			if (h->bucket[i])
				last = i;
		for (int i = 0; i <= last; i++)
			fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)h->bucket[i]);
		fputs("]}", f);
		return;
	}
	uint64_t v = *(const uint64_t *)e->ptr;
	fprintf(f, "\"%s\": %llu", leaf, (unsigned long long)v);
	if (e->kind == SIM_STAT_CYCLES)
		fprintf(f, ",\n%*s\"%s_ns\": %llu", 2 * ind, "", leaf,
			(unsigned long long)sim_cycles_to_ns(s, v));
}

/* The registered stats by name; the caller frees the array. */
static const struct sim_stat **stats_sorted(const struct sim *s)
{
	size_t n = s->stats.len;
	const struct sim_stat **sorted = g_new(const struct sim_stat *, n ? n : 1);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &s->stats.v[i];
	qsort(sorted, n, sizeof(*sorted), cmp_stat);
	return sorted;
}

void sim_stats_list(const struct sim *s, FILE *f)
{
	static const char *const kinds[] = {
		[SIM_STAT_COUNT] = "count", [SIM_STAT_CYCLES] = "cycles", [SIM_STAT_HIST] = "hist",
	};
	const struct sim_stat **sorted = stats_sorted(s);
	int w = 0;
	for (size_t i = 0; i < s->stats.len; i++)
		if ((int)strlen(sorted[i]->name) > w)
			w = (int)strlen(sorted[i]->name);
	for (size_t i = 0; i < s->stats.len; i++) {
		const struct sim_stat *e = sorted[i];
		fprintf(f, "%-*s  %-6s  %s%s\n", w, e->name, kinds[e->kind], e->desc,
			e->kind == SIM_STAT_CYCLES ? " (also in ns as <name>_ns)" : "");
	}
	g_free(sorted);
}

void sim_stats_dump_json(const struct sim *s, FILE *f, int indent)
{
	size_t n = s->stats.len;
	const struct sim_stat **sorted = stats_sorted(s);
	char ***parts = g_new0(char **, n + 1);
	for (size_t i = 0; i < n; i++)
		parts[i] = g_strsplit(sorted[i]->name, ".", -1);

	fputs("{\n", f);
	int open = 0; /* nested objects currently open below the root */
	for (size_t i = 0; i < n; i++) {
		int depth = (int)g_strv_length(parts[i]) - 1;
		int keep = i ? common_depth(parts[i - 1], parts[i]) : 0;
		if (keep > open)
			keep = open;
		while (open > keep) {
			fputc('\n', f);
			pad(f, indent + open);
			fputc('}', f);
			open--;
		}
		if (i)
			fputs(",\n", f);
		for (int d = open; d < depth; d++) {
			pad(f, indent + 1 + d);
			fprintf(f, "\"%s\": {\n", parts[i][d]);
			open++;
		}
		dump_value(s, sorted[i], parts[i][depth], f, indent + 1 + depth);
	}
	while (open > 0) {
		fputc('\n', f);
		pad(f, indent + open);
		fputc('}', f);
		open--;
	}
	fputc('\n', f);
	pad(f, indent);
	fputc('}', f);
	for (size_t i = 0; i < n; i++)
		g_strfreev(parts[i]);
	g_free(parts);
	g_free(sorted);
}
