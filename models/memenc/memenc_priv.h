/* State and helpers shared by the memenc_*.c files (the engine core, the
 * per-line ECC metadata with the TDX-style MAC mode, the counter tree). Not
 * part of the engine's interface: other models include memenc.h only. */
#ifndef CCSIM_MEMENC_MEMENC_PRIV_H
#define CCSIM_MEMENC_MEMENC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "models/memenc/memenc.h"
#include "sim/buf.h"
#include "sim/sim.h"

#define MEMENC_KEY_LEN 32 /* AES-128-XTS: data key || tweak key */
#define MEMENC_AES_BLOCK 16
#define MEMENC_LINE_BLOCKS (MEMENC_LINE / MEMENC_AES_BLOCK)
#define MEMENC_CTR_MASK ((UINT64_C(1) << MEMENC_CTR_BITS) - 1)

struct memenc_slot {
	bool valid;
	bool encrypt;
	bool priv; /* TDX private HKID */
	bool owned; /* MEMENC_KEY_OWNED: the key follows from the owner, not the slot */
	uint32_t owner;
	uint32_t generation;
	uint8_t key[MEMENC_KEY_LEN];
	/* AES-128-ECB contexts keyed once per program: XTS is built on them
	 * (enc/dec with K1, tweak with K2), so a line costs two ECB updates
	 * and no per-line cipher re-initialisation. */
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	EVP_CIPHER_CTX *tweak;
};

/* Engine-wide keys, derived from the seed (memenc_mac.c). */
struct memenc_crypto {
	uint8_t mac_key[32]; /* HMAC-SHA3-256 key */
	uint8_t ctr_key[16]; /* AES-128-CTR key of the protected region */
	EVP_MAC *mac;
	EVP_MAC_CTX *mac_ctx;
	EVP_CIPHER_CTX *ctr;
};

/* One line's ECC-bit metadata. Lines never written hold all zeros. */
struct memenc_line_meta {
	uint64_t cell; /* key: the line's cell address (mem_decode of its PA) */
	uint64_t mac;
	uint8_t owner;
	uint8_t poisoned;
};

/* --- memenc.c --- */
bool memenc_slot_encrypts(const struct memenc *e, const struct memenc_slot *sl);
/* AES line latency of an encrypting slot: aes_latency + 3 * aes_issue. */
uint64_t memenc_aes_line(const struct memenc *e);
/* The slot's XTS transform of one line (tweak = PA). */
int memenc_xts_crypt(struct memenc_slot *sl, bool enc, uint64_t pa, const uint8_t *in,
		     uint8_t *out);
/* A TRACE_NOTE with "<what> pa=0x<pa> <why>" as payload. */
void memenc_trace_note(struct memenc *e, const char *what, uint64_t pa, const char *why);

/* --- memenc_mac.c: engine keys, MACs, per-line metadata, MAC mode --- */
/* Set up the contexts and derive the engine keys from the seed; rekey after
 * a restore (the checkpoint brings its seed). 0 or -EIO. */
int memenc_crypto_init(struct memenc *e);
int memenc_crypto_rekey(struct memenc *e);
void memenc_crypto_free(struct memenc *e);
/* TDX-style line MAC (28 bits) over ciphertext || PA || owner bit. 0 / -EIO. */
int memenc_mac_tdx(struct memenc *e, const uint8_t ct[MEMENC_LINE], uint64_t pa,
		   uint8_t owner, uint64_t *mac);
/* Counter-tree MACs (56 bits): a data line under its counter; a 64-byte
 * node (its MAC field must read zero) under its parent's counter. */
int memenc_mac_ctr_line(struct memenc *e, const uint8_t ct[MEMENC_LINE], uint64_t pa,
			uint64_t counter, uint64_t *mac);
int memenc_mac_node(struct memenc *e, const uint8_t node[MEMENC_LINE], uint64_t pa,
		    uint64_t parent_counter, uint64_t *mac);
/* AES-128-CTR of one line under the engine key, IV = counter || PA >> 6. */
int memenc_ctr_crypt(struct memenc *e, uint64_t pa, uint64_t counter, const uint8_t *in,
		     uint8_t *out);

void memenc_lines_init(struct memenc *e);
void memenc_lines_free(struct memenc *e);
void memenc_lines_clear(struct memenc *e);
/* The metadata in the ECC bits of the cell the line at `pa` reaches through
 * the DIMM's decoder, or NULL if never set (then it reads all zero). */
struct memenc_line_meta *memenc_line_find(struct memenc *e, uint64_t pa);
/* The same, created zeroed if absent. */
struct memenc_line_meta *memenc_line_get(struct memenc *e, uint64_t pa);
void memenc_lines_save(const struct memenc *e, struct sim_buf *out);
int memenc_lines_restore(struct memenc *e, struct sim_reader *in);
/* Mark the line poisoned and trace it (the caller counts the failed check). */
void memenc_poison(struct memenc *e, uint64_t pa, const char *why);
/* Answer a read of a poisoned line: zeros out, count it. */
int memenc_poisoned_read(struct memenc *e, uint8_t out[MEMENC_LINE]);

int memenc_mac_read(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
		    uint8_t out[MEMENC_LINE], uint64_t *cycles);
int memenc_mac_write(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
		     const uint8_t in[MEMENC_LINE], uint64_t *cycles);

/* --- memenc_tree.c: counter tree, memenc_meta.c: its metadata cache --- */

/* One metadata-cache way: a counter block or tree node, trusted while here. */
struct memenc_meta_way {
	uint64_t pa;  /* the node's DRAM address (the tag) */
	uint64_t lru; /* tree->clock at the last use */
	uint64_t index;
	unsigned level; /* 0 = counter blocks */
	bool valid, dirty;
	uint8_t data[MEMENC_LINE];
};

struct memenc_tree {
	unsigned arity;
	unsigned minor_bits;   /* 56 for arity 8; split counters: 6 (64), 3 (128) */
	bool split;            /* 56-bit major + arity minors per node */
	unsigned levels;       /* node levels in DRAM; the root sits above the top one */
	uint64_t lines;        /* lines in the protected region */
	uint64_t level_start[MEMENC_TREE_LEVELS_MAX]; /* node numbers from meta_base */
	uint64_t level_count[MEMENC_TREE_LEVELS_MAX];
	uint64_t nodes;
	uint8_t root[MEMENC_LINE]; /* on chip: counters of the top-level nodes, no MAC */
	unsigned sets, ways;
	uint64_t clock;
	struct memenc_meta_way *way; /* sets * ways, set-major */
};

/* What a metadata walk found, for the latency formulas. */
/* The time a read of the protected line at `pa` takes, its counter looked up
 * (and fetched with its tree path into the metadata cache on a miss) as a
 * demand read's would be: what a prefetch of that line costs. */
uint64_t memenc_ctr_read_timing(struct memenc *e, uint64_t pa);

struct memenc_walk {
	unsigned probes;  /* metadata-cache lookups */
	unsigned fetched; /* nodes read from DRAM (= missing ones when it succeeds) */
	uint64_t extra;   /* write-backs and overflows it caused */
};

uint64_t memenc_node_pa(const struct memenc *e, unsigned level, uint64_t index);
/* The node at `pa` as (level, index); false if `pa` is no node address. */
bool memenc_node_from_pa(const struct memenc *e, uint64_t pa, unsigned *level, uint64_t *index);
/* Effective counter of child `slot` (split: major << minor_bits | minor). */
uint64_t memenc_node_ctr(const struct memenc_tree *t, const uint8_t node[MEMENC_LINE],
			 unsigned slot);
/* Does the node verify under its parent's counter? (counter 0: never
 * written back, valid only while it still holds its all-zero power-on bytes) */
int memenc_node_check(struct memenc *e, const uint8_t node[MEMENC_LINE], uint64_t pa,
		      uint64_t parent_ctr, bool *ok);
/* Store the node's MAC under its parent's (new) counter. */
int memenc_node_seal(struct memenc *e, uint8_t node[MEMENC_LINE], uint64_t pa,
		     uint64_t parent_ctr);
/* Increment child `slot`'s counter in `node` (at `level`; t->levels = the
 * root); on a split-counter overflow re-encrypt (level 0) or re-MAC the other
 * children, adding their cost to *extra. 0, -EOVERFLOW, -EIO. */
int memenc_node_bump(struct memenc *e, uint8_t node[MEMENC_LINE], unsigned level,
		     uint64_t index, unsigned slot, uint64_t *extra);

/* The way holding the node at `pa`, or -1 (no stats, no LRU update). */
int memenc_meta_lookup(const struct memenc_tree *t, uint64_t pa);
/* Bring counter block / node (level, index) into the metadata cache,
 * verified; *way is valid until the next metadata-cache fill. 0, -EBADMSG
 * (a node did not verify), -EIO. */
int memenc_meta_get(struct memenc *e, unsigned level, uint64_t index, int *way,
		    struct memenc_walk *w);
/* Check the CTR_TREE fields of e->cfg (defaults filled) against `mem`. */
int memenc_tree_check(const struct memenc_config *cfg, const struct mem *mem);
void memenc_tree_init(struct memenc *e);
void memenc_tree_free(struct memenc *e);
void memenc_tree_reset(struct memenc *e);
bool memenc_tree_covers(const struct memenc *e, uint64_t pa);
int memenc_ctr_read(struct memenc *e, uint64_t pa, uint8_t out[MEMENC_LINE], uint64_t *cycles);
int memenc_ctr_write(struct memenc *e, uint64_t pa, const uint8_t in[MEMENC_LINE],
		     uint64_t *cycles);
int memenc_tree_flush(struct memenc *e, uint64_t *cycles);
/* The line's counter as its counter block in DRAM holds it / set it there. */
int memenc_tree_dram_counter(struct memenc *e, uint64_t pa, uint64_t *counter);
int memenc_tree_dram_counter_set(struct memenc *e, uint64_t pa, uint64_t counter);
void memenc_tree_save(const struct memenc *e, struct sim_buf *out);
int memenc_tree_restore(struct memenc *e, struct sim_reader *in);

/* DRAM cycles for the data line at pa, issued `offset` cycles into the
 * current access: the controller's bank and channel model (mem_access_cycles),
 * which is exactly the fixed latency when banks and bandwidth are off. */
static inline uint64_t memenc_dram(struct memenc *e, uint64_t pa, bool write, uint64_t offset)
{
	if (e->untimed)
		return 0;
	return mem_access_cycles(e->mem, pa, write, sim_time(e->base.sim) + offset);
}

/* Cycles from `offset` until the AES pipeline has transformed a line that
 * reaches it then: it takes a new line every MEMENC_LINE_BLOCKS *
 * aes_issue cycles (waiting if busy) and adds its latency once per line
 * (memenc_aes_line), as a pipelined engine in the memory controller does. */
uint64_t memenc_aes(struct memenc *e, uint64_t offset);
/* TDX Li: MEMENC_MAC with the owner bit and no MAC. */
static inline bool memenc_owner_only(const struct memenc *e)
{
	return e->cfg.mode == MEMENC_MAC && e->cfg.owner_only;
}

/* The MAC's latency on a read's path: none when it is checked beside the
 * forwarded data (mac_overlap), or when there is no MAC (owner_only). */
static inline uint64_t memenc_mac_on_read(const struct memenc *e)
{
	return e->untimed || e->cfg.mac_overlap || memenc_owner_only(e) ? 0 : e->cfg.mac_latency;
}

#endif
