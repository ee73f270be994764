/* Steps for AMD SEV-SNP's Reverse Map Table instructions (AMD64 APM vol. 3:
 * RMPUPDATE, PSMASH by the hypervisor; PVALIDATE, RMPADJUST by a guest),
 * through the one RMP model the machine checks every access against
 * (models/mmu/rmp.c). A profile without an RMP answers rmp.unsupported
 * (the instructions would #UD) and changes nothing, so one scenario can run
 * on every profile. */
#include <stdio.h>
#include <string.h>

#include "harness/runner.h"
#include "harness/steps.h"
#include "models/mmu/rmp.h"

static bool have_rmp(struct run_ctx *rc, struct step_result *res)
{
	res->has_status = true;
	if (rc->cfg.rmp)
		return true;
	res->status = STEPS_RMP_UNSUPPORTED;
	return false;
}

/* The instruction's outcome: an EAX status, or a fault it raised instead
 * (#NPF / #VC from a guest instruction). Its table traffic costs what the
 * memory path says, through machine_rmp_io. */
static void rmp_result(struct run_ctx *rc, const struct rmp_op_result *r, uint64_t cycles0,
		       struct step_result *res)
{
	res->cycles = rc->machine.rmp_io_ctx.cycles - cycles0;
	if (r->fault.fault != RMP_OK) {
		static const uint16_t kind[] = {
			[RMP_PF_HOST] = FAULT_RMP_PF, [RMP_NPF_RMP] = FAULT_RMP_NPF,
			[RMP_NPF_SIZEM] = FAULT_RMP_NPF, [RMP_NPF_VMPL] = FAULT_RMP_NPF,
			[RMP_VC_UNVALIDATED] = FAULT_RMP_VC, [RMP_FAULT_TABLE] = FAULT_BUS_RANGE,
		};
		res->has_status = false;
		res->faulted = true;
		res->fault = kind[r->fault.fault];
		res->x1 = r->fault.error_code;
		return;
	}
	res->status = STEPS_RMP_STATUS | (uint64_t)r->status;
	res->x1 = r->cf; /* PVALIDATE: rFLAGS.CF, the page already had that state */
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
