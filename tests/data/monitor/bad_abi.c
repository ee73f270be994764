/* A monitor plug-in built against another version of the monitor
 * interface: ccsim must refuse it (tests/test_monitor_plugin.sh). */
#include "include/ccsim/monitor.h"

static const struct ccsim_monitor_ops future_ops = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION + 1,
	.kind = CCSIM_MONITOR_RMM,
	.name = "rmm",
};

CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi)
{
	(void)host_abi;
	return &future_ops;
}
