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

static inline void callx(struct gasm *g, unsigned nargs, unsigned nres)
{
	if (g->sev >= 2)
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

#endif
