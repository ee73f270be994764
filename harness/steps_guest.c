/* Steps for guests built by the guest kernel and run by the host stack
 * (host.guest_*), and the attestation verifier (verifier.verify). */
#include <stdio.h>
#include <string.h>

#include "harness/runner.h"
#include "harness/steps.h"
#include "models/monitor/attest/cca_token.h"
#include "models/monitor/rmm/rmm.h"
#include "stacks/host/hv.h"

static struct hv_guest *guest_of(struct run_ctx *rc, const struct scn_step *st, char *err,
				 size_t errlen)
{
	const struct scn_arg *a = step_arg(st, "");
	for (size_t i = 0; a && i < rc->sc->nguests; i++)
		if (strcmp(rc->sc->guests[i].name, a->v.name) == 0)
			return rc->guests[i];
	snprintf(err, errlen, "%s:%d:%d: %s.%s: no guest named \"%s\" (declare it with guest NAME)",
		 st->file, st->line, st->col, st->actor, st->op, a ? a->v.name : "");
	return NULL;
}

static void copy_result(const struct hv_guest *g, const struct hv_result *h, bool out,
			struct step_result *res)
{
	res->has_status = h->has_status;
	res->status = h->status;
	res->x1 = h->x1;
	res->x2 = h->x2;
	res->cycles = h->cycles;
	if (out && g->out->len) {
		res->len = g->out->len;
		res->bytes = g_memdup2(g->out->data, g->out->len);
	}
}

static int guest_step(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		      char *err, size_t errlen)
{
	struct hv_guest *g = guest_of(rc, st, err, errlen);
	struct hv_result h;
	char msg[256] = "";
	int r;
	if (!g)
		return -1;
	if (strcmp(st->op, "guest_load") == 0)
		r = hv_guest_load(g, &h, msg, sizeof(msg));
	else if (strcmp(st->op, "guest_create") == 0)
		r = hv_guest_create(g, &h, msg, sizeof(msg));
	else if (strcmp(st->op, "guest_token") == 0) {
		memset(&h, 0, sizeof(h));
		if (g->token->len) {
			res->len = g->token->len;
			res->bytes = g_memdup2(g->token->data, g->token->len);
		}
		res->x1 = g->token->len;
		return 0;
	} else if (strcmp(st->op, "guest_run") == 0)
		r = hv_guest_run(g, run_arg_num(st, "exits", 0), &h, msg, sizeof(msg));
	else
		r = hv_guest_destroy(g, &h, msg, sizeof(msg));
	if (r) {
		snprintf(err, errlen, "%s:%d:%d: %s", st->file, st->line, st->col, msg);
		return -1;
	}
	copy_result(g, &h, strcmp(st->op, "guest_run") == 0, res);
	return 0;
}

int steps_guest(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	return guest_step(rc, st, res, err, errlen);
}

const char *steps_status_name(uint64_t x0)
{
	static const char *const v[] = { "verify.ok", "verify.bad_token", "verify.rim_mismatch",
					 "verify.challenge_mismatch" };
	if ((x0 & ~0xffull) == STEPS_VERIFY_STATUS && (x0 & 0xff) < G_N_ELEMENTS(v))
		return v[x0 & 0xff];
	return rmi_status_name(x0);
}

bool steps_status_known(const char *name)
{
	for (uint64_t i = 0; i < 4; i++)
		if (strcmp(steps_status_name(STEPS_VERIFY_STATUS | i), name) == 0)
			return true;
	return false;
}

/* verifier.verify: a relying party checks a CCA token against the platform
 * key of this run's seed, then the RIM and the challenge it expects. The
 * capture's bytes are the token's RIM claim. */
int steps_verify(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		 char *err, size_t errlen)
{
	size_t len, rlen = 0, clen = 0;
	const uint8_t *tok = run_arg_bytes(rc, st, "token", &len);
	const uint8_t *rim = run_arg_bytes(rc, st, "rim", &rlen);
	const uint8_t *chal = run_arg_bytes(rc, st, "challenge", &clen);
	uint8_t cpak[P384_POINT_LEN];
	struct cca_token_view view;
	char msg[256];
	(void)err;
	(void)errlen;
	cca_cpak_public(rc->opt->seed, cpak);
	res->has_status = true;
	if (!tok || cca_token_verify(tok, len, cpak, &view, msg, sizeof(msg))) {
		res->status = STEPS_VERIFY_STATUS | 1;
		return 0;
	}
	res->len = view.realm.meas_len;
	res->bytes = g_memdup2(view.realm.rim, res->len);
	uint8_t want[64] = { 0 };
	if (chal)
		memcpy(want, chal, MIN(clen, sizeof(want)));
	if (rim && (rlen != view.realm.meas_len || memcmp(rim, view.realm.rim, rlen)))
		res->status = STEPS_VERIFY_STATUS | 2;
	else if (chal && memcmp(want, view.realm.challenge, sizeof(want)))
		res->status = STEPS_VERIFY_STATUS | 3;
	else
		res->status = STEPS_VERIFY_STATUS;
	return 0;
}
