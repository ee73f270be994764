/* (PA, key)-tagged set-associative cache; see cache.h. The lookup is the
 * simulator's hottest path: shift/mask indexing, one tag and one key compare
 * per way, no allocation. */
#include "models/cache/cache.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/sim.h"

#define CACHE_SNAP_VERSION 2 /* 2: ready times, miss slots */

static inline size_t cache_set_base(const struct cache *c, uint64_t tag)
{
	return (size_t)(tag & c->set_mask) * c->cfg.ways;
}

static inline uint8_t *cache_line_data(const struct cache *c, size_t i)
{
	return c->data + i * CACHE_LINE;
}

static inline bool cache_line_valid(const struct cache_line *l)
{
	return l->tag != CACHE_TAG_INVALID;
}

static inline void cache_line_invalidate(struct cache *c, size_t i)
{
	c->lines[i] = (struct cache_line){ .tag = CACHE_TAG_INVALID };
	c->lru[i] = 0;
	c->ready[i] = 0;
}

/* The present of an access `offset` cycles into it (see cache_read). */
static inline uint64_t cache_now(const struct cache *c, uint64_t offset)
{
	return sim_time(c->base.sim) + offset;
}

/* Cycles a hit at `offset` (lookup done) waits for line i's fill. The
 * ready time is cleared once passed, so the common hit tests one zero. */
uint64_t cache_pending_wait(struct cache *c, size_t i, uint64_t offset)
{
	uint64_t now = cache_now(c, offset);
	if (c->ready[i] <= now) {
		c->ready[i] = 0;
		return 0;
	}
	c->pending_hits++;
	return c->ready[i] - now;
}

/* A miss slot for a fill that could start at `offset`: the one that frees
 * first (misses come at their issuers' times, not in time order, so "the
 * next in turn" could be held by a later miss); the wait for it is added
 * to *cycles; its index is returned (SIZE_MAX: no limit). */
static size_t cache_mshr_take(struct cache *c, uint64_t *cycles)
{
	if (!c->cfg.mshrs || c->walker)
		return SIZE_MAX;
	size_t best = 0;
	for (size_t k = 1; k < c->cfg.mshrs; k++)
		if (c->mshr[k] < c->mshr[best])
			best = k;
	uint64_t now = cache_now(c, *cycles);
	if (c->mshr[best] > now) {
		c->mshr_wait += c->mshr[best] - now;
		*cycles += c->mshr[best] - now;
	}
	return best;
}

/* Index of the (tag, key) line, or SIZE_MAX. The most recently hit line is
 * tried first: streams of accesses to one line are the common case. */
static inline size_t cache_find(const struct cache *c, unsigned key, uint64_t tag)
{
	const struct cache_line *mru = &c->lines[c->mru];
	if (mru->tag == tag && mru->key == key)
		return c->mru;
	size_t base = cache_set_base(c, tag);
	const struct cache_line *set = c->lines + base;
	for (unsigned w = 0; w < c->cfg.ways; w++)
		if (set[w].tag == tag && set[w].key == key)
			return base + w;
	return SIZE_MAX;
}

/* An empty way if the set has one, else the least recently used. */
static size_t cache_victim(const struct cache *c, uint64_t tag)
{
	/* Empty ways have LRU 0 and valid ones a unique positive value, so the
	 * first minimum is the first empty way, else the least recently used. */
	size_t base = cache_set_base(c, tag);
	const uint64_t *lru = c->lru + base;
	unsigned best = 0;
	for (unsigned w = 1; w < c->cfg.ways; w++)
		if (lru[w] < lru[best])
			best = w;
	return base + best;
}

static int cache_writeback(struct cache *c, size_t i, uint64_t *cycles)
{
	struct cache_line *l = &c->lines[i];
	int rc = cache_port_write_line(c->below, l->key, l->tag << CACHE_LINE_SHIFT,
				       cache_line_data(c, i), cycles);
	if (rc)
		return rc;
	l->dirty = 0;
	c->writebacks++;
	return 0;
}

/* Miss path: make room for (tag, key) and, if `fill`, read it from below.
 * The fill goes first, into a buffer, so a failure on either transfer leaves
 * this cache as it was. Returns the line index through *out. */
static int cache_allocate(struct cache *c, unsigned key, uint64_t tag, bool fill, size_t *out,
			  uint64_t *cycles)
{
	uint8_t buf[CACHE_LINE];
	size_t v = cache_victim(c, tag);
	struct cache_line *l = &c->lines[v];
	int rc;

	c->misses++;
	uint64_t done = 0;
	if (fill) {
		size_t slot = cache_mshr_take(c, cycles);
		rc = cache_port_read_line(c->below, key, tag << CACHE_LINE_SHIFT, buf, cycles);
		if (rc)
			return rc;
		done = cache_now(c, *cycles);
		if (slot != SIZE_MAX)
			c->mshr[slot] = done;
	}
	if (cache_line_valid(l)) {
		/* posted: the victim leaves through a write-back buffer, the miss
		 * does not wait for it (what is below still does the work) */
		uint64_t posted = *cycles;
		if (l->dirty && (rc = cache_writeback(c, v, &posted)) != 0)
			return rc;
		c->evictions++;
	}
	if (fill) {
		memcpy(cache_line_data(c, v), buf, CACHE_LINE);
		c->fills++;
	}
	*l = (struct cache_line){ .tag = tag, .key = key };
	c->lru[v] = ++c->lru_clock;
	c->ready[v] = done;
	*out = v;
	return 0;
}

/* The line an access of [pa, pa+len) under `key` uses: the hit, or a line
 * allocated for it (filled from below when `fill`, or when the access covers
 * less than a whole line, since the rest must come from memory). Charges
 * the lookup, keeps LRU and the MRU hint. 0 with *line, or -errno. */
static inline int cache_line_for(struct cache *c, unsigned key, uint64_t pa, size_t len,
				 bool fill, size_t *line, uint64_t *cycles)
{
	size_t off = (size_t)(pa & (CACHE_LINE - 1));
	uint64_t tag = pa >> CACHE_LINE_SHIFT;
	if (len == 0 || len > CACHE_LINE - off)
		return -EINVAL;
	*cycles += c->cfg.hit_latency;
	size_t i = cache_find(c, key, tag);
	if (i != SIZE_MAX) {
		c->hits++;
		c->lru[i] = ++c->lru_clock;
		if (c->ready[i])
			*cycles += cache_pending_wait(c, i, *cycles);
	} else {
		int rc = cache_allocate(c, key, tag, fill || len < CACHE_LINE, &i, cycles);
		if (rc)
			return rc;
	}
	c->mru = i;
	*line = i;
	return 0;
}

int cache_read(struct cache *c, unsigned key, uint64_t pa, void *buf, size_t len,
	       uint64_t *cycles)
{
	uint64_t scratch = 0;
	size_t i, off = (size_t)(pa & (CACHE_LINE - 1));
	if (!cycles)
		cycles = &scratch;
	int rc = cache_line_for(c, key, pa, len, true, &i, cycles);
	if (rc)
		return rc;
	if (len == 8) /* the common word access: a constant-size copy compiles to a move */
		memcpy(buf, cache_line_data(c, i) + off, 8);
	else
		memcpy(buf, cache_line_data(c, i) + off, len);
	return 0;
}

int cache_write(struct cache *c, unsigned key, uint64_t pa, const void *buf, size_t len,
		uint64_t *cycles)
{
	uint64_t scratch = 0;
	size_t i, off = (size_t)(pa & (CACHE_LINE - 1));
	if (!cycles)
		cycles = &scratch;
	/* A whole-line write allocates without a fill: every byte is replaced. */
	int rc = cache_line_for(c, key, pa, len, false, &i, cycles);
	if (rc)
		return rc;
	if (len == 8)
		memcpy(cache_line_data(c, i) + off, buf, 8);
	else
		memcpy(cache_line_data(c, i) + off, buf, len);
	c->lines[i].dirty = 1;
	return 0;
}

/* --- maintenance --- */

/* Write back line i if dirty, then invalidate it. */
static int cache_clean_inval(struct cache *c, size_t i, uint64_t *cycles)
{
	if (c->lines[i].dirty) {
		int rc = cache_writeback(c, i, cycles);
		if (rc)
			return rc;
	}
	cache_line_invalidate(c, i);
	return 0;
}

int cache_clean_inval_line(struct cache *c, unsigned key, uint64_t pa, uint64_t *cycles)
{
	uint64_t scratch = 0;
	size_t i = cache_find(c, key, pa >> CACHE_LINE_SHIFT);
	if (!cycles)
		cycles = &scratch;
	c->flushes++;
	*cycles += c->cfg.hit_latency;
	return i == SIZE_MAX ? 0 : cache_clean_inval(c, i, cycles);
}

int cache_clean_inval_pa(struct cache *c, uint64_t pa, uint64_t *cycles)
{
	uint64_t tag = pa >> CACHE_LINE_SHIFT;
	size_t base = cache_set_base(c, tag);
	uint64_t scratch = 0;
	if (!cycles)
		cycles = &scratch;
	c->flushes++;
	*cycles += c->cfg.hit_latency;
	for (unsigned w = 0; w < c->cfg.ways; w++) {
		if (c->lines[base + w].tag != tag)
			continue;
		int rc = cache_clean_inval(c, base + w, cycles);
		if (rc)
			return rc;
	}
	return 0;
}

int cache_clean_inval_other_keys(struct cache *c, unsigned key, uint64_t pa, uint64_t *cycles)
{
	uint64_t tag = pa >> CACHE_LINE_SHIFT;
	size_t base = cache_set_base(c, tag);
	for (unsigned w = 0; w < c->cfg.ways; w++) {
		if (c->lines[base + w].tag != tag || c->lines[base + w].key == key)
			continue;
		c->flushes++;
		int rc = cache_clean_inval(c, base + w, cycles);
		if (rc)
			return rc;
	}
	return 0;
}

/* Walk every slot in set/way order, cleaning and invalidating the valid lines
 * of `key` (or of every key if all_keys). */
static int cache_clean_inval_walk(struct cache *c, bool all_keys, unsigned key, uint64_t *cycles)
{
	uint64_t scratch = 0;
	if (!cycles)
		cycles = &scratch;
	c->flushes++;
	for (size_t i = 0; i < c->nlines; i++) {
		*cycles += c->cfg.hit_latency;
		const struct cache_line *l = &c->lines[i];
		if (!cache_line_valid(l) || (!all_keys && l->key != key))
			continue;
		int rc = cache_clean_inval(c, i, cycles);
		if (rc)
			return rc;
	}
	return 0;
}

int cache_flush_key(struct cache *c, unsigned key, uint64_t *cycles)
{
	return cache_clean_inval_walk(c, false, key, cycles);
}

int cache_wbinvd(struct cache *c, uint64_t *cycles)
{
	return cache_clean_inval_walk(c, true, 0, cycles);
}

int cache_invd(struct cache *c, uint64_t *cycles)
{
	c->flushes++;
	for (size_t i = 0; i < c->nlines; i++) {
		if (c->lines[i].dirty)
			c->invd_dropped_dirty++;
		cache_line_invalidate(c, i);
	}
	if (cycles)
		*cycles += c->cfg.hit_latency * c->nlines;
	return 0;
}

void cache_drop_line(struct cache *c, unsigned key, uint64_t pa)
{
	size_t i = cache_find(c, key, pa >> CACHE_LINE_SHIFT);
	if (i != SIZE_MAX)
		cache_line_invalidate(c, i);
}

bool cache_probe(const struct cache *c, unsigned key, uint64_t pa, bool *dirty)
{
	size_t i = cache_find(c, key, pa >> CACHE_LINE_SHIFT);
	if (i == SIZE_MAX)
		return false;
	if (dirty)
		*dirty = c->lines[i].dirty != 0;
	return true;
}

bool cache_peek(const struct cache *c, unsigned key, uint64_t pa, uint8_t line[CACHE_LINE],
		bool *dirty)
{
	size_t i = cache_find(c, key, pa >> CACHE_LINE_SHIFT);
	if (i == SIZE_MAX)
		return false;
	memcpy(line, c->data + i * CACHE_LINE, CACHE_LINE);
	if (dirty)
		*dirty = c->lines[i].dirty != 0;
	return true;
}

unsigned cache_lines_of_key(const struct cache *c, unsigned key)
{
	unsigned n = 0;
	for (size_t i = 0; i < c->nlines; i++)
		n += cache_line_valid(&c->lines[i]) && c->lines[i].key == key;
	return n;
}

/* --- as the backing of an upper level --- */

static int cache_port_read(void *ctx, unsigned key, uint64_t pa, uint8_t out[CACHE_LINE],
			   uint64_t *cycles)
{
	return cache_read(ctx, key, pa, out, CACHE_LINE, cycles);
}

static int cache_port_write(void *ctx, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
			    uint64_t *cycles)
{
	return cache_write(ctx, key, pa, in, CACHE_LINE, cycles);
}

static const struct cache_port_ops cache_port_ops = {
	.read_line = cache_port_read,
	.write_line = cache_port_write,
};

struct cache_port cache_as_port(struct cache *c)
{
	return (struct cache_port){ .ops = &cache_port_ops, .ctx = c };
}

/* --- model: reset, snapshot, teardown --- */

static void cache_invalidate_all(struct cache *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		cache_line_invalidate(c, i);
}

static void cache_model_reset(struct sim_model *m)
{
	struct cache *c = (struct cache *)m;
	cache_invalidate_all(c);
	memset(c->data, 0, c->nlines * CACHE_LINE);
	memset(c->mshr, 0, (c->cfg.mshrs ? c->cfg.mshrs : 1) * sizeof(*c->mshr));
	c->lru_clock = 0;
}

/* Every slot in set/way order: valid, dirty, key, line PA, lru, data. Empty
 * ways are written as zeros, so equal contents give equal bytes. */
static int cache_save_extra(const struct sim_model *m, struct sim_buf *out)
{
	const struct cache *c = (const struct cache *)m;
	static const uint8_t zero[CACHE_LINE];
	sim_buf_put_u32(out, CACHE_SNAP_VERSION);
	sim_buf_put_u32(out, cache_sets(c));
	sim_buf_put_u32(out, c->cfg.ways);
	for (size_t i = 0; i < c->nlines; i++) {
		const struct cache_line *l = &c->lines[i];
		bool valid = cache_line_valid(l);
		sim_buf_put_u8(out, valid);
		sim_buf_put_u8(out, valid && l->dirty);
		sim_buf_put_u32(out, valid ? l->key : 0);
		sim_buf_put_u64(out, valid ? l->tag << CACHE_LINE_SHIFT : 0);
		sim_buf_put_u64(out, valid ? c->lru[i] : 0);
		sim_buf_put_u64(out, valid ? c->ready[i] : 0);
		sim_buf_put(out, valid ? cache_line_data(c, i) : zero, CACHE_LINE);
	}
	sim_buf_put_u32(out, c->cfg.mshrs);
	for (size_t k = 0; k < c->cfg.mshrs; k++)
		sim_buf_put_u64(out, c->mshr[k]);
	return 0;
}

/* Parse into fresh arrays and swap them in only if every line is consistent:
 * in its own set, unique in it, and older than the restored LRU clock (the
 * field table is restored before this runs). */
static int cache_restore_extra(struct sim_model *m, struct sim_reader *in)
{
	struct cache *c = (struct cache *)m;
	uint32_t version = sim_reader_u32(in);
	uint32_t sets = sim_reader_u32(in), ways = sim_reader_u32(in);
	if (in->failed || version != CACHE_SNAP_VERSION || sets != cache_sets(c) ||
	    ways != c->cfg.ways)
		return -EINVAL;

	struct cache_line *lines = g_new(struct cache_line, c->nlines);
	uint64_t *lrus = g_new0(uint64_t, c->nlines), *ready = g_new0(uint64_t, c->nlines);
	uint8_t *data = g_malloc0(c->nlines * CACHE_LINE);
	for (size_t i = 0; i < c->nlines; i++) {
		uint8_t valid = sim_reader_u8(in), dirty = sim_reader_u8(in);
		uint32_t key = sim_reader_u32(in);
		uint64_t pa = sim_reader_u64(in), lru = sim_reader_u64(in);
		ready[i] = sim_reader_u64(in);
		uint8_t *d = data + i * CACHE_LINE;
		sim_reader_get(in, d, CACHE_LINE);
		if (in->failed || valid > 1 || dirty > valid)
			goto fail;
		if (!valid) {
			lines[i] = (struct cache_line){ .tag = CACHE_TAG_INVALID };
			lrus[i] = 0;
			ready[i] = 0;
			memset(d, 0, CACHE_LINE);
			continue;
		}
		uint64_t tag = pa >> CACHE_LINE_SHIFT;
		size_t base = i - i % c->cfg.ways;
		if ((pa & (CACHE_LINE - 1)) || cache_set_base(c, tag) != base || lru == 0 ||
		    lru > c->lru_clock)
			goto fail;
		for (size_t j = base; j < i; j++)
			if (lines[j].tag == tag && lines[j].key == key)
				goto fail;
		lines[i] = (struct cache_line){ .tag = tag, .key = key, .dirty = dirty };
		lrus[i] = lru;
	}
	if (sim_reader_u32(in) != c->cfg.mshrs)
		goto fail;
	for (size_t k = 0; k < c->cfg.mshrs; k++)
		c->mshr[k] = sim_reader_u64(in);
	if (in->failed || in->pos != in->len)
		goto fail;
	g_free(c->lines);
	g_free(c->lru);
	g_free(c->ready);
	g_free(c->data);
	c->lines = lines;
	c->lru = lrus;
	c->ready = ready;
	c->data = data;
	return 0;
fail:
	g_free(lines);
	g_free(lrus);
	g_free(ready);
	g_free(data);
	return -EINVAL;
}

static void cache_model_destroy(struct sim_model *m)
{
	struct cache *c = (struct cache *)m;
	g_free(c->lines);
	g_free(c->lru);
	g_free(c->ready);
	g_free(c->mshr);
	g_free(c->data);
	g_free(c->name);
	c->lru = NULL;
	c->ready = c->mshr = NULL;
	c->lines = NULL;
	c->data = NULL;
	c->name = NULL;
}

static const struct sim_model_ops cache_model_ops = {
	.reset = cache_model_reset,
	.save_extra = cache_save_extra,
	.restore_extra = cache_restore_extra,
	.destroy = cache_model_destroy,
};

static const struct sim_field cache_fields[] = {
	SIM_FIELD(struct cache, lru_clock),
	SIM_FIELD(struct cache, hits),
	SIM_FIELD(struct cache, misses),
	SIM_FIELD(struct cache, fills),
	SIM_FIELD(struct cache, evictions),
	SIM_FIELD(struct cache, writebacks),
	SIM_FIELD(struct cache, flushes),
	SIM_FIELD(struct cache, invd_dropped_dirty),
	SIM_FIELD(struct cache, pending_hits),
	SIM_FIELD(struct cache, mshr_wait),
};

static const struct sim_vmstate cache_vmstate = {
	.name = "cache",
	.version = 3, /* 3: miss slots are not taken in turn */
	.fields = cache_fields,
	.nfields = sizeof(cache_fields) / sizeof(cache_fields[0]),
};

int cache_init(struct cache *c, struct sim *s, const char *name, const struct cache_config *cfg,
	       struct cache_port below)
{
	uint64_t line_bytes = (uint64_t)CACHE_LINE * cfg->ways;
	if (cfg->ways == 0 || cfg->size == 0 || cfg->size > CACHE_SIZE_MAX ||
	    cfg->size % line_bytes != 0)
		return -EINVAL;
	uint64_t sets = cfg->size / line_bytes;
	if ((sets & (sets - 1)) != 0)
		return -EINVAL;
	if (!below.ops || !below.ops->read_line || !below.ops->write_line ||
	    cfg->mshrs > CACHE_MSHRS_MAX)
		return -EINVAL;

	memset(c, 0, sizeof(*c));
	c->name = g_strdup(name);
	c->base.name = c->name;
	c->base.kind = "cache";
	c->base.ops = &cache_model_ops;
	c->base.vmstate = &cache_vmstate;
	c->cfg = *cfg;
	c->below = below;
	c->set_mask = sets - 1;
	c->nlines = (size_t)(sets * cfg->ways);
	c->lines = g_new(struct cache_line, c->nlines);
	c->lru = g_new0(uint64_t, c->nlines);
	c->ready = g_new0(uint64_t, c->nlines);
	c->mshr = g_new0(uint64_t, cfg->mshrs ? cfg->mshrs : 1);
	c->data = g_malloc0(c->nlines * CACHE_LINE);
	cache_invalidate_all(c);
	sim_model_register(s, &c->base);

#define ST(f, d) SIM_STAT_DEF(struct cache, f, #f, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(hits, "accesses that hit"),
		ST(misses, "accesses that missed"),
		ST(fills, "lines read from below"),
		ST(evictions, "valid lines displaced on a miss"),
		ST(writebacks, "dirty lines written below"),
		ST(flushes, "maintenance operations"),
		ST(invd_dropped_dirty, "dirty lines discarded by INVD"),
		ST(pending_hits, "hits on a line whose fill was still in flight (merged into the miss)"),
		SIM_STAT_DEF(struct cache, mshr_wait, "mshr_wait", SIM_STAT_CYCLES,
			     "cycles misses waited for a free miss slot"),
	};
#undef ST
	sim_stat_register_table(s, c->name, c, stats, sizeof(stats) / sizeof(stats[0]));
	return 0;
}
