/* The invariant between steps on tdx: a TD built by the leaves keeps its
 * PAMT and Secure EPT in agreement; a private page taken from the PAMT
 * behind the Secure EPT's back, and a PAMT page given a TD without a
 * mapping, are both caught and named. */
#include "models/monitor/tdx/tests/tdx_fixture.h"
#include "models/monitor/tdx/tdx_internal.h"

/* the fixture's PAMT_4K is the array's address; the level is 0 */
#define LEVEL_4K ((enum pamt_level)0)

static void add_pages(struct fx *f, unsigned n)
{
	uint8_t page[4096];
	memset(page, 0x5a, sizeof(page));
	fx_host_write(f, SRC, page, sizeof(page));
	for (unsigned p = 0; p < n; p++)
		assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, 0x1000ull * p, TDR, PAGE(p), SRC),
				 TDX_SUCCESS);
}

/* A TD with a vCPU, its Secure EPT tables and n pages added. */
static void td_with_pages(struct fx *f, unsigned n)
{
	fx_td_create(f, 0);
	fx_vp_create(f);
	fx_sept_tables(f);
	add_pages(f, n);
}

/* A TD with two pages: every check holds. */
static void test_built_td_agrees(void **state)
{
	struct fx *f = *state;
	char msg[400];
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
	td_with_pages(f, 2);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
}

/* The PAMT entry of a mapped page freed without the Secure EPT's leaf. */
static void test_page_freed_behind_sept(void **state)
{
	struct fx *f = *state;
	char msg[400];
	td_with_pages(f, 2);
	uint64_t c = 0;
	struct tdx_io io = { FX_TDX(f), 0, GLOBAL_KEYID, &c };
	struct pamt_io pio = tdx_pamt_io(&io);
	assert_int_equal(pamt_free(&FX_TDX(f)->pamt, &pio, PAGE(1), LEVEL_4K, PAMT_PT_REG, TDR),
			 TDX_SUCCESS);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "maps GPA 0x1000 to 0x80201000 (mapped), which the PAMT does not give it"));
}

/* A page the PAMT gives the TD that no Secure EPT entry maps. */
static void test_unmapped_private_page(void **state)
{
	struct fx *f = *state;
	char msg[400];
	td_with_pages(f, 1);
	uint64_t c = 0;
	struct tdx_io io = { FX_TDX(f), 0, GLOBAL_KEYID, &c };
	struct pamt_io pio = tdx_pamt_io(&io);
	assert_int_equal(pamt_assign(&FX_TDX(f)->pamt, &pio, PAGE(7), LEVEL_4K, PAMT_PT_REG, TDR),
			 TDX_SUCCESS);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "0x80207000 is TD 0x80100000's private page in the PAMT, mapped by no entry"));
}

/* The ABI's teardown: once TDH.MNG.KEY.FREEID put the TD in TEARDOWN, its
 * pages are reclaimed while its Secure EPT still maps them; the invariant
 * holds at every step. Before it, the same reclaim is refused. */
static void test_teardown_reclaim_agrees(void **state)
{
	struct fx *f = *state;
	char msg[400];
	td_with_pages(f, 2);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_FLUSH, TDVPR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_VPFLUSHDONE, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_FREEID, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 0);
	/* a live TD next to it is still judged */
	uint64_t c = 0;
	struct tdx_io io = { FX_TDX(f), 0, GLOBAL_KEYID, &c };
	struct pamt_io pio = tdx_pamt_io(&io);
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, PAGE(9), HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(pamt_assign(&FX_TDX(f)->pamt, &pio, PAGE(8), LEVEL_4K, PAMT_PT_REG, PAGE(9)),
			 TDX_SUCCESS);
	assert_int_equal(tdx_inv_check(FX_TDX(f), msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "0x80208000 is TD 0x80209000's private page in the PAMT, mapped by no entry"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_built_td_agrees, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_page_freed_behind_sept, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_private_page, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_teardown_reclaim_agrees, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
