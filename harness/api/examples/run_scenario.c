/* An external program using the installed libccsim: run one scenario on one
 * profile, print its verdict, outcome, digest and cycles, a statistic, and
 * the first trace records of the run (docs/api.md).
 *
 *   cc run_scenario.c $(pkg-config --cflags --libs ccsim) -o run_scenario
 *   ./run_scenario SCENARIO PROFILE OUTDIR [STAT]
 *
 * Exit status: 0 the expectations held, 1 one failed, 2 bad input. */
#include <ccsim/ccsim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s SCENARIO PROFILE OUTDIR [STAT]\n", argv[0]);
		return 2;
	}
	if (ccsim_api_version() >> 16 != CCSIM_API_VERSION_MAJOR) {
		fprintf(stderr, "libccsim API %u, built for %d\n", ccsim_api_version() >> 16,
			CCSIM_API_VERSION_MAJOR);
		return 2;
	}
	char err[1024];
	struct ccsim_run_options opt = { .profile = argv[2], .outdir = argv[3] };
	struct ccsim_run *run;
	if (ccsim_run_scenario(argv[1], &opt, &run, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	size_t failed, n = ccsim_run_expectations(run, &failed);
	printf("libccsim %s\n", ccsim_version());
	printf("%s on %s: %s (%zu/%zu expectations met)\n", argv[1], ccsim_run_profile(run),
	       ccsim_run_passed(run) ? "PASS" : "FAIL", n - failed, n);
	printf("outcome: %s\n", ccsim_run_outcome(run));
	printf("cycles: %llu\n", (unsigned long long)ccsim_run_cycles(run));
	printf("digest: %s\n", ccsim_run_digest(run));
	const char *where, *text, *seen;
	for (size_t i = 0; ccsim_run_failure(run, i, &where, &text, &seen) == 0; i++)
		printf("failed: %s: %s (observed %s)\n", where, text, seen);
	uint64_t v;
	if (argc > 4 && ccsim_run_stat(run, argv[4], &v) == 0)
		printf("stat %s = %llu\n", argv[4], (unsigned long long)v);
	int rc = ccsim_run_passed(run) ? 0 : 1;
	ccsim_run_free(run);

	/* the run's trace, decoded */
	char path[4096];
	snprintf(path, sizeof(path), "%s/trace.bin", argv[3]);
	struct ccsim_trace *t;
	if (ccsim_trace_open(path, &t, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	struct ccsim_trace_event ev;
	size_t records = 0, calls = 0;
	int got;
	while ((got = ccsim_trace_next(t, &ev, err, sizeof(err))) == 1) {
		if (records++ < 3)
			printf("trace: %s\n", ev.text);
		calls += strcmp(ev.kind, "mon.call") == 0;
	}
	ccsim_trace_close(t);
	if (got < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("trace: %zu records, %zu monitor calls\n", records, calls);
	return rc;
}
