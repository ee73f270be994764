/* PAMT: the TDX module's per-page metadata and the checked transitions it
 * makes on them (TDX module ABI; walk and layout as in the open-source
 * module's pamt_manager.c and helpers.c). Pure functions of the config, the
 * table in simulated memory and the request. */
#include "models/mmu/pamt.h"

#include <stddef.h>

#define GB (1ull << 30)

bool pamt_config_valid(const struct pamt_config *cfg)
{
	return cfg->size && !(cfg->base & (GB - 1)) && !(cfg->size & (GB - 1)) &&
	       cfg->base + cfg->size > cfg->base && !(cfg->pamt_1g & 0xfff) &&
	       !(cfg->pamt_2m & 0xfff) && !(cfg->pamt_4k & 0xfff);
}

static uint64_t rd(const struct pamt_io *io, uint64_t pa, uint64_t *v)
{
	if (io->read(io->ctx, pa, v)) {
		*v = 0;
		return TDX_SIM_IO_ERROR;
	}
	return TDX_SUCCESS;
}

static uint64_t wr(const struct pamt_io *io, uint64_t pa, uint64_t v)
{
	return io->write(io->ctx, pa, v) ? TDX_SIM_IO_ERROR : TDX_SUCCESS;
}

static uint8_t q0_type(uint64_t q0) { return (uint8_t)((q0 >> PAMT_TYPE_SHIFT) & PAMT_TYPE_MASK); }
static uint64_t q0_owner(uint64_t q0) { return (q0 >> PAMT_OWNER_SHIFT) << 12; }
static uint64_t q0_make(enum pamt_page_type t, uint64_t owner)
{
	return (uint64_t)t << PAMT_TYPE_SHIFT | (owner >> 12) << PAMT_OWNER_SHIFT;
}

/* The module's pamt_walk: from the 1 GB entry down, stop at the first entry
 * that is not PT_NDA (a page assigned at that size) or at `target`. Every
 * entry crossed is taken shared, so an exclusive holder there makes the walk
 * fail with TDX_OPERAND_BUSY; the leaf's lock is left to the caller. */
static uint64_t walk(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		     enum pamt_level target, struct pamt_entry *e)
{
	assert(pamt_config_valid(cfg));
	if (!pamt_covers(cfg, pa))
		return TDX_OPERAND_ADDR_RANGE_ERROR;
	for (int l = PAMT_1G;; l--) {
		uint64_t at = pamt_entry_addr(cfg, pa, (enum pamt_level)l), q0;
		uint64_t st = rd(io, at, &q0);
		if (st)
			return st;
		if (q0_type(q0) != PAMT_PT_NDA || l == (int)target) {
			*e = (struct pamt_entry){
				.type = q0_type(q0),
				.level = (uint8_t)l,
				.lock = (uint16_t)(q0 & PAMT_LOCK_MASK),
				.owner = q0_owner(q0),
				.entry_pa = at,
			};
			return rd(io, at + 8, &e->bepoch);
		}
		if (q0 & PAMT_LOCK_EXCLUSIVE)
			return TDX_OPERAND_BUSY;
	}
}

uint64_t pamt_get(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		  struct pamt_entry *out)
{
	return walk(cfg, io, pa, PAMT_4K, out);
}

uint64_t pamt_check_owner(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
			  enum pamt_page_type type, uint64_t owner)
{
	struct pamt_entry e;
	uint64_t st = walk(cfg, io, pa, PAMT_4K, &e);
	if (st)
		return st;
	if (e.lock & PAMT_LOCK_EXCLUSIVE) /* a shared holder waits for no one else */
		return TDX_OPERAND_BUSY;
	if (e.type != type)
		return TDX_PAGE_METADATA_INCORRECT;
	if (e.owner != owner)
		return TDX_PAGE_NOT_OWNED_BY_TD;
	return TDX_SUCCESS;
}

/* Are all entries one level below the level-sized page at pa (and, for
 * 1 GB, below those) PT_NDA? (the module's pamt_is_2mb_range_free) */
static uint64_t range_free(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
			   enum pamt_level level, bool *is_free)
{
	*is_free = true;
	if (level == PAMT_4K)
		return TDX_SUCCESS;
	enum pamt_level below = (enum pamt_level)(level - 1);
	uint64_t step = pamt_level_size(below);
	for (unsigned i = 0; i < 512 && *is_free; i++) {
		uint64_t q0, st = rd(io, pamt_entry_addr(cfg, pa + i * step, below), &q0);
		if (st)
			return st;
		*is_free = q0_type(q0) == PAMT_PT_NDA;
		if (*is_free && (st = range_free(cfg, io, pa + i * step, below, is_free)))
			return st;
	}
	return TDX_SUCCESS;
}

static bool assignable(enum pamt_page_type t)
{
	switch (t) {
	case PAMT_PT_REG: case PAMT_PT_TDR: case PAMT_PT_TDCX: case PAMT_PT_TDVPR:
	case PAMT_PT_TDVPX: case PAMT_PT_EPT:
		return true;
	default:
		return false;
	}
}

uint64_t pamt_assign(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		     enum pamt_level level, enum pamt_page_type type, uint64_t owner)
{
	assert(assignable(type));
	assert(owner && !(owner & ~PAMT_OWNER_MASK));
	if (pa & (pamt_level_size(level) - 1))
		return TDX_OPERAND_INVALID;
	struct pamt_entry e;
	uint64_t st = walk(cfg, io, pa, level, &e);
	if (st)
		return st;
	if (e.lock) /* taken exclusively: any holder blocks */
		return TDX_OPERAND_BUSY;
	/* A larger page already holds pa (walk stopped above), or the page is
	 * someone's: one owner per page. */
	if (e.level != level || e.type != PAMT_PT_NDA)
		return TDX_PAGE_METADATA_INCORRECT;
	bool is_free;
	if ((st = range_free(cfg, io, pa, level, &is_free)))
		return st;
	if (!is_free) /* a smaller page inside is assigned */
		return TDX_PAGE_METADATA_INCORRECT;
	if ((st = wr(io, e.entry_pa, q0_make(type, owner))))
		return st;
	return wr(io, e.entry_pa + 8, 0);
}

uint64_t pamt_free(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		   enum pamt_level level, enum pamt_page_type type, uint64_t owner)
{
	if (pa & (pamt_level_size(level) - 1))
		return TDX_OPERAND_INVALID;
	struct pamt_entry e;
	uint64_t st = walk(cfg, io, pa, level, &e);
	if (st)
		return st;
	if (e.lock)
		return TDX_OPERAND_BUSY;
	/* TDH.PHYMEM.PAGE.RECLAIM: a PT_NDA or PT_RSVD page cannot be freed. */
	if (e.level != level || e.type == PAMT_PT_NDA || e.type == PAMT_PT_RSVD || e.type != type)
		return TDX_PAGE_METADATA_INCORRECT;
	if (e.owner != owner)
		return TDX_PAGE_NOT_OWNED_BY_TD;
	if ((st = wr(io, e.entry_pa, q0_make(PAMT_PT_NDA, 0))))
		return st;
	return wr(io, e.entry_pa + 8, 0);
}

uint64_t pamt_set_bepoch(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
			 enum pamt_level level, uint64_t bepoch)
{
	if (pa & (pamt_level_size(level) - 1))
		return TDX_OPERAND_INVALID;
	struct pamt_entry e;
	uint64_t st = walk(cfg, io, pa, level, &e);
	if (st)
		return st;
	if (e.level != level || e.type == PAMT_PT_NDA || e.type == PAMT_PT_RSVD)
		return TDX_PAGE_METADATA_INCORRECT;
	return wr(io, e.entry_pa + 8, bepoch);
}

uint64_t pamt_reserve(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa)
{
	if (pa & 0xfff)
		return TDX_OPERAND_INVALID;
	struct pamt_entry e;
	uint64_t st = walk(cfg, io, pa, PAMT_4K, &e);
	if (st)
		return st;
	if (e.level != PAMT_4K || e.type != PAMT_PT_NDA)
		return TDX_PAGE_METADATA_INCORRECT;
	return wr(io, e.entry_pa, q0_make(PAMT_PT_RSVD, 0));
}

const char *pamt_page_type_name(unsigned type)
{
	static const char *const n[] = {
		[PAMT_PT_NDA] = "nda", [PAMT_PT_RSVD] = "rsvd", [PAMT_PT_REG] = "reg",
		[PAMT_PT_TDR] = "tdr", [PAMT_PT_TDCX] = "tdcx", [PAMT_PT_TDVPR] = "tdvpr",
		[PAMT_PT_TDVPX] = "tdvpx", [PAMT_PT_EPT] = "sept",
	};
	return type < sizeof(n) / sizeof(n[0]) && n[type] ? n[type] : "reserved";
}
