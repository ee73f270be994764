/* The ultravisor (models/monitor/uv) on an s390-se machine: the return
 * codes kvm-unit-tests s390x/uv-host.c expects of query, init and the
 * create / destroy calls; secure storage raising 0x3d to the host; a guest
 * booted from its SE image; export / import with replay protection;
 * sharing; attestation; checkpoints. */
#include "models/monitor/uv/tests/uv_fixture.h"

#include "models/monitor/uv/uv_internal.h"
#include "sim/buf.h"

static const char secret[] = "kernel: the secure guest's code and its secret";

/* Query: the sizes from the profile, every call installed; a block shorter
 * than 0xa8 is refused, a shorter full one gets what fits (uv-host.c
 * test_query). Nothing else before INIT_UV (test_uv_uninitialized). */
static void test_query_and_uninitialized(void **state)
{
	struct fx *f = *state;
	uint8_t *cb = fx_cb(f, UVC_CMD_QUI);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	assert_int_equal(uv_be64(cb + QUI_UV_BASE_STOR_LEN), f->m.cfg.uv_base_stor_len);
	assert_int_equal(uv_be64(cb + QUI_CPU_STOR_LEN), f->m.cfg.uv_cpu_stor_len);
	assert_int_equal(cb[QUI_INST_CALLS] & 0xc0, 0xc0); /* QUI and INIT_UV, MSB first */
	uv_put16(cb, 0xa0);
	assert_int_equal(fx_call(f), UVC_RC_INV_LEN);
	uv_put16(cb, 0xa8);
	assert_int_equal(fx_call(f), UVC_RC_MORE_DATA);
	fx_cgc(f);
	assert_int_equal(fx_call(f), UVC_RC_INV_STATE);
	fx_cb(f, 0x4242);
	assert_int_equal(fx_call(f), UVC_RC_INV_CMD);
	/* a guest's call from the host is unknown to it */
	fx_cb(f, UVC_CMD_SET_SHARED_ACCESS);
	assert_int_equal(fx_call(f), UVC_RC_INV_CMD);
}

/* INIT_UV's checks in uv-host.c test_init's order of cases. */
static void test_init(void **state)
{
	struct fx *f = *state;
	uint8_t *cb = fx_cb(f, UVC_CMD_INIT_UV);
	uint64_t len = f->m.cfg.uv_base_stor_len;
	uv_put64(cb + INIT_STOR_ORIGIN, UV_STOR);
	uv_put64(cb + INIT_STOR_LEN, len - 8);
	assert_int_equal(fx_call(f), 0x103);
	uv_put64(cb + INIT_STOR_LEN, len);
	uv_put64(cb + INIT_STOR_ORIGIN, 1ull << 40);
	assert_int_equal(fx_call(f), 0x104);
	/* 0x105 (origin + length beyond memory) needs more than 1 MB of base
	 * storage, as uv-host.c notes; the profile asks 1 MB */
	uv_put64(cb + INIT_STOR_ORIGIN, 1ull << 30);
	assert_int_equal(fx_call(f), 0x108);
	uv_put64(cb + INIT_STOR_ORIGIN, UV_STOR);
	uv_put16(cb, UVCB_INIT_LEN - 8);
	assert_int_equal(fx_call(f), UVC_RC_INV_LEN);
	uv_put16(cb, UVCB_INIT_LEN);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	assert_int_equal(fx_call(f), 0x101);
	/* the donated storage is the UV's: the host takes 0x3d */
	struct cc_fault fault;
	uint8_t b[8];
	assert_int_equal(fx_host_access(f, UV_STOR + PAGE, b, 8, false, &fault), 1);
	assert_int_equal(fault.kind, FAULT_PGM_SECURE_ACCESS);
	assert_int_equal(fault.code, 0x3d);
}

/* CREATE_SEC_CONF's codes (uv-host.c test_config_create) and a handle
 * that works only as given. */
static void test_create_conf(void **state)
{
	struct fx *f = *state;
	fx_init_uv(f);
	uint8_t *cb = fx_cgc(f);
	uv_put64(cb + CGC_STOR_ORIGIN, f->m.cfg.uv_max_guest_stor + (2ull << 20) + 1);
	assert_int_equal(fx_call(f), 0x101);
	uv_put64(cb + CGC_STOR_ORIGIN, f->m.cfg.uv_max_guest_stor - (1ull << 20));
	assert_int_equal(fx_call(f), 0x102);
	uv_put64(fx_cgc(f) + CGC_ASCE, ASCE & ~UV_ASCE_P);
	assert_int_equal(fx_call(f), 0x105);
	uv_put64(fx_cgc(f) + CGC_BASE_ORIGIN, 0x1000);
	assert_int_equal(fx_call(f), 0x109);
	uv_put64(fx_cgc(f) + CGC_SCA, 0);
	assert_int_equal(fx_call(f), 0x10c);
	uv_put64(fx_cgc(f) + CGC_BASE_ORIGIN, UV_STOR);
	assert_int_equal(fx_call(f), 0x108); /* the UV's own storage */
	fx_cgc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	uint64_t h = uv_be64(f->cb + CGC_GUEST_HANDLE);
	assert_int_not_equal(h, 0);
	/* the same ASCE again */
	uv_put64(fx_cgc(f) + CGC_BASE_ORIGIN, CONF_BASE + (1ull << 20));
	uv_put64(f->cb + CGC_VIRT_ORIGIN, CONF_VAR + (1ull << 20));
	assert_int_equal(fx_call(f), 0x104);
	uv_put64(fx_cb(f, UVC_CMD_DESTROY_SEC_CONF) + CB_HANDLE, h + 1);
	assert_int_equal(fx_call(f), UVC_RC_INV_GHANDLE);
	uv_put64(f->cb + CB_HANDLE, h);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	/* given back: the host may touch its base storage again */
	struct cc_fault fault;
	uint8_t b[8] = { 1 };
	assert_int_equal(fx_host_access(f, CONF_BASE, b, 8, false, &fault), 0);
}

/* CREATE_SEC_CPU's codes (uv-host.c test_cpu_create), and a
 * configuration with a CPU cannot be destroyed before it. */
static void test_create_cpu(void **state)
{
	struct fx *f = *state;
	fx_init_uv(f);
	fx_cgc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	f->conf = uv_be64(f->cb + CGC_GUEST_HANDLE);
	uv_put16(fx_csc(f) + CSC_NUM, (uint16_t)(f->m.cfg.uv_max_cpu_id + 1));
	assert_int_equal(fx_call(f), 0x103);
	uv_put64(fx_csc(f) + CSC_STOR_ORIGIN, 1ull << 40);
	assert_int_equal(fx_call(f), 0x105);
	uv_put64(fx_csc(f) + CSC_STOR_ORIGIN, 0);
	assert_int_equal(fx_call(f), 0x106);
	uv_put64(fx_csc(f) + CSC_STATE_ORIGIN, 1ull << 40);
	assert_int_equal(fx_call(f), 0x107);
	fx_csc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	uint64_t cpu = uv_be64(f->cb + CSC_CPU_HANDLE);
	uv_put64(fx_csc(f) + CSC_STOR_ORIGIN, CPU_STOR + (1ull << 20));
	assert_int_equal(fx_call(f), 0x104);
	uv_put64(fx_cb(f, UVC_CMD_DESTROY_SEC_CONF) + CB_HANDLE, f->conf);
	assert_int_equal(fx_call(f), UVC_RC_INV_STATE);
	uv_put64(fx_cb(f, UVC_CMD_DESTROY_SEC_CPU) + CB_HANDLE, cpu + 1);
	assert_int_equal(fx_call(f), UVC_RC_INV_CHANDLE);
	uv_put64(f->cb + CB_HANDLE, cpu);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
}

/* A guest booted from an image for this machine: the host sees 0x3d on
 * its pages, the guest reads the plaintext, and so does a physical read
 * of DRAM (no memory encryption). */
static void test_boot(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	uint8_t *img;
	struct se_image_view v;
	fx_stage_image(f, SEED, secret, sizeof(secret), &img, &v);
	uint8_t *cb = fx_cb(f, UVC_CMD_CPU_SET_STATE);
	uv_put64(cb + CB_HANDLE, f->cpu);
	cb[SET_STATE_STATE] = PV_CPU_STATE_OPR_LOAD;
	assert_int_equal(fx_call(f), UVC_RC_INV_STATE); /* nothing verified yet */
	assert_int_equal(fx_ssc(f, &v), UVC_RC_EXECUTED);
	assert_int_equal(fx_ssc(f, &v), UVC_RC_INV_STATE);
	assert_int_equal(fx_unpack_verify(f, &v), UVC_RC_EXECUTED);
	uint8_t buf[sizeof(secret)];
	struct cc_fault fault;
	assert_int_equal(fx_guest_access(f, KERNEL, buf, sizeof(buf), false, &fault), 0);
	assert_memory_equal(buf, secret, sizeof(secret));
	assert_int_equal(fx_host_access(f, MSO + KERNEL, buf, 8, false, &fault), 1);
	assert_int_equal(fault.kind, FAULT_PGM_SECURE_ACCESS);
	assert_int_equal(machine_wbinvd(&f->m, &f->cycles), 0);
	assert_int_equal(machine_phys_read(&f->m, MSO + KERNEL, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, secret, sizeof(secret));
	/* a page the host never made secure is 0x3e to the guest */
	assert_int_equal(fx_guest_access(f, KERNEL + 0x10000, buf, 8, false, &fault), 1);
	assert_int_equal(fault.kind, FAULT_PGM_NONSECURE_ACCESS);
	cb = fx_cb(f, UVC_CMD_CPU_SET_STATE);
	uv_put64(cb + CB_HANDLE, f->cpu);
	cb[SET_STATE_STATE] = PV_CPU_STATE_OPR_LOAD;
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	g_free(img);
}

/* An image for another machine does not open (QEMU's 0x108); one with a
 * changed page fails verify. */
static void test_boot_refused(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	uint8_t *img;
	struct se_image_view v;
	fx_stage_image(f, SEED + 1, secret, sizeof(secret), &img, &v);
	assert_int_equal(fx_ssc(f, &v), 0x108);
	g_free(img);
	fx_stage_image(f, SEED, secret, sizeof(secret), &img, &v);
	assert_int_equal(fx_ssc(f, &v), UVC_RC_EXECUTED);
	struct cc_fault fault;
	uint8_t evil = 0x5a;
	assert_int_equal(fx_host_access(f, MSO + KERNEL + 100, &evil, 1, true, &fault), 0);
	assert_int_equal(fx_unpack_verify(f, &v), 0x102);
	assert_int_equal(uvcb_rrc(f->cb), 2); /* the PLD */
	g_free(img);
}

static uint16_t fx_page_call(struct fx *f, uint16_t cmd, uint64_t gaddr)
{
	uint8_t *cb = fx_cb(f, cmd);
	if (cmd == UVC_CMD_CONV_TO_SEC_STOR) {
		uv_put64(cb + CB_HANDLE, f->conf);
		uv_put64(cb + CTS_GADDR, gaddr);
	} else {
		uv_put64(cb + CFS_PADDR, MSO + gaddr);
	}
	return fx_call(f);
}

/* Export encrypts the page for the host; import gives the guest its data
 * back; an older export put back is refused (replay protection). */
static void test_export_import_replay(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	const uint64_t g = 0x200000;
	struct cc_fault fault;
	uint8_t one[64], two[64], got[64], old[PAGE], now[PAGE];
	memset(one, 0x11, sizeof(one));
	memset(two, 0x22, sizeof(two));
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_guest_access(f, g, one, 64, true, &fault), 0);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_FROM_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_host_access(f, MSO + g, old, PAGE, false, &fault), 0);
	assert_true(memcmp(old, one, 64) != 0);
	assert_int_equal(fx_guest_access(f, g, got, 64, false, &fault), 1);
	assert_int_equal(fault.kind, FAULT_PGM_NONSECURE_ACCESS);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_guest_access(f, g, got, 64, false, &fault), 0);
	assert_memory_equal(got, one, 64);
	/* a second export of newer data, then the old copy put back */
	assert_int_equal(fx_guest_access(f, g, two, 64, true, &fault), 0);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_FROM_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_host_access(f, MSO + g, now, PAGE, false, &fault), 0);
	assert_int_equal(fx_host_access(f, MSO + g, old, PAGE, true, &fault), 0);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, g), 0x10b);
	assert_int_equal(fx_host_access(f, MSO + g, now, PAGE, true, &fault), 0);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_guest_access(f, g, got, 64, false, &fault), 0);
	assert_memory_equal(got, two, 64);
	/* beyond the guest's storage: not mapped */
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, MSL), 0x10a);
}

/* A shared page is the host's to read; unsharing takes it back. */
static void test_share(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	const uint64_t g = 0x300000;
	uint32_t id = uv_conf_id(f->m.uv, f->conf);
	struct cc_fault fault;
	uint8_t msg[16] = "for the host", got[16];
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, g), UVC_RC_EXECUTED);
	assert_int_equal(fx_guest_access(f, g, msg, 16, true, &fault), 0);
	uv_put64(fx_cb(f, UVC_CMD_SET_SHARED_ACCESS) + SHARE_PADDR, g);
	assert_int_equal(fx_call_as(f, true, id), UVC_RC_EXECUTED);
	assert_int_equal(fx_host_access(f, MSO + g, got, 16, false, &fault), 0);
	assert_memory_equal(got, msg, 16);
	uv_put64(f->cb + SHARE_PADDR, MSL + PAGE);
	assert_int_equal(fx_call_as(f, true, id), 0x101);
	uv_put64(fx_cb(f, UVC_CMD_REMOVE_SHARED_ACCESS) + SHARE_PADDR, g);
	assert_int_equal(fx_call_as(f, true, id), UVC_RC_EXECUTED);
	assert_int_equal(fx_host_access(f, MSO + g, got, 16, false, &fault), 1);
}

/* The measurement the guest retrieves is the HMAC its owner computes. */
static void test_attest(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	uint8_t *img;
	struct se_image_view v;
	fx_stage_image(f, SEED, secret, sizeof(secret), &img, &v);
	assert_int_equal(fx_ssc(f, &v), UVC_RC_EXECUTED);
	assert_int_equal(fx_unpack_verify(f, &v), UVC_RC_EXECUTED);
	struct se_key host;
	se_host_key(SEED, 0, &host);
	uint8_t mkey[64], *arcb;
	size_t alen;
	memset(mkey, 0x41, sizeof(mkey));
	assert_int_equal(se_arcb_build(host.coord, 1, mkey, NULL, 0, 9, &arcb, &alen), 0);
	const uint64_t ga = 0x400000, gm = 0x401000;
	struct cc_fault fault;
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, ga), UVC_RC_EXECUTED);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, gm), UVC_RC_EXECUTED);
	assert_int_equal(fx_guest_access(f, ga, arcb, (uint32_t)alen, true, &fault), 0);
	uint8_t *cb = fx_cb(f, UVC_CMD_RETR_ATTEST);
	uv_put64(cb + ATT_ARCB_ADDR, ga);
	uv_put16(cb + ATT_USER_LEN, 5);
	memcpy(cb + ATT_USER_DATA, "nonce", 5);
	uv_put32(cb + ATT_MEAS_LEN, 64);
	uv_put64(cb + ATT_MEAS_ADDR, gm);
	uint32_t id = uv_conf_id(f->m.uv, f->conf);
	uv_put64(cb + ATT_CONT_TOKEN, 0xff);
	assert_int_equal(fx_call_as(f, true, id), 0x101);
	uv_put64(cb + ATT_CONT_TOKEN, 0);
	uv_put32(cb + ATT_MEAS_LEN, 0);
	assert_int_equal(fx_call_as(f, true, id), 0x10d);
	uv_put32(cb + ATT_MEAS_LEN, 64);
	assert_int_equal(fx_call_as(f, true, id), UVC_RC_EXECUTED);
	uint8_t got[64], want[64];
	assert_int_equal(fx_guest_access(f, gm, got, 64, false, &fault), 0);
	struct se_hdr h;
	assert_int_equal(se_hdr_open(v.hdr, v.hdr_len, &host, 1, &h), SE_OPEN_OK);
	se_measurement(mkey, &h, cb + ATT_CONFIG_UID, (const uint8_t *)"nonce", 5, NULL, NULL, 0, want);
	assert_memory_equal(got, want, 64);
	/* an ARCB sealed for another machine */
	g_free(arcb);
	se_host_key(SEED + 1, 0, &host);
	assert_int_equal(se_arcb_build(host.coord, 1, mkey, NULL, 0, 9, &arcb, &alen), 0);
	assert_int_equal(fx_guest_access(f, ga, arcb, (uint32_t)alen, true, &fault), 0);
	assert_int_equal(fx_call_as(f, true, id), 0x10c);
	g_free(arcb);
	g_free(img);
}

/* A checkpoint of the UV restores its configurations and secure pages. */
static void test_checkpoint(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, 0x200000), UVC_RC_EXECUTED);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_FROM_SEC_STOR, 0x200000), UVC_RC_EXECUTED);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, 0x201000), UVC_RC_EXECUTED);
	struct sim_buf b;
	struct sim_model *model = (struct sim_model *)f->m.uv; /* its base comes first */
	sim_buf_init(&b);
	assert_int_equal(model->ops->save_extra(model, &b), 0);
	uv_put64(fx_cb(f, UVC_CMD_DESTROY_SEC_CPU) + CB_HANDLE, f->cpu);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	uv_put64(fx_cb(f, UVC_CMD_DESTROY_SEC_CONF) + CB_HANDLE, f->conf);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	struct sim_reader r;
	sim_reader_init(&r, b.data, b.len);
	assert_int_equal(model->ops->restore_extra(model, &r), 0);
	assert_int_equal(r.pos, b.len);
	uint32_t conf;
	uint64_t gaddr;
	assert_int_equal(uv_page_state(f->m.uv, MSO + 0x201000, &conf, &gaddr), UV_PAGE_SECURE);
	assert_int_equal(gaddr, 0x201000);
	assert_int_equal(uv_page_state(f->m.uv, MSO + 0x200000, &conf, &gaddr), UV_PAGE_NONSECURE);
	assert_int_equal(uv_page_state(f->m.uv, CPU_STOR, &conf, &gaddr), UV_PAGE_UV_STORAGE);
	/* the exported page still imports after the restore */
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, 0x200000), UVC_RC_EXECUTED);
	sim_buf_free(&b);
}

/* The invariant holds through import and export, and catches a secure
 * page its configuration no longer records. */
static void test_invariant(void **state)
{
	struct fx *f = *state;
	fx_create(f);
	char msg[256];
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, 0x200000), UVC_RC_EXECUTED);
	assert_int_equal(uv_inv_check(f->m.uv, msg, sizeof(msg)), 0);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_FROM_SEC_STOR, 0x200000), UVC_RC_EXECUTED);
	assert_int_equal(fx_page_call(f, UVC_CMD_CONV_TO_SEC_STOR, 0x201000), UVC_RC_EXECUTED);
	assert_int_equal(uv_inv_check(f->m.uv, msg, sizeof(msg)), 0);
	struct uv_conf *c = uv_conf_of(f->m.uv, f->conf);
	uv_gpage(c, 0x201000, false)->state = UV_G_EXPORTED;
	assert_int_equal(uv_inv_check(f->m.uv, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "secure page 0x40201000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_query_and_uninitialized, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_init, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_create_conf, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_create_cpu, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_boot, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_boot_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_export_import_replay, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_share, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_attest, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_invariant, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
