/* Sweep files; see sweep_file.h. */
#include "harness/sweep/sweep_file.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

struct word {
	char *text;
	int col;    /* 1-based */
};

/* Split a line into words; a quoted word keeps its spaces (escapes \" and
 * \\). Returns the number of words, or -1 with *bad_col at an unterminated
 * quote. */
static int split_words(const char *line, GArray *words, int *bad_col)
{
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		struct word w = { .col = (int)(p - line) + 1 };
		GString *g = g_string_new(NULL);
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				g_string_append_c(g, *p);
			}
			if (*p != '"') {
				*bad_col = w.col;
				g_string_free(g, TRUE);
				return -1;
			}
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
				g_string_append_c(g, *p++);
		}
		w.text = g_string_free(g, FALSE);
		g_array_append_val(words, w);
	}
	return (int)words->len;
}

static void words_clear(GArray *words)
{
	for (guint i = 0; i < words->len; i++)
		g_free(g_array_index(words, struct word, i).text);
	g_array_set_size(words, 0);
}

/* A path in the file is relative to the file's folder. */
static char *relative_to(const char *dir, const char *path)
{
	if (g_path_is_absolute(path) || strcmp(dir, ".") == 0)
		return g_strdup(path);
	return g_build_filename(dir, path, NULL);
}

static bool is_profile_path(const char *p)
{
	return strchr(p, '/') || g_str_has_suffix(p, ".ini");
}

int sweep_file_load(const char *path, struct sweep_spec *s, char *err, size_t errlen)
{
	gchar *text = NULL, *dir = g_path_get_dirname(path);
	GError *ge = NULL;
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		snprintf(err, errlen, "%s:0:0: cannot read sweep file: %s", path, ge->message);
		g_error_free(ge);
		g_free(dir);
		return -1;
	}
	gchar **lines = g_strsplit(text, "\n", -1);
	GArray *words = g_array_new(FALSE, TRUE, sizeof(struct word));
	bool have_seed = false;
	int rc = 0, lineno = 0;
	for (gchar **l = lines; *l && rc == 0; l++) {
		lineno++;
		int bad = 0;
		words_clear(words);
		if (split_words(*l, words, &bad) < 0) {
			snprintf(err, errlen, "%s:%d:%d: unterminated string", path, lineno, bad);
			rc = -1;
			break;
		}
		if (!words->len)
			continue;
		struct word *w = (struct word *)words->data;
		const char *kw = w[0].text;
		char where[4096 + 32];
		snprintf(where, sizeof(where), "%s:%d:%d", path, lineno, w[0].col);
		if (words->len == 1) {
			snprintf(err, errlen, "%s: %s needs a value", where, kw);
			rc = -1;
		} else if (strcmp(kw, "scenario") == 0) {
			rc = -1;
			if (s->scenario)
				snprintf(err, errlen, "%s: a second scenario line (one scenario per sweep)", where);
			else if (words->len > 2)
				snprintf(err, errlen, "%s:%d:%d: one scenario path per line (quote a path with spaces)",
					 path, lineno, w[2].col);
			else {
				s->scenario = relative_to(dir, w[1].text);
				rc = 0;
			}
		} else if (strcmp(kw, "profiles") == 0 || strcmp(kw, "profile") == 0) {
			for (guint i = 1; i < words->len && rc == 0; i++) {
				snprintf(where, sizeof(where), "%s:%d:%d", path, lineno, w[i].col);
				gchar **names = g_strsplit(w[i].text, ",", -1);
				for (gchar **n = names; *n && rc == 0; n++) {
					char *p = is_profile_path(*n) ? relative_to(dir, *n) : g_strdup(*n);
					rc = sweep_spec_add_profiles(s, p, where, err, errlen);
					g_free(p);
				}
				g_strfreev(names);
			}
		} else if (strcmp(kw, "set") == 0) {
			for (guint i = 1; i < words->len && rc == 0; i++) {
				/* "a=1, 2, 3": a list may continue after a comma and spaces */
				GString *assign = g_string_new(w[i].text);
				int col = w[i].col;
				while (g_str_has_suffix(assign->str, ",") && i + 1 < words->len)
					g_string_append(assign, w[++i].text);
				snprintf(where, sizeof(where), "%s:%d:%d", path, lineno, col);
				rc = sweep_spec_add_set(s, assign->str, where, err, errlen);
				g_string_free(assign, TRUE);
			}
		} else if (strcmp(kw, "counter") == 0 || strcmp(kw, "counters") == 0) {
			for (guint i = 1; i < words->len && rc == 0; i++) {
				snprintf(where, sizeof(where), "%s:%d:%d", path, lineno, w[i].col);
				gchar **pats = g_strsplit(w[i].text, ",", -1);
				for (gchar **c = pats; *c && rc == 0; c++)
					rc = sweep_spec_add_counter(s, *c, where, err, errlen);
				g_strfreev(pats);
			}
		} else if (strcmp(kw, "seed") == 0) {
			char *end;
			errno = 0;
			unsigned long long v = g_ascii_strtoull(w[1].text, &end, 0);
			if (have_seed || words->len > 2 || errno || *end || !g_ascii_isdigit(w[1].text[0])) {
				snprintf(err, errlen, "%s:%d:%d: %s", path, lineno,
					 have_seed ? w[0].col : words->len > 2 ? w[2].col : w[1].col,
					 have_seed ? "a second seed line" : "seed: expected one number");
				rc = -1;
			}
			s->seed = v;
			have_seed = true;
		} else {
			snprintf(err, errlen, "%s: unknown statement \"%s\" (expected scenario, profiles, set, "
				 "counter or seed)", where, kw);
			rc = -1;
		}
	}
	if (rc == 0 && !s->scenario) {
		snprintf(err, errlen, "%s:1:1: no scenario line (expected e.g.: scenario ../scenarios/x.scn)", path);
		rc = -1;
	}
	words_clear(words);
	g_array_free(words, TRUE);
	g_strfreev(lines);
	g_free(text);
	g_free(dir);
	return rc;
}

/* A word, quoted if it needs to be. */
static void put_word(FILE *f, const char *w)
{
	if (*w && !strpbrk(w, " \t\r\"#\\")) {
		fputs(w, f);
		return;
	}
	fputc('"', f);
	for (; *w; w++) {
		if (*w == '"' || *w == '\\')
			fputc('\\', f);
		fputc(*w, f);
	}
	fputc('"', f);
}

void sweep_file_write(FILE *f, const struct sweep_spec *s, const char *comment)
{
	if (comment)
		fprintf(f, "# %s\n", comment);
	fputs("scenario ", f);
	put_word(f, s->scenario);
	fputs("\nprofiles", f);
	for (size_t i = 0; i < s->nprofiles; i++) {
		fputc(' ', f);
		put_word(f, s->profiles[i]);
	}
	fputc('\n', f);
	for (size_t a = 0; a < s->naxes; a++) {
		GString *g = g_string_new(s->axes[a].key);
		for (size_t v = 0; v < s->axes[a].nvalues; v++)
			g_string_append_printf(g, "%c%s", v ? ',' : '=', s->axes[a].values[v]);
		fputs("set ", f);
		put_word(f, g->str);
		fputc('\n', f);
		g_string_free(g, TRUE);
	}
	for (size_t i = 0; i < s->ncounters; i++) {
		fputs("counter ", f);
		put_word(f, s->counters[i]);
		fputc('\n', f);
	}
	fprintf(f, "seed %llu\n", (unsigned long long)s->seed);
}
