/* libFuzzer target: a profile as `ccsim profile` takes it (models/platform/
 * profile.c): INI text, then --set overrides, then the machine built from
 * the result (what a run would refuse is refused here too) and the JSON
 * echo of the configuration. Lines after a line "%%" are --set
 * assignments. The text is named as if it lay beside the bundled profiles,
 * so `inherits = plain` (or any of them) is found. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/cpu/cpu.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
#include "sim/sim.h"

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t ilen = size;
	char **sets = NULL;
	const uint8_t *sep = size >= 4 ? memmem(data, size, "\n%%\n", 4) : NULL;
	if (sep) {
		ilen = (size_t)(sep - data) + 1;
		gchar *rest = g_strndup((const char *)sep + 4, size - ilen - 3);
		sets = g_strsplit(rest, "\n", MAX_SETS + 1);
		g_free(rest);
	}
	char err[1024];
	struct platform_config cfg;
	int rc = profile_load_buf(FUZZ_ROOT "/models/platform/profiles/fuzz.ini", text, ilen, &cfg,
				  err, sizeof(err));
	for (int i = 0; rc == 0 && sets && sets[i] && i < MAX_SETS; i++)
		rc = profile_set(&cfg, sets[i], err, sizeof(err));
	if (rc == 0) {
		struct sim s;
		struct machine m;
		struct cpu host; /* the sim holds on to it until sim_fini */
		sim_init(&s, 1, cfg.freq_mhz * 1000000ull);
		if (machine_init(&m, &s, &cfg, err, sizeof(err)) == 0)
			cpu_init(&host, &s, "host", machine_bus(&m), WORLD_NS, 2);
		sim_fini(&s);
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			profile_dump_json(&cfg, null, 0);
			fclose(null);
		}
	}
	g_strfreev(sets);
	return 0;
}
