/* The Arm CCA attestation token as the RMM 1.0 produces it (DEN0137 1.0-rel0
 * A7.2; draft-ffm-rats-cca-token): a CBOR tag-399 map holding a platform token
 * (key 44234) and a realm token (key 44241), each a tagged COSE_Sign1
 * (RFC 9052 §4.2) signed with ES384. The realm token is signed by the Realm
 * Attestation Key (RAK); the platform token by the CCA Platform Attestation
 * Key (CPAK), and its challenge is the hash of the RAK public key, which binds
 * the two. Both keys derive from the simulation seed (see cca_key_* below). */
#ifndef CCSIM_MODELS_MONITOR_ATTEST_CCA_TOKEN_H
#define CCSIM_MODELS_MONITOR_ATTEST_CCA_TOKEN_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "models/monitor/attest/p384.h"

/* Token structure (DEN0137 A7.2.1, draft-ffm-rats-cca-token §4). */
#define CCA_TAG_TOKEN 399
#define CCA_TAG_COSE_SIGN1 18
#define CCA_KEY_PLATFORM_TOKEN 44234
#define CCA_KEY_REALM_TOKEN 44241
#define COSE_HDR_ALG 1
#define COSE_ALG_ES384 (-35)

/* Realm token claims (DEN0137 A7.2.3.1). */
#define CCA_CLAIM_CHALLENGE 10
#define CCA_REALM_PERSONALIZATION 44235
#define CCA_REALM_HASH_ALGO 44236
#define CCA_REALM_PUB_KEY 44237
#define CCA_REALM_RIM 44238
#define CCA_REALM_REM 44239
#define CCA_REALM_PUB_KEY_HASH_ALGO 44240
#define CCA_REALM_PROFILE 265           /* optional in RMM 1.0 tokens (TF-RMM writes it) */
/* The realm public key claim holds a COSE_Key (RFC 9052 §7, DEN0137 1.0-rel0
 * A7.2.3.1.4): {1 kty: 2 EC2, -1 crv: 2 P-384, -2 x, -3 y}. */
#define COSE_KEY_KTY 1
#define COSE_KEY_CRV (-1)
#define COSE_KEY_X (-2)
#define COSE_KEY_Y (-3)
#define COSE_KTY_EC2 2
#define COSE_CRV_P384 2
#define CCA_RAK_CLAIM_MAX 128

/* Platform token claims (DEN0137 A7.2.3.2; draft-ffm-rats-cca-token §4.2). */
#define CCA_PLAT_INSTANCE_ID 256
#define CCA_PLAT_PROFILE 265
#define CCA_PLAT_LIFECYCLE 2395
#define CCA_PLAT_IMPLEMENTATION_ID 2396
#define CCA_PLAT_SW_COMPONENTS 2399
#define CCA_PLAT_VERIFICATION_SERVICE 2400
#define CCA_PLAT_CONFIG 2401
#define CCA_PLAT_HASH_ALGO 2402
/* Keys inside one software component map (PSA token, draft-tschofenig-rats-psa-token). */
#define CCA_SW_MEASUREMENT_TYPE 1
#define CCA_SW_MEASUREMENT_VALUE 2
#define CCA_SW_VERSION 4
#define CCA_SW_SIGNER_ID 5

#define CCA_PROFILE "tag:arm.com,2023:cca_platform#1.0.0"
#define CCA_MEAS_MAX 64
#define CCA_NUM_REMS 4
#define CCA_MAX_SW 32
/* Lifecycle "secured" (PSA lifecycle 0x3000-0x30ff). */
#define CCA_LIFECYCLE_SECURED 0x3000

/* Return codes of cca_token_verify. */
#define CCA_ERR_MALFORMED (-EBADMSG) /* not a CCA token: err names the byte offset */
#define CCA_ERR_CHECK (-EPERM)       /* well formed, but a signature or binding fails */

struct cca_realm_claims {
	uint8_t challenge[64];          /* 10: the realm's RSI challenge */
	uint8_t rpv[64];                /* 44235: personalization value */
	uint8_t rim[CCA_MEAS_MAX];      /* 44238 */
	uint8_t rem[CCA_NUM_REMS][CCA_MEAS_MAX]; /* 44239 */
	size_t meas_len;                /* 32 (sha-256) or 64 (sha-512) */
	char hash_alg[16];              /* 44236: "sha-256" or "sha-512" */
	/* Set by cca_token_build from the RAK, read back by cca_token_verify. */
	uint8_t rak_pub[P384_POINT_LEN]; /* 44237's key as an uncompressed EC point */
	uint8_t rak_claim[CCA_RAK_CLAIM_MAX]; /* 44237 as written: a COSE_Key (or, from older
						 tokens, the raw point); the binding hashes it */
	size_t rak_claim_len;
	char rak_hash_alg[16];          /* 44240: "sha-256" (build default) */
	char profile[64];               /* 265, if present */
};

struct cca_sw_component {
	char type[32];                  /* 1: e.g. "BL2", "RMM" */
	uint8_t value[CCA_MEAS_MAX];    /* 2 */
	size_t value_len;
	char version[32];               /* 4 */
	uint8_t signer_id[CCA_MEAS_MAX]; /* 5 */
	size_t signer_id_len;
};

struct cca_platform_claims {
	char profile[64];               /* 265 */
	uint8_t challenge[CCA_MEAS_MAX]; /* 10: hash of the RAK public key */
	size_t challenge_len;
	uint8_t implementation_id[32];  /* 2396 */
	uint8_t instance_id[33];        /* 256: 0x01 || SHA-256(CPAK public key) */
	uint8_t config[64];             /* 2401 */
	size_t config_len;
	uint32_t lifecycle;             /* 2395 */
	struct cca_sw_component sw[CCA_MAX_SW]; /* 2399 */
	size_t nsw;
	char verification_service[96];  /* 2400 */
	char hash_alg[16];              /* 2402 */
};

/* What verification found, check by check (0 holds, -EPERM fails): the
 * claims are filled whenever the token parses, whatever the checks say. */
struct cca_token_view {
	struct cca_platform_claims platform;
	struct cca_realm_claims realm;
	int platform_sig, binding, realm_sig;
};

/* Key derivation (p384_key_derive): CPAK from ("ccsim/cca/cpak", seed), RAK
 * from ("ccsim/cca/rak", seed). One RAK serves every realm on the platform,
 * as in TF-RMM, where the RMM obtains a single RAK from EL3 at boot. */
#define CCA_CPAK_LABEL "ccsim/cca/cpak"
#define CCA_RAK_LABEL "ccsim/cca/rak"
void cca_cpak_public(uint64_t seed, uint8_t pub[P384_POINT_LEN]);
void cca_rak_public(uint64_t seed, uint8_t pub[P384_POINT_LEN]);

/* A plausible platform: measurements, ids and config derived from the seed,
 * lifecycle secured, sha-256, three software components (BL2, BL31, RMM).
 * challenge and instance_id are filled in by cca_token_build. */
void cca_platform_claims_default(uint64_t seed, struct cca_platform_claims *pc);

/* Build and sign a token. pc NULL means cca_platform_claims_default(seed).
 * The platform challenge is set to hash(RAK public) with rc->rak_hash_alg
 * ("sha-256" if empty) and the instance id to 0x01 || SHA-256(CPAK public);
 * the other claims are taken as given. Same inputs, same bytes. *token is
 * malloc'ed (free() it). 0, or -EINVAL for bad claims (meas_len, names). */
int __attribute__((warn_unused_result))
cca_token_build(uint64_t seed, const struct cca_realm_claims *rc, const struct cca_platform_claims *pc,
		uint8_t **token, size_t *len);

/* Parse a token, check the platform signature with cpak_pub, check the
 * platform challenge is the hash of the realm token's public key claim,
 * check the realm signature with that key, and fill `out` (may be NULL).
 * Returns 0 when all hold, CCA_ERR_MALFORMED ("offset N: ...") or
 * CCA_ERR_CHECK (err names the first failed check; out->platform_sig,
 * binding and realm_sig say which held) with a message in err. */
int __attribute__((warn_unused_result))
cca_token_verify(const uint8_t *token, size_t len, const uint8_t cpak_pub[P384_POINT_LEN],
		 struct cca_token_view *out, char *err, size_t errlen);

#endif
