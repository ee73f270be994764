/* ECDSA P-384 / SHA-384 for the simulated CCA attestation keys: key
 * derivation from the simulation seed, deterministic signing (RFC 6979 §3.2,
 * so the same seed always gives the same token bytes) and verification
 * through OpenSSL's EVP API. Not constant time: it simulates, it guards nothing. */
#ifndef CCSIM_MODELS_MONITOR_ATTEST_P384_H
#define CCSIM_MODELS_MONITOR_ATTEST_P384_H

#include <stddef.h>
#include <stdint.h>

#define P384_SCALAR_LEN 48
#define P384_POINT_LEN 97   /* SEC 1 §2.3.3 uncompressed: 0x04 || X || Y */
#define P384_SIG_LEN 96     /* COSE (RFC 9053 §2.1): r || s, 48 bytes each */
#define P384_HASH_LEN 48    /* SHA-384 */

/* Private scalar d = (SHA-384(label || 0x00 || LE64(seed) [|| LE64(id)]) mod (n-1)) + 1,
 * n the P-384 group order, so d is in [1, n-1]; big-endian, 48 bytes.
 * `id` is included only when has_id is non-zero. */
void p384_key_derive(const char *label, uint64_t seed, int has_id, uint64_t id,
		     uint8_t priv[P384_SCALAR_LEN]);
/* p384_key_derive without id, and its public point. */
void p384_key_pair(const char *label, uint64_t seed, uint8_t priv[P384_SCALAR_LEN],
		   uint8_t pub[P384_POINT_LEN]);
/* The public point d*G, uncompressed. 0 or -EINVAL (d out of range). */
int __attribute__((warn_unused_result)) p384_public(const uint8_t priv[P384_SCALAR_LEN],
						    uint8_t pub[P384_POINT_LEN]);
/* Sign a SHA-384 digest with the RFC 6979 deterministic nonce. 0 or -EINVAL. */
int __attribute__((warn_unused_result)) p384_sign(const uint8_t priv[P384_SCALAR_LEN],
						  const uint8_t hash[P384_HASH_LEN],
						  uint8_t sig[P384_SIG_LEN]);
/* 0 when sig (r || s) is a valid signature of hash under pub; -EPERM when it
 * is not or pub is not a point on the curve. */
int __attribute__((warn_unused_result)) p384_verify(const uint8_t pub[P384_POINT_LEN],
						    const uint8_t hash[P384_HASH_LEN],
						    const uint8_t sig[P384_SIG_LEN]);
/* One-shot digests by COSE/CCA name: "sha-256", "sha-384", "sha-512".
 * Returns the digest length, or 0 for an unknown name. */
size_t p384_digest(const char *alg, const void *p, size_t n, uint8_t out[64]);

#endif
