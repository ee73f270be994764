/* Arm CCA attestation token: build and verify; see cca_token.h. Encoding
 * follows DEN0137 1.0-rel0 A7.2 (token layout and claims), RFC 9052 §4.2-4.4
 * (COSE_Sign1 and its Sig_structure) and RFC 8949 §4.2.1 (map keys in
 * bytewise order of their encodings, which for the unsigned keys used here is
 * numeric order). */
#include "models/monitor/attest/cca_token.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/attest/cbor.h"
#include "sim/buf.h"

/* {1: -35}, the only protected header we write or accept (RFC 9053 §2.1 ES384). */
static const uint8_t prot_es384[] = { 0xa1, 0x01, 0x38, 0x22 };

void cca_cpak_public(uint64_t seed, uint8_t pub[P384_POINT_LEN])
{
	uint8_t priv[P384_SCALAR_LEN];
	p384_key_pair(CCA_CPAK_LABEL, seed, priv, pub);
}

void cca_rak_public(uint64_t seed, uint8_t pub[P384_POINT_LEN])
{
	uint8_t priv[P384_SCALAR_LEN];
	p384_key_pair(CCA_RAK_LABEL, seed, priv, pub);
}

/* SHA-256("ccsim/cca/" what || LE64(seed)), for default ids and measurements. */
static void seeded_bytes(const char *what, uint64_t seed, uint8_t out[32])
{
	uint8_t msg[80], h[64];
	int n = snprintf((char *)msg, 64, "ccsim/cca/%s", what);
	sim_le64_store(msg + n, seed);
	p384_digest("sha-256", msg, (size_t)n + 8, h);
	memcpy(out, h, 32);
}

void cca_platform_claims_default(uint64_t seed, struct cca_platform_claims *pc)
{
	static const char *const names[] = { "BL2", "BL31", "RMM" };
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->profile, sizeof(pc->profile), "%s", CCA_PROFILE);
	seeded_bytes("implementation-id", seed, pc->implementation_id);
	seeded_bytes("config", seed, pc->config);
	pc->config_len = 32;
	pc->lifecycle = CCA_LIFECYCLE_SECURED;
	pc->nsw = 3;
	for (size_t i = 0; i < pc->nsw; i++) {
		struct cca_sw_component *c = &pc->sw[i];
		char what[32];
		snprintf(c->type, sizeof(c->type), "%s", names[i]);
		snprintf(what, sizeof(what), "measurement/%s", names[i]);
		seeded_bytes(what, seed, c->value);
		c->value_len = 32;
		snprintf(c->version, sizeof(c->version), "1.0.0");
		seeded_bytes("signer", seed, c->signer_id);
		c->signer_id_len = 32;
	}
	snprintf(pc->verification_service, sizeof(pc->verification_service),
		 "https://veraison.example/.well-known/veraison/verification");
	snprintf(pc->hash_alg, sizeof(pc->hash_alg), "sha-256");
}

/* SHA-384 of the COSE Sig_structure ["Signature1", protected, h'', payload]
 * (RFC 9052 §4.4). */
static void sig_structure_hash(const uint8_t *prot, size_t plen, const uint8_t *payload, size_t len,
			       uint8_t hash[P384_HASH_LEN])
{
	struct cbor_enc e;
	uint8_t h[64];
	cbor_enc_init(&e);
	cbor_put_array(&e, 4);
	cbor_put_text(&e, "Signature1");
	cbor_put_bytes(&e, prot, plen);
	cbor_put_bytes(&e, NULL, 0);
	cbor_put_bytes(&e, payload, len);
	p384_digest("sha-384", e.data, e.len, h);
	memcpy(hash, h, P384_HASH_LEN);
	cbor_enc_free(&e);
}

/* Append #6.18([protected, {}, payload, signature]) as a byte string. */
static int put_sign1_bstr(struct cbor_enc *out, const struct cbor_enc *payload,
			  const uint8_t priv[P384_SCALAR_LEN])
{
	uint8_t hash[P384_HASH_LEN], sig[P384_SIG_LEN];
	struct cbor_enc e;
	sig_structure_hash(prot_es384, sizeof(prot_es384), payload->data, payload->len, hash);
	if (p384_sign(priv, hash, sig))
		return -EINVAL;
	cbor_enc_init(&e);
	cbor_put_tag(&e, CCA_TAG_COSE_SIGN1);
	cbor_put_array(&e, 4);
	cbor_put_bytes(&e, prot_es384, sizeof(prot_es384));
	cbor_put_map(&e, 0);
	cbor_put_bytes(&e, payload->data, payload->len);
	cbor_put_bytes(&e, sig, sizeof(sig));
	cbor_put_bytes(out, e.data, e.len);
	cbor_enc_free(&e);
	return 0;
}

static bool hash_alg_ok(const char *alg, size_t meas_len)
{
	return (strcmp(alg, "sha-256") == 0 && meas_len == 32) ||
	       (strcmp(alg, "sha-512") == 0 && meas_len == 64);
}

/* The RAK as the claim holds it: a COSE_Key (DEN0137 1.0-rel0 A7.2.3.1.4),
 * keys in deterministic order (1, -1, -2, -3). */
static void put_cose_key(struct cbor_enc *e, const uint8_t pub[P384_POINT_LEN])
{
	cbor_put_map(e, 4);
	cbor_put_int(e, COSE_KEY_KTY);
	cbor_put_int(e, COSE_KTY_EC2);
	cbor_put_int(e, COSE_KEY_CRV);
	cbor_put_int(e, COSE_CRV_P384);
	cbor_put_int(e, COSE_KEY_X);
	cbor_put_bytes(e, pub + 1, P384_SCALAR_LEN);
	cbor_put_int(e, COSE_KEY_Y);
	cbor_put_bytes(e, pub + 1 + P384_SCALAR_LEN, P384_SCALAR_LEN);
}

/* DEN0137 A7.2.3.1: realm claims in key order. */
static void put_realm_payload(struct cbor_enc *e, const struct cca_realm_claims *rc,
			      const uint8_t *rak_claim, size_t rak_claim_len, const char *rak_alg)
{
	cbor_put_map(e, 7);
	cbor_put_uint(e, CCA_CLAIM_CHALLENGE);
	cbor_put_bytes(e, rc->challenge, sizeof(rc->challenge));
	cbor_put_uint(e, CCA_REALM_PERSONALIZATION);
	cbor_put_bytes(e, rc->rpv, sizeof(rc->rpv));
	cbor_put_uint(e, CCA_REALM_HASH_ALGO);
	cbor_put_text(e, rc->hash_alg);
	cbor_put_uint(e, CCA_REALM_PUB_KEY);
	cbor_put_bytes(e, rak_claim, rak_claim_len);
	cbor_put_uint(e, CCA_REALM_RIM);
	cbor_put_bytes(e, rc->rim, rc->meas_len);
	cbor_put_uint(e, CCA_REALM_REM);
	cbor_put_array(e, CCA_NUM_REMS);
	for (int i = 0; i < CCA_NUM_REMS; i++)
		cbor_put_bytes(e, rc->rem[i], rc->meas_len);
	cbor_put_uint(e, CCA_REALM_PUB_KEY_HASH_ALGO);
	cbor_put_text(e, rak_alg);
}

/* DEN0137 A7.2.3.2: platform claims in key order. */
static void put_platform_payload(struct cbor_enc *e, const struct cca_platform_claims *pc)
{
	bool vs = pc->verification_service[0] != 0;
	cbor_put_map(e, vs ? 9 : 8);
	cbor_put_uint(e, CCA_CLAIM_CHALLENGE);
	cbor_put_bytes(e, pc->challenge, pc->challenge_len);
	cbor_put_uint(e, CCA_PLAT_INSTANCE_ID);
	cbor_put_bytes(e, pc->instance_id, sizeof(pc->instance_id));
	cbor_put_uint(e, CCA_PLAT_PROFILE);
	cbor_put_text(e, pc->profile);
	cbor_put_uint(e, CCA_PLAT_LIFECYCLE);
	cbor_put_uint(e, pc->lifecycle);
	cbor_put_uint(e, CCA_PLAT_IMPLEMENTATION_ID);
	cbor_put_bytes(e, pc->implementation_id, sizeof(pc->implementation_id));
	cbor_put_uint(e, CCA_PLAT_SW_COMPONENTS);
	cbor_put_array(e, pc->nsw);
	for (size_t i = 0; i < pc->nsw; i++) {
		const struct cca_sw_component *c = &pc->sw[i];
		cbor_put_map(e, 4);
		cbor_put_uint(e, CCA_SW_MEASUREMENT_TYPE);
		cbor_put_text(e, c->type);
		cbor_put_uint(e, CCA_SW_MEASUREMENT_VALUE);
		cbor_put_bytes(e, c->value, c->value_len);
		cbor_put_uint(e, CCA_SW_VERSION);
		cbor_put_text(e, c->version);
		cbor_put_uint(e, CCA_SW_SIGNER_ID);
		cbor_put_bytes(e, c->signer_id, c->signer_id_len);
	}
	if (vs) {
		cbor_put_uint(e, CCA_PLAT_VERIFICATION_SERVICE);
		cbor_put_text(e, pc->verification_service);
	}
	cbor_put_uint(e, CCA_PLAT_CONFIG);
	cbor_put_bytes(e, pc->config, pc->config_len);
	cbor_put_uint(e, CCA_PLAT_HASH_ALGO);
	cbor_put_text(e, pc->hash_alg);
}

int cca_token_build(uint64_t seed, const struct cca_realm_claims *rc, const struct cca_platform_claims *pc,
		    uint8_t **token, size_t *len)
{
	struct cca_platform_claims plat;
	uint8_t cpak[P384_SCALAR_LEN], cpak_pub[P384_POINT_LEN], rak[P384_SCALAR_LEN], rak_pub[P384_POINT_LEN];
	uint8_t h[64];
	const char *rak_alg = rc->rak_hash_alg[0] ? rc->rak_hash_alg : "sha-256";
	struct cbor_enc rp, pp, out;
	int rc_ = -EINVAL;

	*token = NULL;
	*len = 0;
	if (!hash_alg_ok(rc->hash_alg, rc->meas_len))
		return -EINVAL;
	if (pc)
		plat = *pc;
	else
		cca_platform_claims_default(seed, &plat);
	if (plat.nsw > CCA_MAX_SW || plat.config_len > sizeof(plat.config))
		return -EINVAL;
	for (size_t i = 0; i < plat.nsw; i++)
		if (plat.sw[i].value_len > CCA_MEAS_MAX || plat.sw[i].signer_id_len > CCA_MEAS_MAX)
			return -EINVAL;
	p384_key_pair(CCA_CPAK_LABEL, seed, cpak, cpak_pub);
	p384_key_pair(CCA_RAK_LABEL, seed, rak, rak_pub);
	struct cbor_enc key;
	cbor_enc_init(&key);
	put_cose_key(&key, rak_pub);
	size_t key_len;
	uint8_t *key_bytes = cbor_enc_take(&key, &key_len);
	cbor_enc_free(&key);
	/* The binding: platform challenge = hash of the realm public key claim
	 * (DEN0137 A7.2.2). */
	plat.challenge_len = p384_digest(rak_alg, key_bytes, key_len, h);
	if (!plat.challenge_len) {
		free(key_bytes);
		return -EINVAL;
	}
	memcpy(plat.challenge, h, plat.challenge_len);
	/* PSA instance id: type 0x01 (EUID) followed by the hash of the CPAK. */
	plat.instance_id[0] = 0x01;
	p384_digest("sha-256", cpak_pub, sizeof(cpak_pub), h);
	memcpy(plat.instance_id + 1, h, 32);

	cbor_enc_init(&rp);
	cbor_enc_init(&pp);
	cbor_enc_init(&out);
	put_realm_payload(&rp, rc, key_bytes, key_len, rak_alg);
	free(key_bytes);
	put_platform_payload(&pp, &plat);
	cbor_put_tag(&out, CCA_TAG_TOKEN);
	cbor_put_map(&out, 2);
	cbor_put_uint(&out, CCA_KEY_PLATFORM_TOKEN);
	if (put_sign1_bstr(&out, &pp, cpak))
		goto fail;
	cbor_put_uint(&out, CCA_KEY_REALM_TOKEN);
	if (put_sign1_bstr(&out, &rp, rak))
		goto fail;
	*token = cbor_enc_take(&out, len);
	rc_ = 0;
fail:
	cbor_enc_free(&rp);
	cbor_enc_free(&pp);
	cbor_enc_free(&out);
	return rc_;
}

/* ---- verification ---- */

static int malformed(const struct cbor_dec *d, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "byte %zu: %s: %s", d->err_off, what, d->err);
	return CCA_ERR_MALFORMED;
}

static int check_failed(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check_failed(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return CCA_ERR_CHECK;
}

/* A parsed COSE_Sign1: where its payload is and the hash that was signed. */
struct sign1 {
	const uint8_t *payload;
	size_t payload_len;
	size_t payload_off;
	uint8_t tbs_hash[P384_HASH_LEN];
	uint8_t sig[P384_SIG_LEN];
};

/* RFC 9052 §4.2: #6.18([protected: bstr, unprotected: map, payload: bstr, signature: bstr]). */
static int parse_sign1(struct cbor_dec *d, struct sign1 *s)
{
	struct cbor_item it, prot, pl, sig;
	struct cbor_dec hd;
	if (cbor_expect(d, CBOR_TAG, "COSE_Sign1 tag 18", &it))
		return -EBADMSG;
	if (it.arg != CCA_TAG_COSE_SIGN1)
		return cbor_fail(d, it.off, "expected COSE_Sign1 tag 18, found tag %llu", (unsigned long long)it.arg);
	if (cbor_expect(d, CBOR_ARRAY, "COSE_Sign1 array", &it))
		return -EBADMSG;
	if (it.arg != 4)
		return cbor_fail(d, it.off, "COSE_Sign1 has %llu items, expected 4", (unsigned long long)it.arg);
	if (cbor_expect(d, CBOR_BYTES, "protected header", &prot))
		return -EBADMSG;
	/* The protected header must be {1: -35} (ES384), in any valid encoding. */
	cbor_dec_init(&hd, prot.data, prot.arg, d->base + (size_t)(prot.data - d->p));
	if (cbor_expect(&hd, CBOR_MAP, "protected header map", &it) || it.arg != 1 ||
	    cbor_expect(&hd, CBOR_UINT, "alg label 1", &it) || it.arg != COSE_HDR_ALG ||
	    cbor_expect(&hd, CBOR_NINT, "alg ES384 (-35)", &it) || it.arg != 34 || !cbor_at_end(&hd))
		return cbor_fail(d, prot.off, "protected header is not {1: -35} (alg ES384)%s%s",
				 hd.failed ? ": " : "", hd.failed ? hd.err : "");
	if (cbor_expect(d, CBOR_MAP, "unprotected header", &it))
		return -EBADMSG;
	d->pos = it.off - d->base; /* skip the whole map */
	if (cbor_skip(d) || cbor_expect(d, CBOR_BYTES, "payload", &pl) ||
	    cbor_expect(d, CBOR_BYTES, "signature", &sig))
		return -EBADMSG;
	if (sig.arg != P384_SIG_LEN)
		return cbor_fail(d, sig.off, "ES384 signature is %llu bytes, expected %d",
				 (unsigned long long)sig.arg, P384_SIG_LEN);
	s->payload = pl.data;
	s->payload_len = pl.arg;
	s->payload_off = d->base + (size_t)(pl.data - d->p);
	memcpy(s->sig, sig.data, P384_SIG_LEN);
	sig_structure_hash(prot.data, prot.arg, pl.data, pl.arg, s->tbs_hash);
	return 0;
}

static int get_bytes(struct cbor_dec *d, const char *what, size_t min, size_t max, uint8_t *dst,
		     size_t *n)
{
	struct cbor_item it;
	if (cbor_expect(d, CBOR_BYTES, what, &it))
		return -EBADMSG;
	if (it.arg < min || it.arg > max)
		return cbor_fail(d, it.off, "%s is %llu bytes, expected %zu..%zu", what,
				 (unsigned long long)it.arg, min, max);
	memcpy(dst, it.data, it.arg);
	if (n)
		*n = it.arg;
	return 0;
}

static int get_text(struct cbor_dec *d, const char *what, char *dst, size_t cap)
{
	struct cbor_item it;
	if (cbor_expect(d, CBOR_TEXT, what, &it))
		return -EBADMSG;
	if (it.arg >= cap || memchr(it.data, 0, it.arg))
		return cbor_fail(d, it.off, "%s: text of %llu bytes, expected at most %zu without NUL", what,
				 (unsigned long long)it.arg, cap - 1);
	memcpy(dst, it.data, it.arg);
	dst[it.arg] = 0;
	return 0;
}

/* Read the next map key: an unsigned key goes to *key; any other key is
 * skipped and *key = UINT64_MAX. *off is the key's offset. */
static int get_key(struct cbor_dec *d, uint64_t *key, size_t *off)
{
	struct cbor_item it;
	size_t at = d->pos;
	if (cbor_next(d, &it))
		return -EBADMSG;
	*off = it.off;
	if (it.major == CBOR_UINT) {
		*key = it.arg;
		return 0;
	}
	d->pos = at;
	*key = UINT64_MAX;
	return cbor_skip(d);
}

static const uint64_t realm_keys[] = { CCA_CLAIM_CHALLENGE, CCA_REALM_PERSONALIZATION, CCA_REALM_HASH_ALGO,
				       CCA_REALM_PUB_KEY, CCA_REALM_RIM, CCA_REALM_REM,
				       CCA_REALM_PUB_KEY_HASH_ALGO, CCA_REALM_PROFILE };
static const uint64_t plat_keys[] = { CCA_CLAIM_CHALLENGE, CCA_PLAT_INSTANCE_ID, CCA_PLAT_PROFILE,
				      CCA_PLAT_LIFECYCLE, CCA_PLAT_IMPLEMENTATION_ID, CCA_PLAT_SW_COMPONENTS,
				      CCA_PLAT_CONFIG, CCA_PLAT_HASH_ALGO, CCA_PLAT_VERIFICATION_SERVICE };

static int key_slot(const uint64_t *keys, size_t n, uint64_t key)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i] == key)
			return (int)i;
	return -1;
}

/* Walk a claims map; claim() parses one known key. All but the last
 * `optional` keys of `keys` are required. */
static int parse_claims(struct cbor_dec *d, const char *what, const uint64_t *keys, size_t nkeys,
			size_t optional, int (*claim)(struct cbor_dec *, uint64_t, void *), void *ctx)
{
	struct cbor_item m;
	unsigned seen = 0;
	if (cbor_expect(d, CBOR_MAP, what, &m))
		return -EBADMSG;
	for (uint64_t i = 0; i < m.arg; i++) {
		uint64_t key;
		size_t off;
		if (get_key(d, &key, &off))
			return -EBADMSG;
		int slot = key == UINT64_MAX ? -1 : key_slot(keys, nkeys, key);
		if (slot < 0) {
			if (cbor_skip(d))
				return -EBADMSG;
			continue;
		}
		if (seen & (1u << slot))
			return cbor_fail(d, off, "duplicate claim %llu", (unsigned long long)key);
		seen |= 1u << slot;
		if (claim(d, key, ctx))
			return -EBADMSG;
	}
	for (size_t i = 0; i + optional < nkeys; i++)
		if (!(seen & (1u << i)))
			return cbor_fail(d, m.off, "missing claim %llu", (unsigned long long)keys[i]);
	if (!cbor_at_end(d))
		return cbor_fail(d, cbor_offset(d), "trailing bytes after the claims map");
	return 0;
}

struct realm_ctx {
	struct cca_realm_claims *rc;
	size_t rem_len[CCA_NUM_REMS];
};

/* The realm public key claim's key as a point: a COSE_Key map (RMM 1.0),
 * or a raw uncompressed point (tokens of earlier drafts). */
static int rak_point(struct cbor_dec *outer, struct cca_realm_claims *rc)
{
	size_t at = cbor_offset(outer) - rc->rak_claim_len;
	if (rc->rak_claim_len == P384_POINT_LEN && rc->rak_claim[0] == 0x04) {
		memcpy(rc->rak_pub, rc->rak_claim, P384_POINT_LEN);
		return 0;
	}
	struct cbor_dec d;
	struct cbor_item m = { 0 }, it = { 0 };
	int64_t kty = 0, crv = 0;
	bool x = false, y = false;
	cbor_dec_init(&d, rc->rak_claim, rc->rak_claim_len, at);
	if (cbor_expect(&d, CBOR_MAP, "realm public key (a COSE_Key map)", &m))
		return cbor_fail(outer, d.err_off, "%s", d.err);
	for (uint64_t i = 0; i < m.arg; i++) {
		struct cbor_item k = { 0 };
		if (cbor_next(&d, &k) || (k.major != CBOR_UINT && k.major != CBOR_NINT))
			return cbor_fail(outer, k.off, "COSE_Key: expected an integer label");
		int64_t label = k.major == CBOR_UINT ? (int64_t)k.arg : -1 - (int64_t)k.arg;
		if (label == COSE_KEY_X || label == COSE_KEY_Y) {
			uint8_t *dst = rc->rak_pub + 1 + (label == COSE_KEY_Y ? P384_SCALAR_LEN : 0);
			if (cbor_expect(&d, CBOR_BYTES, "COSE_Key coordinate", &it) ||
			    it.arg != P384_SCALAR_LEN)
				return cbor_fail(outer, it.off, "COSE_Key: a P-384 coordinate is 48 bytes");
			memcpy(dst, it.data, P384_SCALAR_LEN);
			*(label == COSE_KEY_X ? &x : &y) = true;
		} else if (label == COSE_KEY_KTY || label == COSE_KEY_CRV) {
			if (cbor_next(&d, &it) || it.major != CBOR_UINT)
				return cbor_fail(outer, it.off, "COSE_Key: kty and crv are integers");
			*(label == COSE_KEY_KTY ? &kty : &crv) = (int64_t)it.arg;
		} else if (cbor_skip(&d)) {
			return cbor_fail(outer, d.err_off, "%s", d.err);
		}
	}
	if (kty != COSE_KTY_EC2 || crv != COSE_CRV_P384 || !x || !y || !cbor_at_end(&d))
		return cbor_fail(outer, m.off, "realm public key: expected an EC2 P-384 COSE_Key "
				 "(kty 2, crv 2, x and y)");
	rc->rak_pub[0] = 0x04;
	return 0;
}

static int realm_claim(struct cbor_dec *d, uint64_t key, void *ctx)
{
	struct realm_ctx *c = ctx;
	struct cca_realm_claims *rc = c->rc;
	struct cbor_item it;
	switch (key) {
	case CCA_CLAIM_CHALLENGE:
		return get_bytes(d, "realm challenge", 64, 64, rc->challenge, NULL);
	case CCA_REALM_PERSONALIZATION:
		return get_bytes(d, "personalization value", 64, 64, rc->rpv, NULL);
	case CCA_REALM_HASH_ALGO:
		return get_text(d, "realm hash algorithm", rc->hash_alg, sizeof(rc->hash_alg));
	case CCA_REALM_PUB_KEY:
		if (get_bytes(d, "realm public key", P384_POINT_LEN, CCA_RAK_CLAIM_MAX, rc->rak_claim,
			      &rc->rak_claim_len))
			return -EBADMSG;
		return rak_point(d, rc);
	case CCA_REALM_PROFILE:
		return get_text(d, "realm profile", rc->profile, sizeof(rc->profile));
	case CCA_REALM_RIM:
		return get_bytes(d, "RIM", 32, CCA_MEAS_MAX, rc->rim, &rc->meas_len);
	case CCA_REALM_REM:
		if (cbor_expect(d, CBOR_ARRAY, "REM array", &it))
			return -EBADMSG;
		if (it.arg != CCA_NUM_REMS)
			return cbor_fail(d, it.off, "REM array has %llu entries, expected %d",
					 (unsigned long long)it.arg, CCA_NUM_REMS);
		for (int i = 0; i < CCA_NUM_REMS; i++)
			if (get_bytes(d, "REM", 32, CCA_MEAS_MAX, rc->rem[i], &c->rem_len[i]))
				return -EBADMSG;
		return 0;
	default: /* CCA_REALM_PUB_KEY_HASH_ALGO */
		return get_text(d, "public key hash algorithm", rc->rak_hash_alg, sizeof(rc->rak_hash_alg));
	}
}

static int sw_component(struct cbor_dec *d, struct cca_sw_component *c)
{
	struct cbor_item m;
	if (cbor_expect(d, CBOR_MAP, "software component map", &m))
		return -EBADMSG;
	memset(c, 0, sizeof(*c));
	for (uint64_t i = 0; i < m.arg; i++) {
		uint64_t key;
		size_t off;
		int r;
		if (get_key(d, &key, &off))
			return -EBADMSG;
		if (key == CCA_SW_MEASUREMENT_TYPE)
			r = get_text(d, "measurement type", c->type, sizeof(c->type));
		else if (key == CCA_SW_MEASUREMENT_VALUE)
			r = get_bytes(d, "measurement value", 1, CCA_MEAS_MAX, c->value, &c->value_len);
		else if (key == CCA_SW_VERSION)
			r = get_text(d, "version", c->version, sizeof(c->version));
		else if (key == CCA_SW_SIGNER_ID)
			r = get_bytes(d, "signer id", 1, CCA_MEAS_MAX, c->signer_id, &c->signer_id_len);
		else
			r = cbor_skip(d);
		if (r)
			return -EBADMSG;
	}
	if (!c->value_len || !c->signer_id_len)
		return cbor_fail(d, m.off, "software component lacks a measurement value (2) or signer id (5)");
	return 0;
}

static int plat_claim(struct cbor_dec *d, uint64_t key, void *ctx)
{
	struct cca_platform_claims *pc = ctx;
	struct cbor_item it;
	switch (key) {
	case CCA_CLAIM_CHALLENGE:
		return get_bytes(d, "platform challenge", 32, 64, pc->challenge, &pc->challenge_len);
	case CCA_PLAT_INSTANCE_ID:
		return get_bytes(d, "instance id", 33, 33, pc->instance_id, NULL);
	case CCA_PLAT_PROFILE:
		return get_text(d, "profile", pc->profile, sizeof(pc->profile));
	case CCA_PLAT_LIFECYCLE:
		if (cbor_expect(d, CBOR_UINT, "lifecycle", &it))
			return -EBADMSG;
		if (it.arg > 0xffff)
			return cbor_fail(d, it.off, "lifecycle %llu out of range", (unsigned long long)it.arg);
		pc->lifecycle = (uint32_t)it.arg;
		return 0;
	case CCA_PLAT_IMPLEMENTATION_ID:
		return get_bytes(d, "implementation id", 32, 32, pc->implementation_id, NULL);
	case CCA_PLAT_SW_COMPONENTS:
		if (cbor_expect(d, CBOR_ARRAY, "software components", &it))
			return -EBADMSG;
		if (it.arg > CCA_MAX_SW)
			return cbor_fail(d, it.off, "%llu software components, at most %d supported",
					 (unsigned long long)it.arg, CCA_MAX_SW);
		pc->nsw = it.arg;
		for (size_t i = 0; i < pc->nsw; i++)
			if (sw_component(d, &pc->sw[i]))
				return -EBADMSG;
		return 0;
	case CCA_PLAT_CONFIG:
		return get_bytes(d, "platform config", 0, sizeof(pc->config), pc->config, &pc->config_len);
	case CCA_PLAT_HASH_ALGO:
		return get_text(d, "platform hash algorithm", pc->hash_alg, sizeof(pc->hash_alg));
	default: /* CCA_PLAT_VERIFICATION_SERVICE */
		return get_text(d, "verification service", pc->verification_service,
				sizeof(pc->verification_service));
	}
}

/* A decoder over a COSE_Sign1 payload, reporting offsets in the whole token. */
static void sub_decoder(struct cbor_dec *d, const struct sign1 *s, const uint8_t *token)
{
	cbor_dec_init(d, s->payload, s->payload_len, (size_t)(s->payload - token));
}

int cca_token_verify(const uint8_t *token, size_t len, const uint8_t cpak_pub[P384_POINT_LEN],
		     struct cca_token_view *out, char *err, size_t errlen)
{
	struct cca_token_view local = { 0 };
	struct cca_token_view *v = out ? out : &local;
	struct cbor_dec d, pd;
	struct cbor_item it, ptok = { 0 }, rtok = { 0 };
	struct sign1 ps, rs;
	uint8_t h[64];
	size_t hn;

	memset(v, 0, sizeof(*v));
	cbor_dec_init(&d, token, len, 0);
	/* DEN0137 A7.2.1: #6.399({44234: bstr, 44241: bstr}). */
	if (cbor_expect(&d, CBOR_TAG, "CCA token tag 399", &it))
		return malformed(&d, "token", err, errlen);
	if (it.arg != CCA_TAG_TOKEN) {
		cbor_fail(&d, it.off, "expected CCA token tag 399, found tag %llu", (unsigned long long)it.arg);
		return malformed(&d, "token", err, errlen);
	}
	if (cbor_expect(&d, CBOR_MAP, "token map", &it))
		return malformed(&d, "token", err, errlen);
	for (uint64_t i = 0, n = it.arg; i < n; i++) {
		uint64_t key;
		size_t off;
		struct cbor_item tok;
		if (get_key(&d, &key, &off))
			return malformed(&d, "token", err, errlen);
		if (key != CCA_KEY_PLATFORM_TOKEN && key != CCA_KEY_REALM_TOKEN) {
			if (cbor_skip(&d))
				return malformed(&d, "token", err, errlen);
			continue;
		}
		struct cbor_item *slot = key == CCA_KEY_PLATFORM_TOKEN ? &ptok : &rtok;
		if (cbor_expect(&d, CBOR_BYTES, "COSE_Sign1 byte string", &tok))
			return malformed(&d, "token", err, errlen);
		if (slot->data) {
			cbor_fail(&d, off, "duplicate key %llu", (unsigned long long)key);
			return malformed(&d, "token", err, errlen);
		}
		*slot = tok;
	}
	if (!ptok.data || !rtok.data || !cbor_at_end(&d)) {
		cbor_fail(&d, !cbor_at_end(&d) ? cbor_offset(&d) : 0,
			  !cbor_at_end(&d) ? "trailing bytes after the token" : "token map lacks key %s",
			  !ptok.data ? "44234 (platform token)" : "44241 (realm token)");
		return malformed(&d, "token", err, errlen);
	}

	/* Platform token: signature first, so any change to its payload is a
	 * signature failure rather than a parse error. */
	cbor_dec_init(&pd, ptok.data, ptok.arg, (size_t)(ptok.data - token));
	if (parse_sign1(&pd, &ps) || (!cbor_at_end(&pd) && cbor_fail(&pd, cbor_offset(&pd), "trailing bytes")))
		return malformed(&pd, "platform token", err, errlen);
	v->platform_sig = p384_verify(cpak_pub, ps.tbs_hash, ps.sig) ? -EPERM : 0;
	sub_decoder(&pd, &ps, token);
	if (parse_claims(&pd, "platform claims map", plat_keys, 9, 1, plat_claim, &v->platform)) {
		if (v->platform_sig) /* a payload that was changed: the signature says so first */
			return check_failed(err, errlen, "platform token signature does not verify "
					    "with the CPAK");
		return malformed(&pd, "platform token", err, errlen);
	}

	/* Realm token: its key is inside its payload, so parse, check the
	 * binding to the platform, then the signature. */
	cbor_dec_init(&pd, rtok.data, rtok.arg, (size_t)(rtok.data - token));
	if (parse_sign1(&pd, &rs) || (!cbor_at_end(&pd) && cbor_fail(&pd, cbor_offset(&pd), "trailing bytes")))
		return malformed(&pd, "realm token", err, errlen);
	sub_decoder(&pd, &rs, token);
	struct realm_ctx rctx = { .rc = &v->realm };
	if (parse_claims(&pd, "realm claims map", realm_keys, 8, 1, realm_claim, &rctx))
		return malformed(&pd, "realm token", err, errlen);
	/* A7.2.3.1: RIM and every REM are digests of the realm hash algorithm. */
	bool same = true;
	for (int i = 0; i < CCA_NUM_REMS; i++)
		same &= rctx.rem_len[i] == v->realm.meas_len;
	if (!hash_alg_ok(v->realm.hash_alg, v->realm.meas_len) || !same) {
		cbor_fail(&pd, rs.payload_off, "hash algorithm \"%s\" does not match the RIM and REM sizes",
			  v->realm.hash_alg);
		return malformed(&pd, "realm token", err, errlen);
	}
	hn = p384_digest(v->realm.rak_hash_alg, v->realm.rak_claim, v->realm.rak_claim_len, h);
	if (!hn)
		return check_failed(err, errlen, "realm public key hash algorithm \"%s\" is not supported",
				    v->realm.rak_hash_alg);
	v->binding = hn != v->platform.challenge_len || memcmp(h, v->platform.challenge, hn) ? -EPERM
													  : 0;
	v->realm_sig = p384_verify(v->realm.rak_pub, rs.tbs_hash, rs.sig) ? -EPERM : 0;
	if (v->platform_sig)
		return check_failed(err, errlen, "platform token signature does not verify with the CPAK");
	if (v->binding)
		return check_failed(err, errlen,
				    "binding: platform challenge is not the %s hash of the realm public key (RAK)",
				    v->realm.rak_hash_alg);
	if (v->realm_sig)
		return check_failed(err, errlen, "realm token signature does not verify with the RAK");
	return 0;
}
