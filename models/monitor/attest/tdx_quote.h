/* Intel TDX quotes in the DCAP quote format version 4 (Intel TDX DCAP
 * Quoting Library API, appendix "Quote Format"; DCAP sgx_quote_4.h): the
 * 48-byte header, the 584-byte TD report body (TEE type 0x81) and the
 * signature data, built by a simulated TD quoting enclave (QE) from a
 * TDREPORT and verified back to a simulated platform key.
 *
 * What ccsim simplifies, and why: real DCAP v4 signs with ECDSA P-256 and
 * certifies the QE's report with the platform's PCK, whose X.509 chain
 * (certification data type 5) leads to Intel's root CA. ccsim has no Intel
 * CA, so its chain is one level deep and stays inside the run: the PCK and
 * the QE's attestation key are P-384 keys derived from the seed (as the SNP
 * VCEK and the CCA CPAK are), the header says ECDSA-384-with-P-384
 * (attestation key type 3), and the PCK certification data inside the QE
 * report certification data (type 6, as on hardware) carries the PCK's raw
 * public key under a ccsim type, TDX_QUOTE_CERT_CCSIM_PCK. A verifier that
 * knows the seed knows the PCK, as one that trusts Intel knows its root. */
#ifndef CCSIM_MODELS_MONITOR_ATTEST_TDX_QUOTE_H
#define CCSIM_MODELS_MONITOR_ATTEST_TDX_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "models/monitor/attest/p384.h"
#include "models/monitor/tdx/tdx_abi.h"

#define TDX_QUOTE_VERSION 4
#define TDX_QUOTE_ATT_KEY_P256 2        /* sgx_attestation_algorithm_id_t */
#define TDX_QUOTE_ATT_KEY_P384 3
#define TDX_QUOTE_TEE_TDX 0x81u
#define TDX_QUOTE_CERT_QE_REPORT 6      /* QE report certification data */
#define TDX_QUOTE_CERT_PCK_CHAIN 5      /* PCK certificate chain (PEM), on hardware */
#define TDX_QUOTE_CERT_CCSIM_PCK 0xCC01 /* ccsim: the simulated PCK's raw P-384 key */

/* Header (sgx_quote4_header_t). */
#define TDX_QH_VERSION 0        /* u16 */
#define TDX_QH_ATT_KEY_TYPE 2   /* u16 */
#define TDX_QH_TEE_TYPE 4       /* u32 */
#define TDX_QH_RESERVED 8       /* u32, zero */
#define TDX_QH_VENDOR_ID 12     /* 16 bytes: the QE vendor (Intel's) */
#define TDX_QH_USER_DATA 28     /* 20 bytes: the QE's id for its attestation key */
#define TDX_QUOTE_HEADER_LEN 48
/* TD report body (sgx_report2_body_t), from offset 48. */
#define TDX_QUOTE_BODY 48
#define TDX_QB_TEE_TCB_SVN 0
#define TDX_QB_MRSEAM 16
#define TDX_QB_MRSIGNERSEAM 64
#define TDX_QB_SEAM_ATTRIBUTES 112
#define TDX_QB_TD_ATTRIBUTES 120
#define TDX_QB_XFAM 128
#define TDX_QB_MRTD 136
#define TDX_QB_MRCONFIGID 184
#define TDX_QB_MROWNER 232
#define TDX_QB_MROWNERCONFIG 280
#define TDX_QB_RTMR 328         /* RTMR0..3, 48 bytes each */
#define TDX_QB_REPORTDATA 520
#define TDX_QUOTE_BODY_LEN 584
#define TDX_QUOTE_MR_LEN 48          /* MRTD and the RTMRs: SHA-384 */
#define TDX_QUOTE_REPORTDATA_LEN 64
/* What the attestation key signs: header and body. */
#define TDX_QUOTE_SIGNED_LEN (TDX_QUOTE_HEADER_LEN + TDX_QUOTE_BODY_LEN) /* 632 */
#define TDX_QUOTE_SIG_DATA_LEN_OFF 632 /* u32 */
#define TDX_QUOTE_SIG_DATA 636
/* Signature data (sgx_ecdsa_sig_data_v4_t with P-384 sizes): the quote
 * signature r || s and the attestation key X || Y, big-endian; then the
 * certification data: type u16, size u32, and for type 6 the QE report
 * (an SGX REPORT body), its signature by the PCK, the QE authentication
 * data (u16 size, bytes) and the PCK certification data (type u16, size
 * u32, data). */
#define TDX_QS_SIG 0
#define TDX_QS_ATT_KEY 96
#define TDX_QS_CERT_TYPE 192
#define TDX_QS_CERT_SIZE 194
#define TDX_QS_CERT_DATA 198
#define TDX_QUOTE_KEY_LEN 96        /* X || Y */
#define TDX_QE_REPORT_LEN 384
#define TDX_QE_AUTH_LEN 32          /* what ccsim's QE puts in its authentication data */
/* SGX REPORT body (SDM vol. 3D, REPORT): the QE's own identity. */
#define SGX_RB_CPUSVN 0
#define SGX_RB_ATTRIBUTES 48
#define SGX_RB_MRENCLAVE 64
#define SGX_RB_MRSIGNER 128
#define SGX_RB_ISVPRODID 256
#define SGX_RB_ISVSVN 258
#define SGX_RB_REPORTDATA 320
/* The quote ccsim's QE writes: 636 + 96 + 96 + 6 + 384 + 96 + 2 + 32 + 6 + 96. */
#define TDX_QUOTE_LEN 1450

/* The GetQuote buffer a TD shares with the host (GHCI 1.5 "GetQuote";
 * Linux drivers/virt/coco/tdx-guest, struct tdx_quote_buf): version (u64,
 * 1), status (u64), in_len and out_len (u32), then the data: the TDREPORT
 * in, the quote out. */
#define TDX_QBUF_VERSION 0
#define TDX_QBUF_STATUS 8
#define TDX_QBUF_IN_LEN 16
#define TDX_QBUF_OUT_LEN 20
#define TDX_QBUF_DATA 24
#define TDX_QBUF_CMD_VERSION 1
#define TDX_GET_QUOTE_SUCCESS 0ull
#define TDX_GET_QUOTE_IN_FLIGHT 0xFFFFFFFFFFFFFFFFull
#define TDX_GET_QUOTE_ERROR 0x8000000000000000ull

/* Verification outcome. */
#define TDX_QUOTE_INVALID 1     /* well formed; a check failed */
#define TDX_QUOTE_MALFORMED 2   /* not a quote this format describes */

/* The quote, field by field (pointers into the bytes parsed). */
struct tdx_quote_view {
	uint16_t version, att_key_type;
	uint32_t tee_type;
	const uint8_t *vendor_id, *user_data;
	const uint8_t *body;            /* TDX_QUOTE_BODY_LEN bytes */
	const uint8_t *sig, *att_key;   /* 96 bytes each */
	uint16_t cert_type;
	const uint8_t *qe_report, *qe_report_sig;
	const uint8_t *qe_auth;
	uint16_t qe_auth_len;
	uint16_t pck_type;
	const uint8_t *pck;             /* TDX_QUOTE_KEY_LEN bytes */
	/* checks (tdx_quote_verify): 0 holds, 1 fails */
	int pck_fails, qe_sig_fails, binding_fails, quote_sig_fails;
};

/* The simulated platform's PCK and its QE's attestation key, from the seed. */
void tdx_quote_pck_public(uint64_t seed, uint8_t pub[P384_POINT_LEN]);
/* Build a quote from a TDREPORT the platform of `seed` MACed: the report
 * is checked first as the QE does (tdx_tdreport_verify). 0, or -EPERM with
 * *why when the report does not check, -EIO if signing failed. */
int __attribute__((warn_unused_result))
tdx_quote_build(uint64_t seed, const uint8_t tdreport[TDREPORT_SIZE], uint8_t out[TDX_QUOTE_LEN],
		const char **why);
/* The quoting service answering a GetQuote buffer of len bytes in place:
 * a version 1 header with a TDREPORT of in_len TDREPORT_SIZE gets the
 * quote after the header, out_len and TDX_GET_QUOTE_SUCCESS; anything
 * else (a short buffer, a report the platform did not MAC) gets
 * TDX_GET_QUOTE_ERROR and out_len 0 (len < TDX_QBUF_DATA: nothing
 * written). Returns the status written. */
uint64_t tdx_quote_serve(uint64_t seed, uint8_t *buf, size_t len);
/* Parse every field: 0, or TDX_QUOTE_MALFORMED with "offset N: what" in err. */
int tdx_quote_parse(const uint8_t *q, size_t len, struct tdx_quote_view *v, char *err,
		    size_t errlen);
/* Parse, then check the chain: the PCK is the platform's of `seed`, it
 * signed the QE report, the QE report binds the attestation key
 * (REPORTDATA = SHA-256(key || QE authentication data) || zeros), and the
 * attestation key signed header and body. 0, TDX_QUOTE_INVALID with the
 * first failure in err (every check's result in *v), or TDX_QUOTE_MALFORMED. */
int tdx_quote_verify(const uint8_t *q, size_t len, uint64_t seed, struct tdx_quote_view *v,
		     char *err, size_t errlen);

#endif
