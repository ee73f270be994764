/* Unit tests for MEMENC_CTR_TREE: counter-mode encryption, the counter tree
 * and its metadata cache; exact cycles, overflows, snapshots, configs. */
#include <glib.h>
#include <openssl/evp.h>

#include "models/memenc/tests/memenc_rig.h"

#define PROT 0x100000ull /* protected region: 512 lines unless told */
#define META 0x200000ull
#define ENC 1
#define BYP 0

static void rig_tree_sized(struct rig *r, uint64_t seed, uint64_t dram, unsigned arity,
			   uint64_t lines, uint64_t cache, unsigned ways)
{
	struct memenc_config cfg = {
		.mode = MEMENC_CTR_TREE, .slots = 4, .prot_base = PROT, .prot_size = lines * 64,
		.meta_base = META, .tree_arity = arity, .meta_cache_size = cache,
		.meta_cache_ways = ways,
	};
	rig_init_dram(r, seed, dram, &cfg);
	assert_int_equal(memenc_key_program(&r->e, ENC, 1, true), 0);
	assert_int_equal(memenc_key_program(&r->e, BYP, 0, false), 0);
}

/* 512 lines: at arity 8, 64 counter blocks under 8 top nodes under the root. */
static void rig_tree(struct rig *r, unsigned arity)
{
	rig_tree_sized(r, 1, DRAM, arity, 512, 0, 0);
}

static uint64_t flush(struct rig *r)
{
	uint64_t c = 0;
	assert_int_equal(memenc_meta_flush(&r->e, &c), 0);
	return c;
}

static uint64_t dram_counter(struct rig *r, uint64_t pa)
{
	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r->e, pa, &raw), 0);
	return raw.counter;
}

/* Every arity round-trips lines in the region, a line outside it, and a never-written line reads as zeros. */
static void test_tree_round_trip(void **state)
{
	(void)state;
	static const unsigned arities[] = { 8, 64, 128 };
	for (size_t k = 0; k < 3; k++) {
		struct rig r;
		uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
		rig_tree(&r, arities[k]);
		for (uint64_t i = 0; i < 64; i += 7) {
			fill(pt, sizeof(pt), (uint8_t)i);
			write_line(&r, ENC, PROT + 64 * i, pt);
		}
		fill(pt, sizeof(pt), 0x99);
		write_line(&r, ENC, 0x4000, pt); /* outside: XTS */
		read_line(&r, ENC, 0x4000, out);
		assert_memory_equal(out, pt, MEMENC_LINE);
		for (uint64_t i = 0; i < 64; i += 7) {
			fill(pt, sizeof(pt), (uint8_t)i);
			read_line(&r, ENC, PROT + 64 * i, out);
			assert_memory_equal(out, pt, MEMENC_LINE);
		}
		flush(&r);
		fill(pt, sizeof(pt), 63);
		read_line(&r, ENC, PROT + 64 * 63, out);
		assert_memory_equal(out, pt, MEMENC_LINE);
		read_line(&r, ENC, PROT + 64 * 1, out);
		assert_memory_equal(out, zero, MEMENC_LINE);
		assert_int_equal(stat(&r, "mac_failures"), 0);
		assert_int_equal(stat(&r, "encrypts"), 11);
		sim_fini(&r.s);
	}
}

static void sha256_label(const char *label, uint64_t seed, uint8_t out[32])
{
	uint8_t s[8];
	gsize n = 32;
	sim_le64_store(s, seed);
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(c, (const guchar *)label, (gssize)strlen(label));
	g_checksum_update(c, s, 8);
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}

static uint64_t hmac56(const uint8_t key[32], char tag, const uint8_t line[64], uint64_t pa,
		       uint64_t x)
{
	uint8_t msg[81], d[32];
	size_t n = 0;
	msg[0] = (uint8_t)tag;
	memcpy(msg + 1, line, 64);
	sim_le64_store(msg + 65, pa);
	sim_le64_store(msg + 73, x);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA3-256", NULL, key, 32, msg, sizeof(msg), d,
				  sizeof(d), &n));
	return sim_le64_load(d) & ((1ull << 56) - 1);
}

/* DRAM holds AES-128-CTR(IV = ctr||PA>>6), the ECC bits the line MAC, the flushed counter block its MAC. */
static void test_tree_dram_holds_specified_bytes(void **state)
{
	(void)state;
	const uint64_t seed = 0x5eed, pa = PROT + 64 * 9; /* block 1, slot 1 */
	struct rig r;
	uint8_t pt[MEMENC_LINE], want[MEMENC_LINE], ck[32], mk[32], iv[16] = {0};
	fill(pt, sizeof(pt), 0x31);
	rig_tree_sized(&r, seed, DRAM, 8, 64, 0, 0);
	write_line(&r, ENC, pa, pt);
	write_line(&r, ENC, pa, pt); /* counter 2 */
	flush(&r);
	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r.e, pa, &raw), 0);
	assert_int_equal(raw.counter, 2);

	sha256_label("ccsim.memenc.ctr", seed, ck);
	sha256_label("ccsim.memenc.mac", seed, mk);
	sim_le64_store(iv, 2);
	for (int i = 0; i < 6; i++)
		iv[8 + i] = (uint8_t)((pa >> 6) >> (8 * i));
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, ck, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, want, &n, pt, 64), 1);
	EVP_CIPHER_CTX_free(ctx);
	assert_memory_equal(raw.data, want, MEMENC_LINE);
	assert_int_equal(raw.mac, hmac56(mk, 'L', raw.data, pa, 2));

	/* Counter block 1 at META + 64: 8 x 56-bit counters, MAC in bits 448..503
	 * under the root's counter for it (1: written back once; 64 lines make
	 * 8 blocks, all children of the root). */
	uint8_t blk[64], expect[64] = {0};
	dram_line(&r, META + 64, blk);
	expect[7] = 2; /* slot 1's counter starts at bit 56 */
	uint64_t mac = hmac56(mk, 'N', expect, META + 64, 1);
	for (int i = 0; i < 7; i++)
		expect[56 + i] = (uint8_t)(mac >> (8 * i));
	assert_memory_equal(blk, expect, 64);
	sim_fini(&r.s);
}

/* Exact cycles, D=150 A=43 M=40 C=2: hit read max(D,C+A)+1+M; miss read P*C+D+max(A,M)+(n-1)(D+M)+1+M; writes add D. */
static void test_tree_exact_cycles(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x42);
	rig_tree(&r, 8);
	/* Cold write: block 0 and the top node miss (P=2, n=2): 4+150+43+190+1+40+150. */
	assert_int_equal(write_line(&r, ENC, PROT, pt), 578);
	/* Write hit: C+A+1+M+D = 2+43+1+40+150. */
	assert_int_equal(write_line(&r, ENC, PROT + 64, pt), 236);
	/* Flush: block 0 (parent cached: 1 lookup, M+D) then the top node (root: M+D). */
	assert_int_equal(flush(&r), (2 + 190) + 190);
	/* Cold read (P=2, n=2): 4+150+43+(150+40)+1+40. */
	assert_int_equal(read_line(&r, ENC, PROT, out), 428);
	assert_memory_equal(out, pt, MEMENC_LINE);
	/* Counter hit: max(150, 2+43)+1+40. */
	assert_int_equal(read_line(&r, ENC, PROT + 64, out), 191);
	assert_memory_equal(out, pt, MEMENC_LINE);
	/* Counter miss, top node cached (P=2, n=1): 4+150+43+1+40. */
	assert_int_equal(read_line(&r, ENC, PROT + 64 * 8, out), 238);
	/* Outside the region: XTS, D+A; a bypass slot in the region: D, no metadata. */
	assert_int_equal(read_line(&r, ENC, 0x8000, out), 193);
	uint64_t misses = stat(&r, "meta_misses");
	assert_int_equal(read_line(&r, BYP, PROT + 64 * 40, out), 150);
	assert_int_equal(stat(&r, "meta_misses"), misses);
	assert_int_equal(stat(&r, "cycles"), 578 + 236 + 382 + 428 + 191 + 238 + 193 + 150);
	sim_fini(&r.s);

	/* Fast DRAM (20): the pad is the longer leg of a hit, max(20, 2+43)+1+40 = 86. */
	rig_tree_sized(&r, 1, 20, 8, 64, 0, 0);
	write_line(&r, ENC, PROT, pt);
	assert_int_equal(read_line(&r, ENC, PROT, out), 86);
	sim_fini(&r.s);
}

/* A prefetch's timing (memenc_read_timing) looks the counter up as a
 * demand read does: cold, it pays the counter-block and top-node fetches
 * and leaves them in the metadata cache, so the next line of the block is
 * a counter hit for a prefetch and for the demand read alike. */
static void test_tree_prefetch_timing(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x17);
	rig_tree(&r, 8);
	write_line(&r, ENC, PROT + 64 * 16, pt);
	flush(&r);
	uint64_t misses = stat(&r, "meta_misses");
	/* cold (P=2, n=2), as test_tree_exact_cycles' cold read: 428 */
	assert_int_equal(memenc_read_timing(&r.e, ENC, PROT + 64 * 16, 0), 428);
	assert_true(stat(&r, "meta_misses") > misses);
	/* the counter is cached now: max(150, 2+43)+1+40 */
	assert_int_equal(memenc_read_timing(&r.e, ENC, PROT + 64 * 17, 0), 191);
	assert_int_equal(read_line(&r, ENC, PROT + 64 * 16, out), 191);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_fini(&r.s);
}

/* Metadata-cache lookups count one hit or miss each; fetches and write-backs count DRAM node traffic. */
static void test_tree_meta_cache_counters(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 1);
	rig_tree(&r, 8);
	write_line(&r, ENC, PROT, pt); /* block 0 miss, top miss */
	assert_int_equal(stat(&r, "meta_misses"), 2);
	assert_int_equal(stat(&r, "meta_hits"), 0);
	assert_int_equal(stat(&r, "tree_node_fetches"), 2);
	read_line(&r, ENC, PROT, out); /* block 0 hit */
	read_line(&r, ENC, PROT + 64 * 63, out); /* block 7 miss, top hit */
	assert_int_equal(stat(&r, "meta_hits"), 2);
	assert_int_equal(stat(&r, "meta_misses"), 3);
	assert_int_equal(stat(&r, "tree_node_fetches"), 3);
	assert_int_equal(stat(&r, "meta_writebacks"), 0);
	flush(&r); /* block 0 dirty: its write-back finds the top node (hit), which is then dirty */
	assert_int_equal(stat(&r, "meta_hits"), 3);
	assert_int_equal(stat(&r, "meta_writebacks"), 2);
	read_line(&r, ENC, PROT, out);
	assert_int_equal(stat(&r, "meta_misses"), 5);
	assert_int_equal(stat(&r, "tree_node_fetches"), 5);
	assert_memory_equal(out, pt, MEMENC_LINE);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&r.s);
}

/* A 2-way, 1-set metadata cache: filling a block evicts a dirty one, whose write-back is charged to the access. */
static void test_tree_eviction_writeback_cycles(void **state)
{
	(void)state;
	struct rig r;
	uint8_t a[MEMENC_LINE], b[MEMENC_LINE], out[MEMENC_LINE];
	fill(a, sizeof(a), 0xa);
	fill(b, sizeof(b), 0xb);
	rig_tree_sized(&r, 1, DRAM, 8, 512, 128, 2);
	assert_int_equal(write_line(&r, ENC, PROT, a), 578); /* top in way 0, block 0 in way 1 */
	/* Block 1 misses (P=2, n=1: 388); the victim is dirty block 0 (the top node is
	 * pinned): write-back 1 lookup + M + D = 192. */
	assert_int_equal(write_line(&r, ENC, PROT + 64 * 8, b), 388 + 192);
	assert_int_equal(stat(&r, "meta_writebacks"), 1);
	/* Block 0 comes back, verified under the bumped top counter; block 1 goes out. */
	assert_int_equal(read_line(&r, ENC, PROT, out), 238 + 192);
	assert_memory_equal(out, a, MEMENC_LINE);
	assert_int_equal(dram_counter(&r, PROT), 1);
	assert_int_equal(read_line(&r, ENC, PROT + 64 * 8, out), 238); /* block 0 was clean */
	assert_memory_equal(out, b, MEMENC_LINE);
	assert_int_equal(stat(&r, "meta_writebacks"), 2);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&r.s);
}

/* Evicting a dirty block whose parent is not cached: the parent is read, checked, updated and written through. */
static void test_tree_writeback_through_uncached_parent(void **state)
{
	(void)state;
	struct rig r;
	uint8_t a[MEMENC_LINE], b[MEMENC_LINE], out[MEMENC_LINE];
	fill(a, sizeof(a), 0x1a);
	fill(b, sizeof(b), 0x1b);
	rig_tree_sized(&r, 1, DRAM, 8, 512, 128, 2);
	assert_int_equal(write_line(&r, ENC, PROT, a), 578); /* top node 0 + block 0 (dirty) */
	/* Block 8 is under top node 1: filling top node 1 evicts top node 0 (clean,
	 * LRU), filling block 8 evicts block 0, whose parent is now uncached:
	 * 1 lookup + (D+M) to fetch and check it + 2*(M+D) to re-MAC and write
	 * block 0 and top node 0 = 572, after the cold-write 578. */
	assert_int_equal(write_line(&r, ENC, PROT + 64 * 64, b), 578 + 572);
	assert_int_equal(stat(&r, "meta_writebacks"), 2);
	/* And back: the same dance for block 8, then block 0 verifies. */
	assert_int_equal(read_line(&r, ENC, PROT, out), 428 + 572);
	assert_memory_equal(out, a, MEMENC_LINE);
	assert_int_equal(read_line(&r, ENC, PROT + 64 * 64, out), 428);
	assert_memory_equal(out, b, MEMENC_LINE);
	assert_int_equal(stat(&r, "meta_writebacks"), 4);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&r.s);

	/* A tampered parent met by a write-back fails the access that caused it. */
	rig_tree_sized(&r, 1, DRAM, 8, 512, 128, 2);
	write_line(&r, ENC, PROT, a);
	flush(&r);
	write_line(&r, ENC, PROT, a);
	dram_flip(&r, META + 64 * 64, 100); /* top node 0 in DRAM */
	uint64_t c = 0;
	assert_int_equal(memenc_write_line(&r.e, ENC, PROT + 64 * 64, b, &c), -EBADMSG);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	sim_fini(&r.s);
}

/* Overflow with bad siblings: a poisoned line is skipped, a tampered line poisons (D each, not 2D). */
static void test_tree_overflow_with_bad_siblings(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x50);
	rig_tree_sized(&r, 1, DRAM, 128, 128, 0, 0);
	for (uint64_t i = 1; i <= 3; i++)
		write_line(&r, ENC, PROT + 64 * i, pt);
	dram_flip(&r, PROT + 64 * 2, 5);
	dram_flip(&r, PROT + 64 * 3, 5);
	read_poison(&r, ENC, PROT + 64 * 3);
	for (int i = 0; i < 7; i++)
		write_line(&r, ENC, PROT, pt);
	assert_int_equal(write_line(&r, ENC, PROT, pt), 236 + 2 * DRAM + DRAM + DRAM + 124 * 2 * DRAM);
	assert_int_equal(stat(&r, "mac_failures"), 2);
	assert_int_equal(read_poison(&r, ENC, PROT + 64 * 2), DRAM);
	read_line(&r, ENC, PROT + 64, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_fini(&r.s);

	/* Root overflow: a cached sibling block is marked dirty (written back by
	 * the same flush: 2 x 190), a tampered uncached one stays bad. */
	for (int tamper = 0; tamper < 2; tamper++) {
		rig_tree_sized(&r, 1, DRAM, 128, 256, 0, 0);
		write_line(&r, ENC, PROT + 64 * 128, pt);
		flush(&r);
		for (int i = 0; i < 7; i++) {
			write_line(&r, ENC, PROT + 64 * (uint64_t)i, pt);
			flush(&r);
		}
		write_line(&r, ENC, PROT + 64 * 7, pt);
		if (tamper) {
			dram_flip(&r, META + 64, 0);
			assert_int_equal(flush(&r), 190 + DRAM);
			assert_int_equal(stat(&r, "mac_failures"), 1);
			read_poison(&r, ENC, PROT + 64 * 128);
		} else {
			read_line(&r, ENC, PROT + 64 * 128, out);
			assert_int_equal(flush(&r), 190 + 190);
			read_line(&r, ENC, PROT + 64 * 128, out);
			assert_memory_equal(out, pt, MEMENC_LINE);
			assert_int_equal(stat(&r, "mac_failures"), 0);
		}
		assert_int_equal(stat(&r, "counter_overflows"), 1);
		sim_fini(&r.s);
	}
}

/* Arity 128 (3-bit minors): the 8th write to a line overflows its block; 127 siblings are re-encrypted (2D each). */
static void test_tree_counter_overflow(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], s1[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 0x10);
	fill(s1, sizeof(s1), 0x11);
	rig_tree_sized(&r, 1, DRAM, 128, 128, 0, 0); /* one block: the root is its parent */
	assert_int_equal(write_line(&r, ENC, PROT + 64, s1), 2 + 150 + 43 + 1 + 40 + 150);
	for (int i = 0; i < 7; i++)
		assert_int_equal(write_line(&r, ENC, PROT, pt), 236);
	assert_int_equal(stat(&r, "counter_overflows"), 0);
	assert_int_equal(write_line(&r, ENC, PROT, pt), 236 + 127 * 2 * DRAM);
	assert_int_equal(stat(&r, "counter_overflows"), 1);
	assert_int_equal(stat(&r, "encrypts"), 1 + 8 + 127);
	read_line(&r, ENC, PROT + 64, out);
	assert_memory_equal(out, s1, MEMENC_LINE);
	read_line(&r, ENC, PROT + 64 * 100, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	flush(&r);
	assert_int_equal(dram_counter(&r, PROT), 1 << 3); /* major 1, minor 0 */
	assert_int_equal(dram_counter(&r, PROT + 64), 1 << 3);
	read_line(&r, ENC, PROT, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&r.s);
}

/* The root's minor for block 0 overflows on its 8th write-back; uncached block 1 is re-MACed in DRAM (2D). */
static void test_tree_root_overflow_remacs_siblings(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x20);
	rig_tree_sized(&r, 1, DRAM, 128, 256, 0, 0); /* two blocks under the root */
	write_line(&r, ENC, PROT + 64 * 128, pt);
	assert_int_equal(flush(&r), 190);
	for (int i = 0; i < 7; i++) {
		write_line(&r, ENC, PROT + 64 * (uint64_t)i, pt);
		assert_int_equal(flush(&r), 190);
	}
	write_line(&r, ENC, PROT + 64 * 7, pt);
	assert_int_equal(flush(&r), 190 + 2 * DRAM);
	assert_int_equal(stat(&r, "counter_overflows"), 1);
	read_line(&r, ENC, PROT + 64 * 128, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	read_line(&r, ENC, PROT + 64 * 3, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&r.s);
}

/* Root, metadata cache (dirty lines, LRU) and ECC bits survive save/restore: same bytes, same cycles after. */
static void test_tree_snapshot_round_trip(void **state)
{
	(void)state;
	struct rig a, b;
	uint8_t pt[MEMENC_LINE], oa[MEMENC_LINE], ob[MEMENC_LINE];
	rig_tree_sized(&a, 77, DRAM, 64, 1024, 128, 2);
	for (uint64_t i = 0; i < 1024; i += 97) {
		fill(pt, sizeof(pt), (uint8_t)i);
		write_line(&a, ENC, PROT + 64 * i, pt);
	}
	struct sim_buf snap;
	snap_take(&a.s, &snap);
	rig_tree_sized(&b, 1, DRAM, 64, 1024, 128, 2);
	snap_restore_ok(&b.s, &snap);
	snap_assert_bytes(&b.s, &snap);
	for (uint64_t i = 0; i < 1024; i += 97) {
		fill(pt, sizeof(pt), (uint8_t)i);
		assert_int_equal(read_line(&a, ENC, PROT + 64 * i, oa), read_line(&b, ENC, PROT + 64 * i, ob));
		assert_memory_equal(oa, pt, MEMENC_LINE);
		assert_memory_equal(ob, pt, MEMENC_LINE);
	}
	assert_int_equal(flush(&a), flush(&b));
	assert_int_equal(stat(&b, "mac_failures"), 0);
	assert_int_equal(stat(&a, "meta_hits"), stat(&b, "meta_hits"));

	/* Another tree geometry is refused. */
	struct rig c;
	rig_tree_sized(&c, 1, DRAM, 8, 1024, 128, 2);
	char err[256] = "";
	assert_int_equal(sim_restore(&c.s, snap.data, snap.len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "model me: bad variable-size state");
	sim_fini(&c.s);
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* Reset empties the metadata cache and the root with DRAM: the region reads as zeros again. */
static void test_tree_reset(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 3);
	rig_tree(&r, 8);
	write_line(&r, ENC, PROT, pt);
	flush(&r);
	write_line(&r, ENC, PROT, pt);
	sim_reset(&r.s);
	assert_int_equal(memenc_key_program(&r.e, ENC, 1, true), 0);
	assert_int_equal(read_line(&r, ENC, PROT, out), 428);
	assert_memory_equal(out, zero, MEMENC_LINE);
	assert_int_equal(dram_counter(&r, PROT), 0);
	sim_fini(&r.s);
}

/* Bad integrity configurations are refused and register nothing; zeros select the defaults. */
static void test_tree_bad_config(void **state)
{
	(void)state;
	struct sim s;
	struct mem m;
	struct memenc e;
	sim_init(&s, 1, 1000000000);
	mem_init(&m, &s, "dram", 32, DRAM);
#define TREE .mode = MEMENC_CTR_TREE, .slots = 1
	const struct memenc_config bad[] = {
		{ .mode = (enum memenc_mode)(MEMENC_XEX_LINEAR + 1), .slots = 1 },
		{ .mode = MEMENC_XTS, .slots = 1, .tree_arity = 16 },
		{ .mode = MEMENC_MAC, .slots = 1, .meta_cache_ways = 1 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = META, .tree_arity = 32 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = META, .meta_cache_size = 100 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = META, .meta_cache_size = 3 * 512 },
		{ TREE, .prot_base = PROT, .prot_size = 0, .meta_base = META },
		{ TREE, .prot_base = PROT + 16, .prot_size = 4096, .meta_base = META },
		{ TREE, .prot_base = PROT, .prot_size = 100, .meta_base = META },
		{ TREE, .prot_base = (1ull << 32) - 4096, .prot_size = 8192, .meta_base = META },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = META + 8 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = PROT + 4032 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = PROT - 64 },
		{ TREE, .prot_base = PROT, .prot_size = 4096, .meta_base = (1ull << 32) - 64 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(memenc_init(&e, &s, "me", &bad[i], &m), -EINVAL);
	assert_null(sim_model_find(&s, "me"));
	/* Metadata right below the region is fine: 8 counter blocks end where it starts. */
	const struct memenc_config good = { TREE, .prot_base = PROT, .prot_size = 4096,
					    .meta_base = PROT - 8 * 64 };
	assert_int_equal(memenc_init(&e, &s, "me", &good, &m), 0);
	assert_int_equal(e.cfg.mac_latency, MEMENC_MAC_LATENCY_DEFAULT);
	assert_int_equal(e.cfg.tree_arity, 8);
	assert_int_equal(e.cfg.meta_cache_size, 64 * 1024);
	assert_int_equal(e.cfg.meta_cache_ways, 8);
	assert_int_equal(e.cfg.meta_cache_latency, 2);
	assert_int_equal(sim_stat_get(&s, "me.meta_hits"), 0);
	sim_fini(&s);
#undef TREE
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_round_trip),
		cmocka_unit_test(test_tree_dram_holds_specified_bytes),
		cmocka_unit_test(test_tree_exact_cycles),
		cmocka_unit_test(test_tree_prefetch_timing),
		cmocka_unit_test(test_tree_meta_cache_counters),
		cmocka_unit_test(test_tree_eviction_writeback_cycles),
		cmocka_unit_test(test_tree_writeback_through_uncached_parent),
		cmocka_unit_test(test_tree_counter_overflow),
		cmocka_unit_test(test_tree_overflow_with_bad_siblings),
		cmocka_unit_test(test_tree_root_overflow_remacs_siblings),
		cmocka_unit_test(test_tree_snapshot_round_trip),
		cmocka_unit_test(test_tree_reset),
		cmocka_unit_test(test_tree_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
