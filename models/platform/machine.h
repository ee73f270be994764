/* A machine built from a profile: physical memory, the encryption engine,
 * the cache hierarchy, granule protection and the monitors, wired into the
 * one memory path every master goes through:
 *   access -> GPC (if enabled) -> L1 -> LLC -> memenc (key slot) -> DRAM. */
#ifndef CCSIM_PLATFORM_MACHINE_H
#define CCSIM_PLATFORM_MACHINE_H

#include <glib.h>

#include "models/cache/cache.h"
#include "models/cpu/cpu.h"
#include "models/cache/llc_port.h"
#include "models/mem/mem.h"
#include "models/memenc/memenc.h"
#include "models/mmu/gpc.h"
#include "models/mmu/gpccache.h"
#include "models/mmu/iommu.h"
#include "models/mmu/rmp.h"
#include "models/mmu/tlb.h"
#include "models/platform/port.h"
#include "models/platform/profile.h"
#include "sim/sim.h"

struct machine_mon;
struct mon_diff;
struct uv;

#define MACHINE_MAX_CORES 16

struct machine {
	struct sim_model base; /* the machine's own counters */
	struct sim *sim;
	struct platform_config cfg;
	struct mem mem;
	struct memenc enc;
	struct llc_port port;               /* the LLC's misses and write-backs toward memenc */
	struct cache llc;
	struct cache l1[MACHINE_MAX_CORES]; /* one private L1D per core */
	char l1_names[MACHINE_MAX_CORES][16];
	struct cache l2[MACHINE_MAX_CORES]; /* a private L2 per core, if cache.l2_size */
	char l2_names[MACHINE_MAX_CORES][16];
	bool has_l2;
	struct tlb tlb[MACHINE_MAX_CORES];  /* one per core, for vCPUs with paging */
	char tlb_names[MACHINE_MAX_CORES][16];
	struct gpc_config gpc;
	struct gpc_cache gpc_tlb;
	struct iommu smmu;                  /* device DMA */
	struct rmp_config rmp;              /* RMP_BASE / RMP_END when rmp.enabled */
	/* x86 SEV and RMP machines: two engine slots past memenc.key_slots'
	 * (the ASIDs'), see machine_plain_slot and machine_fw_slot */
	unsigned plain_slot, fw_slot;
	/* RMP table accesses (machine_rmp_io): cycles spent */
	struct machine_rmp_ctx {
		struct machine *m;
		uint64_t cycles;
		enum {
			MACHINE_RMP_OFFSET,   /* cycles: an offset from the present (a check inside a core's access) */
			MACHINE_RMP_BLOCKING, /* each access moves the present (host and firmware instructions) */
			MACHINE_RMP_UNTIMED,  /* straight to DRAM, no time (table set-up before the run) */
		} mode;
		unsigned core;        /* OFFSET: the core whose table walker reads (through its L1) */
	} rmp_io_ctx;
	struct machine_mon *rmm;            /* cca: the RMM's slot (machine_mon.h), built in or a plug-in */
	struct machine_mon *snp;            /* sev-snp: the SNP firmware's slot (AMD-SP) */
	struct machine_mon *sev;            /* sev, sev-es: the SEV firmware's slot (AMD-SP) */
	struct machine_mon *tdx_mon;        /* tdx: the TDX module's slot (SEAM) */
	struct uv *uv;                      /* s390-se: the ultravisor, uv_call */
	uint64_t call_t0;                   /* when the monitor call being served was issued */
	/* the differential mode, while its first monitor serves a call: told
	 * what each write overwrites (mon_diff_log_old) */
	struct mon_diff *diff_log;
	/* Whoever runs guest code passes the markers it meets (ISA_MARK) here,
	 * with the VM's VMID: the scenario's phases (set by the runner). */
	void (*mark)(void *ctx, uint32_t vmid, uint32_t what, uint64_t at);
	void *mark_ctx;
	/* Where the markers of a guest a monitor runs on each core go: the
	 * VMID of the host's guest that entered it (set around the entry, no
	 * saved state), or nowhere. */
	struct { bool on; uint32_t vmid; } core_mark[MACHINE_MAX_CORES];
	uint16_t src;
	uint64_t stat_accesses, stat_gpc_checks, stat_gpc_faults, stat_gpt_reads;
	uint64_t stat_smcs, stat_smc_unknown, stat_tlbi, stat_gpt_changes;
	uint64_t stat_key_hazards, stat_poison, stat_snoops;
	uint64_t stat_rmp_checks, stat_rmp_faults, stat_rmp_reads;
	uint64_t stat_wbinvd, stat_rmp_tlb_flushes, stat_tlb_shootdowns;
	/* For the invariant checks only (not saved; they start over after a
	 * restore): granules whose GPI changed since the last check (NULL
	 * while no check runs), RMP entry writes so far. */
	GArray *inv_gpt_log;
	uint64_t inv_rmp_writes;
};

/* Build every model of `cfg` into `s` (which the caller has initialised with
 * the profile's frequency). Returns 0 or -1 with a message. */
int machine_init(struct machine *m, struct sim *s, const struct platform_config *cfg, char *err,
		 size_t errlen);
struct bus_port machine_bus(struct machine *m);
/* "Now" for a monitor answering a call: the cycle the call was issued at,
 * to which the call adds its own cycles (what it runs moves sim_time on). */
static inline uint64_t machine_now(const struct machine *m)
{
	return m->call_t0;
}

/* The core guest code runs on, from the profile (cpu.rob_entries, ...): a
 * fetch the L1 and TLB serve is hidden. */
static inline struct cpu_core machine_cpu_core(const struct machine *m)
{
	return (struct cpu_core){
		.rob = (uint32_t)m->cfg.rob_entries, .width = (uint32_t)m->cfg.dispatch_width,
		.sb = (uint32_t)m->cfg.store_buffer,
		.fetch_hidden = (uint32_t)(m->cfg.l1_latency + m->cfg.tlb_hit_cycles),
	};
}

/* A guest's marker, passed on (see machine.mark). */
static inline void machine_mark(struct machine *m, uint32_t vmid, uint32_t what, uint64_t at)
{
	if (m->mark)
		m->mark(m->mark_ctx, vmid, what, at);
}
/* Route the markers of the guest a monitor runs on `core` to VMID vmid
 * (on), or drop them; and pass one on. */
static inline void machine_core_mark_route(struct machine *m, unsigned core, bool on, uint32_t vmid)
{
	if (core < MACHINE_MAX_CORES) {
		m->core_mark[core].on = on;
		m->core_mark[core].vmid = vmid;
	}
}
static inline void machine_core_mark(struct machine *m, unsigned core, uint32_t what, uint64_t at)
{
	if (core < MACHINE_MAX_CORES && m->core_mark[core].on)
		machine_mark(m, m->core_mark[core].vmid, what, at);
}

/* The key slot an access in `pas` uses (pure function of the profile). */
unsigned machine_key_slot(const struct machine *m, enum cc_pas pas);
/* Arm FEAT_MEC (mec.enabled): the key slot of an access in `pas` that
 * carries `mecid`: a Realm-PAS access with MECID n > 0 uses the engine's
 * key for n, a slot past the PAS keys; every other access (MECID 0, another
 * PAS, no FEAT_MEC) machine_key_slot's. A MECID is valid below
 * 2^(mec.mecid_width_m1 + 1); MECID 0 always (an invalid one selects the
 * PAS's key: callers check first). */
bool machine_mecid_valid(const struct machine *m, uint32_t mecid);
unsigned machine_mec_slot(const struct machine *m, enum cc_pas pas, uint32_t mecid);
/* EL3's MECID refresh: MECID `mecid`'s key slot gets a fresh key, so lines
 * written under its old one no longer decrypt (machine_key_program; TF-A's
 * MEC refresh service, which TF-RMM calls when it assigns or releases a
 * MECID). 0, or -EINVAL without FEAT_MEC or for MECID 0 / an invalid one. */
int machine_mec_refresh(struct machine *m, uint32_t mecid);
/* The memory controller's plaintext path: an engine slot that does not
 * encrypt, what an x86 access with the C-bit clear uses on a host that does
 * not encrypt its own memory, and where the SNP RMP lives. On SEV and RMP
 * machines a slot past the ASIDs', made a bypass slot on first use; on the
 * others the host's own slot. */
unsigned machine_plain_slot(struct machine *m);
/* The AMD-SP's own key for the pages it keeps state in (SNP guest
 * contexts): a slot past the ASIDs' that only the firmware uses, loaded when
 * the SNP firmware starts. */
static inline unsigned machine_fw_slot(const struct machine *m)
{
	return m->fw_slot;
}

/* Physical attacker: raw DRAM cells by cell address, past every check, cache,
 * address decoder and bus log (the DIMM in hand). */
int machine_phys_read(struct machine *m, uint64_t pa, void *buf, size_t len);
int machine_phys_write(struct machine *m, uint64_t pa, const void *buf, size_t len);
/* Rewire the DIMM's address decoder: [pa, pa+size) reaches the cells of
 * [target, ...) (page-granular; see mem_alias). 0 or -errno. */
int machine_phys_alias(struct machine *m, uint64_t pa, uint64_t target, uint64_t size);
/* An interposer on the memory bus: start logging every line that crosses
 * it; stop hands over the bytes seen, concatenated (g_free them). */
void machine_bus_snoop_start(struct machine *m);
uint8_t *machine_bus_snoop_stop(struct machine *m, size_t *len, size_t *records);
/* The host's broadcast invalidation of every translation of the page at pa
 * in every core's TLB (INVLPGB of its mappings + TLBSYNC). */
void machine_tlb_shootdown_page(struct machine *m, uint64_t pa, uint64_t *cycles);
/* A command to the AMD-SP's firmware (the SNP firmware's on sev-snp, the
 * SEV firmware's on sev / sev-es) through its monitor slot, issued now:
 * regs[0] the command id (snp_abi.h, sev_abi.h) and its status on return,
 * the time it took added to *cycles. Nothing happens on other machines. */
#define MACHINE_FW_REGS 8
void machine_fw_command(struct machine *m, uint64_t regs[MACHINE_FW_REGS], uint64_t *cycles);
/* The slot the RMP lives under (machine_plain_slot, without programming
 * it: a look changes nothing). */
unsigned machine_rmp_slot(const struct machine *m);
/* The RMP entry of the page at spa as the table holds it (16 bytes), by
 * the simulator's look (machine_peek): 0, -EINVAL (not covered) or -EIO. */
int machine_rmp_peek(struct machine *m, uint64_t spa, uint8_t raw[16]);
/* ... and read or write it as the AMD-SP does, through the LLC in time
 * (machine_rmp_io), from the present on, adding what it took to *cycles. */
int machine_rmp_entry_rw(struct machine *m, uint64_t spa, uint8_t raw[16], bool write,
			 uint64_t *cycles);
/* CLFLUSH of every line of [pa, pa+len): each copy, under every key, in
 * every level, written back if dirty and invalidated (a probe of each
 * level per line, plus the write-backs). 0 or -EIO. */
int machine_clflush(struct machine *m, uint64_t pa, uint64_t len, uint64_t *cycles);
/* Forget every timing reservation (fills in flight, miss and request
 * slots, the write-back buffer, the AES pipeline, the DRAM channel and
 * banks) but no data: an idle machine, for a run that starts over at an
 * earlier cycle (the guest executor's unit tests). */
void machine_quiesce(struct machine *m);
/* Write back and invalidate the whole cache hierarchy (WBINVD / DC CISW loop). */
int machine_wbinvd(struct machine *m, uint64_t *cycles);
/* Invalidate the whole hierarchy WITHOUT write-back (INVD): dirty lines are
 * lost; *dropped gets how many. On a profile with cache.invd_cleans (RME)
 * the host's invalidate is performed as write-back + invalidate; with
 * cache.invd_gp (TDX) the instruction raises #GP(0): nothing happens and
 * the return is 1. */
int machine_invd(struct machine *m, uint64_t *cycles, uint64_t *dropped);
/* Write back and invalidate every line tagged with key `slot`, every level. */
int machine_flush_key(struct machine *m, unsigned slot, uint64_t *cycles);
/* Give key slot `slot` a new key for `owner` (flags: MEMENC_KEY_ENCRYPT,
 * MEMENC_KEY_PRIVATE). If lines tagged with the slot
 * are still cached, they now belong to nobody's key: the ASID/KeyID-reuse
 * hazard, traced (memenc.key.hazard) and counted (machine.key_hazards), and
 * left in place so its effect can be observed. Returns memenc's result. */
int machine_key_program(struct machine *m, unsigned slot, uint32_t owner, unsigned flags);

/* A coherent read of [pa, pa+len) under key slot `key` with no side effect
 * at all: the newest cached copy (a dirty one first), else DRAM through
 * the engine. 0, or memenc_peek_line's error (-EOPNOTSUPP under the
 * counter tree). For checks that must not disturb the run. */
int machine_peek(struct machine *m, unsigned key, uint64_t pa, void *buf, size_t len);

/* Invariants between steps (machine_inv.c). Each check reads by peeking,
 * so a run gives the same digest with or without them:
 *   - CCA: the GPT and the RMM's granule states agree (every granule the
 *     RMM holds is Realm; an UNDELEGATED one is NS, or Root for the GPT);
 *     cached GPT information agrees with the GPT unless gpc.el3_tlbi is off;
 *   - SEV-SNP: the RMP and the firmware agree (context pages are firmware
 *     pages, launch pages immutable until LAUNCH_FINISH, one guest per
 *     ASID and per context page); cached RMP verdicts agree with the RMP
 *     unless rmp.tlb_coherent is off;
 *   - SEV, SEV-ES: one guest per ASID;
 *   - TDX: the PAMT and every TD's Secure EPT agree (tdx_inv_check);
 *   - s390-se: every secure page belongs to a live configuration whose
 *     record points back at it, and none is donated storage (uv_inv_check);
 *   - every profile: each translation a TLB caches for a context one of
 *     `cpus` has loaded is what a walk of its tables gives now;
 *   - no declared secret in plaintext in the DRAM cells of a page the
 *     profile protects with an encrypting key (the caller skips it once
 *     the run has leaked). */
struct machine_inv {
	uint8_t *rmm_seen;     /* RMM granule states at the last check; NULL before the first */
	uint8_t *rmm_now;      /* and now (scratch) */
	uint64_t snp_seen;     /* 1 + the SNP firmware's activity when its invariant last held */
	uint64_t rmp_writes_seen;
	uint64_t tdx_seen;     /* 1 + the TDX module's activity at the last check */
	uint64_t checks;
	bool tampered;         /* the caller's: a physical attacker wrote DRAM */
};
struct machine_inv_secret {
	const char *name;
	const uint8_t *bytes;
	size_t len;
};
/* 0, or 1 with what broke in msg. `tampered`: a physical attacker has
 * written DRAM (phys.write, replay, alias, flip), so the tables may have
 * changed behind their monitors' backs: the table checks are skipped. */
int machine_inv_check(struct machine *m, struct machine_inv *st,
		      const struct machine_inv_secret *secrets, size_t nsecrets, bool tampered,
		      struct cpu *const *cpus, size_t ncpus, char *msg, size_t len);
void machine_inv_free(struct machine *m, struct machine_inv *st);

/* EL3 services the RMM calls (the RMM-EL3 GTSI interface, modelled on TF-A
 * gpt_delegate_pas / gpt_undelegate_pas). 0, or -EPERM if the granule is not
 * in the expected PAS, -EINVAL if it is not L1-mapped. */
int machine_el3_delegate(struct machine *m, uint64_t pa, uint64_t *cycles);
int machine_el3_undelegate(struct machine *m, uint64_t pa, uint64_t *cycles);
/* The fault an access or RMP instruction takes for an RMP result
 * (rmp.pf, rmp.npf, rmp.vc; a table read failure is a bus error). */
uint16_t machine_rmp_fault_kind(enum rmp_fault f);
/* The RMP's table io (through the LLC, host key), for firmware and tests. */
struct rmp_io machine_rmp_io(struct machine *m);
/* A firmware (AMD-SP) access to DRAM at the memory controller, under key
 * slot `key`, past the caches (not coherent with them). 0 or memenc's error. */
int machine_dram_access(struct machine *m, unsigned key, uint64_t pa, void *buf, size_t len,
			bool write, uint64_t *cycles);
/* Current GPI of a granule (for checks and tests). */
int machine_gpi(struct machine *m, uint64_t pa, uint8_t *gpi);
/* Is the PA inside the L1-mapped range that may change PAS at runtime? */
bool machine_pa_delegable(const struct machine *m, uint64_t pa);

#endif
