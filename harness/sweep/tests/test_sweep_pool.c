/* Unit tests for the worker pool: every job comes back exactly once with
 * its own result, however many workers; jobs run in long-lived workers (a
 * few processes, not one per job); a worker that dies costs only its job
 * and is replaced; one worker runs in-process. */
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

#include "harness/sweep/sweep_pool.h"

#define NJOBS 40

struct pool_fx {
	int done[NJOBS];           /* times each job came back */
	uint64_t value[NJOBS];     /* what it answered */
	char why[NJOBS][128];      /* why it was lost */
	size_t crash;              /* jobs from this index on kill their worker (NJOBS: none) */
	GHashTable *pids;          /* processes that ran jobs */
};

struct answer {
	uint64_t square;
	int32_t pid;
};

static void job_run(void *ctx, size_t index, GByteArray *out)
{
	struct pool_fx *f = ctx;
	if (index >= f->crash)
		abort();
	struct answer a = { (uint64_t)index * index, (int32_t)getpid() };
	g_byte_array_append(out, (const guint8 *)&a, sizeof(a));
}

static void job_done(void *ctx, size_t index, const uint8_t *data, size_t len, const char *why)
{
	struct pool_fx *f = ctx;
	assert_true(index < NJOBS);
	f->done[index]++;
	if (!data) {
		g_strlcpy(f->why[index], why, sizeof(f->why[index]));
		return;
	}
	struct answer a;
	assert_int_equal(len, sizeof(a));
	memcpy(&a, data, sizeof(a));
	f->value[index] = a.square;
	g_hash_table_add(f->pids, GINT_TO_POINTER(a.pid));
}

static const struct sweep_pool_ops ops = { job_run, job_done };

static void run_pool(struct pool_fx *f, unsigned workers, size_t crash)
{
	size_t jobs[NJOBS];
	memset(f, 0, sizeof(*f));
	f->crash = crash;
	f->pids = g_hash_table_new(NULL, NULL);
	for (size_t i = 0; i < NJOBS; i++)
		jobs[i] = NJOBS - 1 - i; /* any order */
	sweep_pool_run(jobs, NJOBS, workers, &ops, f);
}

/* Three workers: each job once, its own answer, from three processes. */
static void test_pool_all_jobs(void **state)
{
	(void)state;
	struct pool_fx f;
	run_pool(&f, 3, NJOBS);
	for (size_t i = 0; i < NJOBS; i++) {
		assert_int_equal(f.done[i], 1);
		assert_int_equal(f.value[i], i * i);
	}
	assert_int_equal(g_hash_table_size(f.pids), 3);
	assert_false(g_hash_table_contains(f.pids, GINT_TO_POINTER(getpid())));
	g_hash_table_destroy(f.pids);
}

/* One worker: in this process. */
static void test_pool_inprocess(void **state)
{
	(void)state;
	struct pool_fx f;
	run_pool(&f, 1, NJOBS);
	for (size_t i = 0; i < NJOBS; i++)
		assert_int_equal(f.done[i], 1);
	assert_int_equal(g_hash_table_size(f.pids), 1);
	assert_true(g_hash_table_contains(f.pids, GINT_TO_POINTER(getpid())));
	g_hash_table_destroy(f.pids);
}

/* A job that kills its worker is reported lost with the signal; the rest
 * still run, on replacement workers. Jobs are handed out from the highest
 * index down, so both first workers get a killing job (39, 38) and die at
 * once: every answer must come from a replacement. */
static void test_pool_worker_dies(void **state)
{
	(void)state;
	struct pool_fx f;
	run_pool(&f, 2, NJOBS - 2);
	for (size_t i = 0; i < NJOBS; i++) {
		assert_int_equal(f.done[i], 1);
		if (i < NJOBS - 2)
			assert_int_equal(f.value[i], i * i);
		else
			assert_string_equal(f.why[i], "worker process killed by signal 6");
	}
	guint replacements = g_hash_table_size(f.pids);
	assert_true(replacements >= 1 && replacements <= 2);
	assert_false(g_hash_table_contains(f.pids, GINT_TO_POINTER(getpid())));
	g_hash_table_destroy(f.pids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_all_jobs),
		cmocka_unit_test(test_pool_inprocess),
		cmocka_unit_test(test_pool_worker_dies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
