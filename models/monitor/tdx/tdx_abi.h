/* Intel TDX module ABI encodings: SEAMCALL and TDCALL leaf numbers, the
 * completion statuses beyond those models/mmu/pamt.h shares, operand IDs,
 * the TD_PARAMS and TDREPORT layouts, TD exit reasons and TDG.VP.VMCALL
 * sub-functions; and the vocabulary the platform, the host stack and the
 * scenarios speak it in (registers, the leaf tables, status and exit
 * names, TDREPORT). Numbers are the ABI's (Intel TDX Module v1.5 ABI
 * Specification, "Interface Functions" and "Completion Status Codes"), as
 * the open-source module (intel/tdx-module include/tdx_api_defs.h,
 * include/auto_gen_1_5/tdx_error_codes_defs.h) and Linux
 * (arch/x86/virt/vmx/tdx/tdx.h, arch/x86/include/asm/shared/tdx.h) spell
 * them. */
#ifndef CCSIM_TDX_ABI_H
#define CCSIM_TDX_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/mmu/pamt.h"

/* A SEAMCALL through the monitor interface (include/ccsim/monitor.h, the
 * TDX module's slot): the call's eight registers are RAX, RCX, RDX, R8,
 * R9, R10 and R11, and on entry the logical processor (a core of the
 * machine) that executes SEAMCALL. Every leaf but TDH.VP.ENTER fits; its
 * TD GPRs take all sixteen, which go beside the registers (call_buf: a
 * uint64_t[16] by x86 encoding, in and out). */
enum tdx_mon_reg {
	TDX_MON_RAX = 0, TDX_MON_RCX, TDX_MON_RDX, TDX_MON_R8, TDX_MON_R9, TDX_MON_R10,
	TDX_MON_R11, TDX_MON_LP,
};

/* ccsim's own calls to the module through its slot (RAX bit 63, which no
 * SEAMCALL leaf has): what the host and the simulator do by other means
 * on hardware. Registers as above (RAX the id, the LP in TDX_MON_LP); RAX
 * on return 0, or TDX_SIM_EINVAL when the vCPU or TD named is none; no
 * SEAMCALL time, no trace record.
 *   VP_SHARED_EPTP  RCX TDVPR, RDX the root: the TD VMCS field SHARED_EPTP,
 *                   which the host writes with TDH.VP.WR (its cost not
 *                   modelled): the EPT the TD's GPA.SHARED accesses walk
 *   VP_PID          RCX TDVPR, RDX the descriptor: POSTED_INT_DESC_ADDR,
 *                   likewise (SDM vol. 3C 30.6): a 64-byte host page
 *   LP_ARM          RCX timer cycles, RDX MHz: the host's one-shot APIC
 *                   timer into the LP's next TD entry (0: the scheduler
 *                   tick only) and the core clock it set (0:
 *                   platform.freq_mhz), consumed by that entry, as SGX-Step
 *                   and TDXDown arm them
 *   LP_TIMER        RCX the cycle: the host's timer on the LP (0: none),
 *                   whose interrupt ends a TD entry
 *   VP_REGIME       RCX TDVPR, with a buffer (call_buf) that gets the
 *                   vCPU's struct ccsim_guest_regime on the LP: a
 *                   scenario's vm actor runs as that vCPU
 *   TD_ACCEPT       RCX TDR, RDX GPA: TDG.MEM.PAGE.ACCEPT of the 4 KB page
 *                   by a vCPU of the TD running outside TDH.VP.ENTER (a vm
 *                   actor); RAX the TDCALL's status, or
 *                   TDX_SIM_TD_EXIT_EPT_VIOLATION if nothing is pending
 *                   there; its time in the call's cycles */
#define TDX_SIM_CALL (1ull << 63)
#define TDX_SIM_VP_SHARED_EPTP (TDX_SIM_CALL | 1)
#define TDX_SIM_VP_PID (TDX_SIM_CALL | 2)
#define TDX_SIM_LP_ARM (TDX_SIM_CALL | 3)
#define TDX_SIM_LP_TIMER (TDX_SIM_CALL | 4)
#define TDX_SIM_VP_REGIME (TDX_SIM_CALL | 5)
#define TDX_SIM_TD_ACCEPT (TDX_SIM_CALL | 6)
#define TDX_SIM_EINVAL (TDX_SIM_CALL | 0xffff)

/* The module's restore of a blob of this state version: the field values
 * of the record "tdx_step" v1 in which ccsim up to checkpoint format 5
 * kept its single-step defence (the LFSRs, then the three counters), after
 * a blob of version 1. */
#define TDX_STATE_STEP_RECORD 0x101u

/* Pages of a TD's TDCS (TDH.MNG.ADDCX) and of a vCPU's TDVPS (the TDVPR
 * plus TDH.VP.ADDCX pages), as TDH.SYS.INFO reports them. The Secure EPT
 * root is TDCS page TDX_TDCS_SEPT_ROOT, as in module 1.5. */
#define TDX_TDCS_PAGES 4u
#define TDX_TDCS_SEPT_ROOT 3u
#define TDX_TDVPS_PAGES 4u
#define TDX_MAX_LPS 16u

/* enum tdx_sys_state: the module's initialisation sequence (ABI "Intel TDX
 * Module Lifecycle"): SYS.INIT, LP.INIT on every LP, CONFIG, KEY.CONFIG on
 * every package, TDMR.INIT over every TDMR. */
enum tdx_sys_state {
	TDX_SYS_UNINIT = 0,     /* only TDH.SYS.INIT */
	TDX_SYS_INITIALIZED,    /* TDH.SYS.LP.INIT, then TDH.SYS.CONFIG */
	TDX_SYS_CONFIGURED,     /* TDH.SYS.KEY.CONFIG */
	TDX_SYS_KEYS_CONFIGURED,/* TDH.SYS.TDMR.INIT until the PAMT is set */
	TDX_SYS_READY,          /* TD leaves */
	TDX_SYS_DISABLED,       /* a machine check in SEAM root mode disabled TDX: every
				   SEAMCALL fails with VMfailInvalid (tdx_seamcall) */
};

/* SEAMCALL leaves (RAX[15:0]; RAX[23:16] is the leaf version, 0 here). */
enum tdx_seamcall_leaf {
	TDH_VP_ENTER = 0,
	TDH_MNG_ADDCX = 1,
	TDH_MEM_PAGE_ADD = 2,
	TDH_MEM_SEPT_ADD = 3,
	TDH_VP_ADDCX = 4,
	TDH_MEM_PAGE_AUG = 6,
	TDH_MEM_RANGE_BLOCK = 7,
	TDH_MNG_KEY_CONFIG = 8,
	TDH_MNG_CREATE = 9,
	TDH_VP_CREATE = 10,
	TDH_MR_EXTEND = 16,
	TDH_MR_FINALIZE = 17,
	TDH_VP_FLUSH = 18,
	TDH_MNG_VPFLUSHDONE = 19,
	TDH_MNG_KEY_FREEID = 20,
	TDH_MNG_INIT = 21,
	TDH_VP_INIT = 22,
	TDH_PHYMEM_PAGE_RDMD = 24,
	TDH_VP_RD = 26,
	TDH_PHYMEM_PAGE_RECLAIM = 28,
	TDH_MEM_PAGE_REMOVE = 29,
	TDH_MEM_SEPT_REMOVE = 30,
	TDH_SYS_KEY_CONFIG = 31,
	TDH_SYS_INFO = 32,
	TDH_SYS_INIT = 33,
	TDH_SYS_LP_INIT = 35,
	TDH_SYS_TDMR_INIT = 36,
	TDH_MEM_TRACK = 38,
	TDH_MEM_RANGE_UNBLOCK = 39,
	TDH_PHYMEM_CACHE_WB = 40,
	TDH_PHYMEM_PAGE_WBINVD = 41,
	TDH_VP_WR = 43,
	TDH_SYS_CONFIG = 45,
};

/* TD-scope metadata field IDs TDG.VM.RD / WR take (ABI "Metadata Field
 * Identifier"; the values Linux's guest uses, arch/x86/include/asm/shared/
 * tdx.h). */
#define TDCS_CONFIG_FLAGS 0x1110000300000016ull   /* bit 0: GPAW (read only) */
#define TDCS_TD_CTLS 0x1110000300000017ull        /* bit 0: PENDING_VE_DISABLE */
#define TDCS_NOTIFY_ENABLES 0x9100000000000010ull /* bit 0: notify zero-step attacks */

/* VCPU-scope metadata field IDs TDH.VP.RD / WR take (tdvps_fields_lookup.c):
 * the guest GPR state class, RAX..R15 at field codes 0..15 in their x86
 * encoding order (code 4 is RSP's placeholder: RSP lives in the TD VMCS),
 * 8-byte elements. */
#define TDVPS_GUEST_GPR_FIELD 0x1020000300000000ull
#define TDVPS_GUEST_GPR_RSP 4u

/* TDCALL leaves (RAX). */
enum tdx_tdcall_leaf {
	TDG_VP_VMCALL = 0,
	TDG_VP_INFO = 1,
	TDG_MR_RTMR_EXTEND = 2,
	TDG_VP_VEINFO_GET = 3,
	TDG_MR_REPORT = 4,
	TDG_MEM_PAGE_ACCEPT = 6,
	TDG_VM_RD = 7,
	TDG_VM_WR = 8,
};

/* SEAMCALL's VMfailInvalid, as Linux spells it in RAX (TDX_SEAMCALL_VMFAILINVALID:
 * TDX_SW_ERROR | 0xFFFF0000): no TDX module answers, here because a machine
 * check in SEAM root mode has disabled TDX (tdx_seamcall). */
#define TDX_SEAMCALL_VMFAILINVALID    0x8000FF00FFFF0000ull

/* Completion statuses not already in pamt.h (tdx_error_codes_defs.h). */
#define TDX_NON_RECOVERABLE_VCPU      0x4000000100000000ull
#define TDX_NON_RECOVERABLE_TD        0x6000000200000000ull
#define TDX_INTERRUPTED_RESUMABLE     0x8000000300000000ull
#define TDX_PAGE_NOT_FREE             0xC000030300000000ull
#define TDX_TD_ASSOCIATED_PAGES_EXIST 0xC000040000000000ull
#define TDX_SYS_INIT_NOT_PENDING      0xC000050000000000ull
#define TDX_SYS_LP_INIT_NOT_DONE      0xC000050200000000ull
#define TDX_SYS_LP_INIT_DONE          0xC000050300000000ull
#define TDX_SYS_NOT_READY             0xC000050500000000ull
#define TDX_SYS_SHUTDOWN              0xC000050600000000ull
#define TDX_SYS_KEY_CONFIG_NOT_PENDING 0xC000050700000000ull
#define TDX_SYS_STATE_INCORRECT       0xC000050800000000ull
#define TDX_SYS_CONFIG_NOT_PENDING    0xC000050C00000000ull
#define TDX_TD_FATAL                  0xE000060400000000ull
#define TDX_TDCS_NOT_ALLOCATED        0xC000060600000000ull
#define TDX_LIFECYCLE_STATE_INCORRECT 0xC000060700000000ull
#define TDX_TDCX_NUM_INCORRECT        0xC000061000000000ull
#define TDX_VCPU_STATE_INCORRECT      0xC000070000000000ull
#define TDX_VCPU_ASSOCIATED           0x8000070100000000ull
#define TDX_VCPU_NOT_ASSOCIATED       0x8000070200000000ull
#define TDX_NO_VALID_VE_INFO          0xC000070400000000ull
#define TDX_MAX_VCPUS_EXCEEDED        0xC000070500000000ull
#define TDX_TD_KEYS_NOT_CONFIGURED    0x8000081000000000ull
#define TDX_KEY_STATE_INCORRECT       0xC000081100000000ull
#define TDX_KEY_CONFIGURED            0x0000081500000000ull
#define TDX_WBCACHE_NOT_COMPLETE      0x8000081700000000ull
#define TDX_HKID_NOT_FREE             0xC000082000000000ull
#define TDX_NO_HKID_READY_TO_WBCACHE  0x0000082100000000ull
#define TDX_FLUSHVP_NOT_DONE          0x8000082400000000ull
#define TDX_INVALID_TDMR              0xC0000A0000000000ull
#define TDX_TDMR_OUTSIDE_CMRS         0xC0000A0200000000ull
#define TDX_TDMR_ALREADY_INITIALIZED  0x00000A0300000000ull
#define TDX_INVALID_PAMT              0xC0000A1000000000ull
#define TDX_EPT_ENTRY_NOT_FREE        0xC0000B0200000000ull
#define TDX_EPT_ENTRY_NOT_PRESENT     0xC0000B0300000000ull
#define TDX_METADATA_FIELD_ID_INCORRECT 0xC0000C0000000000ull
#define TDX_METADATA_FIELD_NOT_WRITABLE 0xC0000C0100000000ull
#define TDX_METADATA_FIELD_NOT_READABLE 0xC0000C0200000000ull
#define TDX_METADATA_FIELD_VALUE_NOT_VALID 0xC0000C0300000000ull

/* Operand IDs beyond the registers (same table). */
#define TDX_OPERAND_ID_R9 9ull
#define TDX_OPERAND_ID_ATTRIBUTES 64ull
#define TDX_OPERAND_ID_EXEC_CONTROLS 66ull
#define TDX_OPERAND_ID_EPTP_CONTROLS 67ull
#define TDX_OPERAND_ID_MAX_VCPUS 68ull
#define TDX_OPERAND_ID_TDR 128ull
#define TDX_OPERAND_ID_TDCX 129ull
#define TDX_OPERAND_ID_TDVPR 130ull
#define TDX_OPERAND_ID_RTMR 168ull
#define TDX_OPERAND_ID_SYS 184ull
#define TDX_OPERAND_ID_KOT 186ull

/* TDR.LIFECYCLE_STATE (ABI "TD Life Cycle"). */
enum tdx_lifecycle { TD_HKID_ASSIGNED = 0, TD_KEYS_CONFIGURED = 1, TD_BLOCKED = 2, TD_TEARDOWN = 3 };
/* TDCS.OP_STATE (op_state_lookup, the non-migration ones). */
enum tdx_op_state { OP_STATE_UNINITIALIZED = 0, OP_STATE_INITIALIZED = 1, OP_STATE_RUNNABLE = 2 };
/* TDVPS.STATE. */
enum tdx_vcpu_state { VCPU_UNINITIALIZED = 0, VCPU_READY = 1, VCPU_ACTIVE = 2, VCPU_DISABLED = 3 };
/* Key Ownership Table entry states (tdx_global_data.h). */
enum tdx_kot_state { KOT_STATE_HKID_FREE = 0, KOT_STATE_HKID_ASSIGNED = 1,
		     KOT_STATE_HKID_FLUSHED = 2, KOT_STATE_HKID_RESERVED = 3 };

/* TD_PARAMS (ABI "TD_PARAMS", 1024 bytes, 1024-aligned, host memory). */
#define TD_PARAMS_SIZE 1024u
#define TD_PARAMS_ATTRIBUTES 0
#define TD_PARAMS_XFAM 8
#define TD_PARAMS_MAX_VCPUS 16      /* 16 bits */
#define TD_PARAMS_EPTP_CONTROLS 24  /* bits 5:3: page-walk length - 1 */
#define TD_PARAMS_EXEC_CONTROLS 32  /* bit 0: GPAW */
#define TD_PARAMS_MRCONFIGID 80
#define TD_PARAMS_MROWNER 128
#define TD_PARAMS_MROWNERCONFIG 176
#define TD_ATTR_DEBUG (1ull << 0)
#define TD_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define TD_ATTR_PKS (1ull << 30)
#define TD_ATTR_KL (1ull << 31)
#define TD_ATTR_PERFMON (1ull << 63)
/* The attributes this module accepts (the rest are reserved: TDX_OPERAND_INVALID). */
#define TD_ATTR_SUPPORTED (TD_ATTR_DEBUG | TD_ATTR_SEPT_VE_DISABLE | TD_ATTR_PKS | TD_ATTR_KL | \
			   TD_ATTR_PERFMON)

/* TDREPORT_STRUCT (ABI "TDREPORT_STRUCT", 1024 bytes): REPORTMACSTRUCT at 0,
 * TEE_TCB_INFO at 256, TDINFO_STRUCT at 512. */
#define TDREPORT_SIZE 1024u
#define TDREPORT_TYPE 0              /* TYPE 0x81 (TDX), SUBTYPE, VERSION, reserved */
#define TDREPORT_CPUSVN 16
#define TDREPORT_TEE_TCB_INFO_HASH 32
#define TDREPORT_TEE_INFO_HASH 80    /* SHA-384 of TDINFO_STRUCT */
#define TDREPORT_REPORTDATA 128
#define TDREPORT_MAC 224             /* over REPORTMACSTRUCT [0, 224) */
#define TDREPORT_TEE_TCB_INFO 256
#define TDREPORT_TEE_TCB_INFO_LEN 239
#define TDREPORT_TDINFO 512
/* TEE_TCB_INFO (239 bytes; DCAP sgx_quote_4.h tee_tcb_info_t): VALID at 0. */
#define TEE_TCB_INFO_TCB_SVN 8
#define TEE_TCB_INFO_MRSEAM 24
#define TEE_TCB_INFO_MRSIGNERSEAM 72
#define TEE_TCB_INFO_ATTRIBUTES 120
#define TDINFO_ATTRIBUTES 0
#define TDINFO_XFAM 8
#define TDINFO_MRTD 16
#define TDINFO_MRCONFIGID 64
#define TDINFO_MROWNER 112
#define TDINFO_MROWNERCONFIG 160
#define TDINFO_RTMR 208              /* RTMR0..3, 48 bytes each */
#define TDINFO_SERVTD_HASH 400
#define TDINFO_LEN 512
#define TDX_REPORT_TYPE_TDX 0x81

/* VMX basic exit reasons a TD exit reports in RAX[15:0] (SDM vol. 3C,
 * appendix C), and TDCALL's. */
#define TDX_EXIT_EXTERNAL_INTERRUPT 1u
#define TDX_EXIT_CPUID 10u
#define TDX_EXIT_HLT 12u
#define TDX_EXIT_IO 30u
#define TDX_EXIT_RDMSR 31u
#define TDX_EXIT_WRMSR 32u
#define TDX_EXIT_EPT_VIOLATION 48u
#define TDX_EXIT_TDCALL 77u

/* TDG.VP.VMCALL (GHCI 1.5): R10 = 0 selects the standard functions, R11
 * names one: the GHCI's own ones, or a VMX exit reason for the
 * instruction the TD asks the host to emulate. */
#define TDVMCALL_GET_TD_VM_CALL_INFO 0x10000u
#define TDVMCALL_MAP_GPA 0x10001u
#define TDVMCALL_GET_QUOTE 0x10002u
#define TDVMCALL_REPORT_FATAL_ERROR 0x10003u
#define TDVMCALL_CPUID TDX_EXIT_CPUID
#define TDVMCALL_HLT TDX_EXIT_HLT
#define TDVMCALL_IO TDX_EXIT_IO
#define TDVMCALL_MMIO TDX_EXIT_EPT_VIOLATION


/* --- the ABI's vocabulary: registers, the leaf tables, names --- */

struct tdx;

/* General-purpose registers by x86 encoding: what SEAMCALL and TDCALL pass
 * (and what a TD guest's x0..x15 stand for). */
enum tdx_gpr {
	TDX_RAX = 0, TDX_RCX = 1, TDX_RDX = 2, TDX_RBX = 3, TDX_RSP = 4, TDX_RBP = 5,
	TDX_RSI = 6, TDX_RDI = 7, TDX_R8 = 8, TDX_R9 = 9, TDX_R10 = 10, TDX_R11 = 11,
	TDX_R12 = 12, TDX_R13 = 13, TDX_R14 = 14, TDX_R15 = 15, TDX_NREGS = 16,
};

struct tdx_leaf {
	uint64_t leaf;
	const char *name;    /* "mng.create": the ABI name after "TDH.", lower case */
	unsigned arity;      /* input registers after RAX */
	const char *args[5]; /* their names, as the ABI's input tables give them */
	void (*handler)(struct tdx *t, unsigned lp, uint64_t regs[TDX_NREGS], uint64_t *cycles);
	uint64_t cost;       /* fixed cycles of the leaf itself, on top of its memory traffic */
};

/* A TDCALL's input registers after RAX, in the order a TD guest's call
 * op passes them (stacks/guest: td_tdcall_op). */
#define TDCALL_ARG_REGS 10   /* RCX, RDX, R8, R9, R10..R15 */

struct tdcall_leaf {
	uint64_t leaf;
	const char *name;    /* "mr.report": the ABI name after "TDG.", lower case */
	uint64_t cost;
	/* the inputs the leaf reads, named as scenarios name them, by
	 * register: RCX, RDX, R8, R9, R10..R15 (NULL: not an input) */
	const char *args[TDCALL_ARG_REGS];
};

#define TDX_NLEAVES 32
#define TDX_NTDCALLS 9

/* A SEAMCALL's GPRs as the monitor interface's registers (tdx_abi.h, enum
 * tdx_mon_reg), from logical processor lp, and back. */
static inline void tdx_regs_to_mon(const uint64_t gpr[TDX_NREGS], uint64_t lp,
				   uint64_t out[CCSIM_MONITOR_REGS])
{
	static const uint8_t map[TDX_MON_LP] = { TDX_RAX, TDX_RCX, TDX_RDX, TDX_R8,
						 TDX_R9, TDX_R10, TDX_R11 };
	for (unsigned i = 0; i < TDX_MON_LP; i++)
		out[i] = gpr[map[i]];
	out[TDX_MON_LP] = lp;
}
static inline void tdx_regs_from_mon(const uint64_t in[CCSIM_MONITOR_REGS],
				     uint64_t gpr[TDX_NREGS])
{
	static const uint8_t map[TDX_MON_LP] = { TDX_RAX, TDX_RCX, TDX_RDX, TDX_R8,
						 TDX_R9, TDX_R10, TDX_R11 };
	for (unsigned i = 0; i < TDX_MON_LP; i++)
		gpr[map[i]] = in[i];
}
/* The leaf tables (tdx.c, tdx_tdcall.c): a leaf by the name scenarios
 * spell it or by number, and all of them. */
const struct tdx_leaf *tdx_leaf_by_name(const char *name);
const struct tdx_leaf *tdx_leaf_by_number(uint64_t leaf);
size_t tdx_leaves(const struct tdx_leaf **out);
const struct tdcall_leaf *tdcall_leaf_by_number(uint64_t leaf);
const struct tdcall_leaf *tdcall_leaf_by_name(const char *name);
size_t tdcall_leaves(const struct tdcall_leaf **out);
/* A TD exit's VMX basic exit reason (RAX[15:0]) by name: "external_interrupt",
 * "cpuid", "hlt", "io", "rdmsr", "wrmsr", "ept_violation", "tdcall"; NULL for
 * the others. */
const char *tdx_exit_reason_name(unsigned basic);
/* "tdx.success", "tdx.operand_invalid", ... (the class, without operand). */
const char *tdx_status_name(uint64_t status);
/* Whether a scenario's status name ("tdx.operand_busy") is one of them. */
bool tdx_status_known(const char *name);

/* A TD's measurements as TDINFO_STRUCT reports them. */
struct tdx_td_measurements {
	uint64_t attributes, xfam;
	uint8_t mrtd[48], mrconfigid[48], mrowner[48], mrownerconfig[48];
	uint8_t rtmr[4][48];
};
/* TDREPORT_STRUCT (tdx_report.c) as TDG.MR.REPORT builds it, MACed with
 * the platform key of `seed`. */
void tdx_tdreport_make(uint64_t seed, const struct tdx_td_measurements *m,
		       const uint8_t reportdata[64], uint8_t out[TDREPORT_SIZE]);
/* What the quoting enclave checks of a TDREPORT before it signs: TYPE
 * 0x81, the MAC under the platform key of `seed` (EVERIFYREPORT2), the
 * TEE_TCB_INFO and TDINFO hashes. 0, or -1 with *why. */
int tdx_tdreport_verify(uint64_t seed, const uint8_t r[TDREPORT_SIZE], const char **why);

/* The posted-interrupt descriptor (SDM vol. 3C 30.6): the byte holding ON
 * (bit 0), after the 256 PIR bits. */
#define TDX_PID_ON_BYTE 32

#endif
