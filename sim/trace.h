/* Trace of typed records: a compact little-endian binary stream (optional
 * file) and a running SHA-256 digest. The digest is a hash chain over blocks
 * of encoded records, so its state is a few bytes that a snapshot can save:
 * a run restored from a checkpoint ends with the same digest as one that was
 * never interrupted. Record types are declared in sim/trace_events.def. */
#ifndef CCSIM_SIM_TRACE_H
#define CCSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/buf.h"

enum trace_type {
#define TRACE_EVENT(id, name, a0, a1, a2, a3) TRACE_##id,
#include "sim/trace_events.def"
#undef TRACE_EVENT
	TRACE_TYPE_COUNT
};

struct trace_type_info {
	const char *name;
	const char *arg[4];
};
extern const struct trace_type_info trace_types[TRACE_TYPE_COUNT];

/* The file starts with a header: TRACE_MAGIC, then (version 2) the u64 clock
 * frequency in Hz that converts cycles to time. Version 1 files have the
 * 8-byte magic "CCSIMTR1" alone; readers still accept them. The header is
 * not part of the digest. */
#define TRACE_MAGIC "CCSIMTR2"
#define TRACE_MAGIC_V1 "CCSIMTR1"
#define TRACE_HEADER_LEN 16
#define TRACE_BLOCK 4096
#define TRACE_DIGEST_LEN 32
#define TRACE_PAYLOAD_MAX 4096

/* One decoded record. */
struct trace_rec {
	uint64_t cycle;
	uint16_t type;
	uint16_t src;
	uint64_t a[4];
	uint32_t len;
	const uint8_t *payload;
};

struct sim_trace {
	FILE *file;                 /* binary output, or NULL */
	uint8_t chain[TRACE_DIGEST_LEN];
	uint8_t block[TRACE_BLOCK]; /* encoded records not yet chained */
	size_t block_len;
	uint64_t records;
	uint16_t nsources;
	bool write_error;
};

struct sim;
void sim_trace_init(struct sim_trace *t);
/* Start writing the binary stream to `f` (header first, naming the clock
 * frequency of the cycles in the records). */
void sim_trace_set_file(struct sim_trace *t, FILE *f, uint64_t freq_hz);
/* Register a source name (model or actor); returns its id and traces it. */
uint16_t sim_trace_source(struct sim *s, const char *name);
void sim_trace_emit(struct sim *s, enum trace_type type, uint16_t src, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, const void *payload, uint32_t len);
/* Digest of everything traced so far (does not disturb the running state). */
void sim_trace_digest(const struct sim_trace *t, uint8_t out[TRACE_DIGEST_LEN]);
void sim_trace_digest_hex(const struct sim_trace *t, char out[2 * TRACE_DIGEST_LEN + 1]);

/* Typed wrappers: trace_step(s, src, line, op, addr, len), ... */
#define TRACE_EVENT(id, name, a0, a1, a2, a3)                                          \
	static inline void trace_##id(struct sim *s, uint16_t src, uint64_t x0, uint64_t x1, \
				      uint64_t x2, uint64_t x3)                             \
	{                                                                                  \
		sim_trace_emit(s, TRACE_##id, src, x0, x1, x2, x3, NULL, 0);                \
	}
#include "sim/trace_events.def"
#undef TRACE_EVENT

/* Reading a binary trace back (for the text view and tools:
 * harness/trace/). */
struct trace_reader {
	FILE *f;
	const char *path;
	uint8_t payload[TRACE_PAYLOAD_MAX];
	uint64_t offset;  /* of the next record */
	unsigned version; /* 1 or 2 */
	uint64_t freq_hz; /* from the header; 0 in a version 1 file */
};
/* Returns 0, or -1 with a message in err (not a trace, truncated header). */
int trace_reader_open(struct trace_reader *r, FILE *f, const char *path, char *err, size_t errlen);
/* Returns 1 for a record, 0 at a clean end, -1 with a message on a bad record. */
int trace_reader_next(struct trace_reader *r, struct trace_rec *rec, char *err, size_t errlen);

#endif
