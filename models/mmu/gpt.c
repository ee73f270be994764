/* GPT layout and runtime edits by EL3 firmware; see gpt.h. Descriptor
 * formats are Arm ARM DDI 0487 K.a D9.5; the lookups reuse gpc_walk. */
#include "models/mmu/gpt.h"

#include <assert.h>
#include <errno.h>

size_t gpt_l0_table_size(const struct gpc_config *cfg)
{
	struct gpc_geom g;
	return gpc_geom_decode(cfg, &g) ? 0 : (size_t)gpc_l0_table_bytes(&g);
}

size_t gpt_l1_table_size(const struct gpc_config *cfg)
{
	struct gpc_geom g;
	return gpc_geom_decode(cfg, &g) ? 0 : (size_t)gpc_l1_table_bytes(&g);
}

/* A Granules descriptor whose 16 GPIs are `inside` for granules in [lo, hi)
 * and `outside` elsewhere; `pa` is the first granule it covers. */
static uint64_t granules_desc(const struct gpc_geom *g, uint64_t pa, uint64_t lo, uint64_t hi,
			      uint8_t inside, uint8_t outside)
{
	uint64_t desc = 0;
	for (unsigned i = 0; i < 16; i++) {
		uint64_t gpa = pa + ((uint64_t)i << g->pgs_bits);
		uint64_t gpi = gpa >= lo && gpa < hi ? inside : outside;
		desc |= gpi << (4 * i);
	}
	return desc;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int gpt_build(const struct gpc_config *cfg, const struct gpc_writer *wr, uint8_t default_gpi,
	      uint64_t l1_base, uint64_t l1_start, uint64_t l1_end, uint8_t l1_gpi)
{
	struct gpc_geom g;
	if (gpc_geom_decode(cfg, &g))
		return -EINVAL;
	uint64_t pps = gpc_pps_size(&g);
	uint64_t l0_bytes = gpc_l0_table_bytes(&g), l1_bytes = gpc_l1_table_bytes(&g);
	uint64_t granule = 1ull << g.pgs_bits;
	if (((cfg->gptbr & GPT_GPTBR_BADDR_MASK) << 12) != g.l0_base)
		return -EINVAL; /* BADDR has RES0 bits set */
	if (g.l0_base >= pps || l0_bytes > pps - g.l0_base)
		return -EINVAL;
	if (!gpi_is_valid(cfg, default_gpi) || !gpi_is_valid(cfg, l1_gpi))
		return -EINVAL;
	if (l1_start > l1_end || l1_end > pps || ((l1_start | l1_end) & (granule - 1)))
		return -EINVAL;

	uint64_t first = 0, nl1 = 0; /* L0 regions that get L1 tables */
	if (l1_start != l1_end) {
		first = l1_start >> g.l0_bits;
		nl1 = ((l1_end - 1) >> g.l0_bits) - first + 1;
		if (l1_base & (gpc_table_align(l1_bytes) - 1))
			return -EINVAL;
		if (l1_base >= pps || nl1 * l1_bytes > pps - l1_base)
			return -EINVAL;
		if (ranges_overlap(l1_base, nl1 * l1_bytes, g.l0_base, l0_bytes))
			return -EINVAL;
	}

	uint64_t nl0 = l0_bytes / 8;
	for (uint64_t i = 0; i < nl0; i++) {
		uint64_t desc = GPT_L0_BLOCK | (uint64_t)default_gpi << GPT_GPI_SHIFT;
		if (nl1 && i >= first && i < first + nl1) {
			uint64_t table = l1_base + (i - first) * l1_bytes;
			uint64_t span = granule * 16; /* bytes one L1 descriptor covers */
			for (uint64_t j = 0; j < l1_bytes / 8; j++) {
				uint64_t pa = (i << g.l0_bits) + j * span;
				uint64_t d = granules_desc(&g, pa, l1_start, l1_end, l1_gpi,
							   default_gpi);
				int err = wr->write64(wr->ctx, table + 8 * j, d);
				if (err)
					return err;
			}
			desc = GPT_L0_TABLE | table;
		}
		int err = wr->write64(wr->ctx, g.l0_base + 8 * i, desc);
		if (err)
			return err;
	}
	return 0;
}

/* Map a failed walk to an errno for the firmware-side API. */
static int walk_errno(const struct gpc_walk *w, const struct gpc_config *cfg)
{
	struct gpc_geom g;
	switch (w->fault) {
	case GPC_OK: return 0;
	case GPC_FAULT_ADDR_SIZE: return -ERANGE;
	case GPC_FAULT_EABT: return w->err;
	case GPC_FAULT_WALK: return gpc_geom_decode(cfg, &g) ? -EINVAL : -EIO;
	case GPC_FAULT_GPF: break;
	}
	assert(!"gpc_walk never judges an access");
	return -EIO;
}

int gpt_get_gpi(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa,
		uint8_t *gpi)
{
	struct gpc_walk w = gpc_walk(cfg, rd, pa);
	if (w.fault)
		return walk_errno(&w, cfg);
	*gpi = w.gpi;
	return 0;
}

/* Replace the Contiguous descriptor found by w with Granules descriptors of
 * its GPI over its whole aligned block (2MB, 32MB or 512MB), as TF-A does
 * before changing one granule of a contiguous block. */
static int split_contig(const struct gpc_geom *g, const struct gpc_writer *wr,
			const struct gpc_walk *w, uint64_t pa)
{
	static const unsigned block_bits[] = { 0, 21, 25, 29 };
	unsigned contig = (unsigned)((w->desc >> GPT_L1_CONTIG_SHIFT) & 3);
	assert(contig != 0); /* gpc_walk rejects Contig 0b00 */
	uint64_t block = 1ull << block_bits[contig];
	uint64_t span = 1ull << (g->pgs_bits + 4);
	uint64_t table = w->desc_pa - 8 * gpc_l1_index(g, pa);
	uint64_t start = pa & ~(block - 1);
	uint64_t all = 0;
	for (unsigned i = 0; i < 16; i++)
		all |= (uint64_t)w->gpi << (4 * i);
	for (uint64_t a = start; a < start + block; a += span) {
		int err = wr->write64(wr->ctx, table + 8 * gpc_l1_index(g, a), all);
		if (err)
			return err;
	}
	return 0;
}

int gpt_set_gpi(const struct gpc_config *cfg, const struct gpc_reader *rd,
		const struct gpc_writer *wr, uint64_t pa, uint8_t gpi, uint8_t *old_gpi)
{
	struct gpc_geom g;
	if (gpc_geom_decode(cfg, &g) || !gpi_is_valid(cfg, gpi))
		return -EINVAL;
	struct gpc_walk w = gpc_walk(cfg, rd, pa);
	if (w.fault)
		return walk_errno(&w, cfg);
	if (w.level == 0) /* an L0 Block: the region has no per-granule GPIs */
		return -EINVAL;
	uint64_t desc = w.desc;
	if ((desc & GPT_DESC_TYPE_MASK) == GPT_L1_CONTIG) {
		int err = split_contig(&g, wr, &w, pa);
		if (err)
			return err;
		desc = 0;
		for (unsigned i = 0; i < 16; i++)
			desc |= (uint64_t)w.gpi << (4 * i);
	}
	unsigned sh = gpc_gpi_shift(&g, pa);
	desc = (desc & ~(0xfull << sh)) | (uint64_t)gpi << sh;
	int err = wr->write64(wr->ctx, w.desc_pa, desc);
	if (err)
		return err;
	if (old_gpi)
		*old_gpi = w.gpi;
	return 0;
}
