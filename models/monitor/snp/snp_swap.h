/* SEV-SNP page swap: the firmware commands that let the hypervisor page a
 * guest's private page out and back in with integrity and replay
 * protection (SEV-SNP Firmware ABI 56860: SNP_PAGE_SWAP_OUT 0xC0,
 * SNP_PAGE_SWAP_IN 0xC1, SNP_PAGE_MD_INIT 0xC3, SNP_PAGE_RECLAIM 0xC7), as
 * AMD's open-source firmware implements them
 * (github amd/AMD-ASPFW fw/psp_bl_uapps/sev_uapp/src/sev_mcmd.c
 * snp_mcmd_swap_out / snp_mcmd_swap_in / snp_mcmd_md_init /
 * snp_mcmd_page_reclaim; sev_rmp.h snp_metadata_page_t, page states).
 *
 * Swap-out encrypts the page with AES-256-GCM under the guest's offline
 * encryption key (OEK) with a per-guest IV counter and writes a 64-byte
 * metadata entry (IV, tag, GPA, page info, VMPL permissions) into a
 * metadata page, an RMP state the firmware owns and the hypervisor cannot
 * write, or into the guest context (ROOT_MDATA_EN). Swap-in decrypts with
 * that entry's IV, checks the tag and clears the entry's VALID bit: a copy
 * older than the entry (a replay), or an entry already used, is refused. */
#ifndef CCSIM_MODELS_MONITOR_SNP_SNP_SWAP_H
#define CCSIM_MODELS_MONITOR_SNP_SNP_SWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "models/monitor/snp/snp_fw.h"

/* Where the swap state sits in the guest context page, after what the
 * other commands read (ccsim's layout; AMD's firmware keeps oek_iv_count
 * in sev_guest_t and root_md_entry in guest_context_page_t). */
#define SNP_GCTX_SWAP_IV 0xC0     /* LE64: the next IV */
#define SNP_GCTX_ROOT_MD 0x100    /* the root metadata entry (64 bytes) */

struct snp_swap_out {
	uint64_t gctx_pa, src_pa, dst_pa, mdata_pa;
	uint64_t software_data;
	unsigned page_type;   /* enum snp_swap_page */
	bool size_2m, root_mdata;
};

struct snp_swap_in {
	uint64_t gctx_pa, src_pa, dst_pa, mdata_pa;
	unsigned page_type;
	bool size_2m, in_place, root_mdata;
};

/* The RMP page states the swap commands speak of (ABI "Page States";
 * sev_rmp.c rmp_entry_get_state): a metadata page is firmware-owned with
 * its guest context's address in RMP.GPA; PRE_GUEST / PRE_SWAP are a
 * guest's pages made immutable, unvalidated / validated. */
enum snp_page_state {
	SNP_PS_HYPERVISOR, SNP_PS_FIRMWARE, SNP_PS_RECLAIM, SNP_PS_METADATA, SNP_PS_PRE_GUEST,
	SNP_PS_PRE_SWAP, SNP_PS_GUEST_INVALID, SNP_PS_GUEST_VALID, SNP_PS_OTHER
};
enum snp_page_state snp_page_state_of(const struct rmp_entry *e);

/* SNP_PAGE_MD_INIT: a firmware page of the host's (RMPUPDATE: assigned,
 * ASID 0, immutable) is zeroed and becomes a metadata page of the guest. */
__attribute__((warn_unused_result)) enum snp_status
snp_page_md_init(struct snp_fw *fw, uint64_t gctx_pa, uint64_t page_pa);
/* SNP_PAGE_SWAP_OUT: src (PRE_GUEST / PRE_SWAP, the guest's; or one of its
 * metadata pages) encrypted into dst (a firmware page), its entry at
 * mdata_pa (in a metadata page of the guest) or in the context page. The
 * source is left unvalidated (PRE_GUEST). 4 KB pages only (2 MB:
 * SNP_INVALID_PAGE_SIZE). */
__attribute__((warn_unused_result)) enum snp_status
snp_page_swap_out(struct snp_fw *fw, const struct snp_swap_out *in);
/* SNP_PAGE_SWAP_IN: the copy at src decrypted into dst (PRE_GUEST, the
 * guest's; in place: src = dst) against the entry, which must be VALID and
 * of the same page type; the tag must match (SNP_BAD_MEASUREMENT: a
 * tampered or stale copy). dst gets the entry's GPA, VMPL permissions and
 * Validated (PRE_SWAP); the entry's VALID bit is cleared. */
__attribute__((warn_unused_result)) enum snp_status
snp_page_swap_in(struct snp_fw *fw, const struct snp_swap_in *in);
/* SNP_PAGE_RECLAIM: clear Immutable: METADATA / FIRMWARE -> RECLAIM,
 * PRE_GUEST -> GUEST_INVALID, PRE_SWAP -> GUEST_VALID. */
__attribute__((warn_unused_result)) enum snp_status
snp_page_reclaim(struct snp_fw *fw, uint64_t page_pa);

#endif
