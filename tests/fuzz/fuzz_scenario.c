/* libFuzzer target: scenario text as `ccsim run` parses it (harness/lang/
 * scenario.c, scenario_lex.c, scenario_guest.c), with params set from the
 * command line. Leading lines "#set NAME=VALUE" (comments to the parser)
 * become --set overrides. The text is named as if it lay in
 * scenarios/monitor/cca/, so the includes beside it are found. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "harness/lang/scenario.h"

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sets[MAX_SETS];
	size_t nsets = 0, pos = 0;
	while (nsets < MAX_SETS && size - pos > 5 && memcmp(data + pos, "#set ", 5) == 0) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;
		sets[nsets++] = g_strndup((const char *)data + pos + 5, end - pos - 5);
		pos = nl ? end + 1 : size;
	}
	char err[1024];
	struct scenario *sc = scenario_load_buf(FUZZ_ROOT "/scenarios/monitor/cca/fuzz.scn",
						(const char *)data, size, sets, nsets, err,
						sizeof(err));
	if (sc) {
		/* what a run reads of it first */
		(void)scenario_has_profile(sc, "cca");
		for (size_t i = 0; i < sc->nsteps; i++)
			(void)strlen(sc->steps[i].text);
	} else if (!strstr(err, ": ")) {
		__builtin_trap(); /* a refusal names where: file:line:col (or --set) */
	}
	scenario_free(sc);
	for (size_t i = 0; i < nsets; i++)
		g_free(sets[i]);
	return 0;
}
