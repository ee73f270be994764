/* What the TDX personality's files share (hv_tdx.c: build, run, the host's
 * tries on a running TD, teardown; hv_tdx_vmcall.c: the TDVMCALLs it
 * serves). */
#ifndef CCSIM_HOST_HV_TDX_PRIV_H
#define CCSIM_HOST_HV_TDX_PRIV_H

#include "models/monitor/tdx/tdx_abi.h"
#include "stacks/host/hv_priv.h"

/* The host's per-vCPU page (c->save), as KVM keeps vcpu->arch.regs: the
 * registers of the last TD exit, handed back at the next TDH.VP.ENTER,
 * and the TSC deadline the guest wrote (0: the timer is off). */
#define TDH_VCPU_REGS 0x00
#define TDH_VCPU_DEADLINE 0x80
#define MSR_IA32_TSC_DEADLINE 0x6e0u
/* GHCI 1.5 TDG.VP.VMCALL completion codes in R10. */
#define TDVMCALL_STATUS_SUCCESS 0ull
#define TDVMCALL_STATUS_INVALID_OPERAND 0x8000000000000000ull

/* The TD's shared bit: GPA bit 51 with 5-level EPT (tdx.gpaw), else 47. */
uint64_t hv_tdx_shared_bit(const struct hv_guest *g);
/* Flush the TD's translations from the host core's TLB (its HKID's tag). */
void hv_tdx_tlb_flush(struct hv_guest *g);
/* The private page pa at gpa leaves the Secure EPT as KVM zaps it (BLOCK,
 * TRACK, REMOVE, PHYMEM.PAGE.WBINVD), cleared and the host's again. false:
 * the module refused a step (noted in res). */
bool hv_tdx_zap_private(struct hv_guest *g, uint64_t gpa, uint64_t pa, struct hv_result *res,
			uint64_t *cyc);
/* A TDG.VP.VMCALL the TD exit reported, its exposed registers in r: the
 * answer goes into r for the next entry. false: the guest is off. */
bool hv_tdx_vmcall(struct hv_guest *g, struct hv_vcpu *c, uint64_t r[TDX_NREGS],
		   enum rmi_exit_reason *why, uint64_t *cyc);

#endif
