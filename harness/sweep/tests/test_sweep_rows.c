/* Unit tests for sweep rows: the journal line format (escapes, round
 * trip), journals (a torn last line, another sweep's journal, restart), and
 * the CSV (quoting, counter columns as the sorted union, empty cells, a
 * counter named like another column). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "harness/sweep/sweep_csv.h"
#include "harness/sweep/sweep_journal.h"
#include "harness/sweep/sweep_spec.h"

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void row_make(struct sweep_row *r, const char *label, enum sweep_verdict v, uint64_t cycles)
{
	memset(r, 0, sizeof(*r));
	r->present = true;
	r->label = g_strdup(label);
	r->verdict = v;
	r->outcome = g_strdup(v == SWEEP_ERROR ? "" : "blocked: gpc.gpf");
	r->digest = g_strdup(v == SWEEP_ERROR ? "" : "d1g357");
	r->error = g_strdup(v == SWEEP_ERROR ? "x.scn:3:1: bad\tthing\nhere \\ there" : "");
	r->cycles = cycles;
}

/* Tabs, newlines and backslashes survive a line; counters come back sorted. */
static void test_row_roundtrip(void **state)
{
	(void)state;
	struct sweep_row r, back = { 0 };
	size_t idx = 0;
	row_make(&r, "cca n=1", SWEEP_ERROR, 0);
	sweep_row_add_counter(&r, "z.last", 5);
	sweep_row_add_counter(&r, "a.first", UINT64_MAX);
	sweep_row_sort(&r);
	char *line = sweep_row_encode(17, &r);
	assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
	line[strlen(line) - 1] = '\0';
	assert_int_equal(sweep_row_decode(line, &idx, &back), 0);
	assert_int_equal(idx, 17);
	assert_true(back.present);
	assert_int_equal(back.verdict, SWEEP_ERROR);
	assert_string_equal(back.error, r.error);
	assert_string_equal(back.label, "cca n=1");
	assert_int_equal(back.ncounters, 2);
	assert_string_equal(back.counters[0].name, "a.first");
	uint64_t v = 0;
	assert_true(sweep_row_counter(&back, "a.first", &v));
	assert_true(v == UINT64_MAX);
	assert_false(sweep_row_counter(&back, "b", &v));
	/* a bad escape, a bad verdict, too few fields */
	assert_int_equal(sweep_row_decode("1\tl\tpass\to\td\t5\te\\q", &idx, &back), -1);
	assert_int_equal(sweep_row_decode("1\tl\tmaybe\to\td\t5\te", &idx, &back), -1);
	assert_int_equal(sweep_row_decode("1\tl\tpass\to\td\t5", &idx, &back), -1);
	assert_int_equal(sweep_row_decode("1\tl\tpass\to\td\t5\t\tc=x", &idx, &back), -1);
	g_free(line);
	sweep_row_clear(&r);
	sweep_row_clear(&back);
}

/* A journal keeps finished rows; a torn last line is dropped; restarting
 * it keeps what it held; another sweep's journal is refused. */
static void test_journal(void **state)
{
	(void)state;
	char err[SWEEP_ERR_MAX];
	char *dir = g_dir_make_tmp(NULL, NULL), *path = g_build_filename(dir, "j", NULL);
	struct sweep_row rows[4] = { 0 }, back[4] = { 0 };
	size_t added = 0;
	assert_int_equal(sweep_journal_read(path, FP_A, 4, back, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 0);
	int fd = sweep_journal_start(path, FP_A, 4, rows, 0, 4, err, sizeof(err));
	assert_true(fd >= 0);
	row_make(&rows[2], "two", SWEEP_PASS, 20);
	row_make(&rows[0], "zero", SWEEP_FAIL, 10);
	for (size_t i = 0; i < 3; i += 2) {
		char *line = sweep_row_encode(2 - i, &rows[2 - i]);
		assert_int_equal(sweep_journal_append(fd, line), 0);
		g_free(line);
	}
	assert_int_equal(sweep_journal_append(fd, "3\tthree\tpass\to"), 0); /* killed mid-line */
	close(fd);
	assert_int_equal(sweep_journal_read(path, FP_A, 4, back, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 2);
	assert_true(back[0].present && back[2].present && !back[1].present && !back[3].present);
	assert_int_equal(back[2].cycles, 20);
	/* restart: the torn line goes, the rows stay */
	fd = sweep_journal_start(path, FP_A, 4, back, 0, 4, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	gchar *text = NULL;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_null(strstr(text, "three"));
	gchar **lines = g_strsplit(text, "\n", -1);
	assert_int_equal(g_strv_length(lines), 4); /* header, 2 rows, "" */
	g_strfreev(lines);
	g_free(text);
	/* the same rows read twice are not added twice */
	assert_int_equal(sweep_journal_read(path, FP_A, 4, back, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 0);
	/* another sweep, another size, not a journal */
	assert_int_equal(sweep_journal_read(path, FP_B, 4, back, &added, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: the rows of another sweep"));
	assert_int_equal(sweep_journal_read(path, FP_A, 5, back, &added, err, sizeof(err)), -1);
	assert_true(g_file_set_contents(path, "hello\n", -1, NULL));
	assert_int_equal(sweep_journal_read(path, FP_A, 4, back, &added, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: not a ccsim sweep journal"));
	for (int i = 0; i < 4; i++) {
		sweep_row_clear(&rows[i]);
		sweep_row_clear(&back[i]);
	}
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

/* CSV fields are quoted only when they must be. */
static void test_csv_field(void **state)
{
	(void)state;
	GString *g = g_string_new(NULL);
	sweep_csv_field(g, "plain");
	g_string_append_c(g, '|');
	sweep_csv_field(g, "blocked: a, b");
	g_string_append_c(g, '|');
	sweep_csv_field(g, "say \"hi\"\nthen");
	assert_string_equal(g->str, "plain|\"blocked: a, b\"|\"say \"\"hi\"\"\nthen\"");
	g_string_free(g, TRUE);
}

/* The columns: configuration, resolved values, the fixed ones, then the
 * union of the counters sorted; a counter a row lacks is an empty cell. */
static void test_csv_text(void **state)
{
	(void)state;
	char err[SWEEP_ERR_MAX];
	struct sweep_spec s;
	sweep_spec_init(&s);
	assert_int_equal(sweep_spec_add_profiles(&s, "cca", "P", err, sizeof(err)), 0);
	assert_int_equal(sweep_spec_add_set(&s, "cycles=1,2", "S", err, sizeof(err)), 0);
	assert_int_equal(sweep_spec_add_set(&s, "cache.llc_size=64K", "S", err, sizeof(err)), 0);
	char *names[] = { "cca", NULL };
	char *resolved[] = { NULL, "65536", NULL };
	struct sweep_plan plan = { .spec = &s, .nconfigs = 2, .profile_names = names,
				   .resolved = resolved, .nmachine_combos = 1 };
	struct sweep_row rows[2];
	row_make(&rows[0], "a", SWEEP_PASS, 100);
	row_make(&rows[1], "b", SWEEP_ERROR, 0);
	sweep_row_add_counter(&rows[0], "phase.boot.cycles", 7);
	sweep_row_add_counter(&rows[1], "cycles", 3);
	sweep_row_add_counter(&rows[1], "hv.g0.exits", 9);
	sweep_row_sort(&rows[1]);
	GString *csv = sweep_csv_text(&plan, rows);
	assert_string_equal(csv->str,
		"profile,cycles,cache.llc_size,resolved:cache.llc_size,verdict,outcome,digest,cycles,error,"
		"stat:cycles,hv.g0.exits,phase.boot.cycles\n"
		"cca,1,64K,65536,pass,blocked: gpc.gpf,d1g357,100,,,,7\n"
		"cca,2,64K,65536,error,,,0,\"x.scn:3:1: bad\tthing\nhere \\ there\",3,9,\n");
	g_string_free(csv, TRUE);
	sweep_row_clear(&rows[0]);
	sweep_row_clear(&rows[1]);
	sweep_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_roundtrip), cmocka_unit_test(test_journal),
		cmocka_unit_test(test_csv_field),     cmocka_unit_test(test_csv_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
