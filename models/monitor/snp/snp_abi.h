/* The AMD SEV-SNP firmware's interface as the hypervisor and a guest's
 * relying party see it: status codes, page types, guest policy, the
 * attestation report's layout (SEV Secure Nested Paging Firmware ABI, AMD
 * doc. 56860; section and table numbers of revision 1.55+), the command
 * ids, and how ccsim's firmware takes each command through the monitor
 * interface (include/ccsim/monitor.h): its fields in registers, or in a
 * command buffer where they do not fit. The platform and the host stacks
 * include this, never the firmware's own headers (snp_fw.h). */
#ifndef CCSIM_MODELS_MONITOR_SNP_SNP_ABI_H
#define CCSIM_MODELS_MONITOR_SNP_SNP_ABI_H

#include <stdbool.h>
#include <stdint.h>

#include "models/monitor/attest/p384.h"

/* Status codes (ABI Table "Status Codes"; the same numbers as Linux
 * include/uapi/linux/psp-sev.h sev_ret_code). */
enum snp_status {
	SNP_SUCCESS = 0x00,
	SNP_INVALID_PLATFORM_STATE = 0x01,
	SNP_INVALID_GUEST_STATE = 0x02,
	SNP_INVALID_CONFIG = 0x03,
	SNP_INVALID_LENGTH = 0x04,
	SNP_ALREADY_OWNED = 0x05,
	SNP_INVALID_CERTIFICATE = 0x06,
	SNP_POLICY_FAILURE = 0x07,
	SNP_INACTIVE = 0x08,
	SNP_INVALID_ADDRESS = 0x09,
	SNP_BAD_SIGNATURE = 0x0A,
	SNP_BAD_MEASUREMENT = 0x0B,
	SNP_ASID_OWNED = 0x0C,
	SNP_INVALID_ASID = 0x0D,
	SNP_WBINVD_REQUIRED = 0x0E,
	SNP_DFFLUSH_REQUIRED = 0x0F,
	SNP_INVALID_GUEST = 0x10,
	SNP_INVALID_COMMAND = 0x11,
	SNP_ACTIVE = 0x12,
	SNP_HWERROR_PLATFORM = 0x13,
	SNP_HWERROR_UNSAFE = 0x14,
	SNP_UNSUPPORTED = 0x15,
	SNP_INVALID_PARAM = 0x16,
	SNP_RESOURCE_LIMIT = 0x17,
	SNP_SECURE_DATA_INVALID = 0x18,
	SNP_INVALID_PAGE_SIZE = 0x19,
	SNP_INVALID_PAGE_STATE = 0x1A,
	SNP_INVALID_MDATA_ENTRY = 0x1B,
	SNP_INVALID_PAGE_OWNER = 0x1C,
};

enum snp_platform_state { SNP_PLATFORM_UNINIT = 0, SNP_PLATFORM_INIT = 1 };
/* GSTATE (ABI "Guest States"): LAUNCH after LAUNCH_START, RUNNING after
 * LAUNCH_FINISH. */
enum snp_guest_state { SNP_GSTATE_LAUNCH = 1, SNP_GSTATE_RUNNING = 2 };

/* SNP_LAUNCH_UPDATE page types (ABI Table "Page Types"). */
enum snp_page_type {
	SNP_PAGE_NORMAL = 1,
	SNP_PAGE_VMSA = 2,
	SNP_PAGE_ZERO = 3,
	SNP_PAGE_UNMEASURED = 4,
	SNP_PAGE_SECRETS = 5,
	SNP_PAGE_CPUID = 6,
};

/* Guest policy (ABI §4.3 Table "GUEST_POLICY Structure"). */
#define SNP_POLICY_ABI_MINOR(p) ((unsigned)((p) & 0xff))
#define SNP_POLICY_ABI_MAJOR(p) ((unsigned)(((p) >> 8) & 0xff))
#define SNP_POLICY_SMT (1ull << 16)           /* SMT allowed */
#define SNP_POLICY_RSVD1 (1ull << 17)         /* reserved, must be one */
#define SNP_POLICY_MIGRATE_MA (1ull << 18)
#define SNP_POLICY_DEBUG (1ull << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ull << 20)
/* bits 25:21 (CXL_ALLOW, MEM_AES_256_XTS, RAPL_DIS, CIPHERTEXT_HIDING,
 * PAGE_SWAP_DISABLE) are accepted and only reported; above them MBZ. */
#define SNP_POLICY_KNOWN_MASK 0x3ffffffull

/* PLATFORM_INFO (report offset 0x40). */
#define SNP_PLATFORM_INFO_SMT_EN (1ull << 0)
#define SNP_PLATFORM_INFO_TSME_EN (1ull << 1)
/* Alias checking has completed since the last reset and found no aliasing
 * addresses: firmware with AMD's BadRAM mitigation (AMD-SB-3015,
 * CVE-2024-21944; Milan 1.55.22, Genoa 1.55.38; bit 5 as the virtee `sev`
 * crate reads it, virtee/sev#264). */
#define SNP_PLATFORM_INFO_ALIAS_CHECK_COMPLETE (1ull << 5)

#define SNP_DIGEST_LEN 48        /* launch digest / measurement, SHA-384 */
#define SNP_HOST_DATA_LEN 32
#define SNP_REPORT_DATA_LEN 64
#define SNP_CHIP_ID_LEN 64
#define SNP_VMPCK_LEN 32
#define SNP_PAGE_INFO_LEN 0x70   /* the hashed PAGE_INFO structure */
#define SNP_VMSA_GPA 0xFFFFFFFFF000ull /* Linux INITIAL_VMSA_GPA, what hosts give VMSAs */

/* ATTESTATION_REPORT (ABI §7.3 Table 23): 0x4A0 bytes, the signature at
 * 0x2A0 covers bytes [0, 0x2A0). */
#define SNP_REPORT_LEN 0x4A0
#define SNP_REPORT_SIGNED_LEN 0x2A0
#define SNP_RPT_VERSION 0x000
#define SNP_RPT_GUEST_SVN 0x004
#define SNP_RPT_POLICY 0x008
#define SNP_RPT_FAMILY_ID 0x010
#define SNP_RPT_IMAGE_ID 0x020
#define SNP_RPT_VMPL 0x030
#define SNP_RPT_SIG_ALGO 0x034
#define SNP_RPT_CURRENT_TCB 0x038
#define SNP_RPT_PLATFORM_INFO 0x040
#define SNP_RPT_FLAGS 0x048      /* AUTHOR_KEY_EN 0, MASK_CHIP_KEY 1, SIGNING_KEY 4:2 */
#define SNP_RPT_REPORT_DATA 0x050
#define SNP_RPT_MEASUREMENT 0x090
#define SNP_RPT_HOST_DATA 0x0C0
#define SNP_RPT_ID_KEY_DIGEST 0x0E0
#define SNP_RPT_AUTHOR_KEY_DIGEST 0x110
#define SNP_RPT_REPORT_ID 0x140
#define SNP_RPT_REPORT_ID_MA 0x160
#define SNP_RPT_REPORTED_TCB 0x180
#define SNP_RPT_CPUID_FAM 0x188  /* version 3+: family, model, stepping bytes */
#define SNP_RPT_CHIP_ID 0x1A0
#define SNP_RPT_COMMITTED_TCB 0x1E0
#define SNP_RPT_CURRENT_BUILD 0x1E8 /* build, minor, major */
#define SNP_RPT_COMMITTED_BUILD 0x1EC
#define SNP_RPT_LAUNCH_TCB 0x1F0
#define SNP_RPT_SIGNATURE 0x2A0  /* R then S, 72 bytes each, little-endian */
#define SNP_SIG_COMPONENT_LEN 72
#define SNP_REPORT_VERSION 3
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1

/* Command ids (Linux include/linux/psp-sev.h, enum sev_cmd, after the
 * ABI's command table): a command's regs[0] on the ops table's call, its
 * status (enum snp_status) on return. ccsim's firmware carries the command
 * buffer's fields in the registers:
 *   INIT, DF_FLUSH               -
 *   DECOMMISSION                 x1 GCTX_PADDR
 *   ACTIVATE                     x1 GCTX_PADDR, x2 ASID
 *   LAUNCH_START                 x1 GCTX_PADDR, x2 POLICY (GCTX_CREATE and
 *                                LAUNCH_START in one: the page becomes the
 *                                guest's context)
 *   LAUNCH_UPDATE                x1 GCTX_PADDR, x2 PADDR, x3 GPA, x4 PAGE_TYPE
 *                                (the page is then encrypted in place under
 *                                the guest's key)
 *   PAGE_SWAP_OUT, PAGE_SWAP_IN  x1 GCTX_PADDR, x2 SRC_PADDR, x3 DST_PADDR,
 *                                x4 MDATA_PADDR, x5 SOFTWARE_DATA (out),
 *                                x6 PAGE_TYPE (enum snp_swap_page), x7 the
 *                                SNP_SWAP_* flags
 *   PAGE_MD_INIT                 x1 GCTX_PADDR, x2 PADDR
 *   PAGE_RECLAIM                 x1 PADDR
 * and through call_buf, with a command buffer:
 *   LAUNCH_FINISH                x1 GCTX_PADDR, x2 ID_BLOCK_EN; the buffer
 *                                (SNP_FINISH_BUF_LEN, or none: all zero)
 *                                holds the ID block and HOST_DATA (below)
 *   GUEST_REQUEST                x1 GCTX_PADDR, x2 the requesting VMPL; a
 *                                MSG_REPORT_REQ: the buffer (SNP_REPORT_LEN)
 *                                holds REPORT_DATA at SNP_RPT_REPORT_DATA on
 *                                entry and the signed report on return
 * An unknown id: SNP_INVALID_COMMAND. */
#define SNP_CMD_INIT 0x081
#define SNP_CMD_DF_FLUSH 0x084
#define SNP_CMD_DECOMMISSION 0x090
#define SNP_CMD_ACTIVATE 0x091
#define SNP_CMD_GUEST_REQUEST 0x094
#define SNP_CMD_LAUNCH_START 0x0A0
#define SNP_CMD_LAUNCH_UPDATE 0x0A1
#define SNP_CMD_LAUNCH_FINISH 0x0A2
#define SNP_CMD_PAGE_SWAP_OUT 0x0C0
#define SNP_CMD_PAGE_SWAP_IN 0x0C1
#define SNP_CMD_PAGE_MD_INIT 0x0C3
#define SNP_CMD_PAGE_RECLAIM 0x0C7

/* PAGE_SWAP_*'s x7: PAGE_SIZE (2 MB), ROOT_MDATA_EN and (swap-in) the
 * in-place flag. */
#define SNP_SWAP_SIZE_2M (1u << 0)
#define SNP_SWAP_ROOT_MDATA (1u << 1)
#define SNP_SWAP_IN_PLACE (1u << 2)

/* LAUNCH_FINISH's buffer: the ID block as the ABI lays it out (Table
 * "ID_BLOCK"; its authentication is not modelled), then HOST_DATA. */
#define SNP_IDB_LD 0x00
#define SNP_IDB_FAMILY_ID 0x30
#define SNP_IDB_IMAGE_ID 0x40
#define SNP_IDB_VERSION 0x50
#define SNP_IDB_GUEST_SVN 0x54
#define SNP_IDB_POLICY 0x58
#define SNP_FINISH_HOST_DATA 0x60
#define SNP_FINISH_BUF_LEN 0x80

/* PAGE_TYPE of the swap commands (sev_mcmd.h snp_mcmd_swap_out_t). */
enum snp_swap_page { SNP_SWAP_DATA = 0, SNP_SWAP_METADATA = 1, SNP_SWAP_VMSA = 2 };

/* MDATA (ABI "Metadata Entries"; sev_rmp.h snp_metadata_page_t): 64 bytes. */
#define SNP_MDATA_LEN 64
#define SNP_MDATA_SOFTWARE 0x00   /* LE64: the hypervisor's SOFTWARE_DATA */
#define SNP_MDATA_IV 0x08         /* LE64 */
#define SNP_MDATA_TAG 0x10        /* 16 bytes: AUTH_TAG */
#define SNP_MDATA_ENTRY 0x20      /* LE64: the bits below, GPA in 63:12 */
#define SNP_MDATA_VMPL 0x28       /* VMPL0..3 permission masks, a byte each */
#define SNP_MDATA_VALID (1ull << 0)
#define SNP_MDATA_VALIDATED (1ull << 1)
#define SNP_MDATA_IS_VMSA (1ull << 2)
#define SNP_MDATA_IS_METADATA (1ull << 3)
#define SNP_MDATA_PAGE_2M (1ull << 4)

/* This firmware's limits: the guests it keeps at once, the runs of
 * contiguous launch pages a guest may have. */
#define SNP_MAX_GUESTS 16
#define SNP_MAX_LAUNCH_RUNS 128

#define SNP_VCEK_LABEL "ccsim/snp/vcek"

/* VCEK: p384_key_derive(SNP_VCEK_LABEL, seed, id = TCB); the real VCEK is
 * likewise per chip and per TCB (what AMD's key distribution service
 * gives a relying party). */
void snp_vcek_public(uint64_t seed, uint64_t tcb, uint8_t pub[P384_POINT_LEN]);
/* 0, or -EPERM with *err naming the failed check ("version",
 * "signature_algo", "signature_padding", "signature"). */
__attribute__((warn_unused_result)) int
snp_report_verify(const uint8_t report[SNP_REPORT_LEN], const uint8_t vcek_pub[P384_POINT_LEN],
		  const char **err);

/* "snp.success", "snp.invalid_guest_state", ...; "snp.?" for others. */
const char *snp_status_name(enum snp_status s);
/* The same codes from the SEV API (legacy guests): "sev.success", ... */
const char *sev_status_name(enum snp_status s);

#endif
