/* Unit tests for MEMENC_MAC (Intel TDX "Ci"): the owner bit and MAC in the
 * ECC bits, poison, zeros for non-TD reads, exact latencies, snapshots. */
#include <glib.h>
#include <openssl/evp.h>

#include "models/memenc/tests/memenc_rig.h"

#define PRIV 3   /* a private HKID */
#define SHARED 1 /* an encrypting shared KeyID */
#define BYPASS 0 /* KeyID 0 without TME: plaintext */
#define PA 0x2040

static void rig_tdx(struct rig *r, uint64_t seed)
{
	rig_init(r, seed, MEMENC_MAC);
	assert_int_equal(memenc_key_program_ex(&r->e, PRIV, 0x33,
					       MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
	assert_int_equal(memenc_key_program_ex(&r->e, SHARED, 0x11, MEMENC_KEY_ENCRYPT), 0);
	assert_int_equal(memenc_key_program_ex(&r->e, BYPASS, 0, 0), 0);
}

/* A private write reads back; DRAM holds the same XTS ciphertext as MEMENC_XTS; the ECC bits say TD-owned. */
static void test_mac_round_trip(void **state)
{
	(void)state;
	struct rig r, x;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], ct[MEMENC_LINE], xct[MEMENC_LINE];
	fill(pt, sizeof(pt), 7);
	rig_tdx(&r, 5);
	write_line(&r, PRIV, PA, pt);
	read_line(&r, PRIV, PA, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	assert_true(memenc_key_private(&r.e, PRIV));
	assert_false(memenc_key_private(&r.e, SHARED));

	rig_init(&x, 5, MEMENC_XTS);
	assert_int_equal(memenc_key_program(&x.e, PRIV, 0x33, true), 0);
	write_line(&x, PRIV, PA, pt);
	dram_line(&r, PA, ct);
	dram_line(&x, PA, xct);
	assert_memory_equal(ct, xct, MEMENC_LINE);

	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_memory_equal(raw.data, ct, MEMENC_LINE);
	assert_int_equal(raw.owner, 1);
	assert_int_equal(raw.poisoned, 0);
	assert_int_equal(raw.counter, 0);
	assert_true(raw.mac < (1u << MEMENC_MAC_BITS));
	assert_int_equal(stat(&r, "encrypts"), 1);
	assert_int_equal(stat(&r, "decrypts"), 1);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	sim_fini(&x.s);
	sim_fini(&r.s);
}

/* The ECC MAC is HMAC-SHA3-256(SHA-256("ccsim.memenc.mac"||seed), 'T'||ct||PA||owner), low 28 bits LE. */
static void test_mac_ecc_holds_specified_mac(void **state)
{
	(void)state;
	const uint64_t seed = 0x0102030405060708ull;
	struct rig r;
	uint8_t pt[MEMENC_LINE];
	fill(pt, sizeof(pt), 9);
	rig_tdx(&r, seed);
	write_line(&r, PRIV, PA, pt);
	write_line(&r, SHARED, PA + 64, pt);
	for (int i = 0; i < 2; i++) {
		uint64_t pa = PA + 64 * (uint64_t)i;
		struct memenc_raw_line raw;
		assert_int_equal(memenc_phys_capture(&r.e, pa, &raw), 0);
		uint8_t key[32], s[8], msg[1 + 64 + 8 + 1], d[32];
		gsize klen = sizeof(key);
		size_t dlen = 0;
		sim_le64_store(s, seed);
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(c, (const guchar *)"ccsim.memenc.mac", 16);
		g_checksum_update(c, s, 8);
		g_checksum_get_digest(c, key, &klen);
		g_checksum_free(c);
		msg[0] = 'T';
		memcpy(msg + 1, raw.data, 64);
		sim_le64_store(msg + 65, pa);
		msg[73] = (uint8_t)(i == 0);
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA3-256", NULL, key, sizeof(key), msg,
					  sizeof(msg), d, sizeof(d), &dlen));
		assert_int_equal(raw.owner, i == 0);
		assert_int_equal(raw.mac, sim_le64_load(d) & 0x0fffffff);
	}
	sim_fini(&r.s);
}

/* A shared-KeyID read of a TD-owned line returns zeros, no poison; the TD still reads its data. */
static void test_mac_shared_read_of_td_line_returns_zeros(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 1);
	rig_tdx(&r, 1);
	write_line(&r, PRIV, PA, pt);
	memset(out, 0xff, sizeof(out));
	read_line(&r, SHARED, PA, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	memset(out, 0xff, sizeof(out));
	read_line(&r, BYPASS, PA, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	assert_int_equal(stat(&r, "owner_zero_reads"), 2);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	assert_int_equal(stat(&r, "poisoned_reads"), 0);
	read_line(&r, PRIV, PA, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_fini(&r.s);
}

/* A private read of a line never written by a private KeyID (owner bit 0) poisons it and traces a note. */
static void test_mac_private_read_of_shared_line_poisons(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 2);
	rig_tdx(&r, 1);
	write_line(&r, SHARED, PA, pt);
	read_line(&r, SHARED, PA, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	uint64_t before = r.s.trace.records;
	read_poison(&r, PRIV, PA);
	assert_int_equal(r.s.trace.records, before + 1);
	read_poison(&r, PRIV, PA + 64); /* never written at all: owner bit 0 too */
	assert_int_equal(stat(&r, "mac_failures"), 2);
	assert_int_equal(stat(&r, "poisoned_reads"), 2);
	assert_int_equal(stat(&r, "lines_read"), 3);
	sim_fini(&r.s);
}

/* A tampered TD line poisons; poison sticks for every reader until a private write (MOVDIR64B) clears it. */
static void test_mac_poison_sticks_until_private_write(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], pt2[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 3);
	fill(pt2, sizeof(pt2), 4);
	rig_tdx(&r, 1);
	write_line(&r, PRIV, PA, pt);
	dram_flip(&r, PA, 77);
	assert_int_equal(read_poison(&r, PRIV, PA), DRAM + 43 + 40); /* detected after the MAC */
	assert_int_equal(read_poison(&r, PRIV, PA), DRAM);           /* poison came with the data */
	read_poison(&r, SHARED, PA);
	read_poison(&r, BYPASS, PA);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	assert_int_equal(stat(&r, "poisoned_reads"), 4);
	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_int_equal(raw.poisoned, 1);
	write_line(&r, PRIV, PA, pt2);
	read_line(&r, PRIV, PA, out);
	assert_memory_equal(out, pt2, MEMENC_LINE);
	assert_int_equal(stat(&r, "poisoned_reads"), 4);
	sim_fini(&r.s);
}

/* A shared full-line write (KVM's MOVDIR64B reclaim) clears owner bit and poison: the host reads it, the TD poisons. */
static void test_mac_shared_write_resets_owner(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], zero[MEMENC_LINE] = {0}, out[MEMENC_LINE];
	fill(pt, sizeof(pt), 5);
	rig_tdx(&r, 1);
	write_line(&r, PRIV, PA, pt);
	dram_flip(&r, PA, 0);
	read_poison(&r, PRIV, PA);
	write_line(&r, BYPASS, PA, zero);
	read_line(&r, BYPASS, PA, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_int_equal(raw.owner, 0);
	assert_int_equal(raw.poisoned, 0);
	read_poison(&r, PRIV, PA);
	assert_int_equal(stat(&r, "mac_failures"), 2);
	sim_fini(&r.s);
}

/* Exact cycles at D=150, A=40+3=43, M=40: private read D+A+M=233; a write
 * is posted once encrypted and MACed, A+M=83; shared read D+A; bypass read
 * D, bypass write M (the MAC still goes with the line). */
static void test_mac_exact_cycles(void **state)
{
	(void)state;
	struct rig r;
	uint8_t buf[MEMENC_LINE] = {0};
	rig_tdx(&r, 1);
	assert_int_equal(write_line(&r, PRIV, 0x40, buf), 83);
	assert_int_equal(read_line(&r, PRIV, 0x40, buf), 233);
	assert_int_equal(write_line(&r, SHARED, 0x80, buf), 83);
	assert_int_equal(read_line(&r, SHARED, 0x80, buf), 193);
	assert_int_equal(read_line(&r, SHARED, 0x40, buf), 193); /* TD-owned: zeros, same time */
	assert_int_equal(write_line(&r, BYPASS, 0xc0, buf), 40);
	assert_int_equal(read_line(&r, BYPASS, 0xc0, buf), 150);
	assert_int_equal(memenc_line_latency(&r.e, PRIV), 233);
	assert_int_equal(memenc_line_latency(&r.e, SHARED), 193);
	assert_int_equal(stat(&r, "cycles"), 83 * 2 + 233 + 193 * 2 + 40 + 150);
	sim_fini(&r.s);

	/* Profile-set MAC latency: a read 150 + 43 + 7 = 200, a write 43 + 7. */
	struct memenc_config cfg = { .mode = MEMENC_MAC, .slots = 4, .mac_latency = 7 };
	rig_init_cfg(&r, 1, &cfg);
	assert_int_equal(memenc_key_program_ex(&r.e, 2, 0, MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
	assert_int_equal(write_line(&r, 2, 0, buf), 50);
	assert_int_equal(read_line(&r, 2, 0, buf), 200);
	sim_fini(&r.s);
}

/* Use-then-poison (mac_overlap): a private read forwards its data while the
 * MAC is checked, so it costs D + A like a shared one; a failed check
 * still poisons the line. */
static void test_mac_overlap(void **state)
{
	(void)state;
	struct rig r;
	uint8_t buf[MEMENC_LINE] = {0};
	struct memenc_config cfg = { .mode = MEMENC_MAC, .slots = 4, .mac_overlap = true };
	rig_init_cfg(&r, 1, &cfg);
	assert_int_equal(memenc_key_program_ex(&r.e, 2, 0, MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
	assert_int_equal(write_line(&r, 2, 0x40, buf), 83); /* the write computes the MAC */
	assert_int_equal(read_line(&r, 2, 0x40, buf), 193);
	dram_flip(&r, 0x40, 3);
	read_poison(&r, 2, 0x40);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	sim_fini(&r.s);
}

/* TDX Li (owner_only): no MAC on either path, so a private write costs A and
 * a private read D + A; altered ciphertext decrypts to garbage undetected,
 * but a line a shared KeyID wrote still poisons a private read. */
static void test_mac_owner_only(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
	fill(pt, sizeof(pt), 4);
	struct memenc_config cfg = { .mode = MEMENC_MAC, .slots = 4, .owner_only = true };
	rig_init_cfg(&r, 1, &cfg);
	assert_int_equal(memenc_key_program_ex(&r.e, 2, 0, MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
	assert_int_equal(memenc_key_program_ex(&r.e, 1, 0, MEMENC_KEY_ENCRYPT), 0);
	assert_int_equal(write_line(&r, 2, 0x40, pt), 43);
	assert_int_equal(read_line(&r, 2, 0x40, out), 193);
	assert_memory_equal(out, pt, MEMENC_LINE);
	struct memenc_raw_line raw;
	assert_int_equal(memenc_phys_capture(&r.e, 0x40, &raw), 0);
	assert_int_equal(raw.owner, 1);
	assert_int_equal(raw.mac, 0);
	dram_flip(&r, 0x40, 3);
	read_line(&r, 2, 0x40, out);
	assert_memory_not_equal(out, pt, MEMENC_LINE);
	assert_int_equal(stat(&r, "mac_failures"), 0);
	write_line(&r, 1, 0x80, pt);
	read_poison(&r, 2, 0x80);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	sim_fini(&r.s);
}

/* Owner bits, MACs and poison survive save/restore byte for byte; the MAC key follows the checkpoint's seed. */
static void test_mac_snapshot_round_trip(void **state)
{
	(void)state;
	struct rig a, b;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 6);
	rig_tdx(&a, 99);
	write_line(&a, PRIV, 0x1000, pt);
	write_line(&a, SHARED, 0x1040, pt);
	write_line(&a, PRIV, 0x1080, pt);
	dram_flip(&a, 0x1080, 9);
	read_poison(&a, PRIV, 0x1080);
	struct sim_buf snap;
	snap_take(&a.s, &snap);

	rig_init(&b, 1, MEMENC_MAC);
	snap_restore_ok(&b.s, &snap);
	snap_assert_bytes(&b.s, &snap);
	assert_true(memenc_key_private(&b.e, PRIV));
	read_line(&b, PRIV, 0x1000, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	read_line(&b, SHARED, 0x1000, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	read_line(&b, SHARED, 0x1040, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	read_poison(&b, PRIV, 0x1080);
	assert_int_equal(stat(&b, "mac_failures"), 1);
	assert_int_equal(stat(&b, "poisoned_reads"), 2);
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

/* Reset clears the ECC metadata with DRAM: owner bits, MACs and poison read as zero. */
static void test_mac_reset_clears_ecc(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE];
	fill(pt, sizeof(pt), 8);
	rig_tdx(&r, 1);
	write_line(&r, PRIV, PA, pt);
	dram_flip(&r, PA, 1);
	read_poison(&r, PRIV, PA);
	sim_reset(&r.s);
	struct memenc_raw_line raw, zero;
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_memory_equal(&raw, &zero, sizeof(raw));
	sim_fini(&r.s);
}

/* Through a DIMM alias the ECC bits are the cell's: a shared read by the alias returns zeros, a
 * capture by it sees the TD's owner bit and MAC, a shared write by it clears the owner bit the
 * TD's read then finds, and a private read by it fails the MAC (computed at the TD's address). */
static void test_mac_metadata_follows_the_cell(void **state)
{
	(void)state;
	const uint64_t ghost = 0x100000, ghost_pa = ghost + (PA & 0xfff);
	struct rig r;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 12);
	rig_tdx(&r, 3);
	assert_int_equal(mem_alias(&r.m, ghost, PA & ~0xfffull, 4096), 0);
	write_line(&r, PRIV, PA, pt);
	memset(out, 0xff, sizeof(out));
	read_line(&r, SHARED, ghost_pa, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	assert_int_equal(stat(&r, "owner_zero_reads"), 1);
	struct memenc_raw_line direct, by_ghost;
	assert_int_equal(memenc_phys_capture(&r.e, PA, &direct), 0);
	assert_int_equal(memenc_phys_capture(&r.e, ghost_pa, &by_ghost), 0);
	assert_memory_equal(&direct, &by_ghost, sizeof(direct));
	assert_int_equal(by_ghost.owner, 1);
	read_poison(&r, PRIV, ghost_pa);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	/* the poison is the cell's too; a shared write by the alias clears it and the owner bit */
	read_poison(&r, PRIV, PA);
	write_line(&r, SHARED, ghost_pa, pt);
	assert_int_equal(memenc_phys_capture(&r.e, PA, &direct), 0);
	assert_int_equal(direct.owner, 0);
	assert_int_equal(direct.poisoned, 0);
	read_poison(&r, PRIV, PA);
	assert_int_equal(stat(&r, "mac_failures"), 2);
	/* a replay by the alias puts the line back in the one cell: the TD reads its data */
	write_line(&r, PRIV, PA, pt);
	assert_int_equal(memenc_phys_capture(&r.e, PA, &direct), 0);
	write_line(&r, SHARED, PA, zero);
	assert_int_equal(memenc_phys_replay(&r.e, ghost_pa, &direct), 0);
	read_line(&r, PRIV, PA, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_fini(&r.s);
}

/* Metadata keyed by cell survives save/restore with the decoder: the alias still reads zeros. */
static void test_mac_snapshot_keeps_cell_metadata(void **state)
{
	(void)state;
	const uint64_t ghost = 0x200000;
	struct rig a, b;
	uint8_t pt[MEMENC_LINE], out[MEMENC_LINE], zero[MEMENC_LINE] = {0};
	fill(pt, sizeof(pt), 13);
	rig_tdx(&a, 7);
	assert_int_equal(mem_alias(&a.m, ghost, 0x3000, 4096), 0);
	write_line(&a, PRIV, ghost + 0x40, pt); /* written by the alias: the cell at 0x3040 */
	struct sim_buf snap;
	snap_take(&a.s, &snap);
	rig_init(&b, 1, MEMENC_MAC);
	snap_restore_ok(&b.s, &snap);
	snap_assert_bytes(&b.s, &snap);
	memset(out, 0xff, sizeof(out));
	read_line(&b, SHARED, 0x3040, out);
	assert_memory_equal(out, zero, MEMENC_LINE);
	read_line(&b, PRIV, ghost + 0x40, out);
	assert_memory_equal(out, pt, MEMENC_LINE);
	sim_buf_free(&snap);
	sim_fini(&b.s);
	sim_fini(&a.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_round_trip),
		cmocka_unit_test(test_mac_ecc_holds_specified_mac),
		cmocka_unit_test(test_mac_shared_read_of_td_line_returns_zeros),
		cmocka_unit_test(test_mac_private_read_of_shared_line_poisons),
		cmocka_unit_test(test_mac_poison_sticks_until_private_write),
		cmocka_unit_test(test_mac_shared_write_resets_owner),
		cmocka_unit_test(test_mac_exact_cycles),
		cmocka_unit_test(test_mac_snapshot_round_trip),
		cmocka_unit_test(test_mac_overlap),
		cmocka_unit_test(test_mac_owner_only),
		cmocka_unit_test(test_mac_reset_clears_ecc),
		cmocka_unit_test(test_mac_metadata_follows_the_cell),
		cmocka_unit_test(test_mac_snapshot_keeps_cell_metadata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
