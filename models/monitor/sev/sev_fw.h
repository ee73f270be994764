/* The AMD SEV firmware for SEV and SEV-ES guests (the AMD-SP's legacy API)
 * as a model of the machine on the sev and sev-es profiles: platform INIT,
 * the launch flow LAUNCH_START / LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA /
 * LAUNCH_MEASURE / LAUNCH_FINISH, ACTIVATE / DEACTIVATE / DECOMMISSION and
 * DF_FLUSH, per the Secure Encrypted Virtualization API specification (AMD
 * doc. 55766, revision 0.24; section numbers are that revision's).
 *
 * What is and is not modelled:
 *   - the guest owner's session (LAUNCH_START's DH certificate and wrapped
 *     TEK / TIK) is not: the TIK is given in the clear (or derived from the
 *     run's seed and the handle) and the VEK comes from the seed, as every
 *     key in ccsim does;
 *   - the launch digest GCTX.LD is SHA-256 over the plaintext of every
 *     LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA region in order (§6.5, 6.6),
 *     and LAUNCH_MEASURE returns HMAC-SHA256(TIK, 0x04 || API_MAJOR ||
 *     API_MINOR || BUILD || GCTX.POLICY || GCTX.LD || MNONCE) (§6.7);
 *   - page contents are read and written at the memory controller, not
 *     coherently with the cores' caches (machine_dram_access);
 *   - the ASID gate: DEACTIVATE leaves the ASID needing DF_FLUSH, DF_FLUSH
 *     needs WBINVD on every core since (§5.6 DF_FLUSH, §6.3 ACTIVATE); the
 *     profile's sev.asid_flush_gate = false removes both checks.
 * LAUNCH_SECRET, the SEND / RECEIVE migration flow and DBG_* are not.
 *
 * It reaches the machine only through the monitor interface's services
 * (include/ccsim/monitor.h), and the platform and the host stack reach it
 * only through its ops table (sev_mon.c): commands as registers (SEV_CMD_*,
 * sev_abi.h), the rest as queries. */
#ifndef CCSIM_MODELS_MONITOR_SEV_SEV_FW_H
#define CCSIM_MODELS_MONITOR_SEV_SEV_FW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "include/ccsim/monitor.h"
#include "models/monitor/sev/sev_abi.h"
#include "models/monitor/snp/snp_fw.h"

#define SEV_TIK_LABEL "ccsim/sev/tik"
#define SEV_MNONCE_LABEL "ccsim/sev/mnonce"

struct sev_guest {
	bool in_use;
	uint32_t handle;      /* 1 ..; 0 is no guest */
	enum sev_guest_state state;
	uint32_t policy;
	uint32_t asid;        /* 0: not activated */
	uint8_t tik[SEV_TIK_LEN];
	uint64_t vmsa[SEV_MAX_VMSAS]; /* SPAs of the VMSAs LAUNCH_UPDATE_VMSA took */
	unsigned nvmsa;
	uint64_t measures;    /* LAUNCH_MEASUREs so far (each draws a new MNONCE) */
};

/* What LAUNCH_MEASURE returns (§6.7 Table 61: MEASURE then MNONCE). */
struct sev_measurement {
	uint8_t measure[SEV_MEASURE_LEN];
	uint8_t mnonce[SEV_MNONCE_LEN];
};

struct sev_psp {
	const struct ccsim_monitor_services *svc;
	void *host;
	uint64_t pa_bits;     /* mem.pa_bits: what LAUNCH_UPDATE_* may name */
	bool encrypts;        /* memenc.mode is not none: ACTIVATE programs an encrypting key */
	uint8_t api_major, api_minor, build;
	bool es_enabled;      /* INIT enabled SEV-ES (the platform has SEV-ES ASIDs) */
	uint32_t min_sev_asid, asid_limit; /* ES ASIDs 1 .. min - 1; SEV ones min .. limit - 1 */
	bool no_asid_gate;
	uint64_t seed;
	/* saved state */
	uint64_t state;       /* enum sev_platform_state */
	uint64_t next_handle;
	struct sev_guest guests[SEV_MAX_GUESTS];
	GByteArray *launch_data[SEV_MAX_GUESTS]; /* measured plaintext, in order */
	uint8_t asid_flush_pending[(1u << 16) / 8];
	uint64_t df_flush_required;
	uint64_t wbinvd_at_deactivate; /* machine.wbinvd at the last DEACTIVATE */
	uint64_t mem_cycles;
	uint64_t stat_cmds, stat_errors, stat_df_flushes;
};

/* The firmware of a sev / sev-es machine, on the machine the services
 * reach; NULL with a message on other architectures. */
struct sev_psp *sev_psp_create(const struct ccsim_monitor_services *svc, void *host, char *err,
			       size_t errlen);
void sev_psp_destroy(struct sev_psp *p);

/* INIT (§5.2): UNINIT -> INIT. */
enum snp_status sev_init(struct sev_psp *p);
/* LAUNCH_START (§6.2): a new guest (handle 0 in; key sharing with an
 * existing handle is not modelled: INVALID_GUEST) with `policy`, its TIK
 * (NULL: derived from the seed and the handle). *handle gets the handle. */
enum snp_status sev_launch_start(struct sev_psp *p, uint32_t policy, const uint8_t *tik,
				 uint32_t *handle);
/* ACTIVATE (§6.3): load the guest's key into the memory controller for asid. */
enum snp_status sev_activate(struct sev_psp *p, uint32_t handle, uint32_t asid);
/* DEACTIVATE (§6.4): unbind the ASID; it needs DF_FLUSH before reuse. */
enum snp_status sev_deactivate(struct sev_psp *p, uint32_t handle);
/* LAUNCH_UPDATE_DATA (§6.5): measure [pa, pa + len) and encrypt it in place
 * under the guest's key (16-byte aligned and sized). */
enum snp_status sev_launch_update_data(struct sev_psp *p, uint32_t handle, uint64_t pa, uint64_t len);
/* LAUNCH_UPDATE_VMSA (§6.6): the same for a vCPU's VMSA page (ES guests). */
enum snp_status sev_launch_update_vmsa(struct sev_psp *p, uint32_t handle, uint64_t pa, uint64_t len);
/* LAUNCH_MEASURE (§6.7): LUPDATE -> LSECRET, with the measurement. */
enum snp_status sev_launch_measure(struct sev_psp *p, uint32_t handle, struct sev_measurement *out);
/* LAUNCH_FINISH (§6.9): LSECRET -> RUNNING. */
enum snp_status sev_launch_finish(struct sev_psp *p, uint32_t handle);
/* DECOMMISSION (§6.21): forget an inactive guest. */
enum snp_status sev_decommission(struct sev_psp *p, uint32_t handle);
/* DF_FLUSH (§5.6): every deactivated ASID becomes reusable; needs WBINVD
 * on all cores since the last DEACTIVATE. */
enum snp_status sev_df_flush(struct sev_psp *p);

/* The guest with that handle, or NULL. */
const struct sev_guest *sev_guest_find(const struct sev_psp *p, uint32_t handle);
/* Does a guest hold this ASID? Was it deactivated and not yet DF_FLUSHed? */
bool sev_asid_active(const struct sev_psp *p, uint32_t asid);
bool sev_asid_flush_pending(const struct sev_psp *p, uint32_t asid);
/* The owner a guest's VEK is derived for: its own, whatever ASID it runs
 * under (the key travels with the guest, §6.3), apart from the ASIDs the
 * vm actors' keys use. */
#define SEV_VEK_OWNER(handle) (0x10000u + (handle))

#endif
