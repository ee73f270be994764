/* The TDX module's single-step heuristic (tdx_step.c): the decision at
 * each threshold's edge for module 1.5.01 and 1.5.06
 * (td_exit_stepping.c vmexit_stepping_filter), the prevention mode's LFSR,
 * and a TD single-stepped by a host timer on the tdx profile. */
#include "models/monitor/tdx/tests/tdx_fixture.h"
#include "models/monitor/tdx/tdx_step.h"

static const struct tdx_step_cfg v15 = { TDX_STEP_V15, 32, 4096, 2, 32 };
static const struct tdx_step_cfg fixed = { TDX_STEP_FIXED, 32, 4096, 2, 32 };

/* 1.5.01: RIP more than 32 bytes away, or more than 4096 TSC ticks */
static void test_v15_edges(void **state)
{
	(void)state;
	struct tdx_step_obs o = { .rip_delta = 32, .tsc_delta = 4096, .insns = 100 };
	assert_false(tdx_step_progress(&v15, &o)); /* both at, not above: stepping */
	o.rip_delta = 33;
	assert_true(tdx_step_progress(&v15, &o));
	o.rip_delta = 32;
	o.tsc_delta = 4097;
	assert_true(tdx_step_progress(&v15, &o));
	/* the retired count does not enter the 1.5.01 test */
	o = (struct tdx_step_obs){ .rip_delta = 0, .tsc_delta = 0, .insns = 1000, .rcx_delta = 9 };
	assert_false(tdx_step_progress(&v15, &o));
}

/* 1.5.06: inst_retired > 1, or none retired but RCX down by more than 1;
 * RIP and time no longer count */
static void test_fixed_edges(void **state)
{
	(void)state;
	struct tdx_step_obs o = { .rip_delta = 1u << 20, .tsc_delta = 1u << 30, .insns = 1 };
	assert_false(tdx_step_progress(&fixed, &o)); /* TDXDown's slowed-down single step */
	o.insns = 2;
	assert_true(tdx_step_progress(&fixed, &o));
	o = (struct tdx_step_obs){ .insns = 0, .rcx_delta = 1 };
	assert_false(tdx_step_progress(&fixed, &o)); /* a zero step */
	o.rcx_delta = 2;
	assert_true(tdx_step_progress(&fixed, &o)); /* a REP string instruction advancing */
	o = (struct tdx_step_obs){ .insns = 1, .rcx_delta = 5 };
	assert_false(tdx_step_progress(&fixed, &o)); /* RCX counts only with none retired */
}

/* a TD with PERFMON owns the fixed counter: 1.5.06 keeps the 1.5.01 test */
static void test_fixed_perfmon(void **state)
{
	(void)state;
	struct tdx_step_obs o = { .tsc_delta = 4097, .insns = 1, .perfmon = true };
	assert_true(tdx_step_progress(&fixed, &o));
	o.tsc_delta = 4096;
	o.insns = 50;
	assert_false(tdx_step_progress(&fixed, &o));
}

static void test_off(void **state)
{
	(void)state;
	const struct tdx_step_cfg off = { TDX_STEP_OFF, 32, 4096, 2, 32 };
	struct tdx_step_obs o = { 0 };
	assert_true(tdx_step_progress(&off, &o));
}

/* helpers.c lfsr_get_random: shift right, XOR POLY_MASK_32 when bit 0 was
 * set; the prevention mode steps (value & 0x1F) + 1 */
static void test_lfsr(void **state)
{
	(void)state;
	assert_int_equal(tdx_step_lfsr_next(0xFEEDBEAFu), (0xFEEDBEAFu >> 1) ^ 0xB4BCD35Cu);
	assert_int_equal(tdx_step_lfsr_next(0x10u), 0x8u);
	uint32_t v = 1;
	for (int i = 0; i < 1000; i++) {
		v = tdx_step_lfsr_next(v);
		assert_int_not_equal(v, 0);
	}
}

/* A TD spinning on a branch to itself, entered with the host's timer
 * firing 1 cycle in: on tdx (1.5.01) the exit comes under 4096 TSC ticks
 * with RIP unmoved, so the module single-steps 1..32 more instructions
 * before the host sees it; at 800 MHz the same exit spans more ticks and
 * goes straight to the host after one instruction (TDXDown §4). */
static void test_timer_step(void **state)
{
	struct fx *f = *state;
	uint8_t page[4096] = { 0 };
	fx_td_create(f, 0);
	fx_vp_create(f);
	fx_sept_tables(f);
	fx_insn(page, 0, ISA_B, 0, 0, 0, 0, 0);
	fx_host_write(f, SRC, page, sizeof(page));
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0, TDR, PAGE(0), SRC), TDX_SUCCESS);
	memset(page, 0, sizeof(page));
	fx_insn(page, 0xff0, ISA_B, 0, 0, 0, 0, 0);
	fx_host_write(f, SRC, page, sizeof(page));
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, RESET_PAGE, TDR, PAGE(2), SRC),
			 TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MR_FINALIZE, TDR, 0, 0, 0), TDX_SUCCESS);
	struct tdx *t = FX_TDX(f);
	struct tdx_step *st = t->step;
	/* first to the spin (RIP moves from the reset vector: progress) */
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0),
			 TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT);
	assert_int_equal(st->stat_prevented, 0);
	for (int mhz = 3000, k = 0; k < 2; k++, mhz = 800) {
		uint64_t insns = t->stat_td_insns, prevented = st->stat_prevented;
		uint64_t pm = st->stat_pm_insns;
		assert_int_equal(fx_call(f, TDH_MEM_TRACK, TDR, 0, 0, 0), TDX_SUCCESS);
		tdx_lp_arm(t, 0, 1, (uint64_t)mhz);
		assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0),
				 TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT);
		if (mhz == 3000) { /* one instruction, then the prevention mode's */
			assert_int_equal(st->stat_prevented, prevented + 1);
			assert_in_range(st->stat_pm_insns - pm, 1, 32);
			assert_int_equal(t->stat_td_insns - insns, 1 + st->stat_pm_insns - pm);
		} else { /* one instruction, straight to the host */
			assert_int_equal(st->stat_prevented, prevented);
			assert_int_equal(t->stat_td_insns - insns, 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v15_edges),
		cmocka_unit_test(test_fixed_edges),
		cmocka_unit_test(test_fixed_perfmon),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_lfsr),
		cmocka_unit_test_setup_teardown(test_timer_step, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
