/* SEV-SNP page swap (models/monitor/snp/snp_swap.c) against AMD's firmware
 * (AMD-ASPFW sev_mcmd.c): SNP_PAGE_MD_INIT, SNP_PAGE_SWAP_OUT / SWAP_IN
 * with their metadata entries, SNP_PAGE_RECLAIM, and the replay of an old
 * copy. RMP and memory share one fake flat 16MB memory (one key). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/monitor/snp/snp_swap.h"
#include "models/monitor/snp/tests/snp_fake_mem.h"
#include "sim/buf.h"

#define MEM_TOP SNP_FAKE_MEM_TOP
#define GCTX 0x10000ull
#define ASID 5u
#define POLICY 0x30100ull
#define PAGE 0x1000ull
#define GUEST 0x200000ull   /* the guest's page */
#define GPA 0x110000ull
#define DST 0x300000ull     /* where its copy goes */
#define DST2 0x301000ull
#define MD 0x400000ull      /* a metadata page */

struct t {
	uint8_t *mem;
	struct rmp_io io;
	struct snp_fw fw;
};

static struct rmp_entry entry_at(struct t *t, uint64_t spa)
{
	struct rmp_entry e;
	assert_int_equal(rmp_entry_read(&t->fw.cfg.rmp, &t->io, spa, &e), 0);
	return e;
}

/* The hypervisor's RMPUPDATE. */
static void rmpupdate(struct t *t, uint64_t spa, bool assigned, uint32_t asid, uint64_t gpa,
		      bool immutable)
{
	struct rmp_entry n = { .assigned = assigned, .asid = asid, .gpa = gpa, .immutable = immutable };
	struct rmp_op_result r = rmp_update(&t->fw.cfg.rmp, &t->io, spa, &n);
	assert_int_equal(r.status, RMP_SUCCESS);
}

/* A running guest whose page GUEST holds "balance: 100" at GPA,
 * validated; DST a firmware page; MD a metadata page. */
static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct snp_fw_config cfg;
	snp_fake_platform(t, &t->io, &cfg);
	struct snp_fw_io io = { .rmp = t->io, .mem = t->io, .ctx = t->io };
	snp_fw_init(&t->fw, &cfg, &io, 7);
	*state = t;
	if (snp_init(&t->fw) || snp_launch_start(&t->fw, GCTX, POLICY) || snp_activate(&t->fw, GCTX, ASID))
		return -1;
	struct snp_launch_finish fin = { 0 };
	if (snp_launch_finish(&t->fw, GCTX, &fin))
		return -1;
	struct rmp_entry g = { .assigned = true, .asid = ASID, .gpa = GPA, .validated = true,
			       .vmpl_perm = { RMP_PERM_ALL, 3 } };
	if (rmp_entry_write(&t->fw.cfg.rmp, &t->io, GUEST, &g))
		return -1;
	memcpy(t->mem + GUEST, "balance: 100", 12);
	rmpupdate(t, DST, true, 0, 0, true);
	rmpupdate(t, DST2, true, 0, 0, true);
	rmpupdate(t, MD, true, 0, 0, true);
	return snp_page_md_init(&t->fw, GCTX, MD) == SNP_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
	struct t *t = *state;
	free(t->mem);
	free(t);
	return 0;
}

static enum snp_status swap_out(struct t *t, uint64_t dst, uint64_t md)
{
	struct snp_swap_out o = { .gctx_pa = GCTX, .src_pa = GUEST, .dst_pa = dst, .mdata_pa = md,
				  .software_data = 0x5eed };
	return snp_page_swap_out(&t->fw, &o);
}

static enum snp_status swap_in(struct t *t, uint64_t src, uint64_t md)
{
	struct snp_swap_in i = { .gctx_pa = GCTX, .src_pa = src, .dst_pa = GUEST, .mdata_pa = md };
	return snp_page_swap_in(&t->fw, &i);
}

/* The host's view of the page after swap-out: the frame given back (Pre-
 * Guest -> reclaimed -> RMPUPDATE) and then taken again for the swap-in
 * (Pre-Guest), its old contents overwritten. */
static void frame_cycle(struct t *t)
{
	assert_int_equal(snp_page_reclaim(&t->fw, GUEST), SNP_SUCCESS);
	rmpupdate(t, GUEST, false, 0, 0, false);
	memset(t->mem + GUEST, 0xAA, PAGE);
	rmpupdate(t, GUEST, true, ASID, 0, true);
}

/* MD_INIT: only a firmware page becomes a metadata page (zeroed, its
 * RMP.GPA the guest context); a hypervisor page or an unknown guest is
 * refused. */
static void test_md_init(void **state)
{
	struct t *t = *state;
	struct rmp_entry e = entry_at(t, MD);
	assert_true(e.assigned && e.immutable && e.asid == 0 && e.gpa == GCTX);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_METADATA);
	assert_int_equal(snp_page_md_init(&t->fw, GCTX, 0x500000), SNP_INVALID_PAGE_STATE);
	assert_int_equal(snp_page_md_init(&t->fw, 0x20000, DST2), SNP_INVALID_GUEST);
	assert_int_equal(snp_page_md_init(&t->fw, GCTX, DST2 + 8), SNP_INVALID_PARAM);
}

/* RMPUPDATE with Immutable, owner and GPA kept: Guest-Valid -> Pre-Swap. */
static void test_pre_swap(void **state)
{
	struct t *t = *state;
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	struct rmp_entry e = entry_at(t, GUEST);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_PRE_SWAP);
	assert_int_equal(e.vmpl_perm[1], 3);
	/* another GPA: a new assignment, unvalidated (Pre-Guest) */
	struct rmp_entry n = { .assigned = true, .asid = ASID, .gpa = GPA + PAGE, .immutable = true };
	struct rmp_entry g = { .assigned = true, .asid = ASID, .gpa = GPA, .validated = true };
	assert_int_equal(rmp_entry_write(&t->fw.cfg.rmp, &t->io, GUEST, &g), 0);
	assert_int_equal(rmp_update(&t->fw.cfg.rmp, &t->io, GUEST, &n).status, RMP_SUCCESS);
	e = entry_at(t, GUEST);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_PRE_GUEST);
}

/* Out and back in: the copy is not the plaintext, the entry holds IV 0,
 * the GPA and Validated; swap-in restores page, GPA, masks and Validated
 * and clears VALID; the next swap-out takes IV 1. */
static void test_round_trip(void **state)
{
	struct t *t = *state;
	assert_int_equal(swap_out(t, DST, MD), SNP_INVALID_PAGE_STATE); /* Guest-Valid: not yet */
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST, MD), SNP_SUCCESS);
	assert_memory_not_equal(t->mem + DST, "balance: 100", 12);
	const uint8_t *md = t->mem + MD;
	assert_int_equal(sim_le64_load(md + SNP_MDATA_SOFTWARE), 0x5eed);
	assert_int_equal(sim_le64_load(md + SNP_MDATA_IV), 0);
	assert_int_equal(sim_le64_load(md + SNP_MDATA_ENTRY),
			 GPA | SNP_MDATA_VALIDATED | SNP_MDATA_VALID);
	struct rmp_entry e = entry_at(t, GUEST);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_PRE_GUEST);
	frame_cycle(t);
	/* reclaim the copy's page so the host can read it, then swap in in place */
	assert_int_equal(snp_page_reclaim(&t->fw, DST), SNP_SUCCESS);
	rmpupdate(t, DST, false, 0, 0, false);
	struct snp_swap_in i = { .gctx_pa = GCTX, .src_pa = DST, .dst_pa = GUEST, .mdata_pa = MD,
				 .in_place = true };
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_INVALID_ADDRESS); /* in place: src = dst */
	assert_int_equal(swap_in(t, DST, MD), SNP_SUCCESS);
	assert_memory_equal(t->mem + GUEST, "balance: 100", 12);
	e = entry_at(t, GUEST);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_PRE_SWAP);
	assert_int_equal(e.gpa, GPA);
	assert_int_equal(e.vmpl_perm[1], 3);
	assert_false(sim_le64_load(md + SNP_MDATA_ENTRY) & SNP_MDATA_VALID);
	/* the entry is used up: the same copy does not go in twice */
	assert_int_equal(swap_in(t, DST, MD), SNP_INVALID_MDATA_ENTRY);
	assert_int_equal(snp_page_reclaim(&t->fw, GUEST), SNP_SUCCESS);
	e = entry_at(t, GUEST);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_GUEST_VALID);
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST2, MD), SNP_SUCCESS);
	assert_int_equal(sim_le64_load(md + SNP_MDATA_IV), 1);
}

/* The replay: copy 1 is kept, the guest writes, copy 2 is swapped out
 * with its entry in the same slot (or another). Copy 1 against the live
 * entry fails its tag; against its own, used entry it is refused; a
 * flipped bit fails the tag; only copy 2 goes in. */
static void test_replay(void **state)
{
	struct t *t = *state;
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST, MD), SNP_SUCCESS);
	assert_int_equal(snp_page_reclaim(&t->fw, DST), SNP_SUCCESS);
	rmpupdate(t, DST, false, 0, 0, false);
	uint8_t *old = malloc(PAGE);
	memcpy(old, t->mem + DST, PAGE);
	frame_cycle(t);
	memcpy(t->mem + GUEST, old, PAGE);
	struct snp_swap_in i = { .gctx_pa = GCTX, .src_pa = GUEST, .dst_pa = GUEST, .mdata_pa = MD,
				 .in_place = true };
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_SUCCESS);
	assert_int_equal(snp_page_reclaim(&t->fw, GUEST), SNP_SUCCESS);
	memcpy(t->mem + GUEST, "balance: 000", 12); /* the guest's write */
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST2, MD + SNP_MDATA_LEN), SNP_SUCCESS);
	frame_cycle(t);
	memcpy(t->mem + GUEST, old, PAGE);
	i.mdata_pa = MD + SNP_MDATA_LEN;
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_BAD_MEASUREMENT);
	i.mdata_pa = MD;
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_INVALID_MDATA_ENTRY);
	assert_int_equal(snp_page_reclaim(&t->fw, DST2), SNP_SUCCESS);
	rmpupdate(t, DST2, false, 0, 0, false);
	memcpy(t->mem + GUEST, t->mem + DST2, PAGE);
	t->mem[GUEST + 100] ^= 1;
	i.mdata_pa = MD + SNP_MDATA_LEN;
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_BAD_MEASUREMENT);
	t->mem[GUEST + 100] ^= 1;
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_SUCCESS);
	assert_memory_equal(t->mem + GUEST, "balance: 000", 12);
	free(old);
}

/* The checks before any work: a metadata slot not in a metadata page,
 * not 64-byte aligned or inside the copy's page; another guest's page;
 * a 2MB size; the root entry in the context page works alike. */
static void test_checks(void **state)
{
	struct t *t = *state;
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST, DST2), SNP_INVALID_PAGE_STATE);
	assert_int_equal(swap_out(t, DST, MD + 8), SNP_INVALID_PARAM);
	assert_int_equal(swap_out(t, MD, MD), SNP_INVALID_PARAM);
	struct snp_swap_out o = { .gctx_pa = GCTX, .src_pa = GUEST, .dst_pa = DST, .mdata_pa = MD,
				  .size_2m = true };
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_INVALID_PAGE_SIZE);
	o.size_2m = false;
	o.gctx_pa = 0x20000;
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_INVALID_GUEST);
	o.gctx_pa = GCTX;
	o.page_type = 3;
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_INVALID_PAGE_STATE);
	struct rmp_entry other = { .assigned = true, .asid = ASID + 1, .gpa = GPA, .immutable = true };
	assert_int_equal(rmp_entry_write(&t->fw.cfg.rmp, &t->io, DST2, &other), 0);
	o = (struct snp_swap_out){ .gctx_pa = GCTX, .src_pa = DST2, .dst_pa = DST, .mdata_pa = MD };
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_INVALID_PAGE_OWNER);
	o = (struct snp_swap_out){ .gctx_pa = GCTX, .src_pa = GUEST, .dst_pa = DST, .root_mdata = true };
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_SUCCESS);
	frame_cycle(t);
	assert_int_equal(snp_page_reclaim(&t->fw, DST), SNP_SUCCESS);
	rmpupdate(t, DST, false, 0, 0, false);
	memcpy(t->mem + GUEST, t->mem + DST, PAGE);
	struct snp_swap_in i = { .gctx_pa = GCTX, .src_pa = GUEST, .dst_pa = GUEST,
				 .root_mdata = true, .in_place = true };
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_SUCCESS);
	assert_memory_equal(t->mem + GUEST, "balance: 100", 12);
	/* the context page itself is DECOMMISSION's to release */
	assert_int_equal(snp_page_reclaim(&t->fw, GCTX), SNP_INVALID_PAGE_STATE);
}

/* A metadata page swaps out like data (unencrypted source, the root entry
 * or another page's slot) and comes back a metadata page. */
static void test_metadata_page(void **state)
{
	struct t *t = *state;
	rmpupdate(t, GUEST, true, ASID, GPA, true);
	assert_int_equal(swap_out(t, DST, MD), SNP_SUCCESS);
	uint8_t entry[SNP_MDATA_LEN];
	memcpy(entry, t->mem + MD, SNP_MDATA_LEN);
	struct snp_swap_out o = { .gctx_pa = GCTX, .src_pa = MD, .dst_pa = DST2, .root_mdata = true,
				  .page_type = SNP_SWAP_METADATA };
	assert_int_equal(snp_page_swap_out(&t->fw, &o), SNP_SUCCESS);
	struct rmp_entry e = entry_at(t, MD);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_FIRMWARE);
	assert_int_equal(snp_page_reclaim(&t->fw, DST2), SNP_SUCCESS);
	rmpupdate(t, DST2, false, 0, 0, false);
	memset(t->mem + MD, 0, PAGE);
	struct snp_swap_in i = { .gctx_pa = GCTX, .src_pa = DST2, .dst_pa = MD, .root_mdata = true,
				 .page_type = SNP_SWAP_METADATA };
	assert_int_equal(snp_page_swap_in(&t->fw, &i), SNP_SUCCESS);
	e = entry_at(t, MD);
	assert_int_equal(snp_page_state_of(&e), SNP_PS_METADATA);
	assert_memory_equal(t->mem + MD, entry, SNP_MDATA_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_md_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_page, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
