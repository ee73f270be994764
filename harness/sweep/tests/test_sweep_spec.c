/* Unit tests for building a sweep: --set lists and their errors, repeated
 * --set keys of run / matrix, configuration numbering (profile-major, the
 * last key fastest), and sweep files (statements, paths relative to the
 * file, errors at file:line:column, and the writer read back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "harness/sweep/sweep_file.h"
#include "harness/sweep/sweep_spec.h"

/* A sweep of two profiles, a machine key and a param. */
static void spec_small(struct sweep_spec *s)
{
	char err[SWEEP_ERR_MAX];
	sweep_spec_init(s);
	s->scenario = g_strdup("x.scn");
	assert_int_equal(sweep_spec_add_profiles(s, "cca,plain", "--profile", err, sizeof(err)), 0);
	assert_int_equal(sweep_spec_add_set(s, "memenc.aes_latency=40,80,120", "--set", err, sizeof(err)), 0);
	assert_int_equal(sweep_spec_add_set(s, "n=1,2", "--set", err, sizeof(err)), 0);
}

/* Values keep their order; a machine key is told from a param by its dot. */
static void test_set_lists(void **state)
{
	(void)state;
	struct sweep_spec s;
	spec_small(&s);
	assert_int_equal(s.naxes, 2);
	assert_true(s.axes[0].machine);
	assert_false(s.axes[1].machine);
	assert_int_equal(s.axes[0].nvalues, 3);
	assert_string_equal(s.axes[0].values[2], "120");
	assert_string_equal(s.axes[1].where[0], "--set");
	sweep_spec_free(&s);
}

/* A key twice, an empty or repeated value, a malformed key: errors. */
static void test_set_errors(void **state)
{
	char err[SWEEP_ERR_MAX];
	(void)state;
	struct sweep_spec s;
	spec_small(&s);
	assert_int_equal(sweep_spec_add_set(&s, "n=3", "--set n=3", err, sizeof(err)), -1);
	assert_string_equal(err, "--set n=3: n is already swept (give every value in one list: n=A,B,...)");
	assert_int_equal(sweep_spec_add_set(&s, "m=1,,2", "W", err, sizeof(err)), -1);
	assert_string_equal(err, "W: m: empty value in the list");
	assert_int_equal(sweep_spec_add_set(&s, "m=1,2,1", "W", err, sizeof(err)), -1);
	assert_string_equal(err, "W: m: repeated value \"1\"");
	assert_int_equal(sweep_spec_add_set(&s, "a.b.c=1", "W", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected NAME=V1,V2,..."));
	assert_int_equal(sweep_spec_add_set(&s, "novalue", "W", err, sizeof(err)), -1);
	assert_int_equal(sweep_spec_add_profiles(&s, "sev,cca", "W", err, sizeof(err)), -1);
	assert_string_equal(err, "W: repeated profile \"cca\"");
	assert_int_equal(sweep_spec_add_counter(&s, "a b", "W", err, sizeof(err)), -1);
	assert_int_equal(s.naxes, 2);
	sweep_spec_free(&s);
}

/* ccsim run / matrix: the same key in two --set options is refused. */
static void test_sets_unique(void **state)
{
	char err[SWEEP_ERR_MAX];
	(void)state;
	char *ok[] = { "page=1", "mem.pa_bits=40", "pag=2" };
	char *dup[] = { "page=1", "mem.pa_bits=40", "page=2" };
	assert_int_equal(sweep_sets_unique(ok, 3, err, sizeof(err)), 0);
	assert_int_equal(sweep_sets_unique(dup, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "--set page given twice (page=1, then page=2): give each key once");
}

/* Configurations are numbered profile-major, the last --set fastest. */
static void test_config_order(void **state)
{
	(void)state;
	struct sweep_spec s;
	spec_small(&s);
	size_t p, v[2];
	sweep_config_decode(&s, 0, &p, v);
	assert_true(p == 0 && v[0] == 0 && v[1] == 0);
	sweep_config_decode(&s, 1, &p, v);
	assert_true(p == 0 && v[0] == 0 && v[1] == 1);
	sweep_config_decode(&s, 7, &p, v);
	assert_true(p == 1 && v[0] == 0 && v[1] == 1);
	assert_int_equal(sweep_machine_combo(&s, p, v), 3);
	char *label = sweep_config_label(&s, 11);
	assert_string_equal(label, "plain memenc.aes_latency=120 n=2");
	g_free(label);
	char **params, **machine;
	size_t np, nm;
	sweep_config_sets(&s, 4, &params, &np, &machine, &nm);
	assert_int_equal(np, 1);
	assert_int_equal(nm, 1);
	assert_string_equal(params[0], "n=1");
	assert_string_equal(machine[0], "memenc.aes_latency=120");
	g_strfreev(params);
	g_strfreev(machine);
	sweep_spec_free(&s);
}

/* --- sweep files --- */

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);
	assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

static int load_text(const char *text, struct sweep_spec *s, char **dir_out, char *err, size_t errlen)
{
	char *dir = g_dir_make_tmp(NULL, NULL);
	char *p = write_tmp(dir, "t.sweep", text);
	sweep_spec_init(s);
	int rc = sweep_file_load(p, s, err, errlen);
	g_unlink(p);
	g_free(p);
	if (dir_out)
		*dir_out = dir;
	else {
		g_rmdir(dir);
		g_free(dir);
	}
	return rc;
}

/* Every statement; paths relative to the file; "a=1, 2" continues a list. */
static void test_file_statements(void **state)
{
	char err[SWEEP_ERR_MAX];
	(void)state;
	struct sweep_spec s;
	char *dir;
	assert_int_equal(load_text("# a study\n"
				   "scenario ../x.scn   # the workload\n"
				   "profiles cca plain,local/p.ini\n"
				   "set memenc.aes_latency=40, 80  n=1\n"
				   "counter hv.g0.* \"phase.*\" llc.*,l1d.*\n"
				   "seed 7\n", &s, &dir, err, sizeof(err)), 0);
	char *want = g_build_filename(dir, "../x.scn", NULL);
	assert_string_equal(s.scenario, want);
	g_free(want);
	assert_int_equal(s.nprofiles, 3);
	want = g_build_filename(dir, "local/p.ini", NULL);
	assert_string_equal(s.profiles[2], want);
	g_free(want);
	assert_int_equal(s.naxes, 2);
	assert_int_equal(s.axes[0].nvalues, 2);
	assert_string_equal(s.axes[0].values[1], "80");
	assert_non_null(strstr(s.axes[0].where[0], "t.sweep:4:5"));
	assert_non_null(strstr(s.axes[1].where[0], "t.sweep:4:32"));
	assert_int_equal(s.ncounters, 4);
	assert_string_equal(s.counters[1], "phase.*");
	assert_string_equal(s.counters[3], "l1d.*");
	assert_int_equal(s.seed, 7);
	sweep_spec_free(&s);
	g_rmdir(dir);
	g_free(dir);
}

/* Each mistake names file:line:column. */
static void test_file_errors(void **state)
{
	char err[SWEEP_ERR_MAX];
	(void)state;
	static const struct { const char *text, *msg; } cases[] = {
		{ "scenario x.scn\nprofile cca\nsett n=1\n", "t.sweep:3:1: unknown statement \"sett\"" },
		{ "scenario x.scn\nset n=1\nset n=2\n", "t.sweep:3:5: n is already swept" },
		{ "scenario x.scn\nset  n=1,,2\n", "t.sweep:2:6: n: empty value in the list" },
		{ "scenario x.scn\nscenario y.scn\n", "t.sweep:2:1: a second scenario line" },
		{ "scenario x.scn y.scn\n", "t.sweep:1:16: one scenario path per line" },
		{ "scenario x.scn\nseed 1x\n", "t.sweep:2:6: seed: expected one number" },
		{ "scenario x.scn\nseed 1\nseed 2\n", "t.sweep:3:1: a second seed line" },
		{ "scenario x.scn\ncounter\n", "t.sweep:2:1: counter needs a value" },
		{ "scenario \"x.scn\n", "t.sweep:1:10: unterminated string" },
		{ "profiles cca\n", "t.sweep:1:1: no scenario line" },
		{ "scenario x.scn\nprofiles cca cca\n", "t.sweep:2:14: repeated profile \"cca\"" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct sweep_spec s;
		err[0] = '\0';
		assert_int_equal(load_text(cases[i].text, &s, NULL, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err, cases[i].msg);
		sweep_spec_free(&s);
	}
}

/* What the writer writes (as --slurm does) reads back as the same study,
 * values with spaces and quotes included. */
static void test_file_roundtrip(void **state)
{
	char err[SWEEP_ERR_MAX];
	(void)state;
	struct sweep_spec s, back;
	spec_small(&s);
	g_free(s.scenario);
	s.scenario = g_strdup("/abs/my study/x.scn");
	assert_int_equal(sweep_spec_add_set(&s, "title=a b,\"q\"", "--set", err, sizeof(err)), 0);
	assert_int_equal(sweep_spec_add_counter(&s, "dram.*", "--counter", err, sizeof(err)), 0);
	s.seed = 42;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	sweep_file_write(f, &s, "written by a test");
	fclose(f);
	char *dir = g_dir_make_tmp(NULL, NULL), *p = write_tmp(dir, "w.sweep", text);
	sweep_spec_init(&back);
	assert_int_equal(sweep_file_load(p, &back, err, sizeof(err)), 0);
	assert_string_equal(back.scenario, s.scenario);
	assert_int_equal(back.nprofiles, 2);
	assert_int_equal(back.naxes, 3);
	for (size_t a = 0; a < 3; a++) {
		assert_string_equal(back.axes[a].key, s.axes[a].key);
		assert_int_equal(back.axes[a].nvalues, s.axes[a].nvalues);
		for (size_t v = 0; v < s.axes[a].nvalues; v++)
			assert_string_equal(back.axes[a].values[v], s.axes[a].values[v]);
	}
	assert_string_equal(back.counters[0], "dram.*");
	assert_int_equal(back.seed, 42);
	g_unlink(p);
	g_rmdir(dir);
	g_free(p);
	g_free(dir);
	free(text);
	sweep_spec_free(&s);
	sweep_spec_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_lists),       cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_sets_unique),     cmocka_unit_test(test_config_order),
		cmocka_unit_test(test_file_statements), cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
