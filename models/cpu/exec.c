/* Guest execution; see exec.h and isa.h. */
#include "models/cpu/exec.h"

#include <errno.h>
#include <string.h>

#include "sim/sim.h"

/* Cycles of an exception entry or return (vector fetch aside). */
#define EXC_CYCLES 20
/* Cycles of every instruction besides its memory accesses and WORK. */
#define ISSUE_CYCLES 1

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
		"lsri", "andi", "pvalidate", "vmgexit",
	};
	return op < ISA_OP_COUNT ? n[op] : "udf";
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

bool vcpu_timer_asserted(const struct vcpu_state *v, uint64_t now)
{
	return (v->cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE && now >= v->cntv_cval;
}

bool vcpu_lr_holds(const struct vcpu_state *v, uint32_t intid)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(v->lr[i]) != VGIC_LR_INVALID && vgic_lr_intid(v->lr[i]) == intid)
			return true;
	return false;
}

int vcpu_lr_inject(struct vcpu_state *v, uint32_t intid)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(v->lr[i]) == VGIC_LR_INVALID) {
			v->lr[i] = vgic_lr_make(intid, VGIC_LR_PENDING);
			return 0;
		}
	return -ENOSPC;
}

static int lr_pending(const struct vcpu_state *v)
{
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (vgic_lr_state(v->lr[i]) & VGIC_LR_PENDING)
			return (int)i;
	return -1;
}

void vcpu_take_sync(struct vcpu_state *v, uint64_t esr, uint64_t far)
{
	v->elr = v->pc;
	v->esr = esr;
	v->far = far;
	v->saved_daif = v->daif;
	v->daif |= ISA_DAIF_I;
	v->pc = v->vbar + ISA_VEC_SYNC;
}

static void take_irq(struct vcpu_state *v)
{
	v->elr = v->pc;
	v->saved_daif = v->daif;
	v->daif |= ISA_DAIF_I;
	v->pc = v->vbar + ISA_VEC_IRQ;
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

int cpu_exec(struct cpu *c, struct vcpu_state *v, const struct exec_params *p,
	     struct exec_stop_info *out, uint64_t *cycles)
{
	uint64_t t = 0;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (c->sev)
		sev_paging_sync(c, v);
	for (;;) {
		uint64_t now = p->now + t;
		sim_set_time(c->base.sim, now);
		if (p->budget && t >= p->budget) {
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
			take_irq(v);
			t += EXC_CYCLES;
			continue;
		}
		uint8_t b[ISA_INSN_BYTES];
		struct cc_fault f;
		uint64_t lat = 0;
		if (v->pc % ISA_INSN_BYTES) { /* PC alignment fault (Arm ARM D1.3.x) */
			vcpu_take_sync(v, ESR_EC_PC_ALIGN, v->pc);
			t += EXC_CYCLES;
			continue;
		}
		rc = cpu_load_va(c, v->pc, b, ISA_INSN_BYTES, &f, &lat);
		t += lat;
		if (rc < 0)
			break;
		if (rc == 1) {
			rc = 0;
			*out = (struct exec_stop_info){ .why = EXEC_ABORT, .fetch = true,
							.size = ISA_INSN_BYTES, .addr = v->pc,
							.fault = f };
			break;
		}
		struct isa_insn in;
		isa_decode(b, &in);
		t += ISSUE_CYCLES;
		uint64_t next = v->pc + ISA_INSN_BYTES;
		switch (in.op) {
		case ISA_NOP:
			break;
		case ISA_MOVI:
			set_reg(v, in.a, in.imm64);
			break;
		case ISA_MOV:
			set_reg(v, in.a, reg(v, in.b));
			break;
		case ISA_ADDI:
			set_reg(v, in.a, reg(v, in.b) + in.imm64);
			break;
		case ISA_ADD:
			set_reg(v, in.a, reg(v, in.b) + reg(v, in.c));
			break;
		case ISA_SUB:
			set_reg(v, in.a, reg(v, in.b) - reg(v, in.c));
			break;
		case ISA_LSLV:
			set_reg(v, in.a, reg(v, in.b) << (reg(v, in.c) & 63));
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
			rc = wr ? cpu_store_va(c, addr, d, in.c, &f, &lat)
				: cpu_load_va(c, addr, d, in.c, &f, &lat);
			t += lat;
			if (rc < 0)
				goto done;
			int code = rc == 1 ? vc_code_of(c, &f) : -1;
			if (code >= 0) {
				/* an MMIO #VC carries the access's syndrome, as a data abort's */
				take_vc(v, (uint32_t)code,
					code == SVM_EXIT_NPF ? vcpu_dabt_iss(in.c, in.a, wr) : 0, addr);
				rc = 0;
				t += EXC_CYCLES;
				continue;
			}
			if (rc == 1) {
				rc = 0;
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
			if (!wr)
				set_reg(v, in.a, sim_le64_load(d));
			break;
		}
		case ISA_B:
			next = in.imm64;
			break;
		case ISA_BC:
			if (cond_holds(in.c, reg(v, in.a), reg(v, in.b)))
				next = in.imm64;
			break;
		case ISA_HVC:
			if (c->sev >= CPU_SEV_ES) { /* VMMCALL is not an automatic exit */
				take_vc(v, SVM_EXIT_VMMCALL, 0, 0);
				t += EXC_CYCLES;
				continue;
			}
			/* fall through */
		case ISA_SMC:
			v->pc = next;
			v->insns++;
			out->why = EXEC_CALL;
			out->hvc = in.op == ISA_HVC;
			goto done;
		case ISA_WFI:
			v->pc = next;
			v->insns++;
			if (lr_pending(v) >= 0)
				continue; /* a pending interrupt wakes WFI even when masked */
			if (!p->trap_wfi) {
				uint64_t h = timer_horizon(v, p->now + t);
				if (h != UINT64_MAX) {
					if (p->budget && t + h > p->budget)
						h = p->budget > t ? p->budget - t : 0;
					t += h; /* idle until the timer (or the host's tick) */
					continue;
				}
			}
			out->why = EXEC_WFI;
			goto done;
		case ISA_WORK: {
			if (!v->work_left)
				v->work_left = in.imm64;
			/* Interruptible: run up to the timer or the budget, and keep
			 * the rest for when the instruction resumes. */
			uint64_t chunk = v->work_left, h = timer_horizon(v, p->now + t);
			if (h < chunk)
				chunk = h;
			/* the room left may be none: the fetch can overrun it */
			uint64_t room = p->budget > t ? p->budget - t : 0;
			if (p->budget && chunk > room)
				chunk = room;
			t += chunk;
			v->work_left -= chunk;
			if (v->work_left)
				continue; /* pc stays: the instruction has not completed */
			break;
		}
		case ISA_MSR:
			msr(v, (uint32_t)in.imm32, reg(v, in.a));
			if (in.imm32 == ISA_SR_TTBR && c->sev) {
				sev_paging_sync(c, v);
				if (c->tlb) /* a CR3 write: the context's cached translations go */
					tlb_inval_asid(c->tlb, c->tag.world, c->tag.vmid, c->tag.asid);
			}
			break;
		case ISA_LSRI:
			set_reg(v, in.a, reg(v, in.b) >> (in.imm64 & 63));
			break;
		case ISA_ANDI:
			set_reg(v, in.a, reg(v, in.b) & in.imm64);
			break;
		case ISA_PVALIDATE:
			if (c->sev != CPU_SEV_SNP || !p->hw)
				goto undef;
			if (do_pvalidate(c, v, p, &in, out, &t))
				goto done;
			continue;
		case ISA_VMGEXIT:
			if (c->sev < CPU_SEV_ES)
				goto undef;
			v->pc = next;
			v->insns++;
			out->why = EXEC_VMGEXIT;
			goto done;
		case ISA_MRS:
			set_reg(v, in.a, mrs(v, (uint32_t)in.imm32, p->now + t));
			break;
		case ISA_ERET:
			next = v->elr;
			v->daif = v->saved_daif;
			v->work_left = v->saved_work;
			v->saved_work = 0;
			t += EXC_CYCLES;
			break;
		default:
		undef:
			vcpu_take_sync(v, ESR_EC_UNKNOWN, 0);
			t += EXC_CYCLES;
			continue;
		}
		v->pc = next;
		v->insns++;
	}
done:
	*cycles = t;
	return rc < 0 ? rc : 0;
}
