/* A monitor slot: the services a monitor calls, over the machine, and the
 * monitor as a model of the simulation; see machine_mon.h. */
#include "models/platform/machine_mon.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "models/cpu/exec.h"
#include "models/mmu/gpt.h"
#include "models/monitor/mon_param.h"
#include "models/platform/machine.h"
#include "models/platform/machine_priv.h"
#include "models/monitor/tdx/tdx_abi.h" /* TDX_STATE_STEP_RECORD */
#include "models/platform/mon_diff.h"
#include "sim/buf.h"

/* The interface's numbers are the machine's own. */
_Static_assert(sizeof(struct ccsim_fault) == sizeof(struct cc_fault) &&
	       offsetof(struct ccsim_fault, addr) == offsetof(struct cc_fault, addr) &&
	       CCSIM_FAULT_MMU_S2 == (int)FAULT_MMU_S2 && CCSIM_FAULT_GP == (int)FAULT_GP &&
	       CCSIM_FAULT_GPC_GPF == (int)FAULT_GPC_GPF && CCSIM_FAULT_BUS_RANGE == (int)FAULT_BUS_RANGE,
	       "faults as the monitor interface numbers them");
_Static_assert(CCSIM_PAS_REALM == (int)PAS_REALM && CCSIM_PAS_NS == (int)PAS_NS &&
	       CCSIM_PAS_ROOT == (int)PAS_ROOT && CCSIM_MONITOR_REGS == SMC_REGS,
	       "PASes and call registers as the monitor interface numbers them");
_Static_assert(MON_ARCH_SEV == (int)ARCH_SEV && MON_ARCH_SEV_ES == (int)ARCH_SEV_ES &&
	       MON_ARCH_SEV_SNP == (int)ARCH_SEV_SNP && MON_ARCH_TDX == (int)ARCH_TDX &&
	       MON_ARCH_S390_SE == (int)ARCH_S390_SE,
	       "platform.arch's indices as the built-in monitors read them");
_Static_assert(CCSIM_STAT_COUNT == (int)SIM_STAT_COUNT && CCSIM_STAT_CYCLES == (int)SIM_STAT_CYCLES,
	       "statistic kinds as the monitor interface numbers them");

/* --- services --- */

static int svc_param(void *host, const char *key, uint64_t *value)
{
	struct machine_mon *mm = host;
	if (strcmp(key, "sim.seed") == 0) {
		*value = mm->m->sim->seed;
		return 0;
	}
	if (strcmp(key, "machine.wbinvd") == 0) {
		*value = mm->m->stat_wbinvd;
		return 0;
	}
	if (strcmp(key, "machine.fw_slot") == 0) { /* the AMD-SP's own key slot */
		*value = machine_fw_slot(mm->m);
		return 0;
	}
	if (strcmp(key, "machine.dram_aliased") == 0) { /* two addresses, one DRAM cell */
		const struct platform_config *c = &mm->m->cfg;
		/* system memory: what the RMP covers, below TDX's KeyID bits */
		uint64_t top = c->rmp		    ? mm->m->rmp.mem_top
			       : c->arch == ARCH_TDX ? 1ull << (c->pa_bits - c->tdx_keyid_bits)
						     : 1ull << c->pa_bits;
		*value = mem_decoder_aliases(&mm->m->mem, 0, top);
		return 0;
	}
	return profile_get(&mm->m->cfg, key, value);
}

static int svc_mem(void *host, const struct ccsim_mem_req *req, void *buf, struct ccsim_fault *fault,
		   uint64_t *cycles)
{
	struct machine_mon *mm = host;
	struct machine *m = mm->m;
	uint8_t *p = buf;
	if (req->key >= (int32_t)m->enc.cfg.slots)
		return -EINVAL;
	if (req->flags & CCSIM_MEM_PEEK) { /* the simulator's look */
		if (req->key < 0 || req->write || (req->flags & ~CCSIM_MEM_PEEK))
			return -EINVAL;
		return machine_peek(m, (unsigned)req->key, req->pa, buf, req->len) ? -EIO : 0;
	}
	if (req->flags & CCSIM_MEM_DRAM) { /* at the memory controller: a key, no PAS */
		if (req->key < 0)
			return -EINVAL;
		sim_set_time(m->sim, m->call_t0 + *cycles);
		return machine_dram_access(m, (unsigned)req->key, req->pa, buf, req->len, req->write,
					   cycles) ? -EIO : 0;
	}
	if (req->pas > CCSIM_PAS_REALM || !machine_mecid_valid(m, req->mecid) ||
	    req->core >= m->cfg.cores || (req->flags & ~CCSIM_MEM_NT) ||
	    !cc_world_may_use_pas((enum cc_world)mm->world, (enum cc_pas)req->pas))
		return -EINVAL;
	struct bus_port bus = machine_bus(m);
	unsigned key = req->key >= 0 ? (unsigned)req->key
				     : machine_mec_slot(m, (enum cc_pas)req->pas, req->mecid);
	for (uint64_t pa = req->pa, len = req->len; len;) {
		uint32_t n = (uint32_t)MIN(len, 64 - (pa & 63));
		struct mem_access a = { .pa = pa, .len = n, .write = req->write != 0,
					.world = (enum cc_world)mm->world, .pas = (enum cc_pas)req->pas,
					.el = mm->el, .src = mm->src, .key = req->key,
					.mecid = (uint16_t)req->mecid, .core = (uint8_t)req->core,
					.nt = (req->flags & CCSIM_MEM_NT) != 0 };
		struct cc_fault f;
		uint64_t c = 0;
		/* each line at the cycle the monitor reaches it */
		sim_set_time(m->sim, m->call_t0 + *cycles);
		int rc = bus_access(&bus, &a, p, &f, &c);
		*cycles += c;
		if (rc == 1)
			memcpy(fault, &f, sizeof(*fault));
		if (rc)
			return rc;
		if (mm->diff && a.write)
			mon_diff_note_write(mm->diff, pa, key, p, n);
		pa += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int svc_el3_delegate(void *host, uint64_t pa, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	int rc = machine_el3_delegate(mm->m, pa, cycles);
	if (rc == 0 && mm->diff)
		mon_diff_note_gpi(mm->diff, pa, GPI_NS, GPI_REALM);
	return rc;
}

static int svc_el3_undelegate(void *host, uint64_t pa, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	int rc = machine_el3_undelegate(mm->m, pa, cycles);
	if (rc == 0 && mm->diff)
		mon_diff_note_gpi(mm->diff, pa, GPI_REALM, GPI_NS);
	return rc;
}

static int svc_rmp_write(void *host, uint64_t pa, const uint8_t entry[16], uint64_t *cycles)
{
	struct machine_mon *mm = host;
	uint8_t raw[16];
	memcpy(raw, entry, sizeof(raw));
	sim_set_time(mm->m->sim, mm->m->call_t0 + *cycles);
	return machine_rmp_entry_rw(mm->m, pa, raw, true, cycles);
}

static int svc_rmp_read(void *host, uint64_t pa, uint8_t entry[16], uint64_t *cycles)
{
	struct machine_mon *mm = host;
	if (!mm->m->cfg.rmp)
		return -ENODEV;
	if (!cycles)
		return machine_rmp_peek(mm->m, pa, entry);
	sim_set_time(mm->m->sim, mm->m->call_t0 + *cycles);
	return machine_rmp_entry_rw(mm->m, pa, entry, false, cycles);
}

static int svc_key_program(void *host, uint32_t slot, uint32_t owner, uint32_t flags)
{
	struct machine_mon *mm = host;
	return slot < mm->m->enc.cfg.slots ? machine_key_program(mm->m, slot, owner, flags) : -EINVAL;
}

static int svc_mec_refresh(void *host, uint32_t mecid, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	struct machine *m = mm->m;
	if (!m->cfg.mec)
		return -ENODEV;
	int rc = machine_mec_refresh(m, mecid);
	if (rc == 0)
		*cycles += m->cfg.smc_cycles + m->cfg.mec_refresh_cycles;
	return rc;
}

static void svc_tlbi_core(void *host, uint32_t core, uint32_t vmid, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	struct machine *m = mm->m;
	if (core < m->cfg.cores && core < MACHINE_MAX_CORES)
		tlb_inval_vmid(&m->tlb[core], mm->world, (uint16_t)vmid);
	*cycles += m->cfg.tlbi_cycles;
}

static void svc_tlbi_vmid(void *host, uint32_t vmid, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	struct machine *m = mm->m;
	for (unsigned c = 0; c < m->cfg.cores && c < MACHINE_MAX_CORES; c++)
		tlb_inval_vmid(&m->tlb[c], mm->world, (uint16_t)vmid);
	*cycles += m->cfg.tlbi_cycles;
}

static int svc_cache_flush(void *host, uint64_t pa, uint64_t len, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	return machine_clflush(mm->m, pa, len, cycles);
}

static int svc_wbinvd(void *host, uint64_t *cycles)
{
	struct machine_mon *mm = host;
	return machine_wbinvd(mm->m, cycles);
}

struct guest_mark {
	struct machine *m;
	uint32_t vmid;
	int core;              /* x86: its markers go where the platform routes the core's */
};
static void guest_mark_cb(void *ctx, uint32_t what, uint64_t at)
{
	const struct guest_mark *mk = ctx;
	if (mk->core < 0)
		machine_mark(mk->m, mk->vmid, what, at);
	else
		machine_core_mark(mk->m, (unsigned)mk->core, what, at);
}

static void stop_to_ccsim(struct ccsim_guest_stop *out, const struct exec_stop_info *st)
{
	memset(out, 0, sizeof(*out));
	out->why = (uint32_t)st->why;
	out->trap = st->why == EXEC_TRAP ? st->insn.op : 0;
	out->hvc = st->hvc;
	out->fetch = st->fetch;
	out->write = st->write;
	out->size = st->size;
	out->reg = st->reg;
	out->addr = st->addr;
	out->value = st->value;
	memcpy(&out->fault, &st->fault, sizeof(out->fault));
}

int machine_mon_regime_cpu(struct machine *m, uint8_t world, const struct ccsim_guest_regime *g,
			   struct cpu *c)
{
	if (g->fmt == CCSIM_REGIME_X86_EPT) {
		if (g->core >= m->cfg.cores || g->core >= MACHINE_MAX_CORES || g->pa_bits > m->cfg.pa_bits ||
		    g->key < 0 || g->key >= (int32_t)m->enc.cfg.slots || g->shared_bit > 63)
			return -EINVAL;
		c->paging = 1;
		c->pt = (struct pt_config){
			.s1 = { .fmt = PT_FMT_X86, .pa_bits = (uint8_t)g->pa_bits },
			.nested = true,
			.s1_off = true,
			.s2 = { .fmt = PT_FMT_EPT, .root = g->s2_root, .pa_bits = (uint8_t)g->pa_bits },
			.s2_shared_root = g->shared_root,
			.shared_bit = (uint8_t)g->shared_bit,
		};
		c->tlb = &m->tlb[g->core];
		c->core = g->core;
		c->tag = (struct tlb_tag){ .world = world, .vmid = (uint16_t)g->vmid,
					   .asid = (uint16_t)g->asid };
		c->key = g->key;
		c->s2_key = g->key;
		c->s2_pas = PAS_NS;
		c->guest = 1;
		return 0;
	}
	if (g->fmt != CCSIM_REGIME_ARM || g->pas > CCSIM_PAS_REALM || !machine_mecid_valid(m, g->mecid))
		return -EINVAL;
	c->paging = 1;
	c->pt = (struct pt_config){
		.s1 = { .fmt = PT_FMT_ARM_S1 },
		.nested = true,
		.s1_off = true,
		.s2 = { .fmt = PT_FMT_ARM_S2, .root = g->s2_root, .pa_bits = (uint8_t)m->cfg.pa_bits,
			.realm = g->pas == CCSIM_PAS_REALM, .start_level = (uint8_t)g->start_level,
			.in_bits = (uint8_t)g->in_bits },
		.shared_bit = (uint8_t)g->shared_bit,
	};
	c->tlb = &m->tlb[0];
	c->core = 0;
	c->tag = (struct tlb_tag){ .world = world, .vmid = (uint16_t)g->vmid };
	c->s2_pas = g->pas;
	c->mecid = g->mecid; /* VMECID_P_EL2 */
	return 0;
}

/* The PE's translation regime while it runs the guest (machine_mon_regime_cpu). */
static int svc_guest_run(void *host, const struct ccsim_guest_regime *g, struct ccsim_vcpu *cv,
			 const struct ccsim_guest_params *p, struct ccsim_guest_stop *stop,
			 uint64_t *spent)
{
	struct machine_mon *mm = host;
	struct machine *m = mm->m;
	struct cpu *c = &mm->pe;
	if (!mm->has_pe || machine_mon_regime_cpu(m, mm->world, g, c))
		return -EINVAL;
	struct ccsim_vcpu in = *cv;
	struct guest_mark mk = { m, g->vmid, g->fmt == CCSIM_REGIME_X86_EPT ? (int)g->core : -1 };
	struct exec_params ep = {
		.now = m->call_t0 + p->at, .budget = p->budget, .trap_wfi = p->trap_wfi != 0,
		.insn_limit = p->insn_limit, .mark = guest_mark_cb, .mark_ctx = &mk,
	};
	struct exec_stop_info st;
	struct vcpu_state v;
	vcpu_from_ccsim(&v, cv);
	*spent = 0;
	int rc = cpu_exec(c, &v, &ep, &st, spent);
	vcpu_to_ccsim(cv, &v);
	stop_to_ccsim(stop, &st);
	mm->guest_insns += cv->insns - in.insns;
	mm->guest_cycles += *spent;
	if (mm->diff)
		mon_diff_note_run(mm->diff, g, p, &in, cv, stop, *spent);
	return rc;
}

static uint64_t svc_call_start(void *host)
{
	struct machine_mon *mm = host;
	return mm->m->call_t0;
}

static void svc_sync(void *host, uint64_t cycles)
{
	struct machine_mon *mm = host;
	sim_set_time(mm->m->sim, mm->m->call_t0 + cycles);
}

int machine_mon_trace_type(const char *name)
{
	for (int i = 0; i < TRACE_TYPE_COUNT; i++)
		if (strcmp(trace_types[i].name, name) == 0)
			return i;
	return -1;
}

/* The monitor's trace source comes with its first question for a record
 * type: a monitor that never traces leaves the trace (and the run's
 * digest) as it was. */
static int svc_trace_type(void *host, const char *name)
{
	struct machine_mon *mm = host;
	if (!mm->traces)
		mm->src = sim_trace_source(mm->m->sim, mm->name);
	mm->traces = true;
	return machine_mon_trace_type(name);
}

static void svc_trace(void *host, int type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      const void *payload, uint32_t len)
{
	struct machine_mon *mm = host;
	if (type >= 0 && type < TRACE_TYPE_COUNT && type != TRACE_SOURCE)
		sim_trace_emit(mm->m->sim, (enum trace_type)type, mm->src, a0, a1, a2, a3, payload,
			       MIN(len, TRACE_PAYLOAD_MAX));
}

const char *machine_mon_fault_name(void *host, uint32_t kind)
{
	(void)host;
	return cc_fault_name(kind);
}

static const struct ccsim_monitor_services mon_services = {
	.abi_version = CCSIM_MONITOR_ABI_VERSION,
	.param = svc_param,
	.mem = svc_mem,
	.el3_delegate = svc_el3_delegate,
	.el3_undelegate = svc_el3_undelegate,
	.rmp_write = svc_rmp_write,
	.key_program = svc_key_program,
	.tlbi_vmid = svc_tlbi_vmid,
	.cache_flush = svc_cache_flush,
	.wbinvd = svc_wbinvd,
	.guest_run = svc_guest_run,
	.call_start = svc_call_start,
	.sync = svc_sync,
	.trace_type = svc_trace_type,
	.trace = svc_trace,
	.fault_name = machine_mon_fault_name,
	.mec_refresh = svc_mec_refresh,
	.rmp_read = svc_rmp_read,
	.tlbi_core = svc_tlbi_core,
};

const struct ccsim_monitor_services *machine_mon_services(void)
{
	return &mon_services;
}

/* --- the slot as a model: checkpoint record, reset, teardown --- */

static const struct sim_vmstate mon_vmstate = { "monitor", 1, NULL, 0 };

static void blob_write(void *ctx, const void *bytes, size_t len)
{
	sim_buf_put(ctx, bytes, len);
}

int machine_mon_blob_put(const struct ccsim_monitor_ops *ops, void *inst, struct sim_buf *out)
{
	struct sim_buf blob;
	sim_buf_init(&blob);
	int rc = ops->save(inst, blob_write, &blob);
	sim_buf_put_str(out, ops->name);
	sim_buf_put_u32(out, ops->state_version);
	sim_buf_put_u64(out, blob.len);
	sim_buf_put(out, blob.data, blob.len);
	sim_buf_free(&blob);
	return rc ? -EINVAL : 0;
}

int machine_mon_blob_get(const struct ccsim_monitor_ops *ops, void *inst, struct sim_reader *in)
{
	char name[64];
	sim_reader_str(in, name, sizeof(name));
	uint32_t version = sim_reader_u32(in);
	uint64_t len = sim_reader_u64(in);
	if (in->failed || len > in->len - in->pos || strcmp(name, ops->name) != 0)
		return -EINVAL;
	int rc = ops->restore(inst, version, in->data + in->pos, (size_t)len);
	in->pos += (size_t)len;
	return rc ? -EINVAL : 0;
}

/* The record: how many monitors, then each one's blob (the slot's, then
 * the one diffed beside it). A run stops at its first divergence, so the
 * two hold the same state whenever a checkpoint is taken: either record
 * restores a run with or without a second monitor. */
static int mon_save(const struct sim_model *model, struct sim_buf *out)
{
	const struct machine_mon *mm = (const struct machine_mon *)model;
	sim_buf_put_u32(out, mm->diff ? 2 : 1);
	int rc = machine_mon_blob_put(mm->ops, mm->inst, out);
	return rc ? rc : mm->diff ? mon_diff_save(mm->diff, out) : 0;
}

static int mon_restore_old_fields(struct sim_model *model, const char *state, uint32_t version,
				  const uint8_t *values, size_t len)
{
	struct machine_mon *mm = (struct machine_mon *)model;
	/* before checkpoint format 5 a monitor's counters were the fields of
	 * a model named as the monitor, its other state the record's rest */
	if (strcmp(state, mm->ops->name) != 0)
		return -EINVAL;
	g_free(mm->old_fields);
	mm->old_fields = g_memdup2(values, len);
	mm->old_len = len;
	mm->old_version = version;
	mm->old_pending = true;
	return 0;
}

static int mon_restore(struct sim_model *model, struct sim_reader *in)
{
	struct machine_mon *mm = (struct machine_mon *)model;
	if (mm->old_pending) {
		GByteArray *blob = g_byte_array_new();
		g_byte_array_append(blob, mm->old_fields, (guint)mm->old_len);
		g_byte_array_append(blob, in->data + in->pos, (guint)(in->len - in->pos));
		in->pos = in->len;
		int rc = mm->ops->restore(mm->inst, mm->old_version, blob->data, blob->len);
		if (!rc && mm->diff)
			rc = mon_diff_restore_blob(mm->diff, mm->old_version, blob->data, blob->len);
		g_byte_array_free(blob, TRUE);
		g_free(mm->old_fields);
		mm->old_fields = NULL;
		mm->old_pending = false;
		return rc ? -EINVAL : 0;
	}
	uint32_t n = sim_reader_u32(in);
	size_t first = in->pos;
	int rc = n == 1 || n == 2 ? machine_mon_blob_get(mm->ops, mm->inst, in) : -EINVAL;
	if (rc || !mm->diff)
		return rc;
	if (n == 1) /* the second monitor starts from the first's state */
		in->pos = first;
	return mon_diff_restore(mm->diff, in);
}

/* ccsim up to checkpoint format 5 kept the TDX module's single-step
 * defence in a model of its own ("tdx_step", field table "tdx_step" v1, no
 * extra): the built-in module takes its values as a blob of state version
 * TDX_STATE_STEP_RECORD, after its own of version 1. */
static int mon_adopt_record(struct sim_model *model, const char *record, const char *state,
			    uint32_t version, const uint8_t *values, size_t len, const uint8_t *extra,
			    size_t elen)
{
	struct machine_mon *mm = (struct machine_mon *)model;
	(void)extra;
	if (mm->ops->kind != CCSIM_MONITOR_TDX || strcmp(record, "tdx_step") != 0)
		return -ENOENT;
	if (strcmp(state, "tdx_step") != 0 || version != 1 || elen)
		return -EINVAL;
	return mm->ops->restore(mm->inst, TDX_STATE_STEP_RECORD, values, len) ? -EINVAL : 0;
}

static void mon_reset(struct sim_model *model)
{
	struct machine_mon *mm = (struct machine_mon *)model;
	if (mm->ops->reset)
		mm->ops->reset(mm->inst);
	if (mm->diff)
		mon_diff_reset(mm->diff);
}

static void mon_destroy(struct sim_model *model)
{
	struct machine_mon *mm = (struct machine_mon *)model;
	if (mm->diff)
		mon_diff_free(mm->diff);
	if (mm->inst)
		mm->ops->destroy(mm->inst);
	g_free(mm->old_fields);
	if (mm->dl)
		mon_plugin_unload(mm->dl);
	g_free(mm);
}

static const struct sim_model_ops mon_model_ops = {
	.reset = mon_reset, .save_extra = mon_save, .restore_extra = mon_restore,
	.adopt_record = mon_adopt_record,
	.restore_old_fields = mon_restore_old_fields, .destroy = mon_destroy,
};

/* A monitor's statistic: registered once under its own name. */
static void stat_emit(void *ctx, const char *name, uint32_t kind, const uint64_t *value,
		      const char *desc)
{
	struct sim *s = ctx;
	if (kind > CCSIM_STAT_CYCLES || !value)
		return;
	for (size_t i = 0; i < s->stats.len; i++)
		if (strcmp(s->stats.v[i].name, name) == 0)
			return; /* a plug-in naming one twice: the first stands */
	sim_stat_register(s, NULL, name, (enum sim_stat_kind)kind, value, desc ? desc : "");
}

/* The world a monitor of `kind` runs in and what its accesses carry. */
static void mon_world(uint32_t kind, uint8_t *world, uint8_t *el)
{
	*world = kind == CCSIM_MONITOR_RMM ? WORLD_REALM : WORLD_NS;
	*el = 2;
}

int machine_mon_attach(struct machine *m, struct machine_mon **slot, uint32_t kind,
		       const struct ccsim_monitor_ops *builtin, const char *plugin,
		       const char *diff_plugin, char *err, size_t errlen)
{
	const struct ccsim_monitor_ops *ops = builtin, *dops = NULL;
	void *dl = NULL, *ddl = NULL;
	if (plugin[0] && mon_plugin_load(plugin, kind, &ops, &dl, err, errlen))
		return -1;
	if (diff_plugin[0] && mon_plugin_load(diff_plugin, kind, &dops, &ddl, err, errlen)) {
		mon_plugin_unload(dl);
		return -1;
	}
	struct machine_mon *mm = g_new0(struct machine_mon, 1);
	mm->m = m;
	mm->ops = ops;
	mm->dl = dl;
	g_strlcpy(mm->path, plugin, sizeof(mm->path));
	g_strlcpy(mm->name, ops->name ? ops->name : "monitor", sizeof(mm->name));
	mon_world(kind, &mm->world, &mm->el);
	mm->base.name = mm->name;
	mm->base.kind = "monitor";
	mm->base.ops = &mon_model_ops;
	mm->base.vmstate = &mon_vmstate;
	if (sim_model_find(m->sim, mm->name)) {
		snprintf(err, errlen, "%s: a monitor named \"%s\" clashes with a model of the machine",
			 plugin[0] ? plugin : "built-in monitor", mm->name);
		goto fail;
	}
	/* registered before the monitor is created: the models a built-in
	 * one registers itself (the TDX module's LP) follow its record in a
	 * checkpoint, as they always have */
	sim_model_register(m->sim, &mm->base);
	char why[256] = "";
	mm->inst = ops->create(&mon_services, mm, why, sizeof(why));
	if (!mm->inst) {
		snprintf(err, errlen, "%s: %s", plugin[0] ? plugin : m->cfg.name,
			 why[0] ? why : "the monitor could not be created");
		mon_plugin_unload(ddl);
		return -1; /* the slot is registered: the sim's teardown frees it */
	}
	if (ops->stats)
		ops->stats(mm->inst, stat_emit, m->sim);
	if (kind == CCSIM_MONITOR_RMM || kind == CCSIM_MONITOR_TDX) {
		/* the PE it runs guests on: the RMM's realm PE (Realm EL1, on
		 * core 0), the TDX module's logical processor (a TD vCPU on
		 * the LP that entered it) */
		snprintf(mm->pe_name, sizeof(mm->pe_name), "%s.%s", mm->name,
			 kind == CCSIM_MONITOR_RMM ? "pe" : "lp");
		cpu_init(&mm->pe, m->sim, mm->pe_name, machine_bus(m), mm->world, 1);
		mm->pe.core_cfg = machine_cpu_core(m);
		mm->has_pe = true;
	}
	*slot = mm;
	if (dops && !(mm->diff = mon_diff_new(mm, dops, ddl, diff_plugin, err, errlen)))
		return -1; /* the slot is registered: the sim's teardown frees it */
	return 0;
fail:
	mon_plugin_unload(dl);
	mon_plugin_unload(ddl);
	g_free(mm);
	return -1;
}

void machine_mon_command(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS],
			 uint64_t *cycles)
{
	mm->m->call_t0 = sim_time(mm->m->sim);
	machine_mon_call(mm, regs, cycles);
}

void machine_fw_command(struct machine *m, uint64_t regs[MACHINE_FW_REGS], uint64_t *cycles)
{
	struct machine_mon *mm = m->snp ? m->snp : m->sev;
	if (mm)
		machine_mon_command(mm, regs, cycles);
}

void machine_mon_command_buf(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS], void *buf,
			     size_t len, uint64_t *cycles)
{
	mm->m->call_t0 = sim_time(mm->m->sim);
	if (mm->ops->call_buf)
		mm->ops->call_buf(mm->inst, regs, buf, len, cycles);
	else
		mm->ops->call(mm->inst, regs, cycles);
}

void machine_mon_call(struct machine_mon *mm, uint64_t regs[CCSIM_MONITOR_REGS], uint64_t *cycles)
{
	if (mm->diff)
		mon_diff_call(mm->diff, regs, cycles);
	else
		mm->ops->call(mm->inst, regs, cycles);
}

const char *machine_mon_divergence(const struct machine_mon *mm, uint64_t *fid)
{
	return mm && mm->diff ? mon_diff_divergence(mm->diff, fid) : NULL;
}
