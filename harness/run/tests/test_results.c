/* Unit tests for a step's result as captures read it: status names from
 * the space of the ABI that returned the status (harness/lang/steps_status.c),
 * the trace's code for it and back, and the one field lookup expectations
 * and step arguments share (run_result_field). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness/lang/scenario.h"
#include "harness/lang/steps.h"
#include "harness/run/steps.h"
#include "models/mmu/fault.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/tdx/tdx.h"

/* One X0 means different things in different spaces: 2 is an RSI call's
 * ERROR_STATE, the verifier's RIM mismatch, RMI's ERROR_REALM. */
static void test_names_by_space(void **state)
{
	(void)state;
	static const struct { enum steps_status_space sp; uint64_t raw; const char *name; } n[] = {
		{ STEPS_STATUS_RSI, 0, "rsi.success" },
		{ STEPS_STATUS_RSI, 2, "rsi.error_state" },
		{ STEPS_STATUS_VERIFY, 2, "verify.rim_mismatch" },
		{ STEPS_STATUS_RMI, 2, "rmi.error_realm" },
		{ STEPS_STATUS_RMI, 0x204, "rmi.error_rtt" },
		{ STEPS_STATUS_RSI, UINT64_MAX, "smc.unknown" },
		{ STEPS_STATUS_SMC, UINT64_MAX, "smc.unknown" },
		{ STEPS_STATUS_SMC, 0, "smc.?" },
		{ STEPS_STATUS_PSCI, 0, "psci.success" },
		{ STEPS_STATUS_PSCI, (uint64_t)-2, "psci.invalid_parameters" },
		{ STEPS_STATUS_PSCI, (uint64_t)-9, "psci.invalid_address" },
		{ STEPS_STATUS_PSCI, 0x10001, "psci.?" },
		{ STEPS_STATUS_SNP, 0, "snp.success" },
		{ STEPS_STATUS_SNP, STEPS_UNSUPPORTED, "snp.unsupported" },
		{ STEPS_STATUS_SEV, STEPS_UNSUPPORTED, "sev.unsupported" },
		{ STEPS_STATUS_RMP, 1, "rmp.fail_input" },
		{ STEPS_STATUS_RMP, 5, "rmp.?" },
		{ STEPS_STATUS_TDX, 0, "tdx.success" },
		{ STEPS_STATUS_TDX, STEPS_TDX_UNSUPPORTED, "tdx.unsupported" },
		{ STEPS_STATUS_TDX, 0xC000010000000001ull, "tdx.operand_invalid" },
	};
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		assert_string_equal(steps_status_name(n[i].sp, n[i].raw), n[i].name);
}

/* The function id picks the space of an SMC's X0. */
static void test_smc_space(void **state)
{
	(void)state;
	assert_int_equal(steps_smc_space(RMI_VERSION), STEPS_STATUS_RMI);
	assert_int_equal(steps_smc_space(RSI_VERSION), STEPS_STATUS_RSI);
	assert_int_equal(steps_smc_space(RSI_HOST_CALL), STEPS_STATUS_RSI);
	assert_int_equal(steps_smc_space(RSI_HOST_CALL + 1), STEPS_STATUS_SMC);
	assert_int_equal(steps_smc_space(PSCI_VERSION), STEPS_STATUS_PSCI);
	assert_int_equal(steps_smc_space(PSCI_CPU_ON), STEPS_STATUS_PSCI);
	assert_int_equal(steps_smc_space(0x8400001F), STEPS_STATUS_PSCI);
	assert_int_equal(steps_smc_space(0x84000020), STEPS_STATUS_SMC);
	assert_int_equal(steps_smc_space(0xC2000000), STEPS_STATUS_SMC);
}

/* The trace's step.done code is the one run checkpoints up to format 3
 * kept: tagged small codes, RMI's and TDX's as they are; decoding gives
 * the space and the raw value back. */
static void test_trace_code(void **state)
{
	(void)state;
	static const struct { enum steps_status_space sp; uint64_t raw, code; } c[] = {
		{ STEPS_STATUS_RSI, 2, 0x7d02 },
		{ STEPS_STATUS_VERIFY, 2, 0x7e02 },
		{ STEPS_STATUS_RMP, STEPS_UNSUPPORTED, 0x7bff },
		{ STEPS_STATUS_SNP, 7, 0x7a07 },
		{ STEPS_STATUS_SEV, 0, 0x7900 },
		{ STEPS_STATUS_RMI, 0x204, 0x204 },
		{ STEPS_STATUS_RMI, UINT64_MAX, UINT64_MAX },
		{ STEPS_STATUS_TDX, 0xC000010000000001ull, 0xC000010000000001ull },
		{ STEPS_STATUS_TDX, STEPS_TDX_UNSUPPORTED, STEPS_TDX_UNSUPPORTED },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum steps_status_space sp;
		uint64_t raw;
		assert_int_equal(steps_status_code(c[i].sp, c[i].raw), c[i].code);
		steps_status_decode(c[i].code, false, &sp, &raw);
		assert_int_equal(sp, c[i].sp);
		assert_int_equal(raw, c[i].raw);
	}
	/* RSI's SMC_UNKNOWN is no RSI code: it goes untagged */
	assert_int_equal(steps_status_code(STEPS_STATUS_RSI, UINT64_MAX), UINT64_MAX);
	/* a TDX result's 0, known to be one */
	enum steps_status_space sp;
	uint64_t raw;
	steps_status_decode(0, true, &sp, &raw);
	assert_int_equal(sp, STEPS_STATUS_TDX);
	assert_int_equal(raw, 0);
}

/* Expectations may name what some space names, never a "SPACE.?". */
static void test_known_names(void **state)
{
	(void)state;
	static const char *const yes[] = { "rmi.success", "rsi.error_state", "psci.denied",
					   "psci.invalid_address", "smc.unknown", "snp.unsupported",
					   "sev.invalid_guest", "rmp.fail_badaddr", "verify.ok",
					   "tdx.operand_busy", "tdx.unsupported" };
	static const char *const no[] = { "rmi.?", "psci.?", "smc.?", "rmp.?", "psci.bogus",
					  "verify.maybe", "tdx.bogus", "success" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!steps_status_known(yes[i]))
			fail_msg("%s not known", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (steps_status_known(no[i]))
			fail_msg("%s known", no[i]);
}

/* A defence's refusal blocks; an unsupported call or SMC_UNKNOWN does not. */
static void test_refused(void **state)
{
	(void)state;
	assert_true(steps_status_refused(STEPS_STATUS_RMI, 0x104));
	assert_false(steps_status_refused(STEPS_STATUS_RMI, 0));
	assert_false(steps_status_refused(STEPS_STATUS_RMI, UINT64_MAX));
	assert_true(steps_status_refused(STEPS_STATUS_RMP, 2));
	assert_false(steps_status_refused(STEPS_STATUS_RMP, STEPS_UNSUPPORTED));
	assert_false(steps_status_refused(STEPS_STATUS_SNP, STEPS_UNSUPPORTED));
	assert_true(steps_status_refused(STEPS_STATUS_TDX, 0xC000010000000001ull));
	assert_false(steps_status_refused(STEPS_STATUS_TDX, STEPS_TDX_UNSUPPORTED));
}

/* The fields a capture has, and which of them compare with numbers. */
static void test_field_names(void **state)
{
	(void)state;
	bool tdx;
	assert_int_equal(scn_field_kind("status"), SCN_FIELD_STATUS);
	assert_int_equal(scn_field_kind("fault"), SCN_FIELD_FAULT);
	assert_int_equal(scn_field_kind("cycles"), SCN_FIELD_NUM);
	assert_int_equal(scn_field_kind("x8"), SCN_FIELD_NUM);
	assert_int_equal(scn_field_kind("r13"), SCN_FIELD_NUM);
	assert_int_equal(scn_field_kind("x0"), SCN_FIELD_NONE);
	assert_int_equal(scn_field_kind("x9"), SCN_FIELD_NONE);
	assert_int_equal(scn_field_kind("r14"), SCN_FIELD_NONE);
	assert_int_equal(scn_field_kind("rax"), SCN_FIELD_NONE);
	assert_int_equal(scn_field_reg("x3", &tdx), 3);
	assert_false(tdx);
	assert_int_equal(scn_field_reg("rdx", &tdx), 2);
	assert_true(tdx);
	assert_int_equal(scn_field_reg("r8", &tdx), 3);
	assert_int_equal(scn_field_reg("r11", &tdx), 6);
	assert_int_equal(scn_field_reg("cycles", &tdx), 0);
}

/* A SEAMCALL's registers: x1..x6 and the same by TDX names; no x7; an RSI
 * result has no rcx; a step with no status has no status. */
static void test_field_lookup(void **state)
{
	(void)state;
	struct step_result t = { .cycles = 77 }, r = { 0 }, none = { 0 };
	uint64_t v;
	steps_res_status(&t, STEPS_STATUS_TDX, 0xC000010000000001ull);
	for (unsigned k = 1; k <= 6; k++)
		steps_res_x(&t, k, 0x100 + k);
	assert_int_equal(t.nregs, 6);
	assert_int_equal(run_result_field(&t, "status", &v), 0);
	assert_int_equal(v, 0xC000010000000001ull);
	assert_int_equal(run_result_field(&t, "cycles", &v), 0);
	assert_int_equal(v, 77);
	assert_int_equal(run_result_field(&t, "rcx", &v), 0);
	assert_int_equal(v, 0x101);
	assert_int_equal(run_result_field(&t, "x6", &v), 0);
	assert_int_equal(v, 0x106);
	assert_int_equal(run_result_field(&t, "r11", &v), 0);
	assert_int_equal(v, 0x106);
	assert_int_equal(run_result_field(&t, "x7", &v), -ENOENT);
	assert_int_equal(run_result_field(&t, "r12", &v), -ENOENT);
	assert_int_equal(run_result_field(&t, "fault", &v), 0);
	assert_int_equal(v, FAULT_NONE);
	assert_int_equal(run_result_field(&t, "colour", &v), -EINVAL);
	/* registers set out of order count up to the highest */
	steps_res_status(&r, STEPS_STATUS_RSI, 0);
	steps_res_x(&r, 2, 9);
	assert_int_equal(r.nregs, 2);
	assert_int_equal(run_result_field(&r, "x1", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(run_result_field(&r, "x2", &v), 0);
	assert_int_equal(v, 9);
	assert_int_equal(run_result_field(&r, "rdx", &v), -ENOENT);
	assert_string_equal(steps_result_status_name(&r), "rsi.success");
	assert_int_equal(steps_result_status_code(&r), STEPS_RSI_STATUS);
	none.faulted = true;
	none.fault = FAULT_GPC_GPF;
	assert_int_equal(run_result_field(&none, "status", &v), -ENOENT);
	assert_int_equal(run_result_field(&none, "x1", &v), -ENOENT);
	assert_int_equal(run_result_field(&none, "fault", &v), 0);
	assert_int_equal(v, FAULT_GPC_GPF);
	assert_int_equal(steps_result_status_code(&none), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_by_space), cmocka_unit_test(test_smc_space),
		cmocka_unit_test(test_trace_code),     cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_refused),        cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_field_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
