/* The example monitor plug-in: ccsim's own RMM (models/monitor/rmm/), its
 * sources built position-independent into build/plugins/rmm-copy.so. Run
 * in the RMM's place (ccsim run --monitor rmm=build/plugins/rmm-copy.so)
 * it gives every scenario the built-in RMM's digest; beside it (ccsim run
 * --diff-monitor rmm=...) it never diverges. A firmware team starts a
 * plug-in of its own from here: docs/monitor-api.md. */
#include "include/ccsim/monitor.h"
#include "models/monitor/builtin.h"

CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi)
{
	(void)host_abi; /* the platform checks the table's abi_version */
	return rmm_monitor_ops();
}
