/* Scenario parser, expectations: `expect SUBJECT OP VALUE [on PROFILE...]`
 * and `expect[P,Q] ...`, checked against the captures, fields, names and
 * profiles the scenario declares. See docs/scenarios.md, "Expectations". */
#include <glib.h>
#include <string.h>

#include "harness/lang/scenario_priv.h"
#include "harness/lang/steps.h"
#include "models/mmu/fault.h"

static bool fault_name_known(const char *n)
{
	for (unsigned k = 0; k < FAULT_KIND_COUNT; k++)
		if (strcmp(cc_fault_name(k), n) == 0)
			return true;
	return false;
}

static const char *fault_names_list(void)
{
	return "gpc.gpf, gpc.walk, gpc.addr_size, gpc.eabt, bus.range, mce.poison, mmu.s1, mmu.s2, "
	       "iommu.translation, iommu.keyid, rmp.pf, rmp.npf, rmp.vc, vmrun.invalid, cpu.gp";
}

static bool outcome_name_known(const char *n)
{
	static const char *const k[] = { "leaked", "inferred", "corrupted", "detected", "dos",
					 "hijacked", "blocked", "no-leak", "not-attack" };
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(k[i], n) == 0)
			return true;
	return false;
}

static int parse_cmp(const char *s, enum scn_cmp *c)
{
	static const struct { const char *s; enum scn_cmp c; } ops[] = {
		{ "==", CMP_EQ }, { "!=", CMP_NE }, { "<", CMP_LT }, { "<=", CMP_LE },
		{ ">", CMP_GT }, { ">=", CMP_GE }, { "contains", CMP_CONTAINS }, { "in", CMP_IN },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].s, s) == 0) {
			*c = ops[i].c;
			return 0;
		}
	return -1;
}

const char *scn_cmp_text(enum scn_cmp c)
{
	static const char *const n[] = { "==", "!=", "<", "<=", ">", ">=", "contains", "not contains", "in" };
	return n[c];
}

/* `in LO..HI`: two numbers, LO <= HI. */
static int parse_range(struct parser *p, const struct tok *val, struct scn_expect *e)
{
	const char *dots = val->quoted || val->key ? NULL : strstr(val->s, "..");
	char *lo = dots ? g_strndup(val->s, (gsize)(dots - val->s)) : NULL;
	int rc = 0;
	if (!dots || scn_parse_number(lo, &e->rhs.num) || scn_parse_number(dots + 2, &e->hi))
		rc = scn_perr(p, val->vcol, "in: expected a range LO..HI of numbers (in 100..200), got "
			      "\"%s\"", val->s);
	else if (e->rhs.num > e->hi)
		rc = scn_perr(p, val->vcol, "in: the range %s is empty (LO above HI)", val->s);
	g_free(lo);
	e->rhs.kind = SV_NUM;
	e->rhs.col = val->vcol;
	return rc;
}

void scn_expect_clear(struct scn_expect *e)
{
	g_free(e->text);
	g_free(e->subject);
	g_free(e->field);
	scn_value_free(&e->rhs);
	g_strfreev(e->profiles);
}

int scn_st_expect(struct parser *p, GArray *t, struct scn_expect *e)
{
	/* "not contains" is one operator written as two words */
	guint vi = t->len >= 4 && !g_array_index(t, struct tok, 2).key &&
			   strcmp(g_array_index(t, struct tok, 2).s, "not") == 0 ? 4 : 3;
	if (t->len < vi + 1)
		return scn_perr(p, 1, "expected: %s SUBJECT OP VALUE%s",
				g_array_index(t, struct tok, 0).s,
				strcmp(g_array_index(t, struct tok, 0).s, "until") ? " [on PROFILE...]" : "");
	struct tok *subj = &g_array_index(t, struct tok, 1);
	struct tok *op = &g_array_index(t, struct tok, 2);
	struct tok *val = &g_array_index(t, struct tok, vi);
	if (subj->key || subj->quoted)
		return scn_perr(p, subj->col, "expected a capture name or outcome");
	char *dot = strchr(subj->s, '.');
	e->subject = dot ? g_strndup(subj->s, (gsize)(dot - subj->s)) : g_strdup(subj->s);
	e->field = dot ? g_strdup(dot + 1) : NULL;
	if (strcmp(e->subject, "outcome") == 0) {
		if (e->field)
			return scn_perr(p, subj->col, "outcome has no fields");
	} else if (!scn_capture_declared(p, e->subject)) {
		return scn_perr(p, subj->col, "no earlier step captures \"%s\" (add -> %s to a step)",
			    e->subject, e->subject);
	} else if (e->field && scn_field_kind(e->field) == SCN_FIELD_NONE) {
		return scn_perr(p, subj->col + (int)strlen(e->subject) + 1,
			    "unknown field \"%s\" (expected %s)", e->field, scn_field_names());
	}
	if (vi == 4) {
		const struct tok *c = &g_array_index(t, struct tok, 3);
		if (c->key || c->quoted || strcmp(c->s, "contains"))
			return scn_perr(p, c->col, "expected \"not contains\", got \"not %s\"", c->s);
		e->cmp = CMP_NOT_CONTAINS;
	} else if (op->key || op->quoted || parse_cmp(op->s, &e->cmp)) {
		return scn_perr(p, op->col, "expected a comparison (== != < <= > >= contains, not "
				"contains, in LO..HI), got \"%s\"", op->s);
	}
	if (val->key)
		return scn_perr(p, val->col, "unexpected '=' in the value (comparisons need spaces: a == b)");
	if (e->cmp == CMP_IN) {
		if (!e->field || scn_field_kind(e->field) != SCN_FIELD_NUM)
			return scn_perr(p, op->col, "in compares a number (cycles, x1..x8, rcx..r13) "
					"with a range");
		if (parse_range(p, val, e))
			return -1;
	} else if (scn_parse_value(p, val, &e->rhs)) {
		return -1;
	}
	bool bytes_cmp = e->cmp == CMP_CONTAINS || e->cmp == CMP_NOT_CONTAINS;
	if (bytes_cmp && (e->field || strcmp(e->subject, "outcome") == 0))
		return scn_perr(p, op->col, "%s compares a capture's bytes", scn_cmp_text(e->cmp));
	if (e->rhs.kind == SV_REF && !scn_secret_declared(p, e->rhs.name) && !scn_capture_declared(p, e->rhs.name))
		return scn_perr(p, val->vcol, "$%s is neither a secret nor a capture", e->rhs.name);
	enum scn_field_kind kind = e->field ? scn_field_kind(e->field) : SCN_FIELD_NONE;
	bool numeric = kind == SCN_FIELD_NUM;
	if (numeric && e->rhs.kind != SV_NUM)
		return scn_perr(p, val->vcol, "%s.%s compares with a number", e->subject, e->field);
	if (!numeric && e->cmp != CMP_EQ && e->cmp != CMP_NE && !bytes_cmp)
		return scn_perr(p, op->col, "%s only compares numbers (cycles, x1..x8, rcx..r13)", op->s);
	if (e->field && !numeric && e->rhs.kind != SV_NAME &&
	    !(kind == SCN_FIELD_STATUS && e->rhs.kind == SV_NUM))
		return scn_perr(p, val->vcol, "%s.%s compares with a name such as %s", e->subject, e->field,
			    strcmp(e->field, "fault") == 0 ? "gpc.gpf or none" : "rmi.success");
	if (kind == SCN_FIELD_FAULT && !fault_name_known(e->rhs.name))
		return scn_perr(p, val->vcol, "unknown fault name \"%s\" (expected none or one of %s)",
			    e->rhs.name, fault_names_list());
	if (kind == SCN_FIELD_STATUS && e->rhs.kind == SV_NAME && !steps_status_known(e->rhs.name))
		return scn_perr(p, val->vcol, "unknown status \"%s\" (expected a name of the call's "
			    "space: rmi.success, rmi.error_input, ..., rsi.*, psci.*, smc.unknown, snp.*, "
			    "sev.*, rmp.*, verify.*, tdx.*; docs/scenarios.md lists them)", e->rhs.name);
	if (strcmp(e->subject, "outcome") == 0 && e->rhs.kind == SV_NAME && !outcome_name_known(e->rhs.name))
		return scn_perr(p, val->vcol, "unknown outcome \"%s\" (expected leaked, inferred, "
			    "corrupted, detected, dos, hijacked, blocked, no-leak or not-attack)", e->rhs.name);
	if (strcmp(e->subject, "outcome") == 0 && e->rhs.kind != SV_NAME && e->rhs.kind != SV_BYTES)
		return scn_perr(p, val->vcol, "outcome compares with leaked, inferred, corrupted, detected, "
			    "dos, hijacked, blocked, no-leak, not-attack or a \"blocked: mechanism\" string");
	if (t->len > vi + 1) {
		struct tok *on = &g_array_index(t, struct tok, vi + 1);
		if (on->key || strcmp(on->s, "on") || t->len < vi + 3)
			return scn_perr(p, on->col, "expected: on PROFILE... after the value");
		if (e->profiles)
			return scn_perr(p, on->col, "the profiles are given twice: expect[...] or on ..., "
					"not both");
		e->profiles = g_new0(char *, t->len - vi);
		for (guint i = vi + 2; i < t->len; i++) {
			struct tok *k = &g_array_index(t, struct tok, i);
			if (k->key || k->quoted || !scn_profiles_match(p, k->s))
				return scn_perr(p, k->col, "profile \"%s\" matches none in this scenario's "
						"profiles line", k->s);
			e->profiles[i - vi - 2] = g_strdup(k->s);
		}
	}
	return 0;
}

/* expect[P,Q] ...: the profiles (names or globs) an expectation holds on,
 * the same as ... on P Q. */
int scn_expect_group(struct parser *p, const struct tok *head, struct scn_expect *e)
{
	size_t n = strlen(head->s);
	if (n < 9 || head->s[n - 1] != ']')
		return scn_perr(p, head->col, "expected expect[PROFILE,...] (names or globs such as "
				"sev*), got \"%s\"", head->s);
	char *inner = g_strndup(head->s + 7, n - 8);
	char **pats = g_strsplit(inner, ",", -1);
	g_free(inner);
	int rc = 0, col = head->col + 7;
	for (char **q = pats; *q && rc == 0; col += (int)strlen(*q) + 1, q++)
		if (!**q || !scn_profiles_match(p, *q))
			rc = scn_perr(p, col, "profile \"%s\" matches none in this scenario's profiles "
				      "line", *q);
	if (rc)
		g_strfreev(pats);
	else
		e->profiles = pats;
	return rc;
}
