/* The two-stage walk and the table builders; formats live in pt_x86.c and
 * pt_arm.c. Nested walks follow Intel SDM vol. 3C 29.3.2, AMD APM vol. 2
 * 15.25.5 and Arm ARM DDI 0487 D8 (stage 2 of a stage 1 walk); see pt.h. */
#include "models/mmu/pt.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>

struct walk {
	const struct pt_config *cfg;
	const struct pt_io *io;
	struct pt_walk_result *r;
};

/* What one stage resolved. */
struct leaf {
	uint64_t out;
	uint8_t level;
	uint8_t perms;
	uint8_t attrs;
};

static bool fail(struct pt_walk_result *r, enum pt_fault f, unsigned stage, unsigned level,
		 uint64_t addr)
{
	r->fault = f;
	r->stage = (uint8_t)stage;
	r->level = (uint8_t)level;
	r->fault_addr = addr;
	return false;
}

static bool s2_translate(struct walk *w, uint64_t gpa, uint8_t need, bool s1ptw, struct leaf *lf);

/* --- walk caches (pt.h: struct pt_cache) --- */

void pt_cache_clear(struct pt_cache *c)
{
	for (uint32_t i = 0; i < c->n; i++) /* whole: a free entry holds no verdict */
		c->e[i] = (struct pt_cache_entry){ 0 };
}

static struct pt_cache_entry *cache_find(struct pt_cache *c, uint8_t kind, uint8_t level,
					 uint64_t r1, uint64_t r2, uint64_t key)
{
	for (uint32_t i = 0; i < c->n; i++) {
		struct pt_cache_entry *e = &c->e[i];
		if (e->kind == kind && e->level == level && e->key == key && e->r1 == r1 && e->r2 == r2) {
			e->lru = ++c->tick;
			c->hits++;
			return e;
		}
	}
	c->misses++;
	return NULL;
}

static struct pt_cache_entry *cache_put(struct pt_cache *c, uint8_t kind, uint8_t level,
					 uint64_t r1, uint64_t r2, uint64_t key, uint64_t out,
					 uint8_t perms)
{
	struct pt_cache_entry *v = &c->e[0];
	for (uint32_t i = 0; i < c->n; i++) {
		struct pt_cache_entry *e = &c->e[i];
		if (!e->kind) {
			v = e;
			break;
		}
		if (e->lru < v->lru)
			v = e;
	}
	*v = (struct pt_cache_entry){ .key = key, .r1 = r1, .r2 = r2, .out = out, .lru = ++c->tick,
				      .kind = kind, .level = level, .perms = perms };
	return v;
}

/* The roots a stage's table entries are read under: its own, and for a
 * nested stage 1 (whose tables are guest-physical) stage 2's. */
static void stage_roots(const struct walk *w, unsigned stage, uint64_t root, uint64_t *r1,
			uint64_t *r2)
{
	*r1 = root;
	*r2 = stage == 1 && w->cfg->nested ? w->cfg->s2.root : 0;
}

/* Walk one stage from root for input address `in`. Stage 1 table addresses
 * are guest-physical when nested and go through stage 2 first. */
static bool walk_stage(struct walk *w, const struct pt_stage *st, unsigned stage, uint64_t root,
		       uint64_t in, struct leaf *lf)
{
	const struct pt_format_ops *ops = pt_format_ops(st->fmt);
	uint64_t table = root, r1, r2;
	uint8_t perms = PT_PERM_ALL;
	unsigned first = st->start_level;
	struct pt_cache *pc = w->io->cache && w->io->cache->n ? w->io->cache : NULL;
	struct pt_cache_entry *fresh = NULL; /* the nested TLB entry this read's page just got */
	bool checked = false;                /* its verdict is cached: the read needs no check */
	stage_roots(w, stage, root, &r1, &r2);
	/* the deepest table a walk cache remembers for this input */
	for (unsigned level = PT_LEVELS - 2; pc && level + 1 > st->start_level; level--) {
		const struct pt_cache_entry *e =
			cache_find(pc, (uint8_t)stage, (uint8_t)level, r1, r2, in >> pt_level_shift(level));
		if (e) {
			table = e->out;
			perms = e->perms;
			first = level + 1;
			break;
		}
		if (level == 0)
			break;
	}

	for (unsigned level = first; level < PT_LEVELS; level++) {
		/* The starting level of a concatenated stage 2 is indexed by every
		 * input bit above its level (the input size was checked). */
		uint64_t idx = level == st->start_level && level > 0 ? in >> pt_level_shift(level)
								    : pt_index(level, in);
		/* the address the reader knows the entry by: a stage 1 table
		 * entry's GPA, or for stage 2 the GPA being translated (TDX: it
		 * tells the Secure EPT from the shared one) */
		uint64_t epa = table + 8ull * idx, eipa = stage == 2 ? in : epa;
		if (stage == 1 && w->cfg->nested) {
			/* APM 15.25 (nested walk, fault ordering): the nested walk of
			 * a guest table access is a user access and a write. EPT
			 * (A/D off) and Arm stage 2 need read. */
			uint8_t need = w->cfg->s2.fmt == PT_FMT_X86 ? PT_PERM_UW : PT_PERM_SR;
			struct pt_cache_entry *n = pc ? cache_find(pc, 3, 3, r2, 0, epa >> 12) : NULL;
			if (n && (n->perms & need) == need) {
				epa = n->out | (epa & 0xfff);
				checked = n->checked;
			} else {
				struct leaf t;
				if (!s2_translate(w, epa, need, true, &t))
					return false;
				fresh = pc ? cache_put(pc, 3, 3, r2, 0, epa >> 12, t.out & ~0xfffull,
						       t.perms) : NULL;
				epa = t.out;
			}
		}
		uint64_t e = 0;
		w->r->refs++;
		if (pc)
			pc->read_checked = checked;
		int err = w->io->read64(w->io->ctx, epa, eipa, stage == 2, &e, &w->r->cycles);
		if (pc)
			pc->read_checked = false;
		/* the read passed the platform's checks; unless an invalidation
		 * during it emptied the caches */
		if (!err && fresh && fresh->kind == 3)
			fresh->checked = 1;
		fresh = NULL;
		checked = false;
		if (err) { /* external abort on a table fetch, reported at this level */
			assert(err < 0);
			w->r->err = err;
			return fail(w->r, PT_FAULT_EXT_ABORT, stage, level, in);
		}
		struct pt_desc d = ops->decode(st, level, e);
		if (d.kind == PT_DESC_INVALID)
			return fail(w->r, PT_FAULT_NOT_PRESENT, stage, level, in);
		if (d.fault)
			return fail(w->r, d.fault, stage, level, in);
		perms &= d.perms;
		if (d.kind == PT_DESC_TABLE) {
			table = d.addr;
			if (pc)
				cache_put(pc, (uint8_t)stage, (uint8_t)level, r1, r2,
					  in >> pt_level_shift(level), table, perms);
			continue;
		}
		/* Arm: an Access flag fault outranks a Permission fault, so it is
		 * taken here, before the caller judges the access. */
		if (!d.af)
			return fail(w->r, PT_FAULT_ACCESS_FLAG, stage, level, in);
		lf->out = d.addr | (in & (pt_level_size(level) - 1));
		lf->level = (uint8_t)level;
		lf->perms = perms;
		lf->attrs = d.attrs;
		return true;
	}
	assert(!"a level 3 descriptor is always a page or invalid");
	return false;
}

/* Input beyond a 4-level, 48-bit table: a Translation fault at level 0 for
 * Arm and a GPA no 4-level nested table maps. */
static bool in_range_48(uint64_t in)
{
	return (in >> 48) == 0;
}

static bool s2_translate(struct walk *w, uint64_t gpa, uint8_t need, bool s1ptw, struct leaf *lf)
{
	const struct pt_config *cfg = w->cfg;
	uint64_t root = cfg->s2.root;
	/* TDX: GPA.SHARED selects the shared EPT, walked with the full GPA. */
	if (cfg->shared_bit && cfg->s2_shared_root && ((gpa >> cfg->shared_bit) & 1))
		root = cfg->s2_shared_root;
	unsigned in_bits = cfg->s2.in_bits ? cfg->s2.in_bits : 48;
	bool ok = (gpa >> in_bits) == 0 ? walk_stage(w, &cfg->s2, 2, root, gpa, lf)
					: fail(w->r, PT_FAULT_NOT_PRESENT, 2, cfg->s2.start_level, gpa);
	if (ok) {
		/* APM 15.25: every nested access is a user access, so NPT user
		 * rights apply to guest user and supervisor accesses alike. */
		if (cfg->s2.fmt == PT_FMT_X86)
			lf->perms = (uint8_t)((lf->perms & 7) | ((lf->perms & 7) << 3));
		if ((lf->perms & need) == need)
			return true;
		fail(w->r, PT_FAULT_PERM, 2, lf->level, gpa);
	}
	w->r->s1ptw = s1ptw;
	return false;
}

struct pt_walk_result pt_translate(const struct pt_config *cfg, const struct pt_io *io,
				   uint64_t va, unsigned acc)
{
	struct pt_walk_result r = { .va = va };
	struct walk w = { cfg, io, &r };
	uint64_t root = cfg->s1.root;

	switch (cfg->s1.fmt) {
	case PT_FMT_X86: /* SDM vol. 1 3.3.7.1: VA[63:47] must sign-extend bit 47; with
			  * stage 1 off the address is a GPA (a TD's may carry GPA.SHARED) */
		if (!cfg->s1_off && (uint64_t)((int64_t)(va << 16) >> 16) != va) {
			fail(&r, PT_FAULT_CANONICAL, 1, 0, va);
			return r;
		}
		break;
	case PT_FMT_ARM_S1: /* TTBR0 for VA[63:48] = 0, TTBR1 for all ones (T0SZ = T1SZ = 16) */
		if ((va >> 48) == 0xffff && cfg->s1.root_hi) {
			root = cfg->s1.root_hi;
			break;
		}
		/* fall through */
	default:
		if (!in_range_48(va)) {
			fail(&r, PT_FAULT_NOT_PRESENT, 1, 0, va);
			return r;
		}
	}

	struct leaf l1;
	if (cfg->s1_off) {
		/* Arm ARM D8.2.x: with stage 1 disabled the IPA is the VA, Normal
		 * memory, every right granted at stage 1. */
		assert(cfg->nested);
		l1 = (struct leaf){ .out = va, .level = 3, .perms = PT_PERM_ALL };
		/* An SEV guest with paging off: every access is private (APM
		 * vol. 2 15.34.5, the C-bit is implied). */
		if (cfg->s1.cbit)
			l1.attrs = PT_ATTR_CBIT;
	} else if (!walk_stage(&w, &cfg->s1, 1, root, va, &l1)) {
		return r;
	}
	r.gpa = l1.out;
	r.level = l1.level;
	r.page_shift = (uint8_t)pt_level_shift(l1.level);
	r.perms = l1.perms;
	r.attrs = l1.attrs;
	if (cfg->shared_bit && ((l1.out >> cfg->shared_bit) & 1))
		r.attrs |= PT_ATTR_SHARED;
	/* Stage 1 rights are judged before the final GPA is translated: a guest
	 * fault outranks a stage 2 fault on the same access (APM 15.25.6). */
	if (!pt_perm_allows(l1.perms, acc)) {
		fail(&r, PT_FAULT_PERM, 1, l1.level, va);
		return r;
	}
	if (!cfg->nested) {
		r.pa = l1.out;
		return r;
	}
	struct leaf l2;
	if (!s2_translate(&w, l1.out, pt_perm_of(acc), false, &l2))
		return r;
	r.pa = l2.out;
	r.perms = l1.perms & l2.perms;
	if (pt_level_shift(l2.level) < r.page_shift)
		r.page_shift = (uint8_t)pt_level_shift(l2.level);
	if (l2.attrs & PT_ATTR_CBIT)
		r.attrs |= PT_ATTR_S2_CBIT;
	r.attrs |= l2.attrs & PT_ATTR_NS;
	return r;
}

const char *pt_fault_name(enum pt_fault f)
{
	static const char *const n[] = {
		[PT_OK] = "ok",
		[PT_FAULT_NOT_PRESENT] = "not_present",
		[PT_FAULT_PERM] = "perm",
		[PT_FAULT_RSVD] = "rsvd",
		[PT_FAULT_ADDR_SIZE] = "addr_size",
		[PT_FAULT_ACCESS_FLAG] = "access_flag",
		[PT_FAULT_CANONICAL] = "canonical",
		[PT_FAULT_EXT_ABORT] = "ext_abort",
	};
	return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}

/* ---- Builders */

static int size_level(uint64_t size, unsigned *level)
{
	switch (size) {
	case 1ull << 12: *level = 3; return 0;
	case 1ull << 21: *level = 2; return 0;
	case 1ull << 30: *level = 1; return 0;
	default: return -EINVAL;
	}
}

/* Descend from root to the table holding va's entry at `target`, creating
 * tables on the way when `create`. *slot is that entry's address. */
static int descend(const struct pt_builder *b, uint64_t root, uint64_t va, unsigned target,
		   bool create, unsigned flags, uint64_t *slot)
{
	const struct pt_format_ops *ops = pt_format_ops(b->st->fmt);
	uint64_t table = root;
	for (unsigned level = 0; level < target; level++) {
		uint64_t epa = table + 8ull * pt_index(level, va), e;
		int rc = b->read64(b->ctx, epa, &e);
		if (rc)
			return rc;
		struct pt_desc d = ops->decode(b->st, level, e);
		if (d.kind == PT_DESC_LEAF)
			return -EEXIST; /* a block covers va; splitting is the caller's job */
		if (d.kind == PT_DESC_INVALID) {
			if (!create)
				return -ENOENT;
			if ((rc = b->alloc_table(b->ctx, &d.addr)) ||
			    (rc = ops->encode_table(b->st, level, d.addr, flags, &e)) ||
			    (rc = b->write64(b->ctx, epa, e)))
				return rc;
		} else if (d.fault) {
			return -EINVAL; /* a malformed table entry is not ours to fix */
		}
		table = d.addr;
	}
	*slot = table + 8ull * pt_index(target, va);
	return 0;
}

int pt_map(const struct pt_builder *b, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned prot, unsigned flags)
{
	unsigned level;
	uint64_t slot, e, old;
	int rc = size_level(size, &level);
	if (rc || ((va | pa) & (size - 1)))
		return -EINVAL;
	if ((rc = pt_format_ops(b->st->fmt)->encode_leaf(b->st, level, pa, prot, flags, &e)))
		return rc;
	if ((rc = descend(b, root, va, level, true, flags, &slot)) || (rc = b->read64(b->ctx, slot, &old)))
		return rc;
	if (pt_format_ops(b->st->fmt)->decode(b->st, level, old).kind == PT_DESC_TABLE)
		return -EEXIST; /* smaller pages are mapped under this block */
	return b->write64(b->ctx, slot, e);
}

int pt_unmap(const struct pt_builder *b, uint64_t root, uint64_t va, uint64_t size)
{
	unsigned level;
	uint64_t slot, old;
	int rc = size_level(size, &level);
	if (rc || (va & (size - 1)))
		return -EINVAL;
	if ((rc = descend(b, root, va, level, false, 0, &slot)) || (rc = b->read64(b->ctx, slot, &old)))
		return rc;
	if (pt_format_ops(b->st->fmt)->decode(b->st, level, old).kind != PT_DESC_LEAF)
		return -ENOENT;
	return b->write64(b->ctx, slot, 0);
}
