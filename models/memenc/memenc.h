/* Memory-encryption engine between the memory controller and DRAM: a table of
 * key slots (ASIDs, KeyIDs, MECIDs) and AES-128-XTS per 64-byte line with the
 * line's physical address as tweak (IEEE 1619 data unit = one line). */
#ifndef CCSIM_MEMENC_MEMENC_H
#define CCSIM_MEMENC_MEMENC_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mem/mem.h"
#include "sim/model.h"

struct sim;
struct memenc_slot; /* private to memenc.c: key bytes and OpenSSL contexts */

enum memenc_mode {
	MEMENC_NONE, /* no engine: every line passes through in plaintext */
	MEMENC_XTS,  /* AES-128-XTS, tweak = PA (little-endian, zero-extended) */
};

#define MEMENC_LINE 64
#define MEMENC_SLOTS_MAX 4096
#define MEMENC_AES_LATENCY_DEFAULT 40
#define MEMENC_AES_ISSUE_DEFAULT 1

struct memenc_config {
	enum memenc_mode mode;
	unsigned slots;       /* 1..MEMENC_SLOTS_MAX */
	uint64_t aes_latency; /* cycles per 16-byte block; 0 selects the default (40) */
	uint64_t aes_issue;   /* cycles between pipelined blocks; 0 selects the default (1) */
};

struct memenc {
	struct sim_model base; /* must be first */
	char *name;
	struct memenc_config cfg; /* resolved: defaults filled in */
	struct mem *mem;
	struct memenc_slot *slots;
	uint16_t trace_src;
	uint64_t stat_lines_read, stat_lines_written, stat_encrypts, stat_decrypts;
	uint64_t stat_key_programs, stat_cycles;
};

/* Set up the engine in front of `mem` and register the model and its stats
 * ("<name>.lines_read", ...). Every slot starts invalid at generation 0.
 * Returns 0, or -EINVAL (nothing registered) for a bad mode or slot count. */
__attribute__((warn_unused_result))
int memenc_init(struct memenc *e, struct sim *s, const char *name,
		const struct memenc_config *cfg, struct mem *mem);

/* Give `slot` a fresh key: generation + 1, key derived from the simulation
 * seed, slot and generation, so lines written under the old key no longer
 * decrypt. `encrypt` false makes a bypass slot (lines stored in plaintext).
 * `owner` is the caller's tag (PAS, ASID, KeyID). The slot table behaves the
 * same in MEMENC_NONE mode; only the data transform is skipped.
 * Returns 0, -EINVAL for a bad slot number, -EIO if OpenSSL fails. */
__attribute__((warn_unused_result))
int memenc_key_program(struct memenc *e, unsigned slot, uint32_t owner, bool encrypt);
/* Mark `slot` invalid (its generation is kept); -EINVAL for a bad number. */
__attribute__((warn_unused_result))
int memenc_key_invalidate(struct memenc *e, unsigned slot);

bool memenc_key_valid(const struct memenc *e, unsigned slot);
/* The slot's owner tag, generation and encrypt flag (0 / false for a bad number). */
uint32_t memenc_key_owner(const struct memenc *e, unsigned slot);
uint32_t memenc_key_generation(const struct memenc *e, unsigned slot);
bool memenc_key_encrypts(const struct memenc *e, unsigned slot);

/* Move one 64-byte line between the controller and DRAM through `slot`.
 * Adds to *cycles the DRAM latency plus, when the slot encrypts (XTS mode and
 * an encrypting slot), the AES pipeline: aes_latency + 3 * aes_issue for the
 * line's 4 blocks, serialised after the data on a read and before it on a
 * write. Returns 0; -EINVAL for a bad slot number or a pa not 64-byte
 * aligned; -ENOKEY for an invalid slot; -ERANGE from mem. On error nothing is
 * moved and *cycles is unchanged. */
__attribute__((warn_unused_result))
int memenc_read_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE],
		     uint64_t *cycles);
__attribute__((warn_unused_result))
int memenc_write_line(struct memenc *e, unsigned slot, uint64_t pa,
		      const uint8_t in[MEMENC_LINE], uint64_t *cycles);

/* What read_line (and write_line) adds for `slot` in its current state. */
uint64_t memenc_line_latency(const struct memenc *e, unsigned slot);

#endif
