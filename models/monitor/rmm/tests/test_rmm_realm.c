/* RMM realm and REC commands against DEN0137 1.0-rel0: RMI_FEATURES,
 * REALM_CREATE / ACTIVATE / DESTROY, REC_CREATE / DESTROY / AUX_COUNT, the
 * realm state machine, the RIM, and a whole realm life cycle. */
#include "models/monitor/rmm/tests/rmm_fixture.h"

/* B3.3.4: index 0 reports S2SZ 48, 6 BPs, 4 WPs, SHA-256 and SHA-512, no LPA2/SVE/PMU; others 0. */
static void test_features(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	assert_int_equal(fx_rmi(f, RMI_FEATURES, 0, 0, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1] & 0xff, 48);
	assert_int_equal((o[1] >> 14) & 0xf, 6);
	assert_int_equal((o[1] >> 18) & 0xf, 4);
	assert_true(o[1] & RMI_FEAT0_HASH_SHA_256);
	assert_true(o[1] & RMI_FEAT0_HASH_SHA_512);
	assert_false(o[1] & (RMI_FEAT0_LPA2 | RMI_FEAT0_SVE_EN | RMI_FEAT0_PMU_EN));
	assert_int_equal(o[1], 0x30118030ull);
	assert_int_equal(fx_rmi(f, RMI_FEATURES, 1, 0, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0);
}

/* B3.3.9 RMI_REALM_CREATE success: RD and RTT states, VMID taken, realm NEW, starting RTT halves initialised. */
static void test_realm_create(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 5, RMI_HASH_SHA_256);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RD), GRANULE_RD);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT0), GRANULE_RTT);
	assert_int_equal(fx_realm_state(f, NULL), REALM_NEW);
	/* protected IPA 0: UNASSIGNED, RIPAS EMPTY at level 1 */
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, 0, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(o[4], RIPAS_EMPTY);
	/* vmid_valid: a second realm with VMID 5 is refused, with 6 accepted */
	fx_delegate(f, 0x80110000);
	fx_delegate(f, 0x80111000);
	fx_realm_params(f, S2SZ, 1, 1, 0x80111000, 5, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, 0x80110000, RPARAMS, 0, 0, 0, NULL),
			 RMI_ERROR_INPUT);
	fx_realm_params(f, S2SZ, 1, 1, 0x80111000, 6, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, 0x80110000, RPARAMS, 0, 0, 0, NULL),
			 RMI_SUCCESS);
}

/* B3.3.9.2: each failure condition gives RMI_ERROR_INPUT and changes nothing. */
static void test_realm_create_failures(void **state)
{
	struct fx *f = *state;
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, RMI_HASH_SHA_256);
	/* params_align */
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS + 8, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* params_pas: the parameters are in a delegated (Realm) granule */
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, DATA1, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_delegate(f, DATA1);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, DATA1, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* params_valid: hash algorithm, s2sz, start level vs width, RTT count, LPA2 */
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, 2);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_realm_params(f, 49, 0, 2, RTT0, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_realm_params(f, S2SZ, 3, 1, RTT0, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_realm_params(f, 40, 1, 1, RTT0, 1, RMI_HASH_SHA_256); /* 40 bits at level 1 need 2 RTTs */
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, RMI_HASH_SHA_256);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_FLAGS, RMI_REALM_FLAG_LPA2);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* params_bound: outside the delegable range */
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, 0x1000, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* rtt_align: two concatenated starting RTTs (40 bits) must start 8 KB aligned */
	fx_realm_params(f, 40, 1, 2, RTT0, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* alias: rd is the starting RTT */
	fx_realm_params(f, S2SZ, 1, 1, RD, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* rd_align / rd_bound / rd_state */
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD + 8, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, 0x1000, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, DATA2, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* rtt_state: the starting RTT is not delegated */
	fx_realm_params(f, S2SZ, 1, 1, RTT2, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RD), GRANULE_DELEGATED);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT0), GRANULE_DELEGATED);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.realm_create.errors"), 15);
	/* and the same granules then make a realm */
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* A2.1.5 / B3.3.8: NEW -> ACTIVE once; activating again is ERROR_REALM; a non-RD is ERROR_INPUT. */
static void test_realm_activate(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD + 0x10, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RTT0, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_realm_state(f, NULL), REALM_ACTIVE);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
}

/* B3.3.10: a realm with a REC or a live starting RTT is ERROR_REALM; destroyed, the VMID is free. */
static void test_realm_destroy(void **state)
{
	struct fx *f = *state;
	fx_make_realm(f, 9, RMI_HASH_SHA_256);
	fx_delegate(f, RTT2);
	assert_int_equal(fx_rmi(f, RMI_RTT_CREATE, RD, RTT2, 0, 2, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD + 1, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 2, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RD), GRANULE_DELEGATED);
	assert_int_equal(rmm_granule_state(fx_rmm(f), RTT0), GRANULE_DELEGATED);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* VMID 9 can be used again */
	fx_realm_params(f, S2SZ, 1, 1, RTT0, 9, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REALM_CREATE, RD, RPARAMS, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* B3.3.12 / B3.3.11: REC_AUX_COUNT is 2; REC_CREATE's conditions and their order; REC_DESTROY. */
static void test_rec_create_destroy(void **state)
{
	struct fx *f = *state;
	uint64_t o[SMC_REGS];
	assert_int_equal(fx_rmi(f, RMI_REC_AUX_COUNT, RD, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	assert_int_equal(fx_rmi(f, RMI_REC_AUX_COUNT, RD, 0, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 2);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_rec_params(f, 0, 0x1000, 2);
	/* rec_state: AUX2 not delegated yet, and REC itself undelegated */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, DATA1, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RTT0, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS + 1, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 1, 0x1000, 2); /* mpidr_index: the first REC must be index 0 */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_rec_params(f, 0, 0x1000, 1); /* params_valid: num_aux != 2 */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_rec_params(f, 0, 0x1000, 2);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_AUX + 8, AUX1); /* aux_alias */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_rec_params(f, 0, 0x1000, 2);
	uint8_t rim0[64], rim1[64];
	fx_realm_state(f, rim0);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	fx_realm_state(f, rim1);
	assert_memory_not_equal(rim0, rim1, 32); /* A7.1.1: REC_CREATE is measured */
	assert_int_equal(rmm_granule_state(fx_rmm(f), REC), GRANULE_REC);
	assert_int_equal(rmm_granule_state(fx_rmm(f), AUX1), GRANULE_REC_AUX);
	assert_int_equal(rmm_granule_state(fx_rmm(f), AUX2), GRANULE_REC_AUX);
	/* the realm is live while it has a REC; undelegating a REC granule fails */
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
	assert_int_equal(fx_rmi(f, RMI_GRANULE_UNDELEGATE, REC, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	/* realm_state beats the ERROR_INPUT conditions checked after it (params_valid) */
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	fx_delegate(f, DATA1);
	fx_rec_params(f, 1, 0x1000, 0);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, DATA1, CPARAMS, 0, 0, NULL), RMI_ERROR_REALM);
	/* B3.3.13 RMI_REC_DESTROY */
	assert_int_equal(fx_rmi(f, RMI_REC_DESTROY, REC + 8, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REC_DESTROY, AUX1, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REC_DESTROY, REC, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), REC), GRANULE_DELEGATED);
	assert_int_equal(rmm_granule_state(fx_rmm(f), AUX2), GRANULE_DELEGATED);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* B3.3.12: rec_index only grows (a destroyed REC's index is not reused); a
 * REC that is not RUNNABLE leaves the RIM alone (B3.3.12.4). */
static void test_rec_index_and_rim(void **state)
{
	struct fx *f = *state;
	uint8_t a[64], b[64];
	fx_make_realm(f, 1, RMI_HASH_SHA_256);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 0, 0, 2);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_FLAGS, 0); /* not RUNNABLE */
	fx_realm_state(f, a);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	fx_realm_state(f, b);
	assert_memory_equal(a, b, 64);
	assert_int_equal(fx_rmi(f, RMI_REC_DESTROY, REC, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	/* mpidr_index: index 0 is used up */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_ERROR_INPUT);
	fx_store64(f, CPARAMS + RMI_REC_PARAM_MPIDR, 1);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	/* params_bound: parameters outside the delegable range */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, DATA1, 0x1000, 0, 0, NULL), RMI_ERROR_INPUT);
	/* params_pas beats realm_state's neighbours: params in a Realm granule */
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, DATA1, RTT0, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* The whole life cycle: delegate, create, RTTs, INIT_RIPAS, two DATA_CREATEs, a REC,
 * ACTIVATE, then everything destroyed in reverse and every granule undelegated. */
static void test_life_cycle(void **state)
{
	struct fx *f = *state;
	static const uint64_t all[] = { RD, RTT0, RTT2, RTT3, DATA1, DATA2, REC, AUX1, AUX2 };
	uint8_t rim[4][64];
	uint64_t o[SMC_REGS];
	fx_make_realm(f, 3, RMI_HASH_SHA_512);
	fx_realm_state(f, rim[0]);
	fx_make_rtts(f, 0);
	assert_int_equal(fx_rmi(f, RMI_RTT_INIT_RIPAS, RD, 0, 0x2000, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], 0x2000);
	fx_realm_state(f, rim[1]);
	assert_memory_not_equal(rim[0], rim[1], 64);
	fx_fill(f, SRC, 0xaa);
	fx_delegate(f, DATA1);
	fx_delegate(f, DATA2);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA1, 0, SRC, RMI_DATA_FLAG_MEASURE, NULL),
			 RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_CREATE, RD, DATA2, 0x1000, SRC, 0, NULL), RMI_SUCCESS);
	fx_realm_state(f, rim[2]);
	assert_memory_not_equal(rim[1], rim[2], 64);
	fx_delegate(f, REC);
	fx_delegate(f, AUX1);
	fx_delegate(f, AUX2);
	fx_rec_params(f, 0, 0x0, 2);
	assert_int_equal(fx_rmi(f, RMI_REC_CREATE, RD, REC, CPARAMS, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_ACTIVATE, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	fx_realm_state(f, rim[3]);
	/* SHA-512 fills all 64 bytes */
	assert_memory_not_equal(rim[3] + 32, (uint8_t[32]){ 0 }, 32);
	/* the realm reads its image through the Realm PAS */
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->realm, DATA1, b, 8, &fault, &c), 0);
	assert_memory_equal(b, "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 8);
	/* tear down in reverse */
	assert_int_equal(fx_rmi(f, RMI_REC_DESTROY, REC, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0x1000, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], DATA2);
	assert_int_equal(fx_rmi(f, RMI_DATA_DESTROY, RD, 0, 0, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], DATA1);
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 3, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], RTT3);
	assert_int_equal(fx_rmi(f, RMI_RTT_DESTROY, RD, 0, 2, 0, 0, o), RMI_SUCCESS);
	assert_int_equal(o[1], RTT2);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(rmm_granule_state(fx_rmm(f), all[i]), GRANULE_DELEGATED);
		assert_int_equal(fx_rmi(f, RMI_GRANULE_UNDELEGATE, all[i], 0, 0, 0, 0, NULL),
				 RMI_SUCCESS);
	}
	/* no plaintext of the image survives in the returned granule */
	assert_int_equal(cpu_load(&f->host, DATA1, b, 8, &fault, &c), 0);
	assert_memory_not_equal(b, "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 8);
}

/* Every RMI FID of 1.0 is in the table; a FID in the range that names no
 * command (0x160, 0x163) is answered by EL3 as any unprovided function:
 * SMC_UNKNOWN. */
static void test_unknown_fid_smc_unknown(void **state)
{
	struct fx *f = *state;
	assert_true(fx_rmi(f, RMI_FID(0x160), REC, 0, 0, 0, 0, NULL) == UINT64_MAX);
	assert_true(fx_rmi(f, RMI_FID(0x163), REC, 0, 0, 0, 0, NULL) == UINT64_MAX);
	assert_null(rmm_cmd_by_fid(RMI_FID(0x160)));
	assert_string_equal(rmm_cmd_by_fid(RMI_REC_ENTER)->name, "rec_enter");
	assert_string_equal(rmm_cmd_by_fid(RMI_PSCI_COMPLETE)->args[2], "status");
	assert_int_equal(rmm_cmd_by_name("data_create")->arity, 5);
	assert_string_equal(rmm_cmd_by_fid(0xC4000158)->args[1], "params_ptr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_features, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_create, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_activate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_realm_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rec_create_destroy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rec_index_and_rim, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_life_cycle, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fid_smc_unknown, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
