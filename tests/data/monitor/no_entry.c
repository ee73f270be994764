/* A shared library that is no monitor plug-in: it exports no
 * ccsim_monitor_entry (tests/test_monitor_plugin.sh). */
#include "include/ccsim/monitor.h"

CCSIM_MONITOR_EXPORT int not_a_monitor(void);
CCSIM_MONITOR_EXPORT int not_a_monitor(void)
{
	return 0;
}
