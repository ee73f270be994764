/* What a built-in monitor reads of the platform when it is created: its
 * profile keys and the run's facts, through the services' param (monitor.h),
 * a table at a time. Header-only, so the monitors built as plug-ins need
 * nothing else of ccsim. */
#ifndef CCSIM_MONITOR_MON_PARAM_H
#define CCSIM_MONITOR_MON_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "include/ccsim/monitor.h"

/* platform.arch's values as param gives them: the index in the profile's
 * list (models/platform/profile.c arch_names). */
enum mon_arch {
	MON_ARCH_PLAIN = 0, MON_ARCH_CCA, MON_ARCH_SEV, MON_ARCH_SEV_ES, MON_ARCH_SEV_SNP, MON_ARCH_TDX,
	MON_ARCH_S390_SE,
};

struct mon_param {
	const char *key;   /* "mem.pa_bits", "sim.seed", ... */
	uint64_t *value;
};

/* Every key of the table into its value: true, or false with a message
 * naming the monitor (`who`) and the first key the platform lacks. */
static inline bool mon_params(const struct ccsim_monitor_services *svc, void *host, const char *who,
			      const struct mon_param *keys, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (svc->param(host, keys[i].key, keys[i].value) != 0) {
			snprintf(err, errlen, "%s: the platform has no profile key %s", who, keys[i].key);
			return false;
		}
	return true;
}

#endif
