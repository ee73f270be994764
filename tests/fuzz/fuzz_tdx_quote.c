/* libFuzzer target: an Intel TDX quote as `ccsim attest verify --tdx` takes
 * it (harness/attest/attest_tdx.c, models/monitor/attest/tdx_quote.c): the input
 * is the quote, every length and type field as given. One that parses is
 * printed as text and again as JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/attest/attest_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		return 0;
	struct attest_verify_opts o = { .seed = 1, .tdx = true };
	int st = attest_verify_data("fuzz.bin", data, size, &o, null, null);
	if (st == 0 || st == 1) {
		o.json = true;
		if (attest_verify_data("fuzz.bin", data, size, &o, null, null) != st)
			__builtin_trap(); /* the output format does not change the verdict */
	} else if (st != 2) {
		__builtin_trap(); /* valid, a failed check, or malformed: nothing else */
	}
	fclose(null);
	return 0;
}
