/* SE headers, images and attestation requests; see se_image.h. */
#include "models/monitor/uv/se_image.h"

#include <errno.h>
#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

#include "models/monitor/uv/uv_abi.h"

/* --- the header --- */

static size_t hdr_size(uint64_t nks)
{
	return SE_HDR_PLAIN + nks * SE_KEYSLOT_LEN + SE_HDR_SEA + SE_GCM_TAG;
}

/* The confidential part (hdr_v1.rs SeHdrConfV1): CCK, XTS key, PSW, SCF,
 * NOI = 0 (no optional items), reserved. */
static void conf_pack(const struct se_hdr *h, uint8_t c[SE_HDR_SEA])
{
	memset(c, 0, SE_HDR_SEA);
	memcpy(c, h->cck, 32);
	memcpy(c + 32, h->xts, SE_XTS_KEY);
	uv_put64(c + 96, h->psw_mask);
	uv_put64(c + 104, h->psw_addr);
	uv_put64(c + 112, h->scf);
}

static void conf_unpack(const uint8_t c[SE_HDR_SEA], struct se_hdr *h)
{
	memcpy(h->cck, c, 32);
	memcpy(h->xts, c + 32, SE_XTS_KEY);
	h->psw_mask = uv_be64(c + 96);
	h->psw_addr = uv_be64(c + 104);
	h->scf = uv_be64(c + 112);
}

int se_hdr_peek(const uint8_t *buf, size_t len, struct se_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (len < SE_HDR_PLAIN || memcmp(buf, SE_HDR_MAGIC, 8) != 0)
		return -1;
	h->version = uv_be32(buf + 8);
	h->sehs = uv_be32(buf + SEH_SEHS);
	memcpy(h->iv, buf + SEH_IV, SE_GCM_IV);
	h->nks = uv_be64(buf + SEH_NKS);
	h->sea = uv_be64(buf + SEH_SEA);
	h->nep = uv_be64(buf + SEH_NEP);
	h->pcf = uv_be64(buf + SEH_PCF);
	memcpy(h->cust, buf + SEH_CUST, SE_COORD_LEN);
	memcpy(h->pld, buf + SEH_PLD, SE_SHA512_LEN);
	memcpy(h->ald, buf + SEH_ALD, SE_SHA512_LEN);
	memcpy(h->tld, buf + SEH_TLD, SE_SHA512_LEN);
	if (h->version != SE_HDR_VERSION || h->nks == 0 || h->nks > SE_HDR_NKS_MAX ||
	    h->sea != SE_HDR_SEA || h->sehs != hdr_size(h->nks) || h->sehs > len)
		return -1;
	memcpy(h->tag, buf + SE_HDR_PLAIN + h->nks * SE_KEYSLOT_LEN + SE_HDR_SEA, SE_GCM_TAG);
	return 0;
}

enum se_open_err se_hdr_open(const uint8_t *buf, size_t len, const struct se_key *keys,
			     size_t nkeys, struct se_hdr *h)
{
	if (se_hdr_peek(buf, len, h))
		return SE_OPEN_MALFORMED;
	size_t plain = SE_HDR_PLAIN + h->nks * SE_KEYSLOT_LEN;
	bool named = false;
	uint8_t pkey[SE_GCM_KEY];
	for (size_t k = 0; k < nkeys; k++)
		for (uint64_t s = 0; s < h->nks; s++) {
			int r = se_keyslot_unwrap(&keys[k], h->cust, buf + SE_HDR_PLAIN + s * SE_KEYSLOT_LEN,
						  pkey);
			named |= r != -ENOENT;
			if (r)
				continue;
			uint8_t conf[SE_HDR_SEA], tag[SE_GCM_TAG];
			memcpy(tag, h->tag, SE_GCM_TAG);
			if (se_gcm(false, pkey, h->iv, buf, plain, buf + plain, SE_HDR_SEA, conf, tag))
				return SE_OPEN_BAD_TAG;
			conf_unpack(conf, h);
			se_phkh(keys[k].coord, h->phkh);
			return SE_OPEN_OK;
		}
	return named ? SE_OPEN_BAD_TAG : SE_OPEN_NO_KEY;
}

/* --- building an image --- */

struct img_keys {
	uint8_t prot[SE_GCM_KEY], xts[SE_XTS_KEY], cck[32], iv[SE_GCM_IV];
	uint8_t rand[SE_IMG_COMP_MAX][6];
	uint8_t ctx[SE_SHA512_LEN];
};

/* Every key of the image from its seed and its content (genprotimg draws
 * them at random; ccsim derives them so a rebuild gives the same bytes). */
static void img_keys(const struct se_comp_in *comps, size_t ncomp, const struct se_image_opts *o,
		     struct img_keys *k)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 0;
	EVP_DigestInit_ex(c, EVP_sha512(), NULL);
	for (size_t i = 0; i < ncomp; i++) {
		uint8_t f[18];
		uv_put64(f, comps[i].addr);
		uv_put64(f + 8, comps[i].len);
		uv_put16(f + 16, comps[i].kind);
		EVP_DigestUpdate(c, f, sizeof(f));
		EVP_DigestUpdate(c, comps[i].data, comps[i].len);
	}
	EVP_DigestFinal_ex(c, k->ctx, &n);
	EVP_MD_CTX_free(c);
	uint8_t m[SE_GCM_KEY + SE_XTS_KEY + 32 + SE_GCM_IV + 6 * SE_IMG_COMP_MAX];
	se_expand("ccsim-se-image", o->seed, k->ctx, sizeof(k->ctx), m, sizeof(m));
	size_t p = 0;
	memcpy(k->prot, m + p, SE_GCM_KEY), p += SE_GCM_KEY;
	memcpy(k->xts, m + p, SE_XTS_KEY), p += SE_XTS_KEY;
	memcpy(k->cck, m + p, 32), p += 32;
	memcpy(k->iv, m + p, SE_GCM_IV), p += SE_GCM_IV;
	memcpy(k->rand, m + p, sizeof(k->rand));
}

void se_image_cck(const struct se_comp_in *comps, size_t ncomp, const struct se_image_opts *o,
		  uint8_t cck[32])
{
	struct img_keys k;
	img_keys(comps, ncomp, o, &k);
	memcpy(cck, k.cck, 32);
}

static uint64_t pages_of(size_t len)
{
	return len ? (len + SE_PAGE - 1) / SE_PAGE : 1;
}

int se_image_build(const struct se_comp_in *comps, size_t ncomp, const uint8_t *hosts,
		   size_t nhosts, const struct se_image_opts *o, uint8_t **out, size_t *outlen,
		   char *err, size_t errlen)
{
	if (ncomp == 0 || ncomp > SE_IMG_COMP_MAX || nhosts == 0 || nhosts > SE_HDR_NKS_MAX) {
		snprintf(err, errlen, "an image takes 1..%u components and 1..%u host keys",
			 SE_IMG_COMP_MAX, SE_HDR_NKS_MAX);
		return -1;
	}
	uint64_t next = 0, nep = 0;
	for (size_t i = 0; i < ncomp; i++) {
		if (comps[i].addr % SE_PAGE || comps[i].addr < next) {
			snprintf(err, errlen, "component %zu: address %#llx is not 4 KiB aligned above "
				 "the previous component's end %#llx", i + 1,
				 (unsigned long long)comps[i].addr, (unsigned long long)next);
			return -1;
		}
		next = comps[i].addr + pages_of(comps[i].len) * SE_PAGE;
		nep += pages_of(comps[i].len);
	}
	struct img_keys k;
	img_keys(comps, ncomp, o, &k);
	struct se_key cust;
	se_key_derive("ccsim-se-image-customer", o->seed, uv_be64(k.ctx), &cust);
	size_t hlen = hdr_size(nhosts), off = (SE_IMG_FIXED + ncomp * SE_IMG_ENTRY + hlen + SE_PAGE - 1) /
					       SE_PAGE * SE_PAGE;
	size_t total = off + nep * SE_PAGE;
	uint8_t *img = g_malloc0(total), *h = img + SE_IMG_FIXED + ncomp * SE_IMG_ENTRY;
	EVP_MD_CTX *dg[3] = { EVP_MD_CTX_new(), EVP_MD_CTX_new(), EVP_MD_CTX_new() };
	for (int d = 0; d < 3; d++)
		EVP_DigestInit_ex(dg[d], EVP_sha512(), NULL);
	int rc = 0;
	memcpy(img, SE_IMG_MAGIC, 8);
	uv_put32(img + 8, 1);
	uv_put32(img + 12, (uint32_t)ncomp);
	uv_put64(img + 16, SE_IMG_FIXED + ncomp * SE_IMG_ENTRY);
	uv_put64(img + 24, hlen);
	for (size_t i = 0; i < ncomp && !rc; i++) {
		uint8_t *e = img + SE_IMG_FIXED + i * SE_IMG_ENTRY, tweak[SE_TWEAK_LEN];
		uint64_t np = pages_of(comps[i].len);
		uv_put16(tweak, comps[i].kind); /* se_img_comps.rs CompTweakPrefV1 */
		memcpy(tweak + 2, k.rand[i], 6);
		uv_put64(e, comps[i].addr);
		uv_put64(e + 8, np * SE_PAGE);
		memcpy(e + 16, tweak, 8);
		uv_put64(e + 24, off);
		for (uint64_t pg = 0; pg < np && !rc; pg++, off += SE_PAGE) {
			uint8_t plain[SE_PAGE] = { 0 }, a[8];
			size_t from = pg * SE_PAGE, n = comps[i].len > from ? comps[i].len - from : 0;
			memcpy(plain, comps[i].data + from, n < SE_PAGE ? n : SE_PAGE);
			uv_put64(tweak + 8, pg * SE_PAGE); /* CompTweakV1.pg_idx grows by the chunk size */
			rc = se_xts_page(true, k.xts, tweak, plain, img + off);
			uv_put64(a, comps[i].addr + pg * SE_PAGE);
			EVP_DigestUpdate(dg[0], img + off, SE_PAGE);
			EVP_DigestUpdate(dg[1], a, 8);
			EVP_DigestUpdate(dg[2], tweak, SE_TWEAK_LEN);
		}
	}
	unsigned n;
	struct se_hdr sh = { .psw_mask = SE_PSW_MASK_64,
			     .psw_addr = o->psw_addr ? o->psw_addr : comps[0].addr };
	memcpy(sh.cck, k.cck, 32);
	memcpy(sh.xts, k.xts, SE_XTS_KEY);
	EVP_DigestFinal_ex(dg[0], h + SEH_PLD, &n);
	EVP_DigestFinal_ex(dg[1], h + SEH_ALD, &n);
	EVP_DigestFinal_ex(dg[2], h + SEH_TLD, &n);
	for (int d = 0; d < 3; d++)
		EVP_MD_CTX_free(dg[d]);
	memcpy(h, SE_HDR_MAGIC, 8);
	uv_put32(h + 8, SE_HDR_VERSION);
	uv_put32(h + SEH_SEHS, (uint32_t)hlen);
	memcpy(h + SEH_IV, k.iv, SE_GCM_IV);
	uv_put64(h + SEH_NKS, nhosts);
	uv_put64(h + SEH_SEA, SE_HDR_SEA);
	uv_put64(h + SEH_NEP, nep);
	uv_put64(h + SEH_PCF, o->pcf);
	memcpy(h + SEH_CUST, cust.coord, SE_COORD_LEN);
	for (size_t s = 0; s < nhosts && !rc; s++)
		rc = se_keyslot_wrap(cust.priv, hosts + s * SE_COORD_LEN, k.prot,
				     h + SE_HDR_PLAIN + s * SE_KEYSLOT_LEN);
	size_t plain = SE_HDR_PLAIN + nhosts * SE_KEYSLOT_LEN;
	uint8_t conf[SE_HDR_SEA];
	conf_pack(&sh, conf);
	if (!rc)
		rc = se_gcm(true, k.prot, k.iv, h, plain, conf, SE_HDR_SEA, h + plain,
			    h + plain + SE_HDR_SEA);
	if (rc) {
		snprintf(err, errlen, "a host key is not a point of P-521");
		g_free(img);
		return -1;
	}
	*out = img;
	*outlen = total;
	return 0;
}

int se_image_parse(const uint8_t *buf, size_t len, struct se_image_view *v, char *err,
		   size_t errlen)
{
	memset(v, 0, sizeof(*v));
	if (len < SE_IMG_FIXED || memcmp(buf, SE_IMG_MAGIC, 8) != 0) {
		snprintf(err, errlen, "byte 0: not a ccsim SE image (expected magic \"%s\")", SE_IMG_MAGIC);
		return -1;
	}
	if (uv_be32(buf + 8) != 1) {
		snprintf(err, errlen, "byte 8: version %u, expected 1", uv_be32(buf + 8));
		return -1;
	}
	v->ncomp = uv_be32(buf + 12);
	uint64_t ho = uv_be64(buf + 16), hl = uv_be64(buf + 24);
	if (v->ncomp == 0 || v->ncomp > SE_IMG_COMP_MAX || SE_IMG_FIXED + v->ncomp * SE_IMG_ENTRY > len) {
		snprintf(err, errlen, "byte 12: %zu components (1..%u, with their table inside the file)",
			 v->ncomp, SE_IMG_COMP_MAX);
		return -1;
	}
	if (hl < SE_HDR_PLAIN || hl > SE_HDR_MAX || ho > len || hl > len - ho) {
		snprintf(err, errlen, "byte 16: the SE header (offset %llu, %llu bytes) lies outside "
			 "the file or is not %u..%u bytes", (unsigned long long)ho, (unsigned long long)hl,
			 SE_HDR_PLAIN, SE_HDR_MAX);
		return -1;
	}
	v->hdr = buf + ho;
	v->hdr_len = hl;
	for (size_t i = 0; i < v->ncomp; i++) {
		const uint8_t *e = buf + SE_IMG_FIXED + i * SE_IMG_ENTRY;
		uint64_t sz = uv_be64(e + 8), o = uv_be64(e + 24);
		if (sz == 0 || sz % SE_PAGE || o > len || sz > len - o || uv_be64(e) % SE_PAGE) {
			snprintf(err, errlen, "byte %zu: component %zu (address %#llx, %llu bytes at "
				 "offset %llu) is not whole aligned pages inside the file",
				 (size_t)(e - buf), i + 1, (unsigned long long)uv_be64(e),
				 (unsigned long long)sz, (unsigned long long)o);
			return -1;
		}
		v->comp[i].addr = uv_be64(e);
		v->comp[i].size = sz;
		v->comp[i].tweak = uv_be64(e + 16);
		v->comp[i].data = buf + o;
	}
	return 0;
}

/* --- attestation requests --- */

int se_arcb_build(const uint8_t *hosts, size_t nhosts, const uint8_t mkey[SE_ARCB_MKEY],
		  const uint8_t *nonce, uint64_t paf, uint64_t seed, uint8_t **out, size_t *outlen)
{
	if (nhosts == 0 || nhosts > SE_HDR_NKS_MAX)
		return -1;
	uint32_t sea = nonce ? SE_ARCB_MKEY + SE_ARCB_NONCE : SE_ARCB_MKEY;
	size_t plain = SE_ARCB_PLAIN + nhosts * SE_KEYSLOT_LEN, len = plain + sea + SE_GCM_TAG;
	uint8_t *a = g_malloc0(len), m[SE_GCM_KEY + SE_GCM_IV], conf[SE_ARCB_MKEY + SE_ARCB_NONCE];
	se_expand("ccsim-se-arcb", seed, mkey, SE_ARCB_MKEY, m, sizeof(m));
	struct se_key cust;
	se_key_derive("ccsim-se-arcb-customer", seed, uv_be64(m), &cust);
	uv_put32(a + ARCB_REQ_VER, SE_ARCB_VERSION);
	uv_put32(a + ARCB_REQ_LEN, (uint32_t)len);
	memcpy(a + ARCB_IV, m + SE_GCM_KEY, SE_GCM_IV);
	a[ARCB_NKS] = (uint8_t)nhosts;
	uv_put32(a + ARCB_SEA, sea);
	uv_put64(a + ARCB_PAF, paf | (nonce ? SE_PAF_NONCE : 0));
	uv_put32(a + ARCB_MAI, SE_ARCB_MEAS_HMAC_SHA512);
	memcpy(a + ARCB_CPK, cust.coord, SE_COORD_LEN);
	int rc = 0;
	for (size_t s = 0; s < nhosts && !rc; s++)
		rc = se_keyslot_wrap(cust.priv, hosts + s * SE_COORD_LEN, m,
				     a + SE_ARCB_PLAIN + s * SE_KEYSLOT_LEN);
	memcpy(conf, mkey, SE_ARCB_MKEY);
	if (nonce)
		memcpy(conf + SE_ARCB_MKEY, nonce, SE_ARCB_NONCE);
	if (!rc)
		rc = se_gcm(true, m, m + SE_GCM_KEY, a, plain, conf, sea, a + plain, a + plain + sea);
	if (rc) {
		g_free(a);
		return -1;
	}
	*out = a;
	*outlen = len;
	return 0;
}

enum se_arcb_err se_arcb_open(const uint8_t *buf, size_t len, const struct se_key *keys,
			      size_t nkeys, uint8_t mkey[SE_ARCB_MKEY], uint8_t nonce[SE_ARCB_NONCE],
			      int *has_nonce, uint64_t *paf, uint8_t phkh[SE_PHKH_LEN])
{
	/* in the order kvm-unit-tests s390x/pv-attest.c sees the codes: a
	 * request too short for its key slots is "too big" (0x107) before
	 * its encrypted size is judged (0x109) */
	if (len < SE_ARCB_PLAIN || uv_be32(buf + ARCB_REQ_VER) != SE_ARCB_VERSION)
		return SE_ARCB_VERSION_BAD;
	uint32_t rl = uv_be32(buf + ARCB_REQ_LEN), sea = uv_be32(buf + ARCB_SEA);
	unsigned nks = buf[ARCB_NKS];
	size_t plain = SE_ARCB_PLAIN + (size_t)nks * SE_KEYSLOT_LEN;
	if (rl > len || rl < plain + SE_GCM_TAG)
		return SE_ARCB_LEN_BAD;
	if (nks == 0)
		return SE_ARCB_NKS_BAD;
	*paf = uv_be64(buf + ARCB_PAF);
	*has_nonce = (*paf & SE_PAF_NONCE) != 0;
	if ((sea != SE_ARCB_MKEY && sea != SE_ARCB_MKEY + SE_ARCB_NONCE) ||
	    (sea == SE_ARCB_MKEY + SE_ARCB_NONCE) != *has_nonce)
		return SE_ARCB_SEA_BAD;
	if (plain + sea + SE_GCM_TAG != rl)
		return SE_ARCB_LEN_BAD;
	if (*paf & ~SE_PAF_SUPPORTED)
		return SE_ARCB_PAF_BAD;
	if (uv_be32(buf + ARCB_MAI) != SE_ARCB_MEAS_HMAC_SHA512)
		return SE_ARCB_MAI_BAD;
	uint8_t pkey[SE_GCM_KEY], conf[SE_ARCB_MKEY + SE_ARCB_NONCE], tag[SE_GCM_TAG];
	for (size_t k = 0; k < nkeys; k++)
		for (unsigned s = 0; s < nks; s++) {
			if (se_keyslot_unwrap(&keys[k], buf + ARCB_CPK, buf + SE_ARCB_PLAIN + s * SE_KEYSLOT_LEN,
					      pkey))
				continue;
			memcpy(tag, buf + plain + sea, SE_GCM_TAG);
			if (se_gcm(false, pkey, buf + ARCB_IV, buf, plain, buf + plain, sea, conf, tag))
				return SE_ARCB_UNSEAL;
			memcpy(mkey, conf, SE_ARCB_MKEY);
			if (*has_nonce)
				memcpy(nonce, conf + SE_ARCB_MKEY, SE_ARCB_NONCE);
			se_phkh(keys[k].coord, phkh);
			return SE_ARCB_OK;
		}
	return SE_ARCB_UNSEAL;
}

void se_measurement(const uint8_t mkey[SE_ARCB_MKEY], const struct se_hdr *h,
		    const uint8_t cuid[16], const uint8_t *user, size_t ulen, const uint8_t *nonce,
		    const uint8_t *add, size_t alen, uint8_t out[SE_SHA512_LEN])
{
	size_t n = 3 * SE_SHA512_LEN + SE_GCM_TAG + 16 + 8 + ulen + (nonce ? SE_ARCB_NONCE : 0) + alen;
	uint8_t *m = g_malloc(n), *p = m;
	memcpy(p, h->pld, SE_SHA512_LEN), p += SE_SHA512_LEN;
	memcpy(p, h->ald, SE_SHA512_LEN), p += SE_SHA512_LEN;
	memcpy(p, h->tld, SE_SHA512_LEN), p += SE_SHA512_LEN;
	memcpy(p, h->tag, SE_GCM_TAG), p += SE_GCM_TAG;
	memcpy(p, cuid, 16), p += 16;
	uv_put16(p, (uint16_t)ulen);
	p[2] = p[3] = 0;
	uv_put32(p + 4, (uint32_t)alen);
	p += 8;
	if (ulen)
		memcpy(p, user, ulen), p += ulen;
	if (nonce)
		memcpy(p, nonce, SE_ARCB_NONCE), p += SE_ARCB_NONCE;
	if (alen)
		memcpy(p, add, alen);
	se_hmac_sha512(mkey, SE_ARCB_MKEY, m, n, out);
	g_free(m);
}
