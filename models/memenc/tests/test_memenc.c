/* Unit tests for the memory-encryption engine: what DRAM holds, key slots and
 * generations, deterministic keys, exact line latencies and snapshots. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <openssl/evp.h>

#include "models/memenc/tests/memenc_rig.h"

/* A line written through an encrypting slot reads back as the same plaintext. */
static void test_xts_round_trip(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 1);
	assert_int_equal(memenc_key_program(&r.e, 3, 0x33, true), 0);
	write_line(&r, 3, 0x1040, pt);
	read_line(&r, 3, 0x1040, out);
	assert_memory_equal(pt, out, MEMENC_LINE);
	assert_int_equal(sim_stat_get(&r.s, "me.encrypts"), 1);
	assert_int_equal(sim_stat_get(&r.s, "me.decrypts"), 1);
	assert_int_equal(sim_stat_get(&r.s, "me.lines_read"), 1);
	assert_int_equal(sim_stat_get(&r.s, "me.lines_written"), 1);
	assert_int_equal(sim_stat_get(&r.s, "me.key_programs"), 1);
	assert_int_equal(sim_stat_get(&r.s, "dram.writes"), 1);
	sim_fini(&r.s);
}

/* DRAM holds exactly AES-128-XTS(key = SHA-256(label||seed||slot||gen), tweak = PA LE) of the line. */
static void test_dram_holds_specified_ciphertext(void **state)
{
	(void)state;
	struct rig r;
	const uint64_t seed = 0x1122334455667788ull, pa = 0xabcdef40ull;
	rig_init(&r, seed, MEMENC_XTS);
	uint8_t pt[MEMENC_LINE], ct[MEMENC_LINE], want[MEMENC_LINE];
	fill(pt, sizeof(pt), 5);
	assert_int_equal(memenc_key_program(&r.e, 7, 1, true), 0);
	assert_int_equal(memenc_key_program(&r.e, 7, 1, true), 0); /* generation 2 */
	write_line(&r, 7, pa, pt);
	dram_line(&r, pa, ct);
	assert_memory_not_equal(ct, pt, MEMENC_LINE);

	uint8_t msg[32] = "ccsim.memenc.key", key[32], iv[16] = {0};
	for (int i = 0; i < 8; i++) {
		msg[16 + i] = (uint8_t)(seed >> (8 * i));
		iv[i] = (uint8_t)(pa >> (8 * i));
	}
	msg[24] = 7;  /* slot, u32 LE */
	msg[28] = 2;  /* generation, u32 LE */
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize klen = sizeof(key);
	g_checksum_update(c, msg, sizeof(msg));
	g_checksum_get_digest(c, key, &klen);
	g_checksum_free(c);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_xts(), NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, want, &n, pt, MEMENC_LINE), 1);
	assert_int_equal(n, MEMENC_LINE);
	EVP_CIPHER_CTX_free(ctx);
	assert_memory_equal(ct, want, MEMENC_LINE);
	sim_fini(&r.s);
}

/* Same plaintext, PA and key give the same ciphertext; another PA or key gives another. */
static void test_ciphertext_determinism(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 9, MEMENC_XTS);
	uint8_t pt[MEMENC_LINE], a[MEMENC_LINE], b[MEMENC_LINE], c[MEMENC_LINE], d[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x40);
	assert_int_equal(memenc_key_program(&r.e, 1, 1, true), 0);
	assert_int_equal(memenc_key_program(&r.e, 2, 2, true), 0);
	write_line(&r, 1, 0x2000, pt);
	dram_line(&r, 0x2000, a);
	write_line(&r, 1, 0x2000, pt); /* rewrite: the same bytes again */
	dram_line(&r, 0x2000, b);
	assert_memory_equal(a, b, MEMENC_LINE);
	write_line(&r, 1, 0x2040, pt); /* next line: only the tweak differs */
	dram_line(&r, 0x2040, c);
	assert_memory_not_equal(a, c, MEMENC_LINE);
	write_line(&r, 2, 0x2000, pt); /* same PA, other slot's key */
	dram_line(&r, 0x2000, d);
	assert_memory_not_equal(a, d, MEMENC_LINE);
	assert_memory_not_equal(c, d, MEMENC_LINE);
	sim_fini(&r.s);
}

/* Reprogramming a slot (new generation) turns what DRAM held under the old key into garbage. */
static void test_reprogram_makes_old_lines_garbage(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x77);
	assert_int_equal(memenc_key_program(&r.e, 5, 0xaa, true), 0);
	assert_int_equal(memenc_key_generation(&r.e, 5), 1);
	write_line(&r, 5, 0x8000, pt);
	assert_int_equal(memenc_key_program(&r.e, 5, 0xbb, true), 0);
	assert_int_equal(memenc_key_generation(&r.e, 5), 2);
	assert_int_equal(memenc_key_owner(&r.e, 5), 0xbb);
	read_line(&r, 5, 0x8000, out);
	assert_memory_not_equal(pt, out, MEMENC_LINE);
	/* The new key still round-trips. */
	write_line(&r, 5, 0x8000, pt);
	read_line(&r, 5, 0x8000, out);
	assert_memory_equal(pt, out, MEMENC_LINE);
	sim_fini(&r.s);
}

/* With no engine, DRAM holds plaintext and a line costs only the DRAM latency. */
static void test_none_mode_stores_plaintext(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_NONE);
	uint8_t pt[MEMENC_LINE], raw[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 2);
	assert_int_equal(memenc_key_program(&r.e, 0, 1, true), 0);
	uint64_t cycles = 0;
	assert_int_equal(memenc_write_line(&r.e, 0, 0x40, pt, &cycles), 0);
	assert_int_equal(cycles, 0); /* posted: the controller takes it at once */
	dram_line(&r, 0x40, raw);
	assert_memory_equal(pt, raw, MEMENC_LINE);
	cycles = 0;
	assert_int_equal(memenc_read_line(&r.e, 0, 0x40, out, &cycles), 0);
	assert_int_equal(cycles, DRAM);
	assert_memory_equal(pt, out, MEMENC_LINE);
	assert_int_equal(sim_stat_get(&r.s, "me.encrypts"), 0);
	assert_int_equal(sim_stat_get(&r.s, "me.decrypts"), 0);
	sim_fini(&r.s);
}

/* A bypass slot on an encrypting engine stores plaintext beside encrypted lines. */
static void test_bypass_slot_stores_plaintext(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t pt[MEMENC_LINE], raw[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 4);
	assert_int_equal(memenc_key_program(&r.e, 0, 1, false), 0);
	assert_int_equal(memenc_key_program(&r.e, 1, 3, true), 0);
	assert_false(memenc_key_encrypts(&r.e, 0));
	assert_true(memenc_key_encrypts(&r.e, 1));
	write_line(&r, 0, 0x1000, pt);
	write_line(&r, 1, 0x1040, pt);
	dram_line(&r, 0x1000, raw);
	assert_memory_equal(pt, raw, MEMENC_LINE);
	dram_line(&r, 0x1040, raw);
	assert_memory_not_equal(pt, raw, MEMENC_LINE);
	read_line(&r, 0, 0x1000, out);
	assert_memory_equal(pt, out, MEMENC_LINE);
	assert_int_equal(sim_stat_get(&r.s, "me.encrypts"), 1);
	assert_int_equal(sim_stat_get(&r.s, "me.decrypts"), 0);
	sim_fini(&r.s);
}

/* Invalid slots, bad numbers, unaligned and out-of-range lines fail and cost nothing. */
static void test_errors(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t buf[MEMENC_LINE] = {0};
	uint64_t cycles = 7;
	assert_false(memenc_key_valid(&r.e, 2));
	assert_int_equal(memenc_read_line(&r.e, 2, 0, buf, &cycles), -ENOKEY);
	assert_int_equal(memenc_write_line(&r.e, 2, 0, buf, &cycles), -ENOKEY);
	assert_int_equal(memenc_key_program(&r.e, 2, 9, true), 0);
	assert_true(memenc_key_valid(&r.e, 2));
	assert_int_equal(memenc_key_invalidate(&r.e, 2), 0);
	assert_false(memenc_key_valid(&r.e, 2));
	assert_int_equal(memenc_key_generation(&r.e, 2), 1);
	assert_int_equal(memenc_read_line(&r.e, 2, 0, buf, &cycles), -ENOKEY);

	assert_int_equal(memenc_key_program(&r.e, 16, 9, true), -EINVAL);
	assert_int_equal(memenc_key_invalidate(&r.e, 16), -EINVAL);
	assert_false(memenc_key_valid(&r.e, 16));
	assert_int_equal(memenc_read_line(&r.e, 16, 0, buf, &cycles), -EINVAL);
	assert_int_equal(memenc_key_program(&r.e, 1, 9, true), 0);
	assert_int_equal(memenc_read_line(&r.e, 1, 0x1020, buf, &cycles), -EINVAL);
	assert_int_equal(memenc_write_line(&r.e, 1, 0x1001, buf, &cycles), -EINVAL);
	assert_int_equal(memenc_read_line(&r.e, 1, 1ull << 40, buf, &cycles), -ERANGE);
	assert_int_equal(memenc_write_line(&r.e, 1, 1ull << 40, buf, &cycles), -ERANGE);
	assert_int_equal(cycles, 7);
	assert_int_equal(sim_stat_get(&r.s, "me.lines_read"), 0);
	assert_int_equal(sim_stat_get(&r.s, "me.lines_written"), 0);
	assert_int_equal(sim_stat_get(&r.s, "me.encrypts"), 0);
	assert_int_equal(sim_stat_get(&r.s, "me.cycles"), 0);
	assert_int_equal(mem_pages(&r.m), 0);
	sim_fini(&r.s);
}

/* Exact cycles: a read DRAM 150 + AES 40 + 3 issue = 193 on an encrypting
 * slot, 150 on bypass; a write is posted after its encryption: 43. */
static void test_exact_cycles(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t buf[MEMENC_LINE] = {0};
	assert_int_equal(memenc_key_program(&r.e, 0, 0, false), 0);
	assert_int_equal(memenc_key_program(&r.e, 1, 1, true), 0);
	assert_int_equal(memenc_line_latency(&r.e, 0), 150);
	assert_int_equal(memenc_line_latency(&r.e, 1), 193);
	/* `cycles` is the access's time so far: each transfer starts there */
	uint64_t cycles = 1000;
	assert_int_equal(memenc_write_line(&r.e, 1, 0x40, buf, &cycles), 0);
	assert_int_equal(cycles, 1043);
	cycles = 2000;
	assert_int_equal(memenc_read_line(&r.e, 1, 0x40, buf, &cycles), 0);
	assert_int_equal(cycles, 2193);
	cycles = 3000;
	assert_int_equal(memenc_read_line(&r.e, 0, 0x80, buf, &cycles), 0);
	assert_int_equal(cycles, 3150);
	assert_int_equal(sim_stat_get(&r.s, "me.cycles"), 43 + 193 + 150);
	sim_fini(&r.s);

	/* Profile-set AES timing: 150 + 10 + 3 * 2 = 166. */
	struct memenc_config cfg = { .mode = MEMENC_XTS, .slots = 1, .aes_latency = 10, .aes_issue = 2 };
	rig_init_cfg(&r, 1, &cfg);
	assert_int_equal(memenc_key_program(&r.e, 0, 0, true), 0);
	cycles = 0;
	assert_int_equal(memenc_read_line(&r.e, 0, 0, buf, &cycles), 0);
	assert_int_equal(cycles, 166);
	sim_fini(&r.s);
}

/* The AES pipeline takes a line every 4 x aes_issue cycles and adds its
 * latency once per line: reads whose data arrive together leave it one
 * after the other, 4 cycles apart. */
static void test_aes_pipeline(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	uint8_t buf[MEMENC_LINE] = {0};
	assert_int_equal(memenc_key_program(&r.e, 0, 0, true), 0);
	uint64_t c[3];
	for (int i = 0; i < 3; i++) {
		c[i] = 0; /* all at cycle 0: the data arrive together at 150 */
		assert_int_equal(memenc_read_line(&r.e, 0, 0x40 * (uint64_t)(i + 1), buf, &c[i]), 0);
	}
	assert_int_equal(c[0], 150 + 43);
	assert_int_equal(c[1], 150 + 4 + 43);
	assert_int_equal(c[2], 150 + 8 + 43);
	/* timing only (a prefetch): the same figure, and the pipeline is taken */
	assert_int_equal(memenc_read_timing(&r.e, 0, 0x100, 0), 150 + 12 + 43);
	sim_fini(&r.s);
}

/* Two sims with the same seed store the same ciphertext; another seed stores another. */
static void test_keys_follow_seed(void **state)
{
	(void)state;
	uint8_t pt[MEMENC_LINE], ct[3][MEMENC_LINE];
	const uint64_t seeds[3] = { 42, 42, 43 };
	fill(pt, sizeof(pt), 0x10);
	for (int i = 0; i < 3; i++) {
		struct rig r;
		rig_init(&r, seeds[i], MEMENC_XTS);
		assert_int_equal(memenc_key_program(&r.e, 4, 1, true), 0);
		write_line(&r, 4, 0x4000, pt);
		dram_line(&r, 0x4000, ct[i]);
		sim_fini(&r.s);
	}
	assert_memory_equal(ct[0], ct[1], MEMENC_LINE);
	assert_memory_not_equal(ct[0], ct[2], MEMENC_LINE);
}

/* Every key program is one memenc.key trace record; the trace digest depends on it. */
static void test_key_program_traced(void **state)
{
	(void)state;
	struct rig a, b;
	rig_init(&a, 1, MEMENC_XTS);
	rig_init(&b, 1, MEMENC_XTS);
	uint64_t before = a.s.trace.records;
	assert_int_equal(memenc_key_program(&a.e, 1, 0x10, true), 0);
	assert_int_equal(memenc_key_program(&b.e, 1, 0x11, true), 0);
	assert_int_equal(a.s.trace.records, before + 1);
	assert_int_equal(memenc_key_invalidate(&a.e, 1), 0);
	assert_int_equal(memenc_key_program(&a.e, 16, 0, true), -EINVAL);
	assert_int_equal(a.s.trace.records, before + 1);
	char da[2 * TRACE_DIGEST_LEN + 1], db[2 * TRACE_DIGEST_LEN + 1];
	sim_trace_digest_hex(&a.s.trace, da);
	sim_trace_digest_hex(&b.s.trace, db);
	assert_string_not_equal(da, db); /* owners differ */
	sim_fini(&a.s);
	sim_fini(&b.s);
}

/* The slot table survives save/restore: keys re-derive, old lines decrypt, later programs match. */
static void test_save_restore_slots(void **state)
{
	(void)state;
	struct rig a, b;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], ca[MEMENC_LINE], cb[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x21);
	rig_init(&a, 77, MEMENC_XTS);
	assert_int_equal(memenc_key_program(&a.e, 0, 0x100, false), 0);
	assert_int_equal(memenc_key_program(&a.e, 3, 0x300, true), 0);
	assert_int_equal(memenc_key_program(&a.e, 3, 0x301, true), 0);
	assert_int_equal(memenc_key_program(&a.e, 9, 0x900, true), 0);
	assert_int_equal(memenc_key_invalidate(&a.e, 9), 0);
	write_line(&a, 0, 0x0, pt);
	write_line(&a, 3, 0x40, pt);
	struct sim_buf snap;
	snap_take(&a.s, &snap);

	rig_init(&b, 1, MEMENC_XTS); /* the seed comes from the checkpoint */
	snap_restore_ok(&b.s, &snap);
	assert_true(memenc_key_valid(&b.e, 0));
	assert_false(memenc_key_encrypts(&b.e, 0));
	assert_int_equal(memenc_key_owner(&b.e, 3), 0x301);
	assert_int_equal(memenc_key_generation(&b.e, 3), 2);
	assert_false(memenc_key_valid(&b.e, 9));
	assert_int_equal(memenc_key_generation(&b.e, 9), 1);
	assert_int_equal(sim_stat_get(&b.s, "me.key_programs"), 4);
	assert_int_equal(sim_stat_get(&b.s, "me.encrypts"), 1);
	assert_int_equal(sim_stat_get(&b.s, "me.cycles"), 0 + 43); /* two posted writes */
	read_line(&b, 3, 0x40, out);
	assert_memory_equal(pt, out, MEMENC_LINE);
	read_line(&b, 0, 0x0, out);
	assert_memory_equal(pt, out, MEMENC_LINE);

	/* Both machines reprogram slot 9 to generation 2 and encrypt the same line alike. */
	assert_int_equal(memenc_key_program(&a.e, 9, 0x901, true), 0);
	assert_int_equal(memenc_key_program(&b.e, 9, 0x901, true), 0);
	write_line(&a, 9, 0x80, pt);
	write_line(&b, 9, 0x80, pt);
	dram_line(&a, 0x80, ca);
	dram_line(&b, 0x80, cb);
	assert_memory_equal(ca, cb, MEMENC_LINE);
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* A checkpoint from an engine with another slot count is refused. */
static void test_restore_rejects_other_slot_count(void **state)
{
	(void)state;
	struct rig a, b;
	rig_init(&a, 1, MEMENC_XTS);
	struct sim_buf snap;
	sim_buf_init(&snap);
	assert_int_equal(sim_save(&a.s, &snap), 0);
	struct memenc_config cfg = { .mode = MEMENC_XTS, .slots = 8 };
	rig_init_cfg(&b, 1, &cfg);
	char err[256] = "";
	assert_int_equal(sim_restore(&b.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model me: bad variable-size state");
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* Reset returns every slot to invalid at generation 0. */
static void test_reset(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	assert_int_equal(memenc_key_program(&r.e, 2, 5, true), 0);
	assert_int_equal(memenc_key_program(&r.e, 2, 5, true), 0);
	sim_reset(&r.s);
	assert_false(memenc_key_valid(&r.e, 2));
	assert_int_equal(memenc_key_generation(&r.e, 2), 0);
	assert_int_equal(memenc_key_owner(&r.e, 2), 0);
	uint8_t buf[MEMENC_LINE] = {0};
	uint64_t cycles = 0;
	assert_int_equal(memenc_read_line(&r.e, 2, 0, buf, &cycles), -ENOKEY);
	sim_fini(&r.s);
}

/* Key flags: PRIVATE needs ENCRYPT, unknown bits are refused, the bool wrapper makes shared slots. */
static void test_key_program_flags(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 1, MEMENC_XTS);
	assert_int_equal(memenc_key_program_ex(&r.e, 1, 1, MEMENC_KEY_PRIVATE), -EINVAL);
	assert_int_equal(memenc_key_program_ex(&r.e, 1, 1, 1u << 5), -EINVAL);
	assert_int_equal(memenc_key_program_ex(&r.e, 16, 1, MEMENC_KEY_ENCRYPT), -EINVAL);
	assert_false(memenc_key_valid(&r.e, 1));
	assert_int_equal(memenc_key_program_ex(&r.e, 1, 1, MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
	assert_true(memenc_key_private(&r.e, 1));
	assert_true(memenc_key_encrypts(&r.e, 1));
	assert_int_equal(memenc_line_latency(&r.e, 1), 193); /* private means nothing to XTS */
	assert_int_equal(memenc_key_program(&r.e, 1, 1, true), 0);
	assert_false(memenc_key_private(&r.e, 1));
	assert_false(memenc_key_private(&r.e, 16));
	assert_int_equal(sim_stat_get(&r.s, "me.key_programs"), 2);
	sim_fini(&r.s);
}

/* Bad configurations are refused and register nothing. */
static void test_init_rejects_bad_config(void **state)
{
	(void)state;
	struct sim s;
	struct mem m;
	struct memenc e;
	sim_init(&s, 1, 1000000000);
	mem_init(&m, &s, "dram", 32, DRAM);
	const struct memenc_config bad[] = {
		{ .mode = MEMENC_XTS, .slots = 0 },
		{ .mode = MEMENC_XTS, .slots = MEMENC_SLOTS_MAX + 1 },
		{ .mode = (enum memenc_mode)7, .slots = 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(memenc_init(&e, &s, "me", &bad[i], &m), -EINVAL);
	const struct memenc_config good = { .mode = MEMENC_XTS, .slots = MEMENC_SLOTS_MAX };
	assert_int_equal(memenc_init(&e, &s, "me", &good, NULL), -EINVAL);
	assert_null(sim_model_find(&s, "me"));
	assert_int_equal(memenc_init(&e, &s, "me", &good, &m), 0);
	assert_non_null(sim_model_find(&s, "me"));
	/* 0 is a value, not "the default": no AES latency, no issue limit */
	assert_int_equal(e.cfg.aes_latency, 0);
	assert_int_equal(e.cfg.aes_issue, 0);
	assert_int_equal(memenc_key_program(&e, MEMENC_SLOTS_MAX - 1, 1, true), 0);
	sim_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xts_round_trip),
		cmocka_unit_test(test_dram_holds_specified_ciphertext),
		cmocka_unit_test(test_ciphertext_determinism),
		cmocka_unit_test(test_reprogram_makes_old_lines_garbage),
		cmocka_unit_test(test_none_mode_stores_plaintext),
		cmocka_unit_test(test_bypass_slot_stores_plaintext),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_exact_cycles),
		cmocka_unit_test(test_aes_pipeline),
		cmocka_unit_test(test_keys_follow_seed),
		cmocka_unit_test(test_key_program_traced),
		cmocka_unit_test(test_save_restore_slots),
		cmocka_unit_test(test_restore_rejects_other_slot_count),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_init_rejects_bad_config),
		cmocka_unit_test(test_key_program_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
