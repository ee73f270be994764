/* CBOR encoder and decoder against RFC 8949 Appendix A vectors: exact
 * preferred encodings, decode -> re-encode round trips, and decoder errors
 * with the byte offset of the bad item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/attest/cbor.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		unsigned v;
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void assert_enc(const struct cbor_enc *e, const char *hex)
{
	uint8_t want[256];
	size_t n = unhex(hex, want);
	assert_int_equal(e->len, n);
	assert_memory_equal(e->data, want, n);
}

/* Integers take the shortest argument (RFC 8949 A: 0 .. 2^64-1, -1 .. -2^64). */
static void test_integers(void **state)
{
	(void)state;
	static const struct { int64_t v; const char *hex; } ints[] = {
		{ 0, "00" }, { 1, "01" }, { 10, "0a" }, { 23, "17" }, { 24, "1818" }, { 25, "1819" },
		{ 100, "1864" }, { 1000, "1903e8" }, { 1000000, "1a000f4240" },
		{ 1000000000000, "1b000000e8d4a51000" }, { -1, "20" }, { -10, "29" }, { -100, "3863" },
		{ -1000, "3903e7" }, { INT64_MIN, "3b7fffffffffffffff" },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct cbor_enc e;
		cbor_enc_init(&e);
		cbor_put_int(&e, ints[i].v);
		assert_enc(&e, ints[i].hex);
		cbor_enc_free(&e);
	}
	struct cbor_enc e;
	cbor_enc_init(&e);
	cbor_put_uint(&e, UINT64_MAX);
	cbor_put_head(&e, CBOR_NINT, UINT64_MAX); /* -18446744073709551616 */
	assert_enc(&e, "1bffffffffffffffff3bffffffffffffffff");
	cbor_enc_free(&e);
}

/* Strings, arrays, maps, tags and simple values from RFC 8949 A. */
static void test_composites(void **state)
{
	(void)state;
	struct cbor_enc e;
	cbor_enc_init(&e);
	cbor_put_bytes(&e, NULL, 0);                              /* h'' */
	cbor_put_bytes(&e, "\x01\x02\x03\x04", 4);                /* h'01020304' */
	cbor_put_text(&e, "");
	cbor_put_text(&e, "IETF");
	cbor_put_array(&e, 3);                                    /* [1, [2, 3], [4, 5]] */
	cbor_put_uint(&e, 1);
	cbor_put_array(&e, 2), cbor_put_uint(&e, 2), cbor_put_uint(&e, 3);
	cbor_put_array(&e, 2), cbor_put_uint(&e, 4), cbor_put_uint(&e, 5);
	cbor_put_map(&e, 2);                                      /* {"a": 1, "b": [2, 3]} */
	cbor_put_text(&e, "a"), cbor_put_uint(&e, 1);
	cbor_put_text(&e, "b"), cbor_put_array(&e, 2), cbor_put_uint(&e, 2), cbor_put_uint(&e, 3);
	cbor_put_tag(&e, 1), cbor_put_uint(&e, 1363896240);       /* 1(1363896240) */
	cbor_put_tag(&e, 23), cbor_put_bytes(&e, "\x01\x02\x03\x04", 4);
	cbor_put_bool(&e, false), cbor_put_bool(&e, true), cbor_put_null(&e);
	assert_enc(&e, "40" "4401020304" "60" "6449455446" "8301820203820405" "a26161016162820203"
		       "c11a514b67b0" "d74401020304" "f4f5f6");
	cbor_enc_free(&e);
	/* [1, 2, ..., 25]: a count of 25 needs the one-byte argument. */
	cbor_enc_init(&e);
	cbor_put_array(&e, 25);
	for (unsigned i = 1; i <= 25; i++)
		cbor_put_uint(&e, i);
	assert_enc(&e, "98190102030405060708090a0b0c0d0e0f101112131415161718181819");
	cbor_enc_free(&e);
}

/* Re-encode whatever the decoder reads, item by item. */
static int copy_item(struct cbor_dec *d, struct cbor_enc *e)
{
	struct cbor_item it;
	if (cbor_next(d, &it))
		return -1;
	cbor_put_head(e, it.major, it.arg);
	if (it.major == CBOR_BYTES || it.major == CBOR_TEXT)
		cbor_put_raw(e, it.data, it.arg);
	uint64_t n = it.major == CBOR_ARRAY ? it.arg : it.major == CBOR_MAP ? 2 * it.arg : it.major == CBOR_TAG;
	for (uint64_t i = 0; i < n; i++)
		if (copy_item(d, e))
			return -1;
	return 0;
}

/* Decoding then re-encoding each Appendix A vector gives the same bytes. */
static void test_round_trip(void **state)
{
	(void)state;
	static const char *const vecs[] = {
		"00", "17", "1818", "1903e8", "1a000f4240", "1b000000e8d4a51000", "1bffffffffffffffff",
		"3bffffffffffffffff", "3903e7", "40", "4401020304", "6161", "62225c", "80",
		"8301820203820405", "a0", "a201020304", "a26161016162820203",
		"826161a161626163", "c074323031332d30332d32315432303a30343a30305a", "d818456449455446",
		"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "f4", "f5", "f6", "f7", "f0", "f818",
		"98190102030405060708090a0b0c0d0e0f101112131415161718181819", "fb3ff199999999999a",
	};
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint8_t in[128];
		size_t n = unhex(vecs[i], in);
		struct cbor_dec d;
		struct cbor_enc e;
		cbor_dec_init(&d, in, n, 0);
		cbor_enc_init(&e);
		assert_int_equal(copy_item(&d, &e), 0);
		assert_true(cbor_at_end(&d));
		assert_int_equal(e.len, n);
		assert_memory_equal(e.data, in, n);
		cbor_enc_free(&e);
		/* cbor_skip consumes exactly the same bytes. */
		cbor_dec_init(&d, in, n, 0);
		assert_int_equal(cbor_skip(&d), 0);
		assert_true(cbor_at_end(&d));
	}
}

static void expect_error(const char *hex, size_t base, size_t off, const char *msg)
{
	uint8_t in[64];
	size_t n = unhex(hex, in);
	struct cbor_dec d;
	cbor_dec_init(&d, in, n, base);
	assert_int_equal(cbor_skip(&d), -EBADMSG);
	assert_true(d.failed);
	if (d.err_off != off || !strstr(d.err, msg))
		fail_msg("%s: got offset %zu \"%s\", expected %zu \"%s\"", hex, d.err_off, d.err, off, msg);
	/* Sticky: later calls keep failing with the first error. */
	struct cbor_item it;
	assert_int_equal(cbor_next(&d, &it), -EBADMSG);
	assert_int_equal(d.err_off, off);
}

/* Truncated and malformed input fails with the offset of the bad item. */
static void test_decode_errors(void **state)
{
	(void)state;
	expect_error("", 0, 0, "truncated");
	expect_error("19 03", 0, 0, "head needs 3 bytes, 2 left");
	expect_error("82 01 19 03", 0, 2, "head needs 3 bytes");
	expect_error("83 01 02", 0, 0, "array of 3 items, 2 bytes left");
	expect_error("82 01 82 01", 0, 2, "array of 2 items, 1 bytes left");
	expect_error("a1 01", 0, 0, "map of 1 pairs, 1 bytes left");
	expect_error("82 81 00", 0, 3, "expected a CBOR item, found end of data");
	expect_error("44 01 02", 0, 0, "byte string of 4 bytes, 2 left");
	expect_error("82 00 63 61 62", 10, 12, "text string of 3 bytes");
	expect_error("1c", 0, 0, "reserved additional information 28");
	expect_error("81 5f 41 00 ff", 0, 1, "indefinite-length byte string");
	expect_error("9b 00 00 00 01 00 00 00 00 00", 0, 0, "array of 4294967296 items");
	expect_error("81818181818181818181818181818181818100", 0, 16, "nesting deeper than 16");
	/* cbor_expect names what it wanted. */
	struct cbor_dec d;
	struct cbor_item it;
	uint8_t in[] = { 0x01, 0x02 };
	cbor_dec_init(&d, in, sizeof(in), 100);
	assert_int_equal(cbor_expect(&d, CBOR_UINT, "a", &it), 0);
	assert_int_equal(cbor_expect(&d, CBOR_TEXT, "a name", &it), -EBADMSG);
	assert_int_equal(d.err_off, 101);
	assert_string_equal(d.err, "expected a name (text string), found unsigned integer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_composites),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
