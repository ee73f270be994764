/* Physical memory: the DRAM cells behind the memory controller, holding
 * whatever the encryption engine wrote (ciphertext, or plaintext when it does
 * not encrypt), plus a fixed DRAM access latency the caller adds. */
#ifndef CCSIM_MEM_MEM_H
#define CCSIM_MEM_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/model.h"

struct sim;

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE (1u << MEM_PAGE_SHIFT)
#define MEM_PA_BITS_MIN MEM_PAGE_SHIFT
#define MEM_PA_BITS_MAX 52

/* Pages are allocated on first write in a radix tree over the page frame
 * number (MEM_RADIX_BITS per level), so a 2^52 space costs only what is
 * touched and the walk order (ascending PFN) is the snapshot order. */
#define MEM_RADIX_BITS 10

struct mem {
	struct sim_model base; /* must be first */
	char *name;
	unsigned pa_bits;
	unsigned levels;      /* radix levels above the pages */
	uint64_t latency;     /* DRAM access latency in cycles (the caller adds it) */
	void **root;          /* MEM_RADIX_BITS-wide node; leaves hold page pointers */
	uint64_t last_pfn;    /* one-entry cache of the last allocated page touched */
	uint8_t *last_page;   /* NULL: the cache is empty */
	uint64_t stat_reads, stat_writes, stat_bytes_read, stat_bytes_written;
	uint64_t stat_pages;  /* pages currently allocated */
};

/* Set up an empty space of 2^pa_bits bytes (MEM_PA_BITS_MIN..MEM_PA_BITS_MAX)
 * and register the model and its stats ("<name>.reads", ...) with the sim. */
void mem_init(struct mem *m, struct sim *s, const char *name, unsigned pa_bits,
	      uint64_t latency_cycles);

/* Copy [pa, pa+len) out of / into the space; any length, may cross pages.
 * Never-written bytes read as zero and reading allocates nothing. Returns 0,
 * or -ERANGE (nothing copied) if the range leaves the space. */
__attribute__((warn_unused_result))
int mem_read(struct mem *m, uint64_t pa, void *buf, size_t len);
__attribute__((warn_unused_result))
int mem_write(struct mem *m, uint64_t pa, const void *buf, size_t len);

static inline uint64_t mem_latency(const struct mem *m) { return m->latency; }
static inline uint64_t mem_size(const struct mem *m) { return (uint64_t)1 << m->pa_bits; }
/* Pages currently allocated (the "<name>.pages" stat). */
uint64_t mem_pages(const struct mem *m);

#endif
