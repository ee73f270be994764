/* libccsim's scenario API: a run's results, statistics and trace, and its
 * errors, against what the runner itself reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "include/ccsim/ccsim.h"

static const char scn[] = "scenarios/guests/realm-lifecycle.scn";

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(ccsim_api_version() >> 16, CCSIM_API_VERSION_MAJOR);
	assert_true(strlen(ccsim_version()) > 0);
}

static void test_run_and_read(void **state)
{
	(void)state;
	char err[1024] = "";
	gchar *dir = g_dir_make_tmp("ccsim-api-XXXXXX", NULL);
	struct ccsim_run_options o = { .profile = "cca", .outdir = dir };
	struct ccsim_run *r = NULL;
	assert_int_equal(ccsim_run_scenario(scn, &o, &r, err, sizeof(err)), 0);
	assert_true(ccsim_run_passed(r));
	assert_string_equal(ccsim_run_profile(r), "cca");
	assert_string_equal(ccsim_run_outcome(r), "not-attack");
	assert_int_equal(strlen(ccsim_run_digest(r)), 64);
	assert_true(ccsim_run_cycles(r) > 0);
	size_t failed = 99;
	assert_true(ccsim_run_expectations(r, &failed) > 0);
	assert_int_equal(failed, 0);
	const char *w, *t, *s;
	assert_int_equal(ccsim_run_failure(r, 0, &w, &t, &s), -1);
	/* statistics: sorted, found by name, unknown names refused */
	size_t n = ccsim_run_stat_count(r);
	assert_true(n > 10);
	const char *prev = "", *name;
	uint64_t v, exits;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ccsim_run_stat_at(r, i, &name, &v), 0);
		assert_true(strcmp(prev, name) < 0);
		prev = name;
	}
	assert_int_equal(ccsim_run_stat_at(r, n, &name, &v), -1);
	assert_int_equal(ccsim_run_stat(r, "hv.g0.exits", &exits), 0);
	assert_true(exits > 0);
	assert_int_equal(ccsim_run_stat(r, "no.such.stat", &v), -1);
	/* the same scenario again: the same digest */
	struct ccsim_run *again = NULL;
	struct ccsim_run_options quiet = { .profile = "cca" };
	assert_int_equal(ccsim_run_scenario(scn, &quiet, &again, err, sizeof(err)), 0);
	assert_string_equal(ccsim_run_digest(again), ccsim_run_digest(r));
	ccsim_run_free(again);
	ccsim_run_free(r);

	/* its trace, decoded: the monitor's calls are there */
	gchar *path = g_build_filename(dir, "trace.bin", NULL);
	struct ccsim_trace *tr = NULL;
	assert_int_equal(ccsim_trace_open(path, &tr, err, sizeof(err)), 0);
	struct ccsim_trace_event ev;
	size_t records = 0, calls = 0;
	uint64_t last = 0;
	int got;
	while ((got = ccsim_trace_next(tr, &ev, err, sizeof(err))) == 1) {
		records++;
		assert_true(ev.cycle >= last);
		last = ev.cycle;
		assert_non_null(ev.text);
		if (strcmp(ev.kind, "mon.call") == 0) {
			calls++;
			assert_non_null(strstr(ev.text, "mon.call"));
		}
	}
	assert_int_equal(got, 0);
	assert_true(records > 100);
	assert_true(calls > 10);
	ccsim_trace_close(tr);
	g_free(path);
	gchar *cmd = g_strdup_printf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(dir);
}

static void test_errors(void **state)
{
	(void)state;
	char err[1024] = "";
	struct ccsim_run *r = (struct ccsim_run *)1;
	assert_int_equal(ccsim_run_scenario("no/such.scn", NULL, &r, err, sizeof(err)), -1);
	assert_null(r);
	assert_non_null(strstr(err, "no/such.scn"));
	struct ccsim_run_options o = { .profile = "no-such-profile" };
	assert_int_equal(ccsim_run_scenario(scn, &o, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown profile \"no-such-profile\""));
	const char *bad[] = { "noequals" };
	struct ccsim_run_options b = { .profile = "cca", .sets = bad, .nsets = 1 };
	assert_int_equal(ccsim_run_scenario(scn, &b, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "noequals"));
	const char *key[] = { "mem.no_such_key=1" };
	struct ccsim_run_options k = { .profile = "cca", .sets = key, .nsets = 1 };
	assert_int_equal(ccsim_run_scenario(scn, &k, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no_such_key"));
	struct ccsim_trace *t = (struct ccsim_trace *)1;
	assert_int_equal(ccsim_trace_open("no/such/trace.bin", &t, err, sizeof(err)), -1);
	assert_null(t);
	assert_int_equal(ccsim_trace_open("README.md", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "README.md"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_run_and_read),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
