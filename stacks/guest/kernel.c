/* The guest kernel image; see kernel.h. */
#include "stacks/guest/kernel.h"
#include "stacks/guest/gasm.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/cpu/exec.h"
#include "models/cpu/isa.h"
#include "models/monitor/rmm/rmm_abi.h"
#include "sim/buf.h"

#define PTE_P_RW 0x3ull
#define PTE_PS 0x80ull
#define SEV_C (1ull << GUEST_SEV_CBIT)

static bool sev_shared_page(uint64_t gpa)
{
	return gpa >= GUEST_BOUNCE && gpa < GUEST_SHARED_END;
}

/* Store the 64-bit constant v at addr (clobbers R_T3, R_T4). */
static void st_const(struct gasm *g, uint64_t addr, uint64_t v)
{
	movi(g, R_T3, v);
	movi(g, R_T4, addr);
	st(g, R_T3, R_T4, 0, 8);
}

/* SNP: PVALIDATE every private page of RAM (APM vol. 3 PVALIDATE); the
 * launch pages come back with CF = 1 (already validated, 0xff here). */
static void sev_validate(struct gasm *g, uint64_t ram)
{
	movi(g, R_T0, 0);
	movi(g, R_T1, ram);
	uint64_t loop = here(g);
	movi(g, R_T2, GUEST_BOUNCE);
	size_t do_it = emit(g, ISA_BC, R_T0, R_T2, ISA_LTU, 0, 0);
	movi(g, R_T2, GUEST_SHARED_END);
	size_t skip = emit(g, ISA_BC, R_T0, R_T2, ISA_LTU, 0, 0); /* a shared page */
	patch_target(g, do_it, here(g));
	emit(g, ISA_PVALIDATE, 1, R_T0, 0, 0, 1);
	movi(g, R_T2, 0xff);
	size_t next = emit(g, ISA_BC, 1, R_T2, ISA_EQ, 0, 0);
	b_panic_if(g, 1, ISA_XZR, ISA_NE);
	patch_target(g, skip, here(g));
	patch_target(g, next, here(g));
	emit(g, ISA_ADDI, R_T0, R_T0, 0, 0, 0x1000);
	emit(g, ISA_BC, R_T0, R_T1, ISA_LTU, 0, loop);
}

/* Zero [from, to) with 8-byte stores. */
static void zero_range(struct gasm *g, uint64_t from, uint64_t to)
{
	movi(g, R_T0, from);
	movi(g, R_T1, to);
	uint64_t loop = here(g);
	st(g, ISA_XZR, R_T0, 0, 8);
	emit(g, ISA_ADDI, R_T0, R_T0, 0, 0, 8);
	emit(g, ISA_BC, R_T0, R_T1, ISA_LTU, 0, loop);
}

/* Identity page tables at GUEST_PT: 4 KB pages over the first 2 MB (the
 * shared ones without the C-bit), 2 MB pages over the rest of RAM, and the
 * device's 2 MB unencrypted; then paging on (TTBR = PML4 with the C-bit). */
static void sev_page_tables(struct gasm *g, uint64_t ram)
{
	const uint64_t pml4 = GUEST_PT, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000, pt = pml4 + 0x3000;
	st_const(g, pml4, pdpt | PTE_P_RW | SEV_C);
	st_const(g, pdpt, pd | PTE_P_RW | SEV_C);
	st_const(g, pd, pt | PTE_P_RW | SEV_C);
	/* PT[i] = i << 12 | P | RW | C */
	movi(g, R_T0, PTE_P_RW | SEV_C);
	movi(g, R_T1, pt);
	movi(g, R_T2, pt + 0x1000);
	uint64_t loop = here(g);
	st(g, R_T0, R_T1, 0, 8);
	emit(g, ISA_ADDI, R_T0, R_T0, 0, 0, 0x1000);
	emit(g, ISA_ADDI, R_T1, R_T1, 0, 0, 8);
	emit(g, ISA_BC, R_T1, R_T2, ISA_LTU, 0, loop);
	for (uint64_t p = 0; p < 0x200000; p += 0x1000)
		if (sev_shared_page(p))
			st_const(g, pt + (p >> 12) * 8, p | PTE_P_RW);
	if (ram > 0x200000) {
		movi(g, R_T0, 0x200000 | PTE_P_RW | PTE_PS | SEV_C);
		movi(g, R_T1, pd + 8);
		movi(g, R_T2, pd + (ram >> 21) * 8);
		uint64_t l2 = here(g);
		st(g, R_T0, R_T1, 0, 8);
		emit(g, ISA_ADDI, R_T0, R_T0, 0, 0, 0x200000);
		emit(g, ISA_ADDI, R_T1, R_T1, 0, 0, 8);
		emit(g, ISA_BC, R_T1, R_T2, ISA_LTU, 0, l2);
	}
	st_const(g, pd + (GUEST_DEV_BASE >> 21) * 8, (GUEST_DEV_BASE & ~0x1fffffull) | PTE_P_RW | PTE_PS);
	movi(g, 1, pml4 | SEV_C);
	emit(g, ISA_MSR, 1, 0, 0, ISA_SR_TTBR, 0);
}

/* SNP: make the shared pages shared with page state changes through the
 * GHCB MSR protocol (GHCB spec 2.3.1 / 4.1.6), one page per request. */
static void sev_share_pages(struct gasm *g)
{
	for (uint64_t p = GUEST_BOUNCE; p < GUEST_SHARED_END; p += 0x1000) {
		movi(g, 1, p | GHCB_PSC_SHARED << 52 | GHCB_MSR_PSC_REQ);
		emit(g, ISA_MSR, 1, 0, 0, ISA_SR_GHCB, 0);
		emit(g, ISA_VMGEXIT, 0, 0, 0, 0, 0);
		emit(g, ISA_MRS, 1, 0, 0, ISA_SR_GHCB, 0);
		movi(g, 2, GHCB_MSR_PSC_RESP);
		b_panic_if(g, 1, 2, ISA_NE); /* the response, with error code 0 */
	}
}

/* This vCPU's GHCB and #VC save area (X0 = its index), the GHCB MSR. */
static void sev_es_percpu(struct gasm *g)
{
	movi(g, 1, 12);
	emit(g, ISA_LSLV, 2, 0, 1, 0, 0);
	movi(g, R_GHCB, GUEST_GHCB);
	emit(g, ISA_ADD, R_GHCB, R_GHCB, 2, 0, 0);
	movi(g, 1, 8);
	emit(g, ISA_LSLV, 2, 0, 1, 0, 0);
	movi(g, R_VC, GUEST_KDATA + GUEST_KDATA_VC_SAVE);
	emit(g, ISA_ADD, R_VC, R_VC, 2, 0, 0);
	emit(g, ISA_MSR, R_GHCB, 0, 0, ISA_SR_GHCB, 0);
}

/* The GHCB call of a #VC handler: SW_EXIT_CODE `code`, EXIT_INFO1 in x5,
 * the save-area quadwords of x0..x3 marked valid, then VMGEXIT (x5, x29
 * and x30 clobbered). */
static void vc_ghcb_exit(struct gasm *g, uint64_t code)
{
	st(g, 5, R_GHCB, GHCB_SW_EXIT_INFO1, 8);
	st(g, ISA_XZR, R_GHCB, GHCB_SW_EXIT_INFO2, 8);
	movi(g, R_X30, code);
	st(g, R_X30, R_GHCB, GHCB_SW_EXIT_CODE, 8);
	movi(g, R_X30, 0xf);
	st(g, R_X30, R_GHCB, GHCB_VALID_BITMAP, 8);
	movi(g, R_X30, 7ull << (GHCB_SW_EXIT_CODE / 8 - 64));
	st(g, R_X30, R_GHCB, GHCB_VALID_BITMAP + 8, 8);
	emit(g, ISA_VMGEXIT, 0, 0, 0, 0, 0);
}

/* The #VC handler (APM vol. 2 15.35.4; Linux arch/x86/coco/sev):
 *   - NPF on the device (MMIO): the access from the syndrome (SRT, WnR)
 *     and FAR, done through the GHCB (MMIO_READ / MMIO_WRITE with the
 *     shared buffer);
 *   - CPUID: on SNP from the CPUID page the launch measured (a linear
 *     search of its entries, as snp_cpuid does), asking the hypervisor
 *     through the GHCB only for the leaves that name the vCPU (0x1, 0xB,
 *     0x8000001E) or a leaf the page lacks; on SEV-ES always through it;
 *   - MSR and IOIO: the instruction decoded from ELR (register, port,
 *     size) and forwarded through the GHCB.
 * Registers are saved and restored around it; it returns past the
 * instruction. `work` is what Linux spends that the model's handler does
 * not execute (sev.vc_handler_cycles: decoding the faulting instruction,
 * dispatch). Any other #VC, and any other synchronous exception, is fatal. */
static void vc_handler(struct gasm *g, unsigned sev, uint64_t work, size_t *to_panic)
{
	to_panic[0] = handler_entry(g, ESR_EC_VC);
	if (work)
		emit(g, ISA_WORK, 0, 0, 0, 0, work);
	emit(g, ISA_MRS, R_X30, 0, 0, ISA_SR_ESR, 0);
	emit(g, ISA_LSRI, R_X30, R_X30, 0, 0, ESR_VC_CODE_SHIFT);
	emit(g, ISA_ANDI, R_X30, R_X30, 0, 0, 0xffff);
	static const uint64_t codes[] = { SVM_EXIT_NPF, SVM_EXIT_CPUID, SVM_EXIT_MSR, SVM_EXIT_IOIO };
	size_t to[4];
	for (unsigned i = 0; i < 4; i++) {
		movi(g, R_X29, codes[i]);
		to[i] = emit(g, ISA_BC, R_X30, R_X29, ISA_EQ, 0, 0);
	}
	to_panic[1] = emit(g, ISA_B, 0, 0, 0, 0, 0);
	size_t done[8];
	unsigned nd = 0;

	/* NPF: a device access */
	patch_target(g, to[0], here(g));
	emit(g, ISA_MRS, 0, 0, 0, ISA_SR_ESR, 0);
	emit(g, ISA_MRS, 1, 0, 0, ISA_SR_FAR, 0);
	emit(g, ISA_LSRI, 2, 0, 0, 0, ESR_SRT_SHIFT);
	emit(g, ISA_ANDI, 2, 2, 0, 0, 31);
	movi(g, 3, 3);
	emit(g, ISA_LSLV, 2, 2, 3, 0, 0);
	emit(g, ISA_ADD, 2, R_VC, 2, 0, 0);          /* &saved[SRT] */
	emit(g, ISA_ANDI, 4, 0, 0, 0, ESR_WNR);
	st(g, 1, R_GHCB, GHCB_SW_EXIT_INFO1, 8);     /* the GPA */
	movi(g, 5, 8);
	st(g, 5, R_GHCB, GHCB_SW_EXIT_INFO2, 8);     /* the size */
	emit(g, ISA_ADDI, 5, R_GHCB, 0, 0, GHCB_SHARED_BUFFER);
	st(g, 5, R_GHCB, GHCB_SW_SCRATCH, 8);
	st(g, ISA_XZR, R_GHCB, GHCB_VALID_BITMAP, 8);
	movi(g, 5, 0xfull << (GHCB_SW_EXIT_CODE / 8 - 64));
	st(g, 5, R_GHCB, GHCB_VALID_BITMAP + 8, 8);
	movi(g, 5, SVM_VMGEXIT_MMIO_READ);
	size_t is_read = emit(g, ISA_BC, 4, ISA_XZR, ISA_EQ, 0, 0);
	ld(g, 6, 2, 0, 8);
	st(g, 6, R_GHCB, GHCB_SHARED_BUFFER, 8);
	movi(g, 5, SVM_VMGEXIT_MMIO_WRITE);
	patch_target(g, is_read, here(g));
	st(g, 5, R_GHCB, GHCB_SW_EXIT_CODE, 8);
	emit(g, ISA_VMGEXIT, 0, 0, 0, 0, 0);
	size_t was_write = emit(g, ISA_BC, 4, ISA_XZR, ISA_NE, 0, 0);
	ld(g, 6, R_GHCB, GHCB_SHARED_BUFFER, 8);
	st(g, 6, 2, 0, 8);
	patch_target(g, was_write, here(g));
	done[nd++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* CPUID: leaf in x0, subleaf in x2 (as saved) */
	patch_target(g, to[1], here(g));
	size_t ask_host = SIZE_MAX;
	if (sev == 3) {
		ld(g, 0, R_VC, 0, 8);
		ld(g, 2, R_VC, 16, 8);
		static const uint64_t per_vcpu[] = { 0x1, 0xb, 0x8000001e };
		size_t to_host[3];
		for (unsigned i = 0; i < 3; i++) {
			movi(g, 3, per_vcpu[i]);
			to_host[i] = emit(g, ISA_BC, 0, 3, ISA_EQ, 0, 0);
		}
		movi(g, 6, GUEST_CPUID);
		ld(g, 7, 6, SNP_CPUID_COUNT, 4);
		emit(g, ISA_ADDI, 6, 6, 0, 0, SNP_CPUID_FN);
		movi(g, 8, 0);
		uint64_t search = here(g);
		size_t missing = emit(g, ISA_BC, 8, 7, ISA_GEU, 0, 0);
		ld(g, 3, 6, 0, 4);
		ld(g, 4, 6, 4, 4);
		emit(g, ISA_ADDI, 6, 6, 0, 0, SNP_CPUID_FN_SIZE);
		emit(g, ISA_ADDI, 8, 8, 0, 0, 1);
		emit(g, ISA_BC, 3, 0, ISA_NE, 0, search);
		emit(g, ISA_BC, 4, 2, ISA_NE, 0, search);
		for (unsigned r = 0; r < 4; r++) { /* EAX..EDX of the entry found */
			ld(g, 3, 6, (int32_t)(24 + 4 * r) - SNP_CPUID_FN_SIZE, 4); /* back from the entry's end */
			st(g, 3, R_VC, (int32_t)(8 * r), 8);
		}
		done[nd++] = emit(g, ISA_B, 0, 0, 0, 0, 0);
		patch_target(g, missing, here(g));
		for (unsigned i = 0; i < 3; i++)
			patch_target(g, to_host[i], here(g));
		ask_host = here(g);
	}
	(void)ask_host;
	for (unsigned r = 0; r < 4; r++) { /* RAX..RDX to the hypervisor */
		ld(g, 3, R_VC, (int32_t)(8 * r), 8);
		st(g, 3, R_GHCB, (int32_t)(8 * r), 8);
	}
	movi(g, 5, 0);
	vc_ghcb_exit(g, SVM_EXIT_CPUID);
	for (unsigned r = 0; r < 4; r++) {
		ld(g, 3, R_GHCB, (int32_t)(8 * r), 8);
		st(g, 3, R_VC, (int32_t)(8 * r), 8);
	}
	done[nd++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* MSR: decoded from the instruction at ELR (RDMSR or WRMSR) */
	patch_target(g, to[2], here(g));
	emit(g, ISA_MRS, 6, 0, 0, ISA_SR_ELR, 0);
	ld(g, 7, 6, 0, 1);                            /* the opcode */
	movi(g, 8, ISA_WRMSR);
	movi(g, 5, 0);
	size_t rd = emit(g, ISA_BC, 7, 8, ISA_NE, 0, 0);
	movi(g, 5, 1);
	patch_target(g, rd, here(g));
	for (unsigned r = 0; r < 2; r++) {
		ld(g, 3, R_VC, (int32_t)(8 * r), 8);
		st(g, 3, R_GHCB, (int32_t)(8 * r), 8);
	}
	vc_ghcb_exit(g, SVM_EXIT_MSR);
	ld(g, 3, R_GHCB, 0, 8);
	size_t wr = emit(g, ISA_BC, 7, 8, ISA_EQ, 0, 0);
	st(g, 3, R_VC, 0, 8);
	patch_target(g, wr, here(g));
	done[nd++] = emit(g, ISA_B, 0, 0, 0, 0, 0);

	/* IOIO: port (imm32), size (c) and register (a) decoded from the
	 * instruction at ELR */
	patch_target(g, to[3], here(g));
	emit(g, ISA_MRS, 6, 0, 0, ISA_SR_ELR, 0);
	ld(g, 7, 6, 0, 8);                            /* op, a, b, c, imm32 */
	emit(g, ISA_LSRI, 8, 7, 0, 0, 8);
	emit(g, ISA_ANDI, 8, 8, 0, 0, 0xff);          /* a: the register */
	movi(g, 3, 3);
	emit(g, ISA_LSLV, 8, 8, 3, 0, 0);
	emit(g, ISA_ADD, 8, R_VC, 8, 0, 0);           /* &saved[a] */
	emit(g, ISA_LSRI, 5, 7, 0, 0, 32);            /* the port */
	movi(g, 3, 16);
	emit(g, ISA_LSLV, 5, 5, 3, 0, 0);
	emit(g, ISA_LSRI, 9, 7, 0, 0, 24);
	emit(g, ISA_ANDI, 9, 9, 0, 0, 0xff);          /* c: the size (1, 2, 4) */
	emit(g, ISA_LSLV, 9, 9, 3, 0, 0);             /* 1, 2, 4 << 16 ... */
	emit(g, ISA_LSRI, 9, 9, 0, 0, 12);            /* ... >> 12: SZ8, SZ16, SZ32 */
	emit(g, ISA_ADD, 5, 5, 9, 0, 0);
	emit(g, ISA_ANDI, 7, 7, 0, 0, 0xff);          /* the opcode */
	movi(g, 3, ISA_IN);
	size_t out_op = emit(g, ISA_BC, 7, 3, ISA_NE, 0, 0);
	emit(g, ISA_ADDI, 5, 5, 0, 0, GHCB_IOIO_IN);
	patch_target(g, out_op, here(g));
	ld(g, 3, 8, 0, 8);
	st(g, 3, R_GHCB, 0, 8);
	vc_ghcb_exit(g, SVM_EXIT_IOIO);
	movi(g, 3, ISA_IN);
	size_t was_out = emit(g, ISA_BC, 7, 3, ISA_NE, 0, 0);
	ld(g, 3, R_GHCB, 0, 8);
	st(g, 3, 8, 0, 8);
	patch_target(g, was_out, here(g));

	/* return past the instruction */
	for (unsigned i = 0; i < nd; i++)
		patch_target(g, done[i], here(g));
	for (unsigned n = 0; n < R_X29; n++)
		ld(g, n, R_VC, (int32_t)(8 * n), 8);
	emit(g, ISA_MRS, R_X30, 0, 0, ISA_SR_ELR, 0);
	emit(g, ISA_ADDI, R_X30, R_X30, 0, 0, ISA_INSN_BYTES);
	emit(g, ISA_MSR, R_X30, 0, 0, ISA_SR_ELR, 0);
	emit(g, ISA_ERET, 0, 0, 0, 0, 0);
}

/* SNP: MSG_REPORT_REQ through the GHCB (GUEST_REQUEST, request and
 * response pages in the bounce buffer), the report kept in private memory
 * and sent out through the device as the guest's token. */
static void snp_report(struct gasm *g, const uint8_t challenge[64])
{
	const uint64_t req = GUEST_BOUNCE, rsp = GUEST_BOUNCE + 0x1000;
	for (unsigned w = 0; w < 8; w++) {
		movi(g, 1, sim_le64_load(challenge + 8 * w));
		st(g, 1, R_BNC, (int32_t)(8 * w), 8);
	}
	st(g, ISA_XZR, R_BNC, SNP_MSG_REQ_VMPL, 8);
	movi(g, 1, req);
	st(g, 1, R_GHCB, GHCB_SW_EXIT_INFO1, 8);
	movi(g, 1, rsp);
	st(g, 1, R_GHCB, GHCB_SW_EXIT_INFO2, 8);
	movi(g, 1, SVM_VMGEXIT_GUEST_REQUEST);
	st(g, 1, R_GHCB, GHCB_SW_EXIT_CODE, 8);
	st(g, ISA_XZR, R_GHCB, GHCB_VALID_BITMAP, 8);
	movi(g, 1, 7ull << (GHCB_SW_EXIT_CODE / 8 - 64));
	st(g, 1, R_GHCB, GHCB_VALID_BITMAP + 8, 8);
	emit(g, ISA_VMGEXIT, 0, 0, 0, 0, 0);
	movi(g, 2, rsp);
	ld(g, 1, 2, SNP_MSG_RSP_STATUS, 4);
	b_panic_if(g, 1, ISA_XZR, ISA_NE);
	ld(g, R_T1, 2, SNP_MSG_RSP_SIZE, 4);
	movi(g, R_T4, rsp + SNP_MSG_RSP_REPORT);
	movi(g, R_T2, GUEST_REPORT);
	copy8(g, R_T4, R_T2, R_T1);
	movi(g, R_T4, GUEST_REPORT);
	copy8(g, R_T4, R_BNC, R_T1);
	st(g, R_T1, R_DEV, GUEST_DEV_TOKEN, 8);
}

/* RSI_IPA_STATE_SET over [base, top) to `ripas`, looping on the new base
 * until the whole range is done; a rejection panics. */
static void ipa_state_set(struct gasm *g, uint64_t base, uint64_t top, unsigned ripas)
{
	movi(g, R_T0, base);
	movi(g, R_T1, top);
	movi(g, R_T2, RSI_REJECT);
	uint64_t loop = here(g);
	movi(g, 0, RSI_IPA_STATE_SET);
	emit(g, ISA_MOV, 1, R_T0, 0, 0, 0);
	emit(g, ISA_MOV, 2, R_T1, 0, 0, 0);
	movi(g, 3, ripas);
	movi(g, 4, 0);
	call(g);
	b_panic_if(g, 0, ISA_XZR, ISA_NE);   /* X0 != RSI_SUCCESS */
	b_panic_if(g, 2, R_T2, ISA_EQ);      /* X2 == RSI_REJECT */
	emit(g, ISA_MOV, R_T0, 1, 0, 0, 0);  /* new base */
	emit(g, ISA_BC, R_T0, R_T1, ISA_LTU, 0, loop);
}

int guest_kernel_build(const struct guest_kernel_config *cfg, uint8_t **image, size_t *len,
		       char *err, size_t errlen, size_t *bad_op)
{
	size_t ignored;
	if (!bad_op)
		bad_op = &ignored;
	*bad_op = SIZE_MAX;
	if (cfg->ram_size < GUEST_MIN_RAM || cfg->ram_size % 4096) {
		snprintf(err, errlen, "ram: at least %llu bytes, in 4 KiB pages",
			 (unsigned long long)GUEST_MIN_RAM);
		return -1;
	}
	if (cfg->sev > 3 || (cfg->sev && cfg->realm) || (cfg->tdx && (cfg->sev || cfg->realm))) {
		snprintf(err, errlen, "a guest is a realm, an SEV guest (1..3) or a TD, not two");
		return -1;
	}
	if (cfg->s390 && (cfg->sev || cfg->realm || cfg->tdx)) {
		snprintf(err, errlen, "a guest is a realm, an SEV guest, a TD or an s390 one, not two");
		return -1;
	}
	if (cfg->s390 && cfg->vcpus > 1) {
		snprintf(err, errlen, "vcpus: an s390 Secure Execution guest has one vCPU here (its "
			 "others start with SIGP, which the ultravisor handles and is not modelled)");
		return -1;
	}
	if (cfg->s390 && cfg->ram_size > GUEST_DEV_BASE) {
		snprintf(err, errlen, "ram: at most %llu bytes on s390 (its device window lies above "
			 "its storage)", (unsigned long long)GUEST_DEV_BASE);
		return -1;
	}
	if (cfg->tdx && cfg->vcpus > 1) {
		snprintf(err, errlen, "vcpus: a TD has one vCPU here (TDX guests start their "
			 "others through the ACPI MP wakeup mailbox, which is not modelled)");
		return -1;
	}
	struct gasm g = { .code = g_byte_array_new(), .realm = cfg->realm, .tdx = cfg->tdx,
			  .sev = cfg->sev, .s390 = cfg->s390,
			  .panic_fixups = g_array_new(FALSE, FALSE, sizeof(size_t)) };
	size_t sev_secondary = SIZE_MAX;
	size_t to_main = emit(&g, ISA_B, 0, 0, 0, 0, 0);
	while (here(&g) < ISA_VEC_SYNC)
		emit(&g, ISA_UDF, 0, 0, 0, 0, 0);
	/* VBAR + 0x200: a synchronous exception is fatal: report it, power off. */
	size_t to_panic_sync = emit(&g, ISA_B, 0, 0, 0, 0, 0);
	while (here(&g) < ISA_VEC_IRQ)
		emit(&g, ISA_UDF, 0, 0, 0, 0, 0);
	/* VBAR + 0x280: IRQ. The timer's tick is counted and the timer re-armed
	 * one period after its last deadline. */
	emit(&g, ISA_MRS, R_IRQ_ID, 0, 0, ISA_SR_IAR, 0);
	movi(&g, R_IRQ_A, VGIC_INTID_VTIMER);
	size_t not_timer = emit(&g, ISA_BC, R_IRQ_ID, R_IRQ_A, ISA_NE, 0, 0);
	movi(&g, R_IRQ_B, GUEST_KDATA);
	ld(&g, R_IRQ_A, R_IRQ_B, GUEST_KDATA_TICKS, 8);
	emit(&g, ISA_ADDI, R_IRQ_A, R_IRQ_A, 0, 0, 1);
	st(&g, R_IRQ_A, R_IRQ_B, GUEST_KDATA_TICKS, 8);
	if (cfg->tdx) { /* its timer is the host's emulated TSC deadline */
		td_timer_rearm(&g, cfg->tick);
	} else {
		emit(&g, ISA_MRS, R_IRQ_A, 0, 0, ISA_SR_CNTV_CVAL, 0);
		emit(&g, ISA_ADDI, R_IRQ_A, R_IRQ_A, 0, 0, cfg->tick ? cfg->tick : 1);
		emit(&g, ISA_MSR, R_IRQ_A, 0, 0, ISA_SR_CNTV_CVAL, 0);
	}
	patch_target(&g, not_timer, here(&g));
	emit(&g, ISA_MSR, R_IRQ_ID, 0, 0, ISA_SR_EOIR, 0);
	emit(&g, ISA_ERET, 0, 0, 0, 0, 0);

	/* main */
	patch_target(&g, to_main, here(&g));
	if (cfg->sev >= 2) /* a secondary starts here from its launch VMSA, X0 = its index */
		sev_secondary = emit(&g, ISA_BC, 0, ISA_XZR, ISA_NE, 0, 0);
	emit(&g, ISA_MARK, 0, 0, 0, GUEST_PHASE_BOOT, 0);
	movi(&g, 1, 0);
	emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_VBAR, 0);
	if (cfg->sev) {
		if (cfg->sev == 3)
			sev_validate(&g, cfg->ram_size);
		/* the host's pages are not zero to the guest's key: clear them */
		zero_range(&g, GUEST_KDATA, GUEST_CPUID);
		zero_range(&g, GUEST_CPUID + 0x1000, GUEST_BOUNCE); /* the CPUID page: the launch's */
		sev_page_tables(&g, cfg->ram_size);
		if (cfg->sev == 3)
			sev_share_pages(&g);
		if (cfg->sev >= 2) {
			movi(&g, 0, 0);
			sev_es_percpu(&g);
		}
	} else if (!cfg->tdx) { /* a TD accepts them instead (td_boot) */
		/* touch the kernel's pages (a host may populate RAM on first use) */
		static const uint64_t kpages[] = { GUEST_KDATA, GUEST_CONFIG, GUEST_HOSTCALL,
						   GUEST_TOKEN, GUEST_TOKEN + 0x1000,
						   GUEST_TOKEN + 0x2000, GUEST_TOKEN + 0x3000 };
		for (size_t i = 0; i < G_N_ELEMENTS(kpages); i++) {
			movi(&g, 2, kpages[i]);
			st(&g, ISA_XZR, 2, 0, 8);
		}
	}
	movi(&g, R_SH, 0);
	if (cfg->tdx)
		td_boot(&g, cfg);
	if (cfg->s390)
		se_boot(&g);
	if (cfg->realm) {
		movi(&g, 0, RSI_VERSION);
		movi(&g, 1, RSI_ABI_VERSION);
		call(&g);
		b_panic_if(&g, 0, ISA_XZR, ISA_NE);
		movi(&g, 0, RSI_REALM_CONFIG);
		movi(&g, 1, GUEST_CONFIG);
		call(&g);
		b_panic_if(&g, 0, ISA_XZR, ISA_NE);
		/* the unprotected bit: 1 << (ipa_width - 1) */
		movi(&g, 2, GUEST_CONFIG);
		ld(&g, 3, 2, RSI_REALM_CONFIG_IPA_WIDTH, 8);
		emit(&g, ISA_ADDI, 3, 3, 0, 0, (uint64_t)-1);
		movi(&g, 4, 1);
		emit(&g, ISA_LSLV, R_SH, 4, 3, 0, 0);
		ipa_state_set(&g, 0, cfg->ram_size, RIPAS_RAM);
		/* the bounce buffer leaves protected memory: the host may back
		 * its unprotected alias with its own pages */
		ipa_state_set(&g, GUEST_BOUNCE, GUEST_BOUNCE + GUEST_BOUNCE_SIZE, RIPAS_EMPTY);
	}
	movi(&g, 1, GUEST_DEV_BASE);
	emit(&g, ISA_ADD, R_DEV, R_SH, 1, 0, 0);
	movi(&g, 1, GUEST_BOUNCE);
	emit(&g, ISA_ADD, R_BNC, R_SH, 1, 0, 0);
	/* interrupts: the timer's, and a block device's completions */
	bool blk = false;
	for (size_t i = 0; i < cfg->nops; i++)
		blk |= cfg->ops[i].kind >= GOP_BLK_READ && cfg->ops[i].kind <= GOP_NET_RECV;
	if (cfg->tick && !cfg->tdx) {
		emit(&g, ISA_MRS, 1, 0, 0, ISA_SR_CNTVCT, 0);
		emit(&g, ISA_ADDI, 1, 1, 0, 0, cfg->tick);
		emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_CNTV_CVAL, 0);
		movi(&g, 1, CNTV_ENABLE);
		emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_CNTV_CTL, 0);
	}
	if (cfg->tick || blk) {
		movi(&g, 1, 0);
		emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_DAIF, 0);
	}
	size_t *cpu_on_fixups = NULL;
	unsigned nsec = cfg->vcpus > 1 ? (unsigned)cfg->vcpus - 1 : 0;
	if (cfg->vcpus > GUEST_MAX_VCPUS) {
		snprintf(err, errlen, "vcpus: 1 to %d", GUEST_MAX_VCPUS);
		g_byte_array_free(g.code, TRUE);
		g_array_free(g.panic_fixups, TRUE);
		return -1;
	}
	/* PSCI CPU_ON(target MPIDR i, entry: the secondary path, context i) */
	if (nsec)
		cpu_on_fixups = g_new0(size_t, nsec);
	for (unsigned i = 1; i <= nsec; i++) {
		movi(&g, 0, PSCI_CPU_ON);
		movi(&g, 1, i);
		cpu_on_fixups[i - 1] = here(&g);
		movi(&g, 2, 0); /* patched: the secondary entry */
		movi(&g, 3, i);
		callx(&g, 4, 1);
		b_panic_if(&g, 0, ISA_XZR, ISA_NE);
	}
	emit(&g, ISA_MARK, 0, 0, 0, GUEST_PHASE_WORKLOAD, 0);
	if (gasm_workload(&g, cfg, err, errlen, bad_op)) {
		g_free(cpu_on_fixups);
		g_byte_array_free(g.code, TRUE);
		g_array_free(g.panic_fixups, TRUE);
		return -1;
	}
	emit(&g, ISA_MARK, 0, 0, 0, GUEST_PHASE_SHUTDOWN, 0);
	if (cfg->realm && cfg->attest) {
		movi(&g, 0, RSI_ATTESTATION_TOKEN_INIT);
		for (unsigned w = 0; w < 8; w++) {
			uint64_t v = 0;
			for (unsigned j = 0; j < 8; j++)
				v |= (uint64_t)cfg->challenge[w * 8 + j] << (8 * j);
			movi(&g, 1 + w, v);
		}
		call(&g);
		b_panic_if(&g, 0, ISA_XZR, ISA_NE);
		movi(&g, R_T0, GUEST_TOKEN); /* granule being filled */
		movi(&g, R_T1, 0);           /* token bytes so far */
		movi(&g, R_T2, RSI_INCOMPLETE);
		uint64_t tloop = here(&g);
		movi(&g, 0, RSI_ATTESTATION_TOKEN_CONTINUE);
		emit(&g, ISA_MOV, 1, R_T0, 0, 0, 0);
		movi(&g, 2, 0);
		movi(&g, 3, 4096);
		call(&g);
		emit(&g, ISA_ADD, R_T1, R_T1, 1, 0, 0);
		size_t tdone = emit(&g, ISA_BC, 0, ISA_XZR, ISA_EQ, 0, 0);
		b_panic_if(&g, 0, R_T2, ISA_NE);
		emit(&g, ISA_ADDI, R_T0, R_T0, 0, 0, 4096);
		emit(&g, ISA_B, 0, 0, 0, 0, tloop);
		patch_target(&g, tdone, here(&g));
		/* send it out: copy to the bounce buffer, ring the device */
		movi(&g, R_T4, GUEST_TOKEN);
		copy8(&g, R_T4, R_BNC, R_T1);
		st(&g, R_T1, R_DEV, GUEST_DEV_TOKEN, 8);
	}
	if (cfg->sev == 3 && cfg->attest)
		snp_report(&g, cfg->challenge);
	if (cfg->tdx && cfg->attest)
		td_report(&g, cfg->challenge);
	if (cfg->s390 && cfg->attest && cfg->se_arcb_len)
		se_attest(&g, cfg);
	/* wait for the secondaries to be OFF (AFFINITY_INFO), count who ran */
	if (nsec) {
		movi(&g, R_T4, 0);
		for (unsigned i = 1; i <= nsec; i++) {
			uint64_t poll = here(&g);
			movi(&g, 0, PSCI_AFFINITY_INFO);
			movi(&g, 1, i);
			movi(&g, 2, 0);
			callx(&g, 3, 1);
			movi(&g, R_T2, PSCI_AFF_OFF);
			size_t done = emit(&g, ISA_BC, 0, R_T2, ISA_EQ, 0, 0);
			emit(&g, ISA_WORK, 0, 0, 0, 0, GUEST_SMP_POLL_CYCLES); /* a short delay */
			emit(&g, ISA_B, 0, 0, 0, 0, poll);
			patch_target(&g, done, here(&g));
			movi(&g, 2, GUEST_KDATA);
			ld(&g, 1, 2, GUEST_KDATA_CPUS + 8 * (int32_t)i, 8);
			emit(&g, ISA_ADD, R_T4, R_T4, 1, 0, 0);
		}
		st(&g, R_T4, R_DEV, GUEST_DEV_CPUS, 8);
	}
	/* report the ticks seen, power off */
	movi(&g, 2, GUEST_KDATA);
	ld(&g, 1, 2, GUEST_KDATA_TICKS, 8);
	st(&g, 1, R_DEV, GUEST_DEV_REPORT, 8);
	uint64_t off = here(&g);
	movi(&g, 0, PSCI_SYSTEM_OFF);
	callx(&g, 1, 1);
	emit(&g, ISA_B, 0, 0, 0, 0, off);

	/* panic: report ESR (0 for a failed kernel check), power off */
	uint64_t panic_sync = here(&g);
	emit(&g, ISA_MRS, 1, 0, 0, ISA_SR_ESR, 0);
	size_t to_report = emit(&g, ISA_B, 0, 0, 0, 0, 0);
	uint64_t panic_check = here(&g);
	movi(&g, 1, 0);
	patch_target(&g, to_report, here(&g));
	movi(&g, 2, GUEST_KDATA);
	st(&g, 1, 2, GUEST_KDATA_PANIC, 8);
	movi(&g, 2, GUEST_DEV_BASE);
	emit(&g, ISA_ADD, 2, R_SH, 2, 0, 0);
	st(&g, 1, 2, GUEST_DEV_PANIC, 8);
	emit(&g, ISA_B, 0, 0, 0, 0, off);
	/* a secondary vCPU: X0 = its index (the CPU_ON context); it marks
	 * itself, computes, and leaves with CPU_OFF */
	if (nsec || sev_secondary != SIZE_MAX) {
		uint64_t secondary = here(&g);
		for (unsigned i = 0; i < nsec; i++)
			patch_target(&g, cpu_on_fixups[i], secondary);
		if (sev_secondary != SIZE_MAX)
			patch_target(&g, sev_secondary, secondary);
		movi(&g, 1, 0);
		emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_VBAR, 0);
		if (cfg->sev) { /* the boot vCPU's page tables, this vCPU's GHCB */
			movi(&g, 1, GUEST_PT | SEV_C);
			emit(&g, ISA_MSR, 1, 0, 0, ISA_SR_TTBR, 0);
			if (cfg->sev >= 2)
				sev_es_percpu(&g);
		}
		movi(&g, 1, 3);
		emit(&g, ISA_LSLV, 1, 0, 1, 0, 0);
		movi(&g, 2, GUEST_KDATA + GUEST_KDATA_CPUS);
		emit(&g, ISA_ADD, 2, 2, 1, 0, 0);
		movi(&g, 1, 1);
		st(&g, 1, 2, 0, 8);
		if (cfg->smp_work)
			emit(&g, ISA_WORK, 0, 0, 0, 0, cfg->smp_work);
		uint64_t off_again = here(&g);
		movi(&g, 0, PSCI_CPU_OFF);
		callx(&g, 1, 1);
		emit(&g, ISA_B, 0, 0, 0, 0, off_again);
	}
	g_free(cpu_on_fixups);
	if (cfg->tdx) { /* the sync vector goes to the #VE handler first */
		size_t to_panic[2];
		patch_target(&g, to_panic_sync, here(&g));
		td_ve_handler(&g, to_panic);
		patch_target(&g, to_panic[0], panic_sync);
		patch_target(&g, to_panic[1], panic_sync);
	} else if (cfg->sev >= 2) { /* the sync vector goes to the #VC handler first */
		size_t to_panic[2];
		patch_target(&g, to_panic_sync, here(&g));
		vc_handler(&g, cfg->sev, cfg->vc_work, to_panic);
		patch_target(&g, to_panic[0], panic_sync);
		patch_target(&g, to_panic[1], panic_sync);
	} else {
		patch_target(&g, to_panic_sync, panic_sync);
	}
	for (guint i = 0; i < g.panic_fixups->len; i++)
		patch_target(&g, g_array_index(g.panic_fixups, size_t, i), panic_check);
	g_array_free(g.panic_fixups, TRUE);

	if (g.code->len > GUEST_KDATA) {
		snprintf(err, errlen, "the kernel and workload take %u bytes of code, more than %llu",
			 g.code->len, (unsigned long long)GUEST_KDATA);
		g_byte_array_free(g.code, TRUE);
		return -1;
	}
	*len = g.code->len;
	*image = g_byte_array_free(g.code, FALSE);
	return 0;
}

const char *guest_op_name(enum guest_op_kind k)
{
	static const char *const n[GOP_KIND_COUNT] = {
		"work", "store", "load", "loop", "end", "wfi", "mmio_write", "mmio_read",
		"host_call", "send", "extend", "call", "regs", "stream_read", "stream_write",
		"copy", "memcpy", "random", "chase", "touch", "cpuid", "rdmsr", "wrmsr",
		"pio_in", "pio_out", "phase", "blk_read", "blk_write",
		"net_send", "net_recv", "replay", "tdcall",
	};
	return k < GOP_KIND_COUNT ? n[k] : "?";
}
