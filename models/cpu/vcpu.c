/* The vCPU state helpers its owners use outside execution (a monitor
 * taking an exception into its guest, injecting an interrupt): pure
 * functions of struct vcpu_state, with no tie to the machine, so a monitor
 * plug-in built from ccsim's sources carries them. See exec.h. */
#include <errno.h>

#include "models/cpu/exec.h"

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

void vcpu_take_sync(struct vcpu_state *v, uint64_t esr, uint64_t far)
{
	v->elr = v->pc;
	v->esr = esr;
	v->far = far;
	v->saved_daif = v->daif;
	v->daif |= ISA_DAIF_I;
	v->pc = v->vbar + ISA_VEC_SYNC;
}

void vcpu_take_irq(struct vcpu_state *v)
{
	v->elr = v->pc;
	v->saved_daif = v->daif;
	v->daif |= ISA_DAIF_I;
	v->pc = v->vbar + ISA_VEC_IRQ;
}
