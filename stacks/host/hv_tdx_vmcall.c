/* The TDVMCALLs the host serves for a TD (GHCI): MapGPA, GetQuote, the
 * emulated MMIO, CPUID, port I/O, HLT and the rest, and the shared-memory
 * access they need; hv_tdx.c runs the TD and calls hv_tdx_vmcall. */
#include "stacks/host/hv_tdx_priv.h"

#include <string.h>

#include "models/monitor/attest/tdx_quote.h"
#include "models/monitor/tdx/tdx_abi.h"

/* TDG.VP.VMCALL<MapGPA> (GHCI 3.2): [gpa, gpa + size) becomes shared (the
 * shared bit set) or private. Private -> shared: every private page there
 * leaves the Secure EPT (hv_tdx_zap_private); the shared alias is backed on its
 * first touch. Shared -> private: the host's shared pages leave its shared
 * EPT; the guest accepts the private pages, which the host AUGs on the
 * way. */
static uint64_t map_gpa(struct hv_guest *g, uint64_t gpa, uint64_t size, uint64_t *cyc)
{
	uint64_t sb = hv_tdx_shared_bit(g), flat = gpa & ~sb;
	if ((flat | size) & (PAGE - 1) || flat + size > g->cfg.k.ram_size || flat + size < flat)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	struct hv_result ignore = { 0 };
	for (uint64_t p = flat; p < flat + size; p += PAGE) {
		g->n.ripas_changes++;
		if (gpa & sb) {
			uint64_t pa = hv_pool_pa(g, PG_DATA, p);
			if (pa && !hv_tdx_zap_private(g, p, pa, &ignore, cyc))
				return TDVMCALL_STATUS_INVALID_OPERAND;
		} else {
			uint64_t pa = hv_pool_pa(g, PG_SHARED, p | sb);
			if (!pa)
				continue;
			(void)hv_vm_unmap(g, p | sb, cyc);
			hv_tdx_tlb_flush(g);
			g->kind[(pa - g->cfg.pool) / PAGE] = PG_NS;
		}
	}
	return TDVMCALL_STATUS_SUCCESS;
}

/* Bytes of the TD's shared memory at gpa (shared bit set), through the
 * host's own pages; a page it never backed reads as zeros, a write there
 * is lost. */
static void shared_rw(struct hv_guest *g, uint64_t gpa, uint8_t *buf, uint64_t len, bool write,
		      uint64_t *cyc)
{
	for (uint64_t o = 0; o < len; o += 64) {
		uint64_t pa = hv_pool_pa(g, PG_SHARED, gpa + o);
		uint32_t n = (uint32_t)MIN(64, len - o);
		if (!write)
			memset(buf + o, 0, n);
		if (pa && write)
			(void)hv_store(g, pa, buf + o, n, cyc);
		else if (pa)
			(void)hv_load(g, pa, buf + o, n, cyc);
	}
}

/* TDG.VP.VMCALL<GetQuote> (GHCI 3.3): the shared buffer of `size` bytes
 * holds a GetQuote header and the TD's TDREPORT (Linux tdx_quote_buf).
 * The host hands the report to the platform's quoting service (a TD
 * quoting enclave: tdx_quote_serve) and writes its answer back: the
 * status, out_len and the DCAP quote, which it keeps as the guest's
 * evidence (host.guest_token). The quote is done when the call returns
 * (KVM forwards the request to user space and completes it later, so
 * the guest also polls the status; here that poll finds it done). */
static uint64_t get_quote(struct hv_guest *g, uint64_t gpa, uint64_t size, uint64_t *cyc)
{
	uint64_t sb = hv_tdx_shared_bit(g);
	uint8_t b[TDX_QBUF_DATA + TDX_QUOTE_LEN] = { 0 };
	if (!(gpa & sb) || (gpa & (PAGE - 1)) || size < TDX_QBUF_DATA || size > GUEST_BOUNCE_SIZE)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	uint64_t in = MIN(size, TDX_QBUF_DATA + TDREPORT_SIZE), fit = MIN(size, sizeof(b));
	shared_rw(g, gpa, b, in, false, cyc);
	g->n.bounce_bytes += in;
	g_byte_array_set_size(g->token, 0);
	if (tdx_quote_serve(g->m->sim->seed, b, fit) == TDX_GET_QUOTE_SUCCESS) {
		g_byte_array_append(g->token, b + TDX_QBUF_DATA, TDX_QUOTE_LEN);
		shared_rw(g, gpa + TDX_QBUF_DATA, b + TDX_QBUF_DATA, TDX_QUOTE_LEN, true, cyc);
		g->n.bounce_bytes += TDX_QUOTE_LEN;
	}
	shared_rw(g, gpa, b, TDX_QBUF_DATA, true, cyc);
	return TDVMCALL_STATUS_SUCCESS;
}

/* A TDG.VP.VMCALL the TD exit reported, its exposed registers in r: the
 * answer goes into r for the next entry. false: the guest is off. */
bool hv_tdx_vmcall(struct hv_guest *g, struct hv_vcpu *c, uint64_t r[TDX_NREGS],
		   enum rmi_exit_reason *why, uint64_t *cyc)
{
	const struct platform_config *cfg = &g->m->cfg;
	uint32_t vcpu = (uint32_t)(c - g->vcpu);
	uint64_t now = hv_now(g, *cyc), out[4];
	g->n.monitor_calls++;
	if (r[TDX_R10]) { /* a KVM hypercall (tdx_kvm_hypercall): nr in R10, R11.. */
		struct vcpu_state v = { 0 };
		bool stop = false;
		v.x[0] = r[TDX_R10];
		for (unsigned i = 0; i < 4; i++)
			v.x[1 + i] = r[TDX_R11 + i];
		*why = hv_vm_call(g, c, &v, &stop, cyc);
		r[TDX_R10] = v.x[0];
		for (unsigned i = 0; i < 3; i++)
			r[TDX_R11 + i] = v.x[1 + i];
		return !stop;
	}
	r[TDX_R10] = TDVMCALL_STATUS_SUCCESS;
	switch (r[TDX_R11]) {
	case TDVMCALL_MAP_GPA:
		*why = RMI_EXIT_RIPAS_CHANGE;
		r[TDX_R10] = map_gpa(g, r[TDX_R12], r[TDX_R13], cyc);
		break;
	case TDVMCALL_GET_QUOTE:
		*why = RMI_EXIT_HOST_CALL;
		r[TDX_R10] = get_quote(g, r[TDX_R12], r[TDX_R13], cyc);
		break;
	case TDVMCALL_REPORT_FATAL_ERROR:
		g->n.panicked = 1;
		g->n.panic_esr = r[TDX_R12];
		return false;
	case TDVMCALL_CPUID:
		hv_cpuid(vcpu, (uint32_t)r[TDX_R12], out);
		for (unsigned i = 0; i < 4; i++)
			r[TDX_R12 + i] = out[i];
		g->n.cpuids++;
		*cyc += cfg->host_cpuid_cycles;
		break;
	case TDVMCALL_HLT: /* the vCPU waits for its timer or an interrupt */
		c->waiting = 1;
		c->wake_at = UINT64_MAX;
		hv_blk_wake(g, c);
		break;
	case TDVMCALL_IO: /* R12 size, R13 direction (1: out), R14 port, R15 value */
		r[TDX_R11] = hv_pio((uint16_t)r[TDX_R14], (unsigned)r[TDX_R12], r[TDX_R13] == 0,
				    r[TDX_R15], now);
		g->n.pios++;
		*cyc += cfg->host_pio_cycles;
		break;
	case TDX_EXIT_RDMSR:
		r[TDX_R11] = (uint32_t)r[TDX_R12] == MSR_IA32_TSC_DEADLINE
				     ? hv_load64(g, c->save + TDH_VCPU_DEADLINE, cyc)
				     : hv_rdmsr(vcpu, (uint32_t)r[TDX_R12], now);
		g->n.msrs++;
		*cyc += cfg->host_msr_cycles;
		break;
	case TDX_EXIT_WRMSR:
		if ((uint32_t)r[TDX_R12] == MSR_IA32_TSC_DEADLINE)
			(void)hv_store64(g, c->save + TDH_VCPU_DEADLINE, r[TDX_R13], cyc);
		g->n.msrs++;
		*cyc += cfg->host_msr_cycles;
		break;
	case TDVMCALL_MMIO: { /* R12 size, R13 direction (1: write), R14 GPA, R15 value */
		uint64_t off = (r[TDX_R14] & ~hv_tdx_shared_bit(g)) - GUEST_DEV_BASE;
		*why = RMI_EXIT_SYNC;
		if (off >= PAGE) {
			r[TDX_R10] = TDVMCALL_STATUS_INVALID_OPERAND;
			break;
		}
		r[TDX_R11] = hv_dev_access(g, off, r[TDX_R13] != 0, r[TDX_R15], PG_SHARED,
					   GUEST_BOUNCE | hv_tdx_shared_bit(g), cyc);
		break;
	}
	default:
		r[TDX_R10] = TDVMCALL_STATUS_INVALID_OPERAND;
		break;
	}
	return true;
}
