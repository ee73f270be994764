/* host.seamcall: one SEAMCALL from the host to the Intel TDX module, by
 * leaf name, its input registers named as the module's leaf table names
 * them (Intel TDX Module v1.5 ABI Specification, "Interface Functions";
 * models/monitor/tdx/tdx.c). The status is the completion status in RAX
 * (tdx.*); RCX, RDX, R8, R9, R10 and R11 come back as x1..x6 (also
 * named rcx.. in expectations). Off the tdx profile the
 * answer is tdx.unsupported and nothing changes, so one scenario can run on
 * every profile. The leaves' arguments are checked when the scenario is
 * read (harness/lang/steps_check.c). */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/steps.h"
#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"
#include "sim/buf.h"

/* TDH.VP.ENTER also takes what the host sets up on the LP around the call
 * (tdx_lp_arm): timer= its APIC timer, cycles into the TD; mhz= the core
 * clock it has set. */
static bool is_vp_enter(const struct tdx_leaf *l) { return l->leaf == TDH_VP_ENTER; }

/* The leaf's input registers in the order its table names them (TDX ABI:
 * RCX, RDX, R8, R9, R10). */
static const enum tdx_gpr in_regs[] = { TDX_RCX, TDX_RDX, TDX_R8, TDX_R9, TDX_R10 };
/* Its output registers, x1..x6: all a leaf returns, but for the TD's R12..R15,
 * RBX, RSI and RDI a TDVMCALL exit of TDH.VP.ENTER may expose as well. */
static const enum tdx_gpr out_regs[] = { TDX_RCX, TDX_RDX, TDX_R8, TDX_R9, TDX_R10, TDX_R11 };
G_STATIC_ASSERT(G_N_ELEMENTS(out_regs) <= SCN_RESULT_REGS);

/* The TDX step's status space, and tdx.unsupported off the tdx profile. */
static bool have_tdx(struct run_ctx *rc, struct step_result *res)
{
	steps_res_status(res, STEPS_STATUS_TDX, rc->machine.tdx_mon ? TDX_SUCCESS : STEPS_TDX_UNSUPPORTED);
	return rc->machine.tdx_mon != NULL;
}

/* The vm a step names with vm= (host.tdx_aug, host.seamcall), or the
 * step's actor (VM.accept). */
static int tdx_vm_of(struct run_ctx *rc, const char *name)
{
	for (size_t i = 0; i < rc->sc->nvms; i++)
		if (strcmp(rc->sc->vms[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* What vm= gives a leaf argument the step does not: its TD's TDR, its
 * vCPU's TDVPR, its HKID; 0 for the others. */
static uint64_t vm_value(const struct run_ctx *rc, int vm, const char *arg)
{
	const struct hv_tdx_bare *b = &rc->tdx_vms[vm];
	return strcmp(arg, "tdr") == 0 ? b->tdr : strcmp(arg, "tdvpr") == 0 ? b->tdvpr
	     : strcmp(arg, "hkid") == 0 ? b->hkid : 0;
}

/* host.seamcall LEAF [lp=N] [level=L] [ARG=value ...] (vp.enter: [timer=] [mhz=]):
 * absent arguments are 0. The
 * call runs on logical processor lp (default the host vCPU's core), which
 * matters to TDH.SYS.LP.INIT and to the leaves that need it done. */
int steps_seamcall(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	struct cpu *host = run_actor_cpu(rc, st);
	const struct scn_arg *vm_arg = step_arg(st, "vm");
	int vm = vm_arg ? tdx_vm_of(rc, vm_arg->v.name) : -1;
	if (vm_arg && vm < 0) {
		snprintf(err, errlen, "%s:%d:%d: host.seamcall: no vm named \"%s\"", st->file, st->line,
			 vm_arg->col, vm_arg->v.name);
		return -1;
	}
	if (!have_tdx(rc, res))
		return 0;
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
		regs[in_regs[a]] = run_arg_num(st, l->args[a], vm < 0 ? 0 : vm_value(rc, vm, l->args[a]));
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
		(void)hv_tdx_sim_call(&rc->machine, (unsigned)lp, TDX_SIM_LP_ARM,
				      run_arg_num(st, "timer", 0), mhz, NULL, 0, false, NULL);
	/* A blocking call, as cpu_smc: the host's next step starts after it. */
	uint64_t t0 = sim_time(&rc->sim), spent = 0;
	uint64_t r[CCSIM_MONITOR_REGS];
	tdx_regs_to_mon(regs, lp, r);
	if (is_vp_enter(l)) /* the TD's GPRs: all sixteen, beside the registers */
		machine_mon_command_buf(rc->machine.tdx_mon, r, regs, sizeof(regs), &spent);
	else {
		machine_mon_command(rc->machine.tdx_mon, r, &spent);
		tdx_regs_from_mon(r, regs);
	}
	sim_set_time(&rc->sim, t0 + spent);
	res->status = regs[TDX_RAX];
	for (unsigned k = 0; k < G_N_ELEMENTS(out_regs); k++)
		steps_res_x(res, k + 1, regs[out_regs[k]]);
	res->cycles = spent;
	return 0;
}

/* host.tdx_shared_eptp tdvpr=PA eptp=PA: the host's shared EPT root for a
 * TD vCPU, what TDH.VP.WR of the TD VMCS field SHARED_EPTP does; the TD's
 * GPA.SHARED accesses walk it (host memory, host key). */
int steps_tdx_shared_eptp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (!have_tdx(rc, res))
		return 0;
	res->status = hv_tdx_sim_call(&rc->machine, 0, TDX_SIM_VP_SHARED_EPTP,
				      run_arg_num(st, "tdvpr", 0), run_arg_num(st, "eptp", 0), NULL, 0,
				      false, NULL)
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
	steps_res_x(res, 1, TDX_GET_QUOTE_ERROR);
	steps_res_x(res, 2, 0);
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
	res->x[0] = take ? tdx_quote_serve(rc->sim.seed, b, sizeof(b))
			 : tdx_quote_serve(rc->sim.seed, b, TDX_QBUF_DATA);
	if (res->x[0] == TDX_GET_QUOTE_SUCCESS) {
		res->x[1] = TDX_QUOTE_LEN;
		res->bytes = g_memdup2(b + TDX_QBUF_DATA, TDX_QUOTE_LEN);
		res->len = TDX_QUOTE_LEN;
		if (host_rw(host, true, buf + TDX_QBUF_DATA, b + TDX_QBUF_DATA, TDX_QUOTE_LEN, &f,
			    &res->cycles))
			res->x[0] = TDX_GET_QUOTE_ERROR;
	}
	if (host_rw(host, true, buf, b, TDX_QBUF_DATA, &f, &res->cycles))
		steps_res_fault(res, f.kind);
	return 0;
}

/* --- a vm actor as a TD (the tdx profile) --- */

/* The vm's own index among the vms that are guests of their own (not
 * another vCPU of an earlier one). */
static size_t own_index(const struct run_ctx *rc, size_t i)
{
	size_t own = 0;
	for (size_t k = 0; k < i; k++)
		own += rc->sc->vms[k].same_as < 0;
	return own;
}

int steps_tdx_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen)
{
	const struct scn_vm *vm = &rc->sc->vms[i];
	if (vm->same_as >= 0) { /* another actor on the same TD vCPU */
		rc->tdx_vms[i] = rc->tdx_vms[vm->same_as];
		rc->vms[i] = rc->vms[vm->same_as];
		return 0;
	}
	size_t own = own_index(rc, i);
	struct hv_tdx_bare *b = &rc->tdx_vms[i];
	uint64_t span = (uint64_t)HV_TDX_BARE_PAGES * 4096;
	uint64_t k[3] = { 0 }; /* first private KeyID, how many, the global one */
	(void)machine_mon_query(rc->machine.tdx_mon, CCSIM_QUERY_KEYIDS, 0, k, sizeof(k));
	b->hkid = k[0] + 1 + own;
	if (b->hkid >= k[1] || span * (own + 1) > rc->cfg.tdx_tdmr_size) {
		snprintf(err, errlen, "%s:%d: vm %s: profile %s has no HKID or TDMR room left for "
			 "another TD (tdx.private_keyids, tdx.tdmr_size)", vm->file, vm->line, vm->name,
			 rc->cfg.name);
		return -1;
	}
	b->region = rc->cfg.tdx_tdmr_base + rc->cfg.tdx_tdmr_size - span * (own + 1);
	uint64_t cyc = 0;
	uint64_t st = hv_tdx_bare_create(&rc->machine, &rc->host, b, &cyc);
	struct ccsim_guest_regime g;
	if (tdx_status_is_error(st) ||
	    hv_tdx_sim_call(&rc->machine, rc->vms[i].core, TDX_SIM_VP_REGIME, b->tdvpr, 0, &g, sizeof(g),
			    true, NULL) ||
	    machine_mon_regime_cpu(&rc->machine, WORLD_NS, &g, &rc->vms[i])) {
		snprintf(err, errlen, "%s:%d: vm %s: the TD could not be built (%s)", vm->file, vm->line,
			 vm->name, tdx_status_name(st));
		return -1;
	}
	return 0;
}

int steps_tdx_vm_access(struct run_ctx *rc, struct cpu *c, uint64_t addr, uint64_t gpa, bool shared,
			bool write, void *buf, uint32_t len, struct cc_fault *f, uint64_t *cycles,
			struct step_result *res)
{
	struct hv_tdx_bare *b = &rc->tdx_vms[c - rc->vms];
	uint64_t base = sim_time(&rc->sim) - *cycles; /* each part starts when the last ended */
	if (shared)
		gpa |= 1ull << c->pt.shared_bit;
	for (unsigned tries = 0;; tries++) {
		uint64_t spent = 0;
		sim_set_time(&rc->sim, base + *cycles);
		int r = write ? cpu_store_va(c, gpa, buf, len, f, &spent)
			      : cpu_load_va(c, gpa, buf, len, f, &spent);
		*cycles += spent;
		/* each vm step is a stretch of the TD's run that ends in an exit
		 * after which the host may change the Secure EPT (BLOCK, TRACK):
		 * the vm's translations are not kept past its step, as if every
		 * entry came in a new TD epoch (a limit: docs/models.md) */
		tlb_inval_vmid(c->tlb, c->tag.world, c->tag.vmid);
		if (r != 1 || f->kind != FAULT_MMU_S2 || shared || tries > 0)
			return r;
		/* the EPT violation's exit, served by the host (tdx_ept_violation in
		 * KVM: PAGE.AUG), then the TD's accept of the pending page */
		sim_set_time(&rc->sim, base + *cycles);
		uint64_t st = hv_tdx_bare_aug(&rc->machine, &rc->host, b, gpa & ~0xfffull,
					      addr & ~0xfffull, cycles);
		sim_set_time(&rc->sim, base + *cycles);
		if (!tdx_status_is_error(st))
			st = hv_tdx_sim_call(&rc->machine, c->core, TDX_SIM_TD_ACCEPT, b->tdr,
					     gpa & ~0xfffull, NULL, 0, true, cycles);
		if (tdx_status_is_error(st)) {
			steps_res_status(res, STEPS_STATUS_TDX, st);
			return r;
		}
	}
}

/* host.tdx_aug addr=HPA vm=NAME [gpa=]: the host adds its page to the vm's
 * TD at run time (Secure EPT tables as needed, TDH.MEM.PAGE.AUG): PENDING
 * until the TD accepts it. tdx.unsupported off tdx. */
int steps_tdx_aug(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen)
{
	const struct scn_arg *a = step_arg(st, "vm");
	int vm = tdx_vm_of(rc, a->v.name);
	if (vm < 0) {
		snprintf(err, errlen, "%s:%d:%d: host.tdx_aug: no vm named \"%s\"", st->file, st->line,
			 a->col, a->v.name);
		return -1;
	}
	if (!have_tdx(rc, res))
		return 0;
	uint64_t addr = run_arg_num(st, "addr", 0);
	res->status = hv_tdx_bare_aug(&rc->machine, &rc->host, &rc->tdx_vms[vm],
				      run_arg_num(st, "gpa", addr), addr, &res->cycles);
	steps_res_x(res, 1, rc->tdx_vms[vm].tdr);
	return 0;
}

/* VM.accept addr= [gpa=]: the TD accepts the page the host AUGed at gpa
 * (default addr): TDG.MEM.PAGE.ACCEPT, its status; tdx.unsupported off tdx. */
int steps_tdx_accept(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (!have_tdx(rc, res))
		return 0;
	int vm = tdx_vm_of(rc, st->actor);
	struct cpu *c = &rc->vms[vm];
	uint64_t addr = run_arg_num(st, "addr", 0);
	res->status = hv_tdx_sim_call(&rc->machine, c->core, TDX_SIM_TD_ACCEPT, rc->tdx_vms[vm].tdr,
				      run_arg_num(st, "gpa", addr), NULL, 0, true, &res->cycles);
	return 0;
}
