/* The attack matrix as a JUnit XML report (the Ant / Jenkins form CI systems
 * read): one testcase per scenario x profile, a failure per cell whose
 * expectations failed, an error per cell that did not run; see
 * matrix_print.h. Times are simulated, so the report is deterministic. */
#include <glib.h>
#include <string.h>

#include "harness/matrix/matrix_print.h"

/* `s` as XML character data or (attr) an attribute value. Bytes that are
 * not UTF-8 and characters XML 1.0 does not allow become '?'. */
static void xml_put(FILE *f, const char *s, bool attr)
{
	gchar *v = g_utf8_make_valid(s, -1);
	for (const char *p = v; *p; p = g_utf8_next_char(p)) {
		gunichar u = g_utf8_get_char(p);
		switch (u) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		case '\r': fputs("&#13;", f); break;
		default:
			if (u < 0x20 || u == 0x7f || u == 0xfffd || u == 0xfffe || u == 0xffff)
				fputc('?', f);
			else
				fwrite(p, 1, (size_t)(g_utf8_next_char(p) - p), f);
		}
	}
	g_free(v);
}

static void put_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
		(unsigned long long)(ns % 1000000000u));
}

static void put_failure(FILE *f, const struct run_result *r)
{
	size_t kept = MIN(r->expects_failed, (size_t)RUN_FAILURES_KEPT);
	GString *msg = g_string_new(NULL);
	for (size_t i = 0; i < kept; i++)
		g_string_append_printf(msg, "%s%s: %s", i ? "; " : "", r->failures[i].where, r->failures[i].text);
	if (r->expects_failed > kept)
		g_string_append_printf(msg, "; and %zu more", r->expects_failed - kept);
	fputs("      <failure type=\"expectation\" message=\"", f);
	xml_put(f, msg->str, true);
	fputs("\">", f);
	for (size_t i = 0; i < kept; i++) {
		gchar *line = g_strdup_printf("%s: %s\n  observed: %s\n", r->failures[i].where, r->failures[i].text,
					      r->failures[i].observed);
		xml_put(f, line, false);
		g_free(line);
	}
	if (r->expects_failed > kept)
		fprintf(f, "and %zu more expectations failed\n", r->expects_failed - kept);
	fputs("</failure>\n", f);
	g_string_free(msg, TRUE);
}

static void put_case(FILE *f, const struct matrix_cell *c)
{
	fputs("    <testcase classname=\"", f);
	xml_put(f, c->scenario, true);
	fputs("\" name=\"", f);
	xml_put(f, c->profile, true);
	fputs("\" time=\"", f);
	put_seconds(f, c->status ? 0 : c->res.ns);
	fputs("\">\n", f);
	if (c->status) {
		fprintf(f, "      <error type=\"%s\" message=\"", c->res.invariant_broken ? "invariant" : "error");
		xml_put(f, c->err, true);
		fputs("\">", f);
		xml_put(f, c->err, false);
		fputs("</error>\n", f);
	} else {
		if (!c->res.pass)
			put_failure(f, &c->res);
		gchar *out = g_strdup_printf("outcome: %s\nexpectations: %zu checked, %zu failed\ncycles: %llu\n"
					     "digest: %s\n",
					     c->res.outcome, c->res.expects_total, c->res.expects_failed,
					     (unsigned long long)c->res.cycles, c->res.digest);
		fputs("      <system-out>", f);
		xml_put(f, out, false);
		fputs("</system-out>\n", f);
		g_free(out);
	}
	fputs("    </testcase>\n", f);
}

int matrix_junit_write(FILE *f, const struct matrix_cell *cells, size_t n, uint64_t seed)
{
	struct matrix_counts k;
	uint64_t ns = 0;
	matrix_count(cells, n, &k);
	for (size_t i = 0; i < n; i++)
		ns += cells[i].status ? 0 : cells[i].res.ns;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	for (int level = 0; level < 2; level++) {
		fprintf(f, "%s<testsuite%s name=\"ccsim matrix\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"%s time=\"",
			level ? "  " : "", level ? "" : "s", n, k.failed, k.errors, level ? " skipped=\"0\"" : "");
		put_seconds(f, ns);
		fputs("\">\n", f);
	}
	fprintf(f, "    <properties>\n"
		   "      <property name=\"ccsim_version\" value=\"%s\"/>\n"
		   "      <property name=\"seed\" value=\"%llu\"/>\n"
		   "    </properties>\n",
		CCSIM_VERSION, (unsigned long long)seed);
	for (size_t i = 0; i < n; i++)
		put_case(f, &cells[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
