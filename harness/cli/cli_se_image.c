/* `ccsim se-image`: an IBM Secure Execution image in the role of s390-tools'
 * genprotimg / pvimg create, from a kernel-like payload (optionally a
 * ramdisk and a command line) for one or more host keys; the public host
 * key of a simulated machine (what a run with that seed holds); and a
 * summary of an image. The engine is models/monitor/uv/se_image.c. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv_abi.h"
#include "models/platform/profile.h"

static const char usage_se_image[] =
	"usage: ccsim se-image --kernel FILE [--ramdisk FILE] [--cmdline TEXT]\n"
	"                      (--host-key FILE | --host-key-of PROFILE)... --out FILE [options]\n"
	"       ccsim se-image --host-key-of PROFILE [--seed N] --out FILE\n"
	"       ccsim se-image --info FILE\n"
	"\n"
	"Build an IBM Secure Execution image (genprotimg's role): the components\n"
	"encrypted page by page with AES-XTS, an SE header whose key slots wrap the\n"
	"image key for each host key given (ECDH, P-521), with the digests of the\n"
	"pages, their addresses and tweaks (PLD, ALD, TLD). Only a machine holding\n"
	"one of those host keys opens it (host.uvc set_sec_conf_params; load the\n"
	"file in a scenario with host.se_image file=...). With --host-key-of and no\n"
	"--kernel: write the public host key of the simulated machine a run of\n"
	"PROFILE with --seed N has. --info: print what an image holds.\n"
	"\n"
	"  --kernel FILE        the payload: guest code and data (component 1)\n"
	"  --ramdisk FILE       a second component after it\n"
	"  --cmdline TEXT       a third, the kernel command line\n"
	"  --host-key FILE      a host public key, PEM (secp521r1); repeatable\n"
	"  --host-key-of NAME   the host key of profile NAME's machine at --seed\n"
	"  --seed N             that machine's run seed (default 1, as ccsim run's)\n"
	"  --image-seed N       the image's own keys, IVs and tweaks (default 1):\n"
	"                       the same inputs give the same bytes\n"
	"  --addr ADDR          the kernel's guest address (default 0x10000)\n"
	"  --pcf N              plaintext control flags (0x20000000: allow dumping)\n"
	"  --out FILE           where to write the image (or the key)\n"
	"\n"
	"errors name the file and exit with status 2\n";

static int bad_file(const char *file, const char *why)
{
	fprintf(stderr, "ccsim se-image: %s: %s\n", file, why);
	return 2;
}

static int read_file(const char *file, gchar **buf, gsize *len)
{
	GError *e = NULL;
	if (g_file_get_contents(file, buf, len, &e))
		return 0;
	int rc = bad_file(file, e->message);
	g_error_free(e);
	return rc;
}

/* The machine's public host key of profile `name` run with `seed`. */
static int key_of(const char *name, uint64_t seed, uint8_t coord[SE_COORD_LEN])
{
	char path[4096], err[PROFILE_ERR_MAX];
	struct platform_config cfg;
	if (profile_find(name, path, sizeof(path), err, sizeof(err)) ||
	    profile_load(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "ccsim se-image: %s\n", err);
		return 2;
	}
	if (!cfg.uv)
		return bad_file(name, "the profile has no ultravisor (uv.enabled), so no host key");
	struct se_key k;
	se_host_key(seed, 0, &k);
	memcpy(coord, k.coord, SE_COORD_LEN);
	return 0;
}

static int write_out(const char *out, const void *p, size_t n)
{
	GError *e = NULL;
	if (g_file_set_contents(out, p, (gssize)n, &e))
		return 0;
	int rc = bad_file(out, e->message);
	g_error_free(e);
	return rc;
}

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

static int info(const char *file)
{
	gchar *buf;
	gsize len;
	char err[256];
	struct se_image_view v;
	struct se_hdr h;
	if (read_file(file, &buf, &len))
		return 2;
	int rc = 0;
	if (se_image_parse((uint8_t *)buf, len, &v, err, sizeof(err))) {
		rc = bad_file(file, err);
	} else if (se_hdr_peek(v.hdr, v.hdr_len, &h)) {
		rc = bad_file(file, "the SE header is malformed (magic, version, sizes)");
	} else {
		printf("SE header        %zu bytes, version 0x%x, %llu key slot(s), %llu pages, pcf 0x%llx\n",
		       v.hdr_len, h.version, (unsigned long long)h.nks, (unsigned long long)h.nep,
		       (unsigned long long)h.pcf);
		for (uint64_t s = 0; s < h.nks; s++) {
			printf("key slot %-7llu ", (unsigned long long)s);
			hex(v.hdr + SE_HDR_PLAIN + s * SE_KEYSLOT_LEN, SE_PHKH_LEN);
		}
		for (size_t i = 0; i < v.ncomp; i++)
			printf("component %zu      guest 0x%llx, %llu bytes, tweak prefix 0x%016llx\n", i + 1,
			       (unsigned long long)v.comp[i].addr, (unsigned long long)v.comp[i].size,
			       (unsigned long long)v.comp[i].tweak);
		printf("PLD              ");
		hex(h.pld, sizeof(h.pld));
		printf("ALD              ");
		hex(h.ald, sizeof(h.ald));
		printf("TLD              ");
		hex(h.tld, sizeof(h.tld));
	}
	g_free(buf);
	return rc;
}

struct opts {
	const char *kernel, *ramdisk, *cmdline, *out, *info;
	GPtrArray *keyfiles, *keyof;
	uint64_t seed, image_seed, addr, pcf;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const char *const value_opts[] = { "--kernel", "--ramdisk", "--cmdline", "--host-key",
						  "--host-key-of", "--seed", "--image-seed", "--addr",
						  "--pcf", "--out", "--info", NULL };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!cli_known_option(a, value_opts))
			return cli_bad_usage("se-image", "unknown argument \"%s\"", a);
		if (!v)
			return cli_bad_usage("se-image", "%s needs a value", a);
		i++;
		int rc = 0;
		if (strcmp(a, "--kernel") == 0)
			o->kernel = v;
		else if (strcmp(a, "--ramdisk") == 0)
			o->ramdisk = v;
		else if (strcmp(a, "--cmdline") == 0)
			o->cmdline = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--info") == 0)
			o->info = v;
		else if (strcmp(a, "--host-key") == 0)
			g_ptr_array_add(o->keyfiles, (gpointer)v);
		else if (strcmp(a, "--host-key-of") == 0)
			g_ptr_array_add(o->keyof, (gpointer)v);
		else if (strcmp(a, "--seed") == 0)
			rc = cli_parse_u64("se-image", a, v, &o->seed);
		else if (strcmp(a, "--image-seed") == 0)
			rc = cli_parse_u64("se-image", a, v, &o->image_seed);
		else if (strcmp(a, "--addr") == 0)
			rc = cli_parse_u64("se-image", a, v, &o->addr);
		else
			rc = cli_parse_u64("se-image", a, v, &o->pcf);
		if (rc)
			return rc;
	}
	if (o->info)
		return 0;
	if (!o->out)
		return cli_bad_usage("se-image", "%s", "--out FILE is required");
	if (!o->kernel && (o->keyof->len != 1 || o->keyfiles->len))
		return cli_bad_usage("se-image", "%s", "--kernel FILE is required (or --host-key-of "
				     "PROFILE alone, to write that machine's key)");
	if (o->kernel && o->keyfiles->len + o->keyof->len == 0)
		return cli_bad_usage("se-image", "%s", "at least one --host-key or --host-key-of");
	if (o->keyfiles->len + o->keyof->len > SE_HDR_NKS_MAX)
		return cli_bad_usage("se-image", "at most %s host keys", "15");
	return 0;
}

/* The image of the components for the host keys, written to o->out. */
static int build(const struct opts *o)
{
	size_t nk = o->keyfiles->len + o->keyof->len;
	uint8_t *coords = g_malloc(nk * SE_COORD_LEN), *img = NULL;
	gchar *kernel = NULL, *ramdisk = NULL;
	gsize klen = 0, rlen = 0;
	size_t img_len = 0;
	char err[256];
	int rc = 0;
	for (guint i = 0; i < o->keyfiles->len && !rc; i++) {
		const char *f = o->keyfiles->pdata[i];
		gchar *pem = NULL;
		gsize n;
		rc = read_file(f, &pem, &n);
		if (!rc && se_pubkey_from_pem(pem, n, coords + i * SE_COORD_LEN, err, sizeof(err)))
			rc = bad_file(f, err);
		g_free(pem);
	}
	for (guint i = 0; i < o->keyof->len && !rc; i++)
		rc = key_of(o->keyof->pdata[i], o->seed, coords + (o->keyfiles->len + i) * SE_COORD_LEN);
	if (!rc)
		rc = read_file(o->kernel, &kernel, &klen);
	if (!rc && o->ramdisk)
		rc = read_file(o->ramdisk, &ramdisk, &rlen);
	if (!rc) {
		struct se_comp_in c[3];
		size_t nc = 0;
		uint64_t at = o->addr;
		c[nc++] = (struct se_comp_in){ (uint8_t *)kernel, klen, at, SE_COMP_KERNEL };
		at += (klen ? (klen + 4095) / 4096 : 1) * 4096;
		if (ramdisk) {
			c[nc++] = (struct se_comp_in){ (uint8_t *)ramdisk, rlen, at, SE_COMP_RAMDISK };
			at += (rlen ? (rlen + 4095) / 4096 : 1) * 4096;
		}
		if (o->cmdline)
			c[nc++] = (struct se_comp_in){ (const uint8_t *)o->cmdline, strlen(o->cmdline), at,
						      SE_COMP_CMDLINE };
		struct se_image_opts io = { .seed = o->image_seed, .pcf = o->pcf };
		if (se_image_build(c, nc, coords, nk, &io, &img, &img_len, err, sizeof(err)))
			rc = bad_file(o->kernel, err);
	}
	if (!rc)
		rc = write_out(o->out, img, img_len);
	g_free(img);
	g_free(kernel);
	g_free(ramdisk);
	g_free(coords);
	return rc;
}

int cli_se_image(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_se_image, stdout);
		return 0;
	}
	if (argc == 0) {
		fputs(usage_se_image, stderr);
		return 2;
	}
	struct opts o = { .keyfiles = g_ptr_array_new(), .keyof = g_ptr_array_new(), .seed = 1,
			  .image_seed = 1, .addr = 0x10000 };
	int rc = parse(argc, argv, &o);
	if (!rc && o.info) {
		rc = info(o.info);
	} else if (!rc && !o.kernel) {
		uint8_t coord[SE_COORD_LEN];
		rc = key_of(o.keyof->pdata[0], o.seed, coord);
		char *pem = rc ? NULL : se_pubkey_pem(coord);
		if (!rc)
			rc = pem ? write_out(o.out, pem, strlen(pem)) : bad_file(o.out, "cannot encode the key");
		g_free(pem);
	} else if (!rc) {
		if (o.addr % 4096)
			rc = cli_bad_usage("se-image", "--addr %s: expected a 4 KiB aligned address",
					   "ADDR");
		else
			rc = build(&o);
	}
	g_ptr_array_free(o.keyfiles, TRUE);
	g_ptr_array_free(o.keyof, TRUE);
	return rc;
}
