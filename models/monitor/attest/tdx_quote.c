/* TDX quotes (DCAP quote v4): what a TD quoting enclave builds from a
 * TDREPORT and what a verifier checks; see tdx_quote.h for the format and
 * for what ccsim simplifies. */
#include "models/monitor/attest/tdx_quote.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/tdx/tdx.h"
#include "sim/buf.h"

#define PCK_LABEL "ccsim/tdx/pck"
#define AK_LABEL "ccsim/tdx/qe-attestation-key"

/* Intel's QE vendor ID (DCAP: 939A7233-F79C-4CA9-940A-0DB3957F0607). */
static const uint8_t intel_qe_vendor[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					     0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

static uint16_t le16_load(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void le16_store(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

void tdx_quote_pck_public(uint64_t seed, uint8_t pub[P384_POINT_LEN])
{
	uint8_t priv[P384_SCALAR_LEN];
	p384_key_pair(PCK_LABEL, seed, priv, pub);
}

/* The QE's report of itself (an SGX REPORT body): its identity is a fixed
 * ccsim enclave (MRENCLAVE / MRSIGNER = SHA-256 of names; ISVPRODID 2, the
 * TD QE's), and its REPORTDATA binds the attestation key: SHA-256(key ||
 * QE authentication data) || 32 zero bytes (DCAP, "QE Report"). */
static void qe_report_make(const uint8_t ak[TDX_QUOTE_KEY_LEN], const uint8_t *auth,
			   uint8_t r[TDX_QE_REPORT_LEN])
{
	uint8_t h[64], in[TDX_QUOTE_KEY_LEN + TDX_QE_AUTH_LEN];
	memset(r, 0, TDX_QE_REPORT_LEN);
	p384_digest("sha-256", "ccsim td quoting enclave", 24, h);
	memcpy(r + SGX_RB_MRENCLAVE, h, 32);
	p384_digest("sha-256", "ccsim quoting enclave signer", 28, h);
	memcpy(r + SGX_RB_MRSIGNER, h, 32);
	le16_store(r + SGX_RB_ISVPRODID, 2);
	le16_store(r + SGX_RB_ISVSVN, 1);
	memcpy(in, ak, TDX_QUOTE_KEY_LEN);
	memcpy(in + TDX_QUOTE_KEY_LEN, auth, TDX_QE_AUTH_LEN);
	p384_digest("sha-256", in, sizeof(in), h);
	memcpy(r + SGX_RB_REPORTDATA, h, 32);
}

int tdx_quote_build(uint64_t seed, const uint8_t rep[TDREPORT_SIZE], uint8_t q[TDX_QUOTE_LEN],
		    const char **why)
{
	uint8_t pck_priv[P384_SCALAR_LEN], pck[P384_POINT_LEN];
	uint8_t ak_priv[P384_SCALAR_LEN], ak[P384_POINT_LEN], h[64];
	if (tdx_tdreport_verify(seed, rep, why))
		return -EPERM;
	p384_key_pair(PCK_LABEL, seed, pck_priv, pck);
	p384_key_pair(AK_LABEL, seed, ak_priv, ak);
	memset(q, 0, TDX_QUOTE_LEN);
	le16_store(q + TDX_QH_VERSION, TDX_QUOTE_VERSION);
	le16_store(q + TDX_QH_ATT_KEY_TYPE, TDX_QUOTE_ATT_KEY_P384);
	sim_le32_store(q + TDX_QH_TEE_TYPE, TDX_QUOTE_TEE_TDX);
	memcpy(q + TDX_QH_VENDOR_ID, intel_qe_vendor, sizeof(intel_qe_vendor));
	/* USER_DATA: the QE's id for this attestation key (the key's hash). */
	p384_digest("sha-256", ak + 1, TDX_QUOTE_KEY_LEN, h);
	memcpy(q + TDX_QH_USER_DATA, h, 20);

	/* The body from the TDREPORT: TEE_TCB_INFO's module identity, TDINFO's
	 * TD identity, REPORTMACSTRUCT's REPORTDATA. */
	uint8_t *b = q + TDX_QUOTE_BODY;
	const uint8_t *tcb = rep + TDREPORT_TEE_TCB_INFO, *info = rep + TDREPORT_TDINFO;
	memcpy(b + TDX_QB_TEE_TCB_SVN, tcb + TEE_TCB_INFO_TCB_SVN, 16);
	memcpy(b + TDX_QB_MRSEAM, tcb + TEE_TCB_INFO_MRSEAM, 48);
	memcpy(b + TDX_QB_MRSIGNERSEAM, tcb + TEE_TCB_INFO_MRSIGNERSEAM, 48);
	memcpy(b + TDX_QB_SEAM_ATTRIBUTES, tcb + TEE_TCB_INFO_ATTRIBUTES, 8);
	memcpy(b + TDX_QB_TD_ATTRIBUTES, info + TDINFO_ATTRIBUTES, 8);
	memcpy(b + TDX_QB_XFAM, info + TDINFO_XFAM, 8);
	memcpy(b + TDX_QB_MRTD, info + TDINFO_MRTD, 48);
	memcpy(b + TDX_QB_MRCONFIGID, info + TDINFO_MRCONFIGID, 48);
	memcpy(b + TDX_QB_MROWNER, info + TDINFO_MROWNER, 48);
	memcpy(b + TDX_QB_MROWNERCONFIG, info + TDINFO_MROWNERCONFIG, 48);
	memcpy(b + TDX_QB_RTMR, info + TDINFO_RTMR, 4 * 48);
	memcpy(b + TDX_QB_REPORTDATA, rep + TDREPORT_REPORTDATA, 64);

	uint8_t *s = q + TDX_QUOTE_SIG_DATA;
	sim_le32_store(q + TDX_QUOTE_SIG_DATA_LEN_OFF, TDX_QUOTE_LEN - TDX_QUOTE_SIG_DATA);
	p384_digest("sha-384", q, TDX_QUOTE_SIGNED_LEN, h);
	if (p384_sign(ak_priv, h, s + TDX_QS_SIG))
		return -EIO;
	memcpy(s + TDX_QS_ATT_KEY, ak + 1, TDX_QUOTE_KEY_LEN);
	le16_store(s + TDX_QS_CERT_TYPE, TDX_QUOTE_CERT_QE_REPORT);
	sim_le32_store(s + TDX_QS_CERT_SIZE, TDX_QUOTE_LEN - TDX_QUOTE_SIG_DATA - TDX_QS_CERT_DATA);
	uint8_t *c = s + TDX_QS_CERT_DATA, *auth = c + TDX_QE_REPORT_LEN + P384_SIG_LEN + 2;
	/* QE authentication data: what the QE was given to bind with its key;
	 * ccsim's QE uses the bytes 0..31, as Intel's QE does (DCAP
	 * "QE Authentication Data"). */
	for (unsigned i = 0; i < TDX_QE_AUTH_LEN; i++)
		auth[i] = (uint8_t)i;
	le16_store(auth - 2, TDX_QE_AUTH_LEN);
	qe_report_make(ak + 1, auth, c);
	p384_digest("sha-384", c, TDX_QE_REPORT_LEN, h);
	if (p384_sign(pck_priv, h, c + TDX_QE_REPORT_LEN))
		return -EIO;
	uint8_t *pc = auth + TDX_QE_AUTH_LEN;
	le16_store(pc, TDX_QUOTE_CERT_CCSIM_PCK);
	sim_le32_store(pc + 2, TDX_QUOTE_KEY_LEN);
	memcpy(pc + 6, pck + 1, TDX_QUOTE_KEY_LEN);
	return 0;
}

uint64_t tdx_quote_serve(uint64_t seed, uint8_t *buf, size_t len)
{
	const char *why = NULL;
	uint64_t st = TDX_GET_QUOTE_ERROR;
	uint32_t out = 0;
	if (len < TDX_QBUF_DATA)
		return st;
	if (sim_le64_load(buf + TDX_QBUF_VERSION) == TDX_QBUF_CMD_VERSION &&
	    sim_le32_load(buf + TDX_QBUF_IN_LEN) == TDREPORT_SIZE &&
	    len >= TDX_QBUF_DATA + TDX_QUOTE_LEN && len >= TDX_QBUF_DATA + TDREPORT_SIZE) {
		uint8_t rep[TDREPORT_SIZE];
		memcpy(rep, buf + TDX_QBUF_DATA, sizeof(rep));
		if (!tdx_quote_build(seed, rep, buf + TDX_QBUF_DATA, &why)) {
			st = TDX_GET_QUOTE_SUCCESS;
			out = TDX_QUOTE_LEN;
		}
	}
	sim_le64_store(buf + TDX_QBUF_STATUS, st);
	sim_le32_store(buf + TDX_QBUF_OUT_LEN, out);
	return st;
}

static int malformed(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int malformed(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return TDX_QUOTE_MALFORMED;
}

/* The field at offset `at` of `need` bytes must end by `end` (the end of
 * the structure holding it). */
#define NEED(at, need, end, what)                                                                \
	do {                                                                                     \
		if ((size_t)(at) + (need) > (size_t)(end))                                       \
			return malformed(err, errlen, "offset %zu: truncated in %s (%zu bytes "  \
					 "needed, %zu left)", (size_t)(at), what, (size_t)(need), \
					 (size_t)(end) - (size_t)(at));                           \
	} while (0)

int tdx_quote_parse(const uint8_t *q, size_t len, struct tdx_quote_view *v, char *err,
		    size_t errlen)
{
	memset(v, 0, sizeof(*v));
	NEED(0, TDX_QUOTE_HEADER_LEN, len, "the quote header");
	v->version = le16_load(q + TDX_QH_VERSION);
	v->att_key_type = le16_load(q + TDX_QH_ATT_KEY_TYPE);
	v->tee_type = sim_le32_load(q + TDX_QH_TEE_TYPE);
	v->vendor_id = q + TDX_QH_VENDOR_ID;
	v->user_data = q + TDX_QH_USER_DATA;
	if (v->version != TDX_QUOTE_VERSION)
		return malformed(err, errlen, "offset %d: quote version %u, expected %d (DCAP quote v4)",
				 TDX_QH_VERSION, v->version, TDX_QUOTE_VERSION);
	if (v->tee_type != TDX_QUOTE_TEE_TDX)
		return malformed(err, errlen, "offset %d: TEE type 0x%x, expected 0x81 (TDX)%s",
				 TDX_QH_TEE_TYPE, v->tee_type, v->tee_type == 0 ? "; 0 is SGX" : "");
	if (v->att_key_type != TDX_QUOTE_ATT_KEY_P384)
		return malformed(err, errlen, "offset %d: attestation key type %u, expected 3 "
				 "(ECDSA-384-with-P-384, what ccsim's quoting enclave signs with)%s",
				 TDX_QH_ATT_KEY_TYPE, v->att_key_type,
				 v->att_key_type == TDX_QUOTE_ATT_KEY_P256 ? "; 2 is P-256" : "");
	if (sim_le32_load(q + TDX_QH_RESERVED))
		return malformed(err, errlen, "offset %d: reserved header field is not zero",
				 TDX_QH_RESERVED);
	NEED(TDX_QUOTE_BODY, TDX_QUOTE_BODY_LEN, len, "the TD report body");
	v->body = q + TDX_QUOTE_BODY;
	NEED(TDX_QUOTE_SIG_DATA_LEN_OFF, 4, len, "the signature data length");
	uint32_t sl = sim_le32_load(q + TDX_QUOTE_SIG_DATA_LEN_OFF);
	size_t avail = len - TDX_QUOTE_SIG_DATA;
	if (sl > avail)
		return malformed(err, errlen, "offset %d: signature data length %u runs past the end "
				 "(%zu bytes follow)", TDX_QUOTE_SIG_DATA_LEN_OFF, sl, avail);
	if (sl < avail)
		return malformed(err, errlen, "offset %zu: %zu trailing bytes after the signature data "
				 "(length %u at offset %d)", (size_t)TDX_QUOTE_SIG_DATA + sl, avail - sl,
				 sl, TDX_QUOTE_SIG_DATA_LEN_OFF);
	const size_t s = TDX_QUOTE_SIG_DATA, end = len;
	NEED(s + TDX_QS_SIG, P384_SIG_LEN, end, "the quote signature (P-384: 96 bytes)");
	NEED(s + TDX_QS_ATT_KEY, TDX_QUOTE_KEY_LEN, end, "the attestation key (P-384: 96 bytes)");
	v->sig = q + s + TDX_QS_SIG;
	v->att_key = q + s + TDX_QS_ATT_KEY;
	NEED(s + TDX_QS_CERT_TYPE, 6, end, "the certification data header");
	v->cert_type = le16_load(q + s + TDX_QS_CERT_TYPE);
	if (v->cert_type != TDX_QUOTE_CERT_QE_REPORT)
		return malformed(err, errlen, "offset %zu: certification data type %u, expected 6 "
				 "(QE report certification data)", s + TDX_QS_CERT_TYPE, v->cert_type);
	uint32_t cs = sim_le32_load(q + s + TDX_QS_CERT_SIZE);
	size_t c = s + TDX_QS_CERT_DATA;
	if (cs != end - c)
		return malformed(err, errlen, "offset %zu: certification data size %u, but %zu bytes "
				 "of signature data follow", s + TDX_QS_CERT_SIZE, cs, end - c);
	NEED(c, TDX_QE_REPORT_LEN, end, "the QE report");
	v->qe_report = q + c;
	c += TDX_QE_REPORT_LEN;
	NEED(c, P384_SIG_LEN, end, "the QE report signature (P-384: 96 bytes)");
	v->qe_report_sig = q + c;
	c += P384_SIG_LEN;
	NEED(c, 2, end, "the QE authentication data size");
	v->qe_auth_len = le16_load(q + c);
	c += 2;
	NEED(c, v->qe_auth_len, end, "the QE authentication data");
	v->qe_auth = q + c;
	c += v->qe_auth_len;
	NEED(c, 6, end, "the PCK certification data header");
	v->pck_type = le16_load(q + c);
	uint32_t ps = sim_le32_load(q + c + 2);
	if (v->pck_type != TDX_QUOTE_CERT_CCSIM_PCK)
		return malformed(err, errlen, "offset %zu: PCK certification data type %u, expected "
				 "0x%x (ccsim: the simulated PCK's public key)%s", c, v->pck_type,
				 TDX_QUOTE_CERT_CCSIM_PCK, v->pck_type == TDX_QUOTE_CERT_PCK_CHAIN ?
				 "; 5 is a PCK certificate chain, which needs Intel's CA" : "");
	if (ps != TDX_QUOTE_KEY_LEN || end - (c + 6) != TDX_QUOTE_KEY_LEN)
		return malformed(err, errlen, "offset %zu: PCK certification data size %u with %zu "
				 "bytes left, expected 96 (a P-384 key) ending the quote", c + 2, ps,
				 end - (c + 6));
	v->pck = q + c + 6;
	return 0;
}

/* A raw X || Y key as the point p384_verify takes. */
static void point_of(const uint8_t xy[TDX_QUOTE_KEY_LEN], uint8_t pt[P384_POINT_LEN])
{
	pt[0] = 0x04;
	memcpy(pt + 1, xy, TDX_QUOTE_KEY_LEN);
}

int tdx_quote_verify(const uint8_t *q, size_t len, uint64_t seed, struct tdx_quote_view *v,
		     char *err, size_t errlen)
{
	int rc = tdx_quote_parse(q, len, v, err, errlen);
	if (rc)
		return rc;
	uint8_t pck[P384_POINT_LEN], pt[P384_POINT_LEN], h[64];
	tdx_quote_pck_public(seed, pck);
	v->pck_fails = memcmp(pck + 1, v->pck, TDX_QUOTE_KEY_LEN) != 0;
	point_of(v->pck, pt);
	p384_digest("sha-384", v->qe_report, TDX_QE_REPORT_LEN, h);
	v->qe_sig_fails = p384_verify(pt, h, v->qe_report_sig) != 0;
	uint8_t *in = malloc(TDX_QUOTE_KEY_LEN + (size_t)v->qe_auth_len);
	if (!in)
		abort();
	memcpy(in, v->att_key, TDX_QUOTE_KEY_LEN);
	memcpy(in + TDX_QUOTE_KEY_LEN, v->qe_auth, v->qe_auth_len);
	p384_digest("sha-256", in, TDX_QUOTE_KEY_LEN + (size_t)v->qe_auth_len, h);
	free(in);
	static const uint8_t zeros[32];
	v->binding_fails = memcmp(h, v->qe_report + SGX_RB_REPORTDATA, 32) != 0 ||
			memcmp(zeros, v->qe_report + SGX_RB_REPORTDATA + 32, 32) != 0;
	point_of(v->att_key, pt);
	p384_digest("sha-384", q, TDX_QUOTE_SIGNED_LEN, h);
	v->quote_sig_fails = p384_verify(pt, h, v->sig) != 0;
	if (v->pck_fails)
		snprintf(err, errlen, "the certification data's PCK is not the simulated platform's "
			 "of seed %llu", (unsigned long long)seed);
	else if (v->qe_sig_fails)
		snprintf(err, errlen, "QE report signature does not verify with the PCK");
	else if (v->binding_fails)
		snprintf(err, errlen, "QE report does not bind the attestation key (its REPORTDATA is "
			 "not SHA-256(key || QE authentication data))");
	else if (v->quote_sig_fails)
		snprintf(err, errlen, "quote signature does not verify with the attestation key "
			 "(header or TD report body altered, or signature)");
	else
		return 0;
	return TDX_QUOTE_INVALID;
}
