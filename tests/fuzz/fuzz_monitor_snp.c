/* libFuzzer target: SNP firmware commands and RMP instructions on sev-snp, under the
 * invariants (fuzz_monitor.h). */
#include "tests/fuzz/fuzz_monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_monitor_one(FUZZ_SNP, "sev-snp", data, size);
}
