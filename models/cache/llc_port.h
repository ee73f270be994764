/* The LLC's port to memory: what a core's L2 / memory controller front end
 * does with the LLC's misses and write-backs, between the LLC and the
 * encryption engine (memenc).
 *
 *  - Memory requests in flight: a miss waits for one of `requests` slots
 *    (the misses a core keeps outstanding toward memory), so independent
 *    misses overlap and a stream's bandwidth is bounded by slots / latency.
 *  - A stream prefetcher, trained by demand load misses: two misses to
 *    neighbouring lines of a 4 KB page confirm a stream, which then runs up
 *    to `pf_distance` lines ahead inside the page. It is timing-only: a
 *    prefetch takes a request slot, the DRAM channel and the AES pipeline
 *    as a read would and records when its line would arrive; a later miss
 *    on that line waits only for that arrival, while the data still comes
 *    from memory at the miss. No line enters a cache early, so nothing a
 *    scenario can observe (contents, dirty lines, write-backs) changes.
 *  - A write-back buffer of `wb_entries`: written-back lines go to memory
 *    in the background; a write waits only when the buffer is full.
 * Times are absolute cycles: an access arrives at sim_time + *cycles. */
#ifndef CCSIM_CACHE_LLC_PORT_H
#define CCSIM_CACHE_LLC_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cache/cache.h"
#include "models/memenc/memenc.h"
#include "sim/model.h"

#define LLCP_SLOTS_MAX 256u
#define LLCP_STREAMS_MAX 64u
/* Prefetched lines remembered, by line address (a newer one displaces an
 * older one of the same index). Real prefetchers fill a multi-megabyte
 * cache, where a line waits long for its use: a stream that advances once
 * every few pages (the RMP entries of a page-by-page walk) must still find
 * its lines while the data streams beside it prefetch thousands. */
#define LLCP_PF_LINES 65536u

struct llc_port_config {
	unsigned requests;    /* memory requests in flight (1..LLCP_SLOTS_MAX) */
	unsigned wb_entries;  /* write-back buffer entries (1..LLCP_SLOTS_MAX) */
	unsigned pf_distance; /* lines a confirmed stream runs ahead; 0: no prefetcher */
	unsigned pf_streams;  /* streams tracked (1..LLCP_STREAMS_MAX) */
};

struct llcp_stream {
	uint64_t page;  /* 4 KB page (line >> 6) */
	uint64_t last;  /* the last line missed in it */
	uint64_t next;  /* the next line to prefetch */
	uint64_t age;   /* larger is more recent; 0: free */
	int32_t dir;    /* +1 / -1 once confirmed, 0 before */
};

struct llcp_line {
	uint64_t line;  /* pa >> 6; UINT64_MAX: empty */
	uint64_t ready; /* when its data would have arrived */
	uint32_t key;
};

struct llc_port {
	struct sim_model base;
	struct llc_port_config cfg;
	struct memenc *enc;
	struct cache *llc;            /* probed so lines it holds are not prefetched */
	bool demand_load;             /* set by the machine: the access being served is a load */
	/* Request slots and write-back entries are taken in turn (a ring): a
	 * new one waits for the oldest, which in a stream frees first. */
	uint64_t req[LLCP_SLOTS_MAX]; /* when each request slot frees */
	uint64_t wb[LLCP_SLOTS_MAX];  /* when each write-back buffer entry frees */
	struct llcp_stream streams[LLCP_STREAMS_MAX];
	struct llcp_line pf[LLCP_PF_LINES];
	uint64_t stream_clock;
	uint64_t stat_reads, stat_writes, stat_req_wait, stat_wb_wait;
	uint64_t stat_pf_issued, stat_pf_useful, stat_pf_late, stat_pf_dropped;
};

/* -EINVAL for a bad configuration. The LLC is attached afterwards (it is
 * built on top of this port). */
__attribute__((warn_unused_result))
int llc_port_init(struct llc_port *p, struct sim *s, const char *name,
		  const struct llc_port_config *cfg, struct memenc *enc);
static inline void llc_port_attach(struct llc_port *p, struct cache *llc) { p->llc = llc; }
/* The port as the LLC's backing. */
struct cache_port llc_port_as_port(struct llc_port *p);
/* Forget every reservation (request slots, write-back buffer, prefetched
 * lines and streams): see machine_quiesce. */
void llc_port_quiesce(struct llc_port *p);
/* A whole line written past the caches (a non-temporal store): through the
 * write-back buffer like a write-back. 0 or memenc's error. */
__attribute__((warn_unused_result))
int llc_port_write(struct llc_port *p, unsigned key, uint64_t pa, const uint8_t in[CACHE_LINE],
		   uint64_t *cycles);

#endif
