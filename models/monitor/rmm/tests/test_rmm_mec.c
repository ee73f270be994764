/* The RMM's memory encryption contexts on cca-mec (DEN0137 1.1-alp12, as
 * the RMM ACS checks them; TF-RMM lib/mec): MAX_MECID, a realm's MECID at
 * RMI_REALM_CREATE, the shared MEC, the realm's memory under its MECID's
 * key, and the commands' absence on cca (RMM 1.0). */
#include "models/monitor/rmm/tests/rmm_fixture.h"

#define RD_B 0x80110000ull
#define RTT0_B 0x80111000ull

static int mec_setup(void **state)
{
	return fx_setup_profile(state, "models/platform/profiles/cca-mec.ini");
}

/* RmiRealmParams at RPARAMS for a realm with its starting RTT at rtt. */
static uint64_t create(struct fx *f, uint64_t rd, uint64_t rtt, uint64_t vmid, uint64_t mecid)
{
	fx_realm_params(f, S2SZ, 1, 1, rtt, vmid, RMI_HASH_SHA_256);
	fx_store64(f, RPARAMS + RMI_REALM_PARAM_MECID, mecid);
	return fx_rmi(f, RMI_REALM_CREATE, rd, RPARAMS, 0, 0, 0, NULL);
}

/* The RDs and starting RTTs of two realms. */
static void delegate_two(struct fx *f)
{
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	fx_delegate(f, RD_B);
	fx_delegate(f, RTT0_B);
}

/* MAX_MECID = 2^4 - 2; a MECID past it, or another realm's private one,
 * is refused; a destroyed realm's MECID is free again and its key new. */
static void test_realm_mecid(void **state)
{
	struct fx *f = *state;
	uint64_t out[SMC_REGS];
	assert_int_equal(fx_rmi(f, RMI_FEATURES, 1, 0, 0, 0, 0, out), RMI_SUCCESS);
	assert_int_equal(out[1], 14);
	delegate_two(f);
	assert_int_equal(create(f, RD, RTT0, 0, 15), RMI_ERROR_INPUT);
	assert_int_equal(create(f, RD, RTT0, 0, 14), RMI_SUCCESS);
	assert_int_equal(fx_rmm(f)->stat_mec_refreshes, 1);
	assert_int_equal(create(f, RD_B, RTT0_B, 1, 14), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmm(f)->stat_mec_refreshes, 2);
	assert_int_equal(create(f, RD_B, RTT0_B, 1, 14), RMI_SUCCESS);
	assert_int_equal(fx_rmm(f)->stat_mec_refreshes, 3);
}

/* One shared MEC at a time, private again only when empty. */
static void test_shared_mec(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_SHARED, 15, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_PRIVATE, 1, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_SHARED, 1, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_SHARED, 2, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	delegate_two(f);
	assert_int_equal(create(f, RD, RTT0, 0, 1), RMI_SUCCESS);
	assert_int_equal(create(f, RD_B, RTT0_B, 1, 1), RMI_SUCCESS);
	assert_int_equal(fx_rmm(f)->mec_members, 2);
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_PRIVATE, 1, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_REALM_DESTROY, RD_B, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_MEC_SET_PRIVATE, 1, 0, 0, 0, 0, NULL), RMI_SUCCESS);
	assert_int_equal(fx_rmm(f)->mec_state[1], MEC_PRIVATE_UNASSIGNED);
	/* joining and leaving the shared MEC refreshed no key: set_shared
	 * and set_private did */
	assert_int_equal(fx_rmm(f)->stat_mec_refreshes, 2);
}

/* The realm's RTTs are written under its MECID (host MECID 3: MECID 4):
 * the RMM reads them back, and under the RMM's own key they are noise. */
static void test_rtt_under_realm_mecid(void **state)
{
	struct fx *f = *state;
	uint64_t out[SMC_REGS], realm[1], own[1];
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	assert_int_equal(create(f, RD, RTT0, 0, 3), RMI_SUCCESS);
	assert_int_equal(fx_rmi(f, RMI_RTT_READ_ENTRY, RD, 0, 1, 0, 0, out), RMI_SUCCESS);
	assert_int_equal(out[2], RMI_RTTE_UNASSIGNED);
	assert_int_equal(out[4], RIPAS_EMPTY);
	uint64_t c = 0;
	assert_int_equal(machine_wbinvd(&f->m, &c), 0); /* the RTT in DRAM */
	assert_int_equal(machine_peek(&f->m, machine_mec_slot(&f->m, PAS_REALM, 4), RTT0, realm, 8), 0);
	assert_int_equal(machine_peek(&f->m, machine_mec_slot(&f->m, PAS_REALM, 0), RTT0, own, 8), 0);
	assert_int_equal(realm[0], 0); /* UNASSIGNED, RIPAS EMPTY: all zero */
	assert_int_not_equal(own[0], 0);
	/* the RMM's MECID registers are back to its own after the call */
	assert_int_equal(fx_rmm(f)->alt_mecid, 0);
}

/* cca (RMM 1.0): no MEC commands, RMI_FEATURES index 1 is zero, the
 * params' mecid is not read. */
static void test_no_mec(void **state)
{
	struct fx *f = *state;
	uint64_t out[SMC_REGS];
	assert_true(fx_rmi(f, RMI_MEC_SET_SHARED, 1, 0, 0, 0, 0, NULL) == UINT64_MAX);
	assert_true(fx_rmi(f, RMI_MEC_SET_PRIVATE, 1, 0, 0, 0, 0, NULL) == UINT64_MAX);
	assert_int_equal(fx_rmi(f, RMI_FEATURES, 1, 0, 0, 0, 0, out), RMI_SUCCESS);
	assert_int_equal(out[1], 0);
	fx_delegate(f, RD);
	fx_delegate(f, RTT0);
	assert_int_equal(create(f, RD, RTT0, 0, 0xffff), RMI_SUCCESS);
	assert_false(fx_rmm(f)->mec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_realm_mecid, mec_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_shared_mec, mec_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rtt_under_realm_mecid, mec_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_mec, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
