/* Platform profiles: GLib key files (models/platform/profiles/NAME.ini) checked
 * against one schema table. Unknown groups or keys, bad values and values out
 * of range are errors naming file:line; the resolved configuration (every key,
 * defaults included) is echoed into every run's outputs. */
#ifndef CCSIM_PLATFORM_PROFILE_H
#define CCSIM_PLATFORM_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum arch_kind { ARCH_PLAIN, ARCH_CCA, ARCH_SEV, ARCH_SEV_ES, ARCH_SEV_SNP, ARCH_TDX, ARCH_S390_SE };

/* AMD SEV family: per-ASID keys, guests tagged by ASID. */
static inline bool arch_is_sev(uint64_t a)
{
	return a == ARCH_SEV || a == ARCH_SEV_ES || a == ARCH_SEV_SNP;
}

struct platform_config {
	char name[64];
	char description[160];
	uint64_t arch;             /* enum arch_kind */
	uint64_t freq_mhz;
	/* memory */
	uint64_t pa_bits;
	uint64_t dram_latency_ns;
	uint64_t dram_banks;      /* 0: fixed latency; else banks with an open-row policy */
	uint64_t dram_row_bytes;
	uint64_t dram_tcl_ns, dram_trcd_ns, dram_trp_ns;
	uint64_t dram_bandwidth_mbps; /* 0: unlimited */
	uint64_t mem_requests;        /* memory requests in flight (the LLC's miss slots) */
	uint64_t dram_alias_mask; /* address bits the DIMM ignores */
	/* encryption engine */
	uint64_t memenc_mode;     /* enum memenc_mode */
	uint64_t key_slots;
	uint64_t aes_latency;
	uint64_t aes_issue;
	bool encrypt_ns;          /* NS PAS encrypted too (CCA MPE option) */
	/* Arm FEAT_MEC: Realm-PAS accesses carry a MECID selecting the key */
	bool mec;
	uint64_t mecid_width_m1;  /* MECIDR_EL2.MECIDWidthm1: 2^(m1 + 1) MECIDs */
	uint64_t mec_refresh_cycles; /* EL3 reprogramming one MECID's key, beyond the SMC */
	uint64_t mac_latency;
	bool mac_overlap;
	bool owner_only;          /* mac mode without the MAC: TDX Li */
	uint64_t prot_base, prot_size, meta_base; /* ctr-tree: protected region, metadata */
	uint64_t tree_arity;
	uint64_t meta_cache_size, meta_cache_ways, meta_cache_latency;
	/* caches */
	uint64_t cores;           /* physical cores, each with its own L1D */
	bool invd_cleans;          /* invalidate-all from the host also writes back (RME) */
	bool invd_gp;              /* INVD raises #GP(0) and invalidates nothing (SEAM range protected) */
	bool key_coherent;         /* one PA coherent across keys (SME_COHERENT) */
	uint64_t l1_size, l1_ways, l1_latency;
	uint64_t l2_size, l2_ways, l2_latency; /* l2_size 0: no L2 */
	uint64_t llc_size, llc_ways, llc_latency;
	uint64_t l1_mshrs, wb_entries, prefetch_distance, prefetch_streams;
	/* granule protection */
	bool gpc;
	uint64_t gpc_pps_bits;    /* 32, 36, 40, 42, 44, 48, 52 */
	uint64_t gpc_pgs;         /* granule size in bytes: 4096, 16384, 65536 */
	uint64_t gpc_l0gptsz_bits;/* 30, 34, 36, 39 */
	uint64_t gpt_base;        /* PA of the L0 table (Root PAS) */
	uint64_t gpt_l1_base;     /* PA of the first L1 table */
	uint64_t delegable_base;  /* [base, base+size): L1-mapped, may change PAS */
	uint64_t delegable_size;
	uint64_t gpc_tlb_entries; /* GPT information cached in TLBs (D9.5); 0: none */
	bool el3_tlbi;            /* EL3 invalidates after every GPT change */
	/* costs of control transfers */
	uint64_t smc_cycles;      /* SMC round trip to EL3 and back */
	uint64_t world_switch_cycles; /* EL3 <-> realm EL2 switch, each way */
	uint64_t tlbi_cycles;     /* TLBI RPALOS + DSB */
	uint64_t tlb_shootdown_cycles; /* x86 broadcast invalidation: INVLPGB + TLBSYNC */
	uint64_t rob_entries, dispatch_width, store_buffer; /* the core guest code runs on */
	uint64_t tlb_sets, tlb_ways, tlb_hit_cycles; /* per-core unified TLB */
	uint64_t walk_cache;
	/* AMD RMP */
	bool rmp;
	uint64_t rmp_base, rmp_end;
	bool rmp_tlb_coherent;
	bool rmp_every_access;    /* what-if: check every access, cache no verdict in the TLB */
	/* monitors */
	bool rmm;
	/* AMD SEV: ASIDs 1 .. min_sev_asid - 1 are SEV-ES / SEV-SNP ASIDs, the
	 * rest up to memenc.key_slots - 1 plain SEV ones (CPUID 8000_001F) */
	uint64_t min_sev_asid;
	bool asid_flush_gate;     /* firmware refuses a freed ASID until WBINVD + DF_FLUSH */
	bool restricted_injection;
	bool snp_alias_check;     /* SNP_INIT refuses a platform whose DRAM aliases (AMD-SB-3015) */
	uint64_t snp_sockets;     /* sockets of the SNP platform (a SINGLE_SOCKET policy needs 1) */
	uint64_t vc_handler_cycles; /* a guest's #VC handling beyond what the model's handler runs */
	uint64_t es_exit_cycles;    /* an SEV-ES / SNP exit's round trip beyond a plain VM's */ /* SNP: the host injects no event but #HV (APM 15.36.16) */
	uint64_t rmm_timer;        /* 0: the host injects a realm's timer; 1: the RMM does */
	uint64_t rec_entry_cycles, rec_exit_cycles, timer_inject_cycles;
	uint64_t rmm_emulate_cycles; /* a realm's trapped system register access the RMM emulates */
	/* a monitor plug-in in the RMM's place, and one diffed beside it ("": none) */
	char rmm_plugin[256], rmm_diff_plugin[256];
	char snp_plugin[256], sev_plugin[256]; /* the AMD-SP's firmware from a plug-in */
	char tdx_plugin[256];                  /* the TDX module from a plug-in */
	/* Intel TDX: KeyIDs in the top keyid_bits of the physical address
	 * (MK_TME_KEYID_BITS); the top private_keyids of them are TDX private
	 * KeyIDs (HKIDs), 1 .. below them MKTME shared ones, 0 the host's */
	uint64_t tdx_keyid_bits, tdx_private_keyids;
	bool tdx_gpaw;            /* TD GPA width 52 (shared bit 51), else 48 (bit 47) */
	uint64_t tdx_tdmr_base, tdx_tdmr_size; /* the TDMR the module's PAMT covers */
	uint64_t tdx_pamt_base;   /* its PAMT arrays (1G, 2M, 4K), under the global KeyID */
	uint64_t tdx_seamcall_cycles, tdx_td_entry_cycles, tdx_td_exit_cycles, tdx_tdcall_cycles;
	/* the module's single-step defence (tdx_step.c): enum tdx_step_mode,
	 * its thresholds, the TSC's rate (0: freq_mhz) and the cycles between
	 * the module's two TSC reads besides the TD's own */
	uint64_t tdx_step_heuristic, tdx_step_rip_bytes, tdx_step_tsc_threshold, tdx_step_insns;
	uint64_t tdx_step_pm_max, tdx_tsc_mhz, tdx_step_span_cycles;
	bool tdx_alias_check;     /* MCHECK's boot-time DRAM alias check (Intel's ACT-M) */
	/* IBM s390 Secure Execution: the ultravisor (models/monitor/uv), the
	 * sizes its query reports and what its calls cost */
	bool uv;
	uint64_t uv_call_cycles, uv_page_cycles;
	uint64_t uv_base_stor_len, uv_conf_base_len, uv_conf_virt_len, uv_conf_var_len;
	uint64_t uv_cpu_stor_len, uv_max_confs, uv_max_cpu_id, uv_max_guest_stor;
	/* the hypervisor */
	uint64_t host_exit_cycles;
	uint64_t host_cpuid_cycles, host_msr_cycles, host_pio_cycles; /* the host's emulation of each */
	uint64_t host_hypercall_cycles;
	uint64_t vm_switch_cycles;
	uint64_t host_slice_cycles;
	uint64_t blk_latency_ns, blk_mbps; /* the host's block device behind a guest's queue */
	bool dev_trusted;         /* what-if: the guest's devices DMA into its private memory */
	uint64_t net_latency_ns, net_mbps; /* and its network device */
	uint64_t max_cycles;        /* a run stops with an error past this simulated cycle */
};

#define PROFILE_ERR_MAX 512

/* Load `path` (following `inherits = NAME` to a profile in the same folder)
 * into *cfg, starting from the schema defaults. Returns 0, or -1 with
 * "file:line: message" in err. */
int profile_load(const char *path, struct platform_config *cfg, char *err, size_t errlen);
/* The same for `len` bytes of profile text at `text` (NULL: read `path`),
 * named `path` in messages; `inherits` looks beside `path`. */
int profile_load_buf(const char *path, const char *text, size_t len, struct platform_config *cfg,
		     char *err, size_t errlen);
/* Find a profile by name (or take a path): $CCSIM_PROFILE_DIR, then
 * ./models/platform/profiles, then <dir of the ccsim binary>/../models/
 * platform/profiles. Returns 0 and the path, or -1 with a message. */
int profile_find(const char *name_or_path, char *path, size_t pathlen, char *err, size_t errlen);
/* Apply one `group.key=value` override (from --set). */
int profile_set(struct platform_config *cfg, const char *assignment, char *err, size_t errlen);
void profile_defaults(struct platform_config *cfg);
/* The resolved configuration as a JSON object, indented by `indent` levels. */
void profile_dump_json(const struct platform_config *cfg, FILE *f, int indent);
/* A numeric, boolean (0 / 1) or enumerated (the value's index) key by its
 * name "group.key": 0, or -1 if there is none (or it is a string). */
int profile_get(const struct platform_config *cfg, const char *name, uint64_t *value);
/* Every key a profile may set, one a line: GROUP.KEY, its default (file
 * syntax) and what it means, tab-separated. */
void profile_keys_list(FILE *f);
const char *arch_name(enum arch_kind a);

#endif
