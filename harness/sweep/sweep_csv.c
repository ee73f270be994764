/* The sweep's CSV; see sweep_csv.h. */
#include "harness/sweep/sweep_csv.h"

#include <stdio.h>
#include <string.h>

#include "harness/sweep/sweep_io.h"

static const char *const fixed_cols[] = { "verdict", "outcome", "digest", "cycles", "error" };

void sweep_csv_field(GString *g, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		g_string_append(g, s);
		return;
	}
	g_string_append_c(g, '"');
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(g, '"');
		g_string_append_c(g, *s);
	}
	g_string_append_c(g, '"');
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Union of the rows' counter names, sorted. */
static GPtrArray *counter_names(const struct sweep_row *rows, size_t n)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *names = g_ptr_array_new();
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < rows[i].ncounters; c++) {
			char *name = rows[i].counters[c].name;
			if (g_hash_table_add(seen, name))
				g_ptr_array_add(names, name);
		}
	g_hash_table_destroy(seen);
	g_ptr_array_sort(names, cmp_str);
	return names;
}

GString *sweep_csv_text(const struct sweep_plan *plan, const struct sweep_row *rows)
{
	const struct sweep_spec *s = plan->spec;
	GString *g = g_string_new(NULL);
	GPtrArray *cols = counter_names(rows, plan->nconfigs);
	GHashTable *header = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_add(header, g_strdup("profile"));
	g_string_append(g, "profile");
	for (size_t a = 0; a < s->naxes; a++) {
		g_string_append_c(g, ',');
		sweep_csv_field(g, s->axes[a].key);
		g_hash_table_add(header, g_strdup(s->axes[a].key));
	}
	for (size_t a = 0; a < s->naxes; a++)
		if (s->axes[a].machine)
			g_string_append_printf(g, ",resolved:%s", s->axes[a].key);
	for (size_t i = 0; i < G_N_ELEMENTS(fixed_cols); i++) {
		g_string_append_printf(g, ",%s", fixed_cols[i]);
		g_hash_table_add(header, g_strdup(fixed_cols[i]));
	}
	/* A counter named like another column (a param called "cycles") is
	 * told apart by a prefix. */
	for (guint c = 0; c < cols->len; c++) {
		g_string_append_printf(g, ",%s", g_hash_table_contains(header, cols->pdata[c]) ? "stat:" : "");
		sweep_csv_field(g, cols->pdata[c]);
	}
	g_string_append_c(g, '\n');

	size_t *vidx = g_new0(size_t, s->naxes + 1);
	for (size_t i = 0; i < plan->nconfigs; i++) {
		const struct sweep_row *r = &rows[i];
		size_t p;
		sweep_config_decode(s, i, &p, vidx);
		size_t combo = sweep_machine_combo(s, p, vidx);
		sweep_csv_field(g, plan->profile_names[p]);
		for (size_t a = 0; a < s->naxes; a++) {
			g_string_append_c(g, ',');
			sweep_csv_field(g, s->axes[a].values[vidx[a]]);
		}
		for (size_t a = 0; a < s->naxes; a++)
			if (s->axes[a].machine) {
				g_string_append_c(g, ',');
				sweep_csv_field(g, plan->resolved[combo * s->naxes + a]);
			}
		g_string_append_printf(g, ",%s,", sweep_verdict_name(r->verdict));
		sweep_csv_field(g, r->outcome);
		g_string_append_c(g, ',');
		sweep_csv_field(g, r->digest);
		g_string_append_printf(g, ",%llu,", (unsigned long long)r->cycles);
		sweep_csv_field(g, r->error);
		for (guint c = 0; c < cols->len; c++) {
			uint64_t v;
			g_string_append_c(g, ',');
			if (sweep_row_counter(r, cols->pdata[c], &v))
				g_string_append_printf(g, "%llu", (unsigned long long)v);
		}
		g_string_append_c(g, '\n');
	}
	g_free(vidx);
	g_hash_table_destroy(header);
	g_ptr_array_free(cols, TRUE);
	return g;
}

int sweep_csv_write(const struct sweep_plan *plan, const struct sweep_row *rows, const char *path,
		    char *err, size_t errlen)
{
	GString *text = sweep_csv_text(plan, rows);
	int rc = sweep_io_replace_file(path, text->str, text->len, err, errlen);
	g_string_free(text, TRUE);
	return rc;
}
