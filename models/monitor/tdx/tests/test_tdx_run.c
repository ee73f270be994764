/* A built TD at run time: Secure EPT removal ordering (BLOCK -> TRACK ->
 * REMOVE), AUG + ACCEPT, TD entry with its exits and TDCALLs, TDREPORT,
 * and teardown ordering (VP.FLUSH -> VPFLUSHDONE -> CACHE.WB -> KEY.FREEID
 * -> RECLAIM, the TDR last). */
#include "models/monitor/tdx/tests/tdx_fixture.h"

#define CODE_GPA 0x0ull       /* guest code, a page added at build time */
#define DATA_GPA 0x1000ull    /* data the guest reads: REPORTDATA, RTMR input */
#define AUG_GPA 0x2000ull     /* a page added at run time */
#define REPORT_GPA 0x1400ull  /* where TDG.MR.REPORT writes (1024-aligned) */

/* Guest code at CODE_GPA: `n` instructions, then the reset vector page
 * jumps to it. */
static void build_td(struct fx *f, const uint8_t *code, size_t n)
{
	uint8_t page[4096] = { 0 };
	fx_td_create(f, 0);
	fx_vp_create(f);
	fx_sept_tables(f);
	/* VBAR 0's synchronous vector: a #VE the test does not handle spins
	 * in WORK until the host's tick */
	fx_insn(page, ISA_VEC_SYNC, ISA_WORK, 0, 0, 0, 0, 1ull << 40);
	memcpy(page, code, n * ISA_INSN_BYTES);
	fx_host_write(f, SRC, page, sizeof(page));
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, CODE_GPA, TDR, PAGE(0), SRC), TDX_SUCCESS);
	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < 64; i++)
		page[i] = (uint8_t)(0xd0 + i); /* REPORTDATA / RTMR input at DATA_GPA */
	fx_host_write(f, SRC, page, sizeof(page));
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, DATA_GPA, TDR, PAGE(1), SRC), TDX_SUCCESS);
	memset(page, 0, sizeof(page));
	fx_insn(page, 0xff0, ISA_B, 0, 0, 0, 0, CODE_GPA);
	fx_host_write(f, SRC, page, sizeof(page));
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_ADD, RESET_PAGE, TDR, PAGE(2), SRC), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MR_FINALIZE, TDR, 0, 0, 0), TDX_SUCCESS);
}

/* x0 = leaf, then SMC (TDCALL). */
static size_t tdcall(uint8_t *c, size_t i, uint64_t leaf)
{
	fx_insn(c, i++ * ISA_INSN_BYTES, ISA_MOVI, 0, 0, 0, 0, leaf);
	fx_insn(c, i++ * ISA_INSN_BYTES, ISA_SMC, 0, 0, 0, 0, 0);
	return i;
}

static size_t movi(uint8_t *c, size_t i, unsigned reg, uint64_t v)
{
	fx_insn(c, i * ISA_INSN_BYTES, ISA_MOVI, (uint8_t)reg, 0, 0, 0, v);
	return i + 1;
}

/* A removal in a running TD: not blocked -> TDX_GPA_RANGE_NOT_BLOCKED;
 * blocked but not tracked -> TDX_TLB_TRACKING_NOT_DONE; after TRACK it
 * goes, the TD's child count drops and the page is free in the PAMT. A
 * second BLOCK says ALREADY_BLOCKED; UNBLOCK after TRACK maps it again. */
static void test_block_track_remove(void **state)
{
	struct fx *f = *state;
	uint8_t code[32];
	fx_insn(code, 0, ISA_WFI, 0, 0, 0, 0, 0);
	build_td(f, code, 1);
	uint64_t kids = fx_info(f).chldcnt;
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_REMOVE, DATA_GPA, TDR, 0, 0), TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_BLOCK, DATA_GPA, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_BLOCK, DATA_GPA, TDR, 0, 0), TDX_GPA_RANGE_ALREADY_BLOCKED | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_REMOVE, DATA_GPA, TDR, 0, 0), TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_UNBLOCK, DATA_GPA, TDR, 0, 0), TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RDMD, PAGE(1), 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_R9], 1); /* BEPOCH = the TD_EPOCH it was blocked in */
	assert_int_equal(fx_call(f, TDH_MEM_TRACK, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_info(f).td_epoch, 2);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_REMOVE, DATA_GPA, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_info(f).chldcnt, kids - 1);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RDMD, PAGE(1), 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_RCX], PAMT_PT_NDA);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_WBINVD, tdx_pa_with_keyid(FX_TDX(f), PAGE(1), HKID), 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_WBINVD, PAGE(1), 0, 0, 0), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	/* the code page: blocked, tracked, unblocked */
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_BLOCK, CODE_GPA, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_TRACK, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_UNBLOCK, CODE_GPA, TDR, 0, 0), TDX_SUCCESS);
	/* a table with a page under it cannot go; an emptied one can */
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_BLOCK, 0 | 1, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_TRACK, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_REMOVE, 0 | 1, TDR, 0, 0), TDX_EPT_PAGE_NOT_FREE | TDX_OPERAND_ID_RCX);
}

/* A blocked private page is the host's controlled channel: the TD's load
 * from it exits with an EPT violation whose GPA has bits 11:0 cleared (the
 * page, not the offset); once unblocked the load completes and the TD
 * goes on to its TDG.VP.VMCALL. */
static void test_blocked_page_exit(void **state)
{
	struct fx *f = *state;
	uint8_t code[64];
	size_t i = 0;
	i = movi(code, i, 2, DATA_GPA + 0x128);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_LD, 20, 2, 8, 0, 0);
	i = movi(code, i, 1, 0);
	i = tdcall(code, i, TDG_VP_VMCALL);
	build_td(f, code, i);
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_BLOCK, DATA_GPA, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_TRACK, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_EPT_VIOLATION);
	assert_int_equal(f->out[TDX_R8], DATA_GPA);
	assert_int_equal(f->out[TDX_RCX], 1); /* a read */
	assert_int_equal(fx_call(f, TDH_MEM_RANGE_UNBLOCK, DATA_GPA, TDR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_TDCALL);
}

/* PAGE.AUG leaves a PENDING page; the TD's access takes #VE (SEPT_VE not
 * disabled) and TDG.VP.VEINFO.GET names it; TDG.MEM.PAGE.ACCEPT maps it
 * zeroed; a second accept says ALREADY_ACCEPTED. Then a TDG.VP.VMCALL
 * exits to the host with its sub-function. */
static void test_aug_accept_ve(void **state)
{
	struct fx *f = *state;
	uint8_t code[4096] = { 0 };
	size_t i = 0;
	/* VBAR = 0x800: the #VE handler (sync vector at +0x200 = 0xa00) */
	i = movi(code, i, 1, 0x800);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MSR, 1, 0, 0, ISA_SR_VBAR, 0);
	i = movi(code, i, 2, AUG_GPA);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_LD, 20, 2, 8, 0, 0); /* #VE: pending */
	i = movi(code, i, 1, AUG_GPA | 0);
	i = tdcall(code, i, TDG_MEM_PAGE_ACCEPT);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 21, 0, 0, 0, 0);       /* x21 = accept status */
	i = movi(code, i, 1, AUG_GPA | 0);
	i = tdcall(code, i, TDG_MEM_PAGE_ACCEPT);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 22, 0, 0, 0, 0);       /* x22 = second accept */
	i = movi(code, i, 2, AUG_GPA); /* the #VE handler's VEINFO.GET took RDX */
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_LD, 23, 2, 8, 0, 0);        /* x23 = 0 now */
	/* TDG.VP.VMCALL<MapGPA>: expose R10..R13 */
	i = movi(code, i, 1, 0x3c00);
	i = movi(code, i, 10, 0);
	i = movi(code, i, 11, TDVMCALL_MAP_GPA);
	i = movi(code, i, 12, 0x5000 | (1ull << 47));
	i = movi(code, i, 13, 0x1000);
	i = tdcall(code, i, TDG_VP_VMCALL);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_WORK, 0, 0, 0, 0, 1ull << 40);
	/* the #VE handler: VEINFO.GET, keep the reason and GPA, return past the load */
	size_t h = 0xa00 / ISA_INSN_BYTES;
	h = tdcall(code, h, TDG_VP_VEINFO_GET);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_MOV, 24, 1, 0, 0, 0);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_MOV, 25, 9, 0, 0, 0);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_MRS, 26, 0, 0, ISA_SR_ELR, 0);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_ADDI, 26, 26, 0, 0, ISA_INSN_BYTES);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_MSR, 26, 0, 0, ISA_SR_ELR, 0);
	fx_insn(code, h++ * ISA_INSN_BYTES, ISA_ERET, 0, 0, 0, 0, 0);
	build_td(f, code, 4096 / ISA_INSN_BYTES);
	assert_int_equal(fx_call(f, TDH_MEM_PAGE_AUG, AUG_GPA, TDR, PAGE(3), 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_TDCALL);
	assert_int_equal(f->out[TDX_RCX], 0x3c00);
	assert_int_equal(f->out[TDX_R11], TDVMCALL_MAP_GPA);
	assert_int_equal(f->out[TDX_R12], 0x5000 | (1ull << 47));
	/* the vCPU's registers, read as the module keeps them */
	struct vcpu_state v;
	assert_int_equal(machine_peek(&f->m, HKID, TDVPR + 0x400, &v, sizeof(v)), 0);
	assert_int_equal(v.x[24], TDX_EXIT_EPT_VIOLATION);
	assert_int_equal(v.x[25], AUG_GPA);
	assert_int_equal(v.x[21], TDX_SUCCESS);
	assert_int_equal(v.x[22], TDX_PAGE_ALREADY_ACCEPTED);
	assert_int_equal(v.x[23], 0);
	/* the host answers R10 = 0: the TD resumes with RAX = 0, R10 = 0 */
	f->out[TDX_R10] = 0;
	memset(f->out, 0, sizeof(f->out));
	f->out[TDX_RAX] = TDH_VP_ENTER;
	f->out[TDX_RCX] = TDVPR;
	f->out[TDX_R10] = 0x77;
	fx_seamcall(f);
	assert_int_equal(f->out[TDX_RAX], TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT);
	assert_int_equal(machine_peek(&f->m, HKID, TDVPR + 0x400, &v, sizeof(v)), 0);
	assert_int_equal(v.x[10], 0x77);
	assert_int_equal(v.x[0], TDX_SUCCESS);
}

/* TDG.MR.RTMR.EXTEND, TDG.VP.INFO and TDG.MR.REPORT from the TD: the
 * report carries the 64-byte REPORTDATA, MRTD, RTMR2 = SHA-384(0^48 ||
 * data), the TD's attributes and MRCONFIGID, and TEE_INFO_HASH over its
 * TDINFO. */
static void test_report(void **state)
{
	struct fx *f = *state;
	uint8_t code[4096] = { 0 };
	size_t i = 0;
	i = movi(code, i, 1, DATA_GPA);
	i = movi(code, i, 2, 2);
	i = tdcall(code, i, TDG_MR_RTMR_EXTEND);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 20, 0, 0, 0, 0);
	i = movi(code, i, 2, 9);
	i = tdcall(code, i, TDG_MR_RTMR_EXTEND);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 21, 0, 0, 0, 0);
	i = tdcall(code, i, TDG_VP_INFO);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 22, 1, 0, 0, 0);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 23, 8, 0, 0, 0);
	i = movi(code, i, 1, REPORT_GPA);
	i = movi(code, i, 2, DATA_GPA);
	i = movi(code, i, 8, 0);
	i = tdcall(code, i, TDG_MR_REPORT);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 24, 0, 0, 0, 0);
	i = movi(code, i, 2, TDCS_TD_CTLS);
	i = tdcall(code, i, TDG_VM_RD);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 25, 0, 0, 0, 0);
	i = movi(code, i, 2, TDCS_CONFIG_FLAGS);
	i = movi(code, i, 8, 1);
	i = movi(code, i, 9, 1);
	i = tdcall(code, i, TDG_VM_WR);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 26, 0, 0, 0, 0);
	i = tdcall(code, i, TDG_VP_VEINFO_GET);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 27, 0, 0, 0, 0);
	i = movi(code, i, 1, 0x10); /* RSP may not be exposed */
	i = tdcall(code, i, TDG_VP_VMCALL);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 28, 0, 0, 0, 0);
	i = movi(code, i, 1, 0x400);
	i = tdcall(code, i, TDG_VP_VMCALL);
	build_td(f, code, i);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_TDCALL);
	struct vcpu_state v;
	assert_int_equal(machine_peek(&f->m, HKID, TDVPR + 0x400, &v, sizeof(v)), 0);
	assert_int_equal(v.x[20], TDX_SUCCESS);
	assert_int_equal(v.x[21], TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	assert_int_equal(v.x[22], 48);
	assert_int_equal(v.x[23], 1ull | 1ull << 32);
	assert_int_equal(v.x[24], TDX_SUCCESS);
	assert_int_equal(v.x[25], TDX_SUCCESS);
	assert_int_equal(v.x[26], TDX_METADATA_FIELD_NOT_WRITABLE | TDX_OPERAND_ID_RDX);
	assert_int_equal(v.x[27], TDX_NO_VALID_VE_INFO);
	assert_int_equal(v.x[28], TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	/* the report, as the module wrote it into the TD's page */
	uint8_t r[TDREPORT_SIZE], data[64], rtmr_in[96] = { 0 }, want[48];
	assert_int_equal(machine_peek(&f->m, HKID, PAGE(1) + (REPORT_GPA & 0xfff), r, sizeof(r)), 0);
	for (unsigned k = 0; k < 64; k++)
		data[k] = (uint8_t)(0xd0 + k);
	assert_int_equal(r[TDREPORT_TYPE], TDX_REPORT_TYPE_TDX);
	assert_memory_equal(r + TDREPORT_REPORTDATA, data, 64);
	struct tdx_td_info info = fx_info(f);
	assert_memory_equal(r + TDREPORT_TDINFO + TDINFO_MRTD, info.mrtd, 48);
	memcpy(rtmr_in + 48, data, 48);
	tdx_sha384(rtmr_in, sizeof(rtmr_in), want);
	assert_memory_equal(info.rtmr[2], want, 48);
	assert_memory_equal(r + TDREPORT_TDINFO + TDINFO_RTMR + 2 * 48, want, 48);
	uint8_t c1[48];
	memset(c1, 0xc1, 48);
	assert_memory_equal(r + TDREPORT_TDINFO + TDINFO_MRCONFIGID, c1, 48);
	tdx_sha384(r + TDREPORT_TDINFO, TDINFO_LEN, want);
	assert_memory_equal(r + TDREPORT_TEE_INFO_HASH, want, 48);
	/* the host sees none of it */
	uint8_t host[64], zero[64] = { 0 };
	fx_host_read(f, PAGE(1) + (REPORT_GPA & 0xfff), host, 64);
	assert_memory_equal(host, zero, 64);
}

/* VP.ENTER before FINALIZE, of another TD's page, or once the TD is
 * blocked fails; HLT (WFI) is a #VE, not an exit: the host's tick ends the
 * run with an external-interrupt exit. */
static void test_vp_enter_checks(void **state)
{
	struct fx *f = *state;
	uint8_t code[32];
	fx_insn(code, 0, ISA_WFI, 0, 0, 0, 0, 0);
	fx_insn(code, 16, ISA_B, 0, 0, 0, 0, 0);
	fx_td_create(f, 0);
	fx_vp_create(f);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_OP_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDR, 0, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	fx_teardown(state);
	fx_setup(state);
	f = *state;
	build_td(f, code, 2);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT);
	assert_true(FX_TDX(f)->stat_ve >= 1);
}

/* A TD that loops on a TDCALL the module answers itself (TDG.VP.INFO)
 * never exits on its own: the host's tick still ends the entry after one
 * slice, as a physical interrupt would. */
static void test_tdcall_loop_preempted(void **state)
{
	struct fx *f = *state;
	uint8_t code[48];
	size_t n = tdcall(code, 0, TDG_VP_INFO);
	fx_insn(code, n++ * ISA_INSN_BYTES, ISA_B, 0, 0, 0, 0, CODE_GPA);
	build_td(f, code, n);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_EXTERNAL_INTERRUPT);
	uint64_t calls = FX_TDX(f)->stat_tdcalls[TDG_VP_INFO];
	assert_true(calls > 100);
	/* about one slice of them, not more */
	assert_true(f->cycles >= f->m.cfg.host_slice_cycles);
	assert_true(f->cycles < 2 * f->m.cfg.host_slice_cycles);
}

/* TDG.VM.WR returns the field's previous value in R8, TDG.VM.RD its
 * value; a failed call leaves R8 0 (tdg_vm_rd_wr.c). */
static void test_vm_rd_wr_outputs(void **state)
{
	struct fx *f = *state;
	uint8_t code[512];
	size_t i = 0;
	for (unsigned k = 0; k < 2; k++) { /* TD_CTLS bit 0 set, twice */
		i = movi(code, i, 2, TDCS_TD_CTLS);
		i = movi(code, i, 8, 1);
		i = movi(code, i, 9, 1);
		i = tdcall(code, i, TDG_VM_WR);
		fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, (uint8_t)(20 + k), 8, 0, 0, 0);
	}
	i = movi(code, i, 2, TDCS_TD_CTLS);
	i = tdcall(code, i, TDG_VM_RD);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 22, 8, 0, 0, 0);
	i = movi(code, i, 2, 0x1234);
	i = movi(code, i, 8, 7);
	i = tdcall(code, i, TDG_VM_RD);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 23, 8, 0, 0, 0);
	fx_insn(code, i++ * ISA_INSN_BYTES, ISA_MOV, 24, 0, 0, 0, 0);
	i = movi(code, i, 1, 0);
	i = tdcall(code, i, TDG_VP_VMCALL);
	build_td(f, code, i);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_SUCCESS | TDX_EXIT_TDCALL);
	struct vcpu_state v;
	assert_int_equal(machine_peek(&f->m, HKID, TDVPR + 0x400, &v, sizeof(v)), 0);
	assert_int_equal(v.x[20], 0);
	assert_int_equal(v.x[21], 1);
	assert_int_equal(v.x[22], 1);
	assert_int_equal(v.x[23], 0);
	assert_int_equal(v.x[24], TDX_METADATA_FIELD_ID_INCORRECT | TDX_OPERAND_ID_RDX);
}

/* The host's TDH.VP.RD / WR of a vCPU's guest GPRs: refused in a
 * production TD (production masks 0: FIELD_NOT_READABLE / NOT_WRITABLE,
 * the register unchanged), allowed in a debug TD (WR returns the previous
 * value in R8, RD the new one), never for RSP's placeholder; a field ID
 * with a reserved bit or of no known field is FIELD_ID_INCORRECT
 * (tdh_vp_rd_wr.c, metadata_vp.c, tdvps_fields_lookup.c). */
static void test_vp_rd_wr(void **state)
{
	struct fx *f = *state;
	const uint64_t rcx = TDVPS_GUEST_GPR_FIELD + TDX_RCX;
	struct vcpu_state v;
	for (int debug = 0; debug < 2; debug++) {
		if (debug) {
			fx_teardown(state);
			fx_setup(state);
			f = *state;
		}
		fx_td_create(f, debug ? TD_ATTR_DEBUG : 0);
		fx_vp_create(f); /* VP.INIT set RCX to 0x1234 */
		uint64_t st = fx_call(f, TDH_VP_WR, TDVPR, rcx, 0xabc, ~0ull);
		assert_int_equal(st, debug ? TDX_SUCCESS : TDX_METADATA_FIELD_NOT_WRITABLE);
		assert_int_equal(f->out[TDX_R8], debug ? 0x1234 : 0);
		st = fx_call(f, TDH_VP_RD, TDVPR, rcx, 0, 0);
		assert_int_equal(st, debug ? TDX_SUCCESS : TDX_METADATA_FIELD_NOT_READABLE);
		assert_int_equal(f->out[TDX_R8], debug ? 0xabc : 0);
		assert_int_equal(machine_peek(&f->m, HKID, TDVPR + 0x400, &v, sizeof(v)), 0);
		assert_int_equal(v.x[TDX_RCX], debug ? 0xabc : 0x1234);
		assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, TDVPS_GUEST_GPR_FIELD + TDVPS_GUEST_GPR_RSP, 1,
					 ~0ull), TDX_METADATA_FIELD_NOT_WRITABLE);
		assert_int_equal(fx_call(f, TDH_VP_WR, TDVPR, rcx, 1, 0), TDX_METADATA_FIELD_NOT_WRITABLE);
		assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, rcx | 1ull << 40, 0, 0),
				 TDX_METADATA_FIELD_ID_INCORRECT);
		assert_int_equal(fx_call(f, TDH_VP_RD, TDVPR, TDVPS_GUEST_GPR_FIELD + 16, 0, 0),
				 TDX_METADATA_FIELD_ID_INCORRECT);
		assert_int_equal(fx_call(f, TDH_VP_RD, TDR, rcx, 0, 0),
				 TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	}
}

/* Teardown in its order: VPFLUSHDONE waits for VP.FLUSH, KEY.FREEID for
 * CACHE.WB, RECLAIM for KEY.FREEID, the TDR for every other page. Then
 * the HKID is free for a new TD. */
static void test_teardown_order(void **state)
{
	struct fx *f = *state;
	uint8_t code[16];
	fx_insn(code, 0, ISA_WFI, 0, 0, 0, 0, 0);
	build_td(f, code, 1);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_FREEID, TDR, 0, 0, 0), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MNG_VPFLUSHDONE, TDR, 0, 0, 0), TDX_FLUSHVP_NOT_DONE);
	assert_int_equal(fx_call(f, TDH_VP_FLUSH, TDVPR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_VPFLUSHDONE, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_info(f).lifecycle, TD_BLOCKED);
	assert_int_equal(fx_call(f, TDH_VP_ENTER, TDVPR, 0, 0, 0), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_FREEID, TDR, 0, 0, 0), TDX_WBCACHE_NOT_COMPLETE);
	uint64_t wb = f->m.stat_wbinvd;
	assert_int_equal(fx_call(f, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->m.stat_wbinvd, wb + 1);
	assert_int_equal(fx_call(f, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), TDX_NO_HKID_READY_TO_WBCACHE);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_LIFECYCLE_STATE_INCORRECT);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_FREEID, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_info(f).lifecycle, TD_TEARDOWN);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, TDR, 0, 0, 0), TDX_TD_ASSOCIATED_PAGES_EXIST);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_RCX], PAMT_PT_REG);
	assert_int_equal(f->out[TDX_RDX], TDR);
	assert_int_equal(f->out[TDX_R8], 0);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, PAGE(0), 0, 0, 0), TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	uint64_t pages[] = { PAGE(1), PAGE(2), SEPT(0), SEPT(1), SEPT(2), SEPT(3), SEPT(4), TDVPR,
			     TDVPX(0), TDVPX(1), TDVPX(2), TDCS(0), TDCS(1), TDCS(2), TDCS(3) };
	for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++)
		assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, pages[k], 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_info(f).chldcnt, 0);
	assert_int_equal(fx_call(f, TDH_PHYMEM_PAGE_RECLAIM, TDR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_RCX], PAMT_PT_TDR);
	/* the HKID and every page can make a new TD */
	fx_td_create(f, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_block_track_remove, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_blocked_page_exit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_aug_accept_ve, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_report, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vp_enter_checks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_teardown_order, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tdcall_loop_preempted, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vm_rd_wr_outputs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vp_rd_wr, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
