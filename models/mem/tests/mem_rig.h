/* The rig the memory tests share: one simulator and one controller with a
 * fixed 150-cycle latency. Include after <cmocka.h>. */
#ifndef CCSIM_MODELS_MEM_TESTS_MEM_RIG_H
#define CCSIM_MODELS_MEM_TESTS_MEM_RIG_H

#include "models/mem/mem.h"
#include "sim/sim.h"
#include "sim/tests/snap_check.h"

struct rig {
	struct sim s;
	struct mem m;
};

static inline void rig_init(struct rig *r, unsigned pa_bits)
{
	sim_init(&r->s, 1, 1000000000);
	mem_init(&r->m, &r->s, "mem", pa_bits, 150);
}

/* A pattern that differs per byte and per seed. */
static inline void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

#endif
