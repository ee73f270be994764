/* The TDX module's single-step heuristic and prevention mode, v1.5 and
 * fixed (see tdx_step.h for the sources). The decision is a pure function
 * of what the module reads at the exit; the per-LP state is the LFSR that
 * draws the prevention mode's length, saved with the module's state. */
#include <string.h>

#include <glib.h>

#include "models/monitor/mon_param.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "models/monitor/tdx/tdx_step.h"
#include "sim/buf.h"

/* helpers.c lfsr_get_random; x86_defs.h POLY_MASK_32 */
#define TDX_LFSR_POLY 0xB4BCD35Cu

uint32_t tdx_step_lfsr_next(uint32_t v)
{
	return (v & 1u) ? (v >> 1) ^ TDX_LFSR_POLY : v >> 1;
}

bool tdx_step_progress(const struct tdx_step_cfg *cfg, const struct tdx_step_obs *o)
{
	if (cfg->mode == TDX_STEP_OFF)
		return true;
	/* 1.5.06 vmexit_stepping_filter: "Always use instruction count
	 * heuristic if Perfmon is disabled": inst_retired > 1, or a REP string
	 * instruction that moved RCX without retiring. With PERFMON the fixed
	 * counter is the TD's own and the 1.5.01 test below stays. */
	if (cfg->mode == TDX_STEP_FIXED && !o->perfmon)
		return o->insns >= cfg->insns || (o->insns == 0 && o->rcx_delta > 1);
	/* 1.5.01: (rip_delta > INTEL64_MAX_INST_LEN * 2) ||
	 * (vcpu_tsc_delta > STEPPING_TSC_THRESHOLD) */
	return o->rip_delta > cfg->rip_bytes || o->tsc_delta > cfg->tsc_threshold;
}

/* The LFSR seed: the module draws it with RDRAND at TDH.SYS.LP.INIT
 * (tdh_sys_lp_init.c, lfsr_init_seed); here a mix of the run's seed and
 * the LP (splitmix64's finaliser), never 0. */
static uint32_t lfsr_seed(uint64_t seed, unsigned lp)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ull * (lp + 1u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (uint32_t)z ? (uint32_t)z : 0xFEEDBEAFu; /* LFSR_INIT_VALUE */
}

void tdx_step_enter(struct tdx_step *st, unsigned lp, uint64_t rip, uint64_t rcx, uint64_t insns)
{
	struct tdx_step_lp *l = &st->lp[lp];
	l->entry_rip = rip;
	l->entry_rcx = rcx;
	l->entry_insns = insns;
	l->timer = l->armed_timer;
	l->mhz = l->armed_mhz ? l->armed_mhz : st->freq_mhz;
	l->armed_timer = 0;
	l->armed_mhz = 0;
}

uint64_t tdx_step_deadline(const struct tdx_step *st, unsigned lp, uint64_t slice)
{
	uint64_t timer = st->lp[lp].timer;
	return timer && timer < slice ? timer : slice;
}

unsigned tdx_step_on_interrupt(struct tdx_step *st, unsigned lp, uint64_t rip, uint64_t rcx,
			       uint64_t insns, bool perfmon, uint64_t td_cycles)
{
	struct tdx_step_lp *l = &st->lp[lp];
	if (st->cfg.mode == TDX_STEP_OFF)
		return 0;
	/* the TSC counts at tsc_mhz whatever the core's clock: the core
	 * cycles between the two reads, at the core's clock, in TSC ticks */
	uint64_t span = st->span_cycles + td_cycles;
	struct tdx_step_obs o = {
		.rip_delta = rip > l->entry_rip ? rip - l->entry_rip : l->entry_rip - rip,
		.tsc_delta = span * st->tsc_mhz / l->mhz,
		.insns = insns - l->entry_insns,
		.rcx_delta = l->entry_rcx - rcx,
		.perfmon = perfmon,
	};
	unsigned steps = 0;
	st->stat_judged++;
	if (!tdx_step_progress(&st->cfg, &o)) {
		l->lfsr = tdx_step_lfsr_next(l->lfsr);
		steps = (unsigned)(l->lfsr & (st->cfg.pm_max - 1)) + 1u;
		st->stat_prevented++;
		st->stat_pm_insns += steps;
	}
	/* traced when it suspects stepping: an exit the host sees anyway
	 * leaves the trace (and the digests of runs without stepping) as is */
	if (steps)
		st->svc->trace(st->host, st->tr_step, o.rip_delta, o.tsc_delta, o.insns, steps, NULL, 0);
	return steps;
}

void tdx_lp_arm(struct tdx *t, unsigned lp, uint64_t timer_cycles, uint64_t mhz)
{
	t->step->lp[lp].armed_timer = timer_cycles;
	t->step->lp[lp].armed_mhz = mhz;
}

/* --- its state in the module's --- */

/* Only the LFSRs outlive a SEAMCALL: the entry's record and the armed
 * timer are set and consumed inside one. The checkpoint keeps them and the
 * counters in this order, as ccsim up to checkpoint format 5 saved them in
 * a model of their own ("tdx_step" v1). */
#define LP_LFSR(n) SIM_FIELD(struct tdx_step, lp[n].lfsr)
static const struct sim_field step_fields[] = {
	LP_LFSR(0), LP_LFSR(1), LP_LFSR(2), LP_LFSR(3), LP_LFSR(4), LP_LFSR(5), LP_LFSR(6),
	LP_LFSR(7), LP_LFSR(8), LP_LFSR(9), LP_LFSR(10), LP_LFSR(11), LP_LFSR(12), LP_LFSR(13),
	LP_LFSR(14), LP_LFSR(15),
	SIM_FIELD(struct tdx_step, stat_judged),
	SIM_FIELD(struct tdx_step, stat_prevented),
	SIM_FIELD(struct tdx_step, stat_pm_insns),
};
G_STATIC_ASSERT(TDX_STEP_MAX_LPS == 16);

void tdx_step_reset(struct tdx_step *st)
{
	for (unsigned i = 0; i < TDX_STEP_MAX_LPS; i++)
		st->lp[i] = (struct tdx_step_lp){ .lfsr = lfsr_seed(st->seed, i) };
	st->stat_judged = st->stat_prevented = st->stat_pm_insns = 0;
}

void tdx_step_save(const struct tdx_step *st, struct sim_buf *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(step_fields); i++)
		sim_buf_put_field(out, st, &step_fields[i]);
}

int tdx_step_restore(struct tdx_step *st, struct sim_reader *in)
{
	for (size_t i = 0; i < G_N_ELEMENTS(step_fields); i++)
		sim_reader_field(in, st, &step_fields[i]);
	return in->failed ? -1 : 0;
}

void tdx_step_stats(struct tdx_step *st, ccsim_stat_fn *emit, void *ctx)
{
	emit(ctx, "tdx.step.judged", CCSIM_STAT_COUNT, &st->stat_judged,
	     "interruption-type TD exits the single-step heuristic judged");
	emit(ctx, "tdx.step.prevented", CCSIM_STAT_COUNT, &st->stat_prevented,
	     "exits it took for single-stepping: prevention mode entered");
	emit(ctx, "tdx.step.pm_insns", CCSIM_STAT_COUNT, &st->stat_pm_insns,
	     "TD instructions the prevention mode drew to single-step before the host saw the exit");
}

struct tdx_step *tdx_step_create(struct tdx *t, char *err, size_t errlen)
{
	uint64_t mode = 0, rip = 0, tsc = 0, insns = 0, pm_max = 0, freq = 0, tsc_mhz = 0, span = 0;
	const struct mon_param keys[] = {
		{ "tdx.step_heuristic", &mode }, { "tdx.step_rip_bytes", &rip },
		{ "tdx.step_tsc_threshold", &tsc }, { "tdx.step_insns", &insns },
		{ "tdx.step_pm_max", &pm_max }, { "platform.freq_mhz", &freq },
		{ "tdx.tsc_mhz", &tsc_mhz }, { "tdx.step_span_cycles", &span },
	};
	if (!mon_params(t->svc, t->host, "tdx", keys, G_N_ELEMENTS(keys), err, errlen))
		return NULL;
	struct tdx_step *st = g_new0(struct tdx_step, 1);
	st->cfg = (struct tdx_step_cfg){ .mode = (enum tdx_step_mode)mode, .rip_bytes = rip,
					 .tsc_threshold = tsc, .insns = insns, .pm_max = pm_max };
	st->freq_mhz = freq;
	st->tsc_mhz = tsc_mhz ? tsc_mhz : freq;
	st->span_cycles = span;
	st->seed = t->cfg.seed;
	st->svc = t->svc;
	st->host = t->host;
	st->tr_step = t->svc->trace_type(t->host, "tdx.step");
	tdx_step_reset(st);
	return st;
}
