/* Memory-encryption engine core: key slots, deterministic key derivation,
 * AES-128-XTS per line through OpenSSL EVP, first-generation SEV's
 * address-linear tweak (XE / XEX), the dispatch to the integrity modes
 * (memenc_mac.c, memenc_tree.c + memenc_meta.c), stats and snapshots. */
#include "models/memenc/memenc.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/memenc/memenc_priv.h"
#include "sim/sim.h"

#define KEY_LABEL "ccsim.memenc.key"
#define TWEAK_LABEL "ccsim.memenc.tweak"

bool memenc_slot_encrypts(const struct memenc *e, const struct memenc_slot *sl)
{
	return e->cfg.mode != MEMENC_NONE && sl->encrypt;
}

uint64_t memenc_aes_line(const struct memenc *e)
{
	return e->cfg.aes_latency + (MEMENC_LINE_BLOCKS - 1) * e->cfg.aes_issue;
}

uint64_t memenc_aes(struct memenc *e, uint64_t offset)
{
	if (e->untimed)
		return 0;
	if (!e->cfg.aes_issue) /* no issue limit: the latency alone */
		return memenc_aes_line(e);
	uint64_t now = sim_time(e->base.sim) + offset;
	uint64_t start = e->engine_free > now ? e->engine_free : now;
	e->engine_free = start + MEMENC_LINE_BLOCKS * e->cfg.aes_issue;
	return start - now + memenc_aes_line(e);
}

void memenc_trace_note(struct memenc *e, const char *what, uint64_t pa, const char *why)
{
	char text[96];
	int n = snprintf(text, sizeof(text), "%s pa=0x%llx %s", what, (unsigned long long)pa, why);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	sim_trace_emit(e->base.sim, TRACE_NOTE, e->trace_src, 0, 0, 0, 0, text, (uint32_t)n);
}

/* key = SHA-256(label || seed u64 LE || slot u32 LE || generation u32 LE).
 * XTS needs two different halves (IEEE 1619 5.1; OpenSSL rejects equal
 * ones), so a colliding digest is hashed again. */
static void key_derive(uint64_t seed, uint32_t slot, uint32_t generation,
		       uint8_t key[MEMENC_KEY_LEN])
{
	uint8_t msg[sizeof(KEY_LABEL) - 1 + 8 + 4 + 4];
	size_t n = sizeof(KEY_LABEL) - 1;
	memcpy(msg, KEY_LABEL, n);
	sim_le64_store(msg + n, seed);
	for (int i = 0; i < 4; i++) {
		msg[n + 8 + i] = (uint8_t)(slot >> (8 * i));
		msg[n + 12 + i] = (uint8_t)(generation >> (8 * i));
	}
	const uint8_t *in = msg;
	gsize in_len = sizeof(msg);
	do {
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		gsize len = MEMENC_KEY_LEN;
		g_checksum_update(c, in, in_len);
		g_checksum_get_digest(c, key, &len);
		g_checksum_free(c);
		in = key;
		in_len = MEMENC_KEY_LEN;
	} while (memcmp(key, key + MEMENC_KEY_LEN / 2, MEMENC_KEY_LEN / 2) == 0);
}

static void slot_ctx_free(struct memenc_slot *sl)
{
	EVP_CIPHER_CTX_free(sl->enc);
	EVP_CIPHER_CTX_free(sl->dec);
	EVP_CIPHER_CTX_free(sl->tweak);
	sl->enc = sl->dec = sl->tweak = NULL;
}

/* Derive the slot's key for its current generation and key both contexts. */
static int slot_key_load(struct memenc *e, unsigned slot)
{
	struct memenc_slot *sl = &e->slots[slot];
	if (sl->owned) /* all-ones generation: the owner's key, apart from every slot's */
		key_derive(e->base.sim->seed, sl->owner, UINT32_MAX, sl->key);
	else
		key_derive(e->base.sim->seed, slot, sl->generation, sl->key);
	if (!sl->enc)
		sl->enc = EVP_CIPHER_CTX_new();
	if (!sl->dec)
		sl->dec = EVP_CIPHER_CTX_new();
	if (!sl->tweak)
		sl->tweak = EVP_CIPHER_CTX_new();
	/* XTS key = K1 (data) || K2 (tweak), IEEE 1619 */
	const uint8_t *k1 = sl->key, *k2 = sl->key + MEMENC_AES_BLOCK;
	if (!sl->enc || !sl->dec || !sl->tweak ||
	    EVP_EncryptInit_ex(sl->enc, EVP_aes_128_ecb(), NULL, k1, NULL) != 1 ||
	    EVP_DecryptInit_ex(sl->dec, EVP_aes_128_ecb(), NULL, k1, NULL) != 1 ||
	    EVP_EncryptInit_ex(sl->tweak, EVP_aes_128_ecb(), NULL, k2, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(sl->enc, 0) != 1 || EVP_CIPHER_CTX_set_padding(sl->dec, 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(sl->tweak, 0) != 1) {
		slot_ctx_free(sl);
		return -EIO;
	}
	return 0;
}

/* One XTS-AES-128 data unit (a line, 4 blocks) with tweak = PA,
 * little-endian, zero-extended (IEEE 1619): T = E_K2(tweak), then per block
 * C = E_K1(P ^ T) ^ T with T multiplied by x in GF(2^128) between blocks
 * (IEEE 1619 5.2, little-endian: a 128-bit left shift, 0x87 folded in on
 * carry). Identical to OpenSSL's EVP_aes_128_xts, which the tests check.
 * Words are handled as little-endian 64-bit halves. */
int memenc_xts_crypt(struct memenc_slot *sl, bool enc, uint64_t pa, const uint8_t *in,
		     uint8_t *out)
{
	uint8_t iv[MEMENC_AES_BLOCK] = {0}, t0[MEMENC_AES_BLOCK];
	uint64_t tw[MEMENC_LINE / 8], buf[MEMENC_LINE / 8], w[MEMENC_LINE / 8];
	int n = 0;
	sim_le64_store(iv, pa);
	if (EVP_EncryptUpdate(sl->tweak, t0, &n, iv, MEMENC_AES_BLOCK) != 1 || n != MEMENC_AES_BLOCK)
		return -EIO;
	uint64_t lo = sim_le64_load(t0), hi = sim_le64_load(t0 + 8);
	for (int j = 0; j < MEMENC_LINE / MEMENC_AES_BLOCK; j++) {
		tw[2 * j] = lo;
		tw[2 * j + 1] = hi;
		uint64_t carry = hi >> 63;
		hi = hi << 1 | lo >> 63;
		lo = lo << 1 ^ (carry * 0x87);
	}
	for (int i = 0; i < MEMENC_LINE / 8; i++)
		buf[i] = sim_le64_load(in + 8 * i) ^ tw[i];
	/* buf holds little-endian words; on a big-endian host store them back */
	uint8_t bb[MEMENC_LINE], ob[MEMENC_LINE];
	for (int i = 0; i < MEMENC_LINE / 8; i++)
		sim_le64_store(bb + 8 * i, buf[i]);
	int ok = enc ? EVP_EncryptUpdate(sl->enc, ob, &n, bb, MEMENC_LINE)
		     : EVP_DecryptUpdate(sl->dec, ob, &n, bb, MEMENC_LINE);
	if (ok != 1 || n != MEMENC_LINE)
		return -EIO;
	for (int i = 0; i < MEMENC_LINE / 8; i++) {
		w[i] = sim_le64_load(ob + 8 * i) ^ tw[i];
		sim_le64_store(out + 8 * i, w[i]);
	}
	return 0;
}

static bool mode_linear(enum memenc_mode m)
{
	return m == MEMENC_XE || m == MEMENC_XEX_LINEAR;
}

/* The linear tweak's constants, one machine's table: t_i for PA bit i >= 4
 * is the first 4 bytes of SHA-256(label || seed u64 LE || i u32 LE), as a
 * little-endian word. What is modelled is the structure SEVurity (Wilke et
 * al., S&P 2020, section III and table I; after Du et al. 2017) recovered:
 * 16-byte constants made of one 4-byte pattern repeated (32 bits of
 * entropy each), fixed across boots and the same for every VM's key. The
 * values of real parts are not reproduced (SEVurity prints three of an
 * Epyc 7251 and reports they change with firmware); a run's seed stands for
 * one machine. Zero outside the linear modes. */
static void tweak_derive(struct memenc *e)
{
	memset(e->tweak_const, 0, sizeof(e->tweak_const));
	if (!mode_linear(e->cfg.mode))
		return;
	for (uint32_t i = MEMENC_TWEAK_LOW; i < MEMENC_TWEAK_CONSTS; i++) {
		uint8_t msg[sizeof(TWEAK_LABEL) - 1 + 8 + 4], d[32];
		size_t n = sizeof(TWEAK_LABEL) - 1;
		memcpy(msg, TWEAK_LABEL, n);
		sim_le64_store(msg + n, e->base.sim->seed);
		for (int b = 0; b < 4; b++)
			msg[n + 8 + b] = (uint8_t)(i >> (8 * b));
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		gsize len = sizeof(d);
		g_checksum_update(c, msg, sizeof(msg));
		g_checksum_get_digest(c, d, &len);
		g_checksum_free(c);
		e->tweak_const[i] = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
				    (uint32_t)d[3] << 24;
	}
}

void memenc_tweak(const struct memenc *e, uint64_t pa, uint8_t out[MEMENC_TWEAK_BLOCK])
{
	/* T(p) = XOR over i >= 4 of bit(p, i) * t_i (SEVurity III-A). Every t_i
	 * repeats one 4-byte word, so T(p) does too. */
	uint32_t w = 0;
	for (unsigned i = MEMENC_TWEAK_LOW; i < MEMENC_TWEAK_CONSTS; i++)
		if (pa >> i & 1)
			w ^= e->tweak_const[i];
	for (int b = 0; b < MEMENC_TWEAK_BLOCK; b++)
		out[b] = (uint8_t)(w >> (8 * (b % 4)));
}

/* One line (4 AES blocks, each with its own block address) in the linear
 * modes, the key's first half as the one AES-128 key K:
 *   XE          C = AES_K(P ^ T(p)),          P = AES_K^-1(C) ^ T(p)
 *               (SEVurity III-A: Ryzen 7 1700X after Du et al., Epyc 7251)
 *   XEX_LINEAR  C = AES_K(P ^ T(p)) ^ T(p),   P = AES_K^-1(C ^ T(p)) ^ T(p)
 *               (SEVurity III-B: Epyc 7401P, Epyc Embedded 3151)
 * so a block moved from a to b reads P ^ T(a) ^ T(b) in XE, and in XEX once
 * the attacker XORs T(a) ^ T(b) into the ciphertext it moves (SEVurity IV). */
static int linear_crypt(const struct memenc *e, struct memenc_slot *sl, bool enc, uint64_t pa,
			const uint8_t *in, uint8_t *out)
{
	bool xex = e->cfg.mode == MEMENC_XEX_LINEAR;
	uint8_t tw[MEMENC_LINE], buf[MEMENC_LINE], ob[MEMENC_LINE];
	int n = 0;
	for (int j = 0; j < MEMENC_LINE_BLOCKS; j++)
		memenc_tweak(e, pa + (uint64_t)j * MEMENC_AES_BLOCK, tw + j * MEMENC_AES_BLOCK);
	for (int i = 0; i < MEMENC_LINE; i++)
		buf[i] = enc || xex ? in[i] ^ tw[i] : in[i];
	int ok = enc ? EVP_EncryptUpdate(sl->enc, ob, &n, buf, MEMENC_LINE)
		     : EVP_DecryptUpdate(sl->dec, ob, &n, buf, MEMENC_LINE);
	if (ok != 1 || n != MEMENC_LINE)
		return -EIO;
	for (int i = 0; i < MEMENC_LINE; i++)
		out[i] = !enc || xex ? ob[i] ^ tw[i] : ob[i];
	return 0;
}

/* The slot's transform of one line in the engine's non-integrity modes. */
static int line_crypt(const struct memenc *e, struct memenc_slot *sl, bool enc, uint64_t pa,
		      const uint8_t *in, uint8_t *out)
{
	if (mode_linear(e->cfg.mode))
		return linear_crypt(e, sl, enc, pa, in, out);
	return memenc_xts_crypt(sl, enc, pa, in, out);
}

int memenc_key_program_ex(struct memenc *e, unsigned slot, uint32_t owner, unsigned flags)
{
	if (slot >= e->cfg.slots ||
	    (flags & ~(MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE | MEMENC_KEY_OWNED)) ||
	    (flags & MEMENC_KEY_PRIVATE && !(flags & MEMENC_KEY_ENCRYPT)))
		return -EINVAL;
	struct memenc_slot *sl = &e->slots[slot];
	sl->generation++;
	sl->owner = owner;
	sl->encrypt = flags & MEMENC_KEY_ENCRYPT;
	sl->priv = flags & MEMENC_KEY_PRIVATE;
	sl->owned = flags & MEMENC_KEY_OWNED;
	sl->valid = true;
	if (memenc_slot_encrypts(e, sl)) {
		int rc = slot_key_load(e, slot);
		if (rc) {
			sl->valid = false;
			return rc;
		}
	}
	e->stat_key_programs++;
	trace_KEY_PROGRAM(e->base.sim, e->trace_src, slot, owner, sl->generation, 0);
	return 0;
}

int memenc_key_program(struct memenc *e, unsigned slot, uint32_t owner, bool encrypt)
{
	return memenc_key_program_ex(e, slot, owner, encrypt ? MEMENC_KEY_ENCRYPT : 0);
}

int memenc_key_invalidate(struct memenc *e, unsigned slot)
{
	if (slot >= e->cfg.slots)
		return -EINVAL;
	e->slots[slot].valid = false;
	return 0;
}

bool memenc_key_valid(const struct memenc *e, unsigned slot)
{
	return slot < e->cfg.slots && e->slots[slot].valid;
}

uint32_t memenc_key_owner(const struct memenc *e, unsigned slot)
{
	return slot < e->cfg.slots ? e->slots[slot].owner : 0;
}

uint32_t memenc_key_generation(const struct memenc *e, unsigned slot)
{
	return slot < e->cfg.slots ? e->slots[slot].generation : 0;
}

bool memenc_key_encrypts(const struct memenc *e, unsigned slot)
{
	return slot < e->cfg.slots && e->slots[slot].encrypt;
}

bool memenc_key_private(const struct memenc *e, unsigned slot)
{
	return slot < e->cfg.slots && e->slots[slot].priv;
}

uint64_t memenc_line_latency(const struct memenc *e, unsigned slot)
{
	uint64_t c = mem_latency(e->mem);
	if (slot < e->cfg.slots && memenc_slot_encrypts(e, &e->slots[slot])) {
		c += memenc_aes_line(e);
		if (e->cfg.mode == MEMENC_MAC && e->slots[slot].priv && !memenc_owner_only(e))
			c += e->cfg.mac_latency;
	}
	return c;
}

static int line_check(const struct memenc *e, unsigned slot, uint64_t pa)
{
	if (slot >= e->cfg.slots || pa % MEMENC_LINE != 0)
		return -EINVAL;
	if (!e->slots[slot].valid)
		return -ENOKEY;
	if (pa > mem_size(e->mem) - MEMENC_LINE)
		return -ERANGE;
	return 0;
}

/* NONE, XTS, XE, XEX_LINEAR, and in CTR_TREE what the tree does not cover. */
static int cipher_read(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
		       uint8_t out[MEMENC_LINE], uint64_t *cycles)
{
	int rc;
	if (memenc_slot_encrypts(e, sl)) {
		uint8_t ct[MEMENC_LINE];
		rc = mem_read(e->mem, pa, ct, MEMENC_LINE);
		if (rc)
			return rc;
		rc = line_crypt(e, sl, false, pa, ct, out);
		if (rc)
			return rc;
		e->stat_decrypts++;
		*cycles += memenc_dram(e, pa, false, *cycles);
		*cycles += memenc_aes(e, *cycles); /* the tweak was ready before the data */
	} else {
		rc = mem_read(e->mem, pa, out, MEMENC_LINE);
		if (rc)
			return rc;
		*cycles += memenc_dram(e, pa, false, *cycles);
	}
	return 0;
}

static int cipher_write(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
			const uint8_t in[MEMENC_LINE], uint64_t *cycles)
{
	int rc;
	if (memenc_slot_encrypts(e, sl)) {
		uint8_t ct[MEMENC_LINE];
		rc = line_crypt(e, sl, true, pa, in, ct);
		if (rc)
			return rc;
		rc = mem_write(e->mem, pa, ct, MEMENC_LINE);
		if (rc)
			return rc;
		e->stat_encrypts++;
		uint64_t aes = memenc_aes(e, *cycles);
		*cycles += aes + memenc_dram(e, pa, true, *cycles + aes);
	} else {
		rc = mem_write(e->mem, pa, in, MEMENC_LINE);
		if (rc)
			return rc;
		*cycles += memenc_dram(e, pa, true, *cycles);
	}
	return 0;
}

static bool tree_path(const struct memenc *e, const struct memenc_slot *sl, uint64_t pa)
{
	return e->cfg.mode == MEMENC_CTR_TREE && sl->encrypt && memenc_tree_covers(e, pa);
}

int memenc_read_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE],
		     uint64_t *cycles)
{
	int rc = line_check(e, slot, pa);
	if (rc)
		return rc;
	struct memenc_slot *sl = &e->slots[slot];
	uint64_t c = *cycles; /* the access's time so far: when DRAM sees it */
	if (e->cfg.mode == MEMENC_MAC)
		rc = memenc_mac_read(e, sl, pa, out, &c);
	else if (tree_path(e, sl, pa))
		rc = memenc_ctr_read(e, pa, out, &c);
	else
		rc = cipher_read(e, sl, pa, out, &c);
	if (rc && rc != -EBADMSG)
		return rc;
	e->stat_lines_read++;
	if (!e->untimed) {
		e->stat_cycles += c - *cycles;
		*cycles = c;
	}
	return rc;
}

int memenc_peek_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE])
{
	int rc = line_check(e, slot, pa);
	if (rc)
		return rc;
	struct memenc_slot *sl = &e->slots[slot];
	if (tree_path(e, sl, pa))
		return -EOPNOTSUPP; /* its counter may sit in the metadata cache */
	uint8_t ct[MEMENC_LINE];
	rc = mem_cell_read(e->mem, mem_decode(e->mem, pa), ct, MEMENC_LINE);
	if (rc)
		return rc;
	if (!memenc_slot_encrypts(e, sl)) {
		memcpy(out, ct, MEMENC_LINE);
		return 0;
	}
	return line_crypt(e, sl, false, pa, ct, out);
}

uint64_t memenc_read_timing(struct memenc *e, unsigned slot, uint64_t pa, uint64_t offset)
{
	if (line_check(e, slot, pa))
		return 0;
	const struct memenc_slot *sl = &e->slots[slot];
	uint64_t c = offset;
	if (tree_path(e, sl, pa)) /* the counter's lookup or fetch, the pad, the XOR, the MAC */
		return memenc_ctr_read_timing(e, pa);
	c += memenc_dram(e, pa, false, c);
	if (memenc_slot_encrypts(e, sl))
		c += memenc_aes(e, c);
	if (e->cfg.mode == MEMENC_MAC && sl->priv)
		c += memenc_mac_on_read(e);
	return c - offset;
}

int memenc_write_line(struct memenc *e, unsigned slot, uint64_t pa,
		      const uint8_t in[MEMENC_LINE], uint64_t *cycles)
{
	int rc = line_check(e, slot, pa);
	if (rc)
		return rc;
	struct memenc_slot *sl = &e->slots[slot];
	uint64_t c = *cycles;
	if (e->cfg.mode == MEMENC_MAC)
		rc = memenc_mac_write(e, sl, pa, in, &c);
	else if (tree_path(e, sl, pa))
		rc = memenc_ctr_write(e, pa, in, &c);
	else
		rc = cipher_write(e, sl, pa, in, &c);
	if (rc && rc != -EBADMSG)
		return rc;
	if (!rc)
		e->stat_lines_written++;
	if (!e->untimed) {
		e->stat_cycles += c - *cycles;
		*cycles = c;
	}
	return rc;
}

int memenc_meta_flush(struct memenc *e, uint64_t *cycles)
{
	if (e->cfg.mode != MEMENC_CTR_TREE)
		return 0;
	uint64_t c = 0;
	int rc = memenc_tree_flush(e, &c);
	e->stat_cycles += c;
	*cycles += c;
	return rc;
}

/* --- model hooks --- */

static void memenc_reset(struct sim_model *sm)
{
	struct memenc *e = (struct memenc *)sm;
	/* Power-on: every slot invalid at generation 0; contexts are kept for
	 * reuse and rekeyed on the next program. The ECC bits and the metadata
	 * cache start empty, like DRAM. Counters describe the run. */
	for (unsigned i = 0; i < e->cfg.slots; i++) {
		struct memenc_slot *sl = &e->slots[i];
		sl->valid = sl->encrypt = sl->priv = sl->owned = false;
		sl->owner = sl->generation = 0;
		memset(sl->key, 0, MEMENC_KEY_LEN);
	}
	e->engine_free = 0;
	if (e->lines)
		memenc_lines_clear(e);
	if (e->tree)
		memenc_tree_reset(e);
}

static void memenc_destroy(struct sim_model *sm)
{
	struct memenc *e = (struct memenc *)sm;
	for (unsigned i = 0; e->slots && i < e->cfg.slots; i++)
		slot_ctx_free(&e->slots[i]);
	g_free(e->slots);
	e->slots = NULL;
	memenc_tree_free(e);
	memenc_lines_free(e);
	memenc_crypto_free(e);
	g_free(e->name);
	e->name = NULL;
	e->base.name = NULL;
}

/* u32 mode, u32 slots, then per slot u8 valid, u8 encrypt, u8 private,
 * u8 owned, u32 owner, u32 generation (keys are not saved: they follow from the
 * seed); MAC and CTR_TREE: the per-line metadata (memenc_lines_save);
 * CTR_TREE: the root and the metadata cache (memenc_tree_save). */
static int memenc_save_extra(const struct sim_model *sm, struct sim_buf *out)
{
	const struct memenc *e = (const struct memenc *)sm;
	sim_buf_put_u32(out, (uint32_t)e->cfg.mode);
	sim_buf_put_u32(out, e->cfg.slots);
	for (unsigned i = 0; i < e->cfg.slots; i++) {
		const struct memenc_slot *sl = &e->slots[i];
		sim_buf_put_u8(out, sl->valid);
		sim_buf_put_u8(out, sl->encrypt);
		sim_buf_put_u8(out, sl->priv);
		sim_buf_put_u8(out, sl->owned);
		sim_buf_put_u32(out, sl->owner);
		sim_buf_put_u32(out, sl->generation);
	}
	if (e->lines)
		memenc_lines_save(e, out);
	if (e->tree)
		memenc_tree_save(e, out);
	return 0;
}

static int memenc_restore_extra(struct sim_model *sm, struct sim_reader *in)
{
	struct memenc *e = (struct memenc *)sm;
	uint32_t mode = sim_reader_u32(in), nslots = sim_reader_u32(in);
	if (in->failed || mode != (uint32_t)e->cfg.mode || nslots != e->cfg.slots)
		return -EINVAL;
	uint64_t engine_free = e->engine_free; /* from the field table */
	memenc_reset(sm);
	e->engine_free = engine_free;
	tweak_derive(e); /* the checkpoint brought its seed */
	if (e->crypto) {
		int rc = memenc_crypto_rekey(e); /* the checkpoint brought its seed */
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < nslots; i++) {
		struct memenc_slot *sl = &e->slots[i];
		uint8_t valid = sim_reader_u8(in), encrypt = sim_reader_u8(in);
		uint8_t priv = sim_reader_u8(in), owned = sim_reader_u8(in);
		sl->owner = sim_reader_u32(in);
		sl->generation = sim_reader_u32(in);
		if (in->failed || valid > 1 || encrypt > 1 || priv > encrypt || owned > 1)
			return -EINVAL;
		sl->owned = owned;
		sl->valid = valid;
		sl->encrypt = encrypt;
		sl->priv = priv;
		if (sl->valid && memenc_slot_encrypts(e, sl)) {
			int rc = slot_key_load(e, i);
			if (rc)
				return rc;
		}
	}
	int rc = e->lines ? memenc_lines_restore(e, in) : 0;
	if (!rc && e->tree)
		rc = memenc_tree_restore(e, in);
	if (rc)
		return rc;
	return in->pos == in->len ? 0 : -EINVAL;
}

static const struct sim_model_ops memenc_ops = {
	.reset = memenc_reset,
	.save_extra = memenc_save_extra,
	.restore_extra = memenc_restore_extra,
	.destroy = memenc_destroy,
};

static const struct sim_field memenc_fields[] = {
	SIM_FIELD(struct memenc, stat_lines_read),
	SIM_FIELD(struct memenc, stat_lines_written),
	SIM_FIELD(struct memenc, stat_encrypts),
	SIM_FIELD(struct memenc, stat_decrypts),
	SIM_FIELD(struct memenc, stat_key_programs),
	SIM_FIELD(struct memenc, stat_cycles),
	SIM_FIELD(struct memenc, stat_mac_failures),
	SIM_FIELD(struct memenc, stat_poisoned_reads),
	SIM_FIELD(struct memenc, stat_owner_zero_reads),
	SIM_FIELD(struct memenc, stat_meta_hits),
	SIM_FIELD(struct memenc, stat_meta_misses),
	SIM_FIELD(struct memenc, stat_tree_node_fetches),
	SIM_FIELD(struct memenc, stat_meta_writebacks),
	SIM_FIELD(struct memenc, stat_counter_overflows),
	SIM_FIELD(struct memenc, engine_free),
};

static const struct sim_vmstate memenc_vmstate = {
	.name = "memenc",
	.version = 3,
	.fields = memenc_fields,
	.nfields = sizeof(memenc_fields) / sizeof(memenc_fields[0]),
};

/* Fill the defaults and check the configuration; 0 or -EINVAL. */
static int config_resolve(struct memenc_config *c, const struct mem *mem)
{
	if (!mem || (unsigned)c->mode > MEMENC_XEX_LINEAR || c->slots < 1 ||
	    c->slots > MEMENC_SLOTS_MAX)
		return -EINVAL;
	if (!c->mac_latency)
		c->mac_latency = MEMENC_MAC_LATENCY_DEFAULT;
	if (!c->tree_arity)
		c->tree_arity = MEMENC_TREE_ARITY_DEFAULT;
	if (!c->meta_cache_size)
		c->meta_cache_size = MEMENC_META_CACHE_SIZE_DEFAULT;
	if (!c->meta_cache_ways)
		c->meta_cache_ways = MEMENC_META_CACHE_WAYS_DEFAULT;
	if (!c->meta_cache_latency)
		c->meta_cache_latency = MEMENC_META_CACHE_LATENCY_DEFAULT;
	return memenc_tree_check(c, mem);
}

static void stats_register(struct memenc *e, struct sim *s, const char *name)
{
	static const struct sim_stat_def st[] = {
#define ST(f, n, k, d) SIM_STAT_DEF(struct memenc, f, n, k, d)
		ST(stat_lines_read, "lines_read", SIM_STAT_COUNT, "lines read from DRAM through the engine"),
		ST(stat_lines_written, "lines_written", SIM_STAT_COUNT, "lines written to DRAM through the engine"),
		ST(stat_encrypts, "encrypts", SIM_STAT_COUNT, "lines encrypted"),
		ST(stat_decrypts, "decrypts", SIM_STAT_COUNT, "lines decrypted"),
		ST(stat_key_programs, "key_programs", SIM_STAT_COUNT, "key slot programs"),
		ST(stat_cycles, "cycles", SIM_STAT_CYCLES, "cycles of line transfers (DRAM + AES + integrity)"),
		ST(stat_mac_failures, "mac_failures", SIM_STAT_COUNT, "integrity checks failed (owner bit, line or node MAC)"),
		ST(stat_poisoned_reads, "poisoned_reads", SIM_STAT_COUNT, "reads answered with poison (-EBADMSG)"),
		ST(stat_owner_zero_reads, "owner_zero_reads", SIM_STAT_COUNT, "shared reads of TD-owned lines (zeros)"),
		ST(stat_meta_hits, "meta_hits", SIM_STAT_COUNT, "metadata cache hits"),
		ST(stat_meta_misses, "meta_misses", SIM_STAT_COUNT, "metadata cache misses"),
		ST(stat_tree_node_fetches, "tree_node_fetches", SIM_STAT_COUNT, "counter blocks and tree nodes read from DRAM"),
		ST(stat_meta_writebacks, "meta_writebacks", SIM_STAT_COUNT, "counter blocks and tree nodes written to DRAM"),
		ST(stat_counter_overflows, "counter_overflows", SIM_STAT_COUNT, "split-counter overflows (siblings re-encrypted)"),
#undef ST
	};
	sim_stat_register_table(s, name, e, st, sizeof(st) / sizeof(st[0]));
}

int memenc_init(struct memenc *e, struct sim *s, const char *name,
		const struct memenc_config *cfg, struct mem *mem)
{
	struct memenc_config c = *cfg;
	if (config_resolve(&c, mem))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->cfg = c;
	e->mem = mem;
	e->base.sim = s; /* the key derivation below reads the seed */
	tweak_derive(e);
	if (c.mode == MEMENC_MAC || c.mode == MEMENC_CTR_TREE) {
		int rc = memenc_crypto_init(e);
		if (rc) {
			memenc_crypto_free(e);
			return rc;
		}
		memenc_lines_init(e);
		if (c.mode == MEMENC_CTR_TREE)
			memenc_tree_init(e);
	}
	e->slots = g_new0(struct memenc_slot, c.slots);
	e->name = g_strdup(name);
	e->base.name = e->name;
	e->base.kind = "memenc";
	e->base.ops = &memenc_ops;
	e->base.vmstate = &memenc_vmstate;
	sim_model_register(s, &e->base);
	e->trace_src = sim_trace_source(s, name);
	stats_register(e, s, name);
	return 0;
}
