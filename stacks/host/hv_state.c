/* The host stack's model plumbing: a guest's stack as a simulation model, its
 * saved state (fields, vCPUs, pool bookkeeping, outputs), statistics and
 * creation (hv_guest_new); see hv.h. */
#include "stacks/host/hv_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static size_t ram_pages(const struct hv_guest *g) { return (size_t)(g->cfg.k.ram_size / PAGE); }

static const struct sim_field hv_fields[] = {
	SIM_FIELD(struct hv_guest, state), SIM_FIELD(struct hv_guest, next),
	SIM_FIELD(struct hv_guest, stage), SIM_FIELD(struct hv_guest, rd),
	SIM_FIELD(struct hv_guest, rtt_root), SIM_FIELD(struct hv_guest, s2_root),
	SIM_FIELD(struct hv_guest, cur), SIM_FIELD(struct hv_guest, slice_end),
	SIM_FIELD(struct hv_guest, deferred), SIM_FIELD(struct hv_guest, asid),
	SIM_FIELD_ARRAY(struct hv_guest, launch_measure, uint8_t),
	SIM_FIELD(struct hv_guest, n.runs), SIM_FIELD(struct hv_guest, n.exits),
	SIM_FIELD_ARRAY(struct hv_guest, n.exits_by, uint64_t),
	SIM_FIELD(struct hv_guest, n.mmio), SIM_FIELD(struct hv_guest, n.populate),
	SIM_FIELD(struct hv_guest, n.shared_maps), SIM_FIELD(struct hv_guest, n.ripas_changes),
	SIM_FIELD(struct hv_guest, n.host_calls), SIM_FIELD(struct hv_guest, n.psci),
	SIM_FIELD(struct hv_guest, n.injected), SIM_FIELD(struct hv_guest, n.idle_cycles),
	SIM_FIELD(struct hv_guest, n.run_cycles), SIM_FIELD(struct hv_guest, n.reported),
	SIM_FIELD(struct hv_guest, n.panic_esr), SIM_FIELD(struct hv_guest, n.panicked),
	SIM_FIELD(struct hv_guest, n.cpus_reported), SIM_FIELD(struct hv_guest, n.traps),
	SIM_FIELD(struct hv_guest, n.last_trap), SIM_FIELD(struct hv_guest, n.injections),
	SIM_FIELD(struct hv_guest, n.injections_refused), SIM_FIELD(struct hv_guest, n.npfs),
	SIM_FIELD(struct hv_guest, n.last_npf), SIM_FIELD(struct hv_guest, n.last_npf_kind),
	SIM_FIELD(struct hv_guest, n.cpuids), SIM_FIELD(struct hv_guest, n.msrs),
	SIM_FIELD(struct hv_guest, n.pios),
	SIM_FIELD(struct hv_guest, n.blk_reads), SIM_FIELD(struct hv_guest, n.blk_writes),
	SIM_FIELD(struct hv_guest, n.blk_bytes),
	SIM_FIELD(struct hv_guest, n.net_tx), SIM_FIELD(struct hv_guest, n.net_rx),
	SIM_FIELD(struct hv_guest, n.net_bytes),
	SIM_FIELD(struct hv_guest, n.insns), SIM_FIELD(struct hv_guest, n.guest_cycles),
	SIM_FIELD(struct hv_guest, n.bounce_bytes), SIM_FIELD(struct hv_guest, n.pages_accepted),
	SIM_FIELD(struct hv_guest, n.monitor_calls), SIM_FIELD(struct hv_guest, n.asid_taken),
	SIM_FIELD(struct hv_guest, n.asid_lost), SIM_FIELD(struct hv_guest, n.asid_cycles),
	SIM_FIELD(struct hv_guest, last_run),
	SIM_FIELD(struct hv_guest, blk_pending), SIM_FIELD(struct hv_guest, blk_done_at),
	SIM_FIELD(struct hv_guest, blk_sector), SIM_FIELD(struct hv_guest, blk_buf),
	SIM_FIELD(struct hv_guest, blk_len), SIM_FIELD(struct hv_guest, blk_vcpu),
	SIM_FIELD(struct hv_guest, blk_queue_kind), SIM_FIELD(struct hv_guest, blk_queue),
	SIM_FIELD_ARRAY(struct hv_guest, trap, uint64_t),
};
static const struct sim_vmstate hv_vmstate = { "hv", 11, hv_fields, G_N_ELEMENTS(hv_fields) };

/* struct hv_vcpu is all uint64_t: saved word by word. */
#define HV_VCPU_WORDS (sizeof(struct hv_vcpu) / sizeof(uint64_t))
G_STATIC_ASSERT(sizeof(struct hv_vcpu) % sizeof(uint64_t) == 0);

static int hv_save(const struct sim_model *m, struct sim_buf *out)
{
	const struct hv_guest *g = (const struct hv_guest *)m;
	for (uint64_t i = 0; i < HV_MAX_VCPUS; i++) {
		const uint64_t *w = (const uint64_t *)&g->vcpu[i];
		for (size_t k = 0; k < HV_VCPU_WORDS; k++)
			sim_buf_put_u64(out, w[k]);
	}
	sim_buf_put(out, g->shared, ram_pages(g));
	sim_buf_put(out, g->kind, hv_pool_pages(g));
	sim_buf_put(out, g->ipa, hv_pool_pages(g) * sizeof(uint64_t));
	sim_buf_put_u64(out, g->out->len);
	sim_buf_put(out, g->out->data, g->out->len);
	sim_buf_put_u64(out, g->token->len);
	sim_buf_put(out, g->token->data, g->token->len);
	sim_buf_put_u64(out, g->results->len);
	for (guint i = 0; i < g->results->len; i++) {
		const struct hv_call_result *r = &g_array_index(g->results, struct hv_call_result, i);
		sim_buf_put_u64(out, r->op);
		sim_buf_put_u64(out, r->n);
		for (unsigned k = 0; k < GUEST_CALL_MAX_RESULTS; k++)
			sim_buf_put_u64(out, r->x[k]);
	}
	return 0;
}

static int hv_restore(struct sim_model *m, struct sim_reader *in)
{
	struct hv_guest *g = (struct hv_guest *)m;
	for (uint64_t i = 0; i < HV_MAX_VCPUS; i++) {
		uint64_t *w = (uint64_t *)&g->vcpu[i];
		for (size_t k = 0; k < HV_VCPU_WORDS; k++)
			w[k] = sim_reader_u64(in);
	}
	if (!sim_reader_get(in, g->shared, ram_pages(g)) || !sim_reader_get(in, g->kind, hv_pool_pages(g)) ||
	    !sim_reader_get(in, g->ipa, hv_pool_pages(g) * sizeof(uint64_t)))
		return -EINVAL;
	GByteArray *arrs[2] = { g->out, g->token };
	for (int i = 0; i < 2; i++) {
		uint64_t n = sim_reader_u64(in);
		if (n > GUEST_BOUNCE_SIZE * 1024)
			return -EINVAL;
		g_byte_array_set_size(arrs[i], (guint)n);
		if (!sim_reader_get(in, arrs[i]->data, n))
			return -EINVAL;
	}
	uint64_t nres = sim_reader_u64(in);
	if (nres > 1u << 20)
		return -EINVAL;
	g_array_set_size(g->results, (guint)nres);
	for (guint i = 0; i < nres; i++) {
		struct hv_call_result *r = &g_array_index(g->results, struct hv_call_result, i);
		r->op = sim_reader_u64(in);
		r->n = sim_reader_u64(in);
		for (unsigned k = 0; k < GUEST_CALL_MAX_RESULTS; k++)
			r->x[k] = sim_reader_u64(in);
		if (r->n > GUEST_CALL_MAX_RESULTS)
			return -EINVAL;
	}
	return 0;
}

static void hv_destroy_model(struct sim_model *m)
{
	struct hv_guest *g = (struct hv_guest *)m;
	g_free(g->image);
	g_free(g->data);
	g_free(g->kind);
	g_free(g->ipa);
	g_free(g->shared);
	g_free(g->se_image);
	g_free(g->se_arcb);
	g_byte_array_free(g->out, TRUE);
	g_byte_array_free(g->token, TRUE);
	g_array_free(g->results, TRUE);
	g_free((char *)g->name);
	g_free(g->mname);
	g_free(g->vname);
	g_free(g);
}

static const struct sim_model_ops hv_ops = {
	.save_extra = hv_save, .restore_extra = hv_restore, .destroy = hv_destroy_model,
};

struct hv_guest *hv_guest_new(struct sim *s, struct machine *m, struct cpu *host, const char *name,
			      const struct hv_guest_config *cfg, char *err, size_t errlen)
{
	struct hv_guest *g = g_new0(struct hv_guest, 1);
	g->cfg = *cfg;
	g->cfg.k.realm = m->rmm != NULL;
	g->cfg.k.tdx = m->tdx_mon != NULL;
	g->sev = m->cfg.arch == ARCH_SEV      ? CPU_SEV
	       : m->cfg.arch == ARCH_SEV_ES   ? CPU_SEV_ES
	       : m->cfg.arch == ARCH_SEV_SNP  ? CPU_SEV_SNP
					      : CPU_SEV_NONE;
	g->cfg.k.sev = (unsigned)g->sev;
	g->cfg.k.s390 = m->uv != NULL;
	g->cfg.k.vc_work = g->sev >= CPU_SEV_ES ? m->cfg.vc_handler_cycles : 0;
	g->m = m;
	if ((hv_is_s390(g) && hv_s390_new(g, err, errlen)) ||
	    guest_kernel_build(&g->cfg.k, &g->image, &g->image_len, err, errlen, NULL)) {
		g_free(g->se_arcb);
		g_free(g);
		return NULL;
	}
	guest_kernel_data(&g->cfg.k, &g->data, &g->data_len, &g->data_ipa);
	g->name = g_strdup(name);
	g->nvcpus = cfg->k.vcpus ? cfg->k.vcpus : 1;
	g->host = host;
	g->kind = g_malloc0(hv_pool_pages(g));
	g->shared = g_malloc0(ram_pages(g));
	g->hw = (struct exec_hw){ hv_sev_pvalidate, g };
	g->ipa = g_malloc0(hv_pool_pages(g) * sizeof(uint64_t));
	g->out = g_byte_array_new();
	g->token = g_byte_array_new();
	g->results = g_array_new(FALSE, TRUE, sizeof(struct hv_call_result));
	gchar *prefix = g_strdup_printf("hv.%s", name);
	g->mname = prefix;
	g->base.name = prefix;
	g->base.kind = "hv";
	g->base.ops = &hv_ops;
	g->base.vmstate = &hv_vmstate;
	sim_model_register(s, &g->base);
	g->vname = g_strdup_printf("hv.%s.vcpu", name);
	if (hv_is_s390(g) && hv_s390_seal(g, err, errlen))
		return NULL; /* registered: the simulation frees it */
	cpu_init(&g->gcpu, s, g->vname, machine_bus(m), WORLD_NS, 1);
	g->gcpu.core_cfg = machine_cpu_core(m);
#define ST(f, n, k, d) SIM_STAT_DEF(struct hv_guest, f, n, k, d)
	static const struct sim_stat_def stats[] = {
		ST(n.runs, "runs", SIM_STAT_COUNT, "host.guest_run steps"),
		ST(n.exits, "exits", SIM_STAT_COUNT, "guest exits the host handled"),
		ST(n.exits_by[RMI_EXIT_SYNC], "exits_sync", SIM_STAT_COUNT, "exits for an abort, WFI or trap"),
		ST(n.exits_by[RMI_EXIT_IRQ], "exits_irq", SIM_STAT_COUNT, "exits for a physical interrupt (timer, host tick)"),
		ST(n.exits_by[RMI_EXIT_PSCI], "exits_psci", SIM_STAT_COUNT, "exits for PSCI"),
		ST(n.exits_by[RMI_EXIT_RIPAS_CHANGE], "exits_ripas_change", SIM_STAT_COUNT, "exits for a RIPAS change request"),
		ST(n.exits_by[RMI_EXIT_HOST_CALL], "exits_host_call", SIM_STAT_COUNT, "exits for a host call"),
		ST(n.mmio, "mmio", SIM_STAT_COUNT, "device accesses the host emulated"),
		ST(n.populate, "populated_pages", SIM_STAT_COUNT, "RAM pages the host backed on first touch"),
		ST(n.shared_maps, "shared_maps", SIM_STAT_COUNT, "host pages mapped at the unprotected alias"),
		ST(n.ripas_changes, "ripas_changes", SIM_STAT_COUNT, "RIPAS change / SNP page state change requests served"),
		ST(n.host_calls, "host_calls", SIM_STAT_COUNT, "host calls answered"),
		ST(n.injected, "virq_injected", SIM_STAT_COUNT, "virtual timer interrupts the host injected"),
		ST(n.idle_cycles, "idle_cycles", SIM_STAT_CYCLES, "cycles the host waited for a guest in WFI"),
		ST(n.run_cycles, "run_cycles", SIM_STAT_CYCLES, "cycles of host.guest_run steps"),
		ST(n.reported, "reported", SIM_STAT_COUNT, "the last value the guest reported (its ticks)"),
		ST(n.cpus_reported, "cpus_reported", SIM_STAT_COUNT, "secondary vCPUs the guest reported as having run"),
		ST(n.panicked, "panicked", SIM_STAT_COUNT, "1 if the guest reported a fatal exception"),
		ST(n.traps, "traps", SIM_STAT_COUNT, "faults on pages the host unmapped (host.guest_unmap)"),
		ST(n.last_trap, "last_trap", SIM_STAT_COUNT, "the IPA of the last such fault"),
		ST(n.injections, "injections", SIM_STAT_COUNT, "events the host injected (host.guest_inject)"),
		ST(n.injections_refused, "injections_refused", SIM_STAT_COUNT, "injections Restricted Injection refused"),
		ST(n.npfs, "npfs", SIM_STAT_COUNT, "nested page faults the host took (ordinary VMs, SEV guests)"),
		ST(n.last_npf, "last_npf", SIM_STAT_COUNT, "the GPA the last one reported (EXITINFO2)"),
		ST(n.panic_esr, "panic_esr", SIM_STAT_COUNT, "the syndrome it reported (0: a failed kernel check)"),
		ST(n.cpuids, "cpuids", SIM_STAT_COUNT, "CPUID instructions the host emulated"),
		ST(n.msrs, "msrs", SIM_STAT_COUNT, "RDMSR / WRMSR the host emulated"),
		ST(n.pios, "pios", SIM_STAT_COUNT, "port I/O instructions the host emulated"),
		ST(n.blk_reads, "blk.reads", SIM_STAT_COUNT, "block read requests the host's device completed"),
		ST(n.blk_writes, "blk.writes", SIM_STAT_COUNT, "block write requests the host's device completed"),
		ST(n.blk_bytes, "blk.bytes", SIM_STAT_COUNT, "bytes those requests moved"),
		ST(n.net_tx, "net.tx", SIM_STAT_COUNT, "packets the host's network device sent for the guest"),
		ST(n.net_rx, "net.rx", SIM_STAT_COUNT, "packets it delivered to the guest"),
		ST(n.net_bytes, "net.bytes", SIM_STAT_COUNT, "bytes those packets carried"),
		ST(n.insns, "insns", SIM_STAT_COUNT, "guest instructions retired (the same count on every architecture: a VM's vCPU, a realm's REC)"),
		ST(n.guest_cycles, "guest_cycles", SIM_STAT_CYCLES, "cycles the guest's vCPUs ran its code (not the host's work, not idle)"),
		ST(n.bounce_bytes, "bounce_bytes", SIM_STAT_COUNT, "bytes the host moved through the guest's shared bounce buffer (device data, sends, the attestation token): each one the guest copies in or out of private memory"),
		ST(n.pages_accepted, "pages_accepted", SIM_STAT_COUNT, "private pages the guest accepted into use: SNP PVALIDATEs that validated a page, pages a realm had the host set to RIPAS RAM (0 where there is no acceptance: plain, SEV, SEV-ES)"),
		ST(n.asid_taken, "asid_taken", SIM_STAT_COUNT, "SEV / SEV-ES: ASIDs the host took back from another guest for this one (more guests than ASIDs)"),
		ST(n.asid_lost, "asid_lost", SIM_STAT_COUNT, "times the host took this guest's ASID for another"),
		ST(n.asid_cycles, "asid_cycles", SIM_STAT_CYCLES, "host cycles that took (DEACTIVATE, WBINVD on every core, DF_FLUSH, ACTIVATE)"),
		ST(n.monitor_calls, "monitor_calls", SIM_STAT_COUNT, "calls the guest made to what isolates or hosts it: RSI calls to the RMM and PSCI on cca, HVCs on plain and SEV, VMGEXITs on SEV-ES / SNP"),
	};
#undef ST
	sim_stat_register_table(s, prefix, g, stats, G_N_ELEMENTS(stats));
	return g;
}
