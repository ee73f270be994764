/* Guest execution; see exec.h and isa.h. */
#include "models/cpu/exec.h"

#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "sim/sim.h"

/* Cycles of an exception entry or return (vector fetch aside). */
#define EXC_CYCLES 20
/* Cycles of every instruction besides its memory accesses and WORK. */
#define ISSUE_CYCLES 1
/* A multiply's result latency (3 on Zen 3 / Zen 4 integer MUL: AMD
 * Software Optimization Guide for family 19h, instruction latencies). */
#define MUL_CYCLES 3

void isa_encode(const struct isa_insn *i, uint8_t out[ISA_INSN_BYTES])
{
	out[0] = i->op;
	out[1] = i->a;
	out[2] = i->b;
	out[3] = i->c;
	sim_le32_store(out + 4, (uint32_t)i->imm32);
	sim_le64_store(out + 8, i->imm64);
}

void isa_decode(const uint8_t in[ISA_INSN_BYTES], struct isa_insn *i)
{
	i->op = in[0];
	i->a = in[1];
	i->b = in[2];
	i->c = in[3];
	i->imm32 = (int32_t)sim_le32_load(in + 4);
	i->imm64 = sim_le64_load(in + 8);
}

const char *isa_op_name(unsigned op)
{
	static const char *const n[ISA_OP_COUNT] = {
		"udf", "nop", "movi", "mov", "addi", "add", "sub", "ld", "st",
		"b", "bc", "smc", "hvc", "wfi", "work", "msr", "mrs", "eret", "lslv",
		"lsri", "andi", "pvalidate", "vmgexit", "mul", "eor", "cpuid", "rdmsr", "wrmsr",
		"in", "out", "mark", "movs",
	};
	return op < ISA_OP_COUNT ? n[op] : "udf";
}

const char *exec_stop_name(unsigned why)
{
	static const char *const n[] = { [EXEC_CALL] = "call", [EXEC_WFI] = "wfi",
					 [EXEC_ABORT] = "abort", [EXEC_TIMER] = "timer",
					 [EXEC_BUDGET] = "budget", [EXEC_VMGEXIT] = "vmgexit",
					 [EXEC_TRAP] = "trap" };
	return why < G_N_ELEMENTS(n) ? n[why] : "?";
}

static uint64_t reg(const struct vcpu_state *v, unsigned r)
{
	return r < ISA_NREGS ? v->x[r] : 0;
}

static void set_reg(struct vcpu_state *v, unsigned r, uint64_t val)
{
	if (r < ISA_NREGS)
		v->x[r] = val;
}

static int lr_pending(const struct vcpu_state *v)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(v->lr[i]) & VGIC_LR_PENDING)
			return (int)i;
	return -1;
}

static uint64_t mrs(struct vcpu_state *v, uint32_t sr, uint64_t now)
{
	switch (sr) {
	case ISA_SR_CNTVCT: return now;
	case ISA_SR_CNTV_CTL:
		return v->cntv_ctl | (now >= v->cntv_cval ? CNTV_ISTATUS : 0);
	case ISA_SR_CNTV_CVAL: return v->cntv_cval;
	case ISA_SR_VBAR: return v->vbar;
	case ISA_SR_IAR: {
		int i = lr_pending(v);
		if (i < 0)
			return VGIC_INTID_SPURIOUS;
		v->lr[i] = vgic_lr_make(vgic_lr_intid(v->lr[i]), VGIC_LR_ACTIVE);
		return vgic_lr_intid(v->lr[i]);
	}
	case ISA_SR_ELR: return v->elr;
	case ISA_SR_ESR: return v->esr;
	case ISA_SR_FAR: return v->far;
	case ISA_SR_DAIF: return v->daif;
	case ISA_SR_TTBR: return v->ttbr;
	case ISA_SR_GHCB: return v->ghcb;
	default: return 0;
	}
}

static void msr(struct vcpu_state *v, uint32_t sr, uint64_t val)
{
	switch (sr) {
	case ISA_SR_CNTV_CTL: v->cntv_ctl = val & (CNTV_ENABLE | CNTV_IMASK); break;
	case ISA_SR_CNTV_CVAL: v->cntv_cval = val; break;
	case ISA_SR_VBAR: v->vbar = val & ~0x7ffull; break;
	case ISA_SR_EOIR:
		for (unsigned i = 0; i < VGIC_NR_LRS; i++)
			if (vgic_lr_state(v->lr[i]) & VGIC_LR_ACTIVE &&
			    vgic_lr_intid(v->lr[i]) == (uint32_t)val) {
				v->lr[i] &= ~(VGIC_LR_ACTIVE << VGIC_LR_STATE_SHIFT);
				break;
			}
		break;
	case ISA_SR_ELR: v->elr = val; break;
	case ISA_SR_DAIF: v->daif = val & ISA_DAIF_I; break;
	case ISA_SR_TTBR: v->ttbr = val; break;
	case ISA_SR_GHCB: v->ghcb = val; break;
	default: break; /* read-only or unknown: ignored */
	}
}

static bool cond_holds(unsigned cond, uint64_t a, uint64_t b)
{
	switch (cond) {
	case ISA_EQ: return a == b;
	case ISA_NE: return a != b;
	case ISA_LTU: return a < b;
	case ISA_GEU: return a >= b;
	default: return false;
	}
}

/* Cycles until the virtual timer fires from `now`, or UINT64_MAX if it
 * cannot (disabled, masked, or its interrupt already in a list register). */
static uint64_t timer_horizon(const struct vcpu_state *v, uint64_t now)
{
	if ((v->cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE ||
	    vcpu_lr_holds(v, VGIC_INTID_VTIMER))
		return UINT64_MAX;
	return v->cntv_cval > now ? v->cntv_cval - now : 0;
}

/* An SEV guest's own page tables drive stage 1: TTBR (CR3) is their root,
 * its C-bit stripped; zero leaves paging off. */
static void sev_paging_sync(struct cpu *c, const struct vcpu_state *v)
{
	uint64_t cbit = c->pt.s1.cbit ? 1ull << c->pt.s1.cbit : 0;
	c->pt.s1.root = v->ttbr & ~cbit & ~0xfffull;
	c->pt.s1_off = v->ttbr == 0;
}

/* #VC (APM vol. 2 15.35.4): an SEV-ES guest's non-automatic exit becomes an
 * exception in the guest, which decides what to share through the GHCB. */
static void take_vc(struct vcpu_state *v, uint32_t code, uint64_t iss, uint64_t far)
{
	vcpu_take_sync(v, ESR_EC_VC | (uint64_t)code << ESR_VC_CODE_SHIFT | iss, far);
}

/* Is this data access fault one the hardware turns into #VC for an SEV-ES
 * guest instead of an exit? An NPF on an entry with reserved bits (how a
 * hypervisor marks MMIO, APM 15.35.4), and on SNP a private access to a
 * page not validated (the #VC error code 0x404). */
static int vc_code_of(const struct cpu *c, const struct cc_fault *f)
{
	if (c->sev < CPU_SEV_ES)
		return -1;
	if (f->kind == FAULT_MMU_S2 && f->code == PT_FAULT_RSVD)
		return SVM_EXIT_NPF;
	if (f->kind == FAULT_RMP_VC)
		return SVM_EXIT_VC_NOT_VALIDATED;
	return -1;
}

/* PVALIDATE: the page's GPA and SPA come from the vCPU's translation; the
 * RMP change is the processor's (p->hw). Returns 1 with *out filled when it
 * stops execution (an NPF for the host), 0 when it completed or raised an
 * exception in the guest. */
static int do_pvalidate(struct cpu *c, struct vcpu_state *v, const struct exec_params *p,
			const struct isa_insn *in, struct exec_stop_info *out, uint64_t *t)
{
	uint64_t va = reg(v, in->b), pa = 0, gpa = 0, lat = 0;
	struct cc_fault f = { 0 };
	int rc = cpu_translate_gpa(c, va, PT_ACC_READ, &pa, &gpa, &f, &lat);
	*t += lat;
	if (rc == 1) {
		*out = (struct exec_stop_info){ .why = EXEC_ABORT, .addr = va, .fault = f,
						.size = 1, .reg = ISA_NREGS };
		return 1;
	}
	bool cf = false;
	lat = 0;
	int st = rc < 0 ? -1
			: p->hw->pvalidate(p->hw->ctx, pa & ~0xfffull, gpa & ~0xfffull, c->asid,
					   (uint8_t)c->vmpl, in->imm64 & 1, &cf, &f, &lat);
	*t += lat;
	if (st < 0) {
		int code = vc_code_of(c, &f);
		if (code >= 0) {
			take_vc(v, (uint32_t)code, 0, va);
			return 0;
		}
		*out = (struct exec_stop_info){ .why = EXEC_ABORT, .addr = va, .fault = f,
						.size = 1, .reg = ISA_NREGS };
		return 1;
	}
	set_reg(v, in->a, st == 0 && cf ? 0xff : (uint64_t)st);
	v->pc += ISA_INSN_BYTES;
	v->insns++;
	return 0;
}

/* --- the core's timing (struct cpu_core) --- */

/* What one cpu_exec call knows of the window: all times are cycles from
 * p->now. Nothing of it outlives the call: a stop drains the window. */
struct core_timing {
	struct cpu_core k;      /* the core, limits clamped */
	uint64_t d;             /* the cycle the next instruction enters the window */
	uint32_t in_cycle;      /* instructions already entered in cycle d */
	uint64_t seq;           /* instructions entered */
	uint64_t retire;        /* when the last one entered retires */
	uint64_t mem;           /* when the last memory access issued (program order) */
	uint64_t clock;         /* the latest time set for the memory path */
	uint64_t nstores, sb_last;
	uint64_t reg[ISA_NREGS]; /* when each register's value is ready */
	uint64_t rob[CPU_ROB_MAX]; /* retire time of the instruction `rob` entries back */
	uint64_t sb[CPU_SB_MAX];   /* commit time of the store `sb` stores back */
};

static void ct_init(struct core_timing *x, const struct cpu_core *k)
{
	memset(x, 0, offsetof(struct core_timing, rob));
	x->k = *k;
	x->k.rob = x->k.rob ? MIN(x->k.rob, CPU_ROB_MAX) : 1;
	x->k.sb = x->k.sb ? MIN(x->k.sb, CPU_SB_MAX) : 1;
	x->k.width = x->k.width ? x->k.width : 1;
	memset(x->rob, 0, x->k.rob * sizeof(x->rob[0]));
	memset(x->sb, 0, x->k.sb * sizeof(x->sb[0]));
}

static uint64_t ct_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* The memory path's present for an access at window time `t` (never
 * behind what it was last given: fetches run ahead of issued accesses). */
static void ct_time(struct cpu *c, struct core_timing *x, const struct exec_params *p, uint64_t t)
{
	x->clock = ct_max(x->clock, t);
	sim_set_time(c->base.sim, p->now + x->clock);
}

/* An instruction enters the window: when there is room in the reorder
 * buffer, `width` a cycle. Returns the cycle. */
static uint64_t ct_enter(struct core_timing *x)
{
	uint64_t free = x->rob[x->seq % x->k.rob];
	if (free > x->d) {
		x->d = free;
		x->in_cycle = 0;
	}
	if (x->in_cycle == x->k.width) {
		x->d++;
		x->in_cycle = 0;
	}
	x->in_cycle++;
	return x->d;
}

/* The cycle the next instruction would enter the window (its boundary: the
 * budget and the timer are checked against it). */
static uint64_t ct_next(const struct core_timing *x)
{
	uint64_t t = x->in_cycle == x->k.width ? x->d + 1 : x->d;
	return ct_max(t, x->rob[x->seq % x->k.rob]);
}

/* The instruction that entered last completes at `done`; it retires in order. */
static void ct_done(struct core_timing *x, uint64_t done)
{
	x->retire = ct_max(x->retire, done);
	x->rob[x->seq++ % x->k.rob] = x->retire;
}

/* When everything in flight has retired and every store is written. */
static uint64_t ct_drained(const struct core_timing *x)
{
	return ct_max(ct_max(x->d, x->retire), x->sb_last);
}

/* A serialising event (exception entry or return, a call out, a change of
 * translation): the window empties first, then it costs `extra`. */
static void ct_serialize(struct core_timing *x, uint64_t extra)
{
	x->d = ct_drained(x) + extra;
	x->in_cycle = 0;
	x->retire = x->d;
}

/* An operation on registers (a, b: sources, ISA_XZR for none), ready
 * `lat` cycles after its operands; the result goes to `dst` (ISA_XZR:
 * none). */
static void ct_op(struct core_timing *x, unsigned dst, unsigned a, unsigned b, uint64_t lat)
{
	uint64_t e = ct_enter(x);
	if (a < ISA_NREGS)
		e = ct_max(e, x->reg[a]);
	if (b < ISA_NREGS)
		e = ct_max(e, x->reg[b]);
	if (dst < ISA_NREGS)
		x->reg[dst] = e + lat;
	ct_done(x, e + lat);
}

static void ct_alu(struct core_timing *x, unsigned dst, unsigned a, unsigned b)
{
	ct_op(x, dst, a, b, ISSUE_CYCLES);
}

/* When a memory access whose address is in `base` issues (after the one
 * before it), and a store's room in the store buffer. */
static uint64_t ct_mem_issue(struct core_timing *x, unsigned base, bool store)
{
	if (store) {
		uint64_t free = x->sb[x->nstores % x->k.sb];
		if (free > x->d) { /* the store buffer is full: the window waits */
			x->d = free;
			x->in_cycle = 0;
		}
	}
	uint64_t e = ct_max(ct_enter(x), x->mem);
	if (base < ISA_NREGS)
		e = ct_max(e, x->reg[base]);
	x->mem = e;
	return e;
}

/* A load issued at `at` whose data arrives `lat` later (no sooner than
 * its issue cycle), into `dst`. */
static void ct_load_done(struct core_timing *x, unsigned dst, uint64_t at, uint64_t lat)
{
	lat = ct_max(lat, ISSUE_CYCLES);
	if (dst < ISA_NREGS)
		x->reg[dst] = at + lat;
	ct_done(x, at + lat);
}

/* A store issued at `at`, its line written `lat` later, with the data of
 * register `val`: it retires once its data is there and is written from
 * the store buffer in order. */
static void ct_store_done(struct core_timing *x, unsigned val, uint64_t at, uint64_t lat)
{
	uint64_t data = val < ISA_NREGS ? x->reg[val] : at;
	uint64_t commit = ct_max(ct_max(x->sb_last, at + lat), data);
	x->sb_last = commit;
	x->sb[x->nstores++ % x->k.sb] = commit;
	ct_done(x, ct_max(at, data) + ISSUE_CYCLES);
}

/* One step of MOVS: the bytes up to the next line boundary of the source
 * or the destination (a whole line when both are aligned), loaded, then
 * stored when the data has arrived (the store waits in the store buffer,
 * the window does not). A whole aligned line with ISA_MOVS_NT is written
 * past the caches. 0 done (registers advanced), 1 a fault stopped it
 * (*out filled, nothing advanced), or -errno. */
static int movs_step(struct cpu *c, struct core_timing *x, const struct exec_params *p,
		     struct vcpu_state *v, const struct isa_insn *in, struct exec_stop_info *out)
{
	uint64_t dst = reg(v, in->a), src = reg(v, in->b), left = reg(v, in->c), lat = 0;
	uint32_t n = (uint32_t)MIN(left, MIN(64 - (src & 63), 64 - (dst & 63)));
	uint8_t buf[64];
	struct cc_fault f;
	bool store = false;
	uint64_t at = ct_mem_issue(x, in->b, false);
	ct_time(c, x, p, at);
	int rc = cpu_load_va(c, src, buf, n, &f, &lat);
	if (rc) {
		ct_load_done(x, ISA_XZR, at, lat);
		goto stop;
	}
	lat = ct_max(lat, ISSUE_CYCLES);
	ct_done(x, at + lat);
	uint64_t data = at + lat, sat = ct_mem_issue(x, in->a, true), slat = 0;
	ct_time(c, x, p, sat);
	bool nt = (in->imm32 & ISA_MOVS_NT) && n == 64;
	store = true;
	rc = nt ? cpu_store_nt_va(c, dst, buf, &f, &slat) : cpu_store_va(c, dst, buf, n, &f, &slat);
	if (rc) {
		ct_load_done(x, ISA_XZR, sat, slat);
		goto stop;
	}
	uint64_t commit = ct_max(ct_max(x->sb_last, sat + slat), data);
	x->sb_last = commit;
	x->sb[x->nstores++ % x->k.sb] = commit;
	ct_done(x, ct_max(sat, data) + ISSUE_CYCLES);
	set_reg(v, in->a, dst + n);
	set_reg(v, in->b, src + n);
	set_reg(v, in->c, left - n);
	for (unsigned r = 0; r < 3; r++) { /* the pointers and count move on */
		unsigned k = r == 0 ? in->a : r == 1 ? in->b : in->c;
		if (k < ISA_NREGS)
			x->reg[k] = ct_max(at, sat) + ISSUE_CYCLES;
	}
	return 0;
stop:
	if (rc < 0)
		return rc;
	*out = (struct exec_stop_info){ .why = EXEC_ABORT, .size = (uint8_t)n, .reg = ISA_NREGS,
					.write = store, .addr = store ? dst : src,
					.fault = f };
	return 1;
}

int cpu_exec(struct cpu *c, struct vcpu_state *v, const struct exec_params *p,
	     struct exec_stop_info *out, uint64_t *cycles)
{
	struct core_timing xs, *x = &xs;
	int rc = 0;
	ct_init(x, &c->core_cfg);
	c->in_exec = 1;
	memset(out, 0, sizeof(*out));
	if (c->sev)
		sev_paging_sync(c, v);
	const uint64_t insns0 = v->insns;
	for (;;) {
		uint64_t t = ct_next(x), now = p->now + t;
		if ((p->budget && t >= p->budget) ||
		    (p->insn_limit && v->insns - insns0 >= p->insn_limit)) {
			out->why = EXEC_BUDGET;
			break;
		}
		if (timer_horizon(v, now) == 0) {
			out->why = EXEC_TIMER;
			break;
		}
		if (!(v->daif & ISA_DAIF_I) && lr_pending(v) >= 0) {
			v->saved_work = v->work_left;
			v->work_left = 0;
			vcpu_take_irq(v);
			ct_serialize(x, EXC_CYCLES);
			continue;
		}
		uint8_t b[ISA_INSN_BYTES];
		struct cc_fault f;
		uint64_t lat = 0;
		if (v->pc % ISA_INSN_BYTES) { /* PC alignment fault (Arm ARM D1.3.x) */
			vcpu_take_sync(v, ESR_EC_PC_ALIGN, v->pc);
			ct_serialize(x, EXC_CYCLES);
			continue;
		}
		ct_time(c, x, p, t);
		rc = cpu_load_va(c, v->pc, b, ISA_INSN_BYTES, &f, &lat);
		if (rc < 0)
			break;
		if (rc == 1) {
			rc = 0;
			x->d += lat;
			*out = (struct exec_stop_info){ .why = EXEC_ABORT, .fetch = true,
							.size = ISA_INSN_BYTES, .addr = v->pc,
							.fault = f };
			break;
		}
		if (lat > c->core_cfg.fetch_hidden) { /* a fetch miss stalls the front end */
			x->d += lat - c->core_cfg.fetch_hidden;
			x->in_cycle = 0;
		}
		struct isa_insn in;
		isa_decode(b, &in);
		uint64_t next = v->pc + ISA_INSN_BYTES;
		switch (in.op) {
		case ISA_NOP:
			ct_alu(x, ISA_XZR, ISA_XZR, ISA_XZR);
			break;
		case ISA_MOVI:
			set_reg(v, in.a, in.imm64);
			ct_alu(x, in.a, ISA_XZR, ISA_XZR);
			break;
		case ISA_MOV:
			set_reg(v, in.a, reg(v, in.b));
			ct_alu(x, in.a, in.b, ISA_XZR);
			break;
		case ISA_ADDI:
			set_reg(v, in.a, reg(v, in.b) + in.imm64);
			ct_alu(x, in.a, in.b, ISA_XZR);
			break;
		case ISA_ADD:
			set_reg(v, in.a, reg(v, in.b) + reg(v, in.c));
			ct_alu(x, in.a, in.b, in.c);
			break;
		case ISA_SUB:
			set_reg(v, in.a, reg(v, in.b) - reg(v, in.c));
			ct_alu(x, in.a, in.b, in.c);
			break;
		case ISA_LSLV:
			set_reg(v, in.a, reg(v, in.b) << (reg(v, in.c) & 63));
			ct_alu(x, in.a, in.b, in.c);
			break;
		case ISA_LD:
		case ISA_ST: {
			if (in.c != 1 && in.c != 2 && in.c != 4 && in.c != 8)
				goto undef;
			bool wr = in.op == ISA_ST;
			uint64_t addr = reg(v, in.b) + (uint64_t)(int64_t)in.imm32;
			uint8_t d[8] = { 0 };
			uint64_t val = reg(v, in.a);
			if (wr)
				sim_le64_store(d, val);
			uint64_t at = ct_mem_issue(x, in.b, wr);
			ct_time(c, x, p, at);
			rc = wr ? cpu_store_va(c, addr, d, in.c, &f, &lat)
				: cpu_load_va(c, addr, d, in.c, &f, &lat);
			if (rc < 0)
				goto done;
			int code = rc == 1 ? vc_code_of(c, &f) : -1;
			if (code >= 0) {
				/* an MMIO #VC carries the access's syndrome, as a data abort's */
				take_vc(v, (uint32_t)code,
					code == SVM_EXIT_NPF ? vcpu_dabt_iss(in.c, in.a, wr) : 0, addr);
				rc = 0;
				ct_load_done(x, ISA_XZR, at, lat);
				ct_serialize(x, EXC_CYCLES);
				continue;
			}
			if (rc == 1) {
				rc = 0;
				ct_load_done(x, ISA_XZR, at, lat);
				*out = (struct exec_stop_info){
					.why = EXEC_ABORT, .write = wr, .size = in.c, .reg = in.a,
					/* a store's data: the bytes written, as ESR's
					 * SAS says (the register's other bytes are not
					 * the guest's to show) */
					.addr = addr, .fault = f,
					.value = wr ? (in.c == 8 ? val : val & ((1ull << (8 * in.c)) - 1)) : 0,
				};
				goto done;
			}
			if (wr) {
				ct_store_done(x, in.a, at, lat);
			} else {
				set_reg(v, in.a, sim_le64_load(d));
				ct_load_done(x, in.a, at, lat);
			}
			break;
		}
		case ISA_B:
			next = in.imm64;
			ct_alu(x, ISA_XZR, ISA_XZR, ISA_XZR);
			break;
		case ISA_BC:
			if (cond_holds(in.c, reg(v, in.a), reg(v, in.b)))
				next = in.imm64;
			ct_alu(x, ISA_XZR, in.a, in.b); /* predicted: the window does not wait */
			break;
		case ISA_HVC:
			if (c->sev >= CPU_SEV_ES) { /* VMMCALL is not an automatic exit */
				take_vc(v, SVM_EXIT_VMMCALL, 0, 0);
				ct_serialize(x, ISSUE_CYCLES + EXC_CYCLES);
				continue;
			}
			/* fall through */
		case ISA_SMC:
			v->pc = next;
			v->insns++;
			out->why = EXEC_CALL;
			out->hvc = in.op == ISA_HVC;
			ct_serialize(x, ISSUE_CYCLES);
			goto done;
		case ISA_WFI:
			v->pc = next;
			v->insns++;
			ct_serialize(x, ISSUE_CYCLES);
			if (lr_pending(v) >= 0)
				continue; /* a pending interrupt wakes WFI even when masked */
			if (!p->trap_wfi) {
				uint64_t h = timer_horizon(v, p->now + x->d);
				if (h != UINT64_MAX) {
					if (p->budget && x->d + h > p->budget)
						h = p->budget > x->d ? p->budget - x->d : 0;
					x->d += h; /* idle until the timer (or the host's tick) */
					x->retire = x->d;
					continue;
				}
			}
			out->why = EXEC_WFI;
			goto done;
		case ISA_WORK: {
			if (!v->work_left)
				v->work_left = in.imm64;
			/* Interruptible: run up to the timer or the budget, and keep
			 * the rest for when the instruction resumes. It issues, then
			 * occupies the core: nothing enters the window meanwhile. */
			uint64_t e = ct_enter(x) + ISSUE_CYCLES;
			uint64_t chunk = v->work_left, h = timer_horizon(v, p->now + e);
			if (h < chunk)
				chunk = h;
			/* the room left may be none: the fetch can overrun it */
			uint64_t room = p->budget > e ? p->budget - e : 0;
			if (p->budget && chunk > room)
				chunk = room;
			x->d = e + chunk;
			x->in_cycle = 0;
			ct_done(x, x->d);
			v->work_left -= chunk;
			if (v->work_left)
				continue; /* pc stays: the instruction has not completed */
			break;
		}
		case ISA_MSR:
			msr(v, (uint32_t)in.imm32, reg(v, in.a));
			if (in.imm32 == ISA_SR_TTBR || in.imm32 == ISA_SR_VBAR || in.imm32 == ISA_SR_DAIF) {
				ct_serialize(x, ISSUE_CYCLES); /* a change of context */
			} else {
				ct_alu(x, ISA_XZR, in.a, ISA_XZR);
			}
			if (in.imm32 == ISA_SR_TTBR && c->sev) {
				sev_paging_sync(c, v);
				if (c->tlb) /* a CR3 write: the context's cached translations go */
					tlb_inval_asid(c->tlb, c->tag.world, c->tag.vmid, c->tag.asid);
			}
			break;
		case ISA_LSRI:
			set_reg(v, in.a, reg(v, in.b) >> (in.imm64 & 63));
			ct_alu(x, in.a, in.b, ISA_XZR);
			break;
		case ISA_ANDI:
			set_reg(v, in.a, reg(v, in.b) & in.imm64);
			ct_alu(x, in.a, in.b, ISA_XZR);
			break;
		case ISA_MUL:
			set_reg(v, in.a, reg(v, in.b) * reg(v, in.c));
			ct_op(x, in.a, in.b, in.c, MUL_CYCLES);
			break;
		case ISA_EOR:
			set_reg(v, in.a, reg(v, in.b) ^ reg(v, in.c));
			ct_alu(x, in.a, in.b, in.c);
			break;
		case ISA_CPUID:
		case ISA_RDMSR:
		case ISA_WRMSR:
		case ISA_IN:
		case ISA_OUT:
			if (c->sev >= CPU_SEV_ES) {
				/* not an automatic exit: #VC, ELR at the instruction, which
				 * the guest's handler decodes (as Linux's does) */
				uint32_t code = in.op == ISA_CPUID ? SVM_EXIT_CPUID
						: in.op == ISA_IN || in.op == ISA_OUT ? SVM_EXIT_IOIO
										      : SVM_EXIT_MSR;
				take_vc(v, code, 0, 0);
				ct_serialize(x, ISSUE_CYCLES + EXC_CYCLES);
				continue;
			}
			out->why = EXEC_TRAP;
			out->insn = in;
			ct_serialize(x, ISSUE_CYCLES);
			goto done; /* pc stays: the owner emulates it and moves past it */
		case ISA_MARK:
			if (p->mark)
				p->mark(p->mark_ctx, (uint32_t)in.imm32, p->now + ct_next(x));
			break;
		case ISA_MOVS: {
			if (!reg(v, in.c))
				break; /* nothing (left) to copy */
			int r = movs_step(c, x, p, v, &in, out);
			if (r < 0) {
				rc = r;
				goto done;
			}
			if (r == 1)
				goto done; /* a fault stopped it */
			if (reg(v, in.c))
				continue; /* pc stays until the count is 0 */
			break;
		}
		case ISA_PVALIDATE: {
			if (c->sev != CPU_SEV_SNP || !p->hw)
				goto undef;
			ct_serialize(x, ISSUE_CYCLES);
			uint64_t spent = 0;
			ct_time(c, x, p, x->d);
			int stop = do_pvalidate(c, v, p, &in, out, &spent);
			ct_serialize(x, spent);
			if (stop)
				goto done;
			continue;
		}
		case ISA_VMGEXIT:
			if (c->sev < CPU_SEV_ES)
				goto undef;
			v->pc = next;
			v->insns++;
			out->why = EXEC_VMGEXIT;
			ct_serialize(x, ISSUE_CYCLES);
			goto done;
		case ISA_MRS: /* the counter reads as the instruction executes */
			set_reg(v, in.a, mrs(v, (uint32_t)in.imm32, p->now + ct_next(x) + ISSUE_CYCLES));
			ct_alu(x, in.a, ISA_XZR, ISA_XZR);
			break;
		case ISA_ERET:
			next = v->elr;
			v->daif = v->saved_daif;
			v->work_left = v->saved_work;
			v->saved_work = 0;
			ct_serialize(x, ISSUE_CYCLES + EXC_CYCLES);
			break;
		default:
		undef: /* it issues, then the exception is taken */
			vcpu_take_sync(v, ESR_EC_UNKNOWN, 0);
			ct_serialize(x, ISSUE_CYCLES + EXC_CYCLES);
			continue;
		}
		v->pc = next;
		v->insns++;
	}
done:
	*cycles = ct_drained(x);
	c->in_exec = 0;
	return rc < 0 ? rc : 0;
}
