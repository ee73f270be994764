/* The SNP firmware (models/monitor/snp/snp_fw.c) as a model of the machine
 * on sev-snp profiles: the AMD Secure Processor the hypervisor sends
 * commands to. Its record of the guests, ASID gate and platform state are
 * saved with the simulation; each guest's state is in its context page in
 * DRAM, under the AMD-SP's own key (machine_fw_slot). The RMP goes through
 * the machine's memory path; page contents are read and written at the
 * memory controller, not coherently with the cores' caches (the hypervisor
 * flushes first). SNP_ACTIVATE loads the guest's key into the memory
 * controller's slot for its ASID, and LAUNCH_UPDATE encrypts each page in
 * place under it. */
#ifndef CCSIM_MODELS_MONITOR_SNP_SNP_PSP_H
#define CCSIM_MODELS_MONITOR_SNP_SNP_PSP_H

#include "models/monitor/snp/snp_fw.h"
#include "sim/model.h"

struct machine;

struct snp_psp {
	struct sim_model base;
	struct machine *m;
	struct snp_fw fw;
	unsigned mem_key;     /* the key slot the firmware's page accesses use now */
	uint64_t mem_cycles;  /* memory cycles of the firmware's accesses: its pages and the RMP */
	uint64_t wbinvd_at_decommission; /* machine.wbinvd when a guest was last decommissioned */
	uint64_t stat_cmds, stat_errors;
};

/* NULL if the machine has no RMP. */
struct snp_psp *snp_psp_create(struct sim *s, struct machine *m);
/* SNP_LAUNCH_UPDATE, then the page encrypted in place under the guest's
 * key. */
enum snp_status snp_psp_launch_update(struct snp_psp *p, uint64_t gctx_pa, uint64_t spa,
				      uint64_t gpa, enum snp_page_type type);
/* SNP_DECOMMISSION, noting the WBINVD count; SNP_DF_FLUSH, which (ABI
 * 8.12) returns WBINVD_REQUIRED unless every core ran WBINVD since the last
 * DECOMMISSION. Both gates go with sev.asid_flush_gate = false. */
enum snp_status snp_psp_decommission(struct snp_psp *p, uint64_t gctx_pa);
enum snp_status snp_psp_df_flush(struct snp_psp *p);
/* SNP_ACTIVATE, plus the key load (the firmware's ASID gate follows
 * sev.asid_flush_gate). */
enum snp_status snp_psp_activate(struct snp_psp *p, uint64_t gctx_pa, uint32_t asid);

#endif
