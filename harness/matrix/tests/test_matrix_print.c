/* The matrix's printed forms: the width it fits, cell codes, shortened
 * paths, the compact table at every width (no line too long, column blocks
 * when profiles do not fit), the failure summary and the JUnit escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "harness/matrix/matrix_print.h"

static const char *const profiles[] = {
	"plain", "sev", "sev-es", "sev-no-asid-gate", "tdx", "sev-snp", "sev-snp-no-asid-gate",
	"tdx-no-alias-check", "sev-snp-alias-check", "cca", "cca-mac", "cca-ctr-tree", "sev-gen1",
	"sev-gen1-xex", "sev-snp-ri", "cca-no-tlbi", "tdx-li", "sev-snp-stale-tlb", "tdx-step-fixed",
	"cca-rmm-timer",
};
#define NPROF (sizeof(profiles) / sizeof(profiles[0]))

static const char *const outcomes[] = { "leaked", "blocked: gpc.gpf", "detected", "corrupted", "no-leak",
					"blocked: rmp.npf" };

/* `nscn` scenarios, scenario i on every profile but those j with (i + j) % 3 == 0. */
static struct matrix_cell *make_cells(size_t nscn, size_t *n)
{
	struct matrix_cell *c = g_new0(struct matrix_cell, nscn * NPROF);
	size_t k = 0;
	for (size_t i = 0; i < nscn; i++)
		for (size_t j = 0; j < NPROF; j++) {
			if ((i + j) % 3 == 0)
				continue;
			c[k].scenario = g_strdup_printf("scenarios/%s/scenario-with-a-long-name-%02zu.scn",
							i % 2 ? "attacks" : "monitor/cca", i);
			c[k].profile = g_strdup(profiles[j]);
			c[k].res.pass = true;
			c[k].res.expects_total = 2;
			g_strlcpy(c[k].res.outcome, outcomes[(i + j) % 6], sizeof(c[k].res.outcome));
			k++;
		}
	*n = k;
	return c;
}

static void free_cells(struct matrix_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_free(c[i].scenario);
		g_free(c[i].profile);
	}
	g_free(c);
}

static char *print_compact(const struct matrix_cell *c, size_t n, unsigned width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	matrix_print_compact(f, c, n, width);
	matrix_print_summary(f, c, n, width);
	fclose(f);
	char *copy = strdup(buf); /* not buf itself: gcc takes it for a pointer to the local */
	free(buf);
	return copy;
}

static size_t longest_line(const char *text)
{
	size_t best = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		best = MAX(best, len);
		p += len + (e != NULL);
	}
	return best;
}

static size_t count(const char *text, const char *needle)
{
	size_t k = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		k++;
	return k;
}

/* $COLUMNS first, then the terminal, then 80; never below the minimum. */
static void test_width(void **state)
{
	(void)state;
	assert_int_equal(matrix_width(NULL, 0), 80);
	assert_int_equal(matrix_width("", 0), 80);
	assert_int_equal(matrix_width(NULL, 132), 132);
	assert_int_equal(matrix_width("100", 132), 100);
	assert_int_equal(matrix_width("wide", 0), 80);
	assert_int_equal(matrix_width("90x", 120), 120);
	assert_int_equal(matrix_width("0", 0), 80);
	assert_int_equal(matrix_width("-5", 0), 80);
	assert_int_equal(matrix_width("5", 0), MATRIX_MIN_WIDTH);
	assert_int_equal(matrix_width("99999999999999999999999", 0), 80);
}

/* Each outcome has its letter; a failed expectation, an unchecked run and a
 * run that did not happen are told apart. */
static void test_cell_codes(void **state)
{
	(void)state;
	static const struct { const char *outcome; char code; } want[] = {
		{ "leaked", 'L' }, { "blocked: gpc.gpf", 'B' }, { "detected", 'D' },
		{ "corrupted", 'C' }, { "no-leak", '-' },
	};
	struct matrix_cell c = { .res = { .pass = true, .expects_total = 1 } };
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		g_strlcpy(c.res.outcome, want[i].outcome, sizeof(c.res.outcome));
		assert_int_equal(matrix_cell_code(&c), want[i].code);
		assert_int_equal(matrix_cell_mark(&c), ' ');
	}
	c.res.pass = false;
	assert_int_equal(matrix_cell_mark(&c), '!');
	c.res.pass = true;
	c.res.expects_total = 0;
	assert_int_equal(matrix_cell_mark(&c), '?');
	c.status = -1;
	assert_int_equal(matrix_cell_code(&c), 'E');
	assert_int_equal(matrix_cell_mark(&c), ' ');
}

/* Paths lose leading folders first, keeping the file name whole. */
static void test_short_path(void **state)
{
	(void)state;
	char out[128];
	const char *p = "scenarios/monitor/cca/rsi_attestation_token_continue.scn";
	matrix_short_path(p, 80, out, sizeof(out));
	assert_string_equal(out, p);
	matrix_short_path(p, 48, out, sizeof(out));
	assert_string_equal(out, ".../cca/rsi_attestation_token_continue.scn");
	matrix_short_path(p, 40, out, sizeof(out));
	assert_string_equal(out, ".../rsi_attestation_token_continue.scn");
	matrix_short_path(p, 20, out, sizeof(out));
	assert_string_equal(out, "...oken_continue.scn");
	assert_int_equal(strlen(out), 20);
	matrix_short_path("abcdef", 3, out, sizeof(out));
	assert_string_equal(out, "def");
}

/* At every width from the minimum up, no printed line is longer; the
 * twenty profiles are each lettered once in the key. */
static void test_compact_fits_every_width(void **state)
{
	(void)state;
	size_t n;
	struct matrix_cell *c = make_cells(12, &n);
	for (unsigned w = MATRIX_MIN_WIDTH; w <= 200; w++) {
		char *out = print_compact(c, n, w);
		if (longest_line(out) > w)
			fail_msg("width %u: a line of %zu:\n%s", w, longest_line(out), out);
		if (w >= 24) { /* the key's longest item fits a line */
			assert_non_null(strstr(out, "n sev-snp-no-asid-gate"));
			assert_int_equal(count(out, " t tdx-step-fixed"), 1);
		}
		free(out);
	}
	free_cells(c, n);
}

/* Families in order (plain, cca*, sev*, tdx*) whatever order the profiles
 * came in; at 80 columns one block, at 40 several, each with every row. */
static void test_compact_layout(void **state)
{
	(void)state;
	size_t n;
	struct matrix_cell *c = make_cells(6, &n);
	char *out = print_compact(c, n, 80);
	const char *first = out;
	assert_true(strstr(first, "plain") < strstr(first, "cca"));
	assert_true(strstr(first, " cca ") < strstr(first, " sev "));
	assert_true(strstr(first, " sev ") < strstr(first, " tdx"));
	assert_int_equal(count(out, "name-03.scn"), 1); /* its row; it did not fail */
	assert_int_equal(count(out, "\nscenarios/ "), 1);
	free(out);

	out = print_compact(c, n, 40);
	size_t blocks = count(out, "\nscenarios/ ");
	assert_true(blocks >= 2);
	assert_int_equal(count(out, "name-03.scn"), blocks);
	free(out);

	/* Each scenario's profiles in reverse order: the same table. */
	struct matrix_cell *r = g_new0(struct matrix_cell, n);
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && strcmp(c[e].scenario, c[i].scenario) == 0)
			e++;
		for (size_t k = i; k < e; k++)
			r[k] = c[e - 1 - (k - i)];
		i = e;
	}
	char *a = print_compact(c, n, 80), *b = print_compact(r, n, 80);
	assert_string_equal(a, b);
	free(a);
	free(b);
	g_free(r);
	free_cells(c, n);
}

/* A failing cell names its scenario, profile and every failed
 * expectation; an error names its message; the count line ends it all. */
static void test_summary(void **state)
{
	(void)state;
	struct matrix_cell c[3] = {
		{ .scenario = "tests/data/a.scn", .profile = "plain",
		  .res = { .pass = true, .expects_total = 1, .outcome = "leaked" } },
		{ .scenario = "tests/data/a.scn", .profile = "cca",
		  .res = { .pass = false, .expects_total = 3, .expects_failed = 2, .outcome = "leaked",
			   .failures = { { "tests/data/a.scn:7", "expect outcome == \"blocked: gpc.gpf\" on cca",
					   "leaked" },
					 { "tests/data/a.scn:9", "expect r == \"x\"", "\"top secret\"" } } } },
		{ .scenario = "tests/data/b.scn", .profile = "-", .status = -1,
		  .err = "tests/data/b.scn:3:1: unknown statement \"frob\"" },
	};
	char *out = print_compact(c, 3, 80);
	assert_non_null(strstr(out, "FAIL tests/data/a.scn on cca\n"));
	assert_non_null(strstr(out, "  tests/data/a.scn:7: expect outcome == \"blocked: gpc.gpf\" on cca"));
	assert_non_null(strstr(out, "tests/data/a.scn:9: expect r == \"x\" (observed: \"top secret\")"));
	assert_non_null(strstr(out, "ERROR tests/data/b.scn\n  tests/data/b.scn:3:1: unknown"));
	assert_non_null(strstr(out, "L!"));
	assert_non_null(strstr(out, "! after a code: an expectation failed"));
	assert_non_null(strstr(out, "E did not run"));
	assert_true(g_str_has_suffix(out, "\n3 cells: 1 passed, 1 failed, 1 errors\n"));
	free(out);
	out = print_compact(c, 3, MATRIX_MIN_WIDTH);
	assert_true(longest_line(out) <= MATRIX_MIN_WIDTH);
	free(out);
	/* Nothing loaded: no profile column at all, the error still named. */
	out = print_compact(&c[2], 1, 80);
	assert_true(g_str_has_prefix(out, "tests/data/\nb.scn\n"));
	assert_null(strstr(out, "profiles:"));
	assert_true(g_str_has_suffix(out, "unknown statement \"frob\"\n1 cells: 0 passed, 0 failed, 1 errors\n"));
	free(out);
}

/* Many blocking mechanisms: the legend stops after a few lines and says
 * how many it left out. */
static void test_blocked_legend_capped(void **state)
{
	(void)state;
	enum { N = 60 };
	struct matrix_cell *c = g_new0(struct matrix_cell, N);
	for (size_t i = 0; i < N; i++) {
		c[i].scenario = g_strdup_printf("s/%02zu.scn", i);
		c[i].profile = "cca";
		c[i].res.pass = true;
		c[i].res.expects_total = 1;
		snprintf(c[i].res.outcome, sizeof(c[i].res.outcome), "blocked: mech.number_%02zu", i);
	}
	char *out = print_compact(c, N, 80);
	const char *legend = strstr(out, "blocked by:");
	assert_non_null(legend);
	const char *end = strstr(legend, "cells:");
	end = end ? end : strstr(legend, "\n60 cells");
	size_t lines = 0;
	for (const char *p = legend; p < end; p++)
		lines += *p == '\n';
	assert_true(lines <= MATRIX_LEGEND_LINES);
	assert_non_null(strstr(legend, "more (--wide names each)"));
	free(out);
	for (size_t i = 0; i < N; i++)
		g_free(c[i].scenario);
	g_free(c);
}

/* JUnit: markup characters escaped, control characters replaced, one
 * testcase per cell, the counts on the suite. */
static void test_junit(void **state)
{
	(void)state;
	struct matrix_cell c[2] = {
		{ .scenario = "a&b.scn", .profile = "cca",
		  .res = { .pass = false, .expects_total = 1, .expects_failed = 1, .ns = 1500000123,
			   .outcome = "leaked",
			   .failures = { { "a&b.scn:4", "expect r == \"<x>\"\x01", "'y'\n" } } } },
		{ .scenario = "a&b.scn", .profile = "plain", .status = -1, .err = "bad <input>" },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(matrix_junit_write(f, c, 2, 7), 0);
	fclose(f);
	assert_non_null(strstr(buf, "tests=\"2\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"1.500000123\""));
	assert_int_equal(count(buf, "<testcase "), 2);
	assert_non_null(strstr(buf, "classname=\"a&amp;b.scn\" name=\"cca\" time=\"1.500000123\""));
	assert_non_null(strstr(buf, "message=\"a&amp;b.scn:4: expect r == &quot;&lt;x&gt;&quot;?\""));
	assert_non_null(strstr(buf, "observed: &apos;y&apos;\n"));
	assert_non_null(strstr(buf, "<error type=\"error\" message=\"bad &lt;input&gt;\">"));
	assert_non_null(strstr(buf, "<property name=\"seed\" value=\"7\"/>"));
	assert_null(strchr(buf, '\x01'));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),         cmocka_unit_test(test_cell_codes),
		cmocka_unit_test(test_short_path),    cmocka_unit_test(test_compact_fits_every_width),
		cmocka_unit_test(test_compact_layout), cmocka_unit_test(test_summary),
		cmocka_unit_test(test_blocked_legend_capped), cmocka_unit_test(test_junit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
