/* host.seamcall: one SEAMCALL from the host to the Intel TDX module, by
 * leaf name, its input registers named as the module's leaf table names
 * them (Intel TDX Module v1.5 ABI Specification, "Interface Functions";
 * models/monitor/tdx/tdx.c). The status is the completion status in RAX
 * (tdx.*); RCX and RDX come back as x1 and x2. Off the tdx profile the
 * answer is tdx.unsupported and nothing changes, so one scenario can run on
 * every profile. */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "harness/runner.h"
#include "harness/steps.h"
#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx.h"
#include "models/platform/machine.h"
#include "sim/buf.h"

/* A leaf whose input names a GPA takes it as EPT mapping information
 * (ABI "Secure EPT Entry Info"): level in bits 2:0, GPA in 51:12;
 * level= sets those bits, so a scenario says what it means. */
static bool takes_level(const struct tdx_leaf *l)
{
	for (unsigned k = 0; k < l->arity; k++)
		if (strcmp(l->args[k], "gpa") == 0)
			return true;
	return false;
}

/* TDH.VP.ENTER also takes what the host sets up on the LP around the call
 * (tdx_lp_arm): timer= its APIC timer, cycles into the TD; mhz= the core
 * clock it has set. */
static bool is_vp_enter(const struct tdx_leaf *l) { return l->leaf == TDH_VP_ENTER; }

/* The leaf's input registers in the order its table names them (TDX ABI:
 * RCX, RDX, R8, R9, R10). */
static const enum tdx_gpr in_regs[] = { TDX_RCX, TDX_RDX, TDX_R8, TDX_R9, TDX_R10 };

char *steps_seamcall_check(const struct scn_step *st, int *col)
{
	const struct scn_arg *name = step_arg(st, "");
	const struct tdx_leaf *l = tdx_leaf_by_name(name->v.name);
	if (!l) {
		const struct tdx_leaf *all;
		size_t n = tdx_leaves(&all);
		*col = name->col;
		return steps_unknown_command("SEAMCALL leaf", name->v.name, all, n, sizeof(*all),
					     offsetof(struct tdx_leaf, name));
	}
	for (size_t i = 0; i < st->nargs; i++) {
		const struct scn_arg *a = &st->args[i];
		bool ok = !a->key[0] || strcmp(a->key, "lp") == 0 ||
			  (strcmp(a->key, "level") == 0 && takes_level(l)) ||
			  ((strcmp(a->key, "timer") == 0 || strcmp(a->key, "mhz") == 0) && is_vp_enter(l));
		for (unsigned k = 0; k < l->arity; k++)
			ok |= strcmp(l->args[k], a->key) == 0;
		if (!ok) {
			*col = a->col;
			gchar *up = g_ascii_strup(l->name, -1);
			char *msg = g_strdup_printf("TDH.%s takes no argument \"%s\"", up, a->key);
			g_free(up);
			return msg;
		}
	}
	return NULL;
}

/* host.seamcall LEAF [lp=N] [level=L] [ARG=value ...] (vp.enter: [timer=] [mhz=]):
 * absent arguments are 0. The
 * call runs on logical processor lp (default the host vCPU's core), which
 * matters to TDH.SYS.LP.INIT and to the leaves that need it done. */
int steps_seamcall(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	struct tdx *t = rc->machine.tdx;
	struct cpu *host = run_actor_cpu(rc, st);
	res->has_status = true;
	res->status_space = STEPS_STATUS_TDX;
	if (!t) {
		res->status = STEPS_TDX_UNSUPPORTED;
		return 0;
	}
	uint64_t lp = run_arg_num(st, "lp", host->core);
	if (lp >= rc->machine.cfg.cores || lp >= TDX_MAX_LPS) {
		const struct scn_arg *a = step_arg(st, "lp");
		snprintf(err, errlen, "%s:%d:%d: host.seamcall: lp=%llu, the machine has %llu logical "
			 "processors", st->file, st->line, a ? a->col : st->col, (unsigned long long)lp,
			 (unsigned long long)MIN(rc->machine.cfg.cores, TDX_MAX_LPS));
		return -1;
	}
	const struct tdx_leaf *l = tdx_leaf_by_name(step_arg(st, "")->v.name);
	uint64_t regs[TDX_NREGS] = { [TDX_RAX] = l->leaf };
	G_STATIC_ASSERT(G_N_ELEMENTS(in_regs) == G_N_ELEMENTS(l->args));
	for (unsigned a = 0; a < l->arity; a++) {
		regs[in_regs[a]] = run_arg_num(st, l->args[a], 0);
		if (strcmp(l->args[a], "gpa") == 0)
			regs[in_regs[a]] |= run_arg_num(st, "level", 0) & 7;
	}
	uint64_t mhz = run_arg_num(st, "mhz", 0);
	if (mhz && (mhz < 100 || mhz > 10000)) { /* platform.freq_mhz's range */
		const struct scn_arg *a = step_arg(st, "mhz");
		snprintf(err, errlen, "%s:%d:%d: host.seamcall: mhz=%llu, expected 100 to 10000", st->file,
			 st->line, a ? a->col : st->col, (unsigned long long)mhz);
		return -1;
	}
	if (is_vp_enter(l))
		tdx_lp_arm(t, (unsigned)lp, run_arg_num(st, "timer", 0), mhz);
	/* A blocking call, as cpu_smc: the host's next step starts after it. */
	uint64_t t0 = sim_time(&rc->sim), spent = 0;
	tdx_seamcall(t, (unsigned)lp, regs, &spent);
	sim_set_time(&rc->sim, t0 + spent);
	res->status = regs[TDX_RAX];
	res->x1 = regs[TDX_RCX];
	res->x2 = regs[TDX_RDX];
	res->cycles = spent;
	return 0;
}

void steps_seamcall_print(FILE *f)
{
	const struct tdx_leaf *all;
	size_t n = tdx_leaves(&all);
	fputs("      leaves and their arguments (TDX module ABI names; RCX, RDX, R8, R9 in order):\n", f);
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "        %-22s", all[k].name);
		for (unsigned x = 0; x < all[k].arity; x++)
			fprintf(f, " %s=", all[k].args[x]);
		if (takes_level(&all[k]))
			fputs(" (level=: the EPT level in gpa's bits 2:0)", f);
		if (is_vp_enter(&all[k]))
			fputs(" [timer=CYCLES: the host's APIC timer fires that far into the TD] "
			      "[mhz=: the core clock the host set]", f);
		fputc('\n', f);
	}
}

/* host.tdx_shared_eptp tdvpr=PA eptp=PA: the host's shared EPT root for a
 * TD vCPU, what TDH.VP.WR of the TD VMCS field SHARED_EPTP does; the TD's
 * GPA.SHARED accesses walk it (host memory, host key). */
int steps_tdx_shared_eptp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen)
{
	struct tdx *t = rc->machine.tdx;
	(void)err;
	(void)errlen;
	res->has_status = true;
	res->status_space = STEPS_STATUS_TDX;
	if (!t) {
		res->status = STEPS_TDX_UNSUPPORTED;
		return 0;
	}
	res->status = tdx_vp_set_shared_eptp(t, run_arg_num(st, "tdvpr", 0), run_arg_num(st, "eptp", 0))
			      ? TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX : TDX_SUCCESS;
	return 0;
}

/* A host access by physical address; cpu_load / cpu_store give each
 * access's cycles, the step's are their sum. 0, or 1 with *f. */
static int host_rw(struct cpu *host, bool write, uint64_t pa, void *buf, uint32_t len,
		   struct cc_fault *f, uint64_t *sum)
{
	uint64_t c = 0;
	int r = write ? cpu_store(host, pa, buf, len, f, &c) : cpu_load(host, pa, buf, len, f, &c);
	*sum += c;
	return r;
}

/* host.tdx_quote buf=PA [len=N]: the host's quoting service answering a
 * TD's TDG.VP.VMCALL<GetQuote> (GHCI 1.5 "GetQuote"; Linux struct
 * tdx_quote_buf): the shared buffer at host address buf, len bytes, holds
 * version (u64, 1), status (u64), in_len and out_len (u32) and the
 * TDREPORT. The quoting enclave checks the report with the platform's key
 * (tdx_tdreport_verify) and writes the quote back after the header, with
 * out_len and the status. The capture holds the quote (no bytes when it
 * failed); .x1 is the GetQuote status, .x2 out_len. */
int steps_tdx_quote(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	uint64_t buf = run_arg_num(st, "buf", 0), len = run_arg_num(st, "len", 4096);
	struct cpu *host = run_actor_cpu(rc, st);
	uint8_t b[TDX_QBUF_DATA + TDX_QUOTE_LEN] = { 0 };
	struct cc_fault f;
	(void)err;
	(void)errlen;
	res->x1 = TDX_GET_QUOTE_ERROR;
	if (host_rw(host, false, buf, b, TDX_QBUF_DATA, &f, &res->cycles)) {
		steps_res_fault(res, f.kind);
		return 0;
	}
	/* the report is read only under a header the service would take */
	bool take = sim_le64_load(b) == TDX_QBUF_CMD_VERSION &&
		    sim_le32_load(b + TDX_QBUF_IN_LEN) == TDREPORT_SIZE && len >= sizeof(b);
	if (take && host_rw(host, false, buf + TDX_QBUF_DATA, b + TDX_QBUF_DATA, TDREPORT_SIZE, &f,
			    &res->cycles))
		take = false;
	res->x1 = take ? tdx_quote_serve(rc->sim.seed, b, sizeof(b))
		       : tdx_quote_serve(rc->sim.seed, b, TDX_QBUF_DATA);
	if (res->x1 == TDX_GET_QUOTE_SUCCESS) {
		res->x2 = TDX_QUOTE_LEN;
		res->bytes = g_memdup2(b + TDX_QBUF_DATA, TDX_QUOTE_LEN);
		res->len = TDX_QUOTE_LEN;
		if (host_rw(host, true, buf + TDX_QBUF_DATA, b + TDX_QBUF_DATA, TDX_QUOTE_LEN, &f,
			    &res->cycles))
			res->x1 = TDX_GET_QUOTE_ERROR;
	}
	if (host_rw(host, true, buf, b, TDX_QBUF_DATA, &f, &res->cycles))
		steps_res_fault(res, f.kind);
	return 0;
}
