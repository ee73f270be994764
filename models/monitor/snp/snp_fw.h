/* AMD SEV-SNP firmware (the PSP's SNP side) as functions over the RMP and
 * simulated memory: platform init, guest launch (START / UPDATE / FINISH),
 * ASID activation, decommission, DF_FLUSH and the signed attestation report.
 * Follows the SEV Secure Nested Paging Firmware ABI (AMD doc. 56860); section
 * and table numbers are those of revision 1.55+ unless said otherwise. */
#ifndef CCSIM_MODELS_MONITOR_SNP_SNP_FW_H
#define CCSIM_MODELS_MONITOR_SNP_SNP_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/mmu/rmp.h"
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

#define SNP_VCEK_LABEL "ccsim/snp/vcek"
#define SNP_MAX_GUESTS 16
#define SNP_MAX_LAUNCH_RUNS 128 /* runs of contiguous launch pages a guest may have */

/* Platform identity and firmware version; snp_fw_config_default gives a
 * Genoa-like part. TCB_VERSION (ABI Table "TCB_VERSION"): byte 0 boot
 * loader, 1 TEE, 6 SNP, 7 microcode. */
struct snp_fw_config {
	struct rmp_config rmp;
	uint64_t fw_pages_base, fw_pages_len; /* firmware-owned region SNP_INIT marks; len may be 0 */
	bool rmp_preinitialized;  /* the RMP already protects itself (rmp_init_table ran) */
	bool smt_enabled;
	unsigned sockets;
	uint8_t api_major, api_minor, build;
	uint64_t tcb;             /* current = committed = reported */
	uint32_t min_sev_asid;    /* CPUID 8000_001F EDX: SNP ASIDs are 1 .. min_sev_asid - 1 */
	bool no_asid_gate;        /* what-if: ACTIVATE takes a decommissioned ASID without DF_FLUSH */
	/* Firmware with AMD's BadRAM mitigation (AMD-SB-3015): memory is
	 * checked for DRAM aliases, and an aliasing platform is refused */
	bool alias_check;
	uint8_t cpuid_fam, cpuid_mod, cpuid_step;
};

/* The firmware's own record of a guest, in its private memory: where its
 * context page is, the ASID it bound the guest to (and loaded the key
 * for), and the SPAs LAUNCH_UPDATE made immutable, as runs of contiguous
 * pages (a host stages an image in order: a few runs, however large). The
 * guest's state proper lives in the context page (struct snp_gctx). */
struct snp_guest {
	bool in_use;
	uint64_t gctx_pa;     /* the guest's handle, as in the ABI */
	uint32_t asid;        /* 0 until SNP_ACTIVATE */
	struct { uint64_t spa, pages; } runs[SNP_MAX_LAUNCH_RUNS];
	unsigned nruns;
	/* The launch digest of what SNP_LAUNCH_UPDATE measured, chained here
	 * and never read back from DRAM: the simulator's record of the truth,
	 * which the firmware's commands do not use (they read GCTX.LD from the
	 * context page). snp_report_measured compares a report with it. */
	uint8_t ld_measured[SNP_DIGEST_LEN];
};

/* A guest's state as the firmware keeps it: in the guest context page the
 * hypervisor donated at SNP_GCTX_CREATE (the ABI's GCTX.STATE, GCTX.POLICY,
 * GCTX.LD, ...; AMD's firmware keeps the launch digest, HOST_DATA, the ID
 * block's fields and the launch TCB there too, AMD-ASPFW sev_rmp.h
 * guest_context_page_t), in DRAM under the firmware's own key. The report
 * is built from it; what the page holds when a command reads it is the
 * guest's state, whoever wrote those cells. */
struct snp_gctx {
	uint32_t state;       /* enum snp_guest_state; anything else is no valid state */
	uint64_t policy;
	uint8_t ld[SNP_DIGEST_LEN];
	uint8_t host_data[SNP_HOST_DATA_LEN];
	uint8_t family_id[16], image_id[16];
	uint32_t guest_svn;
	uint64_t launch_tcb;
};
/* Where each field sits in the page (the layout is the firmware's own, not
 * architectural; this is ccsim's). The launch digest has a 64-byte line of
 * its own, as the 48 bytes of AMD's firmware sit alone in four 16-byte
 * blocks (BadRAM's guest_context_replay notes: 0x460-0x4a0 changes). */
#define SNP_GCTX_STATE 0x00      /* LE32 */
#define SNP_GCTX_GUEST_SVN 0x04  /* LE32 */
#define SNP_GCTX_POLICY 0x08     /* LE64 */
#define SNP_GCTX_LAUNCH_TCB 0x10 /* LE64 */
#define SNP_GCTX_FAMILY_ID 0x20
#define SNP_GCTX_IMAGE_ID 0x30
#define SNP_GCTX_HOST_DATA 0x40
#define SNP_GCTX_LD 0x80
#define SNP_GCTX_USED 0xC0       /* the bytes a command reads and writes back */

/* What the firmware reaches the platform through. */
struct snp_fw_io {
	struct rmp_io rmp;    /* the RMP table */
	struct rmp_io mem;    /* guest pages, at the memory controller (may equal rmp) */
	struct rmp_io ctx;    /* its own pages (guest contexts), under its own key */
	/* Does the memory decoder send two addresses of [lo, hi) to one cell?
	 * (NULL: nothing aliases.) */
	bool (*aliased)(void *ctx, uint64_t lo, uint64_t hi);
	void *aliased_ctx;
	/* The key mem's next accesses go through: a guest's ASID, or 0 (the
	 * hypervisor's path; NULL: one key for everything). */
	void (*mem_key)(void *ctx, uint32_t asid);
	void *mem_key_ctx;
};

struct snp_fw {
	struct snp_fw_config cfg;
	struct rmp_io rmp;    /* the RMP table's reads and writes */
	struct rmp_io mem;    /* page contents (may equal rmp) */
	struct rmp_io ctx;    /* guest context pages, through the firmware's key */
	bool (*aliased)(void *ctx, uint64_t lo, uint64_t hi);
	void *aliased_ctx;
	void (*mem_key)(void *ctx, uint32_t asid);
	void *mem_key_ctx;
	uint64_t seed;
	enum snp_platform_state state;
	bool alias_check_complete; /* SNP_INIT checked memory and found no alias */
	struct snp_guest guests[SNP_MAX_GUESTS];
	/* ASIDs decommissioned since the last DF_FLUSH: the platform must not
	 * hand them out again (SNP_ACTIVATE refuses them with DFFLUSH_REQUIRED). */
	uint8_t asid_flush_pending[RMP_ASID_LIMIT / 8];
	bool df_flush_required;
	uint64_t df_flushes;
};

/* SNP_LAUNCH_FINISH input (ABI §8.18). ID block authentication is not
 * modelled: with id_block_en the ID block's launch digest and policy are
 * still checked against the guest, and family/image id and SVN are kept. */
struct snp_id_block {
	uint8_t ld[SNP_DIGEST_LEN];
	uint8_t family_id[16], image_id[16];
	uint32_t guest_svn;
	uint64_t policy;
};
struct snp_launch_finish {
	bool id_block_en;
	struct snp_id_block id_block;
	uint8_t host_data[SNP_HOST_DATA_LEN];
};

void snp_fw_config_default(struct snp_fw_config *cfg);
/* Power-on state; copies cfg and the io. */
void snp_fw_init(struct snp_fw *fw, const struct snp_fw_config *cfg, const struct snp_fw_io *io,
		 uint64_t seed);

/* SNP_INIT (§8.8): validate RMP_BASE/END, have the RMP protect itself
 * (rmp_init_table) unless it already does, mark the firmware region. With
 * cfg.alias_check, first the BadRAM mitigation (AMD-SB-3015): system
 * memory [0, rmp.mem_top) is checked for DRAM aliases; an alias fails the
 * command with HWERROR_PLATFORM (AMD has not published what its firmware
 * returns: ccsim's choice) and the platform stays uninitialised; none
 * sets ALIAS_CHECK_COMPLETE in every report's PLATFORM_INFO. */
__attribute__((warn_unused_result)) enum snp_status snp_init(struct snp_fw *fw);
/* SNP_GCTX_CREATE + SNP_LAUNCH_START (§8.16): the hypervisor-owned page
 * gctx_pa becomes a firmware page holding the context; policy is checked. */
__attribute__((warn_unused_result)) enum snp_status
snp_launch_start(struct snp_fw *fw, uint64_t gctx_pa, uint64_t policy);
/* SNP_ACTIVATE (§8.10): bind asid to the guest. Hosts (KVM) do this right
 * after LAUNCH_START; LAUNCH_UPDATE needs it. */
__attribute__((warn_unused_result)) enum snp_status
snp_activate(struct snp_fw *fw, uint64_t gctx_pa, uint32_t asid);
/* SNP_LAUNCH_UPDATE (§8.17) of one 4KB page at spa for gpa. The page must be
 * hypervisor-owned, or already assigned to the guest at gpa, unvalidated
 * (Linux's rmp_make_private before the command). It becomes assigned,
 * immutable until LAUNCH_FINISH and validated; the digest is extended with
 * its PAGE_INFO (see snp_page_info). */
__attribute__((warn_unused_result)) enum snp_status
snp_launch_update(struct snp_fw *fw, uint64_t gctx_pa, uint64_t spa, uint64_t gpa,
		  enum snp_page_type type);
/* SNP_LAUNCH_FINISH (§8.18): the guest runs; its pages lose Immutable. */
__attribute__((warn_unused_result)) enum snp_status
snp_launch_finish(struct snp_fw *fw, uint64_t gctx_pa, const struct snp_launch_finish *in);
/* SNP_DECOMMISSION (§8.11): forget the guest; its ASID needs DF_FLUSH before
 * reuse; the context page and launch pages are released to the hypervisor
 * (what SNP_PAGE_RECLAIM would do). */
__attribute__((warn_unused_result)) enum snp_status
snp_decommission(struct snp_fw *fw, uint64_t gctx_pa);
/* SNP_DF_FLUSH (§8.12): the data fabric write buffers are flushed, so every
 * decommissioned ASID may be reused. */
__attribute__((warn_unused_result)) enum snp_status snp_df_flush(struct snp_fw *fw);
/* The flag the platform gates ASID reuse on. */
static inline bool snp_asid_reusable(const struct snp_fw *fw, uint32_t asid)
{
	return asid < RMP_ASID_LIMIT && !(fw->asid_flush_pending[asid / 8] & (1u << (asid % 8)));
}

/* Does a guest hold this ASID (activated, not decommissioned)? */
static inline bool snp_asid_active(const struct snp_fw *fw, uint32_t asid)
{
	for (unsigned i = 0; i < SNP_MAX_GUESTS; i++)
		if (fw->guests[i].in_use && fw->guests[i].asid == asid)
			return true;
	return false;
}

/* The guest with that context page, or NULL. */
const struct snp_guest *snp_guest_find(const struct snp_fw *fw, uint64_t gctx_pa);
/* Read a guest's state from its context page as the firmware would: 0,
 * -ENOENT (no such guest) or the io's errno. */
__attribute__((warn_unused_result)) int
snp_gctx_read(struct snp_fw *fw, uint64_t gctx_pa, struct snp_gctx *out);

/* The 0x70-byte PAGE_INFO the launch digest hashes (§8.17.2 Table
 * "PAGE_INFO"): DIGEST_CUR(48) || CONTENTS(48) || LENGTH=0x70 (LE16) ||
 * PAGE_TYPE(1) || IMI_PAGE(1) || VMPL3/2/1_PERMS(3) || reserved(1) || GPA (LE64).
 * digest_new = SHA-384(PAGE_INFO). */
void snp_page_info(uint8_t out[SNP_PAGE_INFO_LEN], const uint8_t cur[SNP_DIGEST_LEN],
		   const uint8_t contents[SNP_DIGEST_LEN], enum snp_page_type type, uint64_t gpa);

/* MSG_REPORT_REQ (§7.3): the signed ATTESTATION_REPORT of a RUNNING guest
 * for a request from vmpl (0..3). */
__attribute__((warn_unused_result)) enum snp_status
snp_guest_report(struct snp_fw *fw, uint64_t gctx_pa, const uint8_t report_data[SNP_REPORT_DATA_LEN],
		 unsigned vmpl, uint8_t out[SNP_REPORT_LEN]);
/* VCEK: p384_key_derive(SNP_VCEK_LABEL, seed, id = TCB); the real VCEK is
 * likewise per chip and per TCB. */
void snp_vcek_public(uint64_t seed, uint64_t tcb, uint8_t pub[P384_POINT_LEN]);
void snp_chip_id(uint64_t seed, uint8_t out[SNP_CHIP_ID_LEN]);
/* The AMD-SP's secrets from the run's seed: SHA-512(label || 0x00 ||
 * LE64(a) || LE64(b)) (chip id, VMPCKs; the SEV firmware's TIK and MNONCE). */
void snp_seed_derive(const char *label, uint64_t a, uint64_t b, uint8_t out[64]);
/* VMPCKn of the guest's secrets page (derived from seed and gctx_pa). */
void snp_vmpck(const struct snp_fw *fw, uint64_t gctx_pa, unsigned n, uint8_t out[SNP_VMPCK_LEN]);
/* Does the report's MEASUREMENT equal what the firmware measured at launch
 * for the guest whose REPORT_ID it carries (snp_guest.ld_measured)? 1 yes,
 * 0 no (the context page's digest was changed: a forged report), -1 no
 * such guest now. The simulator's view, for a run's outcome. */
int snp_report_measured(const struct snp_fw *fw, const uint8_t report[SNP_REPORT_LEN]);
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
