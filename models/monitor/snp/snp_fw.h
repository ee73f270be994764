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
#include "models/monitor/snp/snp_abi.h"



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

#endif
