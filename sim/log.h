/* Logging into the simulation context: messages carry the simulated cycle and
 * the component, go to the context's sink (stderr unless redirected) and are
 * counted per level. No global logger. */
#ifndef CCSIM_SIM_LOG_H
#define CCSIM_SIM_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum sim_log_level { SIM_LOG_ERROR, SIM_LOG_WARN, SIM_LOG_INFO, SIM_LOG_DEBUG };

struct sim_log {
	FILE *sink;               /* NULL: messages are counted only */
	enum sim_log_level level; /* messages above this level are dropped */
	uint64_t count[SIM_LOG_DEBUG + 1];
};

struct sim;
void sim_log(struct sim *s, enum sim_log_level lvl, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
