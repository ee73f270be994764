/* The physical attacker against every engine mode: a bit flip in DRAM
 * (tamper) and putting back an old line with its metadata (replay). Only
 * integrity modes see a tamper; only the counter tree sees a replay. */
#include "models/memenc/tests/memenc_rig.h"

#define SLOT 1
#define PROT 0x100000ull
#define META 0x200000ull
#define PA (PROT + 64 * 9) /* block 1 of the tree */

static const enum memenc_mode modes[] = { MEMENC_NONE, MEMENC_XTS, MEMENC_MAC, MEMENC_CTR_TREE };

/* A TD's slot: encrypting and private (private only matters to MEMENC_MAC). */
static void rig_mode(struct rig *r, enum memenc_mode mode)
{
	struct memenc_config cfg = {
		.mode = mode, .slots = 4, .prot_base = PROT, .prot_size = 512 * 64, .meta_base = META,
	};
	rig_init_cfg(r, 1, &cfg);
	assert_int_equal(memenc_key_program_ex(&r->e, SLOT, 7, MEMENC_KEY_ENCRYPT | MEMENC_KEY_PRIVATE), 0);
}

static uint64_t flush(struct rig *r)
{
	uint64_t c = 0;
	assert_int_equal(memenc_meta_flush(&r->e, &c), 0);
	return c;
}

/* Flipping one data bit in DRAM: garbage in none/xts, poison (-EBADMSG) in mac and ctr-tree. */
static void test_tamper_detected_only_with_integrity(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		struct rig r;
		uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
		uint64_t c = 0;
		fill(pt, sizeof(pt), 0x5a);
		rig_mode(&r, modes[k]);
		write_line(&r, SLOT, PA, pt);
		dram_flip(&r, PA, 200);
		int rc = memenc_read_line(&r.e, SLOT, PA, out, &c);
		bool integrity = modes[k] == MEMENC_MAC || modes[k] == MEMENC_CTR_TREE;
		assert_int_equal(rc, integrity ? -EBADMSG : 0);
		assert_memory_not_equal(out, pt, MEMENC_LINE);
		assert_int_equal(stat(&r, "mac_failures"), integrity);
		assert_int_equal(stat(&r, "poisoned_reads"), integrity);
		sim_fini(&r.s);
	}
}

/* Capture, write new data, put the capture back: none/xts/mac return the old data; ctr-tree poisons. */
static void test_replay_detected_only_by_tree(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		for (int flushed = 0; flushed < 2; flushed++) {
			struct rig r;
			uint8_t old[MEMENC_LINE], neu[MEMENC_LINE], out[MEMENC_LINE];
			uint64_t c = 0;
			fill(old, sizeof(old), 0x01);
			fill(neu, sizeof(neu), 0x02);
			rig_mode(&r, modes[k]);
			write_line(&r, SLOT, PA, old);
			if (flushed)
				flush(&r); /* the old counter reaches DRAM and is captured too */
			struct memenc_raw_line cap;
			assert_int_equal(memenc_phys_capture(&r.e, PA, &cap), 0);
			assert_int_equal(cap.counter, modes[k] == MEMENC_CTR_TREE && flushed ? 1 : 0);
			write_line(&r, SLOT, PA, neu);
			if (flushed)
				flush(&r); /* the tree in DRAM moves on; the root on chip too */
			assert_int_equal(memenc_phys_replay(&r.e, PA, &cap), 0);
			int rc = memenc_read_line(&r.e, SLOT, PA, out, &c);
			if (modes[k] == MEMENC_CTR_TREE) {
				assert_int_equal(rc, -EBADMSG);
				assert_int_equal(stat(&r, "mac_failures"), 1);
			} else {
				assert_int_equal(rc, 0);
				assert_memory_equal(out, old, MEMENC_LINE);
			}
			sim_fini(&r.s);
		}
	}
}

/* Split counters (arity 64, 128) catch a replay too: the replayed counter lands in major and minor. */
static void test_tree_replay_detected_at_every_arity(void **state)
{
	(void)state;
	static const unsigned arities[] = { 8, 64, 128 };
	for (size_t k = 0; k < 3; k++) {
		struct rig r;
		uint8_t old[MEMENC_LINE], neu[MEMENC_LINE];
		struct memenc_config cfg = {
			.mode = MEMENC_CTR_TREE, .slots = 4, .prot_base = PROT, .prot_size = 512 * 64,
			.meta_base = META, .tree_arity = arities[k],
		};
		fill(old, sizeof(old), 0x21);
		fill(neu, sizeof(neu), 0x22);
		rig_init_cfg(&r, 1, &cfg);
		assert_int_equal(memenc_key_program(&r.e, SLOT, 7, true), 0);
		write_line(&r, SLOT, PA, old);
		flush(&r);
		struct memenc_raw_line cap, now;
		assert_int_equal(memenc_phys_capture(&r.e, PA, &cap), 0);
		write_line(&r, SLOT, PA, neu);
		flush(&r);
		assert_int_equal(memenc_phys_capture(&r.e, PA, &now), 0);
		assert_int_equal(cap.counter, 1);
		assert_int_equal(now.counter, 2);
		assert_int_equal(memenc_phys_replay(&r.e, PA, &cap), 0);
		assert_int_equal(memenc_phys_capture(&r.e, PA, &now), 0);
		assert_int_equal(now.counter, 1);
		read_poison(&r, SLOT, PA);
		sim_fini(&r.s);
	}
}

/* Replaying the whole old counter block too does not help: its parent's counter has moved on. */
static void test_tree_block_replay_detected(void **state)
{
	(void)state;
	struct rig r;
	uint8_t old[MEMENC_LINE], neu[MEMENC_LINE], blk[MEMENC_LINE];
	fill(old, sizeof(old), 0x31);
	fill(neu, sizeof(neu), 0x32);
	rig_mode(&r, MEMENC_CTR_TREE);
	write_line(&r, SLOT, PA, old);
	flush(&r);
	struct memenc_raw_line cap;
	assert_int_equal(memenc_phys_capture(&r.e, PA, &cap), 0);
	dram_line(&r, META + 64, blk); /* counter block 1, MAC included */
	write_line(&r, SLOT, PA, neu);
	flush(&r);
	assert_int_equal(memenc_phys_replay(&r.e, PA, &cap), 0);
	assert_int_equal(mem_write(&r.m, META + 64, blk, MEMENC_LINE), 0);
	read_poison(&r, SLOT, PA);
	assert_int_equal(stat(&r, "mac_failures"), 1);
	/* The poison is sticky in the ECC bits: the next read costs D only. */
	assert_int_equal(read_poison(&r, SLOT, PA), DRAM);
	sim_fini(&r.s);
}

/* A bit flip in a counter block or a top node in DRAM fails its check; a tampered block refuses writes too. */
static void test_tree_metadata_tamper_detected(void **state)
{
	(void)state;
	struct rig r;
	uint8_t pt[MEMENC_LINE];
	uint64_t c = 0;
	fill(pt, sizeof(pt), 0x41);
	rig_mode(&r, MEMENC_CTR_TREE);
	write_line(&r, SLOT, PA, pt);
	write_line(&r, SLOT, PROT + 64 * 100, pt); /* block 12: under top node 1 */
	flush(&r);
	dram_flip(&r, META + 64, 3);            /* counter block 1 */
	dram_flip(&r, META + 64 * (64 + 1), 9); /* top node 1 */
	read_poison(&r, SLOT, PA);
	read_poison(&r, SLOT, PROT + 64 * 100);
	assert_int_equal(stat(&r, "mac_failures"), 2);
	assert_int_equal(memenc_write_line(&r.e, SLOT, PA + 64, pt, &c), -EBADMSG);
	assert_true(c > 0);
	assert_int_equal(stat(&r, "mac_failures"), 3);
	assert_int_equal(stat(&r, "lines_written"), 2);
	sim_fini(&r.s);
}

/* After a poison, a write through the engine re-establishes the line in every integrity mode. */
static void test_write_clears_poison(void **state)
{
	(void)state;
	for (size_t k = 2; k < 4; k++) {
		struct rig r;
		uint8_t pt[MEMENC_LINE], out[MEMENC_LINE];
		fill(pt, sizeof(pt), 0x61);
		rig_mode(&r, modes[k]);
		write_line(&r, SLOT, PA, pt);
		dram_flip(&r, PA, 0);
		read_poison(&r, SLOT, PA);
		read_poison(&r, SLOT, PA);
		assert_int_equal(stat(&r, "mac_failures"), 1);
		assert_int_equal(stat(&r, "poisoned_reads"), 2);
		write_line(&r, SLOT, PA, pt);
		read_line(&r, SLOT, PA, out);
		assert_memory_equal(out, pt, MEMENC_LINE);
		sim_fini(&r.s);
	}
}

/* The attacker hooks check their arguments; in none/xts the ECC fields read zero and are ignored. */
static void test_phys_hooks(void **state)
{
	(void)state;
	struct rig r;
	struct memenc_raw_line raw;
	uint8_t pt[MEMENC_LINE];
	fill(pt, sizeof(pt), 0x71);
	rig_mode(&r, MEMENC_XTS);
	assert_int_equal(memenc_phys_capture(&r.e, PA + 8, &raw), -EINVAL);
	assert_int_equal(memenc_phys_capture(&r.e, 1ull << 40, &raw), -ERANGE);
	assert_int_equal(memenc_phys_replay(&r.e, PA + 8, &raw), -EINVAL);
	write_line(&r, SLOT, PA, pt);
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_int_equal(raw.mac + raw.owner + raw.poisoned + raw.counter, 0);
	raw.mac = 5;
	raw.poisoned = 1;
	assert_int_equal(memenc_phys_replay(&r.e, PA, &raw), 0);
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_int_equal(raw.mac + raw.poisoned, 0);
	uint64_t c = 0;
	assert_int_equal(memenc_meta_flush(&r.e, &c), 0);
	assert_int_equal(c, 0);
	sim_fini(&r.s);

	/* In mac mode the ECC bits keep 28 MAC bits and one bit per flag. */
	rig_mode(&r, MEMENC_MAC);
	memset(&raw, 0, sizeof(raw));
	raw.mac = ~0ull;
	raw.owner = 9;
	assert_int_equal(memenc_phys_replay(&r.e, PA, &raw), 0);
	assert_int_equal(memenc_phys_capture(&r.e, PA, &raw), 0);
	assert_int_equal(raw.mac, (1u << 28) - 1);
	assert_int_equal(raw.owner, 1);
	sim_fini(&r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tamper_detected_only_with_integrity),
		cmocka_unit_test(test_replay_detected_only_by_tree),
		cmocka_unit_test(test_tree_replay_detected_at_every_arity),
		cmocka_unit_test(test_tree_block_replay_detected),
		cmocka_unit_test(test_tree_metadata_tamper_detected),
		cmocka_unit_test(test_write_clears_poison),
		cmocka_unit_test(test_phys_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
