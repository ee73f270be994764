/* libFuzzer target: a run checkpoint as `ccsim run --restore` takes it
 * (harness/run/runner_state.c, sim/ snapshots and every model's restore), then
 * the rest of the run from the restored state. The first input byte picks
 * the scenario and profile the checkpoint belongs to (low bits) and, with
 * bit 7 clear, has the SHA-256 trailer recomputed so that the parser behind
 * the checksum is reached; the checkpoint is the rest. Seeds: tests/fuzz/
 * make-corpus.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "harness/run/runner.h"
#include "harness/lang/scenario.h"
#include "models/platform/profile.h"

#define SUM_LEN 32

static const char *const runs[][2] = {
	{ "scenarios/attacks/undelegate-scrub.scn", "cca" },
	{ "scenarios/guests/sev-lifecycle.scn", "sev-es" },
	{ "scenarios/guests/timer-tick.scn", "plain" },
	{ "scenarios/attacks/phys-replay.scn", "cca-ctr-tree" },
};
#define NRUNS (sizeof(runs) / sizeof(runs[0]))

/* Small caches and TLBs and a small delegable range keep a checkpoint at a
 * few hundred KB (the runs that wrote the seeds had the same). */
static char *const sets[] = {
	"cache.llc_size=64K", "cache.l2_size=16K", "cache.l1_size=4K", "cache.l1_ways=4",
	"cache.l2_ways=4", "cache.llc_ways=4", "cpu.tlb_sets=16", "cpu.tlb_ways=2",
	"cache.cores=2", "gpc.delegable_size=64M", "gpc.gpt_base=0x83fc0000",
	"gpc.gpt_l1_base=0x83fe0000",
};
#define NSETS (sizeof(sets) / sizeof(sets[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *const *run = runs[(data[0] & 0x7f) % NRUNS];
	uint8_t *ck = g_memdup2(data + 1, size - 1);
	size_t n = size - 1;
	if (!(data[0] & 0x80) && n >= SUM_LEN) {
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		gsize sl = SUM_LEN;
		g_checksum_update(c, ck, n - SUM_LEN);
		g_checksum_get_digest(c, ck + n - SUM_LEN, &sl);
		g_checksum_free(c);
	}
	char err[1024] = "";
	gchar *scn = g_build_filename(FUZZ_ROOT, run[0], NULL);
	struct scenario *sc = scenario_load(scn, NULL, 0, err, sizeof(err));
	struct platform_config cfg;
	gchar *ini = g_strdup_printf("%s/models/platform/profiles/%s.ini", FUZZ_ROOT, run[1]);
	if (!sc || profile_load(ini, &cfg, err, sizeof(err)))
		__builtin_trap(); /* the harness's own inputs */
	struct run_options opt = { .seed = 1, .quiet = true, .restore_path = "fuzz.ckpt",
				   .profile_sets = (char **)sets, .nprofile_sets = NSETS,
				   .restore_data = ck, .restore_len = n };
	struct run_result res;
	if (run_scenario(sc, &cfg, &opt, &res, err, sizeof(err)) && !err[0])
		__builtin_trap(); /* a refusal says why */
	scenario_free(sc);
	g_free(scn);
	g_free(ini);
	g_free(ck);
	return 0;
}
