/* The TDX module behind its monitor slot (tdx_mon.c): SEAMCALLs through
 * the interface's registers and LP, a machine's missing LP refused, the
 * state blob's round trip, and the platform's questions (KeyIDs included). */
#include "models/monitor/tdx/tests/tdx_fixture.h"

#include "models/platform/machine_mon.h"
#include "sim/buf.h"

static uint64_t mon_call(struct fx *f, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t lp,
			 uint64_t regs[CCSIM_MONITOR_REGS])
{
	memset(regs, 0, CCSIM_MONITOR_REGS * sizeof(regs[0]));
	regs[TDX_MON_RAX] = leaf;
	regs[TDX_MON_RCX] = rcx;
	regs[TDX_MON_RDX] = rdx;
	regs[TDX_MON_LP] = lp;
	uint64_t c = 0;
	machine_mon_command(f->m.tdx_mon, regs, &c);
	return regs[TDX_MON_RAX];
}

static void test_calls_through_the_slot(void **state)
{
	struct fx *f = *state;
	uint64_t r[CCSIM_MONITOR_REGS];
	assert_int_equal(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_PLATFORM_STATE, 0, 9),
			 TDX_SYS_UNINIT);
	assert_true(machine_mon_owns(f->m.tdx_mon, TDH_SYS_INIT));
	assert_false(machine_mon_owns(f->m.tdx_mon, 0xfff));
	assert_int_equal(mon_call(f, TDH_SYS_INIT, 0, 0, 0, r), TDX_SUCCESS);
	/* an LP the machine does not have executes no SEAMCALL */
	assert_int_equal(mon_call(f, TDH_SYS_LP_INIT, 0, 0, f->m.cfg.cores, r),
			 TDX_SEAMCALL_VMFAILINVALID);
	assert_int_equal(mon_call(f, TDH_SYS_LP_INIT, 0, 0, 0, r), TDX_SUCCESS);
	assert_int_equal(FX_TDX(f)->lp_init, 1);
	/* an unknown leaf: operand RAX invalid, through the slot as directly */
	assert_int_equal(tdx_status_class(mon_call(f, 0xfff, 0, 0, 0, r)), TDX_OPERAND_INVALID);
	assert_int_equal(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_PLATFORM_STATE, 0, 9),
			 TDX_SYS_INITIALIZED);
	assert_int_equal(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_DISABLED, 0, 9), 0);
}

static void blob_write(void *ctx, const void *bytes, size_t len) { sim_buf_put(ctx, bytes, len); }

static void test_blob_round_trip(void **state)
{
	struct fx *f = *state;
	const struct ccsim_monitor_ops *ops = f->m.tdx_mon->ops;
	void *inst = machine_mon_instance(f->m.tdx_mon);
	char msg[256] = "x";
	assert_int_equal(machine_mon_query(f->m.tdx_mon, CCSIM_QUERY_INVARIANT, 0, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_true(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_PAGE_FREE, PAGE(1), 0));
	uint64_t k[3];
	assert_int_equal(machine_mon_query(f->m.tdx_mon, CCSIM_QUERY_KEYIDS, 0, k, sizeof(k)), 0);
	assert_int_equal(k[0], FX_TDX(f)->first_private);
	assert_int_equal(k[1], FX_TDX(f)->keyids);
	assert_int_equal(k[2], GLOBAL_KEYID);
	assert_true(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_KEYID_FREE, HKID, 0));
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	assert_false(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_KEYID_FREE, HKID, 1));
	assert_false(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_KEYID_FREE, k[1], 1));
	assert_false(machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_PAGE_FREE, TDR, 1));
	uint64_t activity = machine_mon_ask(f->m.tdx_mon, CCSIM_QUERY_ACTIVITY, 0, 0);
	assert_true(activity > 0);
	struct sim_buf b;
	sim_buf_init(&b);
	assert_int_equal(ops->save(inst, blob_write, &b), 0);
	uint64_t global = FX_TDX(f)->global_keyid, calls = FX_TDX(f)->stat_calls[0];
	ops->reset(inst);
	FX_TDX(f)->global_keyid = 0;
	assert_int_equal(ops->restore(inst, ops->state_version, b.data, b.len), 0);
	assert_int_equal(FX_TDX(f)->global_keyid, global);
	assert_int_equal(FX_TDX(f)->stat_calls[0], calls);
	assert_int_equal(FX_TDX(f)->sys_state, TDX_SYS_READY);
	/* another layout, a short blob: refused */
	assert_int_equal(ops->restore(inst, ops->state_version + 1, b.data, b.len), -1);
	assert_int_equal(ops->restore(inst, ops->state_version, b.data, b.len - 1), -1);
	sim_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_calls_through_the_slot, fx_setup_machine, fx_teardown),
		cmocka_unit_test_setup_teardown(test_blob_round_trip, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
