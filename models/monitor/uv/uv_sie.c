/* SIE of a secure CPU: the UV runs the guest on the host's CPU and keeps
 * its registers in the CPU's donated storage; the host's state description
 * is a stand-in that carries only what an intercept needs (Linux
 * Documentation/virt/kvm/s390/s390-pv.rst, "Instruction emulation",
 * "Interrupt injection"; arch/s390/kvm/kvm-s390.c __vcpu_run copies the
 * guest's GRs to and from sie_page->pv_grregs around sie64a). See uv.h. */
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/cpu/exec.h"
#include "models/monitor/uv/uv_internal.h"
#include "models/platform/machine.h"

/* What the UV keeps of a secure CPU in its storage: the registers and,
 * while an intercepted instruction waits for the host's emulation, which
 * one ("Normal secure instruction intercepts will make the guest pending
 * for instruction completion", s390-pv.rst). */
enum { PEND_NONE = 0, PEND_DIAG, PEND_IO_LOAD };
struct sie_secure {
	struct vcpu_state v;
	uint64_t pending;
	uint64_t reg;       /* PEND_IO_LOAD: the register the load targets */
};
G_STATIC_ASSERT(sizeof(struct sie_secure) <= UV_PAGE);

/* The UV's own work from `now` on (uv_mem counts into uv->spent). */
static void work_begin(struct uv *uv, uint64_t now)
{
	uv->t0 = now;
	uv->spent = 0;
}

/* The registers a hypercall's function names, the operands its DIAGNOSE
 * would take: PSCI's function id and arguments (SMCCC 0x84000000..1f,
 * 0xc4000000..1f), a vendor hypercall's code only. */
static unsigned diag_regs(uint64_t fid)
{
	return (fid & ~0x4000001full) == 0x84000000ull ? 4 : 1;
}

/* A guest's UVC, which the UV serves without the host: the control block
 * from the guest's storage at x1, the condition code into x0. */
static void guest_uvc(struct uv *uv, const struct uv_cpu *p, struct uv_conf *cf,
		      struct vcpu_state *v, uint64_t now, uint64_t *used)
{
	uint8_t cb[UVCB_MAX_LEN] = { 0 };
	uint64_t at = v->x[1], c = 0;
	work_begin(uv, now + *used);
	int bad = uv_guest_mem(uv, cf, at, cb, UVCB_HDR, false);
	size_t len = MIN((size_t)uvcb_len(cb), sizeof(cb));
	if (!bad && len > UVCB_HDR)
		bad = uv_guest_mem(uv, cf, at + UVCB_HDR, cb + UVCB_HDR, len - UVCB_HDR, false);
	*used += uv->spent;
	if (bad) { /* an addressing exception, which SIE presents to the guest */
		vcpu_take_sync(v, ESR_EC_DABT_CUR | ESR_DFSC_EXT_ABORT, at);
		return;
	}
	struct uv_caller who = { true, p->conf };
	sim_set_time(uv->m->sim, now + *used);
	v->x[0] = (uint64_t)uv_call(uv, &who, cb, sizeof(cb), &c);
	*used += c;
	work_begin(uv, now + *used);
	if (uv_guest_mem(uv, cf, at, cb, MAX(len, (size_t)UVCB_HDR), true)) {
		/* the block was readable a moment ago: cannot fail */
	}
	*used += uv->spent;
}

/* The secure CPU a state description names, if it may run. */
static struct uv_cpu *sd_cpu(struct uv *uv, uint64_t sd, const uint8_t *d)
{
	struct uv_cpu *p = uv_cpu_of(uv, uv_be64(d + UV_SD_PV_HANDLE_CPU));
	if (!p || p->state_origin != sd)
		return NULL;
	const struct uv_conf *cf = &uv->conf[p->conf - 1];
	if (cf->handle != uv_be64(d + UV_SD_PV_HANDLE_CONF) || cf->state != UV_CONF_VERIFIED ||
	    cf->dumping || (p->state != PV_CPU_STATE_OPR && p->state != PV_CPU_STATE_OPR_LOAD))
		return NULL;
	return p;
}

/* What stopped the guest goes into the stand-in (d); the rest of its
 * interception fields are cleared, so nothing of an earlier exit stays. */
static void sd_exit(uint8_t *d, uint8_t icpt, uint16_t ipa)
{
	memset(d + UV_SD_GRREGS, 0, UV_SD_LEN - UV_SD_GRREGS);
	d[UV_SD_ICPTCODE] = icpt;
	uv_put16(d + UV_SD_IPA, ipa);
}

static void sd_pgm(uint8_t *d, uint16_t code, uint64_t gaddr)
{
	sd_exit(d, UV_ICPT_NONE, 0);
	uv_put16(d + UV_SD_PGM_CODE, code);
	uv_put64(d + UV_SD_TEID, gaddr & ~(UV_PAGE - 1));
}

/* The host's answer to the intercept the CPU waits on (its emulation's
 * output in the GR save area), then the interrupts it makes pending. An
 * injection at entry needs the guest enabled for it: else a validity
 * intercept (s390-pv.rst, "Interrupt injection"). 0, or -1 then. */
static int sd_entry(const uint8_t *d, struct sie_secure *s)
{
	if (s->pending == PEND_DIAG)
		s->v.x[0] = uv_be64(d + UV_SD_GRREGS);
	else if (s->pending == PEND_IO_LOAD && s->reg < ISA_NREGS)
		s->v.x[s->reg] = uv_be64(d + UV_SD_GRREGS);
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		s->v.lr[i] = uv_be64(d + UV_SD_IRQ + 8 * i);
	if (d[UV_SD_IICTL] && (s->v.daif & ISA_DAIF_I))
		return -1;
	s->pending = PEND_NONE;
	if (d[UV_SD_IICTL])
		vcpu_take_irq(&s->v);
	return 0;
}

/* A fault of the guest's access: the host's to serve (a program
 * interruption of the host's, the gmap's or a secure storage one), an I/O
 * intercept (outside the guest's storage: its device), or the guest's own
 * exception. true: SIE exits. */
static bool on_abort(const struct uv_conf *cf, const struct exec_stop_info *st,
		     struct sie_secure *s, uint8_t *d)
{
	uint64_t ga = st->addr;
	switch (st->fault.kind) {
	case FAULT_PGM_NONSECURE_ACCESS:
		sd_pgm(d, UV_PGM_NON_SECURE_ACCESS, ga);
		return true;
	case FAULT_PGM_SECURE_VIOLATION:
		sd_pgm(d, UV_PGM_SECURE_VIOLATION, ga);
		return true;
	case FAULT_PGM_SECURE_ACCESS:
		sd_pgm(d, UV_PGM_SECURE_ACCESS, ga);
		return true;
	case FAULT_MMU_S2:
		if (ga < cf->stor_len) { /* the host's DAT tables lack the page */
			sd_pgm(d, UV_PGM_PAGE_TRANSLATION, ga);
			return true;
		}
		if (!st->fetch) {
			/* I/O: the operands the host needs, the data of a store;
			 * a load completes with the host's value at the next entry */
			sd_exit(d, UV_ICPT_PV_INSTR, UV_IPA_IO);
			uv_put64(d + UV_SD_IO_ADDR, ga);
			uv_put64(d + UV_SD_IO_FLAGS, st->size | (st->write ? 0x100u : 0));
			uv_put64(d + UV_SD_IO_DATA, st->write ? st->value : 0);
			s->pending = st->write ? PEND_NONE : PEND_IO_LOAD;
			s->reg = st->reg;
			s->v.pc += ISA_INSN_BYTES;
			return true;
		}
		break; /* a fetch outside its storage */
	default:
		break;
	}
	/* the guest's own exception (an addressing exception SIE presents) */
	vcpu_take_sync(&s->v, ESR_EC_DABT_CUR | ESR_DFSC_EXT_ABORT, ga);
	return false;
}

int uv_sie(struct uv *uv, uint64_t sd, struct cpu *c, const struct exec_params *pp,
	   struct uv_sie_cost *cost)
{
	uint8_t d[UV_SD_LEN];
	struct sie_secure s;
	uint64_t used = 0;
	memset(cost, 0, sizeof(*cost));
	work_begin(uv, pp->now);
	if (sd % UV_PAGE || sd >= uv->par.mem_top || uv_range_at(uv, sd) ||
	    uv_mem(uv, sd, d, sizeof(d), false)) {
		cost->cycles = uv->spent;
		return -1;
	}
	uv->stat_sie++;
	struct uv_cpu *p = sd_cpu(uv, sd, d);
	if (!p) {
		sd_exit(d, UV_ICPT_VALIDITY, 0);
		uv->stat_validity++;
		if (uv_mem(uv, sd, d, sizeof(d), true)) {
			/* read a moment ago: cannot fail */
		}
		cost->cycles = uv->spent;
		return -1;
	}
	struct uv_conf *cf = &uv->conf[p->conf - 1];
	if (p->state == PV_CPU_STATE_OPR_LOAD) { /* the header's PSW, everything else reset */
		memset(&s, 0, sizeof(s));
		s.v.pc = p->psw_addr;
		s.v.daif = ISA_DAIF_I;
		p->state = PV_CPU_STATE_OPR;
	} else if (uv_mem(uv, p->stor_origin, &s, sizeof(s), false)) {
		memset(&s, 0, sizeof(s)); /* donated storage lies in memory: cannot fail */
	}
	used = uv->spent;
	int rc = 0;
	if (sd_entry(d, &s)) {
		sd_exit(d, UV_ICPT_VALIDITY, 0);
		uv->stat_validity++;
		rc = -1;
	}
	d[UV_SD_IICTL] = 0;
	c->guest = 1;
	c->asid = p->conf;
	while (!rc) {
		uint64_t now = pp->now + used, spent = 0, insns = s.v.insns;
		struct exec_params q = *pp;
		q.now = now;
		if (pp->budget)
			q.budget = pp->budget > used ? pp->budget - used : 1;
		struct exec_stop_info st;
		sim_set_time(uv->m->sim, now);
		int r = cpu_exec(c, &s.v, &q, &st, &spent);
		used += spent;
		cost->guest_cycles += spent;
		cost->insns += s.v.insns - insns;
		if (r < 0) {
			sd_exit(d, UV_ICPT_VALIDITY, 0);
			uv->stat_validity++;
			rc = -1;
			break;
		}
		if (st.why == EXEC_CALL && !st.hvc) { /* UVC */
			guest_uvc(uv, p, cf, &s.v, pp->now, &used);
			continue;
		}
		if (st.why == EXEC_CALL) { /* DIAGNOSE: its operand registers only */
			unsigned n = diag_regs(s.v.x[0]);
			sd_exit(d, UV_ICPT_PV_INSTR, UV_IPA_DIAG);
			for (unsigned i = 0; i < n; i++)
				uv_put64(d + UV_SD_GRREGS + 8 * i, s.v.x[i]);
			s.pending = PEND_DIAG;
		} else if (st.why == EXEC_ABORT) {
			if (!on_abort(cf, &st, &s, d))
				continue;
		} else if (st.why == EXEC_WFI) {
			sd_exit(d, UV_ICPT_WAIT, 0);
		} else if (st.why == EXEC_TRAP || st.why == EXEC_VMGEXIT) {
			/* CPUID, MSRs, port I/O, VMGEXIT: no such instruction on
			 * z/Architecture, an operation exception in the guest */
			vcpu_take_sync(&s.v, ESR_EC_UNKNOWN, 0);
			continue;
		} else { /* the host's own interruption (its timer, its tick) */
			sd_exit(d, UV_ICPT_NONE, 0);
		}
		break;
	}
	/* the interrupts' state and the timer, which the host emulates */
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		uv_put64(d + UV_SD_IRQ + 8 * i, s.v.lr[i]);
	uv_put64(d + UV_SD_CKC_CTL, s.v.cntv_ctl);
	uv_put64(d + UV_SD_CKC, s.v.cntv_cval);
	work_begin(uv, pp->now + used);
	if (uv_mem(uv, p->stor_origin, &s, sizeof(s), true) || uv_mem(uv, sd, d, sizeof(d), true)) {
		/* both were read at entry: cannot fail */
	}
	used += uv->spent;
	sim_set_time(uv->m->sim, pp->now + used);
	cost->cycles = used;
	return rc;
}
