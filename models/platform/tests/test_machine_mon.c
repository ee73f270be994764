/* The RMM's slot: the built-in RMM behind the monitor interface (its
 * statistics, its PE, its calls from the host), and the differential
 * mode's comparisons, each shown by a variant of the RMM that differs in
 * one effect: the memory it writes, the GPT, a granule's state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/monitor/rmm/rmm_internal.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "models/platform/mon_diff.h"

#define PAGE 0x80100000ull

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host;
};

static struct fx *build(void)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct platform_config cfg;
	char err[256];
	assert_int_equal(profile_load("models/platform/profiles/cca.ini", &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	return f;
}

static void destroy(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static uint64_t rmi(struct fx *f, uint64_t fid, uint64_t a1)
{
	uint64_t regs[SMC_REGS] = { fid, a1 }, c = 0;
	cpu_smc(&f->host, regs, &c);
	return regs[0];
}

/* A second monitor beside the slot's, as --diff-monitor puts one. */
static void beside(struct fx *f, const struct ccsim_monitor_ops *ops)
{
	char err[256];
	f->m.rmm->diff = mon_diff_new(f->m.rmm, ops, NULL, "variant.so", err, sizeof(err));
	assert_non_null(f->m.rmm->diff);
}

static const char *divergence(struct fx *f)
{
	uint64_t fid = 0;
	const char *what = machine_mon_divergence(f->m.rmm, &fid);
	return what ? what : "";
}

/* cca: the built-in RMM answers RMI through its slot; its counters and its
 * PE are the simulation's under their old names. */
static void test_builtin_slot(void **state)
{
	(void)state;
	struct fx *f = build();
	assert_string_equal(f->m.rmm->base.name, "rmm");
	assert_non_null(machine_mon_pe(f->m.rmm));
	assert_string_equal(machine_mon_pe(f->m.rmm)->base.name, "rmm.pe");
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE), RMI_SUCCESS);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.granule_delegate.calls"), 1);
	assert_int_equal(sim_stat_get(&f->sim, "rmm.scrubbed_granules"), 1);
	uint8_t st = 0;
	assert_int_equal(machine_mon_query(f->m.rmm, CCSIM_QUERY_GRANULE_STATES, PAGE, &st, 1), 0);
	assert_int_equal(st, GRANULE_DELEGATED);
	destroy(f);
}

/* The variants: each serves the call as the RMM does, then differs. */
static void forgets_undelegate(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	uint64_t fid = regs[0], pa = regs[1];
	rmm_mon_call(mon, regs, cycles);
	if (fid == RMI_GRANULE_UNDELEGATE && regs[0] == RMI_SUCCESS)
		rmm_granule_set(mon, pa, GRANULE_DELEGATED); /* keeps it, in its books */
}
static void writes_more(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	uint64_t fid = regs[0], pa = regs[1];
	rmm_mon_call(mon, regs, cycles);
	if (fid == RMI_GRANULE_DELEGATE && regs[0] == RMI_SUCCESS)
		rmm_realm_write(mon, pa + 0x40, "x", 1, cycles);
}
static void moves_back(void *mon, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	struct rmm *r = mon;
	uint64_t fid = regs[0], pa = regs[1];
	rmm_mon_call(mon, regs, cycles);
	if (fid == RMI_GRANULE_DELEGATE && regs[0] == RMI_SUCCESS)
		assert_int_equal(r->svc->el3_undelegate(r->host, pa, cycles), 0);
}
static const struct ccsim_monitor_ops faithful = RMM_MONITOR_OPS("same", rmm_mon_call);
static const struct ccsim_monitor_ops forgetful = RMM_MONITOR_OPS("books", forgets_undelegate);
static const struct ccsim_monitor_ops scribbler = RMM_MONITOR_OPS("memory", writes_more);
static const struct ccsim_monitor_ops mover = RMM_MONITOR_OPS("gpt", moves_back);

/* A faithful second monitor never diverges, and changes nothing the run
 * sees: the same cycles as without it. */
static void test_faithful(void **state)
{
	(void)state;
	struct fx *f = build(), *g = build();
	beside(f, &faithful);
	for (int i = 0; i < 2; i++) {
		struct fx *x = i ? g : f;
		assert_int_equal(rmi(x, RMI_GRANULE_DELEGATE, PAGE), RMI_SUCCESS);
		assert_int_equal(rmi(x, RMI_GRANULE_DELEGATE, PAGE), RMI_ERROR_INPUT);
		assert_int_equal(rmi(x, RMI_GRANULE_UNDELEGATE, PAGE), RMI_SUCCESS);
	}
	assert_string_equal(divergence(f), "");
	assert_int_equal(sim_time(&f->sim), sim_time(&g->sim));
	destroy(f);
	destroy(g);
}

/* Each effect, compared: a granule state its books keep, a byte it
 * writes, a GPT change it makes, each named with both sides. */
static void test_divergences(void **state)
{
	(void)state;
	struct fx *f = build();
	beside(f, &forgetful);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE), RMI_SUCCESS);
	assert_string_equal(divergence(f), "");
	assert_int_equal(rmi(f, RMI_GRANULE_UNDELEGATE, PAGE), RMI_SUCCESS);
	assert_string_equal(divergence(f), "granule 0x80100000 is UNDELEGATED to the built-in "
					   "monitor, DELEGATED to variant.so");
	destroy(f);

	f = build();
	beside(f, &scribbler);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE), RMI_SUCCESS);
	assert_string_equal(divergence(f), "memory the monitor wrote: PA 0x80100040 (key slot 3) "
					   "holds 0x00 from the built-in monitor, 0x78 from variant.so");
	destroy(f);

	f = build();
	beside(f, &mover);
	assert_int_equal(rmi(f, RMI_GRANULE_DELEGATE, PAGE), RMI_SUCCESS);
	assert_string_equal(divergence(f), "the GPT: granule 0x80100000 is realm after the built-in "
					   "monitor, ns after variant.so");
	/* the first divergence stands; the run's monitor goes on alone */
	assert_int_equal(rmi(f, RMI_GRANULE_UNDELEGATE, PAGE), RMI_SUCCESS);
	assert_non_null(strstr(divergence(f), "the GPT"));
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_slot),
		cmocka_unit_test(test_faithful),
		cmocka_unit_test(test_divergences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
