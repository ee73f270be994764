/* The cryptography of IBM Secure Execution as s390-tools implements it
 * (rust/pv/src/crypto.rs, rust/pv/src/req/keyslot.rs): ECDH over NIST P-521
 * host keys, key slots that wrap a 32-byte key for each host key with
 * AES-256-GCM, AES-256-XTS for image pages, SHA-512 digests and HMAC-SHA512
 * measurements, through OpenSSL. Every key comes from a label and a seed,
 * never from host randomness: the same seed gives the same bytes. */
#ifndef CCSIM_MODELS_MONITOR_UV_SE_CRYPTO_H
#define CCSIM_MODELS_MONITOR_UV_SE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SE_SCALAR_LEN 66   /* a P-521 private scalar, big-endian */
#define SE_COORD_LEN 160   /* EcPubKeyCoord: X and Y, each left-padded to 80 bytes (ec_coord.rs) */
#define SE_PHKH_LEN 32     /* public host key hash: SHA-256 of the coordinates (keys.rs phkh_v1) */
#define SE_KEYSLOT_LEN 80  /* phkh || wrapped key (32) || GCM tag (16) (BinaryKeySlotV1) */
#define SE_GCM_KEY 32
#define SE_GCM_IV 12
#define SE_GCM_TAG 16
#define SE_XTS_KEY 64
#define SE_TWEAK_LEN 16
#define SE_PAGE 4096
#define SE_SHA512_LEN 64

struct se_key {
	uint8_t priv[SE_SCALAR_LEN];
	uint8_t coord[SE_COORD_LEN];
};

/* A key pair from (label, seed, id): d = (SHA-512(label || 0x00 || LE64(seed)
 * || LE64(id)) mod (n - 1)) + 1, n the P-521 order. */
void se_key_derive(const char *label, uint64_t seed, uint64_t id, struct se_key *k);
/* The host key pair of a simulated machine run with `seed` (index 0 its
 * current key, 1 a backup key as z16 machines have). */
void se_host_key(uint64_t seed, unsigned index, struct se_key *k);
/* The public coordinates of a private scalar. 0 or -EINVAL. */
int __attribute__((warn_unused_result)) se_key_public(const uint8_t priv[SE_SCALAR_LEN],
						      uint8_t coord[SE_COORD_LEN]);
void se_phkh(const uint8_t coord[SE_COORD_LEN], uint8_t out[SE_PHKH_LEN]);

/* The AES-256-GCM key two parties derive: SHA-256(ECDH x-coordinate (66
 * bytes) || 00 00 00 01) (crypto.rs derive_aes256_gcm_key). 0, or -EINVAL
 * if the peer's coordinates are not a point of the curve. */
int __attribute__((warn_unused_result)) se_derive_key(const uint8_t priv[SE_SCALAR_LEN],
						      const uint8_t peer[SE_COORD_LEN],
						      uint8_t key[SE_GCM_KEY]);
/* A key slot for host key `host`: phkh || AES-256-GCM(derived key, IV 0,
 * no AAD) of `key` (keyslot.rs KeyslotV1::encrypt_to). 0 or -EINVAL. */
int __attribute__((warn_unused_result)) se_keyslot_wrap(const uint8_t cust_priv[SE_SCALAR_LEN],
							const uint8_t host[SE_COORD_LEN],
							const uint8_t key[SE_GCM_KEY],
							uint8_t slot[SE_KEYSLOT_LEN]);
/* The key a slot wraps, opened with the host's private key: 0, -ENOENT
 * if the slot names another host key, -EBADMSG if its tag fails. */
int __attribute__((warn_unused_result)) se_keyslot_unwrap(const struct se_key *host,
							  const uint8_t cust[SE_COORD_LEN],
							  const uint8_t slot[SE_KEYSLOT_LEN],
							  uint8_t key[SE_GCM_KEY]);

/* AES-256-GCM of len bytes (in place allowed). Encrypt writes *tag;
 * decrypt checks it: 0 or -EBADMSG. */
int __attribute__((warn_unused_result)) se_gcm(bool encrypt, const uint8_t key[SE_GCM_KEY],
					       const uint8_t iv[SE_GCM_IV], const uint8_t *aad,
					       size_t aadlen, const uint8_t *in, size_t len,
					       uint8_t *out, uint8_t tag[SE_GCM_TAG]);
/* AES-256-XTS of one 4 KiB page with a 16-byte tweak (secured_comp.rs
 * prepare_component: the tweak is the IV). 0 or -EINVAL. */
int __attribute__((warn_unused_result)) se_xts_page(bool encrypt, const uint8_t key[SE_XTS_KEY],
						    const uint8_t tweak[SE_TWEAK_LEN],
						    const uint8_t *in, uint8_t *out);
void se_sha512(const void *p, size_t n, uint8_t out[SE_SHA512_LEN]);
void se_sha256(const void *p, size_t n, uint8_t out[32]);
void se_hmac_sha512(const uint8_t *key, size_t klen, const void *msg, size_t n,
		    uint8_t out[SE_SHA512_LEN]);
/* n bytes of key material from (label, seed, ctx): HMAC-SHA512 keyed by
 * SHA-512(label || LE64(seed)) over ctx || BE32(counter), concatenated. */
void se_expand(const char *label, uint64_t seed, const void *ctx, size_t ctxlen, uint8_t *out,
	       size_t n);

/* A public key as PEM (SubjectPublicKeyInfo, secp521r1), g_malloc'd; NULL
 * on failure. */
char *se_pubkey_pem(const uint8_t coord[SE_COORD_LEN]);
/* A PEM public key's coordinates: 0, or -1 with why in err (not PEM, not
 * an EC key on secp521r1). */
int se_pubkey_from_pem(const char *pem, size_t len, uint8_t coord[SE_COORD_LEN], char *err,
		       size_t errlen);

#endif
