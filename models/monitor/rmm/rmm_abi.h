/* RMI encodings from the Arm Realm Management Monitor specification,
 * DEN0137 1.0-rel0: SMC64 fast-call function IDs (B3.3), command return
 * codes (B3.4.x RmiStatusCode) and the granule states (A2.2.3). */
#ifndef CCSIM_RMM_ABI_H
#define CCSIM_RMM_ABI_H

#include <stdbool.h>
#include <stdint.h>

/* SMCCC SMC64 fast call, owner Standard Secure Service: 0xC4000000 | num. */
#define RMI_FID(num) (0xC4000000ull | (num))
#define RMI_VERSION               RMI_FID(0x150)
#define RMI_GRANULE_DELEGATE      RMI_FID(0x151)
#define RMI_GRANULE_UNDELEGATE    RMI_FID(0x152)
#define RMI_DATA_CREATE           RMI_FID(0x153)
#define RMI_DATA_CREATE_UNKNOWN   RMI_FID(0x154)
#define RMI_DATA_DESTROY          RMI_FID(0x155)
#define RMI_REALM_ACTIVATE        RMI_FID(0x157)
#define RMI_REALM_CREATE          RMI_FID(0x158)
#define RMI_REALM_DESTROY         RMI_FID(0x159)
#define RMI_REC_CREATE            RMI_FID(0x15A)
#define RMI_REC_DESTROY           RMI_FID(0x15B)
#define RMI_REC_ENTER             RMI_FID(0x15C)
#define RMI_RTT_CREATE            RMI_FID(0x15D)
#define RMI_RTT_DESTROY           RMI_FID(0x15E)
#define RMI_RTT_MAP_UNPROTECTED   RMI_FID(0x15F)
#define RMI_RTT_READ_ENTRY        RMI_FID(0x161)
#define RMI_RTT_UNMAP_UNPROTECTED RMI_FID(0x162)
#define RMI_PSCI_COMPLETE         RMI_FID(0x164)
#define RMI_FEATURES              RMI_FID(0x165)
#define RMI_RTT_FOLD              RMI_FID(0x166)
#define RMI_REC_AUX_COUNT         RMI_FID(0x167)
#define RMI_RTT_INIT_RIPAS        RMI_FID(0x168)
#define RMI_RTT_SET_RIPAS         RMI_FID(0x169)
/* DEN0137 1.1-alp12, memory encryption contexts (FEAT_MEC): only where
 * the profile has FEAT_MEC (mec.enabled); elsewhere SMC_UNKNOWN, as for
 * any FID an RMM 1.0 does not implement. */
#define RMI_MEC_SET_SHARED        RMI_FID(0x18C)
#define RMI_MEC_SET_PRIVATE       RMI_FID(0x18D)
#define RMI_FID_FIRST             RMI_VERSION
#define RMI_FID_LAST              RMI_RTT_SET_RIPAS

/* RmiStatusCode (B3.4.16); X0 = status | index << 8 (B3.4.17 RmiCommandReturnCode). */
enum rmi_status {
	RMI_SUCCESS = 0,
	RMI_ERROR_INPUT = 1,
	RMI_ERROR_REALM = 2,
	RMI_ERROR_REC = 3,
	RMI_ERROR_RTT = 4,
};
static inline uint64_t rmi_return(enum rmi_status st, unsigned index)
{
	return (uint64_t)st | ((uint64_t)index << 8);
}

/* RmiInterfaceVersion (B3.4.11): major in [30:16], minor in [15:0], [63:31] MBZ. */
#define RMI_ABI_MAJOR 1u
#define RMI_ABI_MINOR 0u
#define RMI_ABI_VERSION (((uint64_t)RMI_ABI_MAJOR << 16) | RMI_ABI_MINOR)

/* Granule states (A2.2.3). */
enum rmm_granule_state {
	GRANULE_UNDELEGATED = 0,
	GRANULE_DELEGATED,
	GRANULE_RD,
	GRANULE_REC,
	GRANULE_REC_AUX,
	GRANULE_DATA,
	GRANULE_RTT,
};

/* Realm states (A2.1.5). */
enum rmm_realm_state {
	REALM_NEW = 0,
	REALM_ACTIVE = 1,
	REALM_SYSTEM_OFF = 2,
};

/* RmiRttEntryState (B3.4.15) as RMI_RTT_READ_ENTRY reports it. The RMM's own
 * RTTE states (A5.5.1) also distinguish UNASSIGNED_NS / ASSIGNED_NS for the
 * unprotected half; the interface folds them into UNASSIGNED / ASSIGNED. */
enum rmi_rtte_state {
	RMI_RTTE_UNASSIGNED = 0,
	RMI_RTTE_ASSIGNED = 1,
	RMI_RTTE_TABLE = 2,
};
enum rmm_rtte_state {
	RTTE_UNASSIGNED = 0,
	RTTE_ASSIGNED,
	RTTE_TABLE,
	RTTE_UNASSIGNED_NS,
	RTTE_ASSIGNED_NS,
};

/* RmiRipas (B3.4.13). */
enum rmi_ripas {
	RIPAS_EMPTY = 0,
	RIPAS_RAM = 1,
	RIPAS_DESTROYED = 2,
};

/* RmiHashAlgorithm (B3.4.7). */
#define RMI_HASH_SHA_256 0u
#define RMI_HASH_SHA_512 1u

/* RmiFeatureRegister0 (B3.4.5) fields. */
#define RMI_FEAT0_S2SZ_SHIFT 0          /* [7:0] max IPA width */
#define RMI_FEAT0_LPA2 (1ull << 8)
#define RMI_FEAT0_SVE_EN (1ull << 9)
#define RMI_FEAT0_SVE_VL_SHIFT 10       /* [13:10] */
#define RMI_FEAT0_NUM_BPS_SHIFT 14      /* [17:14] */
#define RMI_FEAT0_NUM_WPS_SHIFT 18      /* [21:18] */
#define RMI_FEAT0_PMU_EN (1ull << 22)
#define RMI_FEAT0_PMU_NUM_CTRS_SHIFT 23 /* [27:23] */
#define RMI_FEAT0_HASH_SHA_256 (1ull << 28)
#define RMI_FEAT0_HASH_SHA_512 (1ull << 29)

/* RmiFeatureRegister1 (DEN0137 1.1-alp12): MAX_MECID, the highest MECID the
 * host may pass, the whole register; 0 on a platform without FEAT_MEC. */
#define RMI_FEATURE_REGISTER_1 1

/* MEC states (DEN0137 1.1-alp12, memory encryption contexts). */
enum rmm_mec_state {
	MEC_PRIVATE_UNASSIGNED = 0, /* every MEC at boot */
	MEC_PRIVATE_ASSIGNED,       /* the MEC of one realm */
	MEC_SHARED,                 /* at most one: the MEC of any number of realms */
};

/* RmiRealmParams (B3.4.12): byte offsets in the 4 KB NS parameter granule. */
#define RMI_REALM_PARAM_FLAGS 0x000       /* bit 0 LPA2, bit 1 SVE, bit 2 PMU */
#define RMI_REALM_PARAM_S2SZ 0x008        /* 8 bits */
#define RMI_REALM_PARAM_SVE_VL 0x010
#define RMI_REALM_PARAM_NUM_BPS 0x018
#define RMI_REALM_PARAM_NUM_WPS 0x020
#define RMI_REALM_PARAM_PMU_NUM_CTRS 0x028
#define RMI_REALM_PARAM_HASH_ALGO 0x030
#define RMI_REALM_PARAM_RPV 0x400         /* 64 bytes */
#define RMI_REALM_PARAM_VMID 0x800        /* 16 bits */
#define RMI_REALM_PARAM_RTT_BASE 0x808
#define RMI_REALM_PARAM_RTT_LEVEL_START 0x810 /* signed */
#define RMI_REALM_PARAM_RTT_NUM_START 0x818   /* 32 bits */
#define RMI_REALM_PARAM_MECID 0x828       /* DEN0137 1.1-alp12 RmiRealmParams.mecid; 1.0: unused */
#define RMI_REALM_FLAG_LPA2 (1ull << 0)
#define RMI_REALM_FLAG_SVE (1ull << 1)
#define RMI_REALM_FLAG_PMU (1ull << 2)

/* RmiRecParams (B3.4.10). */
#define RMI_REC_PARAM_FLAGS 0x000   /* bit 0 RUNNABLE */
#define RMI_REC_PARAM_MPIDR 0x100
#define RMI_REC_PARAM_PC 0x200
#define RMI_REC_PARAM_GPRS 0x300    /* 8 x 64 bits, X0..X7 */
#define RMI_REC_PARAM_NUM_AUX 0x800
#define RMI_REC_PARAM_AUX 0x808     /* 16 x 64 bits */
#define RMI_REC_FLAG_RUNNABLE (1ull << 0)
#define RMI_REC_AUX_MAX 16

/* RmiRecRun (B3.4.x): one 4 KB NS granule, RmiRecEnter at 0x000 and
 * RmiRecExit at 0x800; byte offsets from the granule's start. */
#define RMI_RUN_ENTER_FLAGS 0x000
#define RMI_RUN_ENTER_GPRS 0x200     /* 31 x 64 bits */
#define RMI_RUN_ENTER_GICV3_HCR 0x300
#define RMI_RUN_ENTER_GICV3_LRS 0x308 /* 16 x 64 bits */
#define RMI_RUN_EXIT 0x800
#define RMI_RUN_EXIT_REASON 0x800    /* 8 bits */
#define RMI_RUN_EXIT_ESR 0x900
#define RMI_RUN_EXIT_FAR 0x908
#define RMI_RUN_EXIT_HPFAR 0x910
#define RMI_RUN_EXIT_GPRS 0xa00
#define RMI_RUN_EXIT_GICV3_HCR 0xb00
#define RMI_RUN_EXIT_GICV3_LRS 0xb08
#define RMI_RUN_EXIT_GICV3_MISR 0xb88
#define RMI_RUN_EXIT_GICV3_VMCR 0xb90
#define RMI_RUN_EXIT_CNTP_CTL 0xc00
#define RMI_RUN_EXIT_CNTP_CVAL 0xc08
#define RMI_RUN_EXIT_CNTV_CTL 0xc10
#define RMI_RUN_EXIT_CNTV_CVAL 0xc18
#define RMI_RUN_EXIT_RIPAS_BASE 0xd00
#define RMI_RUN_EXIT_RIPAS_TOP 0xd08
#define RMI_RUN_EXIT_RIPAS_VALUE 0xd10
#define RMI_RUN_EXIT_IMM 0xe00       /* 16 bits */
#define RMI_RUN_EXIT_PMU_OVF 0xf00
#define RMI_RUN_GPRS 31
#define RMI_RUN_LRS 16

/* RmiRecEnterFlags (B3.4.x). */
#define RMI_ENTER_EMUL_MMIO (1ull << 0)
#define RMI_ENTER_INJECT_SEA (1ull << 1)
#define RMI_ENTER_TRAP_WFI (1ull << 2)
#define RMI_ENTER_TRAP_WFE (1ull << 3)
#define RMI_ENTER_RIPAS_RESPONSE (1ull << 4) /* 1: reject */

/* RmiRecExitReason (B3.4.x). */
enum rmi_exit_reason {
	RMI_EXIT_SYNC = 0,
	RMI_EXIT_IRQ = 1,
	RMI_EXIT_FIQ = 2,
	RMI_EXIT_PSCI = 3,
	RMI_EXIT_RIPAS_CHANGE = 4,
	RMI_EXIT_HOST_CALL = 5,
	RMI_EXIT_SERROR = 6,
	RMI_EXIT_COUNT
};

/* PSCI (Arm DEN0022, SMC64 where the call takes addresses), as a realm calls
 * it through SMC and RMI_PSCI_COMPLETE answers it. */
#define PSCI_VERSION 0x84000000ull
#define PSCI_CPU_SUSPEND 0xC4000001ull
#define PSCI_CPU_OFF 0x84000002ull
#define PSCI_CPU_ON 0xC4000003ull
#define PSCI_AFFINITY_INFO 0xC4000004ull
#define PSCI_SYSTEM_OFF 0x84000008ull
#define PSCI_SYSTEM_RESET 0x84000009ull
#define PSCI_FEATURES 0x8400000Aull
#define PSCI_RET_SUCCESS 0ull
#define PSCI_RET_NOT_SUPPORTED ((uint64_t)-1)
#define PSCI_RET_INVALID_PARAMS ((uint64_t)-2)
#define PSCI_RET_DENIED ((uint64_t)-3)
#define PSCI_RET_ALREADY_ON ((uint64_t)-4)
#define PSCI_RET_INVALID_ADDRESS ((uint64_t)-9)
#define PSCI_AFF_ON 0ull
#define PSCI_AFF_OFF 1ull
#define PSCI_VERSION_1_1 0x10001ull

/* The PSCI 1.1 functions a realm (B5) or an ordinary VM is offered: what
 * PSCI_FEATURES answers SUCCESS for. */
static inline bool psci_fid_implemented(uint64_t fid)
{
	switch (fid) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_OFF: case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
		return true;
	default:
		return false;
	}
}

/* RmiDataFlags (B3.4.4). */
#define RMI_DATA_FLAG_MEASURE 1ull

/* Measurement descriptor types (A7.1.1). */
#define RMM_MEAS_DESC_DATA 0
#define RMM_MEAS_DESC_REC 1
#define RMM_MEAS_DESC_RIPAS 2
#define RMM_MEAS_DESC_LEN 0x100

/* --- RSI (DEN0137 1.0-rel0 B4): what a realm asks of the RMM --- */

/* B4.3 FIDs: SMC64 fast calls 0xC4000190 .. 0xC4000199. */
#define RSI_FID(num) (0xC4000000ull | (num))
#define RSI_VERSION                    RSI_FID(0x190)
#define RSI_FEATURES                   RSI_FID(0x191)
#define RSI_MEASUREMENT_READ           RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND         RSI_FID(0x193)
#define RSI_ATTESTATION_TOKEN_INIT     RSI_FID(0x194)
#define RSI_ATTESTATION_TOKEN_CONTINUE RSI_FID(0x195)
#define RSI_REALM_CONFIG               RSI_FID(0x196)
#define RSI_IPA_STATE_SET              RSI_FID(0x197)
#define RSI_IPA_STATE_GET              RSI_FID(0x198)
#define RSI_HOST_CALL                  RSI_FID(0x199)
#define RSI_FID_FIRST                  RSI_VERSION
#define RSI_FID_LAST                   RSI_HOST_CALL

/* RsiCommandReturnCode (B4.4.1): the whole of X0, no index. */
enum rsi_status {
	RSI_SUCCESS = 0,
	RSI_ERROR_INPUT = 1,
	RSI_ERROR_STATE = 2,
	RSI_INCOMPLETE = 3,
	RSI_ERROR_UNKNOWN = 4,
};

/* RsiInterfaceVersion (B4.4.4): same layout as the RMI one. */
#define RSI_ABI_MAJOR 1u
#define RSI_ABI_MINOR 0u
#define RSI_ABI_VERSION (((uint64_t)RSI_ABI_MAJOR << 16) | RSI_ABI_MINOR)

/* RsiRealmConfig (B4.4.5): a 4 KB granule, unused bytes MBZ. */
#define RSI_REALM_CONFIG_IPA_WIDTH 0x000 /* UInt64 */
#define RSI_REALM_CONFIG_HASH_ALGO 0x008 /* RsiHashAlgorithm, 8 bits */
#define RSI_REALM_CONFIG_RPV 0x200       /* 64 bytes */

/* RsiHostCall (B4.4.3): 256 bytes at a 256-byte aligned IPA. */
#define RSI_HOST_CALL_IMM 0x000          /* UInt16 */
#define RSI_HOST_CALL_GPRS 0x008         /* gprs[0..30], 8 bytes each */
#define RSI_HOST_CALL_NR_GPRS 31
#define RSI_HOST_CALL_SIZE 0x100

/* RsiResponse (B4.4.6) and RsiRipasChangeFlags (B4.4.9). */
#define RSI_ACCEPT 0u
#define RSI_REJECT 1u
#define RSI_RIPAS_FLAG_CHANGE_DESTROYED 1ull

/* Measurement slots (A7.1): 0 is the RIM, 1..4 the REMs. */
#define RSI_NUM_MEASUREMENTS 5
#define RSI_MEASUREMENT_MAX 64

#endif
