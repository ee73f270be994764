/* Context logger; see log.h. */
#include "sim/log.h"

#include "sim/sim.h"

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sim_log(struct sim *s, enum sim_log_level lvl, const char *component, const char *fmt, ...)
{
	s->log.count[lvl]++;
	if (!s->log.sink || lvl > s->log.level)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(s->log.sink, "[%12llu] %-5s %s: ", (unsigned long long)s->local, level_names[lvl],
		component);
	vfprintf(s->log.sink, fmt, ap);
	fputc('\n', s->log.sink);
	va_end(ap);
}
