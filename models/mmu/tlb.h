/* A set-associative TLB: entries tagged by (world, VMID, ASID / PCID, VA page,
 * page size) that cache a whole translation together with the access-control
 * verdicts taken at fill time (permissions, private / shared, and the
 * platform's GPC / RMP / SEPT bits), as Arm ARM D8 (TLB maintenance) and D9.5
 * allow. An entry keeps granting what it cached until the matching
 * invalidation (x86 INVLPG / INVLPGA / ASID flush, Arm TLBI VAE1 / ASIDE1 /
 * VMALLS12E1 / ALLE1 / RPALOS) removes it. Global pages are not modelled. */
#ifndef CCSIM_MMU_TLB_H
#define CCSIM_MMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mmu/pt.h"
#include "sim/model.h"

struct sim;

struct tlb_config {
	uint32_t sets;       /* power of two */
	uint32_t ways;       /* 1 or more; sets * ways <= TLB_MAX_ENTRIES */
	uint32_t hit_cycles; /* latency of a hit; a miss costs the walk */
	uint32_t walk_cache; /* entries of the walk caches beside it (pt.h: struct pt_cache); 0: none */
};
#define TLB_WALK_CACHE_MAX 1024u
#define TLB_MAX_ENTRIES (1u << 20)

/* The ASID of identity entries: an untranslated master's (the host's
 * direct map, a vm actor) page, which caches the platform's fill-time
 * verdicts; no real context uses it. */
#define TLB_ASID_PHYS 0xffffu

/* The translation context an entry belongs to. */
struct tlb_tag {
	uint8_t world;  /* enum cc_world */
	uint16_t vmid;  /* Arm VMID / the VM (0 for the host) */
	uint16_t asid;  /* Arm ASID, x86 PCID, or AMD ASID */
};

struct tlb_entry {
	uint64_t vpn;     /* va >> page_shift */
	uint64_t pa;      /* output page base */
	uint64_t gpa;     /* stage 1 output page base */
	uint64_t lru;     /* tick of the last fill or hit; larger is newer */
	uint32_t acl;     /* opaque platform verdict bits (GPC / RMP / SEPT) */
	uint16_t vmid, asid;
	uint8_t world;
	uint8_t page_shift; /* 12, 21 or 30 */
	uint8_t perms;      /* PT_PERM_* */
	uint8_t attrs;      /* PT_ATTR_* */
	uint8_t valid;
};

struct tlb {
	struct sim_model base;
	struct tlb_config cfg;
	struct tlb_entry *e; /* sets * ways, set-major */
	uint64_t tick;
	uint64_t hits, misses, fills, invalidations;
	uint32_t acl_entries; /* valid entries caching platform verdicts (acl != 0); derived */
	struct pt_cache walk; /* the core's walk caches: any invalidation empties them */
};

/* -EINVAL for a bad geometry. */
__attribute__((warn_unused_result))
int tlb_init(struct tlb *t, struct sim *s, const char *name, const struct tlb_config *cfg);

/* The entry translating va in the tag's context, or NULL. A hit refreshes
 * the entry's LRU age and adds hit_cycles to *cycles (cycles may be NULL). */
const struct tlb_entry *tlb_lookup(struct tlb *t, const struct tlb_tag *tag, uint64_t va,
				   uint64_t *cycles);
static inline uint64_t tlb_entry_pa(const struct tlb_entry *e, uint64_t va)
{
	return e->pa | (va & ((1ull << e->page_shift) - 1));
}
/* Cache a successful walk (r->fault == PT_OK) for r->va, replacing an entry
 * for the same page or else the set's least recently used one. */
void tlb_fill(struct tlb *t, const struct tlb_tag *tag, const struct pt_walk_result *r,
	      uint32_t acl);

/* Invalidations; each returns the number of entries removed. */
/* By VA in one context: INVLPG / INVLPGA, TLBI VAE1 (the entry of any page
 * size that maps va). */
unsigned tlb_inval_va(struct tlb *t, const struct tlb_tag *tag, uint64_t va);
/* By ASID: INVPCID single-context, an SVM ASID flush, TLBI ASIDE1. */
unsigned tlb_inval_asid(struct tlb *t, uint8_t world, uint16_t vmid, uint16_t asid);
/* By VMID: TLBI VMALLS12E1, INVEPT single-context. */
unsigned tlb_inval_vmid(struct tlb *t, uint8_t world, uint16_t vmid);
/* The 4 KB entry for va in the tag's context, or NULL: tlb_lookup for
 * masters whose entries are all 4 KB (identity entries of untranslated
 * accesses), counted the same, no latency added. */
const struct tlb_entry *tlb_lookup_4k(struct tlb *t, const struct tlb_tag *tag, uint64_t va);
/* Everything: TLBI ALLE1, a full flush. */
unsigned tlb_inval_all(struct tlb *t);
/* By output PA: TLBI RPALOS, for entries whose page overlaps [pa, pa+size). */
unsigned tlb_inval_pa(struct tlb *t, uint64_t pa, uint64_t size);

#endif
