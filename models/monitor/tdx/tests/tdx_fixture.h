/* The machine, addresses and helpers the TDX module tests share: a tdx
 * profile machine, the module initialised over its one TDMR (TDH.SYS.*),
 * and a TD built step by step: TDR, TDCS, one vCPU, the Secure EPT tables
 * for GPA 0 and for the page holding the reset vector. */
#ifndef CCSIM_TDX_TESTS_FIXTURE_H
#define CCSIM_TDX_TESTS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "models/cpu/cpu.h"
#include "models/cpu/exec.h"
#include "models/cpu/isa.h"
#include "models/monitor/tdx/tdx.h"
#include "models/monitor/tdx/tdx_sha384.h"
#include "models/monitor/tdx/tdx_internal.h"
#include "models/platform/machine.h"
#include "models/platform/machine_mon.h"

/* The module in the machine's TDX slot: what these unit tests look into. */
#define FX_TDX(f) ((struct tdx *)machine_mon_instance((f)->m.tdx_mon))

struct fx {
	struct sim sim;
	struct machine m;
	struct cpu host;
	uint64_t out[TDX_NREGS]; /* the last SEAMCALL's registers */
	uint64_t cycles;         /* its cost */
};

#define TDMR 0x80000000ull
#define PAMT_1G 0x7000000ull
#define PAMT_2M 0x7001000ull
#define PAMT_4K 0x7004000ull
#define GLOBAL_KEYID 32
#define HKID 33
#define TDR 0x80100000ull
#define TDCS(i) (0x80101000ull + 0x1000ull * (i))
#define TDVPR 0x80110000ull
#define TDVPX(i) (0x80111000ull + 0x1000ull * (i))
#define SEPT(i) (0x80120000ull + 0x1000ull * (i))
#define PAGE(i) (0x80200000ull + 0x1000ull * (i))
#define HOSTBUF 0x20000000ull   /* host pages: TDMR_INFO, TD_PARAMS, sources */
#define TDPARAMS 0x20001000ull
#define SRC 0x20002000ull
#define RESET_PAGE 0xFFFFF000ull /* the GPA page of the reset vector 0xFFFFFFF0 */

/* The SEAMCALL in f->out from LP 0, through the module's slot (all sixteen
 * GPRs beside the registers: call_buf), issued now. */
static inline void fx_seamcall(struct fx *f)
{
	uint64_t r[CCSIM_MONITOR_REGS];
	tdx_regs_to_mon(f->out, 0, r);
	machine_mon_command_buf(f->m.tdx_mon, r, f->out, sizeof(f->out), &f->cycles);
}

static inline uint64_t fx_call(struct fx *f, uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8,
			       uint64_t r9)
{
	memset(f->out, 0, sizeof(f->out));
	f->out[TDX_RAX] = leaf;
	f->out[TDX_RCX] = rcx;
	f->out[TDX_RDX] = rdx;
	f->out[TDX_R8] = r8;
	f->out[TDX_R9] = r9;
	f->cycles = 0;
	fx_seamcall(f);
	return f->out[TDX_RAX];
}

static inline void fx_host_write(struct fx *f, uint64_t pa, const void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	const uint8_t *p = buf;
	for (uint32_t o = 0; o < len; o += 64)
		assert_int_equal(cpu_store(&f->host, pa + o, p + o, MIN(64u, len - o), &fault, &c), 0);
}

static inline void fx_host_read(struct fx *f, uint64_t pa, void *buf, uint32_t len)
{
	struct cc_fault fault;
	uint64_t c;
	uint8_t *p = buf;
	for (uint32_t o = 0; o < len; o += 64)
		assert_int_equal(cpu_load(&f->host, pa + o, p + o, MIN(64u, len - o), &fault, &c), 0);
}

static inline void fx_store64(struct fx *f, uint64_t pa, uint64_t v)
{
	fx_host_write(f, pa, &v, 8);
}

static inline int fx_setup_machine(void **state)
{
	struct fx *f = test_malloc(sizeof(*f));
	struct platform_config cfg;
	char err[256];
	assert_int_equal(profile_load("models/platform/profiles/tdx.ini", &cfg, err, sizeof(err)), 0);
	sim_init(&f->sim, 7, cfg.freq_mhz * 1000000ull);
	f->sim.log.sink = NULL;
	assert_int_equal(machine_init(&f->m, &f->sim, &cfg, err, sizeof(err)), 0);
	assert_non_null(FX_TDX(f));
	cpu_init(&f->host, &f->sim, "host", machine_bus(&f->m), WORLD_NS, 2);
	*state = f;
	return 0;
}

/* TDMR_INFO for the profile's TDMR at HOSTBUF + 0x200, its PA at HOSTBUF. */
static inline void fx_tdmr_info(struct fx *f)
{
	uint8_t info[64] = { 0 };
	sim_le64_store(info + 0, TDMR);
	sim_le64_store(info + 8, 1ull << 30);
	sim_le64_store(info + 16, PAMT_1G);
	sim_le64_store(info + 24, 4096);
	sim_le64_store(info + 32, PAMT_2M);
	sim_le64_store(info + 40, 3 * 4096);
	sim_le64_store(info + 48, PAMT_4K);
	sim_le64_store(info + 56, 4ull << 20);
	fx_host_write(f, HOSTBUF + 0x200, info, sizeof(info));
	fx_store64(f, HOSTBUF, HOSTBUF + 0x200);
}

/* The module's whole initialisation, as the host kernel runs it. */
static inline void fx_sys_init(struct fx *f)
{
	assert_int_equal(fx_call(f, TDH_SYS_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_LP_INIT, 0, 0, 0, 0), TDX_SUCCESS);
	fx_tdmr_info(f);
	assert_int_equal(fx_call(f, TDH_SYS_CONFIG, HOSTBUF, 1, GLOBAL_KEYID, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), TDX_SUCCESS);
	for (int i = 0; i < 4; i++)
		assert_int_equal(fx_call(f, TDH_SYS_TDMR_INIT, TDMR, 0, 0, 0), TDX_SUCCESS);
	assert_int_equal(f->out[TDX_RDX], TDMR + (1ull << 30));
}

static inline int fx_setup(void **state)
{
	fx_setup_machine(state);
	fx_sys_init(*state);
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	sim_fini(&f->sim);
	test_free(f);
	return 0;
}

/* TD_PARAMS at TDPARAMS: attributes, one vCPU, 4-level EPT, GPAW 0, and
 * recognisable MRCONFIGID / MROWNER / MROWNERCONFIG. */
static inline void fx_td_params(struct fx *f, uint64_t attributes)
{
	uint8_t p[TD_PARAMS_SIZE] = { 0 };
	sim_le64_store(p + TD_PARAMS_ATTRIBUTES, attributes);
	sim_le64_store(p + TD_PARAMS_XFAM, 0x3);
	p[TD_PARAMS_MAX_VCPUS] = 1;
	sim_le64_store(p + TD_PARAMS_EPTP_CONTROLS, 6 | 3 << 3);
	memset(p + TD_PARAMS_MRCONFIGID, 0xc1, 48);
	memset(p + TD_PARAMS_MROWNER, 0x0e, 48);
	memset(p + TD_PARAMS_MROWNERCONFIG, 0x0c, 48);
	fx_host_write(f, TDPARAMS, p, sizeof(p));
}

/* TDH.MNG.CREATE, KEY.CONFIG, ADDCX x4, INIT. */
static inline void fx_td_create(struct fx *f, uint64_t attributes)
{
	assert_int_equal(fx_call(f, TDH_MNG_CREATE, TDR, HKID, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MNG_KEY_CONFIG, TDR, 0, 0, 0), TDX_SUCCESS);
	for (unsigned i = 0; i < TDX_TDCS_PAGES; i++)
		assert_int_equal(fx_call(f, TDH_MNG_ADDCX, TDCS(i), TDR, 0, 0), TDX_SUCCESS);
	fx_td_params(f, attributes);
	assert_int_equal(fx_call(f, TDH_MNG_INIT, TDR, TDPARAMS, 0, 0), TDX_SUCCESS);
}

/* TDH.VP.CREATE, ADDCX x3, INIT. */
static inline void fx_vp_create(struct fx *f)
{
	assert_int_equal(fx_call(f, TDH_VP_CREATE, TDVPR, TDR, 0, 0), TDX_SUCCESS);
	for (unsigned i = 0; i < TDX_TDVPS_PAGES - 1; i++)
		assert_int_equal(fx_call(f, TDH_VP_ADDCX, TDVPX(i), TDVPR, 0, 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_VP_INIT, TDVPR, 0x1234, 0, 0), TDX_SUCCESS);
}

/* Secure EPT tables: PDPT, PD, PT for GPA 0 (SEPT 0..2) and PD, PT for the
 * reset page (SEPT 3, 4). */
static inline void fx_sept_tables(struct fx *f)
{
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 3, TDR, SEPT(0), 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 2, TDR, SEPT(1), 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0 | 1, TDR, SEPT(2), 0), TDX_SUCCESS);
	/* page info names the entry by a GPA aligned to what it maps */
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0xC0000000 | 2, TDR, SEPT(3), 0), TDX_SUCCESS);
	assert_int_equal(fx_call(f, TDH_MEM_SEPT_ADD, 0xFFE00000 | 1, TDR, SEPT(4), 0), TDX_SUCCESS);
}

/* One guest instruction into buf at byte offset off. */
static inline void fx_insn(uint8_t *buf, size_t off, uint8_t op, uint8_t a, uint8_t b, uint8_t c,
			   int32_t imm32, uint64_t imm64)
{
	struct isa_insn i = { op, a, b, c, imm32, imm64 };
	isa_encode(&i, buf + off);
}

static inline struct tdx_td_info fx_info(struct fx *f)
{
	struct tdx_td_info i;
	assert_int_equal(tdx_td_info(FX_TDX(f), TDR, &i), 0);
	return i;
}

#endif
