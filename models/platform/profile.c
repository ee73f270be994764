/* Profile loading and validation against the schema table; see profile.h. */
#include "models/platform/profile.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "models/memenc/memenc.h"
#include "sim/json.h"

enum key_type { K_U64, K_BOOL, K_STR, K_ENUM };

struct schema_key {
	const char *group;
	const char *key;
	enum key_type type;
	size_t offset;
	size_t size;          /* K_STR capacity */
	uint64_t min, max;    /* K_U64 range */
	const char *const *names; /* K_ENUM values, NULL-terminated */
	const char *def;      /* default, in file syntax */
	const char *desc;
};

static const char *const arch_names[] = { "plain", "cca", "sev", "sev-es", "sev-snp", "tdx", "s390-se",
					   NULL };
static const char *const timer_names[] = { "host", "rmm", NULL };
/* in enum tdx_step_mode order */
static const char *const tdx_step_names[] = { "off", "v1.5", "fixed", NULL };
/* in enum memenc_mode order */
static const char *const memenc_names[] = { "none", "xts", "mac", "ctr-tree", "xe", "xex-linear", NULL };

#define OFF(f) offsetof(struct platform_config, f)
#define U64(g, k, f, lo, hi, d, doc) { g, k, K_U64, OFF(f), 0, lo, hi, NULL, d, doc }
#define BOOL(g, k, f, d, doc) { g, k, K_BOOL, OFF(f), 0, 0, 1, NULL, d, doc }
#define STR(g, k, f, d, doc) { g, k, K_STR, OFF(f), sizeof(((struct platform_config *)0)->f), 0, 0, NULL, d, doc }
#define ENUM(g, k, f, n, d, doc) { g, k, K_ENUM, OFF(f), 0, 0, 0, n, d, doc }

/* Every key a profile may set. Timing values: docs/models.md gives sources. */
static const struct schema_key schema[] = {
	STR("platform", "name", name, "", "profile name (defaults to the file name)"),
	STR("platform", "description", description, "", "one line for humans"),
	STR("platform", "inherits", name, "", "profile this one starts from (same folder)"),
	ENUM("platform", "arch", arch, arch_names, "plain", "architecture personality"),
	U64("platform", "freq_mhz", freq_mhz, 100, 10000, "3000", "nominal core clock"),
	U64("mem", "pa_bits", pa_bits, 32, 52, "40", "physical address size"),
	U64("mem", "dram_latency_ns", dram_latency_ns, 1, 10000, "50", "DRAM access at the controller"),
	U64("mem", "banks", dram_banks, 0, 1024, "0", "DRAM banks with an open-row policy (0: fixed latency)"),
	U64("mem", "row_bytes", dram_row_bytes, 64, 1ull << 20, "8K", "bytes per row per bank"),
	U64("mem", "tcl_ns", dram_tcl_ns, 0, 1000, "14", "CAS latency (row hit)"),
	U64("mem", "trcd_ns", dram_trcd_ns, 0, 1000, "14", "activate to read (row closed)"),
	U64("mem", "trp_ns", dram_trp_ns, 0, 1000, "14", "precharge (row conflict)"),
	U64("mem", "bandwidth_mbps", dram_bandwidth_mbps, 0, 10000000, "307200", "DRAM bandwidth in MB/s, every channel together (0: unlimited); the default is 8 channels of DDR5-4800"),
	U64("mem", "requests", mem_requests, 1, 256, "64", "memory requests a core keeps in flight (the LLC's miss slots, prefetches included)"),
	U64("mem", "alias_mask", dram_alias_mask, 0, 1ull << 52, "0", "address bits the DIMM ignores (aliasing)"),
	ENUM("memenc", "mode", memenc_mode, memenc_names, "none", "memory encryption"),
	U64("memenc", "key_slots", key_slots, 1, 4096, "16", "key slots in the engine"),
	U64("memenc", "aes_latency", aes_latency, 0, 10000, "40", "AES pipeline, cycles per block"),
	U64("memenc", "aes_issue", aes_issue, 0, 1000, "1", "cycles between pipelined blocks"),
	BOOL("memenc", "encrypt_ns", encrypt_ns, "false", "encrypt the NS PAS too"),
	U64("memenc", "mac_latency", mac_latency, 1, 10000, "40", "one MAC computation, cycles (mac, ctr-tree)"),
	BOOL("memenc", "mac_overlap", mac_overlap, "false", "a read forwards its data while its MAC is checked and poisons afterwards (use-then-poison): no MAC latency on reads"),
	BOOL("memenc", "owner_only", owner_only, "false", "mac mode with the TD-owner bit and no MAC (Intel TDX \"Li\", logical integrity): a private read of a line a shared KeyID wrote poisons, altered ciphertext is not detected"),
	U64("memenc", "prot_base", prot_base, 0, 1ull << 52, "0x80000000", "ctr-tree: start of the protected region"),
	U64("memenc", "prot_size", prot_size, 0, 1ull << 52, "1G", "ctr-tree: bytes under the integrity tree"),
	U64("memenc", "meta_base", meta_base, 0, 1ull << 52, "0x100000000", "ctr-tree: where counters and tree nodes live in DRAM"),
	U64("memenc", "tree_arity", tree_arity, 8, 128, "8", "ctr-tree: 8 (MEE), 64 or 128 (split counters)"),
	U64("memenc", "meta_cache_size", meta_cache_size, 1024, 1ull << 26, "64K", "ctr-tree: metadata cache bytes"),
	U64("memenc", "meta_cache_ways", meta_cache_ways, 2, 64, "8", "ctr-tree: metadata cache ways"),
	U64("memenc", "meta_cache_latency", meta_cache_latency, 1, 1000, "2", "ctr-tree: metadata cache hit, cycles"),
	BOOL("mec", "enabled", mec, "false", "Arm FEAT_MEC (arch = cca): each Realm-PAS access carries a memory encryption context identifier (MECID) that selects its key in the engine, one key slot per MECID beside the four PAS keys; MECID 0 is the Realm PAS's own key (the RMM's)"),
	U64("mec", "mecid_width_m1", mecid_width_m1, 0, 10, "3", "MECIDR_EL2.MECIDWidthm1 (Arm ARM, FEAT_MEC): MECIDs are m1 + 1 bits, 2^(m1 + 1) of them; the RMM offers the host 2^(m1 + 1) - 1 of them (MECID 0 is its own)"),
	U64("mec", "refresh_cycles", mec_refresh_cycles, 0, 10000000, "500", "EL3's refresh of one MECID's key in the engine (the RMM asks it when it assigns or releases a MECID), beyond the SMC round trip (platform.smc_cycles)"),
	U64("cache", "cores", cores, 1, 16, "1", "cores, each with a private L1D (the LLC is shared)"),
	BOOL("cache", "invd_cleans", invd_cleans, "false", "a host invalidate-all (INVD, DC ISW loop) writes dirty lines back first"),
	BOOL("cache", "invd_gp", invd_gp, "false", "INVD raises #GP(0) and invalidates nothing, as on a processor whose SEAM range (TDX) or processor reserved memory (SGX) is protected"),
	BOOL("cache", "key_coherent", key_coherent, "false", "the caches keep one PA coherent across keys: a line filled under one key evicts the PA's lines under others, and the firmware's DRAM accesses snoop them (AMD SME_COHERENT, CPUID 8000_001F EAX[10]); hosts then need no cache flush before handing pages over"),
	U64("cache", "l1_size", l1_size, 1024, 1ull << 30, "32K", "L1D bytes"),
	U64("cache", "l1_ways", l1_ways, 1, 64, "8", "L1D ways"),
	U64("cache", "l1_latency", l1_latency, 1, 1000, "4", "L1D hit, cycles"),
	U64("cache", "l1_mshrs", l1_mshrs, 0, 1024, "24", "L1D misses in flight at once (0: no limit)"),
	U64("cache", "l2_size", l2_size, 0, 1ull << 30, "0", "private L2 bytes per core, between the L1D and the LLC (0: none)"),
	U64("cache", "l2_ways", l2_ways, 1, 64, "8", "L2 ways"),
	U64("cache", "l2_latency", l2_latency, 1, 1000, "10", "L2 lookup, cycles added after the L1D's (an L2 hit's load-to-use: l1_latency + l2_latency)"),
	U64("cache", "llc_size", llc_size, 1024, 1ull << 34, "2M", "LLC bytes"),
	U64("cache", "llc_ways", llc_ways, 1, 64, "16", "LLC ways"),
	U64("cache", "llc_latency", llc_latency, 1, 10000, "40", "LLC lookup, cycles added after the levels above it"),
	U64("cache", "wb_entries", wb_entries, 1, 256, "16", "write-back buffer entries between the LLC and memory"),
	U64("cache", "prefetch_distance", prefetch_distance, 0, 63, "32", "lines a confirmed stream is prefetched ahead of its loads, within a 4 KB page (0: no prefetcher)"),
	U64("cache", "prefetch_streams", prefetch_streams, 1, 64, "16", "streams the prefetcher tracks"),
	BOOL("gpc", "enabled", gpc, "false", "granule protection checks (Arm RME)"),
	U64("gpc", "pps_bits", gpc_pps_bits, 32, 52, "40", "protected physical space (GPCCR_EL3.PPS)"),
	U64("gpc", "pgs", gpc_pgs, 4096, 65536, "4K", "physical granule size (GPCCR_EL3.PGS)"),
	U64("gpc", "l0gptsz_bits", gpc_l0gptsz_bits, 30, 39, "30", "bytes covered by one L0 entry, log2"),
	U64("gpc", "gpt_base", gpt_base, 0, 1ull << 52, "0xbffc0000", "PA of the L0 GPT (inside the L1-mapped range, made Root)"),
	U64("gpc", "gpt_l1_base", gpt_l1_base, 0, 1ull << 52, "0xbffe0000", "PA of the first L1 GPT (inside the L1-mapped range, made Root)"),
	U64("gpc", "delegable_base", delegable_base, 0, 1ull << 52, "0x80000000", "start of the L1-mapped (delegable) range"),
	U64("gpc", "delegable_size", delegable_size, 0, 1ull << 52, "1G", "size of the delegable range"),
	U64("gpc", "tlb_entries", gpc_tlb_entries, 0, 1u << 20, "1024", "granules whose GPT information TLBs hold (0: walk every access; a power of two)"),
	BOOL("gpc", "el3_tlbi", el3_tlbi, "true", "EL3 issues TLBI RPALOS after each GPT change (false: the missing-invalidation bug)"),
	U64("cpu", "smc_cycles", smc_cycles, 0, 1000000, "400", "SMC to EL3 and back"),
	U64("cpu", "world_switch_cycles", world_switch_cycles, 0, 1000000, "1200", "EL3 <-> realm EL2, each way"),
	U64("cpu", "tlbi_cycles", tlbi_cycles, 0, 1000000, "200", "TLBI RPALOS + DSB"),
	U64("cpu", "tlb_shootdown_cycles", tlb_shootdown_cycles, 0, 1000000, "1000", "a broadcast TLB invalidation and its completion (INVLPGB + TLBSYNC; the global flush an RMP change triggers)"),
	U64("cpu", "rob_entries", rob_entries, 1, 1024, "320", "reorder buffer: instructions in flight in a guest core's out-of-order window"),
	U64("cpu", "dispatch_width", dispatch_width, 1, 16, "4", "instructions entering the window per cycle"),
	U64("cpu", "store_buffer", store_buffer, 1, 256, "64", "stores waiting to be written to the L1D, in order"),
	U64("cpu", "tlb_sets", tlb_sets, 1, 65536, "256", "per-core TLB sets (a power of two)"),
	U64("cpu", "tlb_ways", tlb_ways, 1, 64, "8", "per-core TLB ways"),
	U64("cpu", "tlb_hit_cycles", tlb_hit_cycles, 0, 1000, "1", "TLB hit latency"),
	U64("cpu", "walk_cache", walk_cache, 0, 1024, "0", "per-core walk-cache entries: upper-level table entries and the nested translations of guest table pages a walk reuses (0: every walk from the root)"),
	BOOL("rmp", "enabled", rmp, "false", "AMD SEV-SNP reverse map table: checked when a translation is filled, cached with it in the TLB"),
	U64("rmp", "base", rmp_base, 0, 1ull << 52, "0x7000000", "RMP_BASE: first byte of the table"),
	U64("rmp", "end", rmp_end, 0, 1ull << 52, "0x8003fff", "RMP_END: last byte (16 KB + 16 B per 4 KB of memory)"),
	BOOL("rmp", "tlb_coherent", rmp_tlb_coherent, "true", "every RMP change flushes every core's TLB, as hardware does (false: cached RMP results stay until the host invalidates them)"),
	BOOL("rmp", "every_access", rmp_every_access, "false", "what-if: the RMP check on every access (an RMP entry read each time) instead of once per TLB fill, its verdict cached with the translation as hardware does"),
	U64("sev", "min_sev_asid", min_sev_asid, 1, 4096, "1", "first plain-SEV ASID: 1 .. min_sev_asid - 1 are for SEV-ES / SEV-SNP guests (the split the BIOS sets)"),
	BOOL("sev", "asid_flush_gate", asid_flush_gate, "true", "a decommissioned ASID is refused until WBINVD and DF_FLUSH (false: the gate is gone, to show the hazard)"),
	BOOL("sev", "snp_alias_check", snp_alias_check, "false", "the SNP firmware carries AMD's BadRAM mitigation (AMD-SB-3015): SNP_INIT checks system memory for DRAM aliases and refuses an aliasing platform; reports then carry ALIAS_CHECK_COMPLETE"),
	U64("sev", "sockets", snp_sockets, 1, 2, "1", "processor sockets of an SNP platform: on 2, a guest policy asking for SINGLE_SOCKET is refused at SNP_LAUNCH_START (SNP ABI 4.3)"),
	BOOL("sev", "restricted_injection", restricted_injection, "false", "SNP guests run with Restricted Injection (SEV_FEATURES bit 3): the host may inject no event but #HV"),
	U64("sev", "vc_handler_cycles", vc_handler_cycles, 0, 1000000, "0", "what a Linux SEV-ES / SNP guest's #VC handler spends beyond the model's handler (decoding the faulting instruction, dispatch)"),
	U64("sev", "es_exit_cycles", es_exit_cycles, 0, 10000000, "0", "an SEV-ES / SNP guest's exit round trip beyond a plain VM's: the encrypted VMSA's save and restore by hardware, the host state it restores, the host's GHCB handling"),
	BOOL("rmm", "present", rmm, "false", "Realm Management Monitor in the realm world"),
	ENUM("rmm", "timer", rmm_timer, timer_names, "host", "who delivers a realm's virtual timer: the host (every tick exits to NS) or the RMM itself"),
	U64("rmm", "rec_entry_cycles", rec_entry_cycles, 0, 1000000, "400", "RMM REC entry path: checks, context restore"),
	U64("rmm", "rec_exit_cycles", rec_exit_cycles, 0, 1000000, "400", "RMM REC exit path: context save, exit syndrome"),
	U64("rmm", "timer_inject_cycles", timer_inject_cycles, 0, 1000000, "300", "rmm.timer = rmm: take the timer IRQ at R-EL2 and inject it"),
	U64("rmm", "emulate_cycles", rmm_emulate_cycles, 0, 1000000, "300", "a realm's trapped system register access (its CPUID, MSR reads) the RMM answers without an exit"),
	STR("rmm", "plugin", rmm_plugin, "", "a monitor plug-in (shared library) that replaces the built-in RMM: ccsim run --monitor rmm=PATH; docs/monitor-api.md"),
	STR("rmm", "diff_plugin", rmm_diff_plugin, "", "a monitor plug-in run in lock-step beside the RMM, each call's effects compared: ccsim run --diff-monitor rmm=PATH"),
	STR("snp", "plugin", snp_plugin, "", "a monitor plug-in (shared library) that replaces the built-in SEV-SNP firmware: ccsim run --monitor snp=PATH; docs/monitor-api.md"),
	STR("tdx", "plugin", tdx_plugin, "", "a monitor plug-in (shared library) that replaces the built-in TDX module: ccsim run --monitor tdx=PATH; docs/monitor-api.md"),
	STR("sev", "plugin", sev_plugin, "", "a monitor plug-in (shared library) that replaces the built-in SEV firmware (sev, sev-es): ccsim run --monitor sev=PATH; docs/monitor-api.md"),
	U64("tdx", "keyid_bits", tdx_keyid_bits, 1, 15, "6", "MK_TME_KEYID_BITS: KeyID bits at the top of the physical address (mem.pa_bits); memenc.key_slots must be 2^keyid_bits, one slot per KeyID"),
	U64("tdx", "private_keyids", tdx_private_keyids, 1, 32767, "32", "TDX private KeyIDs (HKIDs), the highest ones; 1 .. 2^keyid_bits - private_keyids - 1 are MKTME shared KeyIDs, 0 the host's"),
	BOOL("tdx", "gpaw", tdx_gpaw, "false", "TD GPA width: false 48 bits with GPA.SHARED at bit 47 (4-level Secure EPT), true 52 bits with it at bit 51 (5-level)"),
	U64("tdx", "tdmr_base", tdx_tdmr_base, 0, 1ull << 52, "0x80000000", "the TDMR the TDX module covers with its PAMT: TD pages and control structures come from it (1 GB aligned)"),
	U64("tdx", "tdmr_size", tdx_tdmr_size, 1ull << 30, 1ull << 40, "1G", "its size (a multiple of 1 GB)"),
	U64("tdx", "pamt_base", tdx_pamt_base, 0, 1ull << 52, "0x7000000", "the PAMT arrays (16 bytes per 1 GB, 2 MB and 4 KB page of the TDMR), memory the host gives the module at TDH.SYS.CONFIG, encrypted under its global private KeyID"),
	U64("tdx", "seamcall_cycles", tdx_seamcall_cycles, 0, 1000000, "0", "SEAMCALL into the TDX module and SEAMRET back (the VMX transitions and the module's entry and exit code), besides the leaf's work"),
	U64("tdx", "td_entry_cycles", tdx_td_entry_cycles, 0, 1000000, "0", "TDH.VP.ENTER's way into the TD: TDVPS state checks and restore, VM entry"),
	U64("tdx", "td_exit_cycles", tdx_td_exit_cycles, 0, 1000000, "0", "a TD exit back to the host: VM exit into the module, TD state save and scrub, SEAMRET"),
	U64("tdx", "tdcall_cycles", tdx_tdcall_cycles, 0, 1000000, "0", "a TDCALL the module answers inside the TD: VM exit into SEAM, dispatch, VM entry back"),
	ENUM("tdx", "step_heuristic", tdx_step_heuristic, tdx_step_names, "v1.5", "the module's single-step defence on an interrupt exit: v1.5 (module 1.5.01: RIP moved more than step_rip_bytes or more than step_tsc_threshold TSC ticks since the entry), fixed (1.5.06 on: more than one instruction retired, unless the TD uses PERFMON), off"),
	U64("tdx", "step_rip_bytes", tdx_step_rip_bytes, 0, 1ull << 20, "32", "v1.5: RIP distance from the entry's that proves progress (INTEL64_MAX_INST_LEN * 2)"),
	U64("tdx", "step_tsc_threshold", tdx_step_tsc_threshold, 0, 1ull << 40, "4096", "TSC ticks between the entry and the exit that prove progress (STEPPING_TSC_THRESHOLD)"),
	U64("tdx", "step_insns", tdx_step_insns, 1, 1000, "2", "fixed: instructions retired since the entry that prove progress (inst_retired > 1)"),
	U64("tdx", "step_pm_max", tdx_step_pm_max, 1, 1ull << 16, "32", "prevention mode single-steps (LFSR & (max - 1)) + 1 instructions (a power of two)"),
	U64("tdx", "tsc_mhz", tdx_tsc_mhz, 0, 10000, "0", "the TSC's constant rate (0: platform.freq_mhz); the host may clock the core below it"),
	BOOL("tdx", "alias_check", tdx_alias_check, "true", "the platform checks DRAM for aliases at boot (Intel's Alias Checking Trusted Module, with MCHECK): memory with an alias is no verified CMR, so TDH.SYS.CONFIG refuses the TDMR (tdx.tdmr_outside_cmrs) and no TD is built"),
	U64("tdx", "step_span_cycles", tdx_step_span_cycles, 0, 1000000, "0", "core cycles between the module's TSC read before a TD entry and its read after the exit, besides the TD's own (VM entry, VM exit, BHB drain); also one prevention-mode step's exit and re-entry"),
	BOOL("uv", "enabled", uv, "false", "IBM Secure Execution's ultravisor (s390): secure configurations and CPUs through UVCs, secure storage guarded by access exceptions"),
	U64("uv", "call_cycles", uv_call_cycles, 0, 10000000, "0", "an ultravisor call's fixed cost: the UVC instruction into the ultravisor's firmware and back, its checks, besides the pages it works on"),
	U64("uv", "page_cycles", uv_page_cycles, 0, 10000000, "0", "the ultravisor's cryptographic work on one 4 KiB page (AES-XTS decryption at unpack, AES-GCM at export and import), besides its memory accesses"),
	U64("uv", "base_stor_len", uv_base_stor_len, 4096, 1ull << 40, "1M", "donated storage the ultravisor asks at INIT_UV (QUI uv_base_stor_len)"),
	U64("uv", "conf_base_len", uv_conf_base_len, 4096, 1ull << 32, "64K", "donated base storage per secure configuration (QUI conf_base_phys_stor_len)"),
	U64("uv", "conf_virt_len", uv_conf_virt_len, 0, 1ull << 32, "16K", "variable storage per configuration, the fixed part (QUI conf_base_virt_stor_len)"),
	U64("uv", "conf_var_len", uv_conf_var_len, 0, 1ull << 32, "4K", "variable storage per configuration and MB of guest storage (QUI conf_virt_var_stor_len)"),
	U64("uv", "cpu_stor_len", uv_cpu_stor_len, 4096, 1ull << 32, "16K", "donated storage per secure CPU (QUI cpu_stor_len)"),
	U64("uv", "max_confs", uv_max_confs, 1, 8, "8", "secure configurations at once (QUI max_num_sec_conf; the model keeps at most 8)"),
	U64("uv", "max_cpu_id", uv_max_cpu_id, 0, 15, "15", "highest secure CPU number (QUI max_guest_cpu_id; the model keeps at most 16 CPUs)"),
	U64("uv", "max_guest_stor", uv_max_guest_stor, 1ull << 20, 1ull << 52, "0x10000000000", "highest guest storage address a configuration may reach (QUI max_guest_stor_addr)"),
	U64("host", "exit_cycles", host_exit_cycles, 0, 10000000, "1500", "hypervisor run-loop work per guest exit, besides its memory traffic"),
	U64("host", "cpuid_cycles", host_cpuid_cycles, 0, 10000000, "0", "the host's emulation of a CPUID, besides the exit"),
	U64("host", "msr_cycles", host_msr_cycles, 0, 10000000, "0", "the host's emulation of an RDMSR / WRMSR, besides the exit"),
	U64("host", "pio_cycles", host_pio_cycles, 0, 10000000, "0", "the host's emulation of a port access (an in-kernel device), besides the exit"),
	U64("host", "hypercall_cycles", host_hypercall_cycles, 0, 10000000, "0", "the host's handling of a hypercall (a host call), besides the exit"),
	U64("host", "vm_switch_cycles", vm_switch_cycles, 0, 1000000, "500", "trap from a (non-confidential) guest to EL2, or the return, each way"),
	U64("host", "blk_latency_ns", blk_latency_ns, 0, 1000000000, "10000", "the host side of one block request: from the guest's notify to the completion the host signals (the backend's I/O, the host's queue handling), besides the exits"),
	BOOL("host", "dev_trusted", dev_trusted, "false", "what-if: the guest's block and network devices are trusted (TDISP with SEV-TIO / RME-DA): their DMA carries the guest's identity (its key and ASID, the realm PAS), so a confidential guest may give them private buffers (bounce=0) instead of bouncing through shared memory"),
	U64("host", "blk_mbps", blk_mbps, 0, 1000000000, "0", "the host block backend's bandwidth: a request of n bytes adds n / bandwidth (0: unlimited)"),
	U64("host", "net_latency_ns", net_latency_ns, 0, 1000000000, "10000", "the host side of one packet, from the guest's notify to the completion the host signals (vhost and the NIC for a send; for a receive, the next packet's arrival), besides the exits"),
	U64("host", "net_mbps", net_mbps, 0, 1000000000, "1250", "the network's bandwidth: a packet of n bytes adds n / bandwidth (default: 10 Gb/s Ethernet)"),
	U64("host", "slice_cycles", host_slice_cycles, 1000, 1ull << 40, "3000000", "host scheduler tick: longest a guest runs before a host interrupt exits it"),
	U64("limits", "max_cycles", max_cycles, 1000, 1ull << 62, "1000000000", "simulated cycles a run may reach: past them it stops with an error (a guest that never stops); a dense guest loop reaches the default in minutes"),
};
#define NSCHEMA (sizeof(schema) / sizeof(schema[0]))

const char *arch_name(enum arch_kind a)
{
	return a <= ARCH_S390_SE ? arch_names[a] : "?";
}

static const struct schema_key *schema_lookup(const char *group, const char *key)
{
	for (size_t i = 0; i < NSCHEMA; i++)
		if (strcmp(schema[i].group, group) == 0 && strcmp(schema[i].key, key) == 0)
			return &schema[i];
	return NULL;
}

static bool schema_has_group(const char *group)
{
	for (size_t i = 0; i < NSCHEMA; i++)
		if (strcmp(schema[i].group, group) == 0)
			return true;
	return false;
}

/* Numbers: decimal or 0x hex, '_' separators, optional K/M/G/T (binary). */
static bool parse_u64(const char *s, uint64_t *out)
{
	char buf[80];
	size_t n = 0;
	for (const char *p = s; *p; p++)
		if (*p != '_') {
			if (n == sizeof(buf) - 1)
				return false;
			buf[n++] = *p;
		}
	buf[n] = '\0';
	if (n == 0 || !g_ascii_isdigit(buf[0]))
		return false;
	char *end;
	errno = 0;
	/* Decimal unless 0x: a leading zero is not octal. */
	bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	const char *digits = hex ? buf + 2 : buf;
	if (!g_ascii_isxdigit(digits[0]) || strchr(digits, 'x') || strchr(digits, 'X'))
		return false;
	unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno || end == buf)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: break;
	}
	if (*end != '\0')
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static int set_value(struct platform_config *cfg, const struct schema_key *k, const char *val,
		     char *why, size_t whylen)
{
	uint8_t *base = (uint8_t *)cfg;
	uint64_t v;
	switch (k->type) {
	case K_STR:
		if (strlen(val) >= k->size) {
			snprintf(why, whylen, "%s.%s: expected at most %zu characters", k->group, k->key,
				 k->size - 1);
			return -1;
		}
		memcpy(base + k->offset, val, strlen(val) + 1);
		return 0;
	case K_BOOL:
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0 || strcmp(val, "yes") == 0)
			*(bool *)(base + k->offset) = true;
		else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0 || strcmp(val, "no") == 0)
			*(bool *)(base + k->offset) = false;
		else {
			snprintf(why, whylen, "%s.%s: expected true or false, got \"%s\"", k->group,
				 k->key, val);
			return -1;
		}
		return 0;
	case K_ENUM:
		for (uint64_t i = 0; k->names[i]; i++)
			if (strcmp(k->names[i], val) == 0) {
				*(uint64_t *)(base + k->offset) = i;
				return 0;
			}
		{
			GString *alts = g_string_new(NULL);
			for (int i = 0; k->names[i]; i++)
				g_string_append_printf(alts, "%s%s", i ? " | " : "", k->names[i]);
			snprintf(why, whylen, "%s.%s: expected one of %s, got \"%s\"", k->group, k->key,
				 alts->str, val);
			g_string_free(alts, TRUE);
		}
		return -1;
	case K_U64:
		if (!parse_u64(val, &v)) {
			snprintf(why, whylen, "%s.%s: expected a number (decimal, 0x hex, K/M/G suffix), got \"%s\"",
				 k->group, k->key, val);
			return -1;
		}
		if (v < k->min || v > k->max) {
			snprintf(why, whylen, "%s.%s: %s is out of range [%llu, %llu]", k->group, k->key, val,
				 (unsigned long long)k->min, (unsigned long long)k->max);
			return -1;
		}
		*(uint64_t *)(base + k->offset) = v;
		return 0;
	}
	return -1;
}

void profile_defaults(struct platform_config *cfg)
{
	char why[256];
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NSCHEMA; i++) {
		if (strcmp(schema[i].key, "inherits") == 0)
			continue;
		int rc = set_value(cfg, &schema[i], schema[i].def, why, sizeof(why));
		g_assert(rc == 0);
	}
}

/* Line of `[group]` (key == NULL) or of `key =` inside it, for messages. */
static int find_line(const char *text, const char *group, const char *key)
{
	char **lines = g_strsplit(text, "\n", -1);
	bool in_group = false;
	int found = 0;
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (l[0] == '[') {
			in_group = strncmp(l + 1, group, strlen(group)) == 0 && l[1 + strlen(group)] == ']';
			if (in_group && !key) {
				found = i + 1;
				break;
			}
			continue;
		}
		if (in_group && key && strncmp(l, key, strlen(key)) == 0) {
			const char *p = l + strlen(key);
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '=') {
				found = i + 1;
				break;
			}
		}
	}
	g_strfreev(lines);
	return found;
}

/* GKeyFile's own errors carry no line; find the first line it cannot take. */
static int first_bad_line(const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	int bad = 0;
	bool in_group = false;
	for (int i = 0; lines[i] && !bad; i++) {
		char *l = g_strstrip(lines[i]);
		if (!l[0] || l[0] == '#' || l[0] == ';')
			continue;
		if (l[0] == '[') {
			if (l[strlen(l) - 1] != ']')
				bad = i + 1;
			in_group = true;
			continue;
		}
		if (!strchr(l, '=') || l[0] == '=' || !in_group)
			bad = i + 1;
	}
	g_strfreev(lines);
	return bad ? bad : 1;
}

/* Load the profile `path`: its text is `given` (len bytes) if not NULL, else
 * read from the file; a parent it inherits is always read. */
static int load_depth(const char *path, const char *given, size_t glen, struct platform_config *cfg,
		      char *err, size_t errlen, int depth)
{
	gchar *text = NULL;
	GError *gerr = NULL;
	GKeyFile *kf = NULL;
	gchar **groups = NULL;
	char why[384];
	int rc = -1;

	if (depth > 8) {
		snprintf(err, errlen, "%s:1: inherits nests deeper than 8 profiles (a loop?)", path);
		return -1;
	}
	gsize len = 0;
	if (given) {
		len = glen;
		text = g_malloc(len + 1);
		memcpy(text, given, len);
		text[len] = '\0';
	} else if (!g_file_get_contents(path, &text, &len, &gerr)) {
		snprintf(err, errlen, "%s: cannot read profile: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	/* text only: a NUL would end the file unseen, and GLib refuses keys
	 * that are not UTF-8 */
	const gchar *stop = memchr(text, '\0', len);
	if (stop || !g_utf8_validate(text, (gssize)len, &stop)) {
		int line = 1;
		for (const gchar *c = text; c < stop; c++)
			line += *c == '\n';
		snprintf(err, errlen, "%s:%d: %s (a profile is UTF-8 text)", path, line,
			 *stop ? "not UTF-8" : "a NUL byte");
		g_free(text);
		return -1;
	}
	kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &gerr)) {
		snprintf(err, errlen, "%s:%d: expected [group] or key = value: %s", path,
			 first_bad_line(text), gerr->message);
		g_error_free(gerr);
		goto out;
	}
	/* Parent first, so this file's keys override it. */
	gchar *parent = g_key_file_get_string(kf, "platform", "inherits", NULL);
	if (parent) {
		char ppath[PATH_MAX];
		gchar *dir = g_path_get_dirname(path);
		snprintf(ppath, sizeof(ppath), "%s/%s.ini", dir, g_strstrip(parent));
		g_free(dir);
		if (!g_file_test(ppath, G_FILE_TEST_EXISTS)) {
			snprintf(err, errlen, "%s:%d: platform.inherits: no profile \"%s\" beside this file",
				 path, find_line(text, "platform", "inherits"), parent);
			g_free(parent);
			goto out;
		}
		g_free(parent);
		if (load_depth(ppath, NULL, 0, cfg, err, errlen, depth + 1))
			goto out;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (int g = 0; groups[g]; g++) {
		if (!schema_has_group(groups[g])) {
			snprintf(err, errlen, "%s:%d: unknown group [%s] (expected platform, mem, memenc, cache, gpc, cpu, rmp, sev, rmm, tdx, uv, host, limits)",
				 path, find_line(text, groups[g], NULL), groups[g]);
			goto out;
		}
		gchar **keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);
		for (int k = 0; keys[k]; k++) {
			const struct schema_key *sk = schema_lookup(groups[g], keys[k]);
			int line = find_line(text, groups[g], keys[k]);
			if (!sk) {
				snprintf(err, errlen, "%s:%d: unknown key \"%s\" in [%s] (see docs/profiles.md)",
					 path, line, keys[k], groups[g]);
				g_strfreev(keys);
				goto out;
			}
			if (strcmp(sk->key, "inherits") == 0)
				continue;
			gchar *val = g_key_file_get_string(kf, groups[g], keys[k], NULL);
			int bad = set_value(cfg, sk, g_strstrip(val), why, sizeof(why));
			g_free(val);
			if (bad) {
				snprintf(err, errlen, "%s:%d: %s", path, line, why);
				g_strfreev(keys);
				goto out;
			}
		}
		g_strfreev(keys);
	}
	rc = 0;
out:
	g_strfreev(groups);
	if (kf)
		g_key_file_free(kf);
	g_free(text);
	return rc;
}

#define PROFILE_MAX_DELEGABLE (16ull << 30)
#define PROFILE_MAX_RMP (64ull << 20)

/* The TDX keys agree with each other and the memory they describe. */
static bool check_tdx(const struct platform_config *cfg, const char **why)
{
	uint64_t keyids = 1ull << cfg->tdx_keyid_bits;
	uint64_t pamt = cfg->tdx_tdmr_size / (1ull << 30) * 16 * (1 + 512 + 512 * 512);
	if (cfg->key_slots != keyids)
		*why = "tdx.keyid_bits: memenc.key_slots must be 2^keyid_bits (one slot per KeyID)";
	else if (cfg->tdx_private_keyids + 2 > keyids)
		*why = "tdx.private_keyids: leave KeyID 0 to the host and at least one private KeyID "
		       "for the module's global KeyID";
	else if (cfg->pa_bits < cfg->tdx_keyid_bits + 32)
		*why = "tdx.keyid_bits: leaves fewer than 32 address bits below the KeyID (mem.pa_bits)";
	else if (cfg->tdx_step_pm_max & (cfg->tdx_step_pm_max - 1))
		*why = "tdx.step_pm_max: a power of two (the module masks its LFSR)";
	else if (cfg->tdx_tdmr_base % (1ull << 30) || cfg->tdx_tdmr_size % (1ull << 30) ||
		 cfg->tdx_tdmr_base + cfg->tdx_tdmr_size > 1ull << (cfg->pa_bits - cfg->tdx_keyid_bits))
		*why = "tdx.tdmr_base/size: a 1 GB aligned range below the KeyID bits";
	else if (cfg->tdx_pamt_base % 4096 ||
		 cfg->tdx_pamt_base + pamt > 1ull << (cfg->pa_bits - cfg->tdx_keyid_bits) ||
		 (cfg->tdx_pamt_base < cfg->tdx_tdmr_base + cfg->tdx_tdmr_size &&
		  cfg->tdx_pamt_base + pamt > cfg->tdx_tdmr_base))
		*why = "tdx.pamt_base: a 4 KB aligned home for the PAMT (16 bytes per 1 GB, 2 MB and "
		       "4 KB page of the TDMR) outside the TDMR, below the KeyID bits";
	else if (cfg->memenc_mode != MEMENC_MAC && cfg->memenc_mode != MEMENC_XTS)
		*why = "memenc.mode: TDX encrypts with AES-XTS, with (mac) or without (xts) integrity";
	else
		return false;
	return true;
}

static int check_consistency(const char *path, struct platform_config *cfg, char *err, size_t errlen)
{
	const char *why = NULL;
	if (cfg->gpc_pgs != 4096 && cfg->gpc_pgs != 16384 && cfg->gpc_pgs != 65536)
		why = "gpc.pgs: expected 4K, 16K or 64K";
	else if (cfg->gpc_pps_bits != 32 && cfg->gpc_pps_bits != 36 && cfg->gpc_pps_bits != 40 &&
		 cfg->gpc_pps_bits != 42 && cfg->gpc_pps_bits != 44 && cfg->gpc_pps_bits != 48 &&
		 cfg->gpc_pps_bits != 52)
		why = "gpc.pps_bits: expected 32, 36, 40, 42, 44, 48 or 52";
	else if (cfg->gpc_l0gptsz_bits != 30 && cfg->gpc_l0gptsz_bits != 34 &&
		 cfg->gpc_l0gptsz_bits != 36 && cfg->gpc_l0gptsz_bits != 39)
		why = "gpc.l0gptsz_bits: expected 30, 34, 36 or 39";
	else if (cfg->gpc && cfg->gpc_pps_bits > cfg->pa_bits)
		why = "gpc.pps_bits: larger than mem.pa_bits";
	else if (cfg->gpc && (cfg->delegable_base % cfg->gpc_pgs || cfg->delegable_size % cfg->gpc_pgs))
		why = "gpc.delegable_base/size: expected multiples of the granule size";
	else if (cfg->gpc && (cfg->delegable_size > PROFILE_MAX_DELEGABLE ||
			      cfg->delegable_base + cfg->delegable_size > 1ull << cfg->gpc_pps_bits))
		why = "gpc.delegable_base/size: the range must lie inside the protected physical "
		      "space (gpc.pps_bits) and span at most 16 GiB (the model keeps its L1 GPT and "
		      "each granule's state)";
	else if (cfg->rmp && (cfg->rmp_end >= 1ull << cfg->pa_bits || cfg->rmp_end < cfg->rmp_base ||
			      cfg->rmp_end - cfg->rmp_base >= PROFILE_MAX_RMP))
		why = "rmp.base/end: the table must lie inside memory (mem.pa_bits) and take at most "
		      "64 MiB (it covers 16 TiB)";
	else if (cfg->gpc_tlb_entries & (cfg->gpc_tlb_entries - 1))
		why = "gpc.tlb_entries: expected 0 or a power of two";
	else if (cfg->tree_arity != 8 && cfg->tree_arity != 64 && cfg->tree_arity != 128)
		why = "memenc.tree_arity: expected 8, 64 or 128";
	else if (cfg->memenc_mode == MEMENC_CTR_TREE && (cfg->prot_size == 0 || cfg->prot_base % 64 ||
							 cfg->prot_size % 64 || cfg->meta_base % 64))
		why = "memenc.prot_base/prot_size/meta_base: expected a non-empty, 64-byte aligned region";
	else if (cfg->arch == ARCH_TDX && check_tdx(cfg, &why))
		;
	else if (cfg->rmm && !cfg->gpc)
		why = "rmm.present: the RMM needs gpc.enabled = true";
	else if ((cfg->rmm_plugin[0] || cfg->rmm_diff_plugin[0]) && !cfg->rmm)
		why = "rmm.plugin / rmm.diff_plugin: the profile has no RMM (rmm.present = false)";
	else if (cfg->snp_plugin[0] && cfg->arch != ARCH_SEV_SNP)
		why = "snp.plugin: the SNP firmware runs on sev-snp profiles only";
	else if (cfg->sev_plugin[0] && cfg->arch != ARCH_SEV && cfg->arch != ARCH_SEV_ES)
		why = "sev.plugin: the SEV firmware runs on sev and sev-es profiles only";
	else if (cfg->tdx_plugin[0] && cfg->arch != ARCH_TDX)
		why = "tdx.plugin: the TDX module runs on tdx profiles only";
	else if (cfg->mec && cfg->arch != ARCH_CCA)
		why = "mec.enabled: FEAT_MEC needs platform.arch = cca";
	else if (cfg->mec && (1ull << (cfg->mecid_width_m1 + 1)) - 1 + cfg->key_slots > MEMENC_SLOTS_MAX)
		why = "mec.mecid_width_m1: a key slot per MECID beside memenc.key_slots exceeds the engine's 4096";
	else if (cfg->uv && cfg->arch != ARCH_S390_SE)
		why = "uv.enabled: the ultravisor needs platform.arch = s390-se";
	else if (cfg->l1_size % (64 * cfg->l1_ways) || cfg->llc_size % (64 * cfg->llc_ways) ||
		 cfg->l2_size % (64 * cfg->l2_ways))
		why = "cache: size must be a multiple of 64 * ways";
	if (!why)
		return 0;
	snprintf(err, errlen, "%s: inconsistent profile: %s", path, why);
	return -1;
}

int profile_load(const char *path, struct platform_config *cfg, char *err, size_t errlen)
{
	return profile_load_buf(path, NULL, 0, cfg, err, errlen);
}

int profile_load_buf(const char *path, const char *text, size_t len, struct platform_config *cfg,
		     char *err, size_t errlen)
{
	profile_defaults(cfg);
	cfg->name[0] = '\0';
	if (load_depth(path, text, len, cfg, err, errlen, 0))
		return -1;
	if (!cfg->name[0]) {
		gchar *b = g_path_get_basename(path);
		char *dot = strrchr(b, '.');
		if (dot)
			*dot = '\0';
		g_strlcpy(cfg->name, b, sizeof(cfg->name));
		g_free(b);
	}
	return check_consistency(path, cfg, err, errlen);
}

int profile_set(struct platform_config *cfg, const char *assignment, char *err, size_t errlen)
{
	char why[384];
	const char *eq = strchr(assignment, '=');
	const char *dot = strchr(assignment, '.');
	if (!eq || !dot || dot > eq) {
		snprintf(err, errlen, "--set %s: expected group.key=value", assignment);
		return -1;
	}
	gchar *group = g_strndup(assignment, (gsize)(dot - assignment));
	gchar *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
	const struct schema_key *sk = schema_lookup(group, key);
	int rc = -1;
	if (!sk || strcmp(key, "inherits") == 0)
		snprintf(err, errlen, "--set %s: unknown profile key %s.%s", assignment, group, key);
	else if (set_value(cfg, sk, eq + 1, why, sizeof(why)))
		snprintf(err, errlen, "--set %s: %s", assignment, why);
	else
		rc = check_consistency("--set", cfg, err, errlen);
	g_free(group);
	g_free(key);
	return rc;
}

int profile_find(const char *name, char *path, size_t pathlen, char *err, size_t errlen)
{
	if (strchr(name, '/') || g_str_has_suffix(name, ".ini")) {
		if (!g_file_test(name, G_FILE_TEST_IS_REGULAR)) {
			snprintf(err, errlen, "%s: no such profile file", name);
			return -1;
		}
		g_strlcpy(path, name, pathlen);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	gchar *exedir = g_path_get_dirname(exe);
	const char *envdir = g_getenv("CCSIM_PROFILE_DIR");
	gchar *dirs[4] = {
		envdir ? g_strdup(envdir) : NULL,
		g_strdup("models/platform/profiles"),
		g_build_filename(exedir, "..", "models", "platform", "profiles", NULL),
		/* an installed copy (make install): PREFIX/bin/ccsim */
		g_build_filename(exedir, "..", "share", "ccsim", "profiles", NULL),
	};
	int rc = -1;
	for (int i = 0; i < 4 && rc; i++) {
		if (!dirs[i])
			continue;
		gchar *cand = g_strdup_printf("%s/%s.ini", dirs[i], name);
		if (g_file_test(cand, G_FILE_TEST_IS_REGULAR)) {
			g_strlcpy(path, cand, pathlen);
			rc = 0;
		}
		g_free(cand);
	}
	if (rc)
		snprintf(err, errlen, "unknown profile \"%s\" (looked in $CCSIM_PROFILE_DIR, "
			 "models/platform/profiles, %s/../models/platform/profiles and "
			 "%s/../share/ccsim/profiles)", name, exedir, exedir);
	for (int i = 0; i < 4; i++)
		g_free(dirs[i]);
	g_free(exedir);
	return rc;
}

int profile_get(const struct platform_config *cfg, const char *name, uint64_t *value)
{
	const char *dot = strchr(name, '.');
	char group[32];
	if (!dot || (size_t)(dot - name) >= sizeof(group))
		return -1;
	memcpy(group, name, (size_t)(dot - name));
	group[dot - name] = '\0';
	const struct schema_key *k = schema_lookup(group, dot + 1);
	const uint8_t *base = (const uint8_t *)cfg;
	if (!k || k->type == K_STR)
		return -1;
	*value = k->type == K_BOOL ? *(const bool *)(base + k->offset)
				   : *(const uint64_t *)(base + k->offset);
	return 0;
}

void profile_keys_list(FILE *f)
{
	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++) {
		const struct schema_key *k = &schema[i];
		fprintf(f, "%s.%s\t%s\t%s\n", k->group, k->key, k->def, k->desc);
	}
}

void profile_dump_json(const struct platform_config *cfg, FILE *f, int indent)
{
	const uint8_t *base = (const uint8_t *)cfg;
	const char *group = NULL;
	fprintf(f, "{");
	for (size_t i = 0; i < NSCHEMA; i++) {
		const struct schema_key *k = &schema[i];
		if (strcmp(k->key, "inherits") == 0)
			continue;
		if (!group || strcmp(group, k->group) != 0) {
			fprintf(f, "%s\n%*s\"%s\": {", group ? "," : "", 2 * (indent + 1), "", k->group);
			group = k->group;
		} else {
			fputc(',', f);
		}
		fprintf(f, "\n%*s\"%s\": ", 2 * (indent + 2), "", k->key);
		switch (k->type) {
		case K_STR:
			json_str(f, (const char *)(base + k->offset));
			break;
		case K_BOOL: fputs(*(const bool *)(base + k->offset) ? "true" : "false", f); break;
		case K_ENUM: fprintf(f, "\"%s\"", k->names[*(const uint64_t *)(base + k->offset)]); break;
		case K_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)(base + k->offset)); break;
		}
		if (i + 1 == NSCHEMA || strcmp(schema[i + 1].group, k->group) != 0)
			fprintf(f, "\n%*s}", 2 * (indent + 1), "");
	}
	fprintf(f, "\n%*s}", 2 * indent, "");
}
