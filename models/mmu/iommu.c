/* IOMMU / SMMU model; see iommu.h. */
#include "models/mmu/iommu.h"

#include <errno.h>
#include <string.h>

#include "sim/sim.h"

static const struct sim_field iommu_fields[] = {
	SIM_FIELD(struct iommu, stat_dma),
	SIM_FIELD(struct iommu, stat_bytes),
	SIM_FIELD(struct iommu, stat_translation_faults),
	SIM_FIELD(struct iommu, stat_aborts),
	SIM_FIELD(struct iommu, stat_events),
	SIM_FIELD(struct iommu, stat_walk_refs),
};
static const struct sim_vmstate iommu_vmstate = { "iommu", 1, iommu_fields,
						   sizeof(iommu_fields) / sizeof(iommu_fields[0]) };
static const struct sim_model_ops iommu_ops = { 0 };

void iommu_init(struct iommu *u, struct sim *s, const char *name, struct bus_port bus)
{
	memset(u, 0, sizeof(*u));
	u->base.name = name;
	u->base.kind = "iommu";
	u->base.ops = &iommu_ops;
	u->base.vmstate = &iommu_vmstate;
	u->bus = bus;
	/* Out of reset every stream bypasses translation, in the NS PAS. */
	for (unsigned i = 0; i < IOMMU_STREAMS; i++)
		u->streams[i] = (struct iommu_stream){ .valid = true, .bypass = true, .pas = PAS_NS, .key = -1 };
	sim_model_register(s, &u->base);
	u->src = sim_trace_source(s, name);
#define ST(f, d) SIM_STAT_DEF(struct iommu, stat_##f, #f, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(dma, "DMA transactions"),
		ST(bytes, "bytes transferred by DMA"),
		ST(translation_faults, "translation, permission or walk faults"),
		ST(aborts, "transactions aborted back to the device"),
		ST(events, "event-queue records written"),
		ST(walk_refs, "table reads of stream translations"),
	};
#undef ST
	sim_stat_register_table(s, name, u, stats, sizeof(stats) / sizeof(stats[0]));
}

int iommu_set_stream(struct iommu *u, unsigned sid, const struct iommu_stream *st)
{
	if (sid >= IOMMU_STREAMS || st->pas > PAS_REALM)
		return -EINVAL;
	u->streams[sid] = *st;
	return 0;
}

struct walk_ctx {
	struct iommu *u;
	const struct iommu_stream *st;
};

/* SMMU-originated table fetches: in the stream's PAS, with the host key. */
static int iommu_read64(void *ctx, uint64_t pa, uint64_t ipa, bool stage2, uint64_t *val,
			uint64_t *cycles)
{
	struct walk_ctx *w = ctx;
	uint8_t b[8];
	struct cc_fault f;
	(void)ipa;
	(void)stage2;
	struct mem_access a = { .pa = pa, .len = 8, .world = (enum cc_world)w->st->pas,
				.pas = w->st->pas, .src = w->u->src, .key = -1, .dma = true };
	int rc = bus_access(&w->u->bus, &a, b, &f, cycles);
	if (rc)
		return rc > 0 ? -EFAULT : rc;
	*val = sim_le64_load(b);
	return 0;
}

int iommu_dma(struct iommu *u, unsigned sid, uint64_t iova, void *buf, uint32_t len, bool write,
	      struct cc_fault *fault, uint64_t *cycles)
{
	if (sid >= IOMMU_STREAMS || !u->streams[sid].valid)
		return -EINVAL;
	const struct iommu_stream *st = &u->streams[sid];
	uint8_t *p = buf;
	int rc = 0;
	fault->kind = FAULT_NONE;
	u->stat_dma++;
	while (len && rc == 0) {
		uint32_t chunk = 64 - (uint32_t)(iova & 63);
		uint64_t pa = iova;
		if (chunk > len)
			chunk = len;
		if (!st->bypass) {
			struct walk_ctx w = { u, st };
			struct pt_io io = { iommu_read64, &w };
			struct pt_walk_result r = pt_translate(&st->pt, &io, iova,
							       write ? PT_ACC_WRITE : PT_ACC_READ);
			u->stat_walk_refs += r.refs;
			*cycles += r.cycles;
			if (r.fault != PT_OK) {
				/* SMMUv3: F_TRANSLATION / F_PERMISSION / F_WALK_EABT events */
				u->stat_translation_faults++;
				u->stat_events++;
				u->stat_aborts++;
				fault->kind = FAULT_IOMMU;
				fault->code = (uint8_t)r.fault;
				fault->level = r.level;
				fault->addr = iova;
				return 1;
			}
			pa = r.pa;
		}
		/* A device is not a CPU: the "world" of its transaction is the PAS
		 * the SMMU assigns to it (IHI0070 §3.25 client accesses). */
		struct mem_access a = { .pa = pa, .len = chunk, .write = write,
					.world = (enum cc_world)st->pas, .pas = st->pas, .src = u->src,
					.key = st->key, .dma = true };
		rc = bus_access(&u->bus, &a, p, fault, cycles);
		if (rc == 1) {
			/* A GPC failure on a client access: external abort to the
			 * device, no event record (§3.25). Poison likewise aborts. */
			u->stat_aborts++;
			return 1;
		}
		u->stat_bytes += chunk;
		iova += chunk;
		p += chunk;
		len -= chunk;
	}
	return rc;
}
