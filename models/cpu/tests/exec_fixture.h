/* The guest executor's test fixture, shared by test_cpu_exec.c (the
 * instructions, calls, synchronous exceptions and aborts) and
 * test_cpu_exec_events.c (WFI, budget and WORK, virtual interrupts, the
 * virtual timer, retirement and determinism): a plain machine whose loader
 * writes guest code and data physically on the same core, and builders for
 * each instruction of models/cpu/isa.h. */
#ifndef CCSIM_MODELS_CPU_TESTS_EXEC_FIXTURE_H
#define CCSIM_MODELS_CPU_TESTS_EXEC_FIXTURE_H

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

/* the unit-test machine (3 GHz): every code and data line the loader wrote is in the core's
 * L1 (write-allocate), so a fetch or a one-line access costs an L1 hit.
 * The vCPU runs on a scalar in-order core (IN_ORDER below): one instruction
 * in flight, fetches the L1 serves hidden by the pipeline, so an
 * instruction costs its issue and a load waits for its data; a store
 * retires at once while the store buffer writes it. test_cpu_exec_ooo.c
 * times the out-of-order core. */
#define HIT 4
#define ISSUE 1             /* exec.c ISSUE_CYCLES */
#define INSN ISSUE          /* an instruction without data access (its fetch hidden) */
#define LDHIT HIT           /* a load the L1 serves */
#define EXC 20              /* exec.c EXC_CYCLES: exception entry, or ERET */
#define IN_ORDER ((struct cpu_core){ .rob = 1, .width = 1, .sb = 1, .fetch_hidden = HIT })

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

static inline void vcpu_reset(struct fx *f)
{
	memset(&f->v, 0, sizeof(f->v));
	f->v.pc = CODE;
	f->v.vbar = VBAR;
}

static inline struct fx *fx_new(void)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256];
	memset(f, 0, sizeof(*f));
	assert_int_equal(profile_load("models/platform/tests/profiles/unit.ini", &cfg, err, sizeof(err)),
			 0);
	sim_init(&f->sim, 1, cfg.freq_mhz * 1000000ull);
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	cpu_init(&f->cpu, &f->sim, "vcpu", machine_bus(&f->m), WORLD_NS, 1);
	f->cpu.core_cfg = IN_ORDER;
	cpu_init(&f->phys, &f->sim, "loader", machine_bus(&f->m), WORLD_NS, 2);
	vcpu_reset(f);
	return f;
}

static inline void fx_free(struct fx *f)
{
	sim_fini(&f->sim);
	test_free(f);
}

static inline int fx_setup(void **state)
{
	*state = fx_new();
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static inline void poke(struct fx *f, uint64_t pa, const void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_store(&f->phys, pa, buf, len, &fault, &c), 0);
}

static inline void peek(struct fx *f, uint64_t pa, void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	assert_int_equal(cpu_load(&f->phys, pa, buf, len, &fault, &c), 0);
}

static inline void load(struct fx *f, uint64_t addr, const struct isa_insn *p, size_t n)
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

/* Run as an event at cycle p.now of an idle machine: what the loader set
 * up is in the caches, with nothing of it still in flight. */
static inline struct exec_stop_info run(struct fx *f, struct exec_params p, uint64_t *cycles)
{
	struct exec_stop_info st;
	*cycles = UINT64_MAX;
	machine_quiesce(&f->m);
	f->sim.now = f->sim.local = p.now;
	assert_int_equal(cpu_exec(&f->cpu, &f->v, &p, &st, cycles), 0);
	return st;
}

/* Run from cycle `now`. The budget only turns a runaway guest (a broken
 * exception or branch looping forever) into a failed assertion on the stop
 * reason instead of a hung suite; no test comes near it. */
#define RUNAWAY 1000000
static inline struct exec_stop_info run_at(struct fx *f, uint64_t now, uint64_t *cycles)
{
	return run(f, (struct exec_params){ .now = now, .budget = RUNAWAY }, cycles);
}

static inline struct exec_stop_info run0(struct fx *f, uint64_t *cycles)
{
	return run_at(f, 0, cycles);
}

/* --- instructions --- */

static inline struct isa_insn insn(unsigned op, unsigned a, unsigned b, unsigned c, int32_t imm32,
			    uint64_t imm64)
{
	return (struct isa_insn){ (uint8_t)op, (uint8_t)a, (uint8_t)b, (uint8_t)c, imm32, imm64 };
}

static inline struct isa_insn i_nop(void) { return insn(ISA_NOP, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_udf(void) { return insn(ISA_UDF, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_smc(void) { return insn(ISA_SMC, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_hvc(void) { return insn(ISA_HVC, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_wfi(void) { return insn(ISA_WFI, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_eret(void) { return insn(ISA_ERET, 0, 0, 0, 0, 0); }
static inline struct isa_insn i_movi(unsigned a, uint64_t imm) { return insn(ISA_MOVI, a, 0, 0, 0, imm); }
static inline struct isa_insn i_mov(unsigned a, unsigned b) { return insn(ISA_MOV, a, b, 0, 0, 0); }
static inline struct isa_insn i_addi(unsigned a, unsigned b, uint64_t imm)
{
	return insn(ISA_ADDI, a, b, 0, 0, imm);
}
static inline struct isa_insn i_add(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_ADD, a, b, c, 0, 0);
}
static inline struct isa_insn i_sub(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_SUB, a, b, c, 0, 0);
}
static inline struct isa_insn i_lslv(unsigned a, unsigned b, unsigned c)
{
	return insn(ISA_LSLV, a, b, c, 0, 0);
}
static inline struct isa_insn i_ld(unsigned a, unsigned b, unsigned size, int32_t off)
{
	return insn(ISA_LD, a, b, size, off, 0);
}
static inline struct isa_insn i_st(unsigned a, unsigned b, unsigned size, int32_t off)
{
	return insn(ISA_ST, a, b, size, off, 0);
}
static inline struct isa_insn i_b(uint64_t target) { return insn(ISA_B, 0, 0, 0, 0, target); }
static inline struct isa_insn i_bc(unsigned a, unsigned b, unsigned cond, uint64_t target)
{
	return insn(ISA_BC, a, b, cond, 0, target);
}
static inline struct isa_insn i_work(uint64_t n) { return insn(ISA_WORK, 0, 0, 0, 0, n); }
static inline struct isa_insn i_msr(unsigned sr, unsigned a)
{
	return insn(ISA_MSR, a, 0, 0, (int32_t)sr, 0);
}
static inline struct isa_insn i_mrs(unsigned a, unsigned sr)
{
	return insn(ISA_MRS, a, 0, 0, (int32_t)sr, 0);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

#endif
