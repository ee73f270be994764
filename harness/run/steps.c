/* Step handlers: the CPU's loads and stores, raw monitor calls, the
 * physical attacker and DMA, and the table that finds each step's handler;
 * see steps.h and docs/scenarios.md. */
#include "harness/run/steps.h"

#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "harness/run/runner.h"
#include "models/monitor/rmm/rmm_cmds.h"

#define MAX_ACCESS (1u << 20) /* one load or store moves at most 1 MiB */

static int check_len(const struct scn_step *st, uint64_t len, char *err, size_t errlen)
{
	if (len == 0 || len > MAX_ACCESS) {
		const struct scn_arg *a = step_arg(st, "len");
		snprintf(err, errlen, "%s:%d:%d: len=%llu out of range [1, %u]", st->file, st->line,
			 a ? a->col : st->col, (unsigned long long)len, MAX_ACCESS);
		return -1;
	}
	return 0;
}

/* Result helpers: a read step's buffer, a fault (a read that faulted
 * returns no bytes), and a step's status registers. */
static void *res_buf(struct step_result *res, uint64_t len)
{
	res->bytes = g_malloc0(len);
	res->len = len;
	return res->bytes;
}

void steps_res_fault(struct step_result *res, uint16_t kind)
{
	res->faulted = true;
	res->fault = kind;
	g_free(res->bytes);
	res->bytes = NULL;
	res->len = 0;
}

void steps_res_x(struct step_result *res, unsigned k, uint64_t v)
{
	g_assert(k >= 1 && k <= SCN_RESULT_REGS);
	res->x[k - 1] = v;
	if (res->nregs < k)
		res->nregs = (uint8_t)k;
}

void steps_res_status(struct step_result *res, enum steps_status_space sp, uint64_t raw)
{
	res->has_status = true;
	res->status_space = (uint8_t)sp;
	res->status = raw;
}

const char *steps_result_status_name(const struct step_result *r)
{
	return steps_status_name(r->status_space, r->status);
}

bool steps_result_status_refused(const struct step_result *r)
{
	return steps_status_refused(r->status_space, r->status);
}

uint64_t steps_result_status_code(const struct step_result *r)
{
	return r->has_status ? steps_status_code(r->status_space, r->status) : 0;
}

int run_result_field(const struct step_result *r, const char *field, uint64_t *out)
{
	bool tdx_name;
	unsigned k = scn_field_reg(field, &tdx_name);
	switch (scn_field_kind(field)) {
	case SCN_FIELD_NONE:
		return -EINVAL;
	case SCN_FIELD_STATUS:
		*out = r->status;
		return r->has_status ? 0 : -ENOENT;
	case SCN_FIELD_FAULT:
		*out = r->faulted ? r->fault : FAULT_NONE;
		return 0;
	case SCN_FIELD_NUM:
		break;
	}
	if (!k) {
		*out = r->cycles;
		return 0;
	}
	if (k > r->nregs || (tdx_name && r->status_space != STEPS_STATUS_TDX))
		return -ENOENT;
	*out = r->x[k - 1];
	return 0;
}

void run_result_field_why(const struct step_result *r, const char *field, char *buf, size_t len)
{
	bool tdx_name;
	unsigned k = scn_field_reg(field, &tdx_name);
	if (!k)
		snprintf(buf, len, "the step returns no status");
	else if (tdx_name && r->status_space != STEPS_STATUS_TDX)
		snprintf(buf, len, "%s names a TDX register; this result is %s's (x1..x%u)", field,
			 r->has_status ? steps_status_space_name(r->status_space) : "no call",
			 r->nregs);
	else if (r->nregs == 0)
		snprintf(buf, len, "the step returns no registers");
	else if (r->nregs == 1)
		snprintf(buf, len, "the step returns x1 only");
	else
		snprintf(buf, len, "the step returns x1..x%u only", r->nregs);
}

/* host.stat name=STAT: a simulator counter as it stands now (x1), e.g.
 * hv.g0.cpus_reported or rmm.rec.exits_irq. */
int steps_stat(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	       size_t errlen)
{
	const struct scn_arg *a = step_arg(st, "name");
	uint64_t v = a ? sim_stat_get(&rc->sim, a->v.name) : UINT64_MAX;
	if (v == UINT64_MAX) {
		snprintf(err, errlen, "%s:%d:%d: host.stat: no counter named \"%s\" on profile %s "
			 "(a run's --out stats.json lists them)", st->file, st->line, st->col,
			 a ? a->v.name : "", rc->cfg.name);
		return -1;
	}
	steps_res_x(res, 1, v);
	return 0;
}

/* host.guess SECRET value=N | bytes=B: the attacker's conclusion from a
 * side channel, compared with the secret's bytes (a number as its
 * little-endian bytes, for a secret of up to 8). x1 = 1 when right; the
 * run's outcome is then inferred. */
int steps_guess(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
		size_t errlen)
{
	(void)err;
	(void)errlen;
	const struct scn_secret *s = scenario_secret(rc->sc, step_arg(st, "")->v.name);
	size_t n = 0;
	const uint8_t *b = run_arg_bytes(rc, st, "bytes", &n);
	uint8_t le[8];
	if (!b && step_arg(st, "value")) {
		sim_le64_store(le, run_arg_num(st, "value", 0));
		b = le;
		n = s->len <= 8 ? s->len : 8;
	}
	steps_res_x(res, 1, b && n == s->len && memcmp(b, s->bytes, n) == 0);
	return 0;
}

/* --- CPU loads and stores (host and vm actors) --- */

/* A load or store by the step's actor at addr: for a vm, as GPA gpa=
 * (default addr), shared when shared=1; for the host, with the C-bit clear
 * when cbit=0 (the memory controller's plaintext path: no key). */
static int actor_access(struct run_ctx *rc, struct cpu *c, const struct scn_step *st, bool write,
			void *buf, uint32_t len, struct cc_fault *f, uint64_t *cycles,
			struct step_result *res)
{
	uint64_t addr = run_arg_num(st, "addr", 0);
	if (st->spec->actor != ACTOR_VM) {
		int32_t key = c->key;
		if (run_arg_num(st, "cbit", 1) == 0)
			c->key = (int32_t)machine_plain_slot(&rc->machine);
		int r = write ? cpu_store(c, addr, buf, len, f, cycles)
			      : cpu_load(c, addr, buf, len, f, cycles);
		c->key = key;
		return r;
	}
	uint64_t gpa = run_arg_num(st, "gpa", addr);
	if (rc->machine.tdx_mon)
		return steps_tdx_vm_access(rc, c, addr, gpa, run_arg_num(st, "shared", 0) != 0, write,
					   buf, len, f, cycles, res);
	if (rc->machine.uv && rc->se_confs[c - rc->vms])
		return steps_uv_vm_access(rc, c, addr, gpa, write, buf, len, f, cycles);
	return cpu_access(c, cc_world_pas((enum cc_world)c->world), write, addr, gpa,
			  run_arg_num(st, "shared", 0) == 0, buf, len, f, cycles);
}

static int do_load(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
		   size_t errlen)
{
	uint64_t len = run_arg_num(st, "len", 8);
	if (check_len(st, len, err, errlen))
		return -1;
	struct cpu *c = run_actor_cpu(rc, st);
	struct cc_fault f;
	res_buf(res, len);
	int r = actor_access(rc, c, st, false, res->bytes, (uint32_t)len, &f, &res->cycles, res);
	if (r == 1)
		steps_res_fault(res, f.kind);
	return r < 0 ? -1 : 0;
}

static int do_store(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	size_t len;
	const uint8_t *data = run_arg_bytes(rc, st, "data", &len);
	const struct scn_arg *da = step_arg(st, "data");
	if (len == 0 && da && da->v.kind == SV_REF)
		return 0; /* the capture it copies holds nothing (its read faulted) */
	if (check_len(st, len, err, errlen))
		return -1;
	struct cpu *c = run_actor_cpu(rc, st);
	struct cc_fault f;
	int r = actor_access(rc, c, st, true, (void *)data, (uint32_t)len, &f, &res->cycles, res);
	if (r == 1)
		steps_res_fault(res, f.kind);
	return r < 0 ? -1 : 0;
}

static int do_fill(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	uint64_t len = run_arg_num(st, "len", 0);
	if (check_len(st, len, err, errlen))
		return -1;
	uint8_t *buf = g_malloc(len);
	memset(buf, (int)(run_arg_num(st, "byte", 0) & 0xff), len);
	struct cc_fault f;
	int r = actor_access(rc, run_actor_cpu(rc, st), st, true, buf, (uint32_t)len, &f, &res->cycles, res);
	g_free(buf);
	if (r == 1)
		steps_res_fault(res, f.kind);
	return r < 0 ? -1 : 0;
}

/* --- monitor calls --- */

/* X0 in the space of the function called, X1..X(results-1). */
static void smc_result(struct step_result *res, enum steps_status_space sp,
		       const uint64_t regs[SMC_REGS], unsigned results)
{
	steps_res_status(res, sp, regs[0]);
	for (unsigned k = 1; k < results; k++)
		steps_res_x(res, k, regs[k]);
}

/* host.rmi CMD: X0 (rmi.*) and the command's output values. */
static int do_rmi(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const struct rmm_cmd *c = rmm_cmd_by_name(step_arg(st, "")->v.name);
	uint64_t regs[SMC_REGS] = { c->fid };
	for (unsigned a = 0; a < c->arity; a++)
		regs[1 + a] = run_arg_num(st, c->args[a], 0);
	cpu_smc(run_actor_cpu(rc, st), regs, &res->cycles);
	smc_result(res, STEPS_STATUS_RMI, regs, c->results);
	return 0;
}

/* host.smc fid=: X0 in the space of the function id, and X1..X7 as the
 * call left them (all the SMC returns). */
static int do_smc(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	static const char *const x[] = { "fid", "x1", "x2", "x3", "x4", "x5" };
	uint64_t regs[SMC_REGS] = { 0 };
	for (int i = 0; i < 6; i++)
		regs[i] = run_arg_num(st, x[i], 0);
	enum steps_status_space sp = steps_smc_space(regs[0]);
	cpu_smc(run_actor_cpu(rc, st), regs, &res->cycles);
	smc_result(res, sp, regs, SMC_REGS);
	return 0;
}

static int do_wbinvd(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	int r = machine_wbinvd(&rc->machine, &res->cycles);
	if (r)
		snprintf(err, errlen, "%s:%d:%d: cache write-back failed (%d)", st->file, st->line,
			 st->col, r);
	return r ? -1 : 0;
}

static int do_invd(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	(void)st;
	(void)err;
	(void)errlen;
	uint64_t dropped;
	if (machine_invd(&rc->machine, &res->cycles, &dropped))
		steps_res_fault(res, FAULT_GP);
	steps_res_x(res, 1, dropped);
	return 0;
}

/* --- physical attacker: DRAM cells directly --- */

static int do_phys_read(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen)
{
	uint64_t len = run_arg_num(st, "len", 64);
	if (check_len(st, len, err, errlen))
		return -1;
	res_buf(res, len);
	if (machine_phys_read(&rc->machine, run_arg_num(st, "addr", 0), res->bytes, len))
		steps_res_fault(res, FAULT_BUS_RANGE);
	return 0;
}

static int do_phys_write(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			 char *err, size_t errlen)
{
	size_t len;
	const uint8_t *data = run_arg_bytes(rc, st, "data", &len);
	if (check_len(st, len, err, errlen))
		return -1;
	if (machine_phys_write(&rc->machine, run_arg_num(st, "addr", 0), data, len))
		steps_res_fault(res, FAULT_BUS_RANGE);
	return 0;
}

static int do_phys_flip(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen)
{
	uint64_t addr = run_arg_num(st, "addr", 0), bit = run_arg_num(st, "bit", 0);
	uint8_t b;
	if (bit > 7) {
		snprintf(err, errlen, "%s:%d:%d: bit=%llu out of range [0, 7]", st->file, st->line,
			 step_arg(st, "bit")->col, (unsigned long long)bit);
		return -1;
	}
	if (machine_phys_read(&rc->machine, addr, &b, 1) == 0) {
		b ^= (uint8_t)(1u << bit);
		if (machine_phys_write(&rc->machine, addr, &b, 1) == 0)
			return 0;
	}
	steps_res_fault(res, FAULT_BUS_RANGE);
	return 0;
}

static int do_phys_capture(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			   char *err, size_t errlen)
{
	uint64_t addr = run_arg_num(st, "addr", 0);
	int r = memenc_phys_capture(&rc->machine.enc, addr, &res->raw);
	if (r == -EINVAL) {
		snprintf(err, errlen, "%s:%d:%d: phys.capture: addr must be 64-byte aligned", st->file,
			 st->line, step_arg(st, "addr")->col);
		return -1;
	}
	if (r) {
		steps_res_fault(res, FAULT_BUS_RANGE);
		return 0;
	}
	trace_PHYS_READ(&rc->sim, rc->src_phys, addr, MEMENC_LINE, 0, 0);
	res->has_raw = true;
	res->len = MEMENC_LINE;
	res->bytes = g_memdup2(res->raw.data, MEMENC_LINE);
	return 0;
}

static int do_phys_replay(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen)
{
	const struct scn_arg *from = step_arg(st, "from");
	const struct step_result *c = run_capture(rc, from->v.name);
	uint64_t addr = run_arg_num(st, "addr", 0);
	if (!c || !c->has_raw) {
		snprintf(err, errlen, "%s:%d:%d: phys.replay: \"%s\" is not a phys.capture result "
			 "captured before this step", st->file, st->line, from->col, from->v.name);
		return -1;
	}
	int r = memenc_phys_replay(&rc->machine.enc, addr, &c->raw);
	if (r == -EINVAL) {
		snprintf(err, errlen, "%s:%d:%d: phys.replay: addr must be 64-byte aligned", st->file,
			 st->line, step_arg(st, "addr")->col);
		return -1;
	}
	if (r)
		steps_res_fault(res, FAULT_BUS_RANGE);
	trace_PHYS_WRITE(&rc->sim, rc->src_phys, addr, MEMENC_LINE, 0, 0);
	return 0;
}

static int do_phys_alias(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			 char *err, size_t errlen)
{
	(void)res;
	int r = machine_phys_alias(&rc->machine, run_arg_num(st, "addr", 0),
				   run_arg_num(st, "target", 0), run_arg_num(st, "size", 4096));
	if (r) {
		snprintf(err, errlen, "%s:%d:%d: phys.alias: addresses and size must be 4 KiB aligned "
			 "and inside the physical address space (%s)", st->file, st->line, st->col,
			 g_strerror(-r));
		return -1;
	}
	return 0;
}

static int do_snoop_start(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			  char *err, size_t errlen)
{
	(void)st;
	(void)res;
	(void)err;
	(void)errlen;
	machine_bus_snoop_start(&rc->machine);
	return 0;
}

static int do_snoop_stop(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			 char *err, size_t errlen)
{
	(void)st;
	(void)err;
	(void)errlen;
	size_t records;
	res->bytes = machine_bus_snoop_stop(&rc->machine, &res->len, &records);
	steps_res_x(res, 1, records);
	return 0;
}

/* --- a device behind the IOMMU --- */

static int dma_step(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    bool write, void *buf, uint64_t len, char *err, size_t errlen)
{
	struct cc_fault f;
	int r = iommu_dma(&rc->machine.smmu, (unsigned)run_arg_num(st, "stream", 0),
			  run_arg_num(st, "addr", 0), buf, (uint32_t)len, write, &f, &res->cycles);
	if (r < 0) {
		snprintf(err, errlen, "%s:%d:%d: dev.%s: stream must be 0..%d", st->file, st->line,
			 st->col, st->op, IOMMU_STREAMS - 1);
		return -1;
	}
	if (r == 1)
		steps_res_fault(res, f.kind);
	return 0;
}

static int do_dma_read(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		       char *err, size_t errlen)
{
	uint64_t len = run_arg_num(st, "len", 64);
	if (check_len(st, len, err, errlen))
		return -1;
	return dma_step(rc, st, res, false, res_buf(res, len), len, err, errlen);
}

static int do_dma_write(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
			char *err, size_t errlen)
{
	size_t len;
	const uint8_t *data = run_arg_bytes(rc, st, "data", &len);
	if (check_len(st, len, err, errlen))
		return -1;
	return dma_step(rc, st, res, true, (void *)data, len, err, errlen);
}

/* Each step of the table (harness/lang/steps.h) and what runs it, in the
 * table's order; test_step_handlers checks the two name the same steps. */
static const struct step_handler handlers[] = {
	{ ACTOR_HOST, "load", do_load },
	{ ACTOR_HOST, "store", do_store },
	{ ACTOR_HOST, "fill", do_fill },
	{ ACTOR_HOST, "rmi", do_rmi },
	{ ACTOR_HOST, "seamcall", steps_seamcall },
	{ ACTOR_HOST, "tdx_shared_eptp", steps_tdx_shared_eptp },
	{ ACTOR_HOST, "tdx_quote", steps_tdx_quote },
	{ ACTOR_HOST, "smc", do_smc },
	{ ACTOR_HOST, "wbinvd", do_wbinvd },
	{ ACTOR_HOST, "invd", do_invd },
	{ ACTOR_HOST, "guest_load", steps_guest },
	{ ACTOR_HOST, "guest_create", steps_guest },
	{ ACTOR_HOST, "guest_run", steps_guest },
	{ ACTOR_HOST, "guest_regs", steps_guest },
	{ ACTOR_HOST, "guest_unmap", steps_guest },
	{ ACTOR_HOST, "guest_swap_out", steps_guest_swap },
	{ ACTOR_HOST, "guest_swap_in", steps_guest_swap },
	{ ACTOR_HOST, "guest_vmcb", steps_guest },
	{ ACTOR_HOST, "guest_map", steps_guest },
	{ ACTOR_HOST, "guest_peek", steps_guest },
	{ ACTOR_HOST, "guest_npf", steps_guest },
	{ ACTOR_HOST, "guest_inject", steps_guest },
	{ ACTOR_HOST, "rmpupdate", steps_rmpupdate },
	{ ACTOR_HOST, "tdx_aug", steps_tdx_aug },
	{ ACTOR_HOST, "snp", steps_snp },
	{ ACTOR_HOST, "sev", steps_sev },
	{ ACTOR_HOST, "uvc", steps_uvc },
	{ ACTOR_HOST, "se_image", steps_se_image },
	{ ACTOR_HOST, "se_unpack", steps_se_unpack },
	{ ACTOR_HOST, "psmash", steps_psmash },
	{ ACTOR_HOST, "tlb_shootdown", steps_tlb_shootdown },
	{ ACTOR_HOST, "stat", steps_stat },
	{ ACTOR_HOST, "guess", steps_guess },
	{ ACTOR_HOST, "guest_token", steps_guest },
	{ ACTOR_HOST, "guest_destroy", steps_guest },
	{ ACTOR_VERIFIER, "verify", steps_verify },
	{ ACTOR_VERIFIER, "measure", steps_measure },
	{ ACTOR_VERIFIER, "se_arcb", steps_se_arcb },
	{ ACTOR_VERIFIER, "se_measure", steps_se_measure },
	{ ACTOR_VM, "load", do_load },
	{ ACTOR_VM, "store", do_store },
	{ ACTOR_VM, "fill", do_fill },
	{ ACTOR_VM, "pvalidate", steps_pvalidate },
	{ ACTOR_VM, "accept", steps_tdx_accept },
	{ ACTOR_VM, "rmpadjust", steps_rmpadjust },
	{ ACTOR_VM, "uvc", steps_uvc },
	{ ACTOR_DEV, "dma_read", do_dma_read },
	{ ACTOR_DEV, "dma_write", do_dma_write },
	{ ACTOR_PHYS, "read", do_phys_read },
	{ ACTOR_PHYS, "write", do_phys_write },
	{ ACTOR_PHYS, "capture", do_phys_capture },
	{ ACTOR_PHYS, "replay", do_phys_replay },
	{ ACTOR_PHYS, "alias", do_phys_alias },
	{ ACTOR_PHYS, "snoop_start", do_snoop_start },
	{ ACTOR_PHYS, "snoop_stop", do_snoop_stop },
	{ ACTOR_PHYS, "flip", do_phys_flip },
};

step_run_fn *step_handler(const struct step_spec *spec)
{
	for (size_t i = 0; i < G_N_ELEMENTS(handlers); i++)
		if (handlers[i].actor == spec->actor && strcmp(handlers[i].op, spec->op) == 0)
			return handlers[i].run;
	return NULL;
}

size_t step_handlers(const struct step_handler **all)
{
	*all = handlers;
	return G_N_ELEMENTS(handlers);
}
