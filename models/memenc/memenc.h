/* Memory-encryption engine between the memory controller and DRAM: a table of
 * key slots (ASIDs, KeyIDs, MECIDs) and, per 64-byte line, AES-128-XTS with
 * the PA as tweak (IEEE 1619, data unit = one line), optionally with per-line
 * integrity (Intel TDX "Ci": MAC + TD-owner bit in the ECC bits) or with
 * counter-mode encryption under an integrity tree (Intel SGX MEE style); or
 * first-generation AMD SEV's AES with an address-linear tweak (XE, and the
 * XEX variant of updated parts: Wilke et al., "SEVurity", IEEE S&P 2020). */
#ifndef CCSIM_MEMENC_MEMENC_H
#define CCSIM_MEMENC_MEMENC_H

#include <stdbool.h>
#include <stdint.h>

#include "models/mem/mem.h"
#include "sim/model.h"

struct sim;
/* Private to models/memenc/ (memenc_priv.h). */
struct memenc_slot;
struct memenc_crypto;
struct memenc_lines;
struct memenc_tree;

enum memenc_mode {
	MEMENC_NONE,     /* no engine: every line passes through in plaintext */
	MEMENC_XTS,      /* AES-128-XTS, tweak = PA (little-endian, zero-extended) */
	MEMENC_MAC,      /* XTS + per-line 28-bit MAC and TD-owner bit in ECC bits (TDX Ci) */
	MEMENC_CTR_TREE, /* AES-128-CTR + 56-bit counters/MACs under a counter tree (MEE) */
	MEMENC_XE,       /* AES-128 per 16-byte block, C = E_K(P ^ T(pa)): T linear in the PA
			    bits, the same for every key (Zen 1 SEV; memenc_tweak) */
	MEMENC_XEX_LINEAR, /* the same T XORed before and after: C = E_K(P ^ T) ^ T (updated
			      Zen 1 parts) */
};

#define MEMENC_LINE 64
#define MEMENC_SLOTS_MAX 4096
#define MEMENC_AES_LATENCY_DEFAULT 40
#define MEMENC_AES_ISSUE_DEFAULT 1
#define MEMENC_MAC_LATENCY_DEFAULT 40
#define MEMENC_TREE_ARITY_DEFAULT 8
#define MEMENC_META_CACHE_SIZE_DEFAULT (64 * 1024)
#define MEMENC_META_CACHE_WAYS_DEFAULT 8
#define MEMENC_META_CACHE_LATENCY_DEFAULT 2
#define MEMENC_TREE_LEVELS_MAX 24
#define MEMENC_MAC_BITS 28     /* MEMENC_MAC line MAC (TDX Ci) */
#define MEMENC_CTR_BITS 56     /* MEMENC_CTR_TREE counters and MACs (MEE) */
#define MEMENC_TWEAK_BLOCK 16  /* XE / XEX_LINEAR: bytes one tweak covers (an AES block) */
#define MEMENC_TWEAK_LOW 4     /* ... so PA bits 0..3 have no tweak constant */
#define MEMENC_TWEAK_CONSTS 64 /* one per PA bit (the low ones stay 0) */

/* Key-slot flags for memenc_key_program_ex. */
#define MEMENC_KEY_ENCRYPT (1u << 0) /* lines are encrypted (else bypass: plaintext) */
#define MEMENC_KEY_PRIVATE (1u << 1) /* a TDX private HKID: needs MEMENC_KEY_ENCRYPT */
#define MEMENC_KEY_OWNED (1u << 2)   /* the owner's own key (an SEV guest's VEK): the same
					wherever and whenever it is loaded, not a fresh one */

struct memenc_config {
	enum memenc_mode mode;
	unsigned slots;       /* 1..MEMENC_SLOTS_MAX */
	uint64_t aes_latency; /* cycles per 16-byte block (0: none; the profile's default is 40) */
	uint64_t aes_issue;   /* cycles between pipelined blocks of one shared engine (0: no issue
	                       * limit, an engine per request; the profile's default is 1) */
	uint64_t mac_latency; /* cycles of one MAC computation; 0 selects the default (40) */
	bool mac_overlap;     /* a read forwards its data while the MAC is checked, poisoning
				 afterwards if it fails (use-then-poison, SecDDR-style): the
				 MAC costs a read no latency */
	bool owner_only;      /* MEMENC_MAC without the MAC: the TD-owner bit alone (TDX "Li",
				 logical integrity): a private read of a line a shared KeyID
				 wrote still poisons, but altered ciphertext goes undetected,
				 and no MAC is computed on either path */
	/* MEMENC_CTR_TREE only (checked in that mode; the defaults are checked always). */
	uint64_t prot_base;   /* protected region, 64-byte aligned, inside DRAM */
	uint64_t prot_size;   /* bytes, a non-zero multiple of 64 */
	uint64_t meta_base;   /* counter blocks and tree nodes, 64-byte aligned, in DRAM,
			       * not overlapping the protected region */
	unsigned tree_arity;  /* 8, 64 or 128; 0 selects 8 */
	uint64_t meta_cache_size;    /* bytes; 0 selects 64 KiB; sets a power of two */
	unsigned meta_cache_ways;    /* >= 2 (a fill pins the parent); 0 selects 8 */
	uint64_t meta_cache_latency; /* cycles per lookup; 0 selects 2 */
};

struct memenc {
	struct sim_model base; /* must be first */
	char *name;
	struct memenc_config cfg; /* resolved: defaults filled in */
	struct mem *mem;
	struct memenc_slot *slots;
	struct memenc_crypto *crypto; /* MAC and CTR_TREE: engine keys and contexts */
	struct memenc_lines *lines;   /* MAC and CTR_TREE: per-line ECC metadata */
	struct memenc_tree *tree;     /* CTR_TREE: geometry, on-chip root, metadata cache */
	uint16_t trace_src;
	/* XE / XEX_LINEAR: t_i for PA bit i, a 4-byte pattern (memenc_tweak); from the
	 * seed, never saved */
	uint32_t tweak_const[MEMENC_TWEAK_CONSTS];
	uint64_t engine_free;     /* the cycle the AES pipeline takes its next line */
	bool untimed;             /* moving data whose timing was accounted already (a
				     prefetched line): no latency, no engine or DRAM time taken */
	uint64_t stat_lines_read, stat_lines_written, stat_encrypts, stat_decrypts;
	uint64_t stat_key_programs, stat_cycles;
	uint64_t stat_mac_failures;    /* integrity checks that failed (line or node) */
	uint64_t stat_poisoned_reads;  /* reads that returned -EBADMSG */
	uint64_t stat_owner_zero_reads; /* shared reads of TD-owned lines (zeros returned) */
	uint64_t stat_meta_hits, stat_meta_misses; /* metadata-cache lookups */
	uint64_t stat_tree_node_fetches; /* counter blocks and tree nodes read from DRAM */
	uint64_t stat_meta_writebacks;   /* counter blocks and tree nodes written to DRAM */
	uint64_t stat_counter_overflows; /* split-counter minor overflows (re-encryptions) */
};

/* Timing only: cycles from `offset` (into the current access, see
 * sim_time) until a read of the line at pa under `slot` would deliver its
 * data, taking the DRAM channel and the AES pipeline as that read would;
 * no data moves (a prefetch). Under a counter tree the line's counter is
 * taken to be cached. */
uint64_t memenc_read_timing(struct memenc *e, unsigned slot, uint64_t pa, uint64_t offset);

/* Set up the engine in front of `mem` and register the model and its stats
 * ("<name>.lines_read", ...). Every slot starts invalid at generation 0.
 * Returns 0, or -EINVAL (nothing registered) for a bad mode, slot count or
 * integrity configuration, -EIO if OpenSSL cannot set up the engine keys. */
__attribute__((warn_unused_result))
int memenc_init(struct memenc *e, struct sim *s, const char *name,
		const struct memenc_config *cfg, struct mem *mem);

/* Give `slot` a fresh key: generation + 1, key derived from the simulation
 * seed, slot and generation, so lines written under the old key no longer
 * decrypt. `flags`: MEMENC_KEY_ENCRYPT (else a bypass slot: lines stored in
 * plaintext) and MEMENC_KEY_PRIVATE (a TDX private HKID; only MEMENC_MAC
 * gives it meaning). `owner` is the caller's tag (PAS, ASID, KeyID). The slot
 * table behaves the same in every mode; only the data transform differs.
 * Returns 0, -EINVAL for a bad slot number or flags (unknown bits, PRIVATE
 * without ENCRYPT), -EIO if OpenSSL fails. */
__attribute__((warn_unused_result))
int memenc_key_program_ex(struct memenc *e, unsigned slot, uint32_t owner, unsigned flags);
/* memenc_key_program_ex with flags = encrypt ? MEMENC_KEY_ENCRYPT : 0. */
__attribute__((warn_unused_result))
int memenc_key_program(struct memenc *e, unsigned slot, uint32_t owner, bool encrypt);
/* Mark `slot` invalid (its generation is kept); -EINVAL for a bad number. */
__attribute__((warn_unused_result))
int memenc_key_invalidate(struct memenc *e, unsigned slot);

bool memenc_key_valid(const struct memenc *e, unsigned slot);
/* The slot's owner tag, generation, encrypt and private flags (0 / false for
 * a bad number). */
uint32_t memenc_key_owner(const struct memenc *e, unsigned slot);
uint32_t memenc_key_generation(const struct memenc *e, unsigned slot);
bool memenc_key_encrypts(const struct memenc *e, unsigned slot);
bool memenc_key_private(const struct memenc *e, unsigned slot);

/* Move one 64-byte line between the controller and DRAM through `slot`,
 * adding the access's latency to *cycles. D = DRAM latency, A = aes_latency +
 * 3 * aes_issue (the line's 4 pipelined blocks; 0 for a bypass slot),
 * M = mac_latency, C = meta_cache_latency. A data line's DRAM write is
 * posted (mem.h: mem_access_cycles): in a write, D stands for the channel
 * wait and the controller only, not the array.
 *   NONE, XTS, XE, XEX_LINEAR:  read D + A (AES after the data), write A + D
 *               (the linear tweak, like XTS's, is ready before the data).
 *   MAC:        (owner_only: M is 0 everywhere, only the owner bit is checked)
 *               private read D + A + M (decrypt, then the MAC check: serial, the
 *               line is not released before it is verified); shared read D + A
 *               (TDX checks integrity on private-KeyID reads only); any write
 *               A + M + D (encrypt, MAC the ciphertext, store).
 *   CTR_TREE, a line in the protected region through an encrypting slot (a
 *   bypass slot or a line outside the region is handled as in XTS):
 *     counter hit   read  max(D, C + A) + 1 + M   (pad computed during the
 *                         data fetch, XOR, line MAC check)
 *                   write C + A + 1 + M + D   (increment folded into the
 *                         lookup; the block turns dirty: tree update deferred
 *                         to its write-back)
 *     counter miss  read  P*C + D + max(A, M) + (n-1)*(D + M) + 1 + M
 *                   write P*C + D + max(A, M) + (n-1)*(D + M) + 1 + M + D
 *       n = metadata nodes missing from the cache (the counter block and the
 *       missing tree nodes above it), P = lookups made (n, plus one if the walk
 *       stopped on a cached node rather than the on-chip root). The counter
 *       block arrives after its lookups and one DRAM access (the data fetch,
 *       issued at once, is hidden under it); its own MAC check runs beside the
 *       pad; each further missing node is one more DRAM fetch + MAC, serial.
 *     plus, charged to the access that caused them (no write buffer):
 *       metadata write-back of a dirty evicted node: P'*C + m*(D + M) +
 *       (m + 1)*(M + D), m = its ancestors missing from the cache (read and
 *       verified, then updated and written straight back: no allocation),
 *       P' = lookups made; split-counter overflow: 2*D per re-encrypted
 *       sibling line or re-MACed uncached child node (crypto pipelined under
 *       the DRAM traffic; D alone for one found poisoned or failing its check,
 *       0 for a cached child node, which is marked dirty instead).
 *     At the defaults (D=150, A=43, M=40, C=2): hit read 191, hit write 236;
 *     a miss of the counter block under a cached node 238 (read).
 *   A read of a line already poisoned costs D.
 * Returns 0; -EINVAL for a bad slot number or a pa not 64-byte aligned;
 * -ENOKEY for an invalid slot; -ERANGE from mem (on these nothing is moved and
 * *cycles is unchanged); -EBADMSG for an integrity failure (a machine check:
 * the read's `out` is zeroed, the line stays poisoned until a write; a write
 * fails if its counter block does not verify); the latency is still added. */
__attribute__((warn_unused_result))
int memenc_read_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE],
		     uint64_t *cycles);
__attribute__((warn_unused_result))
int memenc_write_line(struct memenc *e, unsigned slot, uint64_t pa,
		      const uint8_t in[MEMENC_LINE], uint64_t *cycles);

/* The plaintext read_line would return for the line in DRAM, with no side
 * effect at all (no stats, timing, bus log, MAC check or poison): for
 * checks that must not disturb the run. -EOPNOTSUPP for a line under the
 * counter tree; otherwise as read_line's argument errors. */
int memenc_peek_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE]);

/* The XE / XEX_LINEAR tweak of the 16-byte block at `pa`: T(pa) = XOR of t_i
 * over the set bits i >= 4 of pa, each t_i a 4-byte pattern repeated four
 * times (SEVurity section III, table I). One table per machine (derived from
 * the seed), the same for every key slot and key generation, as SEVurity
 * found on hardware: so a block moved from a to b decrypts, under any key, to
 * P ^ T(a) ^ T(b) in XE. All zeros in the other modes (no linear tweak). */
void memenc_tweak(const struct memenc *e, uint64_t pa, uint8_t out[MEMENC_TWEAK_BLOCK]);

/* What read_line adds for `slot` on a line that needs no metadata (NONE, XTS,
 * XE, XEX_LINEAR: reads and writes; MAC: a valid line; CTR_TREE: outside the region). */
uint64_t memenc_line_latency(const struct memenc *e, unsigned slot);

/* CTR_TREE: write every dirty counter block and tree node back to DRAM (lowest
 * level first, updating the tree up to the root) and empty the metadata cache,
 * adding the write-back latencies to *cycles. 0 in other modes; -EBADMSG if a
 * node met on the way does not verify. */
__attribute__((warn_unused_result))
int memenc_meta_flush(struct memenc *e, uint64_t *cycles);

/* A physical attacker with the whole DIMM, ECC bits included. */
struct memenc_raw_line {
	uint8_t data[MEMENC_LINE]; /* the data cells */
	uint64_t mac;              /* per-line MAC (ECC bits); 0 in NONE/XTS */
	uint8_t owner;             /* TD-owner bit (ECC bits) */
	uint8_t poisoned;          /* poison marker (ECC bits) */
	uint64_t counter;          /* CTR_TREE: the line's counter in its counter block in
				    * DRAM (not the cached copy); 0 elsewhere */
};
/* What the DIMM holds for the line at `pa` now. Returns 0, -EINVAL for an
 * unaligned pa, -ERANGE outside DRAM. Plain mem_write on the data cells
 * leaves the ECC bits alone: that is a tamper. */
__attribute__((warn_unused_result))
int memenc_phys_capture(struct memenc *e, uint64_t pa, struct memenc_raw_line *out);
/* Put a captured line back: data cells and per-line metadata; in CTR_TREE the
 * counter is also written into the line's counter block in DRAM (not its MAC,
 * nor the tree nodes above, nor a cached copy). Same errors as capture. */
__attribute__((warn_unused_result))
int memenc_phys_replay(struct memenc *e, uint64_t pa, const struct memenc_raw_line *in);

#endif
