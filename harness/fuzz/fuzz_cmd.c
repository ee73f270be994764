/* `ccsim fuzz` and `ccsim shrink`: see fuzz.h. Runs happen in child
 * processes with a time limit, so a crash or a hang of the model is a
 * finding the parent reports and shrinks. (Host time is only read here, in
 * the harness, to bound a child; the models never see it.) */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/fuzz/fuzz.h"
#include "harness/run/runner.h"
#include "harness/lang/scenario.h"
#include "models/monitor/rmm/rmm_cmds.h"

static const char usage_fuzz[] =
	"usage: ccsim fuzz ABI [--runs N] [--seed N] [--len N] [--out DIR] [--timeout S]\n"
	"                      [--seeds PATH]...\n"
	"       ccsim fuzz ABI --decode BYTES [-o OUT.scn]\n"
	"\n"
	"Fuzz a monitor's ABI: run N scenarios (default 1000) of random monitor calls\n"
	"with valid, boundary and hostile arguments under the machine's invariants,\n"
	"each in a child process. ABI: cca (RMI and RSI calls on profile cca), snp\n"
	"(SNP firmware commands and RMP instructions on sev-snp) or sev (SEV firmware\n"
	"commands on sev-es). A run that crashes, hangs, breaks an invariant or ends\n"
	"in a run error is a finding: its scenario is written to DIR/ABI-K.scn and\n"
	"shrunk to DIR/ABI-K.min.scn (one file per kind of failure). Prints how many\n"
	"calls of each RMI / RSI command ran and how many were refused. Some snp\n"
	"runs are on a platform SNP_INIT must refuse: the scenario's leading\n"
	"`#set KEY=VALUE` lines, which ccsim shrink applies (for ccsim run, pass\n"
	"them as --set).\n"
	"\n"
	"  --seed N      generator seed (default 1): the same seed, the same scenarios\n"
	"  --len N       bytes per scenario, at most (default 48; ~1-3 bytes a call)\n"
	"  --out DIR     where findings go (default fuzz-out)\n"
	"  --timeout S   host seconds a run may take before it counts as a hang (default 20)\n"
	"  --seeds PATH  mutate seed scenarios (a .scn file, or every .scn in a directory;\n"
	"                those for other profiles are skipped) instead of generating\n"
	"                calls from nothing: each run drops a seed's expectations, then\n"
	"                changes arguments, deletes, doubles or swaps steps and inserts\n"
	"                generated calls; scenarios/monitor/ABI holds good seeds\n"
	"  --decode F    write the scenario the bytes of file F choose (a libFuzzer\n"
	"                reproducer of tests/fuzz/fuzz_monitor_ABI) to OUT or stdout,\n"
	"                for ccsim run and ccsim shrink\n"
	"\n"
	"exit status: 0 no finding, 1 findings (their files named), 2 bad usage\n";

static const char usage_shrink[] =
	"usage: ccsim shrink FILE.scn [--profile P] [--set K=V]... [-o OUT] [--timeout S]\n"
	"\n"
	"Reduce a failing scenario to the fewest step lines that fail the same way\n"
	"(the same broken invariant, signal or run error; delta debugging over the\n"
	"step lines, declarations kept). Writes OUT (default FILE.min.scn) and prints\n"
	"how many steps remain.\n"
	"\n"
	"exit status: 0 shrunk, 1 FILE does not fail, 2 bad usage or input\n";

/* --- one run in a child --- */

/* Strip what changes from one reduction to the next (file:line, numbers)
 * from a message, keeping its words: the failure's kind. */
static void kind_of(const char *msg, char *out, size_t len)
{
	const char *p = strstr(msg, "invariant broken");
	if (p) {
		const char *what = strstr(p, " on ");
		what = what ? strstr(what + 4, ": ") : NULL;
		if (what) {
			what += 2;
			size_t n = strcspn(what, ":");
			snprintf(out, len, "invariant: %.*s", (int)MIN(n, len - 12), what);
			return;
		}
	}
	const char *colon = strstr(msg, ": ");
	const char *text = colon ? colon + 2 : msg;
	size_t k = (size_t)snprintf(out, len, "error: ");
	while (*text && *text != '\n' && k + 1 < len) {
		if (g_ascii_isdigit(*text)) { /* a number, decimal or 0x-hex: '#' */
			while (g_ascii_isxdigit(*text) || *text == 'x')
				text++;
			out[k++] = '#';
		} else {
			out[k++] = *text++;
		}
	}
	out[k] = 0;
}

/* In the child: each RMI / RSI command's calls and refusals, and the
 * firmware's totals, as "#cov NAME CALLS ERRORS" lines for the parent. */
static void cov_hook(const struct sim *s, void *arg)
{
	(void)arg;
	const struct rmm_cmd *rmi;
	const struct rsi_cmd *rsi;
	size_t n = rmm_cmds(&rmi), m = rsi_cmds(&rsi);
	char a[128], b[128];
	for (size_t i = 0; i < n + m; i++) {
		const char *name = i < n ? rmi[i].name : rsi[i - n].name;
		const char *pre = i < n ? "rmm" : "rmm.rsi";
		snprintf(a, sizeof(a), "%s.%s.calls", pre, name);
		snprintf(b, sizeof(b), "%s.%s.errors", pre, name);
		uint64_t calls = sim_stat_get(s, a), errors = sim_stat_get(s, b);
		if (calls != UINT64_MAX && calls)
			fprintf(stderr, "#cov %s.%s %llu %llu\n", i < n ? "rmi" : "rsi", name,
				(unsigned long long)calls, (unsigned long long)errors);
	}
	static const char *const fw[] = { "snp", "sev" };
	for (size_t i = 0; i < G_N_ELEMENTS(fw); i++) {
		snprintf(a, sizeof(a), "%s.commands", fw[i]);
		snprintf(b, sizeof(b), "%s.errors", fw[i]);
		uint64_t calls = sim_stat_get(s, a), errors = sim_stat_get(s, b);
		if (calls != UINT64_MAX && calls)
			fprintf(stderr, "#cov %s.commands %llu %llu\n", fw[i],
				(unsigned long long)calls, (unsigned long long)errors);
	}
}

static int child_run(const char *path, const char *profile, char **sets, size_t nsets, bool cov)
{
	char err[768] = "", ppath[512];
	struct platform_config cfg;
	struct scenario *sc = scenario_load(path, NULL, 0, err, sizeof(err));
	if (!sc || profile_find(profile ? profile : sc->profiles[0], ppath, sizeof(ppath), err,
				sizeof(err)) ||
	    profile_load(ppath, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	struct run_options o = { .seed = 1, .profile_sets = sets, .nprofile_sets = nsets,
				 .quiet = true, .stats_hook = cov ? cov_hook : NULL };
	struct run_result res;
	int rc = run_scenario(sc, &cfg, &o, &res, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	scenario_free(sc);
	return rc ? (res.invariant_broken ? 3 : 2) : res.pass ? 0 : 1;
}

struct cmd_tally {
	uint64_t calls, errors;
};

static int run_child(const char *path, const char *profile, char **sets, size_t nsets,
		     unsigned timeout_s, struct fuzz_outcome *o, GHashTable *cov)
{
	int fd[2];
	memset(o, 0, sizeof(*o));
	if (pipe(fd))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 2);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);
		alarm(timeout_s);
		/* exit, not _exit: a coverage build writes its counts at exit
		 * (stdio was flushed before the fork) */
		exit(child_run(path, profile, sets, nsets, cov != NULL));
	}
	close(fd[1]);
	GString *all = g_string_new(NULL);
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof(chunk))) > 0 && all->len < (1u << 20))
		g_string_append_len(all, chunk, n);
	close(fd[0]);
	gchar **lines = g_strsplit(all->str, "\n", -1);
	size_t got = 0;
	for (gchar **l = lines; *l; l++) {
		char name[128];
		unsigned long long calls, errors;
		if (strncmp(*l, "#cov ", 5) == 0) {
			if (cov && sscanf(*l + 5, "%127s %llu %llu", name, &calls, &errors) == 3) {
				struct cmd_tally *t = g_hash_table_lookup(cov, name);
				if (!t) {
					t = g_new0(struct cmd_tally, 1);
					g_hash_table_insert(cov, g_strdup(name), t);
				}
				t->calls += calls;
				t->errors += errors;
			}
			continue;
		}
		got += (size_t)snprintf(o->message + got, sizeof(o->message) - got, "%s%s",
					got ? "\n" : "", *l);
		if (got >= sizeof(o->message) - 1)
			break;
	}
	g_strfreev(lines);
	g_string_free(all, TRUE);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	g_strchomp(o->message);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		o->status = 128 + sig;
		if (sig == SIGALRM)
			snprintf(o->kind, sizeof(o->kind), "hang: more than %u s", timeout_s);
		else
			snprintf(o->kind, sizeof(o->kind), "signal %d (%s)", sig, strsignal(sig));
		return o->status;
	}
	o->status = WEXITSTATUS(st);
	if (o->status <= 1)
		snprintf(o->kind, sizeof(o->kind), "%s", o->status ? "expectation failed" : "pass");
	else
		kind_of(o->message, o->kind, sizeof(o->kind));
	return o->status;
}

int fuzz_run_child(const char *path, const char *profile, char **sets, size_t nsets,
		   unsigned timeout_s, struct fuzz_outcome *o)
{
	return run_child(path, profile, sets, nsets, timeout_s, o, NULL);
}

int fuzz_is_failure(const struct fuzz_outcome *o)
{
	return o->status >= 2;
}

/* --- shrink --- */

struct shrinker {
	char **lines;
	size_t nlines;
	bool *decl;
	const char *tmp;
	const char *profile;
	char **sets;
	size_t nsets;
	unsigned timeout;
	char kind[160];
	int status;
	unsigned tries;
};

static int write_lines(const char *path, char **lines, size_t n, const bool *keep)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!keep || keep[i])
			fprintf(f, "%s\n", lines[i]);
	return fclose(f) ? -1 : 0;
}

/* Does the scenario with the steps in keep[] fail as the original did? */
static bool still_fails(struct shrinker *s, const bool *keep)
{
	struct fuzz_outcome o;
	s->tries++;
	if (write_lines(s->tmp, s->lines, s->nlines, keep))
		return false;
	fuzz_run_child(s->tmp, s->profile, s->sets, s->nsets, s->timeout, &o);
	return o.status == s->status && strcmp(o.kind, s->kind) == 0;
}

/* ddmin (Zeller and Hildebrandt, "Simplifying and Isolating Failure-
 * Inducing Input", TSE 2002) over the step lines: try removing chunks of
 * the remaining steps, halving the chunk size when none can go. */
static void ddmin(struct shrinker *s, bool *keep)
{
	size_t *steps = g_new(size_t, s->nlines + 1);
	bool *trial = g_new(bool, s->nlines + 1);
	for (size_t chunks = 2;;) {
		size_t n = 0;
		for (size_t i = 0; i < s->nlines; i++)
			if (keep[i] && !s->decl[i])
				steps[n++] = i;
		if (n == 0)
			break;
		chunks = MIN(chunks, n);
		bool removed = false;
		for (size_t c = 0; c < chunks && !removed; c++) {
			size_t lo = n * c / chunks, hi = n * (c + 1) / chunks;
			memcpy(trial, keep, s->nlines * sizeof(bool));
			for (size_t k = lo; k < hi; k++)
				trial[steps[k]] = false;
			if (still_fails(s, trial)) {
				memcpy(keep, trial, s->nlines * sizeof(bool));
				removed = true;
			}
		}
		if (removed) {
			chunks = MAX(chunks - 1, 2);
			continue;
		}
		if (chunks >= n)
			break;
		chunks = MIN(n, chunks * 2);
	}
	g_free(steps);
	g_free(trial);
}

/* Shrink `path` into `out`; 0 done, 1 it does not fail, 2 bad input. */
static int shrink_file(const char *path, const char *out, const char *profile, char **sets,
		       size_t nsets, unsigned timeout, bool verbose)
{
	gchar *text = NULL;
	GError *ge = NULL;
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		fprintf(stderr, "ccsim shrink: %s\n", ge->message);
		g_error_free(ge);
		return 2;
	}
	/* the file's own `#set` lines (a generated scenario's platform) join --set */
	char *all[40];
	size_t nall = MIN(nsets, G_N_ELEMENTS(all) - 8), own;
	memcpy(all, sets, nall * sizeof(*all));
	own = fuzz_sets(text, all + nall, 8);
	sets = all;
	nsets = nall + own;
	struct shrinker s = { .profile = profile, .sets = sets, .nsets = nsets, .timeout = timeout };
	s.lines = g_strsplit(text, "\n", -1);
	g_free(text);
	s.nlines = g_strv_length(s.lines);
	while (s.nlines && !s.lines[s.nlines - 1][0])
		s.nlines--;
	s.decl = g_new0(bool, s.nlines + 1);
	bool *keep = g_new(bool, s.nlines + 1);
	for (size_t i = 0; i < s.nlines; i++) {
		s.decl[i] = fuzz_declaration(s.lines[i]);
		keep[i] = true;
	}
	/* The reductions sit beside the file, so its includes still resolve. */
	gchar *dir = g_path_get_dirname(path);
	gchar *tmp = g_strdup_printf("%s/.shrink-%d.scn", dir, (int)getpid());
	s.tmp = tmp;
	struct fuzz_outcome o;
	int ret = 0;
	fuzz_run_child(path, profile, sets, nsets, timeout, &o);
	if (!fuzz_is_failure(&o) && o.status != 1) {
		fprintf(stderr, "ccsim shrink: %s does not fail (%s)\n", path, o.kind);
		ret = 1;
		goto out;
	}
	s.status = o.status;
	g_strlcpy(s.kind, o.kind, sizeof(s.kind));
	size_t before = 0, after = 0;
	for (size_t i = 0; i < s.nlines; i++)
		before += !s.decl[i];
	ddmin(&s, keep);
	for (size_t i = 0; i < s.nlines; i++)
		after += keep[i] && !s.decl[i];
	if (write_lines(out, s.lines, s.nlines, keep)) {
		fprintf(stderr, "ccsim shrink: %s: cannot write: %s\n", out, g_strerror(errno));
		ret = 2;
		goto out;
	}
	if (verbose)
		printf("%s: %s; %zu of %zu steps kept (%u runs) -> %s\n", path, s.kind, after, before,
		       s.tries, out);
out:
	g_unlink(tmp);
	g_free(tmp);
	g_free(dir);
	g_free(keep);
	g_free(s.decl);
	g_strfreev(s.lines);
	for (size_t i = nall; i < nall + own; i++)
		g_free(all[i]);
	return ret;
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "ccsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", usage);
	return 2;
}

static int number_arg(const char *usage, const char *flag, const char *v, uint64_t lo, uint64_t hi,
		      uint64_t *out)
{
	if (!v || *v == '-' || scenario_number(v, out) || *out < lo || *out > hi)
		return usage_error(usage, "%s: expected a number in range", flag);
	return 0;
}

int shrink_main(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *profile = NULL;
	GPtrArray *sets = g_ptr_array_new();
	uint64_t timeout = 20;
	int rc = 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_shrink, stdout);
			rc = 0;
			goto done;
		} else if (strcmp(a, "-o") == 0 && v) {
			out = v;
			i++;
		} else if (strcmp(a, "--profile") == 0 && v) {
			profile = v;
			i++;
		} else if (strcmp(a, "--set") == 0 && v) {
			g_ptr_array_add(sets, (gpointer)v);
			i++;
		} else if (strcmp(a, "--timeout") == 0) {
			if (number_arg(usage_shrink, a, v, 1, 3600, &timeout))
				goto done;
			i++;
		} else if (a[0] == '-' || file) {
			usage_error(usage_shrink, "unexpected argument %s", a);
			goto done;
		} else {
			file = a;
		}
	}
	if (!file) {
		usage_error(usage_shrink, "%s", "expected a scenario file");
		goto done;
	}
	gchar *def = NULL;
	if (!out) {
		gchar *stem = g_str_has_suffix(file, ".scn") ? g_strndup(file, strlen(file) - 4)
							      : g_strdup(file);
		def = g_strdup_printf("%s.min.scn", stem);
		g_free(stem);
		out = def;
	}
	rc = shrink_file(file, out, profile, (char **)sets->pdata, sets->len, (unsigned)timeout, true);
	g_free(def);
done:
	g_ptr_array_free(sets, TRUE);
	return rc;
}

/* --- fuzz --- */

/* --- seeds --- */

/* `path`'s text with its includes inlined (relative to the including
 * file, as the scenario loader resolves them); NULL on a read error. */
static GString *seed_text(const char *path, unsigned depth)
{
	gchar *text = NULL;
	if (depth > 8 || !g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	GString *out = g_string_new(NULL);
	gchar *dir = g_path_get_dirname(path);
	gchar **lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; *l && out; l++) {
		const char *t = *l + strspn(*l, " \t");
		if (strncmp(t, "include ", 8) != 0) {
			g_string_append_printf(out, "%s\n", *l);
			continue;
		}
		gchar *name = g_strstrip(g_strdup(t + 8));
		size_t n = strlen(name);
		if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
			memmove(name, name + 1, n - 2);
			name[n - 2] = 0;
		}
		gchar *inc = g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(dir, name, NULL);
		GString *sub = seed_text(inc, depth + 1);
		if (sub) {
			g_string_append(out, sub->str);
			g_string_free(sub, TRUE);
		} else {
			g_string_free(out, TRUE);
			out = NULL;
		}
		g_free(inc);
		g_free(name);
	}
	g_strfreev(lines);
	g_free(dir);
	g_free(text);
	return out;
}

/* Does the scenario declare the profile (its `profiles` line)? */
static bool seed_for(const char *text, const char *profile)
{
	const char *p = strstr(text, "\nprofiles ");
	p = p ? p + 1 : g_str_has_prefix(text, "profiles ") ? text : NULL;
	if (!p)
		return false;
	gchar *line = g_strndup(p + 9, strcspn(p + 9, "\n"));
	gchar **w = g_strsplit_set(line, " \t", -1);
	bool found = false;
	for (gchar **x = w; *x && !found; x++)
		found = strcmp(*x, profile) == 0;
	g_strfreev(w);
	g_free(line);
	return found;
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add the seeds at `path` (a file, or the .scn files of a directory) that
 * declare `profile`; -1 if it cannot be read. */
static int seeds_add(GPtrArray *seeds, const char *path, const char *profile)
{
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		GDir *d = g_dir_open(path, 0, NULL);
		if (!d)
			return -1;
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		for (const char *e; (e = g_dir_read_name(d));)
			if (g_str_has_suffix(e, ".scn"))
				g_ptr_array_add(names, g_build_filename(path, e, NULL));
		g_dir_close(d);
		g_ptr_array_sort(names, cmp_names);
		int rc = 0;
		for (guint i = 0; i < names->len && !rc; i++)
			rc = seeds_add(seeds, names->pdata[i], profile);
		g_ptr_array_free(names, TRUE);
		return rc;
	}
	GString *t = seed_text(path, 0);
	if (!t)
		return -1;
	if (seed_for(t->str, profile))
		g_ptr_array_add(seeds, g_string_free(t, FALSE));
	else
		g_string_free(t, TRUE);
	return 0;
}

/* --decode: the scenario a byte file chooses. */
static int decode_bytes(enum fuzz_abi abi, const char *path, const char *out)
{
	gchar *data = NULL;
	gsize n = 0;
	GError *ge = NULL;
	if (!g_file_get_contents(path, &data, &n, &ge)) {
		fprintf(stderr, "ccsim fuzz: %s\n", ge->message);
		g_error_free(ge);
		return 2;
	}
	GString *text = g_string_new(NULL);
	fuzz_scenario(abi, (const uint8_t *)data, n, text);
	int rc = 0;
	if (out) {
		if (!g_file_set_contents(out, text->str, (gssize)text->len, &ge)) {
			fprintf(stderr, "ccsim fuzz: %s\n", ge->message);
			g_error_free(ge);
			rc = 2;
		}
	} else {
		fputs(text->str, stdout);
	}
	g_string_free(text, TRUE);
	g_free(data);
	return rc;
}

int fuzz_main(int argc, char **argv)
{
	const char *dir = "fuzz-out", *abi_name = NULL, *decode = NULL, *out = NULL;
	uint64_t runs = 1000, seed = 1, len = 48, timeout = 20;
	const char *seed_paths[16];
	unsigned nseed_paths = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_fuzz, stdout);
			return 0;
		} else if (strcmp(a, "--runs") == 0) {
			if (number_arg(usage_fuzz, a, v, 1, 100000000, &runs))
				return 2;
			i++;
		} else if (strcmp(a, "--seed") == 0) {
			if (number_arg(usage_fuzz, a, v, 0, UINT64_MAX, &seed))
				return 2;
			i++;
		} else if (strcmp(a, "--len") == 0) {
			if (number_arg(usage_fuzz, a, v, 1, 4096, &len))
				return 2;
			i++;
		} else if (strcmp(a, "--timeout") == 0) {
			if (number_arg(usage_fuzz, a, v, 1, 3600, &timeout))
				return 2;
			i++;
		} else if (strcmp(a, "--out") == 0 && v) {
			dir = v;
			i++;
		} else if (strcmp(a, "--seeds") == 0 && v) {
			if (nseed_paths == G_N_ELEMENTS(seed_paths))
				return usage_error(usage_fuzz, "%s: at most 16 of them", a);
			seed_paths[nseed_paths++] = v;
			i++;
		} else if (strcmp(a, "--decode") == 0 && v) {
			decode = v;
			i++;
		} else if (strcmp(a, "-o") == 0 && v) {
			out = v;
			i++;
		} else if (a[0] == '-' || abi_name) {
			return usage_error(usage_fuzz, "unexpected argument %s", a);
		} else {
			abi_name = a;
		}
	}
	enum fuzz_abi abi;
	if (!abi_name || fuzz_abi_parse(abi_name, &abi))
		return usage_error(usage_fuzz, "expected ABI cca, snp or sev, not %s",
				   abi_name ? abi_name : "nothing");
	if (decode)
		return decode_bytes(abi, decode, out);
	static const char *const abi_profile[] = { "cca", "sev-snp", "sev-es" };
	GPtrArray *seeds = g_ptr_array_new_with_free_func(g_free);
	for (unsigned i = 0; i < nseed_paths; i++)
		if (seeds_add(seeds, seed_paths[i], abi_profile[abi])) {
			fprintf(stderr, "ccsim fuzz: --seeds %s: cannot read it (or an include)\n",
				seed_paths[i]);
			g_ptr_array_free(seeds, TRUE);
			return 2;
		}
	if (nseed_paths && !seeds->len) {
		fprintf(stderr, "ccsim fuzz: --seeds: no scenario for profile %s there\n",
			abi_profile[abi]);
		g_ptr_array_free(seeds, TRUE);
		return 2;
	}
	if (g_mkdir_with_parents(dir, 0755)) {
		fprintf(stderr, "ccsim fuzz: %s: cannot create: %s\n", dir, g_strerror(errno));
		g_ptr_array_free(seeds, TRUE);
		return 2;
	}
	GRand *rng = g_rand_new_with_seed_array((const guint32[]){ (guint32)seed,
								    (guint32)(seed >> 32) }, 2);
	GString *text = g_string_new(NULL);
	GPtrArray *kinds = g_ptr_array_new_with_free_func(g_free);
	gchar *cur = g_strdup_printf("%s/%s-current.scn", dir, fuzz_abi_name(abi));
	uint8_t *buf = g_malloc(len);
	uint64_t findings = 0, passes = 0;
	/* per command, calls and refusals summed over the runs: how far the
	 * runs reached into each command's failure answers */
	GHashTable *cov = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (uint64_t r = 0; r < runs; r++) {
		size_t n = (size_t)g_rand_int_range(rng, 1, (gint32)len + 1);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)g_rand_int_range(rng, 0, 256);
		if (seeds->len)
			fuzz_mutate(abi, seeds->pdata[g_rand_int_range(rng, 0, (gint32)seeds->len)], buf,
				    n, text);
		else
			fuzz_scenario(abi, buf, n, text);
		if (!g_file_set_contents(cur, text->str, (gssize)text->len, NULL)) {
			fprintf(stderr, "ccsim fuzz: %s: cannot write\n", cur);
			break;
		}
		struct fuzz_outcome o;
		char *sets[8];
		size_t nsets = fuzz_sets(text->str, sets, G_N_ELEMENTS(sets));
		run_child(cur, NULL, sets, nsets, (unsigned)timeout, &o, cov);
		for (size_t i = 0; i < nsets; i++)
			g_free(sets[i]);
		if (!fuzz_is_failure(&o)) {
			passes++;
			continue;
		}
		bool seen = false;
		for (guint k = 0; k < kinds->len && !seen; k++)
			seen = strcmp(kinds->pdata[k], o.kind) == 0;
		findings++;
		if (seen)
			continue;
		g_ptr_array_add(kinds, g_strdup(o.kind));
		gchar *keep = g_strdup_printf("%s/%s-%u.scn", dir, fuzz_abi_name(abi), kinds->len);
		gchar *min = g_strdup_printf("%s/%s-%u.min.scn", dir, fuzz_abi_name(abi), kinds->len);
		g_file_set_contents(keep, text->str, (gssize)text->len, NULL);
		printf("finding %u (run %llu): %s\n  %s\n", kinds->len, (unsigned long long)r, o.kind,
		       o.message);
		shrink_file(keep, min, NULL, NULL, 0, (unsigned)timeout, true);
		g_free(keep);
		g_free(min);
	}
	g_unlink(cur);
	GList *names = g_list_sort(g_hash_table_get_keys(cov), (GCompareFunc)strcmp);
	printf("%-40s %10s %10s\n", "command", "calls", "refused");
	for (GList *l = names; l; l = l->next) {
		const struct cmd_tally *t = g_hash_table_lookup(cov, l->data);
		printf("%-40s %10llu %10llu\n", (const char *)l->data, (unsigned long long)t->calls,
		       (unsigned long long)t->errors);
	}
	g_list_free(names);
	g_hash_table_destroy(cov);
	printf("%s: %llu runs, %llu without a finding, %llu findings of %u kinds\n",
	       fuzz_abi_name(abi), (unsigned long long)runs, (unsigned long long)passes,
	       (unsigned long long)findings, kinds->len);
	int rc = kinds->len ? 1 : 0;
	g_free(buf);
	g_free(cur);
	g_ptr_array_free(kinds, TRUE);
	g_ptr_array_free(seeds, TRUE);
	g_string_free(text, TRUE);
	g_rand_free(rng);
	return rc;
}
