/* ccsim run --record: the observed values written into the scenario's own
 * text; see record.h and docs/scenarios.md, "Recording expectations". */
#include "harness/run/record.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run/steps.h"
#include "models/mmu/fault.h"

/* --- the fields a capture is recorded by --- */

/* The name of result register k (1-based) as record writes it. */
static void reg_name(unsigned k, char *buf, size_t len)
{
	snprintf(buf, len, "x%u", k);
}

/* --- what the run observed --- */

static void obs_capture_free(gpointer p)
{
	struct capture *c = p;
	g_free(c->name);
	g_free(c->r.bytes);
	g_free(c);
}

void record_obs_init(struct record_obs *o, const struct scenario *sc)
{
	memset(o, 0, sizeof(*o));
	o->captures = g_ptr_array_new_with_free_func(obs_capture_free);
	o->applies = g_new0(bool, sc->nexpects + 1);
	o->pass = g_new0(bool, sc->nexpects + 1);
}

void record_obs_free(struct record_obs *o)
{
	g_ptr_array_free(o->captures, TRUE);
	g_free(o->applies);
	g_free(o->pass);
}

void record_observe(struct run_ctx *rc, const struct expect_result *xr, void *arg)
{
	struct record_obs *o = arg;
	for (guint i = 0; i < rc->captures->len; i++) {
		const struct capture *c = rc->captures->pdata[i];
		struct capture *k = g_new0(struct capture, 1);
		k->name = g_strdup(c->name);
		k->r = c->r;
		k->r.bytes = c->r.len ? g_memdup2(c->r.bytes, c->r.len) : NULL;
		g_ptr_array_add(o->captures, k);
	}
	for (size_t i = 0; i < rc->sc->nexpects; i++) {
		o->applies[i] = xr[i].applies;
		o->pass[i] = xr[i].pass;
	}
	outcome_text(&rc->out, o->outcome, sizeof(o->outcome));
	o->done = true;
}

static const struct capture *obs_capture(const struct record_obs *o, const char *name)
{
	for (guint i = 0; i < o->captures->len; i++) {
		const struct capture *c = o->captures->pdata[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/* --- values as a scenario writes them --- */

/* Bytes as a value: a secret they equal ($name), "text" when printable,
 * else hex:..; false when longer than RECORD_MAX_BYTES. */
static bool format_bytes(const struct scenario *sc, const uint8_t *p, size_t n, GString *v)
{
	for (size_t i = 0; i < sc->nsecrets; i++)
		if (n && sc->secrets[i].len == n && memcmp(sc->secrets[i].bytes, p, n) == 0) {
			g_string_append_printf(v, "$%s", sc->secrets[i].name);
			return true;
		}
	if (n > RECORD_MAX_BYTES)
		return false;
	bool text = true;
	for (size_t i = 0; i < n; i++)
		text = text && p[i] >= 0x20 && p[i] <= 0x7e;
	if (!text) {
		g_string_append(v, "hex:");
		for (size_t i = 0; i < n; i++)
			g_string_append_printf(v, "%02x", p[i]);
		return true;
	}
	g_string_append_c(v, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			g_string_append_c(v, '\\');
		if (p[i] == '$' && i + 1 < n && p[i + 1] == '{') /* not a ${param} */
			g_string_append(v, "\\x24");
		else
			g_string_append_c(v, (char)p[i]);
	}
	g_string_append_c(v, '"');
	return true;
}

/* The outcome: a bare word, or the "blocked: MECHANISM" string. */
static void format_outcome(const char *outcome, GString *v)
{
	if (strchr(outcome, ' '))
		g_string_append_printf(v, "\"%s\"", outcome);
	else
		g_string_append(v, outcome);
}

/* A status by the name expectations know it by, else as a number. */
static void format_status(const struct step_result *r, bool number, GString *v)
{
	const char *name = steps_result_status_name(r);
	if (!number && steps_status_known(name))
		g_string_append(v, name);
	else
		g_string_append_printf(v, "0x%" PRIx64, r->status);
}

/* A numeric field: cycles in decimal, registers in hex. */
static void format_num(const char *field, uint64_t n, GString *v)
{
	if (strcmp(field, "cycles") == 0)
		g_string_append_printf(v, "%" PRIu64, n);
	else
		g_string_append_printf(v, "0x%" PRIx64, n);
}

/* The value expectation `e` observed, as its line would write it, and what
 * its subject gains (".fault": a comparison of bytes whose step faulted and
 * so holds none). false with the reason in `why`. */
static bool observed_value(const struct scenario *sc, const struct scn_expect *e,
			   const struct record_obs *obs, GString *v, const char **suffix, GString *why)
{
	*suffix = "";
	if (strcmp(e->subject, "outcome") == 0) {
		format_outcome(obs->outcome, v);
		return true;
	}
	const struct capture *c = obs_capture(obs, e->subject);
	if (!c) {
		g_string_append(why, "the capturing step never ran");
		return false;
	}
	const struct step_result *r = &c->r;
	if (!e->field && r->faulted) {
		*suffix = ".fault";
		g_string_append(v, cc_fault_name(r->fault));
		return true;
	}
	if (!e->field) {
		if (format_bytes(sc, r->bytes, r->len, v))
			return true;
		g_string_append_printf(why, "%zu bytes, more than the %d record writes", r->len,
				       RECORD_MAX_BYTES);
		return false;
	}
	uint64_t n;
	char buf[160];
	if (run_result_field(r, e->field, &n)) {
		run_result_field_why(r, e->field, buf, sizeof(buf));
		g_string_append(why, buf);
		return false;
	}
	switch (scn_field_kind(e->field)) {
	case SCN_FIELD_FAULT:
		g_string_append(v, n ? cc_fault_name((unsigned)n) : "none");
		break;
	case SCN_FIELD_STATUS:
		format_status(r, e->rhs.kind == SV_NUM, v);
		break;
	default:
		format_num(e->field, n, v);
		break;
	}
	return true;
}

/* The expect lines of a capture nothing checks: its status, its fault, the
 * bytes it read, each register it returned that is not zero (as
 * run_result_field reads them), its cycles if asked for; with none of
 * those, that it did not fault. */
static void capture_lines(const struct scenario *sc, const struct capture *c,
			  const struct record_options *o, GPtrArray *lines)
{
	const struct step_result *r = &c->r;
	size_t first = lines->len;
	GString *v = g_string_new(NULL);
	if (r->has_status) {
		format_status(r, false, v);
		g_ptr_array_add(lines, g_strdup_printf("expect %s.status == %s", c->name, v->str));
	}
	if (r->faulted)
		g_ptr_array_add(lines, g_strdup_printf("expect %s.fault == %s", c->name,
						       cc_fault_name(r->fault)));
	g_string_truncate(v, 0);
	if (!r->faulted && r->len && format_bytes(sc, r->bytes, r->len, v))
		g_ptr_array_add(lines, g_strdup_printf("expect %s == %s", c->name, v->str));
	for (unsigned k = 1; k <= SCN_RESULT_REGS; k++) {
		char reg[8];
		uint64_t n;
		reg_name(k, reg, sizeof(reg));
		if (run_result_field(r, reg, &n) == 0 && n) {
			g_string_truncate(v, 0);
			format_num(reg, n, v);
			g_ptr_array_add(lines, g_strdup_printf("expect %s.%s == %s", c->name, reg, v->str));
		}
	}
	if (o->cycles)
		g_ptr_array_add(lines, g_strdup_printf("expect %s.cycles == %" PRIu64, c->name, r->cycles));
	if (lines->len == first)
		g_ptr_array_add(lines, g_strdup_printf("expect %s.fault == none", c->name));
	g_string_free(v, TRUE);
}

/* Does an expectation of this profile check `subject` already? */
static bool covered(const struct scenario *sc, const struct record_obs *obs, const char *subject)
{
	for (size_t i = 0; i < sc->nexpects; i++)
		if (obs->applies[i] && strcmp(sc->expects[i].subject, subject) == 0)
			return true;
	return false;
}

/* --- the text --- */

/* [a, b) of a text. */
struct span {
	size_t a, b;
};

/* A line: its text [a, b) without the line end, which runs to `next`. */
struct line {
	size_t a, b, next;
};

/* What replaces a line: its new text, and a line to insert after it. */
struct edit {
	char *text;
	char *insert;
};

/* The lines as the parser numbers them (line i + 1 at index i): split at
 * each \n, the \r before it part of the line end. */
static GArray *split_lines(const char *t, size_t len)
{
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct line));
	for (size_t a = 0;;) {
		const char *nl = memchr(t + a, '\n', len - a);
		struct line l = { a, nl ? (size_t)(nl - t) : len, nl ? (size_t)(nl - t) + 1 : len };
		while (l.b > l.a && t[l.b - 1] == '\r')
			l.b--;
		g_array_append_val(lines, l);
		if (!nl)
			break;
		a = l.next;
	}
	return lines;
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* The words of a line as written, up to a comment: a "string" runs to its
 * closing quote, any other word to the next blank. */
static GArray *line_words(const char *s, size_t n)
{
	GArray *w = g_array_new(FALSE, FALSE, sizeof(struct span));
	for (size_t i = skip_blanks(s, 0, n); i < n && s[i] != '#'; i = skip_blanks(s, i, n)) {
		struct span k = { i, i };
		if (s[i] == '"') {
			for (k.b = i + 1; k.b < n && s[k.b] != '"'; k.b++)
				if (s[k.b] == '\\' && k.b + 1 < n)
					k.b++;
			k.b = k.b < n ? k.b + 1 : n;
		} else {
			while (k.b < n && s[k.b] != ' ' && s[k.b] != '\t')
				k.b++;
		}
		g_array_append_val(w, k);
		i = k.b;
	}
	return w;
}

static bool word_is(const char *s, struct span w, const char *what)
{
	return w.b - w.a == strlen(what) && memcmp(s + w.a, what, w.b - w.a) == 0;
}

static bool word_has(const char *s, struct span w, const char *what)
{
	return g_strstr_len(s + w.a, (gssize)(w.b - w.a), what) != NULL;
}

/* Does `e` hold on profile q (its `on` list or expect[...] names q, by
 * name or glob; no list: every profile)? */
static bool holds_on(const struct scn_expect *e, const char *q)
{
	if (!e->profiles)
		return true;
	for (char **p = e->profiles; *p; p++)
		if (g_pattern_match_simple(*p, q))
			return true;
	return false;
}

/* Does `e` hold on no profile of the scenario but `profile`? */
static bool only_profile(const struct scenario *sc, const struct scn_expect *e, const char *profile)
{
	for (char **q = sc->profiles; *q; q++)
		if (strcmp(*q, profile) != 0 && holds_on(e, *q))
			return false;
	return true;
}

/* The profiles of an expect line as written: the words after `on`, or
 * the comma-separated names of expect[...] (*bracket then true). */
static GArray *profile_words(const char *s, const GArray *w, bool *bracket)
{
	const struct span *k = (const struct span *)w->data;
	GArray *pw = g_array_new(FALSE, FALSE, sizeof(struct span));
	*bracket = k[0].b - k[0].a > 8 && memcmp(s + k[0].a, "expect[", 7) == 0 && s[k[0].b - 1] == ']';
	if (*bracket) {
		for (size_t a = k[0].a + 7, i = a; i < k[0].b; i++)
			if (s[i] == ',' || i == k[0].b - 1) {
				struct span x = { a, i };
				g_array_append_val(pw, x);
				a = i + 1;
			}
	} else {
		for (guint i = 5; i < w->len; i++)
			g_array_append_val(pw, g_array_index(w, struct span, i));
	}
	return pw;
}

/* The profile list of a line that also holds elsewhere, without
 * `profile`: a name of it dropped, a glob that matches it spelled out as
 * the scenario's other profiles it matches; `sep` between them. */
static void drop_profile(const struct scenario *sc, const char *s, const GArray *pw,
			 const char *profile, const char *sep, GString *out)
{
	bool first = true;
	for (guint i = 0; i < pw->len; i++) {
		struct span x = g_array_index(pw, struct span, i);
		char *word = g_strndup(s + x.a, x.b - x.a);
		if (!g_pattern_match_simple(word, profile)) {
			g_string_append_printf(out, "%s%s", first ? "" : sep, word);
			first = false;
		} else {
			for (char **q = sc->profiles; *q; q++)
				if (strcmp(*q, profile) != 0 && g_pattern_match_simple(word, *q)) {
					g_string_append_printf(out, "%s%s", first ? "" : sep, *q);
					first = false;
				}
		}
		g_free(word);
	}
}

/* Rewrite the failed expectation `e`, whose line is `n` bytes at `s`, with
 * what the run observed on o->profile: the new line into ed, 0; or 1 with
 * the reason it stays as written in `why`. */
static int rewrite(const struct scenario *sc, const char *s, size_t n, const struct scn_expect *e,
		   const struct record_obs *obs, const struct record_options *o, struct edit *ed,
		   GString *why)
{
	if (e->cmp != CMP_EQ) {
		g_string_append_printf(why, "`%s` is kept as written: only `==` values are recorded",
				       scn_cmp_text(e->cmp));
		return 1;
	}
	GString *v = g_string_new(NULL), *x = NULL, *old = NULL;
	const char *suffix;
	GArray *w = line_words(s, n), *pw = NULL;
	const struct span *k = (const struct span *)w->data;
	size_t nprof = e->profiles ? g_strv_length(e->profiles) : 0;
	bool bracket = false;
	int rc = 1;
	if (!observed_value(sc, e, obs, v, &suffix, why))
		goto out;
	/* the words as the parser saw them: a ${param} that expanded into
	 * several words is not edited */
	if (w->len >= 4)
		pw = profile_words(s, w, &bracket);
	if (!pw || !(bracket || word_is(s, k[0], "expect")) || !word_is(s, k[2], "==") ||
	    pw->len != nprof || w->len != (nprof && !bracket ? 5 + nprof : 4) ||
	    (nprof && !bracket && !word_is(s, k[4], "on"))) {
		g_string_append(why, "its words come from ${params}");
		goto out;
	}
	if (word_has(s, k[3], "${")) {
		g_string_append_printf(why, "its value is a param (%.*s)", (int)(k[3].b - k[3].a), s + k[3].a);
		goto out;
	}
	if (s[k[3].a] == '$') {
		g_string_append_printf(why, "its value names %.*s: a relation, not a recorded value",
				       (int)(k[3].b - k[3].a), s + k[3].a);
		goto out;
	}
	if (only_profile(sc, e, o->profile)) {
		/* SUBJECT[.fault] == VALUE, the rest as it was */
		x = g_string_new_len(s, (gssize)k[1].b);
		g_string_append(x, suffix);
		g_string_append_len(x, s + k[1].b, (gssize)(k[3].a - k[1].b));
		g_string_append(x, v->str);
		g_string_append_len(x, s + k[3].b, (gssize)(n - k[3].b));
		ed->text = g_string_free(x, FALSE);
		rc = 0;
		goto out;
	}
	/* it holds on other profiles too: they keep the line, this profile
	 * gets a line of its own after it */
	for (guint i = 0; i < pw->len; i++)
		if (word_has(s, g_array_index(pw, struct span, i), "${")) {
			g_string_append(why, "its profiles come from ${params}");
			goto out;
		}
	old = g_string_new(NULL);
	if (nprof) {
		struct span first = g_array_index(pw, struct span, 0);
		struct span last = g_array_index(pw, struct span, pw->len - 1);
		g_string_append_len(old, s, (gssize)first.a);
		drop_profile(sc, s, pw, o->profile, bracket ? "," : " ", old);
		g_string_append_len(old, s + last.b, (gssize)(n - last.b));
	} else {
		g_string_append_len(old, s, (gssize)k[3].b);
		g_string_append(old, " on");
		for (char **q = sc->profiles; *q; q++)
			if (strcmp(*q, o->profile) != 0)
				g_string_append_printf(old, " %s", *q);
		g_string_append_len(old, s + k[3].b, (gssize)(n - k[3].b));
	}
	x = g_string_new_len(s, (gssize)k[0].a);
	g_string_append(x, "expect");
	g_string_append_len(x, s + k[0].b, (gssize)(k[1].b - k[0].b));
	g_string_append(x, suffix);
	g_string_append_len(x, s + k[1].b, (gssize)(k[3].a - k[1].b));
	g_string_append_printf(x, "%s on %s", v->str, o->profile);
	ed->text = g_string_free(old, FALSE);
	ed->insert = g_string_free(x, FALSE);
	rc = 0;
out:
	if (pw)
		g_array_free(pw, TRUE);
	g_array_free(w, TRUE);
	g_string_free(v, TRUE);
	return rc;
}

int record_edit(const struct scenario *sc, const char *text, size_t len,
		const struct record_obs *obs, const struct record_options *o, GString *out,
		struct record_report *rep, char *err, size_t errlen)
{
	if (!obs->done) {
		snprintf(err, errlen, "%s: the run ended before its expectations: nothing to record",
			 sc->path);
		return -1;
	}
	const char *main_file = sc->files[0];
	GArray *lines = split_lines(text, len);
	const struct line *L = (const struct line *)lines->data;
	struct edit *ed = g_new0(struct edit, lines->len);
	const char *eol = L[0].next > L[0].b + 1 ? "\r\n" : "\n";
	GString *why = g_string_new(NULL);

	for (size_t i = 0; i < sc->nexpects; i++) {
		const struct scn_expect *e = &sc->expects[i];
		if (!obs->applies[i] || obs->pass[i])
			continue;
		g_string_truncate(why, 0);
		if (strcmp(e->file, main_file) != 0)
			g_string_printf(why, "it is in an included file, which other scenarios may share "
					"(--record writes only %s): edit it there", main_file);
		else if (e->line < 1 || (size_t)e->line > lines->len) /* the parser's own numbering */
			g_string_printf(why, "no line %d in %s", e->line, main_file);
		else {
			const struct line *l = &L[e->line - 1];
			if (rewrite(sc, text + l->a, l->b - l->a, e, obs, o, &ed[e->line - 1], why) == 0) {
				rep->rewritten++;
				continue;
			}
		}
		rep->kept++;
		g_string_append_printf(rep->notes, "%s:%d: `%s` not rewritten on %s: %s\n", e->file,
				       e->line, e->text, o->profile, why->str);
	}

	GPtrArray *add = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < obs->captures->len; i++) {
		const struct capture *c = obs->captures->pdata[i];
		if (!covered(sc, obs, c->name))
			capture_lines(sc, c, o, add);
	}
	if (!covered(sc, obs, "outcome")) {
		GString *v = g_string_new("expect outcome == ");
		format_outcome(obs->outcome, v);
		g_ptr_array_add(add, g_string_free(v, FALSE));
	}
	rep->added = add->len;

	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = &L[i];
		if (ed[i].text)
			g_string_append(out, ed[i].text);
		else
			g_string_append_len(out, text + l->a, (gssize)(l->b - l->a));
		if (ed[i].insert)
			g_string_append_printf(out, "%s%s", eol, ed[i].insert);
		g_string_append_len(out, text + l->b, (gssize)(l->next - l->b));
		g_free(ed[i].text);
		g_free(ed[i].insert);
	}
	if (add->len) {
		/* the block after a blank line: the text ends with a line end
		 * when its last "line" is empty, and then the one before is its
		 * last line */
		const struct line *last = &L[lines->len - 1];
		bool ended = last->b == last->a;
		if (!ended)
			g_string_append(out, eol);
		if (!ended || (lines->len > 1 && L[lines->len - 2].b > L[lines->len - 2].a))
			g_string_append(out, eol);
		g_string_append_printf(out, "# recorded by ccsim run --record on %s%s", o->profile, eol);
		for (guint i = 0; i < add->len; i++)
			g_string_append_printf(out, "%s%s%s%s", (char *)add->pdata[i],
					       sc->profiles[1] ? " on " : "", sc->profiles[1] ? o->profile : "",
					       eol);
	}
	g_ptr_array_free(add, TRUE);
	g_string_free(why, TRUE);
	g_free(ed);
	g_array_free(lines, TRUE);
	return 0;
}

/* --- the file --- */

int record_target_check(const char *path, char *err, size_t errlen)
{
	gchar *dir = g_path_get_dirname(path);
	int rc = 0;
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		snprintf(err, errlen, "%s: cannot write: it is a folder", path);
		rc = -1;
	} else if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		snprintf(err, errlen, "%s: cannot write: no folder %s", path, dir);
		rc = -1;
	} else if (access(dir, W_OK | X_OK)) {
		snprintf(err, errlen, "%s: cannot write: %s", path, g_strerror(errno));
		rc = -1;
	}
	g_free(dir);
	return rc;
}

int record_write(const char *path, const char *mode_from, const char *text, size_t len, char *err,
		 size_t errlen)
{
	GStatBuf st;
	int mode = g_stat(mode_from, &st) == 0 ? (int)(st.st_mode & 07777) : 0644;
	GError *gerr = NULL;
	if (!g_file_set_contents_full(path, text, (gssize)len,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, mode,
				      &gerr)) {
		snprintf(err, errlen, "%s: cannot write: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	return 0;
}
