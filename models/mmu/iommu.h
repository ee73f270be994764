/* The IOMMU / SMMU in front of device DMA: each stream (a device) has a
 * context (SMMUv3 STE, AMD DTE, VT-d context entry) with its own translation
 * tables, the PAS its transactions use and the key they carry; the
 * translated access then goes through the same access-control checks as a
 * CPU's (the platform's memory path). Fault reporting follows SMMUv3 (Arm
 * IHI0070 G.b): a translation fault writes an event record, while a client
 * access that fails the granule protection check is returned to the device
 * as an external abort with no event record (§3.25). */
#ifndef CCSIM_MMU_IOMMU_H
#define CCSIM_MMU_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mmu/pt.h"
#include "models/platform/port.h"
#include "sim/model.h"

struct sim;

#define IOMMU_STREAMS 16

struct iommu_stream {
	bool valid;
	bool bypass;           /* no translation: IOVA = PA (SMMU STE.Config bypass) */
	struct pt_config pt;   /* the device's tables (read in the SMMU's own PAS) */
	enum cc_pas pas;       /* PAS of its transactions (NS unless a trusted device) */
	int32_t key;           /* key slot its DMA carries; -1: by PAS */
};

struct iommu {
	struct sim_model base;
	struct bus_port bus;
	uint16_t src;
	struct iommu_stream streams[IOMMU_STREAMS];
	uint64_t stat_dma, stat_bytes, stat_translation_faults, stat_aborts, stat_events;
	uint64_t stat_walk_refs;
};

void iommu_init(struct iommu *u, struct sim *s, const char *name, struct bus_port bus);
/* Configure stream `sid` (0..IOMMU_STREAMS-1); -EINVAL otherwise. */
int iommu_set_stream(struct iommu *u, unsigned sid, const struct iommu_stream *st);
/* A DMA of `len` bytes at `iova` by stream `sid`. Returns 0, 1 with *fault
 * (the transaction was aborted: bytes before the faulting line moved), or
 * -errno (bad stream). Adds the latency to *cycles. */
int iommu_dma(struct iommu *u, unsigned sid, uint64_t iova, void *buf, uint32_t len, bool write,
	      struct cc_fault *fault, uint64_t *cycles);

#endif
