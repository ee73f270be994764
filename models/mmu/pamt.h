/* Physical Address Metadata Table of the Intel TDX module: one 16-byte entry
 * per 1 GB, 2 MB and 4 KB page of a TDMR, holding the page type, the owning
 * TDR and BEPOCH. Page types and status codes follow the TDX module ABI; the
 * entry layout and the 1G -> 2M -> 4K walk follow the open-source module
 * (intel/tdx-module src/common/memory_handlers/pamt_manager.{h,c}). */
#ifndef CCSIM_MMU_PAMT_H
#define CCSIM_MMU_PAMT_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

/* TDX module completion status (RAX of SEAMCALL/TDCALL), values from the
 * ABI's error code table (tdx-module include/auto_gen/tdx_error_codes_defs.h,
 * same in Linux). Bit 63 = error; bits 31:0 carry details, usually the ID of
 * the operand at fault. Shared by pamt.c, sept.c and the TDX monitor. */
#define TDX_SUCCESS                   0x0000000000000000ull
#define TDX_OPERAND_INVALID           0xC000010000000000ull
#define TDX_OPERAND_ADDR_RANGE_ERROR  0xC000010100000000ull
#define TDX_OPERAND_BUSY              0x8000020000000000ull
#define TDX_PAGE_METADATA_INCORRECT   0xC000030000000000ull
#define TDX_PAGE_NOT_OWNED_BY_TD      0xC000030200000000ull
#define TDX_OP_STATE_INCORRECT        0xC000060800000000ull
#define TDX_EPT_WALK_FAILED           0xC0000B0000000000ull
#define TDX_GPA_RANGE_NOT_BLOCKED     0xC0000B0600000000ull
#define TDX_GPA_RANGE_ALREADY_BLOCKED 0x00000B0700000000ull
#define TDX_TLB_TRACKING_NOT_DONE     0xC0000B0800000000ull
#define TDX_PAGE_ALREADY_ACCEPTED     0x00000B0A00000000ull
#define TDX_PAGE_SIZE_MISMATCH        0xC0000B0B00000000ull
#define TDX_EPT_ENTRY_STATE_INCORRECT 0xC0000B0D00000000ull
#define TDX_EPT_PAGE_NOT_FREE         0xC0000B0E00000000ull

/* Operand IDs in status bits 31:0 (same table). */
#define TDX_OPERAND_ID_RCX 1ull
#define TDX_OPERAND_ID_RDX 2ull
#define TDX_OPERAND_ID_R8  8ull

/* ccsim-only outcomes, outside the module's code space (class 0xFFFF):
 * IO_ERROR: a PAMT or Secure EPT access failed in the platform (poison,
 * bus error); the real module would take a machine check.
 * TD_EXIT_EPT_VIOLATION: the TDCALL does not return to the TD; the vCPU
 * TD-exits to the host with an EPT violation (TDG.MEM.PAGE.ACCEPT on a page
 * it cannot accept). */
#define TDX_SIM_IO_ERROR              0xFFFF000100000000ull
#define TDX_SIM_TD_EXIT_EPT_VIOLATION 0xFFFF000200000000ull

static inline uint64_t tdx_status_class(uint64_t s) { return s & 0xFFFFFFFF00000000ull; }
static inline bool tdx_status_is_error(uint64_t s) { return (s >> 63) != 0; }
static inline uint64_t tdx_status_operand(uint64_t s, uint64_t id)
{
	return s == TDX_SUCCESS || s >= TDX_SIM_IO_ERROR ? s : s | id;
}

/* PAMT page types (ABI "PAMT entry", as returned by TDH.PHYMEM.PAGE.RDMD).
 * PT_TDVPX exists in TDX 1.0 only; 1.5 keeps 7 reserved. PT_EPT is the page
 * type of Secure EPT pages. Other values are reserved. */
enum pamt_page_type {
	PAMT_PT_NDA = 0,   /* not assigned: free for the module to hand out */
	PAMT_PT_RSVD = 1,  /* reserved area of a TDMR: never assignable */
	PAMT_PT_REG = 3,   /* TD private page */
	PAMT_PT_TDR = 4,
	PAMT_PT_TDCX = 5,
	PAMT_PT_TDVPR = 6,
	PAMT_PT_TDVPX = 7,
	PAMT_PT_EPT = 8,
};

/* PAMT levels, numbered like the ABI's page size (0 = 4K, 1 = 2M, 2 = 1G). */
enum pamt_level { PAMT_4K = 0, PAMT_2M = 1, PAMT_1G = 2 };

static inline uint64_t pamt_level_size(enum pamt_level l) { return 1ull << (12 + 9 * (unsigned)l); }

/* Entry layout, 16 bytes (tdx-module 1.5 pamt_entry_t; the ABI does not make
 * it architectural): qword 0 = lock [15:0] | type [20:16] | owner PA[51:12]
 * in [63:24]; qword 1 = BEPOCH. The lock is a sharex lock: bit 0 exclusive,
 * bit 1 host priority, [15:2] count of shared holders. */
#define PAMT_ENTRY_BYTES 16u
#define PAMT_LOCK_MASK 0xffffull
#define PAMT_LOCK_EXCLUSIVE 0x1ull
#define PAMT_TYPE_SHIFT 16
#define PAMT_TYPE_MASK 0x1full
#define PAMT_OWNER_SHIFT 24
#define PAMT_OWNER_MASK 0x000ffffffffff000ull

/* One TDMR and its three PAMT arrays, in memory the platform reserves for
 * the module (only its global private KeyID reaches them: checked by the
 * platform's io, not here). base and size are 1 GB aligned; the arrays are
 * 4 KB aligned and pamt_array_bytes() long. */
struct pamt_config {
	uint64_t base;     /* first byte of memory covered */
	uint64_t size;     /* bytes covered */
	uint64_t pamt_1g;  /* PA of the 1 GB entries: one per GB */
	uint64_t pamt_2m;  /* PA of the 2 MB entries: 512 per GB */
	uint64_t pamt_4k;  /* PA of the 4 KB entries: 512 * 512 per GB */
};

/* 8-byte accesses to PAMT memory. Each call is one memory reference for the
 * timing model (the callbacks may count them). Return 0 or a negative errno. */
struct pamt_io {
	int (*read)(void *ctx, uint64_t pa, uint64_t *val);
	int (*write)(void *ctx, uint64_t pa, uint64_t val);
	void *ctx;
};

/* The leaf entry that describes a page: the first entry on the 1G -> 2M -> 4K
 * path whose type is not PT_NDA, or the 4 KB one. */
struct pamt_entry {
	uint8_t type;      /* enum pamt_page_type (raw: may be a reserved value) */
	uint8_t level;     /* enum pamt_level of the entry */
	uint16_t lock;
	uint64_t owner;    /* PA of the owning TDR; 0 for PT_NDA and PT_RSVD */
	uint64_t bepoch;   /* TD epoch when the page was last blocked */
	uint64_t entry_pa; /* where the entry lives */
};

static inline uint64_t pamt_array_bytes(uint64_t size, enum pamt_level l)
{
	return (size / pamt_level_size(l)) * PAMT_ENTRY_BYTES;
}

/* PA of the level-l entry that covers pa (pa inside the TDMR). */
static inline uint64_t pamt_entry_addr(const struct pamt_config *cfg, uint64_t pa, enum pamt_level l)
{
	static const unsigned shift[] = { 12, 21, 30 };
	uint64_t arr = l == PAMT_4K ? cfg->pamt_4k : l == PAMT_2M ? cfg->pamt_2m : cfg->pamt_1g;
	return arr + ((pa - cfg->base) >> shift[l]) * PAMT_ENTRY_BYTES;
}

static inline bool pamt_covers(const struct pamt_config *cfg, uint64_t pa)
{
	return pa >= cfg->base && pa - cfg->base < cfg->size;
}

/* Single owner (ABI "PAMT"): a free or reserved page has no owner, an
 * assigned one exactly one. ccsim clears the owner on free (the module only
 * resets the type), which makes this checkable. */
static inline void pamt_entry_assert(const struct pamt_entry *e)
{
	assert(e->level <= PAMT_1G);
	assert((e->owner & ~PAMT_OWNER_MASK) == 0);
	assert(e->type == PAMT_PT_NDA || e->type == PAMT_PT_RSVD ? e->owner == 0 : e->owner != 0);
}

/* base/size 1 GB aligned and non-empty, arrays 4 KB aligned. */
bool pamt_config_valid(const struct pamt_config *cfg);

/* The metadata of the page containing pa. TDX_OPERAND_ADDR_RANGE_ERROR if
 * no TDMR covers pa (as the module's pamt_get_block). Reads one qword per
 * level walked plus BEPOCH: 4 reads for a 4 KB leaf. */
__attribute__((warn_unused_result))
uint64_t pamt_get(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		  struct pamt_entry *out);

/* Does the page containing pa have this type and owner? Takes the entry as
 * a shared holder: TDX_OPERAND_BUSY if it is held exclusively;
 * TDX_PAGE_METADATA_INCORRECT for another type (as the module's
 * check_and_lock_explicit_private_hpa), TDX_PAGE_NOT_OWNED_BY_TD for
 * another owner. */
__attribute__((warn_unused_result))
uint64_t pamt_check_owner(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
			  enum pamt_page_type type, uint64_t owner);

/* Hand the level-sized page at pa to owner as `type` (the module's
 * check_and_lock_free_range_hpa + PAMT update in TDH.MNG.CREATE/ADDCX,
 * TDH.VP.CREATE/ADDCX, TDH.MEM.SEPT.ADD, PAGE.ADD, PAGE.AUG). Fails, changing
 * nothing, with TDX_OPERAND_INVALID (pa not aligned to the level),
 * TDX_OPERAND_ADDR_RANGE_ERROR, TDX_OPERAND_BUSY (entry locked), or
 * TDX_PAGE_METADATA_INCORRECT when the page is not PT_NDA at exactly that
 * level, or a smaller page inside it is assigned: the single-owner rule.
 * BEPOCH is reset to 0. type must be an assignable type and owner a 4 KB
 * aligned PA (asserted). */
__attribute__((warn_unused_result))
uint64_t pamt_assign(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		     enum pamt_level level, enum pamt_page_type type, uint64_t owner);

/* Return the level-sized page at pa to PT_NDA (TDH.PHYMEM.PAGE.RECLAIM,
 * TDH.MEM.PAGE.REMOVE). Fails with TDX_OPERAND_INVALID,
 * TDX_OPERAND_ADDR_RANGE_ERROR, TDX_OPERAND_BUSY,
 * TDX_PAGE_METADATA_INCORRECT (leaf not at that level, page PT_NDA or
 * PT_RSVD, or not of `type`) or TDX_PAGE_NOT_OWNED_BY_TD. */
__attribute__((warn_unused_result))
uint64_t pamt_free(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
		   enum pamt_level level, enum pamt_page_type type, uint64_t owner);

/* Record BEPOCH of the level-sized leaf page at pa (TDH.MEM.RANGE.BLOCK).
 * TDX_PAGE_METADATA_INCORRECT if the leaf is not at that level or is free. */
__attribute__((warn_unused_result))
uint64_t pamt_set_bepoch(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa,
			 enum pamt_level level, uint64_t bepoch);

/* Mark the 4 KB page at pa PT_RSVD (TDH.SYS.TDMR.INIT for a TDMR reserved
 * area). TDX_PAGE_METADATA_INCORRECT unless it is PT_NDA. */
__attribute__((warn_unused_result))
uint64_t pamt_reserve(const struct pamt_config *cfg, const struct pamt_io *io, uint64_t pa);

const char *pamt_page_type_name(unsigned type);

#endif
