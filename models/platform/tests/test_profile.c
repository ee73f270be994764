/* Unit tests for platform profiles: the bundled profiles, defaults, errors
 * that name file:line and what was expected, inherits, --set overrides,
 * lookup by name and the JSON echo of the resolved configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "models/memenc/memenc.h"
#include "models/platform/profile.h"

/* --- fixture: a fresh temporary folder per test --- */

struct fx {
	char *dir;
};

static int fx_setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	f->dir = g_dir_make_tmp(NULL, NULL); /* glib picks a unique name */
	*state = f;
	return f->dir ? 0 : -1;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	GDir *d = g_dir_open(f->dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Writes `text` as `name` in the fixture folder; returns the path (g_free it). */
static char *put(const struct fx *f, const char *name, const char *text)
{
	char *path = g_build_filename(f->dir, name, NULL);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* Loading `text` fails with exactly "<path>:<line>: <msg>" (or only starting so, if !exact). */
static void assert_load_error(const struct fx *f, const char *text, int line, const char *msg, bool exact)
{
	struct platform_config cfg;
	char err[PROFILE_ERR_MAX] = "", want[PROFILE_ERR_MAX];
	char *path = put(f, "bad.ini", text);
	snprintf(want, sizeof(want), "%s:%d: %s", path, line, msg);
	int rc = profile_load(path, &cfg, err, sizeof(err));
	g_free(path);
	assert_int_equal(rc, -1);
	if (exact)
		assert_string_equal(err, want);
	else if (!g_str_has_prefix(err, want))
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
}

/* --- a strict little JSON checker, enough to tell whether a dump parses --- */

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL; /* also the terminating NUL */
		if (*p++ != '\\')
			continue;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!g_ascii_isxdigit(p[i]))
					return NULL;
			p += 5;
		} else if (*p && strchr("\"\\/bfnrt", *p)) {
			p++;
		} else {
			return NULL;
		}
	}
	return p + 1;
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 16)
		return NULL;
	if (*p == '"')
		return json_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (!(p = json_string(json_ws(p))) || *(p = json_ws(p)) != ':')
					return NULL;
				p++;
			}
			if (!(p = json_value(p, depth + 1)))
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-')
		p++;
	if (!g_ascii_isdigit(*p))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (g_ascii_isdigit(*p))
			p++;
	return p; /* integers are all a profile holds */
}

static bool json_valid(const char *text)
{
	const char *end = g_utf8_validate(text, -1, NULL) ? json_value(text, 0) : NULL;
	return end && *json_ws(end) == '\0';
}

/* The dump as a string (g_free it). */
static char *dump(const struct platform_config *cfg, int indent)
{
	char *text = NULL, *copy;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	profile_dump_json(cfg, f, indent);
	fclose(f);
	copy = g_strndup(text, len);
	free(text);
	return copy;
}

/* --- bundled profiles and defaults --- */

/* plain.ini: no protection blocks, one key slot, defaults for what it omits. */
static void test_bundled_plain(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	assert_int_equal(profile_load("models/platform/profiles/plain.ini", &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "plain");
	assert_int_equal(c.arch, ARCH_PLAIN);
	assert_int_equal(c.memenc_mode, MEMENC_NONE);
	assert_int_equal(c.key_slots, 1);
	assert_false(c.gpc);
	assert_false(c.rmm);
	assert_int_equal(c.freq_mhz, 2700);
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(c.dram_latency_ns, 90);
	assert_int_equal(c.l1_size, 32 * 1024);
	assert_int_equal(c.llc_size, 32 * 1024 * 1024);
	assert_int_equal(c.smc_cycles, 400); /* omitted: defaults */
}

/* cca.ini: CCA personality, XTS with 4 slots, GPC over the delegable range, the RMM. */
/* The SEV family: sev-es and sev-snp inherit sev's keys and ASID split and
 * change the personality (sev-snp adds the RMP); sev-gen1 has 15 ASIDs and
 * Zen 1's address-linear tweak (XE; XEX on updated parts), the later parts
 * a tweak no attacker can compute (XTS stands for it). */
static void test_bundled_sev(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint64_t arch, slots, min_sev, mode;
		bool rmp;
	} p[] = {
		{ "sev", ARCH_SEV, 510, 100, MEMENC_XTS, false },
		{ "sev-es", ARCH_SEV_ES, 510, 100, MEMENC_XTS, false },
		{ "sev-snp", ARCH_SEV_SNP, 510, 100, MEMENC_XTS, true },
		{ "sev-gen1", ARCH_SEV, 16, 1, MEMENC_XE, false },
		{ "sev-gen1-xex", ARCH_SEV, 16, 1, MEMENC_XEX_LINEAR, false },
	};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		struct platform_config c;
		char err[PROFILE_ERR_MAX] = "", path[96];
		snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", p[i].name);
		assert_int_equal(profile_load(path, &c, err, sizeof(err)), 0);
		assert_string_equal(c.name, p[i].name);
		assert_int_equal(c.arch, p[i].arch);
		assert_true(arch_is_sev(c.arch));
		assert_int_equal(c.memenc_mode, p[i].mode);
		assert_int_equal(c.key_slots, p[i].slots);
		assert_int_equal(c.min_sev_asid, p[i].min_sev);
		assert_true(c.asid_flush_gate);
		assert_int_equal(c.rmp, p[i].rmp);
		assert_false(c.gpc);
		assert_false(c.rmm);
	}
}

static void test_bundled_cca(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	assert_int_equal(profile_load("models/platform/profiles/cca.ini", &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "cca");
	assert_int_equal(c.arch, ARCH_CCA);
	assert_string_equal(arch_name(c.arch), "cca");
	assert_int_equal(c.memenc_mode, MEMENC_XTS);
	assert_int_equal(c.key_slots, 4);
	assert_false(c.encrypt_ns);
	assert_true(c.gpc);
	assert_true(c.rmm);
	assert_int_equal(c.gpc_pgs, 4096);
	assert_int_equal(c.gpc_pps_bits, 40);
	assert_int_equal(c.gpt_base, 0xbffc0000);
	assert_int_equal(c.gpt_l1_base, 0xbffe0000);
	assert_int_equal(c.delegable_base, 0x80000000);
	assert_int_equal(c.delegable_size, 1ull << 30);
}

/* A file naming one key gets every other key's default; the name defaults to the file name. */
static void test_defaults_fill_omitted(void **state)
{
	struct fx *f = *state;
	struct platform_config c, d;
	char err[PROFILE_ERR_MAX] = "";
	char *path = put(f, "tiny.ini", "# only the arch\n[platform]\narch = cca\n");
	assert_int_equal(profile_load(path, &c, err, sizeof(err)), 0);
	profile_defaults(&d);
	assert_string_equal(c.name, "tiny");
	assert_int_equal(c.arch, ARCH_CCA);
	strcpy(d.name, "tiny");
	d.arch = ARCH_CCA;
	assert_memory_equal(&c, &d, sizeof(c));
	g_free(path);
	path = put(f, "empty.ini", "");
	assert_int_equal(profile_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "empty");
	assert_int_equal(c.arch, ARCH_PLAIN);
	g_free(path);
}

/* --- errors name file:line and what was expected --- */

/* An unknown key is reported on its own line, naming the key and the group. */
static void test_unknown_key(void **state)
{
	assert_load_error(*state, "[platform]\narch = cca\n\n[mem]\npa_bits = 40\nbogus = 1\n", 6,
			  "unknown key \"bogus\" in [mem] (see docs/profiles.md)", true);
	assert_load_error(*state, "[mem]\npa_bits = 40\n[gpc]\n  enabled   =  true\nbits=3\n", 5,
			  "unknown key \"bits\" in [gpc] (see docs/profiles.md)", true);
}

/* An unknown group is reported on its header line, listing the groups expected. */
static void test_unknown_group(void **state)
{
	assert_load_error(*state, "# c\n[platform]\narch = cca\n[gpu]\ncores = 3\n", 4,
			  "unknown group [gpu] (expected platform, mem, memenc, cache, gpc, cpu, rmp, sev, rmm, tdx, uv, host, limits)", true);
}

/* Bad numbers, out-of-range values, bad enums, bad bools and long strings: their line and the expectation. */
static void test_bad_values(void **state)
{
	struct fx *f = *state;
	assert_load_error(f, "[mem]\n\npa_bits = 4x0\n", 3,
			  "mem.pa_bits: expected a number (decimal, 0x hex, K/M/G suffix), got \"4x0\"", true);
	assert_load_error(f, "[mem]\npa_bits = -4\n", 2,
			  "mem.pa_bits: expected a number (decimal, 0x hex, K/M/G suffix), got \"-4\"", true);
	assert_load_error(f, "[mem]\npa_bits = 60\n", 2, "mem.pa_bits: 60 is out of range [32, 52]", true);
	assert_load_error(f, "[cache]\nl1_size = 512\n", 2,
			  "cache.l1_size: 512 is out of range [1024, 1073741824]", true);
	assert_load_error(f, "[platform]\ndescription = x\narch = x86\n", 3,
			  "platform.arch: expected one of plain | cca | sev | sev-es | sev-snp | tdx | s390-se, got \"x86\"", true);
	assert_load_error(f, "[memenc]\nmode = aes\n", 2,
			  "memenc.mode: expected one of none | xts | mac | ctr-tree | xe | xex-linear, got \"aes\"", true);
	assert_load_error(f, "[gpc]\nenabled = maybe\n", 2,
			  "gpc.enabled: expected true or false, got \"maybe\"", true);
	char *text = g_strdup_printf("[platform]\nname = %064d\n", 0);
	assert_load_error(f, text, 2, "platform.name: expected at most 63 characters", true);
	g_free(text);
}

/* Values that parse alone but contradict each other fail after loading, naming both keys. */
static void test_inconsistent(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	char *path = put(f, "rmm.ini", "[rmm]\npresent = yes\n");
	char *want = g_strdup_printf("%s: inconsistent profile: rmm.present: the RMM needs gpc.enabled = true", path);
	assert_int_equal(profile_load(path, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);
}

/* The bundled tdx profile: 64 KeyIDs (6 bits), the top 32 private, the
 * TDMR and its PAMT below the KeyID bits, MAC mode; keys that disagree
 * with each other are refused by name. */
static void test_tdx_profile(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	assert_int_equal(profile_load("models/platform/profiles/tdx.ini", &c, err, sizeof(err)), 0);
	assert_int_equal(c.arch, ARCH_TDX);
	assert_string_equal(arch_name(ARCH_TDX), "tdx");
	assert_int_equal(c.key_slots, 64);
	assert_int_equal(c.tdx_keyid_bits, 6);
	assert_int_equal(c.tdx_private_keyids, 32);
	assert_int_equal(c.memenc_mode, MEMENC_MAC);
	assert_false(c.owner_only);
	static const struct { const char *text, *why; } bad[] = {
		{ "[platform]\ninherits = tdx\n[memenc]\nkey_slots = 32\n", "tdx.keyid_bits: memenc.key_slots" },
		{ "[platform]\ninherits = tdx\n[tdx]\nprivate_keyids = 63\n", "tdx.private_keyids" },
		{ "[platform]\ninherits = tdx\n[tdx]\ntdmr_base = 0x80001000\n", "tdx.tdmr_base/size" },
		{ "[platform]\ninherits = tdx\n[tdx]\npamt_base = 0x80000000\n", "tdx.pamt_base" },
		{ "[platform]\ninherits = tdx\n[memenc]\nmode = ctr-tree\n", "memenc.mode" },
	};
	/* beside copies of tdx.ini and the plain.ini it inherits */
	static const char *const parents[] = { "plain", "tdx" };
	for (size_t i = 0; i < 2; i++) {
		gchar *src = g_strdup_printf("models/platform/profiles/%s.ini", parents[i]), *text;
		gchar *name = g_strdup_printf("%s.ini", parents[i]);
		assert_true(g_file_get_contents(src, &text, NULL, NULL));
		g_free(put(f, name, text));
		g_free(text);
		g_free(name);
		g_free(src);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = put(f, "bad-tdx.ini", bad[i].text);
		assert_int_equal(profile_load(path, &c, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i].why));
		g_free(path);
	}
}

/* A line that is neither a group nor key = value is reported on its line. */
static void test_malformed_line(void **state)
{
	assert_load_error(*state, "[platform]\narch = cca\nthis line is wrong\n[mem]\n", 3,
			  "expected [group] or key = value: ", false);
	assert_load_error(*state, "# one\n[mem\npa_bits = 40\n", 2, "expected [group] or key = value: ", false);
}

/* A key above the first group is reported on its own line, after leading comments. */
static void test_key_before_group_line(void **state)
{
	assert_load_error(*state, "# a comment\n\npa_bits = 40\n[mem]\n", 3,
			  "expected [group] or key = value: ", false);
}

/* Numbers take 0x hex, '_' separators and K/M/G/T suffixes; overflow is refused. */
static void test_number_forms(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	profile_defaults(&c);
	assert_int_equal(profile_set(&c, "cache.llc_size=4M", err, sizeof(err)), 0);
	assert_int_equal(c.llc_size, 4u << 20);
	assert_int_equal(profile_set(&c, "cache.llc_size=1_024k", err, sizeof(err)), 0);
	assert_int_equal(c.llc_size, 1u << 20);
	assert_int_equal(profile_set(&c, "gpc.delegable_size=2G", err, sizeof(err)), 0);
	assert_int_equal(c.delegable_size, 2ull << 30);
	assert_int_equal(profile_set(&c, "gpc.gpt_base=0x1_0000_0000", err, sizeof(err)), 0);
	assert_int_equal(c.gpt_base, 1ull << 32);
	assert_int_equal(profile_set(&c, "gpc.gpt_base=1T", err, sizeof(err)), 0);
	assert_int_equal(c.gpt_base, 1ull << 40);
	assert_int_equal(profile_set(&c, "gpc.gpt_base=16777216T", err, sizeof(err)), -1); /* 2^64 */
	assert_int_equal(profile_set(&c, "gpc.gpt_base=99999999999999999999", err, sizeof(err)), -1);
	assert_int_equal(c.gpt_base, 1ull << 40);
}

/* A number with a leading zero is decimal, as documented ("010" is ten, not octal eight). */
static void test_number_leading_zero_is_decimal(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	profile_defaults(&c);
	assert_int_equal(profile_set(&c, "mem.dram_latency_ns=010", err, sizeof(err)), 0);
	assert_int_equal(c.dram_latency_ns, 10);
	assert_int_equal(profile_set(&c, "mem.dram_latency_ns=080", err, sizeof(err)), 0);
	assert_int_equal(c.dram_latency_ns, 80);
}

/* --- inherits --- */

/* A child starts from its parent and overrides it, wherever its inherits line stands. */
static void test_inherits_overrides(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	char *base = put(f, "base.ini", "[platform]\narch = cca\ndescription = the base\n"
					     "[mem]\ndram_latency_ns = 70\npa_bits = 44\n[gpc]\nenabled = true\n");
	char *child = put(f, "child.ini", "[mem]\ndram_latency_ns = 90\n[platform]\ninherits = base\n");
	assert_int_equal(profile_load(child, &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "child");
	assert_string_equal(c.description, "the base");
	assert_int_equal(c.arch, ARCH_CCA);
	assert_int_equal(c.dram_latency_ns, 90);
	assert_int_equal(c.pa_bits, 44);
	assert_true(c.gpc);
	assert_int_equal(c.key_slots, 16); /* set by neither: default */
	g_free(base);
	g_free(child);
}

/* A missing parent is an error on the inherits line; an error inside the parent names the parent. */
static void test_inherits_missing_or_bad_parent(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	assert_load_error(f, "[platform]\ndescription = x\ninherits = nope\n", 3,
			  "platform.inherits: no profile \"nope\" beside this file", true);
	char *parent = put(f, "parent.ini", "[mem]\n\nlatency = 3\n");
	char *child = put(f, "kid.ini", "[platform]\ninherits = parent\n");
	char *want = g_strdup_printf("%s:3: unknown key \"latency\" in [mem]", parent);
	assert_int_equal(profile_load(child, &c, err, sizeof(err)), -1);
	assert_true(g_str_has_prefix(err, want));
	g_free(want);
	g_free(parent);
	g_free(child);
}

/* An inherits loop (two files, or one naming itself) is an error, not a hang. */
static void test_inherits_loop(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	char *a = put(f, "a.ini", "[platform]\ninherits = b\n");
	char *b = put(f, "b.ini", "[platform]\ninherits = a\n");
	char *self = put(f, "self.ini", "[platform]\ninherits = self\n");
	assert_int_equal(profile_load(a, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "inherits nests deeper than 8 profiles (a loop?)"));
	err[0] = '\0';
	assert_int_equal(profile_load(self, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "inherits nests deeper than 8 profiles (a loop?)"));
	g_free(a);
	g_free(b);
	g_free(self);
}

/* --- --set overrides --- */

/* profile_set changes one key; unknown keys, bad values and a missing dot are errors. */
static void test_set(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	profile_defaults(&c);
	assert_int_equal(profile_set(&c, "mem.dram_latency_ns=80", err, sizeof(err)), 0);
	assert_int_equal(c.dram_latency_ns, 80);
	assert_int_equal(profile_set(&c, "memenc.mode=xts", err, sizeof(err)), 0);
	assert_int_equal(c.memenc_mode, MEMENC_XTS);
	assert_int_equal(profile_set(&c, "platform.description=a.b=c", err, sizeof(err)), 0);
	assert_string_equal(c.description, "a.b=c");
	assert_int_equal(profile_set(&c, "mem.latency=3", err, sizeof(err)), -1);
	assert_string_equal(err, "--set mem.latency=3: unknown profile key mem.latency");
	assert_int_equal(profile_set(&c, "platform.inherits=cca", err, sizeof(err)), -1);
	assert_string_equal(err, "--set platform.inherits=cca: unknown profile key platform.inherits");
	assert_int_equal(profile_set(&c, "mem.pa_bits=99", err, sizeof(err)), -1);
	assert_string_equal(err, "--set mem.pa_bits=99: mem.pa_bits: 99 is out of range [32, 52]");
	assert_int_equal(profile_set(&c, "gpc.enabled=on", err, sizeof(err)), -1);
	assert_string_equal(err, "--set gpc.enabled=on: gpc.enabled: expected true or false, got \"on\"");
	assert_int_equal(profile_set(&c, "pa_bits=40", err, sizeof(err)), -1);
	assert_string_equal(err, "--set pa_bits=40: expected group.key=value");
	assert_int_equal(profile_set(&c, "mem.pa_bits", err, sizeof(err)), -1);
	assert_string_equal(err, "--set mem.pa_bits: expected group.key=value");
	assert_int_equal(c.pa_bits, 40);
	assert_int_equal(c.dram_latency_ns, 80);
}

/* --- lookup --- */

/* Names resolve under models/platform/profiles, or first in $CCSIM_PROFILE_DIR; paths are taken as is. */
static void test_find(void **state)
{
	struct fx *f = *state;
	char path[4096], err[PROFILE_ERR_MAX] = "";
	char *saved = g_strdup(g_getenv("CCSIM_PROFILE_DIR"));
	g_unsetenv("CCSIM_PROFILE_DIR");
	assert_int_equal(profile_find("cca", path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, "models/platform/profiles/cca.ini");
	assert_int_equal(profile_find("nope", path, sizeof(path), err, sizeof(err)), -1);
	assert_true(g_str_has_prefix(err, "unknown profile \"nope\" (looked in $CCSIM_PROFILE_DIR, "
					  "models/platform/profiles, "));
	assert_int_equal(profile_find("models/platform/profiles/plain.ini", path, sizeof(path), err,
				      sizeof(err)), 0);
	assert_string_equal(path, "models/platform/profiles/plain.ini");
	assert_int_equal(profile_find("no/such.ini", path, sizeof(path), err, sizeof(err)), -1);
	assert_string_equal(err, "no/such.ini: no such profile file");

	char *mine = put(f, "cca.ini", "[platform]\narch = plain\n");
	g_setenv("CCSIM_PROFILE_DIR", f->dir, TRUE);
	int rc = profile_find("cca", path, sizeof(path), err, sizeof(err));
	int rc_plain = profile_find("plain", path + 2048, 2048, err, sizeof(err));
	if (saved)
		g_setenv("CCSIM_PROFILE_DIR", saved, TRUE);
	else
		g_unsetenv("CCSIM_PROFILE_DIR");
	assert_int_equal(rc, 0);
	assert_string_equal(path, mine);
	assert_int_equal(rc_plain, 0); /* not in the env folder: the next place */
	assert_string_equal(path + 2048, "models/platform/profiles/plain.ini");
	g_free(mine);
	g_free(saved);
}

/* --- JSON echo --- */

/* The checker used below accepts good JSON and refuses what the dump must not contain. */
static void test_json_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\": {\"b\": 1, \"c\": \"x\\\"y\\u00e9\", \"d\": [true, false]}}"));
	assert_true(json_valid("{\"caf\xc3\xa9\": \"\xc3\xa9\"}"));
	assert_false(json_valid("{\"a\": \"\\303\\251\"}")); /* octal escapes */
	assert_false(json_valid("{\"a\": 1,}"));
	assert_false(json_valid("{\"a\": 1}}"));
	assert_false(json_valid("{\"a\": 010}"));
}

/* The resolved cca profile dumps as valid JSON grouped by section, every key but inherits. */
static void test_dump_json(void **state)
{
	(void)state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	assert_int_equal(profile_load("models/platform/profiles/cca.ini", &c, err, sizeof(err)), 0);
	char *text = dump(&c, 0);
	assert_true(json_valid(text));
	assert_true(g_str_has_prefix(text, "{\n  \"platform\": {\n    \"name\": \"cca\",\n"));
	assert_true(g_str_has_suffix(text, "\n  \"limits\": {\n    \"max_cycles\": 1000000000\n  }\n}"));
	assert_non_null(strstr(text, "\n  \"host\": {\n    \"exit_cycles\": "));
	assert_non_null(strstr(text, "\n  \"rmm\": {\n    \"present\": true,\n    \"timer\": \"host\",\n"));
	const char *want[] = {
		"\n    \"arch\": \"cca\",\n",   "\n  \"mem\": {\n    \"pa_bits\": 40,\n",
		"\n    \"mode\": \"xts\",\n",    "\n    \"key_slots\": 4,\n",
		"\n    \"encrypt_ns\": false,\n", "\n    \"l1_size\": 32768,\n",
		"\n    \"enabled\": true,\n",   "\n    \"gpt_base\": 3220963328,\n",
		"\n    \"tlbi_cycles\": 200,\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("dump lacks %s", want[i]);
	assert_null(strstr(text, "inherits"));
	g_free(text);
	text = dump(&c, 2); /* nested in a bigger document */
	assert_true(json_valid(text));
	assert_true(g_str_has_prefix(text, "{\n      \"platform\": {\n        \"name\": \"cca\",\n"));
	assert_true(g_str_has_suffix(text, "\n      }\n    }"));
	g_free(text);
}

/* Quotes, backslashes and non-ASCII text in a description stay valid JSON. */
static void test_dump_json_escapes(void **state)
{
	struct fx *f = *state;
	struct platform_config c;
	char err[PROFILE_ERR_MAX] = "";
	char *path = put(f, "odd.ini", "[platform]\ndescription = say \"hi\" \\\\ caf\xc3\xa9 \xe2\x86\x92 realm\n");
	assert_int_equal(profile_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.description, "say \"hi\" \\ caf\xc3\xa9 \xe2\x86\x92 realm");
	char *text = dump(&c, 0), line[80] = "";
	bool valid = json_valid(text);
	const char *desc = strstr(text, "\"description\": \"say \\\"hi\\\" \\\\ caf");
	if (desc)
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(desc, "\n"), desc);
	g_free(text);
	g_free(path);
	assert_true(line[0]);
	if (!valid)
		fail_msg("not valid JSON: %s", line);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_bundled_plain),
		T(test_bundled_cca),
		T(test_bundled_sev),
		T(test_defaults_fill_omitted),
		T(test_unknown_key),
		T(test_unknown_group),
		T(test_bad_values),
		T(test_inconsistent),
		T(test_tdx_profile),
		T(test_malformed_line),
		T(test_key_before_group_line),
		T(test_number_forms),
		T(test_number_leading_zero_is_decimal),
		T(test_inherits_overrides),
		T(test_inherits_missing_or_bad_parent),
		T(test_inherits_loop),
		T(test_set),
		T(test_find),
		T(test_json_checker),
		T(test_dump_json),
		T(test_dump_json_escapes),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
