/* Phases and the change of every counter over each; see phase.h. */
#include "sim/phase.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/sim.h"

void sim_phases_init(struct sim_phases *ph)
{
	memset(ph, 0, sizeof(*ph));
	ph->cur = -1;
}

void sim_phases_free(struct sim_phases *ph)
{
	for (size_t i = 0; i < ph->n; i++)
		g_free(ph->v[i].delta);
	g_free(ph->start);
	sim_phases_init(ph);
}

static uint64_t stat_value(const struct sim_stat *st)
{
	return st->kind == SIM_STAT_HIST ? 0 : *(const uint64_t *)st->ptr;
}

static int find(const struct sim_phases *ph, const char *name)
{
	for (size_t i = 0; i < ph->n; i++)
		if (strcmp(ph->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

void sim_phase_end(struct sim *s, uint64_t at)
{
	struct sim_phases *ph = &s->phases;
	if (ph->cur < 0)
		return;
	struct sim_phase *p = &ph->v[ph->cur];
	p->cycles += at > ph->t0 ? at - ph->t0 : 0;
	for (size_t i = 0; i < ph->ntracked; i++)
		p->delta[i] += stat_value(&s->stats.v[i]) - ph->start[i];
	ph->cur = -1;
}

int sim_phase_enter(struct sim *s, const char *name, uint64_t at)
{
	struct sim_phases *ph = &s->phases;
	sim_phase_end(s, at);
	if (!ph->start) { /* the counters that exist now are the ones tracked */
		ph->ntracked = s->stats.len;
		ph->start = g_new0(uint64_t, ph->ntracked ? ph->ntracked : 1);
	}
	int k = find(ph, name);
	if (k < 0) {
		if (ph->n == SIM_PHASES_MAX || ph->registered)
			return -1;
		k = (int)ph->n++;
		g_strlcpy(ph->v[k].name, name, SIM_PHASE_NAME_MAX);
		ph->v[k].delta = g_new0(uint64_t, ph->ntracked ? ph->ntracked : 1);
	}
	for (size_t i = 0; i < ph->ntracked; i++)
		ph->start[i] = stat_value(&s->stats.v[i]);
	ph->v[k].entered++;
	ph->cur = k;
	ph->t0 = at;
	return 0;
}

uint64_t sim_phase_cycles(const struct sim *s, const char *name)
{
	int k = find(&s->phases, name);
	return k < 0 ? 0 : s->phases.v[k].cycles;
}

uint64_t sim_phase_delta(const struct sim *s, const char *name, const char *stat)
{
	const struct sim_phases *ph = &s->phases;
	int k = find(ph, name);
	for (size_t i = 0; k >= 0 && i < ph->ntracked; i++)
		if (strcmp(s->stats.v[i].name, stat) == 0)
			return ph->v[k].delta[i];
	return 0;
}

void sim_phases_publish(struct sim *s)
{
	struct sim_phases *ph = &s->phases;
	if (ph->registered)
		return;
	ph->registered = 1;
	for (size_t k = 0; k < ph->n; k++) {
		struct sim_phase *p = &ph->v[k];
		gchar *prefix = g_strdup_printf("phase.%s", p->name);
		sim_stat_register(s, prefix, "cycles", SIM_STAT_CYCLES, &p->cycles,
				  "cycles spent in this phase");
		sim_stat_register(s, prefix, "entered", SIM_STAT_COUNT, &p->entered,
				  "times the phase began");
		for (size_t i = 0; i < ph->ntracked; i++) {
			const struct sim_stat *st = &s->stats.v[i];
			if (p->delta[i] && st->kind != SIM_STAT_HIST)
				sim_stat_register(s, prefix, st->name, st->kind, &p->delta[i], st->desc);
		}
		g_free(prefix);
	}
}

void sim_phases_save(const struct sim *s, struct sim_buf *out)
{
	const struct sim_phases *ph = &s->phases;
	sim_buf_put_u32(out, (uint32_t)ph->n);
	sim_buf_put_u64(out, ph->ntracked);
	sim_buf_put_u32(out, (uint32_t)(ph->cur + 1));
	sim_buf_put_u64(out, ph->t0);
	sim_buf_put_u8(out, ph->start != NULL);
	for (size_t i = 0; ph->start && i < ph->ntracked; i++)
		sim_buf_put_u64(out, ph->start[i]);
	for (size_t k = 0; k < ph->n; k++) {
		const struct sim_phase *p = &ph->v[k];
		sim_buf_put_str(out, p->name);
		sim_buf_put_u64(out, p->cycles);
		sim_buf_put_u64(out, p->entered);
		for (size_t i = 0; i < ph->ntracked; i++)
			sim_buf_put_u64(out, p->delta[i]);
	}
}

int sim_phases_restore(struct sim *s, struct sim_reader *in)
{
	struct sim_phases *ph = &s->phases;
	sim_phases_free(ph);
	uint32_t n = sim_reader_u32(in);
	uint64_t ntracked = sim_reader_u64(in);
	uint32_t cur = sim_reader_u32(in);
	ph->t0 = sim_reader_u64(in);
	uint8_t started = sim_reader_u8(in);
	if (in->failed || n > SIM_PHASES_MAX || cur > n || ntracked > s->stats.len || started > 1)
		return -EINVAL;
	ph->ntracked = (size_t)ntracked;
	ph->cur = (int)cur - 1;
	if (started) {
		ph->start = g_new0(uint64_t, ph->ntracked ? ph->ntracked : 1);
		for (size_t i = 0; i < ph->ntracked; i++)
			ph->start[i] = sim_reader_u64(in);
	}
	for (uint32_t k = 0; k < n && !in->failed; k++) {
		struct sim_phase *p = &ph->v[k];
		sim_reader_str(in, p->name, SIM_PHASE_NAME_MAX);
		p->cycles = sim_reader_u64(in);
		p->entered = sim_reader_u64(in);
		p->delta = g_new0(uint64_t, ph->ntracked ? ph->ntracked : 1);
		for (size_t i = 0; i < ph->ntracked; i++)
			p->delta[i] = sim_reader_u64(in);
		ph->n = k + 1;
	}
	return in->failed ? -EINVAL : 0;
}
