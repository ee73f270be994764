/* The monitors built into ccsim, each behind the monitor interface
 * (include/ccsim/monitor.h): the ops tables the platform puts in its slots
 * when no plug-in replaces them. Nothing else of a monitor is the
 * platform's to see. */
#ifndef CCSIM_MONITOR_BUILTIN_H
#define CCSIM_MONITOR_BUILTIN_H

#include "include/ccsim/monitor.h"

/* Arm CCA: the Realm Management Monitor (models/monitor/rmm/rmm_mon.c). */
const struct ccsim_monitor_ops *rmm_monitor_ops(void);
/* AMD SEV / SEV-ES: the SEV firmware's legacy API (models/monitor/sev/sev_mon.c). */
const struct ccsim_monitor_ops *sev_monitor_ops(void);
/* AMD SEV-SNP: the SNP firmware (models/monitor/snp/snp_mon.c). */
const struct ccsim_monitor_ops *snp_monitor_ops(void);
/* Intel TDX: the TDX module (models/monitor/tdx/tdx_mon.c). */
const struct ccsim_monitor_ops *tdx_monitor_ops(void);

#endif
