/* Machine assembly and the memory path; see machine.h. */
#include "models/platform/machine.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/mmu/gpt.h"
#include "models/monitor/builtin.h"
#include "models/platform/machine_mon.h"
#include "models/platform/machine_priv.h"
#include "models/platform/mon_diff.h"
#include "models/monitor/uv/uv.h"

static const struct sim_field machine_fields[] = {
	SIM_FIELD(struct machine, stat_accesses),
	SIM_FIELD(struct machine, stat_gpc_checks),
	SIM_FIELD(struct machine, stat_gpc_faults),
	SIM_FIELD(struct machine, stat_gpt_reads),
	SIM_FIELD(struct machine, stat_smcs),
	SIM_FIELD(struct machine, stat_smc_unknown),
	SIM_FIELD(struct machine, stat_tlbi),
	SIM_FIELD(struct machine, stat_gpt_changes),
	SIM_FIELD(struct machine, stat_key_hazards),
	SIM_FIELD(struct machine, stat_poison),
	SIM_FIELD(struct machine, stat_snoops),
	SIM_FIELD(struct machine, stat_rmp_checks),
	SIM_FIELD(struct machine, stat_rmp_faults),
	SIM_FIELD(struct machine, stat_rmp_reads),
	SIM_FIELD(struct machine, stat_wbinvd),
	SIM_FIELD(struct machine, stat_rmp_tlb_flushes),
	SIM_FIELD(struct machine, stat_tlb_shootdowns),
};
static const struct sim_vmstate machine_vmstate = {
	"machine", 3, machine_fields, sizeof(machine_fields) / sizeof(machine_fields[0])
};
static const struct sim_model_ops machine_ops = { 0 };

unsigned machine_key_slot(const struct machine *m, enum cc_pas pas)
{
	/* CCA: the memory protection engine keys each PAS separately (one slot
	 * per PAS, numbered like the PAS). Plain machines have one slot. */
	return m->cfg.arch == ARCH_CCA ? (unsigned)pas : 0;
}

bool machine_mecid_valid(const struct machine *m, uint32_t mecid)
{
	/* Arm ARM, FEAT_MEC: MECIDR_EL2.MECIDWidthm1 + 1 bits of MECID */
	return mecid == 0 || (m->cfg.mec && mecid < 1u << (m->cfg.mecid_width_m1 + 1));
}

unsigned machine_mec_slot(const struct machine *m, enum cc_pas pas, uint32_t mecid)
{
	/* Arm ARM, FEAT_MEC: NS, Secure and Root accesses use the default
	 * MECID; only the Realm PAS has memory encryption contexts. MECID 0 is
	 * the Realm PAS's own key, MECID n the slot after the PAS keys' n - 1. */
	if (pas != PAS_REALM || mecid == 0 || !machine_mecid_valid(m, mecid))
		return machine_key_slot(m, pas);
	return (unsigned)m->cfg.key_slots + mecid - 1;
}

/* The flags of a Realm key: it encrypts, and with per-line integrity it is
 * one of the "private" keys whose lines carry the owner bit (TDX-style). */
static unsigned protected_key_flags(const struct platform_config *cfg, enum cc_pas pas)
{
	bool encrypt = cfg->memenc_mode != MEMENC_NONE &&
		       (cfg->arch != ARCH_CCA || pas != PAS_NS || cfg->encrypt_ns);
	bool priv = encrypt && cfg->memenc_mode == MEMENC_MAC && cfg->arch == ARCH_CCA &&
		    pas != PAS_NS;
	return (encrypt ? MEMENC_KEY_ENCRYPT : 0) | (priv ? MEMENC_KEY_PRIVATE : 0);
}

int machine_mec_refresh(struct machine *m, uint32_t mecid)
{
	if (!m->cfg.mec || mecid == 0 || !machine_mecid_valid(m, mecid))
		return -EINVAL;
	return machine_key_program(m, machine_mec_slot(m, PAS_REALM, mecid), mecid,
				   protected_key_flags(&m->cfg, PAS_REALM));
}

/* x86 SEV (and any RMP) machines have two slots past the ASIDs': the
 * plaintext path and the AMD-SP's own key. */
#define MACHINE_EXTRA_SLOTS 2

static bool has_extra_slots(const struct platform_config *cfg)
{
	return arch_is_sev(cfg->arch) || cfg->rmp;
}

unsigned machine_plain_slot(struct machine *m)
{
	/* Programmed on first use, not at init, so machines that never take
	 * the path keep their key programming (and traces) as they were. */
	if (m->plain_slot != machine_key_slot(m, PAS_NS) && !memenc_key_valid(&m->enc, m->plain_slot) &&
	    machine_key_program(m, m->plain_slot, m->plain_slot, 0))
		return machine_key_slot(m, PAS_NS); /* cannot happen: the slot exists */
	return m->plain_slot;
}

/* --- RMP access: host-key reads and writes through the LLC --- */

/* The machine's own operations (table walks of the RMP, maintenance, the
 * firmware's DRAM accesses) start at sim_time: their latency is counted
 * from 0 (`off`) whatever the caller has accumulated before, and added to
 * its total at the end. The agent that asked waits for them: sim_time
 * moves past them (machine_op_done). */
void machine_op_done(struct machine *m, uint64_t t0, uint64_t off, uint64_t *cycles)
{
	sim_set_time(m->sim, t0 + off);
	*cycles += off;
}

/* A core's private caches, L1D then (if any) L2: maintenance takes the
 * L1's copy down into the L2 first, then the L2's to the LLC. */
static unsigned priv_levels(const struct machine *m)
{
	return m->has_l2 ? 2 : 1;
}

static struct cache *priv_cache(struct machine *m, unsigned core, unsigned level)
{
	return level ? &m->l2[core] : &m->l1[core];
}

int machine_priv_clean_inval_pa(struct machine *m, unsigned core, uint64_t pa, uint64_t *cycles)
{
	for (unsigned l = 0; l < priv_levels(m); l++)
		if (cache_clean_inval_pa(priv_cache(m, core, l), pa, cycles))
			return -EIO;
	return 0;
}

/* The AMD-SP reaches DRAM through the memory controller, not coherently
 * with the cores' caches: whatever a core still holds dirty is not seen,
 * and may later overwrite what the firmware wrote. */
static int clflush_lines(struct machine *m, uint64_t pa, uint64_t len, uint64_t *off)
{
	int rc = 0;
	for (uint64_t a = pa & ~63ull; a < pa + len && !rc; a += 64) {
		for (unsigned k = 0; k < m->cfg.cores && !rc; k++)
			rc = machine_priv_clean_inval_pa(m, k, a, off);
		if (!rc && cache_clean_inval_pa(&m->llc, a, off))
			rc = -EIO;
	}
	return rc;
}

int machine_dram_raw(struct machine *m, unsigned key, uint64_t pa, uint8_t *p, size_t len,
		     bool write, uint64_t *cycles)
{
	while (len) {
		uint8_t line[MEMENC_LINE];
		uint64_t base = pa & ~(uint64_t)(MEMENC_LINE - 1), off = pa - base;
		size_t n = MIN(len, MEMENC_LINE - off);
		/* with coherence across keys the firmware's accesses snoop the
		 * caches: what a core holds is written back and dropped first */
		int rc = m->cfg.key_coherent ? clflush_lines(m, base, MEMENC_LINE, cycles) : 0;
		if (rc)
			return rc;
		if (!write || n < MEMENC_LINE)
			rc = memenc_read_line(&m->enc, key, base, line, cycles);
		if (!rc && write) {
			memcpy(line + off, p, n);
			rc = memenc_write_line(&m->enc, key, base, line, cycles);
		} else if (!rc) {
			memcpy(p, line + off, n);
		}
		if (rc)
			return rc;
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int machine_dram_access(struct machine *m, unsigned key, uint64_t pa, void *buf, size_t len,
			bool write, uint64_t *cycles)
{
	uint64_t off = 0, t0 = sim_time(m->sim);
	int rc = machine_dram_raw(m, key, pa, buf, len, write, &off);
	machine_op_done(m, t0, off, cycles);
	return rc;
}

int machine_clflush(struct machine *m, uint64_t pa, uint64_t len, uint64_t *cycles)
{
	uint64_t off = 0, t0 = sim_time(m->sim);
	int rc = clflush_lines(m, pa, len, &off);
	machine_op_done(m, t0, off, cycles);
	return rc;
}

int machine_init(struct machine *m, struct sim *s, const struct platform_config *cfg, char *err,
		 size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->sim = s;
	m->cfg = *cfg;
	m->base.name = "machine";
	m->base.kind = "machine";
	m->base.ops = &machine_ops;
	m->base.vmstate = &machine_vmstate;
	sim_model_register(s, &m->base);
	m->src = sim_trace_source(s, "machine");
#define ST(f, n, d) SIM_STAT_DEF(struct machine, f, n, SIM_STAT_COUNT, d)
	static const struct sim_stat_def stats[] = {
		ST(stat_accesses, "accesses", "line accesses"),
		ST(stat_gpc_checks, "gpc.checks", "granule protection checks made"),
		ST(stat_gpc_faults, "gpc.faults", "granule protection faults"),
		ST(stat_gpt_reads, "gpc.table_reads", "GPT entries read from memory"),
		ST(stat_gpt_changes, "gpc.changes", "GPT entries changed (granule transitions)"),
		ST(stat_tlbi, "tlbi", "TLBI RPALOS"),
		ST(stat_smcs, "smcs", "SMCs taken to the monitor"),
		ST(stat_smc_unknown, "smc_unknown", "SMCs no monitor provides (SMC_UNKNOWN)"),
		ST(stat_key_hazards, "key_hazards",
		   "key slots reprogrammed with their old lines still cached"),
		ST(stat_poison, "poison", "accesses that hit an integrity failure"),
		ST(stat_rmp_checks, "rmp.checks", "RMP checks made (at TLB fills, and of accesses no TLB caches)"),
		ST(stat_rmp_tlb_flushes, "rmp.tlb_flushes",
		   "global TLB flushes an RMP change triggered (rmp.tlb_coherent)"),
		ST(stat_tlb_shootdowns, "tlb_shootdowns", "TLB shootdowns the host issued for a page"),
		ST(stat_rmp_faults, "rmp.faults", "RMP violations"),
		ST(stat_rmp_reads, "rmp.table_reads", "RMP entries read from memory"),
		ST(stat_snoops, "snoops", "same-key copies in other cores' L1D cleaned for coherence"),
		ST(stat_wbinvd, "wbinvd", "WBINVD (or an INVD performed as one) over every core's caches"),
	};
#undef ST
	sim_stat_register_table(s, "machine", m, stats, sizeof(stats) / sizeof(stats[0]));

	mem_init(&m->mem, s, "dram", (unsigned)cfg->pa_bits, sim_ns_to_cycles(s, cfg->dram_latency_ns));
	if (cfg->dram_banks || cfg->dram_bandwidth_mbps) {
		/* Banks replace the fixed latency: t_cl / t_rcd / t_rp from the
		 * profile; the remaining fixed latency is the controller's share. */
		struct mem_timing t = {
			.latency = sim_ns_to_cycles(s, cfg->dram_latency_ns),
			.banks = (unsigned)cfg->dram_banks,
			.row_bytes = cfg->dram_row_bytes,
			.t_cl = sim_ns_to_cycles(s, cfg->dram_tcl_ns),
			.t_rcd = sim_ns_to_cycles(s, cfg->dram_trcd_ns),
			.t_rp = sim_ns_to_cycles(s, cfg->dram_trp_ns),
			/* 64 bytes at the channel's rate, in 1/16 cycles (rounded up) */
			.line_interval = cfg->dram_bandwidth_mbps
				? (64 * MEM_CHAN_UNITS * s->freq_hz + cfg->dram_bandwidth_mbps * 1000000 - 1) /
				  (cfg->dram_bandwidth_mbps * 1000000) : 0,
		};
		if (t.banks) {
			uint64_t core = t.t_rp + t.t_rcd + t.t_cl;
			t.controller = t.latency > core ? t.latency - core : 0;
		}
		if (mem_set_timing(&m->mem, &t)) {
			snprintf(err, errlen, "%s: bad DRAM timing (mem.banks must be a power of two, "
				 "mem.row_bytes a power of two >= 64)", cfg->name);
			return -1;
		}
	}
	if (cfg->dram_alias_mask && mem_set_alias_mask(&m->mem, cfg->dram_alias_mask)) {
		snprintf(err, errlen, "%s: mem.alias_mask: bits must be page-aligned and inside the "
			 "physical address space", cfg->name);
		return -1;
	}
	struct memenc_config ec = {
		.mode = (enum memenc_mode)cfg->memenc_mode,
		.slots = (unsigned)cfg->key_slots + (has_extra_slots(cfg) ? MACHINE_EXTRA_SLOTS : 0) +
			 (cfg->mec ? (1u << (cfg->mecid_width_m1 + 1)) - 1 : 0),
		.aes_latency = cfg->aes_latency,
		.aes_issue = cfg->aes_issue,
		.mac_latency = cfg->mac_latency,
		.mac_overlap = cfg->mac_overlap,
		.owner_only = cfg->owner_only,
		.prot_base = cfg->prot_base,
		.prot_size = cfg->prot_size,
		.meta_base = cfg->meta_base,
		.tree_arity = (unsigned)cfg->tree_arity,
		.meta_cache_size = cfg->meta_cache_size,
		.meta_cache_ways = (unsigned)cfg->meta_cache_ways,
		.meta_cache_latency = cfg->meta_cache_latency,
	};
	if (ec.slots > MEMENC_SLOTS_MAX) {
		snprintf(err, errlen, "%s: memenc.key_slots: at most %u on SEV and RMP machines (the "
			 "engine keeps %u slots past the ASIDs')", cfg->name,
			 (unsigned)(MEMENC_SLOTS_MAX - MACHINE_EXTRA_SLOTS), (unsigned)MACHINE_EXTRA_SLOTS);
		return -1;
	}
	m->plain_slot = m->fw_slot = machine_key_slot(m, PAS_NS);
	if (has_extra_slots(cfg)) {
		m->plain_slot = (unsigned)cfg->key_slots;
		m->fw_slot = (unsigned)cfg->key_slots + 1;
	}
	if (memenc_init(&m->enc, s, "memenc", &ec, &m->mem)) {
		snprintf(err, errlen, "%s: bad memenc configuration (memenc.* keys: the protected region "
			 "and the metadata must lie in DRAM and not overlap; metadata cache sets must be a "
			 "power of two)", cfg->name);
		return -1;
	}
	if (cfg->arch == ARCH_CCA && cfg->key_slots < 4) {
		snprintf(err, errlen, "%s: memenc.key_slots: CCA needs 4 (one per PAS)", cfg->name);
		return -1;
	}
	/* SEV: slot 0 is the host's (SME), slot n ASID n's; plain-SEV ASIDs
	 * start at min_sev_asid, SEV-ES / SNP ones below it. */
	if (arch_is_sev(cfg->arch) &&
	    (cfg->key_slots < 2 || cfg->min_sev_asid > cfg->key_slots ||
	     (cfg->arch != ARCH_SEV && cfg->min_sev_asid < 2) ||
	     (cfg->arch == ARCH_SEV && cfg->min_sev_asid >= cfg->key_slots))) {
		snprintf(err, errlen, "%s: memenc.key_slots %llu and sev.min_sev_asid %llu leave no ASID "
			 "for %s guests (SEV-ES / SNP: 1 .. min_sev_asid - 1; SEV: min_sev_asid .. "
			 "key_slots - 1)", cfg->name, (unsigned long long)cfg->key_slots,
			 (unsigned long long)cfg->min_sev_asid, arch_name((enum arch_kind)cfg->arch));
		return -1;
	}
	for (unsigned slot = 0; slot < (cfg->arch == ARCH_CCA ? 4u : 1u); slot++) {
		if (machine_key_program(m, slot, slot, protected_key_flags(cfg, (enum cc_pas)slot))) {
			snprintf(err, errlen, "%s: cannot program key slot %u", cfg->name, slot);
			return -1;
		}
	}
	/* FEAT_MEC: the engine holds a key for every MECID from power-on; EL3
	 * refreshes one when the RMM assigns or releases it (machine_mec_refresh) */
	for (uint32_t id = 1; cfg->mec && id < 1u << (cfg->mecid_width_m1 + 1); id++)
		if (machine_mec_refresh(m, id)) {
			snprintf(err, errlen, "%s: cannot program the key of MECID %u", cfg->name, id);
			return -1;
		}
	/* the LLC's misses are bounded by the port's request slots, not its own */
	struct cache_config llc = { cfg->llc_size, (unsigned)cfg->llc_ways, cfg->llc_latency, 0 };
	struct cache_config l1 = { cfg->l1_size, (unsigned)cfg->l1_ways, cfg->l1_latency,
				   (unsigned)cfg->l1_mshrs };
	struct llc_port_config pc = { (unsigned)cfg->mem_requests, (unsigned)cfg->wb_entries,
				      (unsigned)cfg->prefetch_distance, (unsigned)cfg->prefetch_streams };
	if (llc_port_init(&m->port, s, "llc_port", &pc, &m->enc)) {
		snprintf(err, errlen, "%s: bad memory port (mem.requests, cache.wb_entries: 1..%u; "
			 "cache.prefetch_streams: 1..%u; cache.prefetch_distance < 64)", cfg->name,
			 LLCP_SLOTS_MAX, LLCP_STREAMS_MAX);
		return -1;
	}
	int bad = cache_init(&m->llc, s, "llc", &llc, llc_port_as_port(&m->port));
	llc_port_attach(&m->port, &m->llc);
	/* the L2's misses are bounded by the L1's slots and the port's */
	struct cache_config l2 = { cfg->l2_size, (unsigned)cfg->l2_ways, cfg->l2_latency, 0 };
	m->has_l2 = cfg->l2_size != 0;
	for (unsigned c = 0; c < cfg->cores && !bad; c++) {
		/* "l1d" on one core, as most studies have; "l1d.coreN" beyond. */
		if (cfg->cores == 1) {
			snprintf(m->l1_names[c], sizeof(m->l1_names[c]), "l1d");
			snprintf(m->l2_names[c], sizeof(m->l2_names[c]), "l2");
		} else {
			snprintf(m->l1_names[c], sizeof(m->l1_names[c]), "l1d.core%u", c);
			snprintf(m->l2_names[c], sizeof(m->l2_names[c]), "l2.core%u", c);
		}
		if (m->has_l2)
			bad = cache_init(&m->l2[c], s, m->l2_names[c], &l2, cache_as_port(&m->llc));
		if (!bad)
			bad = cache_init(&m->l1[c], s, m->l1_names[c], &l1,
					 cache_as_port(m->has_l2 ? &m->l2[c] : &m->llc));
	}
	if (bad) {
		snprintf(err, errlen, "%s: bad cache geometry (cache.* keys: sets must be a power of two)",
			 cfg->name);
		return -1;
	}
	struct tlb_config tc = { (uint32_t)cfg->tlb_sets, (uint32_t)cfg->tlb_ways,
				 (uint32_t)cfg->tlb_hit_cycles, (uint32_t)cfg->walk_cache };
	for (unsigned c = 0; c < cfg->cores && !bad; c++) {
		if (cfg->cores == 1)
			snprintf(m->tlb_names[c], sizeof(m->tlb_names[c]), "tlb");
		else
			snprintf(m->tlb_names[c], sizeof(m->tlb_names[c]), "tlb.core%u", c);
		bad = tlb_init(&m->tlb[c], s, m->tlb_names[c], &tc);
	}
	if (bad) {
		snprintf(err, errlen, "%s: bad TLB geometry (cpu.tlb_sets must be a power of two)", cfg->name);
		return -1;
	}
	if (cfg->gpc && machine_gpt_build(m, err, errlen))
		return -1;
	if (cfg->gpc && gpc_cache_init(&m->gpc_tlb, s, "gpc_tlb", (uint32_t)cfg->gpc_tlb_entries,
				       (unsigned)__builtin_ctzll(cfg->gpc_pgs))) {
		snprintf(err, errlen, "%s: gpc.tlb_entries must be a power of two", cfg->name);
		return -1;
	}
	iommu_init(&m->smmu, s, "smmu", machine_bus(m));
	if (cfg->rmp) {
		m->rmp = rmp_config_of(cfg->rmp_base, cfg->rmp_end, (unsigned)cfg->pa_bits);
		/* set up before the run starts, by the firmware: untimed, and
		 * not in the run's statistics */
		struct machine_rmp_ctx c = { m, 0, MACHINE_RMP_UNTIMED };
		struct rmp_io io = machine_rmp_io_of(&c);
		uint64_t *counted[] = { &m->mem.stat_reads, &m->mem.stat_writes,
					&m->mem.stat_bytes_read, &m->mem.stat_bytes_written,
					&m->enc.stat_lines_read, &m->enc.stat_lines_written,
					&m->enc.stat_encrypts, &m->enc.stat_decrypts, &m->enc.stat_cycles };
		uint64_t before[sizeof(counted) / sizeof(counted[0])];
		for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
			before[i] = *counted[i];
		int table_bad = rmp_config_check(&m->rmp) || rmp_init_table(&m->rmp, &io);
		for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
			*counted[i] = before[i];
		if (table_bad) {
			snprintf(err, errlen, "%s: rmp.base/end: expected an 8 KB aligned table covering memory",
				 cfg->name);
			return -1;
		}
	}
	if (cfg->arch == ARCH_SEV_SNP) {
		if (!cfg->rmp) {
			snprintf(err, errlen, "%s: sev-snp needs the RMP (rmp.enabled = true)", cfg->name);
			return -1;
		}
		if (machine_mon_attach(m, &m->snp, CCSIM_MONITOR_SNP, snp_monitor_ops(), cfg->snp_plugin,
				       "", err, errlen))
			return -1;
	}
	if ((cfg->arch == ARCH_SEV || cfg->arch == ARCH_SEV_ES) &&
	    machine_mon_attach(m, &m->sev, CCSIM_MONITOR_SEV, sev_monitor_ops(), cfg->sev_plugin, "",
			       err, errlen))
		return -1;
	/* TDX: KeyID 0 is the host's (TME); the module programs its global
	 * private KeyID (TDH.SYS.KEY.CONFIG) and each TD's HKID
	 * (TDH.MNG.KEY.CONFIG), the host its shared MKTME KeyIDs */
	if (cfg->arch == ARCH_TDX) {
		if (machine_mon_attach(m, &m->tdx_mon, CCSIM_MONITOR_TDX, tdx_monitor_ops(), cfg->tdx_plugin,
				       "", err, errlen))
			return -1;
	}
	/* s390 Secure Execution: the ultravisor, with the machine's host key
	 * from the seed */
	if (cfg->uv)
		m->uv = uv_create(s, m);
	if (cfg->rmm && machine_mon_attach(m, &m->rmm, CCSIM_MONITOR_RMM, rmm_monitor_ops(),
					   cfg->rmm_plugin, cfg->rmm_diff_plugin, err, errlen))
		return -1;
	return 0;
}

/* Report a GPC failure the way the Arm ARM routes it (D9.4): gpc_route. */
static void gpc_fault_record(struct machine *m, const struct mem_access *a,
			     const struct gpc_result *r, struct cc_fault *f)
{
	static const uint16_t kind[] = {
		[GPC_OK] = FAULT_NONE, [GPC_FAULT_GPF] = FAULT_GPC_GPF, [GPC_FAULT_WALK] = FAULT_GPC_WALK,
		[GPC_FAULT_ADDR_SIZE] = FAULT_GPC_ADDR_SIZE, [GPC_FAULT_EABT] = FAULT_GPC_EABT,
	};
	struct gpc_report rep = gpc_route(r, a->el, false, false, false, 0);
	f->kind = kind[r->fault];
	f->level = r->level;
	f->code = rep.fsc;
	f->to_el3 = rep.to_el3;
	f->addr = a->pa;
	m->stat_gpc_faults++;
	trace_GPC_FAULT(m->sim, a->src, a->pa, a->pas, f->kind, r->level);
}

/* Same-key copies stay coherent across cores (MESI-like, write-invalidate):
 * before a write every other core's copy of (pa, key) is cleaned and
 * invalidated; before a read a dirty copy is written back to the LLC. Lines
 * of the same PA under other keys are not touched: nothing keeps those
 * coherent, on any architecture. */
static int snoop_others(struct machine *m, const struct mem_access *a, unsigned key, uint64_t *cycles)
{
	for (unsigned c = 0; c < m->cfg.cores; c++) {
		if (!a->dma && c == a->core)
			continue;
		bool snooped = false; /* one snoop per core, whatever its levels hold */
		for (unsigned l = 0; l < priv_levels(m); l++) {
			bool dirty;
			struct cache *pc = priv_cache(m, c, l);
			if (!cache_probe(pc, key, a->pa, &dirty) || !(a->write || dirty))
				continue;
			snooped = true;
			int rc = cache_clean_inval_line(pc, key, a->pa, cycles);
			if (rc)
				return rc;
		}
		m->stat_snoops += snooped;
	}
	return 0;
}

/* The GPC part of an access that missed the cached GPT information (or is a
 * device's): a walk. Out of line, so the hit path stays small. */
static __attribute__((noinline)) int gpc_walk_access(struct machine *m, const struct mem_access *a,
						      struct cc_fault *f, uint64_t *cycles)
{
	struct gpc_result r = machine_gpt_check(m, a->pa, a->pas, a->world, cycles);
	/* Walk faults are not cached; a GPF's GPI is (D9.5). */
	if (!a->dma && (r.fault == GPC_OK || r.fault == GPC_FAULT_GPF))
		gpc_cache_fill(&m->gpc_tlb, a->pa, a->world, r.gpi, r.level);
	if (r.fault != GPC_OK) {
		gpc_fault_record(m, a, &r, f);
		return 1;
	}
	return 0;
}

static __attribute__((noinline)) int gpc_cached_fault(struct machine *m, const struct mem_access *a,
						       const struct gpc_cache_entry *e,
						       struct cc_fault *f)
{
	enum gpc_fault gf = gpc_gpi_decide(&m->gpc, e->gpi, a->pas, a->world);
	if (gf == GPC_OK)
		return 0;
	struct gpc_result r = { .fault = gf, .gpi = e->gpi, .pa = a->pa, .pas = a->pas,
				.level = e->level };
	gpc_fault_record(m, a, &r, f);
	return 1;
}

/* Coherence across keys (cache.key_coherent): before (pa, key) is used,
 * the PA's lines under other keys leave every cache, dirty ones written
 * back under their own key. */
static int key_coherence(struct machine *m, const struct mem_access *a, unsigned key,
			 uint64_t *cycles)
{
	for (unsigned c = 0; c < m->cfg.cores; c++)
		for (unsigned l = 0; l < priv_levels(m); l++)
			if (cache_clean_inval_other_keys(priv_cache(m, c, l), key, a->pa, cycles))
				return -EIO;
	return cache_clean_inval_other_keys(&m->llc, key, a->pa, cycles) ? -EIO : 0;
}

/* Everything but the plain CPU access to one core's L1D: device
 * transactions, multi-core snooping, coherence across keys, and the result
 * of a failed line. */
static __attribute__((noinline)) int slow_tail(struct machine *m, const struct mem_access *a,
					       unsigned key, void *buf, struct cc_fault *f,
					       uint64_t *cycles)
{
	if (m->cfg.key_coherent && key_coherence(m, a, key, cycles))
		return -EIO;
	if (a->dma && memenc_key_private(&m->enc, key)) {
		/* Devices hold no private KeyID (TDX): the transaction is refused. */
		f->kind = FAULT_DMA_KEY;
		f->addr = a->pa;
		return 1;
	}
	/* DMA is I/O-coherent and enters at the LLC; every core's L1D is
	 * snooped. A core's access snoops the other cores. */
	struct cache *c = a->dma ? &m->llc : &m->l1[a->core];
	int rc = snoop_others(m, a, key, cycles);
	if (rc == 0)
		rc = a->write ? cache_write(c, key, a->pa, buf, a->len, cycles)
			      : cache_read(c, key, a->pa, buf, a->len, cycles);
	return rc;
}

/* A non-temporal store of a whole line: every cached copy of the line
 * under its key is dropped (the store replaces all of it), and the line
 * goes to memory through the write-back buffer, as a write-combining
 * buffer's full line does. */
static __attribute__((noinline)) int nt_store(struct machine *m, const struct mem_access *a,
					      unsigned key, void *buf, uint64_t *cycles)
{
	if (!a->write || a->len != 64 || (a->pa & 63))
		return -EINVAL;
	for (unsigned c = 0; c < m->cfg.cores; c++)
		for (unsigned l = 0; l < priv_levels(m); l++)
			cache_drop_line(priv_cache(m, c, l), key, a->pa);
	cache_drop_line(&m->llc, key, a->pa);
	return llc_port_write(&m->port, key, a->pa, buf, cycles);
}

static __attribute__((noinline)) int access_failed(struct machine *m, const struct mem_access *a,
						   unsigned key, int rc, struct cc_fault *f)
{
	if (rc == -EBADMSG) {
		/* The engine's integrity check failed: a machine check, not data. */
		f->kind = FAULT_POISON;
		f->addr = a->pa;
		m->stat_poison++;
		trace_POISON(m->sim, a->src, a->pa, key, 0, 0);
		return 1;
	}
	return rc;
}

static int machine_access(void *ctx, const struct mem_access *a, void *buf, struct cc_fault *f,
			  uint64_t *cycles)
{
	struct machine *m = ctx;
	int rc;
	if (a->len == 0 || (a->pa & 63) + a->len > 64 || a->core >= m->cfg.cores)
		return -EINVAL;
	m->stat_accesses++;
	if ((a->pa + a->len - 1) >> m->cfg.pa_bits) {
		f->kind = FAULT_BUS_RANGE;
		f->addr = a->pa;
		return 1;
	}
	if (m->cfg.gpc) {
		m->stat_gpc_checks++;
		/* The SMMU keeps its own TLBs: device transactions do not use (or
		 * fill) the cores' cached GPT information. */
		const struct gpc_cache_entry *e =
			a->dma ? NULL : gpc_cache_lookup(&m->gpc_tlb, a->pa, a->world);
		if (!e)
			rc = gpc_walk_access(m, a, f, cycles);
		else if (e->gpi == (GPI_SECURE | a->pas) || e->gpi == GPI_ANY)
			rc = 0; /* the common grants: the PAS's own GPI, or Any */
		else
			rc = gpc_cached_fault(m, a, e, f);
		if (rc)
			return rc;
	}
	/* AMD APM vol. 2 15.36.10: the check happens at the table walk and
	 * the TLB keeps its verdict; rmp.every_access moves it to every access */
	if (m->cfg.rmp && (!a->checked || m->cfg.rmp_every_access) &&
	    (rc = machine_rmp_fault_check(m, a, f, cycles)) != 0)
		return rc;
	/* s390 secure storage: the ultravisor's ownership of the page */
	if (m->uv && (rc = uv_access_check(m->uv, a, f)) != 0)
		return rc;
	unsigned key = a->key >= 0 ? (unsigned)a->key : machine_mec_slot(m, a->pas, a->mecid);
	if (__builtin_expect(m->diff_log != NULL, 0) && a->write)
		mon_diff_log_old(m->diff_log, a->pa, key);
	m->port.demand_load = !a->write && !a->dma; /* trains the stream prefetcher */
	if (__builtin_expect(a->walk, 0))
		m->l1[a->core].walker = true;
	if (__builtin_expect(a->nt, 0))
		rc = nt_store(m, a, key, buf, cycles);
	else if (m->cfg.cores > 1 || a->dma || m->cfg.key_coherent)
		rc = slow_tail(m, a, key, buf, f, cycles);
	else if (a->write)
		rc = cache_write(&m->l1[0], key, a->pa, buf, a->len, cycles);
	else if (cache_read_mru(&m->l1[0], key, a->pa, buf, a->len, cycles))
		rc = 0;
	else
		rc = cache_read(&m->l1[0], key, a->pa, buf, a->len, cycles);
	m->l1[a->core].walker = false;
	return rc ? access_failed(m, a, key, rc, f) : 0;
}

static void machine_smc(void *ctx, enum cc_world world, uint8_t el, uint64_t regs[SMC_REGS],
			uint64_t *cycles)
{
	struct machine *m = ctx;
	(void)el;
	uint64_t fid = regs[0];
	m->call_t0 = sim_time(m->sim);
	m->stat_smcs++;
	*cycles += m->cfg.smc_cycles;
	trace_MON_CALL(m->sim, m->src, regs[0], regs[1], regs[2], regs[3]);
	if (m->rmm && world == WORLD_NS && machine_mon_owns(m->rmm, regs[0])) {
		/* EL3 forwards RMI calls to the RMM in realm EL2 and back. */
		*cycles += 2 * m->cfg.world_switch_cycles;
		machine_mon_call(m->rmm, regs, cycles);
	} else {
		/* SMCCC: an unimplemented function returns SMC_UNKNOWN (-1). */
		m->stat_smc_unknown++;
		regs[0] = UINT64_MAX;
	}
	trace_MON_RET(m->sim, m->src, fid, regs[0], regs[1], *cycles);
}

static const struct bus_port_ops machine_bus_ops = { machine_access, machine_smc, NULL };
/* With an RMP, TLB fills check it and cache the verdicts. */
static const struct bus_port_ops machine_bus_ops_rmp = { machine_access, machine_smc,
							 machine_rmp_fill_check };

struct bus_port machine_bus(struct machine *m)
{
	return (struct bus_port){ m->cfg.rmp ? &machine_bus_ops_rmp : &machine_bus_ops, m };
}

int machine_phys_read(struct machine *m, uint64_t pa, void *buf, size_t len)
{
	trace_PHYS_READ(m->sim, m->src, pa, len, 0, 0);
	return mem_cell_read(&m->mem, pa, buf, len);
}

int machine_phys_write(struct machine *m, uint64_t pa, const void *buf, size_t len)
{
	trace_PHYS_WRITE(m->sim, m->src, pa, len, 0, 0);
	return mem_cell_write(&m->mem, pa, buf, len);
}

int machine_phys_alias(struct machine *m, uint64_t pa, uint64_t target, uint64_t size)
{
	trace_PHYS_ALIAS(m->sim, m->src, pa, target, size, 0);
	return mem_alias(&m->mem, pa, target, size);
}

void machine_bus_snoop_start(struct machine *m)
{
	trace_PHYS_SNOOP(m->sim, m->src, 1, 0, 0, 0);
	mem_bus_log_start(&m->mem);
}

uint8_t *machine_bus_snoop_stop(struct machine *m, size_t *len, size_t *records)
{
	struct mem_bus_rec *recs;
	size_t n = mem_bus_log_stop(&m->mem, &recs);
	uint8_t *out = g_malloc(n * MEM_LINE_SIZE + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * MEM_LINE_SIZE, recs[i].data, MEM_LINE_SIZE);
	mem_bus_log_free(recs);
	*len = n * MEM_LINE_SIZE;
	*records = n;
	trace_PHYS_SNOOP(m->sim, m->src, 0, n, 0, 0);
	return out;
}

static void cache_quiesce(struct cache *c)
{
	memset(c->ready, 0, c->nlines * sizeof(*c->ready));
	memset(c->mshr, 0, (c->cfg.mshrs ? c->cfg.mshrs : 1) * sizeof(*c->mshr));
}

void machine_quiesce(struct machine *m)
{
	for (unsigned c = 0; c < m->cfg.cores; c++)
		for (unsigned l = 0; l < priv_levels(m); l++)
			cache_quiesce(priv_cache(m, c, l));
	cache_quiesce(&m->llc);
	llc_port_quiesce(&m->port);
	m->enc.engine_free = 0;
	mem_timing_idle(&m->mem);
}

int machine_wbinvd(struct machine *m, uint64_t *cycles)
{
	uint64_t off = 0, t0 = sim_time(m->sim);
	int rc = 0;
	for (unsigned c = 0; c < m->cfg.cores && !rc; c++)
		for (unsigned l = 0; l < priv_levels(m) && !rc; l++)
			rc = cache_wbinvd(priv_cache(m, c, l), &off);
	rc = rc ? rc : cache_wbinvd(&m->llc, &off);
	if (!rc)
		m->stat_wbinvd++; /* the SNP firmware's DF_FLUSH asks whether one happened */
	sim_trace_emit(m->sim, TRACE_CACHE_OP, m->src, 0, 0, off, 0, "wbinvd", 6);
	machine_op_done(m, t0, off, cycles);
	return rc;
}

int machine_invd(struct machine *m, uint64_t *cycles, uint64_t *dropped)
{
	*dropped = 0;
	if (m->cfg.invd_gp) {
		/* Intel SDM vol. 2A, INVD: on processors that support SEAM it
		 * cannot be executed while the SEAM range is protected (nor while
		 * processor reserved memory protections are active): #GP(0),
		 * nothing invalidated */
		sim_trace_emit(m->sim, TRACE_CACHE_OP, m->src, 1, 0, 0, 0, "invd #GP", 8);
		return 1;
	}
	if (m->cfg.invd_cleans) {
		return machine_wbinvd(m, cycles);
	}
	uint64_t off = 0, t0 = sim_time(m->sim), d0 = m->llc.invd_dropped_dirty, d1 = 0;
	for (unsigned c = 0; c < m->cfg.cores; c++)
		for (unsigned l = 0; l < priv_levels(m); l++) {
			struct cache *pc = priv_cache(m, c, l);
			d0 += pc->invd_dropped_dirty;
			cache_invd(pc, &off);
			d1 += pc->invd_dropped_dirty;
		}
	cache_invd(&m->llc, &off);
	*dropped = d1 + m->llc.invd_dropped_dirty - d0;
	sim_trace_emit(m->sim, TRACE_CACHE_OP, m->src, 1, *dropped, off, 0, "invd", 4);
	machine_op_done(m, t0, off, cycles);
	return 0;
}

int machine_flush_key(struct machine *m, unsigned slot, uint64_t *cycles)
{
	uint64_t off = 0, t0 = sim_time(m->sim);
	int rc = 0;
	for (unsigned c = 0; c < m->cfg.cores && !rc; c++)
		for (unsigned l = 0; l < priv_levels(m) && !rc; l++)
			rc = cache_flush_key(priv_cache(m, c, l), slot, &off);
	rc = rc ? rc : cache_flush_key(&m->llc, slot, &off);
	sim_trace_emit(m->sim, TRACE_CACHE_OP, m->src, 2, slot, off, 0, "flush_key", 9);
	machine_op_done(m, t0, off, cycles);
	return rc;
}

int machine_key_program(struct machine *m, unsigned slot, uint32_t owner, unsigned flags)
{
	unsigned lines = cache_lines_of_key(&m->llc, slot);
	for (unsigned c = 0; c < m->cfg.cores; c++)
		for (unsigned l = 0; l < priv_levels(m); l++)
			lines += cache_lines_of_key(priv_cache(m, c, l), slot);
	if (lines && memenc_key_valid(&m->enc, slot)) {
		m->stat_key_hazards++;
		trace_KEY_HAZARD(m->sim, m->src, slot, memenc_key_owner(&m->enc, slot), owner, lines);
	}
	return memenc_key_program_ex(&m->enc, slot, owner, flags);
}
