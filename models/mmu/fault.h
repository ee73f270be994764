/* Architectural fault records: what an access-control check or the memory
 * path returns instead of data. Faults are values, traced and reported; they
 * never stop the simulator. */
#ifndef CCSIM_MMU_FAULT_H
#define CCSIM_MMU_FAULT_H

#include <stdint.h>

enum cc_fault_kind {
	FAULT_NONE = 0,
	FAULT_GPC_GPF,       /* GPI denies the access's PAS (Arm ARM D9.4) */
	FAULT_GPC_WALK,      /* GPT walk fault: bad descriptor, reserved GPI, bad config */
	FAULT_GPC_ADDR_SIZE, /* PA or GPT base beyond the protected physical space */
	FAULT_GPC_EABT,      /* external abort fetching a GPT descriptor */
	FAULT_BUS_RANGE,     /* PA beyond the implemented physical address space */
	FAULT_POISON,        /* the line failed its integrity check: machine check */
	FAULT_MMU_S1,        /* stage 1 translation fault (code: enum pt_fault, level) */
	FAULT_MMU_S2,        /* stage 2 / nested translation fault (code: enum pt_fault) */
	FAULT_IOMMU,         /* IOMMU translation fault on a DMA (code: enum pt_fault) */
	FAULT_DMA_KEY,       /* a device used a key slot devices may not hold (TDX private KeyID) */
	FAULT_RMP_PF,        /* host write to an RMP-assigned page: #PF with the RMP bit */
	FAULT_RMP_NPF,       /* guest access failing the RMP check: #NPF (RMP / SIZEM / VMPL in code) */
	FAULT_RMP_VC,        /* private access to an unvalidated page: #VC 0x404 */
	FAULT_VMRUN_INVALID, /* the guest cannot run: no active guest holds its ASID (VMEXIT_INVALID) */
	FAULT_GP,            /* #GP(0): an instruction the processor refuses in its present state */
	/* s390 Secure Execution program interruptions (code: the PGM code;
	 * Linux arch/s390/kernel/pgm_check.S, arch/s390/mm/fault.c) */
	FAULT_PGM_SECURE_ACCESS,    /* 0x3d: a non-secure access to secure storage */
	FAULT_PGM_NONSECURE_ACCESS, /* 0x3e: a secure guest's access to a page that is not secure */
	FAULT_PGM_SECURE_VIOLATION, /* 0x3f: a secure guest's access to storage not its own */
	FAULT_KIND_COUNT
};

struct cc_fault {
	uint16_t kind;  /* enum cc_fault_kind */
	uint8_t level;  /* table level where a walk stopped */
	uint8_t code;   /* architecture syndrome (e.g. DFSC) when reported as an abort */
	uint8_t to_el3; /* reported as a GPC exception at EL3 rather than an abort */
	uint64_t addr;  /* faulting PA */
};

/* Stable names used in traces, summaries and scenario expectations. */
static inline const char *cc_fault_name(unsigned kind)
{
	static const char *const n[FAULT_KIND_COUNT] = {
		[FAULT_NONE] = "none",
		[FAULT_GPC_GPF] = "gpc.gpf",
		[FAULT_GPC_WALK] = "gpc.walk",
		[FAULT_GPC_ADDR_SIZE] = "gpc.addr_size",
		[FAULT_GPC_EABT] = "gpc.eabt",
		[FAULT_BUS_RANGE] = "bus.range",
		[FAULT_POISON] = "mce.poison",
		[FAULT_MMU_S1] = "mmu.s1",
		[FAULT_MMU_S2] = "mmu.s2",
		[FAULT_IOMMU] = "iommu.translation",
		[FAULT_DMA_KEY] = "iommu.keyid",
		[FAULT_RMP_PF] = "rmp.pf",
		[FAULT_RMP_NPF] = "rmp.npf",
		[FAULT_RMP_VC] = "rmp.vc",
		[FAULT_VMRUN_INVALID] = "vmrun.invalid",
		[FAULT_GP] = "cpu.gp",
		[FAULT_PGM_SECURE_ACCESS] = "pgm.secure_storage_access",
		[FAULT_PGM_NONSECURE_ACCESS] = "pgm.non_secure_storage_access",
		[FAULT_PGM_SECURE_VIOLATION] = "pgm.secure_storage_violation",
	};
	return kind < FAULT_KIND_COUNT ? n[kind] : "?";
}

#endif
