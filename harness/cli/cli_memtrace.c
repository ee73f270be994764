/* `ccsim memtrace convert` turns a valgrind lackey trace (or a binary one,
 * windowed) into ccsim's binary format; `ccsim memtrace info` summarises
 * a trace in either format (docs/traces.md). */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/cli.h"
#include "harness/lang/scenario.h"
#include "harness/memtrace/memtrace.h"

static const char usage_memtrace[] =
	"usage: ccsim memtrace convert IN OUT [--skip N] [--limit N]\n"
	"       ccsim memtrace info FILE [--skip N] [--limit N]\n"
	"\n"
	"Memory traces a guest replays (NAME.op replay trace=FILE; docs/traces.md).\n"
	"IN and FILE are valgrind lackey --trace-mem=yes text or ccsim's binary\n"
	"format (the first 8 bytes tell); \"-\" reads standard input.\n"
	"\n"
	"  convert   write IN as ccsim's binary format (8 bytes a record) to OUT\n"
	"  info      print the trace's records, accesses, instructions and footprint\n"
	"\n"
	"options:\n"
	"  --skip N    leave out the first N memory accesses (and their instructions)\n"
	"  --limit N   keep at most N memory accesses after them (0: all)\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ccsim memtrace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(ccsim memtrace --help for usage)\n");
	return 2;
}

static int number(const char *flag, const char *s, uint64_t *out)
{
	if (!s)
		return usage_error("%s needs a number", flag);
	if (*s == '-' || scenario_number(s, out))
		return usage_error("bad number \"%s\"", s);
	return 0;
}

/* Write OUT through a temporary file beside it: a failed or interrupted
 * conversion leaves an existing OUT as it was. */
static int write_out(const char *out, const GArray *words)
{
	char *tmp = g_strdup_printf("%s.tmp.%d", out, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	int rc = !f || memtrace_write(f, words) != 0;
	if (f && fclose(f) != 0)
		rc = 1;
	if (!rc && g_rename(tmp, out) != 0)
		rc = 1;
	if (rc) {
		fprintf(stderr, "%s: cannot write: %s\n", out, g_strerror(errno));
		g_remove(tmp);
	}
	g_free(tmp);
	return rc ? 2 : 0;
}

static void print_info(const char *name, const GArray *words)
{
	struct memtrace_info i;
	memtrace_summarise(words, &i);
	printf("trace         %s\n", name);
	printf("records       %" PRIu64 "\n", i.records);
	printf("loads         %" PRIu64 "\n", i.loads);
	printf("stores        %" PRIu64 "\n", i.stores);
	printf("modifies      %" PRIu64 "\n", i.modifies);
	printf("instructions  %" PRIu64 "\n", i.insns);
	printf("bytes         %" PRIu64 "\n", i.bytes);
	printf("pages         %" PRIu64 " (%.1f MiB footprint)\n", i.pages, i.pages / 256.0);
}

int cli_memtrace(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_memtrace, stdout);
			return 0;
		}
	if (argc < 1)
		return usage_error("%s", "expected convert or info");
	bool convert = strcmp(argv[0], "convert") == 0;
	if (!convert && strcmp(argv[0], "info") != 0)
		return usage_error("unknown subcommand \"%s\" (convert, info)", argv[0]);
	struct memtrace_window w = { 0, 0 };
	const char *files[2] = { NULL, NULL };
	size_t nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--skip") == 0 || strcmp(argv[i], "--limit") == 0) {
			if (number(argv[i], i + 1 < argc ? argv[i + 1] : NULL,
				   argv[i][2] == 's' ? &w.skip : &w.limit))
				return 2;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("unknown option %s", argv[i]);
		} else if (nfiles < (convert ? 2u : 1u)) {
			files[nfiles++] = argv[i];
		} else {
			return usage_error("unexpected argument %s", argv[i]);
		}
	}
	if (nfiles != (convert ? 2u : 1u))
		return usage_error("%s", convert ? "convert needs IN and OUT" : "info needs a FILE");
	GArray *words;
	char err[512];
	if (memtrace_read(files[0], &w, &words, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	int rc = 0;
	if (convert)
		rc = write_out(files[1], words);
	else
		print_info(files[0], words);
	g_array_free(words, TRUE);
	return rc;
}
