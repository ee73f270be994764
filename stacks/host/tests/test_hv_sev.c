/* The host stack's SEV personalities (hv_sev.c) with the guest kernel:
 * - launch through the firmware and the ASID ranges (SEV API 55766 §6.2 to
 *   §6.9; SNP ABI §8.16 to §8.18);
 * - where the vCPU's state lives (APM vol. 2 §15.34 VMCB save area, §15.35
 *   VMSA);
 * - an SNP guest's pages in the RMP over its life: assigned on first touch,
 *   validated by the guest, made shared by page state changes, and
 *   reclaimed at decommission (APM §15.36, GHCB spec §4.1.6, SNP ABI
 *   §8.11);
 * - the ASID gate on reuse (SEV API §6.21 DECOMMISSION, §5.6 DF_FLUSH);
 * - Restricted Injection (APM §15.36.16);
 * - the control-block and nested-table rewrites of CrossLine, with the
 *   RMP check of a guest's page-table reads (APM §15.36.10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "models/monitor/sev/sev_fw.h"
#include "models/platform/machine_mon.h"
#include "models/monitor/snp/snp_fw.h"
#include "sim/buf.h"
#include "models/platform/machine.h"
#include "stacks/host/hv.h"
#include "stacks/host/tests/hv_fixture.h"

#define PAGE 4096ull

/* The secret the workloads store at GUEST_FREE: a present, PTE-shaped
 * word (bits 12..50 name a GPA no guest maps). */
static const uint8_t secret[8] = { 0x01, 0x00, 0x5e, 0xc7, 0xe7, 0xb1, 0x00, 0x00 };
#define SECRET_NEXT_TABLE 0xb1e7c75e0000ull

static const struct guest_op store_and_call[] = {
	{ .kind = GOP_STORE, .a = GUEST_FREE, .data = secret, .len = sizeof(secret) },
	{ .kind = GOP_HOST_CALL, .a = 1 },
};

/* Guest number `vmid`, its pool after the earlier ones', loaded and built. */
static struct hv_guest *make_guest(struct hfx *f, const char *name, uint64_t vmid,
				   const struct guest_op *ops, size_t nops, struct hv_result *r)
{
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = ops, .nops = nops },
				     .pool = HV_POOL_DEFAULT + (vmid - 1) * HV_POOL_SIZE,
				     .vmid = vmid, .max_exits = 100000 };
	char err[256];
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, name, &c, err, sizeof(err));
	assert_non_null(g);
	assert_int_equal(hv_guest_load(g, r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, r, err, sizeof(err)), 0);
	return g;
}

static void run(struct hv_guest *g, uint64_t max, unsigned until, struct hv_result *r)
{
	char err[256];
	assert_int_equal(hv_guest_run(g, max, until, r, err, sizeof(err)), 0);
}

static struct rmp_entry rmp_of(struct hfx *f, uint64_t pa)
{
	struct rmp_entry e;
	struct rmp_io io = machine_rmp_io(&f->m);
	assert_int_equal(rmp_entry_read(&f->m.rmp, &io, pa, &e), 0);
	return e;
}

/* The host's own view of a page: what a host load returns. */
static void host_read(struct hfx *f, uint64_t pa, uint8_t *buf, uint32_t len)
{
	struct cc_fault fl;
	uint64_t cyc;
	assert_int_equal(cpu_load(&f->host, pa, buf, len, &fl, &cyc), 0);
}

/* SEV API §6.3 ACTIVATE: SEV guests get ASIDs above the SEV-ES range, from
 * the top of the key slots down; SEV-ES guests below min_sev_asid. The
 * launch ends RUNNING with the key active; the image pages the firmware
 * encrypted in place read back as ciphertext to the host. */
static void launch(const char *profile, unsigned es)
{
	struct hfx *f = hfx_new(profile);
	struct hv_result r;
	struct hv_guest *g = make_guest(f, "g0", 1, store_and_call, 2, &r);
	assert_int_equal(r.status, 0);
	uint64_t want = es ? f->m.cfg.min_sev_asid - 1 : f->m.cfg.key_slots - 1;
	assert_int_equal(r.x1, want);
	assert_int_equal(g->asid, want);
	const struct sev_guest *sg = sev_guest_find(machine_mon_instance(f->m.sev), (uint32_t)g->rd);
	assert_non_null(sg);
	assert_int_equal(sg->state, SEV_GSTATE_RUNNING);
	assert_int_equal(sg->asid, want);
	assert_int_equal(sg->nvmsa, es ? 1 : 0); /* §6.6 LAUNCH_UPDATE_VMSA: SEV-ES only */
	assert_true(sev_asid_active(machine_mon_instance(f->m.sev), (uint32_t)want));
	uint8_t zero[SEV_MEASURE_LEN] = { 0 }, img[64];
	assert_memory_not_equal(g->launch_measure, zero, SEV_MEASURE_LEN);
	host_read(f, hv_guest_page_pa(g, 0), img, sizeof(img));
	assert_memory_not_equal(img, g->image, sizeof(img));
	/* the guest runs to its host call and stores the secret privately */
	run(g, 0, RMI_EXIT_HOST_CALL, &r);
	assert_int_equal(g->n.host_calls, 1);
	uint8_t got[8];
	host_read(f, hv_guest_page_pa(g, GUEST_FREE), got, sizeof(got));
	assert_memory_not_equal(got, secret, sizeof(got));
	hfx_free(f);
}

static void test_launch_sev(void **state)
{
	(void)state;
	launch("sev", 0);
}

static void test_launch_sev_es(void **state)
{
	(void)state;
	launch("sev-es", 1);
}

/* APM §15.34: an SEV guest's registers are in the VMCB save area, host
 * memory in plaintext; §15.35: an SEV-ES guest's are in the VMSA, which
 * the hardware writes with the guest's key. After the store, X1 holds the
 * secret's first word (the store op's scratch register). */
static void state_page(const char *profile, bool plaintext)
{
	struct hfx *f = hfx_new(profile);
	struct hv_result r;
	const struct guest_op ops[] = {
		{ .kind = GOP_STORE, .a = GUEST_FREE, .data = secret, .len = sizeof(secret) },
		{ .kind = GOP_LOAD, .a = GUEST_FREE, .b = 8 },
		{ .kind = GOP_HOST_CALL, .a = 1 },
	};
	struct hv_guest *g = make_guest(f, "g0", 1, ops, 3, &r);
	run(g, 0, RMI_EXIT_HOST_CALL, &r);
	uint8_t regs[8 * 31];
	host_read(f, hv_guest_regs_pa(g), regs, sizeof(regs));
	bool seen = memmem(regs, sizeof(regs), secret, sizeof(secret)) != NULL;
	assert_int_equal(seen, plaintext);
	hfx_free(f);
}

static void test_state_sev_plaintext(void **state)
{
	(void)state;
	state_page("sev", true);
}

static void test_state_sev_es_encrypted(void **state)
{
	(void)state;
	state_page("sev-es", false);
}

/* An SNP guest over its life (APM §15.36, SNP ABI §8.11, GHCB §4.1.6): its
 * private pages are assigned to its ASID at their GPA and validated by the
 * guest; the bounce buffer and GHCB pages were converted to shared and are
 * the hypervisor's; the VMSA is a VMSA page; after decommission every page
 * is the hypervisor's again and the ASID waits for DF_FLUSH. */
static void test_snp_rmp_life(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("sev-snp");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_guest(f, "g0", 1, store_and_call, 2, &r);
	assert_int_equal(r.status, 0);
	uint32_t asid = (uint32_t)g->asid;
	assert_int_equal(asid, f->m.cfg.min_sev_asid - 1);
	uint64_t held[3] = { 0 };
	assert_int_equal(machine_mon_query(f->m.snp, CCSIM_QUERY_ASID_GUESTS, asid, held, sizeof(held)), 0);
	assert_int_equal(held[0], 1);
	assert_int_equal(held[1], g->rd);
	uint8_t gs[4]; /* the guest's state, in its context page under the AMD-SP's key */
	assert_int_equal(machine_peek(&f->m, machine_fw_slot(&f->m), g->rd + SNP_GCTX_STATE, gs, 4), 0);
	assert_int_equal(sim_le32_load(gs), SNP_GSTATE_RUNNING);
	run(g, 0, RMI_EXIT_COUNT, &r);
	assert_int_equal(g->state, HV_OFF);
	assert_true(g->n.ripas_changes > 0); /* the shared pages' conversions */

	struct rmp_entry e = rmp_of(f, hv_guest_page_pa(g, GUEST_FREE));
	assert_true(e.assigned);
	assert_true(e.validated);
	assert_int_equal(e.asid, asid);
	assert_int_equal(e.gpa, GUEST_FREE);
	e = rmp_of(f, hv_guest_page_pa(g, GUEST_PT));
	assert_true(e.assigned && e.validated);
	assert_int_equal(e.gpa, GUEST_PT);
	e = rmp_of(f, hv_guest_page_pa(g, GUEST_GHCB));
	assert_false(e.assigned);
	assert_true(g->shared[GUEST_GHCB / PAGE]);
	e = rmp_of(f, hv_guest_regs_pa(g));
	assert_true(e.assigned && e.vmsa);
	assert_int_equal(e.asid, asid);

	uint64_t keep[] = { hv_guest_page_pa(g, GUEST_FREE), hv_guest_page_pa(g, GUEST_PT),
			    hv_guest_regs_pa(g), g->rd };
	assert_int_equal(hv_guest_destroy(g, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(keep); i++)
		assert_false(rmp_of(f, keep[i]).assigned);
	assert_int_equal(machine_mon_query(f->m.snp, CCSIM_QUERY_ASID_GUESTS, asid, held, sizeof(held)), 0);
	assert_int_equal(held[0], 0);
	assert_int_equal(machine_mon_ask(f->m.snp, CCSIM_QUERY_ASID_FLUSH_PENDING, asid, 0), 1);
	hfx_free(f);
}

/* SEV API §6.21 / §5.6: an ASID decommissioned is not handed out again
 * until WBINVD on every core and DF_FLUSH; the host's next guest with the
 * same ASID fails to launch with DFFLUSH_REQUIRED, and launches after. */
static void test_sev_asid_gate(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("sev");
	struct hv_result r;
	char err[256];
	struct hv_guest *a = make_guest(f, "a", 1, store_and_call, 2, &r);
	assert_int_equal(r.status, 0);
	run(a, 0, RMI_EXIT_COUNT, &r);
	assert_int_equal(hv_guest_destroy(a, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_false(sev_asid_active(machine_mon_instance(f->m.sev), (uint32_t)a->asid));
	/* same vmid, so the same ASID, from another pool */
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = store_and_call,
					    .nops = 2 },
				     .pool = HV_POOL_DEFAULT + HV_POOL_SIZE, .vmid = 1,
				     .max_exits = 100000 };
	struct hv_guest *b = hv_guest_new(&f->sim, &f->m, &f->host, "b", &c, err, sizeof(err));
	assert_int_equal(hv_guest_load(b, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(b, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, HV_SEV_STATUS | SNP_DFFLUSH_REQUIRED);
	assert_int_equal(b->state, HV_REFUSED);
	/* a guest the firmware refused is not entered and has nothing to tear down */
	assert_int_equal(hv_guest_run(b, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_true(r.not_built);
	assert_int_equal(r.x1, 0);
	assert_int_equal(hv_guest_destroy(b, &r, err, sizeof(err)), 0);
	assert_int_equal(b->state, HV_REFUSED);
	uint64_t cyc = 0;
	assert_int_equal(machine_wbinvd(&f->m, &cyc), 0);
	assert_int_equal(sev_df_flush(machine_mon_instance(f->m.sev)), SNP_SUCCESS);
	c.pool += HV_POOL_SIZE;
	struct hv_guest *d = hv_guest_new(&f->sim, &f->m, &f->host, "d", &c, err, sizeof(err));
	assert_int_equal(hv_guest_load(d, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(d, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(d->asid, a->asid);
	hfx_free(f);
}

/* APM §15.36.16: with Restricted Injection the hardware takes no event the
 * host injects; without it the host queues one for the next entry. */
static void inject(const char *profile, bool refused)
{
	struct hfx *f = hfx_new(profile);
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_guest(f, "g0", 1, store_and_call, 2, &r);
	assert_int_equal(hv_guest_inject(g, 0, 0, 40, &r, err, sizeof(err)), 0);
	assert_int_equal(r.x1, refused ? 1 : 0);
	assert_int_equal(g->n.injections_refused, refused ? 1 : 0);
	assert_int_equal(g->n.injections, refused ? 0 : 1);
	assert_int_equal(g->vcpu[0].inject_irq, refused ? 0 : 41);
	/* EVENTINJ is delivered at the next VMRUN: the guest takes it */
	assert_int_equal(hv_guest_run(g, 0, RMI_EXIT_COUNT, &r, err, sizeof(err)), 0);
	assert_int_equal(r.hostile_taken, refused ? 0 : 1);
	hfx_free(f);
}

static void test_inject_snp(void **state)
{
	(void)state;
	inject("sev-snp", false);
}

static void test_inject_snp_restricted(void **state)
{
	(void)state;
	inject("sev-snp-ri", true);
}

/* CrossLine: a second guest run under the first's ASID and state, with
 * the GPA of the first's page-table root mapped onto its secret. On SEV
 * and SEV-ES the walk reads the secret with the victim's key as a PML4
 * entry and the nested fault on the next table gives it away; on SNP the
 * RMP refuses the table read (the page backs another GPA). */
static void crossline(const char *profile, bool leaks)
{
	struct hfx *f = hfx_new(profile);
	struct hv_result r;
	char err[256];
	struct hv_guest *alice = make_guest(f, "alice", 1, store_and_call, 2, &r);
	run(alice, 0, RMI_EXIT_HOST_CALL, &r);
	struct hv_guest *mallory = make_guest(f, "mallory", 2, NULL, 0, &r);
	assert_int_not_equal(mallory->asid, alice->asid);
	assert_int_equal(hv_guest_vmcb(mallory, (int64_t)alice->asid, hv_guest_regs_pa(alice), &r, err,
				       sizeof(err)), 0);
	assert_int_equal(r.x1, alice->asid);
	assert_int_equal(r.x2, hv_guest_regs_pa(alice));
	uint64_t spa = hv_guest_page_pa(alice, GUEST_FREE);
	assert_int_equal(hv_guest_map(mallory, GUEST_PT, spa, &r, err, sizeof(err)), 0);
	assert_int_equal(r.x1, spa);
	run(mallory, 1, RMI_EXIT_COUNT, &r);
	assert_int_equal(mallory->n.npfs, 1);
	if (leaks) {
		assert_int_equal(mallory->n.last_npf, SECRET_NEXT_TABLE);
		assert_int_equal(mallory->n.last_npf_kind, FAULT_MMU_S2);
	} else {
		assert_int_equal(mallory->n.last_npf, GUEST_PT);
		assert_int_equal(mallory->n.last_npf_kind, FAULT_RMP_NPF);
	}
	hfx_free(f);
}

static void test_crossline_sev(void **state)
{
	(void)state;
	crossline("sev", true);
}

static void test_crossline_sev_es(void **state)
{
	(void)state;
	crossline("sev-es", true);
}

static void test_crossline_snp(void **state)
{
	(void)state;
	crossline("sev-snp", false);
}

/* The rewrites need a built guest; a realm has no control block or nested
 * table the host may write. */
static void test_vmcb_map_refused(void **state)
{
	(void)state;
	struct hv_result r;
	char err[256];
	struct hfx *f = hfx_new("sev");
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM }, .pool = HV_POOL_DEFAULT,
				     .vmid = 1, .max_exits = 100 };
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, "g0", &c, err, sizeof(err));
	assert_int_equal(hv_guest_vmcb(g, 1, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "host.guest_create first"));
	assert_int_equal(hv_guest_load(g, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, &r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_map(g, GUEST_PT + 8, HV_POOL_DEFAULT, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "page-aligned"));
	hfx_free(f);

	f = hfx_new("cca");
	g = make_guest(f, "realm", 1, store_and_call, 2, &r);
	assert_int_equal(hv_guest_vmcb(g, 1, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "RMM's"));
	assert_int_equal(hv_guest_map(g, GUEST_PT, HV_POOL_DEFAULT, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "RTTs"));
	hfx_free(f);
}

/* The host flushes the pages it hands over, line by line (KVM's
 * sev_clflush_pages), and not at all where the caches are coherent across
 * keys: an SNP guest's creation and run cost the same with a 2 MiB and a
 * 128 MiB LLC (a flush of the whole LLC per page made them grow with LLC
 * size x guest RAM), and less with coherent caches. */
static void test_snp_flush_cost(void **state)
{
	(void)state;
	/* the profile's own LLC is 32 MiB: compare a small one with a large one */
	static const char *const small[] = { "cache.llc_size=2M", NULL };
	static const char *const big[] = { "cache.llc_size=128M", NULL };
	static const char *const coherent[] = { "cache.llc_size=2M", "cache.key_coherent=true", NULL };
	const char *const *sets[] = { small, big, coherent };
	uint64_t cycles[3];
	for (int i = 0; i < 3; i++) {
		struct hfx *f = hfx_new_set("sev-snp", sets[i]);
		struct hv_result r;
		struct hv_guest *g = make_guest(f, "g0", 1, store_and_call, 2, &r);
		assert_int_equal(r.status, 0);
		cycles[i] = r.cycles;
		run(g, 0, RMI_EXIT_COUNT, &r);
		assert_int_equal(g->state, HV_OFF);
		cycles[i] += r.cycles;
		hfx_free(f);
	}
	uint64_t d = cycles[1] > cycles[0] ? cycles[1] - cycles[0] : cycles[0] - cycles[1];
	assert_true(d * 20 < cycles[0]); /* within 5% */
	assert_true(cycles[2] < cycles[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_launch_sev),
		cmocka_unit_test(test_launch_sev_es),
		cmocka_unit_test(test_state_sev_plaintext),
		cmocka_unit_test(test_state_sev_es_encrypted),
		cmocka_unit_test(test_snp_rmp_life),
		cmocka_unit_test(test_sev_asid_gate),
		cmocka_unit_test(test_inject_snp),
		cmocka_unit_test(test_inject_snp_restricted),
		cmocka_unit_test(test_crossline_sev),
		cmocka_unit_test(test_crossline_sev_es),
		cmocka_unit_test(test_crossline_snp),
		cmocka_unit_test(test_vmcb_map_refused),
		cmocka_unit_test(test_snp_flush_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
