/* Building a sweep and numbering its configurations; see sweep_spec.h. */
#include "harness/sweep/sweep_spec.h"

#include <glib.h>
#include <string.h>

void sweep_spec_init(struct sweep_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->seed = 1;
}

void sweep_spec_free(struct sweep_spec *s)
{
	g_free(s->scenario);
	for (size_t i = 0; i < s->nprofiles; i++)
		g_free(s->profiles[i]);
	g_free(s->profiles);
	for (size_t i = 0; i < s->naxes; i++) {
		g_free(s->axes[i].key);
		g_strfreev(s->axes[i].values);
		g_strfreev(s->axes[i].where);
	}
	g_free(s->axes);
	for (size_t i = 0; i < s->ncounters; i++)
		g_free(s->counters[i]);
	g_free(s->counters);
	sweep_spec_init(s);
}

/* A key: a param name, or group.key (one dot); letters, digits, _ and -. */
static bool key_ok(const char *k, size_t len)
{
	size_t dots = 0;
	if (!len || k[0] == '.' || k[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (k[i] == '.')
			dots++;
		else if (!g_ascii_isalnum(k[i]) && k[i] != '_' && k[i] != '-')
			return false;
	}
	return dots <= 1;
}

int sweep_spec_add_set(struct sweep_spec *s, const char *assignment, const char *where, char *err,
		       size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || !key_ok(assignment, (size_t)(eq - assignment))) {
		snprintf(err, errlen, "%s: expected NAME=V1,V2,... or GROUP.KEY=V1,V2,..., got \"%s\"",
			 where, assignment);
		return -1;
	}
	gchar *key = g_strndup(assignment, (gsize)(eq - assignment));
	for (size_t i = 0; i < s->naxes; i++)
		if (strcmp(s->axes[i].key, key) == 0) {
			snprintf(err, errlen, "%s: %s is already swept (give every value in one list: %s=A,B,...)",
				 where, key, key);
			g_free(key);
			return -1;
		}
	gchar **values = g_strsplit(eq + 1, ",", -1);
	size_t n = g_strv_length(values);
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(values[k], values[i]) == 0;
		if (!values[i][0] || dup) {
			snprintf(err, errlen, "%s: %s: %s value%s%s%s", where, key, dup ? "repeated" : "empty",
				 dup ? " \"" : " in the list", dup ? values[i] : "", dup ? "\"" : "");
			g_strfreev(values);
			g_free(key);
			return -1;
		}
	}
	s->axes = g_renew(struct sweep_axis, s->axes, s->naxes + 1);
	struct sweep_axis *a = &s->axes[s->naxes++];
	a->key = key;
	a->machine = strchr(key, '.') != NULL;
	a->values = values;
	a->nvalues = n;
	a->where = g_new0(char *, n + 1);
	for (size_t i = 0; i < n; i++)
		a->where[i] = g_strdup(where);
	return 0;
}

int sweep_spec_add_profiles(struct sweep_spec *s, const char *list, const char *where, char *err,
			    size_t errlen)
{
	gchar **names = g_strsplit(list, ",", -1);
	int rc = 0;
	for (gchar **p = names; *p && rc == 0; p++) {
		bool dup = false;
		for (size_t k = 0; k < s->nprofiles; k++)
			dup |= strcmp(s->profiles[k], *p) == 0;
		if (!**p || dup) {
			snprintf(err, errlen, "%s: %s profile%s%s%s", where, dup ? "repeated" : "empty",
				 dup ? " \"" : " name", dup ? *p : "", dup ? "\"" : "");
			rc = -1;
			break;
		}
		s->profiles = g_renew(char *, s->profiles, s->nprofiles + 1);
		s->profiles[s->nprofiles++] = g_strdup(*p);
	}
	g_strfreev(names);
	return rc;
}

int sweep_spec_add_counter(struct sweep_spec *s, const char *pattern, const char *where, char *err,
			   size_t errlen)
{
	for (const char *c = pattern; *c; c++)
		if (g_ascii_isspace(*c) || *c == '=' || *c == ',') {
			snprintf(err, errlen, "%s: a counter is a statistic's name or a glob (* and ?), got \"%s\"",
				 where, pattern);
			return -1;
		}
	bool dup = !*pattern;
	for (size_t i = 0; i < s->ncounters; i++)
		dup |= strcmp(s->counters[i], pattern) == 0;
	if (dup) {
		snprintf(err, errlen, "%s: %s counter \"%s\"", where, *pattern ? "repeated" : "empty", pattern);
		return -1;
	}
	s->counters = g_renew(char *, s->counters, s->ncounters + 1);
	s->counters[s->ncounters++] = g_strdup(pattern);
	return 0;
}

int sweep_sets_unique(char *const *sets, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(sets[i], '=');
		size_t klen = eq ? (size_t)(eq - sets[i]) : strlen(sets[i]);
		for (size_t k = 0; k < i; k++)
			if (strncmp(sets[k], sets[i], klen) == 0 &&
			    (sets[k][klen] == '=' || sets[k][klen] == '\0')) {
				snprintf(err, errlen, "--set %.*s given twice (%s, then %s): give each key once",
					 (int)klen, sets[i], sets[k], sets[i]);
				return -1;
			}
	}
	return 0;
}

void sweep_config_decode(const struct sweep_spec *s, size_t index, size_t *profile, size_t *vidx)
{
	for (size_t a = s->naxes; a > 0; a--) {
		vidx[a - 1] = index % s->axes[a - 1].nvalues;
		index /= s->axes[a - 1].nvalues;
	}
	*profile = index;
}

size_t sweep_machine_combo(const struct sweep_spec *s, size_t profile, const size_t *vidx)
{
	size_t m = profile;
	for (size_t a = 0; a < s->naxes; a++)
		if (s->axes[a].machine)
			m = m * s->axes[a].nvalues + vidx[a];
	return m;
}

char *sweep_config_label(const struct sweep_spec *s, size_t index)
{
	size_t p, *vidx = g_new0(size_t, s->naxes + 1);
	sweep_config_decode(s, index, &p, vidx);
	GString *g = g_string_new(s->profiles[p]);
	for (size_t a = 0; a < s->naxes; a++)
		g_string_append_printf(g, " %s=%s", s->axes[a].key, s->axes[a].values[vidx[a]]);
	g_free(vidx);
	return g_string_free(g, FALSE);
}

void sweep_config_sets(const struct sweep_spec *s, size_t index, char ***params, size_t *nparams,
		       char ***machine, size_t *nmachine)
{
	size_t p, *vidx = g_new0(size_t, s->naxes + 1);
	sweep_config_decode(s, index, &p, vidx);
	*params = g_new0(char *, s->naxes + 1);
	*machine = g_new0(char *, s->naxes + 1);
	*nparams = *nmachine = 0;
	for (size_t a = 0; a < s->naxes; a++) {
		char *kv = g_strdup_printf("%s=%s", s->axes[a].key, s->axes[a].values[vidx[a]]);
		if (s->axes[a].machine)
			(*machine)[(*nmachine)++] = kv;
		else
			(*params)[(*nparams)++] = kv;
	}
	g_free(vidx);
}
