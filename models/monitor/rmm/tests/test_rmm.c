/* RMM granule commands against DEN0137 1.0-rel0: function ids, status
 * encoding, failure conditions and their order, the granule state machine,
 * the GPT change and scrubbing. Runs on the bundled cca profile. */
#include "models/mmu/gpc.h"
#include "models/monitor/rmm/tests/rmm_fixture.h"

#define PAGE 0x80100000ull

static uint64_t rmi(struct fx *f, uint64_t fid, uint64_t x1, uint64_t out[SMC_REGS])
{
	uint64_t regs[SMC_REGS] = { fid, x1 }, cycles;
	cpu_smc(&f->host, regs, &cycles);
	if (out)
		memcpy(out, regs, sizeof(regs));
	return regs[0];
}

/* B3.3.23: RMI_VERSION reports 1.0 as lower and higher revision; only 1.0 succeeds. */
static void test_version(void **state)
{
	struct fx *f = *state;
	uint64_t r[SMC_REGS];
	assert_int_equal(rmi(f, 0xC4000150, 0x10000, r), RMI_SUCCESS);
	assert_int_equal(r[1], 0x10000);
	assert_int_equal(r[2], 0x10000);
	assert_int_equal(rmi(f, 0xC4000150, 0x10001, r), RMI_ERROR_INPUT);
	assert_int_equal(r[1], 0x10000);
	assert_int_equal(rmi(f, 0xC4000150, 0x20000, NULL), RMI_ERROR_INPUT);
}

/* B3.3.5: success moves UNDELEGATED -> DELEGATED and GPI NS -> Realm. */
static void test_delegate_success(void **state)
{
	struct fx *f = *state;
	uint8_t gpi;
	assert_int_equal(rmm_granule_state(fx_rmm(f), PAGE), GRANULE_UNDELEGATED);
	assert_int_equal(machine_gpi(&f->m, PAGE, &gpi), 0);
	assert_int_equal(gpi, GPI_NS);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), PAGE), GRANULE_DELEGATED);
	assert_int_equal(machine_gpi(&f->m, PAGE, &gpi), 0);
	assert_int_equal(gpi, GPI_REALM);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.granule_delegate.calls"), 1);
	assert_int_equal(sim_stat_get(&f->sim, "machine.tlbi"), 1);
}

/* B3.3.5.2: each failure condition alone gives RMI_ERROR_INPUT and changes nothing. */
static void test_delegate_failures(void **state)
{
	struct fx *f = *state;
	uint8_t gpi;
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE + 0x10, NULL), RMI_ERROR_INPUT); /* gran_align */
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, 0x1000, NULL), RMI_ERROR_INPUT);       /* gran_bound */
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE, NULL), RMI_SUCCESS);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE, NULL), RMI_ERROR_INPUT);         /* gran_state */
	/* gran_gpt: the L0 GPT granule is UNDELEGATED for the RMM but Root in the GPT */
	assert_int_equal(rmm_granule_state(fx_rmm(f), f->m.cfg.gpt_base), GRANULE_UNDELEGATED);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, f->m.cfg.gpt_base, NULL), RMI_ERROR_INPUT);
	assert_int_equal(machine_gpi(&f->m, f->m.cfg.gpt_base, &gpi), 0);
	assert_int_equal(gpi, GPI_ROOT);
	assert_int_equal(rmm_granule_state(fx_rmm(f), f->m.cfg.gpt_base), GRANULE_UNDELEGATED);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.granule_delegate.errors"), 4);
	assert_int_equal(sim_stat_get(&f->sim, "machine.gpc.changes"), 1);
}

/* B3.3.6: undelegate needs DELEGATED; success wipes the content and returns the granule to NS. */
static void test_undelegate_scrubs(void **state)
{
	struct fx *f = *state;
	static const char secret[] = "realm secret";
	uint8_t buf[sizeof(secret)], cells[64];
	struct cc_fault fault;
	uint64_t c;
	uint8_t gpi;
	assert_int_equal(rmi(f, RMI_GRANULE_UNDELEGATE, PAGE, NULL), RMI_ERROR_INPUT); /* gran_state */
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE, NULL), RMI_SUCCESS);
	assert_int_equal(cpu_store(&f->realm, PAGE, secret, sizeof(secret), &fault, &c), 0);
	assert_int_equal(rmi(f, RMI_GRANULE_UNDELEGATE, PAGE + 8, NULL), RMI_ERROR_INPUT); /* gran_align */
	assert_int_equal(rmi(f, RMI_GRANULE_UNDELEGATE, PAGE, NULL), RMI_SUCCESS);
	assert_int_equal(rmm_granule_state(fx_rmm(f), PAGE), GRANULE_UNDELEGATED);
	assert_int_equal(machine_gpi(&f->m, PAGE, &gpi), 0);
	assert_int_equal(gpi, GPI_NS);
	/* The host may load it again, and sees neither the secret nor its plaintext. */
	assert_int_equal(cpu_load(&f->host, PAGE, buf, sizeof(buf), &fault, &c), 0);
	assert_memory_not_equal(buf, secret, sizeof(secret));
	/* EL3 cleaned the granule out of every cache: the cells hold the realm
	 * key's encryption of zeros, not the secret. */
	assert_int_equal(machine_phys_read(&f->m, PAGE, cells, sizeof(cells)), 0);
	assert_null(memmem(cells, sizeof(cells), "realm", 5));
	assert_int_equal(sim_stat_get(&f->sim, "rmm.scrubbed_granules"), 2);
}

/* A delegated granule fails the host's GPC (Arm ARM D9: NS PAS vs Realm GPI) but serves the realm. */
static void test_delegated_granule_gpc(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8] = { 0 };
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE, NULL), RMI_SUCCESS);
	assert_int_equal(cpu_load(&f->host, PAGE, buf, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_GPC_GPF);
	assert_int_equal(fault.code, 0x28); /* DFSC 0b101000: GPF on the access output */
	assert_int_equal(fault.to_el3, 0);
	assert_int_equal(cpu_store(&f->realm, PAGE, "x", 1, &fault, &c), 0);
	assert_int_equal(cpu_load(&f->realm, PAGE, buf, 1, &fault, &c), 0);
	assert_int_equal(buf[0], 'x');
}

/* Unimplemented RMI ids and non-RMI ids reach EL3, which returns SMC_UNKNOWN. */
static void test_unknown_fid(void **state)
{
	struct fx *f = *state;
	assert_true(rmi(f, 0xC4000160 /* a hole in the RMI range */, 0, NULL) == UINT64_MAX);
	assert_true(rmi(f, 0x84000000 /* PSCI_VERSION */, 0, NULL) == UINT64_MAX);
	assert_int_equal(sim_stat_get(&f->sim, "machine.smc_unknown"), 2);
}

/* The status encoding is status | index << 8 (B3.4.17) and names map back. */
static void test_status_names(void **state)
{
	(void)state;
	assert_int_equal(rmi_return(RMI_ERROR_RTT, 2), 0x204);
	assert_string_equal(rmi_status_name(0x204), "rmi.error_rtt");
	assert_string_equal(rmi_status_name(UINT64_MAX), "smc.unknown");
	assert_non_null(rmm_cmd_by_name("granule_delegate"));
	assert_null(rmm_cmd_by_name("granule_eat"));
	assert_int_equal(rmm_cmd_by_fid(0xC4000152)->arity, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_delegate_success, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_delegate_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undelegate_scrubs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_delegated_granule_gpc, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fid, fx_setup, fx_teardown),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
