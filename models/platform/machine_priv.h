/* Internals shared by the machine's files: machine.c (assembly and the
 * memory path) and machine_gpt.c (the GPT and the EL3 services). */
#ifndef CCSIM_PLATFORM_MACHINE_PRIV_H
#define CCSIM_PLATFORM_MACHINE_PRIV_H

#include "models/mmu/gpc.h"
#include "models/platform/machine.h"

/* Lay out the GPT from the profile (gpc.* keys), its own tables Root.
 * 0, or -1 with a message naming the profile. */
int machine_gpt_build(struct machine *m, char *err, size_t errlen);
/* The GPC's walk of the GPT for one access; its table reads' latency is
 * added to *cycles. */
struct gpc_result machine_gpt_check(struct machine *m, uint64_t pa, enum cc_pas pas,
				    enum cc_world world, uint64_t *cycles);

/* The same check read by peeking (machine_peek): no counter, cache or
 * time moves, for the differential mode's second monitor. */
struct gpc_result machine_gpt_peek_check(struct machine *m, uint64_t pa, enum cc_pas pas,
					 enum cc_world world);

/* Clean and invalidate pa's line in core `core`'s private caches (L1D,
 * then the L2 if there is one); 0 or -EIO. */
int machine_priv_clean_inval_pa(struct machine *m, unsigned core, uint64_t pa, uint64_t *cycles);

/* The end of a machine operation that started at t0 and took `off`
 * cycles: the present moves past it, the caller's *cycles grows by it. */
void machine_op_done(struct machine *m, uint64_t t0, uint64_t off, uint64_t *cycles);
/* DRAM bytes through the engine at the memory controller, past the caches
 * (snooping them first with cache.key_coherent); their latency added to
 * *cycles. 0 or -errno. */
int machine_dram_raw(struct machine *m, unsigned key, uint64_t pa, uint8_t *p, size_t len,
		     bool write, uint64_t *cycles);
/* The RMP table's io through a context (its mode says how accesses are
 * timed). */
struct rmp_io machine_rmp_io_of(struct machine_rmp_ctx *c);
/* machine_rmp.c: the RMP check of one access (not repeated when a TLB
 * entry's verdict covers it: a->checked), 0 or 1 with the fault; and the
 * check a TLB fill makes and caches (the BUS_ACL_* verdicts). */
int machine_rmp_fault_check(struct machine *m, const struct mem_access *a, struct cc_fault *f,
			    uint64_t *cycles);
uint32_t machine_rmp_fill_check(void *ctx, const struct mem_access *a, struct cc_fault *f,
				uint64_t *cycles);

#endif
