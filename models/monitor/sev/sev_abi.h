/* The AMD SEV firmware's legacy API (SEV and SEV-ES guests) as the
 * hypervisor and a guest owner see it: command ids, and how ccsim's
 * firmware takes each command through the monitor interface
 * (include/ccsim/monitor.h): its fields in registers; guest policy,
 * platform and guest states, the launch measurement's sizes and this
 * firmware's limits. Secure Encrypted Virtualization API specification
 * (AMD doc. 55766, revision 0.24). The platform and the host stack include
 * this, never the firmware's own header (sev_fw.h). The status codes are
 * the SNP firmware's table (snp_abi.h). */
#ifndef CCSIM_MODELS_MONITOR_SEV_SEV_ABI_H
#define CCSIM_MODELS_MONITOR_SEV_SEV_ABI_H

#include <stdint.h>

#include "models/monitor/snp/snp_abi.h" /* the status codes: one table for both APIs */

/* Command ids (Linux include/linux/psp-sev.h, enum sev_cmd, after the
 * API's command table): a command's regs[0] on the ops table's call, its
 * status on return. This model carries the command buffer's fields in the
 * registers rather than in memory:
 *   INIT, DF_FLUSH                         -
 *   LAUNCH_START        x1 policy, x2 1 if x3..x4 hold the TIK (16 bytes,
 *                       little-endian), else the TIK is derived -> x1 handle
 *   ACTIVATE            x1 handle, x2 ASID
 *   DEACTIVATE, LAUNCH_FINISH, DECOMMISSION   x1 handle
 *   LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA    x1 handle, x2 PA, x3 length
 *   LAUNCH_MEASURE      x1 handle -> x1..x4 MEASURE, x5..x6 MNONCE
 * An unknown id: SNP_INVALID_COMMAND (the status codes are the same table). */
#define SEV_CMD_INIT 0x001
#define SEV_CMD_DF_FLUSH 0x00A
#define SEV_CMD_DECOMMISSION 0x020
#define SEV_CMD_ACTIVATE 0x021
#define SEV_CMD_DEACTIVATE 0x022
#define SEV_CMD_LAUNCH_START 0x030
#define SEV_CMD_LAUNCH_UPDATE_DATA 0x031
#define SEV_CMD_LAUNCH_UPDATE_VMSA 0x032
#define SEV_CMD_LAUNCH_MEASURE 0x033
#define SEV_CMD_LAUNCH_FINISH 0x035

/* Guest policy (§3.2 Table 3): flags in bits 15:0, the minimum firmware
 * version in 23:16 (major) and 31:24 (minor). */
#define SEV_POLICY_NODBG (1u << 0)
#define SEV_POLICY_NOKS (1u << 1)
#define SEV_POLICY_ES (1u << 2)
#define SEV_POLICY_NOSEND (1u << 3)
#define SEV_POLICY_DOMAIN (1u << 4)
#define SEV_POLICY_SEV (1u << 5)
#define SEV_POLICY_API_MAJOR(p) (((p) >> 16) & 0xffu)
#define SEV_POLICY_API_MINOR(p) (((p) >> 24) & 0xffu)
#define SEV_POLICY_KNOWN_MASK 0xffff003fu

/* Platform states (§5.1.2) and guest states (§6.1.2, Table 51 GSTATE). */
enum sev_platform_state { SEV_PLATFORM_UNINIT = 0, SEV_PLATFORM_INIT = 1, SEV_PLATFORM_WORKING = 2 };
enum sev_guest_state {
	SEV_GSTATE_UNINIT = 0,
	SEV_GSTATE_LUPDATE = 1, /* after LAUNCH_START: data and VMSAs may be added */
	SEV_GSTATE_LSECRET = 2, /* after LAUNCH_MEASURE */
	SEV_GSTATE_RUNNING = 3, /* after LAUNCH_FINISH */
};

#define SEV_MAX_GUESTS 64
#define SEV_TIK_LEN 16
#define SEV_MNONCE_LEN 16
#define SEV_MEASURE_LEN 32
#define SEV_LD_LEN 32
#define SEV_MAX_VMSAS 4
#define SEV_VMSA_LEN 4096
#define SEV_MEASURE_CONTEXT 0x04 /* the first byte of the measured blob */
#define SEV_LAUNCH_MAX_BYTES (64u << 20) /* measured bytes a launch may hold */

/* The measurement a guest owner expects (§6.7), from what it knows:
 * HMAC-SHA256(TIK, 0x04 || API_MAJOR || API_MINOR || BUILD || POLICY || LD
 * || MNONCE). */
void sev_measure_compute(uint8_t out[SEV_MEASURE_LEN], const uint8_t tik[SEV_TIK_LEN],
			 uint8_t api_major, uint8_t api_minor, uint8_t build, uint32_t policy,
			 const uint8_t ld[SEV_LD_LEN], const uint8_t mnonce[SEV_MNONCE_LEN]);

#endif
