/* Steps for AMD SEV-SNP's Reverse Map Table instructions (AMD64 APM vol. 3:
 * RMPUPDATE, PSMASH by the hypervisor; PVALIDATE, RMPADJUST by a guest),
 * through the one RMP model the machine checks every access against
 * (models/mmu/rmp.c). A profile without an RMP answers rmp.unsupported
 * (the instructions would #UD) and changes nothing, so one scenario can run
 * on every profile. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/steps.h"
#include "models/mmu/rmp.h"
#include "models/monitor/sev/sev_abi.h"
#include "models/platform/machine_mon.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/platform/machine.h"

static bool have_rmp(struct run_ctx *rc, struct step_result *res)
{
	steps_res_status(res, STEPS_STATUS_RMP, rc->cfg.rmp ? RMP_SUCCESS : STEPS_UNSUPPORTED);
	return rc->cfg.rmp;
}

/* The instruction's outcome: an EAX status, or a fault it raised instead
 * (#NPF / #VC from a guest instruction). Its table traffic costs what the
 * memory path says, through machine_rmp_io. */
static void rmp_result(struct run_ctx *rc, const struct rmp_op_result *r, uint64_t cycles0,
		       struct step_result *res)
{
	res->cycles = rc->machine.rmp_io_ctx.cycles - cycles0;
	if (r->fault.fault != RMP_OK) {
		res->has_status = false;
		res->faulted = true;
		res->fault = machine_rmp_fault_kind(r->fault.fault);
		steps_res_x(res, 1, r->fault.error_code);
		return;
	}
	res->status = (uint64_t)r->status;
	steps_res_x(res, 1, r->cf); /* PVALIDATE: rFLAGS.CF, the page already had that state */
}

static int find_vm(struct run_ctx *rc, const char *name, size_t *i)
{
	for (*i = 0; *i < rc->sc->nvms; (*i)++)
		if (strcmp(rc->sc->vms[*i].name, name) == 0)
			return 0;
	return -1;
}

enum rmp_instr { I_RMPUPDATE, I_PSMASH, I_PVALIDATE, I_RMPADJUST };

/* The guest page a vm's PVALIDATE / RMPADJUST names: a vm addresses its
 * memory without translation, GPA = SPA = addr. */
static struct rmp_guest_page guest_page(struct run_ctx *rc, const struct scn_step *st)
{
	const struct cpu *c = run_actor_cpu(rc, st);
	uint64_t addr = run_arg_num(st, "addr", 0);
	return (struct rmp_guest_page){ .spa = addr, .gpa = addr, .asid = c->asid,
					.vmpl = (uint8_t)c->vmpl,
					.size_2m = run_arg_num(st, "size", RMP_PAGE_4K) == RMP_PAGE_2M };
}

/* RMPUPDATE's new entry: assigned to a vm (its ASID) or asid=, GPA = addr
 * unless gpa= is given; neither vm nor asid: back to the hypervisor (GPA 0
 * unless given, which is then the caller's FAIL_INPUT). */
static int update_entry(struct run_ctx *rc, const struct scn_step *st, struct rmp_entry *e,
			char *err, size_t errlen)
{
	uint64_t addr = run_arg_num(st, "addr", 0);
	const struct scn_arg *vm = step_arg(st, "vm");
	*e = (struct rmp_entry){ .asid = (uint32_t)run_arg_num(st, "asid", 0),
				 .immutable = run_arg_num(st, "immutable", 0) != 0,
				 .size_2m = run_arg_num(st, "size", RMP_PAGE_4K) == RMP_PAGE_2M };
	if (vm) {
		size_t i;
		if (find_vm(rc, vm->v.name, &i)) {
			snprintf(err, errlen, "%s:%d:%d: host.rmpupdate: no vm named \"%s\"", st->file,
				 st->line, vm->col, vm->v.name);
			return -1;
		}
		e->asid = rc->vms[i].asid;
	}
	e->assigned = e->asid != 0 || e->immutable;
	e->gpa = run_arg_num(st, "gpa", e->assigned ? addr : 0); /* an owner's page: GPA = SPA */
	return 0;
}

static int rmp_step(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    enum rmp_instr ins, char *err, size_t errlen)
{
	if (!have_rmp(rc, res))
		return 0;
	const struct rmp_config *cfg = &rc->machine.rmp;
	struct rmp_io io = machine_rmp_io(&rc->machine);
	uint64_t c0 = rc->machine.rmp_io_ctx.cycles, addr = run_arg_num(st, "addr", 0);
	struct rmp_op_result r;
	struct rmp_guest_page pg = ins >= I_PVALIDATE ? guest_page(rc, st) : (struct rmp_guest_page){ 0 };
	struct rmp_entry e;
	switch (ins) {
	case I_RMPUPDATE:
		if (update_entry(rc, st, &e, err, errlen))
			return -1;
		r = rmp_update(cfg, &io, addr, &e);
		break;
	case I_PSMASH:
		r = rmp_psmash(cfg, &io, addr);
		break;
	case I_PVALIDATE:
		r = rmp_pvalidate(cfg, &io, &pg, run_arg_num(st, "validate", 1) != 0);
		break;
	default:
		r = rmp_adjust(cfg, &io, &pg, (uint8_t)run_arg_num(st, "vmpl", 1),
			       (uint8_t)run_arg_num(st, "perms", 0), run_arg_num(st, "vmsa", 0) != 0);
		break;
	}
	rmp_result(rc, &r, c0, res);
	/* Where hardware keeps cached RMP verdicts (rmp.tlb_coherent off), the
	 * host must shoot the page's translations down after RMPUPDATE or
	 * PSMASH; flush=0 is the host that forgets to. */
	if (ins <= I_PSMASH && r.fault.fault == RMP_OK && r.status == RMP_SUCCESS &&
	    !rc->cfg.rmp_tlb_coherent && run_arg_num(st, "flush", 1))
		machine_tlb_shootdown_page(&rc->machine, addr, &res->cycles);
	return 0;
}

/* host.tlb_shootdown addr=: the host invalidates every translation of the
 * page in every core's TLB (INVLPGB + TLBSYNC). */
int steps_tlb_shootdown(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	machine_tlb_shootdown_page(&rc->machine, run_arg_num(st, "addr", 0), &res->cycles);
	return 0;
}

/* host.rmpupdate addr= [vm=NAME | asid=N] [gpa=] [size=4K|2M] [immutable=] */
int steps_rmpupdate(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	return rmp_step(rc, st, res, I_RMPUPDATE, err, errlen);
}

/* host.psmash addr=: split the 2MB entry at addr into 4KB ones. */
int steps_psmash(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		 char *err, size_t errlen)
{
	return rmp_step(rc, st, res, I_PSMASH, err, errlen);
}

/* VM.pvalidate addr= [validate=1] [size=4K|2M] */
int steps_pvalidate(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	return rmp_step(rc, st, res, I_PVALIDATE, err, errlen);
}

/* VM.rmpadjust addr= vmpl= perms= [vmsa=0] [size=]: from the vm's VMPL, set
 * another VMPL's permissions on its page. */
int steps_rmpadjust(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	return rmp_step(rc, st, res, I_RMPADJUST, err, errlen);
}

/* --- the SNP firmware (SEV-SNP Firmware ABI, AMD 56860) --- */

/* host.snp page_swap_out / page_swap_in / page_md_init / page_reclaim
 * (snp_abi.h), their arguments named after the command buffer's fields:
 * the registers. */
static void snp_page_regs(const struct scn_step *st, const char *c, uint64_t gctx, uint64_t *regs)
{
	uint64_t flags = run_arg_num(st, "root", 0) ? SNP_SWAP_ROOT_MDATA : 0;
	if (strcmp(c, "page_md_init") == 0 || strcmp(c, "page_reclaim") == 0) {
		bool md = c[5] == 'm';
		regs[0] = md ? SNP_CMD_PAGE_MD_INIT : SNP_CMD_PAGE_RECLAIM;
		regs[1] = md ? gctx : run_arg_num(st, "addr", 0);
		regs[2] = md ? run_arg_num(st, "addr", 0) : 0;
		return;
	}
	bool out = strcmp(c, "page_swap_out") == 0;
	regs[0] = out ? SNP_CMD_PAGE_SWAP_OUT : SNP_CMD_PAGE_SWAP_IN;
	regs[1] = gctx;
	regs[2] = run_arg_num(st, "src", 0);
	regs[3] = run_arg_num(st, "dst", 0);
	regs[4] = run_arg_num(st, "mdata", 0);
	regs[5] = out ? run_arg_num(st, "software_data", 0) : 0;
	regs[6] = steps_snp_swap_page_type(st);
	regs[7] = flags | (!out && run_arg_num(st, "in_place", 0) ? SNP_SWAP_IN_PLACE : 0);
}

/* host.snp launch_finish: the ID block naming the digest (and policy) the
 * owner expects, HOST_DATA; x2 = 1 when there is an ID block. */
static void snp_finish_buf(struct run_ctx *rc, const struct scn_step *st, uint64_t *regs,
			   uint8_t buf[SNP_FINISH_BUF_LEN])
{
	size_t n = 0;
	const uint8_t *hd = run_arg_bytes(rc, st, "host_data", &n);
	if (hd)
		memcpy(buf + SNP_FINISH_HOST_DATA, hd, MIN(n, SNP_HOST_DATA_LEN));
	const uint8_t *ld = run_arg_bytes(rc, st, "id_ld", &n);
	if (ld) {
		regs[2] = 1;
		memcpy(buf + SNP_IDB_LD, ld, MIN(n, SNP_DIGEST_LEN));
		sim_le64_store(buf + SNP_IDB_POLICY,
			       run_arg_num(st, "policy", SNP_POLICY_SMT | SNP_POLICY_RSVD1));
	}
}

/* host.snp COMMAND [args]: one firmware command from the hypervisor,
 * through the firmware's slot (the monitor interface). .status is snp.*
 * (the ABI's status codes); report: the signed ATTESTATION_REPORT as
 * bytes. Without the firmware (a profile other than sev-snp) the answer
 * is snp.unsupported and nothing changes. The commands and their
 * arguments are checked when the scenario is read
 * (harness/lang/steps_check.c). */
int steps_snp(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen)
{
	(void)err;
	(void)errlen;
	struct machine_mon *fw = rc->machine.snp;
	const char *c = step_arg(st, "")->v.name;
	uint64_t gctx = run_arg_num(st, "gctx", 0), cycles = 0;
	uint64_t regs[CCSIM_MONITOR_REGS] = { 0, gctx };
	uint8_t *buf = NULL;
	size_t len = 0;
	steps_res_status(res, STEPS_STATUS_SNP, fw ? SNP_SUCCESS : STEPS_UNSUPPORTED);
	if (!fw)
		return 0;
	if (strcmp(c, "init") == 0) {
		regs[0] = SNP_CMD_INIT;
	} else if (strcmp(c, "launch_start") == 0) {
		regs[0] = SNP_CMD_LAUNCH_START;
		regs[2] = run_arg_num(st, "policy", SNP_POLICY_SMT | SNP_POLICY_RSVD1);
	} else if (strcmp(c, "activate") == 0) {
		regs[0] = SNP_CMD_ACTIVATE;
		regs[2] = run_arg_num(st, "asid", 0);
	} else if (strcmp(c, "launch_update") == 0) {
		regs[0] = SNP_CMD_LAUNCH_UPDATE;
		regs[2] = run_arg_num(st, "addr", 0);
		regs[3] = run_arg_num(st, "gpa", 0);
		regs[4] = steps_snp_page_type(st);
	} else if (strcmp(c, "launch_finish") == 0) {
		regs[0] = SNP_CMD_LAUNCH_FINISH;
		buf = g_malloc0(len = SNP_FINISH_BUF_LEN);
		snp_finish_buf(rc, st, regs, buf);
	} else if (strcmp(c, "decommission") == 0) {
		regs[0] = SNP_CMD_DECOMMISSION;
	} else if (strcmp(c, "df_flush") == 0) {
		regs[0] = SNP_CMD_DF_FLUSH;
		regs[1] = 0;
	} else if (g_str_has_prefix(c, "page_")) {
		snp_page_regs(st, c, gctx, regs);
	} else { /* report: MSG_REPORT_REQ through SNP_GUEST_REQUEST */
		size_t n = 0;
		const uint8_t *d = run_arg_bytes(rc, st, "data", &n);
		regs[0] = SNP_CMD_GUEST_REQUEST;
		regs[2] = run_arg_num(st, "vmpl", 0);
		buf = g_malloc0(len = SNP_REPORT_LEN);
		if (d)
			memcpy(buf + SNP_RPT_REPORT_DATA, d, MIN(n, SNP_REPORT_DATA_LEN));
	}
	if (buf)
		machine_mon_command_buf(fw, regs, buf, len, &cycles);
	else
		machine_mon_command(fw, regs, &cycles);
	enum snp_status s = (enum snp_status)regs[0];
	if (regs[0] == SNP_SUCCESS && len == SNP_REPORT_LEN) {
		res->bytes = buf;
		res->len = SNP_REPORT_LEN;
	} else {
		g_free(buf);
	}
	res->status = (uint64_t)s;
	res->cycles = cycles;
	return 0;
}

/* --- the SEV firmware for SEV / SEV-ES guests (SEV API, AMD 55766) --- */

/* host.sev COMMAND [args]: one SEV firmware command. .status is sev.* (the
 * same codes as SNP's); launch_start: x1 = the handle (no other command
 * returns a register); launch_measure: the 48 bytes MEASURE || MNONCE.
 * Off sev / sev-es: sev.unsupported. */
int steps_sev(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen)
{
	(void)err;
	(void)errlen;
	static const struct { const char *name; uint64_t cmd; } cmds[] = {
		{ "init", SEV_CMD_INIT }, { "launch_start", SEV_CMD_LAUNCH_START },
		{ "activate", SEV_CMD_ACTIVATE }, { "deactivate", SEV_CMD_DEACTIVATE },
		{ "launch_update_data", SEV_CMD_LAUNCH_UPDATE_DATA },
		{ "launch_update_vmsa", SEV_CMD_LAUNCH_UPDATE_VMSA },
		{ "launch_measure", SEV_CMD_LAUNCH_MEASURE }, { "launch_finish", SEV_CMD_LAUNCH_FINISH },
		{ "decommission", SEV_CMD_DECOMMISSION }, { "df_flush", SEV_CMD_DF_FLUSH },
	};
	struct machine_mon *p = rc->machine.sev;
	const char *c = step_arg(st, "")->v.name;
	uint64_t regs[CCSIM_MONITOR_REGS] = { SEV_CMD_DF_FLUSH, run_arg_num(st, "handle", 0) };
	steps_res_status(res, STEPS_STATUS_SEV, p ? SNP_SUCCESS : STEPS_UNSUPPORTED);
	if (!p)
		return 0;
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(c, cmds[i].name) == 0)
			regs[0] = cmds[i].cmd;
	if (regs[0] == SEV_CMD_LAUNCH_START) {
		size_t n = 0;
		const uint8_t *tik = run_arg_bytes(rc, st, "tik", &n);
		uint8_t k[SEV_TIK_LEN] = { 0 };
		if (tik)
			memcpy(k, tik, MIN(n, sizeof(k)));
		regs[1] = run_arg_num(st, "policy", 0);
		regs[2] = tik != NULL;
		regs[3] = sim_le64_load(k);
		regs[4] = sim_le64_load(k + 8);
	} else if (regs[0] == SEV_CMD_ACTIVATE) {
		regs[2] = run_arg_num(st, "asid", 0);
	} else if (regs[0] == SEV_CMD_LAUNCH_UPDATE_DATA || regs[0] == SEV_CMD_LAUNCH_UPDATE_VMSA) {
		regs[2] = run_arg_num(st, "addr", 0);
		regs[3] = run_arg_num(st, "len", regs[0] == SEV_CMD_LAUNCH_UPDATE_DATA ? 4096 : SEV_VMSA_LEN);
	}
	uint64_t cycles = 0;
	machine_mon_command(p, regs, &cycles);
	if (strcmp(c, "launch_start") == 0) {
		steps_res_x(res, 1, regs[1]); /* the handle; 0 when refused */
	} else if (regs[0] == SNP_SUCCESS && strcmp(c, "launch_measure") == 0) {
		/* MEASURE || MNONCE, X1..X6 */
		res->len = SEV_MEASURE_LEN + SEV_MNONCE_LEN;
		res->bytes = g_malloc(res->len);
		for (unsigned i = 0; i < res->len / 8; i++)
			sim_le64_store(res->bytes + 8 * i, regs[1 + i]);
	}
	res->status = regs[0];
	res->cycles = cycles;
	return 0;
}
