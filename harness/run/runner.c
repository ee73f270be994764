/* Scenario runner: machine set-up, step events and the run; the outcome is
 * runner_outcome.c's, expectations runner_expect.c's, checkpoints
 * runner_state.c's; see runner.h. */
#include "harness/run/runner.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sim/json.h"
#include "harness/run/output.h"
#include "harness/run/runner_priv.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/platform/machine_mon.h"
#include "models/monitor/snp/snp_abi.h"


/* --- helpers for step handlers --- */

const struct step_result *run_capture(struct run_ctx *rc, const char *name)
{
	for (guint i = 0; i < rc->captures->len; i++) {
		struct capture *c = rc->captures->pdata[i];
		if (strcmp(c->name, name) == 0)
			return &c->r;
	}
	return NULL;
}

struct cpu *run_actor_cpu(struct run_ctx *rc, const struct scn_step *st)
{
	if (strcmp(st->actor, "host") == 0)
		return &rc->host;
	for (size_t i = 0; i < rc->sc->nvms; i++)
		if (strcmp(rc->sc->vms[i].name, st->actor) == 0)
			return &rc->vms[i];
	g_assert_not_reached();
}

struct capture *run_capture_find(struct run_ctx *rc, const char *name)
{
	for (guint i = 0; i < rc->captures->len; i++) {
		struct capture *c = rc->captures->pdata[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

const uint8_t *run_value_bytes(struct run_ctx *rc, const struct scn_value *v, size_t *len)
{
	if (v->kind == SV_BYTES) {
		*len = v->len;
		return v->bytes;
	}
	if (v->kind == SV_REF) {
		const struct scn_secret *s = scenario_secret(rc->sc, v->name);
		if (s) {
			*len = s->len;
			return s->bytes;
		}
		struct capture *c = run_capture_find(rc, v->name);
		if (c) {
			*len = c->r.len;
			return c->r.bytes;
		}
	}
	*len = 0;
	return NULL;
}

const uint8_t *run_arg_bytes(struct run_ctx *rc, const struct scn_step *st, const char *key,
			     size_t *len)
{
	const struct scn_arg *a = step_arg(st, key);
	*len = 0;
	return a ? run_value_bytes(rc, &a->v, len) : NULL;
}

uint64_t run_arg_num(const struct scn_step *st, const char *key, uint64_t def)
{
	const struct scn_arg *a = step_arg(st, key);
	return a && a->v.kind == SV_NUM ? a->v.num : def;
}

void run_result_clear(struct step_result *r)
{
	g_free(r->bytes);
	memset(r, 0, sizeof(*r));
}

static void result_copy(struct step_result *dst, const struct step_result *src)
{
	run_result_clear(dst);
	*dst = *src;
	dst->bytes = src->len ? g_memdup2(src->bytes, src->len) : NULL;
}

/* --- the step event --- */

static void step_fire(struct sim *s, struct sim_model *target, uint64_t index);
static const struct sim_event_type step_event = { "scenario.step", step_fire };

static void schedule_step(struct run_ctx *rc, uint64_t index, uint64_t earliest)
{
	const struct scn_step *st = &rc->sc->steps[index];
	uint64_t when = earliest;
	if (st->has_at && st->at > when)
		when = st->at;
	sim_event_schedule(&rc->sim, when, &step_event, &rc->model.base, index);
}


void run_capture_set(struct run_ctx *rc, const char *name, const struct step_result *r)
{
	struct capture *c = run_capture_find(rc, name);
	if (!c) {
		c = g_new0(struct capture, 1);
		c->name = g_strdup(name);
		g_ptr_array_add(rc->captures, c);
	}
	result_copy(&c->r, r);
}

/* A guest's marker (its kernel's, or the host stack's for launch and
 * teardown): the phase it names begins, or GUEST_PHASE_NONE ends the
 * current one. With several guests a phase is named GUEST.PHASE. */
static void run_mark(void *ctx, uint32_t vmid, uint32_t what, uint64_t at)
{
	struct run_ctx *rc = ctx;
	if (vmid < 1 || vmid > rc->sc->nguests)
		return;
	const struct scn_guest *g = &rc->sc->guests[vmid - 1];
	if (what == GUEST_PHASE_NONE) {
		sim_phase_end(&rc->sim, at);
		return;
	}
	if (what >= g->nphases)
		return;
	char name[SIM_PHASE_NAME_MAX];
	if (rc->sc->nguests > 1)
		snprintf(name, sizeof(name), "%s.%s", g->name, g->phases[what]);
	else
		g_strlcpy(name, g->phases[what], sizeof(name));
	(void)sim_phase_enter(&rc->sim, name, at);
	sim_trace_emit(&rc->sim, TRACE_NOTE, rc->src_runner, what, vmid, 0, 0, name,
		       (uint32_t)strlen(name));
}

/* On the SEV profiles a vm given an ASID (asid=N) is the vCPU of whichever
 * guest the firmware activated with that ASID: with none active (not yet
 * activated, deactivated or decommissioned), VMRUN fails (the ASID has no
 * key: APM 15.34.8; on SNP, no VMSA to run). Other vms are guests launched
 * before the scenario. On tdx no vm runs once TDX is disabled. */
static bool vm_can_run(const struct run_ctx *rc, const struct scn_step *st)
{
	/* a TD runs only while TDX is enabled (TDH.VP.ENTER: VMfailInvalid) */
	if (st->spec->actor == ACTOR_VM && rc->machine.tdx_mon)
		return !machine_mon_ask(rc->machine.tdx_mon, CCSIM_QUERY_DISABLED, 0, 0);
	if (st->spec->actor != ACTOR_VM || (!rc->machine.snp && !rc->machine.sev))
		return true;
	uint32_t vm = run_vm_index(rc, st->actor);
	const struct scn_vm *v = &rc->sc->vms[run_guest_of_vm(rc, vm)];
	if (!v->asid)
		return true;
	uint64_t held[3] = { 0 };
	return machine_mon_query(rc->machine.snp ? rc->machine.snp : rc->machine.sev,
				 CCSIM_QUERY_ASID_GUESTS, v->asid, held, sizeof(held)) == 0 && held[0] > 0;
}

#define SCN_MAX_VMS_INV 64 /* vms and guests the translation check looks at */

/* A physical attacker's step that writes DRAM. */
static bool phys_tamper(const struct scn_step *st)
{
	static const char *const ops[] = { "write", "replay", "alias", "flip" };
	for (size_t i = 0; st->spec->actor == ACTOR_PHYS && i < G_N_ELEMENTS(ops); i++)
		if (strcmp(st->op, ops[i]) == 0)
			return true;
	return false;
}

/* The machine's invariants after a step (machine.h: machine_inv_check);
 * the plaintext check stops once the run has leaked a secret (then the
 * plaintext is the attack's result, not a defect). */
static bool invariants_check(struct run_ctx *rc, const struct scn_step *st)
{
	char what[600];
	size_t nsecrets = rc->out.leaked ? 0 : rc->sc->nsecrets;
	rc->inv.tampered = rc->inv.tampered || phys_tamper(st);
	/* the CPUs whose loaded contexts the TLBs cache: the host, the vm
	 * actors, each guest's vCPU and the RMM's realm PE */
	struct cpu *cpus[2 + 2 * SCN_MAX_VMS_INV];
	size_t n = 0;
	cpus[n++] = &rc->host;
	for (size_t i = 0; i < rc->sc->nvms && n < G_N_ELEMENTS(cpus) - 1; i++)
		cpus[n++] = &rc->vms[i];
	for (size_t i = 0; rc->guests && i < rc->sc->nguests && n < G_N_ELEMENTS(cpus) - 1; i++)
		if (rc->guests[i])
			cpus[n++] = &rc->guests[i]->gcpu;
	if (machine_mon_pe(rc->machine.rmm))
		cpus[n++] = machine_mon_pe(rc->machine.rmm);
	if (!machine_inv_check(&rc->machine, &rc->inv, rc->inv_secrets, nsecrets, rc->inv.tampered,
			       cpus, n, what, sizeof(what)))
		return false;
	snprintf(rc->errmsg, sizeof(rc->errmsg),
		 "%s:%d: invariant broken after the step `%s` on %s: %s (a model defect; "
		 "--no-invariants runs on regardless)", st->file, st->line, st->text, rc->cfg.name, what);
	rc->error = 1;
	rc->invariant_broken = true;
	return true;
}

/* --diff-monitor: the first call the two monitors answered differently
 * ends the run, named with the step that made it. */
static bool divergence_check(struct run_ctx *rc, const struct scn_step *st)
{
	uint64_t fid = 0;
	const char *what = machine_mon_divergence(rc->machine.rmm, &fid);
	if (!what)
		return false;
	const struct rmm_cmd *c = rmm_cmd_by_fid(fid);
	gchar *name = g_ascii_strup(c ? c->name : "?", -1);
	snprintf(rc->errmsg, sizeof(rc->errmsg),
		 "%s:%d: the monitors diverged in the step `%s` on %s, at RMI_%s (0x%llx): %s",
		 st->file, st->line, st->text, rc->cfg.name, name, (unsigned long long)fid, what);
	g_free(name);
	rc->error = 1;
	rc->monitor_diverged = true;
	return true;
}

int run_restored_events_check(const struct run_ctx *rc, char *err, size_t errlen)
{
	const struct sim_eventq *q = &rc->sim.events;
	for (size_t i = 0; i < q->len; i++) {
		const struct sim_event *ev = &q->heap[i];
		if (ev->type != &step_event)
			continue;
		if (ev->target != &rc->model.base || ev->arg >= rc->sc->nsteps) {
			snprintf(err, errlen, "checkpoint event %s on \"%s\" names step %llu; the "
				 "scenario's steps are run by \"runner\" and number %zu", ev->type->name,
				 ev->target ? ev->target->name : "", (unsigned long long)ev->arg,
				 rc->sc->nsteps);
			return -1;
		}
	}
	return 0;
}

/* The step with every computed argument ($c.x1 + 8) replaced by its number,
 * from the captures as they stand now; *res holds the copy's argument array
 * (free it with g_free). Returns st itself when nothing is computed, NULL
 * with a message when a capture holds no such value yet. */
static const struct scn_step *step_resolve(struct run_ctx *rc, const struct scn_step *st,
					   struct scn_step *copy, struct scn_arg **args)
{
	*args = NULL;
	size_t k = 0;
	while (k < st->nargs && st->args[k].v.kind != SV_EXPR)
		k++;
	if (k == st->nargs)
		return st;
	*copy = *st;
	*args = g_memdup2(st->args, st->nargs * sizeof(*st->args));
	copy->args = *args;
	for (; k < st->nargs; k++) {
		struct scn_value *v = &(*args)[k].v;
		if (v->kind != SV_EXPR)
			continue;
		/* * and / bind tighter: `prod` is the product being built, added
		 * (or subtracted, by `sign`) to `sum` at the next + or - */
		uint64_t sum = 0, prod = 0;
		char sign = '+';
		for (size_t i = 0; i < v->nterms; i++) {
			const struct scn_term *t = &v->terms[i];
			uint64_t x = t->num;
			const struct step_result *r = t->capture ? run_capture(rc, t->capture) : NULL;
			if (t->capture && (!r || run_result_field(r, t->field, &x))) {
				char why[96] = "that capture holds no result yet (its step has not run)";
				if (r)
					run_result_field_why(r, t->field, why, sizeof(why));
				snprintf(rc->errmsg, sizeof(rc->errmsg), "%s:%d:%d: $%s.%s: %s", st->file,
					 st->line, t->col, t->capture, t->field, why);
				g_free(*args);
				*args = NULL;
				return NULL;
			}
			if (t->op == '/' && x == 0) {
				snprintf(rc->errmsg, sizeof(rc->errmsg), "%s:%d:%d: %s: division by zero",
					 st->file, st->line, t->col, v->name);
				g_free(*args);
				*args = NULL;
				return NULL;
			}
			if (t->op == '*')
				prod *= x;
			else if (t->op == '/')
				prod /= x;
			else {
				sum = i == 0 ? 0 : sign == '-' ? sum - prod : sum + prod;
				sign = t->op;
				prod = x;
			}
		}
		/* a plain number from here on: names, terms and text stay the step's */
		v->kind = SV_NUM;
		v->num = sign == '-' ? sum - prod : sum + prod;
	}
	return copy;
}

/* `until COND` (scn_step.until): x1 the times its loop's steps have run,
 * this time included; x2 1 once COND held. Returns the step to go on with:
 * the loop's first again, or the one after. The count lives in the step's
 * result, so a checkpoint keeps it; a loop entered anew (after it ended,
 * inside an outer loop) counts from 1 again. */
static uint64_t loop_until(struct run_ctx *rc, uint64_t index, const struct scn_step *st,
			   struct step_result *r)
{
	const struct step_result *last = &rc->results[index];
	bool fresh = !rc->ran[index] || last->nregs < 2 || last->x[1] ||
		     last->x[0] >= st->loop_max;
	uint64_t n = fresh ? 1 : last->x[0] + 1;
	struct expect_result xr = { 0 };
	run_eval_expect(rc, st->until, &xr);
	steps_res_x(r, 1, n);
	steps_res_x(r, 2, xr.pass);
	return xr.pass || n >= st->loop_max ? index + 1 : st->loop_first;
}

static void step_run(struct sim *s, struct run_ctx *rc, uint64_t index, const struct scn_step *st)
{
	struct step_result r = { 0 };
	uint64_t addr = run_arg_num(st, "addr", 0);
	uint64_t total = 0, next = index + 1;
	step_run_fn *run = step_handler(st->spec); /* NULL: none (test_step_handlers rules it out) */

	sim_trace_emit(s, TRACE_STEP, rc->src_runner, (uint64_t)st->line, index, addr,
		       run_arg_num(st, "len", 0), st->text, (uint32_t)strlen(st->text));
	for (uint64_t k = 0; k < st->repeat && st->until; k++)
		next = loop_until(rc, index, st, &r);
	for (uint64_t k = 0; k < st->repeat && !st->until; k++) {
		sim_set_time(s, s->now + total);
		run_result_clear(&r);
		if (!vm_can_run(rc, st)) { /* VMRUN would fail: the step does nothing */
			r.faulted = true;
			r.fault = FAULT_VMRUN_INVALID;
			run_observe(rc, st, &r);
			continue;
		}
		if (!run || run(rc, st, &r, rc->errmsg, sizeof(rc->errmsg))) {
			if (!rc->errmsg[0])
				snprintf(rc->errmsg, sizeof(rc->errmsg), "%s:%d:%d: step failed", st->file,
					 st->line, st->col);
			rc->error = 1;
			run_result_clear(&r);
			return;
		}
		total += r.cycles;
		run_observe(rc, st, &r);
	}
	r.cycles = total;
	sim_set_time(s, s->now + total);
	sim_trace_emit(s, TRACE_STEP_DONE, rc->src_runner, (uint64_t)st->line, total,
		       steps_result_status_code(&r), r.faulted ? r.fault : 0, NULL, 0);
	if (r.len)
		sim_trace_emit(s, TRACE_CAPTURE, rc->src_runner, (uint64_t)st->line, r.len, 0, 0,
			       r.bytes, (uint32_t)r.len);
	rc->ran[index] = true;
	rc->vm_ran = rc->vm_ran || st->spec->actor == ACTOR_VM;
	if (divergence_check(rc, st) || (!rc->opt->no_invariants && invariants_check(rc, st)))
		return;
	result_copy(&rc->results[index], &r);
	if (st->capture)
		run_capture_set(rc, st->capture, &r);
	run_result_clear(&r);
	rc->model.steps_done++;
	rc->model.next_step = next;
	rc->model.end_cycle = s->now + total;
	if (next < rc->sc->nsteps)
		schedule_step(rc, next, s->now + total);
	if (rc->opt->checkpoint_after && rc->model.steps_done == rc->opt->checkpoint_after &&
	    run_checkpoint_write(rc, rc->opt->checkpoint_path, rc->errmsg, sizeof(rc->errmsg)))
		rc->error = 1;
	if (rc->opt->checkpoint_dir && !rc->error) {
		char name[32];
		snprintf(name, sizeof(name), "step-%llu.ckpt", (unsigned long long)rc->model.steps_done);
		char *path = g_build_filename(rc->opt->checkpoint_dir, name, NULL);
		if (run_checkpoint_write(rc, path, rc->errmsg, sizeof(rc->errmsg)))
			rc->error = 1;
		g_free(path);
	}
}

static void step_fire(struct sim *s, struct sim_model *target, uint64_t index)
{
	struct run_ctx *rc = ((struct runner_model *)target)->rc;
	struct scn_step copy;
	struct scn_arg *args;
	const struct scn_step *st = step_resolve(rc, &rc->sc->steps[index], &copy, &args);
	if (!st) {
		rc->error = 1;
		return;
	}
	step_run(s, rc, index, st);
	g_free(args);
}

/* On SEV profiles a vm is a guest with its own ASID, launched and activated
 * before the scenario starts (its key programmed in the ASID's slot): the
 * first SEV-ES / SNP ASIDs from 1 on sev-es and sev-snp, the plain-SEV ones
 * from sev.min_sev_asid on sev; a vm declared guest=OTHER is another vCPU
 * of OTHER's guest (its ASID), at its own VMPL; asid=N picks the ASID (on
 * sev-es / sev-snp also a plain-SEV one). Its accesses are private (C-bit set): they
 * use its key and, on sev-snp, pass the RMP check as that ASID with
 * GPA = PA. */
static int sev_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen)
{
	const struct scn_vm *vm = &rc->sc->vms[i];
	uint64_t first = rc->cfg.arch == ARCH_SEV ? rc->cfg.min_sev_asid : 1;
	uint64_t limit = rc->cfg.arch == ARCH_SEV ? rc->cfg.key_slots : rc->cfg.min_sev_asid;
	/* a plain SEV guest on an SEV-ES / SNP machine takes an ASID above */
	if (vm->asid && rc->cfg.arch != ARCH_SEV)
		limit = rc->cfg.key_slots;
	/* another vCPU / VMPL of an earlier vm's guest shares its ASID */
	size_t own = 0;
	for (size_t k = 0; k < i; k++)
		own += rc->sc->vms[k].same_as < 0;
	uint64_t asid = vm->same_as >= 0 ? rc->vms[vm->same_as].asid : vm->asid ? vm->asid : first + own;
	if (asid < first || asid >= limit) {
		snprintf(err, errlen, "%s:%d:%d: vm %s: ASID %llu is not a%s ASID of profile %s (%llu .. "
			 "%llu: memenc.key_slots, sev.min_sev_asid)", vm->file, vm->line, vm->core_col,
			 vm->name, (unsigned long long)asid,
			 rc->cfg.arch == ARCH_SEV ? " SEV" : "n SEV-ES / SNP", rc->cfg.name,
			 (unsigned long long)first, (unsigned long long)limit - 1);
		return -1;
	}
	struct cpu *c = &rc->vms[i];
	c->guest = 1;
	c->asid = (uint32_t)asid;
	c->vmpl = (uint32_t)vm->vmpl;
	c->key = (int32_t)asid;
	if (machine_key_program(&rc->machine, (unsigned)asid, (uint32_t)asid,
				rc->cfg.memenc_mode != MEMENC_NONE ? MEMENC_KEY_ENCRYPT : 0)) {
		snprintf(err, errlen, "%s:%d: vm %s: cannot program the key of ASID %llu", vm->file,
			 vm->line, vm->name, (unsigned long long)asid);
		return -1;
	}
	return 0;
}

static int setup(struct run_ctx *rc, char *err, size_t errlen)
{
	struct sim *s = &rc->sim;
	if (machine_init(&rc->machine, s, &rc->cfg, err, errlen))
		return -1;
	cpu_init(&rc->host, s, "host", machine_bus(&rc->machine), WORLD_NS, 2);
	/* its direct map's translations: what they cache of the fill-time
	 * checks (the RMP) lives in the core's TLB */
	rc->host.tlb = &rc->machine.tlb[0];
	rc->vms = g_new0(struct cpu, rc->sc->nvms ? rc->sc->nvms : 1);
	rc->tdx_vms = g_new0(struct hv_tdx_bare, rc->sc->nvms ? rc->sc->nvms : 1);
	rc->se_confs = g_new0(uint64_t, rc->sc->nvms ? rc->sc->nvms : 1);
	/* A guest runs in the profile's protected world: a realm on CCA. */
	enum cc_world gw = rc->cfg.arch == ARCH_CCA ? WORLD_REALM : WORLD_NS;
	for (size_t i = 0; i < rc->sc->nvms; i++) {
		const struct scn_vm *vm = &rc->sc->vms[i];
		if (vm->core >= rc->cfg.cores) {
			snprintf(err, errlen, "%s:%d:%d: vm %s core=%llu, but profile %s has %llu core(s) (cache.cores)",
				 vm->file, vm->line, vm->core_col, vm->name, (unsigned long long)vm->core,
				 rc->cfg.name, (unsigned long long)rc->cfg.cores);
			return -1;
		}
		cpu_init(&rc->vms[i], s, vm->name, machine_bus(&rc->machine), gw, 1);
		rc->vms[i].core = (uint32_t)vm->core;
		/* FEAT_MEC: the MECID the realm's accesses carry (its VMECID_P_EL2) */
		if (rc->cfg.mec && !machine_mecid_valid(&rc->machine, (uint32_t)vm->mecid)) {
			snprintf(err, errlen, "%s:%d:%d: vm %s mecid=%llu, but profile %s has %u MECIDs "
				 "(0 .. %u: mec.mecid_width_m1)", vm->file, vm->line, vm->mecid_col,
				 vm->name, (unsigned long long)vm->mecid, rc->cfg.name,
				 1u << (rc->cfg.mecid_width_m1 + 1), (1u << (rc->cfg.mecid_width_m1 + 1)) - 1);
			return -1;
		}
		rc->vms[i].mecid = rc->cfg.mec ? (uint32_t)vm->mecid : 0;
		rc->vms[i].tlb = &rc->machine.tlb[vm->core];
		if (arch_is_sev(rc->cfg.arch) && sev_vm_setup(rc, i, err, errlen))
			return -1;
		if (rc->machine.tdx_mon && steps_tdx_vm_setup(rc, i, err, errlen))
			return -1;
		if (rc->machine.uv && vm->se && steps_uv_vm_setup(rc, i, err, errlen))
			return -1;
	}
	rc->guests = g_new0(struct hv_guest *, rc->sc->nguests ? rc->sc->nguests : 1);
	for (size_t i = 0; i < rc->sc->nguests; i++) {
		const struct scn_guest *sg = &rc->sc->guests[i];
		struct hv_guest_config hc = {
			.k = { .ram_size = sg->ram, .tick = sg->tick, .attest = sg->attest,
			       .vcpus = sg->vcpus, .smp_work = sg->smp_work,
			       .ops = sg->ops, .nops = sg->nops, .nphases = sg->nphases },
			.phases = sg->phases,
			.pool = sg->pool, .vmid = i + 1, .trap_wfi = sg->trap_wfi, .max_exits = 1000000,
			.peers = rc->guests, .npeers = rc->sc->nguests,
		};
		memcpy(hc.k.challenge, sg->challenge, sizeof(hc.k.challenge));
		memcpy(hc.se_mkey, sg->mkey, sizeof(hc.se_mkey));
		uint64_t size = hv_pool_size(sg->ram), top = 1ull << rc->cfg.pa_bits;
		bool cca = rc->cfg.arch == ARCH_CCA;
		uint64_t lo = cca ? rc->cfg.delegable_base : 0,
			 hi = cca ? rc->cfg.delegable_base + rc->cfg.delegable_size : top;
		if (sg->pool < lo || sg->pool > hi || size > hi - sg->pool) {
			snprintf(err, errlen,
				 "%s:%d: guest %s: its host memory [%#llx, %#llx) lies outside %s "
				 "[%#llx, %#llx) (a smaller ram= or another pool=)",
				 sg->file, sg->line, sg->name, (unsigned long long)sg->pool,
				 (unsigned long long)(sg->pool + size),
				 cca ? "the delegable range gpc.delegable_base/size" : "memory (mem.pa_bits)",
				 (unsigned long long)lo, (unsigned long long)hi);
			return -1;
		}
		char msg[256];
		rc->guests[i] = hv_guest_new(s, &rc->machine, &rc->host, sg->name, &hc, msg, sizeof(msg));
		if (!rc->guests[i]) {
			snprintf(err, errlen, "%s:%d: guest %s: %s", sg->file, sg->line, sg->name, msg);
			return -1;
		}
	}
	rc->machine.mark = run_mark;
	rc->machine.mark_ctx = rc;
	rc->src_runner = sim_trace_source(s, "scenario");
	rc->src_phys = sim_trace_source(s, "phys");
	rc->model.rc = rc;
	rc->model.base.name = "runner";
	rc->model.base.kind = "runner";
	rc->model.base.ops = &run_model_ops;
	rc->model.base.vmstate = &run_model_vmstate;
	sim_model_register(s, &rc->model.base);
	sim_event_type_register(s, &step_event);
	return 0;
}

static void teardown(struct run_ctx *rc)
{
	machine_inv_free(&rc->machine, &rc->inv);
	g_free(rc->inv_secrets);
	rc->inv_secrets = NULL;
	sim_fini(&rc->sim);
	g_free(rc->vms);
	g_free(rc->tdx_vms);
	g_free(rc->se_confs);
	g_free(rc->guests);
	if (rc->captures)
		g_ptr_array_free(rc->captures, TRUE);
	if (rc->attacker_data)
		g_ptr_array_free(rc->attacker_data, TRUE);
	if (rc->victim_writes)
		g_ptr_array_free(rc->victim_writes, TRUE);
	for (size_t i = 0; rc->results && i < rc->sc->nsteps; i++)
		run_result_clear(&rc->results[i]);
	g_free(rc->results);
	g_free(rc->ran);
}

int run_scenario(const struct scenario *sc, const struct platform_config *cfg,
		 const struct run_options *opt, struct run_result *res, char *err, size_t errlen)
{
	if (sc->read_for && strcmp(sc->read_for, cfg->name) != 0) {
		/* its per-profile params hold another profile's values */
		snprintf(err, errlen, "%s: read for profile %s, run on %s: a scenario with params per "
			 "profile is read for the profile it runs on", sc->path, sc->read_for, cfg->name);
		return -1;
	}
	struct run_ctx *rc = g_new0(struct run_ctx, 1);
	FILE *trace = NULL;
	gchar *trace_path = NULL;
	char *stage = NULL;
	int ret = -1;
	rc->sc = sc;
	rc->cfg = *cfg;
	rc->opt = opt;
	rc->captures = g_ptr_array_new_with_free_func(run_capture_free);
	rc->attacker_data = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	rc->victim_writes = g_ptr_array_new_with_free_func(run_victim_write_free);
	rc->results = g_new0(struct step_result, sc->nsteps + 1);
	rc->ran = g_new0(bool, sc->nsteps + 1);
	rc->inv_secrets = g_new0(struct machine_inv_secret, sc->nsecrets + 1);
	for (size_t i = 0; i < sc->nsecrets; i++)
		rc->inv_secrets[i] = (struct machine_inv_secret){ sc->secrets[i].name,
								   sc->secrets[i].bytes,
								   sc->secrets[i].len };
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < opt->nprofile_sets; i++)
		if (profile_set(&rc->cfg, opt->profile_sets[i], err, errlen))
			goto out_nosim;

	sim_init(&rc->sim, opt->seed, rc->cfg.freq_mhz * 1000000ull);
	if (opt->outdir) {
		if (!(stage = output_stage(opt->outdir, err, errlen)))
			goto out;
		trace_path = g_build_filename(stage, "trace.bin", NULL);
		trace = fopen(trace_path, "wb");
		if (!trace) {
			snprintf(err, errlen, "%s: cannot write: %s", trace_path, g_strerror(errno));
			goto out;
		}
		sim_trace_set_file(&rc->sim.trace, trace, rc->sim.freq_hz);
	}
	if (setup(rc, err, errlen))
		goto out;
	if (opt->restore_path) {
		if (run_checkpoint_read(rc, err, errlen))
			goto out;
		for (uint64_t i = 0; i < sc->nsteps; i++) /* a loop may have run steps past next_step */
			rc->inv.tampered = rc->inv.tampered || (rc->ran[i] && phys_tamper(&sc->steps[i]));
	} else if (sc->nsteps) {
		schedule_step(rc, 0, sim_time(&rc->sim)); /* after what setup did (tdx: vms' TDs) */
	}
	while (!rc->error && sim_eventq_len(&rc->sim.events)) {
		if (sim_eventq_next_time(&rc->sim.events) >= rc->cfg.max_cycles) {
			snprintf(rc->errmsg, sizeof(rc->errmsg),
				 "%s: still running at cycle %llu, past limits.max_cycles = %llu "
				 "(raise it with --set limits.max_cycles=N)", sc->path,
				 (unsigned long long)sim_eventq_next_time(&rc->sim.events),
				 (unsigned long long)rc->cfg.max_cycles);
			rc->error = 1;
			break;
		}
		sim_run_until(&rc->sim, sim_eventq_next_time(&rc->sim.events));
	}
	if (!rc->error && opt->checkpoint_after && !opt->restore_path &&
	    rc->model.steps_done < opt->checkpoint_after) {
		snprintf(rc->errmsg, sizeof(rc->errmsg),
			 "%s: --checkpoint-after %llu: the run took only %llu steps; no checkpoint written",
			 sc->path, (unsigned long long)opt->checkpoint_after,
			 (unsigned long long)rc->model.steps_done);
		rc->error = 1;
	}
	if (rc->error) {
		snprintf(err, errlen, "%s", rc->errmsg);
		res->invariant_broken = rc->invariant_broken;
		res->monitor_diverged = rc->monitor_diverged;
		goto out;
	}
	if (rc->model.end_cycle > rc->sim.now)
		rc->sim.now = rc->model.end_cycle;
	sim_phase_end(&rc->sim, rc->sim.now); /* a phase still open ends with the run */
	sim_phases_publish(&rc->sim);

	run_outcome_finish(rc);
	struct expect_result *xr = g_new0(struct expect_result, sc->nexpects + 1);
	res->pass = true;
	for (size_t i = 0; i < sc->nexpects; i++) {
		run_eval_expect(rc, &sc->expects[i], &xr[i]);
		if (!xr[i].applies) {
			res->expects_skipped++;
			continue;
		}
		res->expects_total++;
		if (!xr[i].pass) {
			if (res->expects_failed < RUN_FAILURES_KEPT) {
				struct run_failure *f = &res->failures[res->expects_failed];
				snprintf(f->where, sizeof(f->where), "%s:%d", xr[i].e->file, xr[i].e->line);
				snprintf(f->text, sizeof(f->text), "%s", xr[i].e->text);
				snprintf(f->observed, sizeof(f->observed), "%s", xr[i].observed);
			}
			res->expects_failed++;
			res->pass = false;
		}
	}
	outcome_text(&rc->out, res->outcome, sizeof(res->outcome));
	sim_trace_digest_hex(&rc->sim.trace, res->digest);
	res->cycles = rc->sim.now;
	res->ns = sim_cycles_to_ns(&rc->sim, rc->sim.now);
	if (trace) {
		bool werr = rc->sim.trace.write_error;
		if (fclose(trace) || werr) {
			snprintf(err, errlen, "%s: write error", trace_path);
			trace = NULL;
			g_free(xr);
			goto out;
		}
		trace = NULL;
	}
	ret = 0;
	if (opt->outdir) {
		ret = output_write(rc, stage, xr, res, trace_path, err, errlen);
		if (ret == 0)
			ret = output_commit(stage, opt->outdir, err, errlen);
		else
			output_discard(stage);
		g_free(stage);
		stage = NULL;
	}
	if (!opt->quiet)
		output_report(stdout, rc, xr, res);
	if (opt->stats_hook)
		opt->stats_hook(&rc->sim, opt->stats_arg);
	if (opt->end_hook)
		opt->end_hook(rc, xr, opt->end_arg);
	g_free(xr);
out:
	if (trace)
		fclose(trace);
	output_discard(stage); /* a failed run: what it wrote goes, DIR stays */
	g_free(stage);
	teardown(rc);
out_nosim:
	if (!rc->sim.models_tail) {
		g_ptr_array_free(rc->captures, TRUE);
		g_ptr_array_free(rc->attacker_data, TRUE);
		g_ptr_array_free(rc->victim_writes, TRUE);
		g_free(rc->results);
		g_free(rc->ran);
	}
	g_free(rc->inv_secrets);
	g_free(trace_path);
	g_free(rc);
	return ret;
}
