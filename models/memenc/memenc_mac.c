/* Engine keys and MACs, the per-line metadata that models the DIMM's ECC bits,
 * the physical attacker's hooks on them, and MEMENC_MAC: Intel TDX "Ci" integrity. Each line carries a TD-owner bit
 * (set by private-KeyID writes, cleared by shared ones) and a 28-bit MAC; a
 * private read failing either check poisons the line (#MC), a shared read of a
 * TD-owned line returns zeros (Intel TDX overview, intel.com: "MKTME ... AES-
 * 128-XTS and integrity using 28-bit MAC and a TD-ownership bit"). */
#include <errno.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <string.h>

#include "models/memenc/memenc_priv.h"
#include "sim/sim.h"

#define MAC_KEY_LABEL "ccsim.memenc.mac"
#define CTR_KEY_LABEL "ccsim.memenc.ctr"
#define MAC_TDX_MASK ((UINT64_C(1) << MEMENC_MAC_BITS) - 1)

struct memenc_lines {
	GTree *tree; /* struct memenc_line_meta by cell: sparse, walked in cell order */
};

/* --- keys and MACs --- */

/* out = SHA-256(label || seed u64 LE), truncated to len (<= 32) bytes. */
static void engine_key(uint64_t seed, const char *label, uint8_t *out, size_t len)
{
	uint8_t d[32], s[8];
	gsize n = sizeof(d);
	sim_le64_store(s, seed);
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(c, (const guchar *)label, (gssize)strlen(label));
	g_checksum_update(c, s, sizeof(s));
	g_checksum_get_digest(c, d, &n);
	g_checksum_free(c);
	memcpy(out, d, len);
}

int memenc_crypto_rekey(struct memenc *e)
{
	struct memenc_crypto *k = e->crypto;
	engine_key(e->base.sim->seed, MAC_KEY_LABEL, k->mac_key, sizeof(k->mac_key));
	engine_key(e->base.sim->seed, CTR_KEY_LABEL, k->ctr_key, sizeof(k->ctr_key));
	if (EVP_EncryptInit_ex(k->ctr, EVP_aes_128_ctr(), NULL, k->ctr_key, NULL) != 1)
		return -EIO;
	return 0;
}

int memenc_crypto_init(struct memenc *e)
{
	struct memenc_crypto *k = g_new0(struct memenc_crypto, 1);
	e->crypto = k;
	char digest[] = "SHA3-256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	k->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	k->mac_ctx = k->mac ? EVP_MAC_CTX_new(k->mac) : NULL;
	k->ctr = EVP_CIPHER_CTX_new();
	if (!k->mac_ctx || !k->ctr || EVP_MAC_CTX_set_params(k->mac_ctx, params) != 1)
		return -EIO;
	return memenc_crypto_rekey(e);
}

void memenc_crypto_free(struct memenc *e)
{
	struct memenc_crypto *k = e->crypto;
	if (!k)
		return;
	EVP_MAC_CTX_free(k->mac_ctx);
	EVP_MAC_free(k->mac);
	EVP_CIPHER_CTX_free(k->ctr);
	g_free(k);
	e->crypto = NULL;
}

/* HMAC-SHA3-256(mac_key, tag || 64 bytes || pa u64 LE || x u64 LE, the
 * last xlen bytes of it), truncated to its first `bits` bits read LE. SHA-3
 * because TDX's MAC is SHA-3-based (Intel TDX white paper); HMAC because
 * OpenSSL has it and it is a PRF, which is all the model needs. */
static int mac_compute(struct memenc *e, char tag, const uint8_t line[MEMENC_LINE],
		       uint64_t pa, uint64_t x, size_t xlen, unsigned bits, uint64_t *mac)
{
	struct memenc_crypto *k = e->crypto;
	uint8_t msg[1 + MEMENC_LINE + 8 + 8], d[32];
	size_t n = 0;
	msg[0] = (uint8_t)tag;
	memcpy(msg + 1, line, MEMENC_LINE);
	sim_le64_store(msg + 1 + MEMENC_LINE, pa);
	sim_le64_store(msg + 1 + MEMENC_LINE + 8, x);
	if (EVP_MAC_init(k->mac_ctx, k->mac_key, sizeof(k->mac_key), NULL) != 1 ||
	    EVP_MAC_update(k->mac_ctx, msg, 1 + MEMENC_LINE + 8 + xlen) != 1 ||
	    EVP_MAC_final(k->mac_ctx, d, &n, sizeof(d)) != 1 || n != sizeof(d))
		return -EIO;
	*mac = sim_le64_load(d) & ((UINT64_C(1) << bits) - 1);
	return 0;
}

int memenc_mac_tdx(struct memenc *e, const uint8_t ct[MEMENC_LINE], uint64_t pa, uint8_t owner,
		   uint64_t *mac)
{
	return mac_compute(e, 'T', ct, pa, owner, 1, MEMENC_MAC_BITS, mac);
}

int memenc_mac_ctr_line(struct memenc *e, const uint8_t ct[MEMENC_LINE], uint64_t pa,
			uint64_t counter, uint64_t *mac)
{
	return mac_compute(e, 'L', ct, pa, counter, 8, MEMENC_CTR_BITS, mac);
}

int memenc_mac_node(struct memenc *e, const uint8_t node[MEMENC_LINE], uint64_t pa,
		    uint64_t parent_counter, uint64_t *mac)
{
	return mac_compute(e, 'N', node, pa, parent_counter, 8, MEMENC_CTR_BITS, mac);
}

/* IV = counter u64 LE || (PA >> 6) 48-bit LE || 0 || block: OpenSSL counts
 * the 4 blocks of the line in the last byte, so no two (PA, counter) pairs
 * share a pad. */
int memenc_ctr_crypt(struct memenc *e, uint64_t pa, uint64_t counter, const uint8_t *in,
		     uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = e->crypto->ctr;
	uint8_t iv[MEMENC_AES_BLOCK] = {0};
	int n = 0;
	sim_le64_store(iv, counter);
	for (int i = 0; i < 6; i++)
		iv[8 + i] = (uint8_t)((pa >> 6) >> (8 * i));
	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, in, MEMENC_LINE) != 1 || n != MEMENC_LINE)
		return -EIO;
	return 0;
}

/* --- per-line metadata (the ECC bits) ---
 *
 * The owner bit, the MAC and the poison marker sit in the ECC bits of the
 * DRAM cells (TDX Module Base Architecture Specification, "Memory Integrity
 * Protection": the memory controller stores the TD Owner bit and the MAC as
 * metadata with the line, both covered by ECC). So they are kept by the cell
 * the DIMM's decoder reaches, not by the address the engine was given: two
 * addresses aliased onto one cell (phys.alias, BadRAM) share them, as they
 * share the data. */

static gint pa_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	(void)unused;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void memenc_lines_init(struct memenc *e)
{
	e->lines = g_new0(struct memenc_lines, 1);
	/* The key points into the value, so only the value is freed. */
	e->lines->tree = g_tree_new_full(pa_cmp, NULL, NULL, g_free);
}

void memenc_lines_free(struct memenc *e)
{
	if (!e->lines)
		return;
	g_tree_destroy(e->lines->tree);
	g_free(e->lines);
	e->lines = NULL;
}

void memenc_lines_clear(struct memenc *e)
{
	g_tree_destroy(e->lines->tree);
	e->lines->tree = g_tree_new_full(pa_cmp, NULL, NULL, g_free);
}

/* The metadata of the line at cell address `cell`, created zeroed if absent. */
static struct memenc_line_meta *line_at_cell(struct memenc *e, uint64_t cell)
{
	struct memenc_line_meta *m = g_tree_lookup(e->lines->tree, &cell);
	if (!m) {
		m = g_new0(struct memenc_line_meta, 1);
		m->cell = cell;
		g_tree_insert(e->lines->tree, &m->cell, m);
	}
	return m;
}

struct memenc_line_meta *memenc_line_find(struct memenc *e, uint64_t pa)
{
	uint64_t cell = mem_decode(e->mem, pa);
	return g_tree_lookup(e->lines->tree, &cell);
}

struct memenc_line_meta *memenc_line_get(struct memenc *e, uint64_t pa)
{
	return line_at_cell(e, mem_decode(e->mem, pa));
}

static gboolean line_save(gpointer key, gpointer value, gpointer data)
{
	(void)key;
	const struct memenc_line_meta *m = value;
	struct sim_buf *out = data;
	sim_buf_put_u64(out, m->cell);
	sim_buf_put_u64(out, m->mac);
	sim_buf_put_u8(out, m->owner);
	sim_buf_put_u8(out, m->poisoned);
	return FALSE;
}

/* u64 count, then per line in ascending cell address: u64 cell, u64 mac,
 * u8 owner, u8 poisoned. (Without a decoder alias a line's cell address is
 * its PA, so checkpoints that keyed lines by PA read the same.) */
void memenc_lines_save(const struct memenc *e, struct sim_buf *out)
{
	sim_buf_put_u64(out, (uint64_t)g_tree_nnodes(e->lines->tree));
	g_tree_foreach(e->lines->tree, line_save, out);
}

int memenc_lines_restore(struct memenc *e, struct sim_reader *in)
{
	uint64_t n = sim_reader_u64(in), next = 0;
	uint64_t mac_max = e->cfg.mode == MEMENC_MAC ? MAC_TDX_MASK : MEMENC_CTR_MASK;
	for (uint64_t i = 0; i < n && !in->failed; i++) {
		uint64_t cell = sim_reader_u64(in), mac = sim_reader_u64(in);
		uint8_t owner = sim_reader_u8(in), poisoned = sim_reader_u8(in);
		if (in->failed || cell < next || cell % MEMENC_LINE ||
		    cell > mem_size(e->mem) - MEMENC_LINE || mac > mac_max || owner > 1 || poisoned > 1)
			return -EINVAL;
		struct memenc_line_meta *m = line_at_cell(e, cell);
		m->mac = mac;
		m->owner = owner;
		m->poisoned = poisoned;
		next = cell + MEMENC_LINE;
	}
	return in->failed ? -EINVAL : 0;
}

void memenc_poison(struct memenc *e, uint64_t pa, const char *why)
{
	memenc_line_get(e, pa)->poisoned = 1;
	memenc_trace_note(e, "poison", pa, why);
}

int memenc_poisoned_read(struct memenc *e, uint8_t out[MEMENC_LINE])
{
	memset(out, 0, MEMENC_LINE);
	e->stat_poisoned_reads++;
	return -EBADMSG;
}

/* --- physical attacker --- */

static int phys_check(const struct memenc *e, uint64_t pa)
{
	if (pa % MEMENC_LINE != 0)
		return -EINVAL;
	return pa > mem_size(e->mem) - MEMENC_LINE ? -ERANGE : 0;
}

int memenc_phys_capture(struct memenc *e, uint64_t pa, struct memenc_raw_line *out)
{
	int rc = phys_check(e, pa);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	/* The DIMM in hand: its cells, not the controller's path (no bus log). */
	rc = mem_cell_read(e->mem, mem_decode(e->mem, pa), out->data, MEMENC_LINE);
	if (rc)
		return rc;
	if (e->lines) {
		const struct memenc_line_meta *m = memenc_line_find(e, pa);
		if (m) {
			out->mac = m->mac;
			out->owner = m->owner;
			out->poisoned = m->poisoned;
		}
	}
	if (e->tree && memenc_tree_covers(e, pa))
		return memenc_tree_dram_counter(e, pa, &out->counter);
	return 0;
}

int memenc_phys_replay(struct memenc *e, uint64_t pa, const struct memenc_raw_line *in)
{
	int rc = phys_check(e, pa);
	if (rc)
		return rc;
	rc = mem_cell_write(e->mem, mem_decode(e->mem, pa), in->data, MEMENC_LINE);
	if (rc)
		return rc;
	if (e->lines) {
		/* The ECC bits hold only the MAC's width and one bit per flag. */
		struct memenc_line_meta *m = memenc_line_get(e, pa);
		unsigned bits = e->cfg.mode == MEMENC_MAC ? MEMENC_MAC_BITS : MEMENC_CTR_BITS;
		m->mac = in->mac & ((UINT64_C(1) << bits) - 1);
		m->owner = in->owner != 0;
		m->poisoned = in->poisoned != 0;
	}
	if (e->tree && memenc_tree_covers(e, pa))
		return memenc_tree_dram_counter_set(e, pa, in->counter);
	return 0;
}

/* --- MEMENC_MAC --- */

int memenc_mac_read(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
		    uint8_t out[MEMENC_LINE], uint64_t *cycles)
{
	const struct memenc_line_meta *m = memenc_line_find(e, pa);
	uint8_t ct[MEMENC_LINE];
	bool enc = memenc_slot_encrypts(e, sl);
	int rc = mem_read(e->mem, pa, ct, MEMENC_LINE);
	if (rc)
		return rc;
	/* The poison marker arrives with the data: no decryption, no check. */
	if (m && m->poisoned) {
		*cycles += memenc_dram(e, pa, false, *cycles);
		return memenc_poisoned_read(e, out);
	}
	uint8_t owner = m ? m->owner : 0;
	if (sl->priv) {
		/* TDX Ci: a private-KeyID read checks the owner bit and the MAC;
		 * Li the owner bit alone. */
		bool li = memenc_owner_only(e);
		uint64_t want = 0;
		rc = li ? 0 : memenc_mac_tdx(e, ct, pa, 1, &want);
		if (rc)
			return rc;
		*cycles += memenc_dram(e, pa, false, *cycles);
		if (enc)
			*cycles += memenc_aes(e, *cycles);
		*cycles += memenc_mac_on_read(e);
		if (!owner || (!li && want != m->mac)) {
			e->stat_mac_failures++;
			memenc_poison(e, pa, owner ? "mac" : "owner");
			return memenc_poisoned_read(e, out);
		}
	} else {
		*cycles += memenc_dram(e, pa, false, *cycles);
		if (enc)
			*cycles += memenc_aes(e, *cycles);
		if (owner) {
			/* A non-TD read of a TD-owned line returns zeros, no #MC. */
			memset(out, 0, MEMENC_LINE);
			e->stat_owner_zero_reads++;
			return 0;
		}
	}
	if (!enc) {
		memcpy(out, ct, MEMENC_LINE);
		return 0;
	}
	rc = memenc_xts_crypt(sl, false, pa, ct, out);
	if (!rc)
		e->stat_decrypts++;
	return rc;
}

/* A full-line write sets the owner bit from the KeyID, stores a fresh MAC
 * and clears poison, whichever KeyID writes: this is what MOVDIR64B does,
 * and Linux reclaims TD pages by MOVDIR64B through the KeyID-0 direct map
 * (arch/x86/virt/vmx/tdx/tdx.c, tdx_quirk_reset_paddr). */
int memenc_mac_write(struct memenc *e, struct memenc_slot *sl, uint64_t pa,
		     const uint8_t in[MEMENC_LINE], uint64_t *cycles)
{
	uint8_t ct[MEMENC_LINE];
	uint64_t mac = 0, aes = 0;
	uint8_t owner = sl->priv;
	int rc = 0;
	if (memenc_slot_encrypts(e, sl)) {
		rc = memenc_xts_crypt(sl, true, pa, in, ct);
		aes = memenc_aes(e, *cycles);
	} else {
		memcpy(ct, in, MEMENC_LINE);
	}
	bool li = memenc_owner_only(e);
	if (!rc && !li)
		rc = memenc_mac_tdx(e, ct, pa, owner, &mac);
	if (!rc)
		rc = mem_write(e->mem, pa, ct, MEMENC_LINE);
	if (rc)
		return rc;
	if (aes)
		e->stat_encrypts++;
	struct memenc_line_meta *m = memenc_line_get(e, pa);
	m->mac = mac;
	m->owner = owner;
	m->poisoned = 0;
	uint64_t mac_cost = li ? 0 : e->cfg.mac_latency;
	*cycles += aes + mac_cost + memenc_dram(e, pa, true, *cycles + aes + mac_cost);
	return 0;
}
