/* Secure Execution images (models/monitor/uv/se_image.c) against what
 * s390-tools' pvimg writes: a header only the machines it names can open,
 * whose PLD / ALD / TLD are the digests of the encrypted pages, their
 * addresses and their tweaks; the same seed gives the same bytes; ARCBs
 * open for their host; host keys round-trip through PEM. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv_abi.h"

static const char kernel[] = "a kernel-like payload: the secure guest's code and data";

static void build(uint64_t host_seed, uint64_t img_seed, uint8_t **img, size_t *len)
{
	struct se_key host;
	se_host_key(host_seed, 0, &host);
	uint8_t cmd[5000];
	memset(cmd, 'c', sizeof(cmd));
	struct se_comp_in c[2] = {
		{ (const uint8_t *)kernel, sizeof(kernel), 0x10000, SE_COMP_KERNEL },
		{ cmd, sizeof(cmd), 0x20000, SE_COMP_CMDLINE },
	};
	struct se_image_opts o = { .seed = img_seed };
	char err[256];
	assert_int_equal(se_image_build(c, 2, host.coord, 1, &o, img, len, err, sizeof(err)), 0);
}

/* An image built and read back, with the key of its host. */
static uint8_t *build_view(struct se_image_view *v, struct se_key *mine)
{
	uint8_t *img;
	size_t len;
	char err[256];
	build(1, 7, &img, &len);
	assert_int_equal(se_image_parse(img, len, v, err, sizeof(err)), 0);
	se_host_key(1, 0, mine);
	return img;
}

/* The header opens with the host key it was built for, and no other. */
static void test_header_opens_on_its_machine_only(void **state)
{
	(void)state;
	struct se_image_view v;
	struct se_key mine, other;
	uint8_t *img = build_view(&v, &mine);
	assert_int_equal(v.ncomp, 2);
	assert_int_equal(v.comp[0].addr, 0x10000);
	assert_int_equal(v.comp[0].size, 4096);
	assert_int_equal(v.comp[1].size, 8192);
	assert_int_equal(v.comp[0].tweak >> 48, SE_COMP_KERNEL);
	se_host_key(2, 0, &other);
	struct se_hdr h;
	assert_int_equal(se_hdr_open(v.hdr, v.hdr_len, &other, 1, &h), SE_OPEN_NO_KEY);
	assert_int_equal(se_hdr_open(v.hdr, v.hdr_len, &mine, 1, &h), SE_OPEN_OK);
	assert_int_equal(h.nep, 3);
	assert_int_equal(h.psw_addr, 0x10000);
	/* the first page decrypts to the payload */
	uint8_t tweak[16], page[4096];
	uv_put64(tweak, v.comp[0].tweak);
	uv_put64(tweak + 8, 0);
	assert_int_equal(se_xts_page(false, h.xts, tweak, v.comp[0].data, page), 0);
	assert_memory_equal(page, kernel, sizeof(kernel));
	/* PLD is SHA-512 over the encrypted pages in image order */
	uint8_t *all = g_malloc(3 * 4096), pld[64];
	memcpy(all, v.comp[0].data, 4096);
	memcpy(all + 4096, v.comp[1].data, 8192);
	se_sha512(all, 3 * 4096, pld);
	assert_memory_equal(pld, h.pld, 64);
	g_free(all);
	g_free(img);
}

/* A changed header byte fails the GCM tag; a truncated one is malformed. */
static void test_tampered_header_refused(void **state)
{
	(void)state;
	struct se_image_view v;
	struct se_key mine;
	uint8_t *img = build_view(&v, &mine);
	struct se_hdr h;
	((uint8_t *)v.hdr)[SEH_PLD] ^= 1;
	assert_int_equal(se_hdr_open(v.hdr, v.hdr_len, &mine, 1, &h), SE_OPEN_BAD_TAG);
	assert_int_equal(se_hdr_open(v.hdr, 100, &mine, 1, &h), SE_OPEN_MALFORMED);
	g_free(img);
}

/* Same seeds, same bytes; another image seed, other keys. */
static void test_deterministic(void **state)
{
	(void)state;
	uint8_t *a, *b, *c;
	size_t la, lb, lc;
	build(1, 7, &a, &la);
	build(1, 7, &b, &lb);
	build(1, 8, &c, &lc);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(la, lc);
	assert_true(memcmp(a, c, la) != 0);
	g_free(a);
	g_free(b);
	g_free(c);
}

/* Bad containers name the byte. */
static void test_parse_errors(void **state)
{
	(void)state;
	uint8_t *img;
	size_t len;
	build(1, 7, &img, &len);
	struct se_image_view v;
	char err[256];
	assert_int_equal(se_image_parse(img, 10, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "byte 0"));
	uv_put64(img + SE_IMG_FIXED + 24, len); /* component 1 past the end */
	assert_int_equal(se_image_parse(img, len, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "byte 32: component 1"));
	g_free(img);
}

/* An ARCB opens with its host key and yields the measurement key. */
static void test_arcb(void **state)
{
	(void)state;
	struct se_key host, other;
	se_host_key(1, 0, &host);
	se_host_key(3, 0, &other);
	uint8_t mkey[64], nonce[16], *a;
	memset(mkey, 0x41, sizeof(mkey));
	memset(nonce, 0x99, sizeof(nonce));
	size_t len;
	assert_int_equal(se_arcb_build(host.coord, 1, mkey, nonce, SE_PAF_IMAGE_PHKH, 5, &a, &len), 0);
	uint8_t got[64], gn[16], phkh[32];
	int hn;
	uint64_t paf;
	assert_int_equal(se_arcb_open(a, len, &other, 1, got, gn, &hn, &paf, phkh), SE_ARCB_UNSEAL);
	assert_int_equal(se_arcb_open(a, len, &host, 1, got, gn, &hn, &paf, phkh), SE_ARCB_OK);
	assert_memory_equal(got, mkey, 64);
	assert_true(hn);
	assert_memory_equal(gn, nonce, 16);
	a[ARCB_MAI + 3] = 0;
	assert_int_equal(se_arcb_open(a, len, &host, 1, got, gn, &hn, &paf, phkh), SE_ARCB_MAI_BAD);
	a[ARCB_NKS] = 0;
	assert_int_equal(se_arcb_open(a, len, &host, 1, got, gn, &hn, &paf, phkh), SE_ARCB_NKS_BAD);
	g_free(a);
}

/* A host key survives PEM; a non-P-521 key is refused. */
static void test_pem(void **state)
{
	(void)state;
	struct se_key host;
	se_host_key(9, 0, &host);
	char *pem = se_pubkey_pem(host.coord), err[128];
	assert_non_null(pem);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
	uint8_t coord[SE_COORD_LEN];
	assert_int_equal(se_pubkey_from_pem(pem, strlen(pem), coord, err, sizeof(err)), 0);
	assert_memory_equal(coord, host.coord, SE_COORD_LEN);
	assert_int_equal(se_pubkey_from_pem("hello", 5, coord, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PEM"));
	g_free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_opens_on_its_machine_only),
		cmocka_unit_test(test_tampered_header_refused),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_arcb),
		cmocka_unit_test(test_pem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
