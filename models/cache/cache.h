/* Set-associative, write-back, write-allocate cache with true LRU, whose lines
 * are tagged by (physical address, key id) as on SEV/TDX (ASID / KeyID) and
 * Arm CCA (PAS): one PA under two keys is two lines nothing keeps coherent. */
#ifndef CCSIM_CACHE_CACHE_H
#define CCSIM_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/model.h"

struct sim;

#define CACHE_LINE_SHIFT 6
#define CACHE_LINE (1u << CACHE_LINE_SHIFT)
/* Largest accepted size, so a bad profile gets -EINVAL rather than an abort. */
#define CACHE_SIZE_MAX ((uint64_t)1 << 30)

/* What sits below a cache: another cache (cache_as_port) or the memory
 * controller / encryption engine. Whole, aligned lines only; `pa` is the line
 * address. Each call adds its cost to *cycles and returns 0 or -errno. Lines
 * move as PLAINTEXT tagged with their key; encryption happens below. */
struct cache_port_ops {
	int (*read_line)(void *ctx, unsigned key, uint64_t pa, uint8_t out[CACHE_LINE],
			 uint64_t *cycles);
	int (*write_line)(void *ctx, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
			  uint64_t *cycles);
};
struct cache_port {
	const struct cache_port_ops *ops;
	void *ctx;
};

__attribute__((warn_unused_result))
static inline int cache_port_read_line(struct cache_port p, unsigned key, uint64_t pa,
				       uint8_t out[CACHE_LINE], uint64_t *cycles)
{
	return p.ops->read_line(p.ctx, key, pa, out, cycles);
}
__attribute__((warn_unused_result))
static inline int cache_port_write_line(struct cache_port p, unsigned key, uint64_t pa,
					const uint8_t in[CACHE_LINE], uint64_t *cycles)
{
	return p.ops->write_line(p.ctx, key, pa, in, cycles);
}

struct cache_config {
	uint64_t size;        /* bytes; size / (CACHE_LINE * ways) sets, a power of two */
	unsigned ways;
	uint64_t hit_latency; /* cycles of one lookup, hit or miss */
	unsigned mshrs;       /* misses in flight at once (miss status holding registers);
				 0: no limit */
};
#define CACHE_MSHRS_MAX 1024

/* Line metadata, kept apart from the data so a lookup scans a few words.
 * `tag` is the full line address (pa >> CACHE_LINE_SHIFT), or CACHE_TAG_INVALID
 * for an empty way, so a hit is one tag and one key compare. `lru` is the value
 * of the cache's LRU clock at the last use: the smallest in a set is the LRU. */
#define CACHE_TAG_INVALID UINT64_MAX
struct cache_line {
	uint64_t tag;
	uint32_t key;
	uint8_t dirty;
};

struct cache {
	struct sim_model base; /* must be first */
	char *name;
	struct cache_config cfg;
	struct cache_port below;
	uint64_t set_mask;         /* sets - 1 */
	size_t nlines;             /* sets * ways */
	struct cache_line *lines;  /* [set * ways + way] */
	uint64_t *lru;             /* same index: LRU clock at the last use; 0 = empty way.
				    * Kept apart so choosing a victim scans one small array. */
	uint64_t *ready;           /* same index: the cycle a line's fill completes; an access
				    * before it waits for it (it merges into the miss in flight) */
	uint64_t *mshr;            /* cfg.mshrs entries: the cycle each miss slot frees */
	uint8_t *data;             /* CACHE_LINE bytes per line, same index */
	/* Saved by the field table; the lines go in the extra state, every slot in
	 * set/way order (valid, dirty, key, line PA, lru, 64 data bytes). */
	uint64_t lru_clock;
	size_t mru;                /* last line read (a lookup hint only, not saved) */
	uint64_t hits, misses;     /* accesses (cache_read / cache_write) */
	uint64_t fills;            /* lines read from below */
	uint64_t evictions;        /* valid lines displaced by an allocation */
	uint64_t writebacks;       /* dirty lines written below (evictions + maintenance) */
	uint64_t flushes;          /* maintenance operations (clean_inval_*, flush_key, wbinvd, invd) */
	uint64_t invd_dropped_dirty; /* dirty lines discarded by cache_invd */
	uint64_t pending_hits;     /* hits on a line whose fill was still in flight */
	uint64_t mshr_wait;        /* cycles misses waited for a free miss slot */
	/* Set by the owner around one access made by a table walker, which
	 * keeps its own outstanding requests: its miss takes no miss slot
	 * (not saved: never set between accesses). */
	bool walker;
};

/* Check the geometry (-EINVAL if the sets are not a power of two, ways or size
 * is zero, size is above CACHE_SIZE_MAX or `below` lacks an op), allocate the
 * lines (all invalid) and register the model and its stats ("<name>.hits",
 * ...) with the sim, which destroys it at sim_fini. A sim reset invalidates
 * every line without write-back (what power-on leaves); counters are kept. */
__attribute__((warn_unused_result))
int cache_init(struct cache *c, struct sim *s, const char *name, const struct cache_config *cfg,
	       struct cache_port below);

/* This cache as the backing of an upper level (L1 -> L2 -> memory). The levels
 * are neither inclusive nor exclusive: a lower level evicting a line does not
 * touch the levels above, and an upper level's victims are written into the
 * lower level (full-line writes, which allocate without a fill). */
struct cache_port cache_as_port(struct cache *c);

/* Access bytes [pa, pa+len) of ONE line under `key`: len is 1..CACHE_LINE and
 * the range must not cross a line boundary (-EINVAL otherwise).
 * Time: the access arrives at sim_time + *cycles (cycles may be NULL: at
 * sim_time). Cost added to *cycles: hit_latency for the lookup; a hit on a
 * line whose fill is still in flight waits for it; a miss waits for a free
 * miss slot (cfg.mshrs), then for the fill from below, which holds the slot
 * and sets the line's ready time. The write-back of a dirty victim (under
 * the victim's own key) is posted: it moves the data and occupies what is
 * below, but the access does not wait for it. Writes allocate: fill, then
 * merge; a write of a whole
 * line allocates without a fill, since every byte is overwritten (as a
 * full-line store such as MOVDIR64B does, and without a read that an
 * integrity-checking backing could fault). The fill is read before the victim
 * is written back, as a victim buffer would.
 * Returns 0 or the backing's -errno; on error this cache is unchanged (no
 * half-filled line, the victim stays), though *cycles holds the work done. */
__attribute__((warn_unused_result))
int cache_read(struct cache *c, unsigned key, uint64_t pa, void *buf, size_t len,
	       uint64_t *cycles);
__attribute__((warn_unused_result))
int cache_write(struct cache *c, unsigned key, uint64_t pa, const void *buf, size_t len,
		uint64_t *cycles);

/* cache_read's hit on the line hit last (a stream's common case), inline
 * for the memory path: true with the bytes copied and the hit charged
 * exactly as cache_read would; false, nothing done: call cache_read. The
 * caller has checked that [pa, pa+len) lies in one line and len > 0. */
uint64_t cache_pending_wait(struct cache *c, size_t i, uint64_t at);
static inline bool cache_read_mru(struct cache *c, unsigned key, uint64_t pa, void *buf,
				  size_t len, uint64_t *cycles)
{
	size_t i = c->mru;
	const struct cache_line *l = &c->lines[i];
	if (l->tag != pa >> CACHE_LINE_SHIFT || l->key != key)
		return false;
	*cycles += c->cfg.hit_latency;
	if (__builtin_expect(c->ready[i] != 0, 0))
		*cycles += cache_pending_wait(c, i, *cycles);
	c->hits++;
	c->lru[i] = ++c->lru_clock;
	const uint8_t *d = c->data + i * CACHE_LINE + (pa & (CACHE_LINE - 1));
	if (len == 8)
		memcpy(buf, d, 8);
	else
		memcpy(buf, d, len);
	return true;
}

/* Maintenance. Each adds its cost to *cycles (may be NULL): hit_latency per
 * line slot examined -- once for the *_line / *_pa operations, sets * ways for
 * the whole-cache ones -- plus the write-backs below. Dirty lines are written
 * back under their own key in set/way order. On a backing error the operation
 * stops: the failing line and those after it stay as they were.
 *
 * Hierarchy: these act on THIS level only. When the cache is backed by another
 * cache, the caller (the platform) applies them to every level top-down (L1,
 * then L2, ...), so data written back by an upper level reaches memory when
 * the lower level is cleaned in turn. */
/* The (pa, key) line holding pa: write back if dirty, invalidate. */
__attribute__((warn_unused_result))
int cache_clean_inval_line(struct cache *c, unsigned key, uint64_t pa, uint64_t *cycles);
/* Every key's copy of the line holding pa (like Arm DC CIPAPA): each dirty one
 * is written back, in way order, so the last way's data is what memory keeps. */
__attribute__((warn_unused_result))
int cache_clean_inval_pa(struct cache *c, uint64_t pa, uint64_t *cycles);
/* Every copy of the line holding pa under another key than `key`: written
 * back if dirty, invalidated (hardware coherence across encryption keys).
 * No lookup cost: only the write-backs are added to *cycles. */
__attribute__((warn_unused_result))
int cache_clean_inval_other_keys(struct cache *c, unsigned key, uint64_t pa, uint64_t *cycles);
/* Write back and invalidate every line of `key` (TDH.PHYMEM.CACHE.WB-like). */
__attribute__((warn_unused_result))
int cache_flush_key(struct cache *c, unsigned key, uint64_t *cycles);
/* Write back and invalidate everything (WBINVD). */
__attribute__((warn_unused_result))
int cache_wbinvd(struct cache *c, uint64_t *cycles);
/* Invalidate everything WITHOUT write-back (INVD): dirty data is lost, and
 * counted in invd_dropped_dirty. Never fails (returns 0). */
int cache_invd(struct cache *c, uint64_t *cycles);

/* Invalidate the (pa, key) line without writing it back: a whole-line
 * store past the caches supersedes it. No cost. */
void cache_drop_line(struct cache *c, unsigned key, uint64_t pa);
/* Whether (pa, key) is cached, and if so whether dirty (dirty may be NULL).
 * No side effects: no LRU update, no stats, no cycles. */
bool cache_probe(const struct cache *c, unsigned key, uint64_t pa, bool *dirty);
/* cache_probe that also copies the whole line holding pa (64-byte aligned
 * copy); the same absence of side effects: for checks that must not
 * disturb the run (invariants). */
bool cache_peek(const struct cache *c, unsigned key, uint64_t pa, uint8_t line[CACHE_LINE],
		bool *dirty);
/* Valid lines tagged with `key`. */
unsigned cache_lines_of_key(const struct cache *c, unsigned key);

static inline unsigned cache_sets(const struct cache *c) { return (unsigned)(c->set_mask + 1); }

#endif
