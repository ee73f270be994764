/* The host-stack tests' machine: a simulation, the machine a profile
 * describes and the host's CPU (NS EL2). */
#ifndef CCSIM_STACKS_HOST_TESTS_HV_FIXTURE_H
#define CCSIM_STACKS_HOST_TESTS_HV_FIXTURE_H

#include <stdio.h>

#include "models/platform/machine.h"
#include "stacks/host/hv.h"

struct hfx {
	struct sim sim;
	struct machine m;
	struct cpu host;
};

/* The machine of `profile` with `sets` (group.key=value, NULL-terminated;
 * sets may be NULL). */
static inline struct hfx *hfx_new_set(const char *profile, const char *const *sets)
{
	struct hfx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char path[256], err[256];
	snprintf(path, sizeof(path), "models/platform/profiles/%s.ini", profile);
	assert_int_equal(profile_load(path, &cfg, err, sizeof(err)), 0);
	for (; sets && *sets; sets++)
		assert_int_equal(profile_set(&cfg, *sets, err, sizeof(err)), 0);
	sim_init(&f->sim, 3, cfg.freq_mhz * 1000000ull);
	f->sim.log.sink = NULL;
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	return f;
}

static inline struct hfx *hfx_new(const char *profile)
{
	return hfx_new_set(profile, NULL);
}

static inline void hfx_free(struct hfx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

#endif
