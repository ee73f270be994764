/* PAMT (models/mmu/pamt.c) against the TDX module ABI ("PAMT", page types,
 * error codes) and the open-source module's PAMT walk: entries are read back
 * from a fake memory, so every expectation checks the stored layout too. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "models/mmu/pamt.h"
#include "models/mmu/tests/fake_mem.h"

#define GB (1ull << 30)
#define P1G 0x100000000ull /* PAMT arrays, outside the 2 GB TDMR */
#define P2M 0x100001000ull
#define P4K 0x100100000ull
#define TDR_A 0x1000ull
#define TDR_B 0x2000ull

struct t {
	struct fake_mem mem;
	struct pamt_config cfg;
	struct pamt_io io;
};

static uint64_t peek(struct t *t, uint64_t pa)
{
	return fake_mem_peek(&t->mem, pa);
}

static void poke(struct t *t, uint64_t pa, uint64_t val)
{
	fake_mem_poke(&t->mem, pa, val);
}

static int setup(void **state)
{
	struct t *t = g_new0(struct t, 1);
	fake_mem_init(&t->mem, -EIO);
	t->cfg = (struct pamt_config){ .base = 0, .size = 2 * GB, .pamt_1g = P1G, .pamt_2m = P2M,
				       .pamt_4k = P4K };
	t->io = (struct pamt_io){ fake_mem_read, fake_mem_write, &t->mem };
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	fake_mem_free(&t->mem);
	g_free(t);
	return 0;
}

static struct pamt_entry get(struct t *t, uint64_t pa)
{
	struct pamt_entry e;
	assert_int_equal(pamt_get(&t->cfg, &t->io, pa, &e), TDX_SUCCESS);
	pamt_entry_assert(&e);
	return e;
}

/* ABI PAMT: every page of a fresh TDMR is PT_NDA; the walk reads the 1G, 2M
 * and 4K entries and the leaf's BEPOCH. */
static void test_fresh_page_is_nda(void **state)
{
	struct t *t = *state;
	struct pamt_entry e = get(t, 0x5123);
	assert_int_equal(e.type, PAMT_PT_NDA);
	assert_int_equal(e.level, PAMT_4K);
	assert_int_equal(e.owner, 0);
	assert_int_equal(e.bepoch, 0);
	assert_int_equal(e.entry_pa, P4K + 5 * 16);
	assert_int_equal(t->mem.reads, 4);
	assert_int_equal(pamt_array_bytes(2 * GB, PAMT_4K), 8ull << 20);
	assert_int_equal(pamt_entry_addr(&t->cfg, GB + 0x200000, PAMT_2M), P2M + 513 * 16);
}

/* TDH.MEM.PAGE.ADD's PAMT update: PT_NDA -> PT_REG with the owner TDR, stored
 * as type [20:16] and owner PA[51:12] in [63:24], BEPOCH reset. */
static void test_assign_and_layout(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	struct pamt_entry e = get(t, 0x5000);
	assert_int_equal(e.type, PAMT_PT_REG);
	assert_int_equal(e.owner, TDR_A);
	assert_int_equal(peek(t, P4K + 0x50), (3ull << 16) | (TDR_A >> 12) << 24);
	assert_int_equal(peek(t, P4K + 0x58), 0);
}

/* ABI single-owner rule: an assigned page cannot be handed out again, to
 * another TD or as another type (TDX_PAGE_METADATA_INCORRECT). */
static void test_single_owner(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5000, PAMT_4K, PAMT_PT_REG, TDR_B),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5000, PAMT_4K, PAMT_PT_TDCX, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	struct pamt_entry e = get(t, 0x5000);
	assert_int_equal(e.type, PAMT_PT_REG);
	assert_int_equal(e.owner, TDR_A);
}

/* Operand checks of check_and_lock_explicit_private_hpa: alignment
 * (TDX_OPERAND_INVALID) and TDMR coverage (TDX_OPERAND_ADDR_RANGE_ERROR). */
static void test_operand_errors(void **state)
{
	struct t *t = *state;
	struct pamt_entry e;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5008, PAMT_4K, PAMT_PT_REG, TDR_A),
			 TDX_OPERAND_INVALID);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x201000, PAMT_2M, PAMT_PT_REG, TDR_A),
			 TDX_OPERAND_INVALID);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 2 * GB, PAMT_4K, PAMT_PT_REG, TDR_A),
			 TDX_OPERAND_ADDR_RANGE_ERROR);
	assert_int_equal(pamt_get(&t->cfg, &t->io, 2 * GB + 0x1000, &e), TDX_OPERAND_ADDR_RANGE_ERROR);
	assert_int_equal(t->mem.writes, 0);
}

/* PAMT levels (TDH.MEM.PAGE.AUG at 2 MB): the 2M entry describes the whole
 * region; no 4K page inside can be assigned or freed on its own, and a 2M
 * assignment needs all 512 4K entries free. */
static void test_2m_page(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x200000, PAMT_2M, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	struct pamt_entry e = get(t, 0x3ff000);
	assert_int_equal(e.level, PAMT_2M);
	assert_int_equal(e.type, PAMT_PT_REG);
	assert_int_equal(e.owner, TDR_A);
	assert_int_equal(e.entry_pa, P2M + 16);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x201000, PAMT_4K, PAMT_PT_REG, TDR_B),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x201000, PAMT_4K, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x5ff000, PAMT_4K, PAMT_PT_REG, TDR_B), TDX_SUCCESS);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x400000, PAMT_2M, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x200000, PAMT_2M, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	assert_int_equal(get(t, 0x3ff000).level, PAMT_4K);
}

/* PAMT levels at 1 GB: the 1G entry is the leaf for the whole gigabyte; a
 * gigabyte with any assigned 4K page inside cannot be taken whole. */
static void test_1g_page(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, GB, PAMT_1G, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	struct pamt_entry e = get(t, GB + 0x12345000);
	assert_int_equal(e.level, PAMT_1G);
	assert_int_equal(e.owner, TDR_A);
	assert_int_equal(e.entry_pa, P1G + 16);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, GB + 0x200000, PAMT_2M, PAMT_PT_REG, TDR_B),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x3fffe000, PAMT_4K, PAMT_PT_REG, TDR_B), TDX_SUCCESS);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0, PAMT_1G, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
}

/* TDH.SYS.TDMR.INIT reserved areas: PT_RSVD pages are never assigned or
 * reclaimed. */
static void test_reserved(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_reserve(&t->cfg, &t->io, 0x7000), TDX_SUCCESS);
	assert_int_equal(get(t, 0x7000).type, PAMT_PT_RSVD);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x7000, PAMT_4K, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x7000, PAMT_4K, PAMT_PT_RSVD, 0),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_reserve(&t->cfg, &t->io, 0x7000), TDX_PAGE_METADATA_INCORRECT);
}

/* TDH.PHYMEM.PAGE.RECLAIM-style free: the right type and owner return the
 * page to PT_NDA, after which another TD may take it. */
static void test_free_page(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDVPR, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDCX, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDVPR, TDR_B),
			 TDX_PAGE_NOT_OWNED_BY_TD);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0xa000, PAMT_4K, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDVPR, TDR_A), TDX_SUCCESS);
	struct pamt_entry e = get(t, 0x9000);
	assert_int_equal(e.type, PAMT_PT_NDA);
	assert_int_equal(e.owner, 0);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDVPR, TDR_B), TDX_SUCCESS);
	assert_int_equal(get(t, 0x9000).owner, TDR_B);
}

/* pamt_check_owner: type first (TDX_PAGE_METADATA_INCORRECT), then owner
 * (TDX_PAGE_NOT_OWNED_BY_TD); any PA inside the page names it. */
static void test_check_owner(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_TDVPR, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0x9abc, PAMT_PT_TDVPR, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0x9000, PAMT_PT_TDCX, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0x9000, PAMT_PT_TDVPR, TDR_B),
			 TDX_PAGE_NOT_OWNED_BY_TD);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0xa000, PAMT_PT_REG, TDR_A),
			 TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 3 * GB, PAMT_PT_REG, TDR_A),
			 TDX_OPERAND_ADDR_RANGE_ERROR);
}

/* PAMT entry sharex locks (TDX_OPERAND_BUSY): a shared holder blocks
 * assign/free but not a check; an exclusive holder blocks everything,
 * including walks through it. */
static void test_locks(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	uint64_t q0 = peek(t, P4K + 0x90);
	poke(t, P4K + 0x90, q0 | 1u << 2); /* one shared holder */
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0x9000, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x9000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_OPERAND_BUSY);
	poke(t, P4K + 0x90, q0 | PAMT_LOCK_EXCLUSIVE);
	assert_int_equal(pamt_check_owner(&t->cfg, &t->io, 0x9000, PAMT_PT_REG, TDR_A), TDX_OPERAND_BUSY);
	poke(t, P2M, PAMT_LOCK_EXCLUSIVE); /* the free 2M entry above it */
	struct pamt_entry e;
	assert_int_equal(pamt_get(&t->cfg, &t->io, 0x1000, &e), TDX_OPERAND_BUSY);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0, PAMT_2M, PAMT_PT_REG, TDR_A), TDX_OPERAND_BUSY);
}

/* TDH.MEM.RANGE.BLOCK records BEPOCH in the page's leaf entry; free pages
 * have none, and a new assignment starts from 0. */
static void test_bepoch(void **state)
{
	struct t *t = *state;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x200000, PAMT_2M, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_set_bepoch(&t->cfg, &t->io, 0x200000, PAMT_2M, 7), TDX_SUCCESS);
	assert_int_equal(get(t, 0x234000).bepoch, 7);
	assert_int_equal(pamt_set_bepoch(&t->cfg, &t->io, 0x200000, PAMT_4K, 8), TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_set_bepoch(&t->cfg, &t->io, 0x600000, PAMT_2M, 8), TDX_PAGE_METADATA_INCORRECT);
	assert_int_equal(pamt_free(&t->cfg, &t->io, 0x200000, PAMT_2M, PAMT_PT_REG, TDR_A), TDX_SUCCESS);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x200000, PAMT_2M, PAMT_PT_EPT, TDR_B), TDX_SUCCESS);
	assert_int_equal(get(t, 0x200000).bepoch, 0);
}

/* A failed PAMT access (poison, bus error) is reported, never a crash. */
static void test_io_error(void **state)
{
	struct t *t = *state;
	struct pamt_entry e;
	t->mem.fail_pa = P1G;
	assert_int_equal(pamt_get(&t->cfg, &t->io, 0x1000, &e), TDX_SIM_IO_ERROR);
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x1000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_SIM_IO_ERROR);
	t->mem.fail_pa = P4K + 0x10;
	assert_int_equal(pamt_assign(&t->cfg, &t->io, 0x1000, PAMT_4K, PAMT_PT_REG, TDR_A), TDX_SIM_IO_ERROR);
}

/* Configuration, status helpers and names used in traces. */
static void test_config_status_names(void **state)
{
	struct t *t = *state;
	struct pamt_config c = t->cfg;
	assert_true(pamt_config_valid(&c));
	c.base = 0x200000;
	assert_false(pamt_config_valid(&c));
	c = t->cfg;
	c.pamt_4k += 8;
	assert_false(pamt_config_valid(&c));
	assert_int_equal(tdx_status_operand(TDX_OPERAND_BUSY, TDX_OPERAND_ID_R8), 0x8000020000000008ull);
	assert_int_equal(tdx_status_operand(TDX_SUCCESS, TDX_OPERAND_ID_R8), TDX_SUCCESS);
	assert_int_equal(tdx_status_operand(TDX_SIM_IO_ERROR, TDX_OPERAND_ID_R8), TDX_SIM_IO_ERROR);
	assert_int_equal(tdx_status_class(0xC0000B0D00000001ull), TDX_EPT_ENTRY_STATE_INCORRECT);
	assert_true(tdx_status_is_error(TDX_PAGE_METADATA_INCORRECT));
	assert_false(tdx_status_is_error(TDX_PAGE_ALREADY_ACCEPTED));
	assert_string_equal(pamt_page_type_name(PAMT_PT_NDA), "nda");
	assert_string_equal(pamt_page_type_name(PAMT_PT_EPT), "sept");
	assert_string_equal(pamt_page_type_name(2), "reserved");
	assert_string_equal(pamt_page_type_name(31), "reserved");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fresh_page_is_nda),
		T(test_assign_and_layout),
		T(test_single_owner),
		T(test_operand_errors),
		T(test_2m_page),
		T(test_1g_page),
		T(test_reserved),
		T(test_free_page),
		T(test_check_owner),
		T(test_locks),
		T(test_bepoch),
		T(test_io_error),
		T(test_config_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
