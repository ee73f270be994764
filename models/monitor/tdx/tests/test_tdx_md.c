/* TDH.VP.RD / TDH.VP.WR of TD VMCS fields: what a production TD's host may
 * read and write, what only a debug TD's host may, and what no host may
 * (the event-injection field, the HKID). */
#include "models/monitor/tdx/tests/tdx_fixture.h"

#define F_PID 0x2016ull
#define F_EPTP 0x201Aull
#define F_SHARED_EPTP 0x203Cull
#define F_ENTRY_INTR 0x4016ull
#define F_HKID 0x4026ull
#define F_RIP 0x681Eull
#define ALL ~0ull
/* a #VE (vector 20) as a hardware exception, valid: what event injection
 * of a #VE would write */
#define INJECT_VE 0x80000314ull

static void td_with_vcpu(struct fx *f, uint64_t attributes)
{
	fx_td_create(f, attributes);
	fx_vp_create(f);
}

/* A production TD: the host points the vCPU at its shared EPT and reads
 * the Secure EPTP and the HKID; it cannot inject an event, change the
 * HKID or the EPTP, nor read or write the guest's RIP. */
static void test_production_td(void **state)
{
	struct fx *f = *state;
	td_with_vcpu(f, 0);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_SHARED_EPTP, 0x20020000, ALL), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0); /* the old value */
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_SHARED_EPTP, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0x20020000);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_EPTP, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], TDCS(TDX_TDCS_SEPT_ROOT) | 3 << 3 | 6);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], HKID);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_ENTRY_INTR, INJECT_VE, ALL),
			 TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_HKID, HKID + 1, ALL),
			 TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_EPTP, SEPT(0), ALL),
			 TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_RIP, 0, 0), TDX_METADATA_FIELD_NOT_READABLE);
	assert_int_equal(f->out[TDX_R8], 0);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_RIP, 0x1000, ALL), TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_ENTRY_INTR, 0, 0), TDX_METADATA_FIELD_NOT_READABLE);
	/* the HKID is still the TD's */
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], HKID);
}

/* A debug TD's host reads and writes the guest's RIP, reads the
 * injection field, and still writes neither it nor the HKID. */
static void test_debug_td(void **state)
{
	struct fx *f = *state;
	td_with_vcpu(f, TD_ATTR_DEBUG);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_RIP, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0xFFFFFFF0); /* the reset vector */
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_RIP, 0x1000, ALL), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0xFFFFFFF0);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_RIP, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0x1000);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_ENTRY_INTR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_ENTRY_INTR, INJECT_VE, ALL),
			 TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_HKID, HKID + 1, ALL),
			 TDX_METADATA_FIELD_NOT_WRITABLE);
}

/* Masks and IDs: only the requested bits the field allows are written; a
 * requested bit it forbids that would change is refused; an unknown
 * field, a reserved bit or a high-half access is not a field; the
 * TDVPR operand must be one. */
static void test_masks_and_ids(void **state)
{
	struct fx *f = *state;
	td_with_vcpu(f, 0);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_PID, 0x20030000, 0xffff0000), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_PID, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R8], 0x20030000);
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_PID, 0x20030020, ALL),
			 TDX_METADATA_FIELD_VALUE_NOT_VALID); /* bits 5:0 are not writable */
	assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, F_PID, 0x20040000, 0), TDX_METADATA_FIELD_NOT_WRITABLE);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, 0x6C00, 0, 0), TDX_METADATA_FIELD_ID_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_HKID | 1ull << 62, 0, 0),
			 TDX_METADATA_FIELD_ID_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_EPTP | 1, 0, 0), TDX_METADATA_FIELD_ID_INCORRECT);
	/* size and context codes are ignored: Linux's IDs carry none */
	assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, F_HKID | 0x0024000200000000ull, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_RD, TDR, F_HKID, 0, 0),
			 TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_production_td, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_debug_td, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_masks_and_ids, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
