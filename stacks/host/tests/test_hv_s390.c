/* The host stack's s390 Secure Execution personality (hv_s390.c) with the
 * guest kernel's s390 flavour: the build through the ultravisor from the
 * owner's SE image, the run's intercepts and host faults, swap-out and
 * swap-in, attestation and the teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv.h"
#include "models/platform/machine.h"
#include "sim/buf.h"
#include "stacks/host/hv.h"
#include "stacks/host/tests/hv_fixture.h"

static const uint8_t secret[8] = "se-7531";

static const struct guest_op ops[] = {
	{ .kind = GOP_STORE, .a = GUEST_FREE, .data = secret, .len = sizeof(secret) },
	{ .kind = GOP_LOAD, .a = GUEST_FREE, .b = 8 },
	{ .kind = GOP_HOST_CALL, .a = 1 },
	{ .kind = GOP_LOAD, .a = GUEST_FREE, .b = 8 },
	{ .kind = GOP_REGS, .a = 2 },
	{ .kind = GOP_MMIO_READ, .a = GUEST_DEV_ID },
	{ .kind = GOP_BLK_READ, .a = 1, .c = GUEST_FREE + 0x1000, .d = 4096, .e = 2 },
};

static struct hv_guest *make_guest(struct hfx *f, bool attest, struct hv_result *r)
{
	struct hv_guest_config c = { .k = { .ram_size = GUEST_MIN_RAM, .ops = ops,
					    .nops = G_N_ELEMENTS(ops), .attest = attest },
				     .pool = HV_POOL_DEFAULT, .vmid = 1, .max_exits = 100000 };
	memcpy(c.k.challenge, "challenge", 9);
	memcpy(c.se_mkey, "measurement key", 15);
	char err[256];
	struct hv_guest *g = hv_guest_new(&f->sim, &f->m, &f->host, "g0", &c, err, sizeof(err));
	assert_non_null(g);
	assert_int_equal(hv_guest_load(g, r, err, sizeof(err)), 0);
	assert_int_equal(hv_guest_create(g, r, err, sizeof(err)), 0);
	return g;
}

static void run(struct hv_guest *g, unsigned until, struct hv_result *r)
{
	char err[256];
	assert_int_equal(hv_guest_run(g, 0, until, r, err, sizeof(err)), 0);
	assert_int_equal(r->status, 0);
}

/* KVM's build: the UV initialised, a configuration and its CPU, the image
 * unpacked and verified, the CPU loaded; what the host staged is the SE
 * image (its header's magic), and the guest's pages are secure. */
static void test_build(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("s390-se");
	struct hv_result r;
	struct hv_guest *g = make_guest(f, false, &r);
	assert_int_equal(r.status, 0);
	assert_true(uv_initialized(f->m.uv));
	assert_int_equal(uv_conf_id(f->m.uv, r.x1), 1);
	assert_int_equal(uv_cpu_conf(f->m.uv, r.x2), 1);
	size_t n;
	const uint8_t *img = hv_guest_image(g, &n);
	struct se_image_view v;
	char why[128];
	assert_int_equal(se_image_parse(img, n, &v, why, sizeof(why)), 0);
	assert_memory_equal(v.hdr, SE_HDR_MAGIC, 8);
	uint32_t conf;
	uint64_t gaddr;
	assert_int_equal(uv_page_state(f->m.uv, hv_guest_page_pa(g, 0), &conf, &gaddr), UV_PAGE_SECURE);
	assert_int_equal(conf, 1);
	hfx_free(f);
}

/* The run: the workload's pages imported at PGM 0x3e, the bounce buffer
 * shared, the hypercall's intercept exposing its code only (not the
 * secret in X1), the device read and the block read through the shared
 * buffer; the guest powers off. */
static void test_run_stand_in(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("s390-se");
	struct hv_result r;
	struct hv_guest *g = make_guest(f, false, &r);
	run(g, RMI_EXIT_HOST_CALL, &r);
	uint8_t sd[256];
	struct cc_fault fault;
	uint64_t c = 0;
	assert_int_equal(cpu_load(&f->host, hv_guest_regs_pa(g), sd, sizeof(sd), &fault, &c), 0);
	assert_int_equal(uv_be64(sd), 2); /* the host's answer (imm + 1) in the GR area */
	assert_null(memmem(sd, sizeof(sd), secret, sizeof(secret)));
	/* the secure CPU's storage: the UV's */
	assert_int_equal(cpu_load(&f->host, g->vcpu[0].aux[0], sd, 8, &fault, &c), 1);
	assert_int_equal(fault.kind, FAULT_PGM_SECURE_ACCESS);
	run(g, RMI_EXIT_COUNT, &r);
	assert_int_equal(g->state, HV_OFF);
	assert_int_equal(g->n.panicked, 0);
	assert_int_equal(g->n.blk_reads, 1);
	/* the regs op after the call: X1 still the guest's own */
	const struct hv_call_result *cr = &g_array_index(g->results, struct hv_call_result, 0);
	assert_int_equal(cr->x[1], sim_le64_load(secret));
	assert_true(sim_stat_get(&f->sim, "hv.g0.se.imports") > 0);
	uint32_t conf;
	uint64_t gaddr;
	for (uint64_t p = GUEST_BOUNCE; p < GUEST_BOUNCE + GUEST_BOUNCE_SIZE; p += 4096)
		assert_int_equal(uv_page_state(f->m.uv, hv_guest_page_pa(g, p), &conf, &gaddr),
				 UV_PAGE_SHARED);
	hfx_free(f);
}

/* Memory pressure: the host's read of the secure page faults and its
 * handler exports it; the copy it swaps out is no plaintext; the guest's
 * next touch reads it back from swap and imports it, intact. */
static void test_swap(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("s390-se");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_guest(f, false, &r);
	run(g, RMI_EXIT_HOST_CALL, &r);
	uint8_t copy[4096];
	uint64_t exports = sim_stat_get(&f->sim, "uv.exports");
	assert_int_equal(hv_guest_swap_out(g, GUEST_FREE, copy, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(sim_stat_get(&f->sim, "uv.exports"), exports + 1);
	assert_null(memmem(copy, sizeof(copy), secret, sizeof(secret)));
	assert_int_equal(hv_guest_page_pa(g, GUEST_FREE), 0);
	run(g, RMI_EXIT_COUNT, &r);
	assert_int_equal(sim_stat_get(&f->sim, "hv.g0.se.swap_outs"), 1);
	assert_int_equal(sim_stat_get(&f->sim, "hv.g0.se.swap_ins"), 1);
	assert_int_equal(g->n.panicked, 0);
	const struct hv_call_result *cr = &g_array_index(g->results, struct hv_call_result, 0);
	assert_int_equal(cr->x[1], sim_le64_load(secret));
	/* not backed now, or shared with the host: refused with a message */
	assert_int_equal(hv_guest_swap_out(g, 0x1f0000, NULL, &r, err, sizeof(err)), -1);
	assert_int_equal(hv_guest_swap_out(g, GUEST_BOUNCE, NULL, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "shared"));
	hfx_free(f);
}

/* Attestation: the guest's token is the control block the UV returned
 * (the challenge as user data) and the 64-byte measurement, which the
 * owner recomputes from the image and its key. */
static void test_attest(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("s390-se");
	struct hv_result r;
	struct hv_guest *g = make_guest(f, true, &r);
	run(g, RMI_EXIT_COUNT, &r);
	assert_int_equal(g->token->len, UVCB_ATTEST_LEN + SE_SHA512_LEN);
	const uint8_t *t = g->token->data;
	assert_int_equal(uvcb_rc(t), UVC_RC_EXECUTED);
	size_t n;
	struct se_image_view v;
	struct se_hdr h;
	char why[128];
	const uint8_t *img = hv_guest_image(g, &n);
	assert_int_equal(se_image_parse(img, n, &v, why, sizeof(why)), 0);
	assert_int_equal(se_hdr_peek(v.hdr, v.hdr_len, &h), 0);
	uint8_t mkey[SE_ARCB_MKEY] = "measurement key", want[SE_SHA512_LEN];
	se_measurement(mkey, &h, t + ATT_CONFIG_UID, t + ATT_USER_DATA, 64, NULL, NULL, 0, want);
	assert_memory_equal(t + UVCB_ATTEST_LEN, want, sizeof(want));
	hfx_free(f);
}

/* Teardown: CPU and configuration destroyed, the guest's frames no longer
 * secure and cleared. */
static void test_destroy(void **state)
{
	(void)state;
	struct hfx *f = hfx_new("s390-se");
	struct hv_result r;
	char err[256];
	struct hv_guest *g = make_guest(f, false, &r);
	run(g, RMI_EXIT_COUNT, &r);
	uint64_t pa = hv_guest_page_pa(g, GUEST_FREE);
	assert_int_equal(hv_guest_destroy(g, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(uv_conf_id(f->m.uv, g->rd), 0);
	uint32_t conf;
	uint64_t gaddr;
	assert_int_equal(uv_page_state(f->m.uv, pa, &conf, &gaddr), UV_PAGE_NONSECURE);
	uint8_t b[8];
	struct cc_fault fault;
	uint64_t c = 0;
	assert_int_equal(cpu_load(&f->host, pa, b, 8, &fault, &c), 0);
	assert_memory_not_equal(b, secret, sizeof(b));
	hfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_run_stand_in),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_attest),
		cmocka_unit_test(test_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
