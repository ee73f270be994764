/* Memory traces: lackey text and the binary format read into the same
 * records, windows, errors that name the line or byte, and the guest's
 * compiled form (page layout, splitting, modifies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness/memtrace/memtrace.h"

static GArray *read_text(const char *text, uint64_t skip, uint64_t limit, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct memtrace_window w = { skip, limit };
	GArray *words = NULL;
	int rc = memtrace_read_stream(f, "t.lackey", &w, &words, err, 256);
	fclose(f);
	return rc ? NULL : words;
}

static uint64_t word(const GArray *a, guint i) { return g_array_index(a, uint64_t, i); }

static const char trace[] = "==1== Lackey, an example Valgrind tool\n"
			    "I  04016d0,3\n"
			    " S 1ffefffd58,8\n"
			    "I  04016d3,4\n"
			    "I  04016d7,4\n"
			    " L 0402b218,4\n"
			    " M 0402b200,16\n"
			    "I  04016db,2\n"
			    "==1== \n";

/* Each line becomes a record: kind, size, the instructions before it. */
static void test_lackey_records(void **state)
{
	(void)state;
	char err[256];
	GArray *a = read_text(trace, 0, 0, err);
	assert_non_null(a);
	assert_int_equal(a->len, 4); /* S, L, M 16 (one piece), then the trailing instruction */
	assert_int_equal(memtrace_kind(word(a, 0)), MT_STORE);
	assert_int_equal(memtrace_gap(word(a, 0)), 1);
	assert_int_equal(memtrace_addr(word(a, 0)), 0x1ffefffd58ull);
	assert_int_equal(memtrace_kind(word(a, 1)), MT_LOAD);
	assert_int_equal(memtrace_size(word(a, 1)), 4);
	assert_int_equal(memtrace_gap(word(a, 1)), 2);
	assert_int_equal(memtrace_kind(word(a, 2)), MT_MODIFY);
	assert_int_equal(memtrace_size(word(a, 2)), 16);
	assert_int_equal(memtrace_gap(word(a, 2)), 0);
	assert_int_equal(memtrace_kind(word(a, 3)), MT_INSNS);
	assert_int_equal(memtrace_addr(word(a, 3)), 1);
	struct memtrace_info i;
	memtrace_summarise(a, &i);
	assert_int_equal(i.insns, 4);
	assert_int_equal(i.loads + i.stores + i.modifies, 3);
	assert_int_equal(i.pages, 2);
	g_array_free(a, TRUE);
}

/* An odd size splits into power-of-two pieces; a long run of instructions
 * goes into an instruction record before the access. */
static void test_split_and_gap(void **state)
{
	(void)state;
	GString *t = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(t, "I  0400000,4\n");
	g_string_append(t, " L 1000,10\n");
	char err[256];
	GArray *a = read_text(t->str, 0, 0, err);
	assert_non_null(a);
	assert_int_equal(a->len, 3);
	assert_int_equal(memtrace_kind(word(a, 0)), MT_INSNS);
	assert_int_equal(memtrace_addr(word(a, 0)), 300);
	assert_int_equal(memtrace_size(word(a, 1)), 8);
	assert_int_equal(memtrace_gap(word(a, 1)), 0);
	assert_int_equal(memtrace_size(word(a, 2)), 2);
	assert_int_equal(memtrace_addr(word(a, 2)), 0x1008);
	g_array_free(a, TRUE);
	g_string_free(t, TRUE);
}

/* skip drops the first accesses with their instructions; limit stops. */
static void test_window(void **state)
{
	(void)state;
	char err[256];
	GArray *a = read_text(trace, 1, 1, err);
	assert_non_null(a);
	assert_int_equal(a->len, 1);
	assert_int_equal(memtrace_kind(word(a, 0)), MT_LOAD);
	assert_int_equal(memtrace_gap(word(a, 0)), 2);
	g_array_free(a, TRUE);
	assert_null(read_text(trace, 3, 0, err));
	assert_string_equal(err, "t.lackey: no memory accesses after the skipped ones");
}

/* A line that is not lackey's names its line. */
static void test_lackey_errors(void **state)
{
	(void)state;
	char err[256];
	assert_null(read_text("I  0400000,4\n L zz,8\n", 0, 0, err));
	assert_non_null(strstr(err, "t.lackey:2: expected a lackey"));
	assert_null(read_text(" L 1000,0\n", 0, 0, err));
	assert_non_null(strstr(err, "t.lackey:1:"));
	assert_null(read_text("hello\n", 0, 0, err));
	assert_non_null(strstr(err, "t.lackey:1:"));
	assert_null(read_text("", 0, 0, err));
	assert_string_equal(err, "t.lackey: no memory accesses");
}

/* The binary format reads back the records it was written from; a
 * truncated or padded file names the byte. */
static void test_binary_roundtrip(void **state)
{
	(void)state;
	char err[256], *buf = NULL;
	size_t len = 0;
	GArray *a = read_text(trace, 0, 0, err);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(memtrace_write(f, a), 0);
	fclose(f);
	assert_int_equal(len, MEMTRACE_HEADER + 8 * a->len);
	assert_memory_equal(buf, MEMTRACE_MAGIC, 8);
	GArray *b = NULL;
	f = fmemopen(buf, len, "r");
	assert_int_equal(memtrace_read_stream(f, "t.bin", NULL, &b, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(b->len, a->len);
	assert_memory_equal(b->data, a->data, 8 * a->len);
	g_array_free(b, TRUE);
	f = fmemopen(buf, len - 3, "r");
	assert_int_not_equal(memtrace_read_stream(f, "t.bin", NULL, &b, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(err, "t.bin: byte 40: truncated: the header says 4 records, the file "
				 "ends after 3");
	buf[MEMTRACE_HEADER + 8 * 1] |= 0x1c; /* record 1: size 2^7 */
	f = fmemopen(buf, len, "r");
	assert_int_not_equal(memtrace_read_stream(f, "t.bin", NULL, &b, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(err, "t.bin: byte 24: access size 2^7, more than 64");
	free(buf);
	g_array_free(a, TRUE);
}

/* Pages are laid out from base in first-touch order; a modify is a load
 * then a store; an access over an 8-byte boundary takes two words. */
/* Instruction counts past what one record holds (52 bits) are split over
 * records, not cut to their low bits. */
static void test_insns_overflow(void **state)
{
	(void)state;
	const uint64_t max = (1ull << 52) - 1;
	uint64_t recs[] = { MT_INSNS | max << 12, MT_INSNS | max << 12, MT_LOAD | 3 << 2 | 0x1000ull << 12 };
	uint8_t bin[16 + sizeof(recs)];
	memcpy(bin, MEMTRACE_MAGIC, 8);
	for (int k = 0; k < 8; k++)
		bin[8 + k] = (uint8_t)((uint64_t)G_N_ELEMENTS(recs) >> (8 * k));
	for (size_t i = 0; i < G_N_ELEMENTS(recs); i++)
		for (int k = 0; k < 8; k++)
			bin[16 + 8 * i + k] = (uint8_t)(recs[i] >> (8 * k));
	char err[256];
	FILE *f = fmemopen(bin, sizeof(bin), "rb");
	GArray *a = NULL;
	assert_int_equal(memtrace_read_stream(f, "t.cctrace", NULL, &a, err, sizeof(err)), 0);
	fclose(f);
	struct memtrace_info i;
	memtrace_summarise(a, &i);
	assert_true(i.insns == 2 * max);
	assert_int_equal(i.loads, 1);
	g_array_free(a, TRUE);
}

static void test_compile(void **state)
{
	(void)state;
	char err[256];
	GArray *a = read_text(" L 7fff0010,8\n"
			      " S 0601ff8,16\n"
			      " M 7fff0ffc,8\n",
			      0, 0, err);
	assert_non_null(a);
	uint8_t *out;
	size_t len;
	uint64_t pages, w[8];
	assert_int_equal(memtrace_compile(a, 0x400000, 100, &out, &len, &pages, err, sizeof(err)), 0);
	assert_int_equal(pages, 4);
	assert_int_equal(len, 7 * 8);
	memcpy(w, out, len);
	assert_int_equal(w[0], 0x400010);        /* page 0: 0x7fff0000 */
	assert_int_equal(w[1], 0x401ff8 | 1);    /* page 1: 0x601000, a store */
	assert_int_equal(w[2], 0x402000 | 1);    /* page 2: 0x602000 */
	assert_int_equal(w[3], 0x400ff8);        /* the modify: load, store, each word */
	assert_int_equal(w[4], 0x400ff8 | 1);
	assert_int_equal(w[5], 0x403000);        /* its second word: page 3 = 0x7fff1000 */
	assert_int_equal(w[6], 0x403000 | 1);
	g_free(out);
	assert_int_not_equal(memtrace_compile(a, 0x400000, 5, &out, &len, &pages, err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "more than 5 accesses"));
	g_array_free(a, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lackey_records), cmocka_unit_test(test_split_and_gap),
		cmocka_unit_test(test_window),         cmocka_unit_test(test_lackey_errors),
		cmocka_unit_test(test_binary_roundtrip), cmocka_unit_test(test_compile),
		cmocka_unit_test(test_insns_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
