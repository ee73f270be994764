/* The example TDX module plug-in: ccsim's own TDX module
 * (models/monitor/tdx/), its sources built position-independent into
 * build/plugins/tdx-copy.so. Run in the module's place (ccsim run
 * --monitor tdx=build/plugins/tdx-copy.so) it gives every tdx scenario the
 * built-in module's digest. A team with a module variant starts from here:
 * docs/monitor-api.md. */
#include "include/ccsim/monitor.h"
#include "models/monitor/builtin.h"

CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi)
{
	(void)host_abi; /* the platform checks the table's abi_version */
	return tdx_monitor_ops();
}
