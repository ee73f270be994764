/* The guest kernel's assembler: the image is built instruction by
 * instruction (models/cpu/isa.h) into a byte array, with the register
 * conventions of kernel.h. Shared by the kernel (kernel.c) and its
 * workloads (workload.c). */
#ifndef CCSIM_STACKS_GUEST_GASM_H
#define CCSIM_STACKS_GUEST_GASM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/cpu/exec.h"
#include "models/cpu/isa.h"
#include "stacks/guest/kernel.h"

/* Kernel registers. */
enum {
	R_SH = 21,     /* the unprotected bit (0 on a plain VM) */
	R_DEV = 20,    /* device base (R_SH + GUEST_DEV_BASE) */
	R_BNC = 19,    /* bounce buffer through the shared alias */
	R_T0 = 16, R_T1 = 17, R_T2 = 18, R_T3 = 22, R_T4 = 23,
	R_IRQ_ID = 28, R_IRQ_A = 27, R_IRQ_B = 26,
	/* SEV-ES / SNP: this vCPU's #VC save area and GHCB; x29 / x30 are the
	 * #VC handler's scratch (and a GHCB call's), never live elsewhere */
	R_VC = 24, R_GHCB = 25, R_X29 = 29, R_X30 = 30,
};

struct gasm {
	GByteArray *code;
	bool realm;
	bool tdx;       /* an Intel TD */
	bool s390;      /* an s390 Secure Execution guest */
	unsigned sev;   /* enum cpu_sev */
	int loop_sp;
	uint64_t loop_top[GUEST_MAX_LOOP_DEPTH];
	size_t loop_op[GUEST_MAX_LOOP_DEPTH];  /* the op that opened each loop */
	GArray *panic_fixups;  /* size_t: branches to patch to the panic path */
};

static inline uint64_t here(const struct gasm *g) { return g->code->len; }

static inline size_t emit(struct gasm *g, uint8_t op, unsigned a, unsigned b, unsigned c, int32_t imm32,
		   uint64_t imm64)
{
	uint8_t buf[ISA_INSN_BYTES];
	struct isa_insn i = { op, (uint8_t)a, (uint8_t)b, (uint8_t)c, imm32, imm64 };
	isa_encode(&i, buf);
	size_t at = g->code->len;
	g_byte_array_append(g->code, buf, sizeof(buf));
	return at;
}

static inline void patch_target(struct gasm *g, size_t at, uint64_t target)
{
	uint8_t *p = g->code->data + at;
	for (int i = 0; i < 8; i++)
		p[8 + i] = (uint8_t)(target >> (8 * i));
}

static inline void movi(struct gasm *g, unsigned r, uint64_t v) { emit(g, ISA_MOVI, r, 0, 0, 0, v); }
static inline void st(struct gasm *g, unsigned val, unsigned base, int32_t off, unsigned size)
{
	emit(g, ISA_ST, val, base, size, off, 0);
}
static inline void ld(struct gasm *g, unsigned dst, unsigned base, int32_t off, unsigned size)
{
	emit(g, ISA_LD, dst, base, size, off, 0);
}
/* Branch to the panic path unless xa COND xb holds... i.e. if it does. */
static inline void b_panic_if(struct gasm *g, unsigned a, unsigned b, unsigned cond)
{
	size_t at = emit(g, ISA_BC, a, b, cond, 0, 0);
	g_array_append_val(g->panic_fixups, at);
}
/* A monitor call with X0..X(nargs-1), results in X0..X(nres-1). On SEV-ES
 * / SNP the guest shares exactly those argument registers through its
 * GHCB, marks them valid and exits with VMGEXIT (VMMCALL itself would be a
 * #VC); it takes back only the result registers it expects. */
static inline void ghcb_call(struct gasm *g, unsigned nargs, unsigned nres)
{
	for (unsigned n = 0; n < nargs; n++)
		st(g, n, R_GHCB, (int32_t)(8 * n), 8);
	movi(g, R_X30, SVM_EXIT_VMMCALL);
	st(g, R_X30, R_GHCB, GHCB_SW_EXIT_CODE, 8);
	st(g, ISA_XZR, R_GHCB, GHCB_SW_EXIT_INFO1, 8);
	st(g, ISA_XZR, R_GHCB, GHCB_SW_EXIT_INFO2, 8);
	movi(g, R_X30, (1ull << nargs) - 1);
	st(g, R_X30, R_GHCB, GHCB_VALID_BITMAP, 8);
	movi(g, R_X30, 7ull << (GHCB_SW_EXIT_CODE / 8 - 64));
	st(g, R_X30, R_GHCB, GHCB_VALID_BITMAP + 8, 8);
	emit(g, ISA_VMGEXIT, 0, 0, 0, 0, 0);
	for (unsigned n = 0; n < nres; n++)
		ld(g, n, R_GHCB, (int32_t)(8 * n), 8);
}

/* The entry of a #VC or #VE handler at the synchronous vector: any other
 * exception class branches away (the branch returned, to patch), else
 * x0..x28 are saved at R_VC. x29 / x30 are its scratch. */
static inline size_t handler_entry(struct gasm *g, uint64_t esr_ec)
{
	emit(g, ISA_MRS, R_X30, 0, 0, ISA_SR_ESR, 0);
	emit(g, ISA_LSRI, R_X30, R_X30, 0, 0, ESR_EC_SHIFT);
	emit(g, ISA_ANDI, R_X30, R_X30, 0, 0, 0x3f);
	movi(g, R_X29, esr_ec >> ESR_EC_SHIFT);
	size_t away = emit(g, ISA_BC, R_X30, R_X29, ISA_NE, 0, 0);
	for (unsigned n = 0; n < R_X29; n++)
		st(g, n, R_VC, (int32_t)(8 * n), 8);
	return away;
}

/* ---- an Intel TD (kernel_tdx.c) ---- */

/* TDCALL, which this ISA spells SMC: the leaf in x0 (RAX), the other
 * registers by x86 GPR number (x1 RCX, x2 RDX, x8..x15 R8..R15). */
static inline void tdcall(struct gasm *g) { emit(g, ISA_SMC, 0, 0, 0, 0, 0); }
/* TDG.VP.VMCALL exposing R10..R15 to the host (GHCI: RCX is the bitmap). */
#define TD_VMCALL_EXPOSE 0xfc00ull
/* A KVM hypercall from a TD (Linux tdx_kvm_hypercall): TDG.VP.VMCALL with
 * R10 = the function (X0), R11..R14 = X1..X4; X0..X3 come back from
 * R10..R13. x11..x15 (loop counters) are kept; x10 and x30 clobbered. */
void td_hypercall(struct gasm *g);

static inline void callx(struct gasm *g, unsigned nargs, unsigned nres)
{
	if (g->tdx)
		td_hypercall(g);
	else if (g->sev >= 2)
		ghcb_call(g, nargs, nres);
	else
		emit(g, g->realm ? ISA_SMC : ISA_HVC, 0, 0, 0, 0, 0);
}

/* A realm's RSI call (SMC: no GHCB involved). */
static inline void call(struct gasm *g) { callx(g, GUEST_CALL_MAX_ARGS + 1, GUEST_CALL_MAX_RESULTS); }

/* ---- the SEV boot ---- */

/* Copy `len` bytes (a register) from IPA in register `src` to `dst`, 8 at a time. */
static inline void copy8(struct gasm *g, unsigned src, unsigned dst, unsigned len)
{
	movi(g, R_T3, 0);
	size_t skip = emit(g, ISA_BC, R_T3, len, ISA_GEU, 0, 0);
	uint64_t loop = here(g);
	emit(g, ISA_ADD, 1, src, R_T3, 0, 0);
	ld(g, 2, 1, 0, 8);
	emit(g, ISA_ADD, 1, dst, R_T3, 0, 0);
	st(g, 2, 1, 0, 8);
	emit(g, ISA_ADDI, R_T3, R_T3, 0, 0, 8);
	emit(g, ISA_BC, R_T3, len, ISA_LTU, 0, loop);
	patch_target(g, skip, here(g));
}

/* The workload ops of cfg, assembled in order (workload.c): 0, or -1 with
 * a message and *bad_op the op at fault. */
int gasm_workload(struct gasm *g, const struct guest_kernel_config *cfg, char *err, size_t errlen,
		  size_t *bad_op);

/* The TD's kernel paths (kernel_tdx.c). */
void td_boot(struct gasm *g, const struct guest_kernel_config *cfg);
/* The timer's re-arm in the interrupt handler: deadline += tick. */
void td_timer_rearm(struct gasm *g, uint64_t tick);
/* The #VE handler at the synchronous vector: anything else goes to
 * to_panic[0] (not a #VE) or to_panic[1] (a #VE it does not handle). */
void td_ve_handler(struct gasm *g, size_t to_panic[2]);
/* TDG.MR.REPORT with the challenge as REPORTDATA, the TDREPORT to the host
 * through the bounce buffer with TDG.VP.VMCALL<GetQuote>. */
void td_report(struct gasm *g, const uint8_t challenge[64]);
/* `tdcall` op: the call, its results reported to the device. */
void td_tdcall_op(struct gasm *g, const struct guest_op *o, size_t index);
/* A measurement extension in a TD: TDG.MR.RTMR.EXTEND of RTMR `index`
 * (0..3) with the data zero-padded to SHA-384's 48 bytes. */
#define TD_RTMR_EXTEND_MAX 48u
void td_rtmr_extend(struct gasm *g, unsigned index, const uint8_t *data, size_t len);

/* The s390 Secure Execution guest's paths (kernel_s390.c). */
/* Its bounce buffer's pages imported and shared (UVC set shared access). */
void se_boot(struct gasm *g);
/* UVC retrieve attestation with cfg's request and challenge; the control
 * block and the measurement out as the token. */
void se_attest(struct gasm *g, const struct guest_kernel_config *cfg);

#endif
