/* RMI encodings from the Arm Realm Management Monitor specification,
 * DEN0137 1.0-rel0: SMC64 fast-call function IDs (B3.3), command return
 * codes (B3.4.x RmiStatusCode) and the granule states (A2.2.3). */
#ifndef CCSIM_RMM_ABI_H
#define CCSIM_RMM_ABI_H

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

#endif
