/* Granule protection check: the two-level GPT walk and the GPI decision of
 * Arm ARM DDI 0487 K.a chapter D9, plus fault routing; see gpc.h. Rule IDs in
 * comments are the Arm ARM's. */
#include "models/mmu/gpc.h"

#include <assert.h>
#include <errno.h>

/* GPCCR_EL3.PPS encodings 0..6 (D9.3); 7 is reserved. */
static const uint8_t pps_bits_of[] = { 32, 36, 40, 42, 44, 48, 52 };

int gpc_geom_decode(const struct gpc_config *cfg, struct gpc_geom *g)
{
	/* R_JWCSM: each of these makes GPCCR_EL3 invalid (GPT walk fault, level 0). */
	if (cfg->pps >= sizeof(pps_bits_of))
		return -EINVAL;
	unsigned pps = pps_bits_of[cfg->pps];
	if (pps > cfg->pa_bits) /* PPS beyond the implemented PA size */
		return -EINVAL;
	switch (cfg->pgs) { /* PGS: 0b01 is 64KB and 0b10 is 16KB, not the other way round */
	case 0: g->pgs_bits = 12; break;
	case 1: g->pgs_bits = 16; break;
	case 2: g->pgs_bits = 14; break;
	default: return -EINVAL;
	}
	switch (cfg->l0gptsz) { /* L0GPTSZ: 1GB, 16GB, 64GB or 512GB */
	case 0: case 4: case 6: case 9: break;
	default: return -EINVAL;
	}
	g->pps_bits = pps;
	g->l0_bits = 30u + cfg->l0gptsz;
	/* GPTBR_EL3.BADDR bits below the L0 table's alignment are RES0 and, unlike
	 * RES0 bits in descriptors, not an error: the table starts at the aligned
	 * address (as QEMU models it). */
	uint64_t align = gpc_table_align(gpc_l0_table_bytes(g));
	g->l0_base = ((cfg->gptbr & GPT_GPTBR_BADDR_MASK) << 12) & ~(align - 1);
	return 0;
}

static struct gpc_walk walk_fault(struct gpc_walk w, enum gpc_fault f)
{
	w.fault = f;
	return w;
}

static struct gpc_walk walk_fetch(const struct gpc_reader *rd, struct gpc_walk w, uint64_t pa)
{
	w.desc_pa = pa;
	w.reads++;
	int err = rd->read64(rd->ctx, pa, &w.desc);
	if (err) { /* a failed descriptor fetch is a GPT external abort at this level */
		assert(err < 0);
		w.err = err;
		w.desc = 0;
		return walk_fault(w, GPC_FAULT_EABT);
	}
	return w;
}

struct gpc_walk gpc_walk(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa)
{
	struct gpc_walk w = { .fault = GPC_OK };
	struct gpc_geom g;

	/* R_GMGRR priority 1: invalid configuration (R_JWCSM). */
	if (gpc_geom_decode(cfg, &g))
		return walk_fault(w, GPC_FAULT_WALK);
	/* Priority 2: PA beyond PPS; gpc_check lets NS through first (R_CPDSB). */
	uint64_t outside = ~(gpc_pps_size(&g) - 1);
	if (pa & outside)
		return walk_fault(w, GPC_FAULT_ADDR_SIZE);
	/* Priority 3: the L0 table base beyond PPS. */
	if (g.l0_base & outside)
		return walk_fault(w, GPC_FAULT_ADDR_SIZE);

	/* Level 0 (D9.5.1): one descriptor per 2^l0_bits bytes, PA[pps-1:l0_bits]. */
	w = walk_fetch(rd, w, g.l0_base + 8 * gpc_l0_index(&g, pa));
	if (w.fault)
		return w;
	uint64_t l1_base;
	switch (w.desc & GPT_DESC_TYPE_MASK) {
	case GPT_L0_BLOCK:
		if (w.desc >> 8) /* R_XNKFZ: RES0 bits set in a GPT entry */
			return walk_fault(w, GPC_FAULT_WALK);
		w.gpi = (uint8_t)((w.desc >> GPT_GPI_SHIFT) & 0xf);
		return w;
	case GPT_L0_TABLE:
		l1_base = w.desc & ~GPT_DESC_TYPE_MASK;
		/* R_XNKFZ: [11:4], [63:52] and the bits of an L1 address that is
		 * misaligned or beyond PPS are RES0. */
		if (l1_base & (outside | (gpc_table_align(gpc_l1_table_bytes(&g)) - 1)))
			return walk_fault(w, GPC_FAULT_WALK);
		break;
	default: /* not a Block or Table descriptor */
		return walk_fault(w, GPC_FAULT_WALK);
	}

	/* Level 1 (D9.5.2): one descriptor per 16 granules, PA[l0_bits-1:pgs+4]. */
	w.level = 1;
	w = walk_fetch(rd, w, l1_base + 8 * gpc_l1_index(&g, pa));
	if (w.fault)
		return w;
	/* GPI 0b0001 is reserved, so a Granules descriptor can never validly start
	 * with it: that low nibble always marks a Contiguous descriptor (as in TF-A
	 * gpt_rme and QEMU; no enable bit). */
	if ((w.desc & GPT_DESC_TYPE_MASK) == GPT_L1_CONTIG) {
		if (w.desc >> 10) /* R_XNKFZ */
			return walk_fault(w, GPC_FAULT_WALK);
		if (((w.desc >> GPT_L1_CONTIG_SHIFT) & 3) == 0) /* Contig 0b00 is reserved */
			return walk_fault(w, GPC_FAULT_WALK);
		/* The Contig size only licenses caching the GPI for the whole block;
		 * the GPI of this PA is the descriptor's either way. */
		w.gpi = (uint8_t)((w.desc >> GPT_GPI_SHIFT) & 0xf);
		return w;
	}
	/* Granules descriptor: GPI of the granule = nibble PA[pgs+3:pgs]. */
	w.gpi = (uint8_t)((w.desc >> gpc_gpi_shift(&g, pa)) & 0xf);
	return w;
}

bool gpi_is_valid(const struct gpc_config *cfg, uint8_t gpi)
{
	switch (gpi) {
	case GPI_NO_ACCESS: case GPI_SECURE: case GPI_NS: case GPI_ROOT: case GPI_REALM: case GPI_ANY:
		return true;
	case GPI_NSO:
		return cfg->nso;
	default:
		return false;
	}
}

/* D9.5.3 GPI encodings: does the GPI allow this access? A reserved value is a
 * GPT walk fault at the level it was found. */
enum gpc_fault gpc_gpi_decide(const struct gpc_config *cfg, uint8_t gpi, enum cc_pas pas,
				 enum cc_world world)
{
	if (!gpi_is_valid(cfg, gpi))
		return GPC_FAULT_WALK;
	switch (gpi) {
	case GPI_ANY:
		return GPC_OK;
	case GPI_SECURE: case GPI_NS: case GPI_ROOT: case GPI_REALM:
		return (gpi & 3) == (uint8_t)pas ? GPC_OK : GPC_FAULT_GPF;
	case GPI_NSO: /* FEAT_RME_GPC2: NS PAS, and only from Non-secure or Root state */
		return pas == PAS_NS && (world == WORLD_NS || world == WORLD_ROOT) ? GPC_OK
										   : GPC_FAULT_GPF;
	default: /* GPI_NO_ACCESS */
		return GPC_FAULT_GPF;
	}
}

struct gpc_result gpc_check(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa,
			    enum cc_pas pas, enum cc_world world)
{
	struct gpc_result r = { .fault = GPC_OK, .pa = pa, .pas = pas };

	/* D9.1: a world emitting a PAS it cannot reach is a bug in the caller. */
	assert(cc_world_may_use_pas(world, pas));
	if (!cfg->enabled) { /* GPCCR_EL3.GPC == 0: no check */
		r.gpi = GPI_ANY;
		return r;
	}
	struct gpc_geom g;
	if (gpc_geom_decode(cfg, &g)) { /* R_GMGRR priority 1 (R_JWCSM) */
		r.fault = GPC_FAULT_WALK;
		return r;
	}
	if (pas == PAS_NS && (pa >> g.pps_bits)) { /* R_CPDSB: NS beyond PPS is not checked */
		r.gpi = GPI_ANY;
		return r;
	}
	struct gpc_walk w = gpc_walk(cfg, rd, pa);
	r.level = w.level;
	r.reads = w.reads;
	if (w.fault) {
		r.fault = w.fault;
		return r;
	}
	r.gpi = w.gpi;
	r.fault = gpc_gpi_decide(cfg, w.gpi, pas, world);
	return r;
}

const char *gpc_fault_name(enum gpc_fault f)
{
	static const char *const n[] = {
		[GPC_OK] = "ok",
		[GPC_FAULT_GPF] = "gpf",
		[GPC_FAULT_WALK] = "walk",
		[GPC_FAULT_ADDR_SIZE] = "addr_size",
		[GPC_FAULT_EABT] = "eabt",
	};
	return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}

const char *gpi_name(uint8_t gpi)
{
	switch (gpi) {
	case GPI_NO_ACCESS: return "no_access";
	case GPI_SECURE: return "secure";
	case GPI_NS: return "ns";
	case GPI_ROOT: return "root";
	case GPI_REALM: return "realm";
	case GPI_NSO: return "nso";
	case GPI_ANY: return "any";
	default: return "reserved";
	}
}

/* ESR_EL3.ISS.GPCSC kinds, shifted left 2 with the level in [1:0]. */
static const uint8_t gpcsc_kind[] = {
	[GPC_FAULT_ADDR_SIZE] = 0x0, /* 0b0000LL */
	[GPC_FAULT_WALK] = 0x1,      /* 0b0001LL */
	[GPC_FAULT_GPF] = 0x3,       /* 0b0011LL */
	[GPC_FAULT_EABT] = 0x5,      /* 0b0101LL */
};

/* MFAR_EL3.{NSE,NS} per PAS: Secure 00, NS 01, Root 10, Realm 11. */
static uint64_t mfar_of(uint64_t pa, enum cc_pas pas)
{
	static const uint64_t space[] = {
		[PAS_SECURE] = 0,
		[PAS_NS] = 1ull << 63,
		[PAS_ROOT] = 1ull << 62,
		[PAS_REALM] = 3ull << 62,
	};
	return (pa & (((1ull << 52) - 1) & ~0xfffull)) | space[pas & 3];
}

struct gpc_report gpc_route(const struct gpc_result *r, unsigned el, bool scr_gpf, bool hcr_gpf,
			    bool on_walk, int walk_level)
{
	assert(r->fault != GPC_OK && (unsigned)r->fault < sizeof(gpcsc_kind));
	assert(el <= 3);
	assert(!on_walk || (walk_level >= -1 && walk_level <= 3));
	assert(r->level <= 1);

	struct gpc_report rep = {
		/* ESR_ELx xFSC (D24.2): GPF on a translation table walk, or on the output. */
		.fsc = !on_walk ? 0x28 : walk_level < 0 ? 0x23 : (uint8_t)(0x24 | walk_level),
		.gpcsc = (uint8_t)(gpcsc_kind[r->fault] << 2 | r->level),
		.mfar = mfar_of(r->pa, r->pas),
	};
	if (r->fault != GPC_FAULT_GPF) { /* R_PYTGX: GPT faults are always GPC exceptions */
		rep.to_el3 = true;
		rep.target_el = 3;
	} else if (el == 3) { /* R_BLYPM: a GPF at EL3 is an ordinary abort to EL3 */
		rep.target_el = 3;
	} else if (scr_gpf) { /* R_VBZMW, R_LXHQR: SCR_EL3.GPF takes GPFs to EL3 */
		rep.to_el3 = true;
		rep.target_el = 3;
	} else if (el == 2 || hcr_gpf) { /* HCR_EL2.GPF routes EL0/EL1 GPFs to EL2 */
		rep.target_el = 2;
	} else {
		rep.target_el = 1;
	}
	return rep;
}
