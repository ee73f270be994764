/* A matrix held against a reference: reading the reference (JSON as --json
 * writes it, and every way it can be wrong, at its line and column), and
 * the differences each compare mode reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "harness/matrix/matrix_compare.h"

static const char ref_text[] =
	"{\n  \"format\": \"ccsim.matrix/1\",\n  \"ccsim_version\": \"0.1.0\",\n  \"seed\": 1,\n"
	"  \"profiles\": [\"plain\", \"cca\"],\n  \"runs\": [\n"
	"    {\"scenario\": \"s/a.scn\", \"profile\": \"plain\", \"pass\": true, \"outcome\": \"leaked\", "
	"\"expectations\": 3, \"failed\": 0, \"cycles\": 293, \"digest\": \"aa\"},\n"
	"    {\"scenario\": \"s/a.scn\", \"profile\": \"cca\", \"pass\": true, \"outcome\": "
	"\"blocked: gpc.gpf\", \"expectations\": 4, \"failed\": 0, \"cycles\": 9806, \"digest\": \"bb\"},\n"
	"    {\"scenario\": \"s/bad.scn\", \"profile\": \"-\", \"error\": \"s/bad.scn:1:1: \\\"x\\\" \\u00e9\"},\n"
	"    {\"scenario\": \"t/c.scn\", \"profile\": \"cca\", \"pass\": false, \"outcome\": \"no-leak\", "
	"\"expectations\": 1, \"failed\": 1, \"cycles\": 5, \"digest\": \"cc\"}\n"
	"  ],\n  \"passed\": 2, \"failed\": 1, \"errors\": 1\n}\n";

static void load(struct matrix_ref *ref)
{
	char err[512] = "";
	int rc = matrix_ref_parse("ref.json", ref_text, strlen(ref_text), ref, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
}

/* The reference's rows, escapes decoded, error rows kept as such. */
static void test_parse(void **state)
{
	(void)state;
	struct matrix_ref ref;
	load(&ref);
	assert_int_equal(ref.seed, 1);
	assert_int_equal(ref.nrows, 4);
	assert_string_equal(ref.rows[1].outcome, "blocked: gpc.gpf");
	assert_int_equal(ref.rows[1].cycles, 9806);
	assert_int_equal(ref.rows[1].expectations, 4);
	assert_true(ref.rows[1].pass);
	assert_false(ref.rows[3].pass);
	assert_int_equal(ref.rows[3].failed, 1);
	assert_string_equal(ref.rows[2].error, "s/bad.scn:1:1: \"x\" \xc3\xa9");
	assert_null(ref.rows[0].error);
	matrix_ref_free(&ref);
}

/* Every malformed reference is refused with where and what. */
static void test_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *msg; } bad[] = {
		{ "", "ref.json:1:1: unexpected end of the file" },
		{ "[1, 2]", "ref.json:1:1: not a ccsim matrix (expected an object)" },
		{ "{\"format\": \"ccsim.sweep/1\"}", "ref.json:1:12: format \"ccsim.sweep/1\": expected ccsim.matrix/1" },
		{ "{\"format\": \"ccsim.matrix/1\", \"seed\": -1, \"runs\": []}", "ref.json:1:38: \"seed\": expected a whole number, got -1" },
		{ "{\"format\": \"ccsim.matrix/1\", \"seed\": 1}", "ref.json:1:1: the matrix has no \"runs\"" },
		{ "{\"format\": \"ccsim.matrix/1\",\n \"seed\": 1, \"runs\": [{\"scenario\": \"a\", \"profile\": \"p\", "
		  "\"pass\": 1}]}", "ref.json:2:64: \"pass\": expected true or false" },
		{ "{\"format\": \"ccsim.matrix/1\", \"seed\": 1, \"runs\": [{\"scenario\": \"a\", \"profile\": \"-\", "
		  "\"error\": \"e\"}, {\"scenario\": \"./a\", \"profile\": \"-\", \"error\": \"e\"}]}", "ref.json:1:99: ./a on - appears twice" },
		{ "{\"format\": \"ccsim.matrix/1\" \"seed\": 1}", "ref.json:1:29: expected ',' or '}'" },
		{ "{\"format\": \"ccsim.matrix/1\"} x", "ref.json:1:30: text after the matrix" },
		{ "{\"a\": \"b\nc\"}", "ref.json:1:9: a control character in a string" },
		{ "{\"a\": \"\\q\"}", "ref.json:1:8: a bad escape" },
		{ "{\"a\": \"\\u0000\"}", "ref.json:1:8: \\u0000 cannot stand in a string here" },
		{ "{\"a\": \"abc", "ref.json:1:7: unterminated string" },
		{ "{\"a\": tru}", "ref.json:1:7: unexpected 't'" },
		{ "{\"a\": 1.2.3}", "ref.json:1:7: a bad number \"1.2.3\"" },
		{ "{\"a\": \"\xff\"}", "ref.json:1:7: a string that is not UTF-8" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "ref.json:1:34: nested deeper than 32" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct matrix_ref ref;
		char err[512] = "";
		assert_int_equal(matrix_ref_parse("ref.json", bad[i].text, strlen(bad[i].text), &ref, err,
						  sizeof(err)), -1);
		if (!g_str_has_prefix(err, bad[i].msg))
			fail_msg("case %zu: \"%s\", expected \"%s...\"", i, err, bad[i].msg);
		assert_null(ref.rows);
	}
}

/* The run the reference was made from, as cells. */
static struct matrix_cell *cells_like_ref(size_t *n)
{
	static const struct matrix_cell proto[] = {
		{ .scenario = "s/a.scn", .profile = "plain",
		  .res = { .pass = true, .outcome = "leaked", .expects_total = 3, .cycles = 293, .digest = "aa" } },
		{ .scenario = "s/a.scn", .profile = "cca",
		  .res = { .pass = true, .outcome = "blocked: gpc.gpf", .expects_total = 4, .cycles = 9806,
			   .digest = "bb" } },
		{ .scenario = "s/bad.scn", .profile = "-", .status = -1, .err = "s/bad.scn:1:1: \"x\" \xc3\xa9" },
		{ .scenario = "t/c.scn", .profile = "cca",
		  .res = { .pass = false, .outcome = "no-leak", .expects_total = 1, .expects_failed = 1,
			   .cycles = 5, .digest = "cc" } },
	};
	*n = G_N_ELEMENTS(proto);
	return g_memdup2(proto, sizeof(proto));
}

static size_t compare(const struct matrix_ref *ref, const struct matrix_cell *c, size_t n,
		      char **paths, size_t npaths, char **only, enum matrix_compare_mode mode, char **text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct matrix_compare_run run = { c, n, 1, paths, npaths, only };
	size_t d = matrix_compare(f, ref, &run, mode);
	fclose(f);
	*text = g_strdup(buf);
	free(buf);
	return d;
}

/* The same runs: no difference in either mode. */
static void test_same(void **state)
{
	(void)state;
	struct matrix_ref ref;
	size_t n;
	char *paths[] = { "./s/", "t" }, *text;
	load(&ref);
	struct matrix_cell *c = cells_like_ref(&n);
	assert_int_equal(compare(&ref, c, n, paths, 2, NULL, MATRIX_COMPARE_EXACT, &text), 0);
	assert_string_equal(text, "compare with ref.json (exact): no differences in 4 runs\n");
	g_free(text);
	assert_int_equal(compare(&ref, c, n, paths, 2, NULL, MATRIX_COMPARE_OUTCOMES, &text), 0);
	g_free(text);
	g_free(c);
	matrix_ref_free(&ref);
}

/* A timing change moves cycles and digest: a difference under exact only. */
static void test_timing(void **state)
{
	(void)state;
	struct matrix_ref ref;
	size_t n;
	char *paths[] = { "s", "t" }, *text;
	load(&ref);
	struct matrix_cell *c = cells_like_ref(&n);
	c[1].res.cycles = 9807;
	g_strlcpy(c[1].res.digest, "bd", sizeof(c[1].res.digest));
	assert_int_equal(compare(&ref, c, n, paths, 2, NULL, MATRIX_COMPARE_OUTCOMES, &text), 0);
	g_free(text);
	assert_int_equal(compare(&ref, c, n, paths, 2, NULL, MATRIX_COMPARE_EXACT, &text), 2);
	assert_string_equal(text, "compare with ref.json (exact): 2 differences\n"
			    "  s/a.scn on cca: cycles: reference 9806, now 9807\n"
			    "  s/a.scn on cca: digest: reference \"bb\", now \"bd\"\n");
	g_free(text);
	g_free(c);
	matrix_ref_free(&ref);
}

/* A verdict change is a difference in both modes, each field named. */
static void test_verdict(void **state)
{
	(void)state;
	struct matrix_ref ref;
	size_t n;
	char *paths[] = { "s", "t" }, *text;
	load(&ref);
	struct matrix_cell *c = cells_like_ref(&n);
	g_strlcpy(c[0].res.outcome, "no-leak", sizeof(c[0].res.outcome));
	c[0].res.pass = false;
	c[0].res.expects_failed = 2;
	c[2].status = 0; /* the bad scenario now loads and runs */
	c[2].res = c[0].res;
	for (int m = 0; m < 2; m++) {
		assert_int_equal(compare(&ref, c, n, paths, 2, NULL, m ? MATRIX_COMPARE_OUTCOMES
									: MATRIX_COMPARE_EXACT, &text), 4);
		assert_non_null(strstr(text, "  s/a.scn on plain: pass: reference true, now false\n"
					     "  s/a.scn on plain: outcome: reference \"leaked\", now \"no-leak\"\n"
					     "  s/a.scn on plain: failed: reference 0, now 2\n"));
		assert_non_null(strstr(text, "  s/bad.scn on -: error: reference \"s/bad.scn:1:1: "));
		assert_non_null(strstr(text, ", now none\n"));
		g_free(text);
	}
	g_free(c);
	matrix_ref_free(&ref);
}

/* Rows on one side only; reference rows outside the paths or profiles
 * this run covers are not missing. */
static void test_missing(void **state)
{
	(void)state;
	struct matrix_ref ref;
	size_t n;
	char *text;
	load(&ref);
	struct matrix_cell *c = cells_like_ref(&n);
	c[0].scenario = "s/new.scn";
	char *all[] = { "s", "t" }, *only_s[] = { "s" }, *cca[] = { "cca", NULL };
	assert_int_equal(compare(&ref, c, 2, all, 2, NULL, MATRIX_COMPARE_OUTCOMES, &text), 4);
	assert_string_equal(text, "compare with ref.json (outcomes): 4 differences\n"
			    "  s/new.scn on plain: not in the reference\n"
			    "  s/a.scn on plain: in the reference, not in this run\n"
			    "  s/bad.scn on -: in the reference, not in this run\n"
			    "  t/c.scn on cca: in the reference, not in this run\n");
	g_free(text);
	/* s/bad.scn's row has profile "-": any --profile leaves it in */
	assert_int_equal(compare(&ref, c + 1, 1, only_s, 1, cca, MATRIX_COMPARE_EXACT, &text), 1);
	assert_string_equal(text, "compare with ref.json (exact): 1 difference\n"
			    "  s/bad.scn on -: in the reference, not in this run\n");
	g_free(text);
	g_free(c);
	matrix_ref_free(&ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),   cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_same),    cmocka_unit_test(test_timing),
		cmocka_unit_test(test_verdict), cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
