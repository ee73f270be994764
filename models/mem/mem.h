/* Physical memory: the DRAM behind the memory controller. An access crosses,
 * in order: the controller's timing (banks with an open-row policy and a
 * bandwidth-limited channel; JEDEC DDR4 JESD79-4 tCL/tRCD/tRP), the memory bus
 * (where an interposer can log it), the DIMM's address decoder (which cell a
 * physical address reaches), and the cells, holding whatever the encryption
 * engine wrote (ciphertext, or plaintext when it does not encrypt). */
#ifndef CCSIM_MEM_MEM_H
#define CCSIM_MEM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/model.h"

struct sim;

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE (1u << MEM_PAGE_SHIFT)
#define MEM_PA_BITS_MIN MEM_PAGE_SHIFT
#define MEM_PA_BITS_MAX 52
#define MEM_LINE_SHIFT 6
#define MEM_LINE_SIZE (1u << MEM_LINE_SHIFT)

/* Pages are allocated on first write in a radix tree over the page frame
 * number (MEM_RADIX_BITS per level), so a 2^52 space costs only what is
 * touched and the walk order (ascending PFN) is the snapshot order. */
#define MEM_RADIX_BITS 10

/* --- controller timing --- */

#define MEM_BANKS_MAX 1024u
#define MEM_TIMING_MAX ((uint64_t)1 << 32) /* every cycle count is below this */
#define MEM_ROW_CLOSED UINT64_MAX          /* a precharged bank's open row */
#define MEM_CHAN_UNITS 16u                 /* channel time is kept in 1/16 cycles */
#define MEM_CHAN_WORDS 2048u               /* the channel's calendar: 64-unit words, */
#define MEM_CHAN_SPAN (MEM_CHAN_WORDS * 64u) /* 8192 cycles of reservations */

struct mem_timing {
	uint64_t latency;       /* fixed access latency in cycles when banks == 0 */
	unsigned banks;         /* 0: no bank model; else a power of two <= MEM_BANKS_MAX */
	uint64_t row_bytes;     /* bytes per row per bank: a power of two >= 64 */
	uint64_t t_cl, t_rcd, t_rp; /* row hit t_cl; closed t_rcd + t_cl; conflict t_rp + t_rcd + t_cl */
	uint64_t line_interval; /* time a 64-byte transfer holds the channel, in 1/MEM_CHAN_UNITS
				   cycles (a fraction of a cycle for a wide memory system); 0 = unlimited */
	uint64_t controller;    /* fixed controller overhead added to every access */
};

/* --- address decoder --- */

/* A run of remapped pages: pages [pfn, pfn + pages) reach the cells of
 * [target, target + pages). Kept sorted by pfn, non-overlapping, never the
 * identity, and with adjacent runs merged, so one mapping has one form. */
struct mem_remap {
	uint64_t pfn, target, pages;
};
#define MEM_REMAPS_MAX 4096

/* --- bus log --- */

/* One 64-byte line as it crossed the bus: the controller's (undecoded)
 * line-aligned address, 1 for a write, and the line's bytes. */
struct mem_bus_rec {
	uint64_t pa;
	uint8_t write;
	uint8_t data[MEM_LINE_SIZE];
};
#define MEM_BUS_LOG_MAX ((size_t)1 << 20) /* records kept; later ones are dropped and counted */

struct mem {
	struct sim_model base; /* must be first */
	char *name;
	unsigned pa_bits;
	unsigned levels;      /* radix levels above the pages */
	void **root;          /* MEM_RADIX_BITS-wide node; leaves hold page pointers */
	uint64_t last_pfn;    /* one-entry cache of the last allocated page touched */
	uint8_t *last_page;   /* NULL: the cache is empty */

	/* Timing: configuration as given, the geometry derived from it, then
	 * the state that advances with every mem_access_cycles. */
	struct mem_timing timing;
	unsigned nbanks;      /* banks in open_row; 0: no bank model */
	unsigned bank_shift;  /* log2(row_bytes): bank = (pa >> bank_shift) & (nbanks - 1) */
	unsigned row_shift;   /* bank_shift + log2(banks): row = pa >> row_shift */
	uint64_t *open_row;   /* per bank: the open row, or MEM_ROW_CLOSED */
	/* The channel's calendar: one bit per 1/16 cycle it is reserved, for
	 * [chan_base, chan_base + MEM_CHAN_SPAN) units, a ring. Requests come
	 * at the times their issuers reached, which need not be in order (a
	 * write-back posted at a fill's completion, the next demand miss issued
	 * before it): each takes the first free stretch at or after its time. */
	uint64_t chan_base;
	uint64_t *chan;       /* MEM_CHAN_WORDS words; NULL while line_interval == 0 */
	uint64_t *chan_lap;   /* per word, the lap (unit / MEM_CHAN_SPAN) its bits belong to: a
			       * word of an older lap reads as free, so sliding the window
			       * clears nothing (derived: snapshots hold the in-window bits) */

	/* Decoder: cell = remap(pa) & ~alias_mask. */
	bool decoding;        /* alias_mask || nremaps: the one branch an access pays */
	uint64_t alias_mask;
	struct mem_remap *remaps;
	size_t nremaps;

	/* Bus log (the interposer's; not saved in snapshots). */
	bool bus_logging;
	struct mem_bus_rec *bus_log;
	size_t bus_log_len, bus_log_cap;

	uint64_t stat_reads, stat_writes, stat_bytes_read, stat_bytes_written;
	uint64_t stat_pages;  /* pages currently allocated */
	uint64_t stat_row_hits, stat_row_misses, stat_row_conflicts, stat_queue_cycles;
	uint64_t stat_bus_log_dropped;
};

/* Set up an empty space of 2^pa_bits bytes (MEM_PA_BITS_MIN..MEM_PA_BITS_MAX)
 * with a fixed latency and no bank, bandwidth or decoder effects, and register
 * the model and its stats ("<name>.reads", ...) with the sim. */
void mem_init(struct mem *m, struct sim *s, const char *name, unsigned pa_bits,
	      uint64_t latency_cycles);

/* The controller's path: copy [pa, pa+len) out of / into the space through
 * the decoder, counted in the stats and seen by the bus log. Any length, may
 * cross pages. Never-written cells read as zero and reading allocates
 * nothing. Returns 0, or -ERANGE (nothing copied) if the range leaves the
 * space. */
__attribute__((warn_unused_result))
int mem_read(struct mem *m, uint64_t pa, void *buf, size_t len);
__attribute__((warn_unused_result))
int mem_write(struct mem *m, uint64_t pa, const void *buf, size_t len);

/* The physical attacker's path: the DIMM in hand, cells addressed directly
 * by cell address (no decoder, no bus log, no traffic stats; a write still
 * allocates its page). Returns 0 or -ERANGE like mem_read. */
__attribute__((warn_unused_result))
int mem_cell_read(struct mem *m, uint64_t cell, void *buf, size_t len);
__attribute__((warn_unused_result))
int mem_cell_write(struct mem *m, uint64_t cell, const void *buf, size_t len);
/* The 4 KiB page of cells holding `cell`, allocated (zeroed) if never
 * written: a host pointer for direct access past the controller (the
 * SystemC adapter's DMI, docs/systemc.md), valid until the memory is reset
 * or freed. NULL if cell lies outside the space. */
uint8_t *mem_cell_page(struct mem *m, uint64_t cell);

/* The fixed latency (timing.latency); the bank model's cost comes only from
 * mem_access_cycles. */
static inline uint64_t mem_latency(const struct mem *m) { return m->timing.latency; }
static inline uint64_t mem_size(const struct mem *m) { return (uint64_t)1 << m->pa_bits; }
/* Pages currently allocated (the "<name>.pages" stat). */
uint64_t mem_pages(const struct mem *m);
/* Every page ever written, in cell order: fn(ctx, first cell, its 4 KiB).
 * No side effects (for checks that must not disturb the run). */
void mem_pages_foreach(const struct mem *m, void (*fn)(void *ctx, uint64_t cell, const uint8_t *page),
		       void *ctx);

/* Replace the timing; every bank is closed and the channel is free. Returns
 * 0, or -EINVAL (nothing changed) if a cycle count is >= MEM_TIMING_MAX or,
 * with banks != 0, banks is not a power of two <= MEM_BANKS_MAX, row_bytes is
 * not a power of two >= 64, or row_bytes * banks exceeds the space. */
__attribute__((warn_unused_result))
int mem_set_timing(struct mem *m, const struct mem_timing *t);

/* Cycles for one 64-byte line access issued at absolute cycle `now`; the
 * bank and channel state advance. The sum of:
 *  - queueing: if line_interval != 0, the line takes the channel for
 *    line_interval / MEM_CHAN_UNITS cycles in the first free stretch at or
 *    after now, and waits until it starts (for requests in time order, a
 *    FIFO channel; one that comes late fills a gap an earlier-issued later
 *    request left; one more than the calendar's span older than the
 *    newest does not queue);
 *  - controller;
 *  - the DRAM: latency when banks == 0; else, by the bank's open row, t_cl
 *    (hit), t_rcd + t_cl (bank closed) or t_rp + t_rcd + t_cl (conflict),
 *    and the accessed row stays open (open-page policy).
 * With banks == 0, line_interval == 0 and controller == 0 (mem_init's
 * timing) a read costs exactly `latency`.
 * Address mapping "row:bank:column" (row-interleaved), from the top bit:
 *   row = pa >> row_shift, bank = (pa >> log2(row_bytes)) & (banks - 1),
 *   column = pa & (row_bytes - 1),
 * so a sequential stream stays in one row for row_bytes bytes, then moves to
 * the next bank. No bank-address XOR hashing. Timing follows the controller's
 * view: pa is taken before the decoder (the controller issues the commands;
 * the DIMM only ignores some address bits), modulo the space.
 * A write is posted: it costs the queueing and the controller only, the
 * time until the controller's write queue has taken it; the DRAM part
 * happens behind it (the bank state still advances; tWR and bus turnaround
 * are not modelled). A writer (a write-back buffer entry, the AMD-SP)
 * holds its resources only that long, as in any DDR controller. */
uint64_t mem_access_cycles(struct mem *m, uint64_t pa, bool write, uint64_t now);
/* Close every bank and free the channel (the timing state alone). */
void mem_timing_idle(struct mem *m);

/* Address bits the DIMM ignores: pa and pa ^ bit reach one cell for every
 * bit of `mask` (cell = pa & ~mask), as when a DIMM reports more capacity
 * than it has. 0 removes it. Returns 0, or -EINVAL (nothing changed) for bits
 * below MEM_PAGE_SHIFT (the decoder works on whole pages) or outside the
 * space. */
__attribute__((warn_unused_result))
int mem_set_alias_mask(struct mem *m, uint64_t mask);

/* Page-granular remap: [pa, pa+size) reaches the cells of [target,
 * target+size) (those cells as target reaches them through the alias mask;
 * target is not itself remapped: no chains). Later calls override earlier
 * ones page by page; remapping a page onto itself removes its remap.
 * Returns 0; -EINVAL for a size of 0 or anything not 4 KiB aligned; -ERANGE
 * if either range leaves the space; -ENOSPC if the result would need more
 * than MEM_REMAPS_MAX runs. Nothing changes on error. */
__attribute__((warn_unused_result))
int mem_alias(struct mem *m, uint64_t pa, uint64_t target, uint64_t size);

/* Does the decoder send two physical addresses of [lo, hi) to one cell?
 * (What a boot-time alias check over that memory finds: an ignored address
 * bit with both of its values inside the range, a remap whose target the
 * range also reaches directly or through another remap.) A remap that only
 * permutes pages inside the range aliases nothing. Pure: reads the decoder
 * only. */
bool mem_decoder_aliases(const struct mem *m, uint64_t lo, uint64_t hi);

/* The cell address that pa (inside the space) reaches. */
uint64_t mem_decode(const struct mem *m, uint64_t pa);

/* Start recording what crosses the bus, afresh (an unstopped log is
 * discarded). Every mem_read / mem_write adds one record per 64-byte line it
 * touches, in ascending address order, holding the whole line as it is in the
 * cells after the access. At MEM_BUS_LOG_MAX records further ones are
 * dropped and counted ("<name>.bus_log_dropped"). The log belongs to the
 * interposer, not the machine: snapshots do not hold it, and reset and
 * restore neither stop nor clear it. */
void mem_bus_log_start(struct mem *m);
/* Stop and hand over the records since start (*out NULL and 0 if none or
 * not logging); the caller frees them with mem_bus_log_free. */
size_t mem_bus_log_stop(struct mem *m, struct mem_bus_rec **out);
void mem_bus_log_free(struct mem_bus_rec *recs);

/* Snapshots (vmstate "mem" v2): the field table holds the timing
 * configuration, the channel's next-free cycle, the alias mask and the stats;
 * the variable part holds, in order, u32 bank count + u64 open row per bank,
 * u32 run count + (pfn, target, pages) u64 triples in pfn order, then the
 * cells as (pfn u64, MEM_PAGE_SIZE bytes) in ascending pfn. Reset closes the
 * banks, frees the channel and the cells; the timing configuration and the
 * decoder (DIMM properties) are kept. */

#endif
