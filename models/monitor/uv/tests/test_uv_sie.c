/* SIE of a secure CPU (uv_sie.c): the registers stay in the CPU's donated
 * storage, the state description carries what an intercept needs, a
 * guest's UVC is served without the host, and a state description or an
 * injection the UV cannot accept is a validity intercept. The guest runs
 * untranslated here: its configuration's storage starts at host 0. */
#include "models/monitor/uv/tests/uv_fixture.h"

#include "models/cpu/exec.h"
#include "models/cpu/isa.h"

#define SECRET 0x5ec2e75ec2e75ec2ull
#define CODE 0x10000ull
#define UVCB (CODE + 0x1000)     /* the guest's control block, in its image */
#define SHARED (CODE + 0x2000)   /* the page it shares */

struct prog {
	uint8_t b[3 * PAGE];
	size_t n;
};

static void insn(struct prog *p, uint8_t op, unsigned a, unsigned b, uint64_t imm64)
{
	struct isa_insn i = { op, (uint8_t)a, (uint8_t)b, 0, 0, imm64 };
	isa_encode(&i, p->b + p->n);
	p->n += ISA_INSN_BYTES;
}

/* A vendor hypercall with a secret in X1; the host's answer copied to X3;
 * a UVC sharing a page, its condition code copied to X2; PSCI_VERSION
 * (which names X0..X3); then WFI. The image's second page is the UVC's
 * control block, the third the page it shares. */
static void program(struct prog *p)
{
	memset(p, 0, sizeof(*p));
	insn(p, ISA_MOVI, 1, 0, SECRET);
	insn(p, ISA_MOVI, 0, 0, 0xC6000007ull);
	insn(p, ISA_HVC, 0, 0, 0);
	insn(p, ISA_MOV, 3, 0, 0);
	insn(p, ISA_MOVI, 1, 0, UVCB);
	insn(p, ISA_SMC, 0, 0, 0);
	insn(p, ISA_MOV, 2, 0, 0);
	insn(p, ISA_MOVI, 1, 0, 0);
	insn(p, ISA_MOVI, 0, 0, 0x84000000ull);
	insn(p, ISA_HVC, 0, 0, 0);
	insn(p, ISA_WFI, 0, 0, 0);
	uint8_t *cb = p->b + PAGE;
	uv_put16(cb, UVCB_SHARE_LEN);
	uv_put16(cb + 2, UVC_CMD_SET_SHARED_ACCESS);
	uv_put64(cb + SHARE_PADDR, SHARED);
	p->b[2 * PAGE] = 1;
}

/* A configuration whose storage starts at host 0 and its CPU, booted from
 * the program, loaded, with its handles in the state description. */
static void boot(struct fx *f)
{
	struct prog p;
	struct se_image_view v;
	struct cc_fault fault;
	uint8_t *img, h[16];
	fx_init_uv(f);
	uv_put64(fx_cgc(f) + CGC_STOR_ORIGIN, 0);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	f->conf = uv_be64(f->cb + CGC_GUEST_HANDLE);
	fx_csc(f);
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	f->cpu = uv_be64(f->cb + CSC_CPU_HANDLE);
	program(&p);
	struct se_key host;
	se_host_key(SEED, 0, &host);
	struct se_comp_in c = { p.b, sizeof(p.b), CODE, SE_COMP_KERNEL };
	struct se_image_opts o = { .seed = 3, .psw_addr = CODE };
	size_t n;
	char err[256];
	assert_int_equal(se_image_build(&c, 1, host.coord, 1, &o, &img, &n, err, sizeof(err)), 0);
	assert_int_equal(se_image_parse(img, n, &v, err, sizeof(err)), 0);
	assert_int_equal(fx_host_access(f, HDR, (void *)v.hdr, (uint32_t)v.hdr_len, true, &fault), 0);
	assert_int_equal(fx_host_access(f, CODE, (void *)v.comp[0].data, (uint32_t)v.comp[0].size,
					true, &fault), 0);
	assert_int_equal(fx_ssc(f, &v), UVC_RC_EXECUTED);
	assert_int_equal(fx_unpack_verify(f, &v), UVC_RC_EXECUTED);
	uint8_t *cb = fx_cb(f, UVC_CMD_CPU_SET_STATE);
	uv_put64(cb + CB_HANDLE, f->cpu);
	cb[SET_STATE_STATE] = PV_CPU_STATE_OPR_LOAD;
	assert_int_equal(fx_call(f), UVC_RC_EXECUTED);
	uv_put64(h, f->cpu);
	uv_put64(h + 8, f->conf);
	assert_int_equal(fx_host_access(f, SIE_SD + UV_SD_PV_HANDLE_CPU, h, sizeof(h), true, &fault), 0);
	g_free(img);
}

static int sie(struct fx *f, struct uv_sie_cost *cost)
{
	struct exec_params p = { .now = sim_time(&f->sim), .budget = 1000000 };
	return uv_sie(f->m.uv, SIE_SD, &f->guest, &p, cost);
}

static uint64_t sd64(struct fx *f, unsigned off)
{
	uint8_t b[8];
	struct cc_fault fault;
	assert_int_equal(fx_host_access(f, SIE_SD + off, b, 8, false, &fault), 0);
	return uv_be64(b);
}

static uint8_t sd8(struct fx *f, unsigned off)
{
	return (uint8_t)(sd64(f, off) >> 56);
}

/* The hypercall's intercept names its code only (not X1's secret); the
 * host's answer reaches X0; the UVC runs inside SIE and shares the page;
 * PSCI's intercept names X0..X3 (X3 the earlier answer, X2 the UVC's
 * condition code 0); WFI is a wait intercept. The CPU's registers, in its
 * donated storage, are the host's to read nowhere. */
static void test_intercepts(void **state)
{
	struct fx *f = *state;
	struct uv_sie_cost cost;
	uint8_t b[8];
	struct cc_fault fault;
	boot(f);
	assert_int_equal(sie(f, &cost), 0);
	assert_true(cost.insns >= 3 && cost.cycles >= cost.guest_cycles);
	assert_int_equal(sd8(f, UV_SD_ICPTCODE), UV_ICPT_PV_INSTR);
	assert_int_equal(sd64(f, UV_SD_IPA) >> 48, UV_IPA_DIAG);
	assert_int_equal(sd64(f, UV_SD_GRREGS), 0xC6000007ull);
	assert_int_equal(sd64(f, UV_SD_GRREGS + 8), 0);
	assert_int_equal(fx_host_access(f, CPU_STOR, b, 8, false, &fault), 1);
	assert_int_equal(fault.kind, FAULT_PGM_SECURE_ACCESS);
	uv_put64(b, 0x42);
	assert_int_equal(fx_host_access(f, SIE_SD + UV_SD_GRREGS, b, 8, true, &fault), 0);
	assert_int_equal(sie(f, &cost), 0);
	assert_int_equal(sd8(f, UV_SD_ICPTCODE), UV_ICPT_PV_INSTR);
	assert_int_equal(sd64(f, UV_SD_GRREGS), 0x84000000ull);
	assert_int_equal(sd64(f, UV_SD_GRREGS + 16), 0);    /* X2: the UVC's cc */
	assert_int_equal(sd64(f, UV_SD_GRREGS + 24), 0x42); /* X3: the host's answer */
	uint32_t conf;
	uint64_t gaddr;
	assert_int_equal(uv_page_state(f->m.uv, SHARED, &conf, &gaddr), UV_PAGE_SHARED);
	assert_int_equal(sie(f, &cost), 0);
	assert_int_equal(sd8(f, UV_SD_ICPTCODE), UV_ICPT_WAIT);
}

/* A state description that names no CPU of the UV (or another's handle)
 * is a validity intercept; so is an injection into a guest that has
 * interrupts masked (it boots masked), which the guest never takes. */
static void test_validity(void **state)
{
	struct fx *f = *state;
	struct uv_sie_cost cost;
	struct cc_fault fault;
	struct exec_params p = { .now = 0, .budget = 1000 };
	uint8_t one = 1;
	assert_int_equal(uv_sie(f->m.uv, SIE_SD, &f->guest, &p, &cost), -1);
	boot(f);
	assert_int_equal(uv_sie(f->m.uv, SIE_SD + PAGE, &f->guest, &p, &cost), -1);
	assert_int_equal(fx_host_access(f, SIE_SD + UV_SD_IICTL, &one, 1, true, &fault), 0);
	assert_int_equal(sie(f, &cost), -1);
	assert_int_equal(sd8(f, UV_SD_ICPTCODE), UV_ICPT_VALIDITY);
	assert_int_equal(cost.insns, 0);
	/* the injection consumed: the next entry runs */
	assert_int_equal(sie(f, &cost), 0);
	assert_int_equal(sd8(f, UV_SD_ICPTCODE), UV_ICPT_PV_INSTR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intercepts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_validity, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
