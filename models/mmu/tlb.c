/* Set-associative TLB with LRU replacement; see tlb.h. */
#include "models/mmu/tlb.h"

#include <assert.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/sim.h"

/* Page sizes probed, smallest first: a 4 KB entry wins over a 2 MB one. */
static const uint8_t tlb_shifts[] = { 12, 21, 30 };

static inline uint32_t tlb_set_of(const struct tlb *t, uint64_t vpn)
{
	return (uint32_t)(vpn & (t->cfg.sets - 1));
}
static inline struct tlb_entry *tlb_set(struct tlb *t, uint32_t set)
{
	return &t->e[(size_t)set * t->cfg.ways];
}
static bool tag_eq(const struct tlb_entry *e, const struct tlb_tag *tag)
{
	return e->world == tag->world && e->vmid == tag->vmid && e->asid == tag->asid;
}

static void tlb_clear(struct tlb *t)
{
	memset(t->e, 0, sizeof(*t->e) * t->cfg.sets * t->cfg.ways);
	t->tick = 0;
	t->acl_entries = 0;
	pt_cache_clear(&t->walk);
	t->walk.tick = 0;
}

static void tlb_reset(struct sim_model *m)
{
	tlb_clear((struct tlb *)m);
}

static int tlb_save(const struct sim_model *m, struct sim_buf *out)
{
	const struct tlb *t = (const struct tlb *)m;
	sim_buf_put_u32(out, t->cfg.sets);
	sim_buf_put_u32(out, t->cfg.ways);
	for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++) { /* set, then way order */
		const struct tlb_entry *e = &t->e[i];
		sim_buf_put_u8(out, e->valid);
		sim_buf_put_u64(out, e->vpn);
		sim_buf_put_u64(out, e->pa);
		sim_buf_put_u64(out, e->gpa);
		sim_buf_put_u64(out, e->lru);
		sim_buf_put_u32(out, e->acl);
		sim_buf_put_u16(out, e->vmid);
		sim_buf_put_u16(out, e->asid);
		sim_buf_put_u8(out, e->world);
		sim_buf_put_u8(out, e->page_shift);
		sim_buf_put_u8(out, e->perms);
		sim_buf_put_u8(out, e->attrs);
	}
	sim_buf_put_u32(out, t->walk.n);
	sim_buf_put_u64(out, t->walk.tick);
	for (uint32_t i = 0; i < t->walk.n; i++) {
		const struct pt_cache_entry *e = &t->walk.e[i];
		sim_buf_put_u64(out, e->key);
		sim_buf_put_u64(out, e->r1);
		sim_buf_put_u64(out, e->r2);
		sim_buf_put_u64(out, e->out);
		sim_buf_put_u64(out, e->lru);
		sim_buf_put_u8(out, e->kind);
		sim_buf_put_u8(out, e->level);
		sim_buf_put_u8(out, e->perms);
		sim_buf_put_u8(out, e->checked);
	}
	return 0;
}

static bool shift_ok(uint8_t s)
{
	return s == 12 || s == 21 || s == 30;
}

static int tlb_restore(struct sim_model *m, struct sim_reader *in)
{
	struct tlb *t = (struct tlb *)m;
	if (sim_reader_u32(in) != t->cfg.sets || sim_reader_u32(in) != t->cfg.ways)
		return -EINVAL;
	for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++) {
		struct tlb_entry *e = &t->e[i];
		e->valid = sim_reader_u8(in);
		e->vpn = sim_reader_u64(in);
		e->pa = sim_reader_u64(in);
		e->gpa = sim_reader_u64(in);
		e->lru = sim_reader_u64(in);
		e->acl = sim_reader_u32(in);
		e->vmid = sim_reader_u16(in);
		e->asid = sim_reader_u16(in);
		e->world = sim_reader_u8(in);
		e->page_shift = sim_reader_u8(in);
		e->perms = sim_reader_u8(in);
		e->attrs = sim_reader_u8(in);
		/* A valid entry must sit in the set its VA page indexes. */
		if (e->valid > 1 || (e->valid && (!shift_ok(e->page_shift) ||
						  tlb_set_of(t, e->vpn) != i / t->cfg.ways)))
			return -EINVAL;
	}
	t->acl_entries = 0;
	for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++)
		t->acl_entries += t->e[i].valid && t->e[i].acl;
	if (sim_reader_u32(in) != t->walk.n)
		return -EINVAL;
	t->walk.tick = sim_reader_u64(in);
	for (uint32_t i = 0; i < t->walk.n; i++) {
		struct pt_cache_entry *e = &t->walk.e[i];
		e->key = sim_reader_u64(in);
		e->r1 = sim_reader_u64(in);
		e->r2 = sim_reader_u64(in);
		e->out = sim_reader_u64(in);
		e->lru = sim_reader_u64(in);
		e->kind = sim_reader_u8(in);
		e->level = sim_reader_u8(in);
		e->perms = sim_reader_u8(in);
		e->checked = sim_reader_u8(in);
		if (e->kind > 3 || e->level > 3 || e->checked > 1 || (e->checked && e->kind != 3))
			return -EINVAL;
	}
	return in->failed ? -EINVAL : 0;
}

static void tlb_destroy(struct sim_model *m)
{
	struct tlb *t = (struct tlb *)m;
	g_free(t->e);
	t->e = NULL;
	g_free(t->walk.e);
	t->walk.e = NULL;
}

static const struct sim_model_ops tlb_ops = {
	.reset = tlb_reset, .save_extra = tlb_save, .restore_extra = tlb_restore,
	.destroy = tlb_destroy,
};

static const struct sim_field tlb_fields[] = {
	SIM_FIELD(struct tlb, tick),
	SIM_FIELD(struct tlb, hits),
	SIM_FIELD(struct tlb, misses),
	SIM_FIELD(struct tlb, fills),
	SIM_FIELD(struct tlb, invalidations),
	SIM_FIELD(struct tlb, walk.hits),
	SIM_FIELD(struct tlb, walk.misses),
};
static const struct sim_vmstate tlb_vmstate = {
	"tlb", 3, tlb_fields, sizeof(tlb_fields) / sizeof(tlb_fields[0])
};

int tlb_init(struct tlb *t, struct sim *s, const char *name, const struct tlb_config *cfg)
{
	if (!cfg->sets || (cfg->sets & (cfg->sets - 1)) || !cfg->ways ||
	    (uint64_t)cfg->sets * cfg->ways > TLB_MAX_ENTRIES || cfg->walk_cache > TLB_WALK_CACHE_MAX)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->base.name = name;
	t->base.kind = "tlb";
	t->base.ops = &tlb_ops;
	t->base.vmstate = &tlb_vmstate;
	t->cfg = *cfg;
	t->e = g_new0(struct tlb_entry, (size_t)cfg->sets * cfg->ways);
	t->walk.n = cfg->walk_cache;
	t->walk.e = cfg->walk_cache ? g_new0(struct pt_cache_entry, cfg->walk_cache) : NULL;
	sim_model_register(s, &t->base);
#define ST(f, d) SIM_STAT_DEF(struct tlb, f, #f, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(hits, "lookups that skipped the walk"),
		ST(misses, "lookups that needed a walk"),
		ST(fills, "entries installed after a walk"),
		ST(invalidations, "entries removed by TLB maintenance"),
		SIM_STAT_DEF(struct tlb, walk.hits, "walk_cache.hits", SIM_STAT_COUNT,
			     "table entries and nested translations a walk found in the walk caches"),
		SIM_STAT_DEF(struct tlb, walk.misses, "walk_cache.misses", SIM_STAT_COUNT,
			     "walk-cache lookups that found nothing"),
	};
#undef ST
	sim_stat_register_table(s, name, t, stats, sizeof(stats) / sizeof(stats[0]));
	return 0;
}

const struct tlb_entry *tlb_lookup(struct tlb *t, const struct tlb_tag *tag, uint64_t va,
				   uint64_t *cycles)
{
	for (size_t k = 0; k < sizeof(tlb_shifts); k++) {
		uint64_t vpn = va >> tlb_shifts[k];
		struct tlb_entry *set = tlb_set(t, tlb_set_of(t, vpn));
		for (uint32_t w = 0; w < t->cfg.ways; w++) {
			struct tlb_entry *e = &set[w];
			if (e->valid && e->page_shift == tlb_shifts[k] && e->vpn == vpn && tag_eq(e, tag)) {
				e->lru = ++t->tick;
				t->hits++;
				if (cycles)
					*cycles += t->cfg.hit_cycles;
				return e;
			}
		}
	}
	t->misses++;
	return NULL;
}

const struct tlb_entry *tlb_lookup_4k(struct tlb *t, const struct tlb_tag *tag, uint64_t va)
{
	uint64_t vpn = va >> 12;
	struct tlb_entry *set = tlb_set(t, tlb_set_of(t, vpn));
	for (uint32_t w = 0; w < t->cfg.ways; w++) {
		struct tlb_entry *e = &set[w];
		if (e->valid && e->page_shift == 12 && e->vpn == vpn && tag_eq(e, tag)) {
			e->lru = ++t->tick;
			t->hits++;
			return e;
		}
	}
	t->misses++;
	return NULL;
}

void tlb_fill(struct tlb *t, const struct tlb_tag *tag, const struct pt_walk_result *r,
	      uint32_t acl)
{
	assert(r->fault == PT_OK && shift_ok(r->page_shift));
	uint64_t vpn = r->va >> r->page_shift;
	struct tlb_entry *set = tlb_set(t, tlb_set_of(t, vpn)), *victim = NULL;
	for (uint32_t w = 0; w < t->cfg.ways && !victim; w++) /* the same page: refresh it */
		if (set[w].valid && set[w].page_shift == r->page_shift && set[w].vpn == vpn &&
		    tag_eq(&set[w], tag))
			victim = &set[w];
	for (uint32_t w = 0; w < t->cfg.ways && !victim; w++) /* the first free way */
		if (!set[w].valid)
			victim = &set[w];
	if (!victim) { /* the least recently used way; ticks are unique */
		victim = &set[0];
		for (uint32_t w = 1; w < t->cfg.ways; w++)
			if (set[w].lru < victim->lru)
				victim = &set[w];
	}
	uint64_t off = (1ull << r->page_shift) - 1;
	t->acl_entries -= victim->valid && victim->acl;
	t->acl_entries += acl != 0;
	*victim = (struct tlb_entry){
		.vpn = vpn, .pa = r->pa & ~off, .gpa = r->gpa & ~off, .lru = ++t->tick, .acl = acl,
		.vmid = tag->vmid, .asid = tag->asid, .world = tag->world,
		.page_shift = r->page_shift, .perms = r->perms, .attrs = r->attrs, .valid = 1,
	};
	t->fills++;
}

/* Drop every valid entry `match` selects. */
static unsigned inval_where(struct tlb *t, bool (*match)(const struct tlb_entry *, const void *),
			    const void *arg)
{
	unsigned n = 0;
	pt_cache_clear(&t->walk); /* walk caches go with every TLB maintenance */
	for (size_t i = 0; i < (size_t)t->cfg.sets * t->cfg.ways; i++)
		if (t->e[i].valid && match(&t->e[i], arg)) {
			t->e[i].valid = 0;
			t->acl_entries -= t->e[i].acl != 0;
			n++;
		}
	t->invalidations += n;
	return n;
}

struct va_key {
	const struct tlb_tag *tag;
	uint64_t va;
};
static bool match_va(const struct tlb_entry *e, const void *arg)
{
	const struct va_key *k = arg;
	return tag_eq(e, k->tag) && e->vpn == k->va >> e->page_shift;
}
unsigned tlb_inval_va(struct tlb *t, const struct tlb_tag *tag, uint64_t va)
{
	struct va_key k = { tag, va };
	return inval_where(t, match_va, &k);
}

static bool match_asid(const struct tlb_entry *e, const void *arg)
{
	const struct tlb_tag *tag = arg;
	return tag_eq(e, tag);
}
unsigned tlb_inval_asid(struct tlb *t, uint8_t world, uint16_t vmid, uint16_t asid)
{
	struct tlb_tag tag = { world, vmid, asid };
	return inval_where(t, match_asid, &tag);
}

static bool match_vmid(const struct tlb_entry *e, const void *arg)
{
	const struct tlb_tag *tag = arg;
	return e->world == tag->world && e->vmid == tag->vmid;
}
unsigned tlb_inval_vmid(struct tlb *t, uint8_t world, uint16_t vmid)
{
	struct tlb_tag tag = { world, vmid, 0 };
	return inval_where(t, match_vmid, &tag);
}

static bool match_any(const struct tlb_entry *e, const void *arg)
{
	(void)e;
	(void)arg;
	return true;
}
unsigned tlb_inval_all(struct tlb *t)
{
	return inval_where(t, match_any, NULL);
}

struct pa_range {
	uint64_t first, last; /* inclusive */
};
static bool match_pa(const struct tlb_entry *e, const void *arg)
{
	const struct pa_range *r = arg;
	uint64_t last = e->pa + ((1ull << e->page_shift) - 1);
	return e->pa <= r->last && last >= r->first;
}
unsigned tlb_inval_pa(struct tlb *t, uint64_t pa, uint64_t size)
{
	if (!size)
		return 0;
	struct pa_range r = { pa, size - 1 > UINT64_MAX - pa ? UINT64_MAX : pa + size - 1 };
	return inval_where(t, match_pa, &r);
}
