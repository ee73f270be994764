/* Granule protection table management: what EL3 firmware does to lay out and
 * edit the GPT in simulated memory (in the manner of TF-A lib/gpt_rme), using
 * the formats of Arm ARM DDI 0487 K.a D9.5. The walk itself is gpc.h's. */
#ifndef CCSIM_MMU_GPT_H
#define CCSIM_MMU_GPT_H

#include <stddef.h>
#include <stdint.h>

#include "models/mmu/gpc.h"

/* Stores one 8-byte GPT descriptor in the Root PAS; returns 0 or -errno. */
struct gpc_writer {
	int (*write64)(void *ctx, uint64_t pa, uint64_t val);
	void *ctx;
};

/* Bytes of the L0 table and of one L1 table; 0 if cfg is invalid. */
size_t gpt_l0_table_size(const struct gpc_config *cfg);
size_t gpt_l1_table_size(const struct gpc_config *cfg);

/* Lay out the L0 table at GPTBR_EL3.BADDR covering [0, PPS). Every L0 region
 * is a Block of default_gpi, except the regions overlapping [l1_start,
 * l1_end), which get L1 tables (Granules descriptors) placed one after the
 * other from l1_base: granules inside [l1_start, l1_end) get l1_gpi, the
 * rest of those regions default_gpi. l1_start == l1_end means no L1 tables.
 * Returns 0; -EINVAL (nothing written) for an invalid cfg, a BADDR not
 * aligned to the L0 table or beyond PPS, a reserved GPI, a range that is
 * not granule aligned, reversed or beyond PPS, or an l1_base misaligned,
 * beyond PPS or overlapping the L0 table; or the writer's error (tables then
 * partly written). */
__attribute__((warn_unused_result))
int gpt_build(const struct gpc_config *cfg, const struct gpc_writer *wr, uint8_t default_gpi,
	      uint64_t l1_base, uint64_t l1_start, uint64_t l1_end, uint8_t l1_gpi);

/* Set the GPI of the granule holding pa by a read-modify-write of its L1
 * descriptor; *old_gpi (may be NULL) gets the previous GPI. A Contiguous
 * descriptor is first split: every descriptor of its block becomes a
 * Granules descriptor of the block's GPI. TLB maintenance is the caller's.
 * Returns 0; -EINVAL for a reserved gpi, an invalid cfg or an L0 Block
 * region (only L1-mapped memory changes PAS at runtime); -ERANGE for a pa
 * or BADDR beyond PPS; -EIO for a malformed table; or the reader's or
 * writer's error. */
__attribute__((warn_unused_result))
int gpt_set_gpi(const struct gpc_config *cfg, const struct gpc_reader *rd,
		const struct gpc_writer *wr, uint64_t pa, uint8_t gpi, uint8_t *old_gpi);

/* The GPI stored for pa (from an L0 Block or an L1 descriptor; may be a
 * reserved value). Returns 0 or the errors of gpt_set_gpi (except the L0
 * Block one). */
__attribute__((warn_unused_result))
int gpt_get_gpi(const struct gpc_config *cfg, const struct gpc_reader *rd, uint64_t pa,
		uint8_t *gpi);

#endif
