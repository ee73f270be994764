/* `ccsim attest`: make and verify Arm CCA attestation tokens
 * (models/monitor/attest/cca_token.h). */
#ifndef CCSIM_HARNESS_ATTEST_CMD_H
#define CCSIM_HARNESS_ATTEST_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* argv holds the arguments after "attest". Exit status: 0 valid / written,
 * 1 a check failed, 2 unreadable or malformed input, bad usage. */
int attest_main(int argc, char **argv);

/* `ccsim attest verify`'s options (NULL: not given). */
struct attest_verify_opts {
	uint64_t seed;
	const char *rim_hex, *meas_hex, *cpak_file;
	bool json;
	bool tdx;                      /* the data is a TDX quote, whatever it looks like */
	const char *mrtd_hex, *rd_hex; /* TDX: expected MRTD, REPORTDATA */
};

/* Verify `len` bytes at `data` (a CCA token, a 1184-byte SEV-SNP report or a
 * TDX quote),
 * named `file` in messages: claims to `out`, failures to `errs` (usage
 * errors to stderr). The exit status of `ccsim attest verify`. */
int attest_verify_data(const char *file, const uint8_t *data, size_t len,
		       const struct attest_verify_opts *o, FILE *out, FILE *errs);

#endif
