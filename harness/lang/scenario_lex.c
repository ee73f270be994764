/* Scenario lexer: tokens, values and ${param} expansion; see
 * scenario_priv.h and docs/scenarios.md. */
#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness/lang/scenario_priv.h"

int scn_perr(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->file, p->line, col > 0 ? col : 1);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

bool scn_is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!is_ident_char(*s))
			return false;
	return true;
}

/* --- tokens --- */

void scn_toks_free(GArray *toks)
{
	for (guint i = 0; i < toks->len; i++) {
		struct tok *t = &g_array_index(toks, struct tok, i);
		g_free(t->key);
		g_free(t->s);
	}
	g_array_free(toks, TRUE);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Read a "..." string starting at line[*i] == '"'. */
static int read_quoted(struct parser *p, const char *line, size_t *i, GByteArray *out)
{
	int start = (int)*i + 1;
	(*i)++;
	while (line[*i] && line[*i] != '"') {
		char c = line[*i];
		if (c == '\\') {
			char e = line[*i + 1];
			uint8_t b;
			switch (e) {
			case 'n': b = '\n'; break;
			case 't': b = '\t'; break;
			case '\\': b = '\\'; break;
			case '"': b = '"'; break;
			case '0': b = 0; break;
			case 'x': {
				int h = hexval(line[*i + 2]), l = h >= 0 ? hexval(line[*i + 3]) : -1;
				if (h < 0 || l < 0)
					return scn_perr(p, (int)*i + 1, "expected two hex digits after \\x");
				b = (uint8_t)(h << 4 | l);
				*i += 2;
				break;
			}
			default:
				return scn_perr(p, (int)*i + 1, "unknown escape \\%c (expected \\n \\t \\\\ \\\" \\0 \\xHH)",
					    e ? e : ' ');
			}
			g_byte_array_append(out, &b, 1);
			*i += 2;
			continue;
		}
		g_byte_array_append(out, (const uint8_t *)&c, 1);
		(*i)++;
	}
	if (line[*i] != '"')
		return scn_perr(p, start, "unterminated string (expected a closing \")");
	(*i)++;
	if (line[*i] && !isspace((unsigned char)line[*i]))
		return scn_perr(p, (int)*i + 1, "expected a space after the closing \"");
	return 0;
}

/* A word that starts with $ continues over " + WORD", " - WORD", " * WORD"
 * and " / WORD" (spaces around the operator): `addr=$c.x1 + 0x1000` is one
 * value. Returns the index after the last word joined. */
static size_t join_terms(const char *line, size_t i, GByteArray *val)
{
	for (;;) {
		size_t j = i;
		while (line[j] == ' ' || line[j] == '\t')
			j++;
		if (!strchr("+-*/", line[j]) || !line[j] || (line[j + 1] != ' ' && line[j + 1] != '\t'))
			return i;
		size_t k = j + 1;
		while (line[k] == ' ' || line[k] == '\t')
			k++;
		if ((unsigned char)line[k] <= 0x20 || line[k] == 0x7f || line[k] == '#' || line[k] == '"')
			return i;
		const char op[3] = { ' ', line[j], ' ' };
		g_byte_array_append(val, (const uint8_t *)op, 3);
		while ((unsigned char)line[k] > 0x20 && line[k] != 0x7f && line[k] != '"')
			g_byte_array_append(val, (const uint8_t *)&line[k++], 1);
		i = k;
	}
}

int scn_tokenize(struct parser *p, const char *line, GArray **out)
{
	GArray *toks = g_array_new(FALSE, TRUE, sizeof(struct tok));
	size_t i = 0;
	for (;;) {
		while (line[i] == ' ' || line[i] == '\t')
			i++;
		if (!line[i] || line[i] == '#')
			break;
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
			scn_toks_free(toks);
			return scn_perr(p, (int)i + 1, "unexpected control character 0x%02x (words are "
					"separated by spaces and tabs)", (unsigned char)line[i]);
		}
		struct tok t = { .col = (int)i + 1 };
		/* key=value (but not ==); a key may be a glob (param NAME sev*=V) */
		size_t j = i;
		while (is_ident_char(line[j]) || line[j] == '*' || line[j] == '?')
			j++;
		if (j > i && line[j] == '=' && line[j + 1] != '=' &&
		    (isalpha((unsigned char)line[i]) || line[i] == '*' || line[i] == '?')) {
			t.key = g_strndup(line + i, j - i);
			i = j + 1;
		}
		t.vcol = (int)i + 1;
		GByteArray *val = g_byte_array_new();
		if (line[i] == '"') {
			t.quoted = true;
			if (read_quoted(p, line, &i, val)) {
				g_free(t.key);
				g_byte_array_free(val, TRUE);
				scn_toks_free(toks);
				return -1;
			}
		} else {
			while ((unsigned char)line[i] > 0x20 && line[i] != 0x7f) {
				if (line[i] == '"') {
					g_free(t.key);
					g_byte_array_free(val, TRUE);
					scn_toks_free(toks);
					return scn_perr(p, (int)i + 1, "unexpected \" inside a word (put a space before the string)");
				}
				g_byte_array_append(val, (const uint8_t *)&line[i], 1);
				i++;
			}
			if (val->len && val->data[0] == '$')
				i = join_terms(line, i, val);
		}
		t.len = val->len;
		g_byte_array_append(val, (const uint8_t *)"", 1);
		t.s = (char *)g_byte_array_free(val, FALSE);
		g_array_append_val(toks, t);
	}
	*out = toks;
	return 0;
}

/* --- values --- */

int scenario_number(const char *s, uint64_t *out) { return scn_parse_number(s, out); }

int scn_parse_number(const char *s, uint64_t *out)
{
	char buf[80];
	size_t n = 0;
	for (const char *q = s; *q; q++)
		if (*q != '_') {
			if (n >= sizeof(buf) - 1)
				return -1;
			buf[n++] = *q;
		}
	buf[n] = '\0';
	if (!n || !isdigit((unsigned char)buf[0]))
		return -1;
	char *end;
	errno = 0;
	/* Decimal unless 0x: a leading zero is not octal. */
	bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	const char *digits = hex ? buf + 2 : buf;
	if (!isxdigit((unsigned char)digits[0]) || strchr(digits, 'x') || strchr(digits, 'X'))
		return -1;
	unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno || end == digits)
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* x1.. and, on a TDX result, the names of the same registers */
static const char *const tdx_reg_names[SCN_RESULT_REGS] = { "rcx", "rdx", "r8",  "r9",
							    "r10", "r11", "r12", "r13" };

unsigned scn_field_reg(const char *field, bool *tdx_name)
{
	*tdx_name = false;
	for (unsigned i = 0; i < SCN_RESULT_REGS; i++) {
		char x[4];
		snprintf(x, sizeof(x), "x%u", i + 1);
		if (strcmp(field, x) == 0)
			return i + 1;
		if (strcmp(field, tdx_reg_names[i]) == 0) {
			*tdx_name = true;
			return i + 1;
		}
	}
	return 0;
}

enum scn_field_kind scn_field_kind(const char *field)
{
	bool tdx;
	if (strcmp(field, "status") == 0)
		return SCN_FIELD_STATUS;
	if (strcmp(field, "fault") == 0)
		return SCN_FIELD_FAULT;
	if (strcmp(field, "cycles") == 0 || scn_field_reg(field, &tdx))
		return SCN_FIELD_NUM;
	return SCN_FIELD_NONE;
}

const char *scn_field_names(void)
{
	return "fault, status, cycles, x1..x8, or on a TDX result rcx, rdx, r8..r13";
}

int scn_term_ref(struct parser *p, const char *name, int col, struct scn_term *term)
{
	const char *dot = strrchr(name, '.');
	enum scn_field_kind k = dot ? scn_field_kind(dot + 1) : SCN_FIELD_NONE;
	if (dot == name || (k != SCN_FIELD_NUM && k != SCN_FIELD_STATUS))
		return scn_perr(p, col, "$%s: a number from a capture names its field: $NAME.status, "
				".cycles, .x1..x8, or on a TDX result .rcx, .rdx, .r8..r13", name);
	term->capture = g_strndup(name, (gsize)(dot - name));
	term->field = g_strdup(dot + 1);
	term->col = col;
	return 0;
}

/* `$c.x1 + 0x1000 - $d.x2`, `$c.x1+8`, `($s.x1 - 6) / 3` written
 * `$s.x1 / 3 - 2`: terms joined by +, -, * and / (spaced, or +, * and /
 * without spaces: - belongs to names). Captures are checked by the caller. */
static int parse_expr(struct parser *p, const struct tok *t, struct scn_value *v)
{
	GArray *terms = g_array_new(FALSE, TRUE, sizeof(struct scn_term));
	const char *s = t->s;
	char op = '+';
	int rc = 0;
	for (size_t i = 0; rc == 0;) {
		size_t n = strcspn(s + i, "+*/ ");
		char *w = g_strndup(s + i, n);
		struct scn_term term = { .op = op, .col = t->vcol + (int)i };
		if (!n)
			rc = scn_perr(p, term.col, "expected a number or $NAME.FIELD after the operator");
		else if (w[0] == '$' && scn_is_ident(w + 1))
			rc = scn_term_ref(p, w + 1, term.col, &term);
		else if (scn_parse_number(w, &term.num))
			rc = scn_perr(p, term.col, "expected a number or $NAME.FIELD, got \"%s\"", w);
		g_free(w);
		if (rc == 0)
			g_array_append_val(terms, term);
		i += n;
		while (s[i] == ' ')
			i++;
		if (!s[i] || rc)
			break;
		if (!strchr("+-*/", s[i])) {
			rc = scn_perr(p, t->vcol + (int)i, "expected +, -, * or / between terms");
			break;
		}
		op = s[i];
		i++;
		while (s[i] == ' ')
			i++;
	}
	v->kind = SV_EXPR;
	v->name = g_strdup(t->s);
	v->nterms = terms->len;
	v->terms = (struct scn_term *)g_array_free(terms, FALSE);
	if (rc) { /* callers keep nothing of a value that did not parse */
		scn_value_free(v);
		memset(v, 0, sizeof(*v));
	}
	return rc;
}

int scn_parse_value(struct parser *p, const struct tok *t, struct scn_value *v)
{
	memset(v, 0, sizeof(*v));
	v->col = t->vcol;
	if (t->quoted) {
		v->kind = SV_BYTES;
		v->bytes = g_memdup2(t->s, t->len);
		v->len = t->len;
		return 0;
	}
	if (!t->s[0])
		return scn_perr(p, t->vcol, "expected a value after '='");
	if (g_str_has_prefix(t->s, "hex:")) {
		const char *h = t->s + 4;
		size_t n = strlen(h);
		if (n == 0 || n % 2)
			return scn_perr(p, t->vcol, "hex: expects an even, non-zero number of hex digits");
		v->kind = SV_BYTES;
		v->len = n / 2;
		v->bytes = g_malloc(v->len);
		for (size_t k = 0; k < v->len; k++) {
			int hi = hexval(h[2 * k]), lo = hexval(h[2 * k + 1]);
			if (hi < 0 || lo < 0) {
				g_free(v->bytes);
				v->bytes = NULL;
				return scn_perr(p, t->vcol + 4 + (int)(2 * k), "bad hex digit in \"%s\"", t->s);
			}
			v->bytes[k] = (uint8_t)(hi << 4 | lo);
		}
		return 0;
	}
	if (t->s[0] == '$' && strpbrk(t->s, "+*/ "))
		return parse_expr(p, t, v);
	if (t->s[0] == '$') {
		if (!scn_is_ident(t->s + 1))
			return scn_perr(p, t->vcol, "expected a name after '$', got \"%s\"", t->s);
		v->kind = SV_REF;
		v->name = g_strdup(t->s + 1);
		return 0;
	}
	if (isdigit((unsigned char)t->s[0])) {
		if (scn_parse_number(t->s, &v->num))
			return scn_perr(p, t->vcol, "bad number \"%s\" (expected decimal, 0x hex, optional K/M/G)", t->s);
		v->kind = SV_NUM;
		return 0;
	}
	if (!scn_is_ident(t->s))
		return scn_perr(p, t->vcol, "unexpected \"%s\" (expected a number, \"string\", hex:.., $name or a name)",
			    t->s);
	v->kind = SV_NAME;
	v->name = g_strdup(t->s);
	return 0;
}

void scn_value_free(struct scn_value *v)
{
	g_free(v->bytes);
	g_free(v->name);
	for (size_t i = 0; i < v->nterms; i++) {
		g_free(v->terms[i].capture);
		g_free(v->terms[i].field);
	}
	g_free(v->terms);
}

/* --- ${param} expansion --- */

const char *scn_param_value(struct parser *p, const char *name)
{
	for (guint i = 0; i < p->params->len; i++) {
		struct scn_param *pp = &g_array_index(p->params, struct scn_param, i);
		if (strcmp(pp->name, name) == 0)
			return pp->value;
	}
	return NULL;
}

char *scn_expand(struct parser *p, const char *line)
{
	GString *out = g_string_new(NULL);
	bool quoted = false;
	for (size_t i = 0; line[i];) {
		/* A comment (a word starting with #, outside a string) is kept
		 * as written: ${...} in prose is not a param. */
		if (!quoted && line[i] == '#' && (i == 0 || isspace((unsigned char)line[i - 1]))) {
			g_string_append(out, line + i);
			break;
		}
		if (line[i] == '"' && (i == 0 || line[i - 1] != '\\'))
			quoted = !quoted;
		if (line[i] == '$' && line[i + 1] == '{') {
			const char *end = strchr(line + i + 2, '}');
			if (!end) {
				scn_perr(p, (int)i + 1, "unterminated ${ (expected ${name})");
				{ g_string_free(out, TRUE); return NULL; }
			}
			char *name = g_strndup(line + i + 2, (gsize)(end - line - (long)i - 2));
			const char *val = scn_param_value(p, name);
			if (!val) {
				scn_perr(p, (int)i + 1, "undefined param \"%s\" (declare it with: param %s=VALUE)",
				     name, name);
				g_free(name);
				{ g_string_free(out, TRUE); return NULL; }
			}
			g_free(name);
			g_string_append(out, val);
			if (out->len > SCN_MAX_EXPANDED) {
				scn_perr(p, (int)i + 1, "params expand this line past %u bytes (params "
					 "built from params grow fast)", SCN_MAX_EXPANDED);
				g_string_free(out, TRUE);
				return NULL;
			}
			i = (size_t)(end - line) + 1;
			continue;
		}
		g_string_append_c(out, line[i++]);
	}
	return g_string_free(out, FALSE);
}

/* --- statements --- */

