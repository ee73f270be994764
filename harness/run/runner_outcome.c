/* The observed outcome of a run: what each step returned, read as an
 * attack's effect (run_observe, after every step), and the parts derived
 * once the run has ended (run_outcome_finish); docs/scenarios.md,
 * "Outcomes: observed, not declared". */
#include <glib.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/runner_priv.h"

bool run_contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	return m && n >= m && memmem(hay, n, needle, m) != NULL;
}

void outcome_text(const struct outcome *o, char *buf, size_t len)
{
	if (o->not_attack)
		snprintf(buf, len, "not-attack");
	else if (o->leaked)
		snprintf(buf, len, "leaked");
	else if (o->inferred)
		snprintf(buf, len, "inferred");
	else if (o->corrupted)
		snprintf(buf, len, "corrupted");
	else if (o->detected)
		snprintf(buf, len, "detected");
	else if (o->dos)
		snprintf(buf, len, "dos");
	else if (o->hijacked)
		snprintf(buf, len, "hijacked");
	else if (o->blocked)
		snprintf(buf, len, "blocked: %s", o->block_mech);
	else
		snprintf(buf, len, "no-leak");
}

/* Is this step the attacker acting (not the host stack doing its job of
 * building and running a guest, nor a guest, nor the verifier)? */
static bool attacker_step(const struct scn_step *st)
{
	static const char *const stack_ops[] = { "guest_load", "guest_create", "guest_run",
						 "guest_token", "guest_destroy" };
	enum actor_kind who = st->spec->actor;
	if (st->until) /* a loop's end: the runner's, nobody's action */
		return false;
	if (who == ACTOR_PHYS || who == ACTOR_DEV)
		return true;
	if (who != ACTOR_HOST)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(stack_ops); i++)
		if (strcmp(st->op, stack_ops[i]) == 0)
			return false;
	return true;
}

void run_outcome_finish(struct run_ctx *rc)
{
	struct outcome *o = &rc->out;
	const struct scenario *sc = rc->sc;
	o->not_attack = sc->kind != SCN_ATTACK;
	bool attacked = false, injected = false;
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct scn_step *st = &sc->steps[i];
		/* the guest ran its handler for an event the host injected: the
		 * host chose what it ran, and when (Heckler, WeSee) */
		if (rc->ran[i] && injected && strcmp(st->op, "guest_run") == 0 &&
		    rc->results[i].nregs >= 3 && rc->results[i].x[2])
			o->hijacked = true;
		if (!rc->ran[i] || !attacker_step(st))
			continue;
		attacked = true;
		if (strcmp(st->op, "guest_inject") == 0)
			injected = true;
		if (!o->inferred && strcmp(st->op, "guess") == 0 && rc->results[i].x[0]) {
			o->inferred = true;
			o->infer_line = st->line;
		}
	}
	/* a guest the attack left dead: it panicked, or its monitor made it
	 * unrunnable (a TD marked fatal) */
	for (size_t i = 0; attacked && i < sc->nguests; i++)
		o->dos = o->dos || (rc->guests[i] && rc->guests[i]->n.panicked);
}

uint32_t run_vm_index(const struct run_ctx *rc, const char *name)
{
	for (size_t i = 0; i < rc->sc->nvms; i++)
		if (strcmp(rc->sc->vms[i].name, name) == 0)
			return (uint32_t)i;
	g_assert_not_reached();
}

void run_victim_write_free(gpointer p)
{
	struct victim_write *w = p;
	g_bytes_unref(w->data);
	g_free(w);
}

void run_victim_write_add(struct run_ctx *rc, uint32_t vm, uint64_t addr, const uint8_t *d, size_t n)
{
	struct victim_write *w = g_new0(struct victim_write, 1);
	w->vm = vm;
	w->addr = addr;
	w->data = g_bytes_new(d, n);
	g_ptr_array_add(rc->victim_writes, w);
}

/* Did the victim read back anything other than what it last stored there? */
static bool victim_memory_changed(const struct run_ctx *rc, uint32_t vm, uint64_t addr,
				  const uint8_t *got, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (guint k = rc->victim_writes->len; k > 0; k--) {
			const struct victim_write *w = rc->victim_writes->pdata[k - 1];
			gsize len;
			const uint8_t *d = g_bytes_get_data(w->data, &len);
			if (w->vm != vm || addr + i < w->addr || addr + i - w->addr >= len)
				continue;
			if (d[addr + i - w->addr] != got[i])
				return true;
			break;
		}
	}
	return false;
}

/* The guest a vm belongs to: itself, or the vm it is another vCPU of. */
uint32_t run_guest_of_vm(const struct run_ctx *rc, uint32_t vm)
{
	int same = rc->sc->vms[vm].same_as;
	return same >= 0 ? (uint32_t)same : vm;
}

/* Did any vCPU of vm's guest store these bytes? */
static bool same_guest_wrote(const struct run_ctx *rc, uint32_t vm, const uint8_t *b, size_t n)
{
	for (guint k = 0; k < rc->victim_writes->len; k++) {
		const struct victim_write *w = rc->victim_writes->pdata[k];
		gsize len;
		const uint8_t *d = g_bytes_get_data(w->data, &len);
		if (run_guest_of_vm(rc, w->vm) == run_guest_of_vm(rc, vm) && run_contains(d, len, b, n))
			return true;
	}
	return false;
}

/* Has a vm actor's step run? Kept as a flag (a scan of ran[] per step made
 * long scenarios quadratic); restore derives it again. */
static bool victim_started(const struct run_ctx *rc) { return rc->vm_ran; }

void run_observe(struct run_ctx *rc, const struct scn_step *st, const struct step_result *r)
{
	enum actor_kind who = st->spec->actor;
	struct outcome *o = &rc->out;
	/* The host stack building and running a guest is the host's job, not
	 * an attack: those steps are left out of the outcome; its other
	 * guest_* steps (registers, mappings, control blocks, injection, what
	 * it learnt from faults) are the host acting on a guest. */
	bool attacker = attacker_step(st);
	if (who == ACTOR_VERIFIER && r->has_status && r->status != 0 /* verify.ok */ &&
	    !o->detected) {
		o->detected = true; /* attestation exposed the tampering */
		o->detect_line = st->line;
	}
	/* the verifier accepted evidence the platform never measured: the
	 * relying party consumed what the attacker made (verifier.verify x1) */
	if (who == ACTOR_VERIFIER && strcmp(st->op, "verify") == 0 && r->nregs && r->x[0] &&
	    !o->corrupted) {
		o->corrupted = true;
		o->corrupt_line = st->line;
	}
	/* the platform took back a copy of a guest page that is not its last
	 * swapped-out one: the guest's memory rolled back (host.guest_swap_in
	 * x2) */
	if (attacker && strcmp(st->op, "guest_swap_in") == 0 && r->nregs >= 2 && r->x[1] &&
	    !o->corrupted) {
		o->corrupted = true;
		o->corrupt_line = st->line;
	}
	uint64_t addr = run_arg_num(st, "addr", 0);
	if (r->faulted && r->fault == FAULT_POISON && !o->detected) {
		o->detected = true;
		o->detect_line = st->line;
	}
	if (attacker && !r->faulted && r->len) {
		for (size_t i = 0; i < rc->sc->nsecrets && !o->leaked; i++) {
			const struct scn_secret *s = &rc->sc->secrets[i];
			if (run_contains(r->bytes, r->len, s->bytes, s->len)) {
				o->leaked = true;
				o->leak_line = st->line;
				g_strlcpy(o->leak_secret, s->name, sizeof(o->leak_secret));
			}
		}
	}
	if (attacker && !o->blocked) {
		const char *mech = NULL;
		if (r->faulted)
			mech = cc_fault_name(r->fault);
		else if (r->has_status && steps_result_status_refused(r))
			mech = steps_result_status_name(r);
		if (mech) {
			o->blocked = true;
			o->block_line = st->line;
			g_strlcpy(o->block_mech, mech, sizeof(o->block_mech));
		}
	}
	/* What the host writes before any guest has run is set-up (an initial
	 * image, parameters), not an attack on a guest's data. */
	if (attacker && !r->faulted && victim_started(rc) &&
	    (strcmp(st->op, "store") == 0 || strcmp(st->op, "write") == 0 ||
	     strcmp(st->op, "dma_write") == 0)) {
		size_t len;
		const uint8_t *d = run_arg_bytes(rc, st, "data", &len);
		if (len >= 4)
			g_ptr_array_add(rc->attacker_data, g_bytes_new(d, len));
	}
	if (who == ACTOR_VM && !r->faulted) {
		uint32_t vm = run_vm_index(rc, st->actor);
		/* A guest knows its memory by GPA: what it stored and reads back
		 * is compared there (a remapped GPA is another place to it). */
		addr = run_arg_num(st, "gpa", addr);
		if (strcmp(st->op, "store") == 0) {
			size_t len;
			const uint8_t *d = run_arg_bytes(rc, st, "data", &len);
			run_victim_write_add(rc, vm, addr, d, len);
		} else if (strcmp(st->op, "fill") == 0) {
			size_t len = run_arg_num(st, "len", 0);
			uint8_t *d = g_malloc(len);
			memset(d, (int)(run_arg_num(st, "byte", 0) & 0xff), len);
			run_victim_write_add(rc, vm, addr, d, len);
			g_free(d);
		} else if (r->len && !o->corrupted && victim_memory_changed(rc, vm, addr, r->bytes, r->len)) {
			o->corrupted = true;
			o->corrupt_line = st->line;
		}
	}
	/* A guest reading a secret no vCPU of its own guest wrote has another
	 * guest's data: a cross-guest leak (ASID reuse, aliasing). */
	if (who == ACTOR_VM && !r->faulted && r->len && !o->leaked) {
		uint32_t vm = run_vm_index(rc, st->actor);
		for (size_t i = 0; i < rc->sc->nsecrets && !o->leaked; i++) {
			const struct scn_secret *sec = &rc->sc->secrets[i];
			if (!run_contains(r->bytes, r->len, sec->bytes, sec->len) ||
			    same_guest_wrote(rc, vm, sec->bytes, sec->len))
				continue;
			o->leaked = true;
			o->leak_line = st->line;
			g_strlcpy(o->leak_secret, sec->name, sizeof(o->leak_secret));
		}
	}
	if (who == ACTOR_VM && !r->faulted && r->len && !o->corrupted) {
		for (guint i = 0; i < rc->attacker_data->len; i++) {
			gsize n;
			const uint8_t *d = g_bytes_get_data(rc->attacker_data->pdata[i], &n);
			if (run_contains(r->bytes, r->len, d, n)) {
				o->corrupted = true;
				o->corrupt_line = st->line;
				break;
			}
		}
	}
}

