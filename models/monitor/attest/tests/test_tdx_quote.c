/* TDX quotes (DCAP v4, models/monitor/attest/tdx_quote.c): a TDREPORT in,
 * a quote out with every body field where the format puts it; the QE's
 * refusal of a report whose MAC or hashes do not check; verification of the
 * chain PCK -> QE report -> attestation key -> quote; tampering with each
 * signed part; and malformed quotes named by byte offset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx.h"
#include "sim/buf.h"

#define SEED 7

static void report(uint8_t r[TDREPORT_SIZE], struct tdx_td_measurements *m)
{
	uint8_t rd[64];
	memset(m, 0, sizeof(*m));
	m->attributes = TD_ATTR_SEPT_VE_DISABLE;
	m->xfam = 0x3;
	for (int i = 0; i < 48; i++) {
		m->mrtd[i] = (uint8_t)(0xa0 + i);
		m->mrconfigid[i] = 1;
		m->mrowner[i] = 2;
		m->mrownerconfig[i] = 3;
		for (int k = 0; k < 4; k++)
			m->rtmr[k][i] = (uint8_t)(0x10 * (k + 1));
	}
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)i;
	tdx_tdreport_make(SEED, m, rd, r);
}

/* Every field of the body comes from the TDREPORT, at the spec's offset;
 * the header names DCAP v4, P-384, TDX; the quote verifies. */
static void test_build_layout(void **state)
{
	(void)state;
	uint8_t r[TDREPORT_SIZE], q[TDX_QUOTE_LEN];
	struct tdx_td_measurements m;
	struct tdx_quote_view v;
	const char *why = NULL;
	char err[256];
	report(r, &m);
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), 0);
	assert_int_equal(q[0] | q[1] << 8, 4);
	assert_int_equal(q[2] | q[3] << 8, 3);
	assert_int_equal(sim_le32_load(q + 4), 0x81);
	assert_int_equal(q[12], 0x93);
	const uint8_t *b = q + 48;
	assert_int_equal(sim_le64_load(b + 120), TD_ATTR_SEPT_VE_DISABLE);
	assert_int_equal(sim_le64_load(b + 128), 3);
	assert_memory_equal(b + 136, m.mrtd, 48);
	assert_memory_equal(b + 184, m.mrconfigid, 48);
	assert_memory_equal(b + 232, m.mrowner, 48);
	assert_memory_equal(b + 280, m.mrownerconfig, 48);
	assert_memory_equal(b + 328 + 3 * 48, m.rtmr[3], 48);
	assert_memory_equal(b + 520, r + TDREPORT_REPORTDATA, 64);
	assert_memory_equal(b + 16, r + TDREPORT_TEE_TCB_INFO + 24, 48); /* MRSEAM */
	assert_int_equal(sim_le32_load(q + 632), TDX_QUOTE_LEN - 636);
	assert_int_equal(q[636 + 192] | q[636 + 193] << 8, 6);
	assert_int_equal(tdx_quote_verify(q, sizeof(q), SEED, &v, err, sizeof(err)), 0);
	assert_int_equal(v.qe_auth_len, 32);
	assert_ptr_equal(v.body, q + 48);
	/* same seed and report, same bytes */
	uint8_t q2[TDX_QUOTE_LEN];
	assert_int_equal(tdx_quote_build(SEED, r, q2, &why), 0);
	assert_memory_equal(q, q2, sizeof(q));
}

/* The QE checks the TDREPORT first: another platform's MAC, a changed
 * REPORTDATA (under the MAC) or a changed TDINFO (its hash) is refused. */
static void test_build_checks_report(void **state)
{
	(void)state;
	uint8_t r[TDREPORT_SIZE], q[TDX_QUOTE_LEN];
	struct tdx_td_measurements m;
	const char *why = NULL;
	report(r, &m);
	assert_int_equal(tdx_quote_build(SEED + 1, r, q, &why), -EPERM);
	assert_non_null(strstr(why, "MAC"));
	r[TDREPORT_REPORTDATA] ^= 1;
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), -EPERM);
	assert_non_null(strstr(why, "MAC"));
	r[TDREPORT_REPORTDATA] ^= 1;
	r[TDREPORT_TDINFO + TDINFO_MRTD] ^= 1;
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), -EPERM);
	assert_string_equal(why, "TDINFO does not match TEE_INFO_HASH");
	r[TDREPORT_TDINFO + TDINFO_MRTD] ^= 1;
	r[TDREPORT_TYPE] = 0;
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), -EPERM);
}

static int verify(const uint8_t *q, size_t len, uint64_t seed, char *err)
{
	struct tdx_quote_view v;
	return tdx_quote_verify(q, len, seed, &v, err, 256);
}

/* Each signed part altered fails its own check. */
static void test_tamper(void **state)
{
	(void)state;
	uint8_t r[TDREPORT_SIZE], q[TDX_QUOTE_LEN];
	struct tdx_td_measurements m;
	const char *why = NULL;
	char err[256];
	report(r, &m);
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), 0);
	static const struct { size_t off; const char *want; } cases[] = {
		{ TDX_QUOTE_BODY + TDX_QB_MRTD, "quote signature" },
		{ TDX_QUOTE_BODY + TDX_QB_REPORTDATA + 63, "quote signature" },
		{ TDX_QH_USER_DATA, "quote signature" },
		{ TDX_QUOTE_SIG_DATA + 5, "quote signature" },
		{ TDX_QUOTE_SIG_DATA + TDX_QS_ATT_KEY + 10, "bind the attestation key" },
		{ TDX_QUOTE_SIG_DATA + TDX_QS_CERT_DATA + 64, "QE report signature" },
		{ TDX_QUOTE_SIG_DATA + TDX_QS_CERT_DATA + TDX_QE_REPORT_LEN + 3, "QE report signature" },
		{ TDX_QUOTE_LEN - 1, "PCK is not" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q[cases[i].off] ^= 0x40;
		assert_int_equal(verify(q, sizeof(q), SEED, err), TDX_QUOTE_INVALID);
		if (!strstr(err, cases[i].want))
			fail_msg("offset %zu: %s", cases[i].off, err);
		q[cases[i].off] ^= 0x40;
	}
	assert_int_equal(verify(q, sizeof(q), SEED + 1, err), TDX_QUOTE_INVALID);
	assert_non_null(strstr(err, "seed 8"));
}

/* Malformed quotes: each named by the offset of what is wrong. */
static void test_malformed(void **state)
{
	(void)state;
	uint8_t r[TDREPORT_SIZE], q[TDX_QUOTE_LEN + 8], b[TDX_QUOTE_LEN + 8];
	struct tdx_td_measurements m;
	const char *why = NULL;
	char err[256];
	report(r, &m);
	memset(q, 0, sizeof(q));
	assert_int_equal(tdx_quote_build(SEED, r, q, &why), 0);
	static const struct { size_t len, off; uint8_t val; const char *want; } cases[] = {
		{ 10, 0, 0, "offset 0: truncated in the quote header" },
		{ 600, 0, 0, "offset 48: truncated in the TD report body" },
		{ 634, 0, 0, "offset 632: truncated in the signature data length" },
		{ TDX_QUOTE_LEN, 0, 3, "offset 0: quote version 3" },
		{ TDX_QUOTE_LEN, 4, 0, "offset 4: TEE type 0x0, expected 0x81 (TDX); 0 is SGX" },
		{ TDX_QUOTE_LEN, 2, 2, "offset 2: attestation key type 2" },
		{ TDX_QUOTE_LEN, 9, 1, "offset 8: reserved" },
		{ TDX_QUOTE_LEN - 1, 0, 0, "offset 632: signature data length 814 runs past the end" },
		{ TDX_QUOTE_LEN + 8, 0, 0, "offset 1450: 8 trailing bytes" },
		{ TDX_QUOTE_LEN, 828, 5, "offset 828: certification data type 5" },
		{ TDX_QUOTE_LEN, 830, 0, "offset 830: certification data size" },
		{ TDX_QUOTE_LEN, 1314, 0xff, "offset 1316: truncated in the QE authentication data" },
		{ TDX_QUOTE_LEN, 1348, 5, "offset 1348: PCK certification data type 5" },
		{ TDX_QUOTE_LEN, 1350, 95, "offset 1350: PCK certification data size 95" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(b, q, sizeof(b));
		if (cases[i].off || cases[i].val)
			b[cases[i].off] = cases[i].val;
		assert_int_equal(verify(b, cases[i].len, SEED, err), TDX_QUOTE_MALFORMED);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: %s", i, err);
	}
	/* a quote whose signature data is short of the signature itself */
	memcpy(b, q, sizeof(b));
	sim_le32_store(b + 632, 50);
	assert_int_equal(verify(b, 636 + 50, SEED, err), TDX_QUOTE_MALFORMED);
	assert_string_equal(err, "offset 636: truncated in the quote signature (P-384: 96 bytes) "
			    "(96 bytes needed, 50 left)");
}

/* The GetQuote buffer served in place: a version-1 header with the
 * TDREPORT gets SUCCESS, out_len 1450 and the quote after the header; a
 * wrong version, a wrong in_len, a buffer too small for the quote and a
 * report with a broken MAC get GET_QUOTE_ERROR and out_len 0. */
static void test_serve(void **state)
{
	(void)state;
	static uint8_t buf[TDX_QBUF_DATA + TDX_QUOTE_LEN];
	uint8_t r[TDREPORT_SIZE], q[TDX_QUOTE_LEN];
	struct tdx_td_measurements m;
	struct tdx_quote_view v;
	char err[128];
	const char *why = NULL;
	report(r, &m);
	enum { OK, VERSION, IN_LEN, SHORT, MAC, CASES };
	for (int c = OK; c < CASES; c++) {
		memset(buf, 0xee, sizeof(buf));
		sim_le64_store(buf + TDX_QBUF_VERSION, c == VERSION ? 2 : TDX_QBUF_CMD_VERSION);
		sim_le64_store(buf + TDX_QBUF_STATUS, 0);
		sim_le32_store(buf + TDX_QBUF_IN_LEN, c == IN_LEN ? 1000 : TDREPORT_SIZE);
		sim_le32_store(buf + TDX_QBUF_OUT_LEN, 0);
		memcpy(buf + TDX_QBUF_DATA, r, sizeof(r));
		if (c == MAC)
			buf[TDX_QBUF_DATA + 300] ^= 1;
		size_t len = c == SHORT ? TDX_QBUF_DATA + TDX_QUOTE_LEN - 1 : sizeof(buf);
		uint64_t st = tdx_quote_serve(SEED, buf, len);
		assert_int_equal(sim_le64_load(buf + TDX_QBUF_STATUS), st);
		if (c != OK) {
			assert_true(st == TDX_GET_QUOTE_ERROR);
			assert_int_equal(sim_le32_load(buf + TDX_QBUF_OUT_LEN), 0);
			continue;
		}
		assert_true(st == TDX_GET_QUOTE_SUCCESS);
		assert_int_equal(sim_le32_load(buf + TDX_QBUF_OUT_LEN), TDX_QUOTE_LEN);
		assert_int_equal(tdx_quote_build(SEED, r, q, &why), 0);
		assert_memory_equal(buf + TDX_QBUF_DATA, q, TDX_QUOTE_LEN);
		assert_int_equal(tdx_quote_verify(buf + TDX_QBUF_DATA, TDX_QUOTE_LEN, SEED, &v, err,
						  sizeof(err)), 0);
	}
	/* shorter than the header: nothing written */
	memset(buf, 0xee, sizeof(buf));
	assert_true(tdx_quote_serve(SEED, buf, TDX_QBUF_DATA - 1) == TDX_GET_QUOTE_ERROR);
	assert_int_equal(buf[TDX_QBUF_STATUS], 0xee);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_layout),
		cmocka_unit_test(test_build_checks_report),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_serve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
