/* Whole-simulation snapshots: a run saved half-way and restored into a fresh
 * sim ends identical to an uninterrupted one; mismatched, versioned or
 * truncated checkpoints are refused with a message. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <openssl/evp.h>

#include "sim/sim.h"

#define GHZ 1000000000ull

/* --- snapshots: a toy model driven by self-scheduling, RNG-dependent events --- */

#define TOY_EVENTS 300
#define TOY_HORIZON (1ull << 40) /* far past the last event (see test_run_until_no_limit_drains) */

struct toy {
	struct sim_model base;
	uint64_t hits;
	uint32_t last_arg;
	uint16_t src;
	uint8_t flags;
	uint64_t per_kind[3];
	uint8_t *blob; /* one byte per hit: variable-size state */
	uint32_t blob_len;
};

static const struct sim_field toy_fields[] = {
	SIM_FIELD(struct toy, hits), SIM_FIELD(struct toy, last_arg), SIM_FIELD(struct toy, src),
	SIM_FIELD(struct toy, flags), SIM_FIELD_ARRAY(struct toy, per_kind, uint64_t),
};
static const struct sim_vmstate toy_v1 = { "toy", 1, toy_fields, 5 };
static const struct sim_vmstate toy_v2 = { "toy", 2, toy_fields, 5 };

static int toy_save_extra(const struct sim_model *m, struct sim_buf *out)
{
	const struct toy *t = (const struct toy *)m;
	sim_buf_put_u32(out, t->blob_len);
	sim_buf_put(out, t->blob, t->blob_len);
	return 0;
}

static int toy_restore_extra(struct sim_model *m, struct sim_reader *in)
{
	struct toy *t = (struct toy *)m;
	uint32_t n = sim_reader_u32(in);
	if (in->failed || n > in->len - in->pos)
		return -EINVAL;
	g_free(t->blob);
	t->blob = g_malloc0(n + 1);
	t->blob_len = n;
	sim_reader_get(in, t->blob, n);
	return 0;
}

static void toy_destroy(struct sim_model *m)
{
	g_free(((struct toy *)m)->blob);
}

static const struct sim_model_ops toy_ops = {
	.save_extra = toy_save_extra, .restore_extra = toy_restore_extra, .destroy = toy_destroy,
};

static void toy_tick_fire(struct sim *s, struct sim_model *m, uint64_t arg);
static void toy_note_fire(struct sim *s, struct sim_model *m, uint64_t arg);
static const struct sim_event_type toy_tick = { "toy.tick", toy_tick_fire };
static const struct sim_event_type toy_note = { "toy.note", toy_note_fire };

static void toy_tick_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	struct toy *t = (struct toy *)m;
	uint64_t r = sim_rng_next(&s->rng);
	t->hits++;
	t->last_arg = (uint32_t)arg;
	t->flags ^= (uint8_t)arg;
	t->per_kind[arg % 3]++;
	t->blob = g_realloc(t->blob, t->blob_len + 1);
	t->blob[t->blob_len++] = (uint8_t)r;
	trace_MEM_WRITE(s, t->src, arg, t->hits, r, s->now);
	if (t->hits < TOY_EVENTS)
		sim_event_schedule(s, s->now + 1 + sim_rng_below(&s->rng, 20), &toy_tick, m, r & 0xffff);
	if (t->hits % 4 == 0) /* a target-less event */
		sim_event_schedule(s, s->now + sim_rng_below(&s->rng, 3), &toy_note, NULL, t->hits);
}

static void toy_note_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	assert_null(m);
	sim_trace_emit(s, TRACE_NOTE, 0, arg, 0, 0, 0, "note", 4);
}

struct toy_rig {
	struct sim s;
	struct toy t;
};

static void toy_rig_init(struct toy_rig *r, uint64_t seed, const char *name, const struct sim_vmstate *vs)
{
	sim_init(&r->s, seed, GHZ);
	r->t = (struct toy){ .base = { .name = name, .kind = "toy", .ops = &toy_ops, .vmstate = vs } };
	sim_model_register(&r->s, &r->t.base);
	r->t.src = sim_trace_source(&r->s, name);
	sim_stat_register(&r->s, name, "hits", SIM_STAT_COUNT, &r->t.hits, "ticks handled");
	sim_event_type_register(&r->s, &toy_tick);
	sim_event_type_register(&r->s, &toy_note);
}

/* Runs A (seed 7) to the end and B to the middle of A's run, and saves B into *snap. */
static void toy_checkpoint(struct toy_rig *a, struct toy_rig *b, struct sim_buf *snap)
{
	struct toy_rig *rigs[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		toy_rig_init(rigs[i], 7, "toy", &toy_v1);
		sim_event_schedule(&rigs[i]->s, 0, &toy_tick, &rigs[i]->t.base, 1);
		sim_event_schedule(&rigs[i]->s, 2, &toy_tick, &rigs[i]->t.base, 2);
	}
	sim_run_until(&a->s, TOY_HORIZON);
	sim_run_until(&b->s, a->s.now / 2);
	sim_buf_init(snap);
	assert_int_equal(sim_save(&b->s, snap), 0);
}

static void assert_same_run(struct toy_rig *x, struct toy_rig *y)
{
	uint8_t dx[32], dy[32];
	sim_trace_digest(&x->s.trace, dx);
	sim_trace_digest(&y->s.trace, dy);
	assert_memory_equal(dx, dy, 32);
	assert_int_equal(x->s.now, y->s.now);
	assert_memory_equal(&x->s.rng, &y->s.rng, sizeof(x->s.rng));
	assert_int_equal(x->t.hits, y->t.hits);
	assert_int_equal(x->t.last_arg, y->t.last_arg);
	assert_int_equal(x->t.flags, y->t.flags);
	assert_memory_equal(x->t.per_kind, y->t.per_kind, sizeof(x->t.per_kind));
	assert_int_equal(x->t.blob_len, y->t.blob_len);
	assert_memory_equal(x->t.blob, y->t.blob, x->t.blob_len);
	assert_int_equal(sim_stat_get(&y->s, "toy.hits"), x->t.hits);
}

/* A run saved midway and restored into a fresh sim ends exactly like an uninterrupted one. */
static void test_snapshot_resume_equals_uninterrupted(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap;
	char err[256] = "";
	toy_checkpoint(&a, &b, &snap);
	assert_int_equal(a.t.hits, TOY_EVENTS + 1);
	assert_true(a.s.trace.records * 48 > 2 * TRACE_BLOCK);
	assert_true(b.t.hits > 10 && b.t.hits < TOY_EVENTS - 10 && sim_eventq_len(&b.s.events) > 0);
	toy_rig_init(&c, 999, "toy", &toy_v1);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.s.seed, 7);
	assert_int_equal(c.s.now, b.s.now);
	assert_int_equal(sim_eventq_len(&c.s.events), sim_eventq_len(&b.s.events));
	sim_run_until(&c.s, TOY_HORIZON);
	assert_same_run(&a, &c);
	sim_run_until(&b.s, TOY_HORIZON); /* saving did not disturb B */
	assert_same_run(&a, &b);
	sim_buf_free(&snap);
	sim_fini(&a.s);
	sim_fini(&b.s);
	sim_fini(&c.s);
}

/* Another model name, state version, event-type set or frequency is refused with -EINVAL and why. */
static void test_snapshot_refuses_mismatch(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap, end;
	char err[256] = "";
	toy_checkpoint(&a, &b, &snap);
	sim_buf_init(&end); /* A's queue is empty, so a restore reaches the models */
	assert_int_equal(sim_save(&a.s, &end), 0);
	toy_rig_init(&c, 7, "other", &toy_v1);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"toy\"")); /* the pending events' target */
	assert_int_equal(sim_restore(&c.s, end.data, end.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "checkpoint model 0 is \"toy\", this machine has \"other\"");
	sim_fini(&c.s);

	toy_rig_init(&c, 7, "toy", &toy_v2);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model toy: state \"toy\" v1 with 5 fields, expected \"toy\" v2 with 5");
	sim_fini(&c.s);

	sim_init(&c.s, 7, GHZ); /* the toy model, but its event types never registered */
	c.t = (struct toy){ .base = { .name = "toy", .kind = "toy", .ops = &toy_ops, .vmstate = &toy_v1 } };
	sim_model_register(&c.s, &c.t.base);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "has no handler here"));
	sim_fini(&c.s);

	sim_init(&c.s, 7, 2 * GHZ);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "checkpoint was taken at 1000000000 Hz, this machine runs at 2000000000 Hz");
	sim_fini(&c.s);
	sim_buf_free(&snap);
	sim_buf_free(&end);
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* Every truncation of a checkpoint fails with -EINVAL and a message saying it is truncated. */
static void test_snapshot_truncated(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap;
	char err[256], first_bad[300] = "";
	toy_checkpoint(&a, &b, &snap);
	for (size_t len = 0; len < snap.len; len++) {
		toy_rig_init(&c, 7, "toy", &toy_v1);
		err[0] = '\0';
		int rc = sim_restore(&c.s, snap.data, len, err, sizeof(err));
		sim_fini(&c.s);
		if (rc != -EINVAL || !err[0])
			fail_msg("%zu of %zu bytes: rc %d, \"%s\"", len, snap.len, rc, err);
		if (!strstr(err, "truncated") && !first_bad[0])
			snprintf(first_bad, sizeof(first_bad), "%zu of %zu bytes: \"%s\"", len, snap.len, err);
	}
	sim_buf_free(&snap);
	sim_fini(&a.s);
	sim_fini(&b.s);
	if (first_bad[0])
		fail_msg("message does not say truncated: %s", first_bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_resume_equals_uninterrupted),
		cmocka_unit_test(test_snapshot_refuses_mismatch),
		cmocka_unit_test(test_snapshot_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
