/* The guest executor's out-of-order timing (struct cpu_core): independent
 * misses overlap, a dependent chain does not, and the reorder buffer, the
 * store buffer and the L1's miss slots bound the overlap. Exact cycles on
 * the plain machine: an L1 hit 4, a miss to DRAM 4 + 40 + 150 = 194 (no
 * encryption, no bandwidth limit; the accesses sit in different 4 KB pages,
 * so the stream prefetcher never confirms a stream). */
#include "models/cpu/tests/exec_fixture.h"

#define MISS (4 + 40 + 150)
#define PAGE 4096

/* A core with `rob` entries, one instruction a cycle, `sb` store buffer
 * entries; L1 fetch hits hidden. */
static void core(struct fx *f, uint32_t rob, uint32_t sb)
{
	f->cpu.core_cfg = (struct cpu_core){ .rob = rob, .width = 1, .sb = sb, .fetch_hidden = HIT };
}

/* Four loads of cold lines, none using another's result, issue a cycle
 * apart and are all in flight at once: the run takes one miss, not four. */
static void test_independent_misses_overlap(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	core(f, 64, 16);
	LOAD(f, CODE, i_movi(1, DATA), i_ld(2, 1, 8, 0), i_ld(3, 1, 8, PAGE),
	     i_ld(4, 1, 8, 2 * PAGE), i_ld(5, 1, 8, 3 * PAGE), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	/* MOVI at 0; the loads issue at 1..4, the last data at 4 + MISS; SMC */
	assert_int_equal(cyc, 4 + MISS + INSN);
	assert_int_equal(f->v.insns, 6);
}

/* A load whose address is the previous load's data waits for it: pointer
 * chasing pays every miss in full. */
static void test_dependent_misses_serialise(void **state)
{
	struct fx *f = *state;
	uint64_t cyc, next = DATA + 3 * PAGE;
	core(f, 64, 16);
	poke(f, DATA + 5 * PAGE, &next, 8);
	next = DATA + 5 * PAGE;
	poke(f, DATA + 7 * PAGE, &next, 8);
	assert_int_equal(machine_wbinvd(&f->m, &cyc), 0); /* the chain starts cold */
	LOAD(f, CODE, i_movi(1, DATA + 7 * PAGE), i_ld(2, 1, 8, 0), i_ld(3, 2, 8, 0),
	     i_ld(4, 3, 8, 0), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[4], 0);
	assert_int_equal(cyc, 1 + 3 * MISS + INSN);
}

/* The reorder buffer bounds the overlap: with two entries the third load
 * enters only when the first retires. */
static void test_rob_bounds_overlap(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	core(f, 2, 16);
	LOAD(f, CODE, i_movi(1, DATA), i_ld(2, 1, 8, 0), i_ld(3, 1, 8, PAGE),
	     i_ld(4, 1, 8, 2 * PAGE), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	/* loads issue at 1 and 2; the third waits for the first to retire */
	assert_int_equal(cyc, 1 + MISS + MISS + INSN);
}

/* So do the L1's miss slots: with two, the third miss waits for the first
 * fill to complete. */
static void test_mshrs_bound_overlap(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	core(f, 64, 16);
	f->m.l1[0].cfg.mshrs = 2;
	LOAD(f, CODE, i_movi(1, DATA), i_ld(2, 1, 8, 0), i_ld(3, 1, 8, PAGE),
	     i_ld(4, 1, 8, 2 * PAGE), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	/* the third load issues at 3 and misses in the L1 at 3 + HIT; its slot
	 * frees at 1 + MISS, then the fill takes the rest of a miss */
	assert_int_equal(cyc, 1 + MISS + (MISS - HIT) + INSN);
	assert_int_equal(sim_stat_get(&f->sim, "l1d.mshr_wait"), 1 + MISS - (3 + HIT));
}

/* Stores retire into the store buffer and are written in order; a store
 * that finds it full waits for its oldest entry. Each store here misses
 * (a partial line: the line is read first). */
static void test_store_buffer(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	core(f, 64, 2);
	LOAD(f, CODE, i_movi(1, DATA), i_st(1, 1, 8, 0), i_st(1, 1, 8, PAGE),
	     i_st(1, 1, 8, 2 * PAGE), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	/* the first two issue at 1 and 2; the third waits for the first to be
	 * written (1 + MISS), then misses itself; the stop waits for it */
	assert_int_equal(cyc, 1 + MISS + MISS + INSN);
	uint64_t v = 0;
	peek(f, DATA + 2 * PAGE, &v, 8);
	assert_int_equal(v, DATA);
}

/* A load that hits a line whose fill is still in flight (a store's, here)
 * waits for the fill: it merges into the miss rather than hitting early. */
static void test_load_waits_for_line_in_flight(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	core(f, 64, 16);
	LOAD(f, CODE, i_movi(1, DATA), i_st(1, 1, 8, 0), i_ld(2, 1, 8, 8), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	/* the store misses at 1; the load at 2 finds the line until 1 + MISS */
	assert_int_equal(cyc, 1 + MISS + INSN);
	assert_true(sim_stat_get(&f->sim, "l1d.pending_hits") >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_independent_misses_overlap),
		T(test_dependent_misses_serialise),
		T(test_rob_bounds_overlap),
		T(test_mshrs_bound_overlap),
		T(test_store_buffer),
		T(test_load_waits_for_line_in_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
