/* What the host emulates for a VM's intercepted instructions (KVM's
 * kvm_emulate_cpuid, kvm_get_msr, its in-kernel port devices): CPUID from
 * the table it gave the VM (the same table an SNP guest's CPUID page
 * holds), a few MSRs, and two ports. The values describe a model part
 * (family 19h, as QEMU's EPYC-v4 model); they matter to the guest only
 * as values to compute with. */
#include <string.h>

#include "stacks/host/hv_priv.h"

/* CPUID leaves whose value depends on the vCPU (its APIC ID): an SNP guest
 * asks the hypervisor for them even with a CPUID page (Linux
 * snp_cpuid_postprocess: leaves 0x1, 0xB, 0x8000001E). */
bool hv_cpuid_per_vcpu(uint32_t leaf)
{
	return leaf == 0x1 || leaf == 0xb || leaf == 0x8000001eu;
}

/* The table, leaf by leaf (subleaf 0); vCPU-dependent fields left 0 here. */
static const struct hv_cpuid_leaf cpuid_table[] = {
	{ 0x0, 0x0000000d, 0x68747541, 0x444d4163, 0x69746e65 },       /* max leaf, "AuthenticAMD" */
	{ 0x1, 0x00a10f11, 0x00080800, 0x7ed8320b, 0x178bfbff },       /* fam 19h; APIC ID in EBX[31:24] */
	{ 0x7, 0x00000000, 0xf1bf97a9, 0x00405f4e, 0x00000000 },
	{ 0xb, 0x00000000, 0x00000001, 0x00000100, 0x00000000 },       /* x2APIC ID in EDX */
	{ 0xd, 0x00000207, 0x00000988, 0x00000988, 0x00000000 },       /* XSAVE area: 2440 bytes */
	{ 0x80000000u, 0x80000021u, 0x68747541, 0x444d4163, 0x69746e65 },
	{ 0x80000001u, 0x00a10f11, 0x40000000, 0x75c237ff, 0x2fd3fbff },
	{ 0x80000008u, 0x00003030, 0x91bef75f, 0x00000000, 0x00000000 },
	{ 0x8000001eu, 0x00000000, 0x00000000, 0x00000000, 0x00000000 }, /* ext. APIC ID in EAX */
	{ 0x8000001fu, 0x0101fd3f, 0x00004173, 0x000001fd, 0x00000064 }, /* SEV: C-bit 51, ASIDs */
};
#define CPUID_LEAVES (sizeof(cpuid_table) / sizeof(cpuid_table[0]))

size_t hv_cpuid_table(const struct hv_cpuid_leaf **t)
{
	*t = cpuid_table;
	return CPUID_LEAVES;
}

void hv_cpuid(uint32_t vcpu, uint32_t leaf, uint64_t out[4])
{
	memset(out, 0, 4 * sizeof(out[0]));
	for (size_t i = 0; i < CPUID_LEAVES; i++) {
		if (cpuid_table[i].leaf != leaf)
			continue;
		out[0] = cpuid_table[i].eax;
		out[1] = cpuid_table[i].ebx;
		out[2] = cpuid_table[i].ecx;
		out[3] = cpuid_table[i].edx;
	}
	if (leaf == 0x1)
		out[1] |= (uint64_t)vcpu << 24;
	else if (leaf == 0xb)
		out[3] = vcpu;
	else if (leaf == 0x8000001eu)
		out[0] = vcpu;
}

uint64_t hv_rdmsr(uint32_t vcpu, uint32_t msr, uint64_t now)
{
	switch (msr) {
	case 0x10: /* IA32_TSC */
		return now;
	case 0x1b: /* IA32_APIC_BASE: the xAPIC at its default base, enabled, the BSP flagged */
		return 0xfee00800ull | (vcpu == 0 ? 0x100ull : 0);
	default:
		return 0;
	}
}

uint64_t hv_pio(uint16_t port, unsigned size, bool in, uint64_t val, uint64_t now)
{
	(void)val;
	if (!in)
		return 0; /* writes are absorbed (the debug port 0x80, the PIT's control) */
	uint64_t mask = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
	if (port == 0x40) /* the PIT's counter 0 (1.193182 MHz at a 3 GHz core), counting down */
		return (uint64_t)(0x10000 - (now / 2514) % 0x10000) & mask;
	return mask; /* nothing decodes it: all ones */
}

void hv_vm_trap(struct hv_guest *g, struct hv_vcpu *c, struct vcpu_state *v,
		const struct isa_insn *in, uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint32_t vcpu = (uint32_t)(c - g->vcpu);
	uint64_t now = hv_now(g, *cyc);
	switch (in->op) {
	case ISA_CPUID: {
		uint64_t r[4];
		hv_cpuid(vcpu, (uint32_t)v->x[0], r);
		memcpy(v->x, r, sizeof(r));
		g->n.cpuids++;
		*cyc += cfg->host_cpuid_cycles;
		break;
	}
	case ISA_RDMSR:
	case ISA_WRMSR:
		if (in->op == ISA_RDMSR)
			v->x[0] = hv_rdmsr(vcpu, (uint32_t)v->x[1], now);
		g->n.msrs++;
		*cyc += cfg->host_msr_cycles;
		break;
	default: { /* IN, OUT */
		bool rd = in->op == ISA_IN;
		uint64_t val = hv_pio((uint16_t)in->imm32, in->c, rd, in->a < ISA_NREGS ? v->x[in->a] : 0,
				      now);
		if (rd && in->a < ISA_NREGS)
			v->x[in->a] = val;
		g->n.pios++;
		*cyc += cfg->host_pio_cycles;
		break;
	}
	}
	v->pc += ISA_INSN_BYTES;
	v->insns++;
}
