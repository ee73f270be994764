/* Guest execution: a vCPU runs guest code (models/cpu/isa.h) fetched from
 * guest memory through its translation, until something only its monitor or
 * hypervisor can handle. The monitor owns the register state (a REC, a VMSA,
 * a VMCB save area) and decides what each stop means for its architecture.
 *
 * Interrupts follow the GICv3 virtual interface: the list registers hold the
 * virtual interrupts injected into the vCPU (ICH_LR<n>_EL2: vINTID in
 * [31:0], State in [63:62]); an unmasked pending one is taken at the next
 * instruction boundary (VBAR + 0x280), acknowledged through ICC_IAR1 and
 * ended through ICC_EOIR1. The virtual timer (CNTV_CTL / CNTV_CVAL, PPI 27)
 * counts core cycles; when it fires while the vCPU runs, that is a physical
 * interrupt, and execution stops so that its owner can route it. */
#ifndef CCSIM_CPU_EXEC_H
#define CCSIM_CPU_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "include/ccsim/monitor.h"
#include "models/cpu/cpu.h"
#include "models/cpu/isa.h"

#define VGIC_NR_LRS 4
#define VGIC_LR_STATE_SHIFT 62
#define VGIC_LR_INVALID 0ull
#define VGIC_LR_PENDING 1ull
#define VGIC_LR_ACTIVE 2ull
#define VGIC_INTID_VTIMER 27u
#define VGIC_INTID_SPURIOUS 1023u
#define CNTV_ENABLE 1u
#define CNTV_IMASK 2u
#define CNTV_ISTATUS 4u

static inline uint64_t vgic_lr_state(uint64_t lr) { return lr >> VGIC_LR_STATE_SHIFT; }
static inline uint32_t vgic_lr_intid(uint64_t lr) { return (uint32_t)lr; }
static inline uint64_t vgic_lr_make(uint32_t intid, uint64_t state)
{
	return (uint64_t)intid | state << VGIC_LR_STATE_SHIFT;
}

/* Everything of a vCPU that its monitor saves and restores. */
struct vcpu_state {
	uint64_t x[ISA_NREGS];
	uint64_t pc;
	uint64_t daif;       /* ISA_DAIF_I */
	uint64_t elr, esr, far, vbar;
	uint64_t saved_daif; /* DAIF at exception entry (SPSR.I), restored by ERET */
	uint64_t cntv_ctl, cntv_cval;
	uint64_t lr[VGIC_NR_LRS];
	uint64_t work_left;  /* cycles left of an interrupted WORK */
	uint64_t saved_work; /* work_left at exception entry, restored by ERET */
	uint64_t insns;      /* instructions retired */
	uint64_t ttbr;       /* SEV guests: ISA_SR_TTBR */
	uint64_t ghcb;       /* SEV-ES / SNP: ISA_SR_GHCB */
};

/* The monitor interface carries a vCPU as struct ccsim_vcpu and a stop's
 * reason and trapped instruction by these numbers: the same layout, so a
 * monitor copies one into the other (vcpu_to_ccsim / vcpu_from_ccsim). */
_Static_assert(sizeof(struct ccsim_vcpu) == sizeof(struct vcpu_state) &&
	       offsetof(struct ccsim_vcpu, pc) == offsetof(struct vcpu_state, pc) &&
	       offsetof(struct ccsim_vcpu, lr) == offsetof(struct vcpu_state, lr) &&
	       offsetof(struct ccsim_vcpu, ghcb) == offsetof(struct vcpu_state, ghcb) &&
	       CCSIM_VCPU_NREGS == ISA_NREGS && CCSIM_VCPU_NLRS == VGIC_NR_LRS &&
	       CCSIM_INSN_BYTES == ISA_INSN_BYTES,
	       "struct ccsim_vcpu is laid out as struct vcpu_state");
static inline void vcpu_to_ccsim(struct ccsim_vcpu *out, const struct vcpu_state *v)
{
	memcpy(out, v, sizeof(*out));
}
static inline void vcpu_from_ccsim(struct vcpu_state *v, const struct ccsim_vcpu *in)
{
	memcpy(v, in, sizeof(*v));
}

/* Syndromes the guest reads in ESR (Arm ESR_ELx.EC << 26). */
#define ESR_EC_UNKNOWN (0x00ull << 26)
#define ESR_EC_WFX (0x01ull << 26)
#define ESR_EC_IABT_LOW (0x20ull << 26)
#define ESR_EC_PC_ALIGN (0x22ull << 26)
#define ESR_EC_DABT_LOW (0x24ull << 26)
#define ESR_EC_DABT_CUR (0x25ull << 26)
/* SEV-ES / SNP #VC (APM vol. 2 15.35.4): ESR[47:32] hold the exit code the
 * hardware would have made (the #VC error code); for an NPF (MMIO) the ISV
 * syndrome (SAS, SRT, WnR) describes the access and FAR holds the GPA. */
#define ESR_EC_VC (0x2full << 26)
#define ESR_VC_CODE_SHIFT 32 /* the #VC exit code sits in ESR[47:32] */
/* TDX #VE (vector 20), injected by the TDX module: ESR[47:32] hold the VMX
 * exit reason TDG.VP.VEINFO.GET reports, FAR the GPA of an EPT violation. */
#define ESR_EC_VE (0x2eull << 26)
#define ESR_EC_SHIFT 26
#define SVM_EXIT_VMMCALL 0x081u
#define SVM_EXIT_NPF 0x400u
#define SVM_EXIT_VC_NOT_VALIDATED 0x404u /* a private access to an unvalidated page (SNP) */
#define ESR_ISV (1ull << 24)
#define ESR_SAS_SHIFT 22
#define ESR_SRT_SHIFT 16
#define ESR_WNR (1ull << 6)
#define ESR_DFSC_EXT_ABORT 0x10u   /* synchronous external abort */
#define ESR_DFSC_TRANSLATION 0x04u /* + level */

/* ISS of a data abort with a valid syndrome (ISV): access size, the
 * register (SRT) and the direction (WnR). */
static inline uint64_t vcpu_dabt_iss(unsigned size, unsigned reg, bool write)
{
	uint64_t sas = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
	return ESR_ISV | sas << ESR_SAS_SHIFT | (uint64_t)(reg & 31) << ESR_SRT_SHIFT |
	       (write ? ESR_WNR : 0);
}

enum exec_stop {
	EXEC_CALL,    /* SMC or HVC: x0.. hold the call; pc is past the instruction */
	EXEC_WFI,     /* WFI with nothing to wake it, or trapped; pc is past it */
	EXEC_ABORT,   /* a fetch or data access faulted; pc is at the instruction */
	EXEC_TIMER,   /* the virtual timer fired (a physical interrupt) */
	EXEC_BUDGET,  /* the cycle budget ran out (the host's own tick) */
	EXEC_VMGEXIT, /* SEV-ES / SNP VMGEXIT: pc is past it; v->ghcb names the GHCB */
	EXEC_TRAP,    /* an intercepted instruction (CPUID, RDMSR, WRMSR, IN, OUT): pc is
			 at it; the owner emulates it and moves pc past it */
};

_Static_assert((int)EXEC_CALL == (int)CCSIM_STOP_CALL && (int)EXEC_WFI == (int)CCSIM_STOP_WFI &&
	       (int)EXEC_ABORT == (int)CCSIM_STOP_ABORT && (int)EXEC_TIMER == (int)CCSIM_STOP_TIMER &&
	       (int)EXEC_BUDGET == (int)CCSIM_STOP_BUDGET &&
	       (int)EXEC_VMGEXIT == (int)CCSIM_STOP_VMGEXIT && (int)EXEC_TRAP == (int)CCSIM_STOP_TRAP &&
	       (int)ISA_CPUID == (int)CCSIM_TRAP_CPUID && (int)ISA_RDMSR == (int)CCSIM_TRAP_RDMSR &&
	       (int)ISA_WRMSR == (int)CCSIM_TRAP_WRMSR && (int)ISA_IN == (int)CCSIM_TRAP_IN &&
	       (int)ISA_OUT == (int)CCSIM_TRAP_OUT,
	       "guest stops as the monitor interface numbers them");

/* "call", "wfi", "abort", "timer", "budget", "vmgexit", "trap"; "?" past the last */
const char *exec_stop_name(unsigned why);

struct exec_stop_info {
	enum exec_stop why;
	bool hvc;             /* EXEC_CALL: HVC rather than SMC */
	/* EXEC_ABORT */
	bool fetch;           /* an instruction fetch */
	bool write;
	uint8_t size;         /* access bytes */
	uint8_t reg;          /* the register loaded or stored */
	uint64_t addr;        /* the address accessed (the VA; with stage 1 off, the IPA) */
	uint64_t value;       /* a store's data */
	struct cc_fault fault;
	/* EXEC_TRAP */
	struct isa_insn insn; /* the instruction to emulate */
};

/* What the processor does outside the core for SEV-SNP's PVALIDATE: the
 * RMP update of the page at spa (which the guest knows as gpa). Returns the
 * status (enum rmp_status) and *cf, or -1 with *fault when the instruction
 * faults instead (#NPF or #VC); adds its latency to *cycles. */
struct exec_hw {
	int (*pvalidate)(void *ctx, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
			 bool validate, bool *cf, struct cc_fault *fault, uint64_t *cycles);
	void *ctx;
};

struct exec_params {
	uint64_t now;       /* the cycle execution starts at (for the timer) */
	uint64_t budget;    /* stop after this many cycles (0: no limit) */
	uint64_t insn_limit;/* stop (EXEC_BUDGET) once this many instructions retired, as the VMX
			       monitor trap flag does after one (0: no limit) */
	bool trap_wfi;      /* WFI stops execution even if a timer would wake it */
	const struct exec_hw *hw; /* SEV-SNP guests: PVALIDATE (NULL: #UD) */
	/* ISA_MARK: told the marker and the cycle it passes (NULL: ignored) */
	void (*mark)(void *ctx, uint32_t what, uint64_t at);
	void *mark_ctx;
};

/* The #VC exit codes of the intercepted instructions (APM vol. 2 15.35.4,
 * the SVM exit codes), and an IOIO #VC's syndrome: the port in ESR[15:0],
 * the size in ESR[18:16], bit 19 set for IN. */
#define SVM_EXIT_CPUID 0x072u
#define SVM_EXIT_IOIO 0x07bu
#define SVM_EXIT_MSR 0x07cu
#define ESR_IOIO_SIZE_SHIFT 16
#define ESR_IOIO_IN (1ull << 19)

/* Run `v` on `c` until a stop; *cycles gets the cycles spent (fetches,
 * accesses, computation, idling in WFI). Returns 0, or -errno if the vCPU
 * cannot run (a malformed access request). */
int cpu_exec(struct cpu *c, struct vcpu_state *v, const struct exec_params *p,
	     struct exec_stop_info *out, uint64_t *cycles);

/* Take an IRQ in the guest now, whatever its mask (x86 event injection:
 * VMCB EVENTINJ is delivered at VMRUN, RFLAGS.IF not consulted). */
void vcpu_take_irq(struct vcpu_state *v);

/* Take a synchronous exception in the guest (an injected external abort, an
 * undefined instruction): ELR = pc, ESR / FAR as given, pc = VBAR + 0x200,
 * interrupts masked. */
void vcpu_take_sync(struct vcpu_state *v, uint64_t esr, uint64_t far);
/* Is the virtual timer asserted at `now` (enabled, not masked, CVAL reached)? */
bool vcpu_timer_asserted(const struct vcpu_state *v, uint64_t now);
/* Is INTID pending or active in a list register? */
bool vcpu_lr_holds(const struct vcpu_state *v, uint32_t intid);
/* Put INTID pending into a free list register: 0, or -ENOSPC. */
int vcpu_lr_inject(struct vcpu_state *v, uint32_t intid);

#endif
