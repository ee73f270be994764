/* A matrix compared with a reference matrix; see matrix_compare.h. The
 * reference is read with a small JSON reader of its own: the whole of JSON,
 * bounded in size and depth, each error at its line and column. */
#include "harness/matrix/matrix_compare.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "sim/json.h"

#define JSON_MAX_BYTES (256u << 20) /* a reference matrix is a few hundred KiB */
#define JSON_MAX_DEPTH 32

/* --- reading JSON --- */

enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jkind k;
	size_t off;          /* where it starts in the text */
	bool b;
	char *s;             /* J_STR: its bytes (no NUL); J_NUM: its text */
	GPtrArray *items;    /* J_ARR, J_OBJ: struct jv * */
	GPtrArray *keys;     /* J_OBJ: char *, one per item */
};

struct jp {
	const char *t;
	size_t n, i;
	const char *path;
	char *err;
	size_t errlen;
};

static void jv_free(gpointer p)
{
	struct jv *v = p;
	if (!v)
		return;
	g_free(v->s);
	if (v->items)
		g_ptr_array_free(v->items, TRUE);
	if (v->keys)
		g_ptr_array_free(v->keys, TRUE);
	g_free(v);
}

/* "PATH:LINE:COL: message" for the byte at `off`; returns NULL. */
__attribute__((format(printf, 3, 4)))
static void *jerr(struct jp *p, size_t off, const char *fmt, ...)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < off && i < p->n; i++, col++)
		if (p->t[i] == '\n') {
			line++;
			col = 0;
		}
	int k = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->path, line, col);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < p->errlen)
		vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return NULL;
}

static void skip_ws(struct jp *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->t[p->i]) && p->t[p->i])
		p->i++;
}

static int hex4(const char *s, unsigned *out)
{
	*out = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d > 15)
			return -1;
		*out = *out << 4 | d;
	}
	return 0;
}

/* A string at p->i (its opening quote); its bytes, or NULL. */
static char *jstring(struct jp *p)
{
	size_t start = p->i++;
	GString *s = g_string_new(NULL);
	while (p->i < p->n && p->t[p->i] != '"') {
		unsigned char c = (unsigned char)p->t[p->i];
		if (c < 0x20) {
			g_string_free(s, TRUE);
			return jerr(p, p->i, "a control character in a string (escape it)");
		}
		if (c != '\\') {
			g_string_append_c(s, (char)c);
			p->i++;
			continue;
		}
		char e = p->i + 1 < p->n ? p->t[p->i + 1] : '\0';
		const char *plain = strchr("\"\\/bfnrt", e);
		if (e && plain) {
			g_string_append_c(s, "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"]);
			p->i += 2;
			continue;
		}
		unsigned u, lo;
		if (e != 'u' || p->i + 6 > p->n || hex4(p->t + p->i + 2, &u)) {
			g_string_free(s, TRUE);
			return jerr(p, p->i, "a bad escape in a string (expected \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)");
		}
		p->i += 6;
		if (u >= 0xd800 && u < 0xdc00 && p->i + 6 <= p->n && p->t[p->i] == '\\' &&
		    p->t[p->i + 1] == 'u' && hex4(p->t + p->i + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			p->i += 6;
		}
		if (u == 0 || (u >= 0xd800 && u < 0xe000)) {
			g_string_free(s, TRUE);
			return jerr(p, p->i - 6, "\\u%04x cannot stand in a string here", u);
		}
		g_string_append_unichar(s, (gunichar)u);
	}
	if (p->i >= p->n) {
		g_string_free(s, TRUE);
		return jerr(p, start, "unterminated string");
	}
	p->i++;
	if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
		g_string_free(s, TRUE);
		return jerr(p, start, "a string that is not UTF-8");
	}
	return g_string_free(s, FALSE);
}

static struct jv *jvalue(struct jp *p, int depth);

/* An array or an object at p->i (its opening bracket). */
static struct jv *jcompound(struct jp *p, struct jv *v, int depth)
{
	bool obj = p->t[p->i] == '{';
	char close = obj ? '}' : ']';
	v->k = obj ? J_OBJ : J_ARR;
	v->items = g_ptr_array_new_with_free_func(jv_free);
	if (obj)
		v->keys = g_ptr_array_new_with_free_func(g_free);
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->t[p->i] == close) {
		p->i++;
		return v;
	}
	for (;;) {
		skip_ws(p);
		if (obj) {
			if (p->i >= p->n || p->t[p->i] != '"')
				return jerr(p, p->i, "expected a \"key\" in the object");
			char *key = jstring(p);
			if (!key)
				return NULL;
			g_ptr_array_add(v->keys, key);
			skip_ws(p);
			if (p->i >= p->n || p->t[p->i] != ':')
				return jerr(p, p->i, "expected ':' after the key \"%s\"", key);
			p->i++;
		}
		struct jv *item = jvalue(p, depth + 1);
		if (!item)
			return NULL;
		g_ptr_array_add(v->items, item);
		skip_ws(p);
		if (p->i < p->n && p->t[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->t[p->i] == close) {
			p->i++;
			return v;
		}
		return jerr(p, p->i, "expected ',' or '%c'", close);
	}
}

static struct jv *jvalue(struct jp *p, int depth)
{
	skip_ws(p);
	if (p->i >= p->n)
		return jerr(p, p->i, "unexpected end of the file (expected a value)");
	if (depth > JSON_MAX_DEPTH)
		return jerr(p, p->i, "nested deeper than %d", JSON_MAX_DEPTH);
	struct jv *v = g_new0(struct jv, 1);
	struct jv *ok = v;
	v->off = p->i;
	char c = p->t[p->i];
	static const char *const words[] = { "null", "false", "true" };
	if (c == '{' || c == '[') {
		ok = jcompound(p, v, depth);
	} else if (c == '"') {
		v->k = J_STR;
		v->s = jstring(p);
		ok = v->s ? v : NULL;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		size_t a = p->i;
		while (p->i < p->n && strchr("+-.eE0123456789", p->t[p->i]) && p->t[p->i])
			p->i++;
		v->k = J_NUM;
		v->s = g_strndup(p->t + a, p->i - a);
		char *end;
		g_ascii_strtod(v->s, &end);
		if (*end)
			ok = jerr(p, a, "a bad number \"%s\"", v->s);
	} else {
		size_t w = 0;
		while (w < G_N_ELEMENTS(words) && (p->n - p->i < strlen(words[w]) ||
						    memcmp(p->t + p->i, words[w], strlen(words[w]))))
			w++;
		if (w == G_N_ELEMENTS(words)) {
			ok = jerr(p, p->i, "unexpected '%c' (expected a value)", c);
		} else {
			v->k = w ? J_BOOL : J_NULL;
			v->b = w == 2;
			p->i += strlen(words[w]);
		}
	}
	if (!ok) {
		jv_free(v);
		return NULL;
	}
	return v;
}

/* --- the matrix in it --- */

static const struct jv *jget(const struct jv *o, const char *key)
{
	for (guint i = 0; o->keys && i < o->keys->len; i++)
		if (strcmp(o->keys->pdata[i], key) == 0)
			return o->items->pdata[i];
	return NULL;
}

/* Field `key` of object `o`, of kind `k`; NULL with a message if it is
 * missing or of another kind. */
static const struct jv *jfield(struct jp *p, const struct jv *o, const char *key, enum jkind k,
			       const char *what)
{
	const struct jv *v = jget(o, key);
	static const char *const kinds[] = { "null", "true or false", "a number", "a string",
					     "an array", "an object" };
	if (!v)
		return jerr(p, o->off, "%s has no \"%s\"", what, key);
	if (v->k != k)
		return jerr(p, v->off, "\"%s\": expected %s", key, kinds[k]);
	return v;
}

static int jfield_u64(struct jp *p, const struct jv *o, const char *key, const char *what,
		      uint64_t *out)
{
	const struct jv *v = jfield(p, o, key, J_NUM, what);
	if (!v)
		return -1;
	if (!g_ascii_string_to_unsigned(v->s, 10, 0, UINT64_MAX, out, NULL)) {
		jerr(p, v->off, "\"%s\": expected a whole number, got %s", key, v->s);
		return -1;
	}
	return 0;
}

static char *jfield_str(struct jp *p, const struct jv *o, const char *key, const char *what)
{
	const struct jv *v = jfield(p, o, key, J_STR, what);
	return v ? g_strdup(v->s) : NULL;
}

/* A scenario path with "." components and repeated slashes dropped, so
 * `./scenarios` and `scenarios/` name the same files. */
static char *norm_path(const char *path)
{
	char **parts = g_strsplit(path, "/", -1);
	GString *s = g_string_new(path[0] == '/' ? "/" : "");
	bool first = true;
	for (char **q = parts; *q; q++) {
		if (!**q || strcmp(*q, ".") == 0)
			continue;
		g_string_append_printf(s, "%s%s", first ? "" : "/", *q);
		first = false;
	}
	g_strfreev(parts);
	return g_string_free(s, FALSE);
}

static char *row_key(const char *scenario, const char *profile)
{
	char *n = norm_path(scenario);
	char *k = g_strconcat(n, "\n", profile, NULL);
	g_free(n);
	return k;
}

static int read_row(struct jp *p, const struct jv *o, struct matrix_ref_row *r)
{
	if (o->k != J_OBJ) {
		jerr(p, o->off, "a run is an object");
		return -1;
	}
	if (!(r->scenario = jfield_str(p, o, "scenario", "the run")) ||
	    !(r->profile = jfield_str(p, o, "profile", "the run")))
		return -1;
	if (jget(o, "error"))
		return (r->error = jfield_str(p, o, "error", "the run")) ? 0 : -1;
	const struct jv *pass = jfield(p, o, "pass", J_BOOL, "the run");
	if (!pass || !(r->outcome = jfield_str(p, o, "outcome", "the run")) ||
	    !(r->digest = jfield_str(p, o, "digest", "the run")) ||
	    jfield_u64(p, o, "expectations", "the run", &r->expectations) ||
	    jfield_u64(p, o, "failed", "the run", &r->failed) ||
	    jfield_u64(p, o, "cycles", "the run", &r->cycles))
		return -1;
	r->pass = pass->b;
	return 0;
}

int matrix_ref_parse(const char *path, const char *text, size_t len, struct matrix_ref *ref,
		     char *err, size_t errlen)
{
	struct jp p = { text, len, 0, path, err, errlen };
	memset(ref, 0, sizeof(*ref));
	ref->path = g_strdup(path);
	struct jv *top = jvalue(&p, 0);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const struct jv *fmt, *runs;
	int rc = -1;
	if (!top)
		goto out;
	skip_ws(&p);
	if (p.i < p.n) {
		jerr(&p, p.i, "text after the matrix");
		goto out;
	}
	if (top->k != J_OBJ) {
		jerr(&p, top->off, "not a ccsim matrix (expected an object)");
		goto out;
	}
	if (!(fmt = jfield(&p, top, "format", J_STR, "the matrix")))
		goto out;
	if (strcmp(fmt->s, "ccsim.matrix/1") != 0) {
		jerr(&p, fmt->off, "format \"%s\": expected ccsim.matrix/1", fmt->s);
		goto out;
	}
	if (jfield_u64(&p, top, "seed", "the matrix", &ref->seed) ||
	    !(runs = jfield(&p, top, "runs", J_ARR, "the matrix")))
		goto out;
	ref->rows = g_new0(struct matrix_ref_row, runs->items->len + 1);
	for (guint i = 0; i < runs->items->len; i++) {
		const struct jv *o = runs->items->pdata[i];
		struct matrix_ref_row *r = &ref->rows[ref->nrows++];
		if (read_row(&p, o, r))
			goto out;
		char *key = row_key(r->scenario, r->profile);
		if (g_hash_table_contains(seen, key)) {
			jerr(&p, o->off, "%s on %s appears twice", r->scenario, r->profile);
			g_free(key);
			goto out;
		}
		g_hash_table_add(seen, key);
	}
	rc = 0;
out:
	g_hash_table_destroy(seen);
	jv_free(top);
	if (rc)
		matrix_ref_free(ref);
	return rc;
}

int matrix_ref_load(const char *path, struct matrix_ref *ref, char *err, size_t errlen)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *gerr = NULL;
	memset(ref, 0, sizeof(*ref));
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	int rc;
	if (len > JSON_MAX_BYTES) {
		snprintf(err, errlen, "%s: %zu bytes, more than a matrix takes (%u)", path, (size_t)len,
			 JSON_MAX_BYTES);
		rc = -1;
	} else {
		rc = matrix_ref_parse(path, text, len, ref, err, errlen);
	}
	g_free(text);
	return rc;
}

void matrix_ref_free(struct matrix_ref *ref)
{
	for (size_t i = 0; i < ref->nrows; i++) {
		struct matrix_ref_row *r = &ref->rows[i];
		g_free(r->scenario);
		g_free(r->profile);
		g_free(r->error);
		g_free(r->outcome);
		g_free(r->digest);
	}
	g_free(ref->rows);
	g_free(ref->path);
	memset(ref, 0, sizeof(*ref));
}

/* --- comparing --- */

/* Should this run have produced reference row r? */
static bool row_expected(const struct matrix_compare_run *run, const struct matrix_ref_row *r)
{
	bool wanted = !run->only || strcmp(r->profile, "-") == 0;
	for (char **o = run->only; o && *o && !wanted; o++)
		wanted = strcmp(*o, r->profile) == 0;
	if (!wanted)
		return false;
	char *s = norm_path(r->scenario);
	bool under = false;
	for (size_t i = 0; i < run->npaths && !under; i++) {
		char *d = norm_path(run->paths[i]);
		size_t n = strlen(d);
		under = n == 0 || strcmp(s, d) == 0 ||
			(g_str_has_prefix(s, d) && (s[n] == '/' || d[n - 1] == '/'));
		g_free(d);
	}
	g_free(s);
	return under;
}

static void diff_line(GString *out, size_t *n, const char *scenario, const char *profile,
		      const char *field, const char *ref, const char *now)
{
	g_string_append_printf(out, "  %s on %s: %s: reference %s, now %s\n", scenario, profile, field,
			       ref, now);
	(*n)++;
}

static void diff_str(GString *out, size_t *n, const struct matrix_cell *c, const char *field,
		     const char *ref, const char *now)
{
	if (strcmp(ref, now) == 0)
		return;
	char *a = g_strdup_printf("\"%s\"", ref), *b = g_strdup_printf("\"%s\"", now);
	diff_line(out, n, c->scenario, c->profile, field, a, b);
	g_free(a);
	g_free(b);
}

static void diff_num(GString *out, size_t *n, const struct matrix_cell *c, const char *field,
		     uint64_t ref, uint64_t now)
{
	if (ref == now)
		return;
	char a[24], b[24];
	snprintf(a, sizeof(a), "%" PRIu64, ref);
	snprintf(b, sizeof(b), "%" PRIu64, now);
	diff_line(out, n, c->scenario, c->profile, field, a, b);
}

/* The differences of one cell from its reference row. */
static void diff_cell(GString *out, size_t *n, const struct matrix_cell *c,
		      const struct matrix_ref_row *r, enum matrix_compare_mode mode)
{
	if (c->status || r->error) {
		if (c->status && r->error) {
			if (mode == MATRIX_COMPARE_EXACT)
				diff_str(out, n, c, "error", r->error, c->err);
		} else {
			char *e = g_strdup_printf("\"%s\"", c->status ? c->err : r->error);
			diff_line(out, n, c->scenario, c->profile, "error", c->status ? "none" : e,
				  c->status ? e : "none");
			g_free(e);
		}
		return;
	}
	const struct run_result *x = &c->res;
	if (r->pass != x->pass)
		diff_line(out, n, c->scenario, c->profile, "pass", r->pass ? "true" : "false",
			  x->pass ? "true" : "false");
	diff_str(out, n, c, "outcome", r->outcome, x->outcome);
	diff_num(out, n, c, "expectations", r->expectations, x->expects_total);
	diff_num(out, n, c, "failed", r->failed, x->expects_failed);
	if (mode == MATRIX_COMPARE_EXACT) {
		diff_num(out, n, c, "cycles", r->cycles, x->cycles);
		diff_str(out, n, c, "digest", r->digest, x->digest);
	}
}

size_t matrix_compare(FILE *f, const struct matrix_ref *ref, const struct matrix_compare_run *run,
		      enum matrix_compare_mode mode)
{
	GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool *matched = g_new0(bool, ref->nrows + 1);
	GString *out = g_string_new(NULL);
	size_t n = 0;
	for (size_t i = 0; i < ref->nrows; i++)
		g_hash_table_insert(rows, row_key(ref->rows[i].scenario, ref->rows[i].profile),
				    &ref->rows[i]);
	if (ref->seed != run->seed) {
		g_string_append_printf(out, "  seed: reference %" PRIu64 ", now %" PRIu64 "\n", ref->seed,
				       run->seed);
		n++;
	}
	for (size_t i = 0; i < run->ncells; i++) {
		const struct matrix_cell *c = &run->cells[i];
		char *key = row_key(c->scenario, c->profile);
		const struct matrix_ref_row *r = g_hash_table_lookup(rows, key);
		g_free(key);
		if (!r) {
			g_string_append_printf(out, "  %s on %s: not in the reference\n", c->scenario,
					       c->profile);
			n++;
			continue;
		}
		matched[r - ref->rows] = true;
		diff_cell(out, &n, c, r, mode);
	}
	for (size_t i = 0; i < ref->nrows; i++)
		if (!matched[i] && row_expected(run, &ref->rows[i])) {
			g_string_append_printf(out, "  %s on %s: in the reference, not in this run\n",
					       ref->rows[i].scenario, ref->rows[i].profile);
			n++;
		}
	const char *m = mode == MATRIX_COMPARE_EXACT ? "exact" : "outcomes";
	if (n)
		fprintf(f, "compare with %s (%s): %zu difference%s\n%s", ref->path, m, n,
			n == 1 ? "" : "s", out->str);
	else
		fprintf(f, "compare with %s (%s): no differences in %zu runs\n", ref->path, m,
			run->ncells);
	g_string_free(out, TRUE);
	g_free(matched);
	g_hash_table_destroy(rows);
	return n;
}
