/* GPT information cached the way TLBs may cache it (Arm ARM DDI 0487 D9.5):
 * one entry per (security state, granule) holding the GPI a walk found, so an
 * access that hits skips the walk. Each world's translation regime has its
 * own entries, as TLB entries are per regime. Entries survive GPT changes until TLBI RPALOS / RPAOS (by
 * PA range) or PAALL / PAALLOS (everything) + DSB remove them: a missing
 * invalidation keeps granting the old rights, and is replayable. */
#ifndef CCSIM_MMU_GPCCACHE_H
#define CCSIM_MMU_GPCCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/model.h"

struct sim;

struct gpc_cache_entry {
	uint64_t granule; /* PA >> granule shift, or UINT64_MAX when empty */
	uint8_t world;    /* the security state whose translation regime cached it */
	uint8_t gpi;
	uint8_t level;    /* GPT level the walk resolved at */
};

struct gpc_cache {
	struct sim_model base;
	unsigned shift;   /* log2 of the granule size */
	uint32_t nentries; /* power of two; 0 disables caching */
	struct gpc_cache_entry *e;
	uint64_t hits, misses, fills, invalidations;
};

/* nentries must be 0 or a power of two (-EINVAL otherwise). */
int gpc_cache_init(struct gpc_cache *c, struct sim *s, const char *name, uint32_t nentries,
		   unsigned granule_shift);
static inline uint32_t gpc_cache_slot(const struct gpc_cache *c, uint64_t granule, unsigned world)
{
	return (uint32_t)((granule ^ ((uint64_t)world * 0x9e3779b1u)) & (c->nentries - 1));
}

/* The GPI `world` has cached for the granule holding pa; NULL on a miss. */
static inline const struct gpc_cache_entry *gpc_cache_lookup(struct gpc_cache *c, uint64_t pa,
							     unsigned world)
{
	if (!c->nentries)
		return NULL;
	uint64_t g = pa >> c->shift;
	const struct gpc_cache_entry *e = &c->e[gpc_cache_slot(c, g, world)];
	if (e->granule == g && e->world == world) {
		c->hits++;
		return e;
	}
	c->misses++;
	return NULL;
}
void gpc_cache_fill(struct gpc_cache *c, uint64_t pa, unsigned world, uint8_t gpi, uint8_t level);
/* TLBI RPALOS / RPAOS: drop every world's entries for granules overlapping
 * [pa, pa+size). */
void gpc_cache_inval_range(struct gpc_cache *c, uint64_t pa, uint64_t size);
/* TLBI PAALL / PAALLOS: drop everything. */
void gpc_cache_inval_all(struct gpc_cache *c);

#endif
