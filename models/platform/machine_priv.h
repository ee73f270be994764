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

/* Clean and invalidate pa's line in core `core`'s private caches (L1D,
 * then the L2 if there is one); 0 or -EIO. */
int machine_priv_clean_inval_pa(struct machine *m, unsigned core, uint64_t pa, uint64_t *cycles);

#endif
