/* Scenario parser: statements and the scenario structure; the lexer is in
 * scenario_lex.c, expectations in scenario_expect.c. See scenario.h and docs/scenarios.md. */
#include "harness/lang/scenario.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "harness/lang/scenario_priv.h"
#include "models/platform/profile.h"
#include "harness/lang/steps.h"

#define MAX_INCLUDE_DEPTH 8

static bool vm_declared(struct parser *p, const char *name)
{
	for (guint i = 0; i < p->vms->len; i++)
		if (strcmp(g_array_index(p->vms, struct scn_vm, i).name, name) == 0)
			return true;
	return false;
}

bool scn_secret_declared(struct parser *p, const char *name)
{
	for (guint i = 0; i < p->secrets->len; i++)
		if (strcmp(g_array_index(p->secrets, struct scn_secret, i).name, name) == 0)
			return true;
	return false;
}

bool scn_capture_declared(struct parser *p, const char *name)
{
	for (guint i = 0; i < p->steps->len; i++) {
		const char *c = g_array_index(p->steps, struct scn_step, i).capture;
		if (c && strcmp(c, name) == 0)
			return true;
	}
	for (guint i = 0; i < p->guests->len; i++) {
		const struct scn_guest *g = &g_array_index(p->guests, struct scn_guest, i);
		for (size_t k = 0; k < g->nops; k++)
			if (g->op_captures[k] && strcmp(g->op_captures[k], name) == 0)
				return true;
	}
	return false;
}

static int st_title(struct parser *p, GArray *t)
{
	if (t->len != 2 || !g_array_index(t, struct tok, 1).quoted)
		return scn_perr(p, g_array_index(t, struct tok, 0).col, "expected: title \"text\"");
	g_free(p->sc->title);
	p->sc->title = g_strdup(g_array_index(t, struct tok, 1).s);
	return 0;
}

static int st_kind(struct parser *p, GArray *t)
{
	static const char *const kinds[] = { "attack", "conformance", "workload" };
	const struct tok *k = t->len == 2 ? &g_array_index(t, struct tok, 1) : NULL;
	for (size_t i = 0; k && !k->key && !k->quoted && i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(k->s, kinds[i]) == 0) {
			p->sc->kind = (enum scn_kind)i;
			return 0;
		}
	return scn_perr(p, k ? k->col : 1, "expected: kind attack, kind conformance or kind workload");
}

static int st_profiles(struct parser *p, GArray *t)
{
	if (t->len < 2)
		return scn_perr(p, 1, "expected: profiles NAME... (e.g. profiles plain cca)");
	for (guint i = 1; i < t->len; i++) {
		struct tok *k = &g_array_index(t, struct tok, i);
		if (k->quoted || k->key || !scn_is_ident(k->s))
			return scn_perr(p, k->col, "expected a profile name, got \"%s\"", k->s);
		char path[4096], why[512];
		if (profile_find(k->s, path, sizeof(path), why, sizeof(why)))
			return scn_perr(p, k->col, "%s", why);
		g_ptr_array_add(p->profiles, g_strdup(k->s));
	}
	return 0;
}

/* Does any declared profile match `pattern` (a name or a glob: sev*)? */
bool scn_profiles_match(struct parser *p, const char *pattern)
{
	for (guint j = 0; j < p->profiles->len; j++)
		if (g_pattern_match_simple(pattern, p->profiles->pdata[j]))
			return true;
	return false;
}

/* The profile the scenario is read for: the caller's, else the first declared. */
static const char *parse_profile(struct parser *p)
{
	return p->profile ? p->profile : p->profiles->len ? p->profiles->pdata[0] : NULL;
}

/* `param NAME PROFILE=VALUE...`: the value of the first PROFILE (a name or
 * a glob, `*` for the rest) that matches the profile the scenario is read for. */
static int param_per_profile(struct parser *p, GArray *t, char **value)
{
	struct tok *name = &g_array_index(t, struct tok, 1);
	if (!p->profiles->len)
		return scn_perr(p, name->col, "param %s: values per profile come after the profiles line",
				name->s);
	const char *want = parse_profile(p);
	for (guint i = 2; i < t->len; i++) {
		struct tok *k = &g_array_index(t, struct tok, i);
		/* sev*=V is one word to the lexer (* is no name character) */
		char *pat = k->key ? g_strdup(k->key) : NULL;
		const char *val = k->s;
		if (!pat && !k->quoted && strchr(k->s, '=')) {
			pat = g_strndup(k->s, (gsize)(strchr(k->s, '=') - k->s));
			val = strchr(k->s, '=') + 1;
		}
		if (!pat || !pat[0] || !*val) {
			g_free(pat);
			return scn_perr(p, k->col, "param %s: expected PROFILE=VALUE (PROFILE a name or a "
					"glob such as sev*), got \"%s\"", name->s, k->s);
		}
		if (!scn_profiles_match(p, pat)) {
			int rc = scn_perr(p, k->col, "param %s: \"%s\" matches none of this scenario's "
					  "profiles", name->s, pat);
			g_free(pat);
			return rc;
		}
		bool hit = !*value && g_pattern_match_simple(pat, want);
		g_free(pat);
		if (hit)
			*value = k->quoted ? g_strdup_printf("\"%s\"", val) : g_strdup(val);
	}
	if (!*value)
		return scn_perr(p, name->col, "param %s has no value for profile %s (add %s=VALUE or "
				"*=VALUE)", name->s, want, want);
	p->sc->per_profile = true;
	return 0;
}

static int st_param(struct parser *p, GArray *t)
{
	struct tok *k = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	bool per_profile = k && !k->key && !k->quoted && t->len >= 3 && scn_is_ident(k->s);
	if (!k || (!per_profile && (!k->key || t->len != 2)))
		return scn_perr(p, 1, "expected: param NAME=DEFAULT, or param NAME PROFILE=VALUE...");
	const char *name = per_profile ? k->s : k->key;
	if (scn_param_value(p, name))
		return scn_perr(p, k->col, "param \"%s\" is already declared", name);
	struct scn_param pp = { g_strdup(name), NULL };
	for (size_t i = 0; i < p->noverrides; i++) {
		const char *eq = strchr(p->overrides[i], '=');
		if (eq && strlen(name) == (size_t)(eq - p->overrides[i]) &&
		    strncmp(p->overrides[i], name, strlen(name)) == 0) {
			g_free(pp.value);
			pp.value = g_strdup(eq + 1);
			p->override_used[i] = true;
		}
	}
	if (per_profile) {
		/* checked even when --set gives the value */
		char *v = NULL;
		if (param_per_profile(p, t, &v)) {
			g_free(pp.name);
			g_free(pp.value);
			return -1;
		}
		if (pp.value)
			g_free(v);
		else
			pp.value = v;
	} else if (!pp.value) {
		pp.value = k->quoted ? g_strdup_printf("\"%s\"", k->s) : g_strdup(k->s);
	}
	g_array_append_val(p->params, pp);
	return 0;
}

static int st_secret(struct parser *p, GArray *t)
{
	struct tok *name = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	struct tok *val = NULL;
	char *sname = NULL;
	if (name && name->key && t->len == 2) {
		sname = name->key;
		val = name;
	} else if (name && !name->key && t->len == 3) {
		sname = name->s;
		val = &g_array_index(t, struct tok, 2);
	}
	if (!sname || !scn_is_ident(sname))
		return scn_perr(p, 1, "expected: secret NAME=\"bytes\" (or hex:..)");
	if (scn_secret_declared(p, sname))
		return scn_perr(p, name->col, "secret \"%s\" is already declared", sname);
	struct scn_value v;
	if (scn_parse_value(p, val, &v))
		return -1;
	if (v.kind != SV_BYTES || v.len == 0) {
		scn_value_free(&v);
		return scn_perr(p, val->vcol, "a secret is bytes: \"text\" or hex:..");
	}
	struct scn_secret s = { g_strdup(sname), v.bytes, v.len };
	g_array_append_val(p->secrets, s);
	return 0;
}

static int st_vm(struct parser *p, GArray *t)
{
	struct tok *k = t->len >= 2 ? &g_array_index(t, struct tok, 1) : NULL;
	if (!k || k->key || k->quoted || !scn_is_ident(k->s) || strchr(k->s, '.'))
		return scn_perr(p, 1, "expected: vm NAME [core=N] [asid=N] [vmpl=N] [guest=VM] [se=1] "
				"[mecid=N] (a name without dots)");
	if (vm_declared(p, k->s) || scn_guest_find(p, k->s) || strcmp(k->s, "host") == 0 ||
	    strcmp(k->s, "phys") == 0 ||
	    strcmp(k->s, "dev") == 0 ||
	    strcmp(k->s, "outcome") == 0)
		return scn_perr(p, k->col, "actor \"%s\" already exists", k->s);
	struct scn_vm vm = { g_strdup(k->s), p->file, p->line, 0, 0, 0, 0, -1, 0, 0 };
	for (guint i = 2; i < t->len; i++) {
		struct tok *a = &g_array_index(t, struct tok, i);
		int rc = 0;
		if (a->key && strcmp(a->key, "guest") == 0 && !a->quoted) {
			for (guint j = 0; j < p->vms->len; j++)
				if (strcmp(g_array_index(p->vms, struct scn_vm, j).name, a->s) == 0 &&
				    g_array_index(p->vms, struct scn_vm, j).same_as < 0)
					vm.same_as = (int)j;
			if (vm.same_as < 0)
				rc = scn_perr(p, a->vcol, "vm %s: guest=%s names no earlier vm that is a "
					      "guest of its own", k->s, a->s);
		} else if (a->key && strcmp(a->key, "asid") == 0) {
			if (scn_parse_number(a->s, &vm.asid) || vm.asid == 0 || vm.asid > 1023)
				rc = scn_perr(p, a->vcol, "vm %s: asid: 1 to 1023, got \"%s\"", k->s, a->s);
		} else if (a->key && strcmp(a->key, "se") == 0) {
			uint64_t v = 0;
			if (scn_parse_number(a->s, &v) || v > 1)
				rc = scn_perr(p, a->vcol, "vm %s: se: 0 or 1, got \"%s\"", k->s, a->s);
			vm.se = v == 1;
		} else if (a->key && strcmp(a->key, "vmpl") == 0) {
			if (scn_parse_number(a->s, &vm.vmpl) || vm.vmpl > 3)
				rc = scn_perr(p, a->vcol, "vm %s: vmpl: 0 to 3, got \"%s\"", k->s, a->s);
		} else if (a->key && strcmp(a->key, "mecid") == 0) {
			/* Arm ARM FEAT_MEC: MECIDs are at most 16 bits */
			if (scn_parse_number(a->s, &vm.mecid) || vm.mecid > 65535)
				rc = scn_perr(p, a->vcol, "vm %s: mecid: 0 to 65535, got \"%s\"", k->s, a->s);
			vm.mecid_col = a->vcol;
		} else if (!a->key || strcmp(a->key, "core") != 0 || scn_parse_number(a->s, &vm.core)) {
			rc = scn_perr(p, a->col, "vm %s: expected core=N, asid=N, vmpl=N, guest=VM, "
				      "se=1 or mecid=N, got \"%s\"", k->s, a->s);
		} else {
			vm.core_col = a->col;
		}
		if (rc) {
			g_free(vm.name);
			return rc;
		}
	}
	g_array_append_val(p->vms, vm);
	return 0;
}

/* A number argument may be computed from earlier results: `$c.x1` alone
 * becomes a one-term expression; every capture it names must come from an
 * earlier step (or a guest's call op). */
static int check_expr(struct parser *p, struct scn_value *v)
{
	if (v->kind == SV_REF) {
		struct scn_term term = { .op = '+' };
		if (scn_term_ref(p, v->name, v->col, &term))
			return -1;
		v->kind = SV_EXPR;
		v->terms = g_memdup2(&term, sizeof(term));
		v->nterms = 1;
		char *text = g_strconcat("$", v->name, NULL);
		g_free(v->name);
		v->name = text;
	}
	for (size_t i = 0; i < v->nterms; i++) {
		const struct scn_term *term = &v->terms[i];
		if (term->capture && !scn_capture_declared(p, term->capture))
			return scn_perr(p, term->col, "$%s.%s: no earlier step captures \"%s\" (add -> %s "
					"to a step before this one)", term->capture, term->field, term->capture,
					term->capture);
	}
	return 0;
}

static int check_arg_type(struct parser *p, const struct step_arg_spec *as, struct scn_value *v)
{
	if ((as->type == ARG_NUM || as->type == ARG_NAME_NUM) && (v->kind == SV_REF || v->kind == SV_EXPR))
		return check_expr(p, v);
	switch (as->type) {
	case ARG_NUM:
		if (v->kind != SV_NUM)
			return scn_perr(p, v->col, "argument %s: expected a number, got \"%s\"",
				    as->name[0] ? as->name : "(positional)", v->name ? v->name : "bytes");
		return 0;
	case ARG_BYTES:
		if (v->kind == SV_BYTES)
			return 0;
		if (v->kind == SV_REF) {
			if (!scn_secret_declared(p, v->name) && !scn_capture_declared(p, v->name))
				return scn_perr(p, v->col, "$%s is neither a secret nor an earlier capture", v->name);
			return 0;
		}
		return scn_perr(p, v->col, "argument %s: expected bytes (\"text\", hex:.., $name)", as->name);
	case ARG_NAME:
		if (v->kind != SV_NAME)
			return scn_perr(p, v->col, "argument %s: expected a name", as->name[0] ? as->name : "(positional)");
		return 0;
	case ARG_NAME_NUM:
		if (v->kind != SV_NAME && v->kind != SV_NUM)
			return scn_perr(p, v->col, "argument %s: expected a name or a number", as->name);
		return 0;
	}
	return -1;
}

static int st_step(struct parser *p, GArray *t, guint first, struct scn_step *st)
{
	struct tok *head = &g_array_index(t, struct tok, first);
	const char *dot = strchr(head->s, '.');
	if (head->key || head->quoted || !dot)
		return scn_perr(p, head->col, "unknown statement \"%s\" (expected ACTOR.STEP, or one of title, "
			    "profiles, param, secret, vm, guest, include, expect)", head->s);
	st->actor = g_strndup(head->s, (gsize)(dot - head->s));
	st->op = g_strdup(dot + 1);
	enum actor_kind ak;
	if (strcmp(st->actor, "host") == 0)
		ak = ACTOR_HOST;
	else if (strcmp(st->actor, "phys") == 0)
		ak = ACTOR_PHYS;
	else if (strcmp(st->actor, "dev") == 0)
		ak = ACTOR_DEV;
	else if (strcmp(st->actor, "verifier") == 0)
		ak = ACTOR_VERIFIER;
	else if (vm_declared(p, st->actor))
		ak = ACTOR_VM;
	else
		return scn_perr(p, head->col, "unknown actor \"%s\" (expected host, phys, dev, verifier or a declared vm)",
			    st->actor);
	st->spec = step_lookup(ak, st->op);
	if (!st->spec)
		return scn_perr(p, head->col + (int)strlen(st->actor) + 1,
			    "unknown step \"%s\" for %s (ccsim steps lists them)", st->op,
			    actor_kind_name(ak));
	GArray *args = g_array_new(FALSE, TRUE, sizeof(struct scn_arg));
	int rc = 0;
	for (guint i = first + 1; i < t->len && rc == 0; i++) {
		struct tok *k = &g_array_index(t, struct tok, i);
		if (!k->key && !k->quoted && strcmp(k->s, "->") == 0) {
			struct tok *c = i + 1 < t->len ? &g_array_index(t, struct tok, i + 1) : NULL;
			if (!c || c->key || c->quoted || !scn_is_ident(c->s) || strchr(c->s, '.') ||
			    i + 2 != t->len)
				rc = scn_perr(p, k->col, "expected: -> NAME at the end of the step");
			else
				st->capture = g_strdup(c->s);
			break;
		}
		struct scn_arg a = { .key = g_strdup(k->key ? k->key : ""), .col = k->col };
		const struct step_arg_spec *as = NULL;
		for (const struct step_arg_spec *q = st->spec->args; q->name; q++)
			if (strcmp(q->name, a.key) == 0)
				as = q;
		/* A step with its own check (host.rmi) takes any named number; the
		 * check validates the names against the command it calls. */
		static const struct step_arg_spec any_num = { "*", ARG_NUM, false, "" };
		if (!as && k->key && st->spec->check)
			as = &any_num;
		if (!as) {
			rc = k->key ? scn_perr(p, k->col, "%s.%s takes no argument \"%s\"", st->actor, st->op, k->key)
				    : scn_perr(p, k->col, "%s.%s: unexpected \"%s\" (arguments are key=value)",
					   st->actor, st->op, k->s);
			g_free(a.key);
			break;
		}
		for (guint j = 0; j < args->len; j++)
			if (strcmp(g_array_index(args, struct scn_arg, j).key, a.key) == 0) {
				rc = scn_perr(p, k->col, "argument \"%s\" given twice", a.key);
				break;
			}
		if (rc == 0)
			rc = scn_parse_value(p, k, &a.v);
		if (rc == 0)
			rc = check_arg_type(p, as, &a.v);
		g_array_append_val(args, a);
	}
	for (const struct step_arg_spec *q = st->spec->args; rc == 0 && q->name; q++) {
		bool given = false;
		for (guint j = 0; j < args->len; j++)
			given |= strcmp(g_array_index(args, struct scn_arg, j).key, q->name) == 0;
		if (q->required && !given)
			rc = q->name[0] ? scn_perr(p, head->col, "%s.%s needs %s=%s", st->actor, st->op, q->name,
					       q->type == ARG_NUM ? "NUMBER" : q->type == ARG_BYTES ? "BYTES" : q->type == ARG_NAME ? "NAME" : "NAME|NUMBER")
					: scn_perr(p, head->col, "%s.%s needs a %s (%s)", st->actor, st->op,
					       q->help, "see ccsim steps");
	}
	st->nargs = args->len;
	st->args = (struct scn_arg *)g_array_free(args, FALSE);
	if (rc == 0 && ak == ACTOR_HOST && strcmp(st->op, "guess") == 0) {
		const struct scn_arg *a = step_arg(st, "");
		if (a && !scn_secret_declared(p, a->v.name))
			rc = scn_perr(p, a->col, "host.guess: no secret named \"%s\" (declare it with "
				      "secret NAME=...)", a->v.name);
		else if (!step_arg(st, "value") == !step_arg(st, "bytes"))
			rc = scn_perr(p, head->col, "host.guess takes one guess: value=NUMBER or "
				      "bytes=BYTES");
	}
	if (rc == 0 && ak == ACTOR_HOST && g_str_has_prefix(st->op, "guest_")) {
		const struct scn_arg *a = step_arg(st, "");
		/* the swap steps also take a vm on s390-se (a secure CPU of
		 * the scenario's own) */
		bool vm_ok = g_str_has_prefix(st->op, "guest_swap_") && a && vm_declared(p, a->v.name);
		if (a && !scn_guest_find(p, a->v.name) && !vm_ok)
			rc = scn_perr(p, a->col, "no guest named \"%s\" (declare it with guest NAME)",
				      a->v.name);
	}
	if (rc == 0 && st->spec->check) {
		int col = head->col;
		char *msg = st->spec->check(st, &col);
		if (msg) {
			rc = scn_perr(p, col, "%s", msg);
			g_free(msg);
		}
	}
	return rc;
}

static int parse_file(struct parser *p, const char *path, int depth);


static int st_include(struct parser *p, GArray *t, int depth)
{
	struct tok *k = t->len == 2 ? &g_array_index(t, struct tok, 1) : NULL;
	if (!k || !k->quoted)
		return scn_perr(p, 1, "expected: include \"relative/path.scn\"");
	if (depth >= MAX_INCLUDE_DEPTH)
		return scn_perr(p, k->col, "includes nest deeper than %d (a loop?)", MAX_INCLUDE_DEPTH);
	gchar *dir = g_path_get_dirname(p->file);
	gchar *inc = g_build_filename(dir, k->s, NULL);
	g_free(dir);
	const char *saved_file = p->file;
	int saved_line = p->line;
	if (!g_file_test(inc, G_FILE_TEST_IS_REGULAR)) {
		int rc = scn_perr(p, k->col, "cannot include \"%s\": no such file", inc);
		g_free(inc);
		return rc;
	}
	int rc = parse_file(p, inc, depth + 1);
	g_free(inc);
	p->file = saved_file;
	p->line = saved_line;
	return rc;
}

static int parse_line(struct parser *p, const char *raw, int depth)
{
	char *line = scn_expand(p, raw);
	GArray *t = NULL;
	int rc = 0;
	if (!line)
		return -1;
	if (scn_tokenize(p, line, &t)) {
		g_free(line);
		return -1;
	}
	if (t->len == 0)
		goto out;
	struct tok *head = &g_array_index(t, struct tok, 0);
	const char *w = head->key ? "" : head->s;
	if (strcmp(w, "title") == 0)
		rc = st_title(p, t);
	else if (strcmp(w, "kind") == 0)
		rc = st_kind(p, t);
	else if (strcmp(w, "profiles") == 0)
		rc = st_profiles(p, t);
	else if (strcmp(w, "param") == 0)
		rc = st_param(p, t);
	else if (strcmp(w, "secret") == 0)
		rc = st_secret(p, t);
	else if (strcmp(w, "vm") == 0)
		rc = st_vm(p, t);
	else if (strcmp(w, "guest") == 0)
		rc = scn_st_guest(p, t);
	else if (strcmp(w, "include") == 0)
		rc = st_include(p, t, depth);
	else if (strcmp(w, "loop") == 0)
		rc = scn_st_loop(p, t);
	else if (strcmp(w, "until") == 0)
		rc = scn_st_until(p, t, g_strstrip(line));
	else if (strcmp(w, "expect") == 0 || g_str_has_prefix(w, "expect[")) {
		struct scn_expect e = { .file = p->file, .line = p->line, .col = head->col,
					.text = g_strdup(g_strstrip(line)) };
		rc = w[6] == '[' ? scn_expect_group(p, head, &e) : 0;
		if (rc == 0)
			rc = scn_st_expect(p, t, &e);
		g_array_append_val(p->expects, e);
	} else if (!head->key && !head->quoted && g_str_has_suffix(head->s, ".op") &&
		   scn_guest_find(p, head->s)) {
		rc = scn_st_guest_op(p, t, scn_guest_find(p, head->s));
	} else {
		struct scn_step st = { .file = p->file, .line = p->line, .repeat = 1,
				       .text = g_strdup(g_strstrip(line)) };
		guint first = 0;
		while (rc == 0 && first + 1 < t->len) {
			struct tok *k = &g_array_index(t, struct tok, first);
			if (k->key || (strcmp(k->s, "at") && strcmp(k->s, "repeat")))
				break;
			struct tok *n = &g_array_index(t, struct tok, first + 1);
			uint64_t v;
			if (n->quoted || scn_parse_number(n->s, &v))
				rc = scn_perr(p, n->col, "bad number \"%s\" after %s", n->s, k->s);
			else if (strcmp(k->s, "at") == 0) {
				st.has_at = true;
				st.at = v;
			} else if (v == 0 || v > 1000000) {
				rc = scn_perr(p, n->col, "repeat count %s out of range [1, 1000000]", n->s);
			} else {
				st.repeat = v;
			}
			first += 2;
		}
		st.col = g_array_index(t, struct tok, first < t->len ? first : 0).col;
		if (rc == 0 && first >= t->len) { /* "at N" or "repeat N" and nothing after */
			const struct tok *k = &g_array_index(t, struct tok, first - 2);
			rc = scn_perr(p, k->col, "%s %s: expected a step after it (ACTOR.STEP ...)", k->s,
				      g_array_index(t, struct tok, first - 1).s);
		}
		if (rc == 0)
			rc = st_step(p, t, first, &st);
		g_array_append_val(p->steps, st);
	}
out:
	scn_toks_free(t);
	g_free(line);
	return rc;
}

/* The text of `path` (read, or given: `len` bytes at `given`), line by line. */
static int parse_text(struct parser *p, const char *path, const char *given, size_t len, int depth)
{
	gchar *text = g_malloc(len + 1); /* NUL-terminated, whatever `given` holds */
	memcpy(text, given, len);
	text[len] = '\0';
	/* text only: a NUL would end the file unseen, and what is not UTF-8
	 * could not go into summary.json as written */
	const gchar *bad = memchr(text, '\0', len);
	if (bad || !g_utf8_validate(text, (gssize)len, &bad)) {
		int line = 1, col = 1;
		for (const char *c = text; c < bad; c++, col++)
			if (*c == '\n') {
				line++;
				col = 0;
			}
		snprintf(p->err, p->errlen, "%s:%d:%d: %s (a scenario is UTF-8 text)", path, line, col,
			 *bad ? "not UTF-8" : "a NUL byte");
		g_free(text);
		return -1;
	}
	struct scenario *sc = p->sc;
	sc->files = g_renew(char *, sc->files, sc->nfiles + 1);
	sc->files[sc->nfiles++] = g_strdup(path);
	p->file = sc->files[sc->nfiles - 1];
	char **lines = g_strsplit(text, "\n", -1);
	int rc = 0;
	for (int i = 0; lines[i] && rc == 0; i++) {
		p->line = i + 1;
		if (++p->lines_read > SCN_MAX_LINES) {
			rc = scn_perr(p, 1, "the scenario reads more than %u lines, includes counted "
				      "each time they are read", SCN_MAX_LINES);
			break;
		}
		size_t n = strlen(lines[i]);
		while (n && lines[i][n - 1] == '\r') /* CRLF line ends (and stray CRs before them) */
			lines[i][--n] = '\0';
		rc = parse_line(p, lines[i], depth);
	}
	g_strfreev(lines);
	g_free(text);
	return rc;
}

static int parse_file(struct parser *p, const char *path, int depth)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *gerr = NULL;
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		snprintf(p->err, p->errlen, "%s:0:0: cannot read scenario: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	int rc = parse_text(p, path, text, len, depth);
	g_free(text);
	return rc;
}

/* scenario_load and scenario_load_buf: `text` NULL reads `path`. */
static struct scenario *load(const char *path, const char *profile, const char *text, size_t len,
			     char **overrides, size_t noverrides, char *err, size_t errlen)
{
	struct scenario *sc = g_new0(struct scenario, 1);
	struct parser p = {
		.sc = sc,
		.steps = g_array_new(FALSE, TRUE, sizeof(struct scn_step)),
		.expects = g_array_new(FALSE, TRUE, sizeof(struct scn_expect)),
		.vms = g_array_new(FALSE, TRUE, sizeof(struct scn_vm)),
		.guests = g_array_new(FALSE, TRUE, sizeof(struct scn_guest)),
		.secrets = g_array_new(FALSE, TRUE, sizeof(struct scn_secret)),
		.params = g_array_new(FALSE, TRUE, sizeof(struct scn_param)),
		.profiles = g_ptr_array_new(),
		.overrides = overrides,
		.noverrides = noverrides,
		.override_used = g_new0(bool, noverrides + 1),
		.err = err,
		.errlen = errlen,
		.file = path,
		.profile = profile,
	};
	sc->path = g_strdup(path);
	int rc = text ? parse_text(&p, path, text, len, 0) : parse_file(&p, path, 0);
	if (rc == 0)
		rc = scn_loops_check(&p);
	scn_loops_free(&p);
	if (rc == 0)
		rc = scn_guests_check(&p);
	if (rc == 0 && p.profiles->len == 0) {
		snprintf(err, errlen, "%s:1:1: no profiles line (expected e.g.: profiles plain cca)", path);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < noverrides; i++)
		if (!p.override_used[i] && !strchr(overrides[i], '.')) {
			snprintf(err, errlen, "--set %s: %s declares no such param", overrides[i], path);
			rc = -1;
		}
	if (rc == 0 && sc->per_profile)
		sc->read_for = g_strdup(parse_profile(&p));
	g_ptr_array_add(p.profiles, NULL);
	sc->profiles = (char **)g_ptr_array_free(p.profiles, FALSE);
	sc->nsteps = p.steps->len;
	sc->steps = (struct scn_step *)g_array_free(p.steps, FALSE);
	sc->nexpects = p.expects->len;
	sc->expects = (struct scn_expect *)g_array_free(p.expects, FALSE);
	sc->nvms = p.vms->len;
	sc->vms = (struct scn_vm *)g_array_free(p.vms, FALSE);
	sc->nguests = p.guests->len;
	sc->guests = (struct scn_guest *)g_array_free(p.guests, FALSE);
	sc->nsecrets = p.secrets->len;
	sc->secrets = (struct scn_secret *)g_array_free(p.secrets, FALSE);
	sc->nparams = p.params->len;
	sc->params = (struct scn_param *)g_array_free(p.params, FALSE);
	g_free(p.override_used);
	if (rc) {
		scenario_free(sc);
		return NULL;
	}
	return sc;
}

struct scenario *scenario_load(const char *path, char **overrides, size_t noverrides, char *err,
			       size_t errlen)
{
	return load(path, NULL, NULL, 0, overrides, noverrides, err, errlen);
}

struct scenario *scenario_load_for(const char *path, const char *profile, char **overrides,
				   size_t noverrides, char *err, size_t errlen)
{
	return load(path, profile, NULL, 0, overrides, noverrides, err, errlen);
}

struct scenario *scenario_load_buf(const char *path, const char *text, size_t len,
				   char **overrides, size_t noverrides, char *err, size_t errlen)
{
	return load(path, NULL, text, len, overrides, noverrides, err, errlen);
}

struct scenario *scenario_load_buf_for(const char *path, const char *profile, const char *text,
				       size_t len, char *err, size_t errlen)
{
	return load(path, profile, text, len, NULL, 0, err, errlen);
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nsteps; i++) {
		struct scn_step *st = &sc->steps[i];
		for (size_t k = 0; k < st->nargs; k++) {
			g_free(st->args[k].key);
			scn_value_free(&st->args[k].v);
		}
		g_free(st->args);
		g_free(st->text);
		g_free(st->actor);
		g_free(st->op);
		g_free(st->capture);
		if (st->until)
			scn_expect_clear(st->until);
		g_free(st->until);
	}
	for (size_t i = 0; i < sc->nexpects; i++)
		scn_expect_clear(&sc->expects[i]);
	for (size_t i = 0; i < sc->nvms; i++)
		g_free(sc->vms[i].name);
	for (size_t i = 0; i < sc->nguests; i++)
		scn_guest_free(&sc->guests[i]);
	g_free(sc->guests);
	for (size_t i = 0; i < sc->nsecrets; i++) {
		g_free(sc->secrets[i].name);
		g_free(sc->secrets[i].bytes);
	}
	for (size_t i = 0; i < sc->nparams; i++) {
		g_free(sc->params[i].name);
		g_free(sc->params[i].value);
	}
	for (size_t i = 0; i < sc->nfiles; i++)
		g_free(sc->files[i]);
	g_free(sc->files);
	g_free(sc->params);
	g_free(sc->secrets);
	g_free(sc->vms);
	g_free(sc->steps);
	g_free(sc->expects);
	g_strfreev(sc->profiles);
	g_free(sc->title);
	g_free(sc->read_for);
	g_free(sc->path);
	g_free(sc);
}

bool scenario_has_profile(const struct scenario *sc, const char *profile)
{
	for (char **p = sc->profiles; *p; p++)
		if (strcmp(*p, profile) == 0)
			return true;
	return false;
}

const struct scn_guest *scenario_guest(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->nguests; i++)
		if (strcmp(sc->guests[i].name, name) == 0)
			return &sc->guests[i];
	return NULL;
}

bool scn_secret_bytes(struct parser *p, const char *name, const uint8_t **b, size_t *len)
{
	for (guint i = 0; i < p->secrets->len; i++) {
		const struct scn_secret *s = &g_array_index(p->secrets, struct scn_secret, i);
		if (strcmp(s->name, name) == 0) {
			*b = s->bytes;
			*len = s->len;
			return true;
		}
	}
	return false;
}

const struct scn_secret *scenario_secret(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->nsecrets; i++)
		if (strcmp(sc->secrets[i].name, name) == 0)
			return &sc->secrets[i];
	return NULL;
}
