/* The guest instruction set: what a simulated guest kernel and its workload
 * are written in. It is architecture-neutral and deliberately small, but it is
 * executed from guest memory like real code: every instruction is fetched
 * through the vCPU's translation and the whole memory path, so an initial
 * image altered by the host executes differently and changes the realm's
 * measurement, and code pages are protected like any other guest page.
 *
 * Encoding: 16 bytes, little endian.
 *   byte 0      opcode (enum isa_op); 0x00 is UDF, so zeroed memory traps
 *   byte 1      a   (register, 0..30; 31 reads as zero and ignores writes)
 *   byte 2      b   (register)
 *   byte 3      c   (register, condition or access size)
 *   bytes 4-7   imm32 (signed)
 *   bytes 8-15  imm64
 * Registers x0..x30 follow the AArch64 calling conventions the monitors use
 * (SMCCC: function id in x0, arguments from x1, results from x0). */
#ifndef CCSIM_CPU_ISA_H
#define CCSIM_CPU_ISA_H

#include <stdint.h>

#define ISA_INSN_BYTES 16
#define ISA_NREGS 31
#define ISA_XZR 31

enum isa_op {
	ISA_UDF = 0x00,   /* undefined: a synchronous exception in the guest */
	ISA_NOP = 0x01,
	ISA_MOVI = 0x02,  /* xa = imm64 */
	ISA_MOV = 0x03,   /* xa = xb */
	ISA_ADDI = 0x04,  /* xa = xb + imm64 */
	ISA_ADD = 0x05,   /* xa = xb + xc */
	ISA_SUB = 0x06,   /* xa = xb - xc */
	ISA_LD = 0x07,    /* xa = zero-extended load of c bytes (1, 2, 4, 8) at xb + imm32 */
	ISA_ST = 0x08,    /* store the low c bytes of xa at xb + imm32 */
	ISA_B = 0x09,     /* pc = imm64 */
	ISA_BC = 0x0a,    /* if (xa COND xb) pc = imm64; COND in c (enum isa_cond) */
	ISA_SMC = 0x0b,   /* secure monitor call (RSI, PSCI) */
	ISA_HVC = 0x0c,   /* hypervisor call */
	ISA_WFI = 0x0d,   /* wait for interrupt */
	ISA_WORK = 0x0e,  /* imm64 cycles of computation that touches no memory */
	ISA_MSR = 0x0f,   /* system register imm32 = xa */
	ISA_MRS = 0x10,   /* xa = system register imm32 */
	ISA_ERET = 0x11,  /* return from an exception: pc = ELR, PSTATE.I = saved */
	ISA_LSLV = 0x12,  /* xa = xb << (xc & 63) */
	ISA_LSRI = 0x13,  /* xa = xb >> (imm64 & 63) */
	ISA_ANDI = 0x14,  /* xa = xb & imm64 */
	ISA_PVALIDATE = 0x15, /* SEV-SNP PVALIDATE of the 4 KB page at VA xb, validate = imm64 bit 0:
				 xa = the status (enum rmp_status; 0xff: success with CF = 1, the page
				 already in that state); #UD off SNP (AMD64 APM vol. 3) */
	ISA_VMGEXIT = 0x16,   /* SEV-ES / SNP VMGEXIT: exit to the host, which reads the GHCB
				 the GHCB MSR names (APM vol. 2 15.35.5); #UD elsewhere */
	ISA_MUL = 0x17,   /* xa = xb * xc (modulo 2^64) */
	ISA_EOR = 0x18,   /* xa = xb ^ xc */
	/* Instructions a hypervisor intercepts (the guest's view of the
	 * machine): they stop execution for whoever owns the vCPU to emulate
	 * (the host on an ordinary or SEV VM, the RMM in a realm), pc at the
	 * instruction; an SEV-ES / SNP guest takes #VC instead (15.35.4). */
	ISA_CPUID = 0x19, /* x86 CPUID: leaf in x0, subleaf in x2 -> x0..x3 = EAX, EBX, ECX, EDX */
	ISA_RDMSR = 0x1a, /* x0 = MSR number x1 */
	ISA_WRMSR = 0x1b, /* MSR number x1 = x0 */
	ISA_IN = 0x1c,    /* xa = c bytes (1, 2, 4) read from I/O port imm32 */
	ISA_OUT = 0x1d,   /* the low c bytes of xa written to I/O port imm32 */
	ISA_MARK = 0x1e,  /* a simulator marker (imm32 names it: a phase boundary); no
			     architectural effect and no cost, as a simulator's magic op */
	ISA_MOVS = 0x1f,  /* x86 REP MOVS: copy xc bytes from [xb] to [xa], advancing xa and xb
			     and counting xc down, a line at a time, interruptible (pc stays
			     until xc is 0); imm32 bit 0: non-temporal stores (whole lines
			     written past the caches) */
	ISA_OP_COUNT
};

enum isa_cond { ISA_EQ = 0, ISA_NE = 1, ISA_LTU = 2, ISA_GEU = 3 };

/* System registers, by number (the Arm names they model). */
enum isa_sysreg {
	ISA_SR_CNTVCT = 1,   /* virtual count: the core's cycle counter (read only) */
	ISA_SR_CNTV_CTL = 2, /* bit 0 ENABLE, bit 1 IMASK, bit 2 ISTATUS (read only) */
	ISA_SR_CNTV_CVAL = 3,
	ISA_SR_VBAR = 4,     /* exception vectors: +0x200 synchronous, +0x280 IRQ */
	ISA_SR_IAR = 5,      /* ICC_IAR1: acknowledge the pending virtual interrupt (1023: none) */
	ISA_SR_EOIR = 6,     /* ICC_EOIR1: end the active interrupt whose INTID is written */
	ISA_SR_ELR = 7,
	ISA_SR_ESR = 8,      /* syndrome of the last synchronous exception (read only) */
	ISA_SR_FAR = 9,
	ISA_SR_DAIF = 10,    /* bit 7: I, interrupts masked */
	ISA_SR_TTBR = 11,    /* SEV guests: the root of the guest's own x86-64 page tables (CR3,
				C-bit included); nonzero turns stage 1 on (CR0.PG); a write
				invalidates the vCPU's cached translations */
	ISA_SR_GHCB = 12,    /* SEV-ES / SNP: the GHCB MSR (MSR 0xC001_0130): the GHCB's GPA */
	ISA_SR_COUNT
};

#define ISA_MOVS_NT 0x1 /* ISA_MOVS imm32: non-temporal stores */

#define ISA_VEC_SYNC 0x200
#define ISA_VEC_IRQ 0x280
#define ISA_DAIF_I 0x80u

struct isa_insn {
	uint8_t op, a, b, c;
	int32_t imm32;
	uint64_t imm64;
};

void isa_encode(const struct isa_insn *i, uint8_t out[ISA_INSN_BYTES]);
void isa_decode(const uint8_t in[ISA_INSN_BYTES], struct isa_insn *i);
/* "ld", "smc", …; "udf" for anything unknown. */
const char *isa_op_name(unsigned op);

#endif
