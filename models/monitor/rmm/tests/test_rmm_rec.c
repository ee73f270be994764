/* RMI_REC_ENTER and RMI_PSCI_COMPLETE (DEN0137 1.0-rel0 B3.3.14, B3.3.10):
 * the failure conditions in their order, and the exits of A4.4 from real
 * realm code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "models/cpu/exec.h"
#include "models/monitor/rmm/tests/rmm_fixture.h"

#define RUN 0x80300000ull
#define DEV (UNPROT | 0x10000000ull)

static void code(struct fx *f)
{
	const struct isa_insn prog[] = {
		{ ISA_MOVI, 1, 0, 0, 0, DEV },
		{ ISA_LD, 5, 1, 8, 8, 0 },       /* emulatable read into x5 */
		{ ISA_ST, 5, 1, 8, 8, 0 },       /* emulatable write of x5 */
		{ ISA_WFI, 0, 0, 0, 0, 0 },
		{ ISA_MOVI, 0, 0, 0, 0, PSCI_SYSTEM_OFF },
		{ ISA_SMC, 0, 0, 0, 0, 0 },
	};
	fx_fill(f, SRC, 0);
	for (size_t i = 0; i < sizeof(prog) / sizeof(prog[0]); i++) {
		uint8_t b[ISA_INSN_BYTES];
		struct cc_fault fault;
		uint64_t c;
		isa_encode(&prog[i], b);
		assert_int_equal(cpu_store(&f->host, SRC + 16 * i, b, 16, &fault, &c), 0);
	}
}

static uint64_t run64(struct fx *f, uint64_t off)
{
	uint64_t v = 0, c;
	struct cc_fault fault;
	assert_int_equal(cpu_load(&f->host, RUN + off, &v, 8, &fault, &c), 0);
	return v;
}

static uint64_t enter(struct fx *f, uint64_t flags, uint64_t gpr0)
{
	fx_store64(f, RUN + RMI_RUN_ENTER_FLAGS, flags);
	fx_store64(f, RUN + RMI_RUN_ENTER_GPRS, gpr0);
	return fx_rmi(f, RMI_REC_ENTER, REC, RUN, 0, 0, 0, NULL);
}

static void test_rec_enter(void **state)
{
	struct fx *f = *state;
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_make_rtts(f, 0);
	code(f);
	fx_delegate(f, DATA1);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, RMI_DATA_FLAG_MEASURE, NULL),
			 RMI_SUCCESS);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 0, 0, 2);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	fx_fill(f, RUN, 0);

	/* rec_gran_state, run_align, run_pas: ERROR_INPUT */
	assert_int_equal(fx_rmi(f, RMI_REC_ENTER, RD, RUN, 0, 0, 0, NULL), rmi_return(RMI_ERROR_INPUT, 0));
	assert_int_equal(fx_rmi(f, RMI_REC_ENTER, REC, RUN + 8, 0, 0, 0, NULL), rmi_return(RMI_ERROR_INPUT, 0));
	assert_int_equal(fx_rmi(f, RMI_REC_ENTER, REC, RD, 0, 0, 0, NULL), rmi_return(RMI_ERROR_INPUT, 0));
	/* realm_new < rec_mmio: ERROR_REALM index 0 */
	assert_int_equal(enter(f, RMI_ENTER_EMUL_MMIO, 0), rmi_return(RMI_ERROR_REALM, 0));
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	/* rec_mmio: emul_mmio with no emulatable abort to complete */
	assert_int_equal(enter(f, RMI_ENTER_EMUL_MMIO, 0), rmi_return(RMI_ERROR_REC, 0));
	/* rec_gic: a list register beyond the four implemented */
	fx_store64(f, RUN + RMI_RUN_ENTER_GICV3_LRS + 8 * 5, vgic_lr_make(27, VGIC_LR_PENDING));
	assert_int_equal(enter(f, 0, 0), rmi_return(RMI_ERROR_REC, 0));
	fx_store64(f, RUN + RMI_RUN_ENTER_GICV3_LRS + 8 * 5, 0);
	/* no PSCI request pending: PSCI_COMPLETE fails with ERROR_INPUT */
	assert_int_equal(fx_rmi(f, RMI_PSCI_COMPLETE, REC, REC, 0, 0, 0, NULL),
			 rmi_return(RMI_ERROR_INPUT, 0));

	/* A4.4: an unprotected IPA the host has not mapped is an emulatable
	 * data abort: ISV, SAS = 3 (8 bytes), SRT = 5, a read; FAR holds only
	 * the page offset, HPFAR the page. */
	assert_int_equal(enter(f, 0, 0), RMI_SUCCESS);
	uint64_t esr = run64(f, RMI_RUN_EXIT_ESR);
	assert_int_equal(run64(f, RMI_RUN_EXIT_REASON) & 0xff, RMI_EXIT_SYNC);
	assert_int_equal(esr & (0x3full << 26), ESR_EC_DABT_LOW);
	assert_true(esr & ESR_ISV);
	assert_int_equal((esr >> ESR_SRT_SHIFT) & 31, 5);
	assert_int_equal((esr >> ESR_SAS_SHIFT) & 3, 3);
	assert_false(esr & ESR_WNR);
	assert_int_equal(run64(f, RMI_RUN_EXIT_FAR), 8);
	assert_int_equal(run64(f, RMI_RUN_EXIT_HPFAR), (DEV >> 12) << 4);

	/* The host completes the read. Only gprs[0] reaches the realm, into
	 * the target register: a value the host puts in gprs[5] does not. */
	fx_store64(f, RUN + RMI_RUN_ENTER_GPRS + 8 * 5, 0xbad);
	assert_int_equal(enter(f, RMI_ENTER_EMUL_MMIO, 0x1234), RMI_SUCCESS);
	esr = run64(f, RMI_RUN_EXIT_ESR);
	assert_true(esr & ESR_WNR);
	assert_int_equal(run64(f, RMI_RUN_EXIT_GPRS), 0x1234); /* the store shows x5 */

	/* WFI with trap_wfi: SYNC with EC = WFx */
	assert_int_equal(enter(f, RMI_ENTER_EMUL_MMIO | RMI_ENTER_TRAP_WFI, 0), RMI_SUCCESS);
	assert_int_equal(run64(f, RMI_RUN_EXIT_ESR) & (0x3full << 26), ESR_EC_WFX);

	/* PSCI SYSTEM_OFF: a PSCI exit, the realm SYSTEM_OFF, and then
	 * REC_ENTER fails with ERROR_REALM index 1. */
	assert_int_equal(enter(f, 0, 0), RMI_SUCCESS);
	assert_int_equal(run64(f, RMI_RUN_EXIT_REASON) & 0xff, RMI_EXIT_PSCI);
	assert_int_equal(run64(f, RMI_RUN_EXIT_GPRS), PSCI_SYSTEM_OFF);
	assert_int_equal(fx_realm_state(f, NULL), REALM_SYSTEM_OFF);
	assert_int_equal(enter(f, 0, 0), rmi_return(RMI_ERROR_REALM, 1));
	assert_int_equal(sim_stat_get(&f->sim, "rmm.rec.exits_sync"), 3);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.rec.exits_psci"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rec_enter, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
