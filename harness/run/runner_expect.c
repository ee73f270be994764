/* Expectations of a run: each `expect` line evaluated against the captures,
 * the step results and the observed outcome once the run has ended (see
 * docs/scenarios.md, "Expectations"). */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/runner_priv.h"

/* --- expectations --- */

static bool cmp_num(enum scn_cmp c, uint64_t a, uint64_t b)
{
	switch (c) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	case CMP_CONTAINS:
	case CMP_NOT_CONTAINS:
	case CMP_IN: return false;
	}
	return false;
}

static void describe_bytes(char *buf, size_t len, const uint8_t *p, size_t n)
{
	bool text = n > 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			text = false;
	if (text) {
		snprintf(buf, len, "\"%.*s\"%s", (int)(n > 48 ? 48 : n), (const char *)p, n > 48 ? "..." : "");
		return;
	}
	size_t k = (size_t)snprintf(buf, len, "hex:");
	for (size_t i = 0; i < n && i < 24 && k + 3 < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%02x", p[i]);
	if (n > 24 && k + 4 < len)
		snprintf(buf + k, len - k, "...");
}

void run_eval_expect(struct run_ctx *rc, const struct scn_expect *e, struct expect_result *x)
{
	x->e = e;
	x->applies = true;
	if (e->profiles) {
		x->applies = false;
		for (char **p = e->profiles; *p; p++)
			x->applies |= g_pattern_match_simple(*p, rc->cfg.name);
		if (!x->applies)
			return;
	}
	if (strcmp(e->subject, "outcome") == 0) {
		char out[128];
		outcome_text(&rc->out, out, sizeof(out));
		const char *want = e->rhs.kind == SV_NAME ? e->rhs.name : (const char *)e->rhs.bytes;
		size_t wlen = e->rhs.kind == SV_NAME ? strlen(e->rhs.name) : e->rhs.len;
		bool eq = strlen(out) == wlen && memcmp(out, want, wlen) == 0;
		/* "blocked" matches any mechanism */
		if (!eq && wlen == 7 && memcmp(want, "blocked", 7) == 0 && g_str_has_prefix(out, "blocked"))
			eq = true;
		x->pass = e->cmp == CMP_NE ? !eq : eq;
		snprintf(x->observed, sizeof(x->observed), "%s", out);
		return;
	}
	struct capture *c = run_capture_find(rc, e->subject);
	if (!c) {
		x->pass = false;
		snprintf(x->observed, sizeof(x->observed), "the capturing step never ran");
		return;
	}
	const struct step_result *r = &c->r;
	if (!e->field) {
		size_t n;
		const uint8_t *want = run_value_bytes(rc, &e->rhs, &n);
		if (r->faulted) {
			snprintf(x->observed, sizeof(x->observed), "no data: fault %s", cc_fault_name(r->fault));
			x->pass = e->cmp == CMP_NE || e->cmp == CMP_NOT_CONTAINS;
			return;
		}
		describe_bytes(x->observed, sizeof(x->observed), r->bytes, r->len);
		if (e->rhs.kind == SV_NUM || e->rhs.kind == SV_NAME) {
			x->pass = false;
			snprintf(x->observed, sizeof(x->observed), "bytes cannot compare with a number or name");
			return;
		}
		bool eq = n == r->len && (n == 0 || memcmp(want, r->bytes, n) == 0);
		if (e->cmp == CMP_CONTAINS || e->cmp == CMP_NOT_CONTAINS)
			x->pass = run_contains(r->bytes, r->len, want, n) == (e->cmp == CMP_CONTAINS);
		else
			x->pass = e->cmp == CMP_EQ ? eq : !eq;
		return;
	}
	uint64_t v;
	enum scn_field_kind kind = scn_field_kind(e->field);
	if (run_result_field(r, e->field, &v)) {
		x->pass = false;
		run_result_field_why(r, e->field, x->observed, sizeof(x->observed));
		return;
	}
	if (kind == SCN_FIELD_FAULT) {
		const char *got = v ? cc_fault_name((unsigned)v) : "none";
		bool eq = strcmp(got, e->rhs.name) == 0;
		x->pass = e->cmp == CMP_NE ? !eq : eq;
		snprintf(x->observed, sizeof(x->observed), "%s", got);
		return;
	}
	if (kind == SCN_FIELD_STATUS) {
		/* by number the raw value, by name the name of its space */
		const char *name = steps_result_status_name(r);
		bool eq = e->rhs.kind == SV_NUM ? v == e->rhs.num : strcmp(name, e->rhs.name) == 0;
		x->pass = e->cmp == CMP_NE ? !eq : eq;
		snprintf(x->observed, sizeof(x->observed), "%s (x0=0x%llx)", name, (unsigned long long)v);
		return;
	}
	x->pass = e->cmp == CMP_IN ? v >= e->rhs.num && v <= e->hi : cmp_num(e->cmp, v, e->rhs.num);
	snprintf(x->observed, sizeof(x->observed), "%llu (0x%llx)", (unsigned long long)v,
		 (unsigned long long)v);
}

/* --- set-up and the run --- */

