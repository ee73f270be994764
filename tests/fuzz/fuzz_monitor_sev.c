/* libFuzzer target: SEV firmware commands on sev-es, under the
 * invariants (fuzz_monitor.h). */
#include "tests/fuzz/fuzz_monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_monitor_one(FUZZ_SEV, "sev-es", data, size);
}
