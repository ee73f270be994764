/* Checking a whole sweep before it runs, the resolved machine values its
 * CSV echoes, and the fingerprint that ties a journal or a Slurm task to
 * the sweep it belongs to; see sweep_spec.h. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/lang/scenario.h"
#include "harness/sweep/sweep_spec.h"
#include "sim/sim.h"

/* Distinct error messages, the first few kept; `context` (the first
 * configuration that met the error) is not part of what makes two alike. */
struct errors {
	GString *text;
	GHashTable *seen;
	size_t shown, dropped;
};

#define ERRORS_SHOWN 10

static void errors_add(struct errors *e, const char *msg, const char *context)
{
	if (g_hash_table_contains(e->seen, msg))
		return;
	g_hash_table_add(e->seen, g_strdup(msg));
	if (e->shown == ERRORS_SHOWN) {
		e->dropped++;
		return;
	}
	g_string_append_printf(e->text, "%s%s", e->shown ? "\n" : "", msg);
	if (context)
		g_string_append_printf(e->text, " (first in: %s)", context);
	e->shown++;
}

/* The value of group.key in a profile's JSON dump (profile_dump_json at
 * indent 0: groups at two spaces, keys at four), without quotes. */
static char *dumped_value(const char *json, const char *group, const char *key)
{
	gchar *gpat = g_strdup_printf("\n  \"%s\": {", group), *kpat = g_strdup_printf("\n    \"%s\": ", key);
	const char *g = strstr(json, gpat), *end = g ? strstr(g + 1, "\n  }") : NULL;
	const char *k = g ? strstr(g, kpat) : NULL;
	char *val = NULL;
	if (k && (!end || k < end)) {
		const char *v = k + strlen(kpat);
		if (*v == '"') {
			GString *out = g_string_new(NULL);
			for (v++; *v && *v != '"'; v++) {
				if (*v == '\\' && v[1])
					v++;
				g_string_append_c(out, *v);
			}
			val = g_string_free(out, FALSE);
		} else {
			val = g_strndup(v, strcspn(v, ",\n"));
		}
	}
	g_free(gpat);
	g_free(kpat);
	return val;
}

static char *config_json(const struct platform_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	g_assert(f);
	profile_dump_json(cfg, f, 0);
	fclose(f);
	return buf;
}

/* profile_set names the option ("--set K=V: ..."); say where the value
 * came from instead. */
static const char *strip_set_prefix(const char *msg, const char *assignment)
{
	size_t n = strlen(assignment);
	if (g_str_has_prefix(msg, "--set ") && strncmp(msg + 6, assignment, n) == 0 &&
	    strncmp(msg + 6 + n, ": ", 2) == 0)
		return msg + 8 + n;
	if (g_str_has_prefix(msg, "--set: "))
		return msg + 7;
	return msg;
}

static size_t machine_product(const struct sweep_spec *s)
{
	size_t m = 1;
	for (size_t a = 0; a < s->naxes; a++)
		if (s->axes[a].machine)
			m *= s->axes[a].nvalues;
	return m;
}

/* Every profile with every machine combination: base configs, names,
 * resolved values; errors collected. */
static void check_machines(struct sweep_plan *plan, GChecksum *fp, struct errors *e)
{
	const struct sweep_spec *s = plan->spec;
	size_t per = machine_product(s);
	char err[SWEEP_ERR_MAX], path[4096];
	plan->nmachine_combos = s->nprofiles * per;
	plan->profile_paths = g_new0(char *, s->nprofiles + 1);
	plan->profile_names = g_new0(char *, s->nprofiles + 1);
	plan->resolved = g_new0(char *, plan->nmachine_combos * s->naxes + 1);
	size_t *vidx = g_new0(size_t, s->naxes + 1);
	for (size_t p = 0; p < s->nprofiles; p++) {
		struct platform_config base, cfg;
		if (profile_find(s->profiles[p], path, sizeof(path), err, sizeof(err)) ||
		    profile_load(path, &base, err, sizeof(err))) {
			errors_add(e, err, NULL);
			continue;
		}
		plan->profile_paths[p] = g_strdup(path);
		plan->profile_names[p] = g_strdup(base.name);
		char *json = config_json(&base);
		g_checksum_update(fp, (const guchar *)json, (gssize)strlen(json) + 1);
		free(json);
		for (size_t m = 0; m < per; m++) {
			/* machine axes only, last fastest */
			size_t rest = m;
			for (size_t a = s->naxes; a > 0; a--) {
				if (!s->axes[a - 1].machine)
					continue;
				vidx[a - 1] = rest % s->axes[a - 1].nvalues;
				rest /= s->axes[a - 1].nvalues;
			}
			cfg = base;
			bool ok = true;
			GString *label = g_string_new(s->profiles[p]);
			for (size_t a = 0; a < s->naxes && ok; a++) {
				const struct sweep_axis *ax = &s->axes[a];
				if (!ax->machine)
					continue;
				gchar *kv = g_strdup_printf("%s=%s", ax->key, ax->values[vidx[a]]);
				g_string_append_printf(label, " %s", kv);
				if (profile_set(&cfg, kv, err, sizeof(err))) {
					gchar *msg = g_strdup_printf("%s: %s", ax->where[vidx[a]],
								     strip_set_prefix(err, kv));
					errors_add(e, msg, label->str);
					g_free(msg);
					ok = false;
				}
				g_free(kv);
			}
			g_string_free(label, TRUE);
			if (!ok)
				continue;
			char *cj = config_json(&cfg);
			size_t combo = p * per + m;
			for (size_t a = 0; a < s->naxes; a++) {
				if (!s->axes[a].machine)
					continue;
				gchar *group = g_strndup(s->axes[a].key, strcspn(s->axes[a].key, "."));
				plan->resolved[combo * s->naxes + a] =
					dumped_value(cj, group, strchr(s->axes[a].key, '.') + 1);
				g_free(group);
			}
			free(cj);
		}
	}
	g_free(vidx);
}

/* The scenario with every param combination. */
static void check_params(const struct sweep_spec *s, struct errors *e)
{
	size_t n = 1, np = 0;
	for (size_t a = 0; a < s->naxes; a++)
		if (!s->axes[a].machine) {
			n *= s->axes[a].nvalues;
			np++;
		}
	if (!np)
		return;
	char err[SWEEP_ERR_MAX];
	char **ov = g_new0(char *, np + 1);
	for (size_t c = 0; c < n; c++) {
		size_t rest = c, k = np;
		for (size_t a = s->naxes; a > 0; a--) {
			const struct sweep_axis *ax = &s->axes[a - 1];
			if (ax->machine)
				continue;
			ov[--k] = g_strdup_printf("%s=%s", ax->key, ax->values[rest % ax->nvalues]);
			rest /= ax->nvalues;
		}
		struct scenario *sc = scenario_load(s->scenario, ov, np, err, sizeof(err));
		if (!sc) {
			GString *label = g_string_new(NULL);
			for (size_t i = 0; i < np; i++)
				g_string_append_printf(label, "%s%s", i ? " " : "", ov[i]);
			errors_add(e, err, label->str);
			g_string_free(label, TRUE);
		}
		scenario_free(sc);
		for (size_t i = 0; i < np; i++)
			g_free(ov[i]);
	}
	g_free(ov);
}

static void fingerprint_str(GChecksum *fp, const char *s)
{
	g_checksum_update(fp, (const guchar *)s, (gssize)strlen(s) + 1);
}

int sweep_plan_make(struct sweep_spec *s, struct sweep_plan *plan, char *err, size_t errlen)
{
	char msg[SWEEP_ERR_MAX];
	memset(plan, 0, sizeof(*plan));
	plan->spec = s;
	struct scenario *sc = scenario_load(s->scenario, NULL, 0, msg, sizeof(msg));
	if (!sc) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	if (!s->nprofiles)
		for (char **p = sc->profiles; *p; p++)
			sweep_spec_add_profiles(s, *p, "", msg, sizeof(msg));
	/* Count with an overflow check. */
	size_t n = s->nprofiles;
	for (size_t a = 0; a < s->naxes; a++) {
		if (n > SWEEP_MAX_CONFIGS / s->axes[a].nvalues) {
			n = SWEEP_MAX_CONFIGS + 1;
			break;
		}
		n *= s->axes[a].nvalues;
	}
	if (n > SWEEP_MAX_CONFIGS) {
		snprintf(err, errlen, "more than %u configurations", SWEEP_MAX_CONFIGS);
		scenario_free(sc);
		return -1;
	}
	plan->nconfigs = n;

	/* What decides the results: the version, every file the scenario
	 * reads, each profile's resolved configuration, the swept values,
	 * the counters and the seed. Paths are left out, so a sweep moved to
	 * another folder (or a cluster) keeps its fingerprint. */
	GChecksum *fp = g_checksum_new(G_CHECKSUM_SHA256);
	fingerprint_str(fp, "ccsim.sweep/1");
	fingerprint_str(fp, CCSIM_VERSION);
	for (size_t i = 0; i < sc->nfiles; i++) {
		gchar *text = NULL;
		gsize len = 0;
		if (g_file_get_contents(sc->files[i], &text, &len, NULL))
			g_checksum_update(fp, (const guchar *)text, (gssize)len);
		fingerprint_str(fp, "");
		g_free(text);
	}
	scenario_free(sc);

	struct errors e = { g_string_new(NULL), g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
	check_machines(plan, fp, &e);
	check_params(s, &e);
	for (size_t a = 0; a < s->naxes; a++) {
		fingerprint_str(fp, s->axes[a].key);
		for (size_t v = 0; v < s->axes[a].nvalues; v++)
			fingerprint_str(fp, s->axes[a].values[v]);
	}
	for (size_t i = 0; i < s->ncounters; i++)
		fingerprint_str(fp, s->counters[i]);
	gchar *seed = g_strdup_printf("seed %llu", (unsigned long long)s->seed);
	fingerprint_str(fp, seed);
	g_free(seed);
	g_strlcpy(plan->fingerprint, g_checksum_get_string(fp), sizeof(plan->fingerprint));
	g_checksum_free(fp);

	int rc = 0;
	if (e.shown) {
		if (e.dropped)
			g_string_append_printf(e.text, "\n(and %zu more errors)", e.dropped);
		snprintf(err, errlen, "%s", e.text->str);
		rc = -1;
	}
	g_string_free(e.text, TRUE);
	g_hash_table_destroy(e.seen);
	if (rc)
		sweep_plan_free(plan);
	return rc;
}

void sweep_plan_free(struct sweep_plan *plan)
{
	const struct sweep_spec *s = plan->spec;
	if (s && plan->profile_paths)
		for (size_t p = 0; p < s->nprofiles; p++) {
			g_free(plan->profile_paths[p]);
			g_free(plan->profile_names[p]);
		}
	g_free(plan->profile_paths);
	g_free(plan->profile_names);
	if (s && plan->resolved)
		for (size_t i = 0; i < plan->nmachine_combos * s->naxes; i++)
			g_free(plan->resolved[i]);
	g_free(plan->resolved);
	memset(plan, 0, sizeof(*plan));
}
