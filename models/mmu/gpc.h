/* Granule protection check (Arm ARM DDI 0487 K.a, chapter D9, FEAT_RME): a
 * pure function of the GPCCR_EL3 / GPTBR_EL3 state, the granule protection
 * table in memory (read through a callback) and one access, returning a fault
 * record. The CPU MMU, the SMMU model and gpt.c share this one walk. */
#ifndef CCSIM_MMU_GPC_H
#define CCSIM_MMU_GPC_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mmu/pas.h"

/* GPI encodings (D9.5, GPT descriptor formats); every other value is
 * reserved. The low two bits of 0x8..0xB are the PAS (see pas.h). */
#define GPI_NO_ACCESS 0x0
#define GPI_SECURE 0x8
#define GPI_NS 0x9
#define GPI_ROOT 0xA
#define GPI_REALM 0xB
#define GPI_NSO 0xD /* FEAT_RME_GPC2, only when GPCCR_EL3.NSO is set */
#define GPI_ANY 0xF

/* GPT descriptor fields (D9.5). */
#define GPT_DESC_TYPE_MASK 0xfull
#define GPT_L0_BLOCK 0x1ull        /* GPI in [7:4], [63:8] RES0 */
#define GPT_L0_TABLE 0x3ull        /* L1 table address in [51:12], the rest RES0 */
#define GPT_L1_CONTIG 0x1ull       /* GPI in [7:4], Contig in [9:8], [63:10] RES0 */
#define GPT_L1_CONTIG_SHIFT 8
#define GPT_GPI_SHIFT 4
#define GPT_GPTBR_BADDR_MASK ((1ull << 40) - 1) /* GPTBR_EL3.BADDR = PA[51:12] */

/* The GPCCR_EL3 / GPTBR_EL3 state that matters to the check. */
struct gpc_config {
	bool enabled;     /* GPCCR_EL3.GPC */
	uint8_t pps;      /* GPCCR_EL3.PPS: 0..6 = 32,36,40,42,44,48,52 bits */
	uint8_t pgs;      /* GPCCR_EL3.PGS: 0b00 4KB, 0b01 64KB, 0b10 16KB (sic), 0b11 reserved */
	uint8_t l0gptsz;  /* GPCCR_EL3.L0GPTSZ: an L0 entry covers 2^(30+l0gptsz); 0, 4, 6, 9 */
	bool nso;         /* GPCCR_EL3.NSO: GPI_NSO is usable, otherwise reserved */
	uint8_t pa_bits;  /* implemented PA size; a PPS above it is a configuration error */
	uint64_t gptbr;   /* GPTBR_EL3: BADDR[39:0] = PA[51:12] of the L0 table */
};

/* Fetches one 8-byte GPT descriptor from the Root PAS. Returns 0, or a
 * negative errno, which the check reports as an external abort. */
struct gpc_reader {
	int (*read64)(void *ctx, uint64_t pa, uint64_t *val);
	void *ctx;
};

enum gpc_fault {
	GPC_OK = 0,
	GPC_FAULT_GPF,       /* granule protection fault: the GPI denies the access */
	GPC_FAULT_WALK,      /* GPT walk fault: bad config, bad descriptor or reserved GPI */
	GPC_FAULT_ADDR_SIZE, /* GPT address size fault (always level 0) */
	GPC_FAULT_EABT,      /* external abort on a GPT descriptor fetch */
};

struct gpc_result {
	enum gpc_fault fault;
	uint8_t level;   /* GPT level that decided or faulted: 0 or 1 */
	uint8_t gpi;     /* GPI that decided; GPI_ANY if the check was bypassed
			    (GPC off, NS PA beyond PPS); 0 if no GPI was reached */
	uint64_t pa;     /* the access, as reported in MFAR_EL3 */
	enum cc_pas pas;
	unsigned reads;  /* descriptors fetched */
};

/* The table geometry a valid configuration decodes to. */
struct gpc_geom {
	unsigned pps_bits;  /* protected PA space is [0, 2^pps_bits) */
	unsigned pgs_bits;  /* granule size 2^pgs_bits: 12, 14 or 16 */
	unsigned l0_bits;   /* one L0 entry covers 2^l0_bits bytes: 30..39 */
	uint64_t l0_base;   /* PA of the L0 table: BADDR with its RES0 low bits cleared */
};

/* Decode cfg (ignoring cfg->enabled). Returns 0, or -EINVAL for a
 * configuration the architecture calls invalid (R_JWCSM). */
__attribute__((warn_unused_result))
int gpc_geom_decode(const struct gpc_config *cfg, struct gpc_geom *g);

/* Index bits of the L0 table: none when one L0 entry covers the whole PPS. */
static inline unsigned gpc_l0_index_bits(const struct gpc_geom *g)
{
	return g->pps_bits > g->l0_bits ? g->pps_bits - g->l0_bits : 0;
}
static inline uint64_t gpc_l0_table_bytes(const struct gpc_geom *g)
{
	return 8ull << gpc_l0_index_bits(g);
}
/* An L1 table holds one 8-byte descriptor per 16 granules of its L0 region. */
static inline uint64_t gpc_l1_table_bytes(const struct gpc_geom *g)
{
	return 8ull << (g->l0_bits - g->pgs_bits - 4);
}
/* Tables are aligned to their size, and at least to 4KB. */
static inline uint64_t gpc_table_align(uint64_t bytes) { return bytes < 4096 ? 4096 : bytes; }
static inline uint64_t gpc_pps_size(const struct gpc_geom *g) { return 1ull << g->pps_bits; }
/* Descriptor positions for a PA inside the PPS. */
static inline uint64_t gpc_l0_index(const struct gpc_geom *g, uint64_t pa)
{
	return gpc_l0_index_bits(g) ? pa >> g->l0_bits : 0;
}
static inline uint64_t gpc_l1_index(const struct gpc_geom *g, uint64_t pa)
{
	return (pa & ((1ull << g->l0_bits) - 1)) >> (g->pgs_bits + 4);
}
static inline unsigned gpc_gpi_shift(const struct gpc_geom *g, uint64_t pa)
{
	return (unsigned)((pa >> g->pgs_bits) & 0xf) * 4;
}

/* Where the GPI for a PA lives, as found by gpc_walk. */
struct gpc_walk {
	enum gpc_fault fault; /* GPC_OK: a GPI was found (not yet judged) */
	uint8_t level;        /* level of the descriptor that holds the GPI, or that faulted */
	uint8_t gpi;          /* raw GPI, possibly a reserved value */
	uint64_t desc_pa;     /* PA of that descriptor (once fetched) */
	uint64_t desc;        /* its value */
	unsigned reads;
	int err;              /* the reader's errno for GPC_FAULT_EABT */
};

/* The part of the check that does not depend on the access: configuration,
 * PA and GPTBR against PPS (any PA beyond PPS is an address size fault here),
 * descriptor fetches and formats. Ignores cfg->enabled, so firmware can use
 * it on a table it has not yet switched on. */
struct gpc_walk gpc_walk(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa);

/* The granule protection check of one access to `pa` in `pas` by `world`.
 * The world must be allowed to emit that PAS (asserted). */
struct gpc_result gpc_check(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa,
			    enum cc_pas pas, enum cc_world world);

/* True if gpi is not reserved under cfg (GPI_NSO needs cfg->nso). */
/* The access decision for a known GPI (Arm ARM D9.1): GPC_OK or
 * GPC_FAULT_GPF, or GPC_FAULT_WALK for a reserved value. Shared by the walk
 * and by anything that caches GPIs (TLBs). */
enum gpc_fault gpc_gpi_decide(const struct gpc_config *cfg, uint8_t gpi, enum cc_pas pas,
			      enum cc_world world);
bool gpi_is_valid(const struct gpc_config *cfg, uint8_t gpi);

const char *gpc_fault_name(enum gpc_fault f); /* "ok", "gpf", "walk", "addr_size", "eabt" */
const char *gpi_name(uint8_t gpi);            /* "no_access", "secure", ..., "reserved" */

/* How a GPC fault is reported (D9.4; D1 "Granule Protection Check exceptions"). */
struct gpc_report {
	bool to_el3;       /* a GPC exception (EC 0x1E) taken to EL3, MFAR_EL3 = mfar.
			      false: an Instruction/Data Abort taken to target_el
			      (which is 3 for a GPF at EL3, R_BLYPM) */
	uint8_t target_el;
	uint8_t fsc;       /* xFSC: 0b101000 GPF on the access output, 0b1001LL GPF on a
			      stage 1/2 table walk at level LL (0b100011 for level -1) */
	uint8_t gpcsc;     /* ESR_EL3.ISS.GPCSC of a GPC exception: kind << 2 | level */
	uint64_t mfar;     /* MFAR_EL3: PA[51:12], NS (bit 63) and NSE (bit 62) of the PAS */
};

/* Route fault r (not GPC_OK) raised at exception level `el`. on_walk: the
 * checked PA was a stage 1 or stage 2 table descriptor fetch at walk_level
 * (-1..3). hcr_gpf is the effective HCR_EL2.GPF (false when EL2 is off in
 * the current security state); HCR_EL2.TGE and stage 2 fault routing are
 * left to the caller. */
struct gpc_report gpc_route(const struct gpc_result *r, unsigned el, bool scr_gpf, bool hcr_gpf,
			    bool on_walk, int walk_level);

#endif
