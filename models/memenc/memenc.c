/* Memory-encryption engine: key slots, deterministic key derivation and
 * AES-128-XTS per line through OpenSSL EVP; see memenc.h. */
#include "models/memenc/memenc.h"

#include <errno.h>
#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

#include "sim/sim.h"

#define KEY_LEN 32 /* AES-128-XTS: data key || tweak key */
#define KEY_LABEL "ccsim.memenc.key"
#define AES_BLOCK 16
#define LINE_BLOCKS (MEMENC_LINE / AES_BLOCK)

struct memenc_slot {
	bool valid;
	bool encrypt;
	uint32_t owner;
	uint32_t generation;
	uint8_t key[KEY_LEN];
	/* Keyed once per program, so a line costs an IV reset + one update. */
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
};

static bool slot_encrypts(const struct memenc *e, const struct memenc_slot *sl)
{
	return e->cfg.mode == MEMENC_XTS && sl->encrypt;
}

/* key = SHA-256(label || seed u64 LE || slot u32 LE || generation u32 LE).
 * XTS needs two different halves (IEEE 1619 5.1; OpenSSL rejects equal
 * ones), so a colliding digest is hashed again. */
static void key_derive(uint64_t seed, uint32_t slot, uint32_t generation, uint8_t key[KEY_LEN])
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
		gsize len = KEY_LEN;
		g_checksum_update(c, in, in_len);
		g_checksum_get_digest(c, key, &len);
		g_checksum_free(c);
		in = key;
		in_len = KEY_LEN;
	} while (memcmp(key, key + KEY_LEN / 2, KEY_LEN / 2) == 0);
}

static void slot_ctx_free(struct memenc_slot *sl)
{
	EVP_CIPHER_CTX_free(sl->enc);
	EVP_CIPHER_CTX_free(sl->dec);
	sl->enc = sl->dec = NULL;
}

/* Derive the slot's key for its current generation and key both contexts. */
static int slot_key_load(struct memenc *e, unsigned slot)
{
	struct memenc_slot *sl = &e->slots[slot];
	key_derive(e->base.sim->seed, slot, sl->generation, sl->key);
	if (!sl->enc)
		sl->enc = EVP_CIPHER_CTX_new();
	if (!sl->dec)
		sl->dec = EVP_CIPHER_CTX_new();
	if (!sl->enc || !sl->dec ||
	    EVP_EncryptInit_ex(sl->enc, EVP_aes_128_xts(), NULL, sl->key, NULL) != 1 ||
	    EVP_DecryptInit_ex(sl->dec, EVP_aes_128_xts(), NULL, sl->key, NULL) != 1) {
		slot_ctx_free(sl);
		return -EIO;
	}
	return 0;
}

/* One XTS data unit (a line) with tweak = PA, little-endian, zero-extended. */
static int line_crypt(EVP_CIPHER_CTX *ctx, bool enc, uint64_t pa, const uint8_t *in,
		      uint8_t *out)
{
	uint8_t iv[AES_BLOCK] = {0};
	int n = 0;
	sim_le64_store(iv, pa);
	if (enc) {
		if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(ctx, out, &n, in, MEMENC_LINE) != 1)
			return -EIO;
	} else {
		if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_DecryptUpdate(ctx, out, &n, in, MEMENC_LINE) != 1)
			return -EIO;
	}
	return n == MEMENC_LINE ? 0 : -EIO;
}

int memenc_key_program(struct memenc *e, unsigned slot, uint32_t owner, bool encrypt)
{
	if (slot >= e->cfg.slots)
		return -EINVAL;
	struct memenc_slot *sl = &e->slots[slot];
	sl->generation++;
	sl->owner = owner;
	sl->encrypt = encrypt;
	sl->valid = true;
	if (slot_encrypts(e, sl)) {
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

uint64_t memenc_line_latency(const struct memenc *e, unsigned slot)
{
	uint64_t c = mem_latency(e->mem);
	if (slot < e->cfg.slots && slot_encrypts(e, &e->slots[slot]))
		c += e->cfg.aes_latency + (LINE_BLOCKS - 1) * e->cfg.aes_issue;
	return c;
}

static int line_check(const struct memenc *e, unsigned slot, uint64_t pa)
{
	if (slot >= e->cfg.slots || pa % MEMENC_LINE != 0)
		return -EINVAL;
	if (!e->slots[slot].valid)
		return -ENOKEY;
	return 0;
}

int memenc_read_line(struct memenc *e, unsigned slot, uint64_t pa, uint8_t out[MEMENC_LINE],
		     uint64_t *cycles)
{
	int rc = line_check(e, slot, pa);
	if (rc)
		return rc;
	struct memenc_slot *sl = &e->slots[slot];
	if (slot_encrypts(e, sl)) {
		uint8_t ct[MEMENC_LINE];
		rc = mem_read(e->mem, pa, ct, MEMENC_LINE);
		if (rc)
			return rc;
		rc = line_crypt(sl->dec, false, pa, ct, out);
		if (rc)
			return rc;
		e->stat_decrypts++;
	} else {
		rc = mem_read(e->mem, pa, out, MEMENC_LINE);
		if (rc)
			return rc;
	}
	uint64_t c = memenc_line_latency(e, slot);
	e->stat_lines_read++;
	e->stat_cycles += c;
	*cycles += c;
	return 0;
}

int memenc_write_line(struct memenc *e, unsigned slot, uint64_t pa,
		      const uint8_t in[MEMENC_LINE], uint64_t *cycles)
{
	int rc = line_check(e, slot, pa);
	if (rc)
		return rc;
	struct memenc_slot *sl = &e->slots[slot];
	if (slot_encrypts(e, sl)) {
		uint8_t ct[MEMENC_LINE];
		/* Check the range first so a failed write has not been encrypted. */
		if (pa > mem_size(e->mem) - MEMENC_LINE)
			return -ERANGE;
		rc = line_crypt(sl->enc, true, pa, in, ct);
		if (rc)
			return rc;
		rc = mem_write(e->mem, pa, ct, MEMENC_LINE);
		if (rc)
			return rc;
		e->stat_encrypts++;
	} else {
		rc = mem_write(e->mem, pa, in, MEMENC_LINE);
		if (rc)
			return rc;
	}
	uint64_t c = memenc_line_latency(e, slot);
	e->stat_lines_written++;
	e->stat_cycles += c;
	*cycles += c;
	return 0;
}

/* --- model hooks --- */

static void memenc_reset(struct sim_model *sm)
{
	struct memenc *e = (struct memenc *)sm;
	/* Power-on: every slot invalid at generation 0; contexts are kept for
	 * reuse and rekeyed on the next program. Counters describe the run. */
	for (unsigned i = 0; i < e->cfg.slots; i++) {
		struct memenc_slot *sl = &e->slots[i];
		sl->valid = sl->encrypt = false;
		sl->owner = sl->generation = 0;
		memset(sl->key, 0, KEY_LEN);
	}
}

static void memenc_destroy(struct sim_model *sm)
{
	struct memenc *e = (struct memenc *)sm;
	for (unsigned i = 0; e->slots && i < e->cfg.slots; i++)
		slot_ctx_free(&e->slots[i]);
	g_free(e->slots);
	e->slots = NULL;
	g_free(e->name);
	e->name = NULL;
	e->base.name = NULL;
}

/* Slot table: u32 mode, u32 slots, then per slot u8 valid, u8 encrypt,
 * u32 owner, u32 generation. Keys are not saved: they follow from the seed. */
static int memenc_save_extra(const struct sim_model *sm, struct sim_buf *out)
{
	const struct memenc *e = (const struct memenc *)sm;
	sim_buf_put_u32(out, (uint32_t)e->cfg.mode);
	sim_buf_put_u32(out, e->cfg.slots);
	for (unsigned i = 0; i < e->cfg.slots; i++) {
		const struct memenc_slot *sl = &e->slots[i];
		sim_buf_put_u8(out, sl->valid);
		sim_buf_put_u8(out, sl->encrypt);
		sim_buf_put_u32(out, sl->owner);
		sim_buf_put_u32(out, sl->generation);
	}
	return 0;
}

static int memenc_restore_extra(struct sim_model *sm, struct sim_reader *in)
{
	struct memenc *e = (struct memenc *)sm;
	uint32_t mode = sim_reader_u32(in), nslots = sim_reader_u32(in);
	if (in->failed || mode != (uint32_t)e->cfg.mode || nslots != e->cfg.slots)
		return -EINVAL;
	memenc_reset(sm);
	for (unsigned i = 0; i < nslots; i++) {
		struct memenc_slot *sl = &e->slots[i];
		uint8_t valid = sim_reader_u8(in), encrypt = sim_reader_u8(in);
		sl->owner = sim_reader_u32(in);
		sl->generation = sim_reader_u32(in);
		if (in->failed || valid > 1 || encrypt > 1)
			return -EINVAL;
		sl->valid = valid;
		sl->encrypt = encrypt;
		if (sl->valid && slot_encrypts(e, sl)) {
			int rc = slot_key_load(e, i);
			if (rc)
				return rc;
		}
	}
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
};

static const struct sim_vmstate memenc_vmstate = {
	.name = "memenc",
	.version = 1,
	.fields = memenc_fields,
	.nfields = sizeof(memenc_fields) / sizeof(memenc_fields[0]),
};

int memenc_init(struct memenc *e, struct sim *s, const char *name,
		const struct memenc_config *cfg, struct mem *mem)
{
	if (!mem || (cfg->mode != MEMENC_NONE && cfg->mode != MEMENC_XTS) || cfg->slots < 1 ||
	    cfg->slots > MEMENC_SLOTS_MAX)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	if (!e->cfg.aes_latency)
		e->cfg.aes_latency = MEMENC_AES_LATENCY_DEFAULT;
	if (!e->cfg.aes_issue)
		e->cfg.aes_issue = MEMENC_AES_ISSUE_DEFAULT;
	e->mem = mem;
	e->slots = g_new0(struct memenc_slot, cfg->slots);
	e->name = g_strdup(name);
	e->base.name = e->name;
	e->base.kind = "memenc";
	e->base.ops = &memenc_ops;
	e->base.vmstate = &memenc_vmstate;
	sim_model_register(s, &e->base);
	e->trace_src = sim_trace_source(s, name);
	sim_stat_register(s, name, "lines_read", SIM_STAT_COUNT, &e->stat_lines_read,
			  "lines read from DRAM through the engine");
	sim_stat_register(s, name, "lines_written", SIM_STAT_COUNT, &e->stat_lines_written,
			  "lines written to DRAM through the engine");
	sim_stat_register(s, name, "encrypts", SIM_STAT_COUNT, &e->stat_encrypts,
			  "lines encrypted");
	sim_stat_register(s, name, "decrypts", SIM_STAT_COUNT, &e->stat_decrypts,
			  "lines decrypted");
	sim_stat_register(s, name, "key_programs", SIM_STAT_COUNT, &e->stat_key_programs,
			  "key slot programs");
	sim_stat_register(s, name, "cycles", SIM_STAT_CYCLES, &e->stat_cycles,
			  "cycles of line transfers (DRAM + AES)");
	return 0;
}
