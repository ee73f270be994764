/* Page-table formats and the two-stage walker: x86-64 4-level paging (Intel
 * SDM vol. 3A ch. 4; AMD APM vol. 2 ch. 5), used for guest tables and AMD
 * nested tables (APM 15.25), Intel EPT (SDM vol. 3C 29.3), and Arm VMSAv8-64
 * 4 KB-granule stage 1 and stage 2 (Arm ARM DDI 0487 D8). The walk is a pure
 * function of a config, the tables (read through a callback) and one access. */
#ifndef CCSIM_MMU_PT_H
#define CCSIM_MMU_PT_H

#include <stdbool.h>
#include <stdint.h>

enum pt_format {
	PT_FMT_X86,    /* x86-64 4-level: guest tables, and AMD NPT (same format) */
	PT_FMT_EPT,    /* Intel EPT (also TDX Secure / shared EPT) */
	PT_FMT_ARM_S1, /* VMSAv8-64 stage 1, EL1&0 regime, 4 KB granule, 48-bit VA */
	PT_FMT_ARM_S2, /* VMSAv8-64 stage 2, 4 KB granule, start level 0 (a realm's RTT) */
};

/* Levels are numbered as the Arm ARM does for every format: 0 is the root
 * (PML4 / EPT PML4 / L0), 3 holds 4 KB pages. All tables have 4 levels. */
#define PT_LEVELS 4
static inline unsigned pt_level_shift(unsigned level) { return 12 + 9 * (3 - level); }
static inline uint64_t pt_level_size(unsigned level) { return 1ull << pt_level_shift(level); }
static inline unsigned pt_index(unsigned level, uint64_t in)
{
	return (unsigned)(in >> pt_level_shift(level)) & 511;
}

/* One translation stage's registers. */
struct pt_stage {
	enum pt_format fmt;
	uint64_t root;    /* CR3 / nCR3 / EPTP / TTBR0 / VTTBR table base (the
			     stage 1 root is a guest-physical address when nested) */
	uint64_t root_hi; /* Arm stage 1: TTBR1, for VA[63:48] all ones; 0 = none */
	uint8_t pa_bits;  /* output size: MAXPHYADDR, TCR.IPS or VTCR.PS. x86 / EPT:
			     address bits [51:pa_bits] are reserved; Arm: a nonzero
			     OA[47:pa_bits] is an Address size fault */
	uint8_t cbit;     /* x86: SEV C-bit position in entries (stage 1: private
			     marking; NPT: host SME), stripped from addresses; 0 = none */
	bool nxe;         /* x86: EFER.NXE (XD is reserved without it) */
	bool wp;          /* x86 stage 1: CR0.WP (supervisor writes obey R/W) */
	bool realm;       /* Arm stage 2 in Realm state: bit 55 is NS (FEAT_RME) */
	uint8_t start_level; /* Arm stage 2: VTCR.SL0 as a level (0..3); 0 elsewhere */
	uint8_t in_bits;  /* Arm stage 2: input size (48 - VTCR.T0SZ); 0 = 48. With a
			     start level above 0, up to 16 concatenated tables sit at
			     root (D8.2.x, concatenated translation tables) */
};

struct pt_config {
	struct pt_stage s1;
	bool nested;             /* translate every stage 1 table address and the
				    final address through s2 */
	bool s1_off;             /* stage 1 disabled (SCTLR_EL1.M = 0): VA = IPA, only
				    s2 translates (requires nested) */
	struct pt_stage s2;
	uint64_t s2_shared_root; /* TDX: shared EPTP, walked for GPAs with the shared
				    bit set; 0 = one stage 2 tree for both halves (CCA) */
	uint8_t shared_bit;      /* TDX GPA.SHARED (47 / 51) or the CCA unprotected IPA
				    bit (IPA width - 1); 0 = none */
};

/* What an access wants: a type, plus PT_ACC_USER for user / EL0 (otherwise
 * supervisor / EL1). Combine with |, e.g. PT_ACC_WRITE | PT_ACC_USER. */
enum pt_access {
	PT_ACC_READ = 0,
	PT_ACC_WRITE = 1,
	PT_ACC_EXEC = 2,
	PT_ACC_TYPE_MASK = 3,
	PT_ACC_USER = 4,
};

/* Permissions a translation grants, both privileges at once, so a cached
 * translation can judge any later access. */
#define PT_PERM_UR 0x01
#define PT_PERM_UW 0x02
#define PT_PERM_UX 0x04
#define PT_PERM_SR 0x08
#define PT_PERM_SW 0x10
#define PT_PERM_SX 0x20
#define PT_PERM_ALL 0x3f

static inline uint8_t pt_perm_of(unsigned acc)
{
	return (uint8_t)(1u << ((acc & PT_ACC_TYPE_MASK) + ((acc & PT_ACC_USER) ? 0 : 3)));
}
static inline bool pt_perm_allows(uint8_t perms, unsigned acc)
{
	return (perms & pt_perm_of(acc)) != 0;
}

/* Attributes of the final translation. */
#define PT_ATTR_CBIT 0x01    /* SEV: the final guest PTE had the C-bit (private) */
#define PT_ATTR_SHARED 0x02  /* TDX / CCA: the stage 1 output has the shared bit */
#define PT_ATTR_NS 0x04      /* Arm realm stage 2 leaf had NS = 1 (NS PAS output) */
#define PT_ATTR_S2_CBIT 0x08 /* the NPT leaf had the host's (SME) C-bit */

enum pt_fault {
	PT_OK = 0,
	PT_FAULT_NOT_PRESENT, /* x86 P = 0, EPT RWX = 0, Arm Translation fault */
	PT_FAULT_PERM,        /* access rights: #PF P=1, NPF, EPT violation, Permission fault */
	PT_FAULT_RSVD,        /* x86 reserved bit (#PF RSVD, NPF RSV), EPT misconfiguration */
	PT_FAULT_ADDR_SIZE,   /* Arm Address size fault: OA beyond pa_bits */
	PT_FAULT_ACCESS_FLAG, /* Arm Access flag fault: AF = 0 (no hardware AF update) */
	PT_FAULT_CANONICAL,   /* x86 non-canonical VA: #GP, no walk */
	PT_FAULT_EXT_ABORT,   /* the reader failed a table fetch; err holds its errno */
};

struct pt_walk_result {
	enum pt_fault fault;
	uint8_t stage;       /* stage that faulted: 1 or 2 (0 without a fault) */
	uint8_t level;       /* level where the walk stopped or the leaf was found */
	bool s1ptw;          /* stage 2 fault on a stage 1 table fetch (Arm S1PTW, NPF
				EXITINFO1[33], EPT qualification bit 8 clear) */
	int err;             /* reader errno for PT_FAULT_EXT_ABORT */
	uint64_t fault_addr; /* stage 1: the VA; stage 2: the GPA / IPA translated */
	uint64_t va;
	uint64_t gpa;        /* stage 1 output (GPA / IPA; the PA when not nested) */
	uint64_t pa;         /* final output */
	uint8_t page_shift;  /* 12, 21 or 30: the smaller of the two stages' pages */
	uint8_t perms;       /* PT_PERM_* of both stages combined */
	uint8_t attrs;       /* PT_ATTR_* */
	unsigned refs;       /* table reads, including a failed one */
	uint64_t cycles;     /* latency the reader reported */
};

/* Table reads. The platform performs each as a checked physical access
 * (caches, access control, encryption with the right key: guest tables with
 * the guest's, stage 2 tables with the host's), adds its latency to *cycles
 * and returns 0 or a negative errno. `ipa` is the address the walk knows the
 * entry by: for a nested stage 1 table, the guest-physical address stage 2
 * translated to pa (an SNP guest's table reads are RMP-checked against it,
 * APM vol. 2 15.36.10); for a stage 2 table, the GPA / IPA that stage 2 is
 * translating (a TDX vCPU reads its Secure EPT under the TD's key, its
 * shared EPT under the host's); otherwise pa. */
struct pt_io {
	int (*read64)(void *ctx, uint64_t pa, uint64_t ipa, bool stage2_table, uint64_t *val,
		      uint64_t *cycles);
	void *ctx;
	struct pt_cache *cache; /* the walker's caches, or NULL: every walk from the root */
};

/* The walk caches a core keeps beside its TLB: what upper-level table
 * entries said (AMD's page directory cache, Intel's paging-structure
 * caches, Arm's walk caches: the next table for an input address's top
 * bits), and the stage 2 translations of stage 1 table pages (AMD's nested
 * TLB). A hit skips those reads, and with them their nested walks and
 * checks. Entries are tagged by the roots they were read under and go with
 * any TLB invalidation (tlb.c), as x86 INVLPG / ASID flushes and Arm TLBIs
 * take walk caches with them. Fully associative, LRU. */
struct pt_cache_entry {
	uint64_t key;      /* stage 1 / 2: the input's bits above the level; nested: the GPA page */
	uint64_t r1, r2;   /* the roots the entry was read under */
	uint64_t out;      /* the next table, or the nested translation's page */
	uint64_t lru;
	uint8_t kind;      /* 0: free; 1, 2: a stage's table entry; 3: nested TLB */
	uint8_t level;
	uint8_t perms;
	uint8_t checked;   /* nested TLB: a read of the page passed the platform's fill-time
			      checks (AMD RMP), cached like a TLB entry's verdict */
};
struct pt_cache {
	struct pt_cache_entry *e;
	uint32_t n;        /* entries (0: none) */
	uint64_t tick;
	uint64_t hits, misses;
	/* Set by the walker for the one table read it is making when the
	 * nested TLB entry of that page carries a verdict: the reader may skip
	 * the fill-time check (cpu.c: walk_read64). */
	bool read_checked;
};
/* Forget everything (a TLB invalidation). */
void pt_cache_clear(struct pt_cache *c);

/* Translate va for one access. Nested: each stage 1 table address and the
 * final GPA go through stage 2, so a 4x4 walk costs up to 24 reads. */
struct pt_walk_result pt_translate(const struct pt_config *cfg, const struct pt_io *io,
				   uint64_t va, unsigned acc);

/* Private per the configured architecture: SEV by the C-bit, TDX / CCA by
 * the absence of the shared bit; false when neither is configured. */
static inline bool pt_result_private(const struct pt_config *cfg, const struct pt_walk_result *r)
{
	if (cfg->s1.cbit)
		return (r->attrs & PT_ATTR_CBIT) != 0;
	if (cfg->shared_bit)
		return (r->attrs & PT_ATTR_SHARED) == 0;
	return false;
}

const char *pt_fault_name(enum pt_fault f); /* "ok", "not_present", "perm", ... */

/* ---- Builders: used by tests and the host / guest stacks, never by the walk. */

/* prot for pt_map; x86 / NPT cannot express a non-readable page, nor a
 * non-executable one without NXE (-EINVAL). NPT leaves need PT_PROT_USER:
 * nested accesses are user accesses (APM 15.25). */
#define PT_PROT_R 0x1
#define PT_PROT_W 0x2
#define PT_PROT_X 0x4
#define PT_PROT_USER 0x8 /* x86 U/S, Arm AP[1] (EL0); ignored by EPT and Arm stage 2 */
/* flags for pt_map */
#define PT_MAP_CBIT 0x1  /* x86: set the C-bit in the leaf and in tables this call creates */
#define PT_MAP_NS 0x2    /* Arm realm stage 2: NS = 1 (an unprotected mapping) */
#define PT_MAP_NO_AF 0x4 /* Arm: leave AF clear (the next access takes an Access flag fault) */
#define PT_MAP_RSVD 0x8  /* x86: set reserved bit 51 in the leaf, so every access faults with
			    RSVD: how a hypervisor marks emulated MMIO (an SEV-ES guest then
			    takes #VC instead of an exit, APM vol. 2 15.35.4) */

/* Table memory for the builders, addressed as the tables' owner sees it (a
 * guest's builder works in GPAs). alloc_table returns a zeroed 4 KB page. */
struct pt_builder {
	const struct pt_stage *st;
	int (*read64)(void *ctx, uint64_t addr, uint64_t *val);
	int (*write64)(void *ctx, uint64_t addr, uint64_t val);
	int (*alloc_table)(void *ctx, uint64_t *addr);
	void *ctx;
};

/* Map [va, va+size) to pa; size 4 KB, 2 MB or 1 GB, both aligned to it.
 * Replaces a leaf of the same size. -EINVAL for bad sizes, alignment or
 * unrepresentable prot; -EEXIST where a block or table is in the way; the
 * callbacks' errors as they come. */
__attribute__((warn_unused_result))
int pt_map(const struct pt_builder *b, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned prot, unsigned flags);
/* Clear the leaf of that size at va (tables are kept). -ENOENT if none,
 * -EEXIST if a larger block covers va. */
__attribute__((warn_unused_result))
int pt_unmap(const struct pt_builder *b, uint64_t root, uint64_t va, uint64_t size);

/* ---- Format back ends (pt_x86.c, pt_arm.c), shared by the walk and the builders. */

enum pt_desc_kind { PT_DESC_INVALID, PT_DESC_TABLE, PT_DESC_LEAF };

struct pt_desc {
	enum pt_desc_kind kind;
	enum pt_fault fault; /* a present descriptor the walk must reject, or PT_OK */
	uint8_t perms;       /* PT_PERM_* this descriptor leaves for what is below it */
	uint8_t attrs;       /* PT_ATTR_CBIT / PT_ATTR_NS of a leaf */
	bool af;             /* Arm access flag; always true for x86 formats */
	uint64_t addr;       /* next table or page / block base */
};

struct pt_format_ops {
	const char *name;
	struct pt_desc (*decode)(const struct pt_stage *st, unsigned level, uint64_t e);
	/* 0 or -EINVAL; level is where the entry goes. */
	int (*encode_table)(const struct pt_stage *st, unsigned level, uint64_t table,
			    unsigned flags, uint64_t *e);
	int (*encode_leaf)(const struct pt_stage *st, unsigned level, uint64_t pa, unsigned prot,
			   unsigned flags, uint64_t *e);
};

extern const struct pt_format_ops pt_x86_ops, pt_ept_ops, pt_arm_s1_ops, pt_arm_s2_ops;

static inline const struct pt_format_ops *pt_format_ops(enum pt_format f)
{
	switch (f) {
	case PT_FMT_X86: return &pt_x86_ops;
	case PT_FMT_EPT: return &pt_ept_ops;
	case PT_FMT_ARM_S1: return &pt_arm_s1_ops;
	case PT_FMT_ARM_S2: return &pt_arm_s2_ops;
	}
	return &pt_x86_ops;
}

/* Bits [hi:lo]. */
static inline uint64_t pt_bits(unsigned hi, unsigned lo)
{
	return (hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

#endif
