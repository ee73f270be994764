/* Steps for guests built by the guest kernel and run by the host stack
 * (host.guest_*), and the attestation verifier (verifier.verify). */
#include <stdio.h>
#include <string.h>

#include "harness/attest/attest_snp.h"
#include "harness/attest/attest_tdx.h"
#include "harness/run/runner.h"
#include "harness/run/steps.h"
#include "models/monitor/attest/cca_token.h"
#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/platform/machine_mon.h"
#include "models/monitor/uv/uv_abi.h"
#include "models/cpu/exec.h"
#include "sim/buf.h"
#include "stacks/host/hv.h"

#define GUEST_PAGE 4096ull

G_STATIC_ASSERT(STEPS_SNP_STATUS == HV_SNP_STATUS && STEPS_SEV_STATUS == HV_SEV_STATUS &&
		 STEPS_UV_STATUS == HV_UV_STATUS);

/* The verifier's verdicts (verify.*), in that order. */
enum { VERIFY_OK, VERIFY_BAD_TOKEN, VERIFY_RIM_MISMATCH, VERIFY_CHALLENGE_MISMATCH };

static struct hv_guest *guest_of(struct run_ctx *rc, const struct scn_step *st, size_t *index,
				 char *err, size_t errlen)
{
	const struct scn_arg *a = step_arg(st, "");
	for (size_t i = 0; a && i < rc->sc->nguests; i++)
		if (strcmp(rc->sc->guests[i].name, a->v.name) == 0) {
			*index = i;
			return rc->guests[i];
		}
	snprintf(err, errlen, "%s:%d:%d: %s.%s: no guest named \"%s\" (declare it with guest NAME)",
		 st->file, st->line, st->col, st->actor, st->op, a ? a->v.name : "");
	return NULL;
}

/* The guest an argument (asid_of=, state_of=, of=) names, which must have
 * been created. */
static struct hv_guest *named_guest(struct run_ctx *rc, const struct scn_step *st, const char *key,
				    char *err, size_t errlen)
{
	const struct scn_arg *a = step_arg(st, key);
	for (size_t i = 0; a && i < rc->sc->nguests; i++) {
		struct hv_guest *g = rc->guests[i];
		if (strcmp(rc->sc->guests[i].name, a->v.name))
			continue;
		if (g->state == HV_CREATED || g->state == HV_OFF)
			return g;
		snprintf(err, errlen, "%s:%d:%d: %s=%s: guest %s is not created (host.guest_create "
			 "it first)", st->file, st->line, a->col, key, a->v.name, a->v.name);
		return NULL;
	}
	if (a)
		snprintf(err, errlen, "%s:%d:%d: %s: no guest named \"%s\" (declare it with guest NAME)",
			 st->file, st->line, a->col, key, a->v.name);
	return NULL;
}

/* host.guest_vmcb NAME [asid=N | asid_of=G] [state_of=G]: CrossLine's
 * rewrite of NAME's control block (hv_guest_vmcb). Returns what that
 * returns, or -2 for a bad argument, msg then naming file:line:column. */
static int guest_vmcb(struct run_ctx *rc, const struct scn_step *st, struct hv_guest *g,
		      struct hv_result *h, char *msg, size_t len)
{
	int64_t asid = step_arg(st, "asid") ? (int64_t)run_arg_num(st, "asid", 0) : -1;
	uint64_t state = 0;
	if (step_arg(st, "asid_of")) {
		struct hv_guest *o = named_guest(rc, st, "asid_of", msg, len);
		if (!o)
			return -2;
		asid = (int64_t)o->asid;
	}
	if (step_arg(st, "state_of")) {
		struct hv_guest *o = named_guest(rc, st, "state_of", msg, len);
		if (!o)
			return -2;
		state = hv_guest_regs_pa(o);
	}
	return hv_guest_vmcb(g, asid, state, h, msg, len);
}

/* host.guest_map NAME ipa=GPA (pa=SPA | of=G [of_ipa=GPA]): the host's
 * nested-table entry for NAME's page at ipa points at pa, or at the page
 * backing G's page of_ipa (default: ipa). Returns as guest_vmcb. */
static int guest_map(struct run_ctx *rc, const struct scn_step *st, struct hv_guest *g,
		     struct hv_result *h, char *msg, size_t len)
{
	uint64_t ipa = run_arg_num(st, "ipa", 0), pa = run_arg_num(st, "pa", 0);
	if (step_arg(st, "of")) {
		struct hv_guest *o = named_guest(rc, st, "of", msg, len);
		if (!o)
			return -2;
		uint64_t oipa = run_arg_num(st, "of_ipa", ipa);
		pa = hv_guest_page_pa(o, oipa);
		if (!pa) {
			snprintf(msg, len, "%s:%d:%d: guest %s has no page at 0x%llx yet", st->file,
				 st->line, step_arg(st, "of")->col, o->name, (unsigned long long)oipa);
			return -2;
		}
	} else if (!step_arg(st, "pa")) {
		snprintf(msg, len, "%s:%d:%d: host.guest_map: expected pa=ADDR or of=GUEST", st->file,
			 st->line, st->col);
		return -2;
	}
	return hv_guest_map(g, ipa, pa, h, msg, len);
}

/* A guest step's status is its monitor's: the TDX module's on tdx, the
 * SNP or SEV firmware's for an SEV guest (tagged HV_SNP_STATUS /
 * HV_SEV_STATUS by the host stack), RMI's for a realm (and a plain VM's
 * 0, which no monitor answered). x1, x2: what hv_result says per step. */
static void copy_result(const struct hv_guest *g, const struct hv_result *h, bool out,
			struct step_result *res)
{
	if (h->has_status) {
		enum steps_status_space sp;
		uint64_t raw;
		steps_status_decode(h->status, g->m->tdx_mon != NULL, &sp, &raw);
		/* success of an SEV guest's step reads in its firmware's space,
		 * of an s390 guest's in the ultravisor's (rc 1, executed) */
		if (!g->m->tdx_mon && g->sev && h->status == 0)
			sp = g->sev == CPU_SEV_SNP ? STEPS_STATUS_SNP : STEPS_STATUS_SEV;
		if (g->m->uv && h->status == 0) {
			sp = STEPS_STATUS_UV;
			raw = UVC_RC_EXECUTED;
		}
		steps_res_status(res, sp, raw);
	}
	steps_res_x(res, 1, h->x1);
	steps_res_x(res, 2, h->x2);
	res->cycles = h->cycles;
	if (h->not_built)
		steps_res_fault(res, FAULT_VMRUN_INVALID);
	if (out && g->out->len) {
		res->len = g->out->len;
		res->bytes = g_memdup2(g->out->data, g->out->len);
	}
}

/* host.guest_run until=REASON: the REC exit reason, RMI_EXIT_COUNT if none. */
static unsigned until_reason(const struct scn_step *st)
{
	const struct scn_arg *a = step_arg(st, "until");
	for (unsigned i = 0; a && i < RMI_EXIT_COUNT; i++)
		if (strcmp(rmi_exit_reason_name(i), a->v.name) == 0)
			return i;
	return RMI_EXIT_COUNT;
}

/* The space of a call op's X0: a TDCALL's RAX is the TDX module's (tdx.*),
 * an SMC's or HVC's X0 that of its function id (rsi.*, psci.*, ...); the
 * X0 a `regs` op reports answers no call (smc). */
static enum steps_status_space call_space(const struct guest_op *o)
{
	if (o->kind == GOP_TDCALL)
		return STEPS_STATUS_TDX;
	return o->kind == GOP_REGS ? STEPS_STATUS_SMC : steps_smc_space(o->a);
}

/* Every call op the guest reported results for during this step sets its
 * capture: status from X0 (RAX), x1.. from X1.. (RCX, RDX, R8..), and X1..
 * as bytes (little-endian). */
static void bind_call_results(struct run_ctx *rc, const struct scn_guest *sg,
			      const struct hv_guest *g, guint from)
{
	G_STATIC_ASSERT(GUEST_CALL_MAX_RESULTS - 1 <= SCN_RESULT_REGS);
	for (guint i = from; i < g->results->len; i++) {
		const struct hv_call_result *r = &g_array_index(g->results, struct hv_call_result, i);
		if (r->op >= sg->nops || !sg->op_captures[r->op] || r->n == 0)
			continue;
		struct step_result c = { 0 };
		steps_res_status(&c, call_space(&sg->ops[r->op]), r->x[0]);
		for (uint64_t k = 1; k < r->n && k <= SCN_RESULT_REGS; k++)
			steps_res_x(&c, (unsigned)k, r->x[k]);
		c.len = 8 * (r->n - 1);
		if (c.len) {
			c.bytes = g_malloc(c.len);
			for (uint64_t k = 1; k < r->n; k++)
				sim_le64_store(c.bytes + 8 * (k - 1), r->x[k]);
		}
		run_capture_set(rc, sg->op_captures[r->op], &c);
		g_free(c.bytes);
	}
}

/* host.guest_regs NAME [reg=N value=V]: the host reads X0..X30 where its
 * personality keeps them (hv_guest_regs_pa), or writes one, with its own
 * loads and stores: plaintext in a VMCB save area, ciphertext in a VMSA
 * (SEV-ES), an RMP fault on SNP, a GPC fault on a REC. */
static int guest_regs(struct run_ctx *rc, const struct scn_step *st, struct hv_guest *g,
		      struct step_result *res)
{
	uint64_t pa = hv_guest_regs_pa(g);
	struct cc_fault f;
	int r;
	if (step_arg(st, "reg")) {
		uint8_t b[8];
		sim_le64_store(b, run_arg_num(st, "value", 0));
		r = cpu_store(&rc->host, pa + 8 * (run_arg_num(st, "reg", 0) % ISA_NREGS), b, 8, &f,
			      &res->cycles);
	} else {
		res->len = 8 * ISA_NREGS;
		res->bytes = g_malloc0(res->len);
		r = cpu_load(&rc->host, pa, res->bytes, (uint32_t)res->len, &f, &res->cycles);
	}
	steps_res_x(res, 1, pa);
	if (r == 1)
		steps_res_fault(res, f.kind);
	return r < 0 ? -1 : 0;
}

/* host.guest_peek NAME ipa= [len=]: the host loads from the page backing
 * the guest's GPA, which it allocated: plaintext on plain, ciphertext
 * under a guest's key, a GPC fault on a realm's delegated granule. */
static int guest_peek(struct run_ctx *rc, const struct scn_step *st, struct hv_guest *g,
		      struct step_result *res, char *err, size_t errlen)
{
	uint64_t ipa = run_arg_num(st, "ipa", 0), len = run_arg_num(st, "len", 8);
	uint64_t pa = hv_guest_page_pa(g, ipa);
	if (!pa) {
		snprintf(err, errlen, "%s:%d:%d: guest %s has no page at 0x%llx yet", st->file, st->line,
			 step_arg(st, "ipa")->col, g->name, (unsigned long long)ipa);
		return -1;
	}
	if (len == 0 || (ipa & (GUEST_PAGE - 1)) + len > GUEST_PAGE) {
		snprintf(err, errlen, "%s:%d:%d: len: expected 1 to %llu bytes (the rest of the page)",
			 st->file, st->line, st->col,
			 (unsigned long long)(GUEST_PAGE - (ipa & (GUEST_PAGE - 1))));
		return -1;
	}
	struct cc_fault f;
	res->len = len;
	res->bytes = g_malloc0(len);
	steps_res_x(res, 1, pa + (ipa & (GUEST_PAGE - 1)));
	/* cpu_load sets its latency: each part of the step is summed */
	uint64_t c = 0;
	int r = cpu_load(&rc->host, res->x[0], res->bytes, (uint32_t)len, &f, &c);
	res->cycles = c;
	/* the host kernel's fault handler, where it has one for the fault
	 * (s390-se: a secure page is exported, x2 = 1), then the load again */
	if (r == 1 && !hv_guest_host_fault(g, res->x[0], f.kind, &res->cycles)) {
		steps_res_x(res, 2, 1);
		r = cpu_load(&rc->host, res->x[0], res->bytes, (uint32_t)len, &f, &c);
		res->cycles += c;
	}
	if (r == 1)
		steps_res_fault(res, f.kind);
	return r < 0 ? -1 : 0;
}

static int guest_step(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		      char *err, size_t errlen)
{
	size_t gi = 0;
	struct hv_guest *g = guest_of(rc, st, &gi, err, errlen);
	struct hv_result h;
	char msg[256] = "";
	int r;
	if (!g)
		return -1;
	if (strcmp(st->op, "guest_load") == 0) {
		r = hv_guest_load(g, &h, msg, sizeof(msg));
		if (!r) { /* the image as staged: what a verifier would measure */
			size_t n = 0;
			const uint8_t *img = hv_guest_image(g, &n);
			res->len = n;
			res->bytes = g_memdup2(img, n);
		}
	}
	else if (strcmp(st->op, "guest_create") == 0)
		r = hv_guest_create(g, &h, msg, sizeof(msg));
	else if (strcmp(st->op, "guest_token") == 0) {
		memset(&h, 0, sizeof(h));
		if (g->token->len) {
			res->len = g->token->len;
			res->bytes = g_memdup2(g->token->data, g->token->len);
		}
		steps_res_x(res, 1, g->token->len);
		return 0;
	} else if (strcmp(st->op, "guest_regs") == 0) {
		return guest_regs(rc, st, g, res);
	} else if (strcmp(st->op, "guest_peek") == 0) {
		return guest_peek(rc, st, g, res, err, errlen);
	} else if (strcmp(st->op, "guest_npf") == 0) {
		/* what the host read from the control area at the exits: the
		 * GPA of the last nested page fault (EXITINFO2); an RMP
		 * violation (EXITINFO1 bit 31) tells it nothing it did not
		 * choose */
		steps_res_x(res, 1, g->n.last_npf);
		steps_res_x(res, 2, g->n.npfs);
		if (g->n.npfs && g->n.last_npf_kind == FAULT_RMP_NPF)
			steps_res_fault(res, FAULT_RMP_NPF);
		else if (g->n.npfs) {
			res->len = 8;
			res->bytes = g_malloc(8);
			sim_le64_store(res->bytes, g->n.last_npf);
		}
		return 0;
	} else if (strcmp(st->op, "guest_vmcb") == 0 || strcmp(st->op, "guest_map") == 0) {
		r = strcmp(st->op, "guest_vmcb") == 0 ? guest_vmcb(rc, st, g, &h, msg, sizeof(msg))
						      : guest_map(rc, st, g, &h, msg, sizeof(msg));
		if (r == -2) { /* the message already names the place */
			snprintf(err, errlen, "%s", msg);
			return -1;
		}
	} else if (strcmp(st->op, "guest_unmap") == 0) {
		r = hv_guest_unmap(g, run_arg_num(st, "ipa", 0), &h, msg, sizeof(msg));
	} else if (strcmp(st->op, "guest_inject") == 0) {
		uint64_t esr = 0;
		if (step_arg(st, "vc"))
			esr = ESR_EC_VC | run_arg_num(st, "vc", 0) << ESR_VC_CODE_SHIFT |
			      vcpu_dabt_iss(8, (unsigned)run_arg_num(st, "srt", 0),
					    run_arg_num(st, "write", 0) != 0);
		r = hv_guest_inject(g, esr, run_arg_num(st, "far", 0), (uint32_t)run_arg_num(st, "irq", 0),
				    &h, msg, sizeof(msg));
	} else if (strcmp(st->op, "guest_run") == 0) {
		guint from = g->results->len;
		if (step_arg(st, "mmio"))
			hv_guest_forge_mmio(g, run_arg_num(st, "mmio_reg", HV_MMIO_ANY),
					    run_arg_num(st, "mmio_nth", 1), run_arg_num(st, "mmio", 0));
		r = hv_guest_run(g, run_arg_num(st, "exits", 0), until_reason(st), &h, msg,
				 sizeof(msg));
		if (step_arg(st, "mmio") && hv_guest_forge_done(g) && !rc->out.corrupted) {
			/* the guest took the host's value for its device's: it
			 * consumed attacker-chosen data, as a read of memory the
			 * attacker wrote would be */
			rc->out.corrupted = true;
			rc->out.corrupt_line = st->line;
		}
		g->forge.armed = false; /* this run's only */
		bind_call_results(rc, &rc->sc->guests[gi], g, from);
	} else
		r = hv_guest_destroy(g, &h, msg, sizeof(msg));
	if (r) {
		snprintf(err, errlen, "%s:%d:%d: %s", st->file, st->line, st->col, msg);
		return -1;
	}
	copy_result(g, &h, strcmp(st->op, "guest_run") == 0, res);
	/* where the boot vCPU's registers live, for steps that name it:
	 * its REC (cca), TDVPR (tdx), VMSA (sev-es, sev-snp) or VMCB save
	 * area (plain, sev) */
	if (strcmp(st->op, "guest_create") == 0)
		steps_res_x(res, 3, hv_guest_regs_pa(g));
	/* the host's injected events the guest took: what the outcome's
	 * "hijacked" reads (runner_outcome.c) */
	if (strcmp(st->op, "guest_run") == 0)
		steps_res_x(res, 3, h.hostile_taken);
	return 0;
}

int steps_guest(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	return guest_step(rc, st, res, err, errlen);
}

/* An SEV-SNP report (SNP ABI 7.3): the VCEK signature (this run's seed,
 * the report's TCB), then the MEASUREMENT against rim= and REPORT_DATA
 * against the challenge. The capture's bytes are the measurement. */
static int verify_snp(struct run_ctx *rc, const uint8_t *r, const uint8_t *meas, size_t mlen,
		      const uint8_t *chal, size_t clen, struct step_result *res)
{
	uint8_t pub[P384_POINT_LEN], want[SNP_REPORT_DATA_LEN] = { 0 };
	const char *why = NULL;
	snp_vcek_public(rc->opt->seed, sim_le64_load(r + SNP_RPT_REPORTED_TCB), pub);
	if (snp_report_verify(r, pub, &why)) {
		res->status = VERIFY_BAD_TOKEN;
		return 0;
	}
	res->len = SNP_DIGEST_LEN;
	res->bytes = g_memdup2(r + SNP_RPT_MEASUREMENT, SNP_DIGEST_LEN);
	if (chal)
		memcpy(want, chal, MIN(clen, sizeof(want)));
	if (meas && (mlen != SNP_DIGEST_LEN || memcmp(meas, r + SNP_RPT_MEASUREMENT, mlen)))
		res->status = VERIFY_RIM_MISMATCH;
	else if (chal && memcmp(want, r + SNP_RPT_REPORT_DATA, sizeof(want)))
		res->status = VERIFY_CHALLENGE_MISMATCH;
	else
		res->status = VERIFY_OK;
	/* x1: the evidence was accepted although its measurement is not what
	 * this platform's firmware measured for that guest (its context page's
	 * digest was overwritten): the relying party took forged evidence */
	uint8_t ask[SNP_REPORT_LEN];
	uint64_t measured = 1;
	memcpy(ask, r, sizeof(ask));
	if (res->status == VERIFY_OK && rc->machine.snp &&
	    machine_mon_query(rc->machine.snp, CCSIM_QUERY_REPORT_MEASURED, 0, ask, sizeof(ask)) == 0)
		memcpy(&measured, ask, sizeof(measured));
	steps_res_x(res, 1, res->status == VERIFY_OK && measured == 0);
	return 0;
}

/* An Intel TDX quote (DCAP v4): the chain to the PCK of this run's seed
 * and the attestation key's signature (tdx_quote_verify), then MRTD
 * against rim= and REPORTDATA against the challenge (zero-padded to 64
 * bytes, as the TD's REPORTDATA). The capture's bytes are the MRTD. */
static int verify_tdx(struct run_ctx *rc, const uint8_t *q, size_t len, const uint8_t *mrtd,
		      size_t mlen, const uint8_t *chal, size_t clen, struct step_result *res)
{
	struct tdx_quote_view v;
	uint8_t want[TDX_QUOTE_REPORTDATA_LEN] = { 0 };
	char msg[160];
	if (tdx_quote_verify(q, len, rc->opt->seed, &v, msg, sizeof(msg))) {
		res->status = VERIFY_BAD_TOKEN;
		return 0;
	}
	res->len = TDX_QUOTE_MR_LEN;
	res->bytes = g_memdup2(v.body + TDX_QB_MRTD, TDX_QUOTE_MR_LEN);
	if (chal)
		memcpy(want, chal, MIN(clen, sizeof(want)));
	if (mrtd && (mlen != TDX_QUOTE_MR_LEN || memcmp(mrtd, v.body + TDX_QB_MRTD, mlen)))
		res->status = VERIFY_RIM_MISMATCH;
	else if (chal && memcmp(want, v.body + TDX_QB_REPORTDATA, sizeof(want)))
		res->status = VERIFY_CHALLENGE_MISMATCH;
	else
		res->status = VERIFY_OK;
	return 0;
}

/* verifier.measure image=BYTES: what the owner of the image expects its
 * launch measurement to be, computed from the image alone: on a TDX
 * machine the MRTD of the TD ccsim's host builds from it
 * (attest_tdx_mrtd_of_image). The SNP launch digest and the CCA RIM are
 * not computed here yet: no bytes, x1 = 0. */
int steps_measure(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen)
{
	size_t len;
	const uint8_t *img = run_arg_bytes(rc, st, "image", &len);
	(void)err;
	(void)errlen;
	steps_res_x(res, 1, 0);
	if (!rc->machine.tdx_mon || !img)
		return 0;
	res->len = TDX_QUOTE_MR_LEN;
	res->bytes = g_malloc(res->len);
	attest_tdx_mrtd_of_image(img, len, res->bytes);
	steps_res_x(res, 1, res->len);
	return 0;
}

/* verifier.verify: a relying party checks a CCA token against the platform
 * key of this run's seed, then the RIM and the challenge it expects, or an
 * SEV-SNP report (verify_snp) or a TDX quote (verify_tdx). The capture's
 * bytes are the token's RIM claim, the report's measurement or the
 * quote's MRTD. */
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
	steps_res_status(res, STEPS_STATUS_VERIFY, VERIFY_OK);
	steps_res_x(res, 1, 0); /* forged evidence accepted: only verify_snp knows it */
	if (tok && attest_is_snp_report(tok, len))
		return verify_snp(rc, tok, rim, rlen, chal, clen, res);
	if (tok && attest_is_tdx_quote(tok, len))
		return verify_tdx(rc, tok, len, rim, rlen, chal, clen, res);
	if (!tok || cca_token_verify(tok, len, cpak, &view, msg, sizeof(msg))) {
		res->status = VERIFY_BAD_TOKEN;
		return 0;
	}
	res->len = view.realm.meas_len;
	res->bytes = g_memdup2(view.realm.rim, res->len);
	uint8_t want[64] = { 0 };
	if (chal)
		memcpy(want, chal, MIN(clen, sizeof(want)));
	if (rim && (rlen != view.realm.meas_len || memcmp(rim, view.realm.rim, rlen)))
		res->status = VERIFY_RIM_MISMATCH;
	else if (chal && memcmp(want, view.realm.challenge, sizeof(want)))
		res->status = VERIFY_CHALLENGE_MISMATCH;
	else
		res->status = VERIFY_OK;
	return 0;
}
