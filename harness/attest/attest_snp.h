/* SEV-SNP attestation reports for ccsim attest; see attest_snp.c. */
#ifndef CCSIM_HARNESS_ATTEST_SNP_H
#define CCSIM_HARNESS_ATTEST_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/monitor/snp/snp_fw.h"

/* Launch a one-page guest whose page holds `image` on the firmware model
 * and have it sign a report with `report_data`. 0 or -errno. */
int attest_snp_make(uint64_t seed, const uint8_t report_data[SNP_REPORT_DATA_LEN],
		    const uint8_t *image, size_t image_len, uint8_t out[SNP_REPORT_LEN]);
/* Is this a 1184-byte report (version 2..5)? */
bool attest_is_snp_report(const uint8_t *data, size_t len);
/* Check the VCEK signature (VCEK of `seed` at the report's TCB) and, when
 * meas is given, the measurement; print the fields to `out`, a failure to
 * `errs`. Exit status 0 or 1. */
int attest_snp_verify(const char *file, const uint8_t *report, uint64_t seed, const uint8_t *meas,
		      size_t meas_len, bool json, FILE *out, FILE *errs);

#endif
