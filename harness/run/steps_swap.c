/* host.guest_swap_out / host.guest_swap_in: the host pages a guest's
 * private page out and back in through its architecture's way (the host
 * stack's hv_swap.c; on s390-se, for a vm made a secure CPU, the
 * ultravisor's export and import, hv_swap_uv.c). Where the architecture has
 * no way (tdx, cca) the status is swap.unsupported and the bytes say why.
 * A swap-in the platform took whose copy is not the page's last swapped-out
 * one (an old copy, or one the host changed) is a rollback of the guest's
 * memory: .x2 = 1, which the outcome reads as corrupted. */
#include <glib.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/steps.h"
#include "models/monitor/uv/uv_abi.h"
#include "stacks/host/hv.h"

#define SWAP_PAGE 4096u

G_STATIC_ASSERT(STEPS_SWAP_STATUS == HV_SWAP_STATUS);

/* The bytes the last host.guest_swap_out of this guest's page (before
 * step `now`) took out, or NULL. */
static const struct step_result *last_copy(struct run_ctx *rc, size_t now, const char *name,
					   uint64_t gpa)
{
	for (size_t i = now; i > 0; i--) {
		const struct scn_step *o = &rc->sc->steps[i - 1];
		if (!rc->ran[i - 1] || strcmp(o->op, "guest_swap_out") ||
		    strcmp(step_arg(o, "")->v.name, name) || run_arg_num(o, "gpa", 0) != gpa)
			continue;
		return rc->results[i - 1].len == SWAP_PAGE ? &rc->results[i - 1] : NULL;
	}
	return NULL;
}

/* The index of the step running (st is its copy with the values
 * resolved): the one at its file and line. */
static size_t step_index(const struct run_ctx *rc, const struct scn_step *st)
{
	for (size_t i = 0; i < rc->sc->nsteps; i++)
		if (rc->sc->steps[i].line == st->line && strcmp(rc->sc->steps[i].file, st->file) == 0)
			return i;
	return 0;
}

static bool stale(struct run_ctx *rc, const struct scn_step *st, uint64_t gpa, const uint8_t *copy)
{
	const struct step_result *last = last_copy(rc, step_index(rc, st), step_arg(st, "")->v.name,
						   gpa);
	return last && memcmp(last->bytes, copy, SWAP_PAGE) != 0;
}

static void take_bytes(struct step_result *res, const void *p, size_t n)
{
	res->len = n;
	res->bytes = g_memdup2(p, n);
}

/* s390-se: the vm is a secure CPU the scenario made (host.uvc). */
static int swap_uv(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	uint64_t gpa = run_arg_num(st, "gpa", 0), pa = run_arg_num(st, "addr", 0);
	if (!step_arg(st, "addr") || (pa | gpa) % SWAP_PAGE) {
		snprintf(err, errlen, "%s:%d:%d: %s.%s on a vm: expected addr= and gpa=, page-aligned "
			 "(the host page and the guest page it backs)", st->file, st->line, st->col,
			 st->actor, st->op);
		return -1;
	}
	uint8_t *copy = g_malloc0(SWAP_PAGE);
	uint16_t uvrc;
	if (strcmp(st->op, "guest_swap_out") == 0) {
		uvrc = hv_uv_swap_out(&rc->machine, &rc->host, pa, copy, &res->cycles);
		if (uvrc == UVC_RC_EXECUTED)
			take_bytes(res, copy, SWAP_PAGE);
		steps_res_x(res, 1, pa);
		steps_res_x(res, 2, pa);
	} else {
		size_t n = 0;
		const uint8_t *data = run_arg_bytes(rc, st, "data", &n);
		if (data)
			memcpy(copy, data, MIN(n, (size_t)SWAP_PAGE));
		uvrc = hv_uv_swap_in(&rc->machine, &rc->host, run_arg_num(st, "handle", 0), pa, gpa,
				     data ? copy : NULL, &res->cycles);
		steps_res_x(res, 1, pa);
		steps_res_x(res, 2, uvrc == UVC_RC_EXECUTED && data && stale(rc, st, gpa, copy));
	}
	steps_res_status(res, STEPS_STATUS_UV, uvrc);
	g_free(copy);
	return 0;
}

static struct hv_guest *guest_named(struct run_ctx *rc, const char *name)
{
	for (size_t i = 0; i < rc->sc->nguests; i++)
		if (strcmp(rc->sc->guests[i].name, name) == 0)
			return rc->guests[i];
	return NULL;
}

static bool vm_named(const struct run_ctx *rc, const char *name)
{
	for (size_t i = 0; i < rc->sc->nvms; i++)
		if (strcmp(rc->sc->vms[i].name, name) == 0)
			return true;
	return false;
}

/* A swap step's status: the SNP firmware's, the host's own (swap.*). */
static void swap_status(const struct hv_guest *g, const struct hv_result *h, struct step_result *res)
{
	if ((h->status & ~0xffull) == HV_SNP_STATUS || (g->sev == CPU_SEV_SNP && !h->status))
		steps_res_status(res, STEPS_STATUS_SNP, h->status & 0xff);
	else
		steps_res_status(res, STEPS_STATUS_SWAP, h->status & 0xff);
}

int steps_guest_swap(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	const char *name = step_arg(st, "")->v.name;
	struct hv_guest *g = guest_named(rc, name);
	if (!g && vm_named(rc, name) && rc->machine.uv)
		return swap_uv(rc, st, res, err, errlen);
	if (!g) {
		snprintf(err, errlen, "%s:%d:%d: %s.%s: no guest named \"%s\" (declare it with guest "
			 "NAME; on s390-se a vm that is a secure CPU)", st->file, st->line, st->col,
			 st->actor, st->op, name);
		return -1;
	}
	uint64_t gpa = run_arg_num(st, "gpa", 0);
	struct hv_result h;
	char msg[256] = "";
	uint8_t *copy = g_malloc0(SWAP_PAGE);
	bool out = strcmp(st->op, "guest_swap_out") == 0, was_stale = false;
	int r;
	if (out) {
		r = hv_guest_swap_out(g, gpa, copy, &h, msg, sizeof(msg));
	} else {
		/* what the slot holds now, as the host's key reads it, against the
		 * page's last copy: the simulator's look (a peek: no time, no
		 * cache effect), not a host access the step would have to pay */
		uint64_t slot = run_arg_num(st, "from", 0);
		if (slot && machine_peek(&rc->machine, machine_key_slot(&rc->machine, PAS_NS), slot,
					 copy, SWAP_PAGE) == 0)
			was_stale = stale(rc, st, gpa, copy);
		r = hv_guest_swap_in(g, gpa, slot, &h, msg, sizeof(msg));
	}
	if (r) {
		snprintf(err, errlen, "%s:%d:%d: %s", st->file, st->line, st->col, msg);
		g_free(copy);
		return -1;
	}
	swap_status(g, &h, res);
	const char *why = hv_swap_refusal(g);
	if (why)
		take_bytes(res, why, strlen(why));
	else if (out && !h.status)
		take_bytes(res, copy, SWAP_PAGE);
	steps_res_x(res, 1, h.x1);
	steps_res_x(res, 2, out ? h.x2 : (uint64_t)(was_stale && !h.status));
	res->cycles = h.cycles;
	g_free(copy);
	return 0;
}
