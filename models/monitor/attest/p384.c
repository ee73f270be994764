/* ECDSA P-384 with RFC 6979 nonces; see p384.h. Uses OpenSSL 3 BIGNUM and
 * EC_POINT arithmetic (not deprecated) for signing, because OpenSSL 3.0's
 * EVP signer has no deterministic-nonce option, and EVP_PKEY for verifying,
 * which also cross-checks the signer. */
#include "models/monitor/attest/p384.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "sim/buf.h"

size_t p384_digest(const char *alg, const void *p, size_t n, uint8_t out[64])
{
	const EVP_MD *md = strcmp(alg, "sha-256") == 0   ? EVP_sha256()
			   : strcmp(alg, "sha-384") == 0 ? EVP_sha384()
			   : strcmp(alg, "sha-512") == 0 ? EVP_sha512()
							 : NULL;
	unsigned int len = 0;
	if (!md || !EVP_Digest(p, n, out, &len, md, NULL))
		return 0;
	return len;
}

void p384_key_derive(const char *label, uint64_t seed, int has_id, uint64_t id,
		     uint8_t priv[P384_SCALAR_LEN])
{
	uint8_t msg[256 + 17], h[64];
	size_t ll = strnlen(label, 256), n = 0;
	memcpy(msg, label, ll);
	n = ll;
	msg[n++] = 0;
	sim_le64_store(msg + n, seed);
	n += 8;
	if (has_id) {
		sim_le64_store(msg + n, id);
		n += 8;
	}
	p384_digest("sha-384", msg, n, h);
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = BN_bin2bn(h, P384_HASH_LEN, NULL), *nm1 = BN_dup(EC_GROUP_get0_order(g));
	if (!g || !ctx || !d || !nm1 || !BN_sub_word(nm1, 1) || !BN_nnmod(d, d, nm1, ctx) ||
	    !BN_add_word(d, 1) || BN_bn2binpad(d, priv, P384_SCALAR_LEN) != P384_SCALAR_LEN)
		abort();
	BN_free(d);
	BN_free(nm1);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
}

void p384_key_pair(const char *label, uint64_t seed, uint8_t priv[P384_SCALAR_LEN],
		   uint8_t pub[P384_POINT_LEN])
{
	p384_key_derive(label, seed, 0, 0, priv);
	/* A derived scalar is always in [1, n-1], so this cannot fail. */
	if (p384_public(priv, pub))
		abort();
}

int p384_public(const uint8_t priv[P384_SCALAR_LEN], uint8_t pub[P384_POINT_LEN])
{
	int rc = -EINVAL;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = BN_bin2bn(priv, P384_SCALAR_LEN, NULL);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	if (!g || !ctx || !d || !q)
		goto out;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0)
		goto out;
	if (!EC_POINT_mul(g, q, d, NULL, NULL, ctx) ||
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, P384_POINT_LEN, ctx) != P384_POINT_LEN)
		goto out;
	rc = 0;
out:
	EC_POINT_free(q);
	BN_free(d);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return rc;
}

/* HMAC-SHA-384 over up to three concatenated parts (RFC 6979 §3.2 steps d-h). */
static void hmac3(const uint8_t key[P384_HASH_LEN], const uint8_t *a, size_t an, const uint8_t *b,
		  size_t bn, const uint8_t *c, size_t cn, uint8_t out[P384_HASH_LEN])
{
	uint8_t buf[P384_HASH_LEN + 1 + 2 * P384_HASH_LEN];
	unsigned int len = 0;
	memcpy(buf, a, an);
	if (bn)
		memcpy(buf + an, b, bn);
	if (cn)
		memcpy(buf + an + bn, c, cn);
	if (!HMAC(EVP_sha384(), key, P384_HASH_LEN, buf, an + bn + cn, out, &len) || len != P384_HASH_LEN)
		abort();
}

int p384_sign(const uint8_t priv[P384_SCALAR_LEN], const uint8_t hash[P384_HASH_LEN],
	      uint8_t sig[P384_SIG_LEN])
{
	int rc = -EINVAL;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BN_CTX *ctx = BN_CTX_new();
	EC_POINT *rp = g ? EC_POINT_new(g) : NULL;
	BIGNUM *x = BN_bin2bn(priv, P384_SCALAR_LEN, NULL), *e = BN_bin2bn(hash, P384_HASH_LEN, NULL);
	BIGNUM *k = BN_new(), *r = BN_new(), *s = BN_new(), *t = BN_new();
	uint8_t K[P384_HASH_LEN], V[P384_HASH_LEN], h1[P384_HASH_LEN], one = 1, zero = 0;
	if (!g || !ctx || !rp || !x || !e || !k || !r || !s || !t)
		goto out;
	const BIGNUM *n = EC_GROUP_get0_order(g);
	if (BN_is_zero(x) || BN_cmp(x, n) >= 0)
		goto out;
	/* qlen = hlen = 384: bits2int is the identity, bits2octets(h1) = h1 mod n. */
	if (!BN_nnmod(t, e, n, ctx) || BN_bn2binpad(t, h1, sizeof(h1)) != sizeof(h1))
		goto out;
	/* RFC 6979 §3.2 steps d-g: K = HMAC_K(V || 0x00|0x01 || int2octets(x) || h1),
	 * V = HMAC_K(V), twice. */
	memset(V, 0x01, sizeof(V));
	memset(K, 0x00, sizeof(K));
	for (int round = 0; round < 2; round++) {
		uint8_t buf[P384_HASH_LEN + 1 + P384_SCALAR_LEN + P384_HASH_LEN];
		unsigned int len = 0;
		memcpy(buf, V, sizeof(V));
		buf[P384_HASH_LEN] = round ? one : zero;
		memcpy(buf + P384_HASH_LEN + 1, priv, P384_SCALAR_LEN);
		memcpy(buf + P384_HASH_LEN + 1 + P384_SCALAR_LEN, h1, sizeof(h1));
		if (!HMAC(EVP_sha384(), K, sizeof(K), buf, sizeof(buf), K, &len))
			goto out;
		hmac3(K, V, sizeof(V), NULL, 0, NULL, 0, V);
	}
	for (;;) {
		/* Step h: one HMAC block is exactly qlen bits. */
		hmac3(K, V, sizeof(V), NULL, 0, NULL, 0, V);
		if (!BN_bin2bn(V, sizeof(V), k))
			goto out;
		if (!BN_is_zero(k) && BN_cmp(k, n) < 0) {
			/* r = (k*G).x mod n; s = k^-1 (e + r*x) mod n (SEC 1 §4.1.3). */
			if (!EC_POINT_mul(g, rp, k, NULL, NULL, ctx) ||
			    !EC_POINT_get_affine_coordinates(g, rp, t, NULL, ctx) || !BN_nnmod(r, t, n, ctx))
				goto out;
			if (!BN_is_zero(r)) {
				if (!BN_mod_mul(s, r, x, n, ctx) || !BN_mod_add(s, s, e, n, ctx) ||
				    !BN_mod_inverse(t, k, n, ctx) || !BN_mod_mul(s, s, t, n, ctx))
					goto out;
				if (!BN_is_zero(s))
					break;
			}
		}
		hmac3(K, V, sizeof(V), &zero, 1, NULL, 0, K);
		hmac3(K, V, sizeof(V), NULL, 0, NULL, 0, V);
	}
	if (BN_bn2binpad(r, sig, 48) != 48 || BN_bn2binpad(s, sig + 48, 48) != 48)
		goto out;
	rc = 0;
out:
	BN_free(x);
	BN_free(e);
	BN_free(k);
	BN_free(r);
	BN_free(s);
	BN_free(t);
	EC_POINT_free(rp);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return rc;
}

static EVP_PKEY *pkey_from_point(const uint8_t pub[P384_POINT_LEN])
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!bld || !pctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, P384_POINT_LEN) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pctx);
	return pkey;
}

int p384_verify(const uint8_t pub[P384_POINT_LEN], const uint8_t hash[P384_HASH_LEN],
		const uint8_t sig[P384_SIG_LEN])
{
	int rc = -EPERM;
	EVP_PKEY *pkey = pub[0] == 0x04 ? pkey_from_point(pub) : NULL;
	EVP_PKEY_CTX *vctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 48, NULL), *s = BN_bin2bn(sig + 48, 48, NULL);
	unsigned char *der = NULL;
	int derlen;
	if (!vctx || !es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	/* The DER form OpenSSL verifies; r and s now belong to es. */
	derlen = i2d_ECDSA_SIG(es, &der);
	if (derlen > 0 && EVP_PKEY_verify_init(vctx) > 0 &&
	    EVP_PKEY_verify(vctx, der, (size_t)derlen, hash, P384_HASH_LEN) == 1)
		rc = 0;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_free(pkey);
	return rc;
}
