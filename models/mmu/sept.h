/* Secure EPT of an Intel TDX trust domain: the private GPA -> HPA tables in
 * 4- or 5-level EPT format, edited only by the TDX module. Entry states live
 * in bits the CPU ignores, encoded as the open-source module 1.5 does
 * (intel/tdx-module x86_defs.h ia32e_sept_t, auto_gen/sept_state_lookup.h).
 * The operations mirror the SEAMCALL/TDCALL leaves and return the module's
 * completion status (pamt.h); sept_translate is the pure check of one TD
 * access, as the CPU walk plus the module's EPT-violation handler decide it. */
#ifndef CCSIM_MMU_SEPT_H
#define CCSIM_MMU_SEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mmu/pamt.h"

/* EPT entry bits the CPU interprets (Intel SDM vol. 3, 29.3.2). */
#define SEPT_R (1ull << 0)
#define SEPT_W (1ull << 1)
#define SEPT_X (1ull << 2)
#define SEPT_RWX 0x7ull
#define SEPT_MT_SHIFT 3          /* memory type [5:3]; 2, 3, 7 are reserved */
#define SEPT_MT_WB 6ull
#define SEPT_IPAT (1ull << 6)
#define SEPT_PS (1ull << 7)      /* leaf at 2M/1G; the module also sets it on 4K leaves */
#define SEPT_ADDR_MASK 0x000ffffffffff000ull
#define SEPT_SVE (1ull << 63)    /* suppress #VE: the module sets it in every entry */
/* Module-only bits (ignored by the CPU): dirty doubles as a state bit, entry
 * lock, exported, blocked-for-write, blocked, pending. */
#define SEPT_D (1ull << 9)
#define SEPT_TDEL (1ull << 11)
#define SEPT_TDEX (1ull << 53)
#define SEPT_TDBW (1ull << 54)
#define SEPT_TDB (1ull << 55)
#define SEPT_TDP (1ull << 56)
#define SEPT_STATE_MASK (SEPT_D | SEPT_IPAT | SEPT_PS | SEPT_TDEX | SEPT_TDBW | SEPT_TDB | SEPT_TDP)
/* The value of a FREE entry (the module's SEPTE_INIT_VALUE). */
#define SEPT_FREE_VALUE (SEPT_TDEX | SEPT_TDBW | SEPT_TDB | SEPT_SVE)

/* Entry states, in the module's index order. The EXPORTED and BLOCKEDW ones
 * belong to live migration: decoded, never produced here. */
enum sept_state {
	SEPT_FREE, SEPT_REMOVED, SEPT_NL_MAPPED, SEPT_NL_BLOCKED, SEPT_MAPPED, SEPT_BLOCKED,
	SEPT_BLOCKEDW, SEPT_EXPORTED_BLOCKEDW, SEPT_EXPORTED_DIRTY, SEPT_EXPORTED_DIRTY_BLOCKEDW,
	SEPT_PENDING, SEPT_PENDING_BLOCKED, SEPT_PENDING_BLOCKEDW, SEPT_PENDING_EXPORTED_BLOCKEDW,
	SEPT_PENDING_EXPORTED_DIRTY, SEPT_PENDING_EXPORTED_DIRTY_BLOCKEDW,
	SEPT_STATE_BAD, /* an encoding the module never writes */
};

/* Levels as the ABI numbers them: 0 = 4K PTE, 1 = PDE (2M), 2 = PDPTE (1G),
 * 3 = PML4E, 4 = PML5E. */
#define SEPT_LEVEL_4K 0u
#define SEPT_LEVEL_2M 1u
#define SEPT_LEVEL_1G 2u

static inline uint64_t sept_level_size(unsigned level) { return 1ull << (12 + 9 * level); }
static inline unsigned sept_index(uint64_t gpa, unsigned level)
{
	return (unsigned)(gpa >> (12 + 9 * level)) & 511;
}

/* The TDCS execution controls that matter to the tables and the check. */
struct sept_config {
	uint64_t root;     /* HPA of the root table (SEPTP) */
	uint8_t levels;    /* EPT page-walk length: 4, or 5 (required when gpaw) */
	bool gpaw;         /* GPAW: GPA width 52 with the shared bit 51, else 48 and bit 47 */
	bool pending_ve;   /* #VE on a PENDING page (ATTRIBUTES.SEPT_VE_DISABLE == 0);
			      otherwise the access TD-exits to the host */
	uint8_t pa_bits;   /* MAXPHYADDR: entry address bits at and above it are reserved */
};

static inline unsigned sept_shared_bit(const struct sept_config *cfg) { return cfg->gpaw ? 51 : 47; }
static inline unsigned sept_gpa_width(const struct sept_config *cfg) { return cfg->gpaw ? 52 : 48; }

/* GPA.SHARED (TDX module base spec, "GPA space"): accesses with it set go
 * through the host's shared EPT, not the Secure EPT; the platform routes them. */
static inline bool sept_is_shared(const struct sept_config *cfg, uint64_t gpa)
{
	return (gpa >> sept_shared_bit(cfg)) & 1;
}

/* levels is 4 or 5, a 52-bit GPA needs 5, pa_bits is 32..52. */
bool sept_config_valid(const struct sept_config *cfg);

/* 8-byte accesses to Secure EPT pages. The platform encrypts them with the
 * TD's private key; entries here hold plain HPAs without KeyID bits.
 * Return 0 or a negative errno. */
struct sept_io {
	int (*read)(void *ctx, uint64_t pa, uint64_t *val);
	int (*write)(void *ctx, uint64_t pa, uint64_t val);
	void *ctx;
	/* Optional: a whole 64-byte line written at once (the module's direct
	 * writes when it fills a new table); NULL: eight 8-byte writes. */
	int (*write_line)(void *ctx, uint64_t pa, const uint8_t line[64]);
};

enum sept_fault {
	SEPT_OK = 0,
	SEPT_FAULT_VIOLATION, /* EPT violation: TD exit to the host */
	SEPT_FAULT_VE,        /* #VE injected into the TD */
	SEPT_FAULT_MISCONFIG, /* EPT misconfiguration (the module treats it as fatal) */
	SEPT_FAULT_GPA,       /* GPA bits above the GPA width: #PF(RSVD) in the TD */
	SEPT_FAULT_EABT,      /* a table read failed in the platform */
};

struct sept_result {
	enum sept_fault fault;
	uint8_t level;         /* level of the entry that mapped the page or stopped the walk */
	uint8_t rwx;           /* permissions allowed by all entries read (exit qualification) */
	bool pending;          /* violation on a PENDING page with #VE disabled: the module
				  reports it to the host as a pending-page EPT violation */
	enum sept_state state; /* state of the entry at `level` */
	uint64_t gpa;
	uint64_t hpa;          /* on success */
	uint64_t entry;        /* last entry read */
	unsigned reads;        /* table reads: memory references for the timing model */
};

/* One private-GPA TD access (read, write, or instruction fetch), walked from
 * cfg->root. The GPA must not be shared (asserted: the platform routes those).
 * A non-present entry (FREE, BLOCKED, PENDING, REMOVED: RWX = 0) or missing
 * permission is an EPT violation; the module turns it into #VE when the entry
 * is PENDING and cfg->pending_ve (td_ept_violation.c), or the CPU when the
 * entry has SVE clear (never in a module-written table). */
struct sept_result sept_translate(const struct sept_config *cfg, const struct sept_io *io,
				  uint64_t gpa, bool write, bool exec);

/* The TD, as the module's TDR/TDCS describe it to these leaves. */
enum sept_td_state {
	SEPT_TD_BUILD,    /* OP_STATE INITIALIZED: before TDH.MR.FINALIZE, no TLB tracking */
	SEPT_TD_RUNNABLE, /* OP_STATE RUNNABLE: removal needs BLOCK + TRACK first */
};

struct sept_td {
	uint64_t tdr;                /* HPA of the TDR: PAMT owner of every page of the TD */
	enum sept_td_state op_state;
	uint64_t td_epoch;           /* TDCS.TD_EPOCH, advanced by TDH.MEM.TRACK */
	uint32_t refcount[2];        /* vCPUs still running in epoch parity 0 / 1 */
};

/* Has every vCPU left the epoch in which the page was blocked? (the
 * module's is_tlb_tracked: BEPOCH older than TD_EPOCH - 1, or equal to it
 * with no vCPU left counted in that epoch) */
static inline bool sept_tlb_tracked(const struct sept_td *td, uint64_t bepoch)
{
	if (bepoch >= td->td_epoch)
		return false;
	if (bepoch + 1 == td->td_epoch)
		return td->refcount[bepoch & 1] == 0;
	return true;
}

/* Everything one leaf needs. */
struct sept_env {
	const struct sept_config *cfg;
	const struct sept_io *io;
	const struct pamt_config *pamt;
	const struct pamt_io *pamt_io;
	const struct sept_td *td;
};

/* What a leaf reports besides its status (the module's RCX/RDX "SEPT entry
 * and level" on SEPT errors). */
struct sept_op {
	uint64_t entry;        /* the SEPT entry it stopped at (failure) or wrote (success) */
	uint8_t level;         /* its level */
	enum sept_state state; /* its state */
	uint64_t hpa;          /* page mapped, accepted or removed */
};

/* Fill the 4 KB table at hpa with FREE entries (the root at TDH.MNG.INIT;
 * SEPT.ADD does it for its own pages). */
__attribute__((warn_unused_result))
uint64_t sept_table_init(const struct sept_io *io, uint64_t hpa);

/* The leaves. Each checks, in the module's order: the TDR's PAMT entry
 * (operand RDX), the TD's op state, level and GPA (RCX: private, below the
 * GPA width, aligned to the level), the walk to the entry at `level` (RCX:
 * TDX_EPT_WALK_FAILED), its lock, its state, then the page operand (R8).
 * Statuses carry the operand ID as the module returns them. On failure
 * nothing is written. `out` may be NULL. */

/* TDH.MEM.SEPT.ADD: the FREE entry at level 1..levels-1 becomes NL_MAPPED,
 * pointing at the new table page table_hpa (PT_NDA -> PT_EPT). */
__attribute__((warn_unused_result))
uint64_t sept_add_table(const struct sept_env *e, uint64_t gpa, unsigned level, uint64_t table_hpa,
			struct sept_op *out);

/* TDH.MEM.PAGE.ADD (build time only, 4 KB): FREE -> MAPPED, page PT_NDA ->
 * PT_REG. Copying the source page and extending MRTD are the monitor's. */
__attribute__((warn_unused_result))
uint64_t sept_page_add(const struct sept_env *e, uint64_t gpa, uint64_t hpa, struct sept_op *out);

/* TDH.MEM.PAGE.AUG (4 KB or 2 MB): FREE or REMOVED -> PENDING, page
 * PT_NDA -> PT_REG. */
__attribute__((warn_unused_result))
uint64_t sept_page_aug(const struct sept_env *e, uint64_t gpa, unsigned level, uint64_t hpa,
		       struct sept_op *out);

/* TDG.MEM.PAGE.ACCEPT by the TD (4 KB or 2 MB): PENDING -> MAPPED. A mapped
 * page gives TDX_PAGE_ALREADY_ACCEPTED, a table where a leaf was asked
 * TDX_PAGE_SIZE_MISMATCH (operand: the level reached); any other state makes
 * the vCPU TD-exit with an EPT violation (TDX_SIM_TD_EXIT_EPT_VIOLATION).
 * Zeroing the page with the TD's key (out->hpa) is the monitor's. No 2 MB
 * accept is interrupted here. */
__attribute__((warn_unused_result))
uint64_t sept_accept(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out);

/* TDH.MEM.RANGE.BLOCK: MAPPED -> BLOCKED, PENDING -> PENDING_BLOCKED,
 * NL_MAPPED -> NL_BLOCKED; records TD_EPOCH as the page's (or the child
 * table's) PAMT BEPOCH. TDX_GPA_RANGE_ALREADY_BLOCKED on a blocked entry. */
__attribute__((warn_unused_result))
uint64_t sept_block(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out);

/* TDH.MEM.RANGE.UNBLOCK: the reverse, once TLB tracking is done (RUNNABLE). */
__attribute__((warn_unused_result))
uint64_t sept_unblock(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out);

/* TDH.MEM.PAGE.REMOVE (levels 0..2): a leaf -> FREE, page -> PT_NDA. In a
 * RUNNABLE TD the entry must be blocked and TLB-tracked. (The module writes
 * REMOVED instead of FREE only while importing a migrated TD.) */
__attribute__((warn_unused_result))
uint64_t sept_remove(const struct sept_env *e, uint64_t gpa, unsigned level, struct sept_op *out);

/* TDH.MEM.SEPT.REMOVE (levels 1..levels-1): an NL_BLOCKED entry whose
 * child table holds only FREE entries (TDX_EPT_PAGE_NOT_FREE otherwise)
 * becomes FREE, and the table page PT_EPT -> PT_NDA. In a RUNNABLE TD the
 * block must be TLB-tracked (TDX_TLB_TRACKING_NOT_DONE); a TD still being
 * built needs no tracking. out->hpa: the table page. */
__attribute__((warn_unused_result))
uint64_t sept_remove_table(const struct sept_env *e, uint64_t gpa, unsigned level,
			   struct sept_op *out);

/* Decode an entry's state bits; any level. */
enum sept_state sept_entry_state(uint64_t entry);
/* The state as the ABI reports it (TDH.MEM.SEPT.RD, error details in RDX). */
uint8_t sept_state_public(enum sept_state s);
const char *sept_state_name(enum sept_state s);
/* Stable names for traces and scenario expectations ("sept.violation", ...). */
const char *sept_fault_name(enum sept_fault f);

#endif
