/* First-generation SEV's address-linear tweak (memenc XE / XEX_LINEAR modes,
 * after Wilke et al., "SEVurity", IEEE S&P 2020, sections III and IV): the
 * tweak's structure, the ciphertext DRAM holds, and the block move whose
 * effect an attacker can predict, which XTS does not allow. */
#include <glib.h>
#include <openssl/evp.h>

#include "models/memenc/tests/memenc_rig.h"

#define A 0x12345600ull /* a guest's line */
#define B 0x0abcd7c0ull /* another line, elsewhere in DRAM */

static void xor16(uint8_t *out, const uint8_t *x, const uint8_t *y)
{
	for (int i = 0; i < 16; i++)
		out[i] = x[i] ^ y[i];
}

static uint32_t word(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Move the 16-byte ciphertext block at `from` to `to`, as a hypervisor or a
 * physical attacker does: DRAM cells only, nothing decrypted. `adjust`, if
 * given, is XORed into the block on the way. */
static void move_block(struct rig *r, uint64_t from, uint64_t to, const uint8_t *adjust)
{
	uint8_t blk[16];
	assert_int_equal(mem_read(&r->m, from, blk, 16), 0);
	if (adjust)
		xor16(blk, blk, adjust);
	assert_int_equal(mem_write(&r->m, to, blk, 16), 0);
}

/* T(p) is the XOR of the constants of p's set bits 4 and up: linear, zero
 * below 16, one 4-byte word repeated; one table for every slot and
 * generation, another for another seed, none in XTS. */
static void test_tweak_structure(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 5, MEMENC_XE);
	uint8_t ta[16], tb[16], tab[16], x[16], zero[16] = {0};
	memenc_tweak(&r.e, 0xf, ta);
	assert_memory_equal(ta, zero, 16);
	memenc_tweak(&r.e, A, ta);
	memenc_tweak(&r.e, B, tb);
	memenc_tweak(&r.e, A ^ B, tab);
	xor16(x, ta, tb);
	assert_memory_equal(x, tab, 16);               /* T(a) ^ T(b) = T(a ^ b) */
	assert_memory_not_equal(ta, tb, 16);
	for (int k = 4; k < 16; k += 4)
		assert_memory_equal(ta + k, ta, 4);    /* 32 bits of entropy */
	memenc_tweak(&r.e, A + 5, tb);                 /* the byte offset does not count */
	assert_memory_equal(ta, tb, 16);
	uint8_t t4[16], t5[16], t45[16];
	memenc_tweak(&r.e, 0x10, t4);
	memenc_tweak(&r.e, 0x20, t5);
	memenc_tweak(&r.e, 0x30, t45);
	xor16(x, t4, t5);
	assert_memory_equal(x, t45, 16);
	assert_int_not_equal(word(t4), 0);
	assert_int_not_equal(word(t4), word(t5));

	/* Another seed is another machine. */
	struct rig o;
	rig_init(&o, 6, MEMENC_XE);
	memenc_tweak(&o.e, A, tb);
	assert_memory_not_equal(ta, tb, 16);
	sim_fini(&o.s);
	/* XEX_LINEAR uses the same table; XTS has none. */
	rig_init(&o, 5, MEMENC_XEX_LINEAR);
	memenc_tweak(&o.e, A, tb);
	assert_memory_equal(ta, tb, 16);
	sim_fini(&o.s);
	rig_init(&o, 5, MEMENC_XTS);
	memenc_tweak(&o.e, A, tb);
	assert_memory_equal(tb, zero, 16);
	sim_fini(&o.s);
	sim_fini(&r.s);
}

/* DRAM holds AES-128-ECB under the slot key's first half of P ^ T(p), p
 * each block's address, t_i = SHA-256("ccsim.memenc.tweak" || seed || i)[0..3]
 * (XE); XEX_LINEAR XORs T(p) into that once more. */
static void test_dram_holds_specified_ciphertext(void **state)
{
	(void)state;
	const uint64_t seed = 0x0102030405060708ull;
	uint8_t msg[32] = "ccsim.memenc.key", key[32];
	for (int i = 0; i < 8; i++)
		msg[16 + i] = (uint8_t)(seed >> (8 * i));
	msg[24] = 2; /* slot 2, generation 1 */
	msg[28] = 1;
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize klen = sizeof(key);
	g_checksum_update(c, msg, sizeof(msg));
	g_checksum_get_digest(c, key, &klen);
	g_checksum_free(c);
	uint32_t t[64] = {0};
	for (uint32_t i = 4; i < 64; i++) {
		uint8_t m[18 + 8 + 4] = "ccsim.memenc.tweak", d[32];
		for (int b = 0; b < 8; b++)
			m[18 + b] = (uint8_t)(seed >> (8 * b));
		for (int b = 0; b < 4; b++)
			m[26 + b] = (uint8_t)(i >> (8 * b));
		gsize dlen = sizeof(d);
		c = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(c, m, sizeof(m));
		g_checksum_get_digest(c, d, &dlen);
		g_checksum_free(c);
		t[i] = word(d);
	}
	for (int xex = 0; xex < 2; xex++) {
		struct rig r;
		rig_init(&r, seed, xex ? MEMENC_XEX_LINEAR : MEMENC_XE);
		assert_int_equal(memenc_key_program(&r.e, 2, 0x22, true), 0);
		uint8_t pt[MEMENC_LINE], ct[MEMENC_LINE], in[MEMENC_LINE], want[MEMENC_LINE];
		uint8_t tw[MEMENC_LINE];
		fill(pt, sizeof(pt), 9);
		write_line(&r, 2, A, pt);
		dram_line(&r, A, ct);
		for (int j = 0; j < 4; j++) {
			uint32_t w = 0;
			for (int i = 4; i < 64; i++)
				if ((A + 16u * j) >> i & 1)
					w ^= t[i];
			for (int b = 0; b < 16; b++)
				tw[16 * j + b] = (uint8_t)(w >> (8 * (b % 4)));
		}
		for (int i = 0; i < MEMENC_LINE; i++)
			in[i] = pt[i] ^ tw[i];
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int n = 0;
		assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL), 1);
		assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
		assert_int_equal(EVP_EncryptUpdate(ctx, want, &n, in, MEMENC_LINE), 1);
		assert_int_equal(n, MEMENC_LINE);
		EVP_CIPHER_CTX_free(ctx);
		for (int i = 0; xex && i < MEMENC_LINE; i++)
			want[i] ^= tw[i];
		assert_memory_equal(ct, want, MEMENC_LINE);
		read_line(&r, 2, A, in);
		assert_memory_equal(in, pt, MEMENC_LINE);
		sim_fini(&r.s);
	}
}

/* XE: a ciphertext block moved from a to b decrypts to P ^ T(a) ^ T(b),
 * under every key alike: a known effect (Du et al.; SEVurity III-A, IV). */
static void test_xe_move_is_linear(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 3, MEMENC_XE);
	uint8_t pt[MEMENC_LINE], other[MEMENC_LINE], out[MEMENC_LINE], want[16], ta[16], tb[16];
	fill(pt, sizeof(pt), 0x40);
	fill(other, sizeof(other), 0x90);
	for (unsigned slot = 1; slot <= 3; slot++) {
		assert_int_equal(memenc_key_program(&r.e, slot, slot, true), 0);
		write_line(&r, slot, A, pt);
		write_line(&r, slot, B, other);
		move_block(&r, A + 0x10, B + 0x20, NULL); /* block 1 of a -> block 2 of b */
		read_line(&r, slot, B, out);
		memenc_tweak(&r.e, A + 0x10, ta);
		memenc_tweak(&r.e, B + 0x20, tb);
		xor16(want, pt + 0x10, ta);
		xor16(want, want, tb);
		assert_memory_equal(out + 0x20, want, 16);
		assert_memory_equal(out, other, 0x20); /* the other blocks are intact */
		assert_memory_equal(out + 0x30, other + 0x30, 16);
		/* within one line: the difference is T(0x10 ^ 0x30) = T(0x20) */
		write_line(&r, slot, A, pt);
		move_block(&r, A + 0x10, A + 0x30, NULL);
		read_line(&r, slot, A, out);
		memenc_tweak(&r.e, 0x20, ta);
		xor16(want, pt + 0x10, ta);
		assert_memory_equal(out + 0x30, want, 16);
	}
	sim_fini(&r.s);
}

/* Under slots 1 and 2 of a fresh engine in `mode`: the same plaintext at A
 * and B, block 1 of A moved over block 1 of B; d[slot] = what B's block
 * reads XOR the plaintext. */
static void move_per_key(enum memenc_mode mode, uint8_t d[3][16])
{
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x40);
	rig_init(&r, 3, mode);
	for (unsigned slot = 1; slot <= 2; slot++) {
		assert_int_equal(memenc_key_program(&r.e, slot, slot, true), 0);
		write_line(&r, slot, A, pt);
		write_line(&r, slot, B, pt);
		move_block(&r, A + 0x10, B + 0x10, NULL);
		read_line(&r, slot, B, out);
		xor16(d[slot], out + 0x10, pt + 0x10);
	}
	sim_fini(&r.s);
}

/* XTS: the same move gives garbage whose difference from P depends on the
 * key: nothing an attacker could compute without it. XE under the same two
 * keys: one difference for both. */
static void test_xts_move_is_not_linear(void **state)
{
	(void)state;
	uint8_t d[3][16], zero[16] = {0};
	move_per_key(MEMENC_XTS, d);
	assert_memory_not_equal(d[1], zero, 16);
	assert_memory_not_equal(d[1], d[2], 16);
	move_per_key(MEMENC_XE, d);
	assert_memory_not_equal(d[1], zero, 16);
	assert_memory_equal(d[1], d[2], 16);
}

/* XEX_LINEAR: a plain move is garbage, but the move with T(a) ^ T(b) XORed
 * into the ciphertext reads P ^ T(a) ^ T(b) (SEVurity III-B and IV): known
 * once the constants are, which SEVurity brute-forced 32 bits at a time. */
static void test_xex_linear_adjusted_move(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 4, MEMENC_XEX_LINEAR);
	assert_int_equal(memenc_key_program(&r.e, 1, 1, true), 0);
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], ta[16], tb[16], delta[16], want[16];
	fill(pt, sizeof(pt), 0x11);
	memenc_tweak(&r.e, A, ta);
	memenc_tweak(&r.e, B, tb);
	xor16(delta, ta, tb);
	xor16(want, pt, delta);
	write_line(&r, 1, A, pt);
	write_line(&r, 1, B, pt);
	move_block(&r, A, B, NULL);
	read_line(&r, 1, B, out);
	assert_memory_not_equal(out, want, 16);
	assert_memory_not_equal(out, pt, 16);
	move_block(&r, A, B, delta);
	read_line(&r, 1, B, out);
	assert_memory_equal(out, want, 16);
	sim_fini(&r.s);
}

/* The tweak table follows the seed through a checkpoint: a line written
 * before it decrypts after it, and T is the same. */
static void test_save_restore_keeps_tweaks(void **state)
{
	(void)state;
	struct rig a, b;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], ta[16], tb[16];
	fill(pt, sizeof(pt), 0x33);
	rig_init(&a, 91, MEMENC_XE);
	assert_int_equal(memenc_key_program(&a.e, 1, 1, true), 0);
	write_line(&a, 1, A, pt);
	struct sim_buf snap;
	snap_take(&a.s, &snap);
	rig_init(&b, 1, MEMENC_XE); /* the seed comes from the checkpoint */
	memenc_tweak(&b.e, A, tb);
	memenc_tweak(&a.e, A, ta);
	assert_memory_not_equal(ta, tb, 16);
	snap_restore_ok(&b.s, &snap);
	memenc_tweak(&b.e, A, tb);
	assert_memory_equal(ta, tb, 16);
	read_line(&b, 1, A, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tweak_structure),
		cmocka_unit_test(test_dram_holds_specified_ciphertext),
		cmocka_unit_test(test_xe_move_is_linear),
		cmocka_unit_test(test_xts_move_is_not_linear),
		cmocka_unit_test(test_xex_linear_adjusted_move),
		cmocka_unit_test(test_save_restore_keeps_tweaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
