/* CCA attestation token (DEN0137 A7.2): RFC 6979 signing vectors, build ->
 * verify, determinism across seeds, tamper detection on every signature and
 * payload byte, malformed input with offsets, and the claim keys and types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/attest/cbor.h"
#include "models/monitor/attest/cca_token.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[0] && s[1]; s += 2) {
		unsigned v;
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* RFC 6979 A.2.6: P-384, SHA-384, messages "sample" and "test": exact r || s. */
static void test_rfc6979_vectors(void **state)
{
	(void)state;
	uint8_t priv[48], pub[P384_POINT_LEN], want_pub[P384_POINT_LEN], h[64], sig[96], want[96];
	unhex("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5", priv);
	unhex("04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13"
	      "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
	      want_pub);
	assert_int_equal(p384_public(priv, pub), 0);
	assert_memory_equal(pub, want_pub, sizeof(pub));
	assert_int_equal(p384_digest("sha-384", "sample", 6, h), 48);
	assert_int_equal(p384_sign(priv, h, sig), 0);
	unhex("94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46"
	      "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
	      want);
	assert_memory_equal(sig, want, 96);
	assert_int_equal(p384_verify(pub, h, sig), 0);
	sig[95] ^= 1;
	assert_int_equal(p384_verify(pub, h, sig), -EPERM);
	assert_int_equal(p384_digest("sha-384", "test", 4, h), 48);
	assert_int_equal(p384_sign(priv, h, sig), 0);
	unhex("8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB"
	      "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5",
	      want);
	assert_memory_equal(sig, want, 96);
	/* A point off the curve never verifies. */
	pub[96] ^= 1;
	assert_int_equal(p384_verify(pub, h, sig), -EPERM);
}

static void realm_claims(struct cca_realm_claims *rc, uint8_t fill)
{
	memset(rc, 0, sizeof(*rc));
	memset(rc->challenge, 0xc0 ^ fill, sizeof(rc->challenge));
	memset(rc->rpv, 0x50, sizeof(rc->rpv));
	memset(rc->rim, 0xa1 ^ fill, sizeof(rc->rim));
	for (int i = 0; i < 4; i++)
		memset(rc->rem[i], 0x10 + i, sizeof(rc->rem[i]));
	rc->meas_len = 64;
	strcpy(rc->hash_alg, "sha-512");
}

static uint8_t *build(uint64_t seed, uint8_t fill, size_t *len)
{
	struct cca_realm_claims rc;
	uint8_t *tok;
	realm_claims(&rc, fill);
	assert_int_equal(cca_token_build(seed, &rc, NULL, &tok, len), 0);
	return tok;
}

static int verify(const uint8_t *tok, size_t len, uint64_t seed, struct cca_token_view *v, char *err)
{
	/* Deriving the CPAK costs a scalar multiplication: remember the last. */
	static uint64_t cached_seed = UINT64_MAX;
	static uint8_t cpak[P384_POINT_LEN];
	if (seed != cached_seed) {
		cca_cpak_public(seed, cpak);
		cached_seed = seed;
	}
	return cca_token_verify(tok, len, cpak, v, err, 256);
}

/* A built token verifies and reads back every realm claim it was given. */
static void test_build_verify(void **state)
{
	(void)state;
	size_t len;
	uint8_t *tok = build(7, 0, &len), rak[P384_POINT_LEN];
	struct cca_token_view *v = test_malloc(sizeof(*v));
	struct cca_realm_claims rc;
	char err[256] = "";
	realm_claims(&rc, 0);
	if (verify(tok, len, 7, v, err))
		fail_msg("verify: %s", err);
	assert_memory_equal(v->realm.challenge, rc.challenge, 64);
	assert_memory_equal(v->realm.rpv, rc.rpv, 64);
	assert_memory_equal(v->realm.rim, rc.rim, 64);
	assert_memory_equal(v->realm.rem, rc.rem, sizeof(rc.rem));
	assert_int_equal(v->realm.meas_len, 64);
	assert_string_equal(v->realm.hash_alg, "sha-512");
	assert_string_equal(v->realm.rak_hash_alg, "sha-256");
	cca_rak_public(7, rak);
	assert_memory_equal(v->realm.rak_pub, rak, sizeof(rak));
	assert_string_equal(v->platform.profile, CCA_PROFILE);
	assert_int_equal(v->platform.challenge_len, 32);
	assert_int_equal(v->platform.lifecycle, CCA_LIFECYCLE_SECURED);
	assert_int_equal(v->platform.nsw, 3);
	assert_string_equal(v->platform.sw[2].type, "RMM");
	assert_int_equal(v->platform.instance_id[0], 0x01);
	/* The wrong CPAK (another seed's) rejects the platform token. */
	assert_int_equal(verify(tok, len, 8, v, err), CCA_ERR_CHECK);
	assert_non_null(strstr(err, "platform token signature"));
	test_free(v);
	free(tok);
}

/* Same seed and claims give identical bytes; another seed or claim does not. */
static void test_determinism(void **state)
{
	(void)state;
	size_t a_len, b_len, c_len, d_len;
	uint8_t *a = build(1, 0, &a_len), *b = build(1, 0, &b_len), *c = build(2, 0, &c_len),
		*d = build(1, 1, &d_len);
	assert_int_equal(a_len, b_len);
	assert_memory_equal(a, b, a_len);
	assert_true(a_len != c_len || memcmp(a, c, a_len) != 0);
	assert_true(a_len != d_len || memcmp(a, d, a_len) != 0);
	uint8_t k1[P384_POINT_LEN], k2[P384_POINT_LEN];
	cca_rak_public(1, k1);
	cca_cpak_public(1, k2);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	free(a), free(b), free(c), free(d);
}

/* Where a COSE_Sign1 sits in the token: payload and signature offsets. */
struct where {
	size_t payload, payload_len, sig;
};

static void locate(const uint8_t *tok, size_t len, uint64_t which, struct where *w)
{
	struct cbor_dec d;
	struct cbor_item it;
	cbor_dec_init(&d, tok, len, 0);
	assert_int_equal(cbor_expect(&d, CBOR_TAG, "tag", &it), 0);
	assert_int_equal(it.arg, 399);
	assert_int_equal(cbor_expect(&d, CBOR_MAP, "map", &it), 0);
	assert_int_equal(it.arg, 2);
	for (int i = 0; i < 2; i++) {
		struct cbor_item key, bs;
		assert_int_equal(cbor_expect(&d, CBOR_UINT, "key", &key), 0);
		assert_int_equal(cbor_expect(&d, CBOR_BYTES, "token", &bs), 0);
		if (key.arg != which)
			continue;
		struct cbor_dec s;
		struct cbor_item prot, pl, sig;
		cbor_dec_init(&s, bs.data, bs.arg, (size_t)(bs.data - tok));
		assert_int_equal(cbor_expect(&s, CBOR_TAG, "18", &it), 0);
		assert_int_equal(it.arg, 18);
		assert_int_equal(cbor_expect(&s, CBOR_ARRAY, "sign1", &it), 0);
		assert_int_equal(it.arg, 4);
		assert_int_equal(cbor_expect(&s, CBOR_BYTES, "prot", &prot), 0);
		assert_int_equal(prot.arg, 4);
		assert_memory_equal(prot.data, "\xa1\x01\x38\x22", 4); /* {1: -35} */
		assert_int_equal(cbor_expect(&s, CBOR_MAP, "unprot", &it), 0);
		assert_int_equal(cbor_expect(&s, CBOR_BYTES, "payload", &pl), 0);
		assert_int_equal(cbor_expect(&s, CBOR_BYTES, "sig", &sig), 0);
		assert_int_equal(sig.arg, 96);
		w->payload = (size_t)(pl.data - tok);
		w->payload_len = pl.arg;
		w->sig = (size_t)(sig.data - tok);
		return;
	}
	fail_msg("no token %llu", (unsigned long long)which);
}

/* Flipping any bit of either signature or the platform payload is a check
 * failure; any flip in the realm payload fails verification too. */
static void test_tamper(void **state)
{
	(void)state;
	size_t len;
	uint8_t *tok = build(3, 0, &len);
	struct cca_token_view *v = test_malloc(sizeof(*v));
	char err[256];
	struct where p, r;
	locate(tok, len, CCA_KEY_PLATFORM_TOKEN, &p);
	locate(tok, len, CCA_KEY_REALM_TOKEN, &r);
	for (size_t i = 0; i < 96; i++) {
		tok[p.sig + i] ^= 0x01;
		assert_int_equal(verify(tok, len, 3, v, err), CCA_ERR_CHECK);
		assert_non_null(strstr(err, "platform token signature"));
		tok[p.sig + i] ^= 0x01;
		tok[r.sig + i] ^= 0x80;
		assert_int_equal(verify(tok, len, 3, v, err), CCA_ERR_CHECK);
		assert_non_null(strstr(err, "realm token signature"));
		tok[r.sig + i] ^= 0x80;
	}
	for (size_t i = 0; i < p.payload_len; i++) {
		tok[p.payload + i] ^= 0x04;
		assert_int_equal(verify(tok, len, 3, v, err), CCA_ERR_CHECK);
		tok[p.payload + i] ^= 0x04;
	}
	for (size_t i = 0; i < r.payload_len; i++) {
		tok[r.payload + i] ^= 0x04;
		int rc = verify(tok, len, 3, v, err);
		if (rc != CCA_ERR_CHECK && rc != CCA_ERR_MALFORMED)
			fail_msg("realm payload byte %zu flipped: verify returned %d", i, rc);
		tok[r.payload + i] ^= 0x04;
	}
	assert_int_equal(verify(tok, len, 3, v, err), 0);
	test_free(v);
	free(tok);
}

/* A changed RAK breaks the binding to the platform challenge. */
static void test_binding(void **state)
{
	(void)state;
	size_t len;
	uint8_t *tok = build(4, 0, &len);
	char err[256];
	struct where r;
	locate(tok, len, CCA_KEY_REALM_TOKEN, &r);
	/* The RAK claim (key 44237): a 107-byte COSE_Key, {1: 2, -1: 2, -2: x,
	 * -3: y}; a bit of x flipped breaks the binding (the hash of the claim) */
	const uint8_t *key = memmem(tok + r.payload, r.payload_len,
				    "\x19\xac\xcd\x58\x6b\xa4\x01\x02\x20\x02\x21\x58\x30", 13);
	assert_non_null(key);
	tok[key - tok + 20] ^= 0x01;
	assert_int_equal(verify(tok, len, 4, NULL, err), CCA_ERR_CHECK);
	assert_non_null(strstr(err, "binding"));
	free(tok);
}

/* Every truncation is malformed with a byte offset inside the token. */
static void test_truncated(void **state)
{
	(void)state;
	size_t len;
	uint8_t *tok = build(5, 0, &len);
	char err[256];
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(verify(tok, n, 5, NULL, err), CCA_ERR_MALFORMED);
		size_t off;
		assert_int_equal(sscanf(err, "byte %zu:", &off), 1);
		assert_true(off <= n);
	}
	uint8_t junk[] = { 0xd9, 0x01, 0x8e, 0xa0 }; /* tag 398 */
	assert_int_equal(verify(junk, sizeof(junk), 5, NULL, err), CCA_ERR_MALFORMED);
	assert_string_equal(err, "byte 0: token: expected CCA token tag 399, found tag 398");
	free(tok);
}

static void expect_key(struct cbor_dec *d, uint64_t key, enum cbor_major major, uint64_t arg)
{
	struct cbor_item it;
	assert_int_equal(cbor_expect(d, CBOR_UINT, "key", &it), 0);
	assert_int_equal(it.arg, key);
	assert_int_equal(cbor_next(d, &it), 0);
	assert_int_equal(it.major, major);
	if (major != CBOR_MAP && major != CBOR_TEXT)
		assert_int_equal(it.arg, arg);
	if (major == CBOR_TEXT)
		assert_true(it.arg == arg && it.data);
	if (major == CBOR_ARRAY || major == CBOR_MAP) {
		d->pos = it.off - d->base;
		assert_int_equal(cbor_skip(d), 0);
	}
}

/* DEN0137 A7.2.3: the claim keys, in canonical order, with their types and sizes. */
static void test_claim_layout(void **state)
{
	(void)state;
	size_t len;
	uint8_t *tok = build(6, 0, &len);
	struct where w;
	struct cbor_dec d;
	struct cbor_item it;
	assert_memory_equal(tok, "\xd9\x01\x8f\xa2\x19\xac\xca", 7); /* 399({44234: ... */
	locate(tok, len, CCA_KEY_REALM_TOKEN, &w);
	cbor_dec_init(&d, tok + w.payload, w.payload_len, w.payload);
	assert_int_equal(cbor_expect(&d, CBOR_MAP, "realm", &it), 0);
	assert_int_equal(it.arg, 7);
	expect_key(&d, 10, CBOR_BYTES, 64);
	expect_key(&d, 44235, CBOR_BYTES, 64);
	expect_key(&d, 44236, CBOR_TEXT, 7);    /* "sha-512" */
	expect_key(&d, 44237, CBOR_BYTES, 107); /* COSE_Key: EC2, P-384, x, y */
	expect_key(&d, 44238, CBOR_BYTES, 64);
	expect_key(&d, 44239, CBOR_ARRAY, 4);
	expect_key(&d, 44240, CBOR_TEXT, 7);    /* "sha-256" */
	assert_true(cbor_at_end(&d));
	locate(tok, len, CCA_KEY_PLATFORM_TOKEN, &w);
	cbor_dec_init(&d, tok + w.payload, w.payload_len, w.payload);
	assert_int_equal(cbor_expect(&d, CBOR_MAP, "platform", &it), 0);
	assert_int_equal(it.arg, 9);
	expect_key(&d, 10, CBOR_BYTES, 32);
	expect_key(&d, 256, CBOR_BYTES, 33);
	expect_key(&d, 265, CBOR_TEXT, strlen(CCA_PROFILE));
	expect_key(&d, 2395, CBOR_UINT, CCA_LIFECYCLE_SECURED);
	expect_key(&d, 2396, CBOR_BYTES, 32);
	expect_key(&d, 2399, CBOR_ARRAY, 3);
	expect_key(&d, 2400, CBOR_TEXT, 58);
	expect_key(&d, 2401, CBOR_BYTES, 32);
	expect_key(&d, 2402, CBOR_TEXT, 7);
	assert_true(cbor_at_end(&d));
	free(tok);
}

/* A realm hash algorithm that does not fit the RIM size is malformed. */
static void test_alg_mismatch(void **state)
{
	(void)state;
	struct cca_realm_claims rc;
	uint8_t *tok;
	size_t len;
	char err[256];
	realm_claims(&rc, 0);
	rc.meas_len = 32;
	strcpy(rc.hash_alg, "sha-256");
	assert_int_equal(cca_token_build(9, &rc, NULL, &tok, &len), 0);
	assert_int_equal(verify(tok, len, 9, NULL, err), 0);
	uint8_t *alg = memmem(tok, len, "\x19\xac\xcc\x67sha-256", 11);
	assert_non_null(alg);
	memcpy(alg + 8, "512", 3);
	assert_int_equal(verify(tok, len, 9, NULL, err), CCA_ERR_MALFORMED);
	assert_non_null(strstr(err, "realm token: hash algorithm \"sha-512\" does not match"));
	free(tok);
}

/* Bad claims are refused at build time. */
static void test_build_rejects(void **state)
{
	(void)state;
	struct cca_realm_claims rc;
	uint8_t *tok;
	size_t len;
	realm_claims(&rc, 0);
	rc.meas_len = 32; /* "sha-512" with 32-byte measurements */
	assert_int_equal(cca_token_build(1, &rc, NULL, &tok, &len), -EINVAL);
	assert_null(tok);
	strcpy(rc.hash_alg, "sha-256");
	assert_int_equal(cca_token_build(1, &rc, NULL, &tok, &len), 0);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6979_vectors),
		cmocka_unit_test(test_build_verify),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_claim_layout),
		cmocka_unit_test(test_alg_mismatch),
		cmocka_unit_test(test_build_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
