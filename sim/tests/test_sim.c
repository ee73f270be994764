/* Unit tests for the simulation kernel: event queue order, the xoshiro256**
 * RNG against an independent reference, stats JSON, cycle/ns conversion, the
 * binary trace and its digest, log and buffers (snapshots: test_snapshot.c). */
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

/* --- a recorder model: remembers (cycle, arg) of every event it receives --- */

struct seen {
	uint64_t when, arg;
};
struct recorder {
	struct sim_model base;
	GArray *seen; /* of struct seen */
	guint max;    /* fail the test beyond this many events; 0: no limit */
};

static void recorder_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	struct recorder *r = (struct recorder *)m;
	struct seen e = { s->now, arg };
	g_array_append_val(r->seen, e);
	if (r->max && r->seen->len > r->max)
		fail_msg("event %" PRIu64 " fired again at cycle %" PRIu64 " after the queue emptied",
			 arg, s->now);
}
static const struct sim_event_type ev_record = { "record", recorder_fire };

/* Records, then schedules arg 100 at the current cycle (a same-cycle follow-up). */
static void chain_fire(struct sim *s, struct sim_model *m, uint64_t arg)
{
	recorder_fire(s, m, arg);
	sim_event_schedule(s, s->now, &ev_record, m, 100);
}
static const struct sim_event_type ev_chain = { "chain", chain_fire };

static void recorder_destroy(struct sim_model *m)
{
	g_array_free(((struct recorder *)m)->seen, TRUE);
}
static const struct sim_model_ops recorder_ops = { .destroy = recorder_destroy };

static void rig_init(struct sim *s, struct recorder *r)
{
	sim_init(s, 1, GHZ);
	*r = (struct recorder){ .base = { .name = "rec", .kind = "rec", .ops = &recorder_ops } };
	r->seen = g_array_new(FALSE, FALSE, sizeof(struct seen));
	sim_model_register(s, &r->base);
}

static void assert_seen(const struct recorder *r, guint n, const uint64_t *when, const uint64_t *arg)
{
	assert_int_equal(r->seen->len, n);
	for (guint i = 0; i < n; i++) {
		assert_int_equal(g_array_index(r->seen, struct seen, i).when, when[i]);
		assert_int_equal(g_array_index(r->seen, struct seen, i).arg, arg[i]);
	}
}

/* Earlier cycles fire first whatever the scheduling order; one cycle's events fire in
 * scheduling order, one scheduled while they fire comes last; now follows each event. */
static void test_event_order(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	sim_event_schedule(&s, 30, &ev_record, &r.base, 1);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 2);
	sim_event_schedule(&s, 10, &ev_chain, &r.base, 3);
	sim_event_schedule(&s, 20, &ev_record, &r.base, 4);
	sim_event_schedule(&s, 10, &ev_record, &r.base, 5);
	assert_int_equal(sim_run_until(&s, 1000), 6);
	assert_seen(&r, 6, (const uint64_t[]){ 10, 10, 10, 10, 20, 30 },
		    (const uint64_t[]){ 2, 3, 5, 100, 4, 1 });
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
	for (uint64_t i = 0; i < 4; i++)
		sim_event_schedule(&s, (const uint64_t[]){ 5, 10, 11, 20 }[i], &ev_record, &r.base, i);
	assert_int_equal(sim_run_until(&s, 10), 2);
	assert_int_equal(s.now, 10);
	assert_int_equal(sim_eventq_len(&s.events), 2);
	assert_int_equal(sim_eventq_next_time(&s.events), 11);
	assert_int_equal(sim_run_until(&s, 10), 0);
	assert_int_equal(sim_run_until(&s, 1000), 2);
	assert_int_equal(s.now, 20);
	assert_int_equal(sim_eventq_next_time(&s.events), UINT64_MAX);
	assert_seen(&r, 4, (const uint64_t[]){ 5, 10, 11, 20 }, (const uint64_t[]){ 0, 1, 2, 3 });
	sim_fini(&s);
}

/* With no limit (UINT64_MAX) each event runs once and the call returns when the queue is empty. */
static void test_run_until_no_limit_drains(void **state)
{
	(void)state;
	struct sim s;
	struct recorder r;
	rig_init(&s, &r);
	r.max = 3;
	for (uint64_t i = 1; i <= 3; i++)
		sim_event_schedule(&s, i, &ev_record, &r.base, i);
	assert_int_equal(sim_run_until(&s, UINT64_MAX), 3);
	assert_seen(&r, 3, (const uint64_t[]){ 1, 2, 3 }, (const uint64_t[]){ 1, 2, 3 });
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
		struct seen a = g_array_index(r.seen, struct seen, i - 1);
		struct seen b = g_array_index(r.seen, struct seen, i);
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

/* The reference reproduces the published vectors (SplitMix64 from 0, xoshiro256** from
 * {1,2,3,4}); sim_rng matches it from that state and from seeds 0 and 1 (state and 16 outputs). */
static void test_rng_matches_reference(void **state)
{
	(void)state;
	uint64_t x = 0, rs[4] = { 1, 2, 3, 4 };
	struct sim_rng r = { { 1, 2, 3, 4 } };
	assert_int_equal(ref_splitmix(&x), 0xe220a8397b1dcdafull);
	assert_int_equal(ref_splitmix(&x), 0x6e789e6aa1b965f4ull);
	assert_int_equal(ref_splitmix(&x), 0x06c45d188009454full);
	const uint64_t want[] = { 11520u, 0u, 1509978240u, 1215971899390074240u, 1216172134540287360u };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ref_xoshiro(rs), want[i]);
		assert_int_equal(sim_rng_next(&r), want[i]);
	}
	for (uint64_t seed = 0; seed < 2; seed++) {
		x = seed;
		for (int i = 0; i < 4; i++)
			rs[i] = ref_splitmix(&x);
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
		assert_int_equal(v, ref_xoshiro(rs) % 7); /* a rejection here has odds 2^-61 */
		hits[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hits[i] > 0);
	assert_int_equal(sim_rng_below(&r, 1), 0);
	ref_xoshiro(rs);
	const uint64_t big = (1ull << 63) + 1; /* draws >= big are rejected: about half */
	for (int i = 0; i < 200; i++) {
		uint64_t v;
		do
			v = ref_xoshiro(rs);
		while (v >= big);
		assert_int_equal(sim_rng_below(&r, big), v);
	}
}

/* Forking is deterministic, leaves the parent untouched, and other purposes give other streams. */
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

/* Dotted names dump as nested objects with sorted keys whatever the registration order, cycle
 * stats add <name>_ns at the sim's frequency (3 GHz: 3001 cycles = 1000 ns), indented as asked. */
static void test_stats_nested_json(void **state)
{
	(void)state;
	struct sim s;
	uint64_t c = 1, d = 2, e = 3, z = 4, t = 3001;
	sim_init(&s, 1, 3 * GHZ);
	sim_stat_register(&s, NULL, "z", SIM_STAT_COUNT, &z, "");
	sim_stat_register(&s, "a.b", "d", SIM_STAT_COUNT, &d, "");
	sim_stat_register(&s, "a", "t", SIM_STAT_CYCLES, &t, "");
	sim_stat_register(&s, "a", "e", SIM_STAT_COUNT, &e, "");
	sim_stat_register(&s, "a.b", "c", SIM_STAT_COUNT, &c, "");
	char *text = dump_stats(&s, 0);
	assert_string_equal(text, "{\n  \"a\": {\n    \"b\": {\n      \"c\": 1,\n      \"d\": 2\n    },\n"
				  "    \"e\": 3,\n    \"t\": 3001,\n    \"t_ns\": 1000\n  },\n  \"z\": 4\n}");
	free(text);
	text = dump_stats(&s, 1);
	assert_string_equal(text, "{\n    \"a\": {\n      \"b\": {\n        \"c\": 1,\n        \"d\": 2\n"
				  "      },\n      \"e\": 3,\n      \"t\": 3001,\n      \"t_ns\": 1000\n    },\n"
				  "    \"z\": 4\n  }");
	free(text);
	c = 77; /* counters are read through the pointer */
	assert_int_equal(sim_stat_get(&s, "a.b.c"), 77);
	assert_int_equal(sim_stat_get(&s, "a.t"), 3001);
	assert_int_equal(sim_stat_get(&s, "a.b"), UINT64_MAX);
	assert_int_equal(sim_stat_get(&s, "nope"), UINT64_MAX);
	sim_fini(&s);
}

/* sim_hist_add puts v in bucket floor(log2 v) + 1 and 0 in bucket 0; dump and get see it. */
static void test_stats_histogram(void **state)
{
	(void)state;
	struct sim s;
	struct sim_hist h = { 0 }, small = { 0 };
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
	sim_hist_add(&small, 0);
	sim_hist_add(&small, 1);
	sim_hist_add(&small, 5);
	sim_init(&s, 1, GHZ);
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
	struct sim s3 = { .freq_hz = 3 * GHZ }, s1 = { .freq_hz = GHZ }, s25 = { .freq_hz = 5 * GHZ / 2 };
	assert_int_equal(sim_cycles_to_ns(&s3, 2), 0);
	assert_int_equal(sim_cycles_to_ns(&s3, 5), 1);
	assert_int_equal(sim_cycles_to_ns(&s3, 3000), 1000);
	assert_int_equal(sim_cycles_to_ns(&s3, UINT64_MAX), UINT64_MAX / 3);
	assert_int_equal(sim_ns_to_cycles(&s3, 0), 0);
	assert_int_equal(sim_ns_to_cycles(&s3, 1), 3);
	assert_int_equal(sim_ns_to_cycles(&s3, 50), 150);
	assert_int_equal(sim_cycles_to_ns(&s1, 12345), 12345);
	assert_int_equal(sim_ns_to_cycles(&s1, 12345), 12345);
	assert_int_equal(sim_ns_to_cycles(&s25, 1), 3); /* 2.5 rounds up */
	assert_int_equal(sim_cycles_to_ns(&s25, 3), 1); /* 1.2 rounds down */
}

/* --- trace --- */

/* A fixed little trace: a source, a read, a text note, raw bytes from an unknown source. */
static void emit_small(struct sim *s, uint64_t pa)
{
	static const uint8_t raw[] = { 0x00, 0x01, 0xff };
	uint16_t cpu = sim_trace_source(s, "cpu0");
	sim_set_time(s, 5);
	trace_MEM_READ(s, cpu, pa, 64, 3, 120);
	sim_set_time(s, 7);
	sim_trace_emit(s, TRACE_NOTE, cpu, 0, 0, 0, 0, "hi", 2);
	sim_set_time(s, 9);
	sim_trace_emit(s, TRACE_PHYS_READ, 3, 0x40, 3, 0, 0, raw, sizeof(raw));
}

/* Equal records give equal digests (whatever the seed); one other argument or cycle changes it. */
static void test_trace_digest(void **state)
{
	(void)state;
	struct sim a, b, c;
	uint8_t da[32], da2[32], db[32], dc[32];
	sim_init(&a, 1, GHZ);
	sim_init(&b, 2, GHZ);
	sim_init(&c, 1, GHZ);
	emit_small(&a, 0x1000);
	emit_small(&b, 0x1000);
	emit_small(&c, 0x1040);
	sim_trace_digest(&a.trace, da);
	sim_trace_digest(&a.trace, da2);
	sim_trace_digest(&b.trace, db);
	sim_trace_digest(&c.trace, dc);
	assert_memory_equal(da, da2, 32);
	assert_memory_equal(da, db, 32);
	assert_memory_not_equal(da, dc, 32);
	sim_set_time(&a, 10);
	trace_MEM_WRITE(&a, 0, 1, 2, 3, 4);
	sim_set_time(&b, 11);
	trace_MEM_WRITE(&b, 0, 1, 2, 3, 4);
	sim_trace_digest(&a.trace, da);
	sim_trace_digest(&b.trace, db);
	assert_memory_not_equal(da, db, 32);
	assert_int_equal(a.trace.records, 5);
	sim_fini(&a);
	sim_fini(&b);
	sim_fini(&c);
}

/* The binary file of emit_small(); returns its length, *bytes to free(). */
static size_t small_trace(char **bytes)
{
	struct sim s;
	size_t len = 0;
	FILE *f = open_memstream(bytes, &len);
	sim_init(&s, 1, GHZ);
	sim_trace_set_file(&s.trace, f, GHZ);
	emit_small(&s, 0x1000);
	assert_false(s.trace.write_error);
	sim_fini(&s);
	fclose(f);
	return len;
}

/* Reads every record of data[0, len); returns the first error (or 0) with its message. */
static int read_all(char *data, size_t len, char *err, size_t errlen)
{
	struct trace_reader r;
	struct trace_rec rec;
	FILE *f = fmemopen(data, len, "r");
	int rc = trace_reader_open(&r, f, "t.bin", err, errlen), k = 1;
	while (rc == 0 && k == 1)
		rc = (k = trace_reader_next(&r, &rec, err, errlen)) < 0 ? -1 : 0;
	fclose(f);
	return rc;
}

/* Bad magic, a cut header, a cut payload and an unknown type fail naming path, offset and
 * expectation; the header names the clock, and a version 1 file (no clock) still reads. */
static void test_trace_reader_errors(void **state)
{
	(void)state;
	char *b, err[256];
	size_t len = small_trace(&b);
	const size_t h = TRACE_HEADER_LEN, r2 = h + 52; /* the second record */
	assert_int_equal(len, h + 52 + 48 + 50 + 51);
	assert_int_equal(read_all(b, len, err, sizeof(err)), 0);
	assert_int_equal(read_all(b, r2 + 10, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 68: truncated record header (10 of 48 bytes)");
	assert_int_equal(read_all(b, h + 48 + 2, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 16: truncated or oversized payload (4 bytes)");
	assert_int_equal(read_all(b, 5, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 0: expected a ccsim binary trace (magic \"CCSIMTR2\")");
	assert_int_equal(read_all(b, 12, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 8: truncated header (expected the clock frequency)");
	b[7] = '3';
	assert_int_equal(read_all(b, len, err, sizeof(err)), -1);
	assert_string_equal(err, "t.bin: offset 0: expected a ccsim binary trace (magic \"CCSIMTR2\")");
	b[7] = '2';
	b[r2 + 8] = (char)0xff; /* type of the second record */
	assert_int_equal(read_all(b, len, err, sizeof(err)), -1);
	char *want = g_strdup_printf("t.bin: offset 68: unknown record type 255 (expected < %d)",
				     TRACE_TYPE_COUNT);
	assert_string_equal(err, want);
	g_free(want);
	b[r2 + 8] = TRACE_MEM_READ;

	struct trace_reader r;
	struct trace_rec rec;
	FILE *f = fmemopen(b, len, "r");
	assert_int_equal(trace_reader_open(&r, f, "t.bin", err, sizeof(err)), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.freq_hz, GHZ);
	fclose(f);
	/* version 1: the magic alone, records right after it */
	memcpy(b + 8, TRACE_MAGIC_V1, 8);
	f = fmemopen(b + 8, len - 8, "r");
	assert_int_equal(trace_reader_open(&r, f, "v1.bin", err, sizeof(err)), 0);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.freq_hz, 0);
	assert_int_equal(trace_reader_next(&r, &rec, err, sizeof(err)), 1);
	assert_int_equal(rec.type, TRACE_SOURCE);
	assert_int_equal(r.offset, 8 + 52);
	fclose(f);
	free(b);
}

/* SHA-256 of p1 || p2 || p3, by OpenSSL (independent of the GLib code under test). */
static void sha256(const void *p1, size_t n1, const void *p2, size_t n2, const void *p3, size_t n3,
		   uint8_t out[32])
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

/* Several blocks of records round-trip through the file, and the digest is the documented hash
 * chain over the record bytes: equal across sims and to a recomputation from the file. */
static void test_trace_long_round_trip(void **state)
{
	(void)state;
	struct sim a, b;
	char *bytes = NULL, err[256];
	size_t len = 0, off = TRACE_HEADER_LEN;
	FILE *f = open_memstream(&bytes, &len);
	uint8_t pay[40], da[32], db[32], chain[32] = { 0 }, cnt[8], want[32];
	sim_init(&a, 1, GHZ);
	sim_init(&b, 1, GHZ);
	sim_trace_set_file(&a.trace, f, GHZ);
	for (uint64_t i = 0; i < 200; i++) {
		memset(pay, (int)i, sizeof(pay));
		sim_set_time(&a, 3 * i);
		sim_set_time(&b, 3 * i);
		sim_trace_emit(&a, TRACE_CAPTURE, i % 5, i, i * i, ~i, i << 40, pay, i % 41);
		sim_trace_emit(&b, TRACE_CAPTURE, i % 5, i, i * i, ~i, i << 40, pay, i % 41);
	}
	fclose(f);
	sim_trace_digest(&a.trace, da);
	sim_trace_digest(&b.trace, db);
	assert_memory_equal(da, db, 32);
	assert_true(len > 3 * TRACE_BLOCK);
	for (; off + TRACE_BLOCK <= len; off += TRACE_BLOCK)
		sha256(chain, 32, bytes + off, TRACE_BLOCK, NULL, 0, chain);
	sim_le64_store(cnt, 200);
	sha256(chain, 32, bytes + off, len - off, cnt, 8, want);
	assert_memory_equal(da, want, 32);

	struct trace_reader r;
	struct trace_rec rec;
	f = fmemopen(bytes, len, "r");
	assert_int_equal(trace_reader_open(&r, f, "long.bin", err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 200; i++) {
		const uint64_t args[4] = { i, i * i, ~i, i << 40 };
		assert_int_equal(trace_reader_next(&r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.cycle, 3 * i);
		assert_int_equal(rec.type, TRACE_CAPTURE);
		assert_int_equal(rec.src, i % 5);
		assert_memory_equal(rec.a, args, sizeof(args));
		assert_int_equal(rec.len, i % 41);
		for (uint32_t k = 0; k < rec.len; k++)
			assert_int_equal(rec.payload[k], (uint8_t)i);
	}
	assert_int_equal(trace_reader_next(&r, &rec, err, sizeof(err)), 0);
	fclose(f);
	free(bytes);
	sim_fini(&a);
	sim_fini(&b);
}

/* --- log --- */

/* sim_log counts every message per level but writes only those at or below the level. */
static void test_log(void **state)
{
	(void)state;
	struct sim s;
	char *text = NULL;
	size_t len = 0;
	sim_init(&s, 1, GHZ);
	s.log.sink = open_memstream(&text, &len);
	sim_set_time(&s, 42);
	sim_log(&s, SIM_LOG_ERROR, "mem", "bad %d", 7);
	sim_log(&s, SIM_LOG_WARN, "cpu0", "w");
	sim_log(&s, SIM_LOG_INFO, "x", "dropped");
	sim_log(&s, SIM_LOG_DEBUG, "x", "dropped");
	s.log.level = SIM_LOG_DEBUG;
	sim_set_time(&s, 1234567);
	sim_log(&s, SIM_LOG_DEBUG, "gpc", "d");
	fclose(s.log.sink);
	assert_string_equal(text, "[          42] error mem: bad 7\n"
				  "[          42] warn  cpu0: w\n"
				  "[     1234567] debug gpc: d\n");
	assert_memory_equal(s.log.count, ((const uint64_t[]){ 1, 1, 1, 2 }), 4 * sizeof(uint64_t));
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
	uint8_t le[8];
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
	sim_le64_store(le, 0x0102030405060708ull);
	assert_memory_equal(le, want + 7, 8);
	assert_int_equal(sim_le64_load(le), 0x0102030405060708ull);
	sim_buf_free(&b);
}

/* A short read fails sticky (later reads give 0); sim_reader_str takes at most cap-1 bytes. */
static void test_reader_bounds(void **state)
{
	(void)state;
	const uint8_t data[] = { 1, 2, 3 };
	struct sim_reader r;
	struct sim_buf b;
	char s[6] = "#####";
	sim_reader_init(&r, data, sizeof(data));
	assert_int_equal(sim_reader_u16(&r), 0x0201);
	assert_int_equal(sim_reader_u16(&r), 0); /* one byte left */
	assert_true(r.failed);
	assert_int_equal(sim_reader_u8(&r), 0);  /* would fit, but the reader has failed */
	assert_int_equal(r.pos, 2);

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
	sim_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_order),
		cmocka_unit_test(test_run_until_limit),
		cmocka_unit_test(test_run_until_no_limit_drains),
		cmocka_unit_test(test_random_events_sorted),
		cmocka_unit_test(test_rng_matches_reference),
		cmocka_unit_test(test_rng_below),
		cmocka_unit_test(test_rng_fork),
		cmocka_unit_test(test_stats_nested_json),
		cmocka_unit_test(test_stats_histogram),
		cmocka_unit_test(test_cycles_ns),
		cmocka_unit_test(test_trace_digest),
				cmocka_unit_test(test_trace_reader_errors),
		cmocka_unit_test(test_trace_long_round_trip),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_buf_little_endian),
		cmocka_unit_test(test_reader_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
