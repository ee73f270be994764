/* The TDX module's initialisation and a TD's build, leaf by leaf: each
 * leaf's success and its documented failures, and MRTD checked against an
 * independent SHA-384 of what PAGE.ADD and MR.EXTEND measure. */
#include <openssl/evp.h>

#include "models/monitor/tdx/tests/tdx_fixture.h"

/* SYS.INIT once, LP.INIT once per LP, CONFIG after them, KEY.CONFIG after
 * CONFIG, TDMR.INIT in chunks until the TDMR is done; TD leaves wait. */
static void test_sys_init_order(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SYS_NOT_READY);
	assert_int_equal(fx_call(f, TDH_SYS_LP_INIT, 0, 0, 0, 0), TDX_SYS_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 1, 0, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 0, 0, 0, 0), TDX_SYS_INIT_NOT_PENDING);
	fx_tdmr_info(f);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_SYS_LP_INIT_NOT_DONE);
	assert_int_equal(fx_call(f, TDH_SYS_LP_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_LP_INIT, 0, 0, 0, 0), TDX_SYS_LP_INIT_DONE);
	assert_int_equal(fx_call(f, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), TDX_SYS_KEY_CONFIG_NOT_PENDING);
	/* the global KeyID must be a private one; one TDMR */
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, 5, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 2, GLOBAL_KEYID, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	/* a PAMT inside the TDMR is refused */
	fx_store64(f, HOSTBUF + 0x200 + 48, TDMR + 0x1000);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_INVALID_PAMT);
	fx_tdmr_info(f);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_SYS_CONFIG_NOT_PENDING);
	assert_int_equal(fx_call(f, TDH_SYS_TDMR_INIT, TDMR, 0, 0, 0), TDX_SYS_NOT_READY);
	assert_int_equal(fx_call(f, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), TDX_SUCCESS);
	assert_true(memenc_key_private(&f->m.enc, GLOBAL_KEYID));
	assert_int_equal(fx_call(f, TDH_SYS_TDMR_INIT, TDMR + 0x1000, 0, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(fx_call(f, TDH_SYS_TDMR_INIT, TDMR, 0, 0, 0), TDX_SUCCESS);
		assert_int_equal(f->out[TDX_RDX], TDMR + i * (256ull << 20));
		if (i < 4)
			assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SYS_NOT_READY);
	}
	assert_int_equal(fx_call(f, TDH_SYS_TDMR_INIT, TDMR, 0, 0, 0), TDX_TDMR_ALREADY_INITIALIZED);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	/* an unknown leaf or version */
	assert_int_equal(fx_call(f, 99, 0, 0, 0, 0), TDX_OPERAND_INVALID);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE | 1 << 16, 0, 0, 0, 0), TDX_OPERAND_INVALID);
}

/* The PAMT lives under the global private KeyID: a physical attacker reads
 * ciphertext, the host (KeyID 0) reads zeros (TD-owner bit). */
static void test_pamt_is_private(void **state)
{
	struct fx *f = *state;
	uint8_t raw[64], host[64], zero[64] = { 0 };
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	uint64_t e = PAMT_4K + ((TDR - TDMR) >> 12) * 16;
	assert_int_equal(machine_wbinvd(&f->m, &f->cycles), 0);
	assert_int_equal(machine_phys_read(&f->m, e & ~63ull, raw, 64), 0);
	fx_host_read(f, e & ~63ull, host, 64);
	assert_memory_equal(host, zero, 64);
	assert_memory_not_equal(raw, zero, 64);
	uint64_t q0;
	assert_int_equal(machine_peek(&f->m, GLOBAL_KEYID, e, &q0, 8), 0);
	assert_int_equal((q0 >> PAMT_TYPE_SHIFT) & PAMT_TYPE_MASK, PAMT_PT_TDR);
}

/* MNG.CREATE: the page must be free and in the TDMR, the HKID a free
 * private KeyID other than the global one. */
static void test_mng_create_failures(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR + 8, HKID, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, HOSTBUF, HKID, 0, 0), TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, tdx_pa_with_keyid(FX_TDX(f), TDR, HKID), HKID, 0, 0),
			 TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, 5, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, GLOBAL_KEYID, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, 64, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID + 1, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDCS(0), HKID, 0, 0), TDX_HKID_NOT_FREE);
	assert_int_equal(fx_info(f).lifecycle, TD_HKID_ASSIGNED);
}

/* KEY.CONFIG before ADDCX (TDX_TD_KEYS_NOT_CONFIGURED), once
 * (TDX_KEY_CONFIGURED); ADDCX up to the TDCS size; INIT needs all of them,
 * once, with valid TD_PARAMS. */
static void test_mng_key_addcx_init(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_ADDCX, TDCS(0), TDR, 0, 0), TDX_TD_KEYS_NOT_CONFIGURED);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_CONFIG, TDCS(0), 0, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_CONFIG, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_true(memenc_key_private(&f->m.enc, HKID));
	assert_int_equal(fx_call(f, TDH_MNG_KEY_CONFIG, TDR, 0, 0, 0), TDX_KEY_CONFIGURED);
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_TDCS_NOT_ALLOCATED);
	assert_int_equal(fx_call(f, TDH_MNG_ADDCX, TDR, TDR, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	for (unsigned i = 0; i < TDX_TDCS_PAGES; i++)
		assert_int_equal(fx_call(f, TDH_MNG_ADDCX, TDCS(i), TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_ADDCX, TDCS(TDX_TDCS_PAGES), TDR, 0, 0), TDX_TDCX_NUM_INCORRECT | TDX_OPERAND_ID_RCX);
	fx_td_params(f, 1ull << 5); /* a reserved attribute */
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_ATTRIBUTES);
	fx_td_params(f, 0);
	fx_store64(f, TDPARAMS + TD_PARAMS_EPTP_CONTROLS, 6 | 1 << 3); /* a 2-level walk */
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_EPTP_CONTROLS);
	fx_td_params(f, 0);
	fx_store64(f, TDPARAMS + TD_PARAMS_EXEC_CONTROLS, 1); /* GPAW with a 4-level walk */
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_EXEC_CONTROLS);
	fx_td_params(f, 0);
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS + 8, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_OP_STATE_INCORRECT);
	struct tdx_td_info i = fx_info(f);
	assert_int_equal(i.lifecycle, TD_KEYS_CONFIGURED);
	assert_int_equal(i.op_state, OP_STATE_INITIALIZED);
	assert_int_equal(i.chldcnt, TDX_TDCS_PAGES);
	assert_int_equal(i.td_epoch, 1);
}

/* VP.CREATE up to MAX_VCPUS; ADDCX before INIT only; INIT needs every
 * TDVPS page. */
static void test_vp_create_addcx_init(void **state)
{
	struct fx *f = *state;
	fx_td_create(f, 0);
	assert_int_equal(fx_call(f, TDH_VP_CREATE, TDVPR, TDCS(0), 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RDX);
	assert_int_equal(fx_call(f, TDH_VP_CREATE, TDVPR, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_CREATE, TDVPX(0), TDR, 0, 0), TDX_MAX_VCPUS_EXCEEDED);
	assert_int_equal(fx_call(f, TDH_VP_INIT, TDVPR, 0, 0, 0), TDX_TDCX_NUM_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_ADDCX, TDVPX(0), TDR, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RDX);
	for (unsigned i = 0; i < TDX_TDVPS_PAGES - 1; i++)
		assert_int_equal(fx_call(f, TDH_VP_ADDCX, TDVPX(i), TDVPR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_ADDCX, TDVPX(9), TDVPR, 0, 0), TDX_TDCX_NUM_INCORRECT | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_VP_INIT, TDVPR, 0x1234, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_INIT, TDVPR, 0x1234, 0, 0), TDX_VCPU_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_ADDCX, TDVPX(9), TDVPR, 0, 0), TDX_VCPU_STATE_INCORRECT);
	assert_int_equal(fx_info(f).num_vcpus, 1);
	assert_int_equal(fx_info(f).chldcnt, TDX_TDCS_PAGES + TDX_TDVPS_PAGES);
}

/* SEPT.ADD from the root down; a second table for the same entry, a leaf
 * level or a walk past a missing table fail with the entry's details. */
static void test_sept_add(void **state)
{
	struct fx *f = *state;
	fx_td_create(f, 0);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 2, TDR, SEPT(1), 0), TDX_EPT_WALK_FAILED | TDX_OPERAND_ID_RCX);
	assert_int_equal(f->out[TDX_RDX], 3); /* stopped at the root's entry */
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 0, TDR, SEPT(0), 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0x800 | 3, TDR, SEPT(0), 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, (1ull << 47) | 3, TDR, SEPT(0), 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 3, TDR, TDR, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_R8);
	fx_sept_tables(f);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 1, TDR, SEPT(5), 0), TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_info(f).chldcnt, TDX_TDCS_PAGES + 5);
}

/* 256 bytes of a page as MR.EXTEND measures them. */
static void page_image(uint8_t page[4096], uint8_t seed)
{
	for (unsigned i = 0; i < 4096; i++)
		page[i] = (uint8_t)(seed + i * 7);
}

static void block(EVP_MD_CTX *h, const char *api, uint64_t gpa)
{
	uint8_t b[128] = { 0 };
	memcpy(b, api, strlen(api));
	sim_le64_store(b + 16, gpa);
	EVP_DigestUpdate(h, b, sizeof(b));
}

/* The build sequence end to end; MRTD = SHA-384 over, in order, the
 * 128-byte blocks "MEM.PAGE.ADD" || GPA per page added and "MR.EXTEND" ||
 * GPA + the 256 bytes per chunk extended (ABI "MRTD"), computed here with
 * OpenSSL. FINALIZE seals it: no more PAGE.ADD, MR.EXTEND or FINALIZE. */
static void test_build_and_mrtd(void **state)
{
	struct fx *f = *state;
	uint8_t page[4096], want[48];
	unsigned wlen;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	EVP_DigestInit_ex(h, EVP_sha384(), NULL);
	fx_td_create(f, 0);
	fx_vp_create(f);
	fx_sept_tables(f);
	for (unsigned p = 0; p < 2; p++) {
		page_image(page, (uint8_t)(p + 1));
		fx_host_write(f, SRC, page, sizeof(page));
		uint64_t gpa = 0x1000ull * p;
		assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, gpa, TDR, PAGE(p), SRC), TDX_SUCCESS);
		block(h, "MEM.PAGE.ADD", gpa);
		for (unsigned c = 0; c < 4096; c += 256) {
			if (p == 1 && c >= 512)
				break; /* the second page only partly measured */
			assert_int_equal(fx_call(f, TDH_MR_EXTEND, gpa + c, TDR, 0, 0), TDX_SUCCESS);
			block(h, "MR.EXTEND", gpa + c);
			EVP_DigestUpdate(h, page + c, 256);
		}
	}
	/* a GPA with a page already, a non-shared source, a chunk not aligned
	 * or with no page */
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0, TDR, PAGE(5), SRC), TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0x2000, TDR, PAGE(5), tdx_pa_with_keyid(FX_TDX(f), SRC, HKID)),
			 TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0x2000, TDR, PAGE(0), SRC), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_R8);
	/* a level other than 0 in the page info: PAGE.ADD adds 4 KB pages only */
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0x2000 | 1, TDR, PAGE(5), SRC), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MR_EXTEND, 0x80, TDR, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	/* tdh_mr_extend.c: ENTRY_NOT_PRESENT for a FREE 4K entry, and with
	 * operand RCX and the entry for a walk that stops above it */
	assert_int_equal(fx_call(f, TDH_MR_EXTEND, 0x3000, TDR, 0, 0), TDX_EPT_ENTRY_NOT_PRESENT);
	assert_int_equal(fx_call(f, TDH_MR_EXTEND, 0x200000, TDR, 0, 0), TDX_EPT_ENTRY_NOT_PRESENT | TDX_OPERAND_ID_RCX);
	assert_int_equal(f->out[TDX_RDX], 1); /* stopped at the FREE PD entry */
	/* the TD's private page: the host reads zeros, DRAM holds ciphertext */
	uint8_t host[64], zero[64] = { 0 };
	fx_host_read(f, PAGE(0), host, 64);
	assert_memory_equal(host, zero, 64);
	uint8_t mrtd0[48] = { 0 };
	assert_memory_equal(fx_info(f).mrtd, mrtd0, 48); /* not final yet */
	assert_int_equal(fx_call(f, TDH_MR_FINALIZE, TDR, 0, 0, 0), TDX_SUCCESS);
	EVP_DigestFinal_ex(h, want, &wlen);
	EVP_MD_CTX_free(h);
	struct tdx_td_info i = fx_info(f);
	assert_memory_equal(i.mrtd, want, 48);
	assert_int_equal(i.op_state, OP_STATE_RUNNABLE);
	assert_int_equal(fx_call(f, TDH_MR_FINALIZE, TDR, 0, 0, 0), TDX_OP_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MR_EXTEND, 0, TDR, 0, 0), TDX_OP_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0x2000, TDR, PAGE(5), SRC), TDX_OP_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_CREATE, TDVPX(8), TDR, 0, 0), TDX_OP_STATE_INCORRECT);
}

/* The module's SHA-384 is FIPS 180-4's: against OpenSSL for lengths
 * around the block and padding boundaries. */
static void test_sha384(void **state)
{
	(void)state;
	uint8_t buf[300], a[48], b[48];
	unsigned n;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	static const size_t lens[] = { 0, 1, 111, 112, 127, 128, 129, 239, 240, 256, 300 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		tdx_sha384(buf, lens[k], a);
		EVP_Digest(buf, lens[k], b, &n, EVP_sha384(), NULL);
		assert_memory_equal(a, b, 48);
	}
}

/* With the boot-time alias check (tdx.alias_check) a DRAM alias into memory
 * is no verified CMR: TDH.SYS.CONFIG refuses the TDMR; without the alias,
 * or without the check, it is taken. */
static void test_alias_check(void **state)
{
	struct fx *f = *state;
	const uint64_t ghost = 0x40000000;
	assert_true(f->m.cfg.tdx_alias_check);
	assert_int_equal(machine_phys_alias(&f->m, ghost, TDR, 4096), 0);
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_LP_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	fx_tdmr_info(f);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_TDMR_OUTSIDE_CMRS);
	assert_int_equal(fx_call(f, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), TDX_SYS_KEY_CONFIG_NOT_PENDING);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SYS_NOT_READY);
	FX_TDX(f)->cfg.alias_check = 0; /* the module read tdx.alias_check when it was created */
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_SUCCESS);
}

/* ... and the platform whose alias is gone passes it. */
static void test_alias_check_clean(void **state)
{
	struct fx *f = *state;
	assert_int_equal(machine_phys_alias(&f->m, 0x40000000, TDR, 4096), 0);
	assert_int_equal(machine_phys_alias(&f->m, 0x40000000, 0x40000000, 4096), 0);
	fx_sys_init(f);
}

/* The module consuming poison (its TDR line rewritten through KeyID 0) is a
 * machine check in SEAM root: TDX is disabled, this and every later
 * SEAMCALL fail with VMfailInvalid, and no TD accepts a page. */
static void test_machine_check_disables_tdx(void **state)
{
	struct fx *f = *state;
	uint8_t junk[64];
	memset(junk, 0x5a, sizeof(junk));
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	fx_host_write(f, TDR, junk, sizeof(junk));
	assert_int_equal(machine_wbinvd(&f->m, &f->cycles), 0);
	uint64_t before = f->sim.trace.records;
	assert_int_equal(fx_call(f, TDH_MNG_KEY_CONFIG, TDR, 0, 0, 0), TDX_SEAMCALL_VMFAILINVALID);
	assert_true(f->sim.trace.records > before);
	assert_true(tdx_disabled(FX_TDX(f)));
	assert_string_equal(tdx_status_name(TDX_SEAMCALL_VMFAILINVALID), "tdx.vmfailinvalid");
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 0, 0, 0, 0), TDX_SEAMCALL_VMFAILINVALID);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDCS(0), HKID + 1, 0, 0), TDX_SEAMCALL_VMFAILINVALID);
	uint64_t c = 0;
	assert_int_equal(tdx_td_accept(FX_TDX(f), 0, TDR, 0, &c), TDX_SEAMCALL_VMFAILINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha384),
		cmocka_unit_test_setup_teardown(test_sys_init_order, fx_setup_machine, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pamt_is_private, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mng_create_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mng_key_addcx_init, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vp_create_addcx_init, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sept_add, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_build_and_mrtd, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_alias_check, fx_setup_machine, fx_teardown),
		cmocka_unit_test_setup_teardown(test_alias_check_clean, fx_setup_machine, fx_teardown),
		cmocka_unit_test_setup_teardown(test_machine_check_disables_tdx, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
