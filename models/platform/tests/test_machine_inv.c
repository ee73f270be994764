/* The machine's invariants: each holds on a consistent machine, each breaks
 * with a message naming the state when the model's tables are made to
 * disagree, and checking never disturbs the run (same cycles after). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/mmu/gpc.h"
#include "models/mmu/rmp.h"
#include "models/monitor/rmm/rmm.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "models/monitor/rmm/rmm_internal.h"
#include "models/monitor/sev/sev_fw.h"
#include "models/monitor/snp/snp_fw.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host;
	struct machine_inv inv;
	char msg[600];
};

static struct fx *build(const char *profile)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct platform_config cfg;
	char err[256], path[256];
	snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", profile);
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	return f;
}

static int check(struct fx *f, const struct machine_inv_secret *s, size_t n)
{
	f->msg[0] = 0;
	return machine_inv_check(&f->m, &f->inv, s, n, false, NULL, 0, f->msg, sizeof(f->msg));
}

static void destroy(struct fx *f)
{
	machine_inv_free(&f->m, &f->inv);
	sim_fini(&f->sim);
	test_free(f);
}

/* The built-in RMM in the machine's slot, to break it by hand. */
static struct rmm *rmm_of(struct fx *f)
{
	return machine_mon_instance(f->m.rmm);
}

static uint64_t rmi(struct fx *f, uint64_t fid, uint64_t a1)
{
	uint64_t regs[SMC_REGS] = { fid, a1 };
	uint64_t c = 0;
	rmm_handle_rmi(rmm_of(f), regs, &c);
	return regs[0];
}

/* cca: delegating through the RMM keeps the GPT and the granule states in
 * step; an RMM state changed without its GPT transition is caught. */
static void test_cca_gpt_rmm(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	const uint64_t pa = 0x80100000;
	assert_int_equal(check(f, NULL, 0), 0);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, pa), 0);
	assert_int_equal(check(f, NULL, 0), 0);
	rmm_granule_set(rmm_of(f), pa + 0x1000, GRANULE_DATA); /* no GPT change */
	assert_int_equal(check(f, NULL, 0), 1);
	assert_non_null(strstr(f->msg, "granule 0x80101000 is DATA to the RMM, GPI 0x9"));
	destroy(f);
}

/* cca: a refused command leaves the RMM as it was; one that changed its
 * state before failing (here made by hand: the RMM changes a VMID, then
 * reports the failure) is caught and named. */
static void test_cca_failing_command(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	const uint64_t pa = 0x80100000;
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, pa), 0);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, pa) & 0xff, RMI_ERROR_INPUT);
	assert_int_equal(rmi(f, RMI_REALM_ACTIVATE, pa) & 0xff, RMI_ERROR_INPUT);
	assert_int_equal(check(f, NULL, 0), 0);
	struct rmm *r = rmm_of(f);
	uint64_t before = r->changes;
	rmm_note_abort(r, RMI_REALM_ACTIVATE, RMI_ERROR_REALM, before); /* nothing changed */
	assert_int_equal(check(f, NULL, 0), 0);
	rmm_vmid_set(r, 7, true);
	rmm_vmid_set(r, 7, true); /* no change the second time */
	assert_int_equal(r->changes, before + 1);
	rmm_note_abort(r, RMI_REALM_ACTIVATE, RMI_ERROR_REALM, before);
	assert_int_equal(check(f, NULL, 0), 1);
	assert_non_null(strstr(f->msg, "RMI_REALM_ACTIVATE returned rmi.error_realm"));
	destroy(f);
}

/* cca: the GPT changed without the RMM (EL3 delegating on its own) is
 * caught too, through the GPT change log. */
static void test_cca_gpt_behind_rmm(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	uint64_t c = 0;
	assert_int_equal(check(f, NULL, 0), 0);
	assert_int_equal(machine_el3_delegate(&f->m, 0x80200000, &c), 0);
	assert_int_equal(check(f, NULL, 0), 1);
	assert_non_null(strstr(f->msg, "0x80200000 is UNDELEGATED to the RMM, GPI 0xb"));
	destroy(f);
}

/* A realm's secret is ciphertext in DRAM; the same bytes written in
 * plaintext into a delegated granule's cells break the invariant, and a
 * tampered run (phys.write) still checks it. */
static void test_cca_plaintext(void **state)
{
	(void)state;
	struct fx *f = build("cca");
	const uint64_t pa = 0x80100000;
	static const uint8_t key[] = "balance=000100";
	struct machine_inv_secret s = { "key", key, sizeof(key) - 1 };
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, pa), 0);
	struct cpu realm;
	cpu_init(&realm, &f->sim, "realm", machine_bus(&f->m), WORLD_REALM, 1);
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_store(&realm, pa, key, sizeof(key) - 1, &fault, &c), 0);
	assert_int_equal(machine_wbinvd(&f->m, &c), 0);
	assert_int_equal(check(f, &s, 1), 0);
	assert_int_equal(machine_phys_write(&f->m, pa + 64, key, sizeof(key) - 1), 0);
	assert_int_equal(check(f, &s, 1), 1);
	assert_non_null(strstr(f->msg, "secret key sits unencrypted in the cells of 0x80100000"));
	/* zeros are everywhere (this granule's cells too): not a traceable secret */
	static const uint8_t zeros[64];
	struct machine_inv_secret z = { "zero64", zeros, sizeof(zeros) };
	assert_int_equal(check(f, &z, 1), 0);
	destroy(f);
}

/* cca: checking reads through no cache: the cycles of the next access are
 * those of an unchecked run. */
static void test_check_is_a_peek(void **state)
{
	(void)state;
	uint64_t cycles[2];
	for (int run = 0; run < 2; run++) {
		struct fx *f = build("cca");
		assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, 0x80100000), 0);
		if (run)
			assert_int_equal(check(f, NULL, 0), 0);
		uint8_t gpi;
		struct cc_fault fault;
		uint8_t b[8];
		assert_int_equal(machine_gpi(&f->m, 0x80100000, &gpi), 0);
		assert_int_equal(gpi, GPI_REALM);
		assert_int_equal(cpu_load(&f->host, 0x80300000, b, 8, &fault, &cycles[run]), 0);
		destroy(f);
	}
	assert_int_equal(cycles[0], cycles[1]);
}

/* sev-snp: a launched guest's context page is a firmware page; the RMP
 * entry rewritten behind the firmware's back is caught. */
static void test_snp_context_page(void **state)
{
	(void)state;
	struct fx *f = build("sev-snp");
	const uint64_t gctx = 0x9000000;
	uint64_t init[MACHINE_FW_REGS] = { SNP_CMD_INIT }, c = 0;
	uint64_t start[MACHINE_FW_REGS] = { SNP_CMD_LAUNCH_START, gctx, 0x30000 };
	machine_fw_command(&f->m, init, &c);
	machine_fw_command(&f->m, start, &c);
	assert_int_equal(init[0], SNP_SUCCESS);
	assert_int_equal(start[0], SNP_SUCCESS);
	assert_int_equal(check(f, NULL, 0), 0);
	struct rmp_io io = machine_rmp_io(&f->m);
	const struct rmp_entry hv = { 0 };
	assert_int_equal(rmp_entry_write(&f->m.rmp, &io, gctx, &hv), 0);
	assert_int_equal(check(f, NULL, 0), 1);
	assert_non_null(strstr(f->msg, "guest context 0x9000000 is not a firmware page"));
	destroy(f);
}

/* sev: two guests holding one ASID is caught. */
static void test_sev_one_asid(void **state)
{
	(void)state;
	struct fx *f = build("sev");
	struct sev_psp *p = machine_mon_instance(f->m.sev);
	p->guests[0] = (struct sev_guest){ .in_use = true, .handle = 1, .asid = 20 };
	p->guests[1] = (struct sev_guest){ .in_use = true, .handle = 2, .asid = 20 };
	assert_int_equal(check(f, NULL, 0), 1);
	assert_non_null(strstr(f->msg, "handles 1 and 2 both hold ASID 20"));
	p->guests[1].asid = 21;
	assert_int_equal(check(f, NULL, 0), 0);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cca_gpt_rmm),
		cmocka_unit_test(test_cca_failing_command),
		cmocka_unit_test(test_cca_gpt_behind_rmm),
		cmocka_unit_test(test_cca_plaintext),
		cmocka_unit_test(test_check_is_a_peek),
		cmocka_unit_test(test_snp_context_page),
		cmocka_unit_test(test_sev_one_asid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
