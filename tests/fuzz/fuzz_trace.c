/* libFuzzer target: a binary trace as `ccsim trace` and `ccsim trace export
 * --perfetto` read it (harness/trace/): every record decoded to text and to
 * JSON Lines, and the Perfetto export. A refusal names the file and the byte
 * offset; whatever the input, nothing crashes, and a trace that reads as text
 * exports too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/trace/trace_decode.h"
#include "harness/trace/trace_perfetto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *open_in(const uint8_t *data, size_t size)
{
	return size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *in = open_in(data, size), *out = open_memstream(&buf, &len);
	if (!in || !out)
		return 0;
	int text = trace_decode_file(in, "fuzz.bin", out, err, sizeof(err));
	if (text && strncmp(err, "fuzz.bin: offset ", 17) != 0)
		__builtin_trap();
	fclose(in);

	/* JSON Lines of every record */
	struct trace_reader r;
	struct trace_names n;
	struct trace_rec rec;
	in = open_in(data, size);
	if (in && trace_scan(in, "fuzz.bin", &r, &n, NULL, NULL, err, sizeof(err)) == 0) {
		if (text)
			__builtin_trap(); /* the scan and the text view agree */
		while (trace_reader_next(&r, &rec, err, sizeof(err)) > 0)
			trace_print_json(out, &n, &rec);
		trace_names_fini(&n);
	}
	if (in)
		fclose(in);

	in = open_in(data, size);
	if (in) {
		int pf = trace_perfetto_write(in, "fuzz.bin", out, 1000000000ull, err, sizeof(err));
		if (pf != text)
			__builtin_trap();
		fclose(in);
	}
	fclose(out);
	free(buf);
	return 0;
}
