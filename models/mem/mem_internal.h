/* Helpers shared by the parts of the memory model (mem.c: cells, bus log and
 * snapshot; mem_timing.c: controller timing; mem_alias.c: address decoder).
 * Not for other models: use mem.h. */
#ifndef CCSIM_MEM_MEM_INTERNAL_H
#define CCSIM_MEM_MEM_INTERNAL_H

#include <stdint.h>

#include "models/mem/mem.h"
#include "sim/buf.h"

/* Close every bank and free the channel (power-on timing state). */
void mem_timing_reset(struct mem *m);
/* Variable timing state: u32 bank count, then u64 open row per bank. */
void mem_timing_save(const struct mem *m, struct sim_buf *out);
/* Check the timing configuration the field table restored, derive the bank
 * geometry from it and read the open rows. 0 or -EINVAL. */
int mem_timing_restore(struct mem *m, struct sim_reader *in);

/* The cell page that page `pfn` reaches; call only when m->decoding. */
uint64_t mem_decode_pfn(const struct mem *m, uint64_t pfn);
/* Remap runs: u32 count, then (pfn, target, pages) u64 triples. */
void mem_remaps_save(const struct mem *m, struct sim_buf *out);
/* Read and check the runs and the alias mask the field table restored.
 * 0 or -EINVAL (the decoder is left empty). */
int mem_remaps_restore(struct mem *m, struct sim_reader *in);

#endif
