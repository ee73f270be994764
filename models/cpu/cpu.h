/* A vCPU: runs in a world and exception level, issues loads, stores and
 * monitor calls through its bus port and accumulates the latency each returns
 * into its own cycle count. With paging on, virtual addresses go through the
 * core's TLB and, on a miss, a stage 1 (+ stage 2) walk whose table reads are
 * themselves checked physical accesses. */
#ifndef CCSIM_CPU_CPU_H
#define CCSIM_CPU_CPU_H

#include <stdint.h>

#include "models/mmu/pt.h"
#include "models/mmu/tlb.h"
#include "models/platform/port.h"
#include "sim/sim.h"

/* The core a vCPU runs guest code on, as cpu_exec times it: instructions
 * enter an out-of-order window in program order, `width` a cycle, while
 * the reorder buffer has room; each executes when its operands are ready,
 * memory accesses issue in program order and loads complete when their
 * data arrives; stores wait in a store buffer until their line is written,
 * in order; an instruction fetch the L1 serves is hidden by the pipeline.
 * All zero: a blocking core, one instruction at a time. */
struct cpu_core {
	uint32_t rob;          /* reorder buffer entries (1..CPU_ROB_MAX) */
	uint32_t width;        /* instructions entering the window per cycle */
	uint32_t sb;           /* store buffer entries (1..CPU_SB_MAX) */
	uint32_t fetch_hidden; /* cycles of a fetch the pipeline hides (an L1 hit) */
};
#define CPU_ROB_MAX 1024
#define CPU_SB_MAX 256

struct cpu {
	struct sim_model base;
	struct cpu_core core_cfg;
	struct bus_port bus;
	uint16_t src;
	/* saved state */
	uint32_t world;  /* enum cc_world */
	uint32_t el;
	int32_t key;     /* key slot its accesses carry (ASID / KeyID); -1: chosen by PAS */
	uint32_t mecid;  /* Arm FEAT_MEC: the MECID its Realm-PAS accesses carry, table walks
			    included (VMECID_P_EL2 for a realm's EL1&0 regime); 0: the default.
			    Not saved: whoever runs it sets it (a vm's declaration, the RMM at
			    each REC entry) */
	uint32_t core;   /* physical core it runs on */
	uint32_t guest;  /* a guest vCPU: its accesses name its ASID and GPA (AMD RMP) */
	uint32_t asid;
	uint32_t vmpl;
	uint32_t sev;    /* a guest vCPU's SEV mode (enum cpu_sev): TTBR drives stage 1 with the
			    C-bit; from SEV-ES non-automatic exits raise #VC in the guest */
	uint64_t cycles; /* busy cycles: sum of every op's latency */
	uint32_t in_exec; /* running guest code: cpu_exec times its accesses (not saved) */
	uint64_t stat_loads, stat_stores, stat_smcs, stat_faults;
	uint64_t stat_load_cycles, stat_store_cycles, stat_smc_cycles;
	/* translation: the registers (CR3 / nCR3 / EPTP / TTBR / VTTBR) and the
	 * context tag its TLB entries carry */
	uint32_t paging;          /* 0: addresses are physical */
	struct pt_config pt;
	struct tlb *tlb;          /* the core's TLB, or NULL: walk every time */
	struct tlb_tag tag;
	uint32_t s2_pas;          /* PAS of stage 2 table reads (enum cc_pas) */
	int32_t s2_key;           /* key slot of stage 2 table reads of private GPAs (TDX:
				     the Secure EPT under the TD's HKID; GPA.SHARED ones walk
				     the shared EPT by s2_pas); -1: by s2_pas. Not saved:
				     its monitor sets it at each entry */
	uint64_t stat_walks, stat_walk_refs, stat_walk_cycles;
	struct cc_fault walk_fault; /* scratch: an RMP fault or poison a table read of the current walk took */
};

enum cpu_sev { CPU_SEV_NONE = 0, CPU_SEV = 1, CPU_SEV_ES = 2, CPU_SEV_SNP = 3 };

void cpu_init(struct cpu *c, struct sim *s, const char *name, struct bus_port bus,
	      enum cc_world world, unsigned el);
/* One access of `len` bytes at physical `pa` in `pas`, which the guest knows
 * as `gpa` (private or shared), split into 64-byte line accesses. Returns 0,
 * 1 if an access faulted (*fault says which; bytes before the faulting line
 * were moved), or -errno. *cycles gets this op's latency.
 * Time: the access starts at sim_time. Outside cpu_exec the vCPU is a
 * blocking agent: the access completes before anything else it does, so
 * sim_time moves past it (this holds for every operation below). */
int cpu_access(struct cpu *c, enum cc_pas pas, bool write, uint64_t pa, uint64_t gpa, bool priv,
	       void *buf, uint32_t len, struct cc_fault *fault, uint64_t *cycles);

/* The same with an explicit PAS (Realm and Root code reaching NS memory);
 * without translation a guest addresses its memory privately, GPA = PA. */
static inline int cpu_access_pas(struct cpu *c, enum cc_pas pas, bool write, uint64_t pa,
				 void *buf, uint32_t len, struct cc_fault *fault, uint64_t *cycles)
{
	return cpu_access(c, pas, write, pa, pa, true, buf, len, fault, cycles);
}

/* Load/store at physical `pa` in the CPU's own PAS. */
static inline int cpu_load(struct cpu *c, uint64_t pa, void *buf, uint32_t len,
			   struct cc_fault *fault, uint64_t *cycles)
{
	return cpu_access_pas(c, cc_world_pas((enum cc_world)c->world), false, pa, buf, len, fault,
			      cycles);
}

static inline int cpu_store(struct cpu *c, uint64_t pa, const void *buf, uint32_t len,
			    struct cc_fault *fault, uint64_t *cycles)
{
	/* The port does not write through buf on a store. */
	return cpu_access_pas(c, cc_world_pas((enum cc_world)c->world), true, pa, (void *)buf, len,
			      fault, cycles);
}

/* Translate one VA for `acc` (PT_ACC_*): TLB, else a walk (filling the TLB).
 * Returns 0 with *pa, 1 with *fault (mmu.s1 / mmu.s2, or a fault of a table
 * read), or -errno. Adds the latency to *cycles. */
int cpu_translate(struct cpu *c, uint64_t va, unsigned acc, uint64_t *pa, struct cc_fault *fault,
		  uint64_t *cycles);
/* The same, also giving the stage 1 output (the GPA), without the
 * platform's fill-time checks of the page (an instruction such as
 * PVALIDATE that names a page the RMP refuses accesses to). */
int cpu_translate_gpa(struct cpu *c, uint64_t va, unsigned acc, uint64_t *pa, uint64_t *gpa,
		      struct cc_fault *fault, uint64_t *cycles);
/* Load/store at a virtual address (page by page through cpu_translate). */
int cpu_load_va(struct cpu *c, uint64_t va, void *buf, uint32_t len, struct cc_fault *fault,
		uint64_t *cycles);
int cpu_store_va(struct cpu *c, uint64_t va, const void *buf, uint32_t len,
		 struct cc_fault *fault, uint64_t *cycles);
/* A non-temporal store of the whole line at `va` (64-byte aligned, else
 * -EINVAL): written past the caches, whose copies of it are dropped. */
int cpu_store_nt_va(struct cpu *c, uint64_t va, const void *line, struct cc_fault *fault,
		    uint64_t *cycles);
/* SMC with x0..x7 in regs; results replace them. */
void cpu_smc(struct cpu *c, uint64_t regs[SMC_REGS], uint64_t *cycles);

#endif
