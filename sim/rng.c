/* xoshiro256** seeded through SplitMix64; see rng.h. */
#include "sim/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t bound)
{
	/* Rejection sampling on the top of the range keeps the draw unbiased. */
	uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
	uint64_t v;
	do {
		v = sim_rng_next(r);
	} while (v >= limit);
	return v % bound;
}

void sim_rng_fork(const struct sim_rng *parent, const char *purpose, struct sim_rng *child)
{
	/* FNV-1a of the purpose, mixed with the parent's state. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *p = purpose; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 0x100000001b3ull;
	}
	sim_rng_seed(child, h ^ parent->s[0] ^ rotl(parent->s[1], 13) ^ rotl(parent->s[2], 29) ^
				    rotl(parent->s[3], 47));
}
