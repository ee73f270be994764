/* The SEV firmware's legacy API (AMD 55766 rev. 0.24) on an sev-es machine:
 * the launch flow and its measurement (6.2 - 6.9), ACTIVATE's ASID rules
 * (6.3), DEACTIVATE / DECOMMISSION (6.4, 6.21), the DF_FLUSH gate (5.6),
 * and the firmware's state surviving a save / restore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "models/monitor/sev/sev_fw.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "sim/buf.h"

#define IMG 0x80110000ull
#define VMSA 0x80120000ull

struct fx {
	struct sim sim;
	struct machine m;
};

static struct fx *build(const char *profile)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256], path[256];
	snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", profile);
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 3, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	return f;
}

static void blob_put(void *ctx, const void *bytes, size_t len)
{
	sim_buf_put(ctx, bytes, len);
}

/* The firmware behind the machine's SEV slot. */
static struct sev_psp *fw(struct fx *f)
{
	return machine_mon_instance(f->m.sev);
}

static void destroy(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static void put_page(struct fx *f, uint64_t pa, const char *text)
{
	uint8_t page[4096] = { 0 };
	uint64_t cyc = 0;
	memcpy(page, text, strlen(text));
	assert_int_equal(machine_dram_access(&f->m, 0, pa, page, sizeof(page), true, &cyc), 0);
}

static void test_absent_elsewhere(void **state)
{
	(void)state;
	struct fx *f = build("sev-snp");
	assert_null(f->m.sev);
	destroy(f);
	f = build("sev");
	assert_non_null(f->m.sev);
	destroy(f);
}

/* 6.5 - 6.7: LD is SHA-256 over every region's plaintext in order, the
 * measurement HMAC-SHA256(TIK, 04 || 1 || 55 || 21 || POLICY || LD || MNONCE),
 * and the regions end up encrypted under the guest's key. */
static void test_launch_measure(void **state)
{
	(void)state;
	struct fx *f = build("sev-es");
	struct sev_psp *p = fw(f);
	static const uint8_t tik[SEV_TIK_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint32_t h = 0;
	assert_int_equal(sev_init(p), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(p, SEV_POLICY_ES | SEV_POLICY_NODBG, tik, &h), SNP_SUCCESS);
	assert_int_equal(h, 1);
	assert_int_equal(sev_activate(p, h, 7), SNP_SUCCESS);
	put_page(f, IMG, "kernel");
	put_page(f, VMSA, "registers");
	assert_int_equal(sev_launch_update_data(p, h, IMG, 4096), SNP_SUCCESS);
	assert_int_equal(sev_launch_update_vmsa(p, h, VMSA, 4096), SNP_SUCCESS);
	struct sev_measurement m;
	assert_int_equal(sev_launch_measure(p, h, &m), SNP_SUCCESS);

	uint8_t both[8192] = { 0 }, ld[32], want[32], blob[56];
	unsigned n = 0;
	memcpy(both, "kernel", 6);
	memcpy(both + 4096, "registers", 9);
	EVP_Digest(both, sizeof(both), ld, &n, EVP_sha256(), NULL);
	blob[0] = 0x04;
	blob[1] = 1;
	blob[2] = 55;
	blob[3] = 21;
	uint32_t pol = SEV_POLICY_ES | SEV_POLICY_NODBG;
	memcpy(blob + 4, &(uint8_t[4]){ (uint8_t)pol, 0, 0, 0 }, 4);
	memcpy(blob + 8, ld, 32);
	memcpy(blob + 40, m.mnonce, 16);
	HMAC(EVP_sha256(), tik, 16, blob, sizeof(blob), want, &n);
	assert_memory_equal(m.measure, want, 32);

	/* in DRAM under the guest's key: the host key reads something else */
	uint8_t b[16];
	uint64_t cyc = 0;
	assert_int_equal(machine_dram_access(&f->m, 7, IMG, b, 6, false, &cyc), 0);
	assert_memory_equal(b, "kernel", 6);
	assert_int_equal(machine_dram_access(&f->m, 0, IMG, b, 6, false, &cyc), 0);
	assert_memory_not_equal(b, "kernel", 6);

	/* LSECRET: no more data; FINISH runs it; FINISH again is refused */
	assert_int_equal(sev_launch_update_data(p, h, IMG, 4096), SNP_INVALID_GUEST_STATE);
	assert_int_equal(sev_launch_finish(p, h), SNP_SUCCESS);
	assert_int_equal(sev_launch_finish(p, h), SNP_INVALID_GUEST_STATE);
	assert_int_equal(sev_guest_find(p, h)->state, SEV_GSTATE_RUNNING);
	destroy(f);
}

/* 6.7: a new MNONCE each time, so two launches of the same image under
 * the same TIK measure differently; the same seed repeats it. */
static void test_mnonce_fresh(void **state)
{
	(void)state;
	struct sev_measurement m[2];
	for (int i = 0; i < 2; i++) {
		struct fx *f = build("sev");
		uint32_t h[2];
		assert_int_equal(sev_init(fw(f)), SNP_SUCCESS);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(sev_launch_start(fw(f), 0, NULL, &h[k]), SNP_SUCCESS);
			assert_int_equal(sev_activate(fw(f), h[k], 100 + (uint32_t)k), SNP_SUCCESS);
		}
		assert_int_equal(sev_launch_measure(fw(f), h[i], &m[i]), SNP_SUCCESS);
		destroy(f);
	}
	assert_memory_not_equal(m[0].mnonce, m[1].mnonce, SEV_MNONCE_LEN);
	struct fx *f = build("sev");
	uint32_t h;
	struct sev_measurement again;
	assert_int_equal(sev_init(fw(f)), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(fw(f), 0, NULL, &h), SNP_SUCCESS);
	assert_int_equal(sev_launch_measure(fw(f), h, &again), SNP_SUCCESS);
	assert_memory_equal(again.mnonce, m[0].mnonce, SEV_MNONCE_LEN);
	destroy(f);
}

/* 6.3: ES guests take ES ASIDs, SEV guests the others; 6.4 / 6.21 / 5.6:
 * the reuse gate. */
static void test_asid_rules_and_gate(void **state)
{
	(void)state;
	struct fx *f = build("sev-es");
	struct sev_psp *p = fw(f);
	uint32_t es, plain, next;
	assert_int_equal(sev_launch_start(p, 0, NULL, &plain), SNP_INVALID_PLATFORM_STATE);
	assert_int_equal(sev_init(p), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(p, SEV_POLICY_ES, NULL, &es), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(p, 0, NULL, &plain), SNP_SUCCESS);
	assert_int_equal(p->state, SEV_PLATFORM_WORKING);
	assert_int_equal(sev_activate(p, es, 100), SNP_INVALID_ASID);
	assert_int_equal(sev_activate(p, plain, 99), SNP_INVALID_ASID);
	assert_int_equal(sev_activate(p, es, 99), SNP_SUCCESS);
	assert_int_equal(sev_activate(p, plain, 100), SNP_SUCCESS);
	assert_true(sev_asid_active(p, 99));
	assert_int_equal(sev_decommission(p, plain), SNP_ACTIVE);
	assert_int_equal(sev_deactivate(p, plain), SNP_SUCCESS);
	assert_int_equal(sev_deactivate(p, plain), SNP_INACTIVE);
	assert_false(sev_asid_active(p, 100));
	assert_int_equal(sev_decommission(p, plain), SNP_SUCCESS);
	assert_null(sev_guest_find(p, plain));
	assert_int_equal(sev_launch_start(p, 0, NULL, &next), SNP_SUCCESS);
	assert_int_equal(sev_activate(p, next, 100), SNP_DFFLUSH_REQUIRED);
	assert_int_equal(sev_df_flush(p), SNP_WBINVD_REQUIRED);
	uint64_t cyc = 0;
	assert_int_equal(machine_wbinvd(&f->m, &cyc), 0);
	assert_int_equal(sev_df_flush(p), SNP_SUCCESS);
	assert_int_equal(sev_activate(p, next, 100), SNP_SUCCESS);
	destroy(f);
}

/* The guest table, the flush bits and the measured data survive a save
 * and restore: the measurement after restore is the one before. */
static void test_save_restore(void **state)
{
	(void)state;
	struct fx *f = build("sev");
	struct sev_psp *p = fw(f);
	uint32_t h, h2;
	assert_int_equal(sev_init(p), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(p, 0, NULL, &h), SNP_SUCCESS);
	assert_int_equal(sev_activate(p, h, 100), SNP_SUCCESS);
	put_page(f, IMG, "image");
	assert_int_equal(sev_launch_update_data(p, h, IMG, 4096), SNP_SUCCESS);
	assert_int_equal(sev_launch_start(p, 0, NULL, &h2), SNP_SUCCESS);
	assert_int_equal(sev_activate(p, h2, 101), SNP_SUCCESS);
	assert_int_equal(sev_deactivate(p, h2), SNP_SUCCESS);
	struct sim_buf b;
	sim_buf_init(&b);
	assert_int_equal(f->m.sev->ops->save(p, blob_put, &b), 0);
	struct sev_measurement before, after;
	assert_int_equal(sev_launch_measure(p, h, &before), SNP_SUCCESS);
	destroy(f);

	f = build("sev");
	p = fw(f);
	p->state = SEV_PLATFORM_WORKING;
	p->next_handle = 2;
	assert_int_equal(f->m.sev->ops->restore(p, f->m.sev->ops->state_version, b.data, b.len), 0);
	assert_int_equal(sev_launch_measure(p, h, &after), SNP_SUCCESS);
	assert_memory_equal(before.measure, after.measure, SEV_MEASURE_LEN);
	assert_int_equal(sev_activate(p, h2, 101), SNP_DFFLUSH_REQUIRED);
	sim_buf_free(&b);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_elsewhere),
		cmocka_unit_test(test_launch_measure),
		cmocka_unit_test(test_mnonce_fresh),
		cmocka_unit_test(test_asid_rules_and_gate),
		cmocka_unit_test(test_save_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
