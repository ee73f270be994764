/* The benchmark's whole-run measurements: ccsim matrix and ccsim sweep
 * with one worker and two, and the copy scenario's simulated bandwidth and
 * host rates; see bench.h. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/bench/bench.h"

/* Whole runs through the CLI: each measurement is hundreds of runs (about
 * a second), best of CLI_REPEATS. */
#define CLI_REPEATS 2
#define SWEEP_SCENARIO "scenarios/examples/first-steps.scn"
#define SWEEP_VALUES 100        /* memenc.aes_latency=1..100 on 2 profiles */

/* --- whole runs: ccsim matrix and ccsim sweep, one worker and two --- */

extern char **environ;

/* Run argv with its output to /dev/null; its exit status, or -1. */
static int spawn_quiet(char *const *argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
		if (buf && (fseek(f, 0, SEEK_SET) || fread(buf, 1, (size_t)n, f) != (size_t)n)) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

struct cli_bench {
	char **argv;         /* ccsim and its arguments; argv[jobs_at] is -j's value */
	int jobs_at;
	const char *out;     /* the file it writes, the same for any -j */
	const char *unit;    /* one occurrence per run in that file */
	char *ref;           /* the first run's output */
	size_t reflen, units;
};

/* Best rate of CLI_REPEATS runs with -j `jobs`; every output must equal the
 * first one (results do not depend on the worker count). */
static int bench_cli(struct cli_bench *b, const char *jobs, double *rate)
{
	*rate = 0;
	b->argv[b->jobs_at] = (char *)jobs;
	for (int rep = 0; rep < CLI_REPEATS; rep++) {
		remove(b->out);
		double t0 = bench_now_s();
		int st = spawn_quiet(b->argv);
		double t = bench_now_s() - t0;
		size_t len;
		char *text = read_all(b->out, &len);
		if ((st != 0 && st != 1) || !text) {
			fprintf(stderr, "bench: %s %s -j %s: exit status %d, %s\n", b->argv[0], b->argv[1],
				jobs, st, text ? "output written" : "no output");
			free(text);
			return -1;
		}
		if (!b->ref) {
			b->ref = text;
			b->reflen = len;
			for (const char *p = text; (p = strstr(p, b->unit)); p++)
				b->units++;
		} else {
			bool same = len == b->reflen && memcmp(text, b->ref, len) == 0;
			free(text);
			if (!same) {
				fprintf(stderr, "bench: %s %s -j %s: output differs from the first run's\n",
					b->argv[0], b->argv[1], jobs);
				return -1;
			}
		}
		if ((double)b->units / t > *rate)
			*rate = (double)b->units / t;
	}
	return 0;
}

/* `ccsim matrix scenarios` and a 200-configuration sweep, -j 1 and -j 2. */
int bench_runs(const char *ccsim, double *matrix1, double *matrix2, double *sweep1,
		      double *sweep2, size_t *nmatrix, size_t *nsweep)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], json[4200], csv[4200], values[8 * SWEEP_VALUES];
	int rc = -1;
	snprintf(dir, sizeof(dir), "%s/ccsim-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(json, sizeof(json), "%s/matrix.json", dir);
	snprintf(csv, sizeof(csv), "%s/sweep.csv", dir);
	size_t k = 0;
	for (int v = 1; v <= SWEEP_VALUES; v++)
		k += (size_t)snprintf(values + k, sizeof(values) - k, "%s%d", v > 1 ? "," : "", v);
	char set[32 + sizeof(values)];
	snprintf(set, sizeof(set), "memenc.aes_latency=%s", values);
	char *margv[] = { (char *)ccsim, "matrix", "scenarios", "--json", json, "-j", NULL, NULL };
	char *sargv[] = { (char *)ccsim, "sweep", SWEEP_SCENARIO, "--profile", "cca,cca-ctr-tree",
			  "--set", set, "--counter", "memenc.*", "--csv", csv, "--quiet", "-j", NULL, NULL };
	struct cli_bench m = { margv, 6, json, "{\"scenario\": " }, sw = { sargv, 13, csv, "\n" };
	if (bench_cli(&m, "1", matrix1) || bench_cli(&m, "2", matrix2) || bench_cli(&sw, "1", sweep1) ||
	    bench_cli(&sw, "2", sweep2))
		goto out;
	/* the CSV's header line is not a configuration */
	*sweep1 *= (double)(sw.units - 1) / (double)sw.units;
	*sweep2 *= (double)(sw.units - 1) / (double)sw.units;
	*nmatrix = m.units;
	*nsweep = sw.units - 1;
	rc = 0;
out:
	free(m.ref);
	free(sw.ref);
	remove(json);
	remove(csv);
	rmdir(dir);
	return rc;
}

/* --- a streaming copy, simulated: scenarios/perf/memory.scn --- */

#define COPY_BYTES (64.0 * 1024 * 1024) /* the scenario's size */

/* The number after `"key": ` at or after p, or -1. */
static double json_number_after(const char *p, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	const char *q = p ? strstr(p, pat) : NULL;
	return q ? strtod(q + strlen(pat), NULL) : -1;
}

/* One run of the copy scenario on `profile`: the memcpy phase's simulated
 * bandwidth (GB/s of simulated time) and the run's simulated cycles per
 * host second. */
int bench_copy(const char *ccsim, const char *profile, double *gbs, double *cycles_per_s,
		      double *insns_per_s)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], stats[4200], path[4200];
	snprintf(dir, sizeof(dir), "%s/ccsim-copy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char *argv[] = { (char *)ccsim, "run", COPY_SCENARIO, "--profile", (char *)profile,
			 "--out", dir, "--quiet", NULL };
	double t0 = bench_now_s();
	int rc = spawn_quiet(argv);
	double t = bench_now_s() - t0;
	size_t len;
	snprintf(stats, sizeof(stats), "%s/stats.json", dir);
	char *js = rc == 0 ? read_all(stats, &len) : NULL;
	const char *phase = js ? strstr(js, "\"phase\": {") : NULL;
	const char *memcpy_ph = phase ? strstr(phase, "\"memcpy\": {") : NULL;
	double freq = json_number_after(js, "freq_hz"), total = json_number_after(js, "cycles");
	double cyc = json_number_after(memcpy_ph, "cycles");
	/* the run's guest instructions: hv.g0.insns (stats are sorted: the
	 * top-level "hv" comes before "phase") */
	double insns = json_number_after(js ? strstr(js, "\"g0\": {") : NULL, "insns");
	free(js);
	static const char *const outs[] = { "stats.json", "summary.json", "trace.bin", "trace.txt" };
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, outs[i]);
		remove(path);
	}
	snprintf(path, sizeof(path), "%s/captures", dir);
	rmdir(path);
	rmdir(dir);
	if (rc != 0 || freq <= 0 || cyc <= 0 || total <= 0 || t <= 0 || insns <= 0) {
		fprintf(stderr, "bench: %s on %s: run failed or no memcpy phase\n", COPY_SCENARIO,
			profile);
		return -1;
	}
	*gbs = COPY_BYTES / (cyc / freq) / 1e9;
	*cycles_per_s = total / t;
	*insns_per_s = insns / t;
	return 0;
}

/* --- a long scenario: steps per second, parse to verdict --- */

#define STEPS_LONG 60000 /* host.load steps: the run must stay linear in them */

int bench_steps(const char *ccsim, double *steps_per_s)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], scn[4200];
	snprintf(dir, sizeof(dir), "%s/ccsim-steps-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(scn, sizeof(scn), "%s/long.scn", dir);
	FILE *f = fopen(scn, "w");
	if (!f) {
		rmdir(dir);
		return -1;
	}
	fputs("profiles plain\nvm v\n", f);
	for (int i = 0; i < STEPS_LONG; i++)
		fputs("host.load addr=0x80000000\n", f);
	fclose(f);
	char *argv[] = { (char *)ccsim, "run", scn, "--quiet", NULL };
	*steps_per_s = 0;
	int rc = 0;
	for (int rep = 0; rep < CLI_REPEATS && rc == 0; rep++) {
		double t0 = bench_now_s();
		rc = spawn_quiet(argv);
		double t = bench_now_s() - t0;
		if (rc == 0 && t > 0 && STEPS_LONG / t > *steps_per_s)
			*steps_per_s = STEPS_LONG / t;
	}
	remove(scn);
	rmdir(dir);
	if (rc != 0)
		fprintf(stderr, "bench: %s run of a %d-step scenario failed\n", ccsim, STEPS_LONG);
	return rc ? -1 : 0;
}
