/* Memory traces a guest replays (`NAME.op replay trace=FILE`, docs/traces.md):
 * valgrind lackey's `--trace-mem=yes` text and ccsim's own compact binary
 * format, read into records, written back, summarised, and compiled into
 * the 8-byte words the guest's replay loop walks.
 *
 * The binary format ("ccsim memory trace", version 1), little-endian:
 *   bytes 0..7    the magic "ccsimmt1"
 *   bytes 8..15   the number of records
 *   then one 64-bit word per record:
 *     bits 0..1   kind: 0 load, 1 store, 2 modify (a load, then a store),
 *                 3 instructions only (no access)
 *     kinds 0..2: bits 2..4 log2 of the size (1 to 64 bytes), bits 5..11
 *                 the instructions since the previous record (saturating at
 *                 127; the rest goes into a kind-3 record before it), bits
 *                 12..63 the address (its low 52 bits)
 *     kind 3:     bits 2..11 zero, bits 12..63 a count of instructions */
#ifndef CCSIM_HARNESS_MEMTRACE_H
#define CCSIM_HARNESS_MEMTRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MEMTRACE_MAGIC "ccsimmt1"
#define MEMTRACE_HEADER 16
#define MEMTRACE_MAX_RECORDS (1ull << 26) /* 512 MiB of records: more is a mistake */
#define MEMTRACE_GAP_MAX 127u

enum memtrace_kind { MT_LOAD, MT_STORE, MT_MODIFY, MT_INSNS };

static inline unsigned memtrace_kind(uint64_t w) { return (unsigned)(w & 3); }
static inline unsigned memtrace_size(uint64_t w) { return 1u << ((w >> 2) & 7); }
static inline unsigned memtrace_gap(uint64_t w) { return (unsigned)((w >> 5) & 0x7f); }
static inline uint64_t memtrace_addr(uint64_t w) { return w >> 12; }

/* What to keep of a trace: the data accesses (loads, stores, modifies)
 * after the first `skip`, at most `limit` of them (0: all). */
struct memtrace_window {
	uint64_t skip, limit;
};

struct memtrace_info {
	uint64_t records, loads, stores, modifies, insns, bytes, pages;
};

/* Read a trace file ("-": standard input) in either format (the magic
 * tells) into *words (a GArray of uint64_t, the binary records). Returns
 * 0, or -1 with "FILE:LINE: what" (text) or "FILE: byte N: what" (binary)
 * in err. */
int memtrace_read(const char *path, const struct memtrace_window *w, GArray **words, char *err,
		  size_t errlen) __attribute__((warn_unused_result));
/* The same, from an open stream named `name` in messages. */
int memtrace_read_stream(FILE *f, const char *name, const struct memtrace_window *w,
			 GArray **words, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Write the binary format. */
int memtrace_write(FILE *f, const GArray *words);
void memtrace_summarise(const GArray *words, struct memtrace_info *out);

/* Compile for the guest: each access becomes one word per 8-byte aligned
 * word it covers, a modify a load then a store, (guest address & ~7) | 1
 * for a store; the trace's pages are laid out from `base` in the order the
 * trace first touches them (as an allocator hands out frames). *pages is
 * how many. Instruction counts are dropped (the loop's own instructions
 * stand for them). Returns 0, or -1 if more than max_words words result. */
int memtrace_compile(const GArray *words, uint64_t base, uint64_t max_words, uint8_t **out,
		     size_t *len, uint64_t *pages, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
