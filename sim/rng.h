/* Seeded PRNG: xoshiro256** (Blackman & Vigna, 2018) with its state expanded
 * from the 64-bit seed by SplitMix64. Integer-only, so every host produces the
 * same stream for the same seed. */
#ifndef CCSIM_SIM_RNG_H
#define CCSIM_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, bound) without modulo bias; bound must be non-zero. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t bound);
/* Derive an independent stream for a named purpose (key derivation, a model's
 * jitter) without consuming the parent stream. */
void sim_rng_fork(const struct sim_rng *parent, const char *purpose, struct sim_rng *child);

#endif
