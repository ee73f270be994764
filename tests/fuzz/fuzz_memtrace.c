/* libFuzzer target: a memory trace as `g.op replay` and `ccsim memtrace`
 * read it (harness/memtrace/memtrace.c): valgrind lackey text or the binary
 * .cctrace, whole and through a window, summarised and compiled for the
 * guest. What was read must write back and read again to the same records. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "harness/memtrace/memtrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GArray *read_buf(const void *data, size_t size, const struct memtrace_window *w)
{
	char err[512];
	GArray *words = NULL;
	FILE *f = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	if (!f)
		return NULL;
	int rc = memtrace_read_stream(f, "fuzz.cctrace", w, &words, err, sizeof(err));
	fclose(f);
	if (rc && strncmp(err, "fuzz.cctrace", 12) != 0)
		__builtin_trap(); /* a refusal names the trace (and line or byte) */
	return rc ? NULL : words;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GArray *words = read_buf(data, size, NULL);
	if (!words)
		return 0;
	struct memtrace_info info;
	memtrace_summarise(words, &info);
	uint8_t *code = NULL;
	size_t len = 0;
	uint64_t pages = 0;
	char err[512];
	if (memtrace_compile(words, 0x40000000ull, 1u << 16, &code, &len, &pages, err, sizeof(err)) == 0)
		g_free(code);

	/* the binary format round-trips what was read */
	char *buf = NULL;
	size_t blen = 0;
	FILE *out = open_memstream(&buf, &blen);
	if (!out || memtrace_write(out, words) || fclose(out))
		__builtin_trap();
	GArray *again = read_buf(buf, blen, NULL);
	if (!again || again->len != words->len ||
	    memcmp(again->data, words->data, words->len * sizeof(uint64_t)) != 0)
		__builtin_trap();
	g_array_free(again, TRUE);
	free(buf);

	/* a window keeps no more than the whole */
	struct memtrace_window w = { 1, 3 };
	GArray *part = read_buf(data, size, &w);
	if (part && part->len > words->len)
		__builtin_trap();
	if (part)
		g_array_free(part, TRUE);
	g_array_free(words, TRUE);
	return 0;
}
