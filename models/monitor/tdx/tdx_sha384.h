/* SHA-384 (FIPS 180-4) over whole 128-byte blocks, with a plain state a
 * monitor can keep in simulated memory: the TDX module keeps MRTD's running
 * hash in the TDCS this way (tdx-module sha384_update_128B on
 * TDCS.MEASUREMENT.TD_SHA_CTX) and finalises it at TDH.MR.FINALIZE. */
#ifndef CCSIM_TDX_SHA384_H
#define CCSIM_TDX_SHA384_H

#include <stddef.h>
#include <stdint.h>

#define TDX_SHA384_LEN 48
#define TDX_SHA384_BLOCK 128

struct tdx_sha384 {
	uint64_t h[8];
	uint64_t blocks; /* 128-byte blocks hashed so far */
};

void tdx_sha384_init(struct tdx_sha384 *c);
/* Hash n whole blocks. */
void tdx_sha384_update(struct tdx_sha384 *c, const uint8_t *blocks, size_t n);
/* Pad and finish; *c is left finished (not reusable). */
void tdx_sha384_final(struct tdx_sha384 *c, uint8_t out[TDX_SHA384_LEN]);
/* One-shot over any length (RTMR extension: SHA384(RTMR || data), TDREPORT
 * hashes). */
void tdx_sha384(const void *buf, size_t len, uint8_t out[TDX_SHA384_LEN]);

#endif
