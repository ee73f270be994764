/* The guest executor cpu_exec (models/cpu/exec.c) on the plain machine: every
 * instruction of models/cpu/isa.h, every stop, synchronous exceptions (Arm ARM
 * DDI 0487, ESR_EL1.EC, ELR_EL1, SPSR.I / ERET), virtual interrupts through
 * the list registers (GICv3 IHI 0069, ICH_LR<n>_EL2 vINTID / State,
 * ICC_IAR1_EL1, ICC_EOIR1_EL1) and the virtual timer (Arm ARM Generic Timer,
 * CNTV_CTL_EL0 ENABLE / IMASK / ISTATUS, CNTV_CVAL_EL0), with exact register
 * values, pcs and cycle counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "models/cpu/exec.h"
#include "models/platform/machine.h"

/* plain at 3 GHz: every code and data line the loader wrote is in the core's
 * L1 (write-allocate), so a fetch or a one-line access costs an L1 hit. */
#define HIT 4
#define ISSUE 1             /* exec.c ISSUE_CYCLES */
#define INSN (HIT + ISSUE)  /* fetch + issue of an instruction without data access */
#define EXC 20              /* exec.c EXC_CYCLES: exception entry, or ERET */

#define CODE 0x100000ull
#define VBAR 0x200000ull    /* 2 KB aligned, as VBAR_EL1 requires */
#define DATA 0x300000ull
#define BEYOND (1ull << 40) /* past plain's 40-bit PA space: a bus fault */
#define AT(n) (CODE + (uint64_t)(n) * ISA_INSN_BYTES)
#define SYNC_AT(n) (VBAR + ISA_VEC_SYNC + (uint64_t)(n) * ISA_INSN_BYTES)
#define IRQ_AT(n) (VBAR + ISA_VEC_IRQ + (uint64_t)(n) * ISA_INSN_BYTES)

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu cpu;  /* runs the guest */
	struct cpu phys; /* the loader: writes code and data physically, same core */
	struct vcpu_state v;
};

static void vcpu_reset(struct fx *f)
{
	memset(&f->v, 0, sizeof(f->v));
	f->v.pc = CODE;
	f->v.vbar = VBAR;
}

static struct fx *fx_new(void)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256];
	memset(f, 0, sizeof(*f));
	assert_int_equal(profile_load("models/platform/profiles/plain.ini", &cfg, err, sizeof(err)),
			 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->cpu, &f->sim, "vcpu", machine_bus(&f->m), WORLD_NS, 1);
	cpu_init(&f->phys, &f->sim, "loader", machine_bus(&f->m), WORLD_NS, 2);
	vcpu_reset(f);
	return f;
}

static void fx_free(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static int fx_setup(void **state)
{
	*state = fx_new();
	return 0;
}

static int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static void poke(struct fx *f, uint64_t pa, const void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_store(&f->phys, pa, buf, len, &fault, &c), 0);
}

static void peek(struct fx *f, uint64_t pa, void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->phys, pa, buf, len, &fault, &c), 0);
}

static void load(struct fx *f, uint64_t addr, const struct isa_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b[ISA_INSN_BYTES];
		isa_encode(&p[i], b);
		poke(f, addr + i * ISA_INSN_BYTES, b, ISA_INSN_BYTES);
	}
}

#define LOAD(f, addr, ...)                                                                  \
	load((f), (addr), (const struct isa_insn[]){ __VA_ARGS__ },                        \
	     sizeof((const struct isa_insn[]){ __VA_ARGS__ }) / sizeof(struct isa_insn))

static struct exec_stop_info run(struct fx *f, struct exec_params p, uint64_t *cycles)
{
	struct exec_stop_info st;
	*cycles = UINT64_MAX;
	assert_int_equal(cpu_exec(&f->cpu, &f->v, &p, &st, cycles), 0);
	return st;
}

/* Run from cycle `now`. The budget only turns a runaway guest (a broken
 * exception or branch looping forever) into a failed assertion on the stop
 * reason instead of a hung suite; no test comes near it. */
#define RUNAWAY 1000000
static struct exec_stop_info run_at(struct fx *f, uint64_t now, uint64_t *cycles)
{
	return run(f, (struct exec_params){ .now = now, .budget = RUNAWAY }, cycles);
}

static struct exec_stop_info run0(struct fx *f, uint64_t *cycles)
{
	return run_at(f, 0, cycles);
}

/* --- instructions --- */

static struct isa_insn insn(unsigned op, unsigned a, unsigned b, unsigned c, int32_t imm32,
			    uint64_t imm64)
{
	return (struct isa_insn){ (uint8_t)op, (uint8_t)a, (uint8_t)b, (uint8_t)c, imm32, imm64 };
}

static struct isa_insn i_nop(void) { return insn(ISA_NOP, 0, 0, 0, 0, 0); }
static struct isa_insn i_udf(void) { return insn(ISA_UDF, 0, 0, 0, 0, 0); }
static struct isa_insn i_smc(void) { return insn(ISA_SMC, 0, 0, 0, 0, 0); }
static struct isa_insn i_hvc(void) { return insn(ISA_HVC, 0, 0, 0, 0, 0); }
static struct isa_insn i_wfi(void) { return insn(ISA_WFI, 0, 0, 0, 0, 0); }
static struct isa_insn i_eret(void) { return insn(ISA_ERET, 0, 0, 0, 0, 0); }
static struct isa_insn i_movi(unsigned a, uint64_t imm) { return insn(ISA_MOVI, a, 0, 0, 0, imm); }
static struct isa_insn i_mov(unsigned a, unsigned b) { return insn(ISA_MOV, a, b, 0, 0, 0); }
static struct isa_insn i_addi(unsigned a, unsigned b, uint64_t imm)
{
	return insn(ISA_ADDI, a, b, 0, 0, imm);
}
static struct isa_insn i_add(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_ADD, a, b, c, 0, 0);
}
static struct isa_insn i_sub(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_SUB, a, b, c, 0, 0);
}
static struct isa_insn i_lslv(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_LSLV, a, b, c, 0, 0);
}
static struct isa_insn i_ld(unsigned a, unsigned b, unsigned size, int32_t off)
{
	return insn(ISA_LD, a, b, size, off, 0);
}
static struct isa_insn i_st(unsigned a, unsigned b, unsigned size, int32_t off)
{
	return insn(ISA_ST, a, b, size, off, 0);
}
static struct isa_insn i_b(uint64_t target) { return insn(ISA_B, 0, 0, 0, 0, target); }
static struct isa_insn i_bc(unsigned a, unsigned b, unsigned cond, uint64_t target)
{
	return insn(ISA_BC, a, b, cond, 0, target);
}
static struct isa_insn i_work(uint64_t n) { return insn(ISA_WORK, 0, 0, 0, 0, n); }
static struct isa_insn i_msr(unsigned sr, unsigned a)
{
	return insn(ISA_MSR, a, 0, 0, (int32_t)sr, 0);
}
static struct isa_insn i_mrs(unsigned a, unsigned sr)
{
	return insn(ISA_MRS, a, 0, 0, (int32_t)sr, 0);
}

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
	assert_int_equal(cyc, 14 * INSN + 2 * HIT);
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
	/* 15 instructions, 10 one-line accesses and one two-line access */
	assert_int_equal(cyc, 15 * INSN + 10 * HIT + 2 * HIT);
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

/* --- WFI --- */

/* WFI with nothing that could wake it stops with EXEC_WFI, pc past it. */
static void test_wfi_stops(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_wfi(), i_smc());
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_WFI);
	assert_int_equal(f->v.pc, AT(1));
	assert_int_equal(f->v.insns, 1);
	assert_int_equal(cyc, INSN);
}

/* A pending interrupt wakes WFI even with DAIF.I set (Arm ARM, WFI wake-up
 * events), and a WFI that would not wait is not trapped either (HCR_EL2.TWI
 * traps only a WFI that would wait); the interrupt stays pending, not taken. */
static void test_wfi_pending_masked(void **state)
{
	struct fx *f = *state;
	LOAD(f, CODE, i_wfi(), i_smc());
	for (unsigned trap = 0; trap < 2; trap++) {
		uint64_t cyc;
		vcpu_reset(f);
		f->v.daif = ISA_DAIF_I;
		f->v.lr[0] = vgic_lr_make(33, VGIC_LR_PENDING);
		struct exec_params p = { .budget = RUNAWAY, .trap_wfi = trap };
		struct exec_stop_info st = run(f, p, &cyc);
		assert_int_equal(st.why, EXEC_CALL);
		assert_int_equal(f->v.pc, AT(2));
		assert_int_equal(f->v.lr[0], vgic_lr_make(33, VGIC_LR_PENDING));
		assert_int_equal(f->v.insns, 2);
		assert_int_equal(cyc, 2 * INSN);
	}
}

/* WFI idles until an armed timer fires (EXEC_TIMER at exactly CVAL), or up
 * to the budget; trapped, masked, or with its interrupt already in a list
 * register, it stops at once. */
static void test_wfi_timer(void **state)
{
	struct fx *f = *state;
	const struct {
		uint64_t ctl, lr0, budget;
		bool trap;
		enum exec_stop why;
		uint64_t cycles;
	} cases[] = {
		{ CNTV_ENABLE, 0, 0, false, EXEC_TIMER, 500 },
		{ CNTV_ENABLE, 0, 0, true, EXEC_WFI, INSN },
		{ CNTV_ENABLE, 0, 100, false, EXEC_BUDGET, 100 },
		{ CNTV_ENABLE, 0, 1000, false, EXEC_TIMER, 500 },
		{ CNTV_ENABLE | CNTV_IMASK, 0, 0, false, EXEC_WFI, INSN },
		{ 0, 0, 0, false, EXEC_WFI, INSN },
		{ CNTV_ENABLE, vgic_lr_make(VGIC_INTID_VTIMER, VGIC_LR_ACTIVE), 0, false, EXEC_WFI,
		  INSN },
	};
	LOAD(f, CODE, i_wfi(), i_smc());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t cyc;
		vcpu_reset(f);
		f->v.cntv_ctl = cases[i].ctl;
		f->v.cntv_cval = 1500;
		f->v.lr[0] = cases[i].lr0;
		struct exec_params p = { .now = 1000, .budget = cases[i].budget,
					 .trap_wfi = cases[i].trap };
		struct exec_stop_info st = run(f, p, &cyc);
		assert_int_equal(st.why, cases[i].why);
		assert_int_equal(cyc, cases[i].cycles);
		assert_int_equal(f->v.pc, AT(1));
		assert_int_equal(f->v.insns, 1);
	}
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

/* --- budget and WORK --- */

/* The budget is checked at each instruction boundary: a stop comes at the
 * first boundary at or past it (at most one instruction over). */
static void test_budget(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_b(CODE));
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 50 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 50);
	assert_int_equal(f->v.insns, 10);
	assert_int_equal(f->v.pc, CODE);
	st = run(f, (struct exec_params){ .budget = 52 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 55);
	assert_int_equal(f->v.insns, 21);
}

/* WORK n spends exactly n cycles besides its fetch and issue; budget 0
 * means no limit. */
static void test_work(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(1000), i_smc());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 0 }, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(cyc, 2 * INSN + 1000);
	assert_int_equal(f->v.work_left, 0);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.insns, 2);
}

/* The budget interrupts WORK mid-way: pc stays on it with work_left the rest,
 * and the next run (refetching it) completes exactly that rest. */
static void test_work_budget_resume(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(1000), i_smc());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 300 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 300);
	assert_int_equal(f->v.work_left, 1000 - (300 - INSN));
	assert_int_equal(f->v.pc, CODE);
	assert_int_equal(f->v.insns, 0);
	st = run_at(f, 300, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(cyc, INSN + 1000 - (300 - INSN) + INSN);
	assert_int_equal(f->v.work_left, 0);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.insns, 2);
}

/* The virtual timer interrupts WORK at exactly CVAL. */
static void test_work_timer(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(1000), i_smc());
	f->v.cntv_ctl = CNTV_ENABLE;
	f->v.cntv_cval = 200;
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_TIMER);
	assert_int_equal(cyc, 200);
	assert_int_equal(f->v.work_left, 1000 - (200 - INSN));
	assert_int_equal(f->v.pc, CODE);
	f->v.cntv_ctl = 0;
	st = run_at(f, 200, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(cyc, INSN + 1000 - (200 - INSN) + INSN);
	assert_int_equal(f->v.work_left, 0);
}

/* An interrupt taken in an interrupted WORK saves the rest (saved_work) and
 * returns to the WORK with ELR at it; ERET restores the rest, which then
 * completes: the handler does not inherit or lose any of it. */
static void test_work_irq_resume(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(1000), i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ,
	     i_mrs(1, ISA_SR_IAR),
	     i_smc(),
	     i_msr(ISA_SR_EOIR, 1),
	     i_eret());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 300 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(f->v.work_left, 705);
	assert_int_equal(vcpu_lr_inject(&f->v, 40), 0);

	st = run_at(f, 300, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, IRQ_AT(2));
	assert_int_equal(f->v.elr, CODE);
	assert_int_equal(f->v.saved_work, 705);
	assert_int_equal(f->v.work_left, 0);
	assert_int_equal(f->v.x[1], 40);
	assert_int_equal(cyc, EXC + 2 * INSN);

	st = run_at(f, 400, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.work_left, 0);
	assert_int_equal(f->v.saved_work, 0);
	assert_int_equal(f->v.daif, 0);
	assert_int_equal(vgic_lr_state(f->v.lr[0]), VGIC_LR_INVALID);
	assert_int_equal(f->v.insns, 6);
	/* MSR EOIR, ERET, the rest of WORK (refetched), SMC */
	assert_int_equal(cyc, INSN + INSN + EXC + INSN + 705 + INSN);
}

/* When the fetch of a WORK already took the run past its budget, nothing
 * is computed (once, "budget - t" wrapped below zero and work_left grew):
 * the stop comes at the fetch's end with work_left intact, and the next
 * run spends exactly the 1000 cycles. */
static void test_work_budget_spent_by_fetch(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_work(1000), i_smc());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = INSN + 2 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(f->v.pc, AT(1));
	assert_int_equal(f->v.work_left, 1000);
	assert_int_equal(cyc, 2 * INSN);
	st = run_at(f, 2 * INSN, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(cyc, INSN + 1000 + INSN);
}

/* A guest-chosen WORK count near 2^64 is still bounded by the budget (a
 * "t + chunk > budget" test would overflow and let it complete at once). */
static void test_work_huge_count_budget(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(UINT64_MAX), i_smc());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 1000 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 1000);
	assert_int_equal(f->v.pc, CODE);
	assert_int_equal(f->v.work_left, UINT64_MAX - (1000 - INSN));
}

/* --- virtual interrupts (GICv3 list registers) --- */

/* A pending LR is taken at VBAR + 0x280 before the next instruction: ELR at
 * it, I masked, DAIF saved. ICC_IAR1 acknowledges the pending LRs in order
 * (each becomes active, its vINTID returned), then reads 1023 (spurious). */
static void test_irq_taken_and_acknowledged(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ,
	     i_mrs(1, ISA_SR_IAR),
	     i_mrs(2, ISA_SR_IAR),
	     i_mrs(3, ISA_SR_IAR),
	     i_mrs(4, ISA_SR_ELR),
	     i_mrs(5, ISA_SR_DAIF),
	     i_smc());
	f->v.lr[1] = vgic_lr_make(48, VGIC_LR_PENDING);
	f->v.lr[3] = vgic_lr_make(50, VGIC_LR_PENDING);
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[1], 48);
	assert_int_equal(f->v.x[2], 50);
	assert_int_equal(f->v.x[3], VGIC_INTID_SPURIOUS);
	assert_int_equal(f->v.x[4], CODE);
	assert_int_equal(f->v.x[5], ISA_DAIF_I);
	assert_int_equal(f->v.saved_daif, 0);
	assert_int_equal(f->v.lr[0], 0);
	assert_int_equal(f->v.lr[1], vgic_lr_make(48, VGIC_LR_ACTIVE));
	assert_int_equal(f->v.lr[2], 0);
	assert_int_equal(f->v.lr[3], vgic_lr_make(50, VGIC_LR_ACTIVE));
	assert_int_equal(f->v.pc, IRQ_AT(6));
	assert_int_equal(f->v.insns, 6);
	assert_int_equal(cyc, EXC + 6 * INSN);
}

/* ICC_EOIR1 deactivates only the active LR holding the INTID written; after
 * ERET the interrupt, no longer pending, is not taken again. */
static void test_irq_eoi_and_return(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ,
	     i_mrs(1, ISA_SR_IAR),
	     i_msr(ISA_SR_EOIR, 9), /* x9 = 49: not the active interrupt */
	     i_smc(),
	     i_msr(ISA_SR_EOIR, 1),
	     i_eret());
	f->v.x[9] = 49;
	f->v.lr[0] = vgic_lr_make(48, VGIC_LR_PENDING);
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[1], 48);
	assert_int_equal(f->v.lr[0], vgic_lr_make(48, VGIC_LR_ACTIVE));
	assert_int_equal(cyc, EXC + 3 * INSN);
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(vgic_lr_state(f->v.lr[0]), VGIC_LR_INVALID);
	assert_false(vcpu_lr_holds(&f->v, 48));
	assert_int_equal(f->v.daif, 0);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.insns, 7);
	assert_int_equal(cyc, INSN + (INSN + EXC) + 2 * INSN);
}

/* With DAIF.I set a pending LR is not taken; once the guest clears I, it is
 * taken at the very next boundary, ELR pointing past the MSR. */
static void test_irq_masked(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_smc(),
	     i_movi(1, 0), i_msr(ISA_SR_DAIF, 1), i_nop(), i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ, i_smc());
	f->v.daif = ISA_DAIF_I;
	f->v.elr = 0xe1e1;
	f->v.lr[2] = vgic_lr_make(40, VGIC_LR_PENDING);
	struct exec_stop_info st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.elr, 0xe1e1);
	assert_int_equal(f->v.lr[2], vgic_lr_make(40, VGIC_LR_PENDING));
	assert_int_equal(cyc, 2 * INSN);
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.elr, AT(4));
	assert_int_equal(f->v.saved_daif, 0);
	assert_int_equal(f->v.daif, ISA_DAIF_I);
	assert_int_equal(f->v.pc, IRQ_AT(1));
	assert_int_equal(f->v.lr[2], vgic_lr_make(40, VGIC_LR_PENDING));
	assert_int_equal(cyc, 2 * INSN + EXC + INSN);
}

/* The list-register helpers: inject fills free LRs and refuses when full;
 * holds sees pending and active LRs, not invalid ones. */
static void test_lr_helpers(void **state)
{
	struct fx *f = *state;
	f->v.lr[1] = vgic_lr_make(7, VGIC_LR_ACTIVE);
	f->v.lr[2] = 9; /* INTID 9, state invalid */
	assert_false(vcpu_lr_holds(&f->v, 9));
	assert_true(vcpu_lr_holds(&f->v, 7));
	assert_int_equal(vcpu_lr_inject(&f->v, 20), 0);
	assert_int_equal(vcpu_lr_inject(&f->v, 21), 0);
	assert_int_equal(vcpu_lr_inject(&f->v, 22), 0);
	assert_int_equal(vcpu_lr_inject(&f->v, 23), -ENOSPC);
	assert_int_equal(f->v.lr[0], vgic_lr_make(20, VGIC_LR_PENDING));
	assert_int_equal(f->v.lr[2], vgic_lr_make(21, VGIC_LR_PENDING));
	assert_int_equal(f->v.lr[3], vgic_lr_make(22, VGIC_LR_PENDING));
	assert_true(vcpu_lr_holds(&f->v, 21));
	assert_false(vcpu_lr_holds(&f->v, 23));
}

/* --- virtual timer --- */

/* An enabled, unmasked timer stops the run at the first boundary at or past
 * CVAL (CNTVCT >= CVAL), whatever DAIF says; masked or disabled it does not. */
static void test_vtimer_fires(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint64_t ctl, cval;
		enum exec_stop why;
		uint64_t insns, cycles;
	} cases[] = {
		{ CNTV_ENABLE, 10012, EXEC_TIMER, 3, 3 * INSN },
		{ CNTV_ENABLE, 10015, EXEC_TIMER, 3, 3 * INSN },
		{ CNTV_ENABLE, 10016, EXEC_TIMER, 4, 4 * INSN },
		{ CNTV_ENABLE, 9000, EXEC_TIMER, 0, 0 },
		{ CNTV_ENABLE | CNTV_IMASK, 10012, EXEC_CALL, 5, 5 * INSN },
		{ 0, 10012, EXEC_CALL, 5, 5 * INSN },
	};
	LOAD(f, CODE, i_nop(), i_nop(), i_nop(), i_nop(), i_smc());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t cyc;
		vcpu_reset(f);
		f->v.daif = ISA_DAIF_I;
		f->v.cntv_ctl = cases[i].ctl;
		f->v.cntv_cval = cases[i].cval;
		struct exec_stop_info st = run_at(f, 10000, &cyc);
		assert_int_equal(st.why, cases[i].why);
		assert_int_equal(f->v.insns, cases[i].insns);
		assert_int_equal(cyc, cases[i].cycles);
		assert_int_equal(f->v.pc, cases[i].why == EXEC_TIMER ? AT(cases[i].insns) : AT(5));
	}
	vcpu_reset(f);
	f->v.cntv_ctl = CNTV_ENABLE;
	f->v.cntv_cval = 100;
	assert_false(vcpu_timer_asserted(&f->v, 99));
	assert_true(vcpu_timer_asserted(&f->v, 100));
	f->v.cntv_ctl = CNTV_ENABLE | CNTV_IMASK;
	assert_false(vcpu_timer_asserted(&f->v, 100));
	f->v.cntv_ctl = 0;
	assert_false(vcpu_timer_asserted(&f->v, 100));
}

/* Once the owner has put the timer's PPI 27 in a list register, the run no
 * longer stops for it: the guest takes it as a virtual interrupt, masks the
 * timer (IMASK) and ends it. */
static void test_vtimer_delivered(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ,
	     i_mrs(1, ISA_SR_IAR),
	     i_movi(2, CNTV_ENABLE | CNTV_IMASK),
	     i_msr(ISA_SR_CNTV_CTL, 2),
	     i_msr(ISA_SR_EOIR, 1),
	     i_eret());
	f->v.cntv_ctl = CNTV_ENABLE;
	f->v.cntv_cval = 10000;
	struct exec_stop_info st = run_at(f, 10000, &cyc);
	assert_int_equal(st.why, EXEC_TIMER);
	assert_int_equal(cyc, 0);
	assert_int_equal(vcpu_lr_inject(&f->v, VGIC_INTID_VTIMER), 0);
	st = run_at(f, 10100, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[1], VGIC_INTID_VTIMER);
	assert_int_equal(f->v.cntv_ctl, CNTV_ENABLE | CNTV_IMASK);
	assert_false(vcpu_lr_holds(&f->v, VGIC_INTID_VTIMER));
	assert_int_equal(f->v.pc, AT(2));
	assert_int_equal(f->v.daif, 0);
	assert_int_equal(cyc, EXC + 4 * INSN + (INSN + EXC) + 2 * INSN);
}

/* MRS / MSR: CNTVCT is the start cycle plus the cycles spent up to the MRS;
 * CNTV_CTL.ISTATUS is read-only and reports CNTVCT >= CVAL; VBAR drops its
 * low 11 bits, DAIF keeps only I; ESR, FAR and unknown registers ignore
 * writes, and unknown or write-only registers read as zero. */
static void test_sysregs(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	f->v.esr = 0x77;
	f->v.far = 0x88;
	f->v.x[13] = 0x1313;
	f->v.x[14] = 0x1414;
	LOAD(f, CODE,
	     i_mrs(1, ISA_SR_CNTVCT),            /* 0 */
	     i_movi(2, 7),
	     i_msr(ISA_SR_CNTV_CTL, 2),          /* ENABLE | IMASK; ISTATUS dropped */
	     i_movi(3, 6000),
	     i_msr(ISA_SR_CNTV_CVAL, 3),
	     i_mrs(4, ISA_SR_CNTV_CTL),          /* 5: CVAL not reached */
	     i_movi(5, 5000),
	     i_msr(ISA_SR_CNTV_CVAL, 5),
	     i_mrs(6, ISA_SR_CNTV_CTL),          /* CVAL reached */
	     i_mrs(7, ISA_SR_CNTV_CVAL),
	     i_movi(8, VBAR + 0x7ff),            /* 10 */
	     i_msr(ISA_SR_VBAR, 8),
	     i_mrs(9, ISA_SR_VBAR),
	     i_movi(10, 0xffff),
	     i_msr(ISA_SR_DAIF, 10),
	     i_mrs(11, ISA_SR_DAIF),             /* 15 */
	     i_msr(ISA_SR_ESR, 10),
	     i_msr(ISA_SR_FAR, 10),
	     i_msr(99, 10),
	     i_mrs(12, ISA_SR_ESR),
	     i_mrs(13, 99),                      /* 20 */
	     i_mrs(14, ISA_SR_EOIR),
	     i_mrs(15, ISA_SR_FAR),
	     i_movi(16, 0x1234),
	     i_msr(ISA_SR_ELR, 16),
	     i_mrs(17, ISA_SR_ELR),              /* 25 */
	     i_mrs(18, ISA_SR_CNTVCT),
	     i_smc());
	struct exec_stop_info st = run_at(f, 5000, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.x[1], 5000 + 1 * INSN);
	assert_int_equal(f->v.x[4], CNTV_ENABLE | CNTV_IMASK);
	assert_int_equal(f->v.x[6], CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS);
	assert_int_equal(f->v.cntv_ctl, CNTV_ENABLE | CNTV_IMASK);
	assert_int_equal(f->v.x[7], 5000);
	assert_int_equal(f->v.x[9], VBAR);
	assert_int_equal(f->v.vbar, VBAR);
	assert_int_equal(f->v.x[11], ISA_DAIF_I);
	assert_int_equal(f->v.x[12], 0x77);
	assert_int_equal(f->v.x[13], 0);
	assert_int_equal(f->v.x[14], 0);
	assert_int_equal(f->v.x[15], 0x88);
	assert_int_equal(f->v.x[17], 0x1234);
	assert_int_equal(f->v.x[18], 5000 + 27 * INSN);
	assert_int_equal(cyc, 28 * INSN);
}

/* --- retirement and determinism --- */

/* insns counts retired instructions: a WORK split over two runs once, WFI,
 * SMC, HVC and ERET each once; UDF, aborted accesses and interrupt entry
 * not at all. */
static void test_insns_retired(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_work(100), i_hvc(), i_wfi(), i_udf());
	LOAD(f, VBAR + ISA_VEC_SYNC, i_movi(1, BEYOND), i_ld(2, 1, 8, 0));
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 50 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(f->v.insns, 0);
	assert_int_equal(f->v.work_left, 55);
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.insns, 2);
	assert_int_equal(cyc, INSN + 55 + INSN);
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_WFI);
	assert_int_equal(f->v.insns, 3);
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_ABORT);
	assert_int_equal(f->v.elr, AT(3));
	assert_int_equal(f->v.pc, SYNC_AT(1));
	assert_int_equal(f->v.insns, 4); /* UDF no, MOVI yes, the faulting LD no */
	assert_int_equal(cyc, INSN + EXC + 2 * INSN);
}

/* The program the determinism test runs: a loop of stores and loads that
 * miss the caches, WORK, the timer and an interrupt, in budget slices. */
static void determinism_load(struct fx *f)
{
	LOAD(f, CODE,
	     i_movi(1, 0),
	     i_movi(2, DATA),
	     i_movi(3, 20),
	     i_addi(1, 1, 1), /* 3: loop */
	     i_st(1, 2, 8, 0),
	     i_ld(4, 2, 8, 0),
	     i_add(5, 5, 4),
	     i_addi(2, 2, 72), /* a new line each time */
	     i_bc(1, 3, ISA_LTU, AT(3)),
	     i_work(333),
	     i_mrs(6, ISA_SR_CNTVCT),
	     i_smc());
	LOAD(f, VBAR + ISA_VEC_IRQ,
	     i_mrs(7, ISA_SR_IAR),
	     i_msr(ISA_SR_EOIR, 7),
	     i_eret());
	f->v.lr[0] = vgic_lr_make(44, VGIC_LR_PENDING);
	f->v.cntv_ctl = CNTV_ENABLE;
	f->v.cntv_cval = 1400;
}

#define DET_MAX 256
#define DET_SLICE 397

struct det_log {
	unsigned n;
	enum exec_stop why[DET_MAX];
	uint64_t cycles[DET_MAX], pc[DET_MAX];
	uint64_t now;
};

/* One slice; on a timer stop the "owner" masks the timer. True when done. */
static bool determinism_step(struct fx *f, struct det_log *l)
{
	uint64_t cyc;
	struct exec_params p = { .now = l->now, .budget = DET_SLICE };
	struct exec_stop_info st = run(f, p, &cyc);
	assert_true(l->n < DET_MAX);
	l->why[l->n] = st.why;
	l->cycles[l->n] = cyc;
	l->pc[l->n] = f->v.pc;
	l->n++;
	l->now += cyc;
	if (st.why == EXEC_TIMER)
		f->v.cntv_ctl |= CNTV_IMASK;
	return st.why == EXEC_CALL;
}

/* The same program from the same state on two machines in one process, run
 * slice by slice interleaved, stops at the same points with the same cycles
 * and ends in the identical vCPU state. */
static void test_determinism(void **state)
{
	(void)state;
	struct fx *a = fx_new(), *b = fx_new();
	struct det_log la = { 0 }, lb = { 0 };
	determinism_load(a);
	determinism_load(b);
	bool done_a = false, done_b = false;
	while (!done_a || !done_b) {
		if (!done_a)
			done_a = determinism_step(a, &la);
		if (!done_b)
			done_b = determinism_step(b, &lb);
	}
	assert_int_equal(a->v.x[1], 20);
	assert_int_equal(a->v.x[5], 20 * 21 / 2);
	assert_int_equal(a->v.x[7], 44);
	assert_int_equal(a->v.pc, AT(12));
	assert_int_equal(la.n, lb.n);
	assert_true(la.n > 3); /* several slices, not one run */
	bool saw_timer = false;
	for (unsigned i = 0; i < la.n; i++) {
		assert_int_equal(la.why[i], lb.why[i]);
		assert_int_equal(la.cycles[i], lb.cycles[i]);
		assert_int_equal(la.pc[i], lb.pc[i]);
		saw_timer |= la.why[i] == EXEC_TIMER;
	}
	assert_true(saw_timer);
	assert_int_equal(la.now, lb.now);
	assert_memory_equal(&a->v, &b->v, sizeof(a->v));
	assert_int_equal(a->cpu.cycles, b->cpu.cycles);
	assert_int_equal(a->cpu.stat_loads, b->cpu.stat_loads);
	fx_free(a);
	fx_free(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

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
		T(test_wfi_stops),
		T(test_wfi_pending_masked),
		T(test_wfi_timer),
		T(test_fetch_abort),
		T(test_data_abort_load),
		T(test_data_abort_store),
		T(test_malformed_access),
		T(test_budget),
		T(test_work),
		T(test_work_budget_resume),
		T(test_work_timer),
		T(test_work_irq_resume),
		T(test_work_budget_spent_by_fetch),
		T(test_work_huge_count_budget),
		T(test_irq_taken_and_acknowledged),
		T(test_irq_eoi_and_return),
		T(test_irq_masked),
		T(test_lr_helpers),
		T(test_vtimer_fires),
		T(test_vtimer_delivered),
		T(test_sysregs),
		T(test_insns_retired),
		cmocka_unit_test(test_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
