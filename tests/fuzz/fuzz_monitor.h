/* The body of the monitor-ABI libFuzzer targets (fuzz_monitor_cca.c,
 * _snp.c, _sev.c): the input bytes choose a scenario of monitor calls
 * (harness/fuzz/fuzz_gen.c), which runs on the ABI's profile under the machine's
 * invariants. A broken invariant, a crash or a sanitizer report is a
 * finding; the scenario is printed with it, and `ccsim fuzz ABI --decode
 * REPRODUCER -o case.scn` writes it for `ccsim shrink`. Runs are bounded by
 * limits.max_cycles so each input takes milliseconds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "harness/fuzz/fuzz.h"
#include "harness/run/runner.h"
#include "harness/lang/scenario.h"
#include "models/platform/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small caches and TLBs keep a machine's set-up short under the
 * sanitizers; the memory map stays the profile's, which the calls'
 * addresses assume (harness/fuzz/fuzz_gen.c's pools). */
static char *const fuzz_monitor_sets[] = {
	"limits.max_cycles=50000000", "cache.llc_size=64K", "cache.l2_size=16K", "cache.l1_size=4K",
	"cache.l1_ways=4", "cache.l2_ways=4", "cache.llc_ways=4", "cpu.tlb_sets=16",
	"cpu.tlb_ways=2",
};

static int fuzz_monitor_one(enum fuzz_abi abi, const char *profile, const uint8_t *data, size_t size)
{
	char *sets[G_N_ELEMENTS(fuzz_monitor_sets) + 8];
	size_t nsets = G_N_ELEMENTS(fuzz_monitor_sets), own;
	memcpy(sets, fuzz_monitor_sets, sizeof(fuzz_monitor_sets));
	GString *text = g_string_new(NULL);
	fuzz_scenario(abi, data, size, text);
	own = fuzz_sets(text->str, sets + nsets, 8); /* the run's platform */
	nsets += own;
	char err[1024] = "";
	struct scenario *sc = scenario_load_buf(FUZZ_ROOT "/scenarios/fuzz-monitor.scn", text->str,
						text->len, NULL, 0, err, sizeof(err));
	if (!sc) { /* the generator makes valid scenarios only */
		fprintf(stderr, "generated scenario refused: %s\n%s", err, text->str);
		__builtin_trap();
	}
	struct platform_config cfg;
	gchar *ini = g_strdup_printf("%s/models/platform/profiles/%s.ini", FUZZ_ROOT, profile);
	if (profile_load(ini, &cfg, err, sizeof(err)))
		__builtin_trap();
	struct run_options o = { .seed = 1, .profile_sets = (char **)sets, .nprofile_sets = nsets,
				 .quiet = true };
	struct run_result res;
	if (run_scenario(sc, &cfg, &o, &res, err, sizeof(err)) && res.invariant_broken) {
		fprintf(stderr, "%s\n--- the scenario ---\n%s", err, text->str);
		__builtin_trap();
	}
	g_free(ini);
	for (size_t i = G_N_ELEMENTS(fuzz_monitor_sets); i < nsets; i++)
		g_free(sets[i]);
	scenario_free(sc);
	g_string_free(text, TRUE);
	return 0;
}
