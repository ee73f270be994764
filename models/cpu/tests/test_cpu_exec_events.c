/* The guest executor cpu_exec (models/cpu/exec.c) on the plain machine: the
 * stops that depend on time and events: WFI, the cycle budget and the
 * interruptible WORK, virtual interrupts through the list registers (GICv3
 * IHI 0069, ICH_LR<n>_EL2 vINTID / State, ICC_IAR1_EL1, ICC_EOIR1_EL1), the
 * virtual timer (Arm ARM Generic Timer, CNTV_CTL_EL0 ENABLE / IMASK /
 * ISTATUS, CNTV_CVAL_EL0), instructions retired and determinism, with exact
 * pcs and cycle counts. */
#include "models/cpu/tests/exec_fixture.h"

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

/* --- budget and WORK --- */

/* The budget is checked at each instruction boundary: a stop comes at the
 * first boundary at or past it; a WORK in the way is cut at it (below). */
static void test_budget(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_b(CODE));
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = 50 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 50);
	assert_int_equal(f->v.insns, 50 / INSN);
	assert_int_equal(f->v.pc, CODE);
	st = run(f, (struct exec_params){ .budget = 52 }, &cyc);
	assert_int_equal(st.why, EXEC_BUDGET);
	assert_int_equal(cyc, 52);
	assert_int_equal(f->v.insns, (50 + 52) / INSN);
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
	assert_int_equal(f->v.work_left, 1000 - (300 - INSN));
	assert_int_equal(vcpu_lr_inject(&f->v, 40), 0);

	st = run_at(f, 300, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.pc, IRQ_AT(2));
	assert_int_equal(f->v.elr, CODE);
	assert_int_equal(f->v.saved_work, 1000 - (300 - INSN));
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
	assert_int_equal(cyc, INSN + INSN + EXC + INSN + 1000 - (300 - INSN) + INSN);
}

/* When a WORK's issue already takes the run to its budget, nothing is
 * computed (once, "budget - t" wrapped below zero and work_left grew):
 * the stop comes at the end with work_left intact, and the next
 * run spends exactly the 1000 cycles. */
static void test_work_budget_spent_by_fetch(void **state)
{
	struct fx *f = *state;
	uint64_t cyc;
	LOAD(f, CODE, i_nop(), i_work(1000), i_smc());
	struct exec_stop_info st = run(f, (struct exec_params){ .budget = INSN + 1 }, &cyc);
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
		{ CNTV_ENABLE, 10000 + 3 * INSN, EXEC_TIMER, 3, 3 * INSN },
		{ CNTV_ENABLE, 10000 + 4 * INSN, EXEC_TIMER, 4, 4 * INSN },
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
	assert_int_equal(f->v.work_left, 100 - (50 - INSN));
	st = run0(f, &cyc);
	assert_int_equal(st.why, EXEC_CALL);
	assert_int_equal(f->v.insns, 2);
	assert_int_equal(cyc, INSN + 100 - (50 - INSN) + INSN);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_wfi_stops),
		T(test_wfi_pending_masked),
		T(test_wfi_timer),
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
