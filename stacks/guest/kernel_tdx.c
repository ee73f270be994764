/* The guest kernel's Intel TD paths (see kernel.h): boot, #VE handling,
 * the timer through the host-emulated TSC deadline, hypercalls and the
 * TDREPORT, following Linux's TDX guest (arch/x86/coco/tdx/tdx.c,
 * arch/x86/mm/unaccepted_memory.c) over the TDCALL ABI (Intel TDX Module
 * v1.5 ABI Specification) and the GHCI's TDG.VP.VMCALLs. The TD runs with
 * paging off (GPA = VA): a GPA with GPA.SHARED set is shared memory. */
#include <string.h>

#include "models/cpu/exec.h"
#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "sim/buf.h"
#include "stacks/guest/gasm.h"

#define TD_CALL_SAVE (GUEST_KDATA + GUEST_KDATA_TD_CALL_SAVE)
#define TD_IRQ_SAVE (GUEST_KDATA + GUEST_KDATA_TD_IRQ_SAVE)
#define MSR_IA32_TSC_DEADLINE 0x6e0u
/* Linux's GetQuote buffer: two pages (tdx-guest GET_QUOTE_BUF_SIZE) */
#define TD_QUOTE_BUF_SIZE 0x2000u

/* TDG.VP.VMCALL: x10 (R10) = 0 for the GHCI's functions, x11 = the
 * function, x12..x15 as set by the caller. */
static void vmcall(struct gasm *g, uint64_t fn)
{
	movi(g, 10, 0);
	movi(g, 11, fn);
	movi(g, 1, TD_VMCALL_EXPOSE);
	movi(g, 0, TDG_VP_VMCALL);
	tdcall(g);
}

void td_hypercall(struct gasm *g)
{
	movi(g, R_X30, TD_CALL_SAVE);
	for (unsigned r = 11; r <= 15; r++)
		st(g, r, R_X30, (int32_t)(8 * (r - 11)), 8);
	for (unsigned i = 4; i >= 1; i--) /* R11..R14 = X1..X4 */
		emit(g, ISA_MOV, 10 + i, i, 0, 0, 0);
	emit(g, ISA_MOV, 10, 0, 0, 0, 0);
	movi(g, 15, 0);
	movi(g, 1, TD_VMCALL_EXPOSE);
	movi(g, 0, TDG_VP_VMCALL);
	tdcall(g);
	for (unsigned i = 0; i < 4; i++)
		emit(g, ISA_MOV, i, 10 + i, 0, 0, 0);
	movi(g, R_X30, TD_CALL_SAVE);
	for (unsigned r = 11; r <= 15; r++)
		ld(g, r, R_X30, (int32_t)(8 * (r - 11)), 8);
}

/* TDG.VP.VMCALL<Instruction.WRMSR>(IA32_TSC_DEADLINE, x13): the host
 * emulates the TD's local APIC timer (KVM: tdx_has_emulated_msr). */
static void write_deadline(struct gasm *g)
{
	movi(g, 12, MSR_IA32_TSC_DEADLINE);
	vmcall(g, TDX_EXIT_WRMSR);
}

void td_boot(struct gasm *g, const struct guest_kernel_config *cfg)
{
	movi(g, R_VC, GUEST_KDATA + GUEST_KDATA_VC_SAVE);
	/* TDG.VP.INFO: the GPA width; GPA.SHARED = 1 << (GPAW - 1) (Linux
	 * tdx_parse_tdinfo) */
	movi(g, 0, TDG_VP_INFO);
	tdcall(g);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);
	emit(g, ISA_ANDI, 3, 1, 0, 0, 0x3f);
	emit(g, ISA_ADDI, 3, 3, 0, 0, (uint64_t)-1);
	movi(g, 4, 1);
	emit(g, ISA_LSLV, R_SH, 4, 3, 0, 0);
	/* the kernel's pages are accepted before anything can #VE (its handler
	 * saves registers there): TDG.MEM.PAGE.ACCEPT page by page, each an
	 * EPT violation the host answers with TDH.MEM.PAGE.AUG first */
	movi(g, R_T0, GUEST_KDATA);
	movi(g, R_T1, GUEST_FREE);
	uint64_t loop = here(g);
	movi(g, 0, TDG_MEM_PAGE_ACCEPT);
	emit(g, ISA_MOV, 1, R_T0, 0, 0, 0);
	tdcall(g);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);
	emit(g, ISA_ADDI, R_T0, R_T0, 0, 0, 0x1000);
	emit(g, ISA_BC, R_T0, R_T1, ISA_LTU, 0, loop);
	/* the bounce buffer becomes shared (set_memory_decrypted ->
	 * tdx_enc_status_changed: MapGPA with the shared bit; the host takes
	 * the private pages away) */
	movi(g, 12, GUEST_BOUNCE);
	emit(g, ISA_ADD, 12, 12, R_SH, 0, 0);
	movi(g, 13, GUEST_BOUNCE_SIZE);
	movi(g, 14, 0);
	movi(g, 15, 0);
	vmcall(g, TDVMCALL_MAP_GPA);
	b_panic_if(g, 10, ISA_XZR, ISA_NE);
	if (cfg->tick) {
		emit(g, ISA_MRS, 13, 0, 0, ISA_SR_CNTVCT, 0);
		emit(g, ISA_ADDI, 13, 13, 0, 0, cfg->tick);
		movi(g, 2, GUEST_KDATA);
		st(g, 13, 2, GUEST_KDATA_TD_DEADLINE, 8);
		write_deadline(g);
	}
}

void td_timer_rearm(struct gasm *g, uint64_t tick)
{
	/* R_IRQ_B holds GUEST_KDATA */
	static const unsigned saved[] = { 0, 1, 10, 11, 12, 13, 14, 15 };
	for (unsigned i = 0; i < G_N_ELEMENTS(saved); i++)
		st(g, saved[i], R_IRQ_B, (int32_t)(GUEST_KDATA_TD_IRQ_SAVE + 8 * i), 8);
	ld(g, 13, R_IRQ_B, GUEST_KDATA_TD_DEADLINE, 8);
	emit(g, ISA_ADDI, 13, 13, 0, 0, tick ? tick : 1);
	st(g, 13, R_IRQ_B, GUEST_KDATA_TD_DEADLINE, 8);
	write_deadline(g);
	movi(g, R_IRQ_B, GUEST_KDATA);
	for (unsigned i = 0; i < G_N_ELEMENTS(saved); i++)
		ld(g, saved[i], R_IRQ_B, (int32_t)(GUEST_KDATA_TD_IRQ_SAVE + 8 * i), 8);
}

/* The instruction at ELR: x7 = its low word (op, a, b, c, imm32), x8 =
 * &saved[a], x6 = its opcode, x5 = c (the access size). */
static void decode_at_elr(struct gasm *g)
{
	emit(g, ISA_MRS, 6, 0, 0, ISA_SR_ELR, 0);
	ld(g, 7, 6, 0, 8);
	emit(g, ISA_LSRI, 8, 7, 0, 0, 8);
	emit(g, ISA_ANDI, 8, 8, 0, 0, 0xff);
	movi(g, 3, 3);
	emit(g, ISA_LSLV, 8, 8, 3, 0, 0);
	emit(g, ISA_ADD, 8, R_VC, 8, 0, 0);
	emit(g, ISA_LSRI, 5, 7, 0, 0, 24);
	emit(g, ISA_ANDI, 5, 5, 0, 0, 0xff);
	emit(g, ISA_ANDI, 6, 7, 0, 0, 0xff);
}

/* A port or MMIO access decoded from the instruction at ELR, asked of the
 * host (GHCI Instruction.IO, #VE.RequestMMIO): R12 the size, R13 the
 * direction (1: `write_op`, a store), R14 the port (imm32) or the GPA
 * (x9), R15 the value stored; a load's value from R11 into its register. */
static void access_vmcall(struct gasm *g, unsigned write_op, bool port, uint64_t fn)
{
	decode_at_elr(g);
	emit(g, ISA_MOV, 12, 5, 0, 0, 0);
	movi(g, 13, 0);
	movi(g, 3, write_op);
	size_t rd = emit(g, ISA_BC, 6, 3, ISA_NE, 0, 0);
	movi(g, 13, 1);
	patch_target(g, rd, here(g));
	if (port)
		emit(g, ISA_LSRI, 14, 7, 0, 0, 32);
	else
		emit(g, ISA_MOV, 14, 9, 0, 0, 0);
	ld(g, 15, 8, 0, 8);
	vmcall(g, fn);
	b_panic_if(g, 10, ISA_XZR, ISA_NE);
	size_t wr = emit(g, ISA_BC, 13, ISA_XZR, ISA_NE, 0, 0);
	st(g, 11, 8, 0, 8);
	patch_target(g, wr, here(g));
}

/* The #VE handler (Linux tdx_handle_virt_exception): registers saved,
 * TDG.VP.VEINFO.GET, then by exit reason:
 *   HLT: TDG.VP.VMCALL<Instruction.HLT> (R12 = 0: interrupts enabled),
 *        back to the instruction after it;
 *   CPUID, RDMSR, WRMSR: the matching TDG.VP.VMCALL with the saved
 *        registers, the results into them, past the instruction;
 *   I/O: port, size, register and direction decoded from the instruction,
 *        TDG.VP.VMCALL<Instruction.IO>;
 *   EPT violation at a shared GPA: MMIO, decoded the same way (a load or a
 *        store), TDG.VP.VMCALL<#VE.RequestMMIO>; at a private GPA: a page
 *        the host added but the TD has not accepted yet, accepted now
 *        with TDG.MEM.PAGE.ACCEPT and the access retried (lazy accept).
 * Anything else is fatal. */
void td_ve_handler(struct gasm *g, size_t to_panic[2])
{
	to_panic[0] = handler_entry(g, ESR_EC_VE);
	movi(g, 0, TDG_VP_VEINFO_GET);
	tdcall(g);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);
	static const uint64_t reasons[] = { TDX_EXIT_HLT, TDX_EXIT_CPUID, TDX_EXIT_RDMSR,
					    TDX_EXIT_WRMSR, TDX_EXIT_IO, TDX_EXIT_EPT_VIOLATION };
	size_t to[G_N_ELEMENTS(reasons)], past[8], back[4];
	unsigned np = 0, nb = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(reasons); i++) {
		movi(g, R_X29, reasons[i]);
		to[i] = emit(g, ISA_BC, 1, R_X29, ISA_EQ, 0, 0);
	}
	to_panic[1] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* HLT: ELR is already past it */
	patch_target(g, to[0], here(g));
	movi(g, 12, 0);
	vmcall(g, TDX_EXIT_HLT);
	back[nb++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* CPUID: leaf x0, subleaf x2 -> x0..x3 */
	patch_target(g, to[1], here(g));
	ld(g, 12, R_VC, 0, 8);
	ld(g, 13, R_VC, 16, 8);
	vmcall(g, TDX_EXIT_CPUID);
	for (unsigned r = 0; r < 4; r++)
		st(g, 12 + r, R_VC, (int32_t)(8 * r), 8);
	past[np++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* RDMSR: MSR x1 -> x0 */
	patch_target(g, to[2], here(g));
	ld(g, 12, R_VC, 8, 8);
	vmcall(g, TDX_EXIT_RDMSR);
	st(g, 11, R_VC, 0, 8);
	past[np++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* WRMSR: MSR x1 = x0 */
	patch_target(g, to[3], here(g));
	ld(g, 12, R_VC, 8, 8);
	ld(g, 13, R_VC, 0, 8);
	vmcall(g, TDX_EXIT_WRMSR);
	past[np++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* I/O: the port in the instruction's imm32 */
	patch_target(g, to[4], here(g));
	access_vmcall(g, ISA_OUT, true, TDX_EXIT_IO);
	past[np++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* EPT violation: the GPA in x9 (R9); at a shared GPA, MMIO */
	patch_target(g, to[5], here(g));
	size_t private = emit(g, ISA_BC, 9, R_SH, ISA_LTU, 0, 0);
	access_vmcall(g, ISA_ST, false, TDVMCALL_MMIO);
	past[np++] = emit(g, ISA_B, 0, 0, 0, 0, 0);
	/* a private page not accepted yet (Linux accepts memory before use,
	 * arch/x86/mm/unaccepted_memory.c; here on first touch) */
	patch_target(g, private, here(g));
	movi(g, 0, TDG_MEM_PAGE_ACCEPT);
	emit(g, ISA_ANDI, 1, 9, 0, 0, ~0xfffull);
	tdcall(g);
	back[nb++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* past the instruction, or back to where the #VE was taken */
	for (unsigned i = 0; i < np; i++)
		patch_target(g, past[i], here(g));
	emit(g, ISA_MRS, R_X30, 0, 0, ISA_SR_ELR, 0);
	emit(g, ISA_ADDI, R_X30, R_X30, 0, 0, ISA_INSN_BYTES);
	emit(g, ISA_MSR, R_X30, 0, 0, ISA_SR_ELR, 0);
	for (unsigned i = 0; i < nb; i++)
		patch_target(g, back[i], here(g));
	for (unsigned n = 0; n < R_X29; n++)
		ld(g, n, R_VC, (int32_t)(8 * n), 8);
	emit(g, ISA_ERET, 0, 0, 0, 0, 0);
}

void td_report(struct gasm *g, const uint8_t challenge[64])
{
	/* REPORTDATA (64-aligned, private) and the TDREPORT (1024-aligned) */
	movi(g, 2, GUEST_CONFIG);
	for (unsigned w = 0; w < 8; w++) {
		movi(g, 1, sim_le64_load(challenge + 8 * w));
		st(g, 1, 2, (int32_t)(8 * w), 8);
	}
	movi(g, 0, TDG_MR_REPORT);
	movi(g, 1, GUEST_TOKEN);
	movi(g, 8, 0);
	tdcall(g);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);
	/* GetQuote (GHCI 3.3) with the shared buffer as Linux's tdx-guest
	 * driver fills it (struct tdx_quote_buf): version 1, status 0, in_len
	 * the report's size, out_len 0, then the TDREPORT; the host's quoting
	 * service writes the quote, out_len and the status back */
	movi(g, 1, TDX_QBUF_CMD_VERSION);
	st(g, 1, R_BNC, TDX_QBUF_VERSION, 8);
	st(g, ISA_XZR, R_BNC, TDX_QBUF_STATUS, 8);
	movi(g, 1, TDREPORT_SIZE); /* in_len, out_len 0 */
	st(g, 1, R_BNC, TDX_QBUF_IN_LEN, 8);
	movi(g, R_T4, GUEST_TOKEN);
	emit(g, ISA_ADDI, R_T2, R_BNC, 0, 0, TDX_QBUF_DATA);
	movi(g, R_T1, TDREPORT_SIZE);
	copy8(g, R_T4, R_T2, R_T1);
	emit(g, ISA_MOV, 12, R_BNC, 0, 0, 0);
	movi(g, 13, TD_QUOTE_BUF_SIZE);
	vmcall(g, TDVMCALL_GET_QUOTE);
	b_panic_if(g, 10, ISA_XZR, ISA_NE);
}

void td_rtmr_extend(struct gasm *g, unsigned index, const uint8_t *data, size_t len)
{
	/* the extend data in private memory, 64-byte aligned (ABI
	 * "TDG.MR.RTMR.EXTEND": RCX its GPA, RDX the RTMR's index); the
	 * config page is free in a TD once it has booted */
	uint8_t d[TD_RTMR_EXTEND_MAX] = { 0 };
	memcpy(d, data, MIN(len, sizeof(d)));
	movi(g, 2, GUEST_CONFIG);
	for (unsigned w = 0; w < sizeof(d) / 8; w++) {
		movi(g, 1, sim_le64_load(d + 8 * w));
		st(g, 1, 2, (int32_t)(8 * w), 8);
	}
	movi(g, 0, TDG_MR_RTMR_EXTEND);
	movi(g, 1, GUEST_CONFIG);
	movi(g, 2, index);
	tdcall(g);
}

void td_tdcall_op(struct gasm *g, const struct guest_op *o, size_t index)
{
	static const unsigned in[] = { 1, 2, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const unsigned out[] = { 0, 1, 2, 8, 9, 10, 11, 12, 13 };
	G_STATIC_ASSERT(G_N_ELEMENTS(out) == GUEST_CALL_MAX_RESULTS);
	movi(g, R_X30, TD_CALL_SAVE);
	for (unsigned r = 11; r <= 15; r++)
		st(g, r, R_X30, (int32_t)(8 * (r - 11)), 8);
	for (unsigned i = 0; i < G_N_ELEMENTS(in); i++)
		movi(g, in[i], 8 * i < o->len ? sim_le64_load(o->data + 8 * i) : 0);
	movi(g, 0, o->a);
	tdcall(g);
	movi(g, R_T0, index);
	st(g, R_T0, R_DEV, GUEST_DEV_RESULT_OP, 8);
	for (unsigned i = 0; i < G_N_ELEMENTS(out); i++)
		st(g, out[i], R_DEV, GUEST_DEV_RESULT, 8);
	movi(g, R_X30, TD_CALL_SAVE);
	for (unsigned r = 11; r <= 15; r++)
		ld(g, r, R_X30, (int32_t)(8 * (r - 11)), 8);
}
