/* The example SNP firmware plug-in: ccsim's own SEV-SNP firmware
 * (models/monitor/snp/), its sources built position-independent into
 * build/plugins/snp-copy.so. Run in the firmware's place (ccsim run
 * --monitor snp=build/plugins/snp-copy.so) it gives every sev-snp scenario
 * the built-in firmware's digest. A firmware team starts a plug-in of its
 * own from here: docs/monitor-api.md. */
#include "include/ccsim/monitor.h"
#include "models/monitor/builtin.h"

CCSIM_MONITOR_EXPORT const struct ccsim_monitor_ops *ccsim_monitor_entry(uint32_t host_abi)
{
	(void)host_abi; /* the platform checks the table's abi_version */
	return snp_monitor_ops();
}
