/* The CTR_TREE metadata cache: set-associative, LRU, 64-byte lines holding
 * counter blocks and tree nodes. What it holds was verified when it came in
 * and is trusted, so a walk stops at the first cached ancestor. A dirty node
 * is written back when evicted: its parent's counter for it is incremented
 * and its MAC recomputed under the new value (the SGX MEE's lazy update).
 * Write-backs do not allocate: ancestors missing from the cache are read,
 * verified, updated and written straight back, up to the first cached one or
 * the on-chip root, so an eviction never causes another eviction. */
#include <errno.h>
#include <string.h>

#include "models/memenc/memenc_priv.h"
#include "sim/sim.h"

static unsigned set_of(const struct memenc_tree *t, uint64_t pa)
{
	return (unsigned)((pa / MEMENC_LINE) & (t->sets - 1));
}

int memenc_meta_lookup(const struct memenc_tree *t, uint64_t pa)
{
	size_t base = (size_t)set_of(t, pa) * t->ways;
	for (unsigned w = 0; w < t->ways; w++)
		if (t->way[base + w].valid && t->way[base + w].pa == pa)
			return (int)(base + w);
	return -1;
}

static void touch(struct memenc_tree *t, int way)
{
	t->way[way].lru = ++t->clock;
}

/* A lookup that counts (a hit is also a use). */
static int probe(struct memenc *e, uint64_t pa)
{
	int way = memenc_meta_lookup(e->tree, pa);
	if (way >= 0) {
		e->stat_meta_hits++;
		touch(e->tree, way);
	} else {
		e->stat_meta_misses++;
	}
	return way;
}

/* First invalid way of the set, else the least recently used one other
 * than `pin` (the parent of the node being filled; ways >= 2). */
static int victim(const struct memenc_tree *t, unsigned set, int pin)
{
	int best = -1;
	for (unsigned w = 0; w < t->ways; w++) {
		int i = (int)((size_t)set * t->ways + w);
		if (!t->way[i].valid)
			return i;
		if (i != pin && (best < 0 || t->way[i].lru < t->way[best].lru))
			best = i;
	}
	return best;
}

static uint64_t parent_ctr(const struct memenc_tree *t, const uint8_t *parent, uint64_t index)
{
	return memenc_node_ctr(t, parent, (unsigned)(index % t->arity));
}

/* Write a dirty node, no longer in the cache, back to DRAM (memenc.h gives
 * the cost: P*C + m*(D + M) + (m + 1)*(M + D), plus overflows). */
static int writeback(struct memenc *e, unsigned level, uint64_t index, uint8_t data[MEMENC_LINE],
		     uint64_t *extra)
{
	struct memenc_tree *t = e->tree;
	struct {
		unsigned level;
		uint64_t index;
		uint8_t buf[MEMENC_LINE];
	} up[MEMENC_TREE_LEVELS_MAX];
	uint64_t d = mem_latency(e->mem), mac = e->cfg.mac_latency;
	unsigned m = 0, probes = 0, l = level;
	uint64_t i = index;
	int top = -1, rc = 0;
	while (l + 1 < t->levels) {
		l++;
		i /= t->arity;
		probes++;
		top = probe(e, memenc_node_pa(e, l, i));
		if (top >= 0)
			break;
		up[m].level = l;
		up[m].index = i;
		m++;
	}
	*extra += probes * e->cfg.meta_cache_latency;
	for (unsigned k = m; k-- > 0;) {
		const uint8_t *p = k + 1 < m ? up[k + 1].buf : top >= 0 ? t->way[top].data : t->root;
		uint64_t pa = memenc_node_pa(e, up[k].level, up[k].index);
		bool ok = false;
		rc = mem_read(e->mem, pa, up[k].buf, MEMENC_LINE);
		if (!rc)
			rc = memenc_node_check(e, up[k].buf, pa, parent_ctr(t, p, up[k].index), &ok);
		if (rc)
			return rc;
		e->stat_tree_node_fetches++;
		*extra += d + mac;
		if (!ok) {
			/* The evicted node's update is lost: the hardware would halt. */
			e->stat_mac_failures++;
			memenc_trace_note(e, "integrity", pa, "node");
			return -EBADMSG;
		}
	}
	uint8_t *child = data;
	unsigned cl = level;
	uint64_t ci = index;
	for (unsigned k = 0; k <= m; k++) {
		uint8_t *parent;
		unsigned pl;
		uint64_t pi;
		if (k < m) {
			parent = up[k].buf;
			pl = up[k].level;
			pi = up[k].index;
		} else if (top >= 0) {
			parent = t->way[top].data;
			pl = t->way[top].level;
			pi = t->way[top].index;
			t->way[top].dirty = true;
		} else {
			parent = t->root;
			pl = t->levels;
			pi = 0;
		}
		unsigned slot = (unsigned)(ci % t->arity);
		uint64_t pa = memenc_node_pa(e, cl, ci);
		rc = memenc_node_bump(e, parent, pl, pi, slot, extra);
		if (!rc)
			rc = memenc_node_seal(e, child, pa, memenc_node_ctr(t, parent, slot));
		if (!rc)
			rc = mem_write(e->mem, pa, child, MEMENC_LINE);
		if (rc)
			return rc;
		e->stat_meta_writebacks++;
		*extra += mac + d;
		child = parent;
		cl = pl;
		ci = pi;
	}
	return 0;
}

/* Empty a way, writing it back if dirty. */
static int evict(struct memenc *e, int way, uint64_t *extra)
{
	struct memenc_meta_way *w = &e->tree->way[way];
	if (!w->valid)
		return 0;
	w->valid = false;
	if (!w->dirty)
		return 0;
	uint8_t data[MEMENC_LINE];
	memcpy(data, w->data, MEMENC_LINE);
	return writeback(e, w->level, w->index, data, extra);
}

int memenc_meta_get(struct memenc *e, unsigned level, uint64_t index, int *way,
		    struct memenc_walk *w)
{
	struct memenc_tree *t = e->tree;
	struct {
		unsigned level;
		uint64_t index;
	} chain[MEMENC_TREE_LEVELS_MAX];
	unsigned n = 0, l = level;
	uint64_t i = index;
	int pin = -1;
	/* Up from the node until a cached one (trusted) or the on-chip root. */
	for (;;) {
		w->probes++;
		pin = probe(e, memenc_node_pa(e, l, i));
		if (pin >= 0)
			break;
		chain[n].level = l;
		chain[n].index = i;
		n++;
		if (l + 1 == t->levels)
			break;
		l++;
		i /= t->arity;
	}
	/* Down again, each missing node checked against its (pinned) parent. */
	for (unsigned k = n; k-- > 0;) {
		uint64_t pa = memenc_node_pa(e, chain[k].level, chain[k].index);
		uint8_t buf[MEMENC_LINE];
		bool ok = false;
		int v = victim(t, set_of(t, pa), pin);
		int rc = evict(e, v, &w->extra);
		if (rc)
			return rc;
		const uint8_t *p = pin >= 0 ? t->way[pin].data : t->root;
		rc = mem_read(e->mem, pa, buf, MEMENC_LINE);
		if (!rc)
			rc = memenc_node_check(e, buf, pa, parent_ctr(t, p, chain[k].index), &ok);
		if (rc)
			return rc;
		e->stat_tree_node_fetches++;
		w->fetched++;
		if (!ok) {
			e->stat_mac_failures++;
			memenc_trace_note(e, "integrity", pa, "node");
			return -EBADMSG;
		}
		struct memenc_meta_way *nw = &t->way[v];
		nw->valid = true;
		nw->dirty = false;
		nw->pa = pa;
		nw->level = chain[k].level;
		nw->index = chain[k].index;
		memcpy(nw->data, buf, MEMENC_LINE);
		touch(t, v);
		pin = v;
	}
	*way = pin;
	return 0;
}

int memenc_tree_flush(struct memenc *e, uint64_t *cycles)
{
	struct memenc_tree *t = e->tree;
	uint64_t extra = 0;
	int rc = 0;
	/* Lowest level first: a write-back dirties the parent, flushed later. */
	for (unsigned l = 0; l < t->levels && !rc; l++)
		for (size_t i = 0; i < (size_t)t->sets * t->ways && !rc; i++)
			if (t->way[i].valid && t->way[i].level == l)
				rc = evict(e, (int)i, &extra);
	*cycles += extra;
	return rc;
}

/* u32 arity, u32 levels, u32 sets, u32 ways, the 64-byte root, u64 clock,
 * then each way (set-major): u8 valid, and if valid u8 dirty, u64 pa,
 * u64 lru, 64 data bytes. */
void memenc_tree_save(const struct memenc *e, struct sim_buf *out)
{
	const struct memenc_tree *t = e->tree;
	sim_buf_put_u32(out, t->arity);
	sim_buf_put_u32(out, t->levels);
	sim_buf_put_u32(out, t->sets);
	sim_buf_put_u32(out, t->ways);
	sim_buf_put(out, t->root, MEMENC_LINE);
	sim_buf_put_u64(out, t->clock);
	for (size_t i = 0; i < (size_t)t->sets * t->ways; i++) {
		const struct memenc_meta_way *w = &t->way[i];
		sim_buf_put_u8(out, w->valid);
		if (!w->valid)
			continue;
		sim_buf_put_u8(out, w->dirty);
		sim_buf_put_u64(out, w->pa);
		sim_buf_put_u64(out, w->lru);
		sim_buf_put(out, w->data, MEMENC_LINE);
	}
}

int memenc_tree_restore(struct memenc *e, struct sim_reader *in)
{
	struct memenc_tree *t = e->tree;
	uint32_t arity = sim_reader_u32(in), levels = sim_reader_u32(in);
	uint32_t sets = sim_reader_u32(in), ways = sim_reader_u32(in);
	if (in->failed || arity != t->arity || levels != t->levels || sets != t->sets ||
	    ways != t->ways || !sim_reader_get(in, t->root, MEMENC_LINE))
		return -EINVAL;
	t->clock = sim_reader_u64(in);
	for (size_t i = 0; i < (size_t)t->sets * t->ways && !in->failed; i++) {
		struct memenc_meta_way *w = &t->way[i];
		uint8_t valid = sim_reader_u8(in);
		if (valid > 1)
			return -EINVAL;
		if (!valid)
			continue;
		uint8_t dirty = sim_reader_u8(in);
		uint64_t pa = sim_reader_u64(in), lru = sim_reader_u64(in);
		if (in->failed || dirty > 1 || lru > t->clock || !memenc_node_from_pa(e, pa, &w->level, &w->index) ||
		    (pa / MEMENC_LINE) % t->sets != i / t->ways || memenc_meta_lookup(t, pa) >= 0 ||
		    !sim_reader_get(in, w->data, MEMENC_LINE))
			return -EINVAL;
		w->pa = pa;
		w->lru = lru;
		w->dirty = dirty;
		w->valid = true;
	}
	return in->failed ? -EINVAL : 0;
}
