/* TDREPORT_STRUCT (Intel TDX Module v1.5 ABI Specification,
 * "TDREPORT_STRUCT"; tdx-module tdg_mr_report.c): built for TDG.MR.REPORT
 * from a TD's measurements, and checked the way the quoting enclave checks
 * one before it signs a quote (EVERIFYREPORT2 over REPORTMACSTRUCT, then
 * the TEE_TCB_INFO and TDINFO hashes the MAC covers). */
#include <string.h>

#include "models/monitor/tdx/tdx_internal.h"
#include "sim/buf.h"

/* The platform's report MAC key stands in for the CPU's (hardware keeps it
 * in the package; only EVERIFYREPORT2 and TDG.MR.VERIFYREPORT use it): a
 * keyed SHA-384 of REPORTMACSTRUCT [0, 224), truncated to 32 bytes, under
 * a key derived from the run's seed. */
static void report_mac(uint64_t seed, const uint8_t r[TDREPORT_SIZE], uint8_t mac[32])
{
	uint8_t in[8 + TDREPORT_MAC], h[TDX_SHA384_LEN];
	sim_le64_store(in, seed ^ 0x7464787265706f72ull); /* "tdxrepor" */
	memcpy(in + 8, r, TDREPORT_MAC);
	tdx_sha384(in, sizeof(in), h);
	memcpy(mac, h, 32);
}

/* TEE_TCB_INFO names this module (MRSEAM = SHA-384 of its name: ccsim has
 * no module binary); VALID marks TEE_TCB_SVN and MRSEAM; MRSIGNERSEAM and
 * ATTRIBUTES are zero, as for Intel's own module. */
void tdx_tdreport_make(uint64_t seed, const struct tdx_td_measurements *m,
		       const uint8_t reportdata[64], uint8_t r[TDREPORT_SIZE])
{
	uint8_t *info = r + TDREPORT_TDINFO, *tcb = r + TDREPORT_TEE_TCB_INFO;
	memset(r, 0, TDREPORT_SIZE);
	r[TDREPORT_TYPE] = TDX_REPORT_TYPE_TDX;
	sim_le64_store(info + TDINFO_ATTRIBUTES, m->attributes);
	sim_le64_store(info + TDINFO_XFAM, m->xfam);
	memcpy(info + TDINFO_MRTD, m->mrtd, 48);
	memcpy(info + TDINFO_MRCONFIGID, m->mrconfigid, 48);
	memcpy(info + TDINFO_MROWNER, m->mrowner, 48);
	memcpy(info + TDINFO_MROWNERCONFIG, m->mrownerconfig, 48);
	memcpy(info + TDINFO_RTMR, m->rtmr, sizeof(m->rtmr));
	sim_le64_store(tcb, 0x3ull);
	static const char module[] = "ccsim tdx module 1.5";
	tdx_sha384(module, sizeof(module) - 1, tcb + TEE_TCB_INFO_MRSEAM);
	tdx_sha384(tcb, TDREPORT_TEE_TCB_INFO_LEN, r + TDREPORT_TEE_TCB_INFO_HASH);
	tdx_sha384(info, TDINFO_LEN, r + TDREPORT_TEE_INFO_HASH);
	memcpy(r + TDREPORT_REPORTDATA, reportdata, 64);
	report_mac(seed, r, r + TDREPORT_MAC);
}

int tdx_tdreport_verify(uint64_t seed, const uint8_t r[TDREPORT_SIZE], const char **why)
{
	uint8_t h[TDX_SHA384_LEN];
	if (r[TDREPORT_TYPE] != TDX_REPORT_TYPE_TDX) {
		*why = "REPORTTYPE.TYPE is not 0x81 (TDX)";
		return -1;
	}
	report_mac(seed, r, h);
	if (memcmp(h, r + TDREPORT_MAC, 32)) {
		*why = "REPORTMACSTRUCT MAC does not verify with the platform's key";
		return -1;
	}
	tdx_sha384(r + TDREPORT_TEE_TCB_INFO, TDREPORT_TEE_TCB_INFO_LEN, h);
	if (memcmp(h, r + TDREPORT_TEE_TCB_INFO_HASH, TDX_SHA384_LEN)) {
		*why = "TEE_TCB_INFO does not match TEE_TCB_INFO_HASH";
		return -1;
	}
	tdx_sha384(r + TDREPORT_TDINFO, TDINFO_LEN, h);
	if (memcmp(h, r + TDREPORT_TEE_INFO_HASH, TDX_SHA384_LEN)) {
		*why = "TDINFO does not match TEE_INFO_HASH";
		return -1;
	}
	return 0;
}

/* TDG.MR.REPORT's TDREPORT: TDINFO from the TDCS. */
void tdx_report_build(struct tdx *t, const struct tdx_tdcs *c, const uint8_t reportdata[64],
		      uint8_t r[TDREPORT_SIZE])
{
	struct tdx_td_measurements m = { .attributes = c->attributes, .xfam = c->xfam };
	memcpy(m.mrtd, c->mrtd, 48);
	memcpy(m.mrconfigid, c->mrconfigid, 48);
	memcpy(m.mrowner, c->mrowner, 48);
	memcpy(m.mrownerconfig, c->mrownerconfig, 48);
	memcpy(m.rtmr, c->rtmr, sizeof(m.rtmr));
	tdx_tdreport_make(t->cfg.seed, &m, reportdata, r);
}
