/* Loops over steps: `loop N [-> NAME]` ... `until COND`. The steps between
 * run, then COND (an expectation's comparison, on the captures as they are
 * then) is checked; they run again while it does not hold, N times at
 * most. The `until` line is a step of its own (scn_step.until): the runner
 * jumps back from it, and its capture NAME says how many times the block
 * ran (x1) and whether COND held (x2). docs/scenarios.md, "Loops". */
#include <glib.h>
#include <string.h>

#include "harness/lang/scenario_priv.h"
#include "harness/lang/steps.h"

#define SCN_LOOP_DEPTH 5
#define SCN_LOOP_MAX 1000000u

/* The until statement's own entry: not in the step table (no scenario
 * writes host.until), so neither `ccsim steps` nor the generators offer it. */
static const struct step_spec until_spec = {
	ACTOR_HOST, "until", "close a loop: run its steps again while the condition does not hold",
	"until step.status == 77", { { NULL } }, NULL, NULL,
};

int scn_st_loop(struct parser *p, GArray *t)
{
	const struct tok *head = &g_array_index(t, struct tok, 0);
	const struct tok *n = t->len > 1 ? &g_array_index(t, struct tok, 1) : NULL;
	uint64_t max;
	if (!n || n->key || n->quoted || scn_parse_number(n->s, &max))
		return scn_perr(p, n ? n->col : head->col, "expected: loop N [-> NAME] (N the most "
				"times its steps run)");
	if (max == 0 || max > SCN_LOOP_MAX)
		return scn_perr(p, n->col, "loop count %s out of range [1, %u]", n->s, SCN_LOOP_MAX);
	char *capture = NULL;
	if (t->len > 2) {
		const struct tok *arrow = &g_array_index(t, struct tok, 2);
		const struct tok *c = t->len > 3 ? &g_array_index(t, struct tok, 3) : NULL;
		if (arrow->key || arrow->quoted || strcmp(arrow->s, "->") || !c || c->key || c->quoted ||
		    !scn_is_ident(c->s) || strchr(c->s, '.') || t->len != 4)
			return scn_perr(p, arrow->col, "expected: loop N [-> NAME]");
		capture = g_strdup(c->s);
	}
	if (!p->loops)
		p->loops = g_array_new(FALSE, TRUE, sizeof(struct scn_open_loop));
	if (p->loops->len == SCN_LOOP_DEPTH) {
		g_free(capture);
		return scn_perr(p, head->col, "loops nest at most %d deep", SCN_LOOP_DEPTH);
	}
	struct scn_open_loop l = { .first = p->steps->len, .max = max, .capture = capture,
				   .file = p->file, .line = p->line, .col = head->col };
	g_array_append_val(p->loops, l);
	return 0;
}

int scn_st_until(struct parser *p, GArray *t, const char *text)
{
	const struct tok *head = &g_array_index(t, struct tok, 0);
	if (!p->loops || !p->loops->len)
		return scn_perr(p, head->col, "until without a loop before it");
	struct scn_open_loop l = g_array_index(p->loops, struct scn_open_loop, p->loops->len - 1);
	g_array_set_size(p->loops, p->loops->len - 1);
	struct scn_step st = { .file = p->file, .line = p->line, .col = head->col, .repeat = 1,
			       .text = g_strdup(text), .actor = g_strdup("host"),
			       .op = g_strdup("until"), .spec = &until_spec, .capture = l.capture,
			       .loop_first = l.first, .loop_max = l.max };
	int rc = 0;
	if (l.file != p->file)
		rc = scn_perr(p, head->col, "until closes the loop of %s:%d: a loop ends in the file "
			      "it begins in", l.file, l.line);
	else if (l.first == p->steps->len)
		rc = scn_perr(p, head->col, "the loop of line %d has no steps", l.line);
	if (rc == 0) {
		st.until = g_new0(struct scn_expect, 1);
		*st.until = (struct scn_expect){ .file = p->file, .line = p->line, .col = head->col,
						 .text = g_strdup(text) };
		rc = scn_st_expect(p, t, st.until);
	}
	if (rc == 0 && strcmp(st.until->subject, "outcome") == 0)
		rc = scn_perr(p, g_array_index(t, struct tok, 1).col, "until compares a capture of the "
			      "loop's steps, not the outcome (known only at the end of the run)");
	if (rc == 0 && st.until->profiles)
		rc = scn_perr(p, head->col, "until holds on every profile: no on ... after it");
	g_array_append_val(p->steps, st); /* freed with the scenario, whatever rc */
	return rc;
}

int scn_loops_check(struct parser *p)
{
	if (!p->loops || !p->loops->len)
		return 0;
	const struct scn_open_loop *l = &g_array_index(p->loops, struct scn_open_loop, 0);
	snprintf(p->err, p->errlen, "%s:%d:%d: loop without until (its steps end at the end of "
		 "the scenario)", l->file, l->line, l->col);
	return -1;
}

void scn_loops_free(struct parser *p)
{
	if (!p->loops)
		return;
	for (guint i = 0; i < p->loops->len; i++)
		g_free(g_array_index(p->loops, struct scn_open_loop, i).capture);
	g_array_free(p->loops, TRUE);
	p->loops = NULL;
}
