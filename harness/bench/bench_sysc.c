/* make bench's SystemC figures: build/sysc/bench_sysc (sysc/bench_sysc.cpp)
 * times b_transport through ccsim's TLM target beside a bare SystemC LT
 * memory target in one run; this reads its "name value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/bench/bench.h"

static const char *const sysc_names[BENCH_SYSC_FIGURES] = {
	"sysc.bare_lt_per_s", "sysc.ccsim_plain_per_s", "sysc.ccsim_cca_realm_per_s",
	"sysc.ccsim_plain_cycles", "sysc.ccsim_cca_realm_cycles",
};

const char *bench_sysc_name(size_t i)
{
	return sysc_names[i];
}

int bench_sysc(const char *dir, double fig[BENCH_SYSC_FIGURES])
{
	char cmd[4200], line[256];
	snprintf(cmd, sizeof(cmd), "%s/sysc/bench_sysc", dir);
	if (access(cmd, X_OK)) {
		fprintf(stderr, "bench: %s: not built (SystemC missing? make deps installs it)\n", cmd);
		return -1;
	}
	size_t n = strlen(cmd);
	snprintf(cmd + n, sizeof(cmd) - n, " 2>/dev/null");
	FILE *p = popen(cmd, "r");
	if (!p) {
		fprintf(stderr, "bench: cannot run %s\n", cmd);
		return -1;
	}
	unsigned seen = 0;
	while (fgets(line, sizeof(line), p)) {
		char name[64];
		double v;
		if (sscanf(line, "%63s %lf", name, &v) != 2)
			continue;
		for (size_t i = 0; i < BENCH_SYSC_FIGURES; i++)
			if (strcmp(name, sysc_names[i]) == 0) {
				fig[i] = v;
				seen |= 1u << i;
			}
	}
	int st = pclose(p);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    seen != (1u << BENCH_SYSC_FIGURES) - 1) {
		fprintf(stderr, "bench: %s failed or printed too little\n", cmd);
		return -1;
	}
	return 0;
}
