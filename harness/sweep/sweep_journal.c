/* Sweep rows as journal lines; see sweep_journal.h. */
#include "harness/sweep/sweep_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/sweep/sweep_io.h"

#define JOURNAL_FORMAT "ccsim.sweep-journal/1"

static const char *const verdict_names[] = { "pass", "fail", "error" };

const char *sweep_verdict_name(enum sweep_verdict v)
{
	return verdict_names[v];
}

void sweep_row_clear(struct sweep_row *r)
{
	g_free(r->label);
	g_free(r->outcome);
	g_free(r->digest);
	g_free(r->error);
	for (size_t i = 0; i < r->ncounters; i++)
		g_free(r->counters[i].name);
	g_free(r->counters);
	memset(r, 0, sizeof(*r));
}

void sweep_row_add_counter(struct sweep_row *r, const char *name, uint64_t value)
{
	r->counters = g_renew(struct sweep_counter, r->counters, r->ncounters + 1);
	r->counters[r->ncounters++] = (struct sweep_counter){ g_strdup(name), value };
}

static int counter_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sweep_counter *)a)->name, ((const struct sweep_counter *)b)->name);
}

void sweep_row_sort(struct sweep_row *r)
{
	if (r->ncounters)
		qsort(r->counters, r->ncounters, sizeof(r->counters[0]), counter_cmp);
}

bool sweep_row_counter(const struct sweep_row *r, const char *name, uint64_t *value)
{
	struct sweep_counter key = { (char *)name, 0 };
	const struct sweep_counter *c =
		r->ncounters ? bsearch(&key, r->counters, r->ncounters, sizeof(key), counter_cmp) : NULL;
	if (c)
		*value = c->value;
	return c != NULL;
}

static void put_field(GString *g, const char *s)
{
	g_string_append_c(g, '\t');
	for (; s && *s; s++) {
		if (*s == '\\')
			g_string_append(g, "\\\\");
		else if (*s == '\t')
			g_string_append(g, "\\t");
		else if (*s == '\n')
			g_string_append(g, "\\n");
		else
			g_string_append_c(g, *s);
	}
}

char *sweep_row_encode(size_t index, const struct sweep_row *r)
{
	GString *g = g_string_new(NULL);
	g_string_append_printf(g, "%zu", index);
	put_field(g, r->label);
	put_field(g, sweep_verdict_name(r->verdict));
	put_field(g, r->outcome);
	put_field(g, r->digest);
	g_string_append_printf(g, "\t%llu", (unsigned long long)r->cycles);
	put_field(g, r->error);
	for (size_t i = 0; i < r->ncounters; i++) {
		gchar *kv = g_strdup_printf("%s=%llu", r->counters[i].name,
					    (unsigned long long)r->counters[i].value);
		put_field(g, kv);
		g_free(kv);
	}
	g_string_append_c(g, '\n');
	return g_string_free(g, FALSE);
}

/* Split on tabs and undo the escapes; NULL on a bad escape. */
static char **fields_split(const char *line)
{
	GPtrArray *out = g_ptr_array_new();
	GString *f = g_string_new(NULL);
	for (const char *p = line;; p++) {
		if (*p == '\t' || *p == '\0') {
			g_ptr_array_add(out, g_strdup(f->str));
			g_string_truncate(f, 0);
			if (!*p)
				break;
		} else if (*p == '\\') {
			p++;
			if (*p != '\\' && *p != 't' && *p != 'n') {
				g_string_free(f, TRUE);
				g_ptr_array_add(out, NULL);
				g_strfreev((char **)g_ptr_array_free(out, FALSE));
				return NULL;
			}
			g_string_append_c(f, *p == 't' ? '\t' : *p == 'n' ? '\n' : '\\');
		} else {
			g_string_append_c(f, *p);
		}
	}
	g_string_free(f, TRUE);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!g_ascii_isdigit(*s))
		return false;
	errno = 0;
	*v = g_ascii_strtoull(s, &end, 10);
	return !errno && !*end;
}

int sweep_row_decode(const char *line, size_t *index, struct sweep_row *r)
{
	char **f = fields_split(line);
	uint64_t idx = 0;
	int rc = -1;
	sweep_row_clear(r);
	if (!f || g_strv_length(f) < 7 || !parse_u64(f[0], &idx) || !parse_u64(f[5], &r->cycles))
		goto out;
	r->verdict = SWEEP_ERROR + 1;
	for (int v = SWEEP_PASS; v <= SWEEP_ERROR; v++)
		if (strcmp(f[2], verdict_names[v]) == 0)
			r->verdict = v;
	if (r->verdict > SWEEP_ERROR)
		goto out;
	for (size_t i = 7; f[i]; i++) {
		char *eq = strrchr(f[i], '=');
		uint64_t v;
		if (!eq || eq == f[i] || !parse_u64(eq + 1, &v))
			goto out;
		*eq = '\0';
		sweep_row_add_counter(r, f[i], v);
	}
	r->label = g_strdup(f[1]);
	r->outcome = g_strdup(f[3]);
	r->digest = g_strdup(f[4]);
	r->error = g_strdup(f[6]);
	sweep_row_sort(r);
	r->present = true;
	*index = (size_t)idx;
	rc = 0;
out:
	g_strfreev(f);
	if (rc)
		sweep_row_clear(r);
	return rc;
}

static char *header(const char *fingerprint, size_t nconfigs)
{
	return g_strdup_printf("%s\t%s\t%zu\n", JOURNAL_FORMAT, fingerprint, nconfigs);
}

int sweep_journal_read(const char *path, const char *fingerprint, size_t nconfigs,
		       struct sweep_row *rows, size_t *added, char *err, size_t errlen)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *ge = NULL;
	*added = 0;
	if (!g_file_get_contents(path, &text, &len, &ge)) {
		bool missing = g_error_matches(ge, G_FILE_ERROR, G_FILE_ERROR_NOENT);
		if (!missing)
			snprintf(err, errlen, "%s: cannot read: %s", path, ge->message);
		g_error_free(ge);
		return missing ? 0 : -1;
	}
	int rc = 0;
	char *want = header(fingerprint, nconfigs);
	char *nl = strchr(text, '\n');
	if (!nl || strncmp(text, want, (size_t)(nl - text) + 1) != 0) {
		snprintf(err, errlen, "%s:1: %s", path,
			 g_str_has_prefix(text, JOURNAL_FORMAT "\t")
				 ? "the rows of another sweep (its scenario, profiles, values, counters or seed differ)"
				 : "not a ccsim sweep journal");
		rc = -1;
	}
	int lineno = 1;
	for (char *line = nl ? nl + 1 : NULL; rc == 0 && line && *line; lineno++) {
		char *end = strchr(line, '\n');
		if (!end)
			break; /* torn last line: the run is redone */
		*end = '\0';
		struct sweep_row r = { 0 };
		size_t idx;
		if (sweep_row_decode(line, &idx, &r) || idx >= nconfigs) {
			snprintf(err, errlen, "%s:%d: malformed row", path, lineno + 1);
			rc = -1;
		} else if (!rows[idx].present) {
			rows[idx] = r;
			(*added)++;
			memset(&r, 0, sizeof(r));
		}
		sweep_row_clear(&r);
		line = end + 1;
	}
	g_free(want);
	g_free(text);
	return rc;
}

int sweep_journal_append(int fd, const char *line)
{
	return sweep_io_write_all(fd, line, strlen(line));
}

int sweep_journal_start(const char *path, const char *fingerprint, size_t nconfigs,
			const struct sweep_row *rows, size_t from, size_t to, char *err,
			size_t errlen)
{
	char *head = header(fingerprint, nconfigs);
	GString *text = g_string_new(head);
	for (size_t i = from; i < to; i++) {
		if (!rows[i].present)
			continue;
		char *line = sweep_row_encode(i, &rows[i]);
		g_string_append(text, line);
		g_free(line);
	}
	int rc = sweep_io_replace_file(path, text->str, text->len, err, errlen);
	g_string_free(text, TRUE);
	g_free(head);
	if (rc)
		return -1;
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%s: cannot append: %s", path, g_strerror(errno));
	return fd;
}
