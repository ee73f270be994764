/* libFuzzer target: an SEV-SNP attestation report as `ccsim attest verify`
 * takes it (harness/attest/attest_snp.c, models/monitor/snp/snp_fw.c). A report
 * is 1184 bytes with version 2..5, so the input is cut or padded to that
 * and its version brought into range; input longer than a report asks for
 * the JSON output. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness/attest/attest_cmd.h"
#include "models/monitor/snp/snp_fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t r[SNP_REPORT_LEN] = { 0 };
	memcpy(r, data, size < sizeof(r) ? size : sizeof(r));
	uint32_t v = (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
	if (v < 2 || v > 5)
		memset(r, 0, 4), r[0] = (uint8_t)(2 + v % 4);
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		return 0;
	struct attest_verify_opts o = { .seed = 1, .json = size > sizeof(r) };
	int st = attest_verify_data("fuzz.bin", r, sizeof(r), &o, null, null);
	fclose(null);
	if (st != 0 && st != 1)
		__builtin_trap(); /* a report always parses: valid, or a failed check */
	return 0;
}
