/* The example plug-in with one deliberate change, for the differential
 * mode to find (tests/test_monitor_plugin.sh): ccsim's RMM, except that
 * RMI_DATA_CREATE checks the realm's state before anything else.
 *
 * DEN0137 1.0-rel0 B3.3.1.2 orders data_state (RMI_ERROR_INPUT) before
 * realm_state (RMI_ERROR_REALM), so a DATA_CREATE into an ACTIVE realm
 * from a granule that is not DELEGATED must return RMI_ERROR_INPUT; this
 * variant returns RMI_ERROR_REALM (scenarios/monitor/cca/rmi_data_create.scn,
 * the step `-> active_data_state`). */
#include "include/ccsim/monitor.h"
#include "models/monitor/rmm/rmm_internal.h"

static void reorder_call(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	int state;
	uint8_t rim[64];
	if (regs[0] == RMI_DATA_CREATE && rmm_realm_info(mon, regs[1], &state, rim) == 0 &&
	    state != REALM_NEW) {
		regs[0] = rmi_return(RMI_ERROR_REALM, 0); /* realm_state, out of turn */
		return;
	}
	rmm_mon_call(mon, regs, cycles);
}

static const struct ccsim_monitor_ops reorder_ops =
	RMM_MONITOR_OPS("ccsim's RMM with RMI_DATA_CREATE's realm_state checked first", reorder_call);

CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi)
{
	(void)host_abi;
	return &reorder_ops;
}
