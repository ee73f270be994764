/* Secure Execution cryptography over OpenSSL; see se_crypto.h. EC_POINT
 * arithmetic (not deprecated in OpenSSL 3) for the ECDH, EVP for the rest. */
#include "models/monitor/uv/se_crypto.h"

#include <errno.h>
#include <glib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>

#define COORD_PAD (SE_COORD_LEN / 2 - SE_SCALAR_LEN) /* 14 zero bytes before X and Y */

void se_sha512(const void *p, size_t n, uint8_t out[SE_SHA512_LEN])
{
	unsigned len = 0;
	if (!EVP_Digest(p, n, out, &len, EVP_sha512(), NULL))
		memset(out, 0, SE_SHA512_LEN);
}

void se_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned len = 0;
	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

void se_hmac_sha512(const uint8_t *key, size_t klen, const void *msg, size_t n,
		    uint8_t out[SE_SHA512_LEN])
{
	unsigned len = 0;
	if (!HMAC(EVP_sha512(), key, (int)klen, msg, n, out, &len))
		memset(out, 0, SE_SHA512_LEN);
}

void se_expand(const char *label, uint64_t seed, const void *ctx, size_t ctxlen, uint8_t *out,
	       size_t n)
{
	size_t ll = strlen(label);
	uint8_t *lbl = g_malloc(ll + 8), prk[SE_SHA512_LEN];
	memcpy(lbl, label, ll);
	for (int i = 0; i < 8; i++)
		lbl[ll + i] = (uint8_t)(seed >> (8 * i));
	se_sha512(lbl, ll + 8, prk);
	g_free(lbl);
	uint8_t *msg = g_malloc(ctxlen + 4), blk[SE_SHA512_LEN];
	if (ctxlen)
		memcpy(msg, ctx, ctxlen);
	for (uint32_t c = 0; n; c++) {
		for (int i = 0; i < 4; i++)
			msg[ctxlen + i] = (uint8_t)(c >> (24 - 8 * i));
		se_hmac_sha512(prk, sizeof(prk), msg, ctxlen + 4, blk);
		size_t k = n < sizeof(blk) ? n : sizeof(blk);
		memcpy(out, blk, k);
		out += k;
		n -= k;
	}
	g_free(msg);
}

/* d*G's coordinates (or d*peer's x-coordinate for ECDH). */
static int point_mul(const uint8_t priv[SE_SCALAR_LEN], const uint8_t *peer,
		     uint8_t coord[SE_COORD_LEN], uint8_t x_only[SE_SCALAR_LEN])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp521r1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = BN_bin2bn(priv, SE_SCALAR_LEN, NULL), *x = BN_new(), *y = BN_new();
	EC_POINT *p = g ? EC_POINT_new(g) : NULL, *q = g ? EC_POINT_new(g) : NULL;
	int rc = -EINVAL;
	if (!g || !ctx || !d || !x || !y || !p || !q || BN_is_zero(d) ||
	    BN_cmp(d, EC_GROUP_get0_order(g)) >= 0)
		goto out;
	if (peer) {
		BIGNUM *px = BN_bin2bn(peer + COORD_PAD, SE_SCALAR_LEN, NULL);
		BIGNUM *py = BN_bin2bn(peer + SE_COORD_LEN / 2 + COORD_PAD, SE_SCALAR_LEN, NULL);
		bool pad_zero = true;
		for (int i = 0; i < COORD_PAD; i++)
			pad_zero &= !peer[i] && !peer[SE_COORD_LEN / 2 + i];
		int ok = px && py && pad_zero && EC_POINT_set_affine_coordinates(g, p, px, py, ctx) &&
			 EC_POINT_is_on_curve(g, p, ctx) == 1 && EC_POINT_mul(g, q, NULL, p, d, ctx);
		BN_free(px);
		BN_free(py);
		if (!ok)
			goto out;
	} else if (!EC_POINT_mul(g, q, d, NULL, NULL, ctx)) {
		goto out;
	}
	if (!EC_POINT_get_affine_coordinates(g, q, x, y, ctx))
		goto out;
	if (x_only && BN_bn2binpad(x, x_only, SE_SCALAR_LEN) != SE_SCALAR_LEN)
		goto out;
	if (coord) {
		memset(coord, 0, SE_COORD_LEN);
		if (BN_bn2binpad(x, coord + COORD_PAD, SE_SCALAR_LEN) != SE_SCALAR_LEN ||
		    BN_bn2binpad(y, coord + SE_COORD_LEN / 2 + COORD_PAD, SE_SCALAR_LEN) != SE_SCALAR_LEN)
			goto out;
	}
	rc = 0;
out:
	EC_POINT_free(p);
	EC_POINT_free(q);
	BN_free(d);
	BN_free(x);
	BN_free(y);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return rc;
}

int se_key_public(const uint8_t priv[SE_SCALAR_LEN], uint8_t coord[SE_COORD_LEN])
{
	return point_mul(priv, NULL, coord, NULL);
}

void se_key_derive(const char *label, uint64_t seed, uint64_t id, struct se_key *k)
{
	size_t ll = strlen(label);
	uint8_t *buf = g_malloc0(ll + 17), h[SE_SHA512_LEN];
	memcpy(buf, label, ll);
	for (int i = 0; i < 8; i++) {
		buf[ll + 1 + i] = (uint8_t)(seed >> (8 * i));
		buf[ll + 9 + i] = (uint8_t)(id >> (8 * i));
	}
	se_sha512(buf, ll + 17, h);
	g_free(buf);
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp521r1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = BN_bin2bn(h, sizeof(h), NULL), *nm1 = g ? BN_dup(EC_GROUP_get0_order(g)) : NULL;
	memset(k, 0, sizeof(*k));
	if (g && ctx && d && nm1 && BN_sub_word(nm1, 1) && BN_nnmod(d, d, nm1, ctx) &&
	    BN_add_word(d, 1) && BN_bn2binpad(d, k->priv, SE_SCALAR_LEN) == SE_SCALAR_LEN &&
	    se_key_public(k->priv, k->coord) == 0) {
		/* derived */
	}
	BN_free(d);
	BN_free(nm1);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
}

void se_host_key(uint64_t seed, unsigned index, struct se_key *k)
{
	se_key_derive("ccsim-s390-host-key", seed, index, k);
}

void se_phkh(const uint8_t coord[SE_COORD_LEN], uint8_t out[SE_PHKH_LEN])
{
	se_sha256(coord, SE_COORD_LEN, out);
}

int se_derive_key(const uint8_t priv[SE_SCALAR_LEN], const uint8_t peer[SE_COORD_LEN],
		  uint8_t key[SE_GCM_KEY])
{
	uint8_t z[SE_SCALAR_LEN + 4] = { 0 };
	if (point_mul(priv, peer, NULL, z))
		return -EINVAL;
	z[SE_SCALAR_LEN + 3] = 1; /* crypto.rs: key.extend([0, 0, 0, 1]) */
	se_sha256(z, sizeof(z), key);
	return 0;
}

int se_gcm(bool encrypt, const uint8_t key[SE_GCM_KEY], const uint8_t iv[SE_GCM_IV],
	   const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
	   uint8_t tag[SE_GCM_TAG])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, rc = -EINVAL;
	if (!c || !EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, encrypt ? 1 : 0))
		goto out;
	if (aadlen && !EVP_CipherUpdate(c, NULL, &n, aad, (int)aadlen))
		goto out;
	if (len && !EVP_CipherUpdate(c, out, &n, in, (int)len))
		goto out;
	if (!encrypt && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SE_GCM_TAG, tag))
		goto out;
	if (!EVP_CipherFinal_ex(c, out + len, &n)) {
		rc = encrypt ? -EINVAL : -EBADMSG;
		goto out;
	}
	if (encrypt && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SE_GCM_TAG, tag))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int se_xts_page(bool encrypt, const uint8_t key[SE_XTS_KEY], const uint8_t tweak[SE_TWEAK_LEN],
		const uint8_t *in, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, rc = -EINVAL;
	if (c && EVP_CipherInit_ex(c, EVP_aes_256_xts(), NULL, key, tweak, encrypt ? 1 : 0) &&
	    EVP_CipherUpdate(c, out, &n, in, SE_PAGE) && n == SE_PAGE &&
	    EVP_CipherFinal_ex(c, out + n, &n))
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int se_keyslot_wrap(const uint8_t cust_priv[SE_SCALAR_LEN], const uint8_t host[SE_COORD_LEN],
		    const uint8_t key[SE_GCM_KEY], uint8_t slot[SE_KEYSLOT_LEN])
{
	uint8_t k[SE_GCM_KEY], iv[SE_GCM_IV] = { 0 };
	if (se_derive_key(cust_priv, host, k))
		return -EINVAL;
	se_phkh(host, slot);
	return se_gcm(true, k, iv, NULL, 0, key, SE_GCM_KEY, slot + SE_PHKH_LEN,
		      slot + SE_PHKH_LEN + SE_GCM_KEY);
}

int se_keyslot_unwrap(const struct se_key *host, const uint8_t cust[SE_COORD_LEN],
		      const uint8_t slot[SE_KEYSLOT_LEN], uint8_t key[SE_GCM_KEY])
{
	uint8_t h[SE_PHKH_LEN], k[SE_GCM_KEY], iv[SE_GCM_IV] = { 0 }, tag[SE_GCM_TAG];
	se_phkh(host->coord, h);
	if (memcmp(h, slot, SE_PHKH_LEN) != 0)
		return -ENOENT;
	if (se_derive_key(host->priv, cust, k))
		return -EBADMSG;
	memcpy(tag, slot + SE_PHKH_LEN + SE_GCM_KEY, SE_GCM_TAG);
	return se_gcm(false, k, iv, NULL, 0, slot + SE_PHKH_LEN, SE_GCM_KEY, key, tag) ? -EBADMSG : 0;
}

char *se_pubkey_pem(const uint8_t coord[SE_COORD_LEN])
{
	uint8_t pt[1 + 2 * SE_SCALAR_LEN];
	pt[0] = 4; /* SEC 1 2.3.3: uncompressed */
	memcpy(pt + 1, coord + COORD_PAD, SE_SCALAR_LEN);
	memcpy(pt + 1 + SE_SCALAR_LEN, coord + SE_COORD_LEN / 2 + COORD_PAD, SE_SCALAR_LEN);
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pk = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (b && pc && bio &&
	    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "secp521r1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)) &&
	    (params = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(pc) > 0 &&
	    EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) > 0 &&
	    PEM_write_bio_PUBKEY(bio, pk)) {
		char *p;
		long n = BIO_get_mem_data(bio, &p);
		if (n > 0)
			out = g_strndup(p, (gsize)n);
	}
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	return out;
}

int se_pubkey_from_pem(const char *pem, size_t len, uint8_t coord[SE_COORD_LEN], char *err,
		       size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pk = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	char group[32] = "";
	uint8_t pt[1 + 2 * SE_SCALAR_LEN];
	size_t n = 0;
	int rc = -1;
	if (!pk)
		snprintf(err, errlen, "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
	else if (!EVP_PKEY_is_a(pk, "EC") ||
		 !EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
						  NULL) ||
		 strcmp(group, "secp521r1") != 0)
		snprintf(err, errlen, "not an EC key on secp521r1 (NIST P-521), as a host key is");
	else if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) ||
		 n != sizeof(pt) || pt[0] != 4)
		snprintf(err, errlen, "cannot read the key's point");
	else {
		memset(coord, 0, SE_COORD_LEN);
		memcpy(coord + COORD_PAD, pt + 1, SE_SCALAR_LEN);
		memcpy(coord + SE_COORD_LEN / 2 + COORD_PAD, pt + 1 + SE_SCALAR_LEN, SE_SCALAR_LEN);
		rc = 0;
	}
	EVP_PKEY_free(pk);
	BIO_free(bio);
	return rc;
}
