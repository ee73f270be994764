/* Unit tests for the simulation kernel: event queue order, the xoshiro256**
 * RNG against an independent reference, stats JSON, cycle/ns conversion, the
 * binary trace and its digest, whole-simulation snapshots, log and buffers. */
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

/* --- a recorder model: remembers (cycle, arg) of every event it receives --- */

struct recorder {
	struct sim_model base;
	GArray *seen; /* of struct seen */
};
struct seen {
	uint64_t when, arg;
};

static void recorder_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	struct seen e = { s->now, arg };
	g_array_append_val(((struct recorder *)m)->seen, e);
}
static const struct sim_event_type ev_record = { "record", recorder_fire };

/* Schedules arg 100 at the current cycle while it runs (a same-cycle follow-up). */
static void recorder_fire_and_chain(struct sim *s, struct sim_model *m, uint64_t arg)
{
	recorder_fire(s, m, arg);
	sim_event_schedule(s, s->now, &ev_record, m, 100);
}
static const struct sim_event_type ev_chain = { "chain", recorder_fire_and_chain };

static void recorder_destroy(struct sim_model *m)
{
	g_array_free(((struct recorder *)m)->seen, TRUE);
}
static const struct sim_model_ops recorder_ops = { .destroy = recorder_destroy };

static void rig_init(struct sim *s, struct recorder *r)
{
	sim_init(s, 1, 1000000000);
	*r = (struct recorder){ .base = { .name = "rec", .kind = "rec", .ops = &recorder_ops } };
	r->seen = g_array_new(FALSE, FALSE, sizeof(struct seen));
	sim_model_register(s, &r->base);
}

static struct seen seen_at(const struct recorder *r, guint i)
{
	return g_array_index(r->seen, struct seen, i);
}

/* Events scheduled for one cycle fire in the order they were scheduled, even one added while firing. */
static void test_same_cycle_fifo(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 1);
	sim_event_schedule(&s, 10, &ev_chain, &r.base, 2);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 3);
	assert_int_equal(sim_run_until(&s, 1000), 4);
	const uint64_t want[] = { 1, 2, 3, 100 };
	for (guint i = 0; i < 4; i++) {
		assert_int_equal(seen_at(&r, i).arg, want[i]);
		assert_int_equal(seen_at(&r, i).when, 10);
	}
	assert_int_equal(s.now, 10);
	sim_fini(&s);
}

/* Earlier cycles fire first whatever the scheduling order, and now follows each event. */
static void test_earlier_first(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	sim_event_schedule(&s, 30, &ev_record, &r.base, 1);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 2);
	sim_event_schedule(&s, 20, &ev_record, &r.base, 3);
	assert_int_equal(sim_run_until(&s, 1000), 3);
	assert_int_equal(seen_at(&r, 0).arg, 2);
	assert_int_equal(seen_at(&r, 0).when, 10);
	assert_int_equal(seen_at(&r, 1).arg, 3);
	assert_int_equal(seen_at(&r, 1).when, 20);
	assert_int_equal(seen_at(&r, 2).arg, 1);
	assert_int_equal(seen_at(&r, 2).when, 30);
	assert_int_equal(s.now, 30);
	sim_fini(&s);
}

/* sim_run_until dispatches events up to and including the limit and leaves later ones queued. */
static void test_run_until_limit(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	sim_event_schedule(&s, 5, &ev_record, &r.base, 1);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 2);
	sim_event_schedule(&s, 11, &ev_record, &r.base, 3);
	sim_event_schedule(&s, 20, &ev_record, &r.base, 4);
	assert_int_equal(sim_run_until(&s, 10), 2);
	assert_int_equal(s.now, 10);
	assert_int_equal(sim_eventq_len(&s.events), 2);
	assert_int_equal(sim_eventq_next_time(&s.events), 11);
	assert_int_equal(sim_run_until(&s, 10), 0);
	assert_int_equal(sim_run_until(&s, 1000), 2);
	assert_int_equal(s.now, 20);
	assert_int_equal(sim_eventq_len(&s.events), 0);
	assert_int_equal(sim_eventq_next_time(&s.events), UINT64_MAX);
	sim_fini(&s);
}

/* Fails the test when the recorder gets more events than the 3 scheduled. */
static void counted_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	recorder_fire(s, m, arg);
	if (((struct recorder *)m)->seen->len > 3)
		fail_msg("event %" PRIu64 " fired again at cycle %" PRIu64 " after the queue emptied",
			 arg, s->now);
}
static const struct sim_event_type ev_counted = { "counted", counted_fire };

/* Running with no limit (UINT64_MAX) dispatches each event once and returns when the queue is empty. */
static void test_run_until_no_limit_drains(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	sim_event_schedule(&s, 1, &ev_counted, &r.base, 1);
	sim_event_schedule(&s, 2, &ev_counted, &r.base, 2);
	sim_event_schedule(&s, 3, &ev_counted, &r.base, 3);
	assert_int_equal(sim_run_until(&s, UINT64_MAX), 3);
	assert_int_equal(r.seen->len, 3);
	assert_int_equal(s.now, 3);
	sim_fini(&s);
}

/* 10000 events at seeded random cycles come out sorted by cycle, ties in scheduling order. */
static void test_random_events_sorted(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	for (uint64_t i = 0; i < 10000; i++)
		sim_event_schedule(&s, sim_rng_below(&s.rng, 500), &ev_record, &r.base, i);
	assert_int_equal(sim_run_until(&s, 1000), 10000);
	assert_int_equal(r.seen->len, 10000);
	for (guint i = 1; i < r.seen->len; i++) {
		struct seen a = seen_at(&r, i - 1), b = seen_at(&r, i);
		assert_true(a.when < b.when || (a.when == b.when && a.arg < b.arg));
	}
	sim_fini(&s);
}

/* --- RNG: an independent transcription of SplitMix64 and xoshiro256** --- */

static uint64_t ref_splitmix(uint64_t *x)
{
	uint64_t z = *x = *x + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t ref_xoshiro(uint64_t s[4])
{
	const uint64_t out = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ref_rotl(s[3], 45);
	return out;
}

/* The reference itself reproduces the published vectors (SplitMix64 seed 0; xoshiro256** from {1,2,3,4}). */
static void test_rng_reference_vectors(void **state)
{
	(void)state;
	uint64_t x = 0;
	assert_int_equal(ref_splitmix(&x), 0xe220a8397b1dcdafull);
	assert_int_equal(ref_splitmix(&x), 0x6e789e6aa1b965f4ull);
	assert_int_equal(ref_splitmix(&x), 0x06c45d188009454full);
	const uint64_t want[] = { 11520u, 0u, 1509978240u, 1215971899390074240u, 1216172134540287360u };
	uint64_t rs[4] = { 1, 2, 3, 4 };
	struct sim_rng r = { { 1, 2, 3, 4 } };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ref_xoshiro(rs), want[i]);
		assert_int_equal(sim_rng_next(&r), want[i]);
	}
}

/* Seeds 0 and 1 give the reference state and the reference first 16 outputs. */
static void test_rng_seeded_matches_reference(void **state)
{
	(void)state;
	for (uint64_t seed = 0; seed < 2; seed++) {
		uint64_t x = seed, rs[4];
		for (int i = 0; i < 4; i++)
			rs[i] = ref_splitmix(&x);
		struct sim_rng r;
		sim_rng_seed(&r, seed);
		assert_memory_equal(r.s, rs, sizeof(rs));
		for (int i = 0; i < 16; i++)
			assert_int_equal(sim_rng_next(&r), ref_xoshiro(rs));
	}
}

/* sim_rng_below stays in bounds, hits every value of a small bound, and rejects the biased top. */
static void test_rng_below(void **state)
{
	(void)state;
	struct sim_rng r;
	uint64_t rs[4];
	int hits[7] = { 0 };
	sim_rng_seed(&r, 42);
	memcpy(rs, r.s, sizeof(rs));
	for (int i = 0; i < 2000; i++) {
		uint64_t v = sim_rng_below(&r, 7);
		assert_true(v < 7);
		assert_int_equal(v, ref_xoshiro(rs) % 7); /* a rejection here has odds 2^-61 */
		hits[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hits[i] > 0);
	assert_int_equal(sim_rng_below(&r, 1), 0);
	/* bound 2^63+1: draws >= 2^63+1 are rejected, about half of them */
	const uint64_t big = (1ull << 63) + 1;
	memcpy(rs, r.s, sizeof(rs));
	for (int i = 0; i < 200; i++) {
		uint64_t v;
		do
			v = ref_xoshiro(rs);
		while (v >= big);
		assert_int_equal(sim_rng_below(&r, big), v);
	}
}

/* Forking is deterministic, leaves the parent untouched, and different purposes give different streams. */
static void test_rng_fork(void **state)
{
	(void)state;
	struct sim_rng p, before, a1, a2, b;
	sim_rng_seed(&p, 9);
	sim_rng_next(&p);
	before = p;
	sim_rng_fork(&p, "keys", &a1);
	sim_rng_fork(&p, "keys", &a2);
	sim_rng_fork(&p, "jitter", &b);
	assert_memory_equal(&p, &before, sizeof(p));
	assert_memory_equal(&a1, &a2, sizeof(a1));
	uint64_t va = sim_rng_next(&a1);
	assert_int_equal(va, sim_rng_next(&a2));
	assert_int_not_equal(va, sim_rng_next(&b));
	assert_int_not_equal(va, sim_rng_next(&p));
}

/* --- stats --- */

static char *dump_stats(const struct sim *s, int indent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	sim_stats_dump_json(s, f, indent);
	fclose(f);
	return text;
}

/* Dotted names dump as nested objects with sorted keys, whatever the registration order. */
static void test_stats_nested_json(void **state)
{
	(void)state;
	struct sim s;
	uint64_t c = 1, d = 2, e = 3, z = 4;
	sim_init(&s, 1, 1000000000);
	sim_stat_register(&s, NULL, "z", SIM_STAT_COUNT, &z, "");
	sim_stat_register(&s, "a.b", "d", SIM_STAT_COUNT, &d, "");
	sim_stat_register(&s, "a", "e", SIM_STAT_COUNT, &e, "");
	sim_stat_register(&s, "a.b", "c", SIM_STAT_COUNT, &c, "");
	char *text = dump_stats(&s, 0);
	assert_string_equal(text, "{\n"
				  "  \"a\": {\n"
				  "    \"b\": {\n"
				  "      \"c\": 1,\n"
				  "      \"d\": 2\n"
				  "    },\n"
				  "    \"e\": 3\n"
				  "  },\n"
				  "  \"z\": 4\n"
				  "}");
	free(text);
	c = 77; /* counters are read at dump time, through the pointer */
	assert_int_equal(sim_stat_get(&s, "a.b.c"), 77);
	assert_int_equal(sim_stat_get(&s, "z"), 4);
	assert_int_equal(sim_stat_get(&s, "a.b"), UINT64_MAX);
	assert_int_equal(sim_stat_get(&s, "nope"), UINT64_MAX);
	sim_fini(&s);
}

/* A cycle stat also dumps <name>_ns at the sim's frequency (3 GHz: 3001 cycles = 1000 ns), indented. */
static void test_stats_cycles_ns(void **state)
{
	(void)state;
	struct sim s;
	uint64_t busy = 3001;
	sim_init(&s, 1, 3000000000u);
	sim_stat_register(&s, "cpu", "busy", SIM_STAT_CYCLES, &busy, "");
	char *text = dump_stats(&s, 1);
	assert_string_equal(text, "{\n"
				  "    \"cpu\": {\n"
				  "      \"busy\": 3001,\n"
				  "      \"busy_ns\": 1000\n"
				  "    }\n"
				  "  }");
	free(text);
	sim_fini(&s);
}

/* sim_hist_add buckets by floor(log2(v)) + 1 (0 alone in bucket 0); the dump and sim_stat_get see it. */
static void test_stats_histogram(void **state)
{
	(void)state;
	struct sim s;
	struct sim_hist h = { 0 };
	const uint64_t vals[] = { 0, 1, 2, 3, 4, 7, 8, 1023, 1024 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		sim_hist_add(&h, vals[i]);
	const uint64_t want[12] = { 1, 1, 2, 2, 1, 0, 0, 0, 0, 0, 1, 1 };
	assert_memory_equal(h.bucket, want, sizeof(want));
	assert_int_equal(h.count, 9);
	assert_int_equal(h.sum, 2072);
	assert_int_equal(h.max, 1024);
	sim_hist_add(&h, UINT64_MAX);
	assert_int_equal(h.bucket[64], 1);
	assert_int_equal(h.max, UINT64_MAX);

	struct sim_hist small = { 0 };
	sim_hist_add(&small, 0);
	sim_hist_add(&small, 1);
	sim_hist_add(&small, 5);
	sim_init(&s, 1, 1000000000);
	sim_stat_register(&s, "mem", "lat", SIM_STAT_HIST, &small, "");
	char *text = dump_stats(&s, 0);
	assert_string_equal(text, "{\n  \"mem\": {\n    \"lat\": {\"count\": 3, \"sum\": 6, \"max\": 5, "
				  "\"log2_buckets\": [1, 1, 0, 1]}\n  }\n}");
	free(text);
	assert_int_equal(sim_stat_get(&s, "mem.lat"), 3);
	sim_fini(&s);
}

/* Cycles -> ns rounds down and ns -> cycles rounds up; 1 GHz is the identity. */
static void test_cycles_ns(void **state)
{
	(void)state;
	struct sim s3 = { .freq_hz = 3000000000u }, s1 = { .freq_hz = 1000000000u };
	assert_int_equal(sim_cycles_to_ns(&s3, 2), 0);
	assert_int_equal(sim_cycles_to_ns(&s3, 3), 1);
	assert_int_equal(sim_cycles_to_ns(&s3, 5), 1);
	assert_int_equal(sim_cycles_to_ns(&s3, 3000), 1000);
	assert_int_equal(sim_cycles_to_ns(&s3, UINT64_MAX), UINT64_MAX / 3);
	assert_int_equal(sim_ns_to_cycles(&s3, 0), 0);
	assert_int_equal(sim_ns_to_cycles(&s3, 1), 3);
	assert_int_equal(sim_ns_to_cycles(&s3, 50), 150);
	assert_int_equal(sim_cycles_to_ns(&s1, 12345), 12345);
	assert_int_equal(sim_ns_to_cycles(&s1, 12345), 12345);
	struct sim s25 = { .freq_hz = 2500000000u };
	assert_int_equal(sim_ns_to_cycles(&s25, 1), 3); /* 2.5 rounds up */
	assert_int_equal(sim_cycles_to_ns(&s25, 3), 1); /* 1.2 rounds down */
}

/* --- trace --- */

/* A fixed little trace: a source, a read, a text note, raw bytes from an unknown source. */
static void emit_small(struct sim *s, uint64_t pa)
{
	static const uint8_t raw[] = { 0x00, 0x01, 0xff };
	uint16_t cpu = sim_trace_source(s, "cpu0");
	s->now = 5;
	trace_MEM_READ(s, cpu, pa, 64, 3, 120);
	s->now = 7;
	sim_trace_emit(s, TRACE_NOTE, cpu, 0, 0, 0, 0, "hi", 2);
	s->now = 9;
	sim_trace_emit(s, TRACE_PHYS_READ, 3, 0x40, 3, 0, 0, raw, sizeof(raw));
}

static void digest_of(struct sim *s, uint8_t d[TRACE_DIGEST_LEN])
{
	sim_trace_digest(&s->trace, d);
}

/* Equal records give equal digests (whatever the seed); changing one argument or a cycle changes it. */
static void test_trace_digest(void **state)
{
	(void)state;
	struct sim a, b, c;
	uint8_t da[TRACE_DIGEST_LEN], da2[TRACE_DIGEST_LEN], db[TRACE_DIGEST_LEN], dc[TRACE_DIGEST_LEN];
	sim_init(&a, 1, 1000000000);
	sim_init(&b, 2, 1000000000);
	sim_init(&c, 1, 1000000000);
	emit_small(&a, 0x1000);
	emit_small(&b, 0x1000);
	emit_small(&c, 0x1040);
	digest_of(&a, da);
	digest_of(&a, da2);
	digest_of(&b, db);
	digest_of(&c, dc);
	assert_memory_equal(da, da2, sizeof(da));
	assert_memory_equal(da, db, sizeof(da));
	assert_memory_not_equal(da, dc, sizeof(da));
	a.now = 10;
	trace_MEM_WRITE(&a, 0, 1, 2, 3, 4);
	b.now = 11;
	trace_MEM_WRITE(&b, 0, 1, 2, 3, 4);
	digest_of(&a, da);
	digest_of(&b, db);
	assert_memory_not_equal(da, db, sizeof(da));
	assert_int_equal(a.trace.records, 5);
	sim_fini(&a);
	sim_fini(&b);
	sim_fini(&c);
}

static FILE *trace_file_of_small(void)
{
	struct sim s;
	FILE *f = tmpfile();
	sim_init(&s, 1, 1000000000);
	sim_trace_set_file(&s.trace, f);
	emit_small(&s, 0x1000);
	assert_false(s.trace.write_error);
	sim_fini(&s);
	rewind(f);
	return f;
}

/* The text view of a known trace is exactly the expected lines, source names resolved. */
static void test_trace_to_text(void **state)
{
	(void)state;
	char *text = NULL, err[256] = "";
	size_t len = 0;
	FILE *in = trace_file_of_small(), *out = open_memstream(&text, &len);
	assert_int_equal(trace_to_text(in, "t.bin", out, err, sizeof(err)), 0);
	fclose(out);
	fclose(in);
	assert_string_equal(
		text,
		"           0 cpu0       source         id=0x0 \"cpu0\"\n"
		"           5 cpu0       mem.read       pa=0x1000 len=0x40 key=0x3 cycles=0x78\n"
		"           7 cpu0       note           \"hi\"\n"
		"           9 ?          phys.read      pa=0x40 len=0x3 bytes=0001ff\n");
	free(text);
}

/* Reads the whole of f into a GByteArray. */
static GByteArray *slurp(FILE *f)
{
	GByteArray *b = g_byte_array_new();
	uint8_t tmp[4096];
	size_t n;
	rewind(f);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		g_byte_array_append(b, tmp, (guint)n);
	return b;
}

static int reader_error(const uint8_t *data, size_t len, char *err, size_t errlen)
{
	struct trace_reader r;
	struct trace_rec rec;
	FILE *f = fmemopen((void *)data, len, "r");
	int rc = trace_reader_open(&r, f, "t.bin", err, errlen);
	while (rc == 0)
		rc = trace_reader_next(&r, &rec, err, errlen) == 1 ? 0 : -1;
	fclose(f);
	return rc;
}

/* Bad magic, a cut header, a cut payload and an unknown type fail with path, offset and what was expected. */
static void test_trace_reader_errors(void **state)
{
	(void)state;
	char err[256];
	FILE *f = trace_file_of_small();
	GByteArray *b = slurp(f);
	fclose(f);
	assert_int_equal(b->len, 8 + 52 + 48 + 50 + 51);
	assert_int_equal(reader_error(b->data, 60 + 10, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 60: truncated record header (10 of 48 bytes)");
	assert_int_equal(reader_error(b->data, 8 + 48 + 2, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 8: truncated or oversized payload (4 bytes)");
	assert_int_equal(reader_error(b->data, 5, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 0: expected a ccsim binary trace (magic \"CCSIMTR1\")");
	b->data[7] = '2';
	assert_int_equal(reader_error(b->data, b->len, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 0: expected a ccsim binary trace (magic \"CCSIMTR1\")");
	b->data[7] = '1';
	b->data[60 + 8] = 0xff; /* type of the second record */
	assert_int_equal(reader_error(b->data, b->len, err, sizeof(err)), -1);
	char *want = g_strdup_printf("t.bin: offset 60: unknown record type 255 (expected < %d)",
				     TRACE_TYPE_COUNT);
	assert_string_equal(err, want);
	g_free(want);
	g_byte_array_free(b, TRUE);
}

/* SHA-256 of the concatenated parts, by OpenSSL (independent of the GLib code under test). */
static void sha256(const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2, const uint8_t *p3,
		   size_t n3, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 32;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, p1, n1);
	EVP_DigestUpdate(c, p2, n2);
	EVP_DigestUpdate(c, p3, n3);
	EVP_DigestFinal_ex(c, out, &n);
	EVP_MD_CTX_free(c);
}

/* Many blocks of records round-trip through the file, and the digest is the documented hash
 * chain over the file's record bytes: equal across sims, equal to a recomputation. */
static void test_trace_long_round_trip(void **state)
{
	(void)state;
	struct sim a, b;
	FILE *f = tmpfile();
	uint8_t payload[40], da[32], db[32], chain[32] = { 0 }, cnt[8], want[32];
	char err[256];
	sim_init(&a, 1, 1000000000);
	sim_init(&b, 1, 1000000000);
	sim_trace_set_file(&a.trace, f);
	for (uint64_t i = 0; i < 200; i++) {
		memset(payload, (int)i, sizeof(payload));
		a.now = b.now = 3 * i;
		sim_trace_emit(&a, TRACE_CAPTURE, (uint16_t)(i % 5), i, i * i, ~i, i << 40, payload, (uint32_t)(i % 41));
		sim_trace_emit(&b, TRACE_CAPTURE, (uint16_t)(i % 5), i, i * i, ~i, i << 40, payload, (uint32_t)(i % 41));
	}
	fflush(f);
	digest_of(&a, da);
	digest_of(&b, db);
	assert_memory_equal(da, db, 32);

	GByteArray *bytes = slurp(f);
	size_t body = bytes->len - 8, off = 8;
	assert_true(body > 3 * TRACE_BLOCK);
	for (; off + TRACE_BLOCK <= bytes->len; off += TRACE_BLOCK)
		sha256(chain, 32, bytes->data + off, TRACE_BLOCK, NULL, 0, chain);
	sim_le64_store(cnt, 200);
	sha256(chain, 32, bytes->data + off, bytes->len - off, cnt, 8, want);
	assert_memory_equal(da, want, 32);
	g_byte_array_free(bytes, TRUE);

	struct trace_reader r;
	struct trace_rec rec;
	rewind(f);
	assert_int_equal(trace_reader_open(&r, f, "long.bin", err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 200; i++) {
		assert_int_equal(trace_reader_next(&r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.cycle, 3 * i);
		assert_int_equal(rec.type, TRACE_CAPTURE);
		assert_int_equal(rec.src, i % 5);
		assert_int_equal(rec.a[0], i);
		assert_int_equal(rec.a[1], i * i);
		assert_int_equal(rec.a[2], ~i);
		assert_int_equal(rec.a[3], i << 40);
		assert_int_equal(rec.len, i % 41);
		for (uint32_t k = 0; k < rec.len; k++)
			assert_int_equal(rec.payload[k], (uint8_t)i);
	}
	assert_int_equal(trace_reader_next(&r, &rec, err, sizeof(err)), 0);
	fclose(f);
	sim_fini(&a);
	sim_fini(&b);
}

/* --- snapshots: a toy model driven by self-scheduling, RNG-dependent events --- */

#define TOY_EVENTS 300
#define TOY_HORIZON (1ull << 40) /* far past the last event; see test_run_until_no_limit_drains */

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
	if (t->hits % 4 == 0)
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
	sim_init(&r->s, seed, 1000000000);
	r->t = (struct toy){ .base = { .name = name, .kind = "toy", .ops = &toy_ops, .vmstate = vs } };
	sim_model_register(&r->s, &r->t.base);
	r->t.src = sim_trace_source(&r->s, name);
	sim_stat_register(&r->s, name, "hits", SIM_STAT_COUNT, &r->t.hits, "ticks handled");
	sim_event_type_register(&r->s, &toy_tick);
	sim_event_type_register(&r->s, &toy_note);
}

static void toy_start(struct toy_rig *r)
{
	sim_event_schedule(&r->s, 0, &toy_tick, &r->t.base, 1);
	sim_event_schedule(&r->s, 2, &toy_tick, &r->t.base, 2);
}

static void assert_same_run(struct toy_rig *x, struct toy_rig *y)
{
	uint8_t dx[TRACE_DIGEST_LEN], dy[TRACE_DIGEST_LEN];
	digest_of(&x->s, dx);
	digest_of(&y->s, dy);
	assert_memory_equal(dx, dy, sizeof(dx));
	assert_int_equal(x->s.now, y->s.now);
	assert_memory_equal(&x->s.rng, &y->s.rng, sizeof(x->s.rng));
	assert_int_equal(x->s.trace.records, y->s.trace.records);
	assert_int_equal(x->t.hits, y->t.hits);
	assert_int_equal(x->t.last_arg, y->t.last_arg);
	assert_int_equal(x->t.flags, y->t.flags);
	assert_memory_equal(x->t.per_kind, y->t.per_kind, sizeof(x->t.per_kind));
	assert_int_equal(x->t.blob_len, y->t.blob_len);
	assert_memory_equal(x->t.blob, y->t.blob, x->t.blob_len);
	assert_int_equal(sim_stat_get(&y->s, "toy.hits"), x->t.hits);
}

/* Saves B at the midpoint of A's run into *snap (B is left at the midpoint). */
static void toy_checkpoint(struct toy_rig *a, struct toy_rig *b, struct sim_buf *snap)
{
	toy_rig_init(a, 7, "toy", &toy_v1);
	toy_start(a);
	sim_run_until(&a->s, TOY_HORIZON);
	toy_rig_init(b, 7, "toy", &toy_v1);
	toy_start(b);
	sim_run_until(&b->s, a->s.now / 2);
	sim_buf_init(snap);
	assert_int_equal(sim_save(&b->s, snap), 0);
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
	assert_true(b.t.hits > 10 && b.t.hits < TOY_EVENTS - 10);
	assert_true(sim_eventq_len(&b.s.events) > 0);

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

/* Restore into a machine whose model has another name fails with -EINVAL and says which. */
static void test_snapshot_wrong_model_name(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap, end;
	char err[256] = "";
	toy_checkpoint(&a, &b, &snap);
	toy_rig_init(&c, 7, "other", &toy_v1);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"toy\""));
	sim_buf_init(&end); /* at the end the queue is empty: the model itself is named */
	assert_int_equal(sim_save(&a.s, &end), 0);
	assert_int_equal(sim_restore(&c.s, end.data, end.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "checkpoint model 0 is \"toy\", this machine has \"other\"");
	sim_buf_free(&snap);
	sim_buf_free(&end);
	sim_fini(&a.s);
	sim_fini(&b.s);
	sim_fini(&c.s);
}

/* A newer state version, an unknown event type and another frequency are each refused. */
static void test_snapshot_refuses_mismatch(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap;
	char err[256] = "";
	toy_checkpoint(&a, &b, &snap);
	toy_rig_init(&c, 7, "toy", &toy_v2);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model toy: state \"toy\" v1 with 5 fields, expected \"toy\" v2 with 5");
	sim_fini(&c.s);

	sim_init(&c.s, 7, 1000000000); /* the toy model but no toy.* event types */
	c.t = (struct toy){ .base = { .name = "toy", .kind = "toy", .ops = &toy_ops, .vmstate = &toy_v1 } };
	sim_model_register(&c.s, &c.t.base);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "has no handler here"));
	sim_fini(&c.s);

	sim_init(&c.s, 7, 2000000000);
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "checkpoint was taken at 1000000000 Hz, this machine runs at 2000000000 Hz");
	sim_fini(&c.s);
	sim_buf_free(&snap);
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* Every truncation of a checkpoint fails with -EINVAL and a message that says it is cut short. */
static void test_snapshot_truncated(void **state)
{
	(void)state;
	struct toy_rig a, b, c;
	struct sim_buf snap;
	char err[256];
	toy_checkpoint(&a, &b, &snap);
	for (size_t len = 0; len < snap.len; len++) {
		toy_rig_init(&c, 7, "toy", &toy_v1);
		err[0] = '\0';
		int rc = sim_restore(&c.s, snap.data, len, err, sizeof(err));
		sim_fini(&c.s);
		bool says = strstr(err, "truncated") != NULL;
		if (rc != -EINVAL || !says)
			print_error("%zu of %zu bytes: rc %d, \"%s\"", len, snap.len, rc, err);
	}
	sim_buf_free(&snap);
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* --- log --- */

/* sim_log counts every message per level but writes only those at or below the level. */
static void test_log(void **state)
{
	(void)state;
	struct sim s;
	char *text = NULL;
	size_t len = 0;
	sim_init(&s, 1, 1000000000);
	s.log.sink = open_memstream(&text, &len);
	s.now = 42;
	sim_log(&s, SIM_LOG_ERROR, "mem", "bad %d", 7);
	sim_log(&s, SIM_LOG_WARN, "cpu0", "w");
	sim_log(&s, SIM_LOG_INFO, "x", "dropped");
	sim_log(&s, SIM_LOG_DEBUG, "x", "dropped");
	s.log.level = SIM_LOG_DEBUG;
	s.now = 1234567;
	sim_log(&s, SIM_LOG_DEBUG, "gpc", "d");
	fclose(s.log.sink);
	assert_string_equal(text, "[          42] error mem: bad 7\n"
				  "[          42] warn  cpu0: w\n"
				  "[     1234567] debug gpc: d\n");
	const uint64_t want[] = { 1, 1, 1, 2 };
	assert_memory_equal(s.log.count, want, sizeof(want));
	s.log.sink = NULL;
	sim_log(&s, SIM_LOG_ERROR, "mem", "counted only");
	assert_int_equal(s.log.count[SIM_LOG_ERROR], 2);
	free(text);
	sim_fini(&s);
}

/* --- buffers --- */

/* Integers are stored little-endian and read back; strings carry a u32 length. */
static void test_buf_little_endian(void **state)
{
	(void)state;
	struct sim_buf b;
	struct sim_reader r;
	char s[8];
	sim_buf_init(&b);
	sim_buf_put_u8(&b, 0xab);
	sim_buf_put_u16(&b, 0x1234);
	sim_buf_put_u32(&b, 0x11223344);
	sim_buf_put_u64(&b, 0x0102030405060708ull);
	sim_buf_put_str(&b, "hey");
	const uint8_t want[] = { 0xab, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1,
				 3, 0, 0, 0, 'h', 'e', 'y' };
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	sim_reader_init(&r, b.data, b.len);
	assert_int_equal(sim_reader_u8(&r), 0xab);
	assert_int_equal(sim_reader_u16(&r), 0x1234);
	assert_int_equal(sim_reader_u32(&r), 0x11223344);
	assert_int_equal(sim_reader_u64(&r), 0x0102030405060708ull);
	assert_true(sim_reader_str(&r, s, sizeof(s)));
	assert_string_equal(s, "hey");
	assert_int_equal(r.pos, b.len);
	assert_false(r.failed);
	uint8_t le[8];
	sim_le64_store(le, 0x0102030405060708ull);
	assert_memory_equal(le, want + 7, 8);
	assert_int_equal(sim_le64_load(le), 0x0102030405060708ull);
	sim_buf_free(&b);
}

/* After one short read every later read returns 0 and the failure sticks. */
static void test_reader_sticky_failure(void **state)
{
	(void)state;
	const uint8_t data[] = { 1, 2, 3 };
	struct sim_reader r;
	sim_reader_init(&r, data, sizeof(data));
	assert_int_equal(sim_reader_u16(&r), 0x0201);
	assert_int_equal(sim_reader_u16(&r), 0); /* one byte left */
	assert_true(r.failed);
	assert_int_equal(sim_reader_u8(&r), 0);  /* would fit, but the reader has failed */
	assert_true(r.failed);
	assert_int_equal(r.pos, 2);
}

/* sim_reader_str takes at most cap-1 bytes and refuses a length beyond the data. */
static void test_reader_str_bounds(void **state)
{
	(void)state;
	struct sim_buf b;
	struct sim_reader r;
	char s[6] = "xxxxx";
	sim_buf_init(&b);
	sim_buf_put_str(&b, "hello");
	sim_reader_init(&r, b.data, b.len);
	assert_false(sim_reader_str(&r, s, 5));
	assert_string_equal(s, "");
	assert_true(r.failed);
	sim_reader_init(&r, b.data, b.len);
	assert_true(sim_reader_str(&r, s, 6));
	assert_string_equal(s, "hello");
	sim_reader_init(&r, b.data, b.len - 1); /* length says 5, only 4 present */
	assert_false(sim_reader_str(&r, s, sizeof(s)));
	assert_string_equal(s, "");
	assert_true(r.failed);
	sim_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_cycle_fifo),
		cmocka_unit_test(test_earlier_first),
		cmocka_unit_test(test_run_until_limit),
		cmocka_unit_test(test_run_until_no_limit_drains),
		cmocka_unit_test(test_random_events_sorted),
		cmocka_unit_test(test_rng_reference_vectors),
		cmocka_unit_test(test_rng_seeded_matches_reference),
		cmocka_unit_test(test_rng_below),
		cmocka_unit_test(test_rng_fork),
		cmocka_unit_test(test_stats_nested_json),
		cmocka_unit_test(test_stats_cycles_ns),
		cmocka_unit_test(test_stats_histogram),
		cmocka_unit_test(test_cycles_ns),
		cmocka_unit_test(test_trace_digest),
		cmocka_unit_test(test_trace_to_text),
		cmocka_unit_test(test_trace_reader_errors),
		cmocka_unit_test(test_trace_long_round_trip),
		cmocka_unit_test(test_snapshot_resume_equals_uninterrupted),
		cmocka_unit_test(test_snapshot_wrong_model_name),
		cmocka_unit_test(test_snapshot_refuses_mismatch),
		cmocka_unit_test(test_snapshot_truncated),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_buf_little_endian),
		cmocka_unit_test(test_reader_sticky_failure),
		cmocka_unit_test(test_reader_str_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
