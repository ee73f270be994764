/* libFuzzer target: a CCA attestation token as `ccsim attest verify` takes
 * it (models/monitor/attest/cbor.c, cca_token.c, harness/attest/attest_cmd.c):
 * parsed, checked against the platform key of seed 1, and its claims
 * printed as text and as JSON when it parses but a check fails. */
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
	struct attest_verify_opts o = { .seed = 1 };
	int st = attest_verify_data("fuzz.cbor", data, size, &o, null, null);
	if (st == 1) {
		o.json = true;
		(void)attest_verify_data("fuzz.cbor", data, size, &o, null, null);
	}
	fclose(null);
	return 0;
}
