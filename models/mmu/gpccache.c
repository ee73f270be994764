/* Direct-mapped cache of GPT lookups; see gpccache.h. */
#include "models/mmu/gpccache.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/sim.h"

static void gpc_cache_clear(struct gpc_cache *c)
{
	for (uint32_t i = 0; i < c->nentries; i++)
		c->e[i] = (struct gpc_cache_entry){ .granule = UINT64_MAX };
}

static void gpc_cache_reset(struct sim_model *m)
{
	gpc_cache_clear((struct gpc_cache *)m);
}

static int gpc_cache_save(const struct sim_model *m, struct sim_buf *out)
{
	const struct gpc_cache *c = (const struct gpc_cache *)m;
	sim_buf_put_u32(out, c->nentries);
	for (uint32_t i = 0; i < c->nentries; i++) {
		sim_buf_put_u64(out, c->e[i].granule);
		sim_buf_put_u8(out, c->e[i].world);
		sim_buf_put_u8(out, c->e[i].gpi);
		sim_buf_put_u8(out, c->e[i].level);
	}
	return 0;
}

static int gpc_cache_restore(struct sim_model *m, struct sim_reader *in)
{
	struct gpc_cache *c = (struct gpc_cache *)m;
	if (sim_reader_u32(in) != c->nentries)
		return -EINVAL;
	for (uint32_t i = 0; i < c->nentries; i++) {
		c->e[i].granule = sim_reader_u64(in);
		c->e[i].world = sim_reader_u8(in);
		c->e[i].gpi = sim_reader_u8(in);
		c->e[i].level = sim_reader_u8(in);
		/* An entry must sit in the slot its granule and world index. */
		if (c->e[i].granule != UINT64_MAX &&
		    gpc_cache_slot(c, c->e[i].granule, c->e[i].world) != i)
			return -EINVAL;
	}
	return in->failed ? -EINVAL : 0;
}

static void gpc_cache_destroy(struct sim_model *m)
{
	struct gpc_cache *c = (struct gpc_cache *)m;
	g_free(c->e);
	c->e = NULL;
}

static const struct sim_model_ops gpc_cache_ops = {
	.reset = gpc_cache_reset, .save_extra = gpc_cache_save,
	.restore_extra = gpc_cache_restore, .destroy = gpc_cache_destroy,
};

static const struct sim_field gpc_cache_fields[] = {
	SIM_FIELD(struct gpc_cache, hits),
	SIM_FIELD(struct gpc_cache, misses),
	SIM_FIELD(struct gpc_cache, fills),
	SIM_FIELD(struct gpc_cache, invalidations),
};
static const struct sim_vmstate gpc_cache_vmstate = {
	"gpc_cache", 1, gpc_cache_fields, sizeof(gpc_cache_fields) / sizeof(gpc_cache_fields[0])
};

int gpc_cache_init(struct gpc_cache *c, struct sim *s, const char *name, uint32_t nentries,
		   unsigned granule_shift)
{
	if (nentries & (nentries - 1))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->base.name = name;
	c->base.kind = "gpc_cache";
	c->base.ops = &gpc_cache_ops;
	c->base.vmstate = &gpc_cache_vmstate;
	c->shift = granule_shift;
	c->nentries = nentries;
	c->e = g_new(struct gpc_cache_entry, nentries ? nentries : 1);
	gpc_cache_clear(c);
	sim_model_register(s, &c->base);
#define ST(f, d) SIM_STAT_DEF(struct gpc_cache, f, #f, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(hits, "lookups that skipped the GPT walk"),
		ST(misses, "lookups that needed a GPT walk"),
		ST(fills, "entries installed after a GPT walk"),
		ST(invalidations, "entries removed by TLBI RPALOS / PAALL"),
	};
#undef ST
	sim_stat_register_table(s, name, c, stats, sizeof(stats) / sizeof(stats[0]));
	return 0;
}

void gpc_cache_fill(struct gpc_cache *c, uint64_t pa, unsigned world, uint8_t gpi, uint8_t level)
{
	if (!c->nentries)
		return;
	uint64_t g = pa >> c->shift;
	c->e[gpc_cache_slot(c, g, world)] = (struct gpc_cache_entry){ g, (uint8_t)world, gpi, level };
	c->fills++;
}

void gpc_cache_inval_range(struct gpc_cache *c, uint64_t pa, uint64_t size)
{
	uint64_t first = pa >> c->shift, last = (pa + (size ? size : 1) - 1) >> c->shift;
	if (last - first < c->nentries / 4) {
		/* Direct-mapped: a granule sits in one slot per world. */
		for (uint64_t g = first; g <= last; g++)
			for (unsigned w = 0; w < 4; w++) {
				struct gpc_cache_entry *e = &c->e[gpc_cache_slot(c, g, w)];
				if (e->granule == g && e->world == w) {
					e->granule = UINT64_MAX;
					c->invalidations++;
				}
			}
		return;
	}
	for (uint32_t i = 0; i < c->nentries; i++)
		if (c->e[i].granule != UINT64_MAX && c->e[i].granule >= first && c->e[i].granule <= last) {
			c->e[i].granule = UINT64_MAX;
			c->invalidations++;
		}
}

void gpc_cache_inval_all(struct gpc_cache *c)
{
	for (uint32_t i = 0; i < c->nentries; i++)
		if (c->e[i].granule != UINT64_MAX) {
			c->e[i].granule = UINT64_MAX;
			c->invalidations++;
		}
}
