/* Intel TDX quotes for ccsim attest; see attest_tdx.c. */
#ifndef CCSIM_HARNESS_ATTEST_TDX_H
#define CCSIM_HARNESS_ATTEST_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/monitor/attest/tdx_quote.h"

/* The quote of a TD with this MRTD and REPORTDATA (other measurements
 * zero) on the platform of `seed`. 0 or -errno. */
int attest_tdx_make(uint64_t seed, const uint8_t mrtd[48], const uint8_t reportdata[64],
		    uint8_t out[TDX_QUOTE_LEN]);
/* The MRTD a TD's owner expects of a guest image as ccsim's host builds a
 * TD from it (the image from GPA 0, then TDVF's reset page), computed
 * from the TDX module's MRTD rule with another SHA-384 than the module's
 * (see attest_tdx.c). */
void attest_tdx_mrtd_of_image(const uint8_t *img, size_t len, uint8_t mrtd[48]);
/* Does this look like a TDX quote (version 4, TEE type 0x81)? */
bool attest_is_tdx_quote(const uint8_t *data, size_t len);

/* What the verifier expects: the seed whose PCK roots the chain, and
 * optionally the MRTD (48 bytes) and REPORTDATA (64 bytes). */
struct attest_tdx_expect {
	uint64_t seed;
	const uint8_t *mrtd, *report_data;
};
/* Parse and verify; print the fields to `out`, a failure to `errs`. Exit
 * status 0 valid, 1 a check failed, 2 malformed (with the byte offset). */
int attest_tdx_verify(const char *file, const uint8_t *q, size_t len,
		      const struct attest_tdx_expect *want, bool json, FILE *out, FILE *errs);

#endif
