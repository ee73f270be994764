/* The guest executor cpu_exec (models/cpu/exec.c) on the plain machine:
 * every instruction of models/cpu/isa.h, the SMC / HVC stops, synchronous
 * exceptions (Arm ARM DDI 0487, ESR_EL1.EC, ELR_EL1, SPSR.I / ERET) and
 * fetch and data aborts, with exact register values, pcs and cycle counts.
 * WFI, the budget, interrupts and the timer: test_cpu_exec_events.c. */
#include "models/cpu/tests/exec_fixture.h"

/* --- data processing --- */

/* MOVI, MOV, ADDI, ADD, SUB and LSLV compute modulo 2^64; LSLV uses the low
 * 6 bits of the shift; registers nobody wrote stay as they were. */
static void test_alu(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	f->v.x[0] = 0xa0a0;
	LOAD(f, CODE,
	     i_movi(1, 0x0123456789abcdefull),
	     i_mov(2, 1),
	     i_addi(3, 1, 1),
	     i_addi(4, 1, (uint64_t)-0x10),  /* a negative immediate wraps */
	     i_movi(5, 3),
	     i_add(6, 1, 5),
	     i_sub(7, 5, 1),                 /* below zero wraps */
	     i_lslv(8, 1, 5),
	     i_movi(9, 65),
	     i_lslv(10, 1, 9),               /* 65 & 63 = 1 */
	     i_movi(11, 64),
	     i_lslv(12, 1, 11),              /* 64 & 63 = 0 */
	     i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[0], 0xa0a0);
	assert_int_equal(f->v.x[1], 0x0123456789abcdefull);
	assert_int_equal(f->v.x[2], 0x0123456789abcdefull);
	assert_int_equal(f->v.x[3], 0x0123456789abcdf0ull);
	assert_int_equal(f->v.x[4], 0x0123456789abcddfull);
	assert_int_equal(f->v.x[5], 3);
	assert_int_equal(f->v.x[6], 0x0123456789abcdf2ull);
	assert_int_equal(f->v.x[7], 0xfedcba9876543214ull);
	assert_int_equal(f->v.x[8], 0x091a2b3c4d5e6f78ull);
	assert_int_equal(f->v.x[9], 65);
	assert_int_equal(f->v.x[10], 0x02468acf13579bdeull);
	assert_int_equal(f->v.x[11], 64);
	assert_int_equal(f->v.x[12], 0x0123456789abcdefull);
	for (unsigned r = 13; r < ISA_NREGS; r++)
		assert_int_equal(f->v.x[r], 0);
	assert_int_equal(f->v.pc, AT(13));
	assert_int_equal(f->v.insns, 13);
	assert_int_equal(cyc, 13 * INSN);
}

/* Register 31 is XZR: it reads as zero and writes to it are dropped, by every
 * instruction (a write must not land past x30, in pc). Numbers above 31 are
 * outside the ISA; exec treats them the same way. */
static void test_xzr(void **state)
{
	struct fx *f = *state;
	uint64_t cyc, ones = UINT64_MAX, mem;
	f->v.x[3] = 0x33;
	f->v.x[30] = 0x3030;
	poke(f, DATA, &ones, 8);
	LOAD(f, CODE,
	     i_movi(ISA_XZR, 0x1234),
	     i_movi(1, 5),
	     i_add(2, 1, ISA_XZR),
	     i_mov(3, ISA_XZR),
	     i_sub(4, ISA_XZR, 1),
	     i_addi(ISA_XZR, 1, 1),
	     i_movi(5, DATA),
	     i_st(ISA_XZR, 5, 8, 0),  /* stores zero */
	     i_ld(ISA_XZR, 5, 8, 0),
	     i_mrs(ISA_XZR, ISA_SR_CNTVCT),
	     i_lslv(ISA_XZR, 1, 1),
	     i_movi(200, 0x1234),
	     i_add(6, 1, 200),
	     i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, AT(14));
	assert_int_equal(f->v.x[1], 5);
	assert_int_equal(f->v.x[2], 5);
	assert_int_equal(f->v.x[3], 0);
	assert_int_equal(f->v.x[4], (uint64_t)-5);
	assert_int_equal(f->v.x[6], 5);
	assert_int_equal(f->v.x[30], 0x3030);
	assert_int_equal(f->v.insns, 14);
	/* the store retires at once (the store buffer writes it), the load waits */
	assert_int_equal(cyc, 13 * INSN + LDHIT);
	peek(f, DATA, &mem, 8);
	assert_int_equal(mem, 0);
}

/* --- loads and stores --- */

/* LD zero-extends 1, 2, 4 or 8 bytes at xb + sign-extended imm32; ST writes
 * exactly the low c bytes of xa; an access across two lines costs two. */
static void test_load_store_sizes(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	static const uint8_t pattern[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint8_t fill[64], got[32];
	memset(fill, 0xaa, sizeof(fill));
	poke(f, DATA, pattern, 8);
	poke(f, DATA + 0x40, fill, sizeof(fill));
	f->v.x[8] = UINT64_MAX;
	LOAD(f, CODE,
	     i_movi(1, DATA),
	     i_ld(2, 1, 1, 0),
	     i_ld(3, 1, 2, 0),
	     i_ld(4, 1, 4, 0),
	     i_ld(5, 1, 8, 0),
	     i_movi(9, 0xf0e0d0c0b0a09080ull),
	     i_st(9, 1, 1, 0x40),
	     i_st(9, 1, 2, 0x48),
	     i_st(9, 1, 4, 0x50),
	     i_st(9, 1, 8, 0x58),
	     i_movi(6, DATA + 0x10),
	     i_ld(7, 6, 8, -0x10),   /* negative offset */
	     i_ld(8, 1, 1, 1),       /* clears the upper 56 bits */
	     i_ld(10, 1, 8, 0x3c),   /* bytes 0x3c..0x43: two lines */
	     i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[2], 0x11);
	assert_int_equal(f->v.x[3], 0x2211);
	assert_int_equal(f->v.x[4], 0x44332211);
	assert_int_equal(f->v.x[5], 0x8877665544332211ull);
	assert_int_equal(f->v.x[7], 0x8877665544332211ull);
	assert_int_equal(f->v.x[8], 0x22);
	assert_int_equal(f->v.x[10], 0xaaaaaa8000000000ull);
	assert_int_equal(f->v.pc, AT(15));
	assert_int_equal(f->v.insns, 15);
	/* 4 instructions without data, 6 one-line loads and a two-line one; the
	 * 4 stores each wait for the one before to leave the one-entry store
	 * buffer (HIT), the last retires at once */
	assert_int_equal(cyc, 4 * INSN + 6 * LDHIT + 2 * LDHIT + 3 * HIT + INSN);
	static const uint8_t want[32] = {
		0x80, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0x80, 0x90, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0x80, 0x90, 0xa0, 0xb0, 0xaa, 0xaa, 0xaa, 0xaa,
		0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0,
	};
	peek(f, DATA + 0x40, got, sizeof(got));
	assert_memory_equal(got, want, sizeof(want));
	peek(f, DATA + 0x60, got, 8);
	assert_memory_equal(got, fill, 8); /* nothing past the last store */
}

/* --- branches --- */

/* B jumps to imm64, skipping what lies between. */
static void test_branch(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE,
	     i_movi(1, 1),
	     i_b(AT(3)),
	     i_movi(1, 2),
	     i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[1], 1);
	assert_int_equal(f->v.pc, AT(4));
	assert_int_equal(f->v.insns, 3);
	assert_int_equal(cyc, 3 * INSN);
}

/* BC for every condition, taken and not; LTU / GEU compare unsigned, so -1
 * is the largest value; an undefined condition is never taken. */
static void test_branch_conditions(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint64_t a, b;
		unsigned cond;
		bool taken;
	} cases[] = {
		{ 5, 5, ISA_EQ, true },
		{ 5, 6, ISA_EQ, false },
		{ 5, 6, ISA_NE, true },
		{ 5, 5, ISA_NE, false },
		{ 1, 2, ISA_LTU, true },
		{ 2, 1, ISA_LTU, false },
		{ 2, 2, ISA_LTU, false },
		{ UINT64_MAX, 1, ISA_LTU, false }, /* -1 < 1 signed, not unsigned */
		{ 1, UINT64_MAX, ISA_LTU, true },
		{ 2, 2, ISA_GEU, true },
		{ 3, 2, ISA_GEU, true },
		{ 2, 3, ISA_GEU, false },
		{ UINT64_MAX, 1, ISA_GEU, true },
		{ 1, UINT64_MAX, ISA_GEU, false },
		{ 5, 5, 4, false },
		{ 5, 6, 255, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t cyc;
		vcpu_reset(f);
		LOAD(f, CODE,
		     i_movi(1, cases[i].a),
		     i_movi(2, cases[i].b),
		     i_bc(1, 2, cases[i].cond, AT(5)),
		     i_hvc(), /* fall-through */
		     i_nop(),
		     i_smc()); /* target */
		struct exec_stop_info st = run0(f, &cyc);
		assert_int_equal(st.why, EXEC_CALL);
		assert_int_equal(st.hvc, !cases[i].taken);
		assert_int_equal(f->v.pc, cases[i].taken ? AT(6) : AT(4));
		assert_int_equal(f->v.insns, 4);
		assert_int_equal(cyc, 4 * INSN);
	}
}

/* NOP changes nothing but pc, and costs a fetch and an issue cycle. */
static void test_nop(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	struct vcpu_state before;
	for (unsigned r = 0; r < ISA_NREGS; r++)
		f->v.x[r] = 0x100 + r;
	LOAD(f, CODE, i_nop(), i_nop(), i_nop(), i_nop(), i_nop(), i_smc());
	before = f->v;
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, AT(6));
	assert_int_equal(f->v.insns, 6);
	assert_int_equal(cyc, 6 * INSN);
	before.pc = f->v.pc;
	before.insns = f->v.insns;
	assert_memory_equal(&before, &f->v, sizeof(before));
}

/* --- calls --- */

/* SMC and HVC stop with EXEC_CALL, the call in x0.., and pc past the
 * instruction: the preferred return address of an SMC / HVC exception is the
 * next instruction (Arm ARM, preferred exception return address), and both
 * monitors resume without moving pc. (exec.h's "pc is at the instruction"
 * disagrees: the comment is stale, not the code.) */
static void test_smc_hvc(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE,
	     i_movi(0, 0x84000000ull),
	     i_smc(),
	     i_mov(1, 0),
	     i_movi(0, 0xc6000001ull),
	     i_hvc(),
	     i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_false(st.hvc);
	assert_false(st.fetch);
	assert_false(st.write);
	assert_int_equal(st.addr, 0);
	assert_int_equal(f->v.x[0], 0x84000000ull);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.insns, 2);
	assert_int_equal(cyc, 2 * INSN);
	assert_int_equal(f->cpu.stat_smcs, 0); /* the monitor handles it, not the bus */

	f->v.x[0] = 7; /* the monitor's result */
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_true(st.hvc);
	assert_int_equal(f->v.x[1], 7);
	assert_int_equal(f->v.x[0], 0xc6000001ull);
	assert_int_equal(f->v.pc, AT(5));
	assert_int_equal(f->v.insns, 5);
	assert_int_equal(cyc, 3 * INSN);
}

/* --- synchronous exceptions --- */

/* UDF (opcode 0, so zeroed memory traps), an unknown opcode and LD / ST of a
 * size other than 1, 2, 4, 8 take an exception to VBAR + 0x200 with
 * ESR.EC = 0 (Unknown reason), ELR at the instruction, I masked and the old
 * DAIF saved; the faulting instruction does not retire. */
static void test_undefined(void **state)
{
	struct fx *f = *state;
	const struct isa_insn bad[] = {
		i_udf(), insn(ISA_OP_COUNT, 0, 0, 0, 0, 0), insn(0xff, 1, 2, 3, 4, 5),
		i_ld(1, 2, 3, 0), i_st(1, 2, 0, 0), i_ld(1, 2, 16, 0),
	};
	LOAD(f, VBAR + ISA_VEC_SYNC,
	     i_mrs(1, ISA_SR_ESR),
	     i_mrs(2, ISA_SR_ELR),
	     i_mrs(3, ISA_SR_FAR),
	     i_mrs(4, ISA_SR_DAIF),
	     i_smc());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t cyc;
		vcpu_reset(f);
		f->v.esr = 0xdead; /* stale values the exception must replace */
		f->v.far = 0xbeef;
		f->v.elr = 0xe1e1;
		f->v.x[1] = 0x5a5a;
		load(f, CODE, &bad[i], 1);
		struct exec_stop_info st = run0(f, &cyc);
		assert_int_equal(st.why, EXEC_CALL);
		assert_int_equal(f->v.x[1], ESR_EC_UNKNOWN);
		assert_int_equal(f->v.esr, ESR_EC_UNKNOWN);
		assert_int_equal(f->v.x[2], CODE);
		assert_int_equal(f->v.x[3], 0);
		assert_int_equal(f->v.x[4], ISA_DAIF_I);
		assert_int_equal(f->v.saved_daif, 0);
		assert_int_equal(f->v.pc, SYNC_AT(5));
		assert_int_equal(f->v.insns, 5);
		assert_int_equal(cyc, INSN + EXC + 5 * INSN);
	}
}

/* ERET returns to ELR (here moved past the UDF by the handler) and restores
 * DAIF from the value saved at entry, masked or not. */
static void test_exception_return(void **state)
{
	struct fx *f = *state;
	LOAD(f, VBAR + ISA_VEC_SYNC,
	     i_mrs(1, ISA_SR_ELR),
	     i_addi(1, 1, ISA_INSN_BYTES),
	     i_msr(ISA_SR_ELR, 1),
	     i_mrs(2, ISA_SR_DAIF),
	     i_eret());
	LOAD(f, CODE, i_udf(), i_mrs(5, ISA_SR_DAIF), i_smc());
	for (unsigned masked = 0; masked < 2; masked++) {
		uint64_t cyc, daif = masked ? ISA_DAIF_I : 0;
		vcpu_reset(f);
		f->v.daif = daif;
		f->v.x[5] = 0x5555;
		struct exec_stop_info st = run0(f, &cyc);
		assert_int_equal(st.why, EXEC_CALL);
		assert_int_equal(f->v.x[2], ISA_DAIF_I); /* masked in the handler */
		assert_int_equal(f->v.saved_daif, daif);
		assert_int_equal(f->v.x[5], daif);      /* restored by ERET */
		assert_int_equal(f->v.daif, daif);
		assert_int_equal(f->v.elr, AT(1));
		assert_int_equal(f->v.pc, AT(3));
		assert_int_equal(f->v.insns, 7);
		/* UDF + entry, 4 handler instructions, ERET (+ its own cost), 2 more */
		assert_int_equal(cyc, INSN + EXC + 4 * INSN + INSN + EXC + 2 * INSN);
	}
}

/* A pc not on a 16-byte boundary is not fetched: a PC alignment fault
 * (ESR_ELx.EC 0x22) with ELR and FAR at that pc. */
static void test_pc_alignment(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, VBAR + ISA_VEC_SYNC, i_smc());
	f->v.pc = CODE + 8;
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.elr, CODE + 8);
	assert_int_equal(f->v.far, CODE + 8);
	assert_int_equal(f->v.esr, ESR_EC_PC_ALIGN); /* EC 0x22 */
	assert_int_equal(f->v.daif, ISA_DAIF_I);
	assert_int_equal(f->v.pc, SYNC_AT(1));
	assert_int_equal(f->v.insns, 1);
	assert_int_equal(cyc, EXC + INSN);
}

/* --- aborts --- */

/* A fetch that faults stops with EXEC_ABORT at the instruction's address:
 * fetch set, 16 bytes, the fault record of the memory path. */
static void test_fetch_abort(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_b(BEYOND));
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_ABORT);
	assert_true(st.fetch);
	assert_false(st.write);
	assert_false(st.hvc);
	assert_int_equal(st.size, ISA_INSN_BYTES);
	assert_int_equal(st.reg, 0);
	assert_int_equal(st.addr, BEYOND);
	assert_int_equal(st.value, 0);
	assert_int_equal(st.fault.kind, FAULT_BUS_RANGE);
	assert_int_equal(st.fault.addr, BEYOND);
	assert_int_equal(f->v.pc, BEYOND);
	assert_int_equal(f->v.insns, 2);
	assert_int_equal(cyc, 2 * INSN); /* a range fault costs no memory cycles */
}

/* A load that faults stops at the LD (not retired, its register untouched),
 * reporting the address, size and register loaded. */
static void test_data_abort_load(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	f->v.x[3] = 0x3333;
	LOAD(f, CODE, i_movi(2, BEYOND - 8), i_ld(3, 2, 4, 16), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_ABORT);
	assert_false(st.fetch);
	assert_false(st.write);
	assert_int_equal(st.size, 4);
	assert_int_equal(st.reg, 3);
	assert_int_equal(st.addr, BEYOND + 8);
	assert_int_equal(st.value, 0);
	assert_int_equal(st.fault.kind, FAULT_BUS_RANGE);
	assert_int_equal(st.fault.addr, BEYOND + 8);
	assert_int_equal(f->v.x[3], 0x3333);
	assert_int_equal(f->v.pc, AT(1));
	assert_int_equal(f->v.insns, 1);
	assert_int_equal(cyc, 2 * INSN);
}

/* A store that faults reports write, size, register and the data stored:
 * the bytes it stores (exec.h: "a store's data"; isa.h: ST stores "the low
 * c bytes of xa"), as TF-RMM masks the register to the access size for
 * gprs[0] of an emulatable abort (get_dabt_write_value). */
static void test_data_abort_store(void **state)
{
	static const struct { unsigned size; uint64_t value; } cases[] = {
		{ 8, 0x1122334455667788ull }, { 2, 0x7788 },
	};
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t cyc;
		vcpu_reset(f);
		LOAD(f, CODE,
		     i_movi(4, 0x1122334455667788ull),
		     i_movi(2, BEYOND),
		     i_st(4, 2, cases[i].size, 0x100),
		     i_smc());
		struct exec_stop_info st = run0(f, &cyc);
		assert_int_equal(st.why, EXEC_ABORT);
		assert_false(st.fetch);
		assert_true(st.write);
		assert_int_equal(st.size, cases[i].size);
		assert_int_equal(st.reg, 4);
		assert_int_equal(st.addr, BEYOND + 0x100);
		assert_int_equal(st.value, cases[i].value);
		assert_int_equal(st.fault.kind, FAULT_BUS_RANGE);
		assert_int_equal(f->v.pc, AT(2));
		assert_int_equal(f->v.insns, 2);
		assert_int_equal(cyc, 3 * INSN);
	}
}

/* cpu_exec returns -errno when the vCPU cannot issue an access at all (here:
 * a core the machine does not have), leaving pc alone. */
static void test_malformed_access(void **state)
{
	struct fx *f = *state;
	struct exec_stop_info st;
	struct exec_params p = { 0 };
	uint64_t cyc;
	LOAD(f, CODE, i_nop());
	f->cpu.core = 99;
	assert_int_equal(cpu_exec(&f->cpu, &f->v, &p, &st, &cyc), -EINVAL);
	assert_int_equal(f->v.pc, CODE);
	assert_int_equal(f->v.insns, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alu),
		T(test_xzr),
		T(test_load_store_sizes),
		T(test_branch),
		T(test_branch_conditions),
		T(test_nop),
		T(test_smc_hvc),
		T(test_undefined),
		T(test_exception_return),
		T(test_pc_alignment),
		T(test_fetch_abort),
		T(test_data_abort_load),
		T(test_data_abort_store),
		T(test_malformed_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
