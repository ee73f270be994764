/* Printing the attack matrix: the compact table fitted to a width, the wide
 * table, and the summary naming every failing cell; see matrix_print.h. */
#include "harness/matrix/matrix_print.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

unsigned matrix_width(const char *columns_env, int tty_cols)
{
	unsigned long w = tty_cols > 0 ? (unsigned long)tty_cols : 80;
	if (columns_env && *columns_env >= '0' && *columns_env <= '9') {
		char *end;
		errno = 0;
		unsigned long v = strtoul(columns_env, &end, 10);
		if (!errno && !*end && v > 0)
			w = MIN(v, 100000ul); /* past any screen; keeps the sums small */
	}
	return (unsigned)MAX(w, (unsigned long)MATRIX_MIN_WIDTH);
}

unsigned matrix_term_width(void)
{
	struct winsize ws;
	int cols = 0;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		cols = ws.ws_col;
	return matrix_width(getenv("COLUMNS"), cols);
}

char matrix_cell_code(const struct matrix_cell *c)
{
	const char *o = c->res.outcome;
	if (c->status)
		return 'E';
	if (strcmp(o, "not-attack") == 0)
		return '~';
	if (strcmp(o, "leaked") == 0)
		return 'L';
	if (strcmp(o, "inferred") == 0)
		return 'I';
	if (strcmp(o, "dos") == 0)
		return 'X';
	if (strcmp(o, "hijacked") == 0)
		return 'H';
	if (strcmp(o, "corrupted") == 0)
		return 'C';
	if (strcmp(o, "detected") == 0)
		return 'D';
	if (g_str_has_prefix(o, "blocked"))
		return 'B';
	return '-';
}

char matrix_cell_mark(const struct matrix_cell *c)
{
	if (c->status)
		return ' ';
	if (!c->res.pass)
		return '!';
	return c->res.expects_total ? ' ' : '?';
}

void matrix_short_path(const char *path, unsigned width, char *out, size_t outlen)
{
	size_t n = strlen(path);
	if (n <= width) {
		g_strlcpy(out, path, outlen);
		return;
	}
	/* The first '/' whose tail fits behind ".../" keeps the most of the path. */
	for (const char *s = strchr(path, '/'); s && width > 4; s = strchr(s + 1, '/')) {
		if (s[1] && strlen(s + 1) + 4 <= width) {
			snprintf(out, outlen, ".../%s", s + 1);
			return;
		}
	}
	if (width > 3)
		snprintf(out, outlen, "...%s", path + n - (width - 3));
	else
		g_strlcpy(out, path + n - width, MIN(outlen, (size_t)width + 1));
}

void matrix_count(const struct matrix_cell *cells, size_t n, struct matrix_counts *k)
{
	*k = (struct matrix_counts){ 0 };
	for (size_t i = 0; i < n; i++) {
		if (cells[i].status) {
			k->errors++;
		} else {
			k->runs++;
			if (cells[i].res.pass)
				k->passed++;
			else
				k->failed++;
		}
	}
}

/* --- the wide table: unchanged since before the compact one --- */

void matrix_print_wide(FILE *f, const struct matrix_cell *J, size_t n, char **cols, size_t ncols)
{
	size_t w = 8;
	for (size_t i = 0; i < n; i++)
		w = MAX(w, strlen(J[i].scenario));
	fprintf(f, "%-*s", (int)w, "scenario");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, "  %-26s", cols[c]);
	fputc('\n', f);
	for (size_t i = 0; i < n;) {
		size_t k = i;
		fprintf(f, "%-*s", (int)w, J[i].scenario);
		for (size_t c = 0; c < ncols; c++) {
			char cell[160] = "-";
			for (size_t m = i; m < n && strcmp(J[m].scenario, J[i].scenario) == 0; m++) {
				if (strcmp(J[m].profile, cols[c]) != 0)
					continue;
				if (J[m].status)
					snprintf(cell, sizeof(cell), "ERROR");
				else
					snprintf(cell, sizeof(cell), "%s %s",
						 !J[m].res.expects_total ? "unchecked"
						 : J[m].res.pass     ? "pass" : "FAIL",
						 J[m].res.outcome);
			}
			fprintf(f, "  %-26s", cell);
		}
		fputc('\n', f);
		while (k < n && strcmp(J[k].scenario, J[i].scenario) == 0)
			k++;
		i = k;
	}
}

void matrix_print_wide_summary(FILE *f, const struct matrix_counts *k)
{
	fprintf(f, "%zu runs: %zu passed, %zu failed; %zu errors\n", k->runs, k->passed, k->failed,
		k->errors);
}

/* --- filling lines to a width --- */

/* Items laid on lines of at most `width` characters; a line that is
 * continued starts with `indent` spaces. An item too long for a line is
 * cut where the line ends. */
struct wrap {
	FILE *f;
	unsigned width, indent;
	GString *line;
	size_t lead;        /* characters before the line's first item */
	unsigned lines;     /* lines printed */
};

static void wrap_flush(struct wrap *w)
{
	while (w->line->len && w->line->str[w->line->len - 1] == ' ')
		g_string_truncate(w->line, w->line->len - 1);
	fprintf(w->f, "%s\n", w->line->str);
	w->lines++;
	g_string_assign(w->line, "");
	g_string_append_printf(w->line, "%*s", (int)w->indent, "");
	w->lead = w->line->len;
}

/* The first line starts with `first` spaces, the others with `indent`. */
static void wrap_begin(struct wrap *w, FILE *f, unsigned width, unsigned first, unsigned indent)
{
	*w = (struct wrap){ f, width, MIN(indent, width / 2), g_string_new(NULL), 0, 0 };
	g_string_append_printf(w->line, "%*s", (int)MIN(first, width / 2), "");
	w->lead = w->line->len;
}

static void wrap_end(struct wrap *w)
{
	if (w->line->len > w->lead)
		wrap_flush(w);
	g_string_free(w->line, TRUE);
}

/* Where to cut `item` to fill `room` characters: after the last '/' or '-'
 * in the second half of the room if there is one, and never inside a UTF-8
 * character. */
static size_t wrap_cut(const char *item, size_t room)
{
	for (size_t k = room; k > room / 2; k--)
		if (item[k - 1] == '/' || item[k - 1] == '-')
			return k;
	while (room > 1 && ((unsigned char)item[room] & 0xc0) == 0x80)
		room--;
	return room;
}

static void wrap_item(struct wrap *w, const char *item, const char *sep)
{
	size_t n = strlen(item);
	if (w->line->len > w->lead) {
		if (w->line->len + strlen(sep) + n <= w->width) {
			g_string_append(w->line, sep);
			g_string_append(w->line, item);
			return;
		}
		if (n <= w->width - w->indent || w->line->len + strlen(sep) + 1 >= w->width)
			wrap_flush(w);
		else
			g_string_append(w->line, sep); /* too long for any line: fill this one */
	}
	while (w->line->len + n > w->width) {
		size_t room = wrap_cut(item, w->width - w->line->len);
		g_string_append_len(w->line, item, (gssize)room);
		wrap_flush(w);
		item += room;
		n -= room;
	}
	g_string_append(w->line, item);
}

/* `items` on at most `max_lines` lines (if each fits a line): those left
 * over are counted in a closing "+N more (--wide names each)". */
static void wrap_items_capped(struct wrap *w, char **items, size_t n, unsigned max_lines)
{
	char more[64];
	size_t i;
	for (i = 0; i < n; i++) {
		if (w->lines + 1 >= max_lines) {
			snprintf(more, sizeof(more), "+%zu more (--wide names each)", n - i - 1);
			size_t need = w->line->len + 2 + strlen(items[i]) + (i + 1 < n ? 2 + strlen(more) : 0);
			if (need > w->width)
				break;
		}
		wrap_item(w, items[i], "  ");
	}
	if (i < n) {
		snprintf(more, sizeof(more), "+%zu more (--wide names each)", n - i);
		wrap_item(w, more, "  ");
	}
}

/* Words of `text` (control characters taken as spaces), filled. */
static void wrap_text(struct wrap *w, const char *text)
{
	gchar *t = g_strdup(text);
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	gchar **words = g_strsplit(t, " ", -1);
	for (gchar **p = words; *p; p++)
		if (**p)
			wrap_item(w, *p, " ");
	g_strfreev(words);
	g_free(t);
}

/* --- the compact table --- */

/* A profile's family: its name up to the first '-' (sev-snp: sev). */
static size_t family_len(const char *p)
{
	const char *d = strchr(p, '-');
	return d ? (size_t)(d - p) : strlen(p);
}

static bool same_family(const char *a, const char *b)
{
	size_t n = family_len(a);
	return n == family_len(b) && memcmp(a, b, n) == 0;
}

/* plain, the unprotected baseline, first; then families by name; within a
 * family, names in order (the family's own profile sorts first). */
static gint cmp_profile(gconstpointer pa, gconstpointer pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;
	size_t fa = family_len(a), fb = family_len(b);
	bool plain_a = fa == 5 && memcmp(a, "plain", 5) == 0, plain_b = fb == 5 && memcmp(b, "plain", 5) == 0;
	if (plain_a != plain_b)
		return plain_a ? -1 : 1;
	int c = memcmp(a, b, MIN(fa, fb));
	if (c)
		return c;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return strcmp(a, b);
}

static const char label_digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

struct layout {
	unsigned width;
	unsigned nw;          /* the scenario column */
	unsigned lw, cw;      /* a column's label and its width */
	unsigned fam_max;     /* longest family heading a column block may hold */
	const char **cols;    /* profiles, grouped by family */
	size_t ncols;
	size_t prefix;        /* leading characters every scenario path shares */
};

static void col_label(const struct layout *L, size_t i, char *out)
{
	out[L->lw] = '\0';
	for (unsigned k = L->lw; k-- > 0; i /= 52)
		out[k] = label_digits[i % 52];
}

/* End of the run of columns of cols[i]'s family, at most b. */
static size_t group_end(const struct layout *L, size_t i, size_t b)
{
	size_t j = i + 1;
	while (j < b && same_family(L->cols[j], L->cols[i]))
		j++;
	return j;
}

/* Width of one family's run of `k` columns, the space before it included. */
static unsigned group_width(const struct layout *L, const char *profile, size_t k)
{
	unsigned fam = (unsigned)MIN(family_len(profile), (size_t)L->fam_max);
	return 1 + MAX(L->cw * (unsigned)k, fam + 1);
}

/* Width of columns [a, b). */
static unsigned span_width(const struct layout *L, size_t a, size_t b)
{
	unsigned w = 0;
	for (size_t i = a; i < b;) {
		size_t j = group_end(L, i, b);
		w += group_width(L, L->cols[i], j - i);
		i = j;
	}
	return w;
}

static void print_trimmed(FILE *f, GString *s)
{
	while (s->len && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
	fprintf(f, "%s\n", s->str);
	g_string_assign(s, "");
}

static void pad_to(GString *s, size_t len)
{
	while (s->len < len)
		g_string_append_c(s, ' ');
}

/* The two heading lines of columns [a, b): families, then column labels. */
static void print_heading(FILE *f, const struct layout *L, const char *title, size_t a, size_t b)
{
	GString *fam = g_string_new(NULL), *lab = g_string_new(NULL);
	char label[8], t[4096];
	pad_to(fam, L->nw);
	matrix_short_path(title, L->nw, t, sizeof(t));
	g_string_append(lab, t);
	pad_to(lab, L->nw);
	for (size_t i = a; i < b;) {
		size_t j = group_end(L, i, b);
		size_t start = fam->len, end = start + group_width(L, L->cols[i], j - i);
		g_string_append_c(fam, ' ');
		g_string_append_len(fam, L->cols[i], (gssize)MIN(family_len(L->cols[i]), (size_t)L->fam_max));
		pad_to(fam, end);
		pad_to(lab, start + 1);
		for (size_t k = i; k < j; k++) {
			col_label(L, k, label);
			g_string_append(lab, label);
			pad_to(lab, start + 1 + (k - i + 1) * L->cw);
		}
		pad_to(lab, end);
		i = j;
	}
	if (b > a)
		print_trimmed(f, fam);
	print_trimmed(f, lab);
	g_string_free(fam, TRUE);
	g_string_free(lab, TRUE);
}

/* One scenario's row over columns [a, b); its cells are cells[r, e). */
static void print_row(FILE *f, const struct layout *L, const struct matrix_cell *cells, size_t r, size_t e,
		      size_t a, size_t b)
{
	GString *s = g_string_new(NULL);
	char name[4096];
	bool unloaded = strcmp(cells[r].profile, "-") == 0;
	matrix_short_path(cells[r].scenario + L->prefix, L->nw, name, sizeof(name));
	g_string_append(s, name);
	pad_to(s, L->nw);
	for (size_t i = a; i < b;) {
		size_t j = group_end(L, i, b);
		size_t start = s->len, end = start + group_width(L, L->cols[i], j - i);
		for (size_t k = i; k < j; k++) {
			char code = unloaded ? 'E' : '.', mark = ' ';
			for (size_t m = r; m < e; m++)
				if (strcmp(cells[m].profile, L->cols[k]) == 0) {
					code = matrix_cell_code(&cells[m]);
					mark = matrix_cell_mark(&cells[m]);
				}
			pad_to(s, start + 1 + (k - i) * L->cw);
			g_string_append_c(s, code);
			g_string_append_c(s, mark);
		}
		pad_to(s, end);
		i = j;
	}
	print_trimmed(f, s);
	g_string_free(s, TRUE);
}

/* Characters every scenario path shares up to and including a '/'. */
static size_t common_dir(const struct matrix_cell *cells, size_t n)
{
	size_t len = n ? strlen(cells[0].scenario) : 0;
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && cells[i].scenario[k] == cells[0].scenario[k])
			k++;
		len = k;
	}
	while (len && cells[0].scenario[len - 1] != '/')
		len--;
	return len;
}

/* Scenario column and column blocks: the table in one block when it fits by
 * shortening paths down to a third of the width; else blocks of columns,
 * each repeating the scenario column. Returns the columns' block breaks. */
static GArray *plan_layout(struct layout *L, const struct matrix_cell *cells, size_t n, const char *title)
{
	unsigned full = (unsigned)strlen(title);
	for (size_t i = 0; i < n; i++)
		full = MAX(full, (unsigned)strlen(cells[i].scenario + L->prefix));
	unsigned min_nw = MIN(full, MAX(12u, L->width / 3));
	L->lw = 1;
	for (size_t cap = 52; cap < L->ncols; cap *= 52)
		L->lw++;
	L->cw = L->lw + 1;
	L->fam_max = 64;
	unsigned total = span_width(L, 0, L->ncols);
	if (full + total <= L->width)
		L->nw = full;
	else if (total + min_nw <= L->width)
		L->nw = L->width - total;
	else /* blocks, each with the scenario column: make it worth repeating */
		L->nw = MIN(full, MAX(min_nw, L->width / 2));
	unsigned budget = L->width - L->nw;
	L->fam_max = budget - 2;
	GArray *breaks = g_array_new(FALSE, FALSE, sizeof(size_t));
	size_t start = 0;
	for (size_t i = 0; i < L->ncols; i++)
		if (i > start && span_width(L, start, i + 1) > budget) {
			g_array_append_val(breaks, i);
			start = i;
		}
	g_array_append_val(breaks, L->ncols);
	return breaks;
}

static void legend_cells(struct wrap *w, const struct matrix_cell *cells, size_t n, bool dot)
{
	static const struct { char c; const char *text; } codes[] = {
		{ 'L', "L leaked" }, { 'I', "I inferred" }, { 'C', "C corrupted" }, { 'D', "D detected" },
		{ 'X', "X dos" }, { 'H', "H hijacked" }, { 'B', "B blocked" }, { '-', "- no-leak" },
		{ '~', "~ not an attack" }, { '.', ". not a profile of the scenario" },
		{ 'E', "E did not run (error below)" },
	};
	static const struct { char c; const char *text; } marks[] = {
		{ '!', "! after a code: an expectation failed" }, { '?', "? after a code: nothing checked" },
	};
	wrap_item(w, "cells:", "");
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		bool used = codes[i].c == '.' && dot;
		for (size_t k = 0; k < n && !used; k++)
			used = matrix_cell_code(&cells[k]) == codes[i].c;
		if (used)
			wrap_item(w, codes[i].text, "  ");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(marks); i++) {
		bool used = false;
		for (size_t k = 0; k < n && !used; k++)
			used = matrix_cell_mark(&cells[k]) == marks[i].c;
		if (used)
			wrap_item(w, marks[i].text, "  ");
	}
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "blocked by:" each mechanism that blocked a cell and how many, by name,
 * on a few lines at most: the table, not its legend, should fill a screen. */
static void legend_blocked(struct wrap *w, const struct matrix_cell *cells, size_t n)
{
	GPtrArray *mechs = g_ptr_array_new(), *items = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; i < n; i++) {
		const char *o = cells[i].res.outcome;
		if (matrix_cell_code(&cells[i]) == 'B')
			g_ptr_array_add(mechs, (gpointer)(g_str_has_prefix(o, "blocked: ") ? o + 9 : o));
	}
	g_ptr_array_sort(mechs, cmp_str);
	for (guint i = 0; i < mechs->len;) {
		guint j = i + 1;
		while (j < mechs->len && strcmp(mechs->pdata[j], mechs->pdata[i]) == 0)
			j++;
		g_ptr_array_add(items, g_strdup_printf("%s (%u)", (char *)mechs->pdata[i], j - i));
		i = j;
	}
	if (items->len) {
		wrap_item(w, "blocked by:", "");
		wrap_items_capped(w, (char **)items->pdata, items->len, MATRIX_LEGEND_LINES);
	}
	g_ptr_array_free(items, TRUE);
	g_ptr_array_free(mechs, TRUE);
}

void matrix_print_compact(FILE *f, const struct matrix_cell *cells, size_t n, unsigned width)
{
	struct layout L = { .width = MAX(width, (unsigned)MATRIX_MIN_WIDTH) };
	if (!n)
		return;
	GPtrArray *cols = g_ptr_array_new();
	for (size_t i = 0; i < n; i++) {
		bool seen = strcmp(cells[i].profile, "-") == 0;
		for (guint c = 0; c < cols->len && !seen; c++)
			seen = strcmp(cols->pdata[c], cells[i].profile) == 0;
		if (!seen)
			g_ptr_array_add(cols, cells[i].profile);
	}
	g_ptr_array_sort(cols, cmp_profile);
	L.cols = (const char **)cols->pdata;
	L.ncols = cols->len;
	L.prefix = common_dir(cells, n);
	gchar *title = L.prefix ? g_strndup(cells[0].scenario, L.prefix) : g_strdup("scenario");
	GArray *breaks = plan_layout(&L, cells, n, title);
	bool dot = false;
	size_t a = 0;
	for (guint bk = 0; bk < breaks->len; bk++) {
		size_t b = g_array_index(breaks, size_t, bk);
		if (bk)
			fputc('\n', f);
		print_heading(f, &L, title, a, b);
		for (size_t r = 0; r < n;) {
			size_t e = r + 1;
			while (e < n && strcmp(cells[e].scenario, cells[r].scenario) == 0)
				e++;
			dot |= strcmp(cells[r].profile, "-") != 0 && e - r < L.ncols;
			print_row(f, &L, cells, r, e, a, b);
			r = e;
		}
		a = b;
	}

	struct wrap w;
	char label[8];
	fputc('\n', f);
	wrap_begin(&w, f, L.width, 0, 2);
	if (L.ncols)
		wrap_item(&w, "profiles:", "");
	for (size_t i = 0; i < L.ncols; i++) {
		gchar *item;
		col_label(&L, i, label);
		item = g_strdup_printf("%s %s", label, L.cols[i]);
		wrap_item(&w, item, "  ");
		g_free(item);
	}
	wrap_end(&w);
	wrap_begin(&w, f, L.width, 0, 2);
	legend_cells(&w, cells, n, dot);
	wrap_end(&w);
	wrap_begin(&w, f, L.width, 0, 2);
	legend_blocked(&w, cells, n);
	wrap_end(&w);
	g_array_free(breaks, TRUE);
	g_free(title);
	g_ptr_array_free(cols, TRUE);
}

/* One failing or erroneous cell: what failed, each expectation indented. */
static void summary_cell(FILE *f, const struct matrix_cell *c, unsigned width)
{
	struct wrap w;
	bool unloaded = strcmp(c->profile, "-") == 0;
	wrap_begin(&w, f, width, 0, 4);
	wrap_item(&w, c->status ? "ERROR" : "FAIL", "");
	wrap_item(&w, c->scenario, " ");
	if (!unloaded) {
		wrap_item(&w, "on", " ");
		wrap_item(&w, c->profile, " ");
	}
	wrap_end(&w);
	if (c->status) {
		wrap_begin(&w, f, width, 2, 4);
		wrap_text(&w, c->err);
		wrap_end(&w);
		return;
	}
	size_t kept = MIN(c->res.expects_failed, (size_t)RUN_FAILURES_KEPT);
	for (size_t i = 0; i < kept; i++) {
		const struct run_failure *x = &c->res.failures[i];
		gchar *obs = g_strdup_printf("(observed: %s)", x->observed), *where = g_strdup_printf("%s:", x->where);
		wrap_begin(&w, f, width, 2, 4);
		wrap_item(&w, where, " ");
		wrap_text(&w, x->text);
		wrap_text(&w, obs);
		wrap_end(&w);
		g_free(obs);
		g_free(where);
	}
	if (c->res.expects_failed > kept) {
		gchar *more = g_strdup_printf("and %zu more: ccsim run %s --profile %s", c->res.expects_failed - kept,
					      c->scenario, c->profile);
		wrap_begin(&w, f, width, 2, 4);
		wrap_text(&w, more);
		wrap_end(&w);
		g_free(more);
	}
}

void matrix_print_summary(FILE *f, const struct matrix_cell *cells, size_t n, unsigned width)
{
	struct matrix_counts k;
	struct wrap w;
	width = MAX(width, (unsigned)MATRIX_MIN_WIDTH);
	matrix_count(cells, n, &k);
	if (k.failed || k.errors)
		fputc('\n', f);
	for (size_t i = 0; i < n; i++)
		if (cells[i].status || !cells[i].res.pass)
			summary_cell(f, &cells[i], width);
	gchar *line = g_strdup_printf("%zu cells: %zu passed, %zu failed, %zu errors", n, k.passed, k.failed,
				      k.errors);
	wrap_begin(&w, f, width, 0, 2);
	wrap_text(&w, line);
	wrap_end(&w);
	g_free(line);
}
